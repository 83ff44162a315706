/*
 * msfile.h: writing MS1-DUI funding files in the canonical layout.
 *
 * The canonical layout is the one of the spec (§3): every key present, in
 * the guide's order, null where due, amounts with exactly two decimals,
 * UTF-8 without BOM, two-space indentation, LF line ends. Writing a valid
 * file read back from the examples reproduces it byte for byte.
 */
#ifndef SEGUR_MSFILE_H
#define SEGUR_MSFILE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "segur/util.h"

/*
 * Appends the canonical text of a whole file to out. header is an object
 * holding impId, numeroAns and SIRET (absent keys are written null);
 * lines[0..nlines) are request-line objects, written in that order as
 * lignesImport (borrowed; not modified). Amounts (montantSegurHT) must be
 * whole cents. Returns 0, SEGUR_EINVAL (with a cause naming the JSON path)
 * or SEGUR_ENOMEM.
 */
int	segur_msfile_write(const cJSON *header, const cJSON *const *lines,
	    size_t nlines, struct segur_buf *out, char **cause);

/*
 * Appends the canonical text of one request line to out, indented by
 * indent spaces (0 for a line on its own). Same rules and returns.
 */
int	segur_msfile_write_line(const cJSON *line, int indent,
	    struct segur_buf *out, char **cause);

#endif /* SEGUR_MSFILE_H */
