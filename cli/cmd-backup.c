/*
 * cmd-backup.c: segurctl backup FILE: a consistent copy of the ledger
 * while segurd runs (SQLite online backup), fsync'ed, then checked.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "segur/audit.h"
#include "segur/error.h"
#include "segur/ledger.h"

#include "segurctl.h"

static int
backup_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_chain_head h;
	struct segur_ledger *l = args->ledger;
	char		*cause = NULL;
	int		 rc;

	rc = segur_audit_backup(l, args->argv[0], &cause);
	/* The copy is checked as a restore would check it. */
	if (rc == 0)
		rc = segur_audit_check_file(args->argv[0], &h, &cause);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	fprintf(env->out, "%s: copie vérifiée, %" PRId64 " événements, tête "
	    "%s\n", args->argv[0], h.events, h.hash);
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_backup = {
	.name = "backup",
	.group = "backup",
	.args = "FILE",
	.summary = "copier le registre de façon cohérente pendant qu'il sert, "
	    "et vérifier la copie",
	.flags = SEGURCTL_LEDGER,
	.args_min = 1,
	.args_max = 1,
	.exec = backup_exec
};
