#!/bin/sh
# Benchmark `uctrack import` against `sqlite3 .import` of the same rows.
#
#   bench/import.sh [CHILDREN] [WORKDIR]      (defaults: 600000, /tmp/uctrack-bench)
#
# Generates CHILDREN children with `uctrack gen --seed 1` (reused when the
# folder already holds them), imports every feed into a fresh database and
# times it; then loads the same files with the sqlite3 shell into plain
# tables (same columns, all TEXT, no index: `.mode csv` for CBP/ORR/ICE,
# `.mode tabs` for EOIR, one-column table of lines for events) and prints
# both times, the ratio and uctrack's peak RSS. Target: ratio <= 1.5,
# peak RSS <= 1 GiB. Environment: UCTRACK (binary), SQLITE3 (shell).
#
# What each side does:
#   uctrack  one `import --feed F` per feed into a fresh database (WAL):
#            parse, validate, normalise, hash, check duplicates, insert into
#            the feed tables, derive address/claim/representation rows, one
#            transaction per file. The read indexes (docs/import.md) are not
#            built by the import; `uctrack index` builds them afterwards and
#            is timed separately (the next reader would pay it once).
#   sqlite3  the shell's `.import` into tables without any index, default
#            settings (rollback journal), one script.
# Wall times are compared (the target); CPU time (user+sys) of both is
# printed too, with the load average, since the machine may be shared.
set -eu
cd "$(dirname "$0")/.."
N=${1:-600000}
W=${2:-/tmp/uctrack-bench}
UCTRACK=${UCTRACK:-$(pwd)/build/uctrack}
SQLITE3=${SQLITE3:-sqlite3}
LK=${UCTRACK_EOIR_LOOKUP:-$(pwd)/../shared/data/eoir/lookup_tables_combined.csv}
DATA=$W/data-$N
mkdir -p "$W"
if [ ! -f "$DATA/.done" ]; then
	rm -rf "$DATA"
	echo "generating $N children into $DATA ..."
	"$UCTRACK" gen --children "$N" --seed 1 --out "$DATA" >/dev/null
	touch "$DATA/.done"
fi
now() { date +%s.%N; }
rows=$(cat "$DATA"/cbp/*.csv "$DATA"/orr/*.csv "$DATA"/ice/*.csv "$DATA"/eoir/*.csv "$DATA"/events/*.jsonl | wc -l)
bytes=$(cat "$DATA"/cbp/*.csv "$DATA"/orr/*.csv "$DATA"/ice/*.csv "$DATA"/eoir/*.csv "$DATA"/events/*.jsonl | wc -c)
echo "input: $rows lines, $((bytes / 1048576)) MiB"

# --- uctrack -------------------------------------------------------------
DB=$W/uctrack.db
rm -f "$DB" "$DB-wal" "$DB-shm"
peak=0
ucpu=0
load0=$(cut -d' ' -f1-3 /proc/loadavg)
t0=$(now)
for f in cbp orr ice events eoir; do
	/usr/bin/time -f '%U %S %M' -o "$W/rss.$f" "$UCTRACK" --db "$DB" import --feed "$f" \
		--eoir-lookup "$LK" "$DATA" | sed 's/^/  /'
	r=$(tail -1 "$W/rss.$f" | cut -d' ' -f3)
	[ "$r" -gt "$peak" ] && peak=$r
	ucpu=$(tail -1 "$W/rss.$f" | awk -v c="$ucpu" '{print c + $1 + $2}')
done
t1=$(now)
u=$(echo "$t1 - $t0" | bc)
t0=$(now)
"$UCTRACK" --db "$DB" index >/dev/null
t1=$(now)
ix=$(echo "$t1 - $t0" | bc)

# --- sqlite3 .import -----------------------------------------------------
SDB=$W/sqlite.db
rm -f "$SDB" "$SDB-wal" "$SDB-shm" "$W/import.sql"
i=0
for f in "$DATA"/cbp/*.csv "$DATA"/orr/*.csv "$DATA"/ice/*.csv; do
	i=$((i + 1)); echo ".import --csv '$f' c$i" >>"$W/import.sql"
done
echo ".mode tabs" >>"$W/import.sql"
for f in "$DATA"/eoir/A_TblCase*.csv "$DATA"/eoir/B_TblProceeding*.csv "$DATA"/eoir/tbl_schedule*.csv "$DATA"/eoir/tbl_JuvenileHistory*.csv; do
	i=$((i + 1)); echo ".import '$f' e$i" >>"$W/import.sql"
done
echo "CREATE TABLE ev(line TEXT);" >>"$W/import.sql"
echo ".mode ascii" >>"$W/import.sql"
printf '%s\n' '.separator "\037" "\n"' >>"$W/import.sql"
for f in "$DATA"/events/*.jsonl; do echo ".import '$f' ev" >>"$W/import.sql"; done
t0=$(now)
/usr/bin/time -f '%U %S' -o "$W/cpu.sqlite" "$SQLITE3" "$SDB" <"$W/import.sql" 2>"$W/sqlite.err" || true
t1=$(now)
s=$(echo "$t1 - $t0" | bc)
scpu=$(tail -1 "$W/cpu.sqlite" | awk '{print $1 + $2}')
load1=$(cut -d' ' -f1-3 /proc/loadavg)
srows=$("$SQLITE3" "$SDB" "SELECT (SELECT count(*) FROM ev)" )

echo "uctrack import (validate, normalise, derive): ${u} s, cpu ${ucpu} s ($("$SQLITE3" "$DB" 'SELECT sum(rows_read) FROM import_file') rows), peak RSS $((peak / 1024)) MiB"
echo "uctrack index (the 30 read indexes, once, after the load): ${ix} s"
echo "sqlite3 .import (TEXT tables, no index): ${s} s, cpu ${scpu} s (events lines: $srows)"
echo "ratio: $(echo "scale=2; $u / $s" | bc) (target <= 1.5), cpu ratio $(echo "scale=2; $ucpu / $scpu" | bc); peak RSS target <= 1024 MiB"
echo "ratio with the read indexes: $(echo "scale=2; ($u + $ix) / $s" | bc)"
echo "load average: $load0 (start), $load1 (end); $(nproc) cores"
