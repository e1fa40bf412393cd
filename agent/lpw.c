/* lpw.c — InfluxDB line protocol writer with escaping and a size bound. */
#include "agent/agent.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void
lpw_init(struct lpw *w, size_t max)
{
	memset(w, 0, sizeof(*w));
	w->max = max;
}

void
lpw_reset(struct lpw *w)
{
	w->len = 0;
	w->lines = 0;
	w->full = 0;
	w->in_line = 0;
}

void
lpw_free(struct lpw *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

static int
reserve(struct lpw *w, size_t more)
{
	if (w->full)
		return -1;
	if (w->max > 0 && w->len + more > w->max) {
		w->full = 1;
		return -1;
	}
	if (w->len + more + 1 <= w->cap)
		return 0;
	size_t ncap = w->cap ? w->cap : 1024;
	while (ncap < w->len + more + 1)
		ncap *= 2;
	char *p = realloc(w->buf, ncap);
	if (p == NULL) {
		w->full = 1;
		return -1;
	}
	w->buf = p;
	w->cap = ncap;
	return 0;
}

static void
put(struct lpw *w, const char *s, size_t n)
{
	if (reserve(w, n) == 0) {
		memcpy(w->buf + w->len, s, n);
		w->len += n;
	}
}

/* specials: characters escaped with a backslash. */
static void
put_escaped(struct lpw *w, const char *s, const char *specials)
{
	for (; *s != '\0'; s++) {
		char c = *s;
		if ((unsigned char)c < 0x20 || c == 0x7f)
			c = ' ';
		if (strchr(specials, c) != NULL)
			put(w, "\\", 1);
		put(w, &c, 1);
	}
}

static void
putf(struct lpw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
putf(struct lpw *w, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(w, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

void
lpw_begin(struct lpw *w, const char *measurement)
{
	if (w->in_line)
		w->len = w->line_start;	/* an unfinished line is discarded */
	w->line_start = w->len;
	w->in_line = 1;
	w->n_fields = 0;
	w->n_tags = 0;
	put_escaped(w, measurement, ", ");
}

void
lpw_tag(struct lpw *w, const char *key, const char *value)
{
	if (!w->in_line || w->n_fields > 0 || key == NULL || value == NULL ||
	    key[0] == '\0' || value[0] == '\0' || w->n_tags >= LPW_MAX_TAGS)
		return;
	/* Insertion sort by key; a repeated key replaces the earlier value. */
	int i = w->n_tags;
	for (int j = 0; j < w->n_tags; j++) {
		if (strcmp(w->tag_k[j], key) == 0) {
			w->tag_v[j] = value;
			return;
		}
	}
	while (i > 0 && strcmp(w->tag_k[i - 1], key) > 0) {
		w->tag_k[i] = w->tag_k[i - 1];
		w->tag_v[i] = w->tag_v[i - 1];
		i--;
	}
	w->tag_k[i] = key;
	w->tag_v[i] = value;
	w->n_tags++;
}

/* Before a field: the tag set at the first one, else a comma. */
static int
field_start(struct lpw *w, const char *key)
{
	if (!w->in_line || key == NULL || key[0] == '\0')
		return -1;
	if (w->n_fields == 0) {
		for (int i = 0; i < w->n_tags; i++) {
			put(w, ",", 1);
			put_escaped(w, w->tag_k[i], ",= ");
			put(w, "=", 1);
			put_escaped(w, w->tag_v[i], ",= ");
		}
		put(w, " ", 1);
	} else {
		put(w, ",", 1);
	}
	put_escaped(w, key, ",= ");
	put(w, "=", 1);
	w->n_fields++;
	return 0;
}

void
lpw_float(struct lpw *w, const char *key, double v)
{
	if (!isfinite(v))
		return;
	if (field_start(w, key) == 0) {
		/* Whole values get no exponent or fraction: "12", not "12.0000001". */
		if (v == (double)(long long)v && fabs(v) < 1e15)
			putf(w, "%lld", (long long)v);
		else
			putf(w, "%.10g", v);
	}
}

void
lpw_int(struct lpw *w, const char *key, long long v)
{
	if (field_start(w, key) == 0)
		putf(w, "%lldi", v);
}

void
lpw_uint(struct lpw *w, const char *key, unsigned long long v)
{
	/* Sent as integers (i) for the widest compatibility; clamp to int64. */
	if (field_start(w, key) == 0)
		putf(w, "%lldi", v > INT64_MAX ? (long long)INT64_MAX : (long long)v);
}

void
lpw_str(struct lpw *w, const char *key, const char *v)
{
	if (v == NULL || field_start(w, key) < 0)
		return;
	put(w, "\"", 1);
	put_escaped(w, v, "\"\\");
	put(w, "\"", 1);
}

void
lpw_bool(struct lpw *w, const char *key, int v)
{
	if (field_start(w, key) == 0)
		put(w, v ? "true" : "false", v ? 4 : 5);
}

int
lpw_end(struct lpw *w, int64_t ts_ns)
{
	if (!w->in_line)
		return 0;
	w->in_line = 0;
	if (w->n_fields == 0 || w->full) {
		w->len = w->line_start;
		return 0;
	}
	putf(w, " %" PRId64 "\n", ts_ns);
	if (w->full) {
		w->len = w->line_start;
		return 0;
	}
	w->lines++;
	return 1;
}

int
lpw_append(struct lpw *w, const char *text, size_t len, size_t lines)
{
	if (w->in_line || reserve(w, len) < 0)
		return -1;
	memcpy(w->buf + w->len, text, len);
	w->len += len;
	w->lines += lines;
	return 0;
}
