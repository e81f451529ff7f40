#!/usr/bin/python3
"""The vignette's step-4 figure, as its Python does it (json + matplotlib).
usage: py_box.py FILE OUT.png"""
import json, sys
from collections import defaultdict
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

scores_by_model = defaultdict(list)
with open(sys.argv[1]) as f:
    for line in f:
        e = json.loads(line)
        scores_by_model[e["model"]].append(e["grade"])
fig, ax = plt.subplots(figsize=(10, 6))
labels = list(scores_by_model.keys())
ax.boxplot([scores_by_model[m] for m in labels], labels=labels, vert=True)
ax.set_ylabel("Score")
ax.set_title("Diagnostic Reasoning - Brodeur et al. Benchmark")
plt.xticks(rotation=45, ha="right")
plt.tight_layout()
plt.savefig(sys.argv[2], dpi=150)
