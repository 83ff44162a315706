#!/usr/bin/env bash
# segurctl ingest on hostile input (issue 18): the same bad file twice is
# quarantined once (the second run names the first quarantine's date); a
# file of 201 lines is refused whole (nothing applied, one alert); a
# symbolic link is not followed; a 250-byte name is quarantined under a
# shortened name with the original in the row; a reason never carries the
# file's raw control bytes. Leftover archive/*.tmp.* files are listed by
# audit verify as a warning (not damage) and removed by the next ingest.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"

build_examples
alerts() { sqlite3 "$SEGUR_DB" "SELECT count(*) FROM alert"; }
quarantined() { sqlite3 "$SEGUR_DB" "SELECT count(*) FROM quarantine"; }

# Not JSON, a C1 control (CSI) near the error: escaped in the reason.
printf '{"a": truX\302\233SECRET\n' >"$T/bad.json"
expect_exit 2 segurctl ingest "$T/bad.json"
expect_grep 'mis en quarantaine' "$T/out"
expect_grep 'truX\\xc2\\x9b' "$T/out"
[ "$(quarantined)" -eq 1 ] || fail "not quarantined"
first=$(sqlite3 "$SEGUR_DB" "SELECT at FROM quarantine")
sqlite3 "$SEGUR_DB" "SELECT reason FROM quarantine" | grep -q "$(printf '\302\233')" &&
    fail "raw control byte in the reason"
a0=$(alerts)
# Twice: said, not done again.
expect_exit 2 segurctl ingest --json "$T/bad.json"
[ "$(jq -r '.files[0].alreadyQuarantined' "$T/out")" = "$first" ] ||
    fail "second run does not give the first quarantine's date"
expect_exit 2 segurctl ingest "$T/bad.json"
expect_grep "déjà mis en quarantaine le $first" "$T/out"
[ "$(quarantined)" -eq 1 ] || fail "quarantined twice"
[ "$(alerts)" -eq "$a0" ] || fail "a second alert"
[ "$(ls "$T/quarantine" | grep -c '^bad.json')" -eq 2 ] ||
    fail "quarantine holds other than bad.json and its reason"

# 201 lines: refused whole, one alert, no request changed.
jq '.lignesImport as $l | .lignesImport = [range(201) as $i | $l[0] | .numLigne = $i + 1]' \
    "$DATA/JSON-2023000042-20231002-001.retour.json" >"$T/big.json"
a0=$(alerts)
expect_exit 2 segurctl ingest "$T/big.json"
expect_grep '201 lignes dans lignesImport' "$T/out"
[ "$(alerts)" -eq $((a0 + 1)) ] || fail "201 lines: not exactly one alert"
[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM attempt WHERE outcome != 'pending'")" -eq 0 ] ||
    fail "201 lines: a line was applied"
[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM anomaly")" -eq 0 ] ||
    fail "201 lines: anomalies recorded"

# A symbolic link is not followed (segurctl is given files, not links).
printf 'SECRET-CONTENT\n' >"$T/secret"
ln -s "$T/secret" "$T/link.json"
expect_exit 2 segurctl ingest "$T/link.json"
expect_grep 'lien symbolique, non lu' "$T/err"
expect_no_grep 'SECRET-CONTENT' "$T/err"

# A 250-byte name: quarantined under a shortened name, original kept.
long=$(printf 'x%.0s' $(seq 245)).json
printf 'not json\n' >"$T/$long"
expect_exit 2 segurctl ingest "$T/$long"
expect_grep 'nom trop long pour la quarantaine' "$T/out"
[ "$(sqlite3 "$SEGUR_DB" "SELECT count(*) FROM quarantine WHERE name = '$long'")" -eq 1 ] ||
    fail "original long name not in the quarantine row"
ls "$T/quarantine" | grep -q '~[0-9a-f]\{16\}$' || fail "no shortened name"
ls "$T/quarantine" | grep -q '~[0-9a-f]\{16\}\.reason$' || fail "no reason"

# Leftovers of an interrupted archive write: warned about by audit verify
# (exit 0: not damage), removed by the next command writing the archive.
sha=$(ls "$T/archive" | head -1)
printf 'half' >"$T/archive/$sha.tmp.4194999"
touch -d '2 hours ago' "$T/archive/$sha.tmp.4194999"
expect_exit 0 segurctl audit verify
expect_grep "attention : archive .*$sha.tmp.4194999 laissé par une écriture interrompue" "$T/err"
expect_grep 'archive intacte' "$T/out"
expect_exit 0 segurctl ingest "$DATA/JSON-2023000042-20231002-001.retour.json"
expect_grep "archive .* : $sha.tmp.4194999 supprimé, laissé par une écriture interrompue" "$T/err"
[ ! -e "$T/archive/$sha.tmp.4194999" ] || fail "leftover not removed"
expect_exit 0 segurctl audit verify
expect_no_grep 'écriture interrompue' "$T/err"
pass
