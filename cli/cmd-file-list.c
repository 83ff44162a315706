/*
 * cmd-file-list.c: segurctl file list [--json]: every file built or
 * received, with its state (built, answered, refused, cancelled, ingested,
 * quarantined) and its lines by outcome (lib/ledger/ledger-file.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "segur/date.h"
#include "segur/ledger.h"

#include "segurctl.h"

struct walk {
	FILE	*f;
	cJSON	*arr;		/* NULL: text */
	size_t	 n;
};

static int
row_json(struct walk *w, const struct segur_file_row *r)
{
	cJSON	*o;

	if ((o = segur_file_row_json(r)) == NULL)
		return (-1);
	cJSON_AddItemToArray(w->arr, o);
	return (0);
}

/* A file's kind in the text, from its code (segur_file_kind_name()). */
static const char *
kind_fr(const char *kind)
{
	static const struct {
		const char	*code, *label;
	} kinds[] = {
		{ "submission", "demandes" }, { "returned", "réponse" },
		{ "documents", "pièces" }, { "solde", "soldes" },
		{ "solde_returned", "réponse solde" }
	};
	size_t	 i;

	for (i = 0; kind != NULL && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kind, kinds[i].code) == 0)
			return (kinds[i].label);
	return (kind != NULL ? kind : "-");
}

/* The columns of the text, widths in characters; right: counts. */
static const struct {
	const char	*head;
	size_t		 width;
	int		 right;
} cols[] = {
	{ "FICHIER", 42, 0 }, { "GENRE", 14, 0 }, { "SENS", 9, 0 },
	{ "ÉTAT", 16, 0 }, { "DATE", 16, 0 }, { "LIGNES", 6, 1 },
	{ "ACCEPT.", 7, 1 }, { "REJET", 6, 1 }, { "ATTENTE", 7, 1 },
	{ "ANNUL.", 6, 1 }
};
#define NCOLS	(sizeof(cols) / sizeof(cols[0]))

static void
cells_print(FILE *f, const char *const *cells)
{
	size_t	 i;

	for (i = 0; i < NCOLS; i++) {
		if (i > 0)
			fputc(' ', f);
		segurctl_cell(f, cells[i], cols[i].width, cols[i].right);
	}
	fputc('\n', f);
}

/* A count for the text, "-" where it means nothing. */
static const char *
count_text(int64_t n, char buf[24])
{
	if (n < 0)
		return ("-");
	snprintf(buf, 24, "%" PRId64, n);
	return (buf);
}

static int
row_cb(void *arg, const struct segur_file_row *r)
{
	struct walk	*w = arg;
	char		 b[5][24], when[SEGUR_DATE_FR_BUFSZ];
	const char	*cells[NCOLS];
	int		 zip;

	w->n++;
	if (w->arr != NULL)
		return (row_json(w, r) != 0 ? -1 : 0);
	zip = r->kind != NULL && strcmp(r->kind, "documents") == 0;
	cells[0] = r->name;
	cells[1] = kind_fr(r->kind);
	cells[2] = strcmp(r->direction, "out") == 0 ? "construit" : "reçu";
	cells[3] = segur_file_state_label(r->state) != NULL ?
	    segur_file_state_label(r->state) : "?";
	cells[4] = segur_date_fr(r->date, when) != NULL ? when : r->date;
	cells[5] = count_text(r->lines, b[0]);
	cells[6] = count_text(r->accepted, b[1]);
	cells[7] = count_text(r->rejected, b[2]);
	cells[8] = count_text(r->pending, b[3]);
	cells[9] = count_text(r->cancelled, b[4]);
	cells_print(w->f, cells);
	if (r->parent != NULL)
		fprintf(w->f, "    %s %s\n", zip ? "pièces de" : "répond à",
		    r->parent);
	if (r->reason != NULL)
		fprintf(w->f, "    motif : %s\n", r->reason);
	return (0);
}

static int
file_list_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_ledger *l = args->ledger;
	struct walk	 w;
	char		*cause = NULL;
	const char	*heads[NCOLS];
	size_t		 i;
	int		 rc, json = 0;

	memset(&w, 0, sizeof(w));
	json = segurctl_flag(self, args, "json");
	w.f = env->out;
	if (json && (w.arr = cJSON_CreateArray()) == NULL) {
		fprintf(env->err, "segurctl %s: mémoire épuisée\n",
		    self->name);
		return (SEGURCTL_EXIT_USAGE);
	}
	if (!json) {
		for (i = 0; i < NCOLS; i++)
			heads[i] = cols[i].head;
		cells_print(env->out, heads);
	}
	rc = segur_ledger_file_list(l, row_cb, &w, &cause);
	if (rc != 0) {
		cJSON_Delete(w.arr);
		return (segurctl_ledger_error(self, env, rc, cause));
	}
	if (json)
		return (segurctl_print_json(env, w.arr));
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_file_list = {
	.name = "file list",
	.group = "file",
	.args = "[--json]",
	.summary = "lister tous les fichiers construits ou reçus, avec leur "
	    "état et leurs lignes",
	.flags = SEGURCTL_LEDGER | SEGURCTL_JSON,
	.args_min = 0,
	.args_max = 0,
	.exec = file_list_exec
};
