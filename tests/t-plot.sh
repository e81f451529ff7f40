#!/bin/bash
# pt-plot: --stats against matplotlib's boxplot_stats, sizes, formats,
# determinism, edge cases; one figure of each kind kept in tests/out/.
. "$PT_TOP/tests/lib.sh"
D=$TMPDIR/pd
python3 $PT_TOP/tests/stats/gen_data.py $D
python3 -c "
import json, sys; sys.path.insert(0, '$PT_TOP/tests/plot')
from plot_data import EXTRA
for n, rows in EXTRA.items():
    open('$D/' + n + '.ndjson', 'w').write(''.join(json.dumps(r) + '\n' for r in rows))"
for f in $D/*.ndjson; do
	n=$(basename $f .ndjson); [ $n = big ] && continue
	pt-plot box --by .g --value .v --stats -o $TMPDIR/x.png $f 2>/dev/null | jq -c --arg d $n '{dataset: $d} + del(.n_missing)'
done > $TMPDIR/plot.got
python3 - $PT_TOP/tests/plot/ref.ndjson $TMPDIR/plot.got <<'PY'
import json, sys
key = lambda r: (r["dataset"], r["label"])
ref = {key(r): r for r in map(json.loads, open(sys.argv[1]))}
got = {key(r): r for r in map(json.loads, open(sys.argv[2]))}
def close(a, b):
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b)) or abs(a - b) <= 1e-12
for k in sorted(ref):
    g = got.get(k)
    bad = [f"{f}: pt {g.get(f)!r} matplotlib {v!r}" for f, v in ref[k].items() if g is None or not close(v, g.get(f))] if g else ["missing"]
    print(("FAIL " if bad else "ok ") + "boxplot_stats %s %s" % k)
    for b in bad: print("     " + b)
for k in sorted(set(got) - set(ref)):
    print("FAIL boxplot_stats %s %s: a box matplotlib does not draw" % k)
print(("ok" if ref and set(got) == set(ref) else "FAIL") + " boxplot_stats: the same %d boxes on %d datasets" % (len(ref), len({k[0] for k in ref})))
PY

# sizes, formats, determinism
H=$D/half_points.ndjson
pt-plot box --by .g --value .v -o $TMPDIR/a.png $H && pt-plot box --by .g --value .v --size 8x4 --dpi 100 -o $TMPDIR/b.png $H
check "PNG size = --size x --dpi" "1500x900 800x400" \
	"$(python3 -c "
import struct,sys
for f in sys.argv[1:]:
    d=open(f,'rb').read(24); print('%dx%d' % struct.unpack('>II', d[16:24]), end=' ')" $TMPDIR/a.png $TMPDIR/b.png | sed 's/ $//')"
pt-plot box --by .g --value .v -o $TMPDIR/a.svg $H
python3 -c "
import sys, xml.etree.ElementTree as ET
t = ET.parse(sys.argv[1]); r = t.getroot()
print(r.tag.split('}')[-1], r.get('width'), r.get('height'), sum(1 for e in r.iter() if 'fill-opacity:0.45' in (e.get('style') or '')))" $TMPDIR/a.svg > $TMPDIR/svg.txt
check "SVG parses, 720x432 pt, 3 boxes" "svg 720 432 3" "$(sed 's/pt//g' $TMPDIR/svg.txt)"
pt-plot box --by .g --value .v -o $TMPDIR/a.pdf $H
check "PDF header" "%PDF-" "$(head -c 5 $TMPDIR/a.pdf)"
for ext in png svg pdf; do
	pt-plot box --by .g --value .v --points --title T -o $TMPDIR/r1.$ext $H; pt-plot box --by .g --value .v --points --title T -o $TMPDIR/r2.$ext $H
	cmp -s $TMPDIR/r1.$ext $TMPDIR/r2.$ext && ok "same input, same bytes ($ext)" || fail "same input, same bytes ($ext)"
done
pt-plot scatter --x .truth --y .pred --by .g --identity --jitter 0.2 -o $TMPDIR/s1.png $H; pt-plot scatter --x .truth --y .pred --by .g --identity --jitter 0.2 -o $TMPDIR/s2.png $H
cmp -s $TMPDIR/s1.png $TMPDIR/s2.png && ok "jitter is deterministic" || fail "jitter is deterministic"

# --order, --stats of the other verbs
check "--order" "physicians gpt-4 o1-preview" "$(pt-plot box --by .g --value .v --order physicians,gpt-4 --stats -o $TMPDIR/o.png $H | jq -r .label | tr '\n' ' ' | sed 's/ $//')"
check "scatter --stats" '{"label":"A","n":3,"n_missing":0,"x_min":2,"x_max":7,"y_min":1,"y_max":6.5}' "$(pt-plot scatter --x .truth --y .pred --by .g --stats -o $TMPDIR/o.svg $D/n3.ndjson)"
check "bland-altman --stats" "$(pt-stats agree --truth .truth --pred .pred -f ndjson $H | jq -c '{n, bias, loa_low, loa_high}')" \
	"$(pt-plot bland-altman --truth .truth --pred .pred --stats -o $TMPDIR/o.png $H | jq -c '{n, bias, loa_low, loa_high}')"

# edge cases: a sensible figure or a clear error, never a crash
printf '{"g":"a","v":null}\n{"g":"b","v":3}\n' > $TMPDIR/e1.ndjson
pt-plot box --by .g --value .v -o $TMPDIR/e1.png $TMPDIR/e1.ndjson 2>$TMPDIR/err; st=$?
check "empty group and one value" "0 pt-plot: 1 record with a missing or non-numeric value (not drawn)" "$st $(cat $TMPDIR/err)"
seq 2000 | jq -c '{g: "g\(. % 500)", v: (. % 7)}' > $TMPDIR/e2.ndjson
pt-plot box --by .g --value .v -o $TMPDIR/e2.png $TMPDIR/e2.ndjson; check "500 groups" "0" "$?"
python3 -c "import json; print(json.dumps({'g': 'x' * 10000, 'v': 1})); print(json.dumps({'g': 'y', 'v': 2}))" > $TMPDIR/e3.ndjson
pt-plot box --by .g --value .v -o $TMPDIR/e3.png $TMPDIR/e3.ndjson; check "10,000-character label" "0" "$?"
printf '{"g":"a","v":1e308}\n{"g":"a","v":-1e308}\n' | pt-plot box --by .g --value .v -o $TMPDIR/e4.png; check "huge range" "0" "$?"
: | pt-plot box --by .g --value .v -o $TMPDIR/e5.png; check "no records" "0" "$?"
pt-plot box --by .g --value .v -o $TMPDIR/x.gif $H 2>$TMPDIR/err; check "bad extension" "2 pt-plot: -o $TMPDIR/x.gif: the name must end in .png, .svg or .pdf" "$? $(head -1 $TMPDIR/err)"
pt-plot box --by .g --value .v -o /nonexistent/dir/x.png $H 2>$TMPDIR/err; check "unwritable output" "3" "$?"
ln -s /dev/full $TMPDIR/full.png
pt-plot box --by .g --value .v -o $TMPDIR/full.png $H 2>$TMPDIR/err; check "PNG onto a full disk" "3 pt-plot: $TMPDIR/full.png: No space left on device" "$? $(cat $TMPDIR/err)"
python3 -c "import sys; d=open(sys.argv[1],'rb').read(); i=d.index(b'pHYs'); print(d[i-4:i+13].hex())" $TMPDIR/a.png > $TMPDIR/phys
check "PNG says its DPI (150 = 5906 px per metre)" "0000000970485973000017120000171201" "$(cat $TMPDIR/phys)"
echo old > $TMPDIR/lab.svg
pt-plot box --by .g --value .v --size 1x1 -o $TMPDIR/lab.svg $H 2>$TMPDIR/err
check "no room for the labels: exit 2, the old file untouched, no temporary left" \
	"2 pt-plot: the group labels leave no room for the plot; use a larger --size old lab.svg" \
	"$? $(cat $TMPDIR/err) $(cat $TMPDIR/lab.svg) $(cd $TMPDIR && ls lab.svg*)"
pt-plot box --by .g -o $TMPDIR/x.png $H 2>$TMPDIR/err; check "box needs --value" "2 pt-plot: box needs --by and --value" "$? $(head -1 $TMPDIR/err)"

# --hue: a box per (group, hue), coloured by hue, the hue in --stats
printf '{"m":"a","i":"phys","v":1}\n{"m":"a","i":"phys","v":3}\n{"m":"a","i":"judge","v":2}\n{"m":"b","i":"phys","v":5}\n{"m":"b","i":"judge","v":4}\n{"m":"b","i":"judge","v":6}\n{"m":"c","i":"phys","v":7}\n' > $TMPDIR/hue.ndjson
check "box --hue --stats" '{"label":"a","hue":"phys","n":2,"q1":1.5,"median":2,"q3":2.5}|{"label":"a","hue":"judge","n":1,"q1":2,"median":2,"q3":2}|{"label":"b","hue":"phys","n":1,"q1":5,"median":5,"q3":5}|{"label":"b","hue":"judge","n":2,"q1":4.5,"median":5,"q3":5.5}|{"label":"c","hue":"phys","n":1,"q1":7,"median":7,"q3":7}|' \
	"$(pt-plot box --by .m --hue .i --value .v --stats -o $TMPDIR/hue.svg $TMPDIR/hue.ndjson | jq -c '{label: .label, hue, n, q1, median, q3}' | tr '\n' '|')"
check "box --hue: 5 boxes in the SVG, 2 hues' colours" "5 2" "$(python3 -c "
import sys, xml.etree.ElementTree as ET
st = [e.get('style') or '' for e in ET.parse(sys.argv[1]).getroot().iter()]
boxes = [s for s in st if 'fill-opacity:0.45' in s]
print(len(boxes), len({s.split('fill:')[1].split(';')[0] for s in boxes}))" $TMPDIR/hue.svg)"
check "box --order with --hue orders the groups" "c b a" "$(pt-plot box --by .m --hue .i --value .v --order c,b --stats -o $TMPDIR/hue.png $TMPDIR/hue.ndjson | jq -r .label | uniq | tr '\n' ' ' | sed 's/ $//')"
pt-plot scatter --x .v --y .v --hue .i -o $TMPDIR/x.png $TMPDIR/hue.ndjson 2>$TMPDIR/err; check "--hue is for box" "2 pt-plot: --hue is for box" "$? $(head -1 $TMPDIR/err)"
# forest: a row per record, its numbers at the right; a row without an interval has no whiskers
printf '{"model":"x","mean_diff":1.5,"ci_low":0.5,"ci_high":2.5}\n{"model":"y","mean_diff":-2,"ci_low":null,"ci_high":null}\n{"model":"z","mean_diff":null}\n' > $TMPDIR/f.ndjson
pt-plot forest --by .model --stats -o $TMPDIR/f.svg $TMPDIR/f.ndjson > $TMPDIR/f.out 2>$TMPDIR/err; st=$?
check "forest --stats" '{"label":"x","estimate":1.5,"ci_low":0.5,"ci_high":2.5,"text":"+1.50 [0.50, 2.50]"}|{"label":"y","estimate":-2,"ci_low":null,"ci_high":null,"text":"-2.00"}|{"label":"z","estimate":null,"ci_low":null,"ci_high":null,"text":"no estimate"}|0 pt-plot: 1 record with a missing or non-numeric value (not drawn)' \
	"$(tr '\n' '|' < $TMPDIR/f.out)$st $(cat $TMPDIR/err)"
check "forest: 2 points and 1 interval in the SVG" "2 1" "$(python3 -c "
import sys, xml.etree.ElementTree as ET
st = [e.get('style') or '' for e in ET.parse(sys.argv[1]).getroot().iter()]
print(sum('fill:rgb(0%,44.7%,69.8%);fill-opacity:1' in s for s in st), sum('stroke-width:1.6' in s for s in st))" $TMPDIR/f.svg)"
check "forest reads pt-stats compare (diff_median, no interval)" '+1.00 -1.00' \
	"$(printf '{"g":"r","v":1}\n{"g":"r","v":2}\n{"g":"a","v":2}\n{"g":"a","v":3}\n{"g":"b","v":0}\n{"g":"b","v":1}\n' | pt-stats compare --by .g --value .v --ref r -f ndjson | pt-plot forest --by .g --stats -o $TMPDIR/c.png | jq -r .text | tr '\n' ' ' | sed 's/ $//')"
pt-plot forest -o $TMPDIR/x.png $TMPDIR/f.ndjson 2>$TMPDIR/err; check "forest needs --by" "2 pt-plot: forest needs --by (the label of each row)" "$? $(head -1 $TMPDIR/err)"

# artefacts for a person to look at
mkdir -p $PT_TOP/tests/out
pt-plot box --by .g --value .v --points --hline 10 --title 'Box (tests/stats half_points)' --ylabel Score -o $PT_TOP/tests/out/box.png $H
pt-plot scatter --x .truth --y .pred --by .g --identity --jitter 0.15 --title 'Scatter' --xlabel truth --ylabel prediction -o $PT_TOP/tests/out/scatter.png $H
pt-plot bland-altman --truth .truth --pred .pred --title 'Bland-Altman' -o $PT_TOP/tests/out/bland-altman.png $H
python3 -c "
import json, random
R = random.Random(1)
for m, mu in (('o1-preview', 16), ('gpt-4', 12), ('physicians', 9), ('new model', 14)):
    for c in range(20):
        for i, b in (('physician', 0), ('judge', 0.8)):
            if m == 'new model' and i == 'physician': continue
            print(json.dumps({'m': m, 'case': c, 'i': i, 'v': min(19, max(0, round(R.gauss(mu + b, 3) * 2) / 2))}))" > $TMPDIR/inst.ndjson
pt-plot box --by .m --hue .i --value .v --points --title 'Box with --hue (two instruments)' --ylabel Score -o $PT_TOP/tests/out/box-hue.png $TMPDIR/inst.ndjson
pt-filter '.i == "judge"' $TMPDIR/inst.ndjson | pt-stats paired --by .m --value .v --pair .case --ref 'new model' -f ndjson |
	pt-plot forest --by .m --size 8x3 --title 'Forest: each arm minus the new model (pt-stats paired)' -o $PT_TOP/tests/out/forest.png
for f in box scatter bland-altman box-hue forest; do [ -s $PT_TOP/tests/out/$f.png ] || echo $f; done > $TMPDIR/missing
check "artefacts in tests/out" "" "$(cat $TMPDIR/missing)"
