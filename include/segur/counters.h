/*
 * counters.h: the ledger's totals that monitoring reads (segurd's
 * /metrics and /healthz): a few indexed counts, cheap enough to serve on
 * every scrape.
 */
#ifndef SEGUR_COUNTERS_H
#define SEGUR_COUNTERS_H

#include <stdint.h>

struct segur_ledger;

struct segur_counters {
	int64_t	 files_out;		/* files built */
	int64_t	 files_in;		/* returned files ingested */
	int64_t	 quarantined;		/* files put in quarantine */
	int64_t	 anomalies;		/* anomalies recorded */
	int64_t	 anomalies_open;	/* not resolved yet */
	int64_t	 alerts;		/* alerts queued */
	int64_t	 alerts_undelivered;	/* no delivery recorded yet */
	int64_t	 deliveries_pending;
	int64_t	 deliveries_failed;
	int64_t	 last_ingest;		/* unix time of the last returned
					   file recorded, 0 if none */
};

/* Fills *c. Returns 0 or SEGUR_EDB with a cause. */
int	segur_ledger_counters(struct segur_ledger *l, struct segur_counters *c,
	    char **cause);

#endif /* SEGUR_COUNTERS_H */
