/*
 * report-sections.c: the dashboard's sections (report.h): states,
 * amounts, forced amounts, rejections per ASP code, weeks, anomalies and
 * the lists of requests to act on, each with the command the guide says
 * to run (docs/guide.md, docs/solde.md).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "segur/anomaly.h"
#include "segur/date.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/report.h"
#include "segur/solde.h"
#include "segur/svg.h"
#include "segur/util.h"

#include "audit/audit-int.h"
#include "ledger/ledger-int.h"

/* Weeks shown on the timeline, the most recent ones; at least WEEKS_MIN
 * so that a short history still reads as a timeline. */
#define WEEKS_MAX	26
#define WEEKS_MIN	8
/* ASP codes of rejections shown, the most frequent ones. */
#define CODES_MAX	15
/* Rows of each list. */
#define LIST_MAX	100

/* The states in lifecycle order. */
static const enum segur_state lifecycle[] = {
	SEGUR_STATE_DRAFT, SEGUR_STATE_READY, SEGUR_STATE_SUBMITTED,
	SEGUR_STATE_REJECTED, SEGUR_STATE_ACCEPTED, SEGUR_STATE_GRANTED,
	SEGUR_STATE_REFUSED, SEGUR_STATE_ADVANCE_PAID,
	SEGUR_STATE_BALANCE_REQUESTED, SEGUR_STATE_BALANCE_ACCEPTED,
	SEGUR_STATE_BALANCE_REJECTED, SEGUR_STATE_BALANCE_PAID,
	SEGUR_STATE_CLOSED, SEGUR_STATE_WITHDRAWN
};
#define NLIFECYCLE	(sizeof(lifecycle) / sizeof(lifecycle[0]))

/* A column of a statement as text, "" for NULL. */
static const char *
col(sqlite3_stmt *st, int i)
{
	const char	*s = (const char *)sqlite3_column_text(st, i);

	return (s != NULL ? s : "");
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

static void
chart(struct segur_html *h, int rc)
{
	if (rc != 0)
		h->err = SEGUR_ENOMEM;
}

/* ------------------------------------------------------------------ */
/* States and amounts. */

/* Counts and amounts per state, from the totals the triggers keep. */
struct totals {
	int64_t		 count[SEGUR_STATE_COUNT];
	int64_t		 cents[SEGUR_STATE_COUNT];
};

static int
totals_read(struct segur_ledger *l, struct totals *t, char **cause)
{
	sqlite3_stmt	*st;
	int		 k, rc;

	memset(t, 0, sizeof(*t));
	if ((rc = segur__stmt(l, "SELECT state, n, cents FROM state_total",
	    &st, cause)) != 0)
		return (rc);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((k = segur_state_parse(col(st, 0))) < 0)
			continue;
		t->count[k] = sqlite3_column_int64(st, 1);
		t->cents[k] = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	return (rc == SQLITE_DONE ? 0 : segur__db_error(l, cause, "rapport"));
}

int
segur_report_states(struct segur_html *h, struct segur_ledger *l,
    char **cause)
{
	static const char *const heads[] = { "état", "n:demandes",
	    "n:montant HT demandé" };
	struct segur_chart_bar bars[NLIFECYCLE];
	struct totals	 t;
	enum segur_state s;
	size_t		 i, n = 0;
	int64_t		 total = 0;
	int		 rc;

	if ((rc = totals_read(l, &t, cause)) != 0)
		return (rc);
	for (i = 0; i < NLIFECYCLE; i++) {
		s = lifecycle[i];
		total += t.count[s];
		/* States nobody is in are left out, except the main path. */
		if (t.count[s] == 0 && s != SEGUR_STATE_SUBMITTED &&
		    s != SEGUR_STATE_ACCEPTED && s != SEGUR_STATE_GRANTED)
			continue;
		bars[n].label = segur_state_label(s);
		bars[n++].value = t.count[s];
	}
	segur_html_rawf(h, "<section id=\"etats\"><h2>Demandes par état</h2>\n"
	    "<p><span class=\"big\" id=\"total-demandes\">%" PRId64
	    "</span> demande(s) au registre.</p>\n", total);
	chart(h, segur_svg_bars(h->out, "Demandes par état", bars, n, 0));
	segur_html_table_begin(h, heads, 3);
	for (i = 0; i < NLIFECYCLE; i++) {
		s = lifecycle[i];
		if (t.count[s] == 0)
			continue;
		segur_html_rawf(h, "<tr id=\"etat-%s\">", segur_state_name(s));
		segur_html_td_text(h, segur_state_label(s));
		segur_html_rawf(h, "<td class=\"n\">%" PRId64 "</td>",
		    t.count[s]);
		segur_html_td_amount(h, t.cents[s]);
		segur_html_raw(h, "</tr>\n");
	}
	segur_html_table_end(h);
	segur_html_raw(h, "</section>\n");
	return (0);
}

int
segur_report_amounts(struct segur_html *h, struct segur_ledger *l,
    char **cause)
{
	/* The figures every command prints (segur_ledger_figures(),
	 * docs/decisions.md): the report never computes its own. */
	static const struct {
		enum segur_figure f;
		const char	*name, *id;
	} kpi[] = {
		{ SEGUR_FIGURE_REQUESTED, "demandé à l'ASP", "montant-demande" },
		{ SEGUR_FIGURE_GRANTED, "accordé", "montant-accorde" },
		{ SEGUR_FIGURE_ADVANCE_PAID, "avance reçue", "montant-avance" },
		{ SEGUR_FIGURE_BALANCE_PAID, "solde reçu",
		    "montant-solde-recu" },
		{ SEGUR_FIGURE_BALANCE_AWAITED, "solde attendu",
		    "montant-solde-attendu" },
	};
	struct segur_chart_bar bars[sizeof(kpi) / sizeof(kpi[0])];
	struct segur_figures fg;
	size_t		 i;
	int		 rc;

	if ((rc = segur_ledger_figures(l, NULL, &fg, cause)) != 0)
		return (rc);
	segur_html_raw(h, "<section id=\"montants\"><h2>Montants (HT)</h2>\n"
	    "<dl class=\"kpi\">");
	for (i = 0; i < sizeof(kpi) / sizeof(kpi[0]); i++) {
		segur_html_rawf(h, "<div><dt>%s</dt><dd id=\"%s\">",
		    kpi[i].name, kpi[i].id);
		segur_html_amount(h, fg.cents[kpi[i].f]);
		segur_html_raw(h, "</dd></div>");
		bars[i].label = kpi[i].name;
		bars[i].value = fg.cents[kpi[i].f];
	}
	segur_html_raw(h, "</dl>\n");
	chart(h, segur_svg_bars(h->out, "Montants", bars, i,
	    SEGUR_CHART_AMOUNTS));
	segur_html_raw(h, "</section>\n");
	return (0);
}

/* The French name of a decision's kind. */
static const char *
decision_fr(const char *kind)
{
	static const char *const names[][2] = {
		{ "grant", "accord" }, { "refusal", "refus" },
		{ "advance_paid", "avance versée" },
		{ "balance_paid", "solde versé" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(kind, names[i][0]) == 0)
			return (names[i][1]);
	return (kind);
}

/*
 * The amounts recorded against the rules with --force (docs/decisions.md):
 * their decision's note starts with "forcé : " and the reason.
 */
int
segur_report_forced(struct segur_html *h, struct segur_ledger *l,
    char **cause)
{
	static const char *const q =
	    "SELECT r.ref, r.numero_asp, d.kind, d.date, d.amount_cents, "
	    "d.note FROM decision d JOIN request r ON r.id = d.request_id "
	    "WHERE d.note LIKE 'forcé : %' ORDER BY d.id";
	static const char *const heads[] = { "référence", "numéro ASP",
	    "étape", "date", "n:montant", "motif" };
	sqlite3_stmt	*st;
	int		 rc, n = 0;

	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		return (rc);
	segur_html_raw(h, "<section id=\"forces\"><h2>Montants forcés</h2>\n");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n++ == 0)
			segur_html_table_begin(h, heads, 6);
		segur_html_raw(h, "<tr>");
		segur_html_td_text(h, col(st, 0));
		segur_html_td_text(h, col(st, 1));
		segur_html_td_text(h, decision_fr(col(st, 2)));
		segur_html_td_date(h, col(st, 3));
		segur_html_td_amount(h, sqlite3_column_int64(st, 4));
		segur_html_td_text(h, col(st, 5));
		segur_html_raw(h, "</tr>\n");
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(l, cause, "rapport"));
	if (n > 0)
		segur_html_table_end(h);
	segur_html_rawf(h, "<p id=\"total-forces\">%d montant(s) forcé(s)."
	    "</p></section>\n", n);
	return (0);
}

/* ------------------------------------------------------------------ */
/* Rejections. */

/* One ASP code with its rejections. */
struct code_row {
	char		*code;		/* owned; "" when ASP gave none */
	char		*label;		/* owned: the most frequent label */
	int64_t		 n;		/* rejections */
	int64_t		 labels;	/* distinct labels */
};

/*
 * Rejections per ASP code: ASP's labels cite the line's own values (a
 * FINESS, an amount), so the same cause reads differently on every line
 * and only the code groups them. Rejections without a code (a file the
 * portal refused whole: the portal's message) are grouped by label.
 */
int
segur_report_rejections(struct segur_html *h, struct segur_ledger *l,
    char **cause)
{
	static const char *const q =
	    "WITH lab AS (SELECT coalesce(code_traitement, '') AS code, "
	    " coalesce(libelle_traitement, '') AS label, count(*) AS n "
	    " FROM attempt WHERE outcome = 'rejected' GROUP BY 1, 2), "
	    "grp AS (SELECT code, label, n, CASE code WHEN '' THEN label "
	    " END AS k FROM lab), "
	    "ranked AS (SELECT code, label, "
	    " sum(n) OVER w AS total, count(*) OVER w AS labels, "
	    " row_number() OVER (PARTITION BY code, k ORDER BY n DESC, "
	    " label) AS rank FROM grp WINDOW w AS (PARTITION BY code, k)) "
	    "SELECT code, label, total, labels FROM ranked WHERE rank = 1 "
	    "ORDER BY total DESC, code, label";
	static const char *const heads[] = { "code",
	    "libellé de l'ASP (le plus fréquent)", "n:libellés différents",
	    "n:rejets" };
	struct segur_chart_bar bars[CODES_MAX];
	struct code_row	 rows[CODES_MAX];
	char		*shrt[CODES_MAX];
	sqlite3_stmt	*st;
	int64_t		 others = 0, ncodes_others = 0;
	size_t		 n = 0, i;
	int		 rc;

	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		return (rc);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == CODES_MAX) {
			others += sqlite3_column_int64(st, 2);
			ncodes_others++;
			continue;
		}
		rows[n].code = strdup(col(st, 0));
		rows[n].label = strdup(col(st, 1));
		rows[n].n = sqlite3_column_int64(st, 2);
		rows[n].labels = sqlite3_column_int64(st, 3);
		/* The chart's labels are short; the table has them whole. */
		shrt[n] = rows[n].code != NULL && rows[n].label != NULL ?
		    (rows[n].code[0] != '\0' ? segur_asprintf("%s : %s",
		    rows[n].code, rows[n].label) : strdup(rows[n].label)) :
		    NULL;
		if (shrt[n] != NULL) {
			char	*cut = short_label(shrt[n], 48);

			free(shrt[n]);
			shrt[n] = cut;
		}
		if (shrt[n] == NULL)
			h->err = SEGUR_ENOMEM;
		bars[n].label = shrt[n] != NULL ? shrt[n] : "";
		bars[n].value = rows[n].n;
		n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		rc = segur__db_error(l, cause, "rapport");
	else
		rc = 0;
	segur_html_raw(h, "<section id=\"rejets\"><h2>Rejets par code de "
	    "l'ASP</h2>\n");
	if (rc == 0 && n == 0)
		segur_html_raw(h, "<p>Aucun rejet.</p>\n");
	else if (rc == 0) {
		segur_html_raw(h, "<p>Les libellés de l'ASP citent les "
		    "valeurs de la ligne (un FINESS, un montant) : les rejets "
		    "sont regroupés par code, avec le libellé le plus "
		    "fréquent.</p>\n");
		chart(h, segur_svg_bars(h->out, "Rejets par code de l'ASP",
		    bars, n, 0));
		segur_html_table_begin(h, heads, 4);
		for (i = 0; i < n; i++) {
			segur_html_raw(h, "<tr class=\"rejet\">");
			segur_html_td_text(h, rows[i].code[0] != '\0' ? rows[i].code :
			    "(sans code)");
			segur_html_td_text(h, rows[i].label != NULL &&
			    rows[i].label[0] != '\0' ? rows[i].label :
			    "(sans libellé)");
			segur_html_rawf(h, "<td class=\"n\">%" PRId64 "</td>"
			    "<td class=\"n\">%" PRId64 "</td></tr>\n",
			    rows[i].labels, rows[i].n);
		}
		if (others > 0)
			segur_html_rawf(h, "<tr><td colspan=\"3\">%" PRId64
			    " autre(s) code(s)</td><td class=\"n\">%" PRId64
			    "</td></tr>\n", ncodes_others, others);
		segur_html_table_end(h);
	}
	segur_html_raw(h, "</section>\n");
	for (i = 0; i < n; i++) {
		free(rows[i].code);
		free(rows[i].label);
		free(shrt[i]);
	}
	return (rc);
}

/* ------------------------------------------------------------------ */
/* Weeks. */

/* The Monday (day number) of the week of "AAAA-MM-JJ...", or -1 when the
 * text is not a date. 1970-01-01 was a Thursday. */
static int64_t
week_monday(const char *date)
{
	struct segur_date dt;
	int64_t		 days;

	if (date == NULL || strlen(date) < 10 ||
	    segur_date_parse(date, 10, SEGUR_DATE_ISO, &dt) != 0)
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

int
segur_report_weeks(struct segur_html *h, struct segur_ledger *l,
    char **cause)
{
	/* The last day with a sending or an answer, then only the weeks
	 * shown: both through the indexes on those times (migration 014). */
	static const char *const q_last =
	    "SELECT max((SELECT max(created_at) FROM attempt), "
	    "(SELECT max(answered_at) FROM attempt))";
	static const char *const q =
	    "SELECT substr(created_at, 1, 10), 0, count(*) FROM attempt "
	    "WHERE created_at >= ?1 GROUP BY 1 UNION ALL "
	    "SELECT substr(answered_at, 1, 10), 1, count(*) FROM attempt "
	    "WHERE answered_at >= ?1 GROUP BY 1";
	static const char *const heads[] = { "semaine", "du", "n:envoyées",
	    "n:réponses" };
	struct point {
		int64_t	 monday;
		int	 answered;
		int64_t	 n;
	}		*pts = NULL, *np;
	sqlite3_stmt	*st;
	char		 labels[WEEKS_MAX][16], day[11];
	const char	*xl[WEEKS_MAX];
	int64_t		 sent[WEEKS_MAX], ans[WEEKS_MAX], first, last, mon, k;
	const int64_t	*series[2] = { sent, ans };
	const char	*names[2] = { "envoyées", "réponses de l'ASP" };
	char		 since[11] = "";
	size_t		 i, npts = 0, n;
	int		 rc;

	if ((rc = segur__stmt(l, q_last, &st, cause)) != 0)
		return (rc);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    (mon = week_monday(col(st, 0))) >= 0)
		segur_date_from_days(mon - 7 * (WEEKS_MAX - 1), since);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return (segur__db_error(l, cause, "rapport"));
	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, since);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((mon = week_monday(col(st, 0))) < 0)
			continue;
		if ((np = realloc(pts, (npts + 1) * sizeof(*pts))) == NULL) {
			h->err = SEGUR_ENOMEM;
			break;
		}
		pts = np;
		pts[npts].monday = mon;
		pts[npts].answered = sqlite3_column_int(st, 1);
		pts[npts++].n = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		free(pts);
		return (segur__db_error(l, cause, "rapport"));
	}
	segur_html_raw(h, "<section id=\"semaines\"><h2>Envois et réponses "
	    "par semaine</h2>\n");
	if (npts == 0) {
		segur_html_raw(h, "<p>Aucun envoi.</p>\n</section>\n");
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
	chart(h, segur_svg_columns(h->out, "Envois et réponses par semaine",
	    xl, n, series, names, 2));
	segur_html_table_begin(h, heads, 4);
	for (i = 0; i < n; i++) {
		if (sent[i] == 0 && ans[i] == 0)
			continue;
		segur_date_from_days(first + 7 * (int64_t)i, day);
		segur_html_rawf(h, "<tr><td class=\"nw\">%s</td>", xl[i]);
		segur_html_td_date(h, day);
		segur_html_rawf(h, "<td class=\"n\">%" PRId64 "</td><td "
		    "class=\"n\">%" PRId64 "</td></tr>\n", sent[i], ans[i]);
	}
	segur_html_table_end(h);
	segur_html_raw(h, "</section>\n");
	return (0);
}

/* ------------------------------------------------------------------ */
/* Anomalies. */

/*
 * The open anomalies, oldest first: what ingest could not record without
 * a guess and nobody has settled (segurctl anomalies resolve).
 */
int
segur_report_anomalies(struct segur_html *h, struct segur_ledger *l,
    char **cause)
{
	static const char *const heads[] = { "n:n°", "type", "fichier",
	    "n:ligne", "demande", "numéro éditeur", "anomalie", "depuis" };
	struct segur_anomaly *v = NULL;
	size_t		 n = 0, i;
	int		 rc;

	if ((rc = segur_anomaly_list(l, 0, 0, &v, &n, cause)) != 0)
		return (rc);
	segur_html_rawf(h, "<section id=\"anomalies\"><h2>Anomalies ouvertes "
	    "(%zu)</h2>\n", n);
	if (n == 0) {
		segur_html_raw(h, "<p>Aucune.</p>\n</section>\n");
		return (0);
	}
	segur_html_raw(h, "<p>Vérifier chacune avec l'ASP, enregistrer ce "
	    "qui est confirmé par les commandes ordinaires, puis :</p>\n"
	    "<p class=\"cmd\"><code>segurctl anomalies resolve --note "
	    "TEXTE N°</code></p>\n");
	segur_html_table_begin(h, heads, 8);
	for (i = 0; i < n && i < LIST_MAX; i++) {
		segur_html_rawf(h, "<tr id=\"anomalie-%" PRId64 "\"><td "
		    "class=\"n\">%" PRId64 "</td>", v[i].id, v[i].id);
		segur_html_raw(h, "<td><code>");
		segur_html_text(h, v[i].kind);
		segur_html_raw(h, "</code></td>");
		segur_html_td_text(h, v[i].file);
		if (v[i].line >= 0)
			segur_html_rawf(h, "<td class=\"n\">%ld</td>",
			    v[i].line + 1);
		else
			segur_html_raw(h, "<td></td>");
		segur_html_td_text(h, v[i].ref);
		segur_html_td_text(h, v[i].numero_editeur);
		segur_html_td_text(h, v[i].detail);
		segur_html_td_date(h, v[i].at);
		segur_html_raw(h, "</tr>\n");
	}
	segur_html_table_end(h);
	if (n > LIST_MAX)
		segur_html_rawf(h, "<p>… et %zu autre(s) : <code>segurctl "
		    "anomalies</code></p>\n", n - LIST_MAX);
	segur_html_raw(h, "</section>\n");
	segur_anomaly_free_array(v, n);
	return (0);
}

/* ------------------------------------------------------------------ */
/* The lists of requests to act on. */

/* One list of requests in one state, the oldest first. */
struct todo {
	const char	*state;
	const char	*title;
	const char	*advice;	/* markup: what to do, the commands */
	const char	*since;		/* heading of the date column */
	const char	*number;	/* heading of the number column */
};

/*
 * The requests of one state: reference, OGs, the number of the last
 * attempt (numeroASP once accepted, else numeroEditeur), the amount
 * requested, the date the state was reached (the last answer, else the
 * last sending, else the request's change) and ASP's code and label.
 * Oldest first by the request's last change, the time its state was
 * reached: the index on (state, updated_at, id) reads only the rows shown,
 * where sorting on the attempt's time would read the whole state.
 */
static int
todo_list(struct segur_html *h, struct segur_ledger *l,
    const struct todo *t, int64_t total, char **cause)
{
	static const char *const q =
	    "SELECT r.ref, (SELECT group_concat(DISTINCT e.finess_juridique) "
	    " FROM request_esms e WHERE e.request_id = r.id), "
	    "coalesce(r.numero_asp, a.numero_editeur), r.montant_cents, "
	    "coalesce(CASE WHEN r.state = 'submitted' THEN a.created_at ELSE "
	    " a.answered_at END, r.updated_at) AS since, "
	    "a.code_traitement, a.libelle_traitement "
	    "FROM request r LEFT JOIN attempt a ON a.request_id = r.id AND "
	    "a.seq = (SELECT max(seq) FROM attempt WHERE request_id = r.id) "
	    "WHERE r.state = ?1 ORDER BY r.updated_at, r.id LIMIT ?2";
	const char	*heads[] = { "référence", "OG", t->number,
	    "n:montant HT", t->since, "libellé de l'ASP" };
	int		 rej = strcmp(t->state, "rejected") == 0;
	sqlite3_stmt	*st;
	int		 rc;

	segur_html_rawf(h, "<h3 id=\"a-faire-%s\">%s (%" PRId64 ")</h3>\n",
	    t->state, t->title, total);
	if (total == 0) {
		segur_html_raw(h, "<p>Aucune.</p>\n");
		return (0);
	}
	segur_html_raw(h, t->advice);
	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, t->state);
	sqlite3_bind_int(st, 2, LIST_MAX);
	segur_html_table_begin(h, heads, rej ? 6 : 5);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		segur_html_raw(h, "<tr>");
		segur_html_td_text(h, col(st, 0));
		segur_html_td_text(h, col(st, 1));
		segur_html_td_text(h, col(st, 2));
		segur_html_td_amount(h, sqlite3_column_int64(st, 3));
		segur_html_td_date(h, col(st, 4));
		if (rej) {
			segur_html_raw(h, "<td>");
			if (sqlite3_column_type(st, 5) != SQLITE_NULL) {
				segur_html_text(h, col(st, 5));
				segur_html_raw(h, " : ");
			}
			segur_html_text(h, col(st, 6));
			segur_html_raw(h, "</td>");
		}
		segur_html_raw(h, "</tr>\n");
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(l, cause, "rapport"));
	segur_html_table_end(h);
	if (total > LIST_MAX)
		segur_html_rawf(h, "<p>… et %" PRId64 " autre(s) : <code>"
		    "segurctl request list --state %s</code></p>\n",
		    total - LIST_MAX, t->state);
	return (0);
}

/* The advances awaiting their balance (segur_solde_list()), kept whole
 * to be sorted by deadline. */
struct solde_rows {
	struct segur_solde_row *v;	/* owned; each esms NULL */
	size_t		 n;
	int		 nomem;
};

static int
solde_collect(void *arg, const struct segur_solde_row *row)
{
	struct solde_rows *s = arg;
	struct segur_solde_row *nv;

	if ((nv = reallocarray(s->v, s->n + 1, sizeof(*nv))) == NULL) {
		s->nomem = 1;
		return (1);
	}
	s->v = nv;
	s->v[s->n] = *row;
	s->v[s->n++].esms = NULL;	/* borrowed for the call only */
	return (0);
}

/* Overdue first: the earliest deadline first, those without one last,
 * then the oldest advance. */
static int
solde_cmp(const void *a, const void *b)
{
	const struct segur_solde_row *x = a, *y = b;
	int	 c;

	if ((x->deadline[0] == '\0') != (y->deadline[0] == '\0'))
		return (x->deadline[0] == '\0' ? 1 : -1);
	if ((c = strcmp(x->deadline, y->deadline)) != 0)
		return (c);
	if ((c = strcmp(x->advance_date, y->advance_date)) != 0)
		return (c);
	return (x->request_id < y->request_id ? -1 :
	    x->request_id > y->request_id);
}

/* The deadline's cell: the date and the days left or overdue. */
static void
td_deadline(struct segur_html *h, const struct segur_solde_row *r)
{
	segur_html_raw(h, "<td class=\"nw\">");
	if (r->deadline[0] == '\0')
		segur_html_raw(h, "aucune");
	else {
		segur_html_date(h, r->deadline);
		if (r->overdue)
			segur_html_rawf(h, "<br><span class=\"retard\">en "
			    "retard de %" PRId64 " j</span>", -r->days_left);
		else
			segur_html_rawf(h, "<br>dans %" PRId64 " j",
			    r->days_left);
	}
	segur_html_raw(h, "</td>");
}

/* One list of balances to request (the rows of s in state, sorted):
 * amounts, deadline, and what to run for each. */
static void
todo_solde(struct segur_html *h, const struct solde_rows *s,
    const char *state, const char *title, const char *advice)
{
	static const char *const heads[] = { "numéro ASP", "référence",
	    "OG", "n:accordé", "n:avance", "n:solde attendu",
	    "avance versée le", "échéance", "à faire" };
	const struct segur_solde_row *r;
	size_t		 i, n = 0, overdue = 0;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i].state, state) == 0) {
			n++;
			overdue += s->v[i].overdue != 0;
		}
	segur_html_rawf(h, "<h3 id=\"a-faire-%s\">%s (%zu", state, title, n);
	if (overdue > 0)
		segur_html_rawf(h, ", dont <span class=\"retard\">%zu en "
		    "retard</span>", overdue);
	segur_html_raw(h, ")</h3>\n");
	if (n == 0) {
		segur_html_raw(h, "<p>Aucune.</p>\n");
		return;
	}
	segur_html_raw(h, advice);
	segur_html_table_begin(h, heads, 9);
	for (i = 0, n = 0; i < s->n; i++) {
		r = &s->v[i];
		if (strcmp(r->state, state) != 0 || n++ >= LIST_MAX)
			continue;
		segur_html_rawf(h, "<tr%s><td class=\"nw\">", r->overdue ?
		    " class=\"en-retard\"" : "");
		segur_html_text(h, r->numero_asp);
		segur_html_raw(h, "</td>");
		segur_html_td_text(h, r->ref);
		segur_html_td_text(h, r->og);
		segur_html_td_amount(h, r->granted_cents);
		segur_html_td_amount(h, r->advance_cents);
		segur_html_td_amount(h, r->balance_cents);
		segur_html_td_date(h, r->advance_date);
		td_deadline(h, r);
		/* The delivery makes it ready for its balance (solde.md);
		 * the commands are above the table. */
		segur_html_raw(h, r->delivered ? "<td>livraison enregistrée "
		    ": <code>solde build</code></td>" : "<td>livraison à "
		    "enregistrer : <code>record delivered</code></td>");
		segur_html_raw(h, "</tr>\n");
	}
	segur_html_table_end(h);
	if (n > LIST_MAX)
		segur_html_rawf(h, "<p>… et %zu autre(s) : <code>segurctl solde "
		    "list</code></p>\n", n - LIST_MAX);
}

int
segur_report_todo(struct segur_html *h, struct segur_ledger *l,
    char **cause)
{
	/* The commands are the guide's (docs/guide.md, docs/solde.md). */
	static const struct todo lists[] = {
		{ "rejected", "Rejetées par l'ASP",
		    "<p>Lire le libellé de l'ASP, corriger la demande, puis la "
		    "renvoyer ; elle reçoit un nouveau numéro éditeur au "
		    "prochain envoi.</p>\n<p class=\"cmd\"><code>segurctl "
		    "request show RÉF</code><br><code>segurctl request edit "
		    "RÉF corrigée.json</code><br><code>segurctl resubmit RÉF"
		    "</code> (ou <code>segurctl resubmit --all-rejected</code>)"
		    "<br><code>segurctl build --out depot/</code></p>\n",
		    "rejetée le", "numéro éditeur" },
		{ "ready", "Prêtes, pas encore envoyées",
		    "<p>Construire les fichiers, puis les déposer sur le "
		    "portail tels quels.</p>\n<p class=\"cmd\"><code>segurctl "
		    "build --out depot/</code></p>\n",
		    "prête depuis le", "numéro éditeur" },
		{ "submitted", "Envoyées, sans réponse de l'ASP",
		    "<p>Vérifier le dépôt sur le portail ; intégrer le fichier "
		    "retour de l'ASP (ou le déposer dans la boîte de segurd)."
		    "</p>\n<p class=\"cmd\"><code>segurctl ingest "
		    "JSON-….retour.json</code></p>\n",
		    "envoyée le", "numéro éditeur" },
		{ "accepted", "Acceptées, décision attendue",
		    "<p>Enregistrer la décision de l'ASP.</p>\n<p class=\"cmd\">"
		    "<code>segurctl record grant --date AAAA-MM-JJ NUMÉRO_ASP"
		    "</code> (ou <code>segurctl record refusal</code>)</p>\n",
		    "acceptée le", "numéro ASP" },
	};
	static const char solde_advice[] =
	    "<p>Enregistrer la livraison avec la facture et le procès-verbal "
	    "de recette, puis construire les fichiers de solde et les "
	    "déposer. Les demandes en retard sur leur échéance viennent en "
	    "premier.</p>\n<p class=\"cmd\"><code>segurctl record delivered "
	    "NUMÉRO_ASP --date J --invoice NUM --invoice-date J --amount "
	    "EUROS --facture facture.pdf --pv pv.pdf</code><br><code>segurctl "
	    "solde build --out depot/</code></p>\n";
	static const char rejected_advice[] =
	    "<p>Corriger la livraison (facture ou procès-verbal) en "
	    "l'enregistrant de nouveau, puis redemander le solde.</p>\n"
	    "<p class=\"cmd\"><code>segurctl record delivered NUMÉRO_ASP …"
	    "</code><br><code>segurctl solde build --out depot/</code></p>\n";
	struct segur_solde_filter f = { NULL, NULL, 0 };
	struct solde_rows s = { NULL, 0, 0 };
	struct totals	 t;
	size_t		 i;
	int		 rc;

	if ((rc = totals_read(l, &t, cause)) != 0)
		return (rc);
	segur_html_raw(h, "<section id=\"a-faire\"><h2>À traiter</h2>\n");
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		if ((rc = todo_list(h, l, &lists[i], t.count[segur_state_parse(
		    lists[i].state)], cause)) != 0)
			return (rc);
	/* Both balance lists from one walk (today: UTC, as solde list). */
	if ((rc = segur_solde_list(l, &f, solde_collect, &s, cause)) != 0 &&
	    !s.nomem) {
		free(s.v);
		return (rc);
	}
	if (s.nomem) {
		free(s.v);
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	}
	if (s.n > 0)
		qsort(s.v, s.n, sizeof(*s.v), solde_cmp);
	todo_solde(h, &s, "advance_paid", "Avance versée, solde à demander",
	    solde_advice);
	todo_solde(h, &s, "balance_rejected", "Solde rejeté par l'ASP",
	    rejected_advice);
	free(s.v);
	segur_html_raw(h, "</section>\n");
	return (0);
}

int
segur_report_dashboard(struct segur_html *h, struct segur_ledger *l,
    char **cause)
{
	int	 rc;

	/* One read transaction: every section sees the same ledger. */
	if ((rc = segur__exec(l, "BEGIN", cause)) != 0)
		return (rc);
	if ((rc = segur_report_states(h, l, cause)) == 0 &&
	    (rc = segur_report_amounts(h, l, cause)) == 0 &&
	    (rc = segur_report_forced(h, l, cause)) == 0 &&
	    (rc = segur_report_rejections(h, l, cause)) == 0 &&
	    (rc = segur_report_weeks(h, l, cause)) == 0 &&
	    (rc = segur_report_anomalies(h, l, cause)) == 0)
		rc = segur_report_todo(h, l, cause);
	segur__exec(l, "COMMIT", NULL);
	if (rc == 0 && h->err != 0)
		rc = segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
	return (rc);
}
