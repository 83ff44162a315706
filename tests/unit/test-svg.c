/*
 * test-svg.c: HTML escaping and SVG charts (scaling, labels, escaping).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "segur/svg.h"

static void
test_svg_html_escape(void **state)
{
	struct segur_buf b = SEGUR_BUF_INIT;

	(void)state;
	assert_int_equal(segur_html_escape(&b, "<a href=\"x\">L'OG & co</a>"),
	    0);
	assert_string_equal(b.data, "&lt;a href=&quot;x&quot;&gt;L&#39;OG "
	    "&amp; co&lt;/a&gt;");
	segur_buf_release(&b);
}

static void
test_svg_html_escape_control_characters(void **state)
{
	struct segur_buf b = SEGUR_BUF_INIT;

	(void)state;
	assert_int_equal(segur_html_escape(&b, "\x1b[2Jtitre\a<b>\x7f"
	    "\xc2\x85\tfin\n\xc3\xa9"), 0);
	assert_string_equal(b.data, "\\x1b[2Jtitre\\x07&lt;b&gt;\\x7f"
	    "\\u0085\tfin\n\xc3\xa9");
	segur_buf_release(&b);
	/* A lone 0xc2 at the end is no C1 control: kept. */
	assert_int_equal(segur_html_escape(&b, "x\xc2"), 0);
	assert_string_equal(b.data, "x\xc2");
	segur_buf_release(&b);
}

/* Counts occurrences of needle in hay. */
static int
count(const char *hay, const char *needle)
{
	int	 n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return (n);
}

static void
test_svg_bars_scale_to_max_and_label(void **state)
{
	struct segur_buf b = SEGUR_BUF_INIT;
	struct segur_chart_bar bars[] = {
		{ "brouillon", 10 }, { "acceptée", 40 }, { "rejetée <E12>", 0 },
	};

	(void)state;
	assert_int_equal(segur_svg_bars(&b, "Demandes par état", bars, 3, 0),
	    0);
	assert_int_equal(segur_buf_add(&b, "", 1), 0);
	assert_int_equal(count(b.data, "<rect "), 3);
	/* From zero, in per cent of the largest bar; no viewBox anywhere:
	 * the labels are HTML text at the page's size. */
	assert_non_null(strstr(b.data, "<rect width=\"100.00%\""));
	assert_non_null(strstr(b.data, "<rect width=\"25.00%\""));
	assert_non_null(strstr(b.data, "<rect width=\"0.00%\""));
	assert_null(strstr(b.data, "viewBox"));
	assert_null(strstr(b.data, " x=\""));
	assert_non_null(strstr(b.data, "<span class=\"l\">rejetée &lt;E12&gt;"
	    "</span>"));
	assert_non_null(strstr(b.data, "aria-label=\"Demandes par état\""));
	assert_non_null(strstr(b.data, "<span class=\"v\">40</span>"));
	assert_int_equal(strncmp(b.data, "<div class=\"bars\"", 17), 0);
	segur_buf_release(&b);
}

static void
test_svg_amounts_tiny_bar_visible(void **state)
{
	struct segur_buf b = SEGUR_BUF_INIT;
	struct segur_chart_bar bars[] = {
		{ "demandé", 1314000000 }, { "accordé", 100 },
	};

	(void)state;
	assert_int_equal(segur_svg_bars(&b, "Montants", bars, 2,
	    SEGUR_CHART_AMOUNTS), 0);
	assert_int_equal(segur_buf_add(&b, "", 1), 0);
	/* "13 140 000,00 €": U+202F between thousands, U+00A0 before €. */
	assert_non_null(strstr(b.data, ">13\xe2\x80\xaf" "140\xe2\x80\xaf"
	    "000,00\xc2\xa0\xe2\x82\xac</span>"));
	/* A non-zero value stays visible. */
	assert_non_null(strstr(b.data, "<rect width=\"0.50%\""));
	segur_buf_release(&b);
}

static void
test_svg_columns_series_and_legend(void **state)
{
	struct segur_buf b = SEGUR_BUF_INIT;
	const char *weeks[] = { "2023-S40", "2023-S41" };
	const int64_t sent[] = { 4, 2 }, answered[] = { 0, 4 };
	const int64_t *series[] = { sent, answered };
	const char *names[] = { "déposées", "réponses" };

	(void)state;
	assert_int_equal(segur_svg_columns(&b, "Par semaine", weeks, 2,
	    series, names, 2), 0);
	assert_int_equal(segur_buf_add(&b, "", 1), 0);
	assert_int_equal(count(b.data, "<rect "), 4 + 2);
	/* Heights in per cent of the box, from the baseline at 84 %. */
	assert_non_null(strstr(b.data, "y=\"12.00%\" width=\"20.00%\" "
	    "height=\"72.00%\""));
	assert_non_null(strstr(b.data, "y=\"48.00%\" width=\"20.00%\" "
	    "height=\"36.00%\""));
	assert_non_null(strstr(b.data, "<title>2023-S41 \xe2\x80\x94 "
	    "réponses : 4</title>"));
	assert_non_null(strstr(b.data, "text-anchor=\"end\">2023-S41</text>"));
	assert_null(strstr(b.data, "viewBox"));
	assert_non_null(strstr(b.data, "<p class=\"legend\">"));
	segur_buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_svg_html_escape),
		cmocka_unit_test(test_svg_html_escape_control_characters),
		cmocka_unit_test(test_svg_bars_scale_to_max_and_label),
		cmocka_unit_test(test_svg_amounts_tiny_bar_visible),
		cmocka_unit_test(test_svg_columns_series_and_legend),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
