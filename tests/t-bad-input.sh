#!/bin/bash
# The bad-input corpus (tests/data/bad/, plus a 100 MB line, a directory and a
# closed stdout made here) through every tool: no crash, a documented exit
# status, whole NDJSON lines only, every record error named by file:line.
. "$PT_TOP/tests/lib.sh"
BAD=$PT_TOP/tests/data/bad
C=$TMPDIR/emptycache; mkdir -p $C
python3 -c "print('{\"id\":\"big\",\"grade\":1,\"response\":\"' + 'x' * ${LONG_LINE:-100000000} + '\"}')" > $TMPDIR/long-line.ndjson
mkdir -p $TMPDIR/a-directory
tools=(
	"pt-filter true"
	"pt-prompt --user {{.id}}"
	"pt-infer -m m --offline --cache $C"
	"pt-judge -m j --task r_idea --offline --cache $C"
	"pt-stats summary -f ndjson"
	"pt-plot box --by .id --value .grade --stats -o $TMPDIR/bad.png"
)
for f in $BAD/* $TMPDIR/long-line.ndjson $TMPDIR/a-directory; do
	for t in "${tools[@]}"; do
		name="$(basename $f) | ${t%% *}"
		timeout 60 $t "$f" > $TMPDIR/bad.out 2> $TMPDIR/bad.err; st=$?
		case $st in 0|1|2|3) ;; *) fail "$name: exit $st (crash?)" "$(tail -3 $TMPDIR/bad.err)"; continue;; esac
		if [ -s $TMPDIR/bad.out ] && { [ -n "$(tail -c1 $TMPDIR/bad.out)" ] || ! jq -c . $TMPDIR/bad.out > /dev/null 2>&1; }; then
			fail "$name: output is not whole NDJSON lines"; continue
		fi
		# every message about a record names it by file:line
		if grep -v -E "^${t%% *}: ($(printf '%s' "$f" | sed 's/[.[\*^$/]/\\&/g'):[0-9]+: |[0-9]+ (records?|judgements|of)[ ,]|[0-9]+ inputs? could not be read|$(printf '%s' "$f" | sed 's/[.[\*^$/]/\\&/g'): Is a directory|.* records? with a missing)" $TMPDIR/bad.err | grep -q .; then
			fail "$name: a message without file:line" "$(cat $TMPDIR/bad.err | head -5)"; continue
		fi
		ok "$name: exit $st, whole lines, located messages"
	done
done
# a line far longer than a block through a pipe (read by the main thread, not
# pread): read on to its newline, growing only when full (it doubled on every
# read and ran out of memory at once), the record whole
cat $TMPDIR/long-line.ndjson | pt-filter true > $TMPDIR/long.out 2> $TMPDIR/long.err; st=$?
check "a $(wc -c < $TMPDIR/long-line.ndjson)-byte line through a pipe: pt-filter writes it whole" "0 $(md5sum < $TMPDIR/long-line.ndjson)" "$st $(md5sum < $TMPDIR/long.out)"
check "the same through pt-stats: one value" "0 1" "$(cat $TMPDIR/long-line.ndjson | pt-stats summary -f ndjson 2>&1 | jq -r .n | sed 's/^/0 /')"
head -c 5000000 /dev/zero | tr '\0' 'a' | { cat; echo; echo '{"grade":2}'; } | pt-stats summary -f ndjson > $TMPDIR/long.out 2> $TMPDIR/long.err; st=$?
check "a 5 MB bad line through a pipe: one bad record, the next read" "1 1 pt-stats: <stdin>:1: invalid JSON: not a JSON value" "$st $(jq -r .n $TMPDIR/long.out) $(head -1 $TMPDIR/long.err)"
# a closed stdout and a full disk: exit 3 or SIGPIPE, never a crash
for t in "${tools[@]}"; do
	PT_VG_LEAKS=no $t $BAD/crlf.ndjson > /dev/full 2>/dev/null; st=$?
	check "${t%% *} to /dev/full: exit 3" "3" "$st"
	( PT_VG_LEAKS=no $t $BAD/crlf.ndjson >&- 2>$TMPDIR/closed.err ); st=$?
	check "${t%% *} with stdout closed: exit 3" "3 ${t%% *}: write error: standard output is closed" "$st $(grep 'write error' $TMPDIR/closed.err)"
done
