#!/usr/bin/env bash
# audit export as people open it: the xlsx workbook and the French-Excel
# CSV read back by LibreOffice (headless, French locale for the CSV), cell
# by cell, through its flat ODF form: numeroEditeur 00001 and FINESS
# 010000123 stay text with their zeros, amounts are numbers, dates are
# dates, the sheets exist; the workbook's own XML has the frozen header
# row and the autofilter. The RFC 4180 CSV read the same way loses the
# zeros: the check can fail.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"
. "$(dirname "$0")/audit-lib.sh"

# LibreOffice is in scripts/bootstrap (libreoffice-calc-nogui): missing is
# a broken machine, not a reason to skip.
command -v soffice >/dev/null 2>&1 ||
    fail "soffice not found: run ./scripts/bootstrap (libreoffice-calc-nogui)"

seed_audit
# One more request, whose OG and ESMS FINESS start with a zero.
printf 'finess_geo;finess_juridique;tranche\n010000131;010000123;B\n' \
    >"$T/eligible0.csv"
expect_exit 0 segurctl ref import eligible "$T/eligible0.csv"
printf '%s\n' "reference;date_commande;regime_tva;montant_ht;bdc;finess_juridique;nom_responsable_og;email_responsable_og;telephone_responsable_og;demande_certificat_serveur;finess_geo;ancienne_version;is_maitre_id;is_stockage_id;is_ref_soins;operateur_messagerie;profil_metier" \
    "ZR-1;05/10/2023;TTC;1234,56;bdc.pdf;010000123;MARTIN;direction@og-exemple.fr;+33123456780;non;010000131;DUI 4.2;oui;non;oui;MAI_15;PA" \
    >"$T/zr.csv"
expect_exit 0 segurctl request import "$T/zr.csv"
expect_exit 0 segurctl audit head --json
head=$(jq -r .hash "$T/out")

expect_exit 0 segurctl audit export --xlsx --out "$T/export.xlsx"
expect_grep "6 ligne(s), tête $head" "$T/err"
[ "$(stat -c %a "$T/export.xlsx")" = 640 ] || fail "xlsx mode"
[ ! -e "$T/export.xlsx.segur-tmp" ] || fail "temporary file left"
# The alias writes the same workbook.
expect_exit 0 segurctl audit export --format xlsx --out "$T/alias.xlsx"
unzip -p "$T/alias.xlsx" xl/worksheets/sheet2.xml >"$T/alias2.xml"
unzip -p "$T/export.xlsx" xl/worksheets/sheet2.xml >"$T/export2.xml"
cmp -s "$T/alias2.xml" "$T/export2.xml" || fail "--format xlsx differs"
# A workbook never goes to standard output.
expect_exit 2 segurctl audit export --xlsx
expect_grep 'demande --out FICHIER' "$T/err"
expect_exit 2 segurctl audit export --xlsx --csv-rfc4180 --out "$T/no.xlsx"
[ ! -e "$T/no.xlsx" ] || fail "a workbook written despite a usage error"
expect_exit 0 segurctl audit export --out "$T/fr.csv"
expect_exit 0 segurctl audit export --csv-rfc4180 --out "$T/rfc.csv"
# --json is --format json.
expect_exit 0 segurctl audit export --json --out "$T/a.json"
expect_exit 0 segurctl audit export --format json --out "$T/b.json"
jq -e '.rows | length == 6' "$T/a.json" >/dev/null || fail "--json rows"
cmp -s "$T/a.json" "$T/b.json" || fail "--json differs from --format json"

# The workbook's XML: sheets by name, header frozen, autofilter, text
# cells for the identifiers.
unzip -p "$T/export.xlsx" xl/workbook.xml >"$T/workbook.xml"
for s in Demandes Tentatives Versements Anomalies 'Tête de chaîne'; do
	grep -q "<sheet name=\"$s\"" "$T/workbook.xml" || fail "no sheet $s"
done
for i in 1 2 3 4; do
	unzip -p "$T/export.xlsx" "xl/worksheets/sheet$i.xml" >"$T/s$i.xml"
	grep -q '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' \
	    "$T/s$i.xml" || fail "sheet $i: header row not frozen"
	grep -q '<autoFilter ref="A1:' "$T/s$i.xml" || fail "sheet $i: no autofilter"
done
grep -q 'state="frozen"' <(unzip -p "$T/export.xlsx" xl/worksheets/sheet5.xml) ||
    fail "head sheet: header row not frozen"

# LibreOffice reads each file into flat ODF (.fods), whose cells say their
# type. The CSV is opened as a French user opens it: ';', UTF-8, fr-FR.
lo() {
	local filter=$1
	shift
	timeout 300 soffice -env:UserInstallation="file://$T/lo-profile" --headless \
	    ${filter:+--infilter="$filter"} --convert-to fods \
	    --outdir "$T/lo" "$@" >"$T/lo.log" 2>&1 ||
	    fail "soffice failed: $(cat "$T/lo.log")"
}
lo "" "$T/export.xlsx"
lo "Text - txt - csv (StarCalc):59,34,76,1,,1036" "$T/fr.csv"
mkdir -p "$T/rfc" && cp "$T/rfc.csv" "$T/rfc/rfc.csv"
lo "Text - txt - csv (StarCalc):44,34,76,1,,1036" "$T/rfc/rfc.csv"
for f in export fr rfc; do
	[ -s "$T/lo/$f.fods" ] || fail "LibreOffice wrote no $f.fods: $(cat "$T/lo.log")"
done

python3 - "$T/lo" "$head" <<'PY'
import sys
import xml.etree.ElementTree as ET
d, head = sys.argv[1:3]
NS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}
def q(ns, name):
    return "{%s}%s" % (NS[ns], name)

def sheets(path):
    """{sheet name: [rows of (type, value)]}, repeated cells expanded."""
    out = {}
    for t in ET.parse(path).iter(q("table", "table")):
        rows = []
        for r in t.iter(q("table", "table-row")):
            cells = []
            for c in r:
                if c.tag not in (q("table", "table-cell"),
                                 q("table", "covered-table-cell")):
                    continue
                n = int(c.get(q("table", "number-columns-repeated"), "1"))
                typ = c.get(q("office", "value-type"))
                if typ == "float" or typ == "currency":
                    v = float(c.get(q("office", "value")))
                elif typ == "date":
                    v = c.get(q("office", "date-value"))
                elif typ == "string":
                    v = c.get(q("office", "string-value"))
                    if v is None:
                        v = "\n".join("".join(p.itertext())
                                      for p in c.findall(q("text", "p")))
                else:
                    v = None
                cells.extend([(typ, v)] * min(n, 64))
            rows.append(cells)
        out[t.get(q("table", "name"))] = rows
    return out

def records(rows):
    hdr = [v for _, v in rows[0]]
    return [dict(zip(hdr, r)) for r in rows[1:] if any(v for _, v in r)]

def check_common(recs, what):
    by = {r["reference"][1]: r for r in recs}
    bc1, zr = by["BC-1"], by["ZR-1"]
    assert bc1["numeroEditeur"] == ("string", "00001"), (what, bc1["numeroEditeur"])
    assert zr["finessJuridique"] == ("string", "010000123"), (what, zr["finessJuridique"])
    assert zr["finessGeo"] == ("string", "010000131"), (what, zr["finessGeo"])
    assert bc1["finessJuridique"] == ("string", "750000127"), what
    assert bc1["finessGeo"] == ("string", "330001017,330001025"), (what, bc1["finessGeo"])
    assert bc1["montantAccorde"] == ("float", 2433.33), (what, bc1["montantAccorde"])
    assert bc1["montantAvance"] == ("float", 730.0), what
    assert zr["montantDemande"] == ("float", 1234.56), (what, zr["montantDemande"])
    assert bc1["dateAvance"][0] == "date" and bc1["dateAvance"][1].startswith("2023-11-20"), (what, bc1["dateAvance"])
    assert bc1["dateCommande"][0] == "date" and bc1["dateCommande"][1].startswith("2023-10-02"), what
    assert bc1["etat"] == ("string", "advance_paid"), (what, bc1["etat"])
    assert bc1["libelleEtat"] == ("string", "avance versée"), (what, bc1["libelleEtat"])
    assert by["BC-2"]["libelleEtat"] == ("string", "rejetée par l'ASP"), what

# The workbook.
x = sheets(d + "/export.fods")
assert list(x) == ["Demandes", "Tentatives", "Versements", "Anomalies",
                   "Tête de chaîne"], list(x)
att = records(x["Tentatives"])
assert len(att) == 6, len(att)
check_common(att, "xlsx Tentatives")
assert [r["reference"][1] for r in att] == ["BC-1", "BC-2", "GR-0200", "GR-0201", "GR-0202", "ZR-1"]
bc1 = att[0]
assert bc1["dateSoumission"][0] == "date" and "T" in bc1["dateSoumission"][1], bc1["dateSoumission"]
assert bc1["tentative"] == ("float", 1.0)
req = records(x["Demandes"])
assert len(req) == 6, len(req)
check_common(req, "xlsx Demandes")
r = {r["reference"][1]: r for r in req}
assert r["BC-1"]["siret"][0] == "string" and len(r["BC-1"]["siret"][1]) == 14
assert r["ZR-1"]["libelleEtat"] == ("string", "brouillon"), r["ZR-1"]["libelleEtat"]
pay = records(x["Versements"])
assert len(pay) == 1, pay
assert pay[0]["versement"] == ("string", "avance")
assert pay[0]["montant"] == ("float", 730.0) and pay[0]["dateVersement"][0] == "date"
assert x["Anomalies"][0][0] == ("string", "numero"), x["Anomalies"][0][:3]
hd = {row[0][1]: row[1:] for row in x["Tête de chaîne"] if row and row[0][1]}
assert hd["teteChaine"][0] == ("string", head), hd["teteChaine"]
assert hd["evenementsChaine"][0][0] == "float"
assert hd["dateTeteChaine"][0][0] == "date"
# The figures: segur_ledger_figures(), as status prints them.
assert hd["granted"][2] == ("float", 2433.33), hd["granted"]
assert hd["advance_paid"][2] == ("float", 730.0), hd["advance_paid"]
assert hd["requested"][1] == ("float", 5.0), hd["requested"]
assert hd["requested"][2] == ("float", 18006.66), hd["requested"]

# The French-Excel CSV, opened by LibreOffice in French.
fr = records(sheets(d + "/fr.fods")["fr"])
assert len(fr) == 6, len(fr)
check_common(fr, "CSV fr")
assert fr[0]["teteChaine"] == ("string", head)

# Control: the RFC 4180 CSV (identifiers bare) loses the zeros there.
rfc = {r["reference"][1]: r for r in records(sheets(d + "/rfc.fods")["rfc"])}
assert rfc["BC-1"]["numeroEditeur"] == ("float", 1.0), rfc["BC-1"]["numeroEditeur"]
assert rfc["ZR-1"]["finessJuridique"] == ("float", 10000123.0), rfc["ZR-1"]["finessJuridique"]
PY
[ $? -eq 0 ] || fail "cells read back by LibreOffice"
pass
