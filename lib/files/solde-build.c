/*
 * solde-build.c: balance files and their document zips, from the
 * requests ready for their balance (solde.h, docs/internals/solde.md).
 *
 * The shape follows lib/files/build.c on purpose (same guarantees, same crash
 * points, same recovery of temporary files): read it first.
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
#include "segur/embedded.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/solde.h"
#include "segur/template.h"
#include "segur/util.h"

#define NLINE_VALS	20	/* the line variables of template.c */

/* A proof document of a balance line. */
struct sdoc {
	const char		*type;		/* FACTURE, PV_RECETTE */
	const char		*code;		/* FAC, PV */
	char			*path;		/* owned; as recorded */
	enum segur_doc_format	 format;
	char			 recorded[65];	/* hash at record delivered */
	char			 sha256[65];
	uint64_t		 size;
	char			*archived;	/* owned */
	char			 name[64];
};

/* A request ready for its balance. */
struct sreq {
	int64_t		 id;
	char		*ref;		/* owned */
	char		 numero_asp[64];
	char		 numero_editeur[6];
	char		 regime[4];
	char		 date_commande[11];
	char		 og[10];
	int64_t		 montant_cents;
	int64_t		 granted_cents;
	int64_t		 advance_cents;
	int64_t		 balance_cents;
	int64_t		 delivery_id;
	char		 date_livraison[11];	/* JJ/MM/AAAA */
	char		*numero_facture;	/* owned */
	char		 date_facture[11];	/* JJ/MM/AAAA */
	int64_t		 facture_cents;
	struct sdoc	 docs[2];
	char		*skip;		/* owned */
	int64_t		 line_id;
	int		 resubmission;	/* a balance line was sent before */
	struct segur_tval vals[NLINE_VALS];
};


struct sbuild {
	struct segur_ledger		*l;
	const struct segur_solde_opts	*o;
	struct segur_build_result	*r;
	struct segur_archive		 archive;
	struct segur_software		 sw;
	const char			*tmpl;
	size_t				 tmpl_len;
	struct sreq			*reqs;
	size_t				 nreqs;
	struct segur__outdir		 out;	/* the files to rename */
	char				**cause;
};

static void
crash_point(const struct sbuild *b, int at)
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
sreq_release(struct sreq *q)
{
	size_t	 i;

	for (i = 0; i < 2; i++) {
		free(q->docs[i].path);
		free(q->docs[i].archived);
	}
	free(q->ref);
	free(q->numero_facture);
	free(q->skip);
}

/* "AAAA-MM-JJ" as "JJ/MM/AAAA"; other text is copied. */
static void
to_fr(const char *iso, char out[11])
{
	if (iso != NULL && strlen(iso) == 10 && iso[4] == '-')
		snprintf(out, 11, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
	else
		snprintf(out, 11, "%s", iso != NULL ? iso : "");
}

static struct segur_build_file *
add_file(struct sbuild *b, const char *name, int is_zip)
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

/* Reads one row of the ready query into q. */
static void
read_row(sqlite3_stmt *st, struct sreq *q, int *oom)
{
	const char	*s;
	int		 i;

	q->id = sqlite3_column_int64(st, 0);
	q->ref = segur__column_dup(st, 1, oom);
	snprintf(q->numero_asp, sizeof(q->numero_asp), "%s",
	    (const char *)sqlite3_column_text(st, 2));
	q->montant_cents = sqlite3_column_int64(st, 3);
	s = (const char *)sqlite3_column_text(st, 4);
	snprintf(q->regime, sizeof(q->regime), "%s", s != NULL ? s : "");
	to_fr((const char *)sqlite3_column_text(st, 5), q->date_commande);
	s = (const char *)sqlite3_column_text(st, 6);
	snprintf(q->numero_editeur, sizeof(q->numero_editeur), "%s",
	    s != NULL ? s : "");
	s = (const char *)sqlite3_column_text(st, 7);
	snprintf(q->og, sizeof(q->og), "%s", s != NULL ? s : "");
	q->granted_cents = sqlite3_column_type(st, 8) != SQLITE_NULL ?
	    sqlite3_column_int64(st, 8) : q->montant_cents;
	q->advance_cents = sqlite3_column_int64(st, 9);
	q->balance_cents = q->granted_cents - q->advance_cents;
	q->delivery_id = sqlite3_column_int64(st, 10);
	to_fr((const char *)sqlite3_column_text(st, 11), q->date_livraison);
	q->numero_facture = segur__column_dup(st, 12, oom);
	to_fr((const char *)sqlite3_column_text(st, 13), q->date_facture);
	q->facture_cents = sqlite3_column_int64(st, 14);
	q->docs[0].type = "FACTURE";
	q->docs[0].code = "FAC";
	q->docs[1].type = "PV_RECETTE";
	q->docs[1].code = "PV";
	for (i = 0; i < 2; i++) {
		q->docs[i].path = segur__column_dup(st, 15 + 3 * i, oom);
		q->docs[i].format = segur_doc_format_parse(
		    (const char *)sqlite3_column_text(st, 16 + 3 * i));
		snprintf(q->docs[i].recorded, sizeof(q->docs[i].recorded),
		    "%s", (const char *)sqlite3_column_text(st, 17 + 3 * i));
	}
	q->resubmission = sqlite3_column_int(st, 21) > 0;
}

/* Loads the requests of the software ready for their balance. */
static int
load_requests(struct sbuild *b)
{
	static const char *const sql =
	    "SELECT r.id, r.ref, r.numero_asp, r.montant_cents, r.regime_tva, "
	    "r.date_commande, "
	    "(SELECT numero_editeur FROM attempt WHERE request_id = r.id AND "
	    " outcome = 'accepted' ORDER BY seq DESC LIMIT 1), "
	    "(SELECT finess_juridique FROM request_esms WHERE request_id = "
	    " r.id ORDER BY finess_juridique, finess_geo LIMIT 1), "
	    "(SELECT amount_cents FROM decision WHERE request_id = r.id AND "
	    " kind = 'grant' ORDER BY id DESC LIMIT 1), "
	    "(SELECT amount_cents FROM decision WHERE request_id = r.id AND "
	    " kind = 'advance_paid' ORDER BY id DESC LIMIT 1), "
	    "d.id, d.date, d.numero_facture, d.date_facture, "
	    "d.montant_facture_cents, d.facture_path, d.facture_format, "
	    "d.facture_sha256, d.pv_path, d.pv_format, d.pv_sha256, "
	    "(SELECT count(*) FROM solde_line WHERE request_id = r.id) "
	    "FROM request r JOIN software s ON s.id = r.software_id "
	    "JOIN delivery d ON d.request_id = r.id AND d.current = 1 "
	    "WHERE s.numero_ans = ? AND (r.state = 'advance_paid' OR "
	    "(r.state = 'balance_rejected' AND d.id > (SELECT "
	    " coalesce(max(delivery_id), 0) FROM solde_line WHERE "
	    " request_id = r.id))) ORDER BY d.recorded_at, r.id";
	sqlite3_stmt	*st;
	void		*p;
	int		 rc, oom = 0;

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
		memset(&b->reqs[b->nreqs], 0, sizeof(*b->reqs));
		read_row(st, &b->reqs[b->nreqs++], &oom);
	}
	sqlite3_reset(st);
	if (oom)
		return (segur_cause(b->cause, SEGUR_ENOMEM, "out of memory"));
	if (rc != SQLITE_DONE)
		return (segur__db_error(b->l, b->cause, "read the requests"));
	return (0);
}

static int
skip(struct sreq *q, char *reason)
{
	if (reason == NULL)
		return (SEGUR_ENOMEM);
	if (q->skip == NULL)
		q->skip = reason;
	else
		free(reason);
	return (0);
}

/* Checks and archives q's proofs; a failure keeps q out of the build. */
static int
check_documents(struct sbuild *b, struct sreq *q)
{
	struct sdoc	*d;
	char		*why = NULL;
	size_t		 i;
	int		 rc;

	if (q->numero_editeur[0] == '\0')
		return (skip(q, strdup("aucune tentative acceptée : "
		    "numeroEditeur inconnu")));
	if (q->balance_cents <= 0)
		return (skip(q, segur_asprintf("solde nul ou négatif (accordé "
		    "%" PRId64 " centimes, avance %" PRId64 " centimes)",
		    q->granted_cents, q->advance_cents)));
	for (i = 0; i < 2; i++) {
		d = &q->docs[i];
		rc = segur_doc_check(d->path, d->format, b->o->max_doc,
		    d->sha256, &d->size, &why);
		if (rc == SEGUR_ENOMEM) {
			free(why);
			return (rc);
		}
		if (rc != 0)
			return (skip(q, why));
		if (strcmp(d->sha256, d->recorded) != 0)
			return (skip(q, segur_asprintf("%s a changé depuis "
			    "segurctl record delivered : enregistrez à nouveau "
			    "la livraison", d->path)));
		if (d->format == SEGUR_DOC_UNKNOWN)
			return (skip(q, strdup("format de pièce inconnu")));
		snprintf(d->name, sizeof(d->name), "MS1-DUI-Va1-%s-%s.%s",
		    d->code, q->numero_editeur,
		    segur_doc_format_ext(d->format));
		if (b->o->dry_run)
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

static int
record_archive(struct sbuild *b, const char *sha256, uint64_t size)
{
	static const char *const sql =
	    "INSERT INTO archive(sha256, size, stored_at) VALUES (?, ?, ?) "
	    "ON CONFLICT(sha256) DO NOTHING";
	sqlite3_stmt	*st;
	char		 now[24];
	int		 rc;

	segur__ledger_now(now);
	if ((rc = segur__stmt(b->l, sql, &st, b->cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, sha256);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)size);
	segur__bind_text(st, 3, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(b->l, b->cause, "record the archive"));
	return (0);
}

static int
record_file(struct sbuild *b, const char *kind, const char *name, int rank,
    const char *sha256, uint64_t size, int64_t *id)
{
	static const char *const q_file =
	    "INSERT INTO file(direction, kind, name, numero_ans, day, rank, "
	    "sha256, size, created_at) VALUES ('out', ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt	*st;
	char		 now[24], *after;
	int		 rc;

	segur__ledger_now(now);
	if ((rc = record_archive(b, sha256, size)) != 0)
		return (rc);
	if ((rc = segur__stmt(b->l, q_file, &st, b->cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, kind);
	segur__bind_text(st, 2, name);
	segur__bind_text(st, 3, b->sw.numero_ans);
	segur__bind_text(st, 4, b->r->day);
	if (rank > 0)
		sqlite3_bind_int(st, 5, rank);
	else
		sqlite3_bind_null(st, 5);
	segur__bind_text(st, 6, sha256);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)size);
	segur__bind_text(st, 8, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(b->l, b->cause, "record the file"));
	*id = sqlite3_last_insert_rowid(b->l->db);
	after = segur_asprintf("{\"kind\":\"%s\",\"name\":\"%s\","
	    "\"sha256\":\"%s\",\"size\":%" PRIu64 "}", kind, name, sha256,
	    size);
	if (after == NULL)
		return (segur_cause(b->cause, SEGUR_ENOMEM, "out of memory"));
	rc = segur__event_append(b->l, "file.built", "file", name, 0, NULL,
	    after, b->cause);
	free(after);
	return (rc);
}

/* Allocates the next rank of the day's balance files. */
static int
alloc_rank(struct sbuild *b, int *rank)
{
	static const char *const sql =
	    "INSERT INTO solde_rank(numero_ans, day, last) VALUES (?, ?, 1) "
	    "ON CONFLICT(numero_ans, day) DO UPDATE SET last = last + 1 "
	    "WHERE last < 999 RETURNING last";
	sqlite3_stmt	*st;
	int		 rc;

	if ((rc = segur__stmt(b->l, sql, &st, b->cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, b->sw.numero_ans);
	segur__bind_text(st, 2, b->r->day);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*rank = sqlite3_column_int(st, 0);
	sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return (segur_cause(b->cause, SEGUR_ETOOBIG, "plus de 999 "
		    "fichiers de solde le %s pour %s", b->r->day,
		    b->sw.numero_ans));
	if (rc != SQLITE_ROW)
		return (segur__db_error(b->l, b->cause, "allocate a rank"));
	return (0);
}

/* The values of q's line numLigne n (pointing into q). */
static void
line_values(struct sreq *q, int64_t n)
{
	struct segur_tval *v = q->vals;
	size_t	 i = 0;

	memset(q->vals, 0, sizeof(q->vals));
#define TEXT(k, s)	(v[i].name = (k), v[i].text = (s), i++)
#define NUM(k, x)	(v[i].name = (k), v[i].num = (x), i++)
	NUM("numLigne", n);
	TEXT("numeroASP", q->numero_asp);
	TEXT("numeroEditeur", q->numero_editeur);
	TEXT("reference", q->ref);
	TEXT("FINESSJuridique", q->og);
	TEXT("dateCommande", q->date_commande);
	TEXT("regimeTVA", q->regime);
	NUM("montantSegurHT", q->montant_cents);
	NUM("montantAccordeHT", q->granted_cents);
	NUM("montantAvance", q->advance_cents);
	NUM("montantSoldeHT", q->balance_cents);
	TEXT("dateLivraison", q->date_livraison);
	TEXT("numeroFacture", q->numero_facture);
	TEXT("dateFacture", q->date_facture);
	NUM("montantFactureHT", q->facture_cents);
	TEXT("nomFichierFacture", q->docs[0].name);
	TEXT("nomFichierPV", q->docs[1].name);
	TEXT("formatFichierFacture", segur_doc_format_name(q->docs[0].format));
	TEXT("formatFichierPV", segur_doc_format_name(q->docs[1].format));
	NUM("resoumission", q->resubmission);
#undef TEXT
#undef NUM
}

/* Records the line of q in file_id and moves q to balance_requested. */
static int
record_line(struct sbuild *b, struct sreq *q, int64_t file_id, int num,
    const char *fname)
{
	static const char *const sql =
	    "INSERT INTO solde_line(request_id, seq, delivery_id, numero_asp, "
	    "numero_editeur, montant_solde_cents, file_id, num_ligne, "
	    "created_at) VALUES (?, (SELECT coalesce(max(seq), 0) + 1 FROM "
	    "solde_line WHERE request_id = ?), ?, ?, ?, ?, ?, ?, ?)";
	struct segur_record rec;
	sqlite3_stmt	*st;
	char		 now[24], iso[11];
	int		 rc;

	segur__ledger_now(now);
	if ((rc = segur__stmt(b->l, sql, &st, b->cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, q->id);
	sqlite3_bind_int64(st, 2, q->id);
	sqlite3_bind_int64(st, 3, q->delivery_id);
	segur__bind_text(st, 4, q->numero_asp);
	segur__bind_text(st, 5, q->numero_editeur);
	sqlite3_bind_int64(st, 6, q->balance_cents);
	sqlite3_bind_int64(st, 7, file_id);
	sqlite3_bind_int(st, 8, num);
	segur__bind_text(st, 9, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(b->l, b->cause, "record the line"));
	q->line_id = sqlite3_last_insert_rowid(b->l->db);
	snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2s", b->r->day,
	    b->r->day + 4, b->r->day + 6);
	rec.date = iso;
	rec.amount_cents = q->balance_cents;
	rec.letter_ref = NULL;
	rec.note = fname;
	return (segur_ledger_record(b->l, SEGUR_RECORD_BALANCE_REQUESTED,
	    q->numero_asp, &rec, b->cause));
}

static int
record_doc(struct sbuild *b, const struct sreq *q, const struct sdoc *d,
    int64_t zip_id, const char *zip_name)
{
	static const char *const sql =
	    "INSERT INTO solde_document(solde_line_id, type, nom_fichier, "
	    "sha256, bundle_file_id) VALUES (?, ?, ?, ?, ?)";
	sqlite3_stmt	*st;
	char		*after;
	int		 rc;

	if ((rc = record_archive(b, d->sha256, d->size)) != 0)
		return (rc);
	if ((rc = segur__stmt(b->l, sql, &st, b->cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, q->line_id);
	segur__bind_text(st, 2, d->type);
	segur__bind_text(st, 3, d->name);
	segur__bind_text(st, 4, d->sha256);
	sqlite3_bind_int64(st, 5, zip_id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(b->l, b->cause, "record a document"));
	after = segur_asprintf("{\"nomFichier\":\"%s\",\"sha256\":\"%s\","
	    "\"zip\":\"%s\"}", d->name, d->sha256, zip_name);
	if (after == NULL)
		return (segur_cause(b->cause, SEGUR_ENOMEM, "out of memory"));
	rc = segur__event_append(b->l, "document.sent", "request", q->ref,
	    q->id, NULL, after, b->cause);
	free(after);
	return (rc);
}

/* Writes the zips of the lines reqs[0..n) of one balance file. */
static int
build_zips(struct sbuild *b, struct sreq **reqs, size_t n, int rank)
{
	struct segur_bundle_doc	*docs = NULL;
	struct segur_build_file	*f;
	struct stat		 st;
	size_t			*zip_of = NULL, nd = 2 * n, nzips;
	size_t			 i, j, k;
	int64_t			 zip_id;
	char			 name[96], *why = NULL;
	const char		*tmp;
	int			 rc = SEGUR_ENOMEM;

	if ((docs = calloc(nd + 1, sizeof(*docs))) == NULL ||
	    (zip_of = calloc(nd + 1, sizeof(*zip_of))) == NULL)
		goto out;
	for (i = 0; i < n; i++)
		for (j = 0; j < 2; j++) {
			docs[2 * i + j].path = reqs[i]->docs[j].archived;
			docs[2 * i + j].name = reqs[i]->docs[j].name;
			docs[2 * i + j].size = reqs[i]->docs[j].size;
			docs[2 * i + j].group = (long)i;
		}
	if ((rc = segur_bundle_plan(docs, nd, b->o->max_zip, zip_of, &nzips,
	    b->cause)) != 0)
		goto out;
	for (k = 0; k < nzips; k++) {
		snprintf(name, sizeof(name), "PJ-SOLDE-%s-%s-%03d-%zu.zip",
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
		for (i = 0; i < nd; i++)
			if (zip_of[i] == k && (rc = record_doc(b, reqs[i / 2],
			    &reqs[i / 2]->docs[i % 2], zip_id, name)) != 0)
				goto out;
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

/* Renders the template for reqs[0..n) into text; checks the result. */
static int
render(struct sbuild *b, struct sreq **reqs, size_t n, const char *name,
    struct segur_buf *text)
{
	struct segur_tval	 fv[3];
	struct segur_tvals	 file, *lines;
	cJSON			*doc;
	size_t			 i;
	int			 rc, count;

	memset(fv, 0, sizeof(fv));
	fv[0].name = "numeroAns";
	fv[0].text = b->sw.numero_ans;
	fv[1].name = "SIRET";
	fv[1].text = b->sw.siret;
	fv[2].name = "dateFichier";
	fv[2].text = b->r->day;
	file.v = fv;
	file.n = 3;
	if ((lines = calloc(n + 1, sizeof(*lines))) == NULL)
		return (segur_cause(b->cause, SEGUR_ENOMEM, "out of memory"));
	for (i = 0; i < n; i++) {
		line_values(reqs[i], (int64_t)i + 1);
		lines[i].v = reqs[i]->vals;
		lines[i].n = NLINE_VALS;
	}
	rc = segur_template_render(b->tmpl, b->tmpl_len, &file, lines, n, text,
	    b->cause);
	free(lines);
	if (rc != 0)
		return (rc);
	/* What is handed out must read back as JSON with every line. */
	doc = cJSON_ParseWithLength(text->data, text->len);
	count = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc,
	    "lignesImport"));
	cJSON_Delete(doc);
	if (doc == NULL || (size_t)count != n)
		return (segur_cause(b->cause, SEGUR_EINVAL, "%s : le fichier "
		    "produit par le modèle ne se relit pas (%d ligne(s) sur "
		    "%zu) : rien n'est enregistré", name, count, n));
	return (0);
}

/* Builds, records and writes one balance file of reqs[0..n). */
static int
build_file(struct sbuild *b, struct sreq **reqs, size_t n)
{
	struct segur_buf	 text = SEGUR_BUF_INIT;
	struct segur_build_file	*f;
	struct stat		 st;
	char			 name[80], *why = NULL;
	const char		*tmp;
	int64_t			 file_id;
	size_t			 i, fi;
	int			 rank = 0, rc;

	if ((rc = alloc_rank(b, &rank)) != 0)
		return (rc);
	snprintf(name, sizeof(name), "JSON-SOLDE-%s-%s-%03d.json",
	    b->sw.numero_ans, b->r->day, rank);
	if ((f = add_file(b, name, 0)) == NULL)
		return (segur_cause(b->cause, SEGUR_ENOMEM, "out of memory"));
	fi = b->r->nfiles - 1;
	if (lstat(f->path, &st) == 0)
		return (segur_cause(b->cause, SEGUR_EEXIST, "%s existe déjà : "
		    "un fichier de ce nom n'a pas été produit par ce registre",
		    f->path));
	if ((rc = render(b, reqs, n, name, &text)) != 0)
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
	if ((rc = record_file(b, "solde", name, rank, f->sha256, f->size,
	    &file_id)) != 0)
		goto out;
	for (i = 0; i < n; i++)
		if ((rc = record_line(b, reqs[i], file_id, (int)i + 1,
		    name)) != 0)
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
	segur_buf_release(&text);
	free(why);
	return (rc);
}

static int
plan(struct sbuild *b, size_t nok, size_t max)
{
	static const char *const sql =
	    "SELECT last FROM solde_rank WHERE numero_ans = ? AND day = ?";
	struct segur_build_file *f;
	sqlite3_stmt	*st;
	char		 name[80];
	size_t		 i;
	int		 rank = 0, rc;

	if ((rc = segur__stmt(b->l, sql, &st, b->cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, b->sw.numero_ans);
	segur__bind_text(st, 2, b->r->day);
	if (sqlite3_step(st) == SQLITE_ROW)
		rank = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	for (i = 0; i < nok; i += max) {
		snprintf(name, sizeof(name), "JSON-SOLDE-%s-%s-%03d.json",
		    b->sw.numero_ans, b->r->day, ++rank);
		if ((f = add_file(b, name, 0)) == NULL)
			return (segur_cause(b->cause, SEGUR_ENOMEM,
			    "out of memory"));
		f->count = nok - i < max ? nok - i : max;
	}
	b->r->nrequests = nok;
	return (0);
}

static int
sort_out(struct sbuild *b, struct sreq ***ok, size_t *nok)
{
	size_t	 i;
	void	*p;
	int	 rc;

	*nok = 0;
	if ((*ok = calloc(b->nreqs + 1, sizeof(**ok))) == NULL)
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

/* The template: the caller's, else the embedded default; checked. */
static int
set_template(struct sbuild *b)
{
	const struct segur_embedded_file *e;
	char	*why = NULL;
	int	 rc;

	if (b->o->tmpl != NULL) {
		b->tmpl = b->o->tmpl;
		b->tmpl_len = b->o->tmpl_len;
	} else if ((e = segur_embedded_find(SEGUR_SOLDE_TEMPLATE)) != NULL) {
		b->tmpl = e->data;
		b->tmpl_len = e->len;
	} else
		return (segur_cause(b->cause, SEGUR_EINVAL, "%s is not "
		    "compiled in", SEGUR_SOLDE_TEMPLATE));
	if ((rc = segur_template_check(b->tmpl, b->tmpl_len, &why)) != 0) {
		segur_cause(b->cause, rc, "modèle de fichier de solde : %s",
		    why != NULL ? why : segur_strerror(rc));
		free(why);
	}
	return (rc);
}

int
segur_solde_build(struct segur_ledger *l, const struct segur_solde_opts *o,
    struct segur_build_result *r, char **cause)
{
	struct sbuild	 b;
	struct sreq	**ok = NULL;
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
	if ((rc = set_template(&b)) != 0 || (rc = segur__build_day(o->day,
	    r->day, cause)) != 0 || (rc = segur__build_software(l,
	    o->numero_ans, &b.sw, cause)) != 0)
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
		rc = plan(&b, nok, max);
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
	    "segurctl solde build", cause);
out:
	if (rc == SEGUR_ENOMEM)
		segur_cause(cause, rc, "out of memory");
	if (began)
		segur__outdir_abandon(l, &b.out, r);
	segur__outdir_release(&b.out);
	for (i = 0; i < b.nreqs; i++)
		sreq_release(&b.reqs[i]);
	free(b.reqs);
	free(ok);
	segur_software_release(&b.sw);
	segur_archive_release(&b.archive);
	return (rc);
}
