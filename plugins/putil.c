/* putil.c — helpers shared by the plugins (see putil.h). */
#include "plugins/putil.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void
fset_int(struct fset *s, const char *key, long long v)
{
	if (s->n < FSET_MAX)
		s->f[s->n++] = (struct plugin_field){ .key = key, .type = PLUGIN_INT, .i = v };
}

void
fset_float(struct fset *s, const char *key, double v)
{
	if (s->n < FSET_MAX && isfinite(v))
		s->f[s->n++] = (struct plugin_field){ .key = key, .type = PLUGIN_FLOAT, .f = v };
}

void
fset_str(struct fset *s, const char *key, const char *v)
{
	if (s->n < FSET_MAX && v != NULL)
		s->f[s->n++] = (struct plugin_field){ .key = key, .type = PLUGIN_STRING, .s = v };
}

int
fset_submit(struct plugin_ctx *ctx, const char *measurement, const struct plugin_tag *tags,
    size_t n_tags, const struct fset *s)
{
	if (s->n == 0)
		return 0;
	struct plugin_sample smp = { measurement, tags, n_tags, s->f, s->n };
	return plugin_submit(ctx, &smp);
}

void
submit_down(struct plugin_ctx *ctx, const char *measurement, const char *error)
{
	struct fset f = { .n = 0 };
	fset_int(&f, "up", 0);
	if (error != NULL && error[0] != '\0')
		fset_str(&f, "error", error);
	(void)fset_submit(ctx, measurement, NULL, 0, &f);
}

int
pcounter_rate(struct pcounter *c, uint64_t cur, double dt_s, double *rate)
{
	int had = c->have;
	uint64_t prev = c->prev;

	c->prev = cur;
	c->have = 1;
	if (!had || cur < prev || dt_s <= 0)
		return -1;
	*rate = (double)(cur - prev) / dt_s;
	return 0;
}

double
mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
secret_read(const char *path, char *out, size_t outlen, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	if (st.st_mode & (S_IRWXO | S_IWGRP)) {
		snprintf(err, errlen, "%s holds a secret but is readable or writable by others "
		    "(mode %03o); chmod 600 or 640 it", path, (unsigned)(st.st_mode & 0777));
		close(fd);
		return -1;
	}
	ssize_t n = read(fd, out, outlen - 1);
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	out[n] = '\0';
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

static int
blank(char c)
{
	return c == ' ' || c == '\t';
}

size_t
kv_lines(const char *buf, size_t len, char sep, size_t max_lines, kv_fn fn, void *arg)
{
	size_t pairs = 0, lines = 0, i = 0;

	while (i < len && lines < max_lines) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t end = nl != NULL ? (size_t)(nl - buf) : len;
		const char *line = buf + i;
		size_t llen = end - i;
		const char *s = memchr(line, sep, llen);
		lines++;
		i = end + 1;
		if (s == NULL)
			continue;
		size_t ks = 0, ke = (size_t)(s - line), vs = ke + 1, ve = llen;
		while (ks < ke && blank(line[ks]))
			ks++;
		while (ke > ks && blank(line[ke - 1]))
			ke--;
		while (vs < ve && blank(line[vs]))
			vs++;
		while (ve > vs && (blank(line[ve - 1]) || line[ve - 1] == '\r'))
			ve--;
		if (ke == ks)
			continue;
		fn(line + ks, ke - ks, line + vs, ve - vs, arg);
		pairs++;
	}
	return pairs;
}

int
parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	if (len == 0 || len > 20)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		uint64_t d = (uint64_t)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int
parse_double(const char *s, size_t len, double *out)
{
	char tmp[64];
	char *end;
	if (len == 0 || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (strchr("+-.0123456789", tmp[0]) == NULL)
		return -1;
	errno = 0;
	double v = strtod(tmp, &end);
	if (*end != '\0' || errno == ERANGE || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

int
slice_eq(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(s, word, len) == 0;
}

int
split_hostport(const char *a, char *host, size_t hlen, char *port, size_t plen)
{
	const char *colon;
	if (a == NULL)
		return -1;
	if (a[0] == '[') {
		const char *rb = strchr(a, ']');
		if (rb == NULL || rb[1] != ':')
			return -1;
		if ((size_t)(rb - a - 1) >= hlen)
			return -1;
		memcpy(host, a + 1, (size_t)(rb - a - 1));
		host[rb - a - 1] = '\0';
		colon = rb + 1;
	} else {
		colon = strrchr(a, ':');
		if (colon == NULL || (size_t)(colon - a) >= hlen || colon == a)
			return -1;
		memcpy(host, a, (size_t)(colon - a));
		host[colon - a] = '\0';
	}
	char *end;
	long p = strtol(colon + 1, &end, 10);
	if (*end != '\0' || p < 1 || p > 65535)
		return -1;
	snprintf(port, plen, "%ld", p);
	return 0;
}

