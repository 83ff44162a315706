#!/usr/bin/env bash
# backup names its copy with --out (the bare FILE of before still works,
# both at once are refused), says in French what it checked, and with
# --json prints the same facts; restore speaks French and with --json says
# what it replaced and where the ledger it replaced is kept.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"

setup_ledger
expect_exit 0 segurctl audit head --json
head=$(jq -r .hash "$T/out")
events=$(jq -r .events "$T/out")

# --out: the French line, with the copy's head.
expect_exit 0 segurctl backup --out "$T/a.db"
[ "$(cat "$T/out")" = "$T/a.db: copie vérifiée, $events événements, tête $head" ] ||
    fail "backup's line: $(cat "$T/out")"
[ "$(sqlite3 "$T/a.db" 'SELECT hash FROM event ORDER BY id DESC LIMIT 1')" = "$head" ] ||
    fail "the copy's head is not the ledger's"
# The older spelling: the same copy.
expect_exit 0 segurctl backup "$T/b.db"
expect_grep "^$T/b.db: copie vérifiée, $events événements" "$T/out"
[ -f "$T/b.db" ] || fail "backup FILE wrote nothing"

# --json: one object, nothing else on stdout.
expect_exit 0 segurctl backup --json --out "$T/c.db"
jq -e --arg p "$T/c.db" --arg h "$head" --argjson n "$events" \
    '.path == $p and .verified == true and .events == $n and .head == $h' \
    "$T/out" >/dev/null || fail "backup --json: $(cat "$T/out")"
[ "$(jq -s length "$T/out")" = 1 ] || fail "backup --json: not one document"
expect_exit 0 segurctl backup --json "$T/d.db"
jq -e --arg p "$T/d.db" '.path == $p' "$T/out" >/dev/null ||
    fail "backup --json FILE: $(cat "$T/out")"

# Usage errors, in French, before anything is written.
expect_exit 2 segurctl backup
expect_grep '^segurctl backup: --out FICHIER est obligatoire' "$T/err"
expect_exit 2 segurctl backup --out "$T/e.db" "$T/f.db"
expect_grep '^segurctl backup: la copie est nommée deux fois' "$T/err"
[ ! -e "$T/e.db" ] && [ ! -e "$T/f.db" ] || fail "a refused backup wrote"
expect_exit 2 segurctl backup --out ''
expect_grep 'chemin vide' "$T/err"

# The ledger moves on; restore puts the copy back.
expect_exit 0 segurctl software add --ans 2023000043 \
    --siret 38042372300028 --profiles PA
before=$(sqlite3 "$SEGUR_DB" 'SELECT count(*) FROM event')
expect_exit 1 segurctl restore "$T/a.db"
expect_grep "^segurctl restore: $SEGUR_DB existe : un registre en service n'est jamais remplacé sans --force" "$T/err"
expect_exit 0 segurctl restore --force "$T/a.db"
expect_grep "^ancien registre conservé sous $SEGUR_DB.before-restore-" "$T/out"
expect_grep "^$SEGUR_DB: restauré depuis $T/a.db, $events événements, tête $head\$" "$T/out"

# Again with --json: the facts, and the kept ledger that exists.
expect_exit 0 segurctl software add --ans 2023000043 \
    --siret 38042372300028 --profiles PA
expect_exit 0 segurctl restore --json --force "$T/c.db"
jq -e --arg p "$SEGUR_DB" --arg f "$T/c.db" --arg h "$head" \
    --argjson n "$events" '.path == $p and .from == $f and .events == $n
    and .head == $h and (.previousKeptAs | type) == "string"' "$T/out" \
    >/dev/null || fail "restore --json: $(cat "$T/out")"
[ "$(jq -s length "$T/out")" = 1 ] || fail "restore --json: not one document"
kept=$(jq -r .previousKeptAs "$T/out")
[ "$(sqlite3 "$kept" 'SELECT count(*) FROM event')" -gt "$events" ] ||
    fail "the kept ledger is not the one replaced"
# Into a new place: nothing replaced, previousKeptAs null.
expect_exit 0 segurctl --db "$T/new.db" restore --json "$T/b.db"
jq -e '.previousKeptAs == null' "$T/out" >/dev/null ||
    fail "restore --json, new place: $(cat "$T/out")"
# A backup that is not there: said in French, exit 2 as unreadable input.
expect_exit 2 segurctl restore --force "$T/missing.db"
expect_grep "^segurctl restore: $T/missing.db: fichier introuvable\$" "$T/err"
# A backup that is not a ledger: refused in French, nothing on stdout.
printf 'not sqlite' >"$T/junk.db"
expect_exit 1 segurctl restore --json --force "$T/junk.db"
expect_grep "pas un registre" "$T/err"
[ ! -s "$T/out" ] || fail "a refused restore --json printed: $(cat "$T/out")"
pass
