#!/bin/bash
# The test server's wire format, checked once with a real client: the official
# `openai` npm package calls it and reads the answer. Runs when node and the
# package (npm install --prefix tests/node openai@4) are available.
. "$PT_TOP/tests/lib.sh"
if ! command -v node >/dev/null || [ ! -d "$PT_TOP/tests/node/node_modules/openai" ]; then
	echo "skip openai npm client (not installed)"; exit 0
fi
U=$(start_server npm)
out=$(cd "$PT_TOP/tests/node" && BASE="$U" node -e '
const OpenAI = require("openai");
const c = new OpenAI({ baseURL: process.env.BASE, apiKey: "sk-test" });
c.chat.completions.create({ model: "test-model", messages: [{ role: "user", content: "hello" }] })
  .then(r => console.log(r.choices[0].message.content + "|" + r.model + "|" + r.usage.completion_tokens + "|" + r.choices[0].finish_reason))
  .catch(e => { console.log("error " + e.message); process.exit(1); });' 2>&1)
check "openai npm client reads the test server" "Answer 2cf24dba5fb0|test-model|2|stop" "$out"
# and pt-infer gets the same answer for the same request
got=$(msgs hello | pt-infer -m test-model -u "$U" 2>/dev/null | jq -r .response)
check "pt-infer agrees with the openai client" "Answer 2cf24dba5fb0" "$got"
