/* raters.c: several raters of the same items: Krippendorff's alpha, ICC(2,1)
 * and ICC(2,k), the alternative annotator test, and prediction-powered
 * inference of a mean (pt-stats(1): raters, ppi). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>

#include "stats.h"

/* The index of x in the sorted distinct values v[0..k). */
static size_t
bsearch_double(const double *v, size_t k, double x)
{
	size_t lo = 0, hi = k;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The squared difference of values a and b at the nominal, interval and
 * ratio levels (the ordinal metric is computed from the counts). */
static double
delta2(int lev, double a, double b)
{
	switch (lev) {
	case LEVEL_NOMINAL:
		return a != b;
	case LEVEL_RATIO:
		return a + b != 0 ? ((a - b) / (a + b)) * ((a - b) / (a + b)) : 0;
	default:
		return (a - b) * (a - b);
	}
}

double
kripp_alpha(const struct ratings *r, const size_t *cols, size_t nc, int level, size_t *pairable)
{
	/* the distinct values and their pairable counts n_c, and the observed
	 * coincidences o_ck (units with two or more values) */
	size_t nv = 0, cap = 16;
	double *val = emalloc(cap * sizeof *val), *cnt = NULL, n = 0, *u = emalloc((nc ? nc : 1) * sizeof *u);
	for (size_t i = 0; i < r->ni; i++) {
		size_t m = 0;
		for (size_t c = 0; c < nc; c++)
			if (!isnan(r->v[i * r->nr + cols[c]]))
				m++;
		if (m < 2)
			continue;
		for (size_t c = 0; c < nc; c++) {
			double x = r->v[i * r->nr + cols[c]];
			if (isnan(x))
				continue;
			if (nv == cap)
				val = erealloc(val, (cap *= 2) * sizeof *val);
			val[nv++] = x;
		}
		n += m;
	}
	*pairable = (size_t)n;
	sort_doubles(val, nv);
	size_t k = 0;
	for (size_t i = 0; i < nv; i++)
		if (k == 0 || val[i] != val[k - 1])
			val[k++] = val[i];
	cnt = ecalloc(k ? k : 1, sizeof *cnt);
	double *obs = ecalloc(k ? k * k : 1, sizeof *obs);
	for (size_t i = 0; i < r->ni; i++) {
		size_t m = 0;
		for (size_t c = 0; c < nc; c++) {
			double x = r->v[i * r->nr + cols[c]];
			if (!isnan(x))
				u[m++] = x;
		}
		if (m < 2)
			continue;
		for (size_t a = 0; a < m; a++) {
			size_t ia = bsearch_double(val, k, u[a]);
			cnt[ia]++;
			for (size_t b = 0; b < m; b++)
				if (a != b)
					obs[ia * k + bsearch_double(val, k, u[b])] += 1.0 / (double)(m - 1);
		}
	}
	double alpha = NAN;
	if (n >= 2 && k >= 2) {
		/* ordinal: the metric of Krippendorff (2011), from the counts */
		double *cum = NULL;
		if (level == LEVEL_ORDINAL) {
			cum = emalloc(k * sizeof *cum);
			for (size_t g = 0, run = 0; g < k; g++) {
				cum[g] = (double)run + cnt[g] / 2;
				run += (size_t)cnt[g];
			}
		}
		double dobs = 0, dexp = 0;
		for (size_t a = 0; a < k; a++)
			for (size_t b = 0; b < k; b++) {
				double d = cum ? (cum[b] - cum[a]) * (cum[b] - cum[a]) : delta2(level, val[a], val[b]);
				dobs += obs[a * k + b] * d;
				dexp += cnt[a] * cnt[b] * d;
			}
		dobs /= n;
		dexp /= n * (n - 1);
		alpha = dexp > 0 ? 1 - dobs / dexp : NAN;
		free(cum);
	}
	free(val);
	free(cnt);
	free(obs);
	free(u);
	return alpha;
}

void
icc2(const struct ratings *r, const size_t *cols, size_t nc, double *icc1, double *icck)
{
	*icc1 = *icck = NAN;
	size_t n = r->ni, k = nc;
	for (size_t i = 0; i < n; i++)
		for (size_t c = 0; c < k; c++)
			if (isnan(r->v[i * r->nr + cols[c]]))
				return;   /* the two-way ANOVA needs every item rated by every rater */
	if (n < 2 || k < 2)
		return;
	double gm = 0, *rm = ecalloc(n, sizeof *rm), *cm = ecalloc(k, sizeof *cm);
	for (size_t i = 0; i < n; i++)
		for (size_t c = 0; c < k; c++) {
			double x = r->v[i * r->nr + cols[c]];
			rm[i] += x / k;
			cm[c] += x / n;
			gm += x / (n * k);
		}
	double ssr = 0, ssc = 0, sse = 0;
	for (size_t i = 0; i < n; i++)
		ssr += k * (rm[i] - gm) * (rm[i] - gm);
	for (size_t c = 0; c < k; c++)
		ssc += n * (cm[c] - gm) * (cm[c] - gm);
	for (size_t i = 0; i < n; i++)
		for (size_t c = 0; c < k; c++) {
			double e = r->v[i * r->nr + cols[c]] - rm[i] - cm[c] + gm;
			sse += e * e;
		}
	double msr = ssr / (n - 1), msc = ssc / (k - 1), mse = sse / ((n - 1) * (k - 1));
	double d1 = msr + (k - 1) * mse + k * (msc - mse) / n, dk = msr + (msc - mse) / n;
	*icc1 = d1 != 0 ? (msr - mse) / d1 : NAN;
	*icck = dk != 0 ? (msr - mse) / dk : NAN;
	free(rm);
	free(cm);
}

/* -RMSE of x against the values of the other raters of item i (all of cols
 * but skip and the candidate); NaN when there are none. */
static double
neg_rmse(const struct ratings *r, size_t i, const size_t *hum, size_t nh, size_t skip, double x)
{
	double s = 0;
	size_t m = 0;
	for (size_t h = 0; h < nh; h++) {
		double y = r->v[i * r->nr + hum[h]];
		if (h == skip || isnan(y))
			continue;
		s += (x - y) * (x - y);
		m++;
	}
	return m ? -sqrt(s / m) : NAN;
}

void
alt_test(const struct ratings *r, const size_t *hum, size_t nh, size_t cand, double eps, double q,
    size_t min_items, struct alt *out)
{
	memset(out, 0, sizeof *out);
	out->omega = out->rho = NAN;
	double *p = emalloc((nh ? nh : 1) * sizeof *p), *d = emalloc((r->ni ? r->ni : 1) * sizeof *d);
	double adv = 0;
	for (size_t j = 0; j < nh; j++) {
		size_t m = 0, llm_wins = 0;
		for (size_t i = 0; i < r->ni; i++) {
			double xh = r->v[i * r->nr + hum[j]], xf = r->v[i * r->nr + cand];
			if (isnan(xh) || isnan(xf))
				continue;
			double sh = neg_rmse(r, i, hum, nh, j, xh), sf = neg_rmse(r, i, hum, nh, j, xf);
			if (isnan(sh))
				continue;   /* no other physician rated it */
			int wf = sf >= sh, wh = sh >= sf;
			d[m++] = wh - wf;
			llm_wins += wf;
		}
		if (m < min_items || m < 2)
			continue;
		/* one-sided t test of mean(d) < eps (scipy.stats.ttest_1samp, alternative "less") */
		double mean = 0, ss = 0;
		for (size_t i = 0; i < m; i++)
			mean += d[i] / m;
		for (size_t i = 0; i < m; i++)
			ss += (d[i] - mean) * (d[i] - mean);
		double se = sqrt(ss / (m - 1) / m), t = (mean - eps) / se;
		p[out->ntested] = se > 0 ? gsl_cdf_tdist_P(t, (double)(m - 1)) : mean < eps ? 0 : mean > eps ? 1 : NAN;
		adv += (double)llm_wins / m;
		out->ntested++;
	}
	if (out->ntested) {
		/* Benjamini-Yekutieli at q: reject the k smallest p, k the largest
		 * with p_(k) <= k q / (m H_m) */
		size_t m = out->ntested, won = 0;
		double hm = 0;
		for (size_t i = 1; i <= m; i++)
			hm += 1.0 / i;
		double *s = emalloc(m * sizeof *s);
		size_t ns = 0;
		for (size_t i = 0; i < m; i++)
			if (!isnan(p[i]))
				s[ns++] = p[i];
		sort_doubles(s, ns);
		for (size_t i = 0; i < ns; i++)
			if (s[i] <= (double)(i + 1) / m * q / hm)
				won = i + 1;
		out->omega = (double)won / m;
		out->rho = adv / m;
		out->passed = out->omega >= 0.5;
		free(s);
	}
	free(p);
	free(d);
}

void
ppi_mean(const double *y, const double *f, size_t n, const double *fu, size_t nu, int tune, double width, struct ppi *o)
{
	double z = gsl_cdf_ugaussian_Pinv(0.975);
	memset(o, 0, sizeof *o);
	o->n = n;
	o->nu = nu;
	o->est = o->lo = o->hi = o->lambda = o->naive = o->naive_lo = o->naive_hi = NAN;
	o->classical = o->cl_lo = o->cl_hi = o->n_needed = NAN;
	/* classical: the labelled truths alone */
	if (n >= 2) {
		double m = 0, v = 0;
		for (size_t i = 0; i < n; i++)
			m += y[i] / n;
		for (size_t i = 0; i < n; i++)
			v += (y[i] - m) * (y[i] - m) / n;
		o->classical = m;
		o->cl_lo = m - z * sqrt(v / n);
		o->cl_hi = m + z * sqrt(v / n);
	}
	/* naive: every prediction, labelled or not, taken as the truth */
	size_t na = n + nu;
	if (na >= 2) {
		double m = 0, v = 0;
		for (size_t i = 0; i < n; i++)
			m += f[i] / na;
		for (size_t i = 0; i < nu; i++)
			m += fu[i] / na;
		for (size_t i = 0; i < n; i++)
			v += (f[i] - m) * (f[i] - m) / na;
		for (size_t i = 0; i < nu; i++)
			v += (fu[i] - m) * (fu[i] - m) / na;
		o->naive = m;
		o->naive_lo = m - z * sqrt(v / na);
		o->naive_hi = m + z * sqrt(v / na);
	}
	if (n < 2 || nu < 2)
		return;
	double my = 0, mf = 0, mu = 0, vu = 0, cyf = 0, vall = 0, mall = 0;
	for (size_t i = 0; i < n; i++) {
		my += y[i] / n;
		mf += f[i] / n;
	}
	for (size_t i = 0; i < nu; i++)
		mu += fu[i] / nu;
	mall = (mf * n + mu * nu) / na;
	/* divisors as ppi_py (Angelopoulos et al.) has them: the covariance of
	 * truth and prediction over n, the variance of all predictions over
	 * n + N - 1 (np.cov in _calc_lam_glm), the standard errors over n and N */
	for (size_t i = 0; i < n; i++) {
		cyf += (y[i] - my) * (f[i] - mf) / n;
		vall += (f[i] - mall) * (f[i] - mall) / (na - 1);
	}
	for (size_t i = 0; i < nu; i++) {
		vu += (fu[i] - mu) * (fu[i] - mu) / nu;
		vall += (fu[i] - mall) * (fu[i] - mall) / (na - 1);
	}
	double lam = 1;
	/* PPI++: the variance-minimising weight, clipped to [0, 1]; a constant
	 * judge (no variance; ppi_py divides 0 by 0) gets 0, the classical mean */
	if (tune)
		lam = vall > 0 ? fmin(1, fmax(0, cyf / ((1 + (double)n / nu) * vall))) : 0;
	/* theta = lambda mean(f~) + mean(y - lambda f) */
	double vr = 0;
	for (size_t i = 0; i < n; i++) {
		double e = y[i] - lam * f[i] - (my - lam * mf);
		vr += e * e / n;
	}
	double se2u = lam * lam * vu / nu, se = sqrt(se2u + vr / n);
	o->lambda = lam;
	o->est = lam * mu + my - lam * mf;
	o->lo = o->est - z * se;
	o->hi = o->est + z * se;
	if (width > 0) {
		/* truths needed for a half-width of W with the same unlabelled set */
		double room = (width / z) * (width / z) - se2u;
		o->n_needed = room > 0 ? ceil(vr / room) : NAN;
	}
}
