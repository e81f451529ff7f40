#!/bin/bash
# tests/bench/scaling.sh: pt-filter and pt-stats at 1, 2, 4, … threads up
# to the machine's cores, beside DuckDB (from npm, at the same thread
# count) and pyarrow (only if Debian packages it), and the small-input row
# (the whole PrecepTron dataset's size). Writes $W/scaling.md, a section of
# RESULTS.md (run.sh calls it); alone, it prints it. Median of REPS runs.
. "$(dirname "$0")/env.sh"
t1() {   # t1 CMD: the median wall seconds of REPS runs
	for i in $(seq $REPS); do /usr/bin/time -f %e -o $W/scale.t sh -c "$1" > /dev/null 2>&1; cat $W/scale.t; done | sort -n |
		awk -v n=$REPS 'NR == int((n + 1) / 2)'
}
cores=$(nproc)
list=1; t=2; while [ $t -lt $cores ]; do list="$list $t"; t=$((t * 2)); done; [ $cores -gt 1 ] && list="$list $cores"
if [ ! -d $W/node/node_modules/@duckdb/node-api ] && command -v npm >/dev/null; then
	timeout 600 npm install --prefix $W/node --no-audit --no-fund --silent @duckdb/node-api >/dev/null 2>&1
fi
duck=; [ -d $W/node/node_modules/@duckdb/node-api ] && { cp $B/duck_filter.mjs $B/duck_group.mjs $W/node/; duck=1; }
arrow=; $PY -c 'import pyarrow' 2>/dev/null && arrow=1
q='.study|startswith("brodeur")'
{
	echo "## Every core: threads"
	echo
	echo "$N records ($(du -m $W/big.ndjson | cut -f1) MB, page cache, output to /dev/null) on this machine's $cores cores, median of $REPS runs, wall seconds."
	echo "DuckDB $([ -n "$duck" ] && jq -r .version $W/node/node_modules/@duckdb/node-api/package.json || echo '(not installed)') runs with \`SET threads\` to the same count: its filter writes the same records (\`COPY … TO\`), its group-by the summary's numbers."
	[ -n "$arrow" ] || echo "pyarrow: not run — Debian 12 has no python3-pyarrow package, and PyPI is not reachable here."
	echo
	echo "| threads | pt-filter \`${q/|/\\|}\` (native) | DuckDB filter | pt-filter through libjq (\`ascii_upcase\`) | pt-stats summary --by .model | DuckDB group-by | pt-stats agree |"
	echo "|---|---|---|---|---|---|---|"
	for t in $list; do
		f=$(t1 "pt-filter --threads $t '$q' $W/big.ndjson")
		d=—; [ -n "$duck" ] && d=$(t1 "node $W/node/duck_filter.mjs $W/big.ndjson \"starts_with(study, 'brodeur')\" /dev/stdout $t")
		l=$(REPS=1 t1 "pt-filter --threads $t '.study|ascii_upcase|startswith(\"BRODEUR\")' $W/big.ndjson")
		s=$(t1 "pt-stats summary --threads $t --by .model --value .grade -f ndjson $W/big.ndjson")
		g=—; [ -n "$duck" ] && g=$(t1 "node $W/node/duck_group.mjs $W/big.ndjson $t")
		a=$(t1 "pt-stats agree --threads $t -f ndjson $W/big.ndjson")
		echo "| $t | $f s | $d s | $l s | $s s | $g s | $a s |"
	done
	head -5250 $W/big.ndjson > $W/p5250.ndjson
	one=$(REPS=11 t1 "pt-filter --threads 1 '$q' $W/p5250.ndjson")
	def=$(REPS=11 t1 "pt-filter '$q' $W/p5250.ndjson")
	echo
	echo "Small input, 5,250 records (the whole PrecepTron dataset's size), median of 11: pt-filter at the default thread count ($cores) $def s, with \`--threads 1\` $one s (each worker compiles jq only when a record needs it)."
} > $W/scaling.md
cat $W/scaling.md
