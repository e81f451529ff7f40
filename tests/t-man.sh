#!/bin/bash
# Man pages: mandoc -Tlint clean; every tool has one, with --help and
# --version answering without reading standard input.
for m in "$PT_TOP"/man/*.[17]; do
	out=$(mandoc -Tlint -Wwarning "$m" 2>&1)
	[ -z "$out" ] && echo "ok man lint $(basename "$m")" || { echo "FAIL man lint $(basename "$m")"; echo "$out" | sed 's/^/     /'; }
done
for t in "$PT_TOP"/bin/pt-*; do
	n=$(basename "$t")
	[ -f "$PT_TOP/man/$n.1" ] && echo "ok man page for $n" || echo "FAIL no man page for $n"
	h=$(timeout 5 "$t" --help 2>&1 </dev/null | head -1)
	case $h in "usage: $n "*) echo "ok $n --help";; *) echo "FAIL $n --help: $h";; esac
	v=$(timeout 5 "$t" --version </dev/null)
	[ "$v" = "$n (pt) 0.1.0" ] && echo "ok $n --version" || echo "FAIL $n --version: $v"
	# the SYNOPSIS in the man page names the same options as --help
	for o in $(timeout 5 "$t" --help </dev/null | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		grep -q -- "Fl Fl ${o#--}\b" "$PT_TOP/man/$n.1" || echo "FAIL $n.1 does not document $o"
	done
done
# every example file a man page or the README points to is in the tree
for f in $(grep -ho 'examples/[A-Za-z0-9_/.-]*\.\(png\|svg\|pdf\)' "$PT_TOP"/man/*.[17] "$PT_TOP"/README.md | sort -u); do
	[ -f "$PT_TOP/$f" ] && echo "ok $f exists" || echo "FAIL $f is named but missing"
done
# the second figure of a man page's .Pq line: NAME , NAME in the first one's folder
grep -h '^\.Pq Pa examples/.* , ' "$PT_TOP"/man/*.1 | while read -r _ _ first _ second _; do
	[ -f "$PT_TOP/$(dirname "$first")/$second" ] && echo "ok $second exists" || echo "FAIL $second is named but missing"
done
