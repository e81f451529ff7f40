/* engine.c: the request engine shared by pt-infer and pt-judge. One libcurl
 * multi handle in one thread owns every connection; we cap requests in flight
 * ourselves (curl's own timeout would count time queued inside curl). Starts
 * keep to --rpm, --tpm and each replica's buckets, filled from its rate-limit
 * headers (pace.c). A job is retried on connection errors, timeouts and HTTP
 * 408/409/429/5xx after the server's own retry time (Retry-After, within
 * --retry-after-cap) or, where it gives none, a backoff doubling from 0.5 s
 * to 60 s, never past --max-wait;
 * a 429 or 503/529 with a retry time pauses that replica's starts, a 429
 * without one halves the in-flight limit, which grows back by one per
 * success. Replies are read within REPLY_MAX, the key redacted from them
 * first. Each job ends exactly once, in its done() callback; jobs held for a
 * batch go to the run_held hook (batch.c, above this file). */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <curl/curl.h>

#include "net.h"

const char *const status_names[] = {
	"ok", "bad_input", "http_error", "timeout", "network_error", "bad_response", "cache_miss", "not_sent",
	"truncated", "filtered", "refused", "empty", "budget"
};

volatile int pt_interrupted;
static const char *ca_bundle;   /* --cacert, for every request of the run */

/* The engine's side of a job, from engine_submit until done(). */
struct xfer {
	struct job *next;                       /* in the ready queue */
	void *easy;
	struct buf resp;
	double not_before, t_first, t_attempt, retry_after;
	int url;                                /* the replica */
	char errbuf[256];
	const char *too_big;                    /* why the reply was not read to its end, or NULL */
	int no_retry;                           /* the server said x-should-retry: false */
	int waits;                              /* attempts the server asked to wait after (not counted) */
	struct ratelimit rl;                    /* the last reply's rate-limit headers */
	double est_tokens;                      /* tokens this request is reckoned to cost */
	long start_seq;                         /* its place among its replica's starts */
	double start_tokens;                    /* the replica's estimated tokens started, with it */
	double held;                            /* the budget held for this attempt (its worst case) */
	struct job *followers;                  /* jobs of the same request, answered with this one's answer */
	struct job *next_follower;
	int follows;                            /* this job waits on another's answer (paid once) */
	int claim;                              /* the cache's claim on its request (cache_claim) when
	                                           it starts: -1 not yet, -2 none to be had (asked anyway) */
};

/* A replica's own limits: a pause a 429 asked for, and the request and
 * token buckets its rate-limit headers describe. */
struct pace {
	double pause_until, pause_jitter;
	struct bucket req, tok;
	long starts;                  /* requests started on it */
	double started_tokens;        /* their estimated tokens */
};

struct engine {
	struct engine_opts o;
	CURLM *multi;
	struct job *queue, *tail;     /* ready to start: retries that are due first, then new jobs */
	struct job **later;           /* retries not yet due: a min-heap by not_before */
	size_t nlater, latercap;
	struct pace *pace;            /* per replica */
	struct bucket tpm;            /* --tpm */
	double blocked_until;         /* when a start held back by a limit may go (0: none held) */
	const char *blocked_why;
	int blocked_url;
	long n429;
	double probe_until;           /* before the first reply, or this time, one request goes alone,
	                                 so that its rate-limit headers pace the rest (0: done) */
	double paused;                /* seconds a start was held back by a server's pause */
	double pause_since;           /* since when one is (0: none) */
	int said_bad_limit;           /* a rate-limit header that made no sense was said */
	long uncached;                /* answers the cache could not keep: the first said, all counted */
	int uncached_errno;           /* why the first could not */
	struct job **running;         /* in flight */
	int nrunning, limit;
	int *url_load;
	char **endpoints;             /* request URL per replica */
	char **shown;                 /* replica URL for records (no credentials) */
	struct curl_slist *headers;
	double next_start, t0, last_progress;
	long total;                   /* jobs expected, -1 until input ended */
	long done, failed, cached, retries, ptok, ctok, rtok, cachedtok, queued;
	unsigned long rnd;
	int progress_shown;
	char *stopped;                /* a configuration error: why nothing more is sent */
	struct job **held;            /* --batch and the like: the jobs for o.run_held, at the end of input */
	size_t nheld, heldcap;
	char **kept;                  /* strings that live as long as the engine (batch ids) */
	size_t nkept;
	int bad_batch_file;           /* --from-batch-output: the file had lines that are no result */
	struct price price;           /* --prices: this model's */
	int priced;
	struct budget bud;            /* --budget */
	long nbudget;                 /* jobs the budget stopped */
	long nunpriced;               /* answers with no usage to price */
	double spent;                 /* what this run's attempts cost */
	double est_bytes, est_out;    /* --estimate: what would be sent */
	long est_requests;
	struct job **asking;          /* the requests queued or in flight, by hash (open addressing) */
	size_t askcap, askused;
	long shared;                  /* jobs answered from an identical request of this run */
	struct job **waiting;         /* requests another process on the cache is asking: their answers awaited */
	size_t nwaiting, waitcap;
	double next_poll;
	long waited;                  /* answered so, from the cache */
	long unfailed;                /* ended not ok but not failed: written for a batch (--batch-input) */
};

/* Bytes of replies held by transfers in flight, all of them together. */
static size_t held_bytes;
static const char too_long[] = "reply larger than " REPLY_MAX_TEXT " (a chat answer is kilobytes): not read further";
static const char too_many[] = "the replies in flight hold " HELD_MAX_TEXT " together (fewer with a smaller -j)";

/* Drops what j's transfer had read. */
static void
resp_drop(struct job *j)
{
	held_bytes -= j->x->resp.len;
	j->x->resp.len = 0;
}

double
mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
handle_signal(int sig)
{
	pt_interrupted = sig;
}

void
on_interrupt(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handle_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

char *
redact(const char *s, const char *key)
{
	struct buf b = { 0 };
	size_t kl = key ? strlen(key) : 0;
	if (kl < 4) {
		buf_adds(&b, s);
		return buf_cstr(&b);
	}
	for (const char *p = s; *p;) {
		const char *q = strstr(p, key);
		if (!q) {
			buf_adds(&b, p);
			break;
		}
		buf_add(&b, p, (size_t)(q - p));
		buf_adds(&b, "[redacted]");
		p = q + kl;
	}
	return buf_cstr(&b);
}

char *
api_key(const char *file, const char *const *names)
{
	if (file) {
		size_t n;
		char *k = read_file(file, &n);
		if (!k) {
			die(PT_EXIT_USAGE, "--api-key-file %s: %s", file, strerror(errno));
		}
		while (n && (k[n - 1] == '\n' || k[n - 1] == '\r' || k[n - 1] == ' '))
			k[--n] = 0;
		return k;
	}
	for (; *names; names++) {
		const char *v = getenv(*names);
		if (v && *v)
			return estrdup(v);
	}
	return NULL;
}

char *
shown_url(const char *u)
{
	const char *scheme = strstr(u, "://");
	const char *host = scheme ? scheme + 3 : u;
	const char *at = strchr(host, '@'), *slash = strchr(host, '/');
	struct buf b = { 0 };
	if (at && (!slash || at < slash)) {
		buf_add(&b, u, (size_t)(host - u));
		buf_adds(&b, at + 1);
	} else
		buf_adds(&b, u);
	return buf_cstr(&b);
}

struct curl_slist *
auth_headers(const struct engine_opts *o, struct curl_slist *l)
{
	struct buf h = { 0 };
	l = curl_slist_append(l, "Expect:");
	if (o->key) {
		if (o->api == API_OPENAI || o->bearer)
			buf_printf(&h, "Authorization: Bearer %s", o->key);
		else if (o->api == API_AZURE)
			buf_printf(&h, "api-key: %s", o->key);
		else
			buf_printf(&h, "x-api-key: %s", o->key);
		l = curl_slist_append(l, buf_cstr(&h));
		/* wipe our copy of the header text */
		memset(h.p, 0, h.len);
	}
	if (o->api == API_ANTHROPIC)
		l = curl_slist_append(l, "anthropic-version: 2023-06-01");
	free(h.p);
	return l;
}

void
headers_free(struct curl_slist *l)
{
	/* the list holds the key header: wipe before freeing */
	for (struct curl_slist *s = l; s; s = s->next)
		memset(s->data, 0, strlen(s->data));
	curl_slist_free_all(l);
}

struct engine *
engine_new(const struct engine_opts *o)
{
	struct engine *e = ecalloc(1, sizeof *e);
	e->o = *o;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		die(PT_EXIT_USAGE, "cannot start libcurl");
	}
	e->multi = curl_multi_init();
	ca_bundle = o->cacert;
	e->limit = o->jobs;
	e->running = ecalloc((size_t)o->jobs, sizeof *e->running);
	e->pace = ecalloc((size_t)o->nurls, sizeof *e->pace);
	e->probe_until = -1;   /* set when the first request starts */
	if (o->tpm > 0)
		bucket_init(&e->tpm, o->tpm, o->tpm / 60, mono_now());
	e->url_load = ecalloc((size_t)o->nurls, sizeof *e->url_load);
	e->endpoints = ecalloc((size_t)o->nurls, sizeof *e->endpoints);
	e->shown = ecalloc((size_t)o->nurls, sizeof *e->shown);
	for (int i = 0; i < o->nurls; i++) {
		struct buf u = { 0 };
		size_t n = strlen(o->urls[i]);
		while (n && o->urls[i][n - 1] == '/')
			n--;
		buf_add(&u, o->urls[i], n);
		buf_adds(&u, api_path(o->api));
		if (o->api == API_AZURE && !strstr(o->urls[i], "/openai/v1"))   /* the v1 API takes none */
			buf_printf(&u, "?api-version=%s", o->api_version);
		e->endpoints[i] = buf_cstr(&u);
		e->shown[i] = shown_url(o->urls[i]);
	}
	e->headers = curl_slist_append(NULL, "Content-Type: application/json");
	e->headers = auth_headers(o, e->headers);
	/* a socket per request in flight, and a cache claim for each: the soft
	 * limit of descriptors (1,024 here) raised as far as allowed */
	struct rlimit nofile;
	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max && nofile.rlim_cur < 65536) {
		nofile.rlim_cur = nofile.rlim_max < 65536 ? nofile.rlim_max : 65536;
		setrlimit(RLIMIT_NOFILE, &nofile);
	}
	e->bud.fd = -1;
	if (o->prices)
		e->priced = price_load(o->prices, o->model, &e->price);
	if (o->budget > 0 && o->batch)
		die(PT_EXIT_USAGE, "--budget holds each request's worst case as it starts; a batch is sent whole (see what it "
		    "would cost with --estimate)");
	if (o->budget > 0) {
		if (!e->priced)
			die(PT_EXIT_USAGE, "--budget counts dollars: give --prices FILE with a price for %s", o->model);
		if (!o->out_bounded)
			die(PT_EXIT_USAGE, "--budget: without --max-tokens (or --max-completion-tokens) an answer's length, "
			    "and so its cost, has no bound");
		budget_open(&e->bud, o->budget, o->budget_file);
	}
	e->t0 = mono_now();
	e->total = -1;
	e->rnd = (unsigned long)getpid() * 2654435761UL ^ (unsigned long)(e->t0 * 1e6);
	return e;
}

static double
uniform(struct engine *e)
{
	/* xorshift64: jitter needs no statistical quality, only spread */
	e->rnd ^= e->rnd << 13;
	e->rnd ^= e->rnd >> 7;
	e->rnd ^= e->rnd << 17;
	return (double)(e->rnd >> 11) / 9007199254740992.0;
}

void
job_clear(struct job *j)
{
	free(j->body);
	j->body = NULL;
	free(j->error);
	j->error = NULL;
	reply_free(&j->reply);
}

static void
set_error(struct engine *e, struct job *j, const char *fmt, const char *detail)
{
	struct buf b = { 0 };
	buf_printf(&b, fmt, detail);
	free(j->error);
	j->error = redact(buf_cstr(&b), e->o.key);
	free(b.p);
}

/* The requests of this run being asked, by hash: a second job with the same
 * body (and sample index) waits for the first's answer rather than paying
 * for it again. Open addressing; a removed job leaves a tombstone. */
static struct job *const gone = (struct job *)&gone;

static size_t
ask_slot(const struct engine *e, const char *hash)
{
	return (size_t)str_hash(hash, 64) & (e->askcap - 1);
}

static struct job *
asking_find(const struct engine *e, const char *hash)
{
	for (size_t i = e->askcap ? ask_slot(e, hash) : 0; e->askcap && e->asking[i]; i = (i + 1) & (e->askcap - 1))
		if (e->asking[i] != gone && strcmp(e->asking[i]->hash, hash) == 0)
			return e->asking[i];
	return NULL;
}

static void
asking_add(struct engine *e, struct job *j)
{
	if (2 * (e->askused + 1) > e->askcap) {   /* rebuilt twice the size, without tombstones */
		struct job **old = e->asking;
		size_t oldcap = e->askcap;
		e->askcap = e->askcap ? e->askcap * 2 : 256;
		e->asking = ecalloc(e->askcap, sizeof *e->asking);
		e->askused = 0;
		for (size_t i = 0; i < oldcap; i++)
			if (old[i] && old[i] != gone)
				asking_add(e, old[i]);
		free(old);
	}
	size_t i = ask_slot(e, j->hash);
	while (e->asking[i] && e->asking[i] != gone)
		i = (i + 1) & (e->askcap - 1);
	if (!e->asking[i])
		e->askused++;
	e->asking[i] = j;
}

static void
asking_remove(struct engine *e, struct job *j)
{
	for (size_t i = e->askcap ? ask_slot(e, j->hash) : 0; e->askcap && e->asking[i]; i = (i + 1) & (e->askcap - 1))
		if (e->asking[i] == j) {
			e->asking[i] = gone;
			return;
		}
}

static char *
dup_or_null(const char *s)
{
	return s ? estrdup(s) : NULL;
}

/* Gives the job back to the tool. */
static void
hand_back(struct job *j)
{
	resp_drop(j);
	free(j->x->resp.p);
	free(j->x);
	j->x = NULL;
	j->done(j);
}

static void
finish(struct engine *e, struct job *j)
{
	if (j->x->t_first > 0 && !j->cached)
		j->latency_ms = floor((mono_now() - j->x->t_first) * 1000 + 0.5);
	/* what the answer costs at these prices, from the cache too (what it
	 * cost when it was asked); the run's spending is counted apart */
	j->cost = e->priced ? price_cost(&e->price, e->o.api, &j->reply, e->o.batch == BATCH_API) : NAN;
	if (e->o.batch == BATCH_API && !j->cached && !isnan(j->cost))
		e->spent += j->cost;   /* a batch's answers come here, not through complete() */
	e->done++;
	if (j->status != ST_OK)
		e->failed++;
	if (j->cached)
		e->cached++;
	struct job *f = j->x->followers;
	if (!j->x->follows)
		asking_remove(e, j);
	if (j->x->claim >= 0)   /* its answer is in the cache now, if it is to be */
		cache_unclaim(e->o.cache_dir, j->hash, j->x->claim);
	for (struct job *k = f; k; k = k->x->next_follower) {
		/* the same request's answer, as it came, asked and paid once */
		k->status = j->status;
		e->nbudget += j->status == ST_BUDGET;
		k->http_status = j->http_status;
		k->cached = j->cached;
		k->base_url = j->base_url;
		k->x->t_first = 0;
		k->latency_ms = j->latency_ms;
		k->error = dup_or_null(j->error);
		k->reply = j->reply;
		k->reply.text = dup_or_null(j->reply.text);
		k->reply.reasoning = dup_or_null(j->reply.reasoning);
		k->reply.refusal = dup_or_null(j->reply.refusal);
		k->reply.served_model = dup_or_null(j->reply.served_model);
		k->reply.finish_reason = dup_or_null(j->reply.finish_reason);
	}
	if (j->x->follows) {   /* its tokens were counted with the request that asked */
		hand_back(j);
		return;
	}
	if (j->reply.prompt_tokens > 0)
		e->ptok += j->reply.prompt_tokens;
	if (j->reply.completion_tokens > 0)
		e->ctok += j->reply.completion_tokens;
	if (j->reply.reasoning_tokens > 0)
		e->rtok += j->reply.reasoning_tokens;
	if (j->reply.cached_tokens > 0)
		e->cachedtok += j->reply.cached_tokens;
	hand_back(j);
	while (f) {
		struct job *next = f->x->next_follower;
		finish(e, f);
		f = next;
	}
}

static void
push_back(struct engine *e, struct job *j)
{
	j->x->next = NULL;
	if (e->tail)
		e->tail->x->next = j;
	else
		e->queue = j;
	e->tail = j;
	e->queued++;
}

static struct job *
pop_front(struct engine *e)
{
	struct job *j = e->queue;
	if (j) {
		e->queue = j->x->next;
		if (!e->queue)
			e->tail = NULL;
		e->queued--;
	}
	return j;
}

/* The retries that wait: a binary min-heap on not_before, so the engine
 * looks at the next one due, never at the whole queue. */
static void
later_push(struct engine *e, struct job *j)
{
	if (e->nlater == e->latercap) {
		e->latercap = e->latercap ? 2 * e->latercap : 64;
		e->later = erealloc(e->later, e->latercap * sizeof *e->later);
	}
	size_t i = e->nlater++;
	while (i > 0 && e->later[(i - 1) / 2]->x->not_before > j->x->not_before) {
		e->later[i] = e->later[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	e->later[i] = j;
	e->queued++;
}

static struct job *
later_pop(struct engine *e)
{
	struct job *top = e->later[0], *last = e->later[--e->nlater];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= e->nlater)
			break;
		if (c + 1 < e->nlater && e->later[c + 1]->x->not_before < e->later[c]->x->not_before)
			c++;
		if (last->x->not_before <= e->later[c]->x->not_before)
			break;
		e->later[i] = e->later[c];
		i = c;
	}
	if (e->nlater)
		e->later[i] = last;
	e->queued--;
	return top;
}

/* Ends a job that will not be sent after a configuration error. */
static void
not_sent(struct engine *e, struct job *j)
{
	j->status = ST_NOT_SENT;
	set_error(e, j, "not sent: %s", e->stopped);
	finish(e, j);
}

/* A reply that says the configuration is wrong (the key refused): said once,
 * plainly; the queued requests and every later one are not sent. */
static void
stop_sending(struct engine *e, const struct job *j, const char *what)
{
	if (e->stopped)
		return;
	struct buf b = { 0 };
	buf_printf(&b, "%s from %s: %s", j->error, e->shown[j->x->url], what);
	e->stopped = buf_cstr(&b);
	if (e->progress_shown)
		fputc('\n', stderr);
	e->progress_shown = 0;
	warn("%s; the remaining requests are not sent", e->stopped);
	struct job *q;
	while ((q = pop_front(e)) != NULL)
		not_sent(e, q);
	while (e->nlater)
		not_sent(e, later_pop(e));
}

/* What an HTTP error says about the configuration, when every request would
 * fail the same way: a refused key, an exhausted quota (OpenAI's 429
 * insufficient_quota), a parameter or value the model does not take (OpenAI's
 * 400 unsupported_parameter / unsupported_value); else NULL. */
static const char *
config_error(long code, const char *body)
{
	if (code == 401)
		return "the API key was refused (check the key in the environment or --api-key-file)";
	if (code == 403)
		return "the API key has no access to this model or endpoint";
	if (strstr(body, "\"insufficient_quota\""))
		return "quota exhausted: check the account's billing and limits";
	if (code == 400 && (strstr(body, "\"unsupported_parameter\"") || strstr(body, "\"unsupported_value\"")))
		return "the model does not take a parameter as sent (pt-infer(1) says which option sends which field)";
	return NULL;
}

/* Claims j's request in the cache; 0 while another process asks it. */
static int
claimed(struct engine *e, struct job *j)
{
	int fd = cache_claim(e->o.cache_dir, j->hash);
	j->x->claim = fd == -1 ? -1 : fd;
	return fd != -1;
}

/* Tries the cache for j; 1 if answered from it. */
static int
from_cache(struct engine *e, struct job *j)
{
	size_t len;
	const char *err = NULL;
	char *body = cache_get(e->o.cache_dir, j->hash, &len);
	if (!body)
		return 0;
	/* an incomplete answer cached by an older pt is asked again */
	if (wire_reply(e->o.api, body, len, &j->reply, &err) != WIRE_OK || reply_status(&j->reply, &err) != ST_OK) {
		reply_free(&j->reply);
		free(body);
		return 0;
	}
	free(body);
	j->status = ST_OK;
	j->cached = 1;
	j->http_status = 200;
	j->base_url = NULL;   /* no server was asked */
	return 1;
}

void
engine_submit(struct engine *e, struct job *j)
{
	j->status = ST_OK;
	reply_free(&j->reply);   /* (no usage until a server answers) */
	j->x = ecalloc(1, sizeof *j->x);
	j->x->retry_after = -1;
	j->x->claim = -1;
	if (e->o.cache_dir && from_cache(e, j)) {
		finish(e, j);
		return;
	}
	if (e->o.offline) {
		j->status = ST_CACHE_MISS;
		set_error(e, j, "%s", e->o.cache_dir ? "not in the cache (--offline)" : "--offline without --cache");
		finish(e, j);
		return;
	}
	if (e->stopped) {
		not_sent(e, j);
		return;
	}
	if (e->o.estimate) {
		/* counted, not sent; the tool writes nothing for it */
		e->est_requests++;
		e->est_bytes += (double)strlen(j->body);
		e->est_out += (double)e->o.out_tokens;
		engine_abandon(j);
		return;
	}
	struct job *lead = e->o.batch ? NULL : asking_find(e, j->hash);
	if (lead) {
		j->x->follows = 1;
		j->x->next_follower = lead->x->followers;
		lead->x->followers = j;
		e->shared++;
		return;
	}
	if (e->o.batch) {
		if (e->nheld == e->heldcap) {
			e->heldcap = e->heldcap ? 2 * e->heldcap : 256;
			e->held = erealloc(e->held, e->heldcap * sizeof *e->held);
		}
		e->held[e->nheld++] = j;
		return;
	}
	asking_add(e, j);
	push_back(e, j);
}

const struct engine_opts *
engine_opts(const struct engine *e)
{
	return &e->o;
}

const char *
engine_shown_url(const struct engine *e)
{
	return e->shown[0];
}

const char *
engine_keep(struct engine *e, const char *s)
{
	e->kept = erealloc(e->kept, (e->nkept + 1) * sizeof *e->kept);
	return e->kept[e->nkept++] = estrdup(s);
}

void
engine_end(struct engine *e, struct job *j, int status, const char *error, int failed)
{
	j->status = status;
	if (error)
		set_error(e, j, "%s", error);
	if (status != ST_OK && !failed)
		e->unfailed++;
	finish(e, j);
}

void
engine_abandon(struct job *j)
{
	struct job *f = j->x ? j->x->followers : NULL;
	j->abandoned = 1;
	hand_back(j);
	while (f) {
		struct job *next = f->x->next_follower;
		engine_abandon(f);
		f = next;
	}
}

void
engine_bad_batch_file(struct engine *e)
{
	e->bad_batch_file = 1;
}

int
engine_room(struct engine *e)
{
	if (e->o.batch)
		return !pt_interrupted;   /* every job is held until the input ends */
	return !pt_interrupted && e->queued < 2L * e->o.jobs + 16;
}

int
engine_idle(struct engine *e)
{
	return e->queued == 0 && e->nrunning == 0 && e->nheld == 0 && e->nwaiting == 0;
}

void
engine_note_input(struct engine *e, long total)
{
	e->total = total;
}

int
engine_input_ended(const struct engine *e)
{
	return e->total >= 0;
}

void
engine_count_failure(struct engine *e)
{
	e->done++;
	e->failed++;
}

void
engine_count_unusable(struct engine *e)
{
	e->failed++;
}

int
engine_failed(struct engine *e)
{
	return (int)(e->failed > e->unfailed || e->bad_batch_file);
}

int
engine_exit(struct engine *e)
{
	return e->nbudget ? PT_EXIT_BUDGET : engine_failed(e) ? PT_EXIT_FAIL : PT_EXIT_OK;
}

int
engine_batch_failed(struct engine *e)
{
	return e->bad_batch_file;
}

/* A reply is kept in memory as it comes, within REPLY_MAX for one and
 * HELD_MAX for all in flight (an endless body, a gzip bomb: curl hands us
 * the inflated bytes, so the cap is on those); past either, the transfer
 * stops with the reason in x->too_big. */
static size_t
on_body(char *p, size_t size, size_t n, void *data)
{
	struct job *j = data;
	n *= size;
	if (j->x->resp.len + n > REPLY_MAX)
		j->x->too_big = too_long;
	else if (held_bytes + n > HELD_MAX)
		j->x->too_big = too_many;
	if (j->x->too_big)
		return 0;
	buf_add(&j->x->resp, p, n);
	held_bytes += n;
	return n;
}

/* The wait a response header asks for: Retry-After (seconds or an HTTP
 * date) or retry-after-ms, in seconds; -1 if the header is neither. The
 * millisecond form wins over the other, as OpenAI sends both. */
double
retry_after_header(const char *p, size_t len, double current)
{
	char line[256];
	if (len >= sizeof line)
		return current;
	memcpy(line, p, len);
	line[len] = 0;
	char *colon = strchr(line, ':');
	if (!colon)
		return current;
	*colon = 0;
	char *v = colon + 1;
	while (*v == ' ')
		v++;
	v[strcspn(v, "\r\n")] = 0;
	if (strcasecmp(line, "retry-after-ms") == 0) {
		double ms = strtod(v, NULL);
		return isfinite(ms) && ms >= 0 ? ms / 1000 : current;
	}
	if (strcasecmp(line, "retry-after") == 0 && current < 0) {
		char *end;
		double s = strtod(v, &end);
		if (end != v && *end == 0)
			return isfinite(s) && s >= 0 ? s : current;
		time_t t = curl_getdate(v, NULL);
		if (t != -1)
			return difftime(t, time(NULL)) > 0 ? difftime(t, time(NULL)) : 0;
	}
	return current;
}

static size_t
on_header(char *p, size_t size, size_t n, void *data)
{
	struct job *j = data;
	j->x->retry_after = retry_after_header(p, size * n, j->x->retry_after);
	ratelimit_header(&j->x->rl, p, size * n);
	if (size * n >= 20 && strncasecmp(p, "x-should-retry:", 15) == 0) {
		const char *v = p + 15;
		while (*v == ' ')
			v++;
		j->x->no_retry = strncasecmp(v, "false", 5) == 0;
	}
	return size * n;
}

static void
start(struct engine *e, struct job *j, int best)
{
	CURL *c = curl_easy_init();
	j->x->url = best;
	j->base_url = e->shown[best];
	e->url_load[best]++;
	resp_drop(j);
	j->x->too_big = NULL;
	j->x->no_retry = 0;
	j->x->retry_after = -1;
	ratelimit_clear(&j->x->rl);
	j->x->errbuf[0] = 0;
	j->attempts++;
	j->x->t_attempt = mono_now();
	if (j->x->t_first == 0)
		j->x->t_first = j->x->t_attempt;
	curl_easy_setopt(c, CURLOPT_URL, e->endpoints[best]);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, e->headers);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, j->body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(j->body));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, j);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, j);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, j->x->errbuf);
	curl_easy_setopt(c, CURLOPT_PRIVATE, j);
	easy_defaults(c, e->o.timeout);
	j->x->easy = c;
	curl_multi_add_handle(e->multi, c);
	e->running[e->nrunning++] = j;
}

/* What every request of pt sets alike: the timeouts, http(s) only, no
 * redirect followed (it would carry the key elsewhere), certificates
 * checked, no signals, compressed replies, the user agent. */
void
easy_defaults(void *c, double timeout)
{
	if (ca_bundle)
		curl_easy_setopt(c, CURLOPT_CAINFO, ca_bundle);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(timeout * 1000));
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "pt/" PT_VERSION);
}

/* How many may be in flight at t: the AIMD limit, or one while the first
 * request probes the servers' limits (a second at most). */
static int
room(const struct engine *e, double t)
{
	return e->probe_until != 0 && (e->probe_until < 0 || t < e->probe_until) ? 1 : e->limit;
}

static const char pause_why[] = "the server asked to wait";

/* The replica j may start on now (the least loaded that no pause or bucket
 * holds back), or -1 with *until and *why saying when the first could. */
static int
pick_replica(struct engine *e, const struct job *j, double t, double *until, const char **why, int *url)
{
	int best = -1;
	double soonest = INFINITY;
	for (int i = 0; i < e->o.nurls; i++) {
		struct pace *p = &e->pace[i];
		double w = p->pause_until - t, wr = bucket_wait(&p->req, 1, t), wt = bucket_wait(&p->tok, j->x->est_tokens, t);
		const char *r = pause_why;
		if (wr > w)
			w = wr, r = "pacing to the server's request limit";
		if (wt > w)
			w = wt, r = "pacing to the server's token limit";
		if (w <= 0) {
			if (best < 0 || e->url_load[i] < e->url_load[best])
				best = i;
		} else if (w < soonest) {
			soonest = w;
			*why = r;
			*url = i;
		}
	}
	if (best < 0)
		*until = t + soonest;
	return best;
}

/* Holds the budget for j's attempt, its worst case (the body's bytes as
 * tokens, the completion limit), before it starts: 1 if it may start. What
 * does not fit waits while requests of this run are in flight (they give
 * back what they did not spend): 0; else it ends, never sent, with status
 * budget: -1. */
static int
budget_hold(struct engine *e, struct job *j)
{
	double worst = e->priced ? price_worst(&e->price, strlen(j->body), e->o.out_tokens, e->o.batch == BATCH_API) : 0;
	if (budget_take(&e->bud, worst)) {
		j->x->held = worst;
		return 1;
	}
	if (e->nrunning > 0) {
		e->blocked_why = "the budget: waiting for the requests in flight";
		e->blocked_url = -1;
		return 0;
	}
	pop_front(e);
	j->status = ST_BUDGET;
	struct buf m = { 0 };
	char w[32], lim[32];
	buf_printf(&m, "not asked: at most %s more would pass --budget %s", dollars(worst, w), dollars(e->o.budget, lim));
	set_error(e, j, "%s", buf_cstr(&m));
	free(m.p);
	e->nbudget++;
	finish(e, j);
	return -1;
}

/* The jobs awaiting another process's answer, a few times a second: answered
 * from the cache once it is there; asked here when that process let go of
 * its claim without an answer (it failed, or was killed) or the wait ran out. */
static void
poll_waiting(struct engine *e, double t)
{
	if (!e->nwaiting || t < e->next_poll)
		return;
	e->next_poll = t + 0.25;
	size_t k = 0;
	for (size_t i = 0; i < e->nwaiting; i++) {
		struct job *j = e->waiting[i];
		if (from_cache(e, j)) {
			e->waited++;
			finish(e, j);
		} else if (claimed(e, j) || t > j->x->not_before) {
			if (j->x->claim == -1)
				j->x->claim = -2;   /* waited long enough: asked here all the same */
			j->x->not_before = 0;
			push_back(e, j);
		} else
			e->waiting[k++] = j;
	}
	e->nwaiting = k;
}

/* Starts ready jobs (due retries first) within the in-flight limit, --rpm,
 * --tpm and the replicas' pauses and buckets; when one is held back, notes
 * until when, so that engine_step sleeps exactly that long. */
static void
start_due(struct engine *e)
{
	double t = mono_now();
	poll_waiting(e, t);
	while (e->nlater && e->later[0]->x->not_before <= t) {
		/* a due retry goes before the new jobs */
		struct job *j = later_pop(e);
		j->x->next = e->queue;
		e->queue = j;
		if (!e->tail)
			e->tail = j;
		e->queued++;
	}
	/* "s paused": the time a server's pause held a start back, as waited */
	if (e->pause_since > 0)
		e->paused += t - e->pause_since;
	e->pause_since = 0;
	e->blocked_until = 0;
	while (e->queue && e->nrunning < room(e, t) && !pt_interrupted) {
		struct job *j = e->queue;
		if (j->x->est_tokens == 0)
			j->x->est_tokens = (double)strlen(j->body) / 4 + (double)e->o.out_tokens;
		double w = 0;
		if (e->o.rpm > 0 && e->next_start > t)
			w = e->next_start - t, e->blocked_why = "--rpm", e->blocked_url = -1;
		if (e->o.tpm > 0 && bucket_wait(&e->tpm, j->x->est_tokens, t) > w)
			w = bucket_wait(&e->tpm, j->x->est_tokens, t), e->blocked_why = "--tpm", e->blocked_url = -1;
		int url = w > 0 ? -1 : pick_replica(e, j, t, &e->blocked_until, &e->blocked_why, &e->blocked_url);
		if (w > 0)
			e->blocked_until = t + w;
		if (url < 0 && j->x->t_first > 0 && e->blocked_until - j->x->t_first > e->o.max_wait) {
			/* a retry held back past its --max-wait ends with what it got */
			pop_front(e);
			finish(e, j);
			e->blocked_until = 0;
			continue;
		}
		if (url < 0) {
			if (e->blocked_why == pause_why)
				e->pause_since = t;
			return;
		}
		if (e->o.cache_dir && j->x->claim == -1 && !claimed(e, j)) {
			/* another process on this cache is asking it: its answer is
			 * awaited there, for --timeout at most. Claimed only as it
			 * starts, so that no more are held than are asked. */
			pop_front(e);
			if (e->nwaiting == e->waitcap) {
				e->waitcap = e->waitcap ? 2 * e->waitcap : 64;
				e->waiting = erealloc(e->waiting, e->waitcap * sizeof *e->waiting);
			}
			j->x->not_before = t + e->o.timeout;
			e->waiting[e->nwaiting++] = j;
			continue;
		}
		int fits = e->o.budget > 0 ? budget_hold(e, j) : 1;
		if (fits < 0)
			continue;   /* ended, status budget: the next may fit */
		if (!fits)
			return;
		if (e->o.rpm > 0)
			e->next_start = (e->next_start > t - 60 / e->o.rpm ? e->next_start : t) + 60 / e->o.rpm;
		bucket_take(&e->tpm, j->x->est_tokens, t);
		bucket_take(&e->pace[url].req, 1, t);
		bucket_take(&e->pace[url].tok, j->x->est_tokens, t);
		j->x->start_seq = e->pace[url].starts++;
		e->pace[url].started_tokens += j->x->est_tokens;
		j->x->start_tokens = e->pace[url].started_tokens;
		pop_front(e);
		if (e->probe_until < 0)
			e->probe_until = t + 1;
		start(e, j, url);
	}
}

/* What a reply says of the replica's limits: its rate-limit headers set the
 * buckets, a 429 (or 503/529) with a retry time pauses every start on it
 * until then, and --tpm gets back what the estimate overcharged. */
static void
pace_reply(struct engine *e, struct job *j, long code)
{
	struct pace *p = &e->pace[j->x->url];
	double t = mono_now();
	const double *tok = j->x->rl.v[1][1] > 0 ? j->x->rl.v[1] : j->x->rl.v[2];
	/* the server's count is as of this request: those started after it
	 * may not be in it yet */
	double later = (double)(p->starts - j->x->start_seq - 1), later_tok = p->started_tokens - j->x->start_tokens;
	if (j->x->rl.bad[0] && !e->said_bad_limit) {
		e->said_bad_limit = 1;
		warn("%s sent '%s': not a rate limit pt can keep to; ignored", e->shown[j->x->url], j->x->rl.bad);
	}
	if (j->x->rl.v[0][0] >= 0)
		bucket_server(&p->req, j->x->rl.v[0][0] - later, j->x->rl.v[0][1], t);
	if (tok[0] >= 0)
		bucket_server(&p->tok, tok[0] - later_tok, tok[1], t);
	if (code == 429)
		e->n429++;
	if ((code == 429 || code == 503 || code == 529) && j->x->retry_after >= 0) {
		/* up to a quarter longer, drawn once per pause so that one wave's
		 * 429s end it together: runs that share a key drift apart */
		if (p->pause_until <= t)
			p->pause_jitter = 1 + uniform(e) / 4;
		double until = t + fmin(j->x->retry_after, fmin(e->o.retry_after_cap, e->o.max_wait)) * p->pause_jitter;
		if (until > p->pause_until)
			p->pause_until = until;
	}
}

static int
retryable_http(long code)
{
	return code == 408 || code == 409 || code == 429 || code >= 500;
}

static int answer(struct engine *e, struct job *j, long code, const char *body, size_t len);

/* An HTTP error's own message, if its body says one ({"error":{"message":…}}). */
static char *
http_message(const char *p)
{
	struct buf b = { 0 };
	const char *m = strstr(p, "\"message\"");
	if (m && (m = strchr(m + 9, '"')) != NULL) {
		const char *end = m + 1;
		while (*end && *end != '"')
			end += *end == '\\' && end[1] ? 2 : 1;
		json_unquote(m, end + 1, &b);
		if (b.len > 200)
			b.len = 200;
	}
	return buf_cstr(&b);
}

int
engine_answer(struct engine *e, struct job *j, long code, const char *body, size_t len)
{
	/* a key the server quotes (a 401's message, an answer that echoes it)
	 * goes no further, into no record, cache or message: redacted first,
	 * before anything is cut */
	char *clean = e->o.key && strstr(body, e->o.key) ? redact(body, e->o.key) : NULL;
	if (clean) {
		body = clean;
		len = strlen(clean);
	}
	int again = answer(e, j, code, body, len);
	free(clean);
	return again;
}

static int
answer(struct engine *e, struct job *j, long code, const char *body, size_t len)
{
	const char *err = NULL;
	j->http_status = code;
	reply_free(&j->reply);
	free(j->error);
	j->error = NULL;
	if (code >= 200 && code < 300) {
		int w = wire_reply(e->o.api, body, len, &j->reply, &err);
		if (w != WIRE_OK) {
			j->status = ST_BAD_RESPONSE;
			set_error(e, j, "%s", err);
			return w == WIRE_RETRY;
		}
		/* an incomplete answer (cut off, filtered, refused, empty) is
		 * named, never ok, never cached, and not asked again */
		j->status = reply_status(&j->reply, &err);
		if (j->status != ST_OK)
			set_error(e, j, "%s", err);
		else if (e->o.cache_dir && cache_put(e->o.cache_dir, j->hash, body, len) < 0 && e->uncached++ == 0) {
			/* a full disk or a read-only cache fails every answer alike:
			 * said once here, counted in the totals */
			e->uncached_errno = errno;
			warn("cache %s: %s; answers are not cached (counted in the totals)", e->o.cache_dir, strerror(errno));
		}
		return 0;
	}
	char *m = http_message(body);
	struct buf b = { 0 };
	buf_printf(&b, "HTTP %ld%s%s", code, *m ? ": " : "", m);
	/* Azure's content filter stopping the prompt: 400, code content_filter */
	j->status = code == 400 && strstr(body, "\"content_filter\"") ? ST_FILTERED : ST_HTTP_ERROR;
	set_error(e, j, "%s", buf_cstr(&b));
	free(b.p);
	free(m);
	return retryable_http(code);
}

/* What an attempt spent: its usage at the prices; an HTTP error nothing
 * (providers do not bill it); an answer with no usage, or a connection that
 * broke (the server may have answered and billed), its worst case. */
static double
attempt_cost(struct engine *e, struct job *j, CURLcode res, long code)
{
	if (res == CURLE_OK && (code < 200 || code >= 300))
		return 0;
	double c = res == CURLE_OK && e->priced ? price_cost(&e->price, e->o.api, &j->reply, e->o.batch == BATCH_API) : NAN;
	if (isnan(c))
		e->nunpriced++;
	return isnan(c) ? j->x->held : c;
}

static void
complete(struct engine *e, struct job *j, CURLcode res)
{
	CURL *c = j->x->easy;
	long code = 0;
	int retry = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_multi_remove_handle(e->multi, c);
	curl_easy_cleanup(c);
	j->x->easy = NULL;
	e->url_load[j->x->url]--;
	for (int i = 0; i < e->nrunning; i++)
		if (e->running[i] == j) {
			e->running[i] = e->running[--e->nrunning];
			break;
		}
	e->probe_until = 0;
	if (code)
		pace_reply(e, j, code);
	if (res != CURLE_OK) {
		j->http_status = code;
		reply_free(&j->reply);
		j->status = res == CURLE_OPERATION_TIMEDOUT ? ST_TIMEOUT : ST_NETWORK_ERROR;
		set_error(e, j, "%s", j->x->too_big ? j->x->too_big : j->x->errbuf[0] ? j->x->errbuf : curl_easy_strerror(res));
		retry = res != CURLE_UNSUPPORTED_PROTOCOL && res != CURLE_URL_MALFORMAT &&
		    res != CURLE_PEER_FAILED_VERIFICATION && res != CURLE_SSL_CACERT_BADFILE;
		if (res == CURLE_OUT_OF_MEMORY && !j->x->too_big)
			/* what curl 7.88 says of a header line past its 100 KB limit */
			j->x->too_big = "reply header larger than curl takes (100 KB): not read further";
		if (j->x->too_big && j->x->too_big != too_many) {
			set_error(e, j, "%s", j->x->too_big);
			/* a server that sends that much will again: said, not asked again */
			j->status = ST_BAD_RESPONSE;
			retry = 0;
		}
	} else {
		const char *body = j->x->resp.p ? buf_cstr(&j->x->resp) : "";
		retry = engine_answer(e, j, code, body, j->x->resp.len);
		if (code < 200 || code >= 300) {
			retry = retry && !j->x->no_retry;
			const char *cfg = config_error(code, body);
			if (cfg) {
				retry = 0;
				stop_sending(e, j, cfg);
			}
			/* AIMD on a 429 that gives no time to come back; one that does
			 * pauses the replica instead (pace_reply) */
			if (code == 429 && j->x->retry_after < 0)
				e->limit = e->limit / 2 > 0 ? e->limit / 2 : 1;
		}
	}
	if (e->priced) {
		double paid = attempt_cost(e, j, res, code);
		e->spent += paid;
		if (e->o.budget > 0)
			budget_settle(&e->bud, j->x->held, paid);
	}
	j->x->held = 0;
	/* A server that asks to wait (429 with a retry time, 503 or 529
	 * overloaded) is waited for within --max-wait, not given up after
	 * --retries; other failures count against --retries. */
	int asks_wait = retry && ((code == 429 && j->x->retry_after >= 0) || code == 503 || code == 529);
	if (j->status == ST_OK && e->limit < e->o.jobs)
		e->limit++;
	if (e->o.tpm > 0) {
		/* --tpm charged an estimate: the usage corrects it; a request
		 * refused or never answered spent nothing */
		if (j->reply.prompt_tokens >= 0 && j->reply.completion_tokens >= 0)
			e->tpm.level += j->x->est_tokens - (double)(j->reply.prompt_tokens + j->reply.completion_tokens);
		else if (code < 200 || code >= 300)
			e->tpm.level += j->x->est_tokens;
	}
	/* A server's own retry time (at most --retry-after-cap) is honoured as
	 * given, as the providers' SDKs do; the pause it set (pace_reply, with
	 * the jitter) starts every retry it turned away in one wave when it
	 * ends. Where it gives no time, or 0, pt's own backoff grows with every
	 * attempt, 0.5 s to 60 s, each wait between half and all of it: a
	 * Retry-After of 0 is no reason to ask again at once. */
	double delay = j->x->retry_after > 0 ? fmin(j->x->retry_after, e->o.retry_after_cap) : 0;
	if (delay <= 0) {
		double cap = fmin(60, 0.5 * pow(2, j->attempts - 1));
		delay = cap / 2 + uniform(e) * cap / 2;
	}
	/* --max-wait bounds a record's waiting in all, from its first attempt */
	if (mono_now() + delay - j->x->t_first > e->o.max_wait)
		retry = 0;
	else if (asks_wait)
		j->x->waits++;
	else if (!(retry && j->attempts - j->x->waits <= e->o.retries))
		retry = 0;
	if (retry && !pt_interrupted) {
		resp_drop(j);
		j->x->not_before = mono_now() + delay;
		e->retries++;
		later_push(e, j);
		return;
	}
	resp_drop(j);
	free(j->x->resp.p);
	j->x->resp = (struct buf){ 0 };
	finish(e, j);
}

static void
progress(struct engine *e, int final)
{
	double t = mono_now(), el = t - e->t0;
	if (!final && t - e->last_progress < 0.2)
		return;
	e->last_progress = t;
	double rate = el > 0 ? (double)e->done / el : 0;
	char done[48], eta[32] = "";
	if (e->total >= 0)
		snprintf(done, sizeof done, "%ld/%ld", e->done, e->total);
	else
		snprintf(done, sizeof done, "%ld", e->done);
	if (e->total >= 0 && rate > 0 && !final)
		snprintf(eta, sizeof eta, ", ETA %.0fs", (double)(e->total - e->done) / rate);
	char paused[96] = "";
	if (e->blocked_until > t + 1 && e->blocked_why) {
		/* what holds the next start back, when it is long enough to say */
		if (e->blocked_url >= 0 && e->o.nurls > 1)
			snprintf(paused, sizeof paused, ", paused %.0f s: %s (replica %d)", e->blocked_until - t, e->blocked_why,
			    e->blocked_url + 1);
		else
			snprintf(paused, sizeof paused, ", paused %.0f s: %s", e->blocked_until - t, e->blocked_why);
	}
	char money[48] = "";
	if (e->priced)
		snprintf(money, sizeof money, " (%s)", dollars(e->spent, (char[32]){ 0 }));
	fprintf(stderr, "\r%s: %s done, %ld failed, %d in flight, %ld retries, %ld cached, %ld tokens%s, %.1f/s%s%s\033[K",
	    progname, done, e->failed, e->nrunning, e->retries, e->cached, e->ptok + e->ctok, money, rate, eta, paused);
	e->progress_shown = 1;
}

/* --batch and the like: jobs are held until the input ends, then asked
 * through the run_held hook (batch.c), round after round while answers
 * bring new jobs (the router of pt-judge --task auto). */
static void
held_step(struct engine *e, int fd, int timeout_ms)
{
	if (e->total < 0) {
		struct pollfd p = { fd, POLLIN, 0 };
		if (fd >= 0)
			poll(&p, 1, timeout_ms);
		return;
	}
	while (e->nheld && !pt_interrupted) {
		struct job **jobs = e->held;
		size_t n = e->nheld;
		e->held = NULL;
		e->nheld = e->heldcap = 0;
		e->o.run_held(e, jobs, n);
		free(jobs);
	}
}

void
engine_step(struct engine *e, int fd, int timeout_ms)
{
	struct curl_waitfd w = { fd, CURL_WAIT_POLLIN, 0 };
	int still, nfds;
	CURLMsg *m;
	if (e->o.batch) {
		held_step(e, fd, timeout_ms);
		return;
	}
	start_due(e);
	/* Input that could not be taken in is no reason to wake: a regular
	 * file is always readable, and polling it spun a core while the queue
	 * was full and every job waited on a limit. */
	if (!engine_room(e))
		fd = -1;
	/* Sleep until something can happen: a transfer (curl wakes us), input
	 * on fd, the next retry falling due or a held-back start's time — the
	 * last two only when there is room to start one. */
	double t = mono_now(), next = t + timeout_ms / 1000.0;
	if (e->probe_until > t && e->queue && e->probe_until < next)
		next = e->probe_until;
	if (e->nwaiting && e->next_poll < next)
		next = e->next_poll;
	if (e->nrunning < room(e, t)) {
		if (e->nlater && e->later[0]->x->not_before < next)
			next = e->later[0]->x->not_before;
		if (e->blocked_until > 0 && e->blocked_until < next)
			next = e->blocked_until;
	}
	int wait = next > t ? (int)ceil((next - t) * 1000) : 0;
	curl_multi_poll(e->multi, fd >= 0 ? &w : NULL, fd >= 0 ? 1 : 0, wait, &nfds);
	curl_multi_perform(e->multi, &still);
	while ((m = curl_multi_info_read(e->multi, &still)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct job *j;
		CURLcode res = m->data.result;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&j);
		complete(e, j, res);
	}
	start_due(e);
	if (e->o.progress)
		progress(e, 0);
}

void
engine_run(struct engine *e, struct reader *rd, long (*take)(const struct rec *r))
{
	long total = 0;
	int eof = 0;
	on_interrupt();
	rdr_nonblock(rd, e != NULL);
	while (!pt_interrupted && (!eof || (e && !engine_idle(e)))) {
		struct rec r;
		while (!eof && (!e || engine_room(e))) {
			int st = rdr_next(rd, &r);
			if (st == RDR_AGAIN)
				break;
			if (st == RDR_EOF) {
				eof = 1;
				if (e)
					engine_note_input(e, total);
				break;
			}
			total += take(&r);
		}
		if (e)
			engine_step(e, eof ? -1 : rdr_fd(rd), 200);
		out_flush();
	}
	if (pt_interrupted && e)
		engine_drain(e);
}

void
engine_drain(struct engine *e)
{
	double until = mono_now() + 3;
	/* queued and held jobs never start; nothing more is looked up by hash */
	struct job *j;
	free(e->asking);
	e->asking = NULL;
	e->askcap = e->askused = 0;
	while ((j = e->queue ? pop_front(e) : e->nlater ? later_pop(e) : NULL) != NULL)
		engine_abandon(j);
	while (e->nheld)
		engine_abandon(e->held[--e->nheld]);
	while (e->nwaiting)
		engine_abandon(e->waiting[--e->nwaiting]);
	while (e->nrunning > 0 && mono_now() < until)
		engine_step(e, -1, 100);
	while (e->nrunning > 0) {
		j = e->running[0];
		curl_multi_remove_handle(e->multi, j->x->easy);
		curl_easy_cleanup(j->x->easy);
		j->x->easy = NULL;
		e->running[0] = e->running[--e->nrunning];
		engine_abandon(j);
	}
}

void
engine_totals(struct engine *e)
{
	if (e->o.progress && e->progress_shown)
		fputs("\r\033[K", stderr);
	char detail[96] = "", limits[96] = "";
	if (e->pause_since > 0)
		e->paused += mono_now() - e->pause_since;
	e->pause_since = 0;
	if (e->rtok || e->cachedtok)   /* what the server said of them: reasoning, prompt from its cache */
		snprintf(detail, sizeof detail, " (%ld reasoning, %ld cached prompt)", e->rtok, e->cachedtok);
	if (e->n429 || e->paused > 0)
		snprintf(limits, sizeof limits, ", %ld answered 429, %.1f s paused", e->n429, e->paused);
	if (e->unfailed)
		snprintf(limits, sizeof limits, ", %ld written to %s", e->unfailed, e->o.batch_file);
	warn("%ld %s, %ld ok, %ld failed, %ld cached, %ld retries%s, %ld prompt + %ld completion tokens%s, %.1f s",
	    e->done, e->o.what, e->done - e->failed, e->failed - e->unfailed, e->cached, e->retries, limits, e->ptok, e->ctok,
	    detail, mono_now() - e->t0);
	if (e->shared)
		warn("%ld %s answered by an identical request of this run, asked once", e->shared, e->o.what);
	if (e->waited)
		warn("%ld %s answered from the cache once another run that was asking them had the answer", e->waited,
		    e->o.what);
	if (e->uncached)
		warn("%ld answer%s not cached: cache %s: %s", e->uncached, e->uncached == 1 ? "" : "s", e->o.cache_dir,
		    strerror(e->uncached_errno));
	if (e->priced)
		warn("%s spent at the prices of %s%s", dollars(e->spent, (char[32]){ 0 }), e->o.prices,
		    e->nunpriced ? " (some answers had no usage: counted at their worst case, or not at all)" : "");
	if (e->o.budget > 0 && e->o.budget_file)
		warn("--budget-file %s: %s spent of %s, by every run that shares it", e->o.budget_file,
		    dollars(budget_spent(&e->bud), (char[32]){ 0 }), dollars(e->o.budget, (char[32]){ 0 }));
	if (e->nbudget)
		warn("%ld %s not asked: more would pass --budget %s (status budget; --resume with a larger budget asks them)",
		    e->nbudget, e->o.what, dollars(e->o.budget, (char[32]){ 0 }));
}

void
engine_estimate(struct engine *e)
{
	double in = e->est_bytes, out = e->est_out;
	warn("--estimate: %ld requests to send, %ld answered from the cache; at most %.0f prompt tokens (the bodies' "
	    "bytes: a token is at least one) and %.0f completion tokens (%s)", e->est_requests, e->cached, in, out,
	    e->o.out_bounded ? "the completion limit sent" : "256 each: no limit is sent, so this is no bound");
	if (e->priced)
		warn("--estimate: at %s's prices for %s, at most %s%s", e->o.prices, e->o.model,
		    dollars(price_worst(&e->price, (size_t)in, (long)out, e->o.batch == BATCH_API), (char[32]){ 0 }),
		    e->o.out_bounded ? "" : " (no bound: see above)");
}

void
engine_free(struct engine *e)
{
	budget_close(&e->bud);
	free(e->asking);
	free(e->waiting);
	for (int i = 0; i < e->o.nurls; i++) {
		free(e->endpoints[i]);
		free(e->shown[i]);
	}
	free(e->endpoints);
	free(e->shown);
	free(e->url_load);
	free(e->running);
	free(e->stopped);
	free(e->pace);
	free(e->later);
	free(e->held);
	for (size_t i = 0; i < e->nkept; i++)
		free(e->kept[i]);
	free(e->kept);
	headers_free(e->headers);
	curl_multi_cleanup(e->multi);
	curl_global_cleanup();
	free(e);
}
