#!/usr/bin/env bash
# record import: ASP's decisions and payments from a spreadsheet, in each
# dialect French Excel and LibreOffice write (tests/data/csv/records-*),
# all or nothing: a dry run writes nothing, a rerun is a no-op, a line
# that contradicts the ledger is refused naming both values and nothing of
# the file is applied, the money rules of the record commands hold (an
# advance other than 30 % only with force_motif).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"
. "$(dirname "$0")/solde-lib.sh"

CP=$DATA/csv/records-cp1252-semicolon.csv
BOM=$DATA/csv/records-utf8-bom-semicolon-crlf.csv
COMMA=$DATA/csv/records-utf8-comma.csv
# The thousands separator of the ledger's French amounts (U+202F).
NB=$(printf '\342\200\257')

decisions() {
	sqlite3 "$SEGUR_DB" "SELECT count(*) FROM decision"
}
events() {
	sqlite3 "$SEGUR_DB" "SELECT count(*) FROM event"
}
state() {
	expect_exit 0 segurctl request show --json $ASP
	jq -r .state "$T/out"
}

# The template: every column, as French Excel opens it.
expect_exit 0 segurctl record import --template
printf '\357\273\277numero_asp;type;date;montant;courrier;note;force_motif\r\n' \
    >"$T/want"
cmp -s "$T/out" "$T/want" || fail "template: $(od -c "$T/out" | head)"
expect_exit 2 segurctl record import --template "$CP"

seed_accepted

# The template alone reads no row: nothing to do, said so.
expect_exit 0 segurctl record import --template --out "$T/empty.csv"
expect_exit 0 segurctl record import "$T/empty.csv"
expect_grep "avertissement: aucune ligne de données" "$T/err"
expect_grep "0 enregistrée(s), 0 inchangée(s)" "$T/out"

# A dry run checks every line and writes nothing.
expect_exit 0 segurctl record import --dry-run --json "$CP"
jq -e '.encoding == "Windows-1252" and .dryRun and (.written | not) and
    .rows == 2 and .toRecord == 2 and .recorded == 0 and
    [.lines[] | .fate] == ["would-record", "would-record"] and
    [.lines[] | .kind] == ["grant", "advance_paid"] and
    [.lines[] | .amount] == ["4866.67", "1460.00"] and
    [.lines[] | .date] == ["2023-11-02", "2023-11-20"] and
    [.lines[] | .row] == [2, 3]' "$T/out" >/dev/null ||
    fail "dry run: $(cat "$T/out")"
[ "$(decisions)" -eq 0 ] || fail "the dry run wrote decisions"
[ "$(state)" = accepted ] || fail "the dry run moved the request"

# The grant recorded by hand first, as ops would.
expect_exit 0 segurctl record grant --date 2023-11-02 --amount 4866.67 \
    --letter DA-2023-118 $ASP
n=$(events)

# A line that contradicts the ledger: refused with both values, and the
# valid advance of the same file is not applied either.
printf 'numero_asp;type;date;montant\n%s;accord;03/11/2023;4 800,00\n%s;avance;20/11/2023;1460,00\n' \
    $ASP $ASP >"$T/contra.csv"
expect_exit 1 segurctl record import --json "$T/contra.csv"
expect_grep "contra.csv:2: erreur: contredit le registre : accord enregistré le 02/11/2023 pour 4${NB}866,67 €, le fichier dit accord le 03/11/2023 pour 4${NB}800,00 €" "$T/err"
expect_grep "rien n'est enregistré" "$T/err"
jq -e '(.written | not) and [.lines[] | .fate] == ["refused", "would-record"]
    and (.lines[0].message | test("4.866,67 €"))' "$T/out" >/dev/null ||
    fail "contradiction report: $(cat "$T/out")"
[ "$(state)" = granted ] || fail "a refused file moved the request"
[ "$(events)" -eq "$n" ] || fail "a refused file wrote events"
# A refusal where a grant is recorded contradicts it too.
printf 'numero_asp;type;date;note\n%s;refus;02/11/2023;hors délai\n' $ASP \
    >"$T/refus.csv"
expect_exit 1 segurctl record import "$T/refus.csv"
expect_grep "accord enregistré le 02/11/2023 pour 4${NB}866,67 €, le fichier dit refus le 02/11/2023" "$T/err"
expect_grep "refus.csv:2: refusée" "$T/out"

# The money rules of record advance-paid: not 30 %, refused; with
# force_motif, accepted (checked in a dry run).
printf 'numero_asp;type;date;montant;force_motif\n%s;avance;20/11/2023;1 500,00 €;\n' \
    $ASP >"$T/advance.csv"
expect_exit 1 segurctl record import "$T/advance.csv"
expect_grep "avance attendue : 1${NB}460,00 € (30 % de 4${NB}866,67 € accordés), pas 1${NB}500,00 €" "$T/err"
printf 'numero_asp;type;date;montant;force_motif\n%s;avance;20/11/2023;1 500,00 €;avenant ASP du 15/11/2023\n' \
    $ASP >"$T/forced.csv"
expect_exit 0 segurctl record import --dry-run --json "$T/forced.csv"
jq -e '.lines[0].fate == "would-record" and .lines[0].forced and
    .lines[0].amount == "1500.00"' "$T/out" >/dev/null ||
    fail "forced: $(cat "$T/out")"
[ "$(state)" = granted ] || fail "a dry run recorded the advance"

# What the spreadsheet got wrong, each named by row and header.
printf 'Numéro ASP;Type;Date;Montant\n%s;versement;20/11/2023;1460\n%s;avance;31/02/2023;1460\n%s;avance;20/11/23;1460\n%s;avance;20/11/2023;12,345\n%s;avance;20/11/2023;\n%s;refus;20/11/2023;10\nMS1-DUI-2023-9999999;avance;20/11/2023;1460\n' \
    $ASP $ASP $ASP $ASP $ASP $ASP >"$T/bad.csv"
expect_exit 1 segurctl record import "$T/bad.csv"
expect_grep "bad.csv:2:Type: erreur: type « versement » inconnu" "$T/err"
expect_grep "bad.csv:3:Date: erreur: date « 31/02/2023 » invalide" "$T/err"
expect_grep "bad.csv:4:Date: erreur: date « 20/11/23 » : année sur deux chiffres" "$T/err"
expect_grep "bad.csv:5:Montant: erreur: montant « 12,345 » invalide" "$T/err"
expect_grep "bad.csv:6:Montant: erreur: montant requis pour une avance" "$T/err"
expect_grep "bad.csv:7:Montant: erreur: un refus n'a pas de montant" "$T/err"
expect_grep "bad.csv:8:Numéro ASP: erreur: aucune demande acceptée sous le numéro ASP « MS1-DUI-2023-9999999 »" "$T/err"
printf 'type;date\navance;20/11/2023\n' >"$T/nocol.csv"
expect_exit 1 segurctl record import "$T/nocol.csv"
expect_grep "numero_asp" "$T/err"
[ "$(state)" = granted ] || fail "a refused file moved the request"

# Windows-1252 for real: the grant is there identically (a no-op), the
# advance is recorded.
expect_exit 0 segurctl record import "$CP"
expect_grep "records-cp1252-semicolon.csv:2: inchangée .*accord déjà enregistré le 02/11/2023 pour 4${NB}866,67 €" "$T/out"
expect_grep "records-cp1252-semicolon.csv:3: enregistrée .* avance  *20/11/2023  *1${NB}460,00 €" "$T/out"
expect_grep "1 enregistrée(s), 1 inchangée(s)" "$T/out"
[ "$(state)" = advance_paid ] || fail "advance not recorded"
[ "$(sqlite3 "$SEGUR_DB" "SELECT amount_cents || ' ' || date || ' ' || note FROM decision WHERE kind = 'advance_paid'")" = "146000 2023-11-20 avis de paiement" ] ||
    fail "advance: $(sqlite3 "$SEGUR_DB" "SELECT * FROM decision")"

# A rerun, and the same facts in the other dialects: no-ops.
n=$(events)
for f in "$CP" "$BOM" "$COMMA"; do
	expect_exit 0 segurctl record import --json "$f"
	jq -e '.written and .recorded == 0 and .unchanged == 2 and
	    [.lines[] | .fate] == ["unchanged", "unchanged"]' "$T/out" \
	    >/dev/null || fail "rerun $f: $(cat "$T/out")"
done
[ "$(events)" -eq "$n" ] || fail "a rerun wrote events"
[ "$(decisions)" -eq 2 ] || fail "a rerun wrote decisions"

# The balance paid closes the request, as record balance-paid does.
deliver F-2024-001
expect_exit 0 segurctl solde build --date 20240301 --out "$T/files"
f=$T/files/JSON-SOLDE-2023000042-20240301-001.json
jq '.impId = "IMP-2024-000100" | .lignesImport[0].codeTraitement = "0" |
    .lignesImport[0].libelleTraitement = "Demande acceptée"' "$f" \
    >"$T/solde-retour.json"
expect_exit 0 segurctl ingest "$T/solde-retour.json"
[ "$(state)" = balance_accepted ] || fail "balance not accepted"
paid=$(date -u +%d/%m/%Y)
printf 'numero_asp;type;date;montant\n%s;solde versé;%s;3 406,67 €\n' \
    $ASP "$paid" >"$T/solde.csv"
expect_exit 0 segurctl record import --json "$T/solde.csv"
jq -e '.written and .toRecord == 1 and .recorded == 1 and .unchanged == 0
    and .lines[0].fate == "recorded" and .lines[0].kind == "balance_paid"
    and .lines[0].amount == "3406.67"' "$T/out" >/dev/null ||
    fail "balance import: $(cat "$T/out")"
[ "$(state)" = closed ] || fail "balance paid did not close"
expect_exit 0 segurctl record import "$T/solde.csv"
expect_grep "inchangée" "$T/out"

pass
