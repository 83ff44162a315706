#!/usr/bin/env bash
# A built file the portal refused whole at upload (control 1, no JSON
# back) or that will never be uploaded: file refused sends its requests
# to rejected, resubmitted with new numbers into a file of a new rank and
# answered; file cancel sends them back to ready, its numbers never
# reappear; neither touches an answered file or an unknown name; file list
# shows each state; a balance file cancelled then refused. The chain
# verifies after each scenario.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"

# verified: audit verify passes, and the replay proves every row these
# commands wrote (their events are all v2: nothing "non prouvé").
verified() {
	expect_exit 0 segurctl audit verify
	expect_grep '^relecture : .* lignes conformes au journal' "$T/out"
	expect_no_grep 'non prouvé' "$T/out"
}

F1=JSON-2023000042-20231002-001.json
F2=JSON-2023000042-20231002-002.json
F3=JSON-2023000042-20231002-003.json
F4=JSON-2023000042-20231002-004.json

build_examples
expect_exit 0 segurctl file list --json
jq -e --arg f "$F1" '.[] | select(.name == $f) | .state == "built" and
    .kind == "submission" and .direction == "out" and .lines == 2 and
    .pending == 2' "$T/out" >/dev/null || fail "built: $(cat "$T/out")"

# 1. Refused at upload: both rejected, the reason verbatim.
reason='Le fichier ne respecte pas la structure attendue (contrôle 1)'
expect_exit 2 segurctl file refused "$F1"
expect_exit 0 segurctl file refused --reason "$reason" "$F1"
expect_grep "^$F1 : refusé à l'envoi, 2 demande(s)" "$T/out"
expect_grep "^BC-1 : rejetée par l'ASP$" "$T/out"
expect_grep 'resubmit --all-rejected' "$T/out"
expect_exit 0 segurctl request show --json BC-2
jq -e --arg r "$reason" '.state == "rejected" and
    .attempts[-1].label == $r' "$T/out" >/dev/null ||
    fail "BC-2 after refusal: $(cat "$T/out")"
verified
# Refused twice: no.
expect_exit 1 segurctl file cancel --reason x "$F1"
expect_grep "est refusé à l'envoi" "$T/err"

# Resubmitted: new numbers, a new rank, a complete answer recorded.
expect_exit 0 segurctl resubmit --all-rejected
expect_exit 0 segurctl build --date 20231002 --out "$T/files"
[ "$(jq -r '[.lignesImport[].numeroEditeur] | join(",")' "$T/files/$F2")" = \
    00003,00004 ] || fail "resubmitted without new numbers"
jq '.impId = "IMP-2" | .lignesImport |= [to_entries[] | .value + {
    numeroASP: ("MS1-DUI-2023-90" + (.key + 1 | tostring)),
    codeTraitement: "0", libelleTraitement: "Demande acceptée"}]' \
    "$T/files/$F2" >"$T/retour2.json"
expect_exit 0 segurctl ingest "$T/retour2.json"
expect_exit 0 segurctl request list --state accepted --json
[ "$(jq length "$T/out")" = 2 ] || fail "answer not recorded"
verified

# 2. Neither refused nor cancelled once answered, nor unknown.
expect_exit 1 segurctl file refused --reason x "$F2"
expect_grep "est avec réponse" "$T/err"
expect_exit 1 segurctl file cancel --reason x "$F2"
expect_grep "est avec réponse" "$T/err"
expect_exit 1 segurctl file refused --reason x JSON-2023000042-20991231-001.json
expect_grep 'aucun fichier' "$T/err"
expect_exit 1 segurctl file cancel --reason x PJ-2023000042-20231002-002-1.zip
expect_grep 'documents' "$T/err"

# 3. Cancelled, never uploaded: ready again, its numbers never reappear.
gen_requests 1 2 BX
expect_exit 0 segurctl build --date 20231002 --out "$T/files"
burnt=$(jq -r '[.lignesImport[].numeroEditeur] | join(" ")' "$T/files/$F3")
expect_exit 0 segurctl file cancel --reason 'doublon, jamais déposé' --json \
    "$F3"
jq -e '.state == "cancelled" and ([.requests[].state] == ["ready", "ready"])' \
    "$T/out" >/dev/null || fail "cancel: $(cat "$T/out")"
expect_exit 0 segurctl request list --state ready --json
[ "$(jq length "$T/out")" = 2 ] || fail "cancelled requests not ready"
expect_exit 0 segurctl build --date 20231002 --out "$T/files"
for n in $burnt; do
	jq -e --arg n "$n" '[.lignesImport[].numeroEditeur] | index($n) == null' \
	    "$T/files/$F4" >/dev/null || fail "number $n reused"
done
[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM attempt WHERE outcome = 'cancelled'")" = 2 ] ||
    fail "attempts not cancelled"
verified

# 4. The list: every state, text and JSON.
printf 'pas du JSON' >"$T/garbage.json"
expect_exit 2 segurctl ingest "$T/garbage.json"
expect_exit 0 segurctl file list
expect_grep '^FICHIER .* ÉTAT ' "$T/out"
expect_grep "^$F1 .* refusé à l'envoi " "$T/out"
expect_grep "motif : $reason" "$T/out"
expect_grep "^$F2 .* avec réponse " "$T/out"
expect_grep "^$F3 .* annulé " "$T/out"
expect_grep "^$F4 .* construit  *construit " "$T/out"
expect_grep '^garbage.json .* reçu  *en quarantaine ' "$T/out"
expect_exit 0 segurctl file list --json
jq -e 'all(.[]; keys == ["accepted", "cancelled", "date", "direction",
    "kind", "lines", "name", "parent", "pending", "reason", "rejected",
    "state"])' "$T/out" >/dev/null || fail "unstable keys"
jq -e --arg f1 "$F1" --arg f2 "$F2" --arg f3 "$F3" --arg f4 "$F4" '
    (map({(.name): .}) | add) as $m |
    $m[$f1].state == "refused" and $m[$f1].rejected == 2 and
    $m[$f2].state == "answered" and $m[$f2].accepted == 2 and
    $m[$f3].state == "cancelled" and $m[$f3].cancelled == 2 and
    $m[$f4].state == "built" and $m[$f4].pending == 2 and
    $m["retour2.json"].state == "ingested" and
    $m["retour2.json"].parent == $f2 and
    $m["PJ-2023000042-20231002-003-1.zip"].state == "cancelled" and
    $m["garbage.json"].state == "quarantined" and
    $m["garbage.json"].kind == null' "$T/out" >/dev/null ||
    fail "file list --json: $(cat "$T/out")"

# 5. A balance file cancelled (back to advance_paid), then refused
# (balance_rejected, ready again without a new delivery).
asp=MS1-DUI-2023-901
expect_exit 0 segurctl record grant --date 2023-11-02 --amount 4866.67 $asp
expect_exit 0 segurctl record advance-paid --date 2023-12-29 --amount 1460,00 $asp
printf '%%PDF-1.4 facture\n%%%%EOF\n' >"$T/facture.pdf"
printf '\xff\xd8\xff\xe0\0\x10JFIF\0' >"$T/pv.jpg"
expect_exit 0 segurctl record delivered --date 2024-03-01 --invoice F-1 \
    --invoice-date 2024-03-02 --amount 4866,67 --facture "$T/facture.pdf" \
    --pv "$T/pv.jpg" $asp
S1=JSON-SOLDE-2023000042-20240301-001.json
S2=JSON-SOLDE-2023000042-20240301-002.json
S3=JSON-SOLDE-2023000042-20240301-003.json
expect_exit 0 segurctl solde build --date 20240301 --out "$T/files"
expect_exit 0 segurctl file cancel --reason 'mauvais lot' "$S1"
expect_grep '^BC-1 : avance versée$' "$T/out"
verified
expect_exit 0 segurctl solde build --date 20240301 --out "$T/files"
[ -f "$T/files/$S2" ] || fail "no new balance file"
expect_exit 0 segurctl file refused --reason 'structure refusée' "$S2"
expect_grep '^BC-1 : solde rejeté$' "$T/out"
expect_exit 0 segurctl request show --json BC-1
[ "$(jq -r .state "$T/out")" = balance_rejected ] || fail "not balance_rejected"
expect_exit 0 segurctl solde build --date 20240301 --out "$T/files"
[ -f "$T/files/$S3" ] || fail "balance not requested again after a refusal"
expect_exit 0 segurctl file list --json
jq -e --arg s1 "$S1" --arg s2 "$S2" --arg s3 "$S3" '
    (map({(.name): .}) | add) as $m |
    $m[$s1].state == "cancelled" and $m[$s1].kind == "solde" and
    $m[$s2].state == "refused" and $m[$s3].state == "built"' "$T/out" \
    >/dev/null || fail "balance files: $(cat "$T/out")"
verified
pass
