#!/usr/bin/env python3
"""pt-stats paired against SciPy. `paired.py data DIR` writes the datasets
(standard library only: random.Random(seed) is the same everywhere);
`/usr/bin/python3 paired.py ref > paired_ref.ndjson` computes the reference
with Debian's python3-scipy: scipy.stats.wilcoxon(d) with its defaults and
ttest_rel's confidence interval, per group against the reference group of
its stratum. Fields: g (group, "R" the reference), s (stratum, a second
--by in the "strata" dataset), c (pair key), v (value)."""
import json, math, os, random, sys

NAMES = ["ties", "zeros", "all_equal", "n1", "n2", "n5", "n30", "n60", "n1000",
         "unpaired", "repeats", "strata", "nullkey"]


def dataset(name):
    R = random.Random(name)
    rows = []
    def add(g, c, v, s=None):
        r = {"g": g, "c": c, "v": v}
        if s is not None:
            r["s"] = s
        rows.append(r)
    def pairs(n, g="A", s=None, step=None, zero=0.0):
        for i in range(n):
            base = R.uniform(0, 19)
            add("R", f"k{i}", base, s)
            d = 0.0 if R.random() < zero else (R.choice([-2, -1, 1, 1, 2, 3]) * (step or 1) if step else R.gauss(0.8, 2))
            add(g, f"k{i}", base + d, s)
    if name == "ties":
        pairs(12, step=0.5)
    elif name == "zeros":
        pairs(20, step=1, zero=0.3)
    elif name == "all_equal":
        for i in range(8):
            add("R", f"k{i}", 3); add("A", f"k{i}", 3)
    elif name in ("n1", "n2", "n5", "n30", "n60", "n1000"):
        pairs(int(name[1:]))
        if name == "n30":
            pairs(30, g="B")
    elif name == "unpaired":
        pairs(15)
        add("R", "only_ref_1", 4); add("R", "only_ref_2", 5); add("A", "only_a", 9)
    elif name == "repeats":
        for i in range(10):
            for j in range(R.randint(1, 3)):
                add("R", f"k{i}", R.uniform(0, 10))
            for j in range(R.randint(1, 3)):
                add("A", f"k{i}", R.uniform(0, 12))
    elif name == "strata":
        for s in ("physician", "judge"):
            pairs(9, s=s)
            pairs(9, g="B", s=s)
        pairs(5, g="C", s="judge")
        for i in range(4):   # a stratum without a reference group
            add("D", f"k{i}", R.uniform(0, 5), "self")
    elif name == "nullkey":
        pairs(6)
        add("R", None, 3); add("A", None, 4)
    return rows


def reference():
    import warnings
    import numpy as np
    from scipy import stats
    warnings.simplefilter("ignore")

    def num(x):
        x = float(x)
        return None if math.isnan(x) or math.isinf(x) else x

    def means(rows):
        acc = {}
        for r in rows:
            acc.setdefault(json.dumps(r["c"]), []).append(r["v"])
        return {k: sum(v) / len(v) for k, v in acc.items()}

    def holm(ps):
        idx = [i for i, p in enumerate(ps) if p is not None]
        order = sorted(idx, key=lambda i: ps[i])
        out, run = [None] * len(ps), 0.0
        for j, i in enumerate(order):
            run = max(run, min(1.0, (len(order) - j) * ps[i]))
            out[i] = run
        return out

    for name in NAMES:
        rows = dataset(name)
        strata = "s" in rows[0]
        key = lambda r: (r["g"], r.get("s"))
        groups = {}
        for r in rows:
            groups.setdefault(key(r), []).append(r)
        out = []
        for (g, s), rs in groups.items():
            if g == "R":
                continue
            gm = means(rs)
            rm = means(groups.get(("R", s), []))
            ks = [k for k in gm if k in rm and k != "null"]
            unpaired = len([k for k in gm if k not in ks]) + (len([k for k in rm if k not in ks]) if ("R", s) in groups else 0)
            d = np.array([gm[k] - rm[k] for k in ks])
            o = {"dataset": name, "verb": "paired", "g": g, "n_pairs": len(ks), "n_unpaired": unpaired}
            if strata:
                o["s"] = s
            o["mean_diff"] = num(d.mean()) if len(d) else None
            o["median_diff"] = num(np.median(d)) if len(d) else None
            lo = hi = None
            if len(d) >= 2:
                ci = stats.ttest_rel([gm[k] for k in ks], [rm[k] for k in ks]).confidence_interval()
                lo, hi = num(ci.low), num(ci.high)
            o["ci_low"], o["ci_high"] = lo, hi
            try:
                w = stats.wilcoxon(d) if len(d) else None
                o["w"], o["p"] = (num(w.statistic), num(w.pvalue)) if w else (None, None)
            except ValueError:   # every difference zero
                o["w"] = o["p"] = None
            nz = d[d != 0]
            if len(nz):
                rk = stats.rankdata(np.abs(nz))
                rp, rmn = rk[nz > 0].sum(), rk[nz < 0].sum()
                o["effect"] = num((rp - rmn) / (rp + rmn))
            else:
                o["effect"] = None
            out.append(o)
        for o, h in zip(out, holm([o["p"] for o in out])):
            o["p_holm"] = h
        for o in out:
            print(json.dumps(o, sort_keys=True))


if __name__ == "__main__":
    if sys.argv[1] == "data":
        os.makedirs(sys.argv[2], exist_ok=True)
        for n in NAMES:
            with open(os.path.join(sys.argv[2], n + ".ndjson"), "w") as f:
                f.writelines(json.dumps(r) + "\n" for r in dataset(n))
    else:
        reference()
