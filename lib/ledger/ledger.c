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

#include <openssl/evp.h>
#include <sqlite3.h>

#include "segur/embedded.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "ledger/ledger-int.h"

/* PRAGMA application_id of a segur ledger: "SEGR". */
#define LEDGER_APPLICATION_ID	0x53454752

#define MIGRATIONS_PREFIX	"sql/migrations/"
#define ZERO_HASH \
	"0000000000000000000000000000000000000000000000000000000000000000"

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
		segur_cause(cause, SEGUR_EBUSY, "%s: %s: the ledger is locked "
		    "by another process", l->path, what);
		return (SEGUR_EBUSY);
	}
	segur_cause(cause, SEGUR_EDB, "%s: %s: %s", l->path, what,
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
		return (segur_cause(cause, SEGUR_EDB, "%s: the transaction "
		    "was rolled back by an earlier error", l->path));
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
		return (segur__db_error(l, cause, "prepare"));
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
		rc = segur_cause(cause, SEGUR_EBUSY, "%s: the ledger is "
		    "locked by another process", l->path);
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
		return (segur__db_error(l, cause, "read the schema version"));
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return (segur__db_error(l, cause, "read the schema version"));
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

int
segur_ledger_begin(struct segur_ledger *l, char **cause)
{
	static const char *const q_begin = "BEGIN IMMEDIATE";
	static const char *const q_savepoint = "SAVEPOINT segur";
	int	 rc;

	if (l->depth == 0)
		l->last_known = 0;	/* others may have appended since */
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
		    "commit without a transaction"));
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
		sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
	else
		sqlite3_exec(l->db, "ROLLBACK TO segur; RELEASE segur", NULL,
		    NULL, NULL);
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
		return (segur__db_error(l, cause, "checkpoint"));
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
		segur_cause(cause, SEGUR_ENOMEM, "out of memory");
		return (SEGUR_ENOMEM);
	}
	/* NOMUTEX: a handle is used by one thread at a time (ledger.h). */
	rc = sqlite3_open_v2(path, &l->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		rc = l->db == NULL ? SEGUR_ENOMEM : SEGUR_EDB;
		segur_cause(cause, rc, "%s: %s", path, l->db == NULL ?
		    "out of memory" : sqlite3_errmsg(l->db));
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
		rc = segur__db_error(l, cause, "open");
		segur_ledger_close(l);
		return (rc);
	}
	mode[0] = '\0';
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(mode, sizeof(mode), "%s",
		    (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (strcmp(mode, "wal") != 0) {
		rc = segur__db_error(l, cause, "switch to WAL mode");
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
		return (segur__db_error(l, cause, "read the schema"));
	}
	tables = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (app != 0 || tables != 0 || l->version != 0)
		return (segur_cause(cause, SEGUR_EINVAL, "%s: not a segur "
		    "ledger (a SQLite database of something else)", l->path));
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
		    "no migration to schema version %d", v));
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
		rc = segur__db_error(l, cause, "check the foreign keys");
		goto fail;
	}
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		rc = rc == SQLITE_ROW ? segur_cause(cause, SEGUR_ECORRUPT,
		    "migration to schema version %d: a row names a row that "
		    "does not exist (PRAGMA foreign_key_check)", v) :
		    segur__db_error(l, cause, "check the foreign keys");
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
	/* Back on whatever happened: the handle's writers rely on them. */
	if (segur__exec(l, "PRAGMA foreign_keys=ON", NULL) != 0 && rc == 0)
		rc = segur__db_error(l, cause, "turn the foreign keys on");
	return (rc);
}

int
segur__ledger_migrate(struct segur_ledger *l, int target, char **cause)
{
	int	 rc, v;

	for (v = l->version + 1; v <= target; v++) {
		if ((rc = migrate_one(l, v, cause)) != 0)
			return (rc);
	}
	return (0);
}

int
segur_ledger_open(const char *path, unsigned flags, struct segur_ledger **out,
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
			    " (run \"segurctl init\" to create the ledger)" :
			    ""));
	} else {
		if ((copy = strdup(path)) == NULL)
			return (segur_cause(cause, SEGUR_ENOMEM,
			    "out of memory"));
		rc = segur_mkdir_p(dirname(copy), cause);
		free(copy);
		/* SQLite would create it 0644 under the usual umask. */
		if (rc != 0 || (rc = segur_create_file(path, 0640,
		    cause)) != 0)
			return (rc);
	}
	if ((rc = segur__ledger_open_raw(path, &l, cause)) != 0)
		return (rc);
	if ((rc = check_ours(l, cause)) != 0)
		goto fail;
	if (l->version > SEGUR_LEDGER_SCHEMA_VERSION) {
		rc = segur_cause(cause, SEGUR_EVERSION, "%s: the ledger has "
		    "schema version %d, newer than this program's %d: use a "
		    "newer segur-ledger", path, l->version,
		    SEGUR_LEDGER_SCHEMA_VERSION);
		goto fail;
	}
	if (l->version < SEGUR_LEDGER_SCHEMA_VERSION) {
		if (!(flags & SEGUR_LEDGER_CREATE)) {
			rc = segur_cause(cause, SEGUR_ESTATE, "%s: the ledger "
			    "has schema version %d, older than this "
			    "program's %d: run \"segurctl init\" to migrate "
			    "it", path, l->version,
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
	sqlite3_close(l->db);
	EVP_MD_CTX_free(l->mdctx);
	EVP_MD_free(l->sha256);
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

/* The event's hash with md in ctx; SEGUR_ENOMEM if OpenSSL fails. */
static int
event_digest(EVP_MD_CTX *ctx, const EVP_MD *md, const struct segur_event *e,
    char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char	 d[EVP_MAX_MD_SIZE];
	unsigned int	 dlen = 0, i;
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
	    !digest_field(ctx, e->prev_hash) ||
	    !EVP_DigestFinal_ex(ctx, d, &dlen) || dlen != 32)
		return (SEGUR_ENOMEM);
	for (i = 0; i < dlen; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 0xf];
	}
	hex[2 * i] = '\0';
	return (0);
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

/*
 * The event's hash with the handle's digest, fetched on first use (not at
 * open: segurd idles without OpenSSL's providers loaded) and kept, as an
 * implicit fetch per event costs more than the hash of a short event.
 */
static int
ledger_event_hash(struct segur_ledger *l, const struct segur_event *e,
    char hex[65])
{
	if (l->sha256 == NULL &&
	    (l->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
		return (SEGUR_ENOMEM);
	if (l->mdctx == NULL && (l->mdctx = EVP_MD_CTX_new()) == NULL)
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
			    "out of memory"));
		}
		snprintf(prev, 65, "%s", h);
	} else if (rc != SQLITE_DONE)
		return (segur__db_error(l, cause, "read the event log"));
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
	struct segur_event e;
	sqlite3_stmt	*st;
	char		 now[24], prev[65], hash[65];
	int		 rc;

	if (l->depth == 0)
		return (segur_cause(cause, SEGUR_ESTATE,
		    "event outside a transaction"));
	memset(&e, 0, sizeof(e));
	if ((rc = event_last(l, &e.id, prev, cause)) != 0)
		return (rc);
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
	if (ledger_event_hash(l, &e, hash) != 0)
		return (segur_cause(cause, SEGUR_ENOMEM, "out of memory"));
	if ((rc = segur__stmt(l, q_ins, &st, cause)) != 0)
		return (rc);
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
	    segur__bind_text(st, 11, hash) != SQLITE_OK)
		return (segur__db_error(l, cause, "append to the event log"));
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		l->last_known = 0;
		return (segur__db_error(l, cause, "append to the event log"));
	}
	l->last_id = e.id;
	memcpy(l->last_hash, hash, sizeof(l->last_hash));
	l->last_known = 1;
	return (0);
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

int
segur_ledger_audit_verify(struct segur_ledger *l, struct segur_audit *a,
    char **cause)
{
	sqlite3_stmt	*st;
	struct segur_event e;
	char		 hash[65];
	const char	*stored, *why = NULL;
	int64_t		 want = 1, id;
	int		 rc, oom = 0;

	memset(a, 0, sizeof(*a));
	snprintf(a->head, sizeof(a->head), "%s", ZERO_HASH);
	if (sqlite3_prepare_v2(l->db, "SELECT id, at, actor, action, entity, "
	    "entity_key, request_id, before, after, prev_hash, hash "
	    "FROM event ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return (segur__db_error(l, cause, "read the event log"));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
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
		stored = (const char *)sqlite3_column_text(st, 10);
		if (stored == NULL && sqlite3_column_type(st, 10) !=
		    SQLITE_NULL)
			oom = 1;
		if (oom || ledger_event_hash(l, &e, hash) != 0) {
			segur_event_release(&e);
			sqlite3_finalize(st);
			return (segur_cause(cause, SEGUR_ENOMEM,
			    "out of memory"));
		}
		if (e.id != want)
			why = "the event ids are not consecutive: a row was "
			    "removed or inserted";
		else if (e.prev_hash == NULL ||
		    strcmp(e.prev_hash, a->head) != 0)
			why = "its prev_hash is not the hash of the row "
			    "before it: the chain is broken here";
		else if (stored == NULL || strcmp(stored, hash) != 0)
			why = "its content does not match its hash: the row "
			    "was changed";
		id = e.id;
		segur_event_release(&e);
		if (why != NULL) {
			a->bad_id = id;
			if ((a->reason = strdup(why)) == NULL) {
				sqlite3_finalize(st);
				return (segur_cause(cause, SEGUR_ENOMEM,
				    "out of memory"));
			}
			sqlite3_finalize(st);
			return (segur_cause(cause, SEGUR_ECORRUPT,
			    "event %" PRId64 ": %s", a->bad_id, why));
		}
		snprintf(a->head, sizeof(a->head), "%s", hash);
		a->events++;
		want++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(l, cause, "read the event log"));
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
		return (segur__db_error(l, cause, "record a numeroEditeur"));
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
		rc = segur__db_error(l, cause, "read the allocator");
		goto fail;
	}
	v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	/* Skip the numbers recorded from files sent before the ledger. */
	for (;; v++) {
		if (v >= NUMERO_EDITEUR_SPACE) {
			rc = segur_cause(cause, SEGUR_ETOOBIG, "every "
			    "numeroEditeur has been used");
			goto fail;
		}
		base36(v, out);
		if ((rc = segur_ledger_numero_editeur_used(l, out)) < 0) {
			rc = segur__db_error(l, cause, "read numero_editeur");
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
		rc = segur__db_error(l, cause, "update the allocator");
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
		    "file rank: bad numeroAns or day"));
	for (i = 0; i < 8; i++)
		if (day[i] < '0' || day[i] > '9')
			return (segur_cause(cause, SEGUR_EINVAL,
			    "file rank: day must be AAAAMMJJ"));
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
		rc = segur__db_error(l, cause, "read file_rank");
		goto fail;
	}
	if (last >= 999) {
		rc = segur_cause(cause, SEGUR_ETOOBIG, "plus de rang libre "
		    "le %s pour le logiciel %s (999 fichiers)", day,
		    numero_ans);
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
		rc = segur__db_error(l, cause, "update file_rank");
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
