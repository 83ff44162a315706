/*
 * test-audit.c: the audit module (audit.h): keys and seals, the chain
 * head and the proof that a ledger extends it, the archive checked
 * against the ledger, exports, bundles and their verification, the
 * report's ISO weeks, backups and restores.
 */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <zip.h>

#include "segur/archive.h"
#include "segur/audit.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "audit/audit-int.h"
#include "helper-ledger.h"
#include "ledger/ledger-int.h"

#define ANS	"2023000042"
#define SIRET	"38042372300028"
#define KEY	"0123456789abcdef0123456789abcdef"

/* A draft's content: a line of the guide's example, trimmed. */
#define LINE \
    "{\"typeAction\":\"C\",\"commande\":{\"dateCommande\":\"02/10/2023\"," \
    "\"regimeTVA\":\"TTC\",\"montantSegurHT\":4866.67}," \
    "\"beneficiaires\":{\"isMandataire\":false,\"etablissementsClients\":" \
    "[{\"FINESSJuridique\":\"%s\",\"nomResponsableOG\":\"=cmd\"," \
    "\"FINESSGeos\":[\"%s\"]}]},\"piecesJustificatives\":[]," \
    "\"scenarioInstallation\":[]}"

/* The shared fixture (helper-ledger.h): f->dir, f->db, f->l. */
#define fixture	helper_ledger

static int
setup(void **state)
{
	return (helper_ledger_setup(state));
}

static int
teardown(void **state)
{
	return (helper_ledger_teardown(state));
}

/* Writes text to dir/name; returns the path (caller frees). */
static char *
write_in(const struct fixture *f, const char *name, const char *text)
{
	char	*p = segur_asprintf("%s/%s", f->dir, name);

	assert_non_null(p);
	assert_int_equal(segur_write_file_atomic(p, text, strlen(text), 0600,
	    NULL), 0);
	return (p);
}

/* Registers the software and a draft per (ref, OG, ESMS). */
static void
add_draft(struct fixture *f, const char *ref, const char *og,
    const char *geo)
{
	struct segur_request_new r;
	struct segur_software sw;
	char		*content, *cause = NULL;
	int		 rc;

	if (segur_ledger_software_get(f->l, ANS, &sw, NULL) == 0)
		segur_software_release(&sw);
	else
		assert_int_equal(segur_ledger_software_add(f->l, ANS, SIRET,
		    "DUI", 0x1ff, NULL), 0);
	content = segur_asprintf(LINE, og, geo);
	assert_non_null(content);
	memset(&r, 0, sizeof(r));
	r.ref = ref;
	r.content = content;
	r.content_len = strlen(content);
	rc = segur_ledger_request_add(f->l, &r, NULL, &cause);
	if (rc != 0)
		fail_msg("request add: %s", cause);
	free(content);
}

static void
test_audit_key_load_and_seal_vector(void **state)
{
	struct fixture	*f = *state;
	struct segur_audit_key k;
	struct segur_chain_head h;
	char		*p, *cause = NULL, seal[65];

	/* A final newline is not part of the key. */
	p = write_in(f, "key", KEY "\n");
	assert_int_equal(segur_audit_key_load(p, &k, NULL), 0);
	assert_int_equal(k.len, 32);
	free(p);
	memset(&h, 0, sizeof(h));
	memset(h.hash, 'a', 64);
	for (int i = 1; i < 64; i += 2)
		h.hash[i] = 'b';
	h.events = 42;
	snprintf(h.at, sizeof(h.at), "2026-11-27T13:35:02Z");
	/* Python: hmac.new(KEY, "segur-chain-head-v1\n" + "ab"*32 +
	 * "\n42\n2026-11-27T13:35:02Z\n", sha256). */
	assert_int_equal(segur_audit_seal(&k, &h, seal), 0);
	assert_string_equal(seal,
	    "b9a22d84b773bd5a74e99c3b23d58f8d21106e2569288a74fb524137219b5b66");
	assert_int_equal(segur_audit_seal_check(&k, &h,
	    "B9A22D84B773BD5A74E99C3B23D58F8D21106E2569288A74FB524137219B5B66"),
	    0);
	h.events = 43;
	assert_int_equal(segur_audit_seal_check(&k, &h, seal),
	    SEGUR_ECORRUPT);
	assert_int_equal(segur_audit_seal_check(&k, &h, "short"),
	    SEGUR_ECORRUPT);
	segur_audit_key_release(&k);
	assert_null(k.bytes);

	p = write_in(f, "short", "tooshort\n");
	assert_int_equal(segur_audit_key_load(p, &k, &cause), SEGUR_EINVAL);
	assert_non_null(strstr(cause, "au moins 16 octets"));
	free(cause);
	free(p);
}

static void
test_audit_head_and_verify_head(void **state)
{
	struct fixture	*f = *state;
	struct segur_chain_head h0, h1, found, cur;
	struct segur_audit_key k = { (unsigned char *)KEY, 32 };
	char		*cause = NULL;
	cJSON		*o;

	assert_int_equal(segur_audit_head(f->l, NULL, &h0, NULL), 0);
	/* The schema migrations are events already. */
	assert_true(h0.events >= 1);
	assert_int_equal(strlen(h0.hash), 64);
	assert_string_equal(h0.seal, "");
	add_draft(f, "A-1", "750000127", "330001017");
	assert_int_equal(segur_audit_head(f->l, &k, &h1, NULL), 0);
	assert_true(h1.events > h0.events);
	assert_string_not_equal(h1.hash, h0.hash);
	assert_int_equal(strlen(h1.seal), 64);
	assert_int_equal(segur_audit_seal_check(&k, &h1, h1.seal), 0);

	o = segur_audit_head_json(&h1);
	assert_non_null(o);
	assert_string_equal(cJSON_GetObjectItem(o, "seal")->valuestring,
	    h1.seal);
	assert_int_equal(cJSON_GetObjectItem(o, "events")->valuedouble,
	    (double)h1.events);
	cJSON_Delete(o);

	/* The old head is extended: found as it was, the current one too. */
	assert_int_equal(segur_audit_verify_head(f->l, h0.hash, &found, &cur,
	    NULL), 0);
	assert_int_equal(found.events, h0.events);
	assert_string_equal(found.at, h0.at);
	assert_string_equal(cur.hash, h1.hash);
	assert_int_equal(segur_audit_verify_head(f->l,
	    "1111111111111111111111111111111111111111111111111111111111111111",
	    &found, NULL, &cause), SEGUR_ENOENT);
	free(cause);
	cause = NULL;
	assert_int_equal(segur_audit_verify_head(f->l, "ABC", &found, NULL,
	    &cause), SEGUR_EINVAL);
	free(cause);
}

struct seen {
	int	 missing, altered;
	char	 what[256];
};

static int
on_problem(void *arg, const char *sha, int problem, const char *what)
{
	struct seen	*s = arg;

	(void)sha;
	if (problem == SEGUR_ENOENT)
		s->missing++;
	else if (problem == SEGUR_ECORRUPT)
		s->altered++;
	snprintf(s->what, sizeof(s->what), "%s", what);
	return (0);
}

static void
test_audit_archive_verify_finds_missing_and_altered(void **state)
{
	struct fixture	*f = *state;
	struct segur_archive a;
	struct segur_archive_report r;
	struct seen	 s = { 0, 0, "" };
	char		*root, *path, sha1[65], sha2[65], *sql;
	FILE		*fp;

	root = segur_asprintf("%s/archive", f->dir);
	assert_int_equal(segur_archive_open(&a, root, NULL), 0);
	assert_int_equal(segur_archive_put(&a, "one", 3, sha1, NULL), 0);
	assert_int_equal(segur_archive_put(&a, "two", 3, sha2, NULL), 0);
	sql = segur_asprintf("INSERT INTO archive VALUES ('%s', 3, 'x'), "
	    "('%s', 3, 'x'); INSERT INTO file(direction, kind, name, sha256, "
	    "size, created_at) VALUES ('in', 'returned', 'r.json', '%s', 3, "
	    "'x')", sha1, sha2, sha2);
	assert_int_equal(segur__exec(f->l, sql, NULL), 0);
	free(sql);
	assert_int_equal(segur_audit_archive_verify(f->l, &a, on_problem, &s,
	    &r, NULL), 0);
	assert_int_equal(r.objects, 2);
	assert_int_equal(r.missing + r.altered, 0);

	path = segur_archive_path(&a, sha1);
	assert_int_equal(unlink(path), 0);
	free(path);
	path = segur_archive_path(&a, sha2);
	chmod(path, 0600);
	assert_non_null(fp = fopen(path, "a"));
	fputs("!", fp);
	fclose(fp);
	free(path);
	assert_int_equal(segur_audit_archive_verify(f->l, &a, on_problem, &s,
	    &r, NULL), 0);
	assert_int_equal(r.missing, 1);
	assert_int_equal(r.altered, 1);
	assert_int_equal(s.missing, 1);
	assert_int_equal(s.altered, 1);
	/* Ordered by hash: the last one reported names what refers to it. */
	if (strcmp(sha2, sha1) > 0)
		assert_string_equal(s.what, "fichier r.json");
	segur_archive_release(&a);
	free(root);
}

static void
test_audit_export_csv_and_json(void **state)
{
	struct fixture	*f = *state;
	struct segur_export_filter flt = { NULL, NULL, NULL };
	struct segur_buf b = SEGUR_BUF_INIT;
	struct segur_chain_head h;
	cJSON		*o, *rows;
	size_t		 n;

	add_draft(f, "A-1", "750000127", "330001017");
	add_draft(f, "=B-2", "130003015", "590004016");
	assert_int_equal(segur_audit_head(f->l, NULL, &h, NULL), 0);

	assert_int_equal(segur_audit_export(f->l, &flt, SEGUR_EXPORT_CSV,
	    SEGUR_CSV_RFC4180, &h, &b, &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_non_null(b.data);
	assert_memory_equal(b.data, "reference,numeroAns,tentative,", 30);
	assert_non_null(strstr(b.data, ",teteChaine,evenementsChaine,"));
	/* A draft: one row, no attempt; the amount with a decimal point;
	 * a reference that a spreadsheet would run is neutralized. */
	assert_non_null(strstr(b.data,
	    "\r\nA-1,2023000042,,,,brouillon,draft,"));
	assert_non_null(strstr(b.data, ",4866.67,"));
	assert_non_null(strstr(b.data, "\r\n'=B-2,"));
	assert_non_null(strstr(b.data, h.hash));
	segur_buf_release(&b);

	assert_int_equal(segur_audit_export(f->l, &flt, SEGUR_EXPORT_CSV,
	    SEGUR_CSV_EXCEL_FR, &h, &b, &n, NULL), 0);
	assert_memory_equal(b.data, "\xef\xbb\xbfreference;", 13);
	assert_non_null(strstr(b.data, ";4866,67;"));
	/* Identifiers as text constants, zeros and all; the formula-looking
	 * reference is only text inside it. */
	assert_non_null(strstr(b.data, "\r\n=\"A-1\";=\"2023000042\";;;;"
	    "brouillon;draft;"));
	assert_non_null(strstr(b.data, "\r\n=\"=B-2\";"));
	assert_non_null(strstr(b.data, ";=\"750000127\";=\"330001017\";"));
	segur_buf_release(&b);
	/* The workbook has its own function. */
	assert_int_equal(segur_audit_export(f->l, &flt, SEGUR_EXPORT_XLSX,
	    SEGUR_CSV_RFC4180, &h, &b, &n, NULL), SEGUR_EINVAL);
	segur_buf_release(&b);

	flt.og = "130003015";
	assert_int_equal(segur_audit_export(f->l, &flt, SEGUR_EXPORT_JSON,
	    SEGUR_CSV_RFC4180, &h, &b, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_non_null(o = cJSON_Parse(b.data));
	rows = cJSON_GetObjectItem(o, "rows");
	assert_int_equal(cJSON_GetArraySize(rows), 1);
	/* JSON keeps the text as it is: no neutralizing outside CSV. */
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(rows, 0),
	    "reference")->valuestring, "=B-2");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(rows,
	    0), "numeroEditeur")));
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(o,
	    "chainHead"), "hash")->valuestring, h.hash);
	cJSON_Delete(o);
	segur_buf_release(&b);

	flt.og = NULL;
	flt.from = "2000-01-01";
	flt.to = "2000-01-02";
	assert_int_equal(segur_audit_export(f->l, &flt, SEGUR_EXPORT_CSV,
	    SEGUR_CSV_RFC4180, &h, &b, &n, NULL), 0);
	assert_int_equal(n, 0);
	segur_buf_release(&b);
}

struct found {
	int	 n;
	char	 file[256];
};

static int
on_finding(void *arg, const char *file, const char *problem)
{
	struct found	*fd = arg;

	(void)problem;
	fd->n++;
	snprintf(fd->file, sizeof(fd->file), "%s", file);
	return (0);
}

static void
test_audit_bundle_verify_names_altered_file(void **state)
{
	struct fixture	*f = *state;
	struct segur_bundle_sel sel = { NULL, 0, NULL, NULL, NULL, NULL, 1 };
	struct segur_audit_key k = { (unsigned char *)KEY, 32 };
	struct segur_audit_key other = { (unsigned char *)"another key, 16+",
	    16 };
	struct segur_chain_head h, got;
	struct segur_archive a;
	struct found	 fd = { 0, "" };
	zip_source_t	*src;
	zip_t		*za;
	zip_int64_t	 idx;
	char		*zip, *root, *name;
	size_t		 nreq, nfiles;
	int		 zerr;

	add_draft(f, "A-1", "750000127", "330001017");
	root = segur_asprintf("%s/archive", f->dir);
	assert_int_equal(segur_archive_open(&a, root, NULL), 0);
	assert_int_equal(segur_audit_head(f->l, &k, &h, NULL), 0);
	zip = segur_asprintf("%s/b.zip", f->dir);
	assert_int_equal(segur_audit_bundle(f->l, &a, &sel, &h, &k, zip,
	    &nreq, NULL), 0);
	assert_int_equal(nreq, 1);
	assert_int_equal(segur_audit_bundle_verify(zip, &k, on_finding, &fd,
	    &got, &nfiles, NULL), 0);
	assert_int_equal(fd.n, 0);
	/* HEAD.json, LISEZMOI.txt, MANIFEST.json, history as JSON and HTML,
	 * demande.json, inventaire.txt (a draft: no piece expected). */
	assert_int_equal(nfiles, 7);
	assert_string_equal(got.hash, h.hash);
	assert_string_equal(got.seal, h.seal);
	/* Another key: both seals fail. */
	assert_int_equal(segur_audit_bundle_verify(zip, &other, on_finding,
	    &fd, &got, &nfiles, NULL), SEGUR_ECORRUPT);
	assert_int_equal(fd.n, 2);

	/* One byte of the history changed inside the zip. */
	assert_non_null(za = zip_open(zip, 0, &zerr));
	idx = -1;
	for (zip_int64_t i = 0; i < zip_get_num_entries(za, 0); i++)
		if (strstr(zip_get_name(za, (zip_uint64_t)i, 0),
		    "/demandes/A-1/historique.json") != NULL)
			idx = i;
	assert_true(idx >= 0);
	assert_non_null(src = zip_source_buffer(za, "[]", 2, 0));
	assert_int_equal(zip_file_replace(za, (zip_uint64_t)idx, src, 0), 0);
	assert_int_equal(zip_close(za), 0);
	fd.n = 0;
	assert_int_equal(segur_audit_bundle_verify(zip, NULL, on_finding, &fd,
	    &got, &nfiles, NULL), SEGUR_ECORRUPT);
	assert_int_equal(fd.n, 1);
	assert_string_equal(fd.file, "demandes/A-1/historique.json");

	/* MANIFEST.json emptied: its hash differs, and it no longer names
	 * the files MANIFEST.sha256 lists (the 6 others). */
	assert_int_equal(segur_audit_bundle(f->l, &a, &sel, &h, NULL, zip,
	    &nreq, NULL), 0);
	assert_non_null(za = zip_open(zip, 0, &zerr));
	idx = -1;
	for (zip_int64_t i = 0; i < zip_get_num_entries(za, 0); i++)
		if (strstr(zip_get_name(za, (zip_uint64_t)i, 0),
		    "/MANIFEST.json") != NULL)
			idx = i;
	assert_true(idx >= 0);
	assert_non_null(src = zip_source_buffer(za, "{\"generated\":[]}",
	    16, 0));
	assert_int_equal(zip_file_replace(za, (zip_uint64_t)idx, src, 0), 0);
	assert_int_equal(zip_close(za), 0);
	fd.n = 0;
	assert_int_equal(segur_audit_bundle_verify(zip, NULL, on_finding, &fd,
	    &got, &nfiles, NULL), SEGUR_ECORRUPT);
	assert_int_equal(fd.n, 1 + 6);

	/* Not a bundle. */
	name = write_in(f, "not.zip", "PK? no");
	assert_int_equal(segur_audit_bundle_verify(name, NULL, on_finding,
	    &fd, &got, &nfiles, NULL), SEGUR_EINVAL);
	free(name);
	segur_archive_release(&a);
	free(root);
	free(zip);
}

/* How many entries of the zip at path end with suffix. */
static int
zip_count(const char *path, const char *suffix)
{
	zip_t		*za;
	const char	*n;
	size_t		 ls = strlen(suffix);
	int		 zerr, count = 0;

	assert_non_null(za = zip_open(path, ZIP_RDONLY, &zerr));
	for (zip_int64_t i = 0; i < zip_get_num_entries(za, 0); i++) {
		n = zip_get_name(za, (zip_uint64_t)i, 0);
		if (n != NULL && strlen(n) >= ls &&
		    strcmp(n + strlen(n) - ls, suffix) == 0)
			count++;
	}
	zip_discard(za);
	return (count);
}

static void
test_audit_bundle_shares_files_keeps_clashes(void **state)
{
	struct fixture	*f = *state;
	struct segur_bundle_sel sel = { NULL, 0, NULL, NULL, NULL, NULL, 1 };
	struct segur_chain_head h, got;
	struct segur_archive a;
	struct found	 fd = { 0, "" };
	char		*root, *zip, *sql, sent[65], r1[65], r2[65], *clash;
	size_t		 nreq, nfiles;

	add_draft(f, "A-1", "750000127", "330001017");
	add_draft(f, "A-2", "750000127", "330001025");
	root = segur_asprintf("%s/archive", f->dir);
	assert_int_equal(segur_archive_open(&a, root, NULL), 0);
	assert_int_equal(segur_archive_put(&a, "{\"sent\":1}", 10, sent,
	    NULL), 0);
	assert_int_equal(segur_archive_put(&a, "{\"r\":1}", 7, r1, NULL), 0);
	assert_int_equal(segur_archive_put(&a, "{\"r\":2}", 7, r2, NULL), 0);
	/* One file sent for both; two answers, both named retour.json. */
	sql = segur_asprintf(
	    "INSERT INTO archive VALUES ('%s', 10, 'x'), ('%s', 7, 'x'), "
	    "('%s', 7, 'x');"
	    "INSERT INTO numero_editeur VALUES ('00001', 'allocated', 'x'), "
	    "('00002', 'allocated', 'x');"
	    "INSERT INTO file(id, direction, kind, name, sha256, size, "
	    "created_at) VALUES (1, 'out', 'submission', 'JSON-x.json', '%s', "
	    "10, 'x'), (2, 'in', 'returned', 'retour.json', '%s', 7, 'x'), "
	    "(3, 'in', 'returned', 'retour.json', '%s', 7, 'x');"
	    "INSERT INTO attempt(request_id, seq, numero_editeur, file_id, "
	    "num_ligne, outcome, answer_file_id, created_at, answered_at) "
	    "SELECT id, 1, CASE ref WHEN 'A-1' THEN '00001' ELSE '00002' END, "
	    "1, id, 'rejected', CASE ref WHEN 'A-1' THEN 2 ELSE 3 END, "
	    "'2023-10-02T08:00:00Z', '2023-10-03T08:00:00Z' FROM request",
	    sent, r1, r2, sent, r1, r2);
	assert_non_null(sql);
	assert_int_equal(segur__exec(f->l, sql, NULL), 0);
	free(sql);
	assert_int_equal(segur_audit_head(f->l, NULL, &h, NULL), 0);
	zip = segur_asprintf("%s/b.zip", f->dir);
	assert_int_equal(segur_audit_bundle(f->l, &a, &sel, &h, NULL, zip,
	    &nreq, NULL), 0);
	assert_int_equal(nreq, 2);
	assert_int_equal(zip_count(zip, "/fichiers/envoyes/JSON-x.json"), 1);
	assert_int_equal(zip_count(zip, "/fichiers/recus/retour.json"), 1);
	clash = segur_asprintf("/fichiers/recus/%.12s-retour.json", r2);
	assert_int_equal(zip_count(zip, clash), 1);
	free(clash);
	assert_int_equal(zip_count(zip, "/fichiers.txt"), 2);
	assert_int_equal(segur_audit_bundle_verify(zip, NULL, on_finding, &fd,
	    &got, &nfiles, NULL), 0);
	assert_int_equal(fd.n, 0);

	/* An answer gone from the archive: no bundle, no zip left. */
	sql = segur_archive_path(&a, r2);
	assert_int_equal(unlink(sql), 0);
	free(sql);
	assert_int_equal(unlink(zip), 0);
	assert_int_equal(segur_audit_bundle(f->l, &a, &sel, &h, NULL, zip,
	    &nreq, NULL), SEGUR_ENOENT);
	assert_int_equal(access(zip, F_OK), -1);
	segur_archive_release(&a);
	free(root);
	free(zip);
}

static void
test_audit_iso_weeks(void **state)
{
	char	 w[16];

	(void)state;
	assert_int_equal(segur__audit_iso_week("2023-10-02", w), 0);
	assert_string_equal(w, "2023-S40");
	/* A Sunday of early January belongs to the year before. */
	assert_int_equal(segur__audit_iso_week("2021-01-03", w), 0);
	assert_string_equal(w, "2020-S53");
	assert_int_equal(segur__audit_iso_week("2021-01-04T08:00:00Z", w), 0);
	assert_string_equal(w, "2021-S01");
	/* A Monday of late December in the next year's week 1. */
	assert_int_equal(segur__audit_iso_week("2024-12-30", w), 0);
	assert_string_equal(w, "2025-S01");
	assert_int_equal(segur__audit_iso_week("2026-11-27", w), 0);
	assert_string_equal(w, "2026-S48");
	assert_int_equal(segur__audit_iso_week("hier", w), SEGUR_EINVAL);
}

static void
test_audit_report_is_static_html(void **state)
{
	struct fixture	*f = *state;
	struct segur_buf b = SEGUR_BUF_INIT;
	struct segur_chain_head h;

	add_draft(f, "<A&1>", "750000127", "330001017");
	assert_int_equal(segur_audit_head(f->l, NULL, &h, NULL), 0);
	assert_int_equal(segur_audit_report_html(f->l, &h, &b, NULL), 0);
	assert_int_equal(segur_buf_add(&b, "", 1), 0);
	assert_memory_equal(b.data, "<!DOCTYPE html>", 15);
	assert_null(strstr(b.data, "<script"));
	assert_non_null(strstr(b.data, "id=\"total-demandes\">1<"));
	assert_non_null(strstr(b.data, "Aucun envoi."));
	assert_non_null(strstr(b.data, h.hash));
	assert_non_null(strstr(b.data, "</html>"));
	segur_buf_release(&b);
}

/* Collects the findings' "table.column" (or "table key") for a test. */
static int
collect(void *arg, const struct segur_audit_finding *fd)
{
	struct segur_buf *b = arg;

	if (fd->kind == SEGUR_AUDIT_UNPROVED || fd->kind == SEGUR_AUDIT_UNKNOWN)
		return (0);
	assert_int_equal(segur_buf_addf(b, "%s.%s.%s;", fd->table,
	    fd->key != NULL ? fd->key : "", fd->column != NULL ? fd->column :
	    ""), 0);
	return (0);
}

/* Runs raw SQL on the ledger file (an attacker with the sqlite3 shell). */
static void
tamper(const char *path, const char *sql)
{
	sqlite3	*db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/*
 * The replay rebuilds requests from v1 events (written at schema 9) and
 * v2 events alike, proves what they carry, says what v1 cannot prove,
 * and names each cell changed by hand; the schema check names a trigger
 * dropped.
 */
static void
test_audit_replay_v1_and_v2_events(void **state)
{
	struct fixture	*f = *state;
	struct segur_replay_report rep;
	struct segur_buf b = SEGUR_BUF_INIT;
	char		*old;
	int64_t		 n;

	segur_ledger_close(f->l);
	old = segur_asprintf("%s/old.db", f->dir);
	assert_non_null(old);
	assert_int_equal(segur__ledger_open_raw(old, &f->l, NULL), 0);
	assert_int_equal(segur__ledger_migrate(f->l, 9, NULL), 0);
	add_draft(f, "A-1", "750000127", "330001017");
	add_draft(f, "A-2", "750000127", "330001025");
	assert_int_equal(segur_ledger_request_withdraw(f->l, "A-2", "doublon",
	    NULL), 0);
	assert_int_equal(segur__ledger_migrate(f->l,
	    SEGUR_LEDGER_SCHEMA_VERSION, NULL), 0);
	add_draft(f, "B-1", "750000127", "690002027");
	assert_int_equal(segur_ledger_request_withdraw(f->l, "B-1", "erreur",
	    NULL), 0);

	assert_int_equal(segur_audit_replay(f->l, collect, &b, &rep, NULL), 0);
	assert_int_equal(rep.findings, 0);
	assert_true(rep.rows >= 3 + 14);
	/* their software is in no v1 event. */
	assert_true(rep.unproved >= 2);
	assert_int_equal(segur_audit_schema_check(f->l, collect, &b, &n, NULL),
	    0);
	assert_int_equal(n, 0);
	assert_int_equal(b.len, 0);

	tamper(old, "UPDATE request SET montant_cents = 100 WHERE ref = 'A-1';"
	    "UPDATE request SET withdraw_reason = 'autre' WHERE ref = 'B-1';"
	    "UPDATE state_total SET n = n + 1 WHERE state = 'closed';"
	    "UPDATE request SET content = '{\"x\":1}' WHERE ref IN ('A-2', "
	    "'B-1');"
	    "DROP TRIGGER event_no_delete");
	assert_int_equal(segur_audit_replay(f->l, collect, &b, &rep, NULL), 0);
	assert_non_null(strstr(b.data, "request.1.montant_cents;"));
	assert_non_null(strstr(b.data, "request.3.withdraw_reason;"));
	assert_non_null(strstr(b.data, "state_total.closed.n;"));
	/* A withdrawn draft's content put back, v1 and v2: its row keeps
	 * "{}" (the request.state event's detail, its image). */
	assert_non_null(strstr(b.data, "request.2.content_sha256;"));
	assert_non_null(strstr(b.data, "request.3.content_sha256;"));
	/* The totals' trigger moved the draft's sum with the amount. */
	assert_non_null(strstr(b.data, "state_total.draft.cents;"));
	assert_int_equal(rep.findings, 6);
	b.len = 0;
	assert_int_equal(segur_audit_schema_check(f->l, collect, &b, &n, NULL),
	    0);
	assert_int_equal(n, 1);
	assert_string_equal(b.data, "déclencheur.event_no_delete.;");
	segur_buf_release(&b);
	free(old);
}

static void
test_audit_backup_restore(void **state)
{
	struct fixture	*f = *state;
	struct segur_chain_head h, hb, hr;
	char		*copy, *other, *saved = NULL, *cause = NULL;

	add_draft(f, "A-1", "750000127", "330001017");
	assert_int_equal(segur_audit_head(f->l, NULL, &h, NULL), 0);
	copy = segur_asprintf("%s/copy.db", f->dir);
	assert_int_equal(segur_audit_backup(f->l, copy, NULL), 0);
	assert_int_equal(segur_audit_check_file(copy, &hb, NULL), 0);
	assert_string_equal(hb.hash, h.hash);

	/* The live ledger: refused without force, kept with it. */
	add_draft(f, "A-2", "750000127", "330001025");
	assert_int_equal(segur_audit_restore(copy, f->db, 0, &hr, &saved,
	    &cause), SEGUR_EEXIST);
	free(cause);
	cause = NULL;
	segur_ledger_close(f->l);
	f->l = NULL;
	assert_int_equal(segur_audit_restore(copy, f->db, 1, &hr, &saved,
	    &cause), 0);
	assert_string_equal(hr.hash, h.hash);
	assert_non_null(saved);
	assert_int_equal(segur_audit_check_file(saved, &hb, NULL), 0);
	assert_true(hb.events > h.events);
	free(saved);
	assert_int_equal(segur_ledger_open(f->db, 0, &f->l, NULL), 0);
	assert_int_equal(segur_audit_head(f->l, NULL, &hb, NULL), 0);
	assert_string_equal(hb.hash, h.hash);

	/* A missing backup, or one that is not a ledger. */
	other = segur_asprintf("%s/none.db", f->dir);
	assert_int_equal(segur_audit_restore(other, f->db, 1, &hr, NULL,
	    &cause), SEGUR_EIO);
	free(cause);
	cause = NULL;
	free(other);
	other = write_in(f, "text.db", "this is not a database at all, no");
	assert_int_equal(segur_audit_check_file(other, &hr, &cause),
	    SEGUR_ECORRUPT);
	free(cause);
	free(other);
	free(copy);
}

static void
test_audit_export_xlsx_written_atomically(void **state)
{
	struct fixture	*f = *state;
	struct segur_export_filter flt = { NULL, NULL, NULL };
	struct segur_chain_head h;
	struct stat	 sb;
	char		*path, *tmp, *cause = NULL, magic[4];
	FILE		*fp;
	size_t		 n;

	add_draft(f, "A-1", "750000127", "330001017");
	assert_int_equal(segur_audit_head(f->l, NULL, &h, NULL), 0);
	assert_non_null(path = segur_asprintf("%s/x.xlsx", f->dir));
	assert_non_null(tmp = segur_asprintf("%s.segur-tmp", path));
	assert_int_equal(segur_audit_export_xlsx(f->l, &flt, &h, path, &n,
	    &cause), 0);
	assert_int_equal(n, 1);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0640);
	assert_int_not_equal(stat(tmp, &sb), 0);
	assert_non_null(fp = fopen(path, "rb"));
	assert_int_equal(fread(magic, 1, 4, fp), 4);
	fclose(fp);
	assert_memory_equal(magic, "PK\x03\x04", 4);	/* a zip */
	/* A folder that does not exist: an error naming it, no file. */
	free(path);
	assert_non_null(path = segur_asprintf("%s/nowhere/x.xlsx", f->dir));
	assert_int_not_equal(segur_audit_export_xlsx(f->l, &flt, &h, path,
	    &n, &cause), 0);
	assert_non_null(cause);
	assert_int_not_equal(stat(path, &sb), 0);
	free(cause);
	free(path);
	free(tmp);
}

static void
test_audit_export_times_and_state_labels(void **state)
{
	struct segur__xtime t;
	int		 s;

	(void)state;
	assert_int_equal(segur__export_time("2023-11-20", &t), 1);
	assert_int_equal(t.year * 10000 + t.month * 100 + t.day, 20231120);
	assert_int_equal(t.hour + t.min + t.sec, 0);
	assert_int_equal(segur__export_time("2026-12-07T16:09:40Z", &t), 2);
	assert_int_equal(t.hour * 10000 + t.min * 100 + t.sec, 160940);
	assert_int_equal(segur__export_time("2023-02-29", &t), 0);
	assert_int_equal(segur__export_time("2023-10-02T24:00:00Z", &t), 0);
	assert_int_equal(segur__export_time("2023-10-02T10:00:00", &t), 0);
	assert_int_equal(segur__export_time("02/10/2023", &t), 0);
	assert_int_equal(segur__export_time("2023-1-02", &t), 0);
	assert_int_equal(segur__export_time("", &t), 0);
	assert_int_equal(segur__export_time(NULL, &t), 0);
	/* Every state has its French words (the report's funnel's). */
	assert_string_equal(segur_state_label(SEGUR_STATE_ADVANCE_PAID),
	    "avance versée");
	assert_string_equal(segur_state_label(SEGUR_STATE_DRAFT), "brouillon");
	for (s = 0; s < SEGUR_STATE_COUNT; s++)
		assert_non_null(segur_state_label((enum segur_state)s));
	assert_null(segur_state_label(SEGUR_STATE_COUNT));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_audit_key_load_and_seal_vector, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_audit_head_and_verify_head, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_audit_archive_verify_finds_missing_and_altered, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_audit_export_csv_and_json,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_audit_bundle_verify_names_altered_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_audit_bundle_shares_files_keeps_clashes, setup,
		    teardown),
		cmocka_unit_test(test_audit_iso_weeks),
		cmocka_unit_test_setup_teardown(
		    test_audit_export_xlsx_written_atomically, setup, teardown),
		cmocka_unit_test(test_audit_export_times_and_state_labels),
		cmocka_unit_test_setup_teardown(
		    test_audit_report_is_static_html, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_audit_replay_v1_and_v2_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_backup_restore,
		    setup, teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
