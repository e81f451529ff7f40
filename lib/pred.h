/* pred.h: jq selection predicates evaluated on a record's bytes (lib/pred.c),
 * for pt-filter. */
#ifndef PT_PRED_H
#define PT_PRED_H

#include "pt.h"

struct pred;
enum { PRED_KEEP, PRED_DROP, PRED_UNSURE };
/* The native form of the jq program text, or NULL with *why naming the first
 * part that is not one of the native forms (args: --arg/--argjson, borrowed). */
struct pred *pred_compile(const char *text, jv args, const char **why);
/* Whether the record [rec, rec+len) is kept, dropped, or one only libjq can
 * answer exactly (an error, a value that is not a boolean or the record). */
int pred_eval(const struct pred *pr, const char *rec, size_t len, const struct json_index *ix);
void pred_free(struct pred *pr);

#endif
