/*
 * jsonout.c: JSON string escaping and indentation (jsonout.h).
 */
#include <stdio.h>
#include <string.h>

#include "util/jsonout.h"
#include "segur/error.h"

int
segur__json_string(struct segur_buf *b, const char *s)
{
	const unsigned char *p, *run;
	char	 esc[8];
	int	 rc = 0;

	rc |= segur_buf_add(b, "\"", 1);
	for (run = p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p >= 0x20 && *p != '"' && *p != '\\')
			continue;
		/* Flush the plain run before the character to escape. */
		rc |= segur_buf_add(b, run, (size_t)(p - run));
		run = p + 1;
		switch (*p) {
		case '"':
			rc |= segur_buf_add(b, "\\\"", 2);
			break;
		case '\\':
			rc |= segur_buf_add(b, "\\\\", 2);
			break;
		case '\n':
			rc |= segur_buf_add(b, "\\n", 2);
			break;
		case '\r':
			rc |= segur_buf_add(b, "\\r", 2);
			break;
		case '\t':
			rc |= segur_buf_add(b, "\\t", 2);
			break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
			rc |= segur_buf_add(b, esc, 6);
		}
	}
	rc |= segur_buf_add(b, run, (size_t)(p - run));
	rc |= segur_buf_add(b, "\"", 1);
	return (rc != 0 ? SEGUR_ENOMEM : 0);
}

int
segur__json_indent(struct segur_buf *b, int n)
{
	static const char spaces[] = "                                ";
	int	 k, rc = 0;

	for (; n > 0; n -= k) {
		k = n > 32 ? 32 : n;
		rc |= segur_buf_add(b, spaces, (size_t)k);
	}
	return (rc != 0 ? SEGUR_ENOMEM : 0);
}
