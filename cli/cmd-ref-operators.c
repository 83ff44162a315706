/*
 * cmd-ref-operators.c: segurctl ref operators: the messaging operators.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "segur/ledger.h"

#include "segurctl.h"

static int
ref_operators_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct segur_ledger *l;
	struct segur_operator *a;
	size_t		 n, i;
	char		*cause = NULL;
	cJSON		*arr, *o;
	int		 c, rc, json = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'D')
			segurctl_db_option(env, optarg);
		else if (c == 'j')
			json = 1;
		else
			return (segurctl_usage_error(self, env,
			    "unknown option '%s'", argv[optind - 1]));
	}
	if (optind != argc)
		return (segurctl_usage_error(self, env, "no argument expected"));
	if ((rc = segurctl_ledger_open(self, env, 0, &l)) != 0)
		return (rc);
	rc = segur_ledger_operators(l, &a, &n, &cause);
	segur_ledger_close(l);
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
	"ref operators", "[--json]", "list the messaging operators", 0,
	ref_operators_exec
};
