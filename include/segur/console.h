/*
 * console.h: the pages of segurd's read-only console (docs/console.md),
 * each as HTML or as JSON, built from the ledger with the report's pieces
 * (lib/audit/audit-report.c). The library builds the text; segurd routes,
 * decodes the address and sends it (daemon/console.c).
 *
 * Every page is bounded: a list reads at most its limit (one page), so
 * that it never holds segurd's loop long, whatever the ledger's size.
 * Every value read from the ledger is HTML-escaped (attributes too) and
 * percent-encoded where it goes into a link; the HTML has no script and
 * takes its styles from /console.css only.
 *
 * Each function appends to out and returns 0 or a negative SEGUR_E* with a
 * French *cause (caller frees): SEGUR_ENOENT for a request, or a page's
 * "after" reference, that the ledger does not know.
 */
#ifndef SEGUR_CONSOLE_H
#define SEGUR_CONSOLE_H

#include <stddef.h>

struct segur_buf;
struct segur_ledger;

/* Rows of a list page: the default, and the most a client may ask. */
#define SEGUR_CONSOLE_LIMIT	50
#define SEGUR_CONSOLE_LIMIT_MAX	500

/* What a list page shows; strings borrowed for the call. */
struct segur_console_query {
	int		 state;		/* enum segur_state, or -1: any */
	const char	*q;		/* search, or NULL (requests) */
	const char	*after;		/* requests: the reference the page
					   starts after, or NULL */
	size_t		 offset;	/* files, anomalies: rows skipped */
	size_t		 limit;		/* 1..SEGUR_CONSOLE_LIMIT_MAX */
	int		 all;		/* anomalies: resolved ones too */
};

enum segur_console_format {
	SEGUR_CONSOLE_HTML = 0,
	SEGUR_CONSOLE_JSON = 1
};

/* Appends the style sheet the pages link to (/console.css): the
 * report's, and the console's own rules. 0 or SEGUR_ENOMEM. */
int	segur_console_css(struct segur_buf *out);

/* The dashboard: requests by state with links to their lists, the
 * report's funnel (counts and amounts requested), the search form. */
int	segur_console_dashboard(struct segur_ledger *l, struct segur_buf *out,
	    char **cause);

/*
 * The requests of one state (or all), oldest change first, a page of
 * q->limit after q->after. q->q searches: a reference, a numeroEditeur
 * (of any attempt) or a numeroASP names that one request; otherwise a
 * FINESS juridique selects the OG's requests, else a FINESS géographique
 * those of the ESMS. Nothing found is an empty list, not an error.
 */
int	segur_console_requests(struct segur_ledger *l,
	    const struct segur_console_query *q, enum segur_console_format fmt,
	    struct segur_buf *out, char **cause);

/* One request (key: reference, numeroEditeur or numeroASP) with its
 * history, documents, attempts, decisions and anomalies. */
int	segur_console_request(struct segur_ledger *l, const char *key,
	    enum segur_console_format fmt, struct segur_buf *out,
	    char **cause);

/* The files built and received, oldest first, q->limit after q->offset. */
int	segur_console_files(struct segur_ledger *l,
	    const struct segur_console_query *q, enum segur_console_format fmt,
	    struct segur_buf *out, char **cause);

/* The anomalies (open ones unless q->all), oldest first, a page. */
int	segur_console_anomalies(struct segur_ledger *l,
	    const struct segur_console_query *q, enum segur_console_format fmt,
	    struct segur_buf *out, char **cause);

/*
 * A short page saying what went wrong (status and French message), in the
 * console's look. For 400 and 404 answers.
 */
int	segur_console_error(int status, const char *message,
	    struct segur_buf *out);

#endif /* SEGUR_CONSOLE_H */
