/*
 * remind.h: the daily reminder check of segurd.
 *
 * A timer fires every day at [reminders] at (local time) and asks the
 * alerts' worker to run the check (lib/alerts/remind.c) for the local date; the
 * check also runs at start-up when today's time has passed, since the
 * ledger records each reminder sent and nothing is sent twice.
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
};

/* Arms the timer on loop for cfg (read now); alerts borrowed. */
void	segurd_remind_start(struct segurd_remind *r, uv_loop_t *loop,
	    struct segurd_alerts *alerts, const struct segurd_config *cfg);

/* Takes the time and day counts of a new configuration. */
void	segurd_remind_configure(struct segurd_remind *r,
	    const struct segurd_config *cfg);

/* Milliseconds from now (local broken-down time) to the next at_minute. */
uint64_t segurd_remind_delay_ms(const struct tm *now, unsigned at_minute);

/* Closes the timer (a handle of the loop). */
void	segurd_remind_close(struct segurd_remind *r);

#endif /* SEGURD_REMIND_H */
