-- 004-solde.sql: balance ("solde") requests (docs/internals/solde.md).
--
-- A request whose advance is paid becomes ready for its balance once the
-- prestation is recorded as delivered, with its proofs (delivery). segurctl
-- solde build puts it on a line of a balance file (solde_line) and moves it
-- to balance_requested; ingest records ASP's answer on that line.

-- The prestation delivered, with its invoice and the client's acceptance
-- record (PV de recette). current = 0 once replaced by a later record
-- (a corrected invoice after a rejected balance).
CREATE TABLE delivery (
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
CREATE UNIQUE INDEX delivery_current ON delivery(request_id)
    WHERE current = 1;

-- Settings of the programme (segurctl ref set): solde-deadline-days.
CREATE TABLE setting (
	key		TEXT PRIMARY KEY,
	value		TEXT NOT NULL,
	updated_at	TEXT NOT NULL
) WITHOUT ROWID;

-- A deadline for one request's balance, overriding the programme's.
CREATE TABLE solde_deadline (
	request_id	INTEGER PRIMARY KEY REFERENCES request(id),
	date		TEXT NOT NULL CHECK (date GLOB
			    '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
	set_at		TEXT NOT NULL
);

-- The ranks of balance files, a sequence of their own
-- (JSON-SOLDE-<numeroAns>-<AAAAMMJJ>-<NNN>.json).
CREATE TABLE solde_rank (
	numero_ans	TEXT NOT NULL,
	day		TEXT NOT NULL CHECK (length(day) = 8),
	last		INTEGER NOT NULL CHECK (last BETWEEN 1 AND 999),
	PRIMARY KEY (numero_ans, day)
) WITHOUT ROWID;
CREATE UNIQUE INDEX file_solde_day_rank ON file(numero_ans, day, rank)
    WHERE kind = 'solde';

-- Every time a request's balance is put in a file, and ASP's answer.
CREATE TABLE solde_line (
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
CREATE UNIQUE INDEX solde_line_pending ON solde_line(request_id)
    WHERE outcome = 'pending';
CREATE INDEX solde_line_asp ON solde_line(numero_asp, id);

-- The documents sent with a balance line, under their canonical names.
CREATE TABLE solde_document (
	solde_line_id	INTEGER NOT NULL REFERENCES solde_line(id),
	type		TEXT NOT NULL CHECK (type IN ('FACTURE', 'PV_RECETTE')),
	nom_fichier	TEXT NOT NULL,
	sha256		TEXT NOT NULL REFERENCES archive(sha256),
	bundle_file_id	INTEGER NOT NULL REFERENCES file(id),
	PRIMARY KEY (solde_line_id, type)
) WITHOUT ROWID;
