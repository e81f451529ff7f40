/* table.h: rows of named cells and their printing (table.c): pt-stats'
 * tables, and pt-report's, which prints them as HTML. */
#ifndef PT_TABLE_H
#define PT_TABLE_H
#include "pt.h"

enum { F_NDJSON, F_TABLE, F_CSV, F_TSV, F_MD, F_LATEX, F_HTML };

/* One cell: JSON text (a key, a string) or, text NULL, a number. */
struct cell {
	const char *name;   /* not owned */
	char *text;
	double num;
};
struct row {
	struct cell *c;
	int n;
};
/* The rows, each with the same columns; the first nby cells of a row are its
 * keys (named by_names, not owned), split from a group key at \x1f. */
struct table {
	struct row *rows;
	size_t n;
	int nby;
	char **by_names;
};

int table_format(const char *name);   /* -f's name, or a usage error */
struct row *table_row(struct table *t, const char *key);
void cell_num(struct row *r, const char *name, double x);
void cell_json(struct row *r, const char *name, const char *json);   /* copied */
void cell_text(const struct cell *c, struct buf *b, int format);
int table_column(const struct row *r, const char *name);   /* its index, or -1 */
/* --rank [-]COLUMN and --columns A,B,... (pt-stats(1)). */
void table_rank(struct table *t, const char *spec);
void table_columns(struct table *t, const char *list);
/* The table in format, each line (without newline) to line(ctx, p, n). */
void table_print(const struct table *t, int format, void (*line)(void *ctx, const char *p, size_t n), void *ctx);
void table_free(struct table *t);
/* Text as HTML text (and attribute values): the one function by which a
 * record's bytes reach a page. & < > " ' are written as references, control
 * characters and bytes that are not UTF-8 as U+FFFD, U+2028/9 as references;
 * a URL's user and password (scheme://USER:PASS@) as "[credentials removed]". */
void buf_add_html(struct buf *b, const char *p, size_t n);
#endif
