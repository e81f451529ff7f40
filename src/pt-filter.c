/* pt-filter: select or transform records with a jq expression. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_rng.h>

#include "pt.h"

static void __attribute__((noreturn))
usage(void)
{
	printf("usage: pt-filter [options] EXPR [FILE...]\n"
	    "       pt-filter [options] -f PROGFILE [FILE...]\n"
	    "Run the jq expression EXPR on each record: true keeps the record as it was\n"
	    "read, false or null drops it, an object is written as a new record.\n"
	    "\n"
	    "  -f, --from-file FILE   read the expression from FILE\n"
	    "      --arg NAME VALUE   bind $NAME to the string VALUE\n"
	    "      --argjson NAME JSON  bind $NAME to the JSON value\n"
	    "  -d, --distinct EXPR    keep only the first record for each value of EXPR\n"
	    "  -n, --limit N          stop after N records written\n"
	    "  -s, --sample N         keep a uniform random sample of N records, in input order\n"
	    "      --seed S           random seed for --sample (default 0)\n"
	    "  -h, --help             show this help and exit\n"
	    "      --version          show the version and exit\n"
	    "\n"
	    "Files hold NDJSON, concatenated JSON or a JSON array of records; none or -\n"
	    "means standard input. Exit status: 0 all records processed, 1 some failed,\n"
	    "2 usage error, 3 write error. See pt-filter(1).\n");
	exit(PT_EXIT_OK);
}

/* A kept record waiting in the --sample reservoir. */
struct kept {
	unsigned long idx;
	char *text;
	size_t len;
};

static int
cmp_kept(const void *a, const void *b)
{
	const struct kept *x = a, *y = b;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "arg", required_argument, NULL, 'A' },
		{ "argjson", required_argument, NULL, 'J' },
		{ "distinct", required_argument, NULL, 'd' },
		{ "from-file", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "limit", required_argument, NULL, 'n' },
		{ "sample", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *progfile = NULL, *distinct_text = NULL;
	char *prog = NULL;
	long limit = -1, sample = -1;
	unsigned long seed = 0;
	jv args = jv_object();
	int c;

	pt_init(argv[0]);
	while ((c = getopt_long(argc, argv, "+d:f:hn:s:", opts, NULL)) != -1) {
		switch (c) {
		case 'A':
		case 'J':
			if (optind >= argc)
				usage_error("--%s needs NAME and a value", c == 'A' ? "arg" : "argjson");
			args_add(&args, optarg, argv[optind++], c == 'J');
			break;
		case 'd': distinct_text = optarg; break;
		case 'f': progfile = optarg; break;
		case 'h': usage();
		case 'n': limit = parse_long("--limit", optarg, 0, 1L << 62); break;
		case 's': sample = parse_long("--sample", optarg, 0, 100000000); break;
		case 'S': seed = (unsigned long)parse_long("--seed", optarg, 0, 1L << 62); break;
		case 'V': print_version();
		default: usage_error("unknown option");
		}
	}
	if (progfile) {
		prog = read_file(progfile, NULL);
		if (!prog) {
			fprintf(stderr, "%s: %s: %s\n", progname, progfile, strerror(errno));
			return PT_EXIT_USAGE;
		}
	} else {
		if (optind >= argc)
			usage_error("missing EXPR");
		prog = estrdup(argv[optind++]);
	}

	struct expr *e = expr_new(prog, jv_copy(args), "EXPR");
	struct expr *dx = distinct_text ? expr_new(distinct_text, jv_copy(args), "--distinct") : NULL;
	jv_free(args);
	struct reader *rd = rdr_open(argv + optind, argc - optind);
	struct strset seen = { 0 };
	struct kept *res = sample > 0 ? ecalloc((size_t)sample, sizeof *res) : NULL;
	gsl_rng *rng = NULL;
	unsigned long nkept = 0, nwritten = 0, nfail = 0;
	struct rec r;
	struct buf tmp = { 0 };

	if (res) {
		rng = gsl_rng_alloc(gsl_rng_mt19937);
		gsl_rng_set(rng, seed);
	}
	while ((limit < 0 || (long)nwritten < limit) && rdr_next(rd, &r) == RDR_REC) {
		if (r.err) {
			rec_warn(&r, "invalid JSON: %s", r.err);
			nfail++;
			continue;
		}
		if (!r.is_object) {
			rec_warn(&r, "not an object");
			nfail++;
			continue;
		}
		jv in = rec_parse(&r);
		if (!jv_is_valid(in)) {
			char *m = jv_errmsg(in);
			rec_warn(&r, "invalid JSON: %s", m);
			free(m);
			nfail++;
			continue;
		}
		expr_start(e, jv_copy(in));
		jv out;
		while (jv_is_valid(out = expr_next(e))) {
			const char *text;
			size_t len;
			jv dumped = jv_invalid();
			jv_kind k = jv_get_kind(out);
			if (k == JV_KIND_FALSE || k == JV_KIND_NULL) {
				jv_free(out);
				continue;
			}
			if (k == JV_KIND_TRUE || (k == JV_KIND_OBJECT && jv_identical(jv_copy(out), jv_copy(in)))) {
				text = r.p;
				len = r.len;
			} else if (k == JV_KIND_OBJECT) {
				dumped = jv_dump_string(jv_copy(out), 0);
				text = jv_string_value(dumped);
				len = (size_t)jv_string_length_bytes(jv_copy(dumped));
			} else {
				const char *kn = jv_kind_name(k);
				rec_warn(&r, "EXPR gave %s %s, not a boolean or an object",
				    k == JV_KIND_ARRAY || k == JV_KIND_OBJECT ? "an" : "a", kn);
				nfail++;
				jv_free(out);
				continue;
			}
			jv_free(out);
			int keep = 1;
			if (dx) {
				jv parsed = jv_copy(in);
				jv key = expr_first(dx, &r, &parsed);
				jv_free(parsed);
				if (!jv_is_valid(key)) {
					char *m = jv_errmsg(key);
					rec_warn(&r, "--distinct: %s", m);
					free(m);
					nfail++;
					keep = 0;
				} else {
					jv ks = jv_dump_string(key, 0);
					keep = strset_add(&seen, jv_string_value(ks));
					jv_free(ks);
				}
			}
			if (keep && res) {
				/* reservoir sampling (Algorithm R) over the kept records */
				unsigned long slot = nkept < (unsigned long)sample ? nkept
				    : gsl_rng_uniform_int(rng, nkept + 1);
				if (slot < (unsigned long)sample) {
					tmp.len = 0;
					buf_add_compact(&tmp, text, len);
					free(res[slot].text);
					res[slot].idx = nkept;
					res[slot].text = estrndup(tmp.p, tmp.len);
					res[slot].len = tmp.len;
				}
			} else if (keep) {
				out_record(text, len);
				nwritten++;
			}
			nkept += keep;
			jv_free(dumped);
			if (limit >= 0 && (long)nwritten >= limit) {
				out = jv_invalid();
				break;
			}
		}
		if (jv_invalid_has_msg(jv_copy(out))) {
			char *m = jv_errmsg(out);
			rec_warn(&r, "%s", m);
			free(m);
			nfail++;
		} else
			jv_free(out);
		jv_free(in);
	}
	if (res) {
		unsigned long n = nkept < (unsigned long)sample ? nkept : (unsigned long)sample;
		qsort(res, n, sizeof *res, cmp_kept);
		for (unsigned long i = 0; i < n; i++) {
			if (limit < 0 || (long)i < limit)
				out_line(res[i].text, res[i].len);
			free(res[i].text);
		}
		free(res);
		gsl_rng_free(rng);
	}
	out_close();
	nfail += (unsigned long)rdr_failed(rd);
	rdr_close(rd);
	expr_free(e);
	expr_free(dx);
	strset_free(&seen);
	free(tmp.p);
	free(prog);
	if (nfail) {
		fprintf(stderr, "%s: %lu record%s failed\n", progname, nfail, nfail == 1 ? "" : "s");
		return PT_EXIT_FAIL;
	}
	return PT_EXIT_OK;
}
