-- 003-reserved.sql: intentionally empty on the solde branch.
--
-- Schema version 3 belongs to the reminders work (another branch adds the
-- real 003). lib/ledger.c applies migrations one version at a time and
-- needs every number, so this branch carries this empty placeholder to
-- reach 004. When merging, the real 003 replaces this file.
SELECT 1;
