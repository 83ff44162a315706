#!/usr/bin/env bash
# What a person reads from segurd is French: the journal (start, ingest,
# rejection, delivery, reminders, stop), the rejection alert e-mailed and
# posted to a chat webhook (format = text), and the day's chain head whose
# times are shown in UTC and say so, whatever TZ segurd runs under (here
# eleven hours ahead of UTC, so a local time would show).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"
. "$(dirname "$0")/daemon-lib.sh"
. "$(dirname "$0")/alerts-lib.sh"

seed_built
hport=$(free_port)
sport=$(free_port)
port=$(free_port)
start_server webhook-receiver "$T/hook.log" "$hport"
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
[webhook chat]
url = http://127.0.0.1:$hport/hook
format = text
[mail]
smtp_url = smtp://127.0.0.1:$sport
from = segurd@editeur.example
to = ops@editeur.example
starttls = no
[reminders]
at = 00:00
chain_head = 1
CONF

export SEGUR_TEST_TODAY=2026-12-07 TZ=UTC-11
start_segurd "$T/segurd.conf" "$port"
# The head of the day first (the check runs at start, 00:00 has passed).
wait_count "$T/smtp.log" '"subject"' 1
drop_return
wait_count "$T/smtp.log" '"subject"' 2
wait_count "$T/hook.log" '"event": "delivered"' 2
wait_sql "SELECT count(*) FROM alert_delivery WHERE state = 'delivered'" 4
stop_segurd
[ "$SEGURD_RC" -eq 0 ] || fail "segurd exited $SEGURD_RC"

# 1. The journal: French lines, priority prefixes kept, no English left.
expect_grep "^<6>segurd [0-9.]* démarre avec $T/segurd.conf\$" "$T/segurd.log"
expect_grep "^<6>surveillance de $T/inbox\$" "$T/segurd.log"
expect_grep '^<6>alertes : 2 canaux$' "$T/segurd.log"
expect_grep '^<6>relances : vérification pour le 07/12/2026$' "$T/segurd.log"
expect_grep '^<6>relances du 07/12/2026 : 0 mise(s) en file$' "$T/segurd.log"
expect_grep "^<4>$T/inbox/retour.json : BC-2 (00002) rejetée par l'ASP : Le FINESS géographique 590004016" \
    "$T/segurd.log"
expect_grep '^<6>.*retour.json : réponses JSON-2023000042-20231002-001.json : 1 acceptée(s), 1 rejetée(s), 0 anomalie(s)$' \
    "$T/segurd.log"
expect_grep '^<6>alert-000002 envoyée à webhook:chat (1 essai)$' "$T/segurd.log"
expect_grep '^<6>alert-000002 envoyée à mail (1 essai)$' "$T/segurd.log"
expect_grep '^<6>SIGTERM : arrêt$' "$T/segurd.log"
expect_grep '^<6>arrêté$' "$T/segurd.log"
expect_no_grep ' delivered \| stopping\|watching \|starting with\|answers \|rejected by\|queued' \
    "$T/segurd.log"

# 2. The rejection, e-mailed: French subject, body, action.
m=$(jq -c 'select(.subject | test("BC-2"))' "$T/smtp.log")
[ -n "$m" ] || fail "no mail about BC-2: $(cat "$T/smtp.log")"
[ "$(jq -r .subject <<<"$m")" = "Ségur : demande BC-2 rejetée par l'ASP" ] ||
    fail "subject: $(jq -r .subject <<<"$m")"
jq -r .body <<<"$m" >"$T/mail.txt"
expect_grep "^La demande BC-2 a été rejetée par l'ASP\.$" "$T/mail.txt"
expect_grep "^Motif donné par l'ASP : .*Le FINESS géographique 590004016" \
    "$T/mail.txt"
# The request's amount, as the French locale writes it (U+202F).
expect_grep "^Montant Ségur HT : 5$(printf '\342\200\257')840,00 €\$" "$T/mail.txt"
expect_grep '^À faire : corriger la demande (segurctl request edit)' \
    "$T/mail.txt"
expect_grep '^Alerte alert-000002 envoyée par segurd (segur-ledger)\.$' \
    "$T/mail.txt"

# 3. The same alert in the chat webhook's "text": subject then body.
h=$(jq -c 'select(.event == "delivered") | select(.body.text | test("BC-2"))' \
    "$T/hook.log")
[ -n "$h" ] || fail "no chat message about BC-2: $(cat "$T/hook.log")"
jq -r .body.text <<<"$h" >"$T/chat.txt"
[ "$(head -1 "$T/chat.txt")" = "Ségur : demande BC-2 rejetée par l'ASP" ] ||
    fail "chat text: $(cat "$T/chat.txt")"
expect_grep "^La demande BC-2 a été rejetée par l'ASP\.$" "$T/chat.txt"

# 4. The chain head: the day as JJ/MM/AAAA, the last event's time in UTC
# (from the ISO time its facts keep) followed by "UTC".
m=$(jq -c 'select(.subject | test("empreinte"))' "$T/smtp.log")
[ "$(jq -r .subject <<<"$m")" = "Ségur : empreinte du registre du 07/12/2026" ] ||
    fail "head subject: $(jq -r .subject <<<"$m")"
last=$(sqlite3 "$SEGUR_DB" "SELECT json_extract(body, '\$.dernier') FROM alert WHERE kind = 'head'")
[ -n "$last" ] || fail "no head alert"
want=$(date -u -d "$last" '+%d/%m/%Y %H:%M')
jq -r .body <<<"$m" >"$T/head.txt"
expect_grep "événement(s), le dernier le $want UTC\$" "$T/head.txt"
pass
