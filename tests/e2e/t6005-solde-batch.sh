#!/usr/bin/env bash
# Several requests: a document changed after record delivered keeps its
# request out (the others go on); balance files split at the line limit (a
# test limit of 2 lines through SEGUR_TEST_MAX_LINES, the same code as 200)
# with ranks 001, 002, 003 in the balance sequence, the advances' sequence
# untouched; every document in a zip; an answer missing one of its file's
# lines records the others and an anomaly for the missing one.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"

setup_ledger
gen_requests 1 5
expect_exit 0 segurctl build --date 20240301 --out "$T/files"
jq '.impId = "I-0" | .lignesImport |= [to_entries[] | .value +
    {numeroASP: ("MS1-DUI-2023-000000\(.key + 1)"), codeTraitement: "0",
    libelleTraitement: "Demande acceptée"}]' \
    "$T/files/JSON-2023000042-20240301-001.json" >"$T/retour.json"
expect_exit 0 segurctl ingest "$T/retour.json"
expect_grep '5 acceptée(s)' "$T/out"
printf '%%PDF-1.4 f\n%%%%EOF\n' >"$T/f.pdf"
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR' >"$T/pv.png"
for i in 1 2 3 4 5; do
	asp=MS1-DUI-2023-000000$i
	expect_exit 0 segurctl record grant --date 2024-03-04 $asp
	expect_exit 0 segurctl record advance-paid --date 2024-03-1$i \
	    --amount 730,00 $asp
	cp "$T/f.pdf" "$T/f$i.pdf"
	expect_exit 0 segurctl record delivered --date 2024-04-0$i \
	    --invoice F-$i --invoice-date 2024-04-0$i --amount 2433.33 \
	    --facture "$T/f$i.pdf" --pv "$T/pv.png" $asp
done
# Granted = the request's amount (no grant amount): 2433.33 - 730.00.
expect_exit 0 segurctl solde list --json
jq -e '.requests | length == 5 and all(.[]; .soldeAttendu == "1703.33" and .livre) and
    (map(.dateAvance) | . == sort)' "$T/out" >/dev/null ||
    fail "list: $(cat "$T/out")"

# The invoice of the fifth request changes after it was recorded.
printf '%%PDF-1.4 autre\n%%%%EOF\n' >"$T/f5.pdf"
expect_exit 1 env SEGUR_TEST_MAX_LINES=2 "$SEGURCTL" solde build \
    --date 20240501 --out "$T/files" --json
jq -e '.skipped | length == 1 and (.[0].reason | test("f5.pdf a changé"))' \
    "$T/out" >/dev/null || fail "changed document: $(cat "$T/out")"
[ "$(jq '.files | length' "$T/out")" -eq 4 ] || fail "4 requests, 2 files"
cp "$T/f.pdf" "$T/f5.pdf"
expect_exit 0 env SEGUR_TEST_MAX_LINES=2 "$SEGURCTL" solde build \
    --date 20240501 --out "$T/files" --json
jq -e '[.files[] | select(.kind == "solde") | [.name, .lines]] == [
    ["JSON-SOLDE-2023000042-20240501-003.json", 1]] and
    ([.files[] | select(.kind == "documents") | .documents] == [2])
    and .requests == 1' "$T/out" >/dev/null ||
    fail "restored: $(cat "$T/out")"
expect_exit 0 sqlite3 "$SEGUR_DB" "SELECT f.name, count(*) FROM solde_line l
    JOIN file f ON f.id = l.file_id GROUP BY f.name ORDER BY f.name"
[ "$(tr '\n' ' ' <"$T/out")" = "JSON-SOLDE-2023000042-20240501-001.json|2 JSON-SOLDE-2023000042-20240501-002.json|2 JSON-SOLDE-2023000042-20240501-003.json|1 " ] ||
    fail "split: $(cat "$T/out")"
for n in 1 2; do
	unzip -l "$T/files/PJ-SOLDE-2023000042-20240501-00$n-1.zip" >"$T/zip"
	[ "$(grep -c 'MS1-DUI-Va1-' "$T/zip")" -eq 4 ] || fail "zip $n"
done
for n in 1 2 3; do
	f=$T/files/JSON-SOLDE-2023000042-20240501-00$n.json
	[ "$(jq '[.lignesImport[].numLigne] | . == [range(1; length + 1)]' "$f")" = true ] ||
	    fail "numLigne of $f"
done
check_out_consistent "$T/files"
# The advances' own sequence is untouched by balance files.
expect_exit 0 segurctl build --date 20240301 --out "$T/files" --dry-run
expect_grep 'Aucune demande prête' "$T/out"
[ "$(sqlite3 "$SEGUR_DB" "SELECT last FROM file_rank WHERE day = '20240301'")" = 1 ] ||
    fail "the advance rank moved"

# ASP answers file 001 with its first line only.
jq '.impId = "I-1" | .lignesImport |= [.[0] | .codeTraitement = "0" |
    .libelleTraitement = "Demande acceptée"]' \
    "$T/files/JSON-SOLDE-2023000042-20240501-001.json" >"$T/r1.json"
expect_exit 1 segurctl ingest "$T/r1.json"
expect_grep '1 acceptée(s), 0 rejetée(s), 1 anomalie(s)' "$T/out"
expect_grep 'absente de la réponse' "$T/out"
expect_exit 0 segurctl request show --json MS1-DUI-2023-0000001
[ "$(jq -r .state "$T/out")" = balance_accepted ] || fail "line 1"
expect_exit 0 segurctl request show --json MS1-DUI-2023-0000002
[ "$(jq -r .state "$T/out")" = balance_requested ] ||
    fail "the missing line moved"
expect_exit 0 segurctl alerts list --json
jq -e 'length == 1 and .[0].kind == "anomaly"' "$T/out" >/dev/null ||
    fail "alerts: $(cat "$T/out")"
expect_exit 0 segurctl audit verify
pass
