#!/usr/bin/env python3
"""Makes examples/data/combined_dataset.json: a FICTIONAL dataset in the
PrecepTron schema (a JSON array), from kb.json, deterministically (standard
library only). Nothing in it comes from the published dataset: cases,
answers and grades are invented so that pt's workflow can be shown and
tested. Run: python3 examples/data/make_dataset.py > examples/data/combined_dataset.json"""
import json, os, random

HERE = os.path.dirname(os.path.abspath(__file__))
KB = json.load(open(os.path.join(HERE, "kb.json")))["diseases"]
R = random.Random(2024)
AGES = [23, 31, 38, 45, 52, 58, 63, 67, 71, 76, 80]

# How good each respondent tends to be, per task family (mean quality, spread):
# a strong model high, physicians lower, wide spread - like the published medians.
SKILL = {"o1-preview": (0.9, 0.1), "gpt-4": (0.72, 0.17), "claude-3-opus": (0.7, 0.18),
         "physicians_gpt4": (0.6, 0.2), "physicians_conventional": (0.45, 0.22)}


def quality(who):
    m, s = SKILL[who]
    return min(1.0, max(0.0, R.gauss(m, s)))


def vignette(d, k=4):
    f = R.sample(d["findings"], k)
    age, sex = R.choice(AGES), R.choice(["man", "woman"])
    return f"A {age}-year-old {sex} presents with {', '.join(f[:-1])} and {f[-1]}. Examination and first tests are otherwise unremarkable."


def dx_answer(d, q):
    """A differential whose accuracy follows q."""
    others = [x["name"] for x in KB if x is not d]
    first = d["name"] if q > 0.55 else R.choice(d["related"]) if q > 0.3 else R.choice(others)
    rest = R.sample(d["related"] + R.sample(others, 2), 2)
    ddx = [first] + [x for x in rest if x != first][:2]
    if q > 0.7 and d["name"] not in ddx[:1]:
        ddx[1] = d["name"]
    lines = [f"{i + 1}. {x}" for i, x in enumerate(ddx)]
    nf = max(0, round(q * 4))
    lines.append("Supporting findings: " + (", ".join(d["findings"][:nf]) if nf else "none identified") + ".")
    lines.append("Next step: " + (d["test"] if q > 0.5 else "repeat basic blood tests") + ".")
    return "\n".join(lines)


def mgmt_answer(d, items, q):
    keep = [i for i in items if R.random() < q]
    if not keep and q > 0.3:
        keep = items[:1]
    return ("; ".join(keep) + ".") if keep else "Observe and review in the morning."


def half(x, hi):
    return min(hi, max(0.0, round(x * 2) / 2))


def main():
    out, n = [], 0
    def add(**e):
        nonlocal n
        n += 1
        e = {"id": f"ex-{n:04d}"} | e
        out.append(e)

    # Brodeur et al.: diagnostic reasoning (0-19) on landmark cases
    for c, d in enumerate(R.sample(KB, 10) + R.sample(KB, 10)):
        v = vignette(d)
        for who in ["o1-preview", "gpt-4", "physicians_conventional", "physicians_gpt4"]:
            q = quality(who)
            add(case_id=f"brodeur-dx-{c + 1:02d}", benchmark="diagnostic_reasoning", study="brodeur_landmark",
                model=who, grade=half(19 * q + R.gauss(0, 1.2), 19), response=dx_answer(d, q), rubric=None,
                case_vignette=v, question_text="Give up to three differential diagnoses with the findings for and against each, your final diagnosis, and the next diagnostic steps.",
                final_diagnosis=d["name"], max_score=19)
    # Brodeur et al.: management reasoning, a point rubric per question
    for c, d in enumerate(R.sample(KB, 12)):
        v = vignette(d)
        items = list(d["management"])
        questions = [("What would you do in the first hour?", items[:3]), ("What else must be arranged?", items[1:])]
        for qi, (qt, its) in enumerate(questions):
            rubric = {i: d["management"][i] for i in its}
            mx = sum(rubric.values())
            for who in ["o1-preview", "gpt-4", "physicians_conventional", "physicians_gpt4"]:
                q = quality(who)
                ans = mgmt_answer(d, its, q)
                got = sum(p for i, p in rubric.items() if i in ans)
                grade = min(mx, max(0, got + R.choice([-1, 0, 0, 0, 0.5, 1]) * (R.random() < 0.3)))
                add(case_id=f"brodeur-mgmt-{c + 1:02d}", benchmark="management_reasoning", study="brodeur_mgmt",
                    model=who, grade=grade, response=ans, rubric=rubric, case_vignette=v,
                    question_text=qt, final_diagnosis=d["name"], max_score=mx)
    # Goh et al. 2024: diagnostic reasoning, physicians with and without GPT-4
    for c, d in enumerate(R.sample(KB, 8)):
        v = vignette(d, 3)
        for who in ["physicians_conventional", "physicians_gpt4", "gpt-4"]:
            q = quality(who)
            add(case_id=f"goh-{c + 1:02d}", benchmark="diagnostic_reasoning", study="goh_2024", model=who,
                grade=half(19 * q + R.gauss(0, 1.5), 19), response=dx_answer(d, q), case_vignette=v,
                question_text="Structured reflection: differential, findings for and against, final diagnosis, next steps.",
                final_diagnosis=d["name"], max_score=19)
    # Cabral et al.: R-IDEA documentation scores (0-10)
    for c, d in enumerate(R.sample(KB, 12)):
        v = vignette(d)
        for who in ["gpt-4", "physicians_conventional", "claude-3-opus"]:
            q = quality(who)
            add(case_id=f"ridea-{c + 1:02d}", benchmark="r_idea", study="cabral_ridea", model=who,
                grade=min(10, max(0, round(10 * q + R.gauss(0, 1)))),
                response=f"Summary: {v} Assessment: {dx_answer(d, q)}", case_vignette=v,
                question_text="Write the assessment and plan for this admission.", max_score=10)
    # Kanjee et al.-style CPC cases: Bond score and test plan
    for c, d in enumerate(R.sample(KB, 12)):
        v = vignette(d, 5)
        for who in ["gpt-4", "o1-preview", "physicians_conventional"]:
            q = quality(who)
            ans = dx_answer(d, q)
            bond = 5 if d["name"] in ans.split("\n")[0] else 4 if d["name"] in ans else 3 if any(r in ans for r in d["related"]) else R.choice([0, 2])
            add(case_id=f"cpc-{c + 1:02d}", benchmark="cpc_bond", study="kanjee_cpc", model=who, grade=bond,
                response=ans, case_vignette=v, question_text="What is the diagnosis?", final_diagnosis=d["name"], max_score=5)
            plan = d["test"] if q > 0.55 else "Repeat full blood count and review"
            add(case_id=f"cpc-{c + 1:02d}", benchmark="cpc_management", study="kanjee_cpc", model=who,
                grade=2 if q > 0.55 else R.choice([0, 1]), response=f"Next test: {plan}.", case_vignette=v,
                question_text="What diagnostic test would you order next?", test_plan=d["test"], max_score=2)
    # Emergency triage differentials, Bond-scored
    for c, d in enumerate(R.sample(KB, 10)):
        v = vignette(d, 3)
        for who in ["gpt-4", "physicians_conventional", "claude-3-opus"]:
            q = quality(who)
            ans = dx_answer(d, q)
            bond = 5 if d["name"] in ans.split("\n")[0] else 4 if d["name"] in ans else 3 if any(r in ans for r in d["related"]) else 0
            add(case_id=f"triage-{c + 1:02d}", benchmark="bi_triage", study="bi_triage_ed", model=who, grade=bond,
                response=ans, case_vignette=v, question_text="Triage differential diagnosis?", final_diagnosis=d["name"], max_score=5)
    print(json.dumps(out, indent=1, ensure_ascii=False))


main()
