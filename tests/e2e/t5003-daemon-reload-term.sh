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
wait_log '^<6>surveillance de '
expect_no_grep '^<7>' "$T/segurd.log"

# A valid change applies: debug records appear.
conf debug
kill -HUP "$SEGURD_PID"
wait_log '^<6>.* rechargé$'
touch "$T/inbox/.ignored" "$T/inbox/seen.json"
wait_log '^<7>boîte : seen.json repéré'
get "$port" /metrics
expect_grep '^segurd_config_reloads_total{result="ok"} 1' "$T/resp"

# An invalid one is refused and the running one kept.
conf debug '[inbox]\nsettle = 5\n'
kill -HUP "$SEGURD_PID"
wait_log 'échec du rechargement : la configuration en service est gardée'
expect_grep '^<3>rechargement : .*segurd.conf:7: ' "$T/segurd.log"
get "$port" /healthz
expect_grep '^HTTP/1.1 503 ' "$T/resp"
expect_grep 'invalide, la précédente reste en service' "$T/resp"
get "$port" /metrics
expect_grep '^segurd_config_reloads_total{result="failed"} 1' "$T/resp"

# A restart-only key is reported, the rest applied.
conf info
sed -i 's/^path = inbox$/path = elsewhere/' "$T/segurd.conf"
kill -HUP "$SEGURD_PID"
wait_log '^<6>.* rechargé$' 2
expect_grep '^<4>rechargement : \[inbox\] path passe de .* au prochain redémarrage' \
    "$T/segurd.log"
get "$port" /healthz
expect_grep '^HTTP/1.1 200 OK' "$T/resp"
expect_grep "^boîte $T/inbox : accessible en écriture" "$T/resp"

stop_segurd
[ "$SEGURD_RC" -eq 0 ] || fail "segurd exited $SEGURD_RC on SIGTERM"
expect_grep '^<6>SIGTERM : arrêt' "$T/segurd.log"
expect_grep '^<6>arrêté$' "$T/segurd.log"
expect_no_grep 'resté ouvert' "$T/segurd.log"

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
