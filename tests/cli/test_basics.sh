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
# a database from a newer schema is refused, with a message that says what
# to do, by read-write and read-only commands alike, and is left as it was
expect_rc 0 "$UCTRACK" --db "$T/a.db" import --feed cbp "$ROOT/tests/data/cbp_ok.csv"
[ -f "$T/a.db" ] || fail "import made no database"
schema=$(sqlite3 "$T/a.db" 'PRAGMA user_version')
[ "$schema" -gt 0 ] || fail "import left schema version '$schema'"
rows=$(sqlite3 "$T/a.db" 'SELECT count(*) FROM cbp_encounter')
[ "$rows" -gt 0 ] || fail "import stored no rows"
newer=$((schema + 1))
sqlite3 "$T/a.db" "PRAGMA user_version=$newer"
want="database schema version $newer is newer than this uctrack \\(version [0-9.]+, schema $schema\\); upgrade uctrack or use another --db"
expect_rc 1 "$UCTRACK" --db "$T/a.db" import --feed cbp "$ROOT/tests/data/cbp_ok.csv"
expect_grep "$want" "$T/err"
expect_rc 1 "$UCTRACK" --db "$T/a.db" triage
expect_grep "$want" "$T/err"
expect_rc 1 "$UCTRACK" --db "$T/a.db" queue
expect_grep "$want" "$T/err"
[ "$(sqlite3 "$T/a.db" 'PRAGMA user_version')" = "$newer" ] || fail "schema version changed"
[ "$(sqlite3 "$T/a.db" 'SELECT count(*) FROM cbp_encounter')" = "$rows" ] ||
	fail "a refused import changed the database"
