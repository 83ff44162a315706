#!/usr/bin/env bash
# ref set, solde deadline and solde variables say what they did, in
# French or with --json: the setting re-read; the request re-read with its
# own deadline and the one that applies; the template variables.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"
. "$(dirname "$0")/solde-lib.sh"

one_json() {
	[ "$(jq -s length "$T/out")" = 1 ] || fail "not one JSON document: $(cat "$T/out")"
}

seed_advance_paid 2024-01-31

# ref set.
expect_exit 0 segurctl ref set solde-deadline-days 30
expect_grep '^réglage solde-deadline-days enregistré : 30$' "$T/out"
expect_exit 0 segurctl ref set --json solde-deadline-days 60
one_json
jq -e '. == {"setting": "solde-deadline-days", "value": 60,
    "default": false}' "$T/out" >/dev/null || fail "ref set --json: $(cat "$T/out")"
expect_exit 1 segurctl ref set --json solde-deadline-days 0
[ ! -s "$T/out" ] || fail "a refused setting printed JSON"
expect_grep 'nombre de jours entier de 1 à 3650 attendu' "$T/err"

# solde deadline: its own, then the programme's again (60 days after the
# advance of 2024-01-31).
expect_exit 2 segurctl solde deadline $ASP
expect_grep 'donnez soit --date, soit --clear' "$T/err"
expect_exit 0 segurctl solde deadline --date 2024-04-30 $ASP
expect_grep "^$ASP : échéance du solde fixée au 30/04/2024$" "$T/out"
expect_exit 0 segurctl solde deadline --json --date 15/05/2024 $ASP
one_json
jq -e --arg asp $ASP '.ref == "BC-1" and .numeroASP == $asp and
    .state == "advance_paid" and .deadline == "2024-05-15" and
    .echeance == "2024-05-15"' "$T/out" >/dev/null ||
    fail "solde deadline --json: $(cat "$T/out")"
expect_exit 0 segurctl solde deadline --json --clear $ASP
one_json
jq -e '.deadline == null and .echeance == "2024-03-31"' "$T/out" \
    >/dev/null || fail "solde deadline --clear --json: $(cat "$T/out")"
expect_exit 0 segurctl solde deadline --clear $ASP
expect_grep "^$ASP : échéance du solde, celle du programme : le 31/03/2024$" "$T/out"
expect_exit 0 segurctl solde list --json --today 2024-03-01
jq -e '.requests[0].echeance == "2024-03-31"' "$T/out" >/dev/null ||
    fail "solde list disagrees: $(cat "$T/out")"

# solde variables.
expect_exit 0 segurctl solde variables --json
one_json
jq -e 'length > 10 and all(.[]; (keys == ["doc", "name", "scope", "type"]))
    and (.[] | select(.name == "montantSoldeHT") | .type == "amount" and
    .scope == "line") and (.[] | select(.name == "numeroAns") |
    .type == "text" and .scope == "file")' "$T/out" >/dev/null ||
    fail "solde variables --json: $(cat "$T/out")"
n=$(jq length "$T/out")
expect_exit 0 segurctl solde variables
[ "$(wc -l <"$T/out")" -eq "$n" ] || fail "text and JSON list different variables"
expect_grep '^montantSoldeHT  *montant  *ligne ' "$T/out"
expect_exit 2 segurctl solde variables --json --markdown
expect_grep '--json et --markdown s.excluent' "$T/err"
pass
