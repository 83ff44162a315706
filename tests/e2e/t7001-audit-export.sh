#!/usr/bin/env bash
# audit export of a ledger seeded by the end-to-end scenario (requests,
# build, ASP's answer ingested, a grant and an advance recorded), parsed
# back: CSV in both dialects with Python's csv module, JSON with jq; the
# same numbers as the ledger, the chain head on every row, filters by OG
# and by date.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"
. "$(dirname "$0")/audit-lib.sh"

seed_audit
expect_exit 0 segurctl audit head --json
head=$(jq -r .hash "$T/out")
events=$(jq -r .events "$T/out")

# French Excel: BOM, ';', decimal comma, CRLF.
expect_exit 0 segurctl audit export --out "$T/fr.csv"
expect_grep "5 ligne(s), tête $head" "$T/err"
[ "$(head -c 3 "$T/fr.csv" | od -An -tx1 | tr -d ' ')" = efbbbf ] ||
    fail "no BOM in the Excel CSV"
# RFC 4180 on standard output: no BOM, ',' and decimal point.
expect_exit 0 segurctl audit export --csv-rfc4180
cp "$T/out" "$T/rfc.csv"
[ "$(head -c 9 "$T/rfc.csv")" = reference ] || fail "RFC 4180 CSV has a BOM"
expect_exit 0 segurctl audit export --format json --out "$T/all.json"
grep -q '^="BC-1";="2023000042";1;="00001";' "$T/fr.csv" ||
    fail "identifiers of the Excel CSV not as =\"...\""
grep -q '^BC-1,2023000042,1,00001,' "$T/rfc.csv" ||
    fail "identifiers of the RFC 4180 CSV not bare"

python3 - "$T/fr.csv" "$T/rfc.csv" "$head" "$events" <<'PY'
import csv, sys
fr, rfc, head, events = sys.argv[1:5]
def rows(path, delim, comma):
    with open(path, encoding="utf-8-sig", newline="") as f:
        r = list(csv.DictReader(f, delimiter=delim))
    for row in r:
        for k, v in row.items():
            # French Excel's identifiers are ="..." (docs/audit.md).
            if comma and v.startswith('="') and v.endswith('"'):
                row[k] = v[2:-1]
            elif comma and k in ("reference", "numeroEditeur", "finessJuridique") and v:
                raise AssertionError((k, v, "not as ="))
        for k in ("montantDemande", "montantAccorde", "montantAvance"):
            v = row[k]
            if v:
                assert ("," in v) == comma and ("." not in v) == comma, (k, v)
                row[k] = round(float(v.replace(",", ".")) * 100)
    return r
a, b = rows(fr, ";", True), rows(rfc, ",", False)
assert a == b, "the two dialects disagree"
assert len(a) == 5, len(a)
by = {r["reference"]: r for r in a}
bc1, bc2 = by["BC-1"], by["BC-2"]
assert bc1["numeroEditeur"] == "00001" and bc1["numeroASP"] == "MS1-DUI-2023-0001872"
assert bc1["etat"] == "advance_paid" and bc1["montantAccorde"] == 243333
assert bc1["libelleEtat"] == "avance versée"
assert bc2["libelleEtat"] == "rejetée par l'ASP"
assert bc1["montantAvance"] == 73000 and bc1["dateAvance"] == "2023-11-20"
assert bc1["dateAccord"] == "2023-11-02" and bc1["dateCommande"] == "2023-10-02"
assert bc1["fichierEnvoye"] == "JSON-2023000042-20231002-001.json"
assert bc1["fichierReponse"] == "retour.json" and bc1["numLigne"] == "1"
assert bc1["finessJuridique"] == "750000127"
assert bc1["finessGeo"] == "330001017,330001025"
assert bc2["codeTraitement"] == "E12" and bc2["etat"] == "rejected"
assert bc2["libelleTraitement"] == "Le FINESS géographique 590004016 n'appartient pas à la liste des FINESS éligibles"
assert bc2["piecesJustificatives"] == "MS1-DUI-Va1-BDC-00002.pdf,MS1-DUI-Va1-HT-00002.png"
assert sum(r["montantDemande"] for r in a) == 486667 + 584000 + 3 * 243333
for r in a:
    assert r["teteChaine"] == head and r["evenementsChaine"] == events
    assert r["sceauTeteChaine"] == ""
assert [r["reference"] for r in a] == ["BC-1", "BC-2", "GR-0200", "GR-0201", "GR-0202"]
PY

# JSON: the same numbers, the head as a field.
jq -e --arg h "$head" '.chainHead.hash == $h and (.rows | length) == 5' \
    "$T/all.json" >/dev/null || fail "JSON head or rows"
jq -e '[.rows[] | .montantDemande | tonumber] | add == 18006.66' \
    "$T/all.json" >/dev/null || fail "JSON amounts"
jq -e '.rows[] | select(.reference == "BC-1") | .montantAccorde == "2433.33"
    and .montantAvance == "730.00" and .numeroASP == "MS1-DUI-2023-0001872"
    and .libelleEtat == "avance versée" and .etat == "advance_paid"' \
    "$T/all.json" >/dev/null || fail "JSON BC-1"
# The same ledger counts in the export and in the ledger itself.
[ "$(sqlite3 "$SEGUR_DB" 'SELECT count(*) FROM attempt')" -eq \
    "$(jq '.rows | length' "$T/all.json")" ] || fail "one row per attempt"

# Filters: the OG of BC-2 only; a span of dates with nothing in it.
expect_exit 0 segurctl audit export --format json --og 130003015
jq -e '[.rows[].reference] == ["BC-2"]' "$T/out" >/dev/null ||
    fail "--og: $(jq -c '[.rows[].reference]' "$T/out")"
expect_exit 0 segurctl audit export --format json --from 2000-01-01 \
    --to 2000-12-31
jq -e '.rows == []' "$T/out" >/dev/null || fail "--from/--to"
today=$(date -u +%Y-%m-%d)
expect_exit 0 segurctl audit export --format json --from "$today" --to "$today"
jq -e '.rows | length == 5' "$T/out" >/dev/null || fail "today's span"

# A key seals the head on every row.
head -c 32 /dev/urandom | base64 >"$T/key"
SEGUR_AUDIT_KEY_FILE=$T/key expect_exit 0 segurctl audit export --format json
seal=$(jq -r .chainHead.seal "$T/out")
[ ${#seal} -eq 64 ] || fail "no seal with a key"
expect_exit 0 segurctl audit verify --head "$head" --seal "$seal" --key "$T/key"

# Usage errors.
expect_exit 2 segurctl audit export --format xml
expect_exit 2 segurctl audit export --from 02/13/2023
printf 'short\n' >"$T/short.key"
expect_exit 2 segurctl audit export --key "$T/short.key"
expect_grep 'au moins 16 octets' "$T/err"
pass
