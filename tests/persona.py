"""tests/persona.py: the scripted "clinical" persona of tests/server.py, used
to make the response cache of examples/brodeur (make refresh-cache).

It is not a model. As the "new model" it matches a prompt's case findings
against the example's knowledge base (examples/data/kb.json) and writes a
differential or a management answer, with deliberate, deterministic
mistakes. As the "judge" it scores by keyword overlap with the final
diagnosis, rubric or reference test. The answers are plausible so that the
demo's tables and figures have something to show, nothing more.

The fictional judges of examples/judges (the request's model names one of
JUDGES) are made from the physicians' own grades, loaded with --persona-data:
each finds the graded entry of the dataset, then adds its bias and noise, so
that their quality differs by construction: one close to the physicians, one
generous, one noisy, one that now and then replies with broken JSON."""
import hashlib, json, math, re

KB = []
DATA = []   # the dataset's entries, for the fictional judges
# name: (bias and sd as a share of the score range, share of unreadable replies)
JUDGES = {
    "fictional-close": (0.0, 0.05, 0.0),
    "fictional-generous": (0.15, 0.06, 0.0),
    "fictional-noisy": (0.0, 0.22, 0.0),
    "fictional-flaky": (-0.03, 0.08, 0.1),
}


def load(path):
    KB.extend(json.load(open(path))["diseases"])


def load_data(path):
    DATA.extend(json.load(open(path)))


def h(text, salt=""):
    return int(hashlib.sha256((salt + text).encode()).hexdigest()[:8], 16) / 0xFFFFFFFF


def best_disease(text):
    t = text.lower()
    scored = sorted(KB, key=lambda d: (-sum(f.lower() in t for f in d["findings"]), d["name"]))
    return scored[0] if scored else None


def model_answer(text):
    d = best_disease(text)
    if d is None:
        return "I cannot tell from this case."
    q = 0.45 + 0.5 * h(text, "model")          # this "model" is fairly good, not perfect
    others = [x["name"] for x in KB if x is not d]
    if "Provide your answer." in text:          # a management question
        keep = [i for k, i in enumerate(d["management"]) if h(text, i) < q]
        return ("; ".join(keep) + ".") if keep else "Supportive care and review."
    first = d["name"] if q > 0.6 else d["related"][int(h(text, "r") * len(d["related"]))]
    ddx = [first] + [x for x in d["related"] + others[:1] if x != first][:2]
    if q > 0.5 and d["name"] not in ddx:
        ddx[-1] = d["name"]
    nf = round(q * len(d["findings"]))
    return "\n".join([f"{i + 1}. {x}" for i, x in enumerate(ddx)] +
                     ["Supporting findings: " + (", ".join(d["findings"][:nf]) or "none") + ".",
                      "Next step: " + (d["test"] if q > 0.55 else "basic blood tests") + "."])


def section(text, label):
    m = re.search(re.escape(label) + r":\n(.*?)(?:\n\n[A-Z][^\n]*:\n|\Z)", text, re.S)
    return m.group(1).strip() if m else ""


def judge(system, user):
    m = re.search(r"<<<RESPONSE (\w+)>>>\n(.*)\n<<<END RESPONSE \1>>>", user, re.S)
    resp = (m.group(2) if m else "").lower()
    first = resp.split("\n")[0]
    final = section(user, "Final diagnosis (known)")
    d = next((x for x in KB if x["name"] == final), None)
    if "Bond score" in system:
        s = 5 if final.lower() in first else 4 if final.lower() in resp else \
            3 if d and any(r.lower() in resp for r in d["related"]) else 2 if any(x["name"].lower() in resp for x in KB) else 0
        return s, f"Best match for {final}: Bond {s}."
    if "test plan" in system:
        ref = section(user, "Reference next test").lower()
        s = 2 if ref and ref in resp else 1 if any(x["test"].lower() in resp for x in KB) else 0
        return s, "The plan includes the reference test." if s == 2 else "The reference test is not in the plan."
    if "management rubric" in system:
        rub = section(user, "Rubric (JSON)") or section(user, "Rubric")
        try:
            items = json.loads(rub)
        except ValueError:
            items = {}
        got = {k: v for k, v in items.items() if k.lower() in resp} if isinstance(items, dict) else {}
        return sum(got.values()), ("Addressed: " + "; ".join(got) + ".") if got else "No rubric item addressed."
    if "R-IDEA" in system:
        names = sum(x["name"].lower() in resp for x in KB)
        s = min(10, 2 + 2 * min(names, 3) + (1 if "supporting findings" in resp else 0) + (1 if "next step" in resp else 0))
        return s, f"{names} diagnoses discussed."
    # diagnostic reasoning, 0-19
    s = 0.0
    if d:
        s += 10 if d["name"].lower() in first else 6 if d["name"].lower() in resp else 2 if any(r.lower() in resp for r in d["related"]) else 0
        s += 1.5 * sum(f.lower() in resp for f in d["findings"])
        s += 1.5 if d["test"].lower() in resp else 0
    s = min(19.0, round(s * 2) / 2)
    return s, f"Leading diagnosis {'correct' if d and d['name'].lower() in first else 'not the final diagnosis'}; score {s:g}."


def task_of(system):
    return ("cpc_bond", "bi_triage") if "Bond score" in system else ("cpc_management",) if "test plan" in system else \
        ("management_reasoning",) if "management rubric" in system else ("r_idea",) if "R-IDEA" in system else \
        ("diagnostic_reasoning",)


def fictional(model, system, user):
    """A fictional judge's reply: the physicians' grade of the entry graded,
    moved by the judge's bias and noise onto the task's scale; None when the
    entry is not in the dataset."""
    m = re.search(r"<<<RESPONSE (\w+)>>>\n(.*)\n<<<END RESPONSE \1>>>", user, re.S)
    tasks = task_of(system)
    same = [e for e in DATA if m and e.get("response") == m.group(2) and e.get("benchmark") in tasks]
    # the entries whose case, question and diagnosis the prompt shows most of
    shown = lambda e: sum(isinstance(e.get(f), str) and e[f] in user for f in ("final_diagnosis", "question_text", "case_vignette"))
    found = [e for e in same if shown(e) == max(map(shown, same))]
    if not found or any(not isinstance(e.get("grade"), (int, float)) for e in found):
        return None
    bias, sd, broken = JUDGES[model]
    top = found[0].get("max_score") or {"cpc_management": 2, "r_idea": 10, "diagnostic_reasoning": 19}.get(tasks[0], 5)
    truth = sum(e["grade"] for e in found) / len(found) / top
    z = math.sqrt(-2 * math.log(max(h(user, model + "u1"), 1e-12))) * math.cos(2 * math.pi * h(user, model + "u2"))
    x = min(1.0, max(0.0, truth + bias + sd * z)) * top
    if tasks[0] == "cpc_bond":
        s = min((0, 2, 3, 4, 5), key=lambda a: abs(a - x))
    elif tasks[0] == "diagnostic_reasoning":
        s = round(x * 2) / 2
    else:
        s = round(x)
    why = f"Judged against the rubric: {s:g} of {top:g}."
    if h(user, model + "broken") < broken:
        return '{"score": %g, "justification": "Judged against the rubric: the response' % s   # cut off
    return json.dumps({"score": s, "justification": why})


def reply(body):
    msgs = body.get("messages") or []
    system = body.get("system") if isinstance(body.get("system"), str) else \
        next((m.get("content", "") for m in msgs if m.get("role") == "system"), "")
    user = next((m.get("content", "") for m in reversed(msgs) if m.get("role") == "user"), "")
    if system.startswith("You are an expert physician grading"):
        if body.get("model") in JUDGES and DATA:
            r = fictional(body["model"], system, user)
            if r is not None:
                return r
        score, why = judge(system, user)
        return json.dumps({"score": score, "justification": why})
    if system.startswith("You route"):
        return json.dumps({"task": "diagnostic_reasoning"})
    return model_answer(user)
