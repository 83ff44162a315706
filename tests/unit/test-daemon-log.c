/*
 * test-daemon-log.c: segurd's one-line records with journald prefixes.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "helper-ledger.h"
#include "log.h"

/*
 * Runs fn with stderr sent to a temporary file and returns what was
 * written (caller frees).
 */
static char *
capture(void (*fn)(void))
{
	char	*dir, *path, *out;
	long	 n;
	FILE	*f;
	int	 fd, saved;

	dir = helper_tmpdir("test-log");
	path = helper_path(dir, "stderr");
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	fn();
	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	close(fd);
	f = fopen(path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	out = calloc(1, (size_t)n + 1);
	assert_non_null(out);
	assert_int_equal(fread(out, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	free(path);
	helper_tmpdir_free(dir);
	return (out);
}

static void
emit_each_level(void)
{
	log_debug("debug %d", 1);
	log_info("info %s", "two");
	log_warnx("warnx %d", 3);
	log_errorx("error %d", 4);
}

static void
test_daemon_log_priority_prefixes(void **state)
{
	char	*out;

	(void)state;
	log_set_level(LOG_LEVEL_DEBUG);
	out = capture(emit_each_level);
	assert_string_equal(out, "<7>debug 1\n<6>info two\n<4>warnx 3\n"
	    "<3>error 4\n");
	free(out);
}

static void
test_daemon_log_level_filters(void **state)
{
	char	*out;

	(void)state;
	log_set_level(LOG_LEVEL_WARNING);
	out = capture(emit_each_level);
	assert_string_equal(out, "<4>warnx 3\n<3>error 4\n");
	free(out);
	/* Errors are written whatever the level. */
	log_set_level(LOG_LEVEL_ERROR);
	out = capture(emit_each_level);
	assert_string_equal(out, "<3>error 4\n");
	free(out);
	log_set_level(LOG_LEVEL_INFO);
}

static void
emit_warn_enoent(void)
{
	errno = ENOENT;
	log_warn("open %s", "/nowhere");
	/* errno survives logging, so callers can still test it. */
	assert_int_equal(errno, ENOENT);
}

static void
test_daemon_log_warn_appends_errno(void **state)
{
	char	*out, *want;

	(void)state;
	out = capture(emit_warn_enoent);
	want = NULL;
	assert_true(asprintf(&want, "<4>open /nowhere : %s\n",
	    strerror(ENOENT)) > 0);
	assert_string_equal(out, want);
	free(want);
	free(out);
}

static void
emit_multiline(void)
{
	log_info("file %s", "evil\nname\r.json");
}

static void
test_daemon_log_one_line_per_record(void **state)
{
	char	*out;

	(void)state;
	out = capture(emit_multiline);
	assert_string_equal(out, "<6>file evil\\x0aname\\x0d.json\n");
	free(out);
}

static void
emit_huge(void)
{
	char	*s = malloc(10000);

	assert_non_null(s);
	memset(s, 'a', 9999);
	s[9999] = '\0';
	log_info("%s", s);
	free(s);
}

static void
test_daemon_log_long_record_is_cut_not_split(void **state)
{
	char	*out;
	size_t	 n;

	(void)state;
	out = capture(emit_huge);
	n = strlen(out);
	assert_true(n > 1000 && n < 4096);
	assert_memory_equal(out, "<6>aaa", 6);
	assert_string_equal(out + n - 4, "...\n");
	assert_ptr_equal(strchr(out, '\n'), out + n - 1);
	free(out);
}

static void
emit_huge_french(void)
{
	char	*s = malloc(6001);
	size_t	 i;

	assert_non_null(s);
	for (i = 0; i < 6000; i += 2)
		memcpy(s + i, "\xc3\xa9", 2);		/* é */
	s[6000] = '\0';
	log_info("a%s", s);
	free(s);
}

/* A cut never splits a UTF-8 character: the journal shows no "?". */
static void
test_daemon_log_cut_keeps_utf8_whole(void **state)
{
	char	*out;
	size_t	 n;

	(void)state;
	out = capture(emit_huge_french);
	n = strlen(out);
	assert_string_equal(out + n - 4, "...\n");
	/* "<6>a" then whole "é": an even count of bytes before "...". */
	assert_int_equal((n - 4 - 4) % 2, 0);
	assert_int_equal((unsigned char)out[n - 5], 0xa9);
	free(out);
}

static void
test_daemon_log_level_names(void **state)
{
	enum log_level l;

	(void)state;
	assert_int_equal(log_level_parse("debug", &l), 0);
	assert_int_equal(l, LOG_LEVEL_DEBUG);
	assert_int_equal(log_level_parse("warning", &l), 0);
	assert_int_equal(l, LOG_LEVEL_WARNING);
	assert_int_equal(log_level_parse("verbose", &l), -1);
	assert_int_equal(log_level_parse("INFO", &l), -1);
	assert_string_equal(log_level_name(LOG_LEVEL_ERROR), "error");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_daemon_log_priority_prefixes),
		cmocka_unit_test(test_daemon_log_level_filters),
		cmocka_unit_test(test_daemon_log_warn_appends_errno),
		cmocka_unit_test(test_daemon_log_one_line_per_record),
		cmocka_unit_test(test_daemon_log_long_record_is_cut_not_split),
		cmocka_unit_test(test_daemon_log_cut_keeps_utf8_whole),
		cmocka_unit_test(test_daemon_log_level_names),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
