#!/bin/bash
# tests/t-cost.sh: what it costs (issue 33). Prices from a file (the
# llm-prices JSON layout, a list of vendor files, a TSV by hand), each
# record's cost from its usage (cached prompt tokens, Anthropic's apart,
# batch at half price), --budget that never passes (one run at -j 1 and
# -j 64, four runs sharing a file), --estimate, and one request for
# identical bodies in flight. The prices in tests/fixtures/prices are
# fictional except for the layout.
. "$PT_TOP/tests/lib.sh"
U=$(start_server cost)
LOG=$TMPDIR/cost.log
P=$PT_TOP/tests/fixtures/prices
# cost FILE...: each record's infer.cost in billionths of a dollar (null when unknown)
cost() { jq -r '.infer.cost | if . == null then "null" else (. * 1e9 | round) end' "$@"; }

# --- costs equal hand computations
msgs "[[pt: fixture=openai_usage_details]]" > $TMPDIR/cost-u.ndjson
# 2,000 prompt tokens, 1,024 of them cached, 300 completion (256 reasoning, billed as output):
# (976 x 1.25 + 1024 x 0.125 + 300 x 10) / 1e6
check "OpenAI: cached prompt tokens at their price, reasoning as output" "4348000" \
	"$(pt-infer -m gpt-5 -u $U --prices $P/openai.json $TMPDIR/cost-u.ndjson 2>/dev/null | cost)"
msgs "[[pt: fixture=anthropic_thinking]]" > $TMPDIR/cost-a.ndjson
# input_tokens 100 (the cache reads apart), 80 read from the cache, 50 output: (100 x 3 + 80 x 0.3 + 50 x 15) / 1e6
check "Anthropic: cache reads apart from input_tokens" "1074000" \
	"$(pt-infer -m claude-test -u $U --api anthropic --api-key-file /dev/null --prices $P/anthropic.json $TMPDIR/cost-a.ndjson 2>/dev/null | cost)"
check "openai/gpt-5 is priced as gpt-5" "4348000" \
	"$(pt-infer -m openai/gpt-5 -u $U --prices $P/openai.json $TMPDIR/cost-u.ndjson 2>/dev/null | cost)"
msgsn q 5 > $TMPDIR/cost-q.ndjson
pt-infer -m m -u $U --prices $P/hand.tsv --cache $TMPDIR/cost-cache $TMPDIR/cost-q.ndjson > $TMPDIR/cost-o.ndjson 2>$TMPDIR/cost-err
check "a TSV by hand: each answer (2 + 2 tokens) at 2 and 8 a million; the totals in dollars" \
	"20000 20000 20000 20000 20000 pt-infer: \$0.0001 spent at the prices of $P/hand.tsv" \
	"$(cost $TMPDIR/cost-o.ndjson | tr '\n' ' ')$(grep spent $TMPDIR/cost-err)"
PT_PRICES=$P/hand.tsv pt-infer -m m -u $U --cache $TMPDIR/cost-cache $TMPDIR/cost-q.ndjson > $TMPDIR/cost-o.ndjson 2>$TMPDIR/cost-err
check "PT_PRICES; cached answers keep their cost and nothing is spent" "20000 5 pt-infer: \$0.00 spent at the prices of $P/hand.tsv" \
	"$(cost $TMPDIR/cost-o.ndjson | sort -u) $(jq -r 'select(.infer.cached) | .id' $TMPDIR/cost-o.ndjson | wc -l) $(grep spent $TMPDIR/cost-err)"
pt-infer -m nobody -u $U --prices $P/openai.json $TMPDIR/cost-q.ndjson > $TMPDIR/cost-o.ndjson 2>$TMPDIR/cost-err
check "a model with no price: said once, cost null, never 0" "1 pt-infer: --prices $P/openai.json: no current price for nobody: its costs are unknown (null) null" \
	"$(grep -c 'no current price' $TMPDIR/cost-err) $(grep 'no current price' $TMPDIR/cost-err) $(cost $TMPDIR/cost-o.ndjson | sort -u)"
check "a price that has ended is no current price" "null" "$(pt-infer -m retired -u $U --prices $P/openai.json $TMPDIR/cost-u.ndjson 2>/dev/null | cost)"
printf 'm\t2\tx\n' > $TMPDIR/cost-bad.tsv
pt-infer -m m -u $U --prices $TMPDIR/cost-bad.tsv $TMPDIR/cost-q.ndjson > /dev/null 2>$TMPDIR/cost-err; st=$?
check "a bad price line: exit 2, file and line" "2 pt-infer: --prices $TMPDIR/cost-bad.tsv:1: 'x' is not a price (dollars per million tokens)" "$st $(cat $TMPDIR/cost-err)"
: > $LOG
pt-infer -m m -u $U --batch --batch-poll 0.02 --batch-state $TMPDIR/cost-b.state --prices $P/hand.tsv $TMPDIR/cost-q.ndjson > $TMPDIR/cost-o.ndjson 2>$TMPDIR/cost-err
check "--batch: the provider's batch discount, half" "10000 pt-infer: \$0.00005 spent at the prices of $P/hand.tsv" \
	"$(cost $TMPDIR/cost-o.ndjson | sort -u) $(grep spent $TMPDIR/cost-err)"

# --- a budget that holds. Model j at 0 input and 8 output a million, and
# --max-tokens 2: an answer's worst case (2 completion tokens) is what the
# test server's answer costs, $0.000016; a budget of three of them lets
# three through and stops the other seven with status budget, exit 5
msgsn b 10 > $TMPDIR/cost-b.ndjson
for j in 1 64; do
	: > $LOG
	pt-infer -m j -u $U -j $j --max-tokens 2 --prices $P/hand.tsv --budget 0.000048 $TMPDIR/cost-b.ndjson > $TMPDIR/cost-o.ndjson 2>$TMPDIR/cost-err; st=$?
	check "--budget of 3 answers' worst case at -j $j: 3 asked, 7 budget, exit 5, said once" \
		"5 budget 7 ok 3 3 pt-infer: 7 records not asked: more would pass --budget \$0.000048 (status budget; --resume with a larger budget asks them)" \
		"$st $(jq -r .infer.status $TMPDIR/cost-o.ndjson | sort | uniq -c | awk '{ printf "%s %s ", $2, $1 }')$(wc -l < $LOG) $(grep 'not asked' $TMPDIR/cost-err)"
done
cp $TMPDIR/cost-o.ndjson $TMPDIR/cost-r.ndjson
pt-infer -m j -u $U --max-tokens 2 --prices $P/hand.tsv --budget 0.00016 --resume $TMPDIR/cost-r.ndjson -o $TMPDIR/cost-r.ndjson $TMPDIR/cost-b.ndjson 2>/dev/null; st=$?
check "--resume with a larger budget asks the seven, every record ok" "0 10 ok 10" "$st $(wc -l < $LOG) $(jq -r .infer.status $TMPDIR/cost-r.ndjson | sort | uniq -c | awk '{ print $2, $1 }')"
check "--budget without prices: exit 2" "2" "$(pt-infer -m j -u $U --budget 1 --max-tokens 2 $TMPDIR/cost-b.ndjson >/dev/null 2>&1; echo $?)"
pt-infer -m m -u $U --prices $P/hand.tsv --budget 1 $TMPDIR/cost-b.ndjson > /dev/null 2>$TMPDIR/cost-err; st=$?
check "--budget without a completion limit: exit 2, said" "2 pt-infer: --budget: without --max-tokens (or --max-completion-tokens) an answer's length, and so its cost, has no bound" "$st $(cat $TMPDIR/cost-err)"

printf 'my notes\n' > $TMPDIR/cost-notes.txt
pt-infer -m j -u $U --max-tokens 2 --prices $P/hand.tsv --budget 1 --budget-file $TMPDIR/cost-notes.txt $TMPDIR/cost-b.ndjson > /dev/null 2>$TMPDIR/cost-err; st=$?
check "--budget-file that is no budget: exit 2, said, left as it was" \
	"2 pt-infer: --budget-file $TMPDIR/cost-notes.txt: not a budget file (it starts with \"spent \"); not changed my notes" "$st $(cat $TMPDIR/cost-err) $(cat $TMPDIR/cost-notes.txt)"

# four processes on one budget file never spend past it together: a budget
# of 12.5 answers' worst case, four runs of 10 distinct records each at once,
# five times over
for round in 1 2 3 4 5; do
	rm -f $TMPDIR/cost-shared.budget
	for k in 1 2 3 4; do
		msgsn "s$round.$k." 10 > $TMPDIR/cost-s$k.ndjson
		pt-infer -m j -u $U -j 4 --max-tokens 2 --prices $P/hand.tsv --budget 0.0002 --budget-file $TMPDIR/cost-shared.budget \
			$TMPDIR/cost-s$k.ndjson > $TMPDIR/cost-s$k.out 2>/dev/null &
	done
	wait
	spent=$(jq -s 'map(select(.infer.status == "ok") | .infer.cost) | add * 1e9 | round' $TMPDIR/cost-s1.out $TMPDIR/cost-s2.out $TMPDIR/cost-s3.out $TMPDIR/cost-s4.out)
	check "four runs on one budget file, round $round: 12 answers, \$0.000192 of \$0.0002, 28 budget" "12 192000 28 spent 0.000192" \
		"$(cat $TMPDIR/cost-s?.out | grep -c '"status":"ok"') $spent $(cat $TMPDIR/cost-s?.out | grep -c '"status":"budget"') $(grep spent $TMPDIR/cost-shared.budget | awk '{ printf "spent %.6g", $2 }')"
done

# --- --estimate: what the run would send and cost, nothing sent or written
msgsn e 20 "a question for the estimate" > $TMPDIR/cost-e.ndjson
head -5 $TMPDIR/cost-e.ndjson | pt-infer -m m -u $U --cache $TMPDIR/cost-ecache --prices $P/hand.tsv --max-tokens 2 > /dev/null 2>&1
: > $LOG
pt-infer -m m -u $U --cache $TMPDIR/cost-ecache --prices $P/hand.tsv --max-tokens 2 --estimate -o $TMPDIR/cost-never.out $TMPDIR/cost-e.ndjson > $TMPDIR/cost-est.out 2>$TMPDIR/cost-est.err; st=$?
check "--estimate: exit 0, nothing sent, nothing written, the cache's answers left out" "0 0 0 no 15 requests to send, 5 answered from the cache" \
	"$st $(wc -l < $LOG) $(wc -c < $TMPDIR/cost-est.out) $([ -e $TMPDIR/cost-never.out ] && echo yes || echo no) $(grep -o '[0-9]* requests to send, [0-9]* answered from the cache' $TMPDIR/cost-est.err)"
most=$(grep -o 'at most \$[0-9.]*' $TMPDIR/cost-est.err | tr -d 'at most$')
pt-infer -m m -u $U --cache $TMPDIR/cost-ecache --prices $P/hand.tsv --max-tokens 2 $TMPDIR/cost-e.ndjson > /dev/null 2>$TMPDIR/cost-run.err
spent=$(grep -o '^pt-infer: \$[0-9.]* spent' $TMPDIR/cost-run.err | tr -dc '0-9.')
awk -v s="$spent" -v m="$most" 'BEGIN { exit !(s > 0 && s <= m) }' && ok "--estimate's most (\$$most) holds what the run then spends (\$$spent)" ||
	fail "--estimate's bound" "most $most, spent $spent"

# --- nothing paid for twice: identical bodies in flight are asked once
{ cat $TMPDIR/cost-q.ndjson; cat $TMPDIR/cost-q.ndjson; cat $TMPDIR/cost-q.ndjson; } > $TMPDIR/cost-d.ndjson
: > $LOG
pt-infer -m m -u $U -j 16 -k $TMPDIR/cost-d.ndjson > $TMPDIR/cost-o.ndjson 2>$TMPDIR/cost-err; st=$?
check "15 records, 5 distinct requests: 5 asked, every record answered in order, the same answer" \
	"0 5 15 ok same pt-infer: 10 records answered by an identical request of this run, asked once" \
	"$st $(wc -l < $LOG) $(wc -l < $TMPDIR/cost-o.ndjson) $(jq -r .infer.status $TMPDIR/cost-o.ndjson | sort -u) $(jq -r '[.id, .response] | @tsv' $TMPDIR/cost-o.ndjson | sort | uniq | wc -l | sed 's/^5$/same/') $(grep identical $TMPDIR/cost-err)"
: > $LOG
pt-infer -m m -u $U -j 16 --samples 3 $TMPDIR/cost-q.ndjson > $TMPDIR/cost-o.ndjson 2>/dev/null
check "--samples 3 still sends three of each" "15 15" "$(wc -l < $LOG) $(wc -l < $TMPDIR/cost-o.ndjson)"

# --- pt-judge: each judgement's cost beside its usage (162 prompt tokens at 0, 6 completion at 8 a million)
jq -nc '{id: "1", case: "c", question_text: "q", response: "an answer [[pt: judge=3]]"}' > $TMPDIR/cost-j.ndjson
pt-judge -m j -u $U --task r_idea --prices $P/hand.tsv $TMPDIR/cost-j.ndjson > $TMPDIR/cost-j.out 2>$TMPDIR/cost-err
check "pt-judge: the judgement's cost, the totals in dollars" "162 6 48000 pt-judge: \$0.000048 spent at the prices of $P/hand.tsv" \
	"$(jq -r '.judges[0] | "\(.usage.prompt_tokens) \(.usage.completion_tokens) \(.cost * 1e9 | round)"' $TMPDIR/cost-j.out) $(grep spent $TMPDIR/cost-err)"

# --- nor across processes on one cache: the second run waits for the
# first's answers (a claim in the cache) rather than paying again; a claim
# whose process was killed is taken over, and the request asked
msgsn x 10 "[[pt: delay=1000]] two runs" > $TMPDIR/cost-x.ndjson
: > $LOG
pt-infer -m m -u $U -j 4 --cache $TMPDIR/cost-xc $TMPDIR/cost-x.ndjson > $TMPDIR/cost-x1.out 2>/dev/null & first=$!
for _ in $(seq 100); do [ "$(wc -l < $LOG)" -ge 1 ] && break; sleep 0.02; done
pt-infer -m m -u $U -j 4 --cache $TMPDIR/cost-xc $TMPDIR/cost-x.ndjson > $TMPDIR/cost-x2.out 2>$TMPDIR/cost-x2.err; st=$?
wait $first
check "two runs on one cache at once: each request asked once in all (20 records, 10 requests, 10 answers taken from the other run), both whole, no claim left" \
	"0 10 10 10 10 0" \
	"$st $(wc -l < $LOG) $(grep -c '"status":"ok"' $TMPDIR/cost-x1.out) $(grep -c '"status":"ok"' $TMPDIR/cost-x2.out) $(cat $TMPDIR/cost-x1.out $TMPDIR/cost-x2.out | jq -r 'select(.infer.cached) | .id' | wc -l) $(find $TMPDIR/cost-xc -name '*.asking' | wc -l)"
msgsn k 4 "[[pt: delay=3000]] killed" > $TMPDIR/cost-k.ndjson
: > $LOG
pt-infer -m m -u $U -j 4 --cache $TMPDIR/cost-kc $TMPDIR/cost-k.ndjson > /dev/null 2>&1 & first=$!
for _ in $(seq 100); do [ "$(wc -l < $LOG)" -ge 4 ] && break; sleep 0.02; done
kill -KILL $first; wait $first 2>/dev/null
pt-infer -m m -u $U -j 4 --cache $TMPDIR/cost-kc $TMPDIR/cost-k.ndjson > $TMPDIR/cost-k.out 2>/dev/null; st=$?
check "a claim of a killed run is taken over: asked again, every record ok" "0 8 4" \
	"$st $(wc -l < $LOG) $(grep -c '"status":"ok"' $TMPDIR/cost-k.out)"

# --- a run killed while it held part of a shared budget: what it had in
# flight may have been billed, so the next run counts it spent
msgsn kb 3 "[[pt: delay=3000]] killed with a budget" > $TMPDIR/cost-kb.ndjson
rm -f $TMPDIR/cost-kb.budget
: > $LOG
pt-infer -m j -u $U -j 3 --max-tokens 2 --prices $P/hand.tsv --budget 0.0001 --budget-file $TMPDIR/cost-kb.budget \
	$TMPDIR/cost-kb.ndjson > /dev/null 2>&1 & first=$!
for _ in $(seq 100); do [ "$(wc -l < $LOG)" -ge 3 ] && break; sleep 0.02; done
held=$(grep -c "^held .* $first " $TMPDIR/cost-kb.budget)
kill -KILL $first; wait $first 2>/dev/null
msgsn kc 10 > $TMPDIR/cost-kc.ndjson
pt-infer -m j -u $U --max-tokens 2 --prices $P/hand.tsv --budget 0.0001 --budget-file $TMPDIR/cost-kb.budget \
	$TMPDIR/cost-kc.ndjson > $TMPDIR/cost-kc.out 2>/dev/null; st=$?
# the killed run held 3 x $0.000016 = $0.000048; $0.000052 was left: 3 more answers
check "a killed run's holdings counted spent: 3 held, then 3 of 10 asked, the ledger at \$0.000096" "1 5 3 7 spent 0.000096" \
	"$(( held > 0 )) $st $(grep -c '"status":"ok"' $TMPDIR/cost-kc.out) $(grep -c '"status":"budget"' $TMPDIR/cost-kc.out) $(awk '/^spent/ { printf "spent %.6f", $2 }' $TMPDIR/cost-kb.budget)"
