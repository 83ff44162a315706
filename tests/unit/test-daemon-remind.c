/*
 * test-daemon-remind.c: when segurd's daily reminder timer fires next:
 * later today when [reminders] at is ahead, tomorrow when it has passed
 * or is this very second (the check of this minute already ran).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_daemon_remind_delay_later_today),
		cmocka_unit_test(test_daemon_remind_delay_tomorrow),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
