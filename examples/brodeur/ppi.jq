# FICTIONAL, SIMULATED: a physician grade for every third answer of the new
# model — the judge's score less 1.5 points (a judge too kind) and a little
# noise — so that pt-stats ppi has a labelled sample to correct with. No
# physician graded these answers. Management as % of its maximum.
def pct(s): if .benchmark == "management_reasoning" then 100 * s / .max_score else s end;
def clamp(hi): if . < 0 then 0 elif . > hi then hi else . end;
to_entries[] | .key as $k | .value
| (if .benchmark == "management_reasoning" then .max_score else 19 end) as $hi
| {benchmark, item: .case_id, judge: pct(.predicted_score),
   physician: (if $k % 3 == 0 then pct(.predicted_score - 1.5 + (($k * 7) % 5 - 2) * 0.5 | clamp($hi)) else null end)}
