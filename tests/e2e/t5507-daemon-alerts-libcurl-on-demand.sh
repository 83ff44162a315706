#!/usr/bin/env bash
# segurd maps libcurl only when an alert is due (daemon/curl-load.h): with
# a webhook configured and nothing to send, libcurl is not in its memory
# and /healthz says so. When it cannot be loaded (SEGURD_LIBCURL naming a
# missing file), the alert is not lost: the log says why, /healthz
# answers 503 with the reason, --check-config fails, and the alert stays
# undelivered in the ledger until a restart that can load libcurl sends
# it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"
. "$(dirname "$0")/daemon-lib.sh"
. "$(dirname "$0")/alerts-lib.sh"

MISSING=/nonexistent/libcurl.so.4

libcurl_mapped() {
	grep -q "/libcurl[^/]*\.so" "/proc/$SEGURD_PID/maps"
}

seed_built
write_secret
port=$(free_port)
hport=$(free_port)
start_server webhook-receiver "$T/hook.log" "$hport" --secret "$SECRET"
write_conf "$port" "$hport"

# --check-config loads libcurl when a channel needs it.
expect_exit 0 "$SEGURD" --check-config -c "$T/segurd.conf"
SEGURD_LIBCURL=$MISSING expect_exit 1 "$SEGURD" --check-config \
    -c "$T/segurd.conf"
expect_grep "impossible de charger libcurl ($MISSING), nécessaire à l'envoi des alertes" \
    "$T/err"
expect_grep 'configuration invalide' "$T/err"
# Without a channel, libcurl is not needed.
printf '[inbox]\npath = inbox\n' >"$T/nochannel.conf"
SEGURD_LIBCURL=$MISSING expect_exit 0 "$SEGURD" --check-config \
    -c "$T/nochannel.conf"

# 1. A channel, nothing due: libcurl is not mapped; /healthz is ok.
export SEGURD_LIBCURL=$MISSING
start_segurd "$T/segurd.conf" "$port"
unset SEGURD_LIBCURL
wait_log 'alertes : 1 canal'
get "$port" /healthz
expect_grep '^HTTP/1.1 200 OK' "$T/resp"
expect_grep '^envoi : libcurl pas encore chargée' "$T/resp"
libcurl_mapped && fail "libcurl mapped with nothing to deliver"

# 2. An alert is due and libcurl cannot be loaded.
drop_return
wait_log 'webhook:ops : impossible de charger libcurl'
expect_grep "^<3>alertes : envoi : impossible de charger libcurl ($MISSING), nécessaire à l'envoi des alertes : .*installez le paquet Debian libcurl4" \
    "$T/segurd.log"
get "$port" /healthz
expect_grep '^HTTP/1.1 503' "$T/resp"
expect_grep '^not ok$' "$T/resp"
expect_grep "^envoi : impossible de charger libcurl ($MISSING)" "$T/resp"
libcurl_mapped && fail "libcurl mapped although it could not be loaded"
stop_segurd
[ "$SEGURD_RC" -eq 0 ] || fail "segurd exited $SEGURD_RC"
[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM alert_delivery WHERE state = 'delivered'")" -eq 0 ] ||
    fail "recorded delivered without libcurl"
expect_no_grep '"event": "delivered"' "$T/hook.log"

# 3. Restarted where libcurl loads: the alert goes out, once.
start_segurd "$T/segurd.conf" "$port"
wait_sql "SELECT state FROM alert_delivery WHERE alert_id = 1" delivered
wait_count "$T/hook.log" '"event": "delivered"' 1
libcurl_mapped || fail "libcurl not mapped after a delivery"
get "$port" /healthz
expect_grep '^HTTP/1.1 200 OK' "$T/resp"
expect_grep '^envoi : libcurl [0-9.]* chargée' "$T/resp"
expect_grep 'envoi : libcurl [0-9.]* chargée' "$T/segurd.log"
stop_segurd
[ "$SEGURD_RC" -eq 0 ] || fail "segurd exited $SEGURD_RC"
[ "$(grep -c '"event": "delivered"' "$T/hook.log")" -eq 1 ] ||
    fail "not delivered exactly once"
pass
