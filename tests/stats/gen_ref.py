#!/usr/bin/python3
"""Reference values for pt-stats from SciPy, NumPy and scikit-learn (Debian's
python3-scipy, python3-numpy, python3-sklearn). Writes ref.ndjson: one line
per (dataset, verb, group) with every statistic; null where undefined.
Run: /usr/bin/python3 tests/stats/gen_ref.py > tests/stats/ref.ndjson"""
import json, math, sys, warnings
import numpy as np
from scipy import stats
from sklearn.metrics import cohen_kappa_score
sys.path.insert(0, __import__("os").path.dirname(__file__))
from gen_data import NAMES, dataset

warnings.simplefilter("ignore")


def num(x):
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


def isnum(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def summary(v):
    v = np.array(v, dtype=float); n = len(v)
    if n == 0:
        return dict(n=0, mean=None, sd=None, se=None, median=None, q1=None, q3=None, min=None, max=None,
                    ci_low=None, ci_high=None)
    sd = np.std(v, ddof=1) if n > 1 else None
    se = stats.sem(v) if n > 1 else None
    ci = stats.t.interval(0.95, n - 1, loc=np.mean(v), scale=se) if n > 1 else (None, None)
    return dict(n=n, mean=num(np.mean(v)), sd=num(sd), se=num(se), median=num(np.median(v)),
                q1=num(np.percentile(v, 25)), q3=num(np.percentile(v, 75)), min=num(v.min()), max=num(v.max()),
                ci_low=num(ci[0]), ci_high=num(ci[1]))


def icc21(t, p):
    # ICC(2,1), Shrout & Fleiss: two-way random, absolute agreement, single rater.
    X = np.column_stack([t, p]); n, k = X.shape
    if n < 2:
        return None
    gm = X.mean(); rm = X.mean(axis=1); cm = X.mean(axis=0)
    msr = k * ((rm - gm) ** 2).sum() / (n - 1)
    msc = n * ((cm - gm) ** 2).sum() / (k - 1)
    mse = ((X - rm[:, None] - cm[None, :] + gm) ** 2).sum() / ((n - 1) * (k - 1))
    den = msr + (k - 1) * mse + k * (msc - mse) / n
    return None if den == 0 else (msr - mse) / den


def agree(t, p):
    t = np.array(t, dtype=float); p = np.array(p, dtype=float); n = len(t); d = p - t
    r = dict(n=n)
    if n == 0:
        return r | {k: None for k in "mae rmse bias pearson_r pearson_p spearman_rho spearman_p kendall_tau "
                    "kendall_p ccc icc qwk exact within1 loa_low loa_high".split()}
    r["mae"] = num(np.mean(np.abs(d))); r["rmse"] = num(np.sqrt(np.mean(d ** 2))); r["bias"] = num(np.mean(d))
    def safe(f):
        try:
            return f()
        except Exception:
            return (None, None)
    pr = safe(lambda: stats.pearsonr(t, p)) if n >= 2 else (None, None)
    r["pearson_r"], r["pearson_p"] = num(pr[0]), num(pr[1])
    sr = safe(lambda: stats.spearmanr(t, p)) if n >= 2 else (None, None)
    r["spearman_rho"], r["spearman_p"] = num(sr[0]), num(sr[1])
    kr = safe(lambda: stats.kendalltau(t, p, method="asymptotic")) if n >= 2 else (None, None)
    r["kendall_tau"], r["kendall_p"] = num(kr[0]), num(kr[1])
    mt, mp = t.mean(), p.mean()
    den = t.var() + p.var() + (mt - mp) ** 2
    r["ccc"] = None if den == 0 else num(2 * np.mean((t - mt) * (p - mp)) / den)
    r["icc"] = num(icc21(t, p))
    labels = np.unique(np.concatenate([t, p]))
    if len(labels) < 2:
        r["qwk"] = None
    else:
        r["qwk"] = num(cohen_kappa_score(np.searchsorted(labels, t), np.searchsorted(labels, p),
                                         labels=list(range(len(labels))), weights="quadratic"))
    r["exact"] = num(np.mean(np.abs(d) < 1e-9)); r["within1"] = num(np.mean(np.abs(d) <= 1 + 1e-9))
    sdd = np.std(d, ddof=1) if n > 1 else None
    r["loa_low"] = num(r["bias"] - 1.96 * sdd) if sdd is not None else None
    r["loa_high"] = num(r["bias"] + 1.96 * sdd) if sdd is not None else None
    return r


def holm(ps):
    idx = [i for i, x in enumerate(ps) if x is not None]
    order = sorted(idx, key=lambda i: ps[i]); m = len(order); out = [None] * len(ps); run = 0
    for j, i in enumerate(order):
        run = max(run, min(1.0, (m - j) * ps[i])); out[i] = run
    return out


def main():
    for name in NAMES:
        rows = dataset(name, 1000 + NAMES.index(name))
        groups = list(dict.fromkeys(r["g"] for r in rows))
        for g in groups:
            rs = [r for r in rows if r["g"] == g]
            vals = [r["v"] for r in rs if isnum(r["v"])]
            print(json.dumps({"dataset": name, "verb": "summary", "g": g} | summary(vals) |
                             {"n_missing": len(rs) - len(vals)}))
            pairs = [(r["truth"], r["pred"]) for r in rs if isnum(r["truth"]) and isnum(r["pred"])]
            print(json.dumps({"dataset": name, "verb": "agree", "g": g} |
                             agree([a for a, _ in pairs], [b for _, b in pairs]) | {"n_missing": len(rs) - len(pairs)}))
        ref = groups[0]
        refv = np.array([r["v"] for r in rows if r["g"] == ref and isnum(r["v"])], dtype=float)
        out = []
        for g in groups[1:]:
            x = np.array([r["v"] for r in rows if r["g"] == g and isnum(r["v"])], dtype=float)
            nmiss = sum(1 for r in rows if r["g"] == g and not isnum(r["v"]))
            if len(x) and len(refv):
                res = stats.mannwhitneyu(x, refv, method="asymptotic", alternative="two-sided")
                u, p = float(res.statistic), float(res.pvalue)
                gt = sum(int(a > b) for a in x for b in refv) if len(x) * len(refv) < 2e6 else None
                lt = sum(int(a < b) for a in x for b in refv) if gt is not None else None
                cd = (gt - lt) / (len(x) * len(refv)) if gt is not None else 2 * u / (len(x) * len(refv)) - 1
            else:
                u = p = cd = None
            out.append({"dataset": name, "verb": "compare", "g": g, "n": len(x), "n_missing": nmiss,
                        "median": num(np.median(x)) if len(x) else None, "ref_n": len(refv),
                        "ref_median": num(np.median(refv)) if len(refv) else None,
                        "diff_median": num(np.median(x) - np.median(refv)) if len(x) and len(refv) else None,
                        "u": num(u), "p": num(p), "cliffs_delta": num(cd)})
        for o, h in zip(out, holm([o["p"] for o in out])):
            o["p_holm"] = h
            print(json.dumps(o))


main()
