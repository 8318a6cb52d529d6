#!/bin/sh
# bench/journey.sh - what people do all day, at the sizes they run: 16
# concurrent users sign in, page the queue, search by name, A-number and
# birth date, open a case, record a contact attempt and a welfare check
# (each re-triages), reopen the case, the FTA list, an audit page and the
# oversight report (bench/journey.py). p50/p99 per step, per size, and the
# growth from the smallest to the largest size.
#
# Usage: bench/journey.sh [SIZE...]      (default: 100000 600000 2000000)
# Environment: JOURNEY_DATA (default bench-data/) caches one database per
# size, built once by gen/import/index/link/triage with seed 1 (2M children
# take ~25 min and ~8 GB); JOURNEY_USERS (16), JOURNEY_ROUNDS (12),
# JOURNEY_THINK (mean think time before each request in seconds, 1.0; 0
# measures saturation throughput instead of what a person waits, see
# bench/journey.py),
# JOURNEY_THREADS (server threads, 4), JOURNEY_CONFIG (an INI file for the
# server, docs/configuration.md), JOURNEY_WARM (1: read the database file
# once before the run, so that p99 measures the requests rather than disk
# reads of pages the kernel dropped; the default 0 runs as the page cache
# happens to be). Each size prints how much of its database file was in
# the page cache at the start (fincore). The benchmark writes events into the
# cached databases (a few hundred per run). Synthetic data only.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
U=${UCTRACK:-$ROOT/build/uctrack}
DATA=${JOURNEY_DATA:-$ROOT/bench-data}
USERS=${JOURNEY_USERS:-16}
ROUNDS=${JOURNEY_ROUNDS:-12}
THINK=${JOURNEY_THINK:-1.0}
THREADS=${JOURNEY_THREADS:-4}
WARM=${JOURNEY_WARM:-0}
SIZES=${*:-100000 600000 2000000}
PW=journey-bench-pw
export UCTRACK_TODAY=${UCTRACK_TODAY:-2025-06-30}
T=$(mktemp -d /tmp/uctrack-journey.XXXXXX)
SPID=
cleanup() { [ -n "$SPID" ] && kill "$SPID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
mkdir -p "$DATA"

build() { # N DIR: the data set of N children, once
	[ -f "$2/ready" ] && return 0
	echo "journey: building $1 children in $2 (once)"
	rm -rf "$2"
	mkdir -p "$2"
	"$U" --quiet gen --children "$1" --seed 1 --out "$2"
	for f in eoir cbp orr ice events; do
		"$U" --quiet --db "$2/uctrack.db" import --feed "$f" "$2/$f"
	done
	"$U" --quiet --db "$2/uctrack.db" index
	"$U" --quiet --db "$2/uctrack.db" link --full
	"$U" --quiet --db "$2/uctrack.db" triage
	touch "$2/ready"
}

adduser() { # NAME ROLE [--office X]
	who=$1
	shift
	printf '%s\n' "$PW" | "$U" --db "$DB" --quiet user add "$who" --role "$@" 2>/dev/null ||
		printf '%s\n' "$PW" | "$U" --db "$DB" --quiet user passwd "$who" >/dev/null
}

for n in $SIZES; do
	dir=$DATA/$n
	build "$n" "$dir"
	DB=$dir/uctrack.db
	# the eight offices with the most open tasks, two officers each
	OFFICES=$(sqlite3 "$DB" "SELECT office FROM task WHERE status = 'open' AND office IS NOT NULL AND office <> 'UNASSIGNED'
		GROUP BY office ORDER BY count(*) DESC LIMIT 8" | tr '\n' ',' | sed 's/,$//')
	k=0
	while [ "$k" -lt "$USERS" ]; do
		off=$(echo "$OFFICES" | cut -d, -f$((k % 8 + 1)))
		adduser "jo-off-$off-$k" officer --office "$off"
		k=$((k + 1))
	done
	for off in $(echo "$OFFICES" | tr ',' ' '); do adduser "jo-sup-$off" supervisor --office "$off"; done
	adduser jo-aud auditor
	if [ "$WARM" = 1 ]; then
		cat "$DB" "$DB-wal" >/dev/null 2>&1 || true
	fi
	if command -v fincore >/dev/null 2>&1; then
		echo "journey $n: database $(fincore --bytes --noheadings --output RES,SIZE "$DB" |
			awk '{printf "%.1f of %.1f GiB in the page cache", $1 / 2^30, $2 / 2^30}')$([ "$WARM" = 1 ] && echo ' (read once first: JOURNEY_WARM=1)')"
	fi
	rm -f "$T/port"
	"$U" --db "$DB" ${JOURNEY_CONFIG:+--config "$JOURNEY_CONFIG"} --quiet serve \
		--listen 127.0.0.1:0 --port-file "$T/port" \
		--threads "$THREADS" >"$T/serve-$n.log" 2>&1 &
	SPID=$!
	i=0
	while [ ! -s "$T/port" ] && [ "$i" -lt 600 ]; do sleep 0.2; i=$((i + 1)); done
	[ -s "$T/port" ] || { cat "$T/serve-$n.log" >&2; exit 1; }
	python3 "$ROOT/bench/journey.py" "http://127.0.0.1:$(cat "$T/port")" "$DB" "$PW" \
		--users "$USERS" --rounds "$ROUNDS" --think "$THINK" --label "$n" --offices "$OFFICES" | tee "$T/out-$n"
	kill "$SPID"
	wait "$SPID" 2>/dev/null || true
	SPID=
done

# Growth: the largest size against the smallest (target: within 1.5x).
first=$(echo "$SIZES" | awk '{print $1}')
last=$(echo "$SIZES" | awk '{print $NF}')
if [ "$first" != "$last" ]; then
	echo "growth $last vs $first children (p99 ratio; target <= 1.5):"
	grep '^JOURNEY' "$T/out-$first" >"$T/a"
	grep '^JOURNEY' "$T/out-$last" >"$T/b"
	paste "$T/a" "$T/b" | awk '{r = ($5 > 0) ? $10 / $5 : 0; printf "  %-18s %8.1f -> %8.1f ms  x%.2f\n", $3, $5, $10, r}'
fi
