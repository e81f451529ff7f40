# A compact view of pt-stats paired output, for the terminal.
def f: . * 100 | round / 100 | tostring;
def p(n): tostring | . + " " * ([n - length, 1] | max);
(if input_line_number == 1 then
   ("arm" | p(26)) + ("benchmark" | p(22)) + ("pairs" | p(7)) + ("mean diff [95% CI]" | p(26)) + "Holm p"
 else empty end),
(.model | p(26)) + (.benchmark | p(22)) + (.n_pairs | p(7))
+ ("\(.mean_diff | f) [\(.ci_low | f), \(.ci_high | f)]" | p(26)) + (.p_holm * 10000 | round / 10000 | tostring)
