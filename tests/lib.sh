# tests/lib.sh: helpers for the scripted tests (sourced).
# ok NAME / fail NAME DETAIL print the result lines tests/run.sh counts.
ok()   { echo "ok $1"; }
fail() { echo "FAIL $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | head -20 | sed 's/^/     /'; }
# check NAME WANT GOT
check() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "want: $2
got:  $3"; fi; }
# start_server NAME [server options]: starts tests/server.py, sets $URL_NAME-style
# variables via the caller: prints the base URL; the log is $TMPDIR/NAME.log.
start_server() {
	local name=$1; shift
	rm -f "$TMPDIR/$name.port" "$TMPDIR/$name.log"
	python3 "$PT_TOP/tests/server.py" --port-file "$TMPDIR/$name.port" --log "$TMPDIR/$name.log" --lifetime 600 "$@" \
		>/dev/null 2>&1 &
	echo $! >> "$TMPDIR/servers"
	for _ in $(seq 100); do [ -s "$TMPDIR/$name.port" ] && break; sleep 0.05; done
	echo "http://127.0.0.1:$(cat "$TMPDIR/$name.port")/v1"
}
stop_servers() { [ -f "$TMPDIR/servers" ] && kill $(cat "$TMPDIR/servers") 2>/dev/null; rm -f "$TMPDIR/servers"; }
trap stop_servers EXIT
# rss COMMAND...: its peak RSS in MB (the children's high-water mark); its output is dropped
rss() { python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)' "$@"; }
# msgs TEXT...: NDJSON records {"id":"N","messages":[user TEXT]} one per argument
msgs() { local i=0; for t in "$@"; do i=$((i + 1)); jq -cn --arg t "$t" --arg i "$i" '{id:$i, messages:[{role:"user",content:$t}]}'; done; }
# msgsn PREFIX N [TEXT]: N records with ids PREFIX1..PREFIXN and distinct contents
msgsn() { seq "$2" | jq -c --arg p "$1" --arg t "${3:-}" '{id: "\($p)\(.)", messages: [{role: "user", content: "\($t) \($p) \(.)"}]}'; }
# status_attempts TEXT ARGS...: one record asking TEXT through pt-infer ARGS:
# the answer's "status attempts"
status_attempts() { msgs "$1" > $TMPDIR/sa.ndjson; shift; pt-infer "$@" $TMPDIR/sa.ndjson 2>/dev/null | jq -r '"\(.infer.status) \(.infer.attempts)"'; }
