/*
 * cmd-ref-show.c: segurctl ref show: every setting of the programme (with
 * the keys ref set takes, and whether the value is the built-in default)
 * and the size of each reference table (lib/ledger/solde.c,
 * lib/ledger/ledger-csv.c).
 */
#include <stdio.h>

#include <cjson/cJSON.h>

#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/solde.h"

#include "segurctl.h"

/* The report as JSON (caller deletes), or NULL on ENOMEM. */
static cJSON *
ref_json(const struct segur_setting *set, const struct segur_ref_counts *n)
{
	cJSON	*o, *s, *e, *t;
	size_t	 i;

	if ((o = cJSON_CreateObject()) == NULL ||
	    (s = cJSON_AddObjectToObject(o, "settings")) == NULL)
		goto oom;
	for (i = 0; i < SEGUR_SETTINGS_COUNT; i++)
		if ((e = cJSON_AddObjectToObject(s, set[i].key)) == NULL ||
		    cJSON_AddNumberToObject(e, "value",
		    (double)set[i].value) == NULL ||
		    cJSON_AddBoolToObject(e, "default", set[i].is_default) ==
		    NULL)
			goto oom;
	if ((t = cJSON_AddObjectToObject(o, "tables")) == NULL ||
	    cJSON_AddNumberToObject(t, "tranche", (double)n->tranche) ==
	    NULL ||
	    cJSON_AddNumberToObject(t, "eligible", (double)n->eligible) ==
	    NULL ||
	    cJSON_AddNumberToObject(t, "operator", (double)n->operator) ==
	    NULL)
		goto oom;
	return (o);
oom:
	cJSON_Delete(o);
	return (NULL);
}

/* The report as French text. */
static void
ref_print(FILE *f, const struct segur_setting *set,
    const struct segur_ref_counts *n)
{
	size_t	 i;

	fprintf(f, "Réglages (segurctl ref set CLÉ VALEUR) :\n");
	for (i = 0; i < SEGUR_SETTINGS_COUNT; i++)
		fprintf(f, "  %-24s %ld%s\n", set[i].key, set[i].value,
		    set[i].is_default ? "  (valeur par défaut, non réglée)" :
		    "");
	fprintf(f, "Tables de référence :\n");
	fprintf(f, "  %-24s %lld ligne(s)%s\n", "tranche",
	    (long long)n->tranche, n->tranche == 0 ?
	    "  (vide : segurctl ref import tranches)" : "");
	fprintf(f, "  %-24s %lld ligne(s)%s\n", "eligible",
	    (long long)n->eligible, n->eligible == 0 ?
	    "  (vide : segurctl ref import eligible)" : "");
	fprintf(f, "  %-24s %lld ligne(s)\n", "operator",
	    (long long)n->operator);
}

static int
ref_show_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_setting	 set[SEGUR_SETTINGS_COUNT];
	struct segur_ref_counts	 n;
	struct segur_ledger	*l = args->ledger;
	char			*cause = NULL;
	int			 rc, json;

	json = segurctl_flag(self, args, "json");
	if ((rc = segur_solde_settings(l, set, &cause)) == 0)
		rc = segur_ledger_ref_counts(l, &n, &cause);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	if (json)
		return (segurctl_print_json(env, ref_json(set, &n)));
	ref_print(env->out, set, &n);
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_ref_show = {
	.name = "ref show",
	.group = "ref",
	.args = "[--json]",
	.summary = "afficher les réglages du programme et la taille des tables "
	    "de référence",
	.flags = SEGURCTL_LEDGER | SEGURCTL_JSON,
	.args_min = 0,
	.args_max = 0,
	.exec = ref_show_exec
};
