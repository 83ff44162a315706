#!/usr/bin/env bash
# SIGTERM stops an idle segurd within a few seconds, every handle closed,
# exit 0; the stop of a busy one is bounded too (the grace time of
# segurd.c, checked with a stuck job by tests/unit/test-daemon-watch.c).
# /healthz has no stuck ingestion to report on an idle daemon.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

mkdir "$T/inbox"
port=$(free_port)
printf '[inbox]\npath = inbox\nstuck_after = 1s\n[http]\nlisten = 127.0.0.1:%s\n' \
    "$port" >"$T/segurd.conf"
start_segurd "$T/segurd.conf" "$port"
get "$port" /healthz
expect_grep '^HTTP/1.1 200 OK' "$T/resp"
expect_no_grep '^ingestion' "$T/resp"
get "$port" /metrics
expect_grep '^segurd_inbox_processing_seconds 0$' "$T/resp"

t0=$(date +%s%N)
stop_segurd
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$SEGURD_RC" -eq 0 ] || fail "segurd exited $SEGURD_RC on SIGTERM"
[ "$ms" -lt 3000 ] || fail "SIGTERM took $ms ms"
expect_grep '^<6>arrêté$' "$T/segurd.log"
expect_no_grep 'resté ouvert\|abandonné' "$T/segurd.log"
pass
