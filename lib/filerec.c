/*
 * filerec.c: recording files in the ledger (filerec.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "filerec.h"
#include "ledger-int.h"
#include "segur/error.h"
#include "segur/util.h"

int
segur__archive_record(struct segur_ledger *l, const char *sha256,
    uint64_t size, char **cause)
{
	static const char *const sql =
	    "INSERT INTO archive(sha256, size, stored_at) VALUES (?, ?, ?) "
	    "ON CONFLICT(sha256) DO NOTHING";
	sqlite3_stmt	*st;
	char		 now[24];
	int		 rc;

	segur__ledger_now(now);
	if ((rc = segur__stmt(l, sql, &st, cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, sha256);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)size);
	segur__bind_text(st, 3, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(l, cause, "record the archive"));
	return (0);
}

int
segur__file_record(struct segur_ledger *l, const struct segur__file *f,
    const char *action, int64_t *id, char **cause)
{
	static const char *const sql =
	    "INSERT INTO file(direction, kind, name, numero_ans, day, rank, "
	    "sha256, size, imp_id, answers, created_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt	*st;
	cJSON		*after;
	char		 now[24], *text;
	int		 rc;

	if ((rc = segur__archive_record(l, f->sha256, f->size, cause)) != 0)
		return (rc);
	segur__ledger_now(now);
	if ((rc = segur__stmt(l, sql, &st, cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, f->direction);
	segur__bind_text(st, 2, f->kind);
	segur__bind_text(st, 3, f->name);
	segur__bind_text(st, 4, f->numero_ans);
	segur__bind_text(st, 5, f->day);
	if (f->rank > 0)
		sqlite3_bind_int(st, 6, f->rank);
	else
		sqlite3_bind_null(st, 6);
	segur__bind_text(st, 7, f->sha256);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)f->size);
	segur__bind_text(st, 9, f->imp_id);
	if (f->answers > 0)
		sqlite3_bind_int64(st, 10, f->answers);
	else
		sqlite3_bind_null(st, 10);
	segur__bind_text(st, 11, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(l, cause, "record the file"));
	*id = sqlite3_last_insert_rowid(l->db);
	if ((after = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(after, "kind", f->kind) == NULL ||
	    cJSON_AddStringToObject(after, "sha256", f->sha256) == NULL ||
	    cJSON_AddNumberToObject(after, "size", (double)f->size) == NULL ||
	    (text = cJSON_PrintUnformatted(after)) == NULL) {
		cJSON_Delete(after);
		return (segur_cause(cause, SEGUR_ENOMEM, "out of memory"));
	}
	cJSON_Delete(after);
	rc = segur__event_append(l, action, "file", f->name, 0, NULL, text,
	    cause);
	free(text);
	return (rc);
}
