/*
 * outbox.h: the alerts outbox of the ledger.
 *
 * An alert is queued in the same transaction as the change that raises it
 * (a rejected line, an anomaly, a quarantined file), so it can never be
 * lost across a crash; segurd delivers it at least once per configured
 * channel, and records each delivery's fate here. Alert ids are stable
 * ("alert-000123"), so receivers can drop duplicates.
 */
#ifndef SEGUR_OUTBOX_H
#define SEGUR_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

struct segur_ledger;
struct cJSON;

/*
 * Queues an alert: kind (SEGUR_ALERT_* of alert.h), severity ("info",
 * "warning", "error"), the request and file it is about (0: none), and
 * its facts (a JSON object, borrowed; the keys of alert.h). The French
 * subject is composed from them. Joins the caller's transaction (or runs
 * one of its own) and logs an "alert.queued" event. *id (may be NULL)
 * receives the alert's row id.
 */
int	segur_outbox_add(struct segur_ledger *l, const char *kind,
	    const char *severity, int64_t request_id, int64_t file_id,
	    const struct cJSON *facts, int64_t *id, char **cause);

/* The stable id of alert row id: "alert-000123". */
void	segur_outbox_alert_id(int64_t id, char buf[32]);

/* One alert as listed. Borrowed for the call of the callback. */
struct segur_outbox_row {
	int64_t		 id;
	const char	*kind;
	const char	*severity;
	const char	*created_at;
	const char	*subject;
	const char	*facts;		/* JSON text */
	const char	*ref;		/* request reference, or NULL */
	int		 delivered;	/* deliveries in each state */
	int		 pending;
	int		 failed;
	const char	*last_error;	/* of a failed delivery, or NULL */
};

struct segur_outbox_filter {
	const char	*state;		/* "pending", "delivered", "failed"
					   (an alert with a delivery in that
					   state), "undelivered" (no delivery
					   yet), or NULL: all */
	const char	*kind;		/* or NULL */
	size_t		 limit;		/* 0: all */
};

/* Calls fn for each alert, newest first; fn returns non-zero to stop. */
int	segur_outbox_list(struct segur_ledger *l,
	    const struct segur_outbox_filter *f,
	    int (*fn)(void *arg, const struct segur_outbox_row *row),
	    void *arg, char **cause);

/*
 * Delivery, as segurd does it: for each channel (named as segurd's
 * configuration names it, "webhook:ops", "mail"), the alerts that still
 * need sending are those with no alert_delivery row for that channel, or
 * a row still 'pending' whose next_at has come. Each outcome is recorded
 * in one transaction with its event ("alert.delivered", "alert.failed",
 * "alert.retry"), so that the outbox stays the truth across a crash:
 * what is not recorded delivered is sent again.
 */
struct segur_outbox_due {
	int64_t		 id;
	const char	*kind;
	const char	*severity;
	const char	*created_at;	/* "2026-11-27T13:35:02Z" */
	const char	*subject;
	const char	*facts;		/* JSON text */
	int		 tries;		/* attempts already recorded */
};

/*
 * Calls fn for each alert due on channel at now (an RFC 3339 UTC time,
 * NULL: the current time), oldest first, at most limit (0: all); fn
 * returns non-zero to stop. Borrowed rows, for the call only.
 */
int	segur_outbox_due(struct segur_ledger *l, const char *channel,
	    const char *now, size_t limit,
	    int (*fn)(void *arg, const struct segur_outbox_due *row),
	    void *arg, char **cause);

/*
 * Records the outcome of delivering alert id on channel, after tries
 * more attempts (added to those recorded):
 *  - delivered: the receiver has it;
 *  - failed: given up, with error (one line, English, no secret);
 *  - retry: still pending, due again at next_at (RFC 3339 UTC), with
 *    the last error or NULL (an interrupted delivery).
 * SEGUR_ENOENT if the alert does not exist. A delivered row is never
 * turned back: recording again a delivery already delivered is a no-op.
 */
int	segur_outbox_delivered(struct segur_ledger *l, int64_t id,
	    const char *channel, int tries, char **cause);
int	segur_outbox_failed(struct segur_ledger *l, int64_t id,
	    const char *channel, int tries, const char *error, char **cause);
int	segur_outbox_retry(struct segur_ledger *l, int64_t id,
	    const char *channel, int tries, const char *next_at,
	    const char *error, char **cause);

#endif /* SEGUR_OUTBOX_H */
