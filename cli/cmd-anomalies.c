/*
 * cmd-anomalies.c: segurctl anomalies: what ingest could not record
 * without a guess and nobody has settled yet (lib/ledger/anomaly.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "segur/anomaly.h"
#include "segur/ledger.h"

#include "segurctl.h"

/* What ASP returned on the line, on one line of text. */
static void
print_returned(FILE *f, const char *json)
{
	cJSON		*o;
	const cJSON	*it;
	int		 first = 1;

	if (json == NULL || (o = cJSON_Parse(json)) == NULL)
		return;
	fprintf(f, "    renvoyé par l'ASP :");
	cJSON_ArrayForEach(it, o) {
		if (cJSON_IsString(it))
			fprintf(f, "%s %s « %s »", first ? "" : ",",
			    it->string, it->valuestring);
		first = 0;
	}
	fputc('\n', f);
	cJSON_Delete(o);
}

/* One anomaly, a few lines a person reads. */
static void
print_anomaly(FILE *f, const struct segur_anomaly *x)
{
	fprintf(f, "%lld  %s  depuis %s  %s", (long long)x->id, x->kind,
	    x->at, x->file != NULL ? x->file : "(sans fichier)");
	if (x->line >= 0)
		fprintf(f, " ligne %ld", x->line + 1);
	if (x->ref != NULL)
		fprintf(f, "  demande %s", x->ref);
	if (x->numero_editeur != NULL)
		fprintf(f, "  numéro éditeur %s", x->numero_editeur);
	fputc('\n', f);
	print_returned(f, x->returned);
	fprintf(f, "    %s\n", x->detail);
	if (x->resolved_at != NULL)
		fprintf(f, "    résolue le %s par %s : %s\n", x->resolved_at,
		    x->resolved_by != NULL ? x->resolved_by : "?",
		    x->note != NULL ? x->note : "");
}

static int
anomalies_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 }
	};
	struct segur_anomaly *v = NULL;
	struct segur_ledger *l;
	cJSON		*root, *arr, *o;
	char		*cause = NULL;
	size_t		 n = 0, i;
	int		 c, rc, json = 0, flags = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'D')
			segurctl_db_option(env, optarg);
		else if (c == 'j')
			json = 1;
		else if (c == 'a')
			flags |= SEGUR_ANOMALY_ALL;
		else
			return (segurctl_usage_error(self, env,
			    "unknown option '%s'", argv[optind - 1]));
	}
	if (optind != argc)
		return (segurctl_usage_error(self, env,
		    "no argument expected"));
	if ((rc = segurctl_ledger_open(self, env, 0, &l)) != 0)
		return (rc);
	rc = segur_anomaly_list(l, flags, 0, &v, &n, &cause);
	segur_ledger_close(l);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	if (json) {
		if ((root = cJSON_CreateObject()) == NULL ||
		    (arr = cJSON_AddArrayToObject(root, "anomalies")) == NULL) {
			cJSON_Delete(root);
			root = NULL;
		}
		for (i = 0; root != NULL && i < n; i++) {
			if ((o = segur_anomaly_json(&v[i])) == NULL) {
				cJSON_Delete(root);
				root = NULL;
				break;
			}
			cJSON_AddItemToArray(arr, o);
		}
		segur_anomaly_free_array(v, n);
		return (segurctl_print_json(env, root));
	}
	if (n == 0)
		fprintf(env->out, "%s\n", flags & SEGUR_ANOMALY_ALL ?
		    "aucune anomalie" : "aucune anomalie ouverte");
	for (i = 0; i < n; i++)
		print_anomaly(env->out, &v[i]);
	segur_anomaly_free_array(v, n);
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_anomalies = {
	"anomalies", "[--json] [--all]",
	"the anomalies ingest recorded that nobody has resolved yet (--all: "
	"every one)", 0, anomalies_exec
};
