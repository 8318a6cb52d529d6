#!/bin/sh
# make demo: generate the default synthetic data set (600,000 children by
# default), import every feed into a fresh database, and report what was
# imported per feed. Later steps (linkage, triage, server) run when the
# binary has them.
# Usage: scripts/demo.sh [CHILDREN] [DIR]
set -eu
cd "$(dirname "$0")/.."
n=${1:-600000}
dir=${2:-demo-data}
bin=build/uctrack
db=${UCTRACK_DB:-$dir/uctrack.db}
# The synthetic world ends on the generator's as-of date (2025-06-30): run
# the demo "on" that day so ages, days since release and as-of reports mean
# what they would have meant then. Set UCTRACK_TODAY to override.
export UCTRACK_TODAY=${UCTRACK_TODAY:-2025-06-30}
mkdir -p "$dir"
echo "demo: generating $n synthetic children into $dir/ (seed 1)"
"$bin" gen --children "$n" --seed 1 --out "$dir"
rm -f "$db" "$db-wal" "$db-shm"
for feed in eoir cbp orr ice events; do
	echo "demo: importing $feed"
	"$bin" --db "$db" import --feed "$feed" "$dir/$feed"
done
echo "demo: building the read indexes"
"$bin" --db "$db" index
has() { "$bin" --help | grep -q "^  $1 "; }
if has link; then echo "demo: linking"; "$bin" --db "$db" link --full; fi
if has triage; then echo "demo: triage"; "$bin" --db "$db" triage; fi
if has report; then "$bin" --db "$db" report oversight --format table || true; fi
if has serve; then
	UCTRACK="$bin" scripts/demo-users.sh "$db"
	listen=${UCTRACK_LISTEN:-127.0.0.1:8080}
	echo "demo: serving on http://$listen/ (Ctrl-C to stop)"
	exec "$bin" --db "$db" serve --listen "$listen"
fi
echo "demo: database ready at $db"
