#!/usr/bin/env bash
# segurd delivers the outbox: the example's return (line 2 rejected) is
# ingested; its alert reaches the test webhook receiver (which checks the
# Standard Webhooks signature) and the test SMTP server (the message
# parsed back: French subject, the request's reference and ASP's label in
# the body); the ledger records each channel delivered, segurctl alerts
# list shows it. A webhook secret the deliverer cannot use fails
# --check-config.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"
. "$(dirname "$0")/daemon-lib.sh"
. "$(dirname "$0")/alerts-lib.sh"

seed_built
write_secret
hport=$(free_port)
sport=$(free_port)
port=$(free_port)
start_server webhook-receiver "$T/hook.log" "$hport" --secret "$SECRET"
start_server smtp-server "$T/smtp.log" "$sport"
cat >"$T/segurd.conf" <<CONF
[ledger]
path = ledger.db
[inbox]
path = inbox
archive = archive
quarantine = quarantine
settle = 200ms
rescan = 1s
[http]
listen = 127.0.0.1:$port
[webhook ops]
url = http://127.0.0.1:$hport/hook
secret_file = hook.secret
[mail]
smtp_url = smtp://127.0.0.1:$sport
from = segurd@editeur.example
to = ops@editeur.example, compta@editeur.example
starttls = no
[reminders]
chain_head = 0
CONF

start_segurd "$T/segurd.conf" "$port"
drop_return
wait_count "$T/hook.log" '"event": "delivered"' 1
wait_count "$T/smtp.log" '"subject"' 1
wait_sql "SELECT group_concat(channel || '=' || state, ' ') FROM (SELECT * FROM alert_delivery ORDER BY channel)" \
    'mail=delivered webhook:ops=delivered'
stop_segurd
[ "$SEGURD_RC" -eq 0 ] || fail "segurd exited $SEGURD_RC"

# The webhook: signed (the receiver refuses bad signatures), the alert's
# stable id, French text.
expect_no_grep 'bad-signature' "$T/hook.log"
h=$(grep '"event": "delivered"' "$T/hook.log")
[ "$(jq -r .id <<<"$h")" = alert-000001 ] || fail "webhook-id: $h"
[ "$(jq -r .body.type <<<"$h")" = segur.alert.rejection ] || fail "type: $h"
[ "$(jq -r .body.data.facts.reference <<<"$h")" = BC-2 ] || fail "facts: $h"
jq -r .body.data.text <<<"$h" | grep -q 'Le FINESS géographique 590004016' ||
    fail "ASP's label not in the webhook text: $h"

# The mail: parsed back by Python's email module.
m=$(head -1 "$T/smtp.log")
[ "$(jq -r .subject <<<"$m")" = "Ségur : demande BC-2 rejetée par l'ASP" ] ||
    fail "subject: $(jq -r .subject <<<"$m")"
[ "$(jq -r '.rcpt_tos | join(",")' <<<"$m")" = \
    ops@editeur.example,compta@editeur.example ] || fail "recipients: $m"
jq -r .body <<<"$m" | grep -q '^Demande : BC-2$' || fail "no reference: $m"
jq -r .body <<<"$m" | grep -q "Motif donné par l'ASP : .*Le FINESS géographique 590004016" ||
    fail "no ASP label in the mail: $m"
jq -r '.headers["Message-ID"]' <<<"$m" | grep -q '^<alert-000001@editeur.example>$' ||
    fail "Message-ID: $m"

# The log names the channel, never the URL; the ledger and the CLI agree.
expect_grep 'alert-000001 envoyée à webhook:ops' "$T/segurd.log"
expect_grep 'alert-000001 envoyée à mail' "$T/segurd.log"
expect_no_grep "127.0.0.1:$hport" "$T/segurd.log"
[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM event WHERE action = 'alert.delivered'")" -eq 2 ] ||
    fail "no delivery events"
expect_exit 0 segurctl alerts list --state delivered
expect_grep '^alert-000001 .* rejection livrée' "$T/out"
expect_exit 0 segurctl audit verify

# A secret the deliverer could not use is refused by --check-config (and
# at start or reload), not found out at each delivery; the cause never
# quotes it.
printf 'not-a-webhook-secret\n' >"$T/hook.secret"
expect_exit 1 "$SEGURD" --check-config -c "$T/segurd.conf"
expect_grep 'webhook:ops : le secret de webhook n.est pas' "$T/err"
expect_no_grep 'not-a-webhook-secret' "$T/err"
pass
