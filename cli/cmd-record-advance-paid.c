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
	{ "date", 0, "DATE", "the date of the payment" },
	{ "amount", 0, "EUROS", "the amount paid" },
	{ "force", 0, NULL, "record an amount the rules did not expect" },
	{ "reason", 0, "TEXT", "why the amount is forced" },
	{ "letter", 0, "REF", "the reference of ASP's letter" },
	{ "note", 0, "TEXT", "a note kept in its history" },
	{ NULL, 0, NULL, NULL }
};

const struct segurctl_cmd cmd_record_advance_paid = {
	.name = "record advance-paid",
	.group = "record",
	.args = "[--json] --date DATE --amount EUROS [--force --reason TEXT] "
	    "[--letter REF] [--note TEXT] NUMERO_ASP",
	.summary = "record the payment of the advance",
	.opts = record_advance_paid_opts,
	.flags = SEGURCTL_LEDGER | SEGURCTL_WRITES | SEGURCTL_JSON,
	.args_min = 1,
	.args_max = 1,
	.req_args = 1,
	.req_as = SEGURCTL_REQ_ASP,
	.check = record_advance_paid_check,
	.exec = record_advance_paid_exec
};
