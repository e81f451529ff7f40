/* blocks.c: the input in large blocks of whole lines, each block's records
 * read and worked on by a worker thread, the results taken back in input
 * order (pt-filter, pt-stats).
 *
 * The main thread reads each file in blocks of about BLOCK bytes, cut after
 * the last newline, and counts their newlines, so that a block knows the
 * line it starts at. A worker reads a block's records with a memory reader
 * (rec.c: the same scanner one thread uses, over the block's bytes) and
 * keeps the tool's results with the block. The main thread takes the blocks
 * back in order. What a block cannot decide alone, its reader hands back: a
 * value that goes on past the block's last line (a pretty-printed record
 * inside NDJSON), or a first block whose file turns out to be an array or
 * values across lines. From there the main thread reads on one thread, fed
 * the next blocks' bytes, until it stands between two records at the end of
 * a block (or of the file); the blocks it ate are not used. So the records,
 * their lines and their messages are rdr_next's, whatever the threads. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pt.h"

#define BLOCK (1 << 20)

enum { B_FREE, B_QUEUED, B_TAKEN, B_DONE };

struct block {
	char *data;
	size_t len, cap;
	const char *file;       /* its file's name */
	long line;              /* the line of data[0] */
	int first, last;        /* it opens, ends its file */
	struct buf msgs;        /* what reading said before it (a file that could not be read) */
	int state;              /* B_*: workers read it under the lock */
	int stopped;            /* its reader stopped at stop_off (line, mode): go on from there on one thread;
	                         * not stopped, stop_mode is the mode it ended in */
	size_t stop_off;
	long stop_line;
	int stop_mode;
	void *res;              /* the tool's results */
	/* a regular file's block is read by its worker: len bytes at offset at
	 * of fd; its first line is known once the blocks before it are counted
	 * (seq: its place among such blocks) */
	int pending, fd, closefd;
	off_t at;
	long seq;
};

struct run {
	const struct blocks_tool *t;
	void *tool;
	void **workers;
	struct block *b;
	int nb, head, count;    /* the ring: b[head] is the oldest of count blocks */
	int end;                /* the input is all read */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
	/* reading */
	char **files;
	int nfiles, next, fd, failed;
	const char *name;
	long line;
	int opens;              /* the next block opens its file */
	struct buf carry;       /* what followed the last newline */
	int regular;            /* the file is regular: its workers read its blocks */
	off_t fsize, fdone;     /* its size when opened, and how much is handed out */
	long seq, chain_seq;    /* worker-read blocks handed out; the next whose first line is due */
	long chain_line;        /* that block's first line */
	size_t block;           /* BLOCK, or $PT_BLOCK_BYTES (the tests' small blocks) */
	/* feeding the one-thread reader: block fb from foff */
	struct block *fb;
	size_t foff;
	int restart;            /* the last block ended before its file's first good value: the next
	                         * (read as NDJSON) is read again on one thread from its start */
	int nworkers;           /* threads scanning blocks; none: this one, with rd */
	struct reader *rd;
};

/* The CPUs this process may run on (a Slurm job's, a taskset's), at least 1. */
long
ncpus(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
		return CPU_COUNT(&set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? n : 1;
}

/* The default --threads: $PT_THREADS, else the CPUs, at most 64. */
long
threads_default(void)
{
	const char *e = getenv("PT_THREADS");
	if (e && *e)
		return parse_long("PT_THREADS", e, 1, 64);
	long n = ncpus();
	return n < 64 ? n : 64;
}

/* Opens the next operand into R->fd; 0 when none is left. A file that
 * cannot be read is said in msgs, where its records would have been. */
static int
open_next(struct run *R, struct buf *msgs)
{
	while (R->next < R->nfiles) {
		const char *f = R->files[R->next++];
		struct stat st;
		if (strcmp(f, "-") == 0) {
			if (stdin_closed)
				die(PT_EXIT_USAGE, "standard input is closed: give a FILE, or records on standard input");
			R->fd = 0;
			R->name = "<stdin>";
		} else {
			R->name = f;
			R->fd = open(f, O_RDONLY | O_CLOEXEC);
			int e = R->fd < 0 ? errno : fstat(R->fd, &st) == 0 && S_ISDIR(st.st_mode) ? EISDIR : 0;
			if (e) {
				buf_printf(msgs, "%s: %s: %s\n", progname, f, strerror(e));
				if (R->fd >= 0)
					close(R->fd);
				R->fd = -1;
				R->failed++;
				continue;
			}
		}
		R->line = 1;
		R->opens = 1;
		R->carry.len = 0;
		/* a regular file is read by the workers, each its own blocks (the
		 * bytes land in the cache of the core that scans them) */
		R->regular = R->fd > 0 && fstat(R->fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
		    !getenv("PT_NO_PREAD");
		R->fsize = R->regular ? st.st_size : 0;
		R->fdone = 0;
		return 1;
	}
	return 0;
}

/* Reads more of R's file onto b (grown when full); 1 at its end, or on an
 * error (said where the block's records would be). */
static int
read_more(struct run *R, struct block *b)
{
	if (b->len == b->cap) {
		b->cap *= 2;
		b->data = erealloc(b->data, b->cap);
	}
	for (;;) {
		ssize_t n = read(R->fd, b->data + b->len, b->cap - b->len);
		if (n > 0) {
			b->len += (size_t)n;
			return 0;
		}
		if (n == 0)
			return 1;
		if (errno != EINTR) {
			buf_printf(&b->msgs, "%s: %s: %s\n", progname, R->name, strerror(errno));
			R->failed++;
			return 1;
		}
	}
}

/* Reads the next block into b: whole lines of one file, at least BLOCK
 * bytes unless the file ends (a longer line makes a longer block). 0 when
 * the input is all read and there is nothing to say. */
static int split_regular(struct run *R, struct block *b);

static int
split(struct run *R, struct block *b)
{
	b->len = b->msgs.len = 0;
	b->stopped = b->pending = b->closefd = 0;
	if (R->fd < 0 && !open_next(R, &b->msgs)) {
		b->file = NULL;
		b->first = b->last = 0;
		return b->msgs.len > 0;
	}
	if (R->regular)
		return split_regular(R, b);
	if (b->cap < R->carry.len + R->block) {
		b->cap = R->carry.len + R->block;
		b->data = erealloc(b->data, b->cap);
	}
	if (R->carry.len)
		memcpy(b->data, R->carry.p, R->carry.len);
	b->len = R->carry.len;
	R->carry.len = 0;
	/* read to R->block bytes, then on (a line longer than that) until a
	 * newline comes; each byte searched once (the carry holds none) */
	size_t clean = b->len;
	int eof = 0;
	const char *nl = NULL;
	while (!eof && !nl) {
		eof = read_more(R, b);
		if (b->len < R->block || eof)
			continue;
		nl = memrchr(b->data + clean, '\n', b->len - clean);
		clean = b->len;
	}
	size_t cut = nl ? (size_t)(nl - b->data) + 1 : b->len;
	buf_add(&R->carry, b->data + cut, b->len - cut);
	b->len = cut;
	b->file = R->name;
	b->line = R->line;
	b->first = R->opens;
	b->last = eof;
	R->opens = 0;
	for (const char *p = b->data, *e = p + cut; (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++)
		R->line++;
	if (eof) {
		if (R->fd > 0)
			close(R->fd);
		R->fd = -1;
	}
	return 1;
}

/* The next block of a regular file, for a worker to read: from where the
 * last ended to the first newline after R->block more bytes (found by
 * reading just past there), or to the end of the file. */
static int
split_regular(struct run *R, struct block *b)
{
	off_t start = R->fdone, end = start + (off_t)R->block;
	char win[1 << 16];
	while (end < R->fsize) {
		ssize_t n = pread(R->fd, win, sizeof win, end);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {   /* an error, or the file shrank: the worker finds out */
			end = R->fsize;
			break;
		}
		const char *nl = memchr(win, '\n', (size_t)n);
		end += nl ? nl - win + 1 : n;
		if (nl)
			break;
	}
	if (end > R->fsize)
		end = R->fsize;
	b->pending = 1;
	b->fd = R->fd;
	b->at = start;
	b->len = (size_t)(end - start);
	b->file = R->name;
	b->first = R->opens;
	b->last = end == R->fsize;
	b->seq = R->seq++;
	R->opens = 0;
	R->fdone = end;
	if (b->last) {
		b->closefd = 1;   /* when it leaves the ring: every block before it has been read */
		R->fd = -1;
	}
	return 1;
}

/* A worker's block of a regular file: its bytes, then its first line, once
 * the blocks before it have counted theirs. */
static void
read_block(struct run *R, struct block *b)
{
	if (b->cap < b->len) {
		b->cap = b->len;
		b->data = erealloc(b->data, b->cap);
	}
	size_t got = 0;
	while (got < b->len) {
		ssize_t n = pread(b->fd, b->data + got, b->len - got, b->at + (off_t)got);
		if (n > 0)
			got += (size_t)n;
		else if (n < 0 && errno == EINTR)
			continue;
		else {
			buf_printf(&b->msgs, "%s: %s: %s\n", progname, b->file, n < 0 ? strerror(errno) : "the file shrank while read");
			pthread_mutex_lock(&R->mu);
			R->failed++;
			pthread_mutex_unlock(&R->mu);
			break;
		}
	}
	b->len = got;
	long nl = 0;
	for (const char *p = b->data, *e = p + got; (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++)
		nl++;
	pthread_mutex_lock(&R->mu);
	while (R->chain_seq != b->seq)
		pthread_cond_wait(&R->cv, &R->mu);
	b->line = b->first ? 1 : R->chain_line;
	R->chain_line = b->line + nl;
	R->chain_seq++;
	pthread_cond_broadcast(&R->cv);
	pthread_mutex_unlock(&R->mu);
	b->pending = 0;
}

/* A worker reads block b with its reader rd. */
static void
scan(struct run *R, void *worker, struct reader *rd, struct block *b)
{
	if (!b->file)
		return;
	if (b->pending)
		read_block(R, b);
	rdr_mem_set(rd, b->data, b->len, b->file, b->line, b->first, b->last);
	R->t->scan(worker, rd, b->res);
	rdr_where(rd, &b->stop_off, &b->stop_line, &b->stop_mode);
	b->stopped = b->stop_off < b->len;
}

struct worker_arg {
	struct run *R;
	void *worker;
};

static void *
work(void *arg)
{
	struct worker_arg *a = arg;
	struct run *R = a->R;
	struct reader *rd = rdr_mem();
	pthread_mutex_lock(&R->mu);
	for (;;) {
		struct block *b = NULL;
		for (int i = 0; i < R->count && !b; i++) {
			struct block *c = &R->b[(R->head + i) % R->nb];
			if (c->state == B_QUEUED)
				b = c;
		}
		if (!b) {
			if (R->stop)
				break;
			pthread_cond_wait(&R->cv, &R->mu);
			continue;
		}
		b->state = B_TAKEN;
		pthread_mutex_unlock(&R->mu);
		scan(R, a->worker, rd, b);
		pthread_mutex_lock(&R->mu);
		b->state = B_DONE;
		pthread_cond_broadcast(&R->cv);
	}
	pthread_mutex_unlock(&R->mu);
	rdr_mem_free(rd);
	return NULL;
}

static void
set_state(struct run *R, struct block *b, int state)
{
	pthread_mutex_lock(&R->mu);
	b->state = state;
	pthread_cond_broadcast(&R->cv);
	pthread_mutex_unlock(&R->mu);
}

static void
wait_done(struct run *R, struct block *b)
{
	pthread_mutex_lock(&R->mu);
	while (b->state != B_DONE)
		pthread_cond_wait(&R->cv, &R->mu);
	pthread_mutex_unlock(&R->mu);
}

/* Reads one more block into the ring (which has room), for the workers or,
 * without any, scanned here. 0 at the end of the input. */
static int
add_block(struct run *R)
{
	struct block *b = &R->b[(R->head + R->count) % R->nb];
	if (R->end || !split(R, b)) {
		R->end = 1;
		return 0;
	}
	pthread_mutex_lock(&R->mu);   /* workers look at the ring under the lock */
	R->count++;
	pthread_mutex_unlock(&R->mu);
	if (R->nworkers)
		set_state(R, b, B_QUEUED);
	else {
		scan(R, R->workers[0], R->rd, b);
		b->state = B_DONE;
	}
	return 1;
}

/* The oldest block leaves the ring. */
static void
drop_head(struct run *R)
{
	struct block *b = &R->b[R->head];
	if (b->closefd) {
		close(b->fd);
		b->closefd = 0;
	}
	pthread_mutex_lock(&R->mu);
	R->b[R->head].state = B_FREE;
	R->head = (R->head + 1) % R->nb;
	R->count--;
	pthread_mutex_unlock(&R->mu);
}

/* The one-thread reader's bytes: the rest of the block it started in, then
 * the next blocks of the same file, each leaving the ring once copied. */
static ssize_t
feed(void *ctx, char *dst, size_t room)
{
	struct run *R = ctx;
	while (R->fb->len == R->foff) {
		int last = R->fb->last;
		drop_head(R);   /* fb is always the head */
		R->fb = NULL;
		if (last || (R->count == 0 && !add_block(R)))
			return 0;
		struct block *b = &R->b[R->head];
		if (b->first || !b->file)
			return 0;   /* another file's: the workers' results stand */
		wait_done(R, b);
		fputs(buf_cstr(&b->msgs), stderr);
		R->fb = b;
		R->foff = 0;
	}
	size_t n = R->fb->len - R->foff < room ? R->fb->len - R->foff : room;
	memcpy(dst, R->fb->data + R->foff, n);
	R->foff += n;
	return (ssize_t)n;
}

/* Takes the oldest block back: what reading said, the tool's results, and
 * where its reader stopped, the rest on this thread. */
static void
take_head(struct run *R)
{
	struct block *h = &R->b[R->head];
	wait_done(R, h);
	fputs(buf_cstr(&h->msgs), stderr);
	if (R->restart && h->file && !h->first) {
		/* what kind of file this is was still open: its workers' results do not stand */
		h->stopped = 1;
		h->stop_off = 0;
		h->stop_line = h->line;
		h->stop_mode = RDR_MODE_START;
	} else if (h->file)
		R->t->take(R->tool, h->res);
	R->restart = 0;
	if (!h->stopped) {
		R->restart = h->file && h->stop_mode == RDR_MODE_START && !h->last;
		drop_head(R);
		return;
	}
	R->fb = h;
	R->foff = h->stop_off;
	struct reader *rd = rdr_fed(feed, R, h->file, h->stop_line, h->stop_mode);
	struct rec r;
	while (rdr_next(rd, &r) == RDR_REC) {
		R->t->one(R->tool, &r);
		/* between records at a block's end: the next block's workers were right */
		if (R->fb && R->foff == R->fb->len && rdr_idle(rd)) {
			drop_head(R);
			R->fb = NULL;
			break;
		}
	}
	if (R->fb) {   /* the file ended inside it */
		drop_head(R);
		R->fb = NULL;
	}
	rdr_close(rd);
}

int
blocks_run(char **files, int nfiles, int nthreads, void **workers, const struct blocks_tool *t, void *tool)
{
	static char *dash[] = { "-" };
	struct run R = { .t = t, .tool = tool, .workers = workers, .fd = -1, .block = BLOCK };
	const char *bb = getenv("PT_BLOCK_BYTES");
	if (bb && atol(bb) > 0)
		R.block = (size_t)atol(bb);
	R.files = nfiles ? files : dash;
	R.nfiles = nfiles ? nfiles : 1;
	int nalloc = nthreads > 1 ? nthreads + 2 : 1;
	R.b = ecalloc((size_t)nalloc, sizeof *R.b);
	for (int i = 0; i < nalloc; i++)
		R.b[i].res = t->res_new();
	pthread_mutex_init(&R.mu, NULL);
	pthread_cond_init(&R.cv, NULL);
	pthread_t *tid = ecalloc((size_t)nthreads, sizeof *tid);
	struct worker_arg *args = ecalloc((size_t)nthreads, sizeof *args);
	int started = 0;
	if (nthreads > 1)
		for (; started < nthreads; started++) {
			args[started] = (struct worker_arg){ &R, workers[started] };
			if (pthread_create(&tid[started], NULL, work, &args[started]) != 0)
				break;
		}
	R.nb = started ? nalloc : 1;   /* without workers, scanned here one block at a time */
	R.nworkers = started;
	R.rd = rdr_mem();
	for (;;) {
		while (R.count < R.nb && !(t->done && t->done(tool)) && add_block(&R))
			;
		if (R.count == 0)
			break;
		take_head(&R);
	}
	pthread_mutex_lock(&R.mu);
	R.stop = 1;
	pthread_cond_broadcast(&R.cv);
	pthread_mutex_unlock(&R.mu);
	for (int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	if (R.fd > 0)
		close(R.fd);
	for (int i = 0; i < nalloc; i++)
		if (R.b[i].closefd)
			close(R.b[i].fd);
	for (int i = 0; i < nalloc; i++) {
		free(R.b[i].data);
		free(R.b[i].msgs.p);
		t->res_free(R.b[i].res);
	}
	free(R.b);
	free(R.carry.p);
	free(tid);
	free(args);
	rdr_mem_free(R.rd);
	pthread_mutex_destroy(&R.mu);
	pthread_cond_destroy(&R.cv);
	return R.failed;
}
