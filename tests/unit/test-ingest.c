/*
 * test-ingest.c: segur_ingest_file() called directly on ASP's annotated
 * answer to the guide's example: the accepted and the rejected line
 * recorded, the crash points reached in order; the same file again changes
 * nothing; a malformed file is quarantined with its reason and nothing is
 * applied. The inbox races: a link or a FIFO swapped in between the
 * caller's check and the open (the before_open hook) is moved aside
 * unread; without move it is an error. One numeroASP on two lines
 * settles neither, and one already held stays with its holder; a file
 * that is not JSON says so.
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

#include <cjson/cJSON.h>

#include "helper-json.h"
#include "helper-ledger.h"
#include "segur/build.h"
#include "segur/error.h"
#include "segur/ingest.h"
#include "segur/ledger.h"
#include "segur/util.h"

struct fixture {
	char			*dir;
	char			*archive;	/* dir/archive */
	char			*quarantine;	/* dir/quarantine */
	struct segur_ledger	*l;
	struct segur_ingest_opts o;
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

/* The example built: BC-1 and BC-2 sent as 00001 and 00002. */
static int
setup(void **state)
{
	struct fixture		*f = calloc(1, sizeof(*f));
	struct segur_build_opts	 o;
	struct segur_build_result r;

	assert_non_null(f);
	f->dir = helper_tmpdir("test-ingest");
	f->archive = helper_path(f->dir, "archive");
	f->quarantine = helper_path(f->dir, "quarantine");
	f->l = helper_ledger_new(f->dir, 1);
	helper_example_ready(f->l, f->dir);
	memset(&o, 0, sizeof(o));
	o.day = "20231002";
	o.outdir = f->dir;
	o.archive_dir = f->archive;
	assert_int_equal(segur_build_run(f->l, &o, &r, NULL), 0);
	assert_int_equal(r.nrequests, 2);
	segur_build_result_release(&r);
	f->o.archive_dir = f->archive;
	f->o.quarantine_dir = f->quarantine;
	f->o.crash_point = note_point;
	f->o.crash_arg = f;
	*state = f;
	return (0);
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	segur_ledger_close(f->l);
	free(f->archive);
	free(f->quarantine);
	helper_tmpdir_free(f->dir);
	free(f);
	return (0);
}

/* Writes text as dir/name; returns the path (malloc'ed). */
static char *
put(struct fixture *f, const char *name, const char *text, size_t len)
{
	char	*p = helper_path(f->dir, name);

	assert_int_equal(segur_write_file_atomic(p, text, len, 0600, NULL), 0);
	return (p);
}

/* The example's answer, as dir/name. */
static char *
put_answer(struct fixture *f, const char *name)
{
	char	*text, *p;
	size_t	 len;

	text = helper_read_data("JSON-2023000042-20231002-001.retour.json",
	    &len);
	p = put(f, name, text, len);
	free(text);
	return (p);
}

/*
 * The example's answer with its lines keep[] only (-1 ends), line 1 (BC-2)
 * accepted with the numeroASP of line 0 when dup, as dir/name.
 */
static char *
put_answer_edited(struct fixture *f, const char *name, const int *keep,
    int dup)
{
	cJSON	*root, *lines, *out, *l1;
	char	*text, *p;
	int	 i;

	text = helper_read_data("JSON-2023000042-20231002-001.retour.json",
	    NULL);
	assert_non_null(root = cJSON_Parse(text));
	free(text);
	lines = cJSON_GetObjectItem(root, "lignesImport");
	l1 = cJSON_GetArrayItem(lines, 1);
	if (dup) {
		cJSON_ReplaceItemInObject(l1, "numeroASP",
		    cJSON_CreateString("MS1-DUI-2023-0001872"));
		cJSON_ReplaceItemInObject(l1, "codeTraitement",
		    cJSON_CreateString("0"));
		cJSON_ReplaceItemInObject(l1, "libelleTraitement",
		    cJSON_CreateString("Demande acceptée"));
	}
	assert_non_null(out = cJSON_CreateArray());
	for (i = 0; keep[i] >= 0; i++)
		cJSON_AddItemToArray(out, cJSON_Duplicate(cJSON_GetArrayItem(
		    lines, keep[i]), 1));
	cJSON_ReplaceItemInObject(root, "lignesImport", out);
	assert_non_null(text = cJSON_Print(root));
	cJSON_Delete(root);
	p = put(f, name, text, strlen(text));
	free(text);
	return (p);
}

static void
test_ingest_answer_recorded(void **state)
{
	struct fixture		*f = *state;
	struct segur_ingest_result r;
	char			*path, *s;

	path = put_answer(f, "retour.json");
	assert_int_equal(segur_ingest_file(f->l, path, &f->o, &r, NULL), 0);
	assert_int_equal(r.status, SEGUR_INGEST_RECORDED);
	assert_string_equal(r.answers, "JSON-2023000042-20231002-001.json");
	assert_int_equal(r.nlines, 2);
	assert_int_equal(r.naccepted, 1);
	assert_int_equal(r.nrejected, 1);
	assert_int_equal(r.nanomalies, 0);
	assert_int_equal(r.lines[0].answer, SEGUR_ANSWER_ACCEPTED);
	assert_string_equal(r.lines[0].ref, "BC-1");
	assert_string_equal(r.lines[0].numeroASP, "MS1-DUI-2023-0001872");
	assert_int_equal(r.lines[1].answer, SEGUR_ANSWER_REJECTED);
	assert_string_equal(r.lines[1].ref, "BC-2");
	segur_ingest_result_release(&r);
	/* In the ledger: the number kept, the label verbatim, one alert. */
	s = helper_text(f->l, "SELECT numero_asp FROM request WHERE ref = "
	    "'BC-1' AND state = 'accepted'");
	assert_string_equal(s, "MS1-DUI-2023-0001872");
	free(s);
	s = helper_text(f->l, "SELECT a.libelle_traitement FROM attempt a "
	    "JOIN request r ON r.id = a.request_id WHERE r.ref = 'BC-2' AND "
	    "a.outcome = 'rejected'");
	assert_non_null(s);
	assert_non_null(strstr(s, "590004016"));
	free(s);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM file WHERE "
	    "direction = 'in' AND kind = 'returned' AND imp_id = "
	    "'IMP-2023-000731'"), 1);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM alert"), 1);
	/* Archived; the file left where it was (no move). */
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(f->npoints, 3);
	assert_int_equal(f->points[0], 1);
	assert_int_equal(f->points[1], 2);
	assert_int_equal(f->points[2], 3);
	free(path);
}

/*
 * Once answered, a request is named by its reference, its numeroEditeur
 * or its numeroASP, each resolved to the same request; a miss names the
 * kinds tried and the nearest identifier; a string that is the reference
 * of one request and the numeroEditeur of another is refused, not guessed.
 */
static void
test_ingest_request_resolved_by_any_identifier(void **state)
{
	struct fixture		*f = *state;
	struct segur_ingest_result r;
	struct segur_request_ident id;
	struct segur_request_new nr;
	char			*path, *ne, *cause = NULL;

	path = put_answer(f, "retour.json");
	assert_int_equal(segur_ingest_file(f->l, path, &f->o, &r, NULL), 0);
	segur_ingest_result_release(&r);
	free(path);
	ne = helper_text(f->l, "SELECT numero_editeur FROM request WHERE "
	    "ref = 'BC-1'");
	assert_non_null(ne);

	assert_int_equal(segur_ledger_request_resolve(f->l, "BC-1", &id,
	    NULL), 0);
	assert_int_equal(id.matched, SEGUR_IDENT_REF);
	assert_string_equal(id.numero_asp, "MS1-DUI-2023-0001872");
	assert_string_equal(id.numero_editeur, ne);
	assert_int_equal(id.state, SEGUR_STATE_ACCEPTED);
	assert_int_equal(segur_ledger_request_resolve(f->l,
	    "MS1-DUI-2023-0001872", &id, NULL), 0);
	assert_int_equal(id.matched, SEGUR_IDENT_ASP);
	assert_string_equal(id.ref, "BC-1");
	assert_int_equal(segur_ledger_request_resolve(f->l, ne, &id, NULL), 0);
	assert_int_equal(id.matched, SEGUR_IDENT_EDITEUR);
	assert_string_equal(id.ref, "BC-1");

	/* A typo: the kinds tried, and the nearest. */
	assert_int_equal(segur_ledger_request_resolve(f->l,
	    "MS1-DUI-2023-0001873", &id, &cause), SEGUR_ENOENT);
	assert_non_null(strstr(cause, "aucune demande n'a cette référence, "
	    "ce numeroEditeur ni ce numéro ASP"));
	assert_non_null(strstr(cause, "le plus proche : numéro ASP "
	    "« MS1-DUI-2023-0001872 »"));
	free(cause);
	cause = NULL;
	assert_int_equal(segur_ledger_request_resolve(f->l, "XYZ-nothing",
	    &id, &cause), SEGUR_ENOENT);
	assert_null(strstr(cause, "le plus proche"));
	free(cause);
	cause = NULL;

	/* A draft whose reference is BC-1's numeroEditeur: no guess. */
	memset(&nr, 0, sizeof(nr));
	nr.ref = ne;
	nr.content = "{}";
	nr.content_len = 2;
	assert_int_equal(segur_ledger_request_add(f->l, &nr, NULL, NULL), 0);
	assert_int_equal(segur_ledger_request_resolve(f->l, ne, &id, &cause),
	    SEGUR_EINVAL);
	assert_non_null(strstr(cause, "désigne plusieurs demandes"));
	free(cause);
	free(ne);
}

static void
test_ingest_same_file_again_is_a_no_op(void **state)
{
	struct fixture		*f = *state;
	struct segur_ingest_result r;
	char			*first, *again;
	int64_t			 events;

	first = put_answer(f, "retour.json");
	assert_int_equal(segur_ingest_file(f->l, first, &f->o, &r, NULL), 0);
	assert_int_equal(r.status, SEGUR_INGEST_RECORDED);
	segur_ingest_result_release(&r);
	events = helper_count(f->l, "SELECT count(*) FROM event");
	/* The same content under another name. */
	again = put_answer(f, "retour-bis.json");
	f->npoints = 0;
	assert_int_equal(segur_ingest_file(f->l, again, &f->o, &r, NULL), 0);
	assert_int_equal(r.status, SEGUR_INGEST_DUPLICATE);
	assert_non_null(r.reason);
	assert_non_null(strstr(r.reason, "retour.json"));
	segur_ingest_result_release(&r);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM event"),
	    events);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM file WHERE "
	    "direction = 'in'"), 1);
	assert_int_equal(f->npoints, 0);
	/* With move (segurd), the inbox copy goes. */
	f->o.move = 1;
	assert_int_equal(segur_ingest_file(f->l, again, &f->o, &r, NULL), 0);
	assert_int_equal(r.status, SEGUR_INGEST_DUPLICATE);
	segur_ingest_result_release(&r);
	assert_int_equal(access(again, F_OK), -1);
	free(first);
	free(again);
}

static void
test_ingest_malformed_file_quarantined(void **state)
{
	struct fixture		*f = *state;
	struct segur_ingest_result r;
	struct stat		 st;
	char			*path, *q;

	path = put(f, "retour.json", "{\"lignesImport\": [", 18);
	assert_int_equal(segur_ingest_file(f->l, path, &f->o, &r, NULL), 0);
	assert_int_equal(r.status, SEGUR_INGEST_QUARANTINED);
	assert_non_null(r.reason);
	segur_ingest_result_release(&r);
	q = helper_path(f->quarantine, "retour.json.reason");
	assert_int_equal(stat(q, &st), 0);
	free(q);
	q = helper_path(f->quarantine, "retour.json");
	assert_int_equal(stat(q, &st), 0);
	free(q);
	/* Nothing applied: no file received, every attempt still pending. */
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM quarantine"),
	    1);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM file WHERE "
	    "direction = 'in'"), 0);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM attempt "
	    "WHERE outcome = 'pending'"), 2);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM request "
	    "WHERE state = 'submitted'"), 2);
	/* The user's file stays where it was. Only the point after the
	 * ledger's last commit is reached: nothing was recorded. */
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(f->npoints, 1);
	assert_int_equal(f->points[0], 3);
	free(path);
}

/* The hook of the races: what to put in place of the file. */
struct swap {
	const char	*target;	/* a link to it, or NULL: a FIFO */
	int		 calls;
};

static void
swap_in(void *arg, const char *path)
{
	struct swap	*w = arg;

	w->calls++;
	assert_int_equal(unlink(path), 0);
	if (w->target != NULL)
		assert_int_equal(symlink(w->target, path), 0);
	else
		assert_int_equal(mkfifo(path, 0600), 0);
}

/* Swaps the answer for what w says, ingests with move; checks it went
 * aside unread: quarantined, nothing archived or recorded. */
static void
swapped(struct fixture *f, struct swap *w, const char *what)
{
	struct segur_ingest_result r;
	struct stat	 st;
	char		*path, *q;
	int64_t		 narch;

	narch = helper_count(f->l, "SELECT count(*) FROM file");
	path = put_answer(f, "retour.json");
	f->o.move = 1;
	f->o.before_open = swap_in;
	f->o.hook_arg = w;
	assert_int_equal(segur_ingest_file(f->l, path, &f->o, &r, NULL), 0);
	assert_int_equal(w->calls, 1);
	assert_int_equal(r.status, SEGUR_INGEST_QUARANTINED);
	assert_non_null(strstr(r.reason, what));
	assert_string_equal(r.sha256, "");
	segur_ingest_result_release(&r);
	assert_int_equal(lstat(path, &st), -1);
	q = helper_path(f->quarantine, "retour.json");
	assert_int_equal(lstat(q, &st), 0);
	assert_true(w->target != NULL ? S_ISLNK(st.st_mode) :
	    S_ISFIFO(st.st_mode));
	free(q);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM file"),
	    narch);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM quarantine"),
	    1);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM alert"), 1);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM attempt "
	    "WHERE outcome = 'pending'"), 2);
	free(path);
}

static void
test_ingest_symlink_swapped_in_is_not_followed(void **state)
{
	struct fixture	*f = *state;
	struct swap	 w = { NULL, 0 };
	char		*secret;

	/* A valid answer behind the link: following it would record it. */
	secret = put_answer(f, "secret.json");
	w.target = secret;
	swapped(f, &w, "lien symbolique");
	free(secret);
}

static void
test_ingest_fifo_swapped_in_does_not_block(void **state)
{
	struct fixture	*f = *state;
	struct swap	 w = { NULL, 0 };

	swapped(f, &w, "FIFO");
}

/* Without move (segurctl), a link is an error: nothing recorded. */
static void
test_ingest_symlink_without_move_is_an_error(void **state)
{
	struct fixture	*f = *state;
	struct segur_ingest_result r;
	char		*secret, *link, *cause = NULL;

	secret = put_answer(f, "secret.json");
	link = helper_path(f->dir, "link.json");
	assert_int_equal(symlink(secret, link), 0);
	assert_int_equal(segur_ingest_file(f->l, link, &f->o, &r, &cause),
	    SEGUR_EINVAL);
	assert_non_null(strstr(cause, "lien symbolique"));
	segur_ingest_result_release(&r);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM quarantine"),
	    0);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM file WHERE "
	    "direction = 'in'"), 0);
	free(cause);
	free(secret);
	free(link);
}

static void
test_ingest_numero_asp_twice_in_a_file_settles_neither(void **state)
{
	static const int both[] = { 0, 1, -1 };
	struct fixture		*f = *state;
	struct segur_ingest_result r;
	char			*path;

	path = put_answer_edited(f, "retour.json", both, 1);
	assert_int_equal(segur_ingest_file(f->l, path, &f->o, &r, NULL), 0);
	assert_int_equal(r.status, SEGUR_INGEST_RECORDED);
	assert_int_equal(r.naccepted, 0);
	assert_int_equal(r.nanomalies, 2);
	assert_int_equal(r.nrecorded, 2);
	assert_int_equal(r.lines[0].answer, SEGUR_ANSWER_ANOMALY);
	assert_int_equal(r.lines[1].answer, SEGUR_ANSWER_ANOMALY);
	/* Each names the other: its line, request and numeroEditeur. */
	assert_string_equal(r.recorded[0].kind, "numero_asp_duplicate");
	assert_non_null(strstr(r.lines[0].detail, "numeroASP "
	    "MS1-DUI-2023-0001872 porté aussi par la ligne 2 (BC-2, numéro "
	    "éditeur 00002) de ce fichier"));
	assert_non_null(strstr(r.lines[1].detail, "porté aussi par la ligne 1 "
	    "(BC-1, numéro éditeur 00001) de ce fichier"));
	segur_ingest_result_release(&r);
	/* Neither request accepted; both attempts wait, each with its open
	 * anomaly; the number is nowhere. */
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM request "
	    "WHERE state = 'submitted'"), 2);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM attempt "
	    "WHERE outcome = 'pending'"), 2);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM attempt "
	    "WHERE numero_asp IS NOT NULL"), 0);
	assert_int_equal(helper_count(f->l, "SELECT count(DISTINCT "
	    "attempt_id) FROM anomaly WHERE kind = 'numero_asp_duplicate' AND "
	    "resolved_at IS NULL AND json_extract(returned, '$.numeroASP') = "
	    "'MS1-DUI-2023-0001872'"), 2);
	free(path);
}

static void
test_ingest_numero_asp_held_stays_with_its_holder(void **state)
{
	static const int first[] = { 0, -1 }, second[] = { 1, -1 };
	struct fixture		*f = *state;
	struct segur_ingest_result r;
	char			*a, *b, *s;

	/* BC-1 gets the number; BC-2's line is missing (an anomaly). */
	a = put_answer_edited(f, "JSON-a.retour.json", first, 1);
	assert_int_equal(segur_ingest_file(f->l, a, &f->o, &r, NULL), 0);
	assert_int_equal(r.naccepted, 1);
	segur_ingest_result_release(&r);
	/* A later answer gives the same number to BC-2: the newcomer. */
	b = put_answer_edited(f, "JSON-b.retour.json", second, 1);
	assert_int_equal(segur_ingest_file(f->l, b, &f->o, &r, NULL), 0);
	assert_int_equal(r.status, SEGUR_INGEST_RECORDED);
	assert_int_equal(r.naccepted, 0);
	assert_int_equal(r.nanomalies, 1);
	assert_int_equal(r.lines[0].answer, SEGUR_ANSWER_ANOMALY);
	assert_string_equal(r.recorded[0].kind, "numero_asp_taken");
	assert_string_equal(r.recorded[0].ref, "BC-2");
	assert_non_null(strstr(r.lines[0].detail, "numeroASP "
	    "MS1-DUI-2023-0001872 déjà attribué à BC-1 (numéro éditeur 00001) "
	    "par JSON-a.retour.json"));
	segur_ingest_result_release(&r);
	s = helper_text(f->l, "SELECT ref FROM request WHERE numero_asp = "
	    "'MS1-DUI-2023-0001872' AND state = 'accepted'");
	assert_string_equal(s, "BC-1");
	free(s);
	assert_int_equal(helper_count(f->l, "SELECT count(*) FROM request "
	    "WHERE ref = 'BC-2' AND state = 'submitted'"), 1);
	free(a);
	free(b);
}

static void
test_ingest_not_json_says_so(void **state)
{
	static const char text[] = "2023-10-02 : fichier refusé, structure "
	    "invalide\n";
	struct fixture		*f = *state;
	struct segur_ingest_result r;
	char			*path, *s;

	path = put(f, "JSON-2023000042-20231002-001.retour.json", text,
	    sizeof(text) - 1);
	assert_int_equal(segur_ingest_file(f->l, path, &f->o, &r, NULL), 0);
	assert_int_equal(r.status, SEGUR_INGEST_QUARANTINED);
	assert_non_null(r.reason);
	assert_int_equal(strncmp(r.reason, "le fichier n'est pas du JSON", 28),
	    0);
	assert_non_null(strstr(r.reason, "« 2023-10-02 : fichier refus"));
	assert_null(strstr(r.reason, "nombre mal écrit"));
	segur_ingest_result_release(&r);
	s = helper_text(f->l, "SELECT reason FROM quarantine");
	assert_non_null(s);
	assert_int_equal(strncmp(s, "le fichier n'est pas du JSON", 28), 0);
	free(s);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_ingest_request_resolved_by_any_identifier, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_ingest_answer_recorded,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ingest_same_file_again_is_a_no_op, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ingest_malformed_file_quarantined, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ingest_symlink_swapped_in_is_not_followed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_ingest_fifo_swapped_in_does_not_block, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_ingest_symlink_without_move_is_an_error, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_ingest_numero_asp_twice_in_a_file_settles_neither,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ingest_numero_asp_held_stays_with_its_holder, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_ingest_not_json_says_so,
		    setup, teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
