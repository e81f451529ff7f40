#!/bin/bash
# tests/t-hostile.sh: a server is not trusted (issue 26). Whatever the local
# hostile server sends — an endless body, a gzip bomb, rate-limit headers
# that make no sense, Retry-After 0, a key quoted back, control characters —
# pt finishes, bounds its memory and its waits, and prints no key. No check
# waits more than a few seconds (small --max-wait and --timeout).
. "$PT_TOP/tests/lib.sh"
U=$(start_server h --endless-cap 268435456)
LOG=$TMPDIR/h.log

# --- 1. memory: an endless body and a gzip bomb at -j 8, a reply at most 8 MiB
msgsn e 8 "[[pt: fail=endless; times=99]]" > $TMPDIR/endless.ndjson
msgsn b 8 "[[pt: fail=bomb; times=99; bomb_mib=64]]" > $TMPDIR/bomb.ndjson
for k in endless bomb; do
	: > $LOG
	pt-infer -m m -u $U -j 8 --timeout 20 $TMPDIR/$k.ndjson > $TMPDIR/$k.out 2>$TMPDIR/$k.err; st=$?
	check "$k body at -j 8: exit 1, each record bad_response, said in pt's words" \
		"1 8 bad_response reply larger than 8 MiB (a chat answer is kilobytes): not read further" \
		"$st $(wc -l < $TMPDIR/$k.out) $(jq -r '"\(.infer.status) \(.infer.error)"' $TMPDIR/$k.out | sort -u)"
	check "$k body: each record asked once, not again" "8" "$(grep -c '"path": "/v1/chat/completions"' $LOG)"
	m=$(rss pt-infer -m m -u $U -j 8 --timeout 20 $TMPDIR/$k.ndjson)
	[ "$m" -lt 200 ] && ok "$k body at -j 8: peak RSS $m MB (under 200)" || fail "$k body at -j 8: peak RSS $m MB"
done

# --batch: a control reply (the batch's state) that never ends is cut, said
B=$(start_server hb --batch-hostile endless)
msgsn q 2 > $TMPDIR/q.ndjson
m=$(rss pt-infer -m m -u $B --batch --batch-poll 0.05 --batch-state $TMPDIR/b.state $TMPDIR/q.ndjson)
pt-infer -m m -u $B --batch --batch-poll 0.05 --batch-state $TMPDIR/b2.state $TMPDIR/q.ndjson > $TMPDIR/bq.out 2>$TMPDIR/bq.err; st=$?
check "--batch, an endless state reply: exit 1, both records out, the cap said" "1 2 yes" \
	"$st $(wc -l < $TMPDIR/bq.out) $(grep -q 'reply larger than 8 MiB' $TMPDIR/bq.out && echo yes)"
[ "$m" -lt 200 ] && ok "--batch, an endless state reply: peak RSS $m MB" || fail "--batch endless: peak RSS $m MB"

# --- 2. a rate limit that makes no sense is ignored, said once
msgsn r 3 "[[pt: headers=x-ratelimit-limit-requests:0.000000001|x-ratelimit-remaining-requests:0]]" > $TMPDIR/rl.ndjson
timeout 30 pt-infer -m m -u $U -j 1 --max-wait 5 $TMPDIR/rl.ndjson > $TMPDIR/rl.out 2>$TMPDIR/rl.err; st=$?
check "a limit of 1e-9 requests a minute: every record answered, said once" \
	"0 3 1 pt-infer: ${U%/v1}/v1 sent 'x-ratelimit-limit-requests: 0.000000001': not a rate limit pt can keep to; ignored" \
	"$st $(jq -r .infer.status $TMPDIR/rl.out | grep -c ok) $(grep -c 'not a rate limit' $TMPDIR/rl.err) $(grep 'not a rate limit' $TMPDIR/rl.err)"

# --- 3. no retry storm: Retry-After 0 and retry-after-ms 0 are no reason to ask at once
: > $LOG
msgs "[[pt: fail=503; times=999; retry_after=0]]" > $TMPDIR/s0.ndjson
pt-infer -m m -u $U --max-wait 2 $TMPDIR/s0.ndjson > $TMPDIR/s0.out 2>/dev/null
n=$(wc -l < $LOG)
[ "$n" -ge 2 ] && [ "$n" -le 6 ] && ok "503 with Retry-After 0 for 2 s: $n requests (pt's own backoff)" || fail "503 Retry-After 0: $n requests in 2 s"
: > $LOG
msgs "[[pt: fail=429; times=999; retry_after_ms=0]]" > $TMPDIR/m0.ndjson
pt-infer -m m -u $U --max-wait 2 $TMPDIR/m0.ndjson > $TMPDIR/m0.out 2>/dev/null
n=$(wc -l < $LOG)
[ "$n" -ge 2 ] && [ "$n" -le 6 ] && ok "429 with retry-after-ms 0 for 2 s: $n requests" || fail "429 retry-after-ms 0: $n requests in 2 s"
# 503 without Retry-After: the waits grow (0.25-0.5, 0.5-1, 1-2 s, ...)
: > $LOG
msgs "[[pt: fail=503; times=999]]" > $TMPDIR/g.ndjson
pt-infer -m m -u $U --max-wait 4 $TMPDIR/g.ndjson > /dev/null 2>&1
check "503 without Retry-After: each wait longer than the one before" "yes" \
	"$(jq -s '[.[].t] | [range(1; length - 1) as $i | (.[$i + 1] - .[$i]) > (.[$i] - .[$i - 1]) * 0.9] | all and length >= 2 | if . then "yes" else "no" end' -r $LOG)"

# --- 4. --max-wait bounds a record's waiting in all
: > $LOG
msgs "[[pt: fail=429; times=999; retry_after=5]]" > $TMPDIR/w.ndjson
pt-infer -m m -u $U --max-wait 2 --retry-after-cap 5 --retries 2 $TMPDIR/w.ndjson > $TMPDIR/w.out 2>/dev/null; st=$?
check "--max-wait 2 and Retry-After 5: asked once, ends with what it got" "1 1 http_error HTTP 429: scripted failure 429" \
	"$st $(wc -l < $LOG) $(jq -r '"\(.infer.status) \(.infer.error)"' $TMPDIR/w.out)"
: > $LOG
msgs "[[pt: fail=500; times=999]]" > $TMPDIR/w5.ndjson
pt-infer -m m -u $U --max-wait 1 --retries 50 $TMPDIR/w5.ndjson > $TMPDIR/w5.out 2>/dev/null
n=$(wc -l < $LOG)
[ "$n" -le 4 ] && ok "--max-wait 1 with --retries 50: $n requests, then its status" || fail "--max-wait 1: $n requests"

# --- 5. no part of the key: a 401 quoting it past byte 119, an answer echoing it
key=sk-proj-$(printf 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v2W3x4Y5z6A7b8C9d0E1f2G3h4I5j6K7l8M9n0O1p2Q3r4S5t6' | head -c 90)
msgs "[[pt: fail=401; pad=150]]" > $TMPDIR/k.ndjson
OPENAI_API_KEY=$key pt-infer -m m -u $U $TMPDIR/k.ndjson > $TMPDIR/k.out 2>$TMPDIR/k.err
msgs "[[pt: reply=your key is $key, keep it safe]]" > $TMPDIR/k2.ndjson
OPENAI_API_KEY=$key pt-infer -m m -u $U --cache $TMPDIR/kc $TMPDIR/k2.ndjson > $TMPDIR/k2.out 2>>$TMPDIR/k.err
leaks=0
for i in $(seq 0 8 $((${#key} - 8))); do
	# (the records' own messages hold what the test sent, the key among it)
	{ jq -c 'del(.messages)' $TMPDIR/k.out $TMPDIR/k2.out; cat $TMPDIR/k.err; cat -v $(find $TMPDIR/kc -type f); } |
		grep -qF -- "${key:$i:8}" && leaks=$((leaks + 1))
done
check "a key quoted by a 401 past byte 119, or echoed in an answer: no 8 characters of it anywhere" "0" "$leaks"
check "the echoed key is redacted in the answer" "your key is [redacted], keep it safe" "$(jq -r .response $TMPDIR/k2.out)"

# --- 6. a server's control characters never reach the terminal raw
msgs "$(printf '[[pt: fail=500; times=9; msg=\033]2:pwned\007\033[2J\rpt-infer: 1 records, 1 ok\nX]]')" > $TMPDIR/c.ndjson
pt-infer -m m -u $U --retries 0 $TMPDIR/c.ndjson > /dev/null 2>$TMPDIR/c.err
check "control characters in a server's message are escaped" "0 1" \
	"$(tr -d '\n' < $TMPDIR/c.err | tr -dc '\000-\010\013-\037\177' | wc -c) $(grep -c 'HTTP 500: \\x1b\]2:pwned\\x07\\x1b\[2J\\x0dpt-infer: 1 records, 1 ok\\x0aX' $TMPDIR/c.err)"

# --- 7. URLs curl cannot parse are exit 2 with nothing sent; hosts compared as parsed; keys with control characters refused
: > $LOG
for u in "http://127.0.0.1:99999/v1|Port number was not a decimal number between 0 and 65535" "http://[::1/v1|Bad IPv6 address" \
	 "http://a b/v1|Bad hostname"; do
	msgs x | PT_API_KEY=k pt-infer -m m -u "${u%%|*}" > $TMPDIR/u.out 2>$TMPDIR/u.err; st=$?
	check "bad URL ${u%%|*}: exit 2, said, nothing written" "2 pt-infer: --url '${u%%|*}': ${u#*|} 0" \
		"$st $(head -1 $TMPDIR/u.err) $(wc -l < $TMPDIR/u.out)"
done
for u in https://u:p@api.openai.com/v1 https://API.OPENAI.COM/v1 https://api.openai.com./v1 https://OpenRouter.ai/api/v1; do
	msgs x | env -u OPENAI_API_KEY pt-infer -m m -u "$u" > /dev/null 2>$TMPDIR/u.err; st=$?
	check "no key for $u: exit 2, the password not shown" "2 no API key 0" "$st $(grep -o 'no API key' $TMPDIR/u.err) $(grep -c 'u:p@' $TMPDIR/u.err)"
done
printf 'sk-abc\r\nX-Injected: yes\n' > $TMPDIR/kf
msgs x | pt-infer -m m -u $U --api-key-file $TMPDIR/kf > /dev/null 2>$TMPDIR/u.err; st=$?
check "a key with a line break: exit 2, nothing sent" "2 pt-infer: the API key holds a control character (a line break?): not sent 0" \
	"$st $(head -1 $TMPDIR/u.err) $(wc -l < $LOG)"

# --- 8. cache entries that are not regular files are misses, never followed or waited on
msgs "cached question" > $TMPDIR/cq.ndjson
pt-infer -m m -u $U --cache $TMPDIR/cc0 $TMPDIR/cq.ndjson > $TMPDIR/cq.out 2>/dev/null
h=$(jq -r .infer.request_hash $TMPDIR/cq.out)
mkdir -p $TMPDIR/cc1/${h:0:2} $TMPDIR/cc2/${h:0:2} $TMPDIR/cc3/${h:0:2}
mkfifo $TMPDIR/cc1/${h:0:2}/${h:2}.json
ln -s /dev/zero $TMPDIR/cc2/${h:0:2}/${h:2}.json
for d in cc1 cc2; do
	timeout 20 pt-infer -m m -u $U --cache $TMPDIR/$d $TMPDIR/cq.ndjson > $TMPDIR/cq2.out 2>$TMPDIR/cq.err; st=$?
	check "a cache entry that is a $([ $d = cc1 ] && echo FIFO || echo link to /dev/zero): a miss, asked, said" \
		"0 ok false pt-infer: cache entry ${h:0:12}… is corrupt; treated as a miss" \
		"$st $(jq -r '"\(.infer.status) \(.infer.cached)"' $TMPDIR/cq2.out) $(head -1 $TMPDIR/cq.err)"
done
# the temporary name an entry is written to is no predictable one a link could be planted at
echo precious > $TMPDIR/victim
bash -c 'ln -s '"$TMPDIR"'/victim '"$TMPDIR"'/cc3/'"${h:0:2}"'/.tmp.$$.'"${h:0:16}"'; exec pt-infer -m m -u '"$U"' --cache '"$TMPDIR"'/cc3 '"$TMPDIR"'/cq.ndjson' > /dev/null 2>&1
check "a link planted at the old temporary name is not followed" "precious 1" \
	"$(cat $TMPDIR/victim) $(find $TMPDIR/cc3 -name '*.json' -type f | wc -l)"

# --- 9. a private CA (a hospital's TLS-inspecting proxy): --cacert, CURL_CA_BUNDLE
UT=$(start_server tls --tls $PT_TOP/tests/data/tls)
UT=https${UT#http}
msgs hello | PT_API_KEY=k pt-infer -m m -u "$UT" --retries 0 > $TMPDIR/t.out 2>/dev/null; st=$?
check "a server's CA not trusted: network_error" "1 network_error" "$st $(jq -r .infer.status $TMPDIR/t.out)"
msgs hello | PT_API_KEY=k pt-infer -m m -u "$UT" --cacert $PT_TOP/tests/data/tls/cert.pem > $TMPDIR/t.out 2>/dev/null; st=$?
check "--cacert FILE: trusted, answered" "0 ok" "$st $(jq -r .infer.status $TMPDIR/t.out)"
msgs hello | CURL_CA_BUNDLE=$PT_TOP/tests/data/tls/cert.pem PT_API_KEY=k pt-infer -m m -u "$UT" > $TMPDIR/t.out 2>/dev/null; st=$?
check "CURL_CA_BUNDLE: trusted, answered" "0 ok" "$st $(jq -r .infer.status $TMPDIR/t.out)"
msgs hello | PT_API_KEY=k pt-infer -m m -u "$UT" --cacert $TMPDIR/none.pem > /dev/null 2>$TMPDIR/t.err; st=$?
check "--cacert of a missing file: exit 2" "2 pt-infer: --cacert $TMPDIR/none.pem: No such file or directory" "$st $(head -1 $TMPDIR/t.err)"

# --- 10. smaller things
msgs "[[pt: fail=bigheader]]" | pt-infer -m m -u $U > $TMPDIR/bh.out 2>/dev/null
check "a 10 MB header line: said as such, not asked again" "bad_response 1 reply header larger than curl takes (100 KB): not read further" \
	"$(jq -r '"\(.infer.status) \(.infer.attempts) \(.infer.error)"' $TMPDIR/bh.out)"
jq -cn '{id:"j", benchmark:"r_idea", case_vignette:"c", question_text:"q", response:"[[pt: reply=no score here]]"}' > $TMPDIR/pe.ndjson
pt-judge -m j -u $U --samples 2 $TMPDIR/pe.ndjson > /dev/null 2>$TMPDIR/pe.err
check "pt-judge's totals count unparsable judgements as failed" "pt-judge: 2 judgements, 0 ok, 2 failed" \
	"$(grep -o 'pt-judge: 2 judgements, [0-9]* ok, [0-9]* failed' $TMPDIR/pe.err)"
pt-infer -m m -u $U <&- > /dev/null 2>$TMPDIR/cl.err; st=$?
check "a closed standard input: exit 2, said" "2 pt-infer: standard input is closed: give a FILE, or records on standard input" "$st $(head -1 $TMPDIR/cl.err)"
{ msgsn t 40 "[[pt: delay=300]]"; sleep 5; } | pt-infer -m m -u $U -j 2 > /dev/null 2>$TMPDIR/term.err & pid=$!
sleep 1; kill -TERM $pid; wait $pid   # ($!: pt-infer, the pipeline's last)
grep -q "requests unfinished, and the records not yet read" $TMPDIR/term.err && ok "SIGTERM before the input ended says records are still to come" ||
	fail "SIGTERM message" "$(cat $TMPDIR/term.err)"
msgsn p 2 "[[pt: fail=429; times=1; retry_after=30]]" > $TMPDIR/p.ndjson
pt-infer -m m -u $U -j 1 --max-wait 1 $TMPDIR/p.ndjson > /dev/null 2>$TMPDIR/p.err
s=$(grep -o '[0-9.]* s paused' $TMPDIR/p.err | cut -d' ' -f1)
awk -v s="${s:-0}" 'BEGIN { exit !(s > 0 && s < 3) }' && ok "\"s paused\" is what was waited ($s s of a 30 s Retry-After held to --max-wait 1)" ||
	fail "s paused" "$(cat $TMPDIR/p.err)"
