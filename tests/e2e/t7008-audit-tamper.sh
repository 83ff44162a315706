#!/usr/bin/env bash
# audit verify against tampering with write access to the ledger file
# (issue 18): each change made with the sqlite3 shell, on a fresh copy of
# a seeded ledger whose events are sealed, makes audit verify exit 1 and
# name it; the untouched copy passes; a forged event with a correct v2
# hash is caught by its missing or wrong seal; a request_id changed from
# NULL to 0 is caught on v1 and v2 events; no bundle of a tampered copy.
# The seed also holds an open anomaly and a cancelled file: an anomaly
# resolved by hand, a resolution's note rewritten, a closure deleted or
# edited and a cancelled attempt put back to pending are each caught.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"
. "$(dirname "$0")/audit-lib.sh"

head -c 32 /dev/urandom | base64 >"$T/audit.key"
chmod 0600 "$T/audit.key"
export SEGUR_AUDIT_KEY_FILE="$T/audit.key"
seed_audit
# ASP says BC-2 accepted after rejecting it: a contradiction, one open
# anomaly (its request, line and what ASP returned kept).
jq '.impId = "IMP-2023-000999" | .lignesImport[1].numeroASP = "MS1-DUI-2023-0009001" |
    .lignesImport[1].codeTraitement = "0" |
    .lignesImport[1].libelleTraitement = "Demande acceptée"' \
    "$DATA/JSON-2023000042-20231002-001.retour.json" >"$T/contraire.json"
expect_exit 1 segurctl ingest "$T/contraire.json"
[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM anomaly WHERE request_id = 2
    AND line_index = 1 AND returned IS NOT NULL AND resolved_at IS NULL")" = 1 ] ||
    fail "no open anomaly on BC-2"
# The week's file never uploaded: cancelled, its requests ready again.
expect_exit 0 segurctl file cancel --reason 'jamais déposé' \
    JSON-2023000042-20231009-001.json
# A truncated file: one quarantine row.
head -c 300 "$T/files/JSON-2023000042-20231009-001.json" >"$T/JSON-tronque.json"
expect_exit 2 segurctl ingest "$T/JSON-tronque.json"
sqlite3 "$SEGUR_DB" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
cp "$SEGUR_DB" "$T/seed.db"

# copy NAME: a fresh copy of the seeded ledger as $T/NAME.db.
copy() {
	cp "$T/seed.db" "$T/$1.db"
	db="$T/$1.db"
}

# tampered NAME PATTERN...: audit verify of $T/NAME.db exits 1 and prints
# every PATTERN.
tampered() {
	name=$1
	shift
	expect_exit 1 segurctl --db "$T/$name.db" audit verify \
	    --archive "$T/archive"
	for p in "$@"; do
		expect_grep "$p" "$T/out"
	done
}

copy intact
expect_exit 0 segurctl --db "$db" audit verify --archive "$T/archive"
expect_grep '^schéma : conforme aux migrations' "$T/out"
expect_grep '^relecture : .* lignes conformes au journal' "$T/out"
expect_grep 'chaque sceau correspond à la clé' "$T/out"
expect_no_grep 'SUSPECT' "$T/out"
expect_no_grep 'non prouvé' "$T/out"
expect_exit 0 segurctl --db "$db" audit verify --json --archive "$T/archive"
jq -e '.ok and .schema.ok and .replay.ok and .seals.checked and
    .seals.sealed > 0 and .seals.unsealedAfterSealed == 0' "$T/out" \
    >/dev/null || fail "intact --json"

# A request's amount raised.
copy amount
sqlite3 "$db" "UPDATE request SET montant_cents = 9999900 WHERE ref = 'BC-1'"
tampered amount 'table request, ligne 1, colonne montant_cents : attendu 486667, trouvé 9999900'
expect_exit 1 segurctl --db "$db" audit bundle --all --out "$T/x.zip" \
    --archive "$T/archive"
expect_grep 'pas de preuves' "$T/err"
[ ! -e "$T/x.zip" ] || fail "a bundle of a tampered ledger"

# A payment's amount raised.
copy payment
sqlite3 "$db" "UPDATE decision SET amount_cents = 999900 WHERE kind = 'advance_paid'"
tampered payment 'table decision, ligne 1/2, colonne amount_cents : attendu 73000, trouvé 999900'

# A decision's amount.
copy grant
sqlite3 "$db" "UPDATE decision SET amount_cents = 300000 WHERE kind = 'grant'"
tampered grant 'table decision, ligne 1/1, colonne amount_cents : attendu 243333'

# ASP's number changed.
copy asp
sqlite3 "$db" "UPDATE request SET numero_asp = 'MS1-DUI-2023-0009999' WHERE id = 1;
    UPDATE attempt SET numero_asp = 'MS1-DUI-2023-0009999' WHERE id = 1"
tampered asp 'table request, ligne 1, colonne numero_asp : attendu "MS1-DUI-2023-0001872", trouvé "MS1-DUI-2023-0009999"' \
    'table attempt, ligne 1/1, colonne numero_asp'

# A rejection turned into an acceptance.
copy flip
sqlite3 "$db" "UPDATE attempt SET outcome = 'accepted', numero_asp = 'X-1',
    code_traitement = NULL WHERE id = 2;
    UPDATE request SET state = 'accepted', numero_asp = 'X-1' WHERE id = 2"
tampered flip 'table attempt, ligne 2/1, colonne outcome : attendu "rejected", trouvé "accepted"' \
    'table request, ligne 2, colonne state : attendu "rejected", trouvé "accepted"' \
    'table state_total, ligne rejected, colonne n : attendu 1, trouvé 0'

# The state totals.
copy totals
sqlite3 "$db" "UPDATE state_total SET cents = cents + 100 WHERE state = 'advance_paid'"
tampered totals 'table state_total, ligne advance_paid, colonne cents : attendu 486667, trouvé 486767'

# The decisions' totals (013): an amount raised, a count lowered, the
# trigger that keeps them dropped.
copy dtotals
sqlite3 "$db" "UPDATE decision_total SET cents = cents + 100
    WHERE state = 'advance_paid' AND kind = 'advance_paid'"
tampered dtotals 'table decision_total, ligne advance_paid/advance_paid, colonne cents : attendu 73000, trouvé 73100'
copy dcount
sqlite3 "$db" "UPDATE decision_total SET n = 0
    WHERE state = 'advance_paid' AND kind = 'grant'"
tampered dcount 'table decision_total, ligne advance_paid/grant, colonne n : attendu 1, trouvé 0'
expect_no_grep '^schéma : NON CONFORME' "$T/out"

# An alert deleted; a quarantine row deleted.
copy alert
sqlite3 "$db" "DELETE FROM alert_delivery; DELETE FROM alert WHERE id = 1"
tampered alert 'table alert, ligne 1 : absente'
copy quarantine
sqlite3 "$db" "DELETE FROM quarantine"
tampered quarantine 'table quarantine, ligne 1 : absente'

# A file row pointed at another archived object.
copy file
sqlite3 "$db" "UPDATE file SET sha256 = (SELECT sha256 FROM file WHERE id = 3) WHERE id = 1"
tampered file 'table file, ligne 1, colonne sha256'

# An anomaly resolved by hand, without its event.
copy resolved
sqlite3 "$db" "UPDATE anomaly SET resolved_at = '2026-12-01T10:00:00Z',
    resolved_by = 'mallory', resolution_note = 'vu avec l''ASP' WHERE id = 1"
tampered resolved 'table anomaly, ligne 1, colonne resolved : attendu 0, trouvé 1' \
    'table anomaly, ligne 1, colonne resolved_by : attendu NULL, trouvé "mallory"' \
    'table anomaly, ligne 1, colonne resolution_note : attendu NULL'
# Resolved as it should be (event anomaly.resolve), then the note rewritten.
copy renote
expect_exit 0 segurctl --db "$db" anomalies resolve \
    --note 'confirmé par l'"'"'ASP : refus maintenu' 1
expect_exit 0 segurctl --db "$db" audit verify --archive "$T/archive"
expect_no_grep 'non prouvé' "$T/out"
sqlite3 "$db" "UPDATE anomaly SET resolution_note = 'accepté' WHERE id = 1"
tampered renote 'table anomaly, ligne 1, colonne resolution_note : attendu "confirmé par l.ASP : refus maintenu", trouvé "accepté"'

# The cancelled file's closure deleted, or turned into a refusal, with
# the triggers that forbid it put back as they were.
fid=$(sqlite3 "$T/seed.db" "SELECT file_id FROM file_closure")
for t in delete edit; do
	copy "closure-$t"
	trg=$(sqlite3 "$db" "SELECT group_concat(sql, ';') FROM sqlite_schema
	    WHERE name IN ('file_closure_no_update', 'file_closure_no_delete')")
	if [ $t = delete ]; then
		change="DELETE FROM file_closure"
	else
		change="UPDATE file_closure SET state = 'refused',
		    reason = 'refusé au dépôt'"
	fi
	sqlite3 "$db" "DROP TRIGGER file_closure_no_update;
	    DROP TRIGGER file_closure_no_delete; $change; $trg;"
done
tampered closure-delete "table file_closure, ligne $fid : absente"
tampered closure-edit \
    "table file_closure, ligne $fid, colonne state : attendu \"cancelled\", trouvé \"refused\"" \
    "table file_closure, ligne $fid, colonne reason : attendu \"jamais déposé\""
expect_no_grep '^schéma : NON CONFORME' "$T/out"

# A cancelled attempt put back to pending, as if still in the file.
copy pending
key=$(sqlite3 "$db" "SELECT request_id || '/' || seq FROM attempt
    WHERE outcome = 'cancelled' ORDER BY id LIMIT 1")
sqlite3 "$db" "UPDATE attempt SET outcome = 'pending', answered_at = NULL WHERE id =
    (SELECT min(id) FROM attempt WHERE outcome = 'cancelled')"
tampered pending "table attempt, ligne $key, colonne outcome : attendu \"cancelled\", trouvé \"pending\""

# Each trigger that forbids edits, dropped; one changed.
for trg in event_no_update event_no_delete event_chained request_no_delete \
    decision_total_insert decision_total_update; do
	copy "drop-$trg"
	sqlite3 "$db" "DROP TRIGGER $trg"
	tampered "drop-$trg" "^schéma : déclencheur $trg absent" \
	    '^schéma : NON CONFORME'
done
copy trigger
sqlite3 "$db" "DROP TRIGGER request_no_delete;
    CREATE TRIGGER request_no_delete BEFORE DELETE ON request
    WHEN OLD.state = 'draft' BEGIN SELECT RAISE(ABORT, 'no'); END"
tampered trigger '^schéma : déclencheur request_no_delete modifié'

# A request_id from NULL to 0, the trigger put back as it was: on a v1
# event (its hash does not see it) and on a v2 one (it does).
for id in 2 $(sqlite3 "$T/seed.db" "SELECT min(id) FROM event WHERE v = 2 AND request_id IS NULL"); do
	copy "zero-$id"
	sql=$(sqlite3 "$db" "SELECT sql FROM sqlite_schema WHERE name = 'event_no_update'")
	sqlite3 "$db" "DROP TRIGGER event_no_update;
	    UPDATE event SET request_id = 0 WHERE id = $id; $sql;"
	tampered "zero-$id" "^journal d'événements ROMPU à l'événement $id"
done

# A forged event appended with a correct v2 hash, chained to the last:
# without a seal, or with a made-up one.
forge() {
	python3 - "$1" "$2" <<'PY'
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
def tf(v):
    if v is None:
        return b"N\n"
    if isinstance(v, int):
        return b"I%d\n" % v
    b = v.encode()
    return b"T%d:" % len(b) + b + b"\n"
last_id, last_hash = db.execute("SELECT id, hash FROM event ORDER BY id DESC LIMIT 1").fetchone()
f = [last_id + 1, "2026-12-01T10:00:00Z", "mallory", "decision.record",
     "decision", "MS1-DUI-2023-0001872", 1, None,
     '{"kind":"balance_paid","amount_cents":500000}', last_hash, 2, None]
h = hashlib.sha256(b"segur-event-v2\n" + b"".join(tf(x) for x in f)).hexdigest()
seal = None if sys.argv[2] == "none" else "ab" * 32
db.execute("INSERT INTO event(id, at, actor, action, entity, entity_key, "
           "request_id, before, after, prev_hash, v, image, hash, seal) "
           "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", f + [h, seal])
db.commit()
PY
}
copy forged
forge "$db" none
tampered forged "^journal d'événements ROMPU à l'événement" 'non scellé après un événement scellé'
# Without the key, the missing seal is still suspicious.
expect_exit 1 env -u SEGUR_AUDIT_KEY_FILE "$SEGURCTL" --db "$db" audit verify \
    --archive "$T/archive"
expect_grep '^sceaux : SUSPECT' "$T/out"
copy badseal
forge "$db" bad
tampered badseal "^journal d'événements ROMPU à l'événement" 'son sceau ne correspond pas à la clé'
# Without the key, a made-up seal cannot be told from a real one: said.
set +e
env -u SEGUR_AUDIT_KEY_FILE "$SEGURCTL" --db "$db" audit verify \
    --archive "$T/archive" >"$T/out" 2>&1
set -e
expect_grep 'sans la clé, les sceaux n.ont pas été vérifiés' "$T/out"
pass
