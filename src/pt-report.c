/* pt-report: one self-contained HTML page from an analysis: Markdown
 * sections (a REPORT.md), their figures inline, and every graded record a
 * click away, the largest judge-physician disagreements first. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "table.h"

static void __attribute__((noreturn))
usage(void)
{
	printf("usage: pt-report [--md FILE]... [options] [-o PAGE] [FILE...]\n"
	    "Write one self-contained HTML page: the Markdown of each --md (its tables\n"
	    "sortable, its figures inline), then every graded record of FILE or standard\n"
	    "input, the largest judge-physician disagreements first, each a click away\n"
	    "from its case, answer and justification.\n"
	    "\n"
	    "  -o, --output PAGE      write the page to PAGE (whole or not at all; default stdout)\n"
	    "      --md FILE          a Markdown section (repeatable, in order); its images are\n"
	    "                         read from beside it, X.svg in place of X.png when there\n"
	    "      --title TEXT       the page's title (default: the first heading)\n"
	    "      --no-cases         no cases section (standard input is not read)\n"
	    "      --truth EXPR       the physicians' grade (default .grade)\n"
	    "      --pred EXPR        the judge's score (default .predicted_score)\n"
	    "      --task EXPR        the task (default .benchmark)\n"
	    "      --model EXPR       who answered (default .model)\n"
	    "      --judge EXPR       who judged (default: the judges' models)\n"
	    "      --status EXPR      the statuses (default: infer's and the judges')\n"
	    "      --case EXPR        the case's name (default .case_id)\n"
	    "      --text EXPR        the case's text (default: .case_vignette and .question_text)\n"
	    "      --answer EXPR      the answer (default .response)\n"
	    "      --why EXPR         the judge's justification (default .justification)\n"
	    "      --arg NAME VALUE   bind $NAME in expressions\n"
	    "      --argjson NAME JSON  bind $NAME to a JSON value\n"
	    "  -h, --help             show this help and exit\n"
	    "      --version          show the version and exit\n"
	    "\n"
	    "Exit status: 0 every record and figure read, 1 some records or figures failed,\n"
	    "2 usage error, 3 write error, 4 out of memory. See pt-report(1).\n");
	exit(PT_EXIT_OK);
}

/* The page's style and script, allowed by their hashes in the page's
 * Content-Security-Policy; nothing else may run, load or connect. */
static const char css[] =
    "body{font:15px/1.45 system-ui,\"DejaVu Sans\",sans-serif;margin:0;color:#1b1b1b;background:#fff}"
    "main{max-width:84rem;margin:0 auto;padding:.5rem 1.5rem 4rem}"
    "nav{font-size:.9rem;border-bottom:1px solid #ddd;padding-bottom:.5rem}"
    "nav ol{margin:.2rem 0;padding-left:1.3rem}"
    "h1{font-size:1.6rem}h2{border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2.2rem}"
    "table{border-collapse:collapse;margin:.8rem 0;font-size:.85rem;display:block;overflow-x:auto;max-width:100%}"
    "th,td{padding:.2rem .5rem;border-bottom:1px solid #e4e4e4;text-align:left;vertical-align:top}"
    "th{background:#f2f2f2;cursor:pointer;user-select:none}"
    ".num{text-align:right;font-variant-numeric:tabular-nums}"
    "th[aria-sort=ascending]::after{content:\" \\25B2\"}th[aria-sort=descending]::after{content:\" \\25BC\"}"
    "code{font-family:\"DejaVu Sans Mono\",monospace;font-size:.9em;background:#f3f3f3;padding:0 .2em}"
    "pre{font-family:\"DejaVu Sans Mono\",monospace;font-size:.85rem;white-space:pre-wrap;overflow-wrap:anywhere;"
    "background:#f7f7f7;padding:.5rem .7rem;max-height:28rem;overflow:auto}"
    "figure{margin:1rem 0}img{max-width:100%;height:auto}"
    ".cases{display:table;table-layout:fixed;width:100%;margin:0}.cases td{overflow-wrap:break-word}"
    ".cases td:first-child,.cases td:nth-child(n+6):not(:last-child){text-align:right}"
    ".cases col:first-child{width:5em}.cases col:nth-child(2){width:18%}.cases col:nth-child(3){width:17%}"
    ".cases col:nth-child(4){width:13%}.cases col:nth-child(5){width:7%}.cases col:nth-child(n+6){width:7em}"
    ".cases col:last-child{width:auto}"
    ".case{border-top:1px solid #eee;padding:.15rem 0}summary{cursor:pointer}.lazy{content-visibility:auto}"
    ".case:target,tr:target{background:#fff6d6}"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;margin:.3rem 0}dt{font-weight:600}dd{margin:0}"
    "form{display:flex;flex-wrap:wrap;gap:.4rem .8rem;align-items:center;margin:.6rem 0}"
    "form[hidden]{display:none}"
    "@media print{th{cursor:auto}pre{max-height:none}form{display:none}}";

static const char js[] =
    "(function(){'use strict';\n"
    "var A=Array.prototype;\n"
    "function key(td){var v=td.getAttribute('data-v');if(v!==null)return[0,parseFloat(v)];\n"
    " var t=td.textContent.trim(),x=parseFloat(t);\n"
    " if(t===''||t==='NA')return[2,''];\n"
    " if(/^[-+]?[0-9.]/.test(t)&&!isNaN(x))return[0,x];return[1,t.toLowerCase()];}\n"
    "function sortBy(table,th,col){\n"
    " var asc=th.getAttribute('aria-sort')!=='ascending';\n"
    " A.forEach.call(th.parentNode.cells,function(c){c.removeAttribute('aria-sort');});\n"
    " th.setAttribute('aria-sort',asc?'ascending':'descending');\n"
    " var bodies=table.id==='cases-table'?A.slice.call(document.querySelectorAll('table.cases tbody')):[table.tBodies[0]],\n"
    "  k=[];bodies.forEach(function(b){A.forEach.call(b.rows,function(r){k.push([key(r.cells[col]),k.length,r]);});});\n"
    " k.sort(function(a,b){if(a[0][0]!==b[0][0])return a[0][0]-b[0][0];\n"
    "  var c=a[0][1]<b[0][1]?-1:a[0][1]>b[0][1]?1:0;return(asc?c:-c)||a[1]-b[1];});\n"
    " var at=0,sizes=bodies.map(function(b){return b.rows.length;});\n"
    " bodies.forEach(function(b,i){var f=document.createDocumentFragment();\n"
    "  k.slice(at,at+sizes[i]).forEach(function(e){f.appendChild(e[2]);});at+=sizes[i];b.appendChild(f);});}\n"
    "A.forEach.call(document.querySelectorAll('main table'),function(table){\n"
    " if(!table.tHead||!table.tBodies.length)return;\n"
    " A.forEach.call(table.tHead.rows[0].cells,function(th,col){th.tabIndex=0;th.title='sort by this column';\n"
    "  th.addEventListener('click',function(){sortBy(table,th,col);});\n"
    "  th.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' '){e.preventDefault();sortBy(table,th,col);}});});});\n"
    "function openTarget(){var e=location.hash&&document.getElementById(decodeURIComponent(location.hash.slice(1)));\n"
    " if(e&&e.tagName==='DETAILS'&&!e.open){e.open=true;e.scrollIntoView();}}\n"
    "window.addEventListener('hashchange',openTarget);openTarget();\n"
    "var form=document.getElementById('filters');\n"
    "if(!form)return;\n"
    "var rows=A.slice.call(document.querySelectorAll('table.cases tbody tr')),sel=A.slice.call(form.querySelectorAll('select')),\n"
    " q=form.querySelector('input'),shown=document.getElementById('shown'),texts=null;\n"
    "sel.forEach(function(s){var col=+s.getAttribute('data-col'),seen={},vals=[];\n"
    " rows.forEach(function(r){var t=r.cells[col].textContent;if(!seen.hasOwnProperty(t)){seen[t]=1;vals.push(t);}});\n"
    " vals.sort().forEach(function(v){var o=document.createElement('option');o.value=v;o.textContent=v===''?'(none)':v;s.appendChild(o);});});\n"
    "function text(r){var a=document.getElementById(r.cells[0].firstChild.hash.slice(1));\n"
    " return(r.textContent+' '+(a?a.textContent:'')).toLowerCase();}\n"
    "function apply(){var want=q.value.trim().toLowerCase(),n=0;\n"
    " if(want&&!texts)texts=rows.map(text);\n"
    " rows.forEach(function(r,i){var ok=sel.every(function(s){return s.selectedIndex===0||\n"
    "  r.cells[+s.getAttribute('data-col')].textContent===s.value;})&&(!want||texts[i].indexOf(want)>=0);\n"
    "  r.hidden=!ok;if(ok)n++;});\n"
    " shown.textContent=n+' of '+rows.length+' shown';}\n"
    "sel.forEach(function(s){s.addEventListener('change',apply);});q.addEventListener('input',apply);\n"
    "form.hidden=false;apply();})();\n";

/* The options. */
static struct {
	const char *out, *title, *md[64];
	int nmd, no_cases;
	const char *e[10];
} opt = { .e = { ".benchmark", ".model", "[.judges[]?.model] | unique | join(\", \")",
	"[.infer.status?, .judges[]?.status] | map(select(. != null)) | unique | join(\", \")", ".case_id",
	"[.case_vignette, .question_text] | map(select(. != null and . != \"\")) | join(\"\\n\\n\")", ".response",
	".justification", ".grade", ".predicted_score" } };
/* The expressions, by role: text ones, then the two numbers. */
enum { E_TASK, E_MODEL, E_JUDGE, E_STATUS, E_CASE, E_TEXT, E_ANSWER, E_WHY, NTEXT, E_TRUTH = NTEXT, E_PRED, NEXPR };
static const char *const expr_opts[NEXPR] = { "--task", "--model", "--judge", "--status", "--case", "--text",
	"--answer", "--why", "--truth", "--pred" };

/* The cases' table comes in tables of CHUNK rows, so that a browser lays
 * out only those scrolled to (content-visibility, which a table's rows do
 * not take); their columns have the same widths (table-layout: fixed). */
enum { CHUNK = 200 };

/* One graded record. */
struct gcase {
	char *t[NTEXT];
	size_t text;   /* its case text's index in texts */
	double truth, pred, diff;
	size_t seq;
};
static struct gcase *cs;
static size_t ncs;
static struct strmap texts;   /* the distinct case texts */
static char **text_names;     /* the case's name with the first record of each text */
static unsigned long nfail, nunread, nfigfail;   /* records that failed, could not be read; figures */

/* --- helpers ------------------------------------------------------------ */

static void
base64(struct buf *b, const unsigned char *p, size_t n)
{
	buf_grow(b, 4 * ((n + 2) / 3) + 1);
	b->len += (size_t)EVP_EncodeBlock((unsigned char *)b->p + b->len, p, (int)n);
}

/* 'sha256-…' of text, for the Content-Security-Policy */
static void
csp_hash(struct buf *b, const char *text)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len;
	EVP_Digest(text, strlen(text), md, &len, EVP_sha256(), NULL);
	buf_adds(b, "'sha256-");
	base64(b, md, len);
	buf_addc(b, '\'');
}

static void
html(struct buf *b, const char *s)
{
	buf_add_html(b, s, strlen(s));
}

/* --- Markdown: the subset pt's reports are written in --------------------- */

struct md {
	struct buf *b, *nav;
	const char *file, *dir;
	long line;
	int nsec;
};

/* An image the page may embed: a relative path to a .png or .svg file
 * beneath the Markdown's folder (nothing from elsewhere on the disk, since
 * a table cell may hold a record's text). */
static int
image_ok(const char *src)
{
	size_t n = strlen(src);
	if (n < 5 || *src == '/' || strstr(src, "..") || strspn(src, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/") != n)
		return 0;
	return strcmp(src + n - 4, ".png") == 0 || strcmp(src + n - 4, ".svg") == 0;
}

/* The image as a data: URL (X.svg in place of X.png when there); 0 if it
 * cannot be read (said, counted). */
static int
image_data(struct md *m, const char *src, struct buf *b)
{
	if (!image_ok(src)) {
		warn("%s:%ld: image '%s': not a .png or .svg beside the Markdown; not embedded", m->file, m->line, src);
		nfigfail++;
		return 0;
	}
	struct buf path = { 0 };
	buf_printf(&path, "%s/%s", m->dir, src);
	size_t len;
	char *data = NULL;
	int svg = strcmp(src + strlen(src) - 4, ".svg") == 0;
	if (!svg) {
		memcpy(path.p + path.len - 4, ".svg", 4);
		if ((data = read_file(buf_cstr(&path), &len)))
			svg = 1;
		else
			memcpy(path.p + path.len - 4, ".png", 4);
	}
	if (!data && !(data = read_file(buf_cstr(&path), &len))) {
		warn("%s:%ld: image %s: %s", m->file, m->line, path.p, strerror(errno));
		nfigfail++;
		free(path.p);
		return 0;
	}
	buf_adds(b, svg ? "data:image/svg+xml;base64," : "data:image/png;base64,");
	base64(b, (const unsigned char *)data, len);
	free(data);
	free(path.p);
	return 1;
}

/* A link's target the page may hold: within the page, the web, or a
 * relative file name; never javascript: or data:. */
static int
link_ok(const char *u)
{
	if (*u == '#' || strncmp(u, "https://", 8) == 0 || strncmp(u, "http://", 7) == 0 || strncmp(u, "mailto:", 7) == 0)
		return 1;
	return *u && !strchr(u, ':');
}

/* s[0..n) up to the matching close (or n) */
static size_t
span_end(const char *s, size_t n, const char *close)
{
	const char *e = memmem(s, n, close, strlen(close));
	return e ? (size_t)(e - s) : n;
}

/* Inline Markdown: `code`, **strong**, [text](url), ![alt](src), \-escapes. */
static void
md_inline(struct md *m, const char *s, size_t n)
{
	struct buf *b = m->b;
	for (size_t i = 0; i < n;) {
		size_t k;
		if (s[i] == '\\' && i + 1 < n && strchr("\\`*_[]()#+-.!|<>", s[i + 1])) {
			buf_add_html(b, s + i + 1, 1);
			i += 2;
		} else if (s[i] == '`' && (k = span_end(s + i + 1, n - i - 1, "`")) < n - i - 1) {
			buf_adds(b, "<code>");
			buf_add_html(b, s + i + 1, k);
			buf_adds(b, "</code>");
			i += k + 2;
		} else if (s[i] == '*' && i + 1 < n && s[i + 1] == '*' && (k = span_end(s + i + 2, n - i - 2, "**")) < n - i - 2) {
			buf_adds(b, "<strong>");
			md_inline(m, s + i + 2, k);
			buf_adds(b, "</strong>");
			i += k + 4;
		} else if ((s[i] == '[' || (s[i] == '!' && i + 1 < n && s[i + 1] == '[')) &&
		    (k = span_end(s + i, n - i, "](")) < n - i && memchr(s + i + k, ')', n - i - k)) {
			int img = s[i] == '!';
			const char *text = s + i + 1 + img, *url = s + i + k + 2;
			size_t tn = (size_t)(s + i + k - text), un = span_end(url, (size_t)(s + n - url), ")");
			char *u = estrndup(url, un);
			struct buf d = { 0 };
			if (img && image_data(m, u, &d)) {
				buf_adds(b, "<img alt=\"");
				buf_add_html(b, text, tn);
				buf_adds(b, "\" src=\"");
				buf_add(b, d.p, d.len);
				buf_adds(b, "\">");
			} else if (!img && link_ok(u)) {
				buf_adds(b, "<a href=\"");
				html(b, u);
				buf_adds(b, "\">");
				md_inline(m, text, tn);
				buf_adds(b, "</a>");
			} else
				buf_add_html(b, text, tn);
			free(d.p);
			free(u);
			i = (size_t)(url + un - s) + 1;
		} else {
			for (k = i + 1; k < n && !strchr("\\`*[!", s[k]); k++)
				;
			buf_add_html(b, s + i, k - i);
			i = k;
		}
	}
}

/* A Markdown table's row: its cells, split at | not escaped. */
static int
md_cells(const char *line, char ***cells)
{
	int n = 0;
	const char *p = line + (*line == '|');
	struct buf c = { 0 };
	*cells = NULL;
	for (;; p++) {
		if (*p == '\\' && p[1] == '|') {
			buf_addc(&c, '|');
			p++;
		} else if (*p == '|' || !*p) {
			if (!*p && c.len == 0 && n > 0)
				break;
			char *t = buf_cstr(&c), *e = t + c.len;
			while (*t == ' ')
				t++;
			while (e > t && e[-1] == ' ')
				e--;
			if (e - t >= 2 && *t == '`' && e[-1] == '`' && !memchr(t + 1, '`', (size_t)(e - t - 2)))
				t++, e--;   /* a cell that is one code span: its text */
			*cells = erealloc(*cells, (size_t)(n + 1) * sizeof **cells);
			(*cells)[n++] = estrndup(t, (size_t)(e - t));
			c.len = 0;
			if (!*p)
				break;
		} else
			buf_addc(&c, *p);
	}
	free(c.p);
	return n;
}

static void
free_cells(char **cells, int n)
{
	for (int i = 0; i < n; i++)
		free(cells[i]);
	free(cells);
}

static void
add_line(void *ctx, const char *p, size_t n)
{
	buf_add(ctx, p, n);
	buf_addc(ctx, '\n');
}

/* A Markdown table (lines[0] its header, lines[1] its rule) through
 * table.c: a cell that is a number in a right-aligned column is a number. */
static void
md_table(struct md *m, char **lines, int n)
{
	char **head, **rule;
	int nc = md_cells(lines[0], &head), nr = md_cells(lines[1], &rule);
	struct table t = { 0 };
	struct buf j = { 0 };
	for (int i = 2; i < n; i++) {
		char **cells;
		int k = md_cells(lines[i], &cells);
		struct row *r = table_row(&t, "");
		for (int c = 0; c < nc; c++) {
			const char *s = c < k ? cells[c] : "";
			char *end;
			j.len = 0;
			int right = c < nr && rule[c][0] && rule[c][strlen(rule[c]) - 1] == ':';
			if (right && *s && (strtod(s, &end), !*end) && strspn(s, "-+.0123456789eE") == strlen(s))
				buf_adds(&j, s);
			else
				json_quote(&j, s, strlen(s));
			cell_json(r, head[c], buf_cstr(&j));
		}
		free_cells(cells, k);
	}
	if (t.n)
		table_print(&t, F_HTML, add_line, m->b);
	table_free(&t);
	free_cells(head, nc);
	free_cells(rule, nr);
	free(j.p);
}

static int
is_heading(const char *s)
{
	size_t h = strspn(s, "#");
	return h >= 1 && h <= 6 && s[h] == ' ';
}

static int
is_rule(const char *s)
{
	return *s == '|' && strspn(s, "|-: ") == strlen(s) && strchr(s, '-');
}

/* Renders the Markdown text into m->b, its h2 headings into m->nav. */
static void
md_render(struct md *m, char *text)
{
	char **lines = NULL;
	int n = 0;
	for (char *p = text; *p;) {
		char *e = p + strcspn(p, "\n");
		lines = erealloc(lines, (size_t)(n + 1) * sizeof *lines);
		lines[n++] = p;
		p = e + (*e != 0);
		*e = 0;
		if (e > lines[n - 1] && e[-1] == '\r')   /* CRLF */
			e[-1] = 0;
	}
	struct buf para = { 0 };
	for (int i = 0; i < n;) {
		const char *l = lines[i];
		m->line = i + 1;
		size_t h = strspn(l, "#");
		if (!*l) {
			i++;
		} else if (strncmp(l, "```", 3) == 0) {
			buf_adds(m->b, "<pre>");
			for (i++; i < n && strncmp(lines[i], "```", 3) != 0; i++) {
				html(m->b, lines[i]);
				buf_addc(m->b, '\n');
			}
			buf_adds(m->b, "</pre>\n");
			i++;
		} else if (is_heading(l)) {
			buf_printf(m->b, "<h%zu", h);
			if (h == 2) {
				buf_printf(m->b, " id=\"s%d\"", ++m->nsec);
				buf_printf(m->nav, "<li><a href=\"#s%d\">", m->nsec);
				html(m->nav, l + h + 1);
				buf_adds(m->nav, "</a></li>");
			}
			buf_addc(m->b, '>');
			md_inline(m, l + h + 1, strlen(l + h + 1));
			buf_printf(m->b, "</h%zu>\n", h);
			i++;
		} else if (*l == '|' && i + 1 < n && is_rule(lines[i + 1])) {
			int k = i + 2;
			while (k < n && *lines[k] == '|')
				k++;
			md_table(m, lines + i, k - i);
			i = k;
		} else if (strncmp(l, "- ", 2) == 0 || strncmp(l, "* ", 2) == 0) {
			buf_adds(m->b, "<ul>\n");
			while (i < n && (strncmp(lines[i], "- ", 2) == 0 || strncmp(lines[i], "* ", 2) == 0)) {
				para.len = 0;
				buf_adds(&para, lines[i] + 2);
				for (i++; i < n && lines[i][0] == ' ' && lines[i][strspn(lines[i], " ")]; i++) {
					buf_addc(&para, '\n');
					buf_adds(&para, lines[i] + strspn(lines[i], " "));
				}
				buf_adds(m->b, "<li>");
				md_inline(m, para.p, para.len);
				buf_adds(m->b, "</li>\n");
			}
			buf_adds(m->b, "</ul>\n");
		} else {
			para.len = 0;
			/* up to a blank line or the start of another block (the first line is the paragraph's) */
			for (int first = 1; i < n && *lines[i] && (first || !((*lines[i] == '|' && i + 1 < n && is_rule(lines[i + 1])) ||
			     strncmp(lines[i], "- ", 2) == 0 || strncmp(lines[i], "```", 3) == 0 || is_heading(lines[i]))); i++, first = 0) {
				if (para.len)
					buf_addc(&para, '\n');
				buf_adds(&para, lines[i]);
			}
			int fig = para.len > 4 && strncmp(para.p, "![", 2) == 0 && para.p[para.len - 1] == ')' &&
			    !memchr(para.p, '\n', para.len);
			buf_adds(m->b, fig ? "<figure>" : "<p>");
			md_inline(m, para.p, para.len);
			buf_adds(m->b, fig ? "</figure>\n" : "</p>\n");
		}
	}
	free(para.p);
	free(lines);
}

/* --- the cases ---------------------------------------------------------- */

/* The first output of e on r as display text: a string's text, anything
 * else as JSON, nothing for null. 0, or -1 on an error (said). */
static int
expr_text(struct expr *e, const struct rec *r, jv *parsed, struct buf *out)
{
	struct buf j = { 0 };
	int rc = expr_json(e, r, parsed, &j);
	out->len = 0;
	if (rc == 0 && *buf_cstr(&j) == '"') {
		struct buf u = { 0 };
		json_unquote(j.p, j.p + j.len, &u);
		for (size_t i = 0; i < u.len; i++)   /* a NUL (kept in a C string) as U+FFFD */
			if (u.p[i])
				buf_addc(out, u.p[i]);
			else
				buf_adds(out, "\xef\xbf\xbd");
		free(u.p);
	} else if (rc == 0 && strcmp(j.p, "null") != 0)
		buf_add(out, j.p, j.len);
	free(j.p);
	return rc;
}

static void
read_cases(char **files, int nfiles, struct expr **ex, int *nbadin)
{
	struct reader *rd = rdr_open(files, nfiles);
	struct rec r;
	struct buf t = { 0 };
	while (rdr_next(rd, &r) == RDR_REC) {
		if (!rec_usable(&r)) {
			nfail++;
			nunread++;
			continue;
		}
		jv parsed = jv_invalid();
		struct gcase c = { .seq = ncs };
		int bad = 0;
		for (int k = 0; k < NTEXT; k++) {
			bad |= expr_text(ex[k], &r, &parsed, &t) < 0;
			c.t[k] = estrdup(buf_cstr(&t));
		}
		double *x[2] = { &c.truth, &c.pred };
		for (int k = 0; k < 2; k++) {
			int got = expr_number(ex[E_TRUTH + k], &r, &parsed, x[k]);
			bad |= got < 0;
			if (got != 1)
				*x[k] = NAN;
		}
		jv_free(parsed);
		nfail += (unsigned long)bad;
		c.diff = c.pred - c.truth;
		int added;
		c.text = *strmap_get(&texts, c.t[E_TEXT], texts.n, &added);
		if (added) {
			text_names = erealloc(text_names, texts.n * sizeof *text_names);
			text_names[c.text] = estrdup(c.t[E_CASE]);
		}
		free(c.t[E_TEXT]);
		c.t[E_TEXT] = NULL;
		cs = erealloc(cs, (ncs + 1) * sizeof *cs);
		cs[ncs++] = c;
	}
	free(t.p);
	*nbadin = rdr_failed(rd);
	rdr_close(rd);
}

/* The largest |judge - physicians| first; those without both last; else in input order. */
static int
cmp_case(const void *pa, const void *pb)
{
	const struct gcase *a = pa, *b = pb;
	double x = fabs(a->diff), y = fabs(b->diff);
	if (isnan(x) != isnan(y))
		return isnan(x) ? 1 : -1;
	if (!isnan(x) && x != y)
		return x > y ? -1 : 1;
	return a->seq < b->seq ? -1 : 1;
}

/* A number's cell: its shortest exact text, which the script sorts by. */
static void
num_cell(struct buf *b, double x)
{
	char t[32];
	buf_adds(b, "<td>");
	if (!isnan(x) && num_fmt(t, sizeof t, x) > 0)
		buf_adds(b, t);
}

/* The cases' table, one short row each (end tags left out, as HTML
 * allows), then each answer and each case text in a closed <details>: a
 * 20,000-record page parses fast and lays out only what is opened (a link
 * to one opens it). */
static void
write_cases(struct buf *b, struct buf *nav)
{
	static const char *const head[] = { "#", "task", "model", "judge", "status", "physicians", "judge score",
		"judge \xe2\x88\x92 physicians", "case" };
	size_t both = 0;
	for (size_t i = 0; i < ncs; i++)
		both += !isnan(cs[i].diff);
	buf_adds(nav, "<li><a href=\"#cases\">Every graded case</a></li>");
	buf_printf(b, "<h2 id=\"cases\">Every graded case</h2>\n<p>%zu records, %zu with both a physicians' grade "
	    "and a judge's score; the largest disagreements first. Each row's number opens its answer and the "
	    "judge's justification, each case's name the case.</p>\n", ncs, both);
	if (nunread)
		buf_printf(b, "<p><strong>%lu input record%s could not be read</strong> (each said on standard error with "
		    "its file and line): not in this table.</p>\n", nunread, nunread == 1 ? "" : "s");
	buf_adds(b, "<form id=\"filters\" hidden>");
	for (int k = 1; k <= 4; k++)
		buf_printf(b, "<label>%s <select data-col=\"%d\"><option value=\"\">all</option></select></label>", head[k], k);
	buf_adds(b, "<label>text <input type=\"search\" placeholder=\"in the answer, justification, …\"></label>"
	    "<output id=\"shown\"></output></form>\n");
	static const char cols[] = "<colgroup><col><col><col><col><col><col><col><col><col></colgroup>";
	buf_printf(b, "<div class=\"lazy chunk\"><table class=\"cases\" id=\"cases-table\">%s<thead><tr>", cols);
	for (int k = 0; k < 9; k++)
		buf_printf(b, "<th%s>%s</th>", k == 0 || (k >= 5 && k <= 7) ? " class=\"num\"" : "", head[k]);
	buf_adds(b, "</tr></thead><tbody>\n");
	for (size_t i = 0; i < ncs; i++) {
		struct gcase *c = &cs[i];
		if (i && i % CHUNK == 0)
			buf_printf(b, "</tbody></table></div>\n<div class=\"lazy chunk\"><table class=\"cases\">%s<tbody>\n", cols);
		buf_printf(b, "<tr id=\"r%zu\"><td><a href=\"#j%zu\">%zu</a>", i + 1, i + 1, i + 1);
		for (int k = E_TASK; k <= E_STATUS; k++) {
			buf_adds(b, "<td>");
			html(b, c->t[k]);
		}
		num_cell(b, c->truth);
		num_cell(b, c->pred);
		num_cell(b, c->diff);
		buf_printf(b, "<td><a href=\"#c%zu\">", c->text + 1);
		html(b, c->t[E_CASE]);
		buf_adds(b, "</a>\n");
	}
	buf_adds(b, "</tbody></table></div>\n<h2 id=\"answers\">The answers and the judgements</h2>\n<div class=\"lazy\" id=\"answers-wrap\">");
	buf_adds(nav, "<li><a href=\"#answers\">The answers and the judgements</a></li>");
	char t[32];
	for (size_t i = 0; i < ncs; i++) {
		struct gcase *c = &cs[i];
		buf_printf(b, "<details class=\"case\" id=\"j%zu\"><summary>%zu. ", i + 1, i + 1);
		html(b, c->t[E_TASK]);
		buf_adds(b, " \xc2\xb7 ");
		html(b, c->t[E_MODEL]);
		if (*c->t[E_JUDGE]) {
			buf_adds(b, " \xc2\xb7 judged by ");
			html(b, c->t[E_JUDGE]);
		}
		buf_printf(b, "</summary><p><a href=\"#r%zu\">row %zu</a> \xc2\xb7 case <a href=\"#c%zu\">", i + 1, i + 1,
		    c->text + 1);
		html(b, c->t[E_CASE]);
		buf_adds(b, "</a> \xc2\xb7 physicians ");
		buf_adds(b, isnan(c->truth) ? "\xe2\x80\x93" : (num_fmt(t, sizeof t, c->truth), t));
		buf_adds(b, " \xc2\xb7 judge ");
		buf_adds(b, isnan(c->pred) ? "\xe2\x80\x93" : (num_fmt(t, sizeof t, c->pred), t));
		buf_adds(b, " (");
		html(b, c->t[E_JUDGE]);
		buf_adds(b, ") \xc2\xb7 ");
		html(b, c->t[E_STATUS]);
		buf_adds(b, "</p><h4>The judge's justification</h4><pre>");
		html(b, c->t[E_WHY]);
		buf_adds(b, "</pre><h4>The answer</h4><pre>");
		html(b, c->t[E_ANSWER]);
		buf_adds(b, "</pre></details>\n");
	}
	buf_adds(b, "</div>\n");
	buf_adds(b, "<h2 id=\"texts\">The cases</h2>\n<div class=\"lazy\" id=\"texts-wrap\">");
	buf_adds(nav, "<li><a href=\"#texts\">The cases</a></li>");
	/* the map's keys are in hash order: each text by its index */
	char **byidx = ecalloc(texts.n ? texts.n : 1, sizeof *byidx);
	for (size_t s = 0; s < texts.cap; s++)
		if (texts.keys[s])
			byidx[texts.vals[s]] = texts.keys[s];
	for (size_t k = 0; k < texts.n; k++) {
		buf_printf(b, "<details class=\"case\" id=\"c%zu\"><summary>", k + 1);
		html(b, text_names[k]);
		buf_adds(b, "</summary><pre>");
		html(b, byidx[k]);
		buf_adds(b, "</pre></details>\n");
	}
	buf_adds(b, "</div>\n");
	free(byidx);
}

/* --- the page ----------------------------------------------------------- */

static char *
first_heading(const char *text)
{
	for (const char *p = text; *p; p += strcspn(p, "\n"), p += *p == '\n')
		if (is_heading(p)) {
			p += strspn(p, "#") + 1;
			return estrndup(p, strcspn(p, "\r\n"));
		}
	return NULL;
}

static void
parse_options(int argc, char **argv, jv *args)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "md", required_argument, NULL, 'M' },
		{ "title", required_argument, NULL, 't' },
		{ "no-cases", no_argument, NULL, 'N' },
		{ "task", required_argument, NULL, 0 },
		{ "model", required_argument, NULL, 1 },
		{ "judge", required_argument, NULL, 2 },
		{ "status", required_argument, NULL, 3 },
		{ "case", required_argument, NULL, 4 },
		{ "text", required_argument, NULL, 5 },
		{ "answer", required_argument, NULL, 6 },
		{ "why", required_argument, NULL, 7 },
		{ "truth", required_argument, NULL, 8 },
		{ "pred", required_argument, NULL, 9 },
		{ "arg", required_argument, NULL, 'A' },
		{ "argjson", required_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int c;
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		if (c >= 0 && c < NEXPR) {
			opt.e[c] = optarg;
			continue;
		}
		switch (c) {
		case 'A':
		case 'J': args_option(args, c == 'J', argc, argv); break;
		case 'h': usage();
		case 'M':
			if (opt.nmd == 64)
				usage_error("--md: at most 64");
			opt.md[opt.nmd++] = optarg;
			break;
		case 'N': opt.no_cases = 1; break;
		case 'o': opt.out = optarg; break;
		case 't': opt.title = optarg; break;
		case 'V': print_version();
		default: usage_error("unknown option");
		}
	}
	if (opt.no_cases && optind < argc)
		usage_error("--no-cases: no FILE to read");
	if (opt.no_cases && opt.nmd == 0)
		usage_error("nothing to write: --no-cases and no --md");
}

int
main(int argc, char **argv)
{
	jv args = jv_object();
	pt_init(argv);
	parse_options(argc, argv, &args);

	/* every input first: a Markdown file that cannot be read is a usage error */
	char *md_text[64];
	for (int i = 0; i < opt.nmd; i++) {
		size_t len;
		if (!(md_text[i] = read_file(opt.md[i], &len)))
			die(PT_EXIT_USAGE, "--md %s: %s", opt.md[i], strerror(errno));
		if (memchr(md_text[i], 0, len))
			die(PT_EXIT_USAGE, "--md %s: not text (a NUL byte)", opt.md[i]);
	}
	struct expr *ex[NEXPR];
	for (int k = 0; k < NEXPR; k++)
		ex[k] = expr_new(opt.e[k], jv_copy(args), expr_opts[k]);
	jv_free(args);
	int nbadin = 0;
	if (!opt.no_cases)
		read_cases(argv + optind, argc - optind, ex, &nbadin);
	if (ncs)
		qsort(cs, ncs, sizeof *cs, cmp_case);

	struct buf body = { 0 }, nav = { 0 }, page = { 0 };
	char *title = opt.title ? estrdup(opt.title) : NULL;
	for (int i = 0; i < opt.nmd; i++) {
		if (!title)
			title = first_heading(md_text[i]);
		char *slash = strrchr(opt.md[i], '/');
		char *dir = slash ? estrndup(opt.md[i], (size_t)(slash - opt.md[i])) : estrdup(".");
		struct md m = { &body, &nav, opt.md[i], dir, 0, 0 };
		md_render(&m, md_text[i]);
		free(dir);
		free(md_text[i]);
	}
	if (!opt.no_cases)
		write_cases(&body, &nav);
	if (!title)
		title = estrdup("pt report");

	/* the sections of cases laid out only when scrolled to, their heights guessed until then */
	struct buf style = { 0 };
	buf_adds(&style, css);
	if (!opt.no_cases)
		buf_printf(&style, ".chunk{contain-intrinsic-size:auto %dpx}#answers-wrap{contain-intrinsic-size:auto %zupx}"
		    "#texts-wrap{contain-intrinsic-size:auto %zupx}", 26 * CHUNK, 27 * ncs, 27 * texts.n);
	buf_adds(&page, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src ");
	csp_hash(&page, buf_cstr(&style));
	buf_adds(&page, "; script-src ");
	csp_hash(&page, js);
	buf_adds(&page, "; base-uri 'none'; form-action 'none'\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    "<meta name=\"generator\" content=\"pt-report " PT_VERSION "\">\n<title>");
	html(&page, title);
	buf_printf(&page, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n", style.p);
	if (opt.title) {
		buf_adds(&page, "<h1>");
		html(&page, opt.title);
		buf_adds(&page, "</h1>\n");
	}
	/* the contents after the first heading when the page starts with one */
	size_t at = !opt.title && strncmp(buf_cstr(&body), "<h1>", 4) == 0 ? (size_t)(strstr(body.p, "</h1>\n") + 6 - body.p) : 0;
	buf_add(&page, body.p, at);
	if (nav.len)
		buf_printf(&page, "<nav><strong>Contents</strong><ol>%s</ol></nav>\n", buf_cstr(&nav));
	buf_add(&page, body.p + at, body.len - at);
	buf_printf(&page, "</main>\n<script>%s</script>\n</body>\n</html>", js);

	if (opt.out)
		output_open(opt.out);
	out_line(page.p, page.len);
	out_close();
	output_commit();

	for (int k = 0; k < NEXPR; k++)
		expr_free(ex[k]);
	for (size_t i = 0; i < ncs; i++)
		for (int k = 0; k < NTEXT; k++)
			free(cs[i].t[k]);
	free(cs);
	for (size_t k = 0; k < texts.n; k++)
		free(text_names[k]);
	free(text_names);
	strmap_free(&texts);
	free(title);
	free(body.p);
	free(nav.p);
	free(page.p);
	free(style.p);
	if (nfigfail)
		warn("%lu figure%s not embedded", nfigfail, nfigfail == 1 ? "" : "s");
	int rc = fail_summary(nfail, nbadin);
	return nfigfail ? PT_EXIT_FAIL : rc;
}
