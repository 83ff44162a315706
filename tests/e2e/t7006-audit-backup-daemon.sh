#!/usr/bin/env bash
# backup while segurd ingests: three answers of 200 lines dropped in the
# inbox one after the other while backups are taken in a loop; every copy
# verifies (SQLite integrity, whole chain), and each holds whole
# ingestions only (0, 200, 400 or 600 lines accepted, never a part of a
# file), the last one all of them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

setup_ledger
gen_requests 1 600
expect_exit 0 segurctl build --date 20240105 --out "$T/files"
mkdir -p "$T/inbox" "$T/stage"
for k in 1 2 3; do
	jq --argjson k "$k" '.impId = $k | .lignesImport |= (to_entries |
	    map(.value + {numeroASP: (9000000 + $k * 1000 + .key),
	    codeTraitement: 0, libelleTraitement: "Demande acceptée"}))' \
	    "$T/files/JSON-2023000042-20240105-00$k.json" >"$T/stage/r$k.json"
done
port=$(free_port)
printf '[ledger]\npath = ledger.db\n[inbox]\npath = inbox\narchive = archive\nquarantine = quarantine\nsettle = 100ms\nrescan = 1s\n[http]\nlisten = 127.0.0.1:%s\n' \
    "$port" >"$T/segurd.conf"
start_segurd "$T/segurd.conf" "$port"

accepted() {
	sqlite3 "$1" "SELECT count(*) FROM attempt WHERE outcome = 'accepted'"
}
n=0
dropped=0
seen=""
while :; do
	if [ "$dropped" -lt 3 ] && [ $((n % 2)) -eq 0 ]; then
		dropped=$((dropped + 1))
		mv "$T/stage/r$dropped.json" "$T/inbox/"
	fi
	n=$((n + 1))
	expect_exit 0 segurctl backup "$T/copy.db"
	expect_exit 0 segurctl --db "$T/copy.db" audit verify \
	    --archive "$T/archive"
	a=$(accepted "$T/copy.db")
	case $a in
	0|200|400|600) ;;
	*) fail "copy $n holds $a accepted lines: an ingestion cut in half" ;;
	esac
	seen="$seen $a"
	[ "$a" -eq 600 ] && break
	[ "$n" -lt 200 ] || fail "ingestion never finished: $seen"
done
stop_segurd
[ "$SEGURD_RC" -eq 0 ] || fail "segurd exited $SEGURD_RC"
echo "$TEST_NAME: $n backups, accepted lines seen:$seen"
expect_exit 0 segurctl audit verify
[ "$(accepted "$SEGUR_DB")" -eq 600 ] || fail "the ledger lacks lines"
pass
