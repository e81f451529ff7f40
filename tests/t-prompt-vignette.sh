#!/bin/bash
# The built-in templates give, character for character, the prompts the
# vignette's Python builds (step 2), for every record of cases.ndjson.
for t in diagnostic management; do
	want=$(python3 - "$t" <<'PY'
import json, sys
for line in open("cases.ndjson"):
    entry = json.loads(line)
    if sys.argv[1] == "diagnostic":
        prompt = (
            f"You are an expert clinician. Given the following case, provide your "
            f"differential diagnosis and reasoning.\n\n"
            f"Case: {entry['case_vignette']}\n\n"
            f"Question: {entry['question_text']}"
        )
    else:
        prompt = (
            f"You are an expert clinician.\n\n"
            f"Case: {entry['case_vignette']}\n\n"
            f"Question: {entry['question_text']}\n\n"
            f"Provide your answer."
        )
    print(json.dumps([{"role": "user", "content": prompt}]))
PY
)
	got=$(pt-prompt -t $t cases.ndjson | python3 -c '
import json, sys
for line in sys.stdin: print(json.dumps(json.loads(line)["messages"]))')
	[ "$got" = "$want" ] && echo "ok prompt $t equals the vignette" || { echo "FAIL prompt $t"; diff <(echo "$want") <(echo "$got") | head; }
done
# --show output used as a template file gives the same records
for t in diagnostic management; do
	pt-prompt --show $t > "$TMPDIR/$t.tmpl"
	a=$(pt-prompt -t $t cases.ndjson); b=$(pt-prompt -t "$TMPDIR/$t.tmpl" cases.ndjson)
	[ "$a" = "$b" ] && echo "ok prompt --show $t round trip" || echo "FAIL prompt --show $t round trip"
done
# --batch lines, field by field
pt-prompt -t diagnostic --batch -m m42-health/Llama3-Med42-8B --param temperature=0 --param 'stop=["x"]' cases.ndjson > "$TMPDIR/batch.jsonl"
python3 - "$TMPDIR/batch.jsonl" <<'PY' && echo "ok prompt --batch fields" || echo "FAIL prompt --batch fields"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert [l["custom_id"] for l in lines] == ["d1", "m1"], lines
for l in lines:
    assert set(l) == {"custom_id", "method", "url", "body"}, l
    assert l["method"] == "POST" and l["url"] == "/v1/chat/completions"
    b = l["body"]
    assert list(b) == ["model", "messages", "temperature", "stop"], list(b)
    assert b["model"] == "m42-health/Llama3-Med42-8B" and b["temperature"] == 0 and b["stop"] == ["x"]
    assert b["messages"][0]["role"] == "user" and b["messages"][0]["content"].startswith("You are an expert clinician.")
PY
