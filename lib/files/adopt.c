/*
 * adopt.c: recording funding files uploaded before the ledger existed
 * (segurctl ingest --submitted), so that the ledger starts complete
 * (adopt.h, docs/internals/ingest.md).
 *
 * Each line becomes a request (reference "NE-<numeroEditeur>") with one
 * attempt holding the file's numeroEditeur, waiting for ASP's answer; the
 * number is recorded as used for ever, the file's rank of the day is
 * reserved, the file and the documents found beside it are archived.
 * All in one transaction: a file already recorded, a numeroEditeur
 * already used, a rank already taken or an unknown software refuse the
 * whole file.
 */
#include <sys/stat.h>

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "files/filerec.h"
#include "ledger/ledger-int.h"
#include "segur/adopt.h"
#include "segur/archive.h"
#include "segur/bundle.h"
#include "segur/error.h"
#include "segur/util.h"
#include "segur/validate.h"

struct adopt {
	struct segur_ledger		*l;
	const struct segur_adopt_opts	*o;
	struct segur_adopt_result	*r;
	struct segur_archive		 archive;
	cJSON				*root;	/* owned; the file */
	int64_t				 file_id;
	char				**cause;
};

void
segur_adopt_result_release(struct segur_adopt_result *r)
{
	size_t	 i;

	for (i = 0; i < r->nrefs; i++)
		free(r->refs[i]);
	free(r->refs);
	free(r->name);
	memset(r, 0, sizeof(*r));
}

/* Refuses files that carry ASP's answers: record the sent file first. */
static int
check_unanswered(struct adopt *a)
{
	const cJSON	*line;
	static const char *const keys[] = { "numeroASP", "codeTraitement",
	    "libelleTraitement" };
	size_t		 i;

	if (!cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(a->root, "impId")))
		goto answered;
	cJSON_ArrayForEach(line, cJSON_GetObjectItemCaseSensitive(a->root,
	    "lignesImport"))
		for (i = 0; i < 3; i++)
			if (!cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(line,
			    keys[i])))
				goto answered;
	return (0);
answered:
	return (segur_cause(a->cause, SEGUR_EINVAL, "%s porte déjà les "
	    "réponses de l'ASP : enregistrez le fichier tel que déposé, puis "
	    "ingérez la réponse (segurctl ingest)", a->r->name));
}

/* Reads JSON-<ans>-<AAAAMMJJ>-<NNN>.json; 0 and day/rank, or -1. */
static int
parse_name(const char *name, const char *ans, char day[9], int *rank)
{
	char	 want[64];
	size_t	 n;

	snprintf(want, sizeof(want), "JSON-%s-", ans);
	n = strlen(want);
	if (strncmp(name, want, n) != 0 || strlen(name) != n + 17 ||
	    name[n + 8] != '-' || strcmp(name + n + 12, ".json") != 0 ||
	    strspn(name + n, "0123456789") != 8 ||
	    strspn(name + n + 9, "0123456789") != 3)
		return (-1);
	memcpy(day, name + n, 8);
	day[8] = '\0';
	*rank = atoi(name + n + 9);
	return (*rank >= 1 ? 0 : -1);
}

/* Reserves the file's rank of the day, so builds never reuse it. */
static int
reserve_rank(struct adopt *a, const char *ans, const char *day, int rank)
{
	static const char *const q_used =
	    "SELECT name FROM file WHERE kind = 'submission' AND "
	    "numero_ans = ? AND day = ? AND rank = ?";
	static const char *const q_set =
	    "INSERT INTO file_rank(numero_ans, day, last) VALUES (?, ?, ?) "
	    "ON CONFLICT(numero_ans, day) DO UPDATE SET last = "
	    "max(last, excluded.last)";
	sqlite3_stmt	*st;
	int		 rc;

	if ((rc = segur__stmt(a->l, q_used, &st, a->cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, ans);
	segur__bind_text(st, 2, day);
	sqlite3_bind_int(st, 3, rank);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return (segur_cause(a->cause, SEGUR_EEXIST, "le rang %03d du "
		    "%s est déjà celui d'un fichier enregistré", rank, day));
	if ((rc = segur__stmt(a->l, q_set, &st, a->cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, ans);
	segur__bind_text(st, 2, day);
	sqlite3_bind_int(st, 3, rank);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return (rc == SQLITE_DONE ? 0 : segur__db_error(a->l, a->cause,
	    "réservation du rang"));
}

/* The document of a line's PJ entry in the documents folder, or NULL. */
static char *
find_document(struct adopt *a, const cJSON *line, const char *type)
{
	const cJSON	*pj;
	const char	*name;
	char		*path;

	if (a->o->documents_dir == NULL)
		return (NULL);
	cJSON_ArrayForEach(pj, cJSON_GetObjectItemCaseSensitive(line,
	    "piecesJustificatives")) {
		if (strcmp(cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(pj, "typeFichier")) ?
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pj,
		    "typeFichier")) : "", type) != 0)
			continue;
		name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pj,
		    "nomFichier"));
		if (name == NULL || strchr(name, '/') != NULL)
			return (NULL);
		path = segur_asprintf("%s/%s", a->o->documents_dir, name);
		if (path != NULL && access(path, R_OK) == 0)
			return (path);
		free(path);
		return (NULL);
	}
	return (NULL);
}

/* Archives the documents registered for the request and records them as
 * sent with the attempt, under the names the file gave them. */
static int
record_sent(struct adopt *a, int64_t rid, int64_t attempt_id,
    const cJSON *line)
{
	static const char *const q_doc =
	    "SELECT id, type, path FROM document WHERE request_id = ? AND "
	    "current = 1";
	static const char *const q_ins =
	    "INSERT INTO attempt_document(attempt_id, document_id, "
	    "nom_fichier, sha256) VALUES (?, ?, ?, ?)";
	const cJSON	*pj;
	sqlite3_stmt	*st;
	struct {
		int64_t	 id;
		char	*type, *path;
	}		 docs[2];
	struct stat	 sb;
	char		 hex[65], *why = NULL;
	const char	*name;
	int		 n = 0, i, rc, oom = 0;

	if ((rc = segur__stmt(a->l, q_doc, &st, a->cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, rid);
	while (n < 2 && sqlite3_step(st) == SQLITE_ROW) {
		docs[n].id = sqlite3_column_int64(st, 0);
		docs[n].type = segur__column_dup(st, 1, &oom);
		docs[n].path = segur__column_dup(st, 2, &oom);
		n++;
	}
	sqlite3_reset(st);
	rc = oom ? segur_cause(a->cause, SEGUR_ENOMEM, "mémoire épuisée") : 0;
	for (i = 0; rc == 0 && i < n; i++) {
		name = NULL;
		cJSON_ArrayForEach(pj, cJSON_GetObjectItemCaseSensitive(line,
		    "piecesJustificatives")) {
			const char *t = cJSON_GetStringValue(
			    cJSON_GetObjectItemCaseSensitive(pj, "typeFichier"));
			if (t != NULL && docs[i].type != NULL &&
			    strcmp(t, docs[i].type) == 0)
				name = cJSON_GetStringValue(
				    cJSON_GetObjectItemCaseSensitive(pj,
				    "nomFichier"));
		}
		if ((rc = segur_archive_put_file(&a->archive, docs[i].path,
		    SEGUR_DOC_MAX_BYTES * 8, hex, &why)) < 0) {
			segur_cause(a->cause, rc, "%s", why);
			break;
		}
		if ((rc = segur__archive_repaired(a->l, rc, hex, docs[i].path,
		    a->cause)) != 0)
			break;
		rc = segur__archive_record(a->l, hex, stat(docs[i].path, &sb) ==
		    0 ? (uint64_t)sb.st_size : 0, a->cause);
		if (rc == 0 && (rc = segur__stmt(a->l, q_ins, &st,
		    a->cause)) == 0) {
			sqlite3_bind_int64(st, 1, attempt_id);
			sqlite3_bind_int64(st, 2, docs[i].id);
			segur__bind_text(st, 3, name != NULL ? name :
			    docs[i].type);
			segur__bind_text(st, 4, hex);
			rc = sqlite3_step(st) == SQLITE_DONE ? 0 :
			    segur__db_error(a->l, a->cause,
			    "enregistrement d'une pièce");
			sqlite3_reset(st);
		}
	}
	for (i = 0; i < n; i++) {
		free(docs[i].type);
		free(docs[i].path);
	}
	free(why);
	return (rc);
}

/* Adds a reference to the result. */
static int
add_ref(struct segur_adopt_result *r, const char *ref)
{
	char	**p;

	if ((p = realloc(r->refs, (r->nrefs + 1) * sizeof(*p))) == NULL)
		return (SEGUR_ENOMEM);
	r->refs = p;
	if ((p[r->nrefs] = strdup(ref)) == NULL)
		return (SEGUR_ENOMEM);
	r->nrefs++;
	return (0);
}

/* The request keeps its last attempt's number, as attempt_new() does. */
static int
set_last_number(struct adopt *a, int64_t rid, const char *ne)
{
	static const char *const sql =
	    "UPDATE request SET numero_editeur = ?1 WHERE id = ?2";
	sqlite3_stmt	*st;
	int		 rc;

	if ((rc = segur__stmt(a->l, sql, &st, a->cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, ne);
	sqlite3_bind_int64(st, 2, rid);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return (rc == SQLITE_DONE ? 0 : segur__db_error(a->l, a->cause,
	    "enregistrement du numéro de la demande"));
}

/* Records one line: request, number, attempt, documents. */
static int
adopt_line(struct adopt *a, const cJSON *line, int num_ligne)
{
	static const char *const q_att =
	    "INSERT INTO attempt(request_id, seq, numero_editeur, file_id, "
	    "num_ligne, created_at) VALUES (?, 1, ?, ?, ?, ?)";
	struct segur_request_new req;
	sqlite3_stmt	*st;
	const char	*ne;
	char		 ref[16], now[24], detail[160], *text = NULL;
	char		*bdc = NULL, *ht = NULL;
	int64_t		 rid;
	int		 rc;

	ne = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(line,
	    "numeroEditeur"));
	if (ne == NULL)
		return (segur_cause(a->cause, SEGUR_EINVAL, "ligne %d : "
		    "numeroEditeur absent", num_ligne));
	if ((rc = segur_ledger_record_numero_editeur(a->l, ne, a->cause)) != 0)
		return (rc);
	snprintf(ref, sizeof(ref), "NE-%s", ne);
	bdc = find_document(a, line, "BON_COMMANDE");
	ht = find_document(a, line, "PREUVE_HT");
	if ((text = cJSON_PrintUnformatted(line)) == NULL) {
		rc = segur_cause(a->cause, SEGUR_ENOMEM, "mémoire épuisée");
		goto out;
	}
	memset(&req, 0, sizeof(req));
	req.ref = ref;
	req.numero_ans = a->r->numero_ans;
	req.content = text;
	req.content_len = strlen(text);
	req.bdc_path = bdc;
	req.ht_path = ht;
	if ((rc = segur_ledger_request_add(a->l, &req, &rid, a->cause)) != 0)
		goto out;
	if (bdc == NULL)
		a->r->nmissing++;
	/* Sent already: it was ready then, whatever it would say now. */
	snprintf(detail, sizeof(detail), "{\"adopted\":\"%s\",\"numLigne\":"
	    "%d}", a->r->name, num_ligne);
	if ((rc = segur__request_transition(a->l, rid, ref,
	    SEGUR_STATE_DRAFT, SEGUR_STATE_READY, detail, a->cause)) != 0)
		goto out;
	if ((rc = segur__stmt(a->l, q_att, &st, a->cause)) != 0)
		goto out;
	segur__ledger_now(now);
	sqlite3_bind_int64(st, 1, rid);
	segur__bind_text(st, 2, ne);
	sqlite3_bind_int64(st, 3, a->file_id);
	sqlite3_bind_int(st, 4, num_ligne);
	segur__bind_text(st, 5, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		rc = segur__db_error(a->l, a->cause,
		    "enregistrement de la tentative");
		goto out;
	}
	if ((rc = record_sent(a, rid, sqlite3_last_insert_rowid(a->l->db),
	    line)) != 0 || (rc = set_last_number(a, rid, ne)) != 0)
		goto out;
	snprintf(detail, sizeof(detail), "{\"attempt\":1,\"numeroEditeur\":"
	    "\"%s\",\"adopted\":\"%s\"}", ne, a->r->name);
	if ((rc = segur__request_transition(a->l, rid, ref, SEGUR_STATE_READY,
	    SEGUR_STATE_SUBMITTED, detail, a->cause)) != 0)
		goto out;
	rc = add_ref(a->r, ref) != 0 ? segur_cause(a->cause, SEGUR_ENOMEM,
	    "mémoire épuisée") : 0;
out:
	free(text);
	free(bdc);
	free(ht);
	return (rc);
}

/* Refuses a file whose content is recorded already. */
static int
already_recorded(struct adopt *a, const char *sha256)
{
	static const char *const sql =
	    "SELECT name FROM file WHERE direction = 'out' AND sha256 = ?";
	sqlite3_stmt	*st;
	int		 rc;

	if ((rc = segur__stmt(a->l, sql, &st, a->cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, sha256);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		rc = segur_cause(a->cause, SEGUR_EEXIST, "%s : ce contenu est "
		    "déjà enregistré (fichier %s)", a->r->name,
		    (const char *)sqlite3_column_text(st, 0));
	else
		rc = rc == SQLITE_DONE ? 0 : segur__db_error(a->l, a->cause,
		    "recherche du fichier");
	sqlite3_reset(st);
	return (rc);
}

/* Checks the file is a submission the portal could have taken. */
static int
check_file(struct adopt *a, const char *data, size_t len)
{
	struct segur_validate_opts	 vo;
	struct segur_report		 rep;
	size_t				 i;
	int				 rc;

	memset(&vo, 0, sizeof(vo));
	memset(&rep, 0, sizeof(rep));
	vo.flags = SEGUR_VALIDATE_RETURNED;	/* the structure, not ASP's */
	if ((rc = segur_validate_buffer(data, len, &vo, &rep)) != 0) {
		segur_report_release(&rep);
		return (segur_cause(a->cause, rc, "mémoire épuisée"));
	}
	if (!rep.structure_ok) {
		for (i = 0; i < rep.nfindings; i++)
			if (rep.findings[i].rule->scope ==
			    SEGUR_SCOPE_STRUCTURE)
				break;
		rc = segur_cause(a->cause, SEGUR_EINVAL, "%s : structure "
		    "illisible : %s", a->r->name, i < rep.nfindings ?
		    rep.findings[i].message : "");
	}
	a->r->nerrors = rep.nerrors;
	segur_report_release(&rep);
	return (rc);
}

int
segur_adopt_file(struct segur_ledger *l, const char *path,
    const struct segur_adopt_opts *o, struct segur_adopt_result *r,
    char **cause)
{
	struct segur_software	 sw;
	struct adopt		 a;
	struct segur_file_new	 f;
	const cJSON		*line;
	const char		*ans, *siret;
	char			*data = NULL, *copy, hex[65], day[9], *why = NULL;
	size_t			 len;
	int			 rc, rank = 0, num = 0, named;

	memset(r, 0, sizeof(*r));
	memset(&a, 0, sizeof(a));
	memset(&sw, 0, sizeof(sw));
	a.l = l;
	a.o = o;
	a.r = r;
	a.cause = cause;
	if ((copy = strdup(path)) == NULL ||
	    (r->name = strdup(basename(copy))) == NULL) {
		free(copy);
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	}
	free(copy);
	if ((rc = segur_read_file(path, SEGUR_VALIDATE_MAX_BYTES, &data, &len,
	    cause)) != 0)
		return (rc);
	if ((rc = check_file(&a, data, len)) != 0)
		goto out;
	if ((a.root = cJSON_ParseWithLength(data, len)) == NULL) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
		goto out;
	}
	if ((rc = check_unanswered(&a)) != 0)
		goto out;
	ans = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a.root,
	    "numeroAns"));
	siret = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a.root,
	    "SIRET"));
	if (ans == NULL || segur_ledger_software_get(l, ans, &sw, NULL) != 0) {
		rc = segur_cause(cause, SEGUR_ENOENT, "%s : logiciel %s inconnu "
		    "du registre (segurctl software add)", r->name, ans != NULL ?
		    ans : "(numeroAns absent)");
		goto out;
	}
	if (siret == NULL || strcmp(siret, sw.siret) != 0) {
		rc = segur_cause(cause, SEGUR_EINVAL, "%s : SIRET %s, le "
		    "logiciel %s est enregistré avec le SIRET %s", r->name,
		    siret != NULL ? siret : "(absent)", ans, sw.siret);
		goto out;
	}
	snprintf(r->numero_ans, sizeof(r->numero_ans), "%s", ans);
	segur_sha256_hex(data, len, hex);
	named = parse_name(r->name, ans, day, &rank) == 0;
	if ((rc = segur_archive_open(&a.archive, o->archive_dir, cause)) != 0)
		goto out;
	if ((rc = segur_archive_put(&a.archive, data, len, hex, &why)) < 0) {
		segur_cause(cause, rc, "%s", why);
		goto out;
	}
	if ((rc = segur__archive_repaired(l, rc, hex, r->name, cause)) != 0)
		goto out;
	if ((rc = segur_ledger_begin(l, cause)) != 0)
		goto out;
	if ((rc = already_recorded(&a, hex)) != 0)
		goto fail;
	memset(&f, 0, sizeof(f));
	f.kind = SEGUR_FILE_SUBMISSION;
	f.outgoing = 1;
	f.name = r->name;
	f.numero_ans = ans;
	f.day = named ? day : NULL;
	f.rank = named ? rank : 0;
	f.sha256 = hex;
	f.size = (int64_t)len;
	if (named && (rc = reserve_rank(&a, ans, day, rank)) != 0)
		goto fail;
	if ((rc = segur_ledger_file_add(l, &f, &a.file_id, cause)) != 0)
		goto fail;
	cJSON_ArrayForEach(line, cJSON_GetObjectItemCaseSensitive(a.root,
	    "lignesImport"))
		if ((rc = adopt_line(&a, line, ++num)) != 0)
			goto fail;
	if ((rc = segur_ledger_commit(l, cause)) != 0)
		goto fail;
	goto out;
fail:
	segur_ledger_rollback(l);
	for (; r->nrefs > 0; r->nrefs--)
		free(r->refs[r->nrefs - 1]);
out:
	free(why);
	free(data);
	cJSON_Delete(a.root);
	segur_software_release(&sw);
	segur_archive_release(&a.archive);
	return (rc);
}
