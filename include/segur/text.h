/*
 * text.h: comparing texts the way a person reads them.
 *
 * Labels and headings written by others (ASP's libelleTraitement, the
 * heading row of a CSV file) reach us in whatever bytes their tools chose:
 * precomposed or decomposed accents, capitals, no-break spaces, doubled or
 * surrounding spaces. Folding maps every text a reader takes for the same
 * words to the same bytes, through libutf8proc (no hand-written table):
 * compatibility decomposition (NFKD: U+00A0 and U+202F become spaces),
 * case folding, combining marks and default-ignorable characters (soft
 * hyphen, zero-width space) removed, recomposition (NFC), then every run
 * of white space (ASCII controls \t \n \v \f \r, U+0085 and the Unicode
 * separators Zs, Zl, Zp) made one space and the ends trimmed.
 * "  DEMANDE\u00a0ACCEPTE\u0301E " folds to "demande acceptee".
 */
#ifndef SEGUR_TEXT_H
#define SEGUR_TEXT_H

#include <stddef.h>

/*
 * Folds s[0..len) (UTF-8; a NUL byte inside is kept) into *out, malloc'ed
 * and NUL-terminated (caller frees); *outlen, when not NULL, gets its
 * length. Returns 0, SEGUR_EINVAL for text that is not valid UTF-8
 * (*out NULL), SEGUR_ETOOBIG past SSIZE_MAX bytes, or SEGUR_ENOMEM.
 */
int	segur_text_fold(const char *s, size_t len, char **out,
	    size_t *outlen);

/*
 * Does the NUL-terminated s fold to want, itself already folded (a
 * constant such as "demande acceptee")? 1 yes, 0 no (NULL s and invalid
 * UTF-8 included), SEGUR_ENOMEM when it could not tell.
 */
int	segur_text_matches(const char *s, const char *want);

#endif /* SEGUR_TEXT_H */
