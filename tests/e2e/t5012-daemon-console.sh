#!/usr/bin/env bash
# segurd's console on the seeded ledger: every page and its JSON twin
# (status, content, security headers), search, pagination, a hostile
# reference, withdrawal reason and ASP label escaped everywhere, 404 for an unknown
# request, 400 for a bad encoding or parameter, the evidence bundle of one
# request downloaded as a zip whose manifest names it; [http]
# allow_remote; then the pages rendered by headless Chromium.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"
. "$(dirname "$0")/audit-lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

seed_audit
evil='<script>alert(1)</script>"><img src=x onerror=alert(2)> é/%?#&+'
why='"><img src=y onerror=alert(3)><script>alert(4)</script>'
jq '.lignesImport[0]' "$DATA/JSON-2023000042-20231002-001.json" \
    >"$T/evil.json"
expect_exit 0 segurctl request add --ref "$evil" --bdc "$T/bdc.pdf" \
    "$T/evil.json"
expect_exit 0 segurctl request withdraw --reason "$why" "$evil"
# ASP's label, hostile too: the three requests of the second file rejected.
label='<script>alert(5)</script>"><img src=z onerror=alert(6)>'
export LABEL="$label"
jq --arg l "$label" '. + {impId: "IMP-T5012"} | .lignesImport |=
    map(. + {numeroASP: null, codeTraitement: "E99", libelleTraitement: $l})' \
    "$T/files/JSON-2023000042-20231009-001.json" >"$T/retour2.json"
expect_exit 0 segurctl ingest "$T/retour2.json"
evil_enc=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$evil")

mkdir "$T/inbox"
port=$(free_port)
printf '[ledger]\npath = %s\n[inbox]\npath = inbox\n[http]\nlisten = 127.0.0.1:%s\n' \
    "$SEGUR_DB" "$port" >"$T/segurd.conf"
start_segurd "$T/segurd.conf" "$port"

# fetch PATH [METHOD]: $T/status, $T/headers (lower-case names), $T/body.
fetch() {
	python3 - "$port" "$1" "${2:-GET}" "$T" <<'PY'
import http.client, sys
port, path, method, t = sys.argv[1:5]
c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=60)
c.putrequest(method, path, skip_accept_encoding=True)
c.endheaders()
r = c.getresponse()
body = r.read()
open(t + "/status", "w").write("%d\n" % r.status)
with open(t + "/headers", "w") as f:
    for k, v in r.getheaders():
        f.write("%s: %s\n" % (k.lower(), v))
open(t + "/body", "wb").write(body)
PY
}
expect_status() {
	[ "$(cat "$T/status")" = "$1" ] ||
	    fail "$2: status $(cat "$T/status"), not $1: $(head -c 300 "$T/body")"
}
# A page: 200, HTML, the strict headers, well formed, no script, no
# handler attribute, nothing loaded from elsewhere.
page() {
	fetch "$1"
	expect_status 200 "$1"
	grep -q '^content-type: text/html; charset=utf-8$' "$T/headers" ||
	    fail "$1: not HTML"
	for h in "content-security-policy: default-src 'none'; style-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'" \
	    'x-content-type-options: nosniff' 'referrer-policy: no-referrer'; do
		grep -qxF "$h" "$T/headers" || fail "$1: no '$h'"
	done
	python3 - "$T/body" "$1" <<'PY' || fail "$1: not a strict page"
import html.parser, sys
VOID = {"meta", "br", "img", "hr", "link", "input", "rect", "line",
        "path", "circle", "polyline", "polygon"}
class Strict(html.parser.HTMLParser):
    stack = []
    def handle_starttag(self, tag, attrs):
        assert tag not in ("script", "iframe", "object", "embed", "img"), tag
        for k, v in attrs:
            assert not k.startswith("on"), (k, v)
            if k in ("src", "href") and v:
                assert not v.startswith(("http:", "https:", "//")), v
        if tag == "link":
            assert dict(attrs).get("href") == "/console.css", attrs
        if tag not in VOID:
            self.stack.append(tag)
    def handle_endtag(self, tag):
        if tag in VOID:
            return
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()
p = Strict()
p.feed(open(sys.argv[1], encoding="utf-8").read())
p.close()
assert p.stack == [], p.stack
PY
}
# api PATH JQ: 200, JSON, and the jq expression holds.
api() {
	fetch "$1"
	expect_status 200 "$1"
	grep -q '^content-type: application/json$' "$T/headers" ||
	    fail "$1: not JSON"
	jq -e "$2" "$T/body" >/dev/null || fail "$1: not $2: $(cat "$T/body")"
}

# The dashboard: counts by state linking to their lists, the report's
# sections, the search form.
page /
expect_grep 'href="/requests?state=rejected"' "$T/body"
expect_grep 'id="n-rejected">4<' "$T/body"
expect_grep 'id="total-demandes">6<' "$T/body"
expect_grep 'id="etats"' "$T/body"
expect_grep '<form action="/requests" method="get">' "$T/body"
fetch /console.css
expect_status 200 /console.css
grep -q '^content-type: text/css' "$T/headers" || fail "css type"
expect_grep 'nav a{' "$T/body"

# Lists by state, paginated by reference.
page '/requests?state=rejected'
expect_grep '<a href="/requests/BC-2">BC-2</a>' "$T/body"
api '/api/v1/requests?state=rejected&limit=2' \
    '[.requests[].ref] == ["BC-2", "GR-0200"] and .after == "GR-0200" and .limit == 2'
api "/api/v1/requests?state=rejected&limit=2&after=GR-0200" \
    '[.requests[].ref] == ["GR-0201", "GR-0202"] and .after == null'
page "/requests?state=rejected&limit=2"
expect_grep 'id="suivante" href="/requests?state=rejected&amp;q=&amp;limit=2&amp;after=GR-0200"' \
    "$T/body"
api /api/v1/requests '(.requests | length) == 6'

# Search: numeroASP, numeroEditeur, FINESS juridique and géographique.
api '/api/v1/requests?q=MS1-DUI-2023-0001872' \
    '[.requests[].ref] == ["BC-1"] and .requests[0].state == "advance_paid"'
api '/api/v1/requests?q=00002' '[.requests[].ref] == ["BC-2"]'
og=$(segurctl request show --json BC-1 | jq -r '.esms[0].FINESSJuridique')
geo=$(segurctl request show --json BC-1 | jq -r '.esms[0].FINESSGeo')
api "/api/v1/requests?q=$og" '[.requests[].ref] | index("BC-1") != null'
api "/api/v1/requests?q=$geo" '[.requests[].ref] | index("BC-1") != null'
api '/api/v1/requests?q=rien&state=' '.requests == []'
page "/requests?q=MS1-DUI-2023-0001872&state=advance_paid"
expect_grep '<a href="/requests/BC-1">BC-1</a>' "$T/body"
api "/api/v1/requests?q=MS1-DUI-2023-0001872&state=draft" '.requests == []'

# One request: summary, documents, attempts, decisions, history.
page /requests/BC-2
expect_grep 'id="champ-state">rejetée par l&#39;ASP (rejected)' "$T/body"
expect_grep "n&#39;appartient pas" "$T/body"
expect_grep 'request.state' "$T/body"
expect_grep 'MS1-DUI-Va1-HT-00002.png' "$T/body"
expect_grep 'href="/requests/BC-2/bundle"' "$T/body"
api /api/v1/requests/BC-1 '.ref == "BC-1" and (.history | length) > 3 and
    (.decisions | length) == 2 and .state == "advance_paid"'
# Found by numeroASP too, like request show.
api /api/v1/requests/MS1-DUI-2023-0001872 '.ref == "BC-1"'

# The hostile reference, reason and label: escaped in every page, whole
# in JSON.
page /requests/GR-0201
expect_grep '&lt;script&gt;alert(5)&lt;/script&gt;&quot;&gt;&lt;img src=z onerror=alert(6)&gt;' \
    "$T/body"
api /api/v1/requests/GR-0201 '.attempts[0].label == env.LABEL'
page "/requests/$evil_enc"
expect_grep '&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img' "$T/body"
expect_grep '&quot;&gt;&lt;img src=y onerror=alert(3)&gt;' "$T/body"
expect_grep "href=\"/requests/$evil_enc/bundle\"" "$T/body"
page '/requests?state=withdrawn'
expect_grep "<a href=\"/requests/$evil_enc\">&lt;script&gt;" "$T/body"
page "/requests?q=$evil_enc"
expect_grep "value=\"&lt;script&gt;alert(1)" "$T/body"
api "/api/v1/requests/$evil_enc" '.state == "withdrawn"'
EVIL=$evil WHY=$why jq -e '.ref == env.EVIL and .withdrawReason == env.WHY' \
    "$T/body" >/dev/null || fail "hostile request in JSON: $(cat "$T/body")"
api "/api/v1/requests?q=$evil_enc" '.requests | length == 1'

# Unknown request 404, bad encodings and parameters 400, in both forms.
fetch /requests/NOPE
expect_status 404 /requests/NOPE
expect_grep 'aucune demande' "$T/body"
fetch /api/v1/requests/NOPE
expect_status 404 /api/v1/requests/NOPE
jq -e '.error | test("NOPE")' "$T/body" >/dev/null || fail "404 JSON"
for bad in /requests/%ZZ /requests/BC%2 /requests/%00BC /api/v1/requests/%0a \
    '/requests?q=%G1' '/api/v1/requests?limit=0' '/api/v1/requests?limit=501' \
    '/requests?state=bogus' '/api/v1/files?offset=-1' '/api/v1/anomalies?all=2' \
    '/api/v1/requests?after=NOPE'; do
	fetch "$bad"
	expect_status 400 "$bad"
done
fetch /nothing-here
expect_status 404 /nothing-here
fetch /requests/BC-1/other
expect_status 404 /requests/BC-1/other
fetch /requests/BC-1 HEAD
expect_status 200 "HEAD /requests/BC-1"
[ ! -s "$T/body" ] || fail "HEAD has a body"

# Files and anomalies, paginated by offset.
page /files
expect_grep 'JSON-2023000042-20231002-001.json' "$T/body"
api /api/v1/files '(.files | length) >= 3 and .offset == null and
    ([.files[].name] | index("retour.json") != null)'
api '/api/v1/files?limit=1' '(.files | length) == 1 and .offset == 1'
api '/api/v1/files?limit=1&offset=1' '(.files | length) == 1 and .offset == 2'
page /anomalies
expect_grep 'id="total-anomalies">0<' "$T/body"
api '/api/v1/anomalies?all=1' '.anomalies == [] and .offset == null'

# The evidence bundle of one request, as segurctl audit bundle makes it.
fetch /requests/BC-2/bundle
expect_status 200 bundle
grep -qx 'content-type: application/zip' "$T/headers" || fail "zip type"
grep -qx 'content-disposition: attachment; filename="preuves-BC-2.zip"' \
    "$T/headers" || fail "no Content-Disposition: $(cat "$T/headers")"
cp "$T/body" "$T/bc2.zip"
expect_exit 0 segurctl audit verify-bundle "$T/bc2.zip"
expect_grep 'intact' "$T/out"
python3 - "$T/bc2.zip" <<'PY' || fail "the bundle is not BC-2's"
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
man = [n for n in z.namelist() if n.endswith("/MANIFEST.sha256")]
assert len(man) == 1, z.namelist()
text = z.read(man[0]).decode()
assert "demandes/BC-2/" in text, text
assert "demandes/BC-1/" not in text, text
PY
fetch "/requests/$evil_enc/bundle"
expect_status 200 "hostile bundle"
grep -q '^content-disposition: attachment; filename="preuves-_script_alert_1__' \
    "$T/headers" || fail "hostile file name: $(grep disposition "$T/headers")"
fetch /requests/NOPE/bundle
expect_status 404 "bundle of nothing"
stop_segurd
[ "$SEGURD_RC" -eq 0 ] || fail "segurd exited $SEGURD_RC"

# A listen address that is not loopback needs allow_remote.
printf '[ledger]\npath = %s\n[inbox]\npath = inbox\n[http]\nlisten = 0.0.0.0:%s\n' \
    "$SEGUR_DB" "$port" >"$T/remote.conf"
expect_exit 1 "$SEGURD" -c "$T/remote.conf" --check-config
expect_grep "remote.conf:6: « 0.0.0.0:$port » n'est pas une adresse locale.*allow_remote = yes" \
    "$T/err"
printf 'allow_remote = yes\n' >>"$T/remote.conf"
expect_exit 0 "$SEGURD" -c "$T/remote.conf" --check-config
expect_grep '^allow_remote = yes$' "$T/out"

# The pages in a browser: no script needed to read them.
if ! command -v chromium >/dev/null 2>&1; then
	echo "$TEST_NAME: SKIPPED the browser half: Debian's chromium is not installed (scripts/bootstrap installs it)" >&2
	pass
	exit 0
fi
start_segurd "$T/segurd.conf" "$port"
mkdir -p "$T/profile"
browse() {
	timeout 120 chromium --headless --no-sandbox --disable-gpu \
	    --disable-quic --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync \
	    --user-data-dir="$T/profile" --dump-dom \
	    "http://127.0.0.1:$port$1" 2>>"$T/chromium.err"
}
browse / >"$T/dom.html" || fail "chromium / failed"
for want in 'Ségur numérique : tableau de bord' 'id="total-demandes">6<' \
    'id="n-rejected">4<'; do
	grep -qF "$want" "$T/dom.html" || fail "the dashboard's DOM lacks $want"
done
browse "/requests/$evil_enc" >"$T/dom.html" || fail "chromium request failed"
python3 - "$T/dom.html" "$evil" "$why" <<'PY' || fail "hostile page in DOM"
import html.parser, sys
dom, evil, why = sys.argv[1:4]
class P(html.parser.HTMLParser):
    tags, text = [], []
    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
    def handle_data(self, d):
        self.text.append(d)
p = P()
p.feed(open(dom, encoding="utf-8").read())
assert "script" not in p.tags and "img" not in p.tags, p.tags
text = "".join(p.text)
assert evil in text, "the reference is not shown as text"
assert why in text, "the reason is not shown as text"
PY
browse /requests/GR-0201 >"$T/dom.html" || fail "chromium GR-0201 failed"
python3 - "$T/dom.html" "$label" <<'PY' || fail "hostile label in DOM"
import html.parser, sys
dom, label = sys.argv[1:3]
class P(html.parser.HTMLParser):
    tags, text = [], []
    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
    def handle_data(self, d):
        self.text.append(d)
p = P()
p.feed(open(dom, encoding="utf-8").read())
assert "script" not in p.tags and "img" not in p.tags, p.tags
assert label in "".join(p.text), "the label is not shown as text"
PY
browse '/requests?state=rejected&limit=2' >"$T/dom.html" ||
    fail "chromium list failed"
grep -qF 'Page suivante' "$T/dom.html" || fail "no next page in the DOM"
[ "$(grep -o 'href="/requests/[BG][CR]-[0-9]*"' "$T/dom.html" | wc -l)" -eq 2 ] ||
    fail "the list's DOM lacks its two rows"
stop_segurd
pass
