#!/usr/bin/env bash
# The documentation names files that exist: every path under lib/, cli/,
# daemon/, include/, tests/, sql/, scripts/, bench/ or systemd/ written in
# README.md and docs/ (the spec aside) is in the tree. Braces and globs
# (cli/cmd-{init,status}.c, tests/e2e/t700*-audit-*.sh) must each match;
# placeholders (NNN, <name>) are skipped. Each docs/internals/ page opens
# with the files that hold it, and README.md starts with make run, then
# make test.
. "$(dirname "$0")/lib.sh"

cd "$SEGUR_SOURCE_DIR"
shopt -s nullglob
bad=0
docs=(README.md docs/*.md docs/internals/*.md)
while IFS=: read -r file line path; do
	path=${path%%[.,:;)]}
	path=${path%%[.,:;)]}
	case $path in
	*NNN* | *'<'* | *'>'* | *…* | */) continue ;;
	esac
	case $path in
	*'{'*)
		# shellcheck disable=SC2207 # brace expansion is the point
		alts=($(eval "printf '%s\n' $path")) ;;
	*) alts=("$path") ;;
	esac
	for p in "${alts[@]}"; do
		case $p in
		*[*?[]*) m=($p); [ ${#m[@]} -gt 0 ] && continue ;;
		*) [ -e "$p" ] && continue ;;
		esac
		echo "$file:$line: $p: no such file" >&2
		bad=1
	done
done < <(grep -noE \
    '(^|[^A-Za-z0-9_./-])(lib|cli|daemon|include|tests|sql|scripts|bench|systemd)/[][A-Za-z0-9_.{},*?/+<>-]*' \
    "${docs[@]}" | sed -E 's/^([^:]*:[0-9]+:)[^a-z]/\1/')
[ "$bad" -eq 0 ] || fail "the documentation names files that do not exist"

for f in docs/internals/*.md; do
	# The title, then "Files:" and the table of the files that hold it.
	[ "$(sed -n '3p' "$f")" = "Files:" ] &&
	    sed -n '5p' "$f" | grep -q '^| file | what |$' ||
	    fail "$f does not open with the table of the files that hold it"
done

# The title, then a code block of exactly two commands.
[ "$(sed -n '3,6p' README.md)" = "$(printf '```\nmake run\nmake test\n```')" ] ||
    fail "README.md must start with make run, then make test"
pass
