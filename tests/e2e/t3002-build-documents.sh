#!/usr/bin/env bash
# Supporting documents at build time: a PNG named .pdf, a document over
# 3 MiB and a document gone missing keep their requests out of the batch,
# with the reason, and the others go on; zips split at the limit (a small
# limit injected for the test) with each request's documents together.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"

setup_ledger
for i in 1 2 3; do
	printf '%%PDF-1.4\n%% request %d\n%%%%EOF\n' "$i" >"$T/bdc-$i.pdf"
done
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR' >"$T/bdc-4.pdf"
{ printf '%%PDF-1.4\n'; head -c $((3 * 1024 * 1024)) /dev/zero; } \
    >"$T/bdc-5.pdf"
printf '%%PDF-1.4\n%%%%EOF\n' >"$T/bdc-6.pdf"
gen_requests 1 6 BC each
rm "$T/bdc-6.pdf"

# Room for two documents per zip: 3 good requests need two zips.
entry=$((30 + 25 + $(stat -c %s "$T/bdc-1.pdf") + 46 + 25))
SEGUR_TEST_MAX_ZIP=$((22 + 2 * entry)) expect_exit 1 segurctl build \
    --date 20240105 --out "$T/files" --json
jq -e '.requests == 3' "$T/out" >/dev/null || fail "3 requests expected"
jq -e '[.skipped[].ref] == ["BC-0004", "BC-0005", "BC-0006"]' "$T/out" \
    >/dev/null || fail "skipped: $(jq -c .skipped "$T/out")"
jq -r '.skipped[] | .ref + " " + .reason' "$T/out" >"$T/why"
expect_grep '^BC-0004 .*le contenu est un PNG, pas un PDF' "$T/why"
expect_grep '^BC-0005 .*dépasse' "$T/why"
expect_grep '^BC-0006 .*introuvable' "$T/why"
jq -e '[.files[] | select(.kind == "documents") | .documents] == [2, 1]' \
    "$T/out" >/dev/null || fail "zips: $(jq -c .files "$T/out")"
for z in "$T"/files/PJ-*.zip; do
	[ "$(stat -c %s "$z")" -le $((22 + 2 * entry)) ] || fail "$z too big"
	unzip -tq "$z" >/dev/null || fail "$z is not a sound zip"
done
# The zips hold exactly the documents, byte for byte, under their names.
ne=$(jq -r '.lignesImport[2].numeroEditeur' \
    "$T/files/JSON-2023000042-20240105-001.json")
unzip -p "$T/files/PJ-2023000042-20240105-001-2.zip" \
    "MS1-DUI-Va1-BDC-$ne.pdf" | cmp - "$T/bdc-3.pdf" ||
    fail "document changed in the zip"
check_out_consistent "$T/files"

# The kept-out requests are still ready; once fixed, the next build takes
# them (rank 002 of the day).
expect_exit 0 segurctl request list --state ready --json
[ "$(jq length "$T/out")" -eq 3 ] || fail "skipped requests not ready"
printf '%%PDF-1.4\n%%%%EOF\n' >"$T/bdc-4.pdf"
printf '%%PDF-1.4\n%%%%EOF\n' >"$T/bdc-5.pdf"
printf '%%PDF-1.4\n%%%%EOF\n' >"$T/bdc-6.pdf"
expect_exit 0 segurctl build --date 20240105 --out "$T/files"
expect_grep 'JSON-2023000042-20240105-002.json  (3 demande' "$T/out"
check_out_consistent "$T/files"
pass
