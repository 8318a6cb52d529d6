# --help, --version, usage errors, exit codes, --db and config handling.
. "$ROOT/tests/cli/lib.sh"
expect_rc 0 "$UCTRACK" --help
expect_grep '^usage: uctrack' "$T/out"
expect_grep 'import' "$T/out"
expect_rc 0 "$UCTRACK" --version
expect_grep '^uctrack [0-9]+\.[0-9]+\.[0-9]+' "$T/out"
expect_rc 2 "$UCTRACK"
expect_rc 2 "$UCTRACK" frobnicate
expect_grep "unknown command 'frobnicate'" "$T/err"
expect_rc 2 "$UCTRACK" --bogus gen
expect_grep "unknown option '--bogus'" "$T/err"
# config: unknown key in a known section is a clear error with file:line
printf '[store]\ndb = %s/x.db\nbogus = 1\n' "$T" >"$T/bad.ini"
expect_rc 2 "$UCTRACK" --config "$T/bad.ini" import --help
expect_grep "unknown key 'bogus'" "$T/err"
expect_rc 2 "$UCTRACK" --config "$T/missing.ini" import --help
expect_grep "cannot read config file" "$T/err"
# a database from a newer schema is refused
"$UCTRACK" --db "$T/a.db" import --feed cbp "$ROOT/tests/data/cbp_ok.csv" >/dev/null 2>&1 || true
if [ -f "$T/a.db" ]; then
	sqlite3 "$T/a.db" 'PRAGMA user_version=999'
	expect_rc 1 "$UCTRACK" --db "$T/a.db" import --feed cbp "$ROOT/tests/data/cbp_ok.csv"
	expect_grep 'newer than this uctrack' "$T/err"
fi
