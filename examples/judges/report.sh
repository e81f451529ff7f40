#!/bin/sh
# report.sh OUT CACHE PT CHOSEN: writes JUDGES.md on stdout from the outputs
# in OUT — what was run, the leaderboard, whether the best judge is really
# better, where the chosen judge disagrees with the physicians, what it cost.
# The same inputs give the same bytes.
set -eu
out=$1 cache=$2 pt=$3 chosen=$4
# the servers' own dates of the replies (the "created" of each cached reply), when they gave one
dates() {
	jq -r '.judges[]?.request_hash // empty' "$@" | sort -u | sed "s|^\(..\)\(.*\)|$cache/\1/\2.json|" |
	xargs -r awk 'FNR > 1' | jq -r '.created // 0' | sort -n |
	awk '$1 > 0 { if (!lo) lo = $1; hi = $1 } END { if (lo) print lo, hi }' | {
		if read -r lo hi; then echo "$(date -u -d @"$lo" +%F) to $(date -u -d @"$hi" +%F)"; else echo "not given by the server"; fi
	}
}
trials=$out/overall_judge_trials
cat <<MD
# Which judge? Four LLM judges on every task, against the physicians

**The judges here are fictional.** Their answers were made by the project's
test server from the physicians' own grades (one close to them, one
generous, one noisy, one that now and then sends broken JSON), to show what
pt computes; the numbers say nothing about any real model.

Every judge scored every answer of the sample dataset
(\`../data/combined_dataset.json\`, fictional too) with \`pt-judge\` against
the published rubric of its task; \`bi_triage\` is scored as PrecepTron does,
with the Bond rubric of \`cpc_bond\`. The jury is the median of the judges
that scored an answer.

- pt $("$pt"/pt-stats --version | sed 's/.* //')
- judges (\`judges.tsv\`):

| judge | api | model | in flight |
| --- | --- | --- | ---: |
$(awk 'NF && $1 ~ /^[A-Za-z0-9]/ { printf "| %s | %s | `%s` | %s |\n", $1, $2, $4, $5 }' judges.tsv)

- answers judged: $(cat "$out"/tasks/*.ndjson | wc -l | tr -d ' ') in $(ls "$out"/tasks | wc -l | tr -d ' ') tasks, by each judge: $(ls "$trials" | wc -l | tr -d ' ') files in \`overall_judge_trials/\` (\`{judge}_{task}.ndjson\`, pt-judge's records)
- dates of the replies: $(dates "$trials"/*.ndjson)

## 1. The leaderboard

Per task, the judges ranked by their mean absolute error (MAE) against the
physician's grade, with its 95% bootstrap interval resampling cases
(\`pt-stats agree --rank mae\`); bias is the judge minus the physician.
Unscored answers are left out of every statistic and counted by status.
Where second and third physician grades exist (diagnostic and management
reasoning), Krippendorff's α of the physicians alone and with the judge in
place of one, and the alternative annotator test of Calderon et al. (ω,
the winning rate: the share of physicians the judge may stand in for;
passed at ω ≥ 0.5, margin ε = 0.2) (\`pt-stats raters\`). Management is in % of each question's maximum there.
All fields are in \`leaderboard.ndjson\`.
$(cat "$out"/leaderboard.md)

## 2. Is the best judge really better?

Per task, each judge's absolute error minus the best judge's on the same
answers (\`pt-stats paired\` on |judge − physician|): the mean difference
with its 95% t interval, the Wilcoxon signed-rank test and Holm's
adjustment across the task's judges. A positive difference: the judge errs
more than the best. Where the interval holds 0, the ranking is a point
estimate, not a finding.
$(cat "$out"/vs_best.md)

$(for f in "$out"/forest_*.png; do t=$(basename "$f" .png | sed 's/^forest_//'); printf '![%s: MAE by judge](%s)\n\n' "$t" "$(basename "$f")"; done)
## 3. Where does the judge disagree with the physicians?

The $chosen judge's largest disagreements per task (\`pt-stats top\` of |judge − physician|):
the case, the answer graded (shortened), the physician's grade, the judge's
score and its justification — what a clinician reads before trusting it.

$(cat "$out"/disagreements.md)

## 4. What each judge cost

Requests sent, answered from the response cache, tokens as the servers
counted them, and what those answers cost at the prices of prices.tsv
(pt-judge --prices; the sample judges' prices are as fictional as they are).

$(cat "$out"/totals.md)
MD
