/*
 * cmd-ref-set.c: segurctl ref set: a setting of the programme
 * (solde-deadline-days), lib/ledger/solde.c.
 */
#include <getopt.h>
#include <stdio.h>

#include "segur/ledger.h"
#include "segur/solde.h"

#include "segurctl.h"

static int
ref_set_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 }
	};
	struct segur_ledger	*l;
	char			*cause = NULL;
	int			 c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'D')
			return (segurctl_usage_error(self, env,
			    "unknown option '%s'", argv[optind - 1]));
		segurctl_db_option(env, optarg);
	}
	if (optind != argc - 2)
		return (segurctl_usage_error(self, env,
		    "expected KEY and VALUE"));
	if ((rc = segurctl_ledger_open(self, env, 0, &l)) != 0)
		return (rc);
	rc = segur_solde_setting_set(l, argv[optind], argv[optind + 1],
	    &cause);
	segur_ledger_close(l);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	fprintf(env->out, "%s = %s\n", argv[optind], argv[optind + 1]);
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_ref_set = {
	"ref set", "solde-deadline-days DAYS",
	"set the programme's balance deadline (days after the advance)", 0,
	ref_set_exec
};
