/* expr.c: jq expressions through libjq 1.6, compiled once and run per record.
 * Every expression is compiled by jq (so jq decides what is valid); a plain
 * path is then read from the record's bytes by path.c instead. */
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "pt.h"

struct expr {
	jq_state *jq;       /* NULL until compiled: a plain path is compiled when jq is first needed */
	jv args;
	char *text, *what;
	struct path *path;
	struct buf msgs;    /* compile messages */
};

static void
compile_msg(void *data, jv msg)
{
	struct expr *e = data;
	if (jv_get_kind(msg) == JV_KIND_STRING) {
		if (e->msgs.len)
			buf_adds(&e->msgs, "; ");
		for (const char *c = jv_string_value(msg); *c; c++)
			buf_addc(&e->msgs, *c == '\n' ? ' ' : *c);   /* one line */
	}
	jv_free(msg);
}

/* `input` has no further inputs in a per-record program. */
static jv
no_input(jq_state *jq, void *data)
{
	return jv_invalid_with_msg(jv_string("No more inputs"));
}

static void
debug_msg(void *data, jv msg)
{
	jv s = jv_dump_string(jv_array_append(jv_array_append(jv_array(), jv_string("DEBUG:")), msg), 0);
	fprintf(stderr, "%s\n", jv_string_value(s));
	jv_free(s);
}

static void
jq_nomem(void *data)
{
	pt_nomem();
}

/* Compiles e->text with jq; a program that does not compile exits 2. One
 * compile at a time: a worker compiles its own program when its first
 * record needs libjq (expr_lazy), perhaps while another does. */
static pthread_mutex_t compile_mu = PTHREAD_MUTEX_INITIALIZER;

static void
compile(struct expr *e)
{
	pthread_mutex_lock(&compile_mu);
	e->jq = jq_init();
	if (!e->jq) {
		die(PT_EXIT_USAGE, "cannot start jq");
	}
	jq_set_nomem_handler(e->jq, jq_nomem, NULL);
	jq_set_attr(e->jq, jv_string("JQ_LIBRARY_PATH"), jv_array());
	jq_set_input_cb(e->jq, no_input, NULL);
	jq_set_debug_cb(e->jq, debug_msg, NULL);
	jq_set_error_cb(e->jq, compile_msg, e);
	if (!jq_compile_args(e->jq, e->text, args_bind(e->args))) {
		die(PT_EXIT_USAGE, "%s: %s", e->what,
		    e->msgs.len ? buf_cstr(&e->msgs) : "does not compile");
	}
	e->args = jv_invalid();
	jq_set_error_cb(e->jq, NULL, NULL);
	pthread_mutex_unlock(&compile_mu);
}

/* An expression compiled when jq is first needed: for a program already
 * compiled once (so known to be valid) that a worker may never run. */
struct expr *
expr_lazy(const char *prog, jv args, const char *what)
{
	struct expr *e = ecalloc(1, sizeof *e);
	e->text = estrdup(prog);
	e->what = estrdup(what);
	e->args = args;
	e->path = path_parse(prog);
	return e;
}

struct expr *
expr_new(const char *prog, jv args, const char *what)
{
	/* Only what is not a plain path is compiled now (libjq compiles all its
	 * builtins each time, most of a short run's time); path_parse accepts
	 * only paths jq 1.6 accepts. */
	struct expr *e = expr_lazy(prog, args, what);
	if (!e->path)
		compile(e);
	return e;
}

void
expr_free(struct expr *e)
{
	if (!e)
		return;
	if (e->jq)
		jq_teardown(&e->jq);
	jv_free(e->args);
	path_free(e->path);
	free(e->text);
	free(e->what);
	free(e->msgs.p);
	free(e);
}

void
expr_start(struct expr *e, jv input)
{
	if (!e->jq)
		compile(e);
	jq_start(e->jq, input, 0);
}

/* The next output, or jv_invalid() at the end, or jv_invalid_with_msg on an
 * error; after either invalid the run is over (jq must not be asked again). */
jv
expr_next(struct expr *e)
{
	if (jq_halted(e->jq))
		return jv_invalid();
	return jq_next(e->jq);
}

char *
jv_errmsg(jv v)
{
	jv msg = jv_invalid_get_msg(v);
	struct buf b = { 0 };
	if (jv_get_kind(msg) == JV_KIND_STRING)
		buf_adds(&b, jv_string_value(msg));
	else if (jv_get_kind(msg) == JV_KIND_NULL)
		buf_adds(&b, "error");
	else {
		/* error(value) with a non-string value: say so, as jq does */
		jv d = jv_dump_string(jv_copy(msg), 0);
		buf_printf(&b, "error %s", jv_string_value(d));
		jv_free(d);
	}
	jv_free(msg);
	return buf_cstr(&b);
}

jv
rec_parse(const struct rec *r)
{
	if (r->len > 0x7fffffff)
		return jv_invalid_with_msg(jv_string("record too large for jq"));
	return jv_parse_sized(r->p, (int)r->len);
}

/* A plain path's answer from the bytes: PATH_FOUND (*v, *n), PATH_NULL, or
 * PATH_ERROR when jq must run (not a plain path, or jq's error to word). */
static int
fast(const struct expr *e, const struct rec *r, const char **v, size_t *n)
{
	return e->path ? path_get(e->path, r->p, r->p + r->len, r->ix, v, n) : PATH_ERROR;
}

jv
expr_first(struct expr *e, const struct rec *r, jv *parsed)
{
	const char *v;
	size_t n;
	switch (fast(e, r, &v, &n)) {
	case PATH_NULL:
		return jv_null();
	case PATH_FOUND:
		return jv_parse_sized(v, (int)n);
	}
	if (!jv_is_valid(*parsed)) {
		jv_free(*parsed);
		*parsed = rec_parse(r);
		if (!jv_is_valid(*parsed))
			return jv_copy(*parsed);
	}
	expr_start(e, jv_copy(*parsed));
	jv out = expr_next(e);
	if (!jv_is_valid(out) && !jv_invalid_has_msg(jv_copy(out))) {
		jv_free(out);
		return jv_null();   /* no output */
	}
	/* drain the rest so the state is ready for the next record */
	if (jv_is_valid(out)) {
		jv more;
		while (jv_is_valid(more = expr_next(e)))
			jv_free(more);
		jv_free(more);
	}
	return out;
}

/* e's first output on r into *out (the caller's), or -1 when jq raised an
 * error, which is reported with the record's location. */
static int
jq_first(struct expr *e, const struct rec *r, jv *parsed, jv *out)
{
	*out = expr_first(e, r, parsed);
	if (jv_is_valid(*out))
		return 0;
	char *m = jv_errmsg(*out);
	rec_warn(r, "%s: %s", e->what, m);
	free(m);
	return -1;
}

/* 1 for a finite x; otherwise says so with the record's place (text: x as
 * the record spells it, when known) and returns -1: an infinity or NaN is
 * no grade, and would void every statistic it entered. */
static int
finite_or_said(const struct expr *e, const struct rec *r, double x, const char *text, size_t n)
{
	if (isfinite(x))
		return 1;
	if (text)
		rec_warn(r, "%s: %.*s is not a finite number", e->what, n > 40 ? 40 : (int)n, text);
	else
		rec_warn(r, "%s: %s is not a finite number", e->what, isnan(x) ? "nan" : x > 0 ? "infinity" : "-infinity");
	return -1;
}

int
expr_number(struct expr *e, const struct rec *r, jv *parsed, double *x)
{
	const char *v;
	size_t n;
	switch (fast(e, r, &v, &n)) {
	case PATH_NULL:
		return 0;
	case PATH_FOUND:
		if (*v != '-' && (*v < '0' || *v > '9'))
			return 0;
		*x = json_number(v, n);
		return finite_or_said(e, r, *x, v, n);
	}
	jv out;
	if (jq_first(e, r, parsed, &out) < 0)
		return -1;
	int k = jv_get_kind(out) == JV_KIND_NUMBER;
	if (k)
		*x = jv_number_value(out);
	jv_free(out);
	return k ? finite_or_said(e, r, *x, NULL, 0) : 0;
}

void
args_option(jv *args, int is_json, int argc, char **argv)
{
	if (optind >= argc)
		usage_error("--%s needs NAME and a value", is_json ? "argjson" : "arg");
	args_add(args, optarg, argv[optind++], is_json);
}

void
args_add(jv *args, const char *name, const char *value, int is_json)
{
	jv v;
	if (is_json) {
		v = jv_parse(value);
		if (!jv_is_valid(v)) {
			char *m = jv_errmsg(v);
			usage_error("--argjson %s: invalid JSON text: %s", name, m);
		}
	} else
		v = jv_string(value);
	if (jv_object_has(jv_copy(*args), jv_string(name)))
		jv_free(v);   /* the first one stays */
	else
		*args = jv_object_set(*args, jv_string(name), v);
}

jv
args_bind(jv named)
{
	jv b = jv_object_delete(jv_object_delete(jv_copy(named), jv_string("ENV")), jv_string("__loc__"));
	jv a = jv_object_set(jv_object(), jv_string("positional"), jv_array());
	return jv_object_set(b, jv_string("ARGS"), jv_object_set(a, jv_string("named"), named));
}

jv
jv_deep_copy(jv v)
{
	jv c;
	switch (jv_get_kind(v)) {
	case JV_KIND_NUMBER:
		c = jv_number(jv_number_value(v));
		break;
	case JV_KIND_STRING:
		c = jv_string_sized(jv_string_value(v), jv_string_length_bytes(jv_copy(v)));
		break;
	case JV_KIND_ARRAY:
		c = jv_array();
		jv_array_foreach(v, i, x)
			c = jv_array_append(c, jv_deep_copy(x));
		break;
	case JV_KIND_OBJECT:
		c = jv_object();
		jv_object_foreach(v, k, x)
			c = jv_object_set(c, jv_deep_copy(k), jv_deep_copy(x));
		break;
	default:
		return v;   /* null, true, false: nothing shared */
	}
	jv_free(v);
	return c;
}

/* Whether the valid JSON text [v, v+n) is already as jq prints it: a string
 * without escapes or DEL, a literal, or a short integer. Other spellings
 * ("a\u002db", 1.0, 1e0, [1, 2]) are printed by jq, so that a group key is
 * the same however the record spells the value (as jq 1.6 prints). */
static int
as_jq_prints(const char *v, size_t n)
{
	if (*v == '"')
		return !mem_has(v, n, '\\') && !mem_has(v, n, 0x7f);
	if (*v == 't' || *v == 'f' || *v == 'n')
		return 1;
	size_t i = *v == '-';
	if (n - i > 15 || (v[i] == '0' && n - i > 1))   /* 15 digits: exact in a double */
		return 0;
	for (; i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			return 0;
	return 1;
}

static void
buf_jv(struct buf *out, jv val)
{
	jv d = jv_dump_string(val, 0);
	buf_adds(out, jv_string_value(d));
	jv_free(d);
}

/* Appends jq's compact JSON text of e's first output on r to out (a plain
 * path's bytes when they are that already); 0, or -1 on an error (reported). */
int
expr_json(struct expr *e, const struct rec *r, jv *parsed, struct buf *out)
{
	const char *v;
	size_t n;
	switch (fast(e, r, &v, &n)) {
	case PATH_NULL:
		buf_adds(out, "null");
		return 0;
	case PATH_FOUND:
		if (as_jq_prints(v, n))
			buf_add(out, v, n);
		else
			buf_jv(out, jv_parse_sized(v, (int)n));
		return 0;
	}
	jv val;
	if (jq_first(e, r, parsed, &val) < 0)
		return -1;
	buf_jv(out, val);
	return 0;
}

/* jq 1.6 builtins on several threads (Debian 12: libjq 1.6, Oniguruma 6.9.8,
 * glibc), read from jq's src/builtin.c:
 * - Regular expressions (test, match, capture, scan, split/2, splits, sub,
 *   gsub) call onig_new for each use. Oniguruma initialises itself lazily on
 *   the first onig_new (onig_initialize → onig_initialize_encoding, which
 *   grows a global table of callouts with realloc); two threads doing that
 *   at once free the same block twice: pt-filter's "double free or
 *   corruption" crash. Once initialised, compiling and matching touch only
 *   their own regex, so expr_regex_init() runs one match on the main thread
 *   before the workers start.
 * - lgamma and gamma write libm's global signgam.
 * - Times: jq calls mktime, localtime_r, gmtime_r, strftime and strptime,
 *   which read the process's time-zone state (TZ, tzname); glibc guards it,
 *   but jq's fallbacks (mktime with setenv("TZ")) are not, so programs using
 *   them run on one thread.
 * - debug and stderr write to stderr from inside the program: on one thread
 *   so that their lines come in input order and never interleave.
 * - input/inputs (our callback, stateless), input_filename and
 *   input_line_number (no jq input state here), env/$ENV (the environment
 *   is not changed while workers run), $__loc__ (a constant), now, halt and
 *   halt_error (per jq state) are safe.
 * The program text is scanned for the names; a field (.debug) or variable
 * ($test) of the same name does not count, a string that holds one does
 * (harmless: the program is only run more carefully). */
static const char *const one_thread_names[] = {
	"lgamma", "gamma", "mktime", "gmtime", "localtime", "strftime", "strflocaltime",
	"strptime", "todate", "fromdate",
	"fromdateiso8601", "todateiso8601", "debug", "stderr", NULL
};
static const char *const regex_names[] = {
	"test", "match", "capture", "scan", "split", "splits", "sub", "gsub", "_match_impl", NULL
};

static int
name_in(const char *s, size_t n, const char *const *names)
{
	for (; *names; names++)
		if (strlen(*names) == n && memcmp(*names, s, n) == 0)
			return 1;
	return 0;
}

static int
word_char(char c, int first)
{
	return c == '_' || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (!first && c >= '0' && c <= '9');
}

int
expr_concurrency(const char *prog)
{
	int how = EXPR_PARALLEL;
	for (const char *p = prog; *p; ) {
		if (!word_char(*p, 1)) {
			p++;
			continue;
		}
		const char *w = p;
		while (word_char(*p, 0))
			p++;
		if (w > prog && (w[-1] == '.' || w[-1] == '$'))
			continue;
		if (name_in(w, (size_t)(p - w), one_thread_names))
			return EXPR_ONE_THREAD;
		if (name_in(w, (size_t)(p - w), regex_names))
			how = EXPR_REGEX;
	}
	return how;
}

void
expr_regex_init(void)
{
	struct expr *e = expr_new("\"a\" | test(\"a\")", jv_object(), "regex start-up");
	expr_start(e, jv_null());
	jv_free(expr_next(e));
	expr_free(e);
}

const char *
expr_name(const struct expr *e)
{
	const char *k = e->path ? path_last_key(e->path) : NULL;
	return k ? k : e->text;
}
