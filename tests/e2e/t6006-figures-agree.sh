#!/usr/bin/env bash
# One definition of every figure (issue 19): a ledger with requests in
# every state the commands reach (balance_paid is passed through: a balance
# paid closes its request), then status --json and its text, solde list
# --json and its text, the report, segurd's /metrics and /api/v1/status
# give the same amounts to the cent, each equal to the value computed by
# hand below; audit verify finds the triggers' totals right.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

# Every generated request asks 2433.33 € HT; grants without --amount are
# that amount; advances are 730.00 €; a balance is 1703.33 €.
setup_ledger
gen_requests 1 10
expect_exit 0 segurctl build --date 20240301 --out "$T/files"
# ASP accepts lines 1-9 (MS1-DUI-2023-0000001..9) and rejects line 10.
jq '.impId = "I-0" | .lignesImport |= [to_entries[] | .value +
    (if .key < 9 then {numeroASP: ("MS1-DUI-2023-000000\(.key + 1)"),
    codeTraitement: "0", libelleTraitement: "Demande acceptée"} else
    {numeroASP: null, codeTraitement: "E12",
    libelleTraitement: "FINESS non éligible"} end)]' \
    "$T/files/JSON-2023000042-20240301-001.json" >"$T/retour.json"
expect_exit 0 segurctl ingest "$T/retour.json"
expect_grep '9 acceptée(s), 1 rejetée(s)' "$T/out"

asp() { echo "MS1-DUI-2023-000000$1"; }
printf '%%PDF-1.4 f\n%%%%EOF\n' >"$T/f.pdf"
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR' >"$T/pv.png"
# 1 and 9 stay accepted; 2 granted; 3 refused; 4-8 granted and advanced.
expect_exit 0 segurctl record grant --date 2024-03-04 "$(asp 2)"
expect_exit 0 segurctl record refusal --date 2024-03-04 "$(asp 3)"
for i in 4 5 6 7 8; do
	expect_exit 0 segurctl record grant --date 2024-03-04 "$(asp $i)"
	expect_exit 0 segurctl record advance-paid --date 2024-03-1$i \
	    --amount 730,00 "$(asp $i)"
done
# 5, 7, 8 delivered and their balance requested: ASP rejects 5's,
# accepts 7's and 8's; 8's is paid (closed).
for i in 5 7 8; do
	cp "$T/f.pdf" "$T/f$i.pdf"
	expect_exit 0 segurctl record delivered --date 2024-04-0$i \
	    --invoice F-$i --invoice-date 2024-04-0$i --amount 2433.33 \
	    --facture "$T/f$i.pdf" --pv "$T/pv.png" "$(asp $i)"
done
expect_exit 0 segurctl solde build --date 20240410 --out "$T/files"
f=$T/files/JSON-SOLDE-2023000042-20240410-001.json
jq --arg r "$(asp 5)" '.impId = "I-1" | .lignesImport |= map(
    if .numeroASP == $r then .codeTraitement = "S07" |
    .libelleTraitement = "Facture illisible" else .codeTraitement = "0" |
    .libelleTraitement = "Demande acceptée" end)' "$f" >"$T/solde-retour.json"
expect_exit 0 segurctl ingest "$T/solde-retour.json"
expect_grep '2 acceptée(s), 1 rejetée(s)' "$T/out"
expect_exit 0 segurctl record balance-paid --date "$(date -u +%F)" \
    --amount 1703,33 "$(asp 8)"
# 6 delivered later: its balance file is never answered.
cp "$T/f.pdf" "$T/f6.pdf"
expect_exit 0 segurctl record delivered --date 2024-04-06 --invoice F-6 \
    --invoice-date 2024-04-06 --amount 2433.33 --facture "$T/f6.pdf" \
    --pv "$T/pv.png" "$(asp 6)"
expect_exit 0 segurctl solde build --date 20240411 --out "$T/files"
# 11 submitted (a file never answered), 12 ready, 13 withdrawn, D-1 draft.
gen_requests 11 1
expect_exit 0 segurctl build --date 20240302 --out "$T/files"
gen_requests 12 2
expect_exit 0 segurctl request withdraw --reason 'commande annulée' BC-0013
jq '.lignesImport[0]' "$DATA/JSON-2023000042-20231002-001.json" >"$T/line0.json"
expect_exit 0 segurctl request add --ref D-1 --bdc "$T/bdc.pdf" "$T/line0.json"

expect_exit 0 segurctl status --json
cp "$T/out" "$T/status.json"
jq -e '.states | map_values(.count) == {draft: 1, ready: 1, submitted: 1,
    accepted: 2, rejected: 1, granted: 1, refused: 1, advance_paid: 1,
    balance_requested: 1, balance_accepted: 1, balance_rejected: 1,
    balance_paid: 0, closed: 1, withdrawn: 1}' "$T/status.json" \
    >/dev/null || fail "states: $(jq -c .states "$T/status.json")"

# By hand, M = 2433.33, A = 730.00, B = M - A = 1703.33:
# requested: sent = every state but draft, ready, withdrawn (1-11): 11 x M.
# accepted: accepted and after, refused included (1-9): 9 x M.
# granted: 2, 4-8: 6 x M.  advance paid: 4-8: 5 x A.
# balance requested: 5, 6, 7, 8: 4 x B.  balance paid: 8: B.
# balance awaited: advance_paid, balance_requested, balance_accepted,
# balance_rejected (4, 6, 7, 5): 4 x B.
amounts='{"requested":"26766.63","accepted":"21899.97","granted":"14599.98",
"advance_paid":"3650.00","balance_requested":"6813.32",
"balance_paid":"1703.33","balance_awaited":"6813.32"}'
counts='{"requested":11,"accepted":9,"granted":6,"advance_paid":5,
"balance_requested":4,"balance_paid":1,"balance_awaited":4}'
jq -e --argjson a "$amounts" --argjson c "$counts" \
    '.amounts == $a and .counts == $c' "$T/status.json" >/dev/null ||
    fail "status --json: $(jq -c '{amounts, counts}' "$T/status.json")"

# The text: French labels, amounts with U+202F between thousands.
nb=$(printf '\342\200\257')
expect_exit 0 segurctl status
expect_grep "^  demandé à l'ASP  *11 demande(s)  *26${nb}766,63 €$" "$T/out"
expect_grep "^  accepté par l'ASP  *9 demande(s)  *21${nb}899,97 €$" "$T/out"
expect_grep "^  accordé  *6 demande(s)  *14${nb}599,98 €$" "$T/out"
expect_grep "^  avance reçue  *5 demande(s)  *3${nb}650,00 €$" "$T/out"
expect_grep "^  solde demandé  *4 demande(s)  *6${nb}813,32 €$" "$T/out"
expect_grep "^  solde reçu  *1 demande(s)  *1${nb}703,33 €$" "$T/out"
expect_grep "^  solde attendu  *4 demande(s)  *6${nb}813,32 €$" "$T/out"

# solde list: the rows (4 and 5), the balance still to request, and the
# same figures as status.
expect_exit 0 segurctl solde list --json
jq -e --argjson a "$amounts" --argjson c "$counts" '.amounts == $a and
    .counts == $c and (.requests | map(.ref) | sort) == ["BC-0004",
    "BC-0005"] and all(.requests[]; .soldeAttendu == "1703.33") and
    .toRequest == {amount: "3406.66", count: 2}' "$T/out" >/dev/null ||
    fail "solde list --json: $(cat "$T/out")"
expect_exit 0 segurctl solde list --json --og 750000127
jq -e --argjson a "$amounts" '.amounts == $a' "$T/out" >/dev/null ||
    fail "solde list --og: $(jq -c .amounts "$T/out")"
expect_exit 0 segurctl solde list --json --og 690002019
jq -e '.amounts.balance_awaited == "0.00" and .counts.requested == 0 and
    .toRequest.count == 0' "$T/out" >/dev/null ||
    fail "solde list of another OG: $(cat "$T/out")"
expect_exit 0 segurctl solde list
expect_grep "^Solde à demander : 3${nb}406,66 € (2 demande(s)" "$T/out"
expect_grep "^  solde attendu  *4 demande(s)  *6${nb}813,32 €$" "$T/out"

# The report.
expect_exit 0 segurctl report --html "$T/report.html"
for kv in "montant-demande:26${nb}766,63" "montant-accorde:14${nb}599,98" \
    "montant-avance:3${nb}650,00" "montant-solde-recu:1${nb}703,33" \
    "montant-solde-attendu:6${nb}813,32"; do
	# U+00A0 before the euro sign: never wrapped alone.
	grep -q "<dd id=\"${kv%%:*}\">${kv#*:}$(printf '\302\240')€</dd>" \
	    "$T/report.html" ||
	    fail "report: no ${kv%%:*} = ${kv#*:}"
done

expect_exit 0 segurctl audit verify
expect_grep '^relecture : .* lignes conformes au journal' "$T/out"

# segurd on the same ledger.
mkdir "$T/inbox"
port=$(free_port)
printf '[inbox]\npath = inbox\n[http]\nlisten = 127.0.0.1:%s\n[ledger]\npath = %s\n' \
    "$port" "$SEGUR_DB" >"$T/segurd.conf"
start_segurd "$T/segurd.conf" "$port"
get "$port" /metrics
sed '1,/^\r$/d' "$T/resp" >"$T/metrics"
$PROM_CHECK "$T/metrics" || fail "/metrics is not valid exposition text"
expect_grep '^segur_balance_awaited_euros 6813.32$' "$T/metrics"
expect_grep '^segur_awaiting_balance_euros 6813.32$' "$T/metrics"
get "$port" /api/v1/status
sed '1,/^\r$/d' "$T/resp" >"$T/api.json"
jq -e --argjson a "$amounts" --argjson c "$counts" \
    '.ledgerStatus.amounts == $a and .ledgerStatus.counts == $c' \
    "$T/api.json" >/dev/null ||
    fail "/api/v1/status: $(jq -c .ledgerStatus "$T/api.json")"
stop_segurd
pass
