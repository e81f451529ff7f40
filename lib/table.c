/* table.c: rows of named cells, ranked, cut to columns, and printed as
 * NDJSON, an aligned table, CSV, TSV, Markdown, LaTeX (booktabs) or HTML. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include "table.h"

static const char *const format_names[] = { "ndjson", "table", "csv", "tsv", "md", "latex" };

int
table_format(const char *name)
{
	for (int i = 0; i < (int)(sizeof format_names / sizeof *format_names); i++)
		if (strcmp(name, format_names[i]) == 0)
			return i;
	usage_error("--format: expected ndjson, table, csv, tsv, md or latex, got '%s'", name);
}

static struct cell *
add_cell(struct row *r)
{
	r->c = erealloc(r->c, (size_t)(r->n + 1) * sizeof *r->c);
	return &r->c[r->n++];
}

void
cell_num(struct row *r, const char *name, double x)
{
	*add_cell(r) = (struct cell){ name, NULL, x };
}

void
cell_json(struct row *r, const char *name, const char *json)
{
	*add_cell(r) = (struct cell){ name, estrdup(json), 0 };
}

struct row *
table_row(struct table *t, const char *key)
{
	t->rows = erealloc(t->rows, (t->n + 1) * sizeof *t->rows);
	struct row *r = &t->rows[t->n++];
	memset(r, 0, sizeof *r);
	for (int i = 0; i < t->nby; i++) {
		const char *e = strchr(key, '\x1f');
		size_t len = e ? (size_t)(e - key) : strlen(key);
		*add_cell(r) = (struct cell){ t->by_names[i], estrndup(key, len), 0 };
		key = e ? e + 1 : key + len;
	}
	return r;
}

/* A cell as text for table, md, csv, tsv, latex and html: strings unquoted,
 * NA for null; in a table or md (read on a terminal) control characters
 * escaped as messages are, but md's line breaks and tabs (a cell is one
 * line) spaces. LaTeX and HTML escape the text as they write it. */
void
cell_text(const struct cell *c, struct buf *b, int format)
{
	int table = format == F_TABLE || format == F_MD;
	if (c->text) {
		if (*c->text == '"' && table) {
			struct buf u = { 0 };
			json_unquote(c->text, c->text + strlen(c->text), &u);
			for (size_t i = 0; format == F_MD && i < u.len; i++)
				if (u.p[i] == '\n' || u.p[i] == '\r' || u.p[i] == '\t')
					u.p[i] = ' ';
			buf_add_escaped(b, u.p, u.len);
			free(u.p);
		} else if (*c->text == '"')
			json_unquote(c->text, c->text + strlen(c->text), b);
		else if (strcmp(c->text, "null") == 0)
			buf_adds(b, "NA");
		else
			buf_adds(b, c->text);
	} else if (isnan(c->num) || !isfinite(c->num))
		buf_adds(b, "NA");
	else if (format != F_NDJSON && format != F_CSV && format != F_TSV) {
		if (c->num == floor(c->num) && fabs(c->num) < 1e15)
			buf_printf(b, "%.0f", c->num);
		else
			buf_printf(b, "%.4g", c->num);
	} else
		buf_num(b, c->num);
}

int
table_column(const struct row *r, const char *name)
{
	for (int j = 0; j < r->n; j++)
		if (strcmp(r->c[j].name, name) == 0)
			return j;
	return -1;
}

static void __attribute__((noreturn))
no_column(const struct table *t, const char *option, const char *name)
{
	struct buf b = { 0 };
	for (int j = 0; j < t->rows[0].n; j++)
		buf_printf(&b, "%s%s", j ? ", " : "", t->rows[0].c[j].name);
	usage_error("%s: no column '%s' in this table (%s)", option, name, buf_cstr(&b));
}

/* --rank [-]COLUMN: rows ordered by COLUMN (NA last; equal values in their
 * order) within each stratum (the rows that share every key but the last,
 * strata in their order), and a rank column after the keys. */
static const struct table *rank_t;
static const size_t *rank_stratum;
static int rank_col, rank_desc;

static int
cmp_rank(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	if (rank_stratum[a] != rank_stratum[b])
		return rank_stratum[a] < rank_stratum[b] ? -1 : 1;
	double x = rank_t->rows[a].c[rank_col].num, y = rank_t->rows[b].c[rank_col].num;
	if (isnan(x) != isnan(y))
		return isnan(x) ? 1 : -1;
	if (!isnan(x) && x != y)
		return (x < y) != rank_desc ? -1 : 1;
	return a < b ? -1 : 1;
}

void
table_rank(struct table *t, const char *spec)
{
	rank_desc = *spec == '-';
	const char *name = spec + rank_desc;
	if (t->n == 0)
		return;
	rank_col = table_column(&t->rows[0], name);
	if (rank_col < 0)
		no_column(t, "--rank", name);
	if (t->rows[0].c[rank_col].text)
		usage_error("--rank: '%s' is not a column of numbers", name);
	size_t n = t->n, *stratum = emalloc(n * sizeof *stratum), *order = emalloc(n * sizeof *order), nstrata = 0;
	struct strmap seen = { 0 };
	struct buf key = { 0 };
	for (size_t i = 0; i < n; i++) {
		int added;
		key.len = 0;
		for (int j = 0; j + 1 < t->nby; j++) {
			buf_adds(&key, t->rows[i].c[j].text);
			buf_addc(&key, '\x1f');
		}
		stratum[i] = *strmap_get(&seen, buf_cstr(&key), nstrata, &added);
		nstrata += (size_t)added;
		order[i] = i;
	}
	rank_t = t;
	rank_stratum = stratum;
	qsort(order, n, sizeof *order, cmp_rank);
	struct row *sorted = emalloc(n * sizeof *sorted);
	for (size_t i = 0; i < n; i++)
		sorted[i] = t->rows[order[i]];
	/* a competition rank: the position within the stratum, shared by equal values */
	size_t first = 0;
	double rank = NAN, last = NAN;
	for (size_t i = 0; i < n; i++) {
		struct row *r = &sorted[i];
		if (i && stratum[order[i]] != stratum[order[i - 1]])
			first = i;
		double x = r->c[rank_col].num;
		if (isnan(x))
			rank = NAN;
		else if (i == first || x != last)
			rank = (double)(i - first + 1);
		last = x;
		add_cell(r);
		memmove(&r->c[t->nby + 1], &r->c[t->nby], (size_t)(r->n - 1 - t->nby) * sizeof *r->c);
		r->c[t->nby] = (struct cell){ "rank", NULL, rank };
	}
	free(t->rows);
	t->rows = sorted;
	free(stratum);
	free(order);
	free(key.p);
	strmap_free(&seen);
}

/* --columns A,B,...: only those columns of every row, in that order. */
void
table_columns(struct table *t, const char *list)
{
	if (t->n == 0)
		return;
	int nsel = 0, *sel = NULL;
	for (const char *p = list;;) {
		const char *e = strchr(p, ',');
		char *name = e ? estrndup(p, (size_t)(e - p)) : estrdup(p);
		int j = table_column(&t->rows[0], name);
		if (j < 0)
			no_column(t, "--columns", name);
		for (int k = 0; k < nsel; k++)
			if (sel[k] == j)
				usage_error("--columns: '%s' named twice", name);
		free(name);
		sel = erealloc(sel, (size_t)(nsel + 1) * sizeof *sel);
		sel[nsel++] = j;
		if (!e)
			break;
		p = e + 1;
	}
	for (size_t i = 0; i < t->n; i++) {
		struct row *r = &t->rows[i];
		struct cell *c = emalloc((size_t)nsel * sizeof *c);
		for (int k = 0; k < nsel; k++) {
			c[k] = r->c[sel[k]];
			r->c[sel[k]].text = NULL;
		}
		for (int j = 0; j < r->n; j++)
			free(r->c[j].text);
		free(r->c);
		r->c = c;
		r->n = nsel;
	}
	free(sel);
}

void
table_free(struct table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		for (int j = 0; j < t->rows[i].n; j++)
			free(t->rows[i].c[j].text);
		free(t->rows[i].c);
	}
	free(t->rows);
	t->rows = NULL;
	t->n = 0;
}

void
buf_add_html(struct buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		unsigned c = p[i];
		int u = c < 0x80 ? 1 : utf8_len(p + i, p + n);
		size_t k = u > 0 ? (size_t)u : 0, j = i + 3;
		if (c == ':' && i + 3 < n && p[i + 1] == '/' && p[i + 2] == '/') {
			/* a URL's user and password: never on a page */
			while (j < n && !strchr("/?#@ \t\r\n<>\"'", p[j]))
				j++;
			if (j < n && j > i + 3 && p[j] == '@') {
				buf_adds(b, "://[credentials removed]@");
				i = j + 1;
				continue;
			}
		}
		if (c == '&')
			buf_adds(b, "&amp;");
		else if (c == '<')
			buf_adds(b, "&lt;");
		else if (c == '>')
			buf_adds(b, "&gt;");
		else if (c == '"')
			buf_adds(b, "&quot;");
		else if (c == '\'')
			buf_adds(b, "&#39;");
		else if (c == '\n' || c == '\t')
			buf_addc(b, (int)c);
		else if (c < 0x20 || c == 0x7f || k == 0)
			buf_adds(b, "\xef\xbf\xbd");
		else if (k == 3 && c == 0xe2 && p[i + 1] == 0x80 && (p[i + 2] == 0xa8 || p[i + 2] == 0xa9))
			buf_printf(b, "&#x%X;", p[i + 2] == 0xa8 ? 0x2028 : 0x2029);
		else {
			buf_add(b, p + i, k);
			i += k;
			continue;
		}
		i += k ? k : 1;
	}
}

/* LaTeX: text with its special characters as commands, control characters
 * as spaces (UTF-8 is left to the document, as pdflatex reads it). */
static void
buf_add_latex(struct buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '\\': buf_adds(b, "\\textbackslash{}"); break;
		case '~': buf_adds(b, "\\textasciitilde{}"); break;
		case '^': buf_adds(b, "\\textasciicircum{}"); break;
		case '<': buf_adds(b, "\\textless{}"); break;
		case '>': buf_adds(b, "\\textgreater{}"); break;
		case '|': buf_adds(b, "\\textbar{}"); break;
		case '&': case '%': case '$': case '#': case '_': case '{': case '}':
			buf_addc(b, '\\');
			buf_addc(b, *s);
			break;
		default: buf_addc(b, (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s);
		}
	}
}

/* The LaTeX columns: a number column's decimals (the same down the column,
 * so that right-aligned numbers align on the point), and an estimate's
 * interval, printed with it as "0.64 (0.55--0.72)". */
struct lcol {
	int skip, lo, hi, decimals, pvalue;
};

static int
is_pvalue(const char *name)
{
	size_t n = strlen(name);
	return strcmp(name, "p") == 0 || strncmp(name, "p_", 2) == 0 || (n > 2 && strcmp(name + n - 2, "_p") == 0);
}

static struct lcol *
latex_columns(const struct table *t)
{
	const struct row *r0 = &t->rows[0];
	struct lcol *lc = ecalloc((size_t)r0->n, sizeof *lc);
	for (int j = 0; j < r0->n; j++)
		lc[j].lo = lc[j].hi = -1;
	for (int j = 0; j + 1 < r0->n; j++) {
		const char *name = r0->c[j].name;
		size_t n = strlen(name);
		if (n < 6 || strcmp(name + n - 6, "ci_low") != 0 || r0->c[j].text)
			continue;
		struct buf want = { 0 };
		buf_add(&want, name, n - 3);
		buf_adds(&want, "high");
		int hi = table_column(r0, buf_cstr(&want)), est = -1;
		if (n > 7) {
			want.len = 0;
			buf_add(&want, name, n - 7);
			est = table_column(r0, buf_cstr(&want));
		} else {
			static const char *const plain[] = { "mean", "mean_diff", "estimate" };
			for (int k = 0; k < 3 && est < 0; k++)
				est = table_column(r0, plain[k]);
			if (est < 0 && j > 0)
				est = j - 1;
		}
		free(want.p);
		if (hi < 0 || est < 0 || r0->c[est].text || r0->c[hi].text || lc[est].lo >= 0)
			continue;
		lc[est].lo = j;
		lc[est].hi = hi;
		lc[j].skip = lc[hi].skip = 1;
	}
	for (int j = 0; j < r0->n; j++) {
		if (r0->c[j].text)
			continue;
		lc[j].pvalue = is_pvalue(r0->c[j].name);
		double big = 0;
		int whole = 1;
		for (size_t i = 0; i < t->n; i++) {
			int cols[3] = { j, lc[j].lo, lc[j].hi };
			for (int k = 0; k < 3; k++) {
				double x = cols[k] < 0 ? NAN : t->rows[i].c[cols[k]].num;
				if (!isfinite(x))
					continue;
				whole &= x == floor(x);
				if (fabs(x) > big)
					big = fabs(x);
			}
		}
		/* two decimals, more for small numbers (three significant digits), none for counts */
		int d = whole ? 0 : big >= 0.1 || big == 0 ? 2 : 2 - (int)floor(log10(big));
		lc[j].decimals = d > 6 ? 6 : d;
	}
	return lc;
}

static void
latex_num(struct buf *b, double x, const struct lcol *lc)
{
	if (!isfinite(x)) {
		buf_adds(b, "NA");
		return;
	}
	if (lc->pvalue && x < 0.001) {
		buf_adds(b, "$<$0.001");
		return;
	}
	struct buf t = { 0 };
	buf_printf(&t, "%.*f", lc->pvalue ? 3 : lc->decimals, x);
	const char *s = buf_cstr(&t);
	if (strspn(s, "-0.") == strlen(s))
		s += *s == '-';   /* no minus on a zero */
	if (*s == '-') {
		buf_adds(b, "$-$");
		s++;
	}
	buf_adds(b, s);
	free(t.p);
}

static void
latex_print(const struct table *t, void (*line)(void *, const char *, size_t), void *ctx)
{
	const struct row *r0 = &t->rows[0];
	struct lcol *lc = latex_columns(t);
	struct buf l = { 0 };
	buf_adds(&l, "% pt-stats --format latex; needs \\usepackage{booktabs}");
	line(ctx, l.p, l.len);
	l.len = 0;
	buf_adds(&l, "\\begin{tabular}{");
	for (int j = 0; j < r0->n; j++)
		if (!lc[j].skip)
			buf_addc(&l, r0->c[j].text ? 'l' : 'r');
	buf_addc(&l, '}');
	line(ctx, l.p, l.len);
	line(ctx, "\\toprule", 8);
	for (long i = -1; i < (long)t->n; i++) {
		l.len = 0;
		int first = 1;
		for (int j = 0; j < r0->n; j++) {
			if (lc[j].skip)
				continue;
			if (!first)
				buf_adds(&l, " & ");
			first = 0;
			if (i < 0) {
				buf_add_latex(&l, r0->c[j].name);
				if (lc[j].lo >= 0)
					buf_adds(&l, " (CI)");
				continue;
			}
			const struct cell *c = &t->rows[i].c[j];
			if (c->text) {
				struct buf s = { 0 };
				cell_text(c, &s, F_LATEX);
				buf_add_latex(&l, buf_cstr(&s));
				free(s.p);
				continue;
			}
			latex_num(&l, c->num, &lc[j]);
			if (lc[j].lo >= 0 && isfinite(c->num) && isfinite(t->rows[i].c[lc[j].lo].num)) {
				double lo = t->rows[i].c[lc[j].lo].num, hi = t->rows[i].c[lc[j].hi].num;
				buf_adds(&l, " (");
				latex_num(&l, lo, &lc[j]);
				buf_adds(&l, lo < 0 || hi < 0 ? " to " : "--");   /* no dash beside a minus */
				latex_num(&l, hi, &lc[j]);
				buf_addc(&l, ')');
			}
		}
		buf_adds(&l, " \\\\");
		line(ctx, l.p, l.len);
		if (i < 0)
			line(ctx, "\\midrule", 8);
	}
	line(ctx, "\\bottomrule", 11);
	line(ctx, "\\end{tabular}", 13);
	free(l.p);
	free(lc);
}

/* A number: a number cell, or a text cell holding a JSON number (a
 * Markdown table's, read by pt-report). */
static int
is_number(const struct cell *c)
{
	return !c->text || (*c->text != '"' && strcmp(c->text, "null") != 0 && strcmp(c->text, "true") != 0 &&
	    strcmp(c->text, "false") != 0);
}

/* HTML: a table whose number columns (class num) are set right; each
 * number's full value in data-v, for sorting. */
static void
html_print(const struct table *t, void (*line)(void *, const char *, size_t), void *ctx)
{
	const struct row *r0 = &t->rows[0];
	struct buf l = { 0 }, s = { 0 };
	buf_adds(&l, "<table><thead><tr>");
	for (int j = 0; j < r0->n; j++) {
		buf_adds(&l, is_number(&r0->c[j]) ? "<th class=\"num\">" : "<th>");
		buf_add_html(&l, r0->c[j].name, strlen(r0->c[j].name));
		buf_adds(&l, "</th>");
	}
	buf_adds(&l, "</tr></thead><tbody>");
	line(ctx, l.p, l.len);
	for (size_t i = 0; i < t->n; i++) {
		l.len = 0;
		buf_adds(&l, "<tr>");
		for (int j = 0; j < r0->n; j++) {
			const struct cell *c = &t->rows[i].c[j];
			s.len = 0;
			cell_text(c, &s, F_HTML);
			if (!is_number(c))
				buf_adds(&l, "<td>");
			else if (!c->text && !isfinite(c->num))
				buf_adds(&l, "<td class=\"num\">");
			else {
				buf_adds(&l, "<td class=\"num\" data-v=\"");
				if (c->text)
					buf_adds(&l, c->text);
				else
					buf_printf(&l, "%.17g", c->num);
				buf_adds(&l, "\">");
			}
			buf_add_html(&l, s.p, s.len);
			buf_adds(&l, "</td>");
		}
		buf_adds(&l, "</tr>");
		line(ctx, l.p, l.len);
	}
	line(ctx, "</tbody></table>", 16);
	free(l.p);
	free(s.p);
}

void
table_print(const struct table *t, int format, void (*line)(void *ctx, const char *p, size_t n), void *ctx)
{
	struct buf l = { 0 };
	if (format == F_NDJSON) {
		for (size_t i = 0; i < t->n; i++) {
			l.len = 0;
			buf_addc(&l, '{');
			for (int j = 0; j < t->rows[i].n; j++) {
				const struct cell *c = &t->rows[i].c[j];
				if (j)
					buf_addc(&l, ',');
				json_quote(&l, c->name, strlen(c->name));
				buf_addc(&l, ':');
				if (c->text)
					buf_adds(&l, c->text);
				else
					buf_num(&l, c->num);
			}
			buf_addc(&l, '}');
			line(ctx, l.p, l.len);
		}
		free(l.p);
		return;
	}
	if (t->n == 0)
		return;
	if (format == F_LATEX || format == F_HTML) {
		(format == F_LATEX ? latex_print : html_print)(t, line, ctx);
		return;
	}
	const struct row *r0 = &t->rows[0];
	int nc = r0->n;
	size_t *w = ecalloc((size_t)nc, sizeof *w);
	char ***txt = emalloc(t->n * sizeof *txt);
	for (int j = 0; j < nc; j++)
		w[j] = strlen(r0->c[j].name);
	for (size_t i = 0; i < t->n; i++) {
		txt[i] = emalloc((size_t)nc * sizeof **txt);
		for (int j = 0; j < nc; j++) {
			struct buf b = { 0 };
			cell_text(&t->rows[i].c[j], &b, format);
			txt[i][j] = buf_cstr(&b);
			if (strlen(txt[i][j]) > w[j])
				w[j] = strlen(txt[i][j]);
		}
	}
	char sep = format == F_CSV ? ',' : format == F_TSV ? '\t' : format == F_MD ? '|' : ' ';
	for (long i = -1; i < (long)t->n; i++) {
		l.len = 0;
		for (int j = 0; j < nc; j++) {
			const char *s = i < 0 ? r0->c[j].name : txt[i][j];
			if (j || format == F_MD)
				buf_addc(&l, sep);
			if (format == F_MD) {
				/* a Markdown table: | escaped, numbers set right */
				buf_addc(&l, ' ');
				for (const char *q = s; *q; q++) {
					if (*q == '|')
						buf_addc(&l, '\\');
					buf_addc(&l, *q);
				}
				buf_addc(&l, ' ');
			} else if (format == F_TABLE) {
				/* key columns left, number columns (and their names) right */
				int left = r0->c[j].text != NULL;
				size_t pad = w[j] - strlen(s);
				if (j)
					buf_addc(&l, ' ');
				if (!left)
					while (pad--)
						buf_addc(&l, ' ');
				buf_adds(&l, s);
				if (left && j < nc - 1)
					while (pad--)
						buf_addc(&l, ' ');
			} else if (format == F_CSV && strpbrk(s, ",\"\n\r")) {
				buf_addc(&l, '"');
				for (const char *p = s; *p; p++) {
					if (*p == '"')
						buf_addc(&l, '"');
					buf_addc(&l, *p);
				}
				buf_addc(&l, '"');
			} else if (format == F_TSV) {
				for (const char *p = s; *p; p++)
					buf_addc(&l, *p == '\t' || *p == '\n' || *p == '\r' ? ' ' : *p);
			} else
				buf_adds(&l, s);
		}
		if (format == F_MD) {
			buf_addc(&l, '|');
			if (i < 0) {
				line(ctx, l.p, l.len);
				l.len = 0;
				for (int j = 0; j < nc; j++)
					buf_adds(&l, r0->c[j].text ? "| --- " : "| ---: ");
				buf_addc(&l, '|');
			}
		}
		line(ctx, l.p, l.len);
	}
	for (size_t i = 0; i < t->n; i++) {
		for (int j = 0; j < nc; j++)
			free(txt[i][j]);
		free(txt[i]);
	}
	free(txt);
	free(w);
	free(l.p);
}
