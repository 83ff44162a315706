#!/usr/bin/env bash
# A build killed at each of its crash points (before the transaction,
# with files written but not committed, committed but not renamed, half
# renamed) leaves neither recorded numbers without files nor files without
# records: the next build completes or clears what was left, and each
# request is submitted exactly once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"
need_fault_injection

for at in 1 2 3 4; do
	rm -rf "$T/files" "$T/archive" "$SEGUR_DB"*
	setup_ledger
	gen_requests 1 3
	SEGUR_TEST_CRASH_AT=$at expect_exit 99 segurctl build \
	    --date 20240105 --out "$T/files"
	committed=$(sqlite3 "$SEGUR_DB" \
	    "SELECT count(*) FROM file WHERE direction = 'out'")
	case $at in
	1|2) [ "$committed" -eq 0 ] || fail "crash $at: files recorded"
	     [ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM attempt")" -eq 0 ] ||
		 fail "crash $at: numbers allocated" ;;
	3|4) [ "$committed" -eq 2 ] || fail "crash $at: batch not recorded" ;;
	esac
	# No final file may exist without its record.
	for f in "$T"/files/*; do
		[ -e "$f" ] || continue
		[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM file WHERE name = '$(basename "$f")'")" -eq 1 ] ||
		    fail "crash $at: $f without record"
	done
	expect_exit 0 segurctl build --date 20240105 --out "$T/files"
	check_out_consistent "$T/files"
	[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM attempt")" -eq 3 ] ||
	    fail "crash $at: not exactly one attempt per request"
	expect_exit 0 segurctl request list --state submitted --json
	[ "$(jq length "$T/out")" -eq 3 ] || fail "crash $at: not submitted"
	expect_exit 0 segurctl validate "$T"/files/JSON-*.json
	expect_exit 0 segurctl audit verify
done
pass
