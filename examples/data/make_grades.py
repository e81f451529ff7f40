#!/usr/bin/env python3
"""Fictional second and third physician grades for the Brodeur responses of
combined_dataset.json, in long form: one line per grade, {id, grader,
grade}. The dataset's own grade is grader "g1"; "g2" and "g3" grade 40
diagnostic and 48 management responses, each the first grade moved by a
physician's usual disagreement (up to three points on 0-19; up to three
rubric points on management). Invented by this project, like the dataset; deterministic:
python3 make_grades.py < combined_dataset.json > grades.ndjson"""
import json, random, sys

R = random.Random(2025)
entries = json.load(sys.stdin)
dx = [e for e in entries if e["study"].startswith("brodeur") and e["benchmark"] == "diagnostic_reasoning"]
mg = [e for e in entries if e["study"].startswith("brodeur") and e["benchmark"] == "management_reasoning"]
for subset, step in ((dx[::2], 1), (mg[::2], 1)):
    for e in subset:
        hi = 19 if e["benchmark"] == "diagnostic_reasoning" else e["max_score"]
        for g in ("g2", "g3"):
            moved = e["grade"] + step * R.choice([-3, -2, -1, -1, 0, 0, 0, 1, 1, 2])
            print(json.dumps({"id": e["id"], "grader": g, "grade": min(hi, max(0, moved))}))
