# The study's answers in long form for pt-stats raters: a record per
# physician grade (g1, the dataset's own; g2 and g3 from ../data/grades.ndjson,
# fictional) with the judge's score of the same answer. Management as % of
# its question's maximum. Run with --slurpfile more ../data/grades.ndjson.
def pct(s): if .benchmark == "management_reasoning" then 100 * s / .max_score else s end;
(reduce $more[] as $x ({}; .[$x.id] += [$x])) as $by_id
| . as $r
| {benchmark, item: .id, judge: pct(.predicted_score)} as $k
| ($k + {grader: "g1", score: pct(.grade)}),
  (($by_id[.id] // [])[] as $x | $k + {grader: $x.grader, score: ($r | pct($x.grade))})
