-- 011-file-states.sql: a built file that will never be answered line by
-- line. The portal refuses a malformed file whole (control 1, spec §7)
-- and returns nothing; a file built and never uploaded is cancelled. Ops
-- record either (segurctl file refused / file cancel,
-- lib/ledger/ledger-file.c); the file's requests leave submitted or
-- balance_requested, and its attempts or balance lines are closed.
--
-- Numbered 011 with 010 taken by a parallel branch: the migration runner
-- (lib/ledger/ledger.c) steps over a number that has no file.
--
-- file_closure: one row per built file closed without an answer; the
-- reason as ops typed it. A closure is final: never updated, never
-- deleted (a file's numbers are burnt either way).
CREATE TABLE file_closure (
	file_id		INTEGER PRIMARY KEY REFERENCES file(id),
	state		TEXT NOT NULL CHECK (state IN ('refused',
			    'cancelled')),
	reason		TEXT NOT NULL CHECK (length(trim(reason)) > 0),
	closed_at	TEXT NOT NULL
);

CREATE TRIGGER file_closure_no_update BEFORE UPDATE ON file_closure
BEGIN
	SELECT RAISE(ABORT, 'a file closure is final');
END;

CREATE TRIGGER file_closure_no_delete BEFORE DELETE ON file_closure
BEGIN
	SELECT RAISE(ABORT, 'a file closure is final');
END;

-- attempt and solde_line gain the outcome 'cancelled' (a cancelled file's
-- lines were never seen by ASP: neither accepted nor rejected). A CHECK
-- cannot be altered: both tables are rebuilt as 009 does, rows copied as
-- they are, then their indexes again.
CREATE TABLE new_attempt (
	id		INTEGER PRIMARY KEY,
	request_id	INTEGER NOT NULL REFERENCES request(id),
	seq		INTEGER NOT NULL CHECK (seq >= 1),
	numero_editeur	TEXT NOT NULL UNIQUE COLLATE NOCASE
			REFERENCES numero_editeur(value),
	file_id		INTEGER REFERENCES file(id),
	num_ligne	INTEGER CHECK (num_ligne BETWEEN 1 AND 200),
	outcome		TEXT NOT NULL DEFAULT 'pending'
			CHECK (outcome IN ('pending', 'accepted', 'rejected',
			    'cancelled')),
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
			CHECK (outcome IN ('pending', 'accepted', 'rejected',
			    'cancelled')),
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

-- file: a built file may repeat the bytes of a file closed without an
-- answer (a balance file carries neither its name nor its rank: cancelled
-- and built again the same day, it is the same file; its zip too, within
-- the second). (direction, kind, sha256) stays unique for received files,
-- ingest's idempotency; segur_ledger_file_add() refuses a built request
-- file whose twin is not closed. Rebuilt without the table constraint.
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
	created_at	TEXT NOT NULL
);
INSERT INTO new_file SELECT * FROM file;
DROP TABLE file;
ALTER TABLE new_file RENAME TO file;
CREATE UNIQUE INDEX file_day_rank ON file(numero_ans, day, rank)
    WHERE kind = 'submission';
CREATE UNIQUE INDEX file_solde_day_rank ON file(numero_ans, day, rank)
    WHERE kind = 'solde';
CREATE UNIQUE INDEX file_received ON file(kind, sha256)
    WHERE direction = 'in';
CREATE INDEX file_built ON file(kind, sha256) WHERE direction = 'out';

-- segurctl file list and the checks before a closure ask, per file,
-- whether an answer names it and which lines an answer recorded: without
-- these, each question reads the whole table.
CREATE INDEX file_answers ON file(answers) WHERE answers IS NOT NULL;
CREATE INDEX attempt_answer_file ON attempt(answer_file_id)
    WHERE answer_file_id IS NOT NULL;
CREATE INDEX solde_line_answer_file ON solde_line(answer_file_id)
    WHERE answer_file_id IS NOT NULL;
