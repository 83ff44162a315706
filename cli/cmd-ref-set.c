/*
 * cmd-ref-set.c: segurctl ref set: a setting of the programme
 * (solde-deadline-days), lib/ledger/solde.c.
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/solde.h"

#include "segurctl.h"

/* The setting key as the ledger holds it now, as ref show --json gives
 * each: {"setting": key, "value": N, "default": false}; caller deletes,
 * NULL on ENOMEM. */
static cJSON *
setting_json(const struct segur_setting *set)
{
	cJSON	*o;

	if ((o = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(o, "setting", set->key) == NULL ||
	    cJSON_AddNumberToObject(o, "value", (double)set->value) == NULL ||
	    cJSON_AddBoolToObject(o, "default", set->is_default) == NULL) {
		cJSON_Delete(o);
		return (NULL);
	}
	return (o);
}

static int
ref_set_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_setting	 set[SEGUR_SETTINGS_COUNT];
	struct segur_ledger	*l = args->ledger;
	char			*cause = NULL;
	size_t			 i;
	int			 rc;

	rc = segur_solde_setting_set(l, args->argv[0], args->argv[1],
	    &cause);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	/* Re-read: what the ledger holds is what is said. */
	if ((rc = segur_solde_settings(l, set, &cause)) != 0)
		return (segurctl_reread_error(self, env, rc, cause));
	for (i = 0; i < SEGUR_SETTINGS_COUNT; i++)
		if (strcmp(set[i].key, args->argv[0]) == 0)
			break;
	if (i == SEGUR_SETTINGS_COUNT)
		return (segurctl_reread_error(self, env, SEGUR_ECORRUPT, NULL));
	if (segurctl_flag(self, args, "json"))
		return (segurctl_print_json(env, setting_json(&set[i])));
	fprintf(env->out, "réglage %s enregistré : %ld\n", set[i].key,
	    set[i].value);
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_ref_set = {
	.name = "ref set",
	.group = "ref",
	.args = "[--json] solde-deadline-days DAYS",
	.summary = "fixer le délai de solde du programme (jours après "
	    "l'avance)",
	.flags = SEGURCTL_LEDGER | SEGURCTL_WRITES | SEGURCTL_JSON,
	.args_min = 2,
	.args_max = 2,
	.exec = ref_set_exec
};
