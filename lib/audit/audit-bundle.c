/*
 * audit-bundle.c: evidence bundles (a zip holding one folder: each
 * request's history, files sent and received, documents sent, HEAD.json
 * and MANIFEST.sha256) and their verification (audit.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <zip.h>

#include "segur/amount.h"
#include "segur/archive.h"
#include "segur/audit.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/svg.h"
#include "segur/util.h"

#include "audit/audit-int.h"
#include "ledger/ledger-int.h"

#define MANIFEST	"MANIFEST.sha256"
#define MANIFEST_HMAC	"MANIFEST.sha256.hmac"
#define HEAD_FILE	"HEAD.json"
#define MANIFEST_JSON	"MANIFEST.json"
#define MANIFEST_FORMAT	"segur-preuves-2"

/* The largest MANIFEST.json verify-bundle reads (100,000 requests of
 * some fifteen pieces each fit). */
#define MANIFEST_JSON_MAX	((zip_uint64_t)1024 * 1024 * 1024)

/* The largest manifest or HEAD.json verify-bundle reads into memory. */
#define META_MAX	((zip_uint64_t)64 * 1024 * 1024)

int
segur__audit_fsync_file(const char *path, char **cause)
{
	int	 fd, rc = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (segur_cause(cause, SEGUR_EIO, "%s: %s", path,
		    strerror(errno)));
	if (fsync(fd) == -1)
		rc = segur_cause(cause, SEGUR_EIO, "fsync %s: %s", path,
		    strerror(errno));
	close(fd);
	return (rc);
}

int
segur__audit_commit_file(const char *tmp, const char *path, char **cause)
{
	if (rename(tmp, path) == -1)
		return (segur_cause(cause, SEGUR_EIO, "renommage de %s : %s",
		    tmp, strerror(errno)));
	return (segur_fsync_dir(path, cause));
}

/* ------------------------------------------------------------------ */
/* Writing. */

/* Objects stored in the bundle, each under one path. */
struct shared_list {
	struct shared {
		char	*path;		/* owned, inside the folder */
		char	 sha[65];
	}		*v;
	size_t		 n;
};

struct bundle {
	struct segur_ledger		*l;
	const struct segur_archive	*a;
	zip_t				*za;
	char				*top;	/* owned; the folder */
	struct segur_buf		 manifest;
	char				**cause;
	/* The files sent and received, each stored once under fichiers/
	 * (a file of 200 lines answers for 200 requests). */
	struct shared_list		 files;
	/* The current request's documents under its pieces/: the same
	 * document sent twice (a balance sent again) is stored once. */
	struct shared_list		 docs;
	struct segur_buf		 list;	/* the request's fichiers.txt */
	struct segur_buf		 inv;	/* its inventaire.txt */
	cJSON				*generated; /* borrowed from json */
	cJSON				*requests;  /* borrowed from json */
};

static void
shared_release(struct shared_list *sl)
{
	size_t	 i;

	for (i = 0; i < sl->n; i++)
		free(sl->v[i].path);
	free(sl->v);
	sl->v = NULL;
	sl->n = 0;
}

/* The path a stored object already has, or NULL. */
static const char *
shared_find(const struct shared_list *sl, const char *path, const char *sha,
    int *clash)
{
	size_t	 i;

	*clash = 0;
	for (i = 0; i < sl->n; i++) {
		if (strcmp(sl->v[i].path, path) != 0)
			continue;
		if (strcmp(sl->v[i].sha, sha) == 0)
			return (sl->v[i].path);
		*clash = 1;
	}
	return (NULL);
}

/* A file name safe in a zip and on any disk: [A-Za-z0-9._-], others '_'. */
static char *
safe_name(const char *s)
{
	char	*p, *q;

	if ((p = strdup(s)) == NULL)
		return (NULL);
	for (q = p; *q != '\0'; q++)
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
		    (*q >= '0' && *q <= '9') || *q == '.' || *q == '-' ||
		    *q == '_'))
			*q = '_';
	if (p[0] == '.')
		p[0] = '_';
	return (p);
}

/* Adds src under top/name and its line to the manifest. Takes src. */
static int
add_source(struct bundle *b, const char *name, zip_source_t *src,
    const char *sha)
{
	zip_int64_t	 idx;
	char		*full;

	if ((full = segur_asprintf("%s/%s", b->top, name)) == NULL) {
		zip_source_free(src);
		return (segur_cause(b->cause, SEGUR_ENOMEM, "mémoire épuisée"));
	}
	idx = zip_file_add(b->za, full, src, ZIP_FL_ENC_UTF_8);
	free(full);
	if (idx < 0) {
		zip_source_free(src);
		return (segur_cause(b->cause, SEGUR_EIO, "zip %s: %s", name,
		    zip_error_strerror(zip_get_error(b->za))));
	}
	if (segur_buf_addf(&b->manifest, "%s  %s\n", sha, name) != 0)
		return (segur_cause(b->cause, SEGUR_ENOMEM, "mémoire épuisée"));
	return (0);
}

/* Adds data[0..len) (copied) as top/name. */
static int
add_copy(struct bundle *b, const char *name, const void *data, size_t len)
{
	zip_source_t	*src;
	char		 sha[65];
	void		*copy;

	segur_sha256_hex(data, len, sha);
	if ((copy = malloc(len > 0 ? len : 1)) == NULL)
		return (segur_cause(b->cause, SEGUR_ENOMEM, "mémoire épuisée"));
	memcpy(copy, data, len);
	if ((src = zip_source_buffer(b->za, copy, len, 1)) == NULL) {
		free(copy);
		return (segur_cause(b->cause, SEGUR_ENOMEM, "mémoire épuisée"));
	}
	return (add_source(b, name, src, sha));
}

/* Adds data[0..len) as top/name, a file the bundle makes (listed as such
 * in MANIFEST.json). */
static int
add_data(struct bundle *b, const char *name, const void *data, size_t len)
{
	cJSON	*it;

	if ((it = cJSON_CreateString(name)) == NULL ||
	    !cJSON_AddItemToArray(b->generated, it)) {
		cJSON_Delete(it);
		return (segur_cause(b->cause, SEGUR_ENOMEM, "mémoire épuisée"));
	}
	return (add_copy(b, name, data, len));
}

/* Adds the archived object sha as top/name, after checking it. */
static int
add_archived(struct bundle *b, const char *name, const char *sha)
{
	zip_source_t	*src;
	char		*path, *why = NULL;
	int		 rc;

	if ((rc = segur_archive_verify(b->a, sha, &why)) != 0) {
		rc = segur_cause(b->cause, rc, "%s (archive %s): %s", name,
		    sha, why != NULL ? why : segur_strerror(rc));
		free(why);
		return (rc);
	}
	if ((path = segur_archive_path(b->a, sha)) == NULL)
		return (segur_cause(b->cause, SEGUR_ENOMEM, "mémoire épuisée"));
	src = zip_source_file(b->za, path, 0, -1);
	free(path);
	if (src == NULL)
		return (segur_cause(b->cause, SEGUR_EIO, "zip %s: %s", name,
		    zip_error_strerror(zip_get_error(b->za))));
	return (add_source(b, name, src, sha));
}

/* JSON text v parsed into a cJSON value, or the text itself. */
static cJSON *
raw_json(const char *text)
{
	cJSON	*v;

	if (text == NULL)
		return (cJSON_CreateNull());
	if ((v = cJSON_Parse(text)) != NULL)
		return (v);
	return (cJSON_CreateString(text));
}

static int
history_json(const struct segur_event *ev, size_t n, char **out)
{
	cJSON	*arr, *o;
	size_t	 i;

	*out = NULL;
	if ((arr = cJSON_CreateArray()) == NULL)
		return (SEGUR_ENOMEM);
	for (i = 0; i < n; i++) {
		if ((o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(arr, o) ||
		    cJSON_AddNumberToObject(o, "id", (double)ev[i].id) ==
		    NULL ||
		    cJSON_AddStringToObject(o, "at", ev[i].at) == NULL ||
		    cJSON_AddStringToObject(o, "actor", ev[i].actor) == NULL ||
		    cJSON_AddStringToObject(o, "action", ev[i].action) ==
		    NULL ||
		    cJSON_AddStringToObject(o, "entity", ev[i].entity) ==
		    NULL ||
		    (ev[i].entity_key != NULL ? cJSON_AddStringToObject(o,
		    "entityKey", ev[i].entity_key) : cJSON_AddNullToObject(o,
		    "entityKey")) == NULL ||
		    !cJSON_AddItemToObject(o, "before",
		    raw_json(ev[i].before)) ||
		    !cJSON_AddItemToObject(o, "after", raw_json(ev[i].after)) ||
		    cJSON_AddStringToObject(o, "prevHash", ev[i].prev_hash) ==
		    NULL ||
		    cJSON_AddStringToObject(o, "hash", ev[i].hash) == NULL) {
			cJSON_Delete(arr);
			return (SEGUR_ENOMEM);
		}
	}
	*out = cJSON_Print(arr);
	cJSON_Delete(arr);
	return (*out != NULL ? 0 : SEGUR_ENOMEM);
}

static int
history_html(const char *ref, const struct segur_event *ev, size_t n,
    const struct segur_chain_head *h, struct segur_buf *o)
{
	size_t	 i;
	int	 rc = 0;

	rc |= segur_buf_adds(o, "<!DOCTYPE html>\n<html lang=\"fr\"><head>"
	    "<meta charset=\"utf-8\"><title>Historique ");
	rc |= segur_html_escape(o, ref);
	rc |= segur_buf_adds(o, "</title><style>body{font:14px sans-serif;"
	    "margin:2em}table{border-collapse:collapse}td,th{border:1px "
	    "solid #999;padding:4px;vertical-align:top;text-align:left}"
	    "pre{margin:0;white-space:pre-wrap;font-size:12px}"
	    "code{font-size:11px}</style></head><body>\n<h1>Historique de la "
	    "demande ");
	rc |= segur_html_escape(o, ref);
	rc |= segur_buf_addf(o, "</h1>\n<p>%zu événement(s). Tête de la "
	    "chaîne au moment de l'extraction : <code>%s</code> (%" PRId64
	    " événements, %s).</p>\n<table><tr><th>n°</th><th>date (UTC)"
	    "</th><th>acteur</th><th>action</th><th>objet</th><th>avant</th>"
	    "<th>après</th><th>empreinte</th></tr>\n", n, h->hash, h->events,
	    h->at);
	for (i = 0; i < n && rc == 0; i++) {
		rc |= segur_buf_addf(o, "<tr><td>%" PRId64 "</td><td>",
		    ev[i].id);
		rc |= segur_html_escape(o, ev[i].at);
		rc |= segur_buf_adds(o, "</td><td>");
		rc |= segur_html_escape(o, ev[i].actor);
		rc |= segur_buf_adds(o, "</td><td>");
		rc |= segur_html_escape(o, ev[i].action);
		rc |= segur_buf_adds(o, "</td><td>");
		rc |= segur_html_escape(o, ev[i].entity);
		if (ev[i].entity_key != NULL) {
			rc |= segur_buf_adds(o, " ");
			rc |= segur_html_escape(o, ev[i].entity_key);
		}
		rc |= segur_buf_adds(o, "</td><td><pre>");
		rc |= segur_html_escape(o, ev[i].before != NULL ?
		    ev[i].before : "");
		rc |= segur_buf_adds(o, "</pre></td><td><pre>");
		rc |= segur_html_escape(o, ev[i].after != NULL ?
		    ev[i].after : "");
		rc |= segur_buf_adds(o, "</pre></td><td><code>");
		rc |= segur_html_escape(o, ev[i].hash);
		rc |= segur_buf_adds(o, "</code></td></tr>\n");
	}
	rc |= segur_buf_adds(o, "</table>\n</body></html>\n");
	return (rc != 0 ? SEGUR_ENOMEM : 0);
}

/*
 * The pieces of a request's evidence, from the order form to the balance
 * payment (docs/audit.md, "Expected pieces"). Each query takes the
 * request's id and returns one row per piece the ledger holds: 0 the file
 * name, 1 its SHA-256 (both NULL for a piece without a file: a decision,
 * a payment, a delivery record), 2 the attempt's or balance line's
 * number, 3 its date, 4 an amount in cents, 5 a reference (its JSON key
 * in key5), 6 the zip it was sent in.
 */
enum piece_kind {
	P_BDC, P_HT, P_FICHIER_AVANCE, P_REPONSE_AVANCE, P_ATTRIBUTION,
	P_REFUS, P_PAIEMENT_AVANCE, P_LIVRAISON, P_FACTURE, P_PV,
	P_FICHIER_SOLDE, P_REPONSE_SOLDE, P_PAIEMENT_SOLDE, P_COUNT
};

enum piece_place {
	IN_NONE,		/* no file: the manifest holds it all */
	IN_SENT,		/* fichiers/envoyes/, shared */
	IN_RECEIVED,		/* fichiers/recus/, shared */
	IN_PIECES		/* demandes/<REF>/pieces/ */
};

#define Q_DOC(type)							\
	"SELECT ad.nom_fichier, ad.sha256, a.seq, f.created_at, NULL, "	\
	"NULL, z.name FROM attempt a JOIN attempt_document ad "		\
	"ON ad.attempt_id = a.id JOIN document d ON d.id = ad.document_id " \
	"LEFT JOIN file f ON f.id = a.file_id "				\
	"LEFT JOIN file z ON z.id = ad.bundle_file_id "			\
	"WHERE a.request_id = ?1 AND d.type = '" type "' ORDER BY a.seq"
#define Q_SDOC(type)							\
	"SELECT sd.nom_fichier, sd.sha256, s.seq, f.created_at, NULL, "	\
	"NULL, z.name FROM solde_line s JOIN solde_document sd "	\
	"ON sd.solde_line_id = s.id JOIN file f ON f.id = s.file_id "	\
	"JOIN file z ON z.id = sd.bundle_file_id "			\
	"WHERE s.request_id = ?1 AND sd.type = '" type "' ORDER BY s.seq"
#define Q_DEC(kind)							\
	"SELECT NULL, NULL, NULL, date, amount_cents, letter_ref, NULL "	\
	"FROM decision WHERE request_id = ?1 AND kind = '" kind "' "	\
	"ORDER BY id"

static const struct piece {
	const char	*code;		/* MANIFEST.json's "piece" */
	const char	*label;		/* French, for people */
	enum piece_place place;
	const char	*key5;		/* column 5's JSON key */
	const char	*sql;
	/* For an answer: the closure that stands for it when the portal
	 * refused the file whole (no answer will ever come), or NULL. */
	const char	*closure;
} pieces[P_COUNT] = {
	[P_BDC] = { "bon_commande", "bon de commande (BDC)", IN_PIECES, NULL,
	    Q_DOC("BON_COMMANDE"), NULL },
	[P_HT] = { "preuve_ht", "preuve du montant HT", IN_PIECES, NULL,
	    Q_DOC("PREUVE_HT"), NULL },
	[P_FICHIER_AVANCE] = { "fichier_avance", "fichier de demande "
	    "d'avance envoyé", IN_SENT, NULL,
	    "SELECT f.name, f.sha256, a.seq, f.created_at, NULL, NULL, NULL "
	    "FROM attempt a JOIN file f ON f.id = a.file_id "
	    "WHERE a.request_id = ?1 ORDER BY a.seq", NULL },
	[P_REPONSE_AVANCE] = { "reponse_avance", "réponse de l'ASP à la "
	    "demande d'avance", IN_RECEIVED, "libelleTraitement",
	    "SELECT f.name, f.sha256, a.seq, a.answered_at, NULL, "
	    "a.libelle_traitement, NULL FROM attempt a "
	    "JOIN file f ON f.id = a.answer_file_id WHERE a.request_id = ?1 "
	    "ORDER BY a.seq",
	    "SELECT c.state, c.reason, c.closed_at FROM attempt a "
	    "JOIN file_closure c ON c.file_id = a.file_id "
	    "WHERE a.request_id = ?1 ORDER BY a.seq DESC LIMIT 1" },
	[P_ATTRIBUTION] = { "decision_attribution", "décision d'attribution",
	    IN_NONE, "reference", Q_DEC("grant"), NULL },
	[P_REFUS] = { "decision_refus", "décision de refus", IN_NONE,
	    "reference", Q_DEC("refusal"), NULL },
	[P_PAIEMENT_AVANCE] = { "paiement_avance", "paiement de l'avance",
	    IN_NONE, "reference", Q_DEC("advance_paid"), NULL },
	[P_LIVRAISON] = { "livraison", "livraison (date, facture)", IN_NONE,
	    "numeroFacture",
	    "SELECT NULL, NULL, NULL, date, montant_facture_cents, "
	    "numero_facture, NULL FROM delivery WHERE request_id = ?1 "
	    "ORDER BY id", NULL },
	[P_FACTURE] = { "facture", "facture", IN_PIECES, NULL,
	    Q_SDOC("FACTURE"), NULL },
	[P_PV] = { "pv_recette", "procès-verbal de recette (PV)", IN_PIECES,
	    NULL, Q_SDOC("PV_RECETTE"), NULL },
	[P_FICHIER_SOLDE] = { "fichier_solde", "fichier de demande de solde "
	    "envoyé", IN_SENT, NULL,
	    "SELECT f.name, f.sha256, s.seq, f.created_at, "
	    "s.montant_solde_cents, NULL, NULL FROM solde_line s "
	    "JOIN file f ON f.id = s.file_id WHERE s.request_id = ?1 "
	    "ORDER BY s.seq", NULL },
	[P_REPONSE_SOLDE] = { "reponse_solde", "réponse de l'ASP à la "
	    "demande de solde", IN_RECEIVED, "libelleTraitement",
	    "SELECT f.name, f.sha256, s.seq, s.answered_at, NULL, "
	    "s.libelle_traitement, NULL FROM solde_line s "
	    "JOIN file f ON f.id = s.answer_file_id WHERE s.request_id = ?1 "
	    "ORDER BY s.seq",
	    "SELECT c.state, c.reason, c.closed_at FROM solde_line s "
	    "JOIN file_closure c ON c.file_id = s.file_id "
	    "WHERE s.request_id = ?1 ORDER BY s.seq DESC LIMIT 1" },
	[P_PAIEMENT_SOLDE] = { "paiement_solde", "paiement du solde",
	    IN_NONE, "reference", Q_DEC("balance_paid"), NULL },
};

/*
 * The pieces a request must have in each state: what every step up to
 * that state leaves behind. The one table; docs/audit.md copies it.
 * PREUVE_HT only counts for a request under the HT regime.
 */
#define PB(p)		(1u << (p))
#define E_SENT		(PB(P_BDC) | PB(P_HT) | PB(P_FICHIER_AVANCE))
#define E_ANSWERED	(E_SENT | PB(P_REPONSE_AVANCE))
#define E_GRANTED	(E_ANSWERED | PB(P_ATTRIBUTION))
#define E_ADVANCE	(E_GRANTED | PB(P_PAIEMENT_AVANCE))
#define E_BAL_SENT	(E_ADVANCE | PB(P_LIVRAISON) | PB(P_FACTURE) |	\
			    PB(P_PV) | PB(P_FICHIER_SOLDE))
#define E_BAL_ANSWERED	(E_BAL_SENT | PB(P_REPONSE_SOLDE))
#define E_BAL_PAID	(E_BAL_ANSWERED | PB(P_PAIEMENT_SOLDE))

static const unsigned expected[SEGUR_STATE_COUNT] = {
	[SEGUR_STATE_DRAFT] = 0,
	[SEGUR_STATE_READY] = 0,
	[SEGUR_STATE_SUBMITTED] = E_SENT,
	[SEGUR_STATE_ACCEPTED] = E_ANSWERED,
	[SEGUR_STATE_REJECTED] = E_ANSWERED,
	[SEGUR_STATE_GRANTED] = E_GRANTED,
	[SEGUR_STATE_REFUSED] = E_ANSWERED | PB(P_REFUS),
	[SEGUR_STATE_ADVANCE_PAID] = E_ADVANCE,
	[SEGUR_STATE_BALANCE_REQUESTED] = E_BAL_SENT,
	[SEGUR_STATE_BALANCE_ACCEPTED] = E_BAL_ANSWERED,
	[SEGUR_STATE_BALANCE_REJECTED] = E_BAL_ANSWERED,
	[SEGUR_STATE_BALANCE_PAID] = E_BAL_PAID,
	[SEGUR_STATE_CLOSED] = E_BAL_PAID,
	[SEGUR_STATE_WITHDRAWN] = 0,
};

/*
 * Stores the archived object sha under dir/<name> once in sl: *path is
 * where it is (borrowed from sl). A name already taken by other content
 * (two answers both named retour.json) gets its hash's start in front.
 */
static int
store_object(struct bundle *b, struct shared_list *sl, const char *dir,
    const char *n, const char *sha, const char **path)
{
	struct shared	*ns;
	const char	*have;
	char		*safe, *name = NULL;
	int		 clash, rc;

	if ((safe = safe_name(n)) == NULL ||
	    (name = segur_asprintf("%s/%s", dir, safe)) == NULL)
		goto oom;
	if ((have = shared_find(sl, name, sha, &clash)) == NULL && clash) {
		free(name);
		if ((name = segur_asprintf("%s/%.12s-%s", dir, sha, safe)) ==
		    NULL)
			goto oom;
		have = shared_find(sl, name, sha, &clash);
	}
	free(safe);
	safe = NULL;
	if (have != NULL) {
		free(name);
		*path = have;
		return (0);
	}
	if ((rc = add_archived(b, name, sha)) != 0) {
		free(name);
		return (rc);
	}
	if ((ns = realloc(sl->v, (sl->n + 1) * sizeof(*ns))) == NULL)
		goto oom;
	sl->v = ns;
	ns[sl->n].path = name;
	snprintf(ns[sl->n].sha, sizeof(ns[sl->n].sha), "%s", sha);
	*path = ns[sl->n++].path;
	return (0);
oom:
	free(safe);
	free(name);
	return (segur_cause(b->cause, SEGUR_ENOMEM, "mémoire épuisée"));
}

/* Adds column i of st to o as key, text or null; amounts as "730.00". */
static int
json_col(cJSON *o, const char *key, sqlite3_stmt *st, int i, int amount)
{
	char	 buf[SEGUR_AMOUNT_BUFSZ];

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return (cJSON_AddNullToObject(o, key) != NULL ? 0 : -1);
	if (amount)
		return (cJSON_AddStringToObject(o, key, segur_amount_format(
		    sqlite3_column_int64(st, i), buf)) != NULL ? 0 : -1);
	if (sqlite3_column_type(st, i) == SQLITE_INTEGER)
		return (cJSON_AddNumberToObject(o, key,
		    (double)sqlite3_column_int64(st, i)) != NULL ? 0 : -1);
	return (cJSON_AddStringToObject(o, key,
	    (const char *)sqlite3_column_text(st, i)) != NULL ? 0 : -1);
}

/* One row of piece p: its file stored, its entry in arr, its lines in
 * fichiers.txt and inventaire.txt. */
static int
piece_row(struct bundle *b, const struct piece *p, sqlite3_stmt *st,
    const char *dir, cJSON *arr)
{
	char		 amount[SEGUR_AMOUNT_BUFSZ], *docs = NULL;
	const char	*name, *sha, *path = NULL, *date;
	cJSON		*o;
	int		 rc = 0;

	name = (const char *)sqlite3_column_text(st, 0);
	sha = (const char *)sqlite3_column_text(st, 1);
	if (p->place != IN_NONE && name != NULL && sha != NULL) {
		if (p->place == IN_PIECES)
			rc = (docs = segur_asprintf("%s/pieces", dir)) ==
			    NULL ? segur_cause(b->cause, SEGUR_ENOMEM,
			    "mémoire épuisée") : store_object(b, &b->docs, docs,
			    name, sha, &path);
		else
			rc = store_object(b, &b->files, p->place == IN_SENT ?
			    "fichiers/envoyes" : "fichiers/recus", name, sha,
			    &path);
		free(docs);
		if (rc != 0)
			return (rc);
	}
	if ((o = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddItemToArray(arr, o) ||
	    cJSON_AddStringToObject(o, "piece", p->code) == NULL ||
	    cJSON_AddStringToObject(o, "label", p->label) == NULL ||
	    cJSON_AddStringToObject(o, "status", "present") == NULL ||
	    (path != NULL && (cJSON_AddStringToObject(o, "path", path) ==
	    NULL || cJSON_AddStringToObject(o, "sha256", sha) == NULL ||
	    cJSON_AddStringToObject(o, "name", name) == NULL)) ||
	    json_col(o, "seq", st, 2, 0) != 0 ||
	    json_col(o, "date", st, 3, 0) != 0 ||
	    json_col(o, "amount", st, 4, 1) != 0 ||
	    (p->key5 != NULL && json_col(o, p->key5, st, 5, 0) != 0) ||
	    (p->place == IN_PIECES && json_col(o, "zip", st, 6, 0) != 0))
		goto oom;
	date = (const char *)sqlite3_column_text(st, 3);
	if (segur_buf_addf(&b->inv, "présent   %s", p->label) != 0 ||
	    (date != NULL && segur_buf_addf(&b->inv, ", %s", date) != 0) ||
	    (sqlite3_column_type(st, 4) != SQLITE_NULL &&
	    segur_buf_addf(&b->inv, ", %s €", segur_amount_format(
	    sqlite3_column_int64(st, 4), amount)) != 0) ||
	    (path != NULL && segur_buf_addf(&b->inv, " : %s  %s", path,
	    sha) != 0) || segur_buf_adds(&b->inv, "\n") != 0)
		goto oom;
	if (path != NULL && p->place != IN_PIECES &&
	    segur_buf_addf(&b->list, "%s  %s  %s\n", p->place == IN_SENT ?
	    "envoyé" : "reçu", sha, path) != 0)
		goto oom;
	return (0);
oom:
	return (segur_cause(b->cause, SEGUR_ENOMEM, "mémoire épuisée"));
}

/*
 * An expected piece the ledger does not have: "missing", or for an
 * answer to a file the portal refused or ops cancelled, "closed" with
 * the closure (no answer will ever come). *missing counts the first.
 */
static int
piece_absent(struct bundle *b, const struct piece *p, int64_t id,
    const char *state, cJSON *arr, int *missing)
{
	sqlite3_stmt	*st = NULL;
	char		*note = NULL;
	cJSON		*o;
	int		 rc = 0;

	if (p->closure != NULL) {
		if ((rc = segur__stmt(b->l, p->closure, &st, b->cause)) != 0)
			return (rc);
		sqlite3_bind_int64(st, 1, id);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW)
			note = segur_asprintf("fichier %s le %s : %s",
			    strcmp((const char *)sqlite3_column_text(st, 0),
			    "refused") == 0 ? "refusé par le portail" :
			    "annulé", (const char *)sqlite3_column_text(st, 2),
			    (const char *)sqlite3_column_text(st, 1));
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return (segur__db_error(b->l, b->cause,
			    "lecture des clôtures"));
		if (rc == SQLITE_ROW && note == NULL)
			goto oom;
	}
	if (note == NULL && (note = segur_asprintf("attendu à l'état %s",
	    state)) == NULL)
		goto oom;
	if (rc != SQLITE_ROW)
		(*missing)++;
	if ((o = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddItemToArray(arr, o) ||
	    cJSON_AddStringToObject(o, "piece", p->code) == NULL ||
	    cJSON_AddStringToObject(o, "label", p->label) == NULL ||
	    cJSON_AddStringToObject(o, "status", rc == SQLITE_ROW ? "closed" :
	    "missing") == NULL ||
	    cJSON_AddStringToObject(o, "note", note) == NULL ||
	    segur_buf_addf(&b->inv, "%s  %s : %s\n", rc == SQLITE_ROW ?
	    "sans objet" : "MANQUANT", p->label, note) != 0)
		goto oom;
	free(note);
	return (0);
oom:
	free(note);
	return (segur_cause(b->cause, SEGUR_ENOMEM, "mémoire épuisée"));
}

/* Every piece of request id, and each expected one it lacks, into arr. */
static int
add_pieces(struct bundle *b, int64_t id, const char *state, int ht,
    const char *dir, cJSON *arr, int *missing)
{
	sqlite3_stmt	*st;
	unsigned	 want;
	size_t		 k, nrows;
	int		 rc, s;

	s = segur_state_parse(state);
	want = s >= 0 && s < SEGUR_STATE_COUNT ? expected[s] : 0;
	if (!ht)
		want &= ~PB(P_HT);
	for (k = 0; k < P_COUNT; k++) {
		/* Cached by the handle: prepared once per bundle. */
		if ((rc = segur__stmt(b->l, pieces[k].sql, &st, b->cause)) !=
		    0)
			return (rc);
		sqlite3_bind_int64(st, 1, id);
		nrows = 0;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			nrows++;
			if ((rc = piece_row(b, &pieces[k], st, dir, arr)) !=
			    0) {
				sqlite3_reset(st);
				return (rc);
			}
		}
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return (segur__db_error(b->l, b->cause,
			    "lecture des pièces"));
		if (nrows == 0 && (want & PB(k)) && (rc = piece_absent(b,
		    &pieces[k], id, state, arr, missing)) != 0)
			return (rc);
	}
	return (0);
}

/* The request's state, regime and numeroASP: its entry in MANIFEST.json
 * (*entry, borrowed from b->requests) and the head of its inventory. */
static int
request_entry(struct bundle *b, int64_t id, const char *ref, const char *dir,
    size_t nevents, cJSON **entry, char **state, int *ht)
{
	sqlite3_stmt	*st;
	cJSON		*o = NULL;
	const char	*asp;
	int		 rc;

	*state = NULL;
	*entry = NULL;
	if ((rc = segur__stmt(b->l, "SELECT state, regime_tva, numero_asp "
	    "FROM request WHERE id = ?", &st, b->cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (segur__db_error(b->l, b->cause,
		    "lecture de la demande"));
	}
	*ht = sqlite3_column_text(st, 1) != NULL && strcmp((const char *)
	    sqlite3_column_text(st, 1), "HT") == 0;
	asp = (const char *)sqlite3_column_text(st, 2);
	rc = (*state = strdup((const char *)sqlite3_column_text(st, 0))) ==
	    NULL || (o = cJSON_CreateObject()) == NULL;
	if (rc == 0 && (!cJSON_AddItemToArray(b->requests, o) ||
	    cJSON_AddStringToObject(o, "ref", ref) == NULL ||
	    json_col(o, "numeroASP", st, 2, 0) != 0 ||
	    cJSON_AddStringToObject(o, "state", *state) == NULL ||
	    cJSON_AddStringToObject(o, "folder", dir) == NULL ||
	    cJSON_AddNumberToObject(o, "events", (double)nevents) == NULL ||
	    segur_buf_addf(&b->inv, "Demande %s%s%s, état %s : pièces du "
	    "bon de commande au paiement du solde (chemins depuis la racine "
	    "du dossier de preuves)\n\n", ref, asp != NULL ?
	    ", numéro ASP " : "", asp != NULL ? asp : "", *state) != 0))
		rc = 1;
	sqlite3_reset(st);
	*entry = o;
	if (rc != 0)
		return (segur_cause(b->cause, SEGUR_ENOMEM, "mémoire épuisée"));
	return (0);
}

/* The request's anomalies, counted: open and resolved (their details and
 * resolutions are in demande.json). */
static int
add_anomaly_counts(struct bundle *b, int64_t id, cJSON *entry)
{
	sqlite3_stmt	*st;
	int64_t		 open, done;
	cJSON		*o;
	int		 rc;

	if ((rc = segur__stmt(b->l, "SELECT count(*) - count(resolved_at), "
	    "count(resolved_at) FROM anomaly WHERE request_id = ?", &st,
	    b->cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (segur__db_error(b->l, b->cause,
		    "comptage des anomalies"));
	}
	open = sqlite3_column_int64(st, 0);
	done = sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	if ((o = cJSON_AddObjectToObject(entry, "anomalies")) == NULL ||
	    cJSON_AddNumberToObject(o, "open", (double)open) == NULL ||
	    cJSON_AddNumberToObject(o, "resolved", (double)done) == NULL ||
	    segur_buf_addf(&b->inv, "%" PRId64 " anomalie(s) ouverte(s), %"
	    PRId64 " résolue(s) (détail et résolution : demande.json).\n",
	    open, done) != 0)
		return (segur_cause(b->cause, SEGUR_ENOMEM, "mémoire épuisée"));
	return (0);
}

/* Adds the text buf as dir/file when it is not empty. */
static int
add_text(struct bundle *b, const char *dir, const char *file,
    const struct segur_buf *buf)
{
	char	*name;
	int	 rc;

	if (buf->len == 0)
		return (0);
	if ((name = segur_asprintf("%s/%s", dir, file)) == NULL)
		return (segur_cause(b->cause, SEGUR_ENOMEM, "mémoire épuisée"));
	rc = add_data(b, name, buf->data, buf->len);
	free(name);
	return (rc);
}

/* The pieces of one request, its fichiers.txt and inventaire.txt, its
 * entry in MANIFEST.json. */
static int
add_request_pieces(struct bundle *b, int64_t id, const char *ref,
    const char *dir, size_t nevents)
{
	cJSON	*entry = NULL, *arr;
	char	*state = NULL;
	int	 rc, ht = 0, missing = 0;

	b->list.len = 0;
	b->inv.len = 0;
	shared_release(&b->docs);
	if ((rc = request_entry(b, id, ref, dir, nevents, &entry, &state,
	    &ht)) != 0)
		goto out;
	if (entry == NULL ||
	    (arr = cJSON_AddArrayToObject(entry, "pieces")) == NULL) {
		rc = segur_cause(b->cause, SEGUR_ENOMEM, "mémoire épuisée");
		goto out;
	}
	if ((rc = add_pieces(b, id, state, ht, dir, arr, &missing)) != 0)
		goto out;
	if (cJSON_AddNumberToObject(entry, "missing", missing) == NULL ||
	    segur_buf_addf(&b->inv, "\n%d pièce(s) manquante(s).\n",
	    missing) != 0) {
		rc = segur_cause(b->cause, SEGUR_ENOMEM, "mémoire épuisée");
		goto out;
	}
	if ((rc = add_anomaly_counts(b, id, entry)) == 0 &&
	    (rc = add_text(b, dir, "fichiers.txt", &b->list)) == 0)
		rc = add_text(b, dir, "inventaire.txt", &b->inv);
out:
	free(state);
	return (rc);
}

static int
add_request(struct bundle *b, int64_t id, const char *ref,
    const struct segur_chain_head *h)
{
	struct segur_buf html = SEGUR_BUF_INIT;
	struct segur_event *ev = NULL;
	cJSON		*show = NULL;
	char		*dir = NULL, *safe = NULL, *name = NULL, *text = NULL;
	size_t		 n = 0;
	int		 rc;

	if ((safe = safe_name(ref)) == NULL)
		return (segur_cause(b->cause, SEGUR_ENOMEM, "mémoire épuisée"));
	/* A reference that needed changing gets its id: two references that
	 * differ only by such characters never share a folder. */
	dir = strcmp(safe, ref) == 0 ? segur_asprintf("demandes/%s", safe) :
	    segur_asprintf("demandes/%s-%" PRId64, safe, id);
	free(safe);
	if (dir == NULL)
		return (segur_cause(b->cause, SEGUR_ENOMEM, "mémoire épuisée"));
	if ((rc = segur_ledger_request_history(b->l, ref, &ev, &n,
	    b->cause)) != 0)
		goto out;
	rc = SEGUR_ENOMEM;
	if (history_json(ev, n, &text) != 0 ||
	    (name = segur_asprintf("%s/historique.json", dir)) == NULL) {
		segur_cause(b->cause, rc, "mémoire épuisée");
		goto out;
	}
	if ((rc = add_data(b, name, text, strlen(text))) != 0)
		goto out;
	free(name);
	name = NULL;
	free(text);
	text = NULL;
	rc = SEGUR_ENOMEM;
	if (history_html(ref, ev, n, h, &html) != 0 ||
	    (name = segur_asprintf("%s/historique.html", dir)) == NULL) {
		segur_cause(b->cause, rc, "mémoire épuisée");
		goto out;
	}
	if ((rc = add_data(b, name, html.data, html.len)) != 0)
		goto out;
	free(name);
	name = NULL;
	if ((rc = segur_ledger_request_show(b->l, ref, &show, b->cause)) != 0)
		goto out;
	rc = SEGUR_ENOMEM;
	if ((text = cJSON_Print(show)) == NULL ||
	    (name = segur_asprintf("%s/demande.json", dir)) == NULL) {
		segur_cause(b->cause, rc, "mémoire épuisée");
		goto out;
	}
	if ((rc = add_data(b, name, text, strlen(text))) != 0)
		goto out;
	rc = add_request_pieces(b, id, ref, dir, n);
out:
	segur_event_free_array(ev, n);
	segur_buf_release(&html);
	cJSON_Delete(show);
	free(text);
	free(name);
	free(dir);
	return (rc);
}

/* The requests a bundle holds, in order, each once. */
struct selection {
	int64_t		*ids;
	char		**refs;
	size_t		 n;
};

static int
select_add(struct selection *s, int64_t id, const char *ref)
{
	int64_t	*ni;
	char	**nr;
	size_t	 i;

	for (i = 0; i < s->n; i++)
		if (s->ids[i] == id)
			return (0);
	if ((ni = realloc(s->ids, (s->n + 1) * sizeof(*ni))) == NULL)
		return (SEGUR_ENOMEM);
	s->ids = ni;
	if ((nr = realloc(s->refs, (s->n + 1) * sizeof(*nr))) == NULL)
		return (SEGUR_ENOMEM);
	s->refs = nr;
	if ((s->refs[s->n] = strdup(ref)) == NULL)
		return (SEGUR_ENOMEM);
	s->ids[s->n++] = id;
	return (0);
}

static void
select_release(struct selection *s)
{
	size_t	 i;

	for (i = 0; i < s->n; i++)
		free(s->refs[i]);
	free(s->refs);
	free(s->ids);
}

static int
select_requests(struct segur_ledger *l, const struct segur_bundle_sel *sel,
    struct selection *s, char **cause)
{
	enum segur_state state;
	sqlite3_stmt	*st;
	int64_t		 id;
	size_t		 i;
	int		 rc;

	for (i = 0; i < sel->nrefs; i++) {
		if ((rc = segur__request_find(l, sel->refs[i], &id, &state,
		    cause)) != 0)
			return (rc);
		if (select_add(s, id, sel->refs[i]) != 0)
			return (segur_cause(cause, SEGUR_ENOMEM,
			    "mémoire épuisée"));
	}
	if (!sel->all && sel->og == NULL && sel->numero_ans == NULL &&
	    sel->from == NULL && sel->to == NULL)
		return (0);
	/* The period is the export's: a request sent in it (any attempt),
	 * or registered in it when never sent. */
	if (sqlite3_prepare_v2(l->db, "SELECT r.id, r.ref FROM request r "
	    "JOIN software s ON s.id = r.software_id WHERE "
	    "(?1 IS NULL OR EXISTS (SELECT 1 FROM request_esms e WHERE "
	    "e.request_id = r.id AND e.finess_juridique = ?1)) "
	    "AND (?2 IS NULL OR s.numero_ans = ?2) "
	    "AND ((?3 IS NULL AND ?4 IS NULL) OR EXISTS (SELECT 1 FROM "
	    "attempt a WHERE a.request_id = r.id "
	    "AND (?3 IS NULL OR substr(a.created_at, 1, 10) >= ?3) "
	    "AND (?4 IS NULL OR substr(a.created_at, 1, 10) <= ?4)) "
	    "OR (NOT EXISTS (SELECT 1 FROM attempt a WHERE "
	    "a.request_id = r.id) "
	    "AND (?3 IS NULL OR substr(r.created_at, 1, 10) >= ?3) "
	    "AND (?4 IS NULL OR substr(r.created_at, 1, 10) <= ?4))) "
	    "ORDER BY r.id", -1, &st, NULL) != SQLITE_OK)
		return (segur__db_error(l, cause, "sélection des demandes"));
	segur__bind_text(st, 1, sel->og);
	segur__bind_text(st, 2, sel->numero_ans);
	segur__bind_text(st, 3, sel->from);
	segur__bind_text(st, 4, sel->to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (select_add(s, sqlite3_column_int64(st, 0),
		    (const char *)sqlite3_column_text(st, 1)) != 0) {
			sqlite3_finalize(st);
			return (segur_cause(cause, SEGUR_ENOMEM,
			    "mémoire épuisée"));
		}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(l, cause, "sélection des demandes"));
	if (s->n == 0)
		return (segur_cause(cause, SEGUR_ENOENT, "aucune demande "
		    "pour cette sélection (OG %s, logiciel %s, période %s à "
		    "%s)", sel->og != NULL ? sel->og : "tous",
		    sel->numero_ans != NULL ? sel->numero_ans : "tous",
		    sel->from != NULL ? sel->from : "-",
		    sel->to != NULL ? sel->to : "-"));
	return (0);
}

static const char readme[] =
    "Dossier de preuves segur-ledger\n"
    "================================\n\n"
    "Chaque demande a son dossier sous demandes/ : historique.json et\n"
    "historique.html (les événements du journal, avec leur auteur,\n"
    "chaînés par SHA-256), demande.json (son état, ses documents,\n"
    "livraisons, lignes de solde, décisions, paiements et anomalies),\n"
    "inventaire.txt (chaque pièce, du bon de commande au paiement du\n"
    "solde, et celles qui manquent pour son état), fichiers.txt (les\n"
    "fichiers JSON envoyés à l'ASP et reçus d'elle pour cette demande,\n"
    "avance et solde, avec leur SHA-256), pieces/ (bon de commande,\n"
    "preuve HT, facture, PV de recette, tels qu'archivés à l'envoi).\n"
    "Les fichiers JSON eux-mêmes, à l'octet près, sont sous\n"
    "fichiers/envoyes/ et fichiers/recus/, une fois chacun.\n\n"
    "MANIFEST.json reprend, demande par demande, chaque pièce (chemin,\n"
    "SHA-256, date, montant) et chaque pièce manquante (\"missing\").\n"
    "HEAD.json donne la tête de la chaîne d'événements au moment de\n"
    "l'extraction (empreinte, nombre d'événements, date ; sceau HMAC\n"
    "quand une clé est configurée).\n\n"
    "Vérifier que rien n'a changé :\n"
    "  segurctl audit verify-bundle CE_FICHIER.zip\n"
    "ou, sans segurctl, dans ce dossier :\n"
    "  sha256sum -c MANIFEST.sha256\n";

/* What MANIFEST.json says of the selection. */
static cJSON *
selection_json(const struct segur_bundle_sel *sel)
{
	cJSON	*o, *refs;
	size_t	 i;
	int	 bad = 0;

	if ((o = cJSON_CreateObject()) == NULL)
		return (NULL);
	if (sel->nrefs > 0) {
		if ((refs = cJSON_CreateStringArray(sel->refs,
		    (int)sel->nrefs)) == NULL ||
		    !cJSON_AddItemToObject(o, "references", refs))
			bad = 1;
	} else if (cJSON_AddNullToObject(o, "references") == NULL)
		bad = 1;
	for (i = 0; i < 4 && !bad; i++) {
		static const char *const keys[] = { "og", "numeroAns",
		    "from", "to" };
		const char *v[] = { sel->og, sel->numero_ans, sel->from,
		    sel->to };

		if ((v[i] != NULL ? cJSON_AddStringToObject(o, keys[i],
		    v[i]) : cJSON_AddNullToObject(o, keys[i])) == NULL)
			bad = 1;
	}
	if (bad || cJSON_AddBoolToObject(o, "all", sel->all) == NULL) {
		cJSON_Delete(o);
		return (NULL);
	}
	return (o);
}

/* MANIFEST.json's frame: its format, the head, the selection; *json
 * owned by the caller, b's arrays borrowed from it. */
static int
manifest_json(struct bundle *b, const struct segur_bundle_sel *sel,
    const struct segur_chain_head *h, cJSON **json)
{
	cJSON	*o;

	if ((o = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(o, "format", MANIFEST_FORMAT) == NULL ||
	    !cJSON_AddItemToObject(o, "chainHead",
	    segur_audit_head_json(h)) ||
	    !cJSON_AddItemToObject(o, "selection", selection_json(sel)) ||
	    (b->generated = cJSON_AddArrayToObject(o, "generated")) == NULL ||
	    (b->requests = cJSON_AddArrayToObject(o, "requests")) == NULL) {
		cJSON_Delete(o);
		return (segur_cause(b->cause, SEGUR_ENOMEM, "mémoire épuisée"));
	}
	*json = o;
	return (0);
}

int
segur_audit_bundle(struct segur_ledger *l, const struct segur_archive *a,
    const struct segur_bundle_sel *sel, const struct segur_chain_head *h,
    const struct segur_audit_key *key, const char *path, size_t *nreq,
    char **cause)
{
	struct selection s = { NULL, NULL, 0 };
	struct segur_chain_head now;
	struct bundle	 b;
	zip_source_t	*src;
	unsigned char	 mac[EVP_MAX_MD_SIZE];
	unsigned int	 maclen = 0, j;
	char		 stamp[24], hex[66], *tmp = NULL, *text = NULL, *full;
	cJSON		*hj, *mj = NULL;
	size_t		 i;
	int		 rc, zrc;

	memset(&b, 0, sizeof(b));
	b.l = l;
	b.a = a;
	b.cause = cause;
	*nreq = 0;
	/*
	 * One read transaction: every request, history and piece from one
	 * snapshot, the one whose head is h. A write since h (segurd
	 * ingesting) would put events after the head in the bundle.
	 */
	if ((rc = segur__exec(l, "BEGIN", cause)) != 0)
		return (rc);
	if ((rc = segur_audit_head(l, NULL, &now, cause)) != 0)
		goto out;
	if (now.events != h->events || strcmp(now.hash, h->hash) != 0) {
		rc = segur_cause(cause, SEGUR_ESTATE, "le registre a changé "
		    "depuis la lecture de sa tête (événement %" PRId64 ", "
		    "maintenant %" PRId64 ") : recommencez", h->events,
		    now.events);
		goto out;
	}
	if ((rc = select_requests(l, sel, &s, cause)) != 0 ||
	    (rc = manifest_json(&b, sel, h, &mj)) != 0)
		goto out;
	/* The folder is named after the head's time ("20261127T143502Z"):
	 * two bundles of the same ledger state unpack into the same folder. */
	for (i = 0, j = 0; h->at[i] != '\0' && j + 1 < sizeof(stamp); i++)
		if (h->at[i] != ':' && h->at[i] != '-')
			stamp[j++] = h->at[i];
	stamp[j] = '\0';
	if ((b.top = segur_asprintf("preuves-segur-%s", j > 0 ? stamp :
	    "vide")) == NULL ||
	    (tmp = segur_asprintf("%s.segur-tmp", path)) == NULL) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
		goto out;
	}
	unlink(tmp);
	if ((b.za = zip_open(tmp, ZIP_CREATE | ZIP_EXCL, &zrc)) == NULL) {
		rc = segur_cause(cause, SEGUR_EIO, "%s: création impossible "
		    "(erreur libzip %d)", tmp, zrc);
		goto out;
	}
	if ((hj = segur_audit_head_json(h)) == NULL ||
	    (text = cJSON_Print(hj)) == NULL) {
		cJSON_Delete(hj);
		rc = segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
		goto out;
	}
	cJSON_Delete(hj);
	if ((rc = add_data(&b, HEAD_FILE, text, strlen(text))) != 0 ||
	    (rc = add_data(&b, "LISEZMOI.txt", readme, strlen(readme))) != 0)
		goto out;
	for (i = 0; i < s.n; i++)
		if ((rc = add_request(&b, s.ids[i], s.refs[i], h)) != 0)
			goto out;
	free(text);
	if ((text = cJSON_Print(mj)) == NULL) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
		goto out;
	}
	if ((rc = add_copy(&b, MANIFEST_JSON, text, strlen(text))) != 0)
		goto out;
	/* The manifest lists every file but itself and its seal. */
	if ((full = segur_asprintf("%s/%s", b.top, MANIFEST)) == NULL ||
	    (src = zip_source_buffer(b.za, b.manifest.data, b.manifest.len,
	    0)) == NULL || zip_file_add(b.za, full, src, ZIP_FL_ENC_UTF_8) <
	    0) {
		free(full);
		rc = segur_cause(cause, SEGUR_EIO, "zip du manifeste : %s",
		    zip_error_strerror(zip_get_error(b.za)));
		goto out;
	}
	free(full);
	if (key != NULL) {
		if (HMAC(EVP_sha256(), key->bytes, (int)key->len,
		    (const unsigned char *)b.manifest.data, b.manifest.len,
		    mac, &maclen) == NULL) {
			rc = segur_cause(cause, SEGUR_EIO,
			    "échec du calcul HMAC");
			goto out;
		}
		for (j = 0; j < maclen; j++)
			snprintf(hex + 2 * j, 3, "%02x", mac[j]);
		hex[2 * maclen] = '\n';
		hex[2 * maclen + 1] = '\0';
		if ((full = segur_asprintf("%s/%s", b.top, MANIFEST_HMAC)) ==
		    NULL || (src = zip_source_buffer(b.za, hex, 65, 0)) ==
		    NULL || zip_file_add(b.za, full, src, ZIP_FL_ENC_UTF_8) <
		    0) {
			free(full);
			rc = segur_cause(cause, SEGUR_EIO,
			    "zip du sceau : échec");
			goto out;
		}
		free(full);
	}
	/* zip_close() reads every source, the manifest and hex included. */
	if (zip_close(b.za) != 0) {
		rc = segur_cause(cause, SEGUR_EIO, "%s: %s", tmp,
		    zip_error_strerror(zip_get_error(b.za)));
		goto out;
	}
	b.za = NULL;
	if ((rc = segur_chmod(tmp, 0640, cause)) != 0 ||
	    (rc = segur__audit_fsync_file(tmp, cause)) != 0 ||
	    (rc = segur__audit_commit_file(tmp, path, cause)) != 0)
		goto out;
	*nreq = s.n;
out:
	segur__exec(l, "COMMIT", NULL);
	if (b.za != NULL) {
		zip_discard(b.za);
		unlink(tmp);
	} else if (rc != 0 && tmp != NULL)
		unlink(tmp);
	select_release(&s);
	segur_buf_release(&b.manifest);
	segur_buf_release(&b.list);
	segur_buf_release(&b.inv);
	shared_release(&b.files);
	shared_release(&b.docs);
	cJSON_Delete(mj);
	free(b.top);
	free(text);
	free(tmp);
	return (rc);
}

/* ------------------------------------------------------------------ */
/* Verifying. */

/* Reads a whole entry (at most max bytes) into *out (NUL-ended). */
static int
entry_read(zip_t *za, zip_uint64_t idx, zip_uint64_t max, char **out,
    size_t *len)
{
	zip_stat_t	 zs;
	zip_file_t	*zf;
	zip_int64_t	 r;
	char		*p;

	*out = NULL;
	if (zip_stat_index(za, idx, 0, &zs) != 0 || !(zs.valid &
	    ZIP_STAT_SIZE) || zs.size > max)
		return (SEGUR_ETOOBIG);
	if ((p = malloc(zs.size + 1)) == NULL)
		return (SEGUR_ENOMEM);
	if ((zf = zip_fopen_index(za, idx, 0)) == NULL) {
		free(p);
		return (SEGUR_EIO);
	}
	r = zip_fread(zf, p, zs.size);
	zip_fclose(zf);
	if (r < 0 || (zip_uint64_t)r != zs.size) {
		free(p);
		return (SEGUR_EIO);
	}
	p[zs.size] = '\0';
	*out = p;
	*len = (size_t)zs.size;
	return (0);
}

/* SHA-256 of an entry, streamed. */
static int
entry_sha256(zip_t *za, zip_uint64_t idx, char hex[65])
{
	unsigned char	 buf[65536], md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0, i;
	EVP_MD_CTX	*ctx;
	zip_file_t	*zf;
	zip_int64_t	 r;
	int		 rc = 0;

	if ((zf = zip_fopen_index(za, idx, 0)) == NULL)
		return (SEGUR_EIO);
	if ((ctx = EVP_MD_CTX_new()) == NULL) {
		zip_fclose(zf);
		return (SEGUR_ENOMEM);
	}
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		rc = SEGUR_EIO;
	while (rc == 0 && (r = zip_fread(zf, buf, sizeof(buf))) > 0)
		if (EVP_DigestUpdate(ctx, buf, (size_t)r) != 1)
			rc = SEGUR_EIO;
	if (rc == 0 && r < 0)
		rc = SEGUR_EIO;
	if (rc == 0 && EVP_DigestFinal_ex(ctx, md, &mdlen) != 1)
		rc = SEGUR_EIO;
	EVP_MD_CTX_free(ctx);
	zip_fclose(zf);
	if (rc == 0)
		for (i = 0; i < mdlen; i++)
			snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return (rc);
}

struct verify {
	int	(*fn)(void *, const char *, const char *);
	void	*arg;
	int	 findings;
};

static void
finding(struct verify *v, const char *file, const char *problem)
{
	v->findings++;
	if (v->fn != NULL)
		v->fn(v->arg, file, problem);
}

/* Parses HEAD.json's text into h; 0 or SEGUR_EINVAL. */
static int
head_parse(const char *text, struct segur_chain_head *h)
{
	cJSON	*o, *hash, *ev, *at, *seal;
	int	 rc = SEGUR_EINVAL;

	memset(h, 0, sizeof(*h));
	if ((o = cJSON_Parse(text)) == NULL)
		return (SEGUR_EINVAL);
	hash = cJSON_GetObjectItemCaseSensitive(o, "hash");
	ev = cJSON_GetObjectItemCaseSensitive(o, "events");
	at = cJSON_GetObjectItemCaseSensitive(o, "at");
	seal = cJSON_GetObjectItemCaseSensitive(o, "seal");
	if (cJSON_IsString(hash) && strlen(hash->valuestring) == 64 &&
	    cJSON_IsNumber(ev) && cJSON_IsString(at) &&
	    strlen(at->valuestring) < sizeof(h->at) &&
	    (seal == NULL || (cJSON_IsString(seal) &&
	    strlen(seal->valuestring) == 64))) {
		snprintf(h->hash, sizeof(h->hash), "%s", hash->valuestring);
		h->events = (int64_t)ev->valuedouble;
		snprintf(h->at, sizeof(h->at), "%s", at->valuestring);
		if (seal != NULL)
			snprintf(h->seal, sizeof(h->seal), "%s",
			    seal->valuestring);
		rc = 0;
	}
	cJSON_Delete(o);
	return (rc);
}

/* One line of MANIFEST.sha256: its path (borrowed from the manifest's
 * text), its hash, and whether MANIFEST.json names it. */
struct mline {
	const char	*rel;
	const char	*sha;		/* 64 hex digits, not NUL-ended */
	int		 named;
};

static int
mline_cmp(const void *a, const void *b)
{
	return (strcmp(((const struct mline *)a)->rel,
	    ((const struct mline *)b)->rel));
}

static struct mline *
mline_find(struct mline *ml, size_t n, const char *rel)
{
	struct mline	 key = { rel, NULL, 0 };

	if (n == 0)
		return (NULL);
	return (bsearch(&key, ml, n, sizeof(*ml), mline_cmp));
}

/* Reports what one path MANIFEST.json names finds in MANIFEST.sha256;
 * sha (may be NULL) is the hash MANIFEST.json gives it. */
static int
json_names(struct verify *v, struct mline *ml, size_t n, const cJSON *path,
    const cJSON *sha)
{
	struct mline	*m;

	if (!cJSON_IsString(path)) {
		finding(v, MANIFEST_JSON, "une entrée sans chemin lisible");
		return (0);
	}
	if ((m = mline_find(ml, n, path->valuestring)) == NULL) {
		finding(v, path->valuestring, "dans MANIFEST.json mais absent "
		    "de MANIFEST.sha256");
		return (0);
	}
	m->named = 1;
	if (sha != NULL && (!cJSON_IsString(sha) ||
	    strlen(sha->valuestring) != 64 ||
	    strncmp(sha->valuestring, m->sha, 64) != 0))
		finding(v, path->valuestring, "son SHA-256 dans MANIFEST.json "
		    "n'est pas celui de MANIFEST.sha256");
	return (0);
}

/*
 * MANIFEST.json against MANIFEST.sha256: every file it names (generated,
 * or a request's piece) is listed there with the same hash, and every
 * file listed there is named by it. A bundle written before MANIFEST.json
 * existed has none: nothing to compare.
 */
static int
check_json_manifest(zip_t *za, const char *top, struct mline *ml, size_t n,
    struct verify *v)
{
	const cJSON	*it, *req, *pc;
	struct mline	*m;
	zip_int64_t	 idx;
	char		*full, *text = NULL;
	size_t		 len, i;
	cJSON		*o;

	if ((m = mline_find(ml, n, MANIFEST_JSON)) == NULL)
		return (0);
	m->named = 1;
	if ((full = segur_asprintf("%s/%s", top, MANIFEST_JSON)) == NULL)
		return (SEGUR_ENOMEM);
	idx = zip_name_locate(za, full, 0);
	free(full);
	if (idx < 0)
		return (0);	/* reported already: listed, absent */
	o = NULL;
	if (entry_read(za, (zip_uint64_t)idx, MANIFEST_JSON_MAX, &text,
	    &len) == 0)
		o = cJSON_Parse(text);
	free(text);
	if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(o,
	    "generated"))) {
		cJSON_Delete(o);
		finding(v, MANIFEST_JSON, "illisible");
		return (0);
	}
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o,
	    "generated"))
		json_names(v, ml, n, it, NULL);
	cJSON_ArrayForEach(req, cJSON_GetObjectItemCaseSensitive(o,
	    "requests"))
		cJSON_ArrayForEach(pc, cJSON_GetObjectItemCaseSensitive(req,
		    "pieces"))
			if (cJSON_GetObjectItemCaseSensitive(pc, "path") !=
			    NULL)
				json_names(v, ml, n,
				    cJSON_GetObjectItemCaseSensitive(pc,
				    "path"), cJSON_GetObjectItemCaseSensitive(
				    pc, "sha256"));
	cJSON_Delete(o);
	for (i = 0; i < n; i++)
		if (!ml[i].named)
			finding(v, ml[i].rel, "dans MANIFEST.sha256 mais ni "
			    "pièce ni fichier produit de MANIFEST.json");
	return (0);
}

int
segur_audit_bundle_verify(const char *path, const struct segur_audit_key *key,
    int (*fn)(void *arg, const char *file, const char *problem), void *arg,
    struct segur_chain_head *hout, size_t *nfiles, char **cause)
{
	struct verify	 v = { fn, arg, 0 };
	struct segur_chain_head h;
	zip_t		*za;
	zip_int64_t	 nent, idx;
	zip_uint64_t	 i;
	unsigned char	 mac[EVP_MAX_MD_SIZE];
	unsigned int	 maclen = 0, j;
	char		*man = NULL, *p, *line, *nl, *full, *seal = NULL;
	char		*top = NULL, *listed = NULL, hex[65], want[65];
	const char	*name, *slash, *rel;
	struct mline	*ml = NULL, *nml;
	size_t		 manlen = 0, sealen, toplen, nlines = 0, k, nml_n = 0;
	int		 zrc, rc = 0;

	*nfiles = 0;
	memset(&h, 0, sizeof(h));
	if ((za = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &zrc)) == NULL)
		return (segur_cause(cause, SEGUR_EINVAL, "%s: pas un zip "
		    "lisible (erreur libzip %d)", path, zrc));
	nent = zip_get_num_entries(za, 0);
	/* The folder is the one holding MANIFEST.sha256. */
	for (i = 0; i < (zip_uint64_t)nent; i++) {
		name = zip_get_name(za, i, 0);
		if (name != NULL && (slash = strchr(name, '/')) != NULL &&
		    strcmp(slash + 1, MANIFEST) == 0) {
			top = strndup(name, (size_t)(slash - name));
			break;
		}
	}
	if (top == NULL) {
		zip_discard(za);
		return (segur_cause(cause, SEGUR_EINVAL, "%s: pas de %s dans "
		    "le dossier du zip : pas un dossier de preuves segurctl",
		    path,
		    MANIFEST));
	}
	toplen = strlen(top);
	rc = entry_read(za, i, META_MAX, &man, &manlen);
	if (rc != 0) {
		rc = segur_cause(cause, rc, "%s: impossible de lire %s", path,
		    MANIFEST);
		goto out;
	}
	/* listed[i]: entry i appears in the manifest. */
	if ((listed = calloc((size_t)nent + 1, 1)) == NULL) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
		goto out;
	}
	listed[i] = 1;
	for (line = man; *line != '\0'; line = nl) {
		nlines++;
		if ((nl = strchr(line, '\n')) == NULL)
			nl = line + strlen(line);
		else
			*nl++ = '\0';
		if (strlen(line) < 67 || strspn(line, "0123456789abcdef") !=
		    64 || line[64] != ' ' || line[65] != ' ') {
			if ((p = segur_asprintf("ligne %zu illisible",
			    nlines)) == NULL) {
				rc = SEGUR_ENOMEM;
				goto out;
			}
			finding(&v, MANIFEST, p);
			free(p);
			continue;
		}
		rel = line + 66;
		if ((nml = realloc(ml, (nml_n + 1) * sizeof(*ml))) == NULL) {
			rc = segur_cause(cause, SEGUR_ENOMEM,
			    "mémoire épuisée");
			goto out;
		}
		ml = nml;
		ml[nml_n].rel = rel;
		ml[nml_n].sha = line;
		ml[nml_n++].named = 0;
		if ((full = segur_asprintf("%s/%s", top, rel)) == NULL) {
			rc = segur_cause(cause, SEGUR_ENOMEM,
			    "mémoire épuisée");
			goto out;
		}
		idx = zip_name_locate(za, full, 0);
		free(full);
		if (idx < 0) {
			finding(&v, rel, "listé dans le manifeste mais absent "
			    "du dossier");
			continue;
		}
		listed[idx] = 1;
		(*nfiles)++;
		if (entry_sha256(za, (zip_uint64_t)idx, hex) != 0) {
			finding(&v, rel, "illisible dans le zip");
			continue;
		}
		if (memcmp(hex, line, 64) != 0)
			finding(&v, rel, "modifié : son SHA-256 n'est plus "
			    "celui du manifeste");
		if (strcmp(rel, HEAD_FILE) == 0) {
			free(seal);
			seal = NULL;
			if (entry_read(za, (zip_uint64_t)idx, META_MAX, &seal,
			    &sealen) != 0 || head_parse(seal, &h) != 0)
				finding(&v, rel, "illisible");
			free(seal);
			seal = NULL;
		}
	}
	for (i = 0; i < (zip_uint64_t)nent; i++) {
		name = zip_get_name(za, i, 0);
		if (listed[i] || name == NULL || name[0] == '\0' ||
		    name[strlen(name) - 1] == '/')
			continue;
		if (strncmp(name, top, toplen) == 0 && name[toplen] == '/' &&
		    strcmp(name + toplen + 1, MANIFEST_HMAC) == 0) {
			listed[i] = 1;
			if (key == NULL)
				continue;
			if (entry_read(za, i, META_MAX, &seal, &sealen) != 0 ||
			    sealen < 64) {
				finding(&v, MANIFEST_HMAC, "illisible");
				continue;
			}
			continue;
		}
		finding(&v, name, "présent dans le zip mais absent du "
		    "manifeste");
	}
	if (nml_n > 0)
		qsort(ml, nml_n, sizeof(*ml), mline_cmp);
	if (check_json_manifest(za, top, ml, nml_n, &v) != 0) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
		goto out;
	}
	if (key != NULL) {
		free(man);
		man = NULL;
		/* Recompute over the manifest's bytes as stored. */
		for (i = 0; i < (zip_uint64_t)nent; i++) {
			name = zip_get_name(za, i, 0);
			if (name != NULL && strncmp(name, top, toplen) == 0 &&
			    name[toplen] == '/' && strcmp(name + toplen + 1,
			    MANIFEST) == 0)
				break;
		}
		if (seal == NULL)
			finding(&v, MANIFEST_HMAC, "absent : le manifeste "
			    "n'est pas scellé");
		else if (entry_read(za, i, META_MAX, &man, &manlen) != 0 ||
		    HMAC(EVP_sha256(), key->bytes, (int)key->len,
		    (const unsigned char *)man, manlen, mac, &maclen) == NULL) {
			finding(&v, MANIFEST, "illisible");
		} else {
			for (j = 0; j < maclen; j++)
				snprintf(want + 2 * j, 3, "%02x", mac[j]);
			for (k = 0; k < 64; k++)
				seal[k] = (char)(seal[k] >= 'A' && seal[k] <=
				    'F' ? seal[k] - 'A' + 'a' : seal[k]);
			if (CRYPTO_memcmp(want, seal, 64) != 0)
				finding(&v, MANIFEST_HMAC, "le sceau ne "
				    "correspond pas au manifeste (autre clé, "
				    "ou manifeste récrit)");
		}
		if (h.seal[0] != '\0' && segur_audit_seal_check(key, &h,
		    h.seal) != 0)
			finding(&v, HEAD_FILE, "le sceau de la tête ne "
			    "correspond pas (autre clé, ou tête récrite)");
	}
	if (hout != NULL)
		*hout = h;
	rc = v.findings > 0 ? SEGUR_ECORRUPT : 0;
	if (rc != 0)
		segur_cause(cause, rc, "%s: %d problème(s)", path, v.findings);
out:
	zip_discard(za);
	free(ml);
	free(listed);
	free(seal);
	free(man);
	free(top);
	return (rc);
}
