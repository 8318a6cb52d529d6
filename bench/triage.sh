#!/bin/sh
# bench/triage.sh - triage speed, against sqlite3 running the same group
# assignment as one SQL query over the same facts, measured in the same run.
#
# Usage: bench/triage.sh [SOURCE_DB]
#   SOURCE_DB  an imported data set (default /tmp/ucdata600k.db, made with
#              `uctrack gen --children 600000 --seed 1 --out /tmp/ucdata600k`
#              and `uctrack --db /tmp/ucdata600k.db import --feed F DIR/F`).
# It works on a copy ($TRIAGE_BENCH_DB, default /tmp/triage_bench.db) and
# never modifies SOURCE_DB. Environment: UCTRACK (binary), UCTRACK_TODAY
# (as-of day, default 2025-06-01), RUNS (timed repetitions, default 5).
#
# Reports:
#   1. first run: projection of every case from the feed tables, evaluation,
#      storage of every result and task (times reported separately);
#   2. full triage of every case from stored facts (what `uctrack triage`
#      does when no records changed): whole-process wall time, median of
#      RUNS, and the in-process split load / evaluate / store;
#   3. the peer: sqlite3 computing each case's group with one SQL query over
#      a typed table of the same facts (median of RUNS, query time only),
#      and the ratio; the group counts of both must agree;
#   4. re-triage of one child after an event (events imported for 200
#      children, then `uctrack triage person ... --timing`).
set -eu
cd "$(dirname "$0")/.."
UC=${UCTRACK:-$PWD/build/uctrack}
SRC=${1:-/tmp/ucdata600k.db}
DB=${TRIAGE_BENCH_DB:-/tmp/triage_bench.db}
RUNS=${RUNS:-5}
UCTRACK_TODAY=${UCTRACK_TODAY:-2025-06-01}
export UCTRACK_TODAY
command -v sqlite3 >/dev/null || { echo "bench/triage.sh: needs the sqlite3 shell" >&2; exit 2; }
[ -x "$UC" ] || { echo "bench/triage.sh: build first (make)" >&2; exit 2; }
[ -f "$SRC" ] || { echo "bench/triage.sh: no $SRC; see the header of this script" >&2; exit 2; }
W=$(mktemp -d /tmp/triage-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT INT TERM

now() { date +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { printf "%.3f", v[int((NR + 1) / 2)] }'; }

if [ ! -f "$DB" ] || [ "$SRC" -nt "$DB" ]; then
	echo "copying $SRC to $DB"
	cp "$SRC" "$DB"
	rm -f "$DB-wal" "$DB-shm"
fi
"$UC" --db "$DB" index >/dev/null # the read indexes (docs/import.md), once
# A database migrated by an early draft of 003_triage.sql lacks case_fact:
# re-create the triage tables (they are derived data).
if ! sqlite3 "$DB" "SELECT 1 FROM case_fact LIMIT 1" >/dev/null 2>&1; then
	sqlite3 "$DB" "DROP TABLE IF EXISTS task; DROP TABLE IF EXISTS triage_override;
		DROP TABLE IF EXISTS case_fact; DROP TABLE IF EXISTS tcase;
		DROP TABLE IF EXISTS ruleset; DROP TABLE IF EXISTS triage_meta;
		DROP TABLE IF EXISTS triage_run;"
	sqlite3 "$DB" <src/store/migrations/003_triage.sql
fi
cases=$(sqlite3 "$DB" "SELECT count(*) FROM cbp_encounter")
echo "data: $SRC ($cases CBP encounters); as of $UCTRACK_TODAY; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "== 1. first run (project + evaluate + store everything)"
t0=$(now)
"$UC" --db "$DB" triage --rules rules/default.rules --offices rules/field_offices.csv \
	--reproject >"$W/first"
t1=$(now)
sed -n '1,2p;/results written/p;/time:/p' "$W/first"
echo "  wall $(sub "$t1" "$t0") s"

echo
echo "== 2. full triage from stored facts ($RUNS runs)"
"$UC" --db "$DB" triage >/dev/null # warm the page cache
i=0
: >"$W/walls"
while [ $i -lt "$RUNS" ]; do
	t0=$(now)
	"$UC" --db "$DB" triage >"$W/run"
	t1=$(now)
	sub "$t1" "$t0" >>"$W/walls"
	echo >>"$W/walls"
	i=$((i + 1))
done
ours=$(median <"$W/walls")
grep -E 'time:|results written' "$W/run"
echo "  uctrack triage, whole process: median $ours s (runs: $(tr '\n' ' ' <"$W/walls"))"

echo
echo "== 3. peer: sqlite3, one SQL query assigning groups over the same facts"
"$UC" --db "$DB" triage --export-facts "$W/facts.csv"
{
	printf 'CREATE TABLE facts (case_id INTEGER PRIMARY KEY'
	"$UC" rules facts | awk '/^$/ { exit } {
		t = $2; s = "TEXT";
		if (t == "bool" || t == "int" || t == "set") s = "INTEGER";
		printf ", %s %s", $1, s }'
	printf ');\n.mode csv\n.import --skip 1 %s facts\n' "$W/facts.csv"
	printf 'UPDATE facts SET '
	"$UC" rules facts | awk '/^$/ { exit } { printf "%s%s = NULLIF(%s, %s)", (NR > 1 ? ", " : ""), $1, $1, "'"''"'" }'
	printf ';\nANALYZE;\n'
} >"$W/load.sql"
sqlite3 "$W/peer.db" <"$W/load.sql"
# default.rules' groups, written as SQL: a rule fires when its condition is
# true (NULL is not), groups apply in phases 1-3 (phase 4 = resolved), the
# group with the highest summed score wins, ties in declaration order.
cat >"$W/query.sql" <<'SQL'
SELECT grp, count(*) FROM (
  SELECT CASE
    WHEN resolved THEN 'none'
    WHEN fr = 0 AND ps = 0 AND bs = 0 THEN 'none'
    WHEN fr >= ps AND fr >= bs THEN 'flight_risk'
    WHEN ps >= bs THEN 'public_safety'
    ELSE 'border_security' END AS grp
  FROM (
    SELECT
      ((claims_granted & 15) != 0 OR decision IN ('relief', 'terminated')
        OR removal_executed OR discharge = 'repatriated' OR age >= 18) AS resolved,
      (CASE WHEN in_absentia AND NOT in_absentia_rescinded THEN 100 ELSE 0 END)
      + (CASE WHEN hearings_missed >= 1 THEN 30 + 10 * hearings_missed ELSE 0 END)
      + (CASE WHEN nta_state IN ('served', 'filed') AND address_status IN
              ('none', 'unverified', 'undeliverable', 'blank', 'missing_unit')
              THEN 40 ELSE 0 END)
      + (CASE WHEN days_since_release > 90 AND NOT contact_since_release THEN 50 ELSE 0 END)
      + (CASE WHEN days_to_18 >= 0 AND days_to_18 <= 180 THEN 20 ELSE 0 END) AS fr,
      (CASE WHEN (indicators & 7) != 0 THEN 60 ELSE 0 END) AS ps,
      (CASE WHEN encounters >= 2 OR (indicators & 8) != 0 THEN 30 ELSE 0 END)
      + (CASE WHEN (indicators & 16) != 0 THEN 40 ELSE 0 END)
      + (CASE WHEN (indicators & 32) != 0 THEN 50 ELSE 0 END) AS bs
    FROM facts))
GROUP BY grp ORDER BY grp;
SQL
sqlite3 "$W/peer.db" <"$W/query.sql" >/dev/null # warm
i=0
: >"$W/peer"
while [ $i -lt "$RUNS" ]; do
	printf '.timer on\n.read %s\n' "$W/query.sql" | sqlite3 "$W/peer.db" >"$W/peer_out"
	grep 'Run Time' "$W/peer_out" | awk '{ print $4 }' >>"$W/peer"
	i=$((i + 1))
done
peer=$(median <"$W/peer")
grep -v 'Run Time' "$W/peer_out" | tr -d '"' | tr '|' ',' | sort >"$W/peer_groups"
for g in border_security flight_risk none public_safety; do
	printf '%s,%s\n' "$g" "$(awk -v g="$g" '$1 == g { print $2 }' "$W/run")"
done | sort >"$W/our_groups"
if cmp -s "$W/peer_groups" "$W/our_groups"; then
	agree="the group counts agree"
else
	agree="THE GROUP COUNTS DIFFER: sqlite3 $(tr '\n' ' ' <"$W/peer_groups") uctrack $(tr '\n' ' ' <"$W/our_groups")"
fi
echo "  sqlite3 query: median $peer s (runs: $(tr '\n' ' ' <"$W/peer")); $agree"
echo "  ratio uctrack/sqlite3: $(awk -v a="$ours" -v b="$peer" 'BEGIN { printf "%.2f", a / b }')" \
	"(uctrack: whole process incl. start, rule compile, all rules, holds, phases, tasks;" \
	"sqlite3: the query alone)"

echo
echo "== 4. re-triage of one child after an event"
sqlite3 "$DB" "SELECT a_number FROM tcase WHERE active = 1 AND a_number IS NOT NULL
	ORDER BY id LIMIT 200 OFFSET 1000" >"$W/anums"
tag=$(date +%s)
awk -v tag="$tag" '{ printf "{\"event_id\":\"BENCH-%s-%d\",\"type\":\"contact_attempt\",\"a_number\":\"%s\",\"occurred_at\":\"2025-05-31\",\"recorded_by\":\"bench\",\"method\":\"home_visit\",\"outcome\":\"reached\"}\n", tag, NR, $1 }' \
	"$W/anums" >"$W/events.jsonl"
"$UC" --db "$DB" import --feed events "$W/events.jsonl" | tail -1
# shellcheck disable=SC2046
"$UC" --db "$DB" triage person $(cat "$W/anums") --timing
echo "  (in-process: re-project from the feed tables, evaluate, store result and tasks, commit)"
