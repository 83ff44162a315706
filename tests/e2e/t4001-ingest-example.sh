#!/usr/bin/env bash
# The guide's example, end to end: both lines registered and made ready,
# built into JSON-2023000042-20231002-001.json (byte for byte the example),
# then ASP's annotated return ingested: line 1 accepted with its numeroASP,
# line 2 rejected with ASP's label kept verbatim and an alert queued; the
# same answer again, under any name, changes nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"

seed_examples
expect_exit 0 segurctl request add --ref BC-1 --bdc "$T/bdc.pdf" \
    "$T/line0.json"
expect_exit 0 segurctl request ready BC-1
expect_exit 0 segurctl request add --ref BC-2 --bdc "$T/bdc.pdf" \
    --ht "$T/ht.png" "$T/line1.json"
expect_exit 0 segurctl request ready BC-2
expect_exit 0 segurctl build --date 20231002 --out "$T/files"
cmp "$T/files/JSON-2023000042-20231002-001.json" \
    "$DATA/JSON-2023000042-20231002-001.json" ||
    fail "the built file is not the example"
# Validated against the ledger, the file sent is known: its numbers are
# used and its ESMS are in live requests (warnings), and without --db
# those checks are skipped.
expect_exit 0 segurctl validate --json --db "$SEGUR_DB" \
    "$T/files/JSON-2023000042-20231002-001.json"
jq -e '[.files[0].findings[].rule] | (index("LIGNE-NUMERO-EDITEUR-UTILISE")
    != null) and (index("OG-FINESS-GEO-FINANCE") != null)' "$T/out" \
    >/dev/null || fail "validate --db: $(jq -c '.files[0].findings' "$T/out")"
expect_exit 0 segurctl validate --json "$T/files/JSON-2023000042-20231002-001.json"
jq -e '.files[0].findings == []' "$T/out" >/dev/null ||
    fail "validate without --db used reference data"
unzip -l "$T/files/PJ-2023000042-20231002-001-1.zip" >"$T/zip"
expect_grep 'MS1-DUI-Va1-HT-00002.png' "$T/zip"

# ASP's answer comes back under its own name.
cp "$DATA/JSON-2023000042-20231002-001.retour.json" "$T/retour.json"
expect_exit 0 segurctl ingest "$T/retour.json"
expect_grep 'réponse à JSON-2023000042-20231002-001.json : 1 acceptée(s), 1 rejetée(s), 0 anomalie(s)' "$T/out"
expect_grep 'ligne 1 00001 (BC-1) : acceptée, numéro ASP MS1-DUI-2023-0001872' "$T/out"
expect_exit 0 segurctl request show --json MS1-DUI-2023-0001872
[ "$(jq -r .state "$T/out")" = accepted ] || fail "BC-1 not accepted"
[ "$(jq -r .ref "$T/out")" = BC-1 ] || fail "numeroASP on the wrong request"
expect_exit 0 segurctl request show --json BC-2
[ "$(jq -r .state "$T/out")" = rejected ] || fail "BC-2 not rejected"
jq -e '[.. | strings | select(. == "Le FINESS géographique 590004016 n'"'"'appartient pas à la liste des FINESS éligibles")] | length > 0' \
    "$T/out" >/dev/null || fail "ASP's label not kept verbatim"
expect_exit 0 segurctl alerts list --json
jq -e 'length == 1 and .[0].kind == "rejection" and .[0].ref == "BC-2"
    and .[0].facts.codeTraitement == "E12"' "$T/out" >/dev/null ||
    fail "rejection alert: $(cat "$T/out")"
# The returned file is archived, content-addressed.
sha=$(sha256sum "$T/retour.json" | cut -d' ' -f1)
cmp "$T/archive/$sha" "$T/retour.json" || fail "not archived"

# The same file again, then the same content under another name.
expect_exit 0 segurctl ingest --json "$T/retour.json"
[ "$(jq -r '.files[0].status' "$T/out")" = duplicate ] || fail "not a duplicate"
cp "$T/retour.json" "$T/JSON-2023000042-20231002-001.json"
expect_exit 0 segurctl ingest "$T/JSON-2023000042-20231002-001.json"
expect_grep 'rien de nouveau, déjà intégré' "$T/out"
expect_exit 0 segurctl alerts list --json
[ "$(jq length "$T/out")" -eq 1 ] || fail "a duplicate raised an alert"
[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM file WHERE direction = 'in'")" -eq 1 ] ||
    fail "recorded twice"
expect_exit 0 segurctl request history --json BC-2
jq -e '[.[] | select(.action == "request.state") | .after.state] |
    .[-2:] == ["submitted", "rejected"]' "$T/out" >/dev/null ||
    fail "history: $(jq -c '[.[] | [.action, .after.state]]' "$T/out")"
expect_exit 0 segurctl audit verify
pass
