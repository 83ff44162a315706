#!/usr/bin/env bash
# Slow HTTP clients: with every slot taken by clients that sent half a
# request line, /healthz still answers within a second (the oldest slow
# one is evicted); one client beyond [http] max_per_client evicts its own
# oldest, not another client's; the deadline answers 408 and frees the
# slot at once; only HTTP/1.0 and 1.1 are spoken.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

SLOW="python3 $SEGUR_SOURCE_DIR/tests/e2e/http-slow.py"
mkdir "$T/inbox"
port=$(free_port)
conf() {
	printf '[inbox]\npath = inbox\n[http]\nlisten = 127.0.0.1:%s\nclient_timeout = %s\nmax_per_client = %s\n[log]\nlevel = debug\n' \
	    "$port" "$1" "$2" >"$T/segurd.conf"
}
conf 30s 8
start_segurd "$T/segurd.conf" "$port"

timeout 30 $SLOW "$port" full >"$T/out" || fail "full table: $(cat "$T/out")"
timeout 30 $SLOW "$port" per-client 8 >"$T/out" ||
    fail "per client: $(cat "$T/out")"
expect_grep "^<7>http : fermeture d'une connexion de 127.0.0.10 " "$T/segurd.log"
get "$port" /metrics
expect_grep '^segurd_http_connections_evicted_total 2$' "$T/resp"

# The deadline: 408 and closed then, not a second timeout later.
conf 1s 8
kill -HUP "$SEGURD_PID"
wait_log '^<6>.* rechargé$'
timeout 30 $SLOW "$port" deadline 1000 >"$T/out" ||
    fail "deadline: $(cat "$T/out")"

# Versions.
$HTTP_REQ "$port" "GET /healthz HTTP/9.9
Host: localhost

" >"$T/resp"
expect_grep '^HTTP/1.1 505 HTTP Version Not Supported' "$T/resp"
$HTTP_REQ "$port" "GET /healthz

" >"$T/resp"
expect_grep '^HTTP/1.1 400 Bad Request' "$T/resp"
expect_grep 'sans version HTTP' "$T/resp"
$HTTP_REQ "$port" "GET /healthz HTTP/1.0

" >"$T/resp"
expect_grep '^HTTP/1.1 200 OK' "$T/resp"

stop_segurd
[ "$SEGURD_RC" -eq 0 ] || fail "segurd exited $SEGURD_RC on SIGTERM"
expect_no_grep 'resté ouvert' "$T/segurd.log"
pass
