#!/usr/bin/env python3
"""tests/resume_prop.py: the property test of --resume (issue 25).

Random inputs in which several records send the same request (one answer
graded by two physicians; identical records), a server that fails requests
at random, random kills (SIGKILL mid-write, SIGINT) and several resumes in
place. Invariant: the final file holds each input record exactly once, with
its own fields, every answer ok, equal (but for timings) to an uninterrupted
run against a server without faults.

usage: resume_prop.py infer|judge CASES SEED FAULTY_URL CLEAN_URL DIR
Prints "ok NAME" or "FAIL NAME" with the failing case for each property.
"""
import json, os, random, signal, subprocess, sys, time

tool, ncases, seed, faulty, clean, tmp = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), *sys.argv[4:7]
VOLATILE = {"latency_ms", "cached", "attempts", "base_url"}   # (the two servers' ports differ)


def strip(v):
    if isinstance(v, dict):
        d = {k: strip(x) for k, x in v.items() if k not in VOLATILE}
        if "judges" in d:   # in the order the samples were answered
            d["judges"] = sorted(d["judges"], key=lambda x: x["sample"])
        return d
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v


def records(rng, case):
    n = rng.randint(2, 12)
    nreq = rng.randint(1, n)
    out = []
    for i in range(n):
        q = rng.randrange(nreq)
        rec = {"id": "r%d" % rng.randrange(max(1, n // 2))}   # ids collide too
        if tool == "infer":
            rec["messages"] = [{"role": "user", "content": "case %d question %d" % (case, q)}]
            if rng.random() < 0.5:
                rec["model"] = rng.choice(["a", "b"])     # moved to source by an answer
        else:
            rec.update(benchmark="r_idea", case_vignette="case %d" % case, question_text="q %d" % q,
                       response="[[pt: judge=%d]] answer %d" % (q % 11, q))
        if rng.random() < 0.8:
            rec["grade"] = rng.randrange(6)             # the physicians' grades differ
        if rng.random() < 0.3 and out:
            rec = dict(rng.choice(out))                # an identical record
        out.append(rec)
    return out


def cmd(url, extra, samples):
    c = ["pt-infer" if tool == "infer" else "pt-judge", "-m", "m", "-u", url, "--retries", "0", "-j", "4"]
    if samples > 1:
        c += ["--samples", str(samples)]
    return c + extra


def run(args, inp, out=None, kill=None, delay=0.0):
    with open(inp) as fi, open(out if out else os.devnull, "w") as fo:
        p = subprocess.Popen(args, stdin=fi, stdout=fo, stderr=subprocess.DEVNULL)
        if kill:
            time.sleep(delay)
            p.send_signal(kill)
        rc = p.wait()
        if os.environ.get("DEBUG"):
            print("#", " ".join(args[5:]), kill, rc, file=sys.stderr)
            os.system("cp %s %s.%d" % (out, out, time.time_ns()) if out else "true")
        return rc


def statuses(path):
    got = set()
    with open(path, "rb") as f:
        for raw in f:
            try:
                v = json.loads(raw)
            except ValueError:
                return {"half line"}
            got.update([v["infer"]["status"]] if tool == "infer" else [j["status"] for j in v["judges"]])
    return got


def canon(path):
    lines = []
    with open(path, "rb") as f:
        for raw in f:
            lines.append(json.dumps(strip(json.loads(raw)), sort_keys=True))
    return sorted(lines)


bad = {"each record once, its own fields": None, "every answer ok": None, "no half line": None}
for case in ([int(os.environ['CASE'])] if os.environ.get('CASE') else range(ncases)):
    rng = random.Random(seed * 100003 + case)
    recs = records(rng, case)
    samples = rng.choice([1, 1, 2])
    inp, out, ref = (os.path.join(tmp, "%s.%d.%s" % (tool, case, s)) for s in ("in", "out", "ref"))
    with open(inp, "w") as f:
        for r in recs:
            f.write(json.dumps(r) + "\n")
    run(cmd(clean, ["-o", ref], samples), inp)
    # the first run, to stdout, maybe killed in the middle of a write
    kill = rng.choice([None, signal.SIGKILL, signal.SIGKILL, signal.SIGINT])
    run(cmd(faulty, [], samples), inp, out, kill, rng.uniform(0, 0.06))
    # resumes in place, some killed, then until every record is ok
    tries = []
    for k in range(rng.randint(0, 3)):
        kill = rng.choice([signal.SIGKILL, signal.SIGINT, None])
        tries.append(run(cmd(faulty, ["--resume", out, "-o", out], samples), inp, None, kill, rng.uniform(0, 0.05)))
    for k in range(12):   # (pt-judge exits 0 when a record has a score, some samples failed)
        if run(cmd(faulty, ["--resume", out, "-o", out], samples), inp) == 0 and statuses(out) == {"ok"}:
            break
    with open(out, "rb") as f:
        data = f.read()
    what = "case %d (%d records, --samples %d, file %s)" % (case, len(recs), samples, out)
    if data and not data.endswith(b"\n"):
        bad["no half line"] = bad["no half line"] or what
        continue
    got, want = canon(out), canon(ref)
    if got != want:
        only_want = [x for x in want if x not in got]
        only_got = [x for x in got if x not in want]
        bad["each record once, its own fields"] = bad["each record once, its own fields"] or \
            what + ": %d lines, want %d\n missing: " % (len(got), len(want)) + "\n          ".join(only_want) + \
            "\n extra:   " + "\n          ".join(only_got)
        continue
    if statuses(out) != {"ok"}:
        bad["every answer ok"] = bad["every answer ok"] or what + ": " + " ".join(sorted(statuses(out)))
for name, why in bad.items():
    label = "resume property (pt-%s, %d random cases): %s" % (tool, ncases, name)
    if why:
        print("FAIL " + label)
        print("     " + why.replace("\n", "\n     ")[:3000])
    else:
        print("ok " + label)
