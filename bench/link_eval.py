#!/usr/bin/env python3
"""Linkage figures for bench/link.sh (reads only; synthetic data).

  link_eval.py febrl CLUSTERS.csv            pairwise P/R/F1 vs FEBRL ids
  link_eval.py gen DB TRUTH.csv [PAIRS.csv]  pairwise P/R/F1 of persons vs
                                             truth; blocking recall of the
                                             candidate pairs when given
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

def gen(db, truth, pairs_csv=None):
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
    if pairs_csv:
        found, n = set(), 0
        with open(pairs_csv) as f:
            for line in f:
                at, ar, bt, br = line.rstrip("\n").split(",")
                n += 1
                a, b = (at, int(ar)), (bt, int(br))
                if a in child and b in child and child[a] == child[b]:
                    found.add((a, b) if a < b else (b, a))
        print(f"blocking: pairs compared {n}, true pairs among them {len(found)}, "
              f"blocking recall {len(found) / true if true else 1:.4f}")

if __name__ == "__main__":
    if sys.argv[1] == "febrl":
        febrl(sys.argv[2])
    else:
        gen(*sys.argv[2:])
