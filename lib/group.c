/* group.c: records grouped by the JSON text of their keys, each group with
 * growable value columns (pt-stats, pt-plot). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

void
dvec_push(struct dvec *d, double x)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		d->v = erealloc(d->v, d->cap * sizeof *d->v);
	}
	d->v[d->n++] = x;
}

/* The display form of a key: each part a decoded string or its JSON text,
 * parts joined by ", ". */
static char *
key_label(const char *key)
{
	struct buf b = { 0 };
	for (const char *k = key;;) {
		const char *e = strchr(k, '\x1f');
		size_t len = e ? (size_t)(e - k) : strlen(k);
		if (k != key)
			buf_adds(&b, ", ");
		if (len && *k == '"')
			json_unquote(k, k + len, &b);
		else
			buf_add(&b, k, len);
		if (!e)
			break;
		k = e + 1;
	}
	return buf_cstr(&b);
}

struct group *
group_get(struct groups *gs, const char *key)
{
	int added;
	size_t i = *strmap_get(&gs->index, key, gs->n, &added);
	if (!added)
		return &gs->g[i];
	if (gs->n == gs->cap) {
		gs->cap = gs->cap ? gs->cap * 2 : 16;
		gs->g = erealloc(gs->g, gs->cap * sizeof *gs->g);
	}
	struct group *g = &gs->g[gs->n++];
	memset(g, 0, sizeof *g);
	g->key = estrdup(key);
	g->label = key_label(key);
	return g;
}

/* Pushes the index of e's value (its JSON text, scratch in b) in keys onto
 * idx; 1 when e failed (its text is then what it wrote, maybe nothing). */
static int
key_index(struct expr *e, const struct rec *r, jv *parsed, struct buf *b, struct strmap *keys, struct dvec *idx)
{
	int added;
	b->len = 0;
	int bad = expr_json(e, r, parsed, b) < 0;
	dvec_push(idx, (double)*strmap_get(keys, buf_cstr(b), keys->n, &added));
	return bad;
}

void
groups_read(struct groups *gs, struct reader *rd, const struct group_exprs *x, unsigned long *nfail,
    unsigned long *nmissing)
{
	struct rec r;
	struct buf key = { 0 }, cl = { 0 };
	while (rdr_next(rd, &r) == RDR_REC) {
		if (!rec_usable(&r)) {
			(*nfail)++;
			continue;
		}
		jv parsed = jv_invalid();
		int bad = 0;
		key.len = 0;
		for (int i = 0; i < x->nby && !bad; i++) {
			if (i)
				buf_addc(&key, '\x1f');
			bad = expr_json(x->by[i], &r, &parsed, &key) < 0;
		}
		if (bad) {
			jv_free(parsed);
			(*nfail)++;
			continue;
		}
		struct group *g = group_get(gs, buf_cstr(&key));
		double a, b = 0;
		int ka = expr_number(x->a, &r, &parsed, &a);
		int kb = x->b ? expr_number(x->b, &r, &parsed, &b) : 1;
		if (ka < 0 || kb < 0)
			(*nfail)++;
		if (kb != 1 && x->b_optional) {
			b = NAN;
			kb = 1;
		}
		if (ka == 1 && kb == 1) {
			dvec_push(&g->a, a);
			if (x->b)
				dvec_push(&g->b, b);
			if (x->cluster)
				*nfail += key_index(x->cluster, &r, &parsed, &cl, &g->clusters, &g->cl);
			if (x->rater)
				*nfail += key_index(x->rater, &r, &parsed, &cl, &g->raters, &g->rl);
			if (x->each)
				*nfail += (unsigned long)x->each(x->ctx, (size_t)(g - gs->g), &r, &parsed);
		} else {
			g->missing++;
			(*nmissing)++;
		}
		jv_free(parsed);
	}
	free(key.p);
	free(cl.p);
}

void
groups_free(struct groups *gs)
{
	for (size_t i = 0; i < gs->n; i++) {
		struct group *g = &gs->g[i];
		free(g->key);
		free(g->label);
		free(g->a.v);
		free(g->b.v);
		free(g->cl.v);
		strmap_free(&g->clusters);
		free(g->rl.v);
		strmap_free(&g->raters);
	}
	free(gs->g);
	strmap_free(&gs->index);
	memset(gs, 0, sizeof *gs);
}
