/* resume.c: --resume FILE of pt-infer and pt-judge. Each line of FILE goes
 * back to its own record: a line is found by the record's identity (its
 * fields but those the tool writes) together with a request hash, never by
 * the hash alone, since two records (one answer with two graders) may send
 * the same request. Records identical in every field are one record as far
 * as FILE can tell; each of them still takes a line of its own. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net.h"

/* A member of a record for its identity: decoded key and compact value, as
 * offsets into one buffer. */
struct id_member {
	size_t off, klen, vlen;
};

static void
id_add(struct buf *all, struct id_member **v, size_t *n, size_t *cap, const struct json_member *m)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		*v = erealloc(*v, *cap * sizeof **v);
	}
	struct id_member *x = &(*v)[(*n)++];
	x->off = all->len;
	json_unquote(m->key - 1, m->key + m->keylen + 1, all);
	x->klen = all->len - x->off;
	buf_add_compact(all, m->val, m->vallen);
	x->vlen = all->len - x->off - x->klen;
}

static int
bytes_cmp(const char *a, size_t na, const char *b, size_t nb)
{
	int c = memcmp(a, b, na < nb ? na : nb);
	return c ? c : (na > nb) - (na < nb);
}

static int
id_cmp(const void *a, const void *b, void *base)
{
	const struct id_member *x = a, *y = b;
	const char *p = base;
	int c = bytes_cmp(p + x->off, x->klen, p + y->off, y->klen);
	return c ? c : bytes_cmp(p + x->off + x->klen, x->vlen, p + y->off + y->klen, y->vlen);
}

void
resume_id(const char *text, size_t len, const char *const *drop, const char *unfold, char out[65])
{
	struct buf all = { 0 }, s = { 0 };
	struct id_member *v = NULL;
	size_t n = 0, cap = 0;
	const char *e = text + len, *it = NULL;
	struct json_member m;
	while (json_members(text, e, &it, &m)) {
		if (unfold && json_key_eq(m.key, m.keylen, unfold, strlen(unfold))) {
			const char *it2 = NULL;
			struct json_member m2;
			while (*m.val == '{' && json_members(m.val, m.val + m.vallen, &it2, &m2))
				id_add(&all, &v, &n, &cap, &m2);
			continue;
		}
		int skip = 0;
		for (const char *const *d = drop; *d && !skip; d++)
			skip = json_key_eq(m.key, m.keylen, *d, strlen(*d));
		if (!skip)
			id_add(&all, &v, &n, &cap, &m);
	}
	if (n)
		qsort_r(v, n, sizeof *v, id_cmp, all.p);
	/* each member as its lengths and bytes, so no two lists read alike */
	for (size_t i = 0; i < n; i++) {
		buf_printf(&s, "%zu:%zu:", v[i].klen, v[i].vlen);
		buf_add(&s, all.p + v[i].off, v[i].klen + v[i].vlen);
	}
	sha256_hex(s.p ? s.p : "", s.len, out);
	free(all.p);
	free(s.p);
	free(v);
}

/* The key of a record's request in rs->at: its identity and the hash. */
static void
link_key(char key[129], const char *id, const char *hash)
{
	memcpy(key, id, 64);
	memcpy(key + 64, hash, 64);
	key[128] = 0;
}

static void
add_link(struct resume *rs, const char *id, const char *hash, size_t line)
{
	char key[129];
	int added;
	link_key(key, id, hash);
	size_t *head = strmap_get(&rs->at, key, rs->nlinks, &added);
	if (rs->nlinks == rs->linkcap) {
		rs->linkcap = rs->linkcap ? 2 * rs->linkcap : 256;
		rs->link = erealloc(rs->link, rs->linkcap * sizeof *rs->link);
	}
	/* appended at the chain's end, so lines are offered in FILE's order */
	size_t l = rs->nlinks++;
	rs->link[l].line = line;
	rs->link[l].next = (size_t)-1;
	rs->link[l].last = l;
	if (!added) {
		rs->link[rs->link[*head].last].next = l;
		rs->link[*head].last = l;
	}
}

void
resume_load(struct resume *rs, const char *file, const char *expr, const char *const *drop, const char *unfold)
{
	memset(rs, 0, sizeof *rs);
	if (!file || access(file, F_OK) != 0)
		return;   /* a first run: nothing done yet */
	char *files[] = { (char *)file };
	struct expr *e = expr_new(expr, jv_object(), "--resume");
	struct reader *rd = rdr_open(files, 1);
	struct rec r;
	size_t cap = 0;
	while (rdr_next(rd, &r) == RDR_REC) {
		if (r.err || !r.is_object)
			continue;   /* an interrupted run may end in half a line */
		if (rs->n == cap) {
			cap = cap ? 2 * cap : 256;
			rs->line = erealloc(rs->line, cap * sizeof *rs->line);
		}
		struct resume_line *L = &rs->line[rs->n];
		memset(L, 0, sizeof *L);
		char id[65];
		resume_id(r.p, r.len, drop, unfold, id);
		expr_start(e, rec_parse(&r));
		jv a;
		while (jv_is_valid(a = expr_next(e))) {
			jv h = jv_array_get(jv_copy(a), 0);
			if (jv_get_kind(h) == JV_KIND_STRING && jv_string_length_bytes(jv_copy(h)) == 64) {
				add_link(rs, id, jv_string_value(h), rs->n);
				L->live = 1;
				if (jv_get_kind(jv_array_get(jv_copy(a), 1)) == JV_KIND_TRUE)
					buf_add(&L->ok, jv_string_value(h), 64);
			}
			jv_free(h);
			jv_free(a);
		}
		jv_free(a);
		if (L->live) {   /* a line without a request (bad input) is read again from the input */
			L->text = estrndup(r.p, r.len);
			L->len = r.len;
			rs->n++;
		} else
			free(L->ok.p);
	}
	if (rdr_failed(rd))
		die(PT_EXIT_USAGE, "--resume %s: cannot read it", file);
	rdr_close(rd);
	expr_free(e);
}

static int
answered_ok(const struct resume_line *L, const char *hash)
{
	for (size_t i = 0; i + 64 <= L->ok.len; i += 64)
		if (memcmp(L->ok.p + i, hash, 64) == 0)
			return 1;
	return 0;
}

/* The first link of the record's request, or -1. */
static size_t
first_link(const struct resume *rs, const char *id, const char *hash)
{
	char key[129];
	link_key(key, id, hash);
	size_t *head = strmap_find(&rs->at, key);
	return head ? *head : (size_t)-1;
}

const char *
resume_take(struct resume *rs, const char *id, char (*h)[65], long n, size_t *len)
{
	if (n <= 0)
		return NULL;
	for (size_t l = first_link(rs, id, h[0]); l != (size_t)-1; l = rs->link[l].next) {
		struct resume_line *L = &rs->line[rs->link[l].line];
		long s = 0;
		while (L->live && s < n && answered_ok(L, h[s]))
			s++;
		if (s == n) {
			L->live = 0;
			*len = L->len;
			return L->text;
		}
	}
	return NULL;
}

void
resume_supersede(struct resume *rs, const char *id, const char *hash)
{
	for (size_t l = first_link(rs, id, hash); l != (size_t)-1; l = rs->link[l].next)
		if (rs->line[rs->link[l].line].live) {
			rs->line[rs->link[l].line].live = 0;
			return;
		}
}

long
resume_rest(struct resume *rs)
{
	long n = 0;
	for (size_t i = 0; i < rs->n; i++)
		if (rs->line[i].live) {
			out_line(rs->line[i].text, rs->line[i].len);
			rs->line[i].live = 0;
			n++;
		}
	return n;
}

void
resume_interrupted(const char *file, unsigned long unfinished, long kept, int input_ended)
{
	const char *rest = input_ended ? "" : ", and the records not yet read";
	if (file)
		warn("interrupted; %lu requests unfinished%s; %ld lines of %s not reached are written as they were "
		    "(finish them with --resume)", unfinished, rest, kept, file);
	else
		warn("interrupted; %lu requests unfinished%s (finish them with --resume)", unfinished, rest);
}

void
resume_free(struct resume *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		free(rs->line[i].text);
		free(rs->line[i].ok.p);
	}
	free(rs->line);
	free(rs->link);
	strmap_free(&rs->at);
}
