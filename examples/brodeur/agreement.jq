# A compact view of pt-stats agree output (with --boot), for the terminal.
def f: . * 1000 | round / 1000 | tostring;
def p(n): tostring | . + " " * ([n - length, 1] | max);
def ci(k): "\(.[k] | f) [\(.[k + "_ci_low"] | f), \(.[k + "_ci_high"] | f)]";
(if input_line_number == 1 then
   ("benchmark" | p(22)) + ("n" | p(5)) + ("MAE [95% CI]" | p(22)) + ("Pearson r [95% CI]" | p(22))
   + ("QWK [95% CI]" | p(22)) + ("bias" | p(8)) + "limits of agreement"
 else empty end),
(.benchmark | p(22)) + (.n | p(5)) + (ci("mae") | p(22)) + (ci("pearson_r") | p(22)) + (ci("qwk") | p(22))
+ (.bias | f | p(8)) + "\(.loa_low | f) to \(.loa_high | f)"
