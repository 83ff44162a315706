#!/usr/bin/env bash
# Files uploaded before the ledger existed: the example submission is
# recorded as sent (requests NE-00001 and NE-00002, waiting for ASP, their
# documents archived), refused a second time; ASP's answer then matches
# it; the next build of that day takes rank 002 and never reuses a
# recorded numeroEditeur; a file reusing a number, or carrying ASP's
# answers, is refused whole.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"

setup_ledger
sent=$DATA/JSON-2023000042-20231002-001.json
mkdir "$T/pj"
printf '%%PDF-1.4\n%% 1\n%%%%EOF\n' >"$T/pj/MS1-DUI-Va1-BDC-00001.pdf"
printf '%%PDF-1.4\n%% 2\n%%%%EOF\n' >"$T/pj/MS1-DUI-Va1-BDC-00002.pdf"
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR' >"$T/pj/MS1-DUI-Va1-HT-00002.png"

expect_exit 0 segurctl ingest --submitted --documents "$T/pj" "$sent"
expect_grep '2 demande(s) en attente de la réponse de l.ASP (NE-00001, NE-00002)' "$T/out"
expect_exit 0 segurctl request show --json NE-00002
jq -e '.state == "submitted" and (.attempts | length) == 1 and
    .attempts[0].numeroEditeur == "00002"' "$T/out" >/dev/null ||
    fail "NE-00002: $(jq -c '{state, attempts}' "$T/out")"
sha=$(sha256sum "$T/pj/MS1-DUI-Va1-HT-00002.png" | cut -d' ' -f1)
[ -f "$T/archive/$sha" ] || fail "document not archived"
[ -f "$T/archive/$(sha256sum "$sent" | cut -d' ' -f1)" ] ||
    fail "file not archived"

expect_exit 1 segurctl ingest --submitted "$sent"
expect_grep 'déjà enregistré' "$T/err"

# ASP's answer matches the adopted file.
cp "$DATA/JSON-2023000042-20231002-001.retour.json" "$T/retour.json"
expect_exit 0 segurctl ingest "$T/retour.json"
expect_grep '1 acceptée(s), 1 rejetée(s), 0 anomalie(s)' "$T/out"

# A number already used: refused whole, nothing recorded.
jq '.lignesImport[1].numeroEditeur = "0000Z" | .lignesImport[0].commande.montantSegurHT = 100' \
    "$sent" >"$T/JSON-2023000042-20231003-001.json"
expect_exit 1 segurctl ingest --submitted "$T/JSON-2023000042-20231003-001.json"
expect_grep 'numeroEditeur 00001 est déjà utilisé' "$T/err"
expect_exit 1 segurctl request show 0000Z
# A file with ASP's answers is not a submission.
expect_exit 1 segurctl ingest --submitted "$T/retour.json"
expect_grep "réponses de l'ASP" "$T/err"

# The next build that day: rank 002, numbers after the recorded ones.
gen_requests 1 1
expect_exit 0 segurctl build --date 20231002 --out "$T/files"
f=$T/files/JSON-2023000042-20231002-002.json
[ -f "$f" ] || fail "rank 001 was reused"
ne=$(jq -r '.lignesImport[0].numeroEditeur' "$f")
case $ne in 00001|00002) fail "numeroEditeur $ne reused" ;; esac
expect_exit 0 segurctl audit verify
pass
