/*
 * cmd-request-import.c: segurctl request import FILE.csv: many drafts from
 * a spreadsheet export, all or nothing; --dry-run checks without writing,
 * --update replaces drafts already registered, --template writes the
 * header line to fill.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "segurctl.h"

/* CSV findings as [{"row", "column", "message"}]; row 0: the file. */
static cJSON *
findings_json(const struct segur_csv_errors *e)
{
	cJSON	*a, *o;
	size_t	 i;

	if ((a = cJSON_CreateArray()) == NULL)
		return (NULL);
	for (i = 0; i < e->n; i++) {
		if ((o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(a, o) ||
		    cJSON_AddNumberToObject(o, "row", (double)e->v[i].row) ==
		    NULL ||
		    (e->v[i].column != NULL ? cJSON_AddStringToObject(o,
		    "column", e->v[i].column) : cJSON_AddNullToObject(o,
		    "column")) == NULL ||
		    cJSON_AddStringToObject(o, "message", e->v[i].message) ==
		    NULL) {
			cJSON_Delete(a);
			return (NULL);
		}
	}
	return (a);
}

/*
 * --json: the counts of the text line, each order with what was (or, in a
 * dry run, would be) done with it, and the findings; printed also when the
 * file is refused (written false, requests empty).
 */
static int
import_json(struct segurctl_env *env, const char *file,
    const struct segur_import *im, int written)
{
	static const char *const outcome[] = { "added", "updated",
	    "unchanged" };
	char	 delim[2] = { im->delim, '\0' };
	cJSON	*o, *a, *e;
	size_t	 i;

	if ((o = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(o, "file", file) == NULL ||
	    (im->encoding != NULL ? cJSON_AddStringToObject(o, "encoding",
	    im->encoding) : cJSON_AddNullToObject(o, "encoding")) == NULL ||
	    (im->delim != '\0' ? cJSON_AddStringToObject(o, "delimiter",
	    delim) : cJSON_AddNullToObject(o, "delimiter")) == NULL ||
	    cJSON_AddBoolToObject(o, "dryRun",
	    (im->flags & SEGUR_IMPORT_DRY_RUN) != 0) == NULL ||
	    cJSON_AddBoolToObject(o, "update",
	    (im->flags & SEGUR_IMPORT_UPDATE) != 0) == NULL ||
	    cJSON_AddBoolToObject(o, "written", written) == NULL ||
	    cJSON_AddNumberToObject(o, "rows", (double)im->rows) == NULL ||
	    cJSON_AddNumberToObject(o, "added", (double)im->added) == NULL ||
	    cJSON_AddNumberToObject(o, "updated", (double)im->updated) ==
	    NULL ||
	    cJSON_AddNumberToObject(o, "unchanged", (double)im->unchanged) ==
	    NULL ||
	    (a = cJSON_AddArrayToObject(o, "requests")) == NULL)
		goto oom;
	for (i = 0; i < im->nrefs; i++) {
		if ((e = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(a, e) ||
		    cJSON_AddStringToObject(e, "ref", im->refs[i].ref) ==
		    NULL ||
		    cJSON_AddStringToObject(e, "outcome",
		    outcome[im->refs[i].outcome]) == NULL)
			goto oom;
	}
	if ((a = findings_json(&im->errors)) == NULL ||
	    !cJSON_AddItemToObject(o, "errors", a))
		goto oom_a;
	if ((a = findings_json(&im->warnings)) == NULL ||
	    !cJSON_AddItemToObject(o, "warnings", a))
		goto oom_a;
	return (segurctl_print_json(env, o));
oom_a:
	cJSON_Delete(a);
oom:
	cJSON_Delete(o);
	return (segurctl_print_json(env, NULL));
}

/* The text line: what was registered, or would be. */
static void
import_text(struct segurctl_env *env, const char *file,
    const struct segur_import *im)
{
	if (im->flags & SEGUR_IMPORT_DRY_RUN)
		fprintf(env->out, "%s : essai à blanc (%s, « %c », %zu "
		    "ligne(s)) : %zu demande(s) seraient enregistrée(s) comme "
		    "brouillons, %zu mise(s) à jour, %zu inchangée(s) ; rien "
		    "n'est écrit\n", file, im->encoding, im->delim, im->rows,
		    im->added, im->updated, im->unchanged);
	else if (im->flags & SEGUR_IMPORT_UPDATE)
		fprintf(env->out, "%s : %zu demande(s) enregistrée(s) comme "
		    "brouillons, %zu mise(s) à jour, %zu inchangée(s)\n", file,
		    im->added, im->updated, im->unchanged);
	else
		fprintf(env->out, "%s : %zu demande(s) enregistrée(s) comme "
		    "brouillons\n", file, im->added);
}

static int
request_import_exec(const struct segurctl_cmd *self,
    struct segurctl_env *env, struct segurctl_args *args)
{
	struct segur_import im;
	struct segur_ledger *l;
	const char	*file, *out = NULL;
	char		*buf, *cause = NULL, *copy;
	size_t		 len;
	int		 rc, template, json, status;

	memset(&im, 0, sizeof(im));
	if (segurctl_flag(self, args, "dry-run"))
		im.flags |= SEGUR_IMPORT_DRY_RUN;
	if (segurctl_flag(self, args, "update"))
		im.flags |= SEGUR_IMPORT_UPDATE;
	template = segurctl_flag(self, args, "template");
	json = segurctl_flag(self, args, "json");
	out = segurctl_arg(self, args, "out");
	if (template) {
		if (args->argc != 0 || im.flags != 0 || json)
			return (segurctl_usage_error(self, env,
			    "--template ne prend ni FILE.csv, ni --dry-run, ni "
			    "--update, ni --json"));
		return (segurctl_template_write(self, env,
		    SEGUR_IMPORT_REQUESTS, out));
	}
	if (out != NULL)
		return (segurctl_usage_error(self, env,
		    "--out va avec --template"));
	if (args->argc != 1)
		return (segurctl_usage_error(self, env,
		    "un FILE.csv attendu"));
	file = args->argv[0];
	if ((rc = segurctl_csv_read(self, env, file, &buf, &len)) != 0)
		return (rc);
	if ((copy = strdup(file)) == NULL) {
		free(buf);
		fprintf(env->err, "segurctl %s: mémoire épuisée\n",
		    self->name);
		return (SEGURCTL_EXIT_USAGE);
	}
	if ((rc = segurctl_ledger_open(self, env, 0, &l)) != 0) {
		free(buf);
		free(copy);
		return (rc);
	}
	/* Documents named in the file are found beside it. */
	im.name = file;
	im.base_dir = dirname(copy);
	rc = segur_ledger_request_import_csv(l, buf, len, &im, &cause);
	segur_ledger_close(l);
	free(buf);
	segurctl_csv_findings_print(env->err, file, &im.warnings,
	    "avertissement");
	segurctl_csv_findings_print(env->err, file, &im.errors, "erreur");
	free(copy);
	status = rc == 0 ? SEGURCTL_EXIT_OK :
	    segurctl_ledger_error(self, env, rc, cause);
	/* A refused file is an answer too: --json says so on stdout. */
	if (json && (rc == 0 || rc == SEGUR_EINVAL)) {
		rc = import_json(env, file, &im, rc == 0 &&
		    !(im.flags & SEGUR_IMPORT_DRY_RUN));
		if (rc != SEGURCTL_EXIT_OK)
			status = rc;
	} else if (rc == 0)
		import_text(env, file, &im);
	segur_import_release(&im);
	return (status);
}

static const struct segurctl_opt request_import_opts[] = {
	{ "dry-run", 0, NULL, "vérifier le fichier et dire ce qui serait "
	    "enregistré, sans rien enregistrer" },
	{ "update", 0, NULL, "remplacer les brouillons déjà enregistrés sous "
	    "une référence" },
	{ "template", 0, NULL, "écrire le modèle CSV" },
	{ "out", 0, "FILE", "avec --template : dans FILE (par défaut : la "
	    "sortie standard)" },
	{ NULL, 0, NULL, NULL }
};

/* --template needs no ledger: it opens it itself, after the options. */
const struct segurctl_cmd cmd_request_import = {
	.name = "request import",
	.group = "request",
	.args = "[--dry-run] [--update] [--json] FILE.csv | --template "
	    "[--out FILE]",
	.summary = "enregistrer des brouillons depuis un export de tableur, "
	    "tout ou rien",
	.opts = request_import_opts,
	.flags = SEGURCTL_DB | SEGURCTL_WRITES | SEGURCTL_JSON,
	.args_min = 0,
	.args_max = 1,
	.exec = request_import_exec
};
