/*
 * date.h: calendar dates (proleptic Gregorian, whole days, no time zone).
 *
 * The one place that reads and checks the dates the project meets: the
 * guide's JJ/MM/AAAA (dateCommande), AAAAMMJJ in file names and --date,
 * AAAA-MM-JJ in the ledger and on the command line. Parsing is exact: the
 * whole text, digits where digits go, and a day that exists (29/02 only in
 * leap years). Arithmetic counts days, never seconds, so that month ends,
 * leap years and daylight saving change nothing.
 */
#ifndef SEGUR_DATE_H
#define SEGUR_DATE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* A day of the calendar; valid when segur_date_valid() says so. */
struct segur_date {
	int	 year;		/* 1..9999 */
	int	 month;		/* 1..12 */
	int	 day;		/* 1..31 */
};

/* The forms segur_date_parse() may accept, or'ed together. */
#define SEGUR_DATE_ISO		0x1	/* AAAA-MM-JJ */
#define SEGUR_DATE_FR		0x2	/* JJ/MM/AAAA (the guide's) */
#define SEGUR_DATE_COMPACT	0x4	/* AAAAMMJJ (file names) */

/* Is year a leap year of the Gregorian calendar? 1 or 0. */
int	segur_date_is_leap(int year);

/* Is year-month-day a day of the calendar, year 1..9999? 1 or 0. */
int	segur_date_valid(int year, int month, int day);

/*
 * Reads s[0..len), all of it, in one of forms, into *out. Returns 0, or
 * SEGUR_EINVAL for anything else (s NULL, another form, a day that does
 * not exist such as 29/02/2023, year 0000); *out is then unchanged.
 */
int	segur_date_parse(const char *s, size_t len, unsigned forms,
	    struct segur_date *out);

/* The date as the number AAAAMMJJ (compares as the dates do). */
long	segur_date_ymd(const struct segur_date *d);

/* The date as "AAAA-MM-JJ" in out. */
void	segur_date_format_iso(const struct segur_date *d, char out[11]);

/* The date as "AAAAMMJJ" in out. */
void	segur_date_format_compact(const struct segur_date *d, char out[9]);

/* Today in the local time zone (TZ). 0, or SEGUR_EIO when the system
 * cannot tell (localtime_r() failing). */
int	segur_date_today(struct segur_date *out);

/*
 * Today as "AAAA-MM-JJ": the later of the local day and the UTC day, so
 * that "not in the future" refuses no one a date of today near midnight.
 */
void	segur_date_today_iso(char out[11]);

/*
 * Is date ("AAAA-MM-JJ" or "JJ/MM/AAAA") after segur_date_today_iso()?
 * 1 or 0; SEGUR_EINVAL for something that is no date.
 */
int	segur_date_future(const char *date);

/* Days from 1970-01-01 to d (negative before); month 1..12, and a day
 * past the month's end counts on (2023-02-30 is 2023-03-02). */
int64_t	segur_date_to_days(const struct segur_date *d);

/* The date days after 1970-01-01 (years clamped to 0..9999). */
void	segur_date_of_days(int64_t days, struct segur_date *out);

/*
 * Days from 1970-01-01 to the date "AAAA-MM-JJ" or "JJ/MM/AAAA", year 1900
 * or later; 0, or SEGUR_EINVAL for anything else ("2023-02-29").
 */
int	segur_date_days(const char *date, int64_t *days);

/* The date days after 1970-01-01, as "AAAA-MM-JJ". */
void	segur_date_from_days(int64_t days, char out[11]);

/* to - from in days (negative when to is earlier), both read by
 * segur_date_days(); SEGUR_EINVAL. */
int	segur_date_diff(const char *from, const char *to, int64_t *days);

/* Room for "JJ/MM/AAAA HH:MM" and its NUL. */
#define SEGUR_DATE_FR_BUFSZ	17

/*
 * A date or a time of the ledger as French readers write it, the one
 * formatter of dates for people (report, segurd's console, e-mails):
 * "AAAA-MM-JJ" (a day, no zone) as "JJ/MM/AAAA"; a UTC time as the ledger
 * writes it, "AAAA-MM-JJTHH:MM[:SS[.f...]][Z]", as "JJ/MM/AAAA HH:MM" in
 * the local time zone (TZ). Returns out, or NULL when text is neither
 * (out is then "": the caller shows the text as it is).
 */
char	*segur_date_fr(const char *text, char out[SEGUR_DATE_FR_BUFSZ]);

/* The instant t as "JJ/MM/AAAA HH:MM" in the local time zone; returns
 * out ("" if the system cannot tell, localtime_r() failing). */
char	*segur_date_fr_time(time_t t, char out[SEGUR_DATE_FR_BUFSZ]);

/* The instant t as "JJ/MM/AAAA HH:MM" in UTC, whatever TZ says (the
 * daemon's alerts, whose text then says "UTC"); "" if gmtime_r() fails. */
char	*segur_date_fr_utc(time_t t, char out[SEGUR_DATE_FR_BUFSZ]);

/*
 * A UTC time as the ledger writes it, "AAAA-MM-JJTHH:MM[:SS[.f...]][Z]",
 * as seconds since 1970-01-01 UTC in *t; 0, or SEGUR_EINVAL for anything
 * else (*t unchanged).
 */
int	segur_date_instant(const char *text, time_t *t);

#endif /* SEGUR_DATE_H */
