-- 003-request-lists.sql: lists by state read one index.
--
-- request keeps the numeroEditeur of its last attempt (attempt keeps them
-- all; segur_ledger_attempt_new() sets both), and request_state covers
-- every column a list shows, so that "request list --state" and the status
-- screen's waiting lists never visit the large request rows nor attempt.

ALTER TABLE request ADD COLUMN numero_editeur TEXT COLLATE NOCASE;

UPDATE request SET numero_editeur = (SELECT a.numero_editeur FROM attempt a
    WHERE a.request_id = request.id ORDER BY a.seq DESC LIMIT 1)
    WHERE id IN (SELECT request_id FROM attempt);

DROP INDEX request_state;
CREATE INDEX request_state ON request(state, updated_at, id, ref,
    software_id, montant_cents, numero_editeur, numero_asp, created_at);
