/* pt-stats: summaries, judge-versus-physician agreement and group comparisons. */
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gsl/gsl_rng.h>

#include "stats.h"
#include "table.h"

static void __attribute__((noreturn))
usage(void)
{
	printf("usage: pt-stats summary [--by [NAME=]EXPR]... [--value EXPR] [options] [FILE...]\n"
	    "       pt-stats agree [--by [NAME=]EXPR]... [--truth EXPR] [--pred EXPR] [options] [FILE...]\n"
	    "       pt-stats compare --by [NAME=]EXPR... --value EXPR --ref VALUE [options] [FILE...]\n"
	    "       pt-stats paired --by [NAME=]EXPR... --value EXPR --ref VALUE --pair EXPR [options] [FILE...]\n"
	    "       pt-stats raters --item EXPR --rater EXPR --value EXPR [--candidate NAME | --candidate-value EXPR]\n"
	    "                       [--level L] [--pairs] [options] [FILE...]\n"
	    "       pt-stats ppi [--truth EXPR] [--pred EXPR] [--tune] [--width W] [options] [FILE...]\n"
	    "       pt-stats top [--by [NAME=]EXPR]... --value EXPR [-n N] [--show [NAME=]EXPR]... [options] [FILE...]\n"
	    "One output record per group: summary statistics of a value, agreement of a\n"
	    "prediction with the truth (judge vs physician), each group against a\n"
	    "reference group (Mann-Whitney), or against it case by case (paired\n"
	    "differences, Wilcoxon signed-rank). With a second --by, each group is\n"
	    "compared with the reference of the same second key (the same instrument).\n"
	    "raters: agreement among raters of the same items (Krippendorff's alpha,\n"
	    "ICC), and whether a candidate (the judge) can stand in for one (the\n"
	    "alternative annotator test). ppi: a mean corrected for the judge's bias by\n"
	    "the records that also have a truth (prediction-powered inference). top:\n"
	    "the N records of each group with the largest value, with fields to show.\n"
	    "\n"
	    "  -b, --by [NAME=]EXPR   group by EXPR (repeatable); named after its path\n"
	    "  -v, --value EXPR       the value (summary default .grade)\n"
	    "      --truth EXPR       the truth for agree (default .grade)\n"
	    "      --pred EXPR        the prediction for agree (default .predicted_score)\n"
	    "      --ref VALUE        the reference group: a value of the first --by, as text\n"
	    "      --pair EXPR        what pairs values across groups (paired; e.g. .case_id)\n"
	    "      --item EXPR, --rater EXPR  raters: the item rated and who rated it\n"
	    "      --level L          raters: interval (default), ordinal, nominal or ratio\n"
	    "      --candidate NAME   raters: the rater tested as a stand-in (e.g. the judge)\n"
	    "      --candidate-value EXPR  raters: the candidate's rating, from the same record\n"
	    "      --epsilon E        raters: the alternative annotator test's margin (default 0.2)\n"
	    "      --min-items N      raters: items a rater needs to be tested (default 30)\n"
	    "      --pairs            raters: a row per pair of raters instead\n"
	    "      --tune             ppi: PPI++ (the power-tuned weight)\n"
	    "      --width W          ppi: the truths needed for a CI of +-W\n"
	    "      --boot N           percentile bootstrap with N resamples\n"
	    "      --cluster EXPR     resample clusters (e.g. .case_id) in the bootstrap\n"
	    "      --seed S           bootstrap seed (default 0)\n"
	    "  -n, --count N          top: records per group (default 10)\n"
	    "      --show [NAME=]EXPR top: a column from each record shown (repeatable)\n"
	    "      --sort             groups sorted by key (default: first seen)\n"
	    "      --rank [-]COLUMN   rows ranked by COLUMN (- largest first) within the\n"
	    "                         groups of every --by but the last; a rank column\n"
	    "      --columns A,B,...  only these columns, in this order\n"
	    "      --threads N        threads reading the input (default: $PT_THREADS, else the CPUs)\n"
	    "  -f, --format F         ndjson, table, csv, tsv, md or latex (default table\n"
	    "                         on a terminal)\n"
	    "      --arg NAME VALUE   bind $NAME in expressions\n"
	    "      --argjson NAME JSON  bind $NAME to a JSON value\n"
	    "  -h, --help             show this help and exit\n"
	    "      --version          show the version and exit\n"
	    "\n"
	    "Exit status: 0 every record read, 1 some records failed, 2 usage error,\n"
	    "3 write error, 4 out of memory. See pt-stats(1) for every field's definition.\n");
	exit(PT_EXIT_OK);
}

/* The options. */
static struct {
	const char *value, *truth, *pred, *ref, *cluster, *pair, *item, *rater, *candidate, *cand_value, *by_text[32];
	const char *show_text[32], *rank, *columns;
	int nshow, count_given;
	long boot, count, threads;
	unsigned long seed;
	int format, sorted, verb, level, pairs, tune;
	double eps, width;
	long min_items;
	jv args;
} opt = { .truth = ".grade", .pred = ".predicted_score", .eps = 0.2, .min_items = 30, .count = 10 };

static struct groups gs;
static int nby;            /* the --by expressions, */
static char **by_names;    /* and their names, the first columns */
static struct table T;     /* the rows made */

static void
print_line(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	out_line(p, n);
}

/* --sort: groups by key (order[] holds their indices; keys are distinct). */
static int
cmp_group(const void *a, const void *b)
{
	return strcmp(gs.g[*(const size_t *)a].key, gs.g[*(const size_t *)b].key);
}

/* Percentile bootstrap: B resamples of the clusters of g (each value its
 * own cluster without --cluster); stat() computes k statistics of one
 * resample; lo/hi get the 2.5 and 97.5 percentiles (numpy's linear). */
typedef void (*bootstat)(const double *a, const double *b, size_t n, double *out);

static void
bootstrap(const struct group *g, int two, long B, unsigned long seed, bootstat stat, int k, double *lo, double *hi)
{
	size_t n = g->a.n, ncl = g->clusters.n ? g->clusters.n : n;
	if (n == 0) {
		for (int s = 0; s < k; s++)
			lo[s] = hi[s] = NAN;
		return;
	}
	/* members of each cluster */
	size_t *start = ecalloc(ncl + 1, sizeof *start), *mem = emalloc(n * sizeof *mem);
	for (size_t i = 0; i < n; i++)
		start[(g->clusters.n ? (size_t)g->cl.v[i] : i) + 1]++;
	for (size_t c = 0; c < ncl; c++)
		start[c + 1] += start[c];
	size_t *fill = emalloc((ncl + 1) * sizeof *fill);
	memcpy(fill, start, (ncl + 1) * sizeof *fill);
	for (size_t i = 0; i < n; i++)
		mem[fill[g->clusters.n ? (size_t)g->cl.v[i] : i]++] = i;
	free(fill);
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, seed);
	double **res = emalloc((size_t)k * sizeof *res), *out = emalloc((size_t)k * sizeof *out);
	for (int s = 0; s < k; s++)
		res[s] = emalloc((size_t)B * sizeof **res);
	struct dvec ra = { 0 }, rb = { 0 };
	for (long b = 0; b < B; b++) {
		ra.n = rb.n = 0;
		for (size_t c = 0; c < ncl; c++) {
			size_t pick = gsl_rng_uniform_int(rng, ncl);
			for (size_t m = start[pick]; m < start[pick + 1]; m++) {
				dvec_push(&ra, g->a.v[mem[m]]);
				if (two)
					dvec_push(&rb, g->b.v[mem[m]]);
			}
		}
		stat(ra.v, rb.v, ra.n, out);
		for (int s = 0; s < k; s++)
			res[s][b] = out[s];
	}
	for (int s = 0; s < k; s++) {
		/* resamples where the statistic is undefined are left out */
		size_t m = 0;
		for (long b = 0; b < B; b++)
			if (!isnan(res[s][b]))
				res[s][m++] = res[s][b];
		sort_doubles(res[s], m);
		lo[s] = quantile_sorted(res[s], m, 0.025);
		hi[s] = quantile_sorted(res[s], m, 0.975);
		free(res[s]);
	}
	gsl_rng_free(rng);
	free(res);
	free(out);
	free(start);
	free(mem);
	free(ra.v);
	free(rb.v);
}

static void
boot_mean(const double *a, const double *b, size_t n, double *out)
{
	double s = 0;
	for (size_t i = 0; i < n; i++)
		s += a[i];
	out[0] = n ? s / n : NAN;
}

static void
boot_agree(const double *a, const double *b, size_t n, double *out)
{
	double p, s = 0;
	for (size_t i = 0; i < n; i++)
		s += fabs(b[i] - a[i]);
	out[0] = n ? s / n : NAN;
	out[1] = pearson(a, b, n, &p);
	out[2] = spearman(a, b, n, &p);
	out[3] = qwk(a, b, n);
}

static struct expr **bys;   /* the --by expressions, named in by_names */

/* An expression given as EXPR or NAME=EXPR: *name gets NAME, else the
 * expression's own name (a path's last key). args is borrowed; make is
 * expr_new, or expr_lazy for a worker's copy. */
static struct expr *
named_expr_as(const char *t, jv args, const char *what, char **name, struct expr *(*make)(const char *, jv, const char *))
{
	const char *eq = t;
	while ((*eq >= 'a' && *eq <= 'z') || (*eq >= 'A' && *eq <= 'Z') || *eq == '_' ||
	    (eq > t && *eq >= '0' && *eq <= '9'))
		eq++;
	*name = NULL;
	if (eq > t && *eq == '=' && eq[1] != '=') {
		*name = estrndup(t, (size_t)(eq - t));
		t = eq + 1;
	}
	struct expr *e = make(t, jv_copy(args), what);
	if (!*name)
		*name = estrdup(expr_name(e));
	return e;
}

static struct expr *
named_expr(const char *t, jv args, const char *what, char **name)
{
	return named_expr_as(t, args, what, name, expr_new);
}

/* The median of x[0..n-1] (x untouched). */
static double
median_of(const double *x, size_t n)
{
	double *s = emalloc((n ? n : 1) * sizeof *s);
	if (n)
		memcpy(s, x, n * sizeof *s);
	sort_doubles(s, n);
	double m = quantile_sorted(s, n, 0.5);
	free(s);
	return m;
}

/* Runs fn(ctx, i) for i in [0, n) on up to opt.threads threads (the
 * groups' statistics: each group's on its own, rows made after in order). */
struct pfor {
	void (*fn)(void *ctx, size_t i);
	void *ctx;
	size_t n, next;
};

static void *
pfor_work(void *arg)
{
	struct pfor *p = arg;
	for (size_t i; (i = __atomic_fetch_add(&p->next, 1, __ATOMIC_RELAXED)) < p->n;)
		p->fn(p->ctx, i);
	return NULL;
}

static void
parallel_for(size_t n, void (*fn)(void *ctx, size_t i), void *ctx)
{
	struct pfor p = { fn, ctx, n, 0 };
	long nt = opt.threads < (long)n ? opt.threads : (long)n;
	pthread_t *tid = ecalloc((size_t)(nt > 1 ? nt : 1), sizeof *tid);
	long started = 0;
	while (started < nt - 1 && pthread_create(&tid[started], NULL, pfor_work, &p) == 0)
		started++;
	pfor_work(&p);
	for (long i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	free(tid);
}

/* summary: a row per group, in order[]. */
struct sum_job {
	const size_t *order;
	struct summary *s;
};

static void
summary_one(void *ctx, size_t oi)
{
	struct sum_job *j = ctx;
	struct group *g = &gs.g[j->order[oi]];
	stats_summary(g->a.v, g->a.n, &j->s[oi]);
	if (opt.boot)
		bootstrap(g, 0, opt.boot, opt.seed, boot_mean, 1, &j->s[oi].ci_low, &j->s[oi].ci_high);
}

static int
summary_rows(const size_t *order)
{
	struct sum_job j = { order, ecalloc(gs.n ? gs.n : 1, sizeof *j.s) };
	parallel_for(gs.n, summary_one, &j);
	for (size_t oi = 0; oi < gs.n; oi++) {
		struct group *g = &gs.g[order[oi]];
		struct summary *s = &j.s[oi];
		struct row *rw = table_row(&T, g->key);
		cell_num(rw, "n", (double)s->n);
		cell_num(rw, "n_missing", (double)g->missing);
		cell_num(rw, "mean", s->mean);
		cell_num(rw, "sd", s->sd);
		cell_num(rw, "se", s->se);
		cell_num(rw, "median", s->median);
		cell_num(rw, "q1", s->q1);
		cell_num(rw, "q3", s->q3);
		cell_num(rw, "min", s->min);
		cell_num(rw, "max", s->max);
		cell_num(rw, "ci_low", s->ci_low);
		cell_num(rw, "ci_high", s->ci_high);
	}
	free(j.s);
	return 0;
}

/* agree: a row per group, with bootstrap CIs for four statistics. */
struct agree_job {
	const size_t *order;
	struct agreement *a;
	double (*lo)[4], (*hi)[4];
};

static void
agree_one(void *ctx, size_t oi)
{
	struct agree_job *j = ctx;
	struct group *g = &gs.g[j->order[oi]];
	stats_agree(g->a.v, g->b.v, g->a.n, &j->a[oi]);
	if (opt.boot)
		bootstrap(g, 1, opt.boot, opt.seed, boot_agree, 4, j->lo[oi], j->hi[oi]);
}

static int
agree_rows(const size_t *order)
{
	size_t n = gs.n ? gs.n : 1;
	struct agree_job j = { order, ecalloc(n, sizeof *j.a), ecalloc(n, sizeof *j.lo), ecalloc(n, sizeof *j.hi) };
	stats_helper = opt.threads > (long)gs.n;   /* a thread to spare for a group's rank statistics */
	parallel_for(gs.n, agree_one, &j);
	for (size_t oi = 0; oi < gs.n; oi++) {
		struct group *g = &gs.g[order[oi]];
		struct agreement *a = &j.a[oi];
		struct row *rw = table_row(&T, g->key);
		static const char *const bn[] = { "mae", "pearson_r", "spearman_rho", "qwk" };
		cell_num(rw, "n", (double)a->n);
		cell_num(rw, "n_missing", (double)g->missing);
		const struct { const char *name; double v; } f[] = {
			{ "mae", a->mae }, { "rmse", a->rmse }, { "bias", a->bias }, { "pearson_r", a->pearson_r },
			{ "pearson_p", a->pearson_p }, { "spearman_rho", a->spearman_rho }, { "spearman_p", a->spearman_p },
			{ "kendall_tau", a->kendall_tau }, { "kendall_p", a->kendall_p }, { "ccc", a->ccc }, { "icc", a->icc },
			{ "qwk", a->qwk }, { "exact", a->exact }, { "within1", a->within1 }, { "loa_low", a->loa_low },
			{ "loa_high", a->loa_high },
		};
		for (size_t i = 0; i < sizeof f / sizeof *f; i++) {
			cell_num(rw, f[i].name, f[i].v);
			for (int k = 0; opt.boot && k < 4; k++)
				if (strcmp(f[i].name, bn[k]) == 0) {
					static const char *const lon[] = { "mae_ci_low", "pearson_r_ci_low", "spearman_rho_ci_low", "qwk_ci_low" };
					static const char *const hin[] = { "mae_ci_high", "pearson_r_ci_high", "spearman_rho_ci_high", "qwk_ci_high" };
					cell_num(rw, lon[k], j.lo[oi][k]);
					cell_num(rw, hin[k], j.hi[oi][k]);
				}
		}
	}
	free(j.a);
	free(j.lo);
	free(j.hi);
	return 0;
}

/* compare and paired: the reference of each group. --ref names a value of
 * the first --by (as the table prints it); with more --by, each group is
 * compared with the reference group of the same other keys (the same
 * instrument). refs[i]: g[i]'s reference, itself for a reference group,
 * NULL when its stratum has none. 0, or 1 when no group is a reference. */
/* Whether the JSON text json[0..n) prints as want in the table format. */
static int
prints_as(const char *json, size_t n, const char *want, struct buf *t)
{
	char *j = estrndup(json, n);
	struct cell kc = { "", j, 0 };
	t->len = 0;
	cell_text(&kc, t, F_CSV);
	free(j);
	return strcmp(buf_cstr(t), want) == 0;
}

static int
find_refs(const char *ref, struct group **refs)
{
	struct buf t = { 0 };
	struct strmap strata = { 0 };   /* the other keys of a reference group -> its index */
	for (size_t i = 0; i < gs.n; i++) {
		const char *k = gs.g[i].key, *e = strchr(k, '\x1f');
		int added;
		if (prints_as(k, e ? (size_t)(e - k) : strlen(k), ref, &t))
			strmap_get(&strata, e ? e : "", i, &added);   /* the first of a stratum */
	}
	for (size_t i = 0; i < gs.n; i++) {
		const char *e = strchr(gs.g[i].key, '\x1f');
		const size_t *r = strmap_find(&strata, e ? e : "");
		refs[i] = r ? &gs.g[*r] : NULL;
	}
	int none = strata.n == 0;
	strmap_free(&strata);
	free(t.p);
	if (none)
		warn("--ref %s: no such group", ref);
	return none;
}

/* compare: each group against its reference (Mann-Whitney); 1 if there is none. */
static int
compare_rows(const size_t *order)
{
	const char *ref = opt.ref;
	struct group **refs = emalloc((gs.n ? gs.n : 1) * sizeof *refs);
	if (find_refs(ref, refs)) {
		free(refs);
		return 1;
	}
	double *p = emalloc(gs.n * sizeof *p), *adj = emalloc(gs.n * sizeof *adj);
	double *u = emalloc(gs.n * sizeof *u);
	size_t m = 0;
	for (size_t oi = 0; oi < gs.n; oi++) {
		struct group *g = &gs.g[order[oi]], *rg = refs[order[oi]];
		if (g == rg)
			continue;
		if (rg)
			mann_whitney(g->a.v, g->a.n, rg->a.v, rg->a.n, &u[m], &p[m]);
		else
			u[m] = p[m] = NAN;
		m++;
	}
	holm(p, m, adj);
	m = 0;
	for (size_t oi = 0; oi < gs.n; oi++) {
		struct group *g = &gs.g[order[oi]], *rg = refs[order[oi]];
		if (g == rg)
			continue;
		double med = median_of(g->a.v, g->a.n), ref_median = rg ? median_of(rg->a.v, rg->a.n) : NAN;
		size_t rn = rg ? rg->a.n : 0;
		struct row *rw = table_row(&T, g->key);
		cell_num(rw, "n", (double)g->a.n);
		cell_num(rw, "n_missing", (double)g->missing);
		cell_num(rw, "median", med);
		cell_num(rw, "ref_n", (double)rn);
		cell_num(rw, "ref_median", ref_median);
		cell_num(rw, "diff_median", med - ref_median);
		cell_num(rw, "u", u[m]);
		cell_num(rw, "p", p[m]);
		cell_num(rw, "p_holm", adj[m]);
		/* Cliff's delta = P(x > y) - P(x < y) = 2 U / (n1 n2) - 1 */
		cell_num(rw, "cliffs_delta", g->a.n && rn ? 2 * u[m] / ((double)g->a.n * rn) - 1 : NAN);
		m++;
	}
	free(p);
	free(adj);
	free(u);
	free(refs);
	return 0;
}

/* The mean value of each pair key of g (by its index in g->clusters). */
static double *
key_means(const struct group *g)
{
	size_t nk = g->clusters.n;
	double *sum = ecalloc(nk ? nk : 1, sizeof *sum), *cnt = ecalloc(nk ? nk : 1, sizeof *cnt);
	for (size_t i = 0; i < g->a.n; i++) {
		sum[(size_t)g->cl.v[i]] += g->a.v[i];
		cnt[(size_t)g->cl.v[i]]++;
	}
	for (size_t k = 0; k < nk; k++)
		sum[k] /= cnt[k];
	free(cnt);
	return sum;
}

/* The differences g - rg of the keys both have, in g's first-seen order;
 * *unpaired counts the keys only one side has (a null key pairs with nothing). */
static double *
pair_diffs(const struct group *g, const struct group *rg, size_t *n, size_t *unpaired)
{
	const struct strmap *km = &g->clusters;
	double *gm = key_means(g), *rm = rg ? key_means(rg) : NULL;
	double *d = emalloc((km->n ? km->n : 1) * sizeof *d);
	size_t *at = ecalloc(km->n ? km->n : 1, sizeof *at);   /* key index -> the ref's index + 1, or 0 */
	size_t matched = 0;
	for (size_t s = 0; s < km->cap; s++) {
		if (!km->keys[s])
			continue;
		const size_t *r = rg && strcmp(km->keys[s], "null") != 0 ? strmap_find(&rg->clusters, km->keys[s]) : NULL;
		at[km->vals[s]] = r ? *r + 1 : 0;
		matched += r != NULL;
	}
	*n = 0;
	for (size_t k = 0; k < km->n; k++)
		if (at[k])
			d[(*n)++] = gm[k] - rm[at[k] - 1];
	*unpaired = (km->n - matched) + (rg ? rg->clusters.n - matched : 0);
	free(gm);
	free(rm);
	free(at);
	return d;
}

/* paired: each group against its reference, case by case. */
static int
paired_rows(const size_t *order)
{
	const char *ref = opt.ref;
	long boot = opt.boot;
	unsigned long seed = opt.seed;
	struct group **refs = emalloc((gs.n ? gs.n : 1) * sizeof *refs);
	if (find_refs(ref, refs)) {
		free(refs);
		return 1;
	}
	double *p = emalloc((gs.n ? gs.n : 1) * sizeof *p), *adj = emalloc((gs.n ? gs.n : 1) * sizeof *adj);
	size_t m = 0, first = T.n;
	for (size_t oi = 0; oi < gs.n; oi++) {
		struct group *g = &gs.g[order[oi]], *rg = refs[order[oi]];
		if (g == rg)
			continue;
		size_t n, unpaired;
		double *d = pair_diffs(g, rg, &n, &unpaired), w, effect, lo, hi;
		struct summary sm;
		stats_summary(d, n, &sm);
		wilcoxon(d, n, &w, &p[m], &effect);
		if (boot) {
			struct group dg = { .a = { d, n, n } };
			bootstrap(&dg, 0, boot, seed, boot_mean, 1, &lo, &hi);
		} else
			t_interval(d, n, &lo, &hi);
		struct row *rw = table_row(&T, g->key);
		cell_num(rw, "n_pairs", (double)n);
		cell_num(rw, "n_unpaired", (double)unpaired);
		cell_num(rw, "mean_diff", sm.mean);
		cell_num(rw, "median_diff", sm.median);
		cell_num(rw, "ci_low", lo);
		cell_num(rw, "ci_high", hi);
		cell_num(rw, "w", w);
		cell_num(rw, "p", p[m]);
		cell_num(rw, "p_holm", NAN);
		cell_num(rw, "effect", effect);
		free(d);
		m++;
	}
	holm(p, m, adj);
	for (size_t i = 0; i < m; i++)
		for (int j = 0; j < T.rows[first + i].n; j++)
			if (strcmp(T.rows[first + i].c[j].name, "p_holm") == 0)
				T.rows[first + i].c[j].num = adj[i];
	free(p);
	free(adj);
	free(refs);
	return 0;
}

/* Frees the rows, the groups and the --by expressions. */
static void
free_tables(void)
{
	table_free(&T);
	groups_free(&gs);
	for (int i = 0; i < nby; i++)
		free(by_names[i]);
	free(by_names);
}

/* raters: the ratings of group g as an item x rater table (several ratings
 * of one item by one rater are averaged); the candidate's ratings from
 * --candidate-value are the last column. */
static void
ratings_of(const struct group *g, struct ratings *r)
{
	r->ni = g->clusters.n;
	r->nr = g->raters.n + (opt.cand_value != NULL);
	size_t cells = r->ni && r->nr ? r->ni * r->nr : 1;
	double *cnt = ecalloc(cells, sizeof *cnt);
	r->v = ecalloc(cells, sizeof *r->v);
	for (size_t i = 0; i < g->a.n; i++) {
		size_t at = (size_t)g->cl.v[i] * r->nr;
		r->v[at + (size_t)g->rl.v[i]] += g->a.v[i];
		cnt[at + (size_t)g->rl.v[i]]++;
		if (opt.cand_value && !isnan(g->b.v[i])) {
			r->v[at + r->nr - 1] += g->b.v[i];
			cnt[at + r->nr - 1]++;
		}
	}
	for (size_t k = 0; k < r->ni * r->nr; k++)
		r->v[k] = cnt[k] ? r->v[k] / cnt[k] : NAN;
	free(cnt);
}

/* The raters' names by index (JSON texts owned by g), the candidate's last. */
static const char **
rater_names(const struct group *g, size_t nr)
{
	const char **names = ecalloc(nr ? nr : 1, sizeof *names);
	for (size_t s = 0; s < g->raters.cap; s++)
		if (g->raters.keys[s])
			names[g->raters.vals[s]] = g->raters.keys[s];
	if (opt.cand_value)
		names[nr - 1] = "\"candidate\"";
	return names;
}

/* The column of the --candidate rater (matched as the table prints it), or nr. */
static size_t
candidate_col(const char **names, size_t nr)
{
	if (opt.cand_value)
		return nr - 1;
	struct buf t = { 0 };
	size_t c = nr;
	for (size_t i = 0; i < nr && opt.candidate && c == nr; i++)
		if (prints_as(names[i], strlen(names[i]), opt.candidate, &t))
			c = i;
	free(t.p);
	return c;
}

/* --pairs: each pair of raters on the items both rated. */
static void
rater_pairs(const struct group *g, const struct ratings *r, const char **names)
{
	double *x = emalloc((r->ni ? r->ni : 1) * sizeof *x), *y = emalloc((r->ni ? r->ni : 1) * sizeof *y);
	for (size_t a = 0; a < r->nr; a++)
		for (size_t b = a + 1; b < r->nr; b++) {
			size_t n = 0;
			double mae = 0, p;
			for (size_t i = 0; i < r->ni; i++)
				if (!isnan(r->v[i * r->nr + a]) && !isnan(r->v[i * r->nr + b])) {
					x[n] = r->v[i * r->nr + a];
					y[n] = r->v[i * r->nr + b];
					mae += fabs(y[n] - x[n]);
					n++;
				}
			struct row *rw = table_row(&T, g->key);
			cell_json(rw, "rater_a", names[a]);
			cell_json(rw, "rater_b", names[b]);
			cell_num(rw, "n", (double)n);
			cell_num(rw, "mae", n ? mae / n : NAN);
			cell_num(rw, "pearson_r", pearson(x, y, n, &p));
			cell_num(rw, "qwk", qwk(x, y, n));
		}
	free(x);
	free(y);
}

/* raters: a row per group (or, with --pairs, per pair of raters); 1 when
 * --candidate names no rater. */
static int
raters_rows(const size_t *order)
{
	int bad = 0;
	for (size_t oi = 0; oi < gs.n; oi++) {
		const struct group *g = &gs.g[order[oi]];
		struct ratings r;
		ratings_of(g, &r);
		const char **names = rater_names(g, r.nr);
		size_t cand = candidate_col(names, r.nr), nh = 0, pairable;
		if (opt.candidate && cand == r.nr && !opt.cand_value) {
			warn("--candidate %s: no such rater%s", opt.candidate, nby ? " in a group" : "");
			bad = 1;
		}
		size_t *hum = emalloc((r.nr ? r.nr : 1) * sizeof *hum);
		for (size_t c = 0; c < r.nr; c++)
			if (c != cand)
				hum[nh++] = c;
		if (opt.pairs) {
			rater_pairs(g, &r, names);
			goto next;
		}
		/* the raters other than the candidate: their alpha and ICCs; how much
		 * their ratings of one item spread */
		double alpha = kripp_alpha(&r, hum, nh, opt.level, &pairable), i1, ik, sds = 0, spread = 0;
		size_t multi = 0;
		icc2(&r, hum, nh, &i1, &ik);
		for (size_t i = 0; i < r.ni; i++) {
			double v[2] = { INFINITY, -INFINITY }, s = 0, s2 = 0;
			size_t m = 0;
			for (size_t h = 0; h < nh; h++) {
				double y = r.v[i * r.nr + hum[h]];
				if (isnan(y))
					continue;
				v[0] = fmin(v[0], y);
				v[1] = fmax(v[1], y);
				s += y;
				s2 += y * y;
				m++;
			}
			if (m < 2)
				continue;
			multi++;
			spread += v[1] - v[0] >= 1;
			sds += sqrt(fmax(0, (s2 - s * s / m) / (m - 1)));
		}
		struct row *rw = table_row(&T, g->key);
		static const char *const lv[] = { "\"interval\"", "\"ordinal\"", "\"nominal\"", "\"ratio\"" };
		cell_json(rw, "level", lv[opt.level]);
		cell_num(rw, "n_items", (double)r.ni);
		cell_num(rw, "n_raters", (double)nh);
		cell_num(rw, "n_missing", (double)g->missing);
		cell_num(rw, "n_pairable", (double)pairable);
		cell_num(rw, "alpha", alpha);
		cell_num(rw, "icc21", i1);
		cell_num(rw, "icc2k", ik);
		cell_num(rw, "items_multi", (double)multi);
		cell_num(rw, "spread_1", multi ? spread / multi : NAN);
		cell_num(rw, "item_sd", multi ? sds / multi : NAN);
		if (cand < r.nr) {
			/* the candidate in place of each rater in turn */
			double sw = 0;
			size_t nsw = 0, p2;
			for (size_t j = 0; j < nh; j++) {
				size_t save = hum[j];
				hum[j] = cand;
				double a = kripp_alpha(&r, hum, nh, opt.level, &p2);
				hum[j] = save;
				if (!isnan(a)) {
					sw += a;
					nsw++;
				}
			}
			struct alt at;
			alt_test(&r, hum, nh, cand, opt.eps, 0.05, (size_t)opt.min_items, &at);
			cell_num(rw, "alpha_candidate", nsw ? sw / nsw : NAN);
			cell_num(rw, "epsilon", opt.eps);
			cell_num(rw, "alt_raters", (double)at.ntested);
			cell_num(rw, "alt_omega", at.omega);
			cell_num(rw, "alt_rho", at.rho);
			cell_json(rw, "alt_passed", at.ntested ? (at.passed ? "true" : "false") : "null");
		}
	next:
		free(hum);
		free(names);
		free(r.v);
	}
	return bad;
}

/* ppi: a row per group: records with a truth are the labelled set, those
 * with a prediction only the unlabelled one. */
static int
ppi_rows(const size_t *order)
{
	for (size_t oi = 0; oi < gs.n; oi++) {
		const struct group *g = &gs.g[order[oi]];
		size_t n = 0, nu = 0;
		double *y = emalloc((g->a.n ? g->a.n : 1) * sizeof *y), *f = emalloc((g->a.n ? g->a.n : 1) * sizeof *f);
		double *fu = emalloc((g->a.n ? g->a.n : 1) * sizeof *fu);
		for (size_t i = 0; i < g->a.n; i++)
			if (isnan(g->b.v[i]))
				fu[nu++] = g->a.v[i];
			else {
				y[n] = g->b.v[i];
				f[n++] = g->a.v[i];
			}
		struct ppi o;
		ppi_mean(y, f, n, fu, nu, opt.tune, opt.width, &o);
		struct row *rw = table_row(&T, g->key);
		cell_num(rw, "n_labelled", (double)n);
		cell_num(rw, "n_unlabelled", (double)nu);
		cell_num(rw, "n_missing", (double)g->missing);
		cell_num(rw, "estimate", o.est);
		cell_num(rw, "ci_low", o.lo);
		cell_num(rw, "ci_high", o.hi);
		cell_num(rw, "lambda", o.lambda);
		cell_num(rw, "naive", o.naive);
		cell_num(rw, "naive_ci_low", o.naive_lo);
		cell_num(rw, "naive_ci_high", o.naive_hi);
		cell_num(rw, "classical", o.classical);
		cell_num(rw, "classical_ci_low", o.cl_lo);
		cell_num(rw, "classical_ci_high", o.cl_hi);
		if (opt.width)
			cell_num(rw, "n_needed", o.n_needed);
		free(y);
		free(f);
		free(fu);
	}
	return 0;
}

/* top: the --count records of each group with the largest value, kept as
 * they are read (among equal values the first seen first), each with the
 * --show columns' JSON texts. */
struct kept {
	double v;
	char **shown;
};
static struct {
	struct kept *k;   /* largest first, at most opt.count */
	size_t n;
} *tops;
static size_t ntops;
static struct expr **shows;
static char **show_names, *value_name;

static int
top_each(void *ctx, size_t gi, const struct rec *r, jv *parsed)
{
	(void)ctx;
	if (gi >= ntops) {
		tops = erealloc(tops, (gi + 1) * sizeof *tops);
		memset(tops + ntops, 0, (gi + 1 - ntops) * sizeof *tops);
		ntops = gi + 1;
	}
	struct kept *k = tops[gi].k;
	size_t n = tops[gi].n, max = (size_t)opt.count;
	double v = gs.g[gi].a.v[gs.g[gi].a.n - 1];
	if (n == max && !(v > k[n - 1].v))
		return 0;
	if (!k)
		k = tops[gi].k = emalloc(max * sizeof *k);
	if (n == max) {
		for (int i = 0; i < opt.nshow; i++)
			free(k[n - 1].shown[i]);
		free(k[--n].shown);
	}
	size_t at = n;
	while (at > 0 && v > k[at - 1].v)
		at--;
	memmove(&k[at + 1], &k[at], (n - at) * sizeof *k);
	tops[gi].n = n + 1;
	k[at].v = v;
	k[at].shown = emalloc((size_t)(opt.nshow ? opt.nshow : 1) * sizeof *k[at].shown);
	int bad = 0;
	struct buf b = { 0 };
	for (int i = 0; i < opt.nshow; i++) {
		b.len = 0;
		if (expr_json(shows[i], r, parsed, &b) < 0) {
			bad = 1;
			b.len = 0;
			buf_adds(&b, "null");
		}
		k[at].shown[i] = estrdup(buf_cstr(&b));
	}
	free(b.p);
	return bad;
}

static int
top_rows(const size_t *order)
{
	for (size_t oi = 0; oi < gs.n; oi++) {
		size_t gi = order[oi];
		for (size_t i = 0; gi < ntops && i < tops[gi].n; i++) {
			struct kept *k = &tops[gi].k[i];
			struct row *rw = table_row(&T, gs.g[gi].key);
			/* equal values share a rank (1, 2, 2, 4) */
			double rank = (double)i + 1;
			if (i && k->v == k[-1].v)
				rank = rw[-1].c[nby].num;
			cell_num(rw, "rank", rank);
			cell_num(rw, value_name, k->v);
			for (int j = 0; j < opt.nshow; j++) {
				cell_json(rw, show_names[j], k->shown[j]);
				free(k->shown[j]);
			}
			free(k->shown);
		}
		if (gi < ntops)
			free(tops[gi].k);
	}
	free(tops);
	return 0;
}

static void
parse_options(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "arg", required_argument, NULL, 'A' },
		{ "argjson", required_argument, NULL, 'J' },
		{ "boot", required_argument, NULL, 'B' },
		{ "by", required_argument, NULL, 'b' },
		{ "candidate", required_argument, NULL, 'c' },
		{ "candidate-value", required_argument, NULL, 'K' },
		{ "cluster", required_argument, NULL, 'C' },
		{ "columns", required_argument, NULL, 'L' },
		{ "count", required_argument, NULL, 'n' },
		{ "epsilon", required_argument, NULL, 'E' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "item", required_argument, NULL, 'i' },
		{ "level", required_argument, NULL, 'l' },
		{ "min-items", required_argument, NULL, 'M' },
		{ "pair", required_argument, NULL, 'p' },
		{ "pairs", no_argument, NULL, 'Q' },
		{ "pred", required_argument, NULL, 'P' },
		{ "rank", required_argument, NULL, 'N' },
		{ "rater", required_argument, NULL, 'r' },
		{ "ref", required_argument, NULL, 'R' },
		{ "seed", required_argument, NULL, 'S' },
		{ "show", required_argument, NULL, 'w' },
		{ "sort", no_argument, NULL, 's' },
		{ "threads", required_argument, NULL, 'H' },
		{ "truth", required_argument, NULL, 'T' },
		{ "tune", no_argument, NULL, 'U' },
		{ "value", required_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "width", required_argument, NULL, 'W' },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const levels[] = { "interval", "ordinal", "nominal", "ratio" };   /* LEVEL_* */
	int c;
	while ((c = getopt_long(argc, argv, "b:f:hn:v:", opts, NULL)) != -1) {
		switch (c) {
		case 'A':
		case 'J':
			args_option(&opt.args, c == 'J', argc, argv);
			break;
		case 'B': opt.boot = parse_long("--boot", optarg, 1, 1000000); break;
		case 'b':
			if (nby == 32)
				usage_error("--by: at most 32");
			opt.by_text[nby++] = optarg;
			break;
		case 'c': opt.candidate = optarg; break;
		case 'C': opt.cluster = optarg; break;
		case 'L': opt.columns = optarg; break;
		case 'n':
			opt.count = parse_long("--count", optarg, 1, 1000000);
			opt.count_given = 1;
			break;
		case 'N':
			if (!optarg[optarg[0] == '-'])
				usage_error("--rank: expected a column name");
			opt.rank = optarg;
			break;
		case 'E': opt.eps = parse_double("--epsilon", optarg, 0, 1); break;
		case 'f': opt.format = table_format(optarg); break;
		case 'h': usage();
		case 'i': opt.item = optarg; break;
		case 'K': opt.cand_value = optarg; break;
		case 'l':
			for (opt.level = 0; opt.level < 4 && strcmp(optarg, levels[opt.level]) != 0; opt.level++)
				;
			if (opt.level == 4)
				usage_error("--level: expected interval, ordinal, nominal or ratio, got '%s'", optarg);
			break;
		case 'M': opt.min_items = parse_long("--min-items", optarg, 2, 1000000000); break;
		case 'p': opt.pair = optarg; break;
		case 'P': opt.pred = optarg; break;
		case 'Q': opt.pairs = 1; break;
		case 'r': opt.rater = optarg; break;
		case 'R': opt.ref = optarg; break;
		case 'S': opt.seed = (unsigned long)parse_long("--seed", optarg, 0, 1L << 62); break;
		case 's': opt.sorted = 1; break;
		case 'T': opt.truth = optarg; break;
		case 'H': opt.threads = parse_long("--threads", optarg, 1, 64); break;
		case 'U': opt.tune = 1; break;
		case 'v': opt.value = optarg; break;
		case 'V': print_version();
		case 'w':
			if (opt.nshow == 32)
				usage_error("--show: at most 32");
			opt.show_text[opt.nshow++] = optarg;
			break;
		case 'W': opt.width = parse_double("--width", optarg, 1e-300, 1e300); break;
		default: usage_error("unknown option");
		}
	}
}

/* The options a verb needs or takes, as bits. */
enum {
	T_BY = 1, T_ITEM = 2, T_RATER = 4, T_VALUE = 8, T_REF = 16, T_PAIR = 32,   /* needed: said in this order */
	T_RATERS = 64,    /* --candidate, --candidate-value, --pairs */
	T_PPI = 128,      /* --tune, --width */
	T_BOOT = 256, T_CLUSTER = 512,
	T_TRUTH = 1024,   /* --truth and --pred, not --value */
	T_TOP = 2048,     /* --count, --show */
	T_RANK = 4096
};
static const char *const need_names[] = { "--by", "--item", "--rater", "--value", "--ref", "--pair" };

/* The verbs, as data, the way datamash declares its operations: what each
 * needs and takes, the options its one or two value columns come from (the
 * second may be absent from a record where b_optional), and the function
 * that makes its rows (it returns the records that failed). Adding a verb
 * is an entry here and its function. */
static const struct verb {
	const char *name;
	unsigned needs, takes;
	const char *a, *b;
	int b_optional;
	int (*rows)(const size_t *order);
} verbs[] = {
	{ "summary", 0, T_BY | T_VALUE | T_BOOT | T_CLUSTER | T_RANK, "--value", NULL, 0, summary_rows },
	{ "agree", 0, T_BY | T_TRUTH | T_BOOT | T_CLUSTER | T_RANK, "--truth", "--pred", 0, agree_rows },
	{ "compare", T_BY | T_VALUE | T_REF, T_BY | T_VALUE | T_REF | T_RANK, "--value", NULL, 0, compare_rows },
	{ "paired", T_BY | T_VALUE | T_REF | T_PAIR, T_BY | T_VALUE | T_REF | T_PAIR | T_BOOT | T_RANK, "--value", NULL,
	  0, paired_rows },
	{ "raters", T_ITEM | T_RATER | T_VALUE, T_BY | T_ITEM | T_RATER | T_VALUE | T_RATERS | T_RANK, "--value",
	  "--candidate-value", 1, raters_rows },
	{ "ppi", 0, T_BY | T_TRUTH | T_PPI | T_RANK, "--pred", "--truth", 1, ppi_rows },
	{ "top", T_VALUE, T_BY | T_VALUE | T_TOP, "--value", NULL, 0, top_rows },
};
enum { NVERBS = sizeof verbs / sizeof *verbs };

/* The options given, as bits. */
static unsigned
given(void)
{
	return (nby ? T_BY : 0) | (opt.item ? T_ITEM : 0) | (opt.rater ? T_RATER : 0) | (opt.value ? T_VALUE : 0) |
	    (opt.ref ? T_REF : 0) | (opt.pair ? T_PAIR : 0) | (opt.candidate || opt.cand_value || opt.pairs ? T_RATERS : 0) |
	    (opt.tune || opt.width ? T_PPI : 0) | (opt.boot ? T_BOOT : 0) | (opt.cluster ? T_CLUSTER : 0) |
	    (opt.count_given || opt.nshow ? T_TOP : 0) | (opt.rank ? T_RANK : 0);
}

/* "a, b and c" of the names of the bits in mask (names[i] for bit 1 << i). */
static char *
name_list(unsigned mask, const char *(*name)(int))
{
	struct buf b = { 0 };
	int n = 0, total = 0;
	for (int i = 0; i < 32; i++)
		total += (mask >> i) & 1;
	for (int i = 0; i < 32; i++)
		if ((mask >> i) & 1)
			buf_printf(&b, "%s%s", n++ ? (n == total ? " and " : ", ") : "", name(i));
	return buf_cstr(&b);
}

static const char *
need_name(int i)
{
	return need_names[i];
}

static const char *
verb_name(int i)
{
	return verbs[i].name;
}

/* The options that go together, from the table. */
static void
check_options(void)
{
	static const struct { unsigned bits; const char *names; } groups[] = {
		{ T_PAIR, "--pair is" },
		{ T_ITEM | T_RATER | T_RATERS, "--item, --rater, --candidate, --candidate-value and --pairs are" },
		{ T_PPI, "--tune and --width are" },
		{ T_BOOT, "--boot is" },
		{ T_CLUSTER, "--cluster is" },
		{ T_TOP, "--count and --show are" },
		{ T_RANK, "--rank is" },
	};
	const struct verb *v = &verbs[opt.verb];
	unsigned have = given();
	if ((v->needs & have) != v->needs) {
		char *l = name_list(v->needs, need_name);
		usage_error("%s needs %s", v->name, l);
	}
	if ((v->takes & T_TRUTH) && opt.value)
		usage_error("%s takes --truth and --pred, not --value", v->name);
	for (size_t k = 0; k < sizeof groups / sizeof *groups; k++)
		if ((have & groups[k].bits) && !(v->takes & groups[k].bits)) {
			unsigned by = 0;
			for (int i = 0; i < NVERBS; i++)
				by |= verbs[i].takes & groups[k].bits ? 1u << i : 0;
			char *l = name_list(by, verb_name);
			usage_error("%s for %s", groups[k].names, l);
		}
	if (opt.cluster && !opt.boot)
		usage_error("--cluster needs --boot");
	if (!opt.value)
		opt.value = ".grade";
}

/* The text of the option named (a column of a verb), or NULL when not given. */
static const char *
column_text(const char *name)
{
	return !name ? NULL : strcmp(name, "--truth") == 0 ? opt.truth : strcmp(name, "--pred") == 0 ? opt.pred
	    : strcmp(name, "--candidate-value") == 0 ? opt.cand_value : opt.value;
}

/* The expressions the verb reads (--by, its value or two, its cluster, pair
 * or item, its rater) into x, from args (borrowed); make: expr_new for the
 * main thread's, whose names name the columns (names[], *vname), or
 * expr_lazy for a worker's. */
static void
verb_exprs(const struct verb *v, struct group_exprs *x, jv args, struct expr *(*make)(const char *, jv, const char *),
    char **names, char **vname)
{
	const char *b_text = column_text(v->b);
	const char *c_text = opt.pair ? opt.pair : opt.item ? opt.item : opt.cluster;
	struct expr **by = emalloc((size_t)(nby ? nby : 1) * sizeof *by);
	for (int i = 0; i < nby; i++)
		by[i] = named_expr_as(opt.by_text[i], args, "--by", &names[i], make);
	*x = (struct group_exprs){
		by, nby,
		named_expr_as(column_text(v->a), args, v->a, vname, make),
		b_text ? make(b_text, jv_copy(args), v->b) : NULL,
		c_text ? make(c_text, jv_copy(args), opt.pair ? "--pair" : opt.item ? "--item" : "--cluster") : NULL,
		opt.rater ? make(opt.rater, jv_copy(args), "--rater") : NULL,
		v->b_optional, NULL, NULL,
	};
}

static void
exprs_free(struct group_exprs *x)
{
	for (int i = 0; i < x->nby; i++)
		expr_free(x->by[i]);
	free(x->by);
	expr_free(x->a);
	expr_free(x->b);
	expr_free(x->cluster);
	expr_free(x->rater);
}

/* The threads that read: --threads, else the machine's (threads_default);
 * one when an expression names a builtin that must stay on one thread
 * (expr.c says which). */
static long
threads_for(const struct verb *v)
{
	long n = opt.threads ? opt.threads : threads_default();
	const char *texts[32 + 6] = { column_text(v->a), column_text(v->b), opt.pair, opt.item, opt.cluster };
	int nt = 5;
	if (opt.rater)
		texts[nt++] = opt.rater;
	for (int i = 0; i < nby; i++)
		texts[nt++] = opt.by_text[i];
	for (int i = 0; i < nt && n > 1; i++) {
		int how = texts[i] ? expr_concurrency(texts[i]) : EXPR_PARALLEL;
		if (how == EXPR_ONE_THREAD)
			n = 1;
		else if (how == EXPR_REGEX)
			expr_regex_init();
	}
	return n;
}

int
main(int argc, char **argv)
{
	const char *names[NVERBS + 1];
	for (int i = 0; i < NVERBS; i++)
		names[i] = verbs[i].name;
	names[NVERBS] = NULL;
	pt_init(argv);
	opt.format = isatty(1) ? F_TABLE : F_NDJSON;
	opt.args = jv_object();
	opt.verb = verb_of(&argc, &argv, names, usage);
	parse_options(argc, argv);
	check_options();
	const struct verb *v = &verbs[opt.verb];

	by_names = emalloc((size_t)(nby ? nby : 1) * sizeof *by_names);
	T.nby = nby;
	T.by_names = by_names;
	struct group_exprs x;
	verb_exprs(v, &x, opt.args, expr_new, by_names, &value_name);
	bys = x.by;
	shows = emalloc((size_t)(opt.nshow ? opt.nshow : 1) * sizeof *shows);
	show_names = emalloc((size_t)(opt.nshow ? opt.nshow : 1) * sizeof *show_names);
	for (int i = 0; i < opt.nshow; i++)
		shows[i] = named_expr(opt.show_text[i], opt.args, "--show", &show_names[i]);

	unsigned long nfail = 0, nmissing = 0;
	int nbadin;
	long nthreads = threads_for(v);
	opt.threads = nthreads;   /* the groups' statistics too (parallel_for) */
	if (v->rows == top_rows) {
		/* top keeps records as they are read: one thread */
		x.each = top_each;
		struct reader *rd = rdr_open(argv + optind, argc - optind);
		rdr_threaded(rd);
		groups_read(&gs, rd, &x, &nfail, &nmissing);
		nbadin = rdr_failed(rd);
		rdr_close(rd);
	} else {
		/* workers' own expressions, from their own copy of the arguments
		 * (jv reference counts are not atomic), compiled when first needed;
		 * the last, the main thread's */
		struct group_exprs *xs = ecalloc((size_t)nthreads + 1, sizeof *xs);
		jv *wargs = ecalloc((size_t)nthreads, sizeof *wargs);
		for (long i = 0; i < nthreads && nthreads > 1; i++) {
			char **wn = emalloc((size_t)(nby ? nby : 1) * sizeof *wn), *vn;
			wargs[i] = jv_deep_copy(jv_copy(opt.args));
			verb_exprs(v, &xs[i], wargs[i], expr_lazy, wn, &vn);
			for (int k = 0; k < nby; k++)
				free(wn[k]);
			free(wn);
			free(vn);
		}
		if (nthreads == 1)
			xs[0] = x;
		xs[nthreads] = x;
		nbadin = groups_read_blocks(&gs, argv + optind, argc - optind, (int)nthreads, xs, &nfail, &nmissing);
		for (long i = 0; i < nthreads && nthreads > 1; i++) {
			exprs_free(&xs[i]);
			jv_free(wargs[i]);
		}
		free(xs);
		free(wargs);
	}
	jv_free(opt.args);

	size_t *order = emalloc((gs.n ? gs.n : 1) * sizeof *order);
	for (size_t i = 0; i < gs.n; i++)
		order[i] = i;
	if (opt.sorted)
		qsort(order, gs.n, sizeof *order, cmp_group);

	nfail += (unsigned long)v->rows(order);
	if (opt.rank)
		table_rank(&T, opt.rank);
	if (opt.columns)
		table_columns(&T, opt.columns);
	table_print(&T, opt.format, print_line, NULL);
	out_close();
	if (nmissing)
		warn("%lu record%s with a missing or non-numeric value (counted in n_missing)", nmissing, nmissing == 1 ? "" : "s");

	free_tables();
	free(order);
	exprs_free(&x);
	for (int i = 0; i < opt.nshow; i++) {
		expr_free(shows[i]);
		free(show_names[i]);
	}
	free(shows);
	free(show_names);
	free(value_name);
	return fail_summary(nfail, nbadin);
}
