/*
 * cmd-ref-import.c: segurctl ref import eligible|tranches FILE.csv: replace
 * a reference table with a CSV file, all or nothing; --dry-run checks and
 * counts without writing, --json says the counts as one object, --template
 * writes the header line to fill. The helpers every CSV import shares
 * live here too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "segurctl.h"

void
segurctl_csv_findings_print(FILE *f, const char *file,
    const struct segur_csv_errors *e, const char *what)
{
	size_t	 i;

	for (i = 0; i < e->n; i++) {
		if (e->v[i].row <= 0)
			fprintf(f, "%s: %s: %s\n", file, what,
			    e->v[i].message);
		else if (e->v[i].column != NULL)
			fprintf(f, "%s:%ld:%s: %s: %s\n", file, e->v[i].row,
			    e->v[i].column, what, e->v[i].message);
		else
			fprintf(f, "%s:%ld: %s: %s\n", file, e->v[i].row, what,
			    e->v[i].message);
	}
}

void
segurctl_csv_errors_print(FILE *f, const char *file,
    const struct segur_csv_errors *e)
{
	segurctl_csv_findings_print(f, file, e, "erreur");
}

int
segurctl_csv_read(const struct segurctl_cmd *self, struct segurctl_env *env,
    const char *file, char **buf, size_t *len)
{
	char	*cause = NULL;
	int	 rc;

	/* Past the limit the file is not read at all. */
	rc = segur_read_file(file, SEGUR_CSV_MAX_BYTES, buf, len, &cause);
	if (rc == SEGUR_ETOOBIG) {
		fprintf(env->err, "%s: erreur: fichier de plus de %zu octets "
		    "(16 Mio), la limite des imports CSV : découpez-le\n", file,
		    SEGUR_CSV_MAX_BYTES);
		free(cause);
		return (SEGURCTL_EXIT_FINDINGS);
	}
	if (rc != 0) {
		fprintf(env->err, "segurctl %s: %s\n", self->name, cause);
		free(cause);
		return (SEGURCTL_EXIT_USAGE);
	}
	return (0);
}

int
segurctl_template_write(const struct segurctl_cmd *self,
    struct segurctl_env *env, int kind, const char *out)
{
	struct segur_buf b = SEGUR_BUF_INIT;
	char	*cause = NULL;
	int	 rc = SEGURCTL_EXIT_OK;

	if (segur_import_template((enum segur_import_kind)kind, &b) != 0) {
		fprintf(env->err, "segurctl %s: mémoire épuisée\n",
		    self->name);
		return (SEGURCTL_EXIT_USAGE);
	}
	if (out == NULL) {
		if (fwrite(b.data, 1, b.len, env->out) != b.len) {
			fprintf(env->err, "segurctl %s: impossible d'écrire "
			    "le modèle\n", self->name);
			rc = SEGURCTL_EXIT_USAGE;
		}
	} else if (segur_write_file_atomic(out, b.data, b.len, 0644,
	    &cause) != 0) {
		fprintf(env->err, "segurctl %s: %s\n", self->name, cause);
		free(cause);
		rc = SEGURCTL_EXIT_USAGE;
	} else
		fprintf(env->out, "%s : modèle écrit\n", out);
	segur_buf_release(&b);
	return (rc);
}

/* What ref import did, for --json: {"file", "table", "encoding",
 * "delimiter", "dryRun", "written", "rows", "added", "changed",
 * "removed"}; caller deletes, NULL on ENOMEM. */
static cJSON *
import_json(const char *file, const char *table,
    const struct segur_import *im)
{
	char	 delim[2] = { im->delim, '\0' };
	int	 dry = (im->flags & SEGUR_IMPORT_DRY_RUN) != 0;
	cJSON	*o;

	if ((o = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(o, "file", file) == NULL ||
	    cJSON_AddStringToObject(o, "table", table) == NULL ||
	    (im->encoding != NULL ? cJSON_AddStringToObject(o, "encoding",
	    im->encoding) : cJSON_AddNullToObject(o, "encoding")) == NULL ||
	    cJSON_AddStringToObject(o, "delimiter", delim) == NULL ||
	    cJSON_AddBoolToObject(o, "dryRun", dry) == NULL ||
	    cJSON_AddBoolToObject(o, "written", !dry) == NULL ||
	    cJSON_AddNumberToObject(o, "rows", (double)im->rows) == NULL ||
	    cJSON_AddNumberToObject(o, "added", (double)im->added) == NULL ||
	    cJSON_AddNumberToObject(o, "changed", (double)im->changed) ==
	    NULL ||
	    cJSON_AddNumberToObject(o, "removed", (double)im->removed) ==
	    NULL) {
		cJSON_Delete(o);
		return (NULL);
	}
	return (o);
}

static int
ref_import_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_import im;
	struct segur_ledger *l;
	enum segur_import_kind kind;
	const char	*out = NULL, *file;
	char		*buf, *cause = NULL;
	size_t		 len;
	int		 rc, template, nargs, json;

	memset(&im, 0, sizeof(im));
	if (segurctl_flag(self, args, "dry-run"))
		im.flags |= SEGUR_IMPORT_DRY_RUN;
	template = segurctl_flag(self, args, "template");
	json = segurctl_flag(self, args, "json");
	out = segurctl_arg(self, args, "out");
	nargs = template ? 1 : 2;
	if (args->argc != nargs)
		return (segurctl_usage_error(self, env, template ?
		    "--template prend eligible|tranches, sans fichier" :
		    "eligible|tranches et un fichier attendus"));
	if (strcmp(args->argv[0], "eligible") == 0)
		kind = SEGUR_IMPORT_ELIGIBLE;
	else if (strcmp(args->argv[0], "tranches") == 0)
		kind = SEGUR_IMPORT_TRANCHES;
	else
		return (segurctl_usage_error(self, env, "table « %s » "
		    "inconnue (eligible ou tranches)", args->argv[0]));
	if (template) {
		if (im.flags != 0 || json)
			return (segurctl_usage_error(self, env,
			    "--template ne prend ni --dry-run, ni --json"));
		return (segurctl_template_write(self, env, kind, out));
	}
	if (out != NULL)
		return (segurctl_usage_error(self, env,
		    "--out va avec --template"));
	file = args->argv[1];
	if ((rc = segurctl_csv_read(self, env, file, &buf, &len)) != 0)
		return (rc);
	if ((rc = segurctl_ledger_open(self, env, 0, &l)) != 0) {
		free(buf);
		return (rc);
	}
	im.name = file;
	rc = segur_ledger_ref_import_csv(l, kind, buf, len, &im, &cause);
	segur_ledger_close(l);
	free(buf);
	segurctl_csv_findings_print(env->err, file, &im.warnings,
	    "avertissement");
	segurctl_csv_findings_print(env->err, file, &im.errors, "erreur");
	if (rc != 0) {
		segur_import_release(&im);
		return (segurctl_ledger_error(self, env, rc, cause));
	}
	if (json)
		rc = segurctl_print_json(env, import_json(file, args->argv[0],
		    &im));
	else if (im.flags & SEGUR_IMPORT_DRY_RUN)
		fprintf(env->out, "%s : essai à blanc (%s, « %c ») : %zu "
		    "ligne(s) à charger dans %s (%zu ajoutée(s), %zu "
		    "modifiée(s), %zu retirée(s)) ; rien n'est écrit\n", file,
		    im.encoding, im.delim, im.rows, args->argv[0], im.added,
		    im.changed, im.removed);
	else
		fprintf(env->out, "%s : %zu ligne(s) chargée(s) dans %s (%zu "
		    "ajoutée(s), %zu modifiée(s), %zu retirée(s))\n", file,
		    im.rows, args->argv[0], im.added, im.changed, im.removed);
	segur_import_release(&im);
	return (rc);
}

static const struct segurctl_opt ref_import_opts[] = {
	{ "dry-run", 0, NULL, "vérifier le fichier et dire ce qui changerait, "
	    "sans rien changer" },
	{ "template", 0, NULL, "écrire le modèle CSV de cette table" },
	{ "out", 0, "FILE", "avec --template : dans FILE (par défaut : la "
	    "sortie standard)" },
	{ NULL, 0, NULL, NULL }
};

/* --template needs no ledger: it opens it itself, after the options. */
const struct segurctl_cmd cmd_ref_import = {
	.name = "ref import",
	.group = "ref",
	.args = "[--dry-run] [--json] eligible|tranches FILE.csv | "
	    "--template [--out FILE] eligible|tranches",
	.summary = "remplacer les ESMS éligibles ou les montants des tranches "
	    "par un fichier CSV",
	.opts = ref_import_opts,
	.flags = SEGURCTL_DB | SEGURCTL_WRITES | SEGURCTL_JSON,
	.args_min = 1,
	.args_max = 2,
	.exec = ref_import_exec
};
