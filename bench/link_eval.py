#!/usr/bin/env python3
"""Linkage figures for bench/link.sh (reads only; synthetic data).

  link_eval.py febrl CLUSTERS.csv            pairwise P/R/F1 vs FEBRL ids
  link_eval.py gen DB TRUTH.csv [PAIRS.csv [CHILDREN.csv]]
      pairwise P/R/F1 of persons vs truth; the review queue; with PAIRS.csv
      (uctrack link --pairs-out: a_tbl,a_rid,b_tbl,b_rid,posterior) the
      blocking recall and the calibration table (per posterior decile: pairs,
      mean posterior, share of true matches); with CHILDREN.csv (truth of
      profile hard: family_id, twin) the sibling and twin merges.
"""
import collections, csv, sqlite3, sys

def prf(tp, pred, true):
    p = tp / pred if pred else 1.0
    r = tp / true if true else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)

def pairs(groups):
    return sum(n * (n - 1) // 2 for n in groups.values())

def febrl(path):
    ent, clu = {}, {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            rid = row["record_id"]
            ent[rid] = rid.split("-")[1]
            clu[rid] = row["cluster_id"]
    tp = pairs(collections.Counter((ent[k], clu[k]) for k in ent))
    p, r, f1 = prf(tp, pairs(collections.Counter(clu.values())),
                   pairs(collections.Counter(ent.values())))
    print(f"precision {p:.4f} recall {r:.4f} F1 {f1:.4f}")

TMAP = {"encounters": "cbp_encounter", "placements": "orr_placement",
        "A_TblCase": "eoir_case", "nta": "ice_nta"}

def gen(db, truth, pairs_csv=None, children_csv=None):
    t = {}
    with open(truth, newline="") as f:
        for row in csv.DictReader(f):
            if row["table"] in TMAP:
                t[(TMAP[row["table"]], row["source_key"])] = row["child_id"]
    c = sqlite3.connect(db)
    person, child = {}, {}
    for tbl in TMAP.values():
        q = (f"SELECT t.rid, t.skey, pr.person_id FROM {tbl} t LEFT JOIN person_record pr "
             f"ON pr.src_tbl = ? AND pr.src_rid = t.rid")
        for rid, skey, pid in c.execute(q, (tbl,)):
            if (tbl, skey) in t:
                child[(tbl, rid)] = t[(tbl, skey)]
                person[(tbl, rid)] = pid if pid is not None else ("none", tbl, rid)
    keys = list(child)
    tp = pairs(collections.Counter((child[k], person[k]) for k in keys))
    true = pairs(collections.Counter(child[k] for k in keys))
    p, r, f1 = prf(tp, pairs(collections.Counter(person[k] for k in keys)), true)
    print(f"generator pairwise: records {len(keys)}, true pairs {true}, "
          f"precision {p:.4f} recall {r:.4f} F1 {f1:.4f}")
    nchild = len(set(child.values()))
    rq = c.execute("SELECT a_tbl, a_rid, b_tbl, b_rid FROM link_pair "
                   "WHERE status = 'review'").fetchall()
    same = sum(1 for at, ar, bt, br in rq
               if child.get((at, ar)) is not None
               and child.get((at, ar)) == child.get((bt, br)))
    print(f"review queue: {len(rq)} pairs ({100 * len(rq) / max(nchild, 1):.2f}% "
          f"of {nchild} children), {same} of them the same child")
    # merged children: distinct child pairs sharing a person
    byp = collections.defaultdict(set)
    for k in keys:
        byp[person[k]].add(child[k])
    merged = set()
    for cs in byp.values():
        if len(cs) > 1:
            cs = sorted(cs)
            for i in range(len(cs)):
                for j in range(i + 1, len(cs)):
                    merged.add((cs[i], cs[j]))
    line = f"children merged with another child: {len(merged)} pairs"
    if children_csv:
        fam, dob, has_fam = {}, {}, False
        with open(children_csv, newline="") as f:
            for row in csv.DictReader(f):
                has_fam = "family_id" in row
                fam[row["child_id"]] = row.get("family_id", row["child_id"])
                dob[row["child_id"]] = row["birth_date"]
        sib = [p for p in merged if fam.get(p[0]) == fam.get(p[1])]
        tw = [p for p in sib if dob.get(p[0]) == dob.get(p[1])]
        if has_fam:
            line += f"; sibling merges {len(sib) - len(tw)}, twin merges {len(tw)}"
        else:
            line += "; (no siblings in this profile's truth)"
    print(line)
    if pairs_csv:
        found, n = set(), 0
        bands = [[0, 0.0, 0] for _ in range(10)]
        with open(pairs_csv) as f:
            for line in f:
                v = line.rstrip("\n").split(",")
                n += 1
                a, b = (v[0], int(v[1])), (v[2], int(v[3]))
                ok = a in child and b in child and child[a] == child[b]
                if ok:
                    found.add((a, b) if a < b else (b, a))
                if len(v) > 4:
                    post = float(v[4])
                    d = min(int(post * 10), 9)
                    bands[d][0] += 1
                    bands[d][1] += post
                    bands[d][2] += ok
        print(f"blocking: pairs compared {n}, true pairs among them {len(found)}, "
              f"blocking recall {len(found) / true if true else 1:.4f}")
        print("calibration (posterior band: pairs, mean posterior, share true):")
        for d, (k, sp, t) in enumerate(bands):
            if k:
                print(f"  {d / 10:.1f}-{(d + 1) / 10:.1f}: {k:8d}  {sp / k:.3f}  {t / k:.3f}")

if __name__ == "__main__":
    if sys.argv[1] == "febrl":
        febrl(sys.argv[2])
    else:
        gen(*sys.argv[2:])
