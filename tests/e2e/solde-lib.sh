# solde-lib.sh: what the balance tests share (sourced after lib.sh and
# build-lib.sh): the guide's first line registered, built, accepted by
# ASP (numeroASP $ASP), granted and its advance paid on ADVANCE_DATE.

ASP=MS1-DUI-2023-0001872

# seed_accepted: the request BC-1 accepted by ASP as $ASP (file of
# 2023-10-02).
seed_accepted() {
	setup_ledger
	printf 'finess_geo;finess_juridique;tranche\n330001017;750000127;B\n330001025;750000127;B\n' \
	    >"$T/eligible.csv"
	expect_exit 0 segurctl ref import eligible "$T/eligible.csv"
	jq '.lignesImport[0]' "$DATA/JSON-2023000042-20231002-001.json" \
	    >"$T/line0.json"
	expect_exit 0 segurctl request add --ref BC-1 --bdc "$T/bdc.pdf" \
	    "$T/line0.json"
	expect_exit 0 segurctl request ready BC-1
	expect_exit 0 segurctl build --date 20231002 --out "$T/files"
	jq '.lignesImport |= [.[0]]' \
	    "$DATA/JSON-2023000042-20231002-001.retour.json" >"$T/retour.json"
	expect_exit 0 segurctl ingest "$T/retour.json"
}

# seed_advance_paid ADVANCE_DATE: the request BC-1 in advance_paid.
seed_advance_paid() {
	seed_accepted
	expect_exit 0 segurctl record grant --date 2023-11-02 \
	    --amount 4866.67 $ASP
	expect_exit 0 segurctl record advance-paid --date "$1" \
	    --amount 1460,00 $ASP
}

# deliver [INVOICE]: records the delivery with a PDF invoice and a JPEG
# acceptance record.
deliver() {
	printf '%%PDF-1.4 facture %s\n%%%%EOF\n' "${1:-F-1}" >"$T/facture.pdf"
	printf '\xff\xd8\xff\xe0\0\x10JFIF\0' >"$T/pv.jpg"
	expect_exit 0 segurctl record delivered --date 2024-03-01 \
	    --invoice "${1:-F-1}" --invoice-date 2024-03-02 --amount 4866,67 \
	    --facture "$T/facture.pdf" --pv "$T/pv.jpg" $ASP
}
