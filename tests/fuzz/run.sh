#!/bin/sh
# Build and run every libFuzzer target (clang -fsanitize=fuzzer,address,
# undefined) for SECONDS each (default 20); with PATTERN, only the targets
# whose name contains it. Usage: tests/fuzz/run.sh [SECONDS [PATTERN]]
# Each target links the src files it needs, named on its first line as
# "// fuzz-objs: FILE..." (continued on the // lines that follow it, as
# clang-format wraps them; globs allowed; default: the ingest module and what
# it uses); the store's migrations are generated here. Corpora live in
# build-fuzz/corpus/NAME (seeded from tests/data), crashes in build-fuzz/.
set -eu
cd "$(dirname "$0")/../.."
secs=${1:-20}
only=${2:-}
B=build-fuzz
mkdir -p "$B/obj"
CC=${FUZZ_CC:-clang}
PKGS="sqlite3 jansson libsodium libcrypto libutf8proc inih libmicrohttpd"
CFLAGS="-std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -Isrc -Itests/fuzz $(pkg-config --cflags $PKGS) -DUCTRACK_VERSION=\"fuzz\""
SAN="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
LIBS="$(pkg-config --libs $PKGS) -lcsv -lm"
./scripts/embed-sql.sh "$B/migrations.c" src/store/read_indexes.sql $(ls src/store/migrations/*.sql | sort)
./scripts/embed-web.sh "$B/webassets.c" $(ls web/* | sort)
DEFAULT_SRCS="src/ingest/*.c src/core/*.c src/store/store.c src/auth/seal.c"
export UCTRACK_EOIR_LOOKUP="${UCTRACK_EOIR_LOOKUP:-$(pwd)/../shared/data/eoir/lookup_tables_combined.csv}"
# seed_http DIR: raw requests for fuzz_http; the cookie and CSRF token are
# the fixed session that fuzz_http.c creates (FUZZ_SESSION, FUZZ_CSRF).
seed_http() {
	ck='Cookie: uc_session=fuzzSessionCookie0123456789abcdefghijklmnop'
	csrf='X-CSRF-Token: fuzzCsrfToken0123456789abcdefghijklmnopqrst'
	login='{"username":"fuzz-officer","password":"fuzz-password-0123"}'
	ev='{"type":"contact_attempt","method":"phone","outcome":"no_answer"}'
	printf 'GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n' >"$1/health"
	printf 'GET / HTTP/1.0\r\n\r\n' >"$1/index"
	printf 'POST /api/v1/session HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' \
		${#login} "$login" >"$1/login"
	printf 'GET /api/v1/session HTTP/1.1\r\nHost: localhost\r\n%s\r\n\r\n' "$ck" >"$1/session"
	printf 'GET /api/v1/queue?limit=5 HTTP/1.1\r\nHost: localhost\r\n%s\r\nX-Purpose: fuzz\r\n\r\n' "$ck" >"$1/queue"
	printf 'GET /api/v1/cases?q=TESTA%%20LOPEZ HTTP/1.1\r\nHost: localhost\r\n%s\r\nX-Purpose: fuzz\r\n\r\n' "$ck" >"$1/search"
	printf 'POST /api/v1/cases/1/events HTTP/1.1\r\nHost: localhost\r\n%s\r\n%s\r\nX-Purpose: fuzz\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' \
		"$ck" "$csrf" ${#ev} "$ev" >"$1/event"
	# field work (docs/work.md)
	printf 'GET /api/v1/work/cases?overdue=1&sort=due&limit=5&format=csv HTTP/1.1\r\nHost: localhost\r\n%s\r\nX-Purpose: fuzz\r\n\r\n' "$ck" >"$1/work-queue"
	printf 'GET /api/v1/inbox?count_only=1 HTTP/1.1\r\nHost: localhost\r\n%s\r\n\r\n' "$ck" >"$1/inbox"
	task='{"outcome":"not_possible","reason":"x","details":{"method":"phone"}}'
	printf 'POST /api/v1/cases/1/tasks/contact HTTP/1.1\r\nHost: localhost\r\n%s\r\n%s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' \
		"$ck" "$csrf" ${#task} "$task" >"$1/task"
	asg='{"case_ids":[1,2],"assignee":null}'
	printf 'POST /api/v1/work/assign HTTP/1.1\r\nHost: localhost\r\n%s\r\n%s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' \
		"$ck" "$csrf" ${#asg} "$asg" >"$1/assign"
	c1=$(printf %s "$login" | cut -c1-16)
	c2=$(printf %s "$login" | cut -c17-)
	printf 'POST /api/v1/session HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n' \
		${#c1} "$c1" ${#c2} "$c2" >"$1/chunked"
	printf 'POST /api/v1/session HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: %d\r\nContent-Length: 5\r\n\r\n%s' \
		${#login} "$login" >"$1/dup-length"
	printf 'GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\n\r\nGET /api/v1/queue HTTP/1.1\r\nHost: localhost\r\n%s\r\nConnection: close\r\n\r\n' "$ck" >"$1/pipelined"
}

status=0
for t in tests/fuzz/fuzz_*.c; do
	name=$(basename "$t" .c)
	case $name in *"$only"*) ;; *) continue ;; esac
	echo "== $name (${secs}s)"
	# line 1, and the // lines right after it (clang-format wraps long ones)
	srcs=$(awk 'NR == 1 { if (sub(/^\/\/ fuzz-objs:/, "")) { print; go = 1; next } else exit }
		go && /^\/\/ / { sub(/^\/\/ /, ""); print; next } { exit }' "$t" | tr '\n' ' ')
	[ -n "$srcs" ] || srcs=$DEFAULT_SRCS
	case " $srcs " in *store/store.c*) srcs="$srcs $B/migrations.c" ;; esac
	case " $srcs " in *src/web/*) srcs="$srcs $B/webassets.c" ;; esac
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
	fuzz_http) seed_http "$corpus" ;;
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
