#!/bin/bash
# Runs every command example of the man pages (their .Bd -literal blocks
# that start with a command), in a sandbox holding the sample data and the
# example's response cache, with remote hosts rewritten to the local test
# server (persona mode). Each block must exit 0.
. "$PT_TOP/tests/lib.sh"
U=$(start_server man --persona $PT_TOP/examples/data/kb.json)
S=$TMPDIR/mansandbox
mkdir -p $S && cd $S || exit 1
make -s -C $PT_TOP/examples/brodeur all OUT=$S/ex > /dev/null 2>&1
cp $PT_TOP/examples/data/combined_dataset.json $PT_TOP/examples/data/grades.ndjson .
cp -r $PT_TOP/examples/brodeur/cache .pt-cache
dx='(.study|startswith("brodeur")) and .benchmark=="diagnostic_reasoning"'
pt-filter "$dx" combined_dataset.json > data.ndjson
cp data.ndjson cases.ndjson
cp ex/brodeur_mgmt.ndjson mgmt.ndjson
cp ex/med42_dx.ndjson answers.ndjson
cp ex/med42_dx.ndjson med42_dx.ndjson
cp ex/med42_dx_graded.ndjson med42_dx_graded.ndjson
cp ex/judged_dx.ndjson graded.ndjson
ln -s ex out   # pt-report(1): the Brodeur example's folder
pt-prompt -t diagnostic < data.ndjson > p.ndjson
cp p.ndjson in.ndjson
: > out.ndjson
echo "sk-man-example" > .openrouter-key
# `vllm run-batch -i IN -o OUT --model M`: each line of IN asked of the test
# server, its answer written as vLLM's run_batch.py writes it
mkdir -p bin
cat > bin/vllm <<'PY'
#!/usr/bin/env python3
import json, os, sys, urllib.request
a = sys.argv[1:]
i, o = a[a.index("-i") + 1], a[a.index("-o") + 1]
with open(o, "w") as out:
    for n, line in enumerate(open(i)):
        r = json.loads(line)
        req = urllib.request.Request(os.environ["PT_BASE_URL"] + "/chat/completions", json.dumps(r["body"]).encode(),
                                     {"Content-Type": "application/json"})
        body = json.load(urllib.request.urlopen(req))
        out.write(json.dumps({"id": "vllm-%d" % n, "custom_id": r["custom_id"], "error": None,
                              "response": {"status_code": 200, "request_id": "vllm-batch-%d" % n, "body": body}}) + "\n")
PY
chmod +x bin/vllm
export PATH=$S/bin:$PATH
export HOME=$S PT_BASE_URL=$U sel=$dx OPENAI_API_KEY=sk-man-example ANTHROPIC_API_KEY=sk-man-example
B=${U%/v1}
python3 - $PT_TOP/man/*.[17] > blocks.txt <<'PY'
import re, sys
for path in sys.argv[1:]:
    name = path.rsplit("/", 1)[-1]
    block, inside = [], False
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith(".Bd -literal"):
            inside, block = True, []
        elif line.startswith(".Ed") and inside:
            inside = False
            text = "\n".join(block).replace("\\e", "\\").replace("\\(em", "\u2014")
            first = text.lstrip().split()[0] if text.strip() else ""
            if first.startswith("pt-") or first == "{" or re.match(r"[A-Z_]+=", first):
                print(name + "\x1f" + text.replace("\n", "\x1e"))
        elif inside:
            block.append(line)
PY
n=0
while IFS=$'\x1f' read -r page text; do
	n=$((n + 1))
	cmd=$(printf '%s' "$text" | tr '\036' '\n' | sed \
		-e "s|https://api.openai.com/v1|$U|g" -e "s|https://openrouter.ai/api/v1|$U|g" \
		-e "s|https://RESOURCE.openai.azure.com|$B|g" -e "s|http://gpu[0-9]:8000/v1|$U|g" \
		-e "s|=\.\.\. |=sk-man-example |g" -e "/pt-prompt/!s|--batch |--batch --batch-poll 0.02 |g" -e "s|--batch-poll 600 ||g")
	case $cmd in *"-u $U -u $U -j 64") cmd="$cmd < p.ndjson";; esac
	if out=$(bash -o pipefail -c "$cmd" 2>&1 < data.ndjson > $TMPDIR/man-example.out); then
		ok "man example $n ($page): $(printf '%s' "$text" | tr '\036' ' ' | cut -c1-60)"
	else
		fail "man example $n ($page) exited non-zero" "$cmd
$out"
	fi
done < blocks.txt
[ $n -ge 15 ] && ok "man examples: $n run" || fail "man examples: only $n found"
