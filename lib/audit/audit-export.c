/*
 * audit-export.c: one row per attempt, with every identifier, date,
 * amount and ASP label, as CSV (csvout.h) or JSON (audit.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "segur/amount.h"
#include "segur/audit.h"
#include "segur/csvout.h"
#include "segur/date.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "audit/audit-int.h"
#include "ledger/ledger-int.h"

/* The columns of the attempt rows, in the order of attempts_sql. Names
 * follow the guide's camelCase where the guide has the word
 * (numeroEditeur, numeroASP, codeTraitement...), French otherwise: an
 * auditor holding the guide finds them by search. docs/audit.md describes
 * each. */
static const struct segur__xcol attempt_cols[] = {
	{ "reference", SEGUR_XCOL_ID },
	{ "numeroAns", SEGUR_XCOL_ID },
	{ "tentative", SEGUR_XCOL_INT },
	{ "numeroEditeur", SEGUR_XCOL_ID },
	{ "numeroASP", SEGUR_XCOL_ID },
	{ "etat", SEGUR_XCOL_STATE },
	{ "resultatTentative", SEGUR_XCOL_TEXT },
	{ "codeTraitement", SEGUR_XCOL_ID },
	{ "libelleTraitement", SEGUR_XCOL_TEXT },
	{ "fichierEnvoye", SEGUR_XCOL_TEXT },
	{ "numLigne", SEGUR_XCOL_INT },
	{ "fichierReponse", SEGUR_XCOL_TEXT },
	{ "finessJuridique", SEGUR_XCOL_ID },
	{ "finessGeo", SEGUR_XCOL_ID },
	{ "regimeTva", SEGUR_XCOL_TEXT },
	{ "dateCommande", SEGUR_XCOL_DATE },
	{ "dateSoumission", SEGUR_XCOL_TIME },
	{ "dateReponse", SEGUR_XCOL_TIME },
	{ "dateAccord", SEGUR_XCOL_DATE },
	{ "dateRefus", SEGUR_XCOL_DATE },
	{ "montantDemande", SEGUR_XCOL_AMOUNT },
	{ "montantAccorde", SEGUR_XCOL_AMOUNT },
	{ "dateAvance", SEGUR_XCOL_DATE },
	{ "montantAvance", SEGUR_XCOL_AMOUNT },
	{ "dateSolde", SEGUR_XCOL_DATE },
	{ "montantSolde", SEGUR_XCOL_AMOUNT },
	{ "piecesJustificatives", SEGUR_XCOL_TEXT },
	{ "motifRetrait", SEGUR_XCOL_TEXT }
};
#define NCOLS	(sizeof(attempt_cols) / sizeof(attempt_cols[0]))

/*
 * Decisions follow the accepted attempt only, so that summing a column
 * over the rows gives the ledger's totals even after resubmissions.
 */
#define DECISION(kind, what) \
	"CASE WHEN a.outcome = 'accepted' THEN (SELECT " what " FROM " \
	"decision d WHERE d.request_id = r.id AND d.kind = '" kind "' " \
	"ORDER BY d.id DESC LIMIT 1) END"

/* The OGs and ESMS of request r, comma-separated. */
#define FINESS_LISTS \
	"(SELECT group_concat(j, ',') FROM (SELECT DISTINCT " \
	"finess_juridique j FROM request_esms WHERE request_id = r.id " \
	"ORDER BY 1)), " \
	"(SELECT group_concat(g, ',') FROM (SELECT finess_geo g " \
	"FROM request_esms WHERE request_id = r.id ORDER BY 1))"

/* The filter on request r: its OG (?1). */
#define OG_FILTER \
	"(?1 IS NULL OR EXISTS (SELECT 1 FROM request_esms e " \
	"WHERE e.request_id = r.id AND e.finess_juridique = ?1))"

/* The day of submission (or of registration, never sent) within ?2..?3. */
#define DAY_IN_SPAN(day) \
	"((?2 IS NULL OR substr(" day ", 1, 10) >= ?2) AND " \
	"(?3 IS NULL OR substr(" day ", 1, 10) <= ?3))"

/* Request r has a row among the attempts the filter keeps: the other
 * sheets speak of the same requests. */
#define REQUEST_KEPT \
	OG_FILTER " AND ((?2 IS NULL AND ?3 IS NULL) OR " \
	"EXISTS (SELECT 1 FROM attempt a WHERE a.request_id = r.id AND " \
	DAY_IN_SPAN("a.created_at") ") OR (NOT EXISTS (SELECT 1 FROM " \
	"attempt a WHERE a.request_id = r.id) AND " \
	DAY_IN_SPAN("r.created_at") "))"

static const char *const attempts_sql =
    "SELECT r.ref, s.numero_ans, a.seq, a.numero_editeur, a.numero_asp, "
    "r.state, a.outcome, a.code_traitement, a.libelle_traitement, "
    "f.name, a.num_ligne, af.name, " FINESS_LISTS ", "
    "r.regime_tva, r.date_commande, a.created_at, a.answered_at, "
    DECISION("grant", "date") ", " DECISION("refusal", "date") ", "
    "r.montant_cents, "
    "CASE WHEN a.outcome = 'accepted' THEN (SELECT coalesce(d.amount_cents, "
    "r.montant_cents) FROM decision d WHERE d.request_id = r.id AND "
    "d.kind = 'grant' ORDER BY d.id DESC LIMIT 1) END, "
    DECISION("advance_paid", "date") ", "
    DECISION("advance_paid", "amount_cents") ", "
    DECISION("balance_paid", "date") ", "
    DECISION("balance_paid", "amount_cents") ", "
    "(SELECT group_concat(n, ',') FROM (SELECT nom_fichier n "
    "FROM attempt_document WHERE attempt_id = a.id ORDER BY 1)), "
    "r.withdraw_reason "
    "FROM request r JOIN software s ON s.id = r.software_id "
    "LEFT JOIN attempt a ON a.request_id = r.id "
    "LEFT JOIN file f ON f.id = a.file_id "
    "LEFT JOIN file af ON af.id = a.answer_file_id "
    "WHERE " OG_FILTER " AND "
    DAY_IN_SPAN("coalesce(a.created_at, r.created_at)") " "
    "ORDER BY r.id, a.seq";

/* One row per request: where it stands now. */
static const struct segur__xcol request_cols[] = {
	{ "reference", SEGUR_XCOL_ID },
	{ "numeroAns", SEGUR_XCOL_ID },
	{ "siret", SEGUR_XCOL_ID },
	{ "etat", SEGUR_XCOL_STATE },
	{ "numeroEditeur", SEGUR_XCOL_ID },
	{ "numeroASP", SEGUR_XCOL_ID },
	{ "tentatives", SEGUR_XCOL_INT },
	{ "finessJuridique", SEGUR_XCOL_ID },
	{ "finessGeo", SEGUR_XCOL_ID },
	{ "regimeTva", SEGUR_XCOL_TEXT },
	{ "dateCommande", SEGUR_XCOL_DATE },
	{ "montantDemande", SEGUR_XCOL_AMOUNT },
	{ "dateAccord", SEGUR_XCOL_DATE },
	{ "montantAccorde", SEGUR_XCOL_AMOUNT },
	{ "dateRefus", SEGUR_XCOL_DATE },
	{ "dateAvance", SEGUR_XCOL_DATE },
	{ "montantAvance", SEGUR_XCOL_AMOUNT },
	{ "dateSolde", SEGUR_XCOL_DATE },
	{ "montantSolde", SEGUR_XCOL_AMOUNT },
	{ "motifRetrait", SEGUR_XCOL_TEXT },
	{ "dateEnregistrement", SEGUR_XCOL_TIME },
	{ "dateMiseAJour", SEGUR_XCOL_TIME }
};

#define LAST_DECISION(kind, what) \
	"(SELECT " what " FROM decision d WHERE d.request_id = r.id AND " \
	"d.kind = '" kind "' ORDER BY d.id DESC LIMIT 1)"

static const char *const requests_sql =
    "SELECT r.ref, s.numero_ans, s.siret, r.state, r.numero_editeur, "
    "r.numero_asp, (SELECT count(*) FROM attempt a WHERE "
    "a.request_id = r.id), " FINESS_LISTS ", r.regime_tva, r.date_commande, "
    "r.montant_cents, " LAST_DECISION("grant", "date") ", "
    LAST_DECISION("grant", "coalesce(d.amount_cents, r.montant_cents)") ", "
    LAST_DECISION("refusal", "date") ", "
    LAST_DECISION("advance_paid", "date") ", "
    LAST_DECISION("advance_paid", "amount_cents") ", "
    LAST_DECISION("balance_paid", "date") ", "
    LAST_DECISION("balance_paid", "amount_cents") ", "
    "r.withdraw_reason, r.created_at, r.updated_at "
    "FROM request r JOIN software s ON s.id = r.software_id "
    "WHERE " REQUEST_KEPT " ORDER BY r.id";

/* One row per payment ASP made: advances and balances. */
static const struct segur__xcol payment_cols[] = {
	{ "reference", SEGUR_XCOL_ID },
	{ "numeroASP", SEGUR_XCOL_ID },
	{ "finessJuridique", SEGUR_XCOL_ID },
	{ "versement", SEGUR_XCOL_TEXT },
	{ "dateVersement", SEGUR_XCOL_DATE },
	{ "montant", SEGUR_XCOL_AMOUNT },
	{ "referenceCourrier", SEGUR_XCOL_TEXT },
	{ "note", SEGUR_XCOL_TEXT },
	{ "dateEnregistrement", SEGUR_XCOL_TIME }
};

static const char *const payments_sql =
    "SELECT r.ref, r.numero_asp, (SELECT group_concat(j, ',') FROM "
    "(SELECT DISTINCT finess_juridique j FROM request_esms WHERE "
    "request_id = r.id ORDER BY 1)), CASE d.kind WHEN 'advance_paid' "
    "THEN 'avance' ELSE 'solde' END, d.date, d.amount_cents, d.letter_ref, "
    "d.note, d.recorded_at "
    "FROM decision d JOIN request r ON r.id = d.request_id "
    "WHERE d.kind IN ('advance_paid', 'balance_paid') AND " REQUEST_KEPT " "
    "ORDER BY d.date, d.id";

/* One row per anomaly ingest recorded, open or resolved. */
static const struct segur__xcol anomaly_cols[] = {
	{ "numero", SEGUR_XCOL_INT },
	{ "date", SEGUR_XCOL_TIME },
	{ "type", SEGUR_XCOL_TEXT },
	{ "reference", SEGUR_XCOL_ID },
	{ "numeroEditeur", SEGUR_XCOL_ID },
	{ "fichier", SEGUR_XCOL_TEXT },
	{ "ligne", SEGUR_XCOL_INT },
	{ "detail", SEGUR_XCOL_TEXT },
	{ "retourASP", SEGUR_XCOL_TEXT },
	{ "dateResolution", SEGUR_XCOL_TIME },
	{ "resoluePar", SEGUR_XCOL_TEXT },
	{ "noteResolution", SEGUR_XCOL_TEXT }
};

/* An anomaly of a file as a whole (no request) belongs to no OG and no
 * span: it is listed when the export is not filtered. */
static const char *const anomalies_sql =
    "SELECT n.id, n.at, n.kind, r.ref, a.numero_editeur, f.name, "
    "n.line_index + 1, n.detail, n.returned, n.resolved_at, n.resolved_by, "
    "n.resolution_note "
    "FROM anomaly n LEFT JOIN attempt a ON a.id = n.attempt_id "
    "LEFT JOIN request r ON r.id = coalesce(n.request_id, a.request_id) "
    "LEFT JOIN file f ON f.id = n.file_id "
    "WHERE (r.id IS NULL AND ?1 IS NULL AND ?2 IS NULL AND ?3 IS NULL) OR "
    "(r.id IS NOT NULL AND " REQUEST_KEPT ") ORDER BY n.id";

#define SHEET(title, sql, cols) \
	{ title, sql, cols, sizeof(cols) / sizeof((cols)[0]) }

static const struct segur__xsheet sheets[SEGUR_XSHEET_COUNT] = {
	[SEGUR_XSHEET_REQUESTS] = SHEET("Demandes", requests_sql,
	    request_cols),
	[SEGUR_XSHEET_ATTEMPTS] = SHEET("Tentatives", attempts_sql,
	    attempt_cols),
	[SEGUR_XSHEET_PAYMENTS] = SHEET("Versements", payments_sql,
	    payment_cols),
	[SEGUR_XSHEET_ANOMALIES] = SHEET("Anomalies", anomalies_sql,
	    anomaly_cols)
};

const struct segur__xsheet *
segur__export_sheet(int which)
{
	if (which < 0 || which >= SEGUR_XSHEET_COUNT)
		return (NULL);
	return (&sheets[which]);
}

int
segur__export_prepare(struct segur_ledger *l,
    const struct segur__xsheet *sheet, const struct segur_export_filter *f,
    sqlite3_stmt **st, char **cause)
{
	if (sqlite3_prepare_v2(l->db, sheet->sql, -1, st, NULL) != SQLITE_OK)
		return (segur__db_error(l, cause, "préparation de l'export"));
	if (segur__bind_text(*st, 1, f->og) != SQLITE_OK ||
	    segur__bind_text(*st, 2, f->from) != SQLITE_OK ||
	    segur__bind_text(*st, 3, f->to) != SQLITE_OK) {
		sqlite3_finalize(*st);
		*st = NULL;
		return (segur__db_error(l, cause, "préparation de l'export"));
	}
	return (0);
}

/* Does s match pattern, where '9' stands for any digit? */
static int
matches(const char *s, const char *pattern)
{
	for (; *pattern != '\0'; s++, pattern++)
		if (*pattern == '9' ? (*s < '0' || *s > '9') : *s != *pattern)
			return (0);
	return (*s == '\0');
}

/* The number written by the n digits at s (matches() checked them). */
static int
digits(const char *s, int n)
{
	int	 v = 0;

	while (n-- > 0)
		v = v * 10 + (*s++ - '0');
	return (v);
}

int
segur__export_time(const char *s, struct segur__xtime *t)
{
	int	 kind;

	if (s == NULL)
		return (0);
	if (matches(s, "9999-99-99"))
		kind = 1;
	else if (matches(s, "9999-99-99T99:99:99Z"))
		kind = 2;
	else
		return (0);
	t->year = digits(s, 4);
	t->month = digits(s + 5, 2);
	t->day = digits(s + 8, 2);
	t->hour = kind == 2 ? digits(s + 11, 2) : 0;
	t->min = kind == 2 ? digits(s + 14, 2) : 0;
	t->sec = kind == 2 ? digits(s + 17, 2) : 0;
	if (!segur_date_valid(t->year, t->month, t->day) || t->hour > 23 ||
	    t->min > 59 || t->sec > 59)
		return (0);
	return (kind);
}

/* The head's columns, on every CSV row: no comment line, no special
 * row, and any excerpt of the file still names the head it came with. */
static const char *const head_cols[] = {
	"teteChaine", "evenementsChaine", "dateTeteChaine", "sceauTeteChaine"
};

/* The French label of the state named s, or NULL. */
static const char *
state_label(const char *s)
{
	int	 st = segur_state_parse(s);

	return (st < 0 ? NULL : segur_state_label((enum segur_state)st));
}

static void
csv_row(struct segur_csvw *w, sqlite3_stmt *st,
    const struct segur_chain_head *h)
{
	const char	*t;
	size_t		 i;

	for (i = 0; i < NCOLS; i++) {
		t = (const char *)sqlite3_column_text(st, (int)i);
		if (t == NULL) {
			if (attempt_cols[i].kind == SEGUR_XCOL_STATE)
				segur_csvw_empty(w);
			segur_csvw_empty(w);
			continue;
		}
		switch (attempt_cols[i].kind) {
		case SEGUR_XCOL_ID:
			segur_csvw_id(w, t);
			break;
		case SEGUR_XCOL_INT:
			segur_csvw_int(w, sqlite3_column_int64(st, (int)i));
			break;
		case SEGUR_XCOL_AMOUNT:
			segur_csvw_amount(w, sqlite3_column_int64(st, (int)i));
			break;
		case SEGUR_XCOL_STATE:
			segur_csvw_text(w, state_label(t));
			segur_csvw_text(w, t);
			break;
		default:
			segur_csvw_text(w, t);
			break;
		}
	}
	segur_csvw_text(w, h->hash);
	segur_csvw_int(w, h->events);
	segur_csvw_text(w, h->at);
	segur_csvw_text(w, h->seal);
	segur_csvw_end_row(w);
}

/* The value of column i as JSON: amounts as text "5840.00". */
static cJSON *
json_value(sqlite3_stmt *st, size_t i)
{
	char	 b[SEGUR_AMOUNT_BUFSZ];

	if (sqlite3_column_type(st, (int)i) == SQLITE_NULL)
		return (cJSON_CreateNull());
	if (attempt_cols[i].kind == SEGUR_XCOL_INT)
		return (cJSON_CreateNumber(
		    (double)sqlite3_column_int64(st, (int)i)));
	if (attempt_cols[i].kind == SEGUR_XCOL_AMOUNT)
		return (cJSON_CreateString(segur_amount_format(
		    sqlite3_column_int64(st, (int)i), b)));
	return (cJSON_CreateString((const char *)sqlite3_column_text(st,
	    (int)i)));
}

static cJSON *
json_row(sqlite3_stmt *st)
{
	const char	*label;
	cJSON		*o, *v;
	size_t		 i;

	if ((o = cJSON_CreateObject()) == NULL)
		return (NULL);
	for (i = 0; i < NCOLS; i++) {
		if (attempt_cols[i].kind == SEGUR_XCOL_STATE) {
			label = state_label((const char *)sqlite3_column_text(
			    st, (int)i));
			v = label != NULL ? cJSON_CreateString(label) :
			    cJSON_CreateNull();
			if (v == NULL || !cJSON_AddItemToObject(o,
			    SEGUR_XCOL_STATE_LABEL, v)) {
				cJSON_Delete(v);
				cJSON_Delete(o);
				return (NULL);
			}
		}
		v = json_value(st, i);
		if (v == NULL ||
		    !cJSON_AddItemToObject(o, attempt_cols[i].name, v)) {
			cJSON_Delete(v);
			cJSON_Delete(o);
			return (NULL);
		}
	}
	return (o);
}

int
segur_audit_export(struct segur_ledger *l, const struct segur_export_filter *f,
    enum segur_export_format fmt, enum segur_csv_dialect dialect,
    const struct segur_chain_head *h, struct segur_buf *out, size_t *nrows,
    char **cause)
{
	struct segur_csvw w;
	sqlite3_stmt	*st;
	cJSON		*doc = NULL, *rows = NULL, *o;
	char		*text;
	size_t		 i, n = 0;
	int		 rc = SQLITE_DONE, oom = 0;

	if (nrows != NULL)
		*nrows = 0;
	if (fmt != SEGUR_EXPORT_CSV && fmt != SEGUR_EXPORT_JSON)
		return (segur_cause(cause, SEGUR_EINVAL, "format d'export %d : "
		    "ni CSV ni JSON", (int)fmt));
	if ((rc = segur__export_prepare(l, &sheets[SEGUR_XSHEET_ATTEMPTS], f,
	    &st, cause)) != 0)
		return (rc);
	rc = SQLITE_DONE;
	if (fmt == SEGUR_EXPORT_CSV) {
		segur_csvw_init(&w, out, dialect);
		for (i = 0; i < NCOLS; i++) {
			if (attempt_cols[i].kind == SEGUR_XCOL_STATE)
				segur_csvw_text(&w, SEGUR_XCOL_STATE_LABEL);
			segur_csvw_text(&w, attempt_cols[i].name);
		}
		for (i = 0; i < sizeof(head_cols) / sizeof(head_cols[0]); i++)
			segur_csvw_text(&w, head_cols[i]);
		segur_csvw_end_row(&w);
	} else {
		if ((doc = cJSON_CreateObject()) == NULL ||
		    (o = segur_audit_head_json(h)) == NULL ||
		    !cJSON_AddItemToObject(doc, "chainHead", o) ||
		    (rows = cJSON_AddArrayToObject(doc, "rows")) == NULL)
			oom = 1;
	}
	while (!oom && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		n++;
		if (fmt == SEGUR_EXPORT_CSV)
			csv_row(&w, st, h);
		else if ((o = json_row(st)) == NULL ||
		    !cJSON_AddItemToArray(rows, o))
			oom = 1;
	}
	if (!oom && rc != SQLITE_DONE) {
		rc = segur__db_error(l, cause, "lecture de l'export");
		sqlite3_finalize(st);
		cJSON_Delete(doc);
		return (rc);
	}
	sqlite3_finalize(st);
	if (fmt == SEGUR_EXPORT_CSV) {
		if (segur_csvw_finish(&w) != 0)
			oom = 1;
	} else if (!oom) {
		if ((text = cJSON_Print(doc)) == NULL ||
		    segur_buf_adds(out, text) != 0 ||
		    segur_buf_adds(out, "\n") != 0)
			oom = 1;
		free(text);
	}
	cJSON_Delete(doc);
	if (oom)
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	if (nrows != NULL)
		*nrows = n;
	return (0);
}
