/*
 * cmd-record-advance-paid.c: segurctl record advance-paid
 * (cli/ledger-common.c does it).
 */
#include <stdio.h>

#include "segur/ledger.h"

#include "segurctl.h"

static int
record_advance_paid_exec(const struct segurctl_cmd *self,
    struct segurctl_env *env, struct segurctl_args *args)
{
	return (segurctl_record_exec(SEGUR_RECORD_ADVANCE_PAID, self, env,
	    args));
}

static int
record_advance_paid_check(const struct segurctl_cmd *self,
    struct segurctl_env *env, struct segurctl_args *args)
{
	return (segurctl_record_check(SEGUR_RECORD_ADVANCE_PAID, self, env, args));
}

static const struct segurctl_opt record_advance_paid_opts[] = {
	{ "date", 0, "DATE", "la date du paiement" },
	{ "amount", 0, "EUROS", "le montant payé" },
	{ "force", 0, NULL, "enregistrer un montant que les règles "
	    "n'attendaient pas" },
	{ "reason", 0, "TEXT", "pourquoi le montant est forcé" },
	{ "letter", 0, "REF", "la référence du courrier de l'ASP" },
	{ "note", 0, "TEXT", "une note gardée dans son historique" },
	{ NULL, 0, NULL, NULL }
};

const struct segurctl_cmd cmd_record_advance_paid = {
	.name = "record advance-paid",
	.group = "record",
	.args = "[--json] --date DATE --amount EUROS [--force --reason TEXT] "
	    "[--letter REF] [--note TEXT] NUMERO_ASP",
	.summary = "enregistrer le paiement de l'avance",
	.opts = record_advance_paid_opts,
	.flags = SEGURCTL_LEDGER | SEGURCTL_WRITES | SEGURCTL_JSON,
	.args_min = 1,
	.args_max = 1,
	.req_args = 1,
	.req_as = SEGURCTL_REQ_ASP,
	.check = record_advance_paid_check,
	.exec = record_advance_paid_exec
};
