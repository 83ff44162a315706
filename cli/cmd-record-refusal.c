/*
 * cmd-record-refusal.c: segurctl record refusal (cli/ledger-common.c does it).
 */
#include <stdio.h>

#include "segur/ledger.h"

#include "segurctl.h"

static int
record_refusal_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    int argc, char **argv)
{
	return (segurctl_record_exec(SEGUR_RECORD_REFUSAL, self, env, argc,
	    argv));
}

const struct segurctl_cmd cmd_record_refusal = {
	"record refusal",
	"--date DATE [--letter REF] [--note TEXT] NUMERO_ASP",
	"record ASP's refusal", 0, record_refusal_exec
};
