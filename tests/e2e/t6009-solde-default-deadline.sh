#!/usr/bin/env bash
# Deadlines that work out of the box: on a fresh ledger an advance paid
# years ago is overdue (the default of 365 days, docs/decisions.md);
# ref show says the value is the default until ref set sets it, and lists
# the reference tables; the reminders quote the same deadline.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"
. "$(dirname "$0")/solde-lib.sh"

# An empty ledger: the default, empty tables but the built-in operators.
expect_exit 0 segurctl init
expect_exit 0 segurctl ref show --json
jq -e '.settings == {"solde-deadline-days": {"value": 365, "default": true}}
    and .tables.tranche == 0 and .tables.eligible == 0 and
    .tables.operator > 0' "$T/out" >/dev/null || fail "empty: $(cat "$T/out")"
expect_exit 0 segurctl ref show
expect_grep '^  solde-deadline-days  *365  (valeur par défaut, non réglée)$' "$T/out"
expect_grep '^  eligible  *0 ligne(s)  (vide : segurctl ref import eligible)$' "$T/out"
expect_exit 2 segurctl ref show extra

# Advance paid on 20 November 2023, nothing set: due 365 days later
# (2024 is a leap year), overdue today.
seed_advance_paid 2023-11-20
expect_exit 0 segurctl solde list --overdue --json
jq -e '.requests | length == 1 and .[0].numeroASP == "'$ASP'" and
    .[0].echeance == "2024-11-19" and .[0].enRetard and
    .[0].joursRestants < 0' "$T/out" >/dev/null ||
    fail "overdue by default: $(cat "$T/out")"
expect_exit 0 segurctl solde list --overdue
expect_grep "^$ASP .* 19/11/2024 EN RETARD" "$T/out"
expect_exit 0 segurctl ref show --json
jq -e '.settings["solde-deadline-days"] == {"value": 365, "default": true}
    and .tables == {"tranche": 1, "eligible": 2,
    "operator": .tables.operator}' "$T/out" >/dev/null ||
    fail "ref show: $(cat "$T/out")"

# The reminders quote the default deadline: J-7 a week before it.
SEGUR_TEST_TODAY=2024-11-12 expect_exit 0 segurctl remind --dry-run --json \
    --balance-days 0
[ "$(jq -r '[.reminders[] | .kind + ":" + .period] | join(" ")' "$T/out")" = \
    "deadline:J-7" ] || fail "default deadline reminder: $(cat "$T/out")"

# Set, it is no longer the default and the list follows it.
expect_exit 0 segurctl ref set solde-deadline-days 30
expect_exit 0 segurctl ref show --json
jq -e '.settings["solde-deadline-days"] == {"value": 30, "default": false}' \
    "$T/out" >/dev/null || fail "after ref set: $(cat "$T/out")"
expect_exit 0 segurctl ref show
expect_grep '^  solde-deadline-days  *30$' "$T/out"
expect_exit 0 segurctl solde list --overdue --json
jq -e '.requests[0].echeance == "2023-12-20"' "$T/out" >/dev/null ||
    fail "set deadline: $(cat "$T/out")"

pass
