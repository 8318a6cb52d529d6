# Black-box: field work (issue 14, docs/work.md) through the real server
# and CLI: the queue of children (one row per child, total, filters,
# sorting, CSV), assignment in scope (bulk, reassign, refusals, audit,
# history), task completion (the event of the right type, re-triage, the
# next task, held tasks refused, a task that closes itself), the inbox and
# its digest, counsel requests and a provider's clients.
. "$ROOT/tests/cli/lib.sh"
command -v curl >/dev/null || fail "curl missing (scripts/deps.sh installs it)"
export UCTRACK_TODAY=2025-06-01
DB=$T/w.db
U="$UCTRACK --db $DB"
R=$ROOT/rules/default.rules
O=$ROOT/rules/field_offices.csv
cd "$T"
j() { python3 -c "import json,sys; d=json.load(open('$T/body')); print($1)"; }

expect_rc 0 "$UCTRACK" gen --children 600 --seed 21 --out "$T/d"
for f in cbp orr ice eoir events; do
	expect_rc 0 $U --quiet import --feed $f "$T/d/$f"
done
expect_rc 0 $U --quiet link
expect_rc 0 $U --quiet triage --rules "$R" --offices "$O"

OFF=$(sqlite3 "$DB" "SELECT office FROM tcase WHERE queued = 1 AND office <> 'UNASSIGNED'
	GROUP BY office ORDER BY count(*) DESC LIMIT 1")
OFF2=$(sqlite3 "$DB" "SELECT office FROM tcase WHERE queued = 1 AND office NOT IN
	('UNASSIGNED', '$OFF') GROUP BY office ORDER BY count(*) DESC LIMIT 1")
OTHER=$(sqlite3 "$DB" "SELECT id FROM tcase WHERE queued = 1 AND office = '$OFF2' LIMIT 1")
[ -n "$OFF" ] && [ -n "$OTHER" ] || fail "no offices to test with"
# the queue columns agree with the tasks triage wrote
bad=$(sqlite3 "$DB" "SELECT count(*) FROM tcase c WHERE c.n_open <> (SELECT count(*) FROM task t
	WHERE t.case_id = c.id AND t.status = 'open') OR c.n_held <> (SELECT count(*) FROM task t
	WHERE t.case_id = c.id AND t.status = 'held') OR coalesce(c.next_due, '') <> coalesce((SELECT
	min(due) FROM task t WHERE t.case_id = c.id AND t.status = 'open'), '')")
[ "$bad" = 0 ] || fail "$bad cases whose queue columns disagree with their tasks"

add() { printf '%s\n' "pw-$1-0123" | $U --quiet user add "$@"; }
add admin1 --role admin
add sup1 --role supervisor --office "$OFF"
add sup2 --role supervisor --office "$OFF"
add off1 --role officer --office "$OFF"
add off2 --role officer --office "$OFF2"
add ana1 --role analyst
add aud1 --role auditor
add kind1 --role legal_provider --provider KIND

$UCTRACK serve --new-key "$T/notes.key" >/dev/null
$U serve --listen 127.0.0.1:0 --port-file "$T/port" --key-file "$T/notes.key" \
	>"$T/serve.log" 2>&1 &
SPID=$!
trap 'kill $SPID 2>/dev/null || true' EXIT
for i in $(seq 1 50); do [ -s "$T/port" ] && break; sleep 0.2; done
[ -s "$T/port" ] || { cat "$T/serve.log"; fail "server did not start"; }
B="http://127.0.0.1:$(cat "$T/port")/api/v1"
P='X-Purpose: work test'
login() {
	code=$(curl -s -o "$T/body" -w '%{http_code}' -c "$T/$1.jar" \
		-H 'Content-Type: application/json' \
		-d "{\"username\":\"$1\",\"password\":\"pw-$1-0123\"}" "$B/session")
	[ "$code" = 201 ] || { cat "$T/body"; fail "login $1: $code"; }
	sed 's/.*"csrf":"\([^"]*\)".*/\1/' "$T/body" >"$T/$1.csrf"
}
for u in admin1 sup1 sup2 off1 off2 ana1 aud1 kind1; do login $u; done

# --- the queue of children: one row per child, the office's total
expect 200 sup1 GET "/work/cases?limit=50"
n=$(j "len(d['items'])")
uniq=$(j "len(set(i['case_id'] for i in d['items']))")
[ "$n" = "$uniq" ] || fail "queue repeats children: $n rows, $uniq children"
total=$(j "d['total']")
want=$(sqlite3 "$DB" "SELECT count(*) FROM tcase WHERE queued = 1 AND office = '$OFF'")
[ "$total" = "$want" ] || fail "total $total, the office has $want queued children"
# sorted by priority, highest first; every row is of the office
j "all(a['priority'] >= b['priority'] for a, b in zip(d['items'], d['items'][1:]))" | grep -q True \
	|| fail "queue not sorted by priority"
j "set(i['office'] for i in d['items']) == {'$OFF'}" | grep -q True || fail "other offices in the queue"
# sorted by due date
expect 200 sup1 GET "/work/cases?sort=due&limit=100"
j "all((a['next_due'] or '9') <= (b['next_due'] or '9') for a, b in zip(d['items'], d['items'][1:]))" \
	| grep -q True || fail "sort=due not by due date"
# filters: overdue, holds, group, phase
expect 200 sup1 GET "/work/cases?overdue=1&limit=200"
j "all(i['overdue'] for i in d['items'])" | grep -q True || fail "overdue=1 lists a child not overdue"
want=$(sqlite3 "$DB" "SELECT count(*) FROM tcase WHERE queued = 1 AND office = '$OFF' AND next_due < '$UCTRACK_TODAY'")
[ "$(j "d['total']")" = "$want" ] || fail "overdue total $(j "d['total']"), want $want"
expect 200 sup1 GET "/work/cases?hold=1"
j "all(i['holds'] for i in d['items'])" | grep -q True || fail "hold=1 lists a child without holds"
expect 200 sup1 GET "/work/cases?hold=0"
j "not any(i['holds'] for i in d['items'])" | grep -q True || fail "hold=0 lists a child with holds"
expect 200 sup1 GET "/work/cases?phase=1"
j "all(i['phase'] == 1 for i in d['items'])" | grep -q True || fail "phase=1 lists another phase"
expect 400 sup1 GET "/work/cases?overdue=maybe"
expect_grep 'overdue: 1 or 0' "$T/body"
expect 400 sup1 GET "/work/cases?sort=name"
expect 400 sup1 GET "/work/cases?limit=501"
# an officer sees the office's queue and no other
expect 403 off1 GET "/work/cases?office=$OFF2"
expect 200 admin1 GET "/work/cases?office=$OFF2"
# an auditor sees the queue masked
expect 200 aud1 GET "/work/cases?office=$OFF&limit=5"
j "all(i['name'] in (None, '***') for i in d['items'])" | grep -q True || fail "auditor sees names"
# CSV export of what is shown
expect 200 sup1 GET "/work/cases?format=csv&limit=20"
head -1 "$T/body" | grep -q '^case_id,a_number,name,office,group,phase' || fail "CSV header"
[ "$(wc -l <"$T/body")" = 21 ] || fail "CSV has $(wc -l <"$T/body") lines, want 21"

# --- who a supervisor may give cases to: the office's officers and supervisors
expect 200 sup1 GET /work/assignees
names=$(j "','.join(sorted(i['name'] for i in d['items']))")
[ "$names" = "off1,sup1,sup2" ] || fail "assignees of $OFF: $names"
expect 403 sup1 GET "/work/assignees?office=$OFF2"
expect 403 off1 GET /work/assignees
expect 200 admin1 GET "/work/assignees?office=$OFF2"
[ "$(j "','.join(i['name'] for i in d['items'])")" = off2 ] || fail "assignees of $OFF2"

# --- assignment: bulk, in scope, audited, on the case
expect 200 sup1 GET "/work/cases?assignee=none&limit=3"
IDS=$(j "','.join(str(i['case_id']) for i in d['items'])")
C1=$(echo "$IDS" | cut -d, -f1)
expect 200 sup1 POST /work/assign "{\"case_ids\":[$IDS],\"assignee\":\"off1\",\"note\":\"caseload\"}"
[ "$(j "d['assigned']")" = 3 ] || fail "bulk assignment: $(cat "$T/body")"
expect 200 off1 GET "/work/cases?assignee=me"
[ "$(j "d['total']")" = 3 ] || fail "My cases: $(j "d['total']") cases, want 3"
[ "$(j "','.join(sorted(str(i['case_id']) for i in d['items']))")" = \
  "$(echo "$IDS" | tr , '\n' | sort | paste -sd,)" ] || fail "My cases are not the assigned ones"
# again: unchanged
expect 200 sup1 POST /work/assign "{\"case_ids\":[$C1],\"assignee\":\"off1\"}"
[ "$(j "d['unchanged']")" = 1 ] || fail "re-assignment not unchanged"
# not to a user who could not read the case; not a case of another office;
# not by an officer; nothing written when one case fails
expect 403 sup1 POST /work/assign "{\"case_ids\":[$C1],\"assignee\":\"off2\"}"
expect_grep 'may not read' "$T/body"
expect 403 sup1 POST /work/assign "{\"case_ids\":[$C1,$OTHER],\"assignee\":\"sup2\"}"
expect_grep "case $OTHER is in office" "$T/body"
[ "$(sqlite3 "$DB" "SELECT assignee FROM assignment WHERE case_id = $C1")" = off1 ] \
	|| fail "a refused bulk assignment changed case $C1"
expect 403 off1 POST /work/assign "{\"case_ids\":[$C1],\"assignee\":\"off1\"}"
expect 400 sup1 POST /work/assign "{\"case_ids\":[$C1],\"assignee\":\"ana1\"}"
expect_grep 'officers and supervisors' "$T/body"
expect 400 sup1 POST /work/assign "{\"case_ids\":[$C1],\"assignee\":\"nobody\"}"
expect 400 sup1 POST /work/assign "{\"case_ids\":[\"x\"],\"assignee\":\"off1\"}"
expect 404 sup1 POST /work/assign "{\"case_ids\":[99999999],\"assignee\":\"off1\"}"
# reassign to sup2; the case page shows the assignee and the history
expect 200 sup1 POST /work/assign "{\"case_ids\":[$C1],\"assignee\":\"sup2\",\"note\":\"cover\"}"
expect 200 sup1 GET "/cases/$C1"
[ "$(j "d['assignee']")" = sup2 ] || fail "case page assignee"
j "[h['assignee'] for h in d['work_history'] if h['kind'] == 'assignment']" | grep -q "'sup2', 'off1'" \
	|| fail "assignment history: $(j "d['work_history']")"
# an unassigned case stays in the office's queue
expect 200 sup1 POST /work/assign "{\"case_ids\":[$C1],\"assignee\":null}"
expect 200 sup1 GET "/work/cases?assignee=none&limit=500"
j "$C1 in [i['case_id'] for i in d['items']]" | grep -q True || fail "unassigned case left the queue"
# audited: one entry per child, named in the work.assign.children entries
expect 200 sup1 POST /work/assign "{\"case_ids\":[$IDS],\"assignee\":\"off1\"}"
$U --quiet audit verify >/dev/null || fail "audit chain broken"
sqlite3 "$DB" "SELECT detail FROM audit_log WHERE action = 'work.assign.children'" | grep -q "C$C1" \
	|| fail "assignment not audited per child"

# --- completing a task: the event of the right type, re-triage, the next task
CT=$(sqlite3 "$DB" "SELECT t.case_id FROM task t JOIN assignment a ON a.case_id = t.case_id
	WHERE a.assignee = 'off1' AND t.action = 'contact' AND t.status = 'open' LIMIT 1")
if [ -z "$CT" ]; then
	CT=$(sqlite3 "$DB" "SELECT case_id FROM task WHERE office = '$OFF' AND action = 'contact'
		AND status = 'open' LIMIT 1")
	expect 200 sup1 POST /work/assign "{\"case_ids\":[$CT],\"assignee\":\"off1\"}"
fi
[ -n "$CT" ] || fail "no contact task to complete"
# not possible needs a reason; a done contact needs a method
expect 400 off1 POST "/cases/$CT/tasks/contact" '{"outcome":"not_possible"}'
expect_grep 'reason' "$T/body"
expect 400 off1 POST "/cases/$CT/tasks/contact" '{"outcome":"done"}'
expect_grep 'method' "$T/body"
expect 400 off1 POST "/cases/$CT/tasks/contact" '{"outcome":"finished"}'
expect 404 off1 POST "/cases/$CT/tasks/removal" '{"outcome":"done"}'
# a failed attempt: the task stays, the attempt is counted
expect 201 off1 POST "/cases/$CT/tasks/contact" \
	'{"outcome":"not_possible","reason":"nobody home","details":{"method":"home_visit","outcome":"not_at_address"}}'
[ "$(j "d['event_type']")" = contact_attempt ] || fail "not-possible contact: $(cat "$T/body")"
j "'contact' in [t['action'] for t in d['tasks']]" | grep -q True || fail "failed contact closed the task"
# reached: the contact task goes, the next task appears
expect 201 off1 POST "/cases/$CT/tasks/contact" '{"outcome":"done","details":{"method":"phone"}}'
[ "$(j "d['retriaged']")" = True ] || fail "not re-triaged"
j "'contact' not in [t['action'] for t in d['tasks']]" | grep -q True || fail "done contact still open: $(j "d['tasks']")"
[ "$(sqlite3 "$DB" "SELECT type || ':' || json_extract(body, '$.outcome') FROM field_event
	WHERE recorded_by = 'off1' ORDER BY rid DESC LIMIT 1")" = "contact_attempt:reached" ] \
	|| fail "the contact was not recorded as a contact_attempt"
expect 200 off1 GET "/cases/$CT"
j "[h['how'] for h in d['work_history'] if h['kind'] == 'task' and h['action'] == 'contact']" \
	| grep -q "^\['done', 'not_possible'\]$" || fail "task history (one row per outcome, no 'closed' \
for a task a person completed): $(j "d['work_history']")"
# a held task says what holds it and cannot be completed
HC=$(sqlite3 "$DB" "SELECT case_id || ' ' || action FROM task WHERE status = 'held' AND office = '$OFF' LIMIT 1")
[ -n "$HC" ] || fail "no held task to test with"
set -- $HC
expect 409 sup1 POST "/cases/$1/tasks/$2" '{"outcome":"done"}'
expect_grep 'held by' "$T/body"
# a task with no field event of its own: task_outcome, tasks_done, gone
NC=$(sqlite3 "$DB" "SELECT case_id FROM task WHERE status = 'open' AND action = 'file_nta' LIMIT 1")
[ -n "$NC" ] || fail "no open file_nta task to test with"
expect 201 admin1 POST "/cases/$NC/tasks/file_nta" '{"outcome":"done","reason":"filed with the court on paper"}'
[ "$(j "d['event_type']")" = task_outcome ] || fail "file_nta: $(cat "$T/body")"
j "'file_nta' not in [t['action'] for t in d['tasks']]" | grep -q True || fail "file_nta still open"
# the fact says why: tasks_done has serve_nta
$U --quiet triage --explain "C$NC" >"$T/ex" 2>&1 || true
grep -q 'tasks_done.*file_nta' "$T/ex" || fail "explain lacks tasks_done: $(grep tasks_done "$T/ex")"
# a task whose facts no longer call for it closes itself, with the reason:
# a referral recorded as a plain event closes refer_hsi / legal_referral
LC=$(sqlite3 "$DB" "SELECT case_id FROM task WHERE status = 'open' AND office = '$OFF'
	AND action = 'legal_referral' LIMIT 1")
[ -n "$LC" ] || fail "no legal_referral task"
expect 201 sup1 POST "/cases/$LC/events" '{"type":"referral","to":"legal_provider"}'
r=$(sqlite3 "$DB" "SELECT how || ': ' || reason FROM task_log WHERE case_id = $LC AND action = 'legal_referral'")
echo "$r" | grep -q '^closed: no longer called for' || fail "self-closed task not logged: '$r'"

# --- the inbox: own tasks due soon and overdue; holds awaiting approval
expect 200 off1 GET /inbox
j "d['counts']" >/dev/null
exp=$(sqlite3 "$DB" "SELECT count(*) FROM task t JOIN assignment a ON a.case_id = t.case_id
	WHERE a.assignee = 'off1' AND t.status = 'open' AND t.due < '$UCTRACK_TODAY'")
[ "$(j "d['counts']['overdue']")" = "$exp" ] || fail "inbox overdue $(j "d['counts']['overdue']"), want $exp"
expect 200 off1 GET "/inbox?count_only=1"
[ "$(j "len(d['items'])")" = 0 ] || fail "count_only lists items"
[ "$(j "d['total']")" -ge "$exp" ] || fail "inbox total"
HOLDC=$(sqlite3 "$DB" "SELECT id || ' ' || substr(hold_names, 1, instr(hold_names || ',', ',') - 1)
	FROM tcase WHERE office = '$OFF' AND hold_names LIKE '%claim_pending%' LIMIT 1")
[ -n "$HOLDC" ] || fail "no case with a claim_pending hold"
set -- $HOLDC
expect 201 sup1 POST "/cases/$1/hold-lifts" '{"hold":"claim_pending","reason":"claim withdrawn per court record"}'
expect 200 sup2 GET /inbox
[ "$(j "d['counts']['hold_lift']")" -ge 1 ] || fail "sup2's inbox lacks the hold lift"
expect 200 sup1 GET /inbox
[ "$(j "d['counts']['hold_lift']")" = 0 ] || fail "the requester's own lift in its inbox"
# the daily digest, one file per user with reminders
expect_rc 0 $U work digest --out "$T/digest"
[ -s "$T/digest/off1.txt" ] || fail "no digest for off1"
grep -q "overdue\|due" "$T/digest/off1.txt" || fail "digest lacks the tasks"
# through a sendmail stand-in
printf '#!/bin/sh\ncat >>"%s/mail.out"\n' "$T" >"$T/sendmail"; chmod +x "$T/sendmail"
printf '[notify]\nsendmail = %s/sendmail\nmail_domain = example.org\n' "$T" >"$T/n.ini"
expect_rc 0 $U --config "$T/n.ini" work digest --sendmail
grep -q '^To: off1@example.org' "$T/mail.out" || fail "digest not mailed"

# --- legal providers: ask to be recorded as counsel, confirmed, My clients
AN=$(sqlite3 "$DB" "SELECT a_number FROM tcase WHERE active = 1 AND a_number IS NOT NULL AND office = '$OFF' LIMIT 1")
ACASE=$(sqlite3 "$DB" "SELECT id FROM tcase WHERE a_number = '$AN'")
expect 403 kind1 GET "/cases/$ACASE"
expect 400 kind1 POST /counsel-requests "{\"a_number\":\"12\",\"reason\":\"retained\"}"
expect 404 kind1 POST /counsel-requests "{\"a_number\":\"999999999\",\"reason\":\"retained\"}"
expect 201 kind1 POST /counsel-requests "{\"a_number\":\"$AN\",\"reason\":\"retained by the family on 2025-05-30\"}"
RQ=$(j "d['id']")
[ "$(j "d['a_number']")" = "$AN" ] || fail "the request does not name the A-number"
j "'case_id' not in d" | grep -q True || fail "the provider learns the case id before it is counsel"
expect 409 kind1 POST /counsel-requests "{\"a_number\":\"$AN\",\"reason\":\"again\"}"
expect 403 off1 POST "/counsel-requests/$RQ" '{"decision":"confirm"}'
expect 200 ana1 GET "/counsel-requests?status=pending"
j "$RQ in [i['id'] for i in d['items']]" | grep -q True || fail "analyst does not see the request"
expect 200 ana1 GET /inbox
[ "$(j "d['counts']['counsel_request']")" -ge 1 ] || fail "analyst's inbox lacks the request"
expect 200 ana1 POST "/counsel-requests/$RQ" '{"decision":"confirm","note":"G-28 on file"}'
[ "$(j "d['status']")" = confirmed ] || fail "confirm: $(cat "$T/body")"
expect 200 kind1 GET "/cases/$ACASE"
expect 200 kind1 GET /clients
j "$ACASE in [i['case_id'] for i in d['items']]" | grep -q True || fail "My clients lacks the new client"
expect 409 ana1 POST "/counsel-requests/$RQ" '{"decision":"reject"}'
expect 403 sup1 GET /clients
# withdraw: only the provider's own
AN2=$(sqlite3 "$DB" "SELECT a_number FROM tcase WHERE active = 1 AND a_number IS NOT NULL AND a_number <> '$AN' LIMIT 1")
expect 201 kind1 POST /counsel-requests "{\"a_number\":\"$AN2\",\"reason\":\"intake\"}"
RQ2=$(j "d['id']")
expect 403 ana1 POST "/counsel-requests/$RQ2" '{"decision":"withdraw"}'
expect 200 kind1 POST "/counsel-requests/$RQ2" '{"decision":"withdraw"}'
[ "$(j "d['status']")" = withdrawn ] || fail "withdraw"

# --- the CLI: the same queue and assignment
expect_rc 0 $U work queue --office "$OFF" --limit 5
expect_grep "$OFF" "$T/out"
expect_rc 0 $U work assign --by sup1 --to off1 "$C1"
expect_rc 1 $U work assign --by sup1 --to off2 "$C1"
expect_grep 'may not read' "$T/err"
expect_rc 0 $U work inbox off1

# --- a bulk run (a new day) logs the tasks it closes, as a case's own
# re-triage does: a referral imported through the events feed closes the
# case's legal_referral task on the next day's run
BC=$(sqlite3 "$DB" "SELECT t.case_id FROM task t JOIN tcase c ON c.id = t.case_id
	WHERE t.status = 'open' AND t.action = 'legal_referral' AND c.a_number IS NOT NULL
	AND NOT EXISTS (SELECT 1 FROM task_log l WHERE l.case_id = t.case_id) LIMIT 1")
[ -n "$BC" ] || fail "no legal_referral task for the bulk run"
BA=$(sqlite3 "$DB" "SELECT a_number FROM tcase WHERE id = $BC")
mkdir -p "$T/ev2"
printf '{"event_id":"EV-BULK-1","type":"referral","a_number":"%s","occurred_at":"2025-06-01","recorded_by":"%s","to":"legal_provider"}\n' \
	"$BA" "$OFF" >"$T/ev2/events.jsonl"
expect_rc 0 $U --quiet import --feed events "$T/ev2"
expect_rc 0 env UCTRACK_TODAY=2025-06-02 $U --quiet triage
r=$(sqlite3 "$DB" "SELECT how || ': ' || reason FROM task_log WHERE case_id = $BC AND action = 'legal_referral'")
echo "$r" | grep -q '^closed: no longer called for' || fail "bulk run did not log the closure: '$r'"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM task WHERE case_id = $BC AND action = 'legal_referral'")" = 0 ] ||
	fail "bulk run kept the legal_referral task"
echo ok
