/*
 * cmd-solde-deadline.c: segurctl solde deadline: one request's balance
 * deadline, overriding the programme's (lib/ledger/solde.c).
 */
#include <stdio.h>

#include "segur/ledger.h"
#include "segur/solde.h"

#include "segurctl.h"

/* Usage first, before the ledger is opened and the request resolved. */
static int
solde_deadline_check(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	if ((segurctl_arg(self, args, "date") == NULL) ==
	    !segurctl_flag(self, args, "clear"))
		return (segurctl_usage_error(self, env,
		    "give either --date or --clear"));
	return (0);
}

static int
solde_deadline_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_ledger	*l = args->ledger;
	const char		*date = NULL;
	char			*cause = NULL;
	int			 rc;

	date = segurctl_arg(self, args, "date");
	rc = segur_solde_deadline_set(l, args->argv[0], date, &cause);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	fprintf(env->out, "%s: échéance du solde %s\n", args->argv[0],
	    date != NULL ? date : "du programme");
	return (SEGURCTL_EXIT_OK);
}

static const struct segurctl_opt solde_deadline_opts[] = {
	{ "date", 0, "DATE", "son échéance de solde" },
	{ "clear", 0, NULL, "revenir au délai du programme (ref set)" },
	{ NULL, 0, NULL, NULL }
};

const struct segurctl_cmd cmd_solde_deadline = {
	.name = "solde deadline",
	.group = "solde",
	.args = "[--date DATE] [--clear] NUMERO_ASP",
	.summary = "fixer ou effacer l'échéance de solde d'une demande",
	.opts = solde_deadline_opts,
	.flags = SEGURCTL_LEDGER | SEGURCTL_WRITES,
	.args_min = 1,
	.args_max = 1,
	.req_args = 1,
	.req_as = SEGURCTL_REQ_ASP,
	.check = solde_deadline_check,
	.exec = solde_deadline_exec
};
