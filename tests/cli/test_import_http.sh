# Feed uploads through the HTTP API (POST /api/v1/feeds/FEED): EOIR files
# need the lookup tables the server loads at start (a clear 409 without
# them, never "busy"); screening and welfare notes of uploaded events are
# sealed with the server's key (refused without one); a stray-tab EOIR row
# is repaired as by `uctrack import` (issue 13).
. "$ROOT/tests/cli/lib.sh"
command -v curl >/dev/null || fail "curl missing (scripts/deps.sh installs it)"
D=$ROOT/tests/data/import
LK=${UCTRACK_EOIR_LOOKUP:-$ROOT/../shared/data/eoir/lookup_tables_combined.csv}
[ -r "$LK" ] || fail "EOIR lookup tables missing: $LK (set UCTRACK_EOIR_LOOKUP)"
DB=$T/h.db
U="$UCTRACK --db $DB"
cd "$T"
printf '%s\n' pw-ana1-0123 | $U --quiet user add ana1 --role analyst
printf '%s\n' pw-off1-0123 | $U --quiet user add off1 --role officer --office HOU
printf '%s\n' pw-aud1-0123 | $U --quiet user add aud1 --role auditor
# one case (HOU) for the child of the uploaded events; names are invented
sqlite3 "$DB" <<'SQL'
INSERT INTO person(id, a_number, created_at) VALUES (1, '200000001', '2025-01-01');
INSERT INTO person_key(key, kind, person_id) VALUES ('TESTA','family',1), ('MARIA','given',1), ('MARIA TESTA','pair',1);
INSERT INTO tcase(id, person_id, a_number, office, grp, score, prio, phase, hold_names)
 VALUES (1, 1, '200000001', 'HOU', 'flight_risk', 90, 90, 1, '');
INSERT INTO cbp_encounter(rid, file_id, line, skey, rhash, a_number, family_name, given_name, birth_date, sex, country, encounter_date)
 VALUES (1, 0, 2, 'CBP-1', 11, '200000001', 'TESTA', 'MARIA', '2009-03-01', 'F', 'HN', '2023-05-01');
SQL
$UCTRACK serve --new-key "$T/notes.key" >/dev/null

SPID=
stop() { [ -n "$SPID" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null; SPID=; rm -f "$T/port"; }
trap 'stop || true' EXIT
start() { # start SERVE-ARGS...: a server on a free port, $B its API
	$U serve --listen 127.0.0.1:0 --port-file "$T/port" "$@" >"$T/serve.log" 2>&1 &
	SPID=$!
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do [ -s "$T/port" ] && break; sleep 0.3; done
	[ -s "$T/port" ] || { cat "$T/serve.log"; fail "server did not start"; }
	B="http://127.0.0.1:$(cat "$T/port")/api/v1"
	for u in ana1 off1 aud1; do
		code=$(curl -s -o "$T/body" -w '%{http_code}' -c "$T/$u.jar" \
			-H 'Content-Type: application/json' \
			-d "{\"username\":\"$u\",\"password\":\"pw-$u-0123\"}" "$B/session")
		[ "$code" = 201 ] || { cat "$T/body"; fail "login $u: $code"; }
		sed 's/.*"csrf":"\([^"]*\)".*/\1/' "$T/body" >"$T/$u.csrf"
	done
}
up() { # up FILE FEED NAME: upload as the analyst; prints the status
	curl -s -o "$T/body" -w '%{http_code}' -b "$T/ana1.jar" -H "X-CSRF-Token: $(cat "$T/ana1.csrf")" \
		-H 'Content-Type: text/csv' --data-binary @"$1" "$B/feeds/$2?name=$3"
}
get() { # get USER PATH: prints the status
	curl -s -o "$T/body" -w '%{http_code}' -b "$T/$1.jar" -H 'X-Purpose: black-box test' "$B$2"
}
q() { sqlite3 "$DB" "$1"; }

cat >"$T/notes.jsonl" <<'JSONL'
{"event_id":"EV-T1","type":"trafficking_screening","a_number":"200000001","occurred_at":"2024-06-05","recorded_by":"HOU","result":"indicators_found","note":"SECRET-UPLOAD-DISCLOSURE-7"}
{"event_id":"EV-W1","type":"welfare_check","a_number":"200000001","occurred_at":"2024-06-06","recorded_by":"HOU","outcome":"concern","note":"SECRET-WELFARE-NOTE-8"}
{"event_id":"EV-C1","type":"contact_attempt","a_number":"200000001","occurred_at":"2024-06-07","recorded_by":"HOU","method":"phone","outcome":"reached"}
JSONL

# 1. A server without lookup tables and without a key: the EOIR upload says
# what is missing and how to configure it (409, not "busy"); events with
# screening notes are refused (nothing stored, never plain text).
start --eoir-lookup "$T/no-such-lookup.csv"
expect_grep 'warning: cannot read the EOIR lookup tables .*no-such-lookup.csv.*EOIR feed uploads will be refused' "$T/serve.log"
code=$(up "$D/good/eoir/A_TblCase.csv" eoir A_TblCase.csv)
[ "$code" = 409 ] || { cat "$T/body"; fail "EOIR upload without lookup: expected 409, got $code"; }
expect_grep 'no EOIR lookup tables .*\[eoir\] lookup in the config or \$UCTRACK_EOIR_LOOKUP' "$T/body"
grep -q 'busy' "$T/body" && fail "EOIR upload without lookup answered 'busy'"
[ "$(q 'SELECT count(*) FROM eoir_case')" = 0 ] || fail "EOIR upload without lookup stored rows"
code=$(up "$T/notes.jsonl" events notes.jsonl)
[ "$code" = 400 ] || { cat "$T/body"; fail "notes without key: expected 400, got $code"; }
expect_grep 'notes.jsonl:1:[0-9]+: note: a trafficking_screening note is stored sealed, and no key is configured: set \[server\] key_file' "$T/body"
[ "$(q 'SELECT count(*) FROM field_event')" = 0 ] || fail "notes without key: rows stored"
stop

# 2. The lookup tables from the environment (as for `uctrack import`) and
# the server's key.
UCTRACK_EOIR_LOOKUP=$LK start --key-file "$T/notes.key"
grep -q 'EOIR' "$T/serve.log" && { cat "$T/serve.log"; fail "lookup warning with the tables configured"; }
code=$(up "$D/good/eoir/A_TblCase.csv" eoir A_TblCase.csv)
[ "$code" = 201 ] || { cat "$T/body"; fail "EOIR upload: expected 201, got $code"; }
expect_grep '"rows_new":4' "$T/body"
expect_grep 'A_TblCase.csv:4:9: ALIEN_CITY: warning: stray tab' "$T/body"
[ "$(q 'SELECT count(*) FROM eoir_case')" = 4 ] || fail "EOIR upload: rows"
[ "$(q "SELECT country||' '||language FROM eoir_case WHERE idncase=4000123")" = "HN spa" ] || fail "EOIR upload: codes decoded"
code=$(up "$D/eoir_foia/A_TblCase.csv" eoir A_TblCase_foia.csv)
[ "$code" = 201 ] || { cat "$T/body"; fail "FOIA EOIR upload: expected 201, got $code"; }
expect_grep '"rows_repaired":1' "$T/body"
[ "$(q "SELECT city||'|'||state||'|'||nat_code||'|'||case_priority FROM eoir_case WHERE idncase=4100002")" = "SAN JUAN|PR|GT|UC" ] || fail "FOIA upload: stray tab not repaired"
code=$(up "$D/bad/A_TblCase_shift.csv" eoir A_TblCase_shift.csv)
[ "$code" = 400 ] || { cat "$T/body"; fail "unrepairable EOIR upload: expected 400, got $code"; }
expect_grep 'A_TblCase_shift.csv:3:9: ALIEN_CITY: too many fields' "$T/body"

# screening and welfare notes uploaded as events are sealed at rest
code=$(up "$T/notes.jsonl" events notes.jsonl)
[ "$code" = 201 ] || { cat "$T/body"; fail "events upload: expected 201, got $code"; }
expect_grep '"rows_new":3' "$T/body"
q 'SELECT body FROM field_event' | grep -q 'SECRET-' && fail "uploaded note stored in plain text"
[ "$(q "SELECT count(*) FROM field_event WHERE json_extract(body,'\$.note') LIKE 'sealed:v1:%'")" = 2 ] || fail "uploaded notes not sealed"
# the same file again adds nothing (the same note seals to the same text)
code=$(up "$T/notes.jsonl" events notes.jsonl)
[ "$code" = 201 ] || { cat "$T/body"; fail "events upload again: $code"; }
expect_grep '"rows_new":0' "$T/body"
# an already sealed note is kept as it is, not sealed twice
sealed=$(q "SELECT json_extract(body,'\$.note') FROM field_event WHERE skey='EV-T1'")
printf '{"event_id":"EV-T2","type":"trafficking_screening","a_number":"200000001","occurred_at":"2024-06-08","recorded_by":"HOU","result":"indicators_found","note":"%s"}\n' "$sealed" >"$T/sealed.jsonl"
code=$(up "$T/sealed.jsonl" events sealed.jsonl)
[ "$code" = 201 ] || { cat "$T/body"; fail "sealed-note upload: $code"; }
[ "$(q "SELECT json_extract(body,'\$.note') FROM field_event WHERE skey='EV-T2'")" = "$sealed" ] || fail "sealed note sealed twice"
# the case page opens the notes for the officer, not for the auditor
code=$(get off1 /cases/1); [ "$code" = 200 ] || { cat "$T/body"; fail "case page: $code"; }
expect_grep 'SECRET-UPLOAD-DISCLOSURE-7' "$T/body"
expect_grep 'SECRET-WELFARE-NOTE-8' "$T/body"
code=$(get aud1 /cases/1); [ "$code" = 200 ] || fail "auditor case page: $code"
grep -q 'SECRET-' "$T/body" && fail "auditor saw a note"
stop

# 3. `uctrack import` seals with [server] key_file from the config too
printf '[server]\nkey_file = %s\n' "$T/notes.key" >"$T/uctrack.ini"
expect_rc 1 "$UCTRACK" --db "$T/c.db" import --feed events "$T/notes.jsonl"
expect_grep 'notes.jsonl:1:[0-9]+: note: a trafficking_screening note is stored sealed, and no key is configured' "$T/err"
[ "$(sqlite3 "$T/c.db" 'SELECT count(*) FROM field_event')" = 0 ] || fail "CLI: notes without key stored"
expect_rc 0 "$UCTRACK" --db "$T/c.db" --config "$T/uctrack.ini" import --feed events "$T/notes.jsonl"
sqlite3 "$T/c.db" 'SELECT body FROM field_event' | grep -q 'SECRET-' && fail "CLI: note stored in plain text"
[ "$(sqlite3 "$T/c.db" "SELECT count(*) FROM field_event WHERE json_extract(body,'\$.note') LIKE 'sealed:v1:%'")" = 2 ] || fail "CLI: notes not sealed"
# a note sealed under another key is refused
$UCTRACK serve --new-key "$T/other.key" >/dev/null
expect_rc 1 "$UCTRACK" --db "$T/c.db" import --key-file "$T/other.key" --feed events "$T/sealed.jsonl"
expect_grep 'sealed.jsonl:1:[0-9]+: note: the note is sealed .* does not open under this key_file' "$T/err"
