#!/bin/sh
# Black-box tests: run every tests/cli/test_*.sh against the real binary.
# Each test script gets $UCTRACK (the binary), $ROOT (project root) and a
# fresh $T (temporary directory, removed afterwards), and exits non-zero on
# failure. Usage: tests/cli/run.sh [NAME-PATTERN]
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
: "${UCTRACK:=$ROOT/build/uctrack}"
export UCTRACK ROOT
pass=0; fail=0; failed=""
for t in "$here"/test_*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	if [ $# -gt 0 ] && ! echo "$name" | grep -q -- "$1"; then continue; fi
	T=$(mktemp -d /tmp/uctrack-cli.XXXXXX)
	export T
	if sh "$t" >"$T.log" 2>&1; then
		pass=$((pass + 1)); echo "ok   $name"
	else
		fail=$((fail + 1)); failed="$failed $name"; echo "FAIL $name"
		sed 's/^/     | /' "$T.log" | tail -40
	fi
	rm -rf "$T" "$T.log"
done
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
