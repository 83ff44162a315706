#!/usr/bin/env bash
# Findings in the human form: line findings with numLigne and path, file
# findings with their path or none, structure findings with neither;
# warnings alone keep exit 0.
. "$(dirname "$0")/lib.sh"

ex=$DATA/JSON-2023000042-20231002-001.json
f=$T/JSON-2023000042-20231002-001.json

jq '.lignesImport[1].commande.regimeTVA = "ttc"
    | .lignesImport[0].beneficiaires.etablissementsClients[0].FINESSGeos[1] = "33000102"
    | .lignesImport[1].numLigne = 7' "$ex" >"$f"
expect_exit 1 segurctl validate "$f"
expect_grep "^$f:numLigne 7:lignesImport\[1\]\.commande\.regimeTVA: erreur: regimeTVA vaut \"ttc\" : .* \[COMMANDE-REGIME-TVA\]\$" "$T/out"
expect_grep "^$f:numLigne 7:lignesImport\[1\]\.numLigne: erreur: .* \[LIGNE-NUM-LIGNE\]\$" "$T/out"
expect_grep "^$f:numLigne 1:lignesImport\[0\]\.beneficiaires\.etablissementsClients\[0\]\.FINESSGeos\[1\]: erreur: .*\"33000102\".* \[OG-FINESS-GEOS\]\$" "$T/out"
expect_grep "^$f: invalide, " "$T/out"

# A warning only (SIRET key): exit 0, "avertissement".
jq '.SIRET = "38042372300029"' "$ex" >"$f"
expect_exit 0 segurctl validate "$f"
expect_grep "^$f:SIRET: avertissement: .* \[FICHIER-SIRET-CLE\]\$" "$T/out"
expect_grep "^$f: valide, 0 erreur, 1 avertissement, 2 lignes\$" "$T/out"

# An order dated in the future (compared with today's date).
jq '.lignesImport[0].commande.dateCommande = "01/01/2999"' "$ex" >"$f"
expect_exit 0 segurctl validate "$f"
expect_grep "\[COMMANDE-DATE-FUTURE\]\$" "$T/out"

# File name and structure findings: no path.
cp "$ex" "$T/demande.json"
expect_exit 1 segurctl validate "$T/demande.json"
expect_grep "^$T/demande.json: erreur: le nom de fichier .* \[FICHIER-NOM\]\$" "$T/out"
printf '{"impId": null, "numeroAns": "2023000042",' >"$f"
expect_exit 1 segurctl validate "$f"
expect_grep "^$f: erreur: le fichier n'est pas un JSON valide.* \[STRUCT-JSON\]\$" "$T/out"
expect_grep "^$f: invalide (structure), 1 erreur, 0 avertissement\$" "$T/out"
printf '\xef\xbb\xbf{}' >"$f"
expect_exit 1 segurctl validate "$f"
expect_grep "\[STRUCT-BOM\]\$" "$T/out"
iconv -f UTF-8 -t WINDOWS-1252 "$ex" >"$f"
expect_exit 1 segurctl validate "$f"
expect_grep "^$f: erreur: le fichier n'est pas encodé en UTF-8 .*Windows-1252.* \[STRUCT-UTF8\]\$" "$T/out"
: >"$f"
expect_exit 1 segurctl validate "$f"
expect_grep "le fichier est vide" "$T/out"
# Over the 16 MiB limit: refused before reading, a finding, not exit 2.
truncate -s 17M "$f"
expect_exit 1 segurctl validate "$f"
expect_grep "^$f: erreur: le fichier fait 17825792 octets, au-delà de la limite de 16777216 octets.* \[STRUCT-TAILLE\]\$" "$T/out"
pass
