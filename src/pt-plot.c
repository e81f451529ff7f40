/* pt-plot: box, scatter and Bland-Altman figures (PNG, SVG, PDF) with cairo. */
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <cairo.h>
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <fontconfig/fontconfig.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>
#include <png.h>

#include "pt.h"

static void __attribute__((noreturn))
usage(void)
{
	printf("usage: pt-plot box --by EXPR --value EXPR [options] -o FILE [FILE...]\n"
	    "       pt-plot scatter --x EXPR --y EXPR [--by EXPR] [--identity] [--jitter W] [options] -o FILE [FILE...]\n"
	    "       pt-plot bland-altman --truth EXPR --pred EXPR [options] -o FILE [FILE...]\n"
	    "Draw a figure from the records; the format follows the extension of FILE\n"
	    "(.png, .svg or .pdf).\n"
	    "\n"
	    "  -o, --output FILE      the figure to write\n"
	    "  -b, --by EXPR          group (box: one box per group; scatter: colour)\n"
	    "  -v, --value EXPR       the value of a box plot\n"
	    "      --x EXPR, --y EXPR the coordinates of a scatter plot\n"
	    "      --truth EXPR       the truth of a Bland-Altman plot (default .grade)\n"
	    "      --pred EXPR        the prediction of a Bland-Altman plot (default .predicted_score)\n"
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
	    "3 write error. See pt-plot(1).\n");
	exit(PT_EXIT_OK);
}

enum { BOX, SCATTER, BA };

/* Okabe & Ito's colour-blind-safe palette (black last). */
static const double palette[][3] = {
	{ 0.000, 0.447, 0.698 }, { 0.902, 0.624, 0.000 }, { 0.000, 0.620, 0.451 }, { 0.835, 0.369, 0.000 },
	{ 0.337, 0.706, 0.914 }, { 0.800, 0.475, 0.655 }, { 0.941, 0.894, 0.259 }, { 0.0, 0.0, 0.0 },
};
#define NPAL 8

struct series {
	char *label;
	double *x, *y;
	size_t n, cap, missing;
};

static struct series *ser;
static size_t nser;
static struct strmap index_of;

/* The series of a group key (its JSON text); the label is decoded once. */
static struct series *
series_get(const char *key)
{
	int added;
	size_t i = *strmap_get(&index_of, key, nser, &added);
	if (!added)
		return &ser[i];
	ser = erealloc(ser, (nser + 1) * sizeof *ser);
	memset(&ser[nser], 0, sizeof *ser);
	struct buf lab = { 0 };
	if (*key == '"')
		json_unquote(key, key + strlen(key), &lab);
	else
		buf_adds(&lab, key);
	ser[nser].label = buf_cstr(&lab);
	return &ser[nser++];
}

static void
series_add(struct series *s, double x, double y)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->x = erealloc(s->x, s->cap * sizeof *s->x);
		s->y = erealloc(s->y, s->cap * sizeof *s->y);
	}
	s->x[s->n] = x;
	s->y[s->n++] = y;
}

/* matplotlib.cbook.boxplot_stats with whis = 1.5. */
struct boxstats {
	double q1, med, q3, lo, hi, mean, min, max;
	double *fliers;
	size_t nfliers;
};

static void
box_stats(const double *x, size_t n, struct boxstats *b)
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

/* The boxes of the odd-numbered series, on a second thread while the tool's
 * thread does the even ones: sorting is most of the time after reading. */
static void *
odd_boxes(void *arg)
{
	struct boxstats *bs = arg;
	for (size_t i = 1; i < nser; i += 2)
		box_stats(ser[i].x, ser[i].n, &bs[i]);
	return NULL;
}

/* "Nice" tick positions covering [lo, hi]: steps of 1, 2, 2.5 or 5 × 10^k. */
static int
ticks(double lo, double hi, double *t, int max)
{
	double span = hi - lo, raw = span / 6, mag = pow(10, floor(log10(raw))), step = mag;
	static const double m[] = { 1, 2, 2.5, 5, 10 };
	for (int i = 0; i < 5; i++)
		if (m[i] * mag >= raw) {
			step = m[i] * mag;
			break;
		}
	int n = 0;
	for (double v = ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9 && n < max; v += step)
		t[n++] = fabs(v) < step * 1e-9 ? 0 : v;
	return n;
}

static void
tick_text(char *buf, size_t size, double v)
{
	num_fmt(buf, size, fabs(v) < 1e-12 ? 0 : v);
	if (v < 0 && buf[0] == '-') {   /* a real minus sign, as matplotlib writes it */
		memmove(buf + 3, buf + 1, strlen(buf));
		memcpy(buf, "\xe2\x88\x92", 3);
	}
}

/* Display form of a label: at most 40 characters, then an ellipsis. */
static char *
short_label(const char *s)
{
	size_t n = 0, i = 0;
	while (s[i] && n < 40) {
		i++;
		while ((s[i] & 0xc0) == 0x80)
			i++;
		n++;
	}
	struct buf b = { 0 };
	buf_add(&b, s, i);
	if (s[i])
		buf_adds(&b, "\xe2\x80\xa6");
	return buf_cstr(&b);
}

struct fig {
	cairo_t *cr;
	double w, h;                 /* in points */
	double left, right, top, bottom;
	double ylo, yhi, xlo, xhi;
};

static double
px(const struct fig *f, double x)
{
	return f->left + (x - f->xlo) / (f->xhi - f->xlo) * (f->right - f->left);
}

static double
py(const struct fig *f, double y)
{
	return f->bottom - (y - f->ylo) / (f->yhi - f->ylo) * (f->bottom - f->top);
}

static void
font(cairo_t *cr, double size, int bold)
{
	cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
	    bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
}

/* Draws text anchored at (x, y): ha 0 left, 0.5 centre, 1 right; va likewise
 * 0 top, 0.5 middle, 1 baseline-ish bottom; rotated by deg. */
static void
text(cairo_t *cr, const char *s, double x, double y, double ha, double va, double deg)
{
	cairo_text_extents_t e;
	cairo_font_extents_t fe;
	cairo_text_extents(cr, s, &e);
	cairo_font_extents(cr, &fe);
	cairo_save(cr);
	cairo_translate(cr, x, y);
	cairo_rotate(cr, -deg * M_PI / 180);
	cairo_move_to(cr, -ha * e.x_advance, fe.ascent - va * (fe.ascent + fe.descent));
	cairo_show_text(cr, s);
	cairo_restore(cr);
}

static double
text_width(cairo_t *cr, const char *s)
{
	cairo_text_extents_t e;
	cairo_text_extents(cr, s, &e);
	return e.x_advance;
}

/* Axes frame, y ticks and grid, labels and title; x ticks are the caller's. */
static void
axes(struct fig *f, const char *title, const char *xlabel, const char *ylabel, int xgrid)
{
	cairo_t *cr = f->cr;
	double t[64];
	char buf[64];
	int n = ticks(f->ylo, f->yhi, t, 64);
	double tw = 0;
	cairo_set_line_width(cr, 0.5);
	font(cr, 9, 0);
	for (int i = 0; i < n; i++) {
		tick_text(buf, sizeof buf, t[i]);
		tw = fmax(tw, text_width(cr, buf));
		cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
		cairo_move_to(cr, f->left, py(f, t[i]));
		cairo_line_to(cr, f->right, py(f, t[i]));
		cairo_stroke(cr);
		cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
		tick_text(buf, sizeof buf, t[i]);
		text(cr, buf, f->left - 6, py(f, t[i]), 1, 0.5, 0);
	}
	if (xgrid) {
		n = ticks(f->xlo, f->xhi, t, 64);
		for (int i = 0; i < n; i++) {
			cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
			cairo_move_to(cr, px(f, t[i]), f->top);
			cairo_line_to(cr, px(f, t[i]), f->bottom);
			cairo_stroke(cr);
			cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
			tick_text(buf, sizeof buf, t[i]);
			text(cr, buf, px(f, t[i]), f->bottom + 5, 0.5, 0, 0);
		}
	}
	cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
	cairo_set_line_width(cr, 0.8);
	cairo_rectangle(cr, f->left, f->top, f->right - f->left, f->bottom - f->top);
	cairo_stroke(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	if (title) {
		font(cr, 13, 1);
		text(cr, title, (f->left + f->right) / 2, 12, 0.5, 0, 0);
	}
	font(cr, 10.5, 0);
	if (ylabel)
		text(cr, ylabel, fmax(14, f->left - tw - 24), (f->top + f->bottom) / 2, 0.5, 0.5, 90);
	if (xlabel)
		text(cr, xlabel, (f->left + f->right) / 2, f->h - 10, 0.5, 1, 0);
}

static void
circle(cairo_t *cr, double x, double y, double r)
{
	cairo_new_sub_path(cr);
	cairo_arc(cr, x, y, r, 0, 2 * M_PI);
}

static void
hline(struct fig *f, double y, double r, double g, double b, int dashed)
{
	static const double dash[] = { 5, 3 };
	cairo_t *cr = f->cr;
	cairo_save(cr);
	cairo_set_source_rgb(cr, r, g, b);
	cairo_set_line_width(cr, 1.2);
	if (dashed)
		cairo_set_dash(cr, dash, 2, 0);
	cairo_move_to(cr, f->left, py(f, y));
	cairo_line_to(cr, f->right, py(f, y));
	cairo_stroke(cr);
	cairo_restore(cr);
}

/* The y range of the data, padded 5% as matplotlib pads. */
static void
range_pad(double lo, double hi, double *plo, double *phi)
{
	if (!isfinite(lo) || !isfinite(hi)) {
		lo = 0;
		hi = 1;
	}
	if (hi - lo < 1e-12) {
		lo -= 0.5;
		hi += 0.5;
	}
	double pad = (hi - lo) * 0.05;
	*plo = lo - pad;
	*phi = hi + pad;
}

static void
png_fail(png_structp png, png_const_charp msg)
{
	png_longjmp(png, 1);   /* reported by write_png's caller as a write error */
}

static void
png_warn(png_structp png, png_const_charp msg)
{
}

/* Writes the opaque image surf as an 8-bit RGB PNG that says its DPI.
 * cairo's own writer tries every row filter on every row and took two thirds
 * of a small plot's time; one filter (up: a plot's columns repeat) at zlib
 * level 5 takes a fifth of that and the file is a little smaller. */
static cairo_status_t
write_png(cairo_surface_t *surf, const char *path, double dpi)
{
	int w = cairo_image_surface_get_width(surf), h = cairo_image_surface_get_height(surf);
	int stride = cairo_image_surface_get_stride(surf);
	const unsigned char *data = cairo_image_surface_get_data(surf);
	FILE *f = fopen(path, "wb");
	if (!f)
		return CAIRO_STATUS_WRITE_ERROR;
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, png_fail, png_warn);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	png_bytep row = emalloc(3 * (size_t)w);
	volatile int ok = 0;   /* (kept across the longjmp of an error) */
	if (info && !setjmp(png_jmpbuf(png))) {
		png_init_io(png, f);
		png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
		    PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
		png_uint_32 ppm = (png_uint_32)lround(dpi / 0.0254);
		png_set_pHYs(png, info, ppm, ppm, PNG_RESOLUTION_METER);
		png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_UP);
		png_set_compression_level(png, 5);
		png_write_info(png, info);
		for (int y = 0; y < h; y++) {
			/* CAIRO_FORMAT_RGB24: a native-endian 32-bit xRGB word per pixel */
			const uint32_t *px = (const uint32_t *)(data + (size_t)y * (size_t)stride);
			for (int x = 0; x < w; x++) {
				row[3 * x] = (png_byte)(px[x] >> 16);
				row[3 * x + 1] = (png_byte)(px[x] >> 8);
				row[3 * x + 2] = (png_byte)px[x];
			}
			png_write_row(png, row);
		}
		png_write_end(png, NULL);
		ok = 1;
	}
	png_destroy_write_struct(&png, &info);
	free(row);
	if (fclose(f) != 0)
		ok = 0;
	return ok ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

static void
stats_line(struct buf *b, const char *k, double v)
{
	buf_printf(b, ",\"%s\":", k);
	buf_num(b, v);
}

/* The width of the widest y tick label, in the tick font (9 pt, left set). */
static double
ytick_width(const struct fig *f)
{
	double t[64], w = 0;
	char tb[64];
	font(f->cr, 9, 0);
	int nt = ticks(f->ylo, f->yhi, t, 64);
	for (int i = 0; i < nt; i++) {
		tick_text(tb, sizeof tb, t[i]);
		w = fmax(w, text_width(f->cr, tb));
	}
	return w;
}

/* The options: what to draw and how. */
static struct {
	const char *by, *value, *xe, *ye, *truth, *pred, *out, *title, *xlabel, *ylabel, *order;
	double wi, hi, dpi, jitter, hl, ylo, yhi;
	int verb, points, identity, want_stats;
} opt = { .truth = ".grade", .pred = ".predicted_score", .wi = 10, .hi = 6, .dpi = 150, .hl = NAN, .ylo = NAN, .yhi = NAN };

/* Reads every record into its series (the group of eg, else one). */
static void
read_series(struct reader *rd, struct expr *eg, struct expr *ea, struct expr *eb, unsigned long *nfail,
    unsigned long *nmissing)
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
		if (eg && expr_json(eg, &r, &parsed, &key) < 0) {
			(*nfail)++;
			jv_free(parsed);
			continue;
		}
		struct series *s = series_get(eg ? buf_cstr(&key) : "\"\"");
		double x, y = 0;
		int ka = expr_number(ea, &r, &parsed, &x);
		int kb = eb ? expr_number(eb, &r, &parsed, &y) : 1;
		if (ka < 0 || kb < 0)
			(*nfail)++;
		if (ka == 1 && kb == 1)
			series_add(s, x, y);
		else {
			s->missing++;
			(*nmissing)++;
		}
		jv_free(parsed);
	}
	free(key.p);
}

/* The figure's surface, of the kind the extension names, painted white;
 * sets f's size and cairo context. */
static cairo_surface_t *
open_surface(struct fig *f, const char *ext)
{
	f->w = opt.wi * 72;
	f->h = opt.hi * 72;
	cairo_surface_t *surf;
	if (strcmp(ext, ".png") == 0) {
		surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)lround(opt.wi * opt.dpi), (int)lround(opt.hi * opt.dpi));
	} else if (strcmp(ext, ".svg") == 0) {
		surf = cairo_svg_surface_create(opt.out, f->w, f->h);
	} else {
		surf = cairo_pdf_surface_create(opt.out, f->w, f->h);
		/* fixed dates, so the same input gives the same bytes */
		cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATE_DATE, "2000-01-01T00:00:00Z");
		cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_MOD_DATE, "2000-01-01T00:00:00Z");
		cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATOR, "pt-plot " PT_VERSION);
		if (opt.title)
			cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE, opt.title);
	}
	if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
		/* a writer that cannot start: nothing drawn, the cleanup below still runs */
		fprintf(stderr, "%s: %s: %s\n", progname, opt.out, cairo_status_to_string(cairo_surface_status(surf)));
		exit(PT_EXIT_WRITE);
	}
	cairo_t *cr = f->cr = cairo_create(surf);
	if (strcmp(ext, ".png") == 0)
		cairo_scale(cr, opt.dpi / 72, opt.dpi / 72);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	f->top = opt.title ? 34 : 14;
	f->right = f->w - 16;
	return surf;
}

/* box: matplotlib's boxes, one per series, with the --stats lines;
 * -1 when the labels leave no room. */
static int
draw_boxes(struct fig *f, gsl_rng *rng, struct buf *st)
{
	cairo_t *cr = f->cr;
	struct boxstats *bs = emalloc((nser ? nser : 1) * sizeof *bs);
	double lo = INFINITY, hiv = -INFINITY;
	pthread_t odd;
	int two = nser > 1 && pthread_create(&odd, NULL, odd_boxes, bs) == 0;
	for (size_t i = 0; i < nser; i += two ? 2 : 1)
		box_stats(ser[i].x, ser[i].n, &bs[i]);
	if (two)
		pthread_join(odd, NULL);
	for (size_t i = 0; i < nser; i++) {
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
	/* labels: rotated 45° when they would not fit flat, never clipped */
	double slot_guess = (f->w - 80) / (nser ? nser : 1);
	double fs = slot_guess < 14 ? fmax(4, slot_guess * 0.7) : 9.5;
	font(cr, fs, 0);
	char **shown = emalloc((nser ? nser : 1) * sizeof *shown);
	double maxw = 0;
	for (size_t i = 0; i < nser; i++) {
		shown[i] = short_label(ser[i].label);
		maxw = fmax(maxw, text_width(cr, shown[i]));
	}
	int rotate = maxw > slot_guess * 0.9;
	double lab_h = rotate ? maxw * sin(M_PI / 4) + fs : fs * 1.4;
	char tb[64];
	f->left = (opt.ylabel ? 30 : 12) + ytick_width(f) + 8;
	/* a rotated first label reaches left of its box: make room */
	if (rotate && nser)
		f->left = fmax(f->left, maxw * cos(M_PI / 4) - (f->w - f->left - 16) / nser / 2 + 8);
	f->bottom = f->h - (opt.xlabel ? 24 : 8) - lab_h - 16;
	if (f->bottom - f->top < 40) {
		fprintf(stderr, "%s: the group labels leave no room for the plot; use a larger --size\n", progname);
		return PT_EXIT_USAGE;
	}
	f->xlo = 0.5;
	f->xhi = nser + 0.5;
	axes(f, opt.title, opt.xlabel, opt.ylabel, 0);
	if (isfinite(opt.hl))
		hline(f, opt.hl, 0.35, 0.35, 0.35, 1);
	double slot = (f->right - f->left) / (nser ? nser : 1), bw = fmin(slot * 0.5, 60);
	for (size_t i = 0; i < nser; i++) {
		const struct boxstats *b = &bs[i];
		const double *col = palette[i % NPAL];
		double cx = px(f, (double)i + 1);
		/* tick label and n */
		cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
		font(cr, fs, 0);
		if (rotate)
			text(cr, shown[i], cx + fs * 0.3, f->bottom + 16, 1, 0, 45);
		else
			text(cr, shown[i], cx, f->bottom + 16, 0.5, 0, 0);
		font(cr, fmin(fs, 8), 0);
		cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
		snprintf(tb, sizeof tb, "n=%zu", ser[i].n);
		text(cr, tb, cx, f->bottom + 4, 0.5, 0, 0);
		if (ser[i].n == 0)
			continue;
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
		if (opt.points) {
			cairo_set_source_rgba(cr, col[0] * 0.7, col[1] * 0.7, col[2] * 0.7, 0.5);
			for (size_t k = 0; k < ser[i].n; k++)
				circle(cr, cx + (gsl_rng_uniform(rng) - 0.5) * bw * 0.8, py(f, ser[i].x[k]), 1.6);
			cairo_fill(cr);
		}
	}
	for (size_t i = 0; i < nser && opt.want_stats; i++) {
		const struct boxstats *b = &bs[i];
		st->len = 0;
		buf_adds(st, "{\"label\":");
		json_quote(st, ser[i].label, strlen(ser[i].label));
		buf_printf(st, ",\"n\":%zu,\"n_missing\":%zu", ser[i].n, ser[i].missing);
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
	for (size_t i = 0; i < nser; i++) {
		free(bs[i].fliers);
		free(shown[i]);
	}
	free(bs);
	free(shown);
	return 0;
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
		for (size_t i = 0; i < nser; i++)
			ntot += ser[i].n;
		double *d = emalloc((ntot ? ntot : 1) * sizeof *d);
		size_t nd = 0;
		for (size_t i = 0; i < nser; i++)
			for (size_t k = 0; k < ser[i].n; k++) {
				double t0 = ser[i].x[k], p0 = ser[i].y[k];
				ser[i].x[k] = (t0 + p0) / 2;
				ser[i].y[k] = d[nd++] = p0 - t0;
			}
		bias = ntot ? gsl_stats_mean(d, 1, ntot) : NAN;
		sd = ntot > 1 ? gsl_stats_sd_m(d, 1, ntot, bias) : NAN;
		free(d);
	}
	for (size_t i = 0; i < nser; i++)
		for (size_t k = 0; k < ser[i].n; k++) {
			xl = fmin(xl, ser[i].x[k]);
			xh = fmax(xh, ser[i].x[k]);
			yl = fmin(yl, ser[i].y[k]);
			yh = fmax(yh, ser[i].y[k]);
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
	char tb[64];
	if (!opt.xlabel)
		opt.xlabel = opt.verb == BA ? "mean of truth and prediction" : NULL;
	if (!opt.ylabel)
		opt.ylabel = opt.verb == BA ? "prediction \xe2\x88\x92 truth" : NULL;
	f->left = (opt.ylabel ? 30 : 12) + ylw + 8;
	f->bottom = f->h - (opt.xlabel ? 28 : 10) - 16;
	/* the legend, right of the plot, when there are groups */
	int legend = opt.by && nser > 0;
	double legw = 0;
	if (legend) {
		font(cr, 9, 0);
		for (size_t i = 0; i < nser; i++) {
			char *sl = short_label(ser[i].label);
			legw = fmax(legw, text_width(cr, sl));
			free(sl);
		}
		f->right = f->w - legw - 40;
	}
	axes(f, opt.title, opt.xlabel, opt.ylabel, 1);
	cairo_save(cr);
	cairo_rectangle(cr, f->left, f->top, f->right - f->left, f->bottom - f->top);
	cairo_clip(cr);
	if (opt.identity) {
		static const double dash[] = { 5, 3 };
		cairo_save(cr);
		cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
		cairo_set_dash(cr, dash, 2, 0);
		cairo_set_line_width(cr, 1);
		double a = fmax(f->xlo, f->ylo), b = fmin(f->xhi, f->yhi);
		cairo_move_to(cr, px(f, a), py(f, a));
		cairo_line_to(cr, px(f, b), py(f, b));
		cairo_stroke(cr);
		cairo_restore(cr);
	}
	if (opt.verb == BA && isfinite(bias)) {
		hline(f, bias, 0.1, 0.1, 0.1, 0);
		if (isfinite(sd)) {
			hline(f, bias + 1.96 * sd, 0.835, 0.369, 0, 1);
			hline(f, bias - 1.96 * sd, 0.835, 0.369, 0, 1);
		}
	}
	if (isfinite(opt.hl))
		hline(f, opt.hl, 0.35, 0.35, 0.35, 1);
	double alpha = ntot > 2000 || (opt.verb == SCATTER && nser && ser[0].n > 2000) ? 0.35 : 0.7;
	for (size_t i = 0; i < nser; i++) {
		const double *col = palette[i % NPAL];
		cairo_set_source_rgba(cr, col[0], col[1], col[2], alpha);
		for (size_t k = 0; k < ser[i].n; k++) {
			double jx = opt.jitter ? (gsl_rng_uniform(rng) * 2 - 1) * opt.jitter : 0;
			double jy = opt.jitter ? (gsl_rng_uniform(rng) * 2 - 1) * opt.jitter : 0;
			circle(cr, px(f, ser[i].x[k] + jx), py(f, ser[i].y[k] + jy), 2.6);
		}
		cairo_fill(cr);
	}
	cairo_restore(cr);
	if (opt.verb == BA && isfinite(bias)) {
		/* the lines' values, at the right edge */
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
	if (legend) {
		font(cr, 9, 0);
		for (size_t i = 0; i < nser; i++) {
			const double *col = palette[i % NPAL];
			double y0 = f->top + 8 + 14 * (double)i;
			if (y0 > f->bottom)
				break;
			cairo_set_source_rgb(cr, col[0], col[1], col[2]);
			circle(cr, f->right + 14, y0, 3.5);
			cairo_fill(cr);
			cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
			char *sl = short_label(ser[i].label);
			text(cr, sl, f->right + 22, y0, 0, 0.5, 0);
			free(sl);
		}
	}
	if (opt.want_stats) {
		if (opt.verb == BA) {
			st->len = 0;
			buf_printf(st, "{\"n\":%zu", ntot);
			stats_line(st, "bias", bias);
			stats_line(st, "sd", sd);
			stats_line(st, "loa_low", bias - 1.96 * sd);
			stats_line(st, "loa_high", bias + 1.96 * sd);
			buf_addc(st, '}');
			out_line(st->p, st->len);
		} else
			for (size_t i = 0; i < nser; i++) {
				double a = INFINITY, b = -INFINITY, c2 = INFINITY, d = -INFINITY;
				for (size_t k = 0; k < ser[i].n; k++) {
					a = fmin(a, ser[i].x[k]);
					b = fmax(b, ser[i].x[k]);
					c2 = fmin(c2, ser[i].y[k]);
					d = fmax(d, ser[i].y[k]);
				}
				st->len = 0;
				buf_adds(st, "{\"label\":");
				json_quote(st, ser[i].label, strlen(ser[i].label));
				buf_printf(st, ",\"n\":%zu,\"n_missing\":%zu", ser[i].n, ser[i].missing);
				stats_line(st, "x_min", a);
				stats_line(st, "x_max", b);
				stats_line(st, "y_min", c2);
				stats_line(st, "y_max", d);
				buf_addc(st, '}');
				out_line(st->p, st->len);
			}
	}
}

/* --order: those groups take the first places, in that order. */
static void
order_first(const char *order)
{
	char *o = estrdup(order);
	for (char *t = strtok(o, ","); t; t = strtok(NULL, ",")) {
		struct buf k = { 0 };
		json_quote(&k, t, strlen(t));
		series_get(buf_cstr(&k));
		free(k.p);
	}
	free(o);
}

/* Writes the figure out (PNG by libpng, SVG and PDF by cairo); the exit status. */
static int
close_surface(cairo_surface_t *surf, const char *ext)
{
	cairo_status_t cs;
	if (strcmp(ext, ".png") == 0)
		cs = write_png(surf, opt.out, opt.dpi);
	else {
		cairo_surface_finish(surf);
		cs = cairo_surface_status(surf);
	}
	cairo_surface_destroy(surf);
	if (cs == CAIRO_STATUS_SUCCESS)
		return PT_EXIT_OK;
	fprintf(stderr, "%s: %s: %s\n", progname, opt.out, cairo_status_to_string(cs));
	return PT_EXIT_WRITE;
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

	static const char *const verbs[] = { "box", "scatter", "bland-altman", NULL };   /* BOX, SCATTER, BA */
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
	if (!opt.out)
		usage_error("missing -o FILE (.png, .svg or .pdf)");
	const char *ext = strrchr(opt.out, '.');
	if (!ext || (strcmp(ext, ".png") && strcmp(ext, ".svg") && strcmp(ext, ".pdf")))
		usage_error("-o %s: the name must end in .png, .svg or .pdf", opt.out);
	if (opt.verb == BOX && (!opt.by || !opt.value))
		usage_error("box needs --by and --value");
	if (opt.verb == SCATTER && (!opt.xe || !opt.ye))
		usage_error("scatter needs --x and --y");
	if (opt.wi * opt.dpi > 30000 || opt.hi * opt.dpi > 30000)
		usage_error("--size × --dpi is over 30000 pixels");

	struct expr *eg = opt.by ? expr_new(opt.by, jv_copy(args), "--by") : NULL;
	struct expr *ea = expr_new(opt.verb == BOX ? opt.value : opt.verb == SCATTER ? opt.xe : opt.truth, jv_copy(args),
	    opt.verb == BOX ? "--value" : opt.verb == SCATTER ? "--x" : "--truth");
	struct expr *eb = opt.verb == BOX ? NULL : expr_new(opt.verb == SCATTER ? opt.ye : opt.pred, jv_copy(args),
	    opt.verb == SCATTER ? "--y" : "--pred");
	jv_free(args);

	if (opt.order)
		order_first(opt.order);
	struct reader *rd = rdr_open(argv + optind, argc - optind);
	rdr_threaded(rd);
	unsigned long nfail = 0, nmissing = 0;
	read_series(rd, eg, ea, eb, &nfail, &nmissing);
	int nbadin = rdr_failed(rd);

	/* The figure, drawn in points on a surface of the right kind. */
	struct fig f = { 0 };
	cairo_surface_t *surf = open_surface(&f, ext);
	cairo_t *cr = f.cr;
	struct buf st = { 0 };
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, 0);   /* jitter is deterministic */

	if (opt.verb == BOX ? draw_boxes(&f, rng, &st) < 0 : (draw_points(&f, rng, &st), 0))
		return PT_EXIT_USAGE;
	gsl_rng_free(rng);
	cairo_destroy(cr);
	int rc = close_surface(surf, ext);
	out_close();
	if (nmissing)
		fprintf(stderr, "%s: %lu record%s with a missing or non-numeric value (not drawn)\n",
		    progname, nmissing, nmissing == 1 ? "" : "s");
	for (size_t i = 0; i < nser; i++) {
		free(ser[i].label);
		free(ser[i].x);
		free(ser[i].y);
	}
	free(ser);
	strmap_free(&index_of);
	free(st.p);
	expr_free(eg);
	expr_free(ea);
	expr_free(eb);
	rdr_close(rd);
	/* release the font caches, so a leak report means a leak of ours */
	cairo_debug_reset_static_data();
	FcFini();
	return rc == PT_EXIT_OK ? fail_summary(nfail, nbadin) : rc;
}
