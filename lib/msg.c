/* msg.c: the tool's start, its messages (warn, die, usage errors, the failure
 * summary), verbs, --version, and numbers given as options. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "pt.h"

int stdout_closed, stdin_closed;

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
			if (fd == 0)
				stdin_closed = 1;
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

/* Where this thread's messages go: stderr, or what msg_capture set (a
 * worker keeps its block's messages to be said in input order). */
static __thread FILE *msg_to;

FILE *
msg_file(void)
{
	return msg_to ? msg_to : stderr;
}

void
msg_capture(FILE *f)
{
	msg_to = f;
}

void
buf_add_escaped(struct buf *b, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c < 0x20 || c == 0x7f)
			buf_printf(b, "\\x%02x", c);
		else
			buf_addc(b, c);
	}
}

void
msg_vformat(struct buf *b, const char *where, const char *fmt, va_list ap)
{
	struct buf m = { 0 };
	buf_vprintf(&m, fmt, ap);
	buf_printf(b, "%s: %s", progname, where ? where : "");
	buf_add_escaped(b, m.p, m.len);
	free(m.p);
}

void
vsay(const char *where, const char *fmt, va_list ap)
{
	struct buf b = { 0 };
	msg_vformat(&b, where, fmt, ap);
	fwrite(b.p, 1, b.len, msg_file());
	free(b.p);
}

/* "tool: " and the message, without its newline. */
static void
say(const char *fmt, va_list ap)
{
	vsay(NULL, fmt, ap);
}

void
warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
	fputc('\n', msg_file());
}

void
die(int status, const char *fmt, ...)
{
	va_list ap;
	msg_to = NULL;   /* the last word goes out now */
	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

void
usage_error(const char *fmt, ...)
{
	va_list ap;
	msg_to = NULL;
	va_start(ap, fmt);
	say(fmt, ap);
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

