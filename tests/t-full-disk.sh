#!/bin/bash
# tests/t-full-disk.sh: a full disk (issue 25.3-5). Output redirected onto a
# full file system ends with a whole record, exit 3; -o, pt-plot and pt-report leave the
# old file as it was and no temporary; -o keeps a file's mode and writes
# through a symbolic link. The full-disk half mounts a small tmpfs, so it runs
# as root only (CI is root); it says so when it skips.
. "$PT_TOP/tests/lib.sh"
U=$(start_server s)
msgsn r 300 "a question long enough to make the record some hundred bytes long, padded padded padded" > $TMPDIR/q.ndjson
jq -c '{id, model: ("m" + (.id | ltrimstr("r") | tonumber % 3 | tostring)), grade: (.id | ltrimstr("r") | tonumber % 10)}' $TMPDIR/q.ndjson > $TMPDIR/g.ndjson

# -o over a file of mode 0600, and through a symbolic link (no disk needed)
printf 'old\n' > $TMPDIR/m.out; chmod 600 $TMPDIR/m.out
pt-infer -m m -u $U -o $TMPDIR/m.out $TMPDIR/q.ndjson 2>/dev/null
check "-o keeps the file's mode" "600 300" "$(stat -c %a $TMPDIR/m.out) $(wc -l < $TMPDIR/m.out)"
printf 'old\n' > $TMPDIR/target.out; ln -sf target.out $TMPDIR/link.out
pt-infer -m m -u $U -o $TMPDIR/link.out $TMPDIR/q.ndjson 2>/dev/null
check "-o through a symbolic link: the target written, the link kept" "link target.out 300" \
	"$([ -L $TMPDIR/link.out ] && echo link) $(readlink $TMPDIR/link.out) $(wc -l < $TMPDIR/target.out)"
ln -sf nowhere/x.out $TMPDIR/dangling.out
pt-infer -m m -u $U -o $TMPDIR/dangling.out $TMPDIR/q.ndjson 2>$TMPDIR/err; st=$?
check "-o to a dangling link: exit 2, said" "2 pt-infer: -o $TMPDIR/dangling.out: No such file or directory" "$st $(cat $TMPDIR/err)"
pt-plot box --by .model --value .grade -o $TMPDIR/fig.png $TMPDIR/g.ndjson; chmod 640 $TMPDIR/fig.png
ln -sf fig.png $TMPDIR/figlink.png
pt-plot box --by .model --value .grade --title again -o $TMPDIR/figlink.png $TMPDIR/g.ndjson
check "pt-plot -o through a link keeps the link and the mode" "link 640" "$([ -L $TMPDIR/figlink.png ] && echo link) $(stat -c %a $TMPDIR/fig.png)"

if [ "$(id -u)" != 0 ] || ! mkdir -p $TMPDIR/full || ! mount -t tmpfs -o size=64k tmpfs $TMPDIR/full 2>/dev/null; then
	echo "skip full-disk tests (they mount a 64 KiB tmpfs: root only)"
	exit 0
fi
trap 'umount $TMPDIR/full 2>/dev/null; stop_servers' EXIT
D=$TMPDIR/full
# fill D to within FREE KiB of its size
fill() { rm -f $D/fill; head -c $(( (64 - $1) * 1024 )) /dev/zero > $D/fill 2>/dev/null; }
# whole OUT: every line a JSON record, the last one ended
whole() { [ ! -s "$1" ] || { [ -z "$(tail -c1 "$1")" ] && jq -c . "$1" > /dev/null 2>&1; } && echo whole || echo "half a line"; }

fill 16
pt-infer -m m -u $U $TMPDIR/q.ndjson > $D/out.ndjson 2>$TMPDIR/err; st=$?
check "pt-infer > full disk: exit 3, whole records only, said" "3 whole pt-infer: write error: No space left on device" \
	"$st $(whole $D/out.ndjson) $(grep 'write error' $TMPDIR/err)"
[ -s $D/out.ndjson ] && ok "pt-infer > full disk: the records that fit are there" || fail "pt-infer > full disk: nothing written"
rm -f $D/out.ndjson; fill 8
pt-filter true $TMPDIR/q.ndjson > $D/out.ndjson 2>$TMPDIR/err; st=$?
check "pt-filter > full disk: exit 3, whole records only" "3 whole" "$st $(whole $D/out.ndjson)"
rm -f $D/out.ndjson; fill 8
pt-infer -m m -u $U $TMPDIR/q.ndjson >> $D/out.ndjson 2>/dev/null; st=$?
check "pt-infer >> full disk: exit 3, whole records only" "3 whole" "$st $(whole $D/out.ndjson)"

# -o onto a full disk: the old file as it was, no temporary left
rm -f $D/out.ndjson; fill 64; printf '{"id":"old"}\n' > $D/out.ndjson; fill 4
pt-infer -m m -u $U -o $D/out.ndjson $TMPDIR/q.ndjson 2>$TMPDIR/err; st=$?
check "pt-infer -o on a full disk: exit 3, old file kept, no temporary" "3 {\"id\":\"old\"} out.ndjson" \
	"$st $(cat $D/out.ndjson) $(cd $D && ls | grep -v '^fill$' | tr '\n' ' ' | sed 's/ $//')"
pt-judge -m j -u $U --task r_idea -o $D/out.ndjson $TMPDIR/q.ndjson 2>$TMPDIR/err; st=$?
check "pt-judge -o on a full disk: old file kept, no temporary" "{\"id\":\"old\"} out.ndjson" \
	"$(cat $D/out.ndjson) $(cd $D && ls | grep -v '^fill$' | tr '\n' ' ' | sed 's/ $//')"
rm -f $D/out.ndjson
# a resume in place onto a full disk loses nothing: the file as it was, and
# resumed again with room, every record once
fill 64; head -50 $TMPDIR/q.ndjson > $TMPDIR/q50.ndjson
pt-infer -m m -u $U --retries 0 $TMPDIR/q50.ndjson 2>/dev/null | head -20 > $D/r.ndjson; cp $D/r.ndjson $TMPDIR/fd-resume.before
fill 8
pt-infer -m m -u $U --resume $D/r.ndjson -o $D/r.ndjson $TMPDIR/q50.ndjson 2>/dev/null; st=$?
check "--resume in place on a full disk: exit 3, the file as it was, no temporary" "3 same r.ndjson" \
	"$st $(cmp -s $D/r.ndjson $TMPDIR/fd-resume.before && echo same) $(cd $D && ls | grep -v '^fill$' | tr '\n' ' ' | sed 's/ $//')"
rm -f $D/fill
pt-infer -m m -u $U --resume $D/r.ndjson -o $D/r.ndjson $TMPDIR/q50.ndjson 2>/dev/null; st=$?
check "then resumed with room: every record once, all ok, the 20 lines as they were" "0 50 50 ok 20" \
	"$st $(wc -l < $D/r.ndjson) $(jq -r .id $D/r.ndjson | sort -u | wc -l) $(jq -r .infer.status $D/r.ndjson | sort -u | tr -d '\n') $(grep -cFxf $TMPDIR/fd-resume.before $D/r.ndjson)"
rm -f $D/r.ndjson

# pt-plot on a full disk: exit 3, a message, the old figure untouched
for f in pdf svg png; do
	fill 64; pt-plot box --by .model --value .grade -o $D/fig.$f $TMPDIR/g.ndjson 2>/dev/null; cp $D/fig.$f $TMPDIR/good.$f
	fill 0
	pt-plot box --by .model --value .grade --title other -o $D/fig.$f $TMPDIR/g.ndjson 2>$TMPDIR/err; st=$?
	check "pt-plot -o fig.$f on a full disk: exit 3, said, old figure kept, no temporary" \
		"3 pt-plot: $D/fig.$f: No space left on device same fig.$f" \
		"$st $(cat $TMPDIR/err) $(cmp -s $D/fig.$f $TMPDIR/good.$f && echo same) $(cd $D && ls | grep -v '^fill$' | tr '\n' ' ' | sed 's/ $//')"
	rm -f $D/fig.$f
done

# pt-report on a full disk: exit 3, said, the old page as it was, no temporary
fill 64; printf 'old page\n' > $D/page.html
fill 0
pt-report -o $D/page.html $PT_TOP/examples/brodeur/out/judged_dx.ndjson 2>$TMPDIR/err; st=$?
check "pt-report -o page.html on a full disk: exit 3, said, old page kept, no temporary" \
	"3 pt-report: write error: No space left on device old page page.html" \
	"$st $(cat $TMPDIR/err) $(cat $D/page.html) $(cd $D && ls | grep -v '^fill$' | tr '\n' ' ' | sed 's/ $//')"
rm -f $D/page.html

# the cache's disk full (issue 35.3): said once, counted in the totals, every record ok
fill 0
pt-infer -m m -u $U --cache $D/c $TMPDIR/q.ndjson > $TMPDIR/c.out 2>$TMPDIR/err; st=$?
check "--cache on a full disk: every record ok, the fault said once and counted" \
	"0 300 1 pt-infer: 300 answers not cached: cache $D/c: No space left on device" \
	"$st $(grep -c '"status":"ok"' $TMPDIR/c.out) $(grep -c 'cache .*; answers are not cached' $TMPDIR/err) $(grep 'answers not cached' $TMPDIR/err)"
# -k behind a stalled request with its temporary file on the full disk: said
# once, the answers held in memory, every record in order
{ msgs "[[pt: delay=3000]] head"; msgsn k 1000 "$(head -c 10000 /dev/zero | tr '\0' x)"; } > $TMPDIR/k.ndjson
TMPDIR=$D pt-infer -m m -u $U -j 64 -k $TMPDIR/k.ndjson > $TMPDIR/k.out 2>$TMPDIR/err; st=$?
check "-k with its temporary file on a full disk: said once, every record in order" \
	"0 1 pt-infer: -k: a temporary file in $D: No space left on device; the answers waiting for an earlier one are held in memory same" \
	"$st $(grep -c -- -k: $TMPDIR/err) $(grep -- -k: $TMPDIR/err) $(jq -r .id $TMPDIR/k.out | cmp -s - <(jq -r .id $TMPDIR/k.ndjson) && echo same)"
