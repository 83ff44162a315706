/*
 * ledger-request.c: software references, registering requests (with their
 * OGs, ESMS and documents), and the queries segurctl shows: show, history,
 * status (lists: ledger-list.c).
 */
#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "segur/amount.h"
#include "segur/anomaly.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"
#include "segur/validate.h"

#include "ledger/ledger-int.h"

/* Largest supporting document the ledger hashes at registration. */
#define DOCUMENT_MAX_BYTES	((size_t)64 * 1024 * 1024)

/* ------------------------------------------------------------------ */
/* Software. */

static const struct {
	const char	*name;
	unsigned	 bit;
} profile_names[] = {
	{ "REFERENTIEL_ID", SEGUR_PROFIL_REFERENTIEL_ID },
	{ "ESCLAVE_ID", SEGUR_PROFIL_ESCLAVE_ID },
	{ "STOCKAGE_ID", SEGUR_PROFIL_STOCKAGE_ID },
	{ "PA", SEGUR_PROFIL_PA },
	{ "PH", SEGUR_PROFIL_PH },
	{ "DOM", SEGUR_PROFIL_DOM },
	{ "SAAD", SEGUR_PROFIL_SAAD },
	{ "SOINS", SEGUR_PROFIL_SOINS },
	{ "SANS_SOINS", SEGUR_PROFIL_SANS_SOINS },
};
#define NPROFILES (sizeof(profile_names) / sizeof(profile_names[0]))

int
segur_profiles_parse(const char *s, unsigned *profiles, char **cause)
{
	const char	*p = s;
	size_t		 n, i;

	*profiles = 0;
	while (*p != '\0') {
		p += strspn(p, " ,");
		if (*p == '\0')
			break;
		n = strcspn(p, " ,");
		for (i = 0; i < NPROFILES; i++) {
			if (strlen(profile_names[i].name) == n &&
			    strncasecmp(p, profile_names[i].name, n) == 0)
				break;
		}
		if (i == NPROFILES)
			return (segur_cause(cause, SEGUR_EINVAL, "profil "
			    "inconnu « %.*s » (attendus : REFERENTIEL_ID, "
			    "ESCLAVE_ID, STOCKAGE_ID, PA, PH, DOM, SAAD, SOINS, "
			    "SANS_SOINS)", (int)n, p));
		*profiles |= profile_names[i].bit;
		p += n;
	}
	return (0);
}

char *
segur_profiles_format(unsigned profiles)
{
	struct segur_buf b = SEGUR_BUF_INIT;
	size_t	 i;

	if (segur_buf_adds(&b, "") != 0)
		return (NULL);
	for (i = 0; i < NPROFILES; i++) {
		if (!(profiles & profile_names[i].bit))
			continue;
		if (segur_buf_addf(&b, "%s%s", b.len > 0 ? "," : "",
		    profile_names[i].name) != 0) {
			segur_buf_release(&b);
			return (NULL);
		}
	}
	return (segur_buf_detach(&b));
}

int
segur_ledger_software_add(struct segur_ledger *l, const char *numero_ans,
    const char *siret, const char *name, unsigned profiles, char **cause)
{
	static const char *const q =
	    "INSERT INTO software(numero_ans, siret, name, profiles, "
	    "created_at) VALUES (?, ?, ?, ?, ?)";
	sqlite3_stmt	*st;
	cJSON		*a = NULL;
	char		 now[24], *json = NULL, *pf = NULL;
	int		 rc;

	if (numero_ans == NULL || strlen(numero_ans) != 10)
		return (segur_cause(cause, SEGUR_EINVAL, "numeroAns « %s » : "
		    "10 caractères attendus", numero_ans ? numero_ans : ""));
	if (siret == NULL || strlen(siret) != 14 ||
	    strspn(siret, "0123456789") != 14)
		return (segur_cause(cause, SEGUR_EINVAL, "SIRET « %s » : "
		    "14 chiffres attendus", siret ? siret : ""));
	if (profiles >= (1u << NPROFILES))
		return (segur_cause(cause, SEGUR_EINVAL, "profils invalides"));
	if ((rc = segur_ledger_begin(l, cause)) != 0)
		return (rc);
	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		goto fail;
	segur__ledger_now(now);
	segur__bind_text(st, 1, numero_ans);
	segur__bind_text(st, 2, siret);
	segur__bind_text(st, 3, name);
	sqlite3_bind_int(st, 4, (int)profiles);
	segur__bind_text(st, 5, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_CONSTRAINT_UNIQUE) {
		rc = segur_cause(cause, SEGUR_EEXIST, "le logiciel %s est déjà "
		    "enregistré", numero_ans);
		goto fail;
	}
	if (rc != SQLITE_DONE) {
		rc = segur__db_error(l, cause, "enregistrement du logiciel");
		goto fail;
	}
	if ((pf = segur_profiles_format(profiles)) == NULL ||
	    (a = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(a, "siret", siret) == NULL ||
	    (name != NULL && cJSON_AddStringToObject(a, "name", name) ==
	    NULL) ||
	    cJSON_AddStringToObject(a, "profiles", pf) == NULL ||
	    (json = cJSON_PrintUnformatted(a)) == NULL) {
		rc = segur_cause(cause, SEGUR_ENOMEM,
		    "mémoire épuisée");
		goto fail;
	}
	if ((rc = segur__event_append(l, "software.add", "software",
	    numero_ans, 0, NULL, json, cause)) != 0)
		goto fail;
	free(pf);
	free(json);
	cJSON_Delete(a);
	return (segur_ledger_commit(l, cause));
fail:
	free(pf);
	free(json);
	cJSON_Delete(a);
	segur_ledger_rollback(l);
	return (rc);
}

void
segur_software_release(struct segur_software *s)
{
	free(s->name);
	s->name = NULL;
}

void
segur_software_free_array(struct segur_software *a, size_t n)
{
	size_t	 i;

	for (i = 0; a != NULL && i < n; i++)
		segur_software_release(&a[i]);
	free(a);
}

/* Fills s from a row (numero_ans, siret, name, profiles, created_at). */
static int
software_row(sqlite3_stmt *st, struct segur_software *s)
{
	int	 oom = 0;

	memset(s, 0, sizeof(*s));
	snprintf(s->numero_ans, sizeof(s->numero_ans), "%s",
	    (const char *)sqlite3_column_text(st, 0));
	snprintf(s->siret, sizeof(s->siret), "%s",
	    (const char *)sqlite3_column_text(st, 1));
	s->name = segur__column_dup(st, 2, &oom);
	s->profiles = (unsigned)sqlite3_column_int(st, 3);
	snprintf(s->created_at, sizeof(s->created_at), "%s",
	    (const char *)sqlite3_column_text(st, 4));
	return (oom ? SEGUR_ENOMEM : 0);
}

int
segur_ledger_software_list(struct segur_ledger *l, struct segur_software **out,
    size_t *n, char **cause)
{
	static const char *const q =
	    "SELECT numero_ans, siret, name, profiles, created_at "
	    "FROM software ORDER BY numero_ans";
	struct segur_software *a = NULL, *na;
	sqlite3_stmt	*st;
	size_t		 cnt = 0;
	int		 rc;

	*out = NULL;
	*n = 0;
	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		return (rc);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((na = realloc(a, (cnt + 1) * sizeof(*a))) == NULL) {
			rc = SEGUR_ENOMEM;
			break;
		}
		a = na;
		if (software_row(st, &a[cnt++]) != 0) {
			rc = SEGUR_ENOMEM;
			break;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		segur_software_free_array(a, cnt);
		return (rc == SEGUR_ENOMEM ? segur_cause(cause, rc,
		    "mémoire épuisée") : segur__db_error(l, cause,
		    "liste des logiciels"));
	}
	*out = a;
	*n = cnt;
	return (0);
}

int
segur_ledger_software_get(struct segur_ledger *l, const char *numero_ans,
    struct segur_software *out, char **cause)
{
	static const char *const q =
	    "SELECT numero_ans, siret, name, profiles, created_at "
	    "FROM software WHERE numero_ans = ?";
	sqlite3_stmt	*st;
	int		 rc;

	memset(out, 0, sizeof(*out));
	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, numero_ans);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		rc = software_row(st, out);
		sqlite3_reset(st);
		return (rc != 0 ? segur_cause(cause, rc, "mémoire épuisée") :
		    0);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(l, cause, "lecture du logiciel"));
	return (segur_cause(cause, SEGUR_ENOENT, "logiciel %s inconnu "
	    "(segurctl software add)", numero_ans));
}

/* ------------------------------------------------------------------ */
/* Registering a request. */

/* The software's id: numero_ans, or the only one when NULL. */
static int
software_id(struct segur_ledger *l, const char *numero_ans, int64_t *id,
    char **cause)
{
	static const char *const q_one =
	    "SELECT id FROM software WHERE numero_ans = ?";
	static const char *const q_all = "SELECT id FROM software LIMIT 2";
	sqlite3_stmt	*st;
	int		 rc, n = 0;

	if ((rc = segur__stmt(l, numero_ans ? q_one : q_all, &st,
	    cause)) != 0)
		return (rc);
	if (numero_ans != NULL)
		segur__bind_text(st, 1, numero_ans);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(l, cause, "recherche du logiciel"));
	if (n == 1)
		return (0);
	if (numero_ans != NULL)
		return (segur_cause(cause, SEGUR_ENOENT, "logiciel %s inconnu "
		    "(segurctl software add)", numero_ans));
	return (segur_cause(cause, n == 0 ? SEGUR_ENOENT : SEGUR_EINVAL,
	    n == 0 ? "aucun logiciel enregistré (segurctl software add)" :
	    "plusieurs logiciels enregistrés : précisez le numeroAns"));
}

/* A reference: 1 to 64 bytes, no control character. */
static int
ref_ok(const char *ref)
{
	size_t	 i, n;

	if (ref == NULL || (n = strlen(ref)) == 0 || n > 64)
		return (0);
	for (i = 0; i < n; i++)
		if ((unsigned char)ref[i] < 0x20 || ref[i] == 0x7f)
			return (0);
	return (1);
}

/* Drops the keys the ledger fills (numbering, ASP's answer). */
static void
strip_numbering(cJSON *o)
{
	static const char *const keys[] = { "numLigne", "numeroEditeur",
	    "numeroASP", "codeTraitement", "libelleTraitement" };
	cJSON	*pj, *it;
	size_t	 i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		cJSON_DeleteItemFromObjectCaseSensitive(o, keys[i]);
	pj = cJSON_GetObjectItemCaseSensitive(o, "piecesJustificatives");
	cJSON_ArrayForEach(it, pj) {
		if (cJSON_IsObject(it))
			cJSON_DeleteItemFromObjectCaseSensitive(it,
			    "nomFichier");
	}
}

/* Stores an OG's contacts, logging a change. */
static int
og_upsert(struct segur_ledger *l, const char *fj, cJSON *og, char **cause)
{
	static const char *const q_get =
	    "SELECT nom_responsable, email_responsable, "
	    "telephone_responsable FROM og WHERE finess_juridique = ?";
	static const char *const q_set =
	    "INSERT INTO og(finess_juridique, nom_responsable, "
	    "email_responsable, telephone_responsable, updated_at) "
	    "VALUES (?, ?, ?, ?, ?) ON CONFLICT(finess_juridique) DO UPDATE "
	    "SET nom_responsable = excluded.nom_responsable, "
	    "email_responsable = excluded.email_responsable, "
	    "telephone_responsable = excluded.telephone_responsable, "
	    "updated_at = excluded.updated_at";
	static const char *const keys[] = { "nomResponsableOG",
	    "emailResponsableOG", "telephoneResponsableOG" };
	sqlite3_stmt	*st;
	const char	*v[3], *old;
	cJSON		*before = NULL, *after = NULL;
	char		 now[24], *jb = NULL, *ja = NULL;
	int		 rc, i, exists, same = 1;

	for (i = 0; i < 3; i++)
		v[i] = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(og, keys[i]));
	if ((rc = segur__stmt(l, q_get, &st, cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, fj);
	rc = sqlite3_step(st);
	exists = rc == SQLITE_ROW;
	if ((before = exists ? cJSON_CreateObject() : NULL) == NULL &&
	    exists) {
		sqlite3_reset(st);
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	}
	for (i = 0; exists && i < 3; i++) {
		old = (const char *)sqlite3_column_text(st, i);
		if ((old == NULL) != (v[i] == NULL) ||
		    (old != NULL && strcmp(old, v[i]) != 0))
			same = 0;
		if ((old != NULL ? cJSON_AddStringToObject(before, keys[i],
		    old) : cJSON_AddNullToObject(before, keys[i])) == NULL)
			rc = SEGUR_ENOMEM;
	}
	sqlite3_reset(st);
	if (rc == SEGUR_ENOMEM) {
		cJSON_Delete(before);
		return (segur_cause(cause, rc, "mémoire épuisée"));
	}
	if (exists && same) {
		cJSON_Delete(before);
		return (0);
	}
	if ((rc = segur__stmt(l, q_set, &st, cause)) != 0)
		goto done;
	segur__ledger_now(now);
	segur__bind_text(st, 1, fj);
	for (i = 0; i < 3; i++)
		segur__bind_text(st, 2 + i, v[i]);
	segur__bind_text(st, 5, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		rc = segur__db_error(l, cause, "enregistrement de l'OG");
		goto done;
	}
	rc = 0;
	if ((after = cJSON_CreateObject()) == NULL)
		rc = SEGUR_ENOMEM;
	for (i = 0; rc == 0 && i < 3; i++)
		if ((v[i] != NULL ? cJSON_AddStringToObject(after, keys[i],
		    v[i]) : cJSON_AddNullToObject(after, keys[i])) == NULL)
			rc = SEGUR_ENOMEM;
	if (rc != 0 || (ja = cJSON_PrintUnformatted(after)) == NULL ||
	    (before != NULL && (jb = cJSON_PrintUnformatted(before)) ==
	    NULL)) {
		rc = segur_cause(cause, SEGUR_ENOMEM,
		    "mémoire épuisée");
		goto done;
	}
	rc = segur__event_append(l, exists ? "og.update" : "og.add", "og", fj,
	    0, jb, ja, cause);
done:
	cJSON_Delete(before);
	cJSON_Delete(after);
	free(jb);
	free(ja);
	return (rc);
}

/* Records an ESMS of a request (and the ESMS itself when new or moved). */
static int
esms_add(struct segur_ledger *l, int64_t rid, const char *geo, const char *fj,
    char **cause)
{
	static const char *const q_get =
	    "SELECT finess_juridique FROM esms WHERE finess_geo = ?";
	static const char *const q_set =
	    "INSERT INTO esms(finess_geo, finess_juridique, updated_at) "
	    "VALUES (?, ?, ?) ON CONFLICT(finess_geo) DO UPDATE SET "
	    "finess_juridique = excluded.finess_juridique, "
	    "updated_at = excluded.updated_at";
	static const char *const q_link =
	    "INSERT OR IGNORE INTO request_esms(request_id, finess_geo, "
	    "finess_juridique) VALUES (?, ?, ?)";
	sqlite3_stmt	*st;
	char		 now[24], old[16], before[64], after[64];
	int		 rc, exists;

	if ((rc = segur__stmt(l, q_get, &st, cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, geo);
	rc = sqlite3_step(st);
	exists = rc == SQLITE_ROW;
	old[0] = '\0';
	if (exists)
		snprintf(old, sizeof(old), "%s",
		    (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (!exists || strcmp(old, fj) != 0) {
		if ((rc = segur__stmt(l, q_set, &st, cause)) != 0)
			return (rc);
		segur__ledger_now(now);
		segur__bind_text(st, 1, geo);
		segur__bind_text(st, 2, fj);
		segur__bind_text(st, 3, now);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return (segur__db_error(l, cause,
			    "enregistrement de l'ESMS"));
		snprintf(before, sizeof(before), "{\"finess_juridique\":"
		    "\"%s\"}", old);
		snprintf(after, sizeof(after), "{\"finess_juridique\":"
		    "\"%s\"}", fj);
		if ((rc = segur__event_append(l, exists ? "esms.update" :
		    "esms.add", "esms", geo, 0, exists ? before : NULL, after,
		    cause)) != 0)
			return (rc);
	}
	if ((rc = segur__stmt(l, q_link, &st, cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, rid);
	segur__bind_text(st, 2, geo);
	segur__bind_text(st, 3, fj);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(l, cause, "rattachement de l'ESMS"));
	return (0);
}

/* Indexes the OGs and ESMS of a request's content. */
static int
index_beneficiaires(struct segur_ledger *l, int64_t rid, cJSON *content,
    char **cause)
{
	cJSON		*ogs, *og, *geos, *g;
	const char	*fj;
	int		 rc;

	ogs = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(content, "beneficiaires"),
	    "etablissementsClients");
	cJSON_ArrayForEach(og, ogs) {
		fj = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(og, "FINESSJuridique"));
		/* A malformed OG is the validator's to report. */
		if (fj == NULL || !segur__finess_ok(fj))
			continue;
		if ((rc = og_upsert(l, fj, og, cause)) != 0)
			return (rc);
		geos = cJSON_GetObjectItemCaseSensitive(og, "FINESSGeos");
		cJSON_ArrayForEach(g, geos) {
			if (!cJSON_IsString(g) ||
			    !segur__finess_ok(g->valuestring))
				continue;
			if ((rc = esms_add(l, rid, g->valuestring, fj,
			    cause)) != 0)
				return (rc);
		}
	}
	return (0);
}

/* Reads, hashes and records one supporting document. */
static int
document_add(struct segur_ledger *l, int64_t rid, const char *type,
    const char *path, cJSON *docs, char **cause)
{
	static const char *const q =
	    "INSERT INTO document(request_id, type, path, sha256, size, "
	    "added_at) VALUES (?, ?, ?, ?, ?, ?)";
	sqlite3_stmt	*st;
	cJSON		*d;
	char		*data = NULL, *abs = NULL, hex[65], now[24];
	size_t		 len;
	int		 rc;

	if ((rc = segur_read_file(path, DOCUMENT_MAX_BYTES, &data, &len,
	    cause)) != 0)
		return (rc);
	segur_sha256_hex(data, len, hex);
	free(data);
	if ((abs = realpath(path, NULL)) == NULL)
		return (segur_cause(cause, SEGUR_EIO, "%s : chemin impossible "
		    "à résoudre", path));
	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		goto done;
	segur__ledger_now(now);
	sqlite3_bind_int64(st, 1, rid);
	segur__bind_text(st, 2, type);
	segur__bind_text(st, 3, abs);
	segur__bind_text(st, 4, hex);
	sqlite3_bind_int64(st, 5, (int64_t)len);
	segur__bind_text(st, 6, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		rc = segur__db_error(l, cause, "enregistrement de la pièce");
		goto done;
	}
	rc = 0;
	if ((d = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddItemToArray(docs, d) ||
	    cJSON_AddStringToObject(d, "type", type) == NULL ||
	    cJSON_AddStringToObject(d, "path", abs) == NULL ||
	    cJSON_AddStringToObject(d, "sha256", hex) == NULL ||
	    cJSON_AddNumberToObject(d, "size", (double)len) == NULL)
		rc = segur_cause(cause, SEGUR_ENOMEM,
		    "mémoire épuisée");
done:
	free(abs);
	return (rc);
}

/* Converts "JJ/MM/AAAA" into "AAAA-MM-JJ"; NULL on anything else. */
static int
date_iso(const char *s, char iso[11])
{
	if (s == NULL || strlen(s) != 10 || s[2] != '/' || s[5] != '/' ||
	    strspn(s, "0123456789/") != 10)
		return (-1);
	snprintf(iso, 11, "%.4s-%.2s-%.2s", s + 6, s + 3, s);
	return (0);
}

int
segur_ledger_request_add(struct segur_ledger *l,
    const struct segur_request_new *req, int64_t *id, char **cause)
{
	static const char *const q =
	    "INSERT INTO request(ref, software_id, state, content, "
	    "montant_cents, regime_tva, date_commande, created_at, "
	    "updated_at) VALUES (?1, ?2, 'draft', ?3, ?4, ?5, ?6, ?7, ?8)";
	sqlite3_stmt	*st;
	cJSON		*content, *cmd, *m, *after = NULL, *docs;
	const char	*regime;
	char		*text = NULL, *json = NULL, now[24], iso[11];
	int64_t		 sid = 0, rid, cents = -1;
	int		 rc;

	if (id != NULL)
		*id = 0;
	if (!ref_ok(req->ref))
		return (segur_cause(cause, SEGUR_EINVAL, "référence « %s » "
		    "invalide : 1 à 64 caractères, sans caractère de "
		    "contrôle", req->ref ? req->ref : ""));
	content = cJSON_ParseWithLength(req->content, req->content_len);
	if (content == NULL || !cJSON_IsObject(content)) {
		cJSON_Delete(content);
		return (segur_cause(cause, SEGUR_EINVAL, "le contenu de la "
		    "demande « %s » n'est pas un objet JSON", req->ref));
	}
	strip_numbering(content);
	cmd = cJSON_GetObjectItemCaseSensitive(content, "commande");
	m = cJSON_GetObjectItemCaseSensitive(cmd, "montantSegurHT");
	if (cJSON_IsNumber(m) && segur_amount_from_double(m->valuedouble,
	    &cents) != 0) {
		rc = segur_cause(cause, SEGUR_EINVAL, "commande."
		    "montantSegurHT : %.17g n'est pas un nombre entier de "
		    "centimes", m->valuedouble);
		cJSON_Delete(content);
		return (rc);
	}
	if (cents <= 0)
		cents = -1;
	regime = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(cmd, "regimeTVA"));
	if (regime != NULL && strcmp(regime, "TTC") != 0 &&
	    strcmp(regime, "HT") != 0)
		regime = NULL;
	if (date_iso(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
	    cmd, "dateCommande")), iso) != 0)
		iso[0] = '\0';
	if ((text = cJSON_PrintUnformatted(content)) == NULL) {
		cJSON_Delete(content);
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	}
	if ((rc = segur_ledger_begin(l, cause)) != 0)
		goto done;
	if ((rc = software_id(l, req->numero_ans, &sid, cause)) != 0)
		goto fail;
	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		goto fail;
	segur__ledger_now(now);
	segur__bind_text(st, 1, req->ref);
	sqlite3_bind_int64(st, 2, sid);
	segur__bind_text(st, 3, text);
	if (cents > 0)
		sqlite3_bind_int64(st, 4, cents);
	else
		sqlite3_bind_null(st, 4);
	segur__bind_text(st, 5, regime);
	segur__bind_text(st, 6, iso[0] != '\0' ? iso : NULL);
	segur__bind_text(st, 7, now);
	segur__bind_text(st, 8, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_CONSTRAINT_UNIQUE) {
		rc = segur_cause(cause, SEGUR_EEXIST, "la demande « %s » est "
		    "déjà enregistrée", req->ref);
		goto fail;
	}
	if (rc != SQLITE_DONE) {
		rc = segur__db_error(l, cause, "enregistrement de la demande");
		goto fail;
	}
	rid = sqlite3_last_insert_rowid(l->db);
	if ((rc = index_beneficiaires(l, rid, content, cause)) != 0)
		goto fail;
	if ((after = cJSON_CreateObject()) == NULL ||
	    (docs = cJSON_AddArrayToObject(after, "documents")) == NULL) {
		rc = segur_cause(cause, SEGUR_ENOMEM,
		    "mémoire épuisée");
		goto fail;
	}
	if (req->bdc_path != NULL && (rc = document_add(l, rid,
	    "BON_COMMANDE", req->bdc_path, docs, cause)) != 0)
		goto fail;
	if (req->ht_path != NULL && (rc = document_add(l, rid, "PREUVE_HT",
	    req->ht_path, docs, cause)) != 0)
		goto fail;
	cJSON_AddItemToObject(after, "content", content);
	content = NULL;
	if (cJSON_AddStringToObject(after, "state", "draft") == NULL ||
	    (json = cJSON_PrintUnformatted(after)) == NULL) {
		rc = segur_cause(cause, SEGUR_ENOMEM,
		    "mémoire épuisée");
		goto fail;
	}
	if ((rc = segur__event_append(l, "request.add", "request", req->ref,
	    rid, NULL, json, cause)) != 0)
		goto fail;
	if ((rc = segur_ledger_commit(l, cause)) == 0 && id != NULL)
		*id = rid;
	goto done;
fail:
	segur_ledger_rollback(l);
done:
	cJSON_Delete(content);
	cJSON_Delete(after);
	free(text);
	free(json);
	return (rc);
}

/* Appends to changes the paths where a and b differ (at most 50). */
static void
diff_paths(const cJSON *a, const cJSON *b, struct segur_buf *path,
    cJSON *changes)
{
	const cJSON	*c;
	size_t		 len = path->len;
	int		 i, na, nb;

	if (cJSON_GetArraySize(changes) >= 50)
		return;
	if (cJSON_IsObject(a) && cJSON_IsObject(b)) {
		cJSON_ArrayForEach(c, a) {
			segur_buf_addf(path, "%s%s", len > 0 ? "." : "",
			    c->string);
			diff_paths(c, cJSON_GetObjectItemCaseSensitive(b,
			    c->string), path, changes);
			path->len = len;
			path->data[len] = '\0';
		}
		cJSON_ArrayForEach(c, b) {
			if (cJSON_GetObjectItemCaseSensitive(a, c->string) !=
			    NULL)
				continue;
			segur_buf_addf(path, "%s%s", len > 0 ? "." : "",
			    c->string);
			cJSON_AddItemToArray(changes,
			    cJSON_CreateString(path->data));
			path->len = len;
			path->data[len] = '\0';
		}
		return;
	}
	if (cJSON_IsArray(a) && cJSON_IsArray(b)) {
		na = cJSON_GetArraySize(a);
		nb = cJSON_GetArraySize(b);
		for (i = 0; i < na || i < nb; i++) {
			segur_buf_addf(path, "[%d]", i);
			if (i < na && i < nb)
				diff_paths(cJSON_GetArrayItem(a, i),
				    cJSON_GetArrayItem(b, i), path, changes);
			else
				cJSON_AddItemToArray(changes,
				    cJSON_CreateString(path->data));
			path->len = len;
			path->data[len] = '\0';
		}
		return;
	}
	if (b == NULL || !cJSON_Compare(a, b, 1))
		cJSON_AddItemToArray(changes, cJSON_CreateString(path->len > 0 ?
		    path->data : "(tout)"));
}

/* Marks the current document of a type replaced. */
static int
document_retire(struct segur_ledger *l, int64_t rid, const char *type,
    char **cause)
{
	static const char *const q =
	    "UPDATE document SET current = 0 WHERE request_id = ? AND "
	    "type = ? AND current = 1";
	sqlite3_stmt	*st;
	int		 rc;

	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, rid);
	segur__bind_text(st, 2, type);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return (rc == SQLITE_DONE ? 0 : segur__db_error(l, cause,
	    "remplacement de la pièce"));
}

int
segur_ledger_request_edit(struct segur_ledger *l,
    const struct segur_request_new *req, int *nchanges, char **cause)
{
	static const char *const q_old =
	    "SELECT content FROM request WHERE id = ?";
	static const char *const q_set =
	    "UPDATE request SET content = ?1, montant_cents = ?2, "
	    "regime_tva = ?3, date_commande = ?4, updated_at = ?5 "
	    "WHERE id = ?6";
	static const char *const q_esms =
	    "DELETE FROM request_esms WHERE request_id = ?";
	struct segur_buf path = SEGUR_BUF_INIT;
	enum segur_state state;
	sqlite3_stmt	*st;
	cJSON		*content, *old = NULL, *cmd, *m, *changes = NULL;
	cJSON		*before = NULL, *after = NULL, *docs;
	const char	*regime;
	char		*text = NULL, *json = NULL, *jb = NULL, now[24], iso[11];
	int64_t		 rid, cents = -1;
	int		 rc, n;

	*nchanges = 0;
	content = cJSON_ParseWithLength(req->content, req->content_len);
	if (content == NULL || !cJSON_IsObject(content)) {
		cJSON_Delete(content);
		return (segur_cause(cause, SEGUR_EINVAL, "le contenu de la "
		    "demande « %s » n'est pas un objet JSON", req->ref));
	}
	strip_numbering(content);
	cmd = cJSON_GetObjectItemCaseSensitive(content, "commande");
	m = cJSON_GetObjectItemCaseSensitive(cmd, "montantSegurHT");
	if (cJSON_IsNumber(m) && segur_amount_from_double(m->valuedouble,
	    &cents) != 0) {
		cJSON_Delete(content);
		return (segur_cause(cause, SEGUR_EINVAL, "commande."
		    "montantSegurHT : %.17g n'est pas un nombre entier de "
		    "centimes", m->valuedouble));
	}
	regime = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(cmd, "regimeTVA"));
	if (regime != NULL && strcmp(regime, "TTC") != 0 &&
	    strcmp(regime, "HT") != 0)
		regime = NULL;
	if (date_iso(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
	    cmd, "dateCommande")), iso) != 0)
		iso[0] = '\0';
	if ((text = cJSON_PrintUnformatted(content)) == NULL) {
		cJSON_Delete(content);
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	}
	if ((rc = segur_ledger_begin(l, cause)) != 0)
		goto done;
	if ((rc = segur__request_find(l, req->ref, &rid, &state, cause)) != 0)
		goto fail;
	if (state != SEGUR_STATE_DRAFT && state != SEGUR_STATE_READY &&
	    state != SEGUR_STATE_REJECTED) {
		rc = segur_cause(cause, SEGUR_ESTATE, "la demande « %s » est à "
		    "l'état « %s » : seule une demande brouillon, prête ou "
		    "rejetée peut être modifiée (pas une demande en attente "
		    "de l'ASP ni acceptée)", req->ref,
		    segur_state_label(state));
		goto fail;
	}
	if (state != SEGUR_STATE_DRAFT && (cents <= 0 || regime == NULL)) {
		rc = segur_cause(cause, SEGUR_EINVAL, "la demande « %s » doit "
		    "garder un montant (commande.montantSegurHT) et un régime "
		    "de TVA (commande.regimeTVA)", req->ref);
		goto fail;
	}
	if ((rc = segur__stmt(l, q_old, &st, cause)) != 0)
		goto fail;
	sqlite3_bind_int64(st, 1, rid);
	if (sqlite3_step(st) == SQLITE_ROW)
		old = cJSON_Parse((const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (old == NULL || (changes = cJSON_CreateArray()) == NULL) {
		rc = segur_cause(cause, SEGUR_ENOMEM,
		    "mémoire épuisée");
		goto fail;
	}
	diff_paths(old, content, &path, changes);
	n = cJSON_GetArraySize(changes) + (req->bdc_path != NULL) +
	    (req->ht_path != NULL);
	if (n == 0) {
		/* The same content, no document: nothing to record. */
		segur_ledger_rollback(l);
		rc = 0;
		goto done;
	}
	if ((rc = segur__stmt(l, q_set, &st, cause)) != 0)
		goto fail;
	segur__ledger_now(now);
	segur__bind_text(st, 1, text);
	if (cents > 0)
		sqlite3_bind_int64(st, 2, cents);
	else
		sqlite3_bind_null(st, 2);
	segur__bind_text(st, 3, regime);
	segur__bind_text(st, 4, iso[0] != '\0' ? iso : NULL);
	segur__bind_text(st, 5, now);
	sqlite3_bind_int64(st, 6, rid);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		rc = segur__db_error(l, cause, "remplacement du contenu");
		goto fail;
	}
	if ((rc = segur__stmt(l, q_esms, &st, cause)) != 0)
		goto fail;
	sqlite3_bind_int64(st, 1, rid);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		rc = segur__db_error(l, cause, "réindexation des ESMS");
		goto fail;
	}
	if ((rc = index_beneficiaires(l, rid, content, cause)) != 0)
		goto fail;
	if ((after = cJSON_CreateObject()) == NULL ||
	    (before = cJSON_CreateObject()) == NULL ||
	    (docs = cJSON_AddArrayToObject(after, "documents")) == NULL) {
		rc = segur_cause(cause, SEGUR_ENOMEM,
		    "mémoire épuisée");
		goto fail;
	}
	if (req->bdc_path != NULL && ((rc = document_retire(l, rid,
	    "BON_COMMANDE", cause)) != 0 || (rc = document_add(l, rid,
	    "BON_COMMANDE", req->bdc_path, docs, cause)) != 0))
		goto fail;
	if (req->ht_path != NULL && ((rc = document_retire(l, rid,
	    "PREUVE_HT", cause)) != 0 || (rc = document_add(l, rid,
	    "PREUVE_HT", req->ht_path, docs, cause)) != 0))
		goto fail;
	cJSON_AddItemToObject(before, "content", old);
	old = NULL;
	cJSON_AddItemToObject(after, "changes", changes);
	changes = NULL;
	cJSON_AddItemToObject(after, "content", content);
	content = NULL;
	if ((json = cJSON_PrintUnformatted(after)) == NULL ||
	    (jb = cJSON_PrintUnformatted(before)) == NULL) {
		rc = segur_cause(cause, SEGUR_ENOMEM,
		    "mémoire épuisée");
		goto fail;
	}
	if ((rc = segur__event_append(l, "request.edit", "request", req->ref,
	    rid, jb, json, cause)) != 0)
		goto fail;
	/* Edited content must be validated again before a build takes it. */
	if (state == SEGUR_STATE_READY && (rc = segur__request_transition(l,
	    rid, req->ref, SEGUR_STATE_READY, SEGUR_STATE_DRAFT,
	    "{\"why\":\"edited\"}", cause)) != 0)
		goto fail;
	if ((rc = segur_ledger_commit(l, cause)) == 0)
		*nchanges = n;
	goto done;
fail:
	segur_ledger_rollback(l);
done:
	segur_buf_release(&path);
	cJSON_Delete(content);
	cJSON_Delete(old);
	cJSON_Delete(changes);
	cJSON_Delete(before);
	cJSON_Delete(after);
	free(text);
	free(json);
	free(jb);
	return (rc);
}

/* ------------------------------------------------------------------ */
/* Queries. */

/* Adds column i of st to o as key: text, integer or null. */
static int
add_col(cJSON *o, const char *key, sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		return (cJSON_AddNullToObject(o, key) != NULL ? 0 : -1);
	case SQLITE_INTEGER:
		return (cJSON_AddNumberToObject(o, key,
		    (double)sqlite3_column_int64(st, i)) != NULL ? 0 : -1);
	default:
		return (cJSON_AddStringToObject(o, key,
		    (const char *)sqlite3_column_text(st, i)) != NULL ? 0 : -1);
	}
}

/* Adds an amount as "5840.00", or null. */
static int
add_amount(cJSON *o, const char *key, sqlite3_stmt *st, int i)
{
	char	 b[SEGUR_AMOUNT_BUFSZ];

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return (cJSON_AddNullToObject(o, key) != NULL ? 0 : -1);
	return (cJSON_AddStringToObject(o, key, segur_amount_format(
	    sqlite3_column_int64(st, i), b)) != NULL ? 0 : -1);
}

/*
 * Runs sql (one int64 parameter) and appends one object per row to the
 * array key of o, naming the columns with names[].
 */
static int
add_rows(struct segur_ledger *l, cJSON *o, const char *key, const char *sql,
    int64_t param, const char *const *names, int ncol, int amount_col,
    char **cause)
{
	sqlite3_stmt	*st;
	cJSON		*arr, *it;
	int		 rc, c;

	if ((arr = cJSON_AddArrayToObject(o, key)) == NULL)
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	if ((rc = segur__stmt(l, sql, &st, cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, param);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((it = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(arr, it)) {
			cJSON_Delete(it);
			sqlite3_reset(st);
			return (segur_cause(cause, SEGUR_ENOMEM,
			    "mémoire épuisée"));
		}
		for (c = 0; c < ncol; c++) {
			if ((c == amount_col ? add_amount(it, names[c], st,
			    c) : add_col(it, names[c], st, c)) != 0) {
				sqlite3_reset(st);
				return (segur_cause(cause, SEGUR_ENOMEM,
				    "mémoire épuisée"));
			}
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(l, cause, "lecture de la demande"));
	return (0);
}

/*
 * The anomalies of request id: the open ones in the list "anomalies" of
 * o, the resolved ones (note, who, when) in "resolvedAnomalies", and on
 * each attempt they concern its ids ("anomalies") and its state, which
 * reads "anomaly" while the attempt still waits with one open (ingest
 * recorded no answer for it: the anomaly says why).
 */
static int
add_anomalies(struct segur_ledger *l, cJSON *o, int64_t id, char **cause)
{
	struct segur_anomaly *v = NULL;
	const cJSON	*outcome;
	cJSON		*arr, *done, *it, *ids, *j;
	size_t		 n = 0, i;
	int		 rc, seq, open;

	if ((rc = segur_anomaly_list(l, SEGUR_ANOMALY_ALL, id, &v, &n,
	    cause)) != 0)
		return (rc);
	if ((arr = cJSON_AddArrayToObject(o, "anomalies")) == NULL ||
	    (done = cJSON_AddArrayToObject(o, "resolvedAnomalies")) == NULL)
		goto oom;
	for (i = 0; i < n; i++) {
		if ((j = segur_anomaly_json(&v[i])) == NULL)
			goto oom;
		cJSON_AddItemToArray(v[i].resolved_at == NULL ? arr : done, j);
	}
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(o, "attempts")) {
		seq = cJSON_GetObjectItem(it, "attempt")->valueint;
		if ((ids = cJSON_AddArrayToObject(it, "anomalies")) == NULL)
			goto oom;
		for (open = 0, i = 0; i < n; i++) {
			if (v[i].attempt_seq != seq || v[i].resolved_at != NULL)
				continue;
			open = 1;
			if ((j = cJSON_CreateNumber((double)v[i].id)) == NULL)
				goto oom;
			cJSON_AddItemToArray(ids, j);
		}
		outcome = cJSON_GetObjectItem(it, "outcome");
		if (cJSON_AddStringToObject(it, "state", open &&
		    strcmp(outcome->valuestring, "pending") == 0 ? "anomaly" :
		    outcome->valuestring) == NULL)
			goto oom;
	}
	segur_anomaly_free_array(v, n);
	return (0);
oom:
	segur_anomaly_free_array(v, n);
	return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
}

/* The request id for a reference, numeroEditeur or numeroASP. */
static int
find_any(struct segur_ledger *l, const char *key, int64_t *id, char **cause)
{
	struct segur_request_ident ident;
	int		 rc;

	if ((rc = segur_ledger_request_resolve(l, key, &ident, cause)) != 0)
		return (rc);
	*id = ident.id;
	return (0);
}

int
segur_ledger_request_show(struct segur_ledger *l, const char *key,
    struct cJSON **out, char **cause)
{
	static const char *const q_req =
	    "SELECT r.ref, s.numero_ans, s.siret, r.state, r.montant_cents, "
	    "r.regime_tva, r.date_commande, r.numero_asp, r.withdraw_reason, "
	    "r.created_at, r.updated_at, r.content FROM request r "
	    "JOIN software s ON s.id = r.software_id WHERE r.id = ?";
	static const char *const req_names[] = { "ref", "numeroAns", "SIRET",
	    "state", "montantSegurHT", "regimeTVA", "dateCommande",
	    "numeroASP", "withdrawReason", "createdAt", "updatedAt" };
	static const char *const q_esms =
	    "SELECT finess_geo, finess_juridique FROM request_esms "
	    "WHERE request_id = ? ORDER BY finess_juridique, finess_geo";
	static const char *const esms_names[] = { "FINESSGeo",
	    "FINESSJuridique" };
	static const char *const q_docs =
	    "SELECT type, path, sha256, size, current, added_at FROM document "
	    "WHERE request_id = ? ORDER BY id";
	static const char *const doc_names[] = { "typeFichier", "path",
	    "sha256", "size", "current", "addedAt" };
	static const char *const q_att =
	    "SELECT a.seq, a.numero_editeur, f.name, a.num_ligne, a.outcome, "
	    "a.code_traitement, a.libelle_traitement, a.numero_asp, "
	    "a.created_at, a.answered_at, af.name FROM attempt a "
	    "LEFT JOIN file f ON f.id = a.file_id "
	    "LEFT JOIN file af ON af.id = a.answer_file_id "
	    "WHERE a.request_id = ? ORDER BY a.seq";
	static const char *const att_names[] = { "attempt", "numeroEditeur",
	    "file", "numLigne", "outcome", "code", "label", "numeroASP",
	    "createdAt", "answeredAt", "answerFile" };
	static const char *const q_dec =
	    "SELECT kind, date, amount_cents, letter_ref, note, recorded_at "
	    "FROM decision WHERE request_id = ? ORDER BY id";
	static const char *const dec_names[] = { "kind", "date", "amount",
	    "letterRef", "note", "recordedAt" };
	/* The payments are decisions too: listed apart so that a reader
	 * finds the money without knowing the decision kinds. */
	static const char *const q_pay =
	    "SELECT CASE kind WHEN 'advance_paid' THEN 'avance' ELSE 'solde' "
	    "END, date, amount_cents, letter_ref, recorded_at FROM decision "
	    "WHERE request_id = ? AND kind IN ('advance_paid', 'balance_paid') "
	    "ORDER BY id";
	static const char *const pay_names[] = { "phase", "date", "amount",
	    "letterRef", "recordedAt" };
	static const char *const q_dlv =
	    "SELECT montant_facture_cents, date, numero_facture, date_facture, "
	    "facture_path, facture_format, facture_sha256, pv_path, pv_format, "
	    "pv_sha256, current, recorded_at FROM delivery "
	    "WHERE request_id = ? ORDER BY id";
	static const char *const dlv_names[] = { "invoiceAmount", "date",
	    "invoiceNumber", "invoiceDate", "invoicePath", "invoiceFormat",
	    "invoiceSha256", "pvPath", "pvFormat", "pvSha256", "current",
	    "recordedAt" };
	static const char *const q_bal =
	    "SELECT s.montant_solde_cents, s.seq, s.numero_editeur, "
	    "s.numero_asp, f.name, s.num_ligne, s.outcome, s.code_traitement, "
	    "s.libelle_traitement, af.name, s.created_at, s.answered_at "
	    "FROM solde_line s JOIN file f ON f.id = s.file_id "
	    "LEFT JOIN file af ON af.id = s.answer_file_id "
	    "WHERE s.request_id = ? ORDER BY s.seq";
	static const char *const bal_names[] = { "montantSolde",
	    "balanceLine", "numeroEditeur", "numeroASP", "file", "numLigne",
	    "outcome", "code", "label", "answerFile", "createdAt",
	    "answeredAt" };
	/* Every document as sent to ASP, advance and balance. */
	static const char *const q_sent =
	    "SELECT 'avance', a.seq, d.type, ad.nom_fichier, ad.sha256, "
	    "z.name FROM attempt a JOIN attempt_document ad "
	    "ON ad.attempt_id = a.id JOIN document d ON d.id = ad.document_id "
	    "LEFT JOIN file z ON z.id = ad.bundle_file_id "
	    "WHERE a.request_id = ?1 UNION ALL "
	    "SELECT 'solde', s.seq, sd.type, sd.nom_fichier, sd.sha256, z.name "
	    "FROM solde_line s JOIN solde_document sd "
	    "ON sd.solde_line_id = s.id JOIN file z ON z.id = sd.bundle_file_id "
	    "WHERE s.request_id = ?1 ORDER BY 1, 2, 3";
	static const char *const sent_names[] = { "phase", "seq",
	    "typeFichier", "nomFichier", "sha256", "zip" };
	sqlite3_stmt	*st;
	cJSON		*o, *content;
	int64_t		 id = 0;
	int		 rc, c;

	*out = NULL;
	if ((rc = find_any(l, key, &id, cause)) != 0)
		return (rc);
	if ((o = cJSON_CreateObject()) == NULL)
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	if ((rc = segur__stmt(l, q_req, &st, cause)) != 0)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		rc = segur__db_error(l, cause, "lecture de la demande");
		goto fail;
	}
	for (c = 0; c < 11; c++) {
		if ((c == 4 ? add_amount(o, req_names[c], st, c) :
		    add_col(o, req_names[c], st, c)) != 0) {
			sqlite3_reset(st);
			rc = segur_cause(cause, SEGUR_ENOMEM,
			    "mémoire épuisée");
			goto fail;
		}
	}
	content = cJSON_Parse((const char *)sqlite3_column_text(st, 11));
	sqlite3_reset(st);
	if (content == NULL) {
		rc = segur_cause(cause, SEGUR_ENOMEM,
		    "mémoire épuisée");
		goto fail;
	}
	cJSON_AddItemToObject(o, "content", content);
	if ((rc = add_rows(l, o, "esms", q_esms, id, esms_names, 2, -1,
	    cause)) != 0 ||
	    (rc = add_rows(l, o, "documents", q_docs, id, doc_names, 6, -1,
	    cause)) != 0 ||
	    (rc = add_rows(l, o, "sentDocuments", q_sent, id, sent_names, 6,
	    -1, cause)) != 0 ||
	    (rc = add_rows(l, o, "attempts", q_att, id, att_names, 11, -1,
	    cause)) != 0 ||
	    (rc = add_rows(l, o, "deliveries", q_dlv, id, dlv_names, 12, 0,
	    cause)) != 0 ||
	    (rc = add_rows(l, o, "balanceLines", q_bal, id, bal_names, 12, 0,
	    cause)) != 0 ||
	    (rc = add_rows(l, o, "decisions", q_dec, id, dec_names, 6, 2,
	    cause)) != 0 ||
	    (rc = add_rows(l, o, "payments", q_pay, id, pay_names, 5, 2,
	    cause)) != 0 ||
	    (rc = add_anomalies(l, o, id, cause)) != 0)
		goto fail;
	*out = o;
	return (0);
fail:
	cJSON_Delete(o);
	return (rc);
}

int
segur_ledger_request_history(struct segur_ledger *l, const char *ref,
    struct segur_event **out, size_t *n, char **cause)
{
	static const char *const q =
	    "SELECT id, at, actor, action, entity, entity_key, request_id, "
	    "before, after, prev_hash, hash FROM event WHERE request_id = ? "
	    "ORDER BY id";
	struct segur_event *a = NULL, *na, *e;
	enum segur_state state;
	sqlite3_stmt	*st;
	size_t		 cnt = 0;
	int64_t		 id = 0;
	int		 rc, oom = 0;

	*out = NULL;
	*n = 0;
	if ((rc = segur__request_find(l, ref, &id, &state, cause)) != 0)
		return (rc);
	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((na = realloc(a, (cnt + 1) * sizeof(*a))) == NULL) {
			oom = 1;
			break;
		}
		a = na;
		e = &a[cnt++];
		memset(e, 0, sizeof(*e));
		e->id = sqlite3_column_int64(st, 0);
		e->at = segur__column_dup(st, 1, &oom);
		e->actor = segur__column_dup(st, 2, &oom);
		e->action = segur__column_dup(st, 3, &oom);
		e->entity = segur__column_dup(st, 4, &oom);
		e->entity_key = segur__column_dup(st, 5, &oom);
		e->request_id = sqlite3_column_int64(st, 6);
		e->before = segur__column_dup(st, 7, &oom);
		e->after = segur__column_dup(st, 8, &oom);
		e->prev_hash = segur__column_dup(st, 9, &oom);
		e->hash = segur__column_dup(st, 10, &oom);
		if (oom)
			break;
	}
	sqlite3_reset(st);
	if (oom || (rc != SQLITE_DONE && rc != SQLITE_ROW)) {
		segur_event_free_array(a, cnt);
		return (oom ? segur_cause(cause, SEGUR_ENOMEM,
		    "mémoire épuisée") : segur__db_error(l, cause,
		    "lecture de l'historique"));
	}
	*out = a;
	*n = cnt;
	return (0);
}

/* Collects rows into a growing array (status lists). */
struct row_array {
	struct segur_request_row *v;
	size_t			 n;
};

static int
collect_row(void *arg, const struct segur_request_row *row)
{
	struct row_array	*a = arg;
	struct segur_request_row *nv;

	if ((nv = realloc(a->v, (a->n + 1) * sizeof(*nv))) == NULL)
		return (SEGUR_ENOMEM);
	a->v = nv;
	a->v[a->n++] = *row;
	return (0);
}

int
segur_ledger_status(struct segur_ledger *l, size_t max,
    struct segur_status *st, char **cause)
{
	static const char *const q =
	    "SELECT state, n, cents FROM state_total";
	static const enum segur_state lists[] = { SEGUR_STATE_REJECTED,
	    SEGUR_STATE_ACCEPTED, SEGUR_STATE_ADVANCE_PAID };
	struct segur_request_filter f = { .state = -1 };
	struct row_array a;
	sqlite3_stmt	*s;
	size_t		 i;
	int		 rc, k;

	memset(st, 0, sizeof(*st));
	/* One read transaction: counts and lists agree. */
	if (l->depth == 0 && (rc = segur__exec(l, "BEGIN", cause)) != 0)
		return (rc);
	if ((rc = segur__stmt(l, q, &s, cause)) != 0)
		goto done;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		k = segur_state_parse((const char *)sqlite3_column_text(s, 0));
		if (k < 0)
			continue;
		st->count[k] = sqlite3_column_int64(s, 1);
		st->cents[k] = sqlite3_column_int64(s, 2);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		rc = segur__db_error(l, cause, "lecture des totaux");
		goto done;
	}
	rc = 0;
	f.limit = max;
	for (i = 0; i < 3 && rc == 0; i++) {
		memset(&a, 0, sizeof(a));
		f.state = (int)lists[i];
		if (max > 0)
			rc = segur_ledger_request_list(l, &f, collect_row, &a,
			    cause);
		if (rc == SEGUR_ENOMEM)
			segur_cause(cause, rc, "mémoire épuisée");
		if (i == 0) {
			st->rejected = a.v;
			st->nrejected = a.n;
		} else if (i == 1) {
			st->accepted = a.v;
			st->naccepted = a.n;
		} else {
			st->advance_paid = a.v;
			st->nadvance_paid = a.n;
		}
	}
	if (rc == 0)
		rc = segur_anomaly_open(l, &st->anomalies_open,
		    &st->oldest_anomaly, cause);
done:
	if (l->depth == 0)
		sqlite3_exec(l->db, "COMMIT", NULL, NULL, NULL);
	if (rc != 0)
		segur_status_release(st);
	return (rc);
}

void
segur_status_release(struct segur_status *st)
{
	free(st->rejected);
	free(st->accepted);
	free(st->advance_paid);
	segur_anomaly_free_array(st->oldest_anomaly, 1);
	st->oldest_anomaly = NULL;
	st->anomalies_open = 0;
	st->rejected = st->accepted = st->advance_paid = NULL;
	st->nrejected = st->naccepted = st->nadvance_paid = 0;
}
