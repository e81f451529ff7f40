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

/* A record's part in the grouping, worked out apart from the groups (on
 * a worker) and added to them after (in input order): its key, values,
 * cluster and rater, the texts in a buffer. */
struct gitem {
	size_t key, cl, rt;     /* offsets of the texts (NUL-terminated) */
	double a, b;
	int usable;             /* 0: not a record, or its key failed (counted failed) */
	int fail;               /* a value failed (counted failed) */
	int kept;               /* it has its values: else missing */
	int clbad, rtbad;       /* its cluster, rater failed (counted failed) */
};

/* Appends e's value's JSON text to text, NUL-terminated; 1 when e failed
 * (the text is then what it wrote, maybe nothing). */
static int
key_text(struct expr *e, const struct rec *r, jv *parsed, struct buf *text, size_t *off)
{
	*off = text->len;
	int bad = expr_json(e, r, parsed, text) < 0;
	buf_addc(text, 0);
	return bad;
}

static void
eval_record(const struct group_exprs *x, const struct rec *r, jv *parsed, struct gitem *it, struct buf *text)
{
	memset(it, 0, sizeof *it);
	if (!rec_usable(r))
		return;
	it->key = text->len;
	for (int i = 0; i < x->nby; i++) {
		if (i)
			buf_addc(text, '\x1f');
		if (expr_json(x->by[i], r, parsed, text) < 0)
			return;
	}
	buf_addc(text, 0);
	it->usable = 1;
	int ka = expr_number(x->a, r, parsed, &it->a);
	int kb = x->b ? expr_number(x->b, r, parsed, &it->b) : 1;
	it->fail = ka < 0 || kb < 0;
	if (kb != 1 && x->b_optional) {
		it->b = NAN;
		kb = 1;
	}
	it->kept = ka == 1 && kb == 1;
	if (it->kept && x->cluster)
		it->clbad = key_text(x->cluster, r, parsed, text, &it->cl);
	if (it->kept && x->rater)
		it->rtbad = key_text(x->rater, r, parsed, text, &it->rt);
}

/* Adds the record of it to group gi (its key's; ignored when it is not
 * usable); 1 when the record kept its values. */
static int
merge(struct groups *gs, size_t gi, const struct group_exprs *x, const struct gitem *it, const char *text,
    unsigned long *nfail, unsigned long *nmissing)
{
	if (!it->usable) {
		(*nfail)++;
		return 0;
	}
	struct group *g = &gs->g[gi];
	*nfail += (unsigned long)it->fail;
	if (!it->kept) {
		g->missing++;
		(*nmissing)++;
		return 0;
	}
	int added;
	dvec_push(&g->a, it->a);
	if (x->b)
		dvec_push(&g->b, it->b);
	if (x->cluster) {
		*nfail += (unsigned long)it->clbad;
		dvec_push(&g->cl, (double)*strmap_get(&g->clusters, text + it->cl, g->clusters.n, &added));
	}
	if (x->rater) {
		*nfail += (unsigned long)it->rtbad;
		dvec_push(&g->rl, (double)*strmap_get(&g->raters, text + it->rt, g->raters.n, &added));
	}
	return 1;
}

/* The index of the group of key (made when new). */
static size_t
group_index(struct groups *gs, const char *key)
{
	return (size_t)(group_get(gs, key) - gs->g);
}

/* One record, worked out and added here. */
static void
read_one(struct groups *gs, const struct group_exprs *x, const struct rec *r, struct buf *text, unsigned long *nfail,
    unsigned long *nmissing)
{
	struct gitem it;
	jv parsed = jv_invalid();
	text->len = 0;
	eval_record(x, r, &parsed, &it, text);
	size_t gi = it.usable ? group_index(gs, text->p + it.key) : 0;
	if (merge(gs, gi, x, &it, text->p, nfail, nmissing) && x->each)
		*nfail += (unsigned long)x->each(x->ctx, gi, r, &parsed);
	jv_free(parsed);
}

void
groups_read(struct groups *gs, struct reader *rd, const struct group_exprs *x, unsigned long *nfail,
    unsigned long *nmissing)
{
	struct rec r;
	struct buf text = { 0 };
	while (rdr_next(rd, &r) == RDR_REC)
		read_one(gs, x, &r, &text, nfail, nmissing);
	free(text.p);
}

/* groups_read on blocks (blocks.c): workers work the records out, with
 * their messages, and the main thread adds them to the groups in input
 * order, so that every group's values are in the order one thread reads.
 * A block holds each key once (keys[]: their texts' offsets, in the order
 * first seen; an item's key is its index there), so that the main thread
 * looks each up once a block. */
struct gblock {
	struct gitem *it;
	size_t n, cap;
	struct buf text;
	size_t *keys, nkeys, keycap;
	struct strmap seen;
	char *msgs;
	size_t msglen;
};
struct gtool {
	struct groups *gs;
	const struct group_exprs *x;   /* the main thread's */
	unsigned long *nfail, *nmissing;
	struct buf text;
};

static void *
gblock_new(void)
{
	return ecalloc(1, sizeof(struct gblock));
}

static void
gblock_free(void *p)
{
	struct gblock *b = p;
	free(b->it);
	free(b->text.p);
	free(b->keys);
	strmap_free(&b->seen);
	free(b->msgs);
	free(b);
}

static void
gscan(void *worker, struct reader *rd, void *res)
{
	const struct group_exprs *x = worker;
	struct gblock *b = res;
	b->n = b->text.len = b->nkeys = 0;
	strmap_free(&b->seen);
	memset(&b->seen, 0, sizeof b->seen);
	free(b->msgs);
	b->msgs = NULL;
	FILE *f = open_memstream(&b->msgs, &b->msglen);
	if (!f)
		pt_nomem();
	msg_capture(f);
	struct rec r;
	while (rdr_next(rd, &r) == RDR_REC) {
		if (b->n == b->cap) {
			b->cap = b->cap ? 2 * b->cap : 1024;
			b->it = erealloc(b->it, b->cap * sizeof *b->it);
		}
		jv parsed = jv_invalid();
		struct gitem *it = &b->it[b->n++];
		eval_record(x, &r, &parsed, it, &b->text);
		jv_free(parsed);
		if (it->usable) {
			/* the key's index in the block; its text kept once */
			int added;
			size_t k = *strmap_get(&b->seen, b->text.p + it->key, b->nkeys, &added);
			if (added) {
				if (b->nkeys == b->keycap) {
					b->keycap = b->keycap ? 2 * b->keycap : 64;
					b->keys = erealloc(b->keys, b->keycap * sizeof *b->keys);
				}
				b->keys[b->nkeys++] = it->key;
			}
			it->key = k;
		}
	}
	msg_capture(NULL);
	fclose(f);
}

static void
gtake(void *tool, void *res)
{
	struct gtool *t = tool;
	struct gblock *b = res;
	fwrite(b->msgs, 1, b->msglen, stderr);
	size_t *gi = emalloc((b->nkeys ? b->nkeys : 1) * sizeof *gi);
	for (size_t k = 0; k < b->nkeys; k++)
		gi[k] = group_index(t->gs, b->text.p + b->keys[k]);
	for (size_t i = 0; i < b->n; i++)
		merge(t->gs, b->it[i].usable ? gi[b->it[i].key] : 0, t->x, &b->it[i], b->text.p, t->nfail, t->nmissing);
	free(gi);
}

static void
gone(void *tool, const struct rec *r)
{
	struct gtool *t = tool;
	read_one(t->gs, t->x, r, &t->text, t->nfail, t->nmissing);
}

int
groups_read_blocks(struct groups *gs, char **files, int nfiles, int nthreads, const struct group_exprs *xs,
    unsigned long *nfail, unsigned long *nmissing)
{
	static const struct blocks_tool tool = { gblock_new, gblock_free, gscan, gtake, gone, NULL };
	struct gtool t = { gs, &xs[nthreads], nfail, nmissing, { 0 } };
	void **ws = emalloc((size_t)nthreads * sizeof *ws);
	for (int i = 0; i < nthreads; i++)
		ws[i] = (void *)&xs[i];
	int bad = blocks_run(files, nfiles, nthreads, ws, &tool, &t);
	free(ws);
	free(t.text.p);
	return bad;
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
