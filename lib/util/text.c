/*
 * text.c: folding texts for comparison with libutf8proc (text.h).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "segur/error.h"
#include "segur/text.h"

/* What folding asks of utf8proc_map(); STRIPMARK needs a decomposition
 * first, which COMPAT makes the compatibility one (NBSP -> space). */
#define FOLD_OPTIONS	(UTF8PROC_STABLE | UTF8PROC_COMPOSE | \
	UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | \
	UTF8PROC_IGNORE)

/* White space as a reader sees it: ASCII's and Unicode's separators. */
static int
is_space(utf8proc_int32_t cp)
{
	utf8proc_category_t c;

	if (cp == '\t' || cp == '\n' || cp == '\v' || cp == '\f' ||
	    cp == '\r' || cp == ' ' || cp == 0x85)
		return (1);
	c = utf8proc_category(cp);
	return (c == UTF8PROC_CATEGORY_ZS || c == UTF8PROC_CATEGORY_ZL ||
	    c == UTF8PROC_CATEGORY_ZP);
}

/*
 * Rewrites the valid UTF-8 s in place, each run of white space made one
 * ' ', none at either end. Returns the new length.
 */
static size_t
collapse_space(utf8proc_uint8_t *s, size_t len)
{
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;
	size_t		 i = 0, o = 0;
	int		 pending = 0;

	while (i < len) {
		n = utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i), &cp);
		if (n <= 0)
			break;	/* cannot happen: utf8proc wrote it */
		if (is_space(cp)) {
			pending = o > 0;
			i += (size_t)n;
			continue;
		}
		if (pending) {
			s[o++] = ' ';
			pending = 0;
		}
		memmove(s + o, s + i, (size_t)n);
		o += (size_t)n;
		i += (size_t)n;
	}
	s[o] = '\0';
	return (o);
}

int
segur_text_fold(const char *s, size_t len, char **out, size_t *outlen)
{
	utf8proc_uint8_t *dst = NULL;
	utf8proc_ssize_t n;
	size_t		 m;

	*out = NULL;
	if (len > SSIZE_MAX)
		return (SEGUR_ETOOBIG);
	n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len,
	    &dst, FOLD_OPTIONS);
	if (n == UTF8PROC_ERROR_NOMEM || n == UTF8PROC_ERROR_OVERFLOW)
		return (SEGUR_ENOMEM);
	if (n < 0)
		return (SEGUR_EINVAL);
	m = collapse_space(dst, (size_t)n);
	*out = (char *)dst;
	if (outlen != NULL)
		*outlen = m;
	return (0);
}

int
segur_text_matches(const char *s, const char *want)
{
	char	*f;
	int	 rc;

	if (s == NULL)
		return (0);
	rc = segur_text_fold(s, strlen(s), &f, NULL);
	if (rc == SEGUR_ENOMEM)
		return (rc);
	if (rc != 0)
		return (0);
	rc = strcmp(f, want) == 0;
	free(f);
	return (rc);
}
