# Each judge's scores in long form for pt-stats raters: a record per
# physician grade of the answer (g1 the dataset's own; g2 and g3 from
# ../data/grades.ndjson, fictional, where they exist) with the judge's score
# of it. Management as % of its question's maximum, so that one scale holds
# every question. Run with --slurpfile more ../data/grades.ndjson.
def pct(s): if .benchmark == "management_reasoning" and s != null then 100 * s / .max_score else s end;
(reduce $more[] as $x ({}; .[$x.id] += [$x])) as $by_id
| . as $r
| {benchmark, judge, item: .id, judge_score: pct(.predicted_score)} as $k
| ($k + {grader: "g1", score: pct(.grade)}),
  (($by_id[.id] // [])[] as $x | $k + {grader: $x.grader, score: ($r | pct($x.grade))})
