/*
 * helper-ledger.c: a ledger with the examples' software and requests, for
 * the tests that call the library directly (helper-ledger.h).
 */
#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "helper-json.h"
#include "helper-ledger.h"
#include "ledger/ledger-int.h"
#include "segur/ledger.h"
#include "segur/util.h"

char *
helper_tmpdir(const char *name)
{
	const char	*tmp = getenv("TMPDIR");
	char		*dir;

	dir = segur_asprintf("%s/segur-%s-XXXXXX", tmp != NULL &&
	    tmp[0] != '\0' ? tmp : "/tmp", name);
	assert_non_null(dir);
	assert_non_null(mkdtemp(dir));
	return (dir);
}

/* Lets the owner write in a folder, so that its entries can go. */
static int
rm_open(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (flag == FTW_D && (st->st_mode & S_IWUSR) == 0)
		return (chmod(path, (st->st_mode & 07777) | S_IRWXU));
	return (0);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return (remove(path));
}

void
helper_tmpdir_free(char *dir)
{
	if (dir == NULL)
		return;
	/*
	 * Read-only files (the archive's objects) go with remove(); entries
	 * of a read-only folder need the folder writable first.
	 */
	assert_int_equal(nftw(dir, rm_open, 16, FTW_PHYS), 0);
	assert_int_equal(nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
	free(dir);
}

char *
helper_path(const char *dir, const char *leaf)
{
	char	*p = segur_asprintf("%s/%s", dir, leaf);

	assert_non_null(p);
	return (p);
}

struct segur_ledger *
helper_ledger_new(const char *dir, int with_software)
{
	struct segur_ledger	*l;
	char			*db = helper_path(dir, "ledger.db");

	assert_int_equal(segur_ledger_open(db, SEGUR_LEDGER_CREATE, &l, NULL),
	    0);
	free(db);
	if (with_software)
		assert_int_equal(segur_ledger_software_add(l, HELPER_ANS,
		    HELPER_SIRET, "test", 0x1ff, NULL), 0);
	return (l);
}

int
helper_ledger_setup_at(void **state, const char *leaf)
{
	struct helper_ledger	*f;

	assert_non_null(f = calloc(1, sizeof(*f)));
	f->dir = helper_tmpdir(program_invocation_short_name);
	f->db = helper_path(f->dir, leaf);
	assert_int_equal(setenv("SEGUR_ACTOR", "test", 1), 0);
	assert_int_equal(segur_ledger_open(f->db, SEGUR_LEDGER_CREATE, &f->l,
	    NULL), 0);
	*state = f;
	return (0);
}

int
helper_ledger_setup(void **state)
{
	return (helper_ledger_setup_at(state, "ledger.db"));
}

int
helper_ledger_teardown(void **state)
{
	struct helper_ledger	*f = *state;

	segur_ledger_close(f->l);
	helper_tmpdir_free(f->dir);
	free(f->db);
	free(f);
	return (0);
}

/* Writes len bytes of data as dir/leaf; returns the path (malloc'ed). */
static char *
write_doc(const char *dir, const char *leaf, const char *data, size_t len)
{
	char	*p = helper_path(dir, leaf);

	assert_int_equal(segur_write_file_atomic(p, data, len, 0600, NULL), 0);
	return (p);
}

void
helper_example_ready(struct segur_ledger *l, const char *dir)
{
	struct segur_request_new req;
	cJSON	*root, *line;
	char	*text, *bdc, *ht, ref[8];
	int	 i;

	text = helper_read_data("JSON-2023000042-20231002-001.json", NULL);
	assert_non_null(root = cJSON_Parse(text));
	free(text);
	bdc = write_doc(dir, "bdc.pdf", "%PDF-1.4\n%%EOF\n", 15);
	ht = write_doc(dir, "ht.png", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
	for (i = 0; i < 2; i++) {
		line = cJSON_GetArrayItem(cJSON_GetObjectItem(root,
		    "lignesImport"), i);
		assert_non_null(text = cJSON_PrintUnformatted(line));
		snprintf(ref, sizeof(ref), "BC-%d", i + 1);
		memset(&req, 0, sizeof(req));
		req.ref = ref;
		req.numero_ans = HELPER_ANS;
		req.content = text;
		req.content_len = strlen(text);
		req.bdc_path = bdc;
		req.ht_path = i == 1 ? ht : NULL;
		assert_int_equal(segur_ledger_request_add(l, &req, NULL, NULL),
		    0);
		free(text);
	}
	cJSON_Delete(root);
	free(bdc);
	free(ht);
	/* What segurctl request ready checks is not this test's subject. */
	assert_int_equal(segur__exec(l, "UPDATE request SET state = 'ready' "
	    "WHERE state = 'draft'", NULL), 0);
}

int64_t
helper_count(struct segur_ledger *l, const char *sql)
{
	sqlite3_stmt	*st;
	int64_t		 n;

	assert_int_equal(sqlite3_prepare_v2(l->db, sql, -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return (n);
}

char *
helper_text(struct segur_ledger *l, const char *sql)
{
	sqlite3_stmt	*st;
	char		*s = NULL;

	assert_int_equal(sqlite3_prepare_v2(l->db, sql, -1, &st, NULL),
	    SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) !=
	    NULL)
		assert_non_null(s = strdup((const char *)sqlite3_column_text(st,
		    0)));
	sqlite3_finalize(st);
	return (s);
}
