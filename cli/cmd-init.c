/*
 * cmd-init.c: segurctl init: create or migrate the ledger.
 */
#include <stdio.h>
#include <stdlib.h>

#include "segur/ledger.h"

#include "segurctl.h"

static int
init_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_ledger *l = args->ledger;

	/* The dispatch checked that it is not a second ledger beside the
	 * one segurd uses (SEGURCTL_CREATE), then created or migrated it. */
	(void)self;
	fprintf(env->out, "%s: ledger at schema version %d\n", env->db_path,
	    segur_ledger_version(l));
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_init = {
	.name = "init",
	.group = "ledger",
	.args = "[--db PATH]",
	.summary = "créer le registre, ou le migrer au schéma de cette version",
	.flags = SEGURCTL_LEDGER | SEGURCTL_CREATE | SEGURCTL_WRITES,
	.args_max = 0,
	.exec = init_exec
};
