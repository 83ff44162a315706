/*
 * validate.c: the validator's entry points (validate.h), the pre-scan of
 * the buffer (control 1) and the file header.
 *
 * One run: a linear pre-scan checks the bytes (size, BOM, NUL, UTF-8,
 * nesting depth, number grammar) and records the span of every number
 * literal in document order; cJSON parses; a walk numbers the tree's number
 * nodes in the same order, so that each node finds its exact JSON text
 * (amounts and integers are checked from text, never from a double); then
 * the header and each line are checked (validate-line.c). Nothing is
 * allocated per value on the happy path: paths and messages are built only
 * when a finding is emitted (validate-find.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "segur/date.h"
#include "segur/error.h"
#include "segur/util.h"
#include "validate/validate-int.h"

/* The value quoted for a message: only computed when a finding is made. */
#define Q(v)	segur__vq(st, (v), q, sizeof(q))

static const char *const hdr_keys[] = {
	"impId", "numeroAns", "SIRET", "lignesImport"
};
enum { H_IMPID, H_ANS, H_SIRET, H_LIGNES, H__N };

/* --- pre-scan (control 1) ---------------------------------------------- */

/* Line and column (in characters) of byte offset off, both from 1. */
static void
pos_of(const char *buf, size_t off, long *line, long *col)
{
	size_t	 i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)buf[i] & 0xC0) != 0x80)
			(*col)++;
	}
}

/* Length of the valid UTF-8 sequence at p (lead byte >= 0x80), or 0. */
static size_t
utf8_seq(const unsigned char *p, const unsigned char *end)
{
	size_t	 n, i;
	uint32_t cp;

	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		n = 2;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		n = 3;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		n = 4;
	else
		return (0);
	if ((size_t)(end - p) < n)
		return (0);
	cp = p[0] & (0x7F >> n);
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return (0);
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	/* Overlong forms, surrogates, beyond U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return (0);
	return (n);
}

/* Checks a number literal against the JSON grammar. */
static int
number_ok(const char *s, size_t n)
{
	size_t	 i = 0, d;

	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (i < n && s[i] >= '1' && s[i] <= '9')
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	else
		return (0);
	if (i < n && s[i] == '.') {
		for (i++, d = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			d++;
		if (d == 0)
			return (0);
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (d = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			d++;
		if (d == 0)
			return (0);
	}
	return (i == n);
}

static int
add_span(struct segur__vstate *st, size_t off, size_t len)
{
	struct segur__span *v;
	size_t	 ncap;

	if (st->nspans == st->spancap) {
		ncap = st->spancap * 2;
		if (st->spans == st->spans_inline) {
			if ((v = reallocarray(NULL, ncap, sizeof(*v))) != NULL)
				memcpy(v, st->spans, st->nspans * sizeof(*v));
		} else
			v = reallocarray(st->spans, ncap, sizeof(*v));
		if (v == NULL) {
			st->oom = 1;
			return (-1);
		}
		st->spans = v;
		st->spancap = ncap;
	}
	st->spans[st->nspans].off = off;
	st->spans[st->nspans].len = len;
	st->nspans++;
	return (0);
}

/*
 * Bytes that need no decision in a text (printable ASCII but the quote and
 * the backslash), and outside texts (JSON white space, separators and the
 * letters of true, false and null).
 */
static const unsigned char str_plain[256] = {
	[0x20] = 1, [0x21] = 1, [0x23 ... 0x5B] = 1, [0x5D ... 0x7F] = 1
};
static const unsigned char out_plain[256] = {
	['\t'] = 1, ['\n'] = 1, ['\r'] = 1,
	[0x20 ... 0x21] = 1, [0x23 ... 0x2C] = 1, [0x2E ... 0x2F] = 1,
	[0x3A ... 0x5A] = 1, [0x5C] = 1, [0x5E ... 0x7A] = 1, [0x7C] = 1,
	[0x7E ... 0x7F] = 1
};

/* The bytes a number literal is made of (the grammar is checked apart). */
static const unsigned char num_char[256] = {
	['0' ... '9'] = 1, ['.'] = 1, ['e'] = 1, ['E'] = 1, ['+'] = 1,
	['-'] = 1
};

/*
 * How many of the 8 bytes at p are plain text bytes before the first that
 * needs a decision (a quote, a backslash, a control character, a non-ASCII
 * byte): 8 if none. The classic "has a zero byte" and "has a byte less
 * than n" word tricks can raise false flags, but only above a true one, so
 * the lowest flag is exact.
 */
static size_t
word_plain_prefix(const unsigned char *p)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t highs = 0x8080808080808080ULL;
	uint64_t x, q, b, m;

	memcpy(&x, p, sizeof(x));
	q = x ^ (ones * '"');
	b = x ^ (ones * '\\');
	m = (((q - ones) & ~q) | ((b - ones) & ~b) | ((x - ones * 0x20) & ~x) |
	    x) & highs;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (m == 0 ? 8 : (size_t)__builtin_ctzll(m) / 8);
#else
	return (m == 0 ? 8 : 0);
#endif
}

/* Reports a byte that cannot start anything at off (control 1). */
static void
bad_byte(struct segur__vstate *st, size_t off, int instr)
{
	unsigned char c = (unsigned char)st->buf[off];
	long	 line, col;

	pos_of(st->buf, off, &line, &col);
	if (c >= 0x80)
		segur__vfind(st, R_STRUCT_UTF8, NULL, "le fichier n'est pas "
		    "encodé en UTF-8 (octet 0x%02X invalide ligne %ld, colonne "
		    "%ld) : il vient sans doute d'un outil en Windows-1252 ou "
		    "ISO-8859-1 ; réenregistrez-le en UTF-8 sans BOM", c, line,
		    col);
	else if (c == '\0')
		segur__vfind(st, R_STRUCT_NUL, NULL, "le fichier contient un "
		    "octet nul (ligne %ld, colonne %ld) : ce n'est pas un "
		    "fichier texte JSON ; réexportez-le", line, col);
	else if (instr)
		segur__vfind(st, R_STRUCT_JSON, NULL, "le fichier n'est pas un "
		    "JSON valide : caractère de contrôle 0x%02X dans un texte "
		    "(ligne %ld, colonne %ld) ; écrivez \\n ou \\t, ou "
		    "supprimez-le", c, line, col);
	else
		segur__vfind(st, R_STRUCT_JSON, NULL, "le fichier n'est pas un "
		    "JSON valide : caractère de contrôle 0x%02X (ligne %ld, "
		    "colonne %ld)", c, line, col);
}

/*
 * One pass over the bytes: everything of control 1 that cJSON does not see
 * or accepts too leniently, and the span of every number literal. Returns 0
 * when the bytes are fit for parsing, -1 after emitting a finding (or on
 * ENOMEM). Two tight loops, outside and inside texts, each skipping the
 * bytes that need no decision; what the bytes mean as JSON is cJSON's job.
 */
static int
prescan(struct segur__vstate *st)
{
	const unsigned char *b = (const unsigned char *)st->buf;
	const unsigned char *p = b, *end = b + st->len, *q;
	long	 line, col;
	size_t	 n;
	int	 depth = 0;

	if (st->len >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) {
		segur__vfind(st, R_STRUCT_BOM, NULL, "le fichier commence par "
		    "une marque d'ordre d'octets (BOM, octets EF BB BF) : "
		    "enregistrez-le en « UTF-8 sans BOM »");
		return (-1);
	}
	for (;;) {
		while (end - p >= 4 && out_plain[p[0]] && out_plain[p[1]] &&
		    out_plain[p[2]] && out_plain[p[3]])
			p += 4;
		while (p < end && out_plain[*p])
			p++;
		if (p == end)
			return (0);
		switch (*p) {
		case '"':
			for (p++;;) {
				while (end - p >= 8 &&
				    (n = word_plain_prefix(p)) == 8)
					p += 8;
				if (end - p >= 8)
					p += n;
				else
					while (p < end && str_plain[*p])
						p++;
				if (p == end)
					return (0);	/* cJSON says where */
				if (*p == '"') {
					p++;
					break;
				}
				if (*p == '\\') {
					if (end - p >= 6 && p[1] == 'u' &&
					    memcmp(p + 2, "0000", 4) == 0) {
						pos_of(st->buf, (size_t)(p - b),
						    &line, &col);
						segur__vfind(st, R_STRUCT_NUL,
						    NULL, "le fichier contient "
						    "le caractère nul \\u0000 "
						    "(ligne %ld, colonne %ld) : "
						    "supprimez-le", line, col);
						return (-1);
					}
					/* The escaped byte, if plain ASCII. */
					p += end - p >= 2 && p[1] >= 0x20 &&
					    p[1] < 0x80 ? 2 : 1;
					continue;
				}
				if (*p >= 0x80 && (n = utf8_seq(p, end)) > 0) {
					p += n;
					continue;
				}
				bad_byte(st, (size_t)(p - b), 1);
				return (-1);
			}
			break;
		case '{':
		case '[':
			if (++depth > SEGUR__VALIDATE_MAX_DEPTH) {
				pos_of(st->buf, (size_t)(p - b), &line, &col);
				segur__vfind(st, R_STRUCT_PROFONDEUR, NULL,
				    "le fichier imbrique plus de %d tableaux "
				    "ou objets (ligne %ld, colonne %ld) : la "
				    "structure attendue n'en compte que 6",
				    SEGUR__VALIDATE_MAX_DEPTH, line, col);
				return (-1);
			}
			p++;
			break;
		case '}':
		case ']':
			depth--;
			p++;
			break;
		case '-':
		case '0': case '1': case '2': case '3': case '4':
		case '5': case '6': case '7': case '8': case '9':
			for (q = p; q < end && num_char[*q]; q++)
				continue;
			if (!number_ok((const char *)p, (size_t)(q - p))) {
				pos_of(st->buf, (size_t)(p - b), &line, &col);
				segur__vfind(st, R_STRUCT_JSON, NULL, "le "
				    "fichier n'est pas un JSON valide : nombre "
				    "mal écrit \"%.*s\" (ligne %ld, colonne "
				    "%ld) ; écrivez par exemple 5840.00 (point "
				    "décimal, pas de zéro en tête)",
				    (int)(q - p > 40 ? 40 : q - p),
				    (const char *)p, line, col);
				return (-1);
			}
			if (add_span(st, (size_t)(p - b), (size_t)(q - p)) != 0)
				return (-1);
			p = q;
			break;
		default:
			/* Non-ASCII outside a text: cJSON refuses it, unless
			 * it is not even UTF-8. */
			if (*p >= 0x80 && (n = utf8_seq(p, end)) > 0) {
				p += n;
				break;
			}
			bad_byte(st, (size_t)(p - b), 0);
			return (-1);
		}
	}
}

/*
 * Gives every number node of the sibling list n, in document order, the
 * index of its span from *k on: valueint is free for that once the tree is
 * ours (numbers are read from their text only). A node past the last span
 * (which cannot happen on a buffer cJSON accepted after the pre-scan, but
 * is not trusted) gets -1: its text reads as empty.
 */
static void
number_map(struct segur__vstate *st, cJSON *n, size_t *k)
{
	cJSON	*c;

	for (c = n; c != NULL; c = c->next) {
		if ((c->type & 0xFF) == cJSON_Number) {
			c->valueint = *k < st->nspans && *k <= (size_t)INT32_MAX ?
			    (int)*k : -1;
			(*k)++;
		} else if (c->child != NULL)
			number_map(st, c->child, k);
	}
}

/* The same for one node and its subtree. */
static void
number_map_node(struct segur__vstate *st, cJSON *node, size_t *k)
{
	cJSON	*next = node->next;

	node->next = NULL;
	number_map(st, node, k);
	node->next = next;
}

/* Number nodes in node's subtree, node included. */
static size_t
number_count(const cJSON *node)
{
	const cJSON *c;
	size_t	 n = (node->type & 0xFF) == cJSON_Number;

	for (c = node->child; c != NULL; c = c->next)
		n += number_count(c);
	return (n);
}

/*
 * Maps the numbers of the header now and leaves those of lignesImport (l)
 * for segur__vline's caller, line by line, just before each line is
 * checked: the line's subtree is then still in cache for its checks, and
 * the tree is walked once instead of twice. Numbers after lignesImport are
 * the last spans.
 */
static void
number_map_header(struct segur__vstate *st, cJSON *root, cJSON *l)
{
	cJSON	*c;
	size_t	 k = 0, tail = 0, kt;

	for (c = root->child; c != NULL && c != l; c = c->next)
		number_map_node(st, c, &k);
	for (c = l->next; c != NULL; c = c->next)
		tail += number_count(c);
	kt = tail <= st->nspans ? st->nspans - tail : st->nspans;
	st->knext = k;
	st->kend = kt;
	for (c = l->next; c != NULL; c = c->next)
		number_map_node(st, c, &kt);
}

/* Parses after the pre-scan; emits control-1 findings. NULL on failure. */
static cJSON *
parse(struct segur__vstate *st)
{
	const char	*end = NULL, *p;
	cJSON		*root;
	long		 line, col;
	size_t		 off;

	for (p = st->buf; p < st->buf + st->len && (*p == ' ' ||
	    *p == '\t' || *p == '\n' || *p == '\r'); p++)
		continue;
	if (p == st->buf + st->len) {
		segur__vfind(st, R_STRUCT_JSON, NULL, "le fichier est vide : "
		    "il doit contenir un objet JSON { \"impId\": null, "
		    "\"numeroAns\": …, \"SIRET\": …, \"lignesImport\": [ … ] "
		    "}");
		return (NULL);
	}
	root = cJSON_ParseWithLengthOpts(st->buf, st->len, &end, 0);
	if (root != NULL) {
		for (p = end; p < st->buf + st->len && (*p == ' ' ||
		    *p == '\t' || *p == '\n' || *p == '\r'); p++)
			continue;
		if (p == st->buf + st->len)
			return (root);
		cJSON_Delete(root);
		end = p;
		off = (size_t)(end - st->buf);
		pos_of(st->buf, off, &line, &col);
		segur__vfind(st, R_STRUCT_JSON, NULL, "le fichier n'est pas "
		    "un JSON valide : du contenu suit la fin de l'objet "
		    "principal (ligne %ld, colonne %ld) ; supprimez-le ou "
		    "vérifiez les accolades", line, col);
		return (NULL);
	}
	off = end != NULL && end >= st->buf ? (size_t)(end - st->buf) : 0;
	if (off > st->len)
		off = st->len;
	if (off >= st->len) {
		segur__vfind(st, R_STRUCT_JSON, NULL, "le fichier n'est pas "
		    "un JSON valide : il s'arrête avant la fin de la structure "
		    "(fichier tronqué, ou accolade, crochet ou guillemet non "
		    "fermé)");
		return (NULL);
	}
	pos_of(st->buf, off, &line, &col);
	segur__vfind(st, R_STRUCT_JSON, NULL, "le fichier n'est pas un JSON "
	    "valide : erreur de syntaxe ligne %ld, colonne %ld, près de "
	    "\"%.*s\" ; vérifiez virgules, guillemets, deux-points et "
	    "accolades", line, col,
	    (int)(st->len - off > 20 ? 20 : st->len - off), st->buf + off);
	return (NULL);
}

/* --- the file header ----------------------------------------------------- */

static void
check_filename(struct segur__vstate *st, const char *path)
{
	const char	*base = strrchr(path, '/');
	const char	*s;
	struct segur_date day;
	size_t		 n, ansn;
	int		 ok;

	base = base != NULL ? base + 1 : path;
	n = strlen(base);
	/* JSON-<ans>-AAAAMMJJ-NNN.json: 5 + >=1 + 1 + 8 + 1 + 3 + 5. */
	ok = n >= 24 && strncmp(base, "JSON-", 5) == 0 &&
	    strcmp(base + n - 5, ".json") == 0;
	if (ok) {
		s = base + n - 5 - 13;	/* "-AAAAMMJJ-NNN" */
		ok = s[0] == '-' && segur__all_digits(s + 1, 8) &&
		    s[9] == '-' && segur__all_digits(s + 10, 3);
		if (ok) {
			ansn = (size_t)(s - (base + 5));
			if (segur_date_parse(s + 1, 8, SEGUR_DATE_COMPACT,
			    &day) != 0) {
				segur__vfind(st, R_FICHIER_NOM, NULL, "le nom "
				    "de fichier \"%s\" porte la date %.8s qui "
				    "n'existe pas : écrivez la date du dépôt "
				    "en AAAAMMJJ", base, s + 1);
				return;
			}
			if (strncmp(s + 10, "000", 3) == 0) {
				segur__vfind(st, R_FICHIER_NOM, NULL, "le nom "
				    "de fichier \"%s\" a le rang 000 : le "
				    "premier fichier du jour est 001", base);
				return;
			}
			if (st->numeroAns != NULL &&
			    (strlen(st->numeroAns) != ansn ||
			    strncmp(st->numeroAns, base + 5, ansn) != 0))
				segur__vfind(st, R_FICHIER_NOM_ANS, NULL,
				    "le nom de fichier \"%s\" porte le "
				    "numeroAns \"%.*s\" mais l'entête dit "
				    "\"%s\" : renommez le fichier "
				    "JSON-%s-%.8s-%.3s.json", base, (int)ansn,
				    base + 5, st->numeroAns, st->numeroAns,
				    s + 1, s + 10);
			return;
		}
	}
	segur__vfind(st, R_FICHIER_NOM, NULL, "le nom de fichier \"%s\" ne "
	    "suit pas la norme JSON-<numeroAns>-<AAAAMMJJ>-<NNN>.json (par "
	    "exemple JSON-%s-20231002-001.json)", base,
	    st->numeroAns != NULL ? st->numeroAns : "2023000042");
}

static void
check_header(struct segur__vstate *st, const cJSON *root)
{
	const cJSON	*slots[H__N], *v, *l;
	char		 q[128];
	long		 i, n;
	size_t		 cps;

	segur__vobject(st, root, hdr_keys, H__N, slots);
	segur__vreturned(st, R_FICHIER_IMPID, "impId", slots[H_IMPID]);

	v = slots[H_ANS];
	if (v == NULL || !V_IS_STRING(v))
		segur__vfind(st, R_FICHIER_NUMERO_ANS, "numeroAns", "numeroAns "
		    "doit être un texte de 10 caractères entre guillemets "
		    "(le numéro de référencement ANS) ; trouvé : %s (%s)", Q(v),
		    segur__vtypename(v));
	else if (segur__is_blank(v->valuestring))
		segur__vfind(st, R_FICHIER_NUMERO_ANS, "numeroAns", "numeroAns "
		    "est vide (%s) : écrivez le numéro de référencement ANS du "
		    "logiciel, 10 caractères", Q(v));
	else if ((cps = segur__utf8_count(v->valuestring)) != 10)
		segur__vfind(st, R_FICHIER_NUMERO_ANS, "numeroAns", "numeroAns "
		    "%s a %zu caractères : il en faut exactement 10 (le "
		    "numéro de référencement ANS)", Q(v), cps);
	else
		st->numeroAns = v->valuestring;

	v = slots[H_SIRET];
	if (v == NULL || !V_IS_STRING(v))
		segur__vfind(st, R_FICHIER_SIRET, "SIRET", "SIRET doit être "
		    "un texte de 14 chiffres entre guillemets ; trouvé : %s "
		    "(%s)", Q(v), segur__vtypename(v));
	else if (strlen(v->valuestring) != 14 ||
	    !segur__all_digits(v->valuestring, 14))
		segur__vfind(st, R_FICHIER_SIRET, "SIRET", "SIRET %s doit "
		    "compter exactement 14 chiffres, sans espace ni autre "
		    "caractère", Q(v));
	else if (!segur__siret_key_ok(v->valuestring))
		segur__vfind(st, R_FICHIER_SIRET_CLE, "SIRET", "la clé de "
		    "contrôle du SIRET %s est fausse (Luhn) : vérifiez le "
		    "numéro sur l'avis de situation INSEE", Q(v));

	/* The structure check made sure lignesImport is an array. */
	if ((l = slots[H_LIGNES]) == NULL)
		return;
	n = cJSON_GetArraySize(l);
	if (n == 0)
		segur__vfind(st, R_FICHIER_NB_LIGNES, "lignesImport",
		    "lignesImport est vide : un fichier contient de 1 à 200 "
		    "demandes");
	else if (n > 200)
		segur__vfind(st, R_FICHIER_NB_LIGNES, "lignesImport",
		    "lignesImport contient %ld lignes : un fichier en contient "
		    "au plus 200, répartissez-les sur plusieurs fichiers", n);
	/* ASP names the files it returns: only a submission is checked. */
	if (st->opts->filename != NULL && !st->returned)
		check_filename(st, st->opts->filename);

	segur__vpush_key(st, "lignesImport");
	for (i = 0, v = l->child; v != NULL; v = v->next, i++) {
		number_map_node(st, (cJSON *)v, &st->knext);
		segur__vpush_idx(st, i);
		segur__vline(st, v, i);
		segur__vpop(st);
	}
	segur__vpop(st);
	st->line = -1;
	if (st->knext != st->kend)
		segur__vfind(st, R_STRUCT_JSON, NULL, "le fichier n'a pas pu "
		    "être relu : ses nombres ne correspondent pas à leur texte "
		    "(erreur interne du validateur, signalez-la)");
}

/* --- entry points --------------------------------------------------------- */

static void
state_init(struct segur__vstate *st, const char *buf, size_t len,
    const struct segur_validate_opts *opts, struct segur_report *report,
    int request)
{
	static const struct segur_validate_opts noopts;

	memset(report, 0, sizeof(*report));
	report->lines = -1;
	memset(st, 0, sizeof(*st));
	st->opts = opts != NULL ? opts : &noopts;
	st->ctx = st->opts->ctx;
	st->rep = report;
	st->request = request;
	st->returned = (st->opts->flags & SEGUR_VALIDATE_RETURNED) != 0;
	st->first_error = (st->opts->flags & SEGUR_VALIDATE_FIRST_ERROR) != 0;
	st->buf = buf;
	st->len = len;
	st->spans = st->spans_inline;
	st->spancap = sizeof(st->spans_inline) / sizeof(st->spans_inline[0]);
	st->line = -1;
	st->numLigne = -1;
}

static void
state_release(struct segur__vstate *st)
{
	if (st->spans != st->spans_inline)
		free(st->spans);
	segur__seen_release(&st->editeurs);
	segur__seen_release(&st->filegeos);
	segur__vstate_release_line(st);
	segur__ops_release(st);
}

/* Control 1 for both entry points; returns the tree or NULL. */
static cJSON *
control1(struct segur__vstate *st)
{
	size_t	 max = st->opts->max_bytes != 0 ? st->opts->max_bytes :
		    (size_t)SEGUR_VALIDATE_MAX_BYTES;

	if (st->len > max) {
		segur__vfind(st, R_STRUCT_TAILLE, NULL, "le fichier fait %zu "
		    "octets, au-delà de la limite de %zu octets : il n'est pas "
		    "lu ; un fichier de 200 demandes fait moins de 1 Mo", st->len,
		    max);
		return (NULL);
	}
	if (st->buf == NULL && st->len > 0) {
		st->oom = 1;	/* a caller's bug, reported as a failure */
		return (NULL);
	}
	if (prescan(st) != 0)
		return (NULL);
	return (parse(st));
}

static int
finish(struct segur__vstate *st, cJSON *root)
{
	int	 oom = st->oom;

	/*
	 * Our blocks first, the tree last: freeing a large block while the
	 * tree's thousands of small chunks sit in glibc's fast bins makes it
	 * consolidate them all, which costs more than the validation.
	 */
	state_release(st);
	cJSON_Delete(root);
	if (oom)
		return (SEGUR_ENOMEM);
	return (0);
}

int
segur_validate_buffer(const char *buf, size_t len,
    const struct segur_validate_opts *opts, struct segur_report *report)
{
	struct segur__vstate st;
	cJSON		*root;
	const cJSON	*l;
	size_t		 i;
	int		 missing = 0;

	state_init(&st, buf, len, opts, report, 0);
	if (st.opts->tree != NULL)
		*st.opts->tree = NULL;
	if ((root = control1(&st)) == NULL)
		return (finish(&st, NULL));
	if (!V_IS_OBJECT(root)) {
		segur__vfind(&st, R_STRUCT_RACINE, NULL, "le fichier contient "
		    "%s au premier niveau : il doit contenir un objet { "
		    "\"impId\", \"numeroAns\", \"SIRET\", \"lignesImport\" }",
		    segur__vtypename(root));
		return (finish(&st, root));
	}
	for (i = 0; i < H__N; i++) {
		if (cJSON_GetObjectItemCaseSensitive(root, hdr_keys[i]) ==
		    NULL) {
			segur__vfind(&st, R_STRUCT_ENTETE, NULL, "la clé "
			    "d'entête \"%s\" est absente : l'entête compte "
			    "impId, numeroAns, SIRET et lignesImport (noms "
			    "sensibles à la casse)", hdr_keys[i]);
			missing = 1;
		}
	}
	l = cJSON_GetObjectItemCaseSensitive(root, "lignesImport");
	if (l != NULL && !V_IS_ARRAY(l)) {
		segur__vfind(&st, R_STRUCT_LIGNES, NULL, "lignesImport est %s : "
		    "il doit être un tableau [ … ] de demandes",
		    segur__vtypename(l));
		missing = 1;
	}
	if (missing)
		return (finish(&st, root));
	report->structure_ok = 1;
	report->lines = cJSON_GetArraySize(l);
	if ((st.opts->flags & SEGUR_VALIDATE_STRUCTURE) == 0) {
		number_map_header(&st, root, (cJSON *)l);
		check_header(&st, root);
	}
	if (st.opts->tree != NULL && !st.oom) {
		/* Handed over: the caller reads it instead of parsing again. */
		*st.opts->tree = root;
		root = NULL;
	}
	return (finish(&st, root));
}

int
segur_validate_request(const char *buf, size_t len,
    const struct segur_validate_opts *opts, struct segur_report *report)
{
	struct segur__vstate st;
	cJSON	*root;

	state_init(&st, buf, len, opts, report, 1);
	if ((root = control1(&st)) == NULL)
		return (finish(&st, NULL));
	if (!V_IS_OBJECT(root)) {
		segur__vfind(&st, R_STRUCT_RACINE, NULL, "la demande est %s : "
		    "elle doit être un objet { \"typeAction\", \"commande\", "
		    "… } comme une ligne de lignesImport",
		    segur__vtypename(root));
		return (finish(&st, root));
	}
	report->structure_ok = 1;
	report->lines = 1;
	number_map_node(&st, root, &st.knext);
	st.numeroAns = st.opts->numeroAns;
	segur__vline(&st, root, 0);
	st.line = -1;
	return (finish(&st, root));
}

void
segur_report_release(struct segur_report *report)
{
	size_t	 i;

	if (report == NULL)
		return;
	for (i = 0; i < report->nfindings; i++) {
		free(report->findings[i].path);
		free(report->findings[i].message);
	}
	free(report->findings);
	memset(report, 0, sizeof(*report));
}
