#!/usr/bin/env bash
# --json: one object of the documented shape, every file in order, an
# unreadable file on stderr with exit 2 while the others are reported.
. "$(dirname "$0")/lib.sh"

ex=$DATA/JSON-2023000042-20231002-001.json
bad=$T/JSON-2023000042-20231002-002.json
jq '.lignesImport[1].scenarioInstallation[0].IsRefSoins = null
    | .SIRET = "38042372300029"' "$ex" >"$bad"
printf '[1]' >"$T/JSON-2023000042-20231002-003.json"

expect_exit 1 segurctl validate --json "$ex" "$bad" \
    "$T/JSON-2023000042-20231002-003.json"
jq -e '.files | length == 3' "$T/out" >/dev/null || fail "not 3 files"
# The shape of every file and finding.
jq -e 'all(.files[]; (keys == ["file","findings","lines","structure_ok","valid"])
    and (.file | type == "string") and (.valid | type == "boolean")
    and (.structure_ok | type == "boolean")
    and (.lines == null or (.lines | type == "number"))
    and all(.findings[]; keys == ["line","message","numLigne","path","rule","severity"]
        and (.severity == "error" or .severity == "warning")
        and (.rule | type == "string") and (.message | type == "string")
        and (.line == null or (.line | type == "number"))
        and (.numLigne == null or (.numLigne | type == "number"))
        and (.path == null or (.path | type == "string"))))' "$T/out" \
    >/dev/null || { cat "$T/out" >&2; fail "bad --json shape"; }
jq -e --arg ex "$ex" '.files[0] | .file == $ex and .valid and .structure_ok
    and .lines == 2 and .findings == []' "$T/out" >/dev/null ||
    fail "example not clean in --json"
jq -e '.files[1] | (.valid | not) and .structure_ok and .lines == 2
    and any(.findings[]; .rule == "SCENARIO-IS-REF-SOINS"
        and .severity == "error" and .line == 1 and .numLigne == 2
        and .path == "lignesImport[1].scenarioInstallation[0].IsRefSoins")
    and any(.findings[]; .rule == "FICHIER-SIRET-CLE"
        and .severity == "warning" and .line == null and .numLigne == null
        and .path == "SIRET")' "$T/out" >/dev/null ||
    { cat "$T/out" >&2; fail "findings of file 2"; }
jq -e '.files[2] | (.valid | not) and (.structure_ok | not)
    and .lines == null and (.findings | length == 1)
    and .findings[0].rule == "STRUCT-RACINE" and .findings[0].path == null
    and .findings[0].line == null' "$T/out" >/dev/null ||
    { cat "$T/out" >&2; fail "structure finding of file 3"; }

# An unreadable file among others: exit 2, the others still reported.
expect_exit 2 segurctl validate --json "$ex" "$T/missing.json" "$bad"
expect_grep "missing.json" "$T/err"
jq -e '.files | length == 2 and .[1].valid == false' "$T/out" >/dev/null ||
    fail "other files not reported"
expect_exit 2 segurctl validate "$T/missing.json" "$ex"
expect_grep "^$ex: valide" "$T/out"
pass
