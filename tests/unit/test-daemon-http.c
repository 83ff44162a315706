/*
 * test-daemon-http.c: the loopback endpoint over real sockets.
 *
 * The server runs on the test's uv loop in the main thread; a client
 * thread talks to it with blocking sockets, then wakes the loop with a
 * uv_async to close everything, and the test checks uv_loop_close() == 0.
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <uv.h>

#include "segur/error.h"
#include "segur/util.h"
#include "helper-ledger.h"
#include "console.h"
#include "http.h"
#include "metrics.h"

struct rig {
	uv_loop_t	 loop;
	uv_async_t	 done;
	struct segurd_http http;
	struct segurd_listen l;
	int		 port;
	void		(*client)(struct rig *);
	int		 healthy;
	int		 calls;
	unsigned	 per_client;	/* max_per_client; 0: 64 */
	int		 console;	/* serve the console handler below */
	uv_timer_t	 later;		/* answers the deferred request */
	struct segurd_http_conn *pending;
	uint64_t	 later_ms;
};

/*
 * What went wrong in the client thread, checked by the test afterwards:
 * cmocka's assertions may only fail on the test's own thread.
 */
static char client_error[256];

static void client_failed(const char *, ...)
    __attribute__((format(printf, 1, 2)));

static void
client_failed(const char *fmt, ...)
{
	va_list	 ap;

	if (client_error[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(client_error, sizeof(client_error), fmt, ap);
	va_end(ap);
}

static int
prov_healthz(void *arg, struct segurd_http_response *r)
{
	struct rig *g = arg;

	g->calls++;
	if (!g->healthy) {
		r->status = 503;
		r->body = strdup("inbox not writable\n");
		return (r->body != NULL ? 0 : SEGUR_ENOMEM);
	}
	r->body = strdup("ok\n");
	return (r->body != NULL ? 0 : SEGUR_ENOMEM);
}

static int
prov_metrics(void *arg, struct segurd_http_response *r)
{
	struct segur_buf b = SEGUR_BUF_INIT;
	int	 rc;

	(void)arg;
	r->content_type = SEGURD_METRICS_CONTENT_TYPE;
	if ((rc = segurd_metrics_family(&b, "segurd_up", "gauge",
	    "Always 1.")) != 0 ||
	    (rc = segurd_metrics_sample_u64(&b, "segurd_up", NULL, 1)) != 0) {
		segur_buf_release(&b);
		return (rc);
	}
	r->len = b.len;
	r->body = segur_buf_detach(&b);
	return (0);
}

static int
prov_fails(void *arg, struct segurd_http_response *r)
{
	(void)arg;
	r->body = strdup("partial");
	return (SEGUR_EDB);
}

static void
later_closed(uv_handle_t *h)
{
	(void)h;
}

/* The deferred answer, as the console's bundle gives it. */
static void
on_later(uv_timer_t *t)
{
	struct rig *g = t->data;
	struct segurd_http_response r;

	memset(&r, 0, sizeof(r));
	r.status = 200;
	r.content_type = "text/plain";
	r.body = strdup("done later\n");
	r.headers = strdup("X-Later: 1\r\n");
	segurd_http_finish(g->pending, &r);
	uv_close((uv_handle_t *)t, later_closed);
}

/* A console handler: /later is deferred, anything else echoed. */
static int
console_echo(void *arg, const struct segurd_http_request *req,
    struct segurd_http_response *r)
{
	struct rig *g = arg;

	if (strcmp(req->path, "/later") == 0) {
		g->pending = req->conn;
		uv_timer_start(&g->later, on_later, g->later_ms, 0);
		r->deferred = 1;
		return (0);
	}
	r->body = segur_asprintf("path=%s query=%s head=%d\n", req->path,
	    req->query, req->head);
	r->headers = strdup("X-Echo: 1\r\n");
	return (r->body != NULL && r->headers != NULL ? 0 : SEGUR_ENOMEM);
}

static void
on_done(uv_async_t *a)
{
	struct rig *g = a->data;

	segurd_http_close(&g->http, NULL);
	uv_close((uv_handle_t *)a, NULL);
}

static void *
client_main(void *arg)
{
	struct rig *g = arg;

	g->client(g);
	uv_async_send(&g->done);
	return (NULL);
}

/* Runs client against a server on a free port, then checks the loop. */
static void
run(struct rig *g, void (*client)(struct rig *), size_t max_request,
    uint64_t timeout_ms)
{
	struct segurd_http_providers prov = {
		prov_healthz, prov_metrics, prov_fails, NULL, g
	};
	struct segurd_http_limits lim;
	pthread_t	 t;
	char		*cause = NULL;

	lim.max_request = max_request;
	lim.timeout_ms = timeout_ms;
	lim.max_per_client = g->per_client != 0 ? g->per_client :
	    SEGURD_HTTP_MAX_CONNS;
	g->client = client;
	client_error[0] = '\0';
	assert_int_equal(uv_loop_init(&g->loop), 0);
	if (g->console) {
		prov.console = console_echo;
		assert_int_equal(uv_timer_init(&g->loop, &g->later), 0);
		g->later.data = g;
	}
	if (g->l.path[0] == '\0') {
		g->l.kind = SEGURD_LISTEN_TCP;
		snprintf(g->l.host, sizeof(g->l.host), "127.0.0.1");
		g->l.port = 0;	/* the kernel picks a free one */
	}
	assert_int_equal(segurd_http_init(&g->http, &g->loop, &g->l, &lim,
	    &prov, &cause), 0);
	assert_int_equal(segurd_http_start(&g->http, &cause), 0);
	if (g->l.kind == SEGURD_LISTEN_TCP) {
		g->port = segurd_http_port(&g->http);
		assert_true(g->port > 0);
	}
	assert_int_equal(uv_async_init(&g->loop, &g->done, on_done), 0);
	g->done.data = g;
	assert_int_equal(pthread_create(&t, NULL, client_main, g), 0);
	assert_int_equal(uv_run(&g->loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(uv_loop_close(&g->loop), 0);
}

/* Connects to the rig's server from src (an IPv4 loopback address, or
 * NULL for any); the socket or -1. */
static int
dial_from(struct rig *g, const char *src)
{
	struct sockaddr_in sin;
	struct sockaddr_un sun;
	int	 fd;

	if (g->l.kind == SEGURD_LISTEN_UNIX) {
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", g->l.path);
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
			close(fd);
			return (-1);
		}
		return (fd);
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	if (src != NULL) {
		if (inet_pton(AF_INET, src, &sin.sin_addr) != 1 ||
		    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
			close(fd);
			return (-1);
		}
	}
	sin.sin_port = htons((uint16_t)g->port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		close(fd);
		return (-1);
	}
	return (fd);
}

static int
dial(struct rig *g)
{
	return (dial_from(g, NULL));
}

/* Fails the test with what the client thread saw, if anything. */
static void
expect_client_ok(void)
{
	if (client_error[0] != '\0')
		fail_msg("client: %s", client_error);
}

/* A client that sends part of a request line and waits: its socket. */
static int
dial_slow(struct rig *g, const char *src)
{
	int	 fd = dial_from(g, src);

	if (fd < 0)
		client_failed("cannot connect from %s", src ? src : "any");
	else if (send(fd, "GET /healthz HTT", 16, 0) != 16)
		client_failed("cannot send");
	return (fd);
}

/*
 * Reads what fd receives until EOF or wait_ms of silence: the bytes
 * (caller frees), and whether EOF came in *eof.
 */
static char *
read_until(int fd, int wait_ms, int *eof)
{
	struct segur_buf b = SEGUR_BUF_INIT;
	struct timeval tv;
	char	 buf[512];
	ssize_t	 n;

	tv.tv_sec = wait_ms / 1000;
	tv.tv_usec = (wait_ms % 1000) * 1000;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0)
		client_failed("setsockopt");
	*eof = 0;
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
		segur_buf_add(&b, buf, (size_t)n);
	/* A reset ends it too: the answer, if any, came before. */
	if (n == 0 || (n < 0 && errno == ECONNRESET))
		*eof = 1;
	segur_buf_adds(&b, "");
	return (segur_buf_detach(&b));
}

/* Sends req (len bytes) and reads the whole response (caller frees). */
static char *
exchange(struct rig *g, const char *req, size_t len)
{
	struct segur_buf b = SEGUR_BUF_INIT;
	char	 buf[4096];
	ssize_t	 n;
	size_t	 off = 0;
	int	 fd = dial(g);

	if (fd < 0)
		return (strdup("connect failed"));
	while (off < len) {
		n = send(fd, req + off, len - off, MSG_NOSIGNAL);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
		segur_buf_add(&b, buf, (size_t)n);
	close(fd);
	return (segur_buf_detach(&b));
}

static char *
get(struct rig *g, const char *req)
{
	return (exchange(g, req, strlen(req)));
}

/* Results the client thread leaves for the test to check. */
static char *answers[8];

static void
client_routes(struct rig *g)
{
	answers[0] = get(g, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
	g->healthy = 0;
	answers[1] = get(g, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
	answers[2] = get(g, "GET /metrics?x=1 HTTP/1.1\r\nHost: x\r\n\r\n");
	answers[3] = get(g, "GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n");
	answers[4] = get(g, "POST /metrics HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: 2\r\n\r\nab");
	answers[5] = get(g, "HEAD /healthz HTTP/1.0\r\n\r\n");
	answers[6] = get(g, "GET /api/v1/status HTTP/1.1\r\n\r\n");
	answers[7] = get(g, "this is not http\r\n\r\n");
}

static void
expect_prefix(const char *got, const char *want)
{
	if (strncmp(got, want, strlen(want)) != 0)
		fail_msg("response '%s' does not start with '%s'", got, want);
}

static void
expect_has(const char *got, const char *want)
{
	if (strstr(got, want) == NULL)
		fail_msg("response '%s' lacks '%s'", got, want);
}

static void
free_answers(void)
{
	size_t	 i;

	for (i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
		free(answers[i]);
		answers[i] = NULL;
	}
}

static void
test_daemon_http_routes_and_errors(void **state)
{
	struct rig g;

	(void)state;
	memset(&g, 0, sizeof(g));
	g.healthy = 1;
	run(&g, client_routes, 8192, 5000);
	expect_prefix(answers[0], "HTTP/1.1 200 OK\r\n");
	expect_has(answers[0], "Content-Length: 3\r\n");
	expect_has(answers[0], "Connection: close\r\n");
	expect_has(answers[0], "\r\n\r\nok\n");
	expect_prefix(answers[1], "HTTP/1.1 503 Service Unavailable\r\n");
	expect_has(answers[1], "\r\n\r\ninbox not writable\n");
	expect_prefix(answers[2], "HTTP/1.1 200 OK\r\n");
	expect_has(answers[2], "Content-Type: text/plain; version=0.0.4");
	expect_has(answers[2], "\r\n\r\n# HELP segurd_up Always 1.\n"
	    "# TYPE segurd_up gauge\nsegurd_up 1\n");
	expect_prefix(answers[3], "HTTP/1.1 404 Not Found\r\n");
	expect_prefix(answers[4], "HTTP/1.1 405 Method Not Allowed\r\n");
	expect_has(answers[4], "Allow: GET, HEAD\r\n");
	/* HEAD: the headers of GET, no body. */
	expect_prefix(answers[5], "HTTP/1.1 503 ");
	expect_has(answers[5], "Content-Length: 19\r\n");
	assert_string_equal(strstr(answers[5], "\r\n\r\n"), "\r\n\r\n");
	/* A failing provider is a 500 and its partial body is not sent. */
	expect_prefix(answers[6], "HTTP/1.1 500 Internal Server Error\r\n");
	assert_null(strstr(answers[6], "partial"));
	expect_prefix(answers[7], "HTTP/1.1 400 Bad Request\r\n");
	assert_int_equal(g.http.requests, 8);
	assert_int_equal(g.calls, 3);
	free_answers();
}

static void
client_oversize(struct rig *g)
{
	struct segur_buf b = SEGUR_BUF_INIT;
	int	 i;

	/* Headers beyond the limit. */
	segur_buf_adds(&b, "GET /healthz HTTP/1.1\r\n");
	for (i = 0; i < 200; i++)
		segur_buf_addf(&b, "X-Filler-%d: %s\r\n", i,
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	segur_buf_adds(&b, "\r\n");
	answers[0] = exchange(g, b.data, b.len);
	segur_buf_release(&b);
	/* A declared body beyond the limit, refused before it is sent. */
	answers[1] = get(g, "GET /healthz HTTP/1.1\r\n"
	    "Content-Length: 100000\r\n\r\n");
	/* A body that is sent, beyond the limit. */
	segur_buf_adds(&b, "GET /healthz HTTP/1.1\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n");
	for (i = 0; i < 40; i++)
		segur_buf_addf(&b, "100\r\n%0256d\r\n", 0);
	segur_buf_adds(&b, "0\r\n\r\n");
	answers[2] = exchange(g, b.data, b.len);
	segur_buf_release(&b);
	/* The limit does not stop a normal request afterwards. */
	answers[3] = get(g, "GET /healthz HTTP/1.1\r\n\r\n");
	/* A URL longer than 1 KiB, within the request limit. */
	segur_buf_adds(&b, "GET /");
	for (i = 0; i < 1100; i++)
		segur_buf_adds(&b, "a");
	segur_buf_adds(&b, " HTTP/1.1\r\n\r\n");
	answers[4] = exchange(g, b.data, b.len);
	segur_buf_release(&b);
}

static void
test_daemon_http_oversize_requests_refused(void **state)
{
	struct rig g;

	(void)state;
	memset(&g, 0, sizeof(g));
	g.healthy = 1;
	run(&g, client_oversize, 2048, 5000);
	expect_prefix(answers[0], "HTTP/1.1 431 ");
	expect_prefix(answers[1], "HTTP/1.1 413 ");
	expect_prefix(answers[2], "HTTP/1.1 413 ");
	expect_prefix(answers[3], "HTTP/1.1 200 OK");
	expect_prefix(answers[4], "HTTP/1.1 414 URI Too Long\r\n");
	free_answers();
}

static uint64_t slow_ms;

static void
client_slow(struct rig *g)
{
	struct segur_buf b = SEGUR_BUF_INIT;
	char	 buf[512];
	ssize_t	 n;
	uint64_t t0 = uv_hrtime();
	int	 fd = dial(g);

	/* Half a request, then nothing: the server must answer 408. */
	assert_true(fd >= 0);
	assert_true(send(fd, "GET /healthz HTTP/1.1\r\nHo", 25, 0) == 25);
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
		segur_buf_add(&b, buf, (size_t)n);
	slow_ms = (uv_hrtime() - t0) / 1000000;
	close(fd);
	answers[0] = segur_buf_detach(&b);
	/* A client that connects and never sends gets 408 too. */
	answers[1] = get(g, "");
}

static void
test_daemon_http_slow_client_times_out(void **state)
{
	struct rig g;

	(void)state;
	memset(&g, 0, sizeof(g));
	run(&g, client_slow, 8192, 1000);
	expect_prefix(answers[0], "HTTP/1.1 408 Request Timeout\r\n");
	expect_prefix(answers[1], "HTTP/1.1 408 Request Timeout\r\n");
	/* Closed at the deadline, not a second timeout later. */
	assert_true(slow_ms >= 1000);
	assert_true(slow_ms < 1900);
	assert_int_equal(g.http.nconns, 0);
	free_answers();
}

static void
client_versions(struct rig *g)
{
	answers[0] = get(g, "GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n");
	answers[1] = get(g, "GET /healthz\r\n\r\n");
	answers[2] = get(g, "GET /healthz HTTP/2.0\r\n\r\n");
	answers[3] = get(g, "GET /healthz HTTP/1.0\r\n\r\n");
	answers[4] = get(g, "GET /healthz HTTP/1.2\r\nHost: x\r\n\r\n");
}

static void
test_daemon_http_only_http_1_0_and_1_1(void **state)
{
	struct rig g;

	(void)state;
	memset(&g, 0, sizeof(g));
	g.healthy = 1;
	run(&g, client_versions, 8192, 5000);
	expect_prefix(answers[0],
	    "HTTP/1.1 505 HTTP Version Not Supported\r\n");
	expect_has(answers[0], "HTTP/1.0 et HTTP/1.1");
	expect_prefix(answers[1], "HTTP/1.1 400 Bad Request\r\n");
	expect_has(answers[1], "sans version HTTP");
	expect_prefix(answers[2], "HTTP/1.1 505 ");
	expect_prefix(answers[3], "HTTP/1.1 200 OK\r\n");
	expect_prefix(answers[4], "HTTP/1.1 505 ");
	assert_int_equal(g.calls, 1);
	free_answers();
}

static uint64_t healthz_ms;

static void
client_full_table(struct rig *g)
{
	int	 fds[SEGURD_HTTP_MAX_CONNS], i, eof;
	uint64_t t0;

	/* Every slot taken by a client that sent half a request line. */
	for (i = 0; i < SEGURD_HTTP_MAX_CONNS; i++)
		fds[i] = dial_slow(g, NULL);
	t0 = uv_hrtime();
	answers[0] = get(g, "GET /healthz HTTP/1.1\r\n\r\n");
	healthz_ms = (uv_hrtime() - t0) / 1000000;
	/* The oldest slow one made room: 408, closed. */
	answers[1] = read_until(fds[0], 2000, &eof);
	if (!eof)
		client_failed("the oldest slow client was not closed");
	/* The next one still waits, its deadline far. */
	answers[2] = read_until(fds[1], 100, &eof);
	if (eof)
		client_failed("the second slow client was closed");
	for (i = 0; i < SEGURD_HTTP_MAX_CONNS; i++)
		close(fds[i]);
}

static void
test_daemon_http_full_table_still_answers_healthz(void **state)
{
	struct rig g;

	(void)state;
	memset(&g, 0, sizeof(g));
	g.healthy = 1;
	run(&g, client_full_table, 8192, 30000);
	expect_client_ok();
	expect_prefix(answers[0], "HTTP/1.1 200 OK\r\n");
	assert_true(healthz_ms < 1000);
	expect_prefix(answers[1], "HTTP/1.1 408 Request Timeout\r\n");
	assert_string_equal(answers[2], "");
	assert_int_equal(g.http.evicted, 1);
	free_answers();
}

static void
client_per_client(struct rig *g)
{
	int	 other[2], mine[3], i, eof;

	/* Another client (127.0.0.2) holds its two slots. */
	for (i = 0; i < 2; i++)
		other[i] = dial_slow(g, "127.0.0.2");
	/* 127.0.0.1 opens a third: its own oldest goes, not the other's. */
	for (i = 0; i < 3; i++)
		mine[i] = dial_slow(g, "127.0.0.1");
	answers[0] = read_until(mine[0], 2000, &eof);
	if (!eof)
		client_failed("127.0.0.1's oldest was not closed");
	answers[1] = read_until(mine[1], 100, &eof);
	if (eof)
		client_failed("127.0.0.1's second was closed");
	answers[2] = read_until(other[0], 100, &eof);
	if (eof)
		client_failed("127.0.0.2's first was closed");
	/* The other client finishes its request and is answered. */
	if (send(other[0], "P/1.1\r\n\r\n", 9, 0) != 9)
		client_failed("cannot send the end of the request");
	answers[3] = read_until(other[0], 2000, &eof);
	if (!eof)
		client_failed("127.0.0.2 was not answered");
	for (i = 0; i < 2; i++)
		close(other[i]);
	for (i = 0; i < 3; i++)
		close(mine[i]);
}

static void
test_daemon_http_per_client_bound(void **state)
{
	struct rig g;

	(void)state;
	memset(&g, 0, sizeof(g));
	g.healthy = 1;
	g.per_client = 2;
	run(&g, client_per_client, 8192, 30000);
	expect_client_ok();
	expect_prefix(answers[0], "HTTP/1.1 408 Request Timeout\r\n");
	assert_string_equal(answers[1], "");
	assert_string_equal(answers[2], "");
	expect_prefix(answers[3], "HTTP/1.1 200 OK\r\n");
	assert_int_equal(g.http.evicted, 1);
	free_answers();
}

static void
client_one(struct rig *g)
{
	answers[0] = get(g, "GET /healthz HTTP/1.1\r\n\r\n");
}

static void
test_daemon_http_unix_socket(void **state)
{
	struct rig g;
	char	*dir;

	(void)state;
	dir = helper_tmpdir("test-http");
	memset(&g, 0, sizeof(g));
	g.healthy = 1;
	g.l.kind = SEGURD_LISTEN_UNIX;
	snprintf(g.l.path, sizeof(g.l.path), "%s/s.sock", dir);
	run(&g, client_one, 8192, 5000);
	expect_prefix(answers[0], "HTTP/1.1 200 OK\r\n");
	free_answers();
	/* A stale socket left by a crash does not stop a restart. */
	memset(&g.loop, 0, sizeof(g.loop));
	run(&g, client_one, 8192, 5000);
	expect_prefix(answers[0], "HTTP/1.1 200 OK\r\n");
	free_answers();
	unlink(g.l.path);
	helper_tmpdir_free(dir);
}

static void
client_console(struct rig *g)
{
	answers[0] = get(g, "GET /x/%41y?q=%3Cb%3E&a=1 HTTP/1.1\r\n\r\n");
	answers[1] = get(g, "GET /later HTTP/1.1\r\n\r\n");
	answers[2] = get(g, "DELETE /x HTTP/1.1\r\n\r\n");
	answers[3] = get(g, "GET /healthz HTTP/1.1\r\n\r\n");
}

/* Paths beyond the three routes go to the console's handler, raw; a
 * deferred answer comes when the handler finishes it, with its headers
 * and the security headers of every answer. */
static void
test_daemon_http_console_routes_and_defers(void **state)
{
	struct rig g;

	(void)state;
	memset(&g, 0, sizeof(g));
	g.healthy = 1;
	g.console = 1;
	g.later_ms = 50;
	run(&g, client_console, 8192, 5000);
	expect_client_ok();
	expect_prefix(answers[0], "HTTP/1.1 200 OK\r\n");
	expect_has(answers[0], "path=/x/%41y query=q=%3Cb%3E&a=1 head=0");
	expect_has(answers[0], "\r\nX-Echo: 1\r\n");
	expect_has(answers[0], "\r\nContent-Security-Policy: default-src "
	    "'none'; style-src 'self'; form-action 'self'; base-uri 'none'; "
	    "frame-ancestors 'none'\r\n");
	expect_has(answers[0], "\r\nReferrer-Policy: no-referrer\r\n");
	expect_has(answers[0], "\r\nX-Content-Type-Options: nosniff\r\n");
	expect_prefix(answers[1], "HTTP/1.1 200 OK\r\n");
	expect_has(answers[1], "\r\nX-Later: 1\r\n");
	expect_has(answers[1], "\r\n\r\ndone later\n");
	expect_prefix(answers[2], "HTTP/1.1 405 ");
	expect_has(answers[3], "\r\n\r\nok\n");
	free_answers();
}

static void
client_leaves(struct rig *g)
{
	const char *req = "GET /later HTTP/1.1\r\n\r\n";
	int	 fd = dial(g);

	if (fd < 0 || send(fd, req, strlen(req), 0) != (ssize_t)strlen(req))
		client_failed("cannot send");
	/* Long enough for the loop to take the request, not to answer. */
	usleep(50 * 1000);
	if (fd >= 0)
		close(fd);
}

/* The endpoint closes while an answer is deferred (shutdown): the
 * connection is freed when the handler finishes it, and the loop closes
 * (ASan: nothing leaks, nothing is used after free). */
static void
test_daemon_http_close_while_deferred(void **state)
{
	struct rig g;

	(void)state;
	memset(&g, 0, sizeof(g));
	g.healthy = 1;
	g.console = 1;
	g.later_ms = 300;
	run(&g, client_leaves, 8192, 5000);
	expect_client_ok();
}

static void
test_daemon_console_decode(void **state)
{
	char	 out[64];

	(void)state;
	assert_int_equal(segurd_console_decode("BC-1", 4, 0, out), 4);
	assert_string_equal(out, "BC-1");
	assert_int_equal(segurd_console_decode("a%2Fb%20c%c3%a9", 15, 0,
	    out), 7);
	assert_string_equal(out, "a/b c\xc3\xa9");
	/* '+' is a space in a query only. */
	assert_int_equal(segurd_console_decode("a+b", 3, 1, out), 3);
	assert_string_equal(out, "a b");
	assert_int_equal(segurd_console_decode("a+b", 3, 0, out), 3);
	assert_string_equal(out, "a+b");
	assert_int_equal(segurd_console_decode("%3Cscript%3E", 12, 1, out),
	    8);
	assert_string_equal(out, "<script>");
	assert_int_equal(segurd_console_decode("", 0, 0, out), 0);
	assert_string_equal(out, "");
	/* Bad encodings. */
	assert_int_equal(segurd_console_decode("%", 1, 0, out), -1);
	assert_int_equal(segurd_console_decode("a%4", 3, 0, out), -1);
	assert_int_equal(segurd_console_decode("%G1", 3, 0, out), -1);
	assert_int_equal(segurd_console_decode("%1G", 3, 0, out), -1);
	assert_int_equal(segurd_console_decode("%%41", 4, 0, out), -1);
	/* What no reference holds: NUL and control characters. */
	assert_int_equal(segurd_console_decode("a%00b", 5, 0, out), -1);
	assert_int_equal(segurd_console_decode("a%0Ab", 5, 0, out), -1);
	assert_int_equal(segurd_console_decode("a%7Fb", 5, 0, out), -1);
	assert_int_equal(segurd_console_decode("a\tb", 3, 0, out), -1);
	/* Only n bytes are read. */
	assert_int_equal(segurd_console_decode("ab%41", 3, 0, out), -1);
	assert_int_equal(segurd_console_decode("ab%41", 2, 0, out), 2);
	assert_string_equal(out, "ab");
}

static void
test_daemon_http_taken_port_is_an_error(void **state)
{
	struct segurd_http_providers prov = { NULL, NULL, NULL, NULL, NULL };
	struct segurd_http_limits lim = { 8192, 1000, 8 };
	struct segurd_http a, b;
	struct segurd_listen l;
	uv_loop_t loop;
	char	*cause = NULL;

	(void)state;
	memset(&l, 0, sizeof(l));
	l.kind = SEGURD_LISTEN_TCP;
	snprintf(l.host, sizeof(l.host), "127.0.0.1");
	assert_int_equal(uv_loop_init(&loop), 0);
	assert_int_equal(segurd_http_init(&a, &loop, &l, &lim, &prov, NULL),
	    0);
	assert_int_equal(segurd_http_start(&a, NULL), 0);
	l.port = segurd_http_port(&a);
	assert_int_equal(segurd_http_init(&b, &loop, &l, &lim, &prov, NULL),
	    0);
	assert_int_equal(segurd_http_start(&b, &cause), SEGUR_EIO);
	assert_non_null(strstr(cause, "impossible d'écouter sur 127.0.0.1:"));
	free(cause);
	/* Closed after a failed start too, as after a good one. */
	segurd_http_close(&b, NULL);
	segurd_http_close(&a, NULL);
	assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(uv_loop_close(&loop), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_daemon_http_routes_and_errors),
		cmocka_unit_test(test_daemon_http_oversize_requests_refused),
		cmocka_unit_test(test_daemon_http_slow_client_times_out),
		cmocka_unit_test(test_daemon_http_only_http_1_0_and_1_1),
		cmocka_unit_test(
		    test_daemon_http_full_table_still_answers_healthz),
		cmocka_unit_test(test_daemon_http_per_client_bound),
		cmocka_unit_test(test_daemon_http_unix_socket),
		cmocka_unit_test(test_daemon_http_taken_port_is_an_error),
		cmocka_unit_test(test_daemon_http_console_routes_and_defers),
		cmocka_unit_test(test_daemon_http_close_while_deferred),
		cmocka_unit_test(test_daemon_console_decode),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
