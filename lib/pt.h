/* pt.h: the one shared header of the pt tools (see man/pt.7). */
#ifndef PT_H
#define PT_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <jq.h>
#include <jv.h>

#define PT_VERSION "0.1.0"

/* Exit statuses, DESIGN §3. */
enum {
	PT_EXIT_OK = 0,     /* every record processed */
	PT_EXIT_FAIL = 1,   /* finished, at least one record failed */
	PT_EXIT_USAGE = 2,  /* usage or configuration error, nothing processed */
	PT_EXIT_WRITE = 3,  /* a write to stdout failed */
	PT_EXIT_NOMEM = 4   /* out of memory */
};

/* alloc.c: allocation that never fails (out of memory is exit 4);
 * msg.c: messages, verbs, numbers given as options. */
extern const char *progname;
extern int stdout_closed;   /* stdout was closed at start: writing a record is a write error */
void pt_init(char **argv);
void pt_nomem(void) __attribute__((noreturn));   /* says so without allocating; exit 4 */
void *emalloc(size_t n);
void *ecalloc(size_t n, size_t m);
void *erealloc(void *p, size_t n);
char *estrdup(const char *s);
char *estrndup(const char *s, size_t n);
/* "tool: message" on stderr; die then exits with status. */
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
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
/* A descriptor to write file through: a temporary name beside it (*tmp, for
 * temp_commit to rename over file) or, for a device or pipe, file itself
 * (*tmp NULL); -1 and errno on failure. */
int temp_open(const char *file, char **tmp);
int temp_commit(int fd, char *tmp, const char *file);   /* fsync + rename; -1 and errno; frees tmp */
void temp_discard(char *tmp);                           /* removes the temporary; frees tmp */
/* -o FILE: stdout goes to a temporary file beside FILE, renamed to FILE by
 * output_commit once everything is written, so FILE is whole at every moment. */
void output_open(const char *file);
void output_commit(void);

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
/* Appends s as a JSON string; bytes that are not UTF-8 become U+FFFD, as in jq. */
void json_quote(struct buf *b, const char *s, size_t n);
double json_number(const char *p, size_t n);   /* the double of a number's text, as strtod */
/* Shortest text that reads back as the same double; integers without exponent. */
int num_fmt(char *out, size_t size, double x);
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
int rec_usable(const struct rec *r);   /* an object? else reported with file:line */
void rec_warn(const struct rec *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* out.c: stdout, whole records at a time; a failed write exits 3. */
void out_line(const char *p, size_t n);   /* p without newline */
void out_record(const char *p, size_t n);   /* a record's bytes as one line */
void buf_add_compact(struct buf *b, const char *p, size_t n);
void out_flush(void);
void out_close(void);
/* Writes the object text obj with the members named in drop[] removed and the
 * members text add (",\"k\":v,…" without the leading comma, or "") appended. */
void out_spliced(const char *obj, size_t len, const char *const *drop, const char *add, size_t addlen);
void splice_object(struct buf *b, const char *obj, size_t len, const char *const *drop, const char *add, size_t addlen);

/* expr.c: jq expressions compiled once, run per record, with a fast plain-path read. */
struct expr;
/* Compiles prog (what names it in messages) with args, an object of $NAME
 * bindings (consumed). A program that does not compile exits 2 with jq's message. */
struct expr *expr_new(const char *prog, jv args, const char *what);
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
/* --arg/--argjson handling shared by every tool: adds to *args (an object). */
void args_add(jv *args, const char *name, const char *value, int is_json);
void args_option(jv *args, int is_json, int argc, char **argv);   /* getopt's --arg/--argjson */

/* path.c: the fast field path of DESIGN §3. */
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

/* wire.c: the three wire formats (OpenAI chat completions, Azure, Anthropic messages). */
enum { API_OPENAI, API_AZURE, API_ANTHROPIC };
int api_parse(const char *s);               /* -1 if unknown */
const char *api_name(int api);
const char *api_path(int api);              /* "/chat/completions" or "/messages" */
struct sampling {
	int has_temperature, has_max_tokens, has_max_completion_tokens, has_seed;
	double temperature;
	long max_tokens, max_completion_tokens, seed;
	struct buf params;                      /* ",\"key\":json" for each --param */
};
void sampling_param(struct sampling *s, const char *kv);   /* --param KEY=JSON; exits 2 if bad */
/* The canonical request body for the chat messages (JSON array text): fixed
 * key order, strings re-quoted, numbers printed exactly. Returns a heap string
 * the caller owns, or NULL with *err when the messages are not usable. */
char *wire_body(int api, const char *model, const char *msgs, size_t len, const struct sampling *s,
    long sample, const char **err);
struct reply {
	char *text;                             /* the final answer, reasoning removed, or NULL */
	char *reasoning, *refusal;              /* what the server sent apart from the answer, or NULL */
	char *served_model, *finish_reason;     /* or NULL */
	long prompt_tokens, completion_tokens;  /* -1 when not given */
	long reasoning_tokens, cached_tokens;   /* -1 when not given */
	int unclosed;                           /* the reasoning began and never ended */
};
enum { WIRE_OK, WIRE_RETRY, WIRE_BAD };
/* Reads a 2xx reply body into *r (fields owned by r; reply_free). WIRE_RETRY
 * when the body is not the JSON expected (a truncated or garbled reply),
 * WIRE_BAD when it is but holds no answer text. */
int wire_reply(int api, const char *body, size_t len, struct reply *r, const char **err);
/* Whether a read reply is a complete answer: ST_OK, or ST_TRUNCATED (token
 * limit), ST_FILTERED (content filter), ST_REFUSED, ST_EMPTY (no answer text,
 * or reasoning that never ended), with *why saying so. */
int reply_status(const struct reply *r, const char **why);
/* Appends ,"reasoning":…, ,"refusal":… and, for an answer that is not ok,
 * ,"partial": the text that came, each when there is one. */
void buf_reply_text(struct buf *b, const struct reply *r, int status);
/* Appends the "usage" member's value: an object, or null. */
void buf_usage(struct buf *b, const struct reply *r);
void reply_free(struct reply *r);

/* cache.c: the content-addressed response cache (DESIGN §4.4). */
void sha256_hex(const void *p, size_t n, char out[65]);
/* The request hash: SHA-256 of api, endpoint path, model (with the Azure
 * deployment, which chooses the model), body and sample. */
struct engine_opts;
void request_hash(const struct engine_opts *o, const char *body, long sample, char out[65]);
char *cache_get(const char *dir, const char *hash, size_t *len);   /* NULL on a miss; caller frees */
int cache_put(const char *dir, const char *hash, const char *body, size_t len);   /* -1 and errno */

/* pace.c: keeping within rate limits. */
struct bucket {                 /* what may still be spent; size 0: nothing known, no limit */
	double size, level, rate, t;   /* units, units, units per second, when level was right */
};
void bucket_init(struct bucket *b, double size, double per_s, double t);
double bucket_wait(const struct bucket *b, double cost, double t);   /* seconds until cost can be spent */
void bucket_take(struct bucket *b, double cost, double t);           /* may go below zero */
/* Sets b from a server's remaining (may be below zero: owed) and per-minute limit. */
void bucket_server(struct bucket *b, double remaining, double limit, double t);
/* A reply's rate-limit headers: v[requests, tokens, input tokens][remaining, limit], -1 unknown. */
struct ratelimit {
	double v[3][2];
};
void ratelimit_clear(struct ratelimit *r);
void ratelimit_header(struct ratelimit *r, const char *line, size_t len);

/* engine.c: many requests in flight in one thread (libcurl multi). */
enum {
	ST_OK, ST_BAD_INPUT, ST_HTTP_ERROR, ST_TIMEOUT, ST_NETWORK_ERROR, ST_BAD_RESPONSE,
	ST_CACHE_MISS, ST_NOT_SENT, ST_TRUNCATED, ST_FILTERED, ST_REFUSED, ST_EMPTY, ST_NSTATUS
};
extern const char *const status_names[];
struct engine_opts {
	int api;
	char **urls;                            /* base URLs, one or more replicas */
	int nurls;
	const char *model, *key, *api_version, *cache_dir;
	int jobs, retries, offline, progress;
	int bearer;                             /* Azure: the key is an Entra ID token */
	double retry_after_cap, timeout, rpm;
	double tpm;                             /* tokens per minute, estimated before sending */
	double max_wait;                        /* seconds a record may wait on servers that ask to */
	long out_tokens;                        /* the completion limit sent, for token estimates */
	const char *what;                       /* "records" or "judgements" in totals */
};
struct job {
	/* set by the tool before engine_submit */
	char *body;                             /* request body; the engine frees it */
	char hash[65];
	void (*done)(struct job *j);            /* called once; the tool frees the job */
	void *ctx;
	/* set by the engine before done() */
	int status, cached, attempts, abandoned;
	int no_retry;                           /* the server said x-should-retry: false */
	int waits;                              /* attempts the server asked to wait after (not counted) */
	struct ratelimit rl;                    /* the last reply's rate-limit headers */
	double est_tokens;                      /* tokens this request is reckoned to cost */
	long start_seq;                         /* its place among its replica's starts */
	double start_tokens;                    /* the replica's estimated tokens started, with it */
	long http_status;                       /* 0 when no HTTP reply */
	double latency_ms;
	char *error;                            /* message, or NULL */
	struct reply reply;
	const char *base_url;                   /* the replica used (no credentials) */
	/* engine internals */
	struct job *next;
	void *easy;
	struct buf resp;
	double not_before, t_first, t_attempt, retry_after;
	int url;
	char errbuf[256];
};
struct engine;
struct engine *engine_new(const struct engine_opts *o);
/* Takes the job: answers it from the cache (or as a miss, offline) at once,
 * else queues it. done() may run before this returns. */
void engine_submit(struct engine *e, struct job *j);
int engine_room(struct engine *e);          /* may the tool submit another job */
int engine_idle(struct engine *e);          /* nothing queued or in flight */
/* Runs transfers for up to timeout_ms, waking early when fd (if >= 0) is readable. */
void engine_step(struct engine *e, int fd, int timeout_ms);
/* Stops starting requests, gives those in flight a few seconds, abandons the rest. */
void engine_drain(struct engine *e);
void engine_note_input(struct engine *e, long total);   /* total jobs, once known */
void engine_count_failure(struct engine *e);            /* a record failed before any request */
int engine_failed(struct engine *e);
void engine_totals(struct engine *e);
void engine_free(struct engine *e);
void job_clear(struct job *j);              /* frees the engine-owned parts of a finished job */
char *redact(const char *s, const char *key);
double retry_after_header(const char *line, size_t len, double current);   /* s with every occurrence of key hidden */
extern volatile int pt_interrupted;
void on_interrupt(void);                    /* SIGINT/SIGTERM set pt_interrupted */
/* Reads the API key: --api-key-file, else the first set variable of names. */
char *api_key(const char *file, const char *const *names);

/* cli.c: the engine options pt-infer and pt-judge share. */
enum {
	OPT_API = 1000, OPT_API_VERSION, OPT_TEMPERATURE, OPT_MAX_TOKENS, OPT_SEED, OPT_PARAM, OPT_RETRIES,
	OPT_RETRY_AFTER_CAP, OPT_TIMEOUT, OPT_RPM, OPT_CACHE, OPT_OFFLINE, OPT_RESUME, OPT_SAMPLES,
	OPT_KEY_FILE, OPT_PROGRESS, OPT_NO_PROGRESS, OPT_VERSION, OPT_OUTPUT, OPT_MAX_COMPLETION_TOKENS, OPT_TPM, OPT_MAX_WAIT
};
#define ENGINE_LONGOPTS \
	{ "api", required_argument, NULL, OPT_API }, \
	{ "api-key-file", required_argument, NULL, OPT_KEY_FILE }, \
	{ "api-version", required_argument, NULL, OPT_API_VERSION }, \
	{ "cache", required_argument, NULL, OPT_CACHE }, \
	{ "jobs", required_argument, NULL, 'j' }, \
	{ "keep-order", no_argument, NULL, 'k' }, \
	{ "max-completion-tokens", required_argument, NULL, OPT_MAX_COMPLETION_TOKENS }, \
	{ "max-tokens", required_argument, NULL, OPT_MAX_TOKENS }, \
	{ "max-wait", required_argument, NULL, OPT_MAX_WAIT }, \
	{ "model", required_argument, NULL, 'm' }, \
	{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS }, \
	{ "offline", no_argument, NULL, OPT_OFFLINE }, \
	{ "output", required_argument, NULL, 'o' }, \
	{ "param", required_argument, NULL, OPT_PARAM }, \
	{ "progress", no_argument, NULL, OPT_PROGRESS }, \
	{ "resume", required_argument, NULL, OPT_RESUME }, \
	{ "retries", required_argument, NULL, OPT_RETRIES }, \
	{ "retry-after-cap", required_argument, NULL, OPT_RETRY_AFTER_CAP }, \
	{ "rpm", required_argument, NULL, OPT_RPM }, \
	{ "samples", required_argument, NULL, OPT_SAMPLES }, \
	{ "seed", required_argument, NULL, OPT_SEED }, \
	{ "temperature", required_argument, NULL, OPT_TEMPERATURE }, \
	{ "timeout", required_argument, NULL, OPT_TIMEOUT }, \
	{ "tpm", required_argument, NULL, OPT_TPM }, \
	{ "url", required_argument, NULL, 'u' }, \
	{ "version", no_argument, NULL, OPT_VERSION }
#define ENGINE_SHORTOPTS "j:km:o:u:"
struct engine_cli {
	struct engine_opts o;
	char *urls[64];
	struct sampling samp;
	const char *key_file, *resume, *output;
	char *key;
	long samples;
	int keep_order, progress_set;
};
extern const char engine_cli_help[];
void engine_cli_init(struct engine_cli *c);
int engine_cli_opt(struct engine_cli *c, int opt, const char *arg);   /* 1 if it was an engine option */
/* Applies the environment (the PT_JUDGE_* variables first when judge) and
 * checks what is required; exits 2 on a configuration error. */
void engine_cli_finish(struct engine_cli *c, int judge);
void engine_cli_free(struct engine_cli *c);
/* A --resume FILE: its lines by the request hashes they hold, so that a
 * resumed run writes every input record once, in its best state: the line
 * of an answer that is done already, else a new answer. */
struct resume {
	struct strmap at;       /* hash -> the line holding it (its ok line, else its last) */
	struct strset ok;       /* hashes answered ok */
	char **line;
	size_t *len;
	unsigned char *live;    /* 1 while a line may still be written */
	size_t n;
};
/* Reads file (none is a first run); expr yields [hash, ok] for each answer
 * in a line. A line that no hash points to (a failure answered later in the
 * same file, a duplicate) is never written again. */
void resume_load(struct resume *rs, const char *file, const char *expr);
/* The line (owned by rs) answering every hash of h[0..n-1] ok, or NULL; it is
 * then no longer live. */
const char *resume_take(struct resume *rs, char (*h)[65], long n, size_t *len);
void resume_supersede(struct resume *rs, const char *hash);   /* a new answer replaces its line */
/* Writes the lines still live (an interrupted resume: records not reached
 * keep what FILE had); returns how many. */
long resume_rest(struct resume *rs);
/* The interrupt message of pt-infer and pt-judge. */
void resume_interrupted(const char *file, unsigned long unfinished, long kept);
void resume_free(struct resume *rs);
/* Quotes s (may be NULL: null) into b as a JSON value. */
void buf_json_str_or_null(struct buf *b, const char *s);

/* judge.c: reading a judge's reply {"score": n, "justification": s}. */
enum { JUDGE_OK, JUDGE_PARSE_ERROR };
/* *just is a heap string or NULL; *err a static reason on failure. */
int judge_parse(const char *text, double *score, char **just, const char **err);

/* rubric.c: judge rubrics as data (pt-judge(1), "Rubric files"). */
struct embedded { const char *name, *text; };
extern const struct embedded embedded[];   /* rubrics/NAME.rubric, by lib/embed.sh; ends with { 0 } */
struct rubric {
	char *name, *prompt_id;
	char *summary;              /* one line for the --task auto router */
	char **need, **show;        /* fields the judge needs; fields shown when present */
	int nneed, nshow, show_set;
	double lo, hi;              /* the scale; hi NaN: the record's max_field */
	char *max_field;
	double grid;                /* scores are multiples of grid (0: any) */
	double gap_lo, gap_hi;      /* no score strictly between these (NaN: none) */
	char *text;                 /* what the judge is told */
};
/* Parses text (changed in place; origin names it in messages): 0, or -1
 * said on stderr as origin:line. */
int rubric_parse(struct rubric *rb, char *text, const char *origin);
void rubric_free(struct rubric *rb);
int rubric_builtins(struct rubric **out);   /* the built-in rubrics, parsed; their count */
/* The fields shown to the judge, in the order shown: those known by name
 * first (rubric_label), then the others as listed; caller frees the array. */
const char **rubric_fields(const struct rubric *rb, int *n);
const char *rubric_label(const char *field);   /* the field itself when it has no label */
/* Why score s is not on rb's scale (max: the record's maximum), or NULL. */
char *rubric_check(const struct rubric *rb, double s, double max);

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
/* Bland-Altman from the differences d (pred - truth): their mean and SD. */
void bland_altman(const double *d, size_t n, double *bias, double *sd);
void mann_whitney(const double *x, size_t n1, const double *y, size_t n2, double *u, double *p);
void holm(const double *p, size_t m, double *adj);

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
};
struct group *group_get(struct groups *gs, const char *key);
/* Reads every record into its group: a record whose key or number fails
 * counts in *nfail, one without a number in *nmissing and its group's missing. */
void groups_read(struct groups *gs, struct reader *rd, const struct group_exprs *x, unsigned long *nfail,
    unsigned long *nmissing);
void groups_free(struct groups *gs);

/* Input-order output for -k: lines are held until those before them are written. */
void order_skip(long seq);                          /* seq will never come */
/* Writes line now, or (keep_order) once those before seq are out; line is the caller's. */
void order_out(int keep_order, long seq, const char *line, size_t len);

#endif
