#!/usr/bin/env bash
# Complete evidence: three requests taken through the whole cycle (advance
# file built and answered, grant, advance paid, delivery with invoice and
# PV, balance file built, an answer missing a line (an anomaly, resolved),
# the balance answered, balance paid) and the bundle of their OG checked
# piece by piece: every file unzipped against MANIFEST.sha256 and
# MANIFEST.json, the sent and received files byte for byte, decisions and
# payments with their dates and amounts, the history with its authors.
# request show --json lists every document, delivery, balance line,
# decision and payment. A request adopted without its order form has that
# piece reported missing; the answer to a file the portal refused is
# closed, not missing. verify-bundle fails on a file changed, removed,
# added, dropped from MANIFEST.sha256 behind MANIFEST.json's back,
# slipped into MANIFEST.sha256 without MANIFEST.json naming it, or given
# another hash in MANIFEST.json.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"

sha() { sha256sum "$1" | cut -d' ' -f1; }

setup_ledger
gen_requests 1 3
expect_exit 0 segurctl build --date 20231002 --out "$T/files"
adv=$T/files/JSON-2023000042-20231002-001.json
jq '.impId = "I-0" | .lignesImport |= [to_entries[] | .value +
    {numeroASP: ("MS1-DUI-2023-000000\(.key + 1)"), codeTraitement: "0",
    libelleTraitement: "Demande acceptée"}]' "$adv" >"$T/retour.json"
expect_exit 0 segurctl ingest "$T/retour.json"
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR' >"$T/pv.png"
for i in 1 2 3; do
	asp=MS1-DUI-2023-000000$i
	expect_exit 0 segurctl record grant --date 2023-11-02 \
	    --amount 2433.33 --letter L-$i $asp
	expect_exit 0 segurctl record advance-paid --date 2023-11-2$i \
	    --amount 730,00 $asp
done
# BC-0001 and BC-0002 delivered; BC-0003 waits for its delivery.
for i in 1 2; do
	printf '%%PDF-1.4 facture %s\n%%%%EOF\n' $i >"$T/f$i.pdf"
	expect_exit 0 segurctl record delivered --date 2024-03-0$i \
	    --invoice F-$i --invoice-date 2024-03-0$i --amount 2433.33 \
	    --facture "$T/f$i.pdf" --pv "$T/pv.png" MS1-DUI-2023-000000$i
done
expect_exit 0 segurctl solde build --date 20240305 --out "$T/files"
bal=$T/files/JSON-SOLDE-2023000042-20240305-001.json
[ "$(jq '.lignesImport | length' "$bal")" -eq 2 ] || fail "balance file"
# ASP answers with line 1 only: line 2 is an anomaly, resolved by ops.
jq '.impId = "I-1" | .lignesImport |= [.[0] | .codeTraitement = "0" |
    .libelleTraitement = "Demande acceptée"]' "$bal" >"$T/solde-r1.json"
expect_exit 1 segurctl ingest "$T/solde-r1.json"
expect_grep 'absente de la réponse' "$T/out"
aid=$(sqlite3 "$SEGUR_DB" "SELECT id FROM anomaly")
expect_exit 0 segurctl anomalies resolve --note "ASP relancée : réponse \
complète attendue" "$aid"
jq '.impId = "I-2" | .lignesImport |= [.[] | .codeTraitement = "0" |
    .libelleTraitement = "Demande acceptée"]' "$bal" >"$T/solde-r2.json"
expect_exit 0 segurctl ingest "$T/solde-r2.json"
paid=$(date -u +%F)
expect_exit 0 segurctl record balance-paid --date "$paid" --amount 1703,33 \
    MS1-DUI-2023-0000001
expect_exit 0 segurctl record balance-paid --date "$paid" --amount 1703,33 \
    MS1-DUI-2023-0000002
expect_exit 0 sqlite3 "$SEGUR_DB" "SELECT ref, state FROM request ORDER BY id"
[ "$(tr '\n' ' ' <"$T/out")" = "BC-0001|closed BC-0002|closed BC-0003|advance_paid " ] ||
    fail "states: $(cat "$T/out")"

# request show --json: every document, delivery, balance line, decision
# and payment.
expect_exit 0 segurctl request show --json BC-0002
jq -e --arg paid "$paid" '
    (.documents | map(.typeFichier)) == ["BON_COMMANDE"] and
    (.sentDocuments | map([.phase, .typeFichier, .nomFichier])) ==
        [["avance", "BON_COMMANDE", "MS1-DUI-Va1-BDC-00002.pdf"],
         ["solde", "FACTURE", "MS1-DUI-Va1-FAC-00002.pdf"],
         ["solde", "PV_RECETTE", "MS1-DUI-Va1-PV-00002.png"]] and
    .attempts[0].answerFile == "retour.json" and
    (.deliveries | length) == 1 and .deliveries[0].invoiceNumber == "F-2" and
    .deliveries[0].invoiceAmount == "2433.33" and
    (.balanceLines | length) == 1 and .balanceLines[0].outcome == "accepted" and
    .balanceLines[0].file == "JSON-SOLDE-2023000042-20240305-001.json" and
    .balanceLines[0].answerFile == "solde-r2.json" and
    .balanceLines[0].montantSolde == "1703.33" and
    (.decisions | map(.kind)) == ["grant", "advance_paid",
        "balance_requested", "balance_accepted", "balance_paid", "close"] and
    .payments == [{"phase": "avance", "date": "2023-11-22",
        "amount": "730.00", "letterRef": null,
        "recordedAt": .payments[0].recordedAt},
        {"phase": "solde", "date": $paid, "amount": "1703.33",
        "letterRef": null, "recordedAt": .payments[1].recordedAt}] and
    .anomalies == [] and (.resolvedAnomalies | length) == 1 and
    (.resolvedAnomalies[0].note | startswith("ASP relancée"))' "$T/out" \
    >/dev/null || fail "request show --json: $(cat "$T/out")"
expect_exit 0 segurctl request show BC-0002
expect_grep '^pièces envoyées :$' "$T/out"
expect_grep '^    nom du fichier        MS1-DUI-Va1-FAC-00002.pdf$' "$T/out"
expect_grep '^paiements :$' "$T/out"
# The amount as a French reader writes it, U+202F between thousands.
expect_grep "^    montant               1$(printf '\342\200\257')703,33 €\$" "$T/out"
expect_grep '^livraisons :$' "$T/out"

# The bundle of the OG, unpacked.
expect_exit 0 segurctl audit bundle --og 750000127 --out "$T/og.zip"
expect_grep '3 demande(s)' "$T/out"
expect_exit 0 segurctl audit verify-bundle "$T/og.zip"
mkdir "$T/u"
(cd "$T/u" && unzip -q "$T/og.zip")
dir=$(echo "$T"/u/preuves-segur-*)
(cd "$dir" && sha256sum --quiet --strict -c MANIFEST.sha256) ||
    fail "sha256sum -c"
# Every file in the folder is in MANIFEST.sha256, and only those.
(cd "$dir" && find . -type f ! -name 'MANIFEST.sha256' | sed 's|^\./||' |
    sort) >"$T/on-disk"
cut -c67- "$dir/MANIFEST.sha256" | sort >"$T/listed"
cmp "$T/on-disk" "$T/listed" || fail "files and manifest differ"
# MANIFEST.json: every present piece's file is there with its SHA-256.
m=$dir/MANIFEST.json
jq -r '.requests[].pieces[] | select(.path) | "\(.sha256)  \(.path)"' "$m" |
    sort -u >"$T/pieces.sha"
(cd "$dir" && sha256sum --quiet --strict -c "$T/pieces.sha") ||
    fail "MANIFEST.json's pieces"
jq -e '.format == "segur-preuves-2" and .selection.og == "750000127" and
    (.requests | map(.ref)) == ["BC-0001", "BC-0002", "BC-0003"] and
    all(.requests[]; .missing == 0)' "$m" >/dev/null ||
    fail "MANIFEST.json: $(jq -c '.requests[] | {ref, missing}' "$m")"
# BC-0002, closed: every piece, from the order form to the balance payment.
jq -e --arg paid "$paid" '.requests[1] | .state == "closed" and
    ([.pieces[] | select(.status == "present") | .piece] ==
    ["bon_commande", "fichier_avance", "reponse_avance",
    "decision_attribution", "paiement_avance", "livraison", "facture",
    "pv_recette", "fichier_solde", "reponse_solde", "paiement_solde"]) and
    (.pieces[] | select(.piece == "reponse_solde") |
    .path == "fichiers/recus/solde-r2.json" and
    .libelleTraitement == "Demande acceptée") and
    (.pieces[] | select(.piece == "decision_attribution") |
    .amount == "2433.33" and .date == "2023-11-02" and .reference == "L-2") and
    (.pieces[] | select(.piece == "paiement_avance") |
    .amount == "730.00" and .date == "2023-11-22") and
    (.pieces[] | select(.piece == "paiement_solde") |
    .amount == "1703.33" and .date == $paid) and
    (.pieces[] | select(.piece == "livraison") |
    .numeroFacture == "F-2" and .amount == "2433.33") and
    (.pieces[] | select(.piece == "facture") |
    .path == "demandes/BC-0002/pieces/MS1-DUI-Va1-FAC-00002.pdf" and
    .zip == "PJ-SOLDE-2023000042-20240305-001-1.zip")' "$m" >/dev/null ||
    fail "BC-0002's pieces: $(jq -c '.requests[1]' "$m")"
# The files sent and received, byte for byte.
cmp "$dir/fichiers/envoyes/$(basename "$adv")" "$adv" || fail "advance file"
cmp "$dir/fichiers/envoyes/$(basename "$bal")" "$bal" || fail "balance file"
cmp "$dir/fichiers/recus/retour.json" "$T/retour.json" || fail "answer"
cmp "$dir/fichiers/recus/solde-r2.json" "$T/solde-r2.json" ||
    fail "balance answer"
cmp "$dir/demandes/BC-0002/pieces/MS1-DUI-Va1-FAC-00002.pdf" "$T/f2.pdf" ||
    fail "invoice"
cmp "$dir/demandes/BC-0002/pieces/MS1-DUI-Va1-PV-00002.png" "$T/pv.png" ||
    fail "PV"
cmp "$dir/demandes/BC-0002/pieces/MS1-DUI-Va1-BDC-00002.pdf" "$T/bdc.pdf" ||
    fail "order form"
expect_grep "^envoyé  $(sha "$bal")  fichiers/envoyes/$(basename "$bal")$" \
    "$dir/demandes/BC-0002/fichiers.txt"
expect_grep "^reçu  $(sha "$T/solde-r2.json")  fichiers/recus/solde-r2.json$" \
    "$dir/demandes/BC-0002/fichiers.txt"
expect_grep '^présent   paiement du solde, .*, 1703.33 €$' \
    "$dir/demandes/BC-0002/inventaire.txt"
expect_grep '^0 pièce(s) manquante(s).$' "$dir/demandes/BC-0002/inventaire.txt"
expect_grep '^0 anomalie(s) ouverte(s), 1 résolue(s) ' \
    "$dir/demandes/BC-0002/inventaire.txt"
jq -e '.requests[1].anomalies == {"open": 0, "resolved": 1} and
    .requests[0].anomalies == {"open": 0, "resolved": 0}' "$m" >/dev/null ||
    fail "anomalies in MANIFEST.json"
# demande.json and the history: the anomaly and its resolution, authors.
jq -e '(.resolvedAnomalies | length) == 1 and (.payments | length) == 2' \
    "$dir/demandes/BC-0002/demande.json" >/dev/null || fail "demande.json"
jq -e '(map(.action) | index("anomaly.resolve") != null and
    index("delivery.recorded") != null) and all(.[]; .actor != "")' \
    "$dir/demandes/BC-0002/historique.json" >/dev/null || fail "history"
# BC-0003, advance paid: no balance piece is expected of it yet.
jq -e '.requests[2] | .state == "advance_paid" and .missing == 0 and
    ([.pieces[].piece] | index("facture") == null)' "$m" >/dev/null ||
    fail "BC-0003: $(jq -c '.requests[2]' "$m")"

# By software and period: the requests sent today (the period is the
# day a file was built, as in audit export), none before.
expect_exit 0 segurctl audit bundle --ans 2023000042 --from "$paid" \
    --to "$paid" --out "$T/today.zip"
expect_grep '3 demande(s)' "$T/out"
expect_exit 1 segurctl audit bundle --to 2023-10-31 --out "$T/nov.zip"
expect_grep 'aucune demande' "$T/err"
expect_exit 1 segurctl audit bundle --ans 9999999999 --out "$T/nov.zip"
expect_exit 2 segurctl audit bundle --from 2023-13-01 --out "$T/nov.zip"
expect_exit 2 segurctl audit bundle --all --og 750000127 --out "$T/nov.zip"

# A file changed, removed, added: verify-bundle names each.
tamper() {
	python3 - "$T/og.zip" "$T/$1.zip" "$1" <<'PY'
import hashlib, sys, zipfile
src, dst, how = sys.argv[1:4]
fac = "/demandes/BC-0001/pieces/MS1-DUI-Va1-FAC-00001.pdf"
with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, "w") as zo:
    top = zi.namelist()[0].split("/")[0]
    # Read before the loop: writestr() moves the ZipInfo objects it is
    # given to the new zip's offsets.
    fac_sha = hashlib.sha256(zi.read(top + fac)).hexdigest().encode()
    old_manifest = zi.read(top + "/MANIFEST.sha256")
    for info in zi.infolist():
        data = zi.read(info)
        if info.filename.endswith(fac):
            if how == "changed":
                data = data.replace(b"facture 1", b"facture 9")
            elif how in ("removed", "dropped"):
                continue
        if how in ("smuggled", "forged") and \
                info.filename.endswith("/MANIFEST.sha256"):
            continue
        if how == "forged" and info.filename.endswith("/MANIFEST.json"):
            data = data.replace(fac_sha, b"0" * 64)
            forged = data
        if how == "dropped" and info.filename.endswith("/MANIFEST.sha256"):
            data = b"".join(l + b"\n" for l in data.splitlines()
                if not l.endswith(fac[1:].encode()))
        zo.writestr(info, data)
    if how in ("added", "smuggled"):
        data = b"%PDF-1.4\n"
        name = fac.replace("FAC", "AUTRE")
        zo.writestr(top + name, data)
    if how == "forged":
        m = b"".join(l + b"\n" if not l.endswith(b"  MANIFEST.json") else
            ("%s  MANIFEST.json\n" % hashlib.sha256(forged).hexdigest()).encode()
            for l in old_manifest.splitlines())
        zo.writestr(top + "/MANIFEST.sha256", m)
    if how == "smuggled":
        m = old_manifest + ("%s  %s\n" % (hashlib.sha256(data).hexdigest(),
            name[1:])).encode()
        zo.writestr(top + "/MANIFEST.sha256", m)
PY
}
tamper changed
expect_exit 1 segurctl audit verify-bundle "$T/changed.zip"
expect_grep 'changed.zip:demandes/BC-0001/pieces/MS1-DUI-Va1-FAC-00001.pdf: erreur: modifié' "$T/out"
tamper removed
expect_exit 1 segurctl audit verify-bundle "$T/removed.zip"
expect_grep 'MS1-DUI-Va1-FAC-00001.pdf: erreur: listé dans le manifeste mais absent' "$T/out"
tamper added
expect_exit 1 segurctl audit verify-bundle --json "$T/added.zip"
jq -e '.ok == false and (.findings | length) == 1 and (.findings[0].file |
    endswith("MS1-DUI-Va1-AUTRE-00001.pdf")) and
    (.findings[0].problem | startswith("présent dans le zip"))' "$T/out" \
    >/dev/null || fail "added: $(cat "$T/out")"
# The invoice removed along with its line of MANIFEST.sha256: sha256sum -c
# sees nothing wrong, MANIFEST.json still names it.
tamper dropped
expect_exit 1 segurctl audit verify-bundle "$T/dropped.zip"
expect_grep 'MS1-DUI-Va1-FAC-00001.pdf: erreur: dans MANIFEST.json mais absent de MANIFEST.sha256' "$T/out"
[ "$(grep -c 'erreur' "$T/out")" -eq 1 ] || fail "dropped: one finding"
# A file slipped into the zip and into MANIFEST.sha256: MANIFEST.json does
# not name it.
tamper smuggled
expect_exit 1 segurctl audit verify-bundle "$T/smuggled.zip"
expect_grep 'MS1-DUI-Va1-AUTRE-00001.pdf: erreur: dans MANIFEST.sha256 mais ni pièce ni fichier produit de MANIFEST.json' "$T/out"
[ "$(grep -c 'erreur' "$T/out")" -eq 1 ] || fail "smuggled: one finding"

# MANIFEST.json rewritten (and its line of MANIFEST.sha256) to give the
# invoice another hash: the two manifests disagree.
tamper forged
expect_exit 1 segurctl audit verify-bundle "$T/forged.zip"
expect_grep 'MS1-DUI-Va1-FAC-00001.pdf: erreur: son SHA-256 dans MANIFEST.json n.est pas celui de MANIFEST.sha256' "$T/out"
[ "$(grep -c 'erreur' "$T/out")" -eq 1 ] || fail "forged: one finding"

# A file the portal refused whole: its answer will never come, the piece
# is closed, not missing.
export SEGUR_DB=$T/refused/ledger.db
mkdir "$T/refused"
setup_ledger
gen_requests 1 1 R
expect_exit 0 segurctl build --date 20231002 --out "$T/rfiles"
expect_exit 0 segurctl file refused --reason "contrôle 1" \
    JSON-2023000042-20231002-001.json
expect_exit 0 segurctl audit bundle R-0001 --out "$T/refused.zip"
rm -rf "$T/u" && mkdir "$T/u"
(cd "$T/u" && unzip -q "$T/refused.zip")
jq -e '.requests[0] | .state == "rejected" and .missing == 0 and
    (.pieces[] | select(.piece == "reponse_avance") | .status == "closed"
    and (.note | test("refusé par le portail le .* : contrôle 1")))' \
    "$T"/u/preuves-segur-*/MANIFEST.json >/dev/null ||
    fail "refused: $(cat "$T"/u/preuves-segur-*/MANIFEST.json)"

# Files sent before the ledger existed, adopted without their documents:
# the order form is reported missing.
export SEGUR_DB=$T/adopted/ledger.db
mkdir "$T/adopted"
setup_ledger
printf 'finess_geo;finess_juridique;tranche\n330001017;750000127;B\n330001025;750000127;B\n690002027;690002019;B\n590004016;130003015;B\n' \
    >"$T/eligible.csv"
expect_exit 0 segurctl ref import eligible "$T/eligible.csv"
expect_exit 0 segurctl ingest --submitted \
    "$DATA/JSON-2023000042-20231002-001.json"
expect_exit 0 segurctl ingest "$DATA/JSON-2023000042-20231002-001.retour.json"
expect_exit 0 segurctl audit bundle --all --out "$T/adopted.zip"
expect_exit 0 segurctl audit verify-bundle "$T/adopted.zip"
rm -rf "$T/u" && mkdir "$T/u"
(cd "$T/u" && unzip -q "$T/adopted.zip")
dir=$(echo "$T"/u/preuves-segur-*)
jq -e '.requests[0] | .ref == "NE-00001" and .state == "accepted" and
    .missing == 1 and ([.pieces[] | select(.status == "missing") |
    [.piece, .note]] == [["bon_commande", "attendu à l'\''état accepted"]])' \
    "$dir/MANIFEST.json" >/dev/null ||
    fail "missing order form: $(jq -c '.requests[0]' "$dir/MANIFEST.json")"
expect_grep '^MANQUANT  bon de commande (BDC) : attendu à l.état accepted$' \
    "$dir/demandes/NE-00001/inventaire.txt"
expect_grep '^1 pièce(s) manquante(s).$' "$dir/demandes/NE-00001/inventaire.txt"
pass
