#!/usr/bin/env bash
# anomalies resolve says what it did: "anomalie N résolue", or with --json
# the anomaly re-read as anomalies --json shows it (resolved, the note);
# usage errors in French; resolving twice is refused, nothing on stdout.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"

# The example's two requests built; ASP's answer gives both lines one
# numeroASP: two anomalies.
build_examples
jq '.lignesImport[1].numeroASP = "MS1-DUI-2023-0001872" |
    .lignesImport[1].codeTraitement = "0" |
    .lignesImport[1].libelleTraitement = "Demande acceptée"' \
    "$DATA/JSON-2023000042-20231002-001.retour.json" >"$T/retour.json"
expect_exit 1 segurctl ingest "$T/retour.json"
expect_exit 0 segurctl anomalies --json
[ "$(jq '.anomalies | length' "$T/out")" -eq 2 ] ||
    fail "anomalies: $(cat "$T/out")"
a1=$(jq '.anomalies[0].id' "$T/out")
a2=$(jq '.anomalies[1].id' "$T/out")

# Usage errors.
expect_exit 2 segurctl anomalies resolve --note x abc
expect_grep "ID : « abc » n'est pas le numéro d'une anomalie (segurctl anomalies)" "$T/err"
expect_exit 2 segurctl anomalies resolve "$a1"
expect_grep '--note est obligatoire' "$T/err"

# With --json: the anomaly, resolved, as anomalies --json shows it.
expect_exit 0 segurctl anomalies resolve --json --note 'vu avec l'\''ASP' "$a1"
[ "$(jq -s length "$T/out")" = 1 ] || fail "not one JSON document: $(cat "$T/out")"
jq -e --argjson id "$a1" '.id == $id and .state == "resolved" and
    .note == "vu avec l'\''ASP" and (.resolvedAt | type) == "string" and
    (.resolvedBy | type) == "string"' "$T/out" >/dev/null ||
    fail "resolve --json: $(cat "$T/out")"
jq -S . "$T/out" >"$T/mine.json"
expect_exit 0 segurctl anomalies --all --json
jq -S --argjson id "$a1" '.anomalies[] | select(.id == $id)' "$T/out" \
    >"$T/list.json"
cmp -s "$T/mine.json" "$T/list.json" ||
    fail "not what anomalies --json shows: $(diff "$T/mine.json" "$T/list.json")"

# In text.
expect_exit 0 segurctl anomalies resolve --note 'doublon' "$a2"
expect_grep "^anomalie $a2 résolue$" "$T/out"

# Twice: refused, nothing on stdout.
expect_exit 1 segurctl anomalies resolve --json --note encore "$a1"
[ ! -s "$T/out" ] || fail "a refused resolve printed: $(cat "$T/out")"
expect_grep "l'anomalie n° $a1 est déjà résolue, le [0-3][0-9]/[01][0-9]/2[0-9]* [0-2][0-9]:[0-5][0-9] par .* : « vu avec l'ASP »" "$T/err"
pass
