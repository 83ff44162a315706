-- 013-decision-totals.sql: the money of the decisions per state of their
-- request, kept by triggers like state_total (002, 006), so that the
-- figures (lib/ledger/figures.c) read 42 rows instead of every decision.
--
-- A row per state and kind of decision with an amount: how many decisions
-- and the sum of their amounts, a grant without an amount counting the
-- request's montantSegurHT (grants recorded before the money rules).
-- Decisions are never updated nor deleted; a request's decisions move with
-- it when its state (or its amount) changes. audit verify recomputes the
-- table from the rebuilt rows (lib/audit/audit-replay.c).

CREATE TABLE decision_total (
	state		TEXT NOT NULL,
	kind		TEXT NOT NULL CHECK (kind IN ('grant', 'advance_paid',
			    'balance_paid')),
	n		INTEGER NOT NULL CHECK (n >= 0),
	cents		INTEGER NOT NULL,
	PRIMARY KEY (state, kind)
) WITHOUT ROWID;

INSERT INTO decision_total(state, kind, n, cents)
    SELECT r.state, d.kind, count(*),
	coalesce(sum(coalesce(d.amount_cents, r.montant_cents)), 0)
    FROM decision d JOIN request r ON r.id = d.request_id
    WHERE d.kind IN ('grant', 'advance_paid', 'balance_paid')
    GROUP BY r.state, d.kind;

-- Every state has its three rows, so that the triggers are plain UPDATEs.
INSERT OR IGNORE INTO decision_total(state, kind, n, cents)
    SELECT s.state, k.kind, 0, 0 FROM state_total s,
	(SELECT 'grant' AS kind UNION ALL SELECT 'advance_paid'
	 UNION ALL SELECT 'balance_paid') k;

CREATE TRIGGER decision_total_insert AFTER INSERT ON decision
    WHEN NEW.kind IN ('grant', 'advance_paid', 'balance_paid')
BEGIN
	UPDATE decision_total SET n = n + 1,
	    cents = cents + coalesce(NEW.amount_cents, (SELECT montant_cents
		FROM request WHERE id = NEW.request_id), 0)
	    WHERE kind = NEW.kind AND state = (SELECT state FROM request
		WHERE id = NEW.request_id);
END;

CREATE TRIGGER decision_total_update AFTER UPDATE OF state, montant_cents
    ON request
    WHEN (OLD.state IS NOT NEW.state OR
	OLD.montant_cents IS NOT NEW.montant_cents) AND
	EXISTS (SELECT 1 FROM decision WHERE request_id = NEW.id)
BEGIN
	UPDATE decision_total SET n = decision_total.n - x.n,
	    cents = decision_total.cents - x.cents
	    FROM (SELECT kind, count(*) AS n,
		sum(coalesce(amount_cents, OLD.montant_cents, 0)) AS cents
		FROM decision WHERE request_id = OLD.id AND
		kind IN ('grant', 'advance_paid', 'balance_paid')
		GROUP BY kind) AS x
	    WHERE decision_total.state = OLD.state AND
		decision_total.kind = x.kind;
	UPDATE decision_total SET n = decision_total.n + x.n,
	    cents = decision_total.cents + x.cents
	    FROM (SELECT kind, count(*) AS n,
		sum(coalesce(amount_cents, NEW.montant_cents, 0)) AS cents
		FROM decision WHERE request_id = NEW.id AND
		kind IN ('grant', 'advance_paid', 'balance_paid')
		GROUP BY kind) AS x
	    WHERE decision_total.state = NEW.state AND
		decision_total.kind = x.kind;
END;
