/*
 * console.c: segurd's console (console.h): routes, strict decoding of the
 * address, and the evidence bundle built on the thread pool.
 *
 * Pages are made on the loop thread with the providers' read-only ledger
 * handle (d->ledger): each reads one bounded page (include/segur/
 * console.h). The bundle is not bounded (the ledger check walks every
 * event, libzip reads every file), so it runs in uv_queue_work with a
 * ledger handle of its own, one bundle at a time, and its answer is
 * deferred (segurd_http_finish()).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <uv.h>

#include "segur/archive.h"
#include "segur/audit.h"
#include "segur/console.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"
#include "console.h"
#include "log.h"
#include "segurd.h"

/* The largest bundle sent: a request's files and documents (each
 * document at most 3 MiB) are far below it. */
#define BUNDLE_MAX	((size_t)256 * 1024 * 1024)

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

long
segurd_console_decode(const char *s, size_t n, int plus, char *out)
{
	size_t	 i, j = 0;
	int	 hi, lo, c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '%') {
			if (i + 2 >= n)
				return (-1);
			if ((hi = hexval((unsigned char)s[i + 1])) < 0 ||
			    (lo = hexval((unsigned char)s[i + 2])) < 0)
				return (-1);
			c = hi * 16 + lo;
			i += 2;
		} else if (c == '+' && plus)
			c = ' ';
		if (c < 0x20 || c == 0x7f)
			return (-1);
		out[j++] = (char)c;
	}
	out[j] = '\0';
	return ((long)j);
}

/* An answer made of b (taken), with status and content type. */
static int
answer(struct segurd_http_response *resp, int status, const char *ctype,
    struct segur_buf *b)
{
	resp->status = status;
	resp->content_type = ctype;
	resp->len = b->len;
	if ((resp->body = segur_buf_detach(b)) == NULL && resp->len > 0)
		return (SEGUR_ENOMEM);
	return (0);
}

/* A refusal: an HTML page, or {"error": ...} for the API. */
static int
refuse(struct segurd_http_response *resp, int json, int status,
    const char *msg)
{
	struct segur_buf b = SEGUR_BUF_INIT;
	cJSON	*o;
	char	*text = NULL;
	int	 rc;

	if (!json) {
		if ((rc = segur_console_error(status, msg, &b)) != 0) {
			segur_buf_release(&b);
			return (rc);
		}
		return (answer(resp, status, "text/html; charset=utf-8", &b));
	}
	if ((o = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(o, "error", msg) == NULL ||
	    (text = cJSON_PrintUnformatted(o)) == NULL ||
	    segur_buf_addf(&b, "%s\n", text) != 0) {
		cJSON_Delete(o);
		cJSON_free(text);
		segur_buf_release(&b);
		return (SEGUR_ENOMEM);
	}
	cJSON_Delete(o);
	cJSON_free(text);
	return (answer(resp, status, "application/json", &b));
}

/* What went wrong in the library, as an answer: 404 for what the ledger
 * does not know, else 500 (logged). */
static int
failed(struct segurd_http_response *resp, int json, const char *path, int rc,
    char *cause)
{
	int	 ret;

	if (rc == SEGUR_ENOENT)
		ret = refuse(resp, json, 404, cause != NULL ? cause :
		    "inconnu");
	else {
		log_warnx("http : %s : %s", path, cause != NULL ? cause :
		    segur_strerror(rc));
		ret = refuse(resp, json, 500, "erreur interne ; voir le "
		    "journal de segurd");
	}
	free(cause);
	return (ret);
}

/* Parses a count parameter into *v within [lo, hi]; -1 if not one. */
static int
parse_count(const char *s, size_t lo, size_t hi, size_t *v)
{
	unsigned long long n;
	char	*end;

	if (s[0] < '0' || s[0] > '9')
		return (-1);
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || n < lo || n > hi)
		return (-1);
	*v = (size_t)n;
	return (0);
}

/*
 * Reads the query string into q; the decoded values live in store (at
 * least strlen(query) + 1 bytes per value, so one of 2 * that). Returns
 * NULL, or the French reason for a 400.
 */
static const char *
parse_query(const char *query, struct segur_console_query *q, char *store)
{
	const char	*p = query, *amp, *eq;
	char		*v;
	long		 len;

	memset(q, 0, sizeof(*q));
	q->state = -1;
	q->limit = SEGUR_CONSOLE_LIMIT;
	while (*p != '\0') {
		amp = p + strcspn(p, "&");
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq == NULL)
			eq = amp;
		v = store;
		if ((len = segurd_console_decode(eq < amp ? eq + 1 : amp,
		    (size_t)(amp - (eq < amp ? eq + 1 : amp)), 1, v)) < 0)
			return ("paramètre mal encodé (%XX attendu, sans "
			    "caractère de contrôle)");
		store += len + 1;
#define KEY(k)	((size_t)(eq - p) == strlen(k) && strncmp(p, k, \
		    strlen(k)) == 0)
		if (KEY("state")) {
			if (v[0] != '\0' && (q->state = segur_state_parse(v)) <
			    0)
				return ("état inconnu (state=draft, ready, "
				    "submitted...)");
		} else if (KEY("q"))
			q->q = v[0] != '\0' ? v : NULL;
		else if (KEY("after"))
			q->after = v[0] != '\0' ? v : NULL;
		else if (KEY("limit")) {
			if (parse_count(v, 1, SEGUR_CONSOLE_LIMIT_MAX,
			    &q->limit) != 0)
				return ("limit : un nombre de 1 à 500");
		} else if (KEY("offset")) {
			if (parse_count(v, 0, 1000000000, &q->offset) != 0)
				return ("offset : un nombre positif");
		} else if (KEY("all")) {
			if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
				return ("all : 0 ou 1");
			q->all = v[0] == '1';
		}
#undef KEY
		p = *amp == '&' ? amp + 1 : amp;
	}
	return (NULL);
}

/* ------------------------------------------------------------------ */
/* The evidence bundle, off the loop. */

struct bundle_job {
	uv_work_t	 work;
	struct segurd	*d;		/* borrowed: reads d->run only */
	struct segurd_http_conn *conn;	/* answered in after_work */
	char		*ref;		/* owned */
	int		 rc;
	char		*cause;		/* owned */
	char		*zip;		/* owned: the bundle's bytes */
	size_t		 len;
};

/* Reads the whole file at path into *out. */
static int
slurp(const char *path, char **out, size_t *len, char **cause)
{
	struct stat	 st;
	ssize_t		 r;
	size_t		 got = 0;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		if (fd != -1)
			close(fd);
		return (segur_cause(cause, SEGUR_EIO, "%s : %s", path,
		    strerror(errno)));
	}
	if ((size_t)st.st_size > BUNDLE_MAX) {
		close(fd);
		return (segur_cause(cause, SEGUR_ETOOBIG, "dossier de preuves "
		    "de plus de %zu octets : segurctl audit bundle",
		    BUNDLE_MAX));
	}
	if ((*out = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	}
	while (got < (size_t)st.st_size && (r = read(fd, *out + got,
	    (size_t)st.st_size - got)) > 0)
		got += (size_t)r;
	close(fd);
	*len = got;
	return (0);
}

/*
 * The bundle as segurctl audit bundle REF writes it: the ledger checked
 * first (chain with the seal key, schema, replay: a bundle of an altered
 * ledger would prove nothing), written in a private temporary folder,
 * read back, removed.
 */
static void
bundle_work(uv_work_t *w)
{
	struct bundle_job *j = w->data;
	const struct segurd_run *run = &j->d->run;
	const char	*refs[1] = { j->ref };
	struct segur_bundle_sel sel = { .refs = refs, .nrefs = 1 };
	struct segur_archive arch = { NULL };
	struct segur_audit_key key = { run->audit_key, run->audit_key_len };
	struct segur_ledger_check chk;
	struct segur_chain_head h;
	struct segur_ledger *l = NULL;
	struct segur_audit a;
	const char	*tmp;
	char		 dir[4096], path[4200];
	size_t		 n;

	memset(&a, 0, sizeof(a));
	if ((tmp = getenv("TMPDIR")) == NULL || tmp[0] != '/')
		tmp = "/tmp";
	snprintf(dir, sizeof(dir), "%s/segurd-bundle-XXXXXX", tmp);
	if (mkdtemp(dir) == NULL) {
		j->rc = segur_cause(&j->cause, SEGUR_EIO, "%s : %s", dir,
		    strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/bundle.zip", dir);
	if ((j->rc = segur_ledger_open(run->ledger_path, 0, &l,
	    &j->cause)) != 0)
		goto out;
	if (run->audit_key != NULL && (j->rc = segur_ledger_set_seal_key(l,
	    run->audit_key, run->audit_key_len)) != 0) {
		j->rc = segur_cause(&j->cause, j->rc, "mémoire épuisée");
		goto out;
	}
	j->rc = segur_audit_ledger_check(l, &a, NULL, NULL, &chk, &j->cause);
	segur_audit_release(&a);
	if (j->rc == SEGUR_ECORRUPT)
		segur_cause(&j->cause, j->rc, "%s : pas de preuves ; voir "
		    "segurctl audit verify", j->cause != NULL ? j->cause :
		    "registre altéré");
	if (j->rc != 0 ||
	    (j->rc = segur_archive_open(&arch, run->archive_path,
	    &j->cause)) != 0 ||
	    (j->rc = segur_audit_head(l, key.bytes != NULL ? &key : NULL, &h,
	    &j->cause)) != 0 ||
	    (j->rc = segur_audit_bundle(l, &arch, &sel, &h, key.bytes !=
	    NULL ? &key : NULL, path, &n, &j->cause)) != 0)
		goto out;
	j->rc = slurp(path, &j->zip, &j->len, &j->cause);
out:
	segur_ledger_close(l);
	segur_archive_release(&arch);
	unlink(path);
	rmdir(dir);
}

/* A file name for Content-Disposition: the reference with anything but
 * letters, digits, '.', '-' and '_' replaced by '_'. */
static void
disposition_name(const char *ref, char *out, size_t sz)
{
	size_t	 i;

	for (i = 0; ref[i] != '\0' && i + 1 < sz; i++)
		out[i] = (ref[i] >= 'A' && ref[i] <= 'Z') || (ref[i] >= 'a' &&
		    ref[i] <= 'z') || (ref[i] >= '0' && ref[i] <= '9') ||
		    strchr(".-_", ref[i]) != NULL ? ref[i] : '_';
	out[i] = '\0';
}

static void
bundle_done(uv_work_t *w, int status)
{
	struct bundle_job *j = w->data;
	struct segurd_http_response resp;
	char		 name[80];
	int		 rc;

	j->d->bundle_busy = 0;
	memset(&resp, 0, sizeof(resp));
	if (status == 0 && j->rc == 0) {
		disposition_name(j->ref, name, sizeof(name));
		resp.status = 200;
		resp.content_type = "application/zip";
		resp.body = j->zip;
		resp.len = j->len;
		j->zip = NULL;
		if ((resp.headers = segur_asprintf("Content-Disposition: "
		    "attachment; filename=\"preuves-%s.zip\"\r\n", name)) ==
		    NULL) {
			free(resp.body);
			resp.body = NULL;
			resp.status = 500;
		}
	} else {
		log_warnx("http : dossier de preuves de %s : %s", j->ref,
		    j->cause != NULL ?
		    j->cause : segur_strerror(j->rc));
		rc = refuse(&resp, 0, j->rc == SEGUR_ECORRUPT ? 409 : 500,
		    j->cause != NULL ? j->cause : "erreur interne");
		if (rc != 0)
			resp.status = 500;
	}
	segurd_http_finish(j->conn, &resp);
	free(j->zip);
	free(j->ref);
	free(j->cause);
	free(j);
}

static int
bundle_start(struct segurd *d, const struct segurd_http_request *req,
    const char *key, struct segurd_http_response *resp)
{
	struct bundle_job *j;
	cJSON		*o = NULL;
	char		*cause = NULL;
	const char	*ref;
	int		 rc;

	if ((rc = segur_ledger_request_show(d->ledger, key, &o, &cause)) != 0)
		return (failed(resp, 0, req->path, rc, cause));
	ref = cJSON_GetStringValue(cJSON_GetObjectItem(o, "ref"));
	if (d->bundle_busy) {
		cJSON_Delete(o);
		rc = refuse(resp, 0, 503, "un dossier de preuves est déjà en "
		    "préparation ; réessayer dans un moment");
		if (rc == 0 && (resp->headers = strdup("Retry-After: "
		    "10\r\n")) == NULL)
			rc = SEGUR_ENOMEM;
		return (rc);
	}
	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    (j->ref = strdup(ref != NULL ? ref : key)) == NULL) {
		free(j);
		cJSON_Delete(o);
		return (SEGUR_ENOMEM);
	}
	cJSON_Delete(o);
	j->d = d;
	j->conn = req->conn;
	j->work.data = j;
	if ((rc = uv_queue_work(&d->loop, &j->work, bundle_work,
	    bundle_done)) != 0) {
		log_warnx("http : dossier de preuves : %s", uv_strerror(rc));
		free(j->ref);
		free(j);
		return (SEGUR_EIO);
	}
	d->bundle_busy = 1;
	resp->deferred = 1;
	return (0);
}

/* ------------------------------------------------------------------ */
/* Routing. */

/* Does path start with prefix, and what follows? */
static const char *
prefixed(const char *path, const char *prefix)
{
	size_t	 n = strlen(prefix);

	return (strncmp(path, prefix, n) == 0 ? path + n : NULL);
}

int
segurd_console_handle(void *arg, const struct segurd_http_request *req,
    struct segurd_http_response *resp)
{
	struct segurd	*d = arg;
	struct segur_console_query q;
	struct segur_buf b = SEGUR_BUF_INIT;
	enum segur_console_format fmt = SEGUR_CONSOLE_HTML;
	const char	*path = req->path, *rest, *why, *slash;
	char		*store, *key, *cause = NULL;
	int		 json = 0, rc;

	if (strcmp(path, "/console.css") == 0) {
		if (segur_console_css(&b) != 0) {
			segur_buf_release(&b);
			return (SEGUR_ENOMEM);
		}
		return (answer(resp, 200, "text/css; charset=utf-8", &b));
	}
	if ((rest = prefixed(path, "/api/v1")) != NULL && rest[0] == '/') {
		json = 1;
		fmt = SEGUR_CONSOLE_JSON;
		path = rest;
	}
	if ((store = malloc(2 * strlen(req->query) + 2)) == NULL)
		return (SEGUR_ENOMEM);
	if ((why = parse_query(req->query, &q, store)) != NULL) {
		rc = refuse(resp, json, 400, why);
		free(store);
		return (rc);
	}
	if (strcmp(path, "/") == 0 && !json)
		rc = segur_console_dashboard(d->ledger, &b, &cause);
	else if (strcmp(path, "/requests") == 0)
		rc = segur_console_requests(d->ledger, &q, fmt, &b, &cause);
	else if (strcmp(path, "/files") == 0)
		rc = segur_console_files(d->ledger, &q, fmt, &b, &cause);
	else if (strcmp(path, "/anomalies") == 0)
		rc = segur_console_anomalies(d->ledger, &q, fmt, &b, &cause);
	else if ((rest = prefixed(path, "/requests/")) != NULL &&
	    rest[0] != '\0') {
		slash = strchr(rest, '/');
		if (slash != NULL && (json || strcmp(slash, "/bundle") != 0)) {
			free(store);
			return (refuse(resp, json, 404, "page inconnue"));
		}
		free(store);
		if ((key = malloc(strlen(rest) + 1)) == NULL)
			return (SEGUR_ENOMEM);
		if (segurd_console_decode(rest, slash != NULL ?
		    (size_t)(slash - rest) : strlen(rest), 0, key) <= 0) {
			free(key);
			return (refuse(resp, json, 400, "référence mal encodée "
			    "dans l'adresse (%XX attendu, sans caractère de "
			    "contrôle)"));
		}
		if (slash != NULL)
			rc = bundle_start(d, req, key, resp);
		else if ((rc = segur_console_request(d->ledger, key, fmt, &b,
		    &cause)) == 0)
			rc = answer(resp, 200, json ? "application/json" :
			    "text/html; charset=utf-8", &b);
		else
			rc = failed(resp, json, req->path, rc, cause);
		free(key);
		segur_buf_release(&b);
		return (rc);
	} else {
		free(store);
		return (refuse(resp, json, 404, "page inconnue"));
	}
	free(store);
	if (rc == SEGUR_ENOENT) {
		/* Only a page's after= names what may be unknown. */
		segur_buf_release(&b);
		rc = refuse(resp, json, 400, cause != NULL ? cause :
		    "after : référence inconnue");
		free(cause);
		return (rc);
	}
	if (rc != 0) {
		segur_buf_release(&b);
		return (failed(resp, json, req->path, rc, cause));
	}
	return (answer(resp, 200, json ? "application/json" :
	    "text/html; charset=utf-8", &b));
}
