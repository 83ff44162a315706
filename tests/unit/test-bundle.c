/*
 * test-bundle.c: document checks (size, real format) and zip packing
 * (splitting at the limit, groups kept together, exact sizes, contents).
 */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zip.h>

#include "segur/bundle.h"
#include "segur/error.h"
#include "segur/util.h"

#include "helper-ledger.h"

static const char pdf[] = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\n"
    "endobj\ntrailer\n<<>>\n%%EOF\n";
static const unsigned char png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a,
    '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R' };
static const unsigned char jpg[] = { 0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J',
    'F', 'I', 'F', 0 };

struct fixture {
	char	*dir;		/* private temporary folder */
};

static int
setup(void **state)
{
	struct fixture	*f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->dir = helper_tmpdir("test-bundle");
	*state = f;
	return (0);
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	helper_tmpdir_free(f->dir);
	free(f);
	return (0);
}

/* Writes a file of n bytes starting with head into dir; caller frees. */
static char *
mkdoc(const struct fixture *f, const char *name, const void *head,
    size_t headlen, size_t n)
{
	char	*path = segur_asprintf("%s/%s", f->dir, name);
	char	*data = calloc(1, n > 0 ? n : 1);

	memcpy(data, head, headlen < n ? headlen : n);
	assert_int_equal(segur_write_file_atomic(path, data, n, 0644, NULL),
	    0);
	free(data);
	return (path);
}

static void
test_bundle_sniff_formats(void **state)
{
	(void)state;
	assert_int_equal(segur_doc_sniff(pdf, sizeof(pdf) - 1), SEGUR_DOC_PDF);
	assert_int_equal(segur_doc_sniff(png, sizeof(png)), SEGUR_DOC_PNG);
	assert_int_equal(segur_doc_sniff(jpg, sizeof(jpg)), SEGUR_DOC_JPG);
	assert_int_equal(segur_doc_sniff("GIF89a", 6), SEGUR_DOC_UNKNOWN);
	assert_int_equal(segur_doc_sniff("%PD", 3), SEGUR_DOC_UNKNOWN);
	assert_int_equal(segur_doc_format_parse("PDF"), SEGUR_DOC_PDF);
	assert_int_equal(segur_doc_format_parse("pdf"), SEGUR_DOC_UNKNOWN);
	assert_int_equal(segur_doc_format_parse("JPEG"), SEGUR_DOC_UNKNOWN);
	assert_string_equal(segur_doc_format_ext(SEGUR_DOC_JPG), "jpg");
}

static void
test_bundle_canonical_names(void **state)
{
	char	 name[64];

	(void)state;
	assert_int_equal(segur_doc_canonical_name("BON_COMMANDE",
	    SEGUR_DOC_PDF, "00001", name, sizeof(name)), 0);
	assert_string_equal(name, "MS1-DUI-Va1-BDC-00001.pdf");
	assert_int_equal(segur_doc_canonical_name("PREUVE_HT", SEGUR_DOC_PNG,
	    "0A0Z9", name, sizeof(name)), 0);
	assert_string_equal(name, "MS1-DUI-Va1-HT-0A0Z9.png");
	assert_int_equal(segur_doc_canonical_name("FACTURE", SEGUR_DOC_PDF,
	    "00001", name, sizeof(name)), SEGUR_EINVAL);
	assert_int_equal(segur_doc_canonical_name("BON_COMMANDE",
	    SEGUR_DOC_UNKNOWN, "00001", name, sizeof(name)), SEGUR_EINVAL);
	assert_int_equal(segur_doc_canonical_name("BON_COMMANDE",
	    SEGUR_DOC_PDF, "00001", name, 10), SEGUR_EINVAL);
}

static void
test_bundle_check_catches_lies_size_and_absence(void **state)
{
	struct fixture	*f = *state;
	char		 hex[65], *cause = NULL, *p;
	uint64_t	 size;

	p = mkdoc(f, "bdc.pdf", pdf, sizeof(pdf) - 1, sizeof(pdf) - 1);
	assert_int_equal(segur_doc_check(p, SEGUR_DOC_PDF, 0, hex, &size,
	    &cause), 0);
	assert_int_equal(size, sizeof(pdf) - 1);
	assert_int_equal(strlen(hex), 64);
	free(p);

	/* A PNG named .pdf. */
	p = mkdoc(f, "png-named.pdf", png, sizeof(png), sizeof(png));
	assert_int_equal(segur_doc_check(p, SEGUR_DOC_PDF, 0, hex, &size,
	    &cause), SEGUR_EINVAL);
	assert_non_null(strstr(cause, "le contenu est un PNG, pas un PDF"));
	free(p);

	/* Over 3 MiB, by one byte; exactly 3 MiB is fine. */
	p = mkdoc(f, "big.pdf", pdf, sizeof(pdf) - 1, SEGUR_DOC_MAX_BYTES + 1);
	assert_int_equal(segur_doc_check(p, SEGUR_DOC_PDF, 0, hex, &size,
	    &cause), SEGUR_ETOOBIG);
	assert_non_null(strstr(cause, "dépasse"));
	free(p);
	p = mkdoc(f, "max.pdf", pdf, sizeof(pdf) - 1, SEGUR_DOC_MAX_BYTES);
	assert_int_equal(segur_doc_check(p, SEGUR_DOC_PDF, 0, hex, &size,
	    &cause), 0);
	free(p);

	/* Missing, empty, unknown content. */
	p = segur_asprintf("%s/absent.pdf", f->dir);
	assert_int_equal(segur_doc_check(p, SEGUR_DOC_PDF, 0, hex, &size,
	    &cause), SEGUR_ENOENT);
	assert_non_null(strstr(cause, "introuvable"));
	free(p);
	p = mkdoc(f, "empty.pdf", "", 0, 0);
	assert_int_equal(segur_doc_check(p, SEGUR_DOC_PDF, 0, hex, &size,
	    &cause), SEGUR_EINVAL);
	assert_non_null(strstr(cause, "vide"));
	free(p);
	p = mkdoc(f, "gif.jpg", "GIF89a", 6, 100);
	assert_int_equal(segur_doc_check(p, SEGUR_DOC_JPG, 0, hex, &size,
	    &cause), SEGUR_EINVAL);
	assert_non_null(strstr(cause, "ni un PDF, ni un PNG, ni un JPEG"));
	free(p);
	free(cause);
}

static void
test_bundle_plan_splits_keeps_groups(void **state)
{
	struct segur_bundle_doc docs[5] = {
		{ "a", "MS1-DUI-Va1-BDC-00001.pdf", 1000, 1 },
		{ "b", "MS1-DUI-Va1-HT-00001.png", 1000, 1 },
		{ "c", "MS1-DUI-Va1-BDC-00002.pdf", 1000, 2 },
		{ "d", "MS1-DUI-Va1-BDC-00003.pdf", 1000, 3 },
		{ "e", "MS1-DUI-Va1-HT-00003.jpg", 1000, 3 },
	};
	size_t	 zip_of[5], nzips;
	uint64_t two;
	char	*cause = NULL;

	(void)state;
	/* Room for exactly two documents per zip. */
	two = segur_bundle_zip_size(docs, 2);
	assert_int_equal(segur_bundle_plan(docs, 5, two, zip_of, &nzips,
	    NULL), 0);
	assert_int_equal(nzips, 3);
	assert_int_equal(zip_of[0], 0);
	assert_int_equal(zip_of[1], 0);
	assert_int_equal(zip_of[2], 1);
	/* Group 3 does not fit beside group 2: it opens a third zip. */
	assert_int_equal(zip_of[3], 2);
	assert_int_equal(zip_of[4], 2);
	/* Everything fits in one zip under the real limit. */
	assert_int_equal(segur_bundle_plan(docs, 5, 0, zip_of, &nzips, NULL),
	    0);
	assert_int_equal(nzips, 1);
	/* A group larger than the limit on its own is refused. */
	assert_int_equal(segur_bundle_plan(docs, 5, two - 1, zip_of, &nzips,
	    &cause), SEGUR_ETOOBIG);
	assert_non_null(strstr(cause, "MS1-DUI-Va1-BDC-00001.pdf"));
	free(cause);
}

static void
test_bundle_write_exact_size_and_contents(void **state)
{
	struct fixture	*f = *state;
	struct segur_bundle_doc docs[3];
	char		*p[3], *zpath, buf[64];
	size_t		 zip_of[3], nzips, i;
	struct stat	 st;
	zip_t		*za;
	zip_file_t	*zf;
	zip_stat_t	 zs;
	uint64_t	 max;

	p[0] = mkdoc(f, "x.pdf", pdf, sizeof(pdf) - 1, 5000);
	p[1] = mkdoc(f, "y.png", png, sizeof(png), 7000);
	p[2] = mkdoc(f, "z.jpg", jpg, sizeof(jpg), 3000);
	docs[0] = (struct segur_bundle_doc){ p[0],
	    "MS1-DUI-Va1-BDC-00001.pdf", 5000, 1 };
	docs[1] = (struct segur_bundle_doc){ p[1],
	    "MS1-DUI-Va1-HT-00001.png", 7000, 1 };
	docs[2] = (struct segur_bundle_doc){ p[2],
	    "MS1-DUI-Va1-BDC-00002.jpg", 3000, 2 };
	max = segur_bundle_zip_size(docs, 2);
	assert_int_equal(segur_bundle_plan(docs, 3, max, zip_of, &nzips,
	    NULL), 0);
	assert_int_equal(nzips, 2);
	for (i = 0; i < nzips; i++) {
		zpath = segur_asprintf("%s/pj-%zu.zip", f->dir, i);
		assert_int_equal(segur_bundle_write(zpath, docs, 3, zip_of, i,
		    1696204800, NULL), 0);
		assert_int_equal(stat(zpath, &st), 0);
		/* The planned size is the real size: the limit holds. */
		assert_int_equal((uint64_t)st.st_size, i == 0 ? max :
		    segur_bundle_zip_size(docs + 2, 1));
		za = zip_open(zpath, ZIP_RDONLY | ZIP_CHECKCONS, NULL);
		assert_non_null(za);
		assert_int_equal(zip_get_num_entries(za, 0), i == 0 ? 2 : 1);
		assert_int_equal(zip_stat_index(za, 0, 0, &zs), 0);
		assert_string_equal(zs.name, i == 0 ?
		    "MS1-DUI-Va1-BDC-00001.pdf" : "MS1-DUI-Va1-BDC-00002.jpg");
		assert_int_equal(zs.comp_method, ZIP_CM_STORE);
		zf = zip_fopen_index(za, 0, 0);
		assert_int_equal(zip_fread(zf, buf, 5), 5);
		assert_memory_equal(buf, i == 0 ? "%PDF-" : "\xff\xd8\xff", i == 0 ? 5 : 3);
		zip_fclose(zf);
		zip_close(za);
		free(zpath);
	}
	for (i = 0; i < 3; i++)
		free(p[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bundle_sniff_formats),
		cmocka_unit_test(test_bundle_canonical_names),
		cmocka_unit_test_setup_teardown(
		    test_bundle_check_catches_lies_size_and_absence, setup,
		    teardown),
		cmocka_unit_test(test_bundle_plan_splits_keeps_groups),
		cmocka_unit_test_setup_teardown(
		    test_bundle_write_exact_size_and_contents, setup, teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
