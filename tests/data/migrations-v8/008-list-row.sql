-- 008-list-row.sql: a list reads three columns per request, not five.
--
-- "request list --state advance_paid" on a ledger of a million requests
-- returns 150,000 rows, and SQLite spent most of that list decoding the
-- five columns it read from each entry of request_state (003). The columns
-- a list shows that change at most once after the request is a draft are
-- now also kept together in one text, list_row, and the list index holds
-- that text instead of the separate columns (docs/decisions.md, "The list
-- row"). ASP's number stays a column of the index of its own: it is set
-- when ASP's answer is ingested, 200 requests a file, and ingesting then
-- computes no list_row.
--
-- list_row is
--
--   printf('%d %d %d %d %s%s%s', software_id, montant_cents or 0, bytes of
--          ref, bytes of numero_editeur or 0, ref, numero_editeur,
--          created_at)
--
-- so that a reader cuts it by the lengths and never looks for a separator
-- (a reference may hold any printable character). Its writers in the
-- library set it in the same statement as the columns it copies, with the
-- same expression (SEGUR__LIST_ROW in lib/ledger/ledger-int.h), and a CHECK keeps
-- them equal: a row whose list_row says anything else is refused, whoever
-- writes it. SQLite evaluates a CHECK only when the statement changes a
-- column it names, so that a change of state pays nothing for it.
--
-- The CHECK is added in place by SQLite's documented procedure for
-- changing CHECK constraints (lang_altertable.html, "Making Other Kinds Of
-- Table Schema Changes"), after every row was given its list_row here: an
-- ALTER TABLE ADD COLUMN with the CHECK would test it against rows that do
-- not have one yet. The migration runner then moves the schema cookie.
-- This migration rewrites every request once: about a minute for a
-- million requests, at once for the ledgers of our users.

ALTER TABLE request ADD COLUMN list_row TEXT;

UPDATE request SET list_row = printf('%d %d %d %d %s%s%s', software_id,
    coalesce(montant_cents, 0), length(CAST(ref AS BLOB)),
    coalesce(length(CAST(numero_editeur AS BLOB)), 0),
    ref, numero_editeur, created_at);

DROP INDEX request_state;
CREATE INDEX request_list ON request(state, updated_at, id, numero_asp,
    list_row);

PRAGMA writable_schema = ON;

UPDATE sqlite_schema SET sql = replace(sql,
'CHECK ((state = ''withdrawn'') = (withdraw_reason IS NOT NULL))',
'CHECK ((state = ''withdrawn'') = (withdraw_reason IS NOT NULL)),
	-- What a list reads (008): the columns it shows, in one text.
	CHECK (list_row IS printf(''%d %d %d %d %s%s%s'', software_id,
	    coalesce(montant_cents, 0), length(CAST(ref AS BLOB)),
	    coalesce(length(CAST(numero_editeur AS BLOB)), 0),
	    ref, numero_editeur, created_at))')
WHERE type = 'table' AND name = 'request';

PRAGMA writable_schema = OFF;
