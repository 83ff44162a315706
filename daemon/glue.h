/*
 * glue.h: where segurd meets libsegur.
 *
 * Everything the daemon asks of the domain goes through these functions,
 * so that segurd.c, watch.c and http.c never see the ledger. In this
 * build no ingest is linked yet: segurd_glue_process() leaves every file
 * in the inbox with a clear error (nothing is faked, nothing lost), and
 * the providers report what the daemon itself knows. See
 * docs/internals/daemon.md, "Glue points", for what connects here.
 */
#ifndef SEGURD_GLUE_H
#define SEGURD_GLUE_H

#include "http.h"
#include "segurd.h"

/*
 * The watcher's process callback (arg: struct segurd *). Runs on a
 * uv_queue_work thread, one file at a time: it may read d->run only.
 */
int	 segurd_glue_process(void *arg, const char *path, char **cause);

/* HTTP providers (arg: struct segurd *), on the loop thread. */
int	 segurd_glue_healthz(void *arg, struct segurd_http_response *resp);
int	 segurd_glue_metrics(void *arg, struct segurd_http_response *resp);
int	 segurd_glue_status(void *arg, struct segurd_http_response *resp);

#endif /* SEGURD_GLUE_H */
