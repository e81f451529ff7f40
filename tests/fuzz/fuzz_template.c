/* Fuzz target: the template expander. Arbitrary literal text (its "{{"
 * escaped, so it always compiles) around placeholders, rendered on arbitrary
 * record bytes: record text is inserted once, never expanded. */
#include <stdlib.h>
#include <string.h>
#include "pt.h"

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static int init;
	if (!init) {
		static char *fz[] = { "fuzz", NULL };
		pt_init(fz);
		init = 1;
	}
	if (size < 1)
		return 0;
	size_t tl = data[0] < size - 1 ? data[0] : size - 1;
	struct buf t = { 0 };
	for (size_t i = 1; i < 1 + tl; i++) {
		if (data[i] == '{' && i + 1 < 1 + tl && data[i + 1] == '{')
			buf_addc(&t, '\\');
		buf_addc(&t, data[i] ? data[i] : ' ');
	}
	buf_adds(&t, "<{{ .v }}|{{ .w // \"-\" }}|{{ .v | tostring }}>");
	struct tmpl tp = { 0 };
	jv args = jv_object();   /* lent to tmpl_compile, which copies what it keeps */
	tmpl_compile(&tp, buf_cstr(&t), args, "fuzz");
	jv_free(args);
	const char *rp = (const char *)data + 1 + tl;
	size_t rn = size - 1 - tl, start, end;
	long nl;
	const char *err;
	struct json_span sp[JSON_INDEX_MAX];
	struct json_index ix = { 0, sp };
	if (json_scan(rp, rn, 1, 0, &start, &end, &nl, &err, &ix) == JS_OK && rp[start] == '{') {
		struct rec r = { rp + start, end - start, "fuzz", 1, NULL, 1, &ix };
		jv parsed = jv_invalid();
		struct buf out = { 0 };
		free(tmpl_render(&tp, &r, &parsed, &out));
		jv_free(parsed);
		free(out.p);
	}
	tmpl_free(&tp);
	free(t.p);
	return 0;
}
