/*
 * http.h: segurd's read-only HTTP/1.1 endpoint, on loopback or a Unix
 * socket, parsed with http-parser.
 *
 * Three routes, GET or HEAD only: /healthz, /metrics and /api/v1/status,
 * each answered by a provider callback the daemon supplies, so that this
 * module knows nothing of the ledger. Anything else is 404, another
 * method on a route 405 (with Allow), a request whose headers exceed
 * max_request bytes 431 and whose body would 413, a client that has not
 * sent a whole request within the timeout 408. Every response carries
 * "Connection: close": one request per connection.
 */
#ifndef SEGURD_HTTP_H
#define SEGURD_HTTP_H

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
};

/*
 * A provider answers one route on the loop thread: it must not block
 * (read what is cached, or a quick read-only query). It returns 0 with
 * resp filled, or a negative SEGUR_E* to have the client answered 500.
 */
typedef int	(*segurd_http_provider)(void *arg,
		    struct segurd_http_response *resp);

struct segurd_http_providers {
	segurd_http_provider healthz;	/* "ok", or 503 and why not */
	segurd_http_provider metrics;	/* Prometheus text format */
	segurd_http_provider status;	/* JSON */
	void		*arg;		/* borrowed; passed to each */
};

struct segurd_http_conn;

struct segurd_http {
	uv_loop_t	*loop;
	union {
		uv_tcp_t	 tcp;
		uv_pipe_t	 pipe;
	} listener;
	int		 listening;
	int		 closing;
	size_t		 max_request;
	uint64_t	 timeout_ms;
	struct segurd_http_providers prov;
	struct segurd_http_conn *conns;	/* open connections */
	size_t		 nconns;
	unsigned	 pending_closes;
	void		(*closed_cb)(struct segurd_http *);
	char		 where[128];	/* "127.0.0.1:9477" or the path */
	uint64_t	 requests;	/* responses sent, any status */
};

/*
 * Binds and listens on l. The socket is open when this returns, so that
 * start-up fails early on a taken port. Returns 0 or SEGUR_EIO + cause;
 * on error the listener is already being closed (run the loop once before
 * uv_loop_close()) and segurd_http_close() must not be called.
 */
int	 segurd_http_init(struct segurd_http *h, uv_loop_t *loop,
	    const struct segurd_listen *l, size_t max_request,
	    uint64_t timeout_ms, const struct segurd_http_providers *prov,
	    char **cause);

/* New limits, applied to connections accepted from now on (SIGHUP). */
void	 segurd_http_set_limits(struct segurd_http *h, size_t max_request,
	    uint64_t timeout_ms);

/* The port actually bound (TCP), for tests that listen on port 0. */
int	 segurd_http_port(const struct segurd_http *h);

/*
 * Stops listening and closes every connection; closed_cb (may be NULL)
 * runs once every handle is closed, after which h may be freed.
 */
void	 segurd_http_close(struct segurd_http *h,
	    void (*closed_cb)(struct segurd_http *));

#endif /* SEGURD_HTTP_H */
