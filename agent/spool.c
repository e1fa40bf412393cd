/*
 * spool.c — the bounded on-disk queue of batches the collector has not
 * acknowledged yet.
 *
 * Only sequence bounds, a byte count and a file count are kept in memory
 * (no per-batch index), so a 64 MiB spool of thousands of batches costs a
 * few bytes of RAM. Sequence numbers start in the middle of the 64-bit
 * range so a batch can be queued in front of the oldest (a failed request,
 * the halves of a split) without renaming anything.
 */
#include "agent/agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"

#define SPOOL_SEQ_START ((uint64_t)1 << 40)
#define SPOOL_HEADER_MAX 128

static void
seq_name(uint64_t seq, char *out, size_t outlen)
{
	snprintf(out, outlen, "%016" PRIx64 ".batch", seq);
}

static int
parse_seq(const char *name, uint64_t *seq)
{
	if (strlen(name) != 22 || strcmp(name + 16, ".batch") != 0)
		return -1;
	uint64_t v = 0;
	for (int i = 0; i < 16; i++) {
		char c = name[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (d < 0)
			return -1;
		v = v * 16 + (uint64_t)d;
	}
	*seq = v;
	return 0;
}

int
spool_open(struct spool *s, const char *dir, unsigned long long max_bytes,
    long rejected_keep, char *err, size_t errlen)
{
	char sub[4096];
	DIR *d;
	struct dirent *de;
	uint64_t lo = UINT64_MAX, hi = 0;

	memset(s, 0, sizeof(*s));
	s->dirfd = -1;
	s->max_bytes = max_bytes;
	s->rejected_keep = rejected_keep;
	snprintf(sub, sizeof(sub), "%s/rejected", dir);
	if (util_mkdirs(sub, 0700) < 0) {
		snprintf(err, errlen, "cannot create spool %s: %s", sub, strerror(errno));
		return -1;
	}
	if ((s->dir = strdup(dir)) == NULL ||
	    (s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot open spool %s: %s", dir, strerror(errno));
		spool_close(s);
		return -1;
	}
	int dupfd = dup(s->dirfd);
	if (dupfd < 0 || (d = fdopendir(dupfd)) == NULL) {
		snprintf(err, errlen, "cannot list spool %s: %s", dir, strerror(errno));
		if (dupfd >= 0)
			close(dupfd);
		spool_close(s);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		uint64_t seq;
		struct stat st;
		if (strncmp(de->d_name, "tmp-", 4) == 0) {
			unlinkat(s->dirfd, de->d_name, 0);	/* a write cut short */
			continue;
		}
		if (parse_seq(de->d_name, &seq) < 0 ||
		    fstatat(s->dirfd, de->d_name, &st, 0) < 0)
			continue;
		lo = seq < lo ? seq : lo;
		hi = seq > hi ? seq : hi;
		s->bytes += (unsigned long long)st.st_size;
		s->count++;
	}
	closedir(d);
	/* Set-aside batches are numbered on their own, after the newest there. */
	snprintf(sub, sizeof(sub), "%s/rejected", dir);
	if ((d = opendir(sub)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			uint64_t seq;
			if (parse_seq(de->d_name, &seq) == 0 && seq >= s->rejected_next)
				s->rejected_next = seq + 1;
		}
		closedir(d);
	}
	if (s->count == 0) {
		s->head = s->tail = SPOOL_SEQ_START;
	} else {
		s->head = lo;
		s->tail = hi + 1;
		log_info("spool %s: %zu batches (%llu bytes) waiting from an earlier run",
		    dir, s->count, s->bytes);
	}
	return 0;
}

void
spool_close(struct spool *s)
{
	if (s->dirfd >= 0)
		close(s->dirfd);
	s->dirfd = -1;
	free(s->dir);
	s->dir = NULL;
}

/* Drop the oldest batch that is not in flight; returns 1 if one went. */
static int
drop_oldest(struct spool *s)
{
	for (uint64_t seq = s->head; seq < s->tail; seq++) {
		char name[32];
		struct stat st;
		if (seq == s->pinned)
			continue;
		seq_name(seq, name, sizeof(name));
		if (fstatat(s->dirfd, name, &st, 0) < 0) {
			if (seq == s->head)
				s->head++;	/* a gap left by an earlier removal */
			continue;
		}
		if (unlinkat(s->dirfd, name, 0) < 0)
			return 0;
		if (seq == s->head)
			s->head++;
		s->bytes -= (unsigned long long)st.st_size < s->bytes ?
		    (unsigned long long)st.st_size : s->bytes;
		if (s->count > 0)
			s->count--;
		s->dropped++;
		if (!s->full_warned) {
			log_warnx("spool %s is full (limit %llu bytes): dropping the oldest "
			    "batches until the collector is back (counted in batches_dropped)",
			    s->dir, s->max_bytes);
			s->full_warned = 1;
		}
		return 1;
	}
	return 0;
}

#define SPOOL_MAGIC "campusmon-batch 1 "
#define SPOOL_INTERVAL_MAX 86400
#define SPOOL_LINES_MAX 100000000UL

int
spool_header_format(char *out, size_t cap, int interval, size_t lines)
{
	if (interval <= 0 || interval > SPOOL_INTERVAL_MAX || lines > SPOOL_LINES_MAX)
		return -1;
	int n = snprintf(out, cap, SPOOL_MAGIC "interval=%d lines=%zu\n", interval, lines);
	return n < 0 || (size_t)n >= cap ? -1 : n;
}

/* Digits at *p (at least one, at most max_digits) as a number <= max. */
static int
read_number(const char **p, const char *end, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	const char *s = *p;
	while (s < end && *s >= '0' && *s <= '9') {
		if (v > (max - (unsigned long)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
		s++;
	}
	if (s == *p)
		return -1;
	*p = s;
	*out = v;
	return 0;
}

long
spool_header_parse(const char *buf, size_t len, int *interval, size_t *lines)
{
	const char *end = buf + (len < SPOOL_HEADER_MAX ? len : SPOOL_HEADER_MAX);
	const char *p = buf;
	unsigned long iv, nl;
	size_t magic = sizeof(SPOOL_MAGIC) - 1;
	if ((size_t)(end - p) < magic || memcmp(p, SPOOL_MAGIC, magic) != 0)
		return -1;
	p += magic;
	if (end - p < 9 || memcmp(p, "interval=", 9) != 0)
		return -1;
	p += 9;
	if (read_number(&p, end, SPOOL_INTERVAL_MAX, &iv) < 0 || iv == 0)
		return -1;
	if (end - p < 7 || memcmp(p, " lines=", 7) != 0)
		return -1;
	p += 7;
	if (read_number(&p, end, SPOOL_LINES_MAX, &nl) < 0)
		return -1;
	if (p >= end || *p != '\n')
		return -1;
	*interval = (int)iv;
	*lines = (size_t)nl;
	return (long)(p + 1 - buf);
}

int
spool_put(struct spool *s, const struct batch *b, int front)
{
	char header[SPOOL_HEADER_MAX], name[32], tmp[40];
	int hlen = spool_header_format(header, sizeof(header), b->interval, b->lines);
	if (hlen < 0) {
		log_warnx("spool %s: a batch with interval %d cannot be spooled", s->dir,
		    b->interval);
		return -1;
	}
	unsigned long long size = (unsigned long long)hlen + b->len;

	if (size > s->max_bytes) {
		s->dropped++;
		log_warnx("spool %s: a batch of %llu bytes is larger than the whole spool; "
		    "dropped", s->dir, size);
		return -1;
	}
	while (s->bytes + size > s->max_bytes && s->count > 0)
		if (!drop_oldest(s))
			break;
	uint64_t seq = front ? s->head - 1 : s->tail;
	seq_name(seq, name, sizeof(name));
	snprintf(tmp, sizeof(tmp), "tmp-%s", name);
	int fd = openat(s->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_warn("spool %s: cannot create %s", s->dir, tmp);
		return -1;
	}
	struct iovec_like {
		const char *p;
		size_t n;
	} parts[2] = { { header, (size_t)hlen }, { b->body, b->len } };
	for (int i = 0; i < 2; i++) {
		size_t off = 0;
		while (off < parts[i].n) {
			ssize_t w = write(fd, parts[i].p + off, parts[i].n - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				log_warn("spool %s: cannot write %s", s->dir, tmp);
				close(fd);
				unlinkat(s->dirfd, tmp, 0);
				return -1;
			}
			off += (size_t)w;
		}
	}
	if (close(fd) < 0 || renameat(s->dirfd, tmp, s->dirfd, name) < 0) {
		log_warn("spool %s: cannot store %s", s->dir, name);
		unlinkat(s->dirfd, tmp, 0);
		return -1;
	}
	if (front)
		s->head = seq;
	else
		s->tail = seq + 1;
	s->bytes += size;
	s->count++;
	return 0;
}

/* Read a whole spool file (bounded by the spool size). */
static char *
read_all(int dirfd, const char *name, size_t max, size_t *len)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || (size_t)st.st_size > max) {
		close(fd);
		errno = EFBIG;
		return NULL;
	}
	char *buf = malloc((size_t)st.st_size + 1);
	size_t off = 0;
	while (buf != NULL && off < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + off, (size_t)st.st_size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(fd);
	if (buf != NULL)
		buf[off] = '\0';
	*len = off;
	return buf;
}

int
spool_peek(struct spool *s, struct batch *b)
{
	memset(b, 0, sizeof(*b));
	while (s->head < s->tail) {
		char name[32];
		size_t len;
		seq_name(s->head, name, sizeof(name));
		char *buf = read_all(s->dirfd, name, s->max_bytes, &len);
		if (buf == NULL) {
			if (errno == ENOENT) {
				s->head++;	/* gap */
				continue;
			}
			log_warn("spool %s: cannot read %s", s->dir, name);
			return -1;
		}
		int interval = 0;
		size_t lines = 0;
		long parsed = spool_header_parse(buf, len, &interval, &lines);
		if (parsed < 0) {
			free(buf);
			spool_reject(s, s->head, "corrupt spool file (bad header)");
			continue;
		}
		size_t hlen = (size_t)parsed;
		memmove(buf, buf + hlen, len - hlen);
		b->body = buf;
		b->len = len - hlen;
		b->seq = s->head;
		b->interval = interval;
		b->lines = lines;
		return 1;
	}
	s->count = 0;
	s->bytes = 0;
	s->full_warned = 0;
	return 0;
}

static void
forget(struct spool *s, uint64_t seq, unsigned long long size)
{
	s->bytes -= size < s->bytes ? size : s->bytes;
	if (s->count > 0)
		s->count--;
	if (seq == s->head)
		s->head++;
	if (s->count == 0) {
		s->head = s->tail;
		s->bytes = 0;
		if (s->full_warned && s->dropped > 0)
			log_info("spool %s drained; %llu batches were dropped while it was full",
			    s->dir, s->dropped);
		s->full_warned = 0;
	}
}

void
spool_remove(struct spool *s, uint64_t seq)
{
	char name[32];
	struct stat st;

	seq_name(seq, name, sizeof(name));
	if (fstatat(s->dirfd, name, &st, 0) < 0)
		return;
	if (unlinkat(s->dirfd, name, 0) < 0) {
		log_warn("spool %s: cannot remove %s", s->dir, name);
		return;
	}
	forget(s, seq, (unsigned long long)st.st_size);
}

/* Keep the newest rejected_keep set-aside batches. */
static void
trim_rejected(struct spool *s)
{
	int fd = openat(s->dirfd, "rejected", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	for (;;) {
		int dupfd = dup(fd);
		DIR *d = dupfd >= 0 ? fdopendir(dupfd) : NULL;
		struct dirent *de;
		uint64_t oldest = UINT64_MAX;
		long n = 0;
		if (d == NULL) {
			if (dupfd >= 0)
				close(dupfd);
			break;
		}
		while ((de = readdir(d)) != NULL) {
			uint64_t seq;
			if (parse_seq(de->d_name, &seq) < 0)
				continue;
			n++;
			oldest = seq < oldest ? seq : oldest;
		}
		closedir(d);
		if (n <= s->rejected_keep || oldest == UINT64_MAX)
			break;
		char name[40];
		seq_name(oldest, name, sizeof(name));
		unlinkat(fd, name, 0);
		strcat(name, ".why");
		unlinkat(fd, name, 0);
	}
	close(fd);
}

void
spool_reject(struct spool *s, uint64_t seq, const char *why)
{
	char name[32], dst[64];
	struct stat st;

	seq_name(seq, name, sizeof(name));
	if (fstatat(s->dirfd, name, &st, 0) < 0)
		return;
	char rname[32];
	seq_name(s->rejected_next++, rname, sizeof(rname));
	snprintf(dst, sizeof(dst), "rejected/%s", rname);
	if (s->rejected_keep > 0 && renameat(s->dirfd, name, s->dirfd, dst) == 0) {
		log_warnx("spool %s: batch set aside as %s/%s: %s", s->dir, s->dir, dst, why);
		strcat(dst, ".why");
		int fd = openat(s->dirfd, dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd >= 0) {
			(void)!write(fd, why, strlen(why));
			(void)!write(fd, "\n", 1);
			close(fd);
		}
		trim_rejected(s);
	} else {
		unlinkat(s->dirfd, name, 0);
		log_warnx("spool %s: batch %s discarded: %s", s->dir, name, why);
	}
	forget(s, seq, (unsigned long long)st.st_size);
}
