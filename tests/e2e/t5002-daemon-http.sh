#!/usr/bin/env bash
# segurd's HTTP endpoint on a free loopback port and on a Unix socket:
# /healthz, /metrics (checked by a strict Prometheus text parser),
# /api/v1/status, 404, 405 with Allow, oversize requests 431/413.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

mkdir "$T/inbox"
port=$(free_port)
printf '[inbox]\npath = inbox\n[http]\nlisten = 127.0.0.1:%s\nmax_request_bytes = 2048\n' \
    "$port" >"$T/segurd.conf"
start_segurd "$T/segurd.conf" "$port"

get "$port" /healthz
expect_grep '^HTTP/1.1 200 OK' "$T/resp"
expect_grep '^ok$' "$T/resp"
expect_grep "^boîte $T/inbox : accessible en écriture" "$T/resp"

get "$port" /metrics
expect_grep '^HTTP/1.1 200 OK' "$T/resp"
expect_grep '^Content-Type: text/plain; version=0.0.4' "$T/resp"
sed '1,/^\r$/d' "$T/resp" >"$T/metrics"
$PROM_CHECK "$T/metrics" || fail "/metrics is not valid exposition text"
expect_grep '^segurd_inbox_files_seen_total 0$' "$T/metrics"
expect_grep '^segurd_build_info{version="' "$T/metrics"

# The checker itself refuses what Prometheus would.
for bad in 'x_total{a="1"} 1\nx_total{a="1"} 2\n' \
    '# TYPE c counter\nc 1\n' 'm{a="b\\q"} 1\n' 'm 1' 'm one\n' \
    'a 1\nb 1\na 2\n' '9m 1\n' '# TYPE m gauge\n# TYPE m gauge\nm 1\n'; do
	printf "$bad" >"$T/bad.prom"
	if $PROM_CHECK "$T/bad.prom" 2>/dev/null; then
		fail "prom-check accepted: $bad"
	fi
done

get "$port" /api/v1/status
expect_grep '^HTTP/1.1 200 OK' "$T/resp"
expect_grep '^Content-Type: application/json' "$T/resp"
sed '1,/^\r$/d' "$T/resp" | jq -e ".inbox.path == \"$T/inbox\"" >/dev/null ||
    fail "status JSON lacks the inbox"

get "$port" /nothing-here
expect_grep '^HTTP/1.1 404 Not Found' "$T/resp"
$HTTP_REQ "$port" "DELETE /metrics HTTP/1.1

" >"$T/resp"
expect_grep '^HTTP/1.1 405 Method Not Allowed' "$T/resp"
expect_grep '^Allow: GET, HEAD' "$T/resp"
$HTTP_REQ "$port" "HEAD /healthz HTTP/1.1

" >"$T/resp"
expect_grep '^HTTP/1.1 200 OK' "$T/resp"
expect_no_grep '^ok$' "$T/resp"

# Headers over max_request_bytes: 431; a declared body over it: 413.
{
	printf 'GET /healthz HTTP/1.1\r\n'
	for i in $(seq 1 100); do printf 'X-Pad-%d: %040d\r\n' "$i" 0; done
	printf '\r\n'
} >"$T/big.req"
$HTTP_REQ "$port" "@$T/big.req" >"$T/resp"
expect_grep '^HTTP/1.1 431 ' "$T/resp"
$HTTP_REQ "$port" "GET /healthz HTTP/1.1
Content-Length: 999999

" >"$T/resp"
expect_grep '^HTTP/1.1 413 ' "$T/resp"
# Garbage: 400; and segurd is still there.
$HTTP_REQ "$port" "NOT HTTP AT ALL

" >"$T/resp"
expect_grep '^HTTP/1.1 400 ' "$T/resp"

# Health follows the inbox: gone means 503 and why.
mv "$T/inbox" "$T/inbox.away"
get "$port" /healthz
expect_grep '^HTTP/1.1 503 ' "$T/resp"
expect_grep "^boîte $T/inbox : absente" "$T/resp"
mv "$T/inbox.away" "$T/inbox"
get "$port" /healthz
expect_grep '^HTTP/1.1 200 OK' "$T/resp"

stop_segurd
[ "$SEGURD_RC" -eq 0 ] || fail "segurd exited $SEGURD_RC on SIGTERM"

# The same on a Unix socket, and a taken port fails at start-up.
printf '[inbox]\npath = inbox\n[http]\nlisten = unix:%s/segurd.sock\n' \
    "$T" >"$T/unix.conf"
start_segurd "$T/unix.conf" "unix:$T/segurd.sock"
get "unix:$T/segurd.sock" /healthz
expect_grep '^HTTP/1.1 200 OK' "$T/resp"
[ "$(stat -c %a "$T/segurd.sock")" = 660 ] || fail "socket mode not 660"
python3 -c 'import socket,sys,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1",int(sys.argv[1]))); s.listen(1); time.sleep(30)' \
    "$port" &
holder=$!
i=0
until python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])))' \
    "$port" 2>/dev/null; do
	i=$((i + 1))
	[ "$i" -lt 100 ] || fail "the port holder did not start"
	sleep 0.1
done
expect_exit 1 "$SEGURD" -c "$T/segurd.conf"
expect_grep "impossible d'écouter sur 127.0.0.1:$port" "$T/err"
kill "$holder"
stop_segurd
[ "$SEGURD_RC" -eq 0 ] || fail "segurd exited $SEGURD_RC on SIGTERM"
pass
