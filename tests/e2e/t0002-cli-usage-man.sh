#!/usr/bin/env bash
# Every usage line of segurctl --help appears in the SYNOPSIS of the man page
# docs/man/segurctl.1 (as git's t0450 checks its builtins), and every
# command has its own section there. The options of each command in its
# table (segurctl --commands) are those its SYNOPSIS names, no more, no
# less; its --help lists each of them; --help lists every command under
# its group.
. "$(dirname "$0")/lib.sh"

man=$SEGUR_SOURCE_DIR/docs/man/segurctl.1
# Render as plain ASCII, fold white space, glue "..." to what precedes.
norm() { tr -s ' \t\n' '   ' | sed -e 's/ \.\.\./.../g'; }
groff -mdoc -Tascii -P-cbou "$man" 2>"$T/groff.err" | norm >"$T/man.txt"
[ -s "$T/man.txt" ] || fail "groff rendered nothing from $man"
expect_no_grep 'warning' "$T/groff.err"

segurctl --help | sed -n 's/^usage: //p' | grep -v '\[--db PATH\] COMMAND' \
    >"$T/usages"
[ -s "$T/usages" ] || fail "no usage line in segurctl --help"
n=0
while IFS= read -r u; do
	want=$(printf '%s' "$u" | norm)
	grep -qF -- "$want" "$T/man.txt" ||
	    fail "usage '$want' is not in the SYNOPSIS of segurctl.1"
	n=$((n + 1))
done <"$T/usages"
echo "$n usage lines found in segurctl.1"

# The table, as the completions read it.
segurctl --commands >"$T/table" || fail "segurctl --commands"
awk -F '\t' '$1 == "command" { print $2 }' "$T/table" >"$T/commands"
[ "$(wc -l <"$T/commands")" -ge 40 ] || fail "--commands lists too few"

# The SYNOPSIS of the man source, one line per command: its name (the
# first .Cm after ".Nm segurctl"), then every "Fl -option" it names.
sed -n '/^\.Sh SYNOPSIS/,/^\.Sh /p' "$man" | awk '
	/^\.Nm segurctl$/ { if (name != "") print name "\t" opts;
	    name = ""; opts = ""; want = 1; next }
	/^\.Sh / { if (name != "") print name "\t" opts; name = ""; next }
	want && /^\.Cm / { sub(/^\.Cm /, ""); name = $0; want = 0 }
	{ s = $0
	  while (match(s, /Fl -[a-z0-9-]+/)) {
		opts = opts " -" substr(s, RSTART + 3, RLENGTH - 3)
		s = substr(s, RSTART + RLENGTH) } }' >"$T/synopsis"
[ -s "$T/synopsis" ] || fail "no command found in the SYNOPSIS"

# Both as "COMMAND<TAB>--option" lines. --db and --help, added to every
# ledger command and every command, are in the SYNOPSIS only where they
# say something (init): the table's own options and --json must be there.
awk -F '\t' '{ n = split($2, o, " "); for (i = 1; i <= n; i++)
    print $1 "\t" o[i] }' "$T/synopsis" | sort -u >"$T/man-opts"
awk -F '\t' '$1 == "option" && ($6 == "own" || $3 == "--json") {
    print $2 "\t" $3 }' "$T/table" | sort -u >"$T/table-opts"
awk -F '\t' '$1 == "option" { print $2 "\t" $3 }' "$T/table" |
    sort -u >"$T/table-all"
comm -23 "$T/man-opts" "$T/table-all" >"$T/man-only"
[ ! -s "$T/man-only" ] ||
    fail "in segurctl.1, not in the table: $(tr '\t\n' ' ,' <"$T/man-only")"
comm -13 "$T/man-opts" "$T/table-opts" >"$T/table-only"
[ ! -s "$T/table-only" ] ||
    fail "in the table, not in segurctl.1: $(tr '\t\n' ' ,' <"$T/table-only")"
cut -f1 "$T/synopsis" | sort -u >"$T/man-commands"
sort -u "$T/commands" | comm -23 - "$T/man-commands" >"$T/no-synopsis"
[ ! -s "$T/no-synopsis" ] ||
    fail "no SYNOPSIS line in segurctl.1: $(tr '\n' ',' <"$T/no-synopsis")"

# CMD --help and help CMD print the same: the usage, then each option of
# the table on a line of its own.
: >"$T/helps"
: >"$T/helps2"
while IFS= read -r cmd; do
	# shellcheck disable=SC2086
	{ printf '@@ %s\n' "$cmd"; segurctl $cmd --help ||
	    fail "$cmd --help"; } >>"$T/helps"
	# shellcheck disable=SC2086
	{ printf '@@ %s\n' "$cmd"; segurctl help $cmd ||
	    fail "help $cmd"; } >>"$T/helps2"
done <"$T/commands"
cmp -s "$T/helps" "$T/helps2" || fail "help CMD and CMD --help differ"
awk '/^@@ / { c = substr($0, 4); next }
    /^usage: segurctl / { u[c] = 1 }
    /^  (-., )? *--/ { s = $0; sub(/^  (-., )? */, "", s);
	sub(/ .*/, "", s); print c "\t" s }
    END { for (k in u) print k > "/dev/stderr" }' "$T/helps" \
    2>"$T/with-usage" | sort -u >"$T/help-opts"
sort -u "$T/with-usage" | comm -3 - <(sort -u "$T/commands") >"$T/no-usage"
[ ! -s "$T/no-usage" ] || fail "--help without usage: $(cat "$T/no-usage")"
comm -23 "$T/table-all" "$T/help-opts" >"$T/help-missing"
[ ! -s "$T/help-missing" ] ||
    fail "not in --help: $(tr '\t\n' ' ,' <"$T/help-missing")"
echo "$(wc -l <"$T/commands") commands: table, SYNOPSIS and --help agree"

# --help: each command once, under its group's French heading (the
# "group" lines of --commands give each group's heading).
segurctl --help | awk '/^[^ ].* :$/ { g = substr($0, 1, length($0) - 2);
    next } /^  [a-z]/ && g != "" { sub(/^  /, ""); print g "\t" $0 }
    /^$/ { g = "" }' >"$T/groups"
awk -F '\t' '$1 == "group" { h[$2] = $3 }
    $1 == "command" { print ($3 in h ? h[$3] : "?" $3) "\t" $2 }' \
    "$T/table" |
    while IFS='	' read -r g cmd; do
	grep -q "^$g	$cmd  *[^ ]" "$T/groups" ||
	    fail "segurctl --help does not list '$cmd' under '$g :'"
done
pass
