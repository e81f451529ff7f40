#!/bin/bash
# tests/bench/run.sh: `make bench`. Each benchmark runs pt and its peer side
# by side in the same run (taking turns), whole process, and reports the
# median of REPS runs (wall seconds) and peak RSS; the results go to
# tests/bench/RESULTS.md.
# BENCH_N (default 1000000) sets the record count of the big files.
. "$(dirname "$0")/env.sh"
for p in jq python3-numpy python3-scipy python3-matplotlib curl time; do
	dpkg-query -W -f='${Status}' $p 2>/dev/null | grep -q 'ok installed' || missing="${missing:-} $p"
done
if [ -n "${missing:-}" ]; then
	if [ "$(id -u)" = 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >/dev/null; else
		echo "make bench needs:$missing (sudo apt-get install$missing)"; exit 1; fi
fi
cc -O2 -o $W/fastserver $B/fastserver.c || exit 1

# once NAME CMD: one run, appended to NAME's times; summary NAME: the median
# wall seconds, max peak RSS (KiB) and mean CPU seconds of NAME's runs.
once() {
	local name=$1; shift
	/usr/bin/time -f "%e %M %U %S" -o $W/$name.t sh -c "$*" > /dev/null 2> $W/$name.err || { echo "FAILED: $name: $(tail -3 $W/$name.err)"; }
	cat $W/$name.t >> $W/$name.times
}
summary() {
	sort -n $W/$1.times | awk -v n=$REPS 'NR == int((n + 1) / 2) { w = $1 } { if ($2 > m) m = $2; c += $3 + $4 } END { printf "%s %d %.3f\n", w, m, c / n }'
}
# measure NAME CMD: REPS runs
measure() {
	: > $W/$1.times
	for i in $(seq $REPS); do once "$@"; done
	summary $1
}
# pair NAME CMD PEER PEERCMD: REPS runs of each, taking turns, so that a
# slow spell of the machine falls on both; prints NAME's summary, then PEER's
pair() {
	: > $W/$1.times
	: > $W/$3.times
	for i in $(seq $REPS); do once "$1" "$2"; once "$3" "$4"; done
	echo "$(summary $1) $(summary $3)"
}
row() { printf '| %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" "$5" >> $W/results.md; }
ratio() { awk -v a=$1 -v b=$2 'BEGIN { printf "%.1f×", a / b }'; }

[ -s $W/small.ndjson ] || $PY $B/gen.py 10000 6 > $W/small.ndjson
size=$(du -m $W/big.ndjson | cut -f1)
: > $W/results.md
echo "== pt-filter vs jq ($N records, $size MB)"
read fw fm _ jw jm _ <<< "$(pair filter "pt-filter '.study|startswith(\"brodeur\")' $W/big.ndjson" jq "jq -c 'select(.study|startswith(\"brodeur\"))' $W/big.ndjson")"
read f1w f1m _ <<< "$(measure filter1 "pt-filter --threads 1 '.study|startswith(\"brodeur\")' $W/big.ndjson")"
read sw sm _ <<< "$(measure filter_small "pt-filter '.study|startswith(\"brodeur\")' $W/small.ndjson")"
row "pt-filter '.study\|startswith(\"brodeur\")', $N records" "${fw} s, $((fm / 1024)) MB" "jq -c 'select(…)': ${jw} s, $((jm / 1024)) MB" "$(ratio $jw $fw) jq's throughput" "goal ≥ 1.5×"
row "the same, --threads 1" "${f1w} s" "jq ${jw} s" "$(ratio $jw $f1w)" "one core"
row "pt-filter peak RSS, 10,000 vs $N records" "$((sm / 1024)) MB vs $((fm / 1024)) MB" "" "$(awk -v a=$sm -v b=$fm 'BEGIN { printf "%+.0f%%", 100 * (b - a) / a }')" "goal within 10%"

echo "== pt-filter vs DuckDB (from npm, installed for the benchmark only) and jq"
# DuckDB's COPY (SELECT * FROM read_json(...) WHERE ...) TO a file: the same records out
if [ ! -d $W/node/node_modules/@duckdb/node-api ] && command -v npm >/dev/null; then
	timeout 600 npm install --prefix $W/node --no-audit --no-fund --silent @duckdb/node-api >/dev/null 2>&1
fi
if [ -d $W/node/node_modules/@duckdb/node-api ]; then
	cp $B/duck_filter.mjs $W/node/
	DUCK="node $W/node/duck_filter.mjs $W/big.ndjson"
	read nw nm _ dw dm _ <<< "$(pair native "pt-filter 'select(.study|startswith(\"brodeur\"))' $W/big.ndjson" duck "$DUCK \"starts_with(study, 'brodeur')\" /dev/stdout")"
	row "pt-filter 'select(.study\|startswith(\"brodeur\"))' (native predicate), $N records" "${nw} s, $((nm / 1024)) MB" "DuckDB $(jq -r .version $W/node/node_modules/@duckdb/node-api/package.json): ${dw} s, $((dm / 1024)) MB" "$(ratio $dw $nw) DuckDB's throughput, $(awk -v a=$nm -v b=$dm 'BEGIN { printf "%.0f", 100 * a / b }')% of its memory" "goal ≥ 1.5×, < 10% memory"
	read cw cm _ ew em _ <<< "$(pair compound "pt-filter '.benchmark==\"diagnostic_reasoning\" and (.grade >= 10)' $W/big.ndjson" duck2 "$DUCK \"benchmark = 'diagnostic_reasoning' AND grade >= 10\" /dev/stdout")"
	read qw2 _ _ <<< "$(measure compound_jq "jq -c 'select(.benchmark==\"diagnostic_reasoning\" and (.grade >= 10))' $W/big.ndjson")"
	row "pt-filter '.benchmark==\"diagnostic_reasoning\" and (.grade >= 10)'" "${cw} s, $((cm / 1024)) MB" "DuckDB ${ew} s, $((em / 1024)) MB; jq ${qw2} s" "$(ratio $ew $cw) DuckDB's, $(ratio $qw2 $cw) jq's" "goal ≥ 1.5× DuckDB"
else
	echo "(no npm: DuckDB rows skipped)"
fi
read lw _ _ lj _ _ <<< "$(pair libjq_path "pt-filter '.study|ascii_upcase|startswith(\"BRODEUR\")' $W/big.ndjson" jq_upcase "jq -c 'select(.study|ascii_upcase|startswith(\"BRODEUR\"))' $W/big.ndjson")"
row "pt-filter '.study\|ascii_upcase\|startswith(\"BRODEUR\")' (not native: the libjq path)" "${lw} s" "jq ${lj} s" "$(ratio $lj $lw)" "no slower than before"

echo "== field extraction alone (fast path vs jq path)"
read pw _ _ <<< "$(measure path "pt-stats summary --value .grade -f ndjson $W/big.ndjson")"
read qw _ _ <<< "$(measure jqpath "pt-stats summary --value '.grade|.' -f ndjson $W/big.ndjson")"
row "pt-stats summary --value .grade (plain path, read from bytes)" "${pw} s ($(awk -v s=$size -v w=$pw 'BEGIN { printf "%.0f", s / w }') MB/s)" "--value '.grade\|.' (libjq): ${qw} s" "$(ratio $qw $pw)" "the fast field path"

echo "== pt-stats vs Python (json.loads + NumPy + SciPy)"
read ssw ssm _ psw psm _ <<< "$(pair stats_summary "pt-stats summary --by .model --value .grade -f ndjson $W/big.ndjson" py_summary "$PY $B/py_stats.py summary $W/big.ndjson")"
row "pt-stats summary --by .model --value .grade" "${ssw} s, $((ssm / 1024)) MB" "Python ${psw} s, $((psm / 1024)) MB" "$(ratio $psw $ssw)" "goal ≥ 5×"
read saw sam _ paw pam _ <<< "$(pair stats_agree "pt-stats agree -f ndjson $W/big.ndjson" py_agree "$PY $B/py_stats.py agree $W/big.ndjson")"
row "pt-stats agree (all 18 statistics)" "${saw} s, $((sam / 1024)) MB" "Python (10 statistics) ${paw} s, $((pam / 1024)) MB" "$(ratio $paw $saw)" "goal ≥ 5×"

echo "== no quadratic sorts: many groups, many small bootstraps"
[ -s $W/groups.ndjson ] || seq 100000 -1 1 | awk '{ printf "{\"k\":\"k%06d\",\"v\":%d}\n", $1, $1 % 7 }' > $W/groups.ndjson
[ -s $W/boot.ndjson ] || awk 'BEGIN { srand(3); for (g = 0; g < 200; g++) for (i = 0; i < 10; i++) { t = int(rand() * 20); printf "{\"g\":\"g%03d\",\"one\":1,\"t\":%d,\"p\":%d}\n", g, t, t + int(rand() * 5) - 2 } }' > $W/boot.ndjson
read gsw _ _ guw _ _ <<< "$(pair sort_groups "pt-stats summary --by .k --value .v --sort -f ndjson $W/groups.ndjson" unsorted_groups "pt-stats summary --by .k --value .v -f ndjson $W/groups.ndjson")"
row "pt-stats summary --sort, 100,000 groups in reverse order" "${gsw} s" "unsorted: ${guw} s" "$(ratio $gsw $guw) the unsorted time" "no quadratic path (was 4 min 20 s)"
read bsw _ _ blw _ _ <<< "$(pair boot_small "pt-stats agree --by .g --truth .t --pred .p --boot 1000 -f ndjson $W/boot.ndjson" boot_large "pt-stats agree --by .one --truth .t --pred .p --boot 1000 -f ndjson $W/boot.ndjson")"
row "pt-stats agree --boot 1000, 200 groups of 10 values" "${bsw} s" "one group of the same 2,000 values: ${blw} s" "$(ratio $bsw $blw) the one-group time" "goal ≤ 2× (was 27.5 s)"

echo "== pt-plot vs matplotlib"
read bw bm _ mw mm _ <<< "$(pair plot "pt-plot box --by .model --value .grade -o $W/pt.png $W/big.ndjson" matplotlib "$PY $B/py_box.py $W/big.ndjson $W/mpl.png")"
row "pt-plot box, $N values in 6 groups, PNG" "${bw} s, $((bm / 1024)) MB" "matplotlib (the vignette's code) ${mw} s, $((mm / 1024)) MB" "$(ratio $mw $bw)" "goal ≥ 10×"

echo "== pt-infer (fastserver on loopback: the Python test server would be the bottleneck)"
$W/fastserver $W/fs0.port 0 600 & fs0=$!
$W/fastserver $W/fs200.port 200 600 & fs200=$!
sleep 0.3
U0=http://127.0.0.1:$(cat $W/fs0.port)/v1 U200=http://127.0.0.1:$(cat $W/fs200.port)/v1
$PY -c "
import json
for i in range(20000): print(json.dumps({'id': str(i), 'messages': [{'role': 'user', 'content': 'question %d' % i}]}))" > $W/req.ndjson
head -10000 $W/req.ndjson > $W/req10k.ndjson
read iw im ic <<< "$(measure infer0 "pt-infer -m m -u $U0 -j 64 --no-progress $W/req.ndjson")"
read xw xm xc <<< "$(REPS=1 measure xargs "seq 20000 | xargs -P 64 -I{} curl -s -o /dev/null -H 'Content-Type: application/json' -d '{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"question {}\"}]}' $U0/chat/completions")"
row "pt-infer -j 64, 20,000 requests, zero latency" "${iw} s ($(awk -v w=$iw 'BEGIN { printf "%.0f", 20000 / w }') req/s), $(awk -v c=$ic 'BEGIN { printf "%.3f", c / 20 }') CPU s per 1,000" "xargs -P 64 curl: ${xw} s, $(awk -v c=$xc 'BEGIN { printf "%.2f", c / 20 }') CPU s per 1,000 (xargs, sh and curl together)" "$(ratio $xw $iw)" "goal ≥ 5×"
read lw lm _ <<< "$(REPS=3 measure infer200 "pt-infer -m m -u $U200 -j 256 --no-progress $W/req10k.ndjson")"
# -k behind one request stalled for 40 s while 100,000 others are answered
$W/fastserver $W/fsk.port 0 600 40 & fsk=$!
sleep 0.3
{ echo '{"id":"head","messages":[{"role":"user","content":"[[stall]] head"}]}'; cat $W/req.ndjson $W/req.ndjson $W/req.ndjson $W/req.ndjson $W/req.ndjson; } > $W/stall.ndjson
read kw km _ <<< "$(REPS=1 measure stall "pt-infer -m m -u http://127.0.0.1:$(cat $W/fsk.port)/v1 -j 64 -k --no-progress $W/stall.ndjson")"
kill $fsk 2>/dev/null
row "pt-infer -j 64 -k, 100,001 records, the first answered after 40 s" "${kw} s, $((km / 1024)) MB peak (answers waiting past 8 MiB on a temporary file)" "every later answer held in memory: 68 MB, growing with the input" "" "goal ≤ 40 MB"
row "pt-infer -j 256, 10,000 requests, 200 ms latency" "${lw} s = $(awk -v w=$lw 'BEGIN { printf "%.0f", 10000 / w }') req/s, $((lm / 1024)) MB" "ideal 1,280 req/s (7.8 s)" "$(awk -v w=$lw 'BEGIN { printf "%.0f%%", 100 * 7.8125 / w }') of ideal" "goals ≥ 90%, RSS < 64 MB"
read yw ym _ <<< "$(REPS=1 measure pypool "$PY $B/py_pool.py $U200 $W/req10k.ndjson")"
row "the same workload, Python concurrent.futures pool of 30 threads + urllib" "pt-infer ${lw} s" "Python ${yw} s, $((ym / 1024)) MB" "$(ratio $yw $lw)" "what the reference runner does"
kill $fs0 $fs200 2>/dev/null

echo "== pt-infer at a rate limit (tests/server.py)"
# start_py NAME OPTIONS: the Python test server (the limits and faults live there)
start_py() {
	rm -f $W/$1.port
	$PY $top/tests/server.py --port-file $W/$1.port --log $W/$1.log --lifetime 900 ${2:-} >/dev/null 2>&1 &
	for _ in $(seq 100); do [ -s $W/$1.port ] && break; sleep 0.05; done
	echo "http://127.0.0.1:$(cat $W/$1.port)/v1"
}
head -2000 $W/req.ndjson > $W/req2k.ndjson
head -200 $W/req.ndjson > $W/req200.ndjson
UF=$(start_py free); US=$(start_py storm "--faults 429=0.66")
# CPU per 1,000 HTTP requests answered, and the share of a core over the run
read fw _ fc <<< "$(REPS=1 measure storm_free "pt-infer -m m -u $UF -j 256 --no-progress $W/req2k.ndjson")"
: > $W/storm.log
read sw _ sc <<< "$(REPS=1 measure storm "pt-infer -m m -u $US -j 256 --no-progress $W/req2k.ndjson")"
sn=$(wc -l < $W/storm.log)
row "pt-infer -j 256, 2,000 records, the server answers 2 in 3 with 429 + Retry-After: 1" "${sw} s, $(awk -v c=$sc -v w=$sw 'BEGIN { printf "%.1f", 100 * c / w }')% of a core, $(awk -v c=$sc -v n=$sn 'BEGIN { printf "%.3f", 1000 * c / n }') CPU s per 1,000 requests ($sn requests)" "fault-free: ${fw} s, $(awk -v c=$fc 'BEGIN { printf "%.3f", c / 2 }') CPU s per 1,000" "$(awk -v a=$sc -v n=$sn -v b=$fc 'BEGIN { printf "%.1f×", (1000 * a / n) / (b / 2) }') per request" "goals ≤ 5% of a core, ≤ 2× per request"
row "the same storm: how long, how many requests" "${sw} s, $(awk -v n=$sn 'BEGIN { printf "%.2f", n / 2000 }') requests per record" "ideal about 20 s: three attempts a record, a wave a second" "" "goals ≤ 60 s, ≤ 4 requests per record (was 10 min and more: a growing backoff)"
UL=$(start_py limited "--limit-rpm 600 --burst 10")
: > $W/limited.log
read lw2 _ _ <<< "$(REPS=1 measure limited "pt-infer -m m -u $UL -j 64 --no-progress $W/req200.ndjson")"
ln=$(wc -l < $W/limited.log)
row "pt-infer -j 64, 200 records, a server enforcing 600 requests a minute (bucket of 10), OpenAI headers" "${lw2} s, $((ln - 200)) of $ln requests answered 429" "allowed: 10 at once, then 10/s = 19.0 s" "$(awk -v w=$lw2 'BEGIN { printf "%.0f%%", 100 * 19 / w }') of the allowed rate, $(awk -v a=$ln 'BEGIN { printf "%.0f%%", 100 * (a - 200) / a }') 429s" "goals ≥ 80%, ≤ 10%"
pkill -f "$top/tests/server.py --port-file $W" 2>/dev/null

echo "== the batch join: pt-infer --from-batch-output vs jq by hand"
# 50,000 requests answered in an OpenAI batch output file, in reverse order;
# the peer joins the same answers back by custom_id = .id, as users did by hand
$PY -c "
import json
for i in range(50000): print(json.dumps({'id': str(i), 'case': 'c%d' % i, 'messages': [{'role': 'user', 'content': 'question %d' % i}]}))" > $W/breq.ndjson
pt-infer -m m --batch-input $W/batch_in.jsonl $W/breq.ndjson > /dev/null 2>&1
$PY - $W/batch_in.jsonl $W/batch_out.jsonl $W/batch_out_id.jsonl <<'PY'
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
with open(sys.argv[2], "w") as out, open(sys.argv[3], "w") as byid:
    for i, r in reversed(list(enumerate(reqs))):
        body = {"id": "chatcmpl-%d" % i, "object": "chat.completion", "created": 0, "model": "m",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": "answer %d" % i}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 2, "completion_tokens": 2, "total_tokens": 4}}
        line = {"id": "batch_req_%d" % i, "custom_id": r["custom_id"], "response": {"status_code": 200, "request_id": "r", "body": body}, "error": None}
        out.write(json.dumps(line) + "\n")
        line["custom_id"] = str(i)
        byid.write(json.dumps(line) + "\n")
PY
read bjw bjm _ qjw qjm _ <<< "$(pair bjoin "pt-infer -m m --no-progress --from-batch-output $W/batch_out.jsonl $W/breq.ndjson" bjq "jq -n -c --slurpfile o $W/batch_out_id.jsonl 'INDEX(\$o[]; .custom_id) as \$r | inputs | . + {response: \$r[.id].response.body.choices[0].message.content}' $W/breq.ndjson")"
row "pt-infer --from-batch-output, 50,000 results (reverse order) joined to their records, replies read and checked" "${bjw} s, $((bjm / 1024)) MB" "jq -n --slurpfile, INDEX by custom_id (the answer text only): ${qjw} s, $((qjm / 1024)) MB" "$(ratio $qjw $bjw)" "goal ≥ 1× (a join by hand is no faster)"

echo "== a hostile server: peak memory at -j 8 against endless bodies and a gzip bomb"
# pt stops each reply at 8 MiB (inflated); curl -P 8 (xargs), the peer a
# script would use, writes what comes to /dev/null for at most 20 s
UH=$(start_py hostile "--endless-cap 1073741824")
$PY -c "
import json
for i in range(8): print(json.dumps({'id': str(i), 'messages': [{'role': 'user', 'content': '[[pt: fail=endless; times=99]] %d' % i}]}))" > $W/endless.ndjson
$PY -c "
import json
for i in range(8): print(json.dumps({'id': str(i), 'messages': [{'role': 'user', 'content': '[[pt: fail=bomb; times=99; bomb_mib=1024]] %d' % i}]}))" > $W/bomb.ndjson
pt-infer -m m -u $UH -j 1 --retries 0 --no-progress $W/bomb.ndjson > /dev/null 2>&1   # (the server makes its bomb once)
for k in endless bomb; do
	jq -c '{model: "m", messages}' $W/$k.ndjson > $W/$k.bodies
	read hw hm _ cw cm _ <<< "$(REPS=1 pair h_$k "pt-infer -m m -u $UH -j 8 --no-progress $W/$k.ndjson || true" c_$k "xargs -P 8 -d '\n' -I{} curl -s --compressed --max-time 20 -o /dev/null -H 'Content-Type: application/json' -d '{}' $UH/chat/completions < $W/$k.bodies || true")"
	row "pt-infer -j 8, 8 replies $([ $k = endless ] && echo 'that never end' || echo 'of 1 MiB gzip inflating to 1 GiB each')" "${hw} s, $((hm / 1024)) MB peak" "xargs -P 8 curl --compressed --max-time 20: ${cw} s, $((cm / 1024)) MB peak" "$(ratio $cw $hw) faster, each reply cut at 8 MiB" "goal: bounded memory (was 1.84 GB at -j 8)"
done
pkill -f "$top/tests/server.py --port-file $W" 2>/dev/null

echo "== pt-report: a page of 20,000 graded records, opened in Chromium"
# the Brodeur example's judged answers, again and again with other ids and scores
if [ ! -s $W/graded20k.ndjson ]; then
	for i in $(seq 114); do
		cat $top/examples/brodeur/out/judged_dx.ndjson $top/examples/brodeur/out/judged_mgmt.ndjson |
		jq -c --argjson i $i '.id = "\(.id)-\($i)" | .case_id = "\(.case_id)-\($i % 20)" |
		    .predicted_score = ([.predicted_score + ($i % 7) - 3, 0] | max)'
	done | head -20000 > $W/graded20k.ndjson
fi
read rw rm _ <<< "$(measure report "pt-report --md $top/examples/brodeur/out/REPORT.md -o $W/report20k.html $W/graded20k.ndjson")"
$PY $B/py_page.py $W/graded20k.ndjson > $W/py20k.html
# open PAGE: the median first paint, load and sort (ms) of REPS openings
open_page() {
	for i in $(seq $REPS); do $PY $top/tests/browser.py time $1; done |
	jq -rs 'def med(f): map(f) | sort | .[(length - 1) / 2 | floor]; "\(med(.fcp_ms)) \(med(.load_ms)) \(med(.sort_ms))"'
}
if [ -x /usr/bin/chromium ]; then
	read pf pl ps <<< "$(open_page $W/report20k.html)"
	read qf ql _ <<< "$(open_page $W/py20k.html)"
	row "pt-report, 20,000 graded records and the Brodeur report (8 figures), opened from disk in Chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}')" \
		"$(du -m $W/report20k.html | cut -f1) MB page, written in ${rw} s ($((rm / 1024)) MB); first paint ${pf} ms, loaded and sortable ${pl} ms, a sort by score ${ps} ms" \
		"a page by Python's html.escape (one table, every answer laid out): $(du -m $W/py20k.html | cut -f1) MB, first paint ${qf} ms, loaded ${ql} ms" \
		"$(ratio $ql $pl) faster to load" "goal: usable within a couple of seconds"
fi

bash $B/scaling.sh > /dev/null

{
	echo "# Benchmarks"
	echo
	echo "\`make bench\` on $(nproc) cores, $(date -u +%Y-%m-%d); $N records of $(( size * 1024 * 1024 / N )) bytes ($size MB; tests/bench/gen.py)."
	echo "Median of $REPS runs (wall seconds, whole process), peak RSS from GNU time; each peer runs in the same run, taking turns with pt."
	echo "Peers: Debian's jq 1.6, python3 $($PY -c 'import sys; print(sys.version.split()[0])') with NumPy $($PY -c 'import numpy; print(numpy.__version__)'), SciPy $($PY -c 'import scipy; print(scipy.__version__)'), matplotlib $($PY -c 'import matplotlib; print(matplotlib.__version__)'), curl $(curl --version | head -1 | cut -d' ' -f2)."
	echo
	echo "| benchmark | pt | peer | ratio | goal |"
	echo "|---|---|---|---|---|"
	cat $W/results.md
	echo
	cat $W/scaling.md
} > $B/RESULTS.md
cat $B/RESULTS.md
