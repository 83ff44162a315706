/*
 * archive.c: the content-addressed archive and the quarantine (archive.h).
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "segur/archive.h"
#include "segur/error.h"
#include "segur/util.h"

/* The largest object segur_archive_put_file() and _verify() read by
 * default: well above the 200 MB zip limit of the guide. */
#define ARCHIVE_MAX_OBJECT	((size_t)512 * 1024 * 1024)

int
segur_archive_open(struct segur_archive *a, const char *root, char **cause)
{
	int	 rc;

	a->root = NULL;
	if ((rc = segur_mkdir_p(root, cause)) != 0)
		return (rc);
	if ((a->root = strdup(root)) == NULL)
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	return (0);
}

void
segur_archive_release(struct segur_archive *a)
{
	free(a->root);
	a->root = NULL;
}

char *
segur_archive_path(const struct segur_archive *a, const char *sha256)
{
	return (segur_asprintf("%s/%s", a->root, sha256));
}

/* Is sha256 64 lower-case hex digits? Guards paths built from it. */
static int
valid_hex(const char *sha256)
{
	size_t	 i;

	for (i = 0; i < 64; i++) {
		if (!((sha256[i] >= '0' && sha256[i] <= '9') ||
		    (sha256[i] >= 'a' && sha256[i] <= 'f')))
			return (0);
	}
	return (sha256[64] == '\0');
}

int
segur_archive_get(const struct segur_archive *a, const char *sha256,
    size_t max, char **data, size_t *len, char **cause)
{
	char	*path, hex[65];
	int	 rc;

	*data = NULL;
	*len = 0;
	if (!valid_hex(sha256))
		return (segur_cause(cause, SEGUR_EINVAL,
		    "pas une empreinte SHA-256 : « %s »", sha256));
	if ((path = segur_archive_path(a, sha256)) == NULL)
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	rc = segur_read_file(path, max, data, len, cause);
	if (rc == SEGUR_ENOENT)
		segur_cause(cause, rc, "%s: absent de l'archive", path);
	if (rc == 0) {
		segur_sha256_hex(*data, *len, hex);
		if (strcmp(hex, sha256) != 0) {
			rc = segur_cause(cause, SEGUR_ECORRUPT,
			    "%s: altéré (son contenu a pour SHA-256 %s)",
			    path, hex);
			free(*data);
			*data = NULL;
			*len = 0;
		}
	}
	free(path);
	return (rc);
}

int
segur_archive_verify(const struct segur_archive *a, const char *sha256,
    char **cause)
{
	char	*data;
	size_t	 len;
	int	 rc;

	rc = segur_archive_get(a, sha256, ARCHIVE_MAX_OBJECT, &data, &len,
	    cause);
	free(data);
	return (rc);
}

int
segur_archive_put(const struct segur_archive *a, const void *data,
    size_t len, char sha256[65], char **cause)
{
	segur_sha256_hex(data, len, sha256);
	return (segur_archive_put_hashed(a, data, len, sha256, cause));
}

int
segur_archive_put_hashed(const struct segur_archive *a, const void *data,
    size_t len, const char *sha256, char **cause)
{
	struct stat	 st;
	char		*path, *old = NULL;
	int		 rc, replaced = 0;

	if ((path = segur_archive_path(a, sha256)) == NULL)
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	if (stat(path, &st) == 0) {
		rc = segur_archive_verify(a, sha256, cause);
		if (rc == 0) {
			free(path);
			return (0);
		}
		if (rc != SEGUR_ECORRUPT) {
			free(path);
			return (rc);
		}
		/* Altered on disk: put the right content back, and say so. */
		replaced = 1;
		old = segur_asprintf("%s.altered.%ld", path, (long)getpid());
		if (old == NULL || rename(path, old) == -1) {
			rc = segur_cause(cause, SEGUR_EIO,
			    "%s: altéré, et impossible de le mettre "
			    "de côté : %s", path,
			    strerror(errno));
			free(old);
			free(path);
			return (rc);
		}
	}
	rc = segur_write_file_atomic(path, data, len, 0440, cause);
	free(path);
	free(old);
	if (rc != 0)
		return (rc);
	return (replaced);
}

int
segur_archive_put_file(const struct segur_archive *a, const char *path,
    size_t max, char sha256[65], char **cause)
{
	char	*data;
	size_t	 len;
	int	 rc;

	if ((rc = segur_read_file(path, max, &data, &len, cause)) != 0)
		return (rc);
	rc = segur_archive_put(a, data, len, sha256, cause);
	free(data);
	return (rc);
}

/*
 * The longest name kept as it is in the quarantine: NAME_MAX (255) less
 * ".9999" (free_name()), ".reason" and ".tmp.<pid>" (the reason file's
 * atomic write), with room to spare.
 */
#define QUARANTINE_NAME_MAX	200

char *
segur_quarantine_name(const char *name)
{
	char	 hex[65];
	size_t	 n = strlen(name), cut;

	if (n <= QUARANTINE_NAME_MAX)
		return (strdup(name));
	segur_sha256_hex(name, n, hex);
	/* Room for "~" and 16 hex digits; never cut inside a character. */
	cut = QUARANTINE_NAME_MAX - 17;
	while (cut > 0 && ((unsigned char)name[cut] & 0xc0) == 0x80)
		cut--;
	return (segur_asprintf("%.*s~%.16s", (int)cut, name, hex));
}

/* Returns "qdir/name" or "qdir/name.N" for the first N free, malloc'ed. */
static char *
free_name(const char *qdir, const char *name)
{
	struct stat	 st;
	char		*p;
	int		 n;

	p = segur_asprintf("%s/%s", qdir, name);
	for (n = 1; p != NULL && lstat(p, &st) == 0 && n < 10000; n++) {
		free(p);
		p = segur_asprintf("%s/%s.%d", qdir, name, n);
	}
	return (p);
}

/*
 * Copies src to dst (new file), fsyncs it; for moves across devices. Only
 * a regular file is copied, read through the descriptor checked.
 */
static int
copy_file(const char *src, const char *dst, char **cause)
{
	struct stat	 st;
	const char	*what;
	char		*data;
	size_t		 len;
	int		 fd, rc;

	if ((rc = segur_open_untrusted(src, ARCHIVE_MAX_OBJECT, &fd, &st,
	    &what, cause)) != 0)
		return (rc);
	rc = segur_read_fd(fd, src, (size_t)st.st_size, &data, &len, cause);
	close(fd);
	if (rc != 0)
		return (rc);
	rc = segur_write_file_atomic(dst, data, len, 0640, cause);
	free(data);
	return (rc);
}

/* Is name "<anything>.tmp.<pid>"? Sets *pid. */
static int
tmp_name(const char *name, long *pid)
{
	const char	*p = strstr(name, ".tmp."), *d;
	char		*end;

	for (; p != NULL; p = strstr(p + 1, ".tmp.")) {
		d = p + 5;
		if (*d < '0' || *d > '9')
			continue;
		errno = 0;
		*pid = strtol(d, &end, 10);
		if (*end == '\0' && errno == 0 && *pid > 0)
			return (1);
	}
	return (0);
}

void
segur_archive_leftovers_free(char **names, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int
segur_archive_leftovers(const char *root, int remove, char ***names,
    size_t *n, char **cause)
{
	struct dirent	*e;
	struct stat	 st;
	DIR		*dir;
	char		**p, *path;
	long		 pid;
	time_t		 now = time(NULL);
	int		 rc = 0, live;

	*names = NULL;
	*n = 0;
	if ((dir = opendir(root)) == NULL) {
		if (errno == ENOENT)
			return (0);
		return (segur_cause(cause, SEGUR_EIO, "%s: %s", root,
		    strerror(errno)));
	}
	while (rc == 0 && (e = readdir(dir)) != NULL) {
		if (!tmp_name(e->d_name, &pid))
			continue;
		if ((path = segur_asprintf("%s/%s", root, e->d_name)) ==
		    NULL) {
			rc = segur_cause(cause, SEGUR_ENOMEM,
			    "mémoire épuisée");
			break;
		}
		if (lstat(path, &st) == -1) {
			free(path);
			continue;
		}
		/* A writer still at work: its file is not a leftover. */
		live = (pid_t)pid == getpid() || kill((pid_t)pid, 0) == 0 ||
		    errno == EPERM;
		if (live && now - st.st_mtime < 3600) {
			free(path);
			continue;
		}
		if ((p = realloc(*names, (*n + 1) * sizeof(*p))) == NULL ||
		    (p[*n] = strdup(e->d_name)) == NULL) {
			if (p != NULL)
				*names = p;
			free(path);
			rc = segur_cause(cause, SEGUR_ENOMEM,
			    "mémoire épuisée");
			break;
		}
		*names = p;
		(*n)++;
		if (remove && unlink(path) == -1 && errno != ENOENT)
			rc = segur_cause(cause, SEGUR_EIO,
			    "suppression de %s : %s",
			    path, strerror(errno));
		free(path);
	}
	closedir(dir);
	return (rc);
}

int
segur_quarantine_file(const char *qdir, const char *path, const char *reason,
    char **out, char **cause)
{
	char	*copy = NULL, *name = NULL, *dst = NULL, *rpath = NULL;
	int	 rc;

	if (out != NULL)
		*out = NULL;
	if ((rc = segur_mkdir_p(qdir, cause)) != 0)
		return (rc);
	if ((copy = strdup(path)) == NULL ||
	    (name = segur_quarantine_name(basename(copy))) == NULL ||
	    (dst = free_name(qdir, name)) == NULL ||
	    (rpath = segur_asprintf("%s.reason", dst)) == NULL) {
		rc = segur_cause(cause, SEGUR_ENOMEM,
		    "mémoire épuisée");
		goto out;
	}
	{
		struct segur_buf b = SEGUR_BUF_INIT;

		if (segur_buf_addf(&b, "%s\n", reason) != 0) {
			segur_buf_release(&b);
			rc = segur_cause(cause, SEGUR_ENOMEM,
			    "mémoire épuisée");
			goto out;
		}
		rc = segur_write_file_atomic(rpath, b.data, b.len, 0640,
		    cause);
		segur_buf_release(&b);
		if (rc != 0)
			goto out;
	}
	if (rename(path, dst) == -1) {
		if (errno != EXDEV) {
			rc = segur_cause(cause, SEGUR_EIO,
			    "déplacement de %s vers %s : %s",
			    path, dst, strerror(errno));
			goto out;
		}
		if ((rc = copy_file(path, dst, cause)) != 0)
			goto out;
		if (unlink(path) == -1) {
			rc = segur_cause(cause, SEGUR_EIO,
			    "suppression de %s : %s",
			    path, strerror(errno));
			goto out;
		}
	}
	/* The folders through the reason file, a regular file of ours:
	 * dst may be a link (stat() would follow it) or a folder. */
	if ((rc = segur_fsync_dir(rpath, cause)) == 0)
		rc = segur_fsync_dir(path, cause);
	if (rc == 0 && out != NULL) {
		*out = dst;
		dst = NULL;
	}
out:
	free(copy);
	free(name);
	free(dst);
	free(rpath);
	return (rc);
}
