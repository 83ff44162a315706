#!/usr/bin/env bash
# Reminders: queued once per request and period, whatever the number of
# checks (segurctl remind, segurd's daily check at start-up, a restart),
# for a submitted file without answer, an accepted request without
# decision, a paid advance without balance request and the balance
# deadline. "Today" is moved with the test hook SEGUR_TEST_TODAY, never
# by waiting.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"
. "$(dirname "$0")/daemon-lib.sh"
. "$(dirname "$0")/alerts-lib.sh"

day() { date -u -d "$(date -u +%F) $1 days" +%F; }
reminders() { sqlite3 "$SEGUR_DB" "SELECT count(*) FROM reminder"; }

seed_built
built=$(date -u +%F)

# Nothing due on the day of the file, nor 6 days later.
SEGUR_TEST_TODAY=$(day +6) expect_exit 0 segurctl remind
expect_grep '^Aucune relance due\.$' "$T/out"
# 8 days later: both submitted requests, once; a dry run first.
export SEGUR_TEST_TODAY=$(day +8)
expect_exit 0 segurctl remind --dry-run --json
[ "$(jq -r '[.reminders[] | .ref + ":" + .kind + ":" + .period] | join(" ")' "$T/out")" = \
    "BC-1:submitted:J+7 BC-2:submitted:J+7" ] || fail "dry run: $(cat "$T/out")"
[ "$(reminders)" -eq 0 ] || fail "the dry run queued"
expect_exit 0 segurctl remind
expect_grep '^2 relances mises en file\.$' "$T/out"
expect_grep "^BC-1 *J+7 *sans réponse de l'ASP depuis $(date -u -d "$built" +%d/%m/%Y) (8 j)  alert-000001$" "$T/out"
expect_exit 0 segurctl remind
expect_grep '^Aucune relance due\.$' "$T/out"
[ "$(reminders)" -eq 2 ] || fail "reminders: $(reminders)"
expect_exit 0 segurctl alerts list --kind reminder --json
[ "$(jq -r '.[0].subject' "$T/out")" = "Ségur : relance pour la demande BC-2" ] ||
    fail "subject: $(jq -r '.[0].subject' "$T/out")"
jq -r '.[0].facts.action' "$T/out" | grep -q "sans réponse de l'ASP depuis 8 jours" ||
    fail "action: $(jq -r '.[0].facts.action' "$T/out")"
# The next period (day 14) reminds again, once.
SEGUR_TEST_TODAY=$(day +15) expect_exit 0 segurctl remind
SEGUR_TEST_TODAY=$(day +16) expect_exit 0 segurctl remind
[ "$(reminders)" -eq 4 ] || fail "second period: $(reminders)"

# The answer: BC-1 accepted (no decision yet), BC-2 rejected (no more
# reminders).
expect_exit 0 segurctl ingest --archive "$T/archive" \
    "$DATA/JSON-2023000042-20231002-001.retour.json"
SEGUR_TEST_TODAY=$(day +59) expect_exit 0 segurctl remind
expect_grep '^Aucune relance due\.$' "$T/out"
SEGUR_TEST_TODAY=$(day +61) expect_exit 0 segurctl remind --json
[ "$(jq -r '[.reminders[] | .ref + ":" + .kind + ":" + .period] | join(" ")' "$T/out")" = \
    "BC-1:decision:J+60" ] || fail "decision: $(cat "$T/out")"

# Granted, advance paid today (a record is never dated in the future):
# balance after 30 days, deadline at 40.
expect_exit 0 segurctl record grant --date "$(day +0)" MS1-DUI-2023-0001872
expect_exit 0 segurctl record advance-paid --date "$(day +0)" \
    --amount 1460,00 MS1-DUI-2023-0001872
n=$(reminders)
SEGUR_TEST_TODAY=$(day +14) expect_exit 0 segurctl remind --json \
    --balance-days 30 --deadline-days 40
[ "$(jq -r '[.reminders[] | .kind + ":" + .period] | join(" ")' "$T/out")" = \
    "deadline:J-30" ] || fail "J-30: $(cat "$T/out")"
SEGUR_TEST_TODAY=$(day +35) expect_exit 0 segurctl remind --json \
    --balance-days 30 --deadline-days 40
[ "$(jq -r '[.reminders[] | .kind + ":" + .period + ":" + (.days|tostring)] | join(" ")' "$T/out")" = \
    "balance:J+30:35 deadline:J-7:5" ] || fail "J-7: $(cat "$T/out")"
jq -r '.reminders[1].since' "$T/out" | grep -qx "$(day +0)" || fail "since"
[ "$(reminders)" -eq $((n + 3)) ] || fail "balance reminders: $(reminders)"
expect_exit 0 segurctl alerts list --kind reminder --limit 1 --json
[ "$(jq -r '.[0].facts.echeanceSolde' "$T/out")" = "$(day +40)" ] ||
    fail "deadline date: $(cat "$T/out")"

# segurd's daily check at start-up ([reminders] at has passed), its
# alerts delivered with the day's chain head; a restart the same day
# queues nothing more.
cp "$T/built.db" "$SEGUR_DB"
rm -f "$SEGUR_DB-wal" "$SEGUR_DB-shm"
write_secret
port=$(free_port)
hport=$(free_port)
start_server webhook-receiver "$T/hook.log" "$hport" --secret "$SECRET"
write_conf "$port" "$hport" "[reminders]
at = 00:00
submitted_days = 7"
export SEGUR_TEST_TODAY=$(day +8)
today_fr=$(date -d "$SEGUR_TEST_TODAY" +%d/%m/%Y)
for run in 1 2; do
	start_segurd "$T/segurd.conf" "$port"
	wait_log "relances du $today_fr : [0-9]* mise(s) en file" "$run"
	wait_sql "SELECT count(*) FROM alert_delivery WHERE state = 'delivered'" 3
	stop_segurd
	[ "$SEGURD_RC" -eq 0 ] || fail "segurd exited $SEGURD_RC"
done
expect_grep "relances du $today_fr : 2 mise(s) en file" "$T/segurd.log"
expect_grep "relances du $today_fr : 0 mise(s) en file" "$T/segurd.log"
[ "$(grep -c '"event": "delivered"' "$T/hook.log")" -eq 3 ] || fail "webhook"
[ "$(jq -r 'select(.event == "delivered") | .body.type' "$T/hook.log" |
    sort -u | tr '\n' ' ')" = "segur.alert.head segur.alert.reminder " ] ||
    fail "kinds"
# The head mailed is one the ledger still extends.
head=$(jq -r 'select(.body.type == "segur.alert.head") |
    .body.data.facts.empreinte' "$T/hook.log")
expect_exit 0 segurctl audit verify --head "$head"
expect_exit 0 segurctl audit verify
pass
