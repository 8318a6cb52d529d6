# The case page at the size people run, in the browser: 100,000 generated
# children (gen/import/link/triage, about a minute), an officer of the
# busiest field office opens five case pages from the queue
# (tests/browser/scale/five_cases.mjs). BROWSER_SCALE_CHILDREN changes the
# size. A missing chromium is a failure (scripts/deps.sh installs it).
. "$ROOT/tests/cli/lib.sh"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || fail "$CHROMIUM not found: scripts/deps.sh installs chromium"
[ -f "$ROOT/node_modules/playwright-core/package.json" ] ||
	fail "playwright-core missing: run scripts/deps.sh (npm ci)"
: "${UCTRACK_EOIR_LOOKUP:=$ROOT/../shared/data/eoir/lookup_tables_combined.csv}"
export UCTRACK_EOIR_LOOKUP UCTRACK_TODAY=2025-06-30
DB=$T/s.db
U="$UCTRACK --db $DB --quiet"
"$UCTRACK" --quiet gen --children "${BROWSER_SCALE_CHILDREN:-100000}" --seed 3 --out "$T/g" >/dev/null
for f in eoir cbp orr ice events; do $U import --feed "$f" "$T/g/$f" >/dev/null; done
rm -rf "$T/g"
$U link --full >/dev/null
$U triage >/dev/null
OFFICE=$(sqlite3 "$DB" "SELECT t.office FROM task t JOIN tcase c ON c.id = t.case_id
	WHERE t.status = 'open' AND c.a_number IS NOT NULL AND t.office <> 'UNASSIGNED'
	GROUP BY t.office ORDER BY count(*) DESC LIMIT 1")
[ -n "$OFFICE" ] || fail "no office with open tasks"
printf 'pw-ui-off-0123\n' | $U user add ui-off --role officer --office "$OFFICE" >/dev/null
$U serve --listen 127.0.0.1:0 --port-file "$T/port" >"$T/serve.log" 2>&1 &
SPID=$!
trap 'kill $SPID 2>/dev/null || true' EXIT
i=0; while [ ! -s "$T/port" ] && [ $i -lt 300 ]; do sleep 0.2; i=$((i + 1)); done
[ -s "$T/port" ] || { cat "$T/serve.log"; fail "server did not start"; }
# lib.mjs wants the small suite's variables; this test uses none of them
export UC_BASE="http://127.0.0.1:$(cat "$T/port")" UC_OFFICE="$OFFICE" UC_CASE_A=0 \
	UC_ANUM_A=0 UC_CASE_B=0 UC_ANUM_B=0 UC_CASE_H=0 UC_CHROMIUM="$CHROMIUM" \
	UC_ARTIFACTS="${BROWSER_ARTIFACTS:-$ROOT/build/browser-artifacts}"
cd "$ROOT"
node --test tests/browser/scale/five_cases.mjs || {
	echo "--- server log:"; tail -30 "$T/serve.log"; fail "five case pages at scale"; }
