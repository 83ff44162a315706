/*
 * test-remind.c: which reminders the daily check selects: after N days
 * and again every N days, once per period, per kind; the balance
 * deadline's marks (J-30, J-7, J-1); a dry run records nothing; a count
 * of 0 disables a kind; a request submitted again counts from its new
 * file. The requests are written straight into the tables (the state
 * machine is tested in test-ledger.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/audit.h"
#include "segur/remind.h"
#include "segur/solde.h"

#include "helper-ledger.h"
#include "ledger/ledger-int.h"

/* The shared fixture (helper-ledger.h): f->dir, f->db, f->l. */
#define fixture	helper_ledger

static void
sql(struct segur_ledger *l, const char *s)
{
	char	*msg = NULL;

	if (sqlite3_exec(l->db, s, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", s, msg);
}

/*
 * Request 1 submitted in a file of 2026-01-01; request 2 accepted on
 * 2026-01-10; request 3 advance paid on 2026-02-01.
 */
static int
setup(void **state)
{
	struct fixture	*f;

	helper_ledger_setup(state);
	f = *state;
	sql(f->l,
	    "INSERT INTO software(id, numero_ans, siret, profiles, created_at)"
	    " VALUES (1, '2023000042', '38042372300028', 1, 'x');"
	    "INSERT INTO archive VALUES (printf('%064d', 1), 1, 'x');"
	    "INSERT INTO archive VALUES (printf('%064d', 2), 1, 'x');"
	    "INSERT INTO file(id, direction, kind, name, sha256, size, "
	    "created_at) VALUES (1, 'out', 'submission', 'a.json', "
	    "printf('%064d', 1), 1, '2026-01-01T10:00:00Z');"
	    "INSERT INTO request(id, ref, software_id, state, content, "
	    "montant_cents, regime_tva, numero_asp, created_at, updated_at) "
	    "VALUES (1, 'R-1', 1, 'submitted', '{}', 100, 'TTC', NULL, 'x', "
	    "'x'), (2, 'R-2', 1, 'accepted', '{}', 100, 'TTC', 'ASP-2', 'x', "
	    "'x'), (3, 'R-3', 1, 'advance_paid', '{}', 100, 'TTC', 'ASP-3', "
	    "'x', 'x');"
	    "INSERT INTO request_esms VALUES (1, '330001017', '750000127');"
	    "INSERT INTO numero_editeur VALUES ('00001', 'allocated', 'x'), "
	    "('00002', 'allocated', 'x');"
	    "INSERT INTO attempt(request_id, seq, numero_editeur, file_id, "
	    "num_ligne, created_at) VALUES (1, 1, '00001', 1, 1, 'x');"
	    "INSERT INTO attempt(request_id, seq, numero_editeur, file_id, "
	    "num_ligne, outcome, numero_asp, created_at, answered_at) VALUES "
	    "(2, 1, '00002', 1, 2, 'accepted', 'ASP-2', 'x', "
	    "'2026-01-10T08:00:00Z');"
	    "INSERT INTO decision(request_id, kind, date, amount_cents, "
	    "recorded_at) VALUES (3, 'grant', '2026-01-20', NULL, 'x'), "
	    "(3, 'advance_paid', '2026-02-01', 50, 'x');");
	return (0);
}

struct got {
	char	 s[512];
};

static void
on_item(void *arg, const struct segur_remind_item *it)
{
	struct got	*g = arg;
	size_t		 n = strlen(g->s);

	snprintf(g->s + n, sizeof(g->s) - n, "%s%s:%s:%s:%d", n ? " " : "",
	    it->ref, it->kind, it->period, it->days);
}

/* Runs the check for today with opts o; returns what it selected. */
static const char *
check(struct fixture *f, struct segur_remind_opts *o, const char *today,
    struct got *g)
{
	unsigned	 n = 99;

	memset(g, 0, sizeof(*g));
	o->today = today;
	assert_int_equal(segur_remind_check(f->l, o, on_item, g, &n, NULL),
	    0);
	return (g->s);
}

static int
count(struct segur_ledger *l, const char *q)
{
	sqlite3_stmt	*st;
	int		 n;

	assert_int_equal(sqlite3_prepare_v2(l->db, q, -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return (n);
}

static void
test_remind_submitted_once_per_period(void **state)
{
	struct fixture	*f = *state;
	struct segur_remind_opts o = { NULL, 7, 0, 0, 0, 0 };
	struct got	 g;

	assert_string_equal(check(f, &o, "2026-01-07", &g), "");
	assert_string_equal(check(f, &o, "2026-01-08", &g),
	    "R-1:submitted:J+7:7");
	assert_string_equal(check(f, &o, "2026-01-08", &g), "");
	assert_string_equal(check(f, &o, "2026-01-14", &g), "");
	assert_string_equal(check(f, &o, "2026-01-15", &g),
	    "R-1:submitted:J+14:14");
	/* A late check sends the current period only. */
	assert_string_equal(check(f, &o, "2026-02-01", &g),
	    "R-1:submitted:J+28:31");
	assert_int_equal(count(f->l, "SELECT count(*) FROM reminder"), 3);
	assert_int_equal(count(f->l, "SELECT count(*) FROM alert WHERE kind "
	    "= 'reminder' AND request_id = 1 AND json_extract(body, "
	    "'$.finessESMS') = '330001017'"), 3);
	/* The amount at stake, in euros as the guide writes it. */
	assert_int_equal(count(f->l, "SELECT count(*) FROM alert WHERE kind "
	    "= 'reminder' AND request_id = 1 AND json_extract(body, "
	    "'$.montantSegurHT') = 1.0"), 3);
}

static void
test_remind_dry_run_records_nothing(void **state)
{
	struct fixture	*f = *state;
	struct segur_remind_opts o = { NULL, 7, 60, 30, 0, 1 };
	struct got	 g;

	assert_string_equal(check(f, &o, "2026-03-11", &g),
	    "R-1:submitted:J+63:69 R-2:decision:J+60:60 "
	    "R-3:balance:J+30:38");
	assert_string_equal(check(f, &o, "2026-03-11", &g),
	    "R-1:submitted:J+63:69 R-2:decision:J+60:60 "
	    "R-3:balance:J+30:38");
	assert_int_equal(count(f->l, "SELECT count(*) FROM reminder"), 0);
	assert_int_equal(count(f->l, "SELECT count(*) FROM alert"), 0);
}

static void
test_remind_zero_disables(void **state)
{
	struct fixture	*f = *state;
	struct segur_remind_opts o = { NULL, 0, 0, 0, 0, 0 };
	struct got	 g;

	assert_string_equal(check(f, &o, "2027-01-01", &g), "");
}

static void
test_remind_deadline_marks(void **state)
{
	struct fixture	*f = *state;
	struct segur_remind_opts o = { NULL, 0, 0, 0, 60, 0 };
	struct got	 g;

	/* Advance 2026-02-01 + 60 days: deadline 2026-04-02. */
	assert_string_equal(check(f, &o, "2026-03-02", &g), "");
	assert_string_equal(check(f, &o, "2026-03-03", &g),
	    "R-3:deadline:J-30:30");
	assert_string_equal(check(f, &o, "2026-03-20", &g), "");
	assert_string_equal(check(f, &o, "2026-03-27", &g),
	    "R-3:deadline:J-7:6");
	assert_string_equal(check(f, &o, "2026-03-28", &g), "");
	assert_string_equal(check(f, &o, "2026-04-02", &g),
	    "R-3:deadline:J-1:0");
	assert_string_equal(check(f, &o, "2026-04-03", &g), "");
	assert_int_equal(count(f->l, "SELECT count(*) FROM alert WHERE "
	    "json_extract(body, '$.echeanceSolde') = '2026-04-02'"), 3);
}

/* The ledger's deadline (segurctl ref set solde-deadline-days, or the
 * request's own) drives the reminders, as solde list shows it. */
static void
test_remind_deadline_from_the_ledger(void **state)
{
	struct fixture	*f = *state;
	struct segur_remind_opts o = { NULL, 0, 0, 0, 0, 0 };
	struct got	 g;

	/* No deadline anywhere: nothing. */
	assert_string_equal(check(f, &o, "2026-03-03", &g), "");
	/* The programme's 60 days: 2026-04-02, as in the configuration. */
	assert_int_equal(segur_solde_setting_set(f->l,
	    SEGUR_SOLDE_DEADLINE_KEY, "60", NULL), 0);
	assert_string_equal(check(f, &o, "2026-03-03", &g),
	    "R-3:deadline:J-30:30");
	/* The request's own date wins, even over the configuration. */
	o.balance_deadline_days = 300;
	assert_int_equal(segur_solde_deadline_set(f->l, "ASP-3", "2026-03-10",
	    NULL), 0);
	assert_string_equal(check(f, &o, "2026-03-09", &g),
	    "R-3:deadline:J-1:1");
}

/* The chain head leaves the database once a day, in an alert. */
static void
test_remind_head_once_a_day(void **state)
{
	struct fixture	*f = *state;
	struct segur_chain_head h;
	int		 queued = -1;

	assert_int_equal(segur_audit_head(f->l, NULL, &h, NULL), 0);
	assert_int_equal(segur_remind_head(f->l, "2026-03-03", NULL, &queued,
	    NULL), 0);
	assert_int_equal(queued, 1);
	assert_int_equal(segur_remind_head(f->l, "2026-03-03", NULL, &queued,
	    NULL), 0);
	assert_int_equal(queued, 0);
	assert_int_equal(count(f->l, "SELECT count(*) FROM alert WHERE kind "
	    "= 'head' AND subject = 'Ségur : empreinte du registre du "
	    "03/03/2026'"), 1);
	{
		char	 q[256];

		snprintf(q, sizeof(q), "SELECT count(*) FROM alert WHERE "
		    "json_extract(body, '$.empreinte') = '%s'", h.hash);
		assert_int_equal(count(f->l, q), 1);
	}
	assert_int_equal(segur_remind_head(f->l, "2026-03-04", NULL, &queued,
	    NULL), 0);
	assert_int_equal(queued, 1);
}

static void
test_remind_resubmission_counts_anew(void **state)
{
	struct fixture	*f = *state;
	struct segur_remind_opts o = { NULL, 7, 0, 0, 0, 0 };
	struct got	 g;

	assert_string_equal(check(f, &o, "2026-01-08", &g),
	    "R-1:submitted:J+7:7");
	/* Rejected, then sent again in a file of 2026-01-05. */
	sql(f->l,
	    "UPDATE attempt SET outcome = 'rejected', answered_at = 'x' "
	    "WHERE request_id = 1;"
	    "INSERT INTO file(id, direction, kind, name, sha256, size, "
	    "created_at) VALUES (2, 'out', 'submission', 'b.json', "
	    "printf('%064d', 2), 1, '2026-01-05T10:00:00Z');"
	    "INSERT INTO numero_editeur VALUES ('00003', 'allocated', 'x');"
	    "INSERT INTO attempt(request_id, seq, numero_editeur, file_id, "
	    "num_ligne, created_at) VALUES (1, 2, '00003', 2, 1, 'x');");
	assert_string_equal(check(f, &o, "2026-01-11", &g), "");
	assert_string_equal(check(f, &o, "2026-01-12", &g),
	    "R-1:submitted:J+7:7");
}

static void
test_remind_refuses_bad_date(void **state)
{
	struct fixture	*f = *state;
	struct segur_remind_opts o = { "2026-1-1", 7, 0, 0, 0, 0 };
	char		*cause = NULL;

	assert_int_equal(segur_remind_check(f->l, &o, NULL, NULL, NULL,
	    &cause), SEGUR_EINVAL);
	assert_non_null(cause);
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_remind_submitted_once_per_period,
		    setup, helper_ledger_teardown),
		cmocka_unit_test_setup_teardown(
		    test_remind_dry_run_records_nothing,
		    setup, helper_ledger_teardown),
		cmocka_unit_test_setup_teardown(test_remind_zero_disables,
		    setup, helper_ledger_teardown),
		cmocka_unit_test_setup_teardown(
		    test_remind_deadline_from_the_ledger,
		    setup, helper_ledger_teardown),
		cmocka_unit_test_setup_teardown(test_remind_head_once_a_day,
		    setup, helper_ledger_teardown),
		cmocka_unit_test_setup_teardown(test_remind_deadline_marks,
		    setup, helper_ledger_teardown),
		cmocka_unit_test_setup_teardown(
		    test_remind_resubmission_counts_anew,
		    setup, helper_ledger_teardown),
		cmocka_unit_test_setup_teardown(test_remind_refuses_bad_date,
		    setup, helper_ledger_teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
