/*
 * ledger.c: opening and migrating the ledger, transactions, the hash-chained
 * event log and the number allocators (ledger.h, docs/internals/ledger.md).
 */
#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sqlite3.h>

#include "segur/embedded.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "ledger/ledger-int.h"
#include "ledger/projection.h"

/* PRAGMA application_id of a segur ledger: "SEGR". */
#define LEDGER_APPLICATION_ID	0x53454752

#define MIGRATIONS_PREFIX	"sql/migrations/"
#define ZERO_HASH \
	"0000000000000000000000000000000000000000000000000000000000000000"

/* The first schema whose event table has v, image and seal (012). */
#define EVENT_V2_SCHEMA		12

/* What a v2 serialization and a seal start with (docs/internals/ledger.md). */
#define EVENT_V2_TAG		"segur-event-v2\n"
#define EVENT_SEAL_TAG		"segur-event-seal-v1\n"

/* 36^5: the count of 5-character base-36 numbers. */
#define NUMERO_EDITEUR_SPACE	60466176LL

void
segur__ledger_now(char buf[24])
{
	struct tm	 tm;
	time_t		 t = time(NULL);

	gmtime_r(&t, &tm);
	strftime(buf, 24, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
segur__ledger_now_l(struct segur_ledger *l, char buf[24])
{
	time_t		 t = time(NULL);

	if (t != l->now_t || l->now_text[0] == '\0') {
		segur__ledger_now(l->now_text);
		l->now_t = t;
	}
	memcpy(buf, l->now_text, sizeof(l->now_text));
}

void
segur__ledger_today(char buf[11])
{
	struct tm	 tm;
	time_t		 t = time(NULL);

	gmtime_r(&t, &tm);
	strftime(buf, 11, "%Y-%m-%d", &tm);
}

int
segur__db_error(struct segur_ledger *l, char **cause, const char *what)
{
	int	 rc = sqlite3_errcode(l->db);

	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
		segur_cause(cause, SEGUR_EBUSY, "%s: %s : registre verrouillé "
		    "par un autre processus", l->path, what);
		return (SEGUR_EBUSY);
	}
	segur_cause(cause, SEGUR_EDB, "%s: %s : %s", l->path, what,
	    sqlite3_errmsg(l->db));
	return (SEGUR_EDB);
}

int
segur__stmt(struct segur_ledger *l, const char *sql, sqlite3_stmt **out,
    char **cause)
{
	sqlite3_stmt	*st;
	size_t		 i;

	*out = NULL;
	if (l->depth > 0 && sqlite3_get_autocommit(l->db))
		/* SQLite rolled the transaction back (OR ROLLBACK, I/O
		 * error): a statement now would commit on its own. */
		return (segur_cause(cause, SEGUR_EDB, "%s: transaction "
		    "annulée par une erreur précédente", l->path));
	for (i = 0; i < l->ncache; i++) {
		if (l->cache[i].sql == sql) {
			sqlite3_reset(l->cache[i].stmt);
			sqlite3_clear_bindings(l->cache[i].stmt);
			*out = l->cache[i].stmt;
			return (0);
		}
	}
	if (sqlite3_prepare_v3(l->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
	    NULL) != SQLITE_OK)
		return (segur__db_error(l, cause, "préparation de la requête"));
	if (l->ncache == SEGUR__STMT_CACHE) {
		/* Full: the oldest entry makes room. */
		sqlite3_finalize(l->cache[0].stmt);
		memmove(&l->cache[0], &l->cache[1],
		    (SEGUR__STMT_CACHE - 1) * sizeof(l->cache[0]));
		l->ncache--;
	}
	l->cache[l->ncache].sql = sql;
	l->cache[l->ncache].stmt = st;
	l->ncache++;
	*out = st;
	return (0);
}

int
segur__bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		return (sqlite3_bind_null(st, i));
	/*
	 * SQLITE_STATIC: every caller steps the statement while s lives, and
	 * a copy could fail for lack of memory and leave NULL bound (the
	 * allocation-failure test found an event stored without its
	 * "before" that way).
	 */
	return (sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC));
}

char *
segur__column_dup(sqlite3_stmt *st, int i, int *oom)
{
	const unsigned char *s;
	char	*p;

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return (NULL);
	s = sqlite3_column_text(st, i);
	if (s == NULL || (p = strdup((const char *)s)) == NULL) {
		*oom = 1;
		return (NULL);
	}
	return (p);
}

int
segur__exec(struct segur_ledger *l, const char *sql, char **cause)
{
	char	*msg = NULL;
	int	 rc;

	if (sqlite3_exec(l->db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return (0);
	rc = sqlite3_errcode(l->db);
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		rc = segur_cause(cause, SEGUR_EBUSY, "%s: registre "
		    "verrouillé par un autre processus", l->path);
	else
		rc = segur_cause(cause, SEGUR_EDB, "%s: %s", l->path,
		    msg != NULL ? msg : sqlite3_errmsg(l->db));
	sqlite3_free(msg);
	return (rc);
}

/* Reads an integer pragma ("user_version", "application_id"). */
static int
pragma_int(struct segur_ledger *l, const char *sql, int *v, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	*v = 0;
	if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL) != SQLITE_OK)
		return (segur__db_error(l, cause, "lecture de la version du schéma"));
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return (segur__db_error(l, cause, "lecture de la version du schéma"));
	}
	*v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return (0);
}

/*
 * Runs a transaction statement kept prepared: an ingestion opens and
 * releases hundreds of savepoints, and sqlite3_exec() would compile each.
 */
static int
control(struct segur_ledger *l, const char *sql, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((rc = segur__stmt(l, sql, &st, cause)) != 0)
		return (rc);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return (0);
	return (segur__db_error(l, cause, sql));
}

/* Runs st (sql prepared at open), or sql when st is missing. */
static int
undo(struct segur_ledger *l, sqlite3_stmt *st, const char *sql)
{
	int	 rc;

	if (st == NULL)
		return (sqlite3_exec(l->db, sql, NULL, NULL, NULL));
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return (rc == SQLITE_DONE ? SQLITE_OK : rc);
}

int
segur_ledger_begin(struct segur_ledger *l, char **cause)
{
	static const char *const q_begin = "BEGIN IMMEDIATE";
	static const char *const q_savepoint = "SAVEPOINT segur";
	int	 rc;

	if (l->depth == 0)
		l->last_known = 0;	/* others may have appended since */
	/*
	 * SQLite refuses even a ROLLBACK while allocations fail: one that
	 * segur_ledger_rollback() could not run is run now, or the handle
	 * would refuse every transaction from now on.
	 */
	if (l->depth == 0 && !sqlite3_get_autocommit(l->db) &&
	    undo(l, l->undo[0], "ROLLBACK") != SQLITE_OK)
		return (segur__db_error(l, cause, "annulation de la transaction"));
	rc = control(l, l->depth == 0 ? q_begin : q_savepoint, cause);
	if (rc == 0)
		l->depth++;
	return (rc);
}

int
segur_ledger_commit(struct segur_ledger *l, char **cause)
{
	static const char *const q_commit = "COMMIT";
	static const char *const q_release = "RELEASE segur";
	int	 rc;

	if (l->depth == 0)
		return (segur_cause(cause, SEGUR_ESTATE,
		    "validation sans transaction ouverte"));
	rc = control(l, l->depth == 1 ? q_commit : q_release, cause);
	if (rc != 0) {
		segur_ledger_rollback(l);
		return (rc);
	}
	l->depth--;
	return (0);
}

void
segur_ledger_rollback(struct segur_ledger *l)
{
	l->last_known = 0;	/* our last event may be undone */
	if (l->depth == 0)
		return;
	if (sqlite3_get_autocommit(l->db)) {
		/* SQLite already rolled the whole transaction back (I/O
		 * error, full disk): every level is gone. */
		l->depth = 0;
		return;
	}
	if (l->depth == 1)
		undo(l, l->undo[0], "ROLLBACK");
	else if (undo(l, l->undo[1], "ROLLBACK TO segur") == 0)
		undo(l, l->undo[2], "RELEASE segur");
	l->depth--;
}

int
segur_ledger_checkpoint(struct segur_ledger *l, char **cause)
{
	int	 nlog = 0, nckpt = 0;

	if (l->depth > 0)
		return (segur_cause(cause, SEGUR_ESTATE,
		    "checkpoint inside a transaction"));
	if (sqlite3_wal_checkpoint_v2(l->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
	    &nlog, &nckpt) != SQLITE_OK)
		return (segur__db_error(l, cause, "point de contrôle du journal WAL"));
	return (0);
}

int
segur_ledger_set_actor(struct segur_ledger *l, const char *actor)
{
	char	*p;

	if (actor == NULL || actor[0] == '\0')
		return (SEGUR_EINVAL);
	if ((p = strdup(actor)) == NULL)
		return (SEGUR_ENOMEM);
	free(l->actor);
	l->actor = p;
	return (0);
}

const char *
segur_ledger_actor(struct segur_ledger *l)
{
	return (l->actor);
}

int
segur_ledger_version(struct segur_ledger *l)
{
	return (l->version);
}

/*
 * Who runs this process, as the events' actor (docs/decisions.md,
 * "Author"): the real user's login name and uid, "alice (uid 1000)", and
 * $SEGUR_ACTOR beside it as a declared display name, "alice (uid 1000)
 * « Alice Martin »": a variable anyone can set adds a name, never
 * replaces the one the system vouches for.
 */
static char *
default_actor(void)
{
	struct passwd	 pw, *res = NULL;
	const char	*disp = getenv("SEGUR_ACTOR");
	char		 buf[4096], login[64];
	uid_t		 uid = getuid();

	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 &&
	    res != NULL && pw.pw_name[0] != '\0')
		snprintf(login, sizeof(login), "%s", pw.pw_name);
	else
		snprintf(login, sizeof(login), "?");
	if (disp != NULL && disp[0] != '\0')
		return (segur_asprintf("%s (uid %ld) « %s »", login,
		    (long)uid, disp));
	return (segur_asprintf("%s (uid %ld)", login, (long)uid));
}

int
segur__ledger_open_raw(const char *path, struct segur_ledger **out,
    char **cause)
{
	struct segur_ledger *l;
	char		 mode[16];
	sqlite3_stmt	*st;
	int		 rc;

	*out = NULL;
	if ((l = calloc(1, sizeof(*l))) == NULL ||
	    (l->path = strdup(path)) == NULL ||
	    (l->actor = default_actor()) == NULL) {
		if (l != NULL) {
			free(l->path);
			free(l);
		}
		segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
		return (SEGUR_ENOMEM);
	}
	/* NOMUTEX: a handle is used by one thread at a time (ledger.h). */
	rc = sqlite3_open_v2(path, &l->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		rc = l->db == NULL ? SEGUR_ENOMEM : SEGUR_EDB;
		segur_cause(cause, rc, "%s: %s", path, l->db == NULL ?
		    "mémoire épuisée" : sqlite3_errmsg(l->db));
		segur_ledger_close(l);
		return (rc);
	}
	sqlite3_extended_result_codes(l->db, 1);
	sqlite3_busy_timeout(l->db, SEGUR_LEDGER_BUSY_MS);
	/*
	 * WAL so that readers never block the writer; FULL so that a commit
	 * survives a power loss (ingest deletes inbox files after commit).
	 */
	if (sqlite3_prepare_v2(l->db, "PRAGMA journal_mode=WAL", -1, &st,
	    NULL) != SQLITE_OK) {
		rc = segur__db_error(l, cause, "ouverture");
		segur_ledger_close(l);
		return (rc);
	}
	mode[0] = '\0';
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(mode, sizeof(mode), "%s",
		    (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (strcmp(mode, "wal") != 0) {
		rc = segur__db_error(l, cause, "passage en mode WAL");
		segur_ledger_close(l);
		return (rc);
	}
	/* Statement journals (every write inside a savepoint keeps one) in
	 * memory: on disk they cost thousands of small writes per batch. */
	if ((rc = segur__exec(l, "PRAGMA synchronous=FULL; "
	    "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY", cause)) != 0 ||
	    (rc = pragma_int(l, "PRAGMA user_version", &l->version,
	    cause)) != 0) {
		segur_ledger_close(l);
		return (rc);
	}
	if (segur__register_sha256(l) != 0) {
		segur_ledger_close(l);
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	}
	l->event_v = l->version >= EVENT_V2_SCHEMA ? 2 : 1;
	if (sqlite3_prepare_v2(l->db, "ROLLBACK", -1, &l->undo[0],
	    NULL) != SQLITE_OK || sqlite3_prepare_v2(l->db,
	    "ROLLBACK TO segur", -1, &l->undo[1], NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(l->db, "RELEASE segur", -1, &l->undo[2],
	    NULL) != SQLITE_OK) {
		rc = segur__db_error(l, cause, "ouverture");
		segur_ledger_close(l);
		return (rc);
	}
	*out = l;
	return (0);
}

/* Is this an empty database, or one written by us? */
static int
check_ours(struct segur_ledger *l, char **cause)
{
	sqlite3_stmt	*st;
	int		 app, rc, tables;

	if ((rc = pragma_int(l, "PRAGMA application_id", &app, cause)) != 0)
		return (rc);
	if (app == LEDGER_APPLICATION_ID)
		return (0);
	if (sqlite3_prepare_v2(l->db, "SELECT count(*) FROM sqlite_master",
	    -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return (segur__db_error(l, cause, "lecture du schéma"));
	}
	tables = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (app != 0 || tables != 0 || l->version != 0)
		return (segur_cause(cause, SEGUR_EINVAL, "%s : pas un registre "
		    "segur (une base SQLite d'autre chose)", l->path));
	return (0);
}

/* The embedded migration of version v, or NULL. */
static const struct segur_embedded_file *
migration_file(int v)
{
	const struct segur_embedded_file *f;
	char	 prefix[32];

	snprintf(prefix, sizeof(prefix), MIGRATIONS_PREFIX "%03d-", v);
	for (f = segur_embedded_files; f->name != NULL; f++) {
		if (strncmp(f->name, prefix, strlen(prefix)) == 0)
			return (f);
	}
	return (NULL);
}

/*
 * Applies migration v in one transaction with its event. Foreign keys are
 * off while it runs, as SQLite's procedure for rebuilding a table requires
 * (009): the pragma is a no-op inside a transaction, so it is set before
 * BEGIN, and PRAGMA foreign_key_check must find nothing before COMMIT.
 */
static int
migrate_one(struct segur_ledger *l, int v, char **cause)
{
	const struct segur_embedded_file *f;
	sqlite3_stmt	*st;
	char		 sql[64], after[256];
	size_t		 rows = 0;
	int		 rc, cur;

	if ((f = migration_file(v)) == NULL)
		return (segur_cause(cause, SEGUR_EINVAL,
		    "aucune migration vers la version de schéma %d", v));
	if ((rc = segur__exec(l, "PRAGMA foreign_keys=OFF", cause)) != 0)
		return (rc);
	if ((rc = segur_ledger_begin(l, cause)) != 0)
		goto done;
	/* Another process may have migrated while we waited for the lock. */
	if ((rc = pragma_int(l, "PRAGMA user_version", &cur, cause)) != 0)
		goto fail;
	if (cur >= v) {
		l->version = cur;
		rc = segur_ledger_commit(l, cause);
		goto done;
	}
	if ((rc = segur__exec(l, f->data, cause)) != 0)
		goto fail;
	/* Its own event is the first of version 2 (012 adds the columns). */
	if (v >= EVENT_V2_SCHEMA)
		l->event_v = 2;
	if (v == 1) {
		if ((rc = segur__ledger_seed_operators(l, &rows, cause)) != 0)
			goto fail;
		snprintf(sql, sizeof(sql), "PRAGMA application_id = %d",
		    LEDGER_APPLICATION_ID);
		if ((rc = segur__exec(l, sql, cause)) != 0)
			goto fail;
	}
	if (sqlite3_prepare_v2(l->db, "PRAGMA foreign_key_check", -1, &st,
	    NULL) != SQLITE_OK) {
		rc = segur__db_error(l, cause, "vérification des clés étrangères");
		goto fail;
	}
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		rc = rc == SQLITE_ROW ? segur_cause(cause, SEGUR_ECORRUPT,
		    "migration vers la version de schéma %d : une ligne "
		    "renvoie à une ligne qui n'existe pas (PRAGMA "
		    "foreign_key_check)", v) :
		    segur__db_error(l, cause, "vérification des clés étrangères");
		goto fail;
	}
	/* A pragma takes no bound value: v is our own integer. */
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v);
	if ((rc = segur__exec(l, sql, cause)) != 0)
		goto fail;
	snprintf(after, sizeof(after), "{\"version\":%d,\"file\":\"%s\","
	    "\"operators\":%zu}", v, f->name, rows);
	snprintf(sql, sizeof(sql), "{\"version\":%d}", cur);
	if ((rc = segur__event_append(l, "schema.migrate", "schema", NULL, 0,
	    sql, after, cause)) != 0)
		goto fail;
	if ((rc = segur_ledger_commit(l, cause)) != 0)
		goto done;
	l->version = v;
	goto done;
fail:
	segur_ledger_rollback(l);
done:
	l->event_v = l->version >= EVENT_V2_SCHEMA ? 2 : 1;
	/* Back on whatever happened: the handle's writers rely on them. */
	if (segur__exec(l, "PRAGMA foreign_keys=ON", NULL) != 0 && rc == 0)
		rc = segur__db_error(l, cause, "réactivation des clés étrangères");
	return (rc);
}

/*
 * Applies, in order, every embedded migration above the ledger's version
 * up to target. Numbers may have gaps (012 was written while 010 and 011
 * were on other branches): a number without a file is skipped, and the
 * version becomes the last one applied. Target itself must exist.
 */
int
segur__ledger_migrate(struct segur_ledger *l, int target, char **cause)
{
	int	 rc, v;

	if (target > l->version && migration_file(target) == NULL)
		return (segur_cause(cause, SEGUR_EINVAL,
		    "aucune migration vers la version de schéma %d",
		    target));
	for (v = l->version + 1; v <= target; v++) {
		if (migration_file(v) == NULL)
			continue;
		if ((rc = migrate_one(l, v, cause)) != 0)
			return (rc);
	}
	return (0);
}

int
segur_ledger_open(const char *path, unsigned flags, struct segur_ledger **out,
    char **cause)
{
	return (segur_ledger_open_sealed(path, flags, NULL, 0, out, cause));
}

int
segur_ledger_open_sealed(const char *path, unsigned flags,
    const unsigned char *key, size_t keylen, struct segur_ledger **out,
    char **cause)
{
	struct segur_ledger *l;
	struct stat	 st;
	char		*copy;
	int		 rc;

	*out = NULL;
	/* stat(), never open(): a plain close() would drop SQLite's locks
	 * in a process that holds the ledger open. */
	if (!(flags & SEGUR_LEDGER_CREATE)) {
		if (stat(path, &st) == -1)
			return (segur_cause(cause, errno == ENOENT ?
			    SEGUR_ENOENT : SEGUR_EIO, "%s: %s%s", path,
			    strerror(errno), errno == ENOENT ?
			    " (lancez « segurctl init » pour créer le registre)" :
			    ""));
	} else {
		if ((copy = strdup(path)) == NULL)
			return (segur_cause(cause, SEGUR_ENOMEM,
			    "mémoire épuisée"));
		rc = segur_mkdir_p(dirname(copy), cause);
		free(copy);
		/* SQLite would create it 0644 under the usual umask. */
		if (rc != 0 || (rc = segur_create_file(path, 0640,
		    cause)) != 0)
			return (rc);
	}
	if ((rc = segur__ledger_open_raw(path, &l, cause)) != 0)
		return (rc);
	/* Before migrating: a migration's event sealed like the others,
	 * not an unsealed one in the middle of a sealed log. */
	if ((rc = segur_ledger_set_seal_key(l, key, keylen)) != 0) {
		segur_cause(cause, rc, "mémoire épuisée");
		goto fail;
	}
	if ((rc = check_ours(l, cause)) != 0)
		goto fail;
	if (l->version > SEGUR_LEDGER_SCHEMA_VERSION) {
		rc = segur_cause(cause, SEGUR_EVERSION, "%s : le registre est "
		    "en version de schéma %d, plus récente que la %d de ce "
		    "programme : utilisez un segur-ledger plus récent", path, l->version,
		    SEGUR_LEDGER_SCHEMA_VERSION);
		goto fail;
	}
	if (l->version < SEGUR_LEDGER_SCHEMA_VERSION) {
		if (!(flags & SEGUR_LEDGER_CREATE)) {
			rc = segur_cause(cause, SEGUR_ESTATE, "%s : le registre "
			    "est en version de schéma %d, plus ancienne que "
			    "la %d de ce programme : lancez « segurctl init » "
			    "pour le migrer", path, l->version,
			    SEGUR_LEDGER_SCHEMA_VERSION);
			goto fail;
		}
		if ((rc = segur__ledger_migrate(l, SEGUR_LEDGER_SCHEMA_VERSION,
		    cause)) != 0)
			goto fail;
	}
	*out = l;
	return (0);
fail:
	segur_ledger_close(l);
	return (rc);
}

void
segur_ledger_close(struct segur_ledger *l)
{
	size_t	 i;

	if (l == NULL)
		return;
	while (l->depth > 0)
		segur_ledger_rollback(l);
	for (i = 0; i < l->ncache; i++)
		sqlite3_finalize(l->cache[i].stmt);
	for (i = 0; i < 3; i++)
		sqlite3_finalize(l->undo[i]);
	sqlite3_close(l->db);
	EVP_MD_CTX_free(l->mdctx);
	EVP_MD_free(l->sha256);
	segur_ledger_set_seal_key(l, NULL, 0);
	free(l->path);
	free(l->actor);
	free(l);
}

/* ------------------------------------------------------------------ */
/* The event log. */

/* v in decimal, without stdio: the chain hashes two numbers per event. */
static size_t
fmt_u64(char buf[24], uint64_t v)
{
	char	 tmp[24];
	size_t	 n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return (n);
}

/*
 * Feeds one field of the canonical serialization (docs/internals/
 * ledger.md): "<length>:<bytes>\n", or "-\n" for NULL. 1 on success.
 */
static int
digest_field(EVP_MD_CTX *ctx, const char *s)
{
	char	 len[24];
	size_t	 n, sl;

	if (s == NULL)
		return (EVP_DigestUpdate(ctx, "-\n", 2));
	sl = strlen(s);
	n = fmt_u64(len, sl);
	len[n++] = ':';
	return (EVP_DigestUpdate(ctx, len, n) && EVP_DigestUpdate(ctx, s, sl) &&
	    EVP_DigestUpdate(ctx, "\n", 1));
}

/* Writes the digest in ctx as lower-case hex; 0, or SEGUR_ENOMEM. */
static int
digest_hex(EVP_MD_CTX *ctx, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char	 d[EVP_MAX_MD_SIZE];
	unsigned int	 dlen = 0, i;

	hex[0] = '\0';
	if (!EVP_DigestFinal_ex(ctx, d, &dlen) || dlen != 32)
		return (SEGUR_ENOMEM);
	for (i = 0; i < dlen; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 0xf];
	}
	hex[2 * i] = '\0';
	return (0);
}

/* The event's v1 hash with md in ctx; SEGUR_ENOMEM if OpenSSL fails. */
static int
event_digest_v1(EVP_MD_CTX *ctx, const EVP_MD *md,
    const struct segur_event *e, char hex[65])
{
	char		 id[24], rid[24];

	fmt_u64(id, (uint64_t)e->id);
	fmt_u64(rid, (uint64_t)e->request_id);
	hex[0] = '\0';
	if (!EVP_DigestInit_ex(ctx, md, NULL) || !digest_field(ctx, id) ||
	    !digest_field(ctx, e->at) || !digest_field(ctx, e->actor) ||
	    !digest_field(ctx, e->action) || !digest_field(ctx, e->entity) ||
	    !digest_field(ctx, e->entity_key) ||
	    !digest_field(ctx, e->request_id != 0 ? rid : NULL) ||
	    !digest_field(ctx, e->before) || !digest_field(ctx, e->after) ||
	    !digest_field(ctx, e->prev_hash))
		return (SEGUR_ENOMEM);
	return (digest_hex(ctx, hex));
}

/*
 * One field of the v2 serialization, as SQLite stores it: the type is
 * part of what is hashed, so that NULL, 0, "0" and "" all differ.
 */
struct tfield {
	int		 type;		/* SQLITE_NULL, _INTEGER, _FLOAT,
					   _TEXT, _BLOB */
	int64_t		 i;
	double		 r;
	const void	*p;
	size_t		 n;
};

/* The fields of v2, in this order: every column but hash and seal. */
#define V2_FIELDS	12

/* Feeds one v2 field: "N\n", "I<dec>\n", "R<%.17g>\n", "T<len>:<bytes>\n"
 * or "B<len>:<bytes>\n". 1 on success, as EVP_DigestUpdate(). */
static int
digest_tfield(EVP_MD_CTX *ctx, const struct tfield *f)
{
	char	 buf[48];
	size_t	 n;

	switch (f->type) {
	case SQLITE_NULL:
		return (EVP_DigestUpdate(ctx, "N\n", 2));
	case SQLITE_INTEGER:
		buf[0] = 'I';
		if (f->i < 0) {
			buf[1] = '-';
			n = 2 + fmt_u64(buf + 2, -(uint64_t)f->i);
		} else
			n = 1 + fmt_u64(buf + 1, (uint64_t)f->i);
		buf[n++] = '\n';
		return (EVP_DigestUpdate(ctx, buf, n));
	case SQLITE_FLOAT:
		/* Never written by segur; a hand edit may store one. */
		n = (size_t)snprintf(buf, sizeof(buf), "R%.17g\n", f->r);
		return (EVP_DigestUpdate(ctx, buf, n));
	default:
		buf[0] = f->type == SQLITE_TEXT ? 'T' : 'B';
		n = 1 + fmt_u64(buf + 1, (uint64_t)f->n);
		buf[n++] = ':';
		return (EVP_DigestUpdate(ctx, buf, n) && (f->n == 0 ||
		    EVP_DigestUpdate(ctx, f->p, f->n)) &&
		    EVP_DigestUpdate(ctx, "\n", 1));
	}
}

static void
tf_text(struct tfield *f, const char *s)
{
	memset(f, 0, sizeof(*f));
	f->type = s == NULL ? SQLITE_NULL : SQLITE_TEXT;
	f->p = s;
	f->n = s == NULL ? 0 : strlen(s);
}

static void
tf_int(struct tfield *f, int64_t v)
{
	memset(f, 0, sizeof(*f));
	f->type = SQLITE_INTEGER;
	f->i = v;
}

/* The v2 hash of f[V2_FIELDS]. */
static int
event_digest_v2(EVP_MD_CTX *ctx, const EVP_MD *md, const struct tfield *f,
    char hex[65])
{
	int	 i;

	hex[0] = '\0';
	if (!EVP_DigestInit_ex(ctx, md, NULL) ||
	    !EVP_DigestUpdate(ctx, EVENT_V2_TAG, strlen(EVENT_V2_TAG)))
		return (SEGUR_ENOMEM);
	for (i = 0; i < V2_FIELDS; i++)
		if (!digest_tfield(ctx, &f[i]))
			return (SEGUR_ENOMEM);
	return (digest_hex(ctx, hex));
}

/* The fields of e as the ledger stores them (request_id 0 as NULL). */
static void
event_fields_v2(const struct segur_event *e, struct tfield f[V2_FIELDS])
{
	tf_int(&f[0], e->id);
	tf_text(&f[1], e->at);
	tf_text(&f[2], e->actor);
	tf_text(&f[3], e->action);
	tf_text(&f[4], e->entity);
	tf_text(&f[5], e->entity_key);
	if (e->request_id != 0)
		tf_int(&f[6], e->request_id);
	else
		tf_text(&f[6], NULL);
	tf_text(&f[7], e->before);
	tf_text(&f[8], e->after);
	tf_text(&f[9], e->prev_hash);
	tf_int(&f[10], 2);
	tf_text(&f[11], e->image);
}

/* The event's hash, v1 or v2 by e->v. */
static int
event_digest(EVP_MD_CTX *ctx, const EVP_MD *md, const struct segur_event *e,
    char hex[65])
{
	struct tfield	 f[V2_FIELDS];

	if (e->v != 2)
		return (event_digest_v1(ctx, md, e, hex));
	event_fields_v2(e, f);
	return (event_digest_v2(ctx, md, f, hex));
}

int
segur_event_hash(const struct segur_event *e, char hex[65])
{
	EVP_MD_CTX	*ctx;
	int		 rc;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return (SEGUR_ENOMEM);
	rc = event_digest(ctx, EVP_sha256(), e, hex);
	EVP_MD_CTX_free(ctx);
	return (rc);
}

int
segur_event_seal(const unsigned char *key, size_t keylen, const char *hash,
    char out[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char	 mac[EVP_MAX_MD_SIZE];
	unsigned int	 maclen = 0, i;
	char		 text[sizeof(EVENT_SEAL_TAG) + 66];

	out[0] = '\0';
	if (key == NULL || keylen == 0 || keylen > INT32_MAX ||
	    hash == NULL || strlen(hash) != 64)
		return (SEGUR_EINVAL);
	snprintf(text, sizeof(text), "%s%s\n", EVENT_SEAL_TAG, hash);
	if (HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)text,
	    strlen(text), mac, &maclen) == NULL || maclen != 32)
		return (SEGUR_ENOMEM);
	for (i = 0; i < maclen; i++) {
		out[2 * i] = digits[mac[i] >> 4];
		out[2 * i + 1] = digits[mac[i] & 0xf];
	}
	out[2 * i] = '\0';
	return (0);
}

int
segur_ledger_set_seal_key(struct segur_ledger *l, const unsigned char *key,
    size_t len)
{
	unsigned char	*p = NULL;

	if (key != NULL && len > 0) {
		if ((p = malloc(len)) == NULL)
			return (SEGUR_ENOMEM);
		memcpy(p, key, len);
	}
	if (l->seal_key != NULL) {
		OPENSSL_cleanse(l->seal_key, l->seal_key_len);
		free(l->seal_key);
	}
	l->seal_key = p;
	l->seal_key_len = p != NULL ? len : 0;
	return (0);
}

/* The handle's digest and context, fetched on first use (not at open:
 * segurd idles without OpenSSL's providers loaded) and kept, as an
 * implicit fetch per event costs more than the hash of a short event. */
static int
ledger_md(struct segur_ledger *l)
{
	if (l->sha256 == NULL &&
	    (l->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
		return (SEGUR_ENOMEM);
	if (l->mdctx == NULL && (l->mdctx = EVP_MD_CTX_new()) == NULL)
		return (SEGUR_ENOMEM);
	return (0);
}

/* The event's hash with the handle's digest. */
static int
ledger_event_hash(struct segur_ledger *l, const struct segur_event *e,
    char hex[65])
{
	if (ledger_md(l) != 0)
		return (SEGUR_ENOMEM);
	return (event_digest(l->mdctx, l->sha256, e, hex));
}

/*
 * The id the next event takes and the hash it chains to: kept from our own
 * last append while the transaction holds the write lock (no one else can
 * append), read from the log otherwise. The event_chained trigger checks
 * them all the same.
 */
static int
event_last(struct segur_ledger *l, int64_t *next, char prev[65],
    char **cause)
{
	static const char *const q_last =
	    "SELECT id, hash FROM event ORDER BY id DESC LIMIT 1";
	sqlite3_stmt	*st;
	const char	*h;
	int		 rc;

	if (l->last_known) {
		*next = l->last_id + 1;
		memcpy(prev, l->last_hash, 65);
		return (0);
	}
	if ((rc = segur__stmt(l, q_last, &st, cause)) != 0)
		return (rc);
	snprintf(prev, 65, "%s", ZERO_HASH);
	*next = 1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*next = sqlite3_column_int64(st, 0) + 1;
		if ((h = (const char *)sqlite3_column_text(st, 1)) == NULL) {
			sqlite3_reset(st);
			return (segur_cause(cause, SEGUR_ENOMEM,
			    "mémoire épuisée"));
		}
		snprintf(prev, 65, "%s", h);
	} else if (rc != SQLITE_DONE)
		return (segur__db_error(l, cause, "lecture du journal d'événements"));
	sqlite3_reset(st);
	return (0);
}

int
segur__event_append(struct segur_ledger *l, const char *action,
    const char *entity, const char *key, int64_t request_id,
    const char *before, const char *after, char **cause)
{
	static const char *const q_ins =
	    "INSERT OR ROLLBACK INTO event(id, at, actor, action, entity, "
	    "entity_key, request_id, before, after, prev_hash, hash) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	static const char *const q_ins2 =
	    "INSERT OR ROLLBACK INTO event(id, at, actor, action, entity, "
	    "entity_key, request_id, before, after, prev_hash, hash, v, "
	    "image, seal) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 2, ?, ?)";
	struct segur_buf image = SEGUR_BUF_INIT;
	struct segur_event e;
	sqlite3_stmt	*st;
	char		 now[24], prev[65], hash[65], seal[65];
	int		 rc, v2 = l->event_v == 2;

	if (l->depth == 0)
		return (segur_cause(cause, SEGUR_ESTATE,
		    "event outside a transaction"));
	memset(&e, 0, sizeof(e));
	/* The image first: it reads the row the writer inserted last. */
	if (v2 && (rc = segur__event_image(l, action, request_id, key, &image,
	    cause)) != 0)
		goto out;
	if ((rc = event_last(l, &e.id, prev, cause)) != 0)
		goto out;
	segur__ledger_now_l(l, now);
	e.at = now;
	e.actor = l->actor;
	e.action = (char *)action;
	e.entity = (char *)entity;
	e.entity_key = (char *)key;
	e.request_id = request_id;
	e.before = (char *)before;
	e.after = (char *)after;
	e.prev_hash = prev;
	e.v = v2 ? 2 : 1;
	e.image = image.len > 0 ? image.data : NULL;
	seal[0] = '\0';
	if (ledger_event_hash(l, &e, hash) != 0 || (v2 && l->seal_key !=
	    NULL && segur_event_seal(l->seal_key, l->seal_key_len, hash,
	    seal) != 0)) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
		goto out;
	}
	if ((rc = segur__stmt(l, v2 ? q_ins2 : q_ins, &st, cause)) != 0)
		goto out;
	/* What is stored must be exactly what was hashed. */
	if (sqlite3_bind_int64(st, 1, e.id) != SQLITE_OK ||
	    segur__bind_text(st, 2, now) != SQLITE_OK ||
	    segur__bind_text(st, 3, l->actor) != SQLITE_OK ||
	    segur__bind_text(st, 4, action) != SQLITE_OK ||
	    segur__bind_text(st, 5, entity) != SQLITE_OK ||
	    segur__bind_text(st, 6, key) != SQLITE_OK ||
	    (request_id != 0 ? sqlite3_bind_int64(st, 7, request_id) :
	    sqlite3_bind_null(st, 7)) != SQLITE_OK ||
	    segur__bind_text(st, 8, before) != SQLITE_OK ||
	    segur__bind_text(st, 9, after) != SQLITE_OK ||
	    segur__bind_text(st, 10, prev) != SQLITE_OK ||
	    segur__bind_text(st, 11, hash) != SQLITE_OK ||
	    (v2 && (segur__bind_text(st, 12, e.image) != SQLITE_OK ||
	    segur__bind_text(st, 13, seal[0] != '\0' ? seal : NULL) !=
	    SQLITE_OK))) {
		rc = segur__db_error(l, cause, "ajout au journal d'événements");
		goto out;
	}
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		l->last_known = 0;
		rc = segur__db_error(l, cause, "ajout au journal d'événements");
		goto out;
	}
	l->last_id = e.id;
	memcpy(l->last_hash, hash, sizeof(l->last_hash));
	l->last_known = 1;
	rc = 0;
out:
	segur_buf_release(&image);
	return (rc);
}

void
segur_event_release(struct segur_event *e)
{
	free(e->at);
	free(e->actor);
	free(e->action);
	free(e->entity);
	free(e->entity_key);
	free(e->before);
	free(e->after);
	free(e->prev_hash);
	free(e->hash);
	free(e->image);
	free(e->seal);
	memset(e, 0, sizeof(*e));
}

void
segur_event_free_array(struct segur_event *a, size_t n)
{
	size_t	 i;

	for (i = 0; a != NULL && i < n; i++)
		segur_event_release(&a[i]);
	free(a);
}

void
segur_audit_release(struct segur_audit *a)
{
	free(a->reason);
	a->reason = NULL;
}

/* Columns of the walk: the V2_FIELDS first, in their order. */
#define W_V		10
#define W_IMAGE		11
#define W_HASH		12
#define W_SEAL		13

/* The v1 hash of the walk's row. SEGUR_ENOMEM, or 0. */
static int
row_hash_v1(struct segur_ledger *l, sqlite3_stmt *st, char hash[65])
{
	struct segur_event e;
	int		 oom = 0, rc;

	memset(&e, 0, sizeof(e));
	e.id = sqlite3_column_int64(st, 0);
	e.at = segur__column_dup(st, 1, &oom);
	e.actor = segur__column_dup(st, 2, &oom);
	e.action = segur__column_dup(st, 3, &oom);
	e.entity = segur__column_dup(st, 4, &oom);
	e.entity_key = segur__column_dup(st, 5, &oom);
	e.request_id = sqlite3_column_int64(st, 6);
	e.before = segur__column_dup(st, 7, &oom);
	e.after = segur__column_dup(st, 8, &oom);
	e.prev_hash = segur__column_dup(st, 9, &oom);
	rc = oom ? SEGUR_ENOMEM : ledger_event_hash(l, &e, hash);
	segur_event_release(&e);
	return (rc);
}

/* The v2 hash of the walk's row, from the values as stored. */
static int
row_hash_v2(struct segur_ledger *l, sqlite3_stmt *st, char hash[65])
{
	struct tfield	 f[V2_FIELDS];
	int		 i;

	if (ledger_md(l) != 0)
		return (SEGUR_ENOMEM);
	for (i = 0; i < V2_FIELDS; i++) {
		memset(&f[i], 0, sizeof(f[i]));
		f[i].type = sqlite3_column_type(st, i);
		switch (f[i].type) {
		case SQLITE_INTEGER:
			f[i].i = sqlite3_column_int64(st, i);
			break;
		case SQLITE_FLOAT:
			f[i].r = sqlite3_column_double(st, i);
			break;
		case SQLITE_TEXT:
			f[i].p = sqlite3_column_text(st, i);
			f[i].n = (size_t)sqlite3_column_bytes(st, i);
			if (f[i].p == NULL)
				return (SEGUR_ENOMEM);
			break;
		case SQLITE_BLOB:
			f[i].p = sqlite3_column_blob(st, i);
			f[i].n = (size_t)sqlite3_column_bytes(st, i);
			if (f[i].p == NULL && f[i].n > 0)
				return (SEGUR_ENOMEM);
			break;
		}
	}
	return (event_digest_v2(l->mdctx, l->sha256, f, hash));
}

/*
 * What v1 cannot tell apart and the library never writes: a request_id
 * that is not NULL or a positive integer (0 hashes as NULL), a field of
 * another type than text, an image or a seal on a v1 row. NULL if none.
 */
static const char *
row_v1_odd(sqlite3_stmt *st)
{
	static const int texts[] = { 1, 2, 3, 4, 5, 7, 8, 9 };
	size_t	 i;
	int	 t;

	t = sqlite3_column_type(st, 6);
	if (t != SQLITE_NULL && (t != SQLITE_INTEGER ||
	    sqlite3_column_int64(st, 6) <= 0))
		return ("son request_id n'est ni NULL ni un entier positif "
		    "(0 et NULL ont le même hachage v1, et segur n'écrit "
		    "jamais 0) : la ligne a été modifiée");
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		t = sqlite3_column_type(st, texts[i]);
		if (t != SQLITE_NULL && t != SQLITE_TEXT)
			return ("un de ses champs n'est pas du texte : la "
			    "ligne a été modifiée");
	}
	if (sqlite3_column_type(st, W_IMAGE) != SQLITE_NULL ||
	    sqlite3_column_type(st, W_SEAL) != SQLITE_NULL)
		return ("un événement v1 porte une image ou un sceau : la "
		    "ligne a été modifiée");
	return (NULL);
}

int
segur_ledger_audit_verify(struct segur_ledger *l, struct segur_audit *a,
    char **cause)
{
	static const char *const q_v1 = "SELECT id, at, actor, action, entity, "
	    "entity_key, request_id, before, after, prev_hash, 1, NULL, hash, "
	    "NULL FROM event ORDER BY id";
	static const char *const q_v2 = "SELECT id, at, actor, action, entity, "
	    "entity_key, request_id, before, after, prev_hash, v, image, hash, "
	    "seal FROM event ORDER BY id";
	sqlite3_stmt	*st;
	char		 hash[65], want_seal[65], prev[65];
	const char	*why = NULL;
	const char	*stored, *seal, *ph;
	int64_t		 want = 1, id, v;
	int		 rc, seen_v2 = 0, has_v;

	memset(a, 0, sizeof(*a));
	snprintf(a->head, sizeof(a->head), "%s", ZERO_HASH);
	a->seals_checked = l->seal_key != NULL;
	/* A ledger before 012 has no v, image or seal: every row is v1. The
	 * table says which (a read-only handle knows no version). */
	if (sqlite3_prepare_v2(l->db, "SELECT count(*) FROM "
	    "pragma_table_info('event') WHERE name = 'v'", -1, &st, NULL) !=
	    SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return (segur__db_error(l, cause, "lecture du journal d'événements"));
	}
	has_v = sqlite3_column_int(st, 0) > 0;
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(l->db, has_v ? q_v2 : q_v1, -1, &st, NULL) !=
	    SQLITE_OK)
		return (segur__db_error(l, cause, "lecture du journal d'événements"));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		v = sqlite3_column_type(st, W_V) == SQLITE_INTEGER ?
		    sqlite3_column_int64(st, W_V) : 0;
		ph = (const char *)sqlite3_column_text(st, 9);
		snprintf(prev, sizeof(prev), "%s", ph != NULL ? ph : "");
		if ((v == 2 ? row_hash_v2(l, st, hash) :
		    row_hash_v1(l, st, hash)) != 0) {
			sqlite3_finalize(st);
			return (segur_cause(cause, SEGUR_ENOMEM,
			    "mémoire épuisée"));
		}
		stored = (const char *)sqlite3_column_text(st, W_HASH);
		seal = (const char *)sqlite3_column_text(st, W_SEAL);
		if (id != want)
			why = "les numéros d'événement ne se suivent pas : une "
			    "ligne a été retirée ou insérée";
		else if (ph == NULL || strcmp(prev, a->head) != 0)
			why = "son prev_hash n'est pas le hachage de la ligne "
			    "précédente : la chaîne est rompue ici";
		else if (v != 1 && v != 2)
			why = "sa version de sérialisation n'est ni 1 ni 2";
		else if (v == 1 && seen_v2)
			why = "un événement v1 après un événement v2 : segur "
			    "n'écrit plus de v1 depuis le schéma 12, la ligne "
			    "a été ajoutée ou modifiée par un autre programme";
		else if (v == 1 && (why = row_v1_odd(st)) != NULL)
			;
		else if (stored == NULL || strcmp(stored, hash) != 0)
			why = "son contenu ne correspond pas à son hachage : "
			    "la ligne a été modifiée";
		else if (v == 2 && seal != NULL) {
			a->sealed++;
			if (a->first_sealed == 0)
				a->first_sealed = id;
			if (l->seal_key != NULL && (segur_event_seal(
			    l->seal_key, l->seal_key_len, hash,
			    want_seal) != 0 || strlen(seal) != 64 ||
			    CRYPTO_memcmp(want_seal, seal, 64) != 0))
				why = "son sceau ne correspond pas à la clé : "
				    "événement forgé ou réécrit sans la clé "
				    "(ou scellé avec une autre clé)";
		} else if (v == 2) {
			a->unsealed++;
			if (a->first_sealed != 0) {
				a->late_unsealed++;
				if (a->first_late == 0)
					a->first_late = id;
				if (l->seal_key != NULL)
					why = "non scellé après un événement "
					    "scellé : écrit sans la clé, ou "
					    "forgé";
			}
		}
		if (why != NULL) {
			a->bad_id = id;
			sqlite3_finalize(st);
			if ((a->reason = strdup(why)) == NULL)
				return (segur_cause(cause, SEGUR_ENOMEM,
				    "mémoire épuisée"));
			return (segur_cause(cause, SEGUR_ECORRUPT,
			    "événement %" PRId64 " : %s", a->bad_id, why));
		}
		if (v == 2) {
			seen_v2 = 1;
			a->v2++;
		} else
			a->v1++;
		snprintf(a->head, sizeof(a->head), "%s", hash);
		a->events++;
		want++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(l, cause, "lecture du journal d'événements"));
	return (0);
}

/* ------------------------------------------------------------------ */
/* Allocators. */

/* Writes v in base 36 on 5 characters, "00001", "0000Z", "00010". */
static void
base36(int64_t v, char out[6])
{
	static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	int	 i;

	for (i = 4; i >= 0; i--) {
		out[i] = digits[v % 36];
		v /= 36;
	}
	out[5] = '\0';
}

int
segur_ledger_numero_editeur_used(struct segur_ledger *l, const char *value)
{
	static const char *const q =
	    "SELECT 1 FROM numero_editeur WHERE value = ?";
	sqlite3_stmt	*st;
	int		 rc;

	if ((rc = segur__stmt(l, q, &st, NULL)) != 0)
		return (rc);
	segur__bind_text(st, 1, value);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return (1);
	return (rc == SQLITE_DONE ? 0 : SEGUR_EDB);
}

/* Inserts value into numero_editeur with its event. */
static int
numero_insert(struct segur_ledger *l, const char *value, const char *origin,
    char **cause)
{
	static const char *const q =
	    "INSERT INTO numero_editeur(value, origin, at) VALUES (?, ?, ?)";
	sqlite3_stmt	*st;
	char		 now[24], after[64];
	int		 rc;

	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		return (rc);
	segur__ledger_now(now);
	segur__bind_text(st, 1, value);
	segur__bind_text(st, 2, origin);
	segur__bind_text(st, 3, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
		return (segur_cause(cause, SEGUR_EEXIST, "le numeroEditeur "
		    "%s est déjà utilisé", value));
	if (rc != SQLITE_DONE)
		return (segur__db_error(l, cause, "enregistrement d'un numéro éditeur"));
	snprintf(after, sizeof(after), "{\"origin\":\"%s\"}", origin);
	return (segur__event_append(l, "numero_editeur.use", "numero_editeur",
	    value, 0, NULL, after, cause));
}

int
segur_ledger_alloc_numero_editeur(struct segur_ledger *l, char out[6],
    char **cause)
{
	static const char *const q_next =
	    "SELECT next FROM allocator WHERE name = 'numero_editeur'";
	static const char *const q_set =
	    "UPDATE allocator SET next = ? WHERE name = 'numero_editeur'";
	sqlite3_stmt	*st;
	int64_t		 v;
	int		 rc;

	if ((rc = segur_ledger_begin(l, cause)) != 0)
		return (rc);
	if ((rc = segur__stmt(l, q_next, &st, cause)) != 0)
		goto fail;
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = segur__db_error(l, cause, "lecture de l'allocateur");
		goto fail;
	}
	v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	/* Skip the numbers recorded from files sent before the ledger. */
	for (;; v++) {
		if (v >= NUMERO_EDITEUR_SPACE) {
			rc = segur_cause(cause, SEGUR_ETOOBIG, "tous les "
			    "numéros éditeur ont été utilisés");
			goto fail;
		}
		base36(v, out);
		if ((rc = segur_ledger_numero_editeur_used(l, out)) < 0) {
			rc = segur__db_error(l, cause, "lecture du numéro éditeur");
			goto fail;
		}
		if (rc == 0)
			break;
	}
	if ((rc = numero_insert(l, out, "allocated", cause)) != 0)
		goto fail;
	if ((rc = segur__stmt(l, q_set, &st, cause)) != 0)
		goto fail;
	sqlite3_bind_int64(st, 1, v + 1);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		rc = segur__db_error(l, cause, "mise à jour de l'allocateur");
		goto fail;
	}
	return (segur_ledger_commit(l, cause));
fail:
	segur_ledger_rollback(l);
	out[0] = '\0';
	return (rc);
}

int
segur_ledger_record_numero_editeur(struct segur_ledger *l, const char *value,
    char **cause)
{
	size_t	 i;
	int	 rc;

	if (value == NULL || strlen(value) != 5)
		return (segur_cause(cause, SEGUR_EINVAL, "numeroEditeur "
		    "\"%s\": 5 lettres ou chiffres attendus",
		    value ? value : ""));
	for (i = 0; i < 5; i++) {
		if (!((value[i] >= '0' && value[i] <= '9') ||
		    (value[i] >= 'A' && value[i] <= 'Z') ||
		    (value[i] >= 'a' && value[i] <= 'z')))
			return (segur_cause(cause, SEGUR_EINVAL,
			    "numeroEditeur \"%s\": 5 lettres ou chiffres "
			    "attendus", value));
	}
	if ((rc = segur_ledger_begin(l, cause)) != 0)
		return (rc);
	if ((rc = numero_insert(l, value, "recorded", cause)) != 0) {
		segur_ledger_rollback(l);
		return (rc);
	}
	return (segur_ledger_commit(l, cause));
}

int
segur_ledger_alloc_file_rank(struct segur_ledger *l, const char *numero_ans,
    const char *day, int *rank, char **cause)
{
	static const char *const q_get =
	    "SELECT last FROM file_rank WHERE numero_ans = ? AND day = ?";
	static const char *const q_set =
	    "INSERT INTO file_rank(numero_ans, day, last) VALUES (?, ?, ?) "
	    "ON CONFLICT(numero_ans, day) DO UPDATE SET last = excluded.last";
	sqlite3_stmt	*st;
	char		 key[32], before[32], after[32];
	int		 rc, last = 0, i;

	*rank = 0;
	if (numero_ans == NULL || strlen(numero_ans) != 10 || day == NULL ||
	    strlen(day) != 8)
		return (segur_cause(cause, SEGUR_EINVAL,
		    "rang de fichier : numéro ANS ou jour invalide"));
	for (i = 0; i < 8; i++)
		if (day[i] < '0' || day[i] > '9')
			return (segur_cause(cause, SEGUR_EINVAL,
			    "rang de fichier : le jour doit être AAAAMMJJ"));
	if ((rc = segur_ledger_begin(l, cause)) != 0)
		return (rc);
	if ((rc = segur__stmt(l, q_get, &st, cause)) != 0)
		goto fail;
	segur__bind_text(st, 1, numero_ans);
	segur__bind_text(st, 2, day);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		last = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		rc = segur__db_error(l, cause, "lecture du rang de fichier");
		goto fail;
	}
	if (last >= 999) {
		rc = segur_cause(cause, SEGUR_ETOOBIG, "plus de rang libre "
		    "le %.2s/%.2s/%.4s pour le logiciel %s (999 fichiers)",
		    day + 6, day + 4, day, numero_ans);
		goto fail;
	}
	if ((rc = segur__stmt(l, q_set, &st, cause)) != 0)
		goto fail;
	segur__bind_text(st, 1, numero_ans);
	segur__bind_text(st, 2, day);
	sqlite3_bind_int(st, 3, last + 1);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		rc = segur__db_error(l, cause, "mise à jour du rang de fichier");
		goto fail;
	}
	snprintf(key, sizeof(key), "%s-%s", numero_ans, day);
	snprintf(before, sizeof(before), "{\"last\":%d}", last);
	snprintf(after, sizeof(after), "{\"last\":%d}", last + 1);
	if ((rc = segur__event_append(l, "file_rank.allocate", "file_rank",
	    key, 0, before, after, cause)) != 0)
		goto fail;
	if ((rc = segur_ledger_commit(l, cause)) != 0)
		return (rc);
	*rank = last + 1;
	return (0);
fail:
	segur_ledger_rollback(l);
	return (rc);
}
