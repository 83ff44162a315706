/*
 * cmd-solde-list.c: segurctl solde list: the advances paid whose balance
 * is not requested yet, with the amounts and the deadline (lib/ledger/solde.c),
 * then the figures of the ledger or of the OG (segur_ledger_figures()).
 * Also segurctl_parse_euros(), shared by the solde commands.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "segur/amount.h"
#include "segur/date.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/solde.h"

#include "segurctl.h"

int
segurctl_parse_euros(const char *s, int64_t *cents)
{
	char	 amount[64], *p;

	if (strlen(s) >= sizeof(amount))
		return (-1);
	/* Euros as written by ops: "1460", "1460.00", "1460,00". */
	snprintf(amount, sizeof(amount), "%s", s);
	if ((p = strchr(amount, ',')) != NULL)
		*p = '.';
	if (segur_amount_from_text(amount, strlen(amount), cents) != 0 ||
	    *cents < 0)
		return (-1);
	return (0);
}

struct walk {
	FILE	*f;
	cJSON	*arr;		/* NULL: text */
	size_t	 n;
	int	 oom;
};

static int
row_json(struct walk *w, const struct segur_solde_row *r)
{
	char	 b[SEGUR_AMOUNT_BUFSZ];
	cJSON	*o;

	if ((o = cJSON_CreateObject()) == NULL)
		return (-1);
	cJSON_AddItemToArray(w->arr, o);
	if (cJSON_AddStringToObject(o, "numeroASP", r->numero_asp) == NULL ||
	    cJSON_AddStringToObject(o, "numeroEditeur", r->numero_editeur) ==
	    NULL ||
	    cJSON_AddStringToObject(o, "ref", r->ref) == NULL ||
	    cJSON_AddStringToObject(o, "state", r->state) == NULL ||
	    cJSON_AddStringToObject(o, "og", r->og) == NULL ||
	    cJSON_AddStringToObject(o, "esms", r->esms != NULL ? r->esms :
	    "") == NULL ||
	    cJSON_AddStringToObject(o, "montantAccorde",
	    segur_amount_format(r->granted_cents, b)) == NULL ||
	    cJSON_AddStringToObject(o, "montantAvance",
	    segur_amount_format(r->advance_cents, b)) == NULL ||
	    cJSON_AddStringToObject(o, "soldeAttendu",
	    segur_amount_format(r->balance_cents, b)) == NULL ||
	    cJSON_AddNumberToObject(o, "soldeAttendu_cents",
	    (double)r->balance_cents) == NULL ||
	    cJSON_AddStringToObject(o, "dateAvance", r->advance_date) ==
	    NULL ||
	    cJSON_AddNumberToObject(o, "joursEcoules",
	    (double)r->days_elapsed) == NULL ||
	    (r->deadline[0] != '\0' ? cJSON_AddStringToObject(o, "echeance",
	    r->deadline) : cJSON_AddNullToObject(o, "echeance")) == NULL ||
	    (r->deadline[0] != '\0' ? cJSON_AddNumberToObject(o,
	    "joursRestants", (double)r->days_left) :
	    cJSON_AddNullToObject(o, "joursRestants")) == NULL ||
	    cJSON_AddBoolToObject(o, "enRetard", r->overdue) == NULL ||
	    cJSON_AddBoolToObject(o, "livre", r->delivered) == NULL)
		return (-1);
	return (0);
}

/* The columns of the text, widths in characters; right: amounts, days. */
static const struct {
	const char	*head;
	size_t		 width;
	int		 right;
} cols[] = {
	{ "NUMÉRO ASP", 24, 0 }, { "N° ÉD.", 6, 0 }, { "OG", 9, 0 },
	{ "ACCORDÉ", 14, 1 }, { "AVANCE", 14, 1 }, { "SOLDE", 14, 1 },
	{ "AVANCE LE", 10, 0 }, { "JOURS", 5, 1 }, { "ÉCHÉANCE", 10, 0 }
};
#define NCOLS	(sizeof(cols) / sizeof(cols[0]))

/* One line of cells in the columns, then tail. */
static void
cells_print(FILE *f, const char *const *cells, const char *tail)
{
	size_t	 i;

	for (i = 0; i < NCOLS; i++) {
		if (i > 0)
			fputc(' ', f);
		segurctl_cell(f, cells[i], i + 1 < NCOLS || cols[i].right ?
		    cols[i].width : 0, cols[i].right);
	}
	fprintf(f, "%s\n", tail);
}

/* Cents as "4 866,67 €" into b. */
static const char *
euros(int64_t cents, char b[SEGUR_AMOUNT_BUFSZ + 8])
{
	char	 a[SEGUR_AMOUNT_BUFSZ];

	snprintf(b, SEGUR_AMOUNT_BUFSZ + 8, "%s €",
	    segur_amount_format_fr(cents, a));
	return (b);
}

/* A day as JJ/MM/AAAA into b, or "-". */
static const char *
day_fr(const char *iso, char b[SEGUR_DATE_FR_BUFSZ])
{
	if (iso[0] == '\0')
		return ("-");
	if (segur_date_fr(iso, b) == NULL)
		snprintf(b, SEGUR_DATE_FR_BUFSZ, "%s", iso);
	return (b);
}

static int
row_cb(void *arg, const struct segur_solde_row *r)
{
	struct walk	*w = arg;
	char		 g[SEGUR_AMOUNT_BUFSZ + 8], a[SEGUR_AMOUNT_BUFSZ + 8];
	char		 s[SEGUR_AMOUNT_BUFSZ + 8], days[24];
	char		 ad[SEGUR_DATE_FR_BUFSZ], dl[SEGUR_DATE_FR_BUFSZ];
	const char	*cells[NCOLS];

	w->n++;
	if (w->arr != NULL) {
		if (row_json(w, r) != 0)
			w->oom = 1;
		return (w->oom);
	}
	snprintf(days, sizeof(days), "%lld", (long long)r->days_elapsed);
	cells[0] = r->numero_asp;
	cells[1] = r->numero_editeur;
	cells[2] = r->og;
	cells[3] = euros(r->granted_cents, g);
	cells[4] = euros(r->advance_cents, a);
	cells[5] = euros(r->balance_cents, s);
	cells[6] = day_fr(r->advance_date, ad);
	cells[7] = days;
	cells[8] = day_fr(r->deadline, dl);
	cells_print(w->f, cells, r->overdue ? (r->delivered ?
	    " EN RETARD livré" : " EN RETARD") : r->delivered ? " livré" :
	    "");
	fprintf(w->f, "    %s, ESMS %s%s\n", r->ref, r->esms != NULL ?
	    r->esms : "", strcmp(r->state, "balance_rejected") == 0 ?
	    ", solde rejeté : à redemander" : "");
	return (0);
}

/*
 * The totals, all from segur_ledger_figures() so that status, the report
 * and segurd print the same: the figures of the ledger (or of --og's OG),
 * and the balance still to request, the awaited balance of the requests
 * this list shows (advance_paid and balance_rejected).
 */
static int
totals(struct segur_ledger *l, const char *og, struct segur_figures *fg,
    int64_t *to_cents, int64_t *to_n, char **cause)
{
	static const enum segur_state listed[] = { SEGUR_STATE_ADVANCE_PAID,
	    SEGUR_STATE_BALANCE_REJECTED };
	struct segur_figures_filter f = { NULL, og, -1 };
	struct segur_figures one;
	size_t	 i;
	int	 rc;

	if ((rc = segur_ledger_figures(l, &f, fg, cause)) != 0)
		return (rc);
	*to_cents = *to_n = 0;
	for (i = 0; i < sizeof(listed) / sizeof(listed[0]); i++) {
		f.state = (int)listed[i];
		if ((rc = segur_ledger_figures(l, &f, &one, cause)) != 0)
			return (rc);
		*to_cents += one.cents[SEGUR_FIGURE_BALANCE_AWAITED];
		*to_n += one.count[SEGUR_FIGURE_BALANCE_AWAITED];
	}
	return (0);
}

/* {"requests": [...], "amounts", "counts", "toRequest": {amount, count}}:
 * takes arr. */
static int
print_json(struct segurctl_env *env, cJSON *arr,
    const struct segur_figures *fg, int64_t to_cents, int64_t to_n)
{
	char	 b[SEGUR_AMOUNT_BUFSZ];
	cJSON	*o, *t;

	if ((o = cJSON_CreateObject()) == NULL) {
		cJSON_Delete(arr);
		return (segurctl_print_json(env, NULL));
	}
	cJSON_AddItemToObject(o, "requests", arr);
	if (segur_figures_json(fg, o) != 0 ||
	    (t = cJSON_AddObjectToObject(o, "toRequest")) == NULL ||
	    cJSON_AddStringToObject(t, "amount", segur_amount_format(to_cents,
	    b)) == NULL ||
	    cJSON_AddNumberToObject(t, "count", (double)to_n) == NULL) {
		cJSON_Delete(o);
		o = NULL;
	}
	return (segurctl_print_json(env, o));
}

static int
solde_list_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_solde_filter f;
	struct segur_figures	 fg;
	struct segur_ledger	*l = args->ledger;
	struct walk		 w;
	char			*cause = NULL, b[SEGUR_AMOUNT_BUFSZ];
	char			 heading[80];
	const char		*heads[NCOLS];
	size_t			 i;
	int64_t			 days, to_cents = 0, to_n = 0;
	int			 rc, json = 0;

	memset(&f, 0, sizeof(f));
	memset(&w, 0, sizeof(w));
	f.overdue_only = segurctl_flag(self, args, "overdue");
	f.og = segurctl_arg(self, args, "og");
	f.today = segurctl_arg(self, args, "today");
	json = segurctl_flag(self, args, "json");
	if (f.today != NULL && segur_date_days(f.today, &days) != 0)
		return (segurctl_usage_error(self, env, "--today « %s » "
		    "invalide (AAAA-MM-JJ ou JJ/MM/AAAA)", f.today));
	w.f = env->out;
	if (json && (w.arr = cJSON_CreateArray()) == NULL) {
		return (segurctl_ledger_error(self, env, SEGUR_ENOMEM, NULL));
	}
	if (!json) {
		for (i = 0; i < NCOLS; i++)
			heads[i] = cols[i].head;
		cells_print(env->out, heads, "");
	}
	rc = segur_solde_list(l, &f, row_cb, &w, &cause);
	if (rc == 0 && !w.oom)
		rc = totals(l, f.og, &fg, &to_cents, &to_n, &cause);
	if (rc != 0 || w.oom) {
		cJSON_Delete(w.arr);
		return (segurctl_ledger_error(self, env, rc != 0 ? rc :
		    SEGUR_ENOMEM, cause));
	}
	if (json)
		return (print_json(env, w.arr, &fg, to_cents, to_n));
	fprintf(env->out, "%zu avance(s) en attente de solde.\n", w.n);
	fprintf(env->out, "Solde à demander : %s € (%lld demande(s) à "
	    "l'état « %s » ou « %s »).\n", segur_amount_format_fr(to_cents,
	    b), (long long)to_n, segur_state_label(SEGUR_STATE_ADVANCE_PAID),
	    segur_state_label(SEGUR_STATE_BALANCE_REJECTED));
	if (f.og != NULL)
		snprintf(heading, sizeof(heading), "Montants HT de l'OG %s :",
		    f.og);
	else
		snprintf(heading, sizeof(heading), "Montants HT du registre :");
	segurctl_figures_print(env->out, heading, &fg);
	return (SEGURCTL_EXIT_OK);
}

static const struct segurctl_opt solde_list_opts[] = {
	{ "overdue", 0, NULL, "seulement celles dont l'échéance de solde est "
	    "passée" },
	{ "og", 0, "FINESS", "seulement celles de l'OG de ce FINESS "
	    "juridique" },
	{ "today", 0, "DATE", "compter les jours à la date DATE (AAAA-MM-JJ ou "
	    "JJ/MM/AAAA)" },
	{ NULL, 0, NULL, NULL }
};

const struct segurctl_cmd cmd_solde_list = {
	.name = "solde list",
	.group = "solde",
	.args = "[--overdue] [--og FINESS] [--today DATE] [--json]",
	.summary = "lister les avances payées dont le solde n'est pas encore "
	    "demandé",
	.opts = solde_list_opts,
	.flags = SEGURCTL_LEDGER | SEGURCTL_JSON,
	.args_min = 0,
	.args_max = 0,
	.exec = solde_list_exec
};
