#!/bin/bash
# tests/fuzz/run.sh [TARGET...]: `make fuzz` (all targets). Builds the library and each target with
# clang's libFuzzer, ASan and UBSan, and runs each target for FUZZ_TIME
# seconds (default 600) from its seed corpus (tests/fuzz/corpus/NAME; new
# inputs go to tests/fuzz/work/NAME). A crash stops with its input saved.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
F=$top/tests/fuzz
W=$F/work
T=${FUZZ_TIME:-600}
command -v clang >/dev/null || { echo "make fuzz needs clang and libclang-rt-14-dev (apt-get install clang libclang-rt-14-dev)"; exit 1; }
B=$W/build.$$
mkdir -p $B
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -g -O1"
INC="-D_GNU_SOURCE -I$top/lib $(pkg-config --cflags libcurl libcjson cairo libpng fontconfig gsl libcrypto 2>/dev/null)"
LIBS="-ljq -lonig -lcjson -lcurl -lcrypto -lgsl -lgslcblas -lcairo -lpng16 -lfontconfig -lpthread -lm"
objs=
for c in $top/lib/*.c; do
	o=$B/$(basename $c .c).o
	clang $INC $SAN -fsanitize=fuzzer-no-link -c -o $o $c || exit 1
	objs="$objs $o"
done
rc=0
for t in ${*:-reader number judge http template}; do
	clang $INC $SAN -fsanitize=fuzzer -o $B/fuzz_$t $F/fuzz_$t.c $objs $LIBS || exit 1
	mkdir -p $W/$t
	echo "== fuzz_$t, $T s"
	(cd $W && $B/fuzz_$t -max_total_time=$T -max_len=65536 -print_final_stats=1 $W/$t $F/corpus/$t 2>&1 |
		grep -E "^#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss|cov:|ERROR|SUMMARY|Test unit written" | tail -4) || rc=1
	ls $W/crash-* $W/leak-* 2>/dev/null && rc=1
done
exit $rc
