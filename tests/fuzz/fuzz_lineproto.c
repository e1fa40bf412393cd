/*
 * fuzz_lineproto.c — libFuzzer target: arbitrary bytes split with
 * lp_next_line() and parsed in every precision. Checks the parser's
 * invariants (reasons given, keys non-empty, tags sorted without duplicates,
 * finite floats, bounded strings, same outcome whatever the precision unless
 * the timestamp overflows) and that a parsed point, written back as line
 * protocol with full escaping, parses to the same point.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/lineproto.h"

#define CHECK(cond)	do { if (!(cond)) { \
			    fprintf(stderr, "%s:%d: %s\n", __FILE__, \
			    __LINE__, #cond); abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct lp_parser *parser, *small_parser, *echo_parser;

struct buf {
	char *p;
	size_t len, cap;
};

static void
buf_put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		CHECK(b->p != NULL);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void
buf_escaped(struct buf *b, const struct lp_str *s, const char *specials)
{
	for (size_t i = 0; i < s->len; i++) {
		if (strchr(specials, s->p[i]) != NULL)
			buf_put(b, "\\", 1);
		buf_put(b, &s->p[i], 1);
	}
}

static void
encode(struct buf *b, const struct lp_point *pt)
{
	char num[64];
	int n;

	b->len = 0;
	buf_escaped(b, &pt->measurement, ", \\");
	for (size_t i = 0; i < pt->n_tags; i++) {
		buf_put(b, ",", 1);
		buf_escaped(b, &pt->tags[i].key, ",= \\");
		buf_put(b, "=", 1);
		buf_escaped(b, &pt->tags[i].value, ",= \\");
	}
	for (size_t i = 0; i < pt->n_fields; i++) {
		const struct lp_field *f = &pt->fields[i];

		buf_put(b, i ? "," : " ", 1);
		buf_escaped(b, &f->key, ",= \\");
		buf_put(b, "=", 1);
		switch (f->type) {
		case LP_FLOAT:
			n = snprintf(num, sizeof(num), "%.17g", f->v.f);
			break;
		case LP_INT:
			n = snprintf(num, sizeof(num), "%lldi",
			    (long long)f->v.i);
			break;
		case LP_UINT:
			n = snprintf(num, sizeof(num), "%lluu",
			    (unsigned long long)f->v.u);
			break;
		case LP_BOOL:
			n = snprintf(num, sizeof(num), "%s",
			    f->v.b ? "true" : "false");
			break;
		case LP_STRING:
		default:
			buf_put(b, "\"", 1);
			buf_escaped(b, &f->v.s, "\"\\");
			buf_put(b, "\"", 1);
			continue;
		}
		buf_put(b, num, (size_t)n);
	}
	if (pt->has_time) {
		n = snprintf(num, sizeof(num), " %lld", (long long)pt->time_ns);
		buf_put(b, num, (size_t)n);
	}
}

static int
str_eq(const struct lp_str *a, const struct lp_str *b)
{
	return a->len == b->len && (a->len == 0 ||
	    memcmp(a->p, b->p, a->len) == 0);
}

static int
str_cmp(const struct lp_str *a, const struct lp_str *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int c = n ? memcmp(a->p, b->p, n) : 0;

	return c ? c : (a->len > b->len) - (a->len < b->len);
}

static void
check_point(const struct lp_point *pt)
{
	volatile unsigned char sink = 0;

	CHECK(pt->measurement.len > 0);
	CHECK(pt->n_fields > 0);
	for (size_t i = 0; i < pt->measurement.len; i++)
		sink ^= (unsigned char)pt->measurement.p[i];
	for (size_t i = 0; i < pt->n_tags; i++) {
		CHECK(pt->tags[i].key.len > 0);
		CHECK(pt->tags[i].value.len > 0);
		CHECK(memchr(pt->tags[i].value.p, '\n',
		    pt->tags[i].value.len) == NULL);
		if (i > 0)
			CHECK(str_cmp(&pt->tags[i - 1].key,
			    &pt->tags[i].key) < 0);
	}
	for (size_t i = 0; i < pt->n_fields; i++) {
		const struct lp_field *f = &pt->fields[i];

		CHECK(f->key.len > 0);
		for (size_t j = 0; j < i; j++)
			CHECK(!str_eq(&f->key, &pt->fields[j].key));
		if (f->type == LP_FLOAT)
			CHECK(isfinite(f->v.f));
		if (f->type == LP_STRING) {
			CHECK(f->v.s.len <= LP_MAX_STRING);
			for (size_t j = 0; j < f->v.s.len; j++)
				sink ^= (unsigned char)f->v.s.p[j];
		}
		if (f->type == LP_BOOL)
			CHECK(f->v.b == 0 || f->v.b == 1);
	}
	(void)sink;
}

static void
check_same(const struct lp_point *a, const struct lp_point *b)
{
	CHECK(str_eq(&a->measurement, &b->measurement));
	CHECK(a->n_tags == b->n_tags && a->n_fields == b->n_fields);
	for (size_t i = 0; i < a->n_tags; i++) {
		CHECK(str_eq(&a->tags[i].key, &b->tags[i].key));
		CHECK(str_eq(&a->tags[i].value, &b->tags[i].value));
	}
	for (size_t i = 0; i < a->n_fields; i++) {
		const struct lp_field *x = &a->fields[i], *y = &b->fields[i];

		CHECK(str_eq(&x->key, &y->key) && x->type == y->type);
		switch (x->type) {
		case LP_FLOAT:
			CHECK(memcmp(&x->v.f, &y->v.f, sizeof(x->v.f)) == 0);
			break;
		case LP_INT:
			CHECK(x->v.i == y->v.i);
			break;
		case LP_UINT:
			CHECK(x->v.u == y->v.u);
			break;
		case LP_BOOL:
			CHECK(x->v.b == y->v.b);
			break;
		case LP_STRING:
			CHECK(str_eq(&x->v.s, &y->v.s));
			break;
		}
	}
	CHECK(a->has_time == b->has_time && a->time_ns == b->time_ns);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct lp_limits small = { .max_tags = 4, .max_fields = 4 };
	static struct buf echo;
	const char *buf = (const char *)data, *line;
	size_t pos = 0, len;

	if (parser == NULL) {
		parser = lp_parser_new(NULL);
		small_parser = lp_parser_new(&small);
		echo_parser = lp_parser_new(NULL);
		CHECK(parser && small_parser && echo_parser);
	}
	while (lp_next_line(buf, size, &pos, &line, &len)) {
		int first_rc = 0;

		CHECK(line >= buf && line + len <= buf + size);
		for (int prec = LP_PREC_NS; prec <= LP_PREC_H; prec++) {
			struct lp_point pt, again;
			const char *err = NULL;
			int rc;

			rc = lp_parse_line(parser, line, len, prec, &pt, &err);
			CHECK(rc >= -1 && rc <= 1);
			if (rc == -1) {
				CHECK(err != NULL && err[0] != '\0');
				CHECK(lp_parser_error_offset(parser) <= len);
			}
			if (prec == LP_PREC_NS)
				first_rc = rc;
			else if (rc != first_rc)
				CHECK(err != NULL && strcmp(err,
				    "timestamp out of range") == 0);
			if (rc != 1)
				continue;
			check_point(&pt);
			if (prec == LP_PREC_NS) {
				encode(&echo, &pt);
				rc = lp_parse_line(echo_parser, echo.p,
				    echo.len, LP_PREC_NS, &again, &err);
				if (rc != 1)
					fprintf(stderr, "re-parse: %s: %.*s\n",
					    rc ? err : "skipped",
					    (int)echo.len, echo.p);
				CHECK(rc == 1);
				check_same(&pt, &again);
			}
		}
		{
			struct lp_point pt;
			const char *err = NULL;
			int rc = lp_parse_line(small_parser, line, len,
			    LP_PREC_NS, &pt, &err);

			CHECK(rc != -1 || (err != NULL && err[0] != '\0'));
			if (rc == 1) {
				CHECK(pt.n_tags <= 4 && pt.n_fields <= 4);
				check_point(&pt);
			}
		}
	}
	return 0;
}
