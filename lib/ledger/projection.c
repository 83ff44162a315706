/*
 * projection.c: the rows the event log projects into tables, and the image
 * a version 2 event keeps of them (projection.h; docs/internals/audit.md,
 * "Replay").
 */
#include <string.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "segur/error.h"
#include "segur/util.h"

#include "ledger/ledger-int.h"
#include "ledger/projection.h"

/*
 * The request's cells. Its content (kilobytes of JSON) is compared by its
 * SHA-256; created_at and updated_at are left out: the log's own times
 * are the evidence of when.
 */
static const char *const request_cols[] = { "id", "ref", "software_id",
    "state", "montant_cents", "regime_tva", "date_commande", "numero_asp",
    "numero_editeur", "withdraw_reason", "content_sha256", NULL };
#define REQUEST_CELLS "json_array(id, ref, software_id, state, " \
    "montant_cents, regime_tva, date_commande, numero_asp, numero_editeur, " \
    "withdraw_reason, segur_sha256(content))"

static const char *const attempt_cols[] = { "request_id", "seq",
    "numero_editeur", "file_id", "num_ligne", "outcome", "code_traitement",
    "libelle_traitement", "numero_asp", "answer_file_id", NULL };
#define ATTEMPT_CELLS "json_array(request_id, seq, numero_editeur, file_id, " \
    "num_ligne, outcome, code_traitement, libelle_traitement, numero_asp, " \
    "answer_file_id)"

static const char *const decision_cols[] = { "request_id", "kind", "date",
    "amount_cents", "letter_ref", "note", NULL };
#define DECISION_CELLS "json_array(request_id, kind, date, amount_cents, " \
    "letter_ref, note)"

static const char *const file_cols[] = { "id", "direction", "kind", "name",
    "numero_ans", "day", "rank", "sha256", "size", "imp_id", "answers",
    NULL };
#define FILE_CELLS "json_array(id, direction, kind, name, numero_ans, day, " \
    "rank, sha256, size, imp_id, answers)"

static const char *const alert_cols[] = { "id", "kind", "severity",
    "request_id", "file_id", "subject", "body", NULL };
#define ALERT_CELLS "json_array(id, kind, severity, request_id, file_id, " \
    "subject, body)"

static const char *const quarantine_cols[] = { "name", "sha256", "reason",
    NULL };
#define QUARANTINE_CELLS "json_array(name, sha256, reason)"

/*
 * The anomaly's cells, keyed by its id (ids are consecutive and never
 * deleted: a row deleted or resolved by hand is named by the id ops
 * know). Whether it is resolved is a 0/1 cell: resolved_at is a time,
 * left out like the others; reminded_on too (a day segurd writes).
 */
static const char *const anomaly_cols[] = { "id", "file_id", "attempt_id",
    "kind", "detail", "request_id", "line_index", "returned", "resolved",
    "resolved_by", "resolution_note", NULL };
#define ANOMALY_CELLS "json_array(id, file_id, attempt_id, kind, detail, " \
    "request_id, line_index, returned, resolved_at IS NOT NULL, " \
    "resolved_by, resolution_note)"

static const char *const numero_cols[] = { "value", "origin", NULL };
#define NUMERO_CELLS "json_array(value, origin)"

/* A built file closed without an answer; closed_at is a time. */
static const char *const closure_cols[] = { "file_id", "state", "reason",
    NULL };
#define CLOSURE_CELLS "json_array(file_id, state, reason)"

const struct segur__proj segur__projs[SEGUR__P_COUNT] = {
	[SEGUR__P_REQUEST] = { "request", request_cols, 11, SEGUR__KEY_CELL0,
	    "SELECT CAST(id AS TEXT), " REQUEST_CELLS " FROM request",
	    "SELECT " REQUEST_CELLS " FROM request WHERE id = ?1" },
	[SEGUR__P_ATTEMPT] = { "attempt", attempt_cols, 10, SEGUR__KEY_CELL01,
	    "SELECT request_id || '/' || seq, " ATTEMPT_CELLS " FROM attempt",
	    "SELECT " ATTEMPT_CELLS " FROM attempt WHERE request_id = ?1 "
	    "ORDER BY seq DESC LIMIT 1" },
	[SEGUR__P_DECISION] = { "decision", decision_cols, 6,
	    SEGUR__KEY_REQ_NTH,
	    "SELECT request_id || '/' || row_number() OVER (PARTITION BY "
	    "request_id ORDER BY id), " DECISION_CELLS " FROM decision",
	    "SELECT " DECISION_CELLS " FROM decision WHERE request_id = ?1 "
	    "ORDER BY id DESC LIMIT 1" },
	[SEGUR__P_FILE] = { "file", file_cols, 11, SEGUR__KEY_CELL0,
	    "SELECT CAST(id AS TEXT), " FILE_CELLS " FROM file",
	    "SELECT " FILE_CELLS " FROM file WHERE id = ?1" },
	[SEGUR__P_ALERT] = { "alert", alert_cols, 7, SEGUR__KEY_CELL0,
	    "SELECT CAST(id AS TEXT), " ALERT_CELLS " FROM alert",
	    "SELECT " ALERT_CELLS " FROM alert WHERE id = ?1" },
	[SEGUR__P_QUARANTINE] = { "quarantine", quarantine_cols, 3,
	    SEGUR__KEY_NTH,
	    "SELECT CAST(row_number() OVER (ORDER BY id) AS TEXT), "
	    QUARANTINE_CELLS " FROM quarantine",
	    "SELECT " QUARANTINE_CELLS " FROM quarantine WHERE id = ?1" },
	[SEGUR__P_ANOMALY] = { "anomaly", anomaly_cols, 11, SEGUR__KEY_CELL0,
	    "SELECT CAST(id AS TEXT), " ANOMALY_CELLS " FROM anomaly",
	    "SELECT " ANOMALY_CELLS " FROM anomaly WHERE id = ?1" },
	[SEGUR__P_NUMERO] = { "numero_editeur", numero_cols, 2,
	    SEGUR__KEY_CELL0,
	    "SELECT value, " NUMERO_CELLS " FROM numero_editeur",
	    "SELECT " NUMERO_CELLS " FROM numero_editeur WHERE value = ?1" },
	[SEGUR__P_CLOSURE] = { "file_closure", closure_cols, 3,
	    SEGUR__KEY_CELL0,
	    "SELECT CAST(file_id AS TEXT), " CLOSURE_CELLS " FROM file_closure",
	    "SELECT " CLOSURE_CELLS " FROM file_closure WHERE file_id = ?1" },
};

int
segur__proj_find(const char *table, size_t len)
{
	int	 i;

	for (i = 0; i < SEGUR__P_COUNT; i++)
		if (strlen(segur__projs[i].table) == len &&
		    memcmp(segur__projs[i].table, table, len) == 0)
			return (i);
	return (-1);
}

/* Where an image rule finds its row: ?1 of the projection's q_one. */
enum image_by {
	BY_REQUEST,		/* the event's request_id */
	BY_LAST_INSERT,		/* the row the writer has just inserted */
	BY_KEY			/* the event's entity_key */
};

/*
 * The image rules: which rows each action changes, as they stand when its
 * event is appended (every writer appends after its change; the request
 * row is taken for every event about a request). A new kind of event
 * that changes a projected row needs its line here and its entry in the
 * replay's table (lib/audit/audit-replay.c).
 */
static const struct image_rule {
	const char	*action;	/* NULL: every event with a request */
	int		 proj;
	enum image_by	 by;
} image_rules[] = {
	{ NULL, SEGUR__P_REQUEST, BY_REQUEST },
	{ "request.state", SEGUR__P_ATTEMPT, BY_REQUEST },
	{ "attempt.place", SEGUR__P_ATTEMPT, BY_REQUEST },
	{ "decision.record", SEGUR__P_DECISION, BY_REQUEST },
	{ "file.add", SEGUR__P_FILE, BY_LAST_INSERT },
	{ "alert.queued", SEGUR__P_ALERT, BY_LAST_INSERT },
	{ "file.quarantined", SEGUR__P_QUARANTINE, BY_LAST_INSERT },
	{ "anomaly.recorded", SEGUR__P_ANOMALY, BY_LAST_INSERT },
	{ "anomaly.resolve", SEGUR__P_ANOMALY, BY_KEY },
	{ "numero_editeur.use", SEGUR__P_NUMERO, BY_KEY },
	/* file_closure's key is file_id: its rowid, just inserted. The
	 * requests it moves come with their own request.state events. */
	{ "file.refuse", SEGUR__P_CLOSURE, BY_LAST_INSERT },
	{ "file.cancel", SEGUR__P_CLOSURE, BY_LAST_INSERT },
};

int
segur__event_image(struct segur_ledger *l, const char *action,
    int64_t request_id, const char *key, struct segur_buf *out, char **cause)
{
	const struct image_rule *r;
	const struct segur__proj *p;
	sqlite3_stmt	*st;
	const char	*cells;
	size_t		 i, start = out->len;
	int64_t		 last = sqlite3_last_insert_rowid(l->db);
	int		 rc, n = 0;

	for (i = 0; i < sizeof(image_rules) / sizeof(image_rules[0]); i++) {
		r = &image_rules[i];
		if (r->action == NULL ? request_id == 0 :
		    strcmp(r->action, action) != 0)
			continue;
		if ((r->by == BY_REQUEST && request_id == 0) ||
		    (r->by == BY_KEY && key == NULL))
			continue;
		p = &segur__projs[r->proj];
		if ((rc = segur__stmt(l, p->q_one, &st, cause)) != 0)
			return (rc);
		if (r->by == BY_KEY)
			segur__bind_text(st, 1, key);
		else
			sqlite3_bind_int64(st, 1, r->by == BY_REQUEST ?
			    request_id : last);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			cells = (const char *)sqlite3_column_text(st, 0);
			if (cells == NULL || segur_buf_adds(out, n == 0 ?
			    "{\"" : ",\"") != 0 || segur_buf_adds(out,
			    p->table) != 0 || segur_buf_adds(out, "\":") != 0 ||
			    segur_buf_adds(out, cells) != 0) {
				sqlite3_reset(st);
				out->len = start;
				return (segur_cause(cause, SEGUR_ENOMEM,
				    "mémoire épuisée"));
			}
			n++;
		}
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return (segur__db_error(l, cause, "lecture des lignes d'un "
			    "événement"));
	}
	if (n > 0 && segur_buf_add(out, "}", 1) != 0) {
		out->len = start;
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	}
	return (0);
}

/* segur_sha256(x): x's SHA-256 in lower-case hex, NULL for NULL. */
static void
sql_sha256(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char	 d[EVP_MAX_MD_SIZE];
	unsigned int	 dlen = 0, i;
	char		 hex[65];
	const void	*p;
	int		 n;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	p = sqlite3_value_text(argv[0]);
	n = sqlite3_value_bytes(argv[0]);
	if ((p == NULL && n > 0) || !EVP_Digest(p != NULL ? p : "", (size_t)n,
	    d, &dlen, EVP_sha256(), NULL) || dlen != 32) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	for (i = 0; i < dlen; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 0xf];
	}
	sqlite3_result_text(ctx, hex, 64, SQLITE_TRANSIENT);
}

int
segur__register_sha256(struct segur_ledger *l)
{
	/* Not SQLITE_INNOCUOUS: no trigger or view of the schema may call
	 * it, and none does (the schema check would say so). */
	return (sqlite3_create_function_v2(l->db, "segur_sha256", 1,
	    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, NULL,
	    sql_sha256, NULL, NULL, NULL) == SQLITE_OK ? 0 : SEGUR_ENOMEM);
}
