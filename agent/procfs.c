/* procfs.c — bounded reads of /proc and /sys files into reusable buffers. */
#include "agent/agent.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
rbuf_free(struct rbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->cap = 0;
}

static int
open_rel(const char *root, const char *rel)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return open(path, O_RDONLY | O_CLOEXEC);
}

long
proc_read(struct rbuf *b, const char *root, const char *rel)
{
	int fd = open_rel(root, rel);
	size_t len = 0;

	if (fd < 0)
		return -1;
	for (;;) {
		if (b->cap - len < 2 || b->p == NULL) {
			size_t ncap = b->cap ? b->cap * 2 : 8192;
			if (ncap > PROC_FILE_MAX + 1) {
				if (b->cap >= PROC_FILE_MAX + 1) {
					close(fd);
					errno = EFBIG;
					return -1;
				}
				ncap = PROC_FILE_MAX + 1;
			}
			char *p = realloc(b->p, ncap);
			if (p == NULL) {
				close(fd);
				errno = ENOMEM;
				return -1;
			}
			b->p = p;
			b->cap = ncap;
		}
		ssize_t n = read(fd, b->p + len, b->cap - 1 - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	b->p[len] = '\0';
	return (long)len;
}

int
proc_read_line(const char *root, const char *rel, char *out, size_t outlen)
{
	int fd = open_rel(root, rel);
	if (fd < 0)
		return -1;
	ssize_t n;
	while ((n = read(fd, out, outlen - 1)) < 0 && errno == EINTR)
		;
	int e = errno;
	close(fd);
	if (n < 0) {
		errno = e;
		return -1;
	}
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
	return 0;
}

int
next_line(const char *buf, size_t len, size_t *pos, const char **line, size_t *llen)
{
	if (*pos >= len)
		return 0;
	const char *start = buf + *pos;
	const char *nl = memchr(start, '\n', len - *pos);
	*line = start;
	*llen = nl ? (size_t)(nl - start) : len - *pos;
	*pos += *llen + (nl != NULL);
	return 1;
}

int
scan_u64(const char **p, const char *end, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s >= end || *s < '0' || *s > '9')
		return -1;
	while (s < end && *s >= '0' && *s <= '9') {
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
		s++;
	}
	*out = v;
	*p = s;
	return 0;
}

int
scan_word(const char **p, const char *end, char *out, size_t outlen)
{
	const char *s = *p;
	size_t n = 0;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	const char *start = s;
	while (s < end && *s != ' ' && *s != '\t' && *s != '\n')
		s++;
	if (s == start)
		return -1;
	n = (size_t)(s - start);
	size_t c = n < outlen - 1 ? n : outlen - 1;
	memcpy(out, start, c);
	out[c] = '\0';
	*p = s;
	return (int)n;
}

int
parse_table(const char *buf, size_t len, size_t elem,
    int (*parse_line)(const char *line, size_t llen, void *rec), void **out, size_t *n)
{
	size_t pos = 0, llen, cap = 0;
	const char *line;
	char *arr = NULL;

	*n = 0;
	*out = NULL;
	while (next_line(buf, len, &pos, &line, &llen)) {
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			if (ncap > 1u << 16)
				break;
			char *a = realloc(arr, ncap * elem);
			if (a == NULL) {
				free(arr);
				*n = 0;
				return -1;
			}
			arr = a;
			cap = ncap;
		}
		if (parse_line(line, llen, arr + *n * elem) == 0)
			(*n)++;
	}
	*out = arr;
	return 0;
}
