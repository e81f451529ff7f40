#!/usr/bin/env python3
"""pt-stats raters and ppi against independent computations.
`raters.py data DIR` writes the datasets (standard library only);
`/usr/bin/python3 raters.py ref > raters_ref.ndjson` computes, with NumPy and
SciPy: Krippendorff's alpha from all pairs of values (not pt's coincidence
matrix), ICC(2,1)/(2,k) from the two-way ANOVA, the alternative annotator
test as the paper's code states it (scipy.stats.ttest_1samp, alternative
"less"; Benjamini-Yekutieli), and prediction-powered inference from its
closed forms. Fields: g (group), item, rater, v (rating), judge (the
candidate's score on the same record), y (truth), f (prediction)."""
import json, math, os, random, sys

NAMES = ["complete3", "missing4", "nominal5", "ordinal_skew", "ratio_pos", "two_raters",
         "ties_only", "many_items", "judge_good", "judge_const"]


def dataset(name):
    R = random.Random(name)
    rows = []
    nr = {"complete3": 3, "missing4": 4, "nominal5": 5, "two_raters": 2}.get(name, 4)
    ni = {"many_items": 400, "judge_good": 60, "judge_const": 60}.get(name, 40)
    for i in range(ni):
        truth = R.uniform(0, 10)
        js = truth + R.gauss(0, 0.5) if name != "judge_const" else 5.0
        for r in range(nr):
            if name in ("missing4", "many_items", "judge_good") and R.random() < 0.25:
                continue
            x = truth + R.gauss(0, 1.5)
            if name == "nominal5":
                x = R.choice([1, 2, 3]) if R.random() < 0.4 else int(truth) % 3 + 1
            elif name == "ordinal_skew":
                x = min(5, max(1, round(truth / 2 + R.gauss(0, 0.7)) ** 1))
            elif name == "ratio_pos":
                x = abs(x) + 0.1
            elif name == "ties_only":
                x = round(x)
            else:
                x = round(x * 2) / 2
            rows.append({"g": "all", "item": f"i{i}", "rater": f"r{r}", "v": x, "judge": round(js * 2) / 2})
    return rows


LEVEL = {"nominal5": "nominal", "ordinal_skew": "ordinal", "ratio_pos": "ratio"}


def ppi_data(seed, n, N, noise=1.0, bias=1.5):
    R = random.Random(seed)
    rows = []
    for i in range(n + N):
        y = R.gauss(10, 3)
        f = y + bias + R.gauss(0, noise)
        rows.append({"g": "all", "f": f, "y": y if i < n else None})
    return rows


PPI = {"ppi_small": (20, 200), "ppi_large": (150, 2000), "ppi_equal": (100, 100)}


def reference():
    import numpy as np
    from scipy import stats

    def num(x):
        x = float(x)
        return None if math.isnan(x) or math.isinf(x) else x

    def alpha(units, level):
        vals = [v for u in units if len(u) >= 2 for v in u]
        n = len(vals)
        counts = {}
        for v in vals:
            counts[v] = counts.get(v, 0) + 1
        srt = sorted(counts)
        def d2(a, b):
            if level == "nominal":
                return 0.0 if a == b else 1.0
            if level == "ratio":
                return ((a - b) / (a + b)) ** 2 if a + b else 0.0
            if level == "ordinal":
                lo, hi = sorted((a, b))
                s = sum(counts[g] for g in srt if lo <= g <= hi)
                return (s - (counts[a] + counts[b]) / 2) ** 2
            return (a - b) ** 2
        do = sum(sum(d2(u[i], u[j]) for i in range(len(u)) for j in range(len(u)) if i != j) / (len(u) - 1)
                 for u in units if len(u) >= 2) / n
        de = sum(d2(a, b) for a in vals for b in vals) / (n * (n - 1))
        return 1 - do / de, n

    def icc(mat):
        if any(math.isnan(x) for row in mat for x in row) or len(mat) < 2:
            return None, None
        X = np.array(mat); n, k = X.shape
        gm, rm, cm = X.mean(), X.mean(1), X.mean(0)
        msr = k * ((rm - gm) ** 2).sum() / (n - 1)
        msc = n * ((cm - gm) ** 2).sum() / (k - 1)
        mse = ((X - rm[:, None] - cm[None, :] + gm) ** 2).sum() / ((n - 1) * (k - 1))
        return (num((msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n)),
                num((msr - mse) / (msr + (msc - mse) / n)))

    def alt(humans, llm, eps, q=0.05, min_items=30):
        def neg_rmse(p, anns):
            return -math.sqrt(sum((p - a) ** 2 for a in anns) / len(anns))
        ps, adv = [], []
        for h in humans:
            d, w = [], []
            for i, x in humans[h].items():
                if i not in llm:
                    continue
                rest = [humans[o][i] for o in humans if o != h and i in humans[o]]
                if not rest:
                    continue
                sh, sf = neg_rmse(x, rest), neg_rmse(llm[i], rest)
                d.append(int(sh >= sf) - int(sf >= sh)); w.append(int(sf >= sh))
            if len(d) < min_items:
                continue
            ps.append(stats.ttest_1samp(d, eps, alternative="less").pvalue); adv.append(np.mean(w))
        if not ps:
            return None, None, 0
        m = len(ps); hm = sum(1 / i for i in range(1, m + 1))
        order = np.argsort(ps); k = 0
        for r, i in enumerate(order):
            if ps[i] <= (r + 1) / m * q / hm:
                k = r + 1
        return k / m, float(np.mean(adv)), m

    for name in NAMES:
        rows = dataset(name)
        level = LEVEL.get(name, "interval")
        items = sorted({r["item"] for r in rows}, key=lambda s: int(s[1:]))
        raters = sorted({r["rater"] for r in rows})
        rat = {(r["item"], r["rater"]): r["v"] for r in rows}
        units = [[rat[(i, r)] for r in raters if (i, r) in rat] for i in items]
        a, pairable = alpha(units, level)
        mat = [[rat.get((i, r), float("nan")) for r in raters] for i in items]
        i1, ik = icc(mat)
        o = {"dataset": name, "verb": "raters", "g": "all", "level": level, "n_items": len(items),
             "n_raters": len(raters), "n_pairable": pairable, "alpha": num(a), "icc21": i1, "icc2k": ik}
        humans = {r: {i: rat[(i, r)] for i in items if (i, r) in rat} for r in raters}
        llm = {r["item"]: r["judge"] for r in rows}
        om, rho, m = alt(humans, llm, 0.2)
        swapped = []
        for h in raters:
            units2 = [[llm[i] if r == h else rat[(i, r)] for r in raters if r == h or (i, r) in rat] for i in items]
            swapped.append(alpha(units2, level)[0])
        o.update({"alt_raters": m, "alt_omega": om, "alt_rho": num(rho) if rho is not None else None,
                  "alpha_candidate": num(np.mean(swapped))})
        print(json.dumps(o, sort_keys=True))
    z = stats.norm.ppf(0.975)
    for name, (n, N) in PPI.items():
        rows = ppi_data(name, n, N)
        y = np.array([r["y"] for r in rows if r["y"] is not None]); f = np.array([r["f"] for r in rows if r["y"] is not None])
        fu = np.array([r["f"] for r in rows if r["y"] is None]); fall = np.concatenate([f, fu])
        for tune in (False, True):
            lam = 1.0
            if tune:
                # ppi_py's _calc_lam_glm: np.cov of all predictions (ddof 1)
                lam = min(1, max(0, np.mean((y - y.mean()) * (f - f.mean())) / ((1 + n / N) * np.cov(fall))))
            est = lam * fu.mean() + (y - lam * f).mean()
            se = math.sqrt(lam ** 2 * fu.var() / N + (y - lam * f).var() / n)
            print(json.dumps({"dataset": name + ("_tuned" if tune else ""), "verb": "ppi", "g": "all",
                              "n_labelled": n, "n_unlabelled": N, "estimate": est, "ci_low": est - z * se,
                              "ci_high": est + z * se, "lambda": lam,
                              "naive": fall.mean(), "naive_ci_low": fall.mean() - z * fall.std() / math.sqrt(n + N),
                              "naive_ci_high": fall.mean() + z * fall.std() / math.sqrt(n + N),
                              "classical": y.mean(), "classical_ci_low": y.mean() - z * y.std() / math.sqrt(n),
                              "classical_ci_high": y.mean() + z * y.std() / math.sqrt(n)}, sort_keys=True))


if __name__ == "__main__":
    if sys.argv[1] == "data":
        os.makedirs(sys.argv[2], exist_ok=True)
        for n in NAMES:
            with open(os.path.join(sys.argv[2], n + ".ndjson"), "w") as fh:
                fh.writelines(json.dumps(r) + "\n" for r in dataset(n))
        for n, (a, b) in PPI.items():
            with open(os.path.join(sys.argv[2], n + ".ndjson"), "w") as fh:
                fh.writelines(json.dumps(r) + "\n" for r in ppi_data(n, a, b))
    else:
        reference()
