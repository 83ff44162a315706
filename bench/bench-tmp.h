/*
 * bench-tmp.h: the benchmarks' temporary folders, under $TMPDIR like the
 * unit tests' (tests/unit/helper-ledger.h, helper_tmpdir()).
 */
#ifndef BENCH_TMP_H
#define BENCH_TMP_H

#include <stdlib.h>

#include "segur/util.h"

/*
 * A fresh folder $TMPDIR/segur-bench-<name>-XXXXXX (TMPDIR unset or empty:
 * /tmp), by mkdtemp(); malloc'ed, caller frees. NULL on failure.
 */
static inline char *
bench_tmpdir(const char *name)
{
	const char	*tmp = getenv("TMPDIR");
	char		*dir;

	if (tmp == NULL || tmp[0] == '\0')
		tmp = "/tmp";
	if ((dir = segur_asprintf("%s/segur-bench-%s-XXXXXX", tmp, name)) ==
	    NULL)
		return (NULL);
	if (mkdtemp(dir) == NULL) {
		free(dir);
		return (NULL);
	}
	return (dir);
}

#endif /* BENCH_TMP_H */
