-- 007-reserved.sql: intentionally empty on the ingest branch.
--
-- Schema version 7 belongs to the lead's work on the request lists (the
-- packed covering index that replaces request_state). lib/ledger.c applies
-- migrations one version at a time and needs every number, so this branch
-- carries this empty placeholder to reach 008. When merging, the real 007
-- replaces this file.
SELECT 1;
