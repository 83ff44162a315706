#!/usr/bin/env bash
# audit verify speaks French: the chain, the archive, a published head
# prolonged or not, its seal conforming or not (the head's time as
# JJ/MM/AAAA HH:MM), the leftovers of a crash, the usage errors of --seal;
# audit bundle --json prints the facts of its text line; audit export
# --json and --format json are the same export.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"
. "$(dirname "$0")/audit-lib.sh"

head -c 32 /dev/urandom | base64 >"$T/key"
chmod 0600 "$T/key"
export SEGUR_AUDIT_KEY_FILE=$T/key
seed_audit
expect_exit 0 segurctl audit head --json
head=$(jq -r .hash "$T/out")
events=$(jq -r .events "$T/out")
seal=$(jq -r .seal "$T/out")
[ "${#seal}" = 64 ] || fail "no seal with the key: $(cat "$T/out")"

expect_exit 0 segurctl audit verify
expect_grep "^journal d'événements intact : $events événements, tête $head\$" "$T/out"
expect_grep '^archive intacte : 7 objet(s), 0 manquant(s), 0 altéré(s)$' "$T/out"
expect_no_grep 'event log\|archive whole\|objects' "$T/out"

# A head published, then the ledger moves on: prolonged, seal conforming.
expect_exit 0 segurctl software add --ans 2023000043 \
    --siret 38042372300028 --profiles PA
expect_exit 0 segurctl audit verify --head "$head" --seal "$seal"
expect_grep "^tête publiée $head : prolongée (événement $events sur $((events + 1)), [0-3][0-9]/[01][0-9]/20[0-9][0-9] [0-2][0-9]:[0-5][0-9]), sceau conforme\$" "$T/out"
# Another seal: said, exit 1.
expect_exit 1 segurctl audit verify --head "$head" --seal "$(printf '%064d' 0)"
expect_grep "^tête publiée $head : prolongée (.*), SCEAU NON CONFORME (autre clé, ou tête récrite)\$" "$T/out"
# A head never ours; one that is not a head.
expect_exit 1 segurctl audit verify --head "$(printf '%064d' 7)"
expect_grep "^tête publiée 0*7 : NON prolongée : aucun événement de ce registre n'a l'empreinte" "$T/out"
expect_exit 1 segurctl audit verify --head nothex
expect_grep "« nothex » n'est pas une tête de chaîne" "$T/out"
# --seal: its usage errors in French, exit 2.
expect_exit 2 segurctl audit verify --seal "$seal"
expect_grep '^segurctl audit verify: --seal va avec --head$' "$T/err"
expect_exit 2 env -u SEGUR_AUDIT_KEY_FILE "$SEGURCTL" audit verify \
    --head "$head" --seal "$seal"
expect_grep '^segurctl audit verify: --seal demande une clé : --key FICHIER' "$T/err"

# A crash's leftover in the archive: a French warning, not damage.
sha=$(ls "$T/archive" | head -1)
printf 'half' >"$T/archive/$sha.tmp.4194999"
touch -d '2 hours ago' "$T/archive/$sha.tmp.4194999"
expect_exit 0 segurctl audit verify
expect_grep "^segurctl: attention : archive $T/archive : $sha.tmp.4194999 laissé par une écriture interrompue (un arrêt brutal, pas une altération)" "$T/err"
rm -f "$T/archive/$sha.tmp.4194999"

# A damaged archive, in French, each object then the total.
chmod u+w "$T/archive/$sha"
printf ' ' >>"$T/archive/$sha"
expect_exit 1 segurctl audit verify
expect_grep "^$T/archive/$sha: altéré (" "$T/out"
expect_grep '^archive ENDOMMAGÉE : 7 objet(s), 0 manquant(s), 1 altéré(s)$' "$T/out"
# A bundle of a damaged archive is refused in French, nothing on stdout.
expect_exit 1 segurctl audit bundle --json --all --out "$T/no.zip"
expect_grep 'altéré' "$T/err"
[ ! -s "$T/out" ] || fail "a refused bundle --json printed: $(cat "$T/out")"
truncate -s -1 "$T/archive/$sha"
expect_exit 0 segurctl audit verify

# audit bundle --json: path, requests, head, events, sealed.
expect_exit 0 segurctl audit head --json
head=$(jq -r .hash "$T/out")
events=$(jq -r .events "$T/out")
expect_exit 0 segurctl audit bundle --json --all --out "$T/all.zip"
jq -e --arg p "$T/all.zip" --arg h "$head" --argjson n "$events" \
    '.path == $p and .requests == 5 and .head == $h and .events == $n and
    .sealed == true' "$T/out" >/dev/null ||
    fail "audit bundle --json: $(cat "$T/out")"
[ "$(jq -s length "$T/out")" = 1 ] || fail "bundle --json: not one document"
[ -s "$T/all.zip" ] || fail "bundle --json wrote no zip"
expect_exit 0 segurctl audit bundle --all --out "$T/all2.zip"
expect_grep "^$T/all2.zip: 5 demande(s), tête de chaîne $head ($events événements)\$" "$T/out"
expect_exit 2 segurctl audit bundle --json --all
expect_grep '^segurctl audit bundle: --out est obligatoire$' "$T/err"
expect_exit 2 segurctl audit bundle --json --out "$T/x.zip"
expect_grep '^segurctl audit bundle: donnez des références, des filtres' "$T/err"

# audit verify-bundle: French spacing, the head's time in French.
expect_exit 0 segurctl audit verify-bundle "$T/all.zip"
expect_grep "^$T/all.zip: intact, .* conformes au manifeste scellé ; tête de chaîne $head ($events événements, [0-3][0-9]/[01][0-9]/20[0-9][0-9] [0-2][0-9]:[0-5][0-9])\$" "$T/out"

# audit export: --json and --format json, one export.
expect_exit 0 segurctl audit export --json
cp "$T/out" "$T/a.json"
expect_exit 0 segurctl audit export --format json
cmp -s "$T/a.json" "$T/out" || fail "--json and --format json differ"
jq -e 'type == "object" or type == "array"' "$T/a.json" >/dev/null ||
    fail "audit export --json is not JSON"
expect_exit 2 segurctl audit export --format yaml
expect_grep '^segurctl audit export: --format vaut csv, json ou xlsx$' "$T/err"
expect_exit 2 segurctl audit export --xlsx
expect_grep '^segurctl audit export: --xlsx demande --out FICHIER$' "$T/err"
pass
