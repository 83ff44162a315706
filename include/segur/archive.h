/*
 * archive.h: the content-addressed archive, and the quarantine.
 *
 * Every file the project reads or writes as evidence (submitted JSON files,
 * supporting documents, files returned by ASP) is kept under
 * <root>/<sha256>, read-only, written and fsync'ed before the ledger
 * transaction that refers to it commits: a crash can leave an object nobody
 * refers to (harmless, found again by its hash on the next run), never a
 * reference to an object that is not there.
 *
 * Files that cannot be read or matched go to a quarantine folder, beside a
 * "<name>.reason" file that says why, so nothing is ever dropped silently.
 */
#ifndef SEGUR_ARCHIVE_H
#define SEGUR_ARCHIVE_H

#include <stddef.h>

struct segur_archive {
	char	*root;		/* owned; the archive folder */
};

/* Opens (creating it and its parents if needed) the archive at root. */
int	 segur_archive_open(struct segur_archive *a, const char *root,
	    char **cause);

/* Frees what segur_archive_open() allocated. */
void	 segur_archive_release(struct segur_archive *a);

/*
 * Stores data[0..len) as <root>/<sha256> (mode 0440) and fills sha256.
 * Returns 0 when stored or already present with that content; 1 when an
 * object was present with other content (altered on disk) and has been
 * replaced by the right one, the altered copy being kept beside it as
 * "<sha256>.altered.<pid>" for investigation (the caller should report
 * it); or SEGUR_E*.
 */
int	 segur_archive_put(const struct segur_archive *a, const void *data,
	    size_t len, char sha256[65], char **cause);

/*
 * The same when the caller has just computed sha256, the data's own
 * SHA-256 (ingestion hashes a file first to spot a duplicate): a 600 KB
 * answer is not hashed twice.
 */
int	 segur_archive_put_hashed(const struct segur_archive *a,
	    const void *data, size_t len, const char *sha256, char **cause);

/* The same for the contents of the file at path (at most max bytes). */
int	 segur_archive_put_file(const struct segur_archive *a,
	    const char *path, size_t max, char sha256[65], char **cause);

/* Returns "<root>/<sha256>", malloc'ed (caller frees), or NULL on ENOMEM. */
char	*segur_archive_path(const struct segur_archive *a, const char *sha256);

/*
 * Reads an object back into *data (caller frees; NUL-terminated, *len
 * without it), checking its hash: SEGUR_ENOENT when missing,
 * SEGUR_ECORRUPT when its content no longer matches its name.
 */
int	 segur_archive_get(const struct segur_archive *a, const char *sha256,
	    size_t max, char **data, size_t *len, char **cause);

/* Checks one object without keeping it: 0, SEGUR_ENOENT or SEGUR_ECORRUPT. */
int	 segur_archive_verify(const struct segur_archive *a,
	    const char *sha256, char **cause);

/*
 * Leftovers of writes a crash interrupted in the archive root:
 * "<sha256>.tmp.<pid>" files (segur_write_file_atomic()) whose writer is
 * gone, or older than an hour (the pid may have been reused); a
 * temporary file of a live writer is left alone. Lists their names
 * (malloc'ed array of malloc'ed names in *names, *n of them; free with
 * segur_archive_leftovers_free()) and, with remove, unlinks them. A
 * missing root has none. Returns 0 or SEGUR_E* (a name that could not be
 * removed is an error naming it; the list holds what was found).
 */
int	 segur_archive_leftovers(const char *root, int remove, char ***names,
	    size_t *n, char **cause);

void	 segur_archive_leftovers_free(char **names, size_t n);

/*
 * The name a file called name gets in the quarantine: name itself, or,
 * when it is too long to take the suffixes the quarantine adds (".1",
 * ".reason", a temporary ".tmp.<pid>") within NAME_MAX, its first bytes
 * (cut on a UTF-8 boundary), "~" and 16 hex digits of its SHA-256.
 * Malloc'ed (caller frees), or NULL on ENOMEM.
 */
char	*segur_quarantine_name(const char *name);

/*
 * Moves the file at path into the folder qdir (created if needed) with a
 * "<name>.reason" file beside it holding reason and a final newline; the
 * reason is written (and fsync'ed) first, so a crash leaves the file where
 * it was. A name already taken in qdir gets a ".1", ".2"... suffix; a name
 * too long is shortened (segur_quarantine_name()). path may be anything
 * (a symbolic link, a FIFO, a folder): it is renamed, never followed nor
 * opened. Works across file systems for a regular file only (copy,
 * fsync, unlink). *out (when not NULL) receives the quarantined path,
 * malloc'ed.
 */
int	 segur_quarantine_file(const char *qdir, const char *path,
	    const char *reason, char **out, char **cause);

#endif /* SEGUR_ARCHIVE_H */
