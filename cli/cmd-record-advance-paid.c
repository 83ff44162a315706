/*
 * cmd-record-advance-paid.c: segurctl record advance-paid (cli/ledger-common.c does it).
 */
#include <stdio.h>

#include "segur/ledger.h"

#include "segurctl.h"

static int
record_advance_paid_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    int argc, char **argv)
{
	return (segurctl_record_exec(SEGUR_RECORD_ADVANCE_PAID, self, env, argc,
	    argv));
}

const struct segurctl_cmd cmd_record_advance_paid = {
	"record advance-paid",
	"--date DATE --amount EUROS [--force --reason TEXT] [--letter REF] "
	"[--note TEXT] NUMERO_ASP",
	"record the payment of the advance", 0, record_advance_paid_exec
};
