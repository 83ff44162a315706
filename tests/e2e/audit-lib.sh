# audit-lib.sh: what the audit tests share (sourced after lib.sh and
# build-lib.sh): a ledger seeded by the end-to-end scenario of the build
# and ingest tests.

# seed_audit: the guide's example built and answered (BC-1 accepted,
# granted 2433,33 €, advance 730,00 € (30 %) paid; BC-2 rejected with ASP's
# label), then three more requests built a week later and still waiting.
seed_audit() {
	setup_ledger
	printf 'finess_geo;finess_juridique;tranche\n330001017;750000127;B\n330001025;750000127;B\n690002027;690002019;B\n590004016;130003015;B\n' \
	    >"$T/eligible.csv"
	expect_exit 0 segurctl ref import eligible "$T/eligible.csv"
	printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR' >"$T/ht.png"
	for i in 0 1; do
		jq ".lignesImport[$i]" \
		    "$DATA/JSON-2023000042-20231002-001.json" >"$T/line$i.json"
	done
	expect_exit 0 segurctl request add --ref BC-1 --bdc "$T/bdc.pdf" \
	    "$T/line0.json"
	expect_exit 0 segurctl request add --ref BC-2 --bdc "$T/bdc.pdf" \
	    --ht "$T/ht.png" "$T/line1.json"
	expect_exit 0 segurctl request ready BC-1 BC-2
	expect_exit 0 segurctl build --date 20231002 --out "$T/files"
	cp "$DATA/JSON-2023000042-20231002-001.retour.json" "$T/retour.json"
	expect_exit 0 segurctl ingest "$T/retour.json"
	expect_exit 0 segurctl record grant --date 2023-11-02 \
	    --amount 2433.33 MS1-DUI-2023-0001872
	expect_exit 0 segurctl record advance-paid --date 2023-11-20 \
	    --amount 730.00 MS1-DUI-2023-0001872
	gen_requests 200 3 GR
	expect_exit 0 segurctl build --date 20231009 --out "$T/files"
}
