/*
 * cmd-request-show.c: segurctl request show: everything about one request,
 * found by reference, numeroEditeur or numeroASP.
 */
#include <getopt.h>
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
		if (cJSON_IsString(it))
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
    int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const lists[] = { "esms", "documents",
	    "sentDocuments", "attempts", "deliveries", "balanceLines",
	    "decisions", "payments", "anomalies", "resolvedAnomalies" };
	struct segur_ledger *l;
	cJSON		*o, *it;
	char		*cause = NULL, *s;
	size_t		 i;
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
	if (optind != argc - 1)
		return (segurctl_usage_error(self, env, "expected one REF, "
		    "NUMERO_EDITEUR or NUMERO_ASP"));
	if ((rc = segurctl_ledger_open(self, env, 0, &l)) != 0)
		return (rc);
	rc = segur_ledger_request_show(l, argv[optind], &o, &cause);
	segur_ledger_close(l);
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
		fprintf(env->out, "content:\n%s\n", s);
	free(s);
	cJSON_Delete(o);
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_request_show = {
	"request show", "[--json] REF|NUMERO_EDITEUR|NUMERO_ASP",
	"show a request: content, numbers, documents, attempts, deliveries, "
	"balance lines, decisions, payments", 0,
	request_show_exec
};
