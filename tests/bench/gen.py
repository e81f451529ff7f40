#!/usr/bin/env python3
"""Writes N dataset-like NDJSON records (about 400 bytes each) to stdout,
deterministically: the records pt's benchmarks read.
usage: gen.py N [groups]"""
import json, random, sys

n = int(sys.argv[1])
groups = int(sys.argv[2]) if len(sys.argv) > 2 else 6
R = random.Random(7)
models = ["o1-preview", "gpt-4", "physicians_conventional", "physicians_gpt4", "claude-3-opus", "med42-8b",
          "gemini-pro", "llama-3-70b"][:groups]
studies = ["brodeur_landmark", "brodeur_mgmt", "goh_2024", "cabral_ridea", "kanjee_cpc"]
benchmarks = ["diagnostic_reasoning", "management_reasoning", "r_idea", "cpc_bond"]
words = "patient fever murmur cough pain acute chronic history examination differential likely".split()
out = sys.stdout
for i in range(n):
    g = round(R.uniform(0, 19) * 2) / 2
    r = {"id": f"r{i:07d}", "case_id": f"c{i // 8:06d}", "benchmark": R.choice(benchmarks), "study": R.choice(studies),
         "model": models[i % len(models)], "grade": g,
         "predicted_score": min(19, max(0, round((g + R.gauss(0.3, 2)) * 2) / 2)),
         "response": " ".join(R.choice(words) for _ in range(30)),
         "question_text": "What is the most likely diagnosis and the next step?", "max_score": 19}
    out.write(json.dumps(r, separators=(",", ":")) + "\n")
