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
	    "      --threads N        worker threads running EXPR (default: the CPUs, at most 8)\n"
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

/* Records travel in batches: the main thread reads them, a worker runs EXPR
 * (and --distinct) on each, and the main thread takes the results in input
 * order to apply --distinct, --sample and --limit and write. Workers keep
 * their own compiled programs: jq states and values are never shared. */
struct item {
	size_t off, len;       /* the record's bytes in data */
	const char *file, *err;
	long line;
	int is_object;
};
struct result {                /* one output of EXPR */
	size_t item;           /* its record */
	size_t off, len;       /* text in out, or the record itself when len == 0 and orig */
	int orig;
	long key;              /* offset of the --distinct key in keys, or -1 */
};
struct batch {
	struct buf data, out, keys, msgs;
	struct item *it;
	size_t n, cap;
	struct result *res;
	size_t nres, rescap;
	unsigned long nfail, nnative;   /* records that failed; answered from their bytes */
	int state;             /* 0 filling, 1 queued, 2 taken, 3 done */
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
bwarn(struct batch *b, const struct item *it, const char *fmt, ...)
{
	va_list ap;
	char tmp[1024];
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	buf_printf(&b->msgs, "%s: %s:%ld: %s\n", progname, it->file, it->line, tmp);
	b->nfail++;
}

static void
add_result(struct batch *b, size_t item, const char *text, size_t len, int orig, long key)
{
	if (b->nres == b->rescap) {
		b->rescap = b->rescap ? b->rescap * 2 : 256;
		b->res = erealloc(b->res, b->rescap * sizeof *b->res);
	}
	struct result *r = &b->res[b->nres++];
	r->item = item;
	r->orig = orig;
	r->key = key;
	r->off = b->out.len;
	r->len = orig ? 0 : len;
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

static void
run_batch(struct worker *w, struct batch *b)
{
	b->out.len = b->keys.len = b->msgs.len = 0;
	b->nres = 0;
	b->nfail = b->nnative = 0;
	for (size_t i = 0; i < b->n; i++) {
		struct item *it = &b->it[i];
		struct rec r = { b->data.p + it->off, it->len, it->file, it->line, it->err, it->is_object, NULL };
		if (w->sk && !mine(w, &r))
			continue;
		if (r.err) {
			bwarn(b, it, "invalid JSON: %s", r.err);
			continue;
		}
		if (!r.is_object) {
			bwarn(b, it, "not an object");
			continue;
		}
		if (w->pr) {
			/* most records are answered from their bytes; libjq answers the rest */
			int st = pred_eval(w->pr, r.p, r.len, NULL);
			if (st == PRED_KEEP)
				add_result(b, i, NULL, 0, 1, -1);
			if (st != PRED_UNSURE) {
				b->nnative++;
				continue;
			}
		}
		jv in = rec_parse(&r);
		if (!jv_is_valid(in)) {
			char *m = jv_errmsg(in);
			bwarn(b, it, "invalid JSON: %s", m);
			free(m);
			continue;
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
				bwarn(b, it, "EXPR gave %s %s, not a boolean or an object", k == JV_KIND_ARRAY ? "an" : "a", kn);
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
					bwarn(b, it, "--distinct: %s", m);
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
				add_result(b, i, NULL, 0, 1, key);
			else {
				jv d = jv_dump_string(jv_copy(out), 0);
				add_result(b, i, jv_string_value(d), (size_t)jv_string_length_bytes(jv_copy(d)), 0, key);
				jv_free(d);
			}
			jv_free(out);
		}
		if (jv_invalid_has_msg(jv_copy(out))) {
			char *m = jv_errmsg(out);
			bwarn(b, it, "%s", m);
			free(m);
		} else
			jv_free(out);
		jv_free(in);
	}
}

#define NBATCH 16           /* batches in flight */
#define BATCH_RECORDS 512
#define BATCH_BYTES (1 << 20)

static struct batch batches[NBATCH];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int stopping;

static void *
work(void *arg)
{
	struct worker *w = arg;
	pthread_mutex_lock(&mu);
	for (;;) {
		struct batch *b = NULL;
		for (int i = 0; i < NBATCH && !b; i++)
			if (batches[i].state == 1)
				b = &batches[i];
		if (!b) {
			if (stopping)
				break;
			pthread_cond_wait(&cv, &mu);
			continue;
		}
		b->state = 2;
		pthread_mutex_unlock(&mu);
		run_batch(w, b);
		pthread_mutex_lock(&mu);
		b->state = 3;
		pthread_cond_broadcast(&cv);
	}
	pthread_mutex_unlock(&mu);
	return NULL;
}

/* The workers: each compiles its own programs, from its own copy of the
 * arguments (jv reference counts are not atomic). Returns how many threads
 * started; with none, the main thread runs the batches. */
static long
start_workers(struct worker *ws, pthread_t *tid, long n, const char *prog, const char *distinct, jv args, int native)
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
	for (long i = 0; i < n; i++) {
		ws[i].e = expr_new(prog, jv_deep_copy(jv_copy(args)), "EXPR");
		ws[i].dx = distinct ? expr_new(distinct, jv_deep_copy(jv_copy(args)), "--distinct") : NULL;
		ws[i].sk = shard_n ? expr_new(shard_by, jv_deep_copy(jv_copy(args)), "--shard-by") : NULL;
		const char *why;
		jv a = jv_deep_copy(jv_copy(args));
		ws[i].pr = native ? pred_compile(prog, a, &why) : NULL;
		jv_free(a);
	}
	jv_free(args);
	long started = 0;
	if (n > 1)
		while (started < n && pthread_create(&tid[started], NULL, work, &ws[started]) == 0)
			started++;
	return started;
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
	w->nread += h->n;
	for (size_t k = 0; k < h->nres && !full(w); k++) {
		struct result *x = &h->res[k];
		const char *text = x->orig ? h->data.p + h->it[x->item].off : h->out.p + x->off;
		size_t len = x->orig ? h->it[x->item].len : x->len;
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

/* Reads records into b until it is full or the input ends (*eof). */
static void
fill_batch(struct batch *b, struct reader *rd, int *eof)
{
	struct rec r;
	while (!*eof && b->n < BATCH_RECORDS && b->data.len < BATCH_BYTES) {
		if (rdr_next(rd, &r) != RDR_REC) {
			*eof = 1;
			break;
		}
		if (b->n == b->cap) {
			b->cap = b->cap ? b->cap * 2 : BATCH_RECORDS;
			b->it = erealloc(b->it, b->cap * sizeof *b->it);
		}
		b->it[b->n++] = (struct item){ b->data.len, r.len, r.file, r.err, r.line, r.is_object };
		buf_add(&b->data, r.p, r.len);
	}
}

static void
set_state(struct batch *b, int state)
{
	pthread_mutex_lock(&mu);   /* workers read state under the lock */
	b->state = state;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
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
	long nthreads = sysconf(_SC_NPROCESSORS_ONLN);
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
	if (nthreads > 8)
		nthreads = 8;
	struct worker *ws = ecalloc((size_t)nthreads, sizeof *ws);
	pthread_t *tid = ecalloc((size_t)nthreads, sizeof *tid);
	const char *why = "--distinct";
	struct pred *pr = distinct_text ? NULL : pred_compile(prog, args, &why);
	if (explain) {
		/* jq compiles it first, so a program jq rejects is still exit 2 */
		expr_free(expr_new(prog, jv_copy(args), "EXPR"));
		printf(pr ? "native\n" : "libjq: %s\n", why);
		pred_free(pr);
		free(prog);
		free(ws);
		free(tid);
		jv_free(args);
		return PT_EXIT_OK;
	}
	long nstarted = start_workers(ws, tid, nthreads, prog, distinct_text, args, pr != NULL);
	pred_free(pr);
	if (w.sample > 0) {
		w.res = ecalloc((size_t)w.sample, sizeof *w.res);
		w.rng = gsl_rng_alloc(gsl_rng_mt19937);
		gsl_rng_set(w.rng, seed);
	}

	struct reader *rd = rdr_open(argv + optind, argc - optind);
	int eof = 0, head = 0, tail = 0;   /* batches[head] is the next to write, [tail] the one filling */
	while (!eof || head != tail || batches[tail].n) {
		struct batch *b = &batches[tail];
		if (full(&w))
			eof = 1;
		fill_batch(b, rd, &eof);
		int next = (tail + 1) % NBATCH;
		/* the ring never fills completely: head == tail means empty */
		if (b->n && next != head) {
			/* hand the batch over (or run it here, single-threaded) */
			if (nstarted)
				set_state(b, 1);
			else {
				run_batch(&ws[0], b);
				b->state = 3;
			}
			tail = next;
			if (!eof && tail != head)
				continue;
		}
		if (head == tail)
			break;
		/* take the oldest batch, in input order, once done */
		struct batch *h = &batches[head];
		pthread_mutex_lock(&mu);
		while (h->state != 3)
			pthread_cond_wait(&cv, &mu);
		pthread_mutex_unlock(&mu);
		write_batch(&w, h);
		h->n = 0;
		h->data.len = 0;
		set_state(h, 0);
		head = (head + 1) % NBATCH;
	}
	pthread_mutex_lock(&mu);
	stopping = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	for (long i = 0; i < nstarted; i++)
		pthread_join(tid[i], NULL);
	writer_close(&w);
	out_close();
	if (getenv("PT_FILTER_NATIVE"))   /* how many records the native predicate answered (pt-filter(1)) */
		warn("%lu of %lu records answered natively", w.nnative, w.nread);
	int nbadin = rdr_failed(rd);
	rdr_close(rd);
	for (long i = 0; i < nthreads; i++) {
		expr_free(ws[i].e);
		expr_free(ws[i].dx);
		expr_free(ws[i].sk);
		free(ws[i].key.p);
		pred_free(ws[i].pr);
	}
	for (int i = 0; i < NBATCH; i++) {
		free(batches[i].data.p);
		free(batches[i].out.p);
		free(batches[i].keys.p);
		free(batches[i].msgs.p);
		free(batches[i].it);
		free(batches[i].res);
	}
	free(ws);
	free(tid);
	free(prog);
	return fail_summary(w.nfail, nbadin);
}
