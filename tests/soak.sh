#!/bin/bash
# tests/soak.sh [N]: N records (default 20000) through pt-infer -j 128 and then
# pt-judge -j 128 against the test server with, at once, 10% 429 (Retry-After
# 1), 5% 500/503, 2% connection resets, 1% hangs (--timeout 2) and 1%
# truncated bodies. Every record must come out exactly once with the answer
# the server meant for it, exit 0; with --retries 0 the failures are records
# with their status, exit 1. `make soak` runs 20,000; make check runs 600.
. "$PT_TOP/tests/lib.sh"
N=${1:-20000}
F="429=0.10,500=0.03,503=0.02,reset=0.02,hang=0.01,truncate=0.01"
U=$(start_server soak --faults $F --hang 20 --lifetime 3600)   # a 429 pauses the replica: slower than 600 s
seq $N | jq -c '{id: "s\(.)", benchmark: "r_idea", question_text: "Question \(.)", messages: [{role: "user", content: "Question \(.)"}]}' > $TMPDIR/soak.ndjson
start=$(date +%s)
pt-infer -m m -u "$U" -j 128 --timeout 2 --retries 8 --retry-after-cap 2 --no-progress $TMPDIR/soak.ndjson > $TMPDIR/soak.out 2> $TMPDIR/soak.err; st=$?
check "soak: pt-infer exit 0 with retries ($N records, faults $F)" "0" "$st"
check "soak: every record exactly once" "$N $N" "$(wc -l < $TMPDIR/soak.out) $(jq -r .id $TMPDIR/soak.out | sort -u | wc -l)"
# the answer the server means for a request is "Answer " + sha256(prompt text)[:12]
bad=$(jq -r '[.id, .messages[0].content, .response] | @tsv' $TMPDIR/soak.out | python3 -c '
import hashlib, sys
bad = 0
for line in sys.stdin:
    i, q, r = line.rstrip("\n").split("\t")
    bad += r != "Answer " + hashlib.sha256(q.encode()).hexdigest()[:12]
print(bad)')
check "soak: every answer is the one meant for its request" "0" "$bad"
retries=$(grep -o '[0-9]* retries' $TMPDIR/soak.err | head -1)
faults=$(jq -s '[.[] | select(.attempt > 1)] | length' $TMPDIR/soak.log)
# the server's faults were met: some requests were asked more than once
[ "$faults" -gt 0 ] && [ "$(wc -l < $TMPDIR/soak.log)" -gt $N ] && ok "soak: $retries, $(wc -l < $TMPDIR/soak.log) requests for $N records, $(( $(date +%s) - start )) s" ||
	fail "soak: no request was retried ($faults faults, $(wc -l < $TMPDIR/soak.log) requests for $N records)"
# kill -9 once a tenth of the output is written, then --resume in place: every record once
: > $TMPDIR/k.out
R="pt-infer -m m3 -u $U -j 128 --timeout 2 --retries 8 --retry-after-cap 2 --no-progress"
$R $TMPDIR/soak.ndjson > $TMPDIR/k.out 2>/dev/null & pid=$!
while [ "$(wc -l < $TMPDIR/k.out)" -lt $((N / 10)) ] && kill -0 $pid 2>/dev/null; do sleep 0.1; done
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
n1=$(wc -l < $TMPDIR/k.out)
$R --resume $TMPDIR/k.out -o $TMPDIR/k.out $TMPDIR/soak.ndjson 2>/dev/null; st=$?
check "soak: kill -9 after $n1 records, then --resume: every record exactly once, all ok" "0 $N $N ok" \
	"$st $(wc -l < $TMPDIR/k.out) $(jq -r .id $TMPDIR/k.out | sort -u | wc -l) $(jq -r .infer.status $TMPDIR/k.out | sort -u | tr -d '\n')"
# SIGINT: whole lines only, every finished record present, exit 1
pt-infer -m m4 -u "$U" -j 128 --timeout 2 --no-progress $TMPDIR/soak.ndjson > $TMPDIR/i.out 2> $TMPDIR/i.err & pid=$!
while [ "$(wc -l < $TMPDIR/i.out)" -lt $((N / 10)) ] && kill -0 $pid 2>/dev/null; do sleep 0.1; done
kill -INT $pid; wait $pid; st=$?
check "soak: SIGINT exits 1 with whole lines" "1 ok" "$st $(jq -c . $TMPDIR/i.out > /dev/null 2>&1 && [ -z "$(tail -c1 $TMPDIR/i.out)" ] && echo ok)"
check "soak: SIGINT names what is unfinished" "1" "$(grep -c 'interrupted; [0-9]* requests unfinished' $TMPDIR/i.err)"

# the judge over the same faults (the server answers the judge's reply shape via a directive)
jq -c '.response = "[[pt: judge=7]] an answer"' $TMPDIR/soak.out > $TMPDIR/soak2.ndjson
pt-judge -m j -u "$U" -j 128 --timeout 2 --retries 8 --retry-after-cap 2 --no-progress $TMPDIR/soak2.ndjson > $TMPDIR/judge.out 2> $TMPDIR/judge.err; st=$?
check "soak: pt-judge exit 0, every record once, every score 7" "0 $N $N true" \
	"$st $(wc -l < $TMPDIR/judge.out) $(jq -r .id $TMPDIR/judge.out | sort -u | wc -l) $(jq -s 'all(.predicted_score == 7)' $TMPDIR/judge.out)"
# without retries the failures come out as records with their status
pt-infer -m m2 -u "$U" -j 128 --timeout 2 --retries 0 --no-progress $TMPDIR/soak.ndjson > $TMPDIR/soak0.out 2> $TMPDIR/soak0.err; st=$?
check "soak --retries 0: exit 1, every record once" "1 $N $N" "$st $(wc -l < $TMPDIR/soak0.out) $(jq -r .id $TMPDIR/soak0.out | sort -u | wc -l)"
check "soak --retries 0: statuses" "http_error network_error ok timeout" "$(jq -r .infer.status $TMPDIR/soak0.out | sort -u | tr '\n' ' ' | sed 's/ $//')"
check "soak --retries 0: no response without ok" "true" "$(jq -s 'all(if .infer.status == "ok" then (.response | startswith("Answer ")) else .response == null end)' $TMPDIR/soak0.out)"

# the --resume property (tests/resume_prop.py) over many more random cases
# than make check's (the full soak only: make check runs its own)
[ "$N" -ge 10000 ] && RESUME_CASES=${RESUME_CASES:-1000} bash "$PT_TOP/tests/t-resume-prop.sh"
exit 0
