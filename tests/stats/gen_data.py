#!/usr/bin/env python3
"""Writes the pt-stats test datasets (NDJSON) into DIR, deterministically,
with the standard library only: random.Random(seed) is the same everywhere.
Fields: g (group), truth, pred, c (cluster), v (value for summary/compare)."""
import json, os, random, sys


def dataset(name, seed):
    R = random.Random(seed)
    rows = []
    def add(g, t, p, c=None, v=None):
        rows.append({"g": g, "truth": t, "pred": p, "c": c if c is not None else f"c{len(rows) % 7}",
                     "v": t if v is None else v})
    if name == "ties":
        for i in range(60):
            t = R.randint(0, 5); add("A" if i % 2 else "B", t, min(5, max(0, t + R.choice([-1, 0, 0, 1]))))
    elif name == "all_equal":
        for i in range(10): add("A", 3, 3)
    elif name == "n1":
        add("A", 4, 5)
    elif name == "n2":
        add("A", 4, 5); add("A", 2, 1)
    elif name == "n3":
        add("A", 4, 5); add("A", 2, 1); add("A", 7, 6.5)
    elif name == "negative_fractional":
        for i in range(40):
            t = R.gauss(-1.5, 3.3); add(R.choice("AB"), t, t * 0.8 + R.gauss(0.3, 1.1))
    elif name == "half_points":
        for i in range(240):
            t = round(R.uniform(0, 19) * 2) / 2
            p = min(19, max(0, round((t + R.gauss(0.5, 2)) * 2) / 2))
            add(["o1-preview", "gpt-4", "physicians"][i % 3], t, p, c=f"case{i // 6}")
    elif name == "sizes":
        for g, n in (("tiny", 3), ("mid", 30), ("large", 300)):
            for i in range(n):
                t = R.randint(0, 10); add(g, t, min(10, max(0, t + R.randint(-2, 2))))
    elif name == "missing":
        for i in range(30):
            t = R.randint(0, 5)
            p = R.choice([t, t + 1, None, "n/a"]) if i % 4 == 0 else t - R.randint(0, 1)
            add(R.choice("AB"), t if i % 9 else None, p)
    elif name == "constant_pred":
        for i in range(20): add("A", R.randint(0, 5), 2)
    elif name == "perfect":
        for i in range(25):
            t = R.randint(0, 19); add("A", t, t)
    elif name == "big":
        for i in range(100000):
            t = round(R.uniform(0, 19) * 2) / 2
            add(R.choice(["m1", "m2", "m3"]), t, min(19, max(0, round((t + R.gauss(0, 2.5)) * 2) / 2)),
                c=f"case{i // 50}")
    return rows


NAMES = ["ties", "all_equal", "n1", "n2", "n3", "negative_fractional", "half_points", "sizes",
         "missing", "constant_pred", "perfect", "big"]

if __name__ == "__main__":
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for i, n in enumerate(NAMES):
        with open(os.path.join(out, n + ".ndjson"), "w") as f:
            for r in dataset(n, 1000 + i):
                f.write(json.dumps(r, separators=(",", ":")) + "\n")
