/*
 * test-validate-oom.c: the validator under allocation failures.
 *
 * This binary replaces malloc and its family (oom-inject.h) with versions
 * that fail after a given number of calls, then validates files with
 * findings while the n-th allocation fails, for every n until a run needs
 * no more: each run must return 0 or SEGUR_ENOMEM, never crash, and leave
 * a report that segur_report_release() frees. Under AddressSanitizer (which owns malloc)
 * the replacement is left out and the test only checks that the library
 * behaves without failures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "oom-inject.h"
#include "segur/error.h"
#include "segur/validate.h"
#include "validate-cases.h"

/* Validates buf with allocations failing after n; oom_left is left as the
 * run left it. */
static int
run_failing(const char *buf, size_t len, long n, int request,
    struct segur_report *r)
{
	struct segur_validate_opts opts;
	int	 rc;

	memset(&opts, 0, sizeof(opts));
	opts.filename = EX_FILE;
	oom_left = n;
	rc = request ? segur_validate_request(buf, len, &opts, r) :
	    segur_validate_buffer(buf, len, &opts, r);
	return (rc);
}

/*
 * Runs the validation with the n-th allocation failing, n = 0, 1, 2… until
 * a run ends with allocations to spare.
 */
static void
sweep(const char *buf, size_t len, int request)
{
	struct segur_report r;
	long	 n, left;
	int	 rc, failed = 0;

	for (n = 0; n < 1000000; n++) {
		memset(&r, 0, sizeof(r));
		rc = run_failing(buf, len, n, request, &r);
		left = oom_left;
		oom_left = -1;
		if (rc != 0 && rc != SEGUR_ENOMEM)
			fail_msg("allocation %ld: unexpected %d", n, rc);
		segur_report_release(&r);
		failed += rc == SEGUR_ENOMEM;
		if (!OOM_LIBC || left > 0)
			break;
	}
	if (OOM_LIBC)
		assert_true(failed > 0);
}

static void
test_validate_oom_file_with_findings(void **state)
{
	const char *edits[] = {
		"lignesImport[0].commande.regimeTVA=\"ttc\"",
		"lignesImport[1].numeroEditeur=\"00001\"",
		"lignesImport[0].inconnue=1",
		"SIRET=\"38042372300029\"",
		NULL
	};
	char	*base, *json;

	(void)state;
	base = helper_read_data(EX_FILE, NULL);
	json = helper_json_mutate(base, edits);
	sweep(json, strlen(json), 0);
	sweep(base, strlen(base), 0);
	free(json);
	free(base);
}

static void
test_validate_oom_request_and_structure(void **state)
{
	static const char bad[] = "{\"a\": \"\xE9\"}";
	char	*base;

	(void)state;
	base = helper_read_data(EX_FILE, NULL);
	sweep(base, strlen(base), 1);
	free(base);
	sweep(bad, sizeof(bad) - 1, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate_oom_file_with_findings),
		cmocka_unit_test(test_validate_oom_request_and_structure),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
