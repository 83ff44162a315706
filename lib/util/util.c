/*
 * util.c: buffers, causes, SHA-256 and crash-safe file writing (util.h).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "segur/error.h"
#include "segur/util.h"

const char *
segur_strerror(int code)
{
	switch (code) {
	case SEGUR_OK:
		return ("succès");
	case SEGUR_ENOMEM:
		return ("mémoire épuisée");
	case SEGUR_EINVAL:
		return ("entrée invalide");
	case SEGUR_EIO:
		return ("erreur d'entrée-sortie");
	case SEGUR_EDB:
		return ("erreur de la base de données");
	case SEGUR_ENOENT:
		return ("introuvable");
	case SEGUR_EEXIST:
		return ("existe déjà");
	case SEGUR_ESTATE:
		return ("interdit dans l'état actuel");
	case SEGUR_ETOOBIG:
		return ("trop grand");
	case SEGUR_EVERSION:
		return ("base plus récente que ce programme");
	case SEGUR_ECORRUPT:
		return ("contrôle d'intégrité en échec");
	case SEGUR_EBUSY:
		return ("occupé");
	}
	return ("erreur inconnue");
}

void
segur_buf_init(struct segur_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
segur_buf_release(struct segur_buf *b)
{
	free(b->data);
	segur_buf_init(b);
}

int
segur_buf_reserve(struct segur_buf *b, size_t extra)
{
	size_t	 need, cap;
	char	*p;

	if (extra > SIZE_MAX - b->len - 1)
		return (SEGUR_ENOMEM);
	need = b->len + extra + 1;
	if (need <= b->cap)
		return (0);
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if ((p = realloc(b->data, cap)) == NULL)
		return (SEGUR_ENOMEM);
	b->data = p;
	b->cap = cap;
	return (0);
}

int
segur_buf_add(struct segur_buf *b, const void *p, size_t n)
{
	if (segur_buf_reserve(b, n) != 0)
		return (SEGUR_ENOMEM);
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return (0);
}

int
segur_buf_adds(struct segur_buf *b, const char *s)
{
	return (segur_buf_add(b, s, strlen(s)));
}

int
segur_buf_vaddf(struct segur_buf *b, const char *fmt, va_list ap)
{
	va_list	 ap2;
	int	 n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return (SEGUR_EINVAL);
	if (segur_buf_reserve(b, (size_t)n) != 0)
		return (SEGUR_ENOMEM);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return (0);
}

int
segur_buf_addf(struct segur_buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 rc;

	va_start(ap, fmt);
	rc = segur_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return (rc);
}

char *
segur_buf_detach(struct segur_buf *b)
{
	char	*p;

	if (b->data == NULL) {
		if ((p = malloc(1)) == NULL)
			return (NULL);
		p[0] = '\0';
		return (p);
	}
	p = b->data;
	segur_buf_init(b);
	return (p);
}

char *
segur_asprintf(const char *fmt, ...)
{
	struct segur_buf b = SEGUR_BUF_INIT;
	va_list	 ap;
	int	 rc;

	va_start(ap, fmt);
	rc = segur_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (rc != 0) {
		segur_buf_release(&b);
		return (NULL);
	}
	return (segur_buf_detach(&b));
}

int
segur_cause(char **cause, int code, const char *fmt, ...)
{
	struct segur_buf b = SEGUR_BUF_INIT;
	va_list	 ap;

	if (cause == NULL)
		return (code);
	va_start(ap, fmt);
	if (segur_buf_vaddf(&b, fmt, ap) != 0) {
		segur_buf_release(&b);
		va_end(ap);
		return (code);
	}
	va_end(ap);
	free(*cause);
	*cause = segur_buf_detach(&b);
	return (code);
}

void
segur_sha256_hex(const void *p, size_t n, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0;
	size_t		 i;

	/* EVP_Digest cannot fail for SHA-256 short of a broken OpenSSL. */
	if (EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL) != 1)
		mdlen = 0;
	for (i = 0; i < mdlen && i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 0xf];
	}
	hex[2 * i] = '\0';
}

int
segur_read_fd(int fd, const char *path, size_t size, char **out,
    size_t *len, char **cause)
{
	char	*p, extra;
	size_t	 got = 0;
	ssize_t	 n = 0;	/* an empty file reads nothing */

	*out = NULL;
	*len = 0;
	if ((p = malloc(size + 1)) == NULL)
		return (segur_cause(cause, SEGUR_ENOMEM, "%s: mémoire épuisée",
		    path));
	while (got < size) {
		n = read(fd, p + got, size - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	/* One more byte: a file that grew was being written. */
	if (n != -1 && got == size) {
		do
			n = read(fd, &extra, 1);
		while (n == -1 && errno == EINTR);
	}
	if (n != 0 || got != size) {
		free(p);
		return (segur_cause(cause, SEGUR_EIO, "%s: %s", path,
		    n == -1 ? strerror(errno) :
		    "fichier modifié pendant sa lecture"));
	}
	p[got] = '\0';
	*out = p;
	*len = got;
	return (0);
}

int
segur_read_file(const char *path, size_t max, char **out, size_t *len,
    char **cause)
{
	struct stat	 st;
	int		 fd, rc;

	*out = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (segur_cause(cause, errno == ENOENT ? SEGUR_ENOENT :
		    SEGUR_EIO, "%s: %s", path, strerror(errno)));
	if (fstat(fd, &st) == -1) {
		close(fd);
		return (segur_cause(cause, SEGUR_EIO, "%s: %s", path,
		    strerror(errno)));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return (segur_cause(cause, SEGUR_EINVAL,
		    "%s: pas un fichier ordinaire", path));
	}
	if ((uintmax_t)st.st_size > max) {
		close(fd);
		return (segur_cause(cause, SEGUR_ETOOBIG,
		    "%s: %jd octets, au-delà de la limite de %zu", path,
		    (intmax_t)st.st_size, max));
	}
	rc = segur_read_fd(fd, path, (size_t)st.st_size, out, len, cause);
	close(fd);
	return (rc);
}

/* What a file of mode m is, in French, for reasons and alerts. */
static const char *
kind_of(mode_t m)
{
	if (S_ISLNK(m))
		return ("lien symbolique");
	if (S_ISFIFO(m))
		return ("FIFO (tube nommé)");
	if (S_ISSOCK(m))
		return ("socket");
	if (S_ISCHR(m) || S_ISBLK(m))
		return ("fichier de périphérique");
	if (S_ISDIR(m))
		return ("dossier");
	if (S_ISREG(m))
		return (NULL);
	return ("objet d'un type inconnu");
}

int
segur_open_untrusted(const char *path, size_t max, int *fd,
    struct stat *st, const char **what, char **cause)
{
	struct stat	 lst;
	int		 saved;

	*fd = -1;
	*what = NULL;
	/*
	 * O_NOFOLLOW: a link swapped in after the caller's lstat() fails
	 * here (ELOOP) instead of opening its target. O_NONBLOCK: a FIFO
	 * opens at once instead of waiting for a writer for ever (a socket
	 * fails with ENXIO). The descriptor, not the name, is checked next.
	 */
	*fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
	    O_NOCTTY);
	if (*fd == -1) {
		saved = errno;
		if (saved == ENOENT)
			return (segur_cause(cause, SEGUR_ENOENT, "%s: %s", path,
			    strerror(saved)));
		/* What is there now, for the reason; never followed. */
		if (lstat(path, &lst) == 0 &&
		    (*what = kind_of(lst.st_mode)) != NULL) {
			memset(st, 0, sizeof(*st));
			st->st_mode = lst.st_mode;
			return (segur_cause(cause, SEGUR_EINVAL, "%s: %s, non "
			    "lu", path, *what));
		}
		return (segur_cause(cause, SEGUR_EIO, "%s: %s", path,
		    strerror(saved)));
	}
	if (fstat(*fd, st) == -1) {
		saved = errno;
		close(*fd);
		*fd = -1;
		return (segur_cause(cause, SEGUR_EIO, "%s: %s", path,
		    strerror(saved)));
	}
	if ((*what = kind_of(st->st_mode)) == NULL && st->st_nlink != 1)
		*what = "fichier à plusieurs liens physiques";
	if (*what != NULL) {
		close(*fd);
		*fd = -1;
		return (segur_cause(cause, SEGUR_EINVAL, "%s: %s, non lu",
		    path, *what));
	}
	if ((uintmax_t)st->st_size > max) {
		close(*fd);
		*fd = -1;
		return (segur_cause(cause, SEGUR_ETOOBIG,
		    "%s: %jd octets, au-delà de la limite de %zu", path,
		    (intmax_t)st->st_size, max));
	}
	return (0);
}

/* Length of the UTF-8 sequence at s[0..n), 0 when it is not one. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t	 need, i;
	unsigned	 cp;

	if (s[0] < 0x80)
		return (1);
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 2, cp = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 3, cp = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 4, cp = s[0] & 0x07u;
	else
		return (0);
	if (n < need)
		return (0);
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return (0);
		cp = (cp << 6) | (s[i] & 0x3fu);
	}
	/* Overlong forms, surrogates, beyond U+10FFFF. */
	if ((need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return (0);
	/* C1 controls (U+0080..U+009F) are escaped as controls. */
	if (need == 2 && cp < 0xa0)
		return (0);
	return (need);
}

char *
segur_excerpt(const char *s, size_t len, size_t max)
{
	struct segur_buf b = SEGUR_BUF_INIT;
	const unsigned char *u = (const unsigned char *)s;
	size_t	 i = 0, k;
	int	 rc = 0;

	while (rc == 0 && i < len) {
		k = utf8_len(u + i, len - i);
		if (i + (k > 0 ? k : 1) > max)
			break;
		if (k == 0 || u[i] < 0x20 || u[i] == 0x7f || u[i] == '\\') {
			k = k == 0 ? 1 : k;
			for (size_t j = 0; rc == 0 && j < k; j++)
				rc = u[i + j] == '\\' ? segur_buf_adds(&b,
				    "\\\\") : segur_buf_addf(&b, "\\x%02x",
				    u[i + j]);
		} else
			rc = segur_buf_add(&b, s + i, k);
		i += k;
	}
	if (rc == 0 && i < len)
		rc = segur_buf_adds(&b, "...");
	if (rc != 0) {
		segur_buf_release(&b);
		return (NULL);
	}
	return (segur_buf_detach(&b));
}

int
segur_fsync_dir(const char *path, char **cause)
{
	struct stat	 st;
	char		*copy, *dir;
	int		 fd, rc = 0;

	if ((copy = strdup(path)) == NULL)
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	dir = (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) ? copy :
	    dirname(copy);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		rc = segur_cause(cause, SEGUR_EIO, "%s: %s", dir,
		    strerror(errno));
	else {
		if (fsync(fd) == -1)
			rc = segur_cause(cause, SEGUR_EIO, "fsync %s: %s", dir,
			    strerror(errno));
		close(fd);
	}
	free(copy);
	return (rc);
}

/* Writes all of p[0..n) to fd, retrying on EINTR and short writes. */
static int
write_all(int fd, const void *p, size_t n)
{
	const char	*c = p;
	ssize_t		 w;

	while (n > 0) {
		w = write(fd, c, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			return (-1);
		c += w;
		n -= (size_t)w;
	}
	return (0);
}

int
segur_write_file_atomic(const char *path, const void *p, size_t n, int mode,
    char **cause)
{
	char	*tmp;
	int	 fd, saved;

	if ((tmp = segur_asprintf("%s.tmp.%ld", path, (long)getpid())) == NULL)
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    mode);
	if (fd == -1)
		goto fail;
	/* The umask may have taken bits away, or a leftover have others. */
	if (fchmod(fd, (mode_t)mode) == -1 || write_all(fd, p, n) == -1 ||
	    fsync(fd) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		goto fail;
	}
	if (close(fd) == -1 || rename(tmp, path) == -1)
		goto fail;
	free(tmp);
	return (segur_fsync_dir(path, cause));
fail:
	saved = errno;
	unlink(tmp);
	segur_cause(cause, SEGUR_EIO, "%s: %s", path, strerror(saved));
	free(tmp);
	return (SEGUR_EIO);
}

int
segur_create_file(const char *path, int mode, char **cause)
{
	int	 fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    mode);
	if (fd == -1 && errno == EEXIST)
		return (0);
	if (fd == -1 || fchmod(fd, (mode_t)mode) == -1) {
		segur_cause(cause, SEGUR_EIO, "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return (SEGUR_EIO);
	}
	if (close(fd) == -1)
		return (segur_cause(cause, SEGUR_EIO, "%s: %s", path,
		    strerror(errno)));
	return (0);
}

int
segur_chmod(const char *path, int mode, char **cause)
{
	if (chmod(path, (mode_t)mode) == -1)
		return (segur_cause(cause, SEGUR_EIO, "chmod %s: %s", path,
		    strerror(errno)));
	return (0);
}

int
segur_mkdir_p(const char *path, char **cause)
{
	char	*copy, *s;
	int	 rc = 0;

	if ((copy = strdup(path)) == NULL)
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	for (s = copy + 1; rc == 0; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(copy, 0750) == -1 && errno != EEXIST)
			rc = segur_cause(cause, SEGUR_EIO, "mkdir %s: %s", copy,
			    strerror(errno));
		*s = c;
		if (c == '\0')
			break;
	}
	free(copy);
	return (rc);
}
