/*
 * svg.h: charts in HTML and inline SVG, and HTML escaping, for the
 * report's pages (report.h: segurctl report --html, segurd's console). No
 * script, no network: the page must read the same in a browser, printed,
 * or archived for an auditor.
 */
#ifndef SEGUR_SVG_H
#define SEGUR_SVG_H

#include <stddef.h>
#include <stdint.h>

#include "segur/util.h"

/*
 * Appends s with &, <, >, " and ' escaped, and control characters (C0 but
 * TAB, LF and CR; DEL; C1) written visibly as \xHH or \u00HH, as the CSV
 * exports do (csvout.h). Returns 0 or SEGUR_ENOMEM.
 */
int	segur_html_escape(struct segur_buf *out, const char *s);

/* One bar. Strings are borrowed. */
struct segur_chart_bar {
	const char	*label;		/* shown left of the bar */
	int64_t		 value;		/* count, or cents when amounts */
};

#define SEGUR_CHART_AMOUNTS	0x1	/* values are cents: "5 840,00 €" */

/*
 * Appends horizontal bars, one per item, as HTML (a <div class="bars">
 * grid: the label escaped, an inline <svg> whose bar starts at zero on
 * the left and is as long as the value over the largest value, the
 * value); title is the chart's accessible name. Sized by the stylesheet
 * (report.h): the text is the page's. Negative values are drawn as
 * zero-length bars labelled with their value. Returns 0 or SEGUR_ENOMEM.
 */
int	segur_svg_bars(struct segur_buf *out, const char *title,
	    const struct segur_chart_bar *bars, size_t n, unsigned flags);

/*
 * Appends a legend (<p class="legend">, names[s]) and an <svg
 * class="cols"> of grouped columns over time: for each period (xlabels[i],
 * e.g. "2023-S40", shown under a few of them, the latest first) one column
 * per series, series[s][i] high over the largest value (written at the
 * top), each with a <title> for its value. No viewBox: the stylesheet
 * gives its size and its text keeps the page's. At most 4 series.
 */
int	segur_svg_columns(struct segur_buf *out, const char *title,
	    const char *const *xlabels, size_t n, const int64_t *const *series,
	    const char *const *names, size_t nseries);

#endif /* SEGUR_SVG_H */
