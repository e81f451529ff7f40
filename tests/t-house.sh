#!/bin/bash
# tests/t-house.sh: the map stays true (issue 29): HACKING.md names every
# file of lib/ and src/, and no files of lib/ call each other in a circle
# (tests/layers.sh, from the objects' symbols).
. "$PT_TOP/tests/lib.sh"
missing=
for f in $PT_TOP/lib/*.c $PT_TOP/lib/*.h $PT_TOP/lib/*.sh $PT_TOP/src/*.c; do
	n=$(basename $f)
	grep -qF "\`$n\`" $PT_TOP/HACKING.md || missing="$missing $n"
done
check "HACKING.md names every file of lib/ and src/" "" "$missing"
out=$(sh $PT_TOP/tests/layers.sh); st=$?
check "no circle among the files of lib/" "0 " "$st $(printf '%s\n' "$out" | grep '^circle:')"
check "the engine is below the batch layer" "engine -> no batch" \
	"engine -> $(printf '%s\n' "$out" | grep '^engine ->' | grep -qw batch && echo batch || echo no batch)"
