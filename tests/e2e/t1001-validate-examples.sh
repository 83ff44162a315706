#!/usr/bin/env bash
# The example files validate clean: the submission as it is, the file ASP
# returned with --returned; without --returned the returned file has
# errors (ASP's values), reported compiler-style with a summary line.
. "$(dirname "$0")/lib.sh"

ex=$DATA/JSON-2023000042-20231002-001.json
ret=$DATA/JSON-2023000042-20231002-001.retour.json

expect_exit 0 segurctl validate "$ex"
[ "$(wc -l <"$T/out")" -eq 1 ] || fail "expected only the summary line"
expect_grep "^$ex: valide, 0 erreur, 0 avertissement, 2 lignes\$" "$T/out"
[ ! -s "$T/err" ] || fail "unexpected stderr"

expect_exit 0 segurctl validate --returned "$ret"
expect_grep "^$ret: valide, 0 erreur" "$T/out"

# A copy under the name the guide wants: the name check passes too.
cp "$ret" "$T/JSON-2023000042-20231002-002.json"
expect_exit 1 segurctl validate "$T/JSON-2023000042-20231002-002.json"
expect_grep "^$T/JSON-2023000042-20231002-002.json:impId: erreur: impId doit valoir null .* \[FICHIER-IMPID\]\$" "$T/out"
expect_grep "^$T/JSON-2023000042-20231002-002.json:numLigne 1:lignesImport\[0\]\.numeroASP: erreur: .*\"MS1-DUI-2023-0001872\" \[LIGNE-NUMERO-ASP\]\$" "$T/out"
expect_grep "^$T/JSON-2023000042-20231002-002.json: invalide, 6 erreurs, 0 avertissement, 2 lignes\$" "$T/out"

# ASP mode: one error per line at most.
expect_exit 1 segurctl validate --first-error "$T/JSON-2023000042-20231002-002.json"
expect_grep "invalide, 3 erreurs" "$T/out"
pass
