/* Fuzz target: the record reader, the fast field path and the splicer on
 * arbitrary bytes given as a file; the reading thread (rdr_threaded) must
 * give the same records as the plain reader. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "pt.h"

/* Appends what the reader said of r. */
static void
note(struct buf *b, const struct rec *r)
{
	buf_printf(b, "%ld %s %zu:", r->line, r->err ? r->err : "-", r->len);
	buf_add(b, r->p, r->len);
	if (r->ix && r->ix->n > 0)
		buf_printf(b, " %d %u", r->ix->n, r->ix->m[r->ix->n - 1].vallen);
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct path *paths[3];
	if (!paths[0]) {
		static char *fz[] = { "fuzz", NULL };
		pt_init(fz);
		paths[0] = path_parse(".grade");
		paths[1] = path_parse(".a.b[1]");
		paths[2] = path_parse(".[\"max score\"]");
	}
	int fd = memfd_create("in", 0);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	char name[64];
	snprintf(name, sizeof name, "/proc/self/fd/%d", fd);
	char *files[] = { name };
	struct reader *rd = rdr_open(files, 1);
	struct rec r;
	struct buf b = { 0 };
	static const char *const drop[] = { "grade", NULL };
	struct buf seen = { 0 };   /* each record as line, error, bytes */
	while (rdr_next(rd, &r) == RDR_REC) {
		note(&seen, &r);
		if (r.err || !r.is_object)
			continue;
		for (int i = 0; i < 3; i++) {
			const char *v;
			size_t n;
			path_get(paths[i], r.p, r.p + r.len, r.ix, &v, &n);
			path_get(paths[i], r.p, r.p + r.len, NULL, &v, &n);
		}
		b.len = 0;
		splice_object(&b, r.p, r.len, drop, "\"k\":1", 5);
	}
	rdr_close(rd);
	rd = rdr_open(files, 1);
	rdr_threaded(rd);
	b.len = 0;
	while (rdr_next(rd, &r) == RDR_REC)
		note(&b, &r);
	rdr_close(rd);
	if (b.len != seen.len || (b.len && memcmp(b.p, seen.p, b.len) != 0))
		abort();
	free(b.p);
	free(seen.p);
	close(fd);
	return 0;
}
