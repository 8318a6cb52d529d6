# The plan guard and bounded requests.
#
# 1. A generated data set (gen/import/link/triage); the server runs with
#    $UCTRACK_SQL_LOG and every route a person uses is requested as each
#    role would; `uctrack triage --explain` (a per-child command) too.
#    tests/plans/plan_guard.py then explains every logged statement on a
#    copy of the database whose statistics are scaled to production size
#    and fails, naming the route and statement, on a full scan of a feed or
#    derived table. A deliberately bad statement proves the guard can fail.
# 2. Record links: every record of the view equals the old derivation.
# 3. Bounded requests: a 1 ms deadline turns a long request into a 503
#    that says what to narrow and stores nothing; a Content-Length over the
#    limit is refused with 413; SIGTERM stops the server within 5 s.
. "$ROOT/tests/cli/lib.sh"
command -v curl >/dev/null || fail "curl missing (scripts/deps.sh installs it)"
command -v python3 >/dev/null || fail "python3 missing (scripts/deps.sh installs it)"
DB=$T/p.db
U="$UCTRACK --db $DB --quiet"
export UCTRACK_TODAY=2025-06-30
$UCTRACK --quiet gen --children 1500 --seed 11 --out "$T/g" >/dev/null
for f in eoir cbp orr ice events; do $U import --feed "$f" "$T/g/$f" >/dev/null; done
$U link --full >/dev/null
$U triage >/dev/null
add() { printf '%s\n' "pw-$1-0123" | $U user add "$@"; }
OFFICE=$(sqlite3 "$DB" "SELECT office FROM tcase WHERE active = 1 AND a_number IS NOT NULL
	GROUP BY office ORDER BY count(*) DESC LIMIT 1")
add off1 --role officer --office "$OFFICE"
add sup1 --role supervisor --office "$OFFICE"
add ana1 --role analyst
add aud1 --role auditor
add adm1 --role admin
add kind1 --role legal_provider --provider KIND

# --- 2. record_link holds what the old view derived, row for row -------
sqlite3 "$DB" >"$T/links.diff" <<'SQL'
WITH old AS (
SELECT 'orr_contact' t, c.rid r, COALESCE(
  (SELECT pr.person_id FROM orr_placement p JOIN person_record pr
     ON pr.src_tbl = 'orr_placement' AND pr.src_rid = p.rid
   WHERE p.skey = c.placement_id ORDER BY p.rid LIMIT 1),
  (SELECT person_id FROM person_anumber WHERE a_number = c.a_number)) p FROM orr_contact c
UNION ALL SELECT 'ice_removal', x.rid, COALESCE(
  (SELECT person_id FROM person_anumber WHERE a_number = x.a_number),
  (SELECT person_id FROM person_idncase WHERE idncase = x.idncase)) FROM ice_removal x
UNION ALL SELECT 'indicator', x.rid, (SELECT person_id FROM person_anumber WHERE a_number = x.a_number) FROM indicator x
UNION ALL SELECT 'field_event', x.rid, (SELECT person_id FROM person_anumber WHERE a_number = x.a_number) FROM field_event x
UNION ALL SELECT 'eoir_proceeding', x.rid, (SELECT person_id FROM person_idncase WHERE idncase = x.idncase) FROM eoir_proceeding x
UNION ALL SELECT 'eoir_hearing', x.rid, (SELECT person_id FROM person_idncase WHERE idncase = x.idncase) FROM eoir_hearing x
UNION ALL SELECT 'eoir_juvenile', x.rid, (SELECT person_id FROM person_idncase WHERE idncase = x.idncase) FROM eoir_juvenile x)
SELECT 'missing', * FROM (SELECT t, r, p FROM old WHERE p IS NOT NULL
  EXCEPT SELECT src_tbl, src_rid, person_id FROM record_link)
UNION ALL SELECT 'extra', * FROM (SELECT src_tbl, src_rid, person_id FROM record_link
  EXCEPT SELECT t, r, p FROM old WHERE p IS NOT NULL);
SQL
[ ! -s "$T/links.diff" ] || { head "$T/links.diff"; fail "record_link differs from the derivation"; }
n=$(sqlite3 "$DB" "SELECT count(*) FROM record_link")
[ "$n" -gt 1000 ] || fail "record_link has only $n rows"
sqlite3 "$DB" "SELECT count(*) FROM sqlite_stat1" | grep -qv '^0$' || fail "no statistics after import/link/triage"

# --- 1. every statement a request runs, logged -----------------------------
export UCTRACK_SQL_LOG=$T/sql.log
$UCTRACK --db "$DB" serve --listen 127.0.0.1:0 --port-file "$T/port" >"$T/serve.log" 2>&1 &
SPID=$!
trap 'kill $SPID 2>/dev/null || true' EXIT
i=0; while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$T/port" ] || { cat "$T/serve.log"; fail "server did not start"; }
B="http://127.0.0.1:$(cat "$T/port")/api/v1"
login() { # USER JAR -> csrf in $T/csrf-USER
	curl -s -c "$T/$1.jar" -H 'Content-Type: application/json' \
		-d "{\"username\":\"$1\",\"password\":\"pw-$1-0123\"}" "$B/session" >"$T/$1.login"
	sed 's/.*"csrf":"\([^"]*\)".*/\1/' "$T/$1.login" >"$T/$1.csrf"
}
get() { # USER PATH [expected status]
	code=$(curl -s -o "$T/resp" -w '%{http_code}' -b "$T/$1.jar" -H 'X-Purpose: plan guard' "$B$2")
	[ "$code" = "${3:-200}" ] || { cat "$T/resp"; fail "GET $2 as $1: $code"; }
}
post() { # USER PATH JSON [expected status]
	code=$(curl -s -o "$T/resp" -w '%{http_code}' -b "$T/$1.jar" -H 'X-Purpose: plan guard' \
		-H "X-CSRF-Token: $(cat "$T/$1.csrf")" -H 'Content-Type: application/json' -d "$3" "$B$2")
	[ "$code" = "${4:-201}" ] || { cat "$T/resp"; fail "POST $2 as $1: $code"; }
}
for u in off1 sup1 ana1 aud1 adm1 kind1; do login $u; done
CASE=$(sqlite3 "$DB" "SELECT id FROM tcase WHERE office = '$OFFICE' AND active = 1
	AND a_number IS NOT NULL ORDER BY prio DESC LIMIT 1")
ANUM=$(sqlite3 "$DB" "SELECT a_number FROM tcase WHERE id = $CASE")
NAME=$(sqlite3 "$DB" "SELECT family_name FROM cbp_encounter WHERE a_number = '$ANUM' LIMIT 1" | sed 's/ /%20/g')
DOB=$(sqlite3 "$DB" "SELECT birth_date FROM cbp_encounter WHERE a_number = '$ANUM' LIMIT 1")
get off1 "/session"
get off1 "/queue?limit=50"
get off1 "/queue?limit=20&group=flight_risk&phase=1"
get off1 "/cases?q=$NAME"
get off1 "/cases?q=$ANUM"
get off1 "/cases?q=$DOB"
get off1 "/cases/$CASE"
post off1 "/cases/$CASE/events" '{"type":"contact_attempt","method":"phone","outcome":"no_answer"}'
post off1 "/cases/$CASE/events" '{"type":"welfare_check","outcome":"safe"}'
get off1 "/cases/$CASE"
get sup1 "/reports/fta"
get sup1 "/reports/fta"
cp "$T/resp" "$T/fta-all"
get ana1 "/reports/fta?format=csv"
# pages of the FTA list, read from the snapshot's rows, add up to the list
get sup1 "/reports/fta?limit=2"
python3 - "$T/fta-all" "$T/resp" <<'PY' || fail "the first FTA page is not the list's first two children"
import json, sys
whole = json.load(open(sys.argv[1]))["children"]
page = json.load(open(sys.argv[2]))
assert page["children"] == whole[:2], (page, whole[:2])
assert (page["next_cursor"] is None) == (len(whole) <= 2)
PY
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["children"]))' "$T/fta-all")
[ "$n" -gt 2 ] || fail "the FTA list of office $OFFICE has only $n children; the page test needs 3"
cur=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["next_cursor"])' "$T/resp")
get sup1 "/reports/fta?limit=500&cursor=$cur"
python3 - "$T/fta-all" "$T/resp" <<'PY' || fail "the FTA page after the cursor is not the rest of the list"
import json, sys
whole = json.load(open(sys.argv[1]))["children"]
page = json.load(open(sys.argv[2]))
assert page["children"] == whole[2:502], (len(page["children"]), len(whole))
PY
get sup1 "/reports/fta?limit=2&format=csv" 400
get ana1 "/link/review?limit=20"
get ana1 "/triage/runs"
get aud1 "/audit?limit=50"
get aud1 "/reports/oversight"
get aud1 "/reports/oversight?by=office"
get aud1 "/reports/oversight?format=svg&chart=released_by&by=office&lang=es"
get off1 "/rules"
get adm1 "/users"
get adm1 "/tokens"
# field work (docs/work.md): the queue of children with each filter and
# sort, assignment, My cases, a task completed, the inbox, counsel requests
get off1 "/work/cases?limit=50"
get off1 "/work/cases?limit=50&offset=50&sort=due"
get off1 "/work/cases?overdue=1&hold=0&group=flight_risk&phase=1"
get off1 "/work/cases?due_soon=1&hold=1"
get off1 "/work/cases?assignee=none&format=csv"
get aud1 "/work/cases?limit=50"
get adm1 "/work/cases?limit=50&sort=due"
post sup1 "/work/assign" "{\"case_ids\":[$CASE],\"assignee\":\"off1\"}" 200
get off1 "/work/cases?assignee=me"
get off1 "/inbox"
get sup1 "/inbox?count_only=1"
TASK=$(sqlite3 "$DB" "SELECT action FROM task WHERE case_id = $CASE AND status = 'open'
	AND action IN ('contact', 'welfare_check') LIMIT 1")
case "$TASK" in
contact) post off1 "/cases/$CASE/tasks/contact" '{"outcome":"done","details":{"method":"phone"}}' ;;
welfare_check) post off1 "/cases/$CASE/tasks/welfare_check" '{"outcome":"done","details":{"outcome":"safe"}}' ;;
*) post off1 "/cases/$CASE/tasks/contact" '{"outcome":"done","details":{"method":"phone"}}' 404 ;;
esac
post kind1 "/counsel-requests" "{\"a_number\":\"$ANUM\",\"reason\":\"retained\"}"
get kind1 "/counsel-requests"
get ana1 "/counsel-requests"
get ana1 "/inbox"
RQ=$(sqlite3 "$DB" "SELECT max(id) FROM counsel_request")
post ana1 "/counsel-requests/$RQ" '{"decision":"confirm"}' 200
get kind1 "/clients"
get sup1 "/cases/$CASE"
post sup1 "/cases/$CASE/overrides" '{"kind":"group","value":"public_safety","reason":"plan guard override test"}'
unset UCTRACK_SQL_LOG
# a per-child command
UCTRACK_SQL_LOG=$T/sql.log $U triage --explain "C$CASE" >/dev/null
grep -q "^/cases/{id}	" "$T/sql.log" || fail "the case page's statements were not logged"
grep -q "^triage --explain	" "$T/sql.log" || fail "triage --explain's statements were not logged"
python3 "$ROOT/tests/plans/plan_guard.py" "$DB" "$T/sql.log" >"$T/guard" 2>&1 ||
	{ cat "$T/guard"; fail "plan guard: a request scans a whole table"; }
cat "$T/guard"
# The guard fails, naming the statement, on a scan.
printf '/cases/{id}\tSELECT * FROM field_event WHERE body LIKE ?\n' >"$T/bad.log"
expect_rc 1 python3 "$ROOT/tests/plans/plan_guard.py" "$DB" "$T/bad.log"
expect_grep "FULL SCAN of field_event.*/cases/\{id\}" "$T/out"

# --- 3. bounded requests ---------------------------------------------------
# Content-Length over the limit: 413 before the body is read.
code=$(curl -s -o "$T/resp" -w '%{http_code}' -H 'Content-Type: application/json' \
	-H 'Content-Length: 99999999' -H 'Expect:' --data-binary 'x' "$B/session" || true)
[ "$code" = 413 ] || { cat "$T/resp"; fail "declared oversized body: $code, not 413"; }
expect_grep "Content-Length" "$T/resp"
kill $SPID; wait $SPID 2>/dev/null || true
# A server whose batch work may take 1 ms: computing the oversight report
# anew is stopped with a 503 that says what to narrow; nothing is stored.
sqlite3 "$DB" "DELETE FROM report_snapshot"
printf '[server]\nbatch_timeout_ms = 1\n' >"$T/tight.ini"
rm -f "$T/port"
$UCTRACK --db "$DB" --config "$T/tight.ini" serve --listen 127.0.0.1:0 --port-file "$T/port" >"$T/serve2.log" 2>&1 &
SPID=$!
i=0; while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
B="http://127.0.0.1:$(cat "$T/port")/api/v1"
login aud1
get aud1 "/reports/oversight?by=state" 503
expect_grep "time limit.*Narrow it" "$T/resp"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM report_snapshot")" = 0 ] || fail "a stopped report was stored"
get aud1 "/session" 200
# SIGTERM: the server is gone within 5 s.
kill -TERM $SPID
i=0; while kill -0 $SPID 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
kill -0 $SPID 2>/dev/null && fail "server still running 5 s after SIGTERM"
trap - EXIT
echo "plans ok"
