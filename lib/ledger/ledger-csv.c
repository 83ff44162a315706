/*
 * ledger-csv.c: CSV input of the ledger (libcsv) and the reference data it
 * loads: messaging operators, eligible ESMS, tranche amounts.
 */
#include <iconv.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <csv.h>
#include <sqlite3.h>
#include <utf8proc.h>

#include "segur/amount.h"
#include "segur/embedded.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "ledger/ledger-int.h"

/* The messaging operators a new ledger starts with. */
#define OPERATORS_CSV		"sql/ref/operateurs-messagerie.csv"

void
segur_csv_errors_release(struct segur_csv_errors *e)
{
	size_t	 i;

	for (i = 0; i < e->n; i++) {
		free(e->v[i].column);
		free(e->v[i].message);
	}
	free(e->v);
	e->v = NULL;
	e->n = 0;
}

int
segur__csv_error(struct segur_csv_errors *e, long row, const char *column,
    const char *fmt, ...)
{
	struct segur_csv_error *v;
	struct segur_buf b = SEGUR_BUF_INIT;
	va_list	 ap;
	int	 rc;

	va_start(ap, fmt);
	rc = segur_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (rc != 0 || (v = realloc(e->v, (e->n + 1) * sizeof(*v))) == NULL) {
		segur_buf_release(&b);
		return (SEGUR_ENOMEM);
	}
	e->v = v;
	v[e->n].row = row;
	v[e->n].column = NULL;
	if (column != NULL && (v[e->n].column = strdup(column)) == NULL) {
		segur_buf_release(&b);
		return (SEGUR_ENOMEM);
	}
	if ((v[e->n].message = segur_buf_detach(&b)) == NULL) {
		free(v[e->n].column);
		return (SEGUR_ENOMEM);
	}
	e->n++;
	return (0);
}

/*
 * The offset of the first byte of s[0..n) that is not valid UTF-8 (an
 * overlong form, a surrogate, a truncated sequence), or n.
 */
static size_t
utf8_bad(const unsigned char *s, size_t n)
{
	size_t	 i = 0, k, need;
	uint32_t cp;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf) {
			need = 1;
			cp = s[i] & 0x1f;
		} else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			need = 2;
			cp = s[i] & 0x0f;
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			need = 3;
			cp = s[i] & 0x07;
		} else
			return (i);
		for (k = 1; k <= need; k++) {
			if (i + k >= n || (s[i + k] & 0xc0) != 0x80)
				return (i);
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 &&
		    cp <= 0xdfff))) || (need == 3 && (cp < 0x10000 ||
		    cp > 0x10ffff)))
			return (i);
		i += need + 1;
	}
	return (n);
}

/* The line of the file (1-based) that holds byte off. */
static long
line_of(const char *buf, size_t off)
{
	const char	*p = buf, *end = buf + off;
	long		 line = 1;

	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		line++;
		p++;
	}
	return (line);
}

/*
 * Converts Windows-1252 buf[0..len) to UTF-8 into *out (malloc'ed,
 * NUL-terminated). French Excel's "CSV (séparateur : point-virgule)" writes
 * this code page. SEGUR_EINVAL with *bad at the first byte it leaves
 * undefined (0x81, 0x8d, 0x8f, 0x90, 0x9d), SEGUR_ENOMEM, or 0.
 */
static int
cp1252_to_utf8(const char *buf, size_t len, char **out, size_t *outlen,
    size_t *bad)
{
	iconv_t	 cd;
	char	*in = (char *)buf, *o, *res;
	size_t	 inleft = len, oleft, cap = len * 3 + 1;
	int	 rc = 0;

	*out = NULL;
	if ((res = malloc(cap)) == NULL)
		return (SEGUR_ENOMEM);
	if ((cd = iconv_open("UTF-8", "WINDOWS-1252")) == (iconv_t)-1) {
		free(res);
		return (SEGUR_ENOMEM);
	}
	o = res;
	oleft = cap - 1;
	if (iconv(cd, &in, &inleft, &o, &oleft) == (size_t)-1) {
		/* Every byte takes at most 3 in UTF-8: only EILSEQ. */
		*bad = (size_t)(in - buf);
		rc = SEGUR_EINVAL;
	}
	iconv_close(cd);
	if (rc != 0) {
		free(res);
		return (rc);
	}
	*o = '\0';
	*out = res;
	*outlen = (size_t)(o - res);
	return (0);
}

/* ';' when the header line has more of them than of ',', else ','. */
static char
guess_delim(const char *buf, size_t len)
{
	size_t	 i, semi = 0, comma = 0;
	int	 quoted = 0;

	for (i = 0; i < len && (quoted || (buf[i] != '\n' && buf[i] != '\r'));
	    i++) {
		if (buf[i] == '"')
			quoted = !quoted;
		else if (!quoted && buf[i] == ';')
			semi++;
		else if (!quoted && buf[i] == ',')
			comma++;
	}
	return ((char)(semi > comma ? ';' : ','));
}

/*
 * The parser's state. The cells of the row being read are kept in one
 * buffer (at most SEGUR_CSV_MAX_ROW bytes) and copied into one block when
 * the row ends: one allocation per row, not one per cell.
 */
struct csv_state {
	struct segur__csv	*c;
	struct segur_csv_errors	*e;
	struct segur_buf	 text;	/* the row's cells, NUL-separated */
	size_t			 off[SEGUR_CSV_MAX_COLUMNS];
	size_t			 nf;
	long			 row;	/* records ended */
	int			 oom;
	int			 stop;	/* a limit was passed: read no more */
	int			 bad;
};

/* A finding on the row being read, column j (0-based) by its header. */
static void
csv_finding(struct csv_state *s, size_t j, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
csv_finding(struct csv_state *s, size_t j, const char *fmt, ...)
{
	struct segur_buf b = SEGUR_BUF_INIT;
	const char	*h = NULL;
	char		 num[32];
	va_list		 ap;

	s->bad = 1;
	if (s->c->nrows > 0)
		h = segur__csv_header(s->c, (int)j);
	if (h == NULL || h[0] == '\0') {
		snprintf(num, sizeof(num), "colonne %zu", j + 1);
		h = num;
	}
	va_start(ap, fmt);
	if (segur_buf_vaddf(&b, fmt, ap) != 0 || segur__csv_error(s->e,
	    s->row + 1, h, "%s", b.data) != 0)
		s->oom = 1;
	va_end(ap);
	segur_buf_release(&b);
}

static void
csv_on_field(void *p, size_t n, void *arg)
{
	struct csv_state *s = arg;
	const char	*v = p;
	static const char nul = '\0';

	if (s->oom || s->stop)
		return;
	if (s->nf == SEGUR_CSV_MAX_COLUMNS) {
		csv_finding(s, s->nf, "plus de %d colonnes : la lecture "
		    "s'arrête (au plus %d colonnes par ligne)",
		    SEGUR_CSV_MAX_COLUMNS, SEGUR_CSV_MAX_COLUMNS);
		s->stop = 1;
		return;
	}
	if (n > SEGUR_CSV_MAX_CELL) {
		csv_finding(s, s->nf, "cellule de %zu octets : au plus %d "
		    "octets par cellule", n, SEGUR_CSV_MAX_CELL);
		s->stop = 1;
		return;
	}
	if (s->text.len + n + 1 > SEGUR_CSV_MAX_ROW) {
		csv_finding(s, s->nf, "ligne de plus de %d octets : la lecture "
		    "s'arrête (au plus %d octets par ligne)",
		    SEGUR_CSV_MAX_ROW, SEGUR_CSV_MAX_ROW);
		s->stop = 1;
		return;
	}
	/* A NUL would silently cut the cell short everywhere after this. */
	if (n > 0 && memchr(v, '\0', n) != NULL)
		csv_finding(s, s->nf, "octet nul (0x00) dans la cellule : le "
		    "fichier est-il du texte (CSV UTF-8 ou Windows-1252) ?");
	while (n > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	s->off[s->nf++] = s->text.len;
	if ((n > 0 && segur_buf_add(&s->text, v, n) != 0) ||
	    segur_buf_add(&s->text, &nul, 1) != 0)
		s->oom = 1;
}

static void
csv_on_row(int term, void *arg)
{
	struct csv_state *s = arg;
	struct segur__csv *c = s->c;
	struct segur__csv_row *r;
	char		**f, *t;
	size_t		 i, ncap;

	(void)term;
	if (s->oom || s->stop)
		return;
	if (c->nrows == SEGUR_CSV_MAX_ROWS) {
		csv_finding(s, 0, "plus de %d lignes : la lecture s'arrête",
		    SEGUR_CSV_MAX_ROWS);
		s->stop = 1;
		return;
	}
	s->row++;
	/* A spreadsheet exports the blank rows under its data. */
	for (i = 0; i < s->nf && s->text.data[s->off[i]] == '\0'; i++)
		continue;
	if (c->nrows > 0 && i == s->nf)
		goto next;
	if (c->nrows == c->cap) {
		ncap = c->cap > 0 ? c->cap * 2 : 64;
		if ((r = realloc(c->rows, ncap * sizeof(*r))) == NULL) {
			s->oom = 1;
			return;
		}
		c->rows = r;
		c->cap = ncap;
	}
	if ((f = malloc(s->nf * sizeof(*f) + s->text.len + 1)) == NULL) {
		s->oom = 1;
		return;
	}
	t = (char *)(f + s->nf);
	if (s->text.len > 0)
		memcpy(t, s->text.data, s->text.len);
	for (i = 0; i < s->nf; i++)
		f[i] = t + s->off[i];
	r = &c->rows[c->nrows++];
	r->f = f;
	r->n = s->nf;
	r->row = s->row;
next:
	s->nf = 0;
	s->text.len = 0;
}

void
segur__csv_release(struct segur__csv *c)
{
	size_t	 i;

	for (i = 0; i < c->nrows; i++)
		free(c->rows[i].f);
	for (i = 0; i < c->nextra; i++)
		free(c->extra[i]);
	free(c->rows);
	free(c->extra);
	memset(c, 0, sizeof(*c));
}

/* Bytes fed to libcsv at a time: a cell grows by at most this much
 * between two measures of it. */
#define CSV_CHUNK	4096

/* Parses the UTF-8 text buf[0..len) into c. */
static int
csv_parse_text(const char *buf, size_t len, struct segur__csv *c,
    struct segur_csv_errors *errors)
{
	struct csv_parser p;
	struct csv_state s;
	size_t	 off, n;
	int	 perr = 0;

	memset(&s, 0, sizeof(s));
	s.c = c;
	s.e = errors;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
		return (SEGUR_ENOMEM);
	c->delim = guess_delim(buf, len);
	csv_set_delim(&p, (unsigned char)c->delim);
	/*
	 * libcsv holds a cell whole until it ends: feed it a chunk at a time
	 * and measure the cell in progress, so that a 50 MB cell is refused
	 * after 4 KiB, not after 50 MB of memory.
	 */
	for (off = 0; off < len && !s.stop && !s.oom; off += n) {
		n = len - off < CSV_CHUNK ? len - off : CSV_CHUNK;
		if (csv_parse(&p, buf + off, n, csv_on_field, csv_on_row,
		    &s) != n) {
			perr = 1;
			break;
		}
		if (p.entry_pos > SEGUR_CSV_MAX_CELL) {
			csv_finding(&s, s.nf, "cellule de plus de %d octets : "
			    "la lecture s'arrête (au plus %d octets par "
			    "cellule)", SEGUR_CSV_MAX_CELL, SEGUR_CSV_MAX_CELL);
			s.stop = 1;
		} else if (s.text.len + p.entry_pos > SEGUR_CSV_MAX_ROW) {
			csv_finding(&s, s.nf, "ligne de plus de %d octets : la "
			    "lecture s'arrête (au plus %d octets par ligne)",
			    SEGUR_CSV_MAX_ROW, SEGUR_CSV_MAX_ROW);
			s.stop = 1;
		}
	}
	if (!perr && !s.stop && !s.oom && csv_fini(&p, csv_on_field,
	    csv_on_row, &s) != 0)
		perr = 1;
	if (perr && !s.oom) {
		if (csv_error(&p) == CSV_ENOMEM ||
		    segur__csv_error(errors, s.row + 1, NULL,
		    "CSV mal formé (guillemets) : %s",
		    csv_strerror(csv_error(&p))) != 0)
			s.oom = 1;
		s.bad = 1;
	}
	csv_free(&p);
	segur_buf_release(&s.text);
	if (s.oom)
		return (SEGUR_ENOMEM);
	return (s.bad ? SEGUR_EINVAL : 0);
}

int
segur__csv_read(const char *buf, size_t len, struct segur__csv *out,
    struct segur_csv_errors *errors)
{
	char	*conv = NULL;
	size_t	 bad, clen;
	int	 rc, bom = 0;

	memset(out, 0, sizeof(*out));
	if (len > SEGUR_CSV_MAX_BYTES) {
		if (segur__csv_error(errors, 0, NULL, "fichier de %zu octets : "
		    "au plus %zu octets (16 Mio)", len,
		    SEGUR_CSV_MAX_BYTES) != 0)
			return (SEGUR_ENOMEM);
		return (SEGUR_EINVAL);
	}
	if (len >= 2 && ((buf[0] == '\xff' && buf[1] == '\xfe') ||
	    (buf[0] == '\xfe' && buf[1] == '\xff'))) {
		if (segur__csv_error(errors, 1, NULL, "fichier UTF-16 (« Texte "
		    "Unicode ») : enregistrez-le en « CSV UTF-8 » ou « CSV "
		    "(séparateur : point-virgule) »") != 0)
			return (SEGUR_ENOMEM);
		return (SEGUR_EINVAL);
	}
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3;
		len -= 3;
		bom = 1;
	}
	if ((bad = utf8_bad((const unsigned char *)buf, len)) == len)
		out->encoding = bom ? "UTF-8 (BOM)" : "UTF-8";
	else if (bom) {
		/* The BOM says UTF-8: converting would garble the rest. */
		if (segur__csv_error(errors, line_of(buf, bad), NULL, "octet "
		    "0x%02x non UTF-8 dans un fichier marqué UTF-8 (BOM) : "
		    "enregistrez-le de nouveau en « CSV UTF-8 »",
		    (unsigned char)buf[bad]) != 0)
			return (SEGUR_ENOMEM);
		return (SEGUR_EINVAL);
	} else {
		if ((rc = cp1252_to_utf8(buf, len, &conv, &clen,
		    &bad)) == SEGUR_ENOMEM)
			return (rc);
		if (rc != 0) {
			if (segur__csv_error(errors, line_of(buf, bad), NULL,
			    "ni UTF-8 ni Windows-1252 (octet 0x%02x) : "
			    "enregistrez le fichier en « CSV UTF-8 »",
			    (unsigned char)buf[bad]) != 0)
				return (SEGUR_ENOMEM);
			return (SEGUR_EINVAL);
		}
		out->encoding = "Windows-1252";
		buf = conv;
		len = clen;
	}
	rc = csv_parse_text(buf, len, out, errors);
	free(conv);
	if (rc == SEGUR_ENOMEM) {
		segur__csv_release(out);
		return (rc);
	}
	if (rc == 0 && out->nrows == 0) {
		if (segur__csv_error(errors, 1, NULL, "fichier vide : une "
		    "ligne d'en-tête est attendue") != 0)
			return (SEGUR_ENOMEM);
		rc = SEGUR_EINVAL;
	}
	return (rc);
}

int
segur__csv_fold(const char *s, char **out)
{
	utf8proc_uint8_t *f = NULL;
	utf8proc_ssize_t n;
	char	*o, *p;
	int	 sep = 0;

	*out = NULL;
	n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)
	    strlen(s), &f, UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
	    UTF8PROC_STRIPMARK | UTF8PROC_STABLE | UTF8PROC_DECOMPOSE);
	if (n < 0)
		return (n == UTF8PROC_ERROR_NOMEM ? SEGUR_ENOMEM :
		    SEGUR_EINVAL);
	/* NFKD made U+00A0 and U+202F plain spaces: one pass for all. */
	for (o = p = (char *)f; *p != '\0'; p++) {
		if (*p == ' ' || *p == '\t' || *p == '_' || *p == '-' ||
		    *p == '\r' || *p == '\n') {
			sep = o > (char *)f;
			continue;
		}
		if (sep)
			*o++ = '_';
		sep = 0;
		*o++ = *p;
	}
	*o = '\0';
	*out = (char *)f;
	return (0);
}

int
segur__csv_columns(const struct segur__csv *c, const char *const *names,
    const int *required, int *idx, size_t n, struct segur_csv_errors *errors,
    struct segur_csv_errors *warnings)
{
	const struct segur__csv_row *h = &c->rows[0];
	char	**folded;
	size_t	 i, j;
	int	 rc = 0, bad = 0, known;

	if ((folded = calloc(h->n + 1, sizeof(*folded))) == NULL)
		return (SEGUR_ENOMEM);
	for (j = 0; j < h->n; j++)
		if ((rc = segur__csv_fold(h->f[j], &folded[j])) != 0)
			goto done;
	for (i = 0; i < n; i++) {
		idx[i] = -1;
		for (j = 0; j < h->n; j++) {
			if (strcmp(folded[j], names[i]) != 0)
				continue;
			if (idx[i] == -1) {
				idx[i] = (int)j;
				continue;
			}
			bad = 1;
			if (segur__csv_error(errors, 1, h->f[j], "colonne en "
			    "double : « %s » (colonne %d) donne déjà %s",
			    h->f[idx[i]], idx[i] + 1, names[i]) != 0) {
				rc = SEGUR_ENOMEM;
				goto done;
			}
		}
		if (idx[i] == -1 && required[i]) {
			if (segur__csv_error(errors, 1, names[i], "colonne "
			    "obligatoire absente de l'en-tête : ajoutez « %s » "
			    "(casse, accents et espaces indifférents ; "
			    "--template écrit l'en-tête complet)",
			    names[i]) != 0) {
				rc = SEGUR_ENOMEM;
				goto done;
			}
			bad = 1;
		}
	}
	for (j = 0; warnings != NULL && j < h->n; j++) {
		for (i = 0, known = folded[j][0] == '\0'; i < n && !known; i++)
			known = strcmp(folded[j], names[i]) == 0;
		/* A misspelt optional column would lose its data silently. */
		if (!known && segur__csv_error(warnings, 1, h->f[j], "colonne "
		    "inconnue, ignorée") != 0) {
			rc = SEGUR_ENOMEM;
			goto done;
		}
	}
	rc = bad ? SEGUR_EINVAL : 0;
done:
	for (j = 0; j < h->n; j++)
		free(folded[j]);
	free(folded);
	return (rc);
}

const char *
segur__csv_field(const struct segur__csv_row *r, int idx)
{
	if (idx < 0 || (size_t)idx >= r->n)
		return ("");
	return (r->f[idx]);
}

const char *
segur__csv_header(const struct segur__csv *c, int idx)
{
	if (c->nrows == 0 || idx < 0 || (size_t)idx >= c->rows[0].n)
		return (NULL);
	return (c->rows[0].f[idx]);
}

int
segur__csv_set(struct segur__csv *c, size_t row, int idx, const char *v)
{
	char	**x, *d;

	if (idx < 0 || (size_t)idx >= c->rows[row].n)
		return (0);
	if ((x = realloc(c->extra, (c->nextra + 1) * sizeof(*x))) == NULL)
		return (SEGUR_ENOMEM);
	c->extra = x;
	if ((d = strdup(v)) == NULL)
		return (SEGUR_ENOMEM);
	c->extra[c->nextra++] = d;
	c->rows[row].f[idx] = d;
	return (0);
}

/* The length of the group separator at s (space, U+00A0, U+202F), or 0. */
static size_t
group_sep(const char *s)
{
	if (*s == ' ')
		return (1);
	if (strncmp(s, "\xc2\xa0", 2) == 0)
		return (2);
	if (strncmp(s, "\xe2\x80\xaf", 3) == 0)
		return (3);
	return (0);
}

/* The length of a group separator ending s[0..len), or 0. */
static size_t
sep_before(const char *s, size_t len)
{
	if (len >= 1 && s[len - 1] == ' ')
		return (1);
	if (len >= 2 && memcmp(s + len - 2, "\xc2\xa0", 2) == 0)
		return (2);
	if (len >= 3 && memcmp(s + len - 3, "\xe2\x80\xaf", 3) == 0)
		return (3);
	return (0);
}

int
segur__csv_amount(const char *s, int64_t *cents)
{
	char	 b[64];
	size_t	 n = 0, k, len = strlen(s), group = 0;
	int	 groups = 0, dec = 0;

	/* "€" before or after, with its spaces. */
	if (len >= 3 && memcmp(s + len - 3, "\xe2\x82\xac", 3) == 0) {
		len -= 3;
		while ((k = sep_before(s, len)) > 0)
			len -= k;
	}
	if (len >= 3 && strncmp(s, "\xe2\x82\xac", 3) == 0) {
		s += 3;
		len -= 3;
		while ((k = group_sep(s)) > 0 && k <= len) {
			s += k;
			len -= k;
		}
	}
	if (len == 0 || len >= sizeof(b))
		return (-1);
	while (len > 0) {
		if (*s >= '0' && *s <= '9') {
			b[n++] = *s++;
			len--;
			group++;
			continue;
		}
		if (!dec && (*s == ',' || *s == '.')) {
			/* The last group before the decimals: three digits. */
			if (group == 0 || (groups > 0 && group != 3))
				return (-1);
			b[n++] = '.';
			s++;
			len--;
			dec = 1;
			group = 0;
			continue;
		}
		if (!dec && (k = group_sep(s)) > 0 && k <= len) {
			/* Groups of three after a first of one to three. */
			if (group == 0 || group > 3 || (groups > 0 &&
			    group != 3))
				return (-1);
			groups++;
			group = 0;
			s += k;
			len -= k;
			continue;
		}
		return (-1);
	}
	if (group == 0 || (!dec && groups > 0 && group != 3))
		return (-1);
	return (segur_amount_from_text(b, n, cents) == 0 ? 0 : -1);
}

int
segur__csv_zero_fix(const char *s, size_t width, char *out)
{
	if (strlen(s) != width - 1 || strspn(s, "0123456789") != width - 1)
		return (0);
	out[0] = '0';
	memcpy(out + 1, s, width);
	return (1);
}

/* Reads 1 to max digits at *s into *v; advances *s. 0 or -1. */
static int
read_num(const char **s, size_t max, unsigned *v, size_t *nd)
{
	size_t	 n = strspn(*s, "0123456789");

	if (n == 0 || n > max)
		return (-1);
	*v = 0;
	*nd = n;
	while (n-- > 0)
		*v = *v * 10 + (unsigned)(*(*s)++ - '0');
	return (0);
}

int
segur__csv_date(const char *s, char out[11])
{
	static const unsigned mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };
	unsigned d, m, y;
	size_t	 nd;
	int	 two = 0;

	if (read_num(&s, 4, &d, &nd) != 0)
		return (-1);
	if (nd == 4 && *s == '-') {
		/* AAAA-MM-JJ, as LibreOffice writes an ISO date cell. */
		y = d;
		s++;
		if (read_num(&s, 2, &m, &nd) != 0 || nd != 2 || *s++ != '-' ||
		    read_num(&s, 2, &d, &nd) != 0 || nd != 2)
			return (-1);
	} else {
		if (nd > 2 || *s++ != '/' || read_num(&s, 2, &m, &nd) != 0 ||
		    *s++ != '/' || read_num(&s, 4, &y, &nd) != 0 ||
		    (nd != 4 && nd != 2))
			return (-1);
		if (nd == 2) {
			y += 2000;
			two = 1;
		}
	}
	if (*s != '\0' || y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1 ||
	    d > mdays[m - 1] || (m == 2 && d == 29 && !((y % 4 == 0 &&
	    y % 100 != 0) || y % 400 == 0)))
		return (-1);
	snprintf(out, 11, "%02u/%02u/%04u", d % 100, m % 100, y % 10000);
	return (two);
}

int
segur__finess_ok(const char *s)
{
	size_t	 i = 0;

	if (strlen(s) != 9)
		return (0);
	if (s[0] == '2' && (s[1] == 'A' || s[1] == 'B'))
		i = 2;
	for (; i < 9; i++)
		if (s[i] < '0' || s[i] > '9')
			return (0);
	return (1);
}

int
segur__ledger_seed_operators(struct segur_ledger *l, size_t *rows,
    char **cause)
{
	static const char *const names[] = { "code", "libelle" };
	static const int required[] = { 1, 1 };
	static const char *const q =
	    "INSERT OR REPLACE INTO operator(code, label) VALUES (?, ?)";
	struct segur_csv_errors errs = { NULL, 0 };
	struct segur__csv c;
	sqlite3_stmt	*st;
	size_t		 i;
	const struct segur_embedded_file *ops;
	int		 idx[2], rc;

	*rows = 0;
	if ((ops = segur_embedded_find(OPERATORS_CSV)) == NULL)
		return (segur_cause(cause, SEGUR_EINVAL, "%s n'est pas "
		    "compilé dans le programme", OPERATORS_CSV));
	if ((rc = segur__csv_read(ops->data, ops->len, &c, &errs)) != 0 ||
	    (rc = segur__csv_columns(&c, names, required, idx, 2,
	    &errs, NULL)) != 0) {
		rc = segur_cause(cause, rc, "liste des opérateurs compilée "
		    "dans le programme : ligne %ld : %s",
		    errs.n ? errs.v[0].row : 0,
		    errs.n ? errs.v[0].message : "mémoire épuisée");
		goto done;
	}
	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		goto done;
	for (i = 1; i < c.nrows; i++) {
		sqlite3_reset(st);
		segur__bind_text(st, 1, segur__csv_field(&c.rows[i], idx[0]));
		segur__bind_text(st, 2, segur__csv_field(&c.rows[i], idx[1]));
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = segur__db_error(l, cause,
			    "chargement des opérateurs");
			goto done;
		}
		(*rows)++;
	}
	sqlite3_reset(st);
done:
	segur__csv_release(&c);
	segur_csv_errors_release(&errs);
	return (rc);
}

int
segur_ledger_operators(struct segur_ledger *l, struct segur_operator **out,
    size_t *n, char **cause)
{
	static const char *const q =
	    "SELECT code, label FROM operator ORDER BY code";
	struct segur_operator *a = NULL, *na;
	sqlite3_stmt	*st;
	size_t		 cnt = 0;
	int		 rc, oom = 0;

	*out = NULL;
	*n = 0;
	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		return (rc);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((na = realloc(a, (cnt + 1) * sizeof(*a))) == NULL) {
			oom = 1;
			break;
		}
		a = na;
		a[cnt].code = segur__column_dup(st, 0, &oom);
		a[cnt].label = segur__column_dup(st, 1, &oom);
		cnt++;
		if (oom)
			break;
	}
	sqlite3_reset(st);
	if (oom) {
		segur_operator_free_array(a, cnt);
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		segur_operator_free_array(a, cnt);
		return (segur__db_error(l, cause, "lecture des opérateurs"));
	}
	*out = a;
	*n = cnt;
	return (0);
}

void
segur_operator_free_array(struct segur_operator *a, size_t n)
{
	size_t	 i;

	for (i = 0; a != NULL && i < n; i++) {
		free(a[i].code);
		free(a[i].label);
	}
	free(a);
}

int
segur_ledger_ref_counts(struct segur_ledger *l, struct segur_ref_counts *out,
    char **cause)
{
	static const char *const q =
	    "SELECT (SELECT count(*) FROM tranche), (SELECT count(*) FROM "
	    "eligible), (SELECT count(*) FROM operator)";
	sqlite3_stmt	*st;
	int		 rc;

	memset(out, 0, sizeof(*out));
	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		return (rc);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		out->tranche = sqlite3_column_int64(st, 0);
		out->eligible = sqlite3_column_int64(st, 1);
		out->operator = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	return (rc == SQLITE_ROW ? 0 : segur__db_error(l, cause,
	    "comptage des données de référence"));
}

/* One parsed row of a reference CSV. */
struct ref_row {
	const char	*key;		/* finess_geo or tranche code */
	const char	*a;		/* finess_juridique, or NULL */
	const char	*b;		/* tranche, or NULL */
	int64_t		 cents;		/* tranche amount */
};

static const char *const eligible_names[] = { "finess_geo",
    "finess_juridique", "tranche" };
static const char *const tranche_names[] = { "tranche", "montant_ttc" };

const char *const *
segur__ref_columns(enum segur_import_kind kind, size_t *n)
{
	if (kind == SEGUR_IMPORT_ELIGIBLE) {
		*n = 3;
		return (eligible_names);
	}
	*n = 2;
	return (tranche_names);
}

/* The name of column k as the file's header writes it. */
static const char *
colname(const struct segur__csv *c, const int *idx,
    const char *const *names, int k)
{
	const char *h = segur__csv_header(c, idx[k]);

	return (h != NULL && h[0] != '\0' ? h : names[k]);
}

/*
 * A FINESS cell of rows[i], column k: gives back the leading zero a
 * spreadsheet took (with a warning), then checks it. 0, SEGUR_EINVAL
 * (reported) or SEGUR_ENOMEM.
 */
int
segur__csv_finess(struct segur__csv *c, size_t i, int col,
    const char *name, struct segur_csv_errors *e,
    struct segur_csv_errors *w)
{
	const char	*v = segur__csv_field(&c->rows[i], col);
	char		 fixed[10];

	if (segur__csv_zero_fix(v, 9, fixed)) {
		if (segur__csv_error(w, c->rows[i].row, name, "FINESS « %s » "
		    "lu %s : le tableur avait ôté le zéro initial (mettez la "
		    "colonne au format Texte)", v, fixed) != 0 ||
		    segur__csv_set(c, i, col, fixed) != 0)
			return (SEGUR_ENOMEM);
		return (0);
	}
	if (segur__finess_ok(v))
		return (0);
	if (segur__csv_error(e, c->rows[i].row, name, "FINESS « %s » "
	    "invalide : 9 chiffres, ou 2A/2B et 7 chiffres", v) != 0)
		return (SEGUR_ENOMEM);
	return (SEGUR_EINVAL);
}

/* Checks the rows of an eligible-ESMS CSV into rr. */
static int
parse_eligible(struct segur__csv *c, struct ref_row *rr,
    struct segur_csv_errors *e, struct segur_csv_errors *w)
{
	static const int required[] = { 1, 1, 1 };
	const char *const *names = eligible_names;
	int	 idx[3], rc, bad = 0, k;
	size_t	 i, j;

	if ((rc = segur__csv_columns(c, names, required, idx, 3, e, w)) != 0)
		return (rc);
	for (i = 1; i < c->nrows; i++) {
		const struct segur__csv_row *r = &c->rows[i];
		struct ref_row *x = &rr[i - 1];

		for (k = 0; k < 2; k++) {
			rc = segur__csv_finess(c, i, idx[k], colname(c, idx,
			    names, k), e, w);
			if (rc == SEGUR_ENOMEM)
				return (rc);
			if (rc != 0)
				bad = 1;
		}
		x->key = segur__csv_field(r, idx[0]);
		x->a = segur__csv_field(r, idx[1]);
		x->b = segur__csv_field(r, idx[2]);
		if (x->b[0] == '\0' || strlen(x->b) > 7) {
			bad = 1;
			if (segur__csv_error(e, r->row, colname(c, idx, names,
			    2), "tranche « %s » invalide : 1 à 7 caractères",
			    x->b) != 0)
				return (SEGUR_ENOMEM);
		}
		for (j = 0; j + 1 < i; j++) {
			if (strcmp(rr[j].key, x->key) == 0) {
				bad = 1;
				if (segur__csv_error(e, r->row, colname(c, idx,
				    names, 0), "FINESS %s déjà donné ligne %ld",
				    x->key, c->rows[j + 1].row) != 0)
					return (SEGUR_ENOMEM);
				break;
			}
		}
	}
	return (bad ? SEGUR_EINVAL : 0);
}

/* Checks the rows of a tranche-amounts CSV into rr. */
static int
parse_tranches(struct segur__csv *c, struct ref_row *rr,
    struct segur_csv_errors *e, struct segur_csv_errors *w)
{
	static const int required[] = { 1, 1 };
	const char *const *names = tranche_names;
	int	 idx[2], rc, bad = 0;
	size_t	 i, k;

	if ((rc = segur__csv_columns(c, names, required, idx, 2, e, w)) != 0)
		return (rc);
	for (i = 1; i < c->nrows; i++) {
		const struct segur__csv_row *r = &c->rows[i];
		struct ref_row *x = &rr[i - 1];

		x->key = segur__csv_field(r, idx[0]);
		if (x->key[0] == '\0' || strlen(x->key) > 7) {
			bad = 1;
			if (segur__csv_error(e, r->row, colname(c, idx, names,
			    0), "tranche « %s » invalide : 1 à 7 caractères",
			    x->key) != 0)
				return (SEGUR_ENOMEM);
		}
		if (segur__csv_amount(segur__csv_field(r, idx[1]),
		    &x->cents) != 0 || x->cents <= 0) {
			bad = 1;
			if (segur__csv_error(e, r->row, colname(c, idx, names,
			    1), "montant « %s » invalide : des euros > 0, au "
			    "plus 2 décimales (2920, 2920,00, 2 920,00 €, "
			    "2920.00)", segur__csv_field(r, idx[1])) != 0)
				return (SEGUR_ENOMEM);
		}
		for (k = 0; k + 1 < i; k++) {
			if (strcmp(rr[k].key, x->key) == 0) {
				bad = 1;
				if (segur__csv_error(e, r->row, colname(c, idx,
				    names, 0), "tranche %s déjà donnée ligne "
				    "%ld", x->key, c->rows[k + 1].row) != 0)
					return (SEGUR_ENOMEM);
				break;
			}
		}
	}
	return (bad ? SEGUR_EINVAL : 0);
}

void
segur_import_release(struct segur_import *im)
{
	size_t	 i;

	segur_csv_errors_release(&im->errors);
	segur_csv_errors_release(&im->warnings);
	for (i = 0; i < im->nrefs; i++)
		free(im->refs[i].ref);
	free(im->refs);
	im->refs = NULL;
	im->nrefs = 0;
}

/* Moves the findings of a full import into a caller's list (old API). */
static int
errors_move(struct segur_csv_errors *to, struct segur_csv_errors *from)
{
	*to = *from;
	memset(from, 0, sizeof(*from));
	return (0);
}

int
segur_ledger_ref_import(struct segur_ledger *l, enum segur_ref_kind kind,
    const char *name, const char *buf, size_t len, size_t *rows,
    struct segur_csv_errors *errors, char **cause)
{
	struct segur_import im;
	int	 rc;

	memset(&im, 0, sizeof(im));
	im.name = name;
	rc = segur_ledger_ref_import_csv(l, kind == SEGUR_REF_ELIGIBLE ?
	    SEGUR_IMPORT_ELIGIBLE : SEGUR_IMPORT_TRANCHES, buf, len, &im,
	    cause);
	*rows = rc == 0 ? im.rows : 0;
	errors_move(errors, &im.errors);
	segur_import_release(&im);
	return (rc);
}

int
segur_ledger_ref_import_csv(struct segur_ledger *l,
    enum segur_import_kind kind, const char *buf, size_t len,
    struct segur_import *im, char **cause)
{
	static const char *const q_el_get =
	    "SELECT finess_juridique, tranche FROM eligible "
	    "WHERE finess_geo = ?";
	static const char *const q_tr_get =
	    "SELECT amount_ttc_cents FROM tranche WHERE code = ?";
	static const char *const q_el_ins =
	    "INSERT INTO eligible(finess_geo, finess_juridique, tranche) "
	    "VALUES (?, ?, ?)";
	static const char *const q_tr_ins =
	    "INSERT INTO tranche(code, amount_ttc_cents) VALUES (?, ?)";
	static const char *const q_el_count = "SELECT count(*) FROM eligible";
	static const char *const q_tr_count = "SELECT count(*) FROM tranche";
	const int	 el = kind == SEGUR_IMPORT_ELIGIBLE;
	const char	*table = el ? "eligible" : "tranche";
	const char	*name = im->name != NULL ? im->name : "-";
	struct segur__csv c;
	struct ref_row	*rr = NULL;
	sqlite3_stmt	*st;
	cJSON		*after = NULL;
	char		 hex[65], *json = NULL;
	int64_t		 old = 0, added = 0, changed = 0;
	size_t		 i;
	int		 rc, same;

	memset(&im->errors, 0, sizeof(im->errors));
	memset(&im->warnings, 0, sizeof(im->warnings));
	im->rows = im->added = im->updated = im->unchanged = im->changed =
	    im->removed = 0;
	if ((rc = segur__csv_read(buf, len, &c, &im->errors)) != 0) {
		if (rc == SEGUR_ENOMEM)
			segur_cause(cause, rc, "mémoire épuisée");
		else
			segur_cause(cause, rc, "%s: %zu erreur(s), rien n'est "
			    "importé", name, im->errors.n);
		segur__csv_release(&c);
		return (rc);
	}
	im->encoding = c.encoding;
	im->delim = c.delim;
	if ((rr = calloc(c.nrows, sizeof(*rr))) == NULL) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
		goto done;
	}
	rc = el ? parse_eligible(&c, rr, &im->errors, &im->warnings) :
	    parse_tranches(&c, rr, &im->errors, &im->warnings);
	if (rc != 0) {
		segur_cause(cause, rc, rc == SEGUR_ENOMEM ? "mémoire épuisée" :
		    "%s: %zu erreur(s), rien n'est importé", name,
		    im->errors.n);
		goto done;
	}
	if ((rc = segur_ledger_begin(l, cause)) != 0)
		goto done;
	/* Count what changes, for the event, before replacing. */
	for (i = 0; i + 1 < c.nrows; i++) {
		if ((rc = segur__stmt(l, el ? q_el_get : q_tr_get, &st,
		    cause)) != 0)
			goto fail;
		segur__bind_text(st, 1, rr[i].key);
		rc = sqlite3_step(st);
		if (rc == SQLITE_DONE)
			added++;
		else if (rc == SQLITE_ROW) {
			if (el)
				same = strcmp((const char *)
				    sqlite3_column_text(st, 0), rr[i].a) == 0 &&
				    strcmp((const char *)
				    sqlite3_column_text(st, 1), rr[i].b) == 0;
			else
				same = sqlite3_column_int64(st, 0) ==
				    rr[i].cents;
			if (!same)
				changed++;
		} else {
			sqlite3_reset(st);
			rc = segur__db_error(l, cause,
			    "lecture des données de référence");
			goto fail;
		}
		sqlite3_reset(st);
	}
	if ((rc = segur__stmt(l, el ? q_el_count : q_tr_count, &st,
	    cause)) != 0)
		goto fail;
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		rc = segur__db_error(l, cause,
		    "comptage des données de référence");
		goto fail;
	}
	old = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if ((rc = segur__exec(l, el ? "DELETE FROM eligible" :
	    "DELETE FROM tranche", cause)) != 0)
		goto fail;
	for (i = 0; i + 1 < c.nrows; i++) {
		if ((rc = segur__stmt(l, el ? q_el_ins : q_tr_ins, &st,
		    cause)) != 0)
			goto fail;
		segur__bind_text(st, 1, rr[i].key);
		if (el) {
			segur__bind_text(st, 2, rr[i].a);
			segur__bind_text(st, 3, rr[i].b);
		} else
			sqlite3_bind_int64(st, 2, rr[i].cents);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			rc = segur__db_error(l, cause,
			    "chargement des données de référence");
			goto fail;
		}
	}
	segur_sha256_hex(buf, len, hex);
	if ((after = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(after, "file", name) == NULL ||
	    cJSON_AddStringToObject(after, "sha256", hex) == NULL ||
	    cJSON_AddStringToObject(after, "encoding", c.encoding) == NULL ||
	    cJSON_AddNumberToObject(after, "rows",
	    (double)(c.nrows - 1)) == NULL ||
	    cJSON_AddNumberToObject(after, "added", (double)added) == NULL ||
	    cJSON_AddNumberToObject(after, "changed", (double)changed) ==
	    NULL ||
	    cJSON_AddNumberToObject(after, "removed",
	    (double)(old - ((int64_t)c.nrows - 1 - added))) == NULL ||
	    (json = cJSON_PrintUnformatted(after)) == NULL) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
		goto fail;
	}
	if ((rc = segur__event_append(l, "ref.import", table, NULL, 0, NULL,
	    json, cause)) != 0)
		goto fail;
	im->rows = c.nrows - 1;
	im->added = (size_t)added;
	im->changed = (size_t)changed;
	im->unchanged = c.nrows - 1 - (size_t)added - (size_t)changed;
	im->removed = (size_t)(old - ((int64_t)c.nrows - 1 - added));
	if (im->flags & SEGUR_IMPORT_DRY_RUN) {
		/* Everything was checked by doing it: undo it. */
		segur_ledger_rollback(l);
		rc = 0;
		goto done;
	}
	if ((rc = segur_ledger_commit(l, cause)) != 0)
		im->rows = im->added = im->changed = im->unchanged =
		    im->removed = 0;
	goto done;
fail:
	segur_ledger_rollback(l);
done:
	cJSON_Delete(after);
	free(json);
	free(rr);
	segur__csv_release(&c);
	return (rc);
}
