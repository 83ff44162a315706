#!/usr/bin/env bash
# One way to name a request: every command that takes one accepts its
# reference, a numeroEditeur of any of its attempts or its numeroASP,
# resolved by segur_ledger_request_resolve(); the events land on the
# request itself. A command that needs a numeroASP says when the request
# has none; a miss names the kinds tried and the nearest identifier.
# Dates: every DATE option takes AAAA-MM-JJ and JJ/MM/AAAA (and AAAAMMJJ);
# anything else is a usage error before the ledger is read.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"

seed_examples
expect_exit 0 segurctl request add --ref BC-1 --bdc "$T/bdc.pdf" "$T/line0.json"
expect_exit 0 segurctl request add --ref BC-2 --bdc "$T/bdc.pdf" \
    --ht "$T/ht.png" "$T/line1.json"
expect_exit 0 segurctl request ready BC-1 BC-2
# The day of a build in the form every command takes.
expect_exit 0 segurctl build --date 2023-10-02 --out "$T/files"
[ -f "$T/files/JSON-2023000042-20231002-001.json" ] || fail "build --date AAAA-MM-JJ"
expect_exit 2 segurctl build --date 2023-02-30 --out "$T/files"
expect_grep 'date « 2023-02-30 » : AAAA-MM-JJ ou JJ/MM/AAAA attendu' "$T/err"
cp "$DATA/JSON-2023000042-20231002-001.retour.json" "$T/retour.json"
expect_exit 0 segurctl ingest "$T/retour.json"
ASP=MS1-DUI-2023-0001872
NE1=$(sqlite3 "$SEGUR_DB" "SELECT numero_editeur FROM request WHERE ref = 'BC-1'")
NE2=$(sqlite3 "$SEGUR_DB" "SELECT numero_editeur FROM request WHERE ref = 'BC-2'")
[ -n "$NE1" ] && [ -n "$NE2" ] || fail "no numeroEditeur"

# show and history: the same request under each of its names.
for key in BC-1 "$NE1" "$ASP"; do
	expect_exit 0 segurctl request show --json "$key"
	[ "$(jq -r .ref "$T/out")" = BC-1 ] || fail "request show $key"
	expect_exit 0 segurctl request history --json "$key"
	jq -e 'length > 0' "$T/out" >/dev/null || fail "request history $key"
done

# A decision named by the reference, a payment by the numeroEditeur: on
# BC-1, and said with its numeroASP.
expect_exit 0 segurctl record grant --date 2023-11-02 BC-1
expect_grep "^$ASP : décision d'accord enregistrée" "$T/out"
expect_exit 0 segurctl record advance-paid --date 2023-11-20 --amount 1460.00 "$NE1"
[ "$(sqlite3 "$SEGUR_DB" "SELECT state FROM request WHERE ref = 'BC-1'")" = advance_paid ] ||
    fail "advance not on BC-1"
[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM decision d JOIN request r
    ON r.id = d.request_id WHERE r.ref = 'BC-1'")" = 2 ] || fail "decisions of BC-1"

# BC-2 was rejected: it has no numeroASP, and the command says so.
expect_exit 1 segurctl record grant --date 2023-11-02 "$NE2"
expect_grep "la demande BC-2 (« $NE2 », son numeroEditeur) n'a pas de numéro ASP (état : rejetée par l'ASP)" "$T/err"
[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM decision d JOIN request r
    ON r.id = d.request_id WHERE r.ref = 'BC-2'")" = 0 ] || fail "decision on BC-2"
# A usage error is said first, whatever the request.
expect_exit 2 segurctl record advance-paid --date 2023-11-20 NOPE

# A typo: what was tried, and the nearest.
expect_exit 1 segurctl request show MS1-DUI-2023-0001873
expect_grep "« MS1-DUI-2023-0001873 » : aucune demande n'a cette référence, ce numeroEditeur ni ce numéro ASP ; le plus proche : numéro ASP « $ASP »" "$T/err"
expect_exit 1 segurctl request withdraw --reason x BC-3
expect_grep "le plus proche : référence « BC-2 »" "$T/err"
expect_exit 1 segurctl record grant --date 2023-11-02 ZZZ-none
expect_no_grep "le plus proche" "$T/err"

# The rejected request resent by its numeroEditeur; the bundle of BC-1 by
# its numeroASP.
expect_exit 0 segurctl resubmit "$NE2"
[ "$(sqlite3 "$SEGUR_DB" "SELECT state FROM request WHERE ref = 'BC-2'")" = ready ] ||
    fail "resubmit by numeroEditeur"
expect_exit 0 segurctl audit bundle --out "$T/b.zip" "$ASP"
unzip -p "$T/b.zip" MANIFEST.json | jq -e '[.requests[].ref] == ["BC-1"]' >/dev/null ||
    fail "bundle by numeroASP: $(unzip -p "$T/b.zip" MANIFEST.json | jq -c '[.requests[].ref]')"
# One form of date everywhere.
expect_exit 0 segurctl request list --json --since 01/10/2023
[ "$(jq length "$T/out")" -eq 2 ] || fail "--since JJ/MM/AAAA"
expect_exit 0 segurctl audit export --json --from 02/10/2023 --to 2023-10-02
expect_exit 0 segurctl audit export --json --from 20231002
expect_exit 2 segurctl request list --since 31/02/2024
expect_grep "date « 31/02/2024 » : AAAA-MM-JJ ou JJ/MM/AAAA attendu" "$T/err"
expect_exit 2 segurctl audit export --from 2023-1-2
expect_exit 2 segurctl solde list --today demain
pass
