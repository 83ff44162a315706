#!/usr/bin/env bash
# cmake --install into a DESTDIR gives a working system: the binaries, the
# man pages, segurctl's bash and zsh completions, the systemd unit naming the segurd it installed, the
# sysusers.d and tmpfiles.d snippets and the example configuration, under
# /usr (configuration in /etc) and under /usr/local (in /usr/local/etc,
# GNUInstallDirs' rule). systemd-analyze verify accepts the unit.
. "$(dirname "$0")/lib.sh"

: "${SEGUR_BUILD_DIR:?run through ctest (make test)}"

# check_tree ROOT PREFIX SYSCONFDIR: every file the installation owes.
check_tree() {
	local root=$1 p=$2 etc=$3 f
	for f in "$p/bin/segurctl" "$p/sbin/segurd" \
	    "$p/share/man/man1/segurctl.1" "$p/share/man/man5/segurd.conf.5" \
	    "$p/share/man/man8/segurd.8" "$p/lib/systemd/system/segurd.service" \
	    "$p/share/bash-completion/completions/segurctl" \
	    "$p/share/zsh/vendor-completions/_segurctl" \
	    "$p/lib/sysusers.d/segur.conf" "$p/lib/tmpfiles.d/segur.conf" \
	    "$etc/segur/segurd.conf.example"; do
		[ -f "$root$f" ] || fail "$f not installed under $root"
	done
	[ -x "$root$p/sbin/segurd" ] || fail "$p/sbin/segurd not executable"
	unit=$root$p/lib/systemd/system/segurd.service
	expect_grep "^ExecStart=$p/sbin/segurd -c /etc/segur/segurd.conf\$" "$unit"
	expect_grep "^ExecStartPre=$p/sbin/segurd --check-config " "$unit"
	expect_no_grep '@[A-Z_]*@' "$unit"
	cmp -s "$SEGUR_SOURCE_DIR/systemd/segurd.sysusers" \
	    "$root$p/lib/sysusers.d/segur.conf" || fail "sysusers differs"
	cmp -s "$SEGUR_SOURCE_DIR/systemd/segurd.tmpfiles" \
	    "$root$p/lib/tmpfiles.d/segur.conf" || fail "tmpfiles differs"
	# The completions are the installed segurctl's own.
	SEGUR_CONF='' "$root$p/bin/segurctl" completion bash >"$T/bash" ||
	    fail "segurctl completion bash"
	cmp -s "$T/bash" "$root$p/share/bash-completion/completions/segurctl" ||
	    fail "the bash completion installed is not segurctl's"
	expect_grep '^#compdef segurctl$' \
	    "$root$p/share/zsh/vendor-completions/_segurctl"
	# Nothing outside the prefix but the configuration.
	find "$root" -type f | sed "s|^$root||" |
	    grep -v -e "^$p/" -e "^$etc/segur/" >"$T/stray" || true
	[ ! -s "$T/stray" ] || fail "installed outside $p: $(cat "$T/stray")"
}

DESTDIR=$T/root cmake --install "$SEGUR_BUILD_DIR" --prefix /usr \
    >"$T/install.log" 2>&1 || { cat "$T/install.log" >&2; fail "install"; }
check_tree "$T/root" /usr /etc
# The installed segurctl runs, with its man page's usage.
"$T/root/usr/bin/segurctl" --version >"$T/out" || fail "segurctl --version"
"$T/root/usr/sbin/segurd" --check-config -c "$T/root/etc/segur/segurd.conf.example" \
    >"$T/out" 2>&1 || { cat "$T/out" >&2; fail "the example does not check"; }

DESTDIR=$T/local cmake --install "$SEGUR_BUILD_DIR" --prefix /usr/local \
    >"$T/install.log" 2>&1 || { cat "$T/install.log" >&2; fail "install"; }
check_tree "$T/local" /usr/local /usr/local/etc

# systemd-analyze verify: on a copy of the unit whose commands are the
# DESTDIR's segurd (it checks that they exist), without man pages (it
# would run man(1) for Documentation=).
if ! command -v systemd-analyze >/dev/null; then
	echo "$TEST_NAME: systemd-analyze missing: verify skipped (scripts/bootstrap)"
	pass
	exit 0
fi
mkdir -p "$T/verify"
sed "s|^\(Exec[A-Za-z]*=\)/usr/sbin/segurd|\1$T/root/usr/sbin/segurd|" \
    "$T/root/usr/lib/systemd/system/segurd.service" >"$T/verify/segurd.service"
if systemd-analyze verify --man=no "$T/verify/segurd.service" \
    >"$T/verify.log" 2>&1; then
	echo "systemd-analyze verify: ok"
elif grep -q -e 'Failed to \(connect\|initialize\|create\)' \
    -e 'not booted' -e 'Operation not permitted' "$T/verify.log"; then
	# systemd-analyze cannot run in some containers: only this check
	# is skipped, the files were checked above.
	cat "$T/verify.log"
	echo "$TEST_NAME: systemd-analyze cannot run here: verify skipped"
else
	cat "$T/verify.log" >&2
	fail "systemd-analyze verify refused the installed unit"
fi
pass
