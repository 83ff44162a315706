/*
 * bundle.h: supporting documents ("pièces justificatives") and their zips.
 *
 * Each document is checked before it goes anywhere: at most 3 MiB (spec §2),
 * and its content really is the format it claims, by its first bytes (PDF,
 * PNG, JPEG). Documents are packed, under their canonical names
 * (MS1-DUI-Va1-BDC-<numeroEditeur>.pdf...), into zip files of at most
 * 200,000,000 bytes, stored uncompressed (PDF, PNG and JPEG are compressed
 * already), the documents of one request always in the same zip.
 */
#ifndef SEGUR_BUNDLE_H
#define SEGUR_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

/* 3 MiB: the guide's "3 Mo" read as binary megabytes (spec §2). */
#define SEGUR_DOC_MAX_BYTES	((size_t)3 * 1024 * 1024)

/* The guide's "200 Mo" read as the smaller, decimal, megabytes, so that a
 * zip is accepted whichever reading the portal applies. */
#define SEGUR_ZIP_MAX_BYTES	((uint64_t)200 * 1000 * 1000)

/* The formats of the guide; "JPG" covers JPEG files. */
enum segur_doc_format {
	SEGUR_DOC_UNKNOWN = 0,
	SEGUR_DOC_PDF,
	SEGUR_DOC_PNG,
	SEGUR_DOC_JPG
};

/* "PDF"/"PNG"/"JPG" (upper case, as formatFichier) to a format, or
 * SEGUR_DOC_UNKNOWN. */
enum segur_doc_format	 segur_doc_format_parse(const char *s);

/* The format's formatFichier text ("PDF") and file extension ("pdf"). */
const char		*segur_doc_format_name(enum segur_doc_format f);
const char		*segur_doc_format_ext(enum segur_doc_format f);

/*
 * Writes the canonical name of a supporting document into name (at least
 * 40 bytes): "MS1-DUI-Va1-<BDC|HT>-<numeroEditeur>.<pdf|png|jpg>" (spec
 * §2). typeFichier is "BON_COMMANDE" or "PREUVE_HT". Returns 0, or
 * SEGUR_EINVAL for an unknown type or format.
 */
int	segur_doc_canonical_name(const char *typeFichier,
	    enum segur_doc_format f, const char *numeroEditeur, char *name,
	    size_t size);

/* The format p[0..n) really is, by its magic bytes. */
enum segur_doc_format	 segur_doc_sniff(const void *p, size_t n);

/*
 * Checks the document at path: readable, not empty, at most max bytes
 * (0: SEGUR_DOC_MAX_BYTES), and of the declared format. Fills sha256 and
 * *size. On failure, *cause says what is wrong in French (for ops), e.g.
 * "bdc.pdf : le contenu est un PNG, pas un PDF".
 */
int	segur_doc_check(const char *path, enum segur_doc_format declared,
	    size_t max, char sha256[65], uint64_t *size, char **cause);

/* One document to pack. Strings are borrowed. */
struct segur_bundle_doc {
	const char	*path;	/* where it is: pass the archived copy, so
				   the zip holds exactly what was hashed */
	const char	*name;	/* its canonical name inside the zip */
	uint64_t	 size;	/* its size, as segur_doc_check() found it */
	long		 group;	/* documents of one group share a zip */
};

/*
 * Splits docs[0..n) (in order, groups contiguous) into zips of at most max
 * bytes (0: SEGUR_ZIP_MAX_BYTES): fills zip_of[i] with the 0-based zip index
 * of docs[i] and *nzips. A single group larger than max is SEGUR_ETOOBIG.
 */
int	segur_bundle_plan(const struct segur_bundle_doc *docs, size_t n,
	    uint64_t max, size_t *zip_of, size_t *nzips, char **cause);

/* The exact size of a stored (uncompressed) zip holding those documents. */
uint64_t segur_bundle_zip_size(const struct segur_bundle_doc *docs, size_t n);

/*
 * Writes the documents docs[i] with zip_of[i] == which into a new zip file
 * at path (replaced if present), stored, each entry dated mtime, then
 * fsyncs it. The caller writes under a temporary name and renames.
 */
int	segur_bundle_write(const char *path, const struct segur_bundle_doc *docs,
	    size_t n, const size_t *zip_of, size_t which, int64_t mtime,
	    char **cause);

#endif /* SEGUR_BUNDLE_H */
