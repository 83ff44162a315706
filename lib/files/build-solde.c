/*
 * build-solde.c: the balance build's part of the build driver
 * (build-int.h, docs/internals/solde.md): the requests ready for their
 * balance with their amounts, the two proofs recorded by record delivered,
 * files rendered from the template, a balance line and a
 * balance_requested decision per request.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "files/build-int.h"
#include "ledger/ledger-int.h"
#include "segur/embedded.h"
#include "segur/error.h"
#include "segur/template.h"

#define NLINE_VALS	20	/* the line variables of template.c */

/* The proofs of a balance line: docs[i] of each request. */
static const struct {
	const char	*type;
	const char	*code;
} proofs[2] = { { "FACTURE", "FAC" }, { "PV_RECETTE", "PV" } };

/* A request ready for its balance. */
struct sreq {
	struct segur__breq q;			/* first */
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
	char		 recorded[2][65];	/* proofs' hashes at record
						   delivered */
	int64_t		 line_id;
	int		 resubmission;	/* a balance line was sent before */
	struct segur_tval vals[NLINE_VALS];
};

static void
sreq_release(struct segur__breq *q)
{
	free(((struct sreq *)q)->numero_facture);
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

/* Reads one row of the ready query into s. */
static void
read_row(sqlite3_stmt *st, struct sreq *s, int *oom)
{
	struct segur__bdoc	*d;
	const char		*t;
	int			 i;

	s->q.id = sqlite3_column_int64(st, 0);
	s->q.ref = segur__column_dup(st, 1, oom);
	snprintf(s->numero_asp, sizeof(s->numero_asp), "%s",
	    (const char *)sqlite3_column_text(st, 2));
	s->montant_cents = sqlite3_column_int64(st, 3);
	t = (const char *)sqlite3_column_text(st, 4);
	snprintf(s->regime, sizeof(s->regime), "%s", t != NULL ? t : "");
	to_fr((const char *)sqlite3_column_text(st, 5), s->date_commande);
	t = (const char *)sqlite3_column_text(st, 6);
	snprintf(s->numero_editeur, sizeof(s->numero_editeur), "%s",
	    t != NULL ? t : "");
	t = (const char *)sqlite3_column_text(st, 7);
	snprintf(s->og, sizeof(s->og), "%s", t != NULL ? t : "");
	s->granted_cents = sqlite3_column_type(st, 8) != SQLITE_NULL ?
	    sqlite3_column_int64(st, 8) : s->montant_cents;
	s->advance_cents = sqlite3_column_int64(st, 9);
	s->balance_cents = s->granted_cents - s->advance_cents;
	s->delivery_id = sqlite3_column_int64(st, 10);
	to_fr((const char *)sqlite3_column_text(st, 11), s->date_livraison);
	s->numero_facture = segur__column_dup(st, 12, oom);
	to_fr((const char *)sqlite3_column_text(st, 13), s->date_facture);
	s->facture_cents = sqlite3_column_int64(st, 14);
	for (i = 0; i < 2; i++) {
		d = &s->q.docs[i];
		if ((d->type = strdup(proofs[i].type)) == NULL)
			*oom = 1;
		d->path = segur__column_dup(st, 15 + 3 * i, oom);
		d->format = segur_doc_format_parse(
		    (const char *)sqlite3_column_text(st, 16 + 3 * i));
		snprintf(s->recorded[i], sizeof(s->recorded[i]), "%s",
		    (const char *)sqlite3_column_text(st, 17 + 3 * i));
	}
	s->q.ndocs = 2;
	s->resubmission = sqlite3_column_int(st, 21) > 0;
}

/* Loads the requests of the software ready for their balance. */
static int
load(struct segur__build *b)
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
	    "(SELECT count(*) FROM solde_line WHERE request_id = r.id AND "
	    " outcome <> 'cancelled') "
	    "FROM request r JOIN software s ON s.id = r.software_id "
	    "JOIN delivery d ON d.request_id = r.id AND d.current = 1 "
	    "WHERE s.numero_ans = ? AND (r.state = 'advance_paid' OR "
	    "(r.state = 'balance_rejected' AND d.id > (SELECT "
	    " coalesce(max(delivery_id), 0) FROM solde_line WHERE "
	    " request_id = r.id AND " SEGUR__SOLDE_LINE_ANSWERED_BY_ASP ")))"
	    " ORDER BY d.recorded_at, r.id";
	sqlite3_stmt	*st;
	struct sreq	*s;
	int		 rc, oom = 0;

	if ((rc = segur__stmt(b->l, sql, &st, b->cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, b->sw.numero_ans);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((s = (struct sreq *)segur__build_req_new(b,
		    sizeof(*s))) == NULL) {
			oom = 1;
			break;
		}
		read_row(st, s, &oom);
	}
	sqlite3_reset(st);
	if (oom)
		return (segur_cause(b->cause, SEGUR_ENOMEM, "mémoire épuisée"));
	if (rc != SQLITE_DONE)
		return (segur__db_error(b->l, b->cause,
		    "lecture des demandes"));
	return (0);
}

/* Checks q's balance and proofs, which must be as recorded. */
static int
check(struct segur__build *b, struct segur__breq *q)
{
	struct sreq		*s = (struct sreq *)q;
	struct segur__bdoc	*d;
	size_t			 i;
	int			 rc;

	if (s->numero_editeur[0] == '\0')
		return (segur__build_skip(q, strdup("aucune tentative "
		    "acceptée : numeroEditeur inconnu")));
	if (s->balance_cents <= 0)
		return (segur__build_skip(q, segur_asprintf("solde nul ou "
		    "négatif (accordé %" PRId64 " centimes, avance %" PRId64
		    " centimes)", s->granted_cents, s->advance_cents)));
	for (i = 0; i < 2; i++) {
		d = &q->docs[i];
		if ((rc = segur__build_doc_check(b, q, d)) != 0)
			return (rc < 0 ? rc : 0);
		if (strcmp(d->sha256, s->recorded[i]) != 0)
			return (segur__build_skip(q, segur_asprintf("%s a "
			    "changé depuis segurctl record delivered : "
			    "enregistrez à nouveau la livraison", d->path)));
		if (d->format == SEGUR_DOC_UNKNOWN)
			return (segur__build_skip(q, strdup("format de pièce "
			    "inconnu")));
		snprintf(d->name, sizeof(d->name), "MS1-DUI-Va1-%s-%s.%s",
		    proofs[i].code, s->numero_editeur,
		    segur_doc_format_ext(d->format));
		d->sent = 1;
	}
	return (0);
}

/* The template: the caller's, else the embedded default; checked before
 * anything else is done. */
static int
prepare(struct segur__build *b)
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
		return (segur_cause(b->cause, SEGUR_EINVAL, "%s n'est pas "
		    "compilé dans ce programme", SEGUR_SOLDE_TEMPLATE));
	if ((rc = segur_template_check(b->tmpl, b->tmpl_len, &why)) != 0) {
		segur_cause(b->cause, rc, "modèle de fichier de solde : %s",
		    why != NULL ? why : segur_strerror(rc));
		free(why);
	}
	return (rc);
}

/* Allocates the next rank of the day's balance files, a sequence of
 * their own. */
static int
alloc_rank(struct segur__build *b, int *rank)
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
		    "fichiers de solde le %.2s/%.2s/%.4s pour %s",
		    b->r->day + 6, b->r->day + 4, b->r->day,
		    b->sw.numero_ans));
	if (rc != SQLITE_ROW)
		return (segur__db_error(b->l, b->cause,
		    "allocation d'un rang"));
	return (0);
}

/* The values of s's line numLigne n (pointing into s). */
static void
line_values(struct sreq *s, int64_t n)
{
	struct segur_tval *v = s->vals;
	size_t	 i = 0;

	memset(s->vals, 0, sizeof(s->vals));
#define TEXT(k, x)	(v[i].name = (k), v[i].text = (x), i++)
#define NUM(k, x)	(v[i].name = (k), v[i].num = (x), i++)
	NUM("numLigne", n);
	TEXT("numeroASP", s->numero_asp);
	TEXT("numeroEditeur", s->numero_editeur);
	TEXT("reference", s->q.ref);
	TEXT("FINESSJuridique", s->og);
	TEXT("dateCommande", s->date_commande);
	TEXT("regimeTVA", s->regime);
	NUM("montantSegurHT", s->montant_cents);
	NUM("montantAccordeHT", s->granted_cents);
	NUM("montantAvance", s->advance_cents);
	NUM("montantSoldeHT", s->balance_cents);
	TEXT("dateLivraison", s->date_livraison);
	TEXT("numeroFacture", s->numero_facture);
	TEXT("dateFacture", s->date_facture);
	NUM("montantFactureHT", s->facture_cents);
	TEXT("nomFichierFacture", s->q.docs[0].name);
	TEXT("nomFichierPV", s->q.docs[1].name);
	TEXT("formatFichierFacture",
	    segur_doc_format_name(s->q.docs[0].format));
	TEXT("formatFichierPV", segur_doc_format_name(s->q.docs[1].format));
	NUM("resoumission", s->resubmission);
#undef TEXT
#undef NUM
}

/* Renders the template for reqs[0..n) into text; what is handed out must
 * read back as JSON with every line. */
static int
write_file(struct segur__build *b, struct segur__breq **reqs, size_t n,
    const char *name, struct segur_buf *text)
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
		return (segur_cause(b->cause, SEGUR_ENOMEM, "mémoire épuisée"));
	for (i = 0; i < n; i++) {
		line_values((struct sreq *)reqs[i], (int64_t)i + 1);
		lines[i].v = ((struct sreq *)reqs[i])->vals;
		lines[i].n = NLINE_VALS;
	}
	rc = segur_template_render(b->tmpl, b->tmpl_len, &file, lines, n, text,
	    b->cause);
	free(lines);
	if (rc != 0)
		return (rc);
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

/* Records the line of s in file_id and moves s to balance_requested. */
static int
record_line(struct segur__build *b, struct sreq *s, int64_t file_id, int num,
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
	sqlite3_bind_int64(st, 1, s->q.id);
	sqlite3_bind_int64(st, 2, s->q.id);
	sqlite3_bind_int64(st, 3, s->delivery_id);
	segur__bind_text(st, 4, s->numero_asp);
	segur__bind_text(st, 5, s->numero_editeur);
	sqlite3_bind_int64(st, 6, s->balance_cents);
	sqlite3_bind_int64(st, 7, file_id);
	sqlite3_bind_int(st, 8, num);
	segur__bind_text(st, 9, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(b->l, b->cause,
		    "enregistrement de la ligne"));
	s->line_id = sqlite3_last_insert_rowid(b->l->db);
	snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2s", b->r->day,
	    b->r->day + 4, b->r->day + 6);
	memset(&rec, 0, sizeof(rec));
	rec.date = iso;
	rec.amount_cents = s->balance_cents;
	rec.letter_ref = NULL;
	rec.note = fname;
	return (segur_ledger_record(b->l, SEGUR_RECORD_BALANCE_REQUESTED,
	    s->numero_asp, &rec, b->cause));
}

static int
record(struct segur__build *b, struct segur__breq **reqs, size_t n,
    int64_t file_id, const char *name)
{
	size_t	 i;
	int	 rc;

	for (i = 0; i < n; i++)
		if ((rc = record_line(b, (struct sreq *)reqs[i], file_id,
		    (int)i + 1, name)) != 0)
			return (rc);
	return (0);
}

/* Records that a proof went with the balance line, in zip_name. */
static int
record_doc(struct segur__build *b, struct segur__breq *q,
    const struct segur__bdoc *d, int64_t zip_id, const char *zip_name)
{
	static const char *const sql =
	    "INSERT INTO solde_document(solde_line_id, type, nom_fichier, "
	    "sha256, bundle_file_id) VALUES (?, ?, ?, ?, ?)";
	sqlite3_stmt	*st;
	char		*after;
	int		 rc;

	if ((rc = segur__stmt(b->l, sql, &st, b->cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, ((struct sreq *)q)->line_id);
	segur__bind_text(st, 2, d->type);
	segur__bind_text(st, 3, d->name);
	segur__bind_text(st, 4, d->sha256);
	sqlite3_bind_int64(st, 5, zip_id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(b->l, b->cause,
		    "enregistrement d'une pièce"));
	after = segur_asprintf("{\"nomFichier\":\"%s\",\"sha256\":\"%s\","
	    "\"zip\":\"%s\"}", d->name, d->sha256, zip_name);
	if (after == NULL)
		return (segur_cause(b->cause, SEGUR_ENOMEM, "mémoire épuisée"));
	rc = segur__event_append(b->l, "document.sent", "request", q->ref,
	    q->id, NULL, after, b->cause);
	free(after);
	return (rc);
}

const struct segur__build_kind segur__build_solde = {
	.kind = SEGUR_FILE_SOLDE,
	.prefix = "SOLDE-",
	.q_last_rank = "SELECT last FROM solde_rank WHERE numero_ans = ? AND "
	    "day = ?",
	.again = "segurctl solde build",
	.prepare = prepare,
	.load = load,
	.check = check,
	.alloc_rank = alloc_rank,
	.write = write_file,
	.record = record,
	.record_doc = record_doc,
	.release = sreq_release,
};
