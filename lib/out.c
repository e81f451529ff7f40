/* out.c: records to stdout. Output is gathered in one buffer and written with
 * write(2) only at record boundaries, so a reader never sees half a line from
 * us; a failed write is fatal with exit status 3 and leaves whole records
 * only (SIGPIPE keeps its default). */
#include <errno.h>
#include <fcntl.h>
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

/* -k: a line waits here until every earlier sequence number is out; slot i
 * holds sequence number base + i - head. A request stalled at the head must
 * not make the run hold every later answer in memory: past ORDER_MEM bytes
 * held, a line goes to a temporary file (removed as soon as it is made, so
 * nothing is left behind) and its slot keeps where, 24 bytes a record. */
#define ORDER_MEM ((size_t)8 << 20)

struct slot {
	const char *line;        /* NULL: not yet; skipped; on_disk; else held (owned) */
	off_t off;
	size_t len;
};

static struct {
	struct slot *s;
	long base, head, cap;
	size_t held;             /* bytes of the lines held in memory */
	int fd;                  /* the spill file, or -1 */
	int no_spill;            /* it could not be made or written: said once, lines held in memory */
	off_t end;               /* its bytes in use */
	long spilled;            /* slots waiting on it */
} ord = { .fd = -1 };

static const char skipped[] = "", on_disk[] = "";

/* Writes line to the spill file for sl; 0 where that cannot be (said once,
 * and from then on lines are held in memory). */
static int
order_spill(struct slot *sl, const char *line, size_t len)
{
	const char *dir = getenv("TMPDIR");
	dir = dir && *dir ? dir : "/tmp";
	if (ord.fd < 0) {
		struct buf path = { 0 };
		buf_printf(&path, "%s/pt-order.XXXXXX", dir);
		if ((ord.fd = mkostemp(path.p, O_CLOEXEC)) >= 0)
			unlink(path.p);
		free(path.p);
	}
	if (ord.fd < 0 || write_all(ord.fd, line, len) < 0) {
		warn("-k: a temporary file in %s: %s; the answers waiting for an earlier one are held in memory", dir,
		    strerror(errno));
		ord.no_spill = 1;
		return 0;
	}
	*sl = (struct slot){ on_disk, ord.end, len };
	ord.end += (off_t)len;
	ord.spilled++;
	return 1;
}

/* Writes the line of slot sl and frees what held it. */
static void
order_emit(struct slot *sl)
{
	if (sl->line == on_disk) {
		char *p = emalloc(sl->len + 1);
		for (size_t n = 0; n < sl->len;) {
			ssize_t r = pread(ord.fd, p + n, sl->len - n, sl->off + (off_t)n);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				die(PT_EXIT_WRITE, "-k: an answer held on a temporary file cannot be read back: %s",
				    r < 0 ? strerror(errno) : "the file shrank");
			n += (size_t)r;
		}
		out_line(p, sl->len);
		free(p);
		if (--ord.spilled == 0 && !ord.no_spill && ftruncate(ord.fd, 0) == 0 && lseek(ord.fd, 0, SEEK_SET) == 0)
			ord.end = 0;
	} else if (sl->line != skipped) {
		out_line(sl->line, sl->len);
		ord.held -= sl->len;
		free((char *)sl->line);
	}
	sl->line = NULL;
}

/* Puts seq's line (copied, or skipped) in its slot, then writes every line
 * that is no longer waiting for an earlier one. */
static void
order_put(long seq, const char *line, size_t len)
{
	long i = ord.head + seq - ord.base;
	if (i >= ord.cap) {
		/* slide the live window to the front, then grow */
		long live = ord.cap - ord.head;
		if (ord.cap) {
			memmove(ord.s, ord.s + ord.head, (size_t)live * sizeof *ord.s);
			memset(ord.s + live, 0, (size_t)ord.head * sizeof *ord.s);
		}
		i -= ord.head;
		ord.head = 0;
		long cap = ord.cap ? ord.cap : 64;
		while (cap <= i)
			cap *= 2;
		ord.s = erealloc(ord.s, (size_t)cap * sizeof *ord.s);
		memset(ord.s + ord.cap, 0, (size_t)(cap - ord.cap) * sizeof *ord.s);
		ord.cap = cap;
	}
	struct slot *sl = &ord.s[i];
	if (i == ord.head && line != skipped) {
		out_line(line, len);   /* the one awaited: written now, not held */
		sl->line = skipped;
	} else if (line == skipped)
		sl->line = skipped;
	else if (ord.held + len <= ORDER_MEM || ord.no_spill || !order_spill(sl, line, len)) {
		*sl = (struct slot){ estrndup(line, len), 0, len };
		ord.held += len;
	}
	while (ord.head < ord.cap && ord.s[ord.head].line) {
		order_emit(&ord.s[ord.head++]);
		ord.base++;
	}
	if (ord.head == ord.cap) {
		free(ord.s);
		ord.s = NULL;
		ord.head = ord.cap = 0;
	}
}

void
order_out(int keep_order, long seq, const char *line, size_t len)
{
	if (keep_order)
		order_put(seq, line, len);
	else
		out_line(line, len);
}

void
order_skip(long seq)
{
	order_put(seq, skipped, 0);
}
