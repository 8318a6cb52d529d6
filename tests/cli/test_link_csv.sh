# uctrack link --csv: generic mode on small synthetic CSVs; clear errors.
. "$ROOT/tests/cli/lib.sh"
cat >"$T/a.csv" <<'CSV'
rec_id, given_name, surname, date_of_birth, postcode
a1, maria, garcia, 19900101, 2000
a2, jose, lopez, 19851212, 3000
a3, ana, mejia, 20010505, 4000
a4, luis, perez, 19770707, 5000
a5, rosa, cruz, 19660606, 6000
a6, kevin, ochoa, 19950303, 7000
CSV
cat >"$T/b.csv" <<'CSV'
rec_id, given_name, surname, date_of_birth, postcode
b1, maria, garcya, 19900101, 2000
b2, jose, lopes, 19851221, 3000
b3, anna, mejia, 20010505, 4000
b4, luis, peres, 19770707, 5001
b5, rosa, cruz, 19660606, 6000
b6, kevin, ochoa, 19950303, 7000
CSV
expect_rc 0 "$UCTRACK" link --csv "$T/a.csv" "$T/b.csv" --id rec_id \
	--fields given_name,surname,date_of_birth,postcode --out "$T/c.csv"
expect_grep '^records 12, pairs compared' "$T/out"
head -1 "$T/c.csv" | grep -qx 'record_id,cluster_id' || fail "header"
[ "$(wc -l <"$T/c.csv")" -eq 13 ] || fail "one row per record"
grep -qx 'a1,a1' "$T/c.csv" || { cat "$T/c.csv"; fail "a1 is its own cluster"; }
grep -qx 'b5,a5' "$T/c.csv" || { cat "$T/c.csv"; fail "b5 should link to a5"; }
grep -qx 'b6,a6' "$T/c.csv" || fail "b6 should link to a6"
# one file: deduplication
cat "$T/a.csv" >"$T/ab.csv"; tail -n +2 "$T/b.csv" >>"$T/ab.csv"
expect_rc 0 "$UCTRACK" --quiet link --csv "$T/ab.csv" --id rec_id \
	--fields given_name,surname,date_of_birth,postcode --out "$T/d.csv"
[ ! -s "$T/out" ] || fail "--quiet prints nothing"
grep -qx 'b5,a5' "$T/d.csv" || fail "dedup: b5 with a5"
# errors
expect_rc 1 "$UCTRACK" link --csv "$T/a.csv" --id rec_id --fields given_name,nosuch --out "$T/x.csv"
expect_grep "no column 'nosuch' \(columns: rec_id,given_name" "$T/err"
: >"$T/empty.csv"
expect_rc 1 "$UCTRACK" link --csv "$T/empty.csv" --id rec_id --fields a --out "$T/x.csv"
expect_grep 'empty file' "$T/err"
echo "rec_id,a" >"$T/hdr.csv"
expect_rc 1 "$UCTRACK" link --csv "$T/hdr.csv" --id rec_id --fields a --out "$T/x.csv"
expect_grep 'header only' "$T/err"
printf 'rec_id,a\nx,1\ny,2,3\n' >"$T/ragged.csv"
expect_rc 1 "$UCTRACK" link --csv "$T/ragged.csv" --id rec_id --fields a --out "$T/x.csv"
expect_grep 'row 3 has 3 fields but the header has 2' "$T/err"
expect_rc 1 "$UCTRACK" link --csv "$T/nofile.csv" --id rec_id --fields a --out "$T/x.csv"
expect_grep 'cannot open' "$T/err"
expect_rc 2 "$UCTRACK" link --csv "$T/a.csv" --fields a --out "$T/x.csv"
expect_grep 'id COLUMN is required' "$T/err"
expect_rc 2 "$UCTRACK" link --csv "$T/a.csv" "$T/a.csv" "$T/a.csv" --id rec_id --fields a --out "$T/x.csv"
[ ! -e "$T/x.csv" ] || fail "no output on error"
# ids with commas and quotes are quoted in the output
printf 'id,n\n"x,1",ana\n"y""2",ana\n' >"$T/q.csv"
expect_rc 0 "$UCTRACK" link --csv "$T/q.csv" --id id --fields n --out "$T/q.out"
grep -qx '"x,1","x,1"' "$T/q.out" || { cat "$T/q.out"; fail "quoted id"; }
