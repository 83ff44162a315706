/*
 * fuzz-retour.c: libFuzzer target over the reader of ASP's returned files
 * (lib/files/retour.c, segur_retour_parse()), what segurd runs on every
 * file an outsider drops in its inbox.
 *
 * Checks the result's invariants: on success every line has an index in
 * order, an ANOMALY line has its French reason and the others none, an
 * ACCEPTED line has its numeroASP, and every text is a C string (read to
 * its end); on SEGUR_EINVAL a cause is given. A crash, leak or broken
 * invariant is a bug.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "segur/error.h"
#include "segur/retour.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads s to its end, so that ASan sees a string that is not one. */
static void
touch(const char *s)
{
	if (s != NULL && strlen(s) == SIZE_MAX)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct segur_retour r;
	char	*cause = NULL;
	size_t	 i;
	int	 rc;

	memset(&r, 0, sizeof(r));
	rc = segur_retour_parse((const char *)data, size, &r, &cause);
	if (rc == SEGUR_EINVAL && cause == NULL)
		abort();
	if (rc != 0 && rc != SEGUR_EINVAL && rc != SEGUR_ENOMEM)
		abort();
	if (rc == 0) {
		touch(r.impId);
		touch(r.numeroAns);
		touch(r.SIRET);
		for (i = 0; i < r.nlines; i++) {
			const struct segur_retour_line *l = &r.lines[i];

			if (l->index != (long)i)
				abort();
			if ((l->answer == SEGUR_ANSWER_ANOMALY) !=
			    (l->anomaly != NULL))
				abort();
			if (l->answer == SEGUR_ANSWER_ACCEPTED &&
			    l->numeroASP == NULL)
				abort();
			touch(l->typeAction);
			touch(l->numeroEditeur);
			touch(l->numeroASP);
			touch(l->code);
			touch(l->label);
			touch(l->anomaly);
		}
	}
	segur_retour_release(&r);
	free(cause);
	return (0);
}
