/*
 * deliver.h: alert delivery over libcurl, driven by the libuv loop.
 *
 * The daemon hands one alert for one channel to segurd_deliver_submit();
 * the deliverer tries, retries with exponential backoff and full jitter,
 * and calls the caller's callback exactly once for that submission with
 * the outcome (delivered, failed for good, endpoint disabled, or
 * cancelled by shutdown), which the daemon records in the ledger's
 * outbox. It knows nothing of the ledger: an alert sent twice (after a
 * crash between delivery and record) carries the same id, so receivers
 * drop the duplicate.
 *
 * Channels: a Standard Webhooks webhook (signed JSON), a chat incoming
 * webhook ({"text": ...}), e-mail over SMTP with STARTTLS. Everything
 * runs on the loop given to segurd_deliver_new() through libcurl's
 * multi-socket API (uv_poll per socket, one uv_timer for curl, one
 * uv_timer per waiting retry): nothing blocks, not even DNS (libcurl's
 * threaded resolver).
 *
 * Lifecycle:  segurd_deliver_new() -> submit()* -> segurd_deliver_close()
 * -> (run the loop) -> close callback -> uv_loop_close() returns 0.
 * libcurl itself is loaded only before the first attempt (curl-load.h): a
 * deliverer that is never given work never maps it.
 */
#ifndef SEGURD_DELIVER_H
#define SEGURD_DELIVER_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "segur/alert.h"

enum segurd_channel_type {
	SEGURD_CHANNEL_WEBHOOK = 1,	/* Standard Webhooks JSON, signed */
	SEGURD_CHANNEL_CHAT,		/* {"text": ...} to an incoming hook */
	SEGURD_CHANNEL_MAIL		/* SMTP through libcurl */
};

/* STARTTLS on smtp:// URLs (smtps:// is TLS from the start anyway). */
enum segurd_starttls {
	SEGURD_STARTTLS_REQUIRED = 0,	/* CURLUSESSL_ALL: no TLS, no mail */
	SEGURD_STARTTLS_TRY,		/* CURLUSESSL_TRY: clear text if the
					   server offers no STARTTLS */
	SEGURD_STARTTLS_OFF		/* CURLUSESSL_NONE */
};

/*
 * A channel as the configuration describes it. Every pointer is borrowed
 * for the duration of the call it is passed to: submit() copies what it
 * needs, so the configuration may be reloaded while deliveries run.
 */
struct segurd_channel {
	int		 type;		/* SEGURD_CHANNEL_* */
	const char	*name;		/* for logs and reasons: "webhook",
					   "mail"; never the URL, which may
					   hold a token (Slack, Mattermost) */
	const char	*url;		/* http(s)://..., smtp(s)://host:port */
	const char	*secret;	/* webhook/chat: "whsec_<base64>" read
					   from a file, NULL for no signature;
					   chat sends one too if set */
	const char	*cainfo;	/* CA bundle (PEM file) to trust, NULL
					   for the system's */
	/* SEGURD_CHANNEL_MAIL only. */
	const char	*mail_from;	/* bare address: "segurd@example.org" */
	const char *const *mail_to;	/* nmail_to bare addresses */
	size_t		 nmail_to;
	const char	*username;	/* SMTP AUTH, NULL for none */
	const char	*password;	/* read from a file; never logged */
	int		 starttls;	/* SEGURD_STARTTLS_* */
};

/*
 * Retries: after failed attempt n (1, 2, ...) the next one waits a delay
 * drawn uniformly in [0, min(max_delay_ms, first_ms * 2^(n-1))] ("full
 * jitter": many daemons restarting together do not retry in step). The
 * last wait is shortened so that an attempt happens at give_up_ms after
 * submission; a failure at or after give_up_ms is final. Each attempt is
 * cut after timeout_ms. segurd_deliver_new() raises first_ms to 1 ms,
 * max_delay_ms to first_ms, and a zero timeout_ms to 30 s.
 */
struct segurd_deliver_policy {
	uint64_t	first_ms;	/* 1000 */
	uint64_t	max_delay_ms;	/* 600000: ten minutes */
	uint64_t	give_up_ms;	/* 86400000: one day */
	uint64_t	timeout_ms;	/* 30000, per attempt */
	unsigned	max_inflight;	/* 16 attempts at once at most (0: 16);
					   the others wait their turn, in
					   order, so that a burst of alerts
					   does not open hundreds of
					   connections to one chat server */
};
#define SEGURD_DELIVER_POLICY_DEFAULT { 1000, 600000, 86400000, 30000, 16 }

/* 64 random bits from the caller's source (seeded: tests are exact). */
typedef uint64_t segurd_deliver_rand_fn(void *arg);

/*
 * SplitMix64 over the uint64_t that arg points to: a fine default source
 * once seeded (uv_random() in the daemon, a constant in tests).
 */
uint64_t	segurd_deliver_splitmix64(void *arg);

/*
 * The wait before attempt n + 1 after attempt n failed, elapsed_ms after
 * submission: 0 with *delay_ms set, or 1 when it is time to give up.
 * Pure; exposed for the tests and the documentation's table.
 */
int	segurd_deliver_next_delay(const struct segurd_deliver_policy *p,
	    unsigned n, uint64_t elapsed_ms, segurd_deliver_rand_fn *rnd,
	    void *rnd_arg, uint64_t *delay_ms);

/* syslog(3) levels (LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG). */
typedef void segurd_deliver_log_fn(void *arg, int level, const char *msg);

enum segurd_deliver_status {
	SEGURD_DELIVER_OK = 0,		/* the receiver has it (2xx, SMTP) */
	SEGURD_DELIVER_FAILED,		/* given up: permanent error, or still
					   failing give_up_ms after submit */
	SEGURD_DELIVER_DISABLED,	/* HTTP 410 Gone: stop using the
					   endpoint until reconfigured */
	SEGURD_DELIVER_CANCELLED	/* segurd_deliver_close() came first:
					   leave the alert pending */
};

struct segurd_deliver_result {
	int		 status;	/* SEGURD_DELIVER_* */
	const char	*alert_id;	/* borrowed for the callback */
	const char	*channel;	/* borrowed for the callback */
	unsigned	 attempts;	/* attempts made (0: cancelled early) */
	long		 code;		/* last HTTP status or SMTP reply, 0 if
					   none */
	const char	*reason;	/* borrowed for the callback; English,
					   one line: why it failed, the last
					   error of a success after retries,
					   or NULL */
};

/*
 * Called once per submission, from the loop (never from inside submit()).
 * May call submit() again (e.g. to the next channel), except during
 * close, where submit() refuses.
 */
typedef void segurd_deliver_cb(void *arg,
	    const struct segurd_deliver_result *r);

struct segurd_deliver;

/*
 * Creates a deliverer on loop (borrowed; must outlive the deliverer).
 * policy may be NULL for the defaults; rnd draws jitter; log may be NULL.
 * Returns NULL with *cause set (caller frees) on failure.
 */
struct segurd_deliver *segurd_deliver_new(uv_loop_t *loop,
	    const struct segurd_deliver_policy *policy,
	    segurd_deliver_rand_fn *rnd, void *rnd_arg,
	    segurd_deliver_log_fn *log, void *log_arg, char **cause);

/*
 * Checks a channel as the configuration gives it (type, URL scheme,
 * secret, addresses), so that segurd --check-config can refuse it.
 * Returns 0 or SEGUR_EINVAL with a cause that never quotes a secret.
 */
int	segurd_channel_check(const struct segurd_channel *ch, char **cause);

/*
 * Starts delivering alert (borrowed: rendered and copied now) to ch
 * (borrowed: copied now). cb(arg, result) is called exactly once, later,
 * from the loop. Returns 0; SEGUR_EINVAL for a bad alert or channel,
 * SEGUR_ESTATE while closing, SEGUR_ENOMEM; on error cb is never called.
 */
int	segurd_deliver_submit(struct segurd_deliver *d,
	    const struct segurd_channel *ch, const struct segur_alert *alert,
	    segurd_deliver_cb *cb, void *arg, char **cause);

/* Submissions whose callback has not run yet (for /metrics, healthz). */
size_t	segurd_deliver_pending(const struct segurd_deliver *d);

/*
 * Orderly shutdown: refuses new work, stops every transfer and retry
 * timer (their callbacks run now with SEGURD_DELIVER_CANCELLED), cleans
 * up the curl multi handle while the loop runs, closes every libuv
 * handle. Once the last close callback has run, d is freed and done(arg)
 * is called (done may be NULL): keep running the loop until then, and
 * uv_loop_close() returns 0.
 */
void	segurd_deliver_close(struct segurd_deliver *d,
	    void (*done)(void *arg), void *arg);

#endif /* SEGURD_DELIVER_H */
