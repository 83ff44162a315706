/*
 * cmd-anomalies.c: segurctl anomalies: what ingest could not record
 * without a guess and nobody has settled yet (lib/ledger/anomaly.c).
 */
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
    struct segurctl_args *args)
{
	struct segur_anomaly *v = NULL;
	struct segur_ledger *l = args->ledger;
	cJSON		*root, *arr, *o;
	char		*cause = NULL;
	size_t		 n = 0, i;
	int		 rc, json = 0, flags = 0;

	json = segurctl_flag(self, args, "json");
	if (segurctl_flag(self, args, "all"))
		flags |= SEGUR_ANOMALY_ALL;
	rc = segur_anomaly_list(l, flags, 0, &v, &n, &cause);
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

static const struct segurctl_opt anomalies_opts[] = {
	{ "all", 0, NULL, "aussi celles déjà résolues" },
	{ NULL, 0, NULL, NULL }
};

const struct segurctl_cmd cmd_anomalies = {
	.name = "anomalies",
	.group = "anomalies",
	.args = "[--json] [--all]",
	.summary = "lister les anomalies relevées à la réception et pas encore "
	    "résolues (--all : toutes)",
	.opts = anomalies_opts,
	.flags = SEGURCTL_LEDGER | SEGURCTL_JSON,
	.args_min = 0,
	.args_max = 0,
	.exec = anomalies_exec
};
