/*
 * remind.h: reminders of what waits too long on the ASP's side or ours.
 *
 * A daily check (segurd at [reminders] at, or segurctl remind) queues in
 * the outbox one "reminder" alert, in French with the action to take,
 * for each request that:
 *  - submitted: was sent in a file that has no answer after N days;
 *  - decision: was accepted with no grant or refusal after N days;
 *  - balance: had its advance paid with no balance request after N days;
 *  - deadline: has a balance deadline (advance date + D days) 30, 7 or
 *    1 days ahead;
 * and one for each anomaly still open (include/segur/anomaly.h), every
 * day from the day after it was recorded until it is resolved (kind
 * "anomaly", ref: its request's, else its numeroEditeur; period J+N;
 * the day kept in anomaly.reminded_on).
 * Each reminder is sent once per request and period (every N days: day
 * N, 2N...; for the deadline: J-30, J-7, J-1), recorded in the table
 * reminder in the same transaction as its alert, so that a restart or a
 * second check the same day sends nothing again. A request that moves on
 * (answered, granted...) stops being reminded; one submitted again starts
 * a new count from its new file.
 */
#ifndef SEGUR_REMIND_H
#define SEGUR_REMIND_H

#include <stdint.h>

struct segur_ledger;

struct segur_remind_opts {
	const char	*today;		/* "AAAA-MM-JJ"; NULL: today (UTC) */
	unsigned	 submitted_days;	/* 0 disables each kind */
	unsigned	 decision_days;
	unsigned	 balance_days;
	unsigned	 balance_deadline_days;	/* 0: the ledger's default */
	int		 dry_run;	/* list what is due, record nothing */
};

/* One reminder due today and not sent before. Borrowed for the call. */
struct segur_remind_item {
	int64_t		 request_id;
	const char	*ref;
	const char	*kind;		/* "submitted", "decision", "balance",
					   "deadline", "anomaly" */
	const char	*since;		/* "AAAA-MM-JJ": file, acceptance or
					   advance date */
	const char	*period;	/* "J+7", "J+14"...; "J-30", "J-7",
					   "J-1" */
	int		 days;		/* days since since (deadline: days
					   left) */
	int64_t		 alert_id;	/* queued alert; 0 in a dry run */
};

/*
 * Runs the check for o->today: queues the reminders due and not sent
 * yet, in one transaction, calling fn (may be NULL) for each; in a dry
 * run, only calls fn. *queued (may be NULL) gets their number. Returns 0
 * or SEGUR_E* with a cause (nothing queued then).
 */
int	segur_remind_check(struct segur_ledger *l,
	    const struct segur_remind_opts *o,
	    void (*fn)(void *arg, const struct segur_remind_item *it),
	    void *arg, unsigned *queued, char **cause);

/*
 * Queues, once per day (today "AAAA-MM-JJ", NULL: UTC today), an alert
 * "head" carrying the head of the event log (hash, count, time; sealed
 * with key when not NULL), so that the head leaves the database every day
 * (segurctl audit verify --head proves the ledger still extends it).
 * *queued (may be NULL) is 1 when queued, 0 when today's is out already.
 */
struct segur_audit_key;
int	segur_remind_head(struct segur_ledger *l, const char *today,
	    const struct segur_audit_key *key, int *queued, char **cause);

#endif /* SEGUR_REMIND_H */
