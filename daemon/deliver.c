/*
 * deliver.c: the delivery engine: libcurl's multi-socket API on the
 * libuv loop, retries with backoff, orderly shutdown.
 *
 * It follows curl's docs/examples/multi-uv.c, hardened: every libuv
 * handle finds its owner through handle->data; a poll error is passed to
 * curl as CURL_CSELECT_ERR so the transfer fails instead of hanging;
 * curl_multi_info_read() is drained after every curl_multi_socket_action();
 * every allocation is checked; and shutdown goes in order (see
 * segurd_deliver_close()). libcurl is called through segurd_curl
 * (curl-load.h), loaded by curl_start() before the first attempt.
 *
 * A submission (struct segurd_job) goes through:
 *
 *   submit() --timer 0--> [attempt in flight] --done--> classify
 *                               ^                          |
 *                               |        temporary failure, time left
 *                               +--- retry timer <---------+
 *   classify: success / 410 / permanent / time is up --> finish()
 *   close(): any state --> finish(CANCELLED)
 *
 * finish() runs the caller's callback once, unlinks the job and closes
 * its retry timer; the job is freed in that timer's close callback. The
 * first attempt also starts from the timer, so that the callback can never
 * run inside submit().
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <curl/curl.h>
#include <uv.h>

#include "segur/error.h"
#include "segur/util.h"

#include "curl-load.h"
#include "deliver-int.h"
#include "deliver.h"

/* A socket curl asked us to watch. */
struct sockctx {
	uv_poll_t		 poll;		/* data = this */
	curl_socket_t		 fd;
	struct segurd_deliver	*d;
	struct sockctx		*prev, *next;	/* d->socks */
};

struct segurd_deliver {
	uv_loop_t		*loop;		/* borrowed */
	CURLM			*multi;		/* NULL until the first attempt
						   (curl_start()) and once
						   cleaned up */
	int			 curl_init;	/* curl_global_init() done */
	int			 load_failed;	/* the last curl_start()
						   failed: logged once */
	uv_timer_t		 timer;		/* curl's timeout; data = d */
	struct segurd_deliver_policy policy;
	segurd_deliver_rand_fn	*rnd;
	void			*rnd_arg;
	segurd_deliver_log_fn	*log;
	void			*log_arg;
	struct segurd_job	*jobs;		/* not yet finished */
	size_t			 njobs;
	struct segurd_job	*waiting;	/* ready, over max_inflight */
	struct segurd_job	*waiting_tail;
	unsigned		 inflight;	/* easy handles in multi */
	struct sockctx		*socks;		/* polls not yet closing */
	unsigned		 nhandles;	/* libuv handles not yet
						   closed */
	int			 closing;
	void			(*done)(void *);
	void			*done_arg;
};

static void	check_multi_info(struct segurd_deliver *);

static void
logf_(struct segurd_deliver *d, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Formats only when someone listens. */
static void
logf_(struct segurd_deliver *d, int level, const char *fmt, ...)
{
	char	msg[512];
	va_list	ap;

	if (d->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	d->log(d->log_arg, level, msg);
}

uint64_t
segurd_deliver_splitmix64(void *arg)
{
	uint64_t *s = arg, z;

	z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

int
segurd_deliver_next_delay(const struct segurd_deliver_policy *p, unsigned n,
    uint64_t elapsed_ms, segurd_deliver_rand_fn *rnd, void *rnd_arg,
    uint64_t *delay_ms)
{
	uint64_t	cap = p->first_ms, r;
	unsigned	i;

	if (elapsed_ms >= p->give_up_ms)
		return 1;
	/* min(max_delay, first * 2^(n-1)) without overflow. */
	for (i = 1; i < n && cap < p->max_delay_ms; i++)
		cap = cap > UINT64_MAX / 2 ? UINT64_MAX : cap * 2;
	if (cap > p->max_delay_ms)
		cap = p->max_delay_ms;
	r = rnd(rnd_arg);
	*delay_ms = cap == UINT64_MAX ? r : r % (cap + 1);
	/* One last attempt exactly when time is up. */
	if (*delay_ms > p->give_up_ms - elapsed_ms)
		*delay_ms = p->give_up_ms - elapsed_ms;
	return 0;
}

/* One of our libuv handles has closed: the last one frees d. */
static void
handle_gone(struct segurd_deliver *d)
{
	void	(*done)(void *);
	void	*arg;

	if (--d->nhandles > 0 || !d->closing)
		return;
	done = d->done;
	arg = d->done_arg;
	if (d->curl_init)
		segurd_curl.global_cleanup();
	free(d);
	if (done != NULL)
		done(arg);
}

static void
on_poll_closed(uv_handle_t *h)
{
	struct sockctx		*c = h->data;
	struct segurd_deliver	*d = c->d;

	free(c);
	handle_gone(d);
}

static void
on_job_closed(uv_handle_t *h)
{
	struct segurd_job	*j = h->data;
	struct segurd_deliver	*d = j->d;

	segurd__job_release(j);
	free(j);
	handle_gone(d);
}

static void
on_timer_closed(uv_handle_t *h)
{
	handle_gone(h->data);
}

static void
sock_close(struct segurd_deliver *d, struct sockctx *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		d->socks = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	uv_close((uv_handle_t *)&c->poll, on_poll_closed);
}

/* A watched socket is ready, or failed. */
static void
on_poll(uv_poll_t *h, int status, int events)
{
	struct sockctx		*c = h->data;
	struct segurd_deliver	*d = c->d;
	int			 flags = 0, running;

	if (status < 0)
		flags = CURL_CSELECT_ERR;
	else {
		if (events & (UV_READABLE | UV_DISCONNECT))
			flags |= CURL_CSELECT_IN;
		if (events & UV_WRITABLE)
			flags |= CURL_CSELECT_OUT;
	}
	if (d->multi == NULL)
		return;
	segurd_curl.multi_socket_action(d->multi, c->fd, flags, &running);
	check_multi_info(d);
}

/* curl's CURLMOPT_SOCKETFUNCTION: watch s for what, or stop. */
static int
on_curl_socket(CURL *easy, curl_socket_t s, int what, void *userp,
    void *socketp)
{
	struct segurd_deliver	*d = userp;
	struct sockctx		*c = socketp;
	int			 events = 0, rc;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (c != NULL) {
			uv_poll_stop(&c->poll);
			sock_close(d, c);
			if (d->multi != NULL && !d->closing)
				segurd_curl.multi_assign(d->multi, s, NULL);
		}
		return 0;
	}
	if (c == NULL) {
		if ((c = calloc(1, sizeof(*c))) == NULL) {
			logf_(d, LOG_ERR, "envoi : mémoire épuisée en "
			    "surveillant une socket");
			return -1;
		}
		if ((rc = uv_poll_init_socket(d->loop, &c->poll, s)) != 0) {
			logf_(d, LOG_ERR, "envoi : impossible de surveiller "
			    "la socket %d : %s",
			    (int)s, uv_strerror(rc));
			free(c);
			return -1;
		}
		c->poll.data = c;
		c->fd = s;
		c->d = d;
		c->next = d->socks;
		if (d->socks != NULL)
			d->socks->prev = c;
		d->socks = c;
		d->nhandles++;
		segurd_curl.multi_assign(d->multi, s, c);
	}
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		events |= UV_READABLE;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		events |= UV_WRITABLE;
	if ((rc = uv_poll_start(&c->poll, events, on_poll)) != 0) {
		logf_(d, LOG_ERR, "envoi : impossible de surveiller la "
		    "socket %d : %s", (int)s,
		    uv_strerror(rc));
		return -1;
	}
	return 0;
}

static void
on_curl_timeout(uv_timer_t *t)
{
	struct segurd_deliver	*d = t->data;
	int			 running;

	if (d->multi == NULL)
		return;
	segurd_curl.multi_socket_action(d->multi, CURL_SOCKET_TIMEOUT, 0,
	    &running);
	check_multi_info(d);
}

/*
 * curl's CURLMOPT_TIMERFUNCTION: only (re)arms our timer, as curl forbids
 * calling curl_multi_socket_action() from here.
 */
static int
on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct segurd_deliver *d = userp;

	(void)multi;
	if (timeout_ms < 0 || d->closing)
		uv_timer_stop(&d->timer);
	else if (uv_timer_start(&d->timer, on_curl_timeout,
	    (uint64_t)timeout_ms, 0) != 0)
		return -1;
	return 0;
}

/* Reports the one outcome of j, unlinks it and frees it (later). */
static void
finish(struct segurd_job *j, int status)
{
	struct segurd_deliver		*d = j->d;
	struct segurd_deliver_result	 r;

	if (j->prev != NULL)
		j->prev->next = j->next;
	else
		d->jobs = j->next;
	if (j->next != NULL)
		j->next->prev = j->prev;
	d->njobs--;
	uv_timer_stop(&j->retry);
	memset(&r, 0, sizeof(r));
	r.status = status;
	r.alert_id = j->alert_id;
	r.channel = j->channel;
	r.attempts = j->attempts;
	r.code = j->code;
	r.reason = j->reason;
	j->cb(j->cb_arg, &r);
	uv_close((uv_handle_t *)&j->retry, on_job_closed);
}

static void	on_retry(uv_timer_t *);

/* After a temporary failure: wait, or give up if time is up. */
static void
schedule_retry(struct segurd_job *j)
{
	struct segurd_deliver	*d = j->d;
	uint64_t		 elapsed, delay;
	char			*why;

	elapsed = uv_now(d->loop) - j->started;
	if (segurd_deliver_next_delay(&d->policy, j->attempts, elapsed,
	    d->rnd, d->rnd_arg, &delay) != 0) {
		why = segur_asprintf("abandon après %u essais en %" PRIu64
		    " s ; dernier : %s", j->attempts, elapsed / 1000,
		    j->reason != NULL ? j->reason : "erreur inconnue");
		if (why != NULL) {
			free(j->reason);
			j->reason = why;
		}
		finish(j, SEGURD_DELIVER_FAILED);
		return;
	}
	logf_(d, LOG_WARNING, "envoi : alerte %s, essai %u en échec (%s) ; "
	    "suivant dans %" PRIu64 " ms", j->alert_id, j->attempts,
	    j->reason != NULL ? j->reason : "erreur inconnue", delay);
	if (uv_timer_start(&j->retry, on_retry, delay, 0) != 0)
		finish(j, SEGURD_DELIVER_FAILED);
}

/*
 * Before the first attempt: loads libcurl (curl-load.h), initialises it
 * and sets up the multi handle. Until then segurd has mapped none of
 * libcurl's libraries: a daemon with nothing to deliver never does.
 * 0, or SEGUR_E* with *cause set (caller frees); tried again at the next
 * attempt.
 */
static int
curl_start(struct segurd_deliver *d, char **cause)
{
	CURLM	*m;
	int	 rc;

	if (d->multi != NULL)
		return 0;
	if ((rc = segurd_curl_load(cause)) != 0)
		return rc;
	if (!d->curl_init) {
		if (segurd_curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return segur_cause(cause, SEGUR_ENOMEM, "impossible "
			    "d'initialiser libcurl");
		d->curl_init = 1;
	}
	if ((m = segurd_curl.multi_init()) == NULL)
		return segur_cause(cause, SEGUR_ENOMEM, "impossible de "
		    "préparer le multi handle de libcurl");
	if (segurd_curl.multi_setopt(m, CURLMOPT_SOCKETFUNCTION,
	    on_curl_socket) != CURLM_OK ||
	    segurd_curl.multi_setopt(m, CURLMOPT_SOCKETDATA, d) != CURLM_OK ||
	    segurd_curl.multi_setopt(m, CURLMOPT_TIMERFUNCTION,
	    on_curl_timer) != CURLM_OK ||
	    segurd_curl.multi_setopt(m, CURLMOPT_TIMERDATA, d) != CURLM_OK) {
		segurd_curl.multi_cleanup(m);
		return segur_cause(cause, SEGUR_ENOMEM, "impossible de "
		    "préparer le multi handle de libcurl");
	}
	d->multi = m;
	logf_(d, LOG_INFO, "envoi : libcurl %s chargée",
	    segurd_curl_version());
	return 0;
}

/* Starts the next attempt of j. */
static void
on_retry(uv_timer_t *t)
{
	struct segurd_job	*j = t->data;
	struct segurd_deliver	*d = j->d;
	CURLMcode		 mc;
	char			*why = NULL;

	if (d->inflight >= d->policy.max_inflight) {
		j->waiting = 1;
		j->wnext = NULL;
		if (d->waiting_tail != NULL)
			d->waiting_tail->wnext = j;
		else
			d->waiting = j;
		d->waiting_tail = j;
		return;
	}
	if (curl_start(d, &why) != 0) {
		/* Logged once as an error; each attempt as a warning. */
		if (!d->load_failed)
			logf_(d, LOG_ERR, "envoi : %s", why != NULL ? why :
			    "mémoire épuisée");
		d->load_failed = 1;
		free(j->reason);
		j->reason = segur_asprintf("%s : %s", j->channel, why != NULL ?
		    why : "mémoire épuisée");
		free(why);
		j->attempts++;
		schedule_retry(j);
		return;
	}
	d->load_failed = 0;
	if ((j->easy = segurd__job_easy(j, d->policy.timeout_ms)) == NULL) {
		j->attempts++;
		schedule_retry(j);
		return;
	}
	if ((mc = segurd_curl.multi_add_handle(d->multi, j->easy)) !=
	    CURLM_OK) {
		segurd_curl.easy_cleanup(j->easy);
		j->easy = NULL;
		free(j->reason);
		j->reason = segur_asprintf("%s : %s", j->channel,
		    segurd_curl.multi_strerror(mc));
		j->attempts++;
		schedule_retry(j);
		return;
	}
	d->inflight++;
}

/* An attempt has ended: the first job waiting for a slot goes next. */
static void
attempt_ended(struct segurd_deliver *d)
{
	struct segurd_job *j;

	d->inflight--;
	if ((j = d->waiting) == NULL || d->closing)
		return;
	d->waiting = j->wnext;
	if (d->waiting == NULL)
		d->waiting_tail = NULL;
	j->waiting = 0;
	/* Through the timer: no recursion, and the order is kept. */
	if (uv_timer_start(&j->retry, on_retry, 0, 0) != 0)
		finish(j, SEGURD_DELIVER_FAILED);
}

/* Reads every finished transfer: curl only says so once. */
static void
check_multi_info(struct segurd_deliver *d)
{
	struct segurd_job	*j;
	CURLMsg			*m;
	CURL			*e;
	CURLcode		 rc;
	char			*p = NULL;
	int			 left, status;

	while (d->multi != NULL &&
	    (m = segurd_curl.multi_info_read(d->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		e = m->easy_handle;
		rc = m->data.result;
		if (segurd_curl.easy_getinfo(e, CURLINFO_PRIVATE, &p) !=
		    CURLE_OK || p == NULL) {
			segurd_curl.multi_remove_handle(d->multi, e);
			segurd_curl.easy_cleanup(e);
			continue;
		}
		j = (struct segurd_job *)(void *)p;
		segurd_curl.multi_remove_handle(d->multi, e);
		j->attempts++;
		status = segurd__job_classify(j, rc);
		segurd_curl.easy_cleanup(e);
		j->easy = NULL;
		attempt_ended(d);
		if (status == JOB_RETRY)
			schedule_retry(j);
		else
			finish(j, status);
	}
}

struct segurd_deliver *
segurd_deliver_new(uv_loop_t *loop, const struct segurd_deliver_policy *policy,
    segurd_deliver_rand_fn *rnd, void *rnd_arg, segurd_deliver_log_fn *log,
    void *log_arg, char **cause)
{
	static const struct segurd_deliver_policy defaults =
	    SEGURD_DELIVER_POLICY_DEFAULT;
	struct segurd_deliver	*d;
	int			 rc;

	if (rnd == NULL) {
		segur_cause(cause, SEGUR_EINVAL, "envoi : aucune source "
		    "d'aléa");
		return NULL;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
		return NULL;
	}
	d->loop = loop;
	d->policy = policy != NULL ? *policy : defaults;
	/* No busy retry loop, no attempt without a time limit. */
	if (d->policy.first_ms == 0)
		d->policy.first_ms = 1;
	if (d->policy.max_delay_ms < d->policy.first_ms)
		d->policy.max_delay_ms = d->policy.first_ms;
	if (d->policy.timeout_ms == 0)
		d->policy.timeout_ms = 30000;
	if (d->policy.max_inflight == 0)
		d->policy.max_inflight = 16;
	d->rnd = rnd;
	d->rnd_arg = rnd_arg;
	d->log = log;
	d->log_arg = log_arg;
	/* libcurl waits for the first attempt (curl_start()). */
	if ((rc = uv_timer_init(loop, &d->timer)) != 0) {
		free(d);
		segur_cause(cause, SEGUR_EIO, "uv_timer_init: %s",
		    uv_strerror(rc));
		return NULL;
	}
	d->timer.data = d;
	d->nhandles = 1;
	return d;
}

int
segurd_deliver_submit(struct segurd_deliver *d,
    const struct segurd_channel *ch, const struct segur_alert *alert,
    segurd_deliver_cb *cb, void *arg, char **cause)
{
	struct segurd_job	*j;
	int			 rc;

	if (d->closing)
		return segur_cause(cause, SEGUR_ESTATE, "envoi : arrêt en "
		    "cours");
	if (cb == NULL)
		return segur_cause(cause, SEGUR_EINVAL, "envoi : aucun rappel");
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
	if ((rc = segurd__job_prepare(j, ch, alert, cause)) != 0) {
		if (rc == SEGUR_ENOMEM)
			segur_cause(cause, rc, "mémoire épuisée");
		segurd__job_release(j);
		free(j);
		return rc;
	}
	if ((rc = uv_timer_init(d->loop, &j->retry)) != 0) {
		segurd__job_release(j);
		free(j);
		return segur_cause(cause, SEGUR_EIO, "uv_timer_init: %s",
		    uv_strerror(rc));
	}
	j->retry.data = j;
	j->d = d;
	j->cb = cb;
	j->cb_arg = arg;
	j->started = uv_now(d->loop);
	d->nhandles++;
	j->next = d->jobs;
	if (d->jobs != NULL)
		d->jobs->prev = j;
	d->jobs = j;
	d->njobs++;
	/* Never an outcome inside submit(): the first attempt is a timer. */
	if ((rc = uv_timer_start(&j->retry, on_retry, 0, 0)) != 0) {
		free(j->reason);
		j->reason = segur_asprintf("%s : uv_timer_start : %s",
		    j->channel, uv_strerror(rc));
		finish(j, SEGURD_DELIVER_FAILED);
	}
	return 0;
}

size_t
segurd_deliver_pending(const struct segurd_deliver *d)
{
	return d->njobs;
}

void
segurd_deliver_close(struct segurd_deliver *d, void (*done)(void *),
    void *arg)
{
	struct segurd_job	*j;
	char			*why;

	if (d->closing)
		return;
	d->closing = 1;
	d->done = done;
	d->done_arg = arg;
	d->waiting = d->waiting_tail = NULL;
	/* 1. Stop every submission: transfers, retry timers, callbacks. */
	while ((j = d->jobs) != NULL) {
		if (j->easy != NULL) {
			segurd_curl.multi_remove_handle(d->multi, j->easy);
			segurd_curl.easy_cleanup(j->easy);
			j->easy = NULL;
			d->inflight--;
		}
		why = segur_asprintf("%s : annulé par l'arrêt après %u "
		    "essai(s)", j->channel, j->attempts);
		if (why != NULL) {
			free(j->reason);
			j->reason = why;
		}
		finish(j, SEGURD_DELIVER_CANCELLED);
	}
	/* 2. Let curl close its cached connections while we still poll. */
	if (d->multi != NULL) {
		segurd_curl.multi_cleanup(d->multi);
		d->multi = NULL;
	}
	/* 3. Close what curl did not tell us to forget, and our timer. */
	while (d->socks != NULL) {
		uv_poll_stop(&d->socks->poll);
		sock_close(d, d->socks);
	}
	uv_timer_stop(&d->timer);
	uv_close((uv_handle_t *)&d->timer, on_timer_closed);
	/* 4. handle_gone() frees d once the last handle has closed. */
}
