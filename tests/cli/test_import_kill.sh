# kill -9 in the middle of an import leaves the database exactly as it was
# before that file (one transaction per file), both when the import has
# the database to itself (rollback journal: a hot journal, rolled back by
# the next open) and when another connection has it open (WAL recovery).
. "$ROOT/tests/cli/lib.sh"
D=$ROOT/tests/data/import
DB=$T/k.db
expect_rc 0 "$UCTRACK" --db "$DB" import --feed cbp "$D/good/cbp"
before=$(sqlite3 "$DB" .dump | sha256sum)

# big_csv N FILE: N synthetic CBP rows (valid, distinct keys)
big_csv() {
	awk -v n="$1" 'BEGIN {
		print "encounter_id,a_number,family_name,given_name,birth_date,sex,country,language,encounter_date,sector,place,uac,tvpra_screening"
		for (i = 0; i < n; i++)
			printf "K-%09d,%09d,FAMILY %d,GIVEN %d,2007-03-14,M,HN,spa,2021-04-02,RGV,Hidalgo TX,Y,\n", i, 100000000 + i, i % 997, i % 991
	}' >"$2"
}

# kill_import: import $T/big.csv, kill it under way; sets killed=1 and
# leaves the files as the kill left them (retries with bigger files).
n=400000
kill_import() {
killed=0
for attempt in 1 2 3 4; do
	big_csv $n "$T/big.csv"
	"$UCTRACK" --db "$DB" import --feed cbp "$T/big.csv" >"$T/kout" 2>&1 &
	pid=$!
	# wait until the import is under way (its transaction is open), then kill
	sleep 0.5
	if [ -n "${DURING:-}" ]; then eval "$DURING"; fi
	if kill -9 $pid 2>/dev/null; then
		wait $pid 2>/dev/null || true
		if ! grep -q '^cbp: ' "$T/kout"; then killed=1; break; fi
	fi
	wait $pid 2>/dev/null || true
	# finished before the kill: start over with a bigger file
	rm -f "$DB" "$DB-wal" "$DB-shm" "$DB-journal"
	expect_rc 0 "$UCTRACK" --db "$DB" import --feed cbp "$D/good/cbp"
	before=$(sqlite3 "$DB" .dump | sha256sum)
	n=$((n * 3))
done
[ "$killed" -eq 1 ] || fail "could not kill the import in time (machine too fast?)"
}

# 1. alone: the load ran with a rollback journal, left hot by the kill
kill_import
[ -s "$DB-journal" ] || fail "a load alone uses a rollback journal (no hot journal left)"
after=$(sqlite3 "$DB" .dump | sha256sum)
[ "$after" = "$before" ] || fail "database changed by a killed import"
[ "$(sqlite3 "$DB" 'select count(*) from cbp_encounter')" = 4 ] || fail "rows"
[ "$(sqlite3 "$DB" 'select count(*) from import_file')" = 1 ] || fail "import_file"
# and the same file imports cleanly afterwards
expect_rc 0 "$UCTRACK" --db "$DB" import --feed cbp "$T/big.csv"
expect_grep "^cbp: 1 file, $n rows read, $n new" "$T/out"
[ "$(sqlite3 "$DB" 'PRAGMA journal_mode')" = wal ] || fail "back to WAL after the load"

# 2. another connection has the database open (a server, say): the load
# stays in WAL mode, the reader is never blocked, a kill changes nothing
rm -f "$DB" "$DB-wal" "$DB-shm" "$DB-journal"
expect_rc 0 "$UCTRACK" --db "$DB" import --feed cbp "$D/good/cbp"
before=$(sqlite3 "$DB" .dump | sha256sum)
python3 -c "
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1])
c.execute('select count(*) from cbp_encounter').fetchall()
time.sleep(60)" "$DB" &
holder=$!
sleep 0.3
DURING='sqlite3 -cmd ".timeout 0" "$DB" "select count(*) from cbp_encounter" >"$T/during" 2>&1 || true'
kill_import
[ ! -e "$DB-journal" ] || fail "a load with a reader present left WAL mode"
[ "$(cat "$T/during")" = 4 ] || fail "a reader was blocked during the load: $(cat "$T/during")"
[ "$(sqlite3 "$DB" 'PRAGMA journal_mode')" = wal ] || fail "still WAL"
kill $holder 2>/dev/null; wait $holder 2>/dev/null || true
after=$(sqlite3 "$DB" .dump | sha256sum)
[ "$after" = "$before" ] || fail "database changed by a killed import (WAL)"
echo ok
