/*
 * test-daemon-remind.c: when segurd's daily reminder timer fires next:
 * later today when [reminders] at is ahead, tomorrow when it has passed
 * or is this very second (the check of this minute already ran); and
 * that its timer is closed by segurd_remind_close().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <uv.h>

#include "config.h"
#include "remind.h"

static struct tm
at(int h, int m, int s)
{
	struct tm	 tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = s;
	return (tm);
}

static void
test_daemon_remind_delay_later_today(void **state)
{
	struct tm	 tm = at(8, 59, 30);

	(void)state;
	assert_int_equal(segurd_remind_delay_ms(&tm, 9 * 60), 30000);
	tm = at(0, 0, 0);
	assert_int_equal(segurd_remind_delay_ms(&tm, 23 * 60 + 59),
	    (uint64_t)(23 * 3600 + 59 * 60) * 1000);
}

static void
test_daemon_remind_delay_tomorrow(void **state)
{
	struct tm	 tm = at(9, 0, 0);

	(void)state;
	assert_int_equal(segurd_remind_delay_ms(&tm, 9 * 60),
	    (uint64_t)86400 * 1000);
	tm = at(9, 0, 1);
	assert_int_equal(segurd_remind_delay_ms(&tm, 9 * 60),
	    (uint64_t)(86400 - 1) * 1000);
	tm = at(23, 59, 59);
	assert_int_equal(segurd_remind_delay_ms(&tm, 0), 1000);
}

static int remind_closed_calls;

static void
remind_closed(struct segurd_remind *r)
{
	(void)r;
	remind_closed_calls++;
}

/* init, start, close: the timer is closed, the loop closes clean. */
static void
test_daemon_remind_lifecycle_closes_its_timer(void **state)
{
	struct segurd_config cfg;
	struct segurd_remind r;
	uv_loop_t	 loop;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.remind_at_minute = 23 * 60 + 59;
	assert_int_equal(uv_loop_init(&loop), 0);
	/* No alerts: a check due now is only logged. */
	segurd_remind_init(&r, &loop, NULL, &cfg);
	segurd_remind_start(&r);
	assert_true(uv_is_active((uv_handle_t *)&r.timer));
	segurd_remind_close(&r, remind_closed);
	assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(remind_closed_calls, 1);
	assert_int_equal(uv_loop_close(&loop), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_daemon_remind_delay_later_today),
		cmocka_unit_test(test_daemon_remind_delay_tomorrow),
		cmocka_unit_test(test_daemon_remind_lifecycle_closes_its_timer),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
