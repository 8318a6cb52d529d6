# The API's manual linkage decisions and password resets (docs/api.md):
# POST /link/merge, POST /link/split (as `uctrack link merge|split`) and
# POST /users/{name}/password (as `uctrack user passwd`) and PATCH
# /users/{name} (as `uctrack user set`: role and office): who may, bad
# input, the effect on the store, sessions ended by a new password, and
# the audit entries; the audit log newest first, by day range, and the
# chain's status (GET /audit/verify); auditors see hold and rule names
# while personal fields stay masked.
. "$ROOT/tests/cli/lib.sh"
command -v curl >/dev/null || fail "curl missing (scripts/deps.sh installs it)"
DB=$T/p.db
U="$UCTRACK --db $DB --quiet"
q() { sqlite3 "$DB" "$1"; }
"$UCTRACK" gen --children 60 --seed 5 --out "$T/g" >/dev/null
for f in cbp orr eoir ice events; do
	$U import --feed "$f" "$T/g/$f" >/dev/null 2>&1 || fail "import $f"
done
$U link --full >/dev/null
$U triage --rules "$ROOT/rules/default.rules" --offices "$ROOT/rules/field_offices.csv" >/dev/null
add() { printf '%s\n' "pw-$1-0123" | $U user add "$@" >/dev/null; }
add admin1 --role admin
add ana1 --role analyst
add off1 --role officer --office HOU
add aud1 --role auditor
$U serve --listen 127.0.0.1:0 --port-file "$T/port" >"$T/serve.log" 2>&1 &
SPID=$!
trap 'kill $SPID 2>/dev/null || true' EXIT
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do [ -s "$T/port" ] && break; sleep 0.25; done
[ -s "$T/port" ] || { cat "$T/serve.log"; fail "server did not start"; }
B="http://127.0.0.1:$(cat "$T/port")/api/v1"
P='X-Purpose: data quality'
login() { # login NAME [PASSWORD]
	code=$(curl -s -o "$T/body" -w '%{http_code}' -c "$T/$1.jar" -H 'Content-Type: application/json' \
		-d "{\"username\":\"$1\",\"password\":\"${2:-pw-$1-0123}\"}" "$B/session")
	echo "$code"
	[ "$code" = 201 ] && sed 's/.*"csrf":"\([^"]*\)".*/\1/' "$T/body" >"$T/$1.csrf"
	return 0
}
for u in admin1 ana1 off1 aud1; do [ "$(login $u)" = 201 ] || fail "login $u"; done

# --- merge: two persons become one
KEEP=$(q "SELECT person_id FROM person_record GROUP BY person_id HAVING count(*) >= 2 ORDER BY person_id LIMIT 1")
OTHER=$(q "SELECT person_id FROM person_record WHERE person_id > $KEEP GROUP BY person_id ORDER BY person_id LIMIT 1")
[ -n "$KEEP" ] && [ -n "$OTHER" ] || fail "seed: no two persons"
NO=$(q "SELECT count(*) FROM person_record WHERE person_id = $OTHER")
expect 403 off1 POST /link/merge "{\"keep\":$KEEP,\"other\":$OTHER,\"reason\":\"same child\"}"
expect 400 ana1 POST /link/merge "{\"keep\":$KEEP,\"other\":$KEEP,\"reason\":\"same child\"}"
expect 400 ana1 POST /link/merge "{\"keep\":$KEEP,\"other\":$OTHER,\"reason\":\"x\"}"
expect 400 ana1 POST /link/merge "{\"keep\":$KEEP,\"other\":\"$OTHER\",\"reason\":\"same child\"}"
expect 400 ana1 POST /link/merge "{\"keep\":$KEEP,\"other\":$OTHER}"
expect 200 ana1 POST /link/merge "{\"keep\":$KEEP,\"other\":$OTHER,\"reason\":\"same child per school records\"}"
expect_grep "\"merged\": ?$OTHER" "$T/body"
[ "$(q "SELECT count(*) FROM person_record WHERE person_id = $OTHER")" -eq 0 ] || fail "merge left records with $OTHER"
[ "$(q "SELECT count(*) FROM person_record WHERE person_id = $KEEP")" -ge $((NO + 2)) ] || fail "merge: records not moved to $KEEP"

# --- split: one record leaves for a new person
REC=$(q "SELECT src_tbl || ':' || src_rid FROM person_record WHERE person_id = $KEEP ORDER BY src_tbl, src_rid LIMIT 1")
expect 400 ana1 POST /link/split "{\"person\":$KEEP,\"records\":[],\"reason\":\"a twin\"}"
expect 400 ana1 POST /link/split "{\"person\":$KEEP,\"records\":[\"nocolon\"],\"reason\":\"a twin\"}"
expect 403 off1 POST /link/split "{\"person\":$KEEP,\"records\":[\"$REC\"],\"reason\":\"a twin\"}"
expect 200 ana1 POST /link/split "{\"person\":$KEEP,\"records\":[\"$REC\"],\"reason\":\"a twin, per the shelter\"}"
NEWP=$(sed 's/.*"new_person": *\([0-9]*\).*/\1/' "$T/body")
[ -n "$NEWP" ] && [ "$NEWP" != "$KEEP" ] || { cat "$T/body"; fail "split: no new person"; }
[ "$(q "SELECT person_id FROM person_record WHERE src_tbl || ':' || src_rid = '$REC'")" = "$NEWP" ] ||
	fail "split: $REC not with person $NEWP"
# a record of another person cannot be split off this one
code=$(req ana1 POST /link/split "{\"person\":$KEEP,\"records\":[\"$REC\"],\"reason\":\"again please\"}")
case "$code" in 400 | 404 | 409) ;; *) cat "$T/body"; fail "split of a foreign record: $code" ;; esac

# --- password reset by an admin: old sessions end, the new password works
expect 403 ana1 POST /users/off1/password '{"password":"a-new-secret-42"}'
expect 404 admin1 POST /users/nobody9/password '{"password":"a-new-secret-42"}'
expect 400 admin1 POST /users/off1/password '{"password":"short"}'
expect 400 admin1 POST /users/off1/password '{}'
expect 200 admin1 POST /users/off1/password '{"password":"a-new-secret-42"}'
expect 401 off1 GET /session
[ "$(login off1)" = 401 ] || fail "the old password still works"
[ "$(login off1 a-new-secret-42)" = 201 ] || fail "the new password does not work"

# --- an admin changes a user's role and office (PATCH /users/{name})
expect 403 ana1 PATCH /users/off1 '{"role":"supervisor","office":"DAL"}'
expect 403 off1 PATCH /users/off1 '{"role":"admin"}'
expect 400 admin1 PATCH /users/off1 '{"role":"wizard"}'
expect_grep '"detail": ?"body.role: one of admin' "$T/body"
expect 400 admin1 PATCH /users/off1 '{"office":"NOPE"}'
expect_grep "\"detail\": ?\"body.office: unknown field office 'NOPE'" "$T/body"
expect 400 admin1 PATCH /users/ana1 '{"office":"HOU"}'
expect_grep '"detail": ?"body.office: applies to supervisor and officer only' "$T/body"
expect 400 admin1 PATCH /users/ana1 '{"role":"officer"}'
expect_grep '"detail": ?"body.office: role officer needs a field office' "$T/body"
expect 400 admin1 PATCH /users/off1 '{"office":7}'
expect 400 admin1 PATCH /users/off1 '{}'
expect 400 admin1 PATCH /users/off1 '{"role":"analyst","colour":"red"}'
expect 404 admin1 PATCH /users/nobody9 '{"role":"analyst"}'
expect 409 admin1 PATCH /users/admin1 '{"role":"auditor"}'
expect_grep 'last active admin' "$T/body"
[ "$(q "SELECT role || '/' || office FROM app_user WHERE name = 'off1'")" = officer/HOU ] ||
	fail "a refused change changed off1"
expect 200 admin1 PATCH /users/off1 '{"role":"supervisor","office":"DAL"}'
expect_grep '"role": ?"supervisor"' "$T/body"
expect_grep '"office": ?"DAL"' "$T/body"
# the user's own session carries the new role at once
expect 200 off1 GET /session
expect_grep '"role": ?"supervisor"' "$T/body"
expect_grep '"office": ?"DAL"' "$T/body"
expect 200 admin1 GET /users
python3 - "$T/body" <<'PY' || fail "users list after the change"
import json, sys
u = {x["name"]: x for x in json.load(open(sys.argv[1]))["items"]}
assert (u["off1"]["role"], u["off1"]["office"], u["off1"]["status"]) == ("supervisor", "DAL", "active"), u["off1"]
assert u["ana1"]["office"] is None and u["ana1"]["provider"] is None, u["ana1"]
PY
# a role without offices drops the office; the office alone keeps the role
expect 200 admin1 PATCH /users/off1 '{"role":"analyst"}'
expect_grep '"office": ?null' "$T/body"
expect 200 admin1 PATCH /users/off1 '{"role":"officer","office":"HOU"}'
expect 200 admin1 PATCH /users/off1 '{"office":"DAL"}'
[ "$(q "SELECT role || '/' || office FROM app_user WHERE name = 'off1'")" = officer/DAL ] ||
	fail "office change: $(q "SELECT role || '/' || office FROM app_user WHERE name = 'off1'")"
[ "$(q "SELECT count(*) FROM audit_log WHERE action = 'user.update' AND outcome = 'ok'
	AND target = 'user:off1' AND detail LIKE '%role=officer->supervisor office=HOU->DAL%'")" -eq 1 ] ||
	fail "no audit entry for the role change"
[ "$(q "SELECT count(*) FROM audit_log WHERE action = 'user.update' AND outcome <> 'ok'")" -ge 3 ] ||
	fail "refused changes not audited"

# --- the same on the command line: uctrack user set
expect_rc 0 $UCTRACK --db "$DB" user set off1 --role supervisor --office HOU
expect_grep 'off1 is now supervisor of office HOU' "$T/out"
[ "$(q "SELECT role || '/' || office FROM app_user WHERE name = 'off1'")" = supervisor/HOU ] ||
	fail "user set did not change off1"
expect_rc 2 $U user set off1 --role wizard
expect_grep 'role must be one of' "$T/err"
expect_rc 2 $U user set off1
expect_rc 1 $U user set off1 --office NOPE
expect_grep "unknown field office 'NOPE'" "$T/err"
expect_rc 1 $U user set ana1 --office HOU
expect_grep 'office: applies to supervisor and officer only' "$T/err"
expect_rc 1 $U user set admin1 --role analyst
expect_grep 'last active admin' "$T/err"
expect_rc 1 $U user set nobody9 --role analyst
expect_grep "no user named 'nobody9'" "$T/err"
[ "$(q "SELECT count(*) FROM audit_log WHERE action = 'user.update' AND actor <> 'admin1'
	AND detail = 'role=officer->supervisor office=DAL->HOU'")" -eq 1 ] ||
	fail "user set not audited"
expect_rc 0 $U user list
expect_grep '^off1	supervisor	HOU		active$' "$T/out"

# --- the audit log: newest first, a day range, pages, the chain's status
expect 200 admin1 GET '/audit?order=desc&limit=2'
python3 - "$T/body" <<'PY' || fail "audit newest first"
import json, sys
d = json.load(open(sys.argv[1]))
s = [e["seq"] for e in d["items"]]
assert len(s) == 2 and s[0] > s[1] and d["next_before"] == s[1], d
PY
NB=$(sed 's/.*"next_before": *\([0-9]*\).*/\1/' "$T/body")
expect 200 admin1 GET "/audit?order=desc&limit=1&before=$NB"
expect_grep "\"seq\": ?$((NB - 1))[,}]" "$T/body"
TODAY=$(date -u +%Y-%m-%d)
expect 200 admin1 GET "/audit?from=$TODAY&to=$TODAY&action=link.merge"
expect_grep '"action": ?"link.merge"' "$T/body"
expect 200 admin1 GET '/audit?from=2000-01-01&to=2000-01-02'
expect_grep '"items": ?\[\]' "$T/body"
expect 400 admin1 GET '/audit?order=sideways'
expect 400 admin1 GET '/audit?from=2026-1-1'
expect 403 ana1 GET /audit/verify
expect 200 admin1 GET /audit/verify
expect_grep '"intact": ?true' "$T/body"
expect_grep '"first_bad": ?0' "$T/body"

# --- auditors: names, A-numbers, birth dates masked; hold and rule names not
HC=$(q "SELECT id FROM tcase WHERE active = 1 AND hold_names <> '' ORDER BY id LIMIT 1")
[ -n "$HC" ] || fail "seed: no case with a hold"
expect 200 aud1 GET "/cases/$HC"
python3 - "$T/body" "$(q "SELECT hold_names FROM tcase WHERE id = $HC")" <<'PY' || fail "auditor masking of case $HC"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["case"]["a_number"] in (None, "***"), d["case"]
assert all(i.get("family_name") in (None, "***") for i in d["identity"]), d["identity"]
assert [h["name"] for h in d["holds"]] == sys.argv[2].split(","), d["holds"]
fired = d["explanation"]["fired"]
assert fired and all(f["name"] != "***" for f in fired), fired
PY

# --- audited, and the chain holds
kill $SPID; wait $SPID 2>/dev/null || true
for a in link.merge link.split user.passwd user.update; do
	[ "$(q "SELECT count(*) FROM audit_log WHERE action = '$a' AND outcome = 'ok'")" -ge 1 ] || fail "no audit entry $a"
done
expect_rc 0 $U audit verify
