"""The peer of pt-report's bench row: the page a user writes by hand with
Python's html.escape: one table row per graded record, every answer below
it, nothing laid out lazily."""
import html, json, sys

rows, texts = [], []
for line in open(sys.argv[1]):
    r = json.loads(line)
    d = None if r.get("predicted_score") is None else r["predicted_score"] - r["grade"]
    rows.append((abs(d) if d is not None else -1, r))
rows.sort(key=lambda x: -x[0])
out = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>cases</title></head><body><table><tr>"
       "<th>#</th><th>task</th><th>model</th><th>physicians</th><th>judge</th><th>case</th></tr>"]
for i, (_, r) in enumerate(rows, 1):
    out.append("<tr><td><a href='#j%d'>%d</a></td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>" % (
        i, i, html.escape(r["benchmark"]), html.escape(r["model"]), r["grade"], r.get("predicted_score"),
        html.escape(r["case_id"])))
out.append("</table>")
for i, (_, r) in enumerate(rows, 1):
    out.append("<div id='j%d'><h3>%d</h3><pre>%s</pre><pre>%s</pre><pre>%s</pre></div>" % (
        i, i, html.escape(r.get("justification") or ""), html.escape(r["response"]), html.escape(r["case_vignette"])))
out.append("</body></html>")
sys.stdout.write("\n".join(out))
