#!/bin/sh
# The judge step fanned out with GNU parallel: the input is cut into blocks
# of N records, each judged by its own pt-judge, all sharing one cache
# directory (safe: entries are written to a temporary name and renamed).
# usage: judge-sharded.sh IN OUT [pt-judge options...]
#   e.g. judge-sharded.sh answers.ndjson graded.ndjson -m gpt-5 --cache .pt-cache
# Across machines, add --sshlogin (and put the cache on a shared filesystem):
#   parallel --pipe -N 200 --sshlogin 8/gpu1,8/gpu2 --workdir . pt-judge ...
set -eu
in=$1 out=$2
shift 2
N=${N:-50}
JOBS=${JOBS:-4}
parallel --will-cite --pipe -N "$N" -j "$JOBS" --halt never pt-judge "$@" < "$in" > "$out"
