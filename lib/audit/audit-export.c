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
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "ledger/ledger-int.h"

enum col_kind {
	COL_TEXT,
	COL_INT,
	COL_AMOUNT
};

/*
 * The columns, in the order of the query below. Names follow the guide's
 * camelCase where the guide has the word (numeroEditeur, numeroASP,
 * codeTraitement...), French otherwise: an auditor holding the guide
 * finds them by search. docs/audit.md describes each.
 */
static const struct {
	const char	*name;
	enum col_kind	 kind;
} cols[] = {
	{ "reference", COL_TEXT },
	{ "numeroAns", COL_TEXT },
	{ "tentative", COL_INT },
	{ "numeroEditeur", COL_TEXT },
	{ "numeroASP", COL_TEXT },
	{ "etat", COL_TEXT },
	{ "resultatTentative", COL_TEXT },
	{ "codeTraitement", COL_TEXT },
	{ "libelleTraitement", COL_TEXT },
	{ "fichierEnvoye", COL_TEXT },
	{ "numLigne", COL_INT },
	{ "fichierReponse", COL_TEXT },
	{ "finessJuridique", COL_TEXT },
	{ "finessGeo", COL_TEXT },
	{ "regimeTva", COL_TEXT },
	{ "dateCommande", COL_TEXT },
	{ "dateSoumission", COL_TEXT },
	{ "dateReponse", COL_TEXT },
	{ "dateAccord", COL_TEXT },
	{ "dateRefus", COL_TEXT },
	{ "montantDemande", COL_AMOUNT },
	{ "montantAccorde", COL_AMOUNT },
	{ "dateAvance", COL_TEXT },
	{ "montantAvance", COL_AMOUNT },
	{ "dateSolde", COL_TEXT },
	{ "montantSolde", COL_AMOUNT },
	{ "piecesJustificatives", COL_TEXT },
	{ "motifRetrait", COL_TEXT }
};
#define NCOLS	(sizeof(cols) / sizeof(cols[0]))

/*
 * Decisions follow the accepted attempt only, so that summing a column
 * over the rows gives the ledger's totals even after resubmissions.
 */
#define DECISION(kind, what) \
	"CASE WHEN a.outcome = 'accepted' THEN (SELECT " what " FROM " \
	"decision d WHERE d.request_id = r.id AND d.kind = '" kind "' " \
	"ORDER BY d.id DESC LIMIT 1) END"

static const char *const export_sql =
    "SELECT r.ref, s.numero_ans, a.seq, a.numero_editeur, a.numero_asp, "
    "r.state, a.outcome, a.code_traitement, a.libelle_traitement, "
    "f.name, a.num_ligne, af.name, "
    "(SELECT group_concat(j, ',') FROM (SELECT DISTINCT finess_juridique j "
    "FROM request_esms WHERE request_id = r.id ORDER BY 1)), "
    "(SELECT group_concat(g, ',') FROM (SELECT finess_geo g "
    "FROM request_esms WHERE request_id = r.id ORDER BY 1)), "
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
    "WHERE (?1 IS NULL OR EXISTS (SELECT 1 FROM request_esms e "
    "WHERE e.request_id = r.id AND e.finess_juridique = ?1)) "
    "AND (?2 IS NULL OR substr(coalesce(a.created_at, r.created_at), 1, 10) "
    ">= ?2) "
    "AND (?3 IS NULL OR substr(coalesce(a.created_at, r.created_at), 1, 10) "
    "<= ?3) "
    "ORDER BY r.id, a.seq";

/* The head's columns, on every CSV row: no comment line, no special
 * row, and any excerpt of the file still names the head it came with. */
static const char *const head_cols[] = {
	"teteChaine", "evenementsChaine", "dateTeteChaine", "sceauTeteChaine"
};

static void
csv_row(struct segur_csvw *w, sqlite3_stmt *st,
    const struct segur_chain_head *h)
{
	size_t	 i;

	for (i = 0; i < NCOLS; i++) {
		if (sqlite3_column_type(st, (int)i) == SQLITE_NULL) {
			segur_csvw_empty(w);
			continue;
		}
		switch (cols[i].kind) {
		case COL_TEXT:
			segur_csvw_text(w,
			    (const char *)sqlite3_column_text(st, (int)i));
			break;
		case COL_INT:
			segur_csvw_int(w, sqlite3_column_int64(st, (int)i));
			break;
		case COL_AMOUNT:
			segur_csvw_amount(w, sqlite3_column_int64(st, (int)i));
			break;
		}
	}
	segur_csvw_text(w, h->hash);
	segur_csvw_int(w, h->events);
	segur_csvw_text(w, h->at);
	segur_csvw_text(w, h->seal);
	segur_csvw_end_row(w);
}

static cJSON *
json_row(sqlite3_stmt *st)
{
	char	 b[SEGUR_AMOUNT_BUFSZ];
	cJSON	*o, *v;
	size_t	 i;

	if ((o = cJSON_CreateObject()) == NULL)
		return (NULL);
	for (i = 0; i < NCOLS; i++) {
		if (sqlite3_column_type(st, (int)i) == SQLITE_NULL)
			v = cJSON_CreateNull();
		else if (cols[i].kind == COL_TEXT)
			v = cJSON_CreateString(
			    (const char *)sqlite3_column_text(st, (int)i));
		else if (cols[i].kind == COL_INT)
			v = cJSON_CreateNumber(
			    (double)sqlite3_column_int64(st, (int)i));
		else
			v = cJSON_CreateString(segur_amount_format(
			    sqlite3_column_int64(st, (int)i), b));
		if (v == NULL || !cJSON_AddItemToObject(o, cols[i].name, v)) {
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
	if (sqlite3_prepare_v2(l->db, export_sql, -1, &st, NULL) != SQLITE_OK)
		return (segur__db_error(l, cause, "prepare the export"));
	if (segur__bind_text(st, 1, f->og) != SQLITE_OK ||
	    segur__bind_text(st, 2, f->from) != SQLITE_OK ||
	    segur__bind_text(st, 3, f->to) != SQLITE_OK) {
		sqlite3_finalize(st);
		return (segur__db_error(l, cause, "prepare the export"));
	}
	if (fmt == SEGUR_EXPORT_CSV) {
		segur_csvw_init(&w, out, dialect);
		for (i = 0; i < NCOLS; i++)
			segur_csvw_text(&w, cols[i].name);
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
		rc = segur__db_error(l, cause, "read the export");
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
		return (segur_cause(cause, SEGUR_ENOMEM, "out of memory"));
	if (nrows != NULL)
		*nrows = n;
	return (0);
}
