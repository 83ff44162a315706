/*
 * test-date.c: calendar dates (date.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "segur/date.h"
#include "segur/error.h"

#define ALL	(SEGUR_DATE_ISO | SEGUR_DATE_FR | SEGUR_DATE_COMPACT)

/* Parses s in forms and checks the date read. */
static void
parses_to(const char *s, unsigned forms, int y, int m, int d)
{
	struct segur_date dt;

	if (segur_date_parse(s, strlen(s), forms, &dt) != 0)
		fail_msg("\"%s\" refused", s);
	if (dt.year != y || dt.month != m || dt.day != d)
		fail_msg("\"%s\" read as %d-%d-%d", s, dt.year, dt.month,
		    dt.day);
}

static void
test_date_parse_three_forms(void **state)
{
	(void)state;
	parses_to("2023-10-02", SEGUR_DATE_ISO, 2023, 10, 2);
	parses_to("02/10/2023", SEGUR_DATE_FR, 2023, 10, 2);
	parses_to("20231002", SEGUR_DATE_COMPACT, 2023, 10, 2);
	parses_to("2023-10-02", ALL, 2023, 10, 2);
	parses_to("02/10/2023", ALL, 2023, 10, 2);
	parses_to("20231002", ALL, 2023, 10, 2);
	parses_to("0001-01-01", SEGUR_DATE_ISO, 1, 1, 1);
	parses_to("31/12/9999", SEGUR_DATE_FR, 9999, 12, 31);
}

static void
test_date_parse_refuses(void **state)
{
	static const char *const bad[] = {
		"", "2023-10-2", "2023-10-002", "2023/10/02", "02-10-2023",
		"2023-1O-02", " 2023-10-02", "2023-10-02 ", "+023-10-02",
		"-024-01-05", "2023--1-05", "2023-12--0", "02/10/-023",
		"0000-01-01", "2023-00-10", "2023-13-10", "2023-10-00",
		"2023-10-32", "2023-04-31", "2023-02-29", "1900-02-29",
		"2100-02-29", "31/06/2023", "2023100", "202310022",
		"2023 10 02", "20230229", "00000101", "20231301",
	};
	struct segur_date d = { 7, 7, 7 };
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (segur_date_parse(bad[i], strlen(bad[i]), ALL, &d) !=
		    SEGUR_EINVAL)
			fail_msg("\"%s\" accepted", bad[i]);
	/* *out untouched on refusal. */
	assert_int_equal(d.year, 7);
	assert_int_equal(segur_date_parse(NULL, 0, ALL, &d), SEGUR_EINVAL);
	/* Only the forms asked for. */
	assert_int_equal(segur_date_parse("2023-10-02", 10, SEGUR_DATE_FR,
	    &d), SEGUR_EINVAL);
	assert_int_equal(segur_date_parse("02/10/2023", 10, SEGUR_DATE_ISO |
	    SEGUR_DATE_COMPACT, &d), SEGUR_EINVAL);
	assert_int_equal(segur_date_parse("20231002", 8, SEGUR_DATE_ISO |
	    SEGUR_DATE_FR, &d), SEGUR_EINVAL);
	/* len bounds the text: a longer buffer is read no further. */
	assert_int_equal(segur_date_parse("2023100299", 8, SEGUR_DATE_COMPACT,
	    &d), 0);
	assert_int_equal(segur_date_ymd(&d), 20231002L);
}

static void
test_date_leap_years(void **state)
{
	(void)state;
	assert_true(segur_date_is_leap(2024));
	assert_true(segur_date_is_leap(2000));
	assert_false(segur_date_is_leap(1900));
	assert_false(segur_date_is_leap(2023));
	assert_true(segur_date_valid(2024, 2, 29));
	assert_true(segur_date_valid(2000, 2, 29));
	assert_false(segur_date_valid(1900, 2, 29));
	assert_false(segur_date_valid(2023, 2, 29));
	assert_true(segur_date_valid(2023, 2, 28));
	assert_false(segur_date_valid(0, 1, 1));
	assert_false(segur_date_valid(10000, 1, 1));
	assert_false(segur_date_valid(2023, 11, 31));
	assert_true(segur_date_valid(2023, 12, 31));
	parses_to("29/02/2024", SEGUR_DATE_FR, 2024, 2, 29);
	parses_to("20000229", SEGUR_DATE_COMPACT, 2000, 2, 29);
}

static void
test_date_formats(void **state)
{
	struct segur_date d = { 2023, 10, 2 };
	char	 iso[11], compact[9];

	(void)state;
	segur_date_format_iso(&d, iso);
	assert_string_equal(iso, "2023-10-02");
	segur_date_format_compact(&d, compact);
	assert_string_equal(compact, "20231002");
	assert_int_equal(segur_date_ymd(&d), 20231002L);
}

/* Dates and UTC times of the ledger in French, times in the local zone
 * (a POSIX TZ: no time zone database needed). */
static void
test_date_french_text(void **state)
{
	char	 b[SEGUR_DATE_FR_BUFSZ];
	char	*old = getenv("TZ") != NULL ? strdup(getenv("TZ")) : NULL;

	(void)state;
	setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
	tzset();
	assert_string_equal(segur_date_fr("2023-10-02", b), "02/10/2023");
	/* Summer time, then winter time, across midnight. */
	assert_string_equal(segur_date_fr("2023-10-02T12:05:09Z", b),
	    "02/10/2023 14:05");
	assert_string_equal(segur_date_fr("2023-12-31T23:30:00Z", b),
	    "01/01/2024 00:30");
	assert_string_equal(segur_date_fr("2024-02-29T08:00", b),
	    "29/02/2024 09:00");
	assert_string_equal(segur_date_fr("2024-02-29T08:00:00.250Z", b),
	    "29/02/2024 09:00");
	assert_string_equal(segur_date_fr_time(0, b), "01/01/1970 01:00");
	setenv("TZ", "UTC0", 1);
	tzset();
	assert_string_equal(segur_date_fr("2023-10-02T12:05:09Z", b),
	    "02/10/2023 12:05");
	/* Anything else is refused, out left empty. */
	assert_null(segur_date_fr("2023-02-29", b));
	assert_string_equal(b, "");
	assert_null(segur_date_fr("02/10/2023", b));
	assert_null(segur_date_fr("2023-10-02T25:00Z", b));
	assert_null(segur_date_fr("2023-10-02T12:05Zx", b));
	assert_null(segur_date_fr("2023-10-02 12:05", b));
	assert_null(segur_date_fr("2023-10-02T1", b));
	assert_null(segur_date_fr(NULL, b));
	if (old != NULL)
		setenv("TZ", old, 1);
	else
		unsetenv("TZ");
	tzset();
	free(old);
}

/* UTC times in French whatever TZ says, and the ledger's times read. */
static void
test_date_french_utc(void **state)
{
	char	 b[SEGUR_DATE_FR_BUFSZ];
	char	*old = getenv("TZ") != NULL ? strdup(getenv("TZ")) : NULL;
	time_t	 t = 42;

	(void)state;
	setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
	tzset();
	assert_string_equal(segur_date_fr_utc(0, b), "01/01/1970 00:00");
	assert_int_equal(segur_date_instant("2026-12-07T11:33:59.5Z", &t), 0);
	assert_string_equal(segur_date_fr_utc(t, b), "07/12/2026 11:33");
	assert_string_equal(segur_date_fr_time(t, b), "07/12/2026 12:33");
	assert_int_equal(segur_date_instant("2024-02-29T23:59", &t), 0);
	assert_string_equal(segur_date_fr_utc(t, b), "29/02/2024 23:59");
	assert_int_equal((long long)t, 1709251140LL);
	/* A day alone, another form, a bad hour: refused, t unchanged. */
	assert_int_equal(segur_date_instant("2024-02-29", &t), SEGUR_EINVAL);
	assert_int_equal(segur_date_instant("2023-02-29T10:00Z", &t),
	    SEGUR_EINVAL);
	assert_int_equal(segur_date_instant("2024-02-29T24:00Z", &t),
	    SEGUR_EINVAL);
	assert_int_equal(segur_date_instant("2024-02-29 10:00", &t),
	    SEGUR_EINVAL);
	assert_int_equal(segur_date_instant(NULL, &t), SEGUR_EINVAL);
	assert_int_equal((long long)t, 1709251140LL);
	if (old != NULL)
		setenv("TZ", old, 1);
	else
		unsetenv("TZ");
	tzset();
	free(old);
}

/* Today is the local zone's: 26 hours apart, two zones see other days. */
static void
test_date_today_local_zone(void **state)
{
	struct segur_date east, west;
	char	*old = getenv("TZ") != NULL ? strdup(getenv("TZ")) : NULL;
	int64_t	 diff;

	(void)state;
	setenv("TZ", "EAST-14", 1);
	tzset();
	assert_int_equal(segur_date_today(&east), 0);
	setenv("TZ", "WEST+12", 1);
	tzset();
	assert_int_equal(segur_date_today(&west), 0);
	if (old != NULL)
		setenv("TZ", old, 1);
	else
		unsetenv("TZ");
	tzset();
	free(old);
	assert_true(segur_date_valid(east.year, east.month, east.day));
	diff = segur_date_to_days(&east) - segur_date_to_days(&west);
	assert_true(diff == 1 || diff == 2);
}

static void
test_date_days_arithmetic(void **state)
{
	struct segur_date d, back;
	int64_t	 n, z;
	char	 out[11];

	(void)state;
	assert_int_equal(segur_date_days("1970-01-01", &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(segur_date_days("01/03/2000", &n), 0);
	assert_int_equal(n, 11017);
	segur_date_from_days(11017 - 1, out);
	assert_string_equal(out, "2000-02-29");
	assert_int_equal(segur_date_diff("2023-12-31", "2024-03-01", &n), 0);
	assert_int_equal(n, 61);
	assert_int_equal(segur_date_diff("2024-03-01", "2023-12-31", &n), 0);
	assert_int_equal(n, -61);
	/* Every day from 1900 to 2100 and back. */
	d = (struct segur_date){ 1900, 1, 1 };
	for (z = segur_date_to_days(&d); z < 73415; z++) {
		segur_date_of_days(z, &back);
		if (!segur_date_valid(back.year, back.month, back.day) ||
		    segur_date_to_days(&back) != z)
			fail_msg("day %lld", (long long)z);
	}
	/* segur_date_days(): 1900 or later, ISO or French, nothing else. */
	assert_int_equal(segur_date_days("1899-12-31", &n), SEGUR_EINVAL);
	assert_int_equal(segur_date_days("20231002", &n), SEGUR_EINVAL);
	assert_int_equal(segur_date_days("-024-01-05", &n), SEGUR_EINVAL);
	assert_int_equal(segur_date_days(NULL, &n), SEGUR_EINVAL);
	assert_int_equal(segur_date_diff("2024-01-01", "2023-02-29", &n),
	    SEGUR_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_date_parse_three_forms),
		cmocka_unit_test(test_date_parse_refuses),
		cmocka_unit_test(test_date_leap_years),
		cmocka_unit_test(test_date_formats),
		cmocka_unit_test(test_date_french_text),
		cmocka_unit_test(test_date_french_utc),
		cmocka_unit_test(test_date_today_local_zone),
		cmocka_unit_test(test_date_days_arithmetic),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
