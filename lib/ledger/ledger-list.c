/*
 * ledger-list.c: the lists of requests, segur_ledger_request_list(), and
 * one request's row, segur_ledger_request_row().
 *
 * A list is one statement, stepped row by row into a row of fixed-size
 * fields that the caller's callback borrows: memory stays the same for a
 * list of ten rows or of a million. A list by state reads only the index
 * request_state (migration 009): its entries are in the list's order and
 * hold every column of ROW_COLUMNS, so the request rows, each with its
 * content, are never visited; a rejected row adds one seek into attempt
 * or solde_line for what ASP said.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "ledger/ledger-int.h"

/*
 * The label and code of a rejected request's last rejected line, advance
 * (attempt) or balance (solde_line): CASE runs the subquery of a rejected
 * row only, and each is one seek in the index of UNIQUE (request_id, seq).
 */
#define REJECTED_COL(col) \
	"CASE r.state WHEN 'rejected' THEN (SELECT a." col " FROM attempt a " \
	"WHERE a.request_id = r.id AND a.outcome = 'rejected' " \
	"ORDER BY a.seq DESC LIMIT 1) " \
	"WHEN 'balance_rejected' THEN (SELECT b." col " FROM solde_line b " \
	"WHERE b.request_id = r.id AND b.outcome = 'rejected' " \
	"ORDER BY b.seq DESC LIMIT 1) END"

#define ROW_COLUMNS \
	"r.id, r.ref, s.numero_ans, r.state, r.montant_cents, " \
	"r.numero_editeur, r.numero_asp, r.created_at, r.updated_at, " \
	REJECTED_COL("libelle_traitement") ", " \
	REJECTED_COL("code_traitement") " " \
	"FROM request r JOIN software s ON s.id = r.software_id"

/* Copies column i of st into dst of size sz, "" for NULL, cut to fit. */
static void
copy_col(sqlite3_stmt *st, int i, char *dst, size_t sz)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	size_t		 n = (size_t)sqlite3_column_bytes(st, i);

	if (s == NULL)
		n = 0;
	if (n >= sz)
		n = sz - 1;
	if (n > 0)
		memcpy(dst, s, n);
	dst[n] = '\0';
}

/* Like copy_col(), but a text too long is cut at a character boundary
 * and ends with "…", so that nobody takes it for the whole. */
static void
copy_text_cut(sqlite3_stmt *st, int i, char *dst, size_t sz)
{
	static const char ellipsis[] = "…";
	const unsigned char *s = sqlite3_column_text(st, i);
	size_t		 n = s != NULL ? (size_t)sqlite3_column_bytes(st, i) : 0;

	if (n < sz) {
		if (n > 0)
			memcpy(dst, s, n);
		dst[n] = '\0';
		return;
	}
	/* Room for "…" and its NUL; back to the first byte of a character
	 * (not 10xxxxxx). */
	n = sz - sizeof(ellipsis);
	while (n > 0 && (s[n] & 0xc0) == 0x80)
		n--;
	memcpy(dst, s, n);
	memcpy(dst + n, ellipsis, sizeof(ellipsis));
}

/* Fills row from a statement selecting ROW_COLUMNS. */
static void
request_row(sqlite3_stmt *st, struct segur_request_row *row)
{
	row->id = sqlite3_column_int64(st, 0);
	copy_col(st, 1, row->ref, sizeof(row->ref));
	copy_col(st, 2, row->numero_ans, sizeof(row->numero_ans));
	row->state = (enum segur_state)segur_state_parse(
	    (const char *)sqlite3_column_text(st, 3));
	row->montant_cents = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 :
	    sqlite3_column_int64(st, 4);
	copy_col(st, 5, row->numero_editeur, sizeof(row->numero_editeur));
	copy_col(st, 6, row->numero_asp, sizeof(row->numero_asp));
	copy_col(st, 7, row->created_at, sizeof(row->created_at));
	copy_col(st, 8, row->updated_at, sizeof(row->updated_at));
	copy_text_cut(st, 9, row->rejection_reason,
	    sizeof(row->rejection_reason));
	copy_col(st, 10, row->rejection_code, sizeof(row->rejection_code));
}

/* Where the request ref stands in a list's order: its (updated_at, id). */
static int
list_place(struct segur_ledger *l, const char *ref, char **updated_at,
    int64_t *id, char **cause)
{
	static const char *const sql =
	    "SELECT updated_at, id FROM request WHERE ref = ?";
	sqlite3_stmt	*st;
	int		 rc;

	if ((rc = segur__stmt(l, sql, &st, cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, ref);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 1);
		if ((*updated_at = strdup((const char *)sqlite3_column_text(st,
		    0))) == NULL)
			rc = segur_cause(cause, SEGUR_ENOMEM,
			    "mémoire épuisée");
		else
			rc = 0;
	} else if (rc == SQLITE_DONE)
		rc = segur_cause(cause, SEGUR_ENOENT, "--after : aucune demande "
		    "sous la référence « %s »", ref);
	else
		rc = segur__db_error(l, cause, "trouver la demande");
	sqlite3_reset(st);
	return (rc);
}

int
segur_ledger_request_list(struct segur_ledger *l,
    const struct segur_request_filter *f,
    int (*fn)(void *arg, const struct segur_request_row *row), void *arg,
    char **cause)
{
	struct segur_buf sql = SEGUR_BUF_INIT;
	struct segur_request_row row;
	sqlite3_stmt	*st = NULL;
	const char	*sep = " WHERE ";
	char		*after_at = NULL;
	int64_t		 after_id = 0;
	int		 rc, i = 1, ret = 0;

	if (f->after != NULL && (rc = list_place(l, f->after, &after_at,
	    &after_id, cause)) != 0)
		return (rc);
	/* Only fixed fragments go into the SQL; values are bound. */
	rc = segur_buf_adds(&sql, "SELECT " ROW_COLUMNS);
	if (rc == 0 && f->state >= 0) {
		rc = segur_buf_addf(&sql, "%sr.state = ?", sep);
		sep = " AND ";
	}
	if (rc == 0 && f->og != NULL) {
		rc = segur_buf_addf(&sql, "%sr.id IN (SELECT request_id FROM "
		    "request_esms WHERE finess_juridique = ?)", sep);
		sep = " AND ";
	}
	if (rc == 0 && f->esms != NULL) {
		rc = segur_buf_addf(&sql, "%sr.id IN (SELECT request_id FROM "
		    "request_esms WHERE finess_geo = ?)", sep);
		sep = " AND ";
	}
	if (rc == 0 && f->since != NULL) {
		rc = segur_buf_addf(&sql, "%sr.updated_at >= ?", sep);
		sep = " AND ";
	}
	/* A row value: the index on (state, updated_at, id) seeks to it. */
	if (rc == 0 && after_at != NULL)
		rc = segur_buf_addf(&sql, "%s(r.updated_at, r.id) > (?, ?)",
		    sep);
	if (rc == 0)
		rc = segur_buf_adds(&sql, " ORDER BY r.updated_at, r.id");
	if (rc == 0 && f->limit > 0)
		rc = segur_buf_adds(&sql, " LIMIT ?");
	if (rc != 0) {
		segur_buf_release(&sql);
		free(after_at);
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	}
	rc = sqlite3_prepare_v2(l->db, sql.data, -1, &st, NULL);
	segur_buf_release(&sql);
	if (rc != SQLITE_OK) {
		free(after_at);
		return (segur__db_error(l, cause, "lister les demandes"));
	}
	if (f->state >= 0)
		segur__bind_text(st, i++, segur_state_name(
		    (enum segur_state)f->state));
	if (f->og != NULL)
		segur__bind_text(st, i++, f->og);
	if (f->esms != NULL)
		segur__bind_text(st, i++, f->esms);
	if (f->since != NULL)
		segur__bind_text(st, i++, f->since);
	if (after_at != NULL) {
		segur__bind_text(st, i++, after_at);
		sqlite3_bind_int64(st, i++, after_id);
	}
	if (f->limit > 0)
		sqlite3_bind_int64(st, i++, f->limit > INT64_MAX ? INT64_MAX :
		    (int64_t)f->limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		request_row(st, &row);
		if ((ret = fn(arg, &row)) != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = segur__db_error(l, cause, "lister les demandes");
	sqlite3_finalize(st);
	free(after_at);
	return (ret);
}

int
segur_ledger_request_row(struct segur_ledger *l, const char *ref,
    struct segur_request_row *row, char **cause)
{
	static const char *const sql = "SELECT " ROW_COLUMNS
	    " WHERE r.ref = ?";
	sqlite3_stmt	*st;
	int		 rc;

	if ((rc = segur__stmt(l, sql, &st, cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, ref);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		request_row(st, row);
		rc = 0;
	} else if (rc == SQLITE_DONE)
		rc = segur_cause(cause, SEGUR_ENOENT, "aucune demande sous la "
		    "référence « %s »", ref);
	else
		rc = segur__db_error(l, cause, "lecture de la demande");
	sqlite3_reset(st);
	return (rc);
}
