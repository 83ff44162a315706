/*
 * test-outbox.c: the alerts outbox as segurd reads and records it: which
 * alerts are due on a channel, and the outcomes (delivered, failed,
 * retry) with their events.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/outbox.h"

#include "helper-ledger.h"
#include "ledger/ledger-int.h"

/* The shared fixture (helper-ledger.h): f->dir, f->db, f->l. */
#define fixture	helper_ledger

static int64_t
add(struct segur_ledger *l, const char *label)
{
	cJSON	*facts = cJSON_CreateObject();
	int64_t	 id = 0;

	assert_non_null(facts);
	cJSON_AddStringToObject(facts, "anomalie", label);
	assert_int_equal(segur_outbox_add(l, "anomaly", "error", 0, 0, facts,
	    &id, NULL), 0);
	cJSON_Delete(facts);
	return (id);
}

struct seen {
	int64_t	 ids[16];
	int	 tries[16];
	size_t	 n;
};

static int
collect(void *arg, const struct segur_outbox_due *row)
{
	struct seen *s = arg;

	assert_true(s->n < 16);
	assert_non_null(row->subject);
	assert_non_null(row->facts);
	s->tries[s->n] = row->tries;
	s->ids[s->n++] = row->id;
	return (0);
}

static size_t
due(struct segur_ledger *l, const char *channel, const char *now,
    struct seen *s)
{
	memset(s, 0, sizeof(*s));
	assert_int_equal(segur_outbox_due(l, channel, now, 0, collect, s,
	    NULL), 0);
	return (s->n);
}

static int
count(struct segur_ledger *l, const char *sql)
{
	sqlite3_stmt	*st;
	int		 n;

	assert_int_equal(sqlite3_prepare_v2(l->db, sql, -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return (n);
}

/* A new alert is due on every channel, oldest first, until recorded
 * delivered there; delivery on one channel leaves the others due. */
static void
test_outbox_due_per_channel(void **state)
{
	struct fixture	*f = *state;
	struct seen	 s;
	int64_t		 a, b;

	a = add(f->l, "première");
	b = add(f->l, "seconde");
	assert_int_equal(due(f->l, "mail", NULL, &s), 2);
	assert_int_equal(s.ids[0], a);
	assert_int_equal(s.ids[1], b);
	assert_int_equal(segur_outbox_delivered(f->l, a, "mail", 1, NULL), 0);
	assert_int_equal(due(f->l, "mail", NULL, &s), 1);
	assert_int_equal(s.ids[0], b);
	assert_int_equal(due(f->l, "webhook:ops", NULL, &s), 2);
	assert_int_equal(count(f->l, "SELECT count(*) FROM event WHERE "
	    "action = 'alert.delivered' AND entity_key = 'alert-000001'"), 1);
}

static int
list_failed(void *arg, const struct segur_outbox_row *row)
{
	assert_int_equal(row->failed, 1);
	assert_string_equal(row->last_error, "mail: SMTP 550: no such user");
	(*(int *)arg)++;
	return (0);
}

/* A failed delivery is no longer due, keeps its error and shows in the
 * list as failed. */
static void
test_outbox_failed_not_due(void **state)
{
	struct fixture	*f = *state;
	struct segur_outbox_filter flt = { "failed", NULL, 0 };
	struct seen	 s;
	int64_t		 a;
	int		 listed;

	a = add(f->l, "x");
	assert_int_equal(segur_outbox_failed(f->l, a, "mail", 5,
	    "mail: SMTP 550: no such user", NULL), 0);
	assert_int_equal(due(f->l, "mail", NULL, &s), 0);
	assert_int_equal(count(f->l, "SELECT tries FROM alert_delivery"), 5);
	assert_int_equal(count(f->l, "SELECT count(*) FROM alert_delivery "
	    "WHERE last_error = 'mail: SMTP 550: no such user'"), 1);
	listed = 0;
	assert_int_equal(segur_outbox_list(f->l, &flt, list_failed, &listed,
	    NULL), 0);
	assert_int_equal(listed, 1);
	assert_int_equal(count(f->l, "SELECT count(*) FROM event WHERE "
	    "action = 'alert.failed'"), 1);
}

/* A retry is due again at next_at, not before; tries add up. */
static void
test_outbox_retry_next_at(void **state)
{
	struct fixture	*f = *state;
	struct seen	 s;
	int64_t		 a;

	a = add(f->l, "x");
	assert_int_equal(segur_outbox_retry(f->l, a, "mail", 2,
	    "2030-01-01T10:00:00Z", "mail: timeout", NULL), 0);
	assert_int_equal(due(f->l, "mail", "2030-01-01T09:59:59Z", &s), 0);
	assert_int_equal(due(f->l, "mail", "2030-01-01T10:00:00Z", &s), 1);
	assert_int_equal(s.tries[0], 2);
	assert_int_equal(segur_outbox_retry(f->l, a, "mail", 1, NULL, NULL,
	    NULL), 0);
	assert_int_equal(due(f->l, "mail", "2000-01-01T00:00:00Z", &s), 1);
	assert_int_equal(s.tries[0], 3);
	assert_int_equal(segur_outbox_delivered(f->l, a, "mail", 1, NULL), 0);
	assert_int_equal(count(f->l, "SELECT tries FROM alert_delivery"), 4);
	assert_int_equal(count(f->l, "SELECT count(*) FROM alert_delivery "
	    "WHERE state = 'delivered' AND delivered_at IS NOT NULL AND "
	    "next_at IS NULL AND last_error IS NULL"), 1);
}

/* Delivered is final: a late outcome (a duplicate submission after a
 * restart) does not turn it back to failed or pending. */
static void
test_outbox_delivered_is_final(void **state)
{
	struct fixture	*f = *state;
	struct seen	 s;
	int64_t		 a;

	a = add(f->l, "x");
	assert_int_equal(segur_outbox_delivered(f->l, a, "mail", 1, NULL), 0);
	assert_int_equal(segur_outbox_failed(f->l, a, "mail", 1, "late",
	    NULL), 0);
	assert_int_equal(segur_outbox_retry(f->l, a, "mail", 1, NULL, NULL,
	    NULL), 0);
	assert_int_equal(due(f->l, "mail", NULL, &s), 0);
	assert_int_equal(count(f->l, "SELECT count(*) FROM alert_delivery "
	    "WHERE state = 'delivered' AND tries = 1"), 1);
	assert_int_equal(count(f->l, "SELECT count(*) FROM event WHERE "
	    "action LIKE 'alert.%' AND action != 'alert.queued'"), 1);
}

/* An unknown alert is an error, and nothing is written. */
static void
test_outbox_record_unknown(void **state)
{
	struct fixture	*f = *state;
	char		*cause = NULL;

	assert_int_equal(segur_outbox_delivered(f->l, 42, "mail", 1, &cause),
	    SEGUR_ENOENT);
	assert_non_null(cause);
	free(cause);
	assert_int_equal(count(f->l, "SELECT count(*) FROM alert_delivery"),
	    0);
}

/* The limit bounds a read; the callback can stop it. */
static int
stop_first(void *arg, const struct segur_outbox_due *row)
{
	*(int64_t *)arg = row->id;
	return (1);
}

static void
test_outbox_due_limit_stop(void **state)
{
	struct fixture	*f = *state;
	struct seen	 s;
	int64_t		 got = 0;
	int		 i;

	for (i = 0; i < 5; i++)
		add(f->l, "x");
	memset(&s, 0, sizeof(s));
	assert_int_equal(segur_outbox_due(f->l, "mail", NULL, 3, collect, &s,
	    NULL), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(segur_outbox_due(f->l, "mail", NULL, 0, stop_first,
	    &got, NULL), 1);
	assert_int_equal(got, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_outbox_due_per_channel,
		    helper_ledger_setup, helper_ledger_teardown),
		cmocka_unit_test_setup_teardown(test_outbox_failed_not_due,
		    helper_ledger_setup, helper_ledger_teardown),
		cmocka_unit_test_setup_teardown(test_outbox_retry_next_at,
		    helper_ledger_setup, helper_ledger_teardown),
		cmocka_unit_test_setup_teardown(test_outbox_delivered_is_final,
		    helper_ledger_setup, helper_ledger_teardown),
		cmocka_unit_test_setup_teardown(test_outbox_record_unknown,
		    helper_ledger_setup, helper_ledger_teardown),
		cmocka_unit_test_setup_teardown(test_outbox_due_limit_stop,
		    helper_ledger_setup, helper_ledger_teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
