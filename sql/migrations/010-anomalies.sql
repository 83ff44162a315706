-- 010-anomalies.sql: an anomaly has a life. What ingest recorded gains
-- what a reader needs without reading the file again (the request, the
-- line, what ASP returned), the day it was last recalled, and how it was
-- settled: the note, who resolved it, and when (segurctl anomalies
-- resolve, event anomaly.resolve). Rows written before keep NULLs there: their detail
-- says the same in words. Nullable columns only: ALTER TABLE ADD COLUMN
-- is enough, no rebuild.

ALTER TABLE anomaly ADD COLUMN request_id INTEGER REFERENCES request(id);
ALTER TABLE anomaly ADD COLUMN line_index INTEGER;	-- 0-based, in lignesImport
ALTER TABLE anomaly ADD COLUMN returned TEXT;
ALTER TABLE anomaly ADD COLUMN resolved_at TEXT;
ALTER TABLE anomaly ADD COLUMN resolved_by TEXT;
ALTER TABLE anomaly ADD COLUMN resolution_note TEXT;
-- The last day the reminder check recalled it (include/segur/remind.h):
-- once a day while it stays open, whatever restarts.
ALTER TABLE anomaly ADD COLUMN reminded_on TEXT;

-- The request of the anomalies recorded before, from their attempt.
UPDATE anomaly SET request_id = (SELECT request_id FROM attempt
    WHERE attempt.id = anomaly.attempt_id) WHERE attempt_id IS NOT NULL;

-- Open anomalies, oldest first (status, metrics, reminders, report), and
-- those of an attempt (request show): both read from an index.
CREATE INDEX anomaly_open ON anomaly(at, id) WHERE resolved_at IS NULL;
CREATE INDEX anomaly_attempt ON anomaly(attempt_id) WHERE attempt_id IS NOT NULL;
CREATE INDEX anomaly_request ON anomaly(request_id) WHERE request_id IS NOT NULL;
