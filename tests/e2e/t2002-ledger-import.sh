#!/usr/bin/env bash
# segurctl request import: a spreadsheet export (';', BOM, CRLF, documents
# beside the file) registers its orders; a file with bad rows reports each
# by row and column and registers nothing.
. "$(dirname "$0")/lib.sh"

expect_exit 0 segurctl init
expect_exit 0 segurctl software add --ans 2023000042 \
    --siret 38042372300028 --profiles REFERENTIEL_ID,PA,PH,SOINS,SANS_SOINS
mkdir "$T/export"
printf '%%PDF-1.4\n' >"$T/export/bc1.pdf"
h='reference;date_commande;regime_tva;montant_ht;finess_juridique;nom_responsable_og;email_responsable_og;telephone_responsable_og;finess_geo;ancienne_version;is_maitre_id;is_stockage_id;operateur_messagerie;profil_metier;is_ref_soins;bdc'
{
	printf '\xef\xbb\xbf%s\r\n' "$h"
	printf 'BC-1;02/10/2023;TTC;4866,67;750000127;MARTIN;d@og.fr;+33123456780;330001017;DUI 4.2;oui;non;MAI_15;PA;oui;bc1.pdf\r\n'
	printf 'BC-1;02/10/2023;TTC;4866,67;750000127;MARTIN;d@og.fr;+33123456780;330001025;DUI 4.2;oui;non;;PA,PH;non;bc1.pdf\r\n'
	printf 'BC-2;15/09/2023;TTC;2433;750000127;MARTIN;d@og.fr;+33123456780;330001033;DUI 4.2;oui;non;;PH;oui;\r\n'
} >"$T/export/commandes.csv"
expect_exit 0 segurctl request import "$T/export/commandes.csv"
expect_grep '2 demande(s) enregistrée(s) comme brouillons' "$T/out"
expect_exit 0 segurctl request show --json BC-1
[ "$(jq '.content.scenarioInstallation | length' "$T/out")" -eq 2 ] ||
    fail "scenario not grouped"
[ "$(jq -r '.documents[0].path' "$T/out")" = "$(cd "$T/export" && pwd -P)/bc1.pdf" ] ||
    fail "document not found beside the CSV"

{
	printf '%s\n' "$h"
	printf 'BC-3;02/10/2023;TTC;10;750000127;M;d@og.fr;+331;330001041;v;oui;non;;PA;oui;\n'
	printf 'BC-3;02/10/2023;HT;10;750000127;M;d@og.fr;+331;330001058;v;peut-etre;non;;PA;oui;\n'
	printf 'BC-1;02/10/2023;TTC;10;750000127;M;d@og.fr;+331;330001066;v;oui;non;;PA;oui;absent.pdf\n'
} >"$T/export/bad.csv"
expect_exit 1 segurctl request import "$T/export/bad.csv"
expect_grep 'bad.csv:3:regime_tva: erreur: .*ligne 2' "$T/err"
expect_grep 'bad.csv:3:is_maitre_id: erreur:' "$T/err"
expect_exit 0 segurctl request list --json
[ "$(jq length "$T/out")" -eq 2 ] || fail "a bad file registered something"
pass
