#!/usr/bin/env bash
# SIGHUP reloads the configuration; a bad one is refused, logged with its
# line, shown by /healthz, and the running one kept; SIGTERM exits 0
# with every handle closed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

mkdir "$T/inbox"
port=$(free_port)
conf() {
	printf '[inbox]\npath = inbox\n[http]\nlisten = 127.0.0.1:%s\n[log]\nlevel = %s\n%s' \
	    "$port" "$1" "${2:-}" >"$T/segurd.conf"
}
conf info
start_segurd "$T/segurd.conf" "$port"
wait_log '^<6>watching '
expect_no_grep '^<7>' "$T/segurd.log"

# A valid change applies: debug records appear.
conf debug
kill -HUP "$SEGURD_PID"
wait_log '^<6>reloaded '
touch "$T/inbox/.ignored" "$T/inbox/seen.json"
wait_log '^<7>inbox: noticed seen.json'
get "$port" /metrics
expect_grep '^segurd_config_reloads_total{result="ok"} 1' "$T/resp"

# An invalid one is refused and the running one kept.
conf debug '[inbox]\nsettle = 5\n'
kill -HUP "$SEGURD_PID"
wait_log 'reload failed: keeping the running configuration'
expect_grep '^<3>reload: .*segurd.conf:7: ' "$T/segurd.log"
get "$port" /healthz
expect_grep '^HTTP/1.1 503 ' "$T/resp"
expect_grep 'invalid, running on the previous one' "$T/resp"
get "$port" /metrics
expect_grep '^segurd_config_reloads_total{result="failed"} 1' "$T/resp"

# A restart-only key is reported, the rest applied.
conf info
sed -i 's/^path = inbox$/path = elsewhere/' "$T/segurd.conf"
kill -HUP "$SEGURD_PID"
wait_log '^<6>reloaded ' 2
expect_grep '^<4>reload: \[inbox\] path changed from .* at the next restart' \
    "$T/segurd.log"
get "$port" /healthz
expect_grep '^HTTP/1.1 200 OK' "$T/resp"
expect_grep "^inbox $T/inbox: writable" "$T/resp"

stop_segurd
[ "$SEGURD_RC" -eq 0 ] || fail "segurd exited $SEGURD_RC on SIGTERM"
expect_grep '^<6>SIGTERM: stopping' "$T/segurd.log"
expect_grep '^<6>stopped$' "$T/segurd.log"
expect_no_grep 'left open' "$T/segurd.log"

# SIGINT too.
conf info
start_segurd "$T/segurd.conf" "$port"
kill -INT "$SEGURD_PID"
set +e
wait "$SEGURD_PID"
rc=$?
set -e
SEGURD_PID=
[ "$rc" -eq 0 ] || fail "segurd exited $rc on SIGINT"
# Every record is one line with a journald priority prefix.
if grep -v '^<[2-7]>' "$T/segurd.log"; then
	fail "a log line without a priority prefix"
fi
pass
