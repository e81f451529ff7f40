#!/bin/bash
# make install PREFIX=… DESTDIR=… puts the six tools and seven man pages in place.
. "$PT_TOP/tests/lib.sh"
D=$TMPDIR/inst
make -s -C $PT_TOP install PREFIX=/usr/local DESTDIR=$D > /dev/null 2>&1
check "installed binaries" "pt-filter pt-infer pt-judge pt-plot pt-prompt pt-report pt-stats" "$(ls $D/usr/local/bin | tr '\n' ' ' | sed 's/ $//')"
check "installed man pages" "pt-filter.1 pt-infer.1 pt-judge.1 pt-plot.1 pt-prompt.1 pt-report.1 pt-stats.1 pt.7" \
	"$(cd $D/usr/local/share/man && ls man1 man7 | grep -v : | grep . | tr '\n' ' ' | sed 's/ $//')"
check "installed tool runs" "pt-stats (pt) 0.1.0" "$($D/usr/local/bin/pt-stats --version)"
