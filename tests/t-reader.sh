#!/bin/bash
# The reading thread of pt-stats and pt-plot (rdr_threaded: records are read
# into 1 MB buffers that are handed over whole) must see exactly the records
# and the file:line messages of the plain reader pt-filter uses, whatever falls
# on a buffer's edge: multi-line values, bad lines, CRLF, blank lines, a 3 MB
# record, a BOM, a top-level array, concatenated values, several operands.
. "$PT_TOP/tests/lib.sh"
D=$TMPDIR/reader; mkdir -p $D
python3 - $D <<'PY'
import json, random, sys
d = sys.argv[1]
rnd = random.Random(7)
def rec(i):
    return {"id": i, "g": "g%d" % (i % 7), "v": i % 11, "pad": "x" * rnd.randrange(0, 900)}
with open(d + "/mixed.ndjson", "w", newline="") as f:
    f.write("\ufeff")
    for i in range(12000):
        k = rnd.random()
        r = json.dumps(rec(i), separators=(",", ":"))
        if k < 0.01:
            f.write(json.dumps(rec(i), indent=1) + "\n")   # a value over lines
        elif k < 0.02:
            f.write(r[: rnd.randrange(1, len(r))] + "\n")     # cut short
        elif k < 0.03:
            f.write(r + "\r\n")
        elif k < 0.04:
            f.write("\n  \n")
        elif k < 0.045:
            f.write("[1,2]\n")
        elif k < 0.05:
            f.write(r + " " + r + "\n")                       # two on a line
        else:
            f.write(r + "\n")
        if i == 6000:
            f.write(json.dumps({"id": "big", "g": "big", "v": 1, "pad": "y" * 3000000}) + "\n")
    f.write(json.dumps(rec(99999))[:-1])                       # no newline, truncated
with open(d + "/array.json", "w") as f:
    json.dump([rec(i) for i in range(3000)], f, indent=2)
with open(d + "/concat.json", "w") as f:
    for i in range(3000):
        f.write(json.dumps(rec(i), indent=1))
PY
set -- $D/mixed.ndjson $D/array.json $D/concat.json
pt-filter true "$@" > $D/plain.ndjson 2> $D/plain.err; st1=$?
pt-stats summary --by .g --value .v -f ndjson "$@" > $D/stats.out 2> $D/stats.err; st2=$?
check "threaded reader: exit status as the plain reader's" "1 1" "$st1 $st2"
n=$(grep -c ': invalid JSON\|: not an object' $D/plain.err)
[ "$n" -gt 100 ] && ok "threaded reader: the input has $n bad records" || fail "threaded reader: too few bad records ($n)"
check "threaded reader: the same file:line messages" "$(sed 's/^pt-filter: //' $D/plain.err)" "$(sed 's/^pt-stats: //' $D/stats.err)"
check "threaded reader: the same records" \
	"$(pt-stats summary --by .g --value .v -f ndjson $D/plain.ndjson)" "$(cat $D/stats.out)"
check "threaded reader: every good record counted" "$(wc -l < $D/plain.ndjson)" \
	"$(jq -s 'map(.n) | add' $D/stats.out)"
pt-plot box --by .g --value .v --stats -o $D/p.svg "$@" > $D/plot.out 2> $D/plot.err
check "threaded reader: pt-plot's messages too" "$(sed 's/^pt-filter: //' $D/plain.err)" "$(sed 's/^pt-plot: //' $D/plot.err)"
