#!/usr/bin/env bash
# The test webhook receiver (tests/servers/webhook-receiver.py) that the
# delivery tests trust must itself refuse what it should: a signature made
# with openssl(1) (no segur code involved) is accepted, a wrong one, a stale
# timestamp and a body changed in transit are refused with 401, a second
# delivery of the same webhook-id is counted as a duplicate, not delivered.
. "$(dirname "$0")/lib.sh"

SECRET=whsec_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=
KEYHEX=$(printf '%s' "${SECRET#whsec_}" | base64 -d | od -An -tx1 | tr -d ' \n')
PORT=$(free_port)
python3 "$SEGUR_SOURCE_DIR/tests/servers/webhook-receiver.py" \
	--port "$PORT" --log "$T/received.jsonl" --ready "$T/ready" \
	--secret "$SECRET" &
SERVER=$!
trap 'st=$?; kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; (exit $st); _cleanup' EXIT
i=0
while [ ! -e "$T/ready" ]; do
	i=$((i + 1))
	[ $i -lt 200 ] || fail "receiver did not start"
	sleep 0.1
done

# sign ID TS BODY: the v1 signature, computed by openssl alone.
sign() {
	printf '%s.%s.%s' "$1" "$2" "$3" |
	    openssl dgst -sha256 -mac HMAC -macopt "hexkey:$KEYHEX" -binary |
	    base64
}

# post ID TS BODY SIGNATURE: prints the HTTP status.
post() {
	curl -s -o /dev/null -w '%{http_code}' -X POST \
	    -H 'Content-Type: application/json' -H "webhook-id: $1" \
	    -H "webhook-timestamp: $2" -H "webhook-signature: $4" \
	    --data-binary "$3" "http://127.0.0.1:$PORT/hook"
}

NOW=$(date +%s)
BODY='{"type":"segur.alert.rejection","data":{"id":"alert-1"}}'
SIG=v1,$(sign alert-1 "$NOW" "$BODY")

code=$(post alert-1 "$NOW" "$BODY" "v1,AAAA $SIG")
case $code in 2??) ;; *) fail "good signature refused: $code" ;; esac
code=$(post alert-1 "$NOW" "$BODY" "$SIG")
[ "$code" = 200 ] || fail "duplicate answered $code"
code=$(post alert-2 "$NOW" "$BODY" "$SIG")
[ "$code" = 401 ] || fail "signature of another id accepted: $code"
code=$(post alert-3 "$NOW" "${BODY/alert-1/alert-9}" \
    "v1,$(sign alert-3 "$NOW" "$BODY")")
[ "$code" = 401 ] || fail "changed body accepted: $code"
OLD=$((NOW - 600))
code=$(post alert-4 "$OLD" "$BODY" "v1,$(sign alert-4 "$OLD" "$BODY")")
[ "$code" = 401 ] || fail "stale timestamp accepted: $code"

[ "$(grep -c '"event": "delivered"' "$T/received.jsonl")" = 1 ] ||
    fail "not exactly one delivery"
[ "$(grep -c '"event": "duplicate"' "$T/received.jsonl")" = 1 ] ||
    fail "duplicate not counted"
[ "$(grep -c '"event": "bad-signature"' "$T/received.jsonl")" = 3 ] ||
    fail "bad signatures not all refused"
expect_grep '"why": "webhook-timestamp out of tolerance"' "$T/received.jsonl"
pass
