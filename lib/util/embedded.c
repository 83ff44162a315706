/*
 * embedded.c: lookup of the files compiled into libsegur (see embedded.h).
 */
#include <string.h>

#include "segur/embedded.h"

const struct segur_embedded_file *
segur_embedded_find(const char *name)
{
	const struct segur_embedded_file *f;

	for (f = segur_embedded_files; f->name != NULL; f++) {
		if (strcmp(f->name, name) == 0)
			return (f);
	}
	return (NULL);
}
