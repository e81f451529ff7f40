/* judge.c: reading an LLM judge's reply. Strict first, then forgiving: the
 * whole text as JSON; else the JSON inside the last ``` code fence; else the last
 * balanced {…} that holds a "score". Nothing is guessed: a reply that yields
 * no finite number is a parse error. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "judge.h"

/* Reads {"score": n|"n", "justification": s} from JSON text [p, p+n). */
static int
read_object(const char *p, size_t n, double *score, char **just, const char **err)
{
	const char *end = NULL;
	size_t mn;
	char *marked = json_mark_nul(p, n, &mn);   /* an escaped NUL keeps what follows */
	if (marked)
		p = marked, n = mn;
	cJSON *o = cJSON_ParseWithLengthOpts(p, n, &end, 0);
	int r = -1;
	/* the object must be all there is (whitespace aside) */
	if (!cJSON_IsObject(o) || json_ws(end, p + n) != p + n)
		goto out;
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, "score");
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, "justification");
	if (!s)
		goto out;
	r = 0;
	if (cJSON_IsNumber(s))
		*score = s->valuedouble;
	else if (cJSON_IsString(s)) {
		char *stop;
		const char *t = s->valuestring;
		while (*t == ' ')
			t++;
		*score = strtod(t, &stop);
		while (*stop == ' ')
			stop++;
		if (stop == t || *stop) {
			*err = "score is not a number";
			r = 1;
		}
	} else {
		*err = "score is not a number";
		r = 1;
	}
	if (r == 0 && !isfinite(*score)) {
		*err = "score is not a finite number";
		r = 1;
	}
	if (r == 0)
		*just = cJSON_IsString(j) ? estrdup(j->valuestring) : NULL;
out:
	cJSON_Delete(o);
	free(marked);
	return r;
}

int
judge_parse(const char *text, double *score, char **just, const char **err)
{
	size_t n = strlen(text);
	const char *fence;
	int r;
	*just = NULL;
	*err = "no JSON object with a score in the reply";
	/* 1. the whole text */
	r = read_object(text, n, score, just, err);
	if (r >= 0)
		return r == 0 ? JUDGE_OK : JUDGE_PARSE_ERROR;
	/* 2. inside the last code fence (a draft may come before the answer) */
	const char *last_b = NULL, *last_e = NULL;
	for (fence = strstr(text, "```"); fence; ) {
		const char *b = fence + 3, *e;
		while (*b && *b != '\n' && *b != '{')
			b++;   /* skip a language tag such as json */
		if ((e = strstr(b, "```")) == NULL)
			break;
		last_b = b;
		last_e = e;
		fence = strstr(e + 3, "```");
	}
	if (last_b) {
		r = read_object(last_b, (size_t)(last_e - last_b), score, just, err);
		if (r >= 0)
			return r == 0 ? JUDGE_OK : JUDGE_PARSE_ERROR;
	}
	/* 3. the last balanced {…} holding a score */
	for (const char *p = text + n; p > text;) {
		p--;
		if (*p != '{')
			continue;
		size_t start, end;
		long nl;
		const char *e2;
		if (json_scan(p, (size_t)(text + n - p), 1, 0, &start, &end, &nl, &e2, NULL) != JS_OK)
			continue;
		r = read_object(p, end, score, just, err);
		if (r >= 0)
			return r == 0 ? JUDGE_OK : JUDGE_PARSE_ERROR;
	}
	return JUDGE_PARSE_ERROR;
}
