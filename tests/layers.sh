#!/bin/sh
# tests/layers.sh: the calls between the files of lib/, from their objects'
# symbols (nm): prints "FILE -> FILE..." for each file, then any circle of
# files that need each other, and exits 1 if there is one. HACKING.md names
# the layers this keeps.
cd "$(dirname "$0")/.." || exit 2
for o in lib/*.o; do
	nm -g --defined-only "$o" | awk -v f="$(basename "$o" .o)" 'NF == 3 { print "D", $3, f }'
	nm -u "$o" | awk -v f="$(basename "$o" .o)" '{ print "U", $2, f }'
done | python3 -c '
import collections, sys
defs, uses = {}, collections.defaultdict(set)
for kind, sym, f in (l.split() for l in sys.stdin):
    if kind == "D":
        defs[sym] = f
    else:
        uses[f].add(sym)
g = {f: sorted({defs[s] for s in syms if s in defs} - {f}) for f, syms in uses.items()}
for f in sorted(g):
    print(f, "->", " ".join(g[f]))
# circles: the strongly connected components of more than one file
index, low, stack, on, circles = {}, {}, [], set(), []
def visit(v):
    index[v] = low[v] = len(index); stack.append(v); on.add(v)
    for w in g.get(v, []):
        if w not in index:
            visit(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            circles.append(sorted(comp))
for v in sorted(g):
    if v not in index:
        visit(v)
for c in circles:
    print("circle:", " ".join(c))
sys.exit(1 if circles else 0)
'
