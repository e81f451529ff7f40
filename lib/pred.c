/* pred.c: the jq predicates people write to select records, evaluated on
 * the record's bytes without building it (pt-filter(1), "Native
 * predicates"). pred_compile accepts an expression only when it is made
 * entirely of the forms below; anything it cannot answer exactly as jq 1.6
 * would (an error, a type it does not handle) is PRED_UNSURE at run time,
 * and the caller asks libjq. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <oniguruma.h>

#include "pred.h"

enum {
	N_PATH, N_LIT, N_PIPE, N_ALT, N_OR, N_AND, N_NOT, N_CMP, N_SELECT,
	N_STARTS, N_ENDS, N_CONTAINS, N_DOWNCASE, N_LENGTH, N_HAS, N_TEST
};
enum { C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE };
/* jq's order of kinds: null < false < true < numbers < strings < arrays < objects */
enum { V_NULL, V_FALSE, V_TRUE, V_NUM, V_STR, V_ARR, V_OBJ };

struct val {
	int k;
	double num;
	const char *p;      /* V_STR: the decoded bytes; V_ARR, V_OBJ: the raw text */
	size_t n;
};

struct node {
	int op, cmp;
	struct node *a, *b;
	struct path *path;   /* N_PATH */
	regex_t *re;         /* N_TEST: compiled once, as jq 1.6 compiles it */
	struct val lit;      /* N_LIT */
	char *own;           /* a literal's decoded string */
};

struct pred {
	struct node *root;
	int npaths;          /* paths in it: with two or more, the record is indexed once */
};

static int
count_paths(const struct node *x)
{
	return x ? (x->op == N_PATH) + count_paths(x->a) + count_paths(x->b) : 0;
}

/* --- the parser: recursive descent over jq's precedence, lowest first:
 * '|', '//', 'or', 'and', comparisons, then terms. */
struct parser {
	const char *p;
	jv args;
	const char *why;     /* the first form that is not native */
};

static void
ws(struct parser *ps)
{
	for (;;) {
		while (isspace((unsigned char)*ps->p))
			ps->p++;
		if (*ps->p != '#')
			return;
		while (*ps->p && *ps->p != '\n')
			ps->p++;
	}
}

static int
eat(struct parser *ps, const char *tok)
{
	ws(ps);
	size_t n = strlen(tok);
	if (strncmp(ps->p, tok, n) != 0)
		return 0;
	/* a word must end where the token does */
	if (isalpha((unsigned char)tok[0]) && (isalnum((unsigned char)ps->p[n]) || ps->p[n] == '_'))
		return 0;
	ps->p += n;
	return 1;
}

static struct node *
node(int op, struct node *a, struct node *b)
{
	struct node *x = ecalloc(1, sizeof *x);
	x->op = op;
	x->a = a;
	x->b = b;
	return x;
}

static void
node_free(struct node *x)
{
	if (!x)
		return;
	node_free(x->a);
	node_free(x->b);
	path_free(x->path);
	if (x->re)
		onig_free(x->re);
	free(x->own);
	free(x);
}

static struct node *
fail(struct parser *ps, const char *why)
{
	if (!ps->why)
		ps->why = why;
	return NULL;
}

static struct node *parse_pipe(struct parser *ps);

/* A string literal's decoded bytes (no interpolation). */
static struct node *
string_lit(struct parser *ps)
{
	const char *q = ps->p + 1;
	while (*q && *q != '"') {
		if (*q == '\\') {
			if (q[1] == '(')
				return fail(ps, "string interpolation");
			if (!q[1])
				break;
			q++;
		}
		q++;
	}
	if (*q != '"')
		return fail(ps, "an unterminated string");
	struct buf b = { 0 }, u = { 0 };
	json_unquote(ps->p, q + 1, &b);
	/* bytes that are not UTF-8 read as U+FFFD, as jq's lexer reads them */
	json_quote(&u, b.p ? b.p : "", b.len);
	b.len = 0;
	json_unquote(u.p, u.p + u.len, &b);
	free(u.p);
	struct node *x = node(N_LIT, NULL, NULL);
	x->own = buf_cstr(&b);
	x->lit = (struct val){ V_STR, 0, x->own, b.len };
	ps->p = q + 1;
	return x;
}

/* A value of --arg/--argjson as a literal: scalars only. */
static struct node *
arg_lit(struct parser *ps)
{
	const char *q = ps->p + 1;
	while (isalnum((unsigned char)*q) || *q == '_')
		q++;
	char *name = estrndup(ps->p + 1, (size_t)(q - ps->p - 1));
	jv v = jv_object_get(jv_copy(ps->args), jv_string(name));
	free(name);
	ps->p = q;
	struct node *x = NULL;
	switch (jv_get_kind(v)) {
	case JV_KIND_NULL: x = node(N_LIT, NULL, NULL); x->lit.k = V_NULL; break;
	case JV_KIND_FALSE: x = node(N_LIT, NULL, NULL); x->lit.k = V_FALSE; break;
	case JV_KIND_TRUE: x = node(N_LIT, NULL, NULL); x->lit.k = V_TRUE; break;
	case JV_KIND_NUMBER:
		if (isnan(jv_number_value(v))) {   /* jq orders NaN its own way */
			fail(ps, "a $variable that is NaN");
			break;
		}
		x = node(N_LIT, NULL, NULL);
		x->lit = (struct val){ V_NUM, jv_number_value(v), NULL, 0 };
		break;
	case JV_KIND_STRING:
		x = node(N_LIT, NULL, NULL);
		x->lit.n = (size_t)jv_string_length_bytes(jv_copy(v));
		x->own = emalloc(x->lit.n + 1);
		memcpy(x->own, jv_string_value(v), x->lit.n + 1);
		x->lit = (struct val){ V_STR, 0, x->own, x->lit.n };
		break;
	default:
		fail(ps, "a $variable that is not a scalar (or not bound)");
	}
	jv_free(v);
	return x;
}

/* A plain path (.a, .a.b, ."k", .["k"], .[0]), read by path.c. */
static struct node *
path_term(struct parser *ps)
{
	const char *q = ps->p;
	for (;;) {
		if (*q == '.' && q[1] == '"') {
			q += 2;
			while (*q && *q != '"')
				q += *q == '\\' && q[1] ? 2 : 1;
			if (*q)
				q++;
		} else if (*q == '.' && (isalpha((unsigned char)q[1]) || q[1] == '_')) {
			q++;
			while (isalnum((unsigned char)*q) || *q == '_')
				q++;
		} else if (*q == '[' || (*q == '.' && q[1] == '[')) {
			q = strchr(q, ']');
			if (!q)
				return fail(ps, "an unterminated [");
			q++;
		} else if (*q == '.' && q == ps->p)
			q++;   /* . alone */
		else
			break;
	}
	char *text = estrndup(ps->p, (size_t)(q - ps->p));
	struct path *pa = path_parse(text);
	free(text);
	if (!pa)
		return fail(ps, "a path that is not plain");
	ps->p = q;
	struct node *x = node(N_PATH, NULL, NULL);
	x->path = pa;
	return x;
}

static struct node *
arg1(struct parser *ps, int op)
{
	if (!eat(ps, "("))
		return fail(ps, "a function without its argument");
	struct node *a = parse_pipe(ps);
	if (!a || !eat(ps, ")")) {
		node_free(a);
		return fail(ps, "a function with more than one argument");
	}
	return node(op, a, NULL);
}

/* test(RE) and test(RE; FLAGS) with literal strings: the regex compiled as
 * jq 1.6's f_match compiles it (Perl_NG syntax, Oniguruma 6.9 for jq 1.6's Perl_NT, UTF-8, capture groups, the
 * flags g i x n s p l); a pattern Oniguruma rejects is left to jq's message. */
static struct node *
test_term(struct parser *ps)
{
	struct node *re = NULL, *fl = NULL;
	if (!eat(ps, "("))
		return fail(ps, "test without its arguments");
	ws(ps);
	if (*ps->p == '"')
		re = string_lit(ps);
	if (re && eat(ps, ";")) {
		ws(ps);
		if (*ps->p == '"')
			fl = string_lit(ps);
		if (!fl) {
			node_free(re);
			return fail(ps, "test with flags that are not a string literal");
		}
	}
	if (!re || !eat(ps, ")")) {
		node_free(re);
		node_free(fl);
		return fail(ps, "test with a pattern that is not a string literal");
	}
	OnigOptionType opt = ONIG_OPTION_CAPTURE_GROUP;
	for (size_t i = 0; fl && i < fl->lit.n; i++)
		switch (fl->lit.p[i]) {
		case 'g': break;
		case 'i': opt |= ONIG_OPTION_IGNORECASE; break;
		case 'x': opt |= ONIG_OPTION_EXTEND; break;
		case 'n': opt |= ONIG_OPTION_FIND_NOT_EMPTY; break;
		case 's': opt |= ONIG_OPTION_SINGLELINE; break;
		case 'p': opt |= ONIG_OPTION_MULTILINE | ONIG_OPTION_SINGLELINE; break;
		case 'l': opt |= ONIG_OPTION_FIND_LONGEST; break;
		default:
			node_free(re);
			node_free(fl);
			return fail(ps, "a test flag jq rejects");
		}
	node_free(fl);
	OnigErrorInfo einfo;
	struct node *x = node(N_TEST, NULL, NULL);
	const UChar *pat = (const UChar *)re->lit.p;
	int rc = onig_new(&x->re, pat, pat + re->lit.n, opt, ONIG_ENCODING_UTF8, ONIG_SYNTAX_PERL_NG, &einfo);
	node_free(re);
	if (rc != ONIG_NORMAL) {
		x->re = NULL;
		node_free(x);
		return fail(ps, "a regular expression Oniguruma rejects");
	}
	return x;
}

static struct node *
term(struct parser *ps)
{
	ws(ps);
	const char *p = ps->p;
	if (*p == '.')
		return path_term(ps);
	if (*p == '"')
		return string_lit(ps);
	if (*p == '$')
		return arg_lit(ps);
	if (*p == '-' || isdigit((unsigned char)*p)) {
		char *end;
		double d = strtod(p, &end);
		if (end == p || !isfinite(d))
			return fail(ps, "a number");
		ps->p = end;
		struct node *x = node(N_LIT, NULL, NULL);
		x->lit = (struct val){ V_NUM, d, NULL, 0 };
		return x;
	}
	if (eat(ps, "test"))
		return test_term(ps);
	if (eat(ps, "(")) {
		struct node *x = parse_pipe(ps);
		if (x && !eat(ps, ")")) {
			node_free(x);
			return fail(ps, "a parenthesis");
		}
		return x;
	}
	static const struct { const char *name; int op, args; } fn[] = {
		{ "select", N_SELECT, 1 }, { "startswith", N_STARTS, 1 }, { "endswith", N_ENDS, 1 },
		{ "contains", N_CONTAINS, 1 }, { "has", N_HAS, 1 }, { "ascii_downcase", N_DOWNCASE, 0 },
		{ "length", N_LENGTH, 0 }, { "not", N_NOT, 0 },
	};
	for (size_t i = 0; i < sizeof fn / sizeof *fn; i++)
		if (eat(ps, fn[i].name)) {
			if (fn[i].args)
				return arg1(ps, fn[i].op);
			ws(ps);
			if (*ps->p == '(')
				return fail(ps, "a function with arguments it does not take");
			return node(fn[i].op, NULL, NULL);
		}
	static const struct { const char *name; int k; } kw[] = { { "null", V_NULL }, { "false", V_FALSE }, { "true", V_TRUE } };
	for (size_t i = 0; i < 3; i++)
		if (eat(ps, kw[i].name)) {
			struct node *x = node(N_LIT, NULL, NULL);
			x->lit.k = kw[i].k;
			return x;
		}
	return fail(ps, "a function or form pt-filter does not evaluate itself");
}

static struct node *
comparison(struct parser *ps)
{
	struct node *a = term(ps);
	if (!a)
		return NULL;
	static const struct { const char *tok; int cmp; } ops[] = {
		{ "==", C_EQ }, { "!=", C_NE }, { "<=", C_LE }, { ">=", C_GE }, { "<", C_LT }, { ">", C_GT },
	};
	for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
		if (eat(ps, ops[i].tok)) {
			struct node *b = term(ps);
			if (!b) {
				node_free(a);
				return NULL;
			}
			struct node *x = node(N_CMP, a, b);
			x->cmp = ops[i].cmp;
			return x;
		}
	return a;
}

static struct node *
binary(struct parser *ps, int level)
{
	/* level 0: '//' (right), 1: 'or', 2: 'and' */
	static const char *const tok[] = { "//", "or", "and" };
	static const int op[] = { N_ALT, N_OR, N_AND };
	struct node *a = level == 2 ? comparison(ps) : binary(ps, level + 1);
	while (a && eat(ps, tok[level])) {
		struct node *b = level == 0 ? binary(ps, 0) : level == 2 ? comparison(ps) : binary(ps, level + 1);
		if (!b) {
			node_free(a);
			return NULL;
		}
		a = node(op[level], a, b);
	}
	return a;
}

static struct node *
parse_pipe(struct parser *ps)
{
	struct node *a = binary(ps, 0);
	while (a && eat(ps, "|")) {
		struct node *b = binary(ps, 0);
		if (!b) {
			node_free(a);
			return NULL;
		}
		a = node(N_PIPE, a, b);
	}
	ws(ps);
	if (a && *ps->p == ',') {
		node_free(a);
		return fail(ps, "',' (several outputs)");
	}
	return a;
}

struct pred *
pred_compile(const char *text, jv args, const char **why)
{
	struct parser ps = { text, args_bind(jv_copy(args)), NULL };
	struct node *root = parse_pipe(&ps);
	jv_free(ps.args);
	ws(&ps);
	if (root && *ps.p) {
		node_free(root);
		root = fail(&ps, "an operator pt-filter does not evaluate itself");
	}
	*why = ps.why;
	if (!root)
		return NULL;
	struct pred *pr = emalloc(sizeof *pr);
	pr->root = root;
	pr->npaths = count_paths(root);
	return pr;
}

void
pred_free(struct pred *pr)
{
	if (pr) {
		node_free(pr->root);
		free(pr);
	}
}

/* --- evaluation over raw JSON text. Decoded strings live in a scratch
 * buffer per evaluation (struct scratch) until it ends. */
struct scratch {
	char *mem[16];
	int n;
};

static int
keep(struct scratch *sc, char *p)
{
	if (sc->n == 16) {
		free(p);
		return 0;
	}
	sc->mem[sc->n++] = p;
	return 1;
}

/* The value of the raw JSON text [p, p+n). */
static int
raw_val(struct scratch *sc, const char *p, size_t n, struct val *v)
{
	memset(v, 0, sizeof *v);
	switch (*p) {
	case 'n': v->k = V_NULL; return 1;
	case 'f': v->k = V_FALSE; return 1;
	case 't': v->k = V_TRUE; return 1;
	case '[': v->k = V_ARR; v->p = p; v->n = n; return 1;
	case '{': v->k = V_OBJ; v->p = p; v->n = n; return 1;
	case '"':
		v->k = V_STR;
		if (!mem_has(p + 1, n - 2, '\\')) {
			v->p = p + 1;
			v->n = n - 2;
			return 1;
		}
		struct buf b = { 0 };
		json_unquote(p, p + n, &b);
		v->p = buf_cstr(&b);
		v->n = b.len;
		return keep(sc, b.p);
	default:
		v->k = V_NUM;
		v->num = json_number(p, n);
		return 1;
	}
}

static int truthy(const struct val *v) { return v->k != V_NULL && v->k != V_FALSE; }

/* jq 1.6's order (jv_cmp) for values it can compare without building them;
 * 0 when arrays or objects of one kind would need a deep comparison. */
static int
compare(const struct val *a, const struct val *b, int *r)
{
	if (a->k != b->k) {
		*r = a->k < b->k ? -1 : 1;
		return 1;
	}
	switch (a->k) {
	case V_NUM: *r = a->num < b->num ? -1 : a->num == b->num ? 0 : 1; return 1;
	case V_STR: {
		int c = memcmp(a->p, b->p, a->n < b->n ? a->n : b->n);
		*r = c ? (c < 0 ? -1 : 1) : a->n < b->n ? -1 : a->n > b->n;
		return 1;
	}
	case V_ARR:
	case V_OBJ: return 0;
	default: *r = 0; return 1;
	}
}

/* Codepoints of UTF-8 text (the reader has already rejected invalid UTF-8). */
static size_t
codepoints(const char *p, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)p[i] & 0xc0) != 0x80;
	return c;
}

#define EVAL(node, input, res) do { \
	int st_ = eval(sc, (node), (input), rec, ix, (res)); \
	if (st_ != 1) \
		return st_; \
} while (0)

/* Evaluates x on in: 1 with *out, 2 when it has no output (select), 0 when
 * jq must answer. */
static int
eval(struct scratch *sc, const struct node *x, const struct val *in, const char *rec, const struct json_index *ix,
    struct val *out)
{
	struct val a, b;
	int r;
	switch (x->op) {
	case N_PATH: {
		if (in->k == V_NULL) {
			memset(out, 0, sizeof *out);
			out->k = V_NULL;
			return 1;
		}
		if (in->k != V_OBJ && in->k != V_ARR)
			return 0;   /* jq's error for indexing a scalar */
		const char *vp;
		size_t vn;
		int st = path_get(x->path, in->p, in->p + in->n, in->p == rec ? ix : NULL, &vp, &vn);
		if (st == PATH_ERROR)
			return 0;
		if (st == PATH_NULL) {
			memset(out, 0, sizeof *out);
			out->k = V_NULL;
			return 1;
		}
		return raw_val(sc, vp, vn, out);
	}
	case N_LIT: *out = x->lit; return 1;
	case N_PIPE:
		EVAL(x->a, in, &a);
		return eval(sc, x->b, &a, rec, ix, out);
	case N_ALT: {
		/* jq: a's truthy output, else b (a giving nothing counts as falsy) */
		int st = eval(sc, x->a, in, rec, ix, &a);
		if (st == 0)
			return 0;
		if (st == 1 && truthy(&a)) {
			*out = a;
			return 1;
		}
		return eval(sc, x->b, in, rec, ix, out);
	}
	case N_OR:
	case N_AND:
		EVAL(x->a, in, &a);
		if (truthy(&a) == (x->op == N_OR)) {
			memset(out, 0, sizeof *out);
			out->k = x->op == N_OR ? V_TRUE : V_FALSE;
			return 1;
		}
		EVAL(x->b, in, &b);
		memset(out, 0, sizeof *out);
		out->k = truthy(&b) ? V_TRUE : V_FALSE;
		return 1;
	case N_NOT:
		memset(out, 0, sizeof *out);
		out->k = truthy(in) ? V_FALSE : V_TRUE;
		return 1;
	case N_CMP: {
		static const int want[][3] = { { 0, 1, 0 }, { 1, 0, 1 }, { 1, 0, 0 }, { 1, 1, 0 }, { 0, 0, 1 }, { 0, 1, 1 } };
		EVAL(x->b, in, &b);
		EVAL(x->a, in, &a);
		if (!compare(&a, &b, &r))
			return 0;
		memset(out, 0, sizeof *out);
		out->k = want[x->cmp][r + 1] ? V_TRUE : V_FALSE;   /* by r = -1, 0, 1 */
		return 1;
	}
	case N_SELECT:
		EVAL(x->a, in, &a);
		if (!truthy(&a))
			return 2;   /* no output */
		*out = *in;
		return 1;
	case N_STARTS:
	case N_ENDS:
	case N_CONTAINS:
		EVAL(x->a, in, &a);
		if (in->k != V_STR || a.k != V_STR)
			return 0;   /* jq's type errors, said by jq */
		memset(out, 0, sizeof *out);
		if (x->op == N_CONTAINS) {
			/* jq 1.6 uses strstr: a NUL in either string is jq's to answer */
			if (memchr(in->p, 0, in->n) || memchr(a.p, 0, a.n))
				return 0;
			out->k = a.n == 0 || memmem(in->p, in->n, a.p, a.n) ? V_TRUE : V_FALSE;
		} else if (a.n > in->n)
			out->k = V_FALSE;
		else
			out->k = memcmp(x->op == N_STARTS ? in->p : in->p + in->n - a.n, a.p, a.n) == 0 ? V_TRUE : V_FALSE;
		return 1;
	case N_DOWNCASE: {
		if (in->k != V_STR)
			return 0;
		char *d = emalloc(in->n + 1);
		for (size_t i = 0; i < in->n; i++)
			d[i] = in->p[i] >= 'A' && in->p[i] <= 'Z' ? (char)(in->p[i] + 32) : in->p[i];
		d[in->n] = 0;
		*out = (struct val){ V_STR, 0, d, in->n };
		return keep(sc, d);
	}
	case N_LENGTH:
		memset(out, 0, sizeof *out);
		out->k = V_NUM;
		if (in->k == V_NULL)
			out->num = 0;
		else if (in->k == V_NUM)
			out->num = fabs(in->num);
		else if (in->k == V_STR)
			out->num = (double)codepoints(in->p, in->n);
		else if (in->k == V_ARR) {
			size_t c = 0;
			const char *e = in->p + in->n;
			for (const char *q = json_ws(in->p + 1, e); *q != ']'; c++) {
				q = json_ws(json_skip(q, e), e);
				if (*q == ',')
					q = json_ws(q + 1, e);
			}
			out->num = (double)c;
		} else
			return 0;   /* objects: duplicate keys count once in jq; booleans are errors */
		return 1;
	case N_TEST: {
		if (in->k != V_STR)
			return 0;
		OnigRegion *rg = onig_region_new();
		const UChar *st = (const UChar *)in->p, *en = st + in->n;
		int rc = onig_search(x->re, st, en, st, en, rg, ONIG_OPTION_NONE);
		onig_region_free(rg, 1);
		if (rc < 0 && rc != ONIG_MISMATCH)
			return 0;
		memset(out, 0, sizeof *out);
		out->k = rc >= 0 ? V_TRUE : V_FALSE;
		return 1;
	}
	case N_HAS: {
		EVAL(x->a, in, &a);
		if (in->k != V_OBJ || a.k != V_STR)
			return 0;
		const char *it = NULL;
		struct json_member m;
		memset(out, 0, sizeof *out);
		out->k = V_FALSE;
		while (out->k == V_FALSE && json_members(in->p, in->p + in->n, &it, &m))
			if (json_key_eq(m.key, m.keylen, a.p, a.n))
				out->k = V_TRUE;
		return 1;
	}
	}
	return 0;
}

int
pred_eval(const struct pred *pr, const char *rec, size_t len, const struct json_index *ix)
{
	struct scratch sc = { .n = 0 };
	struct val in = { V_OBJ, 0, rec, len }, out;
	struct json_span spans[JSON_INDEX_MAX];
	struct json_index own = { 0, spans };
	if (!ix && pr->npaths >= 2) {
		/* the record's members once, for every path to look up */
		const char *it = NULL;
		struct json_member m;
		while (own.n >= 0 && json_members(rec, rec + len, &it, &m)) {
			if (own.n == JSON_INDEX_MAX) {
				own.n = -1;
				break;
			}
			spans[own.n++] = (struct json_span){ (unsigned)(m.key - rec), (unsigned)m.keylen,
			    mem_has(m.key, m.keylen, '\\'), (unsigned)(m.val - rec), (unsigned)m.vallen };
		}
		ix = &own;
	}
	int st = eval(&sc, pr->root, &in, rec, ix, &out);
	for (int i = 0; i < sc.n; i++)
		free(sc.mem[i]);
	if (st == 2)
		return PRED_DROP;   /* select gave nothing */
	if (st == 0)
		return PRED_UNSURE;
	if (out.k == V_NULL || out.k == V_FALSE)
		return PRED_DROP;
	if (out.k == V_TRUE || (out.k == V_OBJ && out.p == rec))
		return PRED_KEEP;
	return PRED_UNSURE;   /* another value: pt-filter prints or warns, as libjq says */
}
