/* rec.c: the record reader. Reads operands in turn with read(2) into one
 * buffer and hands out each JSON value's bytes with its file and line. A file
 * whose first value is an array is read element by element, so memory stays
 * bounded by the largest record, not the file. A file whose first value fits
 * on one line is NDJSON: there a line ending inside a value is an error, and a
 * bad line costs only itself. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pt.h"

enum { M_START = RDR_MODE_START, M_NDJSON, M_MULTI, M_ARRAY, M_AFTER_ARRAY };

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
	int keep;               /* fill keeps what was read: a full buffer is RDR_AGAIN */
	char *errtext;          /* a bad record's text, owned here */
	size_t bad_seen;        /* a bad line's bytes from beg searched for its end so far */
	struct json_index ix;   /* the current record's top-level members */
	struct json_span ixbuf[JSON_INDEX_MAX];
	struct pipe *pipe;      /* rdr_threaded: records come from a reading thread */
	int mem;                /* rdr_mem: reads nothing; more needed is RDR_AGAIN */
	ssize_t (*feed)(void *ctx, char *dst, size_t room);   /* rdr_fed: where more comes from */
	void *feed_ctx;
};

/* rdr_threaded: a thread reads and validates records into batches, in order,
 * while the tool's thread evaluates them. Each batch's buffer is the reader's
 * buffer while the batch is read, so a record is never copied: when the buffer
 * is full the batch is handed over and the unread rest (part of a record)
 * moves into the next batch's buffer. The member index is written straight
 * into the batch as well. A batch is reused once the tool has moved past it. */
#define PIPE_BATCHES 4
#define PIPE_BUF (1 << 20)
struct precord {
	struct rec r;           /* as next_seq gave it; p and ix are made again from: */
	size_t off, ixoff;      /* p's offset in data (errs for a bad record), ix's in ixm */
	int ixn;                /* ix->n, or -1 for no index */
};
struct pbatch {
	char *data;             /* the records' bytes; a bad record's are in errs */
	size_t cap;
	struct buf errs;
	struct precord *r;
	struct json_span *ixm;
	size_t n, rcap, ixcount, ixcap;
	int full, eof;
};
struct pipe {
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct pbatch b[PIPE_BATCHES];
	int cur;                /* the batch the tool reads */
	size_t pos;             /* its next record */
	int have;               /* it is known to be full */
	int stop;
	struct json_index ix;   /* the tool's record's index, in the batch */
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
	rd->ix.m = rd->ixbuf;
	return rd;
}

static void pipe_close(struct pipe *pp);

void
rdr_close(struct reader *rd)
{
	if (rd->pipe) {
		pipe_close(rd->pipe);
		rd->buf = NULL;   /* it was a batch's */
	}
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
	char where[4096];
	snprintf(where, sizeof where, "%s:%ld: ", r->file, r->line);
	va_start(ap, fmt);
	vsay(where, fmt, ap);
	va_end(ap);
	fputc('\n', msg_file());
}

/* 1 if r is a JSON object; otherwise reports why not, with its location. */
int
rec_usable(const struct rec *r)
{
	if (r->err)
		rec_warn(r, "invalid JSON: %s", r->err);
	else if (!r->is_object)
		rec_warn(r, "not an object");
	return !r->err && r->is_object;
}

/* Opens the next operand; 0 when there are none left. */
static int
open_next(struct reader *rd)
{
	while (rd->next < rd->nfiles) {
		const char *f = rd->files[rd->next++];
		struct stat st;
		if (strcmp(f, "-") == 0) {
			if (stdin_closed)   /* not an empty input: none was given */
				die(PT_EXIT_USAGE, "standard input is closed: give a FILE, or records on standard input");
			rd->fd = 0;
			rd->name = "<stdin>";
		} else {
			rd->fd = open(f, O_RDONLY | O_CLOEXEC);
			rd->name = f;
			if (rd->fd < 0) {
				warn("%s: %s", f, strerror(errno));
				rd->failed++;
				continue;
			}
			if (fstat(rd->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
				warn("%s: %s", f, strerror(EISDIR));
				close(rd->fd);
				rd->fd = -1;
				rd->failed++;
				continue;
			}
		}
		rd->beg = rd->end;   /* (keep: earlier records stay where they are) */
		rd->line = 1;
		rd->eof = 0;
		rd->mode = M_START;
		return 1;
	}
	return 0;
}

/* Reads more of the current file: 1 read something or reached eof, 0 would
 * block (nonblocking mode) or the buffer is full (keep), -1 read error
 * (reported, file abandoned). */
static int
fill(struct reader *rd)
{
	if (rd->mem)
		return 0;
	if (rd->beg > 0 && !rd->keep) {
		memmove(rd->buf, rd->buf + rd->beg, rd->end - rd->beg);
		rd->end -= rd->beg;
		rd->beg = 0;
	}
	if (rd->cap - rd->end < (1 << 16)) {
		if (rd->keep && rd->beg > 0)
			return 0;
		rd->cap *= 2;
		rd->buf = erealloc(rd->buf, rd->cap);
	}
	if (rd->feed) {
		ssize_t n = rd->feed(rd->feed_ctx, rd->buf + rd->end, rd->cap - rd->end);
		if (n > 0)
			rd->end += (size_t)n;
		else
			rd->eof = 1;
		return 1;
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
		warn("%s: %s", rd->name, strerror(errno));
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
	r->ix = NULL;
	advance(rd, nl ? (size_t)(nl - s) + 1 : (size_t)(e - s));
}

static int
next_seq(struct reader *rd, struct rec *r)
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
					r->ix = NULL;
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
				if (rd->mem)
					return RDR_AGAIN;   /* not NDJSON: read on one thread */
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
		int st = json_scan(s, avail, rd->eof, one_line, &start, &end, &nl, &err, &rd->ix);
		if (st == JS_BAD && one_line && strcmp(err, "unexpected end of line") == 0) {
			/* A line ended inside the value: accept it if it is valid across
			 * lines, else the bad record is this line alone. */
			size_t s2, e2;
			long nl2;
			const char *err2;
			int st2 = json_scan(s, avail, rd->eof, 0, &s2, &e2, &nl2, &err2, &rd->ix);
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
			/* one bad line is one bad record, however long: its end first
			 * (not in an array, which may be one line of any size) */
			size_t from = end > rd->bad_seen ? end : rd->bad_seen;   /* (each byte searched once) */
			if (!rd->eof && rd->mode != M_ARRAY && !memchr(s + from, '\n', avail - from)) {
				rd->bad_seen = avail;
				if (fill(rd) == 0)
					return RDR_AGAIN;
				continue;
			}
			rd->bad_seen = 0;
			bad_record(rd, r, end, err);
			if (rd->mode == M_ARRAY)
				rd->mode = M_AFTER_ARRAY;
			return RDR_REC;
		}
		if (rd->mode == M_START && nl && rd->mem)
			return RDR_AGAIN;   /* values across lines: read on one thread */
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
		r->ix = &rd->ix;
		rd->beg += end;
		rd->line += nl;
		return RDR_REC;
	}
}

/* Makes b's buffer the reader's, holding the unread rest of the last one. */
static void
batch_start(struct reader *rd, struct pbatch *b)
{
	size_t rest = rd->end - rd->beg;
	if (b->cap < rest + PIPE_BUF) {
		b->cap = rest + PIPE_BUF;
		b->data = erealloc(b->data, b->cap);
	}
	memcpy(b->data, rd->buf + rd->beg, rest);
	rd->buf = b->data;
	rd->cap = b->cap;
	rd->beg = 0;
	rd->end = rest;
	b->n = b->ixcount = b->errs.len = 0;
}

/* Adds the record next_seq gave, its index already in place. */
static void
batch_add(struct reader *rd, struct pbatch *b, const struct rec *r)
{
	if (b->n == b->rcap) {
		b->rcap = b->rcap ? b->rcap * 2 : 4096;
		b->r = erealloc(b->r, b->rcap * sizeof *b->r);
	}
	struct precord *pr = &b->r[b->n++];
	pr->r = *r;
	pr->ixn = r->ix ? r->ix->n : -1;
	pr->ixoff = b->ixcount;
	if (pr->ixn > 0)
		b->ixcount += (size_t)pr->ixn;
	if (r->err) {
		pr->off = b->errs.len;
		buf_grow(&b->errs, r->len + 1);   /* so that errs.p is not NULL for an empty text */
		buf_add(&b->errs, r->p, r->len);
	} else
		pr->off = (size_t)(r->p - rd->buf);
}

static void *
producer(void *arg)
{
	struct reader *rd = arg;
	struct pipe *pp = rd->pipe;
	int i = 0, eof = 0;
	rd->keep = 1;
	while (!eof) {
		struct pbatch *b = &pp->b[i];
		pthread_mutex_lock(&pp->mu);
		while (b->full && !pp->stop)
			pthread_cond_wait(&pp->cv, &pp->mu);
		pthread_mutex_unlock(&pp->mu);
		if (pp->stop)
			break;
		batch_start(rd, b);
		for (;;) {
			if (b->ixcap < b->ixcount + JSON_INDEX_MAX) {
				b->ixcap = 2 * (b->ixcount + JSON_INDEX_MAX);
				b->ixm = erealloc(b->ixm, b->ixcap * sizeof *b->ixm);
			}
			rd->ix.m = b->ixm + b->ixcount;
			struct rec r;
			int st = next_seq(rd, &r);
			if (st == RDR_EOF)
				eof = 1;
			if (st != RDR_REC)
				break;   /* the end, or the buffer is full */
			batch_add(rd, b, &r);
		}
		b->data = rd->buf;   /* fill may have grown it for a long record */
		b->cap = rd->cap;
		pthread_mutex_lock(&pp->mu);
		b->eof = eof;
		b->full = 1;
		pthread_cond_broadcast(&pp->cv);
		pthread_mutex_unlock(&pp->mu);
		i = (i + 1) % PIPE_BATCHES;
	}
	return NULL;
}

/* Switches rd to a reading thread (blocking reads only; call before the
 * first rdr_next). From here on the reader's buffer is a batch's. */
void
rdr_threaded(struct reader *rd)
{
	struct pipe *pp = ecalloc(1, sizeof *pp);
	pthread_mutex_init(&pp->mu, NULL);
	pthread_cond_init(&pp->cv, NULL);
	pp->b[PIPE_BATCHES - 1].data = rd->buf;
	pp->b[PIPE_BATCHES - 1].cap = rd->cap;
	rd->pipe = pp;
	if (pthread_create(&pp->tid, NULL, producer, rd) != 0) {
		/* no thread to be had: the caller's thread reads, as before */
		rd->pipe = NULL;
		pthread_mutex_destroy(&pp->mu);
		pthread_cond_destroy(&pp->cv);
		free(pp);
	}
}

int
rdr_next(struct reader *rd, struct rec *r)
{
	struct pipe *pp = rd->pipe;
	if (!pp)
		return next_seq(rd, r);
	for (;;) {
		struct pbatch *b = &pp->b[pp->cur];
		if (!pp->have) {
			/* a full batch stays full until it is given back below */
			pthread_mutex_lock(&pp->mu);
			while (!b->full)
				pthread_cond_wait(&pp->cv, &pp->mu);
			pthread_mutex_unlock(&pp->mu);
			pp->have = 1;
		}
		if (pp->pos < b->n) {
			struct precord *pr = &b->r[pp->pos++];
			*r = pr->r;
			r->p = (r->err ? b->errs.p : b->data) + pr->off;
			r->ix = NULL;
			if (pr->ixn >= 0) {
				pp->ix.n = pr->ixn;
				pp->ix.m = b->ixm + pr->ixoff;
				r->ix = &pp->ix;
			}
			return RDR_REC;
		}
		if (b->eof)
			return RDR_EOF;
		/* this batch is used up: give it back, go on to the next */
		pthread_mutex_lock(&pp->mu);
		b->full = 0;
		pthread_cond_broadcast(&pp->cv);
		pthread_mutex_unlock(&pp->mu);
		pp->cur = (pp->cur + 1) % PIPE_BATCHES;
		pp->pos = 0;
		pp->have = 0;
	}
}

static void
pipe_close(struct pipe *pp)
{
	pthread_mutex_lock(&pp->mu);
	pp->stop = 1;
	pthread_cond_broadcast(&pp->cv);
	pthread_mutex_unlock(&pp->mu);
	pthread_join(pp->tid, NULL);
	for (int i = 0; i < PIPE_BATCHES; i++) {
		free(pp->b[i].data);
		free(pp->b[i].errs.p);
		free(pp->b[i].r);
		free(pp->b[i].ixm);
	}
	pthread_mutex_destroy(&pp->mu);
	pthread_cond_destroy(&pp->cv);
	free(pp);
}

/* Readers for blocks.c. A memory reader reads the bytes of a block of whole
 * lines: p[0..len) at line `line` of file `name`, the file's first block
 * when first (where a byte order mark, an array or values across lines are
 * recognised) and its last when last. It never reads: where it would need
 * more (a value going on past the block, or a first block that is not
 * NDJSON), rdr_next returns RDR_AGAIN and rdr_where says where it stopped.
 * The bytes are not copied, and stay as they are. */
struct reader *
rdr_mem(void)
{
	struct reader *rd = ecalloc(1, sizeof *rd);
	rd->mem = 1;
	rd->keep = 1;
	rd->ix.m = rd->ixbuf;
	return rd;
}

void
rdr_mem_set(struct reader *rd, const char *p, size_t len, const char *name, long line, int first, int last)
{
	rd->buf = (char *)p;
	rd->cap = rd->end = len;
	rd->beg = rd->bad_seen = 0;
	rd->name = name;
	rd->line = line;
	rd->mode = first ? M_START : M_NDJSON;
	rd->eof = last;
	rd->fd = 0;
	rd->nfiles = rd->next = 0;
}

/* Where a reader stopped: the offset of its unread bytes, their line, and
 * the mode a reader going on from there starts in. */
void
rdr_where(const struct reader *rd, size_t *off, long *line, int *mode)
{
	*off = rd->beg;
	*line = rd->line;
	*mode = rd->mode;
}

/* A reader going on where a memory reader stopped: mode as rdr_where gave
 * it, its bytes from feed (n > 0 bytes copied into dst, at most room; 0 at
 * the end of the file). */
struct reader *
rdr_fed(ssize_t (*feed)(void *ctx, char *dst, size_t room), void *ctx, const char *name, long line, int mode)
{
	struct reader *rd = ecalloc(1, sizeof *rd);
	rd->cap = 1 << 20;
	rd->buf = emalloc(rd->cap);
	rd->ix.m = rd->ixbuf;
	rd->feed = feed;
	rd->feed_ctx = ctx;
	rd->name = name;
	rd->line = line;
	rd->mode = mode;
	rd->nfiles = rd->next = 0;
	return rd;
}

/* 1 when a fed reader is between records of an NDJSON file with nothing
 * left in its buffer (blank lines skipped): where a block may take over. */
int
rdr_idle(struct reader *rd)
{
	if (rd->mode != M_NDJSON || rd->fd < 0)
		return 0;
	skip_ws(rd);
	return rd->beg == rd->end;
}

void
rdr_mem_free(struct reader *rd)
{
	if (rd) {
		free(rd->errtext);
		free(rd);
	}
}
