/* rubric.c: judge rubrics as data: the built-in ones (rubrics/NAME.rubric,
 * compiled in by lib/embed.sh) and --rubric FILE, in one format
 * (pt-judge(1), "Rubric files"): "key: value" header lines, a blank line, the
 * rubric text. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "judge.h"

/* How the judge is shown the record fields it knows by name; any other
 * field is shown under its own name, after these. */
static const struct { const char *field, *label; } labels[] = {
	{ "case_vignette", "Case" }, { "question_text", "Question" },
	{ "final_diagnosis", "Final diagnosis (known)" }, { "test_plan", "Reference next test" },
	{ "rubric", "Rubric" }, { "max_score", "Maximum score" },
};
#define NLABELS (sizeof labels / sizeof *labels)

static void
add_list(struct rubric *rb, const char *v, int need)
{
	char *copy = estrdup(v), *save = NULL;
	for (char *f = strtok_r(copy, ", ", &save); f; f = strtok_r(NULL, ", ", &save)) {
		int n = need ? rb->nneed : rb->nshow;
		char ***list = need ? &rb->need : &rb->show;
		*list = erealloc(*list, (size_t)(n + 1) * sizeof **list);
		(*list)[n] = estrdup(f);
		if (need)
			rb->nneed++;
		else
			rb->nshow++;
	}
	free(copy);
}

static int
in_list(char *const *list, int n, const char *f)
{
	for (int i = 0; i < n; i++)
		if (strcmp(list[i], f) == 0)
			return 1;
	return 0;
}

/* Sets a header's value; a message when the key or value is not right. */
static const char *
header(struct rubric *rb, const char *k, const char *v, int *have)
{
	char *end;
	if (strcmp(k, "name") == 0 || strcmp(k, "prompt") == 0 || strcmp(k, "summary") == 0) {
		char **dst = k[0] == 'n' ? &rb->name : k[0] == 'p' ? &rb->prompt_id : &rb->summary;
		free(*dst);
		*dst = estrdup(v);
	} else if (strcmp(k, "min") == 0 || strcmp(k, "grid") == 0) {
		double x = strtod(v, &end);
		if (end == v || *end || !isfinite(x) || (k[0] == 'g' && !(x > 0)))
			return k[0] == 'm' ? "min: expected a number" : "grid: expected a number above 0";
		*(k[0] == 'm' ? &rb->lo : &rb->grid) = x;
	} else if (strcmp(k, "max") == 0) {
		rb->hi = strtod(v, &end);
		if (end == v || *end || !isfinite(rb->hi)) {   /* a record field holding each record's maximum */
			if (!*v || strchr(v, ' '))
				return "max: expected a number or a field name";
			rb->hi = NAN;
			free(rb->max_field);
			rb->max_field = estrdup(v);
		}
		*have = 1;
	} else if (strcmp(k, "gap") == 0) {
		if (sscanf(v, "%lf %lf", &rb->gap_lo, &rb->gap_hi) != 2 || !(rb->gap_hi > rb->gap_lo))
			return "gap: expected two numbers LO HI, LO below HI";
	} else if (strcmp(k, "fields") == 0)
		add_list(rb, v, 1);
	else if (strcmp(k, "context") == 0) {
		rb->show_set = 1;
		add_list(rb, v, 0);
	} else
		return NULL;
	return "";
}

int
rubric_parse(struct rubric *rb, char *text, const char *origin)
{
	memset(rb, 0, sizeof *rb);
	rb->gap_lo = rb->gap_hi = NAN;
	char *p = text, *body = NULL;
	long line = 0;
	int have_max = 0;
	while (*p) {
		char *nl = strchr(p, '\n');
		line++;
		if (nl)
			*nl = 0;
		p[strcspn(p, "\r")] = 0;
		if (!*p) {
			body = nl ? nl + 1 : p;
			break;
		}
		if (*p != '#') {
			char *colon = strchr(p, ':'), *v = colon ? colon + 1 : NULL;
			const char *why = "expected 'key: value' header lines, then a blank line";
			if (colon) {
				*colon = 0;
				v += strspn(v, " \t");
				why = header(rb, p, v, &have_max);
				if (!why) {
					warn("%s:%ld: unknown header '%s'", origin, line, p);
					return -1;
				}
			}
			if (*why) {
				warn("%s:%ld: %s", origin, line, why);
				return -1;
			}
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	if (!have_max || !body || !*body) {
		warn("%s: a rubric needs a 'max:' header and its text after a blank line", origin);
		return -1;
	}
	if (!rb->name)
		rb->name = estrdup("custom");
	if (!rb->show_set)   /* shown when the record has them: every field the judge knows by name */
		for (size_t i = 0; i < NLABELS - 1; i++)
			add_list(rb, labels[i].field, 0);
	struct buf b = { 0 };
	if (rb->prompt_id) {
		/* a rubric with its own prompt id is given as written (one final newline dropped) */
		size_t n = strlen(body);
		buf_add(&b, body, n && body[n - 1] == '\n' ? n - 1 : n);
	} else {
		rb->prompt_id = estrdup("custom-1");
		buf_printf(&b, "Rubric: %s\n%s\nThe score is a number from %g to ", rb->name, body, rb->lo);
		if (rb->max_field)
			buf_printf(&b, "the record's %s.", rb->max_field);
		else
			buf_printf(&b, "%g.", rb->hi);
	}
	rb->text = buf_cstr(&b);
	return 0;
}

void
rubric_free(struct rubric *rb)
{
	free(rb->name);
	free(rb->prompt_id);
	free(rb->summary);
	free(rb->max_field);
	free(rb->text);
	for (int i = 0; i < rb->nneed; i++)
		free(rb->need[i]);
	for (int i = 0; i < rb->nshow; i++)
		free(rb->show[i]);
	free(rb->need);
	free(rb->show);
}

int
rubric_builtins(struct rubric **out)
{
	int n = 0;
	while (embedded[n].name)
		n++;
	struct rubric *rb = ecalloc((size_t)(n ? n : 1), sizeof *rb);
	for (int i = 0; i < n; i++) {
		char *t = estrdup(embedded[i].text);
		if (rubric_parse(&rb[i], t, embedded[i].name) != 0)
			die(PT_EXIT_FAIL, "the built-in rubric %s does not parse", embedded[i].name);
		free(t);
	}
	*out = rb;
	return n;
}

const char **
rubric_fields(const struct rubric *rb, int *np)
{
	const char **out = emalloc((NLABELS + (size_t)rb->nneed + (size_t)rb->nshow) * sizeof *out);
	int n = 0;
	for (size_t k = 0; k < NLABELS; k++)
		if (in_list(rb->need, rb->nneed, labels[k].field) || in_list(rb->show, rb->nshow, labels[k].field))
			out[n++] = labels[k].field;
	for (int pass = 0; pass < 2; pass++) {
		char *const *list = pass ? rb->show : rb->need;
		for (int i = 0; i < (pass ? rb->nshow : rb->nneed); i++) {
			int seen = rubric_label(list[i]) != list[i];
			for (int j = 0; j < n && !seen; j++)
				seen = strcmp(out[j], list[i]) == 0;
			if (!seen)
				out[n++] = list[i];
		}
	}
	*np = n;
	return out;
}

const char *
rubric_label(const char *field)
{
	for (size_t k = 0; k < NLABELS; k++)
		if (strcmp(labels[k].field, field) == 0)
			return labels[k].label;
	return field;
}

char *
rubric_check(const struct rubric *rb, double s, double max)
{
	double hi = rb->max_field ? max : rb->hi;
	struct buf b = { 0 };
	if (s < rb->lo || s > hi)
		buf_printf(&b, "score %g is outside %g to %g", s, rb->lo, hi);
	else if (rb->grid > 0 && fabs(s / rb->grid - round(s / rb->grid)) > 1e-9)
		buf_printf(&b, "score %g is not on the scale's steps of %g", s, rb->grid);
	else if (s > rb->gap_lo && s < rb->gap_hi)
		buf_printf(&b, "score %g is not on the scale (nothing between %g and %g)", s, rb->gap_lo, rb->gap_hi);
	return b.p ? buf_cstr(&b) : NULL;
}
