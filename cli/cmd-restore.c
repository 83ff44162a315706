/*
 * cmd-restore.c: segurctl restore FILE: puts a backup in place of the
 * ledger after checking its chain; a live ledger only with --force, and
 * then kept beside it.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "segur/audit.h"
#include "segur/error.h"
#include "segur/ledger.h"

#include "segurctl.h"

static int
restore_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	struct segur_chain_head h;
	char		*cause = NULL, *saved = NULL;
	int		 c, rc, force = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'D')
			segurctl_db_option(env, optarg);
		else if (c == 'f')
			force = 1;
		else
			return (segurctl_usage_error(self, env,
			    "unknown option '%s'", argv[optind - 1]));
	}
	if (optind != argc - 1)
		return (segurctl_usage_error(self, env, "expected one FILE"));
	if ((rc = segurctl_ledger_announce(self, env)) != 0)
		return (rc);
	rc = segur_audit_restore(argv[optind], env->db_path, force, &h,
	    &saved, &cause);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	if (saved != NULL)
		fprintf(env->out, "previous ledger kept as %s\n", saved);
	fprintf(env->out, "%s restored from %s: %" PRId64 " events, head "
	    "%s\n", env->db_path, argv[optind], h.events, h.hash);
	free(saved);
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_restore = {
	"restore", "[--force] FILE",
	"replace the ledger by a backup whose chain is whole", 0, restore_exec
};
