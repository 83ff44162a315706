#!/usr/bin/env bash
# audit bundle and verify-bundle: a bundle of the seeded ledger holds each
# request's history, files and documents verbatim, a manifest sha256sum
# accepts and the chain head; one byte changed in one file, and
# verify-bundle names that file; seals with a key; and a bundle is
# refused when an archived object is altered.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"
. "$(dirname "$0")/audit-lib.sh"

seed_audit
expect_exit 0 segurctl audit head
head=$(cut -d' ' -f1 "$T/out")

expect_exit 0 segurctl audit bundle --all --out "$T/all.zip"
expect_grep "5 demande(s), tête de chaîne $head" "$T/out"
expect_exit 0 segurctl audit verify-bundle "$T/all.zip"
expect_grep 'intact' "$T/out"
expect_exit 0 segurctl audit verify-bundle --json "$T/all.zip"
jq -e --arg h "$head" '.ok and .chainHead.hash == $h and .files > 20' \
    "$T/out" >/dev/null || fail "verify-bundle --json: $(cat "$T/out")"

# Unpacked, it is a folder anyone can check with sha256sum, holding the
# files sent and received byte for byte.
mkdir "$T/u"
(cd "$T/u" && unzip -q "$T/all.zip")
dir=$(echo "$T"/u/preuves-segur-*)
[ -d "$dir" ] || fail "no folder in the bundle"
(cd "$dir" && sha256sum --quiet -c MANIFEST.sha256) || fail "sha256sum -c"
cmp "$dir/fichiers/envoyes/JSON-2023000042-20231002-001.json" \
    "$T/files/JSON-2023000042-20231002-001.json" || fail "sent file differs"
cmp "$dir/fichiers/recus/retour.json" "$T/retour.json" ||
    fail "received file differs"
# Each file once, named in the folder of every request it carries.
[ "$(ls "$dir/fichiers/envoyes" | wc -l)" -eq 2 ] || fail "files not shared"
sha=$(sha256sum "$T/retour.json" | cut -d' ' -f1)
expect_grep "^reçu  $sha  fichiers/recus/retour.json$" \
    "$dir/demandes/BC-2/fichiers.txt"
expect_grep '^envoyé  [0-9a-f]*  fichiers/envoyes/JSON-2023000042-20231009-001.json$' \
    "$dir/demandes/GR-0201/fichiers.txt"
cmp "$dir/demandes/BC-2/pieces/MS1-DUI-Va1-HT-00002.png" "$T/ht.png" ||
    fail "document differs"
jq -e --arg h "$head" '.hash == $h' "$dir/HEAD.json" >/dev/null ||
    fail "HEAD.json"
jq -e '[.[].action] | index("request.state") != null' \
    "$dir/demandes/BC-2/historique.json" >/dev/null || fail "history"
python3 -c 'import html.parser, sys; html.parser.HTMLParser().feed(open(sys.argv[1]).read())' \
    "$dir/demandes/BC-2/historique.html"
grep -q 'appartient pas' "$dir/demandes/BC-2/historique.html" ||
    fail "the history page lacks ASP's label"

# One byte of one file changed: verify-bundle names that file, only it.
python3 - "$T/all.zip" "$T/bad.zip" <<'PY'
import sys, zipfile
src, dst = sys.argv[1:3]
with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, "w") as zo:
    for info in zi.infolist():
        data = zi.read(info)
        if info.filename.endswith("/fichiers/recus/retour.json"):
            b = bytearray(data)
            i = b.index(b"E12")
            b[i + 2] = ord("3")
            data = bytes(b)
        zo.writestr(info, data)
PY
expect_exit 1 segurctl audit verify-bundle "$T/bad.zip"
expect_grep 'bad.zip:fichiers/recus/retour.json: erreur: modifié' "$T/out"
[ "$(grep -c 'erreur' "$T/out")" -eq 1 ] || fail "more than one finding"
expect_exit 1 segurctl audit verify-bundle --json "$T/bad.zip"
jq -e '.ok == false and (.findings | length) == 1 and
    .findings[0].file == "fichiers/recus/retour.json"' "$T/out" \
    >/dev/null || fail "JSON finding"

# A file slipped in, a file taken out.
python3 - "$T/all.zip" "$T/extra.zip" <<'PY'
import sys, zipfile
src, dst = sys.argv[1:3]
with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, "w") as zo:
    top = zi.namelist()[0].split("/")[0]
    for info in zi.infolist():
        if info.filename.endswith("/pieces/MS1-DUI-Va1-BDC-00001.pdf"):
            continue
        zo.writestr(info, zi.read(info))
    zo.writestr(top + "/demandes/BC-1/pieces/autre.pdf", b"%PDF-1.4\n")
PY
expect_exit 1 segurctl audit verify-bundle "$T/extra.zip"
expect_grep 'demandes/BC-1/pieces/MS1-DUI-Va1-BDC-00001.pdf: erreur: listé' "$T/out"
expect_grep 'demandes/BC-1/pieces/autre.pdf: erreur: présent' "$T/out"

# Sealed with a key: the right key verifies, another does not.
head -c 32 /dev/urandom | base64 >"$T/key"
head -c 32 /dev/urandom | base64 >"$T/other.key"
expect_exit 0 segurctl audit bundle BC-1 --key "$T/key" --out "$T/bc1.zip"
expect_grep '1 demande(s)' "$T/out"
unzip -l "$T/bc1.zip" >"$T/list"
expect_grep 'MANIFEST.sha256.hmac' "$T/list"
expect_no_grep 'BC-2' "$T/list"
expect_exit 0 segurctl audit verify-bundle --key "$T/key" "$T/bc1.zip"
expect_grep 'scellé' "$T/out"
expect_exit 1 segurctl audit verify-bundle --key "$T/other.key" "$T/bc1.zip"
expect_grep 'MANIFEST.sha256.hmac: erreur: le sceau' "$T/out"
# By OG.
expect_exit 0 segurctl audit bundle --og 130003015 --out "$T/og.zip"
expect_grep '1 demande(s)' "$T/out"

# Usage and refusals.
expect_exit 2 segurctl audit bundle --all
expect_exit 2 segurctl audit bundle --all BC-1 --out "$T/x.zip"
expect_exit 1 segurctl audit bundle NOPE --out "$T/x.zip"
[ ! -e "$T/x.zip" ] || fail "a zip was left for an unknown request"
printf 'not a zip' >"$T/no.zip"
expect_exit 2 segurctl audit verify-bundle "$T/no.zip"

# An archived object altered on disk: verify reports it, bundle refuses.
sha=$(sha256sum "$T/retour.json" | cut -d' ' -f1)
chmod u+w "$T/archive/$sha"
printf 'x' >>"$T/archive/$sha"
expect_exit 1 segurctl audit verify
expect_grep "archive/$sha: altéré (fichier retour.json)" "$T/out"
expect_exit 1 segurctl audit bundle BC-2 --out "$T/y.zip"
expect_grep "retour.json" "$T/err"
[ ! -e "$T/y.zip" ] || fail "a bundle was written from an altered archive"
pass
