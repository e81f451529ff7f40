/* pace.c: keeping within a rate limit. A bucket holds what may still be
 * spent (requests or tokens) and refills at a steady rate up to its size;
 * the engine keeps one per replica for requests and for tokens, filled from
 * the server's own rate-limit headers, and one for --tpm. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net.h"

void
bucket_init(struct bucket *b, double size, double per_s, double t)
{
	b->size = b->level = size;
	b->rate = per_s;
	b->t = t;
}

/* The level at time t: what was there, plus the refill since, up to the size. */
static double
level_at(const struct bucket *b, double t)
{
	double l = b->level + b->rate * (t > b->t ? t - b->t : 0);
	return b->size > 0 && l > b->size ? b->size : l;
}

double
bucket_wait(const struct bucket *b, double cost, double t)
{
	if (b->size <= 0)
		return 0;   /* nothing known: no limit */
	if (cost > b->size)
		cost = b->size;   /* one request bigger than the bucket waits for a full one */
	double l = level_at(b, t);
	if (l >= cost)
		return 0;
	/* a per-minute bucket is full again a minute after it was empty,
	 * however much it is owed */
	return b->rate > 0 ? fmin((cost - l) / b->rate, b->size / b->rate) : 1;
}

void
bucket_take(struct bucket *b, double cost, double t)
{
	if (b->size <= 0)
		return;
	b->level = level_at(b, t) - cost;
	b->t = t;
}

void
bucket_server(struct bucket *b, double remaining, double limit, double t)
{
	if (limit <= 0)
		return;
	/* OpenAI's and Anthropic's limits are per minute, replenished
	 * continuously: limit/60 a second, up to the limit */
	b->size = limit;
	b->rate = limit / 60;
	b->level = remaining;
	b->t = t;
}

/* OpenAI and Azure: x-ratelimit-{limit,remaining}-{requests,tokens};
 * Anthropic: anthropic-ratelimit-{requests,tokens,input-tokens}-{limit,remaining}.
 * (The reset headers are not needed: the limits are per minute.) */
void
ratelimit_header(struct ratelimit *r, const char *line, size_t len)
{
	static const struct { const char *name; int kind, field; } h[] = {
		{ "x-ratelimit-limit-requests", 0, 1 }, { "x-ratelimit-remaining-requests", 0, 0 },
		{ "x-ratelimit-limit-tokens", 1, 1 }, { "x-ratelimit-remaining-tokens", 1, 0 },
		{ "anthropic-ratelimit-requests-limit", 0, 1 }, { "anthropic-ratelimit-requests-remaining", 0, 0 },
		{ "anthropic-ratelimit-tokens-limit", 1, 1 }, { "anthropic-ratelimit-tokens-remaining", 1, 0 },
		{ "anthropic-ratelimit-input-tokens-limit", 2, 1 }, { "anthropic-ratelimit-input-tokens-remaining", 2, 0 },
	};
	char buf[256];
	if (len >= sizeof buf)
		return;
	memcpy(buf, line, len);
	buf[len] = 0;
	char *colon = strchr(buf, ':');
	if (!colon)
		return;
	*colon = 0;
	const char *v = colon + 1;
	while (*v == ' ')
		v++;
	for (size_t i = 0; i < sizeof h / sizeof *h; i++) {
		if (strcasecmp(buf, h[i].name) != 0)
			continue;
		char *end;
		double x = strtod(v, &end);
		/* a server's number is bounded before it is slept on: a limit
		 * below one a minute, or text that is no number, is no limit */
		if (end != v && isfinite(x) && x >= 0 && (h[i].field == 0 || x >= 1))
			r->v[h[i].kind][h[i].field] = x;
		else if (!r->bad[0])
			snprintf(r->bad, sizeof r->bad, "%s: %.*s", h[i].name, (int)fmin(40, strcspn(v, "\r\n")), v);
		return;
	}
}

void
ratelimit_clear(struct ratelimit *r)
{
	for (int k = 0; k < 3; k++)
		r->v[k][0] = r->v[k][1] = -1;
	r->bad[0] = 0;
}
