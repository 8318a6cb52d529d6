# Black-box: the findings of an outside probe (issue 13), each as a user or
# an attacker would meet it through the real server and CLI:
# event ids that would move another child's event, a stale cookie at the
# login, throttling that slows guessing without locking anyone out, a
# spoofed X-Forwarded-For, read-only and expiring tokens, the password
# policy, request framing and media types, the two-person rule on
# statutory holds, files only the owner can read, and the CLI's reads in
# the audit log.
. "$ROOT/tests/cli/lib.sh"
command -v curl >/dev/null || fail "curl missing (scripts/deps.sh installs it)"
export UCTRACK_TODAY=2025-06-01
DB=$T/s.db
U="$UCTRACK --db $DB"
R=$ROOT/rules/default.rules
O=$ROOT/rules/field_offices.csv
cd "$T"

# --- a small generated data set, linked and triaged (umask as loose as a
# careless operator's: the files must still be the owner's alone)
umask 022
expect_rc 0 "$UCTRACK" gen --children 400 --seed 11 --out "$T/d"
for f in cbp orr ice eoir events; do
	expect_rc 0 $U --quiet import --feed $f "$T/d/$f"
done
expect_rc 0 $U --quiet link
expect_rc 0 $U --quiet triage --rules "$R" --offices "$O"
for f in "$DB" "$DB-wal" "$DB-shm"; do
	[ -e "$f" ] || continue
	m=$(stat -c %a "$f")
	[ "$m" = 600 ] || fail "$f has mode $m, want 600 (children's data)"
done

# the office with most active cases, one of its cases, and another office
OFF=$(sqlite3 "$DB" "SELECT office FROM tcase WHERE active = 1 AND office <> 'UNASSIGNED'
	GROUP BY office ORDER BY count(*) DESC LIMIT 1")
C1=$(sqlite3 "$DB" "SELECT id FROM tcase WHERE active = 1 AND office = '$OFF' ORDER BY id LIMIT 1")
C2=$(sqlite3 "$DB" "SELECT id FROM tcase WHERE active = 1 AND office = '$OFF' ORDER BY id LIMIT 1 OFFSET 1")
OTHER=$(sqlite3 "$DB" "SELECT id FROM tcase WHERE active = 1 AND office <> '$OFF'
	AND office <> 'UNASSIGNED' ORDER BY id LIMIT 1")
[ -n "$C1" ] && [ -n "$C2" ] && [ -n "$OTHER" ] || fail "no cases to test with"
OFF2=$(sqlite3 "$DB" "SELECT office FROM tcase WHERE id = $OTHER")

add() { printf '%s\n' "pw-$1-0123" | $U --quiet user add "$@"; }
add admin1 --role admin
add sup1 --role supervisor --office "$OFF"
add sup2 --role supervisor --office "$OFF"
add off1 --role officer --office "$OFF"
add off2 --role officer --office "$OFF2"
add ana1 --role analyst
# an office the field-office table does not have is refused, listing them
printf 'pw-x-0123456\n' | expect_rc 1 $U user add ghost --role officer --office NOPE
expect_grep "unknown field office 'NOPE'" "$T/err"
expect_grep "$OFF" "$T/err"
# the password policy on the CLI: blanks only, a common password
printf '          \n' | expect_rc 1 $U user add blank --role analyst
expect_grep 'only spaces' "$T/err"
printf 'Password123\n' | expect_rc 1 $U user add common --role analyst
expect_grep 'most common' "$T/err"

# --- trusted_proxy without a secret: the server refuses to start
printf '[server]\ntrusted_proxy = 127.0.0.1\n' >"$T/bad.ini"
expect_rc 2 timeout 20 $U --config "$T/bad.ini" serve --listen 127.0.0.1:0
expect_grep 'trusted_proxy_secret' "$T/err"

SECRET=proxy-secret-0123456789
cat >"$T/s.ini" <<EOF
[server]
trusted_proxy = 127.0.0.1
trusted_proxy_secret = $SECRET
login_window = 600
login_max_user = 3
login_max_addr = 40
login_max_delay = 30
EOF
$UCTRACK serve --new-key "$T/notes.key" >/dev/null
$U --config "$T/s.ini" serve --listen 127.0.0.1:0 --port-file "$T/port" \
	--key-file "$T/notes.key" >"$T/serve.log" 2>&1 &
SPID=$!
trap 'kill $SPID 2>/dev/null || true' EXIT
for i in $(seq 1 50); do [ -s "$T/port" ] && break; sleep 0.2; done
[ -s "$T/port" ] || { cat "$T/serve.log"; fail "server did not start"; }
B="http://127.0.0.1:$(cat "$T/port")/api/v1"
P='X-Purpose: security test'

# login NAME [ADDR]: as the proxy would forward a client at ADDR
login() {
	a=${2:-10.0.0.1}
	code=$(curl -s -o "$T/body" -w '%{http_code}' -b "$T/$1.jar" -c "$T/$1.jar" \
		-H "X-Forwarded-For: $a" -H "X-Uctrack-Proxy-Secret: $SECRET" \
		-H 'Content-Type: application/json' \
		-d "{\"username\":\"$1\",\"password\":\"pw-$1-0123\"}" "$B/session")
	[ "$code" = 201 ] || { cat "$T/body"; fail "login $1 from $a: $code"; }
	sed 's/.*"csrf":"\([^"]*\)".*/\1/' "$T/body" >"$T/$1.csrf"
}
for u in admin1 sup1 sup2 off1 off2 ana1; do login $u; done

# --- 1. an event id names one event of one child
expect 201 off1 POST "/cases/$C1/events" \
	'{"type":"contact_attempt","event_id":"SEC-EV-1","method":"phone","outcome":"no_answer"}'
# the same id again on the same case: a new version (a retry), allowed
expect 200 off1 POST "/cases/$C1/events" \
	'{"type":"contact_attempt","event_id":"SEC-EV-1","method":"phone","outcome":"no_answer"}'
# on another case of the office: refused, and case 1 keeps its event
expect 409 off1 POST "/cases/$C2/events" \
	'{"type":"contact_attempt","event_id":"SEC-EV-1","method":"home_visit","outcome":"moved"}'
expect_grep 'event of another child' "$T/body"
# from another office, on its own case: refused too
expect 409 off2 POST "/cases/$OTHER/events" \
	'{"type":"contact_attempt","event_id":"SEC-EV-1","method":"home_visit","outcome":"moved"}'
n=$(sqlite3 "$DB" "SELECT count(DISTINCT a_number) FROM field_event WHERE skey = 'SEC-EV-1'")
[ "$n" = 1 ] || fail "event SEC-EV-1 now belongs to $n children"
# a new version may not change the type
expect 409 off1 POST "/cases/$C1/events" \
	'{"type":"welfare_check","event_id":"SEC-EV-1","outcome":"safe"}'
expect_grep "keep its type" "$T/body"
# ids are short and plain
long=$(printf 'X%.0s' $(seq 1 70))
expect 400 off1 POST "/cases/$C1/events" \
	"{\"type\":\"contact_attempt\",\"event_id\":\"$long\",\"method\":\"phone\",\"result\":\"no_answer\"}"
expect 400 off1 POST "/cases/$C1/events" \
	'{"type":"contact_attempt","event_id":"a b\u0000c","method":"phone","outcome":"no_answer"}'
# without an id the server makes one
expect 201 off1 POST "/cases/$C1/events" '{"type":"contact_attempt","method":"phone","outcome":"no_answer"}'
expect_grep '"event_id":"API-[0-9a-f]{16}"' "$T/body"

# --- 3. a stale or expired cookie does not stop a login
expect 204 off1 DELETE /session
code=$(curl -s -o "$T/body" -w '%{http_code}' -b "$T/off1.jar" -c "$T/off1.jar" \
	-H "X-Forwarded-For: 10.0.0.1" -H "X-Uctrack-Proxy-Secret: $SECRET" \
	-H 'Content-Type: application/json' \
	-d '{"username":"off1","password":"pw-off1-0123"}' "$B/session")
[ "$code" = 201 ] || { cat "$T/body"; fail "login with a stale cookie: $code"; }
code=$(curl -s -o "$T/body" -w '%{http_code}' -H 'Cookie: uc_session=garbage' \
	-H 'Content-Type: application/json' \
	-d '{"username":"off1","password":"pw-off1-0123"}' "$B/session")
[ "$code" = 201 ] || { cat "$T/body"; fail "login with a garbage cookie: $code"; }
# logging in again ends the session the browser held
cp "$T/sup1.jar" "$T/sup1.old"
login sup1
code=$(curl -s -o /dev/null -w '%{http_code}' -b "$T/sup1.old" "$B/session")
[ "$code" = 401 ] || fail "the session before a new login still works ($code)"
login off1

# --- 4. throttling: guessing is slowed, nobody is locked out
guess() { # guess USER ADDR -> status; headers in $T/hdr
	curl -s -D "$T/hdr" -o "$T/body" -w '%{http_code}' -H "X-Forwarded-For: $2" \
		-H "X-Uctrack-Proxy-Secret: $SECRET" -H 'Content-Type: application/json' \
		-d "{\"username\":\"$1\",\"password\":\"not-the-password\"}" "$B/session"
}
throttled=0
for i in $(seq 1 12); do
	c=$(guess off1 10.66.6.6)
	[ "$c" = 401 ] || [ "$c" = 429 ] || fail "guess $i: $c"
	if [ "$c" = 429 ]; then
		throttled=$((throttled + 1))
		ra=$(tr -d '\r' <"$T/hdr" | sed -n 's/^Retry-After: //Ip')
		[ -n "$ra" ] && [ "$ra" -ge 1 ] && [ "$ra" -le 30 ] || fail "Retry-After '$ra' (max delay 30)"
	fi
done
[ "$throttled" -ge 5 ] || fail "12 fast guesses, only $throttled slowed"
# off1 where off1 works: not locked out
login off1 10.0.0.1
# off1 from an address not used before: slowed for at most login_max_delay
c=$(curl -s -o "$T/body" -w '%{http_code}' -H "X-Forwarded-For: 10.0.0.77" \
	-H "X-Uctrack-Proxy-Secret: $SECRET" -H 'Content-Type: application/json' \
	-d '{"username":"off1","password":"pw-off1-0123"}' "$B/session")
[ "$c" = 429 ] || [ "$c" = 201 ] || fail "off1 from a new address: $c"
# the guesses were audited from the forwarded address, under the name
# tried only when it is a user
n=$(sqlite3 "$DB" "SELECT count(*) FROM audit_log WHERE action = 'session.create'
	AND addr = '10.66.6.6' AND target = 'user:off1'")
[ "$n" -ge 5 ] || fail "guesses from 10.66.6.6 audited $n times"
curl -s -o /dev/null -H 'Content-Type: application/json' \
	-d '{"username":"MySecretPassw0rd","password":"x-x-x-x-x-x"}' "$B/session"
n=$(sqlite3 "$DB" "SELECT count(*) FROM audit_log WHERE target LIKE '%MySecretPassw0rd%'
	OR detail LIKE '%MySecretPassw0rd%'")
[ "$n" = 0 ] || fail "a password typed as the user name reached the audit log"

# --- 13. X-Forwarded-For counts only with the proxy's secret
curl -s -o /dev/null -H "X-Forwarded-For: 10.1.2.3" -H 'Content-Type: application/json' \
	-d '{"username":"nobody","password":"x-x-x-x-x-x"}' "$B/session"
curl -s -o /dev/null -H "X-Forwarded-For: 10.1.2.4" -H "X-Uctrack-Proxy-Secret: wrong" \
	-H 'Content-Type: application/json' \
	-d '{"username":"nobody","password":"x-x-x-x-x-x"}' "$B/session"
curl -s -o /dev/null -H "X-Forwarded-For: <script>" -H "X-Uctrack-Proxy-Secret: $SECRET" \
	-H 'Content-Type: application/json' \
	-d '{"username":"nobody","password":"x-x-x-x-x-x"}' "$B/session"
n=$(sqlite3 "$DB" "SELECT count(*) FROM audit_log WHERE addr IN ('10.1.2.3', '10.1.2.4', '<script>')")
[ "$n" = 0 ] || fail "a spoofed X-Forwarded-For reached the audit log"

# --- 10. tokens: read-only, revoked by a new password, listed with expiry
RO=$($U token create ana1 --label ro --read-only --days 2)
code=$(curl -s -o "$T/body" -w '%{http_code}' -H "Authorization: Bearer $RO" -H "$P" "$B/queue")
[ "$code" = 200 ] || { cat "$T/body"; fail "read-only token GET /queue: $code"; }
code=$(curl -s -o "$T/body" -w '%{http_code}' -H "Authorization: Bearer $RO" \
	-H 'Content-Type: application/json' -d '{"label":"more"}' "$B/tokens")
[ "$code" = 403 ] || { cat "$T/body"; fail "read-only token POST /tokens: $code"; }
expect_grep 'read-only' "$T/body"
expect 200 ana1 GET /tokens
expect_grep '"expires_at":"[0-9-]+ [0-9:]+"' "$T/body"
expect_grep '"read_only":"yes"' "$T/body"
expect 400 ana1 POST /tokens '{"days":400}'
printf 'a new and long passphrase\n' | expect_rc 0 $U user passwd ana1
code=$(curl -s -o "$T/body" -w '%{http_code}' -H "Authorization: Bearer $RO" -H "$P" "$B/queue")
[ "$code" = 401 ] || fail "token survived a password change: $code"
expect_rc 2 $U token create ana1 --days 0

# --- 11. the password policy on the API
expect 400 admin1 POST /users '{"name":"sp1","role":"analyst","password":"          "}'
expect 400 admin1 POST /users '{"name":"sp2","role":"analyst","password":"qwertyuiop"}'
expect 400 admin1 POST /users "{\"name\":\"sp3\",\"role\":\"officer\",\"office\":\"NOPE\",\"password\":\"river stone lamp\"}"
expect_grep "unknown field office" "$T/body"

# --- 12. framing and media types
raw() { # raw REQUEST-TEXT -> the status line's code (or "none")
	printf "$1" | timeout 10 curl -s --max-time 8 telnet://127.0.0.1:$(cat "$T/port") 2>/dev/null |
		head -1 | awk '{print $2}' || true
}
c=$(raw 'POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\nContent-Length: 50\r\n\r\n{"a":')
[ "$c" = 400 ] || fail "two differing Content-Length: '$c'"
c=$(raw 'POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n')
[ "$c" = 400 ] || fail "Content-Length with Transfer-Encoding: '$c'"
c=$(raw 'POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n')
[ "$c" = 400 ] || [ "$c" = 501 ] || fail "Transfer-Encoding gzip: '$c'"
start=$(date +%s)
c=$(raw 'POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n')
[ $(( $(date +%s) - start )) -lt 5 ] || fail "a bad chunk size hung the connection"
[ "$c" = 400 ] || fail "bad chunk size: '$c'"
code=$(curl -s -o "$T/body" -w '%{http_code}' -H 'Content-Type: application/jsonx' \
	-d '{"username":"off1","password":"pw-off1-0123"}' "$B/session")
[ "$code" = 415 ] || fail "application/jsonx: $code"
code=$(curl -s -o "$T/body" -w '%{http_code}' -H 'Content-Type: Application/JSON; charset=utf-8' \
	-H "X-Forwarded-For: 10.0.0.1" -H "X-Uctrack-Proxy-Secret: $SECRET" \
	-d '{"username":"off1","password":"pw-off1-0123"}' "$B/session")
[ "$code" = 201 ] || { cat "$T/body"; fail "application/json with charset: $code"; }
login off1

# --- 9. statutory holds take two people
expect 409 sup1 POST "/cases/$C1/overrides" \
	'{"kind":"lift_hold","value":"claim_pending","reason":"asylum claim withdrawn in court"}'
expect_grep 'takes two people' "$T/body"
# a hold the rule set does not mark statutory: one supervisor is enough
expect 201 sup1 POST "/cases/$C1/overrides" \
	'{"kind":"lift_hold","value":"legal_referral_first","reason":"referral made by phone today"}'
expect 403 off1 POST "/cases/$C1/hold-lifts" \
	'{"hold":"claim_pending","reason":"asylum claim withdrawn in court"}'
expect 400 sup1 POST "/cases/$C1/hold-lifts" \
	'{"hold":"legal_referral_first","reason":"not a statutory hold at all"}'
expect 201 sup1 POST "/cases/$C1/hold-lifts" \
	'{"hold":"claim_pending","reason":"asylum claim withdrawn in court"}'
L1=$(sed 's/.*"id":\([0-9]*\).*/\1/' "$T/body")
expect_grep '"status":"pending"' "$T/body"
expect 409 sup1 POST "/cases/$C1/hold-lifts" \
	'{"hold":"claim_pending","reason":"asylum claim withdrawn in court"}'
# the requester cannot approve; an officer cannot; another office cannot see it
expect 403 sup1 POST "/cases/$C1/hold-lifts/$L1" '{"decision":"approve"}'
expect_grep 'second person' "$T/body"
expect 403 off1 POST "/cases/$C1/hold-lifts/$L1" '{"decision":"approve"}'
expect 404 sup2 POST "/cases/$C2/hold-lifts/$L1" '{"decision":"approve"}'
n=$(sqlite3 "$DB" "SELECT count(*) FROM triage_override WHERE case_id = $C1 AND value = 'claim_pending'")
[ "$n" = 0 ] || fail "the hold was lifted by one person"
# pending requests for the office's supervisors
expect 200 sup2 GET /hold-lifts
expect_grep "\"id\":$L1" "$T/body"
expect 200 sup2 POST "/cases/$C1/hold-lifts/$L1" '{"decision":"approve","note":"court record checked"}'
expect_grep '"status":"approved"' "$T/body"
expect_grep '"decided_by":"sup2"' "$T/body"
n=$(sqlite3 "$DB" "SELECT count(*) FROM triage_override WHERE case_id = $C1 AND value = 'claim_pending'
	AND by_user = 'sup2' AND reason LIKE '%requested by sup1%'")
[ "$n" = 1 ] || fail "approval did not record the override"
expect 409 admin1 POST "/cases/$C1/hold-lifts/$L1" '{"decision":"reject"}'
# the case shows the request and its approval
expect 200 sup1 GET "/cases/$C1"
expect_grep '"hold_lifts":\[\{[^]]*"status":"approved"' "$T/body"
# withdrawn by the requester only
expect 201 sup1 POST "/cases/$C1/hold-lifts" \
	'{"hold":"tvpra_screening","reason":"screening completed at the border"}'
L2=$(sed 's/.*"id":\([0-9]*\).*/\1/' "$T/body")
expect 403 sup2 POST "/cases/$C1/hold-lifts/$L2" '{"decision":"withdraw"}'
expect 200 sup1 POST "/cases/$C1/hold-lifts/$L2" '{"decision":"withdraw"}'
expect_grep '"status":"withdrawn"' "$T/body"
# both steps audited, by whom
n=$(sqlite3 "$DB" "SELECT group_concat(action || ':' || actor, ' ') FROM audit_log
	WHERE action LIKE 'hold_lift.%' AND outcome = 'ok' ORDER BY seq")
for w in hold_lift.request:sup1 hold_lift.approve:sup2 hold_lift.withdraw:sup1; do
	echo "$n" | grep -q "$w" || fail "audit lacks $w: $n"
done
# the CLI keeps the same rule
expect_rc 0 $U triage lift request "C$C2" --hold trafficking_protection \
	--reason "screened, no indicators found" --by sup1
L3=$(sqlite3 "$DB" "SELECT max(id) FROM hold_lift")
expect_rc 1 $U triage lift approve "$L3" --by sup1
expect_grep 'second person' "$T/err"
expect_rc 0 $U triage lift approve "$L3" --by admin1
expect_rc 0 $U triage lift list "C$C2"
expect_grep "trafficking_protection	approved" "$T/out"
expect_rc 1 $U triage override "C$C2" --lift-hold motion_to_reopen --reason "no motion will be filed" --by sup1

# --- 5. reads of personal data from the CLI and of the audit log are audited
before=$(sqlite3 "$DB" "SELECT max(seq) FROM audit_log")
expect_rc 0 $U queue --limit 5
expect_rc 0 $U report fta --format csv --out "$T/fta.csv"
expect_rc 0 $U report oversight
expect_rc 0 $U report oversight --public
expect_rc 0 $U triage --explain "C$C1"
expect_rc 0 $U link review --limit 3
got=$(sqlite3 "$DB" "SELECT group_concat(action, ' ') FROM audit_log WHERE seq > $before")
for a in queue.read queue.read.children report.fta report.oversight case.explain link.review.read; do
	echo "$got" | grep -qw "$a" || fail "CLI read $a not audited: $got"
done
n=$(sqlite3 "$DB" "SELECT count(*) FROM audit_log WHERE seq > $before AND action = 'report.oversight'")
[ "$n" = 1 ] || fail "the public (suppressed) oversight report should not be audited as a read ($n)"
# the FTA export names each child it lists
kids=$(tail -n +2 "$T/fta.csv" | cut -d, -f1 | sort)
named=$(sqlite3 "$DB" "SELECT detail FROM audit_log WHERE seq > $before AND action = 'report.fta.children'" |
	sed 's/.*children=//' | tr ',' '\n' | sort)
[ -n "$kids" ] || fail "empty FTA list"
[ "$kids" = "$named" ] || fail "FTA audit names differ from the export"
mode=$(stat -c %a "$T/fta.csv")
[ "$mode" = 600 ] || fail "FTA export mode $mode"
# API: reading the audit log is itself audited; the FTA list names children
expect 200 admin1 GET '/audit?limit=5'
expect 200 admin1 GET '/reports/fta?format=json&limit=3'
sleep 0.5
n=$(sqlite3 "$DB" "SELECT count(*) FROM audit_log WHERE action = 'audit.read' AND actor = 'admin1'")
[ "$n" -ge 1 ] || fail "GET /audit not audited"
n=$(sqlite3 "$DB" "SELECT count(*) FROM audit_log WHERE action = 'report.fta.children' AND actor = 'admin1'")
[ "$n" -ge 1 ] || fail "FTA page readers not audited by child"

expect_rc 0 $U audit verify
kill $SPID; wait $SPID 2>/dev/null || true
trap - EXIT
for f in "$DB" "$DB-wal" "$DB-shm"; do
	[ -e "$f" ] || continue
	m=$(stat -c %a "$f")
	[ "$m" = 600 ] || fail "$f has mode $m after serving"
done
echo "security: all findings hold"
