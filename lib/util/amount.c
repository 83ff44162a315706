/*
 * amount.c: exact conversions between JSON numbers and cents (amount.h).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "segur/amount.h"
#include "segur/error.h"

/*
 * Parses the JSON number grammar, keeping the digits as an exact decimal:
 * mantissa digits with the position of the decimal point, then an exponent.
 * The value is mantissa * 10^(exp - fracdigits); it is a whole number of
 * cents when every digit below 10^-2 is zero.
 */
int
segur_amount_from_text(const char *s, size_t n, int64_t *cents)
{
	const char	*p = s, *end = s + n;
	char		 digits[64];
	size_t		 nd = 0, i;
	long		 frac = 0, exp = 0, scale;
	int		 neg = 0, eneg = 0, any = 0;
	int64_t		 v = 0;

	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	if (p == end || *p < '0' || *p > '9')
		return (SEGUR_EINVAL);
	if (*p == '0' && p + 1 < end && p[1] >= '0' && p[1] <= '9')
		return (SEGUR_EINVAL);	/* JSON forbids leading zeros */
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (nd == 0 && *p == '0')
			continue;	/* leading zeros carry nothing */
		if (nd == sizeof(digits))
			return (SEGUR_EINVAL);
		digits[nd++] = *p;
	}
	if (p < end && *p == '.') {
		p++;
		for (; p < end && *p >= '0' && *p <= '9'; p++, any = 1) {
			if (nd == sizeof(digits))
				return (SEGUR_EINVAL);
			if (nd == 0 && *p == '0') {
				frac++;
				continue;
			}
			digits[nd++] = *p;
			frac++;
		}
		if (!any)
			return (SEGUR_EINVAL);
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		if (p == end || *p < '0' || *p > '9')
			return (SEGUR_EINVAL);
		for (; p < end && *p >= '0' && *p <= '9'; p++) {
			if (exp > 1000)
				return (SEGUR_EINVAL);
			exp = exp * 10 + (*p - '0');
		}
		if (eneg)
			exp = -exp;
	}
	if (p != end)
		return (SEGUR_EINVAL);
	/* Drop trailing zeros: they never decide anything. */
	while (nd > 0 && digits[nd - 1] == '0') {
		nd--;
		frac--;
	}
	/* value = digits * 10^scale cents, scale = exp - frac + 2. */
	scale = exp - frac + 2;
	if (nd == 0) {
		*cents = 0;
		return (0);
	}
	if (scale < 0)
		return (SEGUR_EINVAL);	/* finer than a cent */
	if ((long)nd + scale > 14)
		return (SEGUR_EINVAL);	/* beyond the maximum */
	for (i = 0; i < nd; i++)
		v = v * 10 + (digits[i] - '0');
	for (; scale > 0; scale--)
		v *= 10;
	if (v > SEGUR_AMOUNT_MAX_CENTS)
		return (SEGUR_EINVAL);
	*cents = neg ? -v : v;
	return (0);
}

int
segur_amount_from_double(double v, int64_t *cents)
{
	double	 c, r;

	if (!isfinite(v))
		return (SEGUR_EINVAL);
	c = v * 100.0;
	if (fabs(c) > (double)SEGUR_AMOUNT_MAX_CENTS)
		return (SEGUR_EINVAL);
	r = nearbyint(c);
	if (fabs(c - r) > 1e-6)
		return (SEGUR_EINVAL);
	*cents = (int64_t)r;
	return (0);
}

char *
segur_amount_format(int64_t cents, char buf[SEGUR_AMOUNT_BUFSZ])
{
	char		 d[SEGUR_AMOUNT_BUFSZ];
	uint64_t	 u;
	size_t		 i = sizeof(d), o = 0;

	/* Digits from the right, no snprintf: lists format one per row. */
	u = cents < 0 ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;
	d[--i] = (char)('0' + u % 10);
	u /= 10;
	d[--i] = (char)('0' + u % 10);
	u /= 10;
	d[--i] = '.';
	do {
		d[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (cents < 0)
		buf[o++] = '-';
	memcpy(buf + o, d + i, sizeof(d) - i);
	buf[o + sizeof(d) - i] = '\0';
	return (buf);
}

char *
segur_amount_format_fr(int64_t cents, char buf[SEGUR_AMOUNT_BUFSZ])
{
	static const char nnbsp[] = "\xe2\x80\xaf";	/* U+202F */
	char		 digits[24];
	uint64_t	 u;
	size_t		 nd, i, o = 0;

	u = cents < 0 ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;
	nd = (size_t)snprintf(digits, sizeof(digits), "%llu",
	    (unsigned long long)(u / 100));
	if (cents < 0)
		buf[o++] = '-';
	for (i = 0; i < nd; i++) {
		if (i > 0 && (nd - i) % 3 == 0) {
			buf[o++] = nnbsp[0];
			buf[o++] = nnbsp[1];
			buf[o++] = nnbsp[2];
		}
		buf[o++] = digits[i];
	}
	snprintf(buf + o, SEGUR_AMOUNT_BUFSZ - o, ",%02llu",
	    (unsigned long long)(u % 100));
	return (buf);
}
