/*
 * cmd-record-grant.c: segurctl record grant (cli/ledger-common.c does it).
 */
#include <stdio.h>

#include "segur/ledger.h"

#include "segurctl.h"

static int
record_grant_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    int argc, char **argv)
{
	return (segurctl_record_exec(SEGUR_RECORD_GRANT, self, env, argc,
	    argv));
}

const struct segurctl_cmd cmd_record_grant = {
	"record grant",
	"--date DATE [--amount EUROS] [--letter REF] [--note TEXT] NUMERO_ASP",
	"record ASP's grant decision", 0, record_grant_exec
};
