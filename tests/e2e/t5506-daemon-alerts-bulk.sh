#!/usr/bin/env bash
# Many alerts at once: 250 reminders (more than one read of the outbox
# takes), queued by segurd's own check at start-up, all reach the webhook,
# each exactly once, and the ledger records each delivered. (Queued before
# segurd starts, they would be a backlog, sent as digests: t5508.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"
. "$(dirname "$0")/daemon-lib.sh"
. "$(dirname "$0")/alerts-lib.sh"

setup_ledger
gen_requests 1 250
expect_exit 0 segurctl build --out "$T/files"
export SEGUR_TEST_TODAY=$(date -u -d "$(date -u +%F) +8 days" +%F)

mkdir -p "$T/inbox"
write_secret
port=$(free_port)
hport=$(free_port)
start_server webhook-receiver "$T/hook.log" "$hport" --secret "$SECRET"
write_conf "$port" "$hport"
start_segurd "$T/segurd.conf" "$port"
wait_sql "SELECT count(*) FROM alert_delivery WHERE state = 'delivered'" 250
stop_segurd
[ "$SEGURD_RC" -eq 0 ] || fail "segurd exited $SEGURD_RC"
[ "$(grep -c '"event": "delivered"' "$T/hook.log")" -eq 250 ] || fail "not 250"
[ "$(jq -r .id "$T/hook.log" | sort -u | wc -l)" -eq 250 ] || fail "ids"
expect_no_grep '"event": "duplicate"' "$T/hook.log"
expect_no_grep '"event": "bad-signature"' "$T/hook.log"
expect_exit 0 segurctl audit verify
pass
