/*
 * outbox.c: the alerts outbox (outbox.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ledger/ledger-int.h"
#include "segur/alert.h"
#include "segur/error.h"
#include "segur/outbox.h"
#include "segur/util.h"

void
segur_outbox_alert_id(int64_t id, char buf[32])
{
	snprintf(buf, 32, "alert-%06" PRId64, id);
}

int
segur_outbox_add(struct segur_ledger *l, const char *kind,
    const char *severity, int64_t request_id, int64_t file_id,
    const struct cJSON *facts, int64_t *id, char **cause)
{
	static const char *const sql =
	    "INSERT INTO alert(kind, severity, request_id, file_id, subject, "
	    "body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
	struct segur_alert a;
	sqlite3_stmt	*st;
	char		 now[24], aid[32], *json = NULL, *after = NULL;
	int		 rc;

	memset(&a, 0, sizeof(a));
	if ((a.kind = strdup(kind)) == NULL || (a.facts = cJSON_Duplicate(
	    facts, 1)) == NULL || segur_alert_compose(&a) != 0 ||
	    (json = cJSON_PrintUnformatted(facts)) == NULL) {
		segur_alert_release(&a);
		free(json);
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	}
	if ((rc = segur_ledger_begin(l, cause)) != 0)
		goto out;
	segur__ledger_now(now);
	if ((rc = segur__stmt(l, sql, &st, cause)) != 0)
		goto fail;
	segur__bind_text(st, 1, kind);
	segur__bind_text(st, 2, severity);
	if (request_id > 0)
		sqlite3_bind_int64(st, 3, request_id);
	else
		sqlite3_bind_null(st, 3);
	if (file_id > 0)
		sqlite3_bind_int64(st, 4, file_id);
	else
		sqlite3_bind_null(st, 4);
	segur__bind_text(st, 5, a.subject);
	segur__bind_text(st, 6, json);
	segur__bind_text(st, 7, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		rc = segur__db_error(l, cause, "mettre l'alerte en file");
		goto fail;
	}
	if (id != NULL)
		*id = sqlite3_last_insert_rowid(l->db);
	segur_outbox_alert_id(sqlite3_last_insert_rowid(l->db), aid);
	{
		cJSON *o = cJSON_CreateObject();

		if (o == NULL || cJSON_AddStringToObject(o, "kind", kind) ==
		    NULL || cJSON_AddStringToObject(o, "subject",
		    a.subject) == NULL || (after = cJSON_PrintUnformatted(o)) ==
		    NULL) {
			cJSON_Delete(o);
			rc = segur_cause(cause, SEGUR_ENOMEM,
			    "mémoire épuisée");
			goto fail;
		}
		cJSON_Delete(o);
	}
	if ((rc = segur__event_append(l, "alert.queued", "alert", aid,
	    request_id, NULL, after, cause)) != 0)
		goto fail;
	rc = segur_ledger_commit(l, cause);
	goto out;
fail:
	segur_ledger_rollback(l);
out:
	segur_alert_release(&a);
	free(json);
	free(after);
	return (rc);
}

int
segur_outbox_list(struct segur_ledger *l, const struct segur_outbox_filter *f,
    int (*fn)(void *arg, const struct segur_outbox_row *row), void *arg,
    char **cause)
{
	static const char *const sql =
	    "SELECT a.id, a.kind, a.severity, a.created_at, a.subject, a.body, "
	    "r.ref, "
	    "(SELECT count(*) FROM alert_delivery d WHERE d.alert_id = a.id "
	    "AND d.state = 'delivered'), "
	    "(SELECT count(*) FROM alert_delivery d WHERE d.alert_id = a.id "
	    "AND d.state = 'pending'), "
	    "(SELECT count(*) FROM alert_delivery d WHERE d.alert_id = a.id "
	    "AND d.state = 'failed'), "
	    "(SELECT last_error FROM alert_delivery d WHERE d.alert_id = a.id "
	    "AND d.state = 'failed' LIMIT 1) "
	    "FROM alert a LEFT JOIN request r ON r.id = a.request_id "
	    "WHERE (?1 IS NULL OR a.kind = ?1) AND (?2 IS NULL OR "
	    "(?2 = 'undelivered' AND NOT EXISTS (SELECT 1 FROM alert_delivery "
	    "d WHERE d.alert_id = a.id)) OR EXISTS (SELECT 1 FROM "
	    "alert_delivery d WHERE d.alert_id = a.id AND d.state = ?2)) "
	    "ORDER BY a.id DESC LIMIT ?3";
	struct segur_outbox_row row;
	sqlite3_stmt	*st;
	int		 rc, stop = 0;

	if ((rc = segur__stmt(l, sql, &st, cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, f != NULL ? f->kind : NULL);
	segur__bind_text(st, 2, f != NULL ? f->state : NULL);
	sqlite3_bind_int64(st, 3, f != NULL && f->limit > 0 ?
	    (sqlite3_int64)f->limit : -1);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		row.id = sqlite3_column_int64(st, 0);
		row.kind = (const char *)sqlite3_column_text(st, 1);
		row.severity = (const char *)sqlite3_column_text(st, 2);
		row.created_at = (const char *)sqlite3_column_text(st, 3);
		row.subject = (const char *)sqlite3_column_text(st, 4);
		row.facts = (const char *)sqlite3_column_text(st, 5);
		row.ref = (const char *)sqlite3_column_text(st, 6);
		row.delivered = sqlite3_column_int(st, 7);
		row.pending = sqlite3_column_int(st, 8);
		row.failed = sqlite3_column_int(st, 9);
		row.last_error = (const char *)sqlite3_column_text(st, 10);
		stop = fn(arg, &row);
	}
	sqlite3_reset(st);
	if (stop)
		return (stop);
	if (rc != SQLITE_DONE)
		return (segur__db_error(l, cause, "lister les alertes"));
	return (0);
}

int
segur_outbox_due(struct segur_ledger *l, const char *channel,
    const char *now, size_t limit,
    int (*fn)(void *arg, const struct segur_outbox_due *row), void *arg,
    char **cause)
{
	static const char *const sql =
	    "SELECT a.id, a.kind, a.severity, a.created_at, a.subject, a.body, "
	    "coalesce(d.tries, 0) "
	    "FROM alert a LEFT JOIN alert_delivery d ON d.alert_id = a.id "
	    "AND d.channel = ?1 "
	    "WHERE d.alert_id IS NULL OR (d.state = 'pending' AND "
	    "(d.next_at IS NULL OR d.next_at <= ?2)) "
	    "ORDER BY a.id LIMIT ?3";
	struct segur_outbox_due row;
	sqlite3_stmt	*st;
	char		 ts[24];
	int		 rc, stop = 0;

	if (now == NULL) {
		segur__ledger_now(ts);
		now = ts;
	}
	if ((rc = segur__stmt(l, sql, &st, cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, channel);
	segur__bind_text(st, 2, now);
	sqlite3_bind_int64(st, 3, limit > 0 ? (sqlite3_int64)limit : -1);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		row.id = sqlite3_column_int64(st, 0);
		row.kind = (const char *)sqlite3_column_text(st, 1);
		row.severity = (const char *)sqlite3_column_text(st, 2);
		row.created_at = (const char *)sqlite3_column_text(st, 3);
		row.subject = (const char *)sqlite3_column_text(st, 4);
		row.facts = (const char *)sqlite3_column_text(st, 5);
		row.tries = sqlite3_column_int(st, 6);
		stop = fn(arg, &row);
	}
	sqlite3_reset(st);
	if (stop)
		return (stop);
	if (rc != SQLITE_DONE)
		return (segur__db_error(l, cause,
		    "lire les alertes à envoyer"));
	return (0);
}

/*
 * Records one delivery outcome and its event in one transaction. A row
 * already delivered stays so (a late duplicate outcome changes nothing).
 */
static int
record(struct segur_ledger *l, int64_t id, const char *channel,
    const char *state, int tries, const char *next_at, const char *error,
    char **cause)
{
	static const char *const find =
	    "SELECT a.request_id, d.state FROM alert a LEFT JOIN "
	    "alert_delivery d ON d.alert_id = a.id AND d.channel = ?2 "
	    "WHERE a.id = ?1";
	static const char *const upsert =
	    "INSERT INTO alert_delivery(alert_id, channel, state, tries, "
	    "next_at, last_error, delivered_at) VALUES (?1, ?2, ?3, ?4, ?5, "
	    "?6, ?7) ON CONFLICT(alert_id, channel) DO UPDATE SET "
	    "state = excluded.state, tries = tries + excluded.tries, "
	    "next_at = excluded.next_at, last_error = excluded.last_error, "
	    "delivered_at = excluded.delivered_at";
	sqlite3_stmt	*st;
	cJSON		*o = NULL;
	char		 now[24], aid[32], action[32], *after = NULL;
	int64_t		 request_id;
	int		 rc, done;

	if (tries < 0)
		tries = 0;
	if ((rc = segur_ledger_begin(l, cause)) != 0)
		return (rc);
	if ((rc = segur__stmt(l, find, &st, cause)) != 0)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	segur__bind_text(st, 2, channel);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		if (rc == SQLITE_DONE)
			rc = segur_cause(cause, SEGUR_ENOENT,
			    "aucune alerte %lld", (long long)id);
		else
			rc = segur__db_error(l, cause, "lire l'alerte");
		goto fail;
	}
	request_id = sqlite3_column_int64(st, 0);
	done = sqlite3_column_type(st, 1) != SQLITE_NULL && strcmp(
	    (const char *)sqlite3_column_text(st, 1), "delivered") == 0;
	sqlite3_reset(st);
	if (done) {
		segur_ledger_rollback(l);
		return (0);
	}
	segur__ledger_now(now);
	if ((rc = segur__stmt(l, upsert, &st, cause)) != 0)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	segur__bind_text(st, 2, channel);
	segur__bind_text(st, 3, state);
	sqlite3_bind_int(st, 4, tries);
	segur__bind_text(st, 5, next_at);
	segur__bind_text(st, 6, error);
	segur__bind_text(st, 7, strcmp(state, "delivered") == 0 ? now : NULL);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		rc = segur__db_error(l, cause, "enregistrer l'envoi");
		goto fail;
	}
	segur_outbox_alert_id(id, aid);
	snprintf(action, sizeof(action), "alert.%s",
	    strcmp(state, "pending") == 0 ? "retry" : state);
	if ((o = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(o, "channel", channel) == NULL ||
	    cJSON_AddStringToObject(o, "state", state) == NULL ||
	    cJSON_AddNumberToObject(o, "tries", tries) == NULL ||
	    (next_at != NULL && cJSON_AddStringToObject(o, "nextAt",
	    next_at) == NULL) ||
	    (error != NULL && cJSON_AddStringToObject(o, "error", error) ==
	    NULL) || (after = cJSON_PrintUnformatted(o)) == NULL) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
		goto fail;
	}
	if ((rc = segur__event_append(l, action, "alert", aid, request_id,
	    NULL, after, cause)) != 0)
		goto fail;
	rc = segur_ledger_commit(l, cause);
	cJSON_Delete(o);
	free(after);
	return (rc);
fail:
	segur_ledger_rollback(l);
	cJSON_Delete(o);
	free(after);
	return (rc);
}

int
segur_outbox_delivered(struct segur_ledger *l, int64_t id,
    const char *channel, int tries, char **cause)
{
	return (record(l, id, channel, "delivered", tries, NULL, NULL, cause));
}

int
segur_outbox_failed(struct segur_ledger *l, int64_t id, const char *channel,
    int tries, const char *error, char **cause)
{
	return (record(l, id, channel, "failed", tries, NULL,
	    error != NULL ? error : "échec", cause));
}

int
segur_outbox_retry(struct segur_ledger *l, int64_t id, const char *channel,
    int tries, const char *next_at, const char *error, char **cause)
{
	return (record(l, id, channel, "pending", tries, next_at, error,
	    cause));
}
