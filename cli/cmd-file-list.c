/*
 * cmd-file-list.c: segurctl file list [--json]: every file built or
 * received, with its state (built, answered, refused, cancelled, ingested,
 * quarantined) and its lines by outcome (lib/ledger/ledger-file.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

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
	char		 b[5][24];
	int		 zip;

	w->n++;
	if (w->arr != NULL)
		return (row_json(w, r) != 0 ? -1 : 0);
	zip = r->kind != NULL && strcmp(r->kind, "documents") == 0;
	fprintf(w->f, "%-42s %-14s %-8s %-11s %-20s %6s %6s %6s %6s %6s\n",
	    r->name, r->kind != NULL ? r->kind : "-",
	    strcmp(r->direction, "out") == 0 ? "construit" : "reçu",
	    segur_file_state_name(r->state), r->date,
	    count_text(r->lines, b[0]), count_text(r->accepted, b[1]),
	    count_text(r->rejected, b[2]), count_text(r->pending, b[3]),
	    count_text(r->cancelled, b[4]));
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
	int		 rc, json = 0;

	memset(&w, 0, sizeof(w));
	json = segurctl_flag(self, args, "json");
	w.f = env->out;
	if (json && (w.arr = cJSON_CreateArray()) == NULL) {
		fprintf(env->err, "segurctl: out of memory\n");
		return (SEGURCTL_EXIT_USAGE);
	}
	if (!json)
		fprintf(env->out, "%-42s %-14s %-8s %-11s %-20s %6s %6s %6s "
		    "%6s %6s\n", "FICHIER", "GENRE", "SENS", "ETAT", "DATE",
		    "LIGNES", "ACCEPT", "REJET", "ATTEND", "ANNUL");
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
