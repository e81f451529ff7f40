/* path.c: the fast field path (pt(7), Expressions). An expression that is a plain
 * path (.a, .a.b, ."a b", .["a b"], .a[0]) is read straight from a record's
 * bytes, with jq's answers: a missing key or an index past the end is null,
 * indexing null is null, indexing anything else of the wrong kind is an
 * error, and of duplicate keys the last wins (as jq's parser keeps it). */
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

#include "pt.h"

struct step {
	char *key;      /* NULL for an index step */
	size_t keylen;
	long index;
};

struct path {
	struct step *steps;
	int n;
};

void
path_free(struct path *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->n; i++)
		free(p->steps[i].key);
	free(p->steps);
	free(p);
}

/* Parses a JSON-style string literal at *sp into a heap string; 0 if not one. */
static int
take_string(const char **sp, char **out, size_t *len)
{
	const char *s = *sp, *q = s + 1;
	if (*s != '"')
		return 0;
	for (; *q && *q != '"'; q++) {
		if (*q == '\\') {
			/* jq string interpolation \( … ) is not a plain key */
			if (q[1] == '(' || !q[1])
				return 0;
			q++;
		}
	}
	if (*q != '"')
		return 0;
	struct buf b = { 0 };
	json_unquote(s, q + 1, &b);
	*out = b.p ? b.p : estrdup("");
	*len = b.len;
	*sp = q + 1;
	return 1;
}

struct path *
path_parse(const char *expr)
{
	struct path *p = ecalloc(1, sizeof *p);
	const char *s = expr;
	int cap = 0;
	if (*s != '.')
		goto no;
	if (s[1] == 0)
		return p;   /* "." itself */
	if (s[1] == '[')
		s++;        /* .[0], .["a b"]: the first step in brackets */
	while (*s) {
		struct step st = { 0 };
		if (*s == '.') {
			s++;
			if (*s == '"') {
				if (!take_string(&s, &st.key, &st.keylen))
					goto no;
			} else if (isalpha((unsigned char)*s) || *s == '_') {
				const char *b = s;
				while (isalnum((unsigned char)*s) || *s == '_')
					s++;
				st.key = estrndup(b, (size_t)(s - b));
				st.keylen = (size_t)(s - b);
			} else
				goto no;   /* ".[" only opens a path: jq 1.6 rejects .a.[0] */
		}
		if (!st.key) {
			if (*s != '[')
				goto no;
			s++;
			if (*s == '"') {
				if (!take_string(&s, &st.key, &st.keylen))
					goto no;
			} else if (isdigit((unsigned char)*s)) {
				char *end;
				st.index = strtol(s, &end, 10);
				if (end - s > 9)
					goto no;
				s = end;
			} else
				goto no;
			if (*s != ']') {
				free(st.key);
				goto no;
			}
			s++;
		}
		if (p->n == cap) {
			cap = cap ? cap * 2 : 4;
			p->steps = erealloc(p->steps, (size_t)cap * sizeof *p->steps);
		}
		p->steps[p->n++] = st;
	}
	return p;
no:
	path_free(p);
	return NULL;
}

/* json_key_eq for an indexed key: the reader noted whether it has escapes,
 * so a key of another length is passed over without reading its bytes (from
 * the reading thread, they are not in this core's cache). */
static inline int
span_key_eq(const char *base, const struct json_span *m, const char *s, size_t slen)
{
	if (m->esc)
		return json_key_eq_escaped(base + m->key, m->keylen, s, slen);
	return m->keylen == slen && (slen == 0 || base[m->key] == s[0]) && memcmp(base + m->key, s, slen) == 0;
}

int
path_get(const struct path *p, const char *s, const char *e, const struct json_index *ix,
    const char **vp, size_t *vlen)
{
	const char *cur = json_ws(s, e), *end = ix && ix->n >= 0 ? e : json_skip(cur, e);
	for (int i = 0; i < p->n; i++) {
		const struct step *st = &p->steps[i];
		const char *found = NULL, *fend = NULL;
		if (*cur == 'n')
			return PATH_NULL;
		if (i == 0 && st->key && ix && ix->n >= 0) {
			/* the reader indexed the top level: the last of equal keys wins */
			for (int k = ix->n - 1; k >= 0 && !found; k--)
				if (span_key_eq(cur, &ix->m[k], st->key, st->keylen)) {
					found = cur + ix->m[k].val;
					fend = found + ix->m[k].vallen;
				}
		} else if (st->key) {
			struct json_member m;
			const char *it = NULL;
			if (*cur != '{')
				return PATH_ERROR;
			while (json_members(cur, end, &it, &m))
				if (json_key_eq(m.key, m.keylen, st->key, st->keylen)) {
					found = m.val;
					fend = m.val + m.vallen;
				}
		} else {
			if (*cur != '[')
				return PATH_ERROR;
			const char *q = json_ws(cur + 1, end);
			for (long k = 0; q < end && *q != ']'; k++) {
				const char *v = q;
				q = json_skip(q, end);
				if (k == st->index) {
					found = v;
					fend = q;
					break;
				}
				q = json_ws(q, end);
				if (*q == ',')
					q = json_ws(q + 1, end);
			}
		}
		if (!found)
			return PATH_NULL;
		cur = found;
		end = fend;
	}
	if (*cur == 'n')
		return PATH_NULL;
	*vp = cur;
	*vlen = (size_t)(end - cur);
	return PATH_FOUND;
}

/* The key of the last step, or NULL if it is an index or there is none. */
const char *
path_last_key(const struct path *p)
{
	return p->n ? p->steps[p->n - 1].key : NULL;
}
