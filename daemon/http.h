/*
 * http.h: segurd's read-only HTTP/1.1 endpoint, on loopback or a Unix
 * socket, parsed with http-parser.
 *
 * Three routes, GET or HEAD only: /healthz, /metrics and /api/v1/status,
 * each answered by a provider callback the daemon supplies, so that this
 * module knows nothing of the ledger; every other path goes to the
 * console's handler when there is one (daemon/console.c). Anything else
 * is 404, another
 * method on a route 405 (with Allow), a request whose headers exceed
 * max_request bytes 431 and whose body would 413, a client that has not
 * sent a whole request within the timeout 408 (and is closed at once),
 * a version other than HTTP/1.0 and 1.1 505, a request line without one
 * 400. Every response carries "Connection: close": one request per
 * connection, and the security headers: a Content-Security-Policy that
 * allows only style sheets from segurd itself, nosniff, no framing, no
 * Referer.
 *
 * Slots: at most SEGURD_HTTP_MAX_CONNS connections at once, and at most
 * max_per_client from one client (its IP address over TCP, its user id
 * over the Unix socket). A connection that would go beyond either bound
 * evicts the oldest connection still waiting for its request or already
 * answered (of the same client for the per-client bound), which gets 408
 * and is closed; a client that sends its request at once, as /healthz
 * and /metrics scrapers do, is answered while slow clients wait.
 *
 * Lifecycle, as libuv's: segurd_http_init() (the caller's storage, the
 * listener initialized, no I/O) -> segurd_http_start() (bound, listening)
 * -> segurd_http_close() -> (run the loop) -> closed callback. After
 * init, close is always called, start having failed or not.
 */
#ifndef SEGURD_HTTP_H
#define SEGURD_HTTP_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "config.h"

/* What a provider fills. */
struct segurd_http_response {
	int		 status;	/* 200 unless the provider says */
	const char	*content_type;	/* static string */
	char		*body;		/* malloc'ed; freed by http.c */
	size_t		 len;
	char		*headers;	/* malloc'ed extra header lines, each
					   ending in CRLF, or NULL; freed by
					   http.c */
	int		 deferred;	/* the console handler answers later,
					   with segurd_http_finish() */
};

struct segurd_http_conn;

/* A request as the console handler sees it; borrowed for the call. */
struct segurd_http_request {
	const char	*path;		/* as sent, not decoded, no query */
	const char	*query;		/* after '?', not decoded; "" if none */
	int		 head;		/* HEAD: the body is left out */
	struct segurd_http_conn *conn;	/* for segurd_http_finish() */
};

/*
 * A provider answers one route on the loop thread: it must not block
 * (read what is cached, or a quick read-only query). It returns 0 with
 * resp filled, or a negative SEGUR_E* to have the client answered 500.
 */
typedef int	(*segurd_http_provider)(void *arg,
		    struct segurd_http_response *resp);

/*
 * The console's handler answers every GET or HEAD outside the three
 * routes (404 is its to give), on the loop thread, with the same rules
 * as a provider. Work that may take long is deferred: it sets
 * resp->deferred, keeps req->conn, and answers once with
 * segurd_http_finish(); the connection's deadline is suspended meanwhile.
 */
typedef int	(*segurd_http_handler)(void *arg,
		    const struct segurd_http_request *req,
		    struct segurd_http_response *resp);

struct segurd_http_providers {
	segurd_http_provider healthz;	/* "ok", or 503 and why not */
	segurd_http_provider metrics;	/* Prometheus text format */
	segurd_http_provider status;	/* JSON */
	segurd_http_handler console;	/* pages and their JSON; NULL: 404 */
	void		*arg;		/* borrowed; passed to each */
};

#define SEGURD_HTTP_MAX_CONNS	64

/* What the endpoint is given by the configuration. */
struct segurd_http_limits {
	size_t		 max_request;	/* bytes, headers included */
	uint64_t	 timeout_ms;	/* to send a whole request */
	unsigned	 max_per_client;	/* connections, 1 to 64 */
};

struct segurd_http {
	uv_loop_t	*loop;
	union {
		uv_tcp_t	 tcp;
		uv_pipe_t	 pipe;
	} listener;
	int		 is_tcp;
	struct sockaddr_storage addr;	/* TCP: where to bind */
	char		 path[108];	/* Unix: the socket's path */
	int		 closing;
	struct segurd_http_limits lim;
	struct segurd_http_providers prov;
	struct segurd_http_conn *conns;	/* open connections, newest first */
	size_t		 nconns;
	uint64_t	 seq;		/* connections accepted */
	unsigned	 pending_closes;
	void		(*closed_cb)(struct segurd_http *);
	char		 where[128];	/* "127.0.0.1:9477" or the path */
	uint64_t	 requests;	/* responses sent, any status */
	uint64_t	 evicted;	/* connections evicted for a new one */
};

/*
 * Prepares h (the caller's storage) to serve l (copied) on loop
 * (borrowed) with lim and prov (copied): the listener handle is
 * initialized, nothing is bound. Returns 0, or SEGUR_EINVAL with *cause
 * for an address libuv refuses, and then nothing is to be closed.
 */
int	 segurd_http_init(struct segurd_http *h, uv_loop_t *loop,
	    const struct segurd_listen *l, const struct segurd_http_limits *lim,
	    const struct segurd_http_providers *prov, char **cause);

/*
 * Binds and listens. The socket is open when this returns, so that
 * start-up fails early on a taken port. Returns 0 or SEGUR_EIO + cause.
 */
int	 segurd_http_start(struct segurd_http *h, char **cause);

/* New limits, applied to connections accepted from now on (SIGHUP). */
void	 segurd_http_set_limits(struct segurd_http *h,
	    const struct segurd_http_limits *lim);

/* The port actually bound (TCP), for tests that listen on port 0. */
int	 segurd_http_port(const struct segurd_http *h);

/*
 * Answers a request its handler deferred (resp: body and headers are
 * taken, status 0 means 500). Called once per deferral, from the loop
 * thread. When the connection was closed meanwhile (shutdown), the answer
 * is dropped and the connection freed.
 */
void	 segurd_http_finish(struct segurd_http_conn *c,
	    struct segurd_http_response *resp);

/*
 * Stops listening and closes every connection; closed_cb (may be NULL)
 * runs once every handle is closed, after which h may be freed.
 */
void	 segurd_http_close(struct segurd_http *h,
	    void (*closed_cb)(struct segurd_http *));

#endif /* SEGURD_HTTP_H */
