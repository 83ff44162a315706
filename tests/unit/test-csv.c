/*
 * test-csv.c: CSV input as spreadsheets write it (lib/ledger/ledger-csv.c,
 * lib/ledger/ledger-import.c): encodings, header folding, French amounts,
 * FINESS and SIRET zeros, dates, the input limits, and the imports'
 * --dry-run, --update and templates; a withdrawn draft's content.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"
#include "segur/validate.h"

#include "ledger/ledger-int.h"

#define ANS	"2023000042"
#define SIRET	"38042372300028"

/*
 * Allocation failures: the n-th allocation from now fails (countdown), and
 * the allocations not freed are counted (live). glibc lets a program
 * replace malloc, and routes its own calls (strdup, iconv_open) to it; the
 * sanitizers replace it themselves, so their builds skip this test.
 */
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#define CSV_OOM_TEST	1
extern void	*__libc_malloc(size_t);
extern void	*__libc_realloc(void *, size_t);
extern void	*__libc_calloc(size_t, size_t);
extern void	 __libc_free(void *);

static long	 countdown = -1;
static long	 live;
static int	 counting;

static int
fail_now(void)
{
	return (countdown >= 0 && countdown-- == 0);
}

void *
malloc(size_t n)
{
	void	*p = fail_now() ? NULL : __libc_malloc(n);

	live += counting && p != NULL;
	return (p);
}

void *
calloc(size_t a, size_t b)
{
	void	*p = fail_now() ? NULL : __libc_calloc(a, b);

	live += counting && p != NULL;
	return (p);
}

void *
realloc(void *q, size_t n)
{
	void	*p = fail_now() ? NULL : __libc_realloc(q, n);

	live += counting && p != NULL && q == NULL;
	return (p);
}

void
free(void *p)
{
	live -= counting && p != NULL;
	__libc_free(p);
}
#endif

struct fixture {
	char			 dir[256];
	char			 db[300];
	struct segur_ledger	*l;
};

static int
setup(void **state)
{
	struct fixture	*f;
	const char	*tmp = getenv("TMPDIR");

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return (-1);
	snprintf(f->dir, sizeof(f->dir), "%s/test-csv.XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(f->dir) == NULL)
		return (-1);
	snprintf(f->db, sizeof(f->db), "%s/ledger.db", f->dir);
	setenv("SEGUR_ACTOR", "test", 1);
	if (segur_ledger_open(f->db, SEGUR_LEDGER_CREATE, &f->l, NULL) != 0 ||
	    segur_ledger_software_add(f->l, ANS, SIRET, "DUI",
	    SEGUR_PROFIL_REFERENTIEL_ID | SEGUR_PROFIL_PA, NULL) != 0)
		return (-1);
	*state = f;
	return (0);
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;
	char		 cmd[600];

	segur_ledger_close(f->l);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return (-1);
	free(f);
	return (0);
}

static int64_t
query_int(struct segur_ledger *l, const char *sql)
{
	sqlite3_stmt	*st;
	int64_t		 v;

	assert_int_equal(sqlite3_prepare_v2(l->db, sql, -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return (v);
}

/* The text of the first column of sql's first row (caller frees). */
static char *
query_text(struct segur_ledger *l, const char *sql)
{
	sqlite3_stmt	*st;
	char		*v;

	assert_int_equal(sqlite3_prepare_v2(l->db, sql, -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = strdup(sqlite3_column_type(st, 0) == SQLITE_NULL ? "(null)" :
	    (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	assert_non_null(v);
	return (v);
}

/* Reads buf as CSV, expecting rc. */
static void
read_csv(const char *buf, size_t len, int rc, struct segur__csv *c,
    struct segur_csv_errors *e)
{
	memset(e, 0, sizeof(*e));
	assert_int_equal(segur__csv_read(buf, len, c, e), rc);
}

static void
test_csv_fold_headers(void **state)
{
	static const struct { const char *in, *out; } t[] = {
		{ "  Régime  TVA ", "regime_tva" },
		{ "REGIME - TVA", "regime_tva" },
		{ "regime_tva", "regime_tva" },
		{ "FINESS géo", "finess_geo" },
		{ "Is maître ID", "is_maitre_id" },
		{ "Téléphone\xc2\xa0mandataire", "telephone_mandataire" },
		{ "NUMÉRO\xe2\x80\xaf" "ANS", "numero_ans" },
		{ "\xef\xac\x81nal", "final" },	/* the "fi" ligature */
		{ "", "" },
		{ " _ - ", "" },
	};
	char	*o;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(segur__csv_fold(t[i].in, &o), 0);
		assert_string_equal(o, t[i].out);
		free(o);
	}
	assert_int_equal(segur__csv_fold("\xff", &o), SEGUR_EINVAL);
	assert_null(o);
}

static void
test_csv_amounts_as_spreadsheets_write_them(void **state)
{
	static const struct { const char *in; int64_t cents; } ok[] = {
		{ "5840", 584000 },
		{ "5840.00", 584000 },
		{ "5840,5", 584050 },
		{ "2 190,00", 219000 },
		{ "2\xc2\xa0" "190,00", 219000 },
		{ "2\xe2\x80\xaf" "190,00", 219000 },
		{ "4 866,67 \xe2\x82\xac", 486667 },
		{ "4\xe2\x80\xaf" "866,67\xc2\xa0\xe2\x82\xac", 486667 },
		{ "\xe2\x82\xac 12", 1200 },
		{ "1 234 567,89", 123456789 },
		{ "0,01", 1 },
	};
	static const char *const bad[] = { "", "€", "abc", "1.234,56",
	    "1,234.56", "21 90", "2 1900", " 100", "1,005", "12 345 6",
	    "-5", "5 €€", "1e3", "5,", ",5", "2 190,00 EUR" };
	int64_t	 cents;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cents = -1;
		if (segur__csv_amount(ok[i].in, &cents) != 0)
			fail_msg("« %s » refused", ok[i].in);
		assert_int_equal(cents, ok[i].cents);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (segur__csv_amount(bad[i], &cents) == 0)
			fail_msg("« %s » accepted as %lld", bad[i],
			    (long long)cents);
}

static void
test_csv_leading_zero_given_back(void **state)
{
	char	 out[16];

	(void)state;
	assert_int_equal(segur__csv_zero_fix("10000107", 9, out), 1);
	assert_string_equal(out, "010000107");
	/* A SIRET of 13 digits. */
	assert_int_equal(segur__csv_zero_fix("1234567890123", 14, out), 1);
	assert_string_equal(out, "01234567890123");
	assert_int_equal(segur__csv_zero_fix("330001017", 9, out), 0);
	assert_int_equal(segur__csv_zero_fix("3300010", 9, out), 0);
	assert_int_equal(segur__csv_zero_fix("2A000107", 9, out), 0);
	assert_int_equal(segur__csv_zero_fix("", 9, out), 0);
}

static void
test_csv_dates(void **state)
{
	char	 out[11];

	(void)state;
	assert_int_equal(segur__csv_date("02/10/2023", out), 0);
	assert_string_equal(out, "02/10/2023");
	assert_int_equal(segur__csv_date("2/1/2023", out), 0);
	assert_string_equal(out, "02/01/2023");
	assert_int_equal(segur__csv_date("2023-10-02", out), 0);
	assert_string_equal(out, "02/10/2023");
	assert_int_equal(segur__csv_date("29/02/2024", out), 0);
	/* Two digits for the year: refused, with the date to write. */
	assert_int_equal(segur__csv_date("02/10/23", out), 1);
	assert_string_equal(out, "02/10/2023");
	assert_int_equal(segur__csv_date("29/02/2023", out), -1);
	assert_int_equal(segur__csv_date("31/04/2023", out), -1);
	assert_int_equal(segur__csv_date("2023/10/02", out), -1);
	assert_int_equal(segur__csv_date("02/10/2023 00:00", out), -1);
	assert_int_equal(segur__csv_date("02-10-2023", out), -1);
	assert_int_equal(segur__csv_date("", out), -1);
	assert_int_equal(segur__csv_date("002/10/2023", out), -1);
}

static void
test_csv_encodings(void **state)
{
	struct segur_csv_errors e;
	struct segur__csv c;
	const char	*s;

	(void)state;
	/* UTF-8 with BOM, ';', CRLF, quoted cell, trailing blank rows. */
	s = "\xef\xbb\xbf" "a;b\r\n\" x \";\"y;z\"\r\n;\r\n;;\r\n";
	read_csv(s, strlen(s), 0, &c, &e);
	assert_string_equal(c.encoding, "UTF-8 (BOM)");
	assert_int_equal(c.delim, ';');
	assert_int_equal(c.nrows, 2);
	assert_string_equal(c.rows[1].f[0], "x");
	assert_string_equal(c.rows[1].f[1], "y;z");
	segur__csv_release(&c);
	/* Windows-1252: "é" 0xe9, "€" 0x80, NBSP 0xa0. */
	s = "R\xe9" "f\xe9rence,Montant\nA,\"1\xa0" "000,00 \x80\"\n";
	read_csv(s, strlen(s), 0, &c, &e);
	assert_string_equal(c.encoding, "Windows-1252");
	assert_int_equal(c.delim, ',');
	assert_string_equal(c.rows[0].f[0], "Référence");
	assert_string_equal(c.rows[1].f[1], "1\xc2\xa0" "000,00 €");
	segur__csv_release(&c);
	/* A byte Windows-1252 leaves undefined. */
	s = "a;b\nc;d\n\x81;e\n";
	read_csv(s, strlen(s), SEGUR_EINVAL, &c, &e);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.v[0].row, 3);
	assert_non_null(strstr(e.v[0].message, "0x81"));
	segur_csv_errors_release(&e);
	segur__csv_release(&c);
	/* A BOM says UTF-8: no guessing after it. */
	s = "\xef\xbb\xbf" "a;b\n\xe9;e\n";
	read_csv(s, strlen(s), SEGUR_EINVAL, &c, &e);
	assert_int_equal(e.v[0].row, 2);
	assert_non_null(strstr(e.v[0].message, "BOM"));
	segur_csv_errors_release(&e);
	segur__csv_release(&c);
	/* UTF-16 ("Texte Unicode"). */
	read_csv("\xff\xfe" "a\0;\0", 6, SEGUR_EINVAL, &c, &e);
	assert_non_null(strstr(e.v[0].message, "UTF-16"));
	segur_csv_errors_release(&e);
	segur__csv_release(&c);
}

static void
test_csv_refuses_nul_bytes_by_row_and_column(void **state)
{
	static const char s[] = "ref;Nom\nA;ok\nB;x\0y\n";
	struct segur_csv_errors e;
	struct segur__csv c;

	(void)state;
	read_csv(s, sizeof(s) - 1, SEGUR_EINVAL, &c, &e);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.v[0].row, 3);
	assert_string_equal(e.v[0].column, "Nom");
	assert_non_null(strstr(e.v[0].message, "octet nul"));
	segur_csv_errors_release(&e);
	segur__csv_release(&c);
}

static void
test_csv_limits(void **state)
{
	struct segur_buf b = SEGUR_BUF_INIT;
	struct segur_csv_errors e;
	struct segur__csv c;
	char		*big;
	size_t		 i;

	(void)state;
	/* A cell of exactly 4 KiB passes, one byte more does not. */
	assert_int_equal(segur_buf_adds(&b, "a;Nom\nx;"), 0);
	for (i = 0; i < SEGUR_CSV_MAX_CELL; i++)
		assert_int_equal(segur_buf_add(&b, "y", 1), 0);
	read_csv(b.data, b.len, 0, &c, &e);
	assert_int_equal(strlen(c.rows[1].f[1]), SEGUR_CSV_MAX_CELL);
	segur__csv_release(&c);
	assert_int_equal(segur_buf_add(&b, "y\n", 2), 0);
	read_csv(b.data, b.len, SEGUR_EINVAL, &c, &e);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.v[0].row, 2);
	assert_string_equal(e.v[0].column, "Nom");
	segur_csv_errors_release(&e);
	segur__csv_release(&c);
	/* A cell of 2 MB is refused in the middle: "plus de". */
	segur_buf_release(&b);
	assert_int_equal(segur_buf_adds(&b, "a;Nom\nx;"), 0);
	for (i = 0; i < 2000000; i++)
		assert_int_equal(segur_buf_add(&b, "z", 1), 0);
	read_csv(b.data, b.len, SEGUR_EINVAL, &c, &e);
	assert_int_equal(e.n, 1);
	assert_non_null(strstr(e.v[0].message, "plus de 4096"));
	segur_csv_errors_release(&e);
	segur__csv_release(&c);
	segur_buf_release(&b);
	/* 101 columns. */
	for (i = 0; i < SEGUR_CSV_MAX_COLUMNS + 1; i++)
		assert_int_equal(segur_buf_adds(&b, i > 0 ? ";c" : "c"), 0);
	read_csv(b.data, b.len, SEGUR_EINVAL, &c, &e);
	assert_int_equal(e.v[0].row, 1);
	assert_string_equal(e.v[0].column, "colonne 101");
	segur_csv_errors_release(&e);
	segur__csv_release(&c);
	segur_buf_release(&b);
	/* A row of 20 cells of 4000 bytes: over 64 KiB. */
	assert_int_equal(segur_buf_adds(&b, "h;i\n"), 0);
	for (i = 0; i < 20 * 4001; i++)
		assert_int_equal(segur_buf_add(&b, i % 4001 == 4000 ? ";" :
		    "w", 1), 0);
	read_csv(b.data, b.len, SEGUR_EINVAL, &c, &e);
	assert_int_equal(e.v[0].row, 2);
	assert_non_null(strstr(e.v[0].message, "65536"));
	segur_csv_errors_release(&e);
	segur__csv_release(&c);
	segur_buf_release(&b);
	/* 100,001 records. */
	for (i = 0; i <= SEGUR_CSV_MAX_ROWS; i++)
		assert_int_equal(segur_buf_adds(&b, "r\n"), 0);
	read_csv(b.data, b.len, SEGUR_EINVAL, &c, &e);
	assert_int_equal(e.v[0].row, SEGUR_CSV_MAX_ROWS + 1);
	segur_csv_errors_release(&e);
	segur__csv_release(&c);
	segur_buf_release(&b);
	/* Over 16 MiB: refused before reading a byte. */
	big = calloc(1, SEGUR_CSV_MAX_BYTES + 1);
	assert_non_null(big);
	read_csv(big, SEGUR_CSV_MAX_BYTES + 1, SEGUR_EINVAL, &c, &e);
	assert_int_equal(e.v[0].row, 0);
	assert_non_null(strstr(e.v[0].message, "16 Mio"));
	segur_csv_errors_release(&e);
	segur__csv_release(&c);
	free(big);
}

static void
test_csv_columns_duplicates_and_unknown(void **state)
{
	static const char *const names[] = { "reference", "montant_ht" };
	static const int required[] = { 1, 1 };
	struct segur_csv_errors e, w = { NULL, 0 };
	struct segur__csv c;
	const char	*s = "Référence;Montant HT;Montnat;REFERENCE\n"
	    "A;1;2;A\n";
	int		 idx[2];

	(void)state;
	read_csv(s, strlen(s), 0, &c, &e);
	assert_int_equal(segur__csv_columns(&c, names, required, idx, 2, &e,
	    &w), SEGUR_EINVAL);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.v[0].column, "REFERENCE");
	assert_non_null(strstr(e.v[0].message, "double"));
	assert_int_equal(w.n, 1);
	assert_string_equal(w.v[0].column, "Montnat");
	assert_int_equal(idx[0], 0);
	assert_int_equal(idx[1], 1);
	assert_string_equal(segur__csv_header(&c, idx[1]), "Montant HT");
	segur_csv_errors_release(&e);
	segur_csv_errors_release(&w);
	segur__csv_release(&c);
}

static void
test_csv_read_survives_allocation_failures(void **state)
{
#ifdef CSV_OOM_TEST
	static const char *const names[] = { "reference", "montant_ht" };
	static const int required[] = { 1, 1 };
	/* Windows-1252 (iconv), quotes, a blank row, two rows. */
	const char	*s = "R\xe9" "f\xe9rence;Montant HT;\"Autre\"\r\n"
	    "A;\"1\xa0" "000,00 \x80\";x\r\n;;\r\nB;2;y\r\n";
	struct segur_csv_errors e, w;
	struct segur__csv c;
	long		 n;
	int		 rc, idx[2], ok = 0;

	(void)state;
	/* Once for real: iconv loads its code page module once. */
	read_csv(s, strlen(s), 0, &c, &e);
	segur__csv_release(&c);
	for (n = 0; ok < 3 && n < 10000; n++) {
		memset(&e, 0, sizeof(e));
		memset(&w, 0, sizeof(w));
		live = 0;
		counting = 1;
		countdown = n;
		rc = segur__csv_read(s, strlen(s), &c, &e);
		if (rc == 0)
			rc = segur__csv_columns(&c, names, required, idx, 2,
			    &e, &w);
		countdown = -1;
		if (rc != 0 && rc != SEGUR_ENOMEM)
			fail_msg("n=%ld: rc %d", n, rc);
		if (rc == 0) {
			ok++;
			assert_string_equal(c.rows[1].f[1],
			    "1\xc2\xa0" "000,00 €");
			assert_int_equal(w.n, 1);
		} else
			ok = 0;
		segur__csv_release(&c);
		segur_csv_errors_release(&e);
		segur_csv_errors_release(&w);
		counting = 0;
		if (live != 0)
			fail_msg("n=%ld: %ld allocation(s) not freed", n, live);
	}
	assert_int_equal(ok, 3);
#else
	(void)state;
	skip();
#endif
}

#define HEADER \
	"Référence;Date commande;Régime TVA;Montant HT;FINESS juridique;" \
	"Nom responsable OG;Email responsable OG;Téléphone responsable OG;" \
	"FINESS géo;Ancienne version;Is maître ID;Is stockage ID;" \
	"Profil métier;Is réf soins\r\n"
#define ROW(ref, amount, geo, version) \
	ref ";02/10/2023;TTC;" amount ";750000127;MARTIN;d@og.fr;" \
	"+33123456780;" geo ";" version ";oui;non;PA;oui\r\n"

/* Imports csv with flags; expects rc. */
static void
import(struct fixture *f, const char *csv, unsigned flags, int rc,
    struct segur_import *im)
{
	memset(im, 0, sizeof(*im));
	im->name = "in.csv";
	im->flags = flags;
	assert_int_equal(segur_ledger_request_import_csv(f->l, csv,
	    strlen(csv), im, NULL), rc);
}

static void
test_csv_import_dry_run_writes_nothing(void **state)
{
	struct fixture	*f = *state;
	struct segur_import im;
	int64_t		 events;
	const char	*csv = HEADER ROW("BC-1", "4 866,67 €", "330001017",
	    "v") ROW("BC-1", "4866.67", "10000107", "v");

	events = query_int(f->l, "SELECT count(*) FROM event");
	import(f, csv, SEGUR_IMPORT_DRY_RUN, 0, &im);
	assert_int_equal(im.added, 1);
	assert_int_equal(im.rows, 2);
	assert_string_equal(im.encoding, "UTF-8");
	assert_int_equal(im.delim, ';');
	/* The 8-digit FINESS is a warning on its row, by its header. */
	assert_true(im.warnings.n >= 1);
	assert_int_equal(im.warnings.v[0].row, 3);
	assert_string_equal(im.warnings.v[0].column, "FINESS géo");
	/* What would be done, order by order, for request import --json. */
	assert_int_equal(im.nrefs, 1);
	assert_string_equal(im.refs[0].ref, "BC-1");
	assert_int_equal(im.refs[0].outcome, SEGUR_IMPORT_ADDED);
	segur_import_release(&im);
	assert_int_equal(query_int(f->l, "SELECT count(*) FROM event"),
	    events);
	assert_int_equal(query_int(f->l, "SELECT count(*) FROM request"), 0);
	import(f, csv, 0, 0, &im);
	assert_int_equal(im.added, 1);
	segur_import_release(&im);
	assert_int_equal(query_int(f->l, "SELECT count(*) FROM request_esms "
	    "WHERE finess_geo = '010000107'"), 1);
}

static void
test_csv_import_maps_findings_to_rows_and_columns(void **state)
{
	struct fixture	*f = *state;
	struct segur_import im;
	const char	*csv = HEADER ROW("BC-1", "100", "330001017", "v")
	    ROW("BC-1", "100", "330001025", "");
	size_t		 i;
	int		 found = 0;

	import(f, csv, 0, 0, &im);
	/* The second ESMS has no ancienneVersion: row 3, its column. */
	for (i = 0; i < im.warnings.n; i++) {
		if (strstr(im.warnings.v[i].message,
		    "scenarioInstallation[1].ancienneVersion") == NULL)
			continue;
		assert_int_equal(im.warnings.v[i].row, 3);
		assert_string_equal(im.warnings.v[i].column,
		    "Ancienne version");
		found = 1;
	}
	assert_true(found);
	segur_import_release(&im);
}

static void
test_csv_import_update_replaces_drafts_only(void **state)
{
	struct fixture	*f = *state;
	struct segur_import im;
	char		*s;
	const char	*v1 = HEADER ROW("BC-1", "100", "330001017", "v1")
	    ROW("BC-2", "200", "330001025", "v1");
	const char	*v2 = HEADER ROW("BC-1", "100", "330001017", "v2")
	    ROW("BC-2", "200", "330001025", "v1");

	import(f, v1, 0, 0, &im);
	segur_import_release(&im);
	/* Without --update, a registered reference is refused. */
	import(f, v2, 0, SEGUR_EINVAL, &im);
	assert_int_equal(im.errors.n, 2);
	assert_int_equal(im.errors.v[0].row, 2);
	assert_string_equal(im.errors.v[0].column, "Référence");
	assert_non_null(strstr(im.errors.v[0].message, "--update"));
	segur_import_release(&im);
	import(f, v2, SEGUR_IMPORT_UPDATE | SEGUR_IMPORT_DRY_RUN, 0, &im);
	assert_int_equal(im.updated, 1);
	assert_int_equal(im.unchanged, 1);
	segur_import_release(&im);
	assert_int_equal(query_int(f->l, "SELECT count(*) FROM event WHERE "
	    "action = 'request.edit'"), 0);
	import(f, v2, SEGUR_IMPORT_UPDATE, 0, &im);
	assert_int_equal(im.added, 0);
	assert_int_equal(im.updated, 1);
	assert_int_equal(im.unchanged, 1);
	assert_int_equal(im.nrefs, 2);
	assert_string_equal(im.refs[0].ref, "BC-1");
	assert_int_equal(im.refs[0].outcome, SEGUR_IMPORT_UPDATED);
	assert_string_equal(im.refs[1].ref, "BC-2");
	assert_int_equal(im.refs[1].outcome, SEGUR_IMPORT_UNCHANGED);
	segur_import_release(&im);
	s = query_text(f->l, "SELECT json_extract(after, '$.changes') FROM "
	    "event WHERE action = 'request.edit' AND entity_key = 'BC-1'");
	assert_string_equal(s, "[\"scenarioInstallation[0].ancienneVersion\"]");
	free(s);
	/* Not a draft any more: refused, nothing changes. */
	assert_int_equal(segur_ledger_request_withdraw(f->l, "BC-2", "x",
	    NULL), 0);
	import(f, v1, SEGUR_IMPORT_UPDATE, SEGUR_EINVAL, &im);
	assert_int_equal(im.errors.n, 1);
	/* Refused: BC-1, updated in the rolled-back transaction, is not
	 * listed. */
	assert_int_equal(im.nrefs, 0);
	assert_int_equal(im.updated, 0);
	assert_int_equal(im.errors.v[0].row, 3);
	assert_non_null(strstr(im.errors.v[0].message,
	    "n'est plus un brouillon (état « retirée »)"));
	segur_import_release(&im);
	s = query_text(f->l, "SELECT json_extract(content, "
	    "'$.scenarioInstallation[0].ancienneVersion') FROM request WHERE "
	    "ref = 'BC-1'");
	assert_string_equal(s, "v2");
	free(s);
	/* An update does not move a draft to another software. */
	assert_int_equal(segur_ledger_software_add(f->l, "2023000043", SIRET,
	    "autre", SEGUR_PROFIL_PA, NULL), 0);
	import(f, "reference;Numéro ANS;date_commande;regime_tva;montant_ht;"
	    "finess_juridique;finess_geo\nBC-1;2023000043;02/10/2023;TTC;100;"
	    "750000127;330001017\n", SEGUR_IMPORT_UPDATE, SEGUR_EINVAL, &im);
	assert_int_equal(im.errors.n, 1);
	assert_string_equal(im.errors.v[0].column, "Numéro ANS");
	segur_import_release(&im);
}

static void
test_csv_templates_import_as_empty(void **state)
{
	struct fixture	*f = *state;
	struct segur_buf b = SEGUR_BUF_INIT;
	struct segur_import im;
	const char *const *names;
	size_t		 n;

	assert_int_equal(segur_import_template(SEGUR_IMPORT_REQUESTS, &b), 0);
	names = segur_import_columns(SEGUR_IMPORT_REQUESTS, &n);
	assert_int_equal(n, 31);
	assert_string_equal(names[0], "reference");
	assert_memory_equal(b.data, "\xef\xbb\xbfreference;numero_ans;", 23);
	assert_string_equal(b.data + b.len - 14, "is_ref_soins\r\n");
	import(f, b.data, 0, 0, &im);
	assert_int_equal(im.added, 0);
	assert_int_equal(im.warnings.n, 1);	/* no data rows */
	segur_import_release(&im);
	segur_buf_release(&b);
	assert_int_equal(segur_import_template(SEGUR_IMPORT_TRANCHES, &b), 0);
	assert_string_equal(b.data, "\xef\xbb\xbftranche;montant_ttc\r\n");
	memset(&im, 0, sizeof(im));
	im.flags = SEGUR_IMPORT_DRY_RUN;
	assert_int_equal(segur_ledger_ref_import_csv(f->l,
	    SEGUR_IMPORT_TRANCHES, b.data, b.len, &im, NULL), 0);
	assert_int_equal(im.rows, 0);
	segur_import_release(&im);
	segur_buf_release(&b);
}

/*
 * record import: the rows the spreadsheet got wrong are refused by row and
 * header, a numeroASP the ledger does not know too, every row keeps its
 * fate, and nothing is written; the same under allocation failures.
 */
static void
test_csv_record_import_refuses_by_row(void **state)
{
	struct fixture	*f = *state;
	struct segur_buf b = SEGUR_BUF_INIT;
	struct segur_record_lines lines;
	struct segur_import im;
	const char	*csv = "Num\xe9" "ro ASP;Type;Date;Montant;Force motif\r\n"
	    "ASP-1;Avance vers\xe9" "e;20/11/2023;1\xa0" "460,00 \x80;\r\n"
	    "ASP-2;accord;2023-11-02;;raison\r\n"
	    "ASP-3;versement;31/02/2023;12,345;\r\n";
	int64_t		 events;
	long		 n;
	int		 rc, failed = 0;

	assert_int_equal(segur_import_template(SEGUR_IMPORT_RECORDS, &b), 0);
	assert_string_equal(b.data, "\xef\xbb\xbfnumero_asp;type;date;montant;"
	    "courrier;note;force_motif\r\n");
	memset(&im, 0, sizeof(im));
	assert_int_equal(segur_ledger_record_import_csv(f->l, b.data, b.len,
	    &im, &lines, NULL), 0);
	assert_int_equal(lines.n, 0);
	assert_int_equal(im.warnings.n, 1);	/* no data rows */
	segur_record_lines_release(&lines);
	segur_import_release(&im);
	segur_buf_release(&b);

	events = query_int(f->l, "SELECT count(*) FROM event");
	memset(&im, 0, sizeof(im));
	im.name = "avis.csv";
	assert_int_equal(segur_ledger_record_import_csv(f->l, csv,
	    strlen(csv), &im, &lines, NULL), SEGUR_EINVAL);
	assert_string_equal(im.encoding, "Windows-1252");
	assert_int_equal(im.rows, 3);
	assert_int_equal(lines.n, 3);
	/* Row 2 read whole, refused by the ledger as a whole row. */
	assert_int_equal(lines.v[0].row, 2);
	assert_int_equal(lines.v[0].kind, SEGUR_RECORD_ADVANCE_PAID);
	assert_string_equal(lines.v[0].date, "2023-11-20");
	assert_int_equal(lines.v[0].amount_cents, 146000);
	assert_int_equal(lines.v[0].fate, SEGUR_LINE_REFUSED);
	assert_non_null(strstr(lines.v[0].message, "ASP-1"));
	/* Row 3: force_motif on a grant. */
	assert_int_equal(lines.v[1].fate, SEGUR_LINE_REFUSED);
	assert_int_equal(lines.v[1].amount_cents, -1);
	/* Row 4: three cells wrong, each reported; the first is the line's. */
	assert_int_equal(lines.v[2].kind, -1);
	assert_string_equal(lines.v[2].date, "");
	assert_non_null(strstr(lines.v[2].message, "versement"));
	/* In the order found: the rows read, then the ledger's answer. */
	assert_int_equal(im.errors.n, 5);
	assert_int_equal(im.errors.v[0].row, 3);
	assert_string_equal(im.errors.v[0].column, "Force motif");
	assert_string_equal(im.errors.v[1].column, "Type");
	assert_string_equal(im.errors.v[2].column, "Date");
	assert_string_equal(im.errors.v[3].column, "Montant");
	assert_int_equal(im.errors.v[4].row, 2);
	assert_string_equal(im.errors.v[4].column, "Num\xc3\xa9ro ASP");
	segur_record_lines_release(&lines);
	segur_import_release(&im);
	assert_int_equal(query_int(f->l, "SELECT count(*) FROM event"), events);
#ifdef CSV_OOM_TEST
	for (n = 0; n <= 120; n += 1 + n / 10) {
		memset(&im, 0, sizeof(im));
		countdown = n;
		rc = segur_ledger_record_import_csv(f->l, csv, strlen(csv),
		    &im, &lines, NULL);
		countdown = -1;
		if (rc == SEGUR_ENOMEM || rc == SEGUR_EDB)
			failed++;
		else if (rc != SEGUR_EINVAL)
			fail_msg("n=%ld: rc %d", n, rc);
		segur_record_lines_release(&lines);
		segur_import_release(&im);
		segur_ledger_close(f->l);
		assert_int_equal(segur_ledger_open(f->db, 0, &f->l, NULL), 0);
		assert_int_equal(query_int(f->l, "SELECT count(*) FROM "
		    "event"), events);
	}
	assert_true(failed > 10);
#else
	(void)n;
	(void)rc;
	(void)failed;
#endif
}

static void
test_csv_import_survives_allocation_failures(void **state)
{
#ifdef CSV_OOM_TEST
	struct fixture	*f = *state;
	struct segur_import im;
	struct segur_audit a;
	const char	*csv = HEADER ROW("BC-1", "4 866,67 €", "330001017",
	    "v") ROW("BC-1", "4866.67", "10000107", "") ROW("BC-2", "100",
	    "330001025", "v");
	int64_t		 events;
	long		 n, total;
	int		 rc, failed = 0;

	/* How many allocations a whole import makes. */
	events = query_int(f->l, "SELECT count(*) FROM event");
	memset(&im, 0, sizeof(im));
	im.flags = SEGUR_IMPORT_DRY_RUN;
	countdown = LONG_MAX;
	assert_int_equal(segur_ledger_request_import_csv(f->l, csv,
	    strlen(csv), &im, NULL), 0);
	total = LONG_MAX - countdown;
	countdown = -1;
	segur_import_release(&im);
	/* Every one of the first hundred fails once, then sparser. */
	for (n = 0; n <= total; n += 1 + n / 100) {
		memset(&im, 0, sizeof(im));
		im.name = "in.csv";
		im.flags = n % 2 ? SEGUR_IMPORT_DRY_RUN :
		    SEGUR_IMPORT_DRY_RUN | SEGUR_IMPORT_UPDATE;
		countdown = n;
		rc = segur_ledger_request_import_csv(f->l, csv, strlen(csv),
		    &im, NULL);
		countdown = -1;
		/* Some failures are absorbed (utf8proc keeps a buffer it
		 * could not shrink; the validator reports a check it could
		 * not make): the import then succeeds whole. */
		if (rc == 0)
			assert_int_equal(im.added, 2);
		else if (rc == SEGUR_ENOMEM || rc == SEGUR_EDB)
			failed++;
		else if (rc == SEGUR_EINVAL && im.errors.n == 1 &&
		    strstr(im.errors.v[0].message, "pas un objet JSON") !=
		    NULL)
			/* segur_ledger_request_add() reads a parse that ran
			 * out of memory as content that is not JSON: a
			 * refusal, nothing written all the same. */
			failed++;
		else
			fail_msg("n=%ld: rc %d, %zu error(s): %s", n, rc,
			    im.errors.n, im.errors.n > 0 ?
			    im.errors.v[0].message : "");
		segur_import_release(&im);
		/* Whatever failed, nothing was written. */
		segur_ledger_close(f->l);
		assert_int_equal(segur_ledger_open(f->db, 0, &f->l, NULL), 0);
		assert_int_equal(query_int(f->l, "SELECT count(*) FROM "
		    "event"), events);
	}
	assert_true(failed > 100);
	/* The same for a reference table, really replaced this time. */
	csv = "FINESS géo;FINESS juridique;Tranche\r\n330001017;750000127;B"
	    "\r\n10000107;750000127;B\r\n";
	for (n = 0; n <= 400; n += 1 + n / 100) {
		memset(&im, 0, sizeof(im));
		countdown = n;
		rc = segur_ledger_ref_import_csv(f->l, SEGUR_IMPORT_ELIGIBLE,
		    csv, strlen(csv), &im, NULL);
		countdown = -1;
		if (rc != 0 && rc != SEGUR_ENOMEM && rc != SEGUR_EDB)
			fail_msg("n=%ld: rc %d", n, rc);
		segur_import_release(&im);
		segur_ledger_close(f->l);
		assert_int_equal(segur_ledger_open(f->db, 0, &f->l, NULL), 0);
		/* All or nothing. */
		assert_int_equal(query_int(f->l, "SELECT count(*) FROM "
		    "eligible"), rc == 0 || query_int(f->l, "SELECT count(*) "
		    "FROM event WHERE action = 'ref.import'") > 0 ? 2 : 0);
	}
	assert_int_equal(segur_ledger_audit_verify(f->l, &a, NULL), 0);
	segur_audit_release(&a);
#else
	(void)state;
	skip();
#endif
}

static void
test_csv_withdrawn_draft_drops_its_content(void **state)
{
	struct fixture	*f = *state;
	struct segur_import im;
	struct segur_audit a;
	char		*content, *s, hex[65];
	const char	*csv = HEADER ROW("BC-1", "100", "330001017", "v");

	import(f, csv, 0, 0, &im);
	segur_import_release(&im);
	content = query_text(f->l, "SELECT content FROM request");
	segur_sha256_hex(content, strlen(content), hex);
	assert_int_equal(segur_ledger_request_withdraw(f->l, "BC-1",
	    "importé par erreur", NULL), 0);
	s = query_text(f->l, "SELECT content FROM request");
	assert_string_equal(s, "{}");
	free(s);
	s = query_text(f->l, "SELECT json_extract(after, "
	    "'$.detail.content_dropped.sha256') FROM event WHERE action = "
	    "'request.state' ORDER BY id DESC LIMIT 1");
	assert_string_equal(s, hex);
	free(s);
	assert_int_equal(query_int(f->l, "SELECT json_extract(after, "
	    "'$.detail.content_dropped.bytes') FROM event WHERE action = "
	    "'request.state' ORDER BY id DESC LIMIT 1"),
	    (int64_t)strlen(content));
	free(content);
	assert_int_equal(query_int(f->l, "SELECT count(*) FROM request"), 1);
	assert_int_equal(segur_ledger_audit_verify(f->l, &a, NULL), 0);
	segur_audit_release(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_fold_headers),
		cmocka_unit_test(test_csv_amounts_as_spreadsheets_write_them),
		cmocka_unit_test(test_csv_leading_zero_given_back),
		cmocka_unit_test(test_csv_dates),
		cmocka_unit_test(test_csv_encodings),
		cmocka_unit_test(test_csv_refuses_nul_bytes_by_row_and_column),
		cmocka_unit_test(test_csv_limits),
		cmocka_unit_test(test_csv_columns_duplicates_and_unknown),
		cmocka_unit_test(test_csv_read_survives_allocation_failures),
		cmocka_unit_test_setup_teardown(
		    test_csv_import_dry_run_writes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_csv_import_maps_findings_to_rows_and_columns, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_csv_import_update_replaces_drafts_only, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_csv_templates_import_as_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_csv_record_import_refuses_by_row, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_csv_import_survives_allocation_failures, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_csv_withdrawn_draft_drops_its_content, setup,
		    teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
