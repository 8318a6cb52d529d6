# uctrack report: every metric against (1) an independent re-computation
# from the stored records, exactly, and (2) the generator's ground truth,
# within a tolerance derived from the records whose A-number the generator
# deliberately blanked or mistyped; suppression that subtraction cannot
# undo; as-of reports byte-identical after later data arrives; fta list;
# CSV formula safety; usage errors.
. "$ROOT/tests/cli/lib.sh"
: "${UCTRACK_EOIR_LOOKUP:=$ROOT/../shared/data/eoir/lookup_tables_combined.csv}"
export UCTRACK_EOIR_LOOKUP
DB="$T/r.db"
N=${REPORT_TEST_CHILDREN:-3000}

# usage errors
expect_rc 2 "$UCTRACK" --db "$DB" report
expect_rc 2 "$UCTRACK" --db "$DB" report frob
expect_rc 2 "$UCTRACK" --db "$DB" report oversight --by planet
expect_rc 2 "$UCTRACK" --db "$DB" report oversight --as-of 2024-13-01
expect_rc 2 "$UCTRACK" --db "$DB" report oversight --threshold 5
expect_rc 2 "$UCTRACK" --db "$DB" report fta --format html
expect_rc 0 "$UCTRACK" report --help
expect_grep 'report oversight' "$T/out"

# data: generate, import everything (the generator's rare bad-UTF-8 rows
# are skipped by the importer and are simply absent records)
import_all() { # DIR
	for f in eoir cbp orr ice events; do
		"$UCTRACK" --db "$DB" --quiet import --skip-bad "$T/rej-$f.csv" \
			--feed "$f" "$1/$f" >/dev/null 2>"$T/imp.err" || {
			cat "$T/imp.err" >&2; fail "import $f"; }
	done
}
"$UCTRACK" gen --children "$N" --seed 11 --out "$T/g1" --as-of 2024-06-30 >/dev/null
import_all "$T/g1"
T1=$(sqlite3 "$DB" "SELECT max(imported_at) FROM import_file")
sleep 1 # import times have one-second resolution

R="$UCTRACK --db $DB report"
$R oversight --as-of 2024-06-30 --known-at "$T1" --format json --out "$T/o.json"
$R oversight --as-of 2024-06-30 --known-at "$T1" --format json --by state --public --out "$T/pub.json"
$R oversight --as-of 2024-06-30 --known-at "$T1" --format csv --by fy --public --threshold 25 --out "$T/pub.csv"
$R fta --as-of 2024-06-30 --known-at "$T1" --format csv --out "$T/fta.csv"
$R oversight --as-of 2024-06-30 --known-at "$T1" --format html --by state --out "$T/o.html"
# offices are triage's (rules/field_offices.csv): refused before a triage run
expect_rc 1 $R oversight --as-of 2024-06-30 --known-at "$T1" --by office
expect_grep 'needs a triage run' "$T/err"
expect_rc 1 $R fta --as-of 2024-06-30 --known-at "$T1" --office HOU
expect_grep 'needs a triage run' "$T/err"
expect_rc 2 $R oversight --office HOU
for by in fy state country; do
	expect_rc 0 $R oversight --as-of 2024-06-30 --known-at "$T1" --by $by --format table
done
expect_grep '^Whereabouts unknown' "$T/out"
expect_rc 1 $R fta --public
expect_grep 'personal' "$T/err"
expect_grep '<svg' "$T/o.html"
if grep -Eq '(src|href)="?(https?:)?//' "$T/o.html"; then fail "html references external resources"; fi

python3 - "$DB" "$T" "$T1" <<'EOF'
import csv, json, sqlite3, sys, datetime
db, T, T1 = sys.argv[1], sys.argv[2], sys.argv[3]
con = sqlite3.connect(db)
ASOF = '2024-06-30'
N_DAYS = 90
d = lambda s: datetime.date.fromisoformat(s[:10]) if s else None
asof = d(ASOF)
since = asof - datetime.timedelta(days=N_DAYS)
ok_files = {r[0] for r in con.execute("SELECT id FROM import_file WHERE imported_at <= ?", (T1,))}

def current(tbl, cols):
    """Latest version per source key among files imported by the cutoff."""
    out = {}
    for r in con.execute(f"SELECT rid, file_id, skey, {cols} FROM {tbl} ORDER BY rid"):
        if r[1] is not None and r[1] not in ok_files:
            continue
        out[r[2]] = r
    return list(out.values())

kids = {}
def kid(a):
    return kids.setdefault(a, dict(rel=[], served=[], filed=[], court=False, heard=False,
        missed=False, absentia=False, resc=False, rep=False, concern=False, refs=set(),
        addr=None, verified=None, seen=None, att=None, moved=False, atts=0, succ=0,
        firstc=None, removed=False, state='', country=''))
for r in current('orr_placement', 'a_number, released_date, discharge, address_status, state, country'):
    _, _, _, a, rel, dis, st, state, country = r
    if a is None: continue
    k = kid(a)
    if country and not k['country']: k['country'] = country
    if dis != 'sponsor' or not rel or d(rel) > asof: continue
    k['rel'].append(d(rel))
    if max(k['rel']) == d(rel):
        k['state'] = state or ''
        if country: k['country'] = country
    if k['addr'] is None or d(rel) >= k['addr'][0]: k['addr'] = (d(rel), st)
case_kid = {}
for r in current('eoir_case', 'idncase, a_number, atty_nbr'):
    _, _, _, idn, a, atty = r
    if a is None: continue
    case_kid[idn] = kid(a)
    if atty: kid(a)['rep'] = True
abs_date = {}
for r in current('eoir_proceeding', 'idncase, dec_code, absentia, comp_date, hearing_date'):
    _, _, _, idn, dec, ab, comp, hd = r
    k = case_kid.get(idn)
    if k is None: continue
    if hd: k['court'] = True
    if dec == 'X' and ab == 'Y' and comp and d(comp) <= asof:
        k['absentia'] = k['missed'] = k['heard'] = True
        abs_date[idn] = max(abs_date.get(idn, d(comp)), d(comp))
    if dec == 'R' and comp and d(comp) <= asof: k['resc'] = True
for r in current('eoir_hearing', 'idncase, adj_date, fta_notice'):
    _, _, _, idn, adj, fta = r
    k = case_kid.get(idn)
    if k is None or not adj: continue
    k['court'] = True
    if d(adj) > asof: continue
    k['heard'] = True
    if fta or abs_date.get(idn) == d(adj): k['missed'] = True
for r in current('ice_nta', 'a_number, served_date, filed_date'):
    _, _, _, a, sv, fl = r
    if a is None: continue
    k = kid(a)
    if sv and d(sv) <= asof: k['served'].append(d(sv))
    if fl and d(fl) <= asof: k['filed'].append(d(fl))
for r in current('ice_removal', 'a_number, action, action_date'):
    _, _, _, a, act, ad = r
    if a is None or not ad or d(ad) > asof: continue
    if act == 'order_rescinded': kid(a)['resc'] = True
    if act == 'removal_executed': kid(a)['removed'] = True
def attempt(k, when, ok, moved):
    k['atts'] += 1
    if ok:
        k['succ'] += 1
        k['seen'] = max(filter(None, [k['seen'], when]))
        if k['rel'] and when >= min(k['rel']):
            k['firstc'] = min(filter(None, [k['firstc'], when]))
    if k['att'] is None or when >= k['att']:
        k['att'] = when; k['moved'] = moved
for r in current('orr_contact', 'a_number, contact_date, result'):
    _, _, _, a, cd, res = r
    if a is None or not cd or d(cd) > asof: continue
    k = kid(a)
    attempt(k, d(cd), res in ('reached_safe', 'reached_concern'), res == 'not_at_address')
    if res == 'reached_concern': k['concern'] = True
for r in current('field_event', 'a_number, type, occurred_at, body'):
    _, _, _, a, typ, occ, body = r
    if a is None or not occ or d(occ) > asof: continue
    b = json.loads(body); k = kid(a); when = d(occ)
    if typ == 'contact_attempt':
        attempt(k, when, b['outcome'] == 'reached', b['outcome'] in ('moved', 'not_at_address'))
    elif typ == 'welfare_check':
        if b['outcome'] in ('safe', 'concern'): k['seen'] = max(filter(None, [k['seen'], when]))
        if b['outcome'] == 'concern': k['concern'] = True
    elif typ == 'referral': k['refs'].add(b['to'])
    elif typ == 'address_update':
        st = b['status'] if b['status'] in ('verified', 'undeliverable') else 'unverified'
        if k['addr'] is None or when >= k['addr'][0]: k['addr'] = (when, st)
        if st == 'verified': k['verified'] = max(filter(None, [k['verified'], when]))
    elif typ == 'representation' and b['status'] == 'started': k['rep'] = True
    elif typ == 'motion_to_reopen' and b['status'] == 'granted': k['resc'] = True

def pct(v, p):
    v = sorted(v)
    if not v: return None
    rank = max(1, -(-p * len(v) // 100))
    return v[rank - 1]
exp = {m: 0 for m in ['released', 'nta_served', 'nta_not_served', 'nta_filed', 'nta_not_filed',
    'court_date', 'failed_to_appear', 'in_absentia', 'in_absentia_rescinded',
    'whereabouts_unknown', 'wu_blank_address', 'wu_undeliverable', 'wu_missing_unit',
    'wu_moved', 'wu_no_contact', 'contacts_attempted', 'contacts_succeeded',
    'children_contacted', 'welfare_concerns', 'referred_legal_provider', 'referred_hsi',
    'referred_cps', 'referred_hhs', 'represented_heard', 'represented_appeared',
    'unrepresented_heard', 'unrepresented_appeared', 'release_to_nta_n', 'release_to_contact_n']}
nta_days, con_days = [], []
for k in kids.values():
    if not k['rel']: continue
    r0 = min(k['rel'])
    exp['released'] += 1
    exp['nta_served' if k['served'] else 'nta_not_served'] += 1
    exp['nta_filed' if k['filed'] else 'nta_not_filed'] += 1
    exp['court_date'] += k['court']
    exp['failed_to_appear'] += k['missed']
    exp['in_absentia'] += k['absentia']
    exp['in_absentia_rescinded'] += k['absentia'] and k['resc']
    if (r0 <= since and not k['removed'] and not (k['verified'] and k['verified'] > since)
            and not (k['seen'] and k['seen'] > since)):
        exp['whereabouts_unknown'] += 1
        st = k['addr'][1]
        key = {'blank': 'wu_blank_address', 'undeliverable': 'wu_undeliverable',
               'missing_unit': 'wu_missing_unit'}.get(st)
        if key is None: key = 'wu_moved' if k['moved'] else 'wu_no_contact'
        exp[key] += 1
    exp['contacts_attempted'] += k['atts']
    exp['contacts_succeeded'] += k['succ']
    exp['children_contacted'] += k['succ'] > 0
    exp['welfare_concerns'] += k['concern']
    for to, m in [('legal_provider', 'referred_legal_provider'), ('hsi', 'referred_hsi'),
                  ('cps', 'referred_cps'), ('hhs', 'referred_hhs')]:
        exp[m] += to in k['refs']
    if k['heard']:
        p = 'represented' if k['rep'] else 'unrepresented'
        exp[p + '_heard'] += 1
        exp[p + '_appeared'] += not k['missed']
    if k['served'] and min(k['served']) >= r0:
        exp['release_to_nta_n'] += 1; nta_days.append((min(k['served']) - r0).days)
    if k['firstc']:
        exp['release_to_contact_n'] += 1; con_days.append((k['firstc'] - r0).days)
exp['release_to_nta_days_median'] = pct(nta_days, 50)
exp['release_to_nta_days_p90'] = pct(nta_days, 90)
exp['release_to_contact_days_median'] = pct(con_days, 50)
exp['release_to_contact_days_p90'] = pct(con_days, 90)
exp['appearance_rate_represented'] = round(exp['represented_appeared'] / exp['represented_heard'], 3)
exp['appearance_rate_unrepresented'] = round(exp['unrepresented_appeared'] / exp['unrepresented_heard'], 3)

rep = json.load(open(f'{T}/o.json'))
assert rep['identity'] == 'a_number', rep['identity']
got = rep['rows'][0]['values']
bad = [(m, exp[m], got[m]) for m in exp if exp[m] != got[m]]
assert not bad, f'report differs from the independent re-computation: {bad}'
print('exact re-computation: %d metrics agree' % len(exp))

# (2) against the generator's ground truth. Without linkage a child is its
# A-number, and the generator deliberately blanks (~6% ORR, ~7% EOIR) or
# mistypes (~1.5%) A-numbers: such records attach to no child or to a
# phantom one. The tolerance for a metric is the number of children in it
# (by truth) with any ORR, NTA or EOIR record not carrying their true
# A-number, plus phantom children (placements whose A-number is wrong).
truth = {r['child_id']: r for r in csv.DictReader(open(f'{T}/g1/truth/children.csv'))}
rec_child = {}
for r in csv.DictReader(open(f'{T}/g1/truth/records.csv')):
    rec_child[(r['table'], r['source_key'])] = r['child_id']
badkid, phantoms = set(), set()
for tbl, ftbl in [('orr_placement', 'placements.csv'), ('ice_nta', 'nta.csv'), ('eoir_case', 'A_TblCase.csv')]:
    for skey, a in con.execute(f"SELECT skey, a_number FROM {tbl}"):
        c = next((rec_child[k] for k in [(ftbl, skey), (tbl, skey), (ftbl.split('.')[0], skey)] if k in rec_child), None)
        if c is None: continue
        if a != truth[c]['a_number']:
            badkid.add(c)
            if tbl == 'orr_placement' and a: phantoms.add(a)
# children whose records the importer rejected (bad UTF-8 from the generator)
rel = [r for r in truth.values() if r['released_date'] and r['sponsor_category'] != '4']
Y = lambda r, k: r[k] == 'Y'
tmetrics = {
    'released': lambda r: True,
    'nta_served': lambda r: Y(r, 'nta_served'),
    'nta_filed': lambda r: Y(r, 'nta_filed'),
    'failed_to_appear': lambda r: Y(r, 'failed_to_appear'),
    'in_absentia': lambda r: Y(r, 'in_absentia'),
    'in_absentia_rescinded': lambda r: Y(r, 'in_absentia_rescinded'),
    'represented_heard': lambda r: Y(r, 'represented') and Y(r, 'has_hearing'),
    'unrepresented_heard': lambda r: not Y(r, 'represented') and Y(r, 'has_hearing'),
}
for m, f in tmetrics.items():
    t = sum(1 for r in rel if f(r))
    tol = sum(1 for r in rel if f(r) and r['child_id'] in badkid) + (len(phantoms) if m == 'released' else 0)
    assert abs(got[m] - t) <= tol, f'{m}: report {got[m]}, truth {t}, tolerance {tol}'
    print(f'truth {m}: report {got[m]} truth {t} tolerance {tol}')
heard = got['represented_heard'] + got['unrepresented_heard']
assert got['court_date'] >= heard

# (3) fta list: one row per child who missed a hearing (released or not)
rows = list(csv.DictReader(open(f'{T}/fta.csv', newline='')))
missed = sum(1 for k in kids.values() if k['missed'])
assert len(rows) == missed, (len(rows), missed)
for r in rows:
    for v in r.values():
        assert not v or v[0] not in '=+-@\t\r', f'formula not neutralised: {v!r}'
    assert r['missed_hearing_date'] and r['order_status']
print('fta list: %d children' % len(rows))

# (4) publishable output: no cell below the threshold, and the attacker
# (all published cells + every relation the report states) cannot recover
# any suppressed cell by repeated subtraction.
pub = json.load(open(f'{T}/pub.json'))
counts = ['released', 'nta_served', 'nta_not_served', 'nta_filed', 'nta_not_filed',
    'court_date', 'failed_to_appear', 'in_absentia', 'in_absentia_rescinded',
    'whereabouts_unknown', 'wu_blank_address', 'wu_undeliverable', 'wu_missing_unit',
    'wu_moved', 'wu_no_contact', 'contacts_attempted', 'contacts_succeeded',
    'children_contacted', 'welfare_concerns', 'referred_legal_provider', 'referred_hsi',
    'referred_cps', 'referred_hhs', 'represented_heard', 'represented_appeared',
    'unrepresented_heard', 'unrepresented_appeared', 'release_to_nta_n', 'release_to_contact_n']
rows = pub['rows']
val = {}
for g, row in enumerate(rows):
    for m in counts:
        v = row['values'][m]
        assert v is None or v == 0 or v >= 11, (row['group'], m, v)
        val[(g, m)] = v
rels = []
if len(rows) > 2:
    for m in counts:
        rels.append([((0, m), -1)] + [((g, m), 1) for g in range(1, len(rows))])
for g in range(len(rows)):
    rels.append([((g, 'released'), -1), ((g, 'nta_served'), 1), ((g, 'nta_not_served'), 1)])
    rels.append([((g, 'released'), -1), ((g, 'nta_filed'), 1), ((g, 'nta_not_filed'), 1)])
    rels.append([((g, 'whereabouts_unknown'), -1)] + [((g, m), 1) for m in
        ['wu_blank_address', 'wu_undeliverable', 'wu_missing_unit', 'wu_moved', 'wu_no_contact']])
    rels.append([((g, 'failed_to_appear'), -1), ((g, 'represented_heard'), 1),
        ((g, 'represented_appeared'), -1), ((g, 'unrepresented_heard'), 1),
        ((g, 'unrepresented_appeared'), -1)])
known = {c: v for c, v in val.items() if v is not None}
nsupp = sum(1 for v in val.values() if v is None)
changed = True
while changed:
    changed = False
    for rel_ in rels:
        unk = [(c, k) for c, k in rel_ if c not in known]
        if len(unk) == 1:
            c, k = unk[0]
            known[c] = -sum(k2 * known[c2] for c2, k2 in rel_ if c2 in known) // k
            changed = True
            raise SystemExit(f'suppressed cell {c} recovered by subtraction: {known[c]}')
assert nsupp > 0, 'expected some suppression in a by-state table of %d children' % len(kids)
print('public: %d cells suppressed, none recoverable' % nsupp)
EOF
[ $? -eq 0 ] || fail "report checks"

# CSV with a higher threshold: nothing below 25 published
python3 - "$T/pub.csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
for r in rows:
    for k, v in r.items():
        if k in ('fy',) or k.startswith('appearance_rate') or 'days' in k or v in ('', '*'):
            continue
        assert int(v) == 0 or int(v) >= 25, (r['fy'], k, v)
EOF

# as-of reports do not change when later data arrives: the same children
# six months on (new records and new versions of old ones), imported later
"$UCTRACK" gen --children "$N" --seed 11 --out "$T/g2" --as-of 2024-12-31 >/dev/null
import_all "$T/g2"
T2=$(sqlite3 "$DB" "SELECT max(imported_at) FROM import_file")
[ "$T2" \> "$T1" ] || fail "second import not later ($T1, $T2)"
$R oversight --as-of 2024-06-30 --known-at "$T1" --format json --out "$T/o2.json"
cmp "$T/o.json" "$T/o2.json" || fail "as-of oversight report changed after later data"
$R oversight --as-of 2024-06-30 --known-at "$T1" --format json --by state --public --out "$T/pub2.json"
cmp "$T/pub.json" "$T/pub2.json" || fail "as-of public report changed after later data"
$R fta --as-of 2024-06-30 --known-at "$T1" --format csv --out "$T/fta2.csv"
cmp "$T/fta.csv" "$T/fta2.csv" || fail "as-of fta list changed after later data"
# ...while a report that admits the later import does see it
$R oversight --as-of 2024-12-31 --known-at "$T2" --format json --out "$T/o3.json"
if cmp -s "$T/o.json" "$T/o3.json"; then fail "later report identical: no new data seen"; fi
echo "as-of: byte-identical after a later import"

# With linkage a child is a linked person: the counts come close to the
# truth. Tolerance: children whose identity records (ORR placement, NTA,
# EOIR case) the link run did not put together in a person of their own.
if "$UCTRACK" link --help >/dev/null 2>&1; then
	DB="$T/l.db"
	import_all "$T/g2"
	"$UCTRACK" --db "$T/l.db" --quiet link >/dev/null 2>"$T/link.err" || {
		cat "$T/link.err" >&2; fail "link"; }
	"$UCTRACK" --db "$T/l.db" report oversight --as-of 2024-12-31 --known-at 2100-12-31 \
		--format json --out "$T/p.json"
	python3 - "$T/l.db" "$T" <<'EOF2'
import csv, json, sqlite3, sys
db, T = sys.argv[1], sys.argv[2]
con = sqlite3.connect(db)
rep = json.load(open(f'{T}/p.json'))
assert rep['identity'] == 'person', rep['identity']
got = rep['rows'][0]['values']
truth = {r['child_id']: r for r in csv.DictReader(open(f'{T}/g2/truth/children.csv'))}
rec_child = {}
for r in csv.DictReader(open(f'{T}/g2/truth/records.csv')):
    rec_child[(r['table'], r['source_key'])] = r['child_id']
names = {'orr_placement': 'placements', 'ice_nta': 'nta', 'eoir_case': 'A_TblCase'}
kid_persons, person_kids = {}, {}
for tbl, skey, pid in con.execute("SELECT p.src_tbl, COALESCE(o.skey, n.skey, e.skey), p.person_id "
        "FROM person_record p LEFT JOIN orr_placement o ON p.src_tbl='orr_placement' AND o.rid=p.src_rid "
        "LEFT JOIN ice_nta n ON p.src_tbl='ice_nta' AND n.rid=p.src_rid "
        "LEFT JOIN eoir_case e ON p.src_tbl='eoir_case' AND e.rid=p.src_rid "
        "WHERE p.src_tbl IN ('orr_placement','ice_nta','eoir_case')"):
    c = rec_child.get((names[tbl], skey))
    if c is None: continue
    kid_persons.setdefault(c, set()).add(pid)
    person_kids.setdefault(pid, set()).add(c)
mislinked = {c for c, ps in kid_persons.items()
             if len(ps) > 1 or any(len(person_kids[p]) > 1 for p in ps)}
rel = [r for r in truth.values() if r['released_date'] and r['sponsor_category'] != '4']
Y = lambda r, k: r[k] == 'Y'
for m, f in {'released': lambda r: True, 'nta_served': lambda r: Y(r, 'nta_served'),
             'nta_filed': lambda r: Y(r, 'nta_filed'),
             'failed_to_appear': lambda r: Y(r, 'failed_to_appear'),
             'in_absentia': lambda r: Y(r, 'in_absentia'),
             'in_absentia_rescinded': lambda r: Y(r, 'in_absentia_rescinded')}.items():
    t = sum(1 for r in rel if f(r))
    tol = sum(1 for r in rel if f(r) and r['child_id'] in mislinked)
    assert abs(got[m] - t) <= tol, f'person {m}: report {got[m]}, truth {t}, tolerance {tol}'
    print(f'linked {m}: report {got[m]} truth {t} tolerance {tol}')
EOF2
	[ $? -eq 0 ] || fail "linked report checks"
fi

# --by group|phase: refused before a triage run, then one row per group
# whose released counts add up to the total.
expect_rc 1 $R oversight --by group
expect_grep 'triage' "$T/err"
if "$UCTRACK" triage --help >/dev/null 2>&1 && [ -f "$T/l.db" ]; then
	UCTRACK_TODAY=2024-12-31 "$UCTRACK" --db "$T/l.db" --quiet triage >/dev/null 2>"$T/tri.err" || {
		cat "$T/tri.err" >&2; fail "triage"; }
	# fta --office: exactly the fta children whose case is in that office
	"$UCTRACK" --db "$T/l.db" report fta --as-of 2024-12-31 --known-at 2100-12-31 \
		--format csv --out "$T/fta-all.csv"
	"$UCTRACK" --db "$T/l.db" report fta --as-of 2024-12-31 --known-at 2100-12-31 \
		--office HOU --format csv --out "$T/fta-hou.csv"
	all=$(($(wc -l <"$T/fta-all.csv") - 1)); hou=$(($(wc -l <"$T/fta-hou.csv") - 1))
	[ "$hou" -gt 0 ] && [ "$hou" -lt "$all" ] || fail "fta --office HOU: $hou of $all"
	for by in group phase office; do
		"$UCTRACK" --db "$T/l.db" report oversight --as-of 2024-12-31 --known-at 2100-12-31 \
			--by $by --format csv --out "$T/$by.csv"
		awk -F, 'NR == 2 { total = $2 } NR > 2 { sum += $2 } END {
			if (NR < 3 || sum != total) { print "sum " sum " total " total; exit 1 } }' \
			"$T/$by.csv" || fail "--by $by rows do not add up"
	done
fi
