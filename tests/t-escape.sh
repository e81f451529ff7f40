#!/bin/bash
# tests/t-escape.sh: a record's bytes reach a terminal escaped on every path
# (issue 35.6): each tool's messages, pt-filter's workers, pt-stats' table
# cells. The record holds an OSC title sequence, a colour and a bell; what
# comes out holds none of those bytes raw, and says them as \x1b, \x07.
. "$PT_TOP/tests/lib.sh"
U=$(start_server escape)
E=$'\e]0:pwned\a\e[31m'
jq -nc --arg t "$E" '{id: "1", k: "key \($t)", t: "text \($t)", v: 1, case: "c", question_text: "q",
	response: "[[pt: fail=400; times=99; msg=judge \($t)]]", messages: [{role: "user", content: "[[pt: fail=400; times=99; msg=server \($t)]]"}]}' > $TMPDIR/escape-e.ndjson
printf '{{ error(.t) }}' > $TMPDIR/escape-e.tmpl
# raw COMMAND...: its stdout and stderr, the bytes below 0x20 (but newline) and DEL counted
raw() { "$@" 2>&1 | tr -d '\n' | LC_ALL=C tr -cd '\001-\037\177' | wc -c; }
said() { "$@" 2>&1 | grep -q 'x1b\]0:pwned\\x07\\x1b\[31m' && echo said || echo "not said"; }
while IFS='|' read -r name cmd; do
	check "$name: no control byte raw, the sequence said escaped" "0 said" "$(raw bash -c "$cmd") $(said bash -c "$cmd")"
done <<CMDS
pt-filter error(.t), one thread|pt-filter --threads 1 'error(.t)' $TMPDIR/escape-e.ndjson
pt-filter error(.t), a worker's message|pt-filter --threads 2 'error(.t)' $TMPDIR/escape-e.ndjson
pt-prompt, a template's error|pt-prompt -t $TMPDIR/escape-e.tmpl $TMPDIR/escape-e.ndjson >/dev/null
pt-infer, a server's error message|pt-infer -m m -u $U --no-progress $TMPDIR/escape-e.ndjson >/dev/null
pt-judge, the judge's error message|pt-judge -m j -u $U --task r_idea --no-progress $TMPDIR/escape-e.ndjson >/dev/null
pt-stats summary -f table, a group key|pt-stats summary --by .k --value .v -f table $TMPDIR/escape-e.ndjson
pt-stats summary -f md, a group key|pt-stats summary --by .k --value .v -f md $TMPDIR/escape-e.ndjson
pt-stats, an expression's error|pt-stats summary --value 'error(.t)' -f table $TMPDIR/escape-e.ndjson
pt-plot, an expression's error|pt-plot box --by .k --value 'error(.t)' -o $TMPDIR/escape-e.png $TMPDIR/escape-e.ndjson
CMDS
