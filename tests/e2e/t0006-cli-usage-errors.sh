#!/usr/bin/env bash
# Usage errors exit 2 for every command of the table, before any ledger is
# opened or created: an unknown option, an option without its argument,
# one argument too many; build's and solde build's --date is checked as
# AAAAMMJJ (it exited 1 as a finding before the table).
. "$(dirname "$0")/lib.sh"

segurctl --commands >"$T/table" || fail "segurctl --commands"
awk -F '\t' '$1 == "command" { print $2 "\t" $5 }' "$T/table" >"$T/commands"
while IFS='	' read -r cmd max; do
	# shellcheck disable=SC2086
	expect_exit 2 segurctl $cmd --no-such-option
	expect_grep "^segurctl $cmd: option inconnue « --no-such-option »" \
	    "$T/err"
	expect_grep "^usage: segurctl $cmd" "$T/err"
	# Its first option that takes an argument, given none.
	opt=$(awk -F '\t' -v c="$cmd" '$1 == "option" && $2 == c &&
	    $5 != "-" { print $3; exit }' "$T/table")
	if [ -n "$opt" ]; then
		# shellcheck disable=SC2086
		expect_exit 2 segurctl $cmd "$opt"
		expect_grep "^segurctl $cmd: l'option « $opt » demande un argument" "$T/err"
	fi
	if [ "$max" -ge 0 ]; then
		set --
		while [ $# -le "$max" ]; do set -- "$@" extra; done
		# shellcheck disable=SC2086
		expect_exit 2 segurctl $cmd "$@"
		expect_grep "^usage: segurctl $cmd" "$T/err"
		if [ "$max" -eq 0 ]; then
			expect_grep "^segurctl $cmd: aucun argument attendu (« extra »)$" \
			    "$T/err"
		else
			expect_grep "^segurctl $cmd: argument en trop « extra »$" \
			    "$T/err"
		fi
	fi
done <"$T/commands"
[ ! -e "$SEGUR_DB" ] || fail "a usage error created the ledger"

expect_exit 2 segurctl build --date 2026-12-32
expect_grep "date « 2026-12-32 » : AAAA-MM-JJ ou JJ/MM/AAAA attendu" "$T/err"
expect_exit 2 segurctl solde build --date 20261331
expect_grep "date « 20261331 » : AAAA-MM-JJ ou JJ/MM/AAAA attendu" "$T/err"
[ ! -e "$SEGUR_DB" ] || fail "a bad --date opened the ledger"
# A missing argument.
expect_exit 2 segurctl request show
expect_grep '^segurctl request show: argument manquant$' "$T/err"
# -h is --help's short name, for every command.
expect_exit 0 segurctl request list -h
expect_grep "^usage: segurctl request list " "$T/out"
pass
