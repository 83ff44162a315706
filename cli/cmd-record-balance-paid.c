/*
 * cmd-record-balance-paid.c: segurctl record balance-paid: the balance is
 * paid and the request closed (lib/ledger/solde.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "segur/ledger.h"
#include "segur/solde.h"

#include "segurctl.h"

/* The options into *rec (strings borrowed from args): 0, or the exit
 * status of a usage error. */
static int
balance_paid_parse(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args, struct segur_record *rec)
{
	const char	*v;
	int64_t		 cents = -1;

	memset(rec, 0, sizeof(*rec));
	rec->date = segurctl_arg(self, args, "date");
	if ((v = segurctl_arg(self, args, "amount")) != NULL &&
	    segurctl_parse_euros(v, &cents) != 0)
		return (segurctl_usage_error(self, env, "bad amount '%s' "
		    "(euros, at most two decimals)", v));
	rec->note = segurctl_arg(self, args, "note");
	rec->force = segurctl_flag(self, args, "force");
	rec->reason = segurctl_arg(self, args, "reason");
	if (rec->date == NULL || cents < 0)
		return (segurctl_usage_error(self, env,
		    "--date and --amount are required"));
	if (rec->force != (rec->reason != NULL))
		return (segurctl_usage_error(self, env,
		    "--force and --reason go together"));
	rec->amount_cents = cents;
	return (0);
}

/* Usage first, before the ledger is opened and the request resolved. */
static int
record_balance_paid_check(const struct segurctl_cmd *self,
    struct segurctl_env *env, struct segurctl_args *args)
{
	struct segur_record	 rec;

	return (balance_paid_parse(self, env, args, &rec));
}

static int
record_balance_paid_exec(const struct segurctl_cmd *self,
    struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_record	 rec;
	struct segur_ledger	*l = args->ledger;
	char			*cause = NULL;
	int			 rc;

	if ((rc = balance_paid_parse(self, env, args, &rec)) != 0)
		return (rc);
	rc = segur_solde_paid(l, args->argv[0], &rec, &cause);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	fprintf(env->out, "%s: solde payé, demande close\n", args->argv[0]);
	return (SEGURCTL_EXIT_OK);
}

static const struct segurctl_opt record_balance_paid_opts[] = {
	{ "date", 0, "DATE", "la date du paiement" },
	{ "amount", 0, "EUROS", "le montant payé" },
	{ "force", 0, NULL, "enregistrer un montant que les règles "
	    "n'attendaient pas" },
	{ "reason", 0, "TEXT", "pourquoi le montant est forcé" },
	{ "note", 0, "TEXT", "une note gardée dans son historique" },
	{ NULL, 0, NULL, NULL }
};

const struct segurctl_cmd cmd_record_balance_paid = {
	.name = "record balance-paid",
	.group = "record",
	.args = "--date DATE --amount EUROS [--force --reason TEXT] "
	    "[--note TEXT] NUMERO_ASP",
	.summary = "enregistrer le paiement du solde (clôt la demande)",
	.opts = record_balance_paid_opts,
	.flags = SEGURCTL_LEDGER | SEGURCTL_WRITES,
	.args_min = 1,
	.args_max = 1,
	.req_args = 1,
	.req_as = SEGURCTL_REQ_ASP,
	.check = record_balance_paid_check,
	.exec = record_balance_paid_exec
};
