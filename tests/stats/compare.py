#!/usr/bin/env python3
"""Compares pt-stats output (NDJSON lines tagged with dataset and verb) with
a reference (ref.ndjson, paired_ref.ndjson): every field, 1e-9 relative (p-values 1e-6); null must match null.
Prints "ok ..." / "FAIL ..." lines for tests/run.sh."""
import json, math, sys

ref = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    ref[(r.pop("dataset"), r.pop("verb"), r["g"], r.get("s", ""))] = r
got = {}
for line in open(sys.argv[2]):
    r = json.loads(line)
    got[(r.pop("dataset"), r.pop("verb"), r["g"], r.get("s", ""))] = r


def close(name, a, b):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    if name in ("p", "p_holm") or name.endswith("_p"):
        return abs(a - b) <= 1e-6 or abs(a - b) <= 1e-6 * abs(b)
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b)) or abs(a - b) <= 1e-12


nfields = 0
for key in sorted(ref):
    r, g = ref[key], got.get(key)
    tag = ("stats %s %s group %s %s" % key).rstrip()
    if g is None:
        print("FAIL " + tag + ": no output")
        continue
    bad = [f"{k}: pt {g.get(k)!r} ref {v!r}" for k, v in r.items() if not close(k, g.get(k), v)]
    extra = set(g) - set(r)
    if bad or extra:
        print("FAIL " + tag)
        for b in bad + [f"unexpected field {e}" for e in sorted(extra)]:
            print("     " + b)
    else:
        print("ok " + tag)
    nfields += len(r)
for key in sorted(set(got) - set(ref)):
    print(("FAIL stats %s %s group %s %s" % key).rstrip() + ": not in the reference")
print(("ok" if ref and nfields and set(got) == set(ref) else "FAIL") + f" stats reference: the same {len(ref)} groups, {nfields} values compared")
