/* pt-plot: box, scatter and Bland-Altman figures (PNG, SVG, PDF) with cairo. */
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <gsl/gsl_rng.h>

#include "stats.h"
#include "plot.h"

static void __attribute__((noreturn))
usage(void)
{
	printf("usage: pt-plot box --by EXPR --value EXPR [--hue EXPR] [options] -o FILE [FILE...]\n"
	    "       pt-plot scatter --x EXPR --y EXPR [--by EXPR] [--identity] [--jitter W] [options] -o FILE [FILE...]\n"
	    "       pt-plot bland-altman --truth EXPR --pred EXPR [options] -o FILE [FILE...]\n"
	    "       pt-plot forest --by EXPR [--estimate EXPR] [--low EXPR] [--high EXPR] [options] -o FILE [FILE...]\n"
	    "Draw a figure from the records; the format follows the extension of FILE\n"
	    "(.png, .svg or .pdf).\n"
	    "\n"
	    "  -o, --output FILE      the figure to write\n"
	    "  -b, --by EXPR          group (box: one box per group; scatter: colour; forest: row label)\n"
	    "  -v, --value EXPR       the value of a box plot\n"
	    "      --hue EXPR         box: a box per value of EXPR inside each group, coloured, with a legend\n"
	    "      --x EXPR, --y EXPR the coordinates of a scatter plot\n"
	    "      --truth EXPR       the truth of a Bland-Altman plot (default .grade)\n"
	    "      --pred EXPR        the prediction of a Bland-Altman plot (default .predicted_score)\n"
	    "      --estimate EXPR    forest: a row's estimate (default .mean_diff // .diff_median)\n"
	    "      --low EXPR, --high EXPR  forest: its interval (default .ci_low, .ci_high)\n"
	    "      --vline X          forest: the reference line (default 0)\n"
	    "      --title TEXT       figure title\n"
	    "      --xlabel TEXT      x-axis label\n"
	    "      --ylabel TEXT      y-axis label\n"
	    "      --size WxH         size in inches (default 10x6)\n"
	    "      --dpi N            resolution of a PNG (default 150)\n"
	    "      --ylim LO,HI       y-axis range\n"
	    "      --order a,b,c      group order (default: first seen)\n"
	    "      --points           jittered raw points over the boxes\n"
	    "      --hline Y          a dashed reference line at Y\n"
	    "      --identity         the line y = x (scatter)\n"
	    "      --jitter W         jitter points by up to W (scatter)\n"
	    "      --stats            write the numbers drawn as NDJSON on stdout\n"
	    "      --arg NAME VALUE   bind $NAME in expressions\n"
	    "      --argjson NAME JSON  bind $NAME to a JSON value\n"
	    "  -h, --help             show this help and exit\n"
	    "      --version          show the version and exit\n"
	    "\n"
	    "Exit status: 0 every record read, 1 some records failed, 2 usage error,\n"
	    "3 write error, 4 out of memory. See pt-plot(1).\n");
	exit(PT_EXIT_OK);
}

enum { BOX, SCATTER, BA, FOREST };

static struct groups gs, cats, hues;   /* the groups; with --hue, their categories and hues */
static const double grey[3] = { 0.35, 0.35, 0.35 }, dark[3] = { 0.1, 0.1, 0.1 };

/* The boxes of the odd-numbered series, on a second thread while the tool's
 * thread does the even ones: sorting is most of the time after reading. */
static void *
odd_boxes(void *arg)
{
	struct boxstats *bs = arg;
	for (size_t i = 1; i < gs.n; i += 2)
		stats_box(gs.g[i].a.v, gs.g[i].a.n, &bs[i]);
	return NULL;
}

static void
stats_line(struct buf *b, const char *k, double v)
{
	buf_printf(b, ",\"%s\":", k);
	buf_num(b, v);
}

/* The options: what to draw and how. */
static struct {
	const char *by, *hue, *value, *xe, *ye, *truth, *pred, *out, *title, *xlabel, *ylabel, *order, *est, *low, *high;
	double wi, hi, dpi, jitter, hl, ylo, yhi, vl;
	int verb, points, identity, want_stats;
} opt = { .truth = ".grade", .pred = ".predicted_score", .est = ".mean_diff // .diff_median", .low = ".ci_low",
	.high = ".ci_high", .wi = 10, .hi = 6, .dpi = 150, .hl = NAN, .ylo = NAN, .yhi = NAN };

/* One box at x = cx, bw wide: whiskers and caps, the tinted box, the bold
 * median, the fliers. */
static void
draw_box(cairo_t *cr, const struct fig *f, double cx, double bw, const struct boxstats *b, const double *col)
{
	cairo_set_line_width(cr, 1);
	/* whiskers and caps */
	cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
	cairo_move_to(cr, cx, py(f, b->q3));
	cairo_line_to(cr, cx, py(f, b->hi));
	cairo_move_to(cr, cx, py(f, b->q1));
	cairo_line_to(cr, cx, py(f, b->lo));
	cairo_move_to(cr, cx - bw / 4, py(f, b->hi));
	cairo_line_to(cr, cx + bw / 4, py(f, b->hi));
	cairo_move_to(cr, cx - bw / 4, py(f, b->lo));
	cairo_line_to(cr, cx + bw / 4, py(f, b->lo));
	cairo_stroke(cr);
	/* the box: tinted fill, dark edge, bold median */
	double top = py(f, b->q3), bot = py(f, b->q1);
	cairo_rectangle(cr, cx - bw / 2, top, bw, fmax(bot - top, 0.5));
	cairo_set_source_rgba(cr, col[0], col[1], col[2], 0.45);
	cairo_fill_preserve(cr);
	cairo_set_source_rgb(cr, col[0] * 0.6, col[1] * 0.6, col[2] * 0.6);
	cairo_stroke(cr);
	cairo_set_line_width(cr, 2);
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_move_to(cr, cx - bw / 2, py(f, b->med));
	cairo_line_to(cr, cx + bw / 2, py(f, b->med));
	cairo_stroke(cr);
	/* fliers */
	cairo_set_line_width(cr, 0.8);
	cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
	for (size_t k = 0; k < b->nfliers; k++)
		circle(cr, cx, py(f, b->fliers[k]), 2.5);
	cairo_stroke(cr);
}

/* --hue: the category (first key) and hue (second key) of each group, their
 * indices in cats and hues, in first-seen order (categories after --order's). */
static void
split_hue(size_t *cat, size_t *hue)
{
	for (size_t i = 0; i < gs.n && opt.hue; i++) {
		const char *k = gs.g[i].key, *e = strchr(k, '\x1f');
		char *ck = estrndup(k, (size_t)(e - k));
		cat[i] = (size_t)(group_get(&cats, ck) - cats.g);
		hue[i] = (size_t)(group_get(&hues, e + 1) - hues.g);
		free(ck);
	}
	for (size_t i = 0; i < gs.n && !opt.hue; i++) {
		cat[i] = i;
		hue[i] = 0;
	}
}

/* box --stats: one group's numbers as matplotlib's boxplot_stats names them
 * (with --hue, label is the category and hue the hue). */
static void
box_stats_line(struct buf *st, const struct group *g, const struct boxstats *b, const char *label, const char *hue)
{
	st->len = 0;
	buf_adds(st, "{\"label\":");
	buf_json_str_or_null(st, label ? label : g->label);
	if (hue) {
		buf_adds(st, ",\"hue\":");
		json_quote(st, hue, strlen(hue));
	}
	buf_printf(st, ",\"n\":%zu,\"n_missing\":%zu", g->a.n, g->missing);
	stats_line(st, "q1", b->q1);
	stats_line(st, "median", b->med);
	stats_line(st, "q3", b->q3);
	stats_line(st, "whislo", b->lo);
	stats_line(st, "whishi", b->hi);
	buf_adds(st, ",\"fliers\":[");
	for (size_t k = 0; k < b->nfliers; k++) {
		if (k)
			buf_addc(st, ',');
		buf_num(st, b->fliers[k]);
	}
	buf_addc(st, ']');
	stats_line(st, "mean", b->mean);
	buf_addc(st, '}');
	out_line(st->p, st->len);
}

/* box: matplotlib's boxes, one per series, with the --stats lines;
 * -1 when the labels leave no room. */
static int
draw_boxes(struct fig *f, gsl_rng *rng, struct buf *st)
{
	cairo_t *cr = f->cr;
	struct boxstats *bs = emalloc((gs.n ? gs.n : 1) * sizeof *bs);
	double lo = INFINITY, hiv = -INFINITY;
	pthread_t odd;
	int two = gs.n > 1 && pthread_create(&odd, NULL, odd_boxes, bs) == 0;
	for (size_t i = 0; i < gs.n; i += two ? 2 : 1)
		stats_box(gs.g[i].a.v, gs.g[i].a.n, &bs[i]);
	if (two)
		pthread_join(odd, NULL);
	for (size_t i = 0; i < gs.n; i++) {
		if (bs[i].min < lo) lo = bs[i].min;
		if (bs[i].max > hiv) hiv = bs[i].max;
	}
	if (isfinite(opt.hl)) {
		if (opt.hl < lo) lo = opt.hl;
		if (opt.hl > hiv) hiv = opt.hl;
	}
	range_pad(lo, hiv, &f->ylo, &f->yhi);
	if (!isnan(opt.ylo)) {
		f->ylo = opt.ylo;
		f->yhi = opt.yhi;
	}
	/* the categories (--by) along x, each with a box per hue (--hue) */
	size_t *cat = emalloc((gs.n ? gs.n : 1) * sizeof *cat), *hue = emalloc((gs.n ? gs.n : 1) * sizeof *hue);
	split_hue(cat, hue);
	size_t ncat = opt.hue ? cats.n : gs.n, nh = opt.hue ? hues.n : 1;
	/* labels: rotated 45° when they would not fit flat, never clipped */
	double slot_guess = (f->w - 80) / (ncat ? ncat : 1);
	double fs = slot_guess < 14 ? fmax(4, slot_guess * 0.7) : 9.5;
	font(cr, fs, 0);
	char **shown = emalloc((ncat ? ncat : 1) * sizeof *shown);
	double maxw = 0;
	for (size_t c = 0; c < ncat; c++) {
		shown[c] = short_label(opt.hue ? cats.g[c].label : gs.g[c].label);
		maxw = fmax(maxw, text_width(cr, shown[c]));
	}
	int rotate = maxw > slot_guess * 0.9;
	double lab_h = rotate ? maxw * sin(M_PI / 4) + fs : fs * 1.4;
	char tb[64];
	if (nh > 1)
		f->right = f->w - legend_width(cr, &hues);
	f->left = (opt.ylabel ? 30 : 12) + ytick_width(f) + 8;
	/* a rotated first label reaches left of its box: make room */
	if (rotate && ncat)
		f->left = fmax(f->left, maxw * cos(M_PI / 4) - (f->right - f->left) / ncat / 2 + 8);
	f->bottom = f->h - (opt.xlabel ? 24 : 8) - lab_h - 16;
	int rc = 0;
	if (f->bottom - f->top < 40) {
		warn("the group labels leave no room for the plot; use a larger --size");
		rc = -1;
		goto done;
	}
	f->xlo = 0.5;
	f->xhi = ncat + 0.5;
	axes(f, opt.title, opt.xlabel, opt.ylabel, AXES_Y);
	if (isfinite(opt.hl))
		hline(f, opt.hl, grey, 1);
	double slot = (f->right - f->left) / (ncat ? ncat : 1);
	double bw = nh > 1 ? slot * 0.8 / nh * 0.8 : fmin(slot * 0.5, 60);
	for (size_t c = 0; c < ncat; c++) {
		cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
		font(cr, fs, 0);
		double cx = px(f, (double)c + 1);
		if (rotate)
			text(cr, shown[c], cx + fs * 0.3, f->bottom + 16, 1, 0, 45);
		else
			text(cr, shown[c], cx, f->bottom + 16, 0.5, 0, 0);
	}
	for (size_t i = 0; i < gs.n; i++) {
		const double *col = plot_palette[(nh > 1 ? hue[i] : i) % PLOT_NPAL];
		double cx = px(f, (double)cat[i] + 1 + (nh > 1 ? ((hue[i] + 0.5) / nh - 0.5) * 0.8 : 0));
		font(cr, fmin(fs, nh > 1 ? 7 : 8), 0);
		cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
		snprintf(tb, sizeof tb, "n=%zu", gs.g[i].a.n);
		text(cr, tb, cx, f->bottom + 4, 0.5, 0, 0);
		if (gs.g[i].a.n == 0)
			continue;
		draw_box(cr, f, cx, bw, &bs[i], col);
		if (opt.points) {
			cairo_set_source_rgba(cr, col[0] * 0.7, col[1] * 0.7, col[2] * 0.7, 0.5);
			for (size_t k = 0; k < gs.g[i].a.n; k++)
				circle(cr, cx + (gsl_rng_uniform(rng) - 0.5) * bw * 0.8, py(f, gs.g[i].a.v[k]), 1.6);
			cairo_fill(cr);
		}
	}
	if (nh > 1)
		legend(f, &hues);
	/* --stats in the order drawn (with --hue: by category, then hue) */
	for (size_t i = 0; i < gs.n && opt.want_stats && !opt.hue; i++)
		box_stats_line(st, &gs.g[i], &bs[i], NULL, NULL);
	for (size_t c = 0; c < ncat && opt.want_stats && opt.hue; c++)
		for (size_t h = 0; h < nh; h++)
			for (size_t i = 0; i < gs.n; i++)
				if (cat[i] == c && hue[i] == h)
					box_stats_line(st, &gs.g[i], &bs[i], cats.g[c].label, hues.g[h].label);
done:
	for (size_t i = 0; i < gs.n; i++)
		free(bs[i].fliers);
	for (size_t c = 0; c < ncat; c++)
		free(shown[c]);
	free(bs);
	free(shown);
	free(cat);
	free(hue);
	return rc;
}

/* The values of the Bland-Altman lines, at the right edge. */
static void
ba_labels(struct fig *f, double bias, double sd)
{
	cairo_t *cr = f->cr;
	char tb[64];
	font(cr, 8.5, 0);
	cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
	snprintf(tb, sizeof tb, "bias %.3g", bias);
	text(cr, tb, f->right - 4, py(f, bias) - 2, 1, 1, 0);
	if (isfinite(sd)) {
		cairo_set_source_rgb(cr, 0.6, 0.25, 0);
		snprintf(tb, sizeof tb, "+1.96 SD %.3g", bias + 1.96 * sd);
		text(cr, tb, f->right - 4, py(f, bias + 1.96 * sd) - 2, 1, 1, 0);
		snprintf(tb, sizeof tb, "\xe2\x88\x92" "1.96 SD %.3g", bias - 1.96 * sd);
		text(cr, tb, f->right - 4, py(f, bias - 1.96 * sd) + 2, 1, 0, 0);
	}
}

/* scatter --stats: one group's extent. */
static void
scatter_stats_line(struct buf *st, const struct group *g)
{
	double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
	for (size_t k = 0; k < g->a.n; k++) {
		x0 = fmin(x0, g->a.v[k]);
		x1 = fmax(x1, g->a.v[k]);
		y0 = fmin(y0, g->b.v[k]);
		y1 = fmax(y1, g->b.v[k]);
	}
	st->len = 0;
	buf_adds(st, "{\"label\":");
	json_quote(st, g->label, strlen(g->label));
	buf_printf(st, ",\"n\":%zu,\"n_missing\":%zu", g->a.n, g->missing);
	stats_line(st, "x_min", x0);
	stats_line(st, "x_max", x1);
	stats_line(st, "y_min", y0);
	stats_line(st, "y_max", y1);
	buf_addc(st, '}');
	out_line(st->p, st->len);
}

/* scatter and Bland-Altman: a point per record, with the --stats lines. */
static void
draw_points(struct fig *f, gsl_rng *rng, struct buf *st)
{
	cairo_t *cr = f->cr;
	/* scatter and Bland-Altman: x and y of every point */
	double xl = INFINITY, xh = -INFINITY, yl = INFINITY, yh = -INFINITY, bias = NAN, sd = NAN;
	size_t ntot = 0;
	if (opt.verb == BA) {
		/* mean of the two against their difference (pred - truth);
		 * bias and limits computed as pt-stats agree computes them */
		for (size_t i = 0; i < gs.n; i++)
			ntot += gs.g[i].a.n;
		double *d = emalloc((ntot ? ntot : 1) * sizeof *d);
		size_t nd = 0;
		for (size_t i = 0; i < gs.n; i++)
			for (size_t k = 0; k < gs.g[i].a.n; k++) {
				double t0 = gs.g[i].a.v[k], p0 = gs.g[i].b.v[k];
				gs.g[i].a.v[k] = (t0 + p0) / 2;
				gs.g[i].b.v[k] = d[nd++] = p0 - t0;
			}
		bland_altman(d, ntot, &bias, &sd);
		free(d);
	}
	for (size_t i = 0; i < gs.n; i++)
		for (size_t k = 0; k < gs.g[i].a.n; k++) {
			xl = fmin(xl, gs.g[i].a.v[k]);
			xh = fmax(xh, gs.g[i].a.v[k]);
			yl = fmin(yl, gs.g[i].b.v[k]);
			yh = fmax(yh, gs.g[i].b.v[k]);
		}
	if (opt.verb == BA && isfinite(sd)) {
		yl = fmin(yl, bias - 1.96 * sd);
		yh = fmax(yh, bias + 1.96 * sd);
	}
	if (opt.identity && isfinite(xl)) {
		xl = yl = fmin(xl, yl);
		xh = yh = fmax(xh, yh);
	}
	range_pad(xl - opt.jitter, xh + opt.jitter, &f->xlo, &f->xhi);
	range_pad(yl - opt.jitter, yh + opt.jitter, &f->ylo, &f->yhi);
	if (!isnan(opt.ylo)) {
		f->ylo = opt.ylo;
		f->yhi = opt.yhi;
	}
	double ylw = ytick_width(f);
	if (!opt.xlabel)
		opt.xlabel = opt.verb == BA ? "mean of truth and prediction" : NULL;
	if (!opt.ylabel)
		opt.ylabel = opt.verb == BA ? "prediction \xe2\x88\x92 truth" : NULL;
	f->left = (opt.ylabel ? 30 : 12) + ylw + 8;
	f->bottom = f->h - (opt.xlabel ? 28 : 10) - 16;
	/* the legend, right of the plot, when there are groups */
	int with_legend = opt.by && gs.n > 0;
	if (with_legend)
		f->right = f->w - legend_width(cr, &gs);
	axes(f, opt.title, opt.xlabel, opt.ylabel, AXES_Y | AXES_X);
	cairo_save(cr);
	cairo_rectangle(cr, f->left, f->top, f->right - f->left, f->bottom - f->top);
	cairo_clip(cr);
	if (opt.identity) {
		static const double mid[3] = { 0.45, 0.45, 0.45 };
		double a = fmax(f->xlo, f->ylo), b = fmin(f->xhi, f->yhi);
		segment(cr, px(f, a), py(f, a), px(f, b), py(f, b), mid, 1, 1);
	}
	if (opt.verb == BA && isfinite(bias)) {
		hline(f, bias, dark, 0);
		if (isfinite(sd)) {
			hline(f, bias + 1.96 * sd, plot_palette[3], 1);
			hline(f, bias - 1.96 * sd, plot_palette[3], 1);
		}
	}
	if (isfinite(opt.hl))
		hline(f, opt.hl, grey, 1);
	double alpha = ntot > 2000 || (opt.verb == SCATTER && gs.n && gs.g[0].a.n > 2000) ? 0.35 : 0.7;
	for (size_t i = 0; i < gs.n; i++) {
		const double *col = plot_palette[i % PLOT_NPAL];
		cairo_set_source_rgba(cr, col[0], col[1], col[2], alpha);
		for (size_t k = 0; k < gs.g[i].a.n; k++) {
			double jx = opt.jitter ? (gsl_rng_uniform(rng) * 2 - 1) * opt.jitter : 0;
			double jy = opt.jitter ? (gsl_rng_uniform(rng) * 2 - 1) * opt.jitter : 0;
			circle(cr, px(f, gs.g[i].a.v[k] + jx), py(f, gs.g[i].b.v[k] + jy), 2.6);
		}
		cairo_fill(cr);
	}
	cairo_restore(cr);
	if (opt.verb == BA && isfinite(bias))
		ba_labels(f, bias, sd);
	if (with_legend)
		legend(f, &gs);
	if (opt.want_stats && opt.verb == BA) {
		st->len = 0;
		buf_printf(st, "{\"n\":%zu", ntot);
		stats_line(st, "bias", bias);
		stats_line(st, "sd", sd);
		stats_line(st, "loa_low", bias - 1.96 * sd);
		stats_line(st, "loa_high", bias + 1.96 * sd);
		buf_addc(st, '}');
		out_line(st->p, st->len);
	}
	for (size_t i = 0; i < gs.n && opt.want_stats && opt.verb == SCATTER; i++)
		scatter_stats_line(st, &gs.g[i]);
}

/* forest: one row per record, top to bottom in input order. */
struct frow {
	char *label;
	double est, lo, hi;   /* NaN when missing */
};
static struct frow *frows;
static size_t nfrows;

/* Reads the forest's rows: the label (el), the estimate and its interval. */
static void
read_rows(struct reader *rd, struct expr **e, unsigned long *nfail, unsigned long *nmissing)
{
	struct rec r;
	struct buf key = { 0 };
	while (rdr_next(rd, &r) == RDR_REC) {
		if (!rec_usable(&r)) {
			(*nfail)++;
			continue;
		}
		jv parsed = jv_invalid();
		key.len = 0;
		if (expr_json(e[0], &r, &parsed, &key) < 0) {
			(*nfail)++;
			jv_free(parsed);
			continue;
		}
		frows = erealloc(frows, (nfrows + 1) * sizeof *frows);
		struct frow *w = &frows[nfrows++];
		struct buf lab = { 0 };
		if (*buf_cstr(&key) == '"')
			json_unquote(key.p, key.p + key.len, &lab);
		else
			buf_add(&lab, key.p, key.len);
		w->label = buf_cstr(&lab);
		double *v[3] = { &w->est, &w->lo, &w->hi };
		for (int k = 0; k < 3; k++) {
			int got = expr_number(e[k + 1], &r, &parsed, v[k]);
			if (got < 0)
				(*nfail)++;
			if (got != 1)
				*v[k] = NAN;
		}
		if (isnan(w->est))
			(*nmissing)++;
		jv_free(parsed);
	}
	free(key.p);
}

/* A row's numbers as printed at the right: "+4.2 [2.9, 5.5]". */
static void
row_text(char *b, size_t n, const struct frow *w, int dec)
{
	if (isnan(w->est))
		snprintf(b, n, "no estimate");
	else if (isnan(w->lo) || isnan(w->hi))
		snprintf(b, n, "%+.*f", dec, w->est);
	else
		snprintf(b, n, "%+.*f [%.*f, %.*f]", dec, w->est, dec, w->lo, dec, w->hi);
}

static int
draw_forest(struct fig *f, struct buf *st)
{
	cairo_t *cr = f->cr;
	double lo = opt.vl, hi = opt.vl, lw = 0, nw = 0;
	if (!opt.xlabel)
		opt.xlabel = "difference (95% CI)";
	char tb[128];
	for (size_t i = 0; i < nfrows; i++)
		for (int k = 0; k < 3; k++) {
			double v = k == 0 ? frows[i].est : k == 1 ? frows[i].lo : frows[i].hi;
			if (isfinite(v)) {
				lo = fmin(lo, v);
				hi = fmax(hi, v);
			}
		}
	/* decimals: two significant digits of the range drawn */
	int dec = hi > lo ? (int)fmax(0, fmin(4, 2 - floor(log10(hi - lo)))) : 1;
	font(cr, 9.5, 0);
	for (size_t i = 0; i < nfrows; i++) {
		char *sl = short_label(frows[i].label);
		lw = fmax(lw, text_width(cr, sl));
		free(sl);
		row_text(tb, sizeof tb, &frows[i], dec);
		nw = fmax(nw, text_width(cr, tb));
	}
	f->left = lw + 24;
	f->right = f->w - nw - 24;
	f->bottom = f->h - (opt.xlabel ? 28 : 10) - 16;
	if (f->right - f->left < 60 || f->bottom - f->top < 20) {
		warn("the labels leave no room for the plot; use a larger --size");
		return -1;
	}
	range_pad(lo, hi, &f->xlo, &f->xhi);
	f->ylo = 0.5;
	f->yhi = nfrows + 0.5;
	axes(f, opt.title, opt.xlabel, NULL, AXES_X);
	segment(cr, px(f, opt.vl), f->top, px(f, opt.vl), f->bottom, grey, 1.2, 1);
	const double *col = plot_palette[0];
	for (size_t i = 0; i < nfrows; i++) {
		const struct frow *w = &frows[i];
		double y = py(f, (double)(nfrows - i));
		char *sl = short_label(w->label);
		font(cr, 9.5, 0);
		cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
		text(cr, sl, f->left - 10, y, 1, 0.5, 0);
		row_text(tb, sizeof tb, w, dec);
		text(cr, tb, f->right + 10, y, 0, 0.5, 0);
		free(sl);
		cairo_set_source_rgb(cr, col[0] * 0.7, col[1] * 0.7, col[2] * 0.7);
		cairo_set_line_width(cr, 1.6);
		if (isfinite(w->lo) && isfinite(w->hi)) {
			cairo_move_to(cr, px(f, w->lo), y);
			cairo_line_to(cr, px(f, w->hi), y);
			cairo_move_to(cr, px(f, w->lo), y - 4);
			cairo_line_to(cr, px(f, w->lo), y + 4);
			cairo_move_to(cr, px(f, w->hi), y - 4);
			cairo_line_to(cr, px(f, w->hi), y + 4);
			cairo_stroke(cr);
		}
		if (isfinite(w->est)) {
			cairo_set_source_rgb(cr, col[0], col[1], col[2]);
			cairo_rectangle(cr, px(f, w->est) - 4, y - 4, 8, 8);
			cairo_fill(cr);
		}
	}
	for (size_t i = 0; i < nfrows && opt.want_stats; i++) {
		st->len = 0;
		buf_adds(st, "{\"label\":");
		json_quote(st, frows[i].label, strlen(frows[i].label));
		stats_line(st, "estimate", frows[i].est);
		stats_line(st, "ci_low", frows[i].lo);
		stats_line(st, "ci_high", frows[i].hi);
		row_text(tb, sizeof tb, &frows[i], dec);
		buf_adds(st, ",\"text\":");
		json_quote(st, tb, strlen(tb));
		buf_addc(st, '}');
		out_line(st->p, st->len);
	}
	return 0;
}

/* --order: those groups (with --hue, categories) take the first places, in that order. */
static void
order_first(const char *order)
{
	char *o = estrdup(order);
	for (char *t = strtok(o, ","); t; t = strtok(NULL, ",")) {
		struct buf k = { 0 };
		json_quote(&k, t, strlen(t));
		group_get(opt.hue ? &cats : &gs, buf_cstr(&k));
		free(k.p);
	}
	free(o);
}

/* The options that go together, and the size, once all are read. */
static void
check_options(void)
{
	if (!opt.out)
		usage_error("missing -o FILE (.png, .svg or .pdf)");
	const char *ext = strrchr(opt.out, '.');
	if (!ext || (strcmp(ext, ".png") && strcmp(ext, ".svg") && strcmp(ext, ".pdf")))
		usage_error("-o %s: the name must end in .png, .svg or .pdf", opt.out);
	if (opt.verb == BOX && (!opt.by || !opt.value))
		usage_error("box needs --by and --value");
	if (opt.hue && opt.verb != BOX)
		usage_error("--hue is for box");
	if (opt.verb == FOREST && !opt.by)
		usage_error("forest needs --by (the label of each row)");
	if (opt.verb == SCATTER && (!opt.xe || !opt.ye))
		usage_error("scatter needs --x and --y");
	if (opt.wi * opt.dpi > 30000 || opt.hi * opt.dpi > 30000)
		usage_error("--size × --dpi is over 30000 pixels");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "arg", required_argument, NULL, 'A' },
		{ "argjson", required_argument, NULL, 'J' },
		{ "by", required_argument, NULL, 'b' },
		{ "dpi", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ "hline", required_argument, NULL, 'H' },
		{ "estimate", required_argument, NULL, 'E' },
		{ "high", required_argument, NULL, 'G' },
		{ "hue", required_argument, NULL, 'U' },
		{ "low", required_argument, NULL, 'W' },
		{ "vline", required_argument, NULL, 'K' },
		{ "identity", no_argument, NULL, 'I' },
		{ "jitter", required_argument, NULL, 'j' },
		{ "order", required_argument, NULL, 'O' },
		{ "output", required_argument, NULL, 'o' },
		{ "points", no_argument, NULL, 'p' },
		{ "pred", required_argument, NULL, 'P' },
		{ "size", required_argument, NULL, 's' },
		{ "stats", no_argument, NULL, 'S' },
		{ "title", required_argument, NULL, 't' },
		{ "truth", required_argument, NULL, 'T' },
		{ "value", required_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "x", required_argument, NULL, 'x' },
		{ "xlabel", required_argument, NULL, 'X' },
		{ "y", required_argument, NULL, 'y' },
		{ "ylabel", required_argument, NULL, 'Y' },
		{ "ylim", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 }
	};
	int c;
	jv args = jv_object();

	static const char *const verbs[] = { "box", "scatter", "bland-altman", "forest", NULL };   /* BOX, SCATTER, BA, FOREST */
	pt_init(argv);
	opt.verb = verb_of(&argc, &argv, verbs, usage);
	while ((c = getopt_long(argc, argv, "b:ho:v:", opts, NULL)) != -1) {
		switch (c) {
		case 'A':
		case 'J':
			args_option(&args, c == 'J', argc, argv);
			break;
		case 'b': opt.by = optarg; break;
		case 'D': opt.dpi = parse_double("--dpi", optarg, 10, 1200); break;
		case 'h': usage();
		case 'H': opt.hl = parse_double("--hline", optarg, -1e300, 1e300); break;
		case 'I': opt.identity = 1; break;
		case 'U': opt.hue = optarg; break;
		case 'E': opt.est = optarg; break;
		case 'G': opt.high = optarg; break;
		case 'W': opt.low = optarg; break;
		case 'K': opt.vl = parse_double("--vline", optarg, -1e300, 1e300); break;
		case 'j': opt.jitter = parse_double("--jitter", optarg, 0, 1e300); break;
		case 'L': {
			char *comma = strchr(optarg, ',');
			if (!comma)
				usage_error("--ylim: expected LO,HI, got '%s'", optarg);
			*comma = 0;
			opt.ylo = parse_double("--ylim", optarg, -1e300, 1e300);
			opt.yhi = parse_double("--ylim", comma + 1, -1e300, 1e300);
			if (!(opt.yhi > opt.ylo))
				usage_error("--ylim: HI must be above LO");
			break;
		}
		case 'o': opt.out = optarg; break;
		case 'O': opt.order = optarg; break;
		case 'p': opt.points = 1; break;
		case 'P': opt.pred = optarg; break;
		case 's':
			if (sscanf(optarg, "%lfx%lf", &opt.wi, &opt.hi) != 2 || !(opt.wi >= 1 && opt.wi <= 100 && opt.hi >= 1 && opt.hi <= 100))
				usage_error("--size: expected WxH in inches (1 to 100), got '%s'", optarg);
			break;
		case 'S': opt.want_stats = 1; break;
		case 't': opt.title = optarg; break;
		case 'T': opt.truth = optarg; break;
		case 'v': opt.value = optarg; break;
		case 'V': print_version();
		case 'x': opt.xe = optarg; break;
		case 'X': opt.xlabel = optarg; break;
		case 'y': opt.ye = optarg; break;
		case 'Y': opt.ylabel = optarg; break;
		default: usage_error("unknown option");
		}
	}
	check_options();

	struct expr *keys[2] = { opt.by ? expr_new(opt.by, jv_copy(args), "--by") : NULL,
		opt.hue ? expr_new(opt.hue, jv_copy(args), "--hue") : NULL };
	struct expr *ea = expr_new(opt.verb == BOX ? opt.value : opt.verb == SCATTER ? opt.xe : opt.verb == BA ? opt.truth : opt.est,
	    jv_copy(args), opt.verb == BOX ? "--value" : opt.verb == SCATTER ? "--x" : opt.verb == BA ? "--truth" : "--estimate");
	struct expr *eb = opt.verb == BOX ? NULL : expr_new(opt.verb == SCATTER ? opt.ye : opt.verb == BA ? opt.pred : opt.low,
	    jv_copy(args), opt.verb == SCATTER ? "--y" : opt.verb == BA ? "--pred" : "--low");
	struct expr *ec = opt.verb == FOREST ? expr_new(opt.high, jv_copy(args), "--high") : NULL;
	jv_free(args);

	if (opt.order)
		order_first(opt.order);
	struct reader *rd = rdr_open(argv + optind, argc - optind);
	rdr_threaded(rd);
	unsigned long nfail = 0, nmissing = 0;
	if (opt.verb == FOREST)
		read_rows(rd, (struct expr *[]){ keys[0], ea, eb, ec }, &nfail, &nmissing);
	else
		groups_read(&gs, rd, &(struct group_exprs){ .by = keys, .nby = (keys[0] != NULL) + (keys[1] != NULL), .a = ea, .b = eb },
		    &nfail, &nmissing);
	int nbadin = rdr_failed(rd);

	struct fig f;
	fig_open(&f, opt.out, opt.wi, opt.hi, opt.dpi, opt.title);
	struct buf st = { 0 };
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, 0);   /* jitter is deterministic */
	int rc = opt.verb == BOX ? draw_boxes(&f, rng, &st) : opt.verb == FOREST ? draw_forest(&f, &st) : (draw_points(&f, rng, &st), 0);
	gsl_rng_free(rng);
	if (rc < 0) {
		fig_discard(&f);
		rc = PT_EXIT_USAGE;
	} else
		rc = fig_close(&f);
	out_close();
	if (nmissing)
		warn("%lu record%s with a missing or non-numeric value (not drawn)", nmissing, nmissing == 1 ? "" : "s");
	groups_free(&gs);
	for (size_t i = 0; i < nfrows; i++)
		free(frows[i].label);
	free(frows);
	expr_free(ec);
	groups_free(&cats);
	groups_free(&hues);
	free(st.p);
	expr_free(keys[0]);
	expr_free(keys[1]);
	expr_free(ea);
	expr_free(eb);
	rdr_close(rd);
	/* release the font caches, so a leak report means a leak of ours */
	cairo_debug_reset_static_data();
	FcFini();
	return rc == PT_EXIT_OK ? fail_summary(nfail, nbadin) : rc;
}
