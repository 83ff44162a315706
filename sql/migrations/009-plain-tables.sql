-- 009-plain-tables.sql: every table whose definition an earlier version
-- of 006, 007 or 008 edited in sqlite_schema is rebuilt from a plain
-- CREATE TABLE, by SQLite's documented procedure for schema changes that
-- ALTER TABLE cannot make (lang_altertable.html, "Making Other Kinds Of
-- Table Schema Changes"): create new_X, copy the rows, drop X, rename
-- new_X to X, create X's indexes and triggers again.
--
-- The migration runner (lib/ledger/ledger.c) runs this file with foreign
-- keys off, in one transaction, and commits only when PRAGMA
-- foreign_key_check finds nothing: a crash leaves the ledger at version 8.
-- Every row is copied as it is, ids included; the event log's rows keep
-- their bytes, so that its hash chain verifies as before.
--
-- request loses list_row, its CHECK and the index request_list. A list by
-- state reads request_state, which holds every column a list shows in the
-- list's order (updated_at, id): it never visits the large request rows. The two foreign keys
-- event.request_id and attempt.answer_file_id are checked at COMMIT: the
-- library rolls a whole transaction back on any failed statement (UPDATE
-- OR ROLLBACK, event_chained's RAISE(ROLLBACK)), so a statement never has
-- to be undone alone.

CREATE TABLE new_request (
	id		INTEGER PRIMARY KEY,
	ref		TEXT NOT NULL UNIQUE
			CHECK (length(ref) BETWEEN 1 AND 64),
	software_id	INTEGER NOT NULL REFERENCES software(id),
	state		TEXT NOT NULL CHECK (state IN ('draft', 'ready',
			    'submitted', 'accepted', 'rejected', 'granted',
			    'refused', 'advance_paid', 'balance_requested',
			    'balance_accepted', 'balance_rejected',
			    'balance_paid', 'closed', 'withdrawn')),
	content		TEXT NOT NULL CHECK (json_valid(content)),
	montant_cents	INTEGER CHECK (montant_cents > 0),
	regime_tva	TEXT CHECK (regime_tva IN ('TTC', 'HT')),
	date_commande	TEXT,
	numero_asp	TEXT UNIQUE,
	withdraw_reason	TEXT,
	created_at	TEXT NOT NULL,
	updated_at	TEXT NOT NULL,
	-- The numeroEditeur of the last attempt (attempt keeps them all).
	numero_editeur	TEXT COLLATE NOCASE,
	-- Only a draft may hold content the validator has not passed.
	CHECK (state = 'draft' OR (montant_cents IS NOT NULL AND
	    regime_tva IS NOT NULL)),
	-- From acceptance on, ASP's number is known.
	CHECK (numero_asp IS NOT NULL OR state IN ('draft', 'ready',
	    'submitted', 'rejected', 'withdrawn')),
	CHECK ((state = 'withdrawn') = (withdraw_reason IS NOT NULL))
);
INSERT INTO new_request(id, ref, software_id, state, content, montant_cents,
    regime_tva, date_commande, numero_asp, withdraw_reason, created_at,
    updated_at, numero_editeur)
    SELECT id, ref, software_id, state, content, montant_cents, regime_tva,
    date_commande, numero_asp, withdraw_reason, created_at, updated_at,
    numero_editeur FROM request;
DROP TABLE request;
ALTER TABLE new_request RENAME TO request;
CREATE INDEX request_state ON request(state, updated_at, id, ref,
    software_id, montant_cents, numero_editeur, numero_asp, created_at);
CREATE INDEX request_updated ON request(updated_at);

CREATE TRIGGER request_no_delete BEFORE DELETE ON request
BEGIN
	SELECT RAISE(ABORT, 'requests are never deleted');
END;

-- The state totals (002): every state has its row (006).
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
	UPDATE state_total SET n = n + 1,
	    cents = cents + coalesce(NEW.montant_cents, 0)
	    WHERE state = NEW.state;
END;

CREATE TABLE new_file (
	id		INTEGER PRIMARY KEY,
	direction	TEXT NOT NULL CHECK (direction IN ('out', 'in')),
	kind		TEXT NOT NULL CHECK (kind IN ('submission', 'returned',
			    'documents', 'solde', 'solde_returned')),
	name		TEXT NOT NULL,
	numero_ans	TEXT,
	day		TEXT CHECK (day IS NULL OR length(day) = 8),
	rank		INTEGER CHECK (rank IS NULL OR rank BETWEEN 1 AND 999),
	sha256		TEXT NOT NULL REFERENCES archive(sha256),
	size		INTEGER NOT NULL CHECK (size >= 0),
	imp_id		TEXT,
	answers		INTEGER REFERENCES file(id),
	created_at	TEXT NOT NULL,
	UNIQUE (direction, kind, sha256)
);
INSERT INTO new_file SELECT * FROM file;
DROP TABLE file;
ALTER TABLE new_file RENAME TO file;
CREATE UNIQUE INDEX file_day_rank ON file(numero_ans, day, rank)
    WHERE kind = 'submission';
CREATE UNIQUE INDEX file_solde_day_rank ON file(numero_ans, day, rank)
    WHERE kind = 'solde';

CREATE TABLE new_attempt (
	id		INTEGER PRIMARY KEY,
	request_id	INTEGER NOT NULL REFERENCES request(id),
	seq		INTEGER NOT NULL CHECK (seq >= 1),
	numero_editeur	TEXT NOT NULL UNIQUE COLLATE NOCASE
			REFERENCES numero_editeur(value),
	file_id		INTEGER REFERENCES file(id),
	num_ligne	INTEGER CHECK (num_ligne BETWEEN 1 AND 200),
	outcome		TEXT NOT NULL DEFAULT 'pending'
			CHECK (outcome IN ('pending', 'accepted', 'rejected')),
	code_traitement	TEXT,
	libelle_traitement TEXT,
	numero_asp	TEXT UNIQUE,
	answer_file_id	INTEGER REFERENCES file(id)
			    DEFERRABLE INITIALLY DEFERRED,
	created_at	TEXT NOT NULL,
	answered_at	TEXT,
	UNIQUE (request_id, seq),
	UNIQUE (file_id, num_ligne),
	CHECK ((outcome = 'accepted') = (numero_asp IS NOT NULL)),
	CHECK ((outcome = 'pending') = (answered_at IS NULL))
);
INSERT INTO new_attempt SELECT * FROM attempt;
DROP TABLE attempt;
ALTER TABLE new_attempt RENAME TO attempt;
-- At most one attempt waiting for ASP per request.
CREATE UNIQUE INDEX attempt_pending ON attempt(request_id)
    WHERE outcome = 'pending';

CREATE TABLE new_decision (
	id		INTEGER PRIMARY KEY,
	request_id	INTEGER NOT NULL REFERENCES request(id),
	kind		TEXT NOT NULL CHECK (kind IN ('grant', 'refusal',
			    'advance_paid', 'balance_requested',
			    'balance_accepted', 'balance_rejected',
			    'balance_paid', 'close')),
	date		TEXT NOT NULL CHECK (date GLOB
			    '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
	amount_cents	INTEGER CHECK (amount_cents IS NULL OR
			    amount_cents >= 0),
	letter_ref	TEXT,
	note		TEXT,
	recorded_at	TEXT NOT NULL,
	CHECK (kind NOT IN ('advance_paid', 'balance_paid') OR
	    amount_cents IS NOT NULL)
);
INSERT INTO new_decision SELECT * FROM decision;
DROP TABLE decision;
ALTER TABLE new_decision RENAME TO decision;
CREATE INDEX decision_request ON decision(request_id);

CREATE TABLE new_alert (
	id		INTEGER PRIMARY KEY,
	kind		TEXT NOT NULL,
	severity	TEXT NOT NULL CHECK (severity IN ('info', 'warning',
			    'error')),
	request_id	INTEGER REFERENCES request(id),
	file_id		INTEGER REFERENCES file(id),
	subject		TEXT NOT NULL,
	body		TEXT NOT NULL CHECK (json_valid(body)),
	created_at	TEXT NOT NULL
);
INSERT INTO new_alert SELECT * FROM alert;
DROP TABLE alert;
ALTER TABLE new_alert RENAME TO alert;

CREATE TABLE new_alert_delivery (
	alert_id	INTEGER NOT NULL REFERENCES alert(id),
	channel		TEXT NOT NULL,
	state		TEXT NOT NULL DEFAULT 'pending'
			CHECK (state IN ('pending', 'delivered', 'failed')),
	tries		INTEGER NOT NULL DEFAULT 0 CHECK (tries >= 0),
	next_at		TEXT,
	last_error	TEXT,
	delivered_at	TEXT,
	PRIMARY KEY (alert_id, channel)
) WITHOUT ROWID;
INSERT INTO new_alert_delivery SELECT * FROM alert_delivery;
DROP TABLE alert_delivery;
ALTER TABLE new_alert_delivery RENAME TO alert_delivery;
CREATE INDEX alert_delivery_pending ON alert_delivery(state, next_at)
    WHERE state = 'pending';

CREATE TABLE new_delivery (
	id		INTEGER PRIMARY KEY,
	request_id	INTEGER NOT NULL REFERENCES request(id),
	date		TEXT NOT NULL CHECK (date GLOB
			    '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
	numero_facture	TEXT NOT NULL
			CHECK (length(numero_facture) BETWEEN 1 AND 64),
	date_facture	TEXT NOT NULL CHECK (date_facture GLOB
			    '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
	montant_facture_cents INTEGER NOT NULL
			CHECK (montant_facture_cents > 0),
	facture_path	TEXT NOT NULL,
	facture_format	TEXT NOT NULL CHECK (facture_format IN ('PDF', 'PNG',
			    'JPG')),
	facture_sha256	TEXT NOT NULL CHECK (length(facture_sha256) = 64),
	pv_path		TEXT NOT NULL,
	pv_format	TEXT NOT NULL CHECK (pv_format IN ('PDF', 'PNG', 'JPG')),
	pv_sha256	TEXT NOT NULL CHECK (length(pv_sha256) = 64),
	current		INTEGER NOT NULL DEFAULT 1 CHECK (current IN (0, 1)),
	recorded_at	TEXT NOT NULL
);
INSERT INTO new_delivery SELECT * FROM delivery;
DROP TABLE delivery;
ALTER TABLE new_delivery RENAME TO delivery;
CREATE UNIQUE INDEX delivery_current ON delivery(request_id)
    WHERE current = 1;

CREATE TABLE new_solde_line (
	id		INTEGER PRIMARY KEY,
	request_id	INTEGER NOT NULL REFERENCES request(id),
	seq		INTEGER NOT NULL CHECK (seq >= 1),
	delivery_id	INTEGER NOT NULL REFERENCES delivery(id),
	numero_asp	TEXT NOT NULL,
	numero_editeur	TEXT NOT NULL,
	montant_solde_cents INTEGER NOT NULL CHECK (montant_solde_cents >= 0),
	file_id		INTEGER NOT NULL REFERENCES file(id),
	num_ligne	INTEGER NOT NULL CHECK (num_ligne BETWEEN 1 AND 200),
	outcome		TEXT NOT NULL DEFAULT 'pending'
			CHECK (outcome IN ('pending', 'accepted', 'rejected')),
	code_traitement	TEXT,
	libelle_traitement TEXT,
	answer_file_id	INTEGER REFERENCES file(id),
	created_at	TEXT NOT NULL,
	answered_at	TEXT,
	UNIQUE (request_id, seq),
	UNIQUE (file_id, num_ligne),
	CHECK ((outcome = 'pending') = (answered_at IS NULL))
);
INSERT INTO new_solde_line SELECT * FROM solde_line;
DROP TABLE solde_line;
ALTER TABLE new_solde_line RENAME TO solde_line;
CREATE UNIQUE INDEX solde_line_pending ON solde_line(request_id)
    WHERE outcome = 'pending';
CREATE INDEX solde_line_asp ON solde_line(numero_asp, id);

CREATE TABLE new_reminder (
	request_id	INTEGER NOT NULL REFERENCES request(id),
	kind		TEXT NOT NULL CHECK (kind IN ('submitted', 'decision',
			    'balance', 'deadline')),
	since		TEXT NOT NULL CHECK (since GLOB
			    '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
	period		TEXT NOT NULL,
	alert_id	INTEGER NOT NULL REFERENCES alert(id),
	queued_on	TEXT NOT NULL,
	PRIMARY KEY (request_id, kind, since, period)
) WITHOUT ROWID;
INSERT INTO new_reminder SELECT * FROM reminder;
DROP TABLE reminder;
ALTER TABLE new_reminder RENAME TO reminder;

-- The event log: append-only, each row chained to the previous one.
-- hash = SHA-256 of the canonical serialization of the row (see
-- docs/internals/ledger.md, "The event log and its hash chain"), which
-- includes prev_hash. Its rows are copied before its triggers exist.
CREATE TABLE new_event (
	id		INTEGER PRIMARY KEY CHECK (id >= 1),
	at		TEXT NOT NULL,
	actor		TEXT NOT NULL,
	action		TEXT NOT NULL,
	entity		TEXT NOT NULL,
	entity_key	TEXT,
	request_id	INTEGER REFERENCES request(id)
			    DEFERRABLE INITIALLY DEFERRED,
	before		TEXT CHECK (before IS NULL OR json_valid(before)),
	after		TEXT CHECK (after IS NULL OR json_valid(after)),
	prev_hash	TEXT NOT NULL CHECK (length(prev_hash) = 64),
	hash		TEXT NOT NULL CHECK (length(hash) = 64)
);
INSERT INTO new_event SELECT * FROM event;
DROP TABLE event;
ALTER TABLE new_event RENAME TO event;
CREATE INDEX event_request ON event(request_id, id)
    WHERE request_id IS NOT NULL;

CREATE TRIGGER event_no_update BEFORE UPDATE ON event
BEGIN
	SELECT RAISE(ABORT, 'the event log is append-only');
END;

CREATE TRIGGER event_no_delete BEFORE DELETE ON event
BEGIN
	SELECT RAISE(ABORT, 'the event log is append-only');
END;

-- Rows are appended in order, chained to the last one (the empty log's
-- first row to 64 zeros); an unchained row rolls the writer back.
CREATE TRIGGER event_chained BEFORE INSERT ON event
WHEN (SELECT id = NEW.id - 1 AND hash IS NEW.prev_hash FROM event
	ORDER BY id DESC LIMIT 1) IS NOT 1
    AND (NEW.id IS NOT 1 OR NEW.prev_hash IS NOT printf('%064d', 0)
	OR EXISTS (SELECT 1 FROM event))
BEGIN
	SELECT RAISE(ROLLBACK, 'event not chained to the last one');
END;
