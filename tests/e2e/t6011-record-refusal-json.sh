#!/usr/bin/env bash
# record refusal says what it recorded, in French or with --json (the
# request re-read, "record": "refusal", no amount), on two ledgers: one
# refused in text, one with --json. A request refused takes nothing more.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"
. "$(dirname "$0")/solde-lib.sh"

TOP=$T
# A ledger of its own in $TOP/$1, the request accepted.
ledger() {
	T=$TOP/$1
	mkdir -p "$T"
	export SEGUR_DB=$T/ledger.db
	seed_accepted
}

ledger text
expect_exit 0 segurctl record refusal --date 2023-11-02 --letter DR-1 \
    --note 'hors périmètre' $ASP
expect_grep "^$ASP : décision de refus enregistrée le 02/11/2023 ; état : refusée$" "$T/out"
[ "$(wc -l <"$T/out")" -eq 1 ] || fail "refusal: more than one line"
expect_exit 1 segurctl record grant --date 2023-11-03 $ASP
expect_grep "est à l'état « refusée » : impossible d'y enregistrer un accord" "$T/err"

ledger json
expect_exit 0 segurctl record refusal --json --date 2023-11-02 \
    --letter DR-1 --note 'hors périmètre' $ASP
[ "$(jq -s length "$T/out")" = 1 ] || fail "not one JSON document: $(cat "$T/out")"
jq -e --arg asp $ASP '.ref == "BC-1" and .numeroASP == $asp and
    .state == "refused" and .record == "refusal" and .date == "2023-11-02" and
    .amount == null and .letterRef == "DR-1" and .note == "hors périmètre" and
    .forced == false' "$T/out" >/dev/null ||
    fail "refusal --json: $(cat "$T/out")"
expect_exit 0 segurctl request show --json BC-1
jq -e '.decisions | length == 1 and .[0].kind == "refusal"' "$T/out" \
    >/dev/null || fail "decisions: $(cat "$T/out")"
T=$TOP
pass
