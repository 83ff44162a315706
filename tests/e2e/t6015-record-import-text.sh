#!/usr/bin/env bash
# What record import and solde list print for people is French: each row
# with its fate, kind, date JJ/MM/AAAA and amount « 1 460,00 € », the
# summary of a dry run and of an import, the template said written, the
# usage errors; solde list's headings, amounts and dates.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"
. "$(dirname "$0")/solde-lib.sh"

NB=$(printf '\342\200\257')
seed_accepted

# Usage errors.
expect_exit 2 segurctl record import
expect_grep 'un fichier FILE.csv attendu' "$T/err"
expect_exit 2 segurctl record import --out "$T/x.csv" "$T/x.csv"
expect_grep '--out va avec --template' "$T/err"
expect_exit 2 segurctl record import --template --dry-run
expect_grep '--template ne prend ni FILE.csv, ni --dry-run, ni --json' "$T/err"

expect_exit 0 segurctl record import --template --out "$T/r.csv"
expect_grep "^$T/r.csv : modèle écrit$" "$T/out"
printf 'numero_asp;type;date;montant\n%s;accord;02/11/2023;4866,67\n%s;avance;31/01/2024;1460\n' \
    $ASP $ASP >"$T/r.csv"

expect_exit 0 segurctl record import --dry-run "$T/r.csv"
expect_grep "^$T/r.csv:2: à enregistrer  *$ASP  *accord  *02/11/2023  *4${NB}866,67 €$" "$T/out"
expect_grep "^$T/r.csv:3: à enregistrer  *$ASP  *avance  *31/01/2024  *1${NB}460,00 €$" "$T/out"
expect_grep "^$T/r.csv : essai à blanc (UTF-8, « ; », 2 ligne(s)) : 2 à enregistrer, 0 inchangée(s) ; rien n'est écrit$" "$T/out"

expect_exit 0 segurctl record import "$T/r.csv"
expect_grep "^$T/r.csv:3: enregistrée  *$ASP  *avance  *31/01/2024  *1${NB}460,00 €$" "$T/out"
expect_grep "^$T/r.csv : 2 enregistrée(s), 0 inchangée(s)$" "$T/out"
expect_exit 0 segurctl record import "$T/r.csv"
expect_grep "^$T/r.csv:3: inchangée  *$ASP .* : versement de l'avance déjà enregistré le 31/01/2024 pour 1${NB}460,00 € : rien à faire$" "$T/out"

# solde list, in text.
expect_exit 0 segurctl solde list --today 2024-03-01
expect_grep '^NUMÉRO ASP  *N° ÉD\.  *OG  *ACCORDÉ  *AVANCE  *SOLDE  *AVANCE LE  *JOURS  *ÉCHÉANCE$' "$T/out"
expect_grep "^$ASP  *00001  *750000127  *4${NB}866,67 €  *1${NB}460,00 €  *3${NB}406,67 € 31/01/2024  *30 30/01/2025$" "$T/out"
expect_grep "^Solde à demander : 3${NB}406,67 € (1 demande(s) à l'état « avance versée » ou « solde rejeté »)\.$" "$T/out"
expect_exit 2 segurctl solde list --today 2024-02-30
pass
