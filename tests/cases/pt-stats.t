# name	command	stdin	stdout	status	stderr
no verb	pt-stats			2	pt-stats: missing verb: summary, agree or compare\nTry 'pt-stats --help' for more information.
bad verb	pt-stats mean			2	pt-stats: unknown verb 'mean': summary, agree or compare\nTry 'pt-stats --help' for more information.
compare needs	pt-stats compare --by .m			2	pt-stats: compare needs --by, --value and --ref\nTry 'pt-stats --help' for more information.
bad format	pt-stats summary -f xml			2	pt-stats: --format: expected ndjson, table, csv or tsv, got 'xml'\nTry 'pt-stats --help' for more information.
cluster needs boot	pt-stats summary --cluster .c			2	pt-stats: --cluster needs --boot\nTry 'pt-stats --help' for more information.
bad expr	pt-stats summary --value '.a |'			2	pt-stats: --value: jq: error: syntax error, unexpected $end (Unix shell quoting issues?) at <top-level>, line 1: .a |   ; jq: 1 compile error
summary default grade	pt-stats summary -f ndjson recs.ndjson | jq -c '{n,n_missing,median}'		{"n":4,"n_missing":1,"median":9}	0	pt-stats: 1 record with a missing or non-numeric value (counted in n_missing)
value expression	pt-stats summary --value '100 * .grade / .max_score' -f ndjson recs.ndjson | jq -c '{n,n_missing,max}'		{"n":3,"n_missing":2,"max":92.10526315789474}	1	pt-stats: recs.ndjson:4: --value: number (500) and null (null) cannot be divided\npt-stats: recs.ndjson:5: --value: number (100) and null (null) cannot be multiplied\npt-stats: 2 records with a missing or non-numeric value (counted in n_missing)\npt-stats: 2 records failed
bad lines	pt-stats summary -f ndjson | jq -c '{n}'	{"grade":1}\nnope\n[2]\n{"grade":3}\n	{"n":2}	1	pt-stats: <stdin>:2: invalid JSON: not a JSON value\npt-stats: <stdin>:3: not an object\npt-stats: 2 records failed
empty input	pt-stats summary -f ndjson	\n		0	
string grade missing	pt-stats summary -f ndjson | jq -c '{n,n_missing}'	{"grade":"5"}\n{"grade":5}\n	{"n":1,"n_missing":1}	0	pt-stats: 1 record with a missing or non-numeric value (counted in n_missing)
ref unknown	pt-stats compare --by .m --value .v --ref zz -f ndjson	{"m":"a","v":1}\n		1	pt-stats: --ref zz: no such group\npt-stats: 1 record failed
arg	pt-stats summary --arg f grade --value '.[$f]' -f ndjson | jq -c '{n,mean}'	{"grade":2}\n{"grade":4}\n	{"n":2,"mean":3}	0	
numbers exact	pt-stats summary -f ndjson | jq -c '{mean}'	{"grade":0.1}\n{"grade":0.2}\n	{"mean":0.15000000000000002}	0	
help	pt-stats --help | head -1		usage: pt-stats summary [--by [NAME=]EXPR]... [--value EXPR] [options] [FILE...]	0	
write error exit 3	PT_VG_LEAKS=no pt-stats summary -f ndjson recs.ndjson > /dev/full			3	pt-stats: write error: No space left on device
invalid UTF-8	pt-stats summary --value .g --format tsv | cut -f1-3	{"g":1,"s":"\xc3\xa9"}\n{"g":2,"s":"\xff\xfe\xc3"}\n{"g":3}\n	n\tn_missing\tmean\n2\t0\t2	1	pt-stats: <stdin>:2: invalid JSON: invalid UTF-8 in string\npt-stats: 1 record failed
perfect rank agreement is exactly 1	pt-stats agree --truth .g --pred .p | jq -c '[.spearman_rho, .spearman_p, .kendall_tau, .kendall_p, .pearson_r]'	{"g":1.5,"p":2.5}\n{"g":2.25,"p":3}\n{"g":7,"p":9}\n	[1,0,1,0.11718508719813803,0.9983820948819034]	0	
reversed ranks are exactly -1	pt-stats agree --truth .g --pred .p | jq -c '[.spearman_rho, .spearman_p, .kendall_tau]'	{"g":1.5,"p":9}\n{"g":2.25,"p":3}\n{"g":7,"p":2.5}\n	[-1,0,-1]	0	
identical values: every correlation exactly 1	pt-stats agree --truth .g --pred .p | jq -c '[.pearson_r, .pearson_p, .spearman_rho, .spearman_p, .kendall_tau, .ccc, .icc]'	{"g":1.5,"p":1.5}\n{"g":2.25,"p":2.25}\n{"g":7,"p":7}\n{"g":8,"p":8}\n	[1,0,1,0,1,1,1]	0	
