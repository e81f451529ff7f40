#!/bin/bash
. "$PT_TOP/tests/lib.sh"
# pt-filter's worker threads: jq 1.6 builtins that are not safe on several
# threads at once (lib/expr.c holds the audit), the batch hand-over under the
# thread sanitizer, and a failed pthread_create.

# 4,096 small records: eight batches, so eight workers start at once.
seq 0 4095 | sed 's/.*/{"a":"x&"}/' > $TMPDIR/tiny.ndjson
want=$(md5sum < $TMPDIR/tiny.ndjson)

# 1. Oniguruma initialises itself on the first regex; two threads doing that at
# once crashed ("double free or corruption", ~1 run in 10 here before the fix).
# Every worker waits for a common instant, then compiles its first regex.
f=0
for i in $(seq 30); do
	t=$(date +%s.%N | awk '{ printf "%.3f", $1 + 0.08 }')
	got=$(pt-filter --threads 8 --argjson t "$t" \
	    'first(range(1e9) | select(now >= $t)) as $w | .a | test("X"; "i")' $TMPDIR/tiny.ndjson 2>$TMPDIR/err | md5sum)
	st=${PIPESTATUS[0]}
	[ "$st" = 0 ] && [ "$got" = "$want" ] && [ ! -s $TMPDIR/err ] || { f=$((f + 1)); echo "run $i: exit $st $(head -c 200 $TMPDIR/err)"; }
done > $TMPDIR/runs
check "regex on 8 threads starting together: 30 runs, none failed" 0 "$f"
[ "$f" = 0 ] || cat $TMPDIR/runs | head -5

# 2. Programs run on one thread: debug's messages then come in input order.
seq 1 3000 | sed 's/.*/{"n":&}/' > $TMPDIR/n.ndjson
pt-filter --threads 8 '.n | debug | . > 0' $TMPDIR/n.ndjson 2>$TMPDIR/dbg | wc -l > $TMPDIR/cnt
check "debug on --threads 8: every record" 3000 "$(tr -d ' ' < $TMPDIR/cnt)"
check "debug on --threads 8: messages in input order" "$(seq 1 3000 | sed 's/.*/["DEBUG:",&]/' | md5sum)" "$(md5sum < $TMPDIR/dbg)"
check "dates on --threads 8: same as jq" "$(jq -c 'select(.n | todate | endswith("Z"))' $TMPDIR/n.ndjson | md5sum)" \
	"$(pt-filter --threads 8 '.n | todate | endswith("Z")' $TMPDIR/n.ndjson | md5sum)"

# 3. A failed pthread_create: pt-filter runs the batches itself, and the
# reading thread of pt-stats falls back to the plain reader.
asan=$(ldd "$PT_TOP/bin/pt-filter" | grep -c libasan)
if [ "$asan" = 0 ] && cc -shared -fPIC -o $TMPDIR/nothreads.so -x c - <<'C' 2>/dev/null
#include <errno.h>
#include <pthread.h>
int pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*f)(void *), void *arg) { return EAGAIN; }
C
then
	got=$(LD_PRELOAD=$TMPDIR/nothreads.so pt-filter --threads 8 '.a | test("x")' $TMPDIR/tiny.ndjson | md5sum)
	check "pt-filter with no threads to be had: every record" "$want" "$got"
	got=$(LD_PRELOAD=$TMPDIR/nothreads.so timeout 20 pt-stats summary --value .n --format tsv < $TMPDIR/n.ndjson | cut -f1-4)
	check "pt-stats with no reading thread: every record" "$(printf 'n\tn_missing\tmean\tsd\n3000\t0\t1500.5\t866.1697293256096')" "$got"
else
	echo "skip no-thread fallback (sanitizer build)"
fi

# 4. The threaded path under the thread sanitizer, a few hundred runs of
# programs with regular expressions (not in the sanitizer pass of CI: ASan
# and TSan do not mix).
if [ "$asan" = 0 ] && cc -D_GNU_SOURCE -I"$PT_TOP/lib" $(pkg-config --cflags libcurl libcjson cairo libpng fontconfig gsl libcrypto) -O1 -g -std=c11 \
	-fsanitize=thread -o $TMPDIR/pt-filter-tsan "$PT_TOP/src/pt-filter.c" "$PT_TOP"/lib/*.c \
	-ljq -lonig -lcjson -lcurl -lcrypto -lgsl -lgslcblas -lcairo -lpng16 -lfontconfig -lpthread -lm 2>$TMPDIR/cc.err; then
	head -2048 $TMPDIR/tiny.ndjson > $TMPDIR/t2k.ndjson
	progs=('.a | test("X"; "i")' '.a | sub("x"; "y") | startswith("y")' '(.a | split("[0-9]"; null) | length) > 1'
	    '.a | capture("x(?<d>[0-9]+)").d | length > 0' 'select(.a | test("5$")) | {a}')
	f=0 runs=0
	for i in $(seq 40); do
		for p in "${progs[@]}"; do
			runs=$((runs + 1))
			d=.a; [ $((runs % 5)) = 0 ] && d='.a | ascii_downcase | test("x[0-3]")'
			TSAN_OPTIONS=exitcode=66 PT_BLOCK_BYTES=$((500 + runs * 37 % 3000)) $TMPDIR/pt-filter-tsan --threads 4 -d "$d" "$p" \
			    $TMPDIR/t2k.ndjson >/dev/null 2>$TMPDIR/tsan.err
			st=$?
			[ "$st" = 0 ] || [ "$st" = 1 ] && ! grep -q ThreadSanitizer $TMPDIR/tsan.err || { f=$((f + 1)); head -30 $TMPDIR/tsan.err > $TMPDIR/tsan.first; }
		done
	done
	check "thread sanitizer: $runs runs of regex programs on 4 threads in small blocks, no report" 0 "$f"
	[ "$f" = 0 ] || cat $TMPDIR/tsan.first
	# pt-stats reading on 4 threads, with records across lines and bad lines
	# (read on the main thread while the workers go on), against one thread
	if cc -D_GNU_SOURCE -I"$PT_TOP/lib" $(pkg-config --cflags libcurl libcjson cairo libpng fontconfig gsl libcrypto) -O1 -g -std=c11 \
		-fsanitize=thread -o $TMPDIR/pt-stats-tsan "$PT_TOP/src/pt-stats.c" "$PT_TOP"/lib/*.c \
		-ljq -lonig -lcjson -lcurl -lcrypto -lgsl -lgslcblas -lcairo -lpng16 -lfontconfig -lpthread -lm 2>$TMPDIR/cc.err; then
		for i in $(seq 0 2999); do
			case $((i % 97)) in
			13) printf '{"g":"g%d",\n "t":%d, "p":%d}\n' $((i % 3)) $((i % 7)) $((i % 5));;
			41) echo 'not json';;
			*) printf '{"g":"g%d","t":%d,"p":%d}\n' $((i % 3)) $((i % 7)) $((i % 5));;
			esac
		done > $TMPDIR/st3k.ndjson
		f=0
		for b in 700 1500 4000 9000; do
			for verb in "summary --by .g --value .t" "agree --by .g --truth .t --pred '.p | tostring | tonumber'"; do
				want=$(eval pt-stats $verb --threads 1 -f ndjson $TMPDIR/st3k.ndjson 2>&1)
				got=$(eval TSAN_OPTIONS=exitcode=66 PT_BLOCK_BYTES=$b $TMPDIR/pt-stats-tsan $verb --threads 4 -f ndjson $TMPDIR/st3k.ndjson 2>&1 | sed "s/^pt-stats-tsan:/pt-stats:/")
				[ "$got" = "$want" ] || { f=$((f + 1)); echo "$got" | head -30 > $TMPDIR/tsan.first; }
			done
		done
		check "thread sanitizer: pt-stats on 4 threads in small blocks = one thread, no report" 0 "$f"
		[ "$f" = 0 ] || cat $TMPDIR/tsan.first
	fi
else
	echo "skip thread sanitizer stress (sanitizer build or no TSan: $(head -c 200 $TMPDIR/cc.err 2>/dev/null))"
fi
