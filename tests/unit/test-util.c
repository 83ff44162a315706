/*
 * test-util.c: buffers, causes, SHA-256 and crash-safe file writing.
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

#include "segur/error.h"
#include "segur/util.h"

#include "helper-ledger.h"

static void
test_util_buf_grows_and_stays_terminated(void **state)
{
	struct segur_buf b = SEGUR_BUF_INIT;
	char	*s;
	int	 i;

	(void)state;
	for (i = 0; i < 1000; i++)
		assert_int_equal(segur_buf_addf(&b, "%03d,", i), 0);
	assert_int_equal(b.len, 4000);
	assert_int_equal(b.data[b.len], '\0');
	assert_memory_equal(b.data + 3996, "999,", 4);
	s = segur_buf_detach(&b);
	assert_null(b.data);
	assert_int_equal(strlen(s), 4000);
	free(s);
	/* An empty buffer detaches as an empty string, not NULL. */
	s = segur_buf_detach(&b);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
}

static void
test_util_cause_replaces_and_returns_code(void **state)
{
	char	*cause = NULL;

	(void)state;
	assert_int_equal(segur_cause(&cause, SEGUR_EIO, "first %d", 1),
	    SEGUR_EIO);
	assert_string_equal(cause, "first 1");
	assert_int_equal(segur_cause(&cause, SEGUR_EINVAL, "second"),
	    SEGUR_EINVAL);
	assert_string_equal(cause, "second");
	free(cause);
	/* A NULL cause is allowed. */
	assert_int_equal(segur_cause(NULL, SEGUR_ENOENT, "x"), SEGUR_ENOENT);
}

static void
test_util_sha256_known_vectors(void **state)
{
	char	 hex[65];

	(void)state;
	segur_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	segur_sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
}

/* Makes a private temporary folder; caller frees the path. */
static char *
tmpdir(void)
{
	return (helper_tmpdir("test-util"));
}

static void
test_util_write_atomic_then_read_back(void **state)
{
	char	*dir = tmpdir(), *path, *data = NULL, *cause = NULL;
	size_t	 len;
	struct stat st;

	(void)state;
	path = segur_asprintf("%s/f.json", dir);
	assert_int_equal(segur_write_file_atomic(path, "{\"a\":1}", 7, 0640,
	    &cause), 0);
	assert_int_equal(segur_read_file(path, 100, &data, &len, &cause), 0);
	assert_int_equal(len, 7);
	assert_string_equal(data, "{\"a\":1}");
	free(data);
	/* Overwriting replaces the whole content. */
	assert_int_equal(segur_write_file_atomic(path, "x", 1, 0640, &cause),
	    0);
	assert_int_equal(segur_read_file(path, 100, &data, &len, &cause), 0);
	assert_string_equal(data, "x");
	free(data);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
	free(cause);
}

static void
test_util_read_refuses_over_limit_and_missing(void **state)
{
	char	*dir = tmpdir(), *path, *data = NULL, *cause = NULL;
	size_t	 len;

	(void)state;
	path = segur_asprintf("%s/big", dir);
	assert_int_equal(segur_write_file_atomic(path, "0123456789", 10, 0600,
	    NULL), 0);
	assert_int_equal(segur_read_file(path, 9, &data, &len, &cause),
	    SEGUR_ETOOBIG);
	assert_null(data);
	assert_non_null(strstr(cause, "au-delà de la limite"));
	/* An empty file reads as an empty, terminated buffer. */
	assert_int_equal(segur_write_file_atomic(path, "", 0, 0600, NULL), 0);
	assert_int_equal(segur_read_file(path, 9, &data, &len, &cause), 0);
	assert_int_equal(len, 0);
	assert_string_equal(data, "");
	free(data);
	data = NULL;
	unlink(path);
	assert_int_equal(segur_read_file(path, 9, &data, &len, &cause),
	    SEGUR_ENOENT);
	assert_int_equal(segur_read_file(dir, 9, &data, &len, &cause),
	    SEGUR_EINVAL);
	rmdir(dir);
	free(path);
	free(dir);
	free(cause);
}

static void
test_util_mkdir_p_nested(void **state)
{
	char	*dir = tmpdir(), *deep, *cause = NULL;
	struct stat st;

	(void)state;
	deep = segur_asprintf("%s/a/b/c", dir);
	assert_int_equal(segur_mkdir_p(deep, &cause), 0);
	assert_int_equal(stat(deep, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	/* Existing folders are fine. */
	assert_int_equal(segur_mkdir_p(deep, &cause), 0);
	rmdir(deep);
	free(deep);
	deep = segur_asprintf("%s/a/b", dir);
	rmdir(deep);
	free(deep);
	deep = segur_asprintf("%s/a", dir);
	rmdir(deep);
	free(deep);
	rmdir(dir);
	free(dir);
	free(cause);
}

/* A link, a FIFO, a folder, a file with two links: refused, named. */
static void
test_util_open_untrusted_refuses_what_is_not_a_file(void **state)
{
	struct stat	 st;
	const char	*what;
	char		*dir = tmpdir(), *f, *p, *cause = NULL, *data;
	size_t		 len;
	int		 fd;

	(void)state;
	f = segur_asprintf("%s/f.json", dir);
	assert_int_equal(segur_write_file_atomic(f, "{}", 2, 0600, NULL), 0);
	assert_int_equal(segur_open_untrusted(f, 100, &fd, &st, &what,
	    &cause), 0);
	assert_int_equal(segur_read_fd(fd, f, (size_t)st.st_size, &data,
	    &len, &cause), 0);
	assert_string_equal(data, "{}");
	free(data);
	close(fd);
	assert_int_equal(segur_open_untrusted(f, 1, &fd, &st, &what,
	    &cause), SEGUR_ETOOBIG);
	assert_int_equal(fd, -1);
	p = segur_asprintf("%s/link", dir);
	assert_int_equal(symlink(f, p), 0);
	assert_int_equal(segur_open_untrusted(p, 100, &fd, &st, &what,
	    &cause), SEGUR_EINVAL);
	assert_string_equal(what, "lien symbolique");
	unlink(p);
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_equal(segur_open_untrusted(p, 100, &fd, &st, &what,
	    &cause), SEGUR_EINVAL);
	assert_string_equal(what, "FIFO (tube nommé)");
	unlink(p);
	assert_int_equal(link(f, p), 0);
	assert_int_equal(segur_open_untrusted(p, 100, &fd, &st, &what,
	    &cause), SEGUR_EINVAL);
	assert_string_equal(what, "fichier à plusieurs liens physiques");
	unlink(p);
	assert_int_equal(segur_open_untrusted(dir, 100, &fd, &st, &what,
	    &cause), SEGUR_EINVAL);
	assert_string_equal(what, "dossier");
	assert_int_equal(segur_open_untrusted(p, 100, &fd, &st, &what,
	    &cause), SEGUR_ENOENT);
	unlink(f);
	rmdir(dir);
	free(f);
	free(p);
	free(dir);
	free(cause);
}

static void
test_util_excerpt_escapes_and_cuts(void **state)
{
	char	*e;

	(void)state;
	e = segur_excerpt("a\x01\x1b[31m\\b", 9, 100);
	assert_string_equal(e, "a\\x01\\x1b[31m\\\\b");
	free(e);
	/* Not UTF-8, a C1 control; é kept whole or not at all. */
	e = segur_excerpt("\xff\xc2\x9b\xc3\xa9", 5, 100);
	assert_string_equal(e, "\\xff\\xc2\\x9b\xc3\xa9");
	free(e);
	e = segur_excerpt("ab\xc3\xa9", 4, 3);
	assert_string_equal(e, "ab...");
	free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_util_buf_grows_and_stays_terminated),
		cmocka_unit_test(test_util_cause_replaces_and_returns_code),
		cmocka_unit_test(test_util_sha256_known_vectors),
		cmocka_unit_test(test_util_write_atomic_then_read_back),
		cmocka_unit_test(test_util_read_refuses_over_limit_and_missing),
		cmocka_unit_test(test_util_mkdir_p_nested),
		cmocka_unit_test(
		    test_util_open_untrusted_refuses_what_is_not_a_file),
		cmocka_unit_test(test_util_excerpt_escapes_and_cuts),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
