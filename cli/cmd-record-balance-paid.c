/*
 * cmd-record-balance-paid.c: segurctl record balance-paid: the balance is
 * paid and the request closed (lib/ledger/solde.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

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
		return (segurctl_usage_error(self, env, "montant « %s » "
		    "invalide (en euros, deux décimales au plus)", v));
	rec->note = segurctl_arg(self, args, "note");
	rec->force = segurctl_flag(self, args, "force");
	rec->reason = segurctl_arg(self, args, "reason");
	if (rec->date == NULL || cents < 0)
		return (segurctl_usage_error(self, env,
		    "--date et --amount sont obligatoires"));
	if (rec->force != (rec->reason != NULL))
		return (segurctl_usage_error(self, env,
		    "--force et --reason vont ensemble"));
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
	struct segur_request_row row;
	struct segur_ledger	*l = args->ledger;
	struct cJSON		*o = NULL;
	char			*cause = NULL;
	int			 rc, json;

	if ((rc = balance_paid_parse(self, env, args, &rec)) != 0)
		return (rc);
	json = segurctl_flag(self, args, "json");
	rc = segur_solde_paid(l, args->argv[0], &rec, &cause);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	if ((rc = segurctl_recorded_read(l, args->argv[0], "balance_paid",
	    "decisions", &row, json ? &o : NULL, &cause)) != 0)
		return (segurctl_reread_error(self, env, rc, cause));
	if (json)
		return (segurctl_print_json(env, o));
	segurctl_record_print(env, SEGUR_RECORD_BALANCE_PAID, args->argv[0],
	    rec.date, rec.amount_cents, &row);
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
	.args = "[--json] --date DATE --amount EUROS [--force --reason TEXT] "
	    "[--note TEXT] NUMERO_ASP",
	.summary = "enregistrer le paiement du solde (clôt la demande)",
	.opts = record_balance_paid_opts,
	.flags = SEGURCTL_LEDGER | SEGURCTL_WRITES | SEGURCTL_JSON,
	.args_min = 1,
	.args_max = 1,
	.req_args = 1,
	.req_as = SEGURCTL_REQ_ASP,
	.check = record_balance_paid_check,
	.exec = record_balance_paid_exec
};
