-- 001-schema.sql: the ledger's tables (docs/internals/ledger.md).
--
-- Applied by lib/ledger/ledger.c inside one BEGIN IMMEDIATE transaction that also
-- sets PRAGMA user_version = 1 and appends a "schema.migrate" event.
-- Dates and times are UTC ISO 8601 text ("2026-11-27T13:35:02Z"), calendar
-- dates "AAAA-MM-JJ"; amounts are integer cents.

-- The software references of the editor (numeroAns), each with its SIRET
-- and its referenced profiles (SEGUR_PROFIL_* bits of validate.h).
CREATE TABLE software (
	id		INTEGER PRIMARY KEY,
	numero_ans	TEXT NOT NULL UNIQUE
			CHECK (length(numero_ans) = 10),
	siret		TEXT NOT NULL
			CHECK (length(siret) = 14 AND siret NOT GLOB '*[^0-9]*'),
	name		TEXT,
	profiles	INTEGER NOT NULL CHECK (profiles BETWEEN 0 AND 511),
	created_at	TEXT NOT NULL
);

-- Reference data: messaging operators (seeded from the compiled-in
-- sql/ref/operateurs-messagerie.csv), tranche amounts and eligible ESMS
-- (loaded by segurctl ref import).
CREATE TABLE operator (
	code		TEXT PRIMARY KEY,
	label		TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE tranche (
	code		TEXT PRIMARY KEY
			CHECK (length(code) BETWEEN 1 AND 7),
	amount_ttc_cents INTEGER NOT NULL CHECK (amount_ttc_cents > 0)
) WITHOUT ROWID;

CREATE TABLE eligible (
	finess_geo	TEXT PRIMARY KEY CHECK (length(finess_geo) = 9),
	finess_juridique TEXT NOT NULL CHECK (length(finess_juridique) = 9),
	tranche		TEXT NOT NULL CHECK (length(tranche) BETWEEN 1 AND 7)
) WITHOUT ROWID;

-- The OGs and ESMS met in requests, with the contacts last given.
CREATE TABLE og (
	finess_juridique TEXT PRIMARY KEY CHECK (length(finess_juridique) = 9),
	nom_responsable	TEXT,
	email_responsable TEXT,
	telephone_responsable TEXT,
	updated_at	TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE esms (
	finess_geo	TEXT PRIMARY KEY CHECK (length(finess_geo) = 9),
	finess_juridique TEXT NOT NULL REFERENCES og(finess_juridique),
	updated_at	TEXT NOT NULL
) WITHOUT ROWID;

-- One request per order form. state is enforced by the transition table of
-- lib/ledger/ledger-state.c; the CHECKs below hold what SQLite can hold.
CREATE TABLE request (
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
	-- Only a draft may hold content the validator has not passed.
	CHECK (state = 'draft' OR (montant_cents IS NOT NULL AND
	    regime_tva IS NOT NULL)),
	-- From acceptance on, ASP's number is known.
	CHECK (numero_asp IS NOT NULL OR state IN ('draft', 'ready',
	    'submitted', 'rejected', 'withdrawn')),
	CHECK ((state = 'withdrawn') = (withdraw_reason IS NOT NULL))
);
CREATE INDEX request_state ON request(state, updated_at);
CREATE INDEX request_updated ON request(updated_at);

-- The ESMS (and their OG) of each request: filters and double funding.
CREATE TABLE request_esms (
	request_id	INTEGER NOT NULL REFERENCES request(id),
	finess_geo	TEXT NOT NULL,
	finess_juridique TEXT NOT NULL,
	PRIMARY KEY (request_id, finess_geo)
) WITHOUT ROWID;
CREATE INDEX request_esms_geo ON request_esms(finess_geo);
CREATE INDEX request_esms_og ON request_esms(finess_juridique);

-- Supporting documents as given by the user; current = 0 once replaced.
CREATE TABLE document (
	id		INTEGER PRIMARY KEY,
	request_id	INTEGER NOT NULL REFERENCES request(id),
	type		TEXT NOT NULL
			CHECK (type IN ('BON_COMMANDE', 'PREUVE_HT')),
	path		TEXT NOT NULL,
	sha256		TEXT NOT NULL CHECK (length(sha256) = 64),
	size		INTEGER NOT NULL CHECK (size >= 0),
	current		INTEGER NOT NULL DEFAULT 1 CHECK (current IN (0, 1)),
	added_at	TEXT NOT NULL
);
CREATE UNIQUE INDEX document_current ON document(request_id, type)
    WHERE current = 1;

-- Every numeroEditeur ever used, allocated here or recorded from a file
-- sent before the ledger existed: never reused, whatever the case.
CREATE TABLE numero_editeur (
	value		TEXT PRIMARY KEY COLLATE NOCASE
			CHECK (length(value) = 5 AND
			    value NOT GLOB '*[^0-9A-Za-z]*'),
	origin		TEXT NOT NULL CHECK (origin IN ('allocated',
			    'recorded')),
	at		TEXT NOT NULL
) WITHOUT ROWID;

-- Allocator state: the next numeroEditeur counter (base 36).
CREATE TABLE allocator (
	name		TEXT PRIMARY KEY,
	next		INTEGER NOT NULL CHECK (next >= 0)
) WITHOUT ROWID;
INSERT INTO allocator(name, next) VALUES ('numero_editeur', 1);

-- The last rank of the day's files per numeroAns (JSON-<ans>-<day>-<NNN>).
CREATE TABLE file_rank (
	numero_ans	TEXT NOT NULL,
	day		TEXT NOT NULL CHECK (length(day) = 8),
	last		INTEGER NOT NULL CHECK (last BETWEEN 1 AND 999),
	PRIMARY KEY (numero_ans, day)
) WITHOUT ROWID;

-- The archive: content-addressed copies (archive/<sha256>) of every file
-- read or written, recorded once written and fsynced.
CREATE TABLE archive (
	sha256		TEXT PRIMARY KEY CHECK (length(sha256) = 64),
	size		INTEGER NOT NULL CHECK (size >= 0),
	stored_at	TEXT NOT NULL
) WITHOUT ROWID;

-- Every file built or received.
CREATE TABLE file (
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
CREATE UNIQUE INDEX file_day_rank ON file(numero_ans, day, rank)
    WHERE kind = 'submission';

-- Every time a request is put in a file, and what ASP answered.
CREATE TABLE attempt (
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
	answer_file_id	INTEGER REFERENCES file(id),
	created_at	TEXT NOT NULL,
	answered_at	TEXT,
	UNIQUE (request_id, seq),
	UNIQUE (file_id, num_ligne),
	CHECK ((outcome = 'accepted') = (numero_asp IS NOT NULL)),
	CHECK ((outcome = 'pending') = (answered_at IS NULL))
);
-- At most one attempt waiting for ASP per request.
CREATE UNIQUE INDEX attempt_pending ON attempt(request_id)
    WHERE outcome = 'pending';

-- The documents as sent with an attempt: canonical name and hash.
CREATE TABLE attempt_document (
	attempt_id	INTEGER NOT NULL REFERENCES attempt(id),
	document_id	INTEGER NOT NULL REFERENCES document(id),
	nom_fichier	TEXT NOT NULL,
	sha256		TEXT NOT NULL REFERENCES archive(sha256),
	bundle_file_id	INTEGER REFERENCES file(id),
	PRIMARY KEY (attempt_id, document_id)
) WITHOUT ROWID;

-- Decisions and payments recorded by ops (segurctl record ...).
CREATE TABLE decision (
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
CREATE INDEX decision_request ON decision(request_id);

-- Files that could not be read or matched (ingest): kept, never dropped.
CREATE TABLE quarantine (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL,
	sha256		TEXT,
	reason		TEXT NOT NULL,
	at		TEXT NOT NULL
);

-- Anomalies found by ingest: recorded, reported, alerted, never guessed.
CREATE TABLE anomaly (
	id		INTEGER PRIMARY KEY,
	file_id		INTEGER REFERENCES file(id),
	attempt_id	INTEGER REFERENCES attempt(id),
	kind		TEXT NOT NULL,
	detail		TEXT NOT NULL,
	at		TEXT NOT NULL
);

-- The alerts outbox: written in the transaction that raises the alert,
-- delivered at least once by segurd, per channel.
CREATE TABLE alert (
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

CREATE TABLE alert_delivery (
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
CREATE INDEX alert_delivery_pending ON alert_delivery(state, next_at)
    WHERE state = 'pending';

-- The event log: append-only, each row chained to the previous one.
-- hash = SHA-256 of the canonical serialization of the row (see
-- docs/internals/ledger.md, "The hash chain"), which includes prev_hash.
CREATE TABLE event (
	id		INTEGER PRIMARY KEY CHECK (id >= 1),
	at		TEXT NOT NULL,
	actor		TEXT NOT NULL,
	action		TEXT NOT NULL,
	entity		TEXT NOT NULL,
	entity_key	TEXT,
	request_id	INTEGER REFERENCES request(id),
	before		TEXT CHECK (before IS NULL OR json_valid(before)),
	after		TEXT CHECK (after IS NULL OR json_valid(after)),
	prev_hash	TEXT NOT NULL CHECK (length(prev_hash) = 64),
	hash		TEXT NOT NULL CHECK (length(hash) = 64)
);
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

-- Rows are appended in order and chained to the last one.
CREATE TRIGGER event_chained BEFORE INSERT ON event
WHEN NEW.id IS NOT (SELECT coalesce(max(id), 0) + 1 FROM event)
    OR NEW.prev_hash IS NOT coalesce((SELECT hash FROM event
	ORDER BY id DESC LIMIT 1), printf('%064d', 0))
BEGIN
	SELECT RAISE(ABORT, 'event not chained to the last one');
END;

-- Requests are never deleted.
CREATE TRIGGER request_no_delete BEFORE DELETE ON request
BEGIN
	SELECT RAISE(ABORT, 'requests are never deleted');
END;

CREATE TRIGGER numero_editeur_no_delete BEFORE DELETE ON numero_editeur
BEGIN
	SELECT RAISE(ABORT, 'numeroEditeur values are never released');
END;
