/*
 * report.h: HTML pages about the ledger (docs/internals/audit.md, "The
 * report"). The static report (segurctl report --html, audit.h) and
 * segurd's console are written by these functions, so that both look the
 * same and write amounts, dates and states one way, every value escaped.
 *
 * A page is appended to a caller's segur_buf through a struct segur_html,
 * which remembers the first allocation failure: writers return nothing,
 * the caller checks h->err once at the end (as with stdio's ferror()).
 * Pages are static: inline CSS (segur_html_css()), charts as HTML and
 * inline SVG (svg.h), no script, no external resource, no inline style
 * attribute (a Content-Security-Policy of style-src with the stylesheet's
 * hash is enough).
 */
#ifndef SEGUR_REPORT_H
#define SEGUR_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "segur/ledger.h"
#include "segur/util.h"

/* The page being written. */
struct segur_html {
	struct segur_buf *out;		/* borrowed: the page is appended */
	int		 err;		/* 0, or SEGUR_ENOMEM: out is cut */
};

/* Starts writing to out (borrowed for the writer's life). */
void	segur_html_init(struct segur_html *h, struct segur_buf *out);

/* Appends markup as is: s is the program's own text, never a value. */
void	segur_html_raw(struct segur_html *h, const char *s);

/* Appends markup formatted; every %s argument must be the program's own
 * text or already escaped (values go through segur_html_text()). */
void	segur_html_rawf(struct segur_html *h, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* Appends s escaped (segur_html_escape(), svg.h); NULL as "". */
void	segur_html_text(struct segur_html *h, const char *s);

/* Appends cents in French: "13 140,00 €", U+202F between thousands
 * (segur_amount_format_fr()) and U+00A0 before the euro sign. */
void	segur_html_amount(struct segur_html *h, int64_t cents);

/* Appends a ledger date or UTC time in French (segur_date_fr(): local
 * time, "JJ/MM/AAAA HH:MM"), or the text escaped when it is neither. */
void	segur_html_date(struct segur_html *h, const char *text);

/*
 * Opens a table inside a box that scrolls sideways on a narrow screen
 * (the page never does), with a header row of heads[0..n): markup; a
 * head starting with "n:" is a number's column, right-aligned. Rows are
 * the caller's <tr>, with the cells below; segur_html_table_end() closes.
 */
void	segur_html_table_begin(struct segur_html *h, const char *const *heads,
	    size_t n);
void	segur_html_table_end(struct segur_html *h);

/* Cells: text escaped; an amount right-aligned (segur_html_amount());
 * a date or time not wrapped (segur_html_date()). */
void	segur_html_td_text(struct segur_html *h, const char *s);
void	segur_html_td_amount(struct segur_html *h, int64_t cents);
void	segur_html_td_date(struct segur_html *h, const char *text);

/* The stylesheet every page uses (static text, no <style> tag). */
const char *segur_html_css(void);

/*
 * Appends the page's start: doctype, <head> with charset, viewport,
 * title (escaped) and the stylesheet, then <body> and an <h1> of title.
 */
void	segur_html_page_begin(struct segur_html *h, const char *title);

/* Appends footer (the program's own text, may be NULL) in a <footer>,
 * then closes the page. */
void	segur_html_page_end(struct segur_html *h, const char *footer);

/*
 * The dashboard's sections, each a <section> with a fixed id, reading
 * the ledger l (borrowed) in the caller's transaction if any. They return
 * 0 or SEGUR_E* with a cause (an allocation failure shows in h->err
 * instead).
 *
 *   segur_report_states      #etats: requests per state (bars, table)
 *   segur_report_amounts     #montants: segur_ledger_figures()
 *   segur_report_forced      #forces: amounts recorded with --force
 *   segur_report_rejections  #rejets: rejections per ASP code
 *   segur_report_weeks       #semaines: sent and answered per ISO week
 *   segur_report_anomalies   #anomalies: the open anomalies
 *   segur_report_todo        #a-faire: the lists of requests to act on,
 *                            with amounts, dates and the command to run
 */
int	segur_report_states(struct segur_html *h, struct segur_ledger *l,
	    char **cause);
int	segur_report_amounts(struct segur_html *h, struct segur_ledger *l,
	    char **cause);
int	segur_report_forced(struct segur_html *h, struct segur_ledger *l,
	    char **cause);
int	segur_report_rejections(struct segur_html *h, struct segur_ledger *l,
	    char **cause);
int	segur_report_weeks(struct segur_html *h, struct segur_ledger *l,
	    char **cause);
int	segur_report_anomalies(struct segur_html *h, struct segur_ledger *l,
	    char **cause);
int	segur_report_todo(struct segur_html *h, struct segur_ledger *l,
	    char **cause);

/*
 * Every section above, in that order, in one read transaction (every
 * section sees the same ledger): call it outside any transaction of l.
 * Returns 0, or SEGUR_E* with a cause; SEGUR_ENOMEM when h->err is set.
 */
int	segur_report_dashboard(struct segur_html *h, struct segur_ledger *l,
	    char **cause);

#endif /* SEGUR_REPORT_H */
