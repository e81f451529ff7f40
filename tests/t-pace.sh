#!/bin/bash
# The engine at an account's rate limit: pacing from the servers' own
# rate-limit headers (OpenAI and Anthropic forms), a pause that every job
# honours, --tpm, and nothing given up while a server asks to wait.
. "$PT_TOP/tests/lib.sh"
export PT_API_KEY=sk-test
status_counts() { jq -r .infer.status "$1" | sort | uniq -c | awk '{ printf "%s %s ", $2, $1 }' | sed 's/ $//'; }

# --- an enforced limit of 1,200 requests a minute (a bucket of 10): the
# headers pace -j 64 so that every record is ok and few requests meet a 429
for api in openai anthropic; do
	U=$(start_server "lim$api" --limit-rpm 1200 --burst 10)
	LOG=$TMPDIR/lim$api.log
	msgsn r 60 > $TMPDIR/in.ndjson
	pt-infer --api $api -m m -u "$U" -j 64 $TMPDIR/in.ndjson > $TMPDIR/o.ndjson 2>$TMPDIR/err; st=$?
	n=$(wc -l < $LOG)
	check "enforced limit ($api headers): every record ok" "0 ok 60" "$st $(status_counts $TMPDIR/o.ndjson)"
	# (without pacing, -j 64 against a bucket of 10 meets some 50 429s in the
	# first wave alone; the 10% goal is make bench's, this allows a loaded machine 20%)
	[ $((n - 60)) -le 12 ] && ok "enforced limit ($api headers): $((n - 60)) of $n requests answered 429 (at most 20%)" ||
		fail "enforced limit ($api headers): 429s" "$((n - 60)) of $n requests answered 429"
done

# --- a 429 that says when to come back pauses every start on that replica
U=$(start_server pause)
LOG=$TMPDIR/pause.log
{ msgs "[[pt: fail=429; times=1; retry_after=1]] first"; msgsn p 5; } > $TMPDIR/in.ndjson
pt-infer -m m -u "$U" -j 1 -k $TMPDIR/in.ndjson > $TMPDIR/o.ndjson 2>$TMPDIR/err; st=$?
gap=$(jq -s '.[1].t - .[0].t' $LOG)
check "pause: every record ok" "0 ok 6" "$st $(status_counts $TMPDIR/o.ndjson)"
jq -en "$gap >= 0.9" >/dev/null && ok "pause: the next request waited for Retry-After (${gap} s)" ||
	fail "pause: the next request waited for Retry-After" "gap $gap s"
check "pause: the totals say so (a second, up to a quarter more)" "1" "$(grep -c '1 retries, 1 answered 429, 1\.[0-3] s paused' $TMPDIR/err)"

# --- nothing given up while the server asks to wait: --retries does not count
# 429s with a retry time, 503 or 529; --max-wait does
check "429s with a retry time are not counted against --retries" "ok 5" \
	"$(status_attempts "[[pt: fail=429; times=4; retry_after_ms=50]] q" -m m -u "$U" --retries 1)"
check "503 overloaded waits too" "ok 4" \
	"$(status_attempts "[[pt: fail=503; times=3]] q" -m m -u "$U" --retries 1)"
msgs "[[pt: fail=429; times=99; retry_after_ms=100]] q" > $TMPDIR/in.ndjson
check "--max-wait ends the wait" "http_error" \
	"$(pt-infer -m m -u "$U" --max-wait 0.5 $TMPDIR/in.ndjson 2>/dev/null | jq -r .infer.status)"
check "other failures keep --retries" "http_error 2" \
	"$(status_attempts "[[pt: fail=500; times=99]] q" -m m -u "$U" --retries 1 --retry-after-cap 0)"

# --- a crowded server (issue 35.1): two requests in three answered 429 with
# Retry-After: 1 (a shared key at its limit). The server's second is honoured
# as given, not pt's growing backoff: one wave a second, each record asked
# about three times, none given up after --retries, and the totals' retries
# are the records' attempts less one.
U=$(start_server crowd --faults 429=0.66)
LOG=$TMPDIR/crowd.log
msgsn c 300 > $TMPDIR/in.ndjson
pt-infer -m m -u "$U" -j 64 --retries 2 $TMPDIR/in.ndjson > $TMPDIR/o.ndjson 2>$TMPDIR/err; st=$?
n=$(wc -l < $LOG)
check "crowded server: every record ok, some after more attempts than --retries 2" "0 ok 300 yes" \
	"$st $(status_counts $TMPDIR/o.ndjson) $(jq -rs 'if map(.infer.attempts) | max > 3 then "yes" else "no" end' $TMPDIR/o.ndjson)"
[ "$n" -le 1050 ] && ok "crowded server: $n requests for 300 records (about 3 each)" || fail "crowded server: requests" "$n for 300 records"
check "crowded server: the totals' retries are the records' attempts less one" \
	"$(jq -s 'map(.infer.attempts - 1) | add' $TMPDIR/o.ndjson) retries, $((n - 300)) answered 429" \
	"$(grep -o '[0-9]* retries, [0-9]* answered 429' $TMPDIR/err)"
# the wait between one record's attempts: the server's second, plus the
# pause's quarter at most and the wave's own time (pt's backoff would reach 4 s by the fourth)
check "crowded server: every wait between attempts about the second asked" "true" \
	"$(jq -s 'group_by(.body.messages[0].content) | map(sort_by(.attempt) | [.[1:][] as $b | .[] | select(.attempt == $b.attempt - 1) | $b.t - .t]) | flatten | (min >= 0.99 and max < 1.9)' $LOG)"
# every request 429 + Retry-After: 1: no storm (a wave a second), each record ends within --max-wait
U=$(start_server allbusy)
LOG=$TMPDIR/allbusy.log
msgsn b 40 "[[pt: fail=429; times=999; retry_after=1]]" > $TMPDIR/in.ndjson
pt-infer -m m -u "$U" -j 40 --max-wait 4 $TMPDIR/in.ndjson > $TMPDIR/o.ndjson 2>/dev/null; st=$?
check "every request 429: each record ends http_error after 3 to 5 attempts, no wave within 0.9 s of the last" "1 http_error 40 true true" \
	"$st $(status_counts $TMPDIR/o.ndjson) $(jq -s 'map(.infer.attempts) | min >= 3 and max <= 5' $TMPDIR/o.ndjson) $(jq -s 'map(.t) | sort | [range(1; length) as $i | .[$i] - .[$i - 1] | select(. > 0.1)] | length <= 5 and min >= 0.9' $LOG)"

# --- --tpm: a request is reckoned at its prompt (bytes/4) plus the completion
# limit; answers give back what they did not use. With 3,000 tokens a minute
# and requests reckoned at about 1,030, no more than two are ever out at once.
U=$(start_server tpm)
LOG=$TMPDIR/tpm.log
msgsn t 8 "[[pt: delay=100]]" > $TMPDIR/in.ndjson
pt-infer -m m -u "$U" -j 8 --tpm 3000 --max-tokens 990 $TMPDIR/in.ndjson > $TMPDIR/o.ndjson 2>/dev/null; st=$?
check "--tpm: every record ok, at most 2 in flight" "0 ok 8 2" \
	"$st $(status_counts $TMPDIR/o.ndjson) $(jq -s 'map(.inflight) | max' $LOG)"
