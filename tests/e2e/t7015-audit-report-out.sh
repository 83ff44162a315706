#!/usr/bin/env bash
# report writes its page into --out FILE (--html FILE, the older
# spelling, still works; both at once are refused); with --json, stdout is
# one object naming the page written, its size and the head it shows; the
# usage errors are French.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"

setup_ledger
expect_exit 0 segurctl audit head --json
head=$(jq -r .hash "$T/out")
events=$(jq -r .events "$T/out")

expect_exit 0 segurctl report --out "$T/a.html"
grep -q '</html>' "$T/a.html" || fail "--out wrote no page"
grep -qF "$head" "$T/a.html" || fail "the page lacks the chain head"
[ ! -s "$T/out" ] || fail "report --out printed: $(cat "$T/out")"
# The older spelling writes the same kind of page.
expect_exit 0 segurctl report --html "$T/b.html"
grep -qF "$head" "$T/b.html" || fail "--html wrote no page with the head"
# "-": the page on stdout.
expect_exit 0 segurctl report --out -
expect_grep '</html>' "$T/out"

# --json: the facts of what was written, nothing else on stdout.
expect_exit 0 segurctl report --json --out "$T/c.html"
size=$(stat -c %s "$T/c.html")
jq -e --arg p "$T/c.html" --arg h "$head" --argjson n "$events" \
    --argjson s "$size" '.path == $p and .format == "html" and
    .bytes == $s and .head == $h and .events == $n' "$T/out" >/dev/null ||
    fail "report --json: $(cat "$T/out")"
[ "$(jq -s length "$T/out")" = 1 ] || fail "report --json: not one document"
expect_exit 0 segurctl report --json --html "$T/d.html"
jq -e --arg p "$T/d.html" '.path == $p' "$T/out" >/dev/null ||
    fail "report --json --html: $(cat "$T/out")"

# Usage errors, in French, and no page written.
expect_exit 2 segurctl report
expect_grep '^segurctl report: --out FICHIER est obligatoire' "$T/err"
expect_exit 2 segurctl report --out "$T/e.html" --html "$T/f.html"
expect_grep '^segurctl report: la page est nommée deux fois' "$T/err"
[ ! -e "$T/e.html" ] && [ ! -e "$T/f.html" ] || fail "a refused report wrote"
expect_exit 2 segurctl report --json --out -
expect_grep 'donnez à --out un fichier' "$T/err"
[ ! -s "$T/out" ] || fail "a usage error wrote on stdout"
# A folder that does not exist: said in French, exit 2.
expect_exit 2 segurctl report --out "$T/nowhere/g.html"
expect_grep "^segurctl report: $T/nowhere/g.html" "$T/err"
pass
