#!/usr/bin/env bash
# audit verify checks the archive too: every object against its recorded
# hash, missing and altered ones listed with what refers to them; --head
# proves the ledger extends a head published earlier, and catches one that
# is not in the chain or a chain rewritten after it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/build-lib.sh"
. "$(dirname "$0")/audit-lib.sh"

seed_audit
expect_exit 0 segurctl audit verify
expect_grep "^journal d'événements intact" "$T/out"
expect_grep '^archive intacte : 7 objet(s), 0 manquant(s), 0 altéré(s)' "$T/out"
expect_exit 0 segurctl audit head --json
old=$(jq -r .hash "$T/out")
oldn=$(jq -r .events "$T/out")

# The ledger moves on: the old head is still extended.
expect_exit 0 segurctl software add --ans 2023000043 \
    --siret 38042372300028 --profiles PA
expect_exit 0 segurctl audit verify --head "$old"
expect_grep "tête publiée $old : prolongée (événement $oldn sur $((oldn + 1))" "$T/out"
expect_exit 0 segurctl audit verify --json --head "$old"
jq -e '.ok and .publishedHead.extended and .publishedHead.events == '"$oldn" \
    "$T/out" >/dev/null || fail "--head --json: $(cat "$T/out")"
# A head that was never ours.
expect_exit 1 segurctl audit verify --head "$(printf '%064d' 7)"
expect_grep 'NON prolongée' "$T/out"
expect_exit 1 segurctl audit verify --head nothex
# --seal needs a key.
expect_exit 2 segurctl audit verify --head "$old" --seal "$(printf '%064d' 0)"

# A document missing, a file altered: both listed, by what refers to them.
doc=$(sqlite3 "$SEGUR_DB" "SELECT sha256 FROM attempt_document WHERE nom_fichier = 'MS1-DUI-Va1-HT-00002.png'")
rm -f "$T/archive/$doc"
sent=$(sqlite3 "$SEGUR_DB" "SELECT sha256 FROM file WHERE name = 'JSON-2023000042-20231009-001.json'")
chmod u+w "$T/archive/$sent"
printf ' ' >>"$T/archive/$sent"
expect_exit 1 segurctl audit verify
expect_grep "archive/$doc: manquant (pièce MS1-DUI-Va1-HT-00002.png" "$T/out"
expect_grep "archive/$sent: altéré (fichier JSON-2023000042-20231009-001.json)" "$T/out"
expect_grep '^archive ENDOMMAGÉE : 7 objet(s), 1 manquant(s), 1 altéré(s)' "$T/out"
expect_exit 1 segurctl audit verify --json
jq -e '.ok == false and .archive.missing == 1 and .archive.altered == 1
    and (.archive.problems | length) == 2' "$T/out" >/dev/null ||
    fail "archive --json: $(cat "$T/out")"
# Elsewhere with --archive: the same ledger, every object missing.
expect_exit 1 segurctl audit verify --archive "$T/nowhere"
expect_grep '7 manquant(s)' "$T/out"
[ ! -e "$T/nowhere" ] || fail "verify created the archive folder"

# Someone rewrites the chain from an event on (recomputing the hashes):
# the published head is no longer in it.
python3 - "$SEGUR_DB" <<'PY'
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("DROP TRIGGER event_no_update")
def field(v):
    if v is None:
        return b"-\n"
    b = str(v).encode()
    return str(len(b)).encode() + b":" + b + b"\n"
def tfield(v):
    if v is None:
        return b"N\n"
    if isinstance(v, int):
        return b"I%d\n" % v
    b = v.encode()
    return b"T%d:" % len(b) + b + b"\n"
rows = db.execute("SELECT id, at, actor, action, entity, entity_key, request_id, before, after, v, image FROM event ORDER BY id").fetchall()
prev = "0" * 64
for r in rows:
    r = list(r)
    if r[0] == 5:
        r[2] = "mallory"
    if r[9] == 2:
        f = r[:9] + [prev, 2, r[10]]
        h = hashlib.sha256(b"segur-event-v2\n" + b"".join(tfield(x) for x in f)).hexdigest()
    else:
        h = hashlib.sha256(b"".join(field(x) for x in r[:9] + [prev])).hexdigest()
    db.execute("UPDATE event SET actor = ?, prev_hash = ?, hash = ? WHERE id = ?", (r[2], prev, h, r[0]))
    prev = h
db.commit()
PY
expect_exit 1 segurctl audit verify --archive "$T/nowhere" --head "$old"
expect_grep "^journal d'événements intact" "$T/out"
expect_grep "tête publiée $old : NON prolongée" "$T/out"
pass
