/*
 * watch.c: the inbox watcher (watch.h).
 *
 * Each file name the watcher knows is one entry in one of these states:
 *
 *   SETTLING --complete (renamed in, or unchanged for settle_ms)--> READY
 *   READY --its turn, no other file in progress--> BUSY (uv_queue_work)
 *   BUSY --process done, file gone--> (entry freed)
 *   BUSY --process done, file still there--> LEFT
 *   LEFT --file changed (event or rescan)--> SETTLING
 *   LEFT --rescan after the back-off--> SETTLING
 *   SETTLING, READY, LEFT --name gone--> freed
 *
 * A name that is not a regular file (a symbolic link, a FIFO, a socket, a
 * device, a folder) is READY at once: nothing completes it, and process
 * moves it aside to the quarantine (ingest.h) rather than leave it to
 * block or mislead. The watcher only lstat()s names; the process opens
 * them as untrusted, so a swap between the two is caught there.
 * Only BUSY entries are immune to events and rescans. The settle timer
 * runs only while some entry is SETTLING; the rescan timer always.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <uv.h>

#include "segur/error.h"
#include "segur/util.h"
#include "config.h"
#include "log.h"
#include "watch.h"

#define BACKOFF_MAX_MS	(UINT64_C(86400000))

enum entry_state {
	E_SETTLING,
	E_READY,
	E_BUSY,
	E_LEFT
};

/* What identifies one version of a file. */
struct file_id {
	dev_t		 dev;
	ino_t		 ino;
	off_t		 size;
	struct timespec	 mtime;
	struct timespec	 ctime;
};

struct watch_entry {
	struct watch_entry *next;
	char		*name;
	char		*shown;		/* name for the log, escaped */
	int		 special;	/* not a regular file */
	enum entry_state state;
	struct file_id	 id;
	uint64_t	 since;		/* loop ms when id last changed */
	uint64_t	 seq;		/* order of readiness */
	uint64_t	 retry_at;	/* LEFT: loop ms of the next try */
	uint64_t	 gen;		/* rescan that last saw it */
	unsigned	 failures;
};

static void	watch_next(struct segurd_watch *);
static void	watch_arm_settle(struct segurd_watch *);
static void	watch_handle_gone(struct segurd_watch *);
static void	handle_closed(uv_handle_t *);

int
segurd_watch_ignored(const char *name)
{
	size_t	 n = strlen(name);

	if (n == 0 || name[0] == '.')
		return (1);
	if (n >= 4 && strcmp(name + n - 4, ".tmp") == 0)
		return (1);
	if (n >= 5 && strcmp(name + n - 5, ".part") == 0)
		return (1);
	return (0);
}

static int
ts_cmp(const struct timespec *a, const struct timespec *b)
{
	if (a->tv_sec != b->tv_sec)
		return (a->tv_sec < b->tv_sec ? -1 : 1);
	if (a->tv_nsec != b->tv_nsec)
		return (a->tv_nsec < b->tv_nsec ? -1 : 1);
	return (0);
}

static int
id_equal(const struct file_id *a, const struct file_id *b)
{
	return (a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	    ts_cmp(&a->mtime, &b->mtime) == 0 &&
	    ts_cmp(&a->ctime, &b->ctime) == 0);
}

/*
 * Stats name in the inbox without following links. Returns 1 for a
 * regular file, 2 for anything else there (id filled), 0 for nothing.
 */
static int
watch_stat(struct segurd_watch *w, const char *name, struct file_id *id)
{
	struct stat	 st;
	char		*path;
	int		 rc;

	if ((path = segur_asprintf("%s/%s", w->dir, name)) == NULL)
		return (0);
	rc = lstat(path, &st);
	free(path);
	if (rc != 0)
		return (0);
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	id->size = st.st_size;
	id->mtime = st.st_mtim;
	id->ctime = st.st_ctim;
	return (S_ISREG(st.st_mode) ? 1 : 2);
}

static struct watch_entry *
entry_find(struct segurd_watch *w, const char *name)
{
	struct watch_entry *e;

	for (e = w->entries; e != NULL; e = e->next)
		if (strcmp(e->name, name) == 0)
			return (e);
	return (NULL);
}

static void
entry_remove(struct segurd_watch *w, struct watch_entry *e)
{
	struct watch_entry **pp;

	for (pp = &w->entries; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == e) {
			*pp = e->next;
			break;
		}
	}
	free(e->name);
	free(e->shown);
	free(e);
}

/* SETTLING -> READY when complete; returns 1 if it became READY. */
static int
entry_settle(struct segurd_watch *w, struct watch_entry *e, uint64_t now)
{
	/* Metadata changed after the last write: renamed in, complete.
	 * Not a file: nothing to wait for, it goes aside at once. */
	if (e->special || ts_cmp(&e->id.ctime, &e->id.mtime) > 0 ||
	    now - e->since >= w->settle_ms) {
		e->state = E_READY;
		e->seq = ++w->ready_seq;
		log_debug("boîte : %s est complet (%s)", e->shown,
		    e->special ? "pas un fichier ordinaire" :
		    ts_cmp(&e->id.ctime, &e->id.mtime) > 0 ? "arrivé par "
		    "renommage" : "stable");
		return (1);
	}
	return (0);
}

/*
 * Looks at name again (event, rescan or settle tick) and moves its entry
 * along the state machine. rescan says whether LEFT entries whose back-off
 * has passed are retried.
 */
static void
watch_look(struct segurd_watch *w, const char *name, int rescan)
{
	struct watch_entry *e;
	struct file_id	 id;
	uint64_t	 now = uv_now(w->loop);
	int		 exists;

	if (segurd_watch_ignored(name) || strchr(name, '/') != NULL)
		return;
	e = entry_find(w, name);
	if (e != NULL && e->state == E_BUSY)
		return;
	exists = watch_stat(w, name, &id);
	if (!exists) {
		if (e != NULL)
			entry_remove(w, e);
		return;
	}
	if (e == NULL) {
		if ((e = calloc(1, sizeof(*e))) == NULL ||
		    (e->name = strdup(name)) == NULL ||
		    (e->shown = segur_excerpt(name, strlen(name), 1024)) ==
		    NULL) {
			if (e != NULL)
				free(e->name);
			free(e);
			log_warnx("boîte : mémoire épuisée ; un fichier attend "
			    "le prochain parcours");
			return;
		}
		e->special = exists == 2;
		e->state = E_SETTLING;
		e->id = id;
		e->since = now;
		e->next = w->entries;
		w->entries = e;
		w->stats.seen++;
		if (e->special)
			log_warnx("boîte : %s n'est pas un fichier ordinaire ; "
			    "il est mis à l'écart", e->shown);
		else
			log_debug("boîte : %s repéré", e->shown);
		entry_settle(w, e, now);
		return;
	}
	if (!id_equal(&id, &e->id) || e->special != (exists == 2)) {
		/* Changed: a new version, whatever state it was in. */
		if (e->state == E_LEFT)
			log_info("boîte : %s a changé, il est repris",
			    e->shown);
		e->special = exists == 2;
		e->id = id;
		e->since = now;
		e->state = E_SETTLING;
		entry_settle(w, e, now);
		return;
	}
	switch (e->state) {
	case E_SETTLING:
		entry_settle(w, e, now);
		break;
	case E_LEFT:
		if (rescan && now >= e->retry_at) {
			log_info("boîte : nouvel essai de %s", e->shown);
			e->state = E_SETTLING;
			e->since = now;
			entry_settle(w, e, now);
		}
		break;
	case E_READY:
	case E_BUSY:
		break;
	}
}

/* Re-stats the SETTLING entries and arms the timer for the next one. */
static void
on_settle_timer(uv_timer_t *t)
{
	struct segurd_watch *w = t->data;
	struct watch_entry *e, *next;

	for (e = w->entries; e != NULL; e = next) {
		next = e->next;
		if (e->state == E_SETTLING)
			watch_look(w, e->name, 0);
	}
	watch_next(w);
	watch_arm_settle(w);
}

static void
watch_arm_settle(struct segurd_watch *w)
{
	struct watch_entry *e;
	uint64_t	 now = uv_now(w->loop), due = UINT64_MAX, at;

	if (w->stopping)
		return;
	w->stats.waiting = 0;
	for (e = w->entries; e != NULL; e = e->next) {
		if (e->state == E_READY)
			w->stats.waiting++;
		if (e->state != E_SETTLING)
			continue;
		w->stats.waiting++;
		at = e->since + w->settle_ms;
		if (at < due)
			due = at;
	}
	if (due == UINT64_MAX) {
		uv_timer_stop(&w->settle_timer);
		return;
	}
	uv_timer_start(&w->settle_timer, on_settle_timer,
	    due > now ? due - now : 1, 0);
}

static void
work_run(uv_work_t *req)
{
	struct segurd_watch *w = req->data;

	w->work_cause = NULL;
	w->work_rc = w->process(w->arg, w->work_path, &w->work_cause);
}

/* Back-off before a file left in the inbox is tried again. */
static uint64_t
backoff_ms(const struct segurd_watch *w, unsigned failures)
{
	uint64_t	 ms = w->rescan_ms;
	unsigned	 i;

	for (i = 1; i < failures && ms < BACKOFF_MAX_MS; i++)
		ms *= 2;
	return (ms < BACKOFF_MAX_MS ? ms : BACKOFF_MAX_MS);
}

static void
work_done(uv_work_t *req, int status)
{
	struct segurd_watch *w = req->data;
	struct watch_entry *e = w->current;
	struct file_id	 id;
	uint64_t	 now = uv_now(w->loop);
	char		 dur[32];
	int		 rc;

	w->current = NULL;
	w->stats.busy = 0;
	w->stats.last_duration_ms = now - w->work_start;
	if (w->closing) {
		/* e is off the list (segurd_watch_close()). */
		if (w->work_rc == 0)
			w->stats.processed++;
		else
			w->stats.failed++;
		if (access(w->work_path, F_OK) == 0)
			w->stats.left++;
		log_info("boîte : %s terminé%s (%s)", e->shown, w->abandoned ?
		    " après avoir été abandonné" : "", w->work_rc == 0 ?
		    "traité" : w->work_cause != NULL ? w->work_cause :
		    segur_strerror(w->work_rc));
		free(e->name);
		free(e->shown);
		free(e);
		free(w->work_cause);
		w->work_cause = NULL;
		free(w->work_path);
		w->work_path = NULL;
		/* Abandoned: close already counted the job as gone. */
		if (w->abandoned)
			return;
		if (!uv_is_closing((uv_handle_t *)&w->grace_timer))
			uv_close((uv_handle_t *)&w->grace_timer, handle_closed);
		watch_handle_gone(w);
		return;
	}
	w->stats.last_done = time(NULL);
	if (status == UV_ECANCELED) {
		w->work_rc = SEGUR_EIO;
		free(w->work_cause);
		w->work_cause = strdup("annulé");
	}
	if (w->work_rc == 0) {
		w->stats.processed++;
		log_info("boîte : %s traité en %llu ms", e->shown,
		    (unsigned long long)w->stats.last_duration_ms);
	} else {
		w->stats.failed++;
		log_warnx("boîte : %s : %s", e->shown, w->work_cause != NULL ?
		    w->work_cause : segur_strerror(w->work_rc));
	}
	if (w->done != NULL)
		w->done(w->arg, e->name, w->work_rc);
	if ((rc = watch_stat(w, e->name, &id)) != 0) {
		e->special = rc == 2;
		/* Still there: never again until it changes or backs off. */
		e->state = E_LEFT;
		e->id = id;
		e->failures++;
		e->retry_at = now + backoff_ms(w, e->failures);
		w->stats.left++;
		segurd_duration_format(backoff_ms(w, e->failures), dur,
		    sizeof(dur));
		log_warnx("boîte : %s est toujours dans la boîte ; repris "
		    "quand il change, ou à un parcours après %s", e->shown,
		    dur);
	} else
		entry_remove(w, e);
	free(w->work_cause);
	w->work_cause = NULL;
	free(w->work_path);
	w->work_path = NULL;
	watch_next(w);
	watch_arm_settle(w);
}

/* Starts processing the READY entry that became ready first, if idle. */
static void
watch_next(struct segurd_watch *w)
{
	struct watch_entry *e, *best = NULL;
	int	 rc;

	if (w->current != NULL || w->stopping)
		return;
	for (e = w->entries; e != NULL; e = e->next)
		if (e->state == E_READY && (best == NULL || e->seq < best->seq))
			best = e;
	if (best == NULL)
		return;
	if ((w->work_path = segur_asprintf("%s/%s", w->dir, best->name)) ==
	    NULL) {
		log_warnx("boîte : mémoire épuisée ; %s attend", best->shown);
		return;
	}
	best->state = E_BUSY;
	w->current = best;
	w->stats.busy = 1;
	w->work_start = uv_now(w->loop);
	w->work.data = w;
	log_debug("boîte : traitement de %s", best->shown);
	if ((rc = uv_queue_work(w->loop, &w->work, work_run, work_done)) !=
	    0) {
		log_warnx("boîte : impossible de mettre %s en file : %s",
		    best->shown,
		    uv_strerror(rc));
		best->state = E_READY;
		w->current = NULL;
		w->stats.busy = 0;
		free(w->work_path);
		w->work_path = NULL;
	}
}

static void
on_event(uv_fs_event_t *ev, const char *filename, int events, int status)
{
	struct segurd_watch *w = ev->data;

	(void)events;
	if (status != 0) {
		log_warnx("boîte : erreur de surveillance : %s ; les "
		    "parcours périodiques prennent le relais",
		    uv_strerror(status));
		return;
	}
	if (w->stopping)
		return;
	/* No name: something happened to the folder; look at everything. */
	if (filename == NULL) {
		segurd_watch_rescan(w);
		return;
	}
	watch_look(w, filename, 0);
	watch_next(w);
	watch_arm_settle(w);
}

void
segurd_watch_rescan(struct segurd_watch *w)
{
	struct watch_entry *e, *next;
	struct dirent	*d;
	DIR		*dir;

	if (w->stopping)
		return;
	w->stats.rescans++;
	if ((dir = opendir(w->dir)) == NULL) {
		log_warn("boîte : impossible de lire %s", w->dir);
		return;
	}
	while ((d = readdir(dir)) != NULL) {
		watch_look(w, d->d_name, 1);
		if ((e = entry_find(w, d->d_name)) != NULL)
			e->gen = w->stats.rescans;
	}
	closedir(dir);
	/* Entries whose file went without an event. */
	for (e = w->entries; e != NULL; e = next) {
		next = e->next;
		if (e->state != E_BUSY && e->gen != w->stats.rescans)
			watch_look(w, e->name, 1);
	}
	watch_next(w);
	watch_arm_settle(w);
}

static void
on_rescan_timer(uv_timer_t *t)
{
	segurd_watch_rescan(t->data);
}

int
segurd_watch_init(struct segurd_watch *w, uv_loop_t *loop, const char *dir,
    uint64_t settle_ms, uint64_t rescan_ms, segurd_watch_process_fn process,
    void *arg, char **cause)
{
	memset(w, 0, sizeof(*w));
	if ((w->dir = strdup(dir)) == NULL)
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	w->loop = loop;
	w->settle_ms = settle_ms;
	w->rescan_ms = rescan_ms;
	w->process = process;
	w->arg = arg;
	uv_fs_event_init(loop, &w->event);
	uv_timer_init(loop, &w->rescan_timer);
	uv_timer_init(loop, &w->settle_timer);
	uv_timer_init(loop, &w->grace_timer);
	w->event.data = w->rescan_timer.data = w->settle_timer.data =
	    w->grace_timer.data = w;
	w->open_handles = 4;
	return (0);
}

int
segurd_watch_start(struct segurd_watch *w, char **cause)
{
	struct stat	 st;
	int		 rc;

	if (stat(w->dir, &st) != 0)
		return (segur_cause(cause, SEGUR_EIO, "boîte %s : %s", w->dir,
		    strerror(errno)));
	if (!S_ISDIR(st.st_mode))
		return (segur_cause(cause, SEGUR_EINVAL, "la boîte %s n'est "
		    "pas un dossier", w->dir));
	if ((rc = uv_fs_event_start(&w->event, on_event, w->dir, 0)) != 0)
		return (segur_cause(cause, SEGUR_EIO, "impossible de "
		    "surveiller la boîte %s : %s", w->dir, uv_strerror(rc)));
	uv_timer_start(&w->rescan_timer, on_rescan_timer, w->rescan_ms,
	    w->rescan_ms);
	segurd_watch_rescan(w);
	return (0);
}

void
segurd_watch_set_timing(struct segurd_watch *w, uint64_t settle_ms,
    uint64_t rescan_ms)
{
	if (w->stopping)
		return;
	w->settle_ms = settle_ms;
	if (rescan_ms != w->rescan_ms) {
		w->rescan_ms = rescan_ms;
		uv_timer_start(&w->rescan_timer, on_rescan_timer, rescan_ms,
		    rescan_ms);
	}
	watch_arm_settle(w);
}

const char *
segurd_watch_stuck(const struct segurd_watch *w, uint64_t now,
    uint64_t after_ms, uint64_t *running_ms)
{
	uint64_t	 ran;

	if (w->current == NULL || w->abandoned)
		return (NULL);
	ran = now > w->work_start ? now - w->work_start : 0;
	if (running_ms != NULL)
		*running_ms = ran;
	return (ran > after_ms ? w->current->shown : NULL);
}

/* One handle (or the work in progress) is done; the last one ends it. */
static void
watch_handle_gone(struct segurd_watch *w)
{
	if (--w->open_handles > 0)
		return;
	free(w->dir);
	w->dir = NULL;
	if (w->closed_cb != NULL)
		w->closed_cb(w);
}

static void
handle_closed(uv_handle_t *h)
{
	watch_handle_gone(h->data);
}

/*
 * The grace time has passed and the job still runs: uv_queue_work cannot
 * take it back, so the watcher ends without it. The ledger is safe: an
 * ingestion is one SQLite transaction, committed or not.
 */
static void
on_grace_timer(uv_timer_t *t)
{
	struct segurd_watch *w = t->data;
	char	 dur[32];

	segurd_duration_format(uv_now(w->loop) - w->work_start, dur,
	    sizeof(dur));
	w->abandoned = 1;
	log_errorx("boîte : %s toujours en traitement après %s : abandonné ; "
	    "le registre garde sa dernière transaction validée et le "
	    "fichier, s'il est encore dans la boîte, est repris au prochain "
	    "démarrage",
	    w->current != NULL ? w->current->shown : "?", dur);
	uv_close((uv_handle_t *)t, handle_closed);
	watch_handle_gone(w);
}

void
segurd_watch_stop(struct segurd_watch *w)
{
	if (w->stopping)
		return;
	w->stopping = 1;
	uv_fs_event_stop(&w->event);
	uv_timer_stop(&w->rescan_timer);
	uv_timer_stop(&w->settle_timer);
}

void
segurd_watch_close(struct segurd_watch *w, uint64_t grace_ms,
    void (*closed_cb)(struct segurd_watch *))
{
	if (w->closing)
		return;
	segurd_watch_stop(w);
	w->closing = 1;
	w->closed_cb = closed_cb;
	while (w->entries != NULL) {
		if (w->entries == w->current) {
			/* Freed by work_done; keep it off the list. */
			w->entries = w->current->next;
			w->current->next = NULL;
			continue;
		}
		entry_remove(w, w->entries);
	}
	uv_close((uv_handle_t *)&w->event, handle_closed);
	uv_close((uv_handle_t *)&w->rescan_timer, handle_closed);
	uv_close((uv_handle_t *)&w->settle_timer, handle_closed);
	/* The file in progress finishes first; work_done counts as a
	 * handle, and the grace timer bounds the wait. */
	if (w->current != NULL) {
		w->open_handles++;
		log_info("boîte : fin du traitement de %s avant l'arrêt",
		    w->current->shown);
		if (grace_ms > 0) {
			uv_timer_start(&w->grace_timer, on_grace_timer,
			    grace_ms, 0);
			return;
		}
	}
	uv_close((uv_handle_t *)&w->grace_timer, handle_closed);
}
