# Every answer once per instrument that scored it: the judge's score, and the
# physicians' grade where the dataset has one. Management as % of its
# question's maximum, so both benchmarks read on one scale each; item pairs
# the answers to one question across the arms.
def pct(s): if .benchmark == "management_reasoning" then 100 * s / .max_score else s end;
{benchmark, model, item: [.case_id, .question_text]} as $k
| ($k + {instrument: "judge", score: pct(.predicted_score)}),
  (select(.grade != null) | $k + {instrument: "physician", score: pct(.grade)})
