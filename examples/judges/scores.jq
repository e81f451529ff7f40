# One judge's record (as pt-judge writes it) slimmed to what the leaderboard
# reads: the answer's identity, the physicians' grade, the judge's score and
# status, and what it cost (in dollars: null when a judgement's price is
# unknown). Run with --arg judge NAME.
{judge: $judge, id, case_id, benchmark, grade, max_score, predicted_score,
 status: (if .predicted_score == null then [.judges[]?.status][0] // "no_judgement" else "ok" end),
 requests: ([.judges[]? | select(.request_hash != null)] | length),
 cached: ([.judges[]? | select(.cached)] | length),
 prompt_tokens: ([.judges[]?.usage.prompt_tokens? // 0] | add // 0),
 completion_tokens: ([.judges[]?.usage.completion_tokens? // 0] | add // 0),
 cost: ([.judges[]? | .cost] | if any(. == null) then null else add // 0 end)}
