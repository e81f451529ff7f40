#!/bin/bash
# tests/t-pressure.sh: under pressure (issue 35.2-4). -k behind a stalled
# request holds bounded memory (later answers wait on a temporary file that
# is gone at the end); a cache that fails every write is said once and
# counted in the totals; a second run on a file another run writes (-o)
# refuses at once, naming it, and sends nothing.
. "$PT_TOP/tests/lib.sh"
U=$(start_server pressure)
LOG=$TMPDIR/pressure.log
asan=$(ldd "$PT_TOP/bin/pt-infer" | grep -c libasan)

# --- -k behind a stalled request: the first record answered after 5 s while
# 4,000 records of 10 KB each are answered (held in memory, 40 MB and more)
{ msgs "[[pt: delay=5000]] head"; python3 -c '
import json
for i in range(4000): print(json.dumps({"id": str(i), "pad": "x" * 10000, "messages": [{"role": "user", "content": "q %d" % i}]}))'
} > $TMPDIR/pressure-stall.ndjson
jq -r .id $TMPDIR/pressure-stall.ndjson > $TMPDIR/pressure-stall.ids
m=$(rss sh -c "pt-infer -m m -u $U -j 64 -k $TMPDIR/pressure-stall.ndjson > $TMPDIR/pressure-stall.out 2>$TMPDIR/pressure-stall.err; echo \$? > $TMPDIR/pressure-stall.st")
check "-k behind a stalled request: exit 0, every record once, in input order, answered" "0 4001 same 4001" \
	"$(cat $TMPDIR/pressure-stall.st) $(wc -l < $TMPDIR/pressure-stall.out) $(jq -r .id $TMPDIR/pressure-stall.out | cmp -s - $TMPDIR/pressure-stall.ids && echo same) $(grep -c '"status":"ok"' $TMPDIR/pressure-stall.out)"
check "-k: the temporary file is gone" "" "$(ls $TMPDIR | grep pt-order)"
if [ "$asan" = 0 ]; then
	[ "$m" -lt 40 ] && ok "-k behind a stalled request: peak RSS $m MB (under 40; 60 when every answer was held)" ||
		fail "-k behind a stalled request: peak RSS" "$m MB"
else
	echo "skip -k peak RSS (AddressSanitizer keeps freed memory)"
fi
# no temporary file to be had: said once, the answers held in memory, nothing lost
TMPDIR=$TMPDIR/pressure-none pt-infer -m m -u $U -j 64 -k $TMPDIR/pressure-stall.ndjson > $TMPDIR/pressure-stall.out 2>$TMPDIR/pressure-stall.err; st=$?
check "-k with no temporary file to be had: said once, every record in order" \
	"0 1 pt-infer: -k: a temporary file in $TMPDIR/pressure-none: No such file or directory; the answers waiting for an earlier one are held in memory same" \
	"$st $(grep -c -- -k: $TMPDIR/pressure-stall.err) $(grep -- -k: $TMPDIR/pressure-stall.err) $(jq -r .id $TMPDIR/pressure-stall.out | cmp -s - $TMPDIR/pressure-stall.ids && echo same)"

# --- a cache that cannot keep anything (a file where its folder should be):
# said once, counted in the totals, every record still answered
msgsn c 20 > $TMPDIR/pressure-c.ndjson
: > $TMPDIR/pressure-notadir
pt-infer -m m -u $U --cache $TMPDIR/pressure-notadir/c $TMPDIR/pressure-c.ndjson > $TMPDIR/pressure-c.out 2>$TMPDIR/pressure-c.err; st=$?
check "a cache that keeps nothing: said once, counted, every record ok" \
	"0 20 2 pt-infer: cache $TMPDIR/pressure-notadir/c: Not a directory; answers are not cached (counted in the totals)
pt-infer: 20 answers not cached: cache $TMPDIR/pressure-notadir/c: Not a directory" \
	"$st $(grep -c '"status":"ok"' $TMPDIR/pressure-c.out) $(grep -c "cache $TMPDIR" $TMPDIR/pressure-c.err) $(grep "cache $TMPDIR" $TMPDIR/pressure-c.err)"

# --- two runs on one output: the second refuses at once (exit 2), naming the
# first, and asks nothing; the first finishes; the lock is gone after it
msgsn r 4 "[[pt: delay=2000]]" > $TMPDIR/pressure-r.ndjson
: > $LOG
pt-infer -m m -u $U -j 4 --resume $TMPDIR/pressure-r.out -o $TMPDIR/pressure-r.out $TMPDIR/pressure-r.ndjson 2>/dev/null & first=$!
for _ in $(seq 100); do [ -s $TMPDIR/pressure-r.out.lock ] && break; sleep 0.02; done
pt-infer -m m -u $U -j 4 --resume $TMPDIR/pressure-r.out -o $TMPDIR/pressure-r.out $TMPDIR/pressure-r.ndjson > $TMPDIR/pressure-r2.out 2>$TMPDIR/pressure-r2.err; st=$?
wait $first; st1=$?
check "a second run on the same -o: exit 2, the first named, nothing asked twice" \
	"2 pt-infer: -o $TMPDIR/pressure-r.out: another run (pid $first) is writing it; wait for it to end, or write elsewhere 4" \
	"$st $(cat $TMPDIR/pressure-r2.err) $(wc -l < $LOG)"
check "the first run finishes; no lock left" "0 4 ok 4 0" \
	"$st1 $(wc -l < $TMPDIR/pressure-r.out) $(jq -r .infer.status $TMPDIR/pressure-r.out | uniq -c | awk '{ print $2, $1 }') $(ls $TMPDIR | grep -c 'r.out.lock')"
pt-infer -m m -u $U --resume $TMPDIR/pressure-r.out -o $TMPDIR/pressure-r.out $TMPDIR/pressure-r.ndjson 2>$TMPDIR/pressure-r3.err; st=$?
check "then the same command again: nothing asked, every line kept" "0 4 4" "$st $(wc -l < $LOG) $(wc -l < $TMPDIR/pressure-r.out)"
