#!/bin/bash
# tests/t-resume-prop.sh: --resume keeps each line with its own record
# (issue 25.1): the case found by hand, then the property (tests/resume_prop.py)
# over duplicate requests, random failures, random kills, resumed in place.
# RESUME_CASES sets the number of random cases per tool (make soak runs more).
. "$PT_TOP/tests/lib.sh"
F=$(start_server faulty --faults 500=0.25 --latency 2)
C=$(start_server clean)

# one answer graded by two physicians: a run with no failure, then resumed
jq -cn '{id:"a", benchmark:"r_idea", case_vignette:"c", question_text:"q", response:"[[pt: judge=6]] x", grade:(1,9)}' > $TMPDIR/two.ndjson
pt-judge -m j -u "$C" -k $TMPDIR/two.ndjson > $TMPDIR/two.out 2>/dev/null
pt-judge -m j -u "$C" -k --resume $TMPDIR/two.out -o $TMPDIR/two.out $TMPDIR/two.ndjson 2>$TMPDIR/err; st=$?
check "pt-judge --resume: two graders of one answer keep their grades" "0 1,9 6,6 pt-judge: 2 records written from $TMPDIR/two.out, not judged again" \
	"$st $(jq -r .grade $TMPDIR/two.out | paste -sd,) $(jq -r .predicted_score $TMPDIR/two.out | paste -sd,) $(tail -1 $TMPDIR/err)"
jq -c '{id, grade, messages:[{role:"user", content:"same question"}]}' $TMPDIR/two.ndjson > $TMPDIR/twoi.ndjson
pt-infer -m m -u "$C" -k $TMPDIR/twoi.ndjson > $TMPDIR/twoi.out 2>/dev/null
pt-infer -m m -u "$C" -k --resume $TMPDIR/twoi.out -o $TMPDIR/twoi.out $TMPDIR/twoi.ndjson 2>/dev/null; st=$?
check "pt-infer --resume: two records with one request keep their fields" "0 1,9" \
	"$st $(jq -r .source.grade $TMPDIR/twoi.out | paste -sd,)"

mkdir -p $TMPDIR/prop
n=${RESUME_CASES:-120}
python3 "$PT_TOP/tests/resume_prop.py" infer $n 1 "$F" "$C" $TMPDIR/prop > $TMPDIR/prop.infer & p=$!
python3 "$PT_TOP/tests/resume_prop.py" judge $n 2 "$F" "$C" $TMPDIR/prop
wait $p; cat $TMPDIR/prop.infer
