/*
 * test-ledger-process.c: segur_ledger_process_init(), in a process of its
 * own (it must come before anything uses SQLite).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "segur/error.h"
#include "segur/ledger.h"

/*
 * Before SQLite is used, it turns SQLite's memory statistics off (the
 * ledger then still works); once SQLite is in use, it says it changed
 * nothing.
 */
static void
test_ledger_process_init_turns_statistics_off_first(void **state)
{
	struct segur_ledger *l;
	char		 dir[] = "/tmp/segur-test-process-XXXXXX", path[64];

	(void)state;
	assert_int_equal(segur_ledger_process_init(), 0);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ledger.db", dir);
	assert_int_equal(segur_ledger_open(path, SEGUR_LEDGER_CREATE, &l,
	    NULL), 0);
	assert_int_equal(segur_ledger_software_add(l, "2023000042",
	    "38042372300028", "Logiciel", 0, NULL), 0);
	/* SQLite allocated, and counted none of it. */
	assert_int_equal(sqlite3_memory_used(), 0);
	assert_int_equal(segur_ledger_process_init(), SEGUR_ESTATE);
	segur_ledger_close(l);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_ledger_process_init_turns_statistics_off_first),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
