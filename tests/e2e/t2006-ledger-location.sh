#!/usr/bin/env bash
# segurctl and segurd use the same ledger: segurctl takes --db, else
# $SEGUR_DB, else [ledger] path of segurd.conf ($SEGUR_CONF here) when the
# file exists, else ./var/ledger.db; -v says which one and why. init
# refuses to create a ledger other than the one the configuration names.
. "$(dirname "$0")/lib.sh"

unset SEGUR_DB
mkdir -p "$T/run" "$T/etc" "$T/srv"
cd "$T/run"
src() { sed -n 's/^registre : .* (source : \(.*\))$/\1/p' "$T/err"; }
used() { sed -n 's/^registre : \(.*\) (source : .*)$/\1/p' "$T/err"; }

# 1. No configuration file: the default, in the current folder.
expect_exit 0 segurctl -v init
[ "$(used)" = ./var/ledger.db ] || fail "default: $(cat "$T/err")"
[ "$(src)" = "défaut" ] || fail "default source: $(cat "$T/err")"
[ -f "$T/run/var/ledger.db" ] || fail "no ./var/ledger.db"
# Without -v, nothing about the ledger on stderr.
expect_exit 0 segurctl status
expect_no_grep '^registre' "$T/err"

# 2. The configuration names the ledger; relative to its folder, as
# segurd takes it.
printf '# test\n[log]\nlevel = info\n[ledger]\npath = ../srv/ledger.db\n' \
    >"$T/etc/segurd.conf"
export SEGUR_CONF=$T/etc/segurd.conf
expect_exit 0 segurctl -v init
[ "$(used)" = "$T/etc/../srv/ledger.db" ] || fail "conf: $(cat "$T/err")"
[ "$(src)" = "$SEGUR_CONF" ] || fail "conf source: $(cat "$T/err")"
[ -f "$T/srv/ledger.db" ] || fail "the configuration's ledger not created"
expect_exit 0 segurctl -v status
[ "$(used)" = "$T/etc/../srv/ledger.db" ] || fail "status: $(cat "$T/err")"
# From another folder, the same ledger.
(cd / && "$SEGURCTL" -v status) >"$T/out" 2>"$T/err" || fail "from /"
[ "$(used)" = "$T/etc/../srv/ledger.db" ] || fail "from /: $(cat "$T/err")"
# A configuration without [ledger] path: segurd's default.
printf '[log]\nlevel = info\n' >"$T/etc/other.conf"
SEGUR_CONF=$T/etc/other.conf expect_exit 2 segurctl -v status
[ "$(used)" = /var/lib/segur/ledger.db ] || fail "segurd default: $(cat "$T/err")"
expect_grep "registre cherché à /var/lib/segur/ledger.db (source : $T/etc/other.conf)" "$T/err"

# 3. $SEGUR_DB before the configuration.
SEGUR_DB=$T/run/var/ledger.db expect_exit 0 segurctl -v status
[ "$(used)" = "$T/run/var/ledger.db" ] || fail "env: $(cat "$T/err")"
[ "$(src)" = '$SEGUR_DB' ] || fail "env source: $(cat "$T/err")"

# 4. --db before all, global or the command's.
SEGUR_DB=$T/nowhere.db expect_exit 0 segurctl -v --db "$T/run/var/ledger.db" status
[ "$(used)" = "$T/run/var/ledger.db" ] || fail "--db: $(cat "$T/err")"
[ "$(src)" = --db ] || fail "--db source: $(cat "$T/err")"
expect_exit 0 segurctl -v request list --db "$T/run/var/ledger.db"
[ "$(src)" = --db ] || fail "command --db source: $(cat "$T/err")"
[ "$(grep -c '^registre' "$T/err")" -eq 1 ] || fail "said more than once"

# 5. init refuses a ledger other than the configuration's, naming both.
expect_exit 2 segurctl init --db "$T/second.db"
expect_grep "$SEGUR_CONF désigne le registre $T/etc/../srv/ledger.db" "$T/err"
expect_grep "second à $T/second.db (source : --db)" "$T/err"
[ ! -e "$T/second.db" ] || fail "a second ledger was created"
SEGUR_DB=$T/second.db expect_exit 2 segurctl init
expect_grep "(source : \$SEGUR_DB)" "$T/err"
[ ! -e "$T/second.db" ] || fail "a second ledger was created (env)"
# ... but not the same path, however written, nor a migration of an
# existing ledger, nor with no configuration read at all.
expect_exit 0 segurctl init --db "$T/srv/../srv/ledger.db"
expect_exit 0 segurctl init --db "$T/run/var/ledger.db"
SEGUR_CONF= expect_exit 0 segurctl -v init --db "$T/second.db"
[ -f "$T/second.db" ] || fail "SEGUR_CONF= did not allow it"

# 6. A configuration that exists but cannot be read: no guess.
if [ "$(id -u)" -ne 0 ]; then
	chmod 000 "$T/etc/segurd.conf"
	expect_exit 2 segurctl status
	expect_grep 'impossible de savoir quel registre utiliser' "$T/err"
	chmod 644 "$T/etc/segurd.conf"
fi

# 7. Commands that do not open the ledger say nothing of it.
expect_exit 0 segurctl -v help
expect_no_grep '^registre' "$T/err"
cd /
pass
