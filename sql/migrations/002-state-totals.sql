-- 002-state-totals.sql: counts and amounts per state, kept by triggers so
-- that segurctl status answers in constant time on a large ledger.

CREATE TABLE state_total (
	state		TEXT PRIMARY KEY,
	n		INTEGER NOT NULL CHECK (n >= 0),
	cents		INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO state_total(state, n, cents)
    SELECT state, count(*), coalesce(sum(montant_cents), 0)
    FROM request GROUP BY state;

CREATE TRIGGER state_total_insert AFTER INSERT ON request
BEGIN
	INSERT INTO state_total(state, n, cents)
	    VALUES (NEW.state, 1, coalesce(NEW.montant_cents, 0))
	    ON CONFLICT(state) DO UPDATE SET n = n + 1,
		cents = cents + coalesce(NEW.montant_cents, 0);
END;

CREATE TRIGGER state_total_update AFTER UPDATE OF state, montant_cents
    ON request
BEGIN
	UPDATE state_total SET n = n - 1,
	    cents = cents - coalesce(OLD.montant_cents, 0)
	    WHERE state = OLD.state;
	INSERT INTO state_total(state, n, cents)
	    VALUES (NEW.state, 1, coalesce(NEW.montant_cents, 0))
	    ON CONFLICT(state) DO UPDATE SET n = n + 1,
		cents = cents + coalesce(NEW.montant_cents, 0);
END;
