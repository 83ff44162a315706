#!/usr/bin/env bash
# Usage errors exit 2 with a message in English and the usage line.
. "$(dirname "$0")/lib.sh"

expect_exit 2 segurctl validate
expect_grep "no FILE" "$T/err"
expect_grep "^usage: segurctl validate " "$T/err"
expect_exit 2 segurctl validate --frobnicate x.json
expect_grep "option inconnue" "$T/err"
expect_exit 2 segurctl validate --markdown x.json
expect_exit 2 segurctl validate --list-rules x.json
expect_exit 0 segurctl validate --help
expect_grep "^usage: segurctl validate \[--json\]" "$T/out"
# A folder is not a file.
expect_exit 2 segurctl validate "$T"
pass
