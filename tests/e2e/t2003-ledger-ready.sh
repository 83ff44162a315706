#!/usr/bin/env bash
# segurctl request ready: drafts are validated with the ledger's reference
# data; the guide's example line 1 becomes ready, line 2 (an ESMS off the
# eligible list, an amount over the ceiling) stays a draft with its findings;
# double funding blocks a second request for the same ESMS.
. "$(dirname "$0")/lib.sh"

expect_exit 0 segurctl init
expect_exit 0 segurctl software add --ans 2023000042 \
    --siret 38042372300028 \
    --profiles REFERENTIEL_ID,ESCLAVE_ID,STOCKAGE_ID,PA,PH,DOM,SAAD,SOINS,SANS_SOINS
for i in 0 1; do
	jq ".lignesImport[$i]" "$DATA/JSON-2023000042-20231002-001.json" \
	    >"$T/line$i.json"
done
expect_exit 0 segurctl request add --ref BC-1 "$T/line0.json"
expect_exit 0 segurctl request add --ref BC-2 "$T/line1.json"

# No reference data: nothing becomes ready.
expect_exit 1 segurctl request ready BC-1
expect_grep 'ref import' "$T/err"

printf 'finess_geo;finess_juridique;tranche\n330001017;750000127;B\n330001025;750000127;B\n690002027;690002019;B\n' \
    >"$T/eligible.csv"
printf 'tranche;montant_ttc\nB;2920,00\n' >"$T/tranches.csv"
expect_exit 0 segurctl ref import eligible "$T/eligible.csv"
expect_exit 0 segurctl ref import tranches "$T/tranches.csv"

expect_exit 1 segurctl request ready --all
expect_grep '^BC-1 : prête à envoyer (0 erreur(s)' "$T/out"
expect_grep '^BC-2 : toujours brouillon (' "$T/out"
expect_grep '^BC-2:beneficiaires.etablissementsClients\[1\].FINESSGeos\[0\]: avertissement bloquant: .*590004016' "$T/err"
expect_grep '^BC-2:commande.montantSegurHT: avertissement bloquant' "$T/err"
expect_exit 0 segurctl request list --state ready --json
[ "$(jq -r '.[0].ref' "$T/out")" = BC-1 ] || fail "BC-1 not ready"
expect_exit 1 segurctl request ready BC-1
expect_grep "l'état ready" "$T/err"

# The same ESMS again: double funding.
expect_exit 0 segurctl request add --ref BC-3 "$T/line0.json"
expect_exit 1 segurctl request ready --json BC-3
[ "$(jq -r '[.[0].findings[] | select(.rule == "OG-FINESS-GEO-FINANCE")] | length' "$T/out")" -eq 2 ] ||
    fail "double funding not reported"
expect_exit 0 segurctl request history --json BC-1
[ "$(jq -r '.[-1].after.state' "$T/out")" = ready ] || fail "not logged"
expect_exit 0 segurctl audit verify
pass
