/*
 * ledger-request.c: software references, registering requests (with their
 * OGs, ESMS and documents), and the queries segurctl shows: list, show,
 * history, status.
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
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"
#include "segur/validate.h"

#include "ledger-int.h"

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
			return (segur_cause(cause, SEGUR_EINVAL, "unknown "
			    "profile '%.*s' (expected REFERENTIEL_ID, "
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
		return (segur_cause(cause, SEGUR_EINVAL, "bad profiles"));
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
		rc = segur__db_error(l, cause, "add the software");
		goto fail;
	}
	if ((pf = segur_profiles_format(profiles)) == NULL ||
	    (a = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(a, "siret", siret) == NULL ||
	    (name != NULL && cJSON_AddStringToObject(a, "name", name) ==
	    NULL) ||
	    cJSON_AddStringToObject(a, "profiles", pf) == NULL ||
	    (json = cJSON_PrintUnformatted(a)) == NULL) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "out of memory");
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
		    "out of memory") : segur__db_error(l, cause,
		    "list the software"));
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
		return (rc != 0 ? segur_cause(cause, rc, "out of memory") : 0);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(l, cause, "read the software"));
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
		return (segur__db_error(l, cause, "find the software"));
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
		return (segur_cause(cause, SEGUR_ENOMEM, "out of memory"));
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
		return (segur_cause(cause, rc, "out of memory"));
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
		rc = segur__db_error(l, cause, "record the OG");
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
		rc = segur_cause(cause, SEGUR_ENOMEM, "out of memory");
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
			return (segur__db_error(l, cause, "record the ESMS"));
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
		return (segur__db_error(l, cause, "link the ESMS"));
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
		return (segur_cause(cause, SEGUR_EIO, "%s: cannot resolve the "
		    "path", path));
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
		rc = segur__db_error(l, cause, "record the document");
		goto done;
	}
	rc = 0;
	if ((d = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddItemToArray(docs, d) ||
	    cJSON_AddStringToObject(d, "type", type) == NULL ||
	    cJSON_AddStringToObject(d, "path", abs) == NULL ||
	    cJSON_AddStringToObject(d, "sha256", hex) == NULL ||
	    cJSON_AddNumberToObject(d, "size", (double)len) == NULL)
		rc = segur_cause(cause, SEGUR_ENOMEM, "out of memory");
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
	    "updated_at, list_row) VALUES (?1, ?2, 'draft', ?3, ?4, ?5, ?6, "
	    "?7, ?8, " SEGUR__LIST_ROW("?2", "?4", "?1", "NULL", "?7")
	    ")";
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
		return (segur_cause(cause, SEGUR_ENOMEM, "out of memory"));
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
		rc = segur__db_error(l, cause, "add the request");
		goto fail;
	}
	rid = sqlite3_last_insert_rowid(l->db);
	if ((rc = index_beneficiaires(l, rid, content, cause)) != 0)
		goto fail;
	if ((after = cJSON_CreateObject()) == NULL ||
	    (docs = cJSON_AddArrayToObject(after, "documents")) == NULL) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "out of memory");
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
		rc = segur_cause(cause, SEGUR_ENOMEM, "out of memory");
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
	    "replace the document"));
}

int
segur_ledger_request_edit(struct segur_ledger *l,
    const struct segur_request_new *req, int *nchanges, char **cause)
{
	static const char *const q_old =
	    "SELECT content FROM request WHERE id = ?";
	static const char *const q_set =
	    "UPDATE request SET content = ?1, montant_cents = ?2, "
	    "regime_tva = ?3, date_commande = ?4, updated_at = ?5, list_row = "
	    SEGUR__LIST_ROW("software_id", "?2", "ref", "numero_editeur",
	    "created_at") " WHERE id = ?6";
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
		return (segur_cause(cause, SEGUR_ENOMEM, "out of memory"));
	}
	if ((rc = segur_ledger_begin(l, cause)) != 0)
		goto done;
	if ((rc = segur__request_find(l, req->ref, &rid, &state, cause)) != 0)
		goto fail;
	if (state != SEGUR_STATE_DRAFT && state != SEGUR_STATE_READY &&
	    state != SEGUR_STATE_REJECTED) {
		rc = segur_cause(cause, SEGUR_ESTATE, "la demande « %s » est à "
		    "l'état %s : seule une demande brouillon, prête ou rejetée "
		    "peut être modifiée (pas une demande en attente de l'ASP "
		    "ni acceptée)", req->ref, segur_state_name(state));
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
		rc = segur_cause(cause, SEGUR_ENOMEM, "out of memory");
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
		rc = segur__db_error(l, cause, "replace the content");
		goto fail;
	}
	if ((rc = segur__stmt(l, q_esms, &st, cause)) != 0)
		goto fail;
	sqlite3_bind_int64(st, 1, rid);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		rc = segur__db_error(l, cause, "re-index the ESMS");
		goto fail;
	}
	if ((rc = index_beneficiaires(l, rid, content, cause)) != 0)
		goto fail;
	if ((after = cJSON_CreateObject()) == NULL ||
	    (before = cJSON_CreateObject()) == NULL ||
	    (docs = cJSON_AddArrayToObject(after, "documents")) == NULL) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "out of memory");
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
		rc = segur_cause(cause, SEGUR_ENOMEM, "out of memory");
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

/*
 * What a list reads: only the covering index request_list (migration 008)
 * when filtering by state, and of each entry the list_row, ASP's number and
 * the time of the last change (SQLite's decoding of each column read was
 * most of a long list). The software's numeroAns is not joined: a JOIN costs a
 * B-tree seek per row for a table of a handful of rows, so lists resolve
 * software_id through a map read once per call (struct ans_map).
 */
#define ROW_COLUMNS	"r.list_row, r.numero_asp, r.updated_at"

/* Where the columns a list may leave out are, after ROW_COLUMNS: -1 when
 * not selected. */
struct row_cols {
	int	 state;		/* r.state, unless the list filters on it */
	int	 id;		/* r.id, unless line_only */
};

/* Copies n bytes of s into dst[0..sz), cut at sz - 1. */
static void
copy_n(char *dst, size_t sz, const char *s, size_t n)
{
	if (n > sz - 1)
		n = sz - 1;
	if (n > 0)
		memcpy(dst, s, n);
	dst[n] = '\0';
}

/* Copies text column i into dst[0..sz), "" for NULL, as copy_n() does: no
 * formatting (lists copy a few columns of many rows). */
static void
copy_col(char *dst, size_t sz, sqlite3_stmt *st, int i)
{
	/* The text, then its size: SQLite's order (no conversion between). */
	const char	*s = sqlite3_column_blob(st, i);

	copy_n(dst, sz, s, (size_t)sqlite3_column_bytes(st, i));
}

/* software.id -> numero_ans, for one list call. */
struct ans_map {
	struct ans_entry {
		int64_t	 id;
		char	 numero_ans[11];
	}		*v;		/* owned, sorted by id */
	size_t		 n;
	size_t		 last;		/* index of the last hit */
};

/* Reads every software of the ledger into m, sorted by id (a handful of
 * rows). */
static int
ans_map_load(struct segur_ledger *l, struct ans_map *m, char **cause)
{
	static const char *const q =
	    "SELECT id, numero_ans FROM software ORDER BY id";
	struct ans_entry *nv;
	sqlite3_stmt	*st;
	int		 rc;

	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		return (rc);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((nv = realloc(m->v, (m->n + 1) * sizeof(*nv))) == NULL) {
			sqlite3_reset(st);
			return (segur_cause(cause, SEGUR_ENOMEM,
			    "out of memory"));
		}
		m->v = nv;
		nv[m->n].id = sqlite3_column_int64(st, 0);
		copy_col(nv[m->n].numero_ans, sizeof(nv[m->n].numero_ans), st,
		    1);
		m->n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(l, cause, "read the software"));
	return (0);
}

/* The numeroAns of software id, or NULL if there is none (the row is then
 * left out, as the JOIN did). */
static const char *
ans_map_get(struct ans_map *m, int64_t id)
{
	size_t	 lo = 0, hi = m->n, mid;

	if (m->n > 0 && m->v[m->last].id == id)
		return (m->v[m->last].numero_ans);
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (m->v[mid].id == id) {
			m->last = mid;
			return (m->v[mid].numero_ans);
		}
		if (m->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (NULL);
}

/* How many numbers a list_row starts with. */
#define LIST_ROW_NUMBERS	4

/*
 * Reads the LIST_ROW_NUMBERS numbers a list_row starts at p with into num,
 * each of 1 to 18 decimal digits (so that none overflows) and a space, and
 * where each starts into at: one loop for all, as a list reads 150,000 of
 * them. Returns what follows, or NULL if they are not there.
 */
static const char *
list_row_numbers(const char *p, const char *end,
    uint64_t num[LIST_ROW_NUMBERS], const char *at[LIST_ROW_NUMBERS])
{
	uint64_t	 u;
	int		 k;

	for (k = 0; k < LIST_ROW_NUMBERS; k++) {
		for (at[k] = p, u = 0; p < end &&
		    (unsigned char)(*p - '0') < 10; p++)
			u = u * 10 + (uint64_t)(*p - '0');
		if (p == at[k] || p - at[k] > 18 || p == end || *p != ' ')
			return (NULL);
		num[k] = u;
		p++;
	}
	return (p);
}

/* A list_row (migration 008) cut into its fields, pointing into it. */
struct list_row_view {
	int64_t		 software_id;
	int64_t		 cents;		/* 0: no amount */
	const char	*digits;	/* the amount as stored */
	size_t		 ndigits;	/* 0: no amount */
	const char	*ref, *ed, *created;
	size_t		 nref, ned, ncreated;
};

/*
 * Cuts the list_row of column 0 of st into w: software, amount (0: none)
 * and the sizes of the reference and numeroEditeur (0: none), then those
 * texts, then the creation time. -1 if it is not one (the table's CHECK
 * makes that a damaged database).
 */
static int
list_row_view(sqlite3_stmt *st, struct list_row_view *w)
{
	/* The text, then its size: SQLite's order (no conversion between). */
	const char	*v = sqlite3_column_blob(st, 0), *p, *end;
	const char	*at[LIST_ROW_NUMBERS];
	uint64_t	 num[LIST_ROW_NUMBERS];
	size_t		 n = (size_t)sqlite3_column_bytes(st, 0);

	if (v == NULL)
		return (-1);
	end = v + n;
	if ((p = list_row_numbers(v, end, num, at)) == NULL ||
	    num[2] + num[3] > (uint64_t)(end - p))
		return (-1);
	w->software_id = (int64_t)num[0];
	w->cents = (int64_t)num[1];
	w->digits = at[1];
	w->ndigits = num[1] > 0 ? (size_t)(at[2] - 1 - at[1]) : 0;
	w->ref = p;
	w->nref = (size_t)num[2];
	w->ed = p + w->nref;
	w->ned = (size_t)num[3];
	w->created = w->ed + w->ned;
	w->ncreated = (size_t)(end - w->created);
	return (0);
}

/*
 * The state of the row at st: state when the list filters on it, else the
 * selected one, parsed (prev's name first: lists come in runs of one
 * state). -1 for a name this build does not know.
 */
static int
row_state(sqlite3_stmt *st, const struct row_cols *c, int state, int prev)
{
	const char	*s, *name;

	if (state >= 0)
		return (state);
	s = (const char *)sqlite3_column_text(st, c->state);
	name = prev >= 0 ? segur_state_name((enum segur_state)prev) : NULL;
	if (s != NULL && name != NULL && strcmp(s, name) == 0)
		return (prev);
	return (segur_state_parse(s));
}

/*
 * Fills row but for numero_ans from a statement selecting ROW_COLUMNS and
 * then c, whose list_row is w; state as row_state().
 */
static void
request_row(sqlite3_stmt *st, const struct row_cols *c, int state,
    const struct list_row_view *w, struct segur_request_row *row)
{
	row->montant_cents = w->cents > 0 ? w->cents : -1;
	copy_n(row->ref, sizeof(row->ref), w->ref, w->nref);
	copy_n(row->numero_editeur, sizeof(row->numero_editeur), w->ed,
	    w->ned);
	if (c->id >= 0) {
		copy_n(row->created_at, sizeof(row->created_at), w->created,
		    w->ncreated);
		row->id = sqlite3_column_int64(st, c->id);
	}
	row->state = (enum segur_state)row_state(st, c, state, row->state);
	copy_col(row->numero_asp, sizeof(row->numero_asp), st, 1);
	copy_col(row->updated_at, sizeof(row->updated_at), st, 2);
}

/* Appends n bytes of s to p, returns the end: lines are built from
 * pieces and ended once. */
static char *
put_bytes(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return (p + n);
}

/* Appends s to p padded with spaces to w bytes, on the left (printf's
 * "%-*s") or on the right ("%*s"); returns the end. */
static char *
put_field(char *p, const char *s, size_t w, int right)
{
	size_t	 n = strlen(s);

	if (right && n < w) {
		memset(p, ' ', w - n);
		p += w - n;
	}
	p = put_bytes(p, s, n);
	if (!right && n < w) {
		memset(p, ' ', w - n);
		p += w - n;
	}
	return (p);
}

/* segur_request_row_line() for any row: field by field. */
static size_t
row_line_any(const struct segur_request_row *r,
    char buf[SEGUR_REQUEST_LINE_BUFSZ])
{
	char		 b[SEGUR_AMOUNT_BUFSZ], *p = buf;
	const char	*s = segur_state_name(r->state);

	/* Every field is bounded by its array in the row: at most 65 + 17 +
	 * 11 + 32 + 6 + 64 + 24 bytes with separators, under the size. */
	p = put_field(p, r->ref, 20, 0);
	*p++ = ' ';
	p = put_field(p, s != NULL ? s : "?", 17, 0);
	*p++ = ' ';
	p = put_field(p, r->numero_ans, 10, 0);
	*p++ = ' ';
	p = put_field(p, r->montant_cents >= 0 ?
	    segur_amount_format(r->montant_cents, b) : "-", 12, 1);
	*p++ = ' ';
	p = put_field(p, r->numero_editeur[0] ? r->numero_editeur : "-", 5,
	    0);
	*p++ = ' ';
	p = put_field(p, r->numero_asp[0] ? r->numero_asp : "-", 20, 0);
	*p++ = ' ';
	p = put_field(p, r->updated_at, 0, 0);
	*p++ = '\n';
	*p = '\0';
	return ((size_t)(p - buf));
}

/* Where each field of a list line starts, when none overflows its width:
 * the amount is right-aligned and ends at LINE_AMOUNT_END. */
enum {
	LINE_REF = 0, LINE_STATE = 21, LINE_ANS = 39, LINE_AMOUNT_END = 62,
	LINE_EDITEUR = 63, LINE_ASP = 69, LINE_AT = 90
};

/* The fields of a list line, each as bytes and length: a row's, or read
 * straight from the list index (segur_ledger_request_lines()). */
struct line_fields {
	const char	*ref, *state, *ans, *ed, *asp, *at;
	size_t		 nref, nstate, nans, ned, nasp, nat;
	const char	*cents;		/* decimal digits, no leading zero */
	size_t		 ncents;	/* 0: no amount */
};

/*
 * The line of f into buf when every field fits its column (nearly every
 * row): blanks with each field copied at its place, the amount written
 * from its last digit. 0 if one does not fit: the caller takes the
 * general path.
 */
static size_t
line_place(const struct line_fields *f, char buf[SEGUR_REQUEST_LINE_BUFSZ])
{
	size_t	 i = LINE_AMOUNT_END, k = f->ncents;

	if (f->nref > 20 || f->nstate > 17 || f->nans > 10 || k > 11 ||
	    f->ned > 5 || f->nasp > 20 || f->nat > 23)
		return (0);
	memset(buf, ' ', LINE_AT);
	memcpy(buf + LINE_REF, f->ref, f->nref);
	memcpy(buf + LINE_STATE, f->state, f->nstate);
	memcpy(buf + LINE_ANS, f->ans, f->nans);
	if (k == 0)
		buf[--i] = '-';
	else {
		/* Cents, then the point, then the units ("0" if none). */
		buf[--i] = k > 0 ? f->cents[--k] : '0';
		buf[--i] = k > 0 ? f->cents[--k] : '0';
		buf[--i] = '.';
		if (k == 0)
			buf[--i] = '0';
		i -= k;
		memcpy(buf + i, f->cents, k);
	}
	if (f->ned > 0)
		memcpy(buf + LINE_EDITEUR, f->ed, f->ned);
	else
		buf[LINE_EDITEUR] = '-';
	if (f->nasp > 0)
		memcpy(buf + LINE_ASP, f->asp, f->nasp);
	else
		buf[LINE_ASP] = '-';
	if (f->nat > 0)
		memcpy(buf + LINE_AT, f->at, f->nat);
	buf[LINE_AT + f->nat] = '\n';
	buf[LINE_AT + f->nat + 1] = '\0';
	return (LINE_AT + f->nat + 1);
}

size_t
segur_request_row_line(const struct segur_request_row *r,
    char buf[SEGUR_REQUEST_LINE_BUFSZ])
{
	struct line_fields f;
	char		 digits[24], *d = digits + sizeof(digits);
	size_t		 n;
	uint64_t	 u = (uint64_t)r->montant_cents;

	if ((f.state = segur_state_name(r->state)) == NULL)
		return (row_line_any(r, buf));
	f.ref = r->ref;
	f.nref = strlen(r->ref);
	f.nstate = strlen(f.state);
	f.ans = r->numero_ans;
	f.nans = strlen(r->numero_ans);
	f.ed = r->numero_editeur;
	f.ned = strnlen(r->numero_editeur, sizeof(r->numero_editeur) - 1);
	f.asp = r->numero_asp;
	f.nasp = strlen(r->numero_asp);
	f.at = r->updated_at;
	f.nat = strlen(r->updated_at);
	/* The amount's digits, from the last (no amount: none). */
	f.ncents = 0;
	while (r->montant_cents >= 0 && (u > 0 || f.ncents == 0)) {
		*--d = (char)('0' + u % 10);
		f.ncents++;
		u /= 10;
	}
	f.cents = d;
	if ((n = line_place(&f, buf)) == 0)
		n = row_line_any(r, buf);
	return (n);
}

/*
 * The list's SQL for f into sql, and where its optional columns are into
 * c: each column a list reads costs it, so it reads only what it needs.
 */
static int
list_sql(const struct segur_request_filter *f, struct segur_buf *sql,
    struct row_cols *c)
{
	const char	*sep = " WHERE ";
	int		 n = 3, rc;

	/* Only fixed fragments go into the SQL; values are bound. */
	c->state = f->state < 0 ? n++ : -1;
	c->id = !f->line_only ? n : -1;
	rc = segur_buf_addf(sql, "SELECT " ROW_COLUMNS "%s%s FROM request r",
	    c->state >= 0 ? ", r.state" : "", c->id >= 0 ? ", r.id" : "");
	if (rc == 0 && f->state >= 0) {
		rc = segur_buf_addf(sql, "%sr.state = ?", sep);
		sep = " AND ";
	}
	if (rc == 0 && f->og != NULL) {
		rc = segur_buf_addf(sql, "%sr.id IN (SELECT request_id FROM "
		    "request_esms WHERE finess_juridique = ?)", sep);
		sep = " AND ";
	}
	if (rc == 0 && f->esms != NULL) {
		rc = segur_buf_addf(sql, "%sr.id IN (SELECT request_id FROM "
		    "request_esms WHERE finess_geo = ?)", sep);
		sep = " AND ";
	}
	if (rc == 0 && f->since != NULL)
		rc = segur_buf_addf(sql, "%sr.updated_at >= ?", sep);
	if (rc == 0)
		rc = segur_buf_adds(sql, " ORDER BY r.updated_at, r.id");
	if (rc == 0 && f->limit > 0)
		rc = segur_buf_adds(sql, " LIMIT ?");
	return (rc);
}

/* Binds f's values to st, in list_sql()'s order. */
static void
list_bind(sqlite3_stmt *st, const struct segur_request_filter *f)
{
	int	 i = 1;

	if (f->state >= 0)
		segur__bind_text(st, i++, segur_state_name(
		    (enum segur_state)f->state));
	if (f->og != NULL)
		segur__bind_text(st, i++, f->og);
	if (f->esms != NULL)
		segur__bind_text(st, i++, f->esms);
	if (f->since != NULL)
		segur__bind_text(st, i++, f->since);
	if (f->limit > 0)
		sqlite3_bind_int64(st, i++, f->limit > INT64_MAX ? INT64_MAX :
		    (int64_t)f->limit);
}

/* Where a list goes: rows to row_fn, or text lines to line_fn. */
struct list_to {
	int	(*row_fn)(void *arg, const struct segur_request_row *row);
	int	(*line_fn)(void *arg, const char *line, size_t len);
	void	 *arg;
};

/*
 * The text line of the row at st, whose list_row is w, into buf, of the
 * software's numeroAns ans: placed from the index's bytes as they are
 * when every field fits its column, else through row, as
 * segur_request_row_line() does (row is the caller's, kept from row to
 * row); returns its length.
 */
static size_t
index_line(sqlite3_stmt *st, const struct row_cols *c, int state,
    const struct list_row_view *w, const char *ans,
    struct segur_request_row *row, char buf[SEGUR_REQUEST_LINE_BUFSZ])
{
	struct line_fields lf;
	size_t		 n;

	row->state = (enum segur_state)row_state(st, c, state, row->state);
	lf.state = segur_state_name(row->state);
	lf.nstate = lf.state != NULL ? strlen(lf.state) : 0;
	lf.ref = w->ref;
	lf.nref = w->nref;
	lf.ans = ans;
	lf.nans = strlen(ans);
	lf.cents = w->digits;
	lf.ncents = w->ndigits;
	lf.ed = w->ed;
	lf.ned = w->ned;
	lf.asp = sqlite3_column_blob(st, 1);
	lf.nasp = (size_t)sqlite3_column_bytes(st, 1);
	lf.at = sqlite3_column_blob(st, 2);
	lf.nat = (size_t)sqlite3_column_bytes(st, 2);
	if (lf.state != NULL && (n = line_place(&lf, buf)) > 0)
		return (n);
	request_row(st, c, state, w, row);
	memcpy(row->numero_ans, ans, sizeof(row->numero_ans));
	return (segur_request_row_line(row, buf));
}

/* Steps st and hands each row to o; the end of list_run(). */
static int
list_rows(struct segur_ledger *l, sqlite3_stmt *st, const struct row_cols *c,
    const struct segur_request_filter *f, struct ans_map *map,
    const struct list_to *o, char **cause)
{
	struct segur_request_row row;
	struct list_row_view w;
	const char	*ans, *prev = NULL;
	char		 line[SEGUR_REQUEST_LINE_BUFSZ];
	int		 rc, ret = 0;

	memset(&row, 0, sizeof(row));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (list_row_view(st, &w) != 0) {
			ret = segur_cause(cause, SEGUR_EDB, "%s: a request's "
			    "list_row is not one (a damaged database)",
			    l->path);
			break;
		}
		/* A request of no software known is left out, as a JOIN
		 * would (a foreign key makes that never happen). */
		if ((ans = ans_map_get(map, w.software_id)) == NULL)
			continue;
		if (o->line_fn != NULL)
			ret = o->line_fn(o->arg, line, index_line(st, c,
			    f->state, &w, ans, &row, line));
		else {
			request_row(st, c, f->state, &w, &row);
			/* Nearly every row is the previous one's software. */
			if (ans != prev)
				memcpy(row.numero_ans, ans,
				    sizeof(row.numero_ans));
			prev = ans;
			ret = o->row_fn(o->arg, &row);
		}
		if (ret != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = segur__db_error(l, cause, "list the requests");
	return (ret);
}

/* segur_ledger_request_list() and segur_ledger_request_lines(). */
static int
list_run(struct segur_ledger *l, const struct segur_request_filter *f,
    const struct list_to *o, char **cause)
{
	struct segur_buf sql = SEGUR_BUF_INIT;
	struct row_cols	 c;
	struct ans_map	 map;
	sqlite3_stmt	*st = NULL;
	int		 rc, own = sqlite3_get_autocommit(l->db);

	/* One read transaction: the software read and the rows agree. */
	if (own && (rc = segur__exec(l, "BEGIN", cause)) != 0)
		return (rc);
	memset(&map, 0, sizeof(map));
	if ((rc = ans_map_load(l, &map, cause)) != 0)
		goto done;
	if (list_sql(f, &sql, &c) != 0) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "out of memory");
		goto done;
	}
	if (sqlite3_prepare_v2(l->db, sql.data, -1, &st, NULL) != SQLITE_OK) {
		rc = segur__db_error(l, cause, "list the requests");
		goto done;
	}
	list_bind(st, f);
	rc = list_rows(l, st, &c, f, &map, o, cause);
done:
	sqlite3_finalize(st);
	segur_buf_release(&sql);
	free(map.v);
	if (own)
		sqlite3_exec(l->db, "COMMIT", NULL, NULL, NULL);
	return (rc);
}

int
segur_ledger_request_list(struct segur_ledger *l,
    const struct segur_request_filter *f,
    int (*fn)(void *arg, const struct segur_request_row *row), void *arg,
    char **cause)
{
	struct list_to	 o = { fn, NULL, arg };

	return (list_run(l, f, &o, cause));
}

int
segur_ledger_request_lines(struct segur_ledger *l,
    const struct segur_request_filter *f,
    int (*fn)(void *arg, const char *line, size_t len), void *arg,
    char **cause)
{
	struct segur_request_filter lf = *f;
	struct list_to	 o = { NULL, fn, arg };

	lf.line_only = 1;
	return (list_run(l, &lf, &o, cause));
}

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
		return (segur_cause(cause, SEGUR_ENOMEM, "out of memory"));
	if ((rc = segur__stmt(l, sql, &st, cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, param);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((it = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(arr, it)) {
			cJSON_Delete(it);
			sqlite3_reset(st);
			return (segur_cause(cause, SEGUR_ENOMEM,
			    "out of memory"));
		}
		for (c = 0; c < ncol; c++) {
			if ((c == amount_col ? add_amount(it, names[c], st,
			    c) : add_col(it, names[c], st, c)) != 0) {
				sqlite3_reset(st);
				return (segur_cause(cause, SEGUR_ENOMEM,
				    "out of memory"));
			}
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(l, cause, "read the request"));
	return (0);
}

/* The request id for a reference, numeroEditeur or numeroASP. */
static int
find_any(struct segur_ledger *l, const char *key, int64_t *id, char **cause)
{
	static const char *const q =
	    "SELECT id FROM request WHERE ref = ?1 UNION ALL "
	    "SELECT request_id FROM attempt WHERE numero_editeur = ?1 "
	    "UNION ALL SELECT id FROM request WHERE numero_asp = ?1 "
	    "UNION ALL SELECT request_id FROM attempt WHERE numero_asp = ?1 "
	    "LIMIT 1";
	sqlite3_stmt	*st;
	int		 rc;

	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return (0);
	if (rc != SQLITE_DONE)
		return (segur__db_error(l, cause, "find the request"));
	return (segur_cause(cause, SEGUR_ENOENT, "aucune demande sous la "
	    "référence, le numeroEditeur ou le numéro ASP « %s »", key));
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
	    "a.created_at, a.answered_at FROM attempt a "
	    "LEFT JOIN file f ON f.id = a.file_id WHERE a.request_id = ? "
	    "ORDER BY a.seq";
	static const char *const att_names[] = { "attempt", "numeroEditeur",
	    "file", "numLigne", "outcome", "codeTraitement",
	    "libelleTraitement", "numeroASP", "createdAt", "answeredAt" };
	static const char *const q_dec =
	    "SELECT kind, date, amount_cents, letter_ref, note, recorded_at "
	    "FROM decision WHERE request_id = ? ORDER BY id";
	static const char *const dec_names[] = { "kind", "date", "amount",
	    "letterRef", "note", "recordedAt" };
	sqlite3_stmt	*st;
	cJSON		*o, *content;
	int64_t		 id = 0;
	int		 rc, c;

	*out = NULL;
	if ((rc = find_any(l, key, &id, cause)) != 0)
		return (rc);
	if ((o = cJSON_CreateObject()) == NULL)
		return (segur_cause(cause, SEGUR_ENOMEM, "out of memory"));
	if ((rc = segur__stmt(l, q_req, &st, cause)) != 0)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		rc = segur__db_error(l, cause, "read the request");
		goto fail;
	}
	for (c = 0; c < 11; c++) {
		if ((c == 4 ? add_amount(o, req_names[c], st, c) :
		    add_col(o, req_names[c], st, c)) != 0) {
			sqlite3_reset(st);
			rc = segur_cause(cause, SEGUR_ENOMEM, "out of memory");
			goto fail;
		}
	}
	content = cJSON_Parse((const char *)sqlite3_column_text(st, 11));
	sqlite3_reset(st);
	if (content == NULL) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "out of memory");
		goto fail;
	}
	cJSON_AddItemToObject(o, "content", content);
	if ((rc = add_rows(l, o, "esms", q_esms, id, esms_names, 2, -1,
	    cause)) != 0 ||
	    (rc = add_rows(l, o, "documents", q_docs, id, doc_names, 6, -1,
	    cause)) != 0 ||
	    (rc = add_rows(l, o, "attempts", q_att, id, att_names, 10, -1,
	    cause)) != 0 ||
	    (rc = add_rows(l, o, "decisions", q_dec, id, dec_names, 6, 2,
	    cause)) != 0)
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
		    "out of memory") : segur__db_error(l, cause,
		    "read the history"));
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
	struct segur_request_filter f = { -1, NULL, NULL, NULL, 0, 0 };
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
		rc = segur__db_error(l, cause, "read the totals");
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
			segur_cause(cause, rc, "out of memory");
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
	st->rejected = st->accepted = st->advance_paid = NULL;
	st->nrejected = st->naccepted = st->nadvance_paid = 0;
}
