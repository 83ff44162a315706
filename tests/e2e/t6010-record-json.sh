#!/usr/bin/env bash
# The record commands say what they recorded: in French on one line
# (what, amount and date as French readers write them, the state by its
# label), or with --json one object on stdout, the request re-read from
# the ledger with "record" and the facts recorded; usage errors in French.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"
. "$(dirname "$0")/solde-lib.sh"

# The thousands separator of French amounts (U+202F).
NB=$(printf '\342\200\257')

# one_json: stdout holds exactly one JSON document, and nothing else.
one_json() {
	[ "$(jq -s length "$T/out")" = 1 ] || fail "not one JSON document: $(cat "$T/out")"
}

seed_accepted

# Usage errors, before anything is looked up.
expect_exit 2 segurctl record grant --json $ASP
expect_grep '^segurctl record grant: --date est obligatoire$' "$T/err"
[ ! -s "$T/out" ] || fail "a usage error printed on stdout"
expect_exit 2 segurctl record grant --date 2023-11-02 --amount 12,345 $ASP
expect_grep "montant « 12,345 » invalide (en euros, deux décimales au plus)" "$T/err"
expect_exit 2 segurctl record advance-paid --date 2023-11-03 $ASP
expect_grep '--amount est obligatoire' "$T/err"
expect_exit 2 segurctl record advance-paid --date 2023-11-03 \
    --amount 1460 --force $ASP
expect_grep '--force et --reason vont ensemble' "$T/err"
expect_exit 2 segurctl record balance-paid --date 2023-11-03 $ASP
expect_grep '--date et --amount sont obligatoires' "$T/err"
expect_exit 2 segurctl record delivered --date 2023-11-03 $ASP
expect_grep '--facture et --pv sont obligatoires' "$T/err"

# The grant in text: the amount requested, as nothing else was given.
expect_exit 0 segurctl record grant --date 02/11/2023 --letter DA-1 $ASP
expect_grep "^$ASP : décision d'accord enregistrée, 4${NB}866,67 € le 02/11/2023 ; état : accordée$" "$T/out"
[ "$(wc -l <"$T/out")" -eq 1 ] || fail "grant: more than one line"

# A refusal now: refused by the state, in French, nothing on stdout even
# with --json.
expect_exit 1 segurctl record refusal --json --date 2023-11-03 $ASP
expect_grep "est à l'état « accordée » : impossible d'y enregistrer un refus" "$T/err"
[ ! -s "$T/out" ] || fail "a refusal printed JSON: $(cat "$T/out")"

# The advance, forced, in JSON.
expect_exit 0 segurctl record advance-paid --json --date 2023-12-29 \
    --amount 1500 --force --reason 'avenant ASP' --letter AV-7 \
    --note 'virement' $ASP
one_json
jq -e --arg asp $ASP '.ref == "BC-1" and .numeroASP == $asp and
    .numeroAns == "2023000042" and .state == "advance_paid" and
    .record == "advance_paid" and .date == "2023-12-29" and
    .amount == "1500.00" and .letterRef == "AV-7" and .forced == true and
    (.note | startswith("forcé : avenant ASP")) and
    .montantSegurHT == "4866.67" and (.updatedAt | type) == "string"' \
    "$T/out" >/dev/null || fail "advance-paid --json: $(cat "$T/out")"
# The request's part is what request list --json says of it.
jq -S 'del(.record, .date, .amount, .letterRef, .note, .recordedAt,
    .forced)' "$T/out" >"$T/mine.json"
expect_exit 0 segurctl request list --json
jq -S '.[] | select(.ref == "BC-1")' "$T/out" >"$T/list.json"
cmp -s "$T/mine.json" "$T/list.json" ||
    fail "not the row of request list: $(diff "$T/mine.json" "$T/list.json")"

# The delivery, in JSON: the facts as request show lists them.
printf '%%PDF-1.4 facture\n%%%%EOF\n' >"$T/facture.pdf"
printf '\xff\xd8\xff\xe0\0\x10JFIF\0' >"$T/pv.jpg"
expect_exit 0 segurctl record delivered --json --date 2024-03-01 \
    --invoice F-2024-001 --invoice-date 2024-03-02 --amount 4866,67 \
    --facture "$T/facture.pdf" --pv "$T/pv.jpg" $ASP
one_json
jq -e '.ref == "BC-1" and .state == "advance_paid" and
    .record == "delivery" and .date == "2024-03-01" and
    .invoiceNumber == "F-2024-001" and .invoiceDate == "2024-03-02" and
    .invoiceAmount == "4866.67" and .invoiceFormat == "PDF" and
    .pvFormat == "JPG" and (.invoiceSha256 | length) == 64' "$T/out" \
    >/dev/null || fail "delivered --json: $(cat "$T/out")"

# The balance, built, accepted by ASP, paid: the request closes.
expect_exit 0 segurctl solde build --date 20240301 --out "$T/files"
f=$T/files/JSON-SOLDE-2023000042-20240301-001.json
jq '.impId = "IMP-2024-000100" | .lignesImport[0].codeTraitement = "0" |
    .lignesImport[0].libelleTraitement = "Demande acceptée"' "$f" \
    >"$T/solde-retour.json"
expect_exit 0 segurctl ingest "$T/solde-retour.json"
paid=$(date -u +%F)
expect_exit 0 segurctl record balance-paid --json --date "$paid" \
    --amount 3366,67 $ASP
one_json
jq -e --arg d "$paid" '.state == "closed" and .record == "balance_paid" and
    .date == $d and .amount == "3366.67" and .forced == false and
    .letterRef == null' "$T/out" >/dev/null ||
    fail "balance-paid --json: $(cat "$T/out")"
# Paid twice: refused, the state said by its label.
expect_exit 1 segurctl record balance-paid --date "$paid" --amount 3366,67 $ASP
expect_grep "est à l'état « close » : impossible d'y enregistrer le versement du solde" "$T/err"
pass
