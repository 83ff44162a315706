/*
 * test-adopt.c: segur_adopt_file() called directly on the guide's example,
 * a file sent before the ledger: each line a submitted request with its
 * numeroEditeur recorded as used, the file's rank of the day reserved,
 * the documents found registered; refused whole when already adopted,
 * when it carries ASP's answers, or for an unknown software.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helper-json.h"
#include "helper-ledger.h"
#include "segur/adopt.h"
#include "segur/build.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#define EXAMPLE		"JSON-2023000042-20231002-001.json"

struct fixture {
	char			*dir;
	char			*docs;		/* dir/docs */
	struct segur_ledger	*l;
	struct segur_adopt_opts	 o;
};

static int
setup(void **state)
{
	struct fixture	*f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->dir = helper_tmpdir("test-adopt");
	f->docs = helper_path(f->dir, "docs");
	assert_int_equal(segur_mkdir_p(f->docs, NULL), 0);
	f->l = helper_ledger_new(f->dir, 1);
	f->o.archive_dir = helper_path(f->dir, "archive");
	f->o.documents_dir = f->docs;
	*state = f;
	return (0);
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	segur_ledger_close(f->l);
	free((char *)f->o.archive_dir);
	free(f->docs);
	helper_tmpdir_free(f->dir);
	free(f);
	return (0);
}

/* Copies the data file name into dir under its own name. */
static char *
put_data(const char *dir, const char *name)
{
	char	*text, *p = helper_path(dir, name);
	size_t	 len;

	text = helper_read_data(name, &len);
	assert_int_equal(segur_write_file_atomic(p, text, len, 0600, NULL), 0);
	free(text);
	return (p);
}

static void
test_adopt_example_recorded(void **state)
{
	struct fixture		*f = *state;
	struct segur_adopt_result r;
	char			*path, *bdc;
	int			 rank;

	/* The first line's order form is at hand, the second's is not. */
	bdc = helper_path(f->docs, "MS1-DUI-Va1-BDC-00001.pdf");
	assert_int_equal(segur_write_file_atomic(bdc, "%PDF-1.4\n%%EOF\n", 15,
	    0600, NULL), 0);
	free(bdc);
	path = put_data(f->dir, EXAMPLE);
	assert_int_equal(segur_adopt_file(f->l, path, &f->o, &r, NULL), 0);
	assert_string_equal(r.name, EXAMPLE);
	assert_string_equal(r.numero_ans, HELPER_ANS);
	assert_int_equal(r.nrefs, 2);
	assert_string_equal(r.refs[0], "NE-00001");
	assert_string_equal(r.refs[1], "NE-00002");
	assert_int_equal(r.nmissing, 1);
	segur_adopt_result_release(&r);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM request "
	    "WHERE state = 'submitted'"), 2);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM attempt a "
	    "JOIN file f ON f.id = a.file_id WHERE f.name = '" EXAMPLE "' AND "
	    "f.direction = 'out' AND f.kind = 'submission' AND a.outcome = "
	    "'pending'"), 2);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM "
	    "attempt_document"), 1);
	/* Rank 001 of that day is taken: the next one is 002. */
	assert_int_equal(segur_ledger_alloc_file_rank(f->l, HELPER_ANS,
	    "20231002", &rank, NULL), 0);
	assert_int_equal(rank, 2);
	free(path);
}

static void
test_adopt_refused_whole(void **state)
{
	struct fixture		*f = *state;
	struct segur_adopt_result r;
	char			*path, *answered, *cause = NULL;
	int64_t			 events;

	path = put_data(f->dir, EXAMPLE);
	assert_int_equal(segur_adopt_file(f->l, path, &f->o, &r, NULL), 0);
	segur_adopt_result_release(&r);
	events = helper_count(f->l, "SELECT count(*) FROM event");
	/* Twice: refused, nothing recorded. */
	assert_true(segur_adopt_file(f->l, path, &f->o, &r, &cause) < 0);
	assert_non_null(cause);
	free(cause);
	cause = NULL;
	assert_int_equal(r.nrefs, 0);
	segur_adopt_result_release(&r);
	/* ASP's answer is ingested, not adopted. */
	answered = put_data(f->dir,
	    "JSON-2023000042-20231002-001.retour.json");
	assert_true(segur_adopt_file(f->l, answered, &f->o, &r, &cause) < 0);
	assert_non_null(cause);
	free(cause);
	segur_adopt_result_release(&r);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM event"),
	    events);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM request"),
	    2);
	free(path);
	free(answered);
}

static void
test_adopt_unknown_software(void **state)
{
	struct fixture		*f = *state;
	struct segur_adopt_result r;
	struct segur_ledger	*l;
	char			*path, *sub, *cause = NULL;

	sub = helper_path(f->dir, "other");
	assert_int_equal(segur_mkdir_p(sub, NULL), 0);
	l = helper_ledger_new(sub, 0);
	path = put_data(f->dir, EXAMPLE);
	assert_int_equal(segur_adopt_file(l, path, &f->o, &r, &cause),
	    SEGUR_ENOENT);
	assert_non_null(strstr(cause, "inconnu"));
	free(cause);
	segur_adopt_result_release(&r);
	assert_int_equal(helper_count(l, "SELECT count(*) FROM request"), 0);
	segur_ledger_close(l);
	free(sub);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_adopt_example_recorded,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_adopt_refused_whole,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_adopt_unknown_software,
		    setup, teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
