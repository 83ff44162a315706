#!/usr/bin/env bash
# A receiver answering 410 Gone: the alert is recorded failed (segurctl
# alerts list shows it with the reason) and the channel is no longer used
# (a second alert is not sent) until SIGHUP reloads the configuration.
# Digest mode: the alerts of the period go out as one message per
# channel, and each grouped alert is recorded delivered.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"
. "$(dirname "$0")/daemon-lib.sh"
. "$(dirname "$0")/alerts-lib.sh"

seed_built
write_secret
port=$(free_port)
printf 'not a returned file\n' >"$T/junk.json"

# 1. 410 Gone.
hport=$(free_port)
start_server webhook-receiver "$T/hook1.log" "$hport" --secret "$SECRET" --gone
write_conf "$port" "$hport"
start_segurd "$T/segurd.conf" "$port"
drop_return
wait_sql "SELECT state FROM alert_delivery WHERE alert_id = 1" failed
expect_grep 'alert-000001 non envoyée à webhook:ops : .*410.*canal désactivé' \
    "$T/segurd.log"
# A second alert (a quarantined file) while the channel is disabled.
cp "$T/junk.json" "$T/stage/junk.json"
mv "$T/stage/junk.json" "$T/inbox/"
wait_log 'junk.json : mis en quarantaine'
wait_sql "SELECT count(*) FROM alert" 2
# The wake-up after that file skips the disabled channel.
wait_log 'webhook:ops désactivé (410 Gone) jusqu.au rechargement : non lu'
[ "$(grep -c '"event": "gone"' "$T/hook1.log")" -eq 1 ] ||
    fail "the disabled channel was used again"
[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM alert_delivery WHERE alert_id = 2")" -eq 0 ] ||
    fail "alert 2 recorded on a disabled channel"
# A reload enables it again: alert 2 is tried (and gone again).
kill -HUP "$SEGURD_PID"
wait_sql "SELECT state FROM alert_delivery WHERE alert_id = 2" failed
stop_segurd
[ "$SEGURD_RC" -eq 0 ] || fail "segurd exited $SEGURD_RC"
[ "$(grep -c '"event": "gone"' "$T/hook1.log")" -eq 2 ] || fail "not 2 x 410"
expect_exit 0 segurctl alerts list --state failed
expect_grep '^alert-000001 .* rejection ÉCHEC' "$T/out"
expect_grep 'dernière erreur : .*410' "$T/out"
expect_exit 0 segurctl alerts list --state failed --json
[ "$(jq length "$T/out")" -eq 2 ] || fail "failed alerts: $(cat "$T/out")"
_servers_kill

# 2. Digest: both alerts queued while segurd is stopped (segurctl ingest),
# then one digest per channel at the end of the first period.
cp "$T/built.db" "$SEGUR_DB"
rm -f "$SEGUR_DB-wal" "$SEGUR_DB-shm"
expect_exit 0 segurctl ingest --archive "$T/archive" \
    --quarantine "$T/quarantine" \
    "$DATA/JSON-2023000042-20231002-001.retour.json"
expect_exit 2 segurctl ingest --archive "$T/archive" \
    --quarantine "$T/quarantine" "$T/junk.json"
[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM alert")" -eq 2 ] || fail "not 2 alerts"
: >"$T/segurd.log"
hport=$(free_port)
sport=$(free_port)
start_server webhook-receiver "$T/hook2.log" "$hport" --secret "$SECRET"
start_server smtp-server "$T/smtp.log" "$sport"
write_conf "$port" "$hport" "[mail]
smtp_url = smtp://127.0.0.1:$sport
from = segurd@editeur.example
to = ops@editeur.example
starttls = no
[alerts]
digest = 15min
[reminders]
chain_head = 0"
SEGUR_TEST_DIGEST_MS=1500 start_segurd "$T/segurd.conf" "$port"
wait_sql "SELECT count(*) FROM alert_delivery WHERE state = 'delivered'" 4
stop_segurd
[ "$SEGURD_RC" -eq 0 ] || fail "segurd exited $SEGURD_RC"
[ "$(grep -c '"event": "delivered"' "$T/hook2.log")" -eq 1 ] || fail "not one webhook digest"
h=$(grep '"event": "delivered"' "$T/hook2.log")
[ "$(jq -r .body.type <<<"$h")" = segur.alert.digest ] || fail "type: $h"
[ "$(jq -r '[.body.data.facts.alerts[].id] | join(",")' <<<"$h")" = \
    alert-000001,alert-000002 ] || fail "grouped: $h"
[ "$(wc -l <"$T/smtp.log")" -eq 1 ] || fail "not one mail"
jq -r .subject "$T/smtp.log" | grep -q '1 rejet' || fail "subject: $(jq -r .subject "$T/smtp.log")"
jq -r .body "$T/smtp.log" | grep -q 'BC-2' || fail "body: $(jq -r .body "$T/smtp.log")"
expect_exit 0 segurctl alerts list --state delivered --json
[ "$(jq length "$T/out")" -eq 2 ] || fail "delivered: $(cat "$T/out")"
expect_exit 0 segurctl audit verify
pass
