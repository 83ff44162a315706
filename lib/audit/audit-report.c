/*
 * audit-report.c: the static HTML report (segurctl report --html): one
 * self-contained page, inline CSS and SVG, no script, no network, so that
 * it reads the same in a browser, printed, or archived for an auditor.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "segur/amount.h"
#include "segur/anomaly.h"
#include "segur/audit.h"
#include "segur/date.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/svg.h"
#include "segur/util.h"

#include "audit/audit-int.h"
#include "ledger/ledger-int.h"

/* Weeks shown on the timeline, the most recent ones. */
#define WEEKS_MAX	26
/* Labels of rejections shown, the most frequent ones. */
#define LABELS_MAX	15
/* Rows of each action list. */
#define LIST_MAX	100

/* French names of the states, in lifecycle order for the funnel. */
static const struct {
	enum segur_state state;
	const char	*label;
} funnel[] = {
	{ SEGUR_STATE_DRAFT, "brouillon" },
	{ SEGUR_STATE_READY, "prête à envoyer" },
	{ SEGUR_STATE_SUBMITTED, "envoyée, sans réponse" },
	{ SEGUR_STATE_REJECTED, "rejetée par l'ASP" },
	{ SEGUR_STATE_ACCEPTED, "acceptée par l'ASP" },
	{ SEGUR_STATE_GRANTED, "accordée" },
	{ SEGUR_STATE_REFUSED, "refusée" },
	{ SEGUR_STATE_ADVANCE_PAID, "avance versée" },
	{ SEGUR_STATE_BALANCE_REQUESTED, "solde demandé" },
	{ SEGUR_STATE_BALANCE_ACCEPTED, "solde accepté" },
	{ SEGUR_STATE_BALANCE_REJECTED, "solde rejeté" },
	{ SEGUR_STATE_BALANCE_PAID, "solde versé" },
	{ SEGUR_STATE_CLOSED, "close" },
	{ SEGUR_STATE_WITHDRAWN, "retirée" }
};
#define NFUNNEL	(sizeof(funnel) / sizeof(funnel[0]))

/* The Monday (day number) of the week of "AAAA-MM-JJ...", or -1 when the
 * text is not a date. 1970-01-01 was a Thursday. */
static int64_t
week_monday(const char *date)
{
	struct segur_date dt;
	int64_t		 days;

	if (date == NULL || sscanf(date, "%4d-%2d-%2d", &dt.year, &dt.month,
	    &dt.day) != 3 || dt.year < 1000 || dt.year > 9998 ||
	    dt.month < 1 || dt.month > 12 || dt.day < 1 || dt.day > 31)
		return (-1);
	days = segur_date_to_days(&dt);
	return (days - (((days + 3) % 7 + 7) % 7));
}

/*
 * The ISO 8601 week starting on Monday monday, as "AAAA-Snn" ("S" for
 * semaine): the week belongs to the year of its Thursday, and week 1 is
 * the one holding that year's first Thursday.
 */
static void
iso_week_label(int64_t monday, char out[16])
{
	struct segur_date thu, jan1;
	int		 week;

	segur_date_of_days(monday + 3, &thu);
	jan1 = (struct segur_date){ thu.year, 1, 1 };
	week = (int)((monday + 3 - segur_date_to_days(&jan1)) / 7) + 1;
	snprintf(out, 16, "%04d-S%02d", thu.year % 10000,
	    (week % 100 + 100) % 100);
}

int
segur__audit_iso_week(const char *date, char out[16])
{
	int64_t	 monday;

	if ((monday = week_monday(date)) < 0)
		return (SEGUR_EINVAL);
	iso_week_label(monday, out);
	return (0);
}

/* A malloc'ed copy of s cut after max characters (UTF-8 code points, never
 * inside one) with "…" when cut; NULL on ENOMEM. */
static char *
short_label(const char *s, size_t max)
{
	size_t	 i, chars = 0;

	for (i = 0; s[i] != '\0'; i++) {
		if (((unsigned char)s[i] & 0xc0) == 0x80)
			continue;
		if (chars++ == max)
			return (segur_asprintf("%.*s…", (int)i, s));
	}
	return (strdup(s));
}

struct report {
	struct segur_ledger	*l;
	struct segur_buf	*o;
	char			**cause;
	int			 nomem;
};

static void
add(struct report *r, const char *s)
{
	if (segur_buf_adds(r->o, s) != 0)
		r->nomem = 1;
}

static void
esc(struct report *r, const char *s)
{
	if (segur_html_escape(r->o, s != NULL ? s : "") != 0)
		r->nomem = 1;
}

static void
addf(struct report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
addf(struct report *r, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	if (segur_buf_vaddf(r->o, fmt, ap) != 0)
		r->nomem = 1;
	va_end(ap);
}

/* Counts and amounts per state, from the totals the triggers keep. */
struct totals {
	int64_t		 count[SEGUR_STATE_COUNT];
	int64_t		 cents[SEGUR_STATE_COUNT];
};

static int
totals_read(struct report *r, struct totals *t)
{
	sqlite3_stmt	*st;
	int		 k, rc;

	memset(t, 0, sizeof(*t));
	if (sqlite3_prepare_v2(r->l->db, "SELECT state, n, cents FROM "
	    "state_total", -1, &st, NULL) != SQLITE_OK)
		return (segur__db_error(r->l, r->cause, "report"));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		k = segur_state_parse((const char *)sqlite3_column_text(st, 0));
		if (k < 0)
			continue;
		t->count[k] = sqlite3_column_int64(st, 1);
		t->cents[k] = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	return (rc == SQLITE_DONE ? 0 : segur__db_error(r->l, r->cause,
	    "report"));
}

static int
section_funnel(struct report *r, const struct totals *st)
{
	struct segur_chart_bar bars[NFUNNEL];
	size_t		 i, n = 0;
	int64_t		 total = 0;

	for (i = 0; i < NFUNNEL; i++)
		total += st->count[funnel[i].state];
	for (i = 0; i < NFUNNEL; i++) {
		/* States nobody is in are left out, except the main path. */
		if (st->count[funnel[i].state] == 0 &&
		    funnel[i].state != SEGUR_STATE_SUBMITTED &&
		    funnel[i].state != SEGUR_STATE_ACCEPTED &&
		    funnel[i].state != SEGUR_STATE_GRANTED)
			continue;
		bars[n].label = funnel[i].label;
		bars[n++].value = st->count[funnel[i].state];
	}
	addf(r, "<section id=\"etats\"><h2>Demandes par état</h2>\n"
	    "<p><span class=\"big\" id=\"total-demandes\">%" PRId64
	    "</span> demande(s) au registre.</p>\n", total);
	if (segur_svg_bars(r->o, "Demandes par état", bars, n,
	    SEGUR_CHART_FUNNEL) != 0)
		r->nomem = 1;
	add(r, "<table class=\"num\"><tr><th>état</th><th>demandes</th>"
	    "<th>montant HT demandé</th></tr>\n");
	for (i = 0; i < NFUNNEL; i++) {
		char	 b[SEGUR_AMOUNT_BUFSZ];

		if (st->count[funnel[i].state] == 0)
			continue;
		addf(r, "<tr><td>%s</td><td>%" PRId64 "</td><td>%s €</td>"
		    "</tr>\n", funnel[i].label, st->count[funnel[i].state],
		    segur_amount_format_fr(st->cents[funnel[i].state], b));
	}
	add(r, "</table></section>\n");
	return (0);
}

static int
section_amounts(struct report *r)
{
	/* The figures every command prints (segur_ledger_figures(),
	 * docs/decisions.md): the report never computes its own. */
	static const enum segur_figure which[] = { SEGUR_FIGURE_REQUESTED,
	    SEGUR_FIGURE_GRANTED, SEGUR_FIGURE_ADVANCE_PAID,
	    SEGUR_FIGURE_BALANCE_PAID, SEGUR_FIGURE_BALANCE_AWAITED };
	struct segur_figures fg;
	static const char *const names[] = { "demandé à l'ASP", "accordé",
	    "avance reçue", "solde reçu", "solde attendu" };
	static const char *const ids[] = { "montant-demande",
	    "montant-accorde", "montant-avance", "montant-solde-recu",
	    "montant-solde-attendu" };
	struct segur_chart_bar bars[5];
	char		 b[SEGUR_AMOUNT_BUFSZ];
	int64_t		 v[5];
	int		 i, rc;

	if ((rc = segur_ledger_figures(r->l, NULL, &fg, r->cause)) != 0)
		return (rc);
	for (i = 0; i < 5; i++)
		v[i] = fg.cents[which[i]];
	add(r, "<section id=\"montants\"><h2>Montants (HT)</h2>\n"
	    "<dl class=\"kpi\">");
	for (i = 0; i < 5; i++) {
		addf(r, "<div><dt>%s</dt><dd id=\"%s\">%s €</dd></div>",
		    names[i], ids[i], segur_amount_format_fr(v[i], b));
		bars[i].label = names[i];
		bars[i].value = v[i];
	}
	add(r, "</dl>\n");
	if (segur_svg_bars(r->o, "Montants", bars, 5, SEGUR_CHART_AMOUNTS) !=
	    0)
		r->nomem = 1;
	add(r, "</section>\n");
	return (0);
}

/*
 * The amounts recorded against the rules with --force (docs/decisions.md):
 * their decision's note starts with "forcé : " and the reason.
 */
static int
section_forced(struct report *r)
{
	static const char *const q =
	    "SELECT r.ref, r.numero_asp, d.kind, d.date, d.amount_cents, "
	    "d.note FROM decision d JOIN request r ON r.id = d.request_id "
	    "WHERE d.note LIKE 'forcé : %' ORDER BY d.id";
	sqlite3_stmt	*st;
	char		 b[SEGUR_AMOUNT_BUFSZ];
	int		 rc, n = 0;

	if (sqlite3_prepare_v2(r->l->db, q, -1, &st, NULL) != SQLITE_OK)
		return (segur__db_error(r->l, r->cause, "report"));
	add(r, "<section id=\"forces\"><h2>Montants forcés</h2>\n");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n++ == 0)
			add(r, "<table><tr><th>référence</th><th>numéro "
			    "ASP</th><th>étape</th><th>date</th><th>montant"
			    "</th><th>motif</th></tr>\n");
		add(r, "<tr><td>");
		esc(r, (const char *)sqlite3_column_text(st, 0));
		add(r, "</td><td>");
		esc(r, (const char *)sqlite3_column_text(st, 1));
		add(r, "</td><td>");
		esc(r, (const char *)sqlite3_column_text(st, 2));
		add(r, "</td><td>");
		esc(r, (const char *)sqlite3_column_text(st, 3));
		addf(r, "</td><td>%s €</td><td>", segur_amount_format_fr(
		    sqlite3_column_int64(st, 4), b));
		esc(r, (const char *)sqlite3_column_text(st, 5));
		add(r, "</td></tr>\n");
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(r->l, r->cause, "report"));
	addf(r, "%s<p id=\"total-forces\">%d montant(s) forcé(s).</p>"
	    "</section>\n", n > 0 ? "</table>\n" : "", n);
	return (0);
}

static int
section_rejections(struct report *r)
{
	static const char *const q =
	    "SELECT coalesce(code_traitement, ''), "
	    "coalesce(libelle_traitement, '(sans libellé)'), count(*) FROM attempt WHERE outcome = "
	    "'rejected' GROUP BY 1, 2 ORDER BY 3 DESC, 2";
	struct segur_chart_bar bars[LABELS_MAX];
	char		*full[LABELS_MAX], *shrt[LABELS_MAX];
	sqlite3_stmt	*st;
	const char	*code, *lab;
	int64_t		 others = 0;
	size_t		 n = 0, i;

	if (sqlite3_prepare_v2(r->l->db, q, -1, &st, NULL) != SQLITE_OK)
		return (segur__db_error(r->l, r->cause, "report"));
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n == LABELS_MAX) {
			others += sqlite3_column_int64(st, 2);
			continue;
		}
		code = (const char *)sqlite3_column_text(st, 0);
		lab = (const char *)sqlite3_column_text(st, 1);
		full[n] = code[0] ? segur_asprintf("%s : %s", code, lab) :
		    strdup(lab);
		/* The chart's labels are short; the table has them whole. */
		shrt[n] = full[n] != NULL ? short_label(full[n], 28) : NULL;
		if (full[n] == NULL || shrt[n] == NULL)
			r->nomem = 1;
		bars[n].label = shrt[n] != NULL ? shrt[n] : "";
		bars[n++].value = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	add(r, "<section id=\"rejets\"><h2>Rejets par libellé de l'ASP</h2>\n");
	if (n == 0)
		add(r, "<p>Aucun rejet.</p>\n");
	else {
		if (segur_svg_bars(r->o, "Rejets par libellé", bars, n, 0) !=
		    0)
			r->nomem = 1;
		add(r, "<table><tr><th>libellé de l'ASP</th><th>rejets</th>"
		    "</tr>\n");
		for (i = 0; i < n; i++) {
			add(r, "<tr><td>");
			esc(r, full[i]);
			addf(r, "</td><td>%" PRId64 "</td></tr>\n",
			    bars[i].value);
		}
		if (others > 0)
			addf(r, "<tr><td>autres libellés</td><td>%" PRId64
			    "</td></tr>\n", others);
		add(r, "</table>\n");
	}
	add(r, "</section>\n");
	for (i = 0; i < n; i++) {
		free(full[i]);
		free(shrt[i]);
	}
	return (0);
}

/* Weeks shown at least: a short history still reads as a timeline. */
#define WEEKS_MIN	8

static int
section_timeline(struct report *r)
{
	static const char *const q =
	    "SELECT substr(created_at, 1, 10), 0, count(*) FROM attempt "
	    "GROUP BY 1 UNION ALL SELECT substr(answered_at, 1, 10), 1, "
	    "count(*) FROM attempt WHERE answered_at IS NOT NULL GROUP BY 1";
	struct point {
		int64_t	 monday;
		int	 answered;
		int64_t	 n;
	}		*pts = NULL, *np;
	sqlite3_stmt	*st;
	char		 labels[WEEKS_MAX][16];
	const char	*xl[WEEKS_MAX];
	int64_t		 sent[WEEKS_MAX], ans[WEEKS_MAX], first, last, mon, k;
	const int64_t	*series[2] = { sent, ans };
	const char	*names[2] = { "envoyées", "réponses de l'ASP" };
	size_t		 i, npts = 0, n;

	if (sqlite3_prepare_v2(r->l->db, q, -1, &st, NULL) != SQLITE_OK)
		return (segur__db_error(r->l, r->cause, "report"));
	while (sqlite3_step(st) == SQLITE_ROW) {
		mon = week_monday((const char *)sqlite3_column_text(st, 0));
		if (mon < 0)
			continue;
		if ((np = realloc(pts, (npts + 1) * sizeof(*pts))) == NULL) {
			r->nomem = 1;
			break;
		}
		pts = np;
		pts[npts].monday = mon;
		pts[npts].answered = sqlite3_column_int(st, 1);
		pts[npts++].n = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	add(r, "<section id=\"semaines\"><h2>Envois et réponses par semaine"
	    "</h2>\n");
	if (npts == 0) {
		add(r, "<p>Aucun envoi.</p>\n</section>\n");
		free(pts);
		return (0);
	}
	/* Every week from the first to the last, empty ones included; the
	 * last WEEKS_MAX of them, at least WEEKS_MIN. */
	first = last = pts[0].monday;
	for (i = 1; i < npts; i++) {
		if (pts[i].monday < first)
			first = pts[i].monday;
		if (pts[i].monday > last)
			last = pts[i].monday;
	}
	if ((last - first) / 7 + 1 > WEEKS_MAX)
		first = last - 7 * (WEEKS_MAX - 1);
	if ((last - first) / 7 + 1 < WEEKS_MIN)
		first = last - 7 * (WEEKS_MIN - 1);
	n = (size_t)((last - first) / 7 + 1);
	for (i = 0; i < n; i++) {
		iso_week_label(first + 7 * (int64_t)i, labels[i]);
		xl[i] = labels[i];
		sent[i] = ans[i] = 0;
	}
	for (i = 0; i < npts; i++) {
		if (pts[i].monday < first)
			continue;
		k = (pts[i].monday - first) / 7;
		if (pts[i].answered)
			ans[k] += pts[i].n;
		else
			sent[k] += pts[i].n;
	}
	free(pts);
	if (segur_svg_columns(r->o, "Envois et réponses par semaine", xl, n,
	    series, names, 2) != 0)
		r->nomem = 1;
	add(r, "<table class=\"num\"><tr><th>semaine</th><th>envoyées</th>"
	    "<th>réponses</th></tr>\n");
	for (i = 0; i < n; i++)
		if (sent[i] != 0 || ans[i] != 0)
			addf(r, "<tr><td>%s</td><td>%" PRId64 "</td><td>%"
			    PRId64 "</td></tr>\n", xl[i], sent[i], ans[i]);
	add(r, "</table>\n</section>\n");
	return (0);
}

/* One list of requests that need someone to act. */
static int
action_list(struct report *r, const char *state, const char *title,
    const char *action)
{
	static const char *const q =
	    "SELECT r.ref, r.updated_at, a.numero_editeur, r.numero_asp, "
	    "a.code_traitement, a.libelle_traitement, "
	    "(SELECT group_concat(DISTINCT e.finess_juridique) FROM "
	    "request_esms e WHERE e.request_id = r.id) "
	    "FROM request r LEFT JOIN attempt a ON a.request_id = r.id AND "
	    "a.seq = (SELECT max(seq) FROM attempt WHERE request_id = r.id) "
	    "WHERE r.state = ?1 ORDER BY r.updated_at, r.id";
	sqlite3_stmt	*st;
	int64_t		 n = 0;
	int		 rc, i;

	if (sqlite3_prepare_v2(r->l->db, q, -1, &st, NULL) != SQLITE_OK)
		return (segur__db_error(r->l, r->cause, "report"));
	sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
	addf(r, "<h3 id=\"a-faire-%s\">", state);
	esc(r, title);
	add(r, "</h3>\n<p>");
	esc(r, action);
	add(r, "</p>\n<table><tr><th>référence</th><th>OG</th>"
	    "<th>numeroEditeur</th><th>numeroASP</th><th>libellé de l'ASP</th>"
	    "<th>depuis</th></tr>\n");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (++n > LIST_MAX)
			continue;
		add(r, "<tr>");
		for (i = 0; i < 6; i++) {
			static const int col[] = { 0, 6, 2, 3, 5, 1 };
			const char *v = (const char *)sqlite3_column_text(st,
			    col[i]);

			add(r, "<td>");
			if (col[i] == 5 && sqlite3_column_text(st, 4) != NULL) {
				esc(r, (const char *)sqlite3_column_text(st,
				    4));
				add(r, " : ");
			}
			esc(r, v != NULL ? v : "");
			add(r, "</td>");
		}
		add(r, "</tr>\n");
	}
	sqlite3_finalize(st);
	if (n == 0)
		add(r, "<tr><td colspan=\"6\">aucune</td></tr>\n");
	add(r, "</table>\n");
	if (n > LIST_MAX)
		addf(r, "<p>… et %" PRId64 " autre(s) : segurctl request list "
		    "--state %s</p>\n", n - LIST_MAX, state);
	return (rc == SQLITE_DONE ? 0 : segur__db_error(r->l, r->cause,
	    "report"));
}

/*
 * The open anomalies, oldest first: what ingest could not record without
 * a guess and nobody has settled (segurctl anomalies resolve).
 */
static int
section_anomalies(struct report *r)
{
	struct segur_anomaly *v = NULL;
	size_t		 n = 0, i;
	int		 rc;

	if ((rc = segur_anomaly_list(r->l, 0, 0, &v, &n, r->cause)) != 0)
		return (rc);
	addf(r, "<section id=\"anomalies\"><h2>Anomalies ouvertes (%zu)"
	    "</h2>\n", n);
	if (n == 0) {
		add(r, "<p>Aucune.</p>\n</section>\n");
		return (0);
	}
	add(r, "<p>Vérifier chacune avec l'ASP, enregistrer ce qui est "
	    "confirmé par les commandes ordinaires, puis segurctl anomalies "
	    "resolve ID --note TEXTE.</p>\n<table><tr><th>n°</th><th>type</th>"
	    "<th>fichier</th><th>ligne</th><th>demande</th>"
	    "<th>numeroEditeur</th><th>anomalie</th><th>depuis</th></tr>\n");
	for (i = 0; i < n && i < LIST_MAX; i++) {
		addf(r, "<tr id=\"anomalie-%" PRId64 "\"><td>%" PRId64
		    "</td><td>", v[i].id, v[i].id);
		esc(r, v[i].kind);
		add(r, "</td><td>");
		esc(r, v[i].file);
		add(r, "</td><td>");
		if (v[i].line >= 0)
			addf(r, "%ld", v[i].line + 1);
		add(r, "</td><td>");
		esc(r, v[i].ref);
		add(r, "</td><td>");
		esc(r, v[i].numero_editeur);
		add(r, "</td><td>");
		esc(r, v[i].detail);
		add(r, "</td><td>");
		esc(r, v[i].at);
		add(r, "</td></tr>\n");
	}
	add(r, "</table>\n");
	if (n > LIST_MAX)
		addf(r, "<p>… et %zu autre(s) : segurctl anomalies</p>\n",
		    n - LIST_MAX);
	add(r, "</section>\n");
	segur_anomaly_free_array(v, n);
	return (0);
}

static const char style[] =
    "body{font:15px/1.4 sans-serif;margin:2em auto;max-width:60em;"
    "color:#222;padding:0 1em}"
    "h1{font-size:1.6em}h2{border-bottom:2px solid #1f5fa8;margin-top:2em}"
    "table{border-collapse:collapse;margin:1em 0}"
    "td,th{border:1px solid #bbb;padding:3px 8px;text-align:left}"
    "table.num td+td{text-align:right}"
    ".big{font-size:2em;font-weight:bold}"
    "dl.kpi{display:flex;flex-wrap:wrap;gap:1em}"
    "dl.kpi div{border:1px solid #bbb;padding:.5em 1em;min-width:10em}"
    "dt{font-size:.85em;color:#555}dd{margin:0;font-size:1.3em;"
    "font-weight:bold}"
    "svg{max-width:100%;height:auto;display:block}"
    "code{font-size:.8em;word-break:break-all}"
    "@media print{h2{page-break-after:avoid}}";

int
segur_audit_report_html(struct segur_ledger *l,
    const struct segur_chain_head *h, struct segur_buf *out, char **cause)
{
	struct report	 r = { l, out, cause, 0 };
	struct totals	 st;
	char		 now[24];
	int		 rc;

	/* One read transaction: every section sees the same ledger. */
	if ((rc = segur__exec(l, "BEGIN", cause)) != 0)
		return (rc);
	if ((rc = totals_read(&r, &st)) != 0) {
		segur__exec(l, "ROLLBACK", NULL);
		return (rc);
	}
	segur__ledger_now(now);
	add(&r, "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset="
	    "\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width"
	    "\">\n<title>Ségur numérique : état des demandes</title>\n<style>");
	add(&r, style);
	add(&r, "</style></head><body>\n<h1>Ségur numérique (MS1-DUI) : "
	    "état des demandes</h1>\n");
	add(&r, "<p>Registre <code>");
	esc(&r, l->path);
	addf(&r, "</code>, rapport du %s (UTC). Tête de la chaîne "
	    "d'événements : <code id=\"tete-chaine\">%s</code> (%" PRId64
	    " événements, %s)%s%s%s.</p>\n", now, h->hash, h->events, h->at,
	    h->seal[0] ? ", sceau <code>" : "", h->seal,
	    h->seal[0] ? "</code>" : "");
	if ((rc = section_funnel(&r, &st)) != 0 ||
	    (rc = section_amounts(&r)) != 0 ||
	    (rc = section_forced(&r)) != 0 ||
	    (rc = section_rejections(&r)) != 0 ||
	    (rc = section_timeline(&r)) != 0 ||
	    (rc = section_anomalies(&r)) != 0)
		goto out;
	add(&r, "<section id=\"a-faire\"><h2>À traiter</h2>\n");
	if ((rc = action_list(&r, "rejected", "Rejetées par l'ASP",
	    "Corriger selon le libellé de l'ASP, puis segurctl request "
	    "ready et un nouvel envoi.")) != 0 ||
	    (rc = action_list(&r, "ready", "Prêtes, pas encore envoyées",
	    "segurctl build, puis déposer les fichiers sur le portail.")) !=
	    0 ||
	    (rc = action_list(&r, "submitted", "Envoyées, sans réponse de "
	    "l'ASP", "Vérifier le dépôt sur le portail ; intégrer le fichier "
	    "retour (segurctl ingest).")) != 0 ||
	    (rc = action_list(&r, "accepted", "Acceptées, décision attendue",
	    "Enregistrer la décision de l'ASP (segurctl record grant ou "
	    "refusal).")) != 0 ||
	    (rc = action_list(&r, "advance_paid", "Avance versée, solde à "
	    "demander", "Préparer la demande de solde.")) != 0 ||
	    (rc = action_list(&r, "balance_rejected", "Solde rejeté",
	    "Corriger et redemander le solde.")) != 0)
		goto out;
	add(&r, "</section>\n<footer><p>Page statique produite par segurctl "
	    "report : ni script ni ressource externe.</p></footer>\n"
	    "</body></html>\n");
out:
	segur__exec(l, "COMMIT", NULL);
	if (rc == 0 && r.nomem)
		rc = segur_cause(cause, SEGUR_ENOMEM, "out of memory");
	return (rc);
}

/* ------------------------------------------------------------------ */
/* What segurd's console (lib/audit/console.c) takes from the report. */

const char *
segur__audit_report_css(void)
{
	return (style);
}

const char *
segur__audit_state_label(int s)
{
	size_t	 i;

	for (i = 0; i < NFUNNEL; i++)
		if ((int)funnel[i].state == s)
			return (funnel[i].label);
	return ("?");
}

int
segur__audit_report_dashboard(struct segur_ledger *l, struct segur_buf *out,
    char **cause)
{
	struct report	 r = { l, out, cause, 0 };
	struct totals	 st;
	int		 rc;

	/*
	 * The funnel only: it reads the totals the triggers keep. The
	 * amounts (segur_ledger_figures()) walk every decision, some 200 ms
	 * at 100,000 requests, beyond a page's budget (docs/decisions.md).
	 */
	if ((rc = totals_read(&r, &st)) == 0)
		rc = section_funnel(&r, &st);
	if (rc == 0 && r.nomem)
		rc = segur_cause(cause, SEGUR_ENOMEM, "out of memory");
	return (rc);
}
