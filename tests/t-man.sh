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
