#!/bin/sh
# merge.sh N OUT: the outputs of the N tasks of judge-array.sbatch as one file,
# once all N are there (a task that did not finish leaves its shard missing:
# rerun it with sbatch --array=K; its answers already judged come from the cache).
set -eu
n=$1 out=$2
missing=
for k in $(seq 0 $((n - 1))); do
	[ -f "shards/graded-$k.ndjson" ] || missing="$missing $k"
done
[ -z "$missing" ] || { echo "merge.sh: shards not done:$missing" >&2; exit 1; }
for k in $(seq 0 $((n - 1))); do cat "shards/graded-$k.ndjson"; done > "$out"
