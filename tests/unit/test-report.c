/*
 * test-report.c: the page writer and the dashboard (report.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/report.h"
#include "segur/util.h"

#include "helper-ledger.h"

/* The buffer as a C string. */
static const char *
text(struct segur_buf *b)
{
	assert_int_equal(segur_buf_add(b, "", 1), 0);
	b->len--;
	return (b->data);
}

static void
test_report_values_escaped_and_french(void **state)
{
	struct segur_buf b = SEGUR_BUF_INIT;
	struct segur_html h;
	char	*old = getenv("TZ") != NULL ? strdup(getenv("TZ")) : NULL;

	(void)state;
	setenv("TZ", "UTC0", 1);
	tzset();
	segur_html_init(&h, &b);
	segur_html_text(&h, "<b>L'OG & \"co\"</b>\x1b");
	segur_html_text(&h, NULL);
	segur_html_raw(&h, "|");
	segur_html_amount(&h, 1314000);
	segur_html_raw(&h, "|");
	segur_html_amount(&h, -5);
	segur_html_raw(&h, "|");
	segur_html_date(&h, "2023-10-02T08:30:00Z");
	segur_html_raw(&h, "|");
	segur_html_date(&h, "2024-11-19");
	segur_html_raw(&h, "|");
	/* Not a date: shown as it is, escaped. */
	segur_html_date(&h, "hier <soir>");
	assert_int_equal(h.err, 0);
	assert_string_equal(text(&b), "&lt;b&gt;L&#39;OG &amp; &quot;co&quot;"
	    "&lt;/b&gt;\\x1b|13\xe2\x80\xaf" "140,00\xc2\xa0\xe2\x82\xac|"
	    "-0,05\xc2\xa0\xe2\x82\xac|02/10/2023 08:30|19/11/2024|"
	    "hier &lt;soir&gt;");
	if (old != NULL)
		setenv("TZ", old, 1);
	else
		unsetenv("TZ");
	tzset();
	free(old);
	segur_buf_release(&b);
}

static void
test_report_state_labels_french(void **state)
{
	int	 s;

	(void)state;
	for (s = 0; s < SEGUR_STATE_COUNT; s++)
		assert_non_null(segur_state_label((enum segur_state)s));
	assert_string_equal(segur_state_label(SEGUR_STATE_ADVANCE_PAID),
	    "avance versée");
	assert_null(segur_state_label(SEGUR_STATE_COUNT));
}

static void
test_report_page_and_table(void **state)
{
	static const char *const heads[] = { "réf", "n:montant" };
	struct segur_buf b = SEGUR_BUF_INIT;
	struct segur_html h;
	const char	*t;

	(void)state;
	segur_html_init(&h, &b);
	segur_html_page_begin(&h, "Registre <test>");
	segur_html_table_begin(&h, heads, 2);
	segur_html_raw(&h, "<tr>");
	segur_html_td_text(&h, "a&b");
	segur_html_td_amount(&h, 100);
	segur_html_raw(&h, "</tr>");
	segur_html_table_end(&h);
	segur_html_page_end(&h, "pied");
	t = text(&b);
	assert_memory_equal(t, "<!DOCTYPE html>", 15);
	assert_non_null(strstr(t, "<title>Registre &lt;test&gt;</title>"));
	assert_non_null(strstr(t, segur_html_css()));
	assert_non_null(strstr(t, "<div class=\"scroll\"><table><tr><th>réf"
	    "</th><th class=\"n\">montant</th></tr>"));
	assert_non_null(strstr(t, "<td>a&amp;b</td><td class=\"n\">1,00"));
	assert_non_null(strstr(t, "<footer><p>pied</p></footer>"));
	assert_string_equal(t + strlen(t) - 15, "</body></html>\n");
	segur_buf_release(&b);
}

/* An empty ledger: every section, no inline style, no script. */
static void
test_report_dashboard_empty_ledger(void **state)
{
	struct helper_ledger *f = *state;
	struct segur_buf b = SEGUR_BUF_INIT;
	struct segur_html h;
	const char	*t;

	segur_html_init(&h, &b);
	assert_int_equal(segur_report_dashboard(&h, f->l, NULL), 0);
	t = text(&b);
	assert_non_null(strstr(t, "<section id=\"etats\">"));
	assert_non_null(strstr(t, "id=\"total-demandes\">0<"));
	assert_non_null(strstr(t, "id=\"montant-demande\">0,00\xc2\xa0"));
	assert_non_null(strstr(t, "<section id=\"rejets\"><h2>Rejets par code "
	    "de l'ASP</h2>\n<p>Aucun rejet.</p>"));
	assert_non_null(strstr(t, "Aucun envoi."));
	assert_non_null(strstr(t, "<h3 id=\"a-faire-advance_paid\">Avance "
	    "versée, solde à demander (0)</h3>\n<p>Aucune.</p>"));
	assert_null(strstr(t, "style="));
	assert_null(strstr(t, "<script"));
	assert_null(strstr(t, "viewBox"));
	/* Its transaction is over: the ledger takes another. */
	assert_int_equal(segur_report_dashboard(&h, f->l, NULL), 0);
	segur_buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_values_escaped_and_french),
		cmocka_unit_test(test_report_state_labels_french),
		cmocka_unit_test(test_report_page_and_table),
		cmocka_unit_test_setup_teardown(
		    test_report_dashboard_empty_ledger, helper_ledger_setup,
		    helper_ledger_teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
