# tests/bench/env.sh: what run.sh and scaling.sh share (sourced): the paths,
# the tools on PATH, BENCH_N records in $W/big.ndjson, REPS, the Debian python.
set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=$top/tests/bench
W=$B/work
mkdir -p $W
export PATH=$top/bin:$PATH
N=${BENCH_N:-1000000}
REPS=${REPS:-5}
PY=/usr/bin/python3
[ -s $W/big.ndjson ] && [ "$(wc -l < $W/big.ndjson)" = $N ] || $PY $B/gen.py $N 6 > $W/big.ndjson
