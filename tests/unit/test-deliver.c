/*
 * test-deliver.c: the retry schedule (exponential backoff with full
 * jitter from a seeded source, give-up time) and channel checks. The
 * deliveries themselves, on a real loop against the test servers, are in
 * test-deliver-loop.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "segur/error.h"

#include "deliver.h"

/* A source that always draws the same number: to reach the bounds. */
static uint64_t
fixed(void *arg)
{
	return *(uint64_t *)arg;
}

static void
test_deliver_splitmix_is_seeded_and_deterministic(void **state)
{
	uint64_t	a = 42, b = 42, c = 43, x, y;

	(void)state;
	x = segurd_deliver_splitmix64(&a);
	y = segurd_deliver_splitmix64(&b);
	assert_int_equal(x, y);
	assert_int_not_equal(x, segurd_deliver_splitmix64(&c));
	assert_int_not_equal(segurd_deliver_splitmix64(&a), x);
	/* SplitMix64's published first output for seed 0. */
	a = 0;
	assert_int_equal(segurd_deliver_splitmix64(&a),
	    0xe220a8397b1dcdafULL);
}

static void
test_deliver_backoff_doubles_up_to_the_cap(void **state)
{
	struct segurd_deliver_policy p = { 1000, 60000, 86400000, 30000, 0 };
	uint64_t	r, delay = 0;
	unsigned	n;

	(void)state;
	/* The largest draw reaches each cap exactly: 1, 2, 4 ... 60 s. */
	r = UINT64_MAX;
	for (n = 1; n <= 12; n++) {
		uint64_t cap = 1000ULL << (n - 1);

		if (cap > 60000)
			cap = 60000;
		assert_int_equal(segurd_deliver_next_delay(&p, n, 0, fixed, &r,
		    &delay), 0);
		assert_int_equal(delay, UINT64_MAX % (cap + 1));
		assert_true(delay <= cap);
	}
	/* A zero draw waits not at all (full jitter starts at 0). */
	r = 0;
	assert_int_equal(segurd_deliver_next_delay(&p, 5, 0, fixed, &r,
	    &delay), 0);
	assert_int_equal(delay, 0);
	/* r = cap draws the cap itself: [0, cap] inclusive. */
	r = 4000;
	assert_int_equal(segurd_deliver_next_delay(&p, 3, 0, fixed, &r,
	    &delay), 0);
	assert_int_equal(delay, 4000);
	/* Huge attempt numbers do not overflow. */
	r = 59999;
	assert_int_equal(segurd_deliver_next_delay(&p, 4000000000U, 0, fixed,
	    &r, &delay), 0);
	assert_int_equal(delay, 59999);
}

static void
test_deliver_backoff_schedule_with_seed(void **state)
{
	struct segurd_deliver_policy p = { 1000, 600000, 86400000, 30000, 0 };
	uint64_t	seed = 2026, elapsed = 0, delay, sum_caps = 0;
	unsigned	n;

	(void)state;
	/* Every delay stays within its bound; attempts are instant here. */
	for (n = 1; ; n++) {
		uint64_t cap = n > 20 ? 600000 : 1000ULL << (n - 1);

		if (cap > 600000)
			cap = 600000;
		if (segurd_deliver_next_delay(&p, n, elapsed,
		    segurd_deliver_splitmix64, &seed, &delay) != 0)
			break;
		assert_true(delay <= cap);
		sum_caps += cap;
		elapsed += delay;
		assert_true(n < 100000);
	}
	/* Given up exactly at the give-up time, not before, not after:
	 * the last wait is shortened to land on it. */
	assert_int_equal(elapsed, 86400000);
	/* With 10-minute caps, a day takes at least 144 attempts. */
	assert_true(n > 144);
	assert_true(sum_caps >= 86400000);
}

static void
test_deliver_backoff_gives_up_when_time_is_up(void **state)
{
	struct segurd_deliver_policy p = { 100, 1000, 5000, 1000, 0 };
	uint64_t	r = 999, delay = 0;

	(void)state;
	assert_int_equal(segurd_deliver_next_delay(&p, 9, 5000, fixed, &r,
	    &delay), 1);
	assert_int_equal(segurd_deliver_next_delay(&p, 9, 7000, fixed, &r,
	    &delay), 1);
	/* 4.5 s in: the 999 ms draw is cut to the 500 ms left. */
	assert_int_equal(segurd_deliver_next_delay(&p, 9, 4500, fixed, &r,
	    &delay), 0);
	assert_int_equal(delay, 500);
}

static void
test_deliver_channel_check(void **state)
{
	const char *to[] = { "ops@example.org" };
	struct segurd_channel ch;
	char	*cause = NULL;

	(void)state;
	memset(&ch, 0, sizeof(ch));
	ch.type = SEGURD_CHANNEL_WEBHOOK;
	ch.name = "webhook";
	ch.url = "https://hooks.example.org/segur";
	ch.secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
	assert_int_equal(segurd_channel_check(&ch, &cause), 0);
	ch.url = "ftp://hooks.example.org/";
	assert_int_equal(segurd_channel_check(&ch, &cause), SEGUR_EINVAL);
	assert_non_null(strstr(cause, "https://"));
	ch.url = "https://hooks.example.org/segur";
	ch.secret = "whsec_tooshort";
	assert_int_equal(segurd_channel_check(&ch, &cause), SEGUR_EINVAL);
	assert_null(strstr(cause, "tooshort"));
	ch.type = SEGURD_CHANNEL_MAIL;
	ch.secret = NULL;
	ch.url = "smtp://127.0.0.1:25";
	ch.mail_from = "segurd@example.org";
	ch.mail_to = to;
	ch.nmail_to = 1;
	assert_int_equal(segurd_channel_check(&ch, &cause), 0);
	ch.url = "https://mail.example.org";
	assert_int_equal(segurd_channel_check(&ch, &cause), SEGUR_EINVAL);
	ch.url = "smtp://127.0.0.1:25";
	ch.username = "segurd";
	assert_int_equal(segurd_channel_check(&ch, &cause), SEGUR_EINVAL);
	assert_non_null(strstr(cause, "mot de passe"));
	ch.username = NULL;
	to[0] = "ops@example.org\r\nRCPT TO:<x@y>";
	assert_int_equal(segurd_channel_check(&ch, &cause), SEGUR_EINVAL);
	ch.type = 99;
	assert_int_equal(segurd_channel_check(&ch, &cause), SEGUR_EINVAL);
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_deliver_splitmix_is_seeded_and_deterministic),
		cmocka_unit_test(test_deliver_backoff_doubles_up_to_the_cap),
		cmocka_unit_test(test_deliver_backoff_schedule_with_seed),
		cmocka_unit_test(test_deliver_backoff_gives_up_when_time_is_up),
		cmocka_unit_test(test_deliver_channel_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
