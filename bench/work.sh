#!/bin/sh
# bench/work.sh - bulk assignment (docs/work.md): a supervisor assigns 500
# cases of the office in one POST /api/v1/work/assign, alternating between
# two officers so that every run changes all 500 (scope checks, the
# assignment and its log rows, one audit entry per child, the commit).
# Beside it, in the same run, sqlite3 writes the same rows (the assignment
# upsert and the log) in one transaction: the floor of the database work.
# Prints the median of RUNS for each, and the ratio.
#
# Usage: bench/work.sh [DB]   (default: the journey's 600,000-child database,
# $JOURNEY_DATA/600000/uctrack.db; its assignments are changed). RUNS (7),
# N (500). Synthetic data only.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
U=${UCTRACK:-$ROOT/build/uctrack}
DB=${1:-${JOURNEY_DATA:-$ROOT/bench-data}/600000/uctrack.db}
RUNS=${RUNS:-7}
N=${N:-500}
PW=work-bench-pw-0123
[ -f "$DB" ] || { echo "work.sh: no database $DB (run bench/journey.sh 600000 first)" >&2; exit 2; }
T=$(mktemp -d /tmp/uctrack-work.XXXXXX)
SPID=
cleanup() { [ -n "$SPID" ] && kill "$SPID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
OFF=$(sqlite3 "$DB" "SELECT office FROM tcase WHERE queued = 1 AND office <> 'UNASSIGNED'
	GROUP BY office ORDER BY count(*) DESC LIMIT 1")
adduser() {
	printf '%s\n' "$PW" | "$U" --db "$DB" --quiet user add "$@" 2>/dev/null ||
		printf '%s\n' "$PW" | "$U" --db "$DB" --quiet user passwd "$1" >/dev/null
}
adduser wb-sup --role supervisor --office "$OFF"
adduser wb-off1 --role officer --office "$OFF"
adduser wb-off2 --role officer --office "$OFF"
IDS=$(sqlite3 "$DB" "SELECT group_concat(id) FROM (SELECT id FROM tcase WHERE queued = 1
	AND office = '$OFF' ORDER BY prio DESC LIMIT $N)")
"$U" --db "$DB" serve --listen 127.0.0.1:0 --port-file "$T/port" >"$T/serve.log" 2>&1 &
SPID=$!
i=0; while [ ! -s "$T/port" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$T/port" ] || { cat "$T/serve.log"; exit 3; }
B="http://127.0.0.1:$(cat "$T/port")/api/v1"
curl -s -c "$T/jar" -H 'Content-Type: application/json' \
	-d "{\"username\":\"wb-sup\",\"password\":\"$PW\"}" "$B/session" >"$T/login"
CSRF=$(sed 's/.*"csrf":"\([^"]*\)".*/\1/' "$T/login")
echo "bulk assignment of $N cases of office $OFF; load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
: >"$T/api"; : >"$T/peer"
for r in $(seq 1 "$RUNS"); do
	to=wb-off$((r % 2 + 1))
	curl -s -o "$T/resp" -w '%{time_total}\n' -b "$T/jar" -H "X-CSRF-Token: $CSRF" \
		-H 'Content-Type: application/json' \
		-d "{\"case_ids\":[$IDS],\"assignee\":\"$to\",\"note\":\"bench\"}" "$B/work/assign" >>"$T/api"
	grep -q "\"assigned\":$N" "$T/resp" || { cat "$T/resp"; echo "work.sh: not all assigned" >&2; exit 1; }
	to=wb-peer # a name the next API run is not asked for, so it changes all N
	s=$(date +%s.%N)
	sqlite3 "$DB" "BEGIN; INSERT INTO assignment(case_id, assignee, assigned_by, assigned_at)
		SELECT id, '$to', 'wb-sup', '2025-01-01' FROM tcase WHERE id IN ($IDS)
		ON CONFLICT(case_id) DO UPDATE SET assignee = excluded.assignee;
		INSERT INTO assignment_log(case_id, assignee, by_user, at, note)
		SELECT id, '$to', 'wb-sup', '2025-01-01', 'bench' FROM tcase WHERE id IN ($IDS); COMMIT;"
	e=$(date +%s.%N)
	echo "$e - $s" | bc >>"$T/peer"
done
api=$(median <"$T/api"); peer=$(median <"$T/peer")
printf 'uctrack POST /work/assign (whole request): median %.1f ms of %d runs\n' "$(echo "$api * 1000" | bc)" "$RUNS"
printf 'sqlite3 same rows (whole process):         median %.1f ms\n' "$(echo "$peer * 1000" | bc)"
printf 'ratio uctrack / sqlite3: %.2f\n' "$(echo "$api / $peer" | bc -l)"
