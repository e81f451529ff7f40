#!/bin/sh
# merge.sh ANSWERS N OUT: the outputs of the N tasks of judge-array.sbatch as
# one file, only when every shard is there and together they hold every
# record of ANSWERS exactly once (a task that did not finish leaves its shard
# missing: rerun it with sbatch --array=K judge-array.sbatch ANSWERS N).
set -eu
[ $# -eq 3 ] || { echo "usage: sh merge.sh ANSWERS N OUT" >&2; exit 2; }
in=$1 n=$2 out=$3
missing=
for k in $(seq 0 $((n - 1))); do
	[ -f "shards/graded-$k.ndjson" ] || missing="$missing $k"
done
[ -z "$missing" ] || { echo "merge.sh: shards not done:$missing (rerun each with sbatch --array=K)" >&2; exit 1; }
# every record once: the shards' records less what pt-judge wrote are the input's
strip='del(.judges, .predicted_score, .justification, .judge_n, .judge_sd)'
tmp=$(mktemp "$out.XXXXXX")
trap 'rm -f "$tmp" "$tmp.in" "$tmp.got"' EXIT
pt-filter "$strip" "$in" 2>/dev/null | LC_ALL=C sort > "$tmp.in" || true
for k in $(seq 0 $((n - 1))); do cat "shards/graded-$k.ndjson"; done > "$tmp"
pt-filter "$strip" "$tmp" 2>/dev/null | LC_ALL=C sort > "$tmp.got" || true
if ! cmp -s "$tmp.in" "$tmp.got"; then
	echo "merge.sh: the shards do not hold every record of $in exactly once" \
	    "($(wc -l < "$tmp.got") records in $n shards, $(wc -l < "$tmp.in") in $in; $(LC_ALL=C comm -23 "$tmp.in" "$tmp.got" | wc -l) missing," \
	    "$(LC_ALL=C comm -13 "$tmp.in" "$tmp.got" | wc -l) extra): nothing written" >&2
	exit 1
fi
mv "$tmp" "$out"
