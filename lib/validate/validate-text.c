/*
 * validate-text.c: the text forms of spec §6 (characters, upper case,
 * e-mail, phone, FINESS and SIRET keys; dates are date.h's).
 *
 * Every function here takes text cJSON produced from a buffer the pre-scan
 * proved to be valid UTF-8, so decoding trusts the lead bytes but still
 * stops at a NUL, never reading past the string.
 */
#include <string.h>

#include <utf8proc.h>

#include "validate/validate-int.h"

uint32_t
segur__utf8_next(const char **pp)
{
	const unsigned char *p = (const unsigned char *)*pp;
	uint32_t	 cp;
	int		 n, i;

	if (p[0] < 0x80) {
		*pp += 1;
		return (p[0]);
	}
	if (p[0] >= 0xF0) {
		n = 3;
		cp = p[0] & 0x07;
	} else if (p[0] >= 0xE0) {
		n = 2;
		cp = p[0] & 0x0F;
	} else {
		n = 1;
		cp = p[0] & 0x1F;
	}
	for (i = 1; i <= n; i++) {
		if ((p[i] & 0xC0) != 0x80) {
			/* Not reached on pre-scanned text; never overrun. */
			*pp += i;
			return (0xFFFD);
		}
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	*pp += n + 1;
	return (cp);
}

size_t
segur__utf8_count(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t	 n = 0;

	/* Every byte that is not a continuation byte starts a code point. */
	for (; *p != '\0'; p++)
		n += (*p & 0xC0) != 0x80;
	return (n);
}

/*
 * Unicode general category Ll, from libutf8proc's tables (the Unicode of
 * the installed library); ASCII, most of any text, needs no call.
 */
int
segur__is_lower(uint32_t cp)
{
	if (cp < 0x80)
		return (cp >= 'a' && cp <= 'z');
	return (utf8proc_category((utf8proc_int32_t)cp) ==
	    UTF8PROC_CATEGORY_LL);
}

/* Unicode White_Space, NBSP and its narrow sibling included. */
int
segur__is_space(uint32_t cp)
{
	return ((cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 ||
	    cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
	    cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
	    cp == 0x3000);
}

int
segur__first_lower(const char *s, char out[8])
{
	const char	*p = s, *q;
	uint32_t	 cp;

	while (*p != '\0') {
		q = p;
		cp = segur__utf8_next(&p);
		if (segur__is_lower(cp)) {
			memcpy(out, q, (size_t)(p - q));
			out[p - q] = '\0';
			return (1);
		}
	}
	return (0);
}

int
segur__is_blank(const char *s)
{
	const char	*p = s;

	/* Most texts start with a printable ASCII character. */
	if ((unsigned char)*p > 0x20 && (unsigned char)*p < 0x80)
		return (0);
	while (*p != '\0')
		if (!segur__is_space(segur__utf8_next(&p)))
			return (0);
	return (1);
}

/*
 * spec §6: exactly one '@' with something before it, a domain after it
 * holding a '.' that is neither its first nor its last character, and no
 * white space of any kind.
 */
int
segur__email_ok(const char *s)
{
	const char	*p = s, *at = NULL;
	size_t		 dlen, i;
	int		 dot = 0;

	while (*p != '\0') {
		if ((unsigned char)*p >= 0x80) {
			if (segur__is_space(segur__utf8_next(&p)))
				return (0);
			continue;
		}
		if (*p == ' ' || (*p >= 0x09 && *p <= 0x0D))
			return (0);
		if (*p == '@') {
			if (at != NULL)
				return (0);
			at = p;
		}
		p++;
	}
	if (at == NULL || at == s)
		return (0);
	dlen = strlen(at + 1);
	for (i = 1; i + 1 < dlen; i++)
		if (at[1 + i] == '.')
			dot = 1;
	return (dot);
}

static int
is_digit(char c)
{
	return (c >= '0' && c <= '9');
}

/*
 * spec §6: '+', then digits, single separators (space, '.', '-') only
 * between two digits.
 */
int
segur__phone_ok(const char *s, int *ndigits, int *fr_ok, const char **why)
{
	const char	*p;
	int		 n = 0, prev_digit = 0;

	*ndigits = 0;
	*fr_ok = 1;
	if (s[0] != '+') {
		*why = "il doit commencer par « + » et l'indicatif du pays "
		    "(par exemple +33)";
		return (-1);
	}
	for (p = s + 1; *p != '\0'; p++) {
		if (is_digit(*p)) {
			n++;
			prev_digit = 1;
		} else if (*p == ' ' || *p == '.' || *p == '-') {
			if (!prev_digit) {
				*why = p == s + 1 ? "un séparateur suit "
				    "directement le « + »" : "deux séparateurs "
				    "se suivent";
				return (-1);
			}
			prev_digit = 0;
		} else if (*p == '(' || *p == ')') {
			*why = "les parenthèses ne sont pas admises";
			return (-1);
		} else {
			*why = "seuls des chiffres et les séparateurs espace, "
			    "point ou tiret sont admis après le « + »";
			return (-1);
		}
	}
	if (n == 0) {
		*why = "il n'a aucun chiffre";
		return (-1);
	}
	if (!prev_digit) {
		*why = "il se termine par un séparateur";
		return (-1);
	}
	*ndigits = n;
	/* Country codes are prefix-free: digits starting 33 are French. */
	for (p = s + 1; !is_digit(*p); p++)
		continue;
	if (p[0] == '3') {
		for (p++; !is_digit(*p); p++)
			continue;
		if (p[0] == '3' && n - 2 != 9)
			*fr_ok = 0;
	}
	return (0);
}

int
segur__all_digits(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return (0);
	return (1);
}

int
segur__all_alnum(const char *s)
{
	for (; *s != '\0'; s++)
		if (!is_digit(*s) && !(*s >= 'A' && *s <= 'Z') &&
		    !(*s >= 'a' && *s <= 'z'))
			return (0);
	return (1);
}

int
segur__finess_shape_ok(const char *s)
{
	int	 i = s[0] == '2' && (s[1] == 'A' || s[1] == 'B') ? 2 : 0;

	/* A NUL is not a digit: a short string stops the loop in time. */
	for (; i < 9; i++)
		if (!is_digit(s[i]))
			return (0);
	return (s[9] == '\0');
}

/* Luhn over n digits: every second digit from the right doubled. */
static int
luhn_ok(const char *s, size_t n)
{
	static const int twice[10] = { 0, 2, 4, 6, 8, 1, 3, 5, 7, 9 };
	size_t	 i;
	int	 sum = 0;

	for (i = 0; i < n; i++)
		sum += i % 2 == 1 ? twice[s[n - 1 - i] - '0'] :
		    s[n - 1 - i] - '0';
	return (sum % 10 == 0);
}

int
segur__finess_key_ok(const char *s)
{
	if (s[1] == 'A' || s[1] == 'B')
		return (1);
	return (luhn_ok(s, 9));
}

/* SIRET: Luhn, except La Poste's establishments (SIREN 356000000), whose
 * digits add up to a multiple of 5. */
int
segur__siret_key_ok(const char *s)
{
	int	 sum = 0, i;

	if (luhn_ok(s, 14))
		return (1);
	if (strncmp(s, "356000000", 9) != 0)
		return (0);
	for (i = 0; i < 14; i++)
		sum += s[i] - '0';
	return (sum % 5 == 0);
}

/*
 * A string hash for the seen sets: FNV-1a over 8-byte words (the strings
 * are short codes: FINESS, numeroEditeur), then a final mix.
 */
uint32_t
segur__hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL, w;
	size_t	 n = strlen(s);

	for (; n >= 8; n -= 8, s += 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 1099511628211ULL;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w ^ ((uint64_t)n << 59)) * 1099511628211ULL;
	h ^= h >> 29;
	return ((uint32_t)(h ^ (h >> 32)));
}
