/*
 * segurd.c: main(), start-up and shutdown order, signals, reload.
 *
 * Start-up, each step fatal on failure (nothing is running yet):
 *  1. options; the configuration (-c FILE, default /etc/segur/segurd.conf)
 *     loaded and checked whole; the log level set from it;
 *  2. the loop; every part initialized in the caller's storage (_init,
 *     _new: no I/O), SIGTERM/SIGINT/SIGHUP handlers started;
 *  3. the HTTP endpoint started (a taken port fails here, not later);
 *  4. the inbox watcher started, with glue.c's process callback; the
 *     alerts' delivery (alerts.c) and the daily reminder timer
 *     (remind.c) started;
 *  5. the systemd watchdog timer when WATCHDOG_USEC asks for it, then
 *     READY=1 and STATUS= through sd_notify (no-ops outside systemd).
 * Shutdown (SIGTERM, SIGINT): STOPPING=1; the watcher stops taking
 * files; every part closed (signal handles, watchdog, reminders, alerts,
 * HTTP, watcher), each calling back once its handles are closed; the
 * file in progress finishes, or is abandoned after SHUTDOWN_GRACE_MS
 * (uv_queue_work cannot cancel it), and whatever has not closed after
 * SHUTDOWN_DEADLINE_MS is left too; then uv_loop_close() and exit 0, or
 * _exit(1) when work was left unfinished.
 * SIGHUP: read the file into a new configuration; swap it in only if it
 * is valid, else log why and keep the running one.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>
#include <uv.h>

#include "segur/archive.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"
#include "segur/version.h"
#include "config.h"
#include "curl-load.h"
#include "console.h"
#include "glue.h"
#include "http.h"
#include "log.h"
#include "segurd.h"
#include "watch.h"

/* How long a stop waits for the file in progress, then for every part
 * to close: systemd's TimeoutStopSec= (segurd.service: 60s) must leave
 * room for both. */
#define SHUTDOWN_GRACE_MS	5000
#define SHUTDOWN_DEADLINE_MS	8000

static void
usage(FILE *f)
{
	fprintf(f, "usage: segurd [-c FILE] [--check-config]\n"
	    "       segurd --version | --help | --dump-config-doc\n");
}

/* Logs each line of a multi-line cause as its own record. */
static void
log_lines(const char *prefix, const char *text)
{
	const char	*p = text, *nl;

	while (p != NULL && *p != '\0') {
		nl = strchr(p, '\n');
		log_errorx("%s%.*s", prefix, nl != NULL ? (int)(nl - p) :
		    (int)strlen(p), p);
		p = nl != NULL ? nl + 1 : NULL;
	}
}

static void
run_release(struct segurd_run *r)
{
	free(r->ledger_path);
	free(r->inbox_path);
	free(r->archive_path);
	free(r->quarantine_path);
	free(r->listen);
	if (r->audit_key != NULL)
		explicit_bzero(r->audit_key, r->audit_key_len);
	free(r->audit_key);
	memset(r, 0, sizeof(*r));
}

int
segurd_seal_key(const struct segurd_run *r, struct segur_ledger *l)
{
	if (r->audit_key == NULL)
		return (0);
	return (segur_ledger_set_seal_key(l, r->audit_key, r->audit_key_len));
}

static int
run_init(struct segurd_run *r, const struct segurd_config *cfg)
{
	if ((r->ledger_path = strdup(cfg->ledger_path)) == NULL ||
	    (r->inbox_path = strdup(cfg->inbox_path)) == NULL ||
	    (r->archive_path = strdup(cfg->archive_path)) == NULL ||
	    (r->quarantine_path = strdup(cfg->quarantine_path)) == NULL ||
	    (r->listen = strdup(cfg->listen)) == NULL ||
	    (cfg->audit_key.value != NULL && (r->audit_key =
	    malloc(cfg->audit_key.len)) == NULL)) {
		run_release(r);
		return (SEGUR_ENOMEM);
	}
	/* Read once, like the ledger's path: SIGHUP does not change it. */
	if (r->audit_key != NULL) {
		memcpy(r->audit_key, cfg->audit_key.value, cfg->audit_key.len);
		r->audit_key_len = cfg->audit_key.len;
	}
	return (0);
}

/* Tells systemd what segurd is doing (nothing outside systemd). */
static void
notify_status(struct segurd *d, const char *extra)
{
	sd_notifyf(0, "%sSTATUS=surveille %s, sert %s, %llu traité(s), "
	    "%llu en échec", extra, d->run.inbox_path, d->http.where,
	    (unsigned long long)d->watch.stats.processed,
	    (unsigned long long)d->watch.stats.failed);
}

/* After each file: the counters of STATUS= change. */
static void
on_file_done(void *arg, const char *name, int rc)
{
	struct segurd *d = arg;

	(void)name;
	notify_status(d, "");
	/* Ingest may have queued alerts: deliver them now. */
	if (rc == 0)
		segurd_alerts_wake(d->alerts);
}

static void
on_watchdog(uv_timer_t *t)
{
	struct segurd *d = t->data;

	/* The loop turns: tell systemd, with fresh counters. */
	notify_status(d, "WATCHDOG=1\n");
}

/* Warns about a key that only takes effect at restart. */
static void
restart_only(const char *key, const char *running, const char *wanted)
{
	if (strcmp(running, wanted) != 0)
		log_warnx("rechargement : %s passe de %s à %s : pris en "
		    "compte au prochain redémarrage", key, running, wanted);
}

/* The HTTP endpoint's share of the configuration. */
static void
http_limits(const struct segurd_config *cfg, struct segurd_http_limits *lim)
{
	lim->max_request = (size_t)cfg->max_request_bytes;
	lim->timeout_ms = cfg->client_timeout_ms;
	lim->max_per_client = (unsigned)cfg->max_per_client;
}

static void
reload(struct segurd *d)
{
	struct segurd_http_limits lim;
	struct segurd_config *cfg = NULL;
	char	*cause = NULL, *nl;
	int	 rc;

	sd_notify(0, "RELOADING=1");
	log_info("rechargement de %s", d->config_file);
	if ((rc = segurd_config_load(d->config_file, &cfg, &cause)) != 0) {
		d->reloads_failed++;
		d->config_bad = 1;
		log_lines("rechargement : ", cause != NULL ? cause :
		    segur_strerror(rc));
		log_errorx("échec du rechargement : la configuration en "
		    "service est gardée");
		free(d->config_error);
		d->config_error = cause;
		if (cause != NULL && (nl = strchr(cause, '\n')) != NULL)
			*nl = '\0';
		notify_status(d, "READY=1\n");
		return;
	}
	restart_only("[ledger] path", d->run.ledger_path, cfg->ledger_path);
	restart_only("[inbox] path", d->run.inbox_path, cfg->inbox_path);
	restart_only("[inbox] archive", d->run.archive_path,
	    cfg->archive_path);
	restart_only("[inbox] quarantine", d->run.quarantine_path,
	    cfg->quarantine_path);
	restart_only("[http] listen", d->run.listen, cfg->listen);
	if (cfg->retry_for_ms != d->cfg->retry_for_ms)
		log_warnx("rechargement : [alerts] retry_for a changé : "
		    "pris en compte au prochain redémarrage");
	if (segurd_alerts_configure(d->alerts, cfg, &cause) != 0) {
		log_errorx("rechargement : alertes : %s", cause != NULL ?
		    cause : "mémoire épuisée");
		log_errorx("échec du rechargement : la configuration en "
		    "service est gardée");
		segurd_config_free(cfg);
		d->reloads_failed++;
		d->config_bad = 1;
		free(d->config_error);
		d->config_error = cause;
		notify_status(d, "READY=1\n");
		return;
	}
	segurd_remind_configure(&d->remind, cfg);
	log_set_level(cfg->log_level);
	segurd_watch_set_timing(&d->watch, cfg->settle_ms, cfg->rescan_ms);
	http_limits(cfg, &lim);
	segurd_http_set_limits(&d->http, &lim);
	segurd_config_free(d->cfg);
	d->cfg = cfg;
	d->reloads_ok++;
	d->config_bad = 0;
	free(d->config_error);
	d->config_error = NULL;
	log_info("%s rechargé", d->config_file);
	notify_status(d, "READY=1\n");
}

/*
 * One part of the daemon has closed. The loop ends by itself once the
 * last has, except when the watcher abandoned a job: its uv_work_t stays
 * active, so the loop is stopped here.
 */
static void
part_closed(struct segurd *d)
{
	if (--d->closing > 0)
		return;
	uv_close((uv_handle_t *)&d->stop_deadline, NULL);
	if (d->watch.abandoned)
		uv_stop(&d->loop);
}

/*
 * Shutdown's last resort: a part that has not closed by now (an alerts
 * job waiting for a ledger that the abandoned ingestion keeps locked) is
 * left behind too, as the watcher leaves its job.
 */
static void
on_stop_deadline(uv_timer_t *t)
{
	struct segurd *d = t->data;

	log_errorx("%u partie%s encore en cours de fermeture %d s après le "
	    "début de l'arrêt : abandonnée%s", d->closing,
	    d->closing == 1 ? "" : "s", SHUTDOWN_DEADLINE_MS / 1000,
	    d->closing == 1 ? "" : "s");
	d->left_behind = 1;
	uv_stop(&d->loop);
}

static void
handle_closed(uv_handle_t *h)
{
	part_closed(h->data);
}

static void
remind_closed(struct segurd_remind *r)
{
	part_closed((struct segurd *)((char *)r -
	    offsetof(struct segurd, remind)));
}

static void
alerts_closed(void *arg)
{
	part_closed(arg);
}

static void
http_closed(struct segurd_http *h)
{
	part_closed((struct segurd *)((char *)h -
	    offsetof(struct segurd, http)));
}

static void
watch_closed(struct segurd_watch *w)
{
	part_closed((struct segurd *)((char *)w -
	    offsetof(struct segurd, watch)));
}

static void
shutdown_begin(struct segurd *d, const char *why)
{
	if (d->stopping)
		return;
	d->stopping = 1;
	log_info("%s : arrêt", why);
	sd_notify(0, "STOPPING=1");
	/* No new file from here; the one in progress goes on for now. */
	segurd_watch_stop(&d->watch);
	/* Unreferenced: it bounds the stop without keeping the loop up. */
	uv_timer_start(&d->stop_deadline, on_stop_deadline,
	    SHUTDOWN_DEADLINE_MS, 0);
	uv_unref((uv_handle_t *)&d->stop_deadline);
	d->closing = 9;
	uv_close((uv_handle_t *)&d->sig_term, handle_closed);
	uv_close((uv_handle_t *)&d->sig_int, handle_closed);
	uv_close((uv_handle_t *)&d->sig_hup, handle_closed);
	uv_close((uv_handle_t *)&d->watchdog, handle_closed);
	segurd_remind_close(&d->remind, remind_closed);
	/* Deliveries in progress stay pending in the outbox (sent again at
	 * the next start); curl is cleaned up while the loop still runs. */
	segurd_alerts_close(d->alerts, alerts_closed, d);
	segurd_http_close(&d->http, http_closed);
	segurd_watch_close(&d->watch, SHUTDOWN_GRACE_MS, watch_closed);
	/* The ninth: this function, so that no part ends it early. */
	part_closed(d);
}

static void
on_signal(uv_signal_t *h, int signum)
{
	struct segurd *d = h->data;

	if (signum == SIGHUP) {
		reload(d);
		return;
	}
	shutdown_begin(d, signum == SIGTERM ? "SIGTERM" : "SIGINT");
}

static void
signal_start(uv_signal_t *h, int signum)
{
	int	 rc;

	if ((rc = uv_signal_start(h, on_signal, signum)) != 0)
		fatalx("impossible de traiter le signal %d : %s", signum,
		    uv_strerror(rc));
}

/* --check-config: prints the effective configuration or the errors. */
static int
check_config(const char *file)
{
	struct segurd_config *cfg = NULL;
	char	*cause = NULL;
	int	 rc;

	/* A channel needs libcurl, which the daemon loads only before its
	 * first delivery: check now that it can. */
	if ((rc = segurd_config_load(file, &cfg, &cause)) != 0 ||
	    (rc = segurd_alerts_check_config(cfg, &cause)) != 0 ||
	    ((cfg->nwebhooks > 0 || cfg->mail.enabled) &&
	    (rc = segurd_curl_load(&cause)) != 0)) {
		if (rc != 0 && cfg != NULL)
			segurd_config_free(cfg);
		fprintf(stderr, "%s\n", cause != NULL ? cause :
		    segur_strerror(rc));
		fprintf(stderr, "segurd: %s : configuration invalide\n",
		    file);
		free(cause);
		return (1);
	}
	rc = segurd_config_print(cfg, stdout);
	segurd_config_free(cfg);
	if (rc != 0) {
		fprintf(stderr, "segurd: impossible d'écrire sur la sortie "
		    "standard\n");
		return (1);
	}
	fprintf(stderr, "segurd: %s : configuration valide\n", file);
	return (0);
}

/*
 * Removes what writes interrupted by a crash left in the archive
 * ("<sha256>.tmp.<pid>"): nothing refers to them, and segurctl audit
 * verify would list them for ever. A failure is only logged.
 */
static void
archive_sweep(const char *root)
{
	char	**names, *cause = NULL;
	size_t	 n, i;

	if (segur_archive_leftovers(root, 1, &names, &n, &cause) != 0)
		log_warnx("archive %s : %s", root, cause != NULL ? cause :
		    "mémoire épuisée");
	for (i = 0; i < n; i++)
		log_info("archive %s : %s supprimé, laissé par une écriture "
		    "interrompue", root, names[i]);
	segur_archive_leftovers_free(names, n);
	free(cause);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "check-config", no_argument, NULL, 'n' },
		{ "dump-config-doc", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct segurd_http_providers prov;
	struct segurd_http_limits lim;
	struct segurd	 d;
	const char	*file = SEGURD_CONFIG_DEFAULT;
	char		*cause = NULL;
	int		 ch, check = 0, rc;

	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			file = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'D':
			return (segurd_config_doc(stdout) == 0 ? 0 : 1);
		case 'h':
			usage(stdout);
			return (0);
		case 'V':
			printf("segurd %s\n", SEGUR_VERSION);
			return (0);
		default:
			usage(stderr);
			return (2);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "segurd: argument inattendu « %s »\n",
		    argv[optind]);
		usage(stderr);
		return (2);
	}
	if (check)
		return (check_config(file));

	/* 1. Configuration and log level. */
	memset(&d, 0, sizeof(d));
	d.config_file = (char *)file;
	d.started = time(NULL);
	if ((rc = segurd_config_load(file, &d.cfg, &cause)) != 0) {
		log_lines("", cause != NULL ? cause : segur_strerror(rc));
		fatalx("%s : configuration invalide ; voir segurd.conf(5)",
		    file);
	}
	log_set_level(d.cfg->log_level);
	if (run_init(&d.run, d.cfg) != 0)
		fatalx("mémoire épuisée");
	log_info("segurd %s démarre avec %s", SEGUR_VERSION, file);
	/* The ledger must exist: segurd never creates or migrates it. */
	if ((rc = segur_ledger_open(d.run.ledger_path, 0, &d.ledger,
	    &cause)) != 0)
		fatalx("%s : %s", d.run.ledger_path, cause != NULL ? cause :
		    segur_strerror(rc));
	segur_ledger_set_actor(d.ledger, "segurd");
	if (d.cfg->audit_key.value != NULL && d.cfg->audit_key.len < 16)
		fatalx("%s : une clé d'audit doit faire au moins 16 octets",
		    d.cfg->audit_key.file);
	if (segurd_seal_key(&d.run, d.ledger) != 0)
		fatalx("mémoire épuisée");
#ifdef SEGUR_FAULT_INJECTION
	/* Test hook of the crash tests (tests/e2e/t5008-daemon-ingest.sh). */
	if (getenv("SEGUR_TEST_CRASH_AT") != NULL)
		d.run.crash_at = atoi(getenv("SEGUR_TEST_CRASH_AT"));
	/* And of the inbox races (tests/e2e/t5011-daemon-inbox-hostile.sh). */
	d.run.inbox_swap = getenv("SEGUR_TEST_INBOX_SWAP");
#endif
	archive_sweep(d.run.archive_path);
	/* Writes to a client that left must fail, not kill segurd. */
	signal(SIGPIPE, SIG_IGN);

	/* 2. The loop, and every part in its storage: nothing runs yet. */
	if ((rc = uv_loop_init(&d.loop)) != 0)
		fatalx("uv_loop_init : %s", uv_strerror(rc));
	uv_signal_init(&d.loop, &d.sig_term);
	uv_signal_init(&d.loop, &d.sig_int);
	uv_signal_init(&d.loop, &d.sig_hup);
	uv_timer_init(&d.loop, &d.watchdog);
	uv_timer_init(&d.loop, &d.stop_deadline);
	d.sig_term.data = d.sig_int.data = d.sig_hup.data = d.watchdog.data =
	    d.stop_deadline.data = &d;
	prov.healthz = segurd_glue_healthz;
	prov.metrics = segurd_glue_metrics;
	prov.status = segurd_glue_status;
	prov.console = segurd_console_handle;
	prov.arg = &d;
	http_limits(d.cfg, &lim);
	if (segurd_http_init(&d.http, &d.loop, &d.cfg->listen_addr, &lim,
	    &prov, &cause) != 0 ||
	    segurd_watch_init(&d.watch, &d.loop, d.run.inbox_path,
	    d.cfg->settle_ms, d.cfg->rescan_ms, segurd_glue_process, &d,
	    &cause) != 0)
		fatalx("%s", cause);
	d.watch.done = on_file_done;
	if ((d.alerts = segurd_alerts_new(&d.loop, d.run.ledger_path, d.cfg,
	    &cause)) == NULL)
		fatalx("alertes : %s", cause != NULL ? cause :
		    "mémoire épuisée");
	segurd_remind_init(&d.remind, &d.loop, d.alerts, d.cfg);
	signal_start(&d.sig_term, SIGTERM);
	signal_start(&d.sig_int, SIGINT);
	signal_start(&d.sig_hup, SIGHUP);

	/* 3. The HTTP endpoint. */
	if (segurd_http_start(&d.http, &cause) != 0)
		fatalx("%s", cause);
	log_info("http servi sur %s", d.http.where);

	/* 4. The inbox; alert delivery from the outbox, and the reminders. */
	if (segurd_watch_start(&d.watch, &cause) != 0)
		fatalx("%s", cause);
	log_info("surveillance de %s", d.run.inbox_path);
	segurd_alerts_start(d.alerts);
	segurd_remind_start(&d.remind);
	log_info("alertes : %zu %s%s", d.cfg->nwebhooks +
	    (d.cfg->mail.enabled ? 1 : 0), d.cfg->nwebhooks +
	    (d.cfg->mail.enabled ? 1 : 0) > 1 ? "canaux" : "canal",
	    d.cfg->digest_ms > 0 ? ", récapitulatif" : "");

	/* 5. systemd. */
	if (sd_watchdog_enabled(0, &d.watchdog_usec) > 0 &&
	    d.watchdog_usec > 0) {
		/* Twice per period, as sd_watchdog_enabled(3) advises. */
		uint64_t ms = d.watchdog_usec / 2000;

		uv_timer_start(&d.watchdog, on_watchdog, ms ? ms : 1,
		    ms ? ms : 1);
	}
	notify_status(&d, "READY=1\n");

	uv_run(&d.loop, UV_RUN_DEFAULT);
	if (d.watch.abandoned || d.left_behind) {
		/*
		 * A worker thread still runs: exit(3) would run libuv's
		 * destructor, which joins it. The ledger needs nothing: its
		 * last transaction is committed or not.
		 */
		log_errorx("arrêté en laissant du travail inachevé");
		_exit(1);
	}
	if ((rc = uv_loop_close(&d.loop)) != 0) {
		log_errorx("un handle est resté ouvert à la sortie : %s",
		    uv_strerror(rc));
		return (1);
	}
	log_info("arrêté");
	segur_ledger_close(d.worker_ledger);
	segur_ledger_close(d.ledger);
	segurd_config_free(d.cfg);
	run_release(&d.run);
	free(d.config_error);
	return (0);
}
