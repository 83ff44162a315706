#!/usr/bin/env bash
# segurctl --version and --help; unknown commands and options are usage
# errors (exit 2) that point at --help.
. "$(dirname "$0")/lib.sh"

expect_exit 0 segurctl --version
expect_grep '^segurctl [0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*$' "$T/out"

expect_exit 0 segurctl --help
expect_grep '^usage: segurctl \[-v\] \[--db PATH\] COMMAND' "$T/out"
expect_grep '^commandes :$' "$T/out"
expect_grep '^aide :$' "$T/out"
expect_grep '^  help  *afficher les commandes' "$T/out"
expect_grep '^usage de chaque commande :$' "$T/out"
# A command's help is French too, its placeholders and names as they are.
expect_exit 0 segurctl request add --help
expect_grep '^enregistrer une demande comme brouillon' "$T/out"
expect_grep '^modifie le registre ou ses fichiers$' "$T/out"
expect_grep '^options :$' "$T/out"
expect_grep '^ *--bdc FILE  *le bon de commande signé' "$T/out"
expect_grep '^ *--db PATH  *le registre (sinon \$SEGUR_DB' "$T/out"
expect_grep '^  -h, --help  *afficher cette aide$' "$T/out"

expect_exit 0 segurctl help help
expect_grep '^usage: segurctl help \[COMMAND\]$' "$T/out"

expect_exit 2 segurctl
expect_grep '^usage: segurctl' "$T/err"
expect_exit 2 segurctl no-such-command
expect_grep "^segurctl: commande inconnue « no-such-command » (voir segurctl --help)$" "$T/err"
expect_exit 0 segurctl request
expect_grep '^commandes « request » :$' "$T/out"
expect_grep '^  request list  ' "$T/out"
expect_exit 2 segurctl --no-such-option
expect_grep "^segurctl: option inconnue « --no-such-option »$" "$T/err"
pass
