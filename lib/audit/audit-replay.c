/*
 * audit-replay.c: the ledger against its own log (audit.h;
 * docs/internals/audit.md, "Schema check and replay").
 *
 * The tables that hold the current state (request, attempt, decision,
 * file, alert, quarantine, anomaly, numero_editeur, file_closure,
 * state_total, decision_total) are a projection of the event log. The replay walks the
 * log in id order and rebuilds each projected row
 * (lib/ledger/projection.h) in a TEMP table:
 * from the image a version 2 event keeps of the rows it changed, or, for
 * version 1 events, from what their before and after carry (kinds[]
 * below). It then compares every rebuilt row with the table, cell by
 * cell. A cell no event carries (v1 only) is counted as not proved.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include "segur/amount.h"
#include "segur/audit.h"
#include "segur/embedded.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "ledger/ledger-int.h"
#include "ledger/projection.h"

#define MAX_CELLS	16
#define ALL_KNOWN(p)	((1u << segur__projs[p].ncols) - 1)

/* A rebuilt row being changed by an event. */
struct row {
	int		 p;
	char		 key[64];
	cJSON		*cells;		/* array of ncols */
	unsigned	 known;		/* bit i: cell i proved */
};

struct replay {
	struct segur_ledger *l;
	sqlite3_stmt	*get;
	sqlite3_stmt	*put;
	int32_t		*lastseq;	/* by request id: its last attempt */
	int32_t		*ndec;		/* by request id: decisions seen */
	size_t		 nreq;
	int64_t		 nquar;		/* quarantine rows seen */
	int64_t		 nanom;		/* anomaly.recorded seen */
	int64_t		 ev;		/* the event being replayed */
	char		**cause;
};

/* Grows the per-request counters to hold rid. */
static int
req_slot(struct replay *r, int64_t rid)
{
	size_t	 n;
	int32_t	*a, *b;

	if (rid <= 0 || rid > INT32_MAX)
		return (SEGUR_EINVAL);
	if ((size_t)rid < r->nreq)
		return (0);
	n = (size_t)rid * 2 + 64;
	if ((a = realloc(r->lastseq, n * sizeof(*a))) == NULL)
		return (SEGUR_ENOMEM);
	r->lastseq = a;
	if ((b = realloc(r->ndec, n * sizeof(*b))) == NULL)
		return (SEGUR_ENOMEM);
	r->ndec = b;
	memset(a + r->nreq, 0, (n - r->nreq) * sizeof(*a));
	memset(b + r->nreq, 0, (n - r->nreq) * sizeof(*b));
	r->nreq = n;
	return (0);
}

/* Loads the rebuilt row (p, key), or a new one with nothing known. */
static int
row_get(struct replay *r, int p, const char *key, struct row *w)
{
	const char	*cells;
	int		 rc, i;

	memset(w, 0, sizeof(*w));
	w->p = p;
	snprintf(w->key, sizeof(w->key), "%s", key);
	sqlite3_reset(r->get);
	sqlite3_bind_int(r->get, 1, p);
	sqlite3_bind_text(r->get, 2, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(r->get);
	if (rc == SQLITE_ROW) {
		cells = (const char *)sqlite3_column_text(r->get, 0);
		w->known = (unsigned)sqlite3_column_int(r->get, 1);
		w->cells = cells != NULL ? cJSON_Parse(cells) : NULL;
		sqlite3_reset(r->get);
		if (w->cells == NULL)
			return (SEGUR_ENOMEM);
		return (0);
	}
	sqlite3_reset(r->get);
	if (rc != SQLITE_DONE)
		return (segur__db_error(r->l, r->cause, "relecture"));
	if ((w->cells = cJSON_CreateArray()) == NULL)
		return (SEGUR_ENOMEM);
	for (i = 0; i < segur__projs[p].ncols; i++)
		if (!cJSON_AddItemToArray(w->cells, cJSON_CreateNull()))
			return (SEGUR_ENOMEM);
	return (0);
}

/* Stores w (as the last event's) and frees its cells. */
static int
row_put(struct replay *r, struct row *w)
{
	char	*text;
	int	 rc;

	text = cJSON_PrintUnformatted(w->cells);
	cJSON_Delete(w->cells);
	w->cells = NULL;
	if (text == NULL)
		return (SEGUR_ENOMEM);
	sqlite3_reset(r->put);
	sqlite3_bind_int(r->put, 1, w->p);
	sqlite3_bind_text(r->put, 2, w->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->put, 3, text, -1, SQLITE_STATIC);
	sqlite3_bind_int(r->put, 4, (int)w->known);
	sqlite3_bind_int64(r->put, 5, r->ev);
	rc = sqlite3_step(r->put);
	sqlite3_reset(r->put);
	free(text);
	return (rc == SQLITE_DONE ? 0 : segur__db_error(r->l, r->cause,
	    "relecture"));
}

/* Sets cell i of w to v (owned by w now; NULL: a JSON null). */
static void
cell_set(struct row *w, int i, cJSON *v)
{
	if (v == NULL)
		v = cJSON_CreateNull();
	if (v == NULL)
		return;
	cJSON_ReplaceItemInArray(w->cells, i, v);
	w->known |= 1u << i;
}

static void
cell_str(struct row *w, int i, const char *s)
{
	cell_set(w, i, s != NULL ? cJSON_CreateString(s) : NULL);
}

static void
cell_int(struct row *w, int i, int64_t v)
{
	cell_set(w, i, cJSON_CreateNumber((double)v));
}

/* A copy of member name of o (a JSON null when absent). */
static void
cell_from(struct row *w, int i, const cJSON *o, const char *name)
{
	const cJSON	*m = cJSON_GetObjectItemCaseSensitive(o, name);

	cell_set(w, i, m != NULL ? cJSON_Duplicate(m, 1) : NULL);
}

/* Marks cell i unknown: this event changed it without saying how. */
static void
cell_unknown(struct row *w, int i)
{
	cJSON_ReplaceItemInArray(w->cells, i, cJSON_CreateNull());
	w->known &= ~(1u << i);
}

/* SHA-256 hex of s. */
static int
sha256_hex(const char *s, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char	 d[EVP_MAX_MD_SIZE];
	unsigned int	 n = 0, i;

	if (!EVP_Digest(s, strlen(s), d, &n, EVP_sha256(), NULL) || n != 32)
		return (SEGUR_ENOMEM);
	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 0xf];
	}
	hex[64] = '\0';
	return (0);
}

/* The event as the handlers see it. */
struct ev {
	int64_t		 id;
	const char	*action;
	const char	*key;		/* entity_key */
	const char	*actor;
	int64_t		 rid;		/* request_id, 0 for none */
	int		 v;
	const cJSON	*after;		/* parsed, may be NULL */
};

/*
 * request.add, request.edit: the content and what the library reads from
 * it (ledger-request.c: amount, regime, order date), by the same rules.
 */
static int
v1_request_content(struct replay *r, const struct ev *e)
{
	const cJSON	*content, *cmd, *m;
	const char	*regime, *d;
	struct row	 w;
	char		*text, hex[65], iso[11];
	int64_t		 cents = -1;
	int		 rc;

	if (e->v != 1 || e->rid <= 0)
		return (0);
	content = cJSON_GetObjectItemCaseSensitive(e->after, "content");
	snprintf(hex, sizeof(hex), "%" PRId64, e->rid);
	if ((rc = row_get(r, SEGUR__P_REQUEST, hex, &w)) != 0)
		return (rc);
	if (strcmp(e->action, "request.add") == 0) {
		cell_int(&w, 0, e->rid);
		cell_str(&w, 1, e->key);
		cell_from(&w, 3, e->after, "state");
		cell_str(&w, 7, NULL);
		cell_str(&w, 8, NULL);
		cell_str(&w, 9, NULL);
	}
	cmd = cJSON_GetObjectItemCaseSensitive(content, "commande");
	m = cJSON_GetObjectItemCaseSensitive(cmd, "montantSegurHT");
	if (cJSON_IsNumber(m) && segur_amount_from_double(m->valuedouble,
	    &cents) != 0)
		cents = -1;
	if (cents > 0)
		cell_int(&w, 4, cents);
	else
		cell_str(&w, 4, NULL);
	regime = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cmd,
	    "regimeTVA"));
	if (regime != NULL && strcmp(regime, "TTC") != 0 &&
	    strcmp(regime, "HT") != 0)
		regime = NULL;
	cell_str(&w, 5, regime);
	d = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cmd,
	    "dateCommande"));
	if (d != NULL && strlen(d) == 10 && d[2] == '/' && d[5] == '/' &&
	    strspn(d, "0123456789/") == 10) {
		snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2s", d + 6, d + 3, d);
		cell_str(&w, 6, iso);
	} else
		cell_str(&w, 6, NULL);
	if (content != NULL && (text = cJSON_PrintUnformatted(content)) !=
	    NULL) {
		rc = sha256_hex(text, hex);
		free(text);
		if (rc != 0) {
			cJSON_Delete(w.cells);
			return (rc);
		}
		cell_str(&w, 10, hex);
	} else
		cell_unknown(&w, 10);
	return (row_put(r, &w));
}

/* The attempt row "rid/seq". */
static int
attempt_get(struct replay *r, int64_t rid, int64_t seq, struct row *w)
{
	char	 key[64];

	snprintf(key, sizeof(key), "%" PRId64 "/%" PRId64, rid, seq);
	return (row_get(r, SEGUR__P_ATTEMPT, key, w));
}

/* Whether a request.state detail is a move by file refused or cancel. */
static int
closed_by_file(const cJSON *detail)
{
	return (cJSON_GetObjectItemCaseSensitive(detail, "file") != NULL &&
	    (cJSON_GetObjectItemCaseSensitive(detail, "refused") != NULL ||
	    cJSON_GetObjectItemCaseSensitive(detail, "cancelled") != NULL));
}

/*
 * A request moved by file refused or file cancel (ledger-file.c,
 * close_request()): its attempt, named in the detail, rejected with the
 * reason as its label, or cancelled without one; no code, no answer
 * file. A balance line (detail "balance_line") is not projected.
 */
static int
closure_attempt(struct replay *r, const struct ev *e, const cJSON *detail)
{
	const cJSON	*seq = cJSON_GetObjectItemCaseSensitive(detail,
	    "attempt");
	const cJSON	*refused = cJSON_GetObjectItemCaseSensitive(detail,
	    "refused");
	struct row	 a;
	int		 rc;

	if (!cJSON_IsNumber(seq) || seq->valueint <= 0)
		return (0);
	if ((rc = attempt_get(r, e->rid, seq->valueint, &a)) != 0)
		return (rc);
	cell_str(&a, 5, refused != NULL ? "rejected" : "cancelled");
	if (refused != NULL)
		cell_from(&a, 7, detail, "refused");
	else
		cell_str(&a, 7, NULL);
	return (row_put(r, &a));
}

/*
 * request.state: the state, the withdrawal's reason, and what the detail
 * says of the attempt (ledger-state.c: attempt_new, attempt_answer;
 * adopt.c for files sent before the ledger).
 */
static int
v1_request_state(struct replay *r, const struct ev *e)
{
	const cJSON	*detail, *seq, *asp;
	const char	*to, *ne;
	struct row	 w, a;
	char		 key[24];
	int		 rc, answer;

	/* An event without a request changes none (the chain check
	 * refuses a request_id of 0). */
	if (e->rid <= 0)
		return (0);
	if ((rc = req_slot(r, e->rid)) != 0)
		return (rc);
	detail = cJSON_GetObjectItemCaseSensitive(e->after, "detail");
	seq = cJSON_GetObjectItemCaseSensitive(detail, "attempt");
	to = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e->after,
	    "state"));
	ne = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(detail,
	    "numeroEditeur"));
	if (to != NULL && strcmp(to, "submitted") == 0 &&
	    cJSON_IsNumber(seq) && seq->valueint > 0)
		r->lastseq[e->rid] = seq->valueint;
	if (e->v != 1)
		return (0);
	snprintf(key, sizeof(key), "%" PRId64, e->rid);
	if ((rc = row_get(r, SEGUR__P_REQUEST, key, &w)) != 0)
		return (rc);
	cell_str(&w, 3, to);
	if (to != NULL && strcmp(to, "withdrawn") == 0)
		cell_from(&w, 9, detail, "reason");
	else
		cell_str(&w, 9, NULL);
	/* A draft withdrawn drops its content: the row keeps "{}". */
	if (cJSON_GetObjectItemCaseSensitive(detail, "content_dropped") !=
	    NULL) {
		char	 hex[65];

		if ((rc = sha256_hex("{}", hex)) != 0) {
			cJSON_Delete(w.cells);
			return (rc);
		}
		cell_str(&w, 10, hex);
	}
	asp = cJSON_GetObjectItemCaseSensitive(detail, "numeroASP");
	answer = asp != NULL && ne != NULL;
	if (answer && cJSON_IsString(asp))
		cell_from(&w, 7, detail, "numeroASP");
	if (to != NULL && strcmp(to, "submitted") == 0 && ne != NULL &&
	    cJSON_IsNumber(seq)) {
		cell_str(&w, 8, ne);
		if ((rc = attempt_get(r, e->rid, seq->valueint, &a)) != 0) {
			cJSON_Delete(w.cells);
			return (rc);
		}
		cell_int(&a, 0, e->rid);
		cell_int(&a, 1, seq->valueint);
		cell_str(&a, 2, ne);
		if (cJSON_GetObjectItemCaseSensitive(detail, "adopted") !=
		    NULL) {
			/* Placed in the adopted file without an event. */
			cell_unknown(&a, 3);
			cell_unknown(&a, 4);
		} else {
			cell_str(&a, 3, NULL);
			cell_str(&a, 4, NULL);
		}
		cell_str(&a, 5, "pending");
		cell_str(&a, 6, NULL);
		cell_str(&a, 7, NULL);
		cell_str(&a, 8, NULL);
		cell_str(&a, 9, NULL);
		if ((rc = row_put(r, &a)) != 0) {
			cJSON_Delete(w.cells);
			return (rc);
		}
	} else if (closed_by_file(detail)) {
		if ((rc = closure_attempt(r, e, detail)) != 0) {
			cJSON_Delete(w.cells);
			return (rc);
		}
	} else if (answer && r->lastseq[e->rid] > 0 && to != NULL) {
		if ((rc = attempt_get(r, e->rid, r->lastseq[e->rid],
		    &a)) != 0) {
			cJSON_Delete(w.cells);
			return (rc);
		}
		cell_str(&a, 5, to);
		cell_from(&a, 6, detail, "codeTraitement");
		cell_from(&a, 7, detail, "libelleTraitement");
		cell_from(&a, 8, detail, "numeroASP");
		/* The answer's file is not in a v1 event. */
		cell_unknown(&a, 9);
		if ((rc = row_put(r, &a)) != 0) {
			cJSON_Delete(w.cells);
			return (rc);
		}
	}
	return (row_put(r, &w));
}

/* attempt.place: the file and line of the request's last attempt. */
static int
v1_attempt_place(struct replay *r, const struct ev *e)
{
	struct row	 a;
	int		 rc;

	if (e->v != 1 || e->rid <= 0)
		return (0);
	if ((rc = req_slot(r, e->rid)) != 0)
		return (rc);
	if (r->lastseq[e->rid] <= 0)
		return (0);
	if ((rc = attempt_get(r, e->rid, r->lastseq[e->rid], &a)) != 0)
		return (rc);
	cell_from(&a, 3, e->after, "file_id");
	cell_from(&a, 4, e->after, "numLigne");
	return (row_put(r, &a));
}

/* decision.record: the request's n-th decision, n counted here. */
static int
v1_decision(struct replay *r, const struct ev *e)
{
	struct row	 w;
	char		 key[48];
	int		 rc;

	/* An event without a request changes none (the chain check
	 * refuses a request_id of 0). */
	if (e->rid <= 0)
		return (0);
	if ((rc = req_slot(r, e->rid)) != 0)
		return (rc);
	r->ndec[e->rid]++;
	if (e->v != 1)
		return (0);
	snprintf(key, sizeof(key), "%" PRId64 "/%" PRId32, e->rid,
	    r->ndec[e->rid]);
	if ((rc = row_get(r, SEGUR__P_DECISION, key, &w)) != 0)
		return (rc);
	cell_int(&w, 0, e->rid);
	cell_from(&w, 1, e->after, "kind");
	cell_from(&w, 2, e->after, "date");
	cell_from(&w, 3, e->after, "amount_cents");
	cell_from(&w, 4, e->after, "letter_ref");
	cell_from(&w, 5, e->after, "note");
	return (row_put(r, &w));
}

/* file.add: the file's identity and content hash. */
static int
v1_file(struct replay *r, const struct ev *e)
{
	const cJSON	*id = cJSON_GetObjectItemCaseSensitive(e->after,
	    "file_id");
	struct row	 w;
	char		 key[24];
	int		 rc;

	if (e->v != 1 || !cJSON_IsNumber(id))
		return (0);
	snprintf(key, sizeof(key), "%.0f", id->valuedouble);
	if ((rc = row_get(r, SEGUR__P_FILE, key, &w)) != 0)
		return (rc);
	cell_from(&w, 0, e->after, "file_id");
	cell_from(&w, 1, e->after, "direction");
	cell_from(&w, 2, e->after, "kind");
	cell_from(&w, 3, e->after, "name");
	cell_from(&w, 7, e->after, "sha256");
	cell_from(&w, 8, e->after, "size");
	return (row_put(r, &w));
}

/* numero_editeur.use: the number and its origin. */
static int
v1_numero(struct replay *r, const struct ev *e)
{
	struct row	 w;
	int		 rc;

	if (e->v != 1 || e->key == NULL)
		return (0);
	if ((rc = row_get(r, SEGUR__P_NUMERO, e->key, &w)) != 0)
		return (rc);
	cell_str(&w, 0, e->key);
	cell_from(&w, 1, e->after, "origin");
	return (row_put(r, &w));
}

/* alert.queued: the alert, named "alert-NNNNNN" (outbox.c). */
static int
v1_alert(struct replay *r, const struct ev *e)
{
	struct row	 w;
	char		 key[24];
	long long	 id;
	int		 rc;

	if (e->v != 1 || e->key == NULL ||
	    sscanf(e->key, "alert-%lld", &id) != 1)
		return (0);
	snprintf(key, sizeof(key), "%lld", id);
	if ((rc = row_get(r, SEGUR__P_ALERT, key, &w)) != 0)
		return (rc);
	cell_int(&w, 0, id);
	cell_from(&w, 1, e->after, "kind");
	if (e->rid > 0)
		cell_int(&w, 3, e->rid);
	else
		cell_str(&w, 3, NULL);
	cell_from(&w, 5, e->after, "subject");
	return (row_put(r, &w));
}

/* file.quarantined: the n-th quarantine row, by its file's name. */
static int
v1_quarantine(struct replay *r, const struct ev *e)
{
	struct row	 w;
	char		 key[24];
	int		 rc;

	r->nquar++;
	if (e->v != 1)
		return (0);
	snprintf(key, sizeof(key), "%" PRId64, r->nquar);
	if ((rc = row_get(r, SEGUR__P_QUARANTINE, key, &w)) != 0)
		return (rc);
	cell_str(&w, 0, e->key);
	return (row_put(r, &w));
}

/*
 * anomaly.recorded: the anomaly, by its id. Writers since migration 010
 * put the id and the line in the event (ingest.c, anomaly()), and the
 * event's request is the row's; before, the n-th event is the n-th row
 * (ids are consecutive and never deleted) and the request, line and
 * returned text, filled by 010 or never, are in no event. What ASP
 * returned is in no v1 event. Recorded open: not resolved.
 */
static int
v1_anomaly(struct replay *r, const struct ev *e)
{
	const cJSON	*id;
	struct row	 w;
	char		 key[24];
	int64_t		 n;
	int		 rc;

	r->nanom++;
	if (e->v != 1)
		return (0);
	id = cJSON_GetObjectItemCaseSensitive(e->after, "id");
	n = cJSON_IsNumber(id) ? (int64_t)id->valuedouble : r->nanom;
	snprintf(key, sizeof(key), "%" PRId64, n);
	if ((rc = row_get(r, SEGUR__P_ANOMALY, key, &w)) != 0)
		return (rc);
	cell_int(&w, 0, n);
	cell_from(&w, 3, e->after, "kind");
	cell_from(&w, 4, e->after, "detail");
	if (cJSON_IsNumber(id)) {
		if (e->rid > 0)
			cell_int(&w, 5, e->rid);
		else
			cell_str(&w, 5, NULL);
		cell_from(&w, 6, e->after, "line");
	}
	cell_int(&w, 8, 0);
	cell_str(&w, 9, NULL);
	cell_str(&w, 10, NULL);
	return (row_put(r, &w));
}

/*
 * anomaly.resolve: the anomaly named by the event's key, resolved by the
 * event's actor with the note its after carries (anomaly.c).
 */
static int
v1_anomaly_resolve(struct replay *r, const struct ev *e)
{
	struct row	 w;
	int		 rc;

	if (e->v != 1 || e->key == NULL)
		return (0);
	if ((rc = row_get(r, SEGUR__P_ANOMALY, e->key, &w)) != 0)
		return (rc);
	cell_int(&w, 8, 1);
	cell_str(&w, 9, e->actor);
	cell_from(&w, 10, e->after, "note");
	return (row_put(r, &w));
}

/* file.refuse, file.cancel: the closure, by its file's id (ledger-file.c). */
static int
v1_closure(struct replay *r, const struct ev *e)
{
	const cJSON	*id = cJSON_GetObjectItemCaseSensitive(e->after,
	    "file_id");
	struct row	 w;
	char		 key[24];
	int		 rc;

	if (e->v != 1 || !cJSON_IsNumber(id))
		return (0);
	snprintf(key, sizeof(key), "%.0f", id->valuedouble);
	if ((rc = row_get(r, SEGUR__P_CLOSURE, key, &w)) != 0)
		return (rc);
	cell_from(&w, 0, e->after, "file_id");
	cell_from(&w, 1, e->after, "state");
	cell_from(&w, 2, e->after, "reason");
	return (row_put(r, &w));
}

/*
 * The replay's table: what each action does to the projected rows. The
 * handler keeps the counters that name rows (every version) and, for a
 * v1 event, rebuilds what its after carries; a v2 event's image then
 * gives the whole rows (apply_image()). An action that changes no
 * projected row has a NULL handler. A new kind of event: a line here,
 * and a line in the image rules of lib/ledger/projection.c.
 */
static const struct kind {
	const char	*action;
	int		(*fn)(struct replay *, const struct ev *);
} kinds[] = {
	{ "request.add", v1_request_content },
	{ "request.edit", v1_request_content },
	{ "request.state", v1_request_state },
	{ "attempt.place", v1_attempt_place },
	{ "decision.record", v1_decision },
	{ "file.add", v1_file },
	{ "numero_editeur.use", v1_numero },
	{ "alert.queued", v1_alert },
	{ "file.quarantined", v1_quarantine },
	{ "anomaly.recorded", v1_anomaly },
	{ "anomaly.resolve", v1_anomaly_resolve },
	{ "file.refuse", v1_closure },
	{ "file.cancel", v1_closure },
	/* No projected row. */
	{ "schema.migrate", NULL },
	{ "software.add", NULL },
	{ "og.add", NULL },
	{ "og.update", NULL },
	{ "esms.add", NULL },
	{ "esms.update", NULL },
	{ "ref.import", NULL },
	{ "file_rank.allocate", NULL },
	{ "delivery.recorded", NULL },
	{ "setting.set", NULL },
	{ "solde.deadline", NULL },
	{ "document.sent", NULL },
	{ "archive.repaired", NULL },
	{ "alert.delivered", NULL },
	{ "alert.retry", NULL },
	{ "alert.failed", NULL },
};

/* The key of an image row of projection p (cells parsed). */
static void
image_key(struct replay *r, int p, const cJSON *cells, char key[64])
{
	const cJSON	*c0 = cJSON_GetArrayItem(cells, 0);
	const cJSON	*c1 = cJSON_GetArrayItem(cells, 1);
	int64_t		 rid;

	key[0] = '\0';
	switch (segur__projs[p].key) {
	case SEGUR__KEY_CELL0:
		if (cJSON_IsString(c0))
			snprintf(key, 64, "%s", c0->valuestring);
		else if (cJSON_IsNumber(c0))
			snprintf(key, 64, "%.0f", c0->valuedouble);
		break;
	case SEGUR__KEY_CELL01:
		if (cJSON_IsNumber(c0) && cJSON_IsNumber(c1))
			snprintf(key, 64, "%.0f/%.0f", c0->valuedouble,
			    c1->valuedouble);
		break;
	case SEGUR__KEY_REQ_NTH:
		rid = cJSON_IsNumber(c0) ? (int64_t)c0->valuedouble : 0;
		if (rid > 0 && (size_t)rid < r->nreq)
			snprintf(key, 64, "%" PRId64 "/%" PRId32, rid,
			    r->ndec[rid]);
		break;
	case SEGUR__KEY_NTH:
		/* Only quarantine: its rows have no id the log names. */
		snprintf(key, 64, "%" PRId64, r->nquar);
		break;
	}
}

/* A v2 event's image: each row it holds, whole. */
static int
apply_image(struct replay *r, const char *image)
{
	cJSON		*o, *t;
	struct row	 w;
	int64_t		 rid;
	int		 p, rc = 0;

	if (image == NULL)
		return (0);
	if ((o = cJSON_Parse(image)) == NULL)
		return (SEGUR_ENOMEM);
	cJSON_ArrayForEach(t, o) {
		/*
		 * A row of another length was written with another list of
		 * columns (a build before the projection changed): its cells
		 * cannot be named, and the table's row, left unproved by it,
		 * shows as differing or extra rather than as proved.
		 */
		if (t->string == NULL || (p = segur__proj_find(t->string,
		    strlen(t->string))) < 0 || !cJSON_IsArray(t) ||
		    cJSON_GetArraySize(t) != segur__projs[p].ncols)
			continue;
		memset(&w, 0, sizeof(w));
		w.p = p;
		image_key(r, p, t, w.key);
		if (w.key[0] == '\0')
			continue;
		/* The key says the cells are numbers (image_key()). */
		if (p == SEGUR__P_ATTEMPT) {
			rid = (int64_t)cJSON_GetArrayItem(t, 0)->valuedouble;
			if ((rc = req_slot(r, rid)) != 0)
				break;
			r->lastseq[rid] = (int32_t)cJSON_GetArrayItem(t,
			    1)->valuedouble;
		}
		if ((w.cells = cJSON_Duplicate(t, 1)) == NULL) {
			rc = SEGUR_ENOMEM;
			break;
		}
		w.known = ALL_KNOWN(p);
		if ((rc = row_put(r, &w)) != 0)
			break;
	}
	cJSON_Delete(o);
	return (rc);
}

/* Text of one cell for a finding ("NULL" for null). */
static char *
cell_text(const cJSON *c)
{
	if (c == NULL)
		return (strdup("(absent)"));
	if (cJSON_IsNull(c))
		return (strdup("NULL"));
	return (cJSON_PrintUnformatted(c));
}

/* Compares one expected row with the table's; gives fn each difference. */
static int
compare_row(int p, const char *key, const char *found, const char *want,
    unsigned known, int64_t ev, segur_audit_finding_fn fn, void *arg,
    struct segur_replay_report *rep, int64_t *unproved)
{
	const struct segur__proj *pj = &segur__projs[p];
	struct segur_audit_finding f;
	cJSON		*a = NULL, *b = NULL;
	char		*ta, *tb;
	int		 i, rc = 0;

	memset(&f, 0, sizeof(f));
	f.table = pj->table;
	f.key = key;
	f.event = ev;
	rep->rows++;
	if (found == NULL || want == NULL) {
		rep->findings++;
		f.kind = found == NULL ? SEGUR_AUDIT_MISSING :
		    SEGUR_AUDIT_EXTRA;
		f.expected = want;
		f.found = found;
		return (fn != NULL ? fn(arg, &f) : 0);
	}
	if (known == ALL_KNOWN(p) && strcmp(found, want) == 0)
		return (0);
	if ((a = cJSON_Parse(want)) == NULL || (b = cJSON_Parse(found)) ==
	    NULL) {
		cJSON_Delete(a);
		return (SEGUR_ENOMEM);
	}
	for (i = 0; i < pj->ncols && rc == 0; i++) {
		if (!(known & (1u << i))) {
			unproved[i]++;
			rep->unproved++;
			continue;
		}
		if (cJSON_Compare(cJSON_GetArrayItem(a, i),
		    cJSON_GetArrayItem(b, i), 1))
			continue;
		rep->findings++;
		ta = cell_text(cJSON_GetArrayItem(a, i));
		tb = cell_text(cJSON_GetArrayItem(b, i));
		f.kind = SEGUR_AUDIT_DIFF;
		f.column = pj->cols[i];
		f.expected = ta;
		f.found = tb;
		if (ta == NULL || tb == NULL)
			rc = SEGUR_ENOMEM;
		else if (fn != NULL)
			rc = fn(arg, &f);
		free(ta);
		free(tb);
	}
	cJSON_Delete(a);
	cJSON_Delete(b);
	return (rc);
}

/* Compares projection p's table with its rebuilt rows. */
static int
compare_proj(struct segur_ledger *l, int p, segur_audit_finding_fn fn,
    void *arg, struct segur_replay_report *rep, char **cause)
{
	const struct segur__proj *pj = &segur__projs[p];
	struct segur_audit_finding f;
	sqlite3_stmt	*st;
	int64_t		 unproved[MAX_CELLS];
	char		*sql;
	const char	*k;
	int		 rc, i;

	memset(unproved, 0, sizeof(unproved));
	/*
	 * Every row of either side: FULL JOIN on the rebuilt rows' primary
	 * key itself (a join on a CTE of them would be a nested loop), rows
	 * of other projections left out after the join.
	 */
	if ((sql = segur_asprintf("WITH a(k, c) AS MATERIALIZED (%s) "
	    "SELECT coalesce(a.k, e.k), a.c, e.cells, e.known, e.ev "
	    "FROM a FULL JOIN temp.segur_replay e ON e.p = %d AND e.k = a.k "
	    "WHERE coalesce(e.p, %d) = %d", pj->q_all, p, p, p)) == NULL)
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	rc = sqlite3_prepare_v2(l->db, sql, -1, &st, NULL);
	free(sql);
	if (rc != SQLITE_OK)
		return (segur__db_error(l, cause, "comparaison des tables"));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		k = (const char *)sqlite3_column_text(st, 0);
		if ((rc = compare_row(p, k != NULL ? k : "?",
		    (const char *)sqlite3_column_text(st, 1),
		    (const char *)sqlite3_column_text(st, 2),
		    (unsigned)sqlite3_column_int(st, 3),
		    sqlite3_column_int64(st, 4), fn, arg, rep,
		    unproved)) != 0) {
			sqlite3_finalize(st);
			return (rc == SEGUR_ENOMEM ? segur_cause(cause, rc,
			    "mémoire épuisée") : rc);
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(l, cause, "comparaison des tables"));
	for (i = 0; i < pj->ncols && fn != NULL; i++) {
		if (unproved[i] == 0)
			continue;
		memset(&f, 0, sizeof(f));
		f.kind = SEGUR_AUDIT_UNPROVED;
		f.table = pj->table;
		f.column = pj->cols[i];
		f.count = unproved[i];
		if ((rc = fn(arg, &f)) != 0)
			return (rc);
	}
	return (0);
}

/*
 * A table of totals kept by triggers against the same totals of the
 * rebuilt rows: q gives, for every row of either side, its key, the
 * expected n and cents, then the table's (NULL when the row is missing).
 */
static int
compare_sums(struct segur_ledger *l, const char *table, const char *q,
    segur_audit_finding_fn fn, void *arg, struct segur_replay_report *rep,
    char **cause)
{
	static const char *const cols[] = { "n", "cents" };
	struct segur_audit_finding f;
	sqlite3_stmt	*st;
	char		 want[32], found[32];
	const char	*key;
	int		 rc, i;

	if (sqlite3_prepare_v2(l->db, q, -1, &st, NULL) != SQLITE_OK)
		return (segur__db_error(l, cause, table));
	sqlite3_bind_int(st, 1, SEGUR__P_REQUEST);
	sqlite3_bind_int(st, 2, SEGUR__P_DECISION);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		key = (const char *)sqlite3_column_text(st, 0);
		rep->rows++;
		for (i = 0; i < 2; i++) {
			if (sqlite3_column_type(st, 3 + i) == SQLITE_INTEGER &&
			    sqlite3_column_int64(st, 1 + i) ==
			    sqlite3_column_int64(st, 3 + i))
				continue;
			rep->findings++;
			snprintf(want, sizeof(want), "%lld",
			    (long long)sqlite3_column_int64(st, 1 + i));
			snprintf(found, sizeof(found), "%s",
			    sqlite3_column_type(st, 3 + i) == SQLITE_NULL ?
			    "(absent)" : (const char *)sqlite3_column_text(st,
			    3 + i));
			memset(&f, 0, sizeof(f));
			f.kind = SEGUR_AUDIT_DIFF;
			f.table = table;
			f.key = key != NULL ? key : "NULL";
			f.column = cols[i];
			f.expected = want;
			f.found = found;
			if (fn != NULL && (rc = fn(arg, &f)) != 0) {
				sqlite3_finalize(st);
				return (rc);
			}
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(l, cause, table));
	return (0);
}

/*
 * state_total against the rebuilt requests: count and sum per state;
 * decision_total against the rebuilt decisions with an amount, per state
 * of their rebuilt request and kind (a grant without an amount counts the
 * request's, as the triggers of 013 do).
 */
static int
compare_totals(struct segur_ledger *l, segur_audit_finding_fn fn, void *arg,
    struct segur_replay_report *rep, char **cause)
{
	static const char *const q_state =
	    "WITH e(state, n, cents) AS (SELECT "
	    "json_extract(cells, '$[3]'), count(*), "
	    "coalesce(sum(json_extract(cells, '$[4]')), 0) FROM "
	    "temp.segur_replay WHERE p = ?1 GROUP BY 1) "
	    "SELECT coalesce(t.state, e.state), coalesce(e.n, 0), "
	    "coalesce(e.cents, 0), t.n, t.cents FROM state_total t "
	    "FULL JOIN e ON e.state = t.state";
	static const char *const q_decision =
	    "WITH e(state, kind, n, cents) AS (SELECT "
	    "json_extract(q.cells, '$[3]'), json_extract(d.cells, '$[1]'), "
	    "count(*), coalesce(sum(coalesce(json_extract(d.cells, '$[3]'), "
	    "json_extract(q.cells, '$[4]'))), 0) FROM temp.segur_replay d "
	    "JOIN temp.segur_replay q ON q.p = ?1 AND "
	    "q.k = CAST(json_extract(d.cells, '$[0]') AS TEXT) "
	    "WHERE d.p = ?2 AND json_extract(d.cells, '$[1]') IN ('grant', "
	    "'advance_paid', 'balance_paid') GROUP BY 1, 2) "
	    "SELECT coalesce(t.state, e.state) || '/' || "
	    "coalesce(t.kind, e.kind), coalesce(e.n, 0), "
	    "coalesce(e.cents, 0), t.n, t.cents FROM decision_total t "
	    "FULL JOIN e ON e.state = t.state AND e.kind = t.kind";
	int	 rc;

	if ((rc = compare_sums(l, "state_total", q_state, fn, arg, rep,
	    cause)) != 0)
		return (rc);
	return (compare_sums(l, "decision_total", q_decision, fn, arg, rep,
	    cause));
}

int
segur_audit_replay(struct segur_ledger *l, segur_audit_finding_fn fn,
    void *arg, struct segur_replay_report *rep, char **cause)
{
	struct replay	 r;
	struct segur_audit_finding f;
	struct ev	 e;
	sqlite3_stmt	*st = NULL;
	cJSON		*after = NULL;
	const char	*s;
	size_t		 i, nk = sizeof(kinds) / sizeof(kinds[0]);
	int64_t		 unknown[sizeof(kinds) / sizeof(kinds[0]) + 1];
	char		*last_unknown = NULL;
	int		 rc, p, has_v;

	memset(rep, 0, sizeof(*rep));
	memset(&r, 0, sizeof(r));
	memset(unknown, 0, sizeof(unknown));
	r.l = l;
	r.cause = cause;
	if (l->depth > 0)
		return (segur_cause(cause, SEGUR_ESTATE, "relecture dans une "
		    "transaction"));
	if ((rc = segur__exec(l, "DROP TABLE IF EXISTS temp.segur_replay; "
	    "CREATE TEMP TABLE segur_replay(p INTEGER NOT NULL, k TEXT NOT "
	    "NULL, cells TEXT NOT NULL, known INTEGER NOT NULL, ev INTEGER "
	    "NOT NULL, PRIMARY KEY (p, k)) WITHOUT ROWID", cause)) != 0)
		return (rc);
	if (sqlite3_prepare_v2(l->db, "SELECT cells, known FROM "
	    "temp.segur_replay WHERE p = ?1 AND k = ?2", -1, &r.get,
	    NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(l->db, "INSERT OR REPLACE INTO "
	    "temp.segur_replay(p, k, cells, known, ev) VALUES (?, ?, ?, ?, ?)",
	    -1, &r.put, NULL) != SQLITE_OK) {
		rc = segur__db_error(l, cause, "relecture");
		goto out;
	}
	has_v = 0;
	if (sqlite3_prepare_v2(l->db, "SELECT count(*) FROM "
	    "pragma_table_info('event') WHERE name = 'v'", -1, &st, NULL) ==
	    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		has_v = sqlite3_column_int(st, 0) > 0;
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(l->db, has_v ? "SELECT id, action, entity_key, "
	    "request_id, after, v, image, actor FROM event ORDER BY id" :
	    "SELECT id, action, entity_key, request_id, after, 1, NULL, actor "
	    "FROM event ORDER BY id", -1, &st, NULL) != SQLITE_OK) {
		rc = segur__db_error(l, cause,
		    "lecture du journal d'événements");
		goto out;
	}
	/* One transaction: the log and the tables of one moment. */
	if ((rc = segur__exec(l, "BEGIN", cause)) != 0)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&e, 0, sizeof(e));
		e.id = r.ev = sqlite3_column_int64(st, 0);
		e.action = (const char *)sqlite3_column_text(st, 1);
		e.key = (const char *)sqlite3_column_text(st, 2);
		e.rid = sqlite3_column_type(st, 3) == SQLITE_INTEGER ?
		    sqlite3_column_int64(st, 3) : 0;
		e.v = sqlite3_column_int(st, 5);
		e.actor = (const char *)sqlite3_column_text(st, 7);
		if (e.action == NULL)
			continue;
		rep->events++;
		for (i = 0; i < nk; i++)
			if (strcmp(kinds[i].action, e.action) == 0)
				break;
		if (i == nk) {
			unknown[nk]++;
			if (last_unknown == NULL)
				last_unknown = strdup(e.action);
		}
		if (i < nk && kinds[i].fn != NULL) {
			/* v2: only the attempt's rank is read from after. */
			s = (const char *)sqlite3_column_text(st, 4);
			after = s != NULL && (e.v == 1 || strcmp(e.action,
			    "request.state") == 0) ? cJSON_Parse(s) : NULL;
			e.after = after;
			rc = kinds[i].fn(&r, &e);
			cJSON_Delete(after);
			after = NULL;
			if (rc != 0)
				break;
		}
		if (e.v == 2 && (rc = apply_image(&r,
		    (const char *)sqlite3_column_text(st, 6))) != 0)
			break;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE && rc != 0 && rc != SQLITE_ROW) {
		if (rc > 0)
			rc = segur__db_error(l, cause,
			    "lecture du journal d'événements");
		else if (rc == SEGUR_ENOMEM)
			rc = segur_cause(cause, rc, "mémoire épuisée");
		segur__exec(l, "ROLLBACK", NULL);
		goto out;
	}
	for (p = 0; p < SEGUR__P_COUNT; p++)
		if ((rc = compare_proj(l, p, fn, arg, rep, cause)) != 0)
			break;
	if (rc == 0)
		rc = compare_totals(l, fn, arg, rep, cause);
	if (rc == 0 && unknown[nk] > 0 && fn != NULL) {
		memset(&f, 0, sizeof(f));
		f.kind = SEGUR_AUDIT_UNKNOWN;
		f.table = "event";
		f.key = last_unknown;
		f.count = unknown[nk];
		rc = fn(arg, &f);
	}
	segur__exec(l, "ROLLBACK", NULL);
out:
	free(last_unknown);
	sqlite3_finalize(st);
	sqlite3_finalize(r.get);
	sqlite3_finalize(r.put);
	free(r.lastseq);
	free(r.ndec);
	segur__exec(l, "DROP TABLE IF EXISTS temp.segur_replay", NULL);
	return (rc);
}

/* ------------------------------------------------------------------ */
/* Schema. */

/* French name of a sqlite_schema type. */
static const char *
type_fr(const char *t)
{
	if (t == NULL)
		return ("objet");
	if (strcmp(t, "trigger") == 0)
		return ("déclencheur");
	if (strcmp(t, "view") == 0)
		return ("vue");
	return (t);	/* table, index */
}

int
segur_audit_schema_check(struct segur_ledger *l, segur_audit_finding_fn fn,
    void *arg, int64_t *n, char **cause)
{
	static const char *const q = "SELECT type, name, tbl_name, sql "
	    "FROM sqlite_schema ORDER BY type, name";
	const struct segur_embedded_file *m;
	struct segur_audit_finding f;
	sqlite3_stmt	*sa = NULL, *sb = NULL;
	sqlite3		*ref = NULL;
	char		*msg = NULL;
	const char	*ta, *tb, *na, *nb, *qa, *qb;
	int		 ra, rb, c, rc = 0;

	*n = 0;
	/* The schema the migrations make, in an empty database. */
	if (sqlite3_open_v2(":memory:", &ref, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		sqlite3_close(ref);
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	}
	for (m = segur_embedded_files; m->name != NULL; m++) {
		if (strncmp(m->name, "sql/migrations/", 15) != 0)
			continue;
		if (sqlite3_exec(ref, m->data, NULL, NULL, &msg) !=
		    SQLITE_OK) {
			rc = segur_cause(cause, SEGUR_EDB, "%s: %s", m->name,
			    msg != NULL ? msg : "?");
			sqlite3_free(msg);
			goto out;
		}
	}
	if (sqlite3_prepare_v2(ref, q, -1, &sa, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(l->db, q, -1, &sb, NULL) != SQLITE_OK) {
		rc = segur__db_error(l, cause, "lecture du schéma");
		goto out;
	}
	/* A merge of two lists sorted by (type, name). */
	ra = sqlite3_step(sa);
	rb = sqlite3_step(sb);
	while (ra == SQLITE_ROW || rb == SQLITE_ROW) {
		ta = ra == SQLITE_ROW ? (const char *)sqlite3_column_text(sa,
		    0) : NULL;
		na = ra == SQLITE_ROW ? (const char *)sqlite3_column_text(sa,
		    1) : NULL;
		tb = rb == SQLITE_ROW ? (const char *)sqlite3_column_text(sb,
		    0) : NULL;
		nb = rb == SQLITE_ROW ? (const char *)sqlite3_column_text(sb,
		    1) : NULL;
		if (ta == NULL)
			c = 1;
		else if (tb == NULL)
			c = -1;
		else if ((c = strcmp(ta, tb)) == 0)
			c = strcmp(na != NULL ? na : "", nb != NULL ? nb : "");
		memset(&f, 0, sizeof(f));
		f.kind = SEGUR_AUDIT_SCHEMA;
		if (c < 0) {
			f.table = type_fr(ta);
			f.key = na;
			f.expected = (const char *)sqlite3_column_text(sa, 3);
			f.found = NULL;
		} else if (c > 0) {
			f.table = type_fr(tb);
			f.key = nb;
			f.expected = NULL;
			f.found = (const char *)sqlite3_column_text(sb, 3);
		} else {
			qa = (const char *)sqlite3_column_text(sa, 3);
			qb = (const char *)sqlite3_column_text(sb, 3);
			na = (const char *)sqlite3_column_text(sa, 2);
			nb = (const char *)sqlite3_column_text(sb, 2);
			if ((qa == NULL) != (qb == NULL) || (qa != NULL &&
			    strcmp(qa, qb) != 0) || (na == NULL) !=
			    (nb == NULL) || (na != NULL && strcmp(na,
			    nb) != 0)) {
				f.table = type_fr(ta);
				f.key = (const char *)sqlite3_column_text(sa,
				    1);
				f.expected = qa;
				f.found = qb;
			}
		}
		if (f.table != NULL) {
			(*n)++;
			if (fn != NULL && (rc = fn(arg, &f)) != 0)
				goto out;
		}
		if (c <= 0)
			ra = sqlite3_step(sa);
		if (c >= 0)
			rb = sqlite3_step(sb);
	}
	if (ra != SQLITE_DONE || rb != SQLITE_DONE)
		rc = segur__db_error(l, cause, "lecture du schéma");
out:
	sqlite3_finalize(sa);
	sqlite3_finalize(sb);
	sqlite3_close(ref);
	return (rc);
}

int
segur_audit_ledger_check(struct segur_ledger *l, struct segur_audit *a,
    segur_audit_finding_fn fn, void *arg, struct segur_ledger_check *c,
    char **cause)
{
	int	 rc;

	memset(c, 0, sizeof(*c));
	rc = segur_ledger_audit_verify(l, a, cause);
	if (rc != 0 && rc != SEGUR_ECORRUPT)
		return (rc);
	c->chain_rc = rc;
	if (cause != NULL) {
		free(*cause);
		*cause = NULL;
	}
	if ((rc = segur_audit_schema_check(l, fn, arg, &c->schema,
	    cause)) != 0 || (rc = segur_audit_replay(l, fn, arg, &c->replay,
	    cause)) != 0)
		return (rc);
	if (c->chain_rc != 0)
		return (segur_cause(cause, SEGUR_ECORRUPT, "le journal "
		    "d'événements est rompu à l'événement %" PRId64 " (%s)",
		    a->bad_id, a->reason != NULL ? a->reason : "?"));
	if (a->late_unsealed > 0)
		return (segur_cause(cause, SEGUR_ECORRUPT, "%" PRId64
		    " événement(s) non scellé(s) après le premier événement "
		    "scellé (le premier : %" PRId64 ")", a->late_unsealed,
		    a->first_late));
	if (c->schema > 0)
		return (segur_cause(cause, SEGUR_ECORRUPT, "le schéma du "
		    "registre diffère de celui des migrations (%" PRId64
		    " différence(s))", c->schema));
	if (c->replay.findings > 0)
		return (segur_cause(cause, SEGUR_ECORRUPT, "les tables "
		    "diffèrent de ce que le journal d'événements a écrit "
		    "(%" PRId64 " différence(s))", c->replay.findings));
	return (0);
}
