/*
 * cmd-init.c: segurctl init: create or migrate the ledger.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "segur/ledger.h"

#include "segurctl.h"

static int
init_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 }
	};
	struct segur_ledger *l;
	int	 c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'D')
			return (segurctl_usage_error(self, env,
			    "unknown option '%s'", argv[optind - 1]));
		segurctl_db_option(env, optarg);
	}
	if (optind != argc)
		return (segurctl_usage_error(self, env, "no argument expected"));
	/* Never a second ledger beside the one segurd uses. */
	if ((rc = segurctl_init_check(self, env)) != 0)
		return (rc);
	if ((rc = segurctl_ledger_open(self, env, SEGUR_LEDGER_CREATE,
	    &l)) != 0)
		return (rc);
	fprintf(env->out, "%s: ledger at schema version %d\n", env->db_path,
	    segur_ledger_version(l));
	segur_ledger_close(l);
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_init = {
	"init", "[--db PATH]",
	"create the ledger, or migrate it to this version's schema", 0,
	init_exec
};
