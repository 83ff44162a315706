#!/usr/bin/env bash
# The rejection reason at its edges: a label longer than a list row holds
# is cut at a character and ends with "…" (request show keeps it whole);
# control characters in it are spaces on the text line, kept in JSON; a
# request rejected twice shows its last rejection, « aucun libellé » when
# ASP gave only a code; a balance line refused with its file
# (balance_rejected) shows the closure's reason, without a code.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"
. "$(dirname "$0")/solde-lib.sh"

build_examples

# ASP's label for line 2: a tab, then 300 "é" (600 bytes).
long=$(printf 'Motif\tlong : '; for _ in $(seq 300); do printf 'é'; done)
jq --arg l "$long" '.lignesImport[1].libelleTraitement = $l' \
    "$DATA/JSON-2023000042-20231002-001.retour.json" >"$T/retour.json"
expect_exit 0 segurctl ingest "$T/retour.json"
expect_exit 0 segurctl request show --json BC-2
jq -e --arg l "$long" '.attempts[-1].label == $l' "$T/out" >/dev/null ||
    fail "request show does not keep the label whole"
expect_exit 0 segurctl request list --json --state rejected
jq -r '.[0].rejectionReason' "$T/out" >"$T/reason"
# Valid UTF-8 (iconv refuses a cut character), under 512 bytes, the
# label's beginning then "…".
iconv -f UTF-8 -t UTF-8 "$T/reason" >/dev/null || fail "cut inside a character"
[ "$(head -c -1 "$T/reason" | wc -c)" -le 511 ] ||
    fail "reason of $(wc -c <"$T/reason") bytes"
jq -e --arg l "$long" '.[0].rejectionReason | endswith("…") and
    (rtrimstr("…") as $p | ($l | startswith($p))) and
    (rtrimstr("…") | length) > 200' "$T/out" >/dev/null ||
    fail "not the label's beginning and …: $(cat "$T/reason")"
jq -e '.[0].rejectionCode == "E12"' "$T/out" >/dev/null || fail "code lost"
expect_exit 0 segurctl request list --state rejected
grep -q "^    motif ASP : Motif long : ééé*… (code E12)\$" "$T/out" ||
    fail "text line: $(cat "$T/out")"

# Resubmitted and rejected again, with a code and no label: the list
# shows the last rejection, not the first.
expect_exit 0 segurctl resubmit BC-2
expect_exit 0 segurctl build --date 20231002 --out "$T/files"
jq '.impId = "IMP-2" | .lignesImport[0] += {numeroASP: null,
    codeTraitement: "E99", libelleTraitement: null}' \
    "$T/files/JSON-2023000042-20231002-002.json" >"$T/retour2.json"
expect_exit 0 segurctl ingest "$T/retour2.json"
expect_exit 0 segurctl request list --state rejected
[ "$(grep 'motif ASP' "$T/out")" = "    motif ASP : aucun libellé (code E99)" ] ||
    fail "rejected again: $(cat "$T/out")"
expect_exit 0 segurctl request list --json --state rejected
jq -e '.[0].rejectionReason == null and .[0].rejectionCode == "E99"' \
    "$T/out" >/dev/null || fail "rejected again --json: $(cat "$T/out")"
expect_exit 0 segurctl alerts list --limit 1
[ "$(grep 'motif ASP' "$T/out")" = "        motif ASP : aucun libellé (code E99)" ] ||
    fail "alerts list, no label: $(cat "$T/out")"

# BC-1, accepted, granted, paid, delivered: its balance file refused.
expect_exit 0 segurctl record grant --date 2023-11-02 --amount 4866.67 $ASP
expect_exit 0 segurctl record advance-paid --date 2023-12-01 \
    --amount 1460,00 $ASP
deliver
expect_exit 0 segurctl solde build --date 20240301 --out "$T/files"
reason=$'structure\nrefusée au dépôt'
expect_exit 0 segurctl file refused --reason "$reason" \
    JSON-SOLDE-2023000042-20240301-001.json
expect_exit 0 segurctl request list --state balance_rejected
awk 'found { print; exit } /^BC-1 / { found = 1 }' "$T/out" >"$T/next"
[ "$(cat "$T/next")" = "    motif ASP : structure refusée au dépôt" ] ||
    fail "balance_rejected: $(cat "$T/out")"
expect_exit 0 segurctl request list --json --state balance_rejected
jq -e --arg r "$reason" 'length == 1 and .[0].ref == "BC-1" and
    .[0].rejectionReason == $r and .[0].rejectionCode == null' "$T/out" \
    >/dev/null || fail "balance_rejected --json: $(cat "$T/out")"
# The whole list: a reason under each rejected request, none else.
expect_exit 0 segurctl request list
[ "$(grep -c '^    motif ASP : ' "$T/out")" -eq 2 ] ||
    fail "whole list: $(cat "$T/out")"
pass
