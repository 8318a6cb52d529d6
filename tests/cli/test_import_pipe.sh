# uctrack import on two threads (the write pipe, src/ingest/wpipe.h): with
# UCTRACK_PIPE_MIN_BYTES=0 every file checked against the in-memory set is
# written by a writer thread. The whole of test_import.sh passes that way
# (every feed, idempotent re-import, versions, bad input with the same
# messages and nothing stored, --skip-bad); databases are the same row for
# row as on one thread (=-1); a database error on the writer thread
# (a trigger refusing one row, mid-file) gives the same message and exit
# code as on one thread and leaves the database as it was.
. "$ROOT/tests/cli/lib.sh"
LK=${UCTRACK_EOIR_LOOKUP:-$ROOT/../shared/data/eoir/lookup_tables_combined.csv}
D=$ROOT/tests/data/import

# the normal scenarios, pipelined
mkdir "$T/imp"
if ! T=$T/imp UCTRACK_PIPE_MIN_BYTES=0 sh "$ROOT/tests/cli/test_import.sh" >"$T/imp.log" 2>&1; then
	tail -30 "$T/imp.log" >&2
	fail "test_import.sh with UCTRACK_PIPE_MIN_BYTES=0"
fi

# a bad setting is a usage error
UCTRACK_PIPE_MIN_BYTES=lots expect_rc 2 "$UCTRACK" --db "$T/u.db" import --feed cbp "$D/good/cbp"
expect_grep 'UCTRACK_PIPE_MIN_BYTES: .lots. is not a whole number' "$T/err"

# --threads 1|2 on the command line (2 with a 1 MiB threshold: the test
# files are small, so this only checks the option is taken and checked)
expect_rc 0 "$UCTRACK" --db "$T/th1.db" import --threads 1 --feed cbp "$D/good/cbp"
expect_rc 0 "$UCTRACK" --db "$T/th2.db" import --threads 2 --feed cbp "$D/good/cbp"
expect_rc 2 "$UCTRACK" --db "$T/th3.db" import --threads 3 --feed cbp "$D/good/cbp"
expect_grep 'import: --threads takes 1 or 2' "$T/err"

# dump DB: every table's rows, import_file without its time
dump() {
	for t in $(sqlite3 "$1" "select name from sqlite_schema where type='table' and name not like 'sqlite_%' order by 1"); do
		cols=$(sqlite3 "$1" "select group_concat('quote(\"'||name||'\")', '||''|''||') from pragma_table_info('$t') where name <> 'imported_at'")
		echo "== $t"
		sqlite3 "$1" "select $cols from \"$t\" order by 1"
	done
}

# imp MODE DB DIR: every feed of DIR (MODE: 0 two threads, -1 one)
imp() {
	for f in cbp orr ice events eoir; do
		UCTRACK_PIPE_MIN_BYTES=$1 expect_rc 0 "$UCTRACK" --db "$2" import --feed $f --eoir-lookup "$LK" "$3"
	done
}

# Same rows on two threads as on one: a generated set (several batches of
# the pipe per file), the same set changed (versions next to unchanged
# rows, rids continuing), the test files.
expect_rc 0 "$UCTRACK" gen --children 6000 --seed 3 --out "$T/g"
[ "$(wc -c < "$T/g/orr/placements.csv")" -gt 1048576 ] || fail "placements.csv should be over 1 MiB"
mkdir -p "$T/g2/cbp" "$T/g2/orr" "$T/g2/events" "$T/g2/eoir" "$T/g2/ice"
awk 'NR > 1 && NR % 7 == 0 { sub(/,M,/, ",F,") } { print }' "$T/g/orr/placements.csv" >"$T/g2/orr/placements.csv"
awk 'NR > 1 && NR % 5 == 0 { sub(/,M,/, ",U,") } { print }' "$T/g/cbp/encounters.csv" >"$T/g2/cbp/encounters.csv"
awk 'NR % 9 == 0 { sub(/legal:/, "legal2:") } { print }' "$T/g/events/events.jsonl" >"$T/g2/events/events.jsonl"
cp "$T/g/eoir/"* "$T/g2/eoir/"
awk 'NR > 1 && NR % 6 == 0 { sub(/\tSP\t/, "\tPOR\t") } { print }' "$T/g/eoir/A_TblCase.csv" >"$T/g2/eoir/A_TblCase.csv"
cp "$T/g/ice/"* "$T/g2/ice/"
for m in 0 -1; do
	imp $m "$T/m$m.db" "$T/g"
	imp $m "$T/m$m.db" "$T/g2"
	imp $m "$T/m$m.db" "$D/good"
done
expect_grep '^eoir: 4 files, 11 rows read, 11 new' "$T/out"
[ "$(sqlite3 "$T/m0.db" 'select count(*) from orr_placement')" -gt 6000 ] || fail "versions"
dump "$T/m0.db" >"$T/m0.dump"
dump "$T/m-1.db" >"$T/m-1.dump"
cmp -s "$T/m0.dump" "$T/m-1.dump" || { diff "$T/m0.dump" "$T/m-1.dump" | head -20 >&2; fail "two threads and one differ"; }

# A database error on the writer thread, mid-file: a trigger refuses one
# row of the feed table, then one derived address row. Same message and
# exit code as on one thread; nothing of the file stored.
refuse() { # refuse MODE DB TABLE WHEN-CONDITION FEED PATH
	sqlite3 "$2" "CREATE TRIGGER refuse BEFORE INSERT ON $3 WHEN $4 BEGIN SELECT RAISE(ABORT, 'refused by test'); END"
	before=$(sqlite3 "$2" .dump | sha256sum)
	UCTRACK_PIPE_MIN_BYTES=$1 expect_rc 1 "$UCTRACK" --db "$2" import --feed $5 --eoir-lookup "$LK" "$6"
	expect_grep 'refused by test' "$T/err"
	[ "$(sqlite3 "$2" .dump | sha256sum)" = "$before" ] || fail "refused row in $3: part of the file stayed in $2"
	sqlite3 "$2" "DROP TRIGGER refuse"
}
for m in 0 -1; do
	rm -f "$T/r.db"*
	expect_rc 0 "$UCTRACK" --db "$T/r.db" import --feed cbp "$D/good/cbp"
	refuse $m "$T/r.db" orr_placement "NEW.line >= 5900" orr "$T/g/orr/placements.csv"
	cp "$T/err" "$T/err.feed$m"
	refuse $m "$T/r.db" address "NEW.src_rid >= 5000" orr "$T/g/orr/placements.csv"
	cp "$T/err" "$T/err.addr$m"
	refuse $m "$T/r.db" field_event "NEW.line >= 3000" events "$T/g/events"
	cp "$T/err" "$T/err.event$m"
	refuse $m "$T/r.db" eoir_hearing "NEW.line >= 2000" eoir "$T/g/eoir/tbl_schedule.csv"
	cp "$T/err" "$T/err.eoir$m"
	# and then the files import
	imp $m "$T/r.db" "$T/g"
done
for k in feed addr event eoir; do
	cmp -s "$T/err.${k}0" "$T/err.${k}-1" || { diff "$T/err.${k}0" "$T/err.${k}-1" >&2; fail "$k: messages differ"; }
done
expect_grep 'constraint failed|refused by test' "$T/err.addr0"
echo ok
