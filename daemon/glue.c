/*
 * glue.c: what segurd asks of libsegur (glue.h).
 *
 *  - segurd_glue_process() is the library's ingest (lib/files/ingest.c), on the
 *    watcher's worker thread with a ledger handle of its own: the file
 *    is archived, recorded and removed from the inbox, or quarantined;
 *    rejections and anomalies are logged here and queued as alerts by
 *    ingest;
 *  - /healthz: the ledger answers, the inbox is a writable folder, no
 *    file has been processed for longer than [inbox] stuck_after, the
 *    configuration on disk is valid, libcurl could be loaded when a
 *    delivery needed it (curl-load.h);
 *  - /metrics and /api/v1/status: the daemon's own counters and the
 *    ledger's (requests and amounts by state, files, anomalies, alerts),
 *    read on the loop thread through a second handle (indexed counts:
 *    milliseconds).
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "segur/amount.h"
#include "segur/counters.h"
#include "segur/error.h"
#include "segur/ingest.h"
#include "segur/ledger.h"
#include "segur/util.h"
#include "segur/version.h"
#include "curl-load.h"
#include "glue.h"
#include "log.h"
#include "metrics.h"

/* Logs what ingest found in one file: one record per line that needs a
 * person, then a summary. */
static void
log_result(const char *path, const struct segur_ingest_result *r)
{
	size_t	 i;

	if (r->status == SEGUR_INGEST_DUPLICATE) {
		log_info("%s : rien de nouveau, %s", path, r->reason);
		return;
	}
	if (r->status == SEGUR_INGEST_QUARANTINED) {
		log_warnx("%s : mis en quarantaine : %s", path, r->reason);
		return;
	}
	for (i = 0; i < r->nlines; i++)
		if (r->lines[i].answer == SEGUR_ANSWER_REJECTED &&
		    r->lines[i].detail == NULL)
			log_warnx("%s : %s (%s) rejetée par l'ASP : %s", path,
			    r->lines[i].ref, r->lines[i].numeroEditeur,
			    r->lines[i].label != NULL ? r->lines[i].label :
			    "(sans motif)");
	/* With the id that segurctl anomalies resolve takes. */
	for (i = 0; i < r->nrecorded; i++)
		if (r->recorded[i].index >= 0)
			log_warnx("%s : ligne %ld : anomalie %lld : %s", path,
			    r->recorded[i].index + 1,
			    (long long)r->recorded[i].id,
			    r->recorded[i].detail);
		else
			log_warnx("%s : anomalie %lld : %s", path,
			    (long long)r->recorded[i].id,
			    r->recorded[i].detail);
	log_info("%s : réponses %s : %zu acceptée(s), %zu rejetée(s), "
	    "%zu anomalie(s)",
	    path, r->answers != NULL ? r->answers : "?", r->naccepted,
	    r->nrejected, r->nanomalies);
}

/*
 * The file is out of the inbox (or left there): now, on the same worker
 * and handle, the checkpoint that would otherwise fall inside the commit of
 * a later file and double its time. A failure costs nothing but that: the
 * next commits checkpoint as SQLite does by default.
 */
static void
checkpoint(struct segur_ledger *l)
{
	char	*why = NULL;

	if (segur_ledger_checkpoint(l, &why) != 0)
		log_warnx("point de contrôle du registre : %s", why != NULL ?
		    why : "mémoire épuisée");
	free(why);
}

#ifdef SEGUR_FAULT_INJECTION
/* The crash tests' hook (t5008): dies at the point SEGUR_TEST_CRASH_AT
 * named at start-up. */
static void
crash_point(void *arg, int point)
{
	if (point == *(const int *)arg)
		_exit(99);
}

/*
 * The inbox races' hook (t5011), between the watcher's lstat() and the
 * open: SEGUR_TEST_INBOX_SWAP=symlink:TARGET puts a link to TARGET in
 * the file's place, =fifo a FIFO, as a hostile writer could.
 */
static void
inbox_swap(void *arg, const char *path)
{
	const char	*how = arg;

	if (unlink(path) == -1)
		return;
	if (strncmp(how, "symlink:", 8) == 0) {
		if (symlink(how + 8, path) == -1)
			log_warn("test swap: symlink %s", path);
	} else if (strcmp(how, "fifo") == 0) {
		if (mkfifo(path, 0600) == -1)
			log_warn("test swap: mkfifo %s", path);
	}
}
#endif

int
segurd_glue_process(void *arg, const char *path, char **cause)
{
	struct segurd		*d = arg;
	struct segur_ingest_opts o;
	struct segur_ingest_result r;
	char			*shown;
	int			 rc;

	if (d->worker_ledger == NULL) {
		if ((rc = segur_ledger_open(d->run.ledger_path, 0,
		    &d->worker_ledger, cause)) != 0)
			return (rc);
		segur_ledger_set_actor(d->worker_ledger, "segurd");
		if ((rc = segurd_seal_key(&d->run, d->worker_ledger)) != 0)
			return (segur_cause(cause, rc, "mémoire épuisée"));
	}
	memset(&o, 0, sizeof(o));
	o.archive_dir = d->run.archive_path;
	o.quarantine_dir = d->run.quarantine_path;
	o.move = 1;
#ifdef SEGUR_FAULT_INJECTION
	o.crash_point = crash_point;
	o.crash_arg = &d->run.crash_at;
	if (d->run.inbox_swap != NULL) {
		o.before_open = inbox_swap;
		o.hook_arg = (void *)(uintptr_t)d->run.inbox_swap;
	}
#endif
	/* A name is the writer's: control characters escaped in the log. */
	if ((shown = segur_excerpt(path, strlen(path), 4096)) == NULL)
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	if ((rc = segur_ingest_file(d->worker_ledger, path, &o, &r,
	    cause)) == 0)
		log_result(shown, &r);
	segur_ingest_result_release(&r);
	free(shown);
	checkpoint(d->worker_ledger);
	return (rc);
}

/* Checks the inbox; 0 if usable, else a static reason. */
static const char *
inbox_problem(const char *dir)
{
	struct stat	 st;

	if (stat(dir, &st) != 0)
		return (errno == ENOENT ? "absente" : "impossible à examiner");
	if (!S_ISDIR(st.st_mode))
		return ("pas un dossier");
	if (access(dir, W_OK | X_OK) != 0)
		return ("pas accessible en écriture");
	return (NULL);
}

int
segurd_glue_healthz(void *arg, struct segurd_http_response *resp)
{
	struct segurd	*d = arg;
	struct segur_buf b = SEGUR_BUF_INIT;
	struct segur_counters c;
	const char	*inbox = inbox_problem(d->run.inbox_path);
	const char	*curl = segurd_curl_problem();
	const char	*stuck;
	char		*why = NULL, ran[32], after[32];
	uint64_t	 ran_ms = 0;
	int		 ledger_ok, ok, rc;

	ledger_ok = segur_ledger_counters(d->ledger, &c, &why) == 0;
	/* A job uv_queue_work cannot interrupt: say so, the loop cannot. */
	stuck = segurd_watch_stuck(&d->watch, uv_now(&d->loop),
	    d->cfg->stuck_after_ms, &ran_ms);
	ok = inbox == NULL && !d->config_bad && ledger_ok && curl == NULL &&
	    stuck == NULL;
	/* The first line stays "ok" or "not ok": probes read it. */
	rc = segur_buf_addf(&b, "%s\nregistre %s : %s\nboîte %s : %s\n"
	    "configuration %s : %s%s\n", ok ? "ok" : "not ok",
	    d->run.ledger_path,
	    ledger_ok ? "ok" : why != NULL ? why : "inaccessible",
	    d->run.inbox_path, inbox != NULL ? inbox :
	    "accessible en écriture", d->config_file,
	    d->config_bad ? "invalide, la précédente reste en service : " :
	    "ok",
	    d->config_bad && d->config_error != NULL ? d->config_error : "");
	if (rc == 0 && stuck != NULL) {
		segurd_duration_format(ran_ms / 1000 * 1000, ran, sizeof(ran));
		segurd_duration_format(d->cfg->stuck_after_ms, after,
		    sizeof(after));
		rc = segur_buf_addf(&b, "ingestion : bloquée : %s en cours "
		    "depuis %s, plus que [inbox] stuck_after = %s\n", stuck,
		    ran, after);
	}
	/* libcurl is loaded before the first delivery, not at start-up. */
	if (rc == 0 && curl != NULL)
		rc = segur_buf_addf(&b, "envoi : %s\n", curl);
	else if (rc == 0 && segurd_curl_version() != NULL)
		rc = segur_buf_addf(&b, "envoi : libcurl %s chargée\n",
		    segurd_curl_version());
	else if (rc == 0)
		rc = segur_buf_adds(&b, "envoi : libcurl pas encore chargée "
		    "(aucun envoi tenté depuis le démarrage)\n");
	if (rc == 0 && ledger_ok)
		rc = segur_buf_addf(&b, "alertes : %lld en file, %lld pas "
		    "encore envoyée(s), %lld envoi(s) en échec\n",
		    (long long)c.alerts, (long long)c.alerts_undelivered,
		    (long long)c.deliveries_failed);
	free(why);
	if (rc != 0) {
		segur_buf_release(&b);
		return (rc);
	}
	resp->status = ok ? 200 : 503;
	resp->len = b.len;
	resp->body = segur_buf_detach(&b);
	return (resp->body != NULL ? 0 : SEGUR_ENOMEM);
}

/* One family with one unlabelled sample. */
static int
metric(struct segur_buf *b, const char *name, const char *type,
    const char *help, double value)
{
	int	 rc;

	if ((rc = segurd_metrics_family(b, name, type, help)) != 0)
		return (rc);
	return (segurd_metrics_sample(b, name, NULL, value));
}

/* The ledger's families: requests and amounts by state, files,
 * anomalies, alerts. A ledger that does not answer leaves them out
 * (/healthz says why). */
static int
ledger_metrics(struct segurd *d, struct segur_buf *b)
{
	struct segur_counters c;
	struct segur_status st;
	struct segur_figures fg;
	const char	*lab[3] = { "state", NULL, NULL };
	const char	*dir_out[] = { "direction", "out", NULL };
	const char	*dir_in[] = { "direction", "in", NULL };
	const char	*pend[] = { "state", "pending", NULL };
	const char	*fail[] = { "state", "failed", NULL };
	int		 rc, s;

	memset(&st, 0, sizeof(st));
	if (segur_ledger_counters(d->ledger, &c, NULL) != 0 ||
	    segur_ledger_status(d->ledger, 0, &st, NULL) != 0) {
		segur_status_release(&st);
		return (0);
	}
	rc = segurd_metrics_family(b, "segur_requests", "gauge",
	    "Requests of the ledger by state.");
	for (s = 0; rc == 0 && s < SEGUR_STATE_COUNT; s++) {
		lab[1] = segur_state_name((enum segur_state)s);
		rc = segurd_metrics_sample(b, "segur_requests", lab,
		    (double)st.count[s]);
	}
	if (rc == 0)
		rc = segurd_metrics_family(b, "segur_requests_amount_euros",
		    "gauge", "Sum of montantSegurHT of the requests by state.");
	for (s = 0; rc == 0 && s < SEGUR_STATE_COUNT; s++) {
		lab[1] = segur_state_name((enum segur_state)s);
		rc = segurd_metrics_sample(b, "segur_requests_amount_euros",
		    lab, (double)st.cents[s] / 100.0);
	}
	if (rc == 0)
		rc = segurd_metrics_family(b, "segur_files_total", "counter",
		    "Files built (out) and returned files ingested (in).");
	if (rc == 0)
		rc = segurd_metrics_sample(b, "segur_files_total", dir_out,
		    (double)c.files_out);
	if (rc == 0)
		rc = segurd_metrics_sample(b, "segur_files_total", dir_in,
		    (double)c.files_in);
	if (rc == 0)
		rc = metric(b, "segur_files_quarantined_total", "counter",
		    "Files put in quarantine.", (double)c.quarantined);
	if (rc == 0)
		rc = metric(b, "segur_anomalies_total", "counter",
		    "Anomalies recorded by ingest.", (double)c.anomalies);
	if (rc == 0)
		rc = metric(b, "segur_anomalies_open", "gauge",
		    "Anomalies nobody has resolved yet (segurctl anomalies).",
		    (double)c.anomalies_open);
	if (rc == 0)
		rc = metric(b, "segur_alerts_total", "counter",
		    "Alerts queued in the outbox.", (double)c.alerts);
	if (rc == 0)
		rc = metric(b, "segur_alerts_undelivered", "gauge",
		    "Alerts no channel has taken yet.",
		    (double)c.alerts_undelivered);
	if (rc == 0)
		rc = segurd_metrics_family(b, "segur_alert_deliveries", "gauge",
		    "Alert deliveries still pending, and failed for good.");
	if (rc == 0)
		rc = segurd_metrics_sample(b, "segur_alert_deliveries", pend,
		    (double)c.deliveries_pending);
	if (rc == 0)
		rc = segurd_metrics_sample(b, "segur_alert_deliveries", fail,
		    (double)c.deliveries_failed);
	if (rc == 0)
		rc = metric(b, "segur_last_ingest_time_seconds", "gauge",
		    "Unix time the last returned file was recorded, 0 if "
		    "none.", (double)c.last_ingest);
	/* The money, as segurctl status and the report print it
	 * (segur_ledger_figures()); the old name stays one release. */
	if (rc == 0 && segur_ledger_figures(d->ledger, NULL, &fg, NULL) == 0) {
		rc = metric(b, "segur_balance_awaited_euros", "gauge",
		    "Balance still awaited: grant minus advance paid of the "
		    "requests in advance_paid and balance_*.",
		    (double)fg.cents[SEGUR_FIGURE_BALANCE_AWAITED] / 100.0);
		if (rc == 0)
			rc = metric(b, "segur_awaiting_balance_euros", "gauge",
			    "Deprecated: segur_balance_awaited_euros (the same "
			    "value), removed in the next release.",
			    (double)fg.cents[SEGUR_FIGURE_BALANCE_AWAITED] /
			    100.0);
	}
	segur_status_release(&st);
	return (rc);
}

int
segurd_glue_metrics(void *arg, struct segurd_http_response *resp)
{
	struct segurd	*d = arg;
	const struct segurd_watch_stats *s = &d->watch.stats;
	struct segur_buf b = SEGUR_BUF_INIT;
	const char *const version[] = { "version", SEGUR_VERSION, NULL };
	const char *const ok[] = { "result", "ok", NULL };
	const char *const failed[] = { "result", "failed", NULL };
	int	 rc;

	if ((rc = segurd_metrics_family(&b, "segurd_build_info", "gauge",
	    "Version of the running segurd.")) != 0 ||
	    (rc = segurd_metrics_sample_u64(&b, "segurd_build_info", version,
	    1)) != 0 ||
	    (rc = metric(&b, "segurd_start_time_seconds", "gauge",
	    "Unix time segurd started.", (double)d->started)) != 0 ||
	    (rc = metric(&b, "segurd_inbox_files_seen_total", "counter",
	    "Files noticed in the inbox.", (double)s->seen)) != 0 ||
	    (rc = metric(&b, "segurd_inbox_files_processed_total", "counter",
	    "Files processed successfully.", (double)s->processed)) != 0 ||
	    (rc = metric(&b, "segurd_inbox_files_failed_total", "counter",
	    "Files whose processing failed.", (double)s->failed)) != 0 ||
	    (rc = metric(&b, "segurd_inbox_files_left_total", "counter",
	    "Files still in the inbox after processing, waiting for a "
	    "change or a retry.", (double)s->left)) != 0 ||
	    (rc = metric(&b, "segurd_inbox_files_waiting", "gauge",
	    "Files being written or waiting for their turn.",
	    (double)s->waiting)) != 0 ||
	    (rc = metric(&b, "segurd_inbox_processing", "gauge",
	    "1 while a file is being processed.", s->busy ? 1 : 0)) != 0 ||
	    (rc = metric(&b, "segurd_inbox_rescans_total", "counter",
	    "Full rescans of the inbox.", (double)s->rescans)) != 0 ||
	    (rc = metric(&b, "segurd_inbox_processing_seconds", "gauge",
	    "How long the file being processed has been, 0 when none.",
	    s->busy ? (double)(uv_now(&d->loop) - d->watch.work_start) /
	    1000.0 : 0)) != 0 ||
	    (rc = metric(&b, "segurd_inbox_last_processing_seconds", "gauge",
	    "Duration of the last processing of a file.",
	    (double)s->last_duration_ms / 1000.0)) != 0 ||
	    (rc = metric(&b, "segurd_inbox_last_processed_time_seconds",
	    "gauge", "Unix time the last processing ended, 0 if none.",
	    (double)s->last_done)) != 0 ||
	    (rc = metric(&b, "segurd_alerts_in_flight", "gauge",
	    "Alert submissions being delivered (retries included).",
	    (double)segurd_alerts_inflight(d->alerts))) != 0 ||
	    (rc = metric(&b, "segurd_http_responses_total", "counter",
	    "HTTP responses sent, this one excluded.",
	    (double)d->http.requests)) != 0 ||
	    (rc = metric(&b, "segurd_http_connections_evicted_total",
	    "counter", "HTTP connections closed to make room for a newer "
	    "one (slow clients).", (double)d->http.evicted)) != 0 ||
	    (rc = segurd_metrics_family(&b, "segurd_config_reloads_total",
	    "counter", "Configuration reloads (SIGHUP) by result.")) != 0 ||
	    (rc = segurd_metrics_sample_u64(&b, "segurd_config_reloads_total",
	    ok, d->reloads_ok)) != 0 ||
	    (rc = segurd_metrics_sample_u64(&b, "segurd_config_reloads_total",
	    failed, d->reloads_failed)) != 0) {
		segur_buf_release(&b);
		return (rc);
	}
	if ((rc = ledger_metrics(d, &b)) != 0) {
		segur_buf_release(&b);
		return (rc);
	}
	resp->content_type = SEGURD_METRICS_CONTENT_TYPE;
	resp->len = b.len;
	resp->body = segur_buf_detach(&b);
	return (resp->body != NULL ? 0 : SEGUR_ENOMEM);
}

/* The ledger's part of /api/v1/status: requests and amounts by state,
 * files, anomalies and alerts; {"error": ...} if it does not answer. */
static void
add_ledger_status(struct segurd *d, cJSON *root)
{
	struct segur_counters c;
	struct segur_status st;
	struct segur_figures fg;
	cJSON	*o, *states, *e;
	char	*why = NULL;
	int	 s;

	memset(&st, 0, sizeof(st));
	if ((o = cJSON_AddObjectToObject(root, "ledgerStatus")) == NULL)
		return;
	if (segur_ledger_counters(d->ledger, &c, &why) != 0 ||
	    segur_ledger_status(d->ledger, 0, &st, &why) != 0) {
		cJSON_AddStringToObject(o, "error", why != NULL ? why :
		    "inaccessible");
		free(why);
		segur_status_release(&st);
		return;
	}
	states = cJSON_AddObjectToObject(o, "states");
	for (s = 0; states != NULL && s < SEGUR_STATE_COUNT; s++) {
		if ((e = cJSON_AddObjectToObject(states, segur_state_name(
		    (enum segur_state)s))) == NULL)
			break;
		cJSON_AddNumberToObject(e, "count", (double)st.count[s]);
		cJSON_AddNumberToObject(e, "montantSegurHT",
		    (double)st.cents[s] / 100.0);
	}
	cJSON_AddNumberToObject(o, "filesBuilt", (double)c.files_out);
	cJSON_AddNumberToObject(o, "filesIngested", (double)c.files_in);
	cJSON_AddNumberToObject(o, "quarantined", (double)c.quarantined);
	cJSON_AddNumberToObject(o, "anomalies", (double)c.anomalies);
	cJSON_AddNumberToObject(o, "anomaliesOpen", (double)c.anomalies_open);
	cJSON_AddNumberToObject(o, "alerts", (double)c.alerts);
	cJSON_AddNumberToObject(o, "alertsUndelivered",
	    (double)c.alerts_undelivered);
	cJSON_AddNumberToObject(o, "lastIngest", (double)c.last_ingest);
	/* The same "amounts" and "counts" as segurctl status --json. */
	if (segur_ledger_figures(d->ledger, NULL, &fg, NULL) == 0)
		segur_figures_json(&fg, o);
	segur_status_release(&st);
}

int
segurd_glue_status(void *arg, struct segurd_http_response *resp)
{
	struct segurd	*d = arg;
	const struct segurd_watch_stats *s = &d->watch.stats;
	cJSON	*root, *inbox, *cfg;
	char	*text;

	if ((root = cJSON_CreateObject()) == NULL)
		return (SEGUR_ENOMEM);
	cJSON_AddStringToObject(root, "version", SEGUR_VERSION);
	cJSON_AddNumberToObject(root, "started", (double)d->started);
	cJSON_AddStringToObject(root, "ledger", d->run.ledger_path);
	cJSON_AddBoolToObject(root, "ingest", 1);
	add_ledger_status(d, root);
	inbox = cJSON_AddObjectToObject(root, "inbox");
	if (inbox != NULL) {
		cJSON_AddStringToObject(inbox, "path", d->run.inbox_path);
		cJSON_AddNumberToObject(inbox, "seen", (double)s->seen);
		cJSON_AddNumberToObject(inbox, "processed",
		    (double)s->processed);
		cJSON_AddNumberToObject(inbox, "failed", (double)s->failed);
		cJSON_AddNumberToObject(inbox, "left", (double)s->left);
		cJSON_AddNumberToObject(inbox, "waiting", (double)s->waiting);
		cJSON_AddBoolToObject(inbox, "processing", s->busy);
		cJSON_AddNumberToObject(inbox, "last_processed",
		    (double)s->last_done);
	}
	cfg = cJSON_AddObjectToObject(root, "config");
	if (cfg != NULL) {
		cJSON_AddStringToObject(cfg, "file", d->config_file);
		cJSON_AddBoolToObject(cfg, "ok", !d->config_bad);
		cJSON_AddNumberToObject(cfg, "reloads", (double)d->reloads_ok);
		cJSON_AddNumberToObject(cfg, "reloads_failed",
		    (double)d->reloads_failed);
	}
	text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (text == NULL)
		return (SEGUR_ENOMEM);
	resp->content_type = "application/json";
	resp->body = segur_asprintf("%s\n", text);
	cJSON_free(text);
	if (resp->body == NULL)
		return (SEGUR_ENOMEM);
	resp->len = strlen(resp->body);
	return (0);
}
