#!/bin/sh
# Build and run every libFuzzer target (clang -fsanitize=fuzzer,address,
# undefined) for SECONDS each (default 20). Usage: tests/fuzz/run.sh [SECONDS]
# Each target links the src files it needs, named on its first line as
# "// fuzz-objs: FILE..." (globs allowed; default: the ingest module and what
# it uses); the store's migrations are generated here. Corpora live in
# build-fuzz/corpus/NAME (seeded from tests/data), crashes in build-fuzz/.
set -eu
cd "$(dirname "$0")/../.."
secs=${1:-20}
B=build-fuzz
mkdir -p "$B/obj"
CC=${FUZZ_CC:-clang}
PKGS="sqlite3 jansson libsodium libcrypto libutf8proc inih libmicrohttpd"
CFLAGS="-std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -Isrc -Itests/fuzz $(pkg-config --cflags $PKGS) -DUCTRACK_VERSION=\"fuzz\""
SAN="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
LIBS="$(pkg-config --libs $PKGS) -lcsv -lm"
./scripts/embed-sql.sh "$B/migrations.c" src/store/read_indexes.sql $(ls src/store/migrations/*.sql | sort)
DEFAULT_SRCS="src/ingest/*.c src/core/*.c src/store/store.c"
export UCTRACK_EOIR_LOOKUP="${UCTRACK_EOIR_LOOKUP:-$(pwd)/../shared/data/eoir/lookup_tables_combined.csv}"
status=0
for t in tests/fuzz/fuzz_*.c; do
	name=$(basename "$t" .c)
	echo "== $name (${secs}s)"
	srcs=$(sed -n '1s|^// fuzz-objs:||p' "$t")
	[ -n "$srcs" ] || srcs=$DEFAULT_SRCS
	case " $srcs " in *store/store.c*) srcs="$srcs $B/migrations.c" ;; esac
	# shellcheck disable=SC2086
	if ! $CC $CFLAGS $SAN -o "$B/$name" "$t" $srcs $LIBS; then
		echo "FAIL $name: does not build" >&2
		status=1
		continue
	fi
	corpus="$B/corpus/$name"
	mkdir -p "$corpus"
	case $name in
	fuzz_csvr) cp tests/data/import/good/*/*.csv tests/data/import/bad/cbp_*.csv "$corpus"/ ;;
	fuzz_eoir) cp tests/data/import/good/eoir/*.csv tests/data/import/bad/A_Tbl*.csv "$corpus"/ ;;
	fuzz_event) cp tests/data/import/good/events/*.jsonl tests/data/import/bad/*.jsonl "$corpus"/ ;;
	fuzz_audit) cp tests/data/audit/* "$corpus"/ ;;
	esac
	if ! "./$B/$name" -max_total_time="$secs" -max_len=65536 -timeout=10 \
		-rss_limit_mb=2048 -artifact_prefix="$B/$name-" "$corpus" 2>"$B/$name.log"; then
		echo "FAIL $name: see $B/$name.log and $B/$name-*" >&2
		tail -30 "$B/$name.log" >&2
		status=1
	else
		grep -E '^(#[0-9]+.*DONE|Done)' "$B/$name.log" | tail -1 || true
	fi
done
rm -rf /tmp/uctrack-fuzz-*
exit $status
