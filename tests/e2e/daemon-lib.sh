# daemon-lib.sh: what the segurd end-to-end tests source after lib.sh.
#
# start_segurd CONF starts segurd in the background (stderr in
# $T/segurd.log) and waits until it serves; stop_segurd sends SIGTERM and
# leaves the exit status in $SEGURD_RC. A test that fails leaves no
# segurd behind.
: "${SEGURD:?run through ctest (make test)}"
SEGURD_PID=
HTTP_REQ="python3 $SEGUR_SOURCE_DIR/tests/e2e/http-request.py"
PROM_CHECK="python3 $SEGUR_SOURCE_DIR/tests/e2e/prom-check.py"

_segurd_kill() {
	if [ -n "$SEGURD_PID" ]; then
		kill -KILL "$SEGURD_PID" 2>/dev/null || true
		wait "$SEGURD_PID" 2>/dev/null || true
	fi
}
trap 'rc=$?; _segurd_kill; (exit $rc); _cleanup' EXIT

# start_segurd CONF ADDRESS: ADDRESS is the port or unix:/PATH it serves.
# A CONF without a [ledger] section gets one, ledger.db beside it, which
# is created (segurd needs an initialized ledger) if missing.
start_segurd() {
	if ! grep -q '^\[ledger\]' "$1"; then
		printf '[ledger]\npath = ledger.db\n' >>"$1"
	fi
	_ledger=$(sed -n '/^\[ledger\]/,/^\[/s/^path = //p' "$1" | head -1)
	case $_ledger in /*) ;; *) _ledger=$(dirname "$1")/$_ledger ;; esac
	[ -f "$_ledger" ] || "$SEGURCTL" --db "$_ledger" init >/dev/null
	"$SEGURD" -c "$1" 2>>"$T/segurd.log" &
	SEGURD_PID=$!
	i=0
	until $HTTP_REQ "$2" "GET /healthz HTTP/1.1

" >/dev/null 2>&1; do
		i=$((i + 1))
		if [ "$i" -gt 300 ] || ! kill -0 "$SEGURD_PID" 2>/dev/null; then
			cat "$T/segurd.log" >&2
			fail "segurd did not start"
		fi
		sleep 0.1
	done
}

stop_segurd() {
	kill -TERM "$SEGURD_PID"
	set +e
	wait "$SEGURD_PID"
	SEGURD_RC=$?
	set -e
	SEGURD_PID=
}

# wait_log PATTERN [COUNT]: waits (30s at most) until segurd.log has
# COUNT (1) lines matching PATTERN.
wait_log() {
	want=${2:-1}
	i=0
	while [ "$(grep -c -e "$1" "$T/segurd.log" || true)" -lt "$want" ]; do
		i=$((i + 1))
		if [ "$i" -gt 300 ]; then
			cat "$T/segurd.log" >&2
			fail "segurd.log never had $want x '$1'"
		fi
		sleep 0.1
	done
}

# get ADDRESS PATH: GET PATH; the response in $T/resp.
get() {
	$HTTP_REQ "$1" "GET $2 HTTP/1.1
Host: localhost

" >"$T/resp"
}
