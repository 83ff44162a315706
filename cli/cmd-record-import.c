/*
 * cmd-record-import.c: segurctl record import FILE.csv: ASP's decisions
 * and payments from a spreadsheet, all or nothing
 * (lib/ledger/record-import.c); --dry-run checks without writing, --json
 * reports one object per line, --template writes the header line to fill.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "segur/amount.h"
#include "segur/date.h"
#include "segur/error.h"
#include "segur/ledger.h"

#include "segurctl.h"

/* A line's fate as the report words it; written: the file was applied. */
static const char *
fate_name(enum segur_line_fate f, int written)
{
	if (f == SEGUR_LINE_UNCHANGED)
		return ("unchanged");
	if (f == SEGUR_LINE_REFUSED)
		return ("refused");
	return (written ? "recorded" : "would-record");
}

static const char *
fate_fr(enum segur_line_fate f, int written)
{
	if (f == SEGUR_LINE_UNCHANGED)
		return ("inchangée");
	if (f == SEGUR_LINE_REFUSED)
		return ("refusée");
	return (written ? "enregistrée" : "à enregistrer");
}

/* One line as JSON (caller deletes), or NULL on ENOMEM. */
static cJSON *
line_json(const struct segur_record_line *x, int written)
{
	char	 b[SEGUR_AMOUNT_BUFSZ];
	cJSON	*o;

	if ((o = cJSON_CreateObject()) == NULL)
		return (NULL);
	if (cJSON_AddNumberToObject(o, "row", (double)x->row) == NULL ||
	    cJSON_AddStringToObject(o, "fate", fate_name(x->fate,
	    written)) == NULL ||
	    cJSON_AddStringToObject(o, "numeroASP", x->numero_asp) == NULL ||
	    (segur_record_name(x->kind) != NULL ?
	    cJSON_AddStringToObject(o, "kind", segur_record_name(x->kind)) :
	    cJSON_AddNullToObject(o, "kind")) == NULL ||
	    (x->date[0] != '\0' ? cJSON_AddStringToObject(o, "date",
	    x->date) : cJSON_AddNullToObject(o, "date")) == NULL ||
	    (x->amount_cents >= 0 ? cJSON_AddStringToObject(o, "amount",
	    segur_amount_format(x->amount_cents, b)) :
	    cJSON_AddNullToObject(o, "amount")) == NULL ||
	    cJSON_AddBoolToObject(o, "forced", x->forced) == NULL ||
	    (x->message != NULL ? cJSON_AddStringToObject(o, "message",
	    x->message) : cJSON_AddNullToObject(o, "message")) == NULL) {
		cJSON_Delete(o);
		return (NULL);
	}
	return (o);
}

/* The report as JSON on env->out; returns the exit status. */
static int
report_json(struct segurctl_env *env, const char *file,
    const struct segur_import *im, const struct segur_record_lines *lines,
    int written, int status)
{
	cJSON	*o, *a, *e;
	size_t	 i;
	int	 rc;

	if ((o = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(o, "file", file) == NULL ||
	    (im->encoding != NULL ? cJSON_AddStringToObject(o, "encoding",
	    im->encoding) : cJSON_AddNullToObject(o, "encoding")) == NULL ||
	    cJSON_AddBoolToObject(o, "dryRun",
	    (im->flags & SEGUR_IMPORT_DRY_RUN) != 0) == NULL ||
	    cJSON_AddBoolToObject(o, "written", written) == NULL ||
	    cJSON_AddNumberToObject(o, "rows", (double)im->rows) == NULL ||
	    cJSON_AddNumberToObject(o, "toRecord", (double)im->added) ==
	    NULL ||
	    cJSON_AddNumberToObject(o, "recorded", written ?
	    (double)im->added : 0) == NULL ||
	    cJSON_AddNumberToObject(o, "unchanged", (double)im->unchanged) ==
	    NULL ||
	    cJSON_AddNumberToObject(o, "refused", (double)(lines->n -
	    im->added - im->unchanged)) == NULL ||
	    (a = cJSON_AddArrayToObject(o, "lines")) == NULL) {
		cJSON_Delete(o);
		return (segurctl_print_json(env, NULL));
	}
	for (i = 0; i < lines->n; i++) {
		if ((e = line_json(&lines->v[i], written)) == NULL) {
			cJSON_Delete(o);
			return (segurctl_print_json(env, NULL));
		}
		cJSON_AddItemToArray(a, e);
	}
	rc = segurctl_print_json(env, o);
	return (rc != SEGURCTL_EXIT_OK ? rc : status);
}

/* A line's kind in the text, as the CSV's type column writes it. */
static const char *
kind_fr(int kind)
{
	switch (kind) {
	case SEGUR_RECORD_GRANT:
		return ("accord");
	case SEGUR_RECORD_REFUSAL:
		return ("refus");
	case SEGUR_RECORD_ADVANCE_PAID:
		return ("avance");
	case SEGUR_RECORD_BALANCE_PAID:
		return ("solde");
	}
	return ("-");
}

/* The report as text: one line per row, then the count. */
static void
report_text(struct segurctl_env *env, const char *file,
    const struct segur_import *im, const struct segur_record_lines *lines,
    int written)
{
	const struct segur_record_line *x;
	char	 b[SEGUR_AMOUNT_BUFSZ], amount[SEGUR_AMOUNT_BUFSZ + 8];
	char	 day[SEGUR_DATE_FR_BUFSZ];
	size_t	 i;

	for (i = 0; i < lines->n; i++) {
		x = &lines->v[i];
		if (x->amount_cents >= 0)
			snprintf(amount, sizeof(amount), "%s €",
			    segur_amount_format_fr(x->amount_cents, b));
		else
			snprintf(amount, sizeof(amount), "-");
		if (x->date[0] == '\0' || segur_date_fr(x->date, day) == NULL)
			snprintf(day, sizeof(day), "%s", x->date[0] != '\0' ?
			    x->date : "-");
		fprintf(env->out, "%s:%ld: ", file, x->row);
		segurctl_cell(env->out, fate_fr(x->fate, written), 13, 0);
		fputc(' ', env->out);
		segurctl_cell(env->out, x->numero_asp[0] != '\0' ?
		    x->numero_asp : "-", 24, 0);
		fputc(' ', env->out);
		segurctl_cell(env->out, kind_fr(x->kind), 6, 0);
		fputc(' ', env->out);
		segurctl_cell(env->out, day, 10, 0);
		fputc(' ', env->out);
		segurctl_cell(env->out, amount, 14, 1);
		fprintf(env->out, "%s%s%s\n", x->forced ? " (forcé)" : "",
		    x->message != NULL ? " : " : "", x->message != NULL ?
		    x->message : "");
	}
	if (im->flags & SEGUR_IMPORT_DRY_RUN)
		fprintf(env->out, "%s : essai à blanc (%s, « %c », %zu "
		    "ligne(s)) : %zu à enregistrer, %zu inchangée(s) ; rien "
		    "n'est écrit\n",
		    file, im->encoding, im->delim, im->rows, im->added,
		    im->unchanged);
	else if (written)
		fprintf(env->out, "%s : %zu enregistrée(s), %zu inchangée(s)\n",
		    file, im->added, im->unchanged);
}

static int
record_import_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_import im;
	struct segur_record_lines lines;
	struct segur_ledger *l;
	const char	*file, *out = NULL;
	char		*buf, *cause = NULL;
	size_t		 len;
	int		 rc, status, json, template, written;

	memset(&im, 0, sizeof(im));
	if (segurctl_flag(self, args, "dry-run"))
		im.flags |= SEGUR_IMPORT_DRY_RUN;
	json = segurctl_flag(self, args, "json");
	template = segurctl_flag(self, args, "template");
	out = segurctl_arg(self, args, "out");
	if (template) {
		if (args->argc != 0 || im.flags != 0 || json)
			return (segurctl_usage_error(self, env,
			    "--template ne prend ni FILE.csv, ni --dry-run, "
			    "ni --json"));
		return (segurctl_template_write(self, env,
		    SEGUR_IMPORT_RECORDS, out));
	}
	if (out != NULL)
		return (segurctl_usage_error(self, env,
		    "--out va avec --template"));
	if (args->argc != 1)
		return (segurctl_usage_error(self, env,
		    "un fichier FILE.csv attendu"));
	file = args->argv[0];
	if ((rc = segurctl_csv_read(self, env, file, &buf, &len)) != 0)
		return (rc);
	if ((rc = segurctl_ledger_open(self, env, 0, &l)) != 0) {
		free(buf);
		return (rc);
	}
	im.name = file;
	rc = segur_ledger_record_import_csv(l, buf, len, &im, &lines, &cause);
	segur_ledger_close(l);
	free(buf);
	segurctl_csv_findings_print(env->err, file, &im.warnings,
	    "avertissement");
	segurctl_csv_findings_print(env->err, file, &im.errors, "erreur");
	written = rc == 0 && !(im.flags & SEGUR_IMPORT_DRY_RUN);
	/* A refused file still reports every line; a failed read has none. */
	status = rc == 0 ? SEGURCTL_EXIT_OK :
	    segurctl_ledger_error(self, env, rc, cause);
	if (rc == 0 || rc == SEGUR_EINVAL) {
		if (json)
			status = report_json(env, file, &im, &lines, written,
			    status);
		else
			report_text(env, file, &im, &lines, written);
	}
	segur_record_lines_release(&lines);
	segur_import_release(&im);
	return (status);
}

static const struct segurctl_opt record_import_opts[] = {
	{ "dry-run", 0, NULL, "vérifier chaque ligne et dire ce qui serait "
	    "enregistré, sans rien enregistrer" },
	{ "template", 0, NULL, "écrire le modèle CSV" },
	{ "out", 0, "FILE", "avec --template : dans FILE (par défaut : la "
	    "sortie standard)" },
	{ NULL, 0, NULL, NULL }
};

/* --template needs no ledger: it opens it itself, after the options. */
const struct segurctl_cmd cmd_record_import = {
	.name = "record import",
	.group = "record",
	.args = "[--dry-run] [--json] FILE.csv | --template [--out FILE]",
	.summary = "enregistrer les décisions et paiements de l'ASP depuis un "
	    "tableur, tout ou rien",
	.opts = record_import_opts,
	.flags = SEGURCTL_DB | SEGURCTL_WRITES | SEGURCTL_JSON,
	.args_min = 0,
	.args_max = 1,
	.exec = record_import_exec
};
