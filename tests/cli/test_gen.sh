#!/bin/sh
# uctrack gen: help, usage errors, files and headers, determinism.
. "$ROOT/tests/cli/lib.sh"

expect_rc 0 "$UCTRACK" gen --help
expect_grep '^usage: uctrack gen' "$T/out"

expect_rc 2 "$UCTRACK" gen
expect_grep 'children' "$T/err"
expect_rc 2 "$UCTRACK" gen --children 10
expect_grep 'out' "$T/err"
expect_rc 2 "$UCTRACK" gen --children 0 --out "$T/x"
expect_rc 2 "$UCTRACK" gen --children abc --out "$T/x"
expect_rc 2 "$UCTRACK" gen --children 10 --seed -1 --out "$T/x"
expect_rc 2 "$UCTRACK" gen --children 10 --out "$T/x" --as-of 2025-13-01
expect_rc 2 "$UCTRACK" gen --children 10 --out "$T/x" --bogus
expect_grep "unknown argument '--bogus'" "$T/err"
expect_rc 2 "$UCTRACK" gen --children
[ ! -e "$T/x" ] || fail "usage error created output"

# unwritable output: runtime failure, exit 3
expect_rc 3 "$UCTRACK" gen --children 10 --out /proc/uctrack-no/such

expect_rc 0 "$UCTRACK" gen --children 300 --seed 5 --out "$T/g"
for f in eoir/A_TblCase.csv eoir/B_TblProceeding.csv eoir/tbl_schedule.csv \
	eoir/tbl_JuvenileHistory.csv eoir/Count.txt cbp/encounters.csv \
	orr/placements.csv orr/post_release.csv ice/nta.csv ice/removals.csv \
	ice/indicators.csv events/events.jsonl truth/records.csv truth/children.csv; do
	[ -s "$T/g/$f" ] || fail "missing or empty $f"
done
ls -a "$T/g"/*/ | grep -q '\.tmp' && fail "temporary files left behind"

head -1 "$T/g/cbp/encounters.csv" >"$T/h"
expect_grep '^encounter_id,a_number,family_name,given_name,birth_date,sex,country,language,encounter_date,sector,place,uac,tvpra_screening$' "$T/h"
head -1 "$T/g/orr/placements.csv" >"$T/h"
expect_grep '^placement_id,a_number,family_name,given_name,birth_date,sex,country,facility,admitted_date,released_date,discharge,sponsor_id,sponsor_family_name,sponsor_given_name,sponsor_relationship,sponsor_category,address_street,address_unit,address_city,address_state,address_zip,sponsor_phone$' "$T/h"
head -1 "$T/g/orr/post_release.csv" >"$T/h"
expect_grep '^contact_id,placement_id,a_number,contact_date,method,result$' "$T/h"
head -1 "$T/g/ice/nta.csv" >"$T/h"
expect_grep '^nta_id,a_number,family_name,given_name,birth_date,issued_date,served_date,service_method,served_street,served_unit,served_city,served_state,served_zip,filed_date,base_city_code$' "$T/h"
head -1 "$T/g/ice/removals.csv" >"$T/h"
expect_grep '^action_id,a_number,action,action_date,idncase$' "$T/h"
head -1 "$T/g/ice/indicators.csv" >"$T/h"
expect_grep '^indicator_id,a_number,category,code,source,authorised,observed_date,note$' "$T/h"
head -1 "$T/g/truth/records.csv" >"$T/h"
expect_grep '^feed,table,source_key,child_id,sponsor_id$' "$T/h"
head -1 "$T/g/truth/children.csv" >"$T/h"
expect_grep '^child_id,a_number,family_name,given_name,birth_date,sex,country,language,fiscal_year,encounter_date,released_date,sponsor_id,sponsor_category,sponsor_state,address_problem,nta_served,nta_filed,has_hearing,failed_to_appear,in_absentia,in_absentia_rescinded,represented,pending_claim,public_safety,border_security,trafficking,repeat_encounter,tvpra' "$T/h"
head -1 "$T/g/eoir/A_TblCase.csv" >"$T/h"
expect_grep '^IDNCASE	ALIEN_CITY	ALIEN_STATE	ALIEN_ZIPCODE	.*	CASEPRIORITY_CODE	ALIEN_NBR	LAST_NAME	FIRST_NAME$' "$T/h"
head -1 "$T/g/eoir/tbl_JuvenileHistory.csv" >"$T/h"
expect_grep '^idnJuvenileHistory	idnCase	idnProceeding	idnJuvenile	DATCREATEDON	DATMODIFIEDON$' "$T/h"
head -1 "$T/g/events/events.jsonl" >"$T/h"
expect_grep '^\{"event_id":"EV-[0-9]+","type":"[a-z_]+","a_number":"[0-9]{9}","occurred_at":"[0-9]{4}-[0-9]{2}-[0-9]{2}"' "$T/h"

# Count.txt agrees with the tables
for t in A_TblCase B_TblProceeding tbl_schedule tbl_JuvenileHistory; do
	want=$(($(wc -l <"$T/g/eoir/$t.csv") - 1))
	grep -q "^$t	$want\$" "$T/g/eoir/Count.txt" || fail "Count.txt disagrees for $t"
done
# every child in truth
[ "$(wc -l <"$T/g/truth/children.csv")" -eq 301 ] || fail "children.csv rows"

# same seed, same bytes; --seed=S form accepted
expect_rc 0 "$UCTRACK" gen --children=300 --seed=5 --out="$T/g2"
for f in cbp/encounters.csv eoir/A_TblCase.csv events/events.jsonl truth/records.csv; do
	cmp -s "$T/g/$f" "$T/g2/$f" || fail "not deterministic: $f"
done
expect_rc 0 "$UCTRACK" gen --children 300 --seed 6 --out "$T/g3"
cmp -s "$T/g/cbp/encounters.csv" "$T/g3/cbp/encounters.csv" && fail "seed ignored"

# --defects: the tables still have a row count matching Count.txt
expect_rc 0 "$UCTRACK" gen --children 3000 --seed 1 --defects --out "$T/d"
want=$(($(wc -l <"$T/d/eoir/A_TblCase.csv") - 1))
grep -q "^A_TblCase	$want\$" "$T/d/eoir/Count.txt" || fail "Count.txt with --defects"

# --profile hard: more columns in the truth, siblings and twins, missing
# A-numbers; deterministic; --rate changes one rate; bad rates are usage errors
expect_rc 0 "$UCTRACK" gen --children 3000 --seed 2 --profile hard --out "$T/h1"
head -1 "$T/h1/truth/children.csv" >"$T/h"
expect_grep ',moved,family_id,twin$' "$T/h"
sib=$(awk -F, 'NR > 1 { n[$(NF-1)]++ } END { for (f in n) if (n[f] > 1) s++; print s + 0 }' "$T/h1/truth/children.csv")
[ "$sib" -gt 100 ] || fail "hard profile: only $sib families with siblings"
grep -q ',Y$' "$T/h1/truth/children.csv" || fail "hard profile: no twins"
noan=$(awk -F, 'NR > 1 && $2 == ""' "$T/h1/cbp/encounters.csv" | wc -l)
[ "$noan" -gt 500 ] || fail "hard profile: $noan CBP rows without an A-number"
expect_rc 0 "$UCTRACK" gen --children 3000 --seed 2 --profile=hard --out "$T/h2"
cmp -s "$T/h1/cbp/encounters.csv" "$T/h2/cbp/encounters.csv" || fail "hard profile not deterministic"
expect_rc 0 "$UCTRACK" gen --children 3000 --seed 2 --profile hard --rate anum_missing=0 --rate sibling=0 --out "$T/h3"
noan=$(awk -F, 'NR > 1 && $2 == ""' "$T/h3/cbp/encounters.csv" | wc -l)
[ "$noan" -eq 0 ] || fail "--rate anum_missing=0 ignored"
grep -q ',Y$' "$T/h3/truth/children.csv" && fail "--rate sibling=0 ignored"
expect_rc 0 "$UCTRACK" gen --children 300 --seed 5 --profile default --out "$T/g4"
cmp -s "$T/g/truth/children.csv" "$T/g4/truth/children.csv" || fail "--profile default differs from no profile"
expect_rc 2 "$UCTRACK" gen --children 10 --out "$T/x" --profile easy
expect_rc 2 "$UCTRACK" gen --children 10 --out "$T/x" --profile hard --rate nosuch=0.1
expect_rc 2 "$UCTRACK" gen --children 10 --out "$T/x" --profile hard --rate twin=1.5
expect_rc 2 "$UCTRACK" gen --children 10 --out "$T/x" --profile hard --rate twin=abc
expect_rc 2 "$UCTRACK" gen --children 10 --out "$T/x" --profile hard --rate sur_drop=0.6 --rate sur_swap=0.6
expect_rc 2 "$UCTRACK" gen --children 10 --out "$T/x" --rate twin=0.1
