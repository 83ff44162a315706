#!/usr/bin/env bash
# request list: the text columns are printf's, the --json array parses,
# has every member of a row in order, keeps what JSON escapes (controls
# too), writes amounts as segur_amount_format() does, an empty list is [],
# --limit and --after read it a page at a time, and a failed write is
# exit 2.
. "$(dirname "$0")/lib.sh"

expect_exit 0 segurctl init
expect_exit 0 segurctl request list --json
[ "$(cat "$T/out")" = "[]" ] || fail "empty list is not []"
expect_exit 0 segurctl request list
[ "$(wc -l <"$T/out")" -eq 1 ] || fail "empty list: not the header alone"

expect_exit 0 segurctl software add --ans 2023000042 \
    --siret 38042372300028 --profiles PA --name 'DUI Exemple'
jq '.lignesImport[0]' "$DATA/JSON-2023000042-20231002-001.json" >"$T/line.json"
# References with what JSON escapes, UTF-8, and longer than their column.
refs=('BC-1' 'BC "2" \ tab' 'BC-été-ü' 'BC-a-reference-of-thirty-two-chars')
for r in "${refs[@]}"; do
	expect_exit 0 segurctl request add --ref "$r" "$T/line.json"
done

expect_exit 0 segurctl request list --json --state draft
cp "$T/out" "$T/list.json"
[ "$(jq length "$T/list.json")" -eq 4 ] || fail "not 4 rows"
for i in 0 1 2 3; do
	[ "$(jq -r ".[$i].ref" "$T/list.json")" = "${refs[$i]}" ] ||
	    fail "row $i: ref $(jq ".[$i].ref" "$T/list.json")"
done
[ "$(jq -c '.[0] | keys_unsorted' "$T/list.json")" = \
    '["ref","numeroAns","state","montantSegurHT","numeroEditeur","numeroASP","createdAt","updatedAt"]' ] ||
    fail "members: $(jq -c '.[0] | keys_unsorted' "$T/list.json")"
[ "$(jq -c '[.[0].numeroAns, .[0].state, .[0].montantSegurHT, .[0].numeroEditeur, .[0].numeroASP]' "$T/list.json")" = \
    '["2023000042","draft","4866.67",null,null]' ] ||
    fail "values: $(jq -c '.[0]' "$T/list.json")"
[ "$(jq -r '.[1].ref' "$T/list.json")" = 'BC "2" \ tab' ] ||
    fail "escaping: $(jq '.[1].ref' "$T/list.json")"

# Amounts are written from their digits: a cent, half a unit, whole units,
# ten digits.
for a in 0.01 0.5 12 1000000000; do
	jq ".commande.montantSegurHT = $a" "$T/line.json" >"$T/amount.json"
	expect_exit 0 segurctl request add --ref "AM-$a" "$T/amount.json"
done
expect_exit 0 segurctl request list --json --state draft
[ "$(jq -c '[.[4:][] | .montantSegurHT]' "$T/out")" = \
    '["0.01","0.50","12.00","1000000000.00"]' ] ||
    fail "amounts: $(jq -c '[.[] | .montantSegurHT]' "$T/out")"
# A control character (none comes in by the CLI; a hand edit of the
# database, say) comes through as the same string.
sqlite3 "$SEGUR_DB" "UPDATE request SET numero_asp = 'X' || char(9) ||
    char(1) || '\"' WHERE ref = 'AM-12'"
expect_exit 0 segurctl request list --json --state draft
[ "$(jq -r '.[6].numeroASP' "$T/out")" = "$(printf 'X\t\001"')" ] ||
    fail "control: $(jq '.[6].numeroASP' "$T/out")"

# The text lines are printf's columns of the same values.
expect_exit 0 segurctl request list --state draft
tail -n +2 "$T/out" | head -n 4 >"$T/lines"
jq -r '.[] | [.ref, .state, .numeroAns, (.montantSegurHT // "-"),
    (.numeroEditeur // "-"), (.numeroASP // "-"), .updatedAt] | @tsv' \
    "$T/list.json" |
    while IFS=$'\t' read -r ref st ans amt ne asp up; do
	# jq's @tsv escapes the backslash; printf pads bytes as the CLI.
	ref=${ref//\\\\/\\}
	LC_ALL=C printf '%-20s %-17s %-10s %12s %-5s %-20s %s\n' "$ref" \
	    "$st" "$ans" "$amt" "$ne" "$asp" "$up"
    done >"$T/want"
cmp "$T/want" "$T/lines" || { diff "$T/want" "$T/lines" >&2; fail "text"; }
head -n 1 "$T/out" | grep -q '^REF  *STATE  *NUMERO_ANS  *MONTANT_HT N_ED  NUMERO_ASP  *UPDATED$' ||
    fail "header"

# Pages: --limit then --after the last reference of the page read them
# all, once each, in the list's order; an unknown reference is an error.
expect_exit 0 segurctl request list --json --state draft
jq -r '.[].ref' "$T/out" >"$T/all-refs"
: >"$T/paged"
after=()
while :; do
	expect_exit 0 segurctl request list --json --state draft --limit 3 \
	    "${after[@]}"
	[ "$(jq length "$T/out")" -gt 0 ] || break
	jq -r '.[].ref' "$T/out" >>"$T/paged"
	after=(--after "$(jq -r '.[-1].ref' "$T/out")")
done
cmp "$T/all-refs" "$T/paged" || fail "pages differ from the whole list"
[ "$(wc -l <"$T/paged")" -eq 8 ] || fail "pages: $(wc -l <"$T/paged") rows"
expect_exit 1 segurctl request list --after NO-SUCH-REF
expect_grep 'aucune demande sous la référence « NO-SUCH-REF »' "$T/err"

# A list that cannot be written is an error, not a silent success.
if [ -w /dev/full ]; then
	set +e
	segurctl request list --state draft >/dev/full 2>"$T/err"
	rc=$?
	set -e
	[ "$rc" -eq 2 ] || fail "write error: exit $rc"
	expect_grep 'write error' "$T/err"
fi
