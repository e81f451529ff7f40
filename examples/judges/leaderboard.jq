# One row per task and judge, in agree's order (ranked by MAE within each
# task): the agreement with the physicians, the judge in a physician's place
# (Krippendorff's alpha beside the physicians' own, the alternative annotator
# test) where second grades exist, what went unscored and why, tokens and
# dollars (null when any answer's price is unknown).
# Run with -n --slurpfile agree, raters and scores.
def key: .benchmark + "\u001f" + .judge;
(reduce $raters[] as $r ({}; .[$r | key] = $r)) as $rat
| (reduce $scores[] as $s ({};
    .[$s | key] |= (.requests += $s.requests | .cached += $s.cached
      | .prompt_tokens += $s.prompt_tokens | .completion_tokens += $s.completion_tokens
      | .cost = (if has("cost") and .cost == null or $s.cost == null then null else .cost + $s.cost end)
      | if $s.status != "ok" then .unscored[$s.status] += 1 else . end))) as $sum
| $agree[] | $rat[key] as $r | $sum[key] as $s
| {benchmark, judge, rank, n, n_unscored: ([$s.unscored[]?] | add // 0), unscored: ($s.unscored // {}),
   mae, mae_ci_low, mae_ci_high, bias, pearson_r, pearson_r_ci_low, pearson_r_ci_high,
   qwk, qwk_ci_low, qwk_ci_high, exact, within1,
   alpha_physicians: $r.alpha, alpha_with_judge: $r.alpha_candidate, alt_omega: $r.alt_omega, alt_passed: $r.alt_passed,
   requests: $s.requests, cached: $s.cached, prompt_tokens: $s.prompt_tokens, completion_tokens: $s.completion_tokens,
   cost: $s.cost}
