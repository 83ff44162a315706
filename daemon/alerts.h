/*
 * alerts.h: delivering the ledger's outbox through deliver.c.
 *
 * The outbox is the truth: an alert is sent to a channel until the
 * ledger records it delivered (or failed) there, so that nothing is lost
 * across a crash and a restart sends again what was not recorded (with
 * the same id, which receivers use to drop the duplicate). Every ledger
 * read and write runs in uv_queue_work, one job at a time, on a ledger
 * handle of its own: the loop never waits on SQLite, and the handle is
 * never used by two threads at once.
 *
 * Lifecycle, as libuv's for an opaque object that owns handles:
 * segurd_alerts_new() (allocated, handles initialized, nothing read) ->
 * segurd_alerts_start() (the timer, a first read of the outbox) ->
 * wake()/configure()/remind()* -> segurd_alerts_close() -> (run the
 * loop) -> done callback, after which it is freed. After new, close is
 * always called.
 */
#ifndef SEGURD_ALERTS_H
#define SEGURD_ALERTS_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "config.h"

struct segurd_alerts;

/* What the daily reminder check needs (see remind.h). */
struct segurd_remind_req {
	char		 today[11];	/* "AAAA-MM-JJ", local date */
	unsigned	 submitted_days;
	unsigned	 decision_days;
	unsigned	 balance_days;
	unsigned	 balance_deadline_days;
	int		 chain_head;	/* queue the daily chain head */
};

/*
 * Prepares delivery on loop (borrowed) from the ledger at ledger_path
 * (copied), to the channels of cfg (borrowed until the next configure()
 * or close(): the caller keeps cfg alive as long as it is the running
 * configuration). The delivery policy (retry_for, timeouts) is read once,
 * here. No I/O. Returns NULL with *cause set (caller frees): out of
 * memory, or a channel the deliverer refuses.
 */
struct segurd_alerts *segurd_alerts_new(uv_loop_t *loop,
	    const char *ledger_path, const struct segurd_config *cfg,
	    char **cause);

/* Starts: the periodic read, and a first read of what the outbox holds
 * already (a restart): more than a handful (alerts.c's
 * STARTUP_DIGEST_OVER) go out as one digest per channel. */
void	segurd_alerts_start(struct segurd_alerts *a);

/*
 * Checks the channels of cfg as the deliverer will use them (for
 * --check-config and before a reload). Returns 0 or SEGUR_EINVAL with a
 * cause naming the channel, never quoting a secret or a URL's token.
 */
int	segurd_alerts_check_config(const struct segurd_config *cfg,
	    char **cause);

/*
 * Takes the channels and the digest period of a new configuration
 * (borrowed as above); channels disabled by a 410 are enabled again.
 * Deliveries in progress finish on the channel they started with.
 * Returns 0, or SEGUR_EINVAL (a channel refused, see check_config) or
 * SEGUR_ENOMEM with a cause: the old channels stay.
 */
int	segurd_alerts_configure(struct segurd_alerts *a,
	    const struct segurd_config *cfg, char **cause);

/* New alerts may be in the outbox (a file was ingested): read them soon
 * (in digest mode, at the end of the period). */
void	segurd_alerts_wake(struct segurd_alerts *a);

/* Runs the reminder check (req copied) on the alerts' worker, then
 * delivers what it queued. */
void	segurd_alerts_remind(struct segurd_alerts *a,
	    const struct segurd_remind_req *req);

/* Submissions in progress (for logs and tests). */
size_t	segurd_alerts_inflight(const struct segurd_alerts *a);

/*
 * Stops: the timer, the deliverer (deliveries in progress are recorded
 * pending, due again at the next start), a last job to record the
 * outcomes. Once everything is closed, a is freed and done(arg) called.
 */
void	segurd_alerts_close(struct segurd_alerts *a, void (*done)(void *),
	    void *arg);

#endif /* SEGURD_ALERTS_H */
