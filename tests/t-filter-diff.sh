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
	want=$(jq -c --arg m gpt-4 --argjson g 10 "select($f)" "$data" 2>$TMPDIR/jq.err); wst=$?
	# (no leak report under ASan: jq 1.6's own index/indices leak 85 bytes,
	# as valgrind shows for the jq binary; pt's leaks are checked elsewhere)
	got=$(ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 pt-filter --arg m gpt-4 --argjson g 10 "select($f)" "$data" 2>$TMPDIR/pt.err); gst=$?
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
.s | ascii_downcase | startswith("ün")
.model | ascii_downcase == "gpt-4"
.s | length == 9
.tags | length == 2
.grade | length > 5
.nope | length == 0
has("tags") and (.tags | length) < 2
.study // "none" | endswith("b")
(.grade // 0) > 10 or .model == "claude"
.grade == null | not
.model != "gpt-4" and .grade != null
.max_score == "12"
.max_score > 5
.nested.x.y[0] == 1
.nested.x.y[5] == null
.["study"] == "other"
."model" < "h"
.s | contains("ï")
.s | contains("")
.id >= "5"
.grade < -1
.grade == 1000
.tags == ["a","b"]
.nested == null
.tags[0] == "a"
$m == .model
.model == $m and .grade > $g
select(.grade > 10) | .model == "o1-preview"
.study | startswith($m)
(.study // "") | test("^brod")
(.study // "") | test("LAND"; "i")
(.model // "") | test("4$"; "g")
(.s // "") | test("ö")
(.study // "") | test("[")
(.study // "") | test("a"; "q")
.grade | test("1")
F
[ $n -ge 60 ] && echo "ok filter-diff count $n" || echo "FAIL filter-diff only $n filters"

# Records as they come, not in jq's form: escaped keys, duplicate keys (jq
# keeps the last), escaped strings, numbers as strings, missing and null
# fields, a string where an object was expected. The kept lines must be the
# ones jq selects, byte for byte; natively where --explain says so.
cat > $TMPDIR/raw.ndjson <<'J'
{"st\u0075dy":"brodeur_esc","grade":11}
{"study":"first","study":"brodeur_last","grade":"12"}
{"study":"brodeur_\"q\"","grade":null}
{"study":"other","nested":"text","grade":3}
{"grade":15,"tags":[1,[2,3],{"a":4}],"s":"A\u00e9B"}
{}
{"study":null,"s":"\u0000x"}
J
while IFS= read -r f; do
	case $f in ''|'#'*) continue;; esac
	want=$(jq -c "select($f) | input_line_number" $TMPDIR/raw.ndjson 2>/dev/null | while read -r l; do sed -n "${l}p" $TMPDIR/raw.ndjson; done)
	got=$(ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 pt-filter --arg m brodeur "select($f)" $TMPDIR/raw.ndjson 2>/dev/null)
	how=$(pt-filter --arg m brodeur --explain "select($f)")
	if [ "$got" = "$want" ] && [ "$how" = native ]; then echo "ok filter-raw $f"; else
		echo "FAIL filter-raw $f ($how)"; diff <(echo "$want") <(echo "$got") | head -5 | sed 's/^/     /'; fi
done <<'F'
.study | startswith("brodeur")
.study == "brodeur_last"
(.study // "") | endswith("\"q\"")
.grade > 10
.grade == "12"
.nested.x == null
.s | ascii_downcase | contains("é")
.s | length == 3
.tags | length == 3
has("study") | not
.study == $m
.study | test("^brodeur_[a-z]")
(.s // "") | test("é"; "i")
F

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

# the native path is the one taken: every record of the 30,000 answered from
# its bytes; on the raw records, those jq would raise an error on are left to
# libjq (startswith on a missing or null .study), the rest are native
check "native: 30,000 of 30,000" "pt-filter: 30000 of 30000 records answered natively" \
	"$(PT_FILTER_NATIVE=1 pt-filter 'select(.study|startswith("brodeur"))' $TMPDIR/many.ndjson 2>&1 >/dev/null)"
check "native: raw records, jq's errors left to jq" "raw.ndjson:5: startswith() requires string inputs|raw.ndjson:6: startswith() requires string inputs|raw.ndjson:7: startswith() requires string inputs|4 of 7 records answered natively|3 records failed|" \
	"$(PT_FILTER_NATIVE=1 pt-filter '.study|startswith("brodeur")' $TMPDIR/raw.ndjson 2>&1 >/dev/null | sed "s|^pt-filter: ||; s|$TMPDIR/||" | tr '\n' '|')"
check "--explain names what is not native" "libjq: a function or form pt-filter does not evaluate itself" "$(pt-filter --explain '.study | match("x")')"
check "--explain of a program jq rejects: exit 2" "2" "$(pt-filter --explain '1 +' >/dev/null 2>&1; echo $?)"

# 150 random predicates over the native forms (tests/filter_preds.py, fixed
# seed): every one runs natively and keeps exactly the records jq keeps
python3 $PT_TOP/tests/filter_preds.py 1 150 > $TMPDIR/preds.txt
bad= nat=0
while IFS= read -r f; do
	want=$(jq -c --arg m gpt-4 --argjson g 10 "select($f)" "$data" 2>/dev/null)
	got=$(ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 pt-filter --arg m gpt-4 --argjson g 10 "select($f)" "$data" 2>/dev/null)
	[ "$(pt-filter --arg m gpt-4 --argjson g 10 --explain "select($f)")" = native ] && nat=$((nat + 1))
	[ "$got" = "$want" ] || bad="$bad
$f"
done < $TMPDIR/preds.txt
check "150 random native predicates: all native, all as jq" "150" "$nat$bad"

# What jq 1.6 reserves or rejects (issue 25.10): its own $ENV, $__loc__ and
# $ARGS whatever --arg says; the first of two --arg with one name; numbers
# that do not print back (1e1000, NaN) keep their value on every thread; a
# byte of EXPR that is not UTF-8 reads as U+FFFD. Each as jq keeps, at 1 and
# 3 threads.
printf '{"a":1,"r":"\xef\xbf\xbd"}\n{"a":2,"r":"x"}\n' > $TMPDIR/res.ndjson
while IFS=$'\t' read -r args f; do
	case $args in ''|'#'*) continue;; esac
	eval "set -- $args"
	f=$(printf '%b' "$f")   # (\xff: the byte)
	want=$(jq -c "$@" "select($f)" $TMPDIR/res.ndjson 2>&1)
	for t in 1 3; do
		got=$(ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 pt-filter --threads $t "$@" "select($f)" $TMPDIR/res.ndjson 2>&1)
		check "filter-reserved ($t thread(s)) $args $f" "$want" "$got"
	done
done <<'F'
--arg ENV x	$ENV | type == "object"
--arg ENV x	$ENV == "x"
--arg __loc__ x	$__loc__ == "x"
--arg __loc__ x	$__loc__.line == 1
--arg ARGS x	$ARGS.named.ARGS == "x"
--arg ARGS x	$ARGS == "x"
--arg z z	$ARGS == {"positional": [], "named": {"z": "z"}}
--arg a x --arg a y	$a == "x"
--arg a x --argjson a 2	$a == "x" and $ARGS.named == {"a": "x"}
--argjson x 1e1000	$x == 1e1000
--argjson x 1e1000	.a < $x
--argjson x -1e1000	.a > $x
--argjson x NaN	$x < 1
--argjson x NaN	.a > $x
--argjson x 100000000000000000001	$x == 100000000000000000001
--arg z z	.r == "\xff"
--arg z z	.r == "a\xffb" | not
F
# records jq 1.6 rejects are bad records here too: a lone high surrogate, and
# nesting past its parser's 256 entries (a container one, an object's key one more)
{ printf '{"a":"\\ud800"}\n{"a":"\\ud800x"}\n{"a":"\\udc00"}\n{"a":"\\ud83d\\ude00"}\n'
  python3 -c "print('{\"a\":' * 128 + '1' + '}' * 128); print('{\"a\":' * 129 + '1' + '}' * 129)
print('{\"a\":' + '[' * 254 + ']' * 254 + '}'); print('{\"a\":' + '[' * 255 + ']' * 255 + '}')"; } > $TMPDIR/rej.ndjson
for i in 1 2 3 4 5 6 7 8; do
	sed -n "${i}p" $TMPDIR/rej.ndjson > $TMPDIR/one.ndjson
	jq -c 'true' $TMPDIR/one.ndjson > /dev/null 2>&1; w=$?
	pt-filter 'true' $TMPDIR/one.ndjson > /dev/null 2>&1; g=$?
	check "filter-rejects line $i as jq does (jq exit $w)" "$([ $w = 0 ] && echo 0 || echo 1)" "$g"
done
check "a lone surrogate, said" "pt-filter: $TMPDIR/rej.ndjson:1: invalid JSON: invalid \\uXXXX\\uXXXX surrogate pair escape" \
	"$(pt-filter .a $TMPDIR/rej.ndjson 2>&1 | head -1)"
