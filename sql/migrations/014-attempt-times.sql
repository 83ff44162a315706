-- 014-attempt-times.sql: the report's weekly timeline (lib/report/
-- report-sections.c) counts the attempts sent and answered in its last 26
-- weeks; without an index on those times it read every attempt, most of
-- the report's second on a ledger of a million requests. Reading the
-- weeks shown through these indexes costs what they hold.
CREATE INDEX attempt_created ON attempt(created_at);
CREATE INDEX attempt_answered ON attempt(answered_at)
    WHERE answered_at IS NOT NULL;
