#!/usr/bin/python3
"""Reference box statistics for pt-plot --stats from matplotlib.cbook.boxplot_stats
(Debian's python3-matplotlib), on the datasets of tests/stats/gen_data.py plus
a few made for whiskers and fliers. Run:
/usr/bin/python3 tests/plot/gen_ref.py > tests/plot/ref.ndjson"""
import json, math, os, sys
import numpy as np
from matplotlib.cbook import boxplot_stats
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "stats"))
from gen_data import NAMES, dataset
sys.path.insert(0, os.path.dirname(__file__))
from plot_data import EXTRA


def num(x):
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def isnum(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


sets = [(n, dataset(n, 1000 + NAMES.index(n))) for n in NAMES if n != "big"] + list(EXTRA.items())
for name, rows in sets:
    for g in dict.fromkeys(r["g"] for r in rows):
        x = np.array([r["v"] for r in rows if r["g"] == g and isnum(r["v"])], dtype=float)
        if len(x) == 0:
            print(json.dumps({"dataset": name, "label": g, "n": 0, "q1": None, "median": None, "q3": None,
                              "whislo": None, "whishi": None, "fliers": [], "mean": None}))
            continue
        s = boxplot_stats(x)[0]
        print(json.dumps({"dataset": name, "label": g, "n": len(x), "q1": num(s["q1"]), "median": num(s["med"]),
                          "q3": num(s["q3"]), "whislo": num(s["whislo"]), "whishi": num(s["whishi"]),
                          "fliers": [float(f) for f in s["fliers"]], "mean": num(s["mean"])}))
