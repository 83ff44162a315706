#!/usr/bin/env bash
# Each line of an answer finds its own attempt however the lookups are
# grouped: a numeroEditeur written in lower case, a line naming an attempt
# of another file (anomaly, nothing recorded for it), a line given twice
# (recorded once, then "déjà enregistré"), the line it displaced reported
# missing. ASP's label counts in any form a reader takes for "Demande
# acceptée": decomposed accent and upper case, no-break and doubled spaces.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"

setup_ledger
# Twelve requests: the tenth gets numeroEditeur 0000A, with a letter.
gen_requests 1 12
expect_exit 0 segurctl build --date 20240105 --out "$T/files"
a=$T/files/JSON-2023000042-20240105-001.json
gen_requests 13 1
expect_exit 0 segurctl build --date 20240105 --out "$T/files"
b=$T/files/JSON-2023000042-20240105-002.json
[ "$(jq -r '.lignesImport[9].numeroEditeur' "$a")" = 0000A ] ||
    fail "numeroEditeur of BC-0010: $(jq -r '.lignesImport[9].numeroEditeur' "$a")"

jq --arg other "$(jq -r '.lignesImport[0].numeroEditeur' "$b")" '
    .impId = "IMP-1" |
    .lignesImport |= [to_entries[] | .value + {
	numeroASP: ("ASP-" + (.key + 1 | tostring)),
	codeTraitement: "0", libelleTraitement: "Demande acceptée"}] |
    .lignesImport[9].numeroEditeur = "0000a" |
    .lignesImport[3].libelleTraitement = "DEMANDE ACCEPTE\u0301E" |
    .lignesImport[4].libelleTraitement = " demande\u00a0 acceptée " |
    .lignesImport[1].numeroEditeur = $other |
    .lignesImport += [.lignesImport[2]]' "$a" >"$T/retour.json"
expect_exit 1 segurctl ingest --json "$T/retour.json"
jq -e '.files[0].accepted == 11 and (.files[0].anomalies | length) == 2 and
    (.files[0].lines[1].detail | test("pas dans")) and
    .files[0].lines[9].numeroASP == "ASP-10" and
    .files[0].lines[12].detail == "déjà enregistré" and
    ([.files[0].anomalies[] | select(.line == null)][0].detail | test("BC-0002.*absente"))' "$T/out" >/dev/null ||
    fail "lines: $(jq -c '.files[0] | {accepted, anomalies,
	l: [.lines[] | [.numeroEditeur, .answer, .detail]]}' "$T/out")"
expect_exit 0 segurctl request show --json ASP-10
[ "$(jq -r .ref "$T/out")" = BC-0010 ] || fail "0000a not matched"
expect_exit 0 segurctl request show --json ASP-4
[ "$(jq -r .state "$T/out")" = accepted ] || fail "NFD label not accepted"
expect_exit 0 segurctl request list --state submitted --json
[ "$(jq -r '[.[].ref] | sort | join(",")' "$T/out")" = BC-0002,BC-0013 ] ||
    fail "still waiting: $(jq -c '[.[].ref]' "$T/out")"
pass
