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
# HTTP as a signed-in user NAME (cookie jar $T/NAME.jar, CSRF token in
# $T/NAME.csrf, written by the suite's own login): $B is the API base URL,
# $P a header sent with every request (the purpose).
req() { # req NAME METHOD PATH [BODY] -> status; body in $T/body
	who=$1 m=$2 p=$3; shift 3
	csrf=$(cat "$T/$who.csrf" 2>/dev/null || true)
	if [ $# -gt 0 ]; then
		curl -s -o "$T/body" -w '%{http_code}' -X "$m" -b "$T/$who.jar" -H "$P" \
			-H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
			--data-binary "$1" "$B$p"
	else
		curl -s -o "$T/body" -w '%{http_code}' -X "$m" -b "$T/$who.jar" -H "$P" \
			-H "X-CSRF-Token: $csrf" "$B$p"
	fi
}
expect() { # expect CODE NAME METHOD PATH [BODY]
	want=$1; shift
	got=$(req "$@")
	[ "$got" = "$want" ] || { cat "$T/body"; echo; fail "$*: expected $want, got $got"; }
}
