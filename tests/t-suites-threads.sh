#!/bin/bash
# The filter and stats suites again at 1 and 7 threads (the main pass runs
# at the machine's count) and the quick ones at 2, in small blocks
# (PT_BLOCK_BYTES) so that records, bad lines and values across lines fall
# on block boundaries: the same output, messages and exit status.
. "$PT_TOP/tests/lib.sh"
run() {
	local n=$1 bytes=$2; shift 2
	out=$(PT_THREADS=$n PT_BLOCK_BYTES=$bytes bash "$PT_TOP/tests/run.sh" "$@" 2>&1)
	check "$* at $n threads, $bytes-byte blocks: $(echo "$out" | tail -1)" "0 failed" "$(echo "$out" | tail -1 | sed 's/.*, //')"
	[ "$(echo "$out" | tail -1 | sed 's/.*, //')" = "0 failed" ] || echo "$out" | grep -A5 '^FAIL' | head -20
}
run 1 1048576 pt-filter filter-diff pt-stats stats stats-ref bad-input reader
run 7 300 pt-filter filter-diff pt-stats stats stats-ref bad-input reader
run 2 4096 pt-filter pt-stats stats stats-ref reader
