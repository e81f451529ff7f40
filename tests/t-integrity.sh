#!/bin/bash
# tests/t-integrity.sh: nothing cut, nothing invented (issue 25.7-9): an
# escaped NUL in a server's answer keeps the text after it; one bad line of
# any length is one bad record in every tool; a request that got no answer
# has no usage.
. "$PT_TOP/tests/lib.sh"
U=$(start_server s)

# --- an escaped NUL in the answer: the whole text, escaped again; cached and replayed alike
jq -cn '{id:"n", messages:[{role:"user", content:"[[pt: reply=before\u0000after]]"}]}' > $TMPDIR/nul.ndjson
pt-infer -m m -u $U --cache $TMPDIR/c $TMPDIR/nul.ndjson > $TMPDIR/nul.out 2>/dev/null; st=$?
check "pt-infer: an escaped NUL keeps the text after it" '0 "response":"before\u0000after" ok' \
	"$st $(grep -o '"response":"[^"]*"' $TMPDIR/nul.out) $(jq -r .infer.status $TMPDIR/nul.out)"
pt-infer -m m --offline --cache $TMPDIR/c $TMPDIR/nul.ndjson > $TMPDIR/nul2.out 2>/dev/null
check "pt-infer: the cache replays it whole" '"response":"before\u0000after"' "$(grep -o '"response":"[^"]*"' $TMPDIR/nul2.out)"
jq -cn '{id:"j", benchmark:"r_idea", case_vignette:"c", question_text:"q",
	response:"[[pt: reply={\"score\": 6, \"justification\": \"a\\u0000b\"}]]"}' > $TMPDIR/jnul.ndjson
pt-judge -m j -u $U $TMPDIR/jnul.ndjson > $TMPDIR/jnul.out 2>/dev/null; st=$?
check "pt-judge: an escaped NUL in the judge's reply is kept" '0 6 "justification":"a\u0000b"' \
	"$st $(jq -r .predicted_score $TMPDIR/jnul.out) $(grep -o '"justification":"[^"]*"' $TMPDIR/jnul.out | head -1)"
printf '{"id":1, "x":"a\0b" oops}\n' > $TMPDIR/nulbyte.ndjson
pt-judge -m j -u $U $TMPDIR/nulbyte.ndjson > $TMPDIR/nb.out 2>/dev/null
pt-infer -m m -u $U $TMPDIR/nulbyte.ndjson > $TMPDIR/nbi.out 2>/dev/null
check "pt-judge and pt-infer keep a bad line's NUL byte in _input" '{"id":1, "x":"a\u0000b" oops} {"id":1, "x":"a\u0000b" oops}' \
	"$(jq -j ._input $TMPDIR/nb.out | sed 's/\x0/\\u0000/') $(jq -j ._input $TMPDIR/nbi.out | sed 's/\x0/\\u0000/')"

# --- a 3 MB line with an early syntax error is one bad record in each tool
python3 -c "import sys; sys.stdout.write('{\"id\": 1, \"benchmark\": x' + 'y' * 3000000 + '}\n{\"id\": 2, \"grade\": 4}\n')" > $TMPDIR/long.ndjson
for t in "pt-filter true" "pt-filter --threads 3 true" "pt-prompt -t diagnostic" "pt-stats summary -f ndjson" \
	 "pt-plot box --by .id --value .grade -o $TMPDIR/l.png" "pt-infer -m m -u $U --retries 0" "pt-judge -m j -u $U --retries 0"; do
	$t $TMPDIR/long.ndjson > $TMPDIR/l.out 2>$TMPDIR/l.err
	check "${t%% -*} (${t#* }): a 3 MB bad line is reported once, as line 1" "1 0" \
		"$(grep -c 'long.ndjson:1: .*invalid JSON' $TMPDIR/l.err) $(grep -c 'long.ndjson:[3-9]' $TMPDIR/l.err)"
done
pt-infer -m m -u $U --retries 0 $TMPDIR/long.ndjson 2>/dev/null > $TMPDIR/l.out
check "pt-infer: one _input record holding the whole line, then the next record" "2 3000025 2" \
	"$(wc -l < $TMPDIR/l.out) $(head -1 $TMPDIR/l.out | jq -r '._input | length') $(tail -1 $TMPDIR/l.out | jq -r .id)"

# --- no answer, no usage
msgs "[[pt: fail=500; times=9]]" > $TMPDIR/f500.ndjson
pt-infer -m m -u $U --retries 0 $TMPDIR/f500.ndjson > $TMPDIR/u.out 2>/dev/null
pt-infer -m m -u http://127.0.0.1:9/v1 --retries 0 $TMPDIR/f500.ndjson > $TMPDIR/u2.out 2>/dev/null
check "pt-infer: HTTP 500 and a refused connection have no usage" "http_error null network_error null" \
	"$(jq -r '"\(.infer.status) \(.infer.usage)"' $TMPDIR/u.out $TMPDIR/u2.out | paste -sd' ')"
jq -cn '{id:"j", benchmark:"r_idea", case_vignette:"c", question_text:"q", response:"[[pt: fail=500; times=9]]"}' > $TMPDIR/j500.ndjson
pt-judge -m j -u $U --retries 0 $TMPDIR/j500.ndjson > $TMPDIR/ju.out 2>/dev/null
check "pt-judge: HTTP 500 has no usage" "http_error null" "$(jq -r '.judges[0] | "\(.status) \(.usage)"' $TMPDIR/ju.out)"
msgs "hello" > $TMPDIR/h.ndjson
pt-infer -m m -u $U $TMPDIR/h.ndjson > $TMPDIR/h.out 2>/dev/null
check "an answer keeps its usage" '{"prompt_tokens":1,"completion_tokens":2}' "$(jq -c .infer.usage $TMPDIR/h.out)"
