#!/usr/bin/env bash
# Ingestion killed at each of its crash points (archived but not begun,
# inside the transaction, committed): the 200-line answer is either fully
# recorded or not at all, and a second run completes it, each line's fate
# recorded exactly once. The answer writes numeroASP, codeTraitement and
# impId as JSON numbers, and the labels as strings.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"
need_fault_injection

for at in 1 2 3; do
	rm -rf "$T/files" "$T/archive" "$SEGUR_DB"*
	setup_ledger
	gen_requests 1 200
	expect_exit 0 segurctl build --date 20240105 --out "$T/files"
	jq '.impId = 42 | .lignesImport |= (to_entries | map(.value +
	    {numeroASP: (9000000 + .key), codeTraitement: 0,
	     libelleTraitement: "Demande acceptée"}))' \
	    "$T/files/JSON-2023000042-20240105-001.json" >"$T/retour.json"
	SEGUR_TEST_CRASH_AT=$at expect_exit 99 segurctl ingest "$T/retour.json"
	accepted=$(sqlite3 "$SEGUR_DB" \
	    "SELECT count(*) FROM attempt WHERE outcome = 'accepted'")
	received=$(sqlite3 "$SEGUR_DB" \
	    "SELECT count(*) FROM file WHERE direction = 'in'")
	case $at in
	1|2) [ "$accepted" -eq 0 ] && [ "$received" -eq 0 ] ||
		 fail "crash $at: half recorded ($accepted, $received)" ;;
	3) [ "$accepted" -eq 200 ] && [ "$received" -eq 1 ] ||
		 fail "crash $at: not fully recorded ($accepted, $received)" ;;
	esac
	expect_exit 0 segurctl ingest --json "$T/retour.json"
	[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM attempt WHERE outcome = 'accepted'")" -eq 200 ] ||
	    fail "crash $at: not all accepted after the second run"
	[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM file WHERE direction = 'in'")" -eq 1 ] ||
	    fail "crash $at: file recorded twice"
	[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM event WHERE action = 'request.state' AND after LIKE '%\"accepted\"%'")" -eq 200 ] ||
	    fail "crash $at: not one event per line"
	[ "$(sqlite3 "$SEGUR_DB" "SELECT numero_asp FROM request WHERE ref = 'BC-0200'")" = 9000199 ] ||
	    fail "crash $at: numeroASP not kept as text"
	[ "$(sqlite3 "$SEGUR_DB" "SELECT imp_id FROM file WHERE direction = 'in'")" = 42 ] ||
	    fail "crash $at: impId"
	expect_exit 0 segurctl audit verify
done
pass
