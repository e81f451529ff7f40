#!/bin/bash
# --batch, --batch-input and --from-batch-output (pt-infer(1) BATCH) against
# the local test server's files and batches endpoints (tests/server.py) and
# the providers' result files (tests/fixtures/batch/).
. "$PT_TOP/tests/lib.sh"
FX=$PT_TOP/tests/fixtures/batch
U=$(start_server b)
LOG=$TMPDIR/b.log
export OPENAI_API_KEY=sk-test-batch-key-0123456789 ANTHROPIC_API_KEY=sk-ant-test-batch-key-0123
I="pt-infer -m test-model -u $U -k"
B="$I --batch --batch-poll 0.02"
# the fields that say how an answer came (a batch, a live request, the cache)
how='del(.infer.latency_ms, .infer.batch_id, .infer.attempts, .infer.cached, .infer.base_url)'
posts() { jq -r 'select(.method == "POST") | .path' "$1" | sort | uniq -c | awk '{printf "%s %s;", $2, $1}'; }

{ msgsn q 5; msgs "cut [[pt: fixture=openai_length]]" "bad [[pt: fail=400]]"; } > $TMPDIR/in.ndjson

# --- OpenAI: upload, create, poll, download, join
: > $LOG
$B --batch-state $TMPDIR/st $TMPDIR/in.ndjson > $TMPDIR/b.ndjson 2> $TMPDIR/err; st=$?
check "openai: exit 1 (one request failed)" "1" "$st"
check "openai: every record once, in order" "q1 q2 q3 q4 q5 1 2" "$(jq -r .id $TMPDIR/b.ndjson | tr '\n' ' ' | sed 's/ $//')"
check "openai: statuses" "ok ok ok ok ok truncated http_error" "$(jq -r .infer.status $TMPDIR/b.ndjson | tr '\n' ' ' | sed 's/ $//')"
check "openai: batch id and provenance" "batch_2 200 1 false $U;batch_2 400 1 false $U" \
	"$(jq -r '"\(.infer.batch_id) \(.infer.http_status) \(.infer.attempts) \(.infer.cached) \(.infer.base_url)"' $TMPDIR/b.ndjson | sort -u | paste -sd ';')"
check "openai: the error as a live run says it" "HTTP 400: scripted failure 400" "$(jq -r 'select(.id=="2") | .infer.error' $TMPDIR/b.ndjson)"
check "openai: messages" "pt-infer: batch batch_2: 7 requests submitted (its id is kept in $TMPDIR/st)
pt-infer: batch batch_2: in_progress
pt-infer: batch batch_2: finalizing
pt-infer: batch batch_2: completed
pt-infer: $TMPDIR/in.ndjson:6: truncated: the answer was cut off at the token limit
pt-infer: $TMPDIR/in.ndjson:7: http_error: HTTP 400: scripted failure 400" "$(sed '$d' $TMPDIR/err)"
check "openai: requests: one upload, one batch, polls, two files" "/v1/batches 1;/v1/files 1;" "$(posts $LOG)"
check "openai: upload of purpose batch, 7 lines" '{"purpose":"batch","lines":7}' "$(jq -c 'select(.path=="/v1/files") | .body' $LOG)"
check "openai: the batch" '{"input_file_id":"file-1","endpoint":"/v1/chat/completions","completion_window":"24h"}' \
	"$(jq -c 'select(.path=="/v1/batches") | .body' $LOG)"
check "openai: every call carries the key" "Bearer $OPENAI_API_KEY" "$(jq -r .headers.authorization $LOG | sort -u)"
check "openai: results downloaded (output and error file)" "/v1/files/file-out-batch_2/content /v1/files/file-err-batch_2/content" \
	"$(jq -r 'select(.path | endswith("/content")) | .path' $LOG | tr '\n' ' ' | sed 's/ $//')"
grep -q "$OPENAI_API_KEY" $TMPDIR/st $TMPDIR/err $TMPDIR/b.ndjson && fail "openai: the key is written somewhere" || ok "openai: the key is in no file"
check "openai: state file" "batch_2 openai 7;batch_2 completed []" \
	"$(jq -r 'if .custom_ids then "\(.batch) \(.api) \(.custom_ids | length)" else "\(.batch) \(.ended) \(.redo | tojson)" end' $TMPDIR/st | paste -sd ';')"

# the same command on more input: the ended batch's results read again, only the new requests sent
{ cat $TMPDIR/in.ndjson; msgsn n 3; } > $TMPDIR/more.ndjson
: > $LOG
$B --batch-state $TMPDIR/st $TMPDIR/more.ndjson > $TMPDIR/o.ndjson 2>/dev/null; st=$?
check "more input: a batch of the 3 new requests; the 7 others from batch_2's results again" "1 /v1/batches 1;/v1/files 1; 3 | 7 batch_2 3 new" \
	"$st $(posts $LOG) $(jq -r 'select(.path=="/v1/files") | .body.lines' $LOG) | $(jq -r '.infer.batch_id | if . == "batch_2" then . else "new" end' $TMPDIR/o.ndjson | sort | uniq -c | awk '{printf "%s %s ", $1, $2}' | sed 's/ $//')"
check "more input: the answers are batch_2's" "$(jq -c "$how" $TMPDIR/b.ndjson)" "$(jq -c "select(.id | startswith(\"n\") | not) | $how" $TMPDIR/o.ndjson)"

# the same records answered live, and the batch run replayed from the cache
: > $LOG
$I $TMPDIR/in.ndjson 2>/dev/null | jq -c "$how" > $TMPDIR/live.ndjson
check "openai: same records as a live run" "$(cat $TMPDIR/live.ndjson)" "$(jq -c "$how" $TMPDIR/b.ndjson)"
pt-infer -m test-model --batch-input $TMPDIR/req.jsonl $TMPDIR/in.ndjson > /dev/null 2>&1
check "openai: the batch lines hold the bodies a live run sends" "$(jq -c 'select(.path=="/v1/chat/completions") | .body' $LOG | sort)" \
	"$(jq -c .body $TMPDIR/req.jsonl | sort)"
$B --batch-state $TMPDIR/stc --cache $TMPDIR/c $TMPDIR/in.ndjson > $TMPDIR/bc.ndjson 2>/dev/null
pt-infer -m test-model -u $U -k --offline --cache $TMPDIR/c $TMPDIR/in.ndjson > $TMPDIR/off.ndjson 2>/dev/null
check "openai: --offline replays every ok answer of the batch run" "$(jq -c "select(.infer.status==\"ok\") | $how" $TMPDIR/bc.ndjson)" \
	"$(jq -c "select(.infer.status==\"ok\") | $how" $TMPDIR/off.ndjson)"
check "openai: the cache holds the ok answers only" "5" "$(find $TMPDIR/c -type f | wc -l)"

# --- Anthropic: the requests in the create body, results from results_url
: > $LOG
$B --api anthropic -m claude-test --batch-state $TMPDIR/sta $TMPDIR/in.ndjson > $TMPDIR/a.ndjson 2> $TMPDIR/err; st=$?
check "anthropic: exit and statuses (the OpenAI-shaped fixture is no Anthropic reply)" "1 ok ok ok ok ok bad_response http_error" "$st $(jq -r .infer.status $TMPDIR/a.ndjson | tr '\n' ' ' | sed 's/ $//')"
check "anthropic: one batch created, nothing uploaded" "/v1/messages/batches 1;" "$(posts $LOG)"
AB=$(jq -r 'select(.infer.batch_id) | .infer.batch_id' $TMPDIR/a.ndjson | sort -u)
check "anthropic: polls then results" "GET /v1/messages/batches/$AB GET /v1/messages/batches/$AB/results" \
	"$(jq -r 'select(.method=="GET") | "\(.method) \(.path)"' $LOG | uniq | tr '\n' ' ' | sed 's/ $//')"
check "anthropic: headers" "$ANTHROPIC_API_KEY 2023-06-01" "$(jq -r '"\(.headers["x-api-key"]) \(.headers["anthropic-version"])"' $LOG | sort -u)"
cp $LOG $TMPDIR/ab.log
check "anthropic: messages" "pt-infer: batch $AB: 7 requests submitted (its id is kept in $TMPDIR/sta)
pt-infer: batch $AB: in_progress
pt-infer: batch $AB: ended" "$(head -3 $TMPDIR/err)"
: > $LOG
pt-infer --api anthropic -m claude-test -u $U -k $TMPDIR/in.ndjson 2>/dev/null | jq -c "$how" > $TMPDIR/live.ndjson
check "anthropic: same records as a live run" "$(cat $TMPDIR/live.ndjson)" "$(jq -c "$how" $TMPDIR/a.ndjson)"
check "anthropic: each params is the live request body" "$(jq -c 'select(.path=="/v1/messages") | .body' $LOG | sort -u)" \
	"$(jq -c 'select(.path=="/v1/messages/batches") | .body.requests[].params' $TMPDIR/ab.log | sort)"
check "anthropic: custom_ids are the request hashes" "$(jq -r .infer.request_hash $TMPDIR/a.ndjson | sort)" \
	"$(jq -r 'select(.path=="/v1/messages/batches") | .body.requests[].custom_id' $TMPDIR/ab.log | sort)"

# --progress: the running count, on one line
$B --progress --batch-state $TMPDIR/stp $TMPDIR/in.ndjson > /dev/null 2> $TMPDIR/err
check "progress: the running count as the provider says it" \
	"pt-infer: 1 batch (in_progress 1): 2/7 requests done, 0 failed|pt-infer: 1 batch (completed 1): 7/7 requests done, 1 failed|" \
	"$(tr '\r' '\n' < $TMPDIR/err | grep 'requests done' | sed 's/\x1b\[K//g; s/, [0-9]* s$//' | sed -n '1p;$p' | tr '\n' '|')"

# a server without a batch API (vLLM serve): said, with what to do instead
pt-infer -m test-model -u ${U%/v1}/nobatch -k --batch --batch-poll 0.02 --batch-state $TMPDIR/nb.state $TMPDIR/in.ndjson > $TMPDIR/o.ndjson 2>/dev/null; st=$?
check "no batch API: every record http_error, said why" "1 7 http_error" "$st $(jq -r .infer.status $TMPDIR/o.ndjson | uniq -c | sed 's/^ *//')"
check "no batch API: the message" 'batch not created: HTTP 404: {"detail": "Not Found"} (no batch API at this URL; for vLLM, --batch-input and vllm run-batch)' \
	"$(jq -r .infer.error $TMPDIR/o.ndjson | sort -u)"

# --- limits: --batch-size splits; a request asked twice goes once
{ msgsn s 7; msgsn s 1; } > $TMPDIR/s.ndjson
: > $LOG
$B --batch-size 3 --batch-state $TMPDIR/sts $TMPDIR/s.ndjson > $TMPDIR/o.ndjson 2>/dev/null; st=$?
check "split: three batches of 3, 3 and 1" "/v1/batches 3;/v1/files 3;" "$(posts $LOG)"
check "split: lines per file" "3 3 1" "$(jq -r 'select(.path=="/v1/files") | .body.lines' $LOG | tr '\n' ' ' | sed 's/ $//')"
check "split: the same request twice is sent once, both records answered" "0 8 ok 2 1" \
	"$st $(jq -r .infer.status $TMPDIR/o.ndjson | sort | uniq -c | awk '{print $1, $2}') $(jq -r 'select(.id=="s1") | .infer.batch_id' $TMPDIR/o.ndjson | wc -l) $(jq -r 'select(.id=="s1") | .infer.batch_id' $TMPDIR/o.ndjson | sort -u | wc -l)"

# --- usage errors
usage() { "$@" $TMPDIR/in.ndjson > /dev/null 2> $TMPDIR/err; echo "$? $(cat $TMPDIR/err)"; }
check "usage: --batch needs a state file" "2 pt-infer: --batch keeps the batch ids in a file: give -o FILE (they go to FILE.batch) or --batch-state FILE
Try 'pt-infer --help' for more information." "$(usage $I --batch)"
check "usage: --batch --offline" "2 pt-infer: --batch asks the provider; --offline asks nothing
Try 'pt-infer --help' for more information." "$(usage $I --batch --offline --batch-state x)"
check "usage: --batch with replicas" "2 pt-infer: --batch sends to one URL, not 2
Try 'pt-infer --help' for more information." "$(usage $I -u $U --batch --batch-state x)"
check "usage: two batch modes" "2 pt-infer: --batch, --batch-input and --from-batch-output go one at a time
Try 'pt-infer --help' for more information." "$(usage $I --batch --batch-input x)"
check "usage: --batch-state alone" "2 pt-infer: --batch-state goes with --batch
Try 'pt-infer --help' for more information." "$(usage $I --batch-state x)"
check "usage: pt-judge --task auto --batch-input" "2 pt-judge: --task auto asks a router before the judge; with --batch-input and --from-batch-output give --task
Try 'pt-judge --help' for more information." "$(usage pt-judge -m j -u $U --task auto --batch-input x)"

# --- -o: the state goes next to the output; kill -9 while polling, then the same command
U2=$(start_server k --batch-polls 60)
L2=$TMPDIR/k.log
K="pt-infer -m test-model -u $U2 -k --batch --batch-poll 0.02 --batch-size 4 -o $TMPDIR/k.ndjson $TMPDIR/in.ndjson"
$K 2>/dev/null & p=$!
for _ in $(seq 200); do [ "$(grep -c . $TMPDIR/k.ndjson.batch 2>/dev/null)" = 2 ] && break; sleep 0.05; done
sleep 0.3; kill -9 $p; wait $p 2>/dev/null
check "kill -9: no output yet, both batch ids kept" "no 2" "$([ -e $TMPDIR/k.ndjson ] && echo yes || echo no) $(grep -c . $TMPDIR/k.ndjson.batch)"
$K 2> $TMPDIR/err; st=$?
check "kill -9: the same command polls, creates nothing" "/v1/batches 2;/v1/files 2;" "$(posts $L2)"
check "kill -9: every record once" "1 q1 q2 q3 q4 q5 1 2" "$st $(jq -r .id $TMPDIR/k.ndjson | tr '\n' ' ' | sed 's/ $//')"
check "kill -9: answers as the first run's" "$(jq -c "$how" $TMPDIR/b.ndjson)" "$(jq -c "$how" $TMPDIR/k.ndjson)"

# --- SIGINT while polling: exit 1, the batches kept; the same command finishes
: > $L2
$K --batch-state $TMPDIR/int.state 2> $TMPDIR/err & p=$!
for _ in $(seq 200); do [ "$(grep -c . $TMPDIR/int.state 2>/dev/null)" = 2 ] && break; sleep 0.05; done
sleep 0.2; kill -INT $p; wait $p; st=$?
check "SIGINT: exit 1, said what to do" "1 pt-infer: interrupted: the batches go on at the provider; the same command again polls them (ids in $TMPDIR/int.state)" \
	"$st $(grep interrupted: $TMPDIR/err | head -1)"
$K --batch-state $TMPDIR/int.state 2>/dev/null; st=$?
check "SIGINT: the same command creates nothing more" "1 /v1/batches 2;/v1/files 2;" "$st $(posts $L2)"

# --- the provider gone while polling: the records say so, the batch stays in the state file
start_server g --batch-polls 1000 > $TMPDIR/g.url; UG=$(cat $TMPDIR/g.url); GP=$(tail -1 $TMPDIR/servers)
pt-infer -m test-model -u $UG -k --batch --batch-poll 0.02 --retries 0 --batch-state $TMPDIR/g.state $TMPDIR/in.ndjson > $TMPDIR/o.ndjson 2> $TMPDIR/err & p=$!
for _ in $(seq 200); do [ -s $TMPDIR/g.state ] && break; sleep 0.05; done
kill $GP; wait $p; st=$?
check "provider gone: every record network_error, the batch kept for the next run" "1 7 network_error 1" \
	"$st $(jq -r .infer.status $TMPDIR/o.ndjson | uniq -c | sed 's/^ *//') $(grep -c . $TMPDIR/g.state)"
check "provider gone: why (curl's words for it vary)" "batch batch_2: its state could not be read (…); the same command again polls it" \
	"$(jq -r .infer.error $TMPDIR/o.ndjson | sort -u | sed 's/read (.*)/read (…)/')"

# --- a state file naming a batch the provider does not know: its requests go in a new batch
jq -cn --argjson ids "$(jq -c '[.infer.request_hash]' $TMPDIR/b.ndjson | jq -sc add)" '{batch: "batch_gone", api: "openai", created: 0, custom_ids: $ids}' > $TMPDIR/gone.state
: > $LOG
$I --batch --batch-poll 0.02 --batch-state $TMPDIR/gone.state $TMPDIR/in.ndjson > $TMPDIR/o.ndjson 2> $TMPDIR/err; st=$?
check "unknown batch: said, sent again in a new batch, every record answered" "1 pt-infer: batch batch_gone: not found; its requests are sent again /v1/batches 1;/v1/files 1; 5 ok" \
	"$st $(head -1 $TMPDIR/err) $(posts $LOG) $(jq -r 'select(.infer.status == "ok") | .id' $TMPDIR/o.ndjson | wc -l) $(jq -r 'select(.infer.batch_id == "batch_gone")' $TMPDIR/o.ndjson)ok"
check "unknown batch: its state line" '{"batch":"batch_gone","ended":"not found","redo":7}' "$(sed -n 2p $TMPDIR/gone.state | jq -c '.redo |= length')"

# --- an expired batch: the answered half is kept, the rest sent again by the same command
U3=$(start_server e --batch-end expired --batch-end-count 1)
L3=$TMPDIR/e.log
E="pt-infer -m test-model -u $U3 -k --batch --batch-poll 0.02 --batch-state $TMPDIR/e.state --cache $TMPDIR/ce $TMPDIR/in.ndjson"
$E > $TMPDIR/e1.ndjson 2> $TMPDIR/err; st=$?
check "expired: half answered, the rest not_sent" "1 ok ok ok not_sent not_sent not_sent not_sent" \
	"$st $(jq -r .infer.status $TMPDIR/e1.ndjson | tr '\n' ' ' | sed 's/ $//')"
check "expired: why" "batch batch_2: expired before this request ran; the same command again sends it" \
	"$(jq -r 'select(.id=="q5") | .infer.error' $TMPDIR/e1.ndjson)"
check "expired: the state names the requests to send again" "4" "$(jq -r 'select(.redo) | .redo | length' $TMPDIR/e.state)"
$E > $TMPDIR/e2.ndjson 2>/dev/null; st=$?
check "expired: the same command sends the 4 again, answers 3 from the cache" "1 ok true;ok true;ok true;ok false;ok false;truncated false;http_error false" \
	"$st $(jq -r '"\(.infer.status) \(.infer.cached)"' $TMPDIR/e2.ndjson | paste -sd ';')"
check "expired: two batches in all, the second of 4" "/v1/batches 2;/v1/files 2; 7 4" \
	"$(posts $L3) $(jq -r 'select(.path=="/v1/files") | .body.lines' $L3 | paste -sd ' ')"

# --- cancelled (Anthropic) and failed validation (OpenAI)
U4=$(start_server x --batch-end cancelled)
pt-infer --api anthropic -m claude-test -u $U4 -k --batch --batch-poll 0.02 --batch-state $TMPDIR/x.state $TMPDIR/in.ndjson > $TMPDIR/o.ndjson 2>/dev/null; st=$?
check "cancelled: the canceled results are not_sent" "1 ok ok ok not_sent not_sent not_sent not_sent" \
	"$st $(jq -r .infer.status $TMPDIR/o.ndjson | tr '\n' ' ' | sed 's/ $//')"
check "cancelled: why" "batch msgbatch_1: cancelled before this request ran; the same command again sends it" \
	"$(jq -r 'select(.id=="q5") | .infer.error' $TMPDIR/o.ndjson)"
U5=$(start_server f --batch-end failed)
pt-infer -m test-model -u $U5 -k --batch --batch-poll 0.02 --batch-state $TMPDIR/f.state $TMPDIR/in.ndjson > $TMPDIR/o.ndjson 2>/dev/null; st=$?
check "failed validation: every record not_sent, with the provider's reason" \
	"1 7 not_sent batch batch_2 ended (failed) without a result for this request: scripted validation failure; the same command again sends it" \
	"$st $(jq -r '"\(.infer.status) \(.infer.error)"' $TMPDIR/o.ndjson | sort | uniq -c | sed 's/^ *//')"

# --- Azure deployment URLs: the resource's /openai/files and /openai/batches
: > $LOG
AZURE_OPENAI_API_KEY=az-test-key-0123 pt-infer -k --api azure -m dep -u "${U%/v1}/openai/deployments/dep" --batch --batch-poll 0.02 \
	--batch-state $TMPDIR/az.state $TMPDIR/in.ndjson > $TMPDIR/o.ndjson 2>/dev/null; st=$?
check "azure: paths, api-version and key" "POST /openai/files api-version=2025-04-01-preview az-test-key-0123;POST /openai/batches api-version=2025-04-01-preview az-test-key-0123;" \
	"$(jq -r 'select(.method=="POST") | "\(.method) \(.path) \(.query) \(.headers["api-key"]);"' $LOG | tr -d '\n')"
check "azure: endpoint /chat/completions; answers" '1 "/chat/completions" ok ok ok ok ok truncated http_error' \
	"$st $(jq -c 'select(.path=="/openai/batches") | .body.endpoint' $LOG) $(jq -r .infer.status $TMPDIR/o.ndjson | tr '\n' ' ' | sed 's/ $//')"

: > $LOG
AZURE_OPENAI_API_KEY=az-test-key-0123 pt-infer -k --api azure -m dep -u "${U%/v1}/openai/v1" --batch --batch-poll 0.02 \
	--batch-state $TMPDIR/az1.state $TMPDIR/in.ndjson > $TMPDIR/o.ndjson 2>/dev/null; st=$?
check "azure v1 URL: /openai/v1/files and /batches, no api-version" "1 POST /openai/v1/files ;POST /openai/v1/batches ;" \
	"$st $(jq -r 'select(.method=="POST") | "\(.method) \(.path) \(.query);"' $LOG | tr -d '\n')"

# --- --task auto: the router's batch first, then the judges' batch
printf '%s\n' '{"id":"a1","final_diagnosis":"Sarcoidosis","response":"[[pt: judge=5]] Sarcoidosis"}' \
	'{"id":"a2","final_diagnosis":"Sarcoidosis","test_plan":"Biopsy","question_text":"[[pt: route=cpc_management; judge=2]] plan?","response":"Biopsy"}' \
	'{"id":"a3","response":"x"}' > $TMPDIR/auto.ndjson
jhow='del(.judges[]?.latency_ms, .judges[]?.batch_id)'
pt-judge -m judge-1 -u $U -k --task auto $TMPDIR/auto.ndjson 2>/dev/null | jq -c "$jhow" > $TMPDIR/live.ndjson
: > $LOG
pt-judge -m judge-1 -u $U -k --task auto --batch --batch-poll 0.02 --batch-state $TMPDIR/j.state $TMPDIR/auto.ndjson > $TMPDIR/o.ndjson 2>/dev/null; st=$?
check "judge --task auto: same records as a live run" "$(cat $TMPDIR/live.ndjson)" "$(jq -c "$jhow" $TMPDIR/o.ndjson)"
check "judge --task auto: two rounds of batches (judge a1 + router a2, then judge a2)" "1 /v1/batches 2;/v1/files 2; 2 1" \
	"$st $(posts $LOG) $(jq -r 'select(.path=="/v1/files") | .body.lines' $LOG | paste -sd ' ')"
check "judge: batch_id in judges[], a batch per round" "a1 a2 2" "$(jq -r 'select(.judges[0].batch_id) | .id' $TMPDIR/o.ndjson | paste -sd ' ') $(jq -r '.judges[0].batch_id // empty' $TMPDIR/o.ndjson | sort -u | wc -l)"

# --- --batch-input, then a batch runner's output file read back
pt-infer -m test-model --batch-input $TMPDIR/req.jsonl -k $TMPDIR/in.ndjson > $TMPDIR/o.ndjson 2> $TMPDIR/err; st=$?
check "--batch-input: exit 0, said once" "0 pt-infer: 7 records, 0 ok, 0 failed, 0 cached, 0 retries, 7 written to $TMPDIR/req.jsonl, 0 prompt + 0 completion tokens" \
	"$st $(sed 's/, [0-9.]* s$//' $TMPDIR/err)"
check "--batch-input: records say where their requests went" "7 not_sent written to $TMPDIR/req.jsonl for a batch run (--batch-input); read its output with --from-batch-output" \
	"$(jq -r '"\(.infer.status) \(.infer.error)"' $TMPDIR/o.ndjson | uniq -c | sed 's/^ *//')"
check "--batch-input: OpenAI batch input lines" '["POST","/v1/chat/completions","test-model",64]' \
	"$(jq -c '[.method, .url, .body.model, (.custom_id | length)]' $TMPDIR/req.jsonl | sort -u)"
# REQUEST-n in a fixture: the n-th request's custom_id
fill() { jq -r .custom_id $TMPDIR/req.jsonl | awk -v f="$1" 'BEGIN{} {id[NR]=$0} END{while ((getline l < f) > 0) {for (i = NR; i >= 1; i--) gsub("REQUEST-" i "\"", id[i] "\"", l); print l}}'; }
fill $FX/vllm_output.jsonl > $TMPDIR/vllm.jsonl
pt-infer -m test-model -k --from-batch-output $TMPDIR/vllm.jsonl $TMPDIR/in.ndjson > $TMPDIR/o.ndjson 2> $TMPDIR/err; st=$?
check "vLLM run-batch output: answers, error, reasoning, missing" \
	'1 q1 ok "Infective endocarditis" 200 null;q2 http_error null 400 "'$TMPDIR'/vllm.jsonl: HTTP 400: This model'"'"'s maximum context length is 8192 tokens. However, you requested 9001 tokens.";q3 ok "Sarcoidosis" 200 null;q4 not_sent null null "no result in '$TMPDIR'/vllm.jsonl";' \
	"$st $(jq -r 'select(.id >= "q" and .id <= "q4") | "\(.id) \(.infer.status) \(.response | tojson) \(.infer.http_status) \(.infer.error | tojson);"' $TMPDIR/o.ndjson | tr -d '\n')"
check "vLLM: reasoning kept apart" "Bilateral hilar adenopathy with erythema nodosum suggests Lofgren syndrome." "$(jq -r 'select(.id=="q3") | .infer.reasoning' $TMPDIR/o.ndjson)"
{ cat $TMPDIR/vllm.jsonl; echo '{"custom_id": "not-ours", "response": {"status_code": 200, "body": {}}}'; echo 'garbage'; } > $TMPDIR/v2.jsonl
pt-infer -m test-model -k --from-batch-output $TMPDIR/v2.jsonl $TMPDIR/in.ndjson > /dev/null 2> $TMPDIR/err; st=$?
check "--from-batch-output: a bad line with file:line, a line of another run counted" "1 pt-infer: $TMPDIR/v2.jsonl:5: not a batch output line: not a JSON value
pt-infer: $TMPDIR/v2.jsonl: 1 lines answer no request of this run" "$st $(grep "^pt-infer: $TMPDIR/v2.jsonl" $TMPDIR/err)"
fill $FX/openai_output.jsonl > $TMPDIR/oa.jsonl
pt-infer -m test-model -k --from-batch-output $TMPDIR/oa.jsonl $TMPDIR/in.ndjson > $TMPDIR/o.ndjson 2>/dev/null
check "OpenAI output and error file lines" 'q1 ok Infective endocarditis;q2 ok Hypertrophic cardiomyopathy;q3 truncated the answer was cut off at the token limit;q4 http_error HTTP 400: Invalid value for '"'"'temperature'"'"': must be between 0 and 2.;q5 not_sent '$TMPDIR'/oa.jsonl: expired before this request ran;' \
	"$(jq -r 'select(.id >= "q" and .id <= "q5") | "\(.id) \(.infer.status) \(.response // .infer.error);"' $TMPDIR/o.ndjson | tr -d '\n')"
pt-infer --api anthropic -m claude-test --batch-input $TMPDIR/req.jsonl $TMPDIR/in.ndjson > /dev/null 2>&1
check "--batch-input --api anthropic: Message Batch request items" '["custom_id","params"] 4096' "$(jq -c '[keys, .params.max_tokens]' $TMPDIR/req.jsonl | sort -u | jq -r '"\(.[0] | tojson) \(.[1])"')"
fill $FX/anthropic_results.jsonl > $TMPDIR/an.jsonl
pt-infer --api anthropic -m claude-test -k --from-batch-output $TMPDIR/an.jsonl $TMPDIR/in.ndjson > $TMPDIR/o.ndjson 2>/dev/null
check "Anthropic results: succeeded, errored, expired, canceled" 'q1 ok Infective endocarditis;q2 http_error HTTP 400: max_tokens: Field required;q3 not_sent '$TMPDIR'/an.jsonl: expired before this request ran;q4 not_sent '$TMPDIR'/an.jsonl: cancelled before this request ran;' \
	"$(jq -r 'select(.id >= "q" and .id <= "q4") | "\(.id) \(.infer.status) \(.response // .infer.error);"' $TMPDIR/o.ndjson | tr -d '\n')"

# --- examples/batch/judge-batch.sh: the batch, then what it left asked live
jq -c '.response = "[[pt: judge=2]] answer"' judge_tasks.ndjson | head -3 > $TMPDIR/jin.ndjson
jq -c '.response = "[[pt: fail=500; judge=1]] answer"' judge_tasks.ndjson | sed -n 4p >> $TMPDIR/jin.ndjson
pt-judge -m judge-1 -u $U -k $TMPDIR/jin.ndjson 2>/dev/null | jq -c "$jhow" > $TMPDIR/live.ndjson
: > $LOG
sh $PT_TOP/examples/batch/judge-batch.sh $TMPDIR/jin.ndjson $TMPDIR/jout.ndjson -m judge-1 -u $U -k --batch-poll 0.02 2> $TMPDIR/err; st=$?
check "judge-batch.sh: every record scored, exit 0" "0 2 2 2 1" "$st $(jq -r .predicted_score $TMPDIR/jout.ndjson | paste -sd ' ')"
check "judge-batch.sh: the 500 asked live after the batch" "pt-judge: batch ID: 4 requests submitted (its id is kept in $TMPDIR/jout.ndjson.batch)|pt-judge: <stdin>:4: http_error: HTTP 500: scripted failure 500|pt-judge: 1 of 4 records without a score (http_error 1)|judge-batch.sh: asking live what the batch left unscored|pt-judge: 3 records written from $TMPDIR/jout.ndjson, not judged again" \
	"$(grep 'submitted\|http_error\|judge-batch.sh\|records written' $TMPDIR/err | sed 's/batch_[0-9]*/ID/' | paste -sd '|')"
check "judge-batch.sh: same scores as a live run" "$(jq -c '[.id, .predicted_score]' $TMPDIR/live.ndjson)" "$(jq -c '[.id, .predicted_score]' $TMPDIR/jout.ndjson)"

# pt-judge --batch-input: written records are no failure, a record that cannot be judged is
jq -c 'select(.id == "dx")' judge_tasks.ndjson > $TMPDIR/jb.ndjson
pt-judge -m judge-1 --batch-input $TMPDIR/jreq.jsonl $TMPDIR/jb.ndjson > /dev/null 2>&1; st=$?
echo '{"id":"nothing"}' >> $TMPDIR/jb.ndjson
pt-judge -m judge-1 --batch-input $TMPDIR/jreq.jsonl $TMPDIR/jb.ndjson > /dev/null 2>&1
check "pt-judge --batch-input: exit 0 when all written, 1 with a record it cannot judge" "0 1 1" "$st $? $(wc -l < $TMPDIR/jreq.jsonl)"
