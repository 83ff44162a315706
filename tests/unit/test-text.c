/*
 * test-text.c: folding texts for comparison (text.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "segur/error.h"
#include "segur/text.h"

/* Folds s and checks the result. */
static void
fold_is(const char *s, const char *want)
{
	char	*f;
	size_t	 n;

	if (segur_text_fold(s, strlen(s), &f, &n) != 0)
		fail_msg("\"%s\" not folded", s);
	if (strcmp(f, want) != 0 || n != strlen(want))
		fail_msg("\"%s\" folds to \"%s\", not \"%s\"", s, f, want);
	free(f);
}

static void
test_text_fold_forms(void **state)
{
	(void)state;
	fold_is("Demande acceptée", "demande acceptee");
	fold_is("DEMANDE ACCEPTE\xcc\x81" "E", "demande acceptee");
	fold_is("  a\xc2\xa0\xe2\x80\xaf b\t\r\nc  ", "a b c");
	fold_is("\xe2\x80\xa8x\xe2\x80\xa9", "x");	/* U+2028, U+2029 */
	fold_is("Œuvre Straße", "œuvre strasse");	/* full case folding */
	fold_is("ﬁnal", "final");			/* compatibility */
	fold_is("soft\xc2\xad" "hyphen", "softhyphen");	/* ignorable */
	fold_is("Ça", "ca");
	fold_is("", "");
	fold_is(" \t ", "");
}

static void
test_text_fold_invalid_utf8(void **state)
{
	static const char *const bad[] = {
		"\xff", "a\xc3", "\xc0\xaf", "\xed\xa0\x80",
		"\xf4\x90\x80\x80", "\xe2\x82",
	};
	size_t	 i;
	char	*f = (char *)"x";

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(segur_text_fold(bad[i], strlen(bad[i]), &f,
		    NULL), SEGUR_EINVAL);
		assert_null(f);
		assert_int_equal(segur_text_matches(bad[i], "x"), 0);
	}
}

/* Only len bytes are read: the text need not be NUL-terminated. */
static void
test_text_fold_length_bounded(void **state)
{
	char	*f;

	(void)state;
	assert_int_equal(segur_text_fold("ABCdef", 3, &f, NULL), 0);
	assert_string_equal(f, "abc");
	free(f);
}

static void
test_text_matches(void **state)
{
	(void)state;
	assert_int_equal(segur_text_matches(" Date  DE Commande ",
	    "date de commande"), 1);
	assert_int_equal(segur_text_matches("Date de commandes",
	    "date de commande"), 0);
	assert_int_equal(segur_text_matches(NULL, "x"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_fold_forms),
		cmocka_unit_test(test_text_fold_invalid_utf8),
		cmocka_unit_test(test_text_fold_length_bounded),
		cmocka_unit_test(test_text_matches),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
