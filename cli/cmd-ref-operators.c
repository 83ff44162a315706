/*
 * cmd-ref-operators.c: segurctl ref operators: the messaging operators.
 */
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "segur/ledger.h"

#include "segurctl.h"

static int
ref_operators_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_ledger *l = args->ledger;
	struct segur_operator *a;
	size_t		 n, i;
	char		*cause = NULL;
	cJSON		*arr, *o;
	int		 rc, json = 0;

	json = segurctl_flag(self, args, "json");
	rc = segur_ledger_operators(l, &a, &n, &cause);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	if (json) {
		arr = cJSON_CreateArray();
		for (i = 0; arr != NULL && i < n; i++) {
			if ((o = cJSON_CreateObject()) == NULL ||
			    !cJSON_AddItemToArray(arr, o) ||
			    cJSON_AddStringToObject(o, "code", a[i].code) ==
			    NULL || cJSON_AddStringToObject(o, "libelle",
			    a[i].label) == NULL) {
				cJSON_Delete(arr);
				arr = NULL;
			}
		}
		segur_operator_free_array(a, n);
		return (segurctl_print_json(env, arr));
	}
	for (i = 0; i < n; i++)
		fprintf(env->out, "%-8s %s\n", a[i].code, a[i].label);
	segur_operator_free_array(a, n);
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_ref_operators = {
	.name = "ref operators",
	.group = "ref",
	.args = "[--json]",
	.summary = "lister les opérateurs de messagerie",
	.flags = SEGURCTL_LEDGER | SEGURCTL_JSON,
	.args_min = 0,
	.args_max = 0,
	.exec = ref_operators_exec
};
