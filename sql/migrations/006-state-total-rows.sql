-- 006-state-total-rows.sql: every state has its row in state_total (002),
-- so that a change of state moves one row down and one up with two plain
-- UPDATEs instead of an UPDATE and an upsert.

INSERT OR IGNORE INTO state_total(state, n, cents) VALUES
    ('draft', 0, 0), ('ready', 0, 0), ('submitted', 0, 0),
    ('accepted', 0, 0), ('rejected', 0, 0), ('granted', 0, 0),
    ('refused', 0, 0), ('advance_paid', 0, 0), ('balance_requested', 0, 0),
    ('balance_accepted', 0, 0), ('balance_rejected', 0, 0),
    ('balance_paid', 0, 0), ('closed', 0, 0), ('withdrawn', 0, 0);

DROP TRIGGER state_total_update;
CREATE TRIGGER state_total_update AFTER UPDATE OF state, montant_cents
    ON request
BEGIN
	UPDATE state_total SET n = n - 1,
	    cents = cents - coalesce(OLD.montant_cents, 0)
	    WHERE state = OLD.state;
	UPDATE state_total SET n = n + 1,
	    cents = cents + coalesce(NEW.montant_cents, 0)
	    WHERE state = NEW.state;
END;
