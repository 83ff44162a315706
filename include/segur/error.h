/*
 * error.h: error codes shared by every libsegur module.
 *
 * Library functions return 0 on success or one of the negative SEGUR_E*
 * codes below; when the caller needs words, they also fill an optional
 * "char **cause" with a malloc'ed sentence that the caller frees with free().
 * Library code never prints and never exits.
 */
#ifndef SEGUR_ERROR_H
#define SEGUR_ERROR_H

enum {
	SEGUR_OK = 0,
	SEGUR_ENOMEM = -1,	/* allocation failed */
	SEGUR_EINVAL = -2,	/* bad argument or bad input */
	SEGUR_EIO = -3,		/* a system call failed; see errno in cause */
	SEGUR_EDB = -4,		/* SQLite failed */
	SEGUR_ENOENT = -5,	/* no such object (file, request, number) */
	SEGUR_EEXIST = -6,	/* already exists / already recorded */
	SEGUR_ESTATE = -7,	/* not allowed in the current state */
	SEGUR_ETOOBIG = -8,	/* over a size limit */
	SEGUR_EVERSION = -9,	/* database newer than this binary */
	SEGUR_ECORRUPT = -10,	/* integrity check failed (hash, chain) */
	SEGUR_EBUSY = -11	/* locked by another process past the timeout */
};

/* Returns a static English description of a SEGUR_E* code. */
const char	*segur_strerror(int code);

#endif /* SEGUR_ERROR_H */
