/* util.c: allocation that never fails, byte buffers, option numbers, messages. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "pt.h"

const char *progname = "pt";

static void
nomem(void)
{
	static const char msg[] = ": out of memory\n";
	(void)!write(2, progname, strlen(progname));
	(void)!write(2, msg, sizeof msg - 1);
	_exit(PT_EXIT_FAIL);
}

void *
emalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		nomem();
	return p;
}

void *
ecalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);
	if (!p)
		nomem();
	return p;
}

void *
erealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		nomem();
	return p;
}

char *
estrdup(const char *s)
{
	return estrndup(s, strlen(s));
}

char *
estrndup(const char *s, size_t n)
{
	char *p = emalloc(n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

int stdout_closed;

/* Sets the program name for messages and routes cJSON's allocations through
 * the fatal allocators. A closed standard descriptor is taken by /dev/null,
 * so no file or socket opened later can land on it; a closed stdout is then
 * a write error at the first record (out.c). */
void
pt_init(char **argv)
{
	static cJSON_Hooks hooks = { emalloc, free };
	const char *s = strrchr(argv[0], '/');
	progname = s ? s + 1 : argv[0];
	argv[0] = (char *)progname;   /* getopt's messages name the tool, not its path */
	cJSON_InitHooks(&hooks);
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF) {
			if (fd == 1)
				stdout_closed = 1;
			if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
				_exit(PT_EXIT_WRITE);
		}
}

int
fail_summary(unsigned long nrecords, int ninputs)
{
	if (!nrecords && !ninputs)
		return PT_EXIT_OK;
	fprintf(stderr, "%s: ", progname);
	if (nrecords)
		fprintf(stderr, "%lu record%s failed%s", nrecords, nrecords == 1 ? "" : "s", ninputs ? ", " : "");
	if (ninputs)
		fprintf(stderr, "%d input%s could not be read", ninputs, ninputs == 1 ? "" : "s");
	fputc('\n', stderr);
	return PT_EXIT_FAIL;
}

/* The verb of a "tool VERB [options]" command line (its index in verbs),
 * after -h/--help and --version; argv is advanced past it. */
int
verb_of(int *argc, char ***argv, const char *const *verbs, void (*usage)(void))
{
	struct buf list = { 0 };
	int i;
	for (i = 0; verbs[i]; i++)
		buf_printf(&list, "%s%s", i ? (verbs[i + 1] ? ", " : " or ") : "", verbs[i]);
	if (*argc >= 2 && (strcmp((*argv)[1], "-h") == 0 || strcmp((*argv)[1], "--help") == 0))
		usage();
	if (*argc >= 2 && strcmp((*argv)[1], "--version") == 0)
		print_version();
	if (*argc < 2)
		usage_error("missing verb: %s", buf_cstr(&list));
	for (i = 0; verbs[i]; i++)
		if (strcmp((*argv)[1], verbs[i]) == 0)
			break;
	if (!verbs[i])
		usage_error("unknown verb '%s': %s", (*argv)[1], buf_cstr(&list));
	free(list.p);
	(*argv)++;
	(*argc)--;
	return i;
}

void
print_version(void)
{
	printf("%s (pt) %s\n", progname, PT_VERSION);
	exit(PT_EXIT_OK);
}

void
usage_error(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", progname);
	exit(PT_EXIT_USAGE);
}

long
parse_long(const char *opt, const char *s, long lo, long hi)
{
	char *end;
	long v;
	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno)
		usage_error("%s: not an integer: '%s'", opt, s);
	if (v < lo || v > hi)
		usage_error("%s: %s is out of range (%ld to %ld)", opt, s, lo, hi);
	return v;
}

double
parse_double(const char *opt, const char *s, double lo, double hi)
{
	char *end;
	double v;
	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(v))
		usage_error("%s: not a number: '%s'", opt, s);
	if (v < lo || v > hi)
		usage_error("%s: %s is out of range (%g to %g)", opt, s, lo, hi);
	return v;
}

void
buf_grow(struct buf *b, size_t more)
{
	if (b->len + more + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + more + 1)
		cap *= 2;
	b->p = erealloc(b->p, cap);
	b->cap = cap;
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addc(struct buf *b, int c)
{
	buf_grow(b, 1);
	b->p[b->len++] = (char)c;
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *
buf_cstr(struct buf *b)
{
	buf_grow(b, 0);
	b->p[b->len] = 0;
	return b->p;
}

/* FNV-1a over n bytes. */
unsigned long
str_hash(const char *s, size_t n)
{
	unsigned long h = 1469598103934665603UL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211UL;
	return h;
}

/* The slot of key in m, or the empty one where it would go (m->cap > 0). */
static size_t
strmap_slot(const struct strmap *m, const char *key)
{
	size_t j = str_hash(key, strlen(key)) & (m->cap - 1);
	while (m->keys[j] && strcmp(m->keys[j], key) != 0)
		j = (j + 1) & (m->cap - 1);
	return j;
}

/* key's value in m; a new key gets the value n (*added = 1). */
size_t *
strmap_get(struct strmap *m, const char *key, size_t n, int *added)
{
	if (2 * (m->n + 1) > m->cap) {
		struct strmap t = { 0 };
		t.cap = m->cap ? m->cap * 2 : 64;
		t.keys = ecalloc(t.cap, sizeof *t.keys);
		t.vals = ecalloc(t.cap, sizeof *t.vals);
		for (size_t i = 0; i < m->cap; i++)
			if (m->keys[i]) {
				size_t j = strmap_slot(&t, m->keys[i]);
				t.keys[j] = m->keys[i];
				t.vals[j] = m->vals[i];
				t.n++;
			}
		free(m->keys);
		free(m->vals);
		*m = t;
	}
	size_t j = strmap_slot(m, key);
	*added = !m->keys[j];
	if (*added) {
		m->keys[j] = estrdup(key);
		m->vals[j] = n;
		m->n++;
	}
	return &m->vals[j];
}

void
strmap_free(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
}

int
strset_add(struct strset *s, const char *key)
{
	int added;
	strmap_get(&s->m, key, 0, &added);
	return added;
}

size_t *
strmap_find(const struct strmap *m, const char *key)
{
	if (!m->cap)
		return NULL;
	size_t j = strmap_slot(m, key);
	return m->keys[j] ? &m->vals[j] : NULL;
}

int
strset_has(const struct strset *s, const char *key)
{
	return strmap_find(&s->m, key) != NULL;
}

void
strset_free(struct strset *s)
{
	strmap_free(&s->m);
}
