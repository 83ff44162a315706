#!/usr/bin/env bash
# request list: the text columns hold the same values in French, the --json array parses,
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
    '["ref","numeroAns","state","montantSegurHT","numeroEditeur","numeroASP","createdAt","updatedAt","rejectionReason","rejectionCode"]' ] ||
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

# The text lines hold the same values for people: the state in French,
# amounts as the French locale writes them (U+202F between thousands),
# times as JJ/MM/AAAA HH:MM, each cell in its column (characters, not
# bytes).
expect_exit 0 segurctl request list --state draft
head -n 1 "$T/out" | grep -q '^RÉFÉRENCE  *ÉTAT  *NUMÉRO ANS  *MONTANT HT N° ÉD. NUMÉRO ASP  *MODIFIÉE LE$' ||
    fail "header: $(head -n 1 "$T/out")"
tail -n +2 "$T/out" | head -n 4 >"$T/lines"
nb=$(printf '\342\200\257')
jq -r '.[0:4][] | [.ref, (.montantSegurHT // "-"), .updatedAt] | @tsv' \
    "$T/list.json" |
    while IFS=$'\t' read -r ref amt up; do
	ref=${ref//\\\\/\\}
	if [ "$amt" != - ]; then
		# 1234.50 -> 1 234,50 € (the thousands: tests use < 1,000,000)
		int=${amt%.*} dec=${amt#*.}
		[ ${#int} -gt 3 ] && int="${int:0:${#int}-3}$nb${int: -3}"
		amt="$int,$dec €"
	fi
	when=$(TZ=${TZ:-} date -d "$up" '+%d/%m/%Y %H:%M')
	printf '%s\t%s\t%s\t%s\n' "$ref" brouillon "$amt" "$when"
    done >"$T/want"
python3 - "$T/lines" "$T/want" <<'PY' || fail "text lines"
import sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
want = [l.split("\t") for l in open(sys.argv[2], encoding="utf-8").read().splitlines()]
starts = [0, 21, 44, 55, 70, 77, 98]
assert len(lines) == len(want) == 4, (lines, want)
aligned = 0
for line, (ref, state, amt, when) in zip(lines, want):
    assert line.startswith(ref + " "), (line, ref)
    rest = line[len(ref):].lstrip(" ")
    assert rest.startswith(state + " "), (line, state)
    assert (" " + amt + " ") in line and line.endswith(" " + when), \
        (line, amt, when)
    if len(ref) <= 20:
        # A reference that fits: every cell starts at its column.
        cells = [line[a:b].strip() for a, b in zip(starts, starts[1:] + [None])]
        assert cells[0] == ref and cells[1] == state and cells[3] == amt \
            and cells[6] == when, (cells, ref, state, amt, when)
        aligned += 1
assert aligned > 0, "no row with a reference that fits its column"
PY

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
	expect_grep "erreur d'écriture" "$T/err"
fi
