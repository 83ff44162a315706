#!/usr/bin/env bash
# An anomaly has a life. ASP's answer to the example gives one numeroASP
# to both lines: neither request is accepted, each line is an anomaly
# naming the other. Through segurd's inbox and through segurctl ingest the
# ledger records the same thing. The anomalies are listed, shown by
# status, request show, the report and /metrics while open; one is
# resolved (event anomaly.resolve, --all shows it resolved, resolving it
# again is refused); a later, clear answer of ASP is recorded as usual.
# A file that is not JSON is quarantined, saying so.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

# verified: audit verify passes, and the replay proves every row these
# commands wrote (their events are all v2: nothing "non prouvé").
verified() {
	expect_exit 0 segurctl audit verify
	expect_grep '^relecture : .* lignes conformes au journal' "$T/out"
	expect_no_grep 'non prouvé' "$T/out"
}

# A ledger with the example's two requests built into file 001.
build_examples
cp "$SEGUR_DB" "$T/built.db"

# The answer: line 2 accepted with line 1's numeroASP.
asp=MS1-DUI-2023-0001872
mkdir -p "$T/dup" "$T/inbox" "$T/stage"
jq --arg asp "$asp" '.lignesImport[1].numeroASP = $asp |
    .lignesImport[1].codeTraitement = "0" |
    .lignesImport[1].libelleTraitement = "Demande acceptée"' \
    "$DATA/JSON-2023000042-20231002-001.retour.json" >"$T/dup/retour.json"

# What the ledger holds of the answer, without times and actors.
snapshot() {
	sqlite3 "$SEGUR_DB" "SELECT id, file_id, attempt_id, request_id, kind,
	    detail, line_index, returned, resolved_at FROM anomaly ORDER BY id;
	    SELECT ref, state, numero_asp FROM request ORDER BY id;
	    SELECT id, outcome, numero_asp FROM attempt ORDER BY id;
	    SELECT action, entity, entity_key, request_id FROM event
	    WHERE id > (SELECT max(id) FROM event WHERE action = 'file.add'
	    AND entity_key = 'JSON-2023000042-20231002-001.json') AND
	    action != 'file.add' ORDER BY id;
	    SELECT kind, request_id, file_id FROM alert ORDER BY id;" >"$1"
}

# Through segurd's inbox.
port=$(free_port)
printf '[ledger]\npath = ledger.db\n[inbox]\npath = inbox\narchive = archive\nquarantine = quarantine\nsettle = 200ms\nrescan = 1s\n[reminders]\nchain_head = 0\n[http]\nlisten = 127.0.0.1:%s\n' \
    "$port" >"$T/segurd.conf"
start_segurd "$T/segurd.conf" "$port"
cp "$T/dup/retour.json" "$T/stage/retour.json"
mv "$T/stage/retour.json" "$T/inbox/"
wait_log 'retour.json : réponses JSON-2023000042-20231002-001.json : 0 acceptée(s), 0 rejetée(s), 2 anomalie(s)'
expect_grep 'retour.json : ligne 1 : anomalie 1 : numeroASP MS1-DUI-2023-0001872 porté aussi par la ligne 2 (BC-2, numéro éditeur 00002) de ce fichier' \
    "$T/segurd.log"
get "$port" /metrics
expect_grep '^segur_anomalies_open 2$' "$T/resp"
stop_segurd
[ "$SEGURD_RC" -eq 0 ] || fail "segurd exited $SEGURD_RC"
snapshot "$T/by-segurd.txt"
verified

# Through segurctl ingest, from the same built ledger: the same records.
cp "$T/built.db" "$SEGUR_DB"
rm -f "$SEGUR_DB-wal" "$SEGUR_DB-shm"
expect_exit 1 segurctl ingest --json "$T/dup/retour.json"
jq -e '.files | length == 1' "$T/out" >/dev/null || fail "not one envelope"
jq -e --arg asp "$asp" '.files[0] | .answers ==
    "JSON-2023000042-20231002-001.json" and .accepted == 0 and
    .rejected == 0 and (.anomalies | length) == 2 and
    ([.anomalies[].kind] | unique) == ["numero_asp_duplicate"] and
    .anomalies[0].id == 1 and .anomalies[0].line == 0 and
    .anomalies[0].ref == "BC-1" and .anomalies[0].numeroEditeur == "00001" and
    (.anomalies[0].detail | contains("porté aussi par la ligne 2 (BC-2, numéro éditeur 00002) de ce fichier")) and
    (.anomalies[1].detail | contains("porté aussi par la ligne 1 (BC-1, numéro éditeur 00001) de ce fichier"))' \
    "$T/out" >/dev/null || fail "ingest --json: $(cat "$T/out")"
snapshot "$T/by-segurctl.txt"
diff -u "$T/by-segurd.txt" "$T/by-segurctl.txt" ||
    fail "segurd and segurctl ingest recorded different things"
expect_exit 0 segurctl request list --state submitted --json
[ "$(jq -r '[.[].ref] | join(",")' "$T/out")" = BC-1,BC-2 ] ||
    fail "a request was settled: $(cat "$T/out")"

# Listed, open.
expect_exit 0 segurctl anomalies --json
jq -e --arg asp "$asp" '.anomalies | length == 2 and
    all(.state == "open") and .[0].file == "retour.json" and
    .[0].returned.numeroASP == $asp and .[1].ref == "BC-2" and
    .[1].line == 1 and .[1].attempt == 1' "$T/out" >/dev/null ||
    fail "anomalies --json: $(cat "$T/out")"
expect_exit 0 segurctl anomalies
expect_grep '^1  numero_asp_duplicate  depuis le [0-3][0-9]/[01][0-9]/20[0-9][0-9] [0-2][0-9]:[0-5][0-9]  [^ ]*retour.json ligne 1  demande BC-1  numéro éditeur 00001$' "$T/out"
expect_grep 'renvoyé par l.ASP : numeroEditeur « 00002 », numeroASP « MS1-DUI-2023-0001872 »' "$T/out"

# In status, request show and the report.
expect_exit 0 segurctl status --json
jq -e '.anomalies.open == 2 and .anomalies.oldest.id == 1' "$T/out" \
    >/dev/null || fail "status --json: $(jq -c .anomalies "$T/out")"
expect_exit 0 segurctl status
expect_grep '^Anomalies ouvertes : 2$' "$T/out"
expect_grep '^la plus ancienne : 1 numero_asp_duplicate depuis le [0-9/]* [0-9:]*, demande BC-1 : ' "$T/out"
expect_exit 0 segurctl request show --json BC-2
jq -e '.attempts[0].state == "anomaly" and .attempts[0].anomalies == [2]
    and .attempts[0].numeroASP == null and .attempts[0].code == null and
    .attempts[0].label == null and (.anomalies | map(.id)) == [2]' \
    "$T/out" >/dev/null || fail "request show --json: $(cat "$T/out")"
expect_exit 0 segurctl request show BC-2
expect_grep '^    anomalies ouvertes    2 (segurctl anomalies)$' "$T/out"
expect_exit 0 segurctl report --html "$T/report.html"
expect_grep '<section id="anomalies"><h2>Anomalies ouvertes (2)</h2>' "$T/report.html"
expect_grep '<tr id="anomalie-2">' "$T/report.html"

# Resolved once, with a note; a second time is refused.
expect_exit 2 segurctl anomalies resolve 1
expect_exit 0 segurctl anomalies resolve --note "ASP (courriel du 3/10) : \
le numéro est celui de BC-1 ; fichier retour corrigé demandé" 1
expect_exit 1 segurctl anomalies resolve --note "encore" 1
expect_grep "l'anomalie n° 1 est déjà résolue" "$T/err"
expect_exit 1 segurctl anomalies resolve --note "x" 99
expect_grep "aucune anomalie n° 99" "$T/err"
[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM event WHERE action = 'anomaly.resolve' AND entity_key = '1'")" -eq 1 ] ||
    fail "no anomaly.resolve event"
expect_exit 0 segurctl request history --json BC-1
jq -e '[.[] | select(.action == "anomaly.resolve")] | length == 1' \
    "$T/out" >/dev/null || fail "history: no anomaly.resolve"
expect_exit 0 segurctl anomalies --json
jq -e '.anomalies | map(.id) == [2]' "$T/out" >/dev/null ||
    fail "open after resolve: $(cat "$T/out")"
expect_exit 0 segurctl anomalies --all --json
jq -e '.anomalies | length == 2 and .[0].state == "resolved" and
    (.[0].note | startswith("ASP (courriel")) and .[0].resolvedBy != null
    and .[0].resolvedAt != null and .[1].state == "open"' "$T/out" \
    >/dev/null || fail "anomalies --all: $(cat "$T/out")"
expect_exit 0 segurctl status --json
jq -e '.anomalies.open == 1 and .anomalies.oldest.id == 2' "$T/out" \
    >/dev/null || fail "status after resolve"
# Resolving changed no request.
expect_exit 0 segurctl request show --json BC-1
jq -e '.state == "submitted" and .attempts[0].state == "pending" and
    .attempts[0].anomalies == []' "$T/out" >/dev/null ||
    fail "BC-1 after resolve: $(cat "$T/out")"

# ASP's corrected answer is recorded as usual: BC-1 accepted, BC-2 rejected.
expect_exit 0 segurctl ingest --json "$DATA/JSON-2023000042-20231002-001.retour.json"
expect_exit 0 segurctl request show --json BC-1
jq -e '.state == "accepted" and .attempts[0].state == "accepted" and
    .attempts[0].numeroASP == "MS1-DUI-2023-0001872" and
    .attempts[0].code == "0" and .attempts[0].label == "Demande acceptée"' \
    "$T/out" >/dev/null || fail "BC-1 after the corrected answer"
expect_exit 0 segurctl request show --json BC-2
jq -e '.state == "rejected" and .attempts[0].state == "rejected" and
    .attempts[0].code == "E12"' "$T/out" >/dev/null ||
    fail "BC-2 after the corrected answer"

# A refusal's text saved as .json: quarantined, and the reason says so.
printf '2023-10-02 : dépôt refusé, fichier non conforme\n' >"$T/refus.json"
expect_exit 2 segurctl ingest --json "$T/refus.json"
jq -e '.files[0].status == "quarantined" and (.files[0].reason |
    startswith("le fichier n'"'"'est pas du JSON : il commence par « 2023-10-02"))
    and (.files[0].reason | contains("nombre") | not)' "$T/out" >/dev/null ||
    fail "not-JSON reason: $(cat "$T/out")"
expect_grep "le fichier n'est pas du JSON" "$T/quarantine/refus.json.reason"

verified
pass
