/* unit.c: tests of the library layer; prints "ok NAME" or "FAIL NAME: why". */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "net.h"
#include "judge.h"
#include "stats.h"

static int failed;

#define CHECK(name, cond) do { \
	if (cond) printf("ok %s\n", name); \
	else { printf("FAIL %s (%s:%d)\n", name, __FILE__, __LINE__); failed++; } \
} while (0)

static int
scan(const char *s, int eof, int stop_nl, size_t *end)
{
	size_t st;
	long nl;
	const char *err;
	return json_scan(s, strlen(s), eof, stop_nl, &st, end, &nl, &err, NULL);
}

static void
test_scan(void)
{
	static const char *good[] = { "{}", "[]", "{\"a\":[1,2,{\"b\":null}]}", "\"x\\u00e9\\n\"", "-0",
		"1e-320", "0.30000000000000004", "true", " {\"a\" : 1 } ", NULL };
	static const char *bad[] = { "{\"a\":tru}", "{\"a\" 1}", "[1,]x", "{\"a\":01}", "\"\\q\"", "{'a':1}",
		"NaN", "{\"a\":1,}", "[1 2]", "\"a\tb\"", NULL };
	static const char *more[] = { "{\"a\":1", "[1,2", "\"abc", "{\"a\":tr", "{\"a\":1.", NULL };
	size_t end;
	char name[128];
	for (int i = 0; good[i]; i++) {
		snprintf(name, sizeof name, "scan good %s", good[i]);
		CHECK(name, scan(good[i], 1, 0, &end) == JS_OK);
	}
	for (int i = 0; bad[i]; i++) {
		snprintf(name, sizeof name, "scan bad %s", bad[i]);
		int st = scan(bad[i], 1, 0, &end);
		/* "[1,]x" is bad at ']' */
		CHECK(name, st == JS_BAD);
	}
	for (int i = 0; more[i]; i++) {
		snprintf(name, sizeof name, "scan more %s", more[i]);
		CHECK(name, scan(more[i], 0, 0, &end) == JS_MORE);
	}
	CHECK("scan ndjson stops at newline", scan("{\"a\":\n1}", 1, 1, &end) == JS_BAD);
	CHECK("scan multi crosses newline", scan("{\"a\":\n1}", 1, 0, &end) == JS_OK && end == 8);
	CHECK("scan number needs more", scan("123", 0, 0, &end) == JS_MORE);
	CHECK("scan number at eof", scan("123", 1, 0, &end) == JS_OK && end == 3);
	char deep[600];
	memset(deep, '[', 300);
	memset(deep + 300, ']', 300);
	deep[600 - 1] = 0;
	CHECK("scan depth limit", scan(deep, 1, 0, &end) == JS_BAD);
}

static void
test_json_number(void)
{
	static const char *t[] = { "0", "-0", "17.5", "19", "0.1", "0.30000000000000004", "123456789012345",
		"1234567890123456789", "9007199254740993", "1e-320", "2.5e3", "-12.25", "0.000001", "1.7976931348623157e308",
		"3.141592653589793", "99999999999999.99", NULL };
	char name[96];
	for (int i = 0; t[i]; i++) {
		double a = json_number(t[i], strlen(t[i])), b = strtod(t[i], NULL);
		snprintf(name, sizeof name, "json_number %s", t[i]);
		CHECK(name, memcmp(&a, &b, sizeof a) == 0);
	}
}

static void
test_num(void)
{
	static const struct { double x; const char *s; } t[] = {
		{ 0.30000000000000004, "0.30000000000000004" }, { 0.1, "0.1" }, { 1e-320, "1e-320" },
		{ 9007199254740992.0, "9007199254740992" }, { -0.0, "-0" }, { 19, "19" }, { 2.5, "2.5" },
		{ 1e300, "1e+300" }, { NAN, "null" }, { INFINITY, "null" }, { 123456789012, "123456789012" }, { 10, "10" }, { 1500, "1500" }, { 1e16, "10000000000000000" },
		{ 1e17, "1e+17" }, { 0.0001, "0.0001" },
	};
	char buf[64], name[128];
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		num_fmt(buf, sizeof buf, t[i].x);
		snprintf(name, sizeof name, "num_fmt %s (got %s)", t[i].s, buf);
		CHECK(name, strcmp(buf, t[i].s) == 0);
		if (isfinite(t[i].x)) {
			snprintf(name, sizeof name, "num_fmt round trip %s", t[i].s);
			CHECK(name, strtod(buf, NULL) == t[i].x);
		}
	}
}

/* The fast path and jq agree on every (path, record) pair. */
static void
test_path(void)
{
	static const char *recs[] = {
		"{\"a\":1,\"b\":{\"c\":[10,20,{\"d\":\"x\"}]},\"a\":2,\"max score\":7,\"n\":null,\"s\":\"str\"}",
		"{\"b\":null,\"e\":\"\\u0041\",\"k\\u0065y\":3}",
		"{\"b\":[],\"a\":{\"a\":{\"a\":9007199254740993}}}",
		/* escaped keys: the last of equal keys wins however each is spelled */
		"{\"a\":1,\"\\u0061\":2,\"x\\\\y\":3,\"\\u0078\\\\y\":4,\"ab\":5}",
	};
	static const char *paths[] = { ".a", ".b.c", ".b.c[1]", ".b.c[2].d", ".b.c[9]", ".[\"max score\"]",
		".\"max score\"", ".n", ".n.x", ".zz", ".zz.y[3]", ".e", ".key", ".a.a.a", ".b[0]", ".", ".\"x\\\\y\"", ".ab", NULL };
	char name[256];
	for (size_t i = 0; i < sizeof recs / sizeof *recs; i++)
		for (int j = 0; paths[j]; j++) {
			struct path *p = path_parse(paths[j]);
			struct expr *e = expr_new(paths[j], jv_object(), "test");
			struct rec r = { recs[i], strlen(recs[i]), "t", 1, NULL, 1, NULL };
			jv parsed = rec_parse(&r);
			expr_start(e, jv_copy(parsed));
			jv want = expr_next(e);
			const char *v;
			size_t n;
			int st = p ? path_get(p, r.p, r.p + r.len, NULL, &v, &n) : -1;
			/* and through the reader's index of the top-level members */
			struct json_span sp[JSON_INDEX_MAX];
			struct json_index ix = { 0, sp };
			size_t s0, e0;
			long nl0;
			const char *er0;
			json_scan(r.p, r.len, 1, 0, &s0, &e0, &nl0, &er0, &ix);
			const char *v2;
			size_t n2;
			int st2 = p ? path_get(p, r.p, r.p + r.len, &ix, &v2, &n2) : -1;
			if (st2 != st || (st == PATH_FOUND && (v2 != v || n2 != n)))
				st = -2;
			int same;
			if (!jv_is_valid(want))
				same = st == PATH_ERROR;
			else if (jv_get_kind(want) == JV_KIND_NULL)
				same = st == PATH_NULL;
			else
				same = st == PATH_FOUND && jv_equal(jv_copy(want), jv_parse_sized(v, (int)n));
			snprintf(name, sizeof name, "path %s on record %zu", paths[j], i);
			CHECK(name, p && same);
			jv_free(want);
			jv_free(parsed);
			path_free(p);
			expr_free(e);
		}
	static const char *notpaths[] = { ".a|.b", ".a?", ".[-1]", "length", ".a + 1", ".[\"a\\(1)\"]", "..", ".a.[0]",
		".a.[\"b\"]", ". a", ".a .b", "", ".1", NULL };
	for (int j = 0; notpaths[j]; j++) {
		struct path *p = path_parse(notpaths[j]);
		snprintf(name, sizeof name, "not a plain path %s", notpaths[j]);
		CHECK(name, p == NULL);
	}
}

/* Feeds text through the reader from a temporary file and lists what comes out. */
static char *
read_all(const char *text)
{
	char path[] = "/tmp/pt-unit-XXXXXX";
	int fd = mkstemp(path);
	(void)!write(fd, text, strlen(text));
	close(fd);
	char *files[] = { path };
	struct reader *rd = rdr_open(files, 1);
	struct rec r;
	struct buf b = { 0 };
	while (rdr_next(rd, &r) == RDR_REC)
		buf_printf(&b, "%ld:%s%.*s|", r.line, r.err ? "ERR:" : "", (int)r.len, r.p);
	rdr_close(rd);
	unlink(path);
	return buf_cstr(&b);
}

static void
test_reader(void)
{
	static const struct { const char *in, *want; } t[] = {
		{ "{\"a\":1}\n{\"a\":2}\n", "1:{\"a\":1}|2:{\"a\":2}|" },
		{ "{\"a\":1}\r\n{\"a\":2}", "1:{\"a\":1}|2:{\"a\":2}|" },
		{ "\xef\xbb\xbf{\"a\":1}\n", "1:{\"a\":1}|" },
		{ "[{\"a\":1},\n {\"a\":2}\n]\n", "1:{\"a\":1}|2:{\"a\":2}|" },
		{ "{\"a\":1}{\"b\":2} {\"c\":3}\n", "1:{\"a\":1}|1:{\"b\":2}|1:{\"c\":3}|" },
		{ "{\"a\":1}\n{\"a\":\nbad\n{\"a\":3}\n", "1:{\"a\":1}|2:ERR:{\"a\":|3:ERR:bad|4:{\"a\":3}|" },
		{ "{\n \"a\": 1\n}\n{\n \"b\": 2\n}\n", "1:{\n \"a\": 1\n}|4:{\n \"b\": 2\n}|" },
		{ "", "" },
		{ "\n\n", "" },
		{ "{\"a\":1", "1:ERR:{\"a\":1|" },
		{ "[{\"a\":1},{\"a\":2}", "1:{\"a\":1}|1:{\"a\":2}|1:ERR:|" },
		{ "1\n\"s\"\n", "1:1|2:\"s\"|" },
	};
	char name[256];
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		char *got = read_all(t[i].in);
		snprintf(name, sizeof name, "reader case %zu", i);
		CHECK(name, strcmp(got, t[i].want) == 0);
		if (strcmp(got, t[i].want) != 0)
			printf("     got %s\n", got);
		free(got);
	}
}

static void
test_splice(void)
{
	const char *obj = "{\"a\":9007199254740993,\"b\":{\n \"c\": \"x y\"},\"model\":\"m\"}";
	const char *drop[] = { "model", NULL };
	struct buf b = { 0 };
	splice_object(&b, obj, strlen(obj), drop, "\"model\":\"new\"", 13);
	CHECK("splice keeps bytes, compacts, replaces",
	    strcmp(buf_cstr(&b), "{\"a\":9007199254740993,\"b\":{\"c\":\"x y\"},\"model\":\"new\"}") == 0);
	free(b.p);
	b = (struct buf){ 0 };
	splice_object(&b, "{}", 2, drop, "\"k\":1", 5);
	CHECK("splice into empty object", strcmp(buf_cstr(&b), "{\"k\":1}") == 0);
	free(b.p);
	b = (struct buf){ 0 };
	json_quote(&b, "a\"b\\c\n\x01\x7f\xc3\xa9", 10);
	CHECK("json_quote escapes", strcmp(buf_cstr(&b), "\"a\\\"b\\\\c\\n\\u0001\\u007f\xc3\xa9\"") == 0);
	free(b.p);
	b = (struct buf){ 0 };
	const char *q = "\"\\ud83d\\ude00 \\u00e9\\n\"";
	json_unquote(q, q + strlen(q), &b);
	CHECK("json_unquote surrogates", strcmp(buf_cstr(&b), "\xf0\x9f\x98\x80 \xc3\xa9\n") == 0);
	free(b.p);
}

static void
test_judge_parse(void)
{
	static const struct { const char *in; int st; double score; const char *just; } t[] = {
		{ "{\"score\": 3, \"justification\": \"ok\"}", JUDGE_OK, 3, "ok" },
		{ "  {\"score\": 2.5}\n", JUDGE_OK, 2.5, NULL },
		{ "```json\n{\"score\": 4}\n```", JUDGE_OK, 4, NULL },
		{ "```\n{\"score\": \"4.5\", \"justification\": \"j\"}\n```", JUDGE_OK, 4.5, "j" },
		{ "Grade: {\"score\": 1} and then {\"score\": 2, \"justification\": \"b\"}.", JUDGE_OK, 2, "b" },
		{ "{\"result\": {\"score\": 7}}", JUDGE_OK, 7, NULL },
		{ "text {\"result\": {\"score\": 7}} end", JUDGE_OK, 7, NULL },
		{ "{\"score\": \"high\"}", JUDGE_PARSE_ERROR, 0, NULL },
		{ "{\"score\": null}", JUDGE_PARSE_ERROR, 0, NULL },
		{ "{\"score\": 1e999}", JUDGE_PARSE_ERROR, 0, NULL },
		{ "no json here", JUDGE_PARSE_ERROR, 0, NULL },
		{ "{\"score\": 3", JUDGE_PARSE_ERROR, 0, NULL },
		{ "", JUDGE_PARSE_ERROR, 0, NULL },
	};
	char name[160];
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		double score = -1;
		char *just = NULL;
		const char *err;
		int st = judge_parse(t[i].in, &score, &just, &err);
		int good = st == t[i].st && (st != JUDGE_OK || (score == t[i].score &&
		    ((!just && !t[i].just) || (just && t[i].just && strcmp(just, t[i].just) == 0))));
		snprintf(name, sizeof name, "judge_parse case %zu", i);
		CHECK(name, good);
		free(just);
	}
}

/* Found by fuzz_http: absurd token counts in a reply are absent, not UB. */
static void
test_wire_reply(void)
{
	struct reply r;
	const char *err;
	const char *body = "{\"choices\":[{\"message\":{\"content\":\"x\"},\"finish_reason\":\"stop\"}],"
	    "\"usage\":{\"prompt_tokens\":1e300,\"completion_tokens\":-5}}";
	int st = wire_reply(API_OPENAI, body, strlen(body), &r, &err);
	CHECK("wire_reply absurd usage", st == WIRE_OK && r.prompt_tokens == -1 && r.completion_tokens == -1 &&
	    strcmp(r.text, "x") == 0);
	reply_free(&r);
	CHECK("retry-after-ms", retry_after_header("retry-after-ms: 250\r\n", 21, -1) == 0.25);
	CHECK("Retry-After seconds", retry_after_header("Retry-After: 12\r\n", 17, -1) == 12);
	CHECK("Retry-After nonsense", retry_after_header("Retry-After: soon\r\n", 19, -1) == -1);
	CHECK("Retry-After negative", retry_after_header("Retry-After: -3\r\n", 17, -1) == -1);
	CHECK("other header", retry_after_header("Content-Type: x\r\n", 17, -1) == -1);
}

/* The comparison sort below RADIX_MIN and the radix sort above it agree:
 * ascending, -0 before 0, and sort_index stable. */
static void
test_sorts(void)
{
	for (size_t n = 1; n <= 2000; n = n * 3 + 1) {
		double *a = emalloc(n * sizeof *a), *b = emalloc(n * sizeof *b);
		size_t *idx = emalloc(n * sizeof *idx);
		for (size_t i = 0; i < n; i++)
			a[i] = b[i] = (double)((i * 7919) % 13) - 6;
		a[0] = b[0] = -0.0;
		sort_doubles(b, n);
		sort_index(a, n, idx);
		int ok = 1;
		for (size_t i = 1; i < n; i++) {
			ok &= b[i - 1] <= b[i] && a[idx[i - 1]] <= a[idx[i]];
			ok &= a[idx[i - 1]] != a[idx[i]] || idx[i - 1] < idx[i];   /* stable */
		}
		for (size_t i = 0; i < n; i++)
			ok &= b[i] == a[idx[i]];
		char name[64];
		snprintf(name, sizeof name, "sorts agree and are stable, n = %zu", n);
		CHECK(name, ok);
		free(a);
		free(b);
		free(idx);
	}
}

/* Rate-limit buckets (pace.c) and the headers that fill them. */
static void
test_pace(void)
{
	struct bucket b = { 0 };
	CHECK("bucket: nothing known, no wait", bucket_wait(&b, 5, 0) == 0);
	bucket_init(&b, 60, 1, 0);   /* 60 a minute */
	bucket_take(&b, 60, 0);
	CHECK("bucket: empty, 2 s for 2", fabs(bucket_wait(&b, 2, 0) - 2) < 1e-9);
	CHECK("bucket: refilled after 2 s", bucket_wait(&b, 2, 2) == 0);
	CHECK("bucket: never over its size", fabs(bucket_wait(&b, 60, 1000)) < 1e-9);
	bucket_server(&b, -3, 600, 10);   /* owed 3 (requests started after the answer) */
	CHECK("bucket: server's per-minute limit, a debt", fabs(bucket_wait(&b, 1, 10) - 0.4) < 1e-9);
	struct ratelimit r;
	ratelimit_clear(&r);
	const char *h[] = { "x-ratelimit-limit-requests: 600\r\n", "X-RateLimit-Remaining-Requests: 7\r\n",
		"anthropic-ratelimit-tokens-remaining: 123\r\n", "anthropic-ratelimit-input-tokens-limit: 4000\r\n",
		"x-ratelimit-reset-requests: 6m0s\r\n" };
	for (size_t i = 0; i < sizeof h / sizeof *h; i++)
		ratelimit_header(&r, h[i], strlen(h[i]));
	CHECK("rate-limit headers read", r.v[0][1] == 600 && r.v[0][0] == 7 && r.v[1][0] == 123 && r.v[2][1] == 4000 &&
	    r.v[1][1] == -1);
}

/* Which programs pt-filter runs on several threads (the audit in expr.c). */
static void
test_concurrency(void)
{
	static const struct { const char *prog; int want; } t[] = {
		{ ".study | startswith(\"brodeur\")", EXPR_PARALLEL },
		{ ".a | test(\"x\"; \"i\")", EXPR_REGEX },
		{ "select(.r | gsub(\"a\"; \"b\") != .r)", EXPR_REGEX },
		{ ".a | split(\",\")", EXPR_REGEX },         /* split/1 too: the name decides */
		{ ".test and .match and $scan", EXPR_PARALLEL },   /* fields and variables */
		{ ".t | todate", EXPR_ONE_THREAD },
		{ ".a | test(\"x\") and (.b | debug)", EXPR_ONE_THREAD },
		{ ".x | lgamma > 1", EXPR_ONE_THREAD },
		{ ".x | lgamma_r", EXPR_PARALLEL },
		{ "now > 0 and $__loc__.line == 1 and (env | length) > 0", EXPR_PARALLEL },
		{ "[inputs] | length == 0", EXPR_PARALLEL },
		{ "stderr", EXPR_ONE_THREAD },
		{ "tests", EXPR_PARALLEL },
	};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		char name[160];
		snprintf(name, sizeof name, "expr_concurrency %s", t[i].prog);
		CHECK(name, expr_concurrency(t[i].prog) == t[i].want);
	}
}

/* Krippendorff (2011), "Computing Krippendorff's alpha-reliability": 4
 * observers, 12 units, missing values; alpha 0.743 nominal, 0.815 ordinal,
 * 0.849 interval, 0.797 ratio (to the three decimals published). */
static void
test_alpha(void)
{
	static const double A[4][12] = {
		{ 1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN },
		{ 1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3 },
		{ NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN },
		{ 1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN },
	};
	double v[12 * 4];
	for (int i = 0; i < 12; i++)
		for (int o = 0; o < 4; o++)
			v[i * 4 + o] = A[o][i];
	struct ratings r = { 12, 4, v };
	size_t cols[] = { 0, 1, 2, 3 }, pairable;
	static const struct { int level; double want; const char *name; } t[] = {
		{ LEVEL_NOMINAL, 0.743, "alpha nominal 0.743" }, { LEVEL_ORDINAL, 0.815, "alpha ordinal 0.815" },
		{ LEVEL_INTERVAL, 0.849, "alpha interval 0.849" }, { LEVEL_RATIO, 0.797, "alpha ratio 0.797" },
	};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		double a = kripp_alpha(&r, cols, 4, t[i].level, &pairable);
		CHECK(t[i].name, fabs(a - t[i].want) < 0.0005 && pairable == 40);
	}
	/* ICC(2,k) and ICC(2,1) agree with the two-rater formula on complete data */
	double w[10] = { 1, 2, 3, 3.5, 2, 2, 5, 4, 4, 4.5 }, x[5], y[5], i1, ik;
	for (int i = 0; i < 5; i++) {
		x[i] = w[2 * i];
		y[i] = w[2 * i + 1];
	}
	struct ratings r2 = { 5, 2, w };
	icc2(&r2, cols, 2, &i1, &ik);
	CHECK("icc2 (2,1) = icc21", fabs(i1 - icc21(x, y, 5)) < 1e-12);
	CHECK("icc2 (2,k) = Spearman-Brown of (2,1) for k = 2", fabs(ik - 2 * i1 / (1 + i1)) < 1e-12);
	w[3] = NAN;
	icc2(&r2, cols, 2, &i1, &ik);
	CHECK("icc2 needs a complete design", isnan(i1) && isnan(ik));
}

/* PPI: the estimate is the closed form, and the 95% intervals of PPI and
 * PPI++ cover the true mean 93-97% of the time over 2,000 simulated studies
 * (a biased judge: f = y + 1.5 + noise; 50 truths, 500 predictions only). */
static void
test_ppi(void)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, 11);
	enum { N = 50, NU = 500, RUNS = 2000 };
	double y[N], f[N], fu[NU];
	int cover[2] = { 0, 0 }, exact = 1;
	for (int run = 0; run < RUNS; run++) {
		double sfu = 0, sd = 0;
		for (int i = 0; i < N; i++) {
			y[i] = 10 + gsl_ran_gaussian(rng, 3);
			f[i] = y[i] + 1.5 + gsl_ran_gaussian(rng, 1);
			sd += (f[i] - y[i]) / N;
		}
		for (int i = 0; i < NU; i++) {
			double t = 10 + gsl_ran_gaussian(rng, 3);
			fu[i] = t + 1.5 + gsl_ran_gaussian(rng, 1);
			sfu += fu[i] / NU;
		}
		for (int tune = 0; tune < 2; tune++) {
			struct ppi o;
			ppi_mean(y, f, N, fu, NU, tune, 0, &o);
			cover[tune] += o.lo <= 10 && 10 <= o.hi;
			if (!tune && fabs(o.est - (sfu - sd)) > 1e-9)
				exact = 0;
		}
	}
	gsl_rng_free(rng);
	CHECK("ppi estimate = mean(f~) - mean(f - y)", exact);
	for (int tune = 0; tune < 2; tune++) {
		char name[80];
		snprintf(name, sizeof name, "%s 95%% interval covers 93-97%% (%.1f%% of %d)", tune ? "ppi++" : "ppi",
		    100.0 * cover[tune] / RUNS, RUNS);
		CHECK(name, cover[tune] >= 0.93 * RUNS && cover[tune] <= 0.97 * RUNS);
	}
}

/* blocks_run against rdr_next: random inputs (NDJSON with values across
 * lines, bad and long lines, blank and CRLF lines, a BOM, arrays, files
 * that end without a newline or are missing) read in small blocks by 1, 2
 * and 7 workers, by the workers (pread) or the main thread, give the same
 * records, lines and errors, in order. */
static void
rec_line(struct buf *b, const struct rec *r)
{
	buf_printf(b, "%s:%ld:%s%.*s|", r->file, r->line, r->err ? r->err : "", (int)r->len, r->p);
}

static void *
bres_new(void)
{
	return ecalloc(1, sizeof(struct buf));
}

static void
bres_free(void *p)
{
	free(((struct buf *)p)->p);
	free(p);
}

static void
bscan(void *w, struct reader *rd, void *res)
{
	struct rec r;
	((struct buf *)res)->len = 0;
	while (rdr_next(rd, &r) == RDR_REC)
		rec_line(res, &r);
}

static void
btake(void *tool, void *res)
{
	buf_add(tool, ((struct buf *)res)->p, ((struct buf *)res)->len);
}

static void
bone(void *tool, const struct rec *r)
{
	rec_line(tool, r);
}

static void
random_input(gsl_rng *g, struct buf *b, int first)
{
	static const char *const parts[] = {
		"{\"a\":1,\"s\":\"x y\"}\n", "{\"b\": [1, 2, {\"c\": null}]}\n", "\n", "  \n", "{\"crlf\":true}\r\n",
		"{\"multi\":\n  [1,\n   2]}\n", "{\n\"p\": 3\n}\n", "{\"bad\":\n", "not json\n", "[1,2]\n", "42\n",
		"{\"a\":1} {\"b\":2}\n", "{\"s\":\"a\\nb\"}\n", "{\"u\":\"\u00e9\"}\n", "}\n", "{\"open\": {\"x\": [\n",
	};
	int n = (int)gsl_rng_uniform_int(g, 60);
	if (first && gsl_rng_uniform(g) < 0.1)
		buf_adds(b, "\xef\xbb\xbf");
	if (first && gsl_rng_uniform(g) < 0.1) {
		buf_adds(b, "[{\"e\":1},\n {\"e\":2},\n");
		if (gsl_rng_uniform(g) < 0.7)
			buf_adds(b, "{\"e\":3}]\n");
	}
	if (first && gsl_rng_uniform(g) < 0.1)
		buf_adds(b, "{\"pretty\":\n 1}\n");
	for (int i = 0; i < n; i++) {
		if (gsl_rng_uniform(g) < 0.03) {
			buf_adds(b, "{\"long\":\"");
			for (int k = 0, m = (int)gsl_rng_uniform_int(g, 3000); k < m; k++)
				buf_addc(b, 'a' + k % 26);
			buf_adds(b, gsl_rng_uniform(g) < 0.5 ? "\"}\n" : "\n");
		} else
			buf_adds(b, parts[gsl_rng_uniform_int(g, sizeof parts / sizeof *parts)]);
	}
	if (gsl_rng_uniform(g) < 0.3)
		buf_adds(b, "{\"no_newline\":1}");
}

static void
test_blocks(void)
{
	gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(g, 28);
	int bad = 0, cases = 400;
	for (int c = 0; c < cases && !bad; c++) {
		char paths[3][32];
		char *files[3];
		int nf = 1 + (int)gsl_rng_uniform_int(g, 3);
		for (int f = 0; f < nf; f++) {
			snprintf(paths[f], sizeof paths[f], "/tmp/pt-unit-blk-%d", f);
			files[f] = paths[f];
			if (gsl_rng_uniform(g) < 0.1) {
				unlink(paths[f]);   /* missing */
				continue;
			}
			struct buf b = { 0 };
			random_input(g, &b, 1);
			FILE *fp = fopen(paths[f], "w");
			fwrite(b.p ? b.p : "", 1, b.len, fp);
			fclose(fp);
			free(b.p);
		}
		struct buf want = { 0 };
		int saved = dup(2);
		(void)!freopen("/dev/null", "w", stderr);
		struct reader *rd = rdr_open(files, nf);
		struct rec r;
		while (rdr_next(rd, &r) == RDR_REC)
			rec_line(&want, &r);
		int wfailed = rdr_failed(rd);
		rdr_close(rd);
		char bs[16];
		snprintf(bs, sizeof bs, "%d", 16 + (int)gsl_rng_uniform_int(g, 400));
		setenv("PT_BLOCK_BYTES", bs, 1);
		if (c % 2)   /* regular files read by the workers, or by the main thread as a pipe would be */
			setenv("PT_NO_PREAD", "1", 1);
		else
			unsetenv("PT_NO_PREAD");
		static const struct blocks_tool t = { bres_new, bres_free, bscan, btake, bone, NULL };
		int threads[] = { 1, 2, 7 };
		for (int k = 0; k < 3 && !bad; k++) {
			struct buf got = { 0 };
			void *ws[7] = { 0 };
			int gfailed = blocks_run(files, nf, threads[k], ws, &t, &got);
			if (gfailed != wfailed || strcmp(buf_cstr(&got), buf_cstr(&want)) != 0) {
				bad = 1;
				fflush(stderr);
				dup2(saved, 2);
				fprintf(stderr, "blocks case %d, %d threads, %s-byte blocks:\nwant %s\ngot  %s\n", c, threads[k], bs,
				    buf_cstr(&want), buf_cstr(&got));
			}
			free(got.p);
		}
		fflush(stderr);
		dup2(saved, 2);
		close(saved);
		free(want.p);
	}
	unsetenv("PT_BLOCK_BYTES");
	unsetenv("PT_NO_PREAD");
	for (int f = 0; f < 3; f++) {
		char p[32];
		snprintf(p, sizeof p, "/tmp/pt-unit-blk-%d", f);
		unlink(p);
	}
	gsl_rng_free(g);
	CHECK("blocks_run = rdr_next on 400 random inputs, 1, 2 and 7 workers, small blocks", !bad);
}

int
main(int argc, char **argv)
{
	pt_init(argv);
	test_scan();
	test_num();
	test_json_number();
	test_path();
	test_reader();
	test_blocks();
	test_splice();
	test_judge_parse();
	test_wire_reply();
	test_concurrency();
	test_sorts();
	test_pace();
	test_alpha();
	test_ppi();
	return failed ? 1 : 0;
}
