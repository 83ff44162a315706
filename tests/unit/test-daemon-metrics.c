/*
 * test-daemon-metrics.c: the Prometheus text format writer.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "segur/error.h"
#include "segur/util.h"
#include "metrics.h"

static void
test_daemon_metrics_family_and_samples(void **state)
{
	struct segur_buf b = SEGUR_BUF_INIT;
	const char *const labels[] = { "state", "accepted", "og", "A1",
	    NULL };

	(void)state;
	assert_int_equal(segurd_metrics_family(&b, "segur_requests",
	    "gauge", "Requests by state."), 0);
	assert_int_equal(segurd_metrics_sample_u64(&b, "segur_requests",
	    labels, 42), 0);
	assert_int_equal(segurd_metrics_sample(&b, "segur_requests", NULL,
	    0.5), 0);
	assert_int_equal(segurd_metrics_sample_u64(&b, "segur_requests",
	    NULL, UINT64_MAX), 0);
	assert_string_equal(b.data,
	    "# HELP segur_requests Requests by state.\n"
	    "# TYPE segur_requests gauge\n"
	    "segur_requests{state=\"accepted\",og=\"A1\"} 42\n"
	    "segur_requests 0.5\n"
	    "segur_requests 18446744073709551615\n");
	segur_buf_release(&b);
}

static void
test_daemon_metrics_escaping(void **state)
{
	struct segur_buf b = SEGUR_BUF_INIT;
	const char *const labels[] = { "label", "a\\b\"c\nd", NULL };

	(void)state;
	assert_int_equal(segurd_metrics_family(&b, "x_total", "counter",
	    "Help with \\ and\nnewline and \"quotes\"."), 0);
	assert_int_equal(segurd_metrics_sample_u64(&b, "x_total", labels, 1),
	    0);
	/* Help escapes \ and newline only; label values also ". */
	assert_string_equal(b.data,
	    "# HELP x_total Help with \\\\ and\\nnewline and \"quotes\".\n"
	    "# TYPE x_total counter\n"
	    "x_total{label=\"a\\\\b\\\"c\\nd\"} 1\n");
	segur_buf_release(&b);
}

static void
test_daemon_metrics_special_values(void **state)
{
	struct segur_buf b = SEGUR_BUF_INIT;

	(void)state;
	assert_int_equal(segurd_metrics_sample(&b, "v", NULL, NAN), 0);
	assert_int_equal(segurd_metrics_sample(&b, "v", NULL, INFINITY), 0);
	assert_int_equal(segurd_metrics_sample(&b, "v", NULL, -INFINITY), 0);
	assert_int_equal(segurd_metrics_sample(&b, "v", NULL, 0.1), 0);
	assert_int_equal(segurd_metrics_sample(&b, "v", NULL, 1234567.0), 0);
	/* An amount in euros reads as written, not 4866.6700000000001. */
	assert_int_equal(segurd_metrics_sample(&b, "v", NULL,
	    486667 / 100.0), 0);
	assert_string_equal(b.data, "v NaN\nv +Inf\nv -Inf\n"
	    "v 0.1\nv 1234567\nv 4866.67\n");
	segur_buf_release(&b);
}

static void
test_daemon_metrics_bad_names_refused(void **state)
{
	struct segur_buf b = SEGUR_BUF_INIT;
	const char *const reserved[] = { "__name__", "x", NULL };
	const char *const dash[] = { "a-b", "x", NULL };
	const char *const colon[] = { "a:b", "x", NULL };
	const char *const odd[] = { "a", NULL };

	(void)state;
	assert_int_equal(segurd_metrics_family(&b, "1abc", "gauge", "h"),
	    SEGUR_EINVAL);
	assert_int_equal(segurd_metrics_family(&b, "a b", "gauge", "h"),
	    SEGUR_EINVAL);
	assert_int_equal(segurd_metrics_family(&b, "ok", "histogram", "h"),
	    SEGUR_EINVAL);
	assert_int_equal(segurd_metrics_sample_u64(&b, "ok", reserved, 1),
	    SEGUR_EINVAL);
	assert_int_equal(segurd_metrics_sample_u64(&b, "ok", dash, 1),
	    SEGUR_EINVAL);
	assert_int_equal(segurd_metrics_sample_u64(&b, "ok", colon, 1),
	    SEGUR_EINVAL);
	assert_int_equal(segurd_metrics_sample(&b, "ok", odd, 1),
	    SEGUR_EINVAL);
	/* A refused sample leaves nothing half-written. */
	assert_true(b.data == NULL || b.data[0] == '\0');
	assert_int_equal(segurd_metrics_name_ok("job:rate_5m", 0), 1);
	assert_int_equal(segurd_metrics_name_ok("job:rate_5m", 1), 0);
	segur_buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_daemon_metrics_family_and_samples),
		cmocka_unit_test(test_daemon_metrics_escaping),
		cmocka_unit_test(test_daemon_metrics_special_values),
		cmocka_unit_test(test_daemon_metrics_bad_names_refused),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
