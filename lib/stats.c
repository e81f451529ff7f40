/* stats.c: the statistics of pt-stats and pt-plot, defined as SciPy 1.10,
 * NumPy and scikit-learn define them (pt-stats(1)). Distributions, sorting and
 * random numbers come from GSL; where a formula is written out here it is
 * because GSL has none for it, and the comment says whose definition it
 * follows. An undefined statistic is NaN here and null in output. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

#include "stats.h"

/* Sorting, written here rather than taken from GSL: gsl_sort and
 * gsl_sort_index are heapsorts, and at a million values they were most of
 * the time of pt-stats agree (measured, tests/bench). This is an LSD radix
 * sort on the doubles' bit patterns, 16 bits a pass, skipping passes where
 * every key has the same digit (scores on a half-point grid need few). */
static inline unsigned long long
dkey(double x)
{
	unsigned long long u;
	memcpy(&u, &x, sizeof u);
	return u >> 63 ? ~u : u | 0x8000000000000000ULL;   /* order-preserving */
}

/* Sorts keys (and idx along, when not NULL) by radix; tmp space is allocated here. */
static void
radix(unsigned long long *k, size_t *idx, size_t n)
{
	unsigned long long *k2 = emalloc((n ? n : 1) * sizeof *k2);
	size_t *i2 = idx ? emalloc((n ? n : 1) * sizeof *i2) : NULL;
	size_t *count = emalloc(65536 * sizeof *count);
	for (int shift = 0; shift < 64; shift += 16) {
		memset(count, 0, 65536 * sizeof *count);
		for (size_t i = 0; i < n; i++)
			count[(k[i] >> shift) & 0xffff]++;
		if (n && count[(k[0] >> shift) & 0xffff] == n)
			continue;   /* every key has this digit */
		size_t sum = 0;
		for (size_t d = 0; d < 65536; d++) {
			size_t c = count[d];
			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++) {
			size_t at = count[(k[i] >> shift) & 0xffff]++;
			k2[at] = k[i];
			if (idx)
				i2[at] = idx[i];
		}
		memcpy(k, k2, n * sizeof *k);
		if (idx)
			memcpy(idx, i2, n * sizeof *idx);
	}
	free(k2);
	free(i2);
	free(count);
}

/* Below this many values a comparison sort beats the radix sort's four
 * passes over its 65,536-entry table (measured: bootstraps of small groups). */
#define RADIX_MIN 512

static int
cmp_key(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;
	return x < y ? -1 : x > y;
}

/* idx order by k[idx], ties by position: stable. */
static int
cmp_key_idx(const void *a, const void *b, void *k)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = cmp_key(&((unsigned long long *)k)[i], &((unsigned long long *)k)[j]);
	return c ? c : (i > j) - (i < j);
}

void
sort_doubles(double *a, size_t n)
{
	unsigned long long *k = emalloc((n ? n : 1) * sizeof *k);
	for (size_t i = 0; i < n; i++)
		k[i] = dkey(a[i]);
	if (n < RADIX_MIN)
		qsort(k, n, sizeof *k, cmp_key);
	else
		radix(k, NULL, n);
	for (size_t i = 0; i < n; i++) {
		unsigned long long u = k[i] >> 63 ? k[i] & 0x7fffffffffffffffULL : ~k[i];
		memcpy(&a[i], &u, sizeof u);
	}
	free(k);
}

/* idx gets the positions of a's values in ascending order (stable). */
void
sort_index(const double *a, size_t n, size_t *idx)
{
	unsigned long long *k = emalloc((n ? n : 1) * sizeof *k);
	for (size_t i = 0; i < n; i++) {
		k[i] = dkey(a[i]);
		idx[i] = i;
	}
	if (n < RADIX_MIN)
		qsort_r(idx, n, sizeof *idx, cmp_key_idx, k);
	else
		radix(k, idx, n);
	free(k);
}

/* numpy.percentile's default (linear interpolation) on sorted data. */
double
quantile_sorted(const double *s, size_t n, double p)
{
	if (n == 0)
		return NAN;
	return gsl_stats_quantile_from_sorted_data(s, 1, n, p);
}

void
stats_summary(const double *x, size_t n, struct summary *s)
{
	double *sorted = emalloc((n ? n : 1) * sizeof *sorted);
	if (n)   /* x is NULL for an empty group */
		memcpy(sorted, x, n * sizeof *x);
	sort_doubles(sorted, n);
	s->n = n;
	s->mean = n ? gsl_stats_mean(x, 1, n) : NAN;
	s->sd = n >= 2 ? gsl_stats_sd_m(x, 1, n, s->mean) : NAN;
	s->se = n >= 2 ? s->sd / sqrt((double)n) : NAN;
	s->median = quantile_sorted(sorted, n, 0.5);
	s->q1 = quantile_sorted(sorted, n, 0.25);
	s->q3 = quantile_sorted(sorted, n, 0.75);
	s->min = n ? sorted[0] : NAN;
	s->max = n ? sorted[n - 1] : NAN;
	/* scipy.stats.t.interval(0.95, n-1, loc=mean, scale=se); undefined
	 * (NaN in SciPy) when every value is the same */
	if (n >= 2 && s->sd > 0) {
		double t = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1));
		s->ci_low = s->mean - t * s->se;
		s->ci_high = s->mean + t * s->se;
	} else
		s->ci_low = s->ci_high = NAN;
	free(sorted);
}

/* Average ranks (scipy.stats.rankdata, method="average"), 1-based. */
void
rank_average(const double *x, size_t n, double *ranks)
{
	size_t *idx = emalloc((n ? n : 1) * sizeof *idx);
	sort_index(x, n, idx);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j + 1 < n && x[idx[j + 1]] == x[idx[i]])
			j++;
		double r = (double)(i + j) / 2 + 1;
		for (size_t k = i; k <= j; k++)
			ranks[idx[k]] = r;
		i = j + 1;
	}
	free(idx);
}

/* Pearson r, and its p as scipy.stats.pearsonr: 2 * the beta(n/2-1, n/2-1)
 * cdf at (1-|r|)/2 (the Student t test), 1 for n = 2. */
double
pearson(const double *x, const double *y, size_t n, double *p)
{
	*p = NAN;
	if (n < 2)
		return NAN;
	double mx = gsl_stats_mean(x, 1, n), my = gsl_stats_mean(y, 1, n);
	double sxy = 0, sxx = 0, syy = 0;
	for (size_t i = 0; i < n; i++) {
		sxy += (x[i] - mx) * (y[i] - my);
		sxx += (x[i] - mx) * (x[i] - mx);
		syy += (y[i] - my) * (y[i] - my);
	}
	if (sxx == 0 || syy == 0)
		return NAN;
	/* one square root of the product: when y's deviations are x's (or their
	 * negatives), sxy = ±sxx = ±syy and r is exactly ±1, as SciPy's clip
	 * makes it (two roots give 0.9999999999999999) */
	double r = sxy / sqrt(sxx * syy);
	if (r > 1)
		r = 1;
	if (r < -1)
		r = -1;
	if (n == 2)
		*p = 1;
	else {
		double ab = (double)n / 2 - 1;
		*p = 2 * gsl_cdf_beta_P((1 - fabs(r)) / 2, ab, ab);
		if (*p > 1)
			*p = 1;
	}
	return r;
}

/* Spearman rho = Pearson on average ranks; p as scipy.stats.spearmanr:
 * t = rho sqrt((n-2)/((1+rho)(1-rho))) on n-2 degrees of freedom. */
double
spearman(const double *x, const double *y, size_t n, double *p)
{
	*p = NAN;
	if (n < 2)
		return NAN;
	double *rx = emalloc(n * sizeof *rx), *ry = emalloc(n * sizeof *ry), dummy;
	rank_average(x, n, rx);
	rank_average(y, n, ry);
	double rho = pearson(rx, ry, n, &dummy);
	free(rx);
	free(ry);
	if (isnan(rho) || n < 3)
		return rho;
	double dof = (double)n - 2, den = (rho + 1) * (1 - rho);
	if (den <= 0)
		*p = 0;
	else {
		double t = rho * sqrt(dof / den);
		*p = 2 * gsl_cdf_tdist_Q(fabs(t), dof);
	}
	return rho;
}

/* Strict inversions of y (i < j, y[i] > y[j]) by merge sort; y is reordered. */
static double
inversions(double *y, double *tmp, size_t n)
{
	if (n < 2)
		return 0;
	size_t h = n / 2;
	double inv = inversions(y, tmp, h) + inversions(y + h, tmp, n - h);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n) {
		if (y[j] < y[i]) {
			inv += (double)(h - i);
			tmp[k++] = y[j++];
		} else
			tmp[k++] = y[i++];
	}
	while (i < h)
		tmp[k++] = y[i++];
	while (j < n)
		tmp[k++] = y[j++];
	memcpy(y, tmp, n * sizeof *y);
	return inv;
}

/* Tie statistics of sorted v: pairs tied, sum t(t-1)(t-2), sum t(t-1)(2t+5). */
static void
ties(const double *v, size_t n, double *pairs, double *t0, double *t1)
{
	*pairs = *t0 = *t1 = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j + 1 < n && v[j + 1] == v[i])
			j++;
		double t = (double)(j - i + 1);
		*pairs += t * (t - 1) / 2;
		*t0 += t * (t - 1) * (t - 2);
		*t1 += t * (t - 1) * (2 * t + 5);
		i = j + 1;
	}
}

/* Kendall tau-b and its p as scipy.stats.kendalltau(method="asymptotic"):
 * the normal approximation of concordant minus discordant pairs with the
 * tie-corrected variance. Counting is O(n log n) (Knight's method). */
double
kendall(const double *x, const double *y, size_t n, double *p)
{
	*p = NAN;
	if (n < 2)
		return NAN;
	/* order by x, then y: a stable sort by y, then a stable one by x */
	size_t *iy = emalloc(n * sizeof *iy), *ord = emalloc(n * sizeof *ord);
	double *ys = emalloc(n * sizeof *ys), *tmp = emalloc(n * sizeof *tmp), *xs = emalloc(n * sizeof *xs);
	sort_index(y, n, iy);
	for (size_t i = 0; i < n; i++)
		tmp[i] = x[iy[i]];
	sort_index(tmp, n, ord);
	for (size_t i = 0; i < n; i++) {
		xs[i] = x[iy[ord[i]]];
		ys[i] = y[iy[ord[i]]];
	}
	free(iy);
	free(ord);
	double ntie = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j + 1 < n && xs[j + 1] == xs[i] && ys[j + 1] == ys[i])
			j++;
		double t = (double)(j - i + 1);
		ntie += t * (t - 1) / 2;
		i = j + 1;
	}
	double dis = inversions(ys, tmp, n);   /* leaves ys sorted */
	double xtie, x0, x1, ytie, y0, y1;
	ties(xs, n, &xtie, &x0, &x1);
	ties(ys, n, &ytie, &y0, &y1);
	free(ys);
	free(tmp);
	free(xs);
	double tot = (double)n * (double)(n - 1) / 2;
	if (xtie == tot || ytie == tot)
		return NAN;
	double cmd = tot - xtie - ytie + ntie - 2 * dis;
	double tau = cmd / sqrt((tot - xtie) * (tot - ytie));   /* exactly ±1 at the bounds, as pearson */
	if (tau > 1)
		tau = 1;
	if (tau < -1)
		tau = -1;
	double m = (double)n * (double)(n - 1);
	if (n > 2) {
		double var = (m * (2 * (double)n + 5) - x1 - y1) / 18 + 2 * xtie * ytie / m +
		    x0 * y0 / (9 * m * ((double)n - 2));
		*p = var > 0 ? 2 * gsl_cdf_ugaussian_Q(fabs(cmd / sqrt(var))) : NAN;
	}
	return tau;
}

/* Lin's concordance correlation with population moments. */
double
lin_ccc(const double *x, const double *y, size_t n)
{
	if (n < 1)
		return NAN;
	double mx = gsl_stats_mean(x, 1, n), my = gsl_stats_mean(y, 1, n), sxy = 0, sxx = 0, syy = 0;
	for (size_t i = 0; i < n; i++) {
		sxy += (x[i] - mx) * (y[i] - my);
		sxx += (x[i] - mx) * (x[i] - mx);
		syy += (y[i] - my) * (y[i] - my);
	}
	double den = sxx / n + syy / n + (mx - my) * (mx - my);
	return den > 0 ? 2 * (sxy / n) / den : NAN;
}

/* ICC(2,1), two-way random effects, absolute agreement, single rater
 * (Shrout & Fleiss 1979), with the two columns as the k = 2 raters. */
double
icc21(const double *x, const double *y, size_t n)
{
	if (n < 2)
		return NAN;
	double k = 2, gm = 0, mx = 0, my = 0, ssr = 0, sse = 0;
	for (size_t i = 0; i < n; i++) {
		mx += x[i];
		my += y[i];
	}
	mx /= n;
	my /= n;
	gm = (mx + my) / 2;
	for (size_t i = 0; i < n; i++) {
		double rm = (x[i] + y[i]) / 2;
		ssr += (rm - gm) * (rm - gm);
		sse += (x[i] - rm - mx + gm) * (x[i] - rm - mx + gm) + (y[i] - rm - my + gm) * (y[i] - rm - my + gm);
	}
	double msr = k * ssr / (n - 1);
	double msc = n * ((mx - gm) * (mx - gm) + (my - gm) * (my - gm)) / (k - 1);
	double mse = sse / ((n - 1) * (k - 1));
	double den = msr + (k - 1) * mse + k * (msc - mse) / n;
	return den != 0 ? (msr - mse) / den : NAN;
}

/* A double's bits mixed (murmur3's finaliser): a small whole number's
 * low bits are all zero. */
static size_t
mix(unsigned long long b)
{
	b ^= b >> 33;
	b *= 0xff51afd7ed558ccdull;
	b ^= b >> 33;
	b *= 0xc4ceb9fe1a85ec53ull;
	return (size_t)(b ^ (b >> 33));
}

/* The distinct values of x[0..n) and y[0..n), sorted (heap; *k of them):
 * found through a hash set of their bits, so that a million grades on a
 * scale of ten sort ten values, not two million. */
static double *
distinct_sorted(const double *x, const double *y, size_t n, size_t *k)
{
	size_t cap = 64, used = 0;
	unsigned long long *set = emalloc(cap * sizeof *set);
	unsigned char *full = ecalloc(cap, 1);
	for (size_t i = 0; i < 2 * n; i++) {
		double v = i < n ? x[i] : y[i - n];
		unsigned long long b;
		v = v == 0 ? 0 : v;   /* -0 is 0 */
		memcpy(&b, &v, sizeof b);
		size_t h = mix(b) & (cap - 1);
		while (full[h] && set[h] != b)
			h = (h + 1) & (cap - 1);
		if (full[h])
			continue;
		full[h] = 1;
		set[h] = b;
		if (++used * 2 > cap) {   /* grow: every value again in a table twice the size */
			size_t nc = cap * 2;
			unsigned long long *ns = emalloc(nc * sizeof *ns);
			unsigned char *nf = ecalloc(nc, 1);
			for (size_t j = 0; j < cap; j++)
				if (full[j]) {
					size_t g = mix(set[j]) & (nc - 1);
					while (nf[g])
						g = (g + 1) & (nc - 1);
					nf[g] = 1;
					ns[g] = set[j];
				}
			free(set);
			free(full);
			set = ns;
			full = nf;
			cap = nc;
		}
	}
	double *lab = emalloc((used ? used : 1) * sizeof *lab);
	size_t m = 0;
	for (size_t j = 0; j < cap; j++)
		if (full[j])
			memcpy(&lab[m++], &set[j], sizeof *lab);
	free(set);
	free(full);
	sort_doubles(lab, m);
	*k = m;
	return lab;
}

/* The index of v in the sorted lab[0..k), k >= 1: a binary search with no
 * branch on the data (a conditional move), as a million lookups of a few
 * codes would mispredict half of their branches. */
static size_t
code_of(const double *lab, size_t k, double v)
{
	const double *base = lab;
	for (size_t len = k; len > 1;) {
		size_t half = len / 2;
		base = base[half - 1] < v ? base + half : base;
		len -= half;
	}
	return (size_t)(base - lab) + (*base < v);
}

/* Quadratic weighted kappa as sklearn.metrics.cohen_kappa_score(weights=
 * "quadratic") over the codes of the sorted distinct observed values: the
 * weight of cell (i, j) is (i - j)^2 in code units. */
double
qwk(const double *t, const double *p, size_t n)
{
	if (n == 0)
		return NAN;
	size_t k;
	double *lab = distinct_sorted(t, p, n, &k);
	if (k < 2) {
		free(lab);
		return NAN;
	}
	double *obs = ecalloc(k * k, sizeof *obs), *rs = ecalloc(k, sizeof *rs), *cs = ecalloc(k, sizeof *cs);
	for (size_t i = 0; i < n; i++) {
		size_t a = code_of(lab, k, t[i]), b = code_of(lab, k, p[i]);
		obs[a * k + b]++;
		rs[a]++;
		cs[b]++;
	}
	double num = 0, den = 0;
	for (size_t i = 0; i < k; i++)
		for (size_t j = 0; j < k; j++) {
			double w = ((double)i - (double)j) * ((double)i - (double)j);
			num += w * obs[i * k + j];
			den += w * rs[i] * cs[j] / n;
		}
	free(lab);
	free(obs);
	free(rs);
	free(cs);
	return den > 0 ? 1 - num / den : NAN;
}

int stats_helper;

/* What stats_agree's helper thread computes: Kendall's tau and the QWK,
 * about as long as the rest (Spearman's two rankings, Pearson, CCC, ICC). */
struct rank_job {
	const double *x, *y;
	size_t n;
	double tau, p, qwk;
};

static void *
rank_thread(void *arg)
{
	struct rank_job *k = arg;
	k->tau = kendall(k->x, k->y, k->n, &k->p);
	k->qwk = qwk(k->x, k->y, k->n);
	return NULL;
}

void
stats_box(const double *x, size_t n, struct boxstats *b)
{
	memset(b, 0, sizeof *b);
	if (n == 0) {
		b->q1 = b->med = b->q3 = b->lo = b->hi = b->mean = b->min = b->max = NAN;
		return;
	}
	double *s = emalloc(n * sizeof *s), sum = 0;
	memcpy(s, x, n * sizeof *s);
	sort_doubles(s, n);
	for (size_t i = 0; i < n; i++)
		sum += x[i];
	b->mean = sum / n;
	b->min = s[0];
	b->max = s[n - 1];
	b->q1 = quantile_sorted(s, n, 0.25);
	b->med = quantile_sorted(s, n, 0.5);
	b->q3 = quantile_sorted(s, n, 0.75);
	double iqr = b->q3 - b->q1, loval = b->q1 - 1.5 * iqr, hival = b->q3 + 1.5 * iqr;
	/* the most extreme data within 1.5 IQR, never inside the box */
	double hi = -INFINITY, lo = INFINITY;
	for (size_t i = 0; i < n; i++) {
		if (s[i] <= hival && s[i] > hi)
			hi = s[i];
		if (s[i] >= loval && s[i] < lo)
			lo = s[i];
	}
	b->hi = isinf(hi) || hi < b->q3 ? b->q3 : hi;
	b->lo = isinf(lo) || lo > b->q1 ? b->q1 : lo;
	/* fliers: the low ones, then the high ones, each in input order */
	b->fliers = emalloc(n * sizeof *b->fliers);
	for (size_t i = 0; i < n; i++)
		if (x[i] < b->lo)
			b->fliers[b->nfliers++] = x[i];
	for (size_t i = 0; i < n; i++)
		if (x[i] > b->hi)
			b->fliers[b->nfliers++] = x[i];
	free(s);
}

double
stats_aggregate(const double *x, size_t n, int mean, double *sd, size_t *nearest)
{
	double *s = emalloc((n ? n : 1) * sizeof *s), agg;
	memcpy(s, x, n * sizeof *s);
	sort_doubles(s, n);
	agg = mean ? (n ? gsl_stats_mean(x, 1, n) : NAN) : quantile_sorted(s, n, 0.5);
	*sd = n >= 2 ? gsl_stats_sd(x, 1, n) : NAN;
	*nearest = 0;
	for (size_t i = 1; i < n; i++)
		if (fabs(x[i] - agg) < fabs(x[*nearest] - agg))
			*nearest = i;
	free(s);
	return agg;
}

void
bland_altman(const double *d, size_t n, double *bias, double *sd)
{
	*bias = n ? gsl_stats_mean(d, 1, n) : NAN;
	*sd = n >= 2 ? gsl_stats_sd_m(d, 1, n, *bias) : NAN;
}

void
stats_agree(const double *t, const double *p, size_t n, struct agreement *a)
{
	/* Kendall's sorts and the QWK are independent of the rest: on large
	 * inputs, where the caller has a thread to spare, they run on it
	 * meanwhile (the same numbers either way). */
	struct rank_job kj = { t, p, n, NAN, NAN, NAN };
	pthread_t kt;
	int threaded = stats_helper && n >= 50000 && pthread_create(&kt, NULL, rank_thread, &kj) == 0;
	double *d = emalloc((n ? n : 1) * sizeof *d);
	double sa = 0, s2 = 0, ex = 0, w1 = 0;
	for (size_t i = 0; i < n; i++) {
		d[i] = p[i] - t[i];
		sa += fabs(d[i]);
		s2 += d[i] * d[i];
		ex += fabs(d[i]) < 1e-9;
		w1 += fabs(d[i]) <= 1 + 1e-9;
	}
	a->n = n;
	a->mae = n ? sa / n : NAN;
	a->rmse = n ? sqrt(s2 / n) : NAN;
	a->exact = n ? ex / n : NAN;
	a->within1 = n ? w1 / n : NAN;
	double sdd;
	bland_altman(d, n, &a->bias, &sdd);
	a->loa_low = a->bias - 1.96 * sdd;
	a->loa_high = a->bias + 1.96 * sdd;
	a->pearson_r = pearson(t, p, n, &a->pearson_p);
	a->spearman_rho = spearman(t, p, n, &a->spearman_p);
	a->ccc = lin_ccc(t, p, n);
	a->icc = icc21(t, p, n);
	if (threaded)
		pthread_join(kt, NULL);
	else
		rank_thread(&kj);
	a->kendall_tau = kj.tau;
	a->kendall_p = kj.p;
	a->qwk = kj.qwk;
	free(d);
}

/* Mann-Whitney U of x against y, p as scipy.stats.mannwhitneyu(method=
 * "asymptotic", use_continuity=True, alternative="two-sided"): U is x's
 * statistic, p from max(U1, U2) with tie and continuity corrections. */
void
mann_whitney(const double *x, size_t n1, const double *y, size_t n2, double *u, double *p)
{
	*u = *p = NAN;
	if (n1 == 0 || n2 == 0)
		return;
	size_t n = n1 + n2;
	double *all = emalloc(n * sizeof *all), *r = emalloc(n * sizeof *r);
	memcpy(all, x, n1 * sizeof *x);
	memcpy(all + n1, y, n2 * sizeof *y);
	rank_average(all, n, r);
	double r1 = 0;
	for (size_t i = 0; i < n1; i++)
		r1 += r[i];
	double u1 = r1 - (double)n1 * (n1 + 1) / 2, u2 = (double)n1 * n2 - u1;
	sort_doubles(all, n);
	double tie = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j + 1 < n && all[j + 1] == all[i])
			j++;
		double t = (double)(j - i + 1);
		tie += t * t * t - t;
		i = j + 1;
	}
	double mu = (double)n1 * n2 / 2;
	double s = sqrt((double)n1 * n2 / 12 * ((n + 1) - tie / ((double)n * (n - 1))));
	double big = u1 > u2 ? u1 : u2;
	*u = u1;
	if (s == 0 || !isfinite(s))
		*p = 1;   /* every value tied: numpy gives sf(-inf) * 2, clipped to 1 */
	else {
		*p = 2 * gsl_cdf_ugaussian_Q((big - mu - 0.5) / s);
		if (*p > 1)
			*p = 1;
	}
	free(all);
	free(r);
}

/* Holm's step-down adjustment (statsmodels multipletests "holm"); NaN p
 * values are left out and stay NaN. */
void
wilcoxon(const double *d, size_t n, double *w, double *p, double *effect)
{
	*w = *p = *effect = NAN;
	size_t nz = 0;
	for (size_t i = 0; i < n; i++)
		nz += d[i] == 0;
	/* SciPy 1.10's mode "auto": exact up to 50 differences, unless one is zero;
	 * the normal approximation drops the zeros ("wilcox") and has no answer
	 * when every difference is zero */
	int exact = n <= 50 && nz == 0;
	if (n == 0 || nz == n)
		return;
	double *a = emalloc(n * sizeof *a), *r = emalloc(n * sizeof *r), rp = 0, rm = 0;
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (d[i] != 0)
			a[m++] = fabs(d[i]);
	rank_average(a, m, r);
	for (size_t i = 0, k = 0; i < n; i++)
		if (d[i] != 0) {
			if (d[i] > 0)
				rp += r[k];
			else
				rm += r[k];
			k++;
		}
	*w = fmin(rp, rm);
	*effect = (rp - rm) / (rp + rm);   /* the matched-pairs rank-biserial correlation */
	if (exact) {
		/* the distribution of the positive rank sum, as SciPy builds it; SciPy
		 * truncates a tied (half) rank sum to an integer, and so do we */
		size_t top = m * (m + 1) / 2;
		double *c = ecalloc(top + 1, sizeof *c), *prev = ecalloc(top + 1, sizeof *prev);
		c[0] = 1;
		for (size_t k = 1; k <= m; k++) {
			size_t len = (k - 1) * k / 2 + 1;
			memcpy(prev, c, len * sizeof *c);
			memset(c, 0, (k * (k + 1) / 2 + 1) * sizeof *c);
			for (size_t i = 0; i < len; i++) {
				c[i] += prev[i] * 0.5;
				c[i + k] += prev[i] * 0.5;
			}
		}
		size_t t = (size_t)rp;
		if (t == top / 2)   /* SciPy: the centre (integer division) is p = 1 */
			*p = 1;
		else {
			double lo = 0, hi = 0;
			for (size_t i = 0; i <= top; i++) {
				if (i <= t)
					lo += c[i];
				if (i >= t)
					hi += c[i];
			}
			*p = fmin(1, fmax(0, 2 * fmin(lo, hi)));
		}
		free(c);
		free(prev);
	} else {
		double mn = m * (m + 1.0) * 0.25, se = m * (m + 1.0) * (2.0 * m + 1);
		/* ties: each run of equal |d| of length t takes t(t^2-1)/2 */
		sort_doubles(a, m);
		for (size_t i = 0; i < m;) {
			size_t j = i;
			while (j < m && a[j] == a[i])
				j++;
			double tl = (double)(j - i);
			if (tl > 1)
				se -= 0.5 * tl * (tl * tl - 1);
			i = j;
		}
		se = sqrt(se / 24);
		*p = erfc(fabs((*w - mn) / se) / sqrt(2));
	}
	free(a);
	free(r);
}

void
t_interval(const double *d, size_t n, double *lo, double *hi)
{
	*lo = *hi = NAN;
	if (n < 2)
		return;
	double mean = gsl_stats_mean(d, 1, n), se = gsl_stats_sd_m(d, 1, n, mean) / sqrt((double)n);
	double t = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1));
	*lo = mean - t * se;
	*hi = mean + t * se;
}

void
holm(const double *p, size_t m, double *adj)
{
	size_t k = 0;
	double *v = emalloc((m ? m : 1) * sizeof *v);
	for (size_t i = 0; i < m; i++) {
		adj[i] = NAN;
		if (!isnan(p[i]))
			v[k++] = p[i];
	}
	size_t *order = emalloc((k ? k : 1) * sizeof *order);
	sort_index(v, k, order);
	double run = 0;
	double *res = emalloc((k ? k : 1) * sizeof *res);
	for (size_t j = 0; j < k; j++) {
		double a = (double)(k - j) * v[order[j]];
		if (a > 1)
			a = 1;
		if (a > run)
			run = a;
		res[order[j]] = run;
	}
	for (size_t i = 0, j = 0; i < m; i++)
		if (!isnan(p[i]))
			adj[i] = res[j++];
	free(v);
	free(order);
	free(res);
}
