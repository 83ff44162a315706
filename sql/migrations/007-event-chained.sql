-- 007-event-chained.sql: event_chained reads the last event once (id and
-- hash in one lookup) and refuses an unchained row with RAISE(ROLLBACK):
-- the row never enters the log, and the writer's transaction goes with it
-- (the library never goes on with a transaction after a failed statement).
-- The empty log's first event is checked apart.

DROP TRIGGER event_chained;
CREATE TRIGGER event_chained BEFORE INSERT ON event
WHEN (SELECT id = NEW.id - 1 AND hash IS NEW.prev_hash FROM event
	ORDER BY id DESC LIMIT 1) IS NOT 1
    AND (NEW.id IS NOT 1 OR NEW.prev_hash IS NOT printf('%064d', 0)
	OR EXISTS (SELECT 1 FROM event))
BEGIN
	SELECT RAISE(ROLLBACK, 'event not chained to the last one');
END;
