#!/bin/bash
# pt-stats behaviour beyond the reference values: bootstrap, fast path = jq,
# formats, missing values, errors.
. "$PT_TOP/tests/lib.sh"
D=$TMPDIR/sd
python3 $PT_TOP/tests/stats/gen_data.py $D
H=$D/half_points.ndjson

# --- bootstrap: same seed, same numbers; other seeds agree within Monte-Carlo error
a=$(pt-stats agree --by .g --truth .truth --pred .pred --boot 400 --cluster .c --seed 7 -f ndjson $H)
b=$(pt-stats agree --by .g --truth .truth --pred .pred --boot 400 --cluster .c --seed 7 -f ndjson $H)
c=$(pt-stats agree --by .g --truth .truth --pred .pred --boot 400 --cluster .c --seed 8 -f ndjson $H)
check "bootstrap: same seed, same bytes" "$a" "$b"
[ "$a" != "$c" ] && ok "bootstrap: another seed, other draws" || fail "bootstrap: seeds"
jq -s -e --argjson c "$(echo "$c" | jq -s .)" '
	[range(length) as $i | .[$i] as $x | $c[$i] as $y |
	 ["mae","pearson_r","spearman_rho","qwk"][] as $k |
	 (($x[$k+"_ci_high"] - $x[$k+"_ci_low"]) as $w | ($x[$k+"_ci_low"] - $y[$k+"_ci_low"]) | fabs <= 0.25 * $w)] | all' \
	<<< "$a" >/dev/null && ok "bootstrap: seeds agree within a quarter of the CI width" || fail "bootstrap MC" "$a
$c"
jq -s -e 'all(.[]; .mae_ci_low <= .mae and .mae <= .mae_ci_high and .qwk_ci_low <= .qwk and .qwk <= .qwk_ci_high)' <<< "$a" >/dev/null \
	&& ok "bootstrap: CIs hold the estimate" || fail "bootstrap: CIs hold the estimate" "$a"
s=$(pt-stats summary --by .g --value .v --boot 1000 --seed 1 -f ndjson $H | jq -c '[.ci_low, .mean, .ci_high]')
t=$(pt-stats summary --by .g --value .v -f ndjson $H | jq -c '[.ci_low, .mean, .ci_high]')
jq -e -n --argjson s "$(echo "$s" | jq -s .)" --argjson t "$(echo "$t" | jq -s .)" \
	'[range($s|length) as $i | (($s[$i][0] - $t[$i][0])|fabs) < 0.15 * ($t[$i][2] - $t[$i][0])] | all' >/dev/null \
	&& ok "bootstrap CI of the mean near the t interval" || fail "bootstrap vs t" "$s
$t"
w1=$(pt-stats summary --value .v --boot 500 --seed 1 -f ndjson $H | jq '.ci_high - .ci_low')
w2=$(pt-stats summary --value .v --boot 500 --seed 1 --cluster .c -f ndjson $H | jq '.ci_high - .ci_low')
jq -en "$w2 > $w1" >/dev/null && ok "clustered bootstrap is wider ($w1 < $w2)" || fail "cluster width" "$w1 vs $w2"

# --- the fast field path gives what jq gives
for f in ties missing half_points; do
	x=$(pt-stats agree --by .g --truth .truth --pred .pred -f ndjson $D/$f.ndjson 2>&1)
	y=$(pt-stats agree --by 'g=(.g|.)' --truth '.truth|.' --pred '(.pred)' -f ndjson $D/$f.ndjson 2>&1)
	check "fast path = jq ($f)" "$x" "$y"
done

# --- formats
f=$D/sizes.ndjson
check "table" "g        n  n_missing   mean     sd      se  median  q1    q3  min  max  ci_low  ci_high
tiny     3          0  1.333  1.155  0.6667       2   1     2    0    2  -1.535    4.202
mid     30          0    4.7  2.437   0.445     4.5   3  6.75    0   10    3.79     5.61
large  300          0   5.08  3.134  0.1809       5   2     8    0   10   4.724    5.436" "$(pt-stats summary --by .g --value .v -f table $f)"
check "csv" "g,n,n_missing,mean,sd,se,median,q1,q3,min,max,ci_low,ci_high
tiny,3,0,1.3333333333333333,1.1547005383792515,0.6666666666666666,2,1,2,0,2,-1.5351018198329747,4.201768486499641" \
	"$(pt-stats summary --by .g --value .v -f csv $f | head -2)"
check "tsv and NA" "$(printf 'n\tn_missing\tmean\tsd\tse\tmedian\tq1\tq3\tmin\tmax\tci_low\tci_high\n1\t0\t4\tNA\tNA\t4\t4\t4\t4\t4\tNA\tNA')" \
	"$(pt-stats summary --value .v -f tsv $D/n1.ndjson)"
check "csv quoting" '"a,b",1' "$(echo '{"m":"a,b","grade":1}' | pt-stats summary --by .m -f csv | tail -1 | cut -d, -f1-3)"
check "--sort and NAME=" '["large","mid","tiny"] ["who"]' \
	"$(pt-stats summary --by who=.g --value .v --sort -f ndjson $f | jq -s -c 'map(.who)') $(pt-stats summary --by who=.g --value .v -f ndjson $f | head -1 | jq -c 'keys_unsorted[:1]')"
check "two --by" '["g","c","n"] 14' "$(pt-stats summary --by .g --by .c --value .v -f ndjson $D/negative_fractional.ndjson | head -1 | jq -c 'keys_unsorted[:3]') $(pt-stats summary --by .g --by .c --value .v -f ndjson $D/negative_fractional.ndjson | wc -l)"
check "non-path key named by its text" '[".g|ascii_downcase"]' "$(pt-stats summary --by '.g|ascii_downcase' --value .v -f ndjson $f | head -1 | jq -c 'keys_unsorted[:1]')"
check "compare fields" '["g","n","n_missing","median","ref_n","ref_median","diff_median","u","p","p_holm","cliffs_delta"]' \
	"$(pt-stats compare --by .g --value .v --ref tiny -f ndjson $f | head -1 | jq -c keys_unsorted)"
check "agree fields with --boot" '["n","n_missing","mae","mae_ci_low","mae_ci_high","rmse","bias","pearson_r","pearson_r_ci_low","pearson_r_ci_high","pearson_p","spearman_rho","spearman_rho_ci_low","spearman_rho_ci_high","spearman_p","kendall_tau","kendall_p","ccc","icc","qwk","qwk_ci_low","qwk_ci_high","exact","within1","loa_low","loa_high"]' \
	"$(pt-stats agree --truth .truth --pred .pred --boot 10 -f ndjson $f | jq -c keys_unsorted)"

# --- missing values are counted, reported, never dropped
pt-stats agree --truth .truth --pred .pred -f ndjson $D/missing.ndjson > $TMPDIR/o 2> $TMPDIR/e; st=$?
check "missing counted" "30 $(jq -s '[.[] | select((.truth|type)=="number" and (.pred|type)=="number")] | length' $D/missing.ndjson) exit 0" \
	"$(jq '.n + .n_missing' $TMPDIR/o) $(jq .n $TMPDIR/o) exit $st"
check "missing reported" "pt-stats: $(jq '.n_missing' $TMPDIR/o) records with a missing or non-numeric value (counted in n_missing)" "$(cat $TMPDIR/e)"
# --- a group is the value as jq prints it, however a record spells it (fast path = jq path)
printf '{"g":"a\\u002db","v":1}\n{"g":"a-b","v":2}\n{"g":1.0,"v":3}\n{"g":1,"v":4}\n{"g":1e0,"v":5}\n{"g":[1, 2],"v":7}\n{"g":[1,2],"v":8}\n{"g":12345678901234567890,"v":9}\n' > $TMPDIR/spell.ndjson
check "group keys as jq prints them" '"a-b" 2
1 3
[1,2] 2
12345678901234567000 1' "$(pt-stats summary --by .g --value .v -f ndjson $TMPDIR/spell.ndjson | jq -r '"\(.g|tojson) \(.n)"')"
check "fast path groups = jq path groups" "$(pt-stats summary --by '.g|.' --value .v -f tsv $TMPDIR/spell.ndjson | tail -n +2)" \
	"$(pt-stats summary --by .g --value .v -f tsv $TMPDIR/spell.ndjson | tail -n +2)"
check "pt-plot draws the same groups" "a-b 1 [1,2] 12345678901234567000" \
	"$(pt-plot box --by .g --value .v --stats -o $TMPDIR/spell.svg $TMPDIR/spell.ndjson | jq -r .label | tr '\n' ' ' | sed 's/ $//')"

# out of memory is its own exit status, said in one line (not under ASan,
# which needs more address space than the limit leaves)
if [ "$(ldd "$PT_TOP/bin/pt-stats" | grep -c libasan)" = 0 ]; then
	seq 3000000 | sed 's/.*/{"grade":&}/' > $TMPDIR/oom.ndjson
	(ulimit -v 60000; pt-stats summary -f ndjson $TMPDIR/oom.ndjson > $TMPDIR/oom.out 2> $TMPDIR/oom.err); st=$?
	check "out of memory: exit 4, one line, no partial output" "4 pt-stats: out of memory 0" "$st $(cat $TMPDIR/oom.err) $(wc -c < $TMPDIR/oom.out)"
	# seven workers running out together say it once, whole (they wrote "pt-statspt-stats: out of memory")
	for i in 1 2 3 4 5; do
		(ulimit -v 60000; pt-stats summary --threads 7 -f ndjson $TMPDIR/oom.ndjson > /dev/null 2> $TMPDIR/oom.err); echo "$? $(cat $TMPDIR/oom.err)"
	done > $TMPDIR/oom7
	check "out of memory on 7 threads: said once, whole (5 runs)" "5 4 pt-stats: out of memory" "$(sort $TMPDIR/oom7 | uniq -c | sed 's/^ *//')"
fi

# the alternative annotator test on constructed raters: 4 physicians, 60 items;
# the mean of the physicians passes, a constant fails, and epsilon moves a
# middling judge from failing to passing
python3 -c "
import json, random
R = random.Random(7)
for i in range(60):
    t = R.uniform(0, 10)
    vals = [round(t + R.gauss(0, 1.5), 1) for r in range(4)]
    mid = round(t + R.gauss(0, 1.6), 1)
    for r, v in enumerate(vals):
        print(json.dumps({'item': i, 'rater': 'p%d' % r, 'v': v, 'mean': sum(vals) / 4, 'const': 5, 'mid': mid}))" > $TMPDIR/alt.ndjson
alt() { pt-stats raters --item .item --rater .rater --value .v --candidate-value "$@" -f ndjson $TMPDIR/alt.ndjson | jq -c '[.alt_raters, .alt_omega, .alt_passed]'; }
check "alt-test: the physicians' mean passes" "[4,1,true]" "$(alt .mean)"
check "alt-test: a constant fails" "[4,0,false]" "$(alt .const)"
check "alt-test: epsilon 0, 0.2, 0.5 for a middling judge" "[4,0,false] [4,0.25,false] [4,1,true]" \
	"$(alt .mid --epsilon 0) $(alt .mid --epsilon 0.2) $(alt .mid --epsilon 0.5)"
check "alt-test: fewer than --min-items items per physician: not tested" "[0,null,null]" "$(alt .mid --min-items 61)"
printf '{"i":1,"r":"a","v":1}\n{"i":1,"r":"b","v":2}\n' > $TMPDIR/r2.ndjson
pt-stats raters --item .i --rater .r --value .v --candidate zz -f ndjson $TMPDIR/r2.ndjson > /dev/null 2> $TMPDIR/err; st=$?
check "raters --candidate that is no rater" "1 pt-stats: --candidate zz: no such rater|pt-stats: 1 record failed" "$st $(tr '\n' '|' < $TMPDIR/err | sed 's/|$//')"

# a judge's stability: its draws as raters (alpha 0.75 and the mean SD by hand)
printf '{"id":1,"judges":[{"sample":0,"score":2},{"sample":1,"score":2},{"sample":2,"score":2}]}\n{"id":2,"judges":[{"sample":0,"score":1},{"sample":1,"score":2},{"sample":2,"score":3}]}\n{"id":3,"judges":[{"sample":0,"score":4},{"sample":1,"score":4.5},{"sample":2,"score":4}]}\n' > $TMPDIR/draws.ndjson
check "raters over a judge's draws: alpha, the share spread by a point, the mean SD" '{"alpha":0.75,"n_pairable":9,"spread_1":0.3333333333333333,"item_sd":0.4295583781982703}' \
	"$(pt-filter '.id as $i | .judges[] | {id: $i, draw: .sample, score}' $TMPDIR/draws.ndjson | pt-stats raters --item .id --rater .draw --value .score -f ndjson | jq -c '{alpha, n_pairable, spread_1, item_sd}')"
