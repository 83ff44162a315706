#!/usr/bin/env bash
# On its start segurd does not flood a channel: 8 reminders queued while
# it was stopped (more than the handful of alerts.c's STARTUP_DIGEST_OVER)
# go out as one digest listing all 8, each recorded delivered; a backlog
# of 2 at the next start goes one by one as usual. (Reminders segurd queues
# itself after start are no backlog: t5506.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"
. "$(dirname "$0")/daemon-lib.sh"
. "$(dirname "$0")/alerts-lib.sh"

setup_ledger
gen_requests 1 8
expect_exit 0 segurctl build --out "$T/files"
# The same "today" for segurd, whose own check then finds nothing new.
export SEGUR_TEST_TODAY=$(date -u -d "$(date -u +%F) +8 days" +%F)
expect_exit 0 segurctl remind
expect_grep '^8 relances mises en file\.$' "$T/out"

mkdir -p "$T/inbox"
write_secret
port=$(free_port)
hport=$(free_port)
start_server webhook-receiver "$T/hook.log" "$hport" --secret "$SECRET"
write_conf "$port" "$hport"
start_segurd "$T/segurd.conf" "$port"
wait_sql "SELECT count(*) FROM alert_delivery WHERE state = 'delivered'" 8
[ "$(grep -c '"event": "delivered"' "$T/hook.log")" -eq 1 ] ||
    fail "not one message: $(cat "$T/hook.log")"
h=$(grep '"event": "delivered"' "$T/hook.log")
[ "$(jq -r .body.type <<<"$h")" = segur.alert.digest ] || fail "type: $h"
[ "$(jq -r '.body.data.facts.alerts | length' <<<"$h")" -eq 8 ] ||
    fail "the digest does not list 8: $h"
[ "$(jq -r '.body.data.facts.alerts[].kind' <<<"$h" | sort -u)" = reminder ] ||
    fail "kinds: $h"

gen_requests 9 2
expect_exit 0 segurctl build --out "$T/files2"
stop_segurd
[ "$SEGURD_RC" -eq 0 ] || fail "segurd exited $SEGURD_RC"
# Two pending at the next start: a handful, sent as they are.
expect_exit 0 segurctl remind
expect_grep '^2 relances mises en file\.$' "$T/out"
start_segurd "$T/segurd.conf" "$port"
wait_sql "SELECT count(*) FROM alert_delivery WHERE state = 'delivered'" 10
stop_segurd
[ "$SEGURD_RC" -eq 0 ] || fail "segurd exited $SEGURD_RC"
[ "$(grep -c '"event": "delivered"' "$T/hook.log")" -eq 3 ] ||
    fail "not 1 digest + 2: $(cat "$T/hook.log")"
[ "$(grep '"event": "delivered"' "$T/hook.log" | tail -2 |
    jq -r .body.type | sort -u)" = segur.alert.reminder ] ||
    fail "the last two are not single reminders: $(tail -2 "$T/hook.log")"
expect_no_grep '"event": "duplicate"' "$T/hook.log"
pass
