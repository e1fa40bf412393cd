/* util.c — small helpers shared by every program. */
#include "common/util.h"
#include "common/cfg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

double
util_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int64_t
util_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

double
util_monotonic(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Make path and its missing parents; exact: parents get parent_mode whatever
 * the umask (a service user must be able to pass through them). */
static int
mkdirs(const char *path, unsigned parent_mode, int exact, unsigned mode)
{
	char buf[4096];
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, parent_mode) == 0) {
			if (exact && chmod(buf, parent_mode) < 0)
				return -1;
		} else if (errno != EEXIST) {
			return -1;
		}
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

int
util_mkdirs_parents(const char *path, unsigned parent_mode, unsigned mode)
{
	return mkdirs(path, parent_mode, 1, mode);
}

int
util_mkdirs(const char *path, unsigned mode)
{
	return mkdirs(path, mode, 0, mode);
}

char *
util_read_file(const char *path, size_t max, size_t *len)
{
	return util_read_fileat(AT_FDCWD, path, max, len);
}

char *
util_read_fileat(int dirfd, const char *path, size_t max, size_t *len)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	while (buf != NULL) {
		if (n + 1 >= cap) {
			if (cap > max) {
				errno = EFBIG;
				goto fail;
			}
			char *grown = realloc(buf, cap * 2);
			if (grown == NULL)
				goto fail;
			buf = grown;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (buf == NULL || n > max) {
		errno = buf ? EFBIG : ENOMEM;
		goto fail;
	}
	close(fd);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

int
util_write_file_atomic(const char *path, const void *data, size_t len, unsigned mode)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -1;
	const char *p = data;
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		p += w;
		len -= (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	if (rename(tmp, path) < 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -1;
}

int
util_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	while (p < end) {
		unsigned c = *p;
		size_t need;
		unsigned min;
		if (c < 0x80) {
			p++;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			need = 1; min = 0x80; c &= 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			need = 2; min = 0x800; c &= 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			need = 3; min = 0x10000; c &= 0x07;
		} else {
			return 0;
		}
		if ((size_t)(end - p) <= need)
			return 0;
		for (size_t i = 1; i <= need; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return 0;
			c = (c << 6) | (p[i] & 0x3F);
		}
		if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
			return 0;
		p += need + 1;
	}
	return 1;
}

int
util_parse_time(const char *text, double now, double *out)
{
	if (text == NULL || *text == '\0' || strcmp(text, "now") == 0) {
		*out = now;
		return 0;
	}
	if (text[0] == '-') {
		long long secs;
		if (cfg_parse_duration(text + 1, &secs) < 0 || secs < 0)
			return -1;
		*out = now - (double)secs;
		return 0;
	}
	char *end;
	errno = 0;
	double v = strtod(text, &end);
	if (errno != 0 || *end != '\0' || end == text || v < 0 || v > 1e11)
		return -1;
	*out = v;
	return 0;
}
