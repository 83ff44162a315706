#!/usr/bin/env bash
# The inbox through segurd: a file dropped by rename and one written
# slowly in place are each taken exactly once; 500 files dropped at once
# are all taken; ignored names are ignored. These files are not ASP
# answers: each is quarantined with its reason, never lost, and leaves
# the inbox.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

mkdir "$T/inbox" "$T/stage"
port=$(free_port)
printf '[inbox]\npath = inbox\narchive = archive\nquarantine = quarantine\nsettle = 1s\nrescan = 1h\n[http]\nlisten = 127.0.0.1:%s\n' \
    "$port" >"$T/segurd.conf"
start_segurd "$T/segurd.conf" "$port"

echo '{}' >"$T/stage/renamed.json"
mv "$T/stage/renamed.json" "$T/inbox/"
{
	for i in 1 2 3 4 5 6 7 8; do printf '{"part": %d}\n' "$i"; sleep 0.1; done
} >"$T/inbox/slow.json"
for n in .hidden.json upload.tmp upload.part; do echo '{}' >"$T/inbox/$n"; done
wait_log 'renamed.json : mis en quarantaine'
wait_log 'slow.json : mis en quarantaine'
sleep 1
[ "$(grep -c 'renamed.json : mis en quarantaine' "$T/segurd.log")" -eq 1 ] ||
    fail "renamed.json taken more than once"
[ "$(grep -c 'slow.json : mis en quarantaine' "$T/segurd.log")" -eq 1 ] ||
    fail "slow.json taken more than once"
expect_no_grep 'hidden\|upload' "$T/segurd.log"
[ ! -e "$T/inbox/renamed.json" ] && [ ! -e "$T/inbox/slow.json" ] ||
    fail "a taken file stayed in the inbox"
[ -f "$T/quarantine/renamed.json.reason" ] || fail "no reason kept"
cmp "$T/quarantine/slow.json" - <<'DATA' || fail "slow.json not whole"
{"part": 1}
{"part": 2}
{"part": 3}
{"part": 4}
{"part": 5}
{"part": 6}
{"part": 7}
{"part": 8}
DATA

# 500 files at once.
for i in $(seq -w 1 500); do echo '{}' >"$T/stage/burst-$i.json"; done
mv "$T/stage/"burst-*.json "$T/inbox/"
wait_log 'burst-[0-9]*.json : mis en quarantaine' 500
sleep 1
get "$port" /metrics
expect_grep '^segurd_inbox_files_seen_total 502$' "$T/resp"
expect_grep '^segurd_inbox_files_processed_total 502$' "$T/resp"
expect_grep '^segurd_inbox_files_left_total 0$' "$T/resp"
expect_grep '^segur_files_quarantined_total 502$' "$T/resp"
[ "$(grep -c 'burst-[0-9]*.json : mis en quarantaine' "$T/segurd.log")" -eq 500 ] ||
    fail "a burst file was taken twice"
[ "$(ls "$T/quarantine" | grep -c '^burst-[0-9]*\.json$')" -eq 500 ] ||
    fail "a burst file is missing from the quarantine"

stop_segurd
[ "$SEGURD_RC" -eq 0 ] || fail "segurd exited $SEGURD_RC on SIGTERM"
pass

