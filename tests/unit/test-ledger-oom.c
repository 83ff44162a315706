/*
 * test-ledger-oom.c: the ledger under allocation failures.
 *
 * Like test-validate-oom.c, with oom-inject.h: each operation runs with
 * the n-th allocation (and every later one) failing, for n = 0, 1, 2…
 * until it succeeds. SQLite's allocations fail through its own allocator
 * (SQLITE_CONFIG_MALLOC), so under AddressSanitizer too, whose leak
 * checker then sees every error path; without ASan every malloc of the
 * process fails as well, the library's own included. Each run must return
 * 0, SEGUR_ENOMEM or SEGUR_EDB (with a cause when the cause could be
 * allocated), never crash, and, allocations working again, leave a handle
 * that can start a transaction and a whole ledger: the hash chain
 * verifies, and the operation happened entirely or not at all (the rows
 * of every table and the requests' states, read through a connection of
 * their own, are those of before or those of a run without failures).
 */
#include <limits.h>
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

#include "oom-inject.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "helper-json.h"
#include "helper-ledger.h"
#include "ledger/ledger-int.h"

/* Runs past this many failures are a runaway loop, not a sweep. */
#define MAX_RUNS	200000

/* What one operation of the sweep works on. */
struct ctx {
	struct helper_ledger	*f;
	char			*content;	/* the example's first line */
	char			*bdc;		/* its order form, in f->dir */
	char			 ne[6];		/* numeroEditeur of BC-1 */
	size_t			 nrows;		/* rows a list walked */
	int64_t			 nready;	/* status: ready requests */
	char			*shown;		/* show: the "ref" it gave */
};

/* An operation: its state before (allocations working), the call, and what
 * a success must have given (may be NULL). */
struct op {
	void	(*prepare)(struct ctx *);
	int	(*run)(struct ctx *, char **);
	void	(*check)(struct ctx *);
	int	 also;		/* another code a failure may give, or 0 */
};

/*
 * What the ledger holds, as a string: the rows of every table and the
 * state of every request, read through a read-only connection of its own
 * (what is committed, not what a transaction left open would show).
 */
static char *
snapshot(const char *path)
{
	sqlite3		*db;
	sqlite3_stmt	*st, *cnt;
	char		*s, *t, *q;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	assert_non_null(s = strdup(""));
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM "
	    "sqlite_master WHERE type = 'table' ORDER BY name", -1, &st,
	    NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		assert_non_null(q = segur_asprintf("SELECT count(*) FROM "
		    "\"%s\"", (const char *)sqlite3_column_text(st, 0)));
		assert_int_equal(sqlite3_prepare_v2(db, q, -1, &cnt, NULL),
		    SQLITE_OK);
		assert_int_equal(sqlite3_step(cnt), SQLITE_ROW);
		assert_non_null(t = segur_asprintf("%s%s=%lld ", s,
		    (const char *)sqlite3_column_text(st, 0),
		    (long long)sqlite3_column_int64(cnt, 0)));
		sqlite3_finalize(cnt);
		free(q);
		free(s);
		s = t;
	}
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT ref, state FROM "
	    "request ORDER BY id", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		assert_non_null(t = segur_asprintf("%s%s:%s ", s,
		    (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1)));
		free(s);
		s = t;
	}
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	return (s);
}

/*
 * The ledger is whole, allocations working again: the handle holds no
 * transaction level and can start one (a rollback that SQLite refused
 * while allocations failed is finished by then), the chain verifies, the
 * file passes SQLite's integrity check.
 */
static void
assert_whole(struct segur_ledger *l)
{
	struct segur_audit a;
	char	*cause = NULL, *ok;

	assert_int_equal(l->depth, 0);
	if (segur_ledger_begin(l, &cause) != 0)
		fail_msg("begin after the failure: %s", cause);
	segur_ledger_rollback(l);
	assert_true(sqlite3_get_autocommit(l->db));
	if (segur_ledger_audit_verify(l, &a, &cause) != 0)
		fail_msg("chain: %s (event %lld): %s", a.reason,
		    (long long)a.bad_id, cause);
	assert_int_equal(a.bad_id, 0);
	segur_audit_release(&a);
	ok = helper_text(l, "PRAGMA integrity_check");
	assert_string_equal(ok, "ok");
	free(ok);
}

/*
 * A failed run's code and cause are those the header promises; also is a
 * code the operation may give too (0: none).
 */
static void
assert_clean_error(long n, int rc, int also, const char *cause)
{
	if (rc != SEGUR_ENOMEM && rc != SEGUR_EDB && (also == 0 || rc != also))
		fail_msg("allocation %ld: unexpected %d (%s)", n, rc,
		    cause != NULL ? cause : "no cause");
	/* Without the libc hook only SQLite fails: a cause can be made. */
	if (rc == SEGUR_EDB && !OOM_LIBC && cause == NULL)
		fail_msg("allocation %ld: SEGUR_EDB without a cause", n);
}

static void
ctx_init(struct ctx *c)
{
	void	*state = NULL;
	cJSON	*root;
	char	*text;

	memset(c, 0, sizeof(*c));
	helper_ledger_setup(&state);
	c->f = state;
	text = helper_read_data("JSON-2023000042-20231002-001.json", NULL);
	assert_non_null(root = cJSON_Parse(text));
	free(text);
	assert_non_null(c->content = cJSON_PrintUnformatted(
	    cJSON_GetArrayItem(cJSON_GetObjectItem(root, "lignesImport"), 0)));
	cJSON_Delete(root);
	c->bdc = helper_path(c->f->dir, "bdc.pdf");
	assert_int_equal(segur_write_file_atomic(c->bdc, "%PDF-1.4\n%%EOF\n",
	    15, 0600, NULL), 0);
	assert_int_equal(segur_ledger_software_add(c->f->l, HELPER_ANS,
	    HELPER_SIRET, "test", 0x1ff, NULL), 0);
}

static void
ctx_release(struct ctx *c)
{
	void	*state = c->f;

	free(c->content);
	free(c->bdc);
	free(c->shown);
	helper_ledger_teardown(&state);
}

/*
 * Runs op with the n-th allocation failing, n = 0, 1, 2… until a run
 * succeeds, each on the state that the failed runs before it left, which
 * must be the prepared one.
 */
static void
sweep(const struct op *op)
{
	struct ctx c;
	char	*want, *before, *now, *cause;
	long	 n;
	int	 rc, failed = 0;

	/* What a run without failures gives. */
	ctx_init(&c);
	op->prepare(&c);
	assert_int_equal(op->run(&c, NULL), 0);
	if (op->check != NULL)
		op->check(&c);
	want = snapshot(c.f->db);
	ctx_release(&c);

	ctx_init(&c);
	op->prepare(&c);
	before = snapshot(c.f->db);
	for (n = 0; n < MAX_RUNS; n++) {
		cause = NULL;
		oom_left = n;
		rc = op->run(&c, &cause);
		oom_left = -1;
		if (rc != 0)
			assert_clean_error(n, rc, op->also, cause);
		free(cause);
		assert_whole(c.f->l);
		now = snapshot(c.f->db);
		if (strcmp(now, rc == 0 ? want : before) != 0)
			fail_msg("allocation %ld: returned %d, ledger\n  %s\n"
			    "expected\n  %s", n, rc, now, rc == 0 ? want :
			    before);
		free(now);
		if (rc == 0)
			break;
		failed++;
	}
	assert_int_equal(rc, 0);
	assert_true(failed > 0);
	if (op->check != NULL)
		op->check(&c);
	free(before);
	free(want);
	ctx_release(&c);
}

static void
prepare_nothing(struct ctx *c)
{
	(void)c;
}

static int
run_add(struct ctx *c, char **cause)
{
	struct segur_request_new req;

	memset(&req, 0, sizeof(req));
	req.ref = "BC-1";
	req.numero_ans = HELPER_ANS;
	req.content = c->content;
	req.content_len = strlen(c->content);
	req.bdc_path = c->bdc;
	return (segur_ledger_request_add(c->f->l, &req, NULL, cause));
}

/* BC-1, a draft. */
static void
prepare_draft(struct ctx *c)
{
	assert_int_equal(run_add(c, NULL), 0);
}

/* BC-1, ready (what makes it ready is test-ledger.c's subject). */
static void
prepare_ready(struct ctx *c)
{
	prepare_draft(c);
	assert_int_equal(segur__exec(c->f->l, "UPDATE request SET state = "
	    "'ready'", NULL), 0);
}

static int
run_submit(struct ctx *c, char **cause)
{
	return (segur_ledger_attempt_new(c->f->l, "BC-1", c->ne, NULL,
	    cause));
}

/* BC-1, submitted as c->ne. */
static void
prepare_submitted(struct ctx *c)
{
	prepare_ready(c);
	assert_int_equal(run_submit(c, NULL), 0);
}

static int
run_accept(struct ctx *c, char **cause)
{
	return (segur_ledger_attempt_answer(c->f->l, c->ne, "ASP-1", "0",
	    "Demande acceptée", 0, cause));
}

/* BC-1, accepted as ASP-1. */
static void
prepare_accepted(struct ctx *c)
{
	prepare_submitted(c);
	assert_int_equal(run_accept(c, NULL), 0);
}

static int
run_withdraw(struct ctx *c, char **cause)
{
	return (segur_ledger_request_withdraw(c->f->l, "BC-1",
	    "commande annulée", cause));
}

static int
run_grant(struct ctx *c, char **cause)
{
	static const struct segur_record rec = { .date = "2026-11-02",
	    .amount_cents = 146000, .letter_ref = "L-1",
	    .note = "courrier reçu" };

	return (segur_ledger_record(c->f->l, SEGUR_RECORD_GRANT, "ASP-1",
	    &rec, cause));
}

/* The example's two lines, BC-1 and BC-2, ready. */
static void
prepare_example(struct ctx *c)
{
	helper_example_ready(c->f->l, c->f->dir);
}

static int
count_row(void *arg, const struct segur_request_row *row)
{
	struct ctx	*c = arg;

	assert_int_equal(row->state, SEGUR_STATE_READY);
	c->nrows++;
	return (0);
}

static int
run_list(struct ctx *c, char **cause)
{
	struct segur_request_filter flt;

	memset(&flt, 0, sizeof(flt));
	flt.state = -1;
	c->nrows = 0;
	return (segur_ledger_request_list(c->f->l, &flt, count_row, c,
	    cause));
}

static void
check_list(struct ctx *c)
{
	assert_int_equal(c->nrows, 2);
}

static int
run_status(struct ctx *c, char **cause)
{
	struct segur_status st;
	int	 rc;

	memset(&st, 0, sizeof(st));
	rc = segur_ledger_status(c->f->l, 10, &st, cause);
	c->nready = st.count[SEGUR_STATE_READY];
	segur_status_release(&st);
	return (rc);
}

static void
check_status(struct ctx *c)
{
	assert_int_equal(c->nready, 2);
}

static int
run_show(struct ctx *c, char **cause)
{
	cJSON	*out = NULL;
	int	 rc;

	rc = segur_ledger_request_show(c->f->l, "BC-2", &out, cause);
	free(c->shown);
	c->shown = NULL;
	if (rc == 0) {
		assert_non_null(out);
		assert_true(cJSON_IsString(cJSON_GetObjectItem(out, "ref")));
		assert_non_null(c->shown = strdup(cJSON_GetObjectItem(out,
		    "ref")->valuestring));
	}
	cJSON_Delete(out);
	return (rc);
}

static void
check_show(struct ctx *c)
{
	assert_string_equal(c->shown, "BC-2");
}

/* Removes the ledger's files at db (the database, its WAL and index). */
static void
remove_ledger(const char *db)
{
	static const char *const ext[] = { "", "-wal", "-shm" };
	char	*p;
	size_t	 i;

	for (i = 0; i < 3; i++) {
		assert_non_null(p = segur_asprintf("%s%s", db, ext[i]));
		unlink(p);
		free(p);
	}
}

/*
 * Creates the ledger at db with allocations failing after n (-1: never);
 * checks the error, then that opening it again with allocations working
 * ends the migrations on a whole ledger. Returns the code of the failing
 * open; *spare gets the allocations it had to spare.
 */
static int
create_failing(const char *db, long n, long *spare)
{
	struct segur_ledger	*l = NULL;
	char			*cause = NULL;
	int			 rc;

	remove_ledger(db);
	oom_left = n;
	rc = segur_ledger_open(db, SEGUR_LEDGER_CREATE, &l, &cause);
	*spare = oom_left;
	oom_left = -1;
	if (rc != 0) {
		assert_clean_error(n, rc, 0, cause);
		assert_null(l);
	}
	free(cause);
	if (rc != 0 && access(db, F_OK) == 0)
		assert_int_equal(segur_ledger_open(db, SEGUR_LEDGER_CREATE, &l,
		    NULL), 0);
	if (l != NULL) {
		assert_int_equal(segur_ledger_version(l),
		    SEGUR_LEDGER_SCHEMA_VERSION);
		assert_whole(l);
		segur_ledger_close(l);
	}
	return (rc);
}

/*
 * Creating a ledger (every migration, the reference data loaded) with the
 * n-th allocation failing. It takes too many allocations to fail each in
 * turn: every one of the first CREATE_EACH, then CREATE_SAMPLES spread
 * evenly over the rest, then the last one.
 */
#define CREATE_EACH	100
#define CREATE_SAMPLES	30
static void
test_ledger_oom_create(void **state)
{
	struct helper_ledger	*f = *state;
	long	 n, total, step, spare;
	int	 failed = 0;

	segur_ledger_close(f->l);
	f->l = NULL;
	/* How many a creation takes. */
	assert_int_equal(create_failing(f->db, LONG_MAX, &spare), 0);
	total = LONG_MAX - spare;
	assert_true(total > CREATE_EACH);
	step = (total - CREATE_EACH) / CREATE_SAMPLES;
	if (step == 0)
		step = 1;
	for (n = 0; n < total; n += n < CREATE_EACH ? 1 : step)
		failed += create_failing(f->db, n, &spare) != 0;
	assert_int_not_equal(create_failing(f->db, total - 1, &spare), 0);
	assert_int_equal(create_failing(f->db, total, &spare), 0);
	assert_true(failed > CREATE_EACH);
	/* The ledger the sweep ended on opens as an existing one. */
	assert_int_equal(segur_ledger_open(f->db, 0, &f->l, NULL), 0);
}

static void
test_ledger_oom_request_add(void **state)
{
	/*
	 * cJSON_Parse() cannot tell a failed allocation from bad syntax: the
	 * content is then refused as "not a JSON object" (SEGUR_EINVAL),
	 * when the libc hook makes cJSON's allocations fail.
	 */
	static const struct op op = { prepare_nothing, run_add, NULL,
	    OOM_LIBC ? SEGUR_EINVAL : 0 };

	(void)state;
	sweep(&op);
}

static void
test_ledger_oom_transitions(void **state)
{
	static const struct op submit = { prepare_ready, run_submit, NULL, 0 };
	static const struct op accept = { prepare_submitted, run_accept,
	    NULL, 0 };
	static const struct op withdraw = { prepare_draft, run_withdraw,
	    NULL, 0 };

	(void)state;
	sweep(&submit);
	sweep(&accept);
	sweep(&withdraw);
}

static void
test_ledger_oom_record_decision(void **state)
{
	static const struct op op = { prepare_accepted, run_grant, NULL, 0 };

	(void)state;
	sweep(&op);
}

static void
test_ledger_oom_queries(void **state)
{
	static const struct op list = { prepare_example, run_list,
	    check_list, 0 };
	static const struct op status = { prepare_example, run_status,
	    check_status, 0 };
	static const struct op show = { prepare_example, run_show,
	    check_show, 0 };

	(void)state;
	sweep(&list);
	sweep(&status);
	sweep(&show);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ledger_oom_create,
		    helper_ledger_setup, helper_ledger_teardown),
		cmocka_unit_test(test_ledger_oom_request_add),
		cmocka_unit_test(test_ledger_oom_transitions),
		cmocka_unit_test(test_ledger_oom_record_decision),
		cmocka_unit_test(test_ledger_oom_queries),
	};

	/* Before anything initializes SQLite. */
	if (oom_sqlite_install() != SQLITE_OK) {
		fprintf(stderr, "test-ledger-oom: SQLITE_CONFIG_MALLOC "
		    "refused\n");
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
