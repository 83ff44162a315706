#!/usr/bin/env bash
# ref import says what it did, in French or with --json (the counts of
# the table loaded), dry run or not; the template's file is said written;
# usage errors in French.
. "$(dirname "$0")/lib.sh"

one_json() {
	[ "$(jq -s length "$T/out")" = 1 ] || fail "not one JSON document: $(cat "$T/out")"
}

expect_exit 0 segurctl init
printf 'finess_geo;finess_juridique;tranche\n330001017;750000127;B\n330001025;750000127;B\n' \
    >"$T/eligible.csv"
printf 'finess_geo,finess_juridique,tranche\n330001017,750000127,B\n690002027,690002019,A\n10000107,690002019,A\n' \
    >"$T/eligible2.csv"

expect_exit 0 segurctl ref import --dry-run --json eligible "$T/eligible.csv"
one_json
jq -e --arg f "$T/eligible.csv" '.file == $f and .table == "eligible" and
    .encoding == "UTF-8" and .delimiter == ";" and .dryRun and
    (.written | not) and .rows == 2 and .added == 2 and .changed == 0 and
    .removed == 0' "$T/out" >/dev/null || fail "dry run --json: $(cat "$T/out")"
[ "$(sqlite3 "$SEGUR_DB" 'SELECT count(*) FROM eligible')" -eq 0 ] ||
    fail "the dry run loaded rows"
expect_exit 0 segurctl ref import --dry-run eligible "$T/eligible.csv"
expect_grep "^$T/eligible.csv : essai à blanc (UTF-8, « ; ») : 2 ligne(s) à charger dans eligible (2 ajoutée(s), 0 modifiée(s), 0 retirée(s)) ; rien n'est écrit$" "$T/out"

expect_exit 0 segurctl ref import eligible "$T/eligible.csv"
expect_grep "^$T/eligible.csv : 2 ligne(s) chargée(s) dans eligible (2 ajoutée(s), 0 modifiée(s), 0 retirée(s))$" "$T/out"
# The table replaced: one row kept, one removed, two added; the FINESS of
# 8 digits gets its zero back, a warning on stderr only.
expect_exit 0 segurctl ref import --json eligible "$T/eligible2.csv"
one_json
jq -e '.delimiter == "," and .written and (.dryRun | not) and .rows == 3 and
    .added == 2 and .removed == 1 and .changed == 0' "$T/out" >/dev/null ||
    fail "import --json: $(cat "$T/out")"
expect_grep 'avertissement: FINESS « 10000107 » lu 010000107' "$T/err"
[ "$(sqlite3 "$SEGUR_DB" 'SELECT count(*) FROM eligible')" -eq 3 ] ||
    fail "not loaded"

# A refused file: the findings on stderr, nothing on stdout.
printf 'finess_geo;finess_juridique;tranche\n33000101;x;B\n' >"$T/bad.csv"
expect_exit 1 segurctl ref import --json eligible "$T/bad.csv"
[ ! -s "$T/out" ] || fail "a refused file printed JSON: $(cat "$T/out")"

# The template, into a file with --out: said in French.
expect_exit 0 segurctl ref import --template --out "$T/tr.csv" tranches
expect_grep "^$T/tr.csv : modèle écrit$" "$T/out"
[ -s "$T/tr.csv" ] || fail "no template written"

# Usage errors.
expect_exit 2 segurctl ref import tables "$T/eligible.csv"
expect_grep 'table « tables » inconnue (eligible ou tranches)' "$T/err"
expect_exit 2 segurctl ref import eligible
expect_grep 'eligible|tranches et un fichier attendus' "$T/err"
expect_exit 2 segurctl ref import --out "$T/x.csv" eligible "$T/eligible.csv"
expect_grep '--out va avec --template' "$T/err"
expect_exit 2 segurctl ref import --template --json eligible
expect_grep '--template ne prend ni --dry-run, ni --json' "$T/err"
pass
