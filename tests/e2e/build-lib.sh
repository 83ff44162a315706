# build-lib.sh: what the build and ingest tests share (sourced after
# lib.sh): a ledger with one software and its reference data, and
# requests generated from a spreadsheet export.

# setup_ledger: init, the software of the examples with every profile,
# tranche B at 2920,00 € TTC.
setup_ledger() {
	expect_exit 0 segurctl init
	expect_exit 0 segurctl software add --ans 2023000042 \
	    --siret 38042372300028 \
	    --profiles REFERENTIEL_ID,ESCLAVE_ID,STOCKAGE_ID,PA,PH,DOM,SAAD,SOINS,SANS_SOINS
	printf 'tranche;montant_ttc\nB;2920,00\n' >"$T/tranches.csv"
	expect_exit 0 segurctl ref import tranches "$T/tranches.csv"
	printf '%%PDF-1.4\n%%%%EOF\n' >"$T/bdc.pdf"
}

# seed_examples: setup_ledger, the four ESMS of the guide's example made
# eligible, its two lines as $T/line0.json and $T/line1.json and an HT
# proof, $T/ht.png: what the caller registers as it needs.
seed_examples() {
	setup_ledger
	printf 'finess_geo;finess_juridique;tranche\n330001017;750000127;B\n330001025;750000127;B\n690002027;690002019;B\n590004016;130003015;B\n' \
	    >"$T/eligible.csv"
	expect_exit 0 segurctl ref import eligible "$T/eligible.csv"
	printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR' >"$T/ht.png"
	for i in 0 1; do
		jq ".lignesImport[$i]" "$DATA/JSON-2023000042-20231002-001.json" \
		    >"$T/line$i.json"
	done
}

# build_examples: seed_examples, its two lines registered as BC-1 and BC-2
# (BC-2 with the HT proof), made ready and built on 02/10/2023 into
# $T/files as JSON-2023000042-20231002-001.json: what ASP's example answer
# answers.
build_examples() {
	seed_examples
	expect_exit 0 segurctl request add --ref BC-1 --bdc "$T/bdc.pdf" "$T/line0.json"
	expect_exit 0 segurctl request add --ref BC-2 --bdc "$T/bdc.pdf" \
	    --ht "$T/ht.png" "$T/line1.json"
	expect_exit 0 segurctl request ready --all
	expect_exit 0 segurctl build --date 20231002 --out "$T/files"
}

# gen_requests FIRST COUNT [PREFIX [BDC]]: writes $T/requests.csv with
# COUNT orders of one eligible ESMS each (FINESS géo with a valid key, from
# FIRST on), and $T/eligible.csv listing those ESMS; imports both and
# makes every draft ready. Every order's form is $T/bdc.pdf, or with BDC
# "each", $T/bdc-<i>.pdf (the caller writes them).
gen_requests() {
	python3 - "$1" "$2" "${3:-BC}" "$T" "${4:-}" <<'PY'
import sys
first, count, prefix, t = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
each = sys.argv[5] == "each"
def luhn(base):
    s = 0
    for i, c in enumerate(reversed(base)):
        d = int(c) * (2 if i % 2 == 0 else 1)
        s += d - 9 if d > 9 else d
    return base + str((10 - s % 10) % 10)
cols = ["reference", "date_commande", "regime_tva", "montant_ht", "bdc",
        "finess_juridique", "nom_responsable_og", "email_responsable_og",
        "telephone_responsable_og", "demande_certificat_serveur",
        "finess_geo", "ancienne_version", "is_maitre_id", "is_stockage_id",
        "is_ref_soins", "operateur_messagerie", "profil_metier"]
with open(t + "/requests.csv", "w") as r, open(t + "/eligible.csv", "w") as e:
    r.write(";".join(cols) + "\n")
    e.write("finess_geo;finess_juridique;tranche\n")
    for i in range(first, first + count):
        geo = luhn("33%06d" % i)
        e.write("%s;750000127;B\n" % geo)
        r.write(";".join(["%s-%04d" % (prefix, i), "02/10/2023", "TTC",
            "2433,33", "bdc-%d.pdf" % i if each else "bdc.pdf",
            "750000127", "MARTIN",
            "direction@og-exemple.fr", "+33123456780", "non", geo,
            "DUI 4.2", "oui", "non", "oui", "MAI_15", "PA"]) + "\n")
PY
	expect_exit 0 segurctl ref import eligible "$T/eligible.csv"
	expect_exit 0 segurctl request import "$T/requests.csv"
	expect_exit 0 segurctl request ready --all
}

# check_out_consistent DIR: every file the ledger says it built is in DIR
# with the recorded SHA-256, every file in DIR was recorded, and no
# temporary file is left.
check_out_consistent() {
	local dir=$1 name sha f
	sqlite3 "$SEGUR_DB" "SELECT name, sha256 FROM file WHERE direction = 'out'" |
	while IFS='|' read -r name sha; do
		[ -f "$dir/$name" ] || fail "$name recorded but not in $dir"
		[ "$(sha256sum "$dir/$name" | cut -d' ' -f1)" = "$sha" ] ||
		    fail "$name differs from its recorded hash"
	done
	for f in "$dir"/* "$dir"/.[!.]*; do
		[ -e "$f" ] || continue
		case "$(basename "$f")" in
		.*) fail "temporary file left: $f" ;;
		esac
		[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM file WHERE direction = 'out' AND name = '$(basename "$f")'")" -eq 1 ] ||
		    fail "$f is not recorded"
	done
}
