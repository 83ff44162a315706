/*
 * csvout.c: the CSV writer of exports (csvout.h).
 */
#include <stdio.h>
#include <string.h>

#include "segur/amount.h"
#include "segur/csvout.h"
#include "segur/error.h"

static void
put(struct segur_csvw *w, const char *s, size_t n)
{
	if (segur_buf_add(w->out, s, n) != 0)
		w->nomem = 1;
}

static char
sep(const struct segur_csvw *w)
{
	return ((char)(w->dialect == SEGUR_CSV_EXCEL_FR ? ';' : ','));
}

void
segur_csvw_init(struct segur_csvw *w, struct segur_buf *out,
    enum segur_csv_dialect dialect)
{
	w->out = out;
	w->dialect = dialect;
	w->field = 0;
	w->nomem = 0;
	if (dialect == SEGUR_CSV_EXCEL_FR)
		put(w, "\xef\xbb\xbf", 3);
}

/* Writes the separator before every field but the first of a row. */
static void
begin_field(struct segur_csvw *w)
{
	char	 c = sep(w);

	if (w->field++ > 0)
		put(w, &c, 1);
}

/* Writes s[0..n), quoted when it must be, with prefix inside quotes. */
static void
put_field(struct segur_csvw *w, const char *prefix, const char *s, size_t n)
{
	const char	*p, *q;
	size_t		 i;
	int		 quote = 0;

	for (i = 0; i < n && !quote; i++)
		quote = s[i] == sep(w) || s[i] == '"' || s[i] == '\r' ||
		    s[i] == '\n';
	if (n > 0 && (s[0] == ' ' || s[n - 1] == ' '))
		quote = 1;
	if (!quote) {
		put(w, prefix, strlen(prefix));
		put(w, s, n);
		return;
	}
	put(w, "\"", 1);
	put(w, prefix, strlen(prefix));
	for (p = s; (q = memchr(p, '"', n - (size_t)(p - s))) != NULL;
	    p = q + 1) {
		put(w, p, (size_t)(q - p) + 1);
		put(w, "\"", 1);
	}
	put(w, p, n - (size_t)(p - s));
	put(w, "\"", 1);
}

void
segur_csvw_text(struct segur_csvw *w, const char *s)
{
	begin_field(w);
	if (s == NULL)
		return;
	/* A spreadsheet runs these as formulas: make them plain text. */
	put_field(w, strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0' ? "'" :
	    "", s, strlen(s));
}

void
segur_csvw_amount(struct segur_csvw *w, int64_t cents)
{
	char	 b[SEGUR_AMOUNT_BUFSZ], *dot;

	begin_field(w);
	segur_amount_format(cents, b);
	if (w->dialect == SEGUR_CSV_EXCEL_FR && (dot = strchr(b, '.')) != NULL)
		*dot = ',';
	put(w, b, strlen(b));
}

void
segur_csvw_int(struct segur_csvw *w, long long v)
{
	char	 b[32];
	int	 n;

	begin_field(w);
	n = snprintf(b, sizeof(b), "%lld", v);
	put(w, b, (size_t)n);
}

void
segur_csvw_empty(struct segur_csvw *w)
{
	begin_field(w);
}

void
segur_csvw_end_row(struct segur_csvw *w)
{
	put(w, "\r\n", 2);
	w->field = 0;
}

int
segur_csvw_finish(struct segur_csvw *w)
{
	return (w->nomem ? SEGUR_ENOMEM : 0);
}
