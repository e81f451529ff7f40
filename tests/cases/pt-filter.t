# name	command	stdin	stdout	status	stderr
select by study	pt-filter '.study|startswith("brodeur")' recs.ndjson		{"id":"1","case_id":"c1","benchmark":"diagnostic_reasoning","study":"brodeur_landmark","model":"o1-preview","grade":17.5,"max_score":19}\n{"id":"2","case_id":"c1","benchmark":"diagnostic_reasoning","study":"brodeur_landmark","model":"physicians_conventional","grade":12,"max_score":19}\n{"id":"3","case_id":"c2","benchmark":"management_reasoning","study":"brodeur_mgmt","model":"gpt-4","grade":6,"max_score":10,"rubric":{"a":2}}	0	
vignette selection	pt-filter '(.study|startswith("brodeur")) and .benchmark=="diagnostic_reasoning"' recs.ndjson | pt-filter '{id}'		{"id":"1"}\n{"id":"2"}	0	
transform	pt-filter 'select(.max_score) | {id, pct: (100 * .grade / .max_score)}' recs.ndjson | head -2		{"id":"1","pct":92.10526315789474}\n{"id":"2","pct":63.1578947368421}	0	
false and null drop	pt-filter 'if .id=="1" then false elif .id=="2" then null else .id=="3" end' recs.ndjson | pt-filter '{id}'		{"id":"3"}	0	
several outputs	pt-filter '(true, {id})' recs.ndjson | head -2		{"id":"1","case_id":"c1","benchmark":"diagnostic_reasoning","study":"brodeur_landmark","model":"o1-preview","grade":17.5,"max_score":19}\n{"id":"1"}	0	
stdin dash	pt-filter '.a==2' -	{"a":1}\n{"a":2}\n	{"a":2}	0	
stdin none	pt-filter .a	{"a":true}\n{"a":false}\n	{"a":true}	0	
identity keeps bytes	pt-filter true	{"a" : 1,  "b":[1, 2]}\n	{"a" : 1,  "b":[1, 2]}	0	
numbers unchanged	pt-filter true numbers.ndjson		{"n":9007199254740993,"x":0.30000000000000004,"y":1e-320,"z":-0,"study":"brodeur"}	0	
numbers through select	pt-filter 'select(.n > 1)' numbers.ndjson		{"n":9007199254740993,"x":0.30000000000000004,"y":1e-320,"z":-0,"study":"brodeur"}	0	
array input	pt-filter '.grade > 1' array.json		{"id": "b", "study": "goh", "grade": 2}	0	
array to ndjson	pt-filter true array.json		{"id": "a", "study": "brodeur_x", "grade": 1}\n{"id": "b", "study": "goh", "grade": 2}	0	
concatenated input	pt-filter '{id}'	{"id":1}{"id":2} {"id":3}\n{\n"id": 4\n}\n	{"id":1}\n{"id":2}\n{"id":3}\n{"id":4}	0	
pretty record compacted	pt-filter true	{\n  "a": "x y",\n  "b": [1,\n 2]\n}\n	{"a":"x y","b":[1,2]}	0	
crlf	pt-filter '.id==2' crlf.ndjson		{"id":2}	0	
bom	pt-filter '{id}' bom.ndjson		{"id":1}	0	
empty input	pt-filter true empty.ndjson			0	
malformed lines	pt-filter '{id}' mixed.ndjson		{"id":1}\n{"id":4}	1	pt-filter: mixed.ndjson:2: invalid JSON: unexpected end of line\npt-filter: mixed.ndjson:3: not an object\npt-filter: mixed.ndjson:4: not an object\npt-filter: 3 records failed
not json	pt-filter true	hello\n{"a":1}\n	{"a":1}	1	pt-filter: <stdin>:1: invalid JSON: not a JSON value\npt-filter: 1 record failed
truncated last	pt-filter true	{"a":1}\n{"a":	{"a":1}	1	pt-filter: <stdin>:2: invalid JSON: truncated JSON value\npt-filter: 1 record failed
non-object value	pt-filter true	[1,{"a":1},"x"]	{"a":1}	1	pt-filter: <stdin>:1: not an object\npt-filter: <stdin>:1: not an object\npt-filter: 2 records failed
bad output kind	pt-filter '.a'	{"a":1}\n{"a":"s"}\n		1	pt-filter: <stdin>:1: EXPR gave a number, not a boolean or an object\npt-filter: <stdin>:2: EXPR gave a string, not a boolean or an object\npt-filter: 2 records failed
runtime error	pt-filter '.a|startswith("x")'	{"a":1}\n{"a":"xy"}\n	{"a":"xy"}	1	pt-filter: <stdin>:1: startswith() requires string inputs\npt-filter: 1 record failed
compile error	pt-filter '.a |||'	{"a":1}\n		2	pt-filter: EXPR: jq: error: syntax error, unexpected '|' (Unix shell quoting issues?) at <top-level>, line 1: .a |||    ; jq: 1 compile error
missing expr	pt-filter			2	pt-filter: missing EXPR\nTry 'pt-filter --help' for more information.
bad option	pt-filter --frob true			2	pt-filter: unrecognized option '--frob'\npt-filter: unknown option\nTry 'pt-filter --help' for more information.
missing file	pt-filter true nosuch.ndjson recs.ndjson | wc -l		5	1	pt-filter: nosuch.ndjson: No such file or directory\npt-filter: 1 input could not be read
directory operand	pt-filter true . ; echo "rc=$?"		rc=1	0	pt-filter: .: Is a directory\npt-filter: 1 input could not be read
arg	pt-filter --arg m gpt-4 '.model==$m' recs.ndjson | pt-filter '{id}'		{"id":"3"}\n{"id":"4"}	0	
argjson	pt-filter --argjson g '[5,6]' '.grade as $x | $g | index([$x]) != null' recs.ndjson | pt-filter '{id}'		{"id":"3"}\n{"id":"4"}	0	
bad argjson	pt-filter --argjson g '[5,' true			2	pt-filter: --argjson g: invalid JSON text: Unfinished JSON term at EOF at line 1, column 3 (while parsing '[5,')\nTry 'pt-filter --help' for more information.
from file	printf '.grade >= 12' > $TMPDIR/p.jq; pt-filter -f $TMPDIR/p.jq recs.ndjson | pt-filter '{id}'		{"id":"1"}\n{"id":"2"}	0	
distinct	pt-filter --distinct .case_id true recs.ndjson | pt-filter '{id}'		{"id":"1"}\n{"id":"3"}\n{"id":"4"}\n{"id":"5"}	0	
distinct model	pt-filter -d .model '.grade != null' recs.ndjson | pt-filter '{model}'		{"model":"o1-preview"}\n{"model":"physicians_conventional"}\n{"model":"gpt-4"}	0	
limit	pt-filter -n 2 true recs.ndjson | pt-filter '{id}'		{"id":"1"}\n{"id":"2"}	0	
limit zero	pt-filter --limit 0 true recs.ndjson			0	
sample deterministic	a=$(seq 100 | sed 's/.*/{"i":&}/' | pt-filter --sample 5 --seed 7 true); b=$(seq 100 | sed 's/.*/{"i":&}/' | pt-filter --sample 5 --seed 7 true); [ "$a" = "$b" ] && echo "$a" | wc -l		5	0	
sample input order	seq 100 | sed 's/.*/{"i":&}/' | pt-filter --sample 10 --seed 3 true | jq -s 'map(.i) | . == sort'		true	0	
sample seeds differ	a=$(seq 100 | sed 's/.*/{"i":&}/' | pt-filter -s 5 --seed 1 true); b=$(seq 100 | sed 's/.*/{"i":&}/' | pt-filter -s 5 --seed 2 true); [ "$a" != "$b" ] && echo differ		differ	0	
sample more than input	pt-filter -s 10 '{id}' recs.ndjson | wc -l		5	0	
loc	pt-filter '{l: $__loc__}'	{}\n	{"l":{"file":"<top-level>","line":1}}	0	
input no crash	pt-filter '[., input] | length == 2'	{"a":1}\n{"a":2}\n		1	pt-filter: <stdin>:1: No more inputs\npt-filter: <stdin>:2: No more inputs\npt-filter: 2 records failed
debug no crash	pt-filter 'debug | true'	{"a":1}\n	{"a":1}	0	["DEBUG:",{"a":1}]
help	pt-filter --help | head -1		usage: pt-filter [options] EXPR [FILE...]	0	
version	pt-filter --version		pt-filter (pt) 0.1.0	0	
write error exit 3	PT_VG_LEAKS=no pt-filter true recs.ndjson > /dev/full			3	pt-filter: write error: No space left on device
NaN token	pt-filter true	{"a":NaN}\n{"a":1}\n	{"a":1}	1	pt-filter: <stdin>:1: invalid JSON: unexpected character\npt-filter: 1 record failed
Infinity token	pt-filter true	{"a":Infinity}\n		1	pt-filter: <stdin>:1: invalid JSON: unexpected character\npt-filter: 1 record failed
NUL byte	printf '{"a":1}\n{"a":"x\0y"}\n{"a":3}\n' | pt-filter true		{"a":1}\n{"a":3}	1	pt-filter: <stdin>:2: invalid JSON: control character in string\npt-filter: 1 record failed
no trailing newline	pt-filter true	{"a":1}\n{"a":2}	{"a":1}\n{"a":2}	0	
invalid UTF-8	pt-filter true	{"a":"\xff\xfe\xc3"}\n{"a":"\xc3\xa9 \xe2\x98\x83 \xf0\x9f\x98\x80"}\n{"\xff":1}\n{"s":"\xed\xa0\x80"}\n{"s":"\xc0\xaf"}\n{"s":"\xf4\x90\x80\x80"}\n{"s":"\xe2\x98"}\n	{"a":"\xc3\xa9 \xe2\x98\x83 \xf0\x9f\x98\x80"}	1	pt-filter: <stdin>:1: invalid JSON: invalid UTF-8 in string\npt-filter: <stdin>:3: invalid JSON: invalid UTF-8 in string\npt-filter: <stdin>:4: invalid JSON: invalid UTF-8 in string\npt-filter: <stdin>:5: invalid JSON: invalid UTF-8 in string\npt-filter: <stdin>:6: invalid JSON: invalid UTF-8 in string\npt-filter: <stdin>:7: invalid JSON: invalid UTF-8 in string\npt-filter: 6 records failed
PT_THREADS must be a number	PT_THREADS=abc pt-filter true	{"a":1}\n		2	pt-filter: PT_THREADS: not an integer: 'abc'\nTry 'pt-filter --help' for more information.
