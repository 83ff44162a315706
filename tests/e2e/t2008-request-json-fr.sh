#!/usr/bin/env bash
# A request's life by hand, read by a machine and by a person: software add,
# request add, edit and withdraw print with --json one document, the request
# as request list --json gives it (re-read after the change), with the facts
# of their text line; without it, French lines; request show and history
# speak French (states by their label, times JJ/MM/AAAA HH:MM).
. "$(dirname "$0")/lib.sh"

# json_only: stdout holds exactly one JSON document.
json_only() {
	[ "$(jq -s length "$T/out")" -eq 1 ] ||
	    fail "stdout is not one JSON document: $(cat "$T/out")"
}

expect_exit 0 segurctl init

# software add --json: the software as software show --json gives it.
expect_exit 0 segurctl software add --json --ans 2023000042 \
    --siret 38042372300028 --profiles REFERENTIEL_ID,PA,PH,SOINS,SANS_SOINS \
    --name 'DUI Exemple'
json_only
jq -e '.numeroAns == "2023000042" and .SIRET == "38042372300028" and
    .name == "DUI Exemple" and
    .profiles == "REFERENTIEL_ID,PA,PH,SOINS,SANS_SOINS" and
    (.createdAt | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T"))' "$T/out" >/dev/null ||
    fail "software add --json: $(cat "$T/out")"
expect_exit 0 segurctl software add --ans 2023000043 \
    --siret 38042372300028 --profiles PA --name 'Éléa'
expect_grep '^logiciel 2023000043 enregistré$' "$T/out"
# software list: a French heading, columns counted in characters.
expect_exit 0 segurctl software list
expect_grep '^NUMÉRO ANS  SIRET  *NOM  *PROFILS$' "$T/out"
python3 - "$T/out" <<'PY' || fail "software list columns: $(cat "$T/out")"
import sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
col = lines[0].index("PROFILS")
row = [l for l in lines if l.startswith("2023000043")][0]
sys.exit(0 if row[col:] == "PA" else 1)
PY
expect_exit 2 segurctl software add --ans 2023000044
expect_grep 'sont obligatoires' "$T/err"
expect_exit 2 segurctl software add --ans 2023000044 \
    --siret 38042372300028 --profiles PA,XYZ
expect_grep 'profil inconnu « XYZ »' "$T/err"
expect_exit 0 segurctl software show 2023000042
expect_grep '^numéro ANS : *2023000042$' "$T/out"
expect_grep '^nom : *DUI Exemple$' "$T/out"
expect_grep '^enregistré le : *[0-3][0-9]/[01][0-9]/20[0-9][0-9] [0-2][0-9]:[0-5][0-9]$' "$T/out"

jq '.lignesImport[0]' "$DATA/JSON-2023000042-20231002-001.json" >"$T/line.json"
printf '%%PDF-1.4\n' >"$T/bdc.pdf"

# request add: the draft as a list row; the French line without --json.
expect_exit 0 segurctl request add --json --ans 2023000042 --ref BC-1 \
    "$T/line.json"
json_only
jq -e '.ref == "BC-1" and .state == "draft" and .numeroAns == "2023000042"
    and .montantSegurHT == "4866.67" and .numeroEditeur == null and
    .numeroASP == null' "$T/out" >/dev/null ||
    fail "request add --json: $(cat "$T/out")"
expect_exit 0 segurctl request add --ans 2023000042 --ref BC-2 - \
    <"$T/line.json"
expect_grep '^BC-2 : enregistrée comme brouillon$' "$T/out"
expect_exit 2 segurctl request add --ans 2023000042 "$T/line.json"
expect_grep '^segurctl request add: --ref est obligatoire$' "$T/err"
# A refusal: nothing on stdout, the French cause on stderr, exit 1.
expect_exit 1 segurctl request add --json --ans 2023000042 --ref BC-1 \
    "$T/line.json"
[ ! -s "$T/out" ] || fail "a refused add printed: $(cat "$T/out")"
expect_grep 'déjà enregistrée' "$T/err"

# request edit: the request now, with what changed.
jq '.commande.montantSegurHT = 4000' "$T/line.json" >"$T/line2.json"
expect_exit 0 segurctl request edit --json BC-1 "$T/line2.json"
json_only
jq -e '.ref == "BC-1" and .state == "draft" and .montantSegurHT == "4000.00"
    and .changed == 1 and .changes == ["commande.montantSegurHT"] and
    .documents == []' "$T/out" >/dev/null ||
    fail "request edit --json: $(cat "$T/out")"
expect_exit 0 segurctl request edit --json BC-1 "$T/line2.json"
jq -e '.changed == 0 and .changes == [] and .montantSegurHT == "4000.00"' \
    "$T/out" >/dev/null || fail "request edit --json, the same: $(cat "$T/out")"
expect_exit 0 segurctl request edit --json --bdc "$T/bdc.pdf" BC-1
jq -e '.changed == 1 and .changes == [] and .documents == ["BON_COMMANDE"]' \
    "$T/out" >/dev/null || fail "request edit --json --bdc: $(cat "$T/out")"
expect_exit 0 segurctl request edit BC-2 "$T/line2.json"
expect_grep '^BC-2 : 1 modification(s) enregistrée(s) ; validez-la de nouveau' "$T/out"
expect_exit 0 segurctl request edit BC-2 "$T/line2.json"
expect_grep '^BC-2 : inchangée$' "$T/out"
expect_exit 2 segurctl request edit BC-2
expect_grep 'REF et FILE.json attendus' "$T/err"

# request withdraw: the request withdrawn, with its reason.
expect_exit 2 segurctl request withdraw --json BC-1
expect_grep 'request withdraw: --reason est obligatoire' "$T/err"
expect_exit 0 segurctl request withdraw --json --reason 'commande annulée' BC-1
json_only
jq -e '.ref == "BC-1" and .state == "withdrawn" and
    .reason == "commande annulée"' "$T/out" >/dev/null ||
    fail "request withdraw --json: $(cat "$T/out")"
expect_exit 0 segurctl request withdraw --reason doublon BC-2
expect_grep '^BC-2 : retirée$' "$T/out"
expect_exit 1 segurctl request edit BC-2 "$T/line.json"
expect_grep "l'état « retirée »" "$T/err"

# request show: the state by its label, the content under its French title.
expect_exit 0 segurctl request show BC-1
expect_grep '^état  *retirée$' "$T/out"
expect_grep '^contenu :$' "$T/out"
expect_no_grep '^content:' "$T/out"

# request history: French times, states by their label, edits by their
# paths; --json keeps ISO 8601 and the codes.
expect_exit 0 segurctl request history BC-1
h='^[0-9]* *[0-3][0-9]/[01][0-9]/20[0-9][0-9] [0-2][0-9]:[0-5][0-9] '
expect_grep "${h}.*request.add *enregistrée : brouillon$" "$T/out"
expect_grep "${h}.*request.edit *modifiée : commande.montantSegurHT$" "$T/out"
expect_grep "${h}.*request.edit *pièce(s) remplacée(s) : BON_COMMANDE$" "$T/out"
expect_grep "${h}.*request.state *brouillon → retirée .*commande annulée" "$T/out"
expect_no_grep '[0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z' "$T/out"
[ "$(wc -l <"$T/out")" -eq 4 ] || fail "history: $(cat "$T/out")"
expect_exit 0 segurctl request history --json BC-1
json_only
jq -e '.[-1].after.state == "withdrawn" and
    (.[0].at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T"))' "$T/out" >/dev/null ||
    fail "request history --json: $(cat "$T/out")"
pass
