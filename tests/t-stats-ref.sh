#!/bin/bash
# Every pt-stats statistic against SciPy/NumPy/scikit-learn on 12 datasets
# (tests/stats: gen_data.py makes them, gen_ref.py made ref.ndjson).
. "$PT_TOP/tests/lib.sh"
S=$PT_TOP/tests/stats
D=$TMPDIR/statsdata
python3 $S/gen_data.py $D
for f in $D/*.ndjson; do
	n=$(basename $f .ndjson)
	first=$(head -1 $f | jq -r .g)
	pt-stats summary --by .g --value .v -f ndjson $f 2>/dev/null | jq -c --arg d $n '{dataset:$d, verb:"summary"} + .'
	pt-stats agree --by .g --truth .truth --pred .pred -f ndjson $f 2>/dev/null | jq -c --arg d $n '{dataset:$d, verb:"agree"} + .'
	pt-stats compare --by .g --value .v --ref "$first" -f ndjson $f 2>/dev/null | jq -c --arg d $n '{dataset:$d, verb:"compare"} + .'
done > $TMPDIR/stats.got
python3 $S/compare.py $S/ref.ndjson $TMPDIR/stats.got

# paired against scipy.stats.wilcoxon and ttest_rel on 13 datasets
# (tests/stats/paired.py makes them and made paired_ref.ndjson)
python3 $S/paired.py data $TMPDIR/paired
for f in $TMPDIR/paired/*.ndjson; do
	n=$(basename $f .ndjson)
	by=(--by .g); [ $n = strata ] && by=(--by .g --by .s)
	pt-stats paired "${by[@]}" --value .v --pair .c --ref R -f ndjson $f 2>/dev/null | jq -c --arg d $n '{dataset:$d, verb:"paired"} + .'
done > $TMPDIR/paired.got
python3 $S/compare.py $S/paired_ref.ndjson $TMPDIR/paired.got

# raters (alpha, ICC, the alternative annotator test) and ppi against
# independent computations (tests/stats/raters.py made raters_ref.ndjson)
python3 $S/raters.py data $TMPDIR/raters
for f in $TMPDIR/raters/*.ndjson; do
	n=$(basename $f .ndjson)
	case $n in
	ppi_*)
		pt-stats ppi --by .g --truth .y --pred .f -f ndjson $f | jq -c --arg d $n '{dataset:$d, verb:"ppi"} + del(.n_missing)'
		pt-stats ppi --by .g --truth .y --pred .f --tune -f ndjson $f | jq -c --arg d ${n}_tuned '{dataset:$d, verb:"ppi"} + del(.n_missing)';;
	*)
		level=$(case $n in nominal5) echo nominal;; ordinal_skew) echo ordinal;; ratio_pos) echo ratio;; *) echo interval;; esac)
		pt-stats raters --by .g --item .item --rater .rater --value .v --candidate-value .judge --level $level -f ndjson $f |
			jq -c --arg d $n '{dataset:$d, verb:"raters"} + {g, level, n_items, n_raters, n_pairable, alpha, icc21, icc2k, alt_raters, alt_omega, alt_rho, alpha_candidate}';;
	esac
done > $TMPDIR/raters.got
python3 $S/compare.py $S/raters_ref.ndjson $TMPDIR/raters.got

# --rank and top against scipy.stats.rankdata(method="min") and NumPy's
# stable argsort, in order (tests/stats/rank.py made rank_ref.ndjson)
python3 $S/rank.py data $TMPDIR/rank
for n in $(python3 -c "import sys; sys.path.insert(0, '$S'); import rank; print(' '.join(rank.NAMES))"); do
	f=$TMPDIR/rank/$n.ndjson
	pt-stats summary --by .s --by .g --value .v --rank n -f ndjson $f 2>/dev/null | jq -c --arg d $n '{dataset:$d, verb:"rank_n", s, g, rank}'
	pt-stats summary --by .s --by .g --value .v --rank -max -f ndjson $f 2>/dev/null | jq -c --arg d $n '{dataset:$d, verb:"rank_max", s, g, rank}'
	pt-stats top --by .s --value .v -n 7 --show .i -f ndjson $f 2>/dev/null | jq -c --arg d $n '{dataset:$d, verb:"top", s, i, v, rank}'
done > $TMPDIR/rank.got
d=$(diff <(jq -c . $S/rank_ref.ndjson) $TMPDIR/rank.got)
check "--rank and top: $(wc -l < $S/rank_ref.ndjson) rows as SciPy's rankdata(method=min) and NumPy's stable argsort give them" "" "$d"
