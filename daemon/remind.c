/*
 * remind.c: the daily reminder timer (remind.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <uv.h>

#include "segur/date.h"

#include "log.h"
#include "remind.h"

uint64_t
segurd_remind_delay_ms(const struct tm *now, unsigned at_minute)
{
	int	 cur = now->tm_hour * 3600 + now->tm_min * 60 + now->tm_sec;
	int	 at = (int)at_minute * 60;

	/* Strictly later: the check of this very minute already ran. */
	if (at <= cur)
		at += 86400;
	return ((uint64_t)(at - cur) * 1000);
}

static void
request(struct segurd_remind *r)
{
	struct tm	 tm;
	time_t		 t = time(NULL);
	const char	*fake = getenv("SEGUR_TEST_TODAY");
	char		 day[SEGUR_DATE_FR_BUFSZ];

	localtime_r(&t, &tm);
	if (fake != NULL && strlen(fake) == 10)
		memcpy(r->req.today, fake, 11);
	else
		strftime(r->req.today, sizeof(r->req.today), "%Y-%m-%d", &tm);
	log_info("relances : vérification pour le %s",
	    segur_date_fr(r->req.today, day) != NULL ? day : r->req.today);
	segurd_alerts_remind(r->alerts, &r->req);
}

static void	on_timer(uv_timer_t *);

static void
rearm(struct segurd_remind *r)
{
	struct tm	 tm;
	time_t		 t = time(NULL);

	localtime_r(&t, &tm);
	uv_timer_start(&r->timer, on_timer,
	    segurd_remind_delay_ms(&tm, r->at_minute), 0);
}

static void
on_timer(uv_timer_t *t)
{
	struct segurd_remind *r = t->data;

	request(r);
	rearm(r);
}

static void
take(struct segurd_remind *r, const struct segurd_config *cfg)
{
	r->at_minute = cfg->remind_at_minute;
	r->req.submitted_days = (unsigned)cfg->submitted_days;
	r->req.decision_days = (unsigned)cfg->decision_days;
	r->req.balance_days = (unsigned)cfg->balance_days;
	r->req.balance_deadline_days = (unsigned)cfg->balance_deadline_days;
	r->req.chain_head = cfg->chain_head != 0;
}

void
segurd_remind_init(struct segurd_remind *r, uv_loop_t *loop,
    struct segurd_alerts *alerts, const struct segurd_config *cfg)
{
	memset(r, 0, sizeof(*r));
	r->alerts = alerts;
	take(r, cfg);
	uv_timer_init(loop, &r->timer);
	r->timer.data = r;
}

void
segurd_remind_start(struct segurd_remind *r)
{
	struct tm	 tm;
	time_t		 t = time(NULL);

	localtime_r(&t, &tm);
	/* Today's check was missed (segurd was stopped): run it now; the
	 * ledger knows what was sent already. */
	if ((unsigned)(tm.tm_hour * 60 + tm.tm_min) >= r->at_minute)
		request(r);
	rearm(r);
}

void
segurd_remind_configure(struct segurd_remind *r,
    const struct segurd_config *cfg)
{
	take(r, cfg);
	rearm(r);
}

static void
timer_closed(uv_handle_t *h)
{
	struct segurd_remind *r = h->data;

	if (r->closed_cb != NULL)
		r->closed_cb(r);
}

void
segurd_remind_close(struct segurd_remind *r,
    void (*closed_cb)(struct segurd_remind *))
{
	r->closed_cb = closed_cb;
	uv_close((uv_handle_t *)&r->timer, timer_closed);
}
