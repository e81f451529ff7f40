/* pt-filter: select or transform records with a jq expression. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gsl/gsl_rng.h>

#include "pred.h"

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
	    "      --threads N        worker threads reading and running EXPR (default: $PT_THREADS, else the CPUs)\n"
	    "      --explain          say whether EXPR runs natively (pt-filter(1)) and exit\n"
	    "      --shard K/N        keep only shard K (0 to N-1) of N, by --shard-by (default .id)\n"
	    "  -h, --help             show this help and exit\n"
	    "      --version          show the version and exit\n"
	    "\n"
	    "Files hold NDJSON, concatenated JSON or a JSON array of records; none or -\n"
	    "means standard input. Exit status: 0 all records processed, 1 some failed,\n"
	    "2 usage error, 3 write error, 4 out of memory. See pt-filter(1).\n");
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

/* The input travels in blocks (blocks.c): a worker reads a block's records
 * and runs EXPR (and --distinct) on each into the block's batch, and the
 * main thread takes the batches in input order to apply --distinct,
 * --sample and --limit and write. Workers keep their own compiled programs:
 * jq states and values are never shared. */
struct result {                /* one output of EXPR */
	const char *p;         /* the record itself (in its block), or NULL: */
	size_t off, len;       /* text in out */
	long key;              /* offset of the --distinct key in keys, or -1 */
};
struct batch {
	struct buf out, keys, msgs;
	struct result *res;
	size_t nres, rescap;
	unsigned long nread, nfail, nnative;   /* records read, failed, answered from their bytes */
};

/* --shard K/N: this process's share of the records. */
static long shard_k, shard_n;
static const char *shard_by = ".id";

struct worker {
	struct expr *e, *dx;
	struct expr *sk;         /* --shard-by, or NULL without --shard */
	struct buf key;
	struct pred *pr;         /* EXPR as a native predicate, or NULL (its own: Oniguruma
	                          * regexes are not shared between threads) */
};

static void
bwarn(struct batch *b, const struct rec *r, const char *fmt, ...)
{
	/* made as every message is (msg.c), kept to be said in input order */
	va_list ap;
	struct buf w = { 0 };
	buf_printf(&w, "%s:%ld: ", r->file, r->line);
	va_start(ap, fmt);
	msg_vformat(&b->msgs, buf_cstr(&w), fmt, ap);
	va_end(ap);
	buf_addc(&b->msgs, '\n');
	free(w.p);
	b->nfail++;
}

/* An output: the record r itself (orig), or text. */
static void
add_result(struct batch *b, const struct rec *r, const char *text, size_t len, int orig, long key)
{
	if (b->nres == b->rescap) {
		b->rescap = b->rescap ? b->rescap * 2 : 256;
		b->res = erealloc(b->res, b->rescap * sizeof *b->res);
	}
	struct result *x = &b->res[b->nres++];
	x->p = orig ? r->p : NULL;
	x->key = key;
	x->off = b->out.len;
	x->len = orig ? r->len : len;
	if (!orig)
		buf_add(&b->out, text, len);
}

/* Runs EXPR (and --distinct) on every record of b. */
/* --shard: whether record r is this shard's: FNV-1a (64-bit) of its key's
 * JSON text modulo N is K. A record without a readable key (not JSON, not an
 * object, the key failing) is shard 0's, so it is reported once. */
static int
mine(struct worker *w, const struct rec *r)
{
	if (r->err || !r->is_object)
		return shard_k == 0;
	jv parsed = jv_invalid();
	w->key.len = 0;
	int bad = expr_json(w->sk, r, &parsed, &w->key) < 0;
	jv_free(parsed);
	if (bad)
		return shard_k == 0;
	uint64_t h = 14695981039346656037ULL;
	for (size_t i = 0; i < w->key.len; i++)
		h = (h ^ (unsigned char)w->key.p[i]) * 1099511628211ULL;
	return (long)(h % (uint64_t)shard_n) == shard_k;
}

/* Runs EXPR (and --distinct) on record r into b. */
static void
run_record(struct worker *w, struct batch *b, const struct rec *rp)
{
	struct rec r = *rp;
	r.ix = NULL;
	b->nread++;
	do {
		if (w->sk && !mine(w, &r))
			break;
		if (r.err) {
			bwarn(b, &r, "invalid JSON: %s", r.err);
			break;
		}
		if (!r.is_object) {
			bwarn(b, &r, "not an object");
			break;
		}
		if (w->pr) {
			/* most records are answered from their bytes; libjq answers the rest */
			int st = pred_eval(w->pr, r.p, r.len, NULL);
			if (st == PRED_KEEP)
				add_result(b, &r, NULL, 0, 1, -1);
			if (st != PRED_UNSURE) {
				b->nnative++;
				break;
			}
		}
		jv in = rec_parse(&r);
		if (!jv_is_valid(in)) {
			char *m = jv_errmsg(in);
			bwarn(b, &r, "invalid JSON: %s", m);
			free(m);
			break;
		}
		long key = -1;
		int key_done = 0;
		expr_start(w->e, jv_copy(in));
		jv out;
		while (jv_is_valid(out = expr_next(w->e))) {
			jv_kind k = jv_get_kind(out);
			if (k == JV_KIND_FALSE || k == JV_KIND_NULL) {
				jv_free(out);
				continue;
			}
			if (k != JV_KIND_TRUE && k != JV_KIND_OBJECT) {
				const char *kn = jv_kind_name(k);
				bwarn(b, &r, "EXPR gave %s %s, not a boolean or an object", k == JV_KIND_ARRAY ? "an" : "a", kn);
				jv_free(out);
				continue;
			}
			if (w->dx && !key_done) {
				/* the --distinct key of the input record, once */
				jv parsed = jv_copy(in);
				jv kv = expr_first(w->dx, &r, &parsed);
				jv_free(parsed);
				key_done = 1;
				if (!jv_is_valid(kv)) {
					char *m = jv_errmsg(kv);
					bwarn(b, &r, "--distinct: %s", m);
					free(m);
				} else {
					jv ks = jv_dump_string(kv, 0);
					key = (long)b->keys.len;
					buf_adds(&b->keys, jv_string_value(ks));
					buf_addc(&b->keys, 0);
					jv_free(ks);
				}
			}
			if (w->dx && key < 0) {   /* the key failed: nothing of this record is kept */
				jv_free(out);
				continue;
			}
			if (k == JV_KIND_TRUE || jv_identical(jv_copy(out), jv_copy(in)))
				add_result(b, &r, NULL, 0, 1, key);
			else {
				jv d = jv_dump_string(jv_copy(out), 0);
				add_result(b, &r, jv_string_value(d), (size_t)jv_string_length_bytes(jv_copy(d)), 0, key);
				jv_free(d);
			}
			jv_free(out);
		}
		if (jv_invalid_has_msg(jv_copy(out))) {
			char *m = jv_errmsg(out);
			bwarn(b, &r, "%s", m);
			free(m);
		} else
			jv_free(out);
		jv_free(in);
	} while (0);
}

static void
batch_clear(struct batch *b)
{
	b->out.len = b->keys.len = b->msgs.len = 0;
	b->nres = 0;
	b->nread = b->nfail = b->nnative = 0;
}

/* blocks.c's callbacks: a worker reads a block into its batch */
static void
scan_block(void *worker, struct reader *rd, void *res)
{
	struct rec r;
	batch_clear(res);
	while (rdr_next(rd, &r) == RDR_REC)
		run_record(worker, res, &r);
}

static void *
batch_new(void)
{
	return ecalloc(1, sizeof(struct batch));
}

static void
batch_free(void *p)
{
	struct batch *b = p;
	free(b->out.p);
	free(b->keys.p);
	free(b->msgs.p);
	free(b->res);
	free(b);
}


/* The workers' programs, each from its own copy of the arguments (jv
 * reference counts are not atomic); ws[n] is the main thread's, for what it
 * reads itself. Only the first worker's are compiled now (so that jq
 * rejects a bad program before anything is read); the others compile theirs
 * when a record first needs libjq, which with a native predicate may be
 * never. Returns the threads to use. */
static long
make_workers(struct worker *ws, long n, const char *prog, const char *distinct, jv args, int native)
{
	/* Some jq builtins must not run on several threads (expr.c says which). */
	int how = expr_concurrency(prog);
	if (distinct && expr_concurrency(distinct) > how)
		how = expr_concurrency(distinct);
	if (shard_n && expr_concurrency(shard_by) > how)
		how = expr_concurrency(shard_by);
	if (how == EXPR_ONE_THREAD)
		n = 1;
	else if (how == EXPR_REGEX && n > 1)
		expr_regex_init();
	for (long i = 0; i <= n; i++) {
		struct expr *(*make)(const char *, jv, const char *) = i == 0 ? expr_new : expr_lazy;
		ws[i].e = make(prog, jv_deep_copy(jv_copy(args)), "EXPR");
		ws[i].dx = distinct ? make(distinct, jv_deep_copy(jv_copy(args)), "--distinct") : NULL;
		ws[i].sk = shard_n ? make(shard_by, jv_deep_copy(jv_copy(args)), "--shard-by") : NULL;
		const char *why;
		jv a = jv_deep_copy(jv_copy(args));
		ws[i].pr = native ? pred_compile(prog, a, &why) : NULL;
		jv_free(a);
	}
	jv_free(args);
	return n;
}

/* What the main thread does with the results, in input order. */
struct writer {
	long limit, sample;
	struct strset seen;          /* --distinct keys */
	struct kept *res;            /* --sample reservoir */
	gsl_rng *rng;
	unsigned long nkept, nwritten, nfail, nnative, nread;
	struct buf tmp;
};

static int
full(const struct writer *w)
{
	return w->limit >= 0 && (long)w->nwritten >= w->limit;
}

/* Writes a finished batch's messages and records (or draws them into the sample). */
static void
write_batch(struct writer *w, struct batch *h)
{
	fputs(buf_cstr(&h->msgs), stderr);
	w->nfail += h->nfail;
	w->nnative += h->nnative;
	w->nread += h->nread;
	for (size_t k = 0; k < h->nres && !full(w); k++) {
		struct result *x = &h->res[k];
		const char *text = x->p ? x->p : h->out.p + x->off;
		size_t len = x->len;
		if (x->key >= 0 && !strset_add(&w->seen, h->keys.p + x->key))
			continue;
		if (w->res) {
			/* reservoir sampling (Algorithm R) over the kept records */
			unsigned long slot = w->nkept < (unsigned long)w->sample ? w->nkept : gsl_rng_uniform_int(w->rng, w->nkept + 1);
			if (slot < (unsigned long)w->sample) {
				w->tmp.len = 0;
				buf_add_compact(&w->tmp, text, len);
				free(w->res[slot].text);
				w->res[slot].idx = w->nkept;
				w->res[slot].text = estrndup(w->tmp.p, w->tmp.len);
				w->res[slot].len = w->tmp.len;
			}
		} else {
			out_record(text, len);
			w->nwritten++;
		}
		w->nkept++;
	}
}

/* --sample: the reservoir in input order, then freed with the writer. */
static void
writer_close(struct writer *w)
{
	if (w->res) {
		unsigned long n = w->nkept < (unsigned long)w->sample ? w->nkept : (unsigned long)w->sample;
		qsort(w->res, n, sizeof *w->res, cmp_kept);
		for (unsigned long i = 0; i < n; i++) {
			if (w->limit < 0 || (long)i < w->limit)
				out_line(w->res[i].text, w->res[i].len);
			free(w->res[i].text);
		}
		free(w->res);
		gsl_rng_free(w->rng);
	}
	strset_free(&w->seen);
	free(w->tmp.p);
}

/* blocks.c's callbacks on the main thread: a block's batch, in order; one
 * record read here (through the main thread's programs, written at once) */
static struct worker *main_worker;
static struct batch scratch;

static void
take_batch(void *w, void *res)
{
	write_batch(w, res);
}

static void
one_record(void *w, const struct rec *r)
{
	batch_clear(&scratch);
	run_record(main_worker, &scratch, r);
	write_batch(w, &scratch);
}

static int
writer_full(void *w)
{
	return full(w);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "arg", required_argument, NULL, 'A' },
		{ "argjson", required_argument, NULL, 'J' },
		{ "distinct", required_argument, NULL, 'd' },
		{ "explain", no_argument, NULL, 'E' },
		{ "from-file", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "limit", required_argument, NULL, 'n' },
		{ "sample", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ "shard", required_argument, NULL, 'K' },
		{ "shard-by", required_argument, NULL, 'B' },
		{ "threads", required_argument, NULL, 'T' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *progfile = NULL, *distinct_text = NULL;
	char *prog = NULL;
	long nthreads = 0;
	unsigned long seed = 0;
	struct writer w = { .limit = -1, .sample = -1 };
	jv args = jv_object();
	int c, explain = 0;

	pt_init(argv);
	while ((c = getopt_long(argc, argv, "+d:f:hn:s:", opts, NULL)) != -1) {
		switch (c) {
		case 'A':
		case 'J':
			args_option(&args, c == 'J', argc, argv);
			break;
		case 'd': distinct_text = optarg; break;
		case 'E': explain = 1; break;
		case 'f': progfile = optarg; break;
		case 'h': usage();
		case 'n': w.limit = parse_long("--limit", optarg, 0, 1L << 62); break;
		case 's': w.sample = parse_long("--sample", optarg, 0, 100000000); break;
		case 'S': seed = (unsigned long)parse_long("--seed", optarg, 0, 1L << 62); break;
		case 'K': {
			char *slash = strchr(optarg, '/');
			if (!slash)
				usage_error("--shard: expected K/N, got '%s'", optarg);
			*slash = 0;
			shard_n = parse_long("--shard N", slash + 1, 1, 1000000);
			shard_k = parse_long("--shard K", optarg, 0, shard_n - 1);
			break;
		}
		case 'B': shard_by = optarg; break;
		case 'T': nthreads = parse_long("--threads", optarg, 1, 64); break;
		case 'V': print_version();
		default: usage_error("unknown option");
		}
	}
	if (progfile) {
		prog = read_file(progfile, NULL);
		if (!prog) {
			warn("%s: %s", progfile, strerror(errno));
			return PT_EXIT_USAGE;
		}
	} else {
		if (optind >= argc)
			usage_error("missing EXPR");
		prog = estrdup(argv[optind++]);
	}
	if (!nthreads)
		nthreads = threads_default();
	const char *why = "--distinct";
	struct pred *pr = distinct_text ? NULL : pred_compile(prog, args, &why);
	if (explain) {
		/* jq compiles it first, so a program jq rejects is still exit 2 */
		expr_free(expr_new(prog, jv_copy(args), "EXPR"));
		printf(pr ? "native\n" : "libjq: %s\n", why);
		pred_free(pr);
		free(prog);
		jv_free(args);
		return PT_EXIT_OK;
	}
	struct worker *ws = ecalloc((size_t)nthreads + 1, sizeof *ws);
	nthreads = make_workers(ws, nthreads, prog, distinct_text, args, pr != NULL);
	pred_free(pr);
	main_worker = &ws[nthreads];
	if (w.sample > 0) {
		w.res = ecalloc((size_t)w.sample, sizeof *w.res);
		w.rng = gsl_rng_alloc(gsl_rng_mt19937);
		gsl_rng_set(w.rng, seed);
	}

	static const struct blocks_tool tool = { batch_new, batch_free, scan_block, take_batch, one_record, writer_full };
	void **wp = emalloc((size_t)nthreads * sizeof *wp);
	for (long i = 0; i < nthreads; i++)
		wp[i] = &ws[i];
	int nbadin = blocks_run(argv + optind, argc - optind, (int)nthreads, wp, &tool, &w);
	writer_close(&w);
	out_close();
	if (getenv("PT_FILTER_NATIVE"))   /* how many records the native predicate answered (pt-filter(1)) */
		warn("%lu of %lu records answered natively", w.nnative, w.nread);
	for (long i = 0; i <= nthreads; i++) {
		expr_free(ws[i].e);
		expr_free(ws[i].dx);
		expr_free(ws[i].sk);
		free(ws[i].key.p);
		pred_free(ws[i].pr);
	}
	free(scratch.out.p);
	free(scratch.keys.p);
	free(scratch.msgs.p);
	free(scratch.res);
	free(ws);
	free(wp);
	free(prog);
	return fail_summary(w.nfail, nbadin);
}
