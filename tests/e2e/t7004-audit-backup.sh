#!/usr/bin/env bash
# backup while another process writes (a loop of request add): each copy
# is one consistent snapshot whose chain verifies; restore checks the
# backup's chain first, refuses a live ledger without --force, and keeps
# the ledger it replaces.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"
. "$(dirname "$0")/audit-lib.sh"

seed_audit
# A writer, in the background, until told to stop.
(
	i=0
	while [ ! -e "$T/stop" ] && [ "$i" -lt 400 ]; do
		"$SEGURCTL" request add --ref "LOOP-$i" "$T/line0.json" \
		    >/dev/null 2>>"$T/writer.err" || echo "add $i failed" >>"$T/writer.err"
		i=$((i + 1))
	done
) &
writer=$!
# Backups while it writes: each one checked by backup itself, then again
# by audit verify on the copy.
prev=0
for k in 1 2 3 4 5; do
	expect_exit 0 segurctl backup "$T/copy-$k.db"
	expect_grep 'copie vérifiée' "$T/out"
	expect_exit 0 segurctl --db "$T/copy-$k.db" audit verify \
	    --archive "$T/archive"
	n=$(sqlite3 "$T/copy-$k.db" 'SELECT count(*) FROM event')
	[ "$n" -ge "$prev" ] || fail "copy $k has fewer events than copy before"
	prev=$n
	# Nothing half-written: every request of the copy has its event.
	[ "$(sqlite3 "$T/copy-$k.db" "SELECT count(*) FROM request r WHERE NOT EXISTS (SELECT 1 FROM event e WHERE e.request_id = r.id)")" -eq 0 ] ||
	    fail "copy $k holds a request without its event"
	[ ! -e "$T/copy-$k.db-wal" ] || fail "copy $k needs a -wal file"
done
touch "$T/stop"
wait "$writer"
[ ! -s "$T/writer.err" ] || fail "the writer failed: $(cat "$T/writer.err")"
[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM request WHERE ref LIKE 'LOOP-%'")" -gt 0 ] ||
    fail "the writer wrote nothing"
expect_exit 0 segurctl audit verify

# Restore: the backup's head becomes the ledger's.
heads=$(sqlite3 "$T/copy-3.db" 'SELECT hash FROM event ORDER BY id DESC LIMIT 1')
expect_exit 1 segurctl restore "$T/copy-3.db"
expect_grep 'jamais remplacé sans --force' "$T/err"
before=$(sqlite3 "$SEGUR_DB" 'SELECT count(*) FROM event')
expect_exit 0 segurctl restore --force "$T/copy-3.db"
expect_grep "tête $heads" "$T/out"
kept=$(sed -n 's/^ancien registre conservé sous //p' "$T/out")
[ -f "$kept" ] || fail "the replaced ledger was not kept"
[ "$(sqlite3 "$kept" 'SELECT count(*) FROM event')" -eq "$before" ] ||
    fail "the kept ledger is not the one replaced"
expect_exit 0 segurctl audit head
expect_grep "^$heads " "$T/out"
expect_exit 0 segurctl audit verify
# The restored ledger takes writes again.
expect_exit 0 segurctl request add --ref AFTER "$T/line0.json"

# A backup whose chain was tampered with is refused, nothing replaced.
cp "$T/copy-1.db" "$T/bad.db"
sqlite3 "$T/bad.db" "DROP TRIGGER event_no_update;
    UPDATE event SET actor = 'mallory' WHERE id = 3;"
expect_exit 1 segurctl restore --force "$T/bad.db"
expect_grep "rompu à l'événement 3" "$T/err"
expect_exit 0 segurctl request show AFTER
# Into a new place: no --force needed.
expect_exit 0 segurctl --db "$T/new.db" restore "$T/copy-2.db"
expect_exit 0 segurctl --db "$T/new.db" audit verify --archive "$T/archive"
expect_exit 2 segurctl restore "$T/missing.db"
pass
