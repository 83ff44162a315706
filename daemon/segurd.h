/*
 * segurd.h: the daemon's state, shared by segurd.c (main, start-up,
 * signals, shutdown) and glue.c (what the daemon asks of the library).
 */
#ifndef SEGURD_SEGURD_H
#define SEGURD_SEGURD_H

#include <stdint.h>
#include <time.h>

#include <uv.h>

#include "alerts.h"
#include "config.h"
#include "http.h"
#include "remind.h"
#include "watch.h"

/*
 * What is fixed for the life of the process: copied from the first
 * configuration and never changed by SIGHUP, so that the process callback
 * may read it from its uv_queue_work thread while the loop thread swaps
 * the configuration. Strings owned, freed at exit.
 */
struct segurd_run {
	int		 crash_at;	/* tests: ingest crash point, 0 never */
	const char	*inbox_swap;	/* tests: what replaces an inbox file
					   before its open (glue.c), or NULL;
					   borrowed from the environment */
	char		*ledger_path;
	char		*inbox_path;
	char		*archive_path;
	char		*quarantine_path;
	char		*listen;
	unsigned char	*audit_key;	/* seals every event; NULL: none */
	size_t		 audit_key_len;
};

struct segur_ledger;

/* Sets the run's audit key on l, so that the events it writes are
 * sealed. 0 or SEGUR_ENOMEM. (segurd.c) */
int	segurd_seal_key(const struct segurd_run *r, struct segur_ledger *l);

struct segurd {
	uv_loop_t	 loop;
	struct segur_ledger *ledger;	/* owned; loop thread: providers */
	struct segur_ledger *worker_ledger; /* owned; the uv_queue_work
					   thread only (one file at a time),
					   opened on first use */
	char		*config_file;	/* borrowed from argv */
	struct segurd_config *cfg;	/* owned; loop thread only */
	struct segurd_run run;
	struct segurd_watch watch;
	struct segurd_http http;
	struct segurd_alerts *alerts;	/* owned; freed by its close */
	struct segurd_remind remind;
	uv_signal_t	 sig_term, sig_int, sig_hup;
	uv_timer_t	 watchdog;
	uv_timer_t	 stop_deadline;	/* shutdown's last resort */
	uint64_t	 watchdog_usec;	/* 0: not asked by systemd */
	time_t		 started;
	uint64_t	 reloads_ok;
	uint64_t	 reloads_failed;
	int		 config_bad;	/* the last reload failed */
	char		*config_error;	/* owned; why, first line */
	int		 stopping;
	int		 bundle_busy;	/* console.c: a bundle is being built */
	unsigned	 closing;	/* parts whose close has not called
					   back yet (part_closed()) */
	int		 left_behind;	/* the stop deadline passed */
};

#endif /* SEGURD_SEGURD_H */
