#!/usr/bin/env bash
# init says in French which ledger and which schema version; with --json,
# stdout is one object holding the same facts (path, schemaVersion), for a
# script that creates or migrates the ledger.
. "$(dirname "$0")/lib.sh"

# The schema version is the number of the last migration compiled in.
n=$(ls "$SEGUR_SOURCE_DIR"/sql/migrations/*.sql | sed 's|.*/0*||; s|-.*||' |
    sort -n | tail -1)

expect_exit 0 segurctl init
[ "$(cat "$T/out")" = "$SEGUR_DB: registre en version de schéma $n" ] ||
    fail "init's line: $(cat "$T/out")"
[ ! -s "$T/err" ] || fail "init wrote on stderr: $(cat "$T/err")"

# Again, as JSON: the ledger already there, nothing else on stdout.
expect_exit 0 segurctl init --json
jq -e --arg p "$SEGUR_DB" --argjson n "$n" \
    '.path == $p and .schemaVersion == $n and (keys | length) == 2' \
    "$T/out" >/dev/null || fail "init --json: $(cat "$T/out")"
[ "$(jq -s length "$T/out")" = 1 ] || fail "init --json: not one document"

# A new ledger named by --db: created, and said so in JSON too.
expect_exit 0 segurctl init --json --db "$T/other/ledger.db"
jq -e --arg p "$T/other/ledger.db" '.path == $p' "$T/out" >/dev/null ||
    fail "init --json --db: $(cat "$T/out")"
[ -f "$T/other/ledger.db" ] || fail "init --json created no ledger"

# --json takes no argument; init takes none either.
expect_exit 2 segurctl init --json extra
expect_grep '^usage: segurctl init \[--json\] \[--db PATH\]' "$T/err"
[ ! -s "$T/out" ] || fail "a usage error wrote on stdout"
pass
