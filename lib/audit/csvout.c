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

size_t
segur_control_escape(const char *s, size_t n, size_t *skip, char esc[8])
{
	const unsigned char *u = (const unsigned char *)s;

	if (u[0] < 0x20 && u[0] != '\t' && u[0] != '\n' && u[0] != '\r') {
		*skip = 1;
		return ((size_t)snprintf(esc, 8, "\\x%02x", u[0]));
	}
	if (u[0] == 0x7f) {
		*skip = 1;
		return ((size_t)snprintf(esc, 8, "\\x7f"));
	}
	/* C1 controls, U+0080..U+009F: 0xc2 0x80..0x9f in UTF-8. */
	if (n >= 2 && u[0] == 0xc2 && u[1] >= 0x80 && u[1] <= 0x9f) {
		*skip = 2;
		return ((size_t)snprintf(esc, 8, "\\u%04x", u[1]));
	}
	return (0);
}

/* Appends s[0..n) with its control characters made visible. */
static void
put_text(struct segur_csvw *w, const char *s, size_t n)
{
	const char	*run = s, *p = s, *end = s + n;
	char		 esc[8];
	size_t		 k, skip;

	while (p < end) {
		if ((k = segur_control_escape(p, (size_t)(end - p), &skip,
		    esc)) == 0) {
			p++;
			continue;
		}
		put(w, run, (size_t)(p - run));
		put(w, esc, k);
		p += skip;
		run = p;
	}
	put(w, run, (size_t)(p - run));
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
		put_text(w, s, n);
		return;
	}
	put(w, "\"", 1);
	put(w, prefix, strlen(prefix));
	for (p = s; (q = memchr(p, '"', n - (size_t)(p - s))) != NULL;
	    p = q + 1) {
		put_text(w, p, (size_t)(q - p) + 1);
		put(w, "\"", 1);
	}
	put_text(w, p, n - (size_t)(p - s));
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

/*
 * Can s be written inside ="..." as it is: short enough for Excel's
 * formulas (255 characters in a text constant; counted here in bytes, which
 * is stricter), nothing to quote or escape?
 */
static int
id_formula_fits(const struct segur_csvw *w, const char *s, size_t n)
{
	size_t	 i;

	if (n == 0 || n > SEGUR_CSV_ID_MAX)
		return (0);
	for (i = 0; i < n; i++)
		if (s[i] == '"' || s[i] == sep(w) ||
		    (unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return (0);
	return (1);
}

void
segur_csvw_id(struct segur_csvw *w, const char *s)
{
	if (s == NULL || w->dialect != SEGUR_CSV_EXCEL_FR ||
	    !id_formula_fits(w, s, strlen(s))) {
		segur_csvw_text(w, s);
		return;
	}
	begin_field(w);
	put(w, "=\"", 2);
	put_text(w, s, strlen(s));
	put(w, "\"", 1);
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
