#!/bin/bash
. "$PT_TOP/tests/lib.sh"
# Differential test: pt-filter 'select(F)' writes exactly what jq -c 'select(F)'
# writes, for a table of filters over the same NDJSON (in jq's compact form,
# so kept records' original bytes and jq's printing coincide).
data=$TMPDIR/diff.ndjson
{ cat recs.ndjson numbers.ndjson; cat <<'J'
{"id":"6","study":"brodeur_b","model":"Med42","grade":0,"tags":["a","b"],"nested":{"x":{"y":[1,2,3]}},"s":"ünïcödé \u2603"}
{"id":"7","study":"other","model":"claude","grade":-2.5,"tags":[],"nested":{"x":null},"s":""}
{"id":"8","grade":1e3,"max_score":"12","rubric":[{"item":"a","points":2},{"item":"b","points":1}]}
J
} | jq -c . > "$data"
n=0
while IFS= read -r f; do
	case $f in ''|'#'*) continue;; esac
	n=$((n + 1))
	want=$(jq -c "select($f)" "$data" 2>$TMPDIR/jq.err); wst=$?
	# (no leak report under ASan: jq 1.6's own index/indices leak 85 bytes,
	# as valgrind shows for the jq binary; pt's leaks are checked elsewhere)
	got=$(ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 pt-filter "select($f)" "$data" 2>$TMPDIR/pt.err); gst=$?
	# what pt-filter's exit status must be: 2 for a program jq cannot compile
	# (its 3), 1 when jq said a record's error (jq 1.6 exits with the last
	# input's status, so its stderr says it), else 0
	if [ $wst = 3 ]; then wst=2; elif [ -s $TMPDIR/jq.err ]; then wst=1; else wst=0; fi
	if [ "$got" = "$want" ] && [ $gst = $wst ] && [ "$(test -s $TMPDIR/pt.err; echo $?)" = "$(test -s $TMPDIR/jq.err; echo $?)" ]; then echo "ok filter-diff $f"; else
		echo "FAIL filter-diff $f (exit $gst, jq's $wst)"; diff <(echo "$want") <(echo "$got") | head -5 | sed 's/^/     /'
		head -2 $TMPDIR/pt.err $TMPDIR/jq.err | sed 's/^/     /'; fi
done <<'F'
true
false
.grade > 10
.grade >= 0
.grade == null
.grade != null
(.grade // 0) < 5
.study | startswith("brodeur")
(.study // "") | startswith("brodeur")
(.study // "") | endswith("_mgmt")
(.study // "") | test("^brodeur")
(.study // "") | test("LAND"; "i")
.model == "gpt-4"
.model | IN("gpt-4", "o1-preview")
[.model] | inside(["gpt-4", "claude"])
.benchmark == "diagnostic_reasoning" and .grade > 12
.benchmark == "cpc_bond" or .grade == 0
.id | tonumber > 3
(.id | tonumber) % 2 == 0
has("rubric")
has("max_score") | not
.rubric | type == "object"
.rubric | type == "array"
(.rubric // {}) | length > 0
.tags | length > 0
(.tags // []) | index("b") != null
.nested.x.y[1] == 2
.nested.x == null
.s | length > 3
(.s // "") | ascii_downcase | contains("ö")
keys | length > 6
to_entries | map(.value) | map(select(type == "number")) | add > 10
.n > 9007199254740990
.x == 0.30000000000000004
.y > 0
.z == 0
(.grade | type) == "number" and (.grade | floor) == .grade
.max_score | numbers > 10
.max_score | strings | tonumber > 10
[paths] | length > 10
any(.tags[]?; . == "a")
all(.tags[]?; . == "a")
.case_id as $c | $c == "c1"
(.grade // 0) as $g | $g * 2 > 20
.id | IN("1", "3", "5", "7")
(.rubric // []) | if type == "array" then map(.points) | add == 3 else false end
F
[ $n -ge 40 ] && echo "ok filter-diff count $n" || echo "FAIL filter-diff only $n filters"

# Many batches through the worker threads: every record, in input order,
# the same with one thread as with several.
python3 $PT_TOP/tests/bench/gen.py 30000 | jq -c . > $TMPDIR/many.ndjson
want=$(jq -c 'select(.study|startswith("brodeur"))' $TMPDIR/many.ndjson | md5sum)
for t in 1 2 3; do
	got=$(pt-filter --threads $t 'select(.study|startswith("brodeur"))' $TMPDIR/many.ndjson | md5sum)
	check "30,000 records, $t thread(s), same as jq" "$want" "$got"
done
check "identity over many batches" "$(md5sum < $TMPDIR/many.ndjson)" "$(pt-filter true $TMPDIR/many.ndjson | md5sum)"
check "--limit across batches" "1234" "$(pt-filter -n 1234 true $TMPDIR/many.ndjson | wc -l)"
check "--distinct across batches" "$(jq -r .case_id $TMPDIR/many.ndjson | sort -u | wc -l)" "$(pt-filter -d .case_id true $TMPDIR/many.ndjson | wc -l)"
