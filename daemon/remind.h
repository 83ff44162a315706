/*
 * remind.h: the daily reminder check of segurd.
 *
 * A timer fires every day at [reminders] at (local time) and asks the
 * alerts' worker to run the check (lib/alerts/remind.c) for the local date; the
 * check also runs at start-up when today's time has passed, since the
 * ledger records each reminder sent and nothing is sent twice.
 *
 * Lifecycle, as libuv's: segurd_remind_init() (the caller's storage, the
 * timer initialized) -> segurd_remind_start() -> segurd_remind_close()
 * -> (run the loop) -> closed callback.
 *
 * Test hook: SEGUR_TEST_TODAY=AAAA-MM-JJ in the environment replaces the
 * date (tests only; never set it in production).
 */
#ifndef SEGURD_REMIND_H
#define SEGURD_REMIND_H

#include <uv.h>

#include "alerts.h"
#include "config.h"

struct segurd_remind {
	uv_timer_t	 timer;
	struct segurd_alerts *alerts;	/* borrowed */
	struct segurd_remind_req req;	/* day counts of the configuration */
	unsigned	 at_minute;
	void		(*closed_cb)(struct segurd_remind *);
};

/* Prepares r (the caller's storage) on loop for cfg (read now); alerts
 * borrowed (NULL: the check is only logged). No I/O. */
void	segurd_remind_init(struct segurd_remind *r, uv_loop_t *loop,
	    struct segurd_alerts *alerts, const struct segurd_config *cfg);

/* Runs the check now if today's time has passed, and arms the timer. */
void	segurd_remind_start(struct segurd_remind *r);

/* Takes the time and day counts of a new configuration. */
void	segurd_remind_configure(struct segurd_remind *r,
	    const struct segurd_config *cfg);

/* Milliseconds from now (local broken-down time) to the next at_minute. */
uint64_t segurd_remind_delay_ms(const struct tm *now, unsigned at_minute);

/* Closes the timer; closed_cb (may be NULL) runs once it is closed. */
void	segurd_remind_close(struct segurd_remind *r,
	    void (*closed_cb)(struct segurd_remind *));

#endif /* SEGURD_REMIND_H */
