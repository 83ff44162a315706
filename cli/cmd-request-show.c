/*
 * cmd-request-show.c: segurctl request show: everything about one request,
 * found by reference, numeroEditeur or numeroASP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "segur/ledger.h"

#include "segurctl.h"

/* Prints key: value for the scalar members of o. */
static void
print_scalars(FILE *f, const cJSON *o, const char *indent)
{
	const cJSON	*it, *id;

	cJSON_ArrayForEach(it, o) {
		/* An attempt's open anomalies: their ids, on one line. */
		if (cJSON_IsArray(it) && strcmp(it->string, "anomalies") == 0 &&
		    cJSON_IsNumber(it->child)) {
			fprintf(f, "%s%-18s", indent, it->string);
			cJSON_ArrayForEach(id, it)
				fprintf(f, "%s%.0f", id == it->child ? " " :
				    ", ", id->valuedouble);
			fprintf(f, " (segurctl anomalies)\n");
		}
		/* The request's state in French; an attempt's is its own. */
		if (cJSON_IsString(it) && indent[0] == '\0' &&
		    strcmp(it->string, "state") == 0 &&
		    segur_state_parse(it->valuestring) >= 0)
			fprintf(f, "%-18s %s\n", it->string,
			    segur_state_label((enum segur_state)
			    segur_state_parse(it->valuestring)));
		else if (cJSON_IsString(it))
			fprintf(f, "%s%-18s %s\n", indent, it->string,
			    it->valuestring);
		else if (cJSON_IsNumber(it))
			fprintf(f, "%s%-18s %.0f\n", indent, it->string,
			    it->valuedouble);
		else if (cJSON_IsNull(it))
			fprintf(f, "%s%-18s -\n", indent, it->string);
	}
}

static int
request_show_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	static const char *const lists[] = { "esms", "documents",
	    "sentDocuments", "attempts", "deliveries", "balanceLines",
	    "decisions", "payments", "anomalies", "resolvedAnomalies" };
	struct segur_ledger *l = args->ledger;
	cJSON		*o, *it;
	char		*cause = NULL, *s;
	size_t		 i;
	int		 rc, json = 0;

	json = segurctl_flag(self, args, "json");
	rc = segur_ledger_request_show(l, args->argv[0], &o, &cause);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	if (json)
		return (segurctl_print_json(env, o));
	print_scalars(env->out, o, "");
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		fprintf(env->out, "%s:%s\n", lists[i],
		    cJSON_GetArraySize(cJSON_GetObjectItem(o, lists[i])) ?
		    "" : " -");
		cJSON_ArrayForEach(it, cJSON_GetObjectItem(o, lists[i])) {
			fprintf(env->out, "  -\n");
			print_scalars(env->out, it, "    ");
		}
	}
	if ((s = cJSON_Print(cJSON_GetObjectItem(o, "content"))) != NULL)
		fprintf(env->out, "contenu :\n%s\n", s);
	free(s);
	cJSON_Delete(o);
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_request_show = {
	.name = "request show",
	.group = "request",
	.args = "[--json] REF|NUMERO_EDITEUR|NUMERO_ASP",
	.summary = "afficher une demande : contenu, numéros, pièces, "
	    "tentatives, livraisons, lignes de solde, décisions, paiements",
	.flags = SEGURCTL_LEDGER | SEGURCTL_JSON,
	.args_min = 1,
	.args_max = 1,
	.req_args = 1,
	.req_as = SEGURCTL_REQ_REF,
	.exec = request_show_exec
};
