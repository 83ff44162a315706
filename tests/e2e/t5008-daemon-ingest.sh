#!/usr/bin/env bash
# segurd ingests ASP's answers: the example's return, renamed into the
# inbox, is recorded (line 1 accepted, line 2 rejected, its alert queued),
# archived and removed from the inbox; /metrics and /api/v1/status show
# it. Killed in the middle of an ingestion (inside the transaction, then
# after the commit), segurd restarted finds the file again and records it
# exactly once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"
. "$(dirname "$0")/daemon-lib.sh"
need_fault_injection

# A ledger with the example's two requests built into file 001.
build_examples
cp "$SEGUR_DB" "$T/built.db"

mkdir -p "$T/inbox" "$T/stage"
port=$(free_port)
printf '[ledger]\npath = ledger.db\n[inbox]\npath = inbox\narchive = archive\nquarantine = quarantine\nsettle = 200ms\nrescan = 1s\n[reminders]\nchain_head = 0\n[http]\nlisten = 127.0.0.1:%s\n' \
    "$port" >"$T/segurd.conf"
drop() {
	cp "$DATA/JSON-2023000042-20231002-001.retour.json" "$T/stage/retour.json"
	mv "$T/stage/retour.json" "$T/inbox/"
}

start_segurd "$T/segurd.conf" "$port"
drop
wait_log 'retour.json : réponses JSON-2023000042-20231002-001.json : 1 acceptée(s), 1 rejetée(s), 0 anomalie(s)'
expect_grep "BC-2 (00002) rejetée par l'ASP : Le FINESS géographique 590004016" "$T/segurd.log"
[ ! -e "$T/inbox/retour.json" ] || fail "the file stayed in the inbox"
sha=$(sha256sum "$DATA/JSON-2023000042-20231002-001.retour.json" | cut -d' ' -f1)
[ -f "$T/archive/$sha" ] || fail "not archived"
get "$port" /metrics
expect_grep '^segur_files_total{direction="in"} 1$' "$T/resp"
expect_grep '^segur_requests{state="accepted"} 1$' "$T/resp"
expect_grep '^segur_requests{state="rejected"} 1$' "$T/resp"
expect_grep '^segur_alerts_total 1$' "$T/resp"
sed '1,/^\r\?$/d' "$T/resp" >"$T/metrics"
$PROM_CHECK "$T/metrics" || fail "/metrics is not valid exposition text"
get "$port" /api/v1/status
expect_grep '"accepted":{"count":1,"montantSegurHT":4866.67}' "$T/resp"
get "$port" /healthz
expect_grep '^ok$' "$T/resp"
expect_grep '^registre .* : ok$' "$T/resp"
stop_segurd
[ "$SEGURD_RC" -eq 0 ] || fail "segurd exited $SEGURD_RC"
expect_exit 0 segurctl request show --json MS1-DUI-2023-0001872
[ "$(jq -r .ref "$T/out")" = BC-1 ] || fail "numeroASP not recorded"

# Killed inside the transaction, then after the commit: restarted, segurd
# records the file once.
for at in 2 3; do
	cp "$T/built.db" "$SEGUR_DB"
	rm -f "$SEGUR_DB-wal" "$SEGUR_DB-shm"
	: >"$T/segurd.log"
	SEGUR_TEST_CRASH_AT=$at "$SEGURD" -c "$T/segurd.conf" \
	    2>>"$T/segurd.log" &
	pid=$!
	drop
	set +e
	wait "$pid"
	rc=$?
	set -e
	[ "$rc" -eq 99 ] || fail "crash $at: segurd exited $rc"
	[ -e "$T/inbox/retour.json" ] || fail "crash $at: file left the inbox"
	start_segurd "$T/segurd.conf" "$port"
	if [ "$at" -eq 2 ]; then
		wait_log 'retour.json : réponses .*1 acceptée(s), 1 rejetée(s)'
	else
		wait_log 'retour.json : rien de nouveau'
	fi
	stop_segurd
	[ ! -e "$T/inbox/retour.json" ] || fail "crash $at: still in the inbox"
	[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM file WHERE direction = 'in'")" -eq 1 ] ||
	    fail "crash $at: not recorded exactly once"
	[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM attempt WHERE outcome != 'pending'")" -eq 2 ] ||
	    fail "crash $at: answers not recorded"
	[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM alert")" -eq 1 ] ||
	    fail "crash $at: alert lost or doubled"
	expect_exit 0 segurctl audit verify
done
pass
