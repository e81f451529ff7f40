/* Fuzz target: the record reader, the fast field path and the splicer on
 * arbitrary bytes given as a file. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "pt.h"

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
	while (rdr_next(rd, &r) == RDR_REC) {
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
	free(b.p);
	rdr_close(rd);
	close(fd);
	return 0;
}
