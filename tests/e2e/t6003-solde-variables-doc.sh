#!/usr/bin/env bash
# The table of template variables in docs/solde.md is the binary's own
# (segurctl solde variables --markdown), so the guide never drifts from
# what solde build accepts.
. "$(dirname "$0")/lib.sh"

doc=$SEGUR_SOURCE_DIR/docs/solde.md
expect_exit 0 segurctl solde variables --markdown
sed -n '/^<!-- variables: begin/,/^<!-- variables: end/p' "$doc" |
    sed '1d;$d' >"$T/doc-table"
[ -s "$T/doc-table" ] || fail "no variables table between the markers of $doc"
diff -u "$T/doc-table" "$T/out" >"$T/diff" ||
    { cat "$T/diff" >&2; fail "docs/solde.md is out of date: paste segurctl solde variables --markdown between its markers"; }
expect_grep '^| `${montantSoldeHT}` | montant | ligne |' "$T/out"
expect_grep '^| `${resoumission}` | booléen | ligne |' "$T/out"
expect_exit 0 segurctl solde variables
expect_grep '^numeroAns  *texte  *fichier ' "$T/out"
pass
