/* pt.h: what every pt tool uses: allocation, messages, buffers, maps, files,
 * JSON text, the record reader, output, jq expressions, field paths and
 * templates (see man/pt.7). The other headers, each for the tools that need
 * it: engine.h (pt-infer, pt-judge, pt-prompt's batch lines), judge.h,
 * stats.h (pt-stats, pt-plot), plot.h; net.h is the engine's own. */
#ifndef PT_H
#define PT_H

#include <stddef.h>
#include <sys/types.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <jq.h>
#include <jv.h>

#define PT_VERSION "0.1.0"

/* Exit statuses (pt(7), EXIT STATUS). */
enum {
	PT_EXIT_OK = 0,     /* every record processed */
	PT_EXIT_FAIL = 1,   /* finished, at least one record failed */
	PT_EXIT_USAGE = 2,  /* usage or configuration error, nothing processed */
	PT_EXIT_WRITE = 3,  /* a write to stdout failed */
	PT_EXIT_NOMEM = 4,  /* out of memory */
	PT_EXIT_BUDGET = 5  /* --budget stopped records from being asked (pt-infer, pt-judge) */
};

/* alloc.c: allocation that never fails (out of memory is exit 4);
 * msg.c: messages, verbs, numbers given as options. */
extern const char *progname;
extern int stdout_closed;   /* stdout was closed at start: writing a record is a write error */
extern int stdin_closed;    /* stdin was closed at start: reading it is a usage error */
void pt_init(char **argv);
void pt_nomem(void) __attribute__((noreturn));   /* says so without allocating; exit 4 */
void *emalloc(size_t n);
void *ecalloc(size_t n, size_t m);
void *erealloc(void *p, size_t n);
char *estrdup(const char *s);
char *estrndup(const char *s, size_t n);
/* "tool: message" on stderr; die then exits with status. */
/* "tool: WHERE" and the message (no newline), its control characters
 * written \xHH so that quoted text cannot act on a terminal: every message
 * is made by msg_vformat, said by vsay, or kept in a buffer to be said later
 * (a worker's). buf_add_escaped is the one escaping point, for table cells
 * too. */
struct buf;
void vsay(const char *where, const char *fmt, va_list ap);
void msg_vformat(struct buf *b, const char *where, const char *fmt, va_list ap);
void buf_add_escaped(struct buf *b, const char *p, size_t n);
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
FILE *msg_file(void);          /* where this thread's messages go (stderr unless captured) */
void msg_capture(FILE *f);     /* this thread's messages into f (NULL: stderr again) */
void die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
long parse_long(const char *opt, const char *s, long lo, long hi);
double parse_double(const char *opt, const char *s, double lo, double hi);
void print_version(void) __attribute__((noreturn));
int verb_of(int *argc, char ***argv, const char *const *verbs, void (*usage)(void));
/* The last line of a run where records or whole inputs failed (each was
 * reported as it came); returns the exit status, PT_EXIT_FAIL or PT_EXIT_OK. */
int fail_summary(unsigned long nrecords, int ninputs);

/* Whether p[0..n) holds byte c: memchr, without its call for short spans
 * (keys, group values), where the call cost more than the search. */
static inline int
mem_has(const char *p, size_t n, char c)
{
	if (n > 32)
		return memchr(p, c, n) != NULL;
	for (size_t i = 0; i < n; i++)
		if (p[i] == c)
			return 1;
	return 0;
}

/* buf.c: a growable byte buffer; the owner frees b.p. */
struct buf {
	char *p;
	size_t len, cap;
};
void buf_grow(struct buf *b, size_t more);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, int c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
char *buf_cstr(struct buf *b);   /* NUL-terminates and returns b->p (still owned by b) */

/* map.c: FNV-1a; a map from strings (copied in) to indices. */
unsigned long str_hash(const char *s, size_t n);
struct strmap {
	char **keys;
	size_t *vals;
	size_t cap, n;
};
size_t *strmap_get(struct strmap *m, const char *key, size_t n, int *added);
size_t *strmap_find(const struct strmap *m, const char *key);   /* key's value, or NULL */
void strmap_free(struct strmap *m);
/* A set of strings: a strmap whose values go unused. */
struct strset {
	struct strmap m;
};
int strset_add(struct strset *s, const char *key);   /* 0 if key was already there */
int strset_has(const struct strset *s, const char *key);
void strset_free(struct strset *s);

/* file.c: whole files. */
char *read_file(const char *path, size_t *lenp);   /* NULL and errno on failure; caller frees */
int write_all(int fd, const void *p, size_t n);    /* -1 and errno on failure */
/* Writes file whole: to a temporary name beside it, synced, then renamed
 * (a device or pipe in place); -1 and errno on failure. */
int write_file(const char *file, const void *p, size_t n);
/* A descriptor to write file through: a temporary name beside it (*tmp, for
 * temp_commit to rename over file, which keeps its mode; a symbolic link is
 * written through to its target) or, for a device or pipe, file itself
 * (*tmp NULL); -1 and errno on failure. */
int temp_open(const char *file, char **tmp);
int temp_commit(int fd, char *tmp);   /* fsync + rename over the file tmp stands for; -1 and errno; frees tmp */
void temp_discard(char *tmp);                           /* removes the temporary; frees tmp */
/* An flock(2) on path (made if need be): its descriptor, ours until
 * file_unlock; -1 while another process holds it (holder: the file's first
 * n-1 bytes), -2 when it cannot be made. A killed holder holds nothing. */
int file_lock(const char *path, char *holder, size_t n);
void file_unlock(const char *path, int fd);   /* removes path, then lets go */
/* -o FILE: stdout goes to a temporary file beside FILE, renamed to FILE by
 * output_commit once everything is written, so FILE is whole at every moment. */
void output_open(const char *file);
void output_commit(void);
int output_discard(void);   /* removes the temporary (a failed write); 1 if there was one */

/* json.c: scanning raw JSON text without building it, printing numbers exactly. */
enum { JS_OK, JS_MORE, JS_BAD };
#define JSON_MAX_DEPTH 256
/* Validates the JSON value starting at s (after any whitespace) within s[0..n).
 * On JS_OK *endp is the offset just past the value and *startp of its first byte;
 * JS_MORE means the text ended inside the value (more input may complete it, unless eof);
 * JS_BAD sets *errp to a static reason and *endp to the offending offset.
 * *nlp receives the number of newlines crossed; with stop_nl a newline inside a
 * container is an error (NDJSON lines). */
#define JSON_INDEX_MAX 48
struct json_span { unsigned key, keylen : 31, esc : 1, val, vallen; };   /* esc: the key has escapes */
struct json_index {             /* the top-level members of an object, offsets from its start */
	int n;                      /* -1: not indexed (too many members, or not an object) */
	struct json_span *m;        /* room for JSON_INDEX_MAX */
};
int json_scan(const char *s, size_t n, int eof, int stop_nl, size_t *startp, size_t *endp,
    long *nlp, const char **errp, struct json_index *ix);
/* Skips one value known to be valid; returns the pointer just past it. */
const char *json_skip(const char *p, const char *e);
const char *json_ws(const char *p, const char *e);
/* Iterates the members of the valid object text [p,e): call with *it = NULL first.
 * Returns 1 and the key (raw, without quotes) and value spans, or 0 at the end. */
struct json_member {
	const char *key, *val;
	size_t keylen, vallen;
};
int json_members(const char *p, const char *e, const char **it, struct json_member *m);
/* Whether a raw JSON string body (between quotes, escapes allowed) stands
 * for s; the _escaped form decodes it. An escape makes the text longer than
 * what it stands for, so a key of s's length equals s only as s's bytes
 * without a backslash, and a shorter one never does. */
int json_key_eq_escaped(const char *key, size_t keylen, const char *s, size_t slen);
static inline int
json_key_eq(const char *key, size_t keylen, const char *s, size_t slen)
{
	if (keylen == slen)
		return (slen == 0 || key[0] == s[0]) && memcmp(key, s, slen) == 0 && !mem_has(key, keylen, '\\');
	return keylen > slen && mem_has(key, keylen, '\\') && json_key_eq_escaped(key, keylen, s, slen);
}
/* Decodes the JSON string text [p,e) (with quotes) into b; returns 0 if not a string. */
int json_unquote(const char *p, const char *e, struct buf *b);
/* The length of the UTF-8 sequence at q (lead byte >= 0x80, at most up to
 * e): 2-4, 0 if it is not one (RFC 3629: no overlong form, no surrogate), -1
 * if it is cut short at e. */
int utf8_len(const unsigned char *q, const unsigned char *e);
/* Appends s as a JSON string; bytes that are not UTF-8 become U+FFFD, as in jq. */
void json_quote(struct buf *b, const char *s, size_t n);
double json_number(const char *p, size_t n);   /* the double of a number's text, as strtod */
/* Shortest text that reads back as the same double; integers without exponent. */
int num_fmt(char *out, size_t size, double x);
/* A copy of the JSON text [p, p+n) in which each escaped NUL (\u0000) in a
 * string is the two bytes C0 80 (modified UTF-8), so that a parser into C
 * strings keeps the text after it; NULL when there is none. Caller frees. */
char *json_mark_nul(const char *p, size_t n, size_t *outn);
void json_quote_marked(struct buf *b, const char *s, size_t n);   /* json_quote, C0 80 as \u0000 */
/* Quotes s (may be NULL: null) into b as a JSON value; C0 80 is written
 * \u0000 (json_mark_nul). */
void buf_json_str_or_null(struct buf *b, const char *s);
void buf_num(struct buf *b, double x);

/* rec.c: the record reader (NDJSON, concatenated JSON, top-level arrays). */
struct rec {
	const char *p;      /* the record's bytes, valid until the next rec_next() */
	size_t len;
	const char *file;   /* "<stdin>" for standard input */
	long line;          /* line of the record's first byte */
	const char *err;    /* non-NULL: the bytes at p are not a valid JSON value */
	int is_object;
	const struct json_index *ix;   /* its top-level members, or NULL */
};
struct reader;
struct reader *rdr_open(char **files, int nfiles);
enum { RDR_EOF = 0, RDR_REC = 1, RDR_AGAIN = 2 };
/* Next record into *r: RDR_REC (a record or, with r->err, a bad one), RDR_EOF, or,
 * when nonblocking, RDR_AGAIN if standard input has no complete record yet. */
int rdr_next(struct reader *rd, struct rec *r);
void rdr_nonblock(struct reader *rd, int on);
void rdr_threaded(struct reader *rd);   /* read and validate on a second thread */
int rdr_fd(struct reader *rd);          /* the descriptor read now, -1 at the end */
int rdr_failed(struct reader *rd);      /* operands that could not be read */
void rdr_close(struct reader *rd);
/* blocks.c's readers (rec.c says how they read) */
struct reader *rdr_mem(void);
void rdr_mem_set(struct reader *rd, const char *p, size_t len, const char *name, long line, int first, int last);
void rdr_mem_free(struct reader *rd);
void rdr_where(const struct reader *rd, size_t *off, long *line, int *mode);
#define RDR_MODE_START 0   /* rdr_where's mode before a file's first good value (rec.c's M_START) */
struct reader *rdr_fed(ssize_t (*feed)(void *ctx, char *dst, size_t room), void *ctx, const char *name, long line,
    int mode);
int rdr_idle(struct reader *rd);

/* blocks.c: the input in blocks of whole lines read by worker threads, the
 * results taken back in input order; the records, lines and messages are
 * rdr_next's. A tool gives: */
struct blocks_tool {
	void *(*res_new)(void);        /* a block's results, reused */
	void (*res_free)(void *res);
	/* on a worker: reads rd's records (rdr_next until it is not RDR_REC)
	 * into res, emptied first */
	void (*scan)(void *worker, struct reader *rd, void *res);
	/* on the main thread, in input order: a block's results (its bytes
	 * stay where they were read until then), and one record read on the
	 * main thread */
	void (*take)(void *tool, void *res);
	void (*one)(void *tool, const struct rec *r);
	int (*done)(void *tool);       /* may be NULL; 1: read no more */
};
/* Runs the files ("-" or none: standard input) through the tool on
 * nthreads workers (workers[i] their own state; with one, on this thread,
 * workers[0]); returns the files that could not be read. */
int blocks_run(char **files, int nfiles, int nthreads, void **workers, const struct blocks_tool *t, void *tool);
long ncpus(void);   /* the CPUs this process may run on */
long threads_default(void);   /* $PT_THREADS, else ncpus(), at most 64 */
int rec_usable(const struct rec *r);   /* an object? else reported with file:line */
void rec_warn(const struct rec *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* out.c: stdout, whole records at a time; a failed write exits 3. */
void out_line(const char *p, size_t n);   /* p without newline */
void out_record(const char *p, size_t n);   /* a record's bytes as one line */
void buf_add_compact(struct buf *b, const char *p, size_t n);
void out_flush(void);
void out_close(void);
/* Input-order output for -k: a line is held until those before it are out,
 * past ORDER_MEM bytes held on a temporary file, not in memory. */
void order_skip(long seq);                          /* seq will never come */
/* Writes line now, or (keep_order) once those before seq are out; line is the caller's. */
void order_out(int keep_order, long seq, const char *line, size_t len);
/* Writes the object text obj with the members named in drop[] removed and the
 * members text add (",\"k\":v,…" without the leading comma, or "") appended. */
void out_spliced(const char *obj, size_t len, const char *const *drop, const char *add, size_t addlen);
void splice_object(struct buf *b, const char *obj, size_t len, const char *const *drop, const char *add, size_t addlen);
/* A record that could not be used still comes out: spliced as above when it
 * is an object, else {"_input": its text as a string, add}. */
void splice_record(struct buf *b, const char *text, size_t len, int is_object, const char *const *drop, const char *add,
    size_t addlen);

/* expr.c: jq expressions compiled once, run per record, with a fast plain-path read. */
struct expr;
/* Compiles prog (what names it in messages) with args, an object of $NAME
 * bindings (consumed). A program that does not compile exits 2 with jq's message. */
struct expr *expr_new(const char *prog, jv args, const char *what);
struct expr *expr_lazy(const char *prog, jv args, const char *what);   /* compiled on first use */
void expr_free(struct expr *e);
/* Generic: start on input (consumed), then pull outputs until jv_invalid().
 * An error output is jv_invalid_with_msg. */
void expr_start(struct expr *e, jv input);
jv expr_next(struct expr *e);
/* First output of e on record r: plain paths are read from the bytes, anything
 * else runs jq on the record parsed once into *parsed (jv_invalid() until then).
 * Returns jv_null() for no output and jv_invalid_with_msg for an error. */
jv expr_first(struct expr *e, const struct rec *r, jv *parsed);
/* As expr_first, for a number: 1 and *x if the value is a number, 0 if missing,
 * null or another type, -1 on error (reported with the record's location). */
int expr_number(struct expr *e, const struct rec *r, jv *parsed, double *x);
int expr_json(struct expr *e, const struct rec *r, jv *parsed, struct buf *out);
const char *expr_name(const struct expr *e);   /* a path's last key, else the text */
/* How a program may run on several threads at once (the audit is in expr.c):
 * EXPR_PARALLEL; EXPR_REGEX (parallel once expr_regex_init() has run on the
 * calling thread before the others start); EXPR_ONE_THREAD. */
enum { EXPR_PARALLEL, EXPR_REGEX, EXPR_ONE_THREAD };
int expr_concurrency(const char *prog);
void expr_regex_init(void);
jv rec_parse(const struct rec *r);   /* the record as a jv (invalid with message on failure) */
/* jq's message for an invalid value, consumed; caller frees. */
char *jv_errmsg(jv v);
/* --arg/--argjson handling shared by every tool: adds to *args (an object;
 * a name given twice keeps its first value, as jq 1.6 does). */
void args_add(jv *args, const char *name, const char *value, int is_json);
void args_option(jv *args, int is_json, int argc, char **argv);   /* getopt's --arg/--argjson */
/* The variables a program sees for the named arguments (consumed): each
 * name, and $ARGS = {positional: [], named}; never $ENV or $__loc__, which
 * are jq's own whatever the arguments say. */
jv args_bind(jv named);
/* A copy of v (consumed) that shares nothing with it, for another thread
 * (jv reference counts are not atomic); numbers keep their double. */
jv jv_deep_copy(jv v);

/* path.c: the fast field path (pt(7), Expressions). */
struct path;
struct path *path_parse(const char *expr);   /* NULL if expr is not a plain path */
void path_free(struct path *p);
const char *path_last_key(const struct path *p);
enum { PATH_FOUND, PATH_NULL, PATH_ERROR };
/* Finds the value of path in the valid JSON text [s,e): PATH_FOUND with its span,
 * PATH_NULL when a step is missing or null (jq gives null), PATH_ERROR when jq
 * would raise an error (indexing a string, say). */
int path_get(const struct path *p, const char *s, const char *e, const struct json_index *ix,
    const char **vp, size_t *vlen);

/* A template is a list of literal text pieces and compiled placeholders. */
struct piece {
	char *text;          /* literal text, or the placeholder's source */
	size_t len;
	struct expr *e;      /* NULL for literal text */
};

struct tmpl {
	struct piece *p;
	int n;
};
/* Compiles template text (where names it in messages); a placeholder that
 * does not compile exits 2. */
void tmpl_compile(struct tmpl *t, const char *text, jv args, const char *where);
/* Renders t for record r into out: NULL, or the failed placeholder's message
 * (the caller frees it). */
char *tmpl_render(struct tmpl *t, const struct rec *r, jv *parsed, struct buf *out);
void tmpl_free(struct tmpl *t);
/* Splits a template file into its "--- system" and "--- user" sections. */
void split_sections(const char *text, char **sys, char **user);

#endif
