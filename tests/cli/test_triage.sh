#!/bin/sh
# Black-box: generate and import a small data set, triage it, explain,
# queue, override, re-triage one child, check and diff rule sets.
. "$ROOT/tests/cli/lib.sh"
export UCTRACK_TODAY=2025-06-01
DB=$T/t.db
R=$ROOT/rules/default.rules
O=$ROOT/rules/field_offices.csv

expect_rc 0 "$UCTRACK" gen --children 400 --seed 7 --out "$T/d"
for f in cbp orr ice eoir events; do
	expect_rc 0 "$UCTRACK" --db "$DB" import --feed $f "$T/d/$f"
done

# rules check: ok, and a compile error with file:line:column
expect_rc 0 "$UCTRACK" rules check "$R"
expect_grep 'ok \(3 groups' "$T/out"
printf 'group g\nrule r group g when age >\n' >"$T/bad.rules"
expect_rc 1 "$UCTRACK" rules check "$T/bad.rules"
expect_grep 'bad.rules:3:1: expected a fact, a number, a date, .\(. or .not., found end of file' "$T/err"
printf 'group g\nrule r group g when nta_state == mailed\n' >"$T/bad2.rules"
expect_rc 1 "$UCTRACK" rules check "$T/bad2.rules"
expect_grep 'bad2.rules:2:34: unknown value .mailed. for nta_state; expected one of: none, issued, served, filed' "$T/err"
expect_rc 3 "$UCTRACK" rules check "$T/nope.rules"
expect_rc 0 "$UCTRACK" rules facts
expect_grep '^nta_state' "$T/out"

# triage: first run projects, second does not
expect_rc 0 "$UCTRACK" --db "$DB" triage --rules "$R" --offices "$O"
expect_grep '^triaged [0-9]+ cases with rule set [0-9a-f]{16}' "$T/out"
# the case's birth date (searched by GET /cases?q=DATE): ORR's, else CBP's
q() { sqlite3 "$DB" "$1"; }
[ "$(q "SELECT count(*) FROM tcase WHERE active = 1 AND birth_date IS NOT NULL")" -gt 300 ] ||
	fail "triage wrote no case birth dates"
[ "$(q "SELECT count(*) FROM tcase c JOIN person_record pr ON pr.person_id = c.person_id
	AND pr.src_tbl = 'orr_placement' JOIN orr_placement o ON o.rid = pr.src_rid
	WHERE c.active = 1 AND o.birth_date IS NOT NULL AND c.birth_date IS NOT o.birth_date
	AND o.rid = (SELECT max(rid) FROM orr_placement WHERE skey = o.skey)")" = 0 ] ||
	fail "a case's birth date is not its ORR placement's"
expect_grep 'projected facts from [0-9]+ records' "$T/out"
expect_grep 'flight_risk +[1-9]' "$T/out"
expect_rc 0 "$UCTRACK" --db "$DB" triage
expect_grep 'no re-projection' "$T/out"
expect_grep 'results written 0' "$T/out"

# queue, filters
expect_rc 0 "$UCTRACK" --db "$DB" queue --limit 5
expect_grep '^C[0-9]+ +[0-9]{9}' "$T/out"
expect_grep 'flight_risk' "$T/out"
top=$(awk 'NR==2 {print $2}' "$T/out")
expect_rc 0 "$UCTRACK" --db "$DB" queue --group public_safety --phase 1 --limit 3
expect_rc 0 "$UCTRACK" --db "$DB" queue --office HOU --limit 3
expect_rc 0 "$UCTRACK" --db "$DB" queue --held --action serve_nta --limit 3
expect_grep 'held by' "$T/out"
expect_rc 2 "$UCTRACK" --db "$DB" queue --phase 9
expect_rc 2 "$UCTRACK" --db "$DB" queue --bogus

# explain by A-number, by case id; unknown person; bad identifier
expect_rc 0 "$UCTRACK" --db "$DB" triage --explain "$top"
expect_grep '^group: +flight_risk' "$T/out"
expect_grep 'rule .* -> flight_risk' "$T/out"
expect_grep 'read: ' "$T/out"
cid=$(awk 'NR==1 {print $2}' "$T/out")
expect_rc 0 "$UCTRACK" --db "$DB" triage --explain "$cid"
expect_rc 1 "$UCTRACK" --db "$DB" triage --explain 999999999
expect_grep 'no case for' "$T/err"
expect_rc 2 "$UCTRACK" --db "$DB" triage --explain 'x;drop'

# override: reason mandatory; group override shows; honoured by later runs
expect_rc 2 "$UCTRACK" --db "$DB" triage override "$top" --group public_safety --by sup1
expect_rc 1 "$UCTRACK" --db "$DB" triage override "$top" --group nosuch --reason r --by sup1
expect_rc 0 "$UCTRACK" --db "$DB" triage override "$top" --group public_safety --reason "confirmed by HSI" --by sup1
expect_rc 0 "$UCTRACK" --db "$DB" triage --explain "$top"
expect_grep '^group: +public_safety .*override' "$T/out"
expect_grep 'group public_safety by sup1 .*active.*confirmed by HSI' "$T/out"
expect_rc 0 "$UCTRACK" --db "$DB" triage --reproject
expect_rc 0 "$UCTRACK" --db "$DB" triage --explain "$top"
expect_grep '^group: +public_safety' "$T/out"

# lift a hold on a held case
held=$("$UCTRACK" --db "$DB" queue --held --action serve_nta --limit 1 | awk 'NR==2 {print $1}')
hold=$("$UCTRACK" --db "$DB" queue --held --action serve_nta --limit 1 | awk 'NR==2 {print $NF}' | cut -d, -f1)
expect_rc 0 "$UCTRACK" --db "$DB" triage override "$held" --lift-hold "$hold" --reason "counsel confirmed by phone" --by sup2
expect_rc 0 "$UCTRACK" --db "$DB" triage --explain "$held"
expect_grep "hold $hold .*LIFTED" "$T/out"

# a new event for one child: re-triage that child alone
an=$(awk '/^case /{print $NF}' "$T/out")
printf '{"event_id":"EV-T-1","type":"claim","a_number":"%s","occurred_at":"2025-05-30","recorded_by":"legal:KIND","claim_type":"asylum","status":"filed"}\n' "$top" >"$T/ev.jsonl"
expect_rc 0 "$UCTRACK" --db "$DB" import --feed events "$T/ev.jsonl"
expect_rc 0 "$UCTRACK" --db "$DB" triage person "$top"
expect_rc 0 "$UCTRACK" --db "$DB" triage --explain "$top"
expect_grep 'hold claim_pending' "$T/out"
expect_grep 'claims_pending +\{asylum' "$T/out"
# the facts changed: the supervisor's group override lapsed
expect_grep 'group public_safety by sup1 .*lapsed' "$T/out"

# rules diff: a stricter no-contact threshold moves cases
sed 's/^let no_contact_days = 90/let no_contact_days = 5000/' "$R" >"$T/new.rules"
expect_rc 0 "$UCTRACK" --db "$DB" rules diff "$R" "$T/new.rules"
expect_grep 'cases evaluated; [0-9]+ move between groups' "$T/out"
expect_grep 'flight_risk -> none: [0-9]+  e.g. C[0-9]+' "$T/out"
: "$an"

# configuration: [triage] rules and offices; unknown keys are errors
printf '[triage]\nrules = %s\noffices = %s\n' "$T/new.rules" "$O" >"$T/uc.ini"
expect_rc 0 "$UCTRACK" --db "$DB" --config "$T/uc.ini" triage
newhash=$("$UCTRACK" rules check "$T/new.rules" | sed 's/.*hash \([0-9a-f]*\))/\1/')
expect_grep "with rule set $newhash" "$T/out"
printf '[triage]\nrulez = x\n' >"$T/bad.ini"
expect_rc 2 "$UCTRACK" --db "$DB" --config "$T/bad.ini" triage
expect_rc 2 "$UCTRACK" --db "$DB" triage person "$top" --rules "$R"
# a bad field-office table is reported with file:line
printf 'state,zip3_from,zip3_to,office,name\nTexas,,,HOU,Houston\n' >"$T/bad.csv"
expect_rc 1 "$UCTRACK" --db "$DB" triage --offices "$T/bad.csv"
expect_grep 'bad.csv:2: expected STATE' "$T/err"

# the parallel path (2 connections) gives the same results as the serial one,
# including cases whose result changes and cases with overrides
cp "$DB" "$T/p.db"
expect_rc 0 "$UCTRACK" --db "$DB" triage --rules "$R" --threads 1
expect_rc 0 "$UCTRACK" --db "$T/p.db" triage --rules "$R" --threads 2
expect_grep 'on 2 connections' "$T/out"
"$UCTRACK" --db "$DB" queue --held --limit 100000 >"$T/q1"
"$UCTRACK" --db "$T/p.db" queue --held --limit 100000 >"$T/q2"
cmp "$T/q1" "$T/q2" || fail "serial and parallel runs differ"
expect_rc 0 "$UCTRACK" --db "$T/p.db" triage --explain "$held"
expect_grep "hold $hold .*LIFTED" "$T/out"
expect_rc 2 "$UCTRACK" --db "$DB" triage --threads 3
