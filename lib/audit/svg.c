/*
 * svg.c: inline SVG charts and HTML escaping (svg.h).
 *
 * Coordinates are integers in a fixed viewBox; the page scales the SVG to
 * its width. Colours are few and distinguishable in grey print.
 */
#include <stdio.h>
#include <string.h>

#include "segur/amount.h"
#include "segur/csvout.h"
#include "segur/error.h"
#include "segur/svg.h"

#define BAR_H		22	/* height of one bar row */
#define BAR_GAP		6
#define LABEL_W		260	/* room for labels left of the bars */
#define VALUE_W		140	/* room for values right of the bars */
#define PLOT_W		400
#define COL_H		180	/* height of the column plot */

static const char *const colours[] = { "#1f5fa8", "#e08a1e", "#3a9a4a",
    "#a33c3c" };

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

/* Formats a value for a label: a count, or euros in French. */
static void
value_text(int64_t v, unsigned flags, char *b, size_t len)
{
	char	 a[SEGUR_AMOUNT_BUFSZ];

	if (flags & SEGUR_CHART_AMOUNTS)
		snprintf(b, len, "%s\xc2\xa0\xe2\x82\xac",
		    segur_amount_format_fr(v, a));
	else
		snprintf(b, len, "%lld", (long long)v);
}

int
segur_svg_bars(struct segur_buf *out, const char *title,
    const struct segur_chart_bar *bars, size_t n, unsigned flags)
{
	char	 val[64];
	int64_t	 max = 0;
	size_t	 i;
	long	 w, x, y, height;
	int	 rc = 0;

	for (i = 0; i < n; i++)
		if (bars[i].value > max)
			max = bars[i].value;
	height = (long)n * (BAR_H + BAR_GAP) + BAR_GAP;
	rc |= segur_buf_addf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "role=\"img\" viewBox=\"0 0 %d %ld\" class=\"chart\">"
	    "<title>", LABEL_W + PLOT_W + VALUE_W, height);
	rc |= segur_html_escape(out, title);
	rc |= segur_buf_adds(out, "</title>");
	for (i = 0; i < n; i++) {
		y = BAR_GAP + (long)i * (BAR_H + BAR_GAP);
		w = max > 0 && bars[i].value > 0 ? (long)((double)PLOT_W *
		    (double)bars[i].value / (double)max) : 0;
		if (bars[i].value > 0 && w < 2)
			w = 2;	/* a non-zero value stays visible */
		x = LABEL_W + ((flags & SEGUR_CHART_FUNNEL) ?
		    (PLOT_W - w) / 2 : 0);
		value_text(bars[i].value, flags, val, sizeof(val));
		rc |= segur_buf_addf(out, "<g><text x=\"%d\" y=\"%ld\" "
		    "text-anchor=\"end\" font-size=\"13\">", LABEL_W - 8,
		    y + BAR_H - 6);
		rc |= segur_html_escape(out, bars[i].label);
		rc |= segur_buf_addf(out, "</text><rect x=\"%ld\" y=\"%ld\" "
		    "width=\"%ld\" height=\"%d\" fill=\"%s\"/>"
		    "<text x=\"%d\" y=\"%ld\" font-size=\"13\" "
		    "class=\"value\">%s</text></g>", x, y, w, BAR_H,
		    colours[0], LABEL_W + PLOT_W + 8, y + BAR_H - 6, val);
	}
	rc |= segur_buf_adds(out, "</svg>");
	return (rc != 0 ? SEGUR_ENOMEM : 0);
}

int
segur_svg_columns(struct segur_buf *out, const char *title,
    const char *const *xlabels, size_t n, const int64_t *const *series,
    const char *const *names, size_t nseries)
{
	int64_t	 max = 0;
	size_t	 i, s;
	long	 slot, colw, width, h, x;
	int	 rc = 0;

	if (nseries > 4)
		nseries = 4;
	for (s = 0; s < nseries; s++)
		for (i = 0; i < n; i++)
			if (series[s][i] > max)
				max = series[s][i];
	colw = 14;
	slot = colw * (long)nseries + 16;
	width = 60 + slot * (long)(n > 0 ? n : 1) + 20;
	rc |= segur_buf_addf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "role=\"img\" viewBox=\"0 0 %ld %d\" class=\"chart\"><title>",
	    width, COL_H + 80);
	rc |= segur_html_escape(out, title);
	rc |= segur_buf_addf(out, "</title><line x1=\"50\" y1=\"%d\" "
	    "x2=\"%ld\" y2=\"%d\" stroke=\"#444\"/><text x=\"44\" y=\"24\" "
	    "text-anchor=\"end\" font-size=\"11\">%lld</text>",
	    COL_H + 20, width - 10, COL_H + 20, (long long)max);
	for (i = 0; i < n; i++) {
		x = 60 + slot * (long)i;
		for (s = 0; s < nseries; s++) {
			h = max > 0 && series[s][i] > 0 ? (long)((double)COL_H *
			    (double)series[s][i] / (double)max) : 0;
			rc |= segur_buf_addf(out, "<rect x=\"%ld\" y=\"%ld\" "
			    "width=\"%ld\" height=\"%ld\" fill=\"%s\"><title>",
			    x + colw * (long)s, COL_H + 20 - h, colw - 2, h,
			    colours[s]);
			rc |= segur_html_escape(out, names[s]);
			rc |= segur_buf_addf(out, " : %lld</title></rect>",
			    (long long)series[s][i]);
		}
		rc |= segur_buf_addf(out, "<text x=\"%ld\" y=\"%d\" "
		    "font-size=\"10\" transform=\"rotate(45 %ld %d)\">", x,
		    COL_H + 34, x, COL_H + 34);
		rc |= segur_html_escape(out, xlabels[i]);
		rc |= segur_buf_adds(out, "</text>");
	}
	for (s = 0; s < nseries; s++) {
		rc |= segur_buf_addf(out, "<rect x=\"%ld\" y=\"4\" width=\"10\" "
		    "height=\"10\" fill=\"%s\"/><text x=\"%ld\" y=\"13\" "
		    "font-size=\"11\">", 60 + 150 * (long)s, colours[s],
		    74 + 150 * (long)s);
		rc |= segur_html_escape(out, names[s]);
		rc |= segur_buf_adds(out, "</text>");
	}
	rc |= segur_buf_adds(out, "</svg>");
	return (rc != 0 ? SEGUR_ENOMEM : 0);
}
