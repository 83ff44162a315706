#!/usr/bin/env bash
# segurd.8 and segurd.conf.5 render without warnings; every usage line of
# segurd --help is in the SYNOPSIS of segurd.8; the key list of
# segurd.conf.5 is what segurd --dump-config-doc generates from the table
# of keys (regenerate with scripts/gen-segurd-conf-doc).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

man=$SEGUR_SOURCE_DIR/docs/man
norm() { tr -s ' \t\n' '   ' | sed -e 's/ \.\.\./.../g'; }
for page in segurd.8 segurd.conf.5; do
	groff -mdoc -Tascii -P-cbou -ww "$man/$page" 2>"$T/groff.err" |
	    norm >"$T/$page.txt"
	[ -s "$T/$page.txt" ] || fail "groff rendered nothing from $page"
	expect_no_grep 'warning' "$T/groff.err"
done

"$SEGURD" --help | sed -n 's/^usage: //p; s/^       segurd/segurd/p' \
    >"$T/usages"
[ "$(wc -l <"$T/usages")" -eq 2 ] || fail "expected 2 usage lines"
while IFS= read -r u; do
	want=$(printf '%s' "$u" | norm)
	grep -qF -- "$want" "$T/segurd.8.txt" ||
	    fail "usage '$want' is not in the SYNOPSIS of segurd.8"
done <"$T/usages"

"$SEGURD" --dump-config-doc >"$T/gen"
sed -n '/^\.\\" BEGIN GENERATED/,/^\.\\" END GENERATED/p' \
    "$man/segurd.conf.5" | sed '1d;$d' >"$T/committed"
[ -s "$T/committed" ] || fail "no GENERATED part in segurd.conf.5"
diff -u "$T/committed" "$T/gen" >&2 ||
    fail "segurd.conf.5 is out of date: run scripts/gen-segurd-conf-doc"
# Every key of the table is documented (the generator writes them all).
for key in path settle rescan listen max_request_bytes client_timeout \
    level url secret_file format timeout smtp_url from to username \
    password_file starttls retry_for digest at submitted_days \
    decision_days balance_days balance_deadline_days; do
	grep -q "^\.It Ic $key No = " "$T/gen" || fail "key $key undocumented"
done
pass
