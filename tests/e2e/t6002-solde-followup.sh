#!/usr/bin/env bash
# The follow-up of advances awaiting their balance: days elapsed and the
# deadline in calendar days across month ends and leap years, --overdue,
# a request's own deadline, --og.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"
. "$(dirname "$0")/solde-lib.sh"

# Advance paid on the 31st of January of a leap year.
seed_advance_paid 2024-01-31

# No deadline set: the default, 365 days after the advance (2024 is a
# leap year), overdue the day after.
expect_exit 0 segurctl solde list --json --today 2024-03-01
jq -e '.requests | length == 1 and .[0].joursEcoules == 30 and
    .[0].echeance == "2025-01-30" and .[0].joursRestants == 335 and
    .[0].enRetard == false' "$T/out" >/dev/null ||
    fail "default deadline: $(cat "$T/out")"
expect_exit 0 segurctl solde list --overdue --json --today 2025-01-30
[ "$(jq ".requests | length" "$T/out")" -eq 0 ] || fail "overdue on the default deadline"
expect_exit 0 segurctl solde list --overdue --json --today 2025-01-31
[ "$(jq ".requests | length" "$T/out")" -eq 1 ] || fail "not overdue after the default"

expect_exit 1 segurctl ref set solde-deadline-days 0
expect_exit 1 segurctl ref set solde-deadline-days 3x
expect_exit 1 segurctl ref set unknown-key 3
expect_exit 0 segurctl ref set solde-deadline-days 30
# 2024-01-31 + 30 days = 2024-03-01 (February has 29 days).
expect_exit 0 segurctl solde list --json --today 2024-03-01
jq -e '.requests | .[0].echeance == "2024-03-01" and .[0].joursRestants == 0 and
    .[0].enRetard == false' "$T/out" >/dev/null ||
    fail "deadline day: $(cat "$T/out")"
expect_exit 0 segurctl solde list --overdue --json --today 2024-03-01
[ "$(jq '.requests | length' "$T/out")" -eq 0 ] || fail "overdue on its deadline day"
expect_exit 0 segurctl solde list --overdue --json --today 2024-03-02
jq -e '.requests | length == 1 and .[0].joursRestants == -1 and .[0].enRetard and
    .[0].joursEcoules == 31' "$T/out" >/dev/null ||
    fail "the day after: $(cat "$T/out")"
expect_exit 0 segurctl solde list --overdue --today 2024-03-02
expect_grep "$ASP .* EN RETARD" "$T/out"
expect_grep '1 avance(s) en attente de solde' "$T/out"

# Across the year end and a whole leap year.
expect_exit 0 segurctl ref set solde-deadline-days 366
expect_exit 0 segurctl solde list --json --today 2025-01-31
jq -e '.requests | .[0].echeance == "2025-01-31" and .[0].joursEcoules == 366 and
    .[0].enRetard == false' "$T/out" >/dev/null ||
    fail "366 days: $(cat "$T/out")"

# A request's own deadline wins over the programme's, until cleared.
expect_exit 0 segurctl solde deadline --date 30/04/2024 $ASP
expect_exit 0 segurctl solde list --json --today 2024-05-01
jq -e '.requests | .[0].echeance == "2024-04-30" and .[0].enRetard' "$T/out" \
    >/dev/null || fail "own deadline: $(cat "$T/out")"
expect_exit 2 segurctl solde deadline --date 2023-02-29 $ASP
expect_grep 'date « 2023-02-29 » : AAAA-MM-JJ ou JJ/MM/AAAA attendu' "$T/err"
expect_exit 2 segurctl solde deadline $ASP
expect_exit 0 segurctl solde deadline --clear $ASP
expect_exit 0 segurctl solde list --json --today 2024-05-01
jq -e '.requests | .[0].echeance == "2025-01-31"' "$T/out" >/dev/null ||
    fail "cleared: $(cat "$T/out")"

# --og: the request's OG, or nothing.
expect_exit 0 segurctl solde list --json --og 750000127
[ "$(jq '.requests | length' "$T/out")" -eq 1 ] || fail "--og of the request"
expect_exit 0 segurctl solde list --json --og 690002019
[ "$(jq '.requests | length' "$T/out")" -eq 0 ] || fail "--og of another OG"
expect_exit 2 segurctl solde list --today 2024-02-30
expect_exit 0 segurctl request history --json BC-1
jq -e 'map(.action) | index("solde.deadline") != null' "$T/out" \
    >/dev/null || fail "deadline not in the history"
expect_exit 0 segurctl audit verify
pass
