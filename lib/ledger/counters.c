/*
 * counters.c: the ledger's totals for monitoring (counters.h).
 */
#include <string.h>

#include "ledger/ledger-int.h"
#include "segur/counters.h"
#include "segur/error.h"

int
segur_ledger_counters(struct segur_ledger *l, struct segur_counters *c,
    char **cause)
{
	static const char *const sql =
	    "SELECT "
	    "(SELECT count(*) FROM file WHERE direction = 'out'), "
	    "(SELECT count(*) FROM file WHERE direction = 'in'), "
	    "(SELECT count(*) FROM quarantine), "
	    "(SELECT count(*) FROM anomaly), "
	    "(SELECT count(*) FROM alert), "
	    "(SELECT count(*) FROM alert a WHERE NOT EXISTS (SELECT 1 FROM "
	    "alert_delivery d WHERE d.alert_id = a.id)), "
	    "(SELECT count(*) FROM alert_delivery WHERE state = 'pending'), "
	    "(SELECT count(*) FROM alert_delivery WHERE state = 'failed'), "
	    "(SELECT coalesce(max(unixepoch(created_at)), 0) FROM file WHERE "
	    "direction = 'in'), "
	    "(SELECT count(*) FROM anomaly WHERE resolved_at IS NULL)";
	sqlite3_stmt	*st;
	int		 rc;

	memset(c, 0, sizeof(*c));
	if ((rc = segur__stmt(l, sql, &st, cause)) != 0)
		return (rc);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		c->files_out = sqlite3_column_int64(st, 0);
		c->files_in = sqlite3_column_int64(st, 1);
		c->quarantined = sqlite3_column_int64(st, 2);
		c->anomalies = sqlite3_column_int64(st, 3);
		c->alerts = sqlite3_column_int64(st, 4);
		c->alerts_undelivered = sqlite3_column_int64(st, 5);
		c->deliveries_pending = sqlite3_column_int64(st, 6);
		c->deliveries_failed = sqlite3_column_int64(st, 7);
		c->last_ingest = sqlite3_column_int64(st, 8);
		c->anomalies_open = sqlite3_column_int64(st, 9);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return (segur__db_error(l, cause, "lecture des compteurs"));
	return (0);
}
