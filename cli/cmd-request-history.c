/*
 * cmd-request-history.c: segurctl request history REF: its events.
 */
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "segur/ledger.h"

#include "segurctl.h"

/* Adds a JSON text as a parsed member (or null). */
static int
add_raw(cJSON *o, const char *key, const char *json)
{
	cJSON	*v;

	v = json != NULL ? cJSON_Parse(json) : cJSON_CreateNull();
	if (v == NULL)
		return (-1);
	cJSON_AddItemToObject(o, key, v);
	return (0);
}

static int
request_history_exec(const struct segurctl_cmd *self,
    struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_ledger *l = args->ledger;
	struct segur_event *ev;
	size_t		 n, i;
	char		*cause = NULL;
	cJSON		*arr, *o;
	int		 rc, json = 0;

	json = segurctl_flag(self, args, "json");
	rc = segur_ledger_request_history(l, args->argv[0], &ev, &n, &cause);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	if (json) {
		arr = cJSON_CreateArray();
		for (i = 0; arr != NULL && i < n; i++) {
			if ((o = cJSON_CreateObject()) == NULL ||
			    !cJSON_AddItemToArray(arr, o) ||
			    cJSON_AddNumberToObject(o, "id",
			    (double)ev[i].id) == NULL ||
			    cJSON_AddStringToObject(o, "at", ev[i].at) ==
			    NULL ||
			    cJSON_AddStringToObject(o, "actor", ev[i].actor) ==
			    NULL ||
			    cJSON_AddStringToObject(o, "action",
			    ev[i].action) == NULL ||
			    add_raw(o, "before", ev[i].before) != 0 ||
			    add_raw(o, "after", ev[i].after) != 0 ||
			    cJSON_AddStringToObject(o, "hash", ev[i].hash) ==
			    NULL) {
				cJSON_Delete(arr);
				arr = NULL;
			}
		}
		segur_event_free_array(ev, n);
		return (segurctl_print_json(env, arr));
	}
	for (i = 0; i < n; i++)
		fprintf(env->out, "%-8lld %s %-12s %-18s %s -> %s\n",
		    (long long)ev[i].id, ev[i].at, ev[i].actor, ev[i].action,
		    ev[i].before != NULL ? ev[i].before : "-",
		    ev[i].after != NULL ? ev[i].after : "-");
	segur_event_free_array(ev, n);
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_request_history = {
	.name = "request history",
	.group = "request",
	.args = "[--json] REF",
	.summary = "afficher les événements d'une demande, dans l'ordre",
	.flags = SEGURCTL_LEDGER | SEGURCTL_JSON,
	.args_min = 1,
	.args_max = 1,
	.req_args = 1,
	.req_as = SEGURCTL_REQ_REF,
	.exec = request_history_exec
};
