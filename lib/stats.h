/* stats.h: statistics and grouped values (pt-stats, pt-plot). */
#ifndef PT_STATS_H
#define PT_STATS_H

#include "pt.h"

/* stats.c: statistics as SciPy/NumPy/scikit-learn define them; NaN = undefined. */
struct summary {
	size_t n;
	double mean, sd, se, median, q1, q3, min, max, ci_low, ci_high;
};
struct agreement {
	size_t n;
	double mae, rmse, bias, pearson_r, pearson_p, spearman_rho, spearman_p, kendall_tau, kendall_p,
	    ccc, icc, qwk, exact, within1, loa_low, loa_high;
};
void sort_doubles(double *a, size_t n);                 /* ascending; no NaN */
void sort_index(const double *a, size_t n, size_t *idx);  /* stable order of a */
double quantile_sorted(const double *sorted, size_t n, double p);
void stats_summary(const double *x, size_t n, struct summary *s);
void stats_agree(const double *truth, const double *pred, size_t n, struct agreement *a);
/* 1: stats_agree may run part of a large group on a thread of its own (the
 * caller has one to spare). */
extern int stats_helper;
void rank_average(const double *x, size_t n, double *ranks);
double pearson(const double *x, const double *y, size_t n, double *p);
double spearman(const double *x, const double *y, size_t n, double *p);
double kendall(const double *x, const double *y, size_t n, double *p);
double lin_ccc(const double *x, const double *y, size_t n);
double icc21(const double *x, const double *y, size_t n);
double qwk(const double *truth, const double *pred, size_t n);
/* matplotlib.cbook.boxplot_stats with whis = 1.5; fliers (low ones, then
 * high ones, each in input order) are the caller's to free. */
struct boxstats {
	double q1, med, q3, lo, hi, mean, min, max;
	double *fliers;
	size_t nfliers;
};
void stats_box(const double *x, size_t n, struct boxstats *b);
/* Several judgements of one answer: their median (or mean), SD (NaN below
 * 2) and the index of the one nearest the aggregate (first on ties). */
double stats_aggregate(const double *x, size_t n, int mean, double *sd, size_t *nearest);
/* Bland-Altman from the differences d (pred - truth): their mean and SD. */
void bland_altman(const double *d, size_t n, double *bias, double *sd);
void mann_whitney(const double *x, size_t n1, const double *y, size_t n2, double *u, double *p);
/* scipy.stats.wilcoxon(d) with its defaults in SciPy 1.10 (two-sided,
 * zero_method "wilcox", no continuity correction, mode "auto"): w the smaller
 * rank sum, p; effect the matched-pairs rank-biserial correlation
 * (r+ - r-) / (r+ + r-). NaN when there is no nonzero difference. */
void wilcoxon(const double *d, size_t n, double *w, double *p, double *effect);
/* The 95% t interval of the mean of d (scipy.stats.ttest_rel's
 * confidence_interval); NaN below 2 values. */
void t_interval(const double *d, size_t n, double *lo, double *hi);
void holm(const double *p, size_t m, double *adj);

/* raters.c: several raters of the same items. The ratings of ni items by nr
 * raters, v[item * nr + rater], NaN where a rater did not rate an item. */
struct ratings {
	size_t ni, nr;
	double *v;
};
enum { LEVEL_INTERVAL, LEVEL_ORDINAL, LEVEL_NOMINAL, LEVEL_RATIO };
/* Krippendorff's alpha of the raters cols[0..nc) (Krippendorff 2011,
 * "Computing Krippendorff's alpha-reliability"); *pairable: the values in
 * items with two or more of them. */
double kripp_alpha(const struct ratings *r, const size_t *cols, size_t nc, int level, size_t *pairable);
/* ICC(2,1) and ICC(2,k) (Shrout & Fleiss 1979: two-way random, absolute
 * agreement) of the raters cols; NaN unless every item has every rating. */
void icc2(const struct ratings *r, const size_t *cols, size_t nc, double *icc1, double *icck);
/* The alternative annotator test (Calderon, Reichart & Dror 2025) of the
 * candidate rater cand against the humans hum[0..nh), scored by -RMSE. */
struct alt {
	size_t ntested;         /* humans with min_items items or more */
	double omega, rho;      /* the winning rate, the average advantage probability */
	int passed;             /* omega >= 0.5 */
};
void alt_test(const struct ratings *r, const size_t *hum, size_t nh, size_t cand, double eps, double q,
    size_t min_items, struct alt *out);
/* Prediction-powered inference of a mean (Angelopoulos et al. 2023; PPI++
 * with tune): truths y with predictions f on n labelled items, predictions
 * fu on nu unlabelled ones; 95% normal intervals. */
struct ppi {
	size_t n, nu;
	double est, lo, hi, lambda;
	double naive, naive_lo, naive_hi, classical, cl_lo, cl_hi;
	double n_needed;        /* truths for a half-width of width (NaN: none would do) */
};
void ppi_mean(const double *y, const double *f, size_t n, const double *fu, size_t nu, int tune, double width,
    struct ppi *o);

/* group.c: records grouped by the JSON text of their keys (joined by \x1f),
 * each group with its value columns, in first-seen order. */
struct dvec {
	double *v;
	size_t n, cap;
};
void dvec_push(struct dvec *d, double x);
struct group {
	char *key;              /* the keys' JSON texts joined by \x1f */
	char *label;            /* display form: strings decoded, parts joined by ", " */
	struct dvec a, b;       /* the values, or truth and prediction */
	struct dvec cl;         /* cluster index per value (with a cluster expression) */
	struct strmap clusters; /* cluster key -> index */
	struct dvec rl;         /* rater index per value (with a rater expression) */
	struct strmap raters;   /* rater key -> index */
	size_t missing;         /* records without a number */
};
struct groups {
	struct group *g;
	size_t n, cap;
	struct strmap index;
};
struct group_exprs {
	struct expr **by;       /* the key expressions (none: one group, key "") */
	int nby;
	struct expr *a, *b, *cluster;   /* b and cluster may be NULL */
	struct expr *rater;             /* may be NULL */
	int b_optional;                 /* a record without b still counts, b NaN */
	/* called after each value is kept, with its group's index (the value
	 * is the group's last a); returns the records that failed (pt-stats top) */
	int (*each)(void *ctx, size_t gi, const struct rec *r, jv *parsed);
	void *ctx;
};
struct group *group_get(struct groups *gs, const char *key);
/* Reads every record into its group: a record whose key or number fails
 * counts in *nfail, one without a number in *nmissing and its group's missing. */
void groups_read(struct groups *gs, struct reader *rd, const struct group_exprs *x, unsigned long *nfail,
    unsigned long *nmissing);
/* The same on nthreads workers (blocks.c), xs[0..nthreads) the workers'
 * expressions and xs[nthreads] the main thread's (no each); the same
 * groups, values in the same order. Returns the files not read. */
int groups_read_blocks(struct groups *gs, char **files, int nfiles, int nthreads, const struct group_exprs *xs,
    unsigned long *nfail, unsigned long *nmissing);
void groups_free(struct groups *gs);

#endif
