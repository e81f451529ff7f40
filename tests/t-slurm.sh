#!/bin/bash
# tests/t-slurm.sh: examples/slurm as Slurm runs it (issue 25.2). Each task
# gets the variables sbatch sets for its form of --array (--array=0-3, a
# rerun of one task --array=2, --array=1-4, --array=0,2,4); a task that fails
# leaves no shard, and merge.sh refuses unless the shards hold every input
# record exactly once.
. "$PT_TOP/tests/lib.sh"
U=$(start_server s)
EX=$PT_TOP/examples/slurm
seq 40 | jq -c '{id: "c\(.)", benchmark: "r_idea", case_vignette: "v", question_text: "q \(.)",
	response: "[[pt: judge=\(. % 11)]] answer \(.)", grade: (. % 7)}' > $TMPDIR/answers.ndjson
export PT_JUDGE_BASE_URL=$U PT_JUDGE_MODEL=j PT_CACHE=$TMPDIR/cache

# sbatch_array SPEC ARGS...: runs judge-array.sbatch once per task of
# --array=SPEC, in the current directory, with Slurm's variables; prints
# "K:STATUS" for each task
sbatch_array() {
	local spec=$1 ids=() k; shift
	for part in ${spec//,/ }; do
		if [[ $part == *-* ]]; then ids+=($(seq ${part%-*} ${part#*-})); else ids+=($part); fi
	done
	local min=$(printf '%s\n' "${ids[@]}" | sort -n | head -1) max=$(printf '%s\n' "${ids[@]}" | sort -n | tail -1)
	for k in "${ids[@]}"; do
		SLURM_ARRAY_JOB_ID=77 SLURM_ARRAY_TASK_ID=$k SLURM_ARRAY_TASK_COUNT=${#ids[@]} \
		SLURM_ARRAY_TASK_MIN=$min SLURM_ARRAY_TASK_MAX=$max SLURM_JOB_ID=$((77 + k)) \
			bash $EX/judge-array.sbatch "$@" > shard-$k.log 2>&1
		printf '%s:%s ' $k $?
	done
	echo
}

mkdir -p $TMPDIR/run && cd $TMPDIR/run
# records but for how each judgement was had (the shards read the cache)
norm() { jq -c 'del(.judges[].latency_ms, .judges[].cached, .judges[].attempts)' "$@" | LC_ALL=C sort | md5sum; }
pt-judge -m j -u $U $TMPDIR/answers.ndjson 2>/dev/null > $TMPDIR/single.ndjson
check "--array=0-3: every task ends 0" "0:0 1:0 2:0 3:0 " "$(sbatch_array 0-3 $TMPDIR/answers.ndjson 4)"
sh $EX/merge.sh $TMPDIR/answers.ndjson 4 graded.ndjson 2>$TMPDIR/err; st=$?
check "merge.sh: the four shards are the single run's records, each once" "0 40 $(norm $TMPDIR/single.ndjson)" \
	"$st $(wc -l < graded.ndjson) $(norm graded.ndjson)"

# the documented recovery: a lost shard rerun alone (SLURM_ARRAY_TASK_COUNT=1)
cp shards/graded-2.ndjson $TMPDIR/g2; rm shards/graded-2.ndjson graded.ndjson
sh $EX/merge.sh $TMPDIR/answers.ndjson 4 graded.ndjson 2>$TMPDIR/err; st=$?
check "merge.sh: a missing shard is named, nothing written" "1 merge.sh: shards not done: 2 (rerun each with sbatch --array=K) no" \
	"$st $(cat $TMPDIR/err) $([ -e graded.ndjson ] && echo yes || echo no)"
check "--array=2 reruns task 2 alone" "2:0 " "$(sbatch_array 2 $TMPDIR/answers.ndjson 4)"
check "the rerun shard is the lost one" "$(md5sum < $TMPDIR/g2)" "$(md5sum < shards/graded-2.ndjson)"
sh $EX/merge.sh $TMPDIR/answers.ndjson 4 graded.ndjson 2>$TMPDIR/err; st=$?
check "merge.sh after the rerun: every record once" "0 40" "$st $(wc -l < graded.ndjson)"

# a shard holding a record twice, or the merge told the wrong N
head -1 shards/graded-0.ndjson >> shards/graded-1.ndjson
sh $EX/merge.sh $TMPDIR/answers.ndjson 4 g2.ndjson 2>$TMPDIR/err; st=$?
check "merge.sh refuses a record twice" "1 merge.sh: the shards do not hold every record of $TMPDIR/answers.ndjson exactly once (41 records in 4 shards, 40 in $TMPDIR/answers.ndjson; 0 missing, 1 extra): nothing written no" \
	"$st $(cat $TMPDIR/err) $([ -e g2.ndjson ] && echo yes || echo no)"
sed -i '$d' shards/graded-1.ndjson
sh $EX/merge.sh $TMPDIR/answers.ndjson 3 g3.ndjson 2>$TMPDIR/err; st=$?
check "merge.sh refuses a wrong N" "1 missing no" \
	"$st $(grep -o 'missing' $TMPDIR/err) $([ -e g3.ndjson ] && echo yes || echo no)"

# --array=1-4 and --array=0,2,4 with N=4 and N=3: the task past N fails, no shard
mkdir -p $TMPDIR/run2 && cd $TMPDIR/run2
check "--array=1-4 with N 4: task 4 fails" "1:0 2:0 3:0 4:2 " "$(sbatch_array 1-4 $TMPDIR/answers.ndjson 4)"
check "the failed task says why, leaves no shard" "pt-filter: --shard K: 4 is out of range (0 to 3)|judge-array: task 4: pt-filter exited 2, pt-judge 0: no shard written no" \
	"$(grep -e '^pt-filter: --shard' -e '^judge-array' shard-4.log | paste -sd'|') $(ls shards/graded-4.ndjson* 2>/dev/null || echo no)"
sh $EX/merge.sh $TMPDIR/answers.ndjson 4 graded.ndjson 2>$TMPDIR/err
check "merge.sh names shard 0" "1 merge.sh: shards not done: 0 (rerun each with sbatch --array=K)" "$? $(cat $TMPDIR/err)"
mkdir -p $TMPDIR/run3 && cd $TMPDIR/run3
check "--array=0,2,4 with N 3" "0:0 2:0 4:2 " "$(sbatch_array 0,2,4 $TMPDIR/answers.ndjson 3)"
sh $EX/merge.sh $TMPDIR/answers.ndjson 3 graded.ndjson 2>$TMPDIR/err
check "merge.sh names shard 1" "1 merge.sh: shards not done: 1 (rerun each with sbatch --array=K)" "$? $(cat $TMPDIR/err)"

# a stage that fails (the input gone) fails the task and writes no shard
mkdir -p $TMPDIR/run4 && cd $TMPDIR/run4
check "a missing input fails the task" "0:2  judge-array: cannot read $TMPDIR/nope.ndjson" "$(sbatch_array 0 $TMPDIR/nope.ndjson 2) $(cat shard-0.log)"
check "no shard, no temporary" "" "$(ls shards 2>/dev/null)"
check "without N: usage, exit 2" "0:2  usage: sbatch --array=0-(N-1) judge-array.sbatch ANSWERS N" \
	"$(sbatch_array 0 $TMPDIR/answers.ndjson) $(cat shard-0.log)"
