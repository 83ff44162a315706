/*
 * amount.h: amounts of money, kept as integer numbers of cents.
 *
 * The guide writes amounts as JSON numbers with at most two decimals
 * ("5840.00"); the ledger keeps them as int64 cents so that sums and
 * balances never drift. Conversion happens once, at the edge: from the
 * number's JSON text when it is at hand (exact), from cJSON's double
 * otherwise, refusing anything that is not a whole number of cents.
 */
#ifndef SEGUR_AMOUNT_H
#define SEGUR_AMOUNT_H

#include <stddef.h>
#include <stdint.h>

/* Largest amount accepted: 10^13 cents (100 billion euros). */
#define SEGUR_AMOUNT_MAX_CENTS	10000000000000LL

/* Room for the longest text segur_amount_format() writes, with its NUL. */
#define SEGUR_AMOUNT_BUFSZ	32

/*
 * Parses a JSON number's text s[0..n) ("5840", "5840.5", "5840.00",
 * "5.84e3") exactly into cents. Returns 0, or SEGUR_EINVAL when the text is
 * not a JSON number, is finer than a cent ("5840.001"), or is beyond
 * +/- SEGUR_AMOUNT_MAX_CENTS.
 */
int	segur_amount_from_text(const char *s, size_t n, int64_t *cents);

/*
 * Converts cJSON's double into cents: accepted only when the double is
 * within 1e-6 cent of a whole number of cents (4866.67 is
 * 486666.99999999994 cents as a double). Returns 0 or SEGUR_EINVAL.
 */
int	segur_amount_from_double(double v, int64_t *cents);

/*
 * Writes cents as a JSON number with exactly two decimals ("5840.00",
 * "-0.05") into buf and returns buf.
 */
char	*segur_amount_format(int64_t cents, char buf[SEGUR_AMOUNT_BUFSZ]);

/*
 * The same with a decimal comma and a narrow no-break space between
 * thousands ("5 840,00"), for French-facing text (reports, e-mails).
 */
char	*segur_amount_format_fr(int64_t cents, char buf[SEGUR_AMOUNT_BUFSZ]);

#endif /* SEGUR_AMOUNT_H */
