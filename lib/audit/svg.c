/*
 * svg.c: charts in HTML and inline SVG, and HTML escaping (svg.h).
 *
 * No viewBox: a chart takes the width the page gives it (CSS, report.h's
 * stylesheet) and its text stays at the page's size, never scaled with
 * the drawing; lengths are in per cent of the chart's box. Colours are
 * few and distinguishable in grey print.
 */
#include <stdio.h>
#include <string.h>

#include "segur/amount.h"
#include "segur/csvout.h"
#include "segur/error.h"
#include "segur/svg.h"

/* Colours of the series, distinguishable in grey print. */
static const char *const colours[] = { "#1f5fa8", "#e08a1e", "#3a9a4a",
    "#a33c3c" };

/* Column chart geometry, in per cent of the SVG's box. */
#define COL_TOP		12	/* where the largest column ends */
#define COL_BASE	84	/* the baseline */
#define COL_LABELS	5	/* at most this many period labels */

int
segur_html_escape(struct segur_buf *out, const char *s)
{
	const char	*p, *run;
	const char	*rep;
	char		 esc[8];
	size_t		 k, skip;
	int		 rc = 0;

	for (run = p = s; *p != '\0'; p++) {
		/* No raw control character in the page (csvout.h). */
		if ((k = segur_control_escape(p, p[1] != '\0' ? 2 : 1,
		    &skip, esc)) > 0) {
			rc |= segur_buf_add(out, run, (size_t)(p - run));
			rc |= segur_buf_add(out, esc, k);
			p += skip - 1;
			run = p + 1;
			continue;
		}
		switch (*p) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			continue;
		}
		rc |= segur_buf_add(out, run, (size_t)(p - run));
		rc |= segur_buf_adds(out, rep);
		run = p + 1;
	}
	rc |= segur_buf_add(out, run, (size_t)(p - run));
	return (rc != 0 ? SEGUR_ENOMEM : 0);
}

/* Writes a value: a count, or euros in French. */
static int
value_text(struct segur_buf *out, int64_t v, unsigned flags)
{
	char	 a[SEGUR_AMOUNT_BUFSZ];

	if (flags & SEGUR_CHART_AMOUNTS)
		return (segur_buf_addf(out, "%s\xc2\xa0\xe2\x82\xac",
		    segur_amount_format_fr(v, a)));
	return (segur_buf_addf(out, "%lld", (long long)v));
}

int
segur_svg_bars(struct segur_buf *out, const char *title,
    const struct segur_chart_bar *bars, size_t n, unsigned flags)
{
	int64_t	 max = 0;
	double	 w;
	size_t	 i;
	int	 rc = 0;

	for (i = 0; i < n; i++)
		if (bars[i].value > max)
			max = bars[i].value;
	rc |= segur_buf_adds(out, "<div class=\"bars\" role=\"figure\" "
	    "aria-label=\"");
	rc |= segur_html_escape(out, title);
	rc |= segur_buf_adds(out, "\">\n");
	for (i = 0; i < n; i++) {
		/* From zero on the left, in per cent of the widest. */
		w = max > 0 && bars[i].value > 0 ? 100.0 *
		    (double)bars[i].value / (double)max : 0;
		if (bars[i].value > 0 && w < 0.5)
			w = 0.5;	/* a non-zero value stays visible */
		rc |= segur_buf_adds(out, "<span class=\"l\">");
		rc |= segur_html_escape(out, bars[i].label);
		rc |= segur_buf_addf(out, "</span><svg aria-hidden=\"true\">"
		    "<rect width=\"%.2f%%\" height=\"100%%\" fill=\"%s\"/>"
		    "</svg><span class=\"v\">", w, colours[0]);
		rc |= value_text(out, bars[i].value, flags);
		rc |= segur_buf_adds(out, "</span>\n");
	}
	rc |= segur_buf_adds(out, "</div>\n");
	return (rc != 0 ? SEGUR_ENOMEM : 0);
}

int
segur_svg_columns(struct segur_buf *out, const char *title,
    const char *const *xlabels, size_t n, const int64_t *const *series,
    const char *const *names, size_t nseries)
{
	int64_t	 max = 0;
	size_t	 i, s, step;
	double	 slot, colw, h;
	int	 rc = 0;

	if (nseries > 4)
		nseries = 4;
	for (s = 0; s < nseries; s++)
		for (i = 0; i < n; i++)
			if (series[s][i] > max)
				max = series[s][i];
	rc |= segur_buf_adds(out, "<p class=\"legend\">");
	for (s = 0; s < nseries; s++) {
		rc |= segur_buf_addf(out, "<svg aria-hidden=\"true\"><rect "
		    "width=\"100%%\" height=\"100%%\" fill=\"%s\"/></svg>",
		    colours[s]);
		rc |= segur_html_escape(out, names[s]);
	}
	/* No viewBox: one unit is one CSS pixel and the text keeps the
	 * page's size; positions are in per cent of the box's width. */
	rc |= segur_buf_adds(out, "</p>\n<svg class=\"cols\" role=\"img\" "
	    "xmlns=\"http://www.w3.org/2000/svg\"><title>");
	rc |= segur_html_escape(out, title);
	rc |= segur_buf_addf(out, "</title><line x1=\"0\" y1=\"%d%%\" "
	    "x2=\"100%%\" y2=\"%d%%\" stroke=\"#bbb\" stroke-dasharray=\"4 4\""
	    "/><line x1=\"0\" y1=\"%d%%\" x2=\"100%%\" y2=\"%d%%\" "
	    "stroke=\"#444\"/><text x=\"0\" y=\"%d%%\">%lld</text>", COL_TOP,
	    COL_TOP, COL_BASE, COL_BASE, COL_TOP - 3, (long long)max);
	slot = n > 0 ? 100.0 / (double)n : 100.0;
	colw = nseries > 0 ? slot * 0.8 / (double)nseries : 0;
	for (i = 0; i < n; i++) {
		for (s = 0; s < nseries; s++) {
			h = max > 0 && series[s][i] > 0 ? (COL_BASE - COL_TOP) *
			    (double)series[s][i] / (double)max : 0;
			rc |= segur_buf_addf(out, "<rect x=\"%.2f%%\" "
			    "y=\"%.2f%%\" width=\"%.2f%%\" height=\"%.2f%%\" "
			    "fill=\"%s\"><title>", slot * ((double)i + 0.1) +
			    colw * (double)s, COL_BASE - h, colw, h,
			    colours[s]);
			rc |= segur_html_escape(out, xlabels[i]);
			rc |= segur_buf_adds(out, " \xe2\x80\x94 ");
			rc |= segur_html_escape(out, names[s]);
			rc |= segur_buf_addf(out, " : %lld</title></rect>",
			    (long long)series[s][i]);
		}
	}
	/* A few period labels, the latest first, each ending at its
	 * column's right edge: at most COL_LABELS fit a phone's width. */
	step = (n + COL_LABELS - 1) / COL_LABELS;
	for (i = n; step > 0 && i >= step; i -= step) {
		rc |= segur_buf_addf(out, "<text x=\"%.2f%%\" y=\"97%%\" "
		    "text-anchor=\"end\">", slot * (double)i);
		rc |= segur_html_escape(out, xlabels[i - 1]);
		rc |= segur_buf_adds(out, "</text>");
	}
	rc |= segur_buf_adds(out, "</svg>\n");
	return (rc != 0 ? SEGUR_ENOMEM : 0);
}
