#!/usr/bin/env bash
# request import --json: one object with the counts and each order's
# outcome, in a dry run, an import, an update and a refusal too; its lines
# in French without it; request ready and resubmit say the state by its
# French label, their --json by its code.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"

json_only() {
	[ "$(jq -s length "$T/out")" -eq 1 ] ||
	    fail "stdout is not one JSON document: $(cat "$T/out")"
}

setup_ledger
gen_requests 1 2 BC
# gen_requests made them ready: withdrawn, their ESMS may be funded by two
# more orders, to import.
for r in BC-0001 BC-0002; do
	expect_exit 0 segurctl request withdraw --reason essai "$r"
done
python3 - "$T" <<'PY'
import sys
t = sys.argv[1]
rows = open(t + "/requests.csv").read().replace("BC-", "IM-")
open(t + "/more.csv", "w").write(rows)
PY

# A dry run: what would be registered, nothing written.
expect_exit 0 segurctl request import --json --dry-run "$T/more.csv"
json_only
jq -e '.file | endswith("more.csv")' "$T/out" >/dev/null || fail "file"
jq -e '.dryRun == true and .written == false and .update == false and
    .encoding == "UTF-8" and .delimiter == ";" and .rows == 2 and
    .added == 2 and .updated == 0 and .unchanged == 0 and
    .requests == [{"ref": "IM-0001", "outcome": "added"},
    {"ref": "IM-0002", "outcome": "added"}] and .errors == []' "$T/out" \
    >/dev/null || fail "import --json --dry-run: $(cat "$T/out")"
[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM request WHERE ref LIKE 'IM-%'")" -eq 0 ] ||
    fail "a dry run registered requests"
expect_exit 0 segurctl request import --dry-run "$T/more.csv"
expect_grep "more.csv : essai à blanc (UTF-8, « ; », 2 ligne(s)) : 2 demande(s) seraient enregistrée(s) comme brouillons, 0 mise(s) à jour, 0 inchangée(s) ; rien n'est écrit$" "$T/out"

# The import itself.
expect_exit 0 segurctl request import --json "$T/more.csv"
json_only
jq -e '.dryRun == false and .written == true and .added == 2 and
    ([.requests[].ref] == ["IM-0001", "IM-0002"])' "$T/out" >/dev/null ||
    fail "import --json: $(cat "$T/out")"
expect_exit 0 segurctl request list --state draft --json
[ "$(jq -c '[.[].ref]' "$T/out")" = '["IM-0001","IM-0002"]' ] ||
    fail "imported drafts: $(cat "$T/out")"

# Refused: every order known without --update; the object says so, exit 1.
expect_exit 1 segurctl request import --json "$T/more.csv"
json_only
jq -e '.written == false and .added == 0 and .requests == [] and
    (.errors | length) == 2 and .errors[0].row == 2 and
    .errors[0].column == "reference" and
    (.errors[0].message | contains("déjà enregistrée"))' "$T/out" \
    >/dev/null || fail "refused import --json: $(cat "$T/out")"
expect_grep 'more.csv:2:reference: erreur: ' "$T/err"

# --update: one order changed, one the same.
sed 's/IM-0002;02\/10\/2023;TTC;2433,33/IM-0002;02\/10\/2023;TTC;2400,00/' \
    "$T/more.csv" >"$T/update.csv"
expect_exit 0 segurctl request import --json --update "$T/update.csv"
json_only
jq -e '.update == true and .added == 0 and .updated == 1 and
    .unchanged == 1 and .requests == [{"ref": "IM-0001",
    "outcome": "unchanged"}, {"ref": "IM-0002", "outcome": "updated"}]' \
    "$T/out" >/dev/null || fail "import --json --update: $(cat "$T/out")"
expect_exit 0 segurctl request import --update "$T/update.csv"
expect_grep '^.*update.csv : 0 demande(s) enregistrée(s) comme brouillons, 0 mise(s) à jour, 2 inchangée(s)$' "$T/out"

# --template writes CSV, not JSON: refused with --json.
expect_exit 2 segurctl request import --template --json
expect_grep 'ne prend ni FILE.csv' "$T/err"
expect_exit 0 segurctl request import --template --out "$T/tpl.csv"
expect_grep 'tpl.csv : modèle écrit$' "$T/out"
[ "$(head -c 3 "$T/tpl.csv" | od -An -tx1 | tr -d ' ')" = efbbbf ] ||
    fail "template not written to --out"

# request ready: the state by its label; --json by its code.
expect_exit 0 segurctl request ready IM-0001
expect_grep '^IM-0001 : prête à envoyer (0 erreur(s), [0-9]* avertissement(s))$' "$T/out"
expect_exit 0 segurctl request ready --json IM-0002
json_only
jq -e '.[0].ref == "IM-0002" and .[0].ready == true and
    .[0].state == "ready"' "$T/out" >/dev/null ||
    fail "request ready --json: $(cat "$T/out")"
expect_exit 2 segurctl request ready
expect_grep 'donnez des références ou --all' "$T/err"

# A draft that stays one: said with its label.
jq '.lignesImport[1]' "$DATA/JSON-2023000042-20231002-001.json" >"$T/line1.json"
expect_exit 0 segurctl request add --ref BAD "$T/line1.json"
expect_exit 1 segurctl request ready BAD
expect_grep '^BAD : toujours brouillon ([0-9]* erreur(s), [1-9][0-9]* avertissement(s))$' "$T/out"
expect_exit 1 segurctl request ready --json BAD
jq -e '.[0].ready == false and .[0].state == "draft"' "$T/out" >/dev/null ||
    fail "request ready --json, a draft that stays: $(cat "$T/out")"

# resubmit: nothing rejected to name; the usage error is French.
expect_exit 2 segurctl resubmit
expect_grep 'donnez des références ou --all-rejected' "$T/err"
pass
