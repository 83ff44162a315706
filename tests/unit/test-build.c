/*
 * test-build.c: the build driver (lib/files/build.c) called directly, for
 * an advance batch and a balance batch: files written and recorded,
 * numbers and ranks allocated, requests moved on, every crash point
 * reached in order; a dry run allocates nothing.
 */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "helper-json.h"
#include "helper-ledger.h"
#include "segur/build.h"
#include "segur/error.h"
#include "segur/ingest.h"
#include "segur/ledger.h"
#include "segur/solde.h"
#include "segur/util.h"

struct fixture {
	char			*dir;
	char			*out;		/* dir/out */
	char			*archive;	/* dir/archive */
	struct segur_ledger	*l;
	int			 points[8];	/* crash points reached */
	size_t			 npoints;
};

/* The crash hook of the tests: notes the point and goes on. */
static void
note_point(void *arg, int point)
{
	struct fixture	*f = arg;

	assert_true(f->npoints < 8);
	f->points[f->npoints++] = point;
}

static int
setup(void **state)
{
	struct fixture	*f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->dir = helper_tmpdir("test-build");
	f->out = helper_path(f->dir, "out");
	f->archive = helper_path(f->dir, "archive");
	f->l = helper_ledger_new(f->dir, 1);
	helper_example_ready(f->l, f->dir);
	*state = f;
	return (0);
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	segur_ledger_close(f->l);
	free(f->out);
	free(f->archive);
	helper_tmpdir_free(f->dir);
	free(f);
	return (0);
}

static void
opts_init(struct fixture *f, struct segur_build_opts *o,
    enum segur_file_kind kind, const char *day)
{
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->day = day;
	o->outdir = f->out;
	o->archive_dir = f->archive;
	o->crash_point = note_point;
	o->crash_arg = f;
}

/* Asserts that the build's files are in the folder, none temporary. */
static void
assert_files_in_place(const struct segur_build_result *r)
{
	struct stat	 st;
	size_t		 i;

	for (i = 0; i < r->nfiles; i++) {
		assert_int_equal(stat(r->files[i].path, &st), 0);
		assert_int_equal((uint64_t)st.st_size, r->files[i].size);
		assert_int_equal(strlen(r->files[i].sha256), 64);
	}
}

static void
test_build_advance_batch(void **state)
{
	struct fixture		*f = *state;
	struct segur_build_opts	 o;
	struct segur_build_result r;
	char			*want, *got, *path;
	size_t			 wlen, glen;

	opts_init(f, &o, SEGUR_FILE_SUBMISSION, "20231002");
	assert_int_equal(segur_build_run(f->l, &o, &r, NULL), 0);
	assert_int_equal(r.nrequests, 2);
	assert_int_equal(r.nskipped, 0);
	assert_int_equal(r.nfiles, 2);
	assert_string_equal(r.files[0].name,
	    "JSON-2023000042-20231002-001.json");
	assert_int_equal(r.files[0].kind, SEGUR_FILE_SUBMISSION);
	assert_int_equal(r.files[0].count, 2);
	assert_string_equal(r.files[1].name,
	    "PJ-2023000042-20231002-001-1.zip");
	assert_int_equal(r.files[1].kind, SEGUR_FILE_DOCUMENTS);
	assert_int_equal(r.files[1].count, 3);
	assert_files_in_place(&r);
	/* The guide's example, byte for byte: numbers 00001 and 00002. */
	want = helper_read_data("JSON-2023000042-20231002-001.json", &wlen);
	path = helper_path(f->out, "JSON-2023000042-20231002-001.json");
	assert_int_equal(segur_read_file(path, 1 << 20, &got, &glen, NULL), 0);
	assert_int_equal(glen, wlen);
	assert_memory_equal(got, want, wlen);
	free(want);
	free(got);
	free(path);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM request "
	    "WHERE state = 'submitted'"), 2);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM attempt "
	    "WHERE file_id IS NOT NULL"), 2);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM "
	    "attempt_document"), 3);
	assert_int_equal(helper_count(f->l, "SELECT last FROM file_rank"), 1);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM file WHERE "
	    "direction = 'out'"), 2);
	/* Every crash point, in order, the fourth after the first rename. */
	assert_int_equal(f->npoints, 4);
	assert_int_equal(f->points[0], 1);
	assert_int_equal(f->points[1], 2);
	assert_int_equal(f->points[2], 3);
	assert_int_equal(f->points[3], 4);
	segur_build_result_release(&r);
	/* Nothing ready any more: the next build is empty, its rank unused. */
	f->npoints = 0;
	assert_int_equal(segur_build_run(f->l, &o, &r, NULL), 0);
	assert_int_equal(r.nrequests, 0);
	assert_int_equal(r.nfiles, 0);
	segur_build_result_release(&r);
	assert_int_equal(helper_count(f->l, "SELECT last FROM file_rank"), 1);
}

static void
test_build_dry_run_allocates_nothing(void **state)
{
	struct fixture		*f = *state;
	struct segur_build_opts	 o;
	struct segur_build_result r;
	struct stat		 st;

	opts_init(f, &o, SEGUR_FILE_SUBMISSION, "20231002");
	o.dry_run = 1;
	o.max_lines = 1;
	assert_int_equal(segur_build_run(f->l, &o, &r, NULL), 0);
	assert_int_equal(r.nrequests, 2);
	assert_int_equal(r.nfiles, 2);
	assert_string_equal(r.files[1].name,
	    "JSON-2023000042-20231002-002.json");
	assert_int_equal(r.files[1].count, 1);
	segur_build_result_release(&r);
	assert_int_equal(stat(f->out, &st), -1);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM attempt"),
	    0);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM request "
	    "WHERE state = 'ready'"), 2);
	assert_int_equal(f->npoints, 1);
}

static void
test_build_document_missing_keeps_request_out(void **state)
{
	struct fixture		*f = *state;
	struct segur_build_opts	 o;
	struct segur_build_result r;
	char			*ht = helper_path(f->dir, "ht.png");

	assert_int_equal(unlink(ht), 0);
	free(ht);
	opts_init(f, &o, SEGUR_FILE_SUBMISSION, "20231002");
	assert_int_equal(segur_build_run(f->l, &o, &r, NULL), 0);
	assert_int_equal(r.nrequests, 1);
	assert_int_equal(r.nskipped, 1);
	assert_string_equal(r.skipped[0].ref, "BC-2");
	assert_non_null(r.skipped[0].reason);
	segur_build_result_release(&r);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM request "
	    "WHERE ref = 'BC-2' AND state = 'ready'"), 1);
}

/* Takes BC-1 from submitted to advance_paid and records its delivery. */
static void
advance_paid_and_delivered(struct fixture *f)
{
	struct segur_ingest_opts io;
	struct segur_ingest_result ir;
	struct segur_record	 rec;
	struct segur_delivery	 d;
	char			*ret, *qdir, *fac, *pv;

	ret = helper_path(f->dir, "retour.json");
	qdir = helper_path(f->dir, "quarantine");
	{
		char	*text;
		size_t	 len;

		text = helper_read_data(
		    "JSON-2023000042-20231002-001.retour.json", &len);
		assert_int_equal(segur_write_file_atomic(ret, text, len, 0600,
		    NULL), 0);
		free(text);
	}
	memset(&io, 0, sizeof(io));
	io.archive_dir = f->archive;
	io.quarantine_dir = qdir;
	assert_int_equal(segur_ingest_file(f->l, ret, &io, &ir, NULL), 0);
	assert_int_equal(ir.naccepted, 1);
	segur_ingest_result_release(&ir);
	memset(&rec, 0, sizeof(rec));
	rec.date = "2023-11-02";
	rec.amount_cents = 486667;
	assert_int_equal(segur_ledger_record(f->l, SEGUR_RECORD_GRANT,
	    "MS1-DUI-2023-0001872", &rec, NULL), 0);
	rec.date = "2023-12-29";
	rec.amount_cents = 146000;
	assert_int_equal(segur_ledger_record(f->l, SEGUR_RECORD_ADVANCE_PAID,
	    "MS1-DUI-2023-0001872", &rec, NULL), 0);
	fac = helper_path(f->dir, "facture.pdf");
	pv = helper_path(f->dir, "pv.jpg");
	assert_int_equal(segur_write_file_atomic(fac, "%PDF-1.4 F-1\n%%EOF\n",
	    19, 0600, NULL), 0);
	assert_int_equal(segur_write_file_atomic(pv, "\xff\xd8\xff\xe0\0\x10"
	    "JFIF\0", 11, 0600, NULL), 0);
	memset(&d, 0, sizeof(d));
	d.date = "2024-03-01";
	d.invoice = "F-1";
	d.invoice_date = "2024-03-02";
	d.invoice_cents = 486667;
	d.facture_path = fac;
	d.pv_path = pv;
	assert_int_equal(segur_solde_deliver(f->l, "MS1-DUI-2023-0001872", &d,
	    NULL), 0);
	free(ret);
	free(qdir);
	free(fac);
	free(pv);
}

static void
test_build_solde_batch(void **state)
{
	struct fixture		*f = *state;
	struct segur_build_opts	 o;
	struct segur_build_result r;

	opts_init(f, &o, SEGUR_FILE_SUBMISSION, "20231002");
	o.crash_point = NULL;
	assert_int_equal(segur_build_run(f->l, &o, &r, NULL), 0);
	segur_build_result_release(&r);
	advance_paid_and_delivered(f);
	opts_init(f, &o, SEGUR_FILE_SOLDE, "20240301");
	assert_int_equal(segur_build_run(f->l, &o, &r, NULL), 0);
	assert_int_equal(r.nrequests, 1);
	assert_int_equal(r.nfiles, 2);
	assert_string_equal(r.files[0].name,
	    "JSON-SOLDE-2023000042-20240301-001.json");
	assert_int_equal(r.files[0].kind, SEGUR_FILE_SOLDE);
	assert_string_equal(r.files[1].name,
	    "PJ-SOLDE-2023000042-20240301-001-1.zip");
	assert_int_equal(r.files[1].kind, SEGUR_FILE_DOCUMENTS);
	assert_int_equal(r.files[1].count, 2);
	assert_files_in_place(&r);
	segur_build_result_release(&r);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM request "
	    "WHERE ref = 'BC-1' AND state = 'balance_requested'"), 1);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM solde_line "
	    "WHERE montant_solde_cents = 486667 - 146000"), 1);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM "
	    "solde_document"), 2);
	assert_int_equal(helper_count(f->l, "SELECT last FROM solde_rank"), 1);
	/* The advances' sequence of the day is not the balances'. */
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM file_rank "
	    "WHERE day = '20240301'"), 0);
	assert_int_equal(f->npoints, 4);
	assert_int_equal(f->points[3], 4);
}

static void
test_build_solde_bad_template_does_nothing(void **state)
{
	struct fixture		*f = *state;
	struct segur_build_opts	 o;
	struct segur_build_result r;
	char			*cause = NULL;

	opts_init(f, &o, SEGUR_FILE_SOLDE, "20240301");
	o.tmpl = "{ \"lignesImport\": [ {{nope}} ] }";
	o.tmpl_len = strlen(o.tmpl);
	assert_int_equal(segur_build_run(f->l, &o, &r, &cause), SEGUR_EINVAL);
	assert_non_null(cause);
	assert_memory_equal(cause, "modèle", strlen("modèle"));
	free(cause);
	segur_build_result_release(&r);
	assert_int_equal(f->npoints, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_build_advance_batch,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_build_dry_run_allocates_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_build_document_missing_keeps_request_out, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_build_solde_batch,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_build_solde_bad_template_does_nothing, setup,
		    teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
