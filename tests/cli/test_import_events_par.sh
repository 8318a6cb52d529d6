# uctrack import of an events file whose lines are parsed on two threads
# (src/ingest/evpar.h; on when the file goes through the threaded write
# pipe: UCTRACK_PIPE_MIN_BYTES=0 here) gives what one thread gives (=-1):
# the same messages in the same order, exit codes, summary counts,
# --skip-bad rejects and stored rows, for a file of several batches with
# every kind of bad line sprinkled in (bad JSON, not an object, duplicate
# keys, unknown type, field, value, missing fields, bad A-number and date,
# an event_id seen before with other content and with the same content,
# CRLF, blank lines, invalid UTF-8, NUL escapes, a line over 1 MiB, a last
# line cut short), imported into an empty database and then again.
. "$ROOT/tests/cli/lib.sh"

expect_rc 0 "$UCTRACK" gen --children 6000 --seed 5 --out "$T/g"
E=$T/g/events/events.jsonl
[ "$(wc -l < "$E")" -gt 4000 ] || fail "events.jsonl should span several batches"

# bad lines every few lines (by line number, so both runs see the same file)
LC_ALL=C awk '
{ keep[NR] = $0; k = NR % 41 }
k == 1  { print substr($0, 1, length($0) / 2); next }
k == 2  { sub(/"type":"/, "\"type\":\"x"); print; next }
k == 3 && NR > 10 { l = keep[NR - 5]; sub(/"recorded_by":"/, "\"recorded_by\":\"Z", l); print l; next }
k == 4 && NR > 30 { print keep[NR - 20]; next }
k == 5  { sub(/"occurred_at":/, "\"occurred_atx\":"); print; next }
k == 6  { print $0 "\r"; next }
k == 7  { print ""; print "   \t"; print; next }
k == 8  { print "[1,2]"; next }
k == 9  { sub(/^\{/, "{\"type\":\"claim\","); print; next }
k == 10 { sub(/"a_number":"/, "\"a_number\":\"9"); print; next }
k == 11 { sub(/"occurred_at":"/, "\"occurred_at\":\"x"); print; next }
k == 12 { sub(/\}$/, ",\"colour\":\"red\"}"); print; next }
k == 13 { sub(/"status":"/, "\"status\":\"q"); print; next }
k == 14 { sub(/"event_id":"/, "\"event_id\":\"\\u00e9\\n"); print; next }
k == 15 { sub(/"event_id":"/, "\"event_id\":\"\\u0000"); print; next }
k == 16 { sub(/^\{/, "{ \"zip\" : null , "); print; next }
k == 17 { print "\377" $0; next }
k == 18 { sub(/"a_number":"/, "\"a_number\":\"A-"); print $0 "\r"; next }
k == 19 { sub(/"recorded_by":"/, "\"recorded_by\":\"\\u0001\\/"); print; next }
k == 20 { print "17"; next }
{ print }
' "$E" >"$T/body.jsonl"
{
	head -n 2500 "$T/body.jsonl"
	printf '{"event_id":"'
	head -c 1100000 /dev/zero | tr '\0' x
	echo '"}'
	tail -n +2501 "$T/body.jsonl"
	head -1 "$E" | cut -c1-60 | tr -d '\n'
} >"$T/bad.jsonl"

# run MODE: import bad.jsonl without and with --skip-bad, then again;
# results in $T/MODE.*
run() {
	m=$1
	rm -f "$T/db$m"* "$T/rej.csv"
	UCTRACK_PIPE_MIN_BYTES=$m expect_rc 1 "$UCTRACK" --db "$T/db$m.a" import --feed events "$T/bad.jsonl"
	sed 's/[0-9.]* s, [0-9]* rows\/s//' "$T/out" >"$T/$m.a.out"
	cp "$T/err" "$T/$m.a.err"
	[ "$(sqlite3 "$T/db$m.a" 'select count(*) from field_event')" = 0 ] || fail "bad file stored rows ($m)"
	for k in b c; do
		UCTRACK_PIPE_MIN_BYTES=$m expect_rc 0 "$UCTRACK" --db "$T/db$m.b" import --feed events \
			--skip-bad "$T/rej.csv" "$T/bad.jsonl"
		sed 's/[0-9.]* s, [0-9]* rows\/s//' "$T/out" >"$T/$m.$k.out"
		cp "$T/err" "$T/$m.$k.err"
		mv "$T/rej.csv" "$T/$m.$k.rej"
	done
}

# dump DB: the tables an events import writes, import_file without its time
dump() {
	for t in field_event address claim representation import_file; do
		cols=$(sqlite3 "$1" "select group_concat('quote(\"'||name||'\")', '||''|''||') from pragma_table_info('$t') where name <> 'imported_at'")
		echo "== $t"
		sqlite3 "$1" "select $cols from \"$t\" order by 1"
	done
}

run 0
run -1
for f in a.out a.err b.out b.err b.rej c.out c.err c.rej; do
	cmp -s "$T/0.$f" "$T/-1.$f" || { diff "$T/0.$f" "$T/-1.$f" | head -20 >&2; fail "$f: two threads and one differ"; }
done
dump "$T/db0.b" >"$T/0.dump"
dump "$T/db-1.b" >"$T/-1.dump"
cmp -s "$T/0.dump" "$T/-1.dump" || { diff "$T/0.dump" "$T/-1.dump" | head -20 >&2; fail "stored rows differ"; }

# and the file had what it should (one mode suffices: they are the same)
expect_grep 'bad.jsonl: [0-9]+ errors: nothing imported from this file' "$T/0.a.err"
expect_grep '^events: 1 file, [0-9]+ rows read, [0-9]+ new, [1-9][0-9]* unchanged, [1-9][0-9]* rejected' "$T/0.b.out"
expect_grep '^events: 1 file, [0-9]+ rows read, 0 new, [1-9][0-9]* unchanged' "$T/0.c.out"
for p in '"json","' '"event","line longer than 1 MiB"' 'cut short: file truncated' \
	'"event","each line must be a JSON object"' 'duplicate object key' \
	'"type","unknown event type' '"occurred_at","required field .occurred_at. is missing' \
	'"colour","unknown field' '"status","unknown value' '"a_number","' \
	'"event_id","duplicate key EV-'; do
	expect_grep "$p" "$T/0.b.rej"
done
[ "$(sqlite3 "$T/db0.b" 'select count(*) from field_event')" -gt 3000 ] || fail "good lines stored"
echo ok
