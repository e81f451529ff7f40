/* engine.h: talking to models: the wire formats, the request engine, the options and
 * --resume of pt-infer and pt-judge. */
#ifndef PT_ENGINE_H
#define PT_ENGINE_H

#include "pt.h"

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
/* Appends ,"reasoning":…, ,"refusal":… and, for an answer that is not ok,
 * ,"partial": the text that came, each when there is one. */
void buf_reply_text(struct buf *b, const struct reply *r, int status);
/* Appends the "usage" member's value: an object, or null. */
void buf_usage(struct buf *b, const struct reply *r);
void reply_free(struct reply *r);

/* cache.c: the content-addressed response cache (pt-infer(1), --cache). */
void sha256_hex(const void *p, size_t n, char out[65]);
/* The request hash: SHA-256 of api, endpoint path, model (with the Azure
 * deployment, which chooses the model), body and sample. */
struct engine_opts;
void request_hash(const struct engine_opts *o, const char *body, long sample, char out[65]);

/* engine.c: many requests in flight in one thread (libcurl multi). */
enum {
	ST_OK, ST_BAD_INPUT, ST_HTTP_ERROR, ST_TIMEOUT, ST_NETWORK_ERROR, ST_BAD_RESPONSE,
	ST_CACHE_MISS, ST_NOT_SENT, ST_TRUNCATED, ST_FILTERED, ST_REFUSED, ST_EMPTY, ST_BUDGET, ST_NSTATUS
};
extern const char *const status_names[];
struct engine;
struct job;
struct engine_opts {
	int api;
	char **urls;                            /* base URLs, one or more replicas */
	int nurls;
	const char *model, *key, *api_version, *cache_dir;
	const char *cacert;                     /* CA bundle to verify servers with, or NULL: the system's */
	int jobs, retries, offline, progress;
	int bearer;                             /* Azure: the key is an Entra ID token */
	double retry_after_cap, timeout, rpm;
	double tpm;                             /* tokens per minute, estimated before sending */
	double max_wait;                        /* seconds a record may wait on servers that ask to */
	long out_tokens;                        /* the completion limit sent, for token estimates */
	int out_bounded;                        /* it is sent (else out_tokens is only an estimate) */
	const char *prices;                     /* --prices FILE, or NULL */
	double budget;                          /* --budget in dollars, 0: none */
	const char *budget_file;                /* --budget-file, shared by processes, or NULL */
	int estimate;                           /* --estimate: count what would be sent, send nothing */
	const char *what;                       /* "records" or "judgements" in totals */
	int batch;                              /* BATCH_*: how the jobs are asked */
	const char *batch_file;                 /* the state (--batch), input or output file */
	double batch_poll;                      /* seconds between polls */
	long batch_size;                        /* requests per batch at most */
	/* what asks the jobs held while batch is set, at the end of input
	 * (batch_run of batch.c, set by cli.c: the engine is below it) */
	void (*run_held)(struct engine *e, struct job **jobs, size_t n);
};
/* --batch: through the provider's batch API; --batch-input FILE: written
 * there for an offline batch run; --from-batch-output FILE: answered from
 * such a run's output (pt-infer(1) BATCH). */
enum { BATCH_NONE, BATCH_API, BATCH_INPUT, BATCH_OUTPUT };
struct job {
	/* set by the tool before engine_submit */
	char *body;                             /* request body; the engine frees it */
	char hash[65];
	void (*done)(struct job *j);            /* called once; the tool frees the job */
	void *ctx;
	/* set by the engine before done() */
	int status, cached, attempts, abandoned;
	long http_status;                       /* 0 when no HTTP reply */
	double latency_ms;
	double cost;                            /* the answer at --prices' prices, NAN when unknown */
	char *error;                            /* message, or NULL */
	struct reply reply;
	const char *base_url;                   /* the replica used (no credentials) */
	const char *batch_id;                   /* the provider's batch that answered it, or NULL */
	struct xfer *x;                         /* the engine's, from submit to done() */
};
struct engine *engine_new(const struct engine_opts *o);
/* Takes the job: answers it from the cache (or as a miss, offline) at once,
 * else queues it. done() may run before this returns. */
void engine_submit(struct engine *e, struct job *j);
int engine_room(struct engine *e);          /* may the tool submit another job */
int engine_idle(struct engine *e);          /* nothing queued or in flight */
/* Runs transfers for up to timeout_ms, waking early when fd (if >= 0) is readable. */
void engine_step(struct engine *e, int fd, int timeout_ms);
/* The tools' loop: each record of rd to take() while the engine has room
 * (take returns how many requests it adds to the run's total), the engine
 * run until every request is done, output flushed as it goes; on SIGINT or
 * SIGTERM the requests in flight are drained. With no engine (e NULL) the
 * records are only read. */
void engine_run(struct engine *e, struct reader *rd, long (*take)(const struct rec *r));
/* Stops starting requests, gives those in flight a few seconds, abandons the rest. */
void engine_drain(struct engine *e);
void engine_note_input(struct engine *e, long total);   /* total jobs, once known */
void engine_count_failure(struct engine *e);            /* a record failed before any request */
/* An answer that came ok but cannot be used (a judge's reply with no score in
 * range): counted failed in the totals. */
void engine_count_unusable(struct engine *e);
/* Whether the input was read to its end (an interrupt may come first). */
int engine_input_ended(const struct engine *e);
int engine_failed(struct engine *e);
/* The exit status: PT_EXIT_BUDGET when --budget stopped any job, else 1 when any failed, else 0. */
int engine_exit(struct engine *e);
/* --estimate's report, in place of the totals. */
void engine_estimate(struct engine *e);
int engine_batch_failed(struct engine *e);             /* --from-batch-output: FILE had bad lines */
void engine_totals(struct engine *e);
void engine_free(struct engine *e);
void job_clear(struct job *j);              /* frees the engine-owned parts of a finished job */
extern volatile int pt_interrupted;
void on_interrupt(void);                    /* SIGINT/SIGTERM set pt_interrupted */
/* Reads the API key: --api-key-file, else the first set variable of names. */
char *api_key(const char *file, const char *const *names);

/* price.c: what requests cost (pt-infer(1) COST). */
struct price {
	double in, cached, out;                 /* dollars per million tokens; cached < 0: as in */
};
/* The current price of model in file (llm-prices JSON or TSV; exits 2 on a
 * bad file); 0 when it has none (said once). */
int price_load(const char *file, const char *model, struct price *p);
double price_cost(const struct price *p, int api, const struct reply *r, int batch);   /* NAN without usage */
double price_worst(const struct price *p, size_t body_bytes, long out_tokens, int batch);
char *dollars(double x, char out[32]);      /* "$0.00042", "$12.50": to a millionth, as short as that allows */
struct budget {
	double limit, spent, held;              /* held: the worst cases in flight (this process's, no file) */
	double paid;                            /* what this process spent */
	int fd;                                 /* the shared file, or -1 */
	const char *file;
	char host[256];
};
void budget_open(struct budget *b, double limit, const char *file);
int budget_take(struct budget *b, double amount);               /* 1: held, within the limit */
void budget_settle(struct budget *b, double held, double spent);  /* an attempt ended */
double budget_spent(const struct budget *b);                     /* by every process sharing it */
void budget_close(struct budget *b);

/* cli.c: the engine options pt-infer and pt-judge share. */
enum {
	OPT_API = 1000, OPT_API_VERSION, OPT_TEMPERATURE, OPT_MAX_TOKENS, OPT_SEED, OPT_PARAM, OPT_RETRIES,
	OPT_RETRY_AFTER_CAP, OPT_TIMEOUT, OPT_RPM, OPT_CACHE, OPT_OFFLINE, OPT_RESUME, OPT_SAMPLES,
	OPT_KEY_FILE, OPT_PROGRESS, OPT_NO_PROGRESS, OPT_VERSION, OPT_OUTPUT, OPT_MAX_COMPLETION_TOKENS, OPT_TPM, OPT_MAX_WAIT,
	OPT_BATCH, OPT_BATCH_STATE, OPT_BATCH_POLL, OPT_BATCH_SIZE, OPT_BATCH_INPUT, OPT_FROM_BATCH_OUTPUT, OPT_CACERT,
	OPT_PRICES, OPT_BUDGET, OPT_BUDGET_FILE, OPT_ESTIMATE
};
#define ENGINE_LONGOPTS \
	{ "api", required_argument, NULL, OPT_API }, \
	{ "api-key-file", required_argument, NULL, OPT_KEY_FILE }, \
	{ "api-version", required_argument, NULL, OPT_API_VERSION }, \
	{ "batch", no_argument, NULL, OPT_BATCH }, \
	{ "batch-input", required_argument, NULL, OPT_BATCH_INPUT }, \
	{ "batch-poll", required_argument, NULL, OPT_BATCH_POLL }, \
	{ "batch-size", required_argument, NULL, OPT_BATCH_SIZE }, \
	{ "batch-state", required_argument, NULL, OPT_BATCH_STATE }, \
	{ "budget", required_argument, NULL, OPT_BUDGET }, \
	{ "budget-file", required_argument, NULL, OPT_BUDGET_FILE }, \
	{ "cache", required_argument, NULL, OPT_CACHE }, \
	{ "cacert", required_argument, NULL, OPT_CACERT }, \
	{ "estimate", no_argument, NULL, OPT_ESTIMATE }, \
	{ "from-batch-output", required_argument, NULL, OPT_FROM_BATCH_OUTPUT }, \
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
	{ "prices", required_argument, NULL, OPT_PRICES }, \
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
	const char *key_file, *resume, *output, *batch_state;
	char *key, *state_name;
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
/* A --resume FILE (resume.c): its lines by record and request, so that a
 * resumed run writes every input record once, in its best state: its own
 * line when that is done already, else a new answer. */
struct resume_line {
	char *text;
	size_t len;
	struct buf ok;          /* the request hashes answered ok here, 64 bytes each */
	int live;               /* 1 while the line may still be written */
};
struct resume {
	struct strmap at;       /* record id + request hash -> its first link */
	struct { size_t line, next, last; } *link;   /* the lines holding one record's request, in FILE's order */
	size_t nlinks, linkcap;
	struct resume_line *line;
	size_t n;
};
/* A record's identity, as hex SHA-256: its members but those named in drop,
 * with the members of the object unfold taken as its own, compared
 * decoded and compact, in any order. */
void resume_id(const char *text, size_t len, const char *const *drop, const char *unfold, char out[65]);
/* Reads file (none is a first run); expr yields [hash, ok] for each answer
 * in a line; drop and unfold give a line's record identity. */
void resume_load(struct resume *rs, const char *file, const char *expr, const char *const *drop, const char *unfold);
/* The line (owned by rs) of record id answering every hash of h[0..n-1] ok,
 * or NULL; it is then no longer live. */
const char *resume_take(struct resume *rs, const char *id, char (*h)[65], long n, size_t *len);
/* A new answer of record id replaces its line (the one holding hash). */
void resume_supersede(struct resume *rs, const char *id, const char *hash);
/* Writes the lines still live (an interrupted resume: records not reached
 * keep what FILE had); returns how many. */
long resume_rest(struct resume *rs);
/* The interrupt message of pt-infer and pt-judge. */
void resume_interrupted(const char *file, unsigned long unfinished, long kept, int input_ended);
void resume_free(struct resume *rs);

#endif
