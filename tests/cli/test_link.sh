# uctrack link: full and incremental runs on generated data, review,
# accept/reject, merge and split surviving a re-run, usage errors.
. "$ROOT/tests/cli/lib.sh"
DB=$T/t.db
q() { sqlite3 "$DB" "$1"; }
"$UCTRACK" gen --children 400 --seed 11 --out "$T/g" >/dev/null
for f in cbp orr eoir ice events; do
	"$UCTRACK" --db "$DB" import --feed $f "$T/g/$f" >/dev/null
done
expect_rc 0 "$UCTRACK" link --help
expect_grep 'usage: uctrack link' "$T/out"
expect_rc 0 "$UCTRACK" --db "$DB" link
expect_grep '^full link run 1: records [0-9]+' "$T/out"
expect_grep 'A-number conflicts [0-9]+, of them queued [0-9]+' "$T/out"
# the review queue holds only open questions (worth_review in link.c):
# two different valid A-numbers only with exact family names, given names
# exact or one within the other, birth dates exact, swapped or a year
# apart; other refused links only when family names agree exactly, given
# names exactly or one within the other, and birth dates are not near,
# different or far; pairs between the thresholds only with two of family,
# given, birth date exact and no name different. Refused links not queued are status conflict.
ADIFF="vector LIKE 'anum=diff %' AND NOT (vector LIKE '%fam=exact %' AND (vector LIKE '%giv=exact %' OR vector LIKE '%giv=subset %') AND (vector LIKE '%dob=exact %' OR vector LIKE '%dob=swap %' OR vector LIKE '%dob=year1 %' OR vector LIKE '%dob=- %'))"
CONFL="reason IN ('anumber', 'incompatible') AND vector NOT LIKE 'anum=diff %' AND NOT (vector LIKE '%fam=exact %' AND (vector LIKE '%giv=exact %' OR vector LIKE '%giv=subset %') AND vector NOT LIKE '%dob=diff%' AND vector NOT LIKE '%dob=far%' AND vector NOT LIKE '%dob=near%')"
BAND="reason = 'threshold' AND vector NOT LIKE 'anum=diff %' AND ((vector LIKE '%fam=exact %') + (vector LIKE '%giv=exact %') + (vector LIKE '%dob=exact %') < 2 OR vector LIKE '%fam=diff %' OR vector LIKE '%giv=diff %')"
[ "$(q "SELECT COUNT(*) FROM link_pair WHERE status='review' AND (($ADIFF) OR ($CONFL) OR ($BAND))")" -eq 0 ] || fail "review queue holds a pair that worth_review rejects"
[ "$(q "SELECT COUNT(*) FROM link_pair WHERE status='conflict' AND NOT (($ADIFF) OR ($CONFL))")" -eq 0 ] || fail "a plausible conflict kept out of the queue"
# full runs drop and rebuild the secondary indexes of the tables they
# rewrite: all of them are back
for i in person_record_person person_anumber_person link_pair_status sponsor_record_sponsor sponsor_record_addr link_flag_child_person person_anum_triage; do
	[ "$(q "SELECT COUNT(*) FROM sqlite_master WHERE type='index' AND name='$i'")" -eq 1 ] || fail "index $i missing after a full run"
done
# every identity record has a person; persons close to the 400 children
n=$(q "SELECT COUNT(*) FROM cbp_encounter") ; m=$(q "SELECT COUNT(*) FROM person_record WHERE src_tbl='cbp_encounter'")
[ "$n" -eq "$m" ] || fail "every encounter linked ($m of $n)"
p=$(q "SELECT COUNT(DISTINCT person_id) FROM person_record")
[ "$p" -ge 390 ] && [ "$p" -le 420 ] || fail "persons $p, expected about 400"
# dependent records follow their A-number / IDNCASE
u=$(q "SELECT COUNT(*) FROM record_person WHERE src_tbl='eoir_hearing' AND person_id IS NULL")
[ "$u" -eq 0 ] || fail "$u hearings without a person"
# second run: incremental, nothing new
expect_rc 0 "$UCTRACK" --db "$DB" link
expect_grep '^incremental link run 2: records 0 \(new 0\)' "$T/out"
# review listing
expect_rc 0 "$UCTRACK" --db "$DB" link review --limit 5
# accept/reject errors
expect_rc 1 "$UCTRACK" --db "$DB" link accept 999999
expect_grep 'no link pair 999999' "$T/err"
expect_rc 2 "$UCTRACK" --db "$DB" link accept
expect_rc 2 "$UCTRACK" --db "$DB" link accept x1
expect_rc 2 "$UCTRACK" --db "$DB" link frobnicate
# merge two persons, split a record off another, both survive --full
a=$(q "SELECT MIN(person_id) FROM person_record")
b=$(q "SELECT MAX(person_id) FROM person_record")
expect_rc 2 "$UCTRACK" --db "$DB" link merge "$a" "$b"
expect_grep 'reason' "$T/err"
expect_rc 0 "$UCTRACK" --db "$DB" link merge "$a" "$b" --reason "same child (test)"
expect_grep "person $b merged into $a" "$T/out"
s=$(q "SELECT person_id FROM person_record GROUP BY person_id HAVING COUNT(*) >= 3 AND person_id <> $a LIMIT 1")
r=$(q "SELECT src_tbl || ':' || src_rid FROM person_record WHERE person_id = $s ORDER BY src_tbl DESC LIMIT 1")
expect_rc 0 "$UCTRACK" --db "$DB" link split "$s" "$r" --reason "twin (test)"
expect_grep "to new person" "$T/out"
expect_rc 1 "$UCTRACK" --db "$DB" link split "$s" nosuch:1 --reason x
expect_grep 'TABLE:RID|table must be' "$T/err"
expect_rc 0 "$UCTRACK" --db "$DB" link --full
expect_grep '^full link run' "$T/out"
rt=${r%%:*}; rr=${r#*:}
[ "$(q "SELECT COUNT(DISTINCT person_id) FROM person_record WHERE person_id IN (SELECT person_id FROM person_record WHERE src_tbl='$rt' AND src_rid=$rr) AND person_id = $s")" -eq 0 ] || fail "split record went back"
ma=$(q "SELECT person_id FROM person_record WHERE (src_tbl, src_rid) = (SELECT src_tbl, src_rid FROM person_record ORDER BY person_id LIMIT 1)")
[ "$(q "SELECT COUNT(*) FROM link_decision")" -eq 2 ] || fail "two decisions recorded"
# the server's search keys
[ "$(q "SELECT COUNT(*) FROM person_key WHERE kind='family'")" -gt 0 ] || fail "person_key"
