#!/usr/bin/env bash
# Balance files: a replaced template with another layout; a bad template
# refused before anything is done; ASP rejecting a balance (alert, label
# kept), a corrected delivery requested again in a new file of the balance
# sequence, then accepted; a balance file without an answer line is an
# anomaly; a crash after the commit is completed by the next build.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"
. "$(dirname "$0")/solde-lib.sh"
need_fault_injection

seed_advance_paid 2023-12-29
deliver F-1

# A template that is not valid is refused, nothing allocated or written.
printf '{"lignesImport":[{"m":"${montantSolde}"}]}' >"$T/bad.json"
expect_exit 2 segurctl solde build --date 20240301 --out "$T/files" \
    --template "$T/bad.json"
expect_grep 'bad.json: modèle de fichier de solde : lignesImport\[0\].m : variable inconnue ${montantSolde}' "$T/err"
printf '{"x":"${numeroASP}","lignesImport":[{}]}' >"$T/bad2.json"
expect_exit 2 segurctl solde build --date 20240301 --out "$T/files" \
    --template "$T/bad2.json"
expect_grep 'variable de ligne hors de lignesImport' "$T/err"
[ ! -e "$T/files/JSON-SOLDE-2023000042-20240301-001.json" ] ||
    fail "a bad template wrote a file"
[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM solde_line")" -eq 0 ] ||
    fail "a bad template recorded a line"

# The day ASP publishes its format: another layout, no new release.
cat >"$T/asp.json" <<'T'
{
  "version": "2.0",
  "emetteur": { "ans": "${numeroAns}", "siret": "${SIRET}",
    "depot": "${dateFichier}" },
  "lignesImport": [
    {
      "ligne": "${numLigne}",
      "demande": { "asp": "${numeroASP}", "ref": "REF-${reference}" },
      "montants": ["${montantAccordeHT}", "${montantAvance}",
        "${montantSoldeHT}"],
      "resoumission": "${resoumission}",
      "pieces": ["${nomFichierFacture}", "${nomFichierPV}"]
    }
  ]
}
T
expect_exit 0 segurctl solde build --date 20240301 --out "$T/files" \
    --template "$T/asp.json"
f=$T/files/JSON-SOLDE-2023000042-20240301-001.json
jq -e '.version == "2.0" and .emetteur.ans == "2023000042" and
    .emetteur.depot == "20240301" and .lignesImport[0].ligne == 1 and
    .lignesImport[0].demande.asp == "'$ASP'" and
    .lignesImport[0].demande.ref == "REF-BC-1" and
    .lignesImport[0].resoumission == false and
    .lignesImport[0].pieces == ["MS1-DUI-Va1-FAC-00001.pdf",
        "MS1-DUI-Va1-PV-00001.jpg"]' "$f" >/dev/null ||
    fail "other layout: $(cat "$f")"
grep -q '4866.67,$' "$f" && grep -q '1460.00,$' "$f" &&
    grep -q '^ *3406.67$' "$f" || fail "amounts: $(cat "$f")"
[ "$(jq -r 'keys_unsorted | join(",")' "$f")" = \
    "version,emetteur,lignesImport" ] || fail "key order not kept"

# ASP rejects the balance: the label is kept, an alert is queued. Its
# answer has the shape of a returned funding file (header, lines with
# numeroASP, codeTraitement, libelleTraitement), whatever the layout sent.
jq '{impId: "I-1", numeroAns: .emetteur.ans, SIRET: .emetteur.siret,
    lignesImport: [.lignesImport[0] | {numLigne: .ligne,
    numeroASP: .demande.asp, codeTraitement: "S07",
    libelleTraitement: "Facture illisible"}]}' "$f" >"$T/rejet.json"
expect_exit 0 segurctl ingest "$T/rejet.json"
expect_grep '0 acceptée(s), 1 rejetée(s), 0 anomalie(s)' "$T/out"
expect_exit 0 segurctl request show --json $ASP
[ "$(jq -r .state "$T/out")" = balance_rejected ] || fail "not rejected"
expect_exit 0 segurctl alerts list --json
jq -e 'length == 1 and .[0].kind == "rejection" and .[0].ref == "BC-1"
    and .[0].facts.codeTraitement == "S07"' "$T/out" >/dev/null ||
    fail "rejection alert: $(cat "$T/out")"
[ "$(sqlite3 "$SEGUR_DB" "SELECT libelle_traitement FROM solde_line")" = \
    "Facture illisible" ] || fail "label not kept"
# Listed again, but not ready until a corrected delivery is recorded.
expect_exit 0 segurctl solde list --json
jq -e '.requests | .[0].state == "balance_rejected" and .[0].livre == false' \
    "$T/out" >/dev/null || fail "rejected: $(cat "$T/out")"
expect_exit 0 segurctl solde build --date 20240301 --out "$T/files"
expect_grep 'Aucune demande prête' "$T/out"
deliver F-1-bis

# Crash before the commit: nothing recorded, the request still rejected;
# the next build clears what the crash left.
expect_exit 99 env SEGUR_TEST_CRASH_AT=2 "$SEGURCTL" solde build \
    --date 20240301 --out "$T/files"
[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM solde_line")" -eq 1 ] ||
    fail "a crash before the commit recorded a line"
expect_exit 0 segurctl request show --json $ASP
[ "$(jq -r .state "$T/out")" = balance_rejected ] ||
    fail "a crash before the commit moved the request"
# Crash after the commit, before the files are renamed: the ledger has
# the line, the next build puts the files in place.
expect_exit 99 env SEGUR_TEST_CRASH_AT=3 "$SEGURCTL" solde build \
    --date 20240301 --out "$T/files"
[ ! -e "$T/files/JSON-SOLDE-2023000042-20240301-002.json" ] ||
    fail "renamed before the crash point"
expect_exit 0 segurctl solde build --date 20240301 --out "$T/files"
expect_grep "mis en place" "$T/out"
f2=$T/files/JSON-SOLDE-2023000042-20240301-002.json
jq -e '.lignesImport[0].facture.numeroFacture == "F-1-bis"' "$f2" \
    >/dev/null || fail "resubmission: $(cat "$f2")"
check_out_consistent "$T/files"
[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM solde_line")" -eq 2 ] ||
    fail "two balance lines expected"

# ASP's answer misses nothing but says nothing: an anomaly, no guess.
jq '.impId = "I-2" | .lignesImport[0].codeTraitement = null |
    .lignesImport[0].libelleTraitement = null' "$f2" >"$T/vide.json"
expect_exit 1 segurctl ingest "$T/vide.json"
expect_grep '1 anomalie(s)' "$T/out"
expect_exit 0 segurctl request show --json $ASP
[ "$(jq -r .state "$T/out")" = balance_requested ] ||
    fail "an unclear answer moved the request"
# The real answer: accepted.
jq '.impId = "I-3" | .lignesImport[0].codeTraitement = "0" |
    .lignesImport[0].libelleTraitement = "Demande acceptée"' "$f2" \
    >"$T/ok.json"
expect_exit 0 segurctl ingest "$T/ok.json"
expect_grep '1 acceptée(s), 0 rejetée(s), 0 anomalie(s)' "$T/out"
expect_exit 0 segurctl request show --json $ASP
[ "$(jq -r .state "$T/out")" = balance_accepted ] || fail "not accepted"
# The same answer again changes nothing.
expect_exit 0 segurctl ingest "$T/ok.json"
expect_grep 'déjà intégré' "$T/out"
expect_exit 0 segurctl audit verify
pass
