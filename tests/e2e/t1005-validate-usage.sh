#!/usr/bin/env bash
# Usage errors exit 2 with a French message and the usage line.
. "$(dirname "$0")/lib.sh"

expect_exit 2 segurctl validate
expect_grep "aucun FILE à valider" "$T/err"
expect_grep "^usage: segurctl validate " "$T/err"
expect_exit 2 segurctl validate --frobnicate x.json
expect_grep "option inconnue « --frobnicate »" "$T/err"
expect_exit 2 segurctl validate --markdown x.json
expect_grep "validate: --markdown va avec --list-rules" "$T/err"
expect_exit 2 segurctl validate --list-rules x.json
expect_grep "validate: --list-rules ne prend pas de FILE" "$T/err"
expect_exit 0 segurctl validate --help
expect_grep "^usage: segurctl validate \[--json\]" "$T/out"
# A folder is not a file.
expect_exit 2 segurctl validate "$T"
pass
