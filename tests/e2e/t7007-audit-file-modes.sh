#!/usr/bin/env bash
# Under the usual umask 022, every file segurctl creates in the state folder
# (the ledger and its -wal/-shm, backups, evidence bundles) and the
# document zips it builds are 0640: group segur may read them, nobody else.
# Archived objects are read-only for everyone, 0440.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"
. "$(dirname "$0")/audit-lib.sh"

umask 022
seed_audit
expect_exit 0 segurctl backup "$T/copy.db"
expect_exit 0 segurctl audit bundle --all --out "$T/all.zip"
# segurctl restore writes the ledger over again.
expect_exit 0 segurctl restore --force "$T/copy.db"

checked=0
for f in "$SEGUR_DB" "$SEGUR_DB-wal" "$SEGUR_DB-shm" "$T/copy.db" \
    "$T/all.zip" $(find "$T/archive" "$T/files" -type f); do
	[ -e "$f" ] || continue
	mode=$(stat -c %a "$f")
	case $f in
	"$T/archive"/*) want=440 ;;
	*) want=640 ;;
	esac
	[ "$mode" = "$want" ] || fail "$f is $mode, expected $want"
	checked=$((checked + 1))
done
# The ledger, the copy, the bundle, archived files and zips at least.
[ "$checked" -ge 8 ] || fail "only $checked files checked"
ls "$T/files"/*.zip >/dev/null 2>&1 || fail "no document zip was built"
pass
