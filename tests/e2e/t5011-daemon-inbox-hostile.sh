#!/usr/bin/env bash
# A hostile inbox (issue 18). The test hook SEGUR_TEST_INBOX_SWAP swaps
# the file, between segurd's lstat() and its open, for a symbolic link to
# a secret (not read, not archived, nothing of it in the reason, alert or
# log: the link itself goes to the quarantine), then for a FIFO (segurd
# does not block: /healthz answers 200, SIGTERM stops it at once). Then,
# without the hook: a socket and a folder dropped in the inbox go to the
# quarantine with a reason and an alert; a 250-byte name is quarantined
# under a shortened name; a 201-line answer is refused whole (nothing
# applied, one alert); an answer with many anomalies raises one summary
# alert; leftover archive/*.tmp.* files are removed at start.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"
. "$(dirname "$0")/daemon-lib.sh"
need_fault_injection

build_examples

mkdir -p "$T/inbox" "$T/stage"
port=$(free_port)
printf '[ledger]\npath = ledger.db\n[inbox]\npath = inbox\narchive = archive\nquarantine = quarantine\nsettle = 200ms\nrescan = 1s\n[reminders]\nchain_head = 0\n[http]\nlisten = 127.0.0.1:%s\n' \
    "$port" >"$T/segurd.conf"
alerts() { sqlite3 "$SEGUR_DB" "SELECT count(*) FROM alert"; }
quarantined() { sqlite3 "$SEGUR_DB" "SELECT count(*) FROM quarantine"; }
# drop NAME [FILE]: renames FILE (the example's answer) into the inbox.
drop() {
	cp "${2:-$DATA/JSON-2023000042-20231002-001.retour.json}" "$T/stage/$1"
	mv "$T/stage/$1" "$T/inbox/"
}

# 1. A link swapped in after the check: moved aside, never followed.
printf 'SECRET\001CONTENT\n' >"$T/secret"
chmod 600 "$T/secret"
SEGUR_TEST_INBOX_SWAP="symlink:$T/secret" start_segurd "$T/segurd.conf" "$port"
drop swapped.json
wait_log 'swapped.json : mis en quarantaine : lien symbolique'
[ -L "$T/quarantine/swapped.json" ] || fail "the link is not in the quarantine"
[ "$(readlink "$T/quarantine/swapped.json")" = "$T/secret" ] || fail "not the link"
[ "$(cat "$T/secret")" = "$(printf 'SECRET\001CONTENT')" ] || fail "secret changed"
! grep -rq SECRET "$T/archive" || fail "the secret was archived"
[ ! -e "$T/inbox/swapped.json" ] && [ ! -L "$T/inbox/swapped.json" ] ||
    fail "left in the inbox"
expect_no_grep 'SECRET' "$T/segurd.log"
sqlite3 "$SEGUR_DB" "SELECT reason FROM quarantine; SELECT body FROM alert" >"$T/rows"
expect_grep 'lien symbolique' "$T/rows"
expect_no_grep 'SECRET' "$T/rows"
[ "$(alerts)" -eq 1 ] || fail "not one alert for the link"
stop_segurd
[ "$SEGURD_RC" -eq 0 ] || fail "segurd exited $SEGURD_RC"

# 2. A FIFO swapped in: no blocking open; healthz 200; SIGTERM quick.
: >"$T/segurd.log"
SEGUR_TEST_INBOX_SWAP=fifo start_segurd "$T/segurd.conf" "$port"
drop fifo.json
wait_log 'fifo.json : mis en quarantaine : FIFO'
[ -p "$T/quarantine/fifo.json" ] || fail "the FIFO is not in the quarantine"
get "$port" /healthz
expect_grep '^ok$' "$T/resp"
start=$(date +%s%N)
stop_segurd
ms=$((($(date +%s%N) - start) / 1000000))
[ "$SEGURD_RC" -eq 0 ] || fail "segurd exited $SEGURD_RC"
[ "$ms" -lt 3000 ] || fail "SIGTERM took ${ms}ms"

# 3. No hook. Leftovers of a crash in the archive go at start.
mkdir -p "$T/archive"
printf 'half' >"$T/archive/$(printf '0%.0s' $(seq 64)).tmp.4194999"
: >"$T/segurd.log"
start_segurd "$T/segurd.conf" "$port"
wait_log '0*\.tmp\.4194999 supprimé, laissé par une écriture interrompue'
[ "$(ls "$T/archive" | grep -c tmp)" -eq 0 ] || fail "leftover kept"

# A socket and a folder.
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' \
    "$T/inbox/sock.json"
mkdir "$T/stage/dir.json" && mv "$T/stage/dir.json" "$T/inbox/"
wait_log 'sock.json : mis en quarantaine : socket'
wait_log 'dir.json : mis en quarantaine : dossier'
[ -S "$T/quarantine/sock.json" ] || fail "socket not in the quarantine"
[ -d "$T/quarantine/dir.json" ] || fail "folder not in the quarantine"
[ "$(quarantined)" -eq 4 ] || fail "not 4 quarantine rows"
[ "$(alerts)" -eq 4 ] || fail "not one alert each"

# A 250-byte name.
long=$(printf 'y%.0s' $(seq 245)).json
printf 'not json\n' >"$T/stage/$long"
mv "$T/stage/$long" "$T/inbox/"
wait_log 'mis en quarantaine : le fichier n.est pas du JSON.*nom trop long pour la quarantaine'
[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM quarantine WHERE name = '$long'")" -eq 1 ] ||
    fail "original long name not in the quarantine row"
ls "$T/quarantine" | grep -q '^y*~[0-9a-f]\{16\}$' || fail "no shortened name"
[ ! -e "$T/inbox/$long" ] || fail "long name left in the inbox"

# 201 lines: refused whole, one alert, nothing applied.
jq '.lignesImport as $l | .lignesImport = [range(201) as $i | $l[0] | .numLigne = $i + 1]' \
    "$DATA/JSON-2023000042-20231002-001.retour.json" >"$T/big.json"
a0=$(alerts)
drop big.json "$T/big.json"
wait_log 'big.json : mis en quarantaine : 201 lignes dans lignesImport'
[ "$(alerts)" -eq $((a0 + 1)) ] || fail "201 lines: not exactly one alert"
[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM attempt WHERE outcome != 'pending'")" -eq 0 ] ||
    fail "201 lines: a line was applied"

# Many anomalies (12 numeroEditeur never sent, each with a numeroASP of
# its own, line 2 missing): the file
# is recorded, its accepted line too, and ONE alert sums the anomalies up.
jq '.lignesImport as $l | .lignesImport = [$l[0]] + [range(12) as $i |
    $l[0] | .numeroEditeur = ("9" + (1000 + $i | tostring)) |
    .numeroASP = ("MS1-DUI-2023-99" + (1000 + $i | tostring)) |
    .numLigne = $i + 2]' \
    "$DATA/JSON-2023000042-20231002-001.retour.json" >"$T/many.json"
a0=$(alerts)
drop many.json "$T/many.json"
wait_log 'many.json : réponses .*1 acceptée(s), 0 rejetée(s), 13 anomalie(s)'
[ "$(alerts)" -eq $((a0 + 1)) ] || fail "many anomalies: not one alert"
sqlite3 "$SEGUR_DB" "SELECT body FROM alert ORDER BY id DESC LIMIT 1" >"$T/digest"
expect_grep '13 anomalies dans ce fichier' "$T/digest"
expect_grep '12 unknown_numero_editeur' "$T/digest"
expect_grep '1 line_missing' "$T/digest"
[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM anomaly")" -eq 13 ] ||
    fail "anomalies not all recorded"

get "$port" /healthz
expect_grep '^ok$' "$T/resp"
stop_segurd
[ "$SEGURD_RC" -eq 0 ] || fail "segurd exited $SEGURD_RC"
[ -z "$(ls -A "$T/inbox")" ] || fail "inbox not empty: $(ls -A "$T/inbox")"
pass
