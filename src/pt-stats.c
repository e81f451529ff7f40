/* pt-stats: summaries, judge-versus-physician agreement and group comparisons. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gsl/gsl_rng.h>

#include "stats.h"

static void __attribute__((noreturn))
usage(void)
{
	printf("usage: pt-stats summary [--by [NAME=]EXPR]... [--value EXPR] [options] [FILE...]\n"
	    "       pt-stats agree [--by [NAME=]EXPR]... [--truth EXPR] [--pred EXPR] [options] [FILE...]\n"
	    "       pt-stats compare --by [NAME=]EXPR... --value EXPR --ref VALUE [options] [FILE...]\n"
	    "       pt-stats paired --by [NAME=]EXPR... --value EXPR --ref VALUE --pair EXPR [options] [FILE...]\n"
	    "One output record per group: summary statistics of a value, agreement of a\n"
	    "prediction with the truth (judge vs physician), each group against a\n"
	    "reference group (Mann-Whitney), or against it case by case (paired\n"
	    "differences, Wilcoxon signed-rank). With a second --by, each group is\n"
	    "compared with the reference of the same second key (the same instrument).\n"
	    "\n"
	    "  -b, --by [NAME=]EXPR   group by EXPR (repeatable); named after its path\n"
	    "  -v, --value EXPR       the value (summary default .grade)\n"
	    "      --truth EXPR       the truth for agree (default .grade)\n"
	    "      --pred EXPR        the prediction for agree (default .predicted_score)\n"
	    "      --ref VALUE        the reference group: a value of the first --by, as text\n"
	    "      --pair EXPR        what pairs values across groups (paired; e.g. .case_id)\n"
	    "      --boot N           percentile bootstrap with N resamples\n"
	    "      --cluster EXPR     resample clusters (e.g. .case_id) in the bootstrap\n"
	    "      --seed S           bootstrap seed (default 0)\n"
	    "      --sort             groups sorted by key (default: first seen)\n"
	    "  -f, --format F         ndjson, table, csv, tsv or md (default table on a terminal)\n"
	    "      --arg NAME VALUE   bind $NAME in expressions\n"
	    "      --argjson NAME JSON  bind $NAME to a JSON value\n"
	    "  -h, --help             show this help and exit\n"
	    "      --version          show the version and exit\n"
	    "\n"
	    "Exit status: 0 every record read, 1 some records failed, 2 usage error,\n"
	    "3 write error, 4 out of memory. See pt-stats(1) for every field's definition.\n");
	exit(PT_EXIT_OK);
}

enum { SUMMARY, AGREE, COMPARE, PAIRED };
enum { F_NDJSON, F_TABLE, F_CSV, F_TSV, F_MD };

static struct groups gs;

/* --sort: groups by key (order[] holds their indices; keys are distinct). */
static int
cmp_group(const void *a, const void *b)
{
	return strcmp(gs.g[*(const size_t *)a].key, gs.g[*(const size_t *)b].key);
}

/* One output row: key fields (JSON text) then numbers. */
struct cell {
	const char *name;
	char *text;     /* JSON text, or NULL for a number */
	double num;
};
struct row {
	struct cell *c;
	int n;
};
static struct row *rows;
static size_t nrows;
static int nby;
static char **by_names;

static void
cell_num(struct row *r, const char *name, double x)
{
	r->c = erealloc(r->c, (size_t)(r->n + 1) * sizeof *r->c);
	r->c[r->n++] = (struct cell){ name, NULL, x };
}

static struct row *
new_row(const struct group *g)
{
	rows = erealloc(rows, (nrows + 1) * sizeof *rows);
	struct row *r = &rows[nrows++];
	memset(r, 0, sizeof *r);
	const char *k = g->key;
	for (int i = 0; i < nby; i++) {
		const char *e = strchr(k, '\x1f');
		size_t len = e ? (size_t)(e - k) : strlen(k);
		r->c = erealloc(r->c, (size_t)(r->n + 1) * sizeof *r->c);
		r->c[r->n++] = (struct cell){ by_names[i], estrndup(k, len), 0 };
		k = e ? e + 1 : k + len;
	}
	return r;
}

/* A cell as text for table, csv and tsv: strings unquoted, NA for null. */
static void
cell_text(const struct cell *c, struct buf *b, int table)
{
	if (c->text) {
		if (*c->text == '"')
			json_unquote(c->text, c->text + strlen(c->text), b);
		else if (strcmp(c->text, "null") == 0)
			buf_adds(b, "NA");
		else
			buf_adds(b, c->text);
	} else if (isnan(c->num) || !isfinite(c->num))
		buf_adds(b, "NA");
	else if (table) {
		if (c->num == floor(c->num) && fabs(c->num) < 1e15)
			buf_printf(b, "%.0f", c->num);
		else
			buf_printf(b, "%.4g", c->num);
	} else
		buf_num(b, c->num);
}

static void
print_rows(int format)
{
	struct buf line = { 0 };
	if (format == F_NDJSON) {
		for (size_t i = 0; i < nrows; i++) {
			line.len = 0;
			buf_addc(&line, '{');
			for (int j = 0; j < rows[i].n; j++) {
				struct cell *c = &rows[i].c[j];
				if (j)
					buf_addc(&line, ',');
				json_quote(&line, c->name, strlen(c->name));
				buf_addc(&line, ':');
				if (c->text)
					buf_adds(&line, c->text);
				else
					buf_num(&line, c->num);
			}
			buf_addc(&line, '}');
			out_line(line.p, line.len);
		}
		free(line.p);
		return;
	}
	if (nrows == 0) {
		free(line.p);
		return;
	}
	int nc = rows[0].n;
	size_t *w = ecalloc((size_t)nc, sizeof *w);
	char ***txt = emalloc(nrows * sizeof *txt);
	for (int j = 0; j < nc; j++)
		w[j] = strlen(rows[0].c[j].name);
	for (size_t i = 0; i < nrows; i++) {
		txt[i] = emalloc((size_t)nc * sizeof **txt);
		for (int j = 0; j < nc; j++) {
			struct buf b = { 0 };
			cell_text(&rows[i].c[j], &b, format == F_TABLE || format == F_MD);
			txt[i][j] = buf_cstr(&b);
			if (strlen(txt[i][j]) > w[j])
				w[j] = strlen(txt[i][j]);
		}
	}
	char sep = format == F_CSV ? ',' : format == F_TSV ? '\t' : format == F_MD ? '|' : ' ';
	for (long i = -1; i < (long)nrows; i++) {
		line.len = 0;
		for (int j = 0; j < nc; j++) {
			const char *s = i < 0 ? rows[0].c[j].name : txt[i][j];
			if (j || format == F_MD)
				buf_addc(&line, sep);
			if (format == F_MD) {
				/* a Markdown table: | escaped, numbers set right */
				buf_addc(&line, ' ');
				for (const char *q = s; *q; q++) {
					if (*q == '|')
						buf_addc(&line, '\\');
					buf_addc(&line, *q == '\n' || *q == '\r' ? ' ' : *q);
				}
				buf_addc(&line, ' ');
			} else if (format == F_TABLE) {
				/* key columns left, number columns (and their names) right */
				int left = rows[0].c[j].text != NULL;
				size_t pad = w[j] - strlen(s);
				if (j)
					buf_addc(&line, ' ');
				if (!left)
					while (pad--)
						buf_addc(&line, ' ');
				buf_adds(&line, s);
				if (left && j < nc - 1)
					while (pad--)
						buf_addc(&line, ' ');
			} else if (format == F_CSV && strpbrk(s, ",\"\n\r")) {
				buf_addc(&line, '"');
				for (const char *p = s; *p; p++) {
					if (*p == '"')
						buf_addc(&line, '"');
					buf_addc(&line, *p);
				}
				buf_addc(&line, '"');
			} else if (format == F_TSV) {
				for (const char *p = s; *p; p++)
					buf_addc(&line, *p == '\t' || *p == '\n' || *p == '\r' ? ' ' : *p);
			} else
				buf_adds(&line, s);
		}
		if (format == F_MD) {
			buf_addc(&line, '|');
			if (i < 0) {
				out_line(line.p, line.len);
				line.len = 0;
				for (int j = 0; j < nc; j++)
					buf_adds(&line, rows[0].c[j].text ? "| --- " : "| ---: ");
				buf_addc(&line, '|');
			}
		}
		out_line(line.p, line.len);
	}
	for (size_t i = 0; i < nrows; i++) {
		for (int j = 0; j < nc; j++)
			free(txt[i][j]);
		free(txt[i]);
	}
	free(txt);
	free(w);
	free(line.p);
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

static int
parse_format(const char *f)
{
	static const char *const names[] = { "ndjson", "table", "csv", "tsv", "md" };
	static const int formats[] = { F_NDJSON, F_TABLE, F_CSV, F_TSV, F_MD };
	for (int i = 0; i < 5; i++)
		if (strcmp(f, names[i]) == 0)
			return formats[i];
	usage_error("--format: expected ndjson, table, csv, tsv or md, got '%s'", f);
}

/* The --by expressions, each EXPR or NAME=EXPR (the key's field name);
 * args is borrowed. */
static void
compile_bys(const char *const *by_text, jv args)
{
	bys = emalloc((size_t)(nby ? nby : 1) * sizeof *bys);
	by_names = emalloc((size_t)(nby ? nby : 1) * sizeof *by_names);
	for (int i = 0; i < nby; i++) {
		const char *t = by_text[i], *eq = t;
		while ((*eq >= 'a' && *eq <= 'z') || (*eq >= 'A' && *eq <= 'Z') || *eq == '_' ||
		    (eq > t && *eq >= '0' && *eq <= '9'))
			eq++;
		if (eq > t && *eq == '=' && eq[1] != '=') {
			by_names[i] = estrndup(t, (size_t)(eq - t));
			t = eq + 1;
		} else
			by_names[i] = NULL;
		bys[i] = expr_new(t, jv_copy(args), "--by");
		if (!by_names[i])
			by_names[i] = estrdup(expr_name(bys[i]));
	}
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

/* summary: a row per group, in order[]. */
static void
summary_rows(const size_t *order, long boot, unsigned long seed)
{
		for (size_t oi = 0; oi < gs.n; oi++) {
			struct group *g = &gs.g[order[oi]];
			struct summary s;
			stats_summary(g->a.v, g->a.n, &s);
			if (boot)
				bootstrap(g, 0, boot, seed, boot_mean, 1, &s.ci_low, &s.ci_high);
			struct row *rw = new_row(g);
			cell_num(rw, "n", (double)s.n);
			cell_num(rw, "n_missing", (double)g->missing);
			cell_num(rw, "mean", s.mean);
			cell_num(rw, "sd", s.sd);
			cell_num(rw, "se", s.se);
			cell_num(rw, "median", s.median);
			cell_num(rw, "q1", s.q1);
			cell_num(rw, "q3", s.q3);
			cell_num(rw, "min", s.min);
			cell_num(rw, "max", s.max);
			cell_num(rw, "ci_low", s.ci_low);
			cell_num(rw, "ci_high", s.ci_high);
		}
}

/* agree: a row per group, with bootstrap CIs for four statistics. */
static void
agree_rows(const size_t *order, long boot, unsigned long seed)
{
		for (size_t oi = 0; oi < gs.n; oi++) {
			struct group *g = &gs.g[order[oi]];
			struct agreement a;
			stats_agree(g->a.v, g->b.v, g->a.n, &a);
			struct row *rw = new_row(g);
			static const char *const bn[] = { "mae", "pearson_r", "spearman_rho", "qwk" };
			double lo[4], hi[4];
			if (boot)
				bootstrap(g, 1, boot, seed, boot_agree, 4, lo, hi);
			cell_num(rw, "n", (double)a.n);
			cell_num(rw, "n_missing", (double)g->missing);
			const struct { const char *name; double v; } f[] = {
				{ "mae", a.mae }, { "rmse", a.rmse }, { "bias", a.bias }, { "pearson_r", a.pearson_r },
				{ "pearson_p", a.pearson_p }, { "spearman_rho", a.spearman_rho }, { "spearman_p", a.spearman_p },
				{ "kendall_tau", a.kendall_tau }, { "kendall_p", a.kendall_p }, { "ccc", a.ccc }, { "icc", a.icc },
				{ "qwk", a.qwk }, { "exact", a.exact }, { "within1", a.within1 }, { "loa_low", a.loa_low },
				{ "loa_high", a.loa_high },
			};
			for (size_t i = 0; i < sizeof f / sizeof *f; i++) {
				cell_num(rw, f[i].name, f[i].v);
				for (int k = 0; boot && k < 4; k++)
					if (strcmp(f[i].name, bn[k]) == 0) {
						static const char *const lon[] = { "mae_ci_low", "pearson_r_ci_low", "spearman_rho_ci_low", "qwk_ci_low" };
						static const char *const hin[] = { "mae_ci_high", "pearson_r_ci_high", "spearman_rho_ci_high", "qwk_ci_high" };
						cell_num(rw, lon[k], lo[k]);
						cell_num(rw, hin[k], hi[k]);
					}
			}
		}
}

/* compare and paired: the reference of each group. --ref names a value of
 * the first --by (as the table prints it); with more --by, each group is
 * compared with the reference group of the same other keys (the same
 * instrument). refs[i]: g[i]'s reference, itself for a reference group,
 * NULL when its stratum has none. 0, or 1 when no group is a reference. */
static int
find_refs(const char *ref, struct group **refs)
{
	int any = 0;
	struct buf t = { 0 };
	for (size_t i = 0; i < gs.n; i++) {
		const char *k = gs.g[i].key, *e = strchr(k, '\x1f');
		char *first = estrndup(k, e ? (size_t)(e - k) : strlen(k));
		struct cell kc = { "", first, 0 };
		t.len = 0;
		cell_text(&kc, &t, 1);
		refs[i] = strcmp(buf_cstr(&t), ref) == 0 ? &gs.g[i] : NULL;
		any |= refs[i] != NULL;
		free(first);
	}
	for (size_t i = 0; i < gs.n; i++) {
		const char *rest = strchr(gs.g[i].key, '\x1f');
		for (size_t j = 0; j < gs.n && !refs[i]; j++) {
			const char *rrest = strchr(gs.g[j].key, '\x1f');
			if (refs[j] == &gs.g[j] && (rest ? rrest && strcmp(rest, rrest) == 0 : !rrest))
				refs[i] = &gs.g[j];
		}
	}
	free(t.p);
	if (!any)
		warn("--ref %s: no such group", ref);
	return !any;
}

/* compare: each group against its reference (Mann-Whitney); 1 if there is none. */
static int
compare_rows(const size_t *order, const char *ref)
{
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
		struct row *rw = new_row(g);
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
paired_rows(const size_t *order, const char *ref, long boot, unsigned long seed)
{
	struct group **refs = emalloc((gs.n ? gs.n : 1) * sizeof *refs);
	if (find_refs(ref, refs)) {
		free(refs);
		return 1;
	}
	double *p = emalloc((gs.n ? gs.n : 1) * sizeof *p), *adj = emalloc((gs.n ? gs.n : 1) * sizeof *adj);
	size_t m = 0, first = nrows;
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
		struct row *rw = new_row(g);
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
		for (int j = 0; j < rows[first + i].n; j++)
			if (strcmp(rows[first + i].c[j].name, "p_holm") == 0)
				rows[first + i].c[j].num = adj[i];
	free(p);
	free(adj);
	free(refs);
	return 0;
}

/* Frees the rows, the groups and the --by expressions. */
static void
free_tables(void)
{
	for (size_t i = 0; i < nrows; i++) {
		for (int j = 0; j < rows[i].n; j++)
			free(rows[i].c[j].text);
		free(rows[i].c);
	}
	free(rows);
	groups_free(&gs);
	for (int i = 0; i < nby; i++) {
		expr_free(bys[i]);
		free(by_names[i]);
	}
	free(bys);
	free(by_names);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "arg", required_argument, NULL, 'A' },
		{ "argjson", required_argument, NULL, 'J' },
		{ "boot", required_argument, NULL, 'B' },
		{ "by", required_argument, NULL, 'b' },
		{ "cluster", required_argument, NULL, 'C' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "pair", required_argument, NULL, 'p' },
		{ "pred", required_argument, NULL, 'P' },
		{ "ref", required_argument, NULL, 'R' },
		{ "seed", required_argument, NULL, 'S' },
		{ "sort", no_argument, NULL, 's' },
		{ "truth", required_argument, NULL, 'T' },
		{ "value", required_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *value_text = NULL, *truth_text = ".grade", *pred_text = ".predicted_score";
	const char *ref = NULL, *cluster_text = NULL, *pair_text = NULL, *by_text[32];
	long boot = 0;
	unsigned long seed = 0;
	int format = isatty(1) ? F_TABLE : F_NDJSON, sorted = 0, verb, c;
	jv args = jv_object();

	static const char *const verbs[] = { "summary", "agree", "compare", "paired", NULL };   /* SUMMARY, AGREE, COMPARE, PAIRED */
	pt_init(argv);
	verb = verb_of(&argc, &argv, verbs, usage);
	while ((c = getopt_long(argc, argv, "b:f:hv:", opts, NULL)) != -1) {
		switch (c) {
		case 'A':
		case 'J':
			args_option(&args, c == 'J', argc, argv);
			break;
		case 'B': boot = parse_long("--boot", optarg, 1, 1000000); break;
		case 'b':
			if (nby == 32)
				usage_error("--by: at most 32");
			by_text[nby++] = optarg;
			break;
		case 'C': cluster_text = optarg; break;
		case 'f':
			format = parse_format(optarg);
			break;
		case 'h': usage();
		case 'p': pair_text = optarg; break;
		case 'P': pred_text = optarg; break;
		case 'R': ref = optarg; break;
		case 'S': seed = (unsigned long)parse_long("--seed", optarg, 0, 1L << 62); break;
		case 's': sorted = 1; break;
		case 'T': truth_text = optarg; break;
		case 'v': value_text = optarg; break;
		case 'V': print_version();
		default: usage_error("unknown option");
		}
	}
	if (verb == COMPARE && (!nby || !value_text || !ref))
		usage_error("compare needs --by, --value and --ref");
	if (verb == AGREE && value_text)
		usage_error("agree takes --truth and --pred, not --value");
	if (verb == PAIRED && (!nby || !value_text || !ref || !pair_text))
		usage_error("paired needs --by, --value, --ref and --pair");
	if (pair_text && verb != PAIRED)
		usage_error("--pair is for paired");
	if (verb == COMPARE && boot)
		usage_error("--boot is for summary, agree and paired");
	if (verb == PAIRED && cluster_text)
		usage_error("paired resamples its pairs; --cluster is for summary and agree");
	if (pair_text)
		cluster_text = pair_text;   /* the pair key of each value, kept as a cluster is */
	if (cluster_text && !boot && verb != PAIRED)
		usage_error("--cluster needs --boot");
	if (!value_text)
		value_text = ".grade";

	compile_bys(by_text, args);
	struct expr *ea = expr_new(verb == AGREE ? truth_text : value_text, jv_copy(args), verb == AGREE ? "--truth" : "--value");
	struct expr *eb = verb == AGREE ? expr_new(pred_text, jv_copy(args), "--pred") : NULL;
	struct expr *ec = cluster_text ? expr_new(cluster_text, jv_copy(args), pair_text ? "--pair" : "--cluster") : NULL;
	jv_free(args);

	struct reader *rd = rdr_open(argv + optind, argc - optind);
	rdr_threaded(rd);
	unsigned long nfail = 0, nmissing = 0;
	groups_read(&gs, rd, &(struct group_exprs){ bys, nby, ea, eb, ec }, &nfail, &nmissing);
	int nbadin = rdr_failed(rd);

	size_t *order = emalloc((gs.n ? gs.n : 1) * sizeof *order);
	for (size_t i = 0; i < gs.n; i++)
		order[i] = i;
	if (sorted)
		qsort(order, gs.n, sizeof *order, cmp_group);

	if (verb == SUMMARY)
		summary_rows(order, boot, seed);
	else if (verb == AGREE)
		agree_rows(order, boot, seed);
	else if (verb == COMPARE)
		nfail += compare_rows(order, ref);
	else
		nfail += paired_rows(order, ref, boot, seed);
	print_rows(format);
	out_close();
	if (nmissing)
		warn("%lu record%s with a missing or non-numeric value (counted in n_missing)", nmissing, nmissing == 1 ? "" : "s");

	free_tables();
	free(order);
	expr_free(ea);
	expr_free(eb);
	expr_free(ec);
	rdr_close(rd);
	return fail_summary(nfail, nbadin);
}
