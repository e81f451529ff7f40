# The jury: for each answer (in the order first seen), the median of the
# judges that scored it; unscored when none did. Run with -s on scores.
def median: sort | length as $n
  | if $n == 0 then null elif $n % 2 == 1 then .[($n - 1) / 2] else (.[$n / 2 - 1] + .[$n / 2]) / 2 end;
reduce .[] as $s ({}; .[$s.benchmark + "\u001f" + $s.id] += [$s])
| .[]
| (map(.predicted_score | numbers) | median) as $m
| .[0] + {judge: "jury", predicted_score: $m, status: (if $m == null then "no_score" else "ok" end),
          requests: 0, cached: 0, prompt_tokens: 0, completion_tokens: 0, cost: 0}
