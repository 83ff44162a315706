/*
 * audit-backup.c: online backups and restores with SQLite's backup API
 * (audit.h). A backup is one consistent snapshot taken while segurd and
 * segurctl keep writing (WAL: readers never block writers); a restore
 * checks the backup's chain before it touches anything.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "segur/audit.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "audit/audit-int.h"
#include "ledger/ledger-int.h"

/* Copies every page of src into dst in one step: one read transaction on
 * src, so one snapshot. */
static int
copy_db(sqlite3 *src, sqlite3 *dst, const char *what, char **cause)
{
	sqlite3_backup	*bk;
	int		 rc, waited = 0;

	if ((bk = sqlite3_backup_init(dst, "main", src, "main")) == NULL)
		return (segur_cause(cause, SEGUR_EDB, "%s : %s", what,
		    sqlite3_errmsg(dst)));
	/* A lock held by another process: wait as the ledger's writers do,
	 * then give up rather than hang. */
	while (((rc = sqlite3_backup_step(bk, -1)) == SQLITE_BUSY ||
	    rc == SQLITE_LOCKED) && waited < SEGUR_LEDGER_BUSY_MS) {
		sqlite3_sleep(50);
		waited += 50;
	}
	sqlite3_backup_finish(bk);
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return (segur_cause(cause, SEGUR_EBUSY, "%s : le registre est "
		    "resté verrouillé %d ms", what, SEGUR_LEDGER_BUSY_MS));
	if (rc != SQLITE_DONE)
		return (segur_cause(cause, rc == SQLITE_NOMEM ? SEGUR_ENOMEM :
		    SEGUR_EDB, "%s : %s", what, sqlite3_errstr(rc)));
	return (0);
}

int
segur_audit_backup(struct segur_ledger *l, const char *path, char **cause)
{
	sqlite3	*dst = NULL;
	char	*tmp;
	int	 rc;

	if ((tmp = segur_asprintf("%s.segur-tmp", path)) == NULL)
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	unlink(tmp);
	if ((rc = segur_create_file(tmp, 0640, cause)) != 0)
		goto out;
	if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		rc = segur_cause(cause, SEGUR_EIO, "%s: %s", tmp,
		    dst != NULL ? sqlite3_errmsg(dst) : "ouverture impossible");
		goto out;
	}
	if ((rc = copy_db(l->db, dst, "copie", cause)) != 0)
		goto out;
	/* The copy is one file on its own: no -wal beside it. */
	if (sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL,
	    NULL) != SQLITE_OK) {
		rc = segur_cause(cause, SEGUR_EDB, "copie : %s",
		    sqlite3_errmsg(dst));
		goto out;
	}
	if (sqlite3_close(dst) != SQLITE_OK) {
		dst = NULL;
		rc = segur_cause(cause, SEGUR_EDB, "copie : impossible "
		    "de fermer %s", tmp);
		goto out;
	}
	dst = NULL;
	if ((rc = segur__audit_fsync_file(tmp, cause)) != 0 ||
	    (rc = segur__audit_commit_file(tmp, path, cause)) != 0)
		goto out;
	free(tmp);
	return (0);
out:
	sqlite3_close(dst);
	unlink(tmp);
	free(tmp);
	return (rc);
}

/*
 * Opens the ledger file at path read-only, as a handle the ledger's
 * queries accept: a check must not change the file it checks (the
 * ledger's own open switches it to WAL).
 */
static int
open_readonly(const char *path, struct segur_ledger **out, char **cause)
{
	struct segur_ledger *l;

	*out = NULL;
	/* SQLite would say only "unable to open database file". */
	if (access(path, F_OK) == -1 && errno == ENOENT)
		return (segur_cause(cause, SEGUR_EIO, "%s: fichier introuvable",
		    path));
	if ((l = calloc(1, sizeof(*l))) == NULL ||
	    (l->path = strdup(path)) == NULL ||
	    (l->actor = strdup("segurctl")) == NULL) {
		if (l != NULL)
			free(l->path);
		free(l);
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	}
	if (sqlite3_open_v2(path, &l->db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		segur_cause(cause, SEGUR_EIO, "%s: %s", path,
		    l->db != NULL ? sqlite3_errmsg(l->db) :
		    "ouverture impossible");
		segur_ledger_close(l);
		return (SEGUR_EIO);
	}
	sqlite3_busy_timeout(l->db, SEGUR_LEDGER_BUSY_MS);
	*out = l;
	return (0);
}

/* Checks the ledger l (at path): SQLite's integrity, then the chain. */
static int
check_ledger(struct segur_ledger *l, const char *path,
    struct segur_chain_head *h, char **cause)
{
	struct segur_audit a;
	sqlite3_stmt	*st;
	const char	*s;
	int		 rc;

	if (sqlite3_prepare_v2(l->db, "PRAGMA integrity_check", -1, &st,
	    NULL) != SQLITE_OK)
		return (segur_cause(cause, SEGUR_ECORRUPT, "%s: pas un "
		    "registre : %s", path, sqlite3_errmsg(l->db)));
	rc = sqlite3_step(st);
	s = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
	if (s == NULL || strcmp(s, "ok") != 0) {
		rc = segur_cause(cause, SEGUR_ECORRUPT, "%s: contrôle "
		    "d'intégrité SQLite en échec : %s", path, s != NULL ? s :
		    sqlite3_errmsg(l->db));
		sqlite3_finalize(st);
		return (rc);
	}
	sqlite3_finalize(st);
	rc = segur_ledger_audit_verify(l, &a, cause);
	if (rc == SEGUR_ECORRUPT)
		segur_cause(cause, rc, "%s: journal d'événements rompu "
		    "à l'événement %" PRId64 " : %s", path, a.bad_id,
		    a.reason != NULL ? a.reason : "");
	else if (rc != 0)
		segur_cause(cause, SEGUR_ECORRUPT, "%s: pas un registre (%s)",
		    path, cause != NULL && *cause != NULL ? *cause : "?");
	segur_audit_release(&a);
	if (rc != 0)
		return (SEGUR_ECORRUPT);
	return (segur_audit_head(l, NULL, h, cause));
}

int
segur_audit_check_file(const char *path, struct segur_chain_head *h,
    char **cause)
{
	struct segur_ledger *l;
	int		 rc;

	if ((rc = open_readonly(path, &l, cause)) != 0)
		return (rc);
	rc = check_ledger(l, path, h, cause);
	segur_ledger_close(l);
	return (rc);
}

int
segur_audit_restore(const char *from, const char *to, int force,
    struct segur_chain_head *h, char **saved, char **cause)
{
	struct segur_ledger *cur = NULL, *src = NULL;
	sqlite3		*dst = NULL;
	char		 now[24], *keep = NULL;
	size_t		 i;
	int		 rc, exists;

	if (saved != NULL)
		*saved = NULL;
	if ((rc = open_readonly(from, &src, cause)) != 0)
		return (rc);
	if ((rc = check_ledger(src, from, h, cause)) != 0) {
		segur_ledger_close(src);
		return (rc);
	}
	exists = access(to, F_OK) == 0;
	if (exists && !force) {
		rc = segur_cause(cause, SEGUR_EEXIST, "%s existe : un registre "
		    "en service n'est jamais remplacé sans --force", to);
		goto out;
	}
	if (exists) {
		/* Nothing is lost: the ledger being replaced is kept. */
		segur__ledger_now(now);
		for (i = 0; now[i] != '\0'; i++)
			if (now[i] == ':')
				now[i] = '-';
		if ((keep = segur_asprintf("%s.before-restore-%s", to, now)) ==
		    NULL) {
			rc = segur_cause(cause, SEGUR_ENOMEM,
			    "mémoire épuisée");
			goto out;
		}
		if ((rc = segur__ledger_open_raw(to, &cur, cause)) != 0 ||
		    (rc = segur_audit_backup(cur, keep, cause)) != 0) {
			segur_ledger_close(cur);
			goto out;
		}
		segur_ledger_close(cur);
	}
	if ((rc = segur_create_file(to, 0640, cause)) != 0)
		goto out;
	if (sqlite3_open_v2(to, &dst, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		rc = segur_cause(cause, SEGUR_EIO, "%s: %s", to,
		    dst != NULL ? sqlite3_errmsg(dst) : "ouverture impossible");
		goto out;
	}
	sqlite3_busy_timeout(dst, SEGUR_LEDGER_BUSY_MS);
	if ((rc = copy_db(src->db, dst, "restauration", cause)) != 0)
		goto out;
	/* The ledger runs in WAL mode, like one segur_ledger_open()
	 * creates; the checkpoint puts every page in the main file. */
	if (sqlite3_exec(dst, "PRAGMA journal_mode = WAL; "
	    "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		rc = segur_cause(cause, SEGUR_EDB, "restauration : %s",
		    sqlite3_errmsg(dst));
		goto out;
	}
	if (sqlite3_close(dst) != SQLITE_OK) {
		dst = NULL;
		rc = segur_cause(cause, SEGUR_EDB, "restauration : "
		    "impossible de fermer %s", to);
		goto out;
	}
	dst = NULL;
	if ((rc = segur__audit_fsync_file(to, cause)) != 0 ||
	    (rc = segur_fsync_dir(to, cause)) != 0)
		goto out;
	if (saved != NULL) {
		*saved = keep;
		keep = NULL;
	}
out:
	sqlite3_close(dst);
	segur_ledger_close(src);
	free(keep);
	return (rc);
}
