-- 007-append-speed.sql: no statement journal for the rows an ingested line
-- writes (docs/internals/ingest.md, "What a line costs").
--
-- Inside a transaction, SQLite keeps a statement journal for a statement
-- that writes through a trigger or a foreign key and may abort alone: a
-- copy of every page the statement changes, so that an ABORT can undo the
-- statement and keep the transaction. Two statements of every ingested
-- line paid for one: the event INSERT (the event_chained trigger, whose
-- RAISE(ABORT) and the immediate foreign key on request_id both "may
-- abort") and the attempt UPDATE (the immediate foreign key on
-- answer_file_id). The copies, their allocations and their release cost
-- about a tenth of an ingestion. The library never keeps a transaction
-- after one of its statements failed (it rolls the whole of it back, see
-- UPDATE OR ROLLBACK in lib/ledger/ledger-state.c); so these statements now say
-- OR ROLLBACK, and what could still abort one of them alone changes here:
--
-- 1. The two foreign keys are checked at COMMIT (DEFERRABLE INITIALLY
-- DEFERRED) instead of at the statement: a row that names a request or a
-- file that does not exist is still refused, by the COMMIT, and the whole
-- transaction with it. Changed in place by SQLite's documented procedure
-- for changing foreign key constraints (lang_altertable.html, "Making
-- Other Kinds Of Table Schema Changes"), as 006 did for CHECKs: no row
-- moves, and the migration runner moves the schema cookie.
--
-- 2. event_chained refuses with RAISE(ROLLBACK): an unchained row still
-- never enters the log, and the writer's transaction goes with it. It
-- also reads the last event once instead of twice (id and hash in one
-- lookup); the empty log's first event is checked apart.

PRAGMA writable_schema = ON;

UPDATE sqlite_schema SET sql = replace(sql,
'request_id	INTEGER REFERENCES request(id),',
'request_id	INTEGER REFERENCES request(id)
			    DEFERRABLE INITIALLY DEFERRED,')
WHERE type = 'table' AND name = 'event';

UPDATE sqlite_schema SET sql = replace(sql,
'answer_file_id	INTEGER REFERENCES file(id),',
'answer_file_id	INTEGER REFERENCES file(id)
			    DEFERRABLE INITIALLY DEFERRED,')
WHERE type = 'table' AND name = 'attempt';

PRAGMA writable_schema = OFF;

DROP TRIGGER event_chained;
CREATE TRIGGER event_chained BEFORE INSERT ON event
WHEN (SELECT id = NEW.id - 1 AND hash IS NEW.prev_hash FROM event
	ORDER BY id DESC LIMIT 1) IS NOT 1
    AND (NEW.id IS NOT 1 OR NEW.prev_hash IS NOT printf('%064d', 0)
	OR EXISTS (SELECT 1 FROM event))
BEGIN
	SELECT RAISE(ROLLBACK, 'event not chained to the last one');
END;
