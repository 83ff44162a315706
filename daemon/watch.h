/*
 * watch.h: the inbox watcher.
 *
 * The inbox folder is watched with uv_fs_event and rescanned at start and
 * every rescan_ms: events are hints (libuv 1.44 reports neither "closed
 * after writing" nor inotify's queue overflow), the rescan is the truth.
 *
 * Names starting with '.' or ending in ".tmp" or ".part" are ignored.
 * Anything else that is not a regular file (a symbolic link, a FIFO, a
 * socket, a device, a folder) is taken at once, for process to move it
 * aside (segurd: to the quarantine, with a reason and an alert). The
 * watcher only lstat()s: process opens names as untrusted, as anything
 * may be swapped in between (ingest.h).
 * A regular file is taken when it is complete, which is either
 *  - its size, modification time and inode have been seen unchanged for
 *    settle_ms (a file written slowly in place), or
 *  - its status-change time is later than its modification time: its
 *    metadata changed after its last write, which is what rename(2) into
 *    the inbox does (and what cp -p, rsync and install do once the data
 *    is written). Such a file is taken at once. When the rename falls in
 *    the same clock tick as the last write the two times are equal and
 *    the file simply waits settle_ms.
 *
 * Taken files are processed one at a time, in the order they became
 * complete, by the process callback in uv_queue_work (so the ledger sees
 * one writer from the daemon). A file being processed is never taken
 * again. A file the callback leaves in the inbox (whatever it returned)
 * is taken again only when it changes, or at a rescan once a back-off has
 * passed: rescan_ms, doubled after each failure, at most one day.
 *
 * Lifecycle, as libuv's: segurd_watch_init() (the caller's storage, the
 * handles initialized, no I/O) -> segurd_watch_start() (the folder
 * checked and watched, a first rescan) -> segurd_watch_stop() (no new
 * file taken; may be left out) -> segurd_watch_close() (every handle
 * closed; the file in progress, if any, finishes or is abandoned after a
 * grace time) -> (run the loop) -> closed callback. After a successful
 * init, close is always called, start having failed or not.
 *
 * A job running in uv_queue_work cannot be cancelled: when it outlives
 * the grace time, the watcher is closed without it ("abandoned") and the
 * uv_work_t stays active, so uv_run() does not return by itself; the
 * caller stops the loop and leaves with _exit(2) (exit(3) would run
 * libuv's destructor, which joins the worker threads). When the job
 * still ends while the loop runs, its end is only cleaned up.
 */
#ifndef SEGURD_WATCH_H
#define SEGURD_WATCH_H

#include <stdint.h>
#include <time.h>

#include <uv.h>

/*
 * Processes one taken file, on a uv_queue_work thread: it should move the
 * file out of the inbox (archive, quarantine). Returns 0 or a negative
 * SEGUR_E* with *cause set (malloc'ed, freed by the watcher).
 */
typedef int	(*segurd_watch_process_fn)(void *arg, const char *path,
		    char **cause);

/*
 * Told on the loop thread after each processing, with the file's name in
 * the inbox and what process returned (segurd updates its systemd status;
 * the alert delivery can be woken here).
 */
typedef void	(*segurd_watch_done_fn)(void *arg, const char *name, int rc);

/* What the watcher counts, for the metrics and health providers. */
struct segurd_watch_stats {
	uint64_t	 seen;		/* files noticed in the inbox */
	uint64_t	 processed;	/* process returned 0 */
	uint64_t	 failed;	/* process returned an error */
	uint64_t	 left;		/* left in the inbox by process */
	uint64_t	 rescans;
	uint64_t	 waiting;	/* now: settling or ready */
	uint64_t	 last_duration_ms;	/* of the last processing */
	time_t		 last_done;	/* when it ended, 0 if never */
	int		 busy;		/* a file is being processed now */
};

struct watch_entry;

struct segurd_watch {
	uv_loop_t	*loop;
	uv_fs_event_t	 event;
	uv_timer_t	 rescan_timer;
	uv_timer_t	 settle_timer;
	uv_work_t	 work;
	char		*dir;		/* owned */
	uint64_t	 settle_ms;
	uint64_t	 rescan_ms;
	segurd_watch_process_fn process;
	void		*arg;		/* borrowed; passed to process, done */
	segurd_watch_done_fn done;	/* may be NULL; set after start */
	struct watch_entry *entries;
	uint64_t	 ready_seq;
	struct watch_entry *current;	/* being processed */
	char		*work_path;
	char		*work_cause;
	int		 work_rc;
	uint64_t	 work_start;	/* loop ms the current job began */
	uv_timer_t	 grace_timer;	/* close: how long the job may run */
	int		 stopping;	/* stop() or close() was called */
	int		 closing;	/* close() was called */
	int		 abandoned;	/* close() stopped waiting for it */
	unsigned	 open_handles;
	void		(*closed_cb)(struct segurd_watch *);
	struct segurd_watch_stats stats;
};

/*
 * Prepares w (the caller's storage) to watch dir (copied) on loop
 * (borrowed): the handles are initialized, nothing is read. Returns 0, or
 * SEGUR_ENOMEM with *cause, and then nothing is to be closed.
 */
int	 segurd_watch_init(struct segurd_watch *w, uv_loop_t *loop,
	    const char *dir, uint64_t settle_ms, uint64_t rescan_ms,
	    segurd_watch_process_fn process, void *arg, char **cause);

/*
 * Starts watching: checks that the folder is one, the event watch, the
 * rescan timer, a first rescan. Returns 0 or a negative SEGUR_E* with
 * *cause (call segurd_watch_close() then too).
 */
int	 segurd_watch_start(struct segurd_watch *w, char **cause);

/* New delays (SIGHUP); the folder itself does not change. */
void	 segurd_watch_set_timing(struct segurd_watch *w, uint64_t settle_ms,
	    uint64_t rescan_ms);

/* Rescans now (also done by the timer). */
void	 segurd_watch_rescan(struct segurd_watch *w);

/*
 * The file being processed for more than after_ms at loop time now
 * (uv_now()), with how long in *running_ms: its name, control characters
 * escaped (borrowed until the job ends), or NULL when none is. Pure, so that the tests give the time.
 */
const char *segurd_watch_stuck(const struct segurd_watch *w, uint64_t now,
	    uint64_t after_ms, uint64_t *running_ms);

/* Stops taking files (events, timers); the file in progress goes on. */
void	 segurd_watch_stop(struct segurd_watch *w);

/*
 * Stops, closes every handle, and calls closed_cb (may be NULL) once
 * they are closed and the file in progress has finished, or once
 * grace_ms have passed without it finishing (0: wait as long as it
 * takes): then w->abandoned is 1, see above. w may be reused or freed
 * from closed_cb on, unless abandoned.
 */
void	 segurd_watch_close(struct segurd_watch *w, uint64_t grace_ms,
	    void (*closed_cb)(struct segurd_watch *));

/* Is name one the watcher ignores (dot files, .tmp, .part)? */
int	 segurd_watch_ignored(const char *name);

#endif /* SEGURD_WATCH_H */
