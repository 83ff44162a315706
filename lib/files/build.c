/*
 * build.c: the build driver, for advance and balance files alike (build.h,
 * build-int.h, docs/internals/build.md): load, check, recover the output
 * folder, write, commit, rename. What differs between the kinds is in
 * build-advance.c and build-solde.c.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "files/build-int.h"
#include "files/filerec.h"
#include "ledger/ledger-int.h"
#include "segur/date.h"
#include "segur/error.h"
#include "segur/solde.h"

/* Files are written as ".<name>" TMP_SUFFIX beside their final name and
 * renamed only after the transaction that records them commits. */
#define TMP_SUFFIX	".segur-tmp"

/* Calls the caller's hook at a numbered point (the crash tests). */
static void
crash_point(const struct segur__build *b, int at)
{
	if (b->o->crash_point != NULL)
		b->o->crash_point(b->o->crash_arg, at);
}

/* Adds final (a path in the output folder) to the files to rename after
 * the commit; *tmp (borrowed) receives the temporary path to write. */
static int
outdir_add(struct segur__build *b, const char *final, const char **tmp)
{
	struct segur__pending *p;
	const char	*slash = strrchr(final, '/');
	char		*t, *f;

	if (slash == NULL)
		return (SEGUR_EINVAL);
	t = segur_asprintf("%.*s/.%s" TMP_SUFFIX, (int)(slash - final),
	    final, slash + 1);
	f = strdup(final);
	p = realloc(b->pending, (b->npending + 1) * sizeof(*b->pending));
	if (p != NULL)
		b->pending = p;
	if (t == NULL || f == NULL || p == NULL) {
		free(t);
		free(f);
		return (SEGUR_ENOMEM);
	}
	b->pending[b->npending].tmp = t;
	b->pending[b->npending].final = f;
	*tmp = b->pending[b->npending++].tmp;
	return (0);
}

/* Is name (in the folder) a temporary file of a build? */
static int
tmp_name(const char *name)
{
	size_t	 nl = strlen(name), sl = strlen(TMP_SUFFIX);

	return (name[0] == '.' && nl > 1 + sl &&
	    strcmp(name + nl - sl, TMP_SUFFIX) == 0);
}

/* Did the ledger record final's name with the content of tmp? */
static int
recorded(struct segur_ledger *l, const char *tmp, const char *name)
{
	static const char *const sql =
	    "SELECT sha256 FROM file WHERE direction = 'out' AND name = ?";
	sqlite3_stmt	*st;
	char		*data, hex[65];
	size_t		 len;
	int		 yes = 0;

	if (segur__stmt(l, sql, &st, NULL) != 0)
		return (0);
	segur__bind_text(st, 1, name);
	if (sqlite3_step(st) == SQLITE_ROW && segur_read_file(tmp,
	    SEGUR_ZIP_MAX_BYTES + (size_t)1024 * 1024, &data, &len,
	    NULL) == 0) {
		segur_sha256_hex(data, len, hex);
		yes = strcmp(hex, (const char *)sqlite3_column_text(st, 0)) ==
		    0;
		free(data);
	}
	sqlite3_reset(st);
	return (yes);
}

/*
 * Completes or clears what an interrupted build of either kind left in
 * the output folder, inside this build's transaction (so that two builds
 * never race on it): a temporary file whose final name the ledger records
 * with the same content is renamed into place, any other is removed.
 */
static int
outdir_recover(struct segur__build *b)
{
	struct dirent	*de;
	DIR		*d;
	char		*tmp, *final;
	size_t		 sl = strlen(TMP_SUFFIX);
	int		 rc = 0;

	if ((d = opendir(b->o->outdir)) == NULL)
		return (0);
	while (rc == 0 && (de = readdir(d)) != NULL) {
		/* Leftovers of segur_write_file_atomic() go too. */
		if (de->d_name[0] != '.' || strstr(de->d_name,
		    TMP_SUFFIX) == NULL)
			continue;
		tmp = segur_asprintf("%s/%s", b->o->outdir, de->d_name);
		final = tmp_name(de->d_name) ? segur_asprintf("%s/%.*s",
		    b->o->outdir, (int)(strlen(de->d_name) - 1 - sl),
		    de->d_name + 1) : NULL;
		if (tmp != NULL && final != NULL && access(final, F_OK) != 0 &&
		    recorded(b->l, tmp, strrchr(final, '/') + 1)) {
			if (rename(tmp, final) == 0)
				b->r->nrecovered++;
			else
				rc = segur_cause(b->cause, SEGUR_EIO,
				    "rename %s: %s", tmp, strerror(errno));
		} else if (tmp != NULL)
			unlink(tmp);
		free(final);
		free(tmp);
	}
	closedir(d);
	if (rc == 0)
		rc = segur_fsync_dir(b->o->outdir, b->cause);
	return (rc);
}

/* After the commit: renames every temporary file to its name (crash
 * point 4 after the first), then syncs the folder. */
static int
outdir_finish(struct segur__build *b)
{
	size_t	 i;

	for (i = 0; i < b->npending; i++) {
		if (rename(b->pending[i].tmp, b->pending[i].final) == -1)
			return (segur_cause(b->cause, SEGUR_EIO, "rename %s: "
			    "%s (le lot est enregistré : relancez %s pour "
			    "terminer)", b->pending[i].tmp, strerror(errno),
			    b->k->again));
		if (i == 0)
			crash_point(b, 4);
	}
	return (segur_fsync_dir(b->o->outdir, b->cause));
}

/* A build whose transaction is open and will not commit: rolls it back,
 * removes its temporary files and empties the result's list of files
 * (nothing was recorded). */
static void
outdir_abandon(struct segur__build *b)
{
	size_t	 i;

	segur_ledger_rollback(b->l);
	for (i = 0; i < b->npending; i++)
		unlink(b->pending[i].tmp);
	for (i = 0; i < b->r->nfiles; i++) {
		free(b->r->files[i].name);
		free(b->r->files[i].path);
	}
	b->r->nfiles = 0;
}

/*
 * The day of a build: opt (a real calendar date, "AAAA-MM-JJ",
 * "JJ/MM/AAAA" as every command takes one, or "AAAAMMJJ" as file names
 * write it) or, when NULL, today in local time (the day the files are
 * uploaded).
 */
static int
build_day(const char *opt, char day[9], char **cause)
{
	struct segur_date d;

	if (opt != NULL) {
		if (segur_date_parse(opt, strlen(opt), SEGUR_DATE_ISO |
		    SEGUR_DATE_FR | SEGUR_DATE_COMPACT, &d) != 0 ||
		    d.year < 1900)
			return (segur_cause(cause, SEGUR_EINVAL, "date « %s » : "
			    "AAAA-MM-JJ, JJ/MM/AAAA ou AAAAMMJJ attendu (une "
			    "date réelle)", opt));
	} else if (segur_date_today(&d) != 0)
		return (segur_cause(cause, SEGUR_EIO, "localtime"));
	segur_date_format_compact(&d, day);
	return (0);
}

/* The software of a build: ans, or the only one the ledger knows. */
static int
build_software(struct segur_ledger *l, const char *ans,
    struct segur_software *sw, char **cause)
{
	struct segur_software	*all;
	size_t			 n;
	int			 rc;

	if (ans != NULL)
		return (segur_ledger_software_get(l, ans, sw, cause));
	if ((rc = segur_ledger_software_list(l, &all, &n, cause)) != 0)
		return (rc);
	if (n != 1) {
		segur_software_free_array(all, n);
		return (segur_cause(cause, n == 0 ? SEGUR_ENOENT :
		    SEGUR_EINVAL, n == 0 ? "aucun logiciel enregistré "
		    "(segurctl software add)" : "plusieurs logiciels "
		    "enregistrés : précisez --ans NUMERO_ANS"));
	}
	rc = segur_ledger_software_get(l, all[0].numero_ans, sw, cause);
	segur_software_free_array(all, n);
	return (rc);
}

void
segur_build_result_release(struct segur_build_result *r)
{
	size_t	 i;

	for (i = 0; i < r->nfiles; i++) {
		free(r->files[i].name);
		free(r->files[i].path);
	}
	for (i = 0; i < r->nskipped; i++) {
		free(r->skipped[i].ref);
		free(r->skipped[i].reason);
	}
	free(r->files);
	free(r->skipped);
	memset(r, 0, sizeof(*r));
}

struct segur__breq *
segur__build_req_new(struct segur__build *b, size_t size)
{
	struct segur__breq	*q;
	void			*p;

	p = realloc(b->reqs, (b->nreqs + 1) * sizeof(*b->reqs));
	if (p == NULL)
		return (NULL);
	b->reqs = p;
	if ((q = calloc(1, size)) == NULL)
		return (NULL);
	b->reqs[b->nreqs++] = q;
	return (q);
}

static void
breq_free(const struct segur__build_kind *k, struct segur__breq *q)
{
	size_t	 i;

	if (q == NULL)
		return;
	if (k->release != NULL)
		k->release(q);
	for (i = 0; i < q->ndocs; i++) {
		free(q->docs[i].type);
		free(q->docs[i].path);
		free(q->docs[i].archived);
	}
	free(q->ref);
	free(q->skip);
	free(q);
}

int
segur__build_skip(struct segur__breq *q, char *reason)
{
	if (reason == NULL)
		return (SEGUR_ENOMEM);
	if (q->skip == NULL)
		q->skip = reason;
	else
		free(reason);
	return (0);
}

int
segur__build_doc_check(struct segur__build *b, struct segur__breq *q,
    struct segur__bdoc *d)
{
	char	*why = NULL;
	int	 rc;

	rc = segur_doc_check(d->path, d->format, b->o->max_doc, d->sha256,
	    &d->size, &why);
	if (rc == 0 || rc == SEGUR_ENOMEM) {
		free(why);
		return (rc);
	}
	if ((rc = segur__build_skip(q, why != NULL ? why :
	    strdup(segur_strerror(rc)))) != 0)
		return (rc);
	return (1);
}

/* Adds a file to the result; returns it, or NULL on ENOMEM. */
static struct segur_build_file *
add_file(struct segur__build *b, const char *name, enum segur_file_kind kind)
{
	struct segur_build_file	*f;
	void			*p;

	p = realloc(b->r->files, (b->r->nfiles + 1) * sizeof(*b->r->files));
	if (p == NULL)
		return (NULL);
	b->r->files = p;
	f = &b->r->files[b->r->nfiles];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->name = strdup(name);
	f->path = segur_asprintf("%s/%s", b->o->outdir, name);
	if (f->name == NULL || f->path == NULL) {
		free(f->name);
		free(f->path);
		return (NULL);
	}
	b->r->nfiles++;
	return (f);
}

/* Records an outgoing file (its archive row, its event); *id its row. */
static int
record_file(struct segur__build *b, const struct segur_build_file *f,
    int rank, int64_t *id)
{
	struct segur_file_new	 n;

	memset(&n, 0, sizeof(n));
	n.kind = f->kind;
	n.outgoing = 1;
	n.name = f->name;
	n.numero_ans = b->sw.numero_ans;
	n.day = b->r->day;
	n.rank = rank;
	n.sha256 = f->sha256;
	n.size = (int64_t)f->size;
	return (segur_ledger_file_add(b->l, &n, id, b->cause));
}

/* Archives the sent documents of q, once q is known to go in. */
static int
archive_documents(struct segur__build *b, struct segur__breq *q)
{
	struct segur__bdoc	*d;
	char			*why = NULL;
	size_t			 i;
	int			 rc;

	for (i = 0; i < q->ndocs; i++) {
		d = &q->docs[i];
		if (!d->sent)
			continue;
		rc = segur_archive_put_file(&b->archive, d->path,
		    b->o->max_doc ? b->o->max_doc : SEGUR_DOC_MAX_BYTES,
		    d->sha256, &why);
		if (rc < 0) {
			segur_cause(b->cause, rc, "archiver %s : %s", d->path,
			    why != NULL ? why : segur_strerror(rc));
			free(why);
			return (rc);
		}
		if ((rc = segur__archive_repaired(b->l, rc, d->sha256, d->path,
		    b->cause)) != 0)
			return (rc);
		if ((d->archived = segur_archive_path(&b->archive,
		    d->sha256)) == NULL)
			return (SEGUR_ENOMEM);
	}
	return (0);
}

/*
 * Checks every request (and archives the documents of those that go in):
 * the ones that go in in *ok, the others in the result with their reason.
 */
static int
sort_out(struct segur__build *b, struct segur__breq ***ok, size_t *nok)
{
	struct segur__breq	*q;
	size_t			 i;
	void			*p;
	int			 rc;

	*nok = 0;
	if ((*ok = calloc(b->nreqs + 1, sizeof(**ok))) == NULL)
		return (SEGUR_ENOMEM);
	for (i = 0; i < b->nreqs; i++) {
		q = b->reqs[i];
		if ((rc = b->k->check(b, q)) != 0)
			return (rc);
		if (q->skip == NULL) {
			if (!b->o->dry_run &&
			    (rc = archive_documents(b, q)) != 0)
				return (rc);
			(*ok)[(*nok)++] = q;
			continue;
		}
		p = realloc(b->r->skipped, (b->r->nskipped + 1) *
		    sizeof(*b->r->skipped));
		if (p == NULL)
			return (SEGUR_ENOMEM);
		b->r->skipped = p;
		b->r->skipped[b->r->nskipped].ref = q->ref;
		b->r->skipped[b->r->nskipped].reason = q->skip;
		q->ref = NULL;
		q->skip = NULL;
		b->r->nskipped++;
	}
	return (0);
}

/* Writes, archives and records the zips of the requests reqs[0..n) of the
 * file of that rank. */
static int
build_zips(struct segur__build *b, struct segur__breq **reqs, size_t n,
    int rank)
{
	struct segur_bundle_doc	*docs = NULL;
	struct segur_build_file	*f;
	struct segur__bdoc	*d;
	struct stat		 st;
	size_t			*zip_of = NULL, nd = 0, nzips, i, j, k;
	int64_t			 zip_id = 0;
	char			 name[96], *why = NULL;
	const char		*tmp = NULL;
	int			 rc = SEGUR_ENOMEM;

	for (i = 0; i < n; i++)
		nd += reqs[i]->ndocs;
	if (nd == 0)
		return (0);
	if ((docs = calloc(nd, sizeof(*docs))) == NULL ||
	    (zip_of = calloc(nd, sizeof(*zip_of))) == NULL)
		goto out;
	/* Each request's documents together, in the request's order. */
	for (nd = 0, i = 0; i < n; i++)
		for (j = 0; j < reqs[i]->ndocs; j++) {
			if (!reqs[i]->docs[j].sent)
				continue;
			docs[nd].path = reqs[i]->docs[j].archived;
			docs[nd].name = reqs[i]->docs[j].name;
			docs[nd].size = reqs[i]->docs[j].size;
			docs[nd].group = (long)i;
			nd++;
		}
	if ((rc = segur_bundle_plan(docs, nd, b->o->max_zip, zip_of, &nzips,
	    b->cause)) != 0)
		goto out;
	for (k = 0; k < nzips; k++) {
		snprintf(name, sizeof(name), "PJ-%s%s-%s-%03d-%zu.zip",
		    b->k->prefix, b->sw.numero_ans, b->r->day, rank, k + 1);
		if ((f = add_file(b, name, SEGUR_FILE_DOCUMENTS)) == NULL) {
			rc = SEGUR_ENOMEM;
			goto out;
		}
		if ((rc = outdir_add(b, f->path, &tmp)) != 0)
			goto out;
		if ((rc = segur_bundle_write(tmp, docs, nd, zip_of, k,
		    (int64_t)time(NULL), b->cause)) != 0)
			goto out;
		rc = segur_archive_put_file(&b->archive, tmp,
		    SEGUR_ZIP_MAX_BYTES + (size_t)1024 * 1024, f->sha256, &why);
		if (rc < 0) {
			segur_cause(b->cause, rc, "%s", why);
			goto out;
		}
		if ((rc = segur__archive_repaired(b->l, rc, f->sha256, name,
		    b->cause)) != 0)
			goto out;
		for (i = 0; i < nd; i++)
			if (zip_of[i] == k)
				f->count++;
		if (stat(tmp, &st) == 0)
			f->size = (uint64_t)st.st_size;
		if ((rc = record_file(b, f, 0, &zip_id)) != 0)
			goto out;
		for (i = 0, nd = 0; i < n; i++)
			for (j = 0; j < reqs[i]->ndocs; j++) {
				d = &reqs[i]->docs[j];
				if (!d->sent || zip_of[nd++] != k)
					continue;
				if ((rc = segur__archive_record(b->l,
				    d->sha256, d->size, b->cause)) != 0 ||
				    (rc = b->k->record_doc(b, reqs[i], d,
				    zip_id, name)) != 0)
					goto out;
			}
	}
	rc = 0;
out:
	if (rc == SEGUR_ENOMEM)
		segur_cause(b->cause, rc, "mémoire épuisée");
	free(why);
	free(docs);
	free(zip_of);
	return (rc);
}

/* Builds, records and writes one JSON file of reqs[0..n) and its zips. */
static int
build_file(struct segur__build *b, struct segur__breq **reqs, size_t n)
{
	struct segur_buf	 text = SEGUR_BUF_INIT;
	struct segur_build_file	*f;
	struct stat		 st;
	const char		*tmp;
	char			 name[80], *why = NULL;
	int64_t			 file_id = 0;
	size_t			 fi;
	int			 rank = 0, rc;

	if ((rc = b->k->alloc_rank(b, &rank)) != 0)
		return (rc);
	snprintf(name, sizeof(name), "JSON-%s%s-%s-%03d.json", b->k->prefix,
	    b->sw.numero_ans, b->r->day, rank);
	if ((f = add_file(b, name, b->k->kind)) == NULL)
		return (segur_cause(b->cause, SEGUR_ENOMEM, "mémoire épuisée"));
	/* add_file() moves the array: keep the index, not the pointer. */
	fi = b->r->nfiles - 1;
	if (lstat(f->path, &st) == 0)
		return (segur_cause(b->cause, SEGUR_EEXIST, "%s existe déjà : "
		    "un fichier de ce nom n'a pas été produit par ce registre",
		    f->path));
	if ((rc = b->k->write(b, reqs, n, name, &text)) != 0)
		goto out;
	f = &b->r->files[fi];
	if ((rc = segur_archive_put(&b->archive, text.data, text.len,
	    f->sha256, &why)) < 0) {
		segur_cause(b->cause, rc, "%s", why);
		goto out;
	}
	if ((rc = segur__archive_repaired(b->l, rc, f->sha256, name,
	    b->cause)) != 0)
		goto out;
	f->size = text.len;
	f->count = n;
	if ((rc = record_file(b, f, rank, &file_id)) != 0 ||
	    (rc = b->k->record(b, reqs, n, file_id, name)) != 0 ||
	    (rc = build_zips(b, reqs, n, rank)) != 0)
		goto out;
	if ((rc = outdir_add(b, b->r->files[fi].path,
	    &tmp)) != 0)
		goto out;
	rc = segur_write_file_atomic(tmp, text.data, text.len, 0640, b->cause);
out:
	if (rc == SEGUR_ENOMEM)
		segur_cause(b->cause, rc, "mémoire épuisée");
	segur_buf_release(&text);
	free(why);
	return (rc);
}

/* Plans a dry run: the names the files would get, nothing allocated. */
static int
plan(struct segur__build *b, size_t nok, size_t max)
{
	struct segur_build_file *f;
	sqlite3_stmt	*st;
	char		 name[80];
	size_t		 i;
	int		 rank = 0, rc;

	if ((rc = segur__stmt(b->l, b->k->q_last_rank, &st, b->cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, b->sw.numero_ans);
	segur__bind_text(st, 2, b->r->day);
	if (sqlite3_step(st) == SQLITE_ROW)
		rank = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	for (i = 0; i < nok; i += max) {
		snprintf(name, sizeof(name), "JSON-%s%s-%s-%03d.json",
		    b->k->prefix, b->sw.numero_ans, b->r->day, ++rank);
		if ((f = add_file(b, name, b->k->kind)) == NULL)
			return (segur_cause(b->cause, SEGUR_ENOMEM,
			    "mémoire épuisée"));
		f->count = nok - i < max ? nok - i : max;
	}
	b->r->nrequests = nok;
	return (0);
}

int
segur_build_run(struct segur_ledger *l, const struct segur_build_opts *o,
    struct segur_build_result *r, char **cause)
{
	struct segur__build	 b;
	struct segur__breq	**ok = NULL;
	size_t			 nok = 0, max, i;
	int			 rc, began = 0;

	memset(r, 0, sizeof(*r));
	memset(&b, 0, sizeof(b));
	if (o->kind == SEGUR_FILE_SUBMISSION)
		b.k = &segur__build_advance;
	else if (o->kind == SEGUR_FILE_SOLDE)
		b.k = &segur__build_solde;
	else
		return (segur_cause(cause, SEGUR_EINVAL, "aucune construction "
		    "de fichiers du genre %d", (int)o->kind));
	b.l = l;
	b.o = o;
	b.r = r;
	b.cause = cause;
	max = o->max_lines > 0 && o->max_lines < SEGUR_BUILD_MAX_LINES ?
	    o->max_lines : SEGUR_BUILD_MAX_LINES;
	if ((b.k->prepare != NULL && (rc = b.k->prepare(&b)) != 0) ||
	    (rc = build_day(o->day, r->day, cause)) != 0 ||
	    (rc = build_software(l, o->numero_ans, &b.sw, cause)) != 0)
		goto out;
	memcpy(r->numero_ans, b.sw.numero_ans, sizeof(r->numero_ans));
	if (!o->dry_run && ((rc = segur_mkdir_p(o->outdir, cause)) != 0 ||
	    (rc = segur_archive_open(&b.archive, o->archive_dir, cause)) != 0))
		goto out;
	if ((rc = b.k->load(&b)) != 0 || (rc = sort_out(&b, &ok, &nok)) != 0)
		goto out;
	crash_point(&b, 1);
	if (o->dry_run) {
		rc = plan(&b, nok, max);
		goto out;
	}
	if ((rc = segur_ledger_begin(l, cause)) != 0)
		goto out;
	began = 1;
	if ((rc = outdir_recover(&b)) != 0)
		goto out;
	for (i = 0; i < nok; i += max)
		if ((rc = build_file(&b, ok + i, nok - i < max ? nok - i :
		    max)) != 0)
			goto out;
	crash_point(&b, 2);
	if ((rc = segur_ledger_commit(l, cause)) != 0)
		goto out;
	began = 0;
	r->nrequests = nok;
	crash_point(&b, 3);
	rc = outdir_finish(&b);
out:
	if (rc == SEGUR_ENOMEM)
		segur_cause(cause, rc, "mémoire épuisée");
	if (began)
		outdir_abandon(&b);
	for (i = 0; i < b.npending; i++) {
		free(b.pending[i].tmp);
		free(b.pending[i].final);
	}
	free(b.pending);
	for (i = 0; i < b.nreqs; i++)
		breq_free(b.k, b.reqs[i]);
	free(b.reqs);
	free(ok);
	segur_software_release(&b.sw);
	segur_archive_release(&b.archive);
	return (rc);
}
