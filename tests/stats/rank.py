#!/usr/bin/env python3
"""pt-stats --rank and top against SciPy and NumPy. `rank.py data DIR`
writes the datasets (standard library only: random.Random(seed) is the same
everywhere); `/usr/bin/python3 rank.py ref > rank_ref.ndjson` computes the
reference with Debian's python3-scipy and python3-numpy:
- --rank: per stratum s, the groups g ranked by their count n (smallest
  first) and by their max (largest first) with scipy.stats.rankdata(x,
  method="min"), rows in numpy.argsort(x, kind="stable") order;
- top: per stratum, the 7 records with the largest v, numpy.argsort(-v,
  kind="stable")[:7], each ranked by rankdata(-v, method="min").
Values are small integers, so ties are many and every number is exact.
Fields: s (stratum), g (group), i (record number), v (value, null in 5%)."""
import json, os, random, sys

NAMES = ["ties", "few", "one_stratum", "many_groups", "all_equal", "n1000"]


def dataset(name):
    R = random.Random(name)
    n, ns, ng, vmax = {"ties": (200, 3, 8, 4), "few": (9, 2, 3, 3), "one_stratum": (150, 1, 12, 6),
                       "many_groups": (600, 4, 60, 9), "all_equal": (40, 2, 5, 0), "n1000": (1000, 5, 20, 30)}[name]
    rows = []
    for i in range(n):
        r = {"s": "s%d" % R.randrange(ns), "g": "g%d" % R.randrange(ng), "i": i}
        if R.random() >= 0.05:
            r["v"] = R.randint(0, vmax)
        rows.append(r)
    return rows


def ref():
    import numpy as np
    from scipy.stats import rankdata
    for name in NAMES:
        out = {"rank_n": [], "rank_max": [], "top": []}
        emit = lambda line: out[json.loads(line)["verb"]].append(line)   # printed verb by verb
        rows = dataset(name)
        strata = list(dict.fromkeys(r["s"] for r in rows))
        for s in strata:
            # --rank over groups (first-seen order within the stratum)
            groups = list(dict.fromkeys(r["g"] for r in rows if r["s"] == s))
            vals = {g: [r["v"] for r in rows if r["s"] == s and r["g"] == g and "v" in r] for g in groups}
            for col, desc in (("n", False), ("max", True)):
                keep = [g for g in groups if col == "n" or vals[g]]   # no values: no max (null, ranked last, no rank)
                x = np.array([len(vals[g]) if col == "n" else max(vals[g]) for g in keep], dtype=float)
                key = -x if desc else x
                ranks = rankdata(key, method="min")
                for k in np.argsort(key, kind="stable"):
                    emit(json.dumps({"dataset": name, "verb": "rank_" + col, "s": s, "g": keep[k], "rank": int(ranks[k])}))
                for g in groups:
                    if g not in keep:
                        emit(json.dumps({"dataset": name, "verb": "rank_" + col, "s": s, "g": g, "rank": None}))
            # top 7
            recs = [r for r in rows if r["s"] == s and "v" in r]
            v = np.array([r["v"] for r in recs], dtype=float)
            ranks = rankdata(-v, method="min")
            for k in np.argsort(-v, kind="stable")[:7]:
                emit(json.dumps({"dataset": name, "verb": "top", "s": s, "i": recs[k]["i"], "v": recs[k]["v"], "rank": int(ranks[k])}))
        for lines in out.values():
            sys.stdout.write("".join(line + "\n" for line in lines))


if __name__ == "__main__":
    if sys.argv[1] == "data":
        os.makedirs(sys.argv[2], exist_ok=True)
        for name in NAMES:
            with open(os.path.join(sys.argv[2], name + ".ndjson"), "w") as f:
                for r in dataset(name):
                    f.write(json.dumps(r) + "\n")
    else:
        ref()
