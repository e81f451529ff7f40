#!/bin/bash
# examples/judges: several judges x every task offline, byte for byte; the
# same records from a live run against the test server; a live run killed
# in the middle and run again asks only what never came back; the jury.
. "$PT_TOP/tests/lib.sh"
EX=$PT_TOP/examples/judges
A=$TMPDIR/judgesA
make -s -j2 -C $EX all OUT=$A > /dev/null 2> $TMPDIR/judges.err; st=$?
check "the example runs offline" "0" "$st"
diff -r $A $EX/out > /dev/null && ok "the committed examples/judges/out is what make writes (byte for byte)" ||
	fail "the committed examples/judges/out is current (make -C examples/judges, then commit)" "$(diff -rq $A $EX/out)"
check "one file per judge and task, each with every answer of its task" "24 true" \
	"$(ls $A/overall_judge_trials | wc -l) $(for f in $A/overall_judge_trials/*.ndjson; do t=${f##*/}; t=${t#*_}; cmp -s <(jq -c '{id}' $f) <(jq -c '{id}' $A/tasks/$t) || echo $f; done | wc -l | sed 's/^0$/true/')"
check "every judge's run said its totals with its name" "24" "$(grep -c '^[a-z]* [a-z_]*: 338 judgements\|^[a-z]* [a-z_]*: [0-9]* judgements' $TMPDIR/judges.err)"
check "flaky's unscored records are reported with file and line" "flaky bi_triage: $A/tasks/bi_triage.ndjson:2: parse_error: no JSON object with a score in the reply" \
	"$(grep -m1 '^flaky bi_triage: .*:2: ' $TMPDIR/judges.err | sed "s|$EX/||")"
check "leaderboard: 6 tasks x (4 judges + jury), ranked 1-5 within each task, with judge, benchmark and mae" "30 true" \
	"$(jq -s length $A/leaderboard.ndjson) $(jq -s 'group_by(.benchmark) | all(map(.rank) == [1,2,3,4,5] and all(.[]; (.judge | type) == "string" and (.mae | type) == "number"))' $A/leaderboard.ndjson)"
check "leaderboard ranks by MAE" "true" "$(jq -s 'group_by(.benchmark) | all(map(.mae) == (map(.mae) | sort))' $A/leaderboard.ndjson)"
check "unscored by status = agree's n_missing; scored + unscored = 338 per judge" "true true" \
	"$(jq -s 'all(.n_unscored == ([.unscored[]] | add // 0))' $A/leaderboard.ndjson) $(jq -s 'group_by(.judge) | all(map(.n + .n_unscored) | add == 338)' $A/leaderboard.ndjson)"
check "flaky's parse errors are counted, the others have none" "flaky 34|" \
	"$(jq -rs 'group_by(.judge)[] | select(map(.n_unscored) | add > 0) | "\(.[0].judge) \(map(.unscored.parse_error // 0) | add)"' $A/leaderboard.ndjson | tr '\n' '|')"
# the jury: the median of the judges that scored the answer
check "the jury is the median of the judges' scores" "true" "$(jq -s '
	def median: sort | length as $n | if $n % 2 == 1 then .[($n - 1) / 2] else (.[$n / 2 - 1] + .[$n / 2]) / 2 end;
	(map(select(.judge != "jury")) | group_by(.id) | map({key: .[0].id, value: (map(.predicted_score | numbers) | median)}) | from_entries) as $m
	| map(select(.judge == "jury")) | length == 338 and all(.predicted_score == $m[.id])' $A/scores.ndjson)"
check "vs_best: per task the best judge against each other one, Holm-adjusted" "24 true" \
	"$(jq -s length $A/vs_best.ndjson) $(jq -s 'all(.p_holm >= .p and .best != .judge)' $A/vs_best.ndjson)"
check "disagreements: 5 per task, largest first" "30 true" \
	"$(grep -c '^| [a-z_]* | [0-9]' $A/disagreements.md) $(grep '^| [a-z_]* | [0-9]' $A/disagreements.md | awk -F' [|] ' '{ if ($1 == p && $3 + 0 > e + 0) bad = 1; p = $1; e = $3 } END { print bad ? "false" : "true" }')"
names=$(grep -o '](\([a-z_]*\.png\))' $A/JUDGES.md | sed 's/](\(.*\))/\1/' | sort)
check "JUDGES.md shows a forest plot per task, each there" "6 " "$(echo "$names" | wc -l) $(for f in $names; do [ -s $A/$f ] || echo $f; done)"
check "JUDGES.md says the judges are fictional" "1" "$(grep -c '^\*\*The judges here are fictional.\*\*' $A/JUDGES.md)"
out=$(make -s -C $EX demo OUT=$A 2>/dev/null)
case $out in *"### diagnostic_reasoning"*"The report, tables and figures together: examples/judges/$A/JUDGES.md"*"every judgement a click away: examples/judges/$A/JUDGES.html") ok "demo prints the leaderboard and names the report and its page";; *) fail "demo output" "$out";; esac

# live against the test server (its fictional judges answer from the
# physicians' grades): the same records as the committed cache replays
persona=(--persona $PT_TOP/examples/data/kb.json --persona-data $PT_TOP/examples/data/combined_dataset.json)
u=$(start_server jlive "${persona[@]}")
export ANTHROPIC_API_KEY=test-key AZURE_OPENAI_API_KEY=test-key
B=$TMPDIR/judgesB
make -s -j4 -C $EX all OFFLINE= URL_HOST=${u%/v1} CACHE=$TMPDIR/jcache1 OUT=$B > /dev/null 2>&1; st=$?
check "a live run against the test server" "0" "$st"
norm() { jq -c 'del(.judges[]?.cached, .judges[]?.latency_ms, .judges[]?.attempts)' "$@"; }
check "a live run gives the same records as the offline one" "$(norm $A/overall_judge_trials/*.ndjson | md5sum)" "$(norm $B/overall_judge_trials/*.ndjson | md5sum)"
for f in agree raters vs_best; do
	cmp -s $A/$f.ndjson $B/$f.ndjson && ok "live: the same $f.ndjson" || fail "live: the same $f.ndjson" "$(diff $A/$f.ndjson $B/$f.ndjson | head -4)"
done

# killed in the middle (SIGKILL to make and every pt-judge), then run again:
# nothing that came back is asked again, everything missing is asked
u=$(start_server jkill "${persona[@]}" --latency 150)
C=$TMPDIR/judgesC
setsid make -s -j3 -C $EX all OFFLINE= URL_HOST=${u%/v1} CACHE=$TMPDIR/jcache2 OUT=$C > /dev/null 2>&1 &
pid=$!
for _ in $(seq 400); do [ "$(grep -c '"POST"' $TMPDIR/jkill.log 2>/dev/null)" -ge 300 ] && break; sleep 0.05; done
kill -KILL -- -$pid; wait $pid 2>/dev/null
sleep 0.3
before=$(grep -c '"POST"' $TMPDIR/jkill.log)
find $TMPDIR/jcache2 -name '*.json' | sed 's|.*/\(..\)/\(.*\)\.json$|\1\2|' | sort > $TMPDIR/jcached
done_files=$(ls $C/overall_judge_trials/*.ndjson 2>/dev/null | wc -l)
[ "$before" -ge 300 ] && [ "$done_files" -lt 24 ] && ok "killed in the middle: $before requests, $done_files of 24 files" ||
	fail "killed in the middle" "requests $before, files $done_files"
make -s -j3 -C $EX all OFFLINE= URL_HOST=${u%/v1} CACHE=$TMPDIR/jcache2 OUT=$C > /dev/null 2>&1; st=$?
check "run again, it finishes" "0" "$st"
after=$(($(grep -c '"POST"' $TMPDIR/jkill.log) - before))
# every request whose reply was not in the cache at the kill is asked once (identical ones of a run once in all), nothing else
missing=$(jq -r '.judges[].request_hash' $C/overall_judge_trials/*.ndjson | sort -u | join -v1 - $TMPDIR/jcached | wc -l)
check "run again, it asks exactly what never came back ($missing requests)" "$missing" "$after"
check "the finished run = an uninterrupted one" "$(norm $A/overall_judge_trials/*.ndjson | md5sum)" "$(norm $C/overall_judge_trials/*.ndjson | md5sum)"
cmp -s $A/agree.ndjson $C/agree.ndjson && ok "killed and run again: the same leaderboard statistics" || fail "killed and run again: the same agree.ndjson"
