/*
 * test-ledger.c: the ledger: opening and migrating, the event log and its
 * hash chain, the allocators (also under two concurrent processes), the
 * state machine (every allowed and every refused transition), requests,
 * decisions, queries and reference data.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <inttypes.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "segur/amount.h"
#include "segur/embedded.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"
#include "segur/validate.h"

#include "helper-ledger.h"
#include "ledger/ledger-int.h"

#define ANS	"2023000042"
#define SIRET	"38042372300028"

/* A line of the guide's example, as a request's content. */
#define LINE \
    "{\"typeAction\":\"C\",\"numLigne\":7,\"numeroEditeur\":\"ZZZZZ\"," \
    "\"commande\":{\"dateCommande\":\"02/10/2023\",\"regimeTVA\":\"TTC\"," \
    "\"montantSegurHT\":4866.67}," \
    "\"beneficiaires\":{\"isMandataire\":false,\"nomMandataire\":null," \
    "\"emailMandataire\":null,\"telephoneMandataire\":null," \
    "\"etablissementsClients\":[{\"FINESSJuridique\":\"750000127\"," \
    "\"demandeCertificatServeur\":false,\"contractualisationOG\":null," \
    "\"statutAdminTechnique\":null,\"contractualisationEditeur\":null," \
    "\"certificatServeur\":null,\"nomResponsableOG\":\"MARTIN\"," \
    "\"emailResponsableOG\":\"direction@og-exemple.fr\"," \
    "\"telephoneResponsableOG\":\"+33123456780\"," \
    "\"FINESSGeos\":[\"%s\",\"330001025\"]}]}," \
    "\"piecesJustificatives\":[{\"nomFichier\":\"x.pdf\"," \
    "\"formatFichier\":\"PDF\",\"typeFichier\":\"BON_COMMANDE\"}]," \
    "\"scenarioInstallation\":[{\"FINESSGeo\":\"%s\"," \
    "\"ancienneVersion\":\"DUI 4.2\",\"isMaitreId\":true," \
    "\"IsStockageId\":false,\"operateurMessagerie\":\"MAI_15\"," \
    "\"profilMetier\":\"PA\",\"IsRefSoins\":true},{\"FINESSGeo\":" \
    "\"330001025\",\"ancienneVersion\":\"DUI 4.2\",\"isMaitreId\":true," \
    "\"IsStockageId\":false,\"operateurMessagerie\":null," \
    "\"profilMetier\":[\"PA\",\"PH\"],\"IsRefSoins\":false}]}"

/* The shared fixture (helper-ledger.h): f->dir, f->db, f->l. */
#define fixture	helper_ledger

/* The ledger in a folder of its own that opening it creates. */
static int
setup(void **state)
{
	return (helper_ledger_setup_at(state, "var/ledger.db"));
}

static int
teardown(void **state)
{
	return (helper_ledger_teardown(state));
}

/* Runs SQL on the ledger file through a connection of its own. */
static void
raw_sql(const char *path, const char *sql)
{
	sqlite3	*db;
	char	*msg = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(db);
}

/* Runs sql on l's connection; returns SQLite's extended code. */
static int
exec_rc(struct segur_ledger *l, const char *sql)
{
	sqlite3_exec(l->db, sql, NULL, NULL, NULL);
	return (sqlite3_extended_errcode(l->db));
}

/* Is there an embedded migration numbered v? */
static int
migration_exists(int v)
{
	const struct segur_embedded_file *e;
	char	 prefix[32];

	snprintf(prefix, sizeof(prefix), "sql/migrations/%03d-", v);
	for (e = segur_embedded_files; e->name != NULL; e++)
		if (strncmp(e->name, prefix, strlen(prefix)) == 0)
			return (1);
	return (0);
}

/* How many migrations a new ledger runs (one event each). */
static int64_t
migrations(void)
{
	int64_t	 n = 0;
	int	 v;

	for (v = 1; v <= SEGUR_LEDGER_SCHEMA_VERSION; v++)
		n += migration_exists(v);
	return (n);
}

/* One integer from a query on l. */
static int64_t
query_int(struct segur_ledger *l, const char *sql)
{
	sqlite3_stmt	*st;
	int64_t		 v;

	assert_int_equal(sqlite3_prepare_v2(l->db, sql, -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return (v);
}

/* One integer from a query on a connection of the test's own. */
static int64_t
query_db_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt	*st;
	int64_t		 v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return (v);
}

static void
add_software(struct segur_ledger *l)
{
	assert_int_equal(segur_ledger_software_add(l, ANS, SIRET, "DUI",
	    SEGUR_PROFIL_REFERENTIEL_ID | SEGUR_PROFIL_PA, NULL), 0);
}

/* Adds a draft named ref whose first ESMS is geo. */
static int
add_request(struct segur_ledger *l, const char *ref, const char *geo,
    char **cause)
{
	struct segur_request_new r;
	char	 content[4096];

	snprintf(content, sizeof(content), LINE, geo, geo);
	memset(&r, 0, sizeof(r));
	r.ref = ref;
	r.content = content;
	r.content_len = strlen(content);
	return (segur_ledger_request_add(l, &r, NULL, cause));
}

static void
test_ledger_open_refuses_missing_then_init_is_idempotent(void **state)
{
	struct fixture	*f = *state;
	struct segur_ledger *l;
	sqlite3_stmt	*st;
	char		 path[400], *cause = NULL;
	int64_t		 events;

	snprintf(path, sizeof(path), "%s/none.db", f->dir);
	assert_int_equal(segur_ledger_open(path, 0, &l, &cause),
	    SEGUR_ENOENT);
	assert_non_null(strstr(cause, "segurctl init"));
	free(cause);
	assert_int_equal(access(path, F_OK), -1);

	assert_int_equal(segur_ledger_version(f->l),
	    SEGUR_LEDGER_SCHEMA_VERSION);
	events = query_int(f->l, "SELECT count(*) FROM event");
	assert_int_equal(events, migrations());
	/* The operators of the compiled-in list, "CH _93" with its quotes. */
	assert_int_equal(query_int(f->l, "SELECT count(*) FROM operator"),
	    355);
	assert_int_equal(query_int(f->l, "SELECT count(*) FROM operator "
	    "WHERE code = 'CH _93' AND label = 'CH \"FRANCK-JOLY\"'"), 1);
	segur_ledger_close(f->l);
	assert_int_equal(segur_ledger_open(f->db, SEGUR_LEDGER_CREATE, &f->l,
	    NULL), 0);
	assert_int_equal(query_int(f->l, "SELECT count(*) FROM event"),
	    events);
	assert_int_equal(sqlite3_prepare_v2(f->l->db, "PRAGMA journal_mode",
	    -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	assert_int_equal(query_int(f->l, "PRAGMA synchronous"), 2);
	assert_int_equal(query_int(f->l, "PRAGMA foreign_keys"), 1);
}

static void
test_ledger_refuses_newer_schema_and_foreign_db(void **state)
{
	struct fixture	*f = *state;
	struct segur_ledger *l;
	char		 path[400], *cause = NULL;

	segur_ledger_close(f->l);
	f->l = NULL;
	raw_sql(f->db, "PRAGMA user_version = 99");
	assert_int_equal(segur_ledger_open(f->db, SEGUR_LEDGER_CREATE, &l,
	    &cause), SEGUR_EVERSION);
	assert_non_null(strstr(cause, "plus récente"));
	free(cause);
	cause = NULL;
	assert_int_equal(segur_ledger_open(f->db, 0, &l, NULL),
	    SEGUR_EVERSION);

	snprintf(path, sizeof(path), "%s/other.db", f->dir);
	raw_sql(path, "CREATE TABLE t(x)");
	assert_int_equal(segur_ledger_open(path, SEGUR_LEDGER_CREATE, &l,
	    &cause), SEGUR_EINVAL);
	assert_non_null(strstr(cause, "pas un registre segur"));
	free(cause);
	snprintf(path, sizeof(path), "PRAGMA user_version = %d",
	    SEGUR_LEDGER_SCHEMA_VERSION);
	raw_sql(f->db, path);
	assert_int_equal(segur_ledger_open(f->db, 0, &f->l, NULL), 0);
}

/* Keeps the last row of a list in arg. */
static int
last_row(void *arg, const struct segur_request_row *row)
{
	memcpy(arg, row, sizeof(*row));
	return (0);
}

static void
test_ledger_migrates_from_empty_file_and_each_version(void **state)
{
	struct fixture	*f = *state;
	struct segur_request_filter flt = { .state = -1 };
	struct segur_request_row row;
	struct segur_ledger *l;
	struct segur_audit a;
	char		 path[400], *cause = NULL;
	int		 v;
	FILE		*fp;

	/* An empty file is a database of version 0. */
	snprintf(path, sizeof(path), "%s/empty.db", f->dir);
	assert_non_null(fp = fopen(path, "w"));
	fclose(fp);
	assert_int_equal(segur_ledger_open(path, SEGUR_LEDGER_CREATE, &l,
	    NULL), 0);
	assert_int_equal(segur_ledger_version(l), SEGUR_LEDGER_SCHEMA_VERSION);
	segur_ledger_close(l);

	/* From each earlier version, with data written at that version. */
	for (v = 1; v < SEGUR_LEDGER_SCHEMA_VERSION; v++) {
		/* Numbers may have gaps (012 before 010 and 011). */
		if (!migration_exists(v))
			continue;
		snprintf(path, sizeof(path), "%s/v%d.db", f->dir, v);
		assert_int_equal(segur__ledger_open_raw(path, &l, NULL), 0);
		assert_int_equal(segur__ledger_migrate(l, v, NULL), 0);
		assert_int_equal(segur_ledger_version(l), v);
		add_software(l);
		segur_ledger_close(l);
		/* A request and an attempt as that version wrote them (today's
		 * writers set columns it may not have). */
		raw_sql(path, "INSERT INTO request(id, ref, software_id, "
		    "state, content, montant_cents, regime_tva, created_at, "
		    "updated_at) VALUES (1, 'BC 1|', 1, 'draft', '{}', "
		    "1234567, 'TTC', '2026-01-02T03:04:05Z', "
		    "'2026-01-02T03:04:06Z')");
		raw_sql(path, "INSERT INTO numero_editeur(value, origin, at) "
		    "VALUES ('0000A', 'recorded', 'x'); INSERT INTO "
		    "attempt(request_id, seq, numero_editeur, created_at) "
		    "VALUES (1, 1, '0000A', 'x')");
		/* An older ledger is not used without init. */
		assert_int_equal(segur_ledger_open(path, 0, &l, &cause),
		    SEGUR_ESTATE);
		assert_non_null(strstr(cause, "segurctl init"));
		free(cause);
		cause = NULL;
		assert_int_equal(segur_ledger_open(path, SEGUR_LEDGER_CREATE,
		    &l, NULL), 0);
		assert_int_equal(segur_ledger_version(l),
		    SEGUR_LEDGER_SCHEMA_VERSION);
		assert_int_equal(query_int(l, "SELECT count(*) FROM request"),
		    1);
		assert_int_equal(query_int(l, "SELECT n FROM state_total "
		    "WHERE state = 'draft'"), 1);
		/* 003: the last attempt's number copied into the request (a
		 * ledger already at 3 or later had its writers set it). */
		if (v < 3)
			assert_int_equal(query_int(l, "SELECT count(*) FROM "
			    "request WHERE numero_editeur = '0000A'"), 1);
		/* A list reads the migrated ledger. */
		flt.state = SEGUR_STATE_DRAFT;
		memset(&row, 0, sizeof(row));
		assert_int_equal(segur_ledger_request_list(l, &flt, last_row,
		    &row, NULL), 0);
		assert_string_equal(row.ref, "BC 1|");
		assert_string_equal(row.numero_ans, ANS);
		assert_int_equal(row.montant_cents, 1234567);
		assert_string_equal(row.numero_editeur, v < 3 ? "0000A" : "");
		assert_string_equal(row.numero_asp, "");
		assert_string_equal(row.created_at, "2026-01-02T03:04:05Z");
		assert_string_equal(row.updated_at, "2026-01-02T03:04:06Z");
		assert_int_equal(row.id, 1);
		assert_int_equal(segur_ledger_audit_verify(l, &a, NULL), 0);
		segur_audit_release(&a);
		segur_ledger_close(l);
	}
}

/* The CHECKs of request refuse what the state machine forbids. */
static void
test_ledger_checks_refuse_bad_states(void **state)
{
	struct fixture	*f = *state;
	sqlite3		*db;

	add_software(f->l);
	assert_int_equal(add_request(f->l, "BC-1", "330001017", NULL), 0);
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "UPDATE request SET state = "
	    "'bogus'", NULL, NULL, NULL), SQLITE_OK);
	assert_non_null(strstr(sqlite3_errmsg(db), "CHECK constraint"));
	assert_int_not_equal(sqlite3_exec(db, "UPDATE request SET state = "
	    "'accepted'", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE request SET state = "
	    "'withdrawn', withdraw_reason = 'x'", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
}

/* One request's row is the row a list gives for it; a miss is ENOENT. */
static void
test_ledger_request_row_matches_the_list(void **state)
{
	struct fixture	*f = *state;
	struct segur_request_filter flt = { .state = -1 };
	struct segur_request_row one, listed;
	char		*cause = NULL;

	add_software(f->l);
	assert_int_equal(add_request(f->l, "BC-1", "330001017", NULL), 0);
	assert_int_equal(add_request(f->l, "BC-2", "330001025", NULL), 0);
	assert_int_equal(segur_ledger_request_withdraw(f->l, "BC-1", "x",
	    NULL), 0);
	memset(&one, 0, sizeof(one));
	assert_int_equal(segur_ledger_request_row(f->l, "BC-1", &one, NULL),
	    0);
	memset(&listed, 0, sizeof(listed));
	flt.state = SEGUR_STATE_WITHDRAWN;
	assert_int_equal(segur_ledger_request_list(f->l, &flt, last_row,
	    &listed, NULL), 0);
	assert_string_equal(one.ref, "BC-1");
	assert_int_equal(one.state, SEGUR_STATE_WITHDRAWN);
	assert_string_equal(one.numero_ans, ANS);
	assert_int_equal(one.id, listed.id);
	assert_string_equal(one.ref, listed.ref);
	assert_int_equal(one.montant_cents, listed.montant_cents);
	assert_string_equal(one.numero_editeur, listed.numero_editeur);
	assert_string_equal(one.numero_asp, listed.numero_asp);
	assert_string_equal(one.created_at, listed.created_at);
	assert_string_equal(one.updated_at, listed.updated_at);
	assert_int_equal(segur_ledger_request_row(f->l, "BC-9", &one,
	    &cause), SEGUR_ENOENT);
	assert_non_null(strstr(cause, "« BC-9 »"));
	free(cause);
}

/* The schema of the ledger at path, one row per object, by name. */
static char *
schema_text(const char *path)
{
	struct segur_buf b = SEGUR_BUF_INIT;
	sqlite3_stmt	*st;
	sqlite3		*db;
	int		 i;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT type, name, tbl_name, "
	    "sql FROM sqlite_schema ORDER BY name", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (i = 0; i < 4; i++) {
			const char *v = (const char *)sqlite3_column_text(st,
			    i);

			assert_int_equal(segur_buf_addf(&b, "%s%c",
			    v != NULL ? v : "NULL", i < 3 ? '|' : '\n'), 0);
		}
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return (segur_buf_detach(&b));
}

/* Runs a file of tests/data/ on db as SQLite's shell would. */
static void
exec_data_file(sqlite3 *db, const char *name)
{
	const char	*dir = getenv("SEGUR_TEST_DATA");
	char		 path[4096], *sql, *msg = NULL;
	size_t		 n;
	FILE		*fp;

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(fp = fopen(path, "r"));
	assert_non_null(sql = malloc(1 << 16));
	n = fread(sql, 1, (1 << 16) - 1, fp);
	fclose(fp);
	sql[n] = '\0';
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", name, msg);
	free(sql);
}

/*
 * A migration run by a holder of the audit key is sealed like every other
 * event: segur_ledger_open_sealed() sets the key before migrating, so
 * that upgrading a sealed ledger does not leave an unsealed event in the
 * middle of its log (which audit verify calls suspect).
 */
static void
test_ledger_migration_event_is_sealed(void **state)
{
	static const unsigned char key[] = "0123456789abcdef0123456789abcdef";
	struct fixture	*f = *state;
	struct segur_ledger *l;
	struct segur_audit a;
	char		 path[400];

	snprintf(path, sizeof(path), "%s/v11.db", f->dir);
	assert_int_equal(segur__ledger_open_raw(path, &l, NULL), 0);
	assert_int_equal(segur__ledger_migrate(l, 11, NULL), 0);
	segur_ledger_close(l);

	assert_int_equal(segur_ledger_open_sealed(path, SEGUR_LEDGER_CREATE,
	    key, sizeof(key) - 1, &l, NULL), 0);
	assert_int_equal(segur_ledger_version(l), SEGUR_LEDGER_SCHEMA_VERSION);
	assert_int_equal(query_int(l, "SELECT count(*) FROM event WHERE v = 2 "
	    "AND seal IS NULL"), 0);
	assert_true(query_int(l, "SELECT count(*) FROM event WHERE "
	    "action = 'schema.migrate' AND seal IS NOT NULL") >= 1);
	assert_int_equal(segur_ledger_audit_verify(l, &a, NULL), 0);
	assert_true(a.seals_checked);
	assert_int_equal(a.late_unsealed, 0);
	assert_true(a.sealed >= 1);
	segur_audit_release(&a);
	segur_ledger_close(l);
}

/*
 * Migration 009 gives one schema: a new ledger (001 to 009) and a ledger
 * brought to version 8 by the migrations as they were before 009, which
 * edited sqlite_schema in place (kept in tests/data/migrations-v8/), hold
 * the same objects with the same SQL once migrated; the rows and the hash
 * chain come through, and no table keeps list_row.
 */
static void
test_ledger_migration_9_gives_one_schema(void **state)
{
	static const char *const old[] = {
		"migrations-v8/006-write-speed.sql",
		"migrations-v8/007-append-speed.sql",
		"migrations-v8/008-list-row.sql"
	};
	struct fixture	*f = *state;
	struct segur_request_filter flt = { .state = -1 };
	struct segur_request_row row;
	struct segur_ledger *l;
	struct segur_audit a;
	sqlite3		*db;
	char		 path[400], *fresh, *migrated;
	int		 cookie;
	size_t		 i;

	add_software(f->l);
	segur_ledger_close(f->l);
	f->l = NULL;

	snprintf(path, sizeof(path), "%s/v8.db", f->dir);
	assert_int_equal(segur__ledger_open_raw(path, &l, NULL), 0);
	assert_int_equal(segur__ledger_migrate(l, 5, NULL), 0);
	add_software(l);
	assert_int_equal(add_request(l, "BC-1", "330001017", NULL), 0);
	segur_ledger_close(l);
	/* The old 006, 007 and 008 as their runner ran them: each with the
	 * schema cookie moved by hand. */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	for (i = 0; i < sizeof(old) / sizeof(old[0]); i++) {
		char	 sql[128];

		assert_int_equal(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL),
		    SQLITE_OK);
		exec_data_file(db, old[i]);
		cookie = (int)query_db_int(db, "PRAGMA schema_version");
		snprintf(sql, sizeof(sql), "PRAGMA schema_version = %d; "
		    "PRAGMA user_version = %zu; COMMIT", cookie + 1, 6 + i);
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL),
		    SQLITE_OK);
	}
	assert_int_equal(query_db_int(db, "SELECT count(*) FROM pragma_"
	    "table_info('request') WHERE name = 'list_row'"), 1);
	sqlite3_close(db);

	assert_int_equal(segur_ledger_open(path, SEGUR_LEDGER_CREATE, &l,
	    NULL), 0);
	assert_int_equal(segur_ledger_version(l),
	    SEGUR_LEDGER_SCHEMA_VERSION);
	assert_int_equal(query_int(l, "SELECT count(*) FROM pragma_"
	    "table_info('request') WHERE name = 'list_row'"), 0);
	assert_int_equal(query_int(l, "SELECT count(*) FROM sqlite_schema "
	    "WHERE name LIKE 'new_%' OR name = 'request_list'"), 0);
	assert_int_equal(query_int(l, "SELECT n FROM state_total "
	    "WHERE state = 'draft'"), 1);
	flt.state = SEGUR_STATE_DRAFT;
	memset(&row, 0, sizeof(row));
	assert_int_equal(segur_ledger_request_list(l, &flt, last_row, &row,
	    NULL), 0);
	assert_string_equal(row.ref, "BC-1");
	/* The event log came through byte for byte, and goes on. */
	assert_int_equal(segur_ledger_audit_verify(l, &a, NULL), 0);
	segur_audit_release(&a);
	assert_int_equal(add_request(l, "BC-2", "330001025", NULL), 0);
	assert_int_equal(segur_ledger_audit_verify(l, &a, NULL), 0);
	segur_audit_release(&a);
	segur_ledger_close(l);

	fresh = schema_text(f->db);
	migrated = schema_text(path);
	assert_string_equal(fresh, migrated);
	/* Each trigger once, on the rebuilt tables too. */
	assert_non_null(strstr(fresh, "trigger|event_chained|event|"));
	assert_non_null(strstr(fresh, "trigger|event_no_delete|event|"));
	assert_non_null(strstr(fresh, "trigger|event_no_update|event|"));
	assert_non_null(strstr(fresh, "trigger|request_no_delete|request|"));
	assert_non_null(strstr(fresh, "trigger|state_total_insert|request|"));
	assert_non_null(strstr(fresh, "trigger|state_total_update|request|"));
	assert_null(strstr(fresh, "writable_schema"));
	free(fresh);
	free(migrated);
	assert_int_equal(segur_ledger_open(f->db, 0, &f->l, NULL), 0);
}

/*
 * A migration that fails leaves the ledger at the version before it, with
 * the foreign keys of the handle back on.
 */
static void
test_ledger_failed_migration_changes_nothing(void **state)
{
	struct fixture	*f = *state;
	struct segur_ledger *l;
	char		 path[400], *cause = NULL;

	snprintf(path, sizeof(path), "%s/v8b.db", f->dir);
	assert_int_equal(segur__ledger_open_raw(path, &l, NULL), 0);
	assert_int_equal(segur__ledger_migrate(l, 8, NULL), 0);
	add_software(l);
	assert_int_equal(add_request(l, "BC-1", "330001017", NULL), 0);
	/* A row naming a request that does not exist: 009 copies it, and
	 * foreign_key_check refuses the migration. */
	assert_int_equal(exec_rc(l, "PRAGMA foreign_keys = OFF; INSERT INTO "
	    "decision(request_id, kind, date, recorded_at) VALUES (42, "
	    "'grant', '2026-01-01', 'x'); PRAGMA foreign_keys = ON"),
	    SQLITE_OK);
	assert_int_not_equal(segur__ledger_migrate(l, 9, &cause), 0);
	assert_non_null(strstr(cause, "foreign_key_check"));
	free(cause);
	assert_int_equal(segur_ledger_version(l), 8);
	assert_int_equal(query_int(l, "PRAGMA user_version"), 8);
	assert_int_equal(query_int(l, "PRAGMA foreign_keys"), 1);
	assert_int_equal(query_int(l, "SELECT count(*) FROM sqlite_schema "
	    "WHERE name LIKE 'new_%'"), 0);
	assert_int_equal(query_int(l, "SELECT count(*) FROM request"), 1);
	segur_ledger_close(l);
}

/*
 * A constraint broken by a change of state (OR ROLLBACK) undoes the whole
 * transaction, and the handle refuses to go on as if it were still open:
 * nothing of the batch is written, not even what came after.
 */
static void
test_ledger_lost_transaction_is_never_continued(void **state)
{
	struct fixture	*f = *state;
	struct segur_software sw;
	enum segur_state st;
	int64_t		 id;
	char		*cause = NULL;

	add_software(f->l);
	assert_int_equal(add_request(f->l, "BC-1", "330001017", NULL), 0);
	/* A draft without its amount cannot be ready (a CHECK holds it). */
	raw_sql(f->db, "UPDATE request SET montant_cents = NULL");
	assert_int_equal(segur_ledger_begin(f->l, NULL), 0);
	assert_int_equal(add_request(f->l, "BC-2", "330001025", NULL), 0);
	assert_int_equal(segur__request_find(f->l, "BC-1", &id, &st, NULL), 0);
	assert_int_equal(st, SEGUR_STATE_DRAFT);
	assert_int_not_equal(segur__request_transition(f->l, id, "BC-1",
	    SEGUR_STATE_DRAFT, SEGUR_STATE_READY, NULL, &cause), 0);
	free(cause);
	cause = NULL;
	/* The batch is gone: nothing more joins it, nothing autocommits. */
	assert_int_not_equal(segur_ledger_software_add(f->l, "2023000043",
	    SIRET, "DUI 2", SEGUR_PROFIL_PA, &cause), 0);
	assert_non_null(strstr(cause, "transaction annulée"));
	free(cause);
	segur_ledger_rollback(f->l);
	memset(&sw, 0, sizeof(sw));
	assert_int_equal(segur_ledger_software_get(f->l, "2023000043", &sw,
	    NULL), SEGUR_ENOENT);
	assert_int_equal(segur__request_find(f->l, "BC-2", &id, &st, NULL),
	    SEGUR_ENOENT);
	/* And the handle works again afterwards. */
	assert_int_equal(add_request(f->l, "BC-3", "330001033", NULL), 0);
}

/*
 * Events chain right after a savepoint undid some of them, and after
 * another process appended between two transactions.
 */
static void
test_ledger_events_chain_across_rollbacks_and_writers(void **state)
{
	struct fixture	*f = *state;
	struct segur_ledger *other;
	struct segur_audit a;

	assert_int_equal(segur_ledger_begin(f->l, NULL), 0);
	add_software(f->l);
	assert_int_equal(segur_ledger_begin(f->l, NULL), 0);
	assert_int_equal(add_request(f->l, "BC-1", "330001017", NULL), 0);
	segur_ledger_rollback(f->l);	/* the savepoint: BC-1's events go */
	assert_int_equal(add_request(f->l, "BC-2", "330001025", NULL), 0);
	assert_int_equal(segur_ledger_commit(f->l, NULL), 0);

	assert_int_equal(segur_ledger_open(f->db, 0, &other, NULL), 0);
	assert_int_equal(add_request(other, "BC-3", "330001033", NULL), 0);
	segur_ledger_close(other);
	assert_int_equal(add_request(f->l, "BC-4", "330001041", NULL), 0);

	assert_int_equal(segur_ledger_audit_verify(f->l, &a, NULL), 0);
	assert_int_equal(a.events, query_int(f->l, "SELECT count(*) FROM "
	    "event"));
	segur_audit_release(&a);
}

/*
 * After a checkpoint the next transaction starts the log afresh (it only
 * does when every frame was copied back); never mid-batch.
 */
static void
test_ledger_checkpoint_empties_the_log(void **state)
{
	struct fixture	*f = *state;
	int		 nlog = -1, nckpt = -1;
	char		*cause = NULL;

	add_software(f->l);
	assert_int_equal(add_request(f->l, "BC-1", "330001017", NULL), 0);
	assert_int_equal(segur_ledger_begin(f->l, NULL), 0);
	assert_int_equal(segur_ledger_checkpoint(f->l, &cause), SEGUR_ESTATE);
	free(cause);
	segur_ledger_rollback(f->l);
	assert_int_equal(segur_ledger_checkpoint(f->l, NULL), 0);
	assert_int_equal(add_request(f->l, "BC-2", "330001025", NULL), 0);
	/* The log holds BC-2's few pages (14), not also the 118 of the
	 * migrations and BC-1. */
	assert_int_equal(sqlite3_wal_checkpoint_v2(f->l->db, NULL,
	    SQLITE_CHECKPOINT_PASSIVE, &nlog, &nckpt), SQLITE_OK);
	assert_true(nlog > 0 && nlog < 40);
}

static void
test_ledger_event_log_is_append_only(void **state)
{
	struct fixture	*f = *state;
	sqlite3		*db;

	add_software(f->l);
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "UPDATE event SET actor = 'x'",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_non_null(strstr(sqlite3_errmsg(db), "append-only"));
	assert_int_not_equal(sqlite3_exec(db, "DELETE FROM event WHERE id = 3",
	    NULL, NULL, NULL), SQLITE_OK);
	/* A row that is not chained to the last one is refused too. */
	assert_int_not_equal(sqlite3_exec(db, "INSERT INTO event(id, at, "
	    "actor, action, entity, prev_hash, hash) VALUES (100, 'x', 'x', "
	    "'x', 'x', printf('%064d', 0), printf('%064d', 1))", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(db);
	/* One event per migration, one for the software. */
	assert_int_equal(query_int(f->l, "SELECT count(*) FROM event"),
	    migrations() + 1);
}

/*
 * 007: the event INSERT and the answer's UPDATE keep no statement journal,
 * and the log refuses what it refused: an unchained row at once, a row
 * naming a request that does not exist at COMMIT, the transaction with it.
 */
static void
test_ledger_event_chain_and_keys_hold_without_statement_journal(
    void **state)
{
/* A row after the last event: id + step, naming rid, chained to prev. */
#define CHAINED "INSERT INTO event(id, at, actor, action, entity, " \
	    "request_id, prev_hash, hash) SELECT id + %d, 'x', 'x', 'x', " \
	    "'x', %s, %s, printf('%%064d', 7) FROM event ORDER BY id DESC " \
	    "LIMIT 1"
	struct fixture	*f = *state;
	sqlite3		*db;
	char		 sql[512];
	int64_t		 n;

	add_software(f->l);
	assert_int_equal(query_int(f->l, "SELECT count(*) FROM sqlite_schema "
	    "WHERE name IN ('event', 'attempt') AND sql LIKE "
	    "'%REFERENCES % DEFERRABLE INITIALLY DEFERRED%'"), 2);
	n = query_int(f->l, "SELECT count(*) FROM event");
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	/* The next id, but not chained to the last hash. */
	snprintf(sql, sizeof(sql), CHAINED, 1, "NULL", "printf('%064d', 0)");
	assert_int_not_equal(sqlite3_exec(db, sql, NULL, NULL, NULL),
	    SQLITE_OK);
	assert_non_null(strstr(sqlite3_errmsg(db), "not chained"));
	/* Chained to the last hash, but an id skipped, or one taken again. */
	snprintf(sql, sizeof(sql), CHAINED, 2, "NULL", "hash");
	assert_int_not_equal(sqlite3_exec(db, sql, NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "INSERT OR REPLACE INTO "
	    "event(id, at, actor, action, entity, prev_hash, hash) SELECT id, "
	    "'x', 'x', 'x', 'x', prev_hash, hash FROM event ORDER BY id DESC "
	    "LIMIT 1", NULL, NULL, NULL), SQLITE_OK);
	/* Chained, naming no request: refused by the COMMIT. */
	assert_int_equal(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL),
	    SQLITE_OK);
	snprintf(sql, sizeof(sql), CHAINED, 1, "424242", "hash");
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_non_null(strstr(sqlite3_errmsg(db), "FOREIGN KEY"));
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
	assert_int_equal(query_int(f->l, "SELECT count(*) FROM event"), n);
	/* The ledger goes on appending after all that. */
	assert_int_equal(add_request(f->l, "BC-1", "330001017", NULL), 0);
	assert_true(query_int(f->l, "SELECT count(*) FROM event") > n);
#undef CHAINED
}

/* Fills the log with a few events of every kind. */
static void
some_events(struct segur_ledger *l)
{
	char	 ne[6];

	add_software(l);
	assert_int_equal(add_request(l, "BC-1", "330001017", NULL), 0);
	assert_int_equal(add_request(l, "BC-2", "330001033", NULL), 0);
	assert_int_equal(segur_ledger_alloc_numero_editeur(l, ne, NULL), 0);
	assert_int_equal(segur_ledger_request_withdraw(l, "BC-2", "doublon",
	    NULL), 0);
}

static void
test_ledger_audit_finds_the_tampered_row(void **state)
{
	struct fixture	*f = *state;
	struct segur_audit a;
	struct segur_event e;
	sqlite3		*db;
	sqlite3_stmt	*st;
	char		 hash[65], sql[300];
	int64_t		 n;

	some_events(f->l);
	n = query_int(f->l, "SELECT count(*) FROM event");
	assert_true(n > 8);
	assert_int_equal(segur_ledger_audit_verify(f->l, &a, NULL), 0);
	assert_int_equal(a.events, n);
	assert_int_equal(a.bad_id, 0);
	assert_int_equal(strlen(a.head), 64);
	segur_audit_release(&a);

	/* Someone drops the trigger and edits row 5 by hand. */
	raw_sql(f->db, "DROP TRIGGER event_no_update; "
	    "UPDATE event SET actor = 'mallory' WHERE id = 5");
	assert_int_equal(segur_ledger_audit_verify(f->l, &a, NULL),
	    SEGUR_ECORRUPT);
	assert_int_equal(a.bad_id, 5);
	assert_non_null(strstr(a.reason, "modifiée"));
	segur_audit_release(&a);

	/* ... and recomputes its hash: the next row's link breaks. */
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT id, at, actor, "
	    "action, entity, entity_key, request_id, before, after, prev_hash "
	    "FROM event WHERE id = 5", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	memset(&e, 0, sizeof(e));
	e.id = 5;
	e.at = (char *)sqlite3_column_text(st, 1);
	e.actor = (char *)sqlite3_column_text(st, 2);
	e.action = (char *)sqlite3_column_text(st, 3);
	e.entity = (char *)sqlite3_column_text(st, 4);
	e.entity_key = (char *)sqlite3_column_text(st, 5);
	e.request_id = sqlite3_column_int64(st, 6);
	e.before = (char *)sqlite3_column_text(st, 7);
	e.after = (char *)sqlite3_column_text(st, 8);
	e.prev_hash = (char *)sqlite3_column_text(st, 9);
	assert_int_equal(segur_event_hash(&e, hash), 0);
	sqlite3_finalize(st);
	snprintf(sql, sizeof(sql), "UPDATE event SET hash = '%s' WHERE id = 5",
	    hash);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(segur_ledger_audit_verify(f->l, &a, NULL),
	    SEGUR_ECORRUPT);
	assert_int_equal(a.bad_id, 6);
	assert_non_null(strstr(a.reason, "prev_hash"));
	segur_audit_release(&a);
}

static void
test_ledger_audit_finds_a_removed_row(void **state)
{
	struct fixture	*f = *state;
	struct segur_audit a;

	some_events(f->l);
	raw_sql(f->db, "DROP TRIGGER event_no_delete; "
	    "DELETE FROM event WHERE id = 4");
	assert_int_equal(segur_ledger_audit_verify(f->l, &a, NULL),
	    SEGUR_ECORRUPT);
	assert_int_equal(a.bad_id, 5);
	assert_int_equal(a.events, 3);
	segur_audit_release(&a);
}

/*
 * v2 (docs/internals/ledger.md): type-tagged fields, NULL apart from 0
 * and "", v and image included; a request_id turned from NULL to 0 by
 * hand breaks the chain whatever the row's version; seals check with
 * the key only.
 */
static void
test_ledger_event_v2_serialization_and_seal(void **state)
{
	struct fixture	*f = *state;
	struct segur_event e;
	struct segur_audit a;
	char		 hex[65], want[65], other[65], seal[65], sql[128];
	int64_t		 v2;
	const char	*ser = "segur-event-v2\nI7\nT20:2026-11-27T13:35:02Z\n"
	    "T5:alice\nT11:request.add\nT7:request\nT4:BC-1\nI3\nN\n"
	    "T9:{\"a\":\"b\"}\nT64:0000000000000000000000000000000000000000"
	    "000000000000000000000000\nI2\nN\n";

	memset(&e, 0, sizeof(e));
	e.id = 7;
	e.at = "2026-11-27T13:35:02Z";
	e.actor = "alice";
	e.action = "request.add";
	e.entity = "request";
	e.entity_key = "BC-1";
	e.request_id = 3;
	e.after = "{\"a\":\"b\"}";
	e.prev_hash = "0000000000000000000000000000000000000000000000000000000"
	    "000000000";
	e.v = 2;
	assert_int_equal(segur_event_hash(&e, hex), 0);
	segur_sha256_hex(ser, strlen(ser), want);
	assert_string_equal(hex, want);
	/* NULL, "" and another version all hash apart. */
	e.entity_key = "";
	assert_int_equal(segur_event_hash(&e, other), 0);
	assert_string_not_equal(other, hex);
	e.entity_key = "BC-1";
	e.v = 1;
	assert_int_equal(segur_event_hash(&e, other), 0);
	assert_string_not_equal(other, hex);
	assert_int_equal(segur_event_seal((const unsigned char *)"k", 1, hex,
	    seal), 0);
	assert_int_equal(strlen(seal), 64);

	/* Sealed appends; verify with the key, then with another key. */
	assert_int_equal(segur_ledger_set_seal_key(f->l,
	    (const unsigned char *)"0123456789abcdef", 16), 0);
	some_events(f->l);
	assert_int_equal(segur_ledger_audit_verify(f->l, &a, NULL), 0);
	assert_true(a.sealed > 0);
	assert_true(a.seals_checked);
	assert_int_equal(a.late_unsealed, 0);
	segur_audit_release(&a);
	assert_int_equal(segur_ledger_set_seal_key(f->l,
	    (const unsigned char *)"fedcba9876543210", 16), 0);
	assert_int_equal(segur_ledger_audit_verify(f->l, &a, NULL),
	    SEGUR_ECORRUPT);
	assert_non_null(strstr(a.reason, "sceau"));
	segur_audit_release(&a);
	assert_int_equal(segur_ledger_set_seal_key(f->l, NULL, 0), 0);
	assert_int_equal(segur_ledger_audit_verify(f->l, &a, NULL), 0);
	assert_false(a.seals_checked);
	segur_audit_release(&a);

	/* request_id NULL to 0 on a v2 row: its hash sees it. */
	v2 = query_int(f->l, "SELECT min(id) FROM event WHERE v = 2 AND "
	    "request_id IS NULL");
	assert_true(v2 > 0);
	snprintf(sql, sizeof(sql), "DROP TRIGGER event_no_update; UPDATE "
	    "event SET request_id = 0 WHERE id = %lld", (long long)v2);
	raw_sql(f->db, sql);
	assert_int_equal(segur_ledger_audit_verify(f->l, &a, NULL),
	    SEGUR_ECORRUPT);
	assert_int_equal(a.bad_id, v2);
	segur_audit_release(&a);
	/* On a v1 row (a migration's): its hash does not, the check does. */
	raw_sql(f->db, "UPDATE event SET request_id = 0 WHERE id = 2");
	assert_int_equal(segur_ledger_audit_verify(f->l, &a, NULL),
	    SEGUR_ECORRUPT);
	assert_int_equal(a.bad_id, 2);
	assert_non_null(strstr(a.reason, "request_id"));
	segur_audit_release(&a);
}

static void
test_ledger_event_hash_serialization_is_documented(void **state)
{
	struct segur_event e;
	char	 hex[65], want[65];
	const char *ser = "1:7\n20:2026-11-27T13:35:02Z\n5:alice\n"
	    "11:request.add\n7:request\n4:BC-1\n1:3\n-\n9:{\"a\":\"b\"}\n"
	    "64:0000000000000000000000000000000000000000000000000000000000000000\n";

	(void)state;
	memset(&e, 0, sizeof(e));
	e.id = 7;
	e.at = "2026-11-27T13:35:02Z";
	e.actor = "alice";
	e.action = "request.add";
	e.entity = "request";
	e.entity_key = "BC-1";
	e.request_id = 3;
	e.before = NULL;
	e.after = "{\"a\":\"b\"}";
	e.prev_hash = "0000000000000000000000000000000000000000000000000000"
	    "000000000000";
	assert_int_equal(segur_event_hash(&e, hex), 0);
	segur_sha256_hex(ser, strlen(ser), want);
	assert_string_equal(hex, want);
}

static void
test_ledger_numero_editeur_sequence_skips_used_values(void **state)
{
	struct fixture	*f = *state;
	char		 ne[6], *cause = NULL;

	assert_int_equal(segur_ledger_alloc_numero_editeur(f->l, ne, NULL), 0);
	assert_string_equal(ne, "00001");
	assert_int_equal(segur_ledger_record_numero_editeur(f->l, "00002",
	    NULL), 0);
	assert_int_equal(segur_ledger_record_numero_editeur(f->l, "0003a",
	    NULL), 0);
	assert_int_equal(segur_ledger_alloc_numero_editeur(f->l, ne, NULL), 0);
	assert_string_equal(ne, "00003");
	/* Case does not make a number new. */
	assert_int_equal(segur_ledger_record_numero_editeur(f->l, "0003A",
	    &cause), SEGUR_EEXIST);
	free(cause);
	assert_int_equal(segur_ledger_record_numero_editeur(f->l, "00-01",
	    NULL), SEGUR_EINVAL);
	assert_int_equal(segur_ledger_record_numero_editeur(f->l, "000001",
	    NULL), SEGUR_EINVAL);
	assert_int_equal(segur_ledger_numero_editeur_used(f->l, "0003A"), 1);
	assert_int_equal(segur_ledger_numero_editeur_used(f->l, "00004"), 0);
	/* Base 36, upper case. */
	raw_sql(f->db, "UPDATE allocator SET next = 35");
	assert_int_equal(segur_ledger_alloc_numero_editeur(f->l, ne, NULL), 0);
	assert_string_equal(ne, "0000Z");
	assert_int_equal(segur_ledger_alloc_numero_editeur(f->l, ne, NULL), 0);
	assert_string_equal(ne, "00010");
	/* A number taken in a transaction rolled back is not taken. */
	assert_int_equal(segur_ledger_begin(f->l, NULL), 0);
	assert_int_equal(segur_ledger_alloc_numero_editeur(f->l, ne, NULL), 0);
	assert_string_equal(ne, "00011");
	segur_ledger_rollback(f->l);
	assert_int_equal(segur_ledger_numero_editeur_used(f->l, "00011"), 0);
	/* The end of the space is an error, not a wrap-around. */
	raw_sql(f->db, "UPDATE allocator SET next = 60466176");
	assert_int_equal(segur_ledger_alloc_numero_editeur(f->l, ne, NULL),
	    SEGUR_ETOOBIG);
}

#define PER_CHILD	150

static void
test_ledger_two_processes_never_get_the_same_number(void **state)
{
	struct fixture	*f = *state;
	pid_t		 pid[2];
	int		 p[2][2], i, k, status;
	char		 buf[2 * PER_CHILD][6];
	FILE		*in;

	for (k = 0; k < 2; k++) {
		assert_int_equal(pipe(p[k]), 0);
		pid[k] = fork();
		assert_true(pid[k] >= 0);
		if (pid[k] == 0) {
			struct segur_ledger *l;
			char	 ne[6];
			FILE	*out;

			close(p[k][0]);
			out = fdopen(p[k][1], "w");
			if (segur_ledger_open(f->db, 0, &l, NULL) != 0)
				_exit(2);
			for (i = 0; i < PER_CHILD; i++) {
				/* Half in a caller's transaction. */
				if (i % 2 == 0 &&
				    segur_ledger_begin(l, NULL) != 0)
					_exit(3);
				if (segur_ledger_alloc_numero_editeur(l, ne,
				    NULL) != 0)
					_exit(4);
				if (i % 2 == 0 &&
				    segur_ledger_commit(l, NULL) != 0)
					_exit(5);
				fprintf(out, "%s\n", ne);
			}
			fclose(out);
			segur_ledger_close(l);
			_exit(0);
		}
		close(p[k][1]);
	}
	for (k = 0; k < 2; k++) {
		assert_non_null(in = fdopen(p[k][0], "r"));
		for (i = 0; i < PER_CHILD; i++)
			assert_int_equal(fscanf(in, "%5s",
			    buf[k * PER_CHILD + i]), 1);
		fclose(in);
		assert_int_equal(waitpid(pid[k], &status, 0), pid[k]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	for (i = 0; i < 2 * PER_CHILD; i++)
		for (k = i + 1; k < 2 * PER_CHILD; k++)
			assert_string_not_equal(buf[i], buf[k]);
	assert_int_equal(query_int(f->l, "SELECT count(*) FROM numero_editeur"),
	    2 * PER_CHILD);
	assert_int_equal(query_int(f->l, "SELECT next FROM allocator"),
	    2 * PER_CHILD + 1);
}

static void
test_ledger_file_rank_per_day_and_software(void **state)
{
	struct fixture	*f = *state;
	int		 r;

	assert_int_equal(segur_ledger_alloc_file_rank(f->l, ANS, "20231002",
	    &r, NULL), 0);
	assert_int_equal(r, 1);
	assert_int_equal(segur_ledger_alloc_file_rank(f->l, ANS, "20231002",
	    &r, NULL), 0);
	assert_int_equal(r, 2);
	assert_int_equal(segur_ledger_alloc_file_rank(f->l, "2023000043",
	    "20231002", &r, NULL), 0);
	assert_int_equal(r, 1);
	assert_int_equal(segur_ledger_alloc_file_rank(f->l, ANS, "20231003",
	    &r, NULL), 0);
	assert_int_equal(r, 1);
	assert_int_equal(segur_ledger_alloc_file_rank(f->l, ANS, "2023-10-03",
	    &r, NULL), SEGUR_EINVAL);
	raw_sql(f->db, "UPDATE file_rank SET last = 999");
	assert_int_equal(segur_ledger_alloc_file_rank(f->l, ANS, "20231002",
	    &r, NULL), SEGUR_ETOOBIG);
}

/* The transition table, written out independently of the library. */
static int
expected_allowed(enum segur_state a, enum segur_state b)
{
	static const struct { enum segur_state a, b; } t[] = {
		{ SEGUR_STATE_DRAFT, SEGUR_STATE_READY },
		{ SEGUR_STATE_READY, SEGUR_STATE_DRAFT },
		{ SEGUR_STATE_READY, SEGUR_STATE_SUBMITTED },
		{ SEGUR_STATE_SUBMITTED, SEGUR_STATE_ACCEPTED },
		{ SEGUR_STATE_SUBMITTED, SEGUR_STATE_REJECTED },
		{ SEGUR_STATE_REJECTED, SEGUR_STATE_READY },
		{ SEGUR_STATE_ACCEPTED, SEGUR_STATE_GRANTED },
		{ SEGUR_STATE_ACCEPTED, SEGUR_STATE_REFUSED },
		{ SEGUR_STATE_GRANTED, SEGUR_STATE_ADVANCE_PAID },
		{ SEGUR_STATE_ADVANCE_PAID, SEGUR_STATE_BALANCE_REQUESTED },
		{ SEGUR_STATE_BALANCE_REQUESTED, SEGUR_STATE_BALANCE_ACCEPTED },
		{ SEGUR_STATE_BALANCE_REQUESTED, SEGUR_STATE_BALANCE_REJECTED },
		{ SEGUR_STATE_BALANCE_REJECTED, SEGUR_STATE_BALANCE_REQUESTED },
		{ SEGUR_STATE_BALANCE_ACCEPTED, SEGUR_STATE_BALANCE_PAID },
		{ SEGUR_STATE_BALANCE_PAID, SEGUR_STATE_CLOSED },
		{ SEGUR_STATE_DRAFT, SEGUR_STATE_WITHDRAWN },
		{ SEGUR_STATE_READY, SEGUR_STATE_WITHDRAWN },
		{ SEGUR_STATE_REJECTED, SEGUR_STATE_WITHDRAWN },
		{ SEGUR_STATE_ACCEPTED, SEGUR_STATE_WITHDRAWN },
		{ SEGUR_STATE_GRANTED, SEGUR_STATE_WITHDRAWN },
		/* A file closed without an answer (ledger-file.c). */
		{ SEGUR_STATE_SUBMITTED, SEGUR_STATE_READY },
		{ SEGUR_STATE_BALANCE_REQUESTED, SEGUR_STATE_ADVANCE_PAID },
	};
	size_t	 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].a == a && t[i].b == b)
			return (1);
	return (0);
}

static void
test_ledger_state_table(void **state)
{
	int	 a, b;

	(void)state;
	for (a = 0; a < SEGUR_STATE_COUNT; a++) {
		assert_int_equal(segur_state_parse(segur_state_name(
		    (enum segur_state)a)), a);
		for (b = 0; b < SEGUR_STATE_COUNT; b++)
			assert_int_equal(segur_state_allowed(
			    (enum segur_state)a, (enum segur_state)b),
			    expected_allowed((enum segur_state)a,
			    (enum segur_state)b));
	}
	assert_true(segur_state_final(SEGUR_STATE_CLOSED));
	assert_true(segur_state_final(SEGUR_STATE_REFUSED));
	assert_true(segur_state_final(SEGUR_STATE_WITHDRAWN));
	assert_false(segur_state_final(SEGUR_STATE_REJECTED));
	assert_int_equal(segur_state_parse("advance-paid"),
	    SEGUR_STATE_ADVANCE_PAID);
	assert_int_equal(segur_state_parse("paid"), -1);
	assert_null(segur_state_name(SEGUR_STATE_COUNT));
}

/* Moves a draft to ready the way promote does, without the validator. */
static void
make_ready(struct segur_ledger *l, const char *ref)
{
	enum segur_state s;
	int64_t		 id;

	assert_int_equal(segur_ledger_begin(l, NULL), 0);
	assert_int_equal(segur__request_find(l, ref, &id, &s, NULL), 0);
	assert_int_equal(segur__request_transition(l, id, ref, s,
	    SEGUR_STATE_READY, NULL, NULL), 0);
	assert_int_equal(segur_ledger_commit(l, NULL), 0);
}

static const struct segur_record REC = { "2026-11-02", 146000, "L-1", NULL,
    0, NULL };

/*
 * A record of kind k whose amount passes the money rules on the requests
 * these tests add (4,866.67 requested, all granted): the advance is 30 %,
 * the balance the rest.
 */
static const struct segur_record *
rec_of(enum segur_record_kind k)
{
	static struct segur_record r;

	r = REC;
	r.amount_cents = k == SEGUR_RECORD_GRANT ? 486667 :
	    k == SEGUR_RECORD_ADVANCE_PAID ? 146000 :
	    k == SEGUR_RECORD_BALANCE_REQUESTED ||
	    k == SEGUR_RECORD_BALANCE_PAID ? 340667 : -1;
	return (&r);
}

/* Drives a new request ref along the main path to state target. */
static void
drive_to(struct segur_ledger *l, const char *ref, enum segur_state target)
{
	static const enum segur_state path_balance[] = {
		SEGUR_STATE_GRANTED, SEGUR_STATE_ADVANCE_PAID,
		SEGUR_STATE_BALANCE_REQUESTED, SEGUR_STATE_BALANCE_ACCEPTED,
		SEGUR_STATE_BALANCE_PAID, SEGUR_STATE_CLOSED };
	static const enum segur_record_kind kinds[] = {
		SEGUR_RECORD_GRANT, SEGUR_RECORD_ADVANCE_PAID,
		SEGUR_RECORD_BALANCE_REQUESTED, SEGUR_RECORD_BALANCE_ACCEPTED,
		SEGUR_RECORD_BALANCE_PAID, SEGUR_RECORD_CLOSE };
	char	 ne[6], asp[64], geo[16];
	size_t	 i;
	static int n;

	snprintf(geo, sizeof(geo), "33%07d", ++n);
	assert_int_equal(add_request(l, ref, geo, NULL), 0);
	if (target == SEGUR_STATE_DRAFT)
		return;
	if (target == SEGUR_STATE_WITHDRAWN) {
		assert_int_equal(segur_ledger_request_withdraw(l, ref, "test",
		    NULL), 0);
		return;
	}
	make_ready(l, ref);
	if (target == SEGUR_STATE_READY)
		return;
	assert_int_equal(segur_ledger_attempt_new(l, ref, ne, NULL, NULL), 0);
	if (target == SEGUR_STATE_SUBMITTED)
		return;
	snprintf(asp, sizeof(asp), "ASP-%s", ref);
	assert_int_equal(segur_ledger_attempt_answer(l, ne,
	    target == SEGUR_STATE_REJECTED ? NULL : asp, "0",
	    target == SEGUR_STATE_REJECTED ? "erreur" : "Demande acceptée", 0,
	    NULL), 0);
	if (target == SEGUR_STATE_ACCEPTED || target == SEGUR_STATE_REJECTED)
		return;
	if (target == SEGUR_STATE_REFUSED) {
		assert_int_equal(segur_ledger_record(l, SEGUR_RECORD_REFUSAL,
		    asp, rec_of(SEGUR_RECORD_REFUSAL), NULL), 0);
		return;
	}
	for (i = 0; i < 6; i++) {
		if (target == SEGUR_STATE_BALANCE_REJECTED && i == 3) {
			assert_int_equal(segur_ledger_record(l,
			    SEGUR_RECORD_BALANCE_REJECTED, asp,
			    rec_of(SEGUR_RECORD_BALANCE_REJECTED), NULL), 0);
			return;
		}
		assert_int_equal(segur_ledger_record(l, kinds[i], asp,
		    rec_of(kinds[i]), NULL), 0);
		if (path_balance[i] == target)
			return;
	}
}

/* The operations that change a state, and where each one leads. */
enum op {
	OP_PROMOTE_SIM, OP_SUBMIT, OP_ACCEPT, OP_REJECT, OP_WITHDRAW,
	OP_RECORD0	/* + segur_record_kind */
};
#define NOPS	(OP_RECORD0 + SEGUR_RECORD_CLOSE + 1)

static enum segur_state
op_target(int op)
{
	static const enum segur_state rec[] = { SEGUR_STATE_GRANTED,
	    SEGUR_STATE_REFUSED, SEGUR_STATE_ADVANCE_PAID,
	    SEGUR_STATE_BALANCE_REQUESTED, SEGUR_STATE_BALANCE_ACCEPTED,
	    SEGUR_STATE_BALANCE_REJECTED, SEGUR_STATE_BALANCE_PAID,
	    SEGUR_STATE_CLOSED };

	switch (op) {
	case OP_PROMOTE_SIM:
		return (SEGUR_STATE_READY);
	case OP_SUBMIT:
		return (SEGUR_STATE_SUBMITTED);
	case OP_ACCEPT:
		return (SEGUR_STATE_ACCEPTED);
	case OP_REJECT:
		return (SEGUR_STATE_REJECTED);
	case OP_WITHDRAW:
		return (SEGUR_STATE_WITHDRAWN);
	}
	return (rec[op - OP_RECORD0]);
}

/* The function of the transition table that performs op (NULL: any,
 * segur__request_transition() itself). */
static const char *
op_by(int op)
{
	switch (op) {
	case OP_PROMOTE_SIM:
		return (NULL);
	case OP_SUBMIT:
		return ("segur_ledger_attempt_new");
	case OP_ACCEPT:
	case OP_REJECT:
		return ("segur_ledger_attempt_answer");
	case OP_WITHDRAW:
		return ("segur_ledger_request_withdraw");
	}
	return ("segur_ledger_record");
}

/* Tries op on ref; returns the library's answer. */
static int
try_op(struct segur_ledger *l, const char *ref, int op)
{
	enum segur_state s;
	sqlite3_stmt	*st;
	char		 ne[6] = "", asp[64];
	int64_t		 id;
	int		 rc;

	snprintf(asp, sizeof(asp), "ASP-%s", ref);
	assert_int_equal(sqlite3_prepare_v2(l->db, "SELECT a.numero_editeur "
	    "FROM attempt a JOIN request r ON r.id = a.request_id "
	    "WHERE r.ref = ? ORDER BY seq DESC LIMIT 1", -1, &st, NULL),
	    SQLITE_OK);
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(ne, sizeof(ne), "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	switch (op) {
	case OP_PROMOTE_SIM:
		assert_int_equal(segur_ledger_begin(l, NULL), 0);
		assert_int_equal(segur__request_find(l, ref, &id, &s, NULL), 0);
		rc = segur__request_transition(l, id, ref, s,
		    SEGUR_STATE_READY, NULL, NULL);
		if (rc == 0)
			assert_int_equal(segur_ledger_commit(l, NULL), 0);
		else
			segur_ledger_rollback(l);
		return (rc);
	case OP_SUBMIT:
		return (segur_ledger_attempt_new(l, ref, ne, NULL, NULL));
	case OP_ACCEPT:
		return (segur_ledger_attempt_answer(l, ne, asp, "0", "ok", 0,
		    NULL));
	case OP_REJECT:
		return (segur_ledger_attempt_answer(l, ne, NULL, "E1", "ko", 0,
		    NULL));
	case OP_WITHDRAW:
		return (segur_ledger_request_withdraw(l, ref, "motif", NULL));
	}
	return (segur_ledger_record(l, (enum segur_record_kind)(op -
	    OP_RECORD0), asp, rec_of((enum segur_record_kind)(op -
	    OP_RECORD0)), NULL));
}

static void
test_ledger_every_transition_allowed_or_refused(void **state)
{
	struct fixture	*f = *state;
	enum segur_state from, got;
	int64_t		 id, events;
	char		 ref[32];
	int		 op, rc, n = 0;

	add_software(f->l);
	for (from = 0; from < SEGUR_STATE_COUNT; from++) {
		for (op = 0; op < NOPS; op++) {
			snprintf(ref, sizeof(ref), "R-%d-%d", from, op);
			drive_to(f->l, ref, from);
			assert_int_equal(segur__request_find(f->l, ref, &id,
			    &got, NULL), 0);
			assert_int_equal(got, from);
			events = query_int(f->l, "SELECT count(*) FROM event");
			rc = try_op(f->l, ref, op);
			assert_int_equal(segur__request_find(f->l, ref, &id,
			    &got, NULL), 0);
			if (segur__state_allowed_by(from, op_target(op),
			    op_by(op))) {
				if (rc != 0)
					fail_msg("%s -> %s refused (%d)",
					    segur_state_name(from),
					    segur_state_name(op_target(op)),
					    rc);
				assert_int_equal(got, op_target(op));
				/* Logged. */
				assert_true(query_int(f->l, "SELECT count(*) "
				    "FROM event") > events);
				n++;
			} else {
				if (rc == 0)
					fail_msg("%s -> %s (op %d) allowed",
					    segur_state_name(from),
					    segur_state_name(op_target(op)),
					    op);
				assert_int_equal(got, from);
				/* Nothing written. */
				assert_int_equal(query_int(f->l, "SELECT "
				    "count(*) FROM event"), events);
			}
		}
	}
	/*
	 * Every edge of the table was taken, once, by its own function: the
	 * 19 of the requests' life and submitted -> ready (promote
	 * simulated); record(ADVANCE_PAID) stays refused on balance_requested,
	 * whose edge to advance_paid is a cancelled file's.
	 */
	assert_int_equal(n, 20);
}

/* The author of the events: the system's user, $SEGUR_ACTOR beside it. */
static void
test_ledger_actor_login_and_display_name(void **state)
{
	struct fixture	*f = *state;
	struct segur_ledger *l;
	struct passwd	*pw = getpwuid(getuid());
	char		 want[256];

	setenv("SEGUR_ACTOR", "Alice Martin", 1);
	assert_int_equal(segur_ledger_open(f->db, 0, &l, NULL), 0);
	snprintf(want, sizeof(want), "%s (uid %ld) « Alice Martin »",
	    pw != NULL ? pw->pw_name : "?", (long)getuid());
	assert_string_equal(segur_ledger_actor(l), want);
	segur_ledger_close(l);
	unsetenv("SEGUR_ACTOR");
	assert_int_equal(segur_ledger_open(f->db, 0, &l, NULL), 0);
	snprintf(want, sizeof(want), "%s (uid %ld)", pw != NULL ?
	    pw->pw_name : "?", (long)getuid());
	assert_string_equal(segur_ledger_actor(l), want);
	segur_ledger_close(l);
	setenv("SEGUR_ACTOR", "test", 1);
}

/* The rules on money and dates (docs/decisions.md), accepted and refused. */
static void
test_ledger_money_rules(void **state)
{
	struct fixture	*f = *state;
	struct segur_record r;
	struct segur_figures fg;
	char		*cause = NULL;

	add_software(f->l);
	drive_to(f->l, "M", SEGUR_STATE_ACCEPTED);
	memset(&r, 0, sizeof(r));
	r.date = "2099-01-01";
	r.amount_cents = -1;
	assert_int_equal(segur_ledger_record(f->l, SEGUR_RECORD_GRANT, "ASP-M",
	    &r, &cause), SEGUR_EINVAL);
	assert_non_null(strstr(cause, "futur"));
	free(cause);
	cause = NULL;
	r.date = "2026-11-02";
	r.amount_cents = 9999900;
	assert_int_equal(segur_ledger_record(f->l, SEGUR_RECORD_GRANT, "ASP-M",
	    &r, &cause), SEGUR_EINVAL);
	assert_non_null(strstr(cause, "montant demandé"));
	free(cause);
	cause = NULL;
	r.amount_cents = 0;
	assert_int_equal(segur_ledger_record(f->l, SEGUR_RECORD_GRANT, "ASP-M",
	    &r, NULL), SEGUR_EINVAL);
	/* No amount: the amount requested, written in the decision. */
	r.amount_cents = -1;
	assert_int_equal(segur_ledger_record(f->l, SEGUR_RECORD_GRANT, "ASP-M",
	    &r, NULL), 0);
	assert_int_equal(query_int(f->l, "SELECT amount_cents FROM decision "
	    "WHERE kind = 'grant'"), 486667);
	/* An advance before the grant, then a wrong one. */
	r.date = "2026-11-01";
	r.amount_cents = 146000;
	assert_int_equal(segur_ledger_record(f->l, SEGUR_RECORD_ADVANCE_PAID,
	    "ASP-M", &r, &cause), SEGUR_EINVAL);
	assert_non_null(strstr(cause, "le 02/11/2026 ou plus tard attendu"));
	free(cause);
	cause = NULL;
	r.date = "2026-11-20";
	r.amount_cents = 150000;
	assert_int_equal(segur_ledger_record(f->l, SEGUR_RECORD_ADVANCE_PAID,
	    "ASP-M", &r, &cause), SEGUR_EINVAL);
	assert_non_null(strstr(cause, "avance attendue : 1"));
	assert_non_null(strstr(cause, "30 % de 4"));
	free(cause);
	cause = NULL;
	/* --force without a reason, then past the grant: refused. */
	r.force = 1;
	assert_int_equal(segur_ledger_record(f->l, SEGUR_RECORD_ADVANCE_PAID,
	    "ASP-M", &r, NULL), SEGUR_EINVAL);
	r.reason = "arrondi de l'ASP";
	r.amount_cents = 500000;
	assert_int_equal(segur_ledger_record(f->l, SEGUR_RECORD_ADVANCE_PAID,
	    "ASP-M", &r, NULL), SEGUR_EINVAL);
	/* Forced, with its reason: kept in the note and the event. */
	r.amount_cents = 150000;
	assert_int_equal(segur_ledger_record(f->l, SEGUR_RECORD_ADVANCE_PAID,
	    "ASP-M", &r, NULL), 0);
	assert_int_equal(query_int(f->l, "SELECT count(*) FROM decision WHERE "
	    "note = 'forcé : arrondi de l''ASP'"), 1);
	assert_int_equal(query_int(f->l, "SELECT count(*) FROM event WHERE "
	    "action = 'decision.record' AND json_extract(after, "
	    "'$.forced.expected_cents') = 146000"), 1);
	/* The balance awaited: grant - advance paid. */
	assert_int_equal(segur_ledger_figures(f->l, NULL, &fg, NULL), 0);
	assert_int_equal(fg.cents[SEGUR_FIGURE_BALANCE_AWAITED],
	    486667 - 150000);
	assert_int_equal(fg.count[SEGUR_FIGURE_BALANCE_AWAITED], 1);
	assert_int_equal(fg.cents[SEGUR_FIGURE_GRANTED], 486667);
	assert_int_equal(fg.cents[SEGUR_FIGURE_ADVANCE_PAID], 150000);
	/* The same through each statement: one state (the triggers'
	 * totals), one OG, one software; nothing of another OG or state. */
	{
		struct segur_figures_filter flt = { NULL, NULL,
		    SEGUR_STATE_ADVANCE_PAID };
		struct segur_figures one;
		int	 i;

		for (i = 0; i < 4; i++) {
			flt.og = i == 1 ? "750000127" : i == 3 ? "690002019" :
			    NULL;
			flt.numero_ans = i == 2 ? ANS : NULL;
			assert_int_equal(segur_ledger_figures(f->l, &flt, &one,
			    NULL), 0);
			assert_int_equal(one.cents[SEGUR_FIGURE_BALANCE_AWAITED],
			    i == 3 ? 0 : 486667 - 150000);
			assert_int_equal(one.cents[SEGUR_FIGURE_ADVANCE_PAID],
			    i == 3 ? 0 : 150000);
			assert_int_equal(one.count[SEGUR_FIGURE_REQUESTED],
			    i == 3 ? 0 : 1);
		}
		flt.og = NULL;
		flt.state = SEGUR_STATE_CLOSED;
		assert_int_equal(segur_ledger_figures(f->l, &flt, &one, NULL),
		    0);
		assert_int_equal(one.cents[SEGUR_FIGURE_GRANTED], 0);
	}
}

static void
test_ledger_answer_and_record_refuse_bad_input(void **state)
{
	struct fixture	*f = *state;
	struct segur_record r = *rec_of(SEGUR_RECORD_GRANT);
	char		 ne[6], *cause = NULL;

	add_software(f->l);
	drive_to(f->l, "A", SEGUR_STATE_SUBMITTED);
	drive_to(f->l, "B", SEGUR_STATE_ACCEPTED);
	assert_int_equal(segur_ledger_attempt_answer(f->l, "QQQQQ", "X", "0",
	    "ok", 0, NULL), SEGUR_ENOENT);
	assert_int_equal(segur__request_find(f->l, "A", &(int64_t){0},
	    &(enum segur_state){0}, NULL), 0);
	/* numeroASP already given to B. */
	snprintf(ne, sizeof(ne), "%s", "00001");
	assert_int_equal(segur_ledger_attempt_answer(f->l, ne, "ASP-B", "0",
	    "ok", 0, &cause), SEGUR_EEXIST);
	free(cause);
	cause = NULL;
	/* B's attempt is answered already. */
	assert_int_equal(segur_ledger_attempt_answer(f->l, "00002", NULL, "1",
	    "ko", 0, NULL), SEGUR_ESTATE);
	assert_int_equal(segur_ledger_record(f->l, SEGUR_RECORD_GRANT, "nope",
	    &r, NULL), SEGUR_ENOENT);
	r.date = "31/02/2026";
	assert_int_equal(segur_ledger_record(f->l, SEGUR_RECORD_GRANT, "ASP-B",
	    &r, &cause), SEGUR_EINVAL);
	assert_non_null(strstr(cause, "date"));
	free(cause);
	r.date = "15/11/2026";
	assert_int_equal(segur_ledger_record(f->l, SEGUR_RECORD_GRANT, "ASP-B",
	    &r, NULL), 0);
	r.amount_cents = -1;
	assert_int_equal(segur_ledger_record(f->l, SEGUR_RECORD_ADVANCE_PAID,
	    "ASP-B", &r, NULL), SEGUR_EINVAL);
	assert_int_equal(query_int(f->l, "SELECT count(*) FROM decision "
	    "WHERE date = '2026-11-15' AND kind = 'grant'"), 1);
}

static void
test_ledger_request_add_indexes_and_refuses(void **state)
{
	struct fixture	*f = *state;
	struct segur_request_new r;
	char		*cause = NULL, doc[400];
	cJSON		*o;
	FILE		*fp;

	/* No software yet. */
	assert_int_equal(add_request(f->l, "BC-1", "330001017", &cause),
	    SEGUR_ENOENT);
	free(cause);
	cause = NULL;
	add_software(f->l);
	assert_int_equal(add_request(f->l, "BC-1", "330001017", NULL), 0);
	assert_int_equal(add_request(f->l, "BC-1", "330001017", &cause),
	    SEGUR_EEXIST);
	free(cause);
	cause = NULL;
	assert_int_equal(add_request(f->l, "", "330001017", NULL),
	    SEGUR_EINVAL);
	memset(&r, 0, sizeof(r));
	r.ref = "BC-2";
	r.content = "[1]";
	r.content_len = 3;
	assert_int_equal(segur_ledger_request_add(f->l, &r, NULL, NULL),
	    SEGUR_EINVAL);
	r.content = "{\"commande\":{\"montantSegurHT\":4866.675}}";
	r.content_len = strlen(r.content);
	assert_int_equal(segur_ledger_request_add(f->l, &r, NULL, &cause),
	    SEGUR_EINVAL);
	assert_non_null(strstr(cause, "centimes"));
	free(cause);
	cause = NULL;
	/* A missing document is refused, and nothing is left behind. */
	r.content = "{}";
	r.content_len = 2;
	r.bdc_path = "/nonexistent/bdc.pdf";
	assert_int_equal(segur_ledger_request_add(f->l, &r, NULL, NULL),
	    SEGUR_ENOENT);
	assert_int_equal(query_int(f->l, "SELECT count(*) FROM request"), 1);
	snprintf(doc, sizeof(doc), "%s/bdc.pdf", f->dir);
	assert_non_null(fp = fopen(doc, "w"));
	fputs("%PDF-1.4\n", fp);
	fclose(fp);
	r.bdc_path = doc;
	assert_int_equal(segur_ledger_request_add(f->l, &r, NULL, NULL), 0);

	/* A second software: numeroAns must now be given. */
	assert_int_equal(segur_ledger_software_add(f->l, "2023000043", SIRET,
	    NULL, 0, NULL), 0);
	assert_int_equal(segur_ledger_software_add(f->l, "2023000043", SIRET,
	    NULL, 0, NULL), SEGUR_EEXIST);
	assert_int_equal(add_request(f->l, "BC-3", "330001041", NULL),
	    SEGUR_EINVAL);

	assert_int_equal(segur_ledger_request_show(f->l, "BC-1", &o, NULL), 0);
	assert_string_equal(cJSON_GetObjectItem(o, "montantSegurHT")->
	    valuestring, "4866.67");
	assert_string_equal(cJSON_GetObjectItem(o, "state")->valuestring,
	    "draft");
	assert_string_equal(cJSON_GetObjectItem(o, "dateCommande")->
	    valuestring, "2023-10-02");
	/* The numbering is the ledger's: dropped from the content. */
	assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "content"),
	    "numeroEditeur"));
	assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "content"),
	    "numLigne"));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "esms")),
	    2);
	cJSON_Delete(o);
	assert_int_equal(segur_ledger_request_show(f->l, "BC-2", &o, NULL), 0);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o,
	    "documents")), 1);
	cJSON_Delete(o);
	assert_int_equal(query_int(f->l, "SELECT count(*) FROM og WHERE "
	    "nom_responsable = 'MARTIN'"), 1);
	assert_int_equal(query_int(f->l, "SELECT count(*) FROM esms"), 2);
	assert_int_equal(query_int(f->l, "SELECT count(*) FROM event WHERE "
	    "action = 'og.add'"), 1);
}

static int
count_row(void *arg, const struct segur_request_row *row)
{
	int	*n = arg;

	(void)row;
	(*n)++;
	return (0);
}

static void
test_ledger_list_show_history_status(void **state)
{
	struct fixture	*f = *state;
	struct segur_request_filter flt = { .state = -1 };
	struct segur_status st;
	struct segur_event *ev;
	size_t		 nev;
	cJSON		*o;
	int		 n;

	add_software(f->l);
	drive_to(f->l, "D1", SEGUR_STATE_DRAFT);
	drive_to(f->l, "R1", SEGUR_STATE_REJECTED);
	drive_to(f->l, "R2", SEGUR_STATE_REJECTED);
	drive_to(f->l, "A1", SEGUR_STATE_ACCEPTED);
	drive_to(f->l, "P1", SEGUR_STATE_ADVANCE_PAID);
	n = 0;
	assert_int_equal(segur_ledger_request_list(f->l, &flt, count_row, &n,
	    NULL), 0);
	assert_int_equal(n, 5);
	flt.state = SEGUR_STATE_REJECTED;
	n = 0;
	assert_int_equal(segur_ledger_request_list(f->l, &flt, count_row, &n,
	    NULL), 0);
	assert_int_equal(n, 2);
	flt.limit = 1;
	n = 0;
	assert_int_equal(segur_ledger_request_list(f->l, &flt, count_row, &n,
	    NULL), 0);
	assert_int_equal(n, 1);
	flt.state = -1;
	flt.limit = 0;
	flt.og = "750000127";
	n = 0;
	assert_int_equal(segur_ledger_request_list(f->l, &flt, count_row, &n,
	    NULL), 0);
	assert_int_equal(n, 5);
	flt.og = NULL;
	flt.esms = "330001025";
	n = 0;
	assert_int_equal(segur_ledger_request_list(f->l, &flt, count_row, &n,
	    NULL), 0);
	assert_int_equal(n, 5);
	flt.esms = "999999999";
	n = 0;
	assert_int_equal(segur_ledger_request_list(f->l, &flt, count_row, &n,
	    NULL), 0);
	assert_int_equal(n, 0);
	flt.esms = NULL;
	flt.since = "2999-01-01";
	n = 0;
	assert_int_equal(segur_ledger_request_list(f->l, &flt, count_row, &n,
	    NULL), 0);
	assert_int_equal(n, 0);

	/* show by numeroEditeur and by numeroASP. */
	assert_int_equal(segur_ledger_request_show(f->l, "ASP-A1", &o, NULL),
	    0);
	assert_string_equal(cJSON_GetObjectItem(o, "ref")->valuestring, "A1");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o,
	    "attempts")), 1);
	cJSON_Delete(o);
	assert_int_equal(segur_ledger_request_show(f->l, "00002", &o, NULL), 0);
	assert_string_equal(cJSON_GetObjectItem(o, "ref")->valuestring, "R2");
	cJSON_Delete(o);
	assert_int_equal(segur_ledger_request_show(f->l, "nope", &o, NULL),
	    SEGUR_ENOENT);
	assert_int_equal(segur_ledger_request_show(f->l, "P1", &o, NULL), 0);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o,
	    "decisions")), 2);
	cJSON_Delete(o);

	assert_int_equal(segur_ledger_request_history(f->l, "P1", &ev, &nev,
	    NULL), 0);
	/* add, ready, submitted, accepted, 2 x (decision, state). */
	assert_int_equal(nev, 8);
	assert_string_equal(ev[0].action, "request.add");
	assert_string_equal(ev[nev - 1].action, "request.state");
	assert_non_null(strstr(ev[nev - 1].after, "advance_paid"));
	segur_event_free_array(ev, nev);
	assert_int_equal(segur_ledger_request_history(f->l, "nope", &ev, &nev,
	    NULL), SEGUR_ENOENT);

	assert_int_equal(segur_ledger_status(f->l, 10, &st, NULL), 0);
	assert_int_equal(st.count[SEGUR_STATE_REJECTED], 2);
	assert_int_equal(st.count[SEGUR_STATE_DRAFT], 1);
	assert_int_equal(st.cents[SEGUR_STATE_REJECTED], 2 * 486667);
	assert_int_equal(st.nrejected, 2);
	assert_string_equal(st.rejected[0].ref, "R1");
	assert_int_equal(st.naccepted, 1);
	assert_int_equal(st.nadvance_paid, 1);
	segur_status_release(&st);
}

/* Collects up to 8 rows of a list. */
struct rows {
	struct segur_request_row v[8];
	int			 n;
};

static int
keep_row(void *arg, const struct segur_request_row *row)
{
	struct rows	*r = arg;

	if (r->n == 8)
		return (-1);
	r->v[r->n++] = *row;
	return (0);
}

/* Every column of a list row, with two software and lists with and without
 * a state: numeroAns is the row's own software, the state its own. */
static void
test_ledger_list_rows_carry_their_software_and_state(void **state)
{
	struct fixture	*f = *state;
	struct segur_request_filter flt = { .state = -1 };
	struct segur_request_new r;
	struct rows	 rows;
	char		 content[4096];
	int		 i;

	add_software(f->l);
	drive_to(f->l, "D1", SEGUR_STATE_DRAFT);
	drive_to(f->l, "R1", SEGUR_STATE_REJECTED);
	drive_to(f->l, "A1", SEGUR_STATE_ACCEPTED);
	assert_int_equal(segur_ledger_software_add(f->l, "2023000099",
	    SIRET, "Autre", SEGUR_PROFIL_PA, NULL), 0);
	snprintf(content, sizeof(content), LINE, "330009999", "330009999");
	memset(&r, 0, sizeof(r));
	r.ref = "S2";
	r.numero_ans = "2023000099";
	r.content = content;
	r.content_len = strlen(content);
	assert_int_equal(segur_ledger_request_add(f->l, &r, NULL, NULL), 0);

	memset(&rows, 0, sizeof(rows));
	assert_int_equal(segur_ledger_request_list(f->l, &flt, keep_row,
	    &rows, NULL), 0);
	assert_int_equal(rows.n, 4);
	for (i = 0; i < rows.n; i++) {
		const struct segur_request_row *w = &rows.v[i];

		if (strcmp(w->ref, "S2") == 0) {
			assert_string_equal(w->numero_ans, "2023000099");
			assert_int_equal(w->state, SEGUR_STATE_DRAFT);
			assert_string_equal(w->numero_editeur, "");
		} else
			assert_string_equal(w->numero_ans, ANS);
		if (strcmp(w->ref, "D1") == 0)
			assert_int_equal(w->state, SEGUR_STATE_DRAFT);
		if (strcmp(w->ref, "R1") == 0) {
			assert_int_equal(w->state, SEGUR_STATE_REJECTED);
			assert_string_equal(w->numero_asp, "");
			assert_int_equal(strlen(w->numero_editeur), 5);
		}
		if (strcmp(w->ref, "A1") == 0) {
			assert_int_equal(w->state, SEGUR_STATE_ACCEPTED);
			assert_string_equal(w->numero_asp, "ASP-A1");
		}
		assert_int_equal(strlen(w->updated_at), 20);
		assert_int_equal(strlen(w->created_at), 20);
		assert_true(w->id > 0);
	}
	/* Oldest change first, ties by id: D1 (added first) before S2. */
	flt.state = SEGUR_STATE_DRAFT;
	memset(&rows, 0, sizeof(rows));
	assert_int_equal(segur_ledger_request_list(f->l, &flt, keep_row,
	    &rows, NULL), 0);
	assert_int_equal(rows.n, 2);
	assert_string_equal(rows.v[0].ref, "D1");
	assert_string_equal(rows.v[0].numero_ans, ANS);
	assert_int_equal(rows.v[0].state, SEGUR_STATE_DRAFT);
	assert_string_equal(rows.v[1].ref, "S2");
	assert_string_equal(rows.v[1].numero_ans, "2023000099");
	assert_int_equal(rows.v[1].state, SEGUR_STATE_DRAFT);
	/* A callback's non-zero stops the walk and is returned. */
	flt.state = -1;
	memset(&rows, 0, sizeof(rows));
	rows.n = 7;
	assert_int_equal(segur_ledger_request_list(f->l, &flt, keep_row,
	    &rows, NULL), -1);
}

/* Asserts that list row w shows the request's columns as SQLite has them. */
static void
assert_row_is_request(sqlite3 *db, const struct segur_request_row *w)
{
	sqlite3_stmt	*st;
	const char	*v;
	int		 i;
	char		*got[] = { (char *)w->ref, (char *)w->numero_editeur,
			    (char *)w->numero_asp, (char *)w->created_at,
			    (char *)w->updated_at };

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT ref, numero_editeur, "
	    "numero_asp, created_at, updated_at, montant_cents, state FROM "
	    "request WHERE id = ?", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, w->id);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	for (i = 0; i < 5; i++) {
		v = (const char *)sqlite3_column_text(st, i);
		assert_string_equal(got[i], v != NULL ? v : "");
	}
	assert_int_equal(w->montant_cents, sqlite3_column_type(st, 5) ==
	    SQLITE_NULL ? -1 : sqlite3_column_int64(st, 5));
	assert_string_equal(segur_state_name(w->state),
	    (const char *)sqlite3_column_text(st, 6));
	sqlite3_finalize(st);
}

/*
 * Every row of a list, by state or not, is the request as its table holds
 * it, through changes of state, with references of 64 bytes of UTF-8,
 * quotes and '|', one ending with a quote, and a numeroASP holding both.
 */
static void
test_ledger_list_rows_follow_every_change(void **state)
{
	static const char longref[] = "Commande n° 2026/11 | l'EHPAD "
	    "''Les Tilleuls'' — bâtiment C'";
	struct fixture	*f = *state;
	struct segur_request_filter flt = { .state = -1 };
	struct rows	 all, one;
	int		 i, s, seen = 0;

	assert_int_equal(strlen(longref), 64);
	add_software(f->l);
	drive_to(f->l, "D1'", SEGUR_STATE_DRAFT);
	drive_to(f->l, longref, SEGUR_STATE_ADVANCE_PAID);
	drive_to(f->l, "R1", SEGUR_STATE_REJECTED);
	drive_to(f->l, "W1", SEGUR_STATE_WITHDRAWN);
	drive_to(f->l, "A1", SEGUR_STATE_ACCEPTED);
	assert_int_equal(sqlite3_exec(f->l->db, "UPDATE request SET "
	    "numero_asp = 'X''|''Y' WHERE ref = 'A1'", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(segur_ledger_record(f->l, SEGUR_RECORD_GRANT,
	    "X'|'Y", rec_of(SEGUR_RECORD_GRANT), NULL), 0);

	memset(&all, 0, sizeof(all));
	assert_int_equal(segur_ledger_request_list(f->l, &flt, keep_row, &all,
	    NULL), 0);
	assert_int_equal(all.n, 5);
	for (i = 0; i < all.n; i++)
		assert_row_is_request(f->l->db, &all.v[i]);
	for (s = 0; s < SEGUR_STATE_COUNT; s++) {
		flt.state = s;
		memset(&one, 0, sizeof(one));
		assert_int_equal(segur_ledger_request_list(f->l, &flt,
		    keep_row, &one, NULL), 0);
		for (i = 0; i < one.n; i++) {
			assert_int_equal(one.v[i].state, s);
			assert_row_is_request(f->l->db, &one.v[i]);
		}
		seen += one.n;
	}
	assert_int_equal(seen, 5);
	for (i = 0; i < all.n; i++) {
		if (strcmp(all.v[i].ref, "A1") == 0) {
			assert_int_equal(all.v[i].state, SEGUR_STATE_GRANTED);
			assert_string_equal(all.v[i].numero_asp, "X'|'Y");
		}
		if (strcmp(all.v[i].ref, longref) == 0)
			assert_int_equal(all.v[i].montant_cents, 486667);
		seen += strcmp(all.v[i].ref, "D1'") == 0;
	}
	assert_int_equal(seen, 6);
}

static void
test_ledger_ref_import_all_or_nothing(void **state)
{
	struct fixture	*f = *state;
	struct segur_csv_errors e;
	size_t		 rows;
	const char	*good = "\xef\xbb\xbf" "FINESS géo;finess_juridique;"
	    "Tranche\r\n330001017;750000127;B\r\n330001025;750000127;B\r\n";
	const char	*bad = "finess_geo,finess_juridique,tranche\n"
	    "330001017,750000127,B\n"
	    "33000101,750000127,B\n"
	    "330001017,7500001X7,\n";
	const char	*tr = "tranche;montant_ttc\nA;1 500,00\nB;2920,00\n";
	const char	*tr2 = "tranche;montant_ttc\nB;2920,00\n";

	/* "FINESS géo" folds to finess_geo: accents and case do not count. */
	assert_int_equal(segur_ledger_ref_import(f->l, SEGUR_REF_ELIGIBLE,
	    "el.csv", good, strlen(good), &rows, &e, NULL), 0);
	assert_int_equal(e.n, 0);
	assert_int_equal(rows, 2);
	segur_csv_errors_release(&e);

	good = "\xef\xbb\xbf" "FINESS Geo;finess_juridique;Tranche\r\n"
	    "330001017;750000127;B\r\n\"330001025\";750000127;B\r\n";
	assert_int_equal(segur_ledger_ref_import(f->l, SEGUR_REF_ELIGIBLE,
	    "el.csv", good, strlen(good), &rows, &e, NULL), 0);
	assert_int_equal(rows, 2);
	assert_int_equal(e.n, 0);
	segur_csv_errors_release(&e);

	assert_int_equal(segur_ledger_ref_import(f->l, SEGUR_REF_ELIGIBLE,
	    "bad.csv", bad, strlen(bad), &rows, &e, NULL), SEGUR_EINVAL);
	/* Row 3's 8-digit FINESS gets its zero back (a warning). */
	assert_int_equal(e.n, 3);
	assert_int_equal(e.v[0].row, 4);
	assert_string_equal(e.v[0].column, "finess_juridique");
	assert_int_equal(e.v[1].row, 4);
	assert_string_equal(e.v[1].column, "tranche");
	assert_int_equal(e.v[2].row, 4);
	assert_non_null(strstr(e.v[2].message, "ligne 2"));
	segur_csv_errors_release(&e);
	/* Nothing changed. */
	assert_int_equal(query_int(f->l, "SELECT count(*) FROM eligible"), 2);

	/* "1 500,00": a French spreadsheet's thousands separator. */
	assert_int_equal(segur_ledger_ref_import(f->l, SEGUR_REF_TRANCHES,
	    "tr.csv", tr, strlen(tr), &rows, &e, NULL), 0);
	assert_int_equal(e.n, 0);
	assert_int_equal(rows, 2);
	segur_csv_errors_release(&e);
	assert_int_equal(query_int(f->l, "SELECT amount_ttc_cents FROM "
	    "tranche WHERE code = 'A'"), 150000);
	assert_int_equal(segur_ledger_ref_import(f->l, SEGUR_REF_TRANCHES,
	    "tr.csv", tr2, strlen(tr2), &rows, &e, NULL), 0);
	segur_csv_errors_release(&e);
	assert_int_equal(query_int(f->l, "SELECT amount_ttc_cents FROM "
	    "tranche WHERE code = 'B'"), 292000);
	assert_int_equal(query_int(f->l, "SELECT count(*) FROM event WHERE "
	    "action = 'ref.import'"), 4);

	/* Bad quoting, and bytes neither UTF-8 nor Windows-1252 (0x81). */
	bad = "tranche;montant_ttc\n\"B;2920\n";
	assert_int_equal(segur_ledger_ref_import(f->l, SEGUR_REF_TRANCHES,
	    "q.csv", bad, strlen(bad), &rows, &e, NULL), SEGUR_EINVAL);
	assert_true(e.n >= 1);
	segur_csv_errors_release(&e);
	bad = "tranche;montant_ttc\n\x81;2920\n";
	assert_int_equal(segur_ledger_ref_import(f->l, SEGUR_REF_TRANCHES,
	    "l1.csv", bad, strlen(bad), &rows, &e, NULL), SEGUR_EINVAL);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.v[0].row, 2);
	assert_non_null(strstr(e.v[0].message, "UTF-8"));
	segur_csv_errors_release(&e);
}

#define IMPORT_HEADER \
	"reference;numero_ans;date_commande;regime_tva;montant_ht;" \
	"is_mandataire;finess_juridique;nom_responsable_og;" \
	"email_responsable_og;telephone_responsable_og;" \
	"demande_certificat_serveur;statut_admin_technique;" \
	"contractualisation_og;numero_carte_cpx;finess_geo;" \
	"ancienne_version;is_maitre_id;is_stockage_id;" \
	"operateur_messagerie;profil_metier;is_ref_soins\r\n"

static void
test_ledger_request_import_good_file(void **state)
{
	struct fixture	*f = *state;
	struct segur_csv_errors e;
	size_t		 n;
	cJSON		*o, *c, *ogs;
	const char	*csv = "\xef\xbb\xbf" IMPORT_HEADER
	    "BC-1;" ANS ";02/10/2023;TTC;4866,67;non;750000127;MARTIN;"
	    "d@og.fr;+33123456780;oui;S;oui;8001234567;330001017;DUI 4.2;"
	    "oui;non;MAI_15;PA;oui\r\n"
	    "BC-1;" ANS ";02/10/2023;TTC;4866,67;non;750000127;MARTIN;"
	    "d@og.fr;+33123456780;oui;S;oui;8001234567;330001025;DUI 4.2;"
	    "oui;non;;PA,PH;non\r\n"
	    "BC-2;;15/09/2023;HT;5840;non;690002019;BERNARD;b@a.org;"
	    "+33478000001;non;;;;690002027;v2019;false;true;\"CH _20\";"
	    "SAAD;0\r\n"
	    "BC-2;;15/09/2023;HT;5840;non;130003015;ETIENNE;c@e.fr;"
	    "+33491000003;non;;;;590004016;v2019;0;0;ENO_5;DOM;1\r\n";
	const char	*comma = "reference,date_commande,regime_tva,"
	    "montant_ht,finess_juridique,finess_geo\n"
	    "BC-3,01/01/2024,TTC,100,750000127,330001041\n";

	add_software(f->l);
	assert_int_equal(segur_ledger_request_import(f->l, "in.csv", csv,
	    strlen(csv), NULL, &n, &e, NULL), 0);
	assert_int_equal(e.n, 0);
	segur_csv_errors_release(&e);
	assert_int_equal(n, 2);
	assert_int_equal(segur_ledger_request_show(f->l, "BC-1", &o, NULL), 0);
	c = cJSON_GetObjectItem(o, "content");
	assert_string_equal(cJSON_GetObjectItem(o, "montantSegurHT")->
	    valuestring, "4866.67");
	ogs = cJSON_GetObjectItem(cJSON_GetObjectItem(c, "beneficiaires"),
	    "etablissementsClients");
	assert_int_equal(cJSON_GetArraySize(ogs), 1);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(
	    cJSON_GetArrayItem(ogs, 0), "FINESSGeos")), 2);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(
	    cJSON_GetArrayItem(ogs, 0), "certificatServeur"),
	    "numeroCarteCPX")->valuestring, "8001234567");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(
	    cJSON_GetArrayItem(cJSON_GetObjectItem(c, "scenarioInstallation"),
	    1), "profilMetier")), 2);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(
	    cJSON_GetObjectItem(c, "scenarioInstallation"), 1),
	    "operateurMessagerie")));
	cJSON_Delete(o);
	assert_int_equal(segur_ledger_request_show(f->l, "BC-2", &o, NULL), 0);
	ogs = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(o,
	    "content"), "beneficiaires"), "etablissementsClients");
	assert_int_equal(cJSON_GetArraySize(ogs), 2);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(ogs,
	    0), "certificatServeur")));
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(o, "content"),
	    "scenarioInstallation"), 0), "operateurMessagerie")->valuestring,
	    "CH _20");
	cJSON_Delete(o);
	/* ',' works too. */
	assert_int_equal(segur_ledger_request_import(f->l, "c.csv", comma,
	    strlen(comma), NULL, &n, &e, NULL), 0);
	segur_csv_errors_release(&e);
	assert_int_equal(n, 1);
}

static void
test_ledger_request_import_reports_every_bad_row(void **state)
{
	struct fixture	*f = *state;
	struct segur_csv_errors e;
	size_t		 n;
	int64_t		 events;
	const char	*csv = IMPORT_HEADER
	    /* 2: fine. */
	    "BC-1;;02/10/2023;TTC;4866.67;non;750000127;M;d@og.fr;+331;non;;;;"
	    "330001017;v;oui;non;;PA;oui\r\n"
	    /* 3: another amount for the same order. */
	    "BC-1;;02/10/2023;TTC;4800;non;750000127;M;d@og.fr;+331;non;;;;"
	    "330001025;v;oui;non;;PA;oui\r\n"
	    /* 4: a boolean that is not one. */
	    "BC-1;;02/10/2023;TTC;4866.67;non;750000127;M;d@og.fr;+331;non;;;;"
	    "330001041;v;peut-être;non;;PA;oui\r\n"
	    /* 5: finer than a cent, bad regime, bad FINESS géo. */
	    "BC-2;;02/10/2023;TVA;1.005;non;750000127;M;d@og.fr;+331;non;;;;"
	    "3300;v;oui;non;;PA;oui\r\n"
	    /* 6: the OG's contact differs from row 5's, the same ESMS. */
	    "BC-2;;02/10/2023;TVA;1.005;non;750000127;X;d@og.fr;+331;non;;;;"
	    "3300;v;oui;non;;PA;oui\r\n";
	const char	*dup = IMPORT_HEADER
	    "BC-9;;02/10/2023;TTC;10;non;750000127;M;d@og.fr;+331;non;;;;"
	    "330001041;v;oui;non;;PA;oui\r\n"
	    "BC-OLD;;02/10/2023;TTC;10;non;750000127;M;d@og.fr;+331;non;;;;"
	    "330001058;v;oui;non;;PA;oui\r\n";

	add_software(f->l);
	events = query_int(f->l, "SELECT count(*) FROM event");
	assert_int_equal(segur_ledger_request_import(f->l, "bad.csv", csv,
	    strlen(csv), NULL, &n, &e, NULL), SEGUR_EINVAL);
	assert_int_equal(n, 0);
	assert_int_equal(e.n, 8);
	assert_int_equal(e.v[0].row, 3);
	assert_string_equal(e.v[0].column, "montant_ht");
	assert_non_null(strstr(e.v[0].message, "ligne 2"));
	assert_int_equal(e.v[1].row, 4);
	assert_string_equal(e.v[1].column, "is_maitre_id");
	assert_int_equal(e.v[2].row, 5);
	assert_string_equal(e.v[2].column, "regime_tva");
	assert_int_equal(e.v[3].row, 5);
	assert_string_equal(e.v[3].column, "montant_ht");
	assert_int_equal(e.v[4].row, 5);
	assert_string_equal(e.v[4].column, "finess_geo");
	assert_int_equal(e.v[5].row, 6);
	assert_string_equal(e.v[5].column, "nom_responsable_og");
	assert_int_equal(e.v[6].row, 6);
	assert_string_equal(e.v[6].column, "finess_geo");
	assert_int_equal(e.v[7].row, 6);
	assert_string_equal(e.v[7].column, "finess_geo");
	assert_non_null(strstr(e.v[7].message, "déjà"));
	segur_csv_errors_release(&e);
	assert_int_equal(query_int(f->l, "SELECT count(*) FROM event"),
	    events);

	/* A reference already in the ledger: the whole file is refused. */
	assert_int_equal(add_request(f->l, "BC-OLD", "330001066", NULL), 0);
	events = query_int(f->l, "SELECT count(*) FROM event");
	assert_int_equal(segur_ledger_request_import(f->l, "dup.csv", dup,
	    strlen(dup), NULL, &n, &e, NULL), SEGUR_EINVAL);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.v[0].row, 3);
	assert_string_equal(e.v[0].column, "reference");
	segur_csv_errors_release(&e);
	assert_int_equal(query_int(f->l, "SELECT count(*) FROM request"), 1);
	assert_int_equal(query_int(f->l, "SELECT count(*) FROM event"),
	    events);
}

/* Allocation failure injection: SQLite's and cJSON's allocators fail once
 * a countdown reaches zero. */
static sqlite3_mem_methods orig_mem;
static long countdown = -1;

static int
fail_now(void)
{
	if (countdown < 0)
		return (0);
	return (countdown-- == 0);
}

static void *
fail_malloc(int n)
{
	return (fail_now() ? NULL : orig_mem.xMalloc(n));
}

static void *
fail_realloc(void *p, int n)
{
	return (fail_now() ? NULL : orig_mem.xRealloc(p, n));
}

static void *
cjson_malloc(size_t n)
{
	return (fail_now() ? NULL : malloc(n));
}

static void
test_ledger_survives_allocation_failures(void **state)
{
	struct fixture	*f = *state;
	sqlite3_mem_methods m;
	cJSON_Hooks	 hooks = { cjson_malloc, free };
	struct segur_audit a;
	long		 n;
	int		 rc, failures = 0, successes = 0;
	char		 ref[32];

	add_software(f->l);
	segur_ledger_close(f->l);
	f->l = NULL;
	assert_int_equal(sqlite3_shutdown(), SQLITE_OK);
	assert_int_equal(sqlite3_config(SQLITE_CONFIG_GETMALLOC, &orig_mem),
	    SQLITE_OK);
	m = orig_mem;
	m.xMalloc = fail_malloc;
	m.xRealloc = fail_realloc;
	assert_int_equal(sqlite3_config(SQLITE_CONFIG_MALLOC, &m), SQLITE_OK);
	cJSON_InitHooks(&hooks);
	/* Every allocation of the first hundred, then sparser, until the
	 * operations succeed three times in a row. */
	for (n = 0; successes < 3 && n < 1000000; n += 1 + n / 100) {
		assert_int_equal(segur_ledger_open(f->db, 0, &f->l, NULL), 0);
		snprintf(ref, sizeof(ref), "OOM-%ld", n);
		countdown = n;
		rc = add_request(f->l, ref, "330001017", NULL);
		if (rc == 0)
			rc = segur_ledger_request_withdraw(f->l, ref, "x", NULL);
		countdown = -1;
		if (rc != 0) {
			failures++;
			successes = 0;
		} else
			successes++;
		/* Whatever failed, the ledger is whole and consistent: a
		 * request exists exactly when its creation was logged, and
		 * is withdrawn exactly when that was logged. */
		if (segur_ledger_audit_verify(f->l, &a, NULL) != 0)
			fail_msg("n=%ld rc=%d bad=%lld %s", n, rc,
			    (long long)a.bad_id, a.reason);
		segur_audit_release(&a);
		assert_int_equal(query_int(f->l, "SELECT count(*) FROM request"),
		    query_int(f->l, "SELECT count(*) FROM event "
		    "WHERE action = 'request.add'"));
		assert_int_equal(query_int(f->l, "SELECT count(*) FROM request "
		    "WHERE state = 'withdrawn'"), query_int(f->l, "SELECT "
		    "count(*) FROM event WHERE action = 'request.state'"));
		segur_ledger_close(f->l);
		f->l = NULL;
	}
	cJSON_InitHooks(NULL);
	assert_int_equal(sqlite3_shutdown(), SQLITE_OK);
	assert_int_equal(sqlite3_config(SQLITE_CONFIG_MALLOC, &orig_mem),
	    SQLITE_OK);
	assert_int_equal(segur_ledger_open(f->db, 0, &f->l, NULL), 0);
	/* The countdown did reach the operations, and went past them. */
	assert_true(failures > 50);
	assert_true(successes >= 3);
}

/* Loads eligibility for the LINE's ESMS (geo and 330001025) and tranche B. */
static void
load_reference(struct segur_ledger *l, const char *geo)
{
	struct segur_csv_errors e;
	char	 el[256];
	size_t	 rows;
	const char *tr = "tranche;montant_ttc\nB;2920\n";

	snprintf(el, sizeof(el), "finess_geo;finess_juridique;tranche\n"
	    "%s;750000127;B\n330001025;750000127;B\n", geo);
	assert_int_equal(segur_ledger_ref_import(l, SEGUR_REF_ELIGIBLE, "e",
	    el, strlen(el), &rows, &e, NULL), 0);
	segur_csv_errors_release(&e);
	assert_int_equal(segur_ledger_ref_import(l, SEGUR_REF_TRANCHES, "t",
	    tr, strlen(tr), &rows, &e, NULL), 0);
	segur_csv_errors_release(&e);
}

/* Does the report have a finding of rule id? */
static int
has_rule(const struct segur_report *r, const char *id)
{
	size_t	 i;

	for (i = 0; i < r->nfindings; i++)
		if (strcmp(r->findings[i].rule->id, id) == 0)
			return (1);
	return (0);
}

static void
test_ledger_promote_with_reference_data(void **state)
{
	struct fixture	*f = *state;
	struct segur_report rep;
	enum segur_state s;
	int64_t		 id;
	char		*cause = NULL, ne[6];
	int		 promoted;

	assert_int_equal(segur_ledger_software_add(f->l, ANS, SIRET, NULL,
	    SEGUR_PROFIL_REFERENTIEL_ID | SEGUR_PROFIL_PA | SEGUR_PROFIL_PH |
	    SEGUR_PROFIL_SOINS | SEGUR_PROFIL_SANS_SOINS, NULL), 0);
	assert_int_equal(add_request(f->l, "BC-1", "330001017", NULL), 0);
	/* Without reference data nothing is promoted. */
	assert_int_equal(segur_ledger_request_promote(f->l, "BC-1", &rep,
	    &promoted, &cause), SEGUR_ESTATE);
	assert_non_null(strstr(cause, "ref import"));
	free(cause);
	cause = NULL;
	segur_report_release(&rep);
	load_reference(f->l, "330001017");
	assert_int_equal(segur_ledger_request_promote(f->l, "BC-1", &rep,
	    &promoted, NULL), 0);
	if (!promoted)
		fail_msg("BC-1 not promoted: %s: %s", rep.findings[0].rule->id,
		    rep.findings[0].message);
	segur_report_release(&rep);
	assert_int_equal(segur__request_find(f->l, "BC-1", &id, &s, NULL), 0);
	assert_int_equal(s, SEGUR_STATE_READY);
	/* A ready request is not validated again. */
	assert_int_equal(segur_ledger_request_promote(f->l, "BC-1", &rep,
	    &promoted, NULL), SEGUR_ESTATE);
	segur_report_release(&rep);

	/* The same ESMS in another live request: double funding blocks. */
	assert_int_equal(add_request(f->l, "BC-2", "330001017", NULL), 0);
	assert_int_equal(segur_ledger_request_promote(f->l, "BC-2", &rep,
	    &promoted, NULL), 0);
	assert_false(promoted);
	assert_true(has_rule(&rep, "OG-FINESS-GEO-FINANCE"));
	segur_report_release(&rep);
	assert_int_equal(segur__request_find(f->l, "BC-2", &id, &s, NULL), 0);
	assert_int_equal(s, SEGUR_STATE_DRAFT);
	/* Once BC-1 is withdrawn, BC-2 may go. */
	assert_int_equal(segur_ledger_request_withdraw(f->l, "BC-1", "doublon",
	    NULL), 0);
	assert_int_equal(segur_ledger_request_promote(f->l, "BC-2", &rep,
	    &promoted, NULL), 0);
	assert_true(promoted);
	segur_report_release(&rep);

	/* An ESMS off the eligible list blocks too. */
	assert_int_equal(add_request(f->l, "BC-3", "330001041", NULL), 0);
	assert_int_equal(segur_ledger_request_withdraw(f->l, "BC-2", "x",
	    NULL), 0);
	assert_int_equal(segur_ledger_request_promote(f->l, "BC-3", &rep,
	    &promoted, NULL), 0);
	assert_false(promoted);
	assert_true(has_rule(&rep, "OG-FINESS-GEO-ELIGIBLE"));
	segur_report_release(&rep);

	/* A rejected request is made ready again the same way, and its
	 * next attempt has a new number. */
	load_reference(f->l, "330001041");
	assert_int_equal(segur_ledger_request_promote(f->l, "BC-3", &rep,
	    &promoted, NULL), 0);
	assert_true(promoted);
	segur_report_release(&rep);
	assert_int_equal(segur_ledger_attempt_new(f->l, "BC-3", ne, NULL,
	    NULL), 0);
	assert_string_equal(ne, "00001");
	assert_int_equal(segur_ledger_attempt_answer(f->l, ne, NULL, "E12",
	    "FINESS inconnu", 0, NULL), 0);
	assert_int_equal(segur_ledger_request_promote(f->l, "BC-3", &rep,
	    &promoted, NULL), 0);
	assert_true(promoted);
	segur_report_release(&rep);
	assert_int_equal(segur_ledger_attempt_new(f->l, "BC-3", ne, NULL,
	    NULL), 0);
	assert_string_equal(ne, "00002");
	assert_int_equal(query_int(f->l, "SELECT count(*) FROM attempt a "
	    "JOIN request r ON r.id = a.request_id WHERE r.ref = 'BC-3'"), 2);
}

static void
test_ledger_files_and_attempt_placement(void **state)
{
	struct fixture	*f = *state;
	struct segur_file_new fn;
	char		 ne[6], hex[65];
	int64_t		 fid, fid2, aid;
	int		 rank;
	cJSON		*o, *att;

	add_software(f->l);
	drive_to(f->l, "BC-1", SEGUR_STATE_READY);
	segur_sha256_hex("file one", 8, hex);
	/* build: one transaction for rank, file, attempt and placement. */
	assert_int_equal(segur_ledger_begin(f->l, NULL), 0);
	assert_int_equal(segur_ledger_alloc_file_rank(f->l, ANS, "20231002",
	    &rank, NULL), 0);
	memset(&fn, 0, sizeof(fn));
	fn.kind = SEGUR_FILE_SUBMISSION;
	fn.outgoing = 1;
	fn.name = "JSON-2023000042-20231002-001.json";
	fn.numero_ans = ANS;
	fn.day = "20231002";
	fn.rank = rank;
	fn.sha256 = hex;
	fn.size = 8;
	assert_int_equal(segur_ledger_file_add(f->l, &fn, &fid, NULL), 0);
	assert_int_equal(segur_ledger_attempt_new(f->l, "BC-1", ne, &aid,
	    NULL), 0);
	assert_int_equal(segur_ledger_attempt_place(f->l, aid, fid, 1, NULL),
	    0);
	assert_int_equal(segur_ledger_commit(f->l, NULL), 0);
	/* Placed once only. */
	assert_int_equal(segur_ledger_attempt_place(f->l, aid, fid, 2, NULL),
	    SEGUR_ESTATE);
	/* The same file again: refused, its id given back. */
	assert_int_equal(segur_ledger_file_add(f->l, &fn, &fid2, NULL),
	    SEGUR_EEXIST);
	assert_int_equal(fid2, fid);
	/* Another file with a rank already taken that day. */
	segur_sha256_hex("file two", 8, hex);
	assert_int_equal(segur_ledger_file_add(f->l, &fn, &fid2, NULL),
	    SEGUR_EEXIST);
	assert_int_equal(segur_ledger_request_show(f->l, ne, &o, NULL), 0);
	att = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "attempts"), 0);
	assert_string_equal(cJSON_GetObjectItem(att, "file")->valuestring,
	    "JSON-2023000042-20231002-001.json");
	assert_int_equal(cJSON_GetObjectItem(att, "numLigne")->valueint, 1);
	cJSON_Delete(o);
	/* A rolled-back build leaves the rank and nothing else taken. */
	assert_int_equal(segur_ledger_begin(f->l, NULL), 0);
	assert_int_equal(segur_ledger_alloc_file_rank(f->l, ANS, "20231002",
	    &rank, NULL), 0);
	assert_int_equal(rank, 2);
	segur_ledger_rollback(f->l);
	assert_int_equal(segur_ledger_alloc_file_rank(f->l, ANS, "20231002",
	    &rank, NULL), 0);
	assert_int_equal(rank, 2);
}

static void
test_ledger_profiles_text(void **state)
{
	unsigned p;
	char	*s, *cause = NULL;

	(void)state;
	assert_int_equal(segur_profiles_parse("pa, PH,referentiel_id", &p,
	    NULL), 0);
	assert_int_equal(p, SEGUR_PROFIL_PA | SEGUR_PROFIL_PH |
	    SEGUR_PROFIL_REFERENTIEL_ID);
	assert_non_null(s = segur_profiles_format(p));
	assert_string_equal(s, "REFERENTIEL_ID,PA,PH");
	free(s);
	assert_int_equal(segur_profiles_parse("PA,XX", &p, &cause),
	    SEGUR_EINVAL);
	assert_non_null(strstr(cause, "XX"));
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_ledger_open_refuses_missing_then_init_is_idempotent,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_refuses_newer_schema_and_foreign_db,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_migrates_from_empty_file_and_each_version,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_migration_event_is_sealed, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_checks_refuse_bad_states, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_request_row_matches_the_list, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_migration_9_gives_one_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_failed_migration_changes_nothing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_lost_transaction_is_never_continued, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_checkpoint_empties_the_log, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_events_chain_across_rollbacks_and_writers,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_event_log_is_append_only, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_event_chain_and_keys_hold_without_statement_journal,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_audit_finds_the_tampered_row, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_audit_finds_a_removed_row, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_event_v2_serialization_and_seal, setup,
		    teardown),
		cmocka_unit_test(
		    test_ledger_event_hash_serialization_is_documented),
		cmocka_unit_test_setup_teardown(
		    test_ledger_numero_editeur_sequence_skips_used_values,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_two_processes_never_get_the_same_number,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_file_rank_per_day_and_software, setup,
		    teardown),
		cmocka_unit_test(test_ledger_state_table),
		cmocka_unit_test_setup_teardown(
		    test_ledger_every_transition_allowed_or_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_money_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_actor_login_and_display_name, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_answer_and_record_refuse_bad_input, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_request_add_indexes_and_refuses, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_list_show_history_status, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_list_rows_carry_their_software_and_state, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_list_rows_follow_every_change, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_ref_import_all_or_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_request_import_good_file, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_request_import_reports_every_bad_row, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_survives_allocation_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_promote_with_reference_data, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_files_and_attempt_placement, setup, teardown),
		cmocka_unit_test(test_ledger_profiles_text),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
