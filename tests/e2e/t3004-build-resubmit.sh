#!/usr/bin/env bash
# A rejected request, corrected and resubmitted, gets a new numeroEditeur
# at the next build, its documents renamed after it, and its history shows
# both attempts; a request in flight or accepted can be neither edited nor
# resubmitted; editing a ready request sends it back to draft.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"

build_examples

# In flight: neither edited nor resubmitted.
expect_exit 1 segurctl request edit BC-2 "$T/line1.json"
expect_grep "l'état « envoyée" "$T/err"
expect_exit 1 segurctl resubmit BC-2

cp "$DATA/JSON-2023000042-20231002-001.retour.json" "$T/retour.json"
expect_exit 0 segurctl ingest "$T/retour.json"

# Accepted: neither edited nor resubmitted.
expect_exit 1 segurctl request edit BC-1 "$T/line0.json"
expect_exit 1 segurctl resubmit BC-1

# The rejected one is corrected (a new version, a new order form).
jq '.scenarioInstallation[1].ancienneVersion = "v2020.1"' "$T/line1.json" \
    >"$T/line1b.json"
printf '%%PDF-1.4\n%% corrigé\n%%%%EOF\n' >"$T/bdc2.pdf"
expect_exit 0 segurctl request edit --bdc "$T/bdc2.pdf" BC-2 "$T/line1b.json"
expect_grep '^BC-2 : 2 modification(s) enregistrée(s)' "$T/out"
expect_exit 0 segurctl request edit BC-2 "$T/line1b.json"
expect_grep '^BC-2 : inchangée$' "$T/out"
expect_exit 0 segurctl request history --json BC-2
jq -e '[.[] | select(.action == "request.edit")] | length == 1 and
    (.[0].after.changes | index("scenarioInstallation[1].ancienneVersion")
    != null) and .[0].before.content.scenarioInstallation[1].ancienneVersion
    == "v2019.3"' "$T/out" >/dev/null || fail "edit not logged with its diff"
expect_exit 0 segurctl resubmit --all-rejected
expect_grep '^BC-2 : prête à envoyer' "$T/out"

expect_exit 0 segurctl build --date 20231002 --out "$T/files"
f=$T/files/JSON-2023000042-20231002-002.json
[ "$(jq -r '.lignesImport[0].numeroEditeur' "$f")" = 00003 ] ||
    fail "no new numeroEditeur"
[ "$(jq -r '.lignesImport[0].piecesJustificatives | map(.nomFichier) |
    join(",")' "$f")" = MS1-DUI-Va1-BDC-00003.pdf,MS1-DUI-Va1-HT-00003.png ] ||
    fail "documents not renamed"
[ "$(jq -r '.lignesImport[0].scenarioInstallation[1].ancienneVersion' "$f")" = v2020.1 ] ||
    fail "the correction is not in the file"
unzip -p "$T/files/PJ-2023000042-20231002-002-1.zip" \
    MS1-DUI-Va1-BDC-00003.pdf | cmp - "$T/bdc2.pdf" ||
    fail "the new order form is not the one sent"
expect_exit 0 segurctl request show --json BC-2
jq -e '[.attempts[].numeroEditeur] == ["00002", "00003"]' "$T/out" \
    >/dev/null || fail "attempts: $(jq -c .attempts "$T/out")"
expect_exit 0 segurctl request history --json BC-2
jq -e '[.[] | select(.action == "request.state") | .after.state] | .[-4:]
    == ["submitted", "rejected", "ready", "submitted"]' "$T/out" \
    >/dev/null || fail "history: $(jq -c '[.[] | .action]' "$T/out")"

# Editing a ready request sends it back to draft (BC-1 is withdrawn so
# that its ESMS are free for BC-3).
expect_exit 0 segurctl request withdraw --reason 'annulée' BC-1
jq '.commande.montantSegurHT = 4000' "$T/line0.json" >"$T/line0b.json"
expect_exit 0 segurctl request add --ref BC-3 --bdc "$T/bdc.pdf" "$T/line0.json"
expect_exit 0 segurctl request ready BC-3
expect_exit 0 segurctl request edit BC-3 "$T/line0b.json"
expect_exit 0 segurctl request show --json BC-3
[ "$(jq -r .state "$T/out")" = draft ] || fail "edited ready request still ready"
[ "$(jq -r .montantSegurHT "$T/out")" = 4000.00 ] || fail "amount not updated"
expect_exit 0 segurctl audit verify
pass
