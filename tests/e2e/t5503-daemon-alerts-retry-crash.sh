#!/usr/bin/env bash
# Delivery is never lost: a receiver failing 3 times then answering gets
# the alert exactly once more (the ledger counts 4 tries); segurd killed
# (SIGKILL) while a delivery is in progress, restarted, delivers it: the
# receiver has it once (a second copy, if the first had arrived, carries
# the same webhook-id and is counted a duplicate); stopped (SIGTERM)
# during a delivery, segurd records it pending and sends it at the next
# start.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"
. "$(dirname "$0")/daemon-lib.sh"
. "$(dirname "$0")/alerts-lib.sh"

seed_built
write_secret
port=$(free_port)

# 1. Three failures, then success.
hport=$(free_port)
start_server webhook-receiver "$T/hook1.log" "$hport" --secret "$SECRET" \
    --fail-first 3
write_conf "$port" "$hport"
start_segurd "$T/segurd.conf" "$port"
drop_return
wait_sql "SELECT state || ' ' || tries FROM alert_delivery" 'delivered 4'
stop_segurd
[ "$SEGURD_RC" -eq 0 ] || fail "segurd exited $SEGURD_RC"
[ "$(grep -c '"event": "failed"' "$T/hook1.log")" -eq 3 ] || fail "not 3 failures"
[ "$(grep -c '"event": "delivered"' "$T/hook1.log")" -eq 1 ] || fail "not delivered once"
expect_no_grep '"event": "duplicate"' "$T/hook1.log"
expect_grep 'alert-000001 envoyée à webhook:ops (4 essais)' "$T/segurd.log"
_servers_kill

# 2. Killed while the receiver holds the request (it answers after 4 s).
cp "$T/built.db" "$SEGUR_DB"
rm -f "$SEGUR_DB-wal" "$SEGUR_DB-shm"
: >"$T/segurd.log"
hport=$(free_port)
start_server webhook-receiver "$T/hook2.log" "$hport" --secret "$SECRET" \
    --slow-first 1 --slow 4
write_conf "$port" "$hport"
start_segurd "$T/segurd.conf" "$port"
drop_return
wait_log 'soumise(s) à webhook:ops'
kill -KILL "$SEGURD_PID"
wait "$SEGURD_PID" 2>/dev/null || true
SEGURD_PID=
[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM alert_delivery WHERE state = 'delivered'")" -eq 0 ] ||
    fail "recorded delivered before the receiver answered"
start_segurd "$T/segurd.conf" "$port"
wait_sql "SELECT state FROM alert_delivery WHERE alert_id = 1" delivered
stop_segurd
[ "$SEGURD_RC" -eq 0 ] || fail "segurd exited $SEGURD_RC"
# The held request ends too; the receiver then has one delivery and, if
# the first copy reached it, one duplicate of the same id.
wait_count "$T/hook2.log" '"id": "alert-000001"' 1
[ "$(grep -c '"event": "delivered"' "$T/hook2.log")" -eq 1 ] ||
    fail "delivered $(grep -c '"event": "delivered"' "$T/hook2.log") times"
[ "$(jq -r .id "$T/hook2.log" | sort -u)" = alert-000001 ] || fail "other ids"
[ "$(grep -c '"event": "duplicate"' "$T/hook2.log")" -le 1 ] || fail "duplicates"
[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM alert")" -eq 1 ] || fail "alerts"
expect_exit 0 segurctl audit verify
_servers_kill

# 3. Stopped (SIGTERM) while the receiver holds the request: the delivery
# is recorded pending, with its attempt, and sent at the next start.
cp "$T/built.db" "$SEGUR_DB"
rm -f "$SEGUR_DB-wal" "$SEGUR_DB-shm"
: >"$T/segurd.log"
hport=$(free_port)
# The receiver holds it long enough for a loaded machine to reach the stop.
start_server webhook-receiver "$T/hook3.log" "$hport" --secret "$SECRET" \
    --slow-first 1 --slow 15
write_conf "$port" "$hport"
start_segurd "$T/segurd.conf" "$port"
drop_return
wait_log 'soumise(s) à webhook:ops'
get "$port" /metrics
expect_grep '^segurd_alerts_in_flight 1$' "$T/resp"
stop_segurd
[ "$SEGURD_RC" -eq 0 ] || fail "segurd exited $SEGURD_RC"
expect_grep 'alert-000001 vers webhook:ops interrompue par l.arrêt' "$T/segurd.log"
[ "$(sqlite3 "$SEGUR_DB" "SELECT state FROM alert_delivery")" = pending ] ||
    fail "not recorded pending: $(sqlite3 "$SEGUR_DB" "SELECT * FROM alert_delivery")"
[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM event WHERE action = 'alert.retry'")" -eq 1 ] ||
    fail "no alert.retry event"
expect_exit 0 segurctl alerts list --state pending
expect_grep '^alert-000001 .* à livrer' "$T/out"
start_segurd "$T/segurd.conf" "$port"
wait_sql "SELECT state FROM alert_delivery" delivered
stop_segurd
[ "$SEGURD_RC" -eq 0 ] || fail "segurd exited $SEGURD_RC"
wait_count "$T/hook3.log" '"event": "delivered"' 1
[ "$(grep -c '"event": "delivered"' "$T/hook3.log")" -eq 1 ] || fail "delivered twice"
expect_exit 0 segurctl audit verify
pass
