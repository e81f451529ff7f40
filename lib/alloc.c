/* alloc.c: allocation that never fails: out of memory ends the tool with
 * exit status 4 (PT_EXIT_NOMEM), said without allocating. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pt.h"

/* The tool's name for every message (set by pt_init in msg.c); kept here,
 * in the bottom layer, since even running out of memory is said with it. */
const char *progname = "pt";

void
pt_nomem(void)
{
	/* one line, said once: threads that run out together wait for the first */
	static int said;
	if (__atomic_exchange_n(&said, 1, __ATOMIC_SEQ_CST))
		for (;;)
			pause();
	static const char msg[] = ": out of memory\n";
	char line[256];
	size_t n = strlen(progname) < sizeof line - sizeof msg ? strlen(progname) : sizeof line - sizeof msg;
	memcpy(line, progname, n);
	memcpy(line + n, msg, sizeof msg - 1);
	(void)!write(2, line, n + sizeof msg - 1);
	_exit(PT_EXIT_NOMEM);
}

void *
emalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		pt_nomem();
	return p;
}

void *
ecalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);
	if (!p)
		pt_nomem();
	return p;
}

void *
erealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		pt_nomem();
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

