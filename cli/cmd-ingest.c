/*
 * cmd-ingest.c: segurctl ingest FILE...: record the files ASP returned
 * (lib/files/ingest.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "segur/adopt.h"
#include "segur/error.h"
#include "segur/ingest.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "segurctl.h"

static const char *
answer_name(enum segur_answer a)
{
	switch (a) {
	case SEGUR_ANSWER_ACCEPTED:
		return ("accepted");
	case SEGUR_ANSWER_REJECTED:
		return ("rejected");
	default:
		return ("anomaly");
	}
}

static const char *
status_name(enum segur_ingest_status s)
{
	switch (s) {
	case SEGUR_INGEST_RECORDED:
		return ("recorded");
	case SEGUR_INGEST_DUPLICATE:
		return ("duplicate");
	default:
		return ("quarantined");
	}
}

static cJSON *
result_json(const char *path, const struct segur_ingest_result *r)
{
	cJSON	*o, *a, *e;
	size_t	 i;

	if ((o = cJSON_CreateObject()) == NULL)
		return (NULL);
	cJSON_AddStringToObject(o, "file", path);
	cJSON_AddStringToObject(o, "status", status_name(r->status));
	cJSON_AddStringToObject(o, "sha256", r->sha256);
	if (r->answers != NULL)
		cJSON_AddStringToObject(o, "answers", r->answers);
	else
		cJSON_AddNullToObject(o, "answers");
	if (r->reason != NULL)
		cJSON_AddStringToObject(o, "reason", r->reason);
	if (r->quarantined_at != NULL)
		cJSON_AddStringToObject(o, "alreadyQuarantined",
		    r->quarantined_at);
	cJSON_AddNumberToObject(o, "accepted", (double)r->naccepted);
	cJSON_AddNumberToObject(o, "rejected", (double)r->nrejected);
	/* Every anomaly recorded, the file's own with line null: the ids
	 * are those of segurctl anomalies resolve. */
	a = cJSON_AddArrayToObject(o, "anomalies");
	for (i = 0; a != NULL && i < r->nrecorded; i++) {
		const struct segur_ingest_anomaly *x = &r->recorded[i];

		if ((e = cJSON_CreateObject()) == NULL)
			break;
		cJSON_AddNumberToObject(e, "id", (double)x->id);
		cJSON_AddStringToObject(e, "kind", x->kind);
		if (x->index >= 0)
			cJSON_AddNumberToObject(e, "line", (double)x->index);
		else
			cJSON_AddNullToObject(e, "line");
		if (x->ref != NULL)
			cJSON_AddStringToObject(e, "ref", x->ref);
		else
			cJSON_AddNullToObject(e, "ref");
		if (x->numeroEditeur != NULL)
			cJSON_AddStringToObject(e, "numeroEditeur",
			    x->numeroEditeur);
		else
			cJSON_AddNullToObject(e, "numeroEditeur");
		cJSON_AddStringToObject(e, "detail", x->detail);
		cJSON_AddItemToArray(a, e);
	}
	a = cJSON_AddArrayToObject(o, "lines");
	for (i = 0; a != NULL && i < r->nlines; i++) {
		if ((e = cJSON_CreateObject()) == NULL)
			break;
		cJSON_AddNumberToObject(e, "line", (double)r->lines[i].index);
		if (r->lines[i].numLigne > 0)
			cJSON_AddNumberToObject(e, "numLigne",
			    (double)r->lines[i].numLigne);
		if (r->lines[i].numeroEditeur != NULL)
			cJSON_AddStringToObject(e, "numeroEditeur",
			    r->lines[i].numeroEditeur);
		if (r->lines[i].ref != NULL)
			cJSON_AddStringToObject(e, "ref", r->lines[i].ref);
		cJSON_AddStringToObject(e, "answer",
		    answer_name(r->lines[i].answer));
		if (r->lines[i].numeroASP != NULL)
			cJSON_AddStringToObject(e, "numeroASP",
			    r->lines[i].numeroASP);
		if (r->lines[i].label != NULL)
			cJSON_AddStringToObject(e, "libelleTraitement",
			    r->lines[i].label);
		if (r->lines[i].detail != NULL)
			cJSON_AddStringToObject(e, "detail",
			    r->lines[i].detail);
		cJSON_AddItemToArray(a, e);
	}
	return (o);
}

static void
result_print(FILE *f, const char *path, const struct segur_ingest_result *r)
{
	size_t	 i;

	if (r->status == SEGUR_INGEST_DUPLICATE) {
		fprintf(f, "%s : rien de nouveau, %s\n", path, r->reason);
		return;
	}
	if (r->status == SEGUR_INGEST_QUARANTINED &&
	    r->quarantined_at != NULL) {
		fprintf(f, "%s : %s\n", path, r->reason);
		return;
	}
	if (r->status == SEGUR_INGEST_QUARANTINED) {
		fprintf(f, "%s : mis en quarantaine : %s\n", path, r->reason);
		return;
	}
	fprintf(f, "%s : réponse à %s : %zu acceptée(s), %zu rejetée(s), "
	    "%zu anomalie(s)\n", path, r->answers != NULL ? r->answers : "?",
	    r->naccepted, r->nrejected, r->nanomalies);
	for (i = 0; i < r->nlines; i++) {
		const struct segur_ingest_line *l = &r->lines[i];

		if (l->answer == SEGUR_ANSWER_ACCEPTED && l->detail == NULL)
			fprintf(f, "  ligne %ld %s (%s) : acceptée, numéro "
			    "ASP %s\n", l->index + 1, l->numeroEditeur,
			    l->ref, l->numeroASP);
		else if (l->answer == SEGUR_ANSWER_REJECTED &&
		    l->detail == NULL)
			fprintf(f, "  ligne %ld %s (%s) : rejetée : %s\n",
			    l->index + 1, l->numeroEditeur, l->ref,
			    l->label != NULL ? l->label : "(sans libellé)");
		else
			fprintf(f, "  ligne %ld %s%s%s%s : %s\n", l->index + 1,
			    l->numeroEditeur != NULL ? l->numeroEditeur : "?",
			    l->ref != NULL ? " (" : "", l->ref != NULL ?
			    l->ref : "", l->ref != NULL ? ")" : "",
			    l->detail);
	}
	for (i = 0; i < r->nfile_anomalies; i++)
		fprintf(f, "  anomalie : %s\n", r->anomalies[i]);
}

/* ingest --submitted: records files uploaded before the ledger. */
static int
adopt_all(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segur_ledger *l, const struct segur_adopt_opts *ao, int n,
    char **files, cJSON *all)
{
	struct segur_adopt_result r;
	cJSON	*o, *a;
	char	*cause;
	size_t	 k;
	int	 i, rc, status = SEGURCTL_EXIT_OK;

	for (i = 0; i < n; i++) {
		cause = NULL;
		if ((rc = segur_adopt_file(l, files[i], ao, &r,
		    &cause)) != 0) {
			int s = segurctl_ledger_error(self, env, rc, cause);

			if (s > status)
				status = s;
			segur_adopt_result_release(&r);
			continue;
		}
		if (all != NULL && (o = cJSON_CreateObject()) != NULL) {
			cJSON_AddStringToObject(o, "file", files[i]);
			cJSON_AddStringToObject(o, "status", "adopted");
			cJSON_AddStringToObject(o, "numeroAns", r.numero_ans);
			a = cJSON_AddArrayToObject(o, "refs");
			for (k = 0; a != NULL && k < r.nrefs; k++)
				cJSON_AddItemToArray(a,
				    cJSON_CreateString(r.refs[k]));
			cJSON_AddNumberToObject(o, "documentsMissing",
			    (double)r.nmissing);
			cJSON_AddNumberToObject(o, "validationErrors",
			    (double)r.nerrors);
			cJSON_AddItemToArray(all, o);
		} else if (all == NULL) {
			fprintf(env->out, "%s : enregistré tel que déposé : "
			    "%zu demande(s) en attente de la réponse de l'ASP",
			    files[i], r.nrefs);
			for (k = 0; k < r.nrefs; k++)
				fprintf(env->out, "%s%s", k == 0 ? " (" : ", ",
				    r.refs[k]);
			fprintf(env->out, "%s\n", r.nrefs > 0 ? ")" : "");
			if (r.nmissing > 0)
				fprintf(env->out, "  %zu bon(s) de commande "
				    "introuvable(s) : --documents DIR\n",
				    r.nmissing);
			if (r.nerrors > 0)
				fprintf(env->out, "  %zu erreur(s) du "
				    "validateur dans ce fichier (segurctl "
				    "validate) : l'ASP a pu rejeter des "
				    "lignes\n", r.nerrors);
		}
		segur_adopt_result_release(&r);
	}
	return (status);
}

static int
ingest_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_adopt_opts	 ao;
	struct segur_ingest_opts o;
	struct segur_ingest_result r;
	struct segur_ledger	*l = args->ledger;
	char			**argv = args->argv;
	cJSON			*root = NULL, *all = NULL;
	char			*cause, *arch = NULL, *quar = NULL;
	int			 argc = args->argc, i, rc, json = 0;
	int			 status = SEGURCTL_EXIT_OK;
	int			 submitted = 0;

	memset(&o, 0, sizeof(o));
	memset(&ao, 0, sizeof(ao));
	o.archive_dir = segurctl_arg(self, args, "archive");
	o.quarantine_dir = segurctl_arg(self, args, "quarantine");
	json = segurctl_flag(self, args, "json");
	submitted = segurctl_flag(self, args, "submitted");
	ao.documents_dir = segurctl_arg(self, args, "documents");
	if (ao.documents_dir != NULL && !submitted)
		return (segurctl_usage_error(self, env,
		    "--documents va avec --submitted"));
	if (o.archive_dir == NULL)
		o.archive_dir = arch = segurctl_beside_ledger(env->db_path,
		    "archive");
	if (o.quarantine_dir == NULL)
		o.quarantine_dir = quar = segurctl_beside_ledger(env->db_path,
		    "quarantine");
	/* Test hook of tests/e2e/t4003-ingest-crash.sh. */
	o.crash_point = segurctl_crash_point;
	segurctl_archive_sweep(env, o.archive_dir);
	/* One envelope, as validate --json: {"files": [...]}. */
	if (json && ((root = cJSON_CreateObject()) == NULL ||
	    (all = cJSON_AddArrayToObject(root, "files")) == NULL)) {
		cJSON_Delete(root);
		rc = segurctl_print_json(env, NULL);
		goto done;
	}
	if (submitted) {
		ao.archive_dir = o.archive_dir;
		status = adopt_all(self, env, l, &ao, argc, argv, all);
		if (json)
			segurctl_print_json(env, root);
		rc = status;
		goto done;
	}
	for (i = 0; i < argc; i++) {
		cause = NULL;
		rc = segur_ingest_file(l, argv[i], &o, &r, &cause);
		if (rc != 0) {
			fprintf(env->err, "segurctl ingest: %s: %s\n", argv[i],
			    cause != NULL ? cause : segur_strerror(rc));
			status = SEGURCTL_EXIT_USAGE;
		} else {
			if (r.status == SEGUR_INGEST_QUARANTINED)
				status = SEGURCTL_EXIT_USAGE;
			else if (r.nanomalies > 0 && status ==
			    SEGURCTL_EXIT_OK)
				status = SEGURCTL_EXIT_FINDINGS;
			if (json)
				cJSON_AddItemToArray(all, result_json(argv[i],
				    &r));
			else
				result_print(env->out, argv[i], &r);
		}
		free(cause);
		segur_ingest_result_release(&r);
	}
	if (json)
		segurctl_print_json(env, root);
	rc = status;
done:
	free(arch);
	free(quar);
	return (rc);
}

static const struct segurctl_opt ingest_opts[] = {
	{ "archive", 0, "DIR", "l'archive (par défaut : archive/ à côté du "
	    "registre)" },
	{ "quarantine", 0, "DIR", "où vont les fichiers refusés (par défaut : "
	    "quarantine/ à côté du registre)" },
	{ "submitted", 0, NULL, "les fichiers ont été déposés à la main (les "
	    "adopter comme envoyés)" },
	{ "documents", 0, "DIR", "avec --submitted : où sont leurs pièces "
	    "justificatives" },
	{ NULL, 0, NULL, NULL }
};

const struct segurctl_cmd cmd_ingest = {
	.name = "ingest",
	.group = "file",
	.args = "[--archive DIR] [--quarantine DIR] [--json] "
	    "[--submitted [--documents DIR]] FILE...",
	.summary = "enregistrer les fichiers rendus par l'ASP : demandes "
	    "acceptées, rejetées, anomalies",
	.opts = ingest_opts,
	.flags = SEGURCTL_LEDGER | SEGURCTL_WRITES | SEGURCTL_JSON,
	.args_min = 1,
	.args_max = -1,
	.exec = ingest_exec
};
