/*
 * report-html.c: the page writer of report.h: escaping, French amounts,
 * dates and states, the page's head and its stylesheet.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "segur/amount.h"
#include "segur/date.h"
#include "segur/error.h"
#include "segur/report.h"
#include "segur/svg.h"

void
segur_html_init(struct segur_html *h, struct segur_buf *out)
{
	h->out = out;
	h->err = 0;
}

void
segur_html_raw(struct segur_html *h, const char *s)
{
	if (segur_buf_adds(h->out, s) != 0)
		h->err = SEGUR_ENOMEM;
}

void
segur_html_rawf(struct segur_html *h, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	if (segur_buf_vaddf(h->out, fmt, ap) != 0)
		h->err = SEGUR_ENOMEM;
	va_end(ap);
}

void
segur_html_text(struct segur_html *h, const char *s)
{
	if (segur_html_escape(h->out, s != NULL ? s : "") != 0)
		h->err = SEGUR_ENOMEM;
}

void
segur_html_amount(struct segur_html *h, int64_t cents)
{
	char	 b[SEGUR_AMOUNT_BUFSZ];

	/* A no-break space: the euro sign never wraps to a line alone. */
	segur_html_rawf(h, "%s\xc2\xa0\xe2\x82\xac",
	    segur_amount_format_fr(cents, b));
}

void
segur_html_date(struct segur_html *h, const char *text)
{
	char	 b[SEGUR_DATE_FR_BUFSZ];

	if (segur_date_fr(text, b) != NULL)
		segur_html_raw(h, b);
	else
		segur_html_text(h, text);
}

void
segur_html_table_begin(struct segur_html *h, const char *const *heads,
    size_t n)
{
	size_t	 i;

	segur_html_raw(h, "<div class=\"scroll\"><table><tr>");
	for (i = 0; i < n; i++) {
		if (strncmp(heads[i], "n:", 2) == 0)
			segur_html_rawf(h, "<th class=\"n\">%s</th>",
			    heads[i] + 2);
		else
			segur_html_rawf(h, "<th>%s</th>", heads[i]);
	}
	segur_html_raw(h, "</tr>\n");
}

void
segur_html_table_end(struct segur_html *h)
{
	segur_html_raw(h, "</table></div>\n");
}

void
segur_html_td_text(struct segur_html *h, const char *s)
{
	segur_html_raw(h, "<td>");
	segur_html_text(h, s);
	segur_html_raw(h, "</td>");
}

void
segur_html_td_amount(struct segur_html *h, int64_t cents)
{
	segur_html_raw(h, "<td class=\"n\">");
	segur_html_amount(h, cents);
	segur_html_raw(h, "</td>");
}

void
segur_html_td_date(struct segur_html *h, const char *text)
{
	segur_html_raw(h, "<td class=\"nw\">");
	segur_html_date(h, text);
	segur_html_raw(h, "</td>");
}

/*
 * Sizes in em of the body's font: charts and tables read at the text's
 * size on a phone as on a desktop. Wide tables scroll inside their own
 * box (.scroll) so that the page never scrolls sideways.
 */
static const char css[] =
    "body{font:16px/1.45 system-ui,sans-serif;margin:0 auto;"
    "max-width:72em;color:#222;padding:.5em 1em 2em}"
    "h1{font-size:1.5em;margin:.5em 0}"
    "h2{font-size:1.25em;border-bottom:2px solid #1f5fa8;margin-top:2em}"
    "h3{font-size:1.05em;margin:1.5em 0 .3em}"
    "p{margin:.5em 0}"
    ".scroll{overflow-x:auto;margin:.75em 0}"
    "table{border-collapse:collapse}"
    "td,th{border:1px solid #bbb;padding:.2em .5em;text-align:left;"
    "vertical-align:top}"
    "th{background:#eef2f7;font-weight:600}"
    ".n{text-align:right;white-space:nowrap;"
    "font-variant-numeric:tabular-nums}"
    "th.n{white-space:normal}"
    ".nw{white-space:nowrap}"
    ".big{font-size:2em;font-weight:bold}"
    "dl.kpi{display:grid;grid-template-columns:repeat(auto-fill,"
    "minmax(11em,1fr));gap:.75em;margin:1em 0}"
    "dl.kpi div{border:1px solid #bbb;padding:.4em .75em}"
    "dt{font-size:.85em;color:#555}"
    "dd{margin:0;font-size:1.25em;font-weight:bold;white-space:nowrap}"
    /* Bars: label, bar from zero, value; the label above on a phone. */
    ".bars{display:grid;grid-template-columns:fit-content(45%) "
    "minmax(3em,1fr) max-content;gap:.3em .75em;align-items:center;"
    "margin:1em 0}"
    ".bars .l{overflow-wrap:anywhere}"
    ".bars svg{display:block;width:100%;height:1.1em}"
    ".bars .v{text-align:right;white-space:nowrap;"
    "font-variant-numeric:tabular-nums}"
    /* Columns over time: the SVG's own units are CSS pixels (no
     * viewBox), so its text has the body's size at any width. */
    "svg.cols{display:block;width:100%;height:13em;margin:.5em 0}"
    "svg.cols text{font-size:.85em;fill:#222}"
    ".legend svg{width:.8em;height:.8em;margin:0 .3em 0 .8em}"
    ".legend svg:first-child{margin-left:0}"
    "tr.en-retard td{background:#fbe3e3}"
    ".retard{color:#8a1f1f;font-weight:bold}"
    ".cmd{background:#f3f3f3;border-left:3px solid #1f5fa8;"
    "padding:.4em .6em;margin:.5em 0}"
    "code{font-size:.9em;overflow-wrap:anywhere}"
    "footer{margin-top:3em;color:#555;font-size:.9em}"
    /* On a phone a wide table keeps its columns' natural widths and
     * scrolls in its box, rather than squeezing a label into a column
     * one word wide. */
    "@media (max-width:40em){body{padding:.25em .6em 2em}"
    ".bars{grid-template-columns:minmax(3em,1fr) max-content}"
    ".bars .l{grid-column:1/-1;margin-top:.3em}"
    ".scroll table{width:max-content}td{max-width:18em}}"
    "@media print{h2,h3{page-break-after:avoid}.scroll{overflow:visible}"
    "th{background:none}}";

const char *
segur_html_css(void)
{
	return (css);
}

void
segur_html_page_begin(struct segur_html *h, const char *title)
{
	segur_html_raw(h, "<!DOCTYPE html>\n<html lang=\"fr\"><head>"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\""
	    "width=device-width, initial-scale=1\">\n<title>");
	segur_html_text(h, title);
	segur_html_raw(h, "</title>\n<style>");
	segur_html_raw(h, css);
	segur_html_raw(h, "</style></head><body>\n<h1>");
	segur_html_text(h, title);
	segur_html_raw(h, "</h1>\n");
}

void
segur_html_page_end(struct segur_html *h, const char *footer)
{
	if (footer != NULL) {
		segur_html_raw(h, "<footer><p>");
		segur_html_raw(h, footer);
		segur_html_raw(h, "</p></footer>\n");
	}
	segur_html_raw(h, "</body></html>\n");
}
