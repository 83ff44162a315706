# alerts-lib.sh: what the alert delivery tests share (sourced after
# lib.sh, build-lib.sh and daemon-lib.sh): a ledger with the example's two
# requests built (BC-2 is rejected by the example's return), the test
# webhook receiver and SMTP server on free ports, and waiting for lines
# in their logs. Nothing here sleeps as an assertion: every wait polls
# with a generous limit.
PY3=/usr/bin/python3
[ -x "$PY3" ] || PY3=python3
SECRET=whsec_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=
SERVER_PIDS=

_servers_kill() {
	for p in $SERVER_PIDS; do
		kill -TERM "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	SERVER_PIDS=
}
trap 'rc=$?; _segurd_kill; _servers_kill; (exit $rc); _cleanup' EXIT

# seed_built: $SEGUR_DB holds BC-1 and BC-2 built into the example's file
# 001 (as t5008 does); a copy is kept in $T/built.db.
seed_built() {
	setup_ledger
	printf 'finess_geo;finess_juridique;tranche\n330001017;750000127;B\n330001025;750000127;B\n690002027;690002019;B\n590004016;130003015;B\n' \
	    >"$T/eligible.csv"
	expect_exit 0 segurctl ref import eligible "$T/eligible.csv"
	printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR' >"$T/ht.png"
	for i in 0 1; do
		jq ".lignesImport[$i]" \
		    "$DATA/JSON-2023000042-20231002-001.json" >"$T/line$i.json"
	done
	expect_exit 0 segurctl request add --ref BC-1 --bdc "$T/bdc.pdf" \
	    "$T/line0.json"
	expect_exit 0 segurctl request add --ref BC-2 --bdc "$T/bdc.pdf" \
	    --ht "$T/ht.png" "$T/line1.json"
	expect_exit 0 segurctl request ready --all
	expect_exit 0 segurctl build --date 20231002 --out "$T/files"
	cp "$SEGUR_DB" "$T/built.db"
	mkdir -p "$T/inbox" "$T/stage"
}

# drop_return: the example's return renamed into the inbox.
drop_return() {
	cp "$DATA/JSON-2023000042-20231002-001.retour.json" \
	    "$T/stage/retour.json"
	mv "$T/stage/retour.json" "$T/inbox/"
}

# start_server NAME LOG PORT ARGS...: starts tests/servers/NAME.py.
start_server() {
	local name=$1 log=$2 port=$3 i=0
	shift 3
	rm -f "$T/$name.ready"
	: >>"$log"
	"$PY3" "$SEGUR_SOURCE_DIR/tests/servers/$name.py" --port "$port" \
	    --log "$log" --ready "$T/$name.ready" "$@" 2>>"$T/$name.err" &
	SERVER_PIDS="$SERVER_PIDS $!"
	until [ -s "$T/$name.ready" ]; do
		i=$((i + 1))
		if [ "$i" -gt 300 ]; then
			cat "$T/$name.err" >&2
			fail "$name did not start"
		fi
		sleep 0.1
	done
}

# write_secret: $T/hook.secret, mode 0600 as segurd requires.
write_secret() {
	printf '%s\n' "$SECRET" >"$T/hook.secret"
	chmod 600 "$T/hook.secret"
}

# wait_count FILE PATTERN COUNT [SECONDS]: waits until FILE has COUNT
# lines matching PATTERN (60 s by default).
wait_count() {
	local i=0 max=$((${4:-60} * 10))
	while [ "$(grep -c -e "$2" "$1" 2>/dev/null || true)" -lt "$3" ]; do
		i=$((i + 1))
		if [ "$i" -gt "$max" ]; then
			echo "--- $1" >&2
			cat "$1" >&2 || true
			echo "--- segurd.log" >&2
			cat "$T/segurd.log" >&2 || true
			fail "$1 never had $3 x '$2'"
		fi
		sleep 0.1
	done
}

# wait_sql SQL VALUE: waits (60 s) until the ledger answers VALUE.
wait_sql() {
	local i=0
	until [ "$(sqlite3 "$SEGUR_DB" "$1" 2>/dev/null)" = "$2" ]; do
		i=$((i + 1))
		if [ "$i" -gt 600 ]; then
			cat "$T/segurd.log" >&2
			fail "ledger: '$1' never gave '$2' (last: $(sqlite3 "$SEGUR_DB" "$1"))"
		fi
		sleep 0.1
	done
}

# write_conf PORT HOOKPORT [EXTRA]: $T/segurd.conf with the inbox, the
# HTTP endpoint on PORT, the [webhook ops] on HOOKPORT and EXTRA lines.
write_conf() {
	cat >"$T/segurd.conf" <<CONF
[ledger]
path = ledger.db
[log]
level = debug
[inbox]
path = inbox
archive = archive
quarantine = quarantine
settle = 200ms
rescan = 1s
[http]
listen = 127.0.0.1:$1
[webhook ops]
url = http://127.0.0.1:$2/hook
secret_file = hook.secret
${3:-[reminders]
chain_head = 0}
CONF
}
