/*
 * template.h: JSON templates with typed variables, for balance ("solde")
 * files whose official format ASP has not published yet (spec §5).
 *
 * A template is a JSON document. A string value that is exactly "${name}"
 * becomes the variable's value with its type: text stays a string, an
 * amount becomes a number with two decimals (5840.00), an integer a
 * number, a boolean true/false, and a null value stays null. "${name}"
 * inside a longer string is replaced by the value as text ("MS1-DUI-Va1-
 * FAC-${numeroEditeur}.pdf"); "$$" writes one "$". The first element of the
 * top-level "lignesImport" array is the line template, written once per
 * line with that line's variables; the rest of the document once, with
 * the file's variables. Keys keep the template's order.
 *
 * Every variable must be one of the documented variables (the table of
 * segur_template_vars(), printed in docs/solde.md); an unknown variable,
 * a line variable outside lignesImport, or a variable without a value is
 * an error naming the template's JSON path.
 */
#ifndef SEGUR_TEMPLATE_H
#define SEGUR_TEMPLATE_H

#include <stddef.h>
#include <stdint.h>

#include "segur/util.h"

enum segur_tvar_type {
	SEGUR_TVAR_TEXT = 0,
	SEGUR_TVAR_AMOUNT,	/* cents, written with two decimals */
	SEGUR_TVAR_INT,
	SEGUR_TVAR_BOOL
};

enum segur_tvar_scope {
	SEGUR_TVAR_FILE = 0,	/* one value per file (header) */
	SEGUR_TVAR_LINE		/* one value per line (request) */
};

/* A documented variable. */
struct segur_tvar_def {
	const char		*name;
	enum segur_tvar_type	 type;
	enum segur_tvar_scope	 scope;
	const char		*doc;	/* French, one sentence */
};

/* The documented variables, terminated by a NULL name. Static. */
const struct segur_tvar_def *segur_template_vars(void);

/* A value given to a variable. */
struct segur_tval {
	const char	*name;	/* borrowed */
	int		 is_null;	/* the value is null */
	const char	*text;	/* SEGUR_TVAR_TEXT; borrowed */
	int64_t		 num;	/* AMOUNT (cents), INT, BOOL (0/1) */
};

/* The values of one scope: file, or one line. */
struct segur_tvals {
	const struct segur_tval *v;	/* borrowed array */
	size_t			 n;
};

/*
 * Renders the template tmpl[0..len) with the file's values and one set of
 * values per line (lines[0..nlines)), appending indented JSON (two spaces,
 * LF, final newline) to out. Returns 0, SEGUR_EINVAL with a French cause
 * naming the template's path (e.g. "lignesImport[0].facture.montant :
 * variable inconnue ${montant}"), or SEGUR_ENOMEM. Nothing is appended on
 * error.
 */
int	segur_template_render(const char *tmpl, size_t len,
	    const struct segur_tvals *file, const struct segur_tvals *lines,
	    size_t nlines, struct segur_buf *out, char **cause);

/*
 * Checks a template without values: JSON, one line template, only known
 * variables, each in its scope. Same returns.
 */
int	segur_template_check(const char *tmpl, size_t len, char **cause);

#endif /* SEGUR_TEMPLATE_H */
