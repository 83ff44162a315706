/*
 * test-ledger-file.c: built files closed without an answer
 * (lib/ledger/ledger-file.c): refused whole at upload or cancelled, for
 * advance and balance files; what stays refused (an answered file, a
 * closed one, a zip, an unknown name) writes nothing; the list of files
 * with their states and counts; audit verify's replay of closures and
 * anomalies written as v1 events (schema 11).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "helper-json.h"
#include "helper-ledger.h"
#include "ledger/ledger-int.h"
#include "segur/audit.h"
#include "segur/anomaly.h"
#include "segur/build.h"
#include "segur/error.h"
#include "segur/ingest.h"
#include "segur/ledger.h"
#include "segur/solde.h"
#include "segur/util.h"
#include "segur/validate.h"

#define F1	"JSON-2023000042-20231002-001.json"
#define F2	"JSON-2023000042-20231002-002.json"
#define S1	"JSON-SOLDE-2023000042-20240301-001.json"
#define S2	"JSON-SOLDE-2023000042-20240301-002.json"
#define S3	"JSON-SOLDE-2023000042-20240301-003.json"
#define ASP	"MS1-DUI-2023-0001872"

struct fixture {
	char			*dir;
	char			*out;
	char			*archive;
	char			*quarantine;
	struct segur_ledger	*l;
};

static int
setup(void **state)
{
	struct fixture	*f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->dir = helper_tmpdir("test-ledger-file");
	f->out = helper_path(f->dir, "out");
	f->archive = helper_path(f->dir, "archive");
	f->quarantine = helper_path(f->dir, "quarantine");
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
	free(f->quarantine);
	helper_tmpdir_free(f->dir);
	free(f);
	return (0);
}

/* Builds what is ready, of kind on day; returns the number of requests. */
static size_t
build(struct fixture *f, enum segur_file_kind kind, const char *day)
{
	struct segur_build_opts	 o;
	struct segur_build_result r;
	char			*cause = NULL;
	size_t			 n;

	memset(&o, 0, sizeof(o));
	o.kind = kind;
	o.day = day;
	o.outdir = f->out;
	o.archive_dir = f->archive;
	if (segur_build_run(f->l, &o, &r, &cause) != 0)
		fail_msg("build: %s", cause);
	n = r.nrequests;
	segur_build_result_release(&r);
	return (n);
}

/* Ingests the bytes text as dir/leaf. */
static void
ingest_text(struct fixture *f, const char *leaf, const char *text,
    size_t len, enum segur_ingest_status want)
{
	struct segur_ingest_opts io;
	struct segur_ingest_result ir;
	char			*path = helper_path(f->dir, leaf);

	assert_int_equal(segur_write_file_atomic(path, text, len, 0600, NULL),
	    0);
	memset(&io, 0, sizeof(io));
	io.archive_dir = f->archive;
	io.quarantine_dir = f->quarantine;
	assert_int_equal(segur_ingest_file(f->l, path, &io, &ir, NULL), 0);
	assert_int_equal(ir.status, want);
	segur_ingest_result_release(&ir);
	free(path);
}

/* Ingests the guide's answer to F1 (BC-1 accepted, BC-2 rejected). */
static void
ingest_example_answer(struct fixture *f)
{
	char	*text;
	size_t	 len;

	text = helper_read_data("JSON-2023000042-20231002-001.retour.json",
	    &len);
	ingest_text(f, "retour.json", text, len, SEGUR_INGEST_RECORDED);
	free(text);
}

/* The state of request ref. */
static enum segur_state
state_of(struct fixture *f, const char *ref)
{
	enum segur_state s;
	int64_t		 id;

	assert_int_equal(segur__request_find(f->l, ref, &id, &s, NULL), 0);
	return (s);
}

static void
assert_chain_whole(struct fixture *f)
{
	struct segur_audit a;

	assert_int_equal(segur_ledger_audit_verify(f->l, &a, NULL), 0);
	assert_int_equal(a.bad_id, 0);
	segur_audit_release(&a);
}

/* The path of test-build: BC-1 accepted, granted, paid, delivered. */
static void
advance_paid_and_delivered(struct fixture *f)
{
	struct segur_record	 rec;
	struct segur_delivery	 d;
	char			*fac, *pv;

	ingest_example_answer(f);
	memset(&rec, 0, sizeof(rec));
	rec.date = "2023-11-02";
	rec.amount_cents = 486667;
	assert_int_equal(segur_ledger_record(f->l, SEGUR_RECORD_GRANT, ASP,
	    &rec, NULL), 0);
	rec.date = "2023-12-29";
	rec.amount_cents = 146000;
	assert_int_equal(segur_ledger_record(f->l, SEGUR_RECORD_ADVANCE_PAID,
	    ASP, &rec, NULL), 0);
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
	assert_int_equal(segur_solde_deliver(f->l, ASP, &d, NULL), 0);
	free(fac);
	free(pv);
}

/* Rejected -> ready the way resubmit's promote does, without the
 * validator (the reference data is not this test's subject). */
static void
resubmit(struct fixture *f, const char *ref)
{
	enum segur_state s;
	int64_t		 id;

	assert_int_equal(segur_ledger_begin(f->l, NULL), 0);
	assert_int_equal(segur__request_find(f->l, ref, &id, &s, NULL), 0);
	assert_int_equal(s, SEGUR_STATE_REJECTED);
	assert_int_equal(segur__request_transition(f->l, id, ref, s,
	    SEGUR_STATE_READY, NULL, NULL), 0);
	assert_int_equal(segur_ledger_commit(f->l, NULL), 0);
}

static void
test_ledger_file_refuse_advance_file(void **state)
{
	struct fixture	*f = *state;
	struct segur_file_closed c;
	struct segur_report rep;
	char		*s, *cause = NULL;
	int		 promoted = 0;

	assert_int_equal(build(f, SEGUR_FILE_SUBMISSION, "20231002"), 2);
	/* In flight, a request is not resubmitted (promote's own edges). */
	memset(&rep, 0, sizeof(rep));
	assert_int_equal(segur_ledger_request_promote(f->l, "BC-1", &rep,
	    &promoted, NULL), SEGUR_ESTATE);
	segur_report_release(&rep);

	assert_int_equal(segur_ledger_file_refuse(f->l, F1,
	    "Fichier non conforme : « structure »", &c, &cause), 0);
	assert_null(cause);
	assert_int_equal(c.kind, SEGUR_FILE_SUBMISSION);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.v[0].ref, "BC-1");
	assert_int_equal(c.v[0].state, SEGUR_STATE_REJECTED);
	assert_string_equal(c.v[1].ref, "BC-2");
	segur_file_closed_release(&c);
	assert_int_equal(state_of(f, "BC-1"), SEGUR_STATE_REJECTED);
	assert_int_equal(state_of(f, "BC-2"), SEGUR_STATE_REJECTED);
	/* The attempts closed as rejected, the reason verbatim as label. */
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM attempt "
	    "WHERE outcome = 'rejected' AND code_traitement IS NULL AND "
	    "libelle_traitement = 'Fichier non conforme : « structure »' AND "
	    "answered_at IS NOT NULL"), 2);
	s = helper_text(f->l, "SELECT json_extract(after, '$.reason') FROM "
	    "event WHERE action = 'file.refuse' AND entity_key = '" F1 "'");
	assert_non_null(s);
	assert_string_equal(s, "Fichier non conforme : « structure »");
	free(s);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM event WHERE "
	    "action = 'request.state' AND json_extract(after, "
	    "'$.detail.file') = '" F1 "'"), 2);

	/* Resubmitted: new numbers, a new rank; 00001 and 00002 stay burnt. */
	resubmit(f, "BC-1");
	resubmit(f, "BC-2");
	assert_int_equal(build(f, SEGUR_FILE_SUBMISSION, "20231002"), 2);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM attempt a "
	    "JOIN file f ON f.id = a.file_id WHERE f.name = '" F2 "' AND "
	    "a.numero_editeur IN ('00003', '00004')"), 2);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM attempt "
	    "WHERE numero_editeur IN ('00001', '00002')"), 2);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM request "
	    "WHERE state = 'submitted'"), 2);
	assert_chain_whole(f);
}

static void
test_ledger_file_cancel_advance_file(void **state)
{
	struct fixture	*f = *state;
	struct segur_file_closed c;
	char		 ne[6];

	assert_int_equal(build(f, SEGUR_FILE_SUBMISSION, "20231002"), 2);
	assert_int_equal(segur_ledger_file_cancel(f->l, F1, "jamais déposé",
	    &c, NULL), 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.v[1].state, SEGUR_STATE_READY);
	segur_file_closed_release(&c);
	assert_int_equal(state_of(f, "BC-1"), SEGUR_STATE_READY);
	assert_int_equal(state_of(f, "BC-2"), SEGUR_STATE_READY);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM attempt "
	    "WHERE outcome = 'cancelled' AND libelle_traitement IS NULL"), 2);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM "
	    "file_closure WHERE state = 'cancelled' AND reason = "
	    "'jamais déposé'"), 1);
	/* The numbers are burnt: the allocator goes on after them. */
	assert_int_equal(segur_ledger_numero_editeur_used(f->l, "00001"), 1);
	assert_int_equal(build(f, SEGUR_FILE_SUBMISSION, "20231002"), 2);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM attempt a "
	    "JOIN file f ON f.id = a.file_id WHERE f.name = '" F2 "' AND "
	    "a.numero_editeur IN ('00003', '00004')"), 2);
	assert_int_equal(segur_ledger_alloc_numero_editeur(f->l, ne, NULL), 0);
	assert_string_equal(ne, "00005");
	assert_chain_whole(f);
}

static void
test_ledger_file_close_refused_writes_nothing(void **state)
{
	struct fixture	*f = *state;
	struct segur_file_closed c;
	char		*cause = NULL;
	int64_t		 events;

	assert_int_equal(build(f, SEGUR_FILE_SUBMISSION, "20231002"), 2);
	events = helper_count(f->l, "SELECT count(*) FROM event");
	assert_int_equal(segur_ledger_file_refuse(f->l, F1, " \t", &c, &cause),
	    SEGUR_EINVAL);
	assert_non_null(strstr(cause, "motif"));
	free(cause);
	cause = NULL;
	assert_int_equal(segur_ledger_file_cancel(f->l, "JSON-nope.json", "x",
	    &c, &cause), SEGUR_ENOENT);
	assert_non_null(strstr(cause, "JSON-nope.json"));
	free(cause);
	cause = NULL;
	assert_int_equal(segur_ledger_file_refuse(f->l,
	    "PJ-2023000042-20231002-001-1.zip", "x", &c, &cause),
	    SEGUR_EINVAL);
	assert_non_null(strstr(cause, "documents"));
	free(cause);
	cause = NULL;
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM event"),
	    events);

	/* Answered: neither refused nor cancelled. */
	ingest_example_answer(f);
	events = helper_count(f->l, "SELECT count(*) FROM event");
	assert_int_equal(segur_ledger_file_refuse(f->l, F1, "x", &c, &cause),
	    SEGUR_ESTATE);
	assert_non_null(strstr(cause, "avec réponse"));
	free(cause);
	cause = NULL;
	assert_int_equal(segur_ledger_file_cancel(f->l, F1, "x", &c, NULL),
	    SEGUR_ESTATE);
	assert_int_equal(c.n, 0);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM event"),
	    events);
	assert_int_equal(state_of(f, "BC-1"), SEGUR_STATE_ACCEPTED);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM "
	    "file_closure"), 0);
}

static void
test_ledger_file_closed_once(void **state)
{
	struct fixture	*f = *state;
	char		*cause = NULL;

	assert_int_equal(build(f, SEGUR_FILE_SUBMISSION, "20231002"), 2);
	assert_int_equal(segur_ledger_file_cancel(f->l, F1, "doublon", NULL,
	    NULL), 0);
	assert_int_equal(segur_ledger_file_refuse(f->l, F1, "x", NULL,
	    &cause), SEGUR_ESTATE);
	assert_non_null(strstr(cause, "annulé (motif : doublon)"));
	free(cause);
	/* The closure is final, even for a hand on the database. */
	assert_int_not_equal(segur__exec(f->l, "DELETE FROM file_closure",
	    NULL), 0);
}

static void
test_ledger_file_solde_cancel_then_refuse(void **state)
{
	struct fixture	*f = *state;
	struct segur_file_closed c;

	assert_int_equal(build(f, SEGUR_FILE_SUBMISSION, "20231002"), 2);
	advance_paid_and_delivered(f);
	assert_int_equal(build(f, SEGUR_FILE_SOLDE, "20240301"), 1);
	assert_int_equal(state_of(f, "BC-1"), SEGUR_STATE_BALANCE_REQUESTED);

	/* Cancelled: back where solde build found it, the line cancelled. */
	assert_int_equal(segur_ledger_file_cancel(f->l, S1, "erreur de lot",
	    &c, NULL), 0);
	assert_int_equal(c.kind, SEGUR_FILE_SOLDE);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.v[0].state, SEGUR_STATE_ADVANCE_PAID);
	segur_file_closed_release(&c);
	assert_int_equal(state_of(f, "BC-1"), SEGUR_STATE_ADVANCE_PAID);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM solde_line "
	    "WHERE outcome = 'cancelled'"), 1);

	/* Built again (a new rank), then refused at upload. */
	assert_int_equal(build(f, SEGUR_FILE_SOLDE, "20240301"), 1);
	assert_int_equal(segur_ledger_file_refuse(f->l, S2, "structure "
	    "invalide", &c, NULL), 0);
	assert_int_equal(c.v[0].state, SEGUR_STATE_BALANCE_REJECTED);
	segur_file_closed_release(&c);
	assert_int_equal(state_of(f, "BC-1"), SEGUR_STATE_BALANCE_REJECTED);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM solde_line "
	    "WHERE outcome = 'rejected' AND libelle_traitement = 'structure "
	    "invalide'"), 1);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM decision "
	    "WHERE kind = 'balance_rejected' AND note = 'structure "
	    "invalide'"), 1);

	/* Ready for a new balance request without a new delivery; cancelling
	 * that one brings it back to balance_rejected. */
	assert_int_equal(build(f, SEGUR_FILE_SOLDE, "20240301"), 1);
	assert_int_equal(segur_ledger_file_cancel(f->l, S3, "pas déposé",
	    &c, NULL), 0);
	assert_int_equal(c.v[0].state, SEGUR_STATE_BALANCE_REJECTED);
	segur_file_closed_release(&c);
	assert_int_equal(build(f, SEGUR_FILE_SOLDE, "20240301"), 1);
	assert_int_equal(helper_count(f->l, "SELECT last FROM solde_rank"), 4);
	assert_chain_whole(f);
}

/* Collects the rows of the list as "name state lines/acc/rej/pend/canc". */
static int
collect(void *arg, const struct segur_file_row *r)
{
	struct segur_buf *b = arg;

	assert_int_equal(segur_buf_addf(b, "%s %s %s %s %lld/%lld/%lld/%lld/"
	    "%lld %s %s\n", r->name, r->kind != NULL ? r->kind : "-",
	    r->direction, segur_file_state_name(r->state),
	    (long long)r->lines, (long long)r->accepted,
	    (long long)r->rejected, (long long)r->pending,
	    (long long)r->cancelled, r->parent != NULL ? r->parent : "-",
	    r->reason != NULL ? r->reason : "-"), 0);
	return (0);
}

static void
test_ledger_file_list_states(void **state)
{
	struct fixture	*f = *state;
	struct segur_buf b = SEGUR_BUF_INIT;

	assert_int_equal(build(f, SEGUR_FILE_SUBMISSION, "20231002"), 2);
	ingest_example_answer(f);
	ingest_text(f, "garbage.json", "not json", 8,
	    SEGUR_INGEST_QUARANTINED);
	/* BC-2 was rejected: resubmitted, built, refused; built, cancelled;
	 * built again. */
	resubmit(f, "BC-2");
	assert_int_equal(build(f, SEGUR_FILE_SUBMISSION, "20231002"), 1);
	assert_int_equal(segur_ledger_file_refuse(f->l, F2, "illisible",
	    NULL, NULL), 0);
	resubmit(f, "BC-2");
	assert_int_equal(build(f, SEGUR_FILE_SUBMISSION, "20231002"), 1);
	assert_int_equal(segur_ledger_file_cancel(f->l,
	    "JSON-2023000042-20231002-003.json", "oubli", NULL, NULL), 0);
	assert_int_equal(build(f, SEGUR_FILE_SUBMISSION, "20231002"), 1);

	{
		char *cause = NULL;
		if (segur_ledger_file_list(f->l, collect, &b, &cause) != 0)
			fail_msg("list: %s", cause);
	}
	assert_int_equal(segur_buf_adds(&b, ""), 0);
	/* Each state, the counts of each kind, a zip with its JSON file. */
	assert_non_null(strstr(b.data, F1 " submission out answered "
	    "2/1/1/0/0 - -\n"));
	assert_non_null(strstr(b.data, "PJ-2023000042-20231002-001-1.zip "
	    "documents out answered 3/-1/-1/-1/-1 " F1 " -\n"));
	assert_non_null(strstr(b.data, "retour.json returned in ingested "
	    "2/1/1/0/0 " F1 " -\n"));
	assert_non_null(strstr(b.data, F2 " submission out refused 1/0/1/0/0 "
	    "- illisible\n"));
	assert_non_null(strstr(b.data, "PJ-2023000042-20231002-002-1.zip "
	    "documents out refused 2/-1/-1/-1/-1 " F2 " illisible\n"));
	assert_non_null(strstr(b.data, "JSON-2023000042-20231002-003.json "
	    "submission out cancelled 1/0/0/0/1 - oubli\n"));
	assert_non_null(strstr(b.data, "JSON-2023000042-20231002-004.json "
	    "submission out built 1/0/0/1/0 - -\n"));
	assert_non_null(strstr(b.data, "garbage.json - in quarantined "
	    "-1/-1/-1/-1/-1 - le fichier n'est pas du JSON"));
	/* Oldest first. */
	assert_true(strstr(b.data, F2) < strstr(b.data,
	    "JSON-2023000042-20231002-004.json"));
	segur_buf_release(&b);
}

/* Collects "table.key.column;" of each difference (replay findings). */
static int
replay_collect(void *arg, const struct segur_audit_finding *fd)
{
	struct segur_buf *b = arg;

	if (fd->kind == SEGUR_AUDIT_UNKNOWN)
		assert_true(0);
	if (fd->kind == SEGUR_AUDIT_UNPROVED)
		return (segur_buf_addf(b, "?%s.%s;", fd->table, fd->column));
	return (segur_buf_addf(b, "%s.%s.%s;", fd->table, fd->key != NULL ?
	    fd->key : "", fd->column != NULL ? fd->column : ""));
}

/*
 * A ledger at schema 11 writes v1 events: a file refused, the requests
 * built again and that file cancelled, an answer to the refused file
 * (anomalies), one resolved. Migrated to v2, the replay finds the
 * closures, the attempts rejected or cancelled and the anomaly's
 * resolution as the tables hold them; only what v1 events never carry is
 * unproved; hand edits of each are caught.
 */
static void
test_ledger_file_replay_v1_closures(void **state)
{
	struct fixture	*f = *state;
	struct segur_replay_report rep;
	struct segur_buf b = SEGUR_BUF_INIT;
	struct segur_ingest_opts io;
	struct segur_ingest_result ir;
	sqlite3		*db;
	char		*path, *text, *cause = NULL;
	size_t		 len;

	segur_ledger_close(f->l);
	path = helper_path(f->dir, "v1.db");
	assert_int_equal(segur__ledger_open_raw(path, &f->l, NULL), 0);
	assert_int_equal(segur__ledger_migrate(f->l, 11, NULL), 0);
	assert_int_equal(segur_ledger_software_add(f->l, HELPER_ANS,
	    HELPER_SIRET, "test", 0x1ff, NULL), 0);
	helper_example_ready(f->l, f->dir);
	assert_int_equal(build(f, SEGUR_FILE_SUBMISSION, "20231002"), 2);
	assert_int_equal(segur_ledger_file_refuse(f->l, F1, "illisible", NULL,
	    NULL), 0);
	resubmit(f, "BC-1");
	resubmit(f, "BC-2");
	assert_int_equal(build(f, SEGUR_FILE_SUBMISSION, "20231002"), 2);
	assert_int_equal(segur_ledger_file_cancel(f->l, F2, "jamais déposé",
	    NULL, NULL), 0);
	/* ASP answers the refused file after all: contrary answers. */
	text = helper_read_data("JSON-2023000042-20231002-001.retour.json",
	    &len);
	free(path);
	path = helper_path(f->dir, "retour.json");
	assert_int_equal(segur_write_file_atomic(path, text, len, 0600, NULL),
	    0);
	free(text);
	memset(&io, 0, sizeof(io));
	io.archive_dir = f->archive;
	io.quarantine_dir = f->quarantine;
	assert_int_equal(segur_ingest_file(f->l, path, &io, &ir, &cause), 0);
	segur_ingest_result_release(&ir);
	free(path);
	assert_true(helper_count(f->l, "SELECT count(*) FROM anomaly") > 0);
	assert_int_equal(segur_anomaly_resolve(f->l, 1, "vu avec l'ASP",
	    NULL), 0);
	/* Every event so far is v1: the log has no column v yet. */
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM "
	    "pragma_table_info('event') WHERE name = 'v'"), 0);
	assert_int_equal(segur__ledger_migrate(f->l,
	    SEGUR_LEDGER_SCHEMA_VERSION, NULL), 0);

	assert_int_equal(segur_audit_replay(f->l, replay_collect, &b, &rep,
	    &cause), 0);
	assert_int_equal(segur_buf_adds(&b, ""), 0);
	assert_int_equal(rep.findings, 0);
	/* Proved from v1: closures, attempts closed, the resolution. */
	assert_null(strstr(b.data, "?file_closure."));
	assert_null(strstr(b.data, "?attempt.outcome;"));
	assert_null(strstr(b.data, "?attempt.libelle_traitement;"));
	assert_null(strstr(b.data, "?anomaly.resolved"));
	assert_null(strstr(b.data, "?anomaly.request_id;"));
	assert_null(strstr(b.data, "?anomaly.line_index;"));
	/* What ASP returned is in no v1 event. */
	assert_non_null(strstr(b.data, "?anomaly.returned;"));

	b.len = 0;
	path = helper_path(f->dir, "v1.db");
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DROP TRIGGER file_closure_no_update;"
	    "UPDATE file_closure SET reason = 'autre' WHERE state = 'refused';"
	    "UPDATE attempt SET outcome = 'pending', answered_at = NULL "
	    "WHERE outcome = 'cancelled' AND request_id = 1;"
	    "UPDATE anomaly SET resolution_note = 'rien' WHERE id = 1;"
	    "UPDATE anomaly SET resolved_at = '2026-12-01T10:00:00Z' "
	    "WHERE id = 2", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	free(path);
	assert_int_equal(segur_audit_replay(f->l, replay_collect, &b, &rep,
	    NULL), 0);
	assert_int_equal(segur_buf_adds(&b, ""), 0);
	assert_non_null(strstr(b.data, "file_closure.1.reason;"));
	assert_non_null(strstr(b.data, "attempt.1/2.outcome;"));
	assert_non_null(strstr(b.data, "anomaly.1.resolution_note;"));
	assert_non_null(strstr(b.data, "anomaly.2.resolved;"));
	assert_int_equal(rep.findings, 4);
	segur_buf_release(&b);
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_ledger_file_refuse_advance_file, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_file_cancel_advance_file, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_file_close_refused_writes_nothing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_ledger_file_closed_once,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_file_solde_cancel_then_refuse, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_ledger_file_list_states,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ledger_file_replay_v1_closures, setup, teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
