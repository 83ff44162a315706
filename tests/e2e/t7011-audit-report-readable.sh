#!/usr/bin/env bash
# The report as people read it, rendered by headless Chromium at 1280 px
# and at 390 px (a phone): rejections grouped by ASP's code although each
# label cites its own FINESS (the real top cause first), dates and amounts
# in French, state names in French, the to-do lists with amounts and due
# dates, overdue balances first, the commands of the guide (resubmit,
# record delivered, solde build), chart text at the page's size and no
# sideways scrolling on a phone. SEGUR_SHOTS_DIR=DIR keeps the screenshots.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"

if ! command -v chromium >/dev/null 2>&1; then
	echo "$TEST_NAME: SKIPPED: Debian's chromium is not installed (scripts/bootstrap installs it)" >&2
	exit 77
fi
# Times are shown in the local zone: Paris, as a POSIX rule (no tzdata).
export TZ='CET-1CEST,M3.5.0,M10.5.0/3'

setup_ledger
gen_requests 1 16
expect_exit 0 segurctl build --date 20231002 --out "$T/files"
sent=$T/files/JSON-2023000042-20231002-001.json
# ASP's answer: eleven lines rejected for one cause (code E12), each label
# citing the line's FINESS; two for another (E07, one label); three
# accepted.
jq '.impId = "IMP-1" | .lignesImport |= [to_entries[] | .value + (
    if .key < 11 then {codeTraitement: "E12", libelleTraitement:
	("Le FINESS géographique " + .value.scenarioInstallation[0].FINESSGeo
	 + " n'\''appartient pas à l'\''OG 750000127")}
    elif .key < 13 then {codeTraitement: "E07",
	libelleTraitement: "Pièce justificative illisible <PDF>"}
    else {numeroASP: ("MS1-DUI-2023-9000" + (.key | tostring)),
	codeTraitement: "0", libelleTraitement: "Demande acceptée"} end)]' \
    "$sent" >"$T/retour.json"
expect_exit 0 segurctl ingest "$T/retour.json"
# Three advances awaiting their balance: A and C past the programme's
# deadline (advance + 365 days), B the oldest advance but with its own
# deadline far ahead; C delivered (ready for solde build).
A=MS1-DUI-2023-900013 B=MS1-DUI-2023-900014 C=MS1-DUI-2023-900015
for n in $A $B $C; do
	expect_exit 0 segurctl record grant --date 2023-11-02 \
	    --amount 2433.33 $n
done
expect_exit 0 segurctl record advance-paid --date 2023-11-20 --amount 730.00 $A
expect_exit 0 segurctl record advance-paid --date 2023-11-10 --amount 730.00 $B
expect_exit 0 segurctl record advance-paid --date 2023-11-25 --amount 730.00 $C
expect_exit 0 segurctl ref set solde-deadline-days 365
expect_exit 0 segurctl solde deadline --date 2099-01-01 $B
printf '%%PDF-1.4 facture\n%%%%EOF\n' >"$T/facture.pdf"
printf '\xff\xd8\xff\xe0\0\x10JFIF\0' >"$T/pv.jpg"
expect_exit 0 segurctl record delivered --date 2024-03-01 --invoice F-1 \
    --invoice-date 2024-03-02 --amount 2433,33 --facture "$T/facture.pdf" \
    --pv "$T/pv.jpg" $C
# Two more orders, ready and not sent.
gen_requests 100 2 GR

expect_exit 0 segurctl report --html "$T/report.html"
sqlite3 "$SEGUR_DB" "SELECT r.ref || '|' || a.answered_at FROM attempt a
    JOIN request r ON r.id = a.request_id WHERE a.outcome = 'rejected'
    ORDER BY r.ref" >"$T/rejected-at.txt"

mkdir -p "$T/profile"
browse() {
	local page=$1
	shift
	timeout 120 chromium --headless --no-sandbox --disable-gpu \
	    --disable-quic --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync \
	    --force-device-scale-factor=1 --hide-scrollbars \
	    --user-data-dir="$T/profile" "$@" "file://$page" \
	    2>>"$T/chromium.err"
}
browse "$T/report.html" --window-size=1280,900 --dump-dom >"$T/dom.html" ||
    fail "chromium --dump-dom failed"

# What the page says, read from the DOM Chromium built.
python3 - "$T/dom.html" "$T/rejected-at.txt" <<'PY' || fail "DOM assertions"
import datetime, html.parser, re, sys, time
dom = open(sys.argv[1], encoding="utf-8").read()
NB, SP = "\u202f", "\u00a0"

class Cells(html.parser.HTMLParser):
    """Text of every section, and the rows (class, cells) of its tables."""
    def __init__(self):
        super().__init__()
        self.section, self.text, self.rows = None, {}, {}
        self.row, self.cell, self.rects = None, None, {}
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            self.section = a.get("id")
            self.text[self.section], self.rows[self.section] = "", []
            self.rects[self.section] = []
        elif tag == "tr":
            self.row = (a.get("class") or "", [])
        elif tag in ("td", "th") and self.row is not None:
            self.cell = ""
        elif tag == "br" and self.cell is not None:
            self.cell += "\n"
        elif tag == "rect" and self.section:
            self.rects[self.section].append(a.get("width"))
    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row[1].append(self.cell.strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.rows[self.section].append(self.row)
            self.row = None
    def handle_data(self, d):
        if self.section:
            self.text[self.section] += d
        if self.cell is not None:
            self.cell += d
p = Cells()
p.feed(dom)

def check(ok, what):
    if not ok:
        sys.exit("t7009: " + what)

# Rejections: one row per code, the most frequent first, with its most
# frequent label and the count of distinct labels.
rej = [r for c, r in p.rows["rejets"] if c == "rejet"]
check(len(rej) == 2, "two ASP codes expected: %r" % rej)
check(rej[0][0] == "E12" and rej[0][2] == "11" and rej[0][3] == "11",
      "E12 first, 11 labels, 11 rejections: %r" % rej[0])
check(re.fullmatch(r"Le FINESS géographique \d{9} n'appartient pas à "
                   r"l'OG 750000127", rej[0][1]), "E12 label: %r" % rej[0])
check(rej[1] == ["E07", "Pièce justificative illisible <PDF>", "1", "2"],
      "E07: %r" % rej[1])
# The bars start at zero: the largest is full width, E07 2/11 of it.
check(p.rects["rejets"][:2] == ["100.00%", "18.18%"],
      "rejection bars: %r" % p.rects["rejets"])
check("E12 : Le FINESS" in p.text["rejets"], "chart label")

# State names in French, with amounts.
etats = {r[0]: r for c, r in p.rows["etats"] if r and r[0] != "état"}
check(etats.get("rejetée par l'ASP", [None, None])[1] == "13", "rejected")
check(etats.get("avance versée", [None, None])[1] == "3", "advance_paid")
check(etats["prête à envoyer"][2] == "4" + NB + "866,66" + SP + "€",
      "ready amount: %r" % etats["prête à envoyer"])

# Amounts in French: U+202F between thousands, U+00A0 before the euro.
for want in ("38" + NB + "933,28" + SP + "€", "2" + NB + "190,00" + SP
             + "€", "5" + NB + "109,99" + SP + "€"):
    check(want in p.text["montants"], "amounts lack %r" % want)

# The rejected list: the guide's resubmit, French dates of the answer in
# local time, amounts, ASP's code and label.
todo = p.text["a-faire"]
check("segurctl resubmit RÉF" in todo and
      "segurctl resubmit --all-rejected" in todo, "resubmit advice")
check("request ready" not in dom, "the old advice is still there")
rows = [r for c, r in p.rows["a-faire"]]
at = dict(l.strip().split("|") for l in open(sys.argv[2]))
for ref, when in at.items():
    utc = datetime.datetime.strptime(when, "%Y-%m-%dT%H:%M:%SZ")
    local = time.localtime(utc.replace(tzinfo=datetime.timezone.utc)
                           .timestamp())
    want = time.strftime("%d/%m/%Y %H:%M", local)
    row = [r for r in rows if r and r[0] == ref]
    check(len(row) == 1, "%s not listed once" % ref)
    check(row[0][3] == "2" + NB + "433,33" + SP + "€", "amount %r" % row)
    check(row[0][4] == want, "%s: %r, want %s" % (ref, row[0][4], want))
    check(row[0][5].startswith(("E12 : Le FINESS", "E07 : Pièce")),
          "label %r" % row)
check(re.search(r"id=\"date-rapport\">\d\d/\d\d/\d{4} \d\d:\d\d<", dom) and
      "à l'heure locale (UTC+0" in dom, "report time in French")

# Balances: overdue first (A, C: deadline passed), then B (oldest advance,
# own deadline ahead); amounts, due dates, what to run.
sol = [r for c, r in p.rows["a-faire"] if r and r[0].startswith(
    "MS1-DUI-2023-9000")]
check([r[0] for r in sol] == ["MS1-DUI-2023-900013", "MS1-DUI-2023-900015",
                              "MS1-DUI-2023-900014"], "order %r" % sol)
cls = [c for c, r in p.rows["a-faire"] if r and r[0].startswith(
    "MS1-DUI-2023-9000")]
check(cls == ["en-retard", "en-retard", ""], "overdue rows %r" % cls)
for r in sol:
    check(r[3:6] == ["2" + NB + "433,33" + SP + "€", "730,00" + SP + "€",
                     "1" + NB + "703,33" + SP + "€"], "amounts %r" % r)
check(sol[0][6] == "20/11/2023" and sol[0][7].startswith("19/11/2024\n"
      "en retard de "), "A's dates %r" % sol[0])
check(sol[1][7].startswith("24/11/2024\nen retard de "), "C %r" % sol[1])
check(sol[2][6] == "10/11/2023" and sol[2][7].startswith("01/01/2099\n"
      "dans "), "B's deadline %r" % sol[2])
check(sol[0][8] == "livraison à enregistrer : record delivered",
      "A's command %r" % sol[0][8])
check(sol[1][8] == "livraison enregistrée : solde build",
      "C's command %r" % sol[1][8])
check("Avance versée, solde à demander (3, dont 2 en retard)" in todo,
      "balance heading")
check("segurctl record delivered NUMÉRO_ASP --date" in todo and
      "segurctl solde build --out depot/" in todo, "solde advice")
PY

# Layout, measured by Chromium on a copy of the page with a probe script
# (the report has none): nothing wider than the window, chart text at the
# page's size (no SVG scaling), at both widths.
python3 - "$T/report.html" "$T/probe.html" <<'PY'
import sys
probe = """<script>(function () {
var d = document.documentElement, w = window.innerWidth, bad = [];
document.querySelectorAll("body *").forEach(function (e) {
	if (e.closest(".scroll")) return;
	var r = e.getBoundingClientRect();
	if (r.width > 0 && (r.right > w + 0.5 || r.left < -0.5))
		bad.push(e.tagName + "." + (e.getAttribute("class") || ""));
});
var body = parseFloat(getComputedStyle(document.body).fontSize);
var labels = [], texts = [];
document.querySelectorAll(".bars .l, .bars .v").forEach(function (e) {
	labels.push(parseFloat(getComputedStyle(e).fontSize) / body);
});
document.querySelectorAll("svg.cols text").forEach(function (e) {
	texts.push((e.getBoundingClientRect().height / body).toFixed(2));
});
var o = document.createElement("pre");
o.id = "probe";
o.textContent = JSON.stringify({ width: w, scroll: d.scrollWidth,
    bad: bad, body: body, labels: labels, texts: texts });
document.body.appendChild(o);
if (window.parent !== window)
	window.parent.postMessage(o.textContent, "*");
})();</script></body>"""
page = open(sys.argv[1], encoding="utf-8").read()
assert page.count("</body>") == 1
open(sys.argv[2], "w", encoding="utf-8").write(page.replace("</body>", probe))
PY
# Headless Chromium's window is at least 500 px wide: the phone's 390 px
# are an iframe's, which posts what the probe measured to the outer page.
phone() {
	cat >"$T/phone-$1.html" <<EOF
<!DOCTYPE html><html><body style="margin:0"><pre id="probe"></pre>
<iframe src="$1.html" width="390" height="$2" style="border:0;display:block"></iframe>
<script>window.addEventListener("message", function (e) {
	document.getElementById("probe").textContent = e.data;
});</script></body></html>
EOF
}
phone probe 900
phone report 2400
for w in 1280 390; do
	if [ $w = 390 ]; then
		browse "$T/phone-probe.html" --window-size=500,1000 \
		    --virtual-time-budget=5000 --dump-dom >"$T/probe-$w.html"
	else
		browse "$T/probe.html" --window-size=$w,900 --dump-dom \
		    >"$T/probe-$w.html"
	fi || fail "chromium --dump-dom at $w px failed"
	python3 - "$T/probe-$w.html" "$w" <<'PY' || fail "layout at $w px"
import html, json, re, sys
m = re.search(r'<pre id="probe">(.*?)</pre>', open(sys.argv[1]).read(), re.S)
if not m:
    sys.exit("t7009: the probe did not run")
r = json.loads(html.unescape(m.group(1)))
if r["width"] != int(sys.argv[2]):
    sys.exit("t7009: window %r" % r["width"])
if r["scroll"] > r["width"] or r["bad"]:
    sys.exit("t7009: wider than %d px: %r" % (r["width"], r))
# The bars' labels and values are the body's text; the column chart's
# text boxes are about one line of it at any width: the SVG is not scaled
# (a scaled one gave twice the text's size at 1280 px).
if not r["labels"] or set(r["labels"]) != {1}:
    sys.exit("t7009: bar text sizes %r" % r["labels"])
s = [float(x) for x in r["texts"]]
if not s or min(s) < 0.7 or max(s) > 1.5:
    sys.exit("t7009: column chart text sizes %r" % r["texts"])
PY
done

# Screenshots at both widths (the phone's in its iframe), for a person to
# look at: SEGUR_SHOTS_DIR keeps them.
(cd "$T" && browse "$T/report.html" --window-size=1280,2400 \
    --screenshot="$T/shot-1280.png" >/dev/null &&
    browse "$T/phone-report.html" --window-size=500,2400 \
    --screenshot="$T/shot-390.png" >/dev/null) ||
    fail "chromium --screenshot failed"
for w in 1280 390; do
	python3 - "$T/shot-$w.png" <<'PY' || fail "screenshot at $w px"
import sys
data = open(sys.argv[1], "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n" or len(data) < 20000:
    sys.exit("t7009: not a real picture: %d bytes" % len(data))
PY
done
if [ -n "${SEGUR_SHOTS_DIR:-}" ]; then
	mkdir -p "$SEGUR_SHOTS_DIR"
	cp "$T"/shot-*.png "$T/report.html" "$SEGUR_SHOTS_DIR/"
fi
pass
