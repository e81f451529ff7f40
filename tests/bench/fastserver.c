/* fastserver: a minimal chat-completions server for the engine benchmarks,
 * where the Python test server would be the bottleneck. One thread, epoll,
 * keep-alive; every POST gets the same small OpenAI-style reply after
 * DELAY_MS milliseconds, or STALL seconds for a request whose body holds
 * [[stall]] (the -k benchmark). Loopback only; exits after LIFETIME seconds.
 * usage: fastserver PORTFILE DELAY_MS LIFETIME [STALL] */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXC 4096

static const char body[] =
    "{\"id\":\"x\",\"object\":\"chat.completion\",\"created\":0,\"model\":\"bench\",\"choices\":[{\"index\":0,"
    "\"message\":{\"role\":\"assistant\",\"content\":\"An answer of modest length for the benchmark.\"},"
    "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":9,\"total_tokens\":21}}";

struct conn {
	char in[65536];
	size_t len;
	double due;     /* when the pending reply is due, 0 if none */
};

static struct conn *conns[MAXC];
static int maxfd;   /* conns above it are all NULL */

static double
now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void
reply(int fd)
{
	char out[1024];
	int n = snprintf(out, sizeof out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
	    sizeof body - 1, body);
	(void)!write(fd, out, (size_t)n);
}

/* A whole request (headers and Content-Length body) at the front of c->in:
 * its length, or 0 if incomplete. */
static size_t
request_len(struct conn *c)
{
	c->in[c->len < sizeof c->in ? c->len : sizeof c->in - 1] = 0;
	char *e = strstr(c->in, "\r\n\r\n");
	if (!e)
		return 0;
	size_t hl = (size_t)(e + 4 - c->in), cl = 0;
	char *p = strcasestr(c->in, "content-length:");
	if (p && p < e)
		cl = strtoul(p + 15, NULL, 10);
	return c->len >= hl + cl ? hl + cl : 0;
}

int
main(int argc, char **argv)
{
	double delay = argc > 2 ? atof(argv[2]) / 1000 : 0, end = now() + (argc > 3 ? atof(argv[3]) : 300);
	double stall = argc > 4 ? atof(argv[4]) : 0;
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof a;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 4096) < 0)
		return perror("fastserver"), 1;
	getsockname(ls, (struct sockaddr *)&a, &al);
	FILE *f = fopen(argv[1], "w");
	fprintf(f, "%d", ntohs(a.sin_port));
	fclose(f);
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = ls }, evs[256];
	epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
	while (now() < end) {
		/* the earliest pending reply decides how long to sleep */
		double t = now(), next = t + 1;
		for (int fd = 0; fd <= maxfd; fd++)
			if (conns[fd] && conns[fd]->due) {
				if (conns[fd]->due <= t) {
					reply(fd);
					conns[fd]->due = 0;
				} else if (conns[fd]->due < next)
					next = conns[fd]->due;
			}
		int n = epoll_wait(ep, evs, 256, (int)((next - now()) * 1000) + 1);
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == ls) {
				int c;
				while ((c = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					if (c >= MAXC) {
						close(c);
						continue;
					}
					setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
					conns[c] = calloc(1, sizeof **conns);
					if (c > maxfd)
						maxfd = c;
					struct epoll_event ce = { .events = EPOLLIN, .data.fd = c };
					epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
				}
				continue;
			}
			struct conn *c = conns[fd];
			ssize_t r = read(fd, c->in + c->len, sizeof c->in - 1 - c->len);
			if (r <= 0) {
				if (r < 0 && errno == EAGAIN)
					continue;
				epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
				close(fd);
				free(c);
				conns[fd] = NULL;
				continue;
			}
			c->len += (size_t)r;
			size_t q;
			while ((q = request_len(c)) > 0) {
				int stalled = stall > 0 && memmem(c->in, q, "[[stall]]", 9);
				memmove(c->in, c->in + q, c->len - q);
				c->len -= q;
				if (stalled)
					c->due = now() + stall;
				else if (delay > 0)
					c->due = now() + delay;
				else
					reply(fd);
			}
		}
	}
	return 0;
}
