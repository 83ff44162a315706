/*
 * svg.h: charts drawn as inline SVG, and HTML escaping, for the static
 * report (segurctl report --html). No script, no network: the page must
 * read the same in a browser, printed, or archived for an auditor.
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
#define SEGUR_CHART_FUNNEL	0x2	/* bars centred: a funnel */

/*
 * Appends an <svg> of horizontal bars, one per item, scaled to the
 * largest value, each labelled with its value; title is the chart's
 * accessible title. Negative values are drawn as zero-length bars
 * labelled with their value. Returns 0 or SEGUR_ENOMEM.
 */
int	segur_svg_bars(struct segur_buf *out, const char *title,
	    const struct segur_chart_bar *bars, size_t n, unsigned flags);

/*
 * Appends an <svg> of grouped columns over time: for each period
 * (xlabels[i], e.g. "2023-S40") one column per series, series[s][i]
 * high, with a legend of names[s]. At most 4 series.
 */
int	segur_svg_columns(struct segur_buf *out, const char *title,
	    const char *const *xlabels, size_t n, const int64_t *const *series,
	    const char *const *names, size_t nseries);

#endif /* SEGUR_SVG_H */
