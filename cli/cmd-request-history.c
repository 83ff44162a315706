/*
 * cmd-request-history.c: segurctl request history REF: its events.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "segur/date.h"
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

/* The state code of an event's before or after, in French; NULL if none. */
static const char *
state_of(const cJSON *o)
{
	int	 s;

	s = segur_state_parse(cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(o, "state")));
	return (s < 0 ? NULL : segur_state_label((enum segur_state)s));
}

/* Prints the strings of array a (a list of JSON paths, of documents). */
static void
print_list(FILE *f, const cJSON *a, const char *key)
{
	const cJSON	*it;
	const char	*sep = "";

	cJSON_ArrayForEach(it, a) {
		fprintf(f, "%s%s", sep, key != NULL ? cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(it, key)) :
		    cJSON_GetStringValue(it));
		sep = ", ";
	}
}

/*
 * What an event did, for people: a change of state by its French labels
 * (and its detail), an edit by the JSON paths it changed, a registration
 * in a word; any other event by its JSON, before → after.
 */
static void
event_print(FILE *f, const struct segur_event *ev)
{
	cJSON		*before, *after;
	const cJSON	*x;
	const char	*from, *to;

	before = ev->before != NULL ? cJSON_Parse(ev->before) : NULL;
	after = ev->after != NULL ? cJSON_Parse(ev->after) : NULL;
	from = state_of(before);
	to = state_of(after);
	if (strcmp(ev->action, "request.add") == 0 && to != NULL)
		fprintf(f, "enregistrée : %s", to);
	else if (strcmp(ev->action, "request.edit") == 0 && after != NULL) {
		x = cJSON_GetObjectItemCaseSensitive(after, "changes");
		if (cJSON_GetArraySize(x) > 0) {
			fputs("modifiée : ", f);
			print_list(f, x, NULL);
		}
		x = cJSON_GetObjectItemCaseSensitive(after, "documents");
		if (cJSON_GetArraySize(x) > 0) {
			fprintf(f, "%spièce(s) remplacée(s) : ",
			    cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
			    after, "changes")) > 0 ? " ; " : "");
			print_list(f, x, "type");
		}
	} else if (from != NULL && to != NULL) {
		fprintf(f, "%s → %s", from, to);
		if ((x = cJSON_GetObjectItemCaseSensitive(after, "detail")) !=
		    NULL && !cJSON_IsNull(x)) {
			char *d = cJSON_PrintUnformatted(x);

			fprintf(f, " %s", d != NULL ? d : "");
			free(d);
		}
	} else
		fprintf(f, "%s → %s", ev->before != NULL ? ev->before : "-",
		    ev->after != NULL ? ev->after : "-");
	fputc('\n', f);
	cJSON_Delete(before);
	cJSON_Delete(after);
}

static int
request_history_exec(const struct segurctl_cmd *self,
    struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_ledger *l = args->ledger;
	struct segur_event *ev;
	size_t		 n, i;
	char		*cause = NULL, when[SEGUR_DATE_FR_BUFSZ];
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
	for (i = 0; i < n; i++) {
		fprintf(env->out, "%-8lld %s %-12s %-18s ",
		    (long long)ev[i].id, segur_date_fr(ev[i].at, when) !=
		    NULL ? when : ev[i].at, ev[i].actor, ev[i].action);
		event_print(env->out, &ev[i]);
	}
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
