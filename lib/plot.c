/* plot.c: the drawing kit of pt-plot: figures, axes, ticks, text, legends,
 * and their output as PNG (libpng), SVG and PDF (cairo), whole or not at all. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <png.h>

#include "stats.h"
#include "plot.h"

const double plot_palette[PLOT_NPAL][3] = {
	{ 0.000, 0.447, 0.698 }, { 0.902, 0.624, 0.000 }, { 0.000, 0.620, 0.451 }, { 0.835, 0.369, 0.000 },
	{ 0.337, 0.706, 0.914 }, { 0.800, 0.475, 0.655 }, { 0.941, 0.894, 0.259 }, { 0.0, 0.0, 0.0 },
};

/* "Nice" tick positions covering [lo, hi]: steps of 1, 2, 2.5 or 5 × 10^k. */
int
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
char *
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

double
px(const struct fig *f, double x)
{
	return f->left + (x - f->xlo) / (f->xhi - f->xlo) * (f->right - f->left);
}

double
py(const struct fig *f, double y)
{
	return f->bottom - (y - f->ylo) / (f->yhi - f->ylo) * (f->bottom - f->top);
}

void
font(cairo_t *cr, double size, int bold)
{
	cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
	    bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
}

/* Draws text anchored at (x, y): ha 0 left, 0.5 centre, 1 right; va likewise
 * 0 top, 0.5 middle, 1 baseline-ish bottom; rotated by deg. */
void
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

double
text_width(cairo_t *cr, const char *s)
{
	cairo_text_extents_t e;
	cairo_text_extents(cr, s, &e);
	return e.x_advance;
}

/* Axes frame, y ticks and grid, labels and title; x ticks are the caller's. */
void
axes(struct fig *f, const char *title, const char *xlabel, const char *ylabel, int grid)
{
	cairo_t *cr = f->cr;
	double t[64];
	char buf[64];
	double tw = grid & AXES_Y ? ytick_width(f) : 0;
	int n = grid & AXES_Y ? ticks(f->ylo, f->yhi, t, 64) : 0;
	cairo_set_line_width(cr, 0.5);
	for (int i = 0; i < n; i++) {
		cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
		cairo_move_to(cr, f->left, py(f, t[i]));
		cairo_line_to(cr, f->right, py(f, t[i]));
		cairo_stroke(cr);
		cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
		tick_text(buf, sizeof buf, t[i]);
		text(cr, buf, f->left - 6, py(f, t[i]), 1, 0.5, 0);
	}
	if (grid & AXES_X) {
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

void
circle(cairo_t *cr, double x, double y, double r)
{
	cairo_new_sub_path(cr);
	cairo_arc(cr, x, y, r, 0, 2 * M_PI);
}

void
segment(cairo_t *cr, double x0, double y0, double x1, double y1, const double rgb[3], double width, int dashed)
{
	static const double dash[] = { 5, 3 };
	cairo_save(cr);
	cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
	cairo_set_line_width(cr, width);
	if (dashed)
		cairo_set_dash(cr, dash, 2, 0);
	cairo_move_to(cr, x0, y0);
	cairo_line_to(cr, x1, y1);
	cairo_stroke(cr);
	cairo_restore(cr);
}

void
hline(struct fig *f, double y, const double rgb[3], int dashed)
{
	segment(f->cr, f->left, py(f, y), f->right, py(f, y), rgb, 1.2, dashed);
}

/* The y range of the data, padded 5% as matplotlib pads. */
void
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
write_png(cairo_surface_t *surf, FILE *f, double dpi)
{
	int w = cairo_image_surface_get_width(surf), h = cairo_image_surface_get_height(surf);
	int stride = cairo_image_surface_get_stride(surf);
	const unsigned char *data = cairo_image_surface_get_data(surf);
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
	return ok ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

/* The width of the widest y tick label, in the tick font (9 pt, left set). */
double
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


/* cairo's SVG and PDF stream writer. cairo 1.16 does not always carry a
 * failed write into the surface's status (a PDF on a full disk finished
 * "successfully"), so the failure is kept in the figure too. */
static cairo_status_t
to_file(void *closure, const unsigned char *data, unsigned int len)
{
	struct fig *f = closure;
	if (fwrite(data, 1, len, f->fp) == len)
		return CAIRO_STATUS_SUCCESS;
	if (!f->werr)
		f->werr = errno ? errno : EIO;
	return CAIRO_STATUS_WRITE_ERROR;
}

static void __attribute__((noreturn))
open_failed(struct fig *f, const char *why)
{
	warn("%s: %s", f->path, why);
	if (f->fp)
		fclose(f->fp);
	temp_discard(f->tmp);
	exit(PT_EXIT_WRITE);
}

void
fig_open(struct fig *f, const char *path, double w, double h, double dpi, const char *title)
{
	memset(f, 0, sizeof *f);
	f->path = path;
	f->dpi = dpi;
	f->w = w * 72;
	f->h = h * 72;
	const char *ext = strrchr(path, '.');
	f->png = ext && strcmp(ext, ".png") == 0;
	int fd = temp_open(path, &f->tmp);
	if (fd < 0 || !(f->fp = fdopen(fd, "wb"))) {
		if (fd >= 0)
			close(fd);
		open_failed(f, strerror(errno));
	}
	if (f->png)
		f->surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)lround(w * dpi), (int)lround(h * dpi));
	else if (strcmp(ext, ".svg") == 0)
		f->surf = cairo_svg_surface_create_for_stream(to_file, f, f->w, f->h);
	else {
		f->surf = cairo_pdf_surface_create_for_stream(to_file, f, f->w, f->h);
		/* fixed dates, so the same input gives the same bytes */
		cairo_pdf_surface_set_metadata(f->surf, CAIRO_PDF_METADATA_CREATE_DATE, "2000-01-01T00:00:00Z");
		cairo_pdf_surface_set_metadata(f->surf, CAIRO_PDF_METADATA_MOD_DATE, "2000-01-01T00:00:00Z");
		cairo_pdf_surface_set_metadata(f->surf, CAIRO_PDF_METADATA_CREATOR, "pt-plot " PT_VERSION);
		if (title)
			cairo_pdf_surface_set_metadata(f->surf, CAIRO_PDF_METADATA_TITLE, title);
	}
	if (cairo_surface_status(f->surf) != CAIRO_STATUS_SUCCESS)
		open_failed(f, cairo_status_to_string(cairo_surface_status(f->surf)));
	f->cr = cairo_create(f->surf);
	if (f->png)
		cairo_scale(f->cr, dpi / 72, dpi / 72);
	cairo_set_source_rgb(f->cr, 1, 1, 1);
	cairo_paint(f->cr);
	f->top = title ? 34 : 14;
	f->right = f->w - 16;
}

int
fig_close(struct fig *f)
{
	cairo_destroy(f->cr);
	cairo_status_t cs;
	if (f->png)
		cs = write_png(f->surf, f->fp, f->dpi);
	else {
		cairo_surface_finish(f->surf);
		cs = cairo_surface_status(f->surf);
	}
	cairo_surface_destroy(f->surf);
	const char *why = cs != CAIRO_STATUS_SUCCESS ? cairo_status_to_string(cs) : NULL;
	if ((fflush(f->fp) != 0 || ferror(f->fp)) && !f->werr)
		f->werr = errno ? errno : EIO;
	if (f->werr)
		why = strerror(f->werr);
	if (!why && temp_commit(fileno(f->fp), f->tmp) != 0)
		why = strerror(errno);
	else if (why)
		temp_discard(f->tmp);
	fclose(f->fp);
	if (!why)
		return PT_EXIT_OK;
	warn("%s: %s", f->path, why);
	return PT_EXIT_WRITE;
}

void
fig_discard(struct fig *f)
{
	cairo_destroy(f->cr);
	cairo_surface_destroy(f->surf);
	fclose(f->fp);
	temp_discard(f->tmp);
}

double
legend_width(cairo_t *cr, const struct groups *gs)
{
	double w = 0;
	font(cr, 9, 0);
	for (size_t i = 0; i < gs->n; i++) {
		char *sl = short_label(gs->g[i].label);
		w = fmax(w, text_width(cr, sl));
		free(sl);
	}
	return w + 40;
}

void
legend(struct fig *f, const struct groups *gs)
{
	cairo_t *cr = f->cr;
	font(cr, 9, 0);
	for (size_t i = 0; i < gs->n; i++) {
		const double *col = plot_palette[i % PLOT_NPAL];
		double y0 = f->top + 8 + 14 * (double)i;
		if (y0 > f->bottom)
			break;
		cairo_set_source_rgb(cr, col[0], col[1], col[2]);
		circle(cr, f->right + 14, y0, 3.5);
		cairo_fill(cr);
		cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
		char *sl = short_label(gs->g[i].label);
		text(cr, sl, f->right + 22, y0, 0, 0.5, 0);
		free(sl);
	}
}
