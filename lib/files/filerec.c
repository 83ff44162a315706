/*
 * filerec.c: the archive rows of files and documents (filerec.h), and the
 * names of the file kinds (ledger.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "files/filerec.h"
#include "ledger/ledger-int.h"
#include "segur/alert.h"
#include "segur/error.h"
#include "segur/outbox.h"
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
		return (segur__db_error(l, cause,
		    "enregistrement de l'archive"));
	return (0);
}

const char *
segur_file_kind_name(enum segur_file_kind k)
{
	/* The file table's codes, as the ledger writes them. */
	static const char *const names[] = { "submission", "returned",
	    "documents", "solde", "solde_returned" };

	if ((int)k < 0 || (size_t)k >= sizeof(names) / sizeof(names[0]))
		return (NULL);
	return (names[k]);
}

int
segur__archive_repaired(struct segur_ledger *l, int rc, const char *sha256,
    const char *what, char **cause)
{
	cJSON	*ev = NULL, *facts = NULL;
	char	*after = NULL, *detail = NULL;

	if (rc != 1)
		return (rc < 0 ? rc : 0);
	detail = segur_asprintf("l'objet %s de l'archive avait été modifié "
	    "sur le disque ; il a été remis en état à partir de %s, et la "
	    "copie modifiée est conservée à côté (%s.altered.*) pour examen",
	    sha256, what, sha256);
	if (detail == NULL || (ev = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(ev, "sha256", sha256) == NULL ||
	    cJSON_AddStringToObject(ev, "file", what) == NULL ||
	    (after = cJSON_PrintUnformatted(ev)) == NULL ||
	    (facts = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(facts, SEGUR_ALERT_F_FILE, what) == NULL ||
	    cJSON_AddStringToObject(facts, "anomalie", detail) == NULL ||
	    cJSON_AddStringToObject(facts, SEGUR_ALERT_F_ACTION, "chercher "
	    "qui ou quoi a modifié le dossier d'archive (droits, sauvegarde "
	    "restaurée, disque), puis segurctl audit verify") == NULL) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
		goto out;
	}
	if ((rc = segur_ledger_begin(l, cause)) != 0)
		goto out;
	if ((rc = segur__event_append(l, "archive.repaired", "archive",
	    sha256, 0, NULL, after, cause)) != 0 ||
	    (rc = segur_outbox_add(l, SEGUR_ALERT_ANOMALY, "error", 0, 0,
	    facts, NULL, cause)) != 0) {
		segur_ledger_rollback(l);
		goto out;
	}
	rc = segur_ledger_commit(l, cause);
out:
	cJSON_Delete(ev);
	cJSON_Delete(facts);
	free(after);
	free(detail);
	return (rc);
}
