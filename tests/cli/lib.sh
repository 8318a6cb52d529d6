# Helpers for black-box tests; source with: . "$ROOT/tests/cli/lib.sh"
set -eu
fail() { echo "FAIL: $*" >&2; exit 1; }
# expect_rc RC CMD...: run CMD, fail unless its exit code is RC.
expect_rc() {
	want=$1; shift
	set +e; "$@" >"$T/out" 2>"$T/err"; got=$?; set -e
	[ "$got" -eq "$want" ] || { cat "$T/out" "$T/err" >&2; fail "expected exit $want, got $got: $*"; }
}
# expect_grep PATTERN FILE: fail unless FILE matches the extended regex.
expect_grep() {
	grep -Eq -- "$1" "$2" || { echo "--- $2:" >&2; head -50 "$2" >&2; fail "no match for '$1' in $2"; }
}
