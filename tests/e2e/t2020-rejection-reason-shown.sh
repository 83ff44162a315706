#!/usr/bin/env bash
# What ASP said of a rejected line (its libelleTraitement and
# codeTraitement) is shown where the rejected requests are listed: under
# the request's line in status and request list (all, or --state
# rejected), under the rejection alert in alerts list, and as
# rejectionReason / rejectionCode in their JSON (null for the others);
# once the request is resubmitted, no reason is shown any more.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"

label="Le FINESS géographique 590004016 n'appartient pas à la liste des FINESS éligibles"
motif="motif ASP : $label (code E12)"

build_examples
# Submitted, not yet answered: no reason anywhere.
expect_exit 0 segurctl request list
expect_no_grep 'motif ASP' "$T/out"
cp "$DATA/JSON-2023000042-20231002-001.retour.json" "$T/retour.json"
expect_exit 0 segurctl ingest "$T/retour.json"

# next_line FILE PATTERN: the line after the first one matching PATTERN.
next_line() {
	awk -v p="$2" 'found { print; exit } $0 ~ p { found = 1 }' "$1"
}

# status: under BC-2's line in the rejected list, indented.
expect_exit 0 segurctl status
[ "$(next_line "$T/out" '^BC-2 ')" = "    $motif" ] ||
    fail "status: no reason under BC-2: $(cat "$T/out")"
[ "$(grep -c 'motif ASP' "$T/out")" -eq 1 ] ||
    fail "status: a reason under another request: $(cat "$T/out")"
expect_exit 0 segurctl status --json
jq -e --arg l "$label" '.rejected.oldest[0].ref == "BC-2" and
    .rejected.oldest[0].rejectionReason == $l and
    .rejected.oldest[0].rejectionCode == "E12" and
    .accepted.oldest[0].ref == "BC-1" and
    .accepted.oldest[0].rejectionReason == null and
    .accepted.oldest[0].rejectionCode == null' "$T/out" >/dev/null ||
    fail "status --json: $(jq -c '.rejected, .accepted' "$T/out")"

# request list --state rejected, and the whole list: under BC-2 only.
expect_exit 0 segurctl request list --state rejected
[ "$(next_line "$T/out" '^BC-2 ')" = "    $motif" ] ||
    fail "request list --state rejected: $(cat "$T/out")"
expect_exit 0 segurctl request list
[ "$(next_line "$T/out" '^BC-2 ')" = "    $motif" ] ||
    fail "request list: no reason under BC-2: $(cat "$T/out")"
[ "$(grep -c 'motif ASP' "$T/out")" -eq 1 ] ||
    fail "request list: a reason under BC-1: $(cat "$T/out")"
expect_exit 0 segurctl request list --json
jq -e --arg l "$label" 'length == 2 and
    (map(select(.ref == "BC-2"))[0] | .rejectionReason == $l and
    .rejectionCode == "E12") and (map(select(.ref == "BC-1"))[0] |
    .rejectionReason == null and .rejectionCode == null)' "$T/out" \
    >/dev/null || fail "request list --json: $(cat "$T/out")"

# alerts list: under the rejection alert.
expect_exit 0 segurctl alerts list
grep -q ' rejection ' "$T/out" || fail "no rejection alert: $(cat "$T/out")"
# Its time as a French reader writes it, not ISO 8601.
expect_grep '^alert-[0-9]*  [0-3][0-9]/[01][0-9]/20[0-9][0-9] [0-2][0-9]:[0-5][0-9]  rejection ' "$T/out"
[ "$(next_line "$T/out" ' rejection ')" = "        $motif" ] ||
    fail "alerts list: no reason under the alert: $(cat "$T/out")"
expect_exit 0 segurctl alerts list --json
jq -e --arg l "$label" 'length == 1 and .[0].kind == "rejection" and
    .[0].rejectionReason == $l' "$T/out" >/dev/null ||
    fail "alerts list --json: $(cat "$T/out")"

# Resubmitted, the request is no longer rejected: its line stands alone
# (the reason stays in request show's attempts).
expect_exit 0 segurctl resubmit BC-2
expect_exit 0 segurctl request list
expect_no_grep 'motif ASP' "$T/out"
expect_exit 0 segurctl request list --json
jq -e 'map(.rejectionReason) == [null, null]' "$T/out" >/dev/null ||
    fail "a reason after resubmit: $(cat "$T/out")"
expect_exit 0 segurctl status
expect_no_grep 'motif ASP' "$T/out"
expect_exit 0 segurctl request show --json BC-2
jq -e --arg l "$label" '.attempts[0].label == $l' "$T/out" >/dev/null ||
    fail "request show lost the label"
pass
