#!/bin/bash
# tests/t-report.sh: pt-report's page (issue 34) and pt-stats --format latex.
# The pages are opened in Debian's Chromium, headless (tests/browser.py, the
# DevTools protocol over a pipe): drawn, sorted, filtered, no request, no
# console error, and a hostile record runs nothing. LaTeX tables compile with
# pdflatex. Chromium or pdflatex missing: FAIL (make check's deps install them).
. "$PT_TOP/tests/lib.sh"
T=$TMPDIR/report-
BR=$PT_TOP/examples/brodeur/out JU=$PT_TOP/examples/judges/out

# --- the page, read as bytes -------------------------------------------------
printf '# Title & <more>\n\nText with `code` and **bold** and a [link](https://example.org/) and [bad](javascript:void).\n\n## Two\n\n| k | n |\n| --- | ---: |\n| a\\|b | 1.5 |\n| `c` | NA |\n\n- one\n  two\n- three\n' > ${T}a.md
printf '{"id":"1","benchmark":"t","model":"m","case_id":"c1","case_vignette":"V","question_text":"Q","response":"R1","grade":3,"predicted_score":5,"justification":"J1","judges":[{"model":"jm","status":"ok"}]}\n{"id":"2","benchmark":"t","model":"m2","case_id":"c1","case_vignette":"V","question_text":"Q","response":"R2","grade":3,"predicted_score":2,"justification":"J2","judges":[{"model":"jm","status":"ok"}]}\n{"id":"3","benchmark":"u","model":"m","case_id":"c2","case_vignette":"W","response":"R3","grade":1,"judges":[{"model":"jm","status":"parse_error"}]}\n' > ${T}a.ndjson
pt-report --md ${T}a.md -o ${T}a.html ${T}a.ndjson 2>${T}err; st=$?
check "a page: exit 0, nothing said" "0 " "$st $(cat ${T}err)"
body=$(sed -n '/^<main>$/,/^<\/main>$/p' ${T}a.html | grep -v '^<div class="lazy"\|^<details\|^<tr id\|^<form\|^<p>[0-9]\|^$\|^Q</pre>')
want='<main>
<h1>Title &amp; &lt;more&gt;</h1>
<nav><strong>Contents</strong><ol><li><a href="#s1">Two</a></li><li><a href="#cases">Every graded case</a></li><li><a href="#answers">The answers and the judgements</a></li><li><a href="#texts">The cases</a></li></ol></nav>
<p>Text with <code>code</code> and <strong>bold</strong> and a <a href="https://example.org/">link</a> and bad.</p>
<h2 id="s1">Two</h2>
<table><thead><tr><th>k</th><th class="num">n</th></tr></thead><tbody>
<tr><td>a|b</td><td class="num" data-v="1.5">1.5</td></tr>
<tr><td>c</td><td>NA</td></tr>
</tbody></table>
<ul>
<li>one
two</li>
<li>three</li>
</ul>
<h2 id="cases">Every graded case</h2>
<div class="lazy chunk"><table class="cases" id="cases-table"><colgroup><col><col><col><col><col><col><col><col><col></colgroup><thead><tr><th class="num">#</th><th>task</th><th>model</th><th>judge</th><th>status</th><th class="num">physicians</th><th class="num">judge score</th><th class="num">judge − physicians</th><th>case</th></tr></thead><tbody>
</tbody></table></div>
<h2 id="answers">The answers and the judgements</h2>
</div>
<h2 id="texts">The cases</h2>
</div>
</main>'
check "a page: the Markdown as HTML (headings, contents, a table, a list, a javascript: link as text)" "$want" "$body"
check "a page: the cases, the largest disagreement first, the unscored last" \
'<tr id="r1"><td><a href="#j1">1</a><td>t<td>m<td>jm<td>ok<td>3<td>5<td>2<td><a href="#c1">c1</a>
<tr id="r2"><td><a href="#j2">2</a><td>t<td>m2<td>jm<td>ok<td>3<td>2<td>-1<td><a href="#c1">c1</a>
<tr id="r3"><td><a href="#j3">3</a><td>u<td>m<td>jm<td>parse_error<td>1<td><td><td><a href="#c2">c2</a>' "$(grep '^<tr id' ${T}a.html)"
check "a page: each case text once" '<div class="lazy" id="texts-wrap"><details class="case" id="c1"><summary>c1</summary><pre>V

Q</pre></details>
<details class="case" id="c2"><summary>c2</summary><pre>W</pre></details>' "$(sed -n '/<details class="case" id="c1"/,/<\/details>$/p;/<details class="case" id="c2"/p' ${T}a.html)"
check "a page: its answers" '<details class="case" id="j3"><summary>3. u · m · judged by jm</summary><p><a href="#r3">row 3</a> · case <a href="#c2">c2</a> · physicians 1 · judge – (jm) · parse_error</p><h4>The judge'"'"'s justification</h4><pre></pre><h4>The answer</h4><pre>R3</pre></details>' \
	"$(grep '^<details class="case" id="j3"' ${T}a.html)"
csp=$(grep -o '<meta http-equiv="Content-Security-Policy" content="[^"]*">' ${T}a.html)
# the hash of what stands between <TAG> and </TAG>
h() { python3 -c 'import base64, hashlib, re, sys
t = re.search("<%s>(.*?)</%s>" % (sys.argv[1], sys.argv[1]), open(sys.argv[2]).read(), re.S).group(1)
print(base64.b64encode(hashlib.sha256(t.encode()).digest()).decode())' "$1" ${T}a.html; }
check "a page: a Content-Security-Policy allowing nothing but its own style and script, by hash" \
	"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'sha256-$(h style)'; script-src 'sha256-$(h script)'; base-uri 'none'; form-action 'none'\">" "$csp"
check "a page: no request of any kind in it (no src= or href= leaving the page)" "" \
	"$(grep -o '\(src\|href\)="[^"#d][^"]*"' ${T}a.html | grep -v '^href="https://example.org/"$')"
pt-report --md ${T}a.md ${T}a.ndjson > ${T}b.html 2>/dev/null
cmp -s ${T}a.html ${T}b.html && ok "a page: the same bytes again (stdout and -o)" || fail "a page: the same bytes again"
seq 450 | jq -c '{benchmark:"t", model:"m", case_id:"c\(. % 7)", response:"r\(.)", grade:(. % 10), predicted_score:(. % 13)}' |
	pt-report > ${T}chunks.html
check "450 cases: in tables of 200 rows, one heading row, the largest disagreement first" "3 1 450 0 12 12" \
	"$(grep -c '<table class="cases"' ${T}chunks.html) $(grep -o '<th class="num">#</th>' ${T}chunks.html | wc -l) $(grep -c '^<tr id' ${T}chunks.html) $(grep -m1 '^<tr id' ${T}chunks.html | awk -F'<td>' '{print $7, $8, $9}')"
sed 's/$/\r/' ${T}a.md > ${T}crlf.md
pt-report --md ${T}crlf.md ${T}a.ndjson 2>/dev/null | cmp -s - ${T}b.html && ok "a page: Markdown with CRLF line ends reads the same" ||
	fail "a page: Markdown with CRLF line ends reads the same"

# what cannot be read is said, and counted in the exit status; the page still comes
printf '{"response":"fine","grade":1,"predicted_score":1}\nnot json\n{"grade":"x","predicted_score":{"a":1}}\n' > ${T}bad.ndjson
printf '![gone](missing.png)\n\n![up](../x.png)\n\n![abs](/etc/passwd)\n' > ${T}img.md
pt-report --md ${T}img.md -o ${T}bad.html ${T}bad.ndjson 2>${T}err; st=$?
check "bad input: said with file and line, exit 1, the page written and saying so" "1 2 yes yes
pt-report: ${T}bad.ndjson:2: invalid JSON: not a JSON value
pt-report: ${T}img.md:1: image ${TMPDIR}/missing.png: No such file or directory
pt-report: ${T}img.md:3: image '../x.png': not a .png or .svg beside the Markdown; not embedded
pt-report: ${T}img.md:5: image '/etc/passwd': not a .png or .svg beside the Markdown; not embedded
pt-report: 3 figures not embedded
pt-report: 1 record failed" \
	"$st $(grep -c '^<tr id' ${T}bad.html) $(grep -q '<figure>gone</figure>' ${T}bad.html && echo yes) $(grep -q '<p><strong>1 input record could not be read</strong>' ${T}bad.html && echo yes)
$(cat ${T}err)"
pt-report --md ${T}nothere.md < /dev/null 2>${T}err; check "--md FILE unreadable: exit 2" "2 pt-report: --md ${T}nothere.md: No such file or directory" "$? $(cat ${T}err)"
pt-report --no-cases 2>${T}err; check "--no-cases and no --md: exit 2" "2 pt-report: nothing to write: --no-cases and no --md" "$? $(head -1 ${T}err)"
pt-report --pred '.[' < /dev/null 2>${T}err >/dev/null; check "a bad expression: exit 2" "2" "$?"

# SVG in place of PNG, both inline as data: URLs
cp $BR/forest_dx.png $BR/forest_dx.svg $TMPDIR/
printf '![f](forest_dx.png)\n' > $TMPDIR/report-fig.md
pt-report --no-cases --md $TMPDIR/report-fig.md -o ${T}fig.html
check "a figure: its SVG, inline" "<figure><img alt=\"f\" src=\"data:image/svg+xml;base64,$(base64 -w0 $TMPDIR/forest_dx.svg)\"></figure>" \
	"$(grep '^<figure>' ${T}fig.html)"

# --- a hostile record --------------------------------------------------------
{
	jq -cn '{benchmark:"t", model:"m", case_id:"c", response:"<script>window.pwned=1</script>", justification:"<img src=x onerror=\"window.pwned=2\">", grade:1, predicted_score:9}'
	jq -cn '{benchmark:"</style><script>window.pwned=3</script>", model:"\" onmouseover=\"window.pwned=7", case_id:"</pre></article><script>window.pwned=4</script>", response:"[a](javascript:window.pwned=5) javascript:window.pwned=6 ![b](/etc/passwd)", grade:1, predicted_score:8}'
	jq -cn '{benchmark:"<svg onload=window.pwned=8>", model:"m", case_id:"c", response:"a\u2028b\u0000c\u001b[31m", justification:"key https://u:sk-secret@example.org/v1", grade:1, predicted_score:7}'
	printf '{"benchmark":"t","model":"m","case_id":"big","grade":1,"predicted_score":1,"response":"'; head -c 1048576 /dev/zero | tr '\0' y; printf '<b>"}\n'
} > ${T}hostile.ndjson
pt-stats top --by .benchmark --value 'error=.predicted_score - .grade' -n 5 --show answer=.response --show case=.case_id -f md ${T}hostile.ndjson > ${T}hostile.md
printf '\n<script>window.pwned=9</script> [x](javascript:window.pwned=10)\n' >> ${T}hostile.md
pt-report --md ${T}hostile.md -o ${T}hostile.html ${T}hostile.ndjson 2>${T}err; st=$?
check "hostile records: exit 0" "0 " "$st $(cat ${T}err)"
check "hostile records: one script (the page's own), no handler attribute, no javascript: URL, no raw NUL or ESC" "1 0 0 0" \
	"$(grep -o '<script' ${T}hostile.html | wc -l) $(grep -o ' on[a-z]*="' ${T}hostile.html | wc -l) $(grep -o '\(href\|src\)="javascript:' ${T}hostile.html | wc -l) $(tr -d -c '\000\033' < ${T}hostile.html | wc -c)"
check "hostile records: U+2028 as a reference, NUL as U+FFFD, the credentials gone, 1 MB of text whole (in the table and the answer)" "1 1 0 2" \
	"$(grep -c 'a&#x2028;b�c�\[31m' ${T}hostile.html) $(grep -c 'https://\[credentials removed\]@example.org' ${T}hostile.html) $(grep -c sk-secret ${T}hostile.html) $(grep -o 'y*&lt;b&gt;' ${T}hostile.html | awk 'length == 1048576 + 9' | wc -l)"

# --- pt-stats --format latex ---------------------------------------------------
printf '{"m":"a_b & c%%$#{}~^\\\\<>|","v":1}\n{"m":"a_b & c%%$#{}~^\\\\<>|","v":2.5}\n{"m":"plain\\u0007","v":-0.25}\n{"m":"plain\\u0007","v":0.5}\n' > ${T}k.ndjson
check "latex: booktabs, special characters escaped, numbers to the same decimals, the CI beside its estimate" \
'% pt-stats --format latex; needs \usepackage{booktabs}
\begin{tabular}{lrrr}
\toprule
group & n & mean (CI) & sd \\
\midrule
a\_b \& c\%\$\#\{\}\textasciitilde{}\textasciicircum{}\textbackslash{}\textless{}\textgreater{}\textbar{} & 2 & 1.75 ($-$7.78 to 11.28) & 1.06 \\
plain  & 2 & 0.12 ($-$4.64 to 4.89) & 0.53 \\
\bottomrule
\end{tabular}' "$(pt-stats summary --by group=.m --value .v -f latex --columns group,n,mean,ci_low,ci_high,sd ${T}k.ndjson)"
check "latex: p-values to three decimals, below 0.001 said so" '$<$0.001 | 0.154' \
	"$(printf '{"g":"a","v":%s}\n' 1 2 3 4 5 6 7 8 | cat - <(printf '{"g":"b","v":%s}\n' 11 12 13 14 15 16 17 18) <(printf '{"g":"c","v":%s}\n' 3 5 6 7 9 10 4 8) |
	pt-stats compare --by .g --value .v --ref a -f latex --columns g,p | sed -n 's/^[bc] & \(.*\) \\\\$/\1/p' | sort | paste -sd'|' | sed 's/|/ | /')"
if ! command -v pdflatex >/dev/null; then
	fail "latex: pdflatex not installed (make check's deps install texlive-latex-base and texlive-latex-recommended)"
else
	D=$PT_TOP/examples/brodeur
	{
		printf '\\documentclass{article}\n\\usepackage{booktabs}\n\\usepackage[margin=5mm,paperwidth=60cm,paperheight=80cm]{geometry}\n\\begin{document}\n\\scriptsize\n'
		cat $BR/brodeur_dx.ndjson $BR/med42_dx_graded.ndjson | pt-stats summary --by .model --value '.predicted_score // .grade' -f latex
		cat $BR/brodeur_dx.ndjson $BR/med42_dx_graded.ndjson | pt-stats compare --by .model --value '.predicted_score // .grade' --ref physicians_conventional -f latex 2>/dev/null
		cat $BR/judged_dx.ndjson $BR/judged_mgmt.ndjson | pt-stats agree --by .benchmark --boot 200 --cluster .case_id --seed 1 -f latex
		pt-stats paired --by .model --by .benchmark --value .score --pair .item --ref 'Med42-8B (autograded)' -f latex $BR/instruments.ndjson
		pt-stats raters --by .benchmark --item .item --rater .grader --value .score --candidate-value .judge -f latex $BR/raters.ndjson
		pt-stats raters --by .benchmark --item .item --rater .grader --value .score --candidate-value .judge --pairs -f latex $BR/raters.ndjson
		cat $BR/med42_dx_graded.ndjson $BR/med42_mgmt_graded.ndjson | jq -sc -f $D/ppi.jq | pt-stats ppi --by .benchmark --truth .physician --pred .judge --tune -f latex
		pt-stats top --by .benchmark --value 'error=.predicted_score - .grade' -n 3 --show case=.case_id --show answer=.response -f latex $BR/judged_dx.ndjson
		pt-stats summary --by group=.m --value .v -f latex ${T}k.ndjson
		pt-stats agree --by judge=.judge --by benchmark=.benchmark --boot 100 --seed 1 --rank mae -f latex $JU/scores.ndjson
		printf '\\end{document}\n'
	} > ${T}tables.tex 2>${T}tables.err
	check "latex: a table for each verb (summary, compare, agree, paired, raters, raters --pairs, ppi, top, and two more)" "10" \
		"$(grep -c '^\\begin{tabular}' ${T}tables.tex)"
	(cd $TMPDIR && pdflatex -interaction=nonstopmode -halt-on-error report-tables.tex > report-tables.out 2>&1); st=$?
	[ $st = 0 ] && [ -s ${T}tables.pdf ] && ok "latex: every verb's table compiles with pdflatex" ||
		fail "latex: every verb's table compiles with pdflatex" "$(grep -A3 '^!' ${T}tables.log | head -10)"
fi

# --- in the browser -------------------------------------------------------------
cases() { jq -s length "$@"; }
browse() { out=$(python3 "$PT_TOP/tests/browser.py" check "$@" 2>&1); st=$?
	if [ $st = 77 ]; then fail "browser: skipped, $out (make check's deps install chromium)"; return; fi
	printf '%s\n' "$out"; [ $st = 0 ] || fail "browser: $1: exited $st"; }
n=$(cases $BR/judged_dx.ndjson $BR/judged_mgmt.ndjson $BR/med42_dx_graded.ndjson $BR/med42_mgmt_graded.ndjson)
dx=$(cat $BR/judged_dx.ndjson $BR/med42_dx_graded.ndjson | jq -s length)
browse REPORT.html $BR/REPORT.html --cases $n --tables $((1 + $(grep -c '^| ---' $BR/REPORT.md))) --sort "judge score" \
	--filter task=diagnostic_reasoning:$dx --filter model=gpt-4:$(cat $BR/judged_dx.ndjson $BR/judged_mgmt.ndjson | jq -s 'map(select(.model == "gpt-4")) | length') \
	--search Appendicitis:$(cat $BR/judged_dx.ndjson $BR/judged_mgmt.ndjson $BR/med42_dx_graded.ndjson $BR/med42_mgmt_graded.ndjson | jq -s 'map(select([.response, .justification, .case_vignette, .question_text, .case_id, .model, .benchmark] | map(strings) | join(" ") | ascii_downcase | contains("appendicitis"))) | length') \
	--screenshot $TMPDIR/report-brodeur.png
browse JUDGES.html $JU/JUDGES.html --cases $(cat $JU/overall_judge_trials/*.ndjson | jq -s length) \
	--tables $((1 + $(grep -c '^| ---' $JU/JUDGES.md))) --sort "judge score" \
	--filter judge=fictional-flaky:$(cat $JU/overall_judge_trials/flaky_*.ndjson | jq -s length) \
	--filter status=parse_error:$(cat $JU/overall_judge_trials/*.ndjson | jq -s 'map(select(.judges[0].status == "parse_error")) | length')
browse hostile ${T}hostile.html --cases 4 --injection

# --- random Markdown and records: the page always comes, nothing of theirs is markup
python3 - "$TMPDIR" <<'PY'
import json, random, sys
random.seed(34)
d = sys.argv[1]
tok = ["#", "## ", "### ", "|", "| --- | ---: |", "- ", "* ", "```", "`", "**", "[", "]", "(", ")", "![", "](", "\\", "\n",
       "\n\n", " ", "text", "1.5", "NA", "<script>window.pwned=1</script>", "<img src=x onerror=alert(1)>", "javascript:x",
       "forest_dx.png", "../x.png", "&amp;", "\u2028", "\x1b[31m", "https://u:p@h/", "\"", "'", "\u00e9"]
for i in range(200):
    open("%s/report-fz%d.md" % (d, i), "w").write("".join(random.choice(tok) for _ in range(random.randint(0, 120))))
    with open("%s/report-fz%d.ndjson" % (d, i), "w") as f:
        for _ in range(random.randint(0, 5)):
            r = {k: "".join(random.choice(tok + ["\x00"]) for _ in range(random.randint(0, 8)))
                 for k in ("benchmark", "model", "case_id", "case_vignette", "response", "justification")}
            r["grade"], r["predicted_score"] = random.choice([1, 2.5, None, "x"]), random.choice([0, 3, None, [1]])
            f.write(json.dumps(r) + "\n")
        if random.random() < 0.2:
            f.write("{not json\n")
PY
bad=
for i in $(seq 0 199); do
	timeout 10 pt-report --md ${T}fz$i.md -o ${T}fz$i.html ${T}fz$i.ndjson 2>/dev/null; st=$?
	[ $st -gt 1 ] && bad="$bad $i:exit$st"
done
# every page parsed as a browser would: the elements and attributes in it are the page's own
bad="$bad$(python3 - "$TMPDIR" <<'PY'
import html.parser, sys
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts, self.bad = 0, []
    def handle_starttag(self, tag, attrs):
        self.scripts += tag == "script"
        for k, v in attrs:
            if k.startswith("on") or (k in ("href", "src") and (v or "").strip().lower().startswith("javascript:")):
                self.bad.append(k)
        if tag not in ("html", "head", "meta", "title", "style", "body", "main", "nav", "strong", "ol", "li", "a", "h1",
                       "h2", "h3", "h4", "h5", "h6", "p", "code", "ul", "pre", "figure", "img", "table", "thead", "tbody",
                       "tr", "th", "td", "colgroup", "col", "div", "form", "label", "select", "option", "input", "output", "details",
                       "summary", "script"):
            self.bad.append(tag)
for i in range(200):
    try:
        raw = open("%s/report-fz%d.html" % (sys.argv[1], i), "rb").read()
    except FileNotFoundError:   # its exit status is said above
        continue
    p = P()
    p.feed(raw.decode())
    if p.scripts != 1 or p.bad or b"\x00" in raw or b"\x1b" in raw:
        print(" %d:%d,%s" % (i, p.scripts, ",".join(p.bad)), end="")
PY
)"
check "200 random Markdown files and records: a page each (exit 0 or 1), one script, no element or attribute of theirs" "" "$bad"
