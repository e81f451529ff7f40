# The Markdown tables of the report, from NDJSON slurped (-s): --arg table
# leaderboard, vs_best or totals. Numbers to 3 decimals, NA where missing.
def num: if type == "number" then (. * 1000 | round / 1000 | tostring) elif . == null then "NA" else tostring end;
def dollars: if type == "number" then (. * 10000 | round / 10000 | tostring) else "NA" end;
def p: if type == "number" and . < 0.001 then "<0.001" else num end;
def ci(a; lo; hi): "\(a | num) (\(lo | num)–\(hi | num))";
def row: "| " + (map(tostring | gsub("\\|"; "\\|")) | join(" | ")) + " |";
def table(head; align): (head | row), ("| " + (align | join(" | ")) + " |");
def task_sections(head; align; cells):
  ([.[].benchmark] | reduce .[] as $b ([]; if index([$b]) then . else . + [$b] end))[] as $t
  | "", "### \($t)", "", table(head; align), (.[] | select(.benchmark == $t) | cells | row);
if $table == "leaderboard" then
  task_sections(["rank", "judge", "n", "unscored", "MAE (95% CI)", "bias", "Pearson r (95% CI)", "QWK (95% CI)",
                 "exact", "within 1", "α physicians", "α with judge", "ω", "passed", "tokens in/out", "cost ($)"];
                ["---:", "---", "---:", "---", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---", "---:", "---:"];
    [.rank, .judge, .n,
     (if .n_unscored == 0 then "0" else "\(.n_unscored) (" + (.unscored | to_entries | map("\(.key) \(.value)") | join(", ")) + ")" end),
     ci(.mae; .mae_ci_low; .mae_ci_high), (.bias | num), ci(.pearson_r; .pearson_r_ci_low; .pearson_r_ci_high),
     ci(.qwk; .qwk_ci_low; .qwk_ci_high), (.exact | num), (.within1 | num),
     (.alpha_physicians | num), (.alpha_with_judge | num), (.alt_omega | num), (.alt_passed | num),
     "\(.prompt_tokens)/\(.completion_tokens)", (.cost | dollars)])
elif $table == "vs_best" then
  task_sections(["best", "judge", "pairs", "mean Δ|error|", "95% CI", "median Δ", "Wilcoxon p", "Holm p", "effect"];
                ["---", "---", "---:", "---:", "---:", "---:", "---:", "---:", "---:"];
    [.best, .judge, .n_pairs, (.mean_diff | num), "\(.ci_low | num) to \(.ci_high | num)", (.median_diff | num),
     (.p | p), (.p_holm | p), (.effect | num)])
else
  (reduce .[] as $s ({}; .[$s.judge] |= (.records += 1 | .scored += (if $s.status == "ok" then 1 else 0 end)
     | .requests += $s.requests | .cached += $s.cached
     | .prompt_tokens += $s.prompt_tokens | .completion_tokens += $s.completion_tokens
     | .cost = (if has("cost") and .cost == null or $s.cost == null then null else .cost + $s.cost end)))) as $t
  | table(["judge", "records", "scored", "requests", "from the cache", "prompt tokens", "completion tokens", "cost ($)"];
          ["---", "---:", "---:", "---:", "---:", "---:", "---:", "---:"]),
    ($t | to_entries[] | [.key, .value.records, .value.scored, .value.requests, .value.cached,
                          .value.prompt_tokens, .value.completion_tokens, (.value.cost | dollars)] | row)
end
