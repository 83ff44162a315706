#!/usr/bin/env bash
# segurctl finds the audit key where segurd does: [audit] key_file of
# segurd.conf, a bare name beside the configuration file. Events written
# then are sealed and audit verify checks the seals with that key; a key
# it cannot read is said and the command goes on without it; --key and
# $SEGUR_AUDIT_KEY_FILE come first; segurd refuses both spellings at once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"
. "$(dirname "$0")/audit-lib.sh"

mkdir -p "$T/etc"
head -c 32 /dev/urandom | base64 >"$T/etc/audit-key"
chmod 0600 "$T/etc/audit-key"
printf '[ledger]\npath = %s\n\n[audit]\nkey_file = audit-key\n' \
    "$SEGUR_DB" >"$T/etc/segurd.conf"
export SEGUR_CONF="$T/etc/segurd.conf"
unset SEGUR_AUDIT_KEY_FILE
seed_audit

# Every event sealed with the configured key, and checked with it.
[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM event WHERE seal IS NULL
    AND v = 2")" = 0 ] || fail "unsealed events with [audit] key_file"
expect_exit 0 segurctl audit verify --archive "$T/archive"
expect_grep '^sceaux : .* 0 non scellé(s) ; chaque sceau correspond à la clé' \
    "$T/out"

# --key first: another key does not match the seals.
head -c 32 /dev/urandom | base64 >"$T/other-key"
chmod 0600 "$T/other-key"
expect_exit 1 segurctl audit verify --archive "$T/archive" --key "$T/other-key"
expect_grep 'son sceau ne correspond pas à la clé' "$T/out"
# $SEGUR_AUDIT_KEY_FILE before the configuration too.
SEGUR_AUDIT_KEY_FILE="$T/other-key" expect_exit 1 segurctl audit verify \
    --archive "$T/archive"

# A configured key that cannot be read: said, and run without it.
if [ "$(id -u)" -ne 0 ]; then
	chmod 0000 "$T/etc/audit-key"
else
	mv "$T/etc/audit-key" "$T/etc/audit-key.away"
fi
expect_exit 0 segurctl audit verify --archive "$T/archive"
expect_grep "attention : clé d'audit de $T/etc/segurd.conf illisible" "$T/err"
expect_grep "sans la clé, les sceaux n'ont pas été vérifiés" "$T/out"

# segurd: one key, under one spelling.
cp "$T/other-key" "$T/etc/key2"
printf '[ledger]\npath = %s\naudit_key_file = key2\n\n[audit]\nkey_file = key2\n' \
    "$SEGUR_DB" >"$T/etc/both.conf"
expect_exit 1 "$SEGURD" --check-config -c "$T/etc/both.conf"
expect_grep 'ne gardez que \[audit\] key_file' "$T/err"
pass
