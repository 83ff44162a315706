/*
 * audit.c: the chain head that leaves the database, its HMAC seal, the
 * proof that the ledger extends a published head, and the archive checked
 * against the ledger (audit.h).
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "segur/archive.h"
#include "segur/audit.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "ledger/ledger-int.h"

#define ZERO_HASH \
	"0000000000000000000000000000000000000000000000000000000000000000"

/* A key file is a secret, never a document: 4 KiB is plenty. */
#define KEY_MAX		4096

int
segur_audit_key_load(const char *path, struct segur_audit_key *k,
    char **cause)
{
	char	*data = NULL;
	size_t	 len = 0;
	int	 rc;

	memset(k, 0, sizeof(*k));
	if ((rc = segur_read_file(path, KEY_MAX, &data, &len, cause)) != 0)
		return (rc == SEGUR_ETOOBIG ? segur_cause(cause, SEGUR_EINVAL,
		    "%s: un fichier de clé tient en %d "
		    "octets au plus", path, KEY_MAX) :
		    rc);
	if (len > 0 && data[len - 1] == '\n')
		len--;
	if (len > 0 && data[len - 1] == '\r')
		len--;
	if (len < SEGUR_AUDIT_KEY_MIN) {
		free(data);
		return (segur_cause(cause, SEGUR_EINVAL, "%s: une clé a au "
		    "moins %d octets (par exemple head -c 32 /dev/urandom | "
		    "base64)", path, SEGUR_AUDIT_KEY_MIN));
	}
	k->bytes = (unsigned char *)data;
	k->len = len;
	return (0);
}

void
segur_audit_key_release(struct segur_audit_key *k)
{
	if (k->bytes != NULL) {
		OPENSSL_cleanse(k->bytes, k->len);
		free(k->bytes);
	}
	k->bytes = NULL;
	k->len = 0;
}

int
segur_audit_seal(const struct segur_audit_key *key,
    const struct segur_chain_head *h, char out[65])
{
	unsigned char	 mac[EVP_MAX_MD_SIZE];
	unsigned int	 maclen = 0;
	char		*text;
	unsigned	 i;

	out[0] = '\0';
	if (key->len > INT32_MAX)
		return (SEGUR_EINVAL);
	if ((text = segur_asprintf("%s\n%s\n%" PRId64 "\n%s\n",
	    SEGUR_AUDIT_SEAL_TAG, h->hash, h->events, h->at)) == NULL)
		return (SEGUR_ENOMEM);
	if (HMAC(EVP_sha256(), key->bytes, (int)key->len,
	    (const unsigned char *)text, strlen(text), mac, &maclen) == NULL ||
	    maclen != 32) {
		free(text);
		return (SEGUR_EIO);
	}
	free(text);
	for (i = 0; i < maclen; i++)
		snprintf(out + 2 * i, 3, "%02x", mac[i]);
	return (0);
}

int
segur_audit_seal_check(const struct segur_audit_key *key,
    const struct segur_chain_head *h, const char *seal)
{
	char	 want[65], got[65];
	size_t	 i;

	if (seal == NULL || strlen(seal) != 64)
		return (SEGUR_ECORRUPT);
	for (i = 0; i < 64; i++)
		got[i] = (char)tolower((unsigned char)seal[i]);
	got[64] = '\0';
	if (segur_audit_seal(key, h, want) != 0)
		return (SEGUR_ECORRUPT);
	return (CRYPTO_memcmp(want, got, 64) == 0 ? 0 : SEGUR_ECORRUPT);
}

/* Fills h from the event with that hash (the last one when NULL). */
static int
head_read(struct segur_ledger *l, const char *hash,
    struct segur_chain_head *h, char **cause)
{
	static const char *const q_last =
	    "SELECT id, hash, at FROM event ORDER BY id DESC LIMIT 1";
	static const char *const q_hash =
	    "SELECT id, hash, at FROM event WHERE hash = ? ORDER BY id "
	    "LIMIT 1";
	sqlite3_stmt	*st;
	const char	*s;
	int		 rc;

	memset(h, 0, sizeof(*h));
	snprintf(h->hash, sizeof(h->hash), "%s", ZERO_HASH);
	if ((rc = segur__stmt(l, hash != NULL ? q_hash : q_last, &st,
	    cause)) != 0)
		return (rc);
	if (hash != NULL && segur__bind_text(st, 1, hash) != SQLITE_OK) {
		sqlite3_reset(st);
		return (segur__db_error(l, cause,
		    "lecture de la tête de chaîne"));
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		h->events = sqlite3_column_int64(st, 0);
		if ((s = (const char *)sqlite3_column_text(st, 1)) != NULL)
			snprintf(h->hash, sizeof(h->hash), "%s", s);
		if ((s = (const char *)sqlite3_column_text(st, 2)) != NULL)
			snprintf(h->at, sizeof(h->at), "%s", s);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE && hash != NULL)
		return (segur_cause(cause, SEGUR_ENOENT, "aucun événement de "
		    "ce registre n'a l'empreinte %s : le registre ne prolonge "
		    "pas cette tête", hash));
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (segur__db_error(l, cause,
		    "lecture de la tête de chaîne"));
	return (0);
}

int
segur_audit_head(struct segur_ledger *l, const struct segur_audit_key *key,
    struct segur_chain_head *h, char **cause)
{
	int	 rc;

	if ((rc = head_read(l, NULL, h, cause)) != 0)
		return (rc);
	if (key != NULL && (rc = segur_audit_seal(key, h, h->seal)) != 0)
		return (segur_cause(cause, rc, "impossible de sceller la tête "
		    "de chaîne"));
	return (0);
}

struct cJSON *
segur_audit_head_json(const struct segur_chain_head *h)
{
	cJSON	*o;

	if ((o = cJSON_CreateObject()) == NULL)
		return (NULL);
	if (cJSON_AddStringToObject(o, "hash", h->hash) == NULL ||
	    cJSON_AddNumberToObject(o, "events", (double)h->events) == NULL ||
	    cJSON_AddStringToObject(o, "at", h->at) == NULL ||
	    (h->seal[0] != '\0' && cJSON_AddStringToObject(o, "seal",
	    h->seal) == NULL)) {
		cJSON_Delete(o);
		return (NULL);
	}
	return (o);
}

int
segur_audit_verify_head(struct segur_ledger *l, const char *hash,
    struct segur_chain_head *found, struct segur_chain_head *current,
    char **cause)
{
	struct segur_audit a;
	size_t		 i;
	int		 rc;

	if (strlen(hash) != 64 || strspn(hash, "0123456789abcdef") != 64)
		return (segur_cause(cause, SEGUR_EINVAL, "« %s » n'est pas une "
		    "tête de chaîne (64 chiffres hexadécimaux en minuscules)",
		    hash));
	rc = segur_ledger_audit_verify(l, &a, cause);
	segur_audit_release(&a);
	if (rc != 0)
		return (rc);
	if ((rc = head_read(l, hash, found, cause)) != 0)
		return (rc);
	for (i = 0; i < sizeof(found->seal); i++)
		found->seal[i] = '\0';
	if (current != NULL && (rc = head_read(l, NULL, current,
	    cause)) != 0)
		return (rc);
	return (0);
}

/* What refers to an archive object, for a finding: the files and the
 * documents with that hash. */
static int
archive_what(struct segur_ledger *l, const char *sha, struct segur_buf *b,
    char **cause)
{
	static const char *const q =
	    "SELECT 'fichier ' || name FROM file WHERE sha256 = ?1 "
	    "UNION ALL SELECT DISTINCT 'pièce ' || nom_fichier "
	    "FROM attempt_document WHERE sha256 = ?1 "
	    "UNION ALL SELECT DISTINCT 'document ' || path FROM document "
	    "WHERE sha256 = ?1";
	sqlite3_stmt	*st;
	int		 rc;

	b->len = 0;
	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		return (rc);
	if (segur__bind_text(st, 1, sha) != SQLITE_OK) {
		sqlite3_reset(st);
		return (segur__db_error(l, cause, "lecture de l'archive"));
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (segur_buf_addf(b, "%s%s", b->len > 0 ? ", " : "",
		    (const char *)sqlite3_column_text(st, 0)) != 0) {
			sqlite3_reset(st);
			return (segur_cause(cause, SEGUR_ENOMEM,
			    "mémoire épuisée"));
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(l, cause, "lecture de l'archive"));
	if (segur_buf_add(b, "", 1) != 0)
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	return (0);
}

int
segur_audit_archive_verify(struct segur_ledger *l,
    const struct segur_archive *a,
    int (*fn)(void *arg, const char *sha256, int problem, const char *what),
    void *arg, struct segur_archive_report *r, char **cause)
{
	struct segur_buf what = SEGUR_BUF_INIT;
	sqlite3_stmt	*st;
	char		 sha[65], *why = NULL;
	const char	*s;
	int		 rc, vrc;

	memset(r, 0, sizeof(*r));
	/* A statement of its own: archive_what() uses the cache while this
	 * one walks. */
	if (sqlite3_prepare_v2(l->db, "SELECT sha256 FROM archive ORDER BY "
	    "sha256", -1, &st, NULL) != SQLITE_OK)
		return (segur__db_error(l, cause, "lecture de l'archive"));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		s = (const char *)sqlite3_column_text(st, 0);
		snprintf(sha, sizeof(sha), "%s", s != NULL ? s : "");
		r->objects++;
		vrc = segur_archive_verify(a, sha, &why);
		free(why);
		why = NULL;
		if (vrc == 0)
			continue;
		if (vrc != SEGUR_ENOENT && vrc != SEGUR_ECORRUPT) {
			sqlite3_finalize(st);
			segur_buf_release(&what);
			return (segur_cause(cause, vrc, "impossible de "
			    "vérifier l'objet d'archive %s", sha));
		}
		if (vrc == SEGUR_ENOENT)
			r->missing++;
		else
			r->altered++;
		if ((rc = archive_what(l, sha, &what, cause)) != 0 ||
		    (fn != NULL && (rc = fn(arg, sha, vrc, what.data)) != 0)) {
			sqlite3_finalize(st);
			segur_buf_release(&what);
			return (rc);
		}
	}
	sqlite3_finalize(st);
	segur_buf_release(&what);
	if (rc != SQLITE_DONE)
		return (segur__db_error(l, cause, "lecture de l'archive"));
	return (0);
}
