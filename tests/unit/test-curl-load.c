/*
 * test-curl-load.c: libcurl loaded on first use (daemon/curl-load.c) and
 * the deliverer when it cannot be: a clear reason, retries, nothing
 * mapped before the first attempt, and delivery once it loads.
 *
 * The tests run in order in one process, and a library once loaded
 * stays loaded: the failures come first, the successful load last.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <cmocka.h>
#include <uv.h>

#include "segur/alert.h"
#include "segur/error.h"
#include "segur/util.h"

#include "curl-load.h"
#include "deliver.h"

#define MISSING	"/nonexistent/libcurl.so.4"

struct fixture {
	uv_loop_t		 loop;
	struct segurd_deliver	*d;
	uint64_t		 seed;
	int			 status;
	unsigned		 attempts;
	char			*reason;
	int			 done, closed;
	unsigned		 errors, warnings;
	char			*first_error;
};

/* 1 when /proc/self/maps maps a file whose name holds "libcurl" (read
 * line by line: procfs files have no size). */
static int
libcurl_mapped(void)
{
	char	 line[4096];
	FILE	*fp;
	int	 found = 0, lines = 0;

	fp = fopen("/proc/self/maps", "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		lines++;
		if (strstr(line, "libcurl") != NULL)
			found = 1;
	}
	fclose(fp);
	/* The program itself, libc, ld.so at least: the file was read. */
	assert_true(lines > 5);
	return (found);
}

static void
on_log(void *arg, int level, const char *msg)
{
	struct fixture *f = arg;

	if (level <= LOG_ERR) {
		if (f->errors++ == 0)
			f->first_error = strdup(msg);
	} else if (level == LOG_WARNING)
		f->warnings++;
}

static void
on_result(void *arg, const struct segurd_deliver_result *r)
{
	struct fixture *f = arg;

	f->status = r->status;
	f->attempts = r->attempts;
	f->reason = r->reason != NULL ? strdup(r->reason) : NULL;
	f->done = 1;
}

static void
run_until_done(struct fixture *f)
{
	/* uv_run() may return 0 right after the last callback. */
	while (!f->done)
		if (uv_run(&f->loop, UV_RUN_ONCE) == 0)
			assert_true(f->done);
}

static void
on_closed(void *arg)
{
	((struct fixture *)arg)->closed = 1;
}

static struct fixture *
fixture_new(void)
{
	/* Retries 10 ms apart at most, given up after 300 ms. */
	static const struct segurd_deliver_policy p = { 5, 10, 300, 2000,
	    0 };
	struct fixture	*f;

	f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->seed = 11;
	assert_int_equal(uv_loop_init(&f->loop), 0);
	f->d = segurd_deliver_new(&f->loop, &p, segurd_deliver_splitmix64,
	    &f->seed, on_log, f, NULL);
	assert_non_null(f->d);
	return (f);
}

static void
fixture_free(struct fixture *f)
{
	if (!f->closed) {
		segurd_deliver_close(f->d, on_closed, f);
		while (!f->closed)
			uv_run(&f->loop, UV_RUN_ONCE);
	}
	assert_int_equal(uv_loop_close(&f->loop), 0);
	free(f->reason);
	free(f->first_error);
	free(f);
}

/* A webhook to a port nobody listens on (the discard port). */
static void
submit_one(struct fixture *f, const char *id)
{
	struct segurd_channel ch;
	struct segur_alert a;

	memset(&ch, 0, sizeof(ch));
	ch.type = SEGURD_CHANNEL_WEBHOOK;
	ch.name = "webhook:ops";
	ch.url = "http://127.0.0.1:9/hook";
	memset(&a, 0, sizeof(a));
	a.id = strdup(id);
	a.kind = strdup(SEGUR_ALERT_REJECTION);
	a.created = (int64_t)time(NULL);
	a.facts = cJSON_Parse("{\"reference\":\"BC-2\"}");
	assert_non_null(a.facts);
	assert_int_equal(segur_alert_compose(&a), 0);
	assert_int_equal(segurd_deliver_submit(f->d, &ch, &a, on_result, f,
	    NULL), 0);
	segur_alert_release(&a);
}

static void
test_curl_load_missing_library_says_what_to_install(void **state)
{
	char	*cause = NULL;

	(void)state;
	assert_null(segurd_curl_problem());
	assert_int_equal(setenv("SEGURD_LIBCURL", MISSING, 1), 0);
	assert_int_equal(segurd_curl_load(&cause), SEGUR_EIO);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "impossible de charger libcurl ("
	    MISSING "), nécessaire à l'envoi des alertes : "));
	assert_non_null(strstr(cause, "installez le paquet Debian libcurl4"));
	/* /healthz shows the same words; nothing is usable. */
	assert_string_equal(segurd_curl_problem(), cause);
	assert_null(segurd_curl_version());
	assert_null(segurd_curl.easy_init);
	assert_false(libcurl_mapped());
	free(cause);
}

static void
test_curl_load_refuses_a_library_that_is_not_libcurl(void **state)
{
	char	*cause = NULL;

	(void)state;
	assert_int_equal(setenv("SEGURD_LIBCURL", "libc.so.6", 1), 0);
	assert_int_equal(segurd_curl_load(&cause), SEGUR_EIO);
	assert_string_equal(cause, "libc.so.6 n'est pas une libcurl "
	    "utilisable : curl_global_init y manque");
	assert_string_equal(segurd_curl_problem(), cause);
	assert_null(segurd_curl_version());
	free(cause);
}

/* Each attempt fails like a refused connection: retried, then given up
 * with the reason; the error is logged once, each retry as a warning. */
static void
test_curl_load_failure_is_a_failed_attempt_retried(void **state)
{
	struct fixture	*f = fixture_new();

	(void)state;
	assert_int_equal(setenv("SEGURD_LIBCURL", MISSING, 1), 0);
	submit_one(f, "alert-000001");
	run_until_done(f);
	assert_int_equal(f->status, SEGURD_DELIVER_FAILED);
	assert_true(f->attempts >= 2);
	assert_non_null(f->reason);
	assert_non_null(strstr(f->reason, " ; dernier : webhook:ops : impossible "
	    "de charger libcurl (" MISSING ")"));
	assert_int_equal(f->errors, 1);
	assert_non_null(strstr(f->first_error,
	    "impossible de charger libcurl"));
	assert_true(f->warnings >= 1);
	assert_false(libcurl_mapped());
	fixture_free(f);
}

/* Shutdown while an attempt waits for its retry after a failed load. */
static void
test_curl_load_close_while_waiting_to_retry(void **state)
{
	struct fixture	*f = fixture_new();

	(void)state;
	assert_int_equal(setenv("SEGURD_LIBCURL", MISSING, 1), 0);
	submit_one(f, "alert-000002");
	/* The first attempt fails and waits its retry. */
	while (f->warnings == 0)
		if (uv_run(&f->loop, UV_RUN_ONCE) == 0)
			fail_msg("the loop ran dry before the first retry");
	segurd_deliver_close(f->d, on_closed, f);
	while (!f->closed)
		uv_run(&f->loop, UV_RUN_ONCE);
	assert_int_equal(f->status, SEGURD_DELIVER_CANCELLED);
	fixture_free(f);
}

/* Once the library can be found, the next attempt loads it and really
 * uses it: the refused connection is libcurl's own words. */
static void
test_curl_load_next_attempt_loads_it(void **state)
{
	struct fixture	*f;

	(void)state;
	assert_int_equal(unsetenv("SEGURD_LIBCURL"), 0);
	f = fixture_new();
	assert_false(libcurl_mapped());
	submit_one(f, "alert-000003");
	run_until_done(f);
	assert_true(libcurl_mapped());
	assert_null(segurd_curl_problem());
	assert_non_null(segurd_curl_version());
	assert_non_null(segurd_curl.easy_init);
	assert_int_equal(f->status, SEGURD_DELIVER_FAILED);
	assert_non_null(f->reason);
	assert_null(strstr(f->reason, "impossible de charger"));
	assert_non_null(strstr(f->reason, "onnect"));
	assert_int_equal(f->errors, 0);
	fixture_free(f);
	/* Loaded for good: a second load is a no-op. */
	assert_int_equal(setenv("SEGURD_LIBCURL", MISSING, 1), 0);
	assert_int_equal(segurd_curl_load(NULL), 0);
	assert_null(segurd_curl_problem());
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_curl_load_missing_library_says_what_to_install),
		cmocka_unit_test(
		    test_curl_load_refuses_a_library_that_is_not_libcurl),
		cmocka_unit_test(
		    test_curl_load_failure_is_a_failed_attempt_retried),
		cmocka_unit_test(test_curl_load_close_while_waiting_to_retry),
		cmocka_unit_test(test_curl_load_next_attempt_loads_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
