/*
 * build.c: building submission files and their document zips from the
 * ready requests of the ledger (build.h, docs/internals/build.md).
 */
#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "files/filerec.h"
#include "ledger/ledger-int.h"
#include "files/outdir.h"
#include "segur/archive.h"
#include "segur/build.h"
#include "segur/bundle.h"
#include "segur/error.h"
#include "segur/msfile.h"
#include "segur/util.h"
#include "segur/validate.h"


/* A supporting document of a request being built. */
struct bdoc {
	int64_t			 id;		/* document row */
	char			*type;		/* owned; typeFichier */
	char			*path;		/* owned; as registered */
	enum segur_doc_format	 format;
	char			 sha256[65];
	uint64_t		 size;
	char			*archived;	/* owned; archive path */
	char			 name[64];	/* canonical name */
};

/* A ready request being built. */
struct breq {
	int64_t		 id;
	char		*ref;		/* owned */
	cJSON		*content;	/* owned */
	struct bdoc	 docs[4];
	size_t		 ndocs;
	char		*skip;		/* owned; why it stays out, or NULL */
	char		 numero_editeur[6];
	int64_t		 attempt_id;
};

struct build {
	struct segur_ledger		*l;
	const struct segur_build_opts	*o;
	struct segur_build_result	*r;
	struct segur_archive		 archive;
	struct segur_software		 sw;
	struct breq			*reqs;
	size_t				 nreqs;
	struct segur__outdir		 out;	/* the files to rename */
	char				**cause;
};

/* Calls the caller's hook at a numbered point (the crash tests). */
static void
crash_point(const struct build *b, int at)
{
	if (b->o->crash_point != NULL)
		b->o->crash_point(b->o->crash_arg, at);
}

/* Crash point 4: the commit done, one file renamed. */
static void
crash_after_first(void *arg)
{
	crash_point(arg, 4);
}

static void
breq_release(struct breq *q)
{
	size_t	 i;

	for (i = 0; i < q->ndocs; i++) {
		free(q->docs[i].type);
		free(q->docs[i].path);
		free(q->docs[i].archived);
	}
	free(q->ref);
	free(q->skip);
	cJSON_Delete(q->content);
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

/* Adds a file to the result; returns it, or NULL on ENOMEM. */
static struct segur_build_file *
add_file(struct build *b, const char *name, int is_zip)
{
	struct segur_build_file	*f;
	void			*p;

	p = realloc(b->r->files, (b->r->nfiles + 1) * sizeof(*b->r->files));
	if (p == NULL)
		return (NULL);
	b->r->files = p;
	f = &b->r->files[b->r->nfiles];
	memset(f, 0, sizeof(*f));
	f->name = strdup(name);
	f->path = segur_asprintf("%s/%s", b->o->outdir, name);
	f->is_zip = is_zip;
	if (f->name == NULL || f->path == NULL) {
		free(f->name);
		free(f->path);
		return (NULL);
	}
	b->r->nfiles++;
	return (f);
}

/* Loads the current documents of request q. */
static int
load_documents(struct build *b, struct breq *q)
{
	static const char *const sql =
	    "SELECT id, type, path FROM document WHERE request_id = ? AND "
	    "current = 1 ORDER BY type";
	sqlite3_stmt	*st;
	struct bdoc	*d;
	int		 rc, oom = 0;

	if ((rc = segur__stmt(b->l, sql, &st, b->cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, q->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && q->ndocs < 4) {
		d = &q->docs[q->ndocs++];
		memset(d, 0, sizeof(*d));
		d->id = sqlite3_column_int64(st, 0);
		d->type = segur__column_dup(st, 1, &oom);
		d->path = segur__column_dup(st, 2, &oom);
	}
	sqlite3_reset(st);
	if (oom)
		return (segur_cause(b->cause, SEGUR_ENOMEM, "out of memory"));
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return (segur__db_error(b->l, b->cause, "read the documents"));
	return (0);
}

/* Loads the ready requests of the software, oldest first. */
static int
load_requests(struct build *b)
{
	static const char *const sql =
	    "SELECT r.id, r.ref, r.content FROM request r JOIN software s "
	    "ON s.id = r.software_id WHERE r.state = 'ready' AND "
	    "s.numero_ans = ? ORDER BY r.updated_at, r.id";
	sqlite3_stmt	*st;
	struct breq	*q;
	void		*p;
	int		 rc, oom = 0;
	size_t		 i;

	if ((rc = segur__stmt(b->l, sql, &st, b->cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, b->sw.numero_ans);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		p = realloc(b->reqs, (b->nreqs + 1) * sizeof(*b->reqs));
		if (p == NULL) {
			oom = 1;
			break;
		}
		b->reqs = p;
		q = &b->reqs[b->nreqs++];
		memset(q, 0, sizeof(*q));
		q->id = sqlite3_column_int64(st, 0);
		q->ref = segur__column_dup(st, 1, &oom);
		q->content = cJSON_Parse((const char *)sqlite3_column_text(st,
		    2));
		if (q->content == NULL)
			oom = 1;
	}
	sqlite3_reset(st);
	if (oom)
		return (segur_cause(b->cause, SEGUR_ENOMEM, "out of memory"));
	if (rc != SQLITE_DONE)
		return (segur__db_error(b->l, b->cause, "read the requests"));
	for (i = 0; i < b->nreqs; i++)
		if ((rc = load_documents(b, &b->reqs[i])) != 0)
			return (rc);
	return (0);
}

/* Keeps q out of the build with a reason. */
static int
skip(struct breq *q, const char *reason)
{
	if (q->skip == NULL && (q->skip = strdup(reason)) == NULL)
		return (SEGUR_ENOMEM);
	return (0);
}

/*
 * Checks and archives the documents that q's piecesJustificatives list;
 * a failure keeps q out of the build.
 */
static int
check_documents(struct build *b, struct breq *q)
{
	const cJSON	*pj, *it;
	struct bdoc	*d;
	char		*why = NULL, *msg;
	const char	*type, *fmt;
	size_t		 i;
	int		 rc;

	pj = cJSON_GetObjectItemCaseSensitive(q->content,
	    "piecesJustificatives");
	cJSON_ArrayForEach(it, pj) {
		type = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(it, "typeFichier"));
		fmt = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(it, "formatFichier"));
		for (d = NULL, i = 0; type != NULL && i < q->ndocs; i++)
			if (strcmp(q->docs[i].type, type) == 0)
				d = &q->docs[i];
		if (d == NULL) {
			msg = segur_asprintf("aucun document enregistré pour "
			    "la pièce %s (segurctl request add --bdc/--ht)",
			    type != NULL ? type : "(sans type)");
			rc = msg != NULL ? skip(q, msg) : SEGUR_ENOMEM;
			free(msg);
			return (rc);
		}
		d->format = segur_doc_format_parse(fmt);
		rc = segur_doc_check(d->path, d->format, b->o->max_doc,
		    d->sha256, &d->size, &why);
		if (rc == SEGUR_ENOMEM) {
			free(why);
			return (rc);
		}
		if (rc != 0) {
			rc = skip(q, why != NULL ? why : segur_strerror(rc));
			free(why);
			return (rc);
		}
		if (b->o->dry_run)
			continue;
		rc = segur_archive_put_file(&b->archive, d->path, b->o->max_doc
		    ? b->o->max_doc : SEGUR_DOC_MAX_BYTES, d->sha256, &why);
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

/* Records an outgoing file (and its archive row); *id gets its row. */
static int
record_file(struct build *b, const char *kind, const char *name, int rank,
    const char *sha256, uint64_t size, int64_t *id)
{
	struct segur__file f = { "out", kind, name, b->sw.numero_ans,
	    b->r->day, rank, sha256, size, NULL, 0 };

	return (segur__file_record(b->l, &f, id, b->cause));
}

/* Records that a document went with an attempt, under its name. */
static int
record_sent_document(struct build *b, const struct breq *q,
    const struct bdoc *d, int64_t zip_id, const char *zip_name)
{
	static const char *const sql =
	    "INSERT INTO attempt_document(attempt_id, document_id, "
	    "nom_fichier, sha256, bundle_file_id) VALUES (?, ?, ?, ?, ?)";
	sqlite3_stmt	*st;
	cJSON		*after;
	char		*text;
	int		 rc;

	if ((rc = segur__archive_record(b->l, d->sha256, d->size,
	    b->cause)) != 0)
		return (rc);
	if ((rc = segur__stmt(b->l, sql, &st, b->cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, q->attempt_id);
	sqlite3_bind_int64(st, 2, d->id);
	segur__bind_text(st, 3, d->name);
	segur__bind_text(st, 4, d->sha256);
	sqlite3_bind_int64(st, 5, zip_id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(b->l, b->cause, "record a document"));
	if ((after = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(after, "numeroEditeur",
	    q->numero_editeur) == NULL ||
	    cJSON_AddStringToObject(after, "nomFichier", d->name) == NULL ||
	    cJSON_AddStringToObject(after, "source", d->path) == NULL ||
	    cJSON_AddStringToObject(after, "sha256", d->sha256) == NULL ||
	    cJSON_AddStringToObject(after, "zip", zip_name) == NULL ||
	    (text = cJSON_PrintUnformatted(after)) == NULL) {
		cJSON_Delete(after);
		return (segur_cause(b->cause, SEGUR_ENOMEM, "out of memory"));
	}
	cJSON_Delete(after);
	rc = segur__event_append(b->l, "document.sent", "request", q->ref,
	    q->id, NULL, text, b->cause);
	free(text);
	return (rc);
}

/* The validation context of a build: the ledger's reference data, but not
 * the "number used" and "double funding" checks, which the numbers this
 * very build allocated would trip (promotion to ready ran them). */
static void
build_ctx(struct build *b, struct segur_validate_ctx *ctx)
{
	segur_ledger_validate_ctx(b->l, 0, ctx);
	ctx->numero_editeur_used = NULL;
	ctx->finess_geo_live = NULL;
}

/* Validates a built file; any error undoes the build. */
static int
validate_built(struct build *b, const char *name, const struct segur_buf *text)
{
	struct segur_validate_opts	 vo;
	struct segur_validate_ctx	 ctx;
	struct segur_report		 rep;
	struct segur_buf		 msg = SEGUR_BUF_INIT;
	size_t				 i, shown = 0;
	int				 rc;

	memset(&vo, 0, sizeof(vo));
	memset(&rep, 0, sizeof(rep));
	build_ctx(b, &ctx);
	vo.filename = name;
	vo.ctx = &ctx;
	if ((rc = segur_validate_buffer(text->data, text->len, &vo,
	    &rep)) != 0) {
		segur_report_release(&rep);
		return (segur_cause(b->cause, rc, "validation impossible"));
	}
	if (rep.nerrors == 0) {
		segur_report_release(&rep);
		return (0);
	}
	segur_buf_addf(&msg, "%s ne passe pas la validation (%zu erreur(s)) : "
	    "rien n'est enregistré", name, rep.nerrors);
	for (i = 0; i < rep.nfindings && shown < 5; i++) {
		if (rep.findings[i].severity != SEGUR_SEV_ERROR)
			continue;
		segur_buf_addf(&msg, "\n  %s: %s [%s]", rep.findings[i].path ?
		    rep.findings[i].path : "(fichier)",
		    rep.findings[i].message, rep.findings[i].rule->id);
		shown++;
	}
	segur_report_release(&rep);
	segur_cause(b->cause, SEGUR_EINVAL, "%s", msg.data != NULL ? msg.data :
	    "validation");
	segur_buf_release(&msg);
	return (SEGUR_EINVAL);
}

/* Fills the numbering of a line from its request and place. */
static cJSON *
make_line(struct breq *q, int num_ligne)
{
	cJSON	*line, *pj, *it;
	size_t	 i;

	if ((line = cJSON_Duplicate(q->content, 1)) == NULL)
		return (NULL);
	cJSON_DeleteItemFromObjectCaseSensitive(line, "numLigne");
	cJSON_DeleteItemFromObjectCaseSensitive(line, "numeroEditeur");
	if (cJSON_AddNumberToObject(line, "numLigne", num_ligne) == NULL ||
	    cJSON_AddStringToObject(line, "numeroEditeur",
	    q->numero_editeur) == NULL) {
		cJSON_Delete(line);
		return (NULL);
	}
	pj = cJSON_GetObjectItemCaseSensitive(line, "piecesJustificatives");
	cJSON_ArrayForEach(it, pj) {
		const char *type = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(it, "typeFichier"));

		cJSON_DeleteItemFromObjectCaseSensitive(it, "nomFichier");
		for (i = 0; type != NULL && i < q->ndocs; i++) {
			if (strcmp(q->docs[i].type, type) != 0)
				continue;
			if (cJSON_AddStringToObject(it, "nomFichier",
			    q->docs[i].name) == NULL) {
				cJSON_Delete(line);
				return (NULL);
			}
		}
	}
	return (line);
}

/* Names the documents of q after its fresh numeroEditeur. */
static int
name_documents(struct breq *q)
{
	size_t	 i;

	for (i = 0; i < q->ndocs; i++) {
		if (q->docs[i].archived == NULL)
			continue;	/* not listed in piecesJustificatives */
		if (segur_doc_canonical_name(q->docs[i].type,
		    q->docs[i].format, q->numero_editeur, q->docs[i].name,
		    sizeof(q->docs[i].name)) != 0)
			return (SEGUR_EINVAL);
	}
	return (0);
}

/* Writes the zips of the requests reqs[0..n) of one JSON file. */
static int
build_zips(struct build *b, struct breq **reqs, size_t n, int rank)
{
	struct segur_bundle_doc	*docs = NULL;
	struct segur_build_file	*f;
	struct stat		 st;
	size_t			*zip_of = NULL, nd = 0, nzips, i, j, k;
	int64_t			 zip_id = 0;
	char			 name[80], *why = NULL;
	const char		*tmp = NULL;
	int			 rc = SEGUR_ENOMEM;

	for (i = 0; i < n; i++)
		nd += reqs[i]->ndocs;
	if (nd == 0)
		return (0);
	if ((docs = calloc(nd, sizeof(*docs))) == NULL ||
	    (zip_of = calloc(nd, sizeof(*zip_of))) == NULL)
		goto out;
	for (nd = 0, i = 0; i < n; i++)
		for (j = 0; j < reqs[i]->ndocs; j++) {
			if (reqs[i]->docs[j].archived == NULL)
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
		snprintf(name, sizeof(name), "PJ-%s-%s-%03d-%zu.zip",
		    b->sw.numero_ans, b->r->day, rank, k + 1);
		if ((f = add_file(b, name, 1)) == NULL) {
			rc = SEGUR_ENOMEM;
			goto out;
		}
		if ((rc = segur__outdir_add(&b->out, f->path, &tmp)) != 0)
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
		if ((rc = record_file(b, "documents", name, 0, f->sha256,
		    f->size, &zip_id)) != 0)
			goto out;
		for (i = 0, nd = 0; i < n; i++)
			for (j = 0; j < reqs[i]->ndocs; j++) {
				if (reqs[i]->docs[j].archived == NULL)
					continue;
				if (zip_of[nd++] == k && (rc =
				    record_sent_document(b, reqs[i],
				    &reqs[i]->docs[j], zip_id, name)) != 0)
					goto out;
			}
	}
	rc = 0;
out:
	if (rc == SEGUR_ENOMEM)
		segur_cause(b->cause, rc, "out of memory");
	free(why);
	free(docs);
	free(zip_of);
	return (rc);
}

/* Builds, records and writes one JSON file of reqs[0..n). */
static int
build_file(struct build *b, struct breq **reqs, size_t n)
{
	struct segur_buf	 text = SEGUR_BUF_INIT;
	struct segur_build_file	*f;
	struct stat		 st;
	const cJSON		**lines = NULL;
	cJSON			*header = NULL;
	const char		*tmp;
	char			 name[64], *why = NULL;
	int64_t			 file_id = 0;
	size_t			 i, fi;
	int			 rank, rc;

	if ((rc = segur_ledger_alloc_file_rank(b->l, b->sw.numero_ans,
	    b->r->day, &rank, b->cause)) != 0)
		return (rc);
	snprintf(name, sizeof(name), "JSON-%s-%s-%03d.json",
	    b->sw.numero_ans, b->r->day, rank);
	if ((f = add_file(b, name, 0)) == NULL)
		return (segur_cause(b->cause, SEGUR_ENOMEM, "out of memory"));
	/* add_file() moves the array: keep the index, not the pointer. */
	fi = b->r->nfiles - 1;
	if (lstat(f->path, &st) == 0)
		return (segur_cause(b->cause, SEGUR_EEXIST, "%s existe déjà : "
		    "un fichier de ce nom n'a pas été produit par ce registre",
		    f->path));
	for (i = 0; i < n; i++) {
		if ((rc = segur_ledger_attempt_new(b->l, reqs[i]->ref,
		    reqs[i]->numero_editeur, &reqs[i]->attempt_id,
		    b->cause)) != 0)
			return (rc);
		if ((rc = name_documents(reqs[i])) != 0)
			return (segur_cause(b->cause, rc, "%s : type ou format "
			    "de pièce inconnu", reqs[i]->ref));
	}
	rc = SEGUR_ENOMEM;
	if ((lines = calloc(n, sizeof(const cJSON *))) == NULL ||
	    (header = cJSON_CreateObject()) == NULL ||
	    cJSON_AddNullToObject(header, "impId") == NULL ||
	    cJSON_AddStringToObject(header, "numeroAns",
	    b->sw.numero_ans) == NULL ||
	    cJSON_AddStringToObject(header, "SIRET", b->sw.siret) == NULL)
		goto out;
	for (i = 0; i < n; i++)
		if ((lines[i] = make_line(reqs[i], (int)i + 1)) == NULL)
			goto out;
	if ((rc = segur_msfile_write(header, lines, n, &text, b->cause)) != 0)
		goto out;
	if ((rc = validate_built(b, name, &text)) != 0)
		goto out;
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
	if ((rc = record_file(b, "submission", name, rank, f->sha256, f->size,
	    &file_id)) != 0)
		goto out;
	for (i = 0; i < n; i++)
		if ((rc = segur_ledger_attempt_place(b->l, reqs[i]->attempt_id,
		    file_id, (int)i + 1, b->cause)) != 0)
			goto out;
	if ((rc = build_zips(b, reqs, n, rank)) != 0)
		goto out;
	if ((rc = segur__outdir_add(&b->out, b->r->files[fi].path,
	    &tmp)) != 0)
		goto out;
	rc = segur_write_file_atomic(tmp, text.data, text.len, 0640, b->cause);
out:
	if (rc == SEGUR_ENOMEM)
		segur_cause(b->cause, rc, "out of memory");
	for (i = 0; lines != NULL && i < n; i++)
		cJSON_Delete((cJSON *)lines[i]);
	free(lines);
	cJSON_Delete(header);
	segur_buf_release(&text);
	free(why);
	return (rc);
}

/* Plans a dry run: the names the files would get, nothing allocated. */
static int
plan(struct build *b, struct breq **ok, size_t nok, size_t max)
{
	static const char *const sql =
	    "SELECT last FROM file_rank WHERE numero_ans = ? AND day = ?";
	struct segur_build_file *f;
	sqlite3_stmt	*st;
	char		 name[64];
	size_t		 i;
	int		 rank = 0, rc;

	(void)ok;
	if ((rc = segur__stmt(b->l, sql, &st, b->cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, b->sw.numero_ans);
	segur__bind_text(st, 2, b->r->day);
	if (sqlite3_step(st) == SQLITE_ROW)
		rank = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	for (i = 0; i < nok; i += max) {
		snprintf(name, sizeof(name), "JSON-%s-%s-%03d.json",
		    b->sw.numero_ans, b->r->day, ++rank);
		if ((f = add_file(b, name, 0)) == NULL)
			return (segur_cause(b->cause, SEGUR_ENOMEM,
			    "out of memory"));
		f->count = nok - i < max ? nok - i : max;
	}
	b->r->nrequests = nok;
	return (0);
}

/* Collects the requests that go in, and the skipped ones in the result. */
static int
sort_out(struct build *b, struct breq ***ok, size_t *nok)
{
	size_t	 i;
	void	*p;
	int	 rc;

	*nok = 0;
	if ((*ok = calloc(b->nreqs + 1, sizeof(struct breq *))) == NULL)
		return (SEGUR_ENOMEM);
	for (i = 0; i < b->nreqs; i++) {
		if ((rc = check_documents(b, &b->reqs[i])) != 0)
			return (rc);
		if (b->reqs[i].skip == NULL) {
			(*ok)[(*nok)++] = &b->reqs[i];
			continue;
		}
		p = realloc(b->r->skipped, (b->r->nskipped + 1) *
		    sizeof(*b->r->skipped));
		if (p == NULL)
			return (SEGUR_ENOMEM);
		b->r->skipped = p;
		b->r->skipped[b->r->nskipped].ref = b->reqs[i].ref;
		b->r->skipped[b->r->nskipped].reason = b->reqs[i].skip;
		b->reqs[i].ref = NULL;
		b->reqs[i].skip = NULL;
		b->r->nskipped++;
	}
	return (0);
}

int
segur_build_run(struct segur_ledger *l, const struct segur_build_opts *o,
    struct segur_build_result *r, char **cause)
{
	struct build	 b;
	struct breq	**ok = NULL;
	size_t		 nok = 0, max, i;
	int		 rc, began = 0;

	memset(r, 0, sizeof(*r));
	memset(&b, 0, sizeof(b));
	b.l = l;
	b.o = o;
	b.r = r;
	b.cause = cause;
	max = o->max_lines > 0 && o->max_lines < SEGUR_BUILD_MAX_LINES ?
	    o->max_lines : SEGUR_BUILD_MAX_LINES;
	b.out.dir = o->outdir;
	if ((rc = segur__build_day(o->day, r->day, cause)) != 0 ||
	    (rc = segur__build_software(l, o->numero_ans, &b.sw, cause)) != 0)
		goto out;
	memcpy(r->numero_ans, b.sw.numero_ans, sizeof(r->numero_ans));
	if (!o->dry_run && ((rc = segur_mkdir_p(o->outdir, cause)) != 0 ||
	    (rc = segur_archive_open(&b.archive, o->archive_dir, cause)) != 0))
		goto out;
	if ((rc = load_requests(&b)) != 0 || (rc = sort_out(&b, &ok,
	    &nok)) != 0)
		goto out;
	crash_point(&b, 1);
	if (o->dry_run) {
		rc = plan(&b, ok, nok, max);
		goto out;
	}
	if ((rc = segur_ledger_begin(l, cause)) != 0)
		goto out;
	began = 1;
	if ((rc = segur__outdir_recover(l, o->outdir, &r->nrecovered,
	    cause)) != 0)
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
	rc = segur__outdir_finish(&b.out, crash_after_first, &b,
	    "segurctl build", cause);
out:
	if (rc == SEGUR_ENOMEM)
		segur_cause(cause, rc, "out of memory");
	if (began)
		segur__outdir_abandon(l, &b.out, r);
	segur__outdir_release(&b.out);
	for (i = 0; i < b.nreqs; i++)
		breq_release(&b.reqs[i]);
	free(b.reqs);
	free(ok);
	segur_software_release(&b.sw);
	segur_archive_release(&b.archive);
	return (rc);
}
