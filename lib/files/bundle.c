/*
 * bundle.c: checking supporting documents and packing them into zips
 * (bundle.h), with libzip.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zip.h>

#include "segur/bundle.h"
#include "segur/error.h"
#include "segur/util.h"

/* Zip records around a stored entry: local header, central directory
 * header (both without extra fields), and the end of central directory. */
#define ZIP_LOCAL_HEADER	30
#define ZIP_CENTRAL_HEADER	46
#define ZIP_END_RECORD		22

enum segur_doc_format
segur_doc_format_parse(const char *s)
{
	if (s == NULL)
		return (SEGUR_DOC_UNKNOWN);
	if (strcmp(s, "PDF") == 0)
		return (SEGUR_DOC_PDF);
	if (strcmp(s, "PNG") == 0)
		return (SEGUR_DOC_PNG);
	if (strcmp(s, "JPG") == 0)
		return (SEGUR_DOC_JPG);
	return (SEGUR_DOC_UNKNOWN);
}

const char *
segur_doc_format_name(enum segur_doc_format f)
{
	switch (f) {
	case SEGUR_DOC_PDF:
		return ("PDF");
	case SEGUR_DOC_PNG:
		return ("PNG");
	case SEGUR_DOC_JPG:
		return ("JPG");
	default:
		return ("inconnu");
	}
}

const char *
segur_doc_format_ext(enum segur_doc_format f)
{
	switch (f) {
	case SEGUR_DOC_PDF:
		return ("pdf");
	case SEGUR_DOC_PNG:
		return ("png");
	case SEGUR_DOC_JPG:
		return ("jpg");
	default:
		return ("");
	}
}

int
segur_doc_canonical_name(const char *typeFichier, enum segur_doc_format f,
    const char *numeroEditeur, char *name, size_t size)
{
	const char	*code;
	int		 n;

	if (strcmp(typeFichier, "BON_COMMANDE") == 0)
		code = "BDC";
	else if (strcmp(typeFichier, "PREUVE_HT") == 0)
		code = "HT";
	else
		return (SEGUR_EINVAL);
	if (f == SEGUR_DOC_UNKNOWN)
		return (SEGUR_EINVAL);
	n = snprintf(name, size, "MS1-DUI-Va1-%s-%s.%s", code, numeroEditeur,
	    segur_doc_format_ext(f));
	return (n > 0 && (size_t)n < size ? 0 : SEGUR_EINVAL);
}

enum segur_doc_format
segur_doc_sniff(const void *p, size_t n)
{
	static const unsigned char png[8] = { 0x89, 'P', 'N', 'G', '\r', '\n',
	    0x1a, '\n' };
	const unsigned char *b = p;

	/* PDF readers accept "%PDF-" within the first 1024 bytes, but the
	 * portal's check is unknown: demand it at the start. */
	if (n >= 5 && memcmp(b, "%PDF-", 5) == 0)
		return (SEGUR_DOC_PDF);
	if (n >= 8 && memcmp(b, png, 8) == 0)
		return (SEGUR_DOC_PNG);
	if (n >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff)
		return (SEGUR_DOC_JPG);
	return (SEGUR_DOC_UNKNOWN);
}

int
segur_doc_check(const char *path, enum segur_doc_format declared, size_t max,
    char sha256[65], uint64_t *size, char **cause)
{
	enum segur_doc_format	 got;
	char			*data = NULL, *what = NULL;
	size_t			 len;
	int			 rc;

	if (max == 0)
		max = SEGUR_DOC_MAX_BYTES;
	rc = segur_read_file(path, max, &data, &len, &what);
	if (rc == SEGUR_ETOOBIG)
		rc = segur_cause(cause, rc, "%s : le document dépasse %zu "
		    "octets (3 Mo), la taille maximale d'une pièce "
		    "justificative", path, max);
	else if (rc == SEGUR_ENOENT)
		rc = segur_cause(cause, rc, "%s : document introuvable", path);
	else if (rc != 0)
		rc = segur_cause(cause, rc, "%s : document illisible (%s)",
		    path, what != NULL ? what : segur_strerror(rc));
	free(what);
	if (rc != 0)
		return (rc);
	if (len == 0) {
		free(data);
		return (segur_cause(cause, SEGUR_EINVAL,
		    "%s : le document est vide", path));
	}
	got = segur_doc_sniff(data, len);
	if (got != declared) {
		free(data);
		if (got == SEGUR_DOC_UNKNOWN)
			return (segur_cause(cause, SEGUR_EINVAL, "%s : le "
			    "contenu n'est ni un PDF, ni un PNG, ni un JPEG "
			    "(attendu : %s)", path,
			    segur_doc_format_name(declared)));
		return (segur_cause(cause, SEGUR_EINVAL, "%s : le contenu est "
		    "un %s, pas un %s", path, segur_doc_format_name(got),
		    segur_doc_format_name(declared)));
	}
	segur_sha256_hex(data, len, sha256);
	*size = len;
	free(data);
	return (0);
}

/* Bytes one stored entry adds to a zip. */
static uint64_t
entry_size(const struct segur_bundle_doc *d)
{
	uint64_t namelen = strlen(d->name);

	return (ZIP_LOCAL_HEADER + namelen + d->size + ZIP_CENTRAL_HEADER +
	    namelen);
}

uint64_t
segur_bundle_zip_size(const struct segur_bundle_doc *docs, size_t n)
{
	uint64_t size = ZIP_END_RECORD;
	size_t	 i;

	for (i = 0; i < n; i++)
		size += entry_size(&docs[i]);
	return (size);
}

int
segur_bundle_plan(const struct segur_bundle_doc *docs, size_t n, uint64_t max,
    size_t *zip_of, size_t *nzips, char **cause)
{
	uint64_t used = ZIP_END_RECORD, group_size;
	size_t	 i, j, zip = 0;

	if (max == 0)
		max = SEGUR_ZIP_MAX_BYTES;
	*nzips = 0;
	for (i = 0; i < n; i = j) {
		group_size = 0;
		for (j = i; j < n && docs[j].group == docs[i].group; j++)
			group_size += entry_size(&docs[j]);
		if (ZIP_END_RECORD + group_size > max)
			return (segur_cause(cause, SEGUR_ETOOBIG, "les "
			    "documents de %s dépassent à eux seuls la taille "
			    "maximale d'un zip (%llu octets)", docs[i].name,
			    (unsigned long long)max));
		if (used + group_size > max) {
			zip++;
			used = ZIP_END_RECORD;
		}
		used += group_size;
		for (; i < j; i++)
			zip_of[i] = zip;
	}
	*nzips = n > 0 ? zip + 1 : 0;
	return (0);
}

/* fsyncs the file at path. */
static int
fsync_path(const char *path, char **cause)
{
	int	 fd, rc = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (segur_cause(cause, SEGUR_EIO, "%s: %s", path,
		    strerror(errno)));
	if (fsync(fd) == -1)
		rc = segur_cause(cause, SEGUR_EIO, "fsync %s: %s", path,
		    strerror(errno));
	close(fd);
	return (rc);
}

int
segur_bundle_write(const char *path, const struct segur_bundle_doc *docs,
    size_t n, const size_t *zip_of, size_t which, int64_t mtime,
    char **cause)
{
	zip_t		*za;
	zip_source_t	*src;
	zip_int64_t	 idx;
	zip_error_t	 zerr;
	int		 zrc, rc;
	size_t		 i;

	unlink(path);
	if ((za = zip_open(path, ZIP_CREATE | ZIP_EXCL, &zrc)) == NULL) {
		zip_error_init_with_code(&zerr, zrc);
		segur_cause(cause, SEGUR_EIO, "%s: %s", path,
		    zip_error_strerror(&zerr));
		zip_error_fini(&zerr);
		return (SEGUR_EIO);
	}
	for (i = 0; i < n; i++) {
		if (zip_of[i] != which)
			continue;
		src = zip_source_file(za, docs[i].path, 0,
		    (zip_int64_t)docs[i].size);
		if (src == NULL)
			goto fail;
		idx = zip_file_add(za, docs[i].name, src, ZIP_FL_ENC_UTF_8);
		if (idx < 0) {
			zip_source_free(src);
			goto fail;
		}
		if (zip_set_file_compression(za, (zip_uint64_t)idx,
		    ZIP_CM_STORE, 0) != 0 ||
		    zip_file_set_mtime(za, (zip_uint64_t)idx, (time_t)mtime,
		    0) != 0)
			goto fail;
	}
	if (zip_close(za) != 0)
		goto fail;
	/* libzip creates it as the umask says. */
	if ((rc = segur_chmod(path, 0640, cause)) != 0)
		return (rc);
	return (fsync_path(path, cause));
fail:
	segur_cause(cause, SEGUR_EIO, "%s: %s", path,
	    zip_error_strerror(zip_get_error(za)));
	zip_discard(za);
	unlink(path);
	return (SEGUR_EIO);
}
