/* rec.c: the record reader. Reads operands in turn with read(2) into one
 * buffer and hands out each JSON value's bytes with its file and line. A file
 * whose first value is an array is read element by element, so memory stays
 * bounded by the largest record, not the file. A file whose first value fits
 * on one line is NDJSON: there a line ending inside a value is an error, and a
 * bad line costs only itself. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pt.h"

enum { M_START, M_NDJSON, M_MULTI, M_ARRAY, M_AFTER_ARRAY };

struct reader {
	char **files;
	int nfiles, next;       /* operands, next one to open */
	const char *name;       /* current file's name for messages */
	int fd;                 /* -1 between files */
	char *buf;
	size_t cap, beg, end;   /* unread data is buf[beg..end) */
	long line;              /* line number of buf[beg] */
	int eof;                /* fd has reached its end */
	int mode, array_first;  /* M_*; in an array, before its first element */
	int nonblock, failed;
	char *errtext;          /* a bad record's text, owned here */
};

struct reader *
rdr_open(char **files, int nfiles)
{
	static char *dash[] = { "-" };
	struct reader *rd = ecalloc(1, sizeof *rd);
	rd->files = nfiles ? files : dash;
	rd->nfiles = nfiles ? nfiles : 1;
	rd->fd = -1;
	rd->cap = 1 << 20;
	rd->buf = emalloc(rd->cap);
	return rd;
}

void
rdr_close(struct reader *rd)
{
	if (rd->fd > 0)
		close(rd->fd);
	free(rd->buf);
	free(rd->errtext);
	free(rd);
}

void
rdr_nonblock(struct reader *rd, int on)
{
	rd->nonblock = on;
}

int
rdr_fd(struct reader *rd)
{
	return rd->fd;
}

int
rdr_failed(struct reader *rd)
{
	return rd->failed;
}

void
rec_warn(const struct rec *r, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: %s:%ld: ", progname, r->file, r->line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Opens the next operand; 0 when there are none left. */
static int
open_next(struct reader *rd)
{
	while (rd->next < rd->nfiles) {
		const char *f = rd->files[rd->next++];
		struct stat st;
		if (strcmp(f, "-") == 0) {
			rd->fd = 0;
			rd->name = "<stdin>";
		} else {
			rd->fd = open(f, O_RDONLY | O_CLOEXEC);
			rd->name = f;
			if (rd->fd < 0) {
				fprintf(stderr, "%s: %s: %s\n", progname, f, strerror(errno));
				rd->failed++;
				continue;
			}
			if (fstat(rd->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
				fprintf(stderr, "%s: %s: %s\n", progname, f, strerror(EISDIR));
				close(rd->fd);
				rd->fd = -1;
				rd->failed++;
				continue;
			}
		}
		rd->beg = rd->end = 0;
		rd->line = 1;
		rd->eof = 0;
		rd->mode = M_START;
		return 1;
	}
	return 0;
}

/* Reads more of the current file: 1 read something or reached eof, 0 would
 * block (nonblocking mode), -1 read error (reported, file abandoned). */
static int
fill(struct reader *rd)
{
	if (rd->beg > 0) {
		memmove(rd->buf, rd->buf + rd->beg, rd->end - rd->beg);
		rd->end -= rd->beg;
		rd->beg = 0;
	}
	if (rd->cap - rd->end < (1 << 16)) {
		rd->cap *= 2;
		rd->buf = erealloc(rd->buf, rd->cap);
	}
	if (rd->nonblock) {
		struct pollfd pfd = { rd->fd, POLLIN, 0 };
		if (poll(&pfd, 1, 0) == 0)
			return 0;
	}
	for (;;) {
		ssize_t n = read(rd->fd, rd->buf + rd->end, rd->cap - rd->end);
		if (n > 0) {
			rd->end += (size_t)n;
			return 1;
		}
		if (n == 0) {
			rd->eof = 1;
			return 1;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN)
			return 0;
		fprintf(stderr, "%s: %s: %s\n", progname, rd->name, strerror(errno));
		rd->failed++;
		rd->eof = 1;
		rd->end = rd->beg;
		return -1;
	}
}

static void
advance(struct reader *rd, size_t n)
{
	const char *p = rd->buf + rd->beg, *e = p + n;
	while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		rd->line++;
		p++;
	}
	rd->beg += n;
}

/* Skips whitespace (and, in an array, the separators); returns 0 if more input
 * is needed to know what comes next. */
static int
skip_ws(struct reader *rd)
{
	const char *p = rd->buf + rd->beg, *e = rd->buf + rd->end;
	const char *q = json_ws(p, e);
	advance(rd, (size_t)(q - p));
	return q < e;
}

/* Makes a bad record from the current position to the end of the line that
 * holds offset bad, and resumes after that line. */
static void
bad_record(struct reader *rd, struct rec *r, size_t bad, const char *why)
{
	char *s = rd->buf + rd->beg, *e = rd->buf + rd->end;
	char *nl = memchr(s + bad, '\n', (size_t)(e - s - (long)bad));
	size_t len = nl ? (size_t)(nl - s) : (size_t)(e - s);
	free(rd->errtext);
	rd->errtext = estrndup(s, len);
	if (len && rd->errtext[len - 1] == '\r')
		rd->errtext[--len] = 0;
	r->p = rd->errtext;
	r->len = len;
	r->file = rd->name;
	r->line = rd->line;
	r->err = why;
	r->is_object = 0;
	advance(rd, nl ? (size_t)(nl - s) + 1 : (size_t)(e - s));
}

int
rdr_next(struct reader *rd, struct rec *r)
{
	for (;;) {
		if (rd->fd < 0 && !open_next(rd))
			return RDR_EOF;
		if (!skip_ws(rd) || (rd->mode == M_START && rd->end - rd->beg < 3 && !rd->eof)) {
			if (rd->eof) {
				if (rd->mode == M_ARRAY) {
					r->file = rd->name;
					r->line = rd->line;
					r->p = "";
					r->len = 0;
					r->err = "unterminated array";
					r->is_object = 0;
					rd->mode = M_AFTER_ARRAY;
					return RDR_REC;
				}
				if (rd->fd > 0)
					close(rd->fd);
				rd->fd = -1;
				continue;
			}
			int f = fill(rd);
			if (f == 0)
				return RDR_AGAIN;
			continue;
		}
		char *s = rd->buf + rd->beg;
		size_t avail = rd->end - rd->beg;
		if (rd->mode == M_START) {
			/* A UTF-8 byte order mark may open a file. */
			if (avail >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
				rd->beg += 3;
				continue;
			}
			if (*s == '[') {
				rd->mode = M_ARRAY;
				rd->array_first = 1;
				rd->beg++;
				continue;
			}
		}
		if (rd->mode == M_ARRAY) {
			if (*s == ']') {
				rd->beg++;
				rd->mode = M_AFTER_ARRAY;
				continue;
			}
			if (!rd->array_first) {
				if (*s != ',') {
					bad_record(rd, r, 0, "expected ',' or ']' in array");
					rd->mode = M_AFTER_ARRAY;
					return RDR_REC;
				}
				rd->beg++;
				rd->array_first = 2;   /* a comma was read: an element must follow */
				continue;
			}
		}
		size_t start, end;
		long nl;
		const char *err = NULL;
		int one_line = rd->mode == M_NDJSON || rd->mode == M_START;
		int st = json_scan(s, avail, rd->eof, one_line, &start, &end, &nl, &err);
		if (st == JS_BAD && one_line && strcmp(err, "unexpected end of line") == 0) {
			/* A line ended inside the value: accept it if it is valid across
			 * lines, else the bad record is this line alone. */
			size_t s2, e2;
			long nl2;
			const char *err2;
			int st2 = json_scan(s, avail, rd->eof, 0, &s2, &e2, &nl2, &err2);
			if (st2 == JS_OK) {
				st = st2;
				end = e2;
				nl = nl2;
			} else if (st2 == JS_MORE && !rd->eof) {
				if (fill(rd) == 0)
					return RDR_AGAIN;
				continue;
			}
		}
		if (st == JS_MORE) {
			if (rd->eof) {
				bad_record(rd, r, end, "truncated JSON value");
				return RDR_REC;
			}
			int f = fill(rd);
			if (f == 0)
				return RDR_AGAIN;
			continue;
		}
		if (st == JS_BAD) {
			bad_record(rd, r, end, err);
			if (rd->mode == M_ARRAY)
				rd->mode = M_AFTER_ARRAY;
			return RDR_REC;
		}
		if (rd->mode == M_START)
			rd->mode = nl ? M_MULTI : M_NDJSON;
		if (rd->mode == M_ARRAY)
			rd->array_first = 0;
		r->p = s;
		r->len = end;
		r->file = rd->name;
		r->line = rd->line;
		r->err = NULL;
		r->is_object = *s == '{';
		rd->beg += end;
		rd->line += nl;
		return RDR_REC;
	}
}
