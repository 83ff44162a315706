/*
 * cmd-ref-set.c: segurctl ref set: a setting of the programme
 * (solde-deadline-days), lib/ledger/solde.c.
 */
#include <stdio.h>

#include "segur/ledger.h"
#include "segur/solde.h"

#include "segurctl.h"

static int
ref_set_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_ledger	*l = args->ledger;
	char			*cause = NULL;
	int			 rc;

	rc = segur_solde_setting_set(l, args->argv[0], args->argv[1],
	    &cause);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	fprintf(env->out, "%s = %s\n", args->argv[0], args->argv[1]);
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_ref_set = {
	.name = "ref set",
	.group = "ref",
	.args = "solde-deadline-days DAYS",
	.summary = "fixer le délai de solde du programme (jours après "
	    "l'avance)",
	.flags = SEGURCTL_LEDGER | SEGURCTL_WRITES,
	.args_min = 2,
	.args_max = 2,
	.exec = ref_set_exec
};
