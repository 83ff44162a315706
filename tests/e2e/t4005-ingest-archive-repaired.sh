#!/usr/bin/env bash
# An archived object found altered on disk when the same content is
# archived again is put right, and that is never silent: the altered copy
# is kept beside it, the ledger logs "archive.repaired" and queues an
# anomaly alert, whatever then becomes of the file being ingested.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"

setup_ledger
printf 'finess_geo;finess_juridique;tranche\n330001017;750000127;B\n330001025;750000127;B\n' \
    >"$T/eligible.csv"
expect_exit 0 segurctl ref import eligible "$T/eligible.csv"
jq '.lignesImport[0]' "$DATA/JSON-2023000042-20231002-001.json" \
    >"$T/line0.json"
expect_exit 0 segurctl request add --ref BC-1 --bdc "$T/bdc.pdf" \
    "$T/line0.json"
expect_exit 0 segurctl request ready BC-1
expect_exit 0 segurctl build --date 20231002 --out "$T/files"
sent="$T/files/JSON-2023000042-20231002-001.json"
sha=$(sha256sum "$sent" | cut -d' ' -f1)
cmp "$T/archive/$sha" "$sent" || fail "the built file is not archived"

# Someone edits the archived evidence.
chmod u+w "$T/archive/$sha"
printf 'altered' >>"$T/archive/$sha"
expect_exit 0 segurctl alerts list --json
[ "$(jq length "$T/out")" -eq 0 ] || fail "alerts before: $(cat "$T/out")"

# The same content comes in again (here, the sent file itself dropped as
# an answer): archiving it finds the object altered.
cp "$sent" "$T/again.json"
segurctl ingest "$T/again.json" >"$T/out" 2>"$T/err" || true
cmp "$T/archive/$sha" "$sent" || fail "the archived object was not put right"
ls "$T/archive/$sha".altered.* >/dev/null 2>&1 ||
    fail "the altered copy was not kept"
grep -q 'altered' "$T/archive/$sha".altered.* ||
    fail "the kept copy is not the altered one"
[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM event WHERE action =
    'archive.repaired' AND entity_key = '$sha'")" -eq 1 ] ||
    fail "no archive.repaired event"
expect_exit 0 segurctl alerts list --json
jq -e --arg sha "$sha" '[.[] | select(.kind == "anomaly" and
    (.facts.anomalie | contains($sha)) and
    (.facts.anomalie | contains("remis en état")))] | length == 1' \
    "$T/out" >/dev/null || fail "no repair alert: $(cat "$T/out")"
expect_exit 0 segurctl audit verify
pass
