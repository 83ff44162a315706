/*
 * http.c: the loopback HTTP endpoint (http.h).
 *
 * A connection goes through these states, each owning its uv handles (the
 * stream and a timer) until both close callbacks have run:
 *
 *   READING --message complete / limit / parse error--> WRITING
 *   READING --timer (timeout_ms after accept), evicted--> CLOSING, after
 *             a 408 written as far as the socket takes it at once
 *             (conn_abort): the slot is free when the deadline passes
 *   READING --message complete, console handler defers--> WORKING
 *             (the timer stopped: the work is bounded by itself)
 *   WORKING --segurd_http_finish()--> WRITING (the timer armed again)
 *   WRITING --write done--> DRAINING (shutdown sent, input discarded, so
 *                           the kernel does not reset the connection and
 *                           lose the response while the client still
 *                           sends)
 *   WRITING --timer--> CLOSING
 *   DRAINING --EOF, error, timer, evicted--> CLOSING
 *   any --segurd_http_close()--> CLOSING
 *
 * The timer runs once, from accept: no connection holds a slot longer
 * than timeout_ms, but for the time a deferred answer is being made. A
 * connection closed while WORKING (shutdown) is kept allocated ("held")
 * until segurd_http_finish() frees it. A connection is in h->conns, and
 * counts against both bounds (http.h), from accept until conn_close().
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <http_parser.h>
#include <uv.h>

#include "segur/error.h"
#include "segur/util.h"
#include "http.h"
#include "log.h"

#define HTTP_URL_MAX	1024
/* Connections the kernel queues before segurd accepts them: a burst of
 * slow clients must not make a scraper's connect wait for a retry. */
#define HTTP_BACKLOG	(2 * SEGURD_HTTP_MAX_CONNS)

enum conn_state {
	CONN_READING,
	CONN_WORKING,
	CONN_WRITING,
	CONN_DRAINING,
	CONN_CLOSING
};

struct segurd_http_conn {
	union {
		uv_tcp_t	 tcp;
		uv_pipe_t	 pipe;
		uv_stream_t	 stream;
		uv_handle_t	 handle;
	} s;
	uv_timer_t	 timer;
	uv_write_t	 wreq;
	uv_shutdown_t	 sreq;
	http_parser	 parser;
	struct segurd_http *h;
	struct segurd_http_conn *next, *prev;
	uint64_t	 seq;		/* order of accept: lower is older */
	char		 peer[64];	/* "127.0.0.1", "::1", "uid 1000" */
	enum conn_state	 state;
	int		 refuse;	/* 400 or 505: the version refused */
	int		 handles_open;
	int		 held;		/* a deferred answer is being made */
	int		 headers_done;
	size_t		 received;
	size_t		 max_request;
	char		 url[HTTP_URL_MAX];
	size_t		 urllen;
	int		 url_too_long;
	char		 rbuf[4096];
	struct segur_buf out;
};

static const http_parser_settings conn_settings;
static void	conn_timeout(uv_timer_t *);

/* The reason phrase of the statuses segurd sends. */
static const char *
status_text(int status)
{
	switch (status) {
	case 200:
		return ("OK");
	case 400:
		return ("Bad Request");
	case 404:
		return ("Not Found");
	case 409:
		return ("Conflict");
	case 405:
		return ("Method Not Allowed");
	case 408:
		return ("Request Timeout");
	case 413:
		return ("Content Too Large");
	case 414:
		return ("URI Too Long");
	case 431:
		return ("Request Header Fields Too Large");
	case 500:
		return ("Internal Server Error");
	case 503:
		return ("Service Unavailable");
	case 505:
		return ("HTTP Version Not Supported");
	}
	return ("Unknown");
}

static void
conn_handle_closed(uv_handle_t *handle)
{
	struct segurd_http_conn *c = handle->data;
	struct segurd_http *h = c->h;

	if (--c->handles_open > 0)
		return;
	segur_buf_release(&c->out);
	/* segurd_http_finish() frees a held one. */
	if (!c->held)
		free(c);
	if (--h->pending_closes == 0 && h->closing && h->closed_cb != NULL)
		h->closed_cb(h);
}

/* Closes both handles of c; it is freed when both have closed. */
static void
conn_close(struct segurd_http_conn *c)
{
	struct segurd_http *h = c->h;

	if (c->state == CONN_CLOSING)
		return;
	c->state = CONN_CLOSING;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		h->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	h->nconns--;
	h->pending_closes++;
	uv_close((uv_handle_t *)&c->timer, conn_handle_closed);
	uv_close(&c->s.handle, conn_handle_closed);
}

static void
conn_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
	struct segurd_http_conn *c = handle->data;

	(void)suggested;
	*buf = uv_buf_init(c->rbuf, sizeof(c->rbuf));
}

/* Reads and drops what the client still sends after the response. */
static void
conn_drain_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
	(void)buf;
	if (nread < 0)
		conn_close(stream->data);
}

static void
conn_shutdown_done(uv_shutdown_t *req, int status)
{
	struct segurd_http_conn *c = req->data;

	if (c->state != CONN_DRAINING)
		return;
	if (status != 0)
		conn_close(c);
}

static void
conn_written(uv_write_t *req, int status)
{
	struct segurd_http_conn *c = req->data;

	if (c->state != CONN_WRITING)
		return;
	if (status != 0) {
		conn_close(c);
		return;
	}
	c->state = CONN_DRAINING;
	c->sreq.data = c;
	uv_read_stop(&c->s.stream);
	if (uv_shutdown(&c->sreq, &c->s.stream, conn_shutdown_done) != 0 ||
	    uv_read_start(&c->s.stream, conn_alloc, conn_drain_read) != 0)
		conn_close(c);
}

/*
 * Sent with every response: nothing is loaded from elsewhere, no script
 * runs, styles come only from segurd itself (/console.css), no page is
 * framed, and no address leaks to another site through Referer.
 */
#define SECURITY_HEADERS \
	"Content-Security-Policy: default-src 'none'; style-src 'self'; " \
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'\r\n" \
	"X-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\n" \
	"Referrer-Policy: no-referrer\r\n"

/* Writes a whole response into c->out. Returns 0 or SEGUR_ENOMEM. */
static int
conn_format(struct segurd_http_conn *c, int status, const char *ctype,
    const char *body, size_t len, const char *extra, int head_only)
{
	int	 rc;

	c->h->requests++;
	segur_buf_release(&c->out);
	rc = segur_buf_addf(&c->out, "HTTP/1.1 %d %s\r\n"
	    "Content-Type: %s\r\nContent-Length: %zu\r\n"
	    "Cache-Control: no-store\r\n" SECURITY_HEADERS
	    "Connection: close\r\n%s\r\n", status, status_text(status),
	    ctype, len, extra != NULL ? extra : "");
	if (rc == 0 && !head_only && len > 0)
		rc = segur_buf_add(&c->out, body, len);
	return (rc);
}

/*
 * Sends one whole response and moves to WRITING. head_only leaves the
 * body out (HEAD) but keeps its Content-Length.
 */
static void
conn_respond(struct segurd_http_conn *c, int status, const char *ctype,
    const char *body, size_t len, const char *extra, int head_only)
{
	uv_buf_t b;

	uv_read_stop(&c->s.stream);
	c->state = CONN_WRITING;
	if (conn_format(c, status, ctype, body, len, extra, head_only) != 0) {
		conn_close(c);
		return;
	}
	b = uv_buf_init(c->out.data, (unsigned)c->out.len);
	c->wreq.data = c;
	if (uv_write(&c->wreq, &c->s.stream, &b, 1, conn_written) != 0)
		conn_close(c);
}

/* A short text/plain response with msg as body. */
static void
conn_respond_text(struct segurd_http_conn *c, int status, const char *msg,
    const char *extra)
{
	conn_respond(c, status, "text/plain; charset=utf-8", msg, strlen(msg),
	    extra, c->parser.method == HTTP_HEAD);
}

/*
 * Answers status with what the socket takes now, without waiting, and
 * closes: the slot is free when this returns. For clients that have
 * used up their time or their slot; a short answer fits the socket's
 * buffer, and a client that does not read it loses nothing it asked for.
 */
static void
conn_abort(struct segurd_http_conn *c, int status, const char *msg)
{
	uv_buf_t b;
	uv_os_fd_t fd;
	int	 i;

	uv_read_stop(&c->s.stream);
	/*
	 * Input the kernel holds unread would make the close a reset,
	 * which may destroy the answer at the client before it reads it:
	 * what is there now is read and dropped (a few reads, no waiting).
	 */
	if (uv_fileno(&c->s.handle, &fd) == 0)
		for (i = 0; i < 16 && recv(fd, c->rbuf, sizeof(c->rbuf),
		    MSG_DONTWAIT) > 0; i++)
			;
	if (conn_format(c, status, "text/plain; charset=utf-8", msg,
	    strlen(msg), NULL, 0) == 0) {
		b = uv_buf_init(c->out.data, (unsigned)c->out.len);
		(void)uv_try_write(&c->s.stream, &b, 1);
	}
	conn_close(c);
}

/* Sends what a provider or the console's handler made of a request. */
static void
conn_answer(struct segurd_http_conn *c, const char *path, int rc,
    struct segurd_http_response *resp, int head)
{
	if (rc != 0) {
		log_warnx("http : %s : %s", path, segur_strerror(rc));
		conn_respond_text(c, 500, "erreur interne\n", NULL);
	} else
		conn_respond(c, resp->status, resp->content_type,
		    resp->body != NULL ? resp->body : "", resp->body != NULL ?
		    (resp->len != 0 ? resp->len : strlen(resp->body)) : 0,
		    resp->headers, head);
	free(resp->body);
	free(resp->headers);
}

/* Answers a complete request. */
static void
conn_dispatch(struct segurd_http_conn *c)
{
	struct segurd_http_response resp;
	struct segurd_http_request req;
	segurd_http_provider fn;
	const char	*path = c->url;
	char		*q;
	int		 rc, fixed, head = c->parser.method == HTTP_HEAD;

	c->url[strcspn(c->url, "#")] = '\0';
	req.query = "";
	if ((q = strchr(c->url, '?')) != NULL) {
		*q = '\0';
		req.query = q + 1;
	}
	fixed = 1;
	if (strcmp(path, "/healthz") == 0)
		fn = c->h->prov.healthz;
	else if (strcmp(path, "/metrics") == 0)
		fn = c->h->prov.metrics;
	else if (strcmp(path, "/api/v1/status") == 0)
		fn = c->h->prov.status;
	else
		fixed = 0;
	if ((fixed && fn == NULL) || (!fixed && c->h->prov.console == NULL)) {
		conn_respond_text(c, 404, "page inconnue\n", NULL);
		return;
	}
	if (c->parser.method != HTTP_GET && !head) {
		conn_respond_text(c, 405, "seuls GET et HEAD sont "
		    "acceptés\n",
		    "Allow: GET, HEAD\r\n");
		return;
	}
	memset(&resp, 0, sizeof(resp));
	resp.status = 200;
	resp.content_type = "text/plain; charset=utf-8";
	if (fixed)
		rc = fn(c->h->prov.arg, &resp);
	else {
		req.path = path;
		req.head = head;
		req.conn = c;
		rc = c->h->prov.console(c->h->prov.arg, &req, &resp);
		if (rc == 0 && resp.deferred) {
			c->state = CONN_WORKING;
			c->held = 1;
			uv_read_stop(&c->s.stream);
			uv_timer_stop(&c->timer);
			return;
		}
	}
	conn_answer(c, path, rc, &resp, head);
}

void
segurd_http_finish(struct segurd_http_conn *c,
    struct segurd_http_response *resp)
{
	c->held = 0;
	if (c->state != CONN_WORKING) {
		/* Closed meanwhile: its handles are closed, or closing. */
		free(resp->body);
		free(resp->headers);
		if (c->handles_open == 0)
			free(c);
		return;
	}
	if (resp->status == 0)
		resp->status = 500;
	uv_timer_start(&c->timer, conn_timeout, c->h->lim.timeout_ms, 0);
	conn_answer(c, c->url, 0, resp, c->parser.method == HTTP_HEAD);
}

static int
on_url(http_parser *p, const char *at, size_t len)
{
	struct segurd_http_conn *c = p->data;

	if (len >= sizeof(c->url) - c->urllen) {
		c->url_too_long = 1;
		return (1);
	}
	memcpy(c->url + c->urllen, at, len);
	c->urllen += len;
	c->url[c->urllen] = '\0';
	return (0);
}

/*
 * Once the request line is read: only HTTP/1.0 and 1.1 are spoken.
 * http-parser reads a line without a version as HTTP/0.9.
 */
static int
check_version(http_parser *p)
{
	struct segurd_http_conn *c = p->data;

	if (p->http_major == 1 && p->http_minor <= 1)
		return (0);
	c->refuse = p->http_major == 0 && p->http_minor == 9 ? 400 : 505;
	return (-1);
}

static int
on_header_field(http_parser *p, const char *at, size_t len)
{
	(void)at;
	(void)len;
	return (check_version(p));
}

static int
on_headers_complete(http_parser *p)
{
	struct segurd_http_conn *c = p->data;

	if (check_version(p) != 0)
		return (-1);
	c->headers_done = 1;
	/* A declared body that cannot fit is refused before it comes. */
	if (p->content_length != ULLONG_MAX &&
	    p->content_length > c->max_request)
		return (-1);
	return (0);
}

static int
on_message_complete(http_parser *p)
{
	struct segurd_http_conn *c = p->data;

	/* Stop here: one request per connection. */
	if (c->state == CONN_READING)
		conn_dispatch(c);
	return (1);
}

static const http_parser_settings conn_settings = {
	.on_url = on_url,
	.on_header_field = on_header_field,
	.on_headers_complete = on_headers_complete,
	.on_message_complete = on_message_complete,
};

/* Answers the version check_version() refused. */
static void
conn_refuse_version(struct segurd_http_conn *c)
{
	if (c->refuse == 400)
		conn_respond_text(c, 400, "requête sans version HTTP : "
		    "HTTP/1.0 ou HTTP/1.1 attendu\n", NULL);
	else
		conn_respond_text(c, 505, "version HTTP non prise en charge : "
		    "seuls HTTP/1.0 et HTTP/1.1 le sont\n", NULL);
}

static void
conn_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
	struct segurd_http_conn *c = stream->data;
	size_t	 n, parsed;

	if (c->state != CONN_READING)
		return;
	if (nread < 0) {
		/* EOF before a whole request: nothing to answer. */
		conn_close(c);
		return;
	}
	if (nread == 0)
		return;
	n = (size_t)nread;
	if (n > c->max_request - c->received)
		n = c->max_request - c->received + 1;
	c->received += n;
	if (c->received > c->max_request) {
		/* Parse what fits, then refuse by where the limit fell. */
		n -= c->received - c->max_request;
		parsed = http_parser_execute(&c->parser, &conn_settings,
		    buf->base, n);
		if (c->state != CONN_READING)
			return;
		if (c->refuse != 0)
			conn_refuse_version(c);
		else if (!c->headers_done)
			conn_respond_text(c, 431, "en-têtes de requête "
			    "trop grands\n", NULL);
		else
			conn_respond_text(c, 413, "requête trop grande\n",
			    NULL);
		(void)parsed;
		return;
	}
	parsed = http_parser_execute(&c->parser, &conn_settings, buf->base, n);
	if (c->state != CONN_READING)
		return;
	if (c->refuse != 0) {
		conn_refuse_version(c);
		return;
	}
	if (c->url_too_long) {
		conn_respond_text(c, 414, "adresse trop longue\n", NULL);
		return;
	}
	if (c->parser.http_errno == HPE_CB_headers_complete) {
		conn_respond_text(c, 413, "requête trop grande\n", NULL);
		return;
	}
	if (c->parser.http_errno != HPE_OK || parsed != n) {
		log_debug("http : requête invalide : %s",
		    http_errno_description(HTTP_PARSER_ERRNO(&c->parser)));
		conn_respond_text(c, 400, "requête invalide\n", NULL);
	}
}

/* The deadline has passed: 408 if nothing was answered, and closed. */
static void
conn_timeout(uv_timer_t *timer)
{
	struct segurd_http_conn *c = timer->data;

	if (c->state == CONN_READING)
		conn_abort(c, 408, "délai de la requête dépassé\n");
	else
		conn_close(c);
}

/* Evicts c for a newer connection, as its deadline would. */
static void
conn_evict(struct segurd_http_conn *c)
{
	c->h->evicted++;
	log_debug("http : fermeture d'une connexion de %s pour faire "
	    "de la place",
	    c->peer);
	conn_timeout(&c->timer);
}

/*
 * The oldest connection other than except that may be evicted: still
 * waiting for its request, or already answered; of peer when not NULL.
 */
static struct segurd_http_conn *
conn_oldest(struct segurd_http *h, const struct segurd_http_conn *except,
    const char *peer)
{
	struct segurd_http_conn *c, *best = NULL;

	for (c = h->conns; c != NULL; c = c->next) {
		if (c == except || (c->state != CONN_READING &&
		    c->state != CONN_DRAINING))
			continue;
		if (peer != NULL && strcmp(c->peer, peer) != 0)
			continue;
		if (best == NULL || c->seq < best->seq)
			best = c;
	}
	return (best);
}

/*
 * Makes room for the new connection c, already counted: beyond
 * max_per_client connections of its peer, or beyond SEGURD_HTTP_MAX_CONNS
 * in all, the oldest evictable one goes (of its peer for the first
 * bound). Returns 0, or -1 when none can go (all are being written, a
 * matter of moments): then c must.
 */
static int
conn_make_room(struct segurd_http *h, struct segurd_http_conn *c)
{
	struct segurd_http_conn *o, *victim;
	unsigned	 n = 0;

	for (o = h->conns; o != NULL; o = o->next)
		if (o != c && strcmp(o->peer, c->peer) == 0)
			n++;
	for (; n >= h->lim.max_per_client; n--) {
		if ((victim = conn_oldest(h, c, c->peer)) == NULL)
			return (-1);
		conn_evict(victim);
	}
	while (h->nconns > SEGURD_HTTP_MAX_CONNS) {
		if ((victim = conn_oldest(h, c, NULL)) == NULL)
			return (-1);
		conn_evict(victim);
	}
	return (0);
}

/* Names the client of c: its IP address, or its user id (Unix socket). */
static void
conn_peer(struct segurd_http_conn *c)
{
	struct sockaddr_storage ss;
	struct ucred	 cred;
	socklen_t	 credlen = sizeof(cred);
	uv_os_fd_t	 fd;
	int		 len = sizeof(ss);

	snprintf(c->peer, sizeof(c->peer), "?");
	if (c->s.handle.type == UV_TCP) {
		if (uv_tcp_getpeername(&c->s.tcp, (struct sockaddr *)&ss,
		    &len) != 0)
			return;
		if (ss.ss_family == AF_INET)
			inet_ntop(AF_INET,
			    &((struct sockaddr_in *)&ss)->sin_addr, c->peer,
			    sizeof(c->peer));
		else if (ss.ss_family == AF_INET6)
			inet_ntop(AF_INET6,
			    &((struct sockaddr_in6 *)&ss)->sin6_addr, c->peer,
			    sizeof(c->peer));
		return;
	}
	if (uv_fileno(&c->s.handle, &fd) == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &credlen) == 0)
		snprintf(c->peer, sizeof(c->peer), "uid %u",
		    (unsigned)cred.uid);
}

static void
on_connection(uv_stream_t *server, int status)
{
	struct segurd_http *h = server->data;
	struct segurd_http_conn *c;
	int	 rc;

	if (status != 0 || h->closing) {
		if (status != 0)
			log_warnx("http : accept : %s", uv_strerror(status));
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warnx("http : mémoire épuisée");
		return;
	}
	c->h = h;
	c->seq = ++h->seq;
	c->max_request = h->lim.max_request;
	segur_buf_init(&c->out);
	if (server->type == UV_TCP)
		rc = uv_tcp_init(h->loop, &c->s.tcp);
	else
		rc = uv_pipe_init(h->loop, &c->s.pipe, 0);
	if (rc != 0) {
		free(c);
		return;
	}
	c->s.handle.data = c;
	uv_timer_init(h->loop, &c->timer);
	c->timer.data = c;
	c->handles_open = 2;
	c->next = h->conns;
	if (h->conns != NULL)
		h->conns->prev = c;
	h->conns = c;
	h->nconns++;
	http_parser_init(&c->parser, HTTP_REQUEST);
	c->parser.data = c;
	if ((rc = uv_accept(server, &c->s.stream)) != 0) {
		log_warnx("http : accept : %s", uv_strerror(rc));
		conn_close(c);
		return;
	}
	conn_peer(c);
	if (conn_make_room(h, c) != 0) {
		log_warnx("http : %d connexions en cours de réponse ; une "
		    "connexion de %s est refusée", SEGURD_HTTP_MAX_CONNS,
		    c->peer);
		conn_close(c);
		return;
	}
	uv_timer_start(&c->timer, conn_timeout, h->lim.timeout_ms, 0);
	if (uv_read_start(&c->s.stream, conn_alloc, conn_read) != 0)
		conn_close(c);
}

int
segurd_http_init(struct segurd_http *h, uv_loop_t *loop,
    const struct segurd_listen *l, const struct segurd_http_limits *lim,
    const struct segurd_http_providers *prov, char **cause)
{
	int	 rc;

	memset(h, 0, sizeof(*h));
	h->loop = loop;
	h->lim = *lim;
	h->prov = *prov;
	if (l->kind == SEGURD_LISTEN_TCP) {
		h->is_tcp = 1;
		if (strchr(l->host, ':') != NULL) {
			rc = uv_ip6_addr(l->host, l->port,
			    (struct sockaddr_in6 *)&h->addr);
			snprintf(h->where, sizeof(h->where), "[%s]:%d",
			    l->host, l->port);
		} else {
			rc = uv_ip4_addr(l->host, l->port,
			    (struct sockaddr_in *)&h->addr);
			snprintf(h->where, sizeof(h->where), "%s:%d", l->host,
			    l->port);
		}
		if (rc != 0)
			return (segur_cause(cause, SEGUR_EINVAL, "adresse "
			    "d'écoute invalide %s", l->host));
		uv_tcp_init(loop, &h->listener.tcp);
	} else {
		snprintf(h->where, sizeof(h->where), "%s", l->path);
		snprintf(h->path, sizeof(h->path), "%s", l->path);
		uv_pipe_init(loop, &h->listener.pipe, 0);
	}
	h->listener.tcp.data = h;
	return (0);
}

int
segurd_http_start(struct segurd_http *h, char **cause)
{
	struct stat	 st;
	int		 rc;

	if (h->is_tcp)
		rc = uv_tcp_bind(&h->listener.tcp,
		    (struct sockaddr *)&h->addr, 0);
	else {
		/* A socket left by a crash is replaced; any other file not. */
		if (lstat(h->path, &st) == 0 && S_ISSOCK(st.st_mode))
			unlink(h->path);
		rc = uv_pipe_bind(&h->listener.pipe, h->path);
	}
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)&h->listener, HTTP_BACKLOG,
		    on_connection);
	/* Group members (auditors, monitoring) may connect; others not. */
	if (rc == 0 && !h->is_tcp && chmod(h->path, 0660) != 0)
		rc = uv_translate_sys_error(errno);
	if (rc != 0)
		return (segur_cause(cause, SEGUR_EIO, "impossible d'écouter "
		    "sur %s : %s", h->where, uv_strerror(rc)));
	return (0);
}

void
segurd_http_set_limits(struct segurd_http *h,
    const struct segurd_http_limits *lim)
{
	h->lim = *lim;
}

int
segurd_http_port(const struct segurd_http *h)
{
	struct sockaddr_storage ss;
	int	 len = sizeof(ss);

	if (uv_tcp_getsockname(&h->listener.tcp, (struct sockaddr *)&ss,
	    &len) != 0)
		return (-1);
	if (ss.ss_family == AF_INET)
		return (ntohs(((struct sockaddr_in *)&ss)->sin_port));
	return (ntohs(((struct sockaddr_in6 *)&ss)->sin6_port));
}

static void
listener_closed(uv_handle_t *handle)
{
	struct segurd_http *h = handle->data;

	if (--h->pending_closes == 0 && h->closed_cb != NULL)
		h->closed_cb(h);
}

void
segurd_http_close(struct segurd_http *h,
    void (*closed_cb)(struct segurd_http *))
{
	if (h->closing)
		return;
	h->closing = 1;
	h->closed_cb = closed_cb;
	/* Held until every close below has run. */
	h->pending_closes++;
	while (h->conns != NULL)
		conn_close(h->conns);
	h->pending_closes++;
	uv_close((uv_handle_t *)&h->listener, listener_closed);
	if (--h->pending_closes == 0 && closed_cb != NULL)
		closed_cb(h);
}
