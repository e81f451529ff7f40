/* out.c: records to stdout. Output is gathered in one buffer and written with
 * write(2) only at record boundaries, so a reader never sees half a line from
 * us; a failed write is fatal with exit status 3 and leaves whole records
 * only (SIGPIPE keeps its default). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "pt.h"

static struct buf ob;

/* A failed write: what the output holds ends with a whole record. -o's
 * temporary file is removed (FILE stays as it was); a regular file loses the
 * part of a line that made it; then exit 3. */
static void __attribute__((noreturn))
write_failed(size_t written)
{
	int e = errno;
	struct stat st;
	if (!output_discard() && written && fstat(1, &st) == 0 && S_ISREG(st.st_mode)) {
		size_t keep = written;
		while (keep && ob.p[keep - 1] != '\n')
			keep--;
		off_t end = lseek(1, 0, SEEK_CUR);
		if (end >= 0 && keep < written && ftruncate(1, end - (off_t)(written - keep)) != 0)
			warn("cannot cut the last, partial line: %s", strerror(errno));
	}
	warn("write error: %s", strerror(e));
	fflush(stderr);
	_exit(PT_EXIT_WRITE);
}

void
out_flush(void)
{
	if (ob.len && stdout_closed) {
		warn("write error: standard output is closed");
		fflush(stderr);
		_exit(PT_EXIT_WRITE);
	}
	/* fatal, and nothing is left to flush: leave at once */
	for (size_t off = 0; off < ob.len;) {
		ssize_t w = write(1, ob.p + off, ob.len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = ENOSPC;
			write_failed(off);
		}
		off += (size_t)w;
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
