#!/usr/bin/python3
"""The Python peer of pt-stats: json.loads + NumPy + SciPy, whole process.
usage: py_stats.py summary|agree FILE"""
import json, sys
from collections import defaultdict
import numpy as np
from scipy import stats

verb, path = sys.argv[1], sys.argv[2]
if verb == "summary":
    groups = defaultdict(list)
    with open(path) as f:
        for line in f:
            e = json.loads(line)
            g = e.get("grade")
            if isinstance(g, (int, float)):
                groups[e.get("model")].append(g)
    for m, v in groups.items():
        v = np.array(v)
        se = stats.sem(v)
        ci = stats.t.interval(0.95, len(v) - 1, loc=v.mean(), scale=se)
        print(json.dumps({"model": m, "n": len(v), "mean": v.mean(), "sd": v.std(ddof=1), "se": se,
                          "median": np.median(v), "q1": np.percentile(v, 25), "q3": np.percentile(v, 75),
                          "min": v.min(), "max": v.max(), "ci_low": ci[0], "ci_high": ci[1]}))
else:
    t, p = [], []
    with open(path) as f:
        for line in f:
            e = json.loads(line)
            a, b = e.get("grade"), e.get("predicted_score")
            if isinstance(a, (int, float)) and isinstance(b, (int, float)):
                t.append(a); p.append(b)
    t, p = np.array(t), np.array(p)
    r, rp = stats.pearsonr(t, p)
    s, sp = stats.spearmanr(t, p)
    k, kp = stats.kendalltau(t, p)
    d = p - t
    print(json.dumps({"n": len(t), "mae": np.abs(d).mean(), "rmse": np.sqrt((d ** 2).mean()), "bias": d.mean(),
                      "pearson_r": r, "pearson_p": rp, "spearman_rho": s, "spearman_p": sp,
                      "kendall_tau": k, "kendall_p": kp}))
