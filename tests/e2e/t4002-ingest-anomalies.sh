#!/usr/bin/env bash
# Each anomaly kind is recorded, reported (exit 1) and alerted, never
# guessed: a line whose numeroASP and label disagree, an unknown
# numeroEditeur, a line missing from the answer, a numeroASP already given
# to another request, an answer contradicting one already recorded. A
# truncated file goes to the quarantine with its reason (exit 2). ASP's
# values written as JSON numbers are read as text.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"

setup_ledger
gen_requests 1 4
expect_exit 0 segurctl build --date 20240105 --out "$T/files"
sent=$T/files/JSON-2023000042-20240105-001.json
ne() { jq -r ".lignesImport[$1].numeroEditeur" "$sent"; }
alerts() { segurctl alerts list --json | jq length; }

# An answer where line 1 is accepted with numbers written as JSON numbers,
# line 2 says "acceptée" without a numeroASP, line 3 is unknown to the
# ledger (so BC-0003's line is missing from the answer), and line 4
# (BC-0004) is missing.
jq --arg x "$(ne 0)" '.impId = 731 |
    .lignesImport[0].numeroASP = 18720001 |
    .lignesImport[0].codeTraitement = 0 |
    .lignesImport[0].libelleTraitement = "Demande acceptée" |
    .lignesImport[1].codeTraitement = "0" |
    .lignesImport[1].libelleTraitement = "DEMANDE ACCEPTEE" |
    .lignesImport[2].numeroEditeur = "ZZZZZ" |
    .lignesImport[2].codeTraitement = "E1" |
    .lignesImport[2].libelleTraitement = "Erreur" |
    .lignesImport |= .[0:3]' "$sent" >"$T/r1.json"
expect_exit 1 segurctl ingest --json "$T/r1.json"
jq -e '.files[0].accepted == 1 and (.files[0].anomalies | length) == 4' "$T/out" >/dev/null ||
    fail "counts: $(jq -c '.files[0] | del(.lines)' "$T/out")"
jq -e '.files[0].lines[0].numeroASP == "18720001" and
    .files[0].lines[1].answer == "anomaly" and
    (.files[0].lines[1].detail | test("sans numeroASP")) and
    (.files[0].lines[2].detail | test("ZZZZZ jamais envoyé")) and
    ([.files[0].anomalies[] | select(.line == null)][0].detail | test("BC-0003.*absente")) and
    ([.files[0].anomalies[] | select(.line == null)][1].detail | test("BC-0004.*absente"))' "$T/out" \
    >/dev/null || fail "lines: $(jq -c '.files[0]' "$T/out")"
expect_exit 0 segurctl request show --json 18720001
[ "$(jq -r .ref "$T/out")" = BC-0001 ] || fail "numeroASP read as text"
# Nothing was guessed: BC-0002 and BC-0004 still wait for ASP.
expect_exit 0 segurctl request list --state submitted --json
[ "$(jq -r '[.[].ref] | sort | join(",")' "$T/out")" = BC-0002,BC-0003,BC-0004 ] ||
    fail "states guessed: $(cat "$T/out")"
[ "$(alerts)" -eq 4 ] || fail "4 anomaly alerts expected"
[ "$(sqlite3 "$SEGUR_DB" "SELECT group_concat(kind, ',') FROM (SELECT kind FROM anomaly ORDER BY id)")" = answer_unclear,unknown_numero_editeur,line_missing,line_missing ] ||
    fail "anomaly kinds"

# A second answer: BC-0001 now rejected (contradiction), BC-0002 accepted
# with the numeroASP BC-0001 holds (taken), BC-0004 rejected (fine).
jq '.lignesImport[0].libelleTraitement = "Refus" |
    .lignesImport[0].codeTraitement = "E9" |
    .lignesImport[1].numeroASP = "18720001" |
    .lignesImport[1].codeTraitement = "0" |
    .lignesImport[1].libelleTraitement = "Demande acceptée" |
    .lignesImport[3].codeTraitement = "E12" |
    .lignesImport[3].libelleTraitement = "FINESS non éligible" |
    .lignesImport |= [.[0], .[1], .[3]]' "$sent" >"$T/r2.json"
expect_exit 1 segurctl ingest --json "$T/r2.json"
jq -e '.files[0].rejected == 1 and (.files[0].anomalies | length) == 3 and
    (.files[0].lines[0].detail | test("contraire")) and
    (.files[0].lines[1].detail |
    test("déjà attribué à BC-0001 \\(numéro éditeur [0-9A-Z]{5}\\) par r1.json"))' "$T/out" >/dev/null ||
    fail "second answer: $(jq -c '.files[0]' "$T/out")"
expect_exit 0 segurctl request show --json BC-0001
[ "$(jq -r .state "$T/out")" = accepted ] || fail "contradiction applied"
expect_exit 0 segurctl request show --json BC-0004
[ "$(jq -r .state "$T/out")" = rejected ] || fail "BC-0004 not rejected"

# A truncated file: quarantined with its reason, recorded, alerted.
head -c 300 "$sent" >"$T/JSON-tronque.json"
n=$(alerts)
expect_exit 2 segurctl ingest "$T/JSON-tronque.json"
expect_grep 'mis en quarantaine' "$T/out"
[ -f "$T/quarantine/JSON-tronque.json" ] || fail "not in quarantine"
expect_grep 'structure illisible' "$T/quarantine/JSON-tronque.json.reason"
[ -f "$T/JSON-tronque.json" ] || fail "the user's file was moved"
[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM quarantine")" -eq 1 ] ||
    fail "quarantine not recorded"
[ "$(alerts)" -eq $((n + 1)) ] || fail "quarantine not alerted"
# A file nothing matches, and a file that cannot be read at all.
jq '.lignesImport[].numeroEditeur = "YYYYY"' "$sent" >"$T/other.json"
expect_exit 2 segurctl ingest "$T/other.json"
expect_grep 'aucune ligne' "$T/out"
expect_exit 2 segurctl ingest "$T/absent.json"
expect_exit 0 segurctl audit verify
pass
