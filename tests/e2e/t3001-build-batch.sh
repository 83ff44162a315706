#!/usr/bin/env bash
# segurctl build: 450 ready requests become three files of 200, 200 and 50
# lines ranked 001-003 of the day, with their zips, each validating clean;
# a second build the same day starts at 004; --dry-run allocates nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"

setup_ledger
gen_requests 1 450
expect_exit 0 segurctl build --date 20231002 --out "$T/files" --json
jq -e '.requests == 450 and (.files | map(select(.kind == "submission")) |
    map(.lines)) == [200, 200, 50]' "$T/out" >/dev/null ||
    fail "files and lines: $(cat "$T/out")"
for n in 001 002 003; do
	f=$T/files/JSON-2023000042-20231002-$n.json
	[ -f "$f" ] || fail "missing $f"
	[ -f "$T/files/PJ-2023000042-20231002-$n-1.zip" ] || fail "zip of $n"
done
# Every file validates clean, under its own name.
expect_exit 0 segurctl validate "$T/files"/JSON-*.json
# Lines numbered 1..n; numbers unique across the batch; documents named
# after each line's numeroEditeur, and present in the zip.
jq -s '[.[].lignesImport[].numeroEditeur] | length == (unique | length)' \
    "$T/files"/JSON-*.json | grep -q true || fail "numeroEditeur reused"
jq -e '.lignesImport | to_entries | all(.value.numLigne == .key + 1)' \
    "$T/files/JSON-2023000042-20231002-003.json" >/dev/null ||
    fail "numLigne not 1..n"
ne=$(jq -r '.lignesImport[49].numeroEditeur' \
    "$T/files/JSON-2023000042-20231002-003.json")
[ "$(jq -r '.lignesImport[49].piecesJustificatives[0].nomFichier' \
    "$T/files/JSON-2023000042-20231002-003.json")" = "MS1-DUI-Va1-BDC-$ne.pdf" ] ||
    fail "document not named after $ne"
unzip -l "$T/files/PJ-2023000042-20231002-003-1.zip" >"$T/zip.txt"
expect_grep "MS1-DUI-Va1-BDC-$ne.pdf" "$T/zip.txt"
[ "$(grep -c 'MS1-DUI-Va1-BDC-' "$T/zip.txt")" -eq 50 ] || fail "zip count"
check_out_consistent "$T/files"
expect_exit 0 segurctl request list --state submitted --json
[ "$(jq length "$T/out")" -eq 450 ] || fail "not all submitted"

# Nothing ready: nothing built, nothing allocated.
expect_exit 0 segurctl build --date 20231002 --out "$T/files"
expect_grep 'Aucune demande prête' "$T/out"

# One more the same day: rank 004; a dry run first allocates nothing.
gen_requests 1000 1 LATE
expect_exit 0 segurctl build --date 20231002 --out "$T/files" --dry-run
expect_grep 'JSON-2023000042-20231002-004.json' "$T/out"
expect_exit 0 segurctl request list --state ready --json
[ "$(jq length "$T/out")" -eq 1 ] || fail "dry run changed a state"
expect_exit 0 segurctl build --date 20231002 --out "$T/files"
expect_grep 'JSON-2023000042-20231002-004.json' "$T/out"
expect_exit 0 segurctl validate "$T/files/JSON-2023000042-20231002-004.json"
check_out_consistent "$T/files"
expect_exit 0 segurctl audit verify
pass
