#!/usr/bin/env bash
# report --html of the seeded ledger: a strict parse of the page (no
# script, no external resource, every tag closed), the key numbers in it,
# then rendered by headless Chromium: the DOM holds the numbers and the
# screenshot is a real picture (not empty, not one colour).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"
. "$(dirname "$0")/audit-lib.sh"

seed_audit
expect_exit 0 segurctl report --html "$T/report.html"
expect_exit 0 segurctl audit head
head=$(cut -d' ' -f1 "$T/out")

python3 - "$T/report.html" "$head" <<'PY'
import html.parser, sys
page, head = sys.argv[1], sys.argv[2]
text = open(page, encoding="utf-8").read()
VOID = {"meta", "br", "img", "hr", "link", "input", "rect", "line",
        "path", "circle", "polyline", "polygon"}
class Strict(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.ids, self.data, self.svgs = [], {}, [], 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        assert tag not in ("script", "iframe", "object", "embed", "link"), tag
        for k, v in attrs:
            assert not k.startswith("on"), k
            if k in ("src", "href") and v:
                assert not v.startswith(("http:", "https:", "//")), v
        if tag == "svg":
            self.svgs += 1
        if "id" in a:
            self.cur = a["id"]
            self.ids[a["id"]] = ""
        if tag not in VOID:
            self.stack.append(tag)
    def handle_startendtag(self, tag, attrs):
        pass
    def handle_endtag(self, tag):
        if tag in VOID:
            return
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()
    def handle_data(self, d):
        self.data.append(d)
p = Strict()
p.feed(text)
p.close()
assert p.stack == [], p.stack
assert p.svgs >= 4, p.svgs
body = "".join(p.data)
# Amounts in French: a narrow no-break space between thousands.
# A no-break space before the euro sign.
for want in ("18\u202f006,66\u00a0€", "2\u202f433,33\u00a0€",
             "730,00\u00a0€", "1\u202f703,33\u00a0€",
             "Le FINESS géographique 590004016 n'appartient pas",
             "BC-2", "GR-0200", head):
    assert want in body, want
assert "http://" not in text.replace("http://www.w3.org/2000/svg", "")
PY

if ! command -v chromium >/dev/null 2>&1; then
	echo "$TEST_NAME: SKIPPED the browser half: Debian's chromium is not installed (scripts/bootstrap installs it)" >&2
	pass
	exit 0
fi
mkdir -p "$T/profile"
browse() {
	timeout 120 chromium --headless --no-sandbox --disable-gpu \
	    --disable-quic --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync \
	    --user-data-dir="$T/profile" "$@" "file://$T/report.html" \
	    2>>"$T/chromium.err"
}
browse --dump-dom >"$T/dom.html" || fail "chromium --dump-dom failed"
nb=$(printf '\342\200\257')	# U+202F, between thousands
sp='&nbsp;'	# U+00A0 before the euro sign, as Chromium serializes it
for want in "id=\"montant-demande\">18${nb}006,66${sp}€" \
    "id=\"montant-accorde\">2${nb}433,33${sp}€" \
    "id=\"montant-avance\">730,00${sp}€" \
    "id=\"montant-solde-attendu\">1${nb}703,33${sp}€" 'id="total-demandes">5<' \
    "$head"; do
	grep -qF "$want" "$T/dom.html" || fail "the rendered DOM lacks $want"
done
(cd "$T" && browse --screenshot="$T/shot.png" --window-size=1000,2000 \
    >/dev/null) || fail "chromium --screenshot failed"
python3 - "$T/shot.png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, w = 8, b"", 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        assert depth == 8 and ctype in (2, 6), (depth, ctype)
        bpp = 3 if ctype == 2 else 4
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
assert w >= 800 and h >= 1000, (w, h)
# Count distinct colours on a sample of rows (filter bytes left as is:
# a uniform picture still gives very few distinct pixels).
stride = w * bpp + 1
colours = set()
for y in range(0, h, 50):
    row = raw[y * stride + 1:(y + 1) * stride]
    for x in range(0, w * bpp, bpp * 7):
        colours.add(row[x:x + 3])
assert len(colours) > 10, "the screenshot is nearly uniform: %d" % len(colours)
PY
pass
