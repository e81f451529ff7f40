#!/bin/sh
# report.sh OUT MODEL LABEL JUDGE CACHE PT: writes REPORT.md on stdout from the
# workflow's outputs in OUT — what was run, the same-instrument paired
# comparison first, then the rest. Markdown that reads as it is on a
# code-hosting site and through pandoc; the same inputs give the same bytes.
set -eu
out=$1 model=$2 label=$3 judge=$4 cache=$5 pt=$6
n() { wc -l < "$1" | tr -d ' '; }
# how many of the requests of FILES were answered from the cache (FILTER: the entries)
cached() { f=$1; shift; jq -rs "[.[] | $f] | \"\\(map(select(.cached)) | length) of \\(length)\"" "$@"; }
# the servers' own dates of the replies (the "created" of each cached reply), when they gave one
dates() {
	jq -r '.infer.request_hash?, (.judges[]?.request_hash)' "$@" | sort -u | while read -r h; do
		f=$cache/$(printf %s "$h" | cut -c1-2)/$(printf %s "$h" | cut -c3-).json
		[ -f "$f" ] && tail -n +2 "$f" | jq -r '.created // 0'
	done | sort -n | awk '$1 > 0 { if (!lo) lo = $1; hi = $1 } END { if (lo) print lo, hi }' | {
		if read -r lo hi; then echo "$(date -u -d @"$lo" +%F) to $(date -u -d @"$hi" +%F)"; else echo "not given by the server"; fi
	}
}
cat <<MD
# $label on the Brodeur et al. cases

The vignette of PrecepTron, run by pt: the new model answered every
diagnostic and management question of the Brodeur et al. cases, an LLM judge
scored those answers against the published rubrics, and the judge also scored
the study's own answers, so that every arm can be compared **by the same
instrument**.

- pt $("$pt"/pt-stats --version | sed 's/.* //')
- model: \`$model\`, shown as "$label"
- judge: \`$judge\`
- questions: $(n "$out"/med42_dx.ndjson) diagnostic, $(n "$out"/med42_mgmt.ndjson) management;
  study answers judged: $(n "$out"/judged_dx.ndjson) diagnostic, $(n "$out"/judged_mgmt.ndjson) management
- answers from the response cache: $(cached .infer "$out"/med42_dx.ndjson "$out"/med42_mgmt.ndjson);
  judgements: $(cached '.judges[]' "$out"/med42_dx_graded.ndjson "$out"/med42_mgmt_graded.ndjson "$out"/judged_dx.ndjson "$out"/judged_mgmt.ndjson)
- dates of the replies: $(dates "$out"/med42_dx_graded.ndjson "$out"/med42_mgmt_graded.ndjson "$out"/judged_dx.ndjson "$out"/judged_mgmt.ndjson)

## 1. The same instrument, paired by question

Each arm minus $label, **both scored by the judge**, question by question
(\`pt-stats paired\`): the mean and median difference, the 95% t interval of
the mean, the Wilcoxon signed-rank test with Holm's adjustment across the
rows, and the matched-pairs rank-biserial correlation (\`effect\`). A negative
difference means the arm scored below $label. Management is in % of each
question's rubric maximum.

$(cat "$out"/paired_judge.md)

![Diagnostic reasoning, each arm minus $label](forest_dx.png)

![Management reasoning, each arm minus $label](forest_mgmt.png)

For reference, the comparison that mixes instruments — the study's arms as
the physicians graded them, against $label as the judge scored it:

$(cat "$out"/paired_physician.md)

## 2. Every arm by both instruments

$(cat "$out"/instruments.md)

![Diagnostic reasoning by both instruments](instruments_dx_box.png)

## 3. The judge against the physicians

On the study's own answers, with 95% bootstrap intervals clustered by case:

$(cat "$out"/judge_agreement.md)

Can the judge stand in for a physician? Every other answer of the study has
a second and third physician grade (fictional, \`../data/grades.ndjson\`).
\`alpha\` is Krippendorff's alpha among the physicians, \`alpha_candidate\`
the same with the judge in place of each physician in turn; the alternative
annotator test (Calderon, Reichart & Dror 2025, ε = 0.2) asks, leaving one
physician out at a time, whether the judge or that physician agrees better
with the others: \`alt_omega\` is the share of physicians the judge beats,
\`alt_passed\` whether that is half or more, \`alt_rho\` how often the judge
does at least as well (\`pt-stats raters\`, pt-stats(1)).

$(cat "$out"/raters.md)

Each pair of raters, the judge ("candidate") among them:

$(cat "$out"/rater_pairs.md)

The new model's score corrected for the judge's bias (prediction-powered
inference, PPI++): every third of its answers has a physician grade here —
**simulated, not a physician's: the judge's score less 1.5 points and a
little noise** (\`ppi.jq\`), to show the computation. \`naive\` is what the
judge alone says, \`classical\` what the graded sample alone says,
\`estimate\` the two combined.

$(cat "$out"/ppi.md)

![Judge against physicians, diagnostic reasoning](judge_dx_scatter.png)

![Judge minus physicians, diagnostic reasoning](judge_dx_bland_altman.png)

![Judge against physicians, management reasoning](judge_mgmt_scatter.png)

## 4. The vignette's figures

![Diagnostic reasoning](dx_box.png)

![Management reasoning](mgmt_box.png)

The vignette's tables (independent samples, Mann–Whitney, each arm by its own
instrument) are in \`dx_summary.txt\`, \`mgmt_summary.txt\`, \`dx_compare.txt\`
and \`mgmt_compare.txt\`.
MD
