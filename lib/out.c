/* out.c: records to stdout. Output is gathered in one buffer and written with
 * write(2) only at record boundaries, so a reader never sees half a line from
 * us; a failed write is fatal with exit status 3 (SIGPIPE keeps its default). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pt.h"

static struct buf ob;

void
out_flush(void)
{
	if (ob.len && stdout_closed) {
		warn("write error: standard output is closed");
		fflush(stderr);
		_exit(PT_EXIT_WRITE);
	}
	if (write_all(1, ob.p, ob.len) < 0) {
		/* fatal, and nothing is left to flush: leave at once */
		warn("write error: %s", strerror(errno));
		fflush(stderr);
		_exit(PT_EXIT_WRITE);
	}
	ob.len = 0;
}

void
out_line(const char *p, size_t n)
{
	buf_grow(&ob, n + 1);
	memcpy(ob.p + ob.len, p, n);
	ob.p[ob.len + n] = '\n';
	ob.len += n + 1;
	if (ob.len >= 65536)
		out_flush();
}

void
out_close(void)
{
	out_flush();
	free(ob.p);
	ob.p = NULL;
	ob.cap = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		die(PT_EXIT_WRITE, "write error: %s", strerror(errno));
	}
}

/* Appends JSON text with the whitespace outside strings removed, when it has
 * any line break (a pretty-printed record); otherwise as it is. */
void
buf_add_compact(struct buf *b, const char *p, size_t n)
{
	if (!mem_has(p, n, '\n')) {
		buf_add(b, p, n);
		return;
	}
	buf_grow(b, n);
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (c == ' ' || c == '\n' || c == '\t' || c == '\r')
			continue;
		b->p[b->len++] = c;
		if (c == '"')
			for (i++; i < n; i++) {
				b->p[b->len++] = p[i];
				if (p[i] == '\\')
					b->p[b->len++] = p[++i];
				else if (p[i] == '"')
					break;
			}
	}
}

void
out_record(const char *p, size_t n)
{
	if (!memchr(p, '\n', n)) {
		out_line(p, n);
		return;
	}
	static struct buf b;
	b.len = 0;
	buf_add_compact(&b, p, n);
	out_line(b.p, b.len);
}

static int
dropped(const struct json_member *m, const char *const *drop)
{
	for (; drop && *drop; drop++)
		if (json_key_eq(m->key, m->keylen, *drop, strlen(*drop)))
			return 1;
	return 0;
}

void
splice_object(struct buf *b, const char *obj, size_t len, const char *const *drop, const char *add, size_t addlen)
{
	const char *e = obj + len, *it = NULL;
	struct json_member m;
	int first = 1;
	buf_addc(b, '{');
	while (json_members(obj, e, &it, &m)) {
		if (dropped(&m, drop))
			continue;
		if (!first)
			buf_addc(b, ',');
		first = 0;
		/* key with its quotes, then the value's bytes */
		buf_add(b, m.key - 1, m.keylen + 2);
		buf_addc(b, ':');
		buf_add_compact(b, m.val, m.vallen);
	}
	if (addlen) {
		if (!first)
			buf_addc(b, ',');
		buf_add(b, add, addlen);
	}
	buf_addc(b, '}');
}

void
splice_record(struct buf *b, const char *text, size_t len, int is_object, const char *const *drop, const char *add,
    size_t addlen)
{
	if (is_object) {
		splice_object(b, text, len, drop, add, addlen);
		return;
	}
	buf_adds(b, "{\"_input\":");
	json_quote(b, text, len);
	buf_addc(b, ',');
	buf_add(b, add, addlen);
	buf_addc(b, '}');
}

void
out_spliced(const char *obj, size_t len, const char *const *drop, const char *add, size_t addlen)
{
	static struct buf b;
	b.len = 0;
	splice_object(&b, obj, len, drop, add, addlen);
	out_line(b.p, b.len);
}
