/*
 * anomaly.c: listing and resolving the anomalies ingest records
 * (anomaly.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ledger/ledger-int.h"
#include "segur/anomaly.h"
#include "segur/date.h"
#include "segur/error.h"
#include "segur/util.h"

/* What every list reads, of anomaly an and what it refers to. */
#define ANOMALY_COLUMNS \
	"an.id, an.kind, an.detail, an.at, f.name, an.line_index, " \
	"an.request_id, r.ref, an.attempt_id, a.seq, " \
	"coalesce(a.numero_editeur, json_extract(an.returned, " \
	"'$.numeroEditeur')), an.returned, an.resolved_at, an.resolved_by, " \
	"an.resolution_note FROM anomaly an LEFT JOIN file f ON f.id = " \
	"an.file_id LEFT JOIN request r ON r.id = an.request_id LEFT JOIN " \
	"attempt a ON a.id = an.attempt_id "

void
segur_anomaly_free_array(struct segur_anomaly *a, size_t n)
{
	size_t	 i;

	for (i = 0; a != NULL && i < n; i++) {
		free(a[i].kind);
		free(a[i].detail);
		free(a[i].at);
		free(a[i].file);
		free(a[i].ref);
		free(a[i].numero_editeur);
		free(a[i].returned);
		free(a[i].resolved_at);
		free(a[i].resolved_by);
		free(a[i].note);
	}
	free(a);
}

/* Fills x from the row at st (ANOMALY_COLUMNS); *oom set on failure. */
static void
anomaly_read(sqlite3_stmt *st, struct segur_anomaly *x, int *oom)
{
	memset(x, 0, sizeof(*x));
	x->id = sqlite3_column_int64(st, 0);
	x->kind = segur__column_dup(st, 1, oom);
	x->detail = segur__column_dup(st, 2, oom);
	x->at = segur__column_dup(st, 3, oom);
	x->file = segur__column_dup(st, 4, oom);
	x->line = sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 :
	    (long)sqlite3_column_int64(st, 5);
	x->request_id = sqlite3_column_int64(st, 6);
	x->ref = segur__column_dup(st, 7, oom);
	x->attempt_id = sqlite3_column_int64(st, 8);
	x->attempt_seq = (long)sqlite3_column_int64(st, 9);
	x->numero_editeur = segur__column_dup(st, 10, oom);
	x->returned = segur__column_dup(st, 11, oom);
	x->resolved_at = segur__column_dup(st, 12, oom);
	x->resolved_by = segur__column_dup(st, 13, oom);
	x->note = segur__column_dup(st, 14, oom);
}

/* Steps st (bound) into a new array; at most max rows when max > 0. */
static int
read_rows(struct segur_ledger *l, sqlite3_stmt *st, size_t max,
    struct segur_anomaly **out, size_t *n, char **cause)
{
	struct segur_anomaly *v = NULL, *nv;
	size_t		 cnt = 0;
	int		 rc, oom = 0;

	while ((max == 0 || cnt < max) &&
	    (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((nv = realloc(v, (cnt + 1) * sizeof(*v))) == NULL) {
			oom = 1;
			break;
		}
		v = nv;
		anomaly_read(st, &v[cnt++], &oom);
		if (oom)
			break;
	}
	if (max > 0 && cnt == max)
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	if (oom || (rc != SQLITE_DONE && rc != SQLITE_ROW)) {
		segur_anomaly_free_array(v, cnt);
		return (oom ? segur_cause(cause, SEGUR_ENOMEM,
		    "mémoire épuisée") : segur__db_error(l, cause,
		    "lecture des anomalies"));
	}
	*out = v;
	*n = cnt;
	return (0);
}

int
segur_anomaly_list(struct segur_ledger *l, int flags, int64_t request_id,
    struct segur_anomaly **out, size_t *n, char **cause)
{
	/* Fixed texts: the open ones are read from their partial index. */
	static const char *const q_open = "SELECT " ANOMALY_COLUMNS
	    "WHERE an.resolved_at IS NULL ORDER BY an.at, an.id";
	static const char *const q_all = "SELECT " ANOMALY_COLUMNS
	    "ORDER BY an.at, an.id";
	static const char *const q_req_open = "SELECT " ANOMALY_COLUMNS
	    "WHERE an.request_id = ?1 AND an.resolved_at IS NULL "
	    "ORDER BY an.at, an.id";
	static const char *const q_req_all = "SELECT " ANOMALY_COLUMNS
	    "WHERE an.request_id = ?1 ORDER BY an.at, an.id";
	sqlite3_stmt	*st;
	const char	*sql;
	int		 rc;

	*out = NULL;
	*n = 0;
	if (request_id > 0)
		sql = flags & SEGUR_ANOMALY_ALL ? q_req_all : q_req_open;
	else
		sql = flags & SEGUR_ANOMALY_ALL ? q_all : q_open;
	if ((rc = segur__stmt(l, sql, &st, cause)) != 0)
		return (rc);
	if (request_id > 0)
		sqlite3_bind_int64(st, 1, request_id);
	return (read_rows(l, st, 0, out, n, cause));
}

int
segur_anomaly_open(struct segur_ledger *l, int64_t *count,
    struct segur_anomaly **oldest, char **cause)
{
	static const char *const q_count =
	    "SELECT count(*) FROM anomaly WHERE resolved_at IS NULL";
	static const char *const q_oldest = "SELECT " ANOMALY_COLUMNS
	    "WHERE an.resolved_at IS NULL ORDER BY an.at, an.id LIMIT 1";
	sqlite3_stmt	*st;
	size_t		 n = 0;
	int		 rc;

	*count = 0;
	*oldest = NULL;
	if ((rc = segur__stmt(l, q_count, &st, cause)) != 0)
		return (rc);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*count = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return (segur__db_error(l, cause, "décompte des anomalies"));
	if (*count == 0)
		return (0);
	if ((rc = segur__stmt(l, q_oldest, &st, cause)) != 0)
		return (rc);
	if ((rc = read_rows(l, st, 1, oldest, &n, cause)) != 0)
		return (rc);
	if (n == 0) {
		free(*oldest);
		*oldest = NULL;
	}
	return (0);
}

/* The event's after: what was resolved and how (caller frees). */
static char *
resolve_json(const struct segur_anomaly *x, const char *note,
    const char *at)
{
	cJSON	*o;
	char	*s;

	if ((o = cJSON_CreateObject()) == NULL)
		return (NULL);
	if (cJSON_AddNumberToObject(o, "id", (double)x->id) == NULL ||
	    cJSON_AddStringToObject(o, "kind", x->kind) == NULL ||
	    cJSON_AddStringToObject(o, "detail", x->detail) == NULL ||
	    cJSON_AddStringToObject(o, "note", note) == NULL ||
	    cJSON_AddStringToObject(o, "resolvedAt", at) == NULL) {
		cJSON_Delete(o);
		return (NULL);
	}
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return (s);
}

int
segur_anomaly_resolve(struct segur_ledger *l, int64_t id, const char *note,
    char **cause)
{
	static const char *const q_find = "SELECT " ANOMALY_COLUMNS
	    "WHERE an.id = ?";
	static const char *const q_upd =
	    "UPDATE anomaly SET resolved_at = ?, resolved_by = ?, "
	    "resolution_note = ? WHERE id = ? AND resolved_at IS NULL";
	struct segur_anomaly *x = NULL;
	sqlite3_stmt	*st;
	const char	*p;
	char		 now[24], key[24], *after = NULL;
	char		 when[SEGUR_DATE_FR_BUFSZ];
	size_t		 n = 0;
	int		 rc;

	/* A resolution that says nothing would tell an auditor nothing. */
	for (p = note; p != NULL && *p != '\0' && strchr(" \t\r\n", *p) !=
	    NULL; p++)
		;
	if (p == NULL || *p == '\0')
		return (segur_cause(cause, SEGUR_EINVAL, "une note est "
		    "nécessaire : dire ce qui a été vérifié ou fait "
		    "(--note TEXTE)"));
	if ((rc = segur_ledger_begin(l, cause)) != 0)
		return (rc);
	if ((rc = segur__stmt(l, q_find, &st, cause)) != 0)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = read_rows(l, st, 1, &x, &n, cause)) != 0)
		goto fail;
	if (n == 0) {
		rc = segur_cause(cause, SEGUR_ENOENT, "aucune anomalie n° "
		    "%lld dans le registre (segurctl anomalies --all)",
		    (long long)id);
		goto fail;
	}
	if (x->resolved_at != NULL) {
		rc = segur_cause(cause, SEGUR_ESTATE, "l'anomalie n° %lld est "
		    "déjà résolue, le %s par %s : « %s » ; une résolution ne "
		    "se refait pas", (long long)id, segur_date_fr(
		    x->resolved_at, when) != NULL ? when : x->resolved_at,
		    x->resolved_by != NULL ? x->resolved_by : "?",
		    x->note != NULL ? x->note : "");
		goto fail;
	}
	segur__ledger_now_l(l, now);
	if ((rc = segur__stmt(l, q_upd, &st, cause)) != 0)
		goto fail;
	segur__bind_text(st, 1, now);
	segur__bind_text(st, 2, segur_ledger_actor(l));
	segur__bind_text(st, 3, note);
	sqlite3_bind_int64(st, 4, id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE || sqlite3_changes(l->db) != 1) {
		rc = segur__db_error(l, cause, "résolution de l'anomalie");
		goto fail;
	}
	if ((after = resolve_json(x, note, now)) == NULL) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
		goto fail;
	}
	snprintf(key, sizeof(key), "%lld", (long long)id);
	if ((rc = segur__event_append(l, "anomaly.resolve", "anomaly", key,
	    x->request_id, NULL, after, cause)) != 0)
		goto fail;
	free(after);
	segur_anomaly_free_array(x, n);
	return (segur_ledger_commit(l, cause));
fail:
	free(after);
	segur_anomaly_free_array(x, n);
	segur_ledger_rollback(l);
	return (rc);
}

/* Adds s, or null. */
static int
add_text(cJSON *o, const char *key, const char *s)
{
	return ((s != NULL ? cJSON_AddStringToObject(o, key, s) :
	    cJSON_AddNullToObject(o, key)) != NULL ? 0 : -1);
}

cJSON *
segur_anomaly_json(const struct segur_anomaly *x)
{
	cJSON	*o, *ret = NULL;

	if ((o = cJSON_CreateObject()) == NULL)
		return (NULL);
	/* What ASP returned, as the object it was (a text if not). */
	if (x->returned != NULL && (ret = cJSON_Parse(x->returned)) == NULL)
		ret = cJSON_CreateString(x->returned);
	if (cJSON_AddNumberToObject(o, "id", (double)x->id) == NULL ||
	    add_text(o, "state", x->resolved_at == NULL ? "open" :
	    "resolved") != 0 ||
	    add_text(o, "kind", x->kind) != 0 ||
	    add_text(o, "file", x->file) != 0 ||
	    (x->line >= 0 ? cJSON_AddNumberToObject(o, "line",
	    (double)x->line) : cJSON_AddNullToObject(o, "line")) == NULL ||
	    add_text(o, "ref", x->ref) != 0 ||
	    add_text(o, "numeroEditeur", x->numero_editeur) != 0 ||
	    (x->attempt_seq > 0 ? cJSON_AddNumberToObject(o, "attempt",
	    (double)x->attempt_seq) : cJSON_AddNullToObject(o, "attempt")) ==
	    NULL ||
	    (ret != NULL ? !cJSON_AddItemToObject(o, "returned", ret) :
	    cJSON_AddNullToObject(o, "returned") == NULL) ||
	    add_text(o, "detail", x->detail) != 0 ||
	    add_text(o, "at", x->at) != 0 ||
	    add_text(o, "resolvedAt", x->resolved_at) != 0 ||
	    add_text(o, "resolvedBy", x->resolved_by) != 0 ||
	    add_text(o, "note", x->note) != 0) {
		cJSON_Delete(o);
		return (NULL);
	}
	return (o);
}
