#!/bin/sh
# Benchmark: the full oversight report over 600,000 children (target
# <= 2 s), and, in the same run, sqlite3's own time for an equivalent
# aggregate SQL over the same store (the core counts: released, NTA
# served/filed, court date, failed to appear, in absentia; by A-number).
#
# Data: reuses /tmp/ucdata600k (generator output) and /tmp/ucdata600k.db
# (imported) when present, else creates them once (minutes). The store is
# only read. Usage: bench/report.sh [UCTRACK]
set -eu
cd "$(dirname "$0")/.."
U=${1:-build/uctrack}
DATA=${UCTRACK_BENCH_DATA:-/tmp/ucdata600k}
DB=${UCTRACK_BENCH_DB:-/tmp/ucdata600k.db}
: "${UCTRACK_EOIR_LOOKUP:=$(pwd)/../shared/data/eoir/lookup_tables_combined.csv}"
export UCTRACK_EOIR_LOOKUP
[ -x "$U" ] || { echo "bench/report.sh: build $U first (make)" >&2; exit 2; }
if [ ! -d "$DATA" ]; then
	echo "generating 600,000 children into $DATA (once)" >&2
	"$U" gen --children 600000 --seed 1 --out "$DATA"
fi
if [ ! -f "$DB" ]; then
	echo "importing into $DB (once)" >&2
	for f in eoir cbp orr ice events; do
		"$U" --db "$DB.tmp" --quiet import --skip-bad "$DB.rejects-$f.csv" \
			--feed "$f" "$DATA/$f"
	done
	"$U" --db "$DB.tmp" index >/dev/null # the read indexes (docs/import.md)
	mv "$DB.tmp" "$DB"
fi
K=$(sqlite3 "$DB" "SELECT max(imported_at) FROM import_file")
ASOF=2025-06-30
best=""
for i in 1 2 3; do
	/usr/bin/time -f "%e %U %S" -o /tmp/uctrack-bench-time \
		"$U" --db "$DB" report oversight --as-of $ASOF --known-at "$K" \
		--format json >/tmp/uctrack-bench-report.json
	read -r t tu ts </tmp/uctrack-bench-time
	echo "uctrack report oversight (run $i): ${t} s wall, ${tu} s user, ${ts} s sys"
	if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" -eq 1 ]; then best=$t; fi
done
released=$(jq '.rows[0].values.released' /tmp/uctrack-bench-report.json)
echo "uctrack: best ${best} s wall (target <= 2 s; load: $(cut -d" " -f1 /proc/loadavg)) for $(sqlite3 "$DB" 'SELECT count(*) FROM orr_placement') placements; released children: $released"

cat >/tmp/uctrack-bench-report.sql <<SQL
.timer on
WITH f AS (SELECT id FROM import_file WHERE imported_at <= '$K'),
rel AS (SELECT a_number, min(released_date) AS r FROM orr_placement
        WHERE file_id IN f AND discharge = 'sponsor' AND released_date <= '$ASOF'
          AND a_number IS NOT NULL GROUP BY a_number),
nta AS (SELECT a_number,
               min(CASE WHEN served_date <= '$ASOF' THEN served_date END) AS s,
               min(CASE WHEN filed_date <= '$ASOF' THEN filed_date END) AS fl
        FROM ice_nta WHERE file_id IN f AND a_number IS NOT NULL GROUP BY a_number),
cs AS (SELECT idncase, a_number FROM eoir_case WHERE file_id IN f AND a_number IS NOT NULL),
ab AS (SELECT idncase, max(comp_date) AS d FROM eoir_proceeding
       WHERE file_id IN f AND dec_code = 'X' AND absentia = 'Y' AND comp_date <= '$ASOF'
       GROUP BY idncase),
hr AS (SELECT cs.a_number,
              max(h.fta_notice = 1 OR h.adj_date = ab.d) AS missed, 1 AS court
       FROM eoir_hearing h JOIN cs USING (idncase) LEFT JOIN ab USING (idncase)
       WHERE h.file_id IN f GROUP BY cs.a_number),
abk AS (SELECT DISTINCT cs.a_number FROM ab JOIN cs USING (idncase))
SELECT count(*) AS released, count(nta.s) AS nta_served, count(nta.fl) AS nta_filed,
       count(hr.court) AS court_date, sum(coalesce(hr.missed, 0) OR abk.a_number IS NOT NULL) AS fta,
       count(abk.a_number) AS in_absentia
FROM rel LEFT JOIN nta USING (a_number) LEFT JOIN hr USING (a_number)
     LEFT JOIN abk USING (a_number);
SQL
echo "sqlite3 equivalent aggregate SQL (core counts only):"
sqlite3 -header "$DB" </tmp/uctrack-bench-report.sql
rm -f /tmp/uctrack-bench-report.sql /tmp/uctrack-bench-report.json /tmp/uctrack-bench-time
