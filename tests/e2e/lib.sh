# lib.sh: what every end-to-end test sources.
#
# Gives each test a private folder $T (removed on success, kept on failure
# for inspection), a private ledger path $SEGUR_DB inside it (and
# $SEGUR_CONF naming no file, so that the host's segurd.conf is ignored),
# a free loopback port on demand, and small assertion helpers. CTest sets SEGURCTL,
# SEGURD, SEGUR_SOURCE_DIR and SEGUR_TEST_TMP.
set -eu

: "${SEGURCTL:?run through ctest (make test)}"
: "${SEGUR_SOURCE_DIR:?run through ctest (make test)}"
: "${SEGUR_TEST_TMP:=${TMPDIR:-/tmp}}"
DATA=$SEGUR_SOURCE_DIR/tests/data
TEST_NAME=$(basename "$0" .sh)
mkdir -p "$SEGUR_TEST_TMP"
T=$(mktemp -d "$SEGUR_TEST_TMP/$TEST_NAME.XXXXXX")
export SEGUR_DB="$T/ledger.db"
# segurctl reads the ledger's path from /etc/segur/segurd.conf when it
# exists: never the host's in a test (t2006 sets its own).
export SEGUR_CONF="$T/no-segurd.conf"
export LC_ALL=C.UTF-8

_cleanup() {
	rc=$?
	if [ "$rc" -eq 0 ] || [ "$rc" -eq 77 ]; then
		rm -rf "$T"
	else
		echo "$TEST_NAME: FAILED (exit $rc); files kept in $T" >&2
	fi
}
trap _cleanup EXIT

fail() {
	echo "$TEST_NAME: $*" >&2
	exit 1
}

segurctl() {
	"$SEGURCTL" "$@"
}

# expect_exit STATUS CMD...: runs CMD with stdout in $T/out, stderr in
# $T/err, and fails unless it exits with STATUS.
expect_exit() {
	want=$1
	shift
	set +e
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	set -e
	if [ "$got" -ne "$want" ]; then
		echo "--- stdout" >&2; cat "$T/out" >&2
		echo "--- stderr" >&2; cat "$T/err" >&2
		fail "'$*' exited $got, expected $want"
	fi
}

# expect_grep PATTERN FILE: fails unless FILE has a line matching PATTERN.
expect_grep() {
	grep -q -e "$1" "$2" || { cat "$2" >&2; fail "no '$1' in $2"; }
}

# expect_no_grep PATTERN FILE
expect_no_grep() {
	if grep -q -e "$1" "$2"; then cat "$2" >&2; fail "'$1' in $2"; fi
}

# free_port: prints a TCP port free on 127.0.0.1 right now.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

pass() {
	echo "$TEST_NAME: ok"
}

# need_fault_injection: skips the test (CTest's SKIP_RETURN_CODE) unless
# segurctl and segurd were built with SEGUR_FAULT_INJECTION, which the
# crash tests' SEGUR_TEST_CRASH_AT needs (make test builds them so).
need_fault_injection() {
	if [ "${SEGUR_FAULT_INJECTION:-0}" != 1 ]; then
		echo "$TEST_NAME: skipped: built without SEGUR_FAULT_INJECTION"
		exit 77
	fi
}
