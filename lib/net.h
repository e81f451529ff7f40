/* net.h: the engine's own parts (lib/ only, and the unit tests): reading
 * replies, the cache's files, rate limits, keys and redaction. */
#ifndef PT_NET_H
#define PT_NET_H

#include "engine.h"

enum { WIRE_OK, WIRE_RETRY, WIRE_BAD };
/* Reads a 2xx reply body into *r (fields owned by r; reply_free). WIRE_RETRY
 * when the body is not the JSON expected (a truncated or garbled reply),
 * WIRE_BAD when it is but holds no answer text. */
int wire_reply(int api, const char *body, size_t len, struct reply *r, const char **err);
/* A server's JSON text parsed, an escaped NUL in a string kept as C0 80
 * (json_mark_nul) so the text after it survives; NULL if it is not JSON. */
struct cJSON *wire_parse(const char *p, size_t n);
/* Whether a read reply is a complete answer: ST_OK, or ST_TRUNCATED (token
 * limit), ST_FILTERED (content filter), ST_REFUSED, ST_EMPTY (no answer text,
 * or reasoning that never ended), with *why saying so. */
int reply_status(const struct reply *r, const char **why);
/* cache.c: the response cache's files. */
char *cache_get(const char *dir, const char *hash, size_t *len);   /* NULL on a miss; caller frees */
int cache_put(const char *dir, const char *hash, const char *body, size_t len);   /* -1 and errno */
/* Says that this process asks hash (a lock file in the cache, so that other
 * processes on the same cache wait for its answer rather than pay again):
 * the descriptor to cache_unclaim once the answer is in; -1 while another
 * process asks it; -2 when no claim can be made (ask anyway). */
int cache_claim(const char *dir, const char *hash);
void cache_unclaim(const char *dir, const char *hash, int fd);

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
	char bad[96];   /* the first header that made no sense (ignored), or "" */
};
void ratelimit_clear(struct ratelimit *r);
void ratelimit_header(struct ratelimit *r, const char *line, size_t len);

/* The most a server's reply may hold (inflated), and what all replies in
 * flight may hold together: a hostile server bounds nothing. */
#define REPLY_MAX ((size_t)8 << 20)
#define REPLY_MAX_TEXT "8 MiB"
#define HELD_MAX ((size_t)512 << 20)
#define HELD_MAX_TEXT "512 MiB"

/* engine.c, for batch.c */
double mono_now(void);                      /* seconds on the monotonic clock */
struct curl_slist;
struct curl_slist *auth_headers(const struct engine_opts *o, struct curl_slist *l);   /* Expect:, the key, version */
void headers_free(struct curl_slist *l);    /* wipes the key first */
void easy_defaults(void *curl, double timeout);   /* the options every request of pt sets alike */
const struct engine_opts *engine_opts(const struct engine *e);
const char *engine_shown_url(const struct engine *e);   /* the first replica, without credentials */
const char *engine_keep(struct engine *e, const char *s);   /* a copy that lives as long as e */
/* Reads a reply of HTTP status code into j (status, reply, error) and caches
 * an ok answer; 1 if the failure is one worth asking again. */
int engine_answer(struct engine *e, struct job *j, long code, const char *body, size_t len);
/* Ends j with status (and error, when not NULL); a status not ok counts as
 * failed unless failed is 0. */
void engine_end(struct engine *e, struct job *j, int status, const char *error, int failed);
void engine_abandon(struct job *j);         /* hands j back unanswered (interrupted) */
void engine_bad_batch_file(struct engine *e);   /* the file had a bad line: the exit status is 1 */
/* batch.c: asks the jobs (their hashes as custom_ids) in the way o.batch says;
 * every job ends (or, interrupted, is abandoned) before it returns. */
void batch_run(struct engine *e, struct job **jobs, size_t n);

char *redact(const char *s, const char *key);
char *shown_url(const char *u);   /* the URL as records show it: without user:password@; caller frees */   /* s with every occurrence of key hidden */
double retry_after_header(const char *line, size_t len, double current);

#endif
