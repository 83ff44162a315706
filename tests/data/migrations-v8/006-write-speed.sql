-- 006-write-speed.sql: what each change of a request costs SQLite.
--
-- Ingesting a 200-line answer updates 200 requests, and each UPDATE paid
-- for two things this migration removes; neither changes what the ledger
-- accepts or holds.
--
-- 1. CHECK constraints without IN lists. SQLite checks "state IN ('draft',
-- 'ready', 'submitted', ...)" by building a temporary b-tree of the list
-- each time a statement that checks it runs (lists of more than two
-- values): about 10 µs per UPDATE of a request. The same constraints
-- written as OR chains of equalities cost a comparison each. They are
-- changed in place by SQLite's documented procedure for changing CHECK
-- constraints (lang_altertable.html, "Making Other Kinds Of Table Schema
-- Changes"): the CREATE TABLE texts are edited in sqlite_schema under
-- writable_schema, and the migration runner then moves the schema cookie so
-- that every connection reloads the schema. No row moves, so that a ledger
-- of a million requests migrates at once; every row satisfies the new
-- constraints, which accept exactly the values the old ones did. The unit
-- test of migrations checks that no IN list is left.
--
-- 2. The state totals (002) kept by two plain UPDATEs instead of an UPDATE
-- and an upsert: every state has its row from now on, so that a change of
-- state moves one row down and one up. The upsert cost more than the rest
-- of the UPDATE of the request.

PRAGMA writable_schema = ON;

UPDATE sqlite_schema SET sql = replace(replace(sql,
'state IN (''draft'', ''ready'',
			    ''submitted'', ''accepted'', ''rejected'', ''granted'',
			    ''refused'', ''advance_paid'', ''balance_requested'',
			    ''balance_accepted'', ''balance_rejected'',
			    ''balance_paid'', ''closed'', ''withdrawn'')',
'(state = ''draft'' OR state = ''ready''
    OR state = ''submitted'' OR state = ''accepted''
    OR state = ''rejected'' OR state = ''granted''
    OR state = ''refused'' OR state = ''advance_paid''
    OR state = ''balance_requested''
    OR state = ''balance_accepted''
    OR state = ''balance_rejected''
    OR state = ''balance_paid'' OR state = ''closed''
    OR state = ''withdrawn'')'),
'state IN (''draft'', ''ready'',
	    ''submitted'', ''rejected'', ''withdrawn'')',
'(state = ''draft'' OR state = ''ready''
    OR state = ''submitted'' OR state = ''rejected''
    OR state = ''withdrawn'')')
WHERE type = 'table' AND name = 'request';

UPDATE sqlite_schema SET sql = replace(sql,
'kind IN (''submission'', ''returned'',
			    ''documents'', ''solde'', ''solde_returned'')',
'(kind = ''submission'' OR kind = ''returned''
    OR kind = ''documents'' OR kind = ''solde''
    OR kind = ''solde_returned'')')
WHERE type = 'table' AND name = 'file';

UPDATE sqlite_schema SET sql = replace(sql,
'outcome IN (''pending'', ''accepted'', ''rejected'')',
'(outcome = ''pending'' OR outcome = ''accepted''
    OR outcome = ''rejected'')')
WHERE type = 'table' AND name = 'attempt';

UPDATE sqlite_schema SET sql = replace(sql,
'kind IN (''grant'', ''refusal'',
			    ''advance_paid'', ''balance_requested'',
			    ''balance_accepted'', ''balance_rejected'',
			    ''balance_paid'', ''close'')',
'(kind = ''grant'' OR kind = ''refusal''
    OR kind = ''advance_paid''
    OR kind = ''balance_requested''
    OR kind = ''balance_accepted''
    OR kind = ''balance_rejected''
    OR kind = ''balance_paid'' OR kind = ''close'')')
WHERE type = 'table' AND name = 'decision';

UPDATE sqlite_schema SET sql = replace(sql,
'severity IN (''info'', ''warning'',
			    ''error'')',
'(severity = ''info'' OR severity = ''warning''
    OR severity = ''error'')')
WHERE type = 'table' AND name = 'alert';

UPDATE sqlite_schema SET sql = replace(sql,
'state IN (''pending'', ''delivered'', ''failed'')',
'(state = ''pending'' OR state = ''delivered''
    OR state = ''failed'')')
WHERE type = 'table' AND name = 'alert_delivery';

UPDATE sqlite_schema SET sql = replace(replace(sql,
'facture_format IN (''PDF'', ''PNG'',
			    ''JPG'')',
'(facture_format = ''PDF'' OR facture_format = ''PNG''
    OR facture_format = ''JPG'')'),
'pv_format IN (''PDF'', ''PNG'', ''JPG'')',
'(pv_format = ''PDF'' OR pv_format = ''PNG''
    OR pv_format = ''JPG'')')
WHERE type = 'table' AND name = 'delivery';

UPDATE sqlite_schema SET sql = replace(sql,
'outcome IN (''pending'', ''accepted'', ''rejected'')',
'(outcome = ''pending'' OR outcome = ''accepted''
    OR outcome = ''rejected'')')
WHERE type = 'table' AND name = 'solde_line';

UPDATE sqlite_schema SET sql = replace(sql,
'kind IN (''submitted'', ''decision'',
			    ''balance'', ''deadline'')',
'(kind = ''submitted'' OR kind = ''decision''
    OR kind = ''balance'' OR kind = ''deadline'')')
WHERE type = 'table' AND name = 'reminder';

PRAGMA writable_schema = OFF;

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
