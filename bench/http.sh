#!/bin/sh
# bench/http.sh - the API against nginx, with wrk, on this machine.
#  1. an authenticated officer's GET of a 50-item queue page vs nginx
#     serving the same JSON as a static file: ratio (target >= 0.4x);
#  2. p99 latency at 64 connections (target <= 10 ms);
#  3. 10 concurrent writers for $WRITE_SECONDS s (default 60): every
#     acknowledged event must be in the database afterwards.
# Synthetic data only. Default: 20,000 cases generated in SQL. With
# BENCH_DB=PATH (a copy of a database built by gen/import/link/triage, e.g.
# 600,000 children; it is written to) the queue page is the real one of
# office $BENCH_OFFICE (default ATL). Usage: [BENCH_DB=..] bench/http.sh
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
U=${UCTRACK:-$ROOT/build/uctrack}
D=${DURATION:-10}
WS=${WRITE_SECONDS:-60}
T=$(mktemp -d /tmp/uctrack-bench.XXXXXX)
cleanup() { [ -n "${SPID:-}" ] && kill "$SPID" 2>/dev/null; [ -n "${NPID:-}" ] && kill "$NPID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
DB=${BENCH_DB:-$T/b.db}
OFFICE=${BENCH_OFFICE:-ATL}
[ -n "${BENCH_DB:-}" ] || OFFICE=HOU
# A database built before the latest indexes of 005_http.sql were added
# (same schema version) gets them here; IF NOT EXISTS: no-op otherwise.
[ -z "${BENCH_DB:-}" ] || sqlite3 "$DB" <"$ROOT/src/store/migrations/005_http.sql"
printf 'bench-officer-pw\n' | "$U" --db "$DB" --quiet user add bench --role officer --office "$OFFICE" 2>/dev/null ||
	printf 'bench-officer-pw\n' | "$U" --db "$DB" --quiet user passwd bench
[ -n "${BENCH_DB:-}" ] || sqlite3 "$DB" <<'SQL'
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
INSERT INTO tcase(id, a_number, office, grp, score, prio, phase, hold_names)
SELECT i, printf('%09d', 300000000 + i), CASE i % 4 WHEN 0 THEN 'NYC' ELSE 'HOU' END,
       'flight_risk', i % 100, i, 1, '' FROM n;
INSERT INTO task(case_id, action, phase, office, grp, due, status, prio, created_at)
SELECT id, 'contact', 1, office, grp, '2025-02-01', 'open', prio, '2025-01-01' FROM tcase;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
INSERT INTO cbp_encounter(rid, file_id, line, skey, rhash, a_number, family_name, given_name, birth_date)
SELECT i, 0, i, 'B' || i, i, printf('%09d', 300000000 + i), 'BENCH' || i, 'CHILD', '2010-01-01' FROM n;
SQL
"$U" --db "$DB" --quiet serve --listen 127.0.0.1:0 --port-file "$T/port" --threads 2 >"$T/serve.log" 2>&1 &
SPID=$!
for i in $(seq 1 30); do [ -s "$T/port" ] && break; sleep 0.2; done
B="http://127.0.0.1:$(cat "$T/port")/api/v1"
curl -s -c "$T/jar" -H 'Content-Type: application/json' \
	-d '{"username":"bench","password":"bench-officer-pw"}' "$B/session" >"$T/login"
COOKIE="uc_session=$(awk '$6 == "uc_session" {print $7}' "$T/jar")"
CSRF=$(sed 's/.*"csrf":"\([^"]*\)".*/\1/' "$T/login")
mkdir -p "$T/www"
curl -s -H "Cookie: $COOKIE" -H 'X-Purpose: bench' "$B/queue?limit=50" >"$T/www/queue.json"
[ "$(grep -o '"task_id"' "$T/www/queue.json" | wc -l)" -eq 50 ] || { echo "queue page is not 50 items" >&2; exit 1; }
NPORT=$((20000 + $$ % 20000))
cat >"$T/nginx.conf" <<EOF2
worker_processes 2; daemon off; pid $T/nginx.pid; error_log $T/nginx.err;
events { worker_connections 1024; }
http { access_log off; server { listen 127.0.0.1:$NPORT; root $T/www;
  location / { default_type application/json; } } }
EOF2
nginx -c "$T/nginx.conf" -p "$T" &
NPID=$!
sleep 0.5
rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
wrk -t2 -c16 -d"${D}s" "http://127.0.0.1:$NPORT/queue.json" >"$T/nginx.out"
wrk -t2 -c16 -d"${D}s" -H "Cookie: $COOKIE" -H 'X-Purpose: bench' "$B/queue?limit=50" >"$T/api.out"
NR=$(rps "$T/nginx.out"); AR=$(rps "$T/api.out")
echo "queue page (50 items), 16 connections, ${D}s: uctrack $AR req/s, nginx static $NR req/s, ratio $(echo "$AR $NR" | awk '{printf "%.2f", $1 / $2}')x (target >= 0.40x)"
wrk -t2 -c64 -d"${D}s" --latency -H "Cookie: $COOKIE" -H 'X-Purpose: bench' "$B/queue?limit=50" >"$T/p99.out"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "64 connections: p99 $(awk '$1 == "99%" {print $2}' "$T/p99.out") (target <= 10ms), $(rps "$T/p99.out") req/s, errors: $(grep -c 'Non-2xx\|Socket errors' "$T/p99.out" || true)"
# writers: each request records one contact attempt on a case of the office
{ printf 'cases = {'; sqlite3 "$DB" "SELECT DISTINCT case_id FROM task WHERE office='$OFFICE' LIMIT 15000" | tr '\n' ','; printf '}\n'; } >"$T/cases.lua"
cat "$T/cases.lua" >"$T/write.lua"
cat >>"$T/write.lua" <<EOF2
local threads = {}
function setup(t) t:set("id", #threads + 1); table.insert(threads, t) end
function init(args) ok = 0; bad = 0; n = 0 end
function request()
  n = n + 1
  local case = cases[((id * 1000003 + n) % #cases) + 1]   -- own office only
  return wrk.format("POST", "/api/v1/cases/" .. case .. "/events",
    {["Cookie"] = "$COOKIE", ["X-CSRF-Token"] = "$CSRF", ["Content-Type"] = "application/json"},
    '{"type":"contact_attempt","method":"phone","outcome":"no_answer","event_id":"BW-' .. id .. '-' .. n .. '"}')
end
function response(status) if status == 201 or status == 200 then ok = ok + 1 else bad = bad + 1 end end
function done()
  local o, b = 0, 0
  for _, t in ipairs(threads) do o = o + t:get("ok"); b = b + t:get("bad") end
  io.write(string.format("ACK %d FAIL %d\n", o, b))
end
EOF2
before=$(sqlite3 "$DB" "SELECT count(*) FROM field_event")
wrk -t10 -c10 -d"${WS}s" --latency -s "$T/write.lua" "http://127.0.0.1:$(cat "$T/port")" >"$T/w.out"
ack=$(awk '/^ACK/ {print $2}' "$T/w.out"); failed=$(awk '/^ACK/ {print $4}' "$T/w.out")
kill -TERM "$SPID"; wait "$SPID" || true; SPID=
after=$(sqlite3 "$DB" "SELECT count(*) FROM field_event")
stored=$((after - before))
# latency of one event (request to acknowledgement: the event, its audit
# entry and the child's re-triage committed) as the 10 writers saw it
echo "write latency (10 concurrent writers): avg $(awk '$1 == "Latency" && $2 ~ /^[0-9]/ {print $2}' "$T/w.out"), p50 $(awk '$1 == "50%" {print $2}' "$T/w.out"), p99 $(awk '$1 == "99%" {print $2}' "$T/w.out"), $(awk '/Requests\/sec/ {print $2}' "$T/w.out") events/s"
echo "10 writers, ${WS}s: $ack acknowledged, $failed refused, $stored stored: $( [ "$stored" -ge "$ack" ] && echo 'every acknowledged event present' || echo 'MISSING EVENTS')"
"$U" --db "$DB" audit verify
[ "$stored" -ge "$ack" ]
