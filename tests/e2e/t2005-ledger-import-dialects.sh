#!/usr/bin/env bash
# segurctl request import and ref import read what French Excel and
# LibreOffice write (tests/data/csv/: UTF-8 with BOM, ';' and CRLF;
# Windows-1252 with accents and '€'; UTF-8 with ',' and '5840.00'; headers
# in another case, without accents, with extra spaces; a FINESS that lost
# its leading zero; a two-digit year refused). --dry-run writes nothing,
# --template round-trips, --update replaces a draft and nothing else, a NUL
# byte and an oversized cell are refused by row and column, and a
# withdrawn draft loses its content but keeps its hash in the event.
. "$(dirname "$0")/lib.sh"

CSV=$DATA/csv
events() { sqlite3 "$SEGUR_DB" 'SELECT count(*) FROM event'; }
content() { sqlite3 "$SEGUR_DB" "SELECT json_extract(content, '$2') FROM request WHERE ref = '$1'"; }

expect_exit 0 segurctl init
expect_exit 0 segurctl software add --ans 2023000042 \
    --siret 38042372300028 --profiles REFERENTIEL_ID,PA,PH,SOINS,SANS_SOINS

# Reference data in Windows-1252, with "FINESS géo" and "2 920,00 €".
n=$(events)
expect_exit 0 segurctl ref import --dry-run eligible "$CSV/eligible-cp1252.csv"
expect_grep 'essai à blanc (Windows-1252, « ; ») : 7 ligne(s) à charger dans eligible (7 ajoutée(s)' "$T/out"
[ "$(events)" -eq "$n" ] || fail "ref import --dry-run wrote events"
[ "$(sqlite3 "$SEGUR_DB" 'SELECT count(*) FROM eligible')" -eq 0 ] ||
    fail "ref import --dry-run loaded rows"
expect_exit 0 segurctl ref import eligible "$CSV/eligible-cp1252.csv"
expect_grep 'eligible-cp1252.csv:8:FINESS géo: avertissement: FINESS « 10000107 » lu 010000107' "$T/err"
[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM eligible WHERE finess_geo = '010000107'")" -eq 1 ] ||
    fail "the FINESS did not get its leading zero back"
expect_exit 0 segurctl ref import tranches "$CSV/tranches-fr.csv"
[ "$(sqlite3 "$SEGUR_DB" "SELECT amount_ttc_cents FROM tranche WHERE code = 'B'")" -eq 292000 ] ||
    fail "2 920,00 € not read as 2920.00"

# UTF-8 with BOM, ';', CRLF, accented headers, "4 866,67 €" (U+202F) on
# one row and "4866,67" on the next of the same order, "2 190,00" (U+00A0).
expect_exit 0 segurctl request import "$CSV/utf8-bom-semicolon-crlf.csv"
expect_grep '2 demande(s) enregistrée(s) comme brouillons' "$T/out"
# The validator's findings name the row and the column as the file
# writes it, not only the JSON path.
expect_grep 'utf8-bom-semicolon-crlf.csv:4:Nom responsable OG: avertissement: erreur du guide OG-NOM-RESPONSABLE.*\[beneficiaires.etablissementsClients\[0\].nomResponsableOG\]' "$T/err"
expect_grep 'utf8-bom-semicolon-crlf.csv:3:Ancienne version: avertissement: erreur du guide SCENARIO-ANCIENNE-VERSION.*\[scenarioInstallation\[1\].ancienneVersion\]' "$T/err"
expect_exit 0 segurctl request show --json BC-U1
[ "$(jq -r '.montantSegurHT' "$T/out")" = "4866.67" ] || fail "BC-U1 amount"
[ "$(jq '.content.scenarioInstallation | length' "$T/out")" -eq 2 ] ||
    fail "BC-U1 rows not grouped"
[ "$(jq -r '.content.beneficiaires.etablissementsClients[0].nomResponsableOG' "$T/out")" = "Hélène MARTIN" ] ||
    fail "BC-U1 name"
[ "$(content BC-U2 '$.commande.montantSegurHT')" = "2190.0" ] ||
    [ "$(content BC-U2 '$.commande.montantSegurHT')" = "2190" ] ||
    fail "BC-U2 amount: $(content BC-U2 '$.commande.montantSegurHT')"
[ "$(content BC-U2 '$.scenarioInstallation[0].IsRefSoins')" = "1" ] ||
    fail "VRAI not read as true"

# Windows-1252, ';', accents in headers and values, "4 866,67 €" with the
# code page's 0xa0 and 0x80.
expect_exit 0 segurctl request import "$CSV/cp1252-semicolon.csv"
expect_grep 'Nom responsable OG: avertissement: erreur du guide OG-NOM-RESPONSABLE' "$T/err"
[ "$(content BC-W1 '$.beneficiaires.etablissementsClients[0].nomResponsableOG')" = "Hélène Lefèvre" ] ||
    fail "Windows-1252 name not converted"
[ "$(content BC-W1 '$.scenarioInstallation[0].ancienneVersion')" = "Éditeur « v4 »" ] ||
    fail "Windows-1252 value not converted"
[ "$(content BC-W1 '$.commande.montantSegurHT')" = "4866.67" ] || fail "BC-W1 amount"

# UTF-8 without BOM, ',', LF, "5840.00" and "5840", "ttc".
expect_exit 0 segurctl request import "$CSV/utf8-comma.csv"
[ "$(content BC-C1 '$.commande.montantSegurHT')" = "5840.0" ] ||
    [ "$(content BC-C1 '$.commande.montantSegurHT')" = "5840" ] || fail "BC-C1 amount"
[ "$(content BC-C2 '$.commande.regimeTVA')" = "TTC" ] || fail "ttc not TTC"
[ "$(content BC-C2 '$.scenarioInstallation[0].profilMetier[1]')" = "PH" ] ||
    fail "BC-C2 profiles"

# Headers in capitals, with '_', '-' and extra spaces; an ISO date; a
# FINESS géo of 8 digits.
expect_exit 0 segurctl request import "$CSV/headers-case-spaces.csv"
expect_grep 'headers-case-spaces.csv:2:FINESS   GEO: avertissement: FINESS « 10000107 » lu 010000107' "$T/err"
[ "$(content BC-H1 '$.scenarioInstallation[0].FINESSGeo')" = "010000107" ] ||
    fail "FINESS géo not restored"
[ "$(content BC-H1 '$.commande.dateCommande')" = "04/10/2023" ] ||
    fail "ISO date not read"

# A two-digit year: refused with the four-digit hint, by the header as
# the file writes it.
n=$(events)
expect_exit 1 segurctl request import "$CSV/date-two-digit-year.csv"
expect_grep 'date-two-digit-year.csv:2:Date commande: erreur: .*écrivez 02/10/2023' "$T/err"
[ "$(events)" -eq "$n" ] || fail "a refused file wrote events"

# A required column missing: named, with what to add.
printf 'reference;date_commande;regime_tva;finess_juridique;finess_geo\nBC-M1;05/10/2023;TTC;750000127;330001090\n' >"$T/missing.csv"
expect_exit 1 segurctl request import "$T/missing.csv"
expect_grep 'missing.csv:1:montant_ht: erreur: colonne obligatoire absente .*ajoutez « montant_ht »' "$T/err"

# --dry-run checks everything (a reference already registered too) and
# writes nothing.
printf 'reference;date_commande;regime_tva;montant_ht;finess_juridique;finess_geo\nBC-N1;05/10/2023;TTC;100;750000127;330001090\n' >"$T/new.csv"
n=$(events)
expect_exit 0 segurctl request import --dry-run "$T/new.csv"
expect_grep 'essai à blanc (UTF-8, « ; », 1 ligne(s)) : 1 demande(s) seraient enregistrée(s) comme brouillons.*rien n.est écrit' "$T/out"
[ "$(events)" -eq "$n" ] || fail "request import --dry-run wrote events"
[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM request WHERE ref = 'BC-N1'")" -eq 0 ] ||
    fail "request import --dry-run registered a request"
expect_exit 1 segurctl request import --dry-run "$CSV/utf8-comma.csv"
expect_grep 'utf8-comma.csv:2:reference: erreur: la demande « BC-C1 » est déjà enregistrée' "$T/err"
[ "$(events)" -eq "$n" ] || fail "a refused dry run wrote events"

# --template: every column, as French Excel opens it; it imports as a
# header with no rows.
expect_exit 0 segurctl request import --template
printf '\xef\xbb\xbfreference;numero_ans;date_commande;' >"$T/want"
head -c "$(wc -c <"$T/want")" "$T/out" | cmp -s - "$T/want" ||
    fail "template does not start with BOM and reference;numero_ans;date_commande"
expect_grep 'profil_metier;is_ref_soins' "$T/out"
[ "$(tr ';' '\n' <"$T/out" | wc -l)" -eq 31 ] || fail "template: not 31 columns"
# docs/ledger.md shows the same line.
grep -qxF "    $(tr -d '\r' <"$T/out" | sed 's/^\xef\xbb\xbf//')" "$SEGUR_SOURCE_DIR/docs/ledger.md" ||
    fail "docs/ledger.md does not show the template's header line"
expect_exit 0 segurctl request import --template --out "$T/tpl.csv"
expect_exit 0 segurctl request import "$T/tpl.csv"
expect_grep '0 demande(s) enregistrée(s) comme brouillons' "$T/out"
expect_no_grep 'inconnue' "$T/err"
expect_exit 0 segurctl ref import --template --out "$T/el.csv" eligible
expect_exit 0 segurctl ref import --dry-run eligible "$T/el.csv"
expect_grep '0 ligne(s) à charger' "$T/out"
expect_exit 2 segurctl request import --template "$T/new.csv"

# --update: a corrected row replaces the draft, the diff in the event.
sed -e 's/5840\.00/"5 900,00 €"/' "$CSV/utf8-comma.csv" >"$T/fixed.csv"
expect_exit 1 segurctl request import "$T/fixed.csv"
expect_grep 'fixed.csv:2:reference: erreur: .*--update' "$T/err"
expect_exit 0 segurctl request import --update "$T/fixed.csv"
expect_grep '0 demande(s) enregistrée(s) comme brouillons, 1 mise(s) à jour, 1 inchangée(s)' "$T/out"
[ "$(content BC-C1 '$.commande.montantSegurHT')" = "5900.0" ] ||
    [ "$(content BC-C1 '$.commande.montantSegurHT')" = "5900" ] || fail "BC-C1 not updated"
[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM event WHERE action = 'request.edit' AND entity_key = 'BC-C1' AND json_extract(after, '\$.changes[0]') = 'commande.montantSegurHT'")" -eq 1 ] ||
    fail "request.edit event without the diff"
expect_exit 0 segurctl request import --update "$T/fixed.csv"
expect_grep '0 mise(s) à jour, 2 inchangée(s)' "$T/out"

# Withdrawing a draft drops its content; the event keeps its hash.
sum=$(sqlite3 "$SEGUR_DB" "SELECT content FROM request WHERE ref = 'BC-W1'" | tr -d '\n' | sha256sum | cut -d' ' -f1)
expect_exit 0 segurctl request withdraw --reason 'importé par erreur' BC-W1
[ "$(sqlite3 "$SEGUR_DB" "SELECT content FROM request WHERE ref = 'BC-W1'")" = "{}" ] ||
    fail "withdrawn draft kept its content"
[ "$(sqlite3 "$SEGUR_DB" "SELECT json_extract(after, '\$.detail.content_dropped.sha256') FROM event WHERE action = 'request.state' AND entity_key = 'BC-W1' ORDER BY id DESC LIMIT 1")" = "$sum" ] ||
    fail "withdraw event without the content's SHA-256"
expect_exit 0 segurctl audit verify
# A request that is no longer a draft is not replaced by an import.
expect_exit 1 segurctl request import --update "$CSV/cp1252-semicolon.csv"
expect_grep "cp1252-semicolon.csv:2:Référence: erreur: la demande « BC-W1 » n'est plus un brouillon (état « retirée »)" "$T/err"

# request edit --bdc alone replaces the order form, content untouched.
printf '%%PDF-1.4\n' >"$T/bc.pdf"
expect_exit 0 segurctl request edit --bdc "$T/bc.pdf" BC-C2
expect_grep '1 modification(s) enregistrée(s)' "$T/out"
expect_exit 0 segurctl request show --json BC-C2
[ "$(jq -r '.documents[0].path' "$T/out")" = "$(cd "$T" && pwd -P)/bc.pdf" ] ||
    fail "request edit --bdc alone did not record the document"

# Limits: a NUL byte, an oversized cell, both by row and column.
n=$(events)
printf 'reference;date_commande;regime_tva;montant_ht;finess_juridique;finess_geo\nBC-Z1;05/10/2023;TTC;100;750000127;330001108\nBC-Z2;05/10/2023;TTC;100;750000127;3300\00011\n' >"$T/nul.csv"
expect_exit 1 segurctl request import "$T/nul.csv"
expect_grep 'nul.csv:3:finess_geo: erreur: octet nul' "$T/err"
{
	printf 'reference;nom_responsable_og;date_commande;regime_tva;montant_ht;finess_juridique;finess_geo\n'
	printf 'BC-Z3;'
	head -c 1000000 /dev/zero | tr "\0" x
	printf ';05/10/2023;TTC;100;750000127;330001108\n'
} >"$T/big.csv"
expect_exit 1 segurctl request import "$T/big.csv"
expect_grep 'big.csv:2:nom_responsable_og: erreur: cellule de plus de 4096 octets' "$T/err"
[ "$(events)" -eq "$n" ] || fail "a file over the limits wrote events"
head -c $((16 * 1024 * 1024 + 1)) /dev/zero >"$T/huge.csv"
expect_exit 1 segurctl request import "$T/huge.csv"
expect_grep 'huge.csv: erreur: fichier de plus de 16777216 octets' "$T/err"
pass
