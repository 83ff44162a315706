/*
 * test-webhook.c: Standard Webhooks secrets, signatures and verification,
 * against vectors computed with Python's hmac module (see
 * docs/internals/deliver.md for the commands).
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
#include "segur/webhook.h"

/* The example of the Standard Webhooks specification. */
#define SPEC_SECRET	"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define SPEC_ID		"msg_p5jXN8AQM9LWM0D4loKWxJek"
#define SPEC_TS		1614265330
#define SPEC_BODY	"{\"test\": 2432232314}"
#define SPEC_SIG	"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

/* Bytes 1..32; hmac.new(bytes(range(1,33)), msg, "sha256"). */
#define OUR_SECRET	"whsec_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="
#define OUR_ID		"alert-000123"
#define OUR_TS		1764250000
#define OUR_BODY	"{\"type\":\"segur.alert\"," \
			"\"data\":{\"id\":\"alert-000123\"}}"
#define OUR_SIG		"v1,b5oohRfCQkZstaUCaISndRjyG6w36n+FPlDERrezhUw="

static void
test_webhook_sign_matches_spec_example(void **state)
{
	unsigned char	key[SEGUR_WEBHOOK_KEY_MAX];
	size_t		keylen = 0;
	char		sig[SEGUR_WEBHOOK_SIG_LEN];

	(void)state;
	assert_int_equal(segur_webhook_secret_decode(SPEC_SECRET, key, &keylen,
	    NULL), 0);
	assert_int_equal(keylen, 24);
	assert_int_equal(segur_webhook_sign(key, keylen, SPEC_ID, SPEC_TS,
	    SPEC_BODY, strlen(SPEC_BODY), sig), 0);
	assert_string_equal(sig, SPEC_SIG);
}

static void
test_webhook_sign_matches_python_vector(void **state)
{
	unsigned char	key[SEGUR_WEBHOOK_KEY_MAX];
	size_t		keylen = 0, i;
	char		sig[SEGUR_WEBHOOK_SIG_LEN];

	(void)state;
	/* The bare base64 and surrounding white space are accepted too. */
	assert_int_equal(segur_webhook_secret_decode(
	    " AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=\n", key, &keylen,
	    NULL), 0);
	assert_int_equal(keylen, 32);
	for (i = 0; i < keylen; i++)
		assert_int_equal(key[i], i + 1);
	assert_int_equal(segur_webhook_secret_decode(OUR_SECRET, key, &keylen,
	    NULL), 0);
	assert_int_equal(segur_webhook_sign(key, keylen, OUR_ID, OUR_TS,
	    OUR_BODY, strlen(OUR_BODY), sig), 0);
	assert_string_equal(sig, OUR_SIG);
}

static void
test_webhook_secret_refuses_bad_secrets(void **state)
{
	unsigned char	 key[SEGUR_WEBHOOK_KEY_MAX];
	size_t		 keylen = 0;
	char		*cause = NULL;
	char		 big[200];

	(void)state;
	/* 12 bytes: too short for the convention. */
	assert_int_equal(segur_webhook_secret_decode("whsec_AAAAAAAAAAAAAAAA",
	    key, &keylen, &cause), SEGUR_EINVAL);
	assert_non_null(strstr(cause, "il en faut de 24 à 64"));
	/* Not base64; the cause never quotes the secret. */
	assert_int_equal(segur_webhook_secret_decode("whsec_sécret!", key,
	    &keylen, &cause), SEGUR_EINVAL);
	assert_null(strstr(cause, "sécret"));
	assert_int_equal(segur_webhook_secret_decode("", key, &keylen, &cause),
	    SEGUR_EINVAL);
	assert_int_equal(segur_webhook_secret_decode("whsec_AQID=BAU", key,
	    &keylen, &cause), SEGUR_EINVAL);
	/* Over 64 bytes is refused before anything is decoded. */
	memset(big, 'A', 120);
	big[120] = '\0';
	assert_int_equal(segur_webhook_secret_decode(big, key, &keylen,
	    &cause), SEGUR_EINVAL);
	free(cause);
}

static void
test_webhook_verify_accepts_good_and_refuses_bad(void **state)
{
	unsigned char	 key[SEGUR_WEBHOOK_KEY_MAX];
	size_t		 keylen = 0;
	char		*cause = NULL;

	(void)state;
	assert_int_equal(segur_webhook_secret_decode(SPEC_SECRET, key, &keylen,
	    NULL), 0);
	assert_int_equal(segur_webhook_verify(key, keylen, SPEC_ID, SPEC_TS,
	    SPEC_BODY, strlen(SPEC_BODY), SPEC_SIG, SPEC_TS + 10, 300,
	    &cause), 0);
	/* Several signatures, one of them right (key rotation). */
	assert_int_equal(segur_webhook_verify(key, keylen, SPEC_ID, SPEC_TS,
	    SPEC_BODY, strlen(SPEC_BODY), "v1,AAAA v1a,xyz " SPEC_SIG,
	    SPEC_TS, 300, &cause), 0);
	/* One byte of the body changed. */
	assert_int_equal(segur_webhook_verify(key, keylen, SPEC_ID, SPEC_TS,
	    "{\"test\": 2432232315}", strlen(SPEC_BODY), SPEC_SIG, SPEC_TS,
	    300, &cause), SEGUR_EINVAL);
	assert_non_null(strstr(cause, "ne correspond"));
	/* Another id, same body: a replay under another id. */
	assert_int_equal(segur_webhook_verify(key, keylen, "msg_other",
	    SPEC_TS, SPEC_BODY, strlen(SPEC_BODY), SPEC_SIG, SPEC_TS, 300,
	    &cause), SEGUR_EINVAL);
	/* Too old. */
	assert_int_equal(segur_webhook_verify(key, keylen, SPEC_ID, SPEC_TS,
	    SPEC_BODY, strlen(SPEC_BODY), SPEC_SIG, SPEC_TS + 301, 300,
	    &cause), SEGUR_EINVAL);
	assert_non_null(strstr(cause, "300 s"));
	/* A prefix of the right signature is not the signature. */
	assert_int_equal(segur_webhook_verify(key, keylen, SPEC_ID, SPEC_TS,
	    SPEC_BODY, strlen(SPEC_BODY), "v1,g0hM9SsE", SPEC_TS, 300,
	    &cause), SEGUR_EINVAL);
	free(cause);
}

static void
test_webhook_sign_refuses_dotted_id(void **state)
{
	unsigned char	key[32] = { 0 };
	char		sig[SEGUR_WEBHOOK_SIG_LEN];

	(void)state;
	assert_int_equal(segur_webhook_sign(key, sizeof(key), "a.b", 1, "x", 1,
	    sig), SEGUR_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_webhook_sign_matches_spec_example),
		cmocka_unit_test(test_webhook_sign_matches_python_vector),
		cmocka_unit_test(test_webhook_secret_refuses_bad_secrets),
		cmocka_unit_test(
		    test_webhook_verify_accepts_good_and_refuses_bad),
		cmocka_unit_test(test_webhook_sign_refuses_dotted_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
