/*
 * cmd-record-refusal.c: segurctl record refusal (cli/ledger-common.c does it).
 */
#include <stdio.h>

#include "segur/ledger.h"

#include "segurctl.h"

static int
record_refusal_exec(const struct segurctl_cmd *self,
    struct segurctl_env *env, struct segurctl_args *args)
{
	return (segurctl_record_exec(SEGUR_RECORD_REFUSAL, self, env, args));
}

static int
record_refusal_check(const struct segurctl_cmd *self,
    struct segurctl_env *env, struct segurctl_args *args)
{
	return (segurctl_record_check(SEGUR_RECORD_REFUSAL, self, env, args));
}

static const struct segurctl_opt record_refusal_opts[] = {
	{ "date", 0, "DATE", "la date du courrier de décision de l'ASP" },
	{ "letter", 0, "REF", "la référence du courrier de l'ASP" },
	{ "note", 0, "TEXT", "une note gardée dans son historique" },
	{ NULL, 0, NULL, NULL }
};

const struct segurctl_cmd cmd_record_refusal = {
	.name = "record refusal",
	.group = "record",
	.args = "[--json] --date DATE [--letter REF] [--note TEXT] "
	    "NUMERO_ASP",
	.summary = "enregistrer le refus de l'ASP",
	.opts = record_refusal_opts,
	.flags = SEGURCTL_LEDGER | SEGURCTL_WRITES | SEGURCTL_JSON,
	.args_min = 1,
	.args_max = 1,
	.req_args = 1,
	.req_as = SEGURCTL_REQ_ASP,
	.check = record_refusal_check,
	.exec = record_refusal_exec
};
