/*
 * cmd-backup.c: segurctl backup FILE: a consistent copy of the ledger
 * while segurd runs (SQLite online backup), fsync'ed, then checked.
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
backup_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 }
	};
	struct segur_chain_head h;
	struct segur_ledger *l;
	char		*cause = NULL;
	int		 c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'D')
			segurctl_db_option(env, optarg);
		else
			return (segurctl_usage_error(self, env,
			    "unknown option '%s'", argv[optind - 1]));
	}
	if (optind != argc - 1)
		return (segurctl_usage_error(self, env, "expected one FILE"));
	if ((rc = segurctl_ledger_open(self, env, 0, &l)) != 0)
		return (rc);
	rc = segur_audit_backup(l, argv[optind], &cause);
	segur_ledger_close(l);
	/* The copy is checked as a restore would check it. */
	if (rc == 0)
		rc = segur_audit_check_file(argv[optind], &h, &cause);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	fprintf(env->out, "%s: copie vérifiée, %" PRId64 " événements, tête "
	    "%s\n", argv[optind], h.events, h.hash);
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_backup = {
	"backup", "FILE",
	"copy the ledger consistently while it is in use, and check the copy",
	0, backup_exec
};
