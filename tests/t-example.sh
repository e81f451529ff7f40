#!/bin/bash
# The offline example end to end (examples/brodeur), reproducibility, and the
# GNU parallel scale-out giving the same records as one run.
. "$PT_TOP/tests/lib.sh"
EX=$PT_TOP/examples/brodeur
A=$TMPDIR/exA B=$TMPDIR/exB
make -s -C $EX all OUT=$A > /dev/null 2> $TMPDIR/ex.err; st=$?
check "example runs offline" "0" "$st"
check "records" "80 96 20 24 20 24 80 96" \
	"$(for f in brodeur_dx brodeur_mgmt med42_dx med42_mgmt med42_dx_graded med42_mgmt_graded judged_dx judged_mgmt; do wc -l < $A/$f.ndjson; done | tr '\n' ' ' | sed 's/ $//')"
check "every answer from the cache" "true" "$(cat $A/med42_*.ndjson | jq -s 'all(.infer.status == "ok" and .infer.cached)')"
check "every record scored" "true" "$(cat $A/med42_*_graded.ndjson $A/judged_*.ndjson | jq -s 'all(.predicted_score | type == "number")')"
check "no physician grade on the new model's answers" "true" "$(cat $A/med42_*_graded.ndjson | jq -s 'all(has("grade") | not) and all(.source | has("grade"))')"
check "summary rows" "o1-preview|gpt-4|physicians_conventional|physicians_gpt4|Med42-8B (autograded)|" \
	"$(tail -n +2 $A/dx_summary.txt | sed 's/  .*//' | tr '\n' '|')"
check "agreement fields" "2 true" "$(jq -s 'length' $A/judge_agreement.ndjson) $(jq -s 'all(has("mae") and has("pearson_r") and has("pearson_p") and has("qwk_ci_low") and (.n > 0))' $A/judge_agreement.ndjson)"
check "compare rows" "4" "$(tail -n +2 $A/mgmt_compare.txt | wc -l)"
# the report: every figure it names is there, its first table is the same-instrument paired comparison
names=$(grep -o '](\([a-z_]*\.png\))' $A/REPORT.md | sed 's/](\(.*\))/\1/' | sort)
check "REPORT.md names 8 figures" "8" "$(echo "$names" | wc -l)"
missing=$(for f in $names; do [ -s $A/$f ] || echo $f; done)
check "every figure REPORT.md names exists" "" "$missing"
check "REPORT.md's first table: the paired comparison on judge scores" \
	"| model | benchmark | n_pairs | n_unpaired | mean_diff | median_diff | ci_low | ci_high | w | p | p_holm | effect |" \
	"$(grep -m1 '^| ' $A/REPORT.md)"
check "paired rows: 4 arms x 2 benchmarks, every pair found" "8 true" \
	"$(jq -s 'length' $A/paired_judge.ndjson) $(jq -s 'all(.n_unpaired == 0 and .n_pairs >= 20)' $A/paired_judge.ndjson)"
check "raters: both benchmarks, 3 physicians and the judge tested" "diagnostic_reasoning 3 3|management_reasoning 3 3|" \
	"$(pt-stats raters --by .benchmark --item .item --rater .grader --value .score --candidate-value .judge -f ndjson $A/raters.ndjson | jq -r '"\(.benchmark) \(.n_raters) \(.alt_raters)"' | tr '\n' '|')"
check "REPORT.md shows the alternative annotator test and the PPI estimate" "2 2" \
	"$(grep -c '^| [a-z_]* | interval | ' $A/REPORT.md) $(grep -c '^| [a-z_]*_reasoning | [0-9]* | [0-9]* | 0 | ' $A/ppi.md)"
for f in dx_box mgmt_box judge_dx_scatter judge_dx_bland_altman judge_mgmt_scatter instruments_dx_box; do
	check "figure $f.png is 1500x900" "1500x900" "$(python3 -c "import struct,sys; print('%dx%d' % struct.unpack('>II', open(sys.argv[1],'rb').read(24)[16:24]))" $A/$f.png)"
done
make -s -B -C $EX all OUT=$B > /dev/null 2>&1
diff -r $A $B > /dev/null && ok "make -B writes identical files" || fail "make -B writes identical files" "$(diff -rq $A $B)"
# examples/brodeur/out is committed for readers (and named by README and pt-plot(1)): it must be what the example makes now
diff -r $A $EX/out > /dev/null && ok "the committed examples/brodeur/out is current" || fail "the committed examples/brodeur/out is current (make -C examples/brodeur, then commit)" "$(diff -rq $A $EX/out)"
out=$(make -s -C $EX demo OUT=$A 2>/dev/null)
case $out in *"Files written:"*judge_mgmt_scatter.png*"The report, tables and figures together: examples/brodeur/$A/REPORT.md"*"every graded answer a click away: examples/brodeur/$A/REPORT.html") ok "demo prints the tables, the files and where the report and its page are";; *) fail "demo output" "$out";; esac

# scale-out: the judge step sharded with GNU parallel over one cache = one run
if command -v parallel >/dev/null; then
	PATH=$PT_TOP/bin:$PATH N=7 JOBS=3 sh $PT_TOP/examples/parallel/judge-sharded.sh $A/med42_mgmt.ndjson $TMPDIR/sharded.ndjson \
		-m gpt-5 --offline --cache $EX/cache --no-progress 2>/dev/null
	check "sharded judge = single run (same set of records)" "$(sort $A/med42_mgmt_graded.ndjson | md5sum)" "$(sort $TMPDIR/sharded.ndjson | md5sum)"
else
	fail "GNU parallel is not installed (tests/deps.sh installs it)"
fi

# Slurm-style array: 4 shards by id, judged as separate processes on one
# cache, are one run's records, each once; invalid records only in shard 0
for k in 0 1 2 3; do
	pt-filter --shard $k/4 true $A/med42_mgmt.ndjson | pt-judge -m gpt-5 --offline --cache $EX/cache --no-progress > $TMPDIR/shard-$k.ndjson 2>/dev/null
done
check "4 shards judged apart = one run (same records, each once)" "$(sort $A/med42_mgmt_graded.ndjson | md5sum)" "$(cat $TMPDIR/shard-*.ndjson | sort | md5sum)"
check "every shard takes some" "0" "$(for k in 0 1 2 3; do [ -s $TMPDIR/shard-$k.ndjson ] || echo $k; done | wc -l)"
printf '{"id":"a"}\nnot json\n{"id":"b"}\n[1]\n' > $TMPDIR/bad.ndjson
check "a record without a key is shard 0's" "2 0 0" "$(for k in 0 1 2; do pt-filter --shard $k/3 true $TMPDIR/bad.ndjson 2>&1 >/dev/null | grep -c ':[24]: '; done | tr '\n' ' ' | sed 's/ $//')"
pt-filter --shard 3/3 true $TMPDIR/bad.ndjson 2>$TMPDIR/err; check "--shard K must be below N" "2 pt-filter: --shard K: 3 is out of range (0 to 2)" "$? $(head -1 $TMPDIR/err)"
