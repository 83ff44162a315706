/*
 * alerts.c: the outbox delivered through deliver.c (alerts.h).
 *
 * One job at a time runs on the thread pool with the alerts' own ledger
 * handle (never the watcher's, never the providers'):
 *
 *   loop thread                          worker (uv_queue_work)
 *   outcomes queued (recs) --- job ---> record each outcome (a txn each)
 *   reminder request                    run the reminder check
 *   read asked (wake, timer)            read the alerts due per channel
 *   <--- after_work: submit each due alert (or one digest per channel:
 *        in digest mode, or a backlog of more than STARTUP_DIGEST_OVER
 *        at the first read) not already in flight; failed writes go
 *        back to recs
 *
 * A wake or an outcome arriving while a job runs sets "again", and the
 * next job starts from after_work. In flight: the submissions whose
 * outcome has not come; an alert in flight on a channel is not submitted
 * there again. Nothing is remembered that the ledger does not know: after
 * a crash, the first read finds again every alert not recorded delivered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <uv.h>

#include "segur/alert.h"
#include "segur/date.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/outbox.h"
#include "segur/remind.h"
#include "segur/util.h"
#include "alerts.h"
#include "deliver.h"
#include "log.h"

/* Alerts read per channel and job, beyond those in flight. */
#define READ_BATCH	200
/*
 * A backlog found at start-up (segurd was down a while, or a channel
 * unreachable) longer than this goes out as one digest per channel rather
 * than flooding it; a few are sent one by one as usual.
 */
#define STARTUP_DIGEST_OVER	5
/* Without digest, the outbox is read this often (alerts queued by
 * segurctl, retries after a restart) besides the wake-ups. */
#define TICK_MS		60000

enum rec_what { REC_DELIVERED, REC_FAILED, REC_RETRY };

/* An outcome to write to the ledger. */
struct rec {
	struct rec	*next;
	int64_t		 id;
	char		*channel;	/* owned */
	enum rec_what	 what;
	int		 tries;
	char		*error;		/* owned, may be NULL */
};

/* One alert read due, owned copies for the loop thread. */
struct due {
	int64_t		 id;
	char		*kind;
	char		*created_at;
	char		*subject;
	char		*facts;
};

struct due_list {
	char		*channel;	/* owned */
	struct due	*v;		/* owned */
	size_t		 n, cap;
};

struct chan {
	struct segurd_channel ch;	/* strings borrowed from the config,
					   except name and mail_to */
	char		*name;		/* owned: "webhook:NAME", "mail" */
	char		**to;		/* owned */
	size_t		 nto;
	int		 disabled;	/* 410 seen: skipped until configure */
};

/* A submission in flight: one alert, or a digest of several. */
struct sub {
	struct sub	*next, *prev;
	struct segurd_alerts *a;
	char		*channel;	/* owned */
	int64_t		*ids;		/* owned */
	size_t		 n;
};

struct job {
	uv_work_t	 req;
	struct segurd_alerts *a;
	struct segur_ledger **ledger;	/* the alerts' handle */
	const char	*ledger_path;
	struct rec	*recs;		/* owned; in: to write, out: not
					   written */
	int		 read;
	int		 startup;	/* the first read since start, or
					   the rest of its full batch */
	size_t		 limit;
	struct due_list	*lists;		/* owned; one per channel */
	size_t		 nlists;
	int		 remind;
	struct segurd_remind_req rr;
	unsigned	 reminded;
	char		*cause;		/* owned */
	char		*rec_cause;	/* owned */
};

struct segurd_alerts {
	uv_loop_t	*loop;
	char		*ledger_path;	/* owned */
	unsigned char	*seal_key;	/* owned copy of the audit key */
	size_t		 seal_key_len;
	struct segur_ledger *ledger;	/* owned; used by the job only */
	struct segurd_deliver *deliver;
	uint64_t	 seed;
	struct chan	*chans;		/* owned */
	size_t		 nchans;
	uint64_t	 digest_ms;
	uv_timer_t	 timer;
	struct rec	*recs;		/* owned; outcomes not yet written */
	struct sub	*subs;		/* owned; in flight */
	size_t		 nsubs;
	int		 busy;		/* a job runs */
	int		 again;		/* run another job after it */
	int		 want_read;	/* the next job reads */
	int		 startup;	/* the next read is a start-up one */
	int		 want_remind;
	struct segurd_remind_req rr;
	int		 closing;
	int		 timer_closed;
	void		(*done)(void *);
	void		*done_arg;
};

static void	job_start(struct segurd_alerts *);

static void
rec_free(struct rec *r)
{
	struct rec	*next;

	for (; r != NULL; r = next) {
		next = r->next;
		free(r->channel);
		free(r->error);
		free(r);
	}
}

static void
lists_free(struct due_list *l, size_t n)
{
	size_t	 i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < l[i].n; j++) {
			free(l[i].v[j].kind);
			free(l[i].v[j].created_at);
			free(l[i].v[j].subject);
			free(l[i].v[j].facts);
		}
		free(l[i].v);
		free(l[i].channel);
	}
	free(l);
}

static void
chans_free(struct chan *c, size_t n)
{
	size_t	 i, j;

	for (i = 0; i < n; i++) {
		free(c[i].name);
		for (j = 0; j < c[i].nto; j++)
			free(c[i].to[j]);
		free(c[i].to);
	}
	free(c);
}

/* Splits "a@x, b@y" into owned trimmed addresses. */
static int
split_to(const char *s, char ***out, size_t *n)
{
	char	**v = NULL, **nv;
	const char *p = s, *e;
	size_t	 k = 0;

	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		for (e = p; *e != '\0' && *e != ','; e++)
			;
		if ((nv = realloc(v, (k + 1) * sizeof(*v))) == NULL)
			goto oom;
		v = nv;
		{
			const char *t = e;

			while (t > p && (t[-1] == ' ' || t[-1] == '\t'))
				t--;
			if ((v[k] = strndup(p, (size_t)(t - p))) == NULL)
				goto oom;
		}
		k++;
		p = e;
	}
	*out = v;
	*n = k;
	return (0);
oom:
	while (k > 0)
		free(v[--k]);
	free(v);
	return (SEGUR_ENOMEM);
}

/* The channels of cfg, in *out (owned array), each checked by the
 * deliverer: SEGUR_EINVAL with a cause naming the channel. */
static int
chans_build(const struct segurd_config *cfg, struct chan **out, size_t *nout,
    char **cause)
{
	struct chan	*c;
	char		*why = NULL;
	size_t		 n = 0, i;
	int		 rc;

	if ((c = calloc(cfg->nwebhooks + 1, sizeof(*c))) == NULL)
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	for (i = 0; i < cfg->nwebhooks; i++) {
		const struct segurd_webhook *w = &cfg->webhooks[i];

		if ((c[n].name = segur_asprintf("webhook:%s", w->name)) ==
		    NULL)
			goto oom;
		c[n].ch.type = w->format == SEGURD_WEBHOOK_TEXT ?
		    SEGURD_CHANNEL_CHAT : SEGURD_CHANNEL_WEBHOOK;
		c[n].ch.name = c[n].name;
		c[n].ch.url = w->url;
		c[n].ch.secret = w->secret.value;
		n++;
	}
	if (cfg->mail.enabled) {
		if ((c[n].name = strdup("mail")) == NULL ||
		    split_to(cfg->mail.to, &c[n].to, &c[n].nto) != 0) {
			n++;
			goto oom;
		}
		c[n].ch.type = SEGURD_CHANNEL_MAIL;
		c[n].ch.name = c[n].name;
		c[n].ch.url = cfg->mail.smtp_url;
		c[n].ch.mail_from = cfg->mail.from;
		c[n].ch.mail_to = (const char *const *)c[n].to;
		c[n].ch.nmail_to = c[n].nto;
		c[n].ch.username = cfg->mail.username;
		c[n].ch.password = cfg->mail.password.value;
		c[n].ch.starttls = (int)cfg->mail.starttls;
		n++;
	}
	for (i = 0; i < n; i++)
		if ((rc = segurd_channel_check(&c[i].ch, &why)) != 0) {
			/* The deliverer's cause names the channel. */
			segur_cause(cause, rc, "%s", why != NULL ? why :
			    segur_strerror(rc));
			free(why);
			chans_free(c, n);
			return (rc);
		}
	*out = c;
	*nout = n;
	return (0);
oom:
	chans_free(c, n);
	return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
}

int
segurd_alerts_check_config(const struct segurd_config *cfg, char **cause)
{
	struct chan	*c;
	size_t		 n;
	int		 rc;

	if ((rc = chans_build(cfg, &c, &n, cause)) == 0)
		chans_free(c, n);
	return (rc);
}

static struct chan *
chan_find(struct segurd_alerts *a, const char *name)
{
	size_t	 i;

	for (i = 0; i < a->nchans; i++)
		if (strcmp(a->chans[i].name, name) == 0)
			return (&a->chans[i]);
	return (NULL);
}

/*
 * Is the alert in flight on the channel, or is its outcome queued but not
 * yet written? A job that read it due while its outcome came back must
 * not send it again (found by t5506: one duplicate under load).
 */
static int
inflight(const struct segurd_alerts *a, const char *channel, int64_t id)
{
	const struct sub *s;
	const struct rec *r;
	size_t		 i;

	for (s = a->subs; s != NULL; s = s->next)
		if (strcmp(s->channel, channel) == 0)
			for (i = 0; i < s->n; i++)
				if (s->ids[i] == id)
					return (1);
	for (r = a->recs; r != NULL; r = r->next)
		if (r->id == id && strcmp(r->channel, channel) == 0)
			return (1);
	return (0);
}

/* Queues an outcome to write (loop thread). */
static void
rec_add(struct segurd_alerts *a, int64_t id, const char *channel,
    enum rec_what what, int tries, const char *error)
{
	struct rec	*r;

	if ((r = calloc(1, sizeof(*r))) == NULL || (r->channel =
	    strdup(channel)) == NULL || (error != NULL && (r->error =
	    strdup(error)) == NULL)) {
		/* Not recorded: the alert stays due and is sent again. */
		log_errorx("alertes : mémoire épuisée en enregistrant l'alerte "
		    "%lld sur %s",
		    (long long)id, channel);
		rec_free(r);
		return;
	}
	r->id = id;
	r->what = what;
	r->tries = tries;
	r->next = a->recs;
	a->recs = r;
}

/* ---- worker thread ---- */

static int
collect(void *arg, const struct segur_outbox_due *row)
{
	struct due_list	*l = arg;
	struct due	*nv, *d;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		if ((nv = realloc(l->v, l->cap * sizeof(*nv))) == NULL)
			return (SEGUR_ENOMEM);
		l->v = nv;
	}
	d = &l->v[l->n];
	memset(d, 0, sizeof(*d));
	d->id = row->id;
	if ((d->kind = strdup(row->kind)) == NULL ||
	    (d->created_at = strdup(row->created_at)) == NULL ||
	    (d->subject = strdup(row->subject)) == NULL ||
	    (d->facts = strdup(row->facts)) == NULL) {
		free(d->kind);
		free(d->created_at);
		free(d->subject);
		return (SEGUR_ENOMEM);
	}
	l->n++;
	return (0);
}

static void
job_work(uv_work_t *req)
{
	struct job	*j = req->data;
	struct rec	*r, *next, *left = NULL;
	char		*cause = NULL;
	size_t		 i;
	int		 rc;

	if (*j->ledger == NULL) {
		if ((rc = segur_ledger_open(j->ledger_path, 0, j->ledger,
		    &j->cause)) != 0) {
			j->read = 0;
			return;
		}
		segur_ledger_set_actor(*j->ledger, "segurd");
		if (j->a->seal_key != NULL && segur_ledger_set_seal_key(
		    *j->ledger, j->a->seal_key, j->a->seal_key_len) != 0) {
			segur_ledger_close(*j->ledger);
			*j->ledger = NULL;
			j->read = 0;
			return;
		}
	}
	for (r = j->recs; r != NULL; r = next) {
		next = r->next;
		if (r->what == REC_DELIVERED)
			rc = segur_outbox_delivered(*j->ledger, r->id,
			    r->channel, r->tries, &cause);
		else if (r->what == REC_FAILED)
			rc = segur_outbox_failed(*j->ledger, r->id,
			    r->channel, r->tries, r->error, &cause);
		else
			rc = segur_outbox_retry(*j->ledger, r->id,
			    r->channel, r->tries, NULL, r->error, &cause);
		if (rc != 0 && rc != SEGUR_ENOENT) {
			r->next = left;
			left = r;
			free(j->rec_cause);
			j->rec_cause = cause;
		} else {
			r->next = NULL;
			rec_free(r);
			free(cause);
		}
		cause = NULL;
	}
	j->recs = left;
	if (j->remind) {
		struct segur_remind_opts o;

		memset(&o, 0, sizeof(o));
		o.today = j->rr.today;
		o.submitted_days = j->rr.submitted_days;
		o.decision_days = j->rr.decision_days;
		o.balance_days = j->rr.balance_days;
		o.balance_deadline_days = j->rr.balance_deadline_days;
		if ((rc = segur_remind_check(*j->ledger, &o, NULL, NULL,
		    &j->reminded, &cause)) != 0 || (j->rr.chain_head &&
		    (rc = segur_remind_head(*j->ledger, o.today, NULL, NULL,
		    &cause)) != 0)) {
			free(j->cause);
			j->cause = segur_asprintf("relances : %s", cause !=
			    NULL ? cause : segur_strerror(rc));
			free(cause);
			cause = NULL;
			j->remind = -1;
		}
	}
	if (!j->read)
		return;
	for (i = 0; i < j->nlists; i++) {
		if ((rc = segur_outbox_due(*j->ledger, j->lists[i].channel,
		    NULL, j->limit, collect, &j->lists[i], &cause)) != 0) {
			free(j->cause);
			j->cause = cause != NULL ? cause :
			    strdup(segur_strerror(rc));
			cause = NULL;
			break;
		}
	}
}

/* ---- loop thread ---- */

static void	on_outcome(void *, const struct segurd_deliver_result *);

static void
sub_unlink(struct segurd_alerts *a, struct sub *s)
{
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		a->subs = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	a->nsubs--;
}

static void
sub_free(struct sub *s)
{
	if (s == NULL)
		return;
	free(s->channel);
	free(s->ids);
	free(s);
}

/* Fills alert from a row read due: id, kind, time, subject, facts, and
 * the body composed from them. */
static int
alert_from(const struct due *d, struct segur_alert *al)
{
	struct tm	 tm;
	char		 id[32];

	memset(al, 0, sizeof(*al));
	memset(&tm, 0, sizeof(tm));
	segur_outbox_alert_id(d->id, id);
	if (sscanf(d->created_at, "%d-%d-%dT%d:%d:%d", &tm.tm_year,
	    &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
	    &tm.tm_sec) == 6) {
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		al->created = (int64_t)timegm(&tm);
	} else
		al->created = (int64_t)time(NULL);
	if ((al->id = strdup(id)) == NULL ||
	    (al->kind = strdup(d->kind)) == NULL ||
	    (al->subject = strdup(d->subject)) == NULL)
		goto oom;
	/* The row's body column holds the facts (JSON, checked by SQLite). */
	al->facts = cJSON_Parse(d->facts);
	if (al->facts != NULL && !cJSON_IsObject(al->facts)) {
		cJSON_Delete(al->facts);
		al->facts = NULL;
	}
	if (segur_alert_compose(al) != 0)
		goto oom;
	return (0);
oom:
	segur_alert_release(al);
	return (SEGUR_ENOMEM);
}

/* Submits alerts[0..n) (ids[0..n)) to c: one by one, or as a digest. */
static void
submit(struct segurd_alerts *a, struct chan *c,
    const struct segur_alert *const *alerts, const int64_t *ids, size_t n,
    int digest)
{
	struct segur_alert dg;
	struct sub	*s;
	char		*cause = NULL;
	size_t		 i;
	int		 rc;

	if ((s = calloc(1, sizeof(*s))) == NULL || (s->channel =
	    strdup(c->name)) == NULL || (s->ids = calloc(n,
	    sizeof(*s->ids))) == NULL) {
		sub_free(s);
		log_errorx("alertes : mémoire épuisée en soumettant à %s",
		    c->name);
		return;
	}
	memcpy(s->ids, ids, n * sizeof(*ids));
	s->n = n;
	s->a = a;
	if (digest) {
		memset(&dg, 0, sizeof(dg));
		if ((rc = segur_alert_digest(alerts, n, (int64_t)time(NULL),
		    &dg, &cause)) == 0)
			rc = segurd_deliver_submit(a->deliver, &c->ch, &dg,
			    on_outcome, s, &cause);
		segur_alert_release(&dg);
	} else
		rc = segurd_deliver_submit(a->deliver, &c->ch, alerts[0],
		    on_outcome, s, &cause);
	if (rc != 0) {
		log_errorx("alertes : %s : impossible de soumettre %zu "
		    "alerte(s) : %s",
		    c->name, n, cause != NULL ? cause : segur_strerror(rc));
		/* A bad alert fails for good; anything else (the channels
		 * were checked at load) is read again at the next tick. */
		if (rc == SEGUR_EINVAL && (digest || segur_alert_check(
		    alerts[0], NULL) != 0))
			for (i = 0; i < n; i++)
				rec_add(a, ids[i], c->name, REC_FAILED, 0,
				    cause != NULL ? cause : "alerte invalide");
		free(cause);
		sub_free(s);
		return;
	}
	log_debug("%zu alerte(s) à partir de l'alerte %lld soumise(s) à "
	    "%s%s", n, (long long)ids[0], c->name, digest ?
	    " en récapitulatif" : "");
	s->next = a->subs;
	if (a->subs != NULL)
		a->subs->prev = s;
	a->subs = s;
	a->nsubs++;
}

static void
deliver_list(struct segurd_alerts *a, struct due_list *l, int digest)
{
	struct segur_alert *al = NULL;
	const struct segur_alert **ptr = NULL;
	struct chan	*c;
	int64_t		*ids = NULL;
	size_t		 i, k = 0;

	if ((c = chan_find(a, l->channel)) == NULL || c->disabled ||
	    l->n == 0)
		return;
	if ((al = calloc(l->n, sizeof(*al))) == NULL ||
	    (ptr = calloc(l->n, sizeof(*ptr))) == NULL ||
	    (ids = calloc(l->n, sizeof(*ids))) == NULL) {
		log_errorx("alertes : mémoire épuisée en lisant les alertes "
		    "pour %s",
		    c->name);
		goto out;
	}
	for (i = 0; i < l->n; i++) {
		if (inflight(a, c->name, l->v[i].id))
			continue;
		if (alert_from(&l->v[i], &al[k]) != 0) {
			log_errorx("alertes : mémoire épuisée en composant "
			    "l'alerte %lld", (long long)l->v[i].id);
			continue;
		}
		ptr[k] = &al[k];
		ids[k] = l->v[i].id;
		if (!digest)
			submit(a, c, &ptr[k], &ids[k], 1, 0);
		k++;
	}
	if (digest && k > 0)
		submit(a, c, ptr, ids, k, 1);
out:
	if (al != NULL)
		for (i = 0; i < k; i++)
			segur_alert_release(&al[i]);
	free(al);
	free(ptr);
	free(ids);
}

static void
finish_close(struct segurd_alerts *a)
{
	void	(*done)(void *) = a->done;
	void	*arg = a->done_arg;

	if (!a->closing || a->busy || a->deliver != NULL ||
	    !a->timer_closed)
		return;
	if (a->recs != NULL) {
		/* The last job could not write them: they stay due. */
		log_errorx("alertes : des résultats d'envoi n'ont pas été "
		    "enregistrés ; ces alertes seront envoyées à nouveau au "
		    "prochain démarrage");
		rec_free(a->recs);
		a->recs = NULL;
	}
	segur_ledger_close(a->ledger);
	chans_free(a->chans, a->nchans);
	free(a->ledger_path);
	if (a->seal_key != NULL)
		explicit_bzero(a->seal_key, a->seal_key_len);
	free(a->seal_key);
	free(a);
	if (done != NULL)
		done(arg);
}

static void
job_done(uv_work_t *req, int status)
{
	struct job	*j = req->data;
	struct segurd_alerts *a = j->a;
	struct rec	*r;
	char		 day[SEGUR_DATE_FR_BUFSZ];
	size_t		 i;

	(void)status;
	a->busy = 0;
	if (j->cause != NULL)
		log_errorx("alertes : %s", j->cause);
	if (j->rec_cause != NULL)
		log_errorx("alertes : enregistrement des résultats d'envoi : "
		    "%s ; nouvel essai à venir",
		    j->rec_cause);
	if (j->remind > 0)
		log_info("relances du %s : %u mise(s) en file",
		    segur_date_fr(j->rr.today, day) != NULL ? day : j->rr.today,
		    j->reminded);
	/* Unwritten outcomes go back to the queue, tried at the next job. */
	while ((r = j->recs) != NULL) {
		j->recs = r->next;
		r->next = a->recs;
		a->recs = r;
	}
	if (!a->closing && a->deliver != NULL && j->read)
		for (i = 0; i < j->nlists; i++) {
			deliver_list(a, &j->lists[i], a->digest_ms > 0 ||
			    (j->startup && j->lists[i].n >
			    STARTUP_DIGEST_OVER));
			/* A full batch (a file of 200 rejections): read the
			 * rest now rather than at the next tick; at start-up,
			 * the rest of the backlog is a backlog too. */
			if (j->lists[i].n >= j->limit) {
				a->want_read = 1;
				a->again = 1;
				if (j->startup)
					a->startup = 1;
			}
		}
	lists_free(j->lists, j->nlists);
	free(j->cause);
	free(j->rec_cause);
	free(j);
	if (a->closing) {
		/* One last job for the outcomes of the cancelled ones. */
		if (a->deliver == NULL && a->again && a->recs != NULL) {
			a->again = 0;
			job_start(a);
			return;
		}
		finish_close(a);
		return;
	}
	if (a->again || a->want_remind) {
		a->again = 0;
		job_start(a);
	}
}

static void
job_start(struct segurd_alerts *a)
{
	struct job	*j;
	size_t		 i, n = 0;
	int		 rc;

	if (a->busy) {
		a->again = 1;
		return;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		log_errorx("alertes : mémoire épuisée ; nouvel essai au "
		    "prochain tour");
		return;
	}
	j->req.data = j;
	j->a = a;
	j->ledger = &a->ledger;
	j->ledger_path = a->ledger_path;
	j->recs = a->recs;
	a->recs = NULL;
	if (!a->closing && a->want_remind) {
		j->remind = 1;
		j->rr = a->rr;
		a->want_remind = 0;
		/* What it queues is read now (or in the next digest). */
		if (a->digest_ms == 0)
			a->want_read = 1;
	}
	if (!a->closing && a->want_read && a->deliver != NULL) {
		if ((j->lists = calloc(a->nchans + 1, sizeof(*j->lists))) ==
		    NULL)
			goto oom;
		for (i = 0; i < a->nchans; i++) {
			if (a->chans[i].disabled) {
				log_debug("alertes : %s désactivé (410 Gone) "
				    "jusqu'au rechargement : non lu",
				    a->chans[i].name);
				continue;
			}
			if ((j->lists[n].channel = strdup(a->chans[i].name)) ==
			    NULL)
				goto oom;
			n++;
		}
		j->nlists = n;
		j->read = 1;
		j->startup = a->startup;
		a->startup = 0;
		j->limit = a->nsubs + READ_BATCH;
		a->want_read = 0;
	}
	if ((rc = uv_queue_work(a->loop, &j->req, job_work, job_done)) != 0)
		goto oom;
	a->busy = 1;
	return;
oom:
	log_errorx("alertes : impossible de lancer une tâche ; nouvel "
	    "essai au prochain tour");
	a->recs = j->recs;
	lists_free(j->lists, n);
	free(j);
}

static void
on_outcome(void *arg, const struct segurd_deliver_result *r)
{
	struct sub	*s = arg;
	struct segurd_alerts *a = s->a;
	struct chan	*c;
	const char	*why = r->reason != NULL ? r->reason : "sans raison";
	size_t		 i;

	sub_unlink(a, s);
	for (i = 0; i < s->n; i++) {
		switch (r->status) {
		case SEGURD_DELIVER_OK:
			rec_add(a, s->ids[i], s->channel, REC_DELIVERED,
			    (int)r->attempts, NULL);
			break;
		case SEGURD_DELIVER_FAILED:
		case SEGURD_DELIVER_DISABLED:
			rec_add(a, s->ids[i], s->channel, REC_FAILED,
			    (int)r->attempts, why);
			break;
		default:
			rec_add(a, s->ids[i], s->channel, REC_RETRY,
			    (int)r->attempts, r->reason);
			break;
		}
	}
	switch (r->status) {
	case SEGURD_DELIVER_OK:
		log_info("%s envoyée à %s (%u essai%s%s)", r->alert_id,
		    s->channel, r->attempts, r->attempts > 1 ? "s" : "",
		    s->n > 1 ? ", récapitulatif" : "");
		break;
	case SEGURD_DELIVER_FAILED:
		log_errorx("%s non envoyée à %s après %u essais : %s",
		    r->alert_id, s->channel, r->attempts, why);
		break;
	case SEGURD_DELIVER_DISABLED:
		log_errorx("%s non envoyée à %s : %s ; canal désactivé "
		    "jusqu'au rechargement de la configuration", r->alert_id,
		    s->channel, why);
		if ((c = chan_find(a, s->channel)) != NULL)
			c->disabled = 1;
		break;
	default:
		log_info("%s vers %s interrompue par l'arrêt : envoyée à "
		    "nouveau au prochain démarrage", r->alert_id, s->channel);
		break;
	}
	sub_free(s);
	job_start(a);
}

static void
on_tick(uv_timer_t *t)
{
	struct segurd_alerts *a = t->data;

	a->want_read = 1;
	job_start(a);
}

/*
 * The digest period. Test hook: SEGUR_TEST_DIGEST_MS shortens it (the
 * configuration allows 1min at least); tests only, never in production.
 */
static uint64_t
digest_period(const struct segurd_config *cfg)
{
	const char	*t = getenv("SEGUR_TEST_DIGEST_MS");

	if (cfg->digest_ms > 0 && t != NULL && atoi(t) > 0)
		return ((uint64_t)atoi(t));
	return (cfg->digest_ms);
}

static void
timer_arm(struct segurd_alerts *a)
{
	uint64_t ms = a->digest_ms > 0 ? a->digest_ms : TICK_MS;

	uv_timer_start(&a->timer, on_tick, ms, ms);
}

static void
deliver_log(void *arg, int level, const char *msg)
{
	(void)arg;
	if (level <= LOG_ERR)
		log_errorx("alertes : %s", msg);
	else if (level == LOG_WARNING)
		log_warnx("alertes : %s", msg);
	else
		log_debug("alertes : %s", msg);
}

struct segurd_alerts *
segurd_alerts_new(uv_loop_t *loop, const char *ledger_path,
    const struct segurd_config *cfg, char **cause)
{
	struct segurd_deliver_policy pol = SEGURD_DELIVER_POLICY_DEFAULT;
	struct segurd_alerts *a;
	size_t		 i;

	if ((a = calloc(1, sizeof(*a))) == NULL ||
	    (a->ledger_path = strdup(ledger_path)) == NULL) {
		free(a);
		segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
		return (NULL);
	}
	if (chans_build(cfg, &a->chans, &a->nchans, cause) != 0) {
		free(a->ledger_path);
		free(a);
		return (NULL);
	}
	a->loop = loop;
	if (cfg->audit_key.value != NULL) {
		if ((a->seal_key = malloc(cfg->audit_key.len)) == NULL) {
			free(a->chans);
			free(a->ledger_path);
			free(a);
			segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
			return (NULL);
		}
		memcpy(a->seal_key, cfg->audit_key.value, cfg->audit_key.len);
		a->seal_key_len = cfg->audit_key.len;
	}
	a->digest_ms = digest_period(cfg);
	if (uv_random(NULL, NULL, &a->seed, sizeof(a->seed), 0, NULL) != 0)
		a->seed = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)a;
	pol.give_up_ms = cfg->retry_for_ms;
	/* One attempt may take the longest timeout of any channel. */
	pol.timeout_ms = cfg->mail.enabled ? cfg->mail.timeout_ms : 0;
	for (i = 0; i < cfg->nwebhooks; i++)
		if (cfg->webhooks[i].timeout_ms > pol.timeout_ms)
			pol.timeout_ms = cfg->webhooks[i].timeout_ms;
	if ((a->deliver = segurd_deliver_new(loop, &pol,
	    segurd_deliver_splitmix64, &a->seed, deliver_log, a, cause)) ==
	    NULL) {
		chans_free(a->chans, a->nchans);
		free(a->ledger_path);
		free(a);
		return (NULL);
	}
	uv_timer_init(loop, &a->timer);
	a->timer.data = a;
	return (a);
}

void
segurd_alerts_start(struct segurd_alerts *a)
{
	timer_arm(a);
	/* What the outbox holds already (a restart) goes out now, as a
	 * digest when there is more than a handful. */
	a->want_read = 1;
	a->startup = 1;
	job_start(a);
}

int
segurd_alerts_configure(struct segurd_alerts *a,
    const struct segurd_config *cfg, char **cause)
{
	struct chan	*c;
	size_t		 n;
	int		 rc;

	if ((rc = chans_build(cfg, &c, &n, cause)) != 0)
		return (rc);
	chans_free(a->chans, a->nchans);
	a->chans = c;
	a->nchans = n;
	if (a->digest_ms != digest_period(cfg)) {
		a->digest_ms = digest_period(cfg);
		timer_arm(a);
	}
	a->want_read = 1;
	job_start(a);
	return (0);
}

void
segurd_alerts_wake(struct segurd_alerts *a)
{
	if (a == NULL || a->closing)
		return;
	/* In digest mode, the timer reads at the end of the period. */
	if (a->digest_ms > 0)
		return;
	a->want_read = 1;
	job_start(a);
}

void
segurd_alerts_remind(struct segurd_alerts *a,
    const struct segurd_remind_req *req)
{
	if (a == NULL || a->closing)
		return;
	a->rr = *req;
	a->want_remind = 1;
	job_start(a);
}

size_t
segurd_alerts_inflight(const struct segurd_alerts *a)
{
	return (a != NULL ? a->nsubs : 0);
}

static void
on_timer_closed(uv_handle_t *h)
{
	struct segurd_alerts *a = h->data;

	a->timer_closed = 1;
	finish_close(a);
}

static void
on_deliver_closed(void *arg)
{
	struct segurd_alerts *a = arg;

	a->deliver = NULL;
	if (a->recs != NULL) {
		if (a->busy)
			a->again = 1;
		else
			job_start(a);
		return;
	}
	finish_close(a);
}

void
segurd_alerts_close(struct segurd_alerts *a, void (*done)(void *),
    void *arg)
{
	if (a->closing)
		return;
	a->closing = 1;
	a->done = done;
	a->done_arg = arg;
	uv_timer_stop(&a->timer);
	uv_close((uv_handle_t *)&a->timer, on_timer_closed);
	/* Cancelled outcomes come now; on_deliver_closed writes them. */
	segurd_deliver_close(a->deliver, on_deliver_closed, a);
}
