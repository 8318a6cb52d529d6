# uctrack link review: the queue is ordered by what a decision puts at
# stake -- a child with an open enforcement task first, then a held one,
# then the higher triage priority of the pair's two children, then the
# most likely match (link_review_ranked, queue_stakes_get).
. "$ROOT/tests/cli/lib.sh"
DB=$T/t.db
q() { sqlite3 "$DB" "$1"; }
"$UCTRACK" gen --children 2000 --seed 11 --profile hard --out "$T/g" >/dev/null
for f in cbp orr eoir ice events; do
	"$UCTRACK" --db "$DB" import --feed $f "$T/g/$f" >/dev/null
done
expect_rc 0 "$UCTRACK" --db "$DB" link
expect_rc 0 "$UCTRACK" --db "$DB" triage --rules "$ROOT/rules/default.rules"
n=$(q "SELECT COUNT(*) FROM link_pair WHERE status='review'")
[ "$n" -ge 2 ] || fail "need review pairs to order, have $n"
# the stake of a pair: the larger of its two children's
STAKE="SELECT p.id, max(coalesce(c.prio, -9223372036854775808)) AS prio FROM link_pair p
 JOIN person_record r ON (r.src_tbl, r.src_rid) IN (VALUES (p.a_tbl, p.a_rid), (p.b_tbl, p.b_rid))
 LEFT JOIN tcase c ON c.person_id = r.person_id WHERE p.status = 'review' GROUP BY p.id"
# without enforcement tasks: the highest triage priority first
q "DELETE FROM task WHERE action IN ('serve_nta', 'file_nta', 'removal')"
top=$(q "SELECT max(prio) FROM ($STAKE)")
expect_rc 0 "$UCTRACK" --db "$DB" link review --limit 1
expect_grep "^pair [0-9]+ .* priority $top\$" "$T/out"
grep -q enforcement "$T/out" && fail "no enforcement task left, yet one shown"
# the least likely, lowest-priority pair's child gets an open removal task:
# that pair comes first
low=$(q "SELECT id FROM ($STAKE) ORDER BY prio, id DESC LIMIT 1")
q "INSERT INTO task(case_id, action, phase, office, grp, due, status, prio, created_at)
 SELECT c.id, 'removal', 2, c.office, c.grp, '2025-01-01', 'open', coalesce(c.prio, 0), '2025-01-01'
 FROM link_pair p JOIN person_record r ON r.src_tbl = p.a_tbl AND r.src_rid = p.a_rid
 JOIN tcase c ON c.person_id = r.person_id WHERE p.id = $low"
[ "$(q "SELECT COUNT(*) FROM task WHERE action='removal'")" -eq 1 ] || fail "no case for pair $low's child"
expect_rc 0 "$UCTRACK" --db "$DB" link review --limit 2
expect_grep "^pair $low .* enforcement open" "$T/out"
[ "$(grep -c '^pair ' "$T/out")" -eq 2 ] || fail "limit 2"
head -1 "$T/out" | grep -q "^pair $low " || fail "the pair with an enforcement task is not first"
# a held enforcement task ranks below an open one, above none
q "UPDATE task SET status = 'held', held_by = 'asylum_pending' WHERE action = 'removal'"
expect_rc 0 "$UCTRACK" --db "$DB" link review --limit 1
expect_grep "^pair $low .* enforcement held" "$T/out"
