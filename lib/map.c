/* map.c: string hashing, a map from strings to indices, a set of strings. */
#include <stdlib.h>
#include <string.h>

#include "pt.h"

/* FNV-1a over n bytes. */
unsigned long
str_hash(const char *s, size_t n)
{
	unsigned long h = 1469598103934665603UL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211UL;
	return h;
}

/* The slot of key in m, or the empty one where it would go (m->cap > 0). */
static size_t
strmap_slot(const struct strmap *m, const char *key)
{
	size_t j = str_hash(key, strlen(key)) & (m->cap - 1);
	while (m->keys[j] && strcmp(m->keys[j], key) != 0)
		j = (j + 1) & (m->cap - 1);
	return j;
}

/* key's value in m; a new key gets the value n (*added = 1). */
size_t *
strmap_get(struct strmap *m, const char *key, size_t n, int *added)
{
	if (2 * (m->n + 1) > m->cap) {
		struct strmap t = { 0 };
		t.cap = m->cap ? m->cap * 2 : 64;
		t.keys = ecalloc(t.cap, sizeof *t.keys);
		t.vals = ecalloc(t.cap, sizeof *t.vals);
		for (size_t i = 0; i < m->cap; i++)
			if (m->keys[i]) {
				size_t j = strmap_slot(&t, m->keys[i]);
				t.keys[j] = m->keys[i];
				t.vals[j] = m->vals[i];
				t.n++;
			}
		free(m->keys);
		free(m->vals);
		*m = t;
	}
	size_t j = strmap_slot(m, key);
	*added = !m->keys[j];
	if (*added) {
		m->keys[j] = estrdup(key);
		m->vals[j] = n;
		m->n++;
	}
	return &m->vals[j];
}

void
strmap_free(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
}

int
strset_add(struct strset *s, const char *key)
{
	int added;
	strmap_get(&s->m, key, 0, &added);
	return added;
}

size_t *
strmap_find(const struct strmap *m, const char *key)
{
	if (!m->cap)
		return NULL;
	size_t j = strmap_slot(m, key);
	return m->keys[j] ? &m->vals[j] : NULL;
}

int
strset_has(const struct strset *s, const char *key)
{
	return strmap_find(&s->m, key) != NULL;
}

void
strset_free(struct strset *s)
{
	strmap_free(&s->m);
}
