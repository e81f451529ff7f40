/* Fuzz target: number text -> double (json_number == strtod) and double ->
 * shortest text -> the same double (num_fmt). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "pt.h"

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char text[128];
	if (size >= 8) {
		double x;
		memcpy(&x, data, 8);
		char out[64];
		num_fmt(out, sizeof out, x);
		if (isfinite(x) && strtod(out, NULL) != x)
			abort();
	}
	if (size == 0 || size >= sizeof text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	size_t start, end;
	long nl;
	const char *err;
	if (json_scan(text, size, 1, 0, &start, &end, &nl, &err, NULL) == JS_OK && start == 0 && end == size &&
	    (text[0] == '-' || (text[0] >= '0' && text[0] <= '9'))) {
		double a = json_number(text, size), b = strtod(text, NULL);
		if (memcmp(&a, &b, sizeof a) != 0)
			abort();
	}
	return 0;
}
