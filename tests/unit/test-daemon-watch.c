/*
 * test-daemon-watch.c: the inbox watcher on a real folder and uv loop.
 *
 * The process callback records each call and moves the file to done/ (or
 * leaves it, for the retry tests). A poll timer stops the watcher once
 * the expected number of calls is reached; no assertion depends on time.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <uv.h>

#include "segur/error.h"
#include "segur/util.h"
#include "helper-ledger.h"
#include "watch.h"

#define MAX_CALLS	1000

struct rig {
	char		*top;
	char		*inbox, *done, *stage;
	uv_loop_t	 loop;
	uv_timer_t	 poll;
	struct segurd_watch w;
	pthread_mutex_t	 mu;
	char		*calls[MAX_CALLS];	/* base names, in order */
	off_t		 sizes[MAX_CALLS];
	int		 ncalls;
	int		 want;		/* stop after this many files done */
	int		 leave;		/* process leaves the file, fails */
	int		 slow_ms;	/* process sleeps this long */
	int		 stopped;
	/* Called on each poll tick before the stop check. */
	void		(*tick)(struct rig *);
	int		 ticks;
	int		 step;
	int		 fd;
	int		 ndone;		/* done callbacks, loop thread */
	int		 last_rc;
	int		 gated;		/* process waits for the gate */
	uv_sem_t	 gate;
	uint64_t	 close_at;	/* loop ms of segurd_watch_close() */
	uint64_t	 closed_at;	/* loop ms of the close callback */
};

static int
process(void *arg, const char *path, char **cause)
{
	struct rig	*g = arg;
	struct stat	 st;
	const char	*base = strrchr(path, '/') + 1;
	char		*to;
	int		 i;

	assert_int_equal(stat(path, &st), 0);
	/* A job stuck as on a hung file system, until the test lets go. */
	if (g->gated)
		uv_sem_wait(&g->gate);
	if (g->slow_ms > 0)
		usleep((useconds_t)g->slow_ms * 1000);
	pthread_mutex_lock(&g->mu);
	i = g->ncalls;
	if (i < MAX_CALLS) {
		g->calls[i] = strdup(base);
		g->sizes[i] = st.st_size;
		g->ncalls++;
	}
	pthread_mutex_unlock(&g->mu);
	if (g->leave)
		return (segur_cause(cause, SEGUR_EINVAL,
		    "refused for the test"));
	to = segur_asprintf("%s/%s", g->done, base);
	assert_int_equal(rename(path, to), 0);
	free(to);
	return (0);
}

static void
done(void *arg, const char *name, int rc)
{
	struct rig *g = arg;

	assert_non_null(name);
	g->ndone++;
	g->last_rc = rc;
}

static void
stopped(struct segurd_watch *w)
{
	struct rig *g = (struct rig *)((char *)w - offsetof(struct rig, w));

	g->stopped = 1;
}

static void
on_poll(uv_timer_t *t)
{
	struct rig *g = t->data;

	g->ticks++;
	if (g->tick != NULL)
		g->tick(g);
	/*
	 * Files done, not process() calls: a file whose call has returned
	 * may not be done yet on the loop, and a stop then would end it
	 * without its done callback (as it should, but not what these tests
	 * look at; the stop itself has its own test).
	 */
	if (g->ndone >= g->want && g->want > 0) {
		segurd_watch_close(&g->w, 0, stopped);
		uv_close((uv_handle_t *)t, NULL);
	}
}

static int
setup(void **state)
{
	struct rig *g = calloc(1, sizeof(*g));

	assert_non_null(g);
	g->top = helper_tmpdir("test-watch");
	g->inbox = segur_asprintf("%s/inbox", g->top);
	g->done = segur_asprintf("%s/done", g->top);
	g->stage = segur_asprintf("%s/stage", g->top);
	assert_int_equal(mkdir(g->inbox, 0700), 0);
	assert_int_equal(mkdir(g->done, 0700), 0);
	assert_int_equal(mkdir(g->stage, 0700), 0);
	pthread_mutex_init(&g->mu, NULL);
	assert_int_equal(uv_loop_init(&g->loop), 0);
	g->fd = -1;
	*state = g;
	return (0);
}

static int
teardown(void **state)
{
	struct rig *g = *state;
	int	 i;

	helper_tmpdir_free(g->top);
	for (i = 0; i < g->ncalls; i++)
		free(g->calls[i]);
	pthread_mutex_destroy(&g->mu);
	free(g->inbox);
	free(g->done);
	free(g->stage);
	free(g);
	return (0);
}

/* Starts the watcher, runs the loop until it stopped, checks the loop. */
static void
run(struct rig *g, uint64_t settle_ms, uint64_t rescan_ms)
{
	char	*cause = NULL;

	assert_int_equal(segurd_watch_init(&g->w, &g->loop, g->inbox,
	    settle_ms, rescan_ms, process, g, &cause), 0);
	g->w.done = done;
	assert_int_equal(segurd_watch_start(&g->w, &cause), 0);
	assert_int_equal(uv_timer_init(&g->loop, &g->poll), 0);
	g->poll.data = g;
	assert_int_equal(uv_timer_start(&g->poll, on_poll, 5, 5), 0);
	assert_int_equal(uv_run(&g->loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(g->stopped, 1);
	assert_int_equal(uv_loop_close(&g->loop), 0);
}

/* Writes text to dir/name. */
static void
put(const char *dir, const char *name, const char *text)
{
	char	*p = segur_asprintf("%s/%s", dir, name);
	FILE	*f = fopen(p, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	free(p);
}

/* Moves stage/name into the inbox, as the documented way to deliver. */
static void
deliver(struct rig *g, const char *name)
{
	char	*from = segur_asprintf("%s/%s", g->stage, name);
	char	*to = segur_asprintf("%s/%s", g->inbox, name);

	assert_int_equal(rename(from, to), 0);
	free(from);
	free(to);
}

static int
count_calls(struct rig *g, const char *name)
{
	int	 i, n = 0;

	for (i = 0; i < g->ncalls; i++)
		if (strcmp(g->calls[i], name) == 0)
			n++;
	return (n);
}

static void
tick_deliver_old(struct rig *g)
{
	struct timespec times[2] = { { 1700000000, 0 }, { 1700000000, 0 } };
	char	*p;

	if (g->step++ != 0)
		return;
	/* Written a while ago, renamed in now: complete at once. */
	put(g->stage, "JSON-1.retour.json", "{\"ok\": true}\n");
	p = segur_asprintf("%s/JSON-1.retour.json", g->stage);
	assert_int_equal(utimensat(AT_FDCWD, p, times, 0), 0);
	free(p);
	deliver(g, "JSON-1.retour.json");
}

static void
test_daemon_watch_renamed_file_taken_at_once(void **state)
{
	struct rig *g = *state;

	g->want = 1;
	g->tick = tick_deliver_old;
	/* A settle delay of an hour: only the rename rule can take it. */
	run(g, 3600000, 3600000);
	assert_int_equal(g->ncalls, 1);
	assert_string_equal(g->calls[0], "JSON-1.retour.json");
	assert_int_equal(g->sizes[0], 13);
	assert_int_equal(g->w.stats.processed, 1);
	assert_int_equal(g->w.stats.seen, 1);
	assert_int_equal(g->ndone, 1);
	assert_int_equal(g->last_rc, 0);
}

static void
tick_deliver_fresh(struct rig *g)
{
	if (g->step++ != 0)
		return;
	put(g->stage, "fresh.json", "{}\n");
	deliver(g, "fresh.json");
}

static void
test_daemon_watch_rename_just_written_processed_once(void **state)
{
	struct rig *g = *state;

	/* Renamed right after writing: complete by either rule. */
	g->want = 1;
	g->tick = tick_deliver_fresh;
	run(g, 50, 3600000);
	assert_int_equal(count_calls(g, "fresh.json"), 1);
	assert_int_equal(g->ncalls, 1);
}

/* Appends one chunk every few ticks, as a slow writer in place would. */
static void
tick_write_slowly(struct rig *g)
{
	char	*p;

	if (g->ticks % 4 != 0)
		return;
	if (g->step == 0) {
		p = segur_asprintf("%s/slow.json", g->inbox);
		g->fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		assert_true(g->fd >= 0);
		free(p);
	}
	if (g->step < 20) {
		assert_int_equal(write(g->fd, "0123456789", 10), 10);
	} else if (g->step == 20) {
		close(g->fd);
		g->fd = -1;
	}
	g->step++;
}

static void
test_daemon_watch_slow_writer_processed_once_whole(void **state)
{
	struct rig *g = *state;

	/* A chunk every ~20ms; the file must be quiet for 1s. */
	g->want = 1;
	g->tick = tick_write_slowly;
	run(g, 1000, 3600000);
	assert_int_equal(g->ncalls, 1);
	assert_string_equal(g->calls[0], "slow.json");
	assert_int_equal(g->sizes[0], 200);
}

static void
tick_burst(struct rig *g)
{
	char	 name[64];
	int	 i;

	if (g->step++ != 0)
		return;
	for (i = 0; i < 500; i++) {
		snprintf(name, sizeof(name), "burst-%03d.json", i);
		put(g->stage, name, "{}\n");
	}
	for (i = 0; i < 500; i++) {
		snprintf(name, sizeof(name), "burst-%03d.json", i);
		deliver(g, name);
	}
}

static void
test_daemon_watch_burst_of_500_all_processed(void **state)
{
	struct rig *g = *state;
	char	 name[64];
	int	 i;

	g->want = 500;
	g->tick = tick_burst;
	run(g, 20, 3600000);
	assert_int_equal(g->ncalls, 500);
	for (i = 0; i < 500; i++) {
		snprintf(name, sizeof(name), "burst-%03d.json", i);
		assert_int_equal(count_calls(g, name), 1);
	}
	assert_int_equal(g->w.stats.processed, 500);
}

static void
tick_ignored(struct rig *g)
{
	char	*p, *q;

	if (g->step == 0) {
		put(g->inbox, ".hidden.json", "{}\n");
		put(g->inbox, "upload.json.tmp", "{}\n");
		put(g->inbox, "upload.json.part", "{}\n");
		p = segur_asprintf("%s/quarantine", g->inbox);
		assert_int_equal(mkdir(p, 0700), 0);
		free(p);
		put(g->top, "outside.json", "{}\n");
		p = segur_asprintf("%s/outside.json", g->top);
		q = segur_asprintf("%s/link.json", g->inbox);
		assert_int_equal(symlink(p, q), 0);
		free(p);
		free(q);
	}
	/* Rescans see them all; then a real file ends the test. */
	if (g->step == 5)
		segurd_watch_rescan(&g->w);
	if (g->step == 10) {
		put(g->stage, "real.json", "{}\n");
		deliver(g, "real.json");
	}
	g->step++;
}

/*
 * Dot files, .tmp and .part are left alone; a folder and a symbolic link
 * are not files to wait for: they are handed to process at once (segurd
 * moves them aside), before the file, which waits to be complete.
 */
static void
test_daemon_watch_ignored_names(void **state)
{
	struct rig *g = *state;
	struct stat st;
	char	*p;

	g->want = 3;
	g->tick = tick_ignored;
	run(g, 10, 3600000);
	assert_int_equal(g->ncalls, 3);
	assert_int_equal(count_calls(g, "quarantine"), 1);
	assert_int_equal(count_calls(g, "link.json"), 1);
	assert_string_equal(g->calls[2], "real.json");
	assert_int_equal(g->w.stats.seen, 3);
	p = segur_asprintf("%s/upload.json.part", g->inbox);
	assert_int_equal(stat(p, &st), 0);
	free(p);
}

/* process() calls so far; they run on the worker thread. */
static int
ncalls_now(struct rig *g)
{
	int	 n;

	pthread_mutex_lock(&g->mu);
	n = g->ncalls;
	pthread_mutex_unlock(&g->mu);
	return (n);
}

static void
tick_left(struct rig *g)
{
	FILE	*f;
	char	*p;

	if (g->step == 0) {
		put(g->stage, "bad.json", "not json\n");
		deliver(g, "bad.json");
		g->step = 1;
	}
	/* Once refused: rescans must not retake it before the back-off. */
	if (g->step >= 10 && g->step < 40 && ncalls_now(g) == 1)
		segurd_watch_rescan(&g->w);
	if (g->step == 40) {
		assert_int_equal(ncalls_now(g), 1);
		p = segur_asprintf("%s/bad.json", g->inbox);
		f = fopen(p, "a");
		assert_non_null(f);
		fputs("changed\n", f);
		fclose(f);
		free(p);
	}
	if (ncalls_now(g) >= 1)
		g->step++;
}

static void
test_daemon_watch_left_file_retried_only_when_changed(void **state)
{
	struct rig *g = *state;

	g->leave = 1;
	g->want = 2;
	g->tick = tick_left;
	run(g, 10, 3600000);
	assert_int_equal(g->ncalls, 2);
	assert_int_equal(count_calls(g, "bad.json"), 2);
	assert_int_equal(g->sizes[0], 9);
	assert_int_equal(g->sizes[1], 17);
	assert_int_equal(g->w.stats.failed, 2);
	assert_int_equal(g->w.stats.left, 2);
	assert_int_equal(g->ndone, 2);
	assert_int_equal(g->last_rc, SEGUR_EINVAL);
}

static void
tick_stop_while_busy(struct rig *g)
{
	if (g->step == 0) {
		put(g->stage, "long.json", "{}\n");
		deliver(g, "long.json");
		put(g->stage, "next.json", "{}\n");
		deliver(g, "next.json");
	}
	g->step++;
	/* Stop as soon as the first file is in progress. */
	if (g->w.stats.busy && g->want == 0) {
		g->want = -1;
		segurd_watch_close(&g->w, 0, stopped);
		uv_close((uv_handle_t *)&g->poll, NULL);
	}
}

static void
test_daemon_watch_stop_finishes_file_in_progress(void **state)
{
	struct rig *g = *state;
	struct stat st;
	char	*p;

	g->slow_ms = 300;
	g->want = 0;
	g->tick = tick_stop_while_busy;
	run(g, 10, 3600000);
	/* The file in progress was finished, the next one not started. */
	assert_int_equal(g->ncalls, 1);
	assert_int_equal(g->w.stats.processed, 1);
	p = segur_asprintf("%s/%s", g->done, g->calls[0]);
	assert_int_equal(stat(p, &st), 0);
	free(p);
}

static void
test_daemon_watch_ignored_name_rules(void **state)
{
	(void)state;
	assert_true(segurd_watch_ignored(".x.json"));
	assert_true(segurd_watch_ignored("a.tmp"));
	assert_true(segurd_watch_ignored("a.json.part"));
	assert_true(segurd_watch_ignored(".tmp"));
	assert_false(segurd_watch_ignored("a.json"));
	assert_false(segurd_watch_ignored("tmp"));
	assert_false(segurd_watch_ignored("a.tmp.json"));
	assert_false(segurd_watch_ignored("a.TMP"));
}

static void
test_daemon_watch_missing_inbox_is_an_error(void **state)
{
	struct rig *g = *state;
	struct segurd_watch w;
	char	*cause = NULL, *p;

	p = segur_asprintf("%s/none", g->top);
	assert_int_equal(segurd_watch_init(&w, &g->loop, p, 10, 1000,
	    process, g, &cause), 0);
	assert_int_equal(segurd_watch_start(&w, &cause), SEGUR_EIO);
	assert_non_null(strstr(cause, p));
	free(cause);
	free(p);
	/* Closed after a failed start too: every handle is released. */
	segurd_watch_close(&w, 0, NULL);
	assert_int_equal(uv_run(&g->loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(uv_loop_close(&g->loop), 0);
}

/* Once the gated file is in progress: what /healthz would be told. */
static void
tick_stuck(struct rig *g)
{
	const char	*name;
	uint64_t	 t0, ran = 0;

	if (g->step == 0) {
		put(g->stage, "stuck.json", "{}\n");
		deliver(g, "stuck.json");
	}
	g->step++;
	if (!g->w.stats.busy || g->want != 0)
		return;
	/* The clock is the test's: just before and after the limit. */
	t0 = g->w.work_start;
	assert_null(segurd_watch_stuck(&g->w, t0 + 120000, 120000, &ran));
	assert_int_equal(ran, 120000);
	name = segurd_watch_stuck(&g->w, t0 + 120001, 120000, &ran);
	assert_non_null(name);
	assert_string_equal(name, "stuck.json");
	assert_int_equal(ran, 120001);
	g->want = 1;
	uv_sem_post(&g->gate);
}

static void
test_daemon_watch_stuck_after_the_limit_only(void **state)
{
	struct rig *g = *state;

	assert_int_equal(uv_sem_init(&g->gate, 0), 0);
	g->gated = 1;
	g->tick = tick_stuck;
	run(g, 10, 3600000);
	/* Done: nothing is stuck, whatever the time. */
	assert_null(segurd_watch_stuck(&g->w, UINT64_MAX, 1000, NULL));
	assert_int_equal(g->ncalls, 1);
	uv_sem_destroy(&g->gate);
}

static void
closed_stop_loop(struct segurd_watch *w)
{
	struct rig *g = (struct rig *)((char *)w - offsetof(struct rig, w));

	g->stopped = 1;
	g->closed_at = uv_now(w->loop);
	/* The abandoned uv_work_t keeps the loop alive: as segurd does. */
	if (w->abandoned)
		uv_stop(w->loop);
}

static void
tick_close_while_stuck(struct rig *g)
{
	if (g->step == 0) {
		put(g->stage, "hung.json", "{}\n");
		deliver(g, "hung.json");
	}
	g->step++;
	if (g->w.stats.busy && g->want == 0) {
		g->want = -1;
		g->close_at = uv_now(&g->loop);
		segurd_watch_close(&g->w, 200, closed_stop_loop);
		uv_close((uv_handle_t *)&g->poll, NULL);
	}
}

static void
test_daemon_watch_close_abandons_a_stuck_job(void **state)
{
	struct rig *g = *state;
	char	*cause = NULL;

	assert_int_equal(uv_sem_init(&g->gate, 0), 0);
	g->gated = 1;
	g->tick = tick_close_while_stuck;
	assert_int_equal(segurd_watch_init(&g->w, &g->loop, g->inbox, 10,
	    3600000, process, g, &cause), 0);
	assert_int_equal(segurd_watch_start(&g->w, &cause), 0);
	assert_int_equal(uv_timer_init(&g->loop, &g->poll), 0);
	g->poll.data = g;
	assert_int_equal(uv_timer_start(&g->poll, on_poll, 5, 5), 0);
	/* Stopped by the close callback, the job still running. */
	assert_int_not_equal(uv_run(&g->loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(g->stopped, 1);
	assert_int_equal(g->w.abandoned, 1);
	assert_true(g->closed_at - g->close_at >= 200);
	assert_true(g->closed_at - g->close_at < 1000);
	assert_int_equal(uv_loop_close(&g->loop), UV_EBUSY);
	/* The job ends after all: its end is cleaned up, nothing called. */
	uv_sem_post(&g->gate);
	assert_int_equal(uv_run(&g->loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(g->ncalls, 1);
	assert_int_equal(g->w.stats.processed, 1);
	assert_int_equal(g->ndone, 0);
	assert_int_equal(uv_loop_close(&g->loop), 0);
	uv_sem_destroy(&g->gate);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_daemon_watch_renamed_file_taken_at_once),
		T(test_daemon_watch_rename_just_written_processed_once),
		T(test_daemon_watch_slow_writer_processed_once_whole),
		T(test_daemon_watch_burst_of_500_all_processed),
		T(test_daemon_watch_ignored_names),
		T(test_daemon_watch_left_file_retried_only_when_changed),
		T(test_daemon_watch_stop_finishes_file_in_progress),
		cmocka_unit_test(test_daemon_watch_ignored_name_rules),
		T(test_daemon_watch_missing_inbox_is_an_error),
		T(test_daemon_watch_stuck_after_the_limit_only),
		T(test_daemon_watch_close_abandons_a_stuck_job),
#undef T
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
