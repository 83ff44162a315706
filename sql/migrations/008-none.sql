-- 008-none.sql: nothing. Ledgers written before 009 existed have, at this
-- version, a column request.list_row and an index request_list, which 009
-- removes; a new ledger never gets them.
SELECT 1;
