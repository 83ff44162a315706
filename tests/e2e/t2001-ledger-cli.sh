#!/usr/bin/env bash
# The ledger through the CLI: init (idempotent), software, reference data,
# a request registered, listed, shown, withdrawn; numbers through the
# library's life cycle are covered by test-ledger; here the ops commands,
# their --json, their exit statuses, and audit verify catching a row
# edited by hand.
. "$(dirname "$0")/lib.sh"

# Nothing before init.
expect_exit 2 segurctl status
expect_grep 'segurctl init' "$T/err"

expect_exit 0 segurctl init
expect_exit 0 segurctl --db "$SEGUR_DB" init
# The schema version is the number of the last migration compiled in.
n=$(ls "$SEGUR_SOURCE_DIR"/sql/migrations/*.sql | sed 's|.*/0*||; s|-.*||' |
    sort -n | tail -1)
expect_grep "registre en version de schéma $n\$" "$T/out"

expect_exit 0 segurctl software add --ans 2023000042 \
    --siret 38042372300028 --profiles REFERENTIEL_ID,PA,PH,SOINS,SANS_SOINS \
    --name 'DUI Exemple'
expect_exit 1 segurctl software add --ans 2023000042 \
    --siret 38042372300028 --profiles PA
expect_grep 'déjà enregistré' "$T/err"
expect_exit 2 segurctl software add --ans 2023000043 \
    --siret 38042372300028 --profiles PA,XYZ
expect_exit 0 segurctl software show --json 2023000042
[ "$(jq -r .profiles "$T/out")" = "REFERENTIEL_ID,PA,PH,SOINS,SANS_SOINS" ] ||
    fail "profiles not kept"

# Reference data: a bad file changes nothing and names row and column.
printf 'finess_geo;finess_juridique;tranche\n330001017;750000127;B\n3300010;750000127;B\n' \
    >"$T/bad.csv"
expect_exit 1 segurctl ref import eligible "$T/bad.csv"
expect_grep 'bad.csv:3:finess_geo: erreur: FINESS' "$T/err"
printf '\xef\xbb\xbffiness_geo;finess_juridique;tranche\r\n330001017;750000127;B\r\n330001025;750000127;B\r\n' \
    >"$T/eligible.csv"
expect_exit 0 segurctl ref import eligible "$T/eligible.csv"
expect_grep '2 ligne(s) chargée(s) dans eligible' "$T/out"
printf 'tranche,montant_ttc\nB,"2920,00"\n' >"$T/tranches.csv"
expect_exit 0 segurctl ref import tranches "$T/tranches.csv"
expect_exit 2 segurctl ref import nothing "$T/tranches.csv"
expect_exit 0 segurctl ref operators --json
[ "$(jq length "$T/out")" -eq 355 ] || fail "operators not seeded"

# A request from the guide's example line, with its order form, by stdin.
jq '.lignesImport[0]' "$DATA/JSON-2023000042-20231002-001.json" >"$T/line.json"
printf '%%PDF-1.4\n' >"$T/bdc.pdf"
expect_exit 0 segurctl request add --ref BC-2023-001 --bdc "$T/bdc.pdf" - \
    <"$T/line.json"
expect_exit 1 segurctl request add --ref BC-2023-001 "$T/line.json"
expect_exit 2 segurctl request add --ref BC-X "$T/missing.json"
expect_exit 2 segurctl request add "$T/line.json"
jq '.commande.montantSegurHT = 10.001' "$T/line.json" >"$T/fine.json"
expect_exit 1 segurctl request add --ref BC-FINE "$T/fine.json"
expect_grep 'centimes' "$T/err"

expect_exit 0 segurctl request list --json --state draft --esms 330001025
[ "$(jq -r '.[0].ref' "$T/out")" = BC-2023-001 ] || fail "list --esms"
[ "$(jq -r '.[0].montantSegurHT' "$T/out")" = 4866.67 ] || fail "amount"
expect_exit 0 segurctl request list --og 999999999 --json
[ "$(jq length "$T/out")" -eq 0 ] || fail "list --og matched"
expect_exit 2 segurctl request list --state paid
expect_exit 0 segurctl request show --json BC-2023-001
[ "$(jq -r '.documents[0].typeFichier' "$T/out")" = BON_COMMANDE ] ||
    fail "document not recorded"
[ "$(jq -r '.content.numeroEditeur' "$T/out")" = null ] ||
    fail "numbering kept in content"
expect_exit 1 segurctl request show nope

# Decisions need an accepted request.
expect_exit 1 segurctl record grant --date 2026-11-02 ASP-NONE
expect_exit 2 segurctl record advance-paid --date 2026-11-02 ASP-NONE
expect_exit 2 segurctl record grant --date 2026-11-02 --amount 1.234 ASP-X

expect_exit 2 segurctl request withdraw BC-2023-001
SEGUR_ACTOR=ops-alice expect_exit 0 segurctl request withdraw \
    --reason 'commande annulée' BC-2023-001
expect_exit 1 segurctl request withdraw --reason again BC-2023-001
expect_grep 'withdrawn' "$T/err"
expect_exit 0 segurctl request history --json BC-2023-001
# The author is the system's user; $SEGUR_ACTOR a declared name beside it.
[ "$(jq -r '.[-1].actor' "$T/out")" = "$(id -un) (uid $(id -u)) « ops-alice »" ] ||
    fail "actor: $(jq -r '.[-1].actor' "$T/out")"
[ "$(jq -r '.[-1].after.detail.reason' "$T/out")" = 'commande annulée' ] ||
    fail "reason"

expect_exit 0 segurctl status --json
[ "$(jq -r .states.withdrawn.count "$T/out")" -eq 1 ] || fail "status count"
[ "$(jq -r .states.withdrawn.montantSegurHT "$T/out")" = 4866.67 ] ||
    fail "status amount"
expect_exit 0 segurctl status
expect_grep "^retirée  *1  *4$(printf '\342\200\257')866,67 €" "$T/out"

expect_exit 0 segurctl audit verify
expect_grep "journal d'événements intact" "$T/out"
# Someone edits a row by hand: the exact row is reported.
sqlite3 "$SEGUR_DB" "DROP TRIGGER event_no_update;
    UPDATE event SET actor = 'mallory' WHERE id = 4;"
expect_exit 1 segurctl audit verify --json
[ "$(jq -r .brokenEvent "$T/out")" -eq 4 ] || fail "wrong row reported"
pass
