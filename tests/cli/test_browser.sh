# Browser tests of the web UI (tests/browser/*.test.mjs, Playwright with
# Debian's chromium) against a real `uctrack serve` on a free port, with a
# small generated + imported + linked + triaged data set and one user per
# role. A missing chromium is a failure (scripts/deps.sh installs it).
# Run alone: make all && UCTRACK=$PWD/build/uctrack tests/cli/run.sh browser
# (BROWSER_TESTS=tests/browser/NAME.test.mjs: one suite).
. "$ROOT/tests/cli/lib.sh"
# Static guard (runs even without a browser): the UI never parses data as HTML.
if grep -nE '\.(innerHTML|outerHTML)[[:space:]]*[+]?=|insertAdjacentHTML|document\.write|eval\(|new Function' \
	"$ROOT"/web/*.js; then
	fail "web/*.js must insert text with DOM nodes only (docs/ui.md)"
fi
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || fail "$CHROMIUM not found: scripts/deps.sh installs chromium (apt-get install chromium)"
command -v node >/dev/null || fail "node missing (scripts/deps.sh installs nodejs)"
[ -f "$ROOT/node_modules/playwright-core/package.json" ] ||
	fail "playwright-core missing: run scripts/deps.sh (npm ci)"
[ -f "$ROOT/node_modules/axe-core/axe.min.js" ] ||
	fail "axe-core missing: run scripts/deps.sh (npm ci)"
command -v sqlite3 >/dev/null || fail "sqlite3 missing (scripts/deps.sh installs it)"
: "${UCTRACK_EOIR_LOOKUP:=$ROOT/../shared/data/eoir/lookup_tables_combined.csv}"
export UCTRACK_EOIR_LOOKUP
DB=$T/b.db
U="$UCTRACK --db $DB --quiet"

# --- data: generate, import, link, triage
"$UCTRACK" gen --children "${BROWSER_TEST_CHILDREN:-400}" --seed 7 --out "$T/g" >/dev/null
for f in eoir cbp orr ice events; do
	$U import --skip-bad "$T/rej-$f.csv" --feed "$f" "$T/g/$f" >/dev/null 2>"$T/imp.err" ||
		{ cat "$T/imp.err"; fail "import $f"; }
done
$U link --full >/dev/null
TR="--rules $ROOT/rules/default.rules --offices $ROOT/rules/field_offices.csv"
# Triage as of two weeks ago, so that the server (today) finds some tasks
# overdue, some due soon and some later: the queue's flags and filters.
TRIAGE_DAY=$(date -u -d '14 days ago' +%Y-%m-%d)
UCTRACK_TODAY=$TRIAGE_DAY $U triage $TR >/dev/null

# Two children (A-numbers) of one field office, with open tasks and CBP
# names: A (client of KIND, hostile name) and B (client of ACME). Every
# active case carrying the A-number must be in that office (linkage may
# leave a child in several cases: search finds one of them). CASE_A and
# CASE_B are each child's case with the most urgent open task. The office
# is the one with most such children; its supervisor and officer are the
# test users.
QUAL="SELECT c.a_number, min(c.office) AS office, max((SELECT max(t.prio) FROM task t
	WHERE t.case_id = c.id AND t.status = 'open')) AS tp FROM tcase c
	WHERE c.active = 1 AND c.a_number IS NOT NULL
	AND EXISTS (SELECT 1 FROM cbp_encounter e WHERE e.a_number = c.a_number)
	GROUP BY c.a_number HAVING count(DISTINCT c.office) = 1
	AND min(c.office) <> 'UNASSIGNED' AND tp IS NOT NULL"
OFFICE=$(sqlite3 "$DB" "SELECT office FROM ($QUAL) GROUP BY office ORDER BY count(*) DESC, office LIMIT 1")
[ -n "$OFFICE" ] || fail "no field office with a usable case"
pick() { # pick OFFSET: case id|a_number of the office's OFFSET-th child by priority
	sqlite3 "$DB" "SELECT (SELECT t.case_id FROM task t JOIN tcase c ON c.id = t.case_id
		WHERE c.a_number = q.a_number AND c.active = 1 AND t.status = 'open'
		ORDER BY t.prio DESC, t.case_id LIMIT 1) || '|' || a_number
		FROM ($QUAL) q WHERE office = '$OFFICE' ORDER BY tp DESC, a_number LIMIT 1 OFFSET $1"
}
A=$(pick 0); B=$(pick 1)
CASE_A=${A%%|*}; ANUM_A=${A#*|}; CASE_B=${B%%|*}; ANUM_B=${B#*|}
# A case of the office with a statutory hold (two-person lift test).
CASE_H=$(sqlite3 "$DB" "SELECT id FROM tcase WHERE active = 1 AND office = '$OFFICE'
	AND id NOT IN ($CASE_A, $CASE_B) AND (','||hold_names||',' LIKE '%,claim_pending,%'
	OR ','||hold_names||',' LIKE '%,tvpra_screening,%'
	OR ','||hold_names||',' LIKE '%,trafficking_protection,%'
	OR ','||hold_names||',' LIKE '%,motion_to_reopen,%') ORDER BY id LIMIT 1")
[ -n "$CASE_H" ] || fail "no case of $OFFICE with a statutory hold"
[ -n "$CASE_A" ] && [ -n "$CASE_B" ] || fail "no two cases in office $OFFICE"
cat >"$T/g/counsel.jsonl" <<EOF
{"event_id":"UI-TEST-1","type":"representation","a_number":"$ANUM_A","occurred_at":"2024-01-02","recorded_by":"legal:KIND","provider":"KIND","status":"started"}
{"event_id":"UI-TEST-2","type":"representation","a_number":"$ANUM_B","occurred_at":"2024-01-02","recorded_by":"legal:ACME","provider":"ACME","status":"started"}
EOF
$U import --feed events "$T/g/counsel.jsonl" >/dev/null
# A hostile name, as a feed could deliver it: it must render as text.
HOSTILE='<img src=x onerror=alert(1)>'
sqlite3 "$DB" "UPDATE cbp_encounter SET given_name = '$HOSTILE' WHERE a_number = '$ANUM_A'"
# A second encounter of one child under another A-number, names and birth
# date the same: linkage queues the pairs for a person to review (the
# linkage review screen, tests/browser/ops.test.mjs).
{
	head -1 "$T/g/cbp/encounters.csv"
	grep -v -e "$ANUM_A" -e "$ANUM_B" "$T/g/cbp/encounters.csv" | sed -n 2p |
		awk -F, 'BEGIN { OFS = "," } { $1 = "CBP-25-9990001"; $2 = "299999991"; $9 = "2025-03-01"; print }'
} >"$T/review.csv"
$U import --feed cbp "$T/review.csv" >/dev/null
$U link >/dev/null
[ "$(sqlite3 "$DB" "SELECT count(*) FROM link_pair WHERE status = 'review'")" -ge 1 ] ||
	fail "no pair to review after the duplicate encounter"
UCTRACK_TODAY=$TRIAGE_DAY $U triage >/dev/null
# A child of the office nobody represents (a provider asks to be its
# counsel: tests/browser/work.test.mjs).
ANUM_C=$(sqlite3 "$DB" "SELECT a_number FROM ($QUAL) q WHERE office = '$OFFICE'
	AND a_number NOT IN ('$ANUM_A', '$ANUM_B') AND NOT EXISTS (SELECT 1 FROM field_event f
	WHERE f.a_number = q.a_number AND f.type = 'representation') AND NOT EXISTS (SELECT 1
	FROM representation r WHERE r.a_number = q.a_number) ORDER BY a_number LIMIT 1")
[ -n "$ANUM_C" ] || fail "no unrepresented child in $OFFICE"

# --- users, one per role
add() { printf '%s\n' "pw-$1-0123" | $U user add "$@" >/dev/null; }
add ui-admin --role admin
add ui-sup --role supervisor --office "$OFFICE"
add ui-sup2 --role supervisor --office "$OFFICE"
add ui-off --role officer --office "$OFFICE"
add ui-ana --role analyst
add ui-lp1 --role legal_provider --provider KIND
add ui-lp2 --role legal_provider --provider ACME
add ui-aud --role auditor

# --- the server
"$UCTRACK" serve --new-key "$T/notes.key" >/dev/null
$U serve --listen 127.0.0.1:0 --port-file "$T/port" --key-file "$T/notes.key" >"$T/serve.log" 2>&1 &
SPID=$!
trap 'kill $SPID 2>/dev/null || true' EXIT
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	[ -s "$T/port" ] && break
	sleep 0.25
done
[ -s "$T/port" ] || { cat "$T/serve.log"; fail "server did not start"; }
BASE="http://127.0.0.1:$(cat "$T/port")"
# The UI is served with its security headers.
curl -s -D "$T/h" -o "$T/index.html" "$BASE/" || fail "GET / failed"
expect_grep '^HTTP/1.1 200' "$T/h"
tr 'A-Z' 'a-z' <"$T/h" >"$T/hl"
expect_grep "^content-security-policy: default-src 'self'" "$T/hl"
expect_grep "frame-ancestors 'none'" "$T/hl"
expect_grep '^x-content-type-options: nosniff' "$T/hl"
expect_grep '^cache-control: no-cache' "$T/hl"
expect_grep '<script src="/app.js"' "$T/index.html"
ct=$(curl -s -o /dev/null -w '%{content_type}' "$BASE/app.js")
[ "$ct" = 'text/javascript; charset=utf-8' ] || fail "app.js content type: $ct"
# Only embedded files are served; the rest is the API's problem+json 404.
for p in /nope.js /web/app.js /app.js/ /%2e%2e/Makefile /index.html.bak; do
	code=$(curl -s -o "$T/body" -w '%{http_code}' --path-as-is "$BASE$p")
	[ "$code" = 404 ] || fail "GET $p: $code"
done
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$BASE/index.html")
[ "$code" = 404 ] || fail "POST /index.html: $code"

export UC_CASE_H="$CASE_H" UC_ANUM_C="$ANUM_C"
export UC_BASE="$BASE" UC_OFFICE="$OFFICE" UC_CASE_A="$CASE_A" UC_ANUM_A="$ANUM_A" \
	UC_CASE_B="$CASE_B" UC_ANUM_B="$ANUM_B" UC_HOSTILE="$HOSTILE" UC_CHROMIUM="$CHROMIUM" \
	UC_ARTIFACTS="${BROWSER_ARTIFACTS:-$ROOT/build/browser-artifacts}"
cd "$ROOT"
# BROWSER_TESTS="tests/browser/i18n.test.mjs ..." runs some suites only.
# shellcheck disable=SC2086
node --test --test-concurrency=1 ${BROWSER_TESTS:-tests/browser/} || {
	echo "--- server log:"; tail -30 "$T/serve.log"; fail "browser tests failed"; }
