#!/usr/bin/env bash
# segurd --check-config: prints the effective configuration with secrets
# masked and exits 0, or names file and line of each error and exits 1;
# long lines (which Debian's inih r55 would cut silently) are refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

printf 'whsec_c2VndXItdGVzdC1zZWNyZXQtMzItYnl0ZXMtbG9uZyE=\n' >"$T/ops.key"
chmod 600 "$T/ops.key"
printf 'smtp-Passw0rd\n' >"$T/smtp.pw"
chmod 640 "$T/smtp.pw"
cat >"$T/segurd.conf" <<CONF
[inbox]
path = inbox
settle = 250ms
[webhook ops]
url = https://hooks.example.org/segur
secret_file = ops.key
[webhook chat]
url = https://chat.example.org/hooks/T0KEN-in-path
format = text
[mail]
smtp_url = smtp://mail.example.org:587
from = segurd@example.org
to = ops@example.org
username = segurd
password_file = $T/smtp.pw
CONF
expect_exit 0 "$SEGURD" --check-config -c "$T/segurd.conf"
expect_grep '^\[webhook ops\]$' "$T/out"
expect_grep "^path = $T/inbox\$" "$T/out"
expect_grep '^settle = 250ms$' "$T/out"
expect_grep '^url = https://chat.example.org/\*\*\*$' "$T/out"
expect_grep "^password_file = $T/smtp.pw.*secret lu : 13 octets, non montré" \
    "$T/out"
expect_grep 'configuration valide' "$T/err"
for secret in c2VndXIt smtp-Passw0rd T0KEN; do
	expect_no_grep "$secret" "$T/out"
	expect_no_grep "$secret" "$T/err"
done
# The printed configuration is itself a valid configuration (bar URLs).
grep -v '^url = ' "$T/out" | sed '/^\[webhook/a url = https://x.example.org/' \
    >"$T/again.conf"
expect_exit 0 "$SEGURD" --check-config -c "$T/again.conf"

# A webhook URL longer than inih's line buffer: refused, file and line.
long="https://hooks.example.org/services/$(printf 'a%.0s' $(seq 1 220))"
line="url = $long"
printf '[webhook chat]\nformat = text\n%s\n' "$line" >"$T/long.conf"
expect_exit 1 "$SEGURD" --check-config -c "$T/long.conf"
expect_grep "^$T/long.conf:3: ligne de ${#line} octets" "$T/err"
expect_grep 'configuration invalide' "$T/err"

# Every error, each with its line; nothing on stdout.
printf '[inbox]\nsettle = 60\n[http]\nlisten = 0.0.0.0:9477\n[bogus]\n' \
    >"$T/bad.conf"
expect_exit 1 "$SEGURD" --check-config -c "$T/bad.conf"
expect_grep "bad.conf:5: \[bogus\] : section inconnue" "$T/err"
[ ! -s "$T/out" ] || fail "stdout not empty on error"
printf '[inbox]\nsettle = 60\n[http]\nlisten = 0.0.0.0:9477\n' >"$T/bad.conf"
expect_exit 1 "$SEGURD" --check-config -c "$T/bad.conf"
expect_grep "bad.conf:2: durée « 60 » sans unité" "$T/err"
expect_grep "bad.conf:4: « 0.0.0.0:9477 » n'est pas une adresse locale" "$T/err"

# Missing file; the daemon itself refuses to start on a bad file.
expect_exit 1 "$SEGURD" --check-config -c "$T/none.conf"
expect_grep "$T/none.conf" "$T/err"
expect_exit 1 "$SEGURD" -c "$T/bad.conf"
expect_grep '^<3>.*bad.conf:4: ' "$T/err"
expect_grep '^<2>.*configuration invalide' "$T/err"

# The example shipped with the unit is valid and shows every key.
example=$SEGUR_SOURCE_DIR/systemd/segurd.conf.example
expect_exit 0 "$SEGURD" --check-config -c "$example"
for key in $("$SEGURD" --dump-config-doc |
    sed -n 's/^\.It Ic \([a-z_]*\) No = .*/\1/p' | sort -u); do
	grep -q "^#$key = " "$example" || fail "$key is not in $example"
done

# Options.
expect_exit 0 "$SEGURD" --version
expect_grep '^segurd [0-9]' "$T/out"
expect_exit 2 "$SEGURD" --no-such-option
expect_grep '^usage: segurd' "$T/err"
expect_exit 2 "$SEGURD" extra-argument
pass
