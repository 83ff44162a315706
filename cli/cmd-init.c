/*
 * cmd-init.c: segurctl init: create or migrate the ledger.
 */
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "segur/ledger.h"

#include "segurctl.h"

static int
init_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_ledger *l = args->ledger;	/* borrowed */
	cJSON		*o;

	/* The dispatch checked that it is not a second ledger beside the
	 * one segurd uses (SEGURCTL_CREATE), then created or migrated it. */
	if (segurctl_flag(self, args, "json")) {
		if ((o = cJSON_CreateObject()) != NULL &&
		    (cJSON_AddStringToObject(o, "path", env->db_path) == NULL ||
		    cJSON_AddNumberToObject(o, "schemaVersion",
		    segur_ledger_version(l)) == NULL)) {
			cJSON_Delete(o);
			o = NULL;
		}
		return (segurctl_print_json(env, o));
	}
	fprintf(env->out, "%s: registre en version de schéma %d\n",
	    env->db_path, segur_ledger_version(l));
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_init = {
	.name = "init",
	.group = "ledger",
	.args = "[--json] [--db PATH]",
	.summary = "créer le registre, ou le migrer au schéma de cette version",
	.flags = SEGURCTL_LEDGER | SEGURCTL_CREATE | SEGURCTL_WRITES |
	    SEGURCTL_JSON,
	.args_max = 0,
	.exec = init_exec
};
