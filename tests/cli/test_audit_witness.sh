# Black-box tests of the audit log's Merkle tree and signed checkpoints
# (docs/audit.md): keygen, checkpoint, prove, and `audit verify
# --checkpoint` catching truncation, deletion of the whole log, a rewrite
# hidden by recomputing the hash chain and the stored tree, and a forged
# checkpoint; an untouched log and a log that grew since pass. The tree
# root and the proofs are checked against an independent recomputation in
# Python (hashlib), the signature with python3-cryptography when present.
. "$ROOT/tests/cli/lib.sh"
command -v sqlite3 >/dev/null || fail "sqlite3 missing (scripts/deps.sh installs it)"
command -v python3 >/dev/null || fail "python3 missing"
DB=$T/a.db
U="$UCTRACK --db $DB"
cd "$T"

add() { printf '%s\n' "pw-$1-0123456" | $U --quiet user add "$1" --role analyst; }

# --- keygen: private key 0600, verifier key printed, never overwritten
expect_rc 0 $UCTRACK audit keygen --out "$T/log.key" --name uctrack/test --vkey-out "$T/log.vkey"
expect_grep '^uctrack/test\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$' "$T/out"
cmp -s "$T/out" "$T/log.vkey" || fail "keygen: --vkey-out differs from stdout"
[ "$(stat -c %a "$T/log.key")" = 600 ] || fail "signing key mode $(stat -c %a "$T/log.key")"
expect_grep '^PRIVATE\+KEY\+uctrack/test\+' "$T/log.key"
expect_rc 3 $UCTRACK audit keygen --out "$T/log.key"
expect_grep 'never overwritten' "$T/err"
expect_rc 2 $UCTRACK audit keygen
$UCTRACK --quiet audit keygen --out "$T/other.key" --name uctrack/other >"$T/other.vkey"
cp "$T/log.key" "$T/loose.key"; chmod 644 "$T/loose.key"
expect_rc 1 $U audit checkpoint --key "$T/loose.key"
expect_grep 'chmod 600' "$T/err"

mkdir "$T/ckpts"
cat >"$T/u.conf" <<CONF
[audit]
signing_key = $T/log.key
checkpoint_dir = $T/ckpts
checkpoint_interval = 1
CONF
C="$UCTRACK --db $DB --config $T/u.conf"

# --- a log written before the tree existed gets its tree built lazily
# (schema 7: without 008's tree, 009's and 010's tables and columns, with 007's index that 011 drops)
BACK_TO_7="DELETE FROM person_key WHERE kind = 'pair'; DROP INDEX tcase_birth; ALTER TABLE tcase DROP COLUMN birth_date; CREATE INDEX tcase_rank ON tcase(prio, active); DROP TABLE assignment; DROP TABLE assignment_log; DROP TABLE task_log; DROP TABLE counsel_request; DROP INDEX tcase_work; DROP INDEX tcase_work_due; DROP INDEX tcase_work_all; DROP INDEX tcase_work_due_all; ALTER TABLE tcase DROP COLUMN next_action; ALTER TABLE tcase DROP COLUMN next_due; ALTER TABLE tcase DROP COLUMN n_open; ALTER TABLE tcase DROP COLUMN n_held; ALTER TABLE tcase DROP COLUMN queued;
 DROP TABLE audit_tree; DROP TABLE login_known; DROP TABLE hold_lift;
 ALTER TABLE api_token DROP COLUMN expires_at; ALTER TABLE api_token DROP COLUMN read_only;
 PRAGMA user_version=7;"
# (checkpoints of sizes 2 and 5 on the way, for narrowing down below)
add u1; add u2
$C --quiet audit checkpoint >/dev/null
add u3; add u4; add u5
$C --quiet audit checkpoint >/dev/null
sqlite3 "$DB" "$BACK_TO_7"
add u6
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM audit_tree WHERE level=0')" = 6 ] || fail "lazy tree build on append"
sqlite3 "$DB" "$BACK_TO_7"
expect_rc 0 $U audit prove --index 0
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM audit_tree WHERE level=0')" = 6 ] || fail "lazy tree build on prove"
add u7

# Independent recomputation: RFC 6962 root of the entries, proofs checked
# with the RFC 9162 verification algorithms.
cat >"$T/check.py" <<'PY'
import base64, hashlib, json, sqlite3, struct, sys
def enc(s):
    if s is None:
        return b'\xff\xff\xff\xff'
    b = s.encode()
    return struct.pack('>I', len(b)) + b
def leaves(db):
    con = sqlite3.connect(db)
    q = "SELECT seq, at, actor, role, action, target, purpose, outcome, detail, addr FROM audit_log ORDER BY seq"
    return [hashlib.sha256(b'\0' + struct.pack('>Q', r[0]) + b''.join(enc(x) for x in r[1:])).digest()
            for r in con.execute(q)]
def node(l, r):
    return hashlib.sha256(b'\1' + l + r).digest()
def mth(l):
    if not l:
        return hashlib.sha256(b'').digest()
    if len(l) == 1:
        return l[0]
    k = 1
    while k * 2 < len(l):
        k *= 2
    return node(mth(l[:k]), mth(l[k:]))
def incl(i, n, leaf, proof, root):
    fn, sn, r = i, n - 1, leaf
    for p in proof:
        assert sn != 0
        if fn & 1 or fn == sn:
            r = node(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1; sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1; sn >>= 1
    return sn == 0 and r == root
def cons(m, n, proof, r1, r2):
    if m & (m - 1) == 0:
        proof = [r1] + proof
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn >>= 1; sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        assert sn != 0
        if fn & 1 or fn == sn:
            fr = node(c, fr); sr = node(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1; sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1; sn >>= 1
    return sn == 0 and fr == r1 and sr == r2
cmd, db = sys.argv[1], sys.argv[2]
L = leaves(db)
b = base64.b64decode
if cmd == 'ckpt':
    note = open(sys.argv[3], 'rb').read()
    i = note.rindex(b'\n\n')
    text, sigs = note[:i + 1], note[i + 2:]
    origin, size, root = text.decode().split('\n')[:3]
    assert b(root) == mth(L[:int(size)]), "root differs from the recomputation"
    name, kid, kd = open(sys.argv[4]).read().strip().split('+', 2)
    pub = b(kd)[1:]
    assert hashlib.sha256(name.encode() + b'\n\x01' + pub).digest()[:4].hex() == kid
    line = sigs.decode().rstrip('\n').split('\n')[0]
    assert line.startswith('\u2014 ' + name + ' ')
    sig = b(line.split(' ')[2])
    assert sig[:4].hex() == kid
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        print('signature not checked (no python3-cryptography)')
    else:
        Ed25519PublicKey.from_public_bytes(pub).verify(sig[4:], text)
elif cmd == 'incl':
    j = json.loads(open(sys.argv[3]).read())
    i, n = j['index'], j['tree_size']
    assert b(j['leaf_hash']) == L[i] and b(j['root']) == mth(L[:n])
    assert incl(i, n, L[i], [b(p) for p in j['proof']], mth(L[:n])), "inclusion proof"
elif cmd == 'cons':
    j = json.loads(open(sys.argv[3]).read())
    m, n = j['old_size'], j['new_size']
    assert b(j['old_root']) == mth(L[:m]) and b(j['new_root']) == mth(L[:n])
    assert cons(m, n, [b(p) for p in j['proof']], mth(L[:m]), mth(L[:n])), "consistency proof"
PY

# --- proofs for every index and size pair of the 7 entries
for n in 1 2 3 4 5 6 7; do
	i=0
	while [ $i -lt $n ]; do
		$U audit prove --index $i --size $n >"$T/p.json" || fail "prove --index $i --size $n"
		python3 "$T/check.py" incl "$DB" "$T/p.json" || fail "inclusion proof $i in $n"
		i=$((i + 1))
	done
	m=1
	while [ $m -lt $n ]; do
		$U audit prove --from $m --to $n >"$T/p.json" || fail "prove --from $m --to $n"
		python3 "$T/check.py" cons "$DB" "$T/p.json" || fail "consistency proof $m to $n"
		m=$((m + 1))
	done
done
expect_rc 1 $U audit prove --index 7 --size 7
expect_grep 'not in a tree' "$T/err"
expect_rc 1 $U audit prove --from 3 --to 9
expect_rc 2 $U audit prove

# --- a checkpoint: signed, stored in checkpoint_dir, matches the entries
expect_rc 0 $C audit checkpoint --out "$T/c7"
expect_grep '^uctrack/test$' "$T/c7"
[ "$(sed -n 2p "$T/c7")" = 7 ] || fail "checkpoint size $(sed -n 2p "$T/c7")"
cmp -s "$T/c7" "$T/ckpts/00000000000000000007.ckpt" || fail "checkpoint not stored in checkpoint_dir"
python3 "$T/check.py" ckpt "$DB" "$T/c7" "$T/log.vkey" || fail "checkpoint differs from the recomputation"
expect_rc 2 $U audit checkpoint
expect_grep 'signing_key' "$T/err"

# --- untouched: passes, with the checkpoint named; without one, says so
expect_rc 0 $U audit verify --checkpoint "$T/c7" --vkey "$T/log.vkey"
expect_grep 'matches checkpoint .*size 7' "$T/out"
expect_rc 0 $C audit verify
expect_grep '00000000000000000007.ckpt' "$T/out"
expect_rc 0 $U audit verify
expect_grep 'cannot be excluded' "$T/out"
expect_rc 2 $U audit verify --checkpoint "$T/c7"
expect_grep 'vkey' "$T/err"
expect_rc 3 $U audit verify --checkpoint "$T/nonexistent" --vkey "$T/log.vkey"

# --- a log that grew after the checkpoint still matches it
cp "$DB" "$T/base.db"
add u8; add u9
expect_rc 0 $U audit verify --checkpoint "$T/c7" --vkey "$T/log.vkey"
expect_grep '2 newer entries' "$T/out"
$U audit prove --from 7 >"$T/p.json"
python3 "$T/check.py" cons "$DB" "$T/p.json" || fail "consistency proof 7 to 9"

V="audit verify --checkpoint $T/c7 --vkey $T/log.vkey"
# --- (1) the newest entries deleted
cp "$T/base.db" "$T/t1.db"
sqlite3 "$T/t1.db" "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq >= 6"
expect_rc 1 $UCTRACK --db "$T/t1.db" $V
expect_grep 'has 5 entries.*vouches for 7: entries 6\.\.7 were deleted' "$T/err"
# ... and the stored tree alone already shows it, even without a checkpoint
expect_rc 1 $UCTRACK --db "$T/t1.db" audit verify
expect_grep 'entries 6\.\.7 were deleted' "$T/err"
# ... and nothing more is logged on top of a truncated log
expect_rc 1 sh -c "printf 'pw-x-0123456\n' | $UCTRACK --db $T/t1.db user add x --role analyst"
expect_grep 'were deleted' "$T/err"

# --- (2) the whole log deleted: rows, then the table, then the database
cp "$T/base.db" "$T/t2.db"
sqlite3 "$T/t2.db" "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log"
expect_rc 1 $UCTRACK --db "$T/t2.db" $V
expect_grep 'audit log is empty.*whole log was deleted' "$T/err"
cp "$T/base.db" "$T/t2b.db"
sqlite3 "$T/t2b.db" "DROP TABLE audit_log; DROP TABLE audit_tree"
expect_rc 1 $UCTRACK --db "$T/t2b.db" $V
expect_grep 'whole log was deleted' "$T/err"
expect_rc 1 $UCTRACK --db "$T/gone.db" $V
expect_grep 'does not exist.*whole log was deleted' "$T/err"
[ ! -e "$T/gone.db" ] || fail "verify created a database"

# --- (3) an entry rewritten: first plainly (named by the stored leaf),
# then with the hash chain recomputed and the tree rebuilt from the
# rewritten entries, which only the witness's root exposes
cp "$T/base.db" "$T/t3.db"
sqlite3 "$T/t3.db" "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET detail='role=admin' WHERE seq=3"
expect_rc 1 $UCTRACK --db "$T/t3.db" $V
expect_grep 'entry 3' "$T/err"
cat >"$T/rechain.py" <<'PY'
import hashlib, sqlite3, struct, sys
con = sqlite3.connect(sys.argv[1])
def enc(s):
    if s is None:
        return b'\xff\xff\xff\xff'
    b = s.encode()
    return struct.pack('>I', len(b)) + b
prev = '0' * 64
rows = con.execute("SELECT seq, at, actor, role, action, target, purpose, outcome, detail, addr FROM audit_log ORDER BY seq").fetchall()
for r in rows:
    h = hashlib.blake2b(bytes.fromhex(prev) + struct.pack('>Q', r[0]) + b''.join(enc(x) for x in r[1:]), digest_size=32).hexdigest()
    con.execute("UPDATE audit_log SET prev_hash=?, hash=? WHERE seq=?", (prev, h, r[0]))
    prev = h
con.commit()
PY
cp "$T/base.db" "$T/t4.db"
sqlite3 "$T/t4.db" "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_tree_no_delete;
	UPDATE audit_log SET detail='role=admin' WHERE seq=3; DELETE FROM audit_tree"
python3 "$T/rechain.py" "$T/t4.db"
$UCTRACK --db "$T/t4.db" audit prove --index 0 >/dev/null || fail "tree rebuild"
expect_rc 0 $UCTRACK --db "$T/t4.db" audit verify
expect_rc 1 $UCTRACK --db "$T/t4.db" $V
expect_grep 'entries 1\.\.7 no longer hash to the root of .*c7.*recomputed to hide it' "$T/err"
# ... which the older checkpoints in checkpoint_dir narrow down to 3..5
expect_rc 1 $UCTRACK --db "$T/t4.db" --config "$T/u.conf" $V
expect_grep 'entries 1\.\.2 are intact, the first rewritten entry is one of 3\.\.5' "$T/err"

# --- (4) a forged or damaged checkpoint
sed 's/^7$/9/' "$T/c7" >"$T/bad1"
expect_rc 1 $U audit verify --checkpoint "$T/bad1" --vkey "$T/log.vkey"
expect_grep 'bad1: checkpoint: the signature by key uctrack/test\+[0-9a-f]+ does not verify' "$T/err"
python3 - "$T/c7" "$T/bad2" <<'PY'
import sys
t = open(sys.argv[1], 'rb').read()
i = t.rindex(b' ') + 10
open(sys.argv[2], 'wb').write(t[:i] + (b'A' if t[i:i+1] != b'A' else b'B') + t[i+1:])
PY
expect_rc 1 $U audit verify --checkpoint "$T/bad2" --vkey "$T/log.vkey"
expect_grep 'does not verify' "$T/err"
expect_rc 1 $U audit verify --checkpoint "$T/c7" --vkey "$T/other.vkey"
expect_grep 'not signed by key uctrack/other' "$T/err"
head -3 "$T/c7" >"$T/bad3"
expect_rc 1 $U audit verify --checkpoint "$T/bad3" --vkey "$T/log.vkey"
expect_grep 'no signature block' "$T/err"

# --- the server signs a checkpoint at start and then as the log grows
rm -f "$T"/ckpts/*
printf '%s\n' "pw-srv-0123456" | $U --quiet user add srv --role analyst
$C serve --listen 127.0.0.1:0 --port-file "$T/port" >"$T/serve.log" 2>&1 &
SPID=$!
trap 'kill $SPID 2>/dev/null || true' EXIT
for i in 1 2 3 4 5 6 7 8 9 10; do [ -s "$T/port" ] && break; sleep 0.3; done
[ -s "$T/port" ] || { cat "$T/serve.log"; fail "server did not start"; }
n0=$(sqlite3 "$DB" 'SELECT max(seq) FROM audit_log')
[ -e "$T/ckpts/$(printf '%020d' "$n0").ckpt" ] || { ls "$T/ckpts"; fail "no checkpoint at start (size $n0)"; }
curl -s -o /dev/null -H 'Content-Type: application/json' \
	-d '{"username":"srv","password":"pw-srv-0123456"}' "http://127.0.0.1:$(cat "$T/port")/api/v1/session"
n1=$(sqlite3 "$DB" 'SELECT max(seq) FROM audit_log')
[ "$n1" -gt "$n0" ] || fail "login was not audited"
for i in 1 2 3 4 5 6 7 8 9 10; do [ -e "$T/ckpts/$(printf '%020d' "$n1").ckpt" ] && break; sleep 0.5; done
[ -e "$T/ckpts/$(printf '%020d' "$n1").ckpt" ] || { ls "$T/ckpts"; cat "$T/serve.log"; fail "server wrote no checkpoint of size $n1"; }
kill -TERM $SPID; wait $SPID || fail "server exit status $?"
expect_rc 0 $C audit verify
python3 "$T/check.py" ckpt "$DB" "$T/ckpts/$(printf '%020d' "$n1").ckpt" "$T/log.vkey" || fail "server checkpoint"
echo "audit witness: ok"
