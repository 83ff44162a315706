/*
 * test-csvout.c: the CSV writer: dialects, quoting, formula injection,
 * amounts never neutralized, control characters made visible.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "segur/csvout.h"

static void
test_csvout_excel_fr_bom_semicolon_decimal_comma(void **state)
{
	struct segur_buf out = SEGUR_BUF_INIT;
	struct segur_csvw w;

	(void)state;
	segur_csvw_init(&w, &out, SEGUR_CSV_EXCEL_FR);
	segur_csvw_text(&w, "référence");
	segur_csvw_text(&w, "montant");
	segur_csvw_end_row(&w);
	segur_csvw_text(&w, "BC-2023-0042");
	segur_csvw_amount(&w, 486667);
	segur_csvw_int(&w, 3);
	segur_csvw_empty(&w);
	segur_csvw_text(&w, NULL);
	segur_csvw_end_row(&w);
	assert_int_equal(segur_csvw_finish(&w), 0);
	assert_string_equal(out.data, "\xef\xbb\xbfréférence;montant\r\n"
	    "BC-2023-0042;4866,67;3;;\r\n");
	segur_buf_release(&out);
}

static void
test_csvout_rfc4180_comma_point_no_bom(void **state)
{
	struct segur_buf out = SEGUR_BUF_INIT;
	struct segur_csvw w;

	(void)state;
	segur_csvw_init(&w, &out, SEGUR_CSV_RFC4180);
	segur_csvw_text(&w, "a;b");
	segur_csvw_text(&w, "c,d");
	segur_csvw_amount(&w, -1230);
	segur_csvw_end_row(&w);
	/* ';' needs no quotes here, ',' does; amounts keep their sign. */
	assert_string_equal(out.data, "a;b,\"c,d\",-12.30\r\n");
	segur_buf_release(&out);
}

static void
test_csvout_quotes_what_needs_it(void **state)
{
	struct segur_buf out = SEGUR_BUF_INIT;
	struct segur_csvw w;

	(void)state;
	segur_csvw_init(&w, &out, SEGUR_CSV_RFC4180);
	segur_csvw_text(&w, "Le FINESS \"590004016\" n'est pas éligible");
	segur_csvw_text(&w, "ligne 1\nligne 2");
	segur_csvw_text(&w, " espace");
	segur_csvw_text(&w, "plain");
	segur_csvw_text(&w, "\"");
	segur_csvw_end_row(&w);
	assert_string_equal(out.data, "\"Le FINESS \"\"590004016\"\" n'est "
	    "pas éligible\",\"ligne 1\nligne 2\",\" espace\",plain,"
	    "\"\"\"\"\r\n");
	segur_buf_release(&out);
}

static void
test_csvout_neutralizes_formulas_in_text_only(void **state)
{
	struct segur_buf out = SEGUR_BUF_INIT;
	struct segur_csvw w;

	(void)state;
	segur_csvw_init(&w, &out, SEGUR_CSV_EXCEL_FR);
	segur_csvw_text(&w, "=HYPERLINK(\"http://x\";\"clic\")");
	segur_csvw_text(&w, "+33 1 23 45 67 89");
	segur_csvw_text(&w, "-2+3");
	segur_csvw_text(&w, "@SUM(A1)");
	segur_csvw_text(&w, "\tx");
	segur_csvw_text(&w, "a=b");
	segur_csvw_amount(&w, -500);
	segur_csvw_end_row(&w);
	assert_string_equal(out.data, "\xef\xbb\xbf\"'=HYPERLINK(\"\"http://x"
	    "\"\";\"\"clic\"\")\";'+33 1 23 45 67 89;'-2+3;'@SUM(A1);'\tx;a=b;"
	    "-5,00\r\n");
	segur_buf_release(&out);
}

static void
test_csvout_control_characters_made_visible(void **state)
{
	struct segur_buf out = SEGUR_BUF_INIT;
	struct segur_csvw w;

	(void)state;
	segur_csvw_init(&w, &out, SEGUR_CSV_RFC4180);
	/* BEL, ESC (a terminal's colour), DEL, a C1 CSI; TAB kept. */
	segur_csvw_text(&w, "ding\a\x1b[31mrouge\x7f\xc2\x9b" "fin\tok");
	/* Inside quotes too, and at the start (no formula apostrophe). */
	segur_csvw_text(&w, "\x01\"a\"\x1f");
	segur_csvw_text(&w, "été \xc2\xa0 ok");
	segur_csvw_end_row(&w);
	assert_int_equal(segur_csvw_finish(&w), 0);
	assert_string_equal(out.data, "ding\\x07\\x1b[31mrouge\\x7f"
	    "\\u009bfin\tok,\"\\x01\"\"a\"\"\\x1f\",été \xc2\xa0 ok\r\n");
	assert_null(memchr(out.data, 0x1b, out.len));
	assert_null(memchr(out.data, 0x07, out.len));
	segur_buf_release(&out);
}

static void
test_csvout_identifiers_keep_leading_zeros(void **state)
{
	struct segur_buf out = SEGUR_BUF_INIT;
	struct segur_csvw w;
	const char	*row1;
	char		 long_id[SEGUR_CSV_ID_MAX + 2], row2[600];

	(void)state;
	memset(long_id, '0', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	segur_csvw_init(&w, &out, SEGUR_CSV_EXCEL_FR);
	segur_csvw_id(&w, "00001");
	segur_csvw_id(&w, "330001017,330001025");
	/* A formula's text constant: "=" inside is no formula. */
	segur_csvw_id(&w, "=cmd");
	segur_csvw_id(&w, NULL);
	/* Quote, separator: plain text, neutralized as text is. */
	segur_csvw_id(&w, "a\"b");
	segur_csvw_id(&w, "-a;b");
	segur_csvw_end_row(&w);
	segur_csvw_id(&w, long_id + 1);		/* 255: still a formula */
	segur_csvw_id(&w, long_id);		/* 256: plain */
	segur_csvw_end_row(&w);
	assert_int_equal(segur_csvw_finish(&w), 0);
	row1 = "\xef\xbb\xbf=\"00001\";=\"330001017,330001025\";=\"=cmd\";;"
	    "\"a\"\"b\";\"'-a;b\"\r\n";
	assert_int_equal(strncmp(out.data, row1, strlen(row1)), 0);
	snprintf(row2, sizeof(row2), "=\"%s\";%s\r\n", long_id + 1, long_id);
	assert_string_equal(out.data + strlen(row1), row2);
	segur_buf_release(&out);

	/* RFC 4180: bare, for programs. */
	segur_csvw_init(&w, &out, SEGUR_CSV_RFC4180);
	segur_csvw_id(&w, "00001");
	segur_csvw_id(&w, "010000123");
	segur_csvw_end_row(&w);
	assert_string_equal(out.data, "00001,010000123\r\n");
	segur_buf_release(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_csvout_excel_fr_bom_semicolon_decimal_comma),
		cmocka_unit_test(test_csvout_rfc4180_comma_point_no_bom),
		cmocka_unit_test(test_csvout_quotes_what_needs_it),
		cmocka_unit_test(test_csvout_neutralizes_formulas_in_text_only),
		cmocka_unit_test(test_csvout_control_characters_made_visible),
		cmocka_unit_test(test_csvout_identifiers_keep_leading_zeros),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
