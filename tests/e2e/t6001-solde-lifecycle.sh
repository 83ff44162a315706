#!/usr/bin/env bash
# A request from draft to closed through the CLI: registered, ready, built,
# accepted by ASP's return, granted, advance paid, delivered with its
# invoice and acceptance record, balance file built from the default
# template (documents named and zipped), ASP's balance return ingested
# (accepted), balance paid, closed; the history shows every step, amounts
# to the cent.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"

setup_ledger
printf 'finess_geo;finess_juridique;tranche\n330001017;750000127;B\n330001025;750000127;B\n690002027;690002019;B\n590004016;130003015;B\n' \
    >"$T/eligible.csv"
expect_exit 0 segurctl ref import eligible "$T/eligible.csv"
jq '.lignesImport[0]' "$DATA/JSON-2023000042-20231002-001.json" \
    >"$T/line0.json"
expect_exit 0 segurctl request add --ref BC-1 --bdc "$T/bdc.pdf" \
    "$T/line0.json"
expect_exit 0 segurctl request ready BC-1
expect_exit 0 segurctl build --date 20231002 --out "$T/files"
# ASP accepts line 1 (the example's answer; line 2 was never sent here).
jq '.lignesImport |= [.[0]]' \
    "$DATA/JSON-2023000042-20231002-001.retour.json" >"$T/retour.json"
expect_exit 0 segurctl ingest "$T/retour.json"
asp=MS1-DUI-2023-0001872
expect_exit 0 segurctl request show --json $asp
[ "$(jq -r .state "$T/out")" = accepted ] || fail "not accepted"

# Not yet: the balance needs the advance paid first.
printf '%%PDF-1.4 facture\n%%%%EOF\n' >"$T/facture.pdf"
printf '\xff\xd8\xff\xe0\0\x10JFIF\0' >"$T/pv.jpg"
expect_exit 1 segurctl record delivered --date 2024-03-01 \
    --invoice F-2024-001 --invoice-date 2024-03-02 --amount 4866,67 \
    --facture "$T/facture.pdf" --pv "$T/pv.jpg" $asp
expect_grep "est à l'état « acceptée par l'ASP » : la livraison s'enregistre une fois l'avance versée" "$T/err"

expect_exit 0 segurctl record grant --date 2023-11-02 --amount 4866.67 $asp
expect_exit 0 segurctl record advance-paid --date 2023-12-29 \
    --amount 1460,00 $asp
# Advance paid, not delivered: listed, not ready.
expect_exit 0 segurctl solde list --json --today 2024-03-01
jq -e '.requests | length == 1 and .[0].numeroASP == "'$asp'" and
    .[0].montantAccorde == "4866.67" and .[0].montantAvance == "1460.00" and
    .[0].soldeAttendu == "3406.67" and .[0].soldeAttendu_cents == 340667 and
    .[0].dateAvance == "2023-12-29" and .[0].joursEcoules == 63 and
    .[0].echeance == "2024-12-28" and .[0].livre == false and
    .[0].og == "750000127" and .[0].esms == "330001017,330001025"' \
    "$T/out" >/dev/null || fail "solde list: $(cat "$T/out")"
expect_exit 0 segurctl solde build --date 20240301 --out "$T/files"
expect_grep 'Aucune demande prête pour son solde' "$T/out"

# A document that is not what it claims is refused, nothing recorded.
printf 'not a pdf' >"$T/bad.pdf"
expect_exit 1 segurctl record delivered --date 2024-03-01 \
    --invoice F-2024-001 --invoice-date 2024-03-02 --amount 4866,67 \
    --facture "$T/bad.pdf" --pv "$T/pv.jpg" $asp
expect_grep "ni un PDF" "$T/err"
expect_exit 0 segurctl record delivered --date 01/03/2024 \
    --invoice F-2024-001 --invoice-date 2024-03-02 --amount 4866,67 \
    --facture "$T/facture.pdf" --pv "$T/pv.jpg" $asp
expect_exit 0 segurctl solde list --json --today 2024-03-01
jq -e '.requests | .[0].livre == true' "$T/out" >/dev/null || fail "not delivered"

expect_exit 0 segurctl solde build --date 20240301 --out "$T/files" --dry-run
expect_grep 'JSON-SOLDE-2023000042-20240301-001.json' "$T/out"
[ ! -e "$T/files/JSON-SOLDE-2023000042-20240301-001.json" ] ||
    fail "dry run wrote a file"
expect_exit 0 segurctl solde build --date 20240301 --out "$T/files" --json
f=$T/files/JSON-SOLDE-2023000042-20240301-001.json
jq -e '.files | map(.name) == ["JSON-SOLDE-2023000042-20240301-001.json",
    "PJ-SOLDE-2023000042-20240301-001-1.zip"]' "$T/out" >/dev/null ||
    fail "build: $(cat "$T/out")"
jq -e '.impId == null and .numeroAns == "2023000042" and
    .SIRET == "38042372300028" and (.lignesImport | length) == 1 and
    .lignesImport[0].numLigne == 1 and .lignesImport[0].typeAction == "S" and
    .lignesImport[0].numeroASP == "'$asp'" and
    .lignesImport[0].numeroEditeur == "00001" and
    .lignesImport[0].facture.numeroFacture == "F-2024-001" and
    .lignesImport[0].facture.dateFacture == "02/03/2024" and
    .lignesImport[0].dateLivraison == "01/03/2024" and
    .lignesImport[0].FINESSJuridique == "750000127" and
    .lignesImport[0].piecesJustificatives[0].nomFichier ==
        "MS1-DUI-Va1-FAC-00001.pdf" and
    .lignesImport[0].piecesJustificatives[1].nomFichier ==
        "MS1-DUI-Va1-PV-00001.jpg" and
    .lignesImport[0].piecesJustificatives[1].formatFichier == "JPG" and
    .lignesImport[0].codeTraitement == null' "$f" >/dev/null ||
    fail "balance file: $(cat "$f")"
# Amounts written to the cent, two decimals, no float drift.
grep -q '"montantSoldeHT": 3406.67$' "$f" || fail "balance amount: $(cat "$f")"
grep -q '"montantFactureHT": 4866.67,' "$f" || fail "invoice amount"
unzip -l "$T/files/PJ-SOLDE-2023000042-20240301-001-1.zip" >"$T/zip"
expect_grep 'MS1-DUI-Va1-FAC-00001.pdf' "$T/zip"
expect_grep 'MS1-DUI-Va1-PV-00001.jpg' "$T/zip"
check_out_consistent "$T/files"
expect_exit 0 segurctl request show --json $asp
[ "$(jq -r .state "$T/out")" = balance_requested ] || fail "not requested"
expect_exit 0 segurctl solde list --json
[ "$(jq '.requests | length' "$T/out")" -eq 0 ] || fail "still listed once requested"
# Nothing more to build.
expect_exit 0 segurctl solde build --date 20240301 --out "$T/files"
expect_grep 'Aucune demande prête' "$T/out"

# The advance's answer sent again by ASP (another impId): its typeAction
# "C" says advance, not balance; nothing changes.
jq '.impId = "IMP-2023-000999"' "$T/retour.json" >"$T/retour-bis.json"
expect_exit 0 segurctl ingest "$T/retour-bis.json"
expect_grep 'réponse à JSON-2023000042-20231002-001.json' "$T/out"
expect_grep 'déjà enregistré' "$T/out"
expect_exit 0 segurctl request show --json $asp
[ "$(jq -r .state "$T/out")" = balance_requested ] ||
    fail "an advance answer moved the balance"

# ASP's answer to the balance file: the line, annotated.
jq '.impId = "IMP-2024-000100" | .lignesImport[0].codeTraitement = "0" |
    .lignesImport[0].libelleTraitement = "Demande acceptée"' "$f" \
    >"$T/solde-retour.json"
expect_exit 0 segurctl ingest "$T/solde-retour.json"
expect_grep 'réponse à JSON-SOLDE-2023000042-20240301-001.json : 1 acceptée' "$T/out"
expect_exit 0 segurctl request show --json $asp
[ "$(jq -r .state "$T/out")" = balance_accepted ] ||
    fail "not balance_accepted: $(jq -r .state "$T/out")"
[ "$(sqlite3 "$SEGUR_DB" "SELECT kind FROM file WHERE direction = 'in' ORDER BY id DESC LIMIT 1")" = solde_returned ] ||
    fail "the balance return is not recorded as such"

# The answer is dated the day it was ingested (today): the payment
# follows it.
paid=$(date -u +%F)
expect_exit 0 segurctl record balance-paid --date "$paid" \
    --amount 3406,67 $asp
expect_exit 0 segurctl request show --json $asp
[ "$(jq -r .state "$T/out")" = closed ] || fail "not closed"
[ "$(sqlite3 "$SEGUR_DB" "SELECT amount_cents FROM decision WHERE kind = 'balance_paid'")" = 340667 ] ||
    fail "balance paid not to the cent"
expect_exit 1 segurctl record balance-paid --date "$paid" \
    --amount 3406,67 $asp
expect_grep "est à l'état « close » : impossible d'y enregistrer le versement du solde" "$T/err"

expect_exit 0 segurctl request history --json BC-1
jq -r '[.[] | select(.action == "request.state") | .after.state] | join(" ")' \
    "$T/out" >"$T/states"
[ "$(cat "$T/states")" = "ready submitted accepted granted advance_paid balance_requested balance_accepted balance_paid closed" ] ||
    fail "history: $(cat "$T/states")"
jq -e 'map(.action) | index("delivery.recorded") != null' "$T/out" \
    >/dev/null || fail "delivery not in the history"
expect_exit 0 segurctl audit verify
pass
