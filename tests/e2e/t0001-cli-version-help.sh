#!/usr/bin/env bash
# segurctl --version and --help; unknown commands and options are usage
# errors (exit 2) that point at --help.
. "$(dirname "$0")/lib.sh"

expect_exit 0 segurctl --version
expect_grep '^segurctl [0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*$' "$T/out"

expect_exit 0 segurctl --help
expect_grep '^usage: segurctl \[-v\] \[--db PATH\] COMMAND' "$T/out"
expect_grep '^commandes :' "$T/out"
expect_grep '^  help ' "$T/out"

expect_exit 0 segurctl help help
expect_grep '^usage: segurctl help \[COMMAND\]$' "$T/out"

expect_exit 2 segurctl
expect_grep '^usage: segurctl' "$T/err"
expect_exit 2 segurctl no-such-command
expect_grep "commande inconnue « no-such-command »" "$T/err"
expect_exit 2 segurctl --no-such-option
expect_grep "option inconnue « --no-such-option »" "$T/err"
pass
