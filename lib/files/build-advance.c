/*
 * build-advance.c: the advance build's part of the build driver
 * (build-int.h, docs/internals/build.md): the ready requests, the
 * documents their piecesJustificatives list, a fresh numeroEditeur per
 * request, files in the canonical layout checked by the validator.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "files/build-int.h"
#include "ledger/ledger-int.h"
#include "segur/error.h"
#include "segur/msfile.h"
#include "segur/validate.h"

/* A ready request being built. */
struct areq {
	struct segur__breq	 q;		/* first */
	cJSON			*content;	/* owned */
	char			 numero_editeur[6];
	int64_t			 attempt_id;
};

static void
areq_release(struct segur__breq *q)
{
	cJSON_Delete(((struct areq *)q)->content);
}

/* Loads the current documents of request q. */
static int
load_documents(struct segur__build *b, struct segur__breq *q)
{
	static const char *const sql =
	    "SELECT id, type, path FROM document WHERE request_id = ? AND "
	    "current = 1 ORDER BY type";
	sqlite3_stmt		*st;
	struct segur__bdoc	*d;
	int			 rc, oom = 0;

	if ((rc = segur__stmt(b->l, sql, &st, b->cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, q->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && q->ndocs < 4) {
		d = &q->docs[q->ndocs++];
		d->id = sqlite3_column_int64(st, 0);
		d->type = segur__column_dup(st, 1, &oom);
		d->path = segur__column_dup(st, 2, &oom);
	}
	sqlite3_reset(st);
	if (oom)
		return (segur_cause(b->cause, SEGUR_ENOMEM, "mémoire épuisée"));
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return (segur__db_error(b->l, b->cause, "lecture des pièces"));
	return (0);
}

/* Loads the ready requests of the software, oldest first. */
static int
load(struct segur__build *b)
{
	static const char *const sql =
	    "SELECT r.id, r.ref, r.content FROM request r JOIN software s "
	    "ON s.id = r.software_id WHERE r.state = 'ready' AND "
	    "s.numero_ans = ? ORDER BY r.updated_at, r.id";
	sqlite3_stmt	*st;
	struct areq	*a;
	int		 rc, oom = 0;
	size_t		 i;

	if ((rc = segur__stmt(b->l, sql, &st, b->cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, b->sw.numero_ans);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((a = (struct areq *)segur__build_req_new(b,
		    sizeof(*a))) == NULL) {
			oom = 1;
			break;
		}
		a->q.id = sqlite3_column_int64(st, 0);
		a->q.ref = segur__column_dup(st, 1, &oom);
		a->content = cJSON_Parse((const char *)sqlite3_column_text(st,
		    2));
		if (a->content == NULL)
			oom = 1;
	}
	sqlite3_reset(st);
	if (oom)
		return (segur_cause(b->cause, SEGUR_ENOMEM, "mémoire épuisée"));
	if (rc != SQLITE_DONE)
		return (segur__db_error(b->l, b->cause,
		    "lecture des demandes"));
	for (i = 0; i < b->nreqs; i++)
		if ((rc = load_documents(b, b->reqs[i])) != 0)
			return (rc);
	return (0);
}

/* Checks the documents that q's piecesJustificatives list. */
static int
check(struct segur__build *b, struct segur__breq *q)
{
	const cJSON		*pj, *it;
	struct segur__bdoc	*d;
	const char		*type, *fmt;
	size_t			 i;
	int			 rc;

	pj = cJSON_GetObjectItemCaseSensitive(((struct areq *)q)->content,
	    "piecesJustificatives");
	cJSON_ArrayForEach(it, pj) {
		type = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(it, "typeFichier"));
		fmt = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(it, "formatFichier"));
		for (d = NULL, i = 0; type != NULL && i < q->ndocs; i++)
			if (strcmp(q->docs[i].type, type) == 0)
				d = &q->docs[i];
		if (d == NULL)
			return (segur__build_skip(q, segur_asprintf("aucun "
			    "document enregistré pour la pièce %s (segurctl "
			    "request add --bdc/--ht)", type != NULL ? type :
			    "(sans type)")));
		d->format = segur_doc_format_parse(fmt);
		if ((rc = segur__build_doc_check(b, q, d)) != 0)
			return (rc < 0 ? rc : 0);
		d->sent = 1;
	}
	return (0);
}

/* The validation context of a build: the ledger's reference data, but not
 * the "number used" and "double funding" checks, which the numbers this
 * very build allocated would trip (promotion to ready ran them). */
static void
build_ctx(struct segur__build *b, struct segur_validate_ctx *ctx)
{
	segur_ledger_validate_ctx(b->l, 0, ctx);
	ctx->numero_editeur_used = NULL;
	ctx->finess_geo_live = NULL;
}

/* Validates a built file; any error undoes the build. */
static int
validate_built(struct segur__build *b, const char *name,
    const struct segur_buf *text)
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
make_line(const struct areq *a, int num_ligne)
{
	cJSON	*line, *pj, *it;
	size_t	 i;

	if ((line = cJSON_Duplicate(a->content, 1)) == NULL)
		return (NULL);
	cJSON_DeleteItemFromObjectCaseSensitive(line, "numLigne");
	cJSON_DeleteItemFromObjectCaseSensitive(line, "numeroEditeur");
	if (cJSON_AddNumberToObject(line, "numLigne", num_ligne) == NULL ||
	    cJSON_AddStringToObject(line, "numeroEditeur",
	    a->numero_editeur) == NULL) {
		cJSON_Delete(line);
		return (NULL);
	}
	pj = cJSON_GetObjectItemCaseSensitive(line, "piecesJustificatives");
	cJSON_ArrayForEach(it, pj) {
		const char *type = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(it, "typeFichier"));

		cJSON_DeleteItemFromObjectCaseSensitive(it, "nomFichier");
		for (i = 0; type != NULL && i < a->q.ndocs; i++) {
			if (strcmp(a->q.docs[i].type, type) != 0)
				continue;
			if (cJSON_AddStringToObject(it, "nomFichier",
			    a->q.docs[i].name) == NULL) {
				cJSON_Delete(line);
				return (NULL);
			}
		}
	}
	return (line);
}

/* Names the documents of a after its fresh numeroEditeur. */
static int
name_documents(struct areq *a)
{
	struct segur__bdoc	*d;
	size_t			 i;

	for (i = 0; i < a->q.ndocs; i++) {
		d = &a->q.docs[i];
		if (d->sent && segur_doc_canonical_name(d->type, d->format,
		    a->numero_editeur, d->name, sizeof(d->name)) != 0)
			return (SEGUR_EINVAL);
	}
	return (0);
}

static int
alloc_rank(struct segur__build *b, int *rank)
{
	return (segur_ledger_alloc_file_rank(b->l, b->sw.numero_ans,
	    b->r->day, rank, b->cause));
}

/*
 * Gives each request a fresh numeroEditeur (an attempt: the request moves
 * to submitted), then writes the file in the canonical layout and
 * validates it.
 */
static int
write_file(struct segur__build *b, struct segur__breq **reqs, size_t n,
    const char *name, struct segur_buf *text)
{
	const cJSON	**lines = NULL;
	cJSON		*header = NULL;
	struct areq	*a;
	size_t		 i;
	int		 rc;

	for (i = 0; i < n; i++) {
		a = (struct areq *)reqs[i];
		if ((rc = segur_ledger_attempt_new(b->l, a->q.ref,
		    a->numero_editeur, &a->attempt_id, b->cause)) != 0)
			return (rc);
		if ((rc = name_documents(a)) != 0)
			return (segur_cause(b->cause, rc, "%s : type ou format "
			    "de pièce inconnu", a->q.ref));
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
		if ((lines[i] = make_line((struct areq *)reqs[i],
		    (int)i + 1)) == NULL)
			goto out;
	if ((rc = segur_msfile_write(header, lines, n, text, b->cause)) == 0)
		rc = validate_built(b, name, text);
out:
	if (rc == SEGUR_ENOMEM)
		segur_cause(b->cause, rc, "mémoire épuisée");
	for (i = 0; lines != NULL && i < n; i++)
		cJSON_Delete((cJSON *)lines[i]);
	free(lines);
	cJSON_Delete(header);
	return (rc);
}

/* Places each attempt at its line of the file. */
static int
record(struct segur__build *b, struct segur__breq **reqs, size_t n,
    int64_t file_id, const char *name)
{
	size_t	 i;
	int	 rc;

	(void)name;
	for (i = 0; i < n; i++)
		if ((rc = segur_ledger_attempt_place(b->l,
		    ((struct areq *)reqs[i])->attempt_id, file_id, (int)i + 1,
		    b->cause)) != 0)
			return (rc);
	return (0);
}

/* Records that a document went with an attempt, under its name. */
static int
record_doc(struct segur__build *b, struct segur__breq *q,
    const struct segur__bdoc *d, int64_t zip_id, const char *zip_name)
{
	static const char *const sql =
	    "INSERT INTO attempt_document(attempt_id, document_id, "
	    "nom_fichier, sha256, bundle_file_id) VALUES (?, ?, ?, ?, ?)";
	const struct areq *a = (const struct areq *)q;
	sqlite3_stmt	*st;
	cJSON		*after;
	char		*text;
	int		 rc;

	if ((rc = segur__stmt(b->l, sql, &st, b->cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, a->attempt_id);
	sqlite3_bind_int64(st, 2, d->id);
	segur__bind_text(st, 3, d->name);
	segur__bind_text(st, 4, d->sha256);
	sqlite3_bind_int64(st, 5, zip_id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(b->l, b->cause,
		    "enregistrement d'une pièce"));
	if ((after = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(after, "numeroEditeur",
	    a->numero_editeur) == NULL ||
	    cJSON_AddStringToObject(after, "nomFichier", d->name) == NULL ||
	    cJSON_AddStringToObject(after, "source", d->path) == NULL ||
	    cJSON_AddStringToObject(after, "sha256", d->sha256) == NULL ||
	    cJSON_AddStringToObject(after, "zip", zip_name) == NULL ||
	    (text = cJSON_PrintUnformatted(after)) == NULL) {
		cJSON_Delete(after);
		return (segur_cause(b->cause, SEGUR_ENOMEM, "mémoire épuisée"));
	}
	cJSON_Delete(after);
	rc = segur__event_append(b->l, "document.sent", "request", q->ref,
	    q->id, NULL, text, b->cause);
	free(text);
	return (rc);
}

const struct segur__build_kind segur__build_advance = {
	.kind = SEGUR_FILE_SUBMISSION,
	.prefix = "",
	.q_last_rank = "SELECT last FROM file_rank WHERE numero_ans = ? AND "
	    "day = ?",
	.again = "segurctl build",
	.prepare = NULL,
	.load = load,
	.check = check,
	.alloc_rank = alloc_rank,
	.write = write_file,
	.record = record,
	.record_doc = record_doc,
	.release = areq_release,
};
