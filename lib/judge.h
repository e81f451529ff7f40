/* judge.h: what pt-judge needs beyond the engine: reading a judge's reply, rubrics. */
#ifndef PT_JUDGE_H
#define PT_JUDGE_H

#include "pt.h"

/* judge.c: reading a judge's reply {"score": n, "justification": s}. */
enum { JUDGE_OK, JUDGE_PARSE_ERROR };
/* *just is a heap string or NULL; *err a static reason on failure. */
int judge_parse(const char *text, double *score, char **just, const char **err);

/* rubric.c: judge rubrics as data (pt-judge(1), "Rubric files"). */
struct embedded { const char *name, *text; };
extern const struct embedded embedded[];   /* rubrics/NAME.rubric, by lib/embed.sh; ends with { 0 } */
struct rubric {
	char *name, *prompt_id;
	char *summary;              /* one line for the --task auto router */
	char **need, **show;        /* fields the judge needs; fields shown when present */
	int nneed, nshow, show_set;
	double lo, hi;              /* the scale; hi NaN: the record's max_field */
	char *max_field;
	double grid;                /* scores are multiples of grid (0: any) */
	double gap_lo, gap_hi;      /* no score strictly between these (NaN: none) */
	char *text;                 /* what the judge is told */
};
/* Parses text (changed in place; origin names it in messages): 0, or -1
 * said on stderr as origin:line. */
int rubric_parse(struct rubric *rb, char *text, const char *origin);
void rubric_free(struct rubric *rb);
int rubric_builtins(struct rubric **out);   /* the built-in rubrics, parsed; their count */
/* The fields shown to the judge, in the order shown: those known by name
 * first (rubric_label), then the others as listed; caller frees the array. */
const char **rubric_fields(const struct rubric *rb, int *n);
const char *rubric_label(const char *field);   /* the field itself when it has no label */
/* Why score s is not on rb's scale (max: the record's maximum), or NULL. */
char *rubric_check(const struct rubric *rb, double s, double max);

#endif
