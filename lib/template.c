/* template.c: prompt templates, plain text with {{ EXPR }} placeholders
 * holding jq expressions (pt-prompt(1)). Record text is inserted once and
 * never expanded again. */
#include <stdlib.h>
#include <string.h>

#include "pt.h"

/* Finds the end of the jq expression in a placeholder: the first "}}" outside
 * jq string literals and balanced braces. Returns NULL if unterminated. */
static const char *
placeholder_end(const char *s)
{
	int depth = 0;
	for (; *s; s++) {
		if (*s == '"') {
			for (s++; *s && *s != '"'; s++)
				if (*s == '\\' && s[1])
					s++;
			if (!*s)
				return NULL;
		} else if (*s == '{')
			depth++;
		else if (*s == '}') {
			if (depth == 0 && s[1] == '}')
				return s;
			if (depth > 0)
				depth--;
		}
	}
	return NULL;
}

static void
add_piece(struct tmpl *t, const char *s, size_t n, struct expr *e)
{
	if (!e && t->n && !t->p[t->n - 1].e) {   /* join adjacent text */
		struct piece *last = &t->p[t->n - 1];
		last->text = erealloc(last->text, last->len + n + 1);
		memcpy(last->text + last->len, s, n);
		last->len += n;
		last->text[last->len] = 0;
		return;
	}
	t->p = erealloc(t->p, (size_t)(t->n + 1) * sizeof *t->p);
	t->p[t->n++] = (struct piece){ estrndup(s, n), n, e };
}

/* Compiles template text; a placeholder that does not compile exits 2. */
void
tmpl_compile(struct tmpl *t, const char *s, jv args, const char *where)
{
	while (*s) {
		const char *o = strstr(s, "{{");
		if (!o) {
			add_piece(t, s, strlen(s), NULL);
			break;
		}
		if (o > s && o[-1] == '\\') {   /* \{{ is a literal {{ */
			add_piece(t, s, (size_t)(o - 1 - s), NULL);
			add_piece(t, "{{", 2, NULL);
			s = o + 2;
			continue;
		}
		add_piece(t, s, (size_t)(o - s), NULL);
		const char *end = placeholder_end(o + 2);
		if (!end) {
			die(PT_EXIT_USAGE, "%s: unterminated placeholder '%.20s'", where, o);
		}
		char *src = estrndup(o + 2, (size_t)(end - o - 2));
		/* trim the spaces around the expression */
		char *b = src, *e = src + strlen(src);
		while (*b == ' ' || *b == '\t' || *b == '\n')
			b++;
		while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n'))
			*--e = 0;
		if (!*b) {
			die(PT_EXIT_USAGE, "%s: empty placeholder", where);
		}
		struct buf what = { 0 };
		buf_printf(&what, "%s: {{ %s }}", where, b);
		struct expr *x = expr_new(b, jv_copy(args), buf_cstr(&what));
		free(what.p);
		add_piece(t, b, strlen(b), x);
		free(src);
		s = end + 2;
	}
}

void
tmpl_free(struct tmpl *t)
{
	for (int i = 0; i < t->n; i++) {
		free(t->p[i].text);
		expr_free(t->p[i].e);
	}
	free(t->p);
}

/* Renders t for record r into out. Returns NULL, or the failed placeholder's
 * message (heap; caller frees). Record text is inserted, never expanded. */
char *
tmpl_render(struct tmpl *t, const struct rec *r, jv *parsed, struct buf *out)
{
	for (int i = 0; i < t->n; i++) {
		struct piece *p = &t->p[i];
		if (!p->e) {
			buf_add(out, p->text, p->len);
			continue;
		}
		jv v = expr_first(p->e, r, parsed);
		struct buf m = { 0 };
		if (!jv_is_valid(v)) {
			char *msg = jv_errmsg(v);
			buf_printf(&m, "{{ %s }}: %s", p->text, msg);
			free(msg);
			return buf_cstr(&m);
		}
		if (jv_get_kind(v) == JV_KIND_NULL) {
			jv_free(v);
			buf_printf(&m, "{{ %s }} is null or missing", p->text);
			return buf_cstr(&m);
		}
		if (jv_get_kind(v) == JV_KIND_STRING) {
			buf_add(out, jv_string_value(v), (size_t)jv_string_length_bytes(jv_copy(v)));
			jv_free(v);
		} else {
			jv d = jv_dump_string(v, 0);
			buf_adds(out, jv_string_value(d));
			jv_free(d);
		}
	}
	return NULL;
}

/* Splits template file text into system and user sections ("--- system",
 * "--- user" lines); without markers it is all user. One trailing newline of
 * each section belongs to the file's layout and is dropped. */
void
split_sections(const char *text, char **sys, char **user)
{
	const char *s = text;
	char **cur = user;
	struct buf b = { 0 };
	int marked = 0;
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		size_t tl = len && s[len - 1] == '\r' ? len - 1 : len;
		int is_sys = tl == 10 && strncmp(s, "--- system", 10) == 0;
		int is_user = tl == 8 && strncmp(s, "--- user", 8) == 0;
		if (is_sys || is_user) {
			if (marked || b.len) {
				if (b.len && b.p[b.len - 1] == '\n')
					b.len--;
				free(*cur);
				*cur = estrndup(b.p ? b.p : "", b.len);
			}
			b.len = 0;
			marked = 1;
			cur = is_sys ? sys : user;
		} else {
			buf_add(&b, s, len);
			if (nl)
				buf_addc(&b, '\n');
		}
		s += len + (nl != NULL);
	}
	if (b.len && b.p[b.len - 1] == '\n')
		b.len--;
	if (b.len || !marked) {
		free(*cur);
		*cur = estrndup(b.p ? b.p : "", b.len);
	}
	free(b.p);
}

