/* plot.h: the drawing kit of pt-plot (lib/plot.c), on cairo. A figure is
 * drawn in points (1/72 inch) with the origin top left; px/py map data
 * coordinates into the plot area [left, right] x [top, bottom]. */
#ifndef PT_PLOT_H
#define PT_PLOT_H

#include <stdio.h>
#include <cairo.h>

struct groups;

/* Okabe & Ito's colour-blind-safe palette (black last). */
#define PLOT_NPAL 8
extern const double plot_palette[PLOT_NPAL][3];

struct fig {
	cairo_t *cr;
	double w, h;                     /* in points */
	double left, right, top, bottom; /* the plot area */
	double xlo, xhi, ylo, yhi;       /* the data range it shows */
	/* the output */
	cairo_surface_t *surf;
	const char *path;
	char *tmp;                       /* the temporary file renamed to path at the end */
	FILE *fp;
	int werr;                        /* errno of a failed write, 0 while all went well */
	double dpi;
	int png;
};

/* Opens a figure of w x h inches written to path (.png at dpi, .svg or
 * .pdf), painted white, the top margin set for a title. A file that cannot
 * be started is exit 3, and leaves nothing behind. */
void fig_open(struct fig *f, const char *path, double w, double h, double dpi, const char *title);
/* Writes the figure to path: the exit status (0, or 3 said on stderr). */
int fig_close(struct fig *f);
/* Drops the figure: path is left as it was. */
void fig_discard(struct fig *f);

double px(const struct fig *f, double x);
double py(const struct fig *f, double y);
void font(cairo_t *cr, double size, int bold);   /* DejaVu Sans */
/* Text anchored at (x, y): ha 0 left, 0.5 centre, 1 right; va 0 top,
 * 0.5 middle, 1 bottom; rotated by deg. */
void text(cairo_t *cr, const char *s, double x, double y, double ha, double va, double deg);
double text_width(cairo_t *cr, const char *s);
char *short_label(const char *s);                 /* at most 40 characters, then an ellipsis */
/* "Nice" tick positions covering [lo, hi] (at most max); their count. */
int ticks(double lo, double hi, double *t, int max);
double ytick_width(const struct fig *f);          /* the widest y tick label */
/* The frame, title and axis labels, and the ticks and grid lines of the
 * axes grid names. */
enum { AXES_Y = 1, AXES_X = 2 };
void axes(struct fig *f, const char *title, const char *xlabel, const char *ylabel, int grid);
void circle(cairo_t *cr, double x, double y, double r);   /* a sub-path; the caller fills or strokes */
/* A line in points, solid or dashed (5, 3); hline: across the plot at data y. */
void segment(cairo_t *cr, double x0, double y0, double x1, double y1, const double rgb[3], double width, int dashed);
void hline(struct fig *f, double y, const double rgb[3], int dashed);
/* The range of data [lo, hi] padded 5% as matplotlib pads (a point gets ±0.5). */
void range_pad(double lo, double hi, double *plo, double *phi);
/* A legend right of the plot area, one palette dot per group label; legend_width
 * is the room it takes (set f->right = f->w - that before axes). */
double legend_width(cairo_t *cr, const struct groups *gs);
void legend(struct fig *f, const struct groups *gs);

#endif
