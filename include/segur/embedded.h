/*
 * embedded.h: files compiled into the binaries.
 *
 * Everything under sql/ (migrations, reference data) is compiled into
 * libsegur by cmake/embed.cmake, so that segurctl and segurd never read
 * their schema or reference data from a path that could be missing or
 * out of date.
 */
#ifndef SEGUR_EMBEDDED_H
#define SEGUR_EMBEDDED_H

#include <stddef.h>

struct segur_embedded_file {
	const char	*name;	/* path relative to the source tree, "sql/..." */
	const char	*data;	/* contents, NUL-terminated; static storage */
	size_t		 len;	/* length without the terminating NUL */
};

/* Terminated by an entry whose name is NULL; sorted as the glob found them. */
extern const struct segur_embedded_file segur_embedded_files[];

/* Returns the embedded file called name ("sql/..."), or NULL. Borrowed. */
const struct segur_embedded_file *segur_embedded_find(const char *name);

#endif /* SEGUR_EMBEDDED_H */
