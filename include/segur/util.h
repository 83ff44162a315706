/*
 * util.h: small helpers every libsegur module uses.
 *
 * A growable byte buffer, formatted allocation, the "cause" convention of
 * error.h, SHA-256 through OpenSSL, and crash-safe file writing.
 */
#ifndef SEGUR_UTIL_H
#define SEGUR_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A growable byte buffer, always NUL-terminated after len bytes.
 * Initialise with SEGUR_BUF_INIT or segur_buf_init(); release with
 * segur_buf_release(), which frees data. On allocation failure the buffer
 * keeps what it had and the function returns SEGUR_ENOMEM.
 */
struct segur_buf {
	char	*data;		/* owned; NULL until the first append */
	size_t	 len;
	size_t	 cap;
};
#define SEGUR_BUF_INIT { NULL, 0, 0 }

void	 segur_buf_init(struct segur_buf *b);
void	 segur_buf_release(struct segur_buf *b);
int	 segur_buf_reserve(struct segur_buf *b, size_t extra);
int	 segur_buf_add(struct segur_buf *b, const void *p, size_t n);
int	 segur_buf_adds(struct segur_buf *b, const char *s);
int	 segur_buf_addf(struct segur_buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
int	 segur_buf_vaddf(struct segur_buf *b, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));
/* Hands the data to the caller (free() it) and resets b; never NULL
 * unless allocation fails. */
char	*segur_buf_detach(struct segur_buf *b);

/* Returns a malloc'ed formatted string (caller frees), or NULL on ENOMEM. */
char	*segur_asprintf(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

/*
 * Sets *cause (when cause is not NULL) to a malloc'ed formatted sentence,
 * freeing what it held. Returns code, so that errors read
 * "return segur_cause(cause, SEGUR_EIO, "...", ...);".
 */
int	 segur_cause(char **cause, int code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* SHA-256 of p[0..n) as 64 lower-case hex digits plus NUL in hex[65]. */
void	 segur_sha256_hex(const void *p, size_t n, char hex[65]);

/*
 * Reads a whole file into a malloc'ed, NUL-terminated buffer (*out, caller
 * frees; *len excludes the NUL). Refuses files larger than max bytes with
 * SEGUR_ETOOBIG before reading them. Returns 0 or SEGUR_E*.
 */
int	 segur_read_file(const char *path, size_t max, char **out,
	    size_t *len, char **cause);

struct stat;

/*
 * Opens path, a name in a folder other people write (the inbox), for
 * reading: a final symbolic link is not followed, a FIFO does not block
 * the open, a terminal is not taken as the controlling one. The opened
 * descriptor itself is then checked (fstat): a regular file with exactly
 * one link (another link could name a file the caller must not read) and
 * at most max bytes. Returns 0 with *fd open (the caller closes it) and
 * *st filled; SEGUR_ETOOBIG (too large, *st filled, nothing open);
 * SEGUR_EINVAL with *what set to a French, static name of what the path
 * is ("lien symbolique", "FIFO", ...), nothing open; or SEGUR_ENOENT,
 * SEGUR_EIO.
 */
int	 segur_open_untrusted(const char *path, size_t max, int *fd,
	    struct stat *st, const char **what, char **cause);

/*
 * Reads size bytes from fd (opened by segur_open_untrusted()) into a
 * malloc'ed, NUL-terminated buffer (*out, caller frees): the descriptor
 * checked is the one read. path serves the messages only. Returns 0,
 * SEGUR_ENOMEM or SEGUR_EIO (the file changed while read).
 */
int	 segur_read_fd(int fd, const char *path, size_t size, char **out,
	    size_t *len, char **cause);

/*
 * A short excerpt of s[0..len), fit to be quoted in a reason, an alert
 * or a log line: at most max bytes of s, cut on a character boundary
 * ("..." appended when cut), control characters and bytes that are not
 * UTF-8 written as \xNN, backslash as \\. Malloc'ed (caller frees), or
 * NULL on ENOMEM.
 */
char	*segur_excerpt(const char *s, size_t len, size_t max);

/*
 * Writes p[0..n) to path so that a crash at any instant leaves either the
 * old file or the new one: write to a temporary name in the same folder,
 * fsync it, rename it over path, fsync the folder. The file gets exactly
 * mode (0640 for the state folder's files), whatever the process's umask.
 */
int	 segur_write_file_atomic(const char *path, const void *p, size_t n,
	    int mode, char **cause);

/* fsync()s the folder that holds path (or path itself if a folder). */
int	 segur_fsync_dir(const char *path, char **cause);

/* Creates a folder and its parents (mkdir -p), mode 0750. */
int	 segur_mkdir_p(const char *path, char **cause);

/*
 * Creates path empty with exactly mode, whatever the umask, when it does
 * not exist yet (for files that another library then fills: SQLite's
 * databases, whose -wal and -shm files take the database's mode). An
 * existing file is left as it is. A symbolic link is refused.
 */
int	 segur_create_file(const char *path, int mode, char **cause);

/* Gives path exactly mode (for files another library created: zips). */
int	 segur_chmod(const char *path, int mode, char **cause);

#endif /* SEGUR_UTIL_H */
