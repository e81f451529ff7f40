#!/bin/bash
# pt-infer against the local test server: wire formats, every status, retries,
# Retry-After, AIMD, order, cache, offline, resume, interrupt, secrets.
. "$PT_TOP/tests/lib.sh"
U=$(start_server a)
LOG=$TMPDIR/a.log
KEY=sk-PLANTED-SECRET-0123456789
lastreq() { tail -1 "$LOG"; }

# --- wire formats: the exact request each --api sends
msgs "hello" > $TMPDIR/one.ndjson
PT_API_KEY=$KEY pt-infer -m gpt-x -u "$U" --temperature 0 --max-tokens 100 --seed 7 --param 'reasoning_effort="low"' \
	$TMPDIR/one.ndjson > $TMPDIR/o.ndjson 2>/dev/null
check "openai body" '{"model":"gpt-x","messages":[{"role":"user","content":"hello"}],"max_tokens":100,"temperature":0,"seed":7,"reasoning_effort":"low"}' \
	"$(lastreq | jq -c .body)"
check "openai path and bearer" "/v1/chat/completions Bearer $KEY" "$(lastreq | jq -r '.path + " " + .headers.authorization')"
check "no Expect header" "null" "$(lastreq | jq -c '.headers.expect')"
printf '{"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi"}]}\n' > $TMPDIR/sys.ndjson
PT_API_KEY=$KEY pt-infer --api anthropic -m claude-x -u "$U" --temperature 0.5 $TMPDIR/sys.ndjson > $TMPDIR/o.ndjson 2>/dev/null
check "anthropic body" '{"model":"claude-x","messages":[{"role":"user","content":"hi"}],"system":"be brief","max_tokens":4096,"temperature":0.5}' \
	"$(lastreq | jq -c .body)"
check "anthropic headers" "/v1/messages $KEY 2023-06-01" "$(lastreq | jq -r '.path + " " + .headers["x-api-key"] + " " + .headers["anthropic-version"]')"
check "anthropic reply read" "ok Answer" "$(jq -r '.infer.status + " " + (.response | split(" ")[0])' $TMPDIR/o.ndjson)"
AZ=${U%/v1}/openai/deployments/gpt4o
PT_API_KEY=$KEY pt-infer --api azure -m gpt-4o -u "$AZ" $TMPDIR/one.ndjson > $TMPDIR/o.ndjson 2>/dev/null
check "azure path, version, api-key" "/openai/deployments/gpt4o/chat/completions api-version=2025-04-01-preview $KEY null" \
	"$(lastreq | jq -r '.path + " " + .query + " " + .headers["api-key"] + " " + (.headers.authorization | tostring)')"
pt-infer --api anthropic -m c $TMPDIR/one.ndjson > /dev/null 2> $TMPDIR/err; st=$?
check "anthropic needs a key" "2 pt-infer: no API key for anthropic: set PT_API_KEY or ANTHROPIC_API_KEY, or use --api-key-file" "$st $(cat $TMPDIR/err)"
echo "$KEY" > $TMPDIR/keyfile
pt-infer -m m -u "$U" --api-key-file $TMPDIR/keyfile $TMPDIR/one.ndjson > /dev/null 2>&1
check "--api-key-file" "Bearer $KEY" "$(lastreq | jq -r .headers.authorization)"

# --- the output record
printf '{"id":"r1","model":"gpt-4","response":"old answer","grade":12,"predicted_score":11,"justification":"j","n":9007199254740993,"messages":[{"role":"user","content":"q"}]}\n' > $TMPDIR/rec.ndjson
pt-infer -m m42 --label med42-8b -u "$U" $TMPDIR/rec.ndjson > $TMPDIR/o.ndjson 2>/dev/null
check "record: source, label, bytes kept" \
	'{"id":"r1","n":9007199254740993,"messages":[{"role":"user","content":"q"}],"source":{"model":"gpt-4","response":"old answer","grade":12,"predicted_score":11,"justification":"j"},"response":"Answer 8e35c2cd3bf6","model":"med42-8b"' \
	"$(sed 's/,"infer".*//' $TMPDIR/o.ndjson)"
check "infer fields" '["api","attempts","base_url","cached","finish_reason","http_status","latency_ms","model","request_hash","sample","served_model","status","usage"]' \
	"$(jq -c '.infer | keys' $TMPDIR/o.ndjson)"
check "infer values" '["ok",200,1,false,"m42","m42","openai","stop",{"prompt_tokens":1,"completion_tokens":2},64]' \
	"$(jq -c '.infer | [.status,.http_status,.attempts,.cached,.model,.served_model,.api,.finish_reason,.usage,(.request_hash|length)]' $TMPDIR/o.ndjson)"

# --- every status, and the exit status
run_status() {  # name directive-text extra-options -> status of the one record, exit code
	msgs "$2" > $TMPDIR/s.ndjson
	pt-infer -m m -u "${4:-$U}" $3 $TMPDIR/s.ndjson > $TMPDIR/s.out 2> $TMPDIR/s.err; local st=$?
	check "status $1" "$5" "$(jq -r '.infer.status + " " + (.infer.http_status|tostring) + " " + (.infer.attempts|tostring)' $TMPDIR/s.out) exit $st"
}
run_status ok "plain" "" "" "ok 200 1 exit 0"
run_status "http_error 400 not retried" "[[pt: fail=400; times=9]]" "" "" "http_error 400 1 exit 1"
run_status "http_error 500 retried then given up" "[[pt: fail=500; times=9]]" "--retries 2" "" "http_error 500 3 exit 1"
run_status "503 then ok" "[[pt: fail=503; times=2]]" "" "" "ok 200 3 exit 0"
run_status "408 409 retried" "[[pt: fail=409; times=1]]" "" "" "ok 200 2 exit 0"
run_status "529 overloaded retried" "[[pt: fail=529; times=1]]" "" "" "ok 200 2 exit 0"
run_status timeout "[[pt: fail=hang; times=9]]" "--timeout 0.5 --retries 0" "" "timeout null 1 exit 1"
run_status "network_error reset" "[[pt: fail=reset; times=9]]" "--retries 0" "" "network_error null 1 exit 1"
run_status "reset then ok" "[[pt: fail=reset; times=1]]" "" "" "ok 200 2 exit 0"
run_status "network_error refused" "x" "--retries 1" "http://127.0.0.1:1/v1" "network_error null 2 exit 1"
run_status "bad_response badjson" "[[pt: fail=badjson; times=9]]" "--retries 1" "" "bad_response 200 2 exit 1"
run_status "bad_response truncated" "[[pt: fail=truncate; times=9]]" "--retries 0" "" "network_error 200 1 exit 1"
run_status "truncated then ok" "[[pt: fail=truncate; times=1]]" "" "" "ok 200 2 exit 0"
run_status "bad_response no choices" "[[pt: fail=nochoices; times=9]]" "--retries 0" "" "bad_response 200 1 exit 1"
check "error text" "pt-infer: $TMPDIR/s.ndjson:1: bad_response: reply has no choices" "$(head -1 $TMPDIR/s.err)"
check "totals line" "pt-infer: 1 records, 0 ok, 1 failed, 0 cached, 0 retries, 0 prompt + 0 completion tokens," "$(tail -1 $TMPDIR/s.err | sed 's/ [0-9.]* s$//')"
printf '{"id":"x"}\n[1]\n{"messages":"no"}\n{"messages":[]}\n{"messages":[{"role":"user"}]}\n' > $TMPDIR/bad.ndjson
pt-infer -m m -u "$U" $TMPDIR/bad.ndjson > $TMPDIR/o.ndjson 2> $TMPDIR/err; st=$?
check "bad_input records" 'bad_input:no messages (render them with pt-prompt)|bad_input:not an object|bad_input:messages is not an array|bad_input:messages is empty|bad_input:a message lacks a string role or a content|exit 1' \
	"$(jq -r '.infer.status + ":" + .infer.error' $TMPDIR/o.ndjson | tr '\n' '|')exit $st"
check "bad_input keeps the text" '{"_input":"[1]"}' "$(sed -n 2p $TMPDIR/o.ndjson | jq -c '{_input}')"

# --- the same body on every retry
msgs "[[pt: fail=500; times=3]] same" > $TMPDIR/s.ndjson
: > $LOG; pt-infer -m m -u "$U" $TMPDIR/s.ndjson > /dev/null 2>&1
check "4 attempts, one body" "4 1" "$(wc -l < $LOG) $(jq -c .body $LOG | sort -u | wc -l)"

# --- Retry-After: seconds, HTTP date, ms, and the cap
gap() { jq -s '(.[-1].t - .[-2].t)' $LOG; }
for form in "retry_after=1" "retry_after_date=2" "retry_after_ms=1200"; do
	msgs "[[pt: fail=429; times=1; $form]] ra" > $TMPDIR/s.ndjson
	: > $LOG; pt-infer -m m -u "$U" $TMPDIR/s.ndjson > /dev/null 2>&1
	g=$(gap); case $form in retry_after=1) lo=0.9 hi=2;; retry_after_date*) lo=0.9 hi=3.2;; *) lo=1.1 hi=2;; esac
	jq -en "$g >= $lo and $g < $hi" >/dev/null && ok "Retry-After $form honoured ($g s)" || fail "Retry-After $form" "gap $g"
done
msgs "[[pt: fail=429; times=1; retry_after=30]] cap" > $TMPDIR/s.ndjson
: > $LOG; pt-infer -m m -u "$U" --retry-after-cap 0.3 $TMPDIR/s.ndjson > /dev/null 2>&1
g=$(gap); jq -en "$g >= 0.25 and $g < 1.5" >/dev/null && ok "Retry-After capped ($g s)" || fail "Retry-After cap" "gap $g"

# --- AIMD: after a wave of 429s that give no time to come back, the in-flight
# limit is lower (one with a time pauses instead: tests/t-pace.sh)
# (a fresh server: an earlier test's hung request would count as in flight)
UA=$(start_server aimd)
{ msgs "probe"; msgsn a 16 "[[pt: fail=429; times=1; delay=100]]"; } > $TMPDIR/s.ndjson   # the first goes alone
pt-infer -m m -u "$UA" -j 8 $TMPDIR/s.ndjson > $TMPDIR/o.ndjson 2>/dev/null; st=$?
first=$(jq -s '[.[] | select(.n >= 2 and .n <= 9) | .inflight] | max' $TMPDIR/aimd.log)
after=$(jq -s '[.[] | select(.n > 9 and .n <= 13) | .inflight] | max' $TMPDIR/aimd.log)
[ "$st" = 0 ] && [ "$first" -ge 6 ] && [ "$after" -le 2 ] && ok "AIMD halves on 429 (in flight $first, then $after)" \
	|| fail "AIMD" "exit $st, in flight $first then $after"

# --- order: completion order by default, input order with -k (the first
# request goes alone until it is answered: it probes the rate limits)
msgs "fast 1" "[[pt: delay=400]] slow" "fast 2" > $TMPDIR/s.ndjson
check "completion order: the slow one last" "2 3" "$(pt-infer -m m -u "$U" -j 4 $TMPDIR/s.ndjson 2>/dev/null | jq -r .id | tail -1) $(pt-infer -m m -u "$U" -j 4 $TMPDIR/s.ndjson 2>/dev/null | wc -l)"
check "-k input order" "1 2 3" "$(pt-infer -m m -u "$U" -j 4 -k $TMPDIR/s.ndjson 2>/dev/null | jq -r .id | tr '\n' ' ' | sed 's/ $//')"

# --- samples
pt-infer -m m -u "$U" --samples 3 --seed 5 -k $TMPDIR/one.ndjson > $TMPDIR/o.ndjson 2>/dev/null
check "--samples 3" "0 1 2 3" "$(jq -r .infer.sample $TMPDIR/o.ndjson | tr '\n' ' ')$(jq -r .infer.request_hash $TMPDIR/o.ndjson | sort -u | wc -l)"
check "sample seeds" "5 6 7" "$(tail -3 $LOG | jq -r .body.seed | sort -n | tr '\n' ' ' | sed 's/ $//')"

# --- cache, offline
C=$TMPDIR/cache
msgsn c 20 cache > $TMPDIR/c.ndjson
: > $LOG; pt-infer -m m -u "$U" --cache $C -j 4 $TMPDIR/c.ndjson > $TMPDIR/c1.ndjson 2>/dev/null
PT_CACHE=$C pt-infer -m m -u "$U" -j 4 $TMPDIR/c.ndjson > $TMPDIR/c2.ndjson 2>$TMPDIR/err
check "cache: second run sends nothing" "20 20" "$(wc -l < $LOG) $(jq -r 'select(.infer.cached) | .id' $TMPDIR/c2.ndjson | wc -l)"
check "cache: same answers" "$(jq -c '[.id,.response]' $TMPDIR/c1.ndjson | sort)" "$(jq -c '[.id,.response]' $TMPDIR/c2.ndjson | sort)"
check "cache totals" "20 records, 20 ok, 0 failed, 20 cached" "$(tail -1 $TMPDIR/err | grep -o '20 records.*20 cached')"
check "cache layout" "20 600" "$(find $C -name '*.json' | wc -l) $(stat -c %a $(find $C -name '*.json' | head -1))"
pt-infer -m m --offline --cache $C $TMPDIR/c.ndjson > $TMPDIR/o.ndjson 2>/dev/null; st=$?
check "--offline from cache, no server" "0 20" "$st $(jq -r 'select(.infer.cached and .infer.status=="ok")|.id' $TMPDIR/o.ndjson | wc -l)"
check "--offline gives the cached run" "$(jq -c 'del(.infer.latency_ms)' $TMPDIR/c2.ndjson | sort)" "$(jq -c 'del(.infer.latency_ms)' $TMPDIR/o.ndjson | sort)"
pt-infer -m m --offline --cache $C $TMPDIR/c.ndjson > $TMPDIR/o2.ndjson 2>/dev/null
cmp -s $TMPDIR/o.ndjson $TMPDIR/o2.ndjson && ok "--offline re-run is byte-identical" || fail "--offline re-run is byte-identical"
msgs "not cached" | pt-infer -m m --offline --cache $C > $TMPDIR/o.ndjson 2>/dev/null; st=$?
check "--offline miss" "cache_miss exit 1" "$(jq -r .infer.status $TMPDIR/o.ndjson) exit $st"
f=$(find $C -name '*.json' | head -1); printf 'x' >> "$f"
pt-infer -m m --offline --cache $C $TMPDIR/c.ndjson > $TMPDIR/o.ndjson 2>$TMPDIR/err
check "corrupt entry is a miss" "1 19" "$(jq -r 'select(.infer.status=="cache_miss")|.id' $TMPDIR/o.ndjson | wc -l) $(jq -r 'select(.infer.status=="ok")|.id' $TMPDIR/o.ndjson | wc -l)"
# two processes share one cache directory
{ msgsn s 50 shared; msgsn s 50 shared; } > $TMPDIR/sh.ndjson
pt-infer -m m -u "$U" --cache $TMPDIR/c2 -j 16 $TMPDIR/sh.ndjson > $TMPDIR/p1.ndjson 2>/dev/null &
pt-infer -m m -u "$U" --cache $TMPDIR/c2 -j 16 $TMPDIR/sh.ndjson > $TMPDIR/p2.ndjson 2>/dev/null; wait
pt-infer -m m --offline --cache $TMPDIR/c2 $TMPDIR/sh.ndjson > $TMPDIR/o.ndjson 2>$TMPDIR/err; st=$?
check "two processes, one cache" "0 100 50 0" "$st $(jq -r 'select(.infer.status=="ok")|.id' $TMPDIR/o.ndjson | wc -l) $(find $TMPDIR/c2 -name '*.json' | wc -l) $(find $TMPDIR/c2 -name '.tmp*' | wc -l)"

# --- resume after kill -9, finished in place: every record exactly once
msgsn r 300 "[[pt: delay=20]]" > $TMPDIR/r.ndjson
pt-infer -m m -u "$U" -j 8 $TMPDIR/r.ndjson > $TMPDIR/r.out 2>/dev/null & pid=$!
sleep 0.5; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
n1=$(wc -l < $TMPDIR/r.out)
pt-infer -m m -u "$U" -j 8 --resume $TMPDIR/r.out -o $TMPDIR/r.out $TMPDIR/r.ndjson 2>$TMPDIR/err; st=$?
check "resume after kill -9, in place (first run wrote $n1)" "0 300 300 ok" \
	"$st $(wc -l < $TMPDIR/r.out) $(jq -r .id $TMPDIR/r.out | sort -u | wc -l) $(jq -r .infer.status $TMPDIR/r.out | sort -u | tr -d '\n')"
[ "$n1" -gt 0 ] && [ "$n1" -lt 300 ] && ok "kill -9 landed mid-run" || fail "kill -9 landed mid-run" "first run wrote $n1"
check "no temporary file left" "r.ndjson r.out" "$(cd $TMPDIR && ls r.* | tr '\n' ' ' | sed 's/ $//')"

# --- resume after failures: the failed records are asked again, the ok lines
# written again byte for byte, each record once (was: 25 lines for 20)
{ msgsn ok 15; msgsn bad 5 "[[pt: fail=500; times=1]]"; } > $TMPDIR/f.ndjson
pt-infer -m m -u "$U" --retries 0 -k $TMPDIR/f.ndjson > $TMPDIR/f.out 2>/dev/null; st1=$?
grep '"ok"' $TMPDIR/f.out > $TMPDIR/f.ok
pt-infer -m m -u "$U" --retries 0 -k --resume $TMPDIR/f.out -o $TMPDIR/f.out $TMPDIR/f.ndjson 2>$TMPDIR/err; st=$?
check "resume after 5 failures of 20" "1 0 20 20 ok" \
	"$st1 $st $(wc -l < $TMPDIR/f.out) $(jq -r .id $TMPDIR/f.out | sort -u | wc -l) $(jq -r .infer.status $TMPDIR/f.out | sort -u | tr -d '\n')"
check "resume: the ok lines as they were, in input order" "$(cat $TMPDIR/f.ok)" "$(head -15 $TMPDIR/f.out)"
check "resume: what it says" "pt-infer: 15 answers written from $TMPDIR/f.out, not asked again" "$(grep 'not asked' $TMPDIR/err)"
# a file holding duplicates (the old `>>` way): each record once, its best line
{ cat $TMPDIR/f.out; jq -c '.infer.status = "http_error"' $TMPDIR/f.out; } > $TMPDIR/d.out
pt-infer -m m -u "$U" -k --resume $TMPDIR/d.out $TMPDIR/f.ndjson > $TMPDIR/d2.out 2>/dev/null
check "resume from a file with duplicates" "$(cat $TMPDIR/f.out)" "$(cat $TMPDIR/d2.out)"
# --samples 2 after a run with one sample: sample 1 is asked, sample 0 written again
pt-infer -m m -u "$U" -k --samples 2 --resume $TMPDIR/f.out $TMPDIR/f.ndjson > $TMPDIR/s2.out 2>/dev/null
check "resume with a larger --samples" "40 40 20" \
	"$(wc -l < $TMPDIR/s2.out) $(jq -r '"\(.id) \(.infer.sample)"' $TMPDIR/s2.out | sort -u | wc -l) $(grep -c -F -x -f $TMPDIR/f.out $TMPDIR/s2.out)"

# --- SIGINT during a resume in place: records not reached keep their lines
msgsn q 200 "[[pt: delay=30]]" > $TMPDIR/q.ndjson
pt-infer -m m -u "$U" -j 64 --retries 0 $TMPDIR/q.ndjson > $TMPDIR/q.out 2>/dev/null
jq -c 'if (.id | ltrimstr("q") | tonumber) % 2 == 0 then .infer.status = "http_error" else . end' $TMPDIR/q.out > $TMPDIR/q2.out
mv $TMPDIR/q2.out $TMPDIR/q.out
pt-infer -m m -u "$U" -j 2 --resume $TMPDIR/q.out -o $TMPDIR/q.out $TMPDIR/q.ndjson 2>$TMPDIR/err & pid=$!
sleep 0.4; kill -INT $pid; wait $pid; st=$?
check "SIGINT in a resume: exit 1, every record once" "1 200 200" \
	"$st $(wc -l < $TMPDIR/q.out) $(jq -r .id $TMPDIR/q.out | sort -u | wc -l)"
grep -q "interrupted; .* requests unfinished\(, and the records not yet read\)\?; [0-9]* lines of $TMPDIR/q.out not reached are written as they were" $TMPDIR/err &&
	ok "SIGINT in a resume: message" || fail "SIGINT in a resume: message" "$(cat $TMPDIR/err)"

# --- a refused key is said once, the remaining requests are not sent
msgsn k 30 "[[pt: fail=401; times=99]]" > $TMPDIR/k401.ndjson
: > $LOG; pt-infer -m m -u "$U" -j 2 --no-progress $TMPDIR/k401.ndjson > $TMPDIR/o.ndjson 2>$TMPDIR/err; st=$?
sent=$(wc -l < $LOG)
check "401: exit 1, every record once, at most 2 sent, the rest not_sent" "1 30 yes $((30 - sent))" \
	"$st $(wc -l < $TMPDIR/o.ndjson) $([ $sent -le 2 ] && echo yes) $(jq -r 'select(.infer.status == "not_sent") | .id' $TMPDIR/o.ndjson | wc -l)"
check "401: said once" "1" "$(grep -c "HTTP 401.* from http://127.0.0.1:[0-9]*/v1: the API key was refused (check the key in the environment or --api-key-file); the remaining requests are not sent" $TMPDIR/err)"
check "401: the not_sent record says why" '"not sent: HTTP 401: Incorrect API key provided:  from http://127.0.0.1:PORT/v1: the API key was refused (check the key in the environment or --api-key-file)"' \
	"$(jq -c 'select(.infer.status == "not_sent") | .infer.error' $TMPDIR/o.ndjson | head -1 | sed 's/127.0.0.1:[0-9]*/127.0.0.1:PORT/')"
msgsn f 3 "[[pt: fail=403; times=99]]" > $TMPDIR/k403.ndjson
pt-infer -m m -u "$U" -j 1 -k --no-progress $TMPDIR/k403.ndjson > $TMPDIR/o.ndjson 2>$TMPDIR/err
check "403: the rest not sent" "http_error not_sent not_sent" "$(jq -r .infer.status $TMPDIR/o.ndjson | tr '\n' ' ' | sed 's/ $//')"
# a hosted API with no key is a configuration error before anything is sent
env -u OPENAI_API_KEY pt-infer -m gpt-5 -u https://api.openai.com/v1 $TMPDIR/one.ndjson > $TMPDIR/o.ndjson 2>$TMPDIR/err; st=$?
check "api.openai.com without a key: exit 2" "2 0 pt-infer: no API key for https://api.openai.com/v1: set PT_API_KEY or OPENAI_API_KEY, or use --api-key-file" \
	"$st $(wc -c < $TMPDIR/o.ndjson) $(cat $TMPDIR/err)"
env -u OPENAI_API_KEY pt-judge -m gpt-5 -u https://RES.openai.azure.com/openai/v1 $TMPDIR/one.ndjson > /dev/null 2>$TMPDIR/err; st=$?
check "Azure v1 URL without a key: exit 2" "2 pt-judge: no API key for https://RES.openai.azure.com/openai/v1: set PT_JUDGE_API_KEY, PT_API_KEY or OPENAI_API_KEY, or use --api-key-file" "$st $(cat $TMPDIR/err)"

# --- SIGINT: whole lines only, exit 1
: > $TMPDIR/i.out
pt-infer -m m -u "$U" -j 8 $TMPDIR/r.ndjson > $TMPDIR/i.out 2>$TMPDIR/err & pid=$!
sleep 0.5; kill -INT $pid; wait $pid; st=$?
n=$(wc -l < $TMPDIR/i.out)
check "SIGINT exit 1" "1" "$st"
jq -c . $TMPDIR/i.out > /dev/null 2>&1 && [ -z "$(tail -c1 $TMPDIR/i.out)" ] && ok "SIGINT leaves whole lines ($n)" || fail "SIGINT whole lines"
grep -q "interrupted; .* requests unfinished\(, and the records not yet read\)\? (finish them with --resume)" $TMPDIR/err && ok "SIGINT message" || fail "SIGINT message" "$(cat $TMPDIR/err)"

# --- replicas and --rpm
U2=$(start_server b)
msgsn rep 20 "[[pt: delay=50]]" > $TMPDIR/s.ndjson
: > $LOG; pt-infer -m m -u "$U" -u "$U2" -j 8 $TMPDIR/s.ndjson > $TMPDIR/o.ndjson 2>/dev/null
a=$(wc -l < $LOG); b=$(wc -l < $TMPDIR/b.log)
[ $((a + b)) = 20 ] && [ "$a" -ge 5 ] && [ "$b" -ge 5 ] && ok "replicas share the load ($a + $b)" || fail "replicas" "$a + $b"
check "replica named in record" "2" "$(jq -r .infer.base_url $TMPDIR/o.ndjson | sort -u | wc -l)"
msgsn rpm 4 > $TMPDIR/s.ndjson
: > $LOG; pt-infer -m m -u "$U" --rpm 120 -j 8 $TMPDIR/s.ndjson > /dev/null 2>&1
g=$(jq -s '.[-1].t - .[0].t' $LOG); jq -en "$g >= 1.4" >/dev/null && ok "--rpm 120 spaces starts ($g s for 4)" || fail "--rpm" "$g s"

# --- the key never leaks: success and failure paths, all three APIs
for api in openai azure anthropic; do
	u=$U; [ $api = azure ] && u=${U%/v1}/openai/deployments/d
	msgs "ok" "[[pt: fail=401; times=9]]" "[[pt: fail=500; times=9]]" "[[pt: fail=reset; times=9]]" > $TMPDIR/s.ndjson
	PT_API_KEY=$KEY pt-infer --api $api -m m -u "$u" --retries 1 --progress --cache $TMPDIR/kc $TMPDIR/s.ndjson > $TMPDIR/k.out 2> $TMPDIR/k.err
	if grep -rq "$KEY" $TMPDIR/k.out $TMPDIR/k.err $TMPDIR/kc; then fail "key never leaks ($api)" "$(grep -rh "$KEY" $TMPDIR/k.out $TMPDIR/k.err | head -3)"
	else ok "key never leaks ($api)"; fi
done
grep -q '\[redacted\]' $TMPDIR/k.out && ok "401 message redacted" || fail "401 message redacted" "$(grep 401 $TMPDIR/k.out | head -2)"
pt-infer -m m -u "ftp://127.0.0.1/v1" $TMPDIR/one.ndjson > /dev/null 2> $TMPDIR/err; st=$?
check "only http and https" "2 pt-infer: --url: only http:// and https:// URLs, not 'ftp://127.0.0.1/v1'" "$st $(head -1 $TMPDIR/err)"
check "no model" "2" "$(pt-infer $TMPDIR/one.ndjson >/dev/null 2>&1; echo $?)"

# --- progress: a self-updating line with --progress, none without
msgsn pg 30 "[[pt: delay=30]]" > $TMPDIR/s.ndjson
pt-infer -m m -u "$U" -j 4 --progress $TMPDIR/s.ndjson > /dev/null 2> $TMPDIR/err
grep -q $'\r'"pt-infer: [0-9/]* done, 0 failed, [0-9]* in flight, 0 retries, 0 cached, [0-9]* tokens, [0-9.]*/s" $TMPDIR/err \
	&& ok "progress line" || fail "progress line" "$(od -c $TMPDIR/err | head -5)"
pt-infer -m m -u "$U" -j 4 $TMPDIR/s.ndjson > /dev/null 2> $TMPDIR/err
check "no progress when stderr is not a terminal: just the totals" "1" "$(wc -l < $TMPDIR/err)"

# --- TLS verification is always on; redirects are not followed
UT=$(start_server tls --tls $PT_TOP/tests/data/tls)
UT=https${UT#http}
msgs "hello" | PT_API_KEY=$KEY pt-infer -m m -u "$UT" --retries 0 > $TMPDIR/o.ndjson 2> $TMPDIR/err; st=$?
check "self-signed HTTPS is refused" "1 network_error" "$st $(jq -r .infer.status $TMPDIR/o.ndjson)"
grep -q "certificate" $TMPDIR/o.ndjson && ok "the refusal names the certificate" || fail "TLS message" "$(jq -r .infer.error $TMPDIR/o.ndjson)"
: > $LOG
msgs "[[pt: fail=redirect; times=9]] go elsewhere" | PT_API_KEY=$KEY pt-infer -m m -u "$U" > $TMPDIR/o.ndjson 2>/dev/null; st=$?
check "a redirect is not followed" "1 http_error 307 1 1" "$st $(jq -r '"\(.infer.status) \(.infer.http_status) \(.infer.attempts)"' $TMPDIR/o.ndjson) $(wc -l < $LOG)"
