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
		return (segur_cause(cause, SEGUR_EIO, "rename %s: %s", tmp,
		    strerror(errno)));
	return (segur_fsync_dir(path, cause));
}

/* ------------------------------------------------------------------ */
/* Writing. */

struct bundle {
	struct segur_ledger		*l;
	const struct segur_archive	*a;
	zip_t				*za;
	char				*top;	/* owned; the folder */
	struct segur_buf		 manifest;
	char				**cause;
	/* The files sent and received, each stored once under fichiers/
	 * (a file of 200 lines answers for 200 requests). */
	struct shared {
		char	*path;		/* owned, inside the folder */
		char	 sha[65];
	}				*shared;
	size_t				 nshared;
	struct segur_buf		 list;	/* the request's fichiers.txt */
};

/* The path a shared file already has, or NULL. */
static const char *
shared_find(const struct bundle *b, const char *path, const char *sha,
    int *clash)
{
	size_t	 i;

	*clash = 0;
	for (i = 0; i < b->nshared; i++) {
		if (strcmp(b->shared[i].path, path) != 0)
			continue;
		if (strcmp(b->shared[i].sha, sha) == 0)
			return (b->shared[i].path);
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
		return (segur_cause(b->cause, SEGUR_ENOMEM, "out of memory"));
	}
	idx = zip_file_add(b->za, full, src, ZIP_FL_ENC_UTF_8);
	free(full);
	if (idx < 0) {
		zip_source_free(src);
		return (segur_cause(b->cause, SEGUR_EIO, "zip %s: %s", name,
		    zip_error_strerror(zip_get_error(b->za))));
	}
	if (segur_buf_addf(&b->manifest, "%s  %s\n", sha, name) != 0)
		return (segur_cause(b->cause, SEGUR_ENOMEM, "out of memory"));
	return (0);
}

/* Adds data[0..len) (copied) as top/name. */
static int
add_data(struct bundle *b, const char *name, const void *data, size_t len)
{
	zip_source_t	*src;
	char		 sha[65];
	void		*copy;

	segur_sha256_hex(data, len, sha);
	if ((copy = malloc(len > 0 ? len : 1)) == NULL)
		return (segur_cause(b->cause, SEGUR_ENOMEM, "out of memory"));
	memcpy(copy, data, len);
	if ((src = zip_source_buffer(b->za, copy, len, 1)) == NULL) {
		free(copy);
		return (segur_cause(b->cause, SEGUR_ENOMEM, "out of memory"));
	}
	return (add_source(b, name, src, sha));
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
		return (segur_cause(b->cause, SEGUR_ENOMEM, "out of memory"));
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
 * Adds every archived object the query lists for request id (column 0 its
 * name, 1 its hash) under dir by its name. With what (a label), the
 * objects are shared: stored once however many requests list them (a
 * name already taken by other content gets its hash's start), and listed
 * in the request's fichiers.txt.
 */
static int
add_objects(struct bundle *b, const char *sql, int64_t id, const char *dir,
    const char *what)
{
	struct shared	*ns;
	sqlite3_stmt	*st;
	char		*name = NULL, *safe = NULL;
	const char	*n, *sha, *have = NULL;
	int		 rc, clash = 0;

	if (sqlite3_prepare_v2(b->l->db, sql, -1, &st, NULL) != SQLITE_OK)
		return (segur__db_error(b->l, b->cause, "read the files"));
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n = (const char *)sqlite3_column_text(st, 0);
		sha = (const char *)sqlite3_column_text(st, 1);
		if (n == NULL || sha == NULL)
			continue;
		if ((safe = safe_name(n)) == NULL ||
		    (name = segur_asprintf("%s/%s", dir, safe)) == NULL)
			goto oom;
		if (what != NULL && (have = shared_find(b, name, sha,
		    &clash)) == NULL && clash) {
			free(name);
			if ((name = segur_asprintf("%s/%.12s-%s", dir, sha,
			    safe)) == NULL)
				goto oom;
			have = shared_find(b, name, sha, &clash);
		}
		free(safe);
		safe = NULL;
		if (have == NULL && (rc = add_archived(b, name, sha)) != 0)
			goto fail;
		if (what != NULL && have == NULL) {
			if ((ns = realloc(b->shared, (b->nshared + 1) *
			    sizeof(*ns))) == NULL)
				goto oom;
			b->shared = ns;
			ns[b->nshared].path = name;
			snprintf(ns[b->nshared++].sha, 65, "%s", sha);
			have = name;
			name = NULL;
		}
		if (what != NULL && segur_buf_addf(&b->list, "%s  %s  %s\n",
		    what, sha, have) != 0)
			goto oom;
		free(name);
		name = NULL;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(b->l, b->cause, "read the files"));
	return (0);
oom:
	rc = segur_cause(b->cause, SEGUR_ENOMEM, "out of memory");
fail:
	free(safe);
	free(name);
	sqlite3_finalize(st);
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
		return (segur_cause(b->cause, SEGUR_ENOMEM, "out of memory"));
	/* A reference that needed changing gets its id: two references that
	 * differ only by such characters never share a folder. */
	dir = strcmp(safe, ref) == 0 ? segur_asprintf("demandes/%s", safe) :
	    segur_asprintf("demandes/%s-%" PRId64, safe, id);
	free(safe);
	if (dir == NULL)
		return (segur_cause(b->cause, SEGUR_ENOMEM, "out of memory"));
	if ((rc = segur_ledger_request_history(b->l, ref, &ev, &n,
	    b->cause)) != 0)
		goto out;
	rc = SEGUR_ENOMEM;
	if (history_json(ev, n, &text) != 0 ||
	    (name = segur_asprintf("%s/historique.json", dir)) == NULL) {
		segur_cause(b->cause, rc, "out of memory");
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
		segur_cause(b->cause, rc, "out of memory");
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
		segur_cause(b->cause, rc, "out of memory");
		goto out;
	}
	if ((rc = add_data(b, name, text, strlen(text))) != 0)
		goto out;
	free(name);
	name = NULL;
	b->list.len = 0;
	if ((rc = add_objects(b, "SELECT DISTINCT f.name, f.sha256 FROM "
	    "attempt a JOIN file f ON f.id = a.file_id WHERE a.request_id = ? "
	    "ORDER BY f.id", id, "fichiers/envoyes", "envoyé")) != 0 ||
	    (rc = add_objects(b, "SELECT DISTINCT f.name, f.sha256 FROM "
	    "attempt a JOIN file f ON f.id = a.answer_file_id "
	    "WHERE a.request_id = ? ORDER BY f.id", id, "fichiers/recus",
	    "reçu")) != 0)
		goto out;
	if (b->list.len > 0) {
		if ((name = segur_asprintf("%s/fichiers.txt", dir)) == NULL)
			goto oom;
		if ((rc = add_data(b, name, b->list.data, b->list.len)) != 0)
			goto out;
		free(name);
		name = NULL;
	}
	if ((name = segur_asprintf("%s/pieces", dir)) == NULL)
		goto oom;
	rc = add_objects(b, "SELECT d.nom_fichier, d.sha256 FROM "
	    "attempt_document d JOIN attempt a ON a.id = d.attempt_id "
	    "WHERE a.request_id = ? ORDER BY a.seq, d.nom_fichier", id, name,
	    NULL);
	goto out;
oom:
	rc = segur_cause(b->cause, SEGUR_ENOMEM, "out of memory");
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
			    "out of memory"));
	}
	if (!sel->all && sel->og == NULL)
		return (0);
	if (sqlite3_prepare_v2(l->db, "SELECT id, ref FROM request r WHERE ?1 "
	    "IS NULL OR EXISTS (SELECT 1 FROM request_esms e WHERE "
	    "e.request_id = r.id AND e.finess_juridique = ?1) ORDER BY id",
	    -1, &st, NULL) != SQLITE_OK)
		return (segur__db_error(l, cause, "select the requests"));
	segur__bind_text(st, 1, sel->all ? NULL : sel->og);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (select_add(s, sqlite3_column_int64(st, 0),
		    (const char *)sqlite3_column_text(st, 1)) != 0) {
			sqlite3_finalize(st);
			return (segur_cause(cause, SEGUR_ENOMEM,
			    "out of memory"));
		}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(l, cause, "select the requests"));
	if (s->n == 0)
		return (segur_cause(cause, SEGUR_ENOENT, "aucune demande pour "
		    "l'OG %s", sel->og != NULL ? sel->og : "(tous)"));
	return (0);
}

static const char readme[] =
    "Dossier de preuves segur-ledger\n"
    "================================\n\n"
    "Chaque demande a son dossier sous demandes/ : historique.json et\n"
    "historique.html (les événements du journal, chaînés par SHA-256),\n"
    "demande.json (son état), fichiers.txt (les fichiers JSON envoyés à\n"
    "l'ASP et reçus d'elle pour cette demande, avec leur SHA-256),\n"
    "pieces/ (les pièces justificatives telles qu'archivées à la\n"
    "construction). Les fichiers JSON eux-mêmes, à l'octet près, sont\n"
    "sous fichiers/envoyes/ et fichiers/recus/, une fois chacun.\n\n"
    "HEAD.json donne la tête de la chaîne d'événements au moment de\n"
    "l'extraction (empreinte, nombre d'événements, date ; sceau HMAC\n"
    "quand une clé est configurée).\n\n"
    "Vérifier que rien n'a changé :\n"
    "  segurctl audit verify-bundle CE_FICHIER.zip\n"
    "ou, sans segurctl, dans ce dossier :\n"
    "  sha256sum -c MANIFEST.sha256\n";

int
segur_audit_bundle(struct segur_ledger *l, const struct segur_archive *a,
    const struct segur_bundle_sel *sel, const struct segur_chain_head *h,
    const struct segur_audit_key *key, const char *path, size_t *nreq,
    char **cause)
{
	struct selection s = { NULL, NULL, 0 };
	struct bundle	 b;
	zip_source_t	*src;
	unsigned char	 mac[EVP_MAX_MD_SIZE];
	unsigned int	 maclen = 0, j;
	char		 stamp[24], hex[66], *tmp = NULL, *text = NULL, *full;
	cJSON		*hj;
	size_t		 i;
	int		 rc, zrc;

	memset(&b, 0, sizeof(b));
	b.l = l;
	b.a = a;
	b.cause = cause;
	*nreq = 0;
	if ((rc = select_requests(l, sel, &s, cause)) != 0)
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
		rc = segur_cause(cause, SEGUR_ENOMEM, "out of memory");
		goto out;
	}
	unlink(tmp);
	if ((b.za = zip_open(tmp, ZIP_CREATE | ZIP_EXCL, &zrc)) == NULL) {
		rc = segur_cause(cause, SEGUR_EIO, "%s: cannot create (libzip "
		    "error %d)", tmp, zrc);
		goto out;
	}
	if ((hj = segur_audit_head_json(h)) == NULL ||
	    (text = cJSON_Print(hj)) == NULL) {
		cJSON_Delete(hj);
		rc = segur_cause(cause, SEGUR_ENOMEM, "out of memory");
		goto out;
	}
	cJSON_Delete(hj);
	if ((rc = add_data(&b, HEAD_FILE, text, strlen(text))) != 0 ||
	    (rc = add_data(&b, "LISEZMOI.txt", readme, strlen(readme))) != 0)
		goto out;
	for (i = 0; i < s.n; i++)
		if ((rc = add_request(&b, s.ids[i], s.refs[i], h)) != 0)
			goto out;
	/* The manifest lists every file but itself and its seal. */
	if ((full = segur_asprintf("%s/%s", b.top, MANIFEST)) == NULL ||
	    (src = zip_source_buffer(b.za, b.manifest.data, b.manifest.len,
	    0)) == NULL || zip_file_add(b.za, full, src, ZIP_FL_ENC_UTF_8) <
	    0) {
		free(full);
		rc = segur_cause(cause, SEGUR_EIO, "zip the manifest: %s",
		    zip_error_strerror(zip_get_error(b.za)));
		goto out;
	}
	free(full);
	if (key != NULL) {
		if (HMAC(EVP_sha256(), key->bytes, (int)key->len,
		    (const unsigned char *)b.manifest.data, b.manifest.len,
		    mac, &maclen) == NULL) {
			rc = segur_cause(cause, SEGUR_EIO, "HMAC failed");
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
			rc = segur_cause(cause, SEGUR_EIO, "zip the seal");
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
	if (b.za != NULL) {
		zip_discard(b.za);
		unlink(tmp);
	} else if (rc != 0 && tmp != NULL)
		unlink(tmp);
	select_release(&s);
	segur_buf_release(&b.manifest);
	segur_buf_release(&b.list);
	for (i = 0; i < b.nshared; i++)
		free(b.shared[i].path);
	free(b.shared);
	free(b.top);
	free(text);
	free(tmp);
	return (rc);
}

/* ------------------------------------------------------------------ */
/* Verifying. */

/* Reads a whole entry (at most META_MAX bytes) into *out (NUL-ended). */
static int
entry_read(zip_t *za, zip_uint64_t idx, char **out, size_t *len)
{
	zip_stat_t	 zs;
	zip_file_t	*zf;
	zip_int64_t	 r;
	char		*p;

	*out = NULL;
	if (zip_stat_index(za, idx, 0, &zs) != 0 || !(zs.valid &
	    ZIP_STAT_SIZE) || zs.size > META_MAX)
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
	size_t		 manlen = 0, sealen, toplen, nlines = 0, k;
	int		 zrc, rc = 0;

	*nfiles = 0;
	memset(&h, 0, sizeof(h));
	if ((za = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &zrc)) == NULL)
		return (segur_cause(cause, SEGUR_EINVAL, "%s: not a readable "
		    "zip (libzip error %d)", path, zrc));
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
		return (segur_cause(cause, SEGUR_EINVAL, "%s: no %s in the "
		    "bundle's folder: not a segurctl evidence bundle", path,
		    MANIFEST));
	}
	toplen = strlen(top);
	rc = entry_read(za, i, &man, &manlen);
	if (rc != 0) {
		rc = segur_cause(cause, rc, "%s: cannot read %s", path,
		    MANIFEST);
		goto out;
	}
	/* listed[i]: entry i appears in the manifest. */
	if ((listed = calloc((size_t)nent + 1, 1)) == NULL) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "out of memory");
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
		if ((full = segur_asprintf("%s/%s", top, rel)) == NULL) {
			rc = segur_cause(cause, SEGUR_ENOMEM, "out of memory");
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
			if (entry_read(za, (zip_uint64_t)idx, &seal,
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
			if (entry_read(za, i, &seal, &sealen) != 0 ||
			    sealen < 64) {
				finding(&v, MANIFEST_HMAC, "illisible");
				continue;
			}
			continue;
		}
		finding(&v, name, "présent dans le zip mais absent du "
		    "manifeste");
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
		else if (entry_read(za, i, &man, &manlen) != 0 ||
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
	free(listed);
	free(seal);
	free(man);
	free(top);
	return (rc);
}
