/*
 * test-archive.c: the content-addressed archive and the quarantine.
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

#include "segur/archive.h"
#include "segur/error.h"
#include "segur/util.h"

#include "helper-ledger.h"

struct fixture {
	char			*dir;	/* private temporary folder */
	struct segur_archive	 a;	/* at dir/archive */
};

static int
setup(void **state)
{
	struct fixture	*f = calloc(1, sizeof(*f));
	char		*root;

	assert_non_null(f);
	f->dir = helper_tmpdir("test-archive");
	root = segur_asprintf("%s/archive", f->dir);
	assert_int_equal(segur_archive_open(&f->a, root, NULL), 0);
	free(root);
	*state = f;
	return (0);
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	segur_archive_release(&f->a);
	helper_tmpdir_free(f->dir);
	free(f);
	return (0);
}

static void
test_archive_put_get_roundtrip_readonly(void **state)
{
	struct fixture	*f = *state;
	char		 hex[65], *data = NULL, *path;
	size_t		 len;
	struct stat	 st;

	assert_int_equal(segur_archive_put(&f->a, "abc", 3, hex, NULL), 0);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	path = segur_archive_path(&f->a, hex);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0440);
	assert_int_equal(segur_archive_get(&f->a, hex, 100, &data, &len,
	    NULL), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(data, "abc", 3);
	free(data);
	/* Putting the same content again is a no-op. */
	assert_int_equal(segur_archive_put(&f->a, "abc", 3, hex, NULL), 0);
	free(path);
}

static void
test_archive_detects_and_repairs_altered_object(void **state)
{
	struct fixture	*f = *state;
	char		 hex[65], *path, *cause = NULL, *data = NULL;
	size_t		 len;
	FILE		*fp;

	assert_int_equal(segur_archive_put(&f->a, "evidence", 8, hex, NULL),
	    0);
	path = segur_archive_path(&f->a, hex);
	chmod(path, 0640);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("forged", fp);
	fclose(fp);
	assert_int_equal(segur_archive_verify(&f->a, hex, &cause),
	    SEGUR_ECORRUPT);
	assert_non_null(strstr(cause, "altered"));
	assert_int_equal(segur_archive_get(&f->a, hex, 100, &data, &len,
	    NULL), SEGUR_ECORRUPT);
	assert_null(data);
	/* Putting the right content back says it replaced something. */
	assert_int_equal(segur_archive_put(&f->a, "evidence", 8, hex, NULL),
	    1);
	assert_int_equal(segur_archive_verify(&f->a, hex, NULL), 0);
	free(path);
	free(cause);
}

static void
test_archive_missing_and_bad_names(void **state)
{
	struct fixture	*f = *state;
	char		*cause = NULL;

	assert_int_equal(segur_archive_verify(&f->a, "e3b0c44298fc1c149afbf4"
	    "c8996fb92427ae41e4649b934ca495991b7852b855", &cause),
	    SEGUR_ENOENT);
	assert_non_null(strstr(cause, "missing"));
	assert_int_equal(segur_archive_verify(&f->a, "../../etc/passwd",
	    &cause), SEGUR_EINVAL);
	free(cause);
}

static void
test_archive_quarantine_moves_with_reason(void **state)
{
	struct fixture	*f = *state;
	char		*in, *q, *out = NULL, *data = NULL, *rp;
	size_t		 len;
	struct stat	 st;

	in = segur_asprintf("%s/retour.json", f->dir);
	q = segur_asprintf("%s/quarantine", f->dir);
	assert_int_equal(segur_write_file_atomic(in, "{", 1, 0640, NULL), 0);
	assert_int_equal(segur_quarantine_file(q, in, "JSON tronqué", &out,
	    NULL), 0);
	assert_int_equal(stat(in, &st), -1);
	assert_non_null(strstr(out, "/quarantine/retour.json"));
	rp = segur_asprintf("%s.reason", out);
	assert_int_equal(segur_read_file(rp, 100, &data, &len, NULL), 0);
	assert_string_equal(data, "JSON tronqué\n");
	free(data);
	free(rp);
	free(out);
	/* A second file of the same name does not overwrite the first. */
	assert_int_equal(segur_write_file_atomic(in, "[", 1, 0640, NULL), 0);
	assert_int_equal(segur_quarantine_file(q, in, "autre", &out, NULL),
	    0);
	assert_non_null(strstr(out, "/quarantine/retour.json.1"));
	assert_int_equal(segur_read_file(out, 10, &data, &len, NULL), 0);
	assert_string_equal(data, "[");
	free(data);
	free(out);
	free(in);
	free(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_archive_put_get_roundtrip_readonly, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_archive_detects_and_repairs_altered_object, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_archive_missing_and_bad_names, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_archive_quarantine_moves_with_reason, setup, teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
