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

# size FILE: its size in bytes, 0 when absent
size() { stat -c %s "$1" 2>/dev/null || echo 0; }

# kill_import: import $T/big.csv and kill -9 it in the middle of its file's
# transaction. No timing guesses: wait until the transaction has written
# 4 MiB of new pages (to the database file under a rollback journal, to the
# WAL otherwise; the page cache is 2 MiB, the whole load about 45 MiB),
# stop the importer there (SIGSTOP), check that it has not finished, run
# $DURING while it holds its transaction, then kill -9.
n=400000
big_csv $n "$T/big.csv"
kill_import() {
	base=$(($(size "$DB") + $(size "$DB-wal")))
	"$UCTRACK" --db "$DB" import --feed cbp "$T/big.csv" >"$T/kout" 2>&1 &
	pid=$!
	polls=0
	while [ $(($(size "$DB") + $(size "$DB-wal") - base)) -lt 4194304 ]; do
		kill -0 $pid 2>/dev/null || { cat "$T/kout" >&2; fail "the import ended before it was seen writing"; }
		polls=$((polls + 1))
		[ $polls -lt 12000 ] || fail "the import was not seen writing within 2 minutes"
		sleep 0.01
	done
	kill -STOP $pid
	polls=0
	while state=$(sed 's/.*) //' "/proc/$pid/stat" | cut -d' ' -f1) && [ "$state" != T ]; do
		[ "$state" != Z ] || fail "the import ended before it was stopped"
		polls=$((polls + 1))
		[ $polls -lt 500 ] || fail "the importer did not stop (state $state)"
		sleep 0.01
	done
	grep -q '^cbp: ' "$T/kout" && fail "the import finished before it was stopped"
	if [ -n "${DURING:-}" ]; then eval "$DURING"; fi
	kill -9 $pid
	wait $pid 2>/dev/null && fail "the killed import exited 0"
	grep -q '^cbp: ' "$T/kout" && fail "the killed import printed a summary"
	return 0
}

# 1. alone: the load ran with a rollback journal, left hot by the kill
kill_import
[ -s "$DB-journal" ] || fail "a load alone uses a rollback journal (no hot journal left)"
after=$(sqlite3 "$DB" .dump | sha256sum)
[ "$after" = "$before" ] || fail "database changed by a killed import"
[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ] || fail "integrity_check after the kill"
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
open(sys.argv[2], 'w').write('open')
time.sleep(600)" "$DB" "$T/holder" &
holder=$!
trap 'kill $holder 2>/dev/null || true' EXIT
polls=0
until [ -s "$T/holder" ]; do
	polls=$((polls + 1))
	[ $polls -lt 3000 ] || fail "the reader did not open the database"
	sleep 0.01
done
DURING='sqlite3 -cmd ".timeout 0" "$DB" "select count(*) from cbp_encounter" >"$T/during" 2>&1 || true'
kill_import
[ ! -e "$DB-journal" ] || fail "a load with a reader present left WAL mode"
[ "$(cat "$T/during")" = 4 ] || fail "a reader was blocked during the load: $(cat "$T/during")"
[ "$(sqlite3 "$DB" 'PRAGMA journal_mode')" = wal ] || fail "still WAL"
kill $holder; wait $holder 2>/dev/null || true
after=$(sqlite3 "$DB" .dump | sha256sum)
[ "$after" = "$before" ] || fail "database changed by a killed import (WAL)"
[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ] || fail "integrity_check after the kill (WAL)"
# and the same file imports cleanly afterwards
expect_rc 0 "$UCTRACK" --db "$DB" import --feed cbp "$T/big.csv"
expect_grep "^cbp: 1 file, $n rows read, $n new" "$T/out"
[ "$(sqlite3 "$DB" 'select count(*) from cbp_encounter')" = $((n + 4)) ] || fail "rows after the rerun (WAL)"
echo ok
