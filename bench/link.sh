#!/bin/sh
# Linkage benchmark: prints every figure issues 3 and 12 ask for.
#   - FEBRL dataset4a+4b F1 with no labels; FEBRL 1-3 (deduplication) F1;
#   - generator data (600,000 children, all feeds), for the default profile
#     and profile hard (docs/generator.md): pairwise precision and recall
#     of persons against truth/records.csv (review pairs count as not
#     linked), pairs compared and blocking recall, the review queue,
#     children merged with a sibling or a twin, the calibration table
#     (posterior band: pairs, mean posterior, share of true matches), full
#     linkage wall time and peak memory;
#   - an incremental run for 1,000 new records (held back from the full run).
# Usage: bench/link.sh [CHILDREN [PROFILES]]   (default 600000 "default hard";
# UCTRACK=BINARY to measure a copy while the tree is rebuilt).
# Each data set is generated (seed 1) into /tmp/uclink-bench-N (profile
# hard: /tmp/uclink-bench-hard-N) and imported into DIR.db once, then
# reused; LINK_DATA=DIR LINK_DB=FILE name another generated data set and
# its imported database (one profile only). Work happens on a copy of the
# database. Every timed step prints the load average: the machine is shared.
set -eu
cd "$(dirname "$0")/.."
U=${UCTRACK:-$(pwd)/build/uctrack}
N=${1:-600000}
PROFILES=${2:-default hard}
F=../shared/data/febrl
W=$(mktemp -d /tmp/uclink-bench.XXXXXX)
# --pairs-out writes every compared pair (1.6 GB at 600,000 children): in
# memory when there is a tmpfs, so that the timed run measures linkage
# rather than the disk
if [ -d /dev/shm ] && [ -w /dev/shm ]; then PW=$(mktemp -d /dev/shm/uclink-bench.XXXXXX); else PW=$W; fi
trap 'rm -rf "$W" "$PW"' EXIT
EVAL="python3 bench/link_eval.py"
FIELDS=given_name,surname,street_number,address_1,address_2,suburb,postcode,state,date_of_birth,soc_sec_id

echo "== FEBRL (no labels; fields: $FIELDS)"
"$U" link --csv $F/dataset4a.csv $F/dataset4b.csv --id rec_id --fields $FIELDS --out "$W/c4.csv"
printf 'dataset4a+4b: '; $EVAL febrl "$W/c4.csv"
for d in 1 2 3; do
	"$U" --quiet link --csv $F/dataset$d.csv --id rec_id --fields $FIELDS --out "$W/c$d.csv"
	printf 'dataset%s: ' $d; $EVAL febrl "$W/c$d.csv"
done

load() { echo "load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"; }
for PROF in $PROFILES; do
if [ "$PROF" = hard ]; then GOPT="--profile hard"; G=${LINK_DATA:-/tmp/uclink-bench-hard-$N}; else GOPT=""; G=${LINK_DATA:-/tmp/uclink-bench-$N}; fi
echo "== generator data, profile $PROF, $N children"
DB0=${LINK_DB:-$G.db}
# shellcheck disable=SC2086
if [ ! -d "$G" ]; then "$U" gen --children "$N" --seed 1 $GOPT --out "$G" >/dev/null; fi
if [ ! -f "$DB0" ]; then
	for f in eoir cbp orr ice events; do "$U" --db "$DB0" import --feed $f "$G/$f" >/dev/null; done
fi
# the read indexes (docs/import.md) are part of loading, not of linkage
"$U" --db "$DB0" index >/dev/null
DB=$W/link.db
cp "$DB0" "$DB"
# A database linked by someone else keeps its persons; start clean. Hold
# back the last 250 records of each identity table: 1,000 new records for
# the incremental run.
sqlite3 "$DB" "
DELETE FROM link_flag_child; DELETE FROM link_flag; DELETE FROM sponsor_record;
DELETE FROM link_pair; DELETE FROM link_decision_pair; DELETE FROM link_decision;
DELETE FROM link_model; DELETE FROM link_run; DELETE FROM link_watermark;
DELETE FROM link_bucket; DELETE FROM person_record; DELETE FROM person_key;
DELETE FROM person_anumber; DELETE FROM person_idncase; DELETE FROM person_merged;
CREATE TABLE bench_hold_cbp AS SELECT * FROM cbp_encounter WHERE rid > (SELECT MAX(rid) - 250 FROM cbp_encounter);
CREATE TABLE bench_hold_orr AS SELECT * FROM orr_placement WHERE rid > (SELECT MAX(rid) - 250 FROM orr_placement);
CREATE TABLE bench_hold_eoir AS SELECT * FROM eoir_case WHERE rid > (SELECT MAX(rid) - 250 FROM eoir_case);
CREATE TABLE bench_hold_ice AS SELECT * FROM ice_nta WHERE rid > (SELECT MAX(rid) - 250 FROM ice_nta);
DELETE FROM cbp_encounter WHERE rid IN (SELECT rid FROM bench_hold_cbp);
DELETE FROM orr_placement WHERE rid IN (SELECT rid FROM bench_hold_orr);
DELETE FROM eoir_case WHERE rid IN (SELECT rid FROM bench_hold_eoir);
DELETE FROM ice_nta WHERE rid IN (SELECT rid FROM bench_hold_ice);"
echo "before the full run: $(load)"
UCTRACK_LINK_TIMES=1 /usr/bin/time -f '%e %M %U %S' -o "$W/time" "$U" --db "$DB" link --full --pairs-out "$PW/pairs.csv" >"$W/full.out"
cat "$W/full.out"
read -r secs kb usr sys <"$W/time"
echo "full linkage: $secs s wall (CPU: $usr s user + $sys s system, both cores), peak memory $((kb / 1024)) MiB (targets: <= 30 s, <= 2048 MiB; after: $(load))"
echo "review queue by reason (and refused links kept out of it, status conflict):"
sqlite3 "$DB" "SELECT '  ' || status || ' ' || reason || ': ' || COUNT(*) FROM link_pair WHERE status IN ('review', 'conflict') GROUP BY status, reason ORDER BY status, reason"
$EVAL gen "$DB" "$G/truth/records.csv" "$PW/pairs.csv" "$G/truth/children.csv"
rm -f "$PW/pairs.csv"
sqlite3 "$DB" "
INSERT INTO cbp_encounter SELECT * FROM bench_hold_cbp;
INSERT INTO orr_placement SELECT * FROM bench_hold_orr;
INSERT INTO eoir_case SELECT * FROM bench_hold_eoir;
INSERT INTO ice_nta SELECT * FROM bench_hold_ice;"
echo "before the incremental run: $(load)"
UCTRACK_LINK_TIMES=1 /usr/bin/time -f '%e %M %U %S' -o "$W/time" "$U" --db "$DB" link >"$W/incr.out"
cat "$W/incr.out"
read -r secs kb usr sys <"$W/time"
echo "incremental linkage of 1000 new records: $secs s wall (CPU: $usr s user + $sys s system; target <= 1 s; after: $(load))"
$EVAL gen "$DB" "$G/truth/records.csv" "" "$G/truth/children.csv"
done
