/*
 * cmd-record-grant.c: segurctl record grant (cli/ledger-common.c does it).
 */
#include <stdio.h>

#include "segur/ledger.h"

#include "segurctl.h"

static int
record_grant_exec(const struct segurctl_cmd *self,
    struct segurctl_env *env, struct segurctl_args *args)
{
	return (segurctl_record_exec(SEGUR_RECORD_GRANT, self, env, args));
}

static int
record_grant_check(const struct segurctl_cmd *self,
    struct segurctl_env *env, struct segurctl_args *args)
{
	return (segurctl_record_check(SEGUR_RECORD_GRANT, self, env, args));
}

static const struct segurctl_opt record_grant_opts[] = {
	{ "date", 0, "DATE", "la date du courrier de décision de l'ASP" },
	{ "amount", 0, "EUROS", "le montant accordé (par défaut : le montant "
	    "demandé)" },
	{ "letter", 0, "REF", "la référence du courrier de l'ASP" },
	{ "note", 0, "TEXT", "une note gardée dans son historique" },
	{ NULL, 0, NULL, NULL }
};

const struct segurctl_cmd cmd_record_grant = {
	.name = "record grant",
	.group = "record",
	.args = "[--json] --date DATE [--amount EUROS] [--letter REF] "
	    "[--note TEXT] NUMERO_ASP",
	.summary = "enregistrer la décision d'accord de l'ASP",
	.opts = record_grant_opts,
	.flags = SEGURCTL_LEDGER | SEGURCTL_WRITES | SEGURCTL_JSON,
	.args_min = 1,
	.args_max = 1,
	.req_args = 1,
	.req_as = SEGURCTL_REQ_ASP,
	.check = record_grant_check,
	.exec = record_grant_exec
};
