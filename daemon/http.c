/*
 * http.c: the loopback HTTP endpoint (http.h).
 *
 * A connection goes through these states, each owning its uv handles (the
 * stream and a timer) until both close callbacks have run:
 *
 *   READING --message complete / limit / parse error--> WRITING
 *   WRITING --write done--> DRAINING (shutdown sent, input discarded, so
 *                           the kernel does not reset the connection and
 *                           lose the response while the client still
 *                           sends)
 *   DRAINING --EOF, error--> CLOSING
 *   any --timer (timeout_ms)--> WRITING 408 from READING, else CLOSING
 *   any --segurd_http_close()--> CLOSING
 */
#include <sys/stat.h>

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

#define HTTP_MAX_CONNS	64
#define HTTP_URL_MAX	1024

enum conn_state {
	CONN_READING,
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
	enum conn_state	 state;
	int		 handles_open;
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
 * Sends one whole response and moves to WRITING. head_only leaves the
 * body out (HEAD) but keeps its Content-Length.
 */
static void
conn_respond(struct segurd_http_conn *c, int status, const char *ctype,
    const char *body, size_t len, const char *extra, int head_only)
{
	uv_buf_t b;
	int	 rc;

	uv_read_stop(&c->s.stream);
	c->state = CONN_WRITING;
	c->h->requests++;
	segur_buf_release(&c->out);
	rc = segur_buf_addf(&c->out, "HTTP/1.1 %d %s\r\n"
	    "Content-Type: %s\r\nContent-Length: %zu\r\n"
	    "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
	    "Connection: close\r\n%s\r\n", status, status_text(status),
	    ctype, len, extra != NULL ? extra : "");
	if (rc == 0 && !head_only && len > 0)
		rc = segur_buf_add(&c->out, body, len);
	if (rc != 0) {
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

/* Answers a complete request. */
static void
conn_dispatch(struct segurd_http_conn *c)
{
	struct segurd_http_response resp;
	segurd_http_provider fn;
	const char	*path = c->url;
	int		 rc, head = c->parser.method == HTTP_HEAD;

	c->url[strcspn(c->url, "?#")] = '\0';
	if (strcmp(path, "/healthz") == 0)
		fn = c->h->prov.healthz;
	else if (strcmp(path, "/metrics") == 0)
		fn = c->h->prov.metrics;
	else if (strcmp(path, "/api/v1/status") == 0)
		fn = c->h->prov.status;
	else {
		conn_respond_text(c, 404, "not found\n", NULL);
		return;
	}
	if (c->parser.method != HTTP_GET && !head) {
		conn_respond_text(c, 405, "only GET and HEAD\n",
		    "Allow: GET, HEAD\r\n");
		return;
	}
	if (fn == NULL) {
		conn_respond_text(c, 404, "not found\n", NULL);
		return;
	}
	memset(&resp, 0, sizeof(resp));
	resp.status = 200;
	resp.content_type = "text/plain; charset=utf-8";
	rc = fn(c->h->prov.arg, &resp);
	if (rc != 0) {
		free(resp.body);
		log_warnx("http: %s: %s", path, segur_strerror(rc));
		conn_respond_text(c, 500, "internal error\n", NULL);
		return;
	}
	conn_respond(c, resp.status, resp.content_type,
	    resp.body != NULL ? resp.body : "", resp.body != NULL ?
	    (resp.len != 0 ? resp.len : strlen(resp.body)) : 0, NULL, head);
	free(resp.body);
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

static int
on_headers_complete(http_parser *p)
{
	struct segurd_http_conn *c = p->data;

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
	.on_headers_complete = on_headers_complete,
	.on_message_complete = on_message_complete,
};

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
		if (!c->headers_done)
			conn_respond_text(c, 431, "request headers too "
			    "large\n", NULL);
		else
			conn_respond_text(c, 413, "request too large\n", NULL);
		(void)parsed;
		return;
	}
	parsed = http_parser_execute(&c->parser, &conn_settings, buf->base, n);
	if (c->state != CONN_READING)
		return;
	if (c->url_too_long) {
		conn_respond_text(c, 414, "URL too long\n", NULL);
		return;
	}
	if (c->parser.http_errno == HPE_CB_headers_complete) {
		conn_respond_text(c, 413, "request too large\n", NULL);
		return;
	}
	if (c->parser.http_errno != HPE_OK || parsed != n) {
		log_debug("http: bad request: %s",
		    http_errno_description(HTTP_PARSER_ERRNO(&c->parser)));
		conn_respond_text(c, 400, "bad request\n", NULL);
	}
}

static void
conn_timeout(uv_timer_t *timer)
{
	struct segurd_http_conn *c = timer->data;

	if (c->state == CONN_READING) {
		/* Answer once more, but give the client one timeout only. */
		uv_timer_start(&c->timer, conn_timeout, c->h->timeout_ms, 0);
		conn_respond_text(c, 408, "request timeout\n", NULL);
	} else
		conn_close(c);
}

static void
on_connection(uv_stream_t *server, int status)
{
	struct segurd_http *h = server->data;
	struct segurd_http_conn *c;
	int	 rc;

	if (status != 0 || h->closing) {
		if (status != 0)
			log_warnx("http: accept: %s", uv_strerror(status));
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warnx("http: out of memory");
		return;
	}
	c->h = h;
	c->max_request = h->max_request;
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
		log_warnx("http: accept: %s", uv_strerror(rc));
		conn_close(c);
		return;
	}
	if (h->nconns > HTTP_MAX_CONNS) {
		log_warnx("http: more than %d connections, closing one",
		    HTTP_MAX_CONNS);
		conn_close(c);
		return;
	}
	uv_timer_start(&c->timer, conn_timeout, h->timeout_ms, 0);
	if (uv_read_start(&c->s.stream, conn_alloc, conn_read) != 0)
		conn_close(c);
}

int
segurd_http_init(struct segurd_http *h, uv_loop_t *loop,
    const struct segurd_listen *l, size_t max_request, uint64_t timeout_ms,
    const struct segurd_http_providers *prov, char **cause)
{
	struct sockaddr_storage ss;
	struct stat	 st;
	uv_stream_t	*s;
	int		 rc;

	memset(h, 0, sizeof(*h));
	h->loop = loop;
	h->max_request = max_request;
	h->timeout_ms = timeout_ms;
	h->prov = *prov;
	if (l->kind == SEGURD_LISTEN_TCP) {
		if (strchr(l->host, ':') != NULL) {
			rc = uv_ip6_addr(l->host, l->port,
			    (struct sockaddr_in6 *)&ss);
			snprintf(h->where, sizeof(h->where), "[%s]:%d",
			    l->host, l->port);
		} else {
			rc = uv_ip4_addr(l->host, l->port,
			    (struct sockaddr_in *)&ss);
			snprintf(h->where, sizeof(h->where), "%s:%d", l->host,
			    l->port);
		}
		if (rc != 0)
			return (segur_cause(cause, SEGUR_EINVAL, "bad listen "
			    "address %s", l->host));
		uv_tcp_init(loop, &h->listener.tcp);
		s = (uv_stream_t *)&h->listener.tcp;
		rc = uv_tcp_bind(&h->listener.tcp, (struct sockaddr *)&ss, 0);
	} else {
		snprintf(h->where, sizeof(h->where), "%s", l->path);
		/* A socket left by a crash is replaced; any other file not. */
		if (lstat(l->path, &st) == 0 && S_ISSOCK(st.st_mode))
			unlink(l->path);
		uv_pipe_init(loop, &h->listener.pipe, 0);
		s = (uv_stream_t *)&h->listener.pipe;
		rc = uv_pipe_bind(&h->listener.pipe, l->path);
	}
	s->data = h;
	h->listening = 1;
	if (rc == 0)
		rc = uv_listen(s, 16, on_connection);
	/* Group members (auditors, monitoring) may connect; others not. */
	if (rc == 0 && l->kind == SEGURD_LISTEN_UNIX &&
	    chmod(l->path, 0660) != 0)
		rc = uv_translate_sys_error(errno);
	if (rc != 0) {
		segur_cause(cause, SEGUR_EIO, "cannot listen on %s: %s",
		    h->where, uv_strerror(rc));
		/* Closed on the next loop run; nothing else to undo. */
		h->listening = 0;
		uv_close((uv_handle_t *)s, NULL);
		return (SEGUR_EIO);
	}
	return (0);
}

void
segurd_http_set_limits(struct segurd_http *h, size_t max_request,
    uint64_t timeout_ms)
{
	h->max_request = max_request;
	h->timeout_ms = timeout_ms;
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
	if (h->listening) {
		h->pending_closes++;
		uv_close((uv_handle_t *)&h->listener, listener_closed);
	}
	if (--h->pending_closes == 0 && closed_cb != NULL)
		closed_cb(h);
}
