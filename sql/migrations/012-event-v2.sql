-- 012-event-v2.sql: events of version 2 (docs/internals/ledger.md, "The
-- hash chain"; docs/audit.md, "Threat model").
--
-- v: the serialization hashed (1: the text fields of 001, which reads a
-- NULL request_id and 0 alike; 2: every column, type-tagged). Rows written
-- before this migration keep v = 1 and their hashes.
-- image: what a version 2 event saw of the rows it changed (the table
-- columns `audit verify` replays), written by segur__event_append().
-- seal: HMAC-SHA256 of the event's hash with the audit key kept outside
-- the database, or NULL when the writer had no key. Not hashed: it is
-- computed from the hash.
--
-- Numbered 012 so that 010 and 011, written on other branches, can land
-- before it; the runner applies whatever embedded migrations lie above
-- the ledger's version, in order.

ALTER TABLE event ADD COLUMN v INTEGER NOT NULL DEFAULT 1
    CHECK (v IN (1, 2));
ALTER TABLE event ADD COLUMN image TEXT
    CHECK (image IS NULL OR json_valid(image));
ALTER TABLE event ADD COLUMN seal TEXT
    CHECK (seal IS NULL OR length(seal) = 64);
