/* Fuzz target: HTTP reply handling: a response header line (Retry-After,
 * retry-after-ms) and a 2xx body in each wire format. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "net.h"

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	if (size < 1)
		return 0;
	double w = retry_after_header((const char *)data + 1, size - 1, -1);
	if (!(w == -1 || (w >= 0 && !isnan(w))))
		abort();
	struct reply r;
	const char *err;
	wire_reply(data[0] % 3, (const char *)data + 1, size - 1, &r, &err);
	reply_free(&r);
	return 0;
}
