/*
 * cmd-solde-deadline.c: segurctl solde deadline: one request's balance
 * deadline, overriding the programme's (lib/ledger/solde.c).
 */
#include <getopt.h>
#include <stdio.h>

#include "segur/ledger.h"
#include "segur/solde.h"

#include "segurctl.h"

static int
solde_deadline_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "date", required_argument, NULL, 'd' },
		{ "clear", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	struct segur_ledger	*l;
	const char		*date = NULL;
	char			*cause = NULL;
	int			 c, rc, clear = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'D':
			segurctl_db_option(env, optarg);
			break;
		case 'd':
			date = optarg;
			break;
		case 'c':
			clear = 1;
			break;
		default:
			return (segurctl_usage_error(self, env,
			    "unknown option '%s'", argv[optind - 1]));
		}
	}
	if (optind != argc - 1)
		return (segurctl_usage_error(self, env,
		    "expected one NUMERO_ASP"));
	if ((date == NULL) == !clear)
		return (segurctl_usage_error(self, env,
		    "give either --date or --clear"));
	if ((rc = segurctl_ledger_open(self, env, 0, &l)) != 0)
		return (rc);
	rc = segur_solde_deadline_set(l, argv[optind], date, &cause);
	segur_ledger_close(l);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	fprintf(env->out, "%s: échéance du solde %s\n", argv[optind],
	    date != NULL ? date : "du programme");
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_solde_deadline = {
	"solde deadline", "[--date DATE] [--clear] NUMERO_ASP",
	"set or clear one request's balance deadline", 0, solde_deadline_exec
};
