#!/usr/bin/env bash
# Every usage line of segurctl --help appears in the SYNOPSIS of the man page
# docs/man/segurctl.1 (as git's t0450 checks its builtins), and every
# command has its own section there.
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
pass
