/*
 * test-solde.c: calendar dates of the balance follow-up: days elapsed and
 * deadlines across month ends and leap years, in whole days.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "segur/error.h"
#include "segur/solde.h"

/* to - from, asserting both dates are valid. */
static int64_t
diff(const char *from, const char *to)
{
	int64_t	 d;

	assert_int_equal(segur_date_diff(from, to, &d), 0);
	return (d);
}

/* The date n days after from. */
static void
add(const char *from, int64_t n, const char *want)
{
	char	 out[11];
	int64_t	 d;

	assert_int_equal(segur_date_days(from, &d), 0);
	segur_date_from_days(d + n, out);
	assert_string_equal(out, want);
}

static void
test_solde_days_across_month_ends(void **state)
{
	(void)state;
	assert_int_equal(diff("2024-01-31", "2024-02-01"), 1);
	assert_int_equal(diff("2023-04-30", "2023-05-01"), 1);
	assert_int_equal(diff("2023-12-31", "2024-01-01"), 1);
	assert_int_equal(diff("2023-12-29", "2024-03-01"), 63);
	assert_int_equal(diff("2024-03-01", "2023-12-29"), -63);
	/* 30 days after the 31st of January: the 1st or 2nd of March. */
	add("2024-01-31", 30, "2024-03-01");
	add("2023-01-31", 30, "2023-03-02");
	add("2023-11-30", 31, "2023-12-31");
	add("2023-12-31", 1, "2024-01-01");
	/* Both spellings of a date are the same day. */
	assert_int_equal(diff("01/03/2024", "2024-03-01"), 0);
}

static void
test_solde_days_across_leap_years(void **state)
{
	int64_t	 d;

	(void)state;
	assert_int_equal(diff("2024-02-28", "2024-03-01"), 2);
	assert_int_equal(diff("2023-02-28", "2023-03-01"), 1);
	assert_int_equal(diff("2024-01-01", "2025-01-01"), 366);
	assert_int_equal(diff("2023-01-01", "2024-01-01"), 365);
	/* Century rules: 1900 and 2100 are not leap years, 2000 is. */
	assert_int_equal(diff("2000-02-28", "2000-03-01"), 2);
	assert_int_equal(diff("2100-02-28", "2100-03-01"), 1);
	assert_int_equal(diff("1900-02-28", "1900-03-01"), 1);
	add("2024-02-29", 365, "2025-02-28");
	add("2024-02-29", 366, "2025-03-01");
	add("1970-01-01", 0, "1970-01-01");
	add("2028-02-28", 1, "2028-02-29");
	assert_int_equal(segur_date_days("1970-01-01", &d), 0);
	assert_int_equal(d, 0);
	assert_int_equal(segur_date_days("2024-02-29", &d), 0);
}

static void
test_solde_dates_that_do_not_exist(void **state)
{
	static const char *const bad[] = {
		"2023-02-29", "2100-02-29", "2024-02-30", "2024-04-31",
		"2024-13-01", "2024-00-10", "2024-01-00", "2024-1-01",
		"2024/01/01", "31/04/2024", "", "2024-01-01x", "abcd-ef-gh",
	};
	size_t	 i;
	int64_t	 d;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (segur_date_days(bad[i], &d) != SEGUR_EINVAL)
			fail_msg("\"%s\" accepted", bad[i]);
	assert_int_equal(segur_date_days(NULL, &d), SEGUR_EINVAL);
	assert_int_equal(segur_date_diff("2024-01-01", "2023-02-29", &d),
	    SEGUR_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_solde_days_across_month_ends),
		cmocka_unit_test(test_solde_days_across_leap_years),
		cmocka_unit_test(test_solde_dates_that_do_not_exist),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
