#!/usr/bin/env bash
# systemd/segurd.service.in is hardened: systemd-analyze security rates it
# below an overall exposure of 2.0 ("OK"; 5.0 is the limit the project
# accepts at all), it is Type=notify with a watchdog, a dedicated user,
# UMask=0027, and the unit carries no secret.
. "$(dirname "$0")/lib.sh"

command -v systemd-analyze >/dev/null ||
    fail "systemd-analyze missing: run scripts/bootstrap"
# The unit as installed under /usr (cmake/install-system.cmake), by its
# own name so that systemd-analyze sees it.
sed 's|@SEGURD_SBINDIR@|/usr/sbin|g' "$SEGUR_SOURCE_DIR/systemd/segurd.service.in" \
    >"$T/segurd.service"
unit=$T/segurd.service
systemd-analyze security --offline=true --no-pager "$T/segurd.service" \
    >"$T/analyze" 2>&1 || true
line=$(grep 'Overall exposure level for segurd.service:' "$T/analyze") || {
	cat "$T/analyze" >&2
	fail "no overall exposure in systemd-analyze's output"
}
level=$(printf '%s\n' "$line" | sed -n 's/.*: \([0-9][0-9.]*\) .*/\1/p')
echo "segurd.service exposure: $level"
awk -v l="$level" 'BEGIN { exit !(l != "" && l + 0 < 2.0) }' ||
    fail "exposure $level is not below 2.0"

expect_grep '^Type=notify$' "$unit"
expect_grep '^WatchdogSec=' "$unit"
expect_grep '^User=segur$' "$unit"
expect_grep '^UMask=0027$' "$unit"
expect_grep '^StateDirectory=segur$' "$unit"
expect_no_grep '^DynamicUser=yes' "$unit"
expect_no_grep 'secret\|password' "$(sed -n '/^[A-Z]/p' "$unit" >"$T/directives"; echo "$T/directives")"
pass
