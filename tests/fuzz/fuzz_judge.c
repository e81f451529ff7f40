/* Fuzz target: the judge reply parser. A reply it accepts has a finite score. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "judge.h"

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *text = estrndup((const char *)data, size);
	double score;
	char *just;
	const char *err;
	if (judge_parse(text, &score, &just, &err) == JUDGE_OK && !isfinite(score))
		abort();
	free(just);
	free(text);
	return 0;
}
