#!/usr/bin/env bash
# The inbox through segurd: a file dropped by rename and one written
# slowly in place are each taken exactly once; 500 files dropped at once
# are all taken; ignored names are ignored. No ingest is linked into this
# segurd yet (see docs/internals/daemon.md), so each taken file is
# refused, logged once and left in the inbox: nothing is lost.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

mkdir "$T/inbox" "$T/stage"
port=$(free_port)
printf '[inbox]\npath = inbox\nsettle = 1s\nrescan = 1h\n[http]\nlisten = 127.0.0.1:%s\n' \
    "$port" >"$T/segurd.conf"
start_segurd "$T/segurd.conf" "$port"

echo '{}' >"$T/stage/renamed.json"
mv "$T/stage/renamed.json" "$T/inbox/"
{
	for i in 1 2 3 4 5 6 7 8; do printf '{"part": %d}\n' "$i"; sleep 0.1; done
} >"$T/inbox/slow.json"
for n in .hidden.json upload.tmp upload.part; do echo '{}' >"$T/inbox/$n"; done
wait_log 'inbox: renamed.json: this segurd has no ingest'
wait_log 'inbox: slow.json: this segurd has no ingest'
sleep 1
[ "$(grep -c 'inbox: renamed.json: ' "$T/segurd.log")" -eq 1 ] ||
    fail "renamed.json taken more than once"
[ "$(grep -c 'inbox: slow.json: ' "$T/segurd.log")" -eq 1 ] ||
    fail "slow.json taken more than once"
expect_no_grep 'hidden\|upload' "$T/segurd.log"
[ -f "$T/inbox/renamed.json" ] && [ -f "$T/inbox/slow.json" ] ||
    fail "a refused file left the inbox"

# 500 files at once.
for i in $(seq -w 1 500); do echo '{}' >"$T/stage/burst-$i.json"; done
mv "$T/stage/"burst-*.json "$T/inbox/"
wait_log 'inbox: burst-[0-9]*.json: this segurd has no ingest' 500
sleep 1
get "$port" /metrics
expect_grep '^segurd_inbox_files_seen_total 502$' "$T/resp"
expect_grep '^segurd_inbox_files_failed_total 502$' "$T/resp"
expect_grep '^segurd_inbox_files_left_total 502$' "$T/resp"
[ "$(grep -c 'inbox: burst-[0-9]*.json: this' "$T/segurd.log")" -eq 500 ] ||
    fail "a burst file was taken twice"

stop_segurd
[ "$SEGURD_RC" -eq 0 ] || fail "segurd exited $SEGURD_RC on SIGTERM"
pass
