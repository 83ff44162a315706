#!/usr/bin/env bash
# A noun alone lists its commands with their summaries and exits 0:
# segurctl help NOUN, segurctl NOUN, segurctl NOUN --help (and -h), for
# the first word of several commands (request, record, audit) and for a
# group of --help (file, ledger); the list holds every command of the
# table under that noun and nothing else. A word that names nothing, or a
# noun followed by an unknown word, is a usage error (exit 2) in French.
. "$(dirname "$0")/lib.sh"

segurctl --commands >"$T/table" || fail "segurctl --commands"

# listed NOUN FILE: the command names FILE lists, sorted.
listed() {
	sed -n 's/^  \([a-z][a-z -]*[a-z]\)  .*/\1/p' "$2" | sort
}
# expected NOUN: the table's commands whose group or first word is NOUN.
expected() {
	awk -F '\t' -v n="$1" '$1 == "command" && ($3 == n ||
	    index($2, n " ") == 1) { print $2 }' "$T/table" | sort
}

for noun in request record audit file ledger; do
	expect_exit 0 segurctl help "$noun"
	expect_grep "^commandes « $noun » :" "$T/out"
	[ ! -s "$T/err" ] || fail "help $noun wrote on stderr: $(cat "$T/err")"
	[ "$(listed "$noun" "$T/out")" = "$(expected "$noun")" ] ||
	    fail "help $noun lists $(listed "$noun" "$T/out" | tr '\n' ,)"
	cp "$T/out" "$T/help-$noun"
	expect_exit 0 segurctl "$noun"
	cmp -s "$T/out" "$T/help-$noun" || fail "'$noun' and 'help $noun' differ"
	expect_exit 0 segurctl "$noun" --help
	cmp -s "$T/out" "$T/help-$noun" ||
	    fail "'$noun --help' and 'help $noun' differ"
	expect_exit 0 segurctl "$noun" -h
	cmp -s "$T/out" "$T/help-$noun" || fail "'$noun -h' and 'help $noun' differ"
done
# Each with its summary, as --help gives it.
expect_exit 0 segurctl --help
grep '^  request list ' "$T/out" >"$T/summary"
grep -qxF -f "$T/summary" "$T/help-request" ||
    fail "request list's summary differs from --help's"
# file gathers the commands of its group whatever their first word.
expect_grep '^  ingest  ' "$T/help-file"
expect_grep '^  file refused  ' "$T/help-file"

# Usage errors.
expect_exit 2 segurctl request bogus
expect_grep "^segurctl: commande inconnue « request bogus »" "$T/err"
expect_grep "^  request list " "$T/err"
[ ! -s "$T/out" ] || fail "an unknown command wrote on stdout"
expect_exit 2 segurctl help no-such-noun
expect_grep "^segurctl: commande inconnue « no-such-noun » (voir segurctl --help)" "$T/err"
expect_exit 2 segurctl help request bogus
expect_grep "commande inconnue « request bogus »" "$T/err"
expect_exit 2 segurctl status extra
expect_grep "^segurctl status: aucun argument attendu (« extra »)" "$T/err"
expect_exit 2 segurctl request show
expect_grep "^segurctl request show: argument manquant" "$T/err"
expect_exit 2 segurctl request show a b
expect_grep "^segurctl request show: argument en trop « b »" "$T/err"
expect_exit 2 segurctl request list -Z
expect_grep "^segurctl request list: option inconnue « -Z »" "$T/err"
expect_exit 2 segurctl request list --state bogus
expect_grep "^segurctl request list: état inconnu « bogus »" "$T/err"
expect_exit 2 segurctl alerts list --state bogus
expect_grep "^segurctl alerts list: --state : état inconnu « bogus »" "$T/err"
expect_exit 2 segurctl alerts list --limit many
expect_grep "^segurctl alerts list: --limit : « many » n'est pas un nombre" "$T/err"
expect_exit 2 segurctl --db
expect_grep "^segurctl: l'option « --db » demande un argument" "$T/err"
expect_grep '^usage: segurctl \[-v\]' "$T/err"
[ ! -e "$SEGUR_DB" ] || fail "a usage error created the ledger"
pass
