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
	assert_non_null(strstr(cause, "altéré"));
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
	assert_non_null(strstr(cause, "absent de l'archive"));
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

/* A link is moved as a link (never followed); a long name shortened. */
static void
test_archive_quarantine_link_and_long_name(void **state)
{
	struct fixture	*f = *state;
	struct stat	 st;
	char		*target, *in, *q, *out = NULL, name[251], *shortn;

	target = segur_asprintf("%s/target", f->dir);
	assert_int_equal(segur_write_file_atomic(target, "x", 1, 0600, NULL),
	    0);
	in = segur_asprintf("%s/link.json", f->dir);
	assert_int_equal(symlink(target, in), 0);
	q = segur_asprintf("%s/quarantine", f->dir);
	assert_int_equal(segur_quarantine_file(q, in, "lien", &out, NULL), 0);
	assert_int_equal(lstat(out, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(stat(target, &st), 0);
	free(out);
	free(in);
	memset(name, 'z', 250);
	name[250] = '\0';
	shortn = segur_quarantine_name(name);
	assert_true(strlen(shortn) <= 200);
	assert_non_null(strchr(shortn, '~'));
	free(shortn);
	shortn = segur_quarantine_name("court.json");
	assert_string_equal(shortn, "court.json");
	free(shortn);
	in = segur_asprintf("%s/%s", f->dir, name);
	/* Created in place: its own ".tmp.<pid>" would be too long. */
	assert_int_equal(segur_create_file(in, 0600, NULL), 0);
	assert_int_equal(segur_quarantine_file(q, in, "long", &out, NULL), 0);
	assert_int_equal(access(out, F_OK), 0);
	free(out);
	/* Twice: the ".1" and its reason still fit. */
	assert_int_equal(segur_create_file(in, 0600, NULL), 0);
	assert_int_equal(segur_quarantine_file(q, in, "long", &out, NULL), 0);
	assert_non_null(strstr(out, ".1"));
	free(out);
	free(in);
	free(q);
	free(target);
}

/* Leftovers: a dead writer's tmp file is listed and removed, a live
 * writer's (this process) kept. */
static void
test_archive_leftovers_of_dead_writers_only(void **state)
{
	struct fixture	*f = *state;
	char		*dead, *live, **names;
	size_t		 n;

	dead = segur_asprintf("%s/%064d.tmp.4194999", f->a.root, 0);
	live = segur_asprintf("%s/%064d.tmp.%ld", f->a.root, 1,
	    (long)getpid());
	assert_int_equal(segur_create_file(dead, 0600, NULL), 0);
	assert_int_equal(segur_create_file(live, 0600, NULL), 0);
	assert_int_equal(segur_archive_leftovers(f->a.root, 0, &names, &n,
	    NULL), 0);
	assert_int_equal(n, 1);
	assert_non_null(strstr(dead, names[0]));
	segur_archive_leftovers_free(names, n);
	assert_int_equal(access(dead, F_OK), 0);
	assert_int_equal(segur_archive_leftovers(f->a.root, 1, &names, &n,
	    NULL), 0);
	assert_int_equal(n, 1);
	segur_archive_leftovers_free(names, n);
	assert_int_equal(access(dead, F_OK), -1);
	assert_int_equal(access(live, F_OK), 0);
	free(dead);
	free(live);
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
		cmocka_unit_test_setup_teardown(
		    test_archive_quarantine_link_and_long_name, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_archive_leftovers_of_dead_writers_only, setup,
		    teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
