# name	command	stdin	stdout	status	stderr
list	pt-prompt -l		diagnostic   differential diagnosis and reasoning (the vignette's diagnostic loop)\nmanagement   answer a case-specific management question (the vignette's management loop)	0	
show	pt-prompt --show management		You are an expert clinician.\n\nCase: {{ .case_vignette }}\n\nQuestion: {{ .question_text }}\n\nProvide your answer.	0	
show unknown	pt-prompt --show nope			2	pt-prompt: no built-in template 'nope' (see pt-prompt -l)\nTry 'pt-prompt --help' for more information.
no template	pt-prompt	{}\n		2	pt-prompt: no template: give -t NAME|FILE, --user or --system\nTry 'pt-prompt --help' for more information.
diagnostic	pt-prompt -t diagnostic	{"id":"x","case_vignette":"A 30-year-old.","question_text":"Dx?","n":1.50}\n	{"id":"x","case_vignette":"A 30-year-old.","question_text":"Dx?","n":1.50,"messages":[{"role":"user","content":"You are an expert clinician. Given the following case, provide your differential diagnosis and reasoning.\\n\\nCase: A 30-year-old.\\n\\nQuestion: Dx?"}]}	0	
management	pt-prompt -t management	{"case_vignette":"C","question_text":"Q"}\n	{"case_vignette":"C","question_text":"Q","messages":[{"role":"user","content":"You are an expert clinician.\\n\\nCase: C\\n\\nQuestion: Q\\n\\nProvide your answer."}]}	0	
sections file	pt-prompt -t sections.tmpl cases.ndjson | tail -1 | jq -c .messages		[{"role":"system","content":"You grade management_reasoning answers. Max 5."},{"role":"user","content":"Case: Patient says: {{ env }} and \\\\{{ .x }} — naïve café ☃\\nRubric: {\\"Order echocardiogram\\":2,\\"Start empiric antibiotics\\":3}\\nLiteral: {{ not a placeholder }}"}]	0	
default for missing	pt-prompt -t sections.tmpl cases.ndjson | head -1 | jq -r '.messages[1].content' | sed -n 3p		Rubric: none	0	
inline user	pt-prompt --user 'Score {{ .grade }} of {{ .max_score }} for {{ .tags }}'	{"grade":2.5,"max_score":19,"tags":["a",1]}\n	{"grade":2.5,"max_score":19,"tags":["a",1],"messages":[{"role":"user","content":"Score 2.5 of 19 for [\\"a\\",1]"}]}	0	
inline system only	pt-prompt --system 'Be brief.'	{}\n	{"messages":[{"role":"system","content":"Be brief."}]}	0	
system and user	pt-prompt --system 'S {{ $who }}' --user 'U' --arg who me	{}\n	{"messages":[{"role":"system","content":"S me"},{"role":"user","content":"U"}]}	0	
argjson	pt-prompt --user '{{ $n + 1 }}' --argjson n 41	{}\n	{"messages":[{"role":"user","content":"42"}]}	0	
replaces messages	pt-prompt --user 'new'	{"messages":[1],"prompt_error":"old","a":1}\n	{"a":1,"messages":[{"role":"user","content":"new"}]}	0	
injection stays literal	pt-prompt --user '[{{ .v }}]'	{"v":"{{ env }} {{ $ENV.HOME }}"}\n	{"v":"{{ env }} {{ $ENV.HOME }}","messages":[{"role":"user","content":"[{{ env }} {{ $ENV.HOME }}]"}]}	0	
escaped braces	pt-prompt --user 'a \{{ .v }} b {{ .v }}'	{"v":"x"}\n	{"v":"x","messages":[{"role":"user","content":"a {{ .v }} b x"}]}	0	
braces inside expr	pt-prompt --user '{{ {a: {b: .v}} }}'	{"v":"x"}\n	{"v":"x","messages":[{"role":"user","content":"{\\"a\\":{\\"b\\":\\"x\\"}}"}]}	0	
unicode and newlines	pt-prompt --user '<{{ .v }}>'	{"v":"l1\\nl2\\t☃ \\u00e9 \\ud83d\\ude00"}\n	{"v":"l1\\nl2\\t☃ \\u00e9 \\ud83d\\ude00","messages":[{"role":"user","content":"<l1\\nl2\\t☃ é 😀>"}]}	0	
missing field	pt-prompt -t diagnostic	{"id":"a","case_vignette":"C"}\n	{"id":"a","case_vignette":"C","prompt_error":"{{ .question_text }} is null or missing"}	1	pt-prompt: <stdin>:1: {{ .question_text }} is null or missing\npt-prompt: 1 record failed
jq error	pt-prompt --user '{{ .v | ascii_downcase }}'	{"v":1}\n{"v":"A"}\n	{"v":1,"prompt_error":"{{ .v | ascii_downcase }}: explode input must be a string"}\n{"v":"A","messages":[{"role":"user","content":"a"}]}	1	pt-prompt: <stdin>:1: {{ .v | ascii_downcase }}: explode input must be a string\npt-prompt: 1 record failed
not an object	pt-prompt --user x	[1]\n	{"_input":"1","prompt_error":"not an object"}	1	pt-prompt: <stdin>:1: not an object\npt-prompt: 1 record failed
bad json	pt-prompt --user x	{"a":\n{"b":1}\n	{"_input":"{\\"a\\":","prompt_error":"invalid JSON: unexpected end of line"}\n{"b":1,"messages":[{"role":"user","content":"x"}]}	1	pt-prompt: <stdin>:1: invalid JSON: unexpected end of line\npt-prompt: 1 record failed
bad placeholder	pt-prompt --user '{{ .a | }}'			2	pt-prompt: --user: {{ .a | }}: jq: error: syntax error, unexpected $end (Unix shell quoting issues?) at <top-level>, line 1: .a |   ; jq: 1 compile error
unterminated placeholder	pt-prompt --user 'x {{ .a'			2	pt-prompt: --user: unterminated placeholder '{{ .a'
unreadable template	pt-prompt -t nosuch.tmpl			2	pt-prompt: nosuch.tmpl: No such file or directory
batch	pt-prompt --batch -m m --user '{{ .q }}'	{"id":"a","q":"Q1"}\n{"id":7,"q":"Q2"}\n	{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"Q1"}]}}\n{"custom_id":"7","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"Q2"}]}}	0	
batch url param	pt-prompt --batch -m m --url /v1/messages --param max_tokens=64 --user q	{"id":"a"}\n	{"custom_id":"a","method":"POST","url":"/v1/messages","body":{"model":"m","messages":[{"role":"user","content":"q"}],"max_tokens":64}}	0	
batch duplicate id	pt-prompt --batch -m m --user q	{"id":"a"}\n{"id":"b"}\n{"id":"a"}\n	{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"q"}]}}\n{"custom_id":"b","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"q"}]}}	1	pt-prompt: <stdin>:3: --batch: duplicate custom_id 'a'\npt-prompt: 1 record failed
batch missing id	pt-prompt --batch -m m --user q	{"x":1}\n		1	pt-prompt: <stdin>:1: --batch: .id is missing or not a string or number\npt-prompt: 1 record failed
batch needs model	pt-prompt --batch --user q			2	pt-prompt: --batch needs -m MODEL (or PT_MODEL)\nTry 'pt-prompt --help' for more information.
batch model from env	PT_MODEL=envm pt-prompt --batch --user q | jq -r .body.model	{"id":"a"}\n	envm	0	
bad param	pt-prompt --batch -m m --param x=nope --user q			2	pt-prompt: --param x: invalid JSON: Invalid literal at EOF at line 1, column 4 (while parsing 'nope')\nTry 'pt-prompt --help' for more information.
write error exit 3	PT_VG_LEAKS=no pt-prompt --user x cases.ndjson > /dev/full			3	pt-prompt: write error: No space left on device
