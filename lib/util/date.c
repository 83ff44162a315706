/*
 * date.c: calendar dates (date.h).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "segur/date.h"
#include "segur/error.h"

/* The lowest year segur_date_days() reads: older dates are typing errors
 * in a programme that started in 2021. */
#define DAYS_YEAR_MIN	1900

int
segur_date_is_leap(int year)
{
	return ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0);
}

int
segur_date_valid(int year, int month, int day)
{
	static const int mdays[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1)
		return (0);
	return (day <= mdays[month - 1] + (month == 2 &&
	    segur_date_is_leap(year)));
}

/*
 * The value of the n decimal digits at s, or -1 if one is not a digit
 * (n is at most 4: no overflow).
 */
static int
digits(const char *s, size_t n)
{
	int	 v = 0;
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (-1);
		v = v * 10 + (s[i] - '0');
	}
	return (v);
}

int
segur_date_parse(const char *s, size_t len, unsigned forms,
    struct segur_date *out)
{
	int	 y, m, d;

	if (s == NULL)
		return (SEGUR_EINVAL);
	if ((forms & SEGUR_DATE_ISO) && len == 10 && s[4] == '-' &&
	    s[7] == '-') {
		y = digits(s, 4);
		m = digits(s + 5, 2);
		d = digits(s + 8, 2);
	} else if ((forms & SEGUR_DATE_FR) && len == 10 && s[2] == '/' &&
	    s[5] == '/') {
		d = digits(s, 2);
		m = digits(s + 3, 2);
		y = digits(s + 6, 4);
	} else if ((forms & SEGUR_DATE_COMPACT) && len == 8) {
		y = digits(s, 4);
		m = digits(s + 4, 2);
		d = digits(s + 6, 2);
	} else
		return (SEGUR_EINVAL);
	/* A non-digit gave -1, which no valid date has. */
	if (!segur_date_valid(y, m, d))
		return (SEGUR_EINVAL);
	out->year = y;
	out->month = m;
	out->day = d;
	return (0);
}

long
segur_date_ymd(const struct segur_date *d)
{
	return ((long)d->year * 10000 + (long)d->month * 100 + d->day);
}

void
segur_date_format_iso(const struct segur_date *d, char out[11])
{
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)d->year % 10000,
	    (unsigned)d->month % 100, (unsigned)d->day % 100);
}

void
segur_date_format_compact(const struct segur_date *d, char out[9])
{
	snprintf(out, 9, "%04u%02u%02u", (unsigned)d->year % 10000,
	    (unsigned)d->month % 100, (unsigned)d->day % 100);
}

int
segur_date_today(struct segur_date *out)
{
	struct tm	 tm;
	time_t		 now = time(NULL);

	if (localtime_r(&now, &tm) == NULL)
		return (SEGUR_EIO);
	out->year = tm.tm_year + 1900;
	out->month = tm.tm_mon + 1;
	out->day = tm.tm_mday;
	return (0);
}

void
segur_date_today_iso(char out[11])
{
	struct tm	 tm;
	time_t		 now = time(NULL);
	char		 utc[11];

	out[0] = utc[0] = '\0';
	if (localtime_r(&now, &tm) != NULL)
		strftime(out, 11, "%Y-%m-%d", &tm);
	if (gmtime_r(&now, &tm) != NULL)
		strftime(utc, 11, "%Y-%m-%d", &tm);
	if (strcmp(utc, out) > 0)
		memcpy(out, utc, 11);
}

int
segur_date_future(const char *date)
{
	int64_t		 d, t;
	char		 today[11];

	if (segur_date_days(date, &d) != 0)
		return (SEGUR_EINVAL);
	segur_date_today_iso(today);
	if (segur_date_days(today, &t) != 0)
		return (0);
	return (d > t);
}

/* Days from 1970-01-01 of a valid y-m-d (H. Hinnant's days_from_civil). */
int64_t
segur_date_to_days(const struct segur_date *dt)
{
	int64_t		 era, y = dt->year;
	unsigned	 m = (unsigned)dt->month, d = (unsigned)dt->day;
	unsigned	 yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + (int64_t)doe - 719468);
}

/* The inverse (H. Hinnant's civil_from_days). */
void
segur_date_of_days(int64_t z, struct segur_date *out)
{
	int64_t		 era, y;
	unsigned	 doe, yoe, doy, mp, d, m;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	out->year = (int)(y < 0 ? 0 : y % 10000);
	out->month = (int)m;
	out->day = (int)d;
}

int
segur_date_days(const char *s, int64_t *days)
{
	struct segur_date d;

	if (s == NULL || segur_date_parse(s, strlen(s), SEGUR_DATE_ISO |
	    SEGUR_DATE_FR, &d) != 0 || d.year < DAYS_YEAR_MIN)
		return (SEGUR_EINVAL);
	*days = segur_date_to_days(&d);
	return (0);
}

void
segur_date_from_days(int64_t days, char out[11])
{
	struct segur_date d;

	segur_date_of_days(days, &d);
	segur_date_format_iso(&d, out);
}

int
segur_date_diff(const char *from, const char *to, int64_t *days)
{
	int64_t	 a, b;

	if (segur_date_days(from, &a) != 0 || segur_date_days(to, &b) != 0)
		return (SEGUR_EINVAL);
	*days = b - a;
	return (0);
}

/* t as "JJ/MM/AAAA HH:MM" from its broken-down time, or "" without one. */
static char *
fr_time(const struct tm *tm, char out[SEGUR_DATE_FR_BUFSZ])
{
	out[0] = '\0';
	if (tm != NULL)
		snprintf(out, SEGUR_DATE_FR_BUFSZ, "%02u/%02u/%04u %02u:%02u",
		    (unsigned)tm->tm_mday % 100,
		    (unsigned)(tm->tm_mon + 1) % 100,
		    (unsigned)(tm->tm_year + 1900) % 10000,
		    (unsigned)tm->tm_hour % 100, (unsigned)tm->tm_min % 100);
	return (out);
}

char *
segur_date_fr_time(time_t t, char out[SEGUR_DATE_FR_BUFSZ])
{
	struct tm	 tm;

	return (fr_time(localtime_r(&t, &tm), out));
}

char *
segur_date_fr_utc(time_t t, char out[SEGUR_DATE_FR_BUFSZ])
{
	struct tm	 tm;

	return (fr_time(gmtime_r(&t, &tm), out));
}

int
segur_date_instant(const char *text, time_t *t)
{
	struct segur_date d;
	const char	*p;
	int		 h, m, s = 0;

	if (text == NULL || strlen(text) < 16 ||
	    segur_date_parse(text, 10, SEGUR_DATE_ISO, &d) != 0)
		return (SEGUR_EINVAL);
	/* THH:MM, then :SS and a fraction (ignored), then Z or nothing. */
	p = text + 10;
	if (*p++ != 'T' || (h = digits(p, 2)) < 0 || p[2] != ':' ||
	    (m = digits(p + 3, 2)) < 0 || h > 23 || m > 59)
		return (SEGUR_EINVAL);
	p += 5;
	if (*p == ':') {
		if ((s = digits(p + 1, 2)) < 0 || s > 60)
			return (SEGUR_EINVAL);
		p += 3;
		if (*p == '.' && p[1] >= '0' && p[1] <= '9')
			for (p++; *p >= '0' && *p <= '9'; p++)
				;
	}
	if (*p == 'Z')
		p++;
	if (*p != '\0')
		return (SEGUR_EINVAL);
	/* Whole days and seconds, no timegm(): its TZ games stay out. */
	*t = (time_t)(segur_date_to_days(&d) * 86400 + h * 3600 + m * 60 + s);
	return (0);
}

char *
segur_date_fr(const char *text, char out[SEGUR_DATE_FR_BUFSZ])
{
	struct segur_date d;
	time_t		 t;

	out[0] = '\0';
	if (text == NULL || strlen(text) < 10 ||
	    segur_date_parse(text, 10, SEGUR_DATE_ISO, &d) != 0)
		return (NULL);
	if (text[10] == '\0') {
		snprintf(out, SEGUR_DATE_FR_BUFSZ, "%02u/%02u/%04u",
		    (unsigned)d.day % 100, (unsigned)d.month % 100,
		    (unsigned)d.year % 10000);
		return (out);
	}
	if (segur_date_instant(text, &t) != 0)
		return (NULL);
	segur_date_fr_time(t, out);
	return (out[0] != '\0' ? out : NULL);
}
