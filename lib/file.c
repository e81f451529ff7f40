/* file.c: whole files: reading one, and writing one so that it is whole at
 * every moment (a temporary name in its folder, renamed over it at the end). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pt.h"

/* Reads a whole regular file; returns a NUL-terminated heap copy the caller
 * frees, or NULL with errno set. */
char *
read_file(const char *path, size_t *lenp)
{
	struct buf b = { 0 };
	char tmp[65536];
	ssize_t n;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		errno = EISDIR;
		return NULL;
	}
	while ((n = read(fd, tmp, sizeof tmp)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			free(b.p);
			errno = e;
			return NULL;
		}
		buf_add(&b, tmp, (size_t)n);
	}
	close(fd);
	buf_cstr(&b);
	if (lenp)
		*lenp = b.len;
	return b.p;
}

static mode_t
umask_now(void)
{
	mode_t m = umask(022);
	umask(m);
	return m;
}

int
write_all(int fd, const void *p, size_t n)
{
	for (size_t off = 0; off < n;) {
		ssize_t w = write(fd, (const char *)p + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

int
temp_open(const char *file, char **tmp)
{
	struct stat st;
	char *target = NULL;
	const char *name = file;
	*tmp = NULL;
	if (lstat(file, &st) == 0 && S_ISLNK(st.st_mode)) {
		/* written through the link to its target, as sort -o does */
		if (!(target = realpath(file, NULL)))
			return -1;
		name = target;
	}
	int exists = stat(name, &st) == 0, fd;
	if (exists && !S_ISREG(st.st_mode))   /* a device or pipe: written in place */
		fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	else {
		size_t n = strlen(name) + 8;
		*tmp = emalloc(n);
		snprintf(*tmp, n, "%s.XXXXXX", name);
		if ((fd = mkostemp(*tmp, O_CLOEXEC)) < 0) {
			free(*tmp);
			*tmp = NULL;
		} else   /* an existing file keeps its mode */
			fchmod(fd, exists ? st.st_mode & 07777 : 0666 & ~umask_now());
	}
	free(target);
	return fd;
}

int
temp_commit(int fd, char *tmp)
{
	int rc = 0;
	if (tmp) {
		size_t n = strlen(tmp) - 7;   /* the name it stands for: tmp less ".XXXXXX" */
		char *file = estrndup(tmp, n);
		if (fsync(fd) != 0 || rename(tmp, file) != 0) {
			int e = errno;
			unlink(tmp);
			errno = e;
			rc = -1;
		}
		free(file);
	}
	free(tmp);
	return rc;
}

void
temp_discard(char *tmp)
{
	if (tmp)
		unlink(tmp);
	free(tmp);
}

static char *out_file, *out_tmp;
static char *lock_path;   /* FILE.lock while this run writes FILE */
static int lock_fd = -1;

int
file_lock(const char *path, char *holder, size_t n)
{
	struct stat st, held;
	for (;;) {
		int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0)
			return -2;
		if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
			ssize_t r = holder && n ? pread(fd, holder, n - 1, 0) : 0;
			if (holder && n)
				holder[r > 0 ? r : 0] = 0;
			close(fd);
			return -1;
		}
		/* the lock of the file that is there now, not of one its holder
		 * removed as we opened it */
		if (fstat(fd, &held) == 0 && stat(path, &st) == 0 && held.st_ino == st.st_ino && held.st_dev == st.st_dev)
			return fd;
		close(fd);
	}
}

void
file_unlock(const char *path, int fd)
{
	if (fd < 0)
		return;
	unlink(path);   /* while it is held: whoever opens it next finds it gone */
	close(fd);
}

/* Takes FILE.lock, beside what -o writes (a link's target), so that a
 * second run on the same file (two `--resume F -o F` at once: every request
 * paid twice, the last rename wins) refuses at once, naming the run that
 * holds it. The lock is flock(2)'s, so a killed run holds none; its file,
 * with the holder's pid, is removed when the run ends. */
static void
output_lock(const char *file)
{
	struct stat st;
	char *target = lstat(file, &st) == 0 && S_ISLNK(st.st_mode) ? realpath(file, NULL) : NULL;
	struct buf path = { 0 };
	char pid[24] = "";
	buf_printf(&path, "%s.lock", target ? target : file);
	free(target);
	int fd = file_lock(path.p, pid, sizeof pid);
	if (fd == -1) {
		long who = strtol(pid, NULL, 10);
		if (who > 0)
			die(PT_EXIT_USAGE, "-o %s: another run (pid %ld) is writing it; wait for it to end, or write elsewhere", file, who);
		die(PT_EXIT_USAGE, "-o %s: another run is writing it; wait for it to end, or write elsewhere", file);
	}
	if (fd < 0) {   /* a folder that takes no file: the temporary file says why */
		free(path.p);
		return;
	}
	int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == 0)
		(void)!pwrite(fd, pid, (size_t)n, 0);
	lock_fd = fd;
	lock_path = path.p;
}

static void
output_unlock(void)
{
	if (lock_fd < 0)
		return;
	file_unlock(lock_path, lock_fd);
	lock_fd = -1;
	free(lock_path);
	lock_path = NULL;
}

/* -o's temporary file goes with any exit before output_commit. */
static void
output_atexit(void)
{
	output_discard();
}

void
output_open(const char *file)
{
	output_lock(file);
	int fd = temp_open(file, &out_tmp);
	if (fd < 0 || dup2(fd, 1) < 0) {
		int e = errno;
		output_unlock();
		die(PT_EXIT_USAGE, "-o %s: %s", file, strerror(e));
	}
	close(fd);
	out_file = estrdup(file);
	atexit(output_atexit);
}

void
output_commit(void)
{
	if (!out_file)
		return;
	char *tmp = out_tmp;
	out_tmp = NULL;
	int rc = temp_commit(1, tmp), e = errno;
	output_unlock();
	if (rc != 0)
		die(PT_EXIT_WRITE, "-o %s: %s", out_file, strerror(e));
	free(out_file);
	out_file = NULL;
}

int
output_discard(void)
{
	if (!out_file)
		return 0;
	temp_discard(out_tmp);
	out_tmp = NULL;
	output_unlock();
	free(out_file);
	out_file = NULL;
	return 1;
}

int
write_file(const char *file, const void *p, size_t n)
{
	char *tmp;
	int fd = temp_open(file, &tmp), rc = fd < 0 ? -1 : write_all(fd, p, n);
	if (rc < 0)
		temp_discard(tmp);
	else
		rc = temp_commit(fd, tmp);
	int err = errno;
	if (fd >= 0 && close(fd) != 0 && rc == 0)
		return -1;
	errno = err;
	return rc;
}
