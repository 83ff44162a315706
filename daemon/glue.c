/*
 * glue.c: what segurd asks of libsegur (glue.h).
 *
 * The ledger (ingest, status, outbox) is not part of this build yet, so:
 *  - segurd_glue_process() refuses every file with a clear cause and
 *    leaves it where it is; the watcher logs it and backs off;
 *  - /healthz reports what the daemon can check itself: the inbox is a
 *    writable folder and the configuration file on disk is valid;
 *  - /metrics and /api/v1/status report the daemon's own counters.
 * Each is real; the lead adds the ledger's parts here (see
 * docs/internals/daemon.md, "Glue points").
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "segur/error.h"
#include "segur/util.h"
#include "segur/version.h"
#include "glue.h"
#include "metrics.h"

int
segurd_glue_process(void *arg, const char *path, char **cause)
{
	(void)arg;
	(void)path;
	return (segur_cause(cause, SEGUR_ESTATE, "this segurd has no ingest "
	    "linked in; the file stays in the inbox"));
}

/* Checks the inbox; 0 if usable, else a static reason. */
static const char *
inbox_problem(const char *dir)
{
	struct stat	 st;

	if (stat(dir, &st) != 0)
		return (errno == ENOENT ? "missing" : "cannot be examined");
	if (!S_ISDIR(st.st_mode))
		return ("not a folder");
	if (access(dir, W_OK | X_OK) != 0)
		return ("not writable");
	return (NULL);
}

int
segurd_glue_healthz(void *arg, struct segurd_http_response *resp)
{
	struct segurd	*d = arg;
	struct segur_buf b = SEGUR_BUF_INIT;
	const char	*inbox = inbox_problem(d->run.inbox_path);
	int		 ok = inbox == NULL && !d->config_bad, rc;

	rc = segur_buf_addf(&b, "%s\ninbox %s: %s\nconfig %s: %s%s\n",
	    ok ? "ok" : "not ok", d->run.inbox_path,
	    inbox != NULL ? inbox : "writable", d->config_file,
	    d->config_bad ? "invalid, running on the previous one: " : "ok",
	    d->config_bad && d->config_error != NULL ? d->config_error : "");
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
	    (rc = metric(&b, "segurd_inbox_last_processing_seconds", "gauge",
	    "Duration of the last processing of a file.",
	    (double)s->last_duration_ms / 1000.0)) != 0 ||
	    (rc = metric(&b, "segurd_inbox_last_processed_time_seconds",
	    "gauge", "Unix time the last processing ended, 0 if none.",
	    (double)s->last_done)) != 0 ||
	    (rc = metric(&b, "segurd_http_responses_total", "counter",
	    "HTTP responses sent, this one excluded.",
	    (double)d->http.requests)) != 0 ||
	    (rc = segurd_metrics_family(&b, "segurd_config_reloads_total",
	    "counter", "Configuration reloads (SIGHUP) by result.")) != 0 ||
	    (rc = segurd_metrics_sample_u64(&b, "segurd_config_reloads_total",
	    ok, d->reloads_ok)) != 0 ||
	    (rc = segurd_metrics_sample_u64(&b, "segurd_config_reloads_total",
	    failed, d->reloads_failed)) != 0) {
		segur_buf_release(&b);
		return (rc);
	}
	resp->content_type = SEGURD_METRICS_CONTENT_TYPE;
	resp->len = b.len;
	resp->body = segur_buf_detach(&b);
	return (resp->body != NULL ? 0 : SEGUR_ENOMEM);
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
	cJSON_AddBoolToObject(root, "ingest", 0);
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
