#!/usr/bin/env bash
# Run as systemd would (NOTIFY_SOCKET, WATCHDOG_USEC), segurd sends
# READY=1 with a STATUS=, WATCHDOG=1 pings, RELOADING=1 then READY=1 on
# SIGHUP, and STOPPING=1 on SIGTERM.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

mkdir "$T/inbox"
port=$(free_port)
printf '[inbox]\npath = inbox\n[http]\nlisten = 127.0.0.1:%s\n' "$port" \
    >"$T/segurd.conf"
# A datagram socket standing for systemd's, writing what it receives.
python3 -c 'import socket,sys
s=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1])
f=open(sys.argv[2], "a")
while True:
    m=s.recv(4096).decode()
    f.write(m.replace("\n", "|") + "\n"); f.flush()' \
    "$T/notify.sock" "$T/notify.log" &
receiver=$!
trap 'rc=$?; kill $receiver 2>/dev/null; _segurd_kill; (exit $rc); _cleanup' EXIT
i=0
until [ -S "$T/notify.sock" ]; do
	i=$((i + 1)); [ "$i" -lt 100 ] || fail "no notify socket"; sleep 0.1
done

NOTIFY_SOCKET=$T/notify.sock WATCHDOG_USEC=200000 \
    start_segurd "$T/segurd.conf" "$port"
wait_notify() {
	i=0
	until grep -q -e "$1" "$T/notify.log" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -lt 300 ] || { cat "$T/notify.log" >&2; fail "no '$1'"; }
		sleep 0.1
	done
}
wait_notify '^READY=1|STATUS=surveille .*/inbox, sert 127.0.0.1:'
wait_notify '^WATCHDOG=1|STATUS='
kill -HUP "$SEGURD_PID"
wait_notify '^RELOADING=1$'
i=0
until [ "$(grep -c '^READY=1' "$T/notify.log")" -ge 2 ]; do
	i=$((i + 1))
	[ "$i" -lt 300 ] || { cat "$T/notify.log" >&2; fail "no READY=1 after reload"; }
	sleep 0.1
done
stop_segurd
[ "$SEGURD_RC" -eq 0 ] || fail "segurd exited $SEGURD_RC"
wait_notify '^STOPPING=1$'
pass
