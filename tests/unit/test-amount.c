/*
 * test-amount.c: amounts to and from cents, exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "segur/amount.h"
#include "segur/error.h"

/* Parses s as text; returns the cents, failing the test on refusal. */
static int64_t
cents_of(const char *s)
{
	int64_t	 c = -42;

	assert_int_equal(segur_amount_from_text(s, strlen(s), &c), 0);
	return (c);
}

static void
test_amount_text_whole_cents(void **state)
{
	(void)state;
	assert_int_equal(cents_of("5840"), 584000);
	assert_int_equal(cents_of("5840.5"), 584050);
	assert_int_equal(cents_of("5840.00"), 584000);
	assert_int_equal(cents_of("4866.67"), 486667);
	assert_int_equal(cents_of("0.01"), 1);
	assert_int_equal(cents_of("0"), 0);
	assert_int_equal(cents_of("-12.30"), -1230);
	assert_int_equal(cents_of("5.84e3"), 584000);
	assert_int_equal(cents_of("584000E-2"), 584000);
	assert_int_equal(cents_of("5800E-4"), 58);
	assert_int_equal(cents_of("1.5E+1"), 1500);
	assert_int_equal(cents_of("5840.0000000"), 584000);
	assert_int_equal(cents_of("100000000000"), 10000000000000LL);
}

static void
test_amount_text_refuses_finer_than_cent_and_bad_numbers(void **state)
{
	static const char *bad[] = {
		"5840.001", "0.005", "5840.0000000001", "1e-3", "", "-",
		"01", "1.", ".5", "1e", "1e+", "5840,00", "12a", "+1",
		"100000000000.01", "1e20", "NaN", "5840E-5",
	};
	int64_t	 c;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (segur_amount_from_text(bad[i], strlen(bad[i]), &c) !=
		    SEGUR_EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
	}
}

static void
test_amount_double_edge(void **state)
{
	int64_t	 c;

	(void)state;
	assert_int_equal(segur_amount_from_double(4866.67, &c), 0);
	assert_int_equal(c, 486667);
	assert_int_equal(segur_amount_from_double(0.1 + 0.2, &c), 0);
	assert_int_equal(c, 30);
	assert_int_equal(segur_amount_from_double(5840.001, &c), SEGUR_EINVAL);
	assert_int_equal(segur_amount_from_double(1e300, &c), SEGUR_EINVAL);
}

static void
test_amount_format_two_decimals(void **state)
{
	char	 b[SEGUR_AMOUNT_BUFSZ];

	(void)state;
	assert_string_equal(segur_amount_format(584000, b), "5840.00");
	assert_string_equal(segur_amount_format(486667, b), "4866.67");
	assert_string_equal(segur_amount_format(5, b), "0.05");
	assert_string_equal(segur_amount_format(-5, b), "-0.05");
	assert_string_equal(segur_amount_format(INT64_MIN, b),
	    "-92233720368547758.08");
	assert_string_equal(segur_amount_format_fr(584000, b),
	    "5\xe2\x80\xaf" "840,00");
	assert_string_equal(segur_amount_format_fr(123456789, b),
	    "1\xe2\x80\xaf" "234\xe2\x80\xaf" "567,89");
	assert_string_equal(segur_amount_format_fr(99, b), "0,99");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_amount_text_whole_cents),
		cmocka_unit_test(
		    test_amount_text_refuses_finer_than_cent_and_bad_numbers),
		cmocka_unit_test(test_amount_double_edge),
		cmocka_unit_test(test_amount_format_two_decimals),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
