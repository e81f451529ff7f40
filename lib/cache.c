/* cache.c: the content-addressed response cache. One file per request hash
 * under DIR/ab/, written to a temporary name and renamed into place, so any
 * number of processes may share a directory. A file holds a header line
 * "pt-cache 1 <sha256 of the body>" and the reply body; an entry whose body
 * does not match its checksum is a miss, never served. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>

#include "net.h"

void
sha256_hex(const void *p, size_t n, char out[65])
{
	unsigned char md[32];
	unsigned int len = 0;
	EVP_Digest(p, n, md, &len, EVP_sha256(), NULL);
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
	out[64] = 0;
}

void
request_hash(const struct engine_opts *o, const char *body, long sample, char out[65])
{
	struct buf b = { 0 };
	const char *dep = o->api == API_AZURE && o->nurls ? strstr(o->urls[0], "/deployments/") : NULL;
	buf_printf(&b, "pt-request 1\n%s\n%s\n%s", api_name(o->api), api_path(o->api), o->model);
	if (dep) {
		dep += 13;
		buf_printf(&b, "@%.*s", (int)strcspn(dep, "/?"), dep);
	}
	buf_printf(&b, "\n%ld\n", sample);
	buf_adds(&b, body);
	sha256_hex(b.p, b.len, out);
	free(b.p);
}

static void
entry_path(struct buf *b, const char *dir, const char *hash)
{
	buf_printf(b, "%s/%.2s/%s.json", dir, hash, hash + 2);
}

char *
cache_get(const char *dir, const char *hash, size_t *len)
{
	struct buf path = { 0 };
	size_t n = 0;
	struct stat st;
	char *text = NULL;
	entry_path(&path, dir, hash);
	/* an entry is a regular file of sane size, opened without following a
	 * link or waiting on a FIFO; anything else is a corrupt entry, a miss */
	int fd = open(buf_cstr(&path), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	free(path.p);
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))   /* nothing kept there (yet) */
		return NULL;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)(REPLY_MAX + 128))
		goto corrupt;
	text = emalloc((size_t)st.st_size + 1);
	while (n < (size_t)st.st_size) {
		ssize_t r = read(fd, text + n, (size_t)st.st_size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	text[n] = 0;
	close(fd);
	fd = -1;
	char *nl = memchr(text, '\n', n);
	char sum[65];
	if (!nl || nl - text != 11 + 64 || strncmp(text, "pt-cache 1 ", 11) != 0)
		goto corrupt;
	sha256_hex(nl + 1, n - (size_t)(nl + 1 - text), sum);
	if (memcmp(sum, text + 11, 64) != 0)
		goto corrupt;
	*len = n - (size_t)(nl + 1 - text);
	memmove(text, nl + 1, *len + 1);
	return text;
corrupt:
	if (fd >= 0)
		close(fd);
	warn("cache entry %.12s… is corrupt; treated as a miss", hash);
	free(text);
	return NULL;
}

static int
mkdir_p(const char *dir)
{
	if (mkdir(dir, 0700) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return -1;
	char *parent = estrdup(dir), *slash = strrchr(parent, '/');
	int r = -1;
	if (slash && slash != parent) {
		*slash = 0;
		if (mkdir_p(parent) == 0)
			r = mkdir(dir, 0700) == 0 || errno == EEXIST ? 0 : -1;
	}
	free(parent);
	return r;
}

/* DIR/ab/HASH.asking: held (flock) by the process asking that request. */
static void
claim_path(struct buf *b, const char *dir, const char *hash)
{
	buf_printf(b, "%s/%.2s/%s.asking", dir, hash, hash + 2);
}

int
cache_claim(const char *dir, const char *hash)
{
	struct buf sub = { 0 }, path = { 0 };
	buf_printf(&sub, "%s/%.2s", dir, hash);
	claim_path(&path, dir, hash);
	int fd = mkdir_p(sub.p) < 0 ? -2 : file_lock(path.p, NULL, 0);
	free(sub.p);
	free(path.p);
	return fd;
}

void
cache_unclaim(const char *dir, const char *hash, int fd)
{
	if (fd < 0)
		return;
	struct buf path = { 0 };
	claim_path(&path, dir, hash);
	file_unlock(path.p, fd);
	free(path.p);
}

int
cache_put(const char *dir, const char *hash, const char *body, size_t len)
{
	struct buf sub = { 0 }, path = { 0 }, tmp = { 0 }, data = { 0 };
	char sum[65];
	int fd, r = -1;
	buf_printf(&sub, "%s/%.2s", dir, hash);
	if (mkdir_p(buf_cstr(&sub)) < 0)
		goto out;
	entry_path(&path, dir, hash);
	/* a name of its own (O_EXCL, mode 0600): in a shared directory a link
	 * planted under a predictable name is never followed */
	buf_printf(&tmp, "%s/.tmp.XXXXXX", sub.p);
	sha256_hex(body, len, sum);
	buf_printf(&data, "pt-cache 1 %s\n", sum);
	buf_add(&data, body, len);
	fd = mkostemp(buf_cstr(&tmp), O_CLOEXEC);
	if (fd < 0)
		goto out;
	if (write_all(fd, data.p, data.len) < 0) {
		close(fd);
		unlink(tmp.p);
		goto out;
	}
	if (close(fd) < 0 || rename(tmp.p, buf_cstr(&path)) < 0) {
		unlink(tmp.p);
		goto out;
	}
	r = 0;
out:
	free(sub.p);
	free(path.p);
	free(tmp.p);
	free(data.p);
	return r;
}
