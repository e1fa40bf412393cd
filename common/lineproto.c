/*
 * lineproto.c — InfluxDB line protocol parser.
 *
 * One pass over the line, driven by a byte-class table. Nothing is allocated
 * in the steady state: the scratch buffer (unescaped names and strings), the
 * tag and field arrays grow to the largest line seen and are then reused.
 * Floats use an exact fast path (Clinger: at most 19 significant digits,
 * mantissa <= 2^53, |exponent| <= 22, one correctly rounded IEEE operation)
 * and fall back to strtod_l() in the "C" locale otherwise, so every result
 * equals strtod's.
 */
#include "common/lineproto.h"

#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LP_INITIAL_ITEMS	16
#define LP_SMALL_SORT		16	/* insertion sort / pairwise checks up to this */
#define LP_NUM_STACK		64	/* float literals shorter than this need no heap */

struct lp_parser {
	size_t max_tags;
	size_t max_fields;
	struct lp_tag *tags;		/* handed out through lp_point.tags */
	size_t tags_cap;
	struct lp_field *fields;	/* handed out through lp_point.fields */
	size_t fields_cap;
	struct lp_str *keys;		/* field keys, sorted to find duplicates */
	size_t keys_cap;
	char *scratch;			/* unescaped text of the current line */
	size_t scratch_cap;
	size_t scratch_used;
	size_t line_len;		/* bound on what the current line can unescape */
	char *numbuf;			/* NUL-terminated copy of long float literals */
	size_t numbuf_cap;
	locale_t c_locale;		/* strtod_l must not depend on setlocale() */
	size_t err_off;
};

/* Byte classes: which bytes stop the fast scanning loop of each element. */
enum {
	C_MEAS = 1,	/* measurement: ',' ' ' '\\' and the forbidden bytes */
	C_KEY = 2,	/* tag key, tag value, field key: also '=' */
	C_STR = 4,	/* string field value: '"' '\\' and the forbidden bytes */
	C_DIGIT = 8,
};

static const unsigned char lp_class[256] = {
	['\0'] = C_MEAS | C_KEY | C_STR,
	['\n'] = C_MEAS | C_KEY | C_STR,
	[' '] = C_MEAS | C_KEY,
	[','] = C_MEAS | C_KEY,
	['='] = C_KEY,
	['\\'] = C_MEAS | C_KEY | C_STR,
	['"'] = C_STR,
	['0'] = C_DIGIT, ['1'] = C_DIGIT, ['2'] = C_DIGIT, ['3'] = C_DIGIT,
	['4'] = C_DIGIT, ['5'] = C_DIGIT, ['6'] = C_DIGIT, ['7'] = C_DIGIT,
	['8'] = C_DIGIT, ['9'] = C_DIGIT,
};

#define LP_IS_DIGIT(c)	(lp_class[(unsigned char)(c)] & C_DIGIT)

static const double lp_pow10[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static const int64_t lp_prec_mult[] = {
	[LP_PREC_NS] = 1,
	[LP_PREC_US] = 1000,
	[LP_PREC_MS] = 1000000,
	[LP_PREC_S] = 1000000000,
	[LP_PREC_M] = 60000000000,
	[LP_PREC_H] = 3600000000000,
};

static int
lp_grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : LP_INITIAL_ITEMS;
	void *n;

	while (ncap < need)
		ncap *= 2;
	if ((n = realloc(*arr, ncap * elem)) == NULL)
		return -1;
	*arr = n;
	*cap = ncap;
	return 0;
}

struct lp_parser *
lp_parser_new(const struct lp_limits *limits)
{
	struct lp_parser *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->max_tags = limits && limits->max_tags ? limits->max_tags :
	    LP_DEFAULT_MAX_TAGS;
	p->max_fields = limits && limits->max_fields ? limits->max_fields :
	    LP_DEFAULT_MAX_FIELDS;
	p->c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (p->c_locale == (locale_t)0 ||
	    lp_grow((void **)&p->tags, &p->tags_cap, LP_INITIAL_ITEMS,
	    sizeof(*p->tags)) == -1 ||
	    lp_grow((void **)&p->fields, &p->fields_cap, LP_INITIAL_ITEMS,
	    sizeof(*p->fields)) == -1) {
		lp_parser_free(p);
		return NULL;
	}
	return p;
}

void
lp_parser_free(struct lp_parser *p)
{
	if (p == NULL)
		return;
	if (p->c_locale != (locale_t)0)
		freelocale(p->c_locale);
	free(p->tags);
	free(p->fields);
	free(p->keys);
	free(p->scratch);
	free(p->numbuf);
	free(p);
}

size_t
lp_parser_error_offset(const struct lp_parser *p)
{
	return p->err_off;
}

/*
 * Where the next unescaped element goes. Unescaping only shrinks text, so
 * the whole line's elements fit in line_len bytes: the buffer is grown at the
 * first escape of a line, before anything of this line points into it, and
 * never again during the line.
 */
static char *
lp_scratch(struct lp_parser *p)
{
	if (p->scratch_cap < p->line_len) {
		char *n;

		if ((n = realloc(p->scratch, p->line_len)) == NULL)
			return NULL;
		p->scratch = n;
		p->scratch_cap = p->line_len;
	}
	return p->scratch + p->scratch_used;
}

static int
lp_escapable(char c, int key)
{
	return c == ',' || c == ' ' || c == '\\' || (key && c == '=');
}

/*
 * Scan a measurement (key == 0) or a tag key, tag value or field key
 * (key == 1) from *pos up to the first unescaped delimiter (',' ' ', and '='
 * for keys) or the end; *pos is left on the delimiter. A backslash before a
 * delimiter or another backslash escapes it; any other backslash is literal.
 */
static int
lp_scan_name(struct lp_parser *p, const char **pos, const char *end,
    int key, struct lp_str *out, const char **err)
{
	const unsigned char stop = key ? C_KEY : C_MEAS;
	const char *q = *pos, *seg = q;
	char *w = NULL, *w0 = NULL;

	for (;;) {
		while (q < end && !(lp_class[(unsigned char)*q] & stop))
			q++;
		if (q == end)
			break;
		if (*q == '\\') {
			if (q + 1 < end && lp_escapable(q[1], key)) {
				if (w == NULL &&
				    (w0 = w = lp_scratch(p)) == NULL) {
					*err = "out of memory";
					return -1;
				}
				memcpy(w, seg, (size_t)(q - seg));
				w += q - seg;
				*w++ = q[1];
				q += 2;
				seg = q;
			} else
				q++;
			continue;
		}
		if (*q == '\0' || *q == '\n') {
			*pos = q;
			*err = *q ? "embedded newline" : "embedded NUL byte";
			return -1;
		}
		break;
	}
	if (w == NULL) {
		out->p = *pos;
		out->len = (size_t)(q - *pos);
	} else {
		memcpy(w, seg, (size_t)(q - seg));
		w += q - seg;
		out->p = w0;
		out->len = (size_t)(w - w0);
		p->scratch_used += out->len;
	}
	*pos = q;
	return 0;
}

/* String field value: *pos is on the opening quote, left after the closing one. */
static int
lp_scan_string(struct lp_parser *p, const char **pos, const char *end,
    struct lp_str *out, const char **err)
{
	const char *start = *pos + 1, *q = start, *seg = start;
	char *w = NULL, *w0 = NULL;

	for (;;) {
		while (q < end && !(lp_class[(unsigned char)*q] & C_STR))
			q++;
		if (q == end) {
			*err = "unterminated string value";
			return -1;
		}
		if (*q == '"')
			break;
		if (*q == '\\') {
			if (q + 1 < end && (q[1] == '"' || q[1] == '\\')) {
				if (w == NULL &&
				    (w0 = w = lp_scratch(p)) == NULL) {
					*err = "out of memory";
					return -1;
				}
				memcpy(w, seg, (size_t)(q - seg));
				w += q - seg;
				*w++ = q[1];
				q += 2;
				seg = q;
			} else
				q++;
			continue;
		}
		*pos = q;
		*err = *q ? "embedded newline" : "embedded NUL byte";
		return -1;
	}
	if (w == NULL) {
		out->p = start;
		out->len = (size_t)(q - start);
	} else {
		memcpy(w, seg, (size_t)(q - seg));
		w += q - seg;
		out->p = w0;
		out->len = (size_t)(w - w0);
		p->scratch_used += out->len;
	}
	if (out->len > LP_MAX_STRING) {
		*err = "string value too long";
		return -1;
	}
	*pos = q + 1;
	return 0;
}

static int
lp_value_end(const char *q, const char *end)
{
	return q == end || *q == ',' || *q == ' ';
}

/* The reason for an unparsable value: name NaN and infinity explicitly. */
static const char *
lp_bad_value(const char *q, const char *end, const char *reason)
{
	const char *t = q;
	size_t n;

	while (t < end && !lp_value_end(t, end))
		t++;
	if (q < t && (*q == '-' || *q == '+'))
		q++;
	n = (size_t)(t - q);
	if ((n == 3 && strncasecmp(q, "nan", 3) == 0) ||
	    (n == 3 && strncasecmp(q, "inf", 3) == 0) ||
	    (n == 8 && strncasecmp(q, "infinity", 8) == 0))
		return "NaN and infinity are not allowed";
	return reason;
}

/* Slow path: strtod_l on a NUL-terminated copy of the validated literal. */
static int
lp_strtod(struct lp_parser *p, const char *s, size_t n, double *out)
{
	char stackbuf[LP_NUM_STACK], *buf = stackbuf;

	if (n >= sizeof(stackbuf)) {
		if (p->numbuf_cap <= n) {
			char *nb;

			if ((nb = realloc(p->numbuf, n + 1)) == NULL)
				return -1;
			p->numbuf = nb;
			p->numbuf_cap = n + 1;
		}
		buf = p->numbuf;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	*out = strtod_l(buf, NULL, p->c_locale);
	return 0;
}

/*
 * Numbers: [-]digits followed by 'i' (int64) or 'u' (uint64), or a float
 * [-](digits[.digits]|.digits)[(e|E)[+-]digits]. *pos is left after it.
 */
static int
lp_parse_number(struct lp_parser *p, const char **pos, const char *end,
    struct lp_field *f, const char **err)
{
	const char *s = *pos, *q = s, *ip, *ip_end, *fp = NULL, *fp_end = NULL;
	uint64_t v = 0, m = 0;
	int neg = 0, ovf = 0, sig = 0;
	long ex = 0, e10;
	double d;

	if (*q == '-') {
		neg = 1;
		q++;
	}
	ip = q;
	while (q < end && LP_IS_DIGIT(*q)) {
		unsigned dg = (unsigned)(*q - '0');

		if (v > (UINT64_MAX - dg) / 10)
			ovf = 1;
		else
			v = v * 10 + dg;
		q++;
	}
	ip_end = q;

	if (q < end && (*q == 'i' || *q == 'u')) {
		char suffix = *q++;

		if (ip == ip_end || !lp_value_end(q, end)) {
			*err = lp_bad_value(s, end, suffix == 'i' ?
			    "invalid integer value" : "invalid unsigned value");
			return -1;
		}
		if (suffix == 'i') {
			if (ovf || v > (uint64_t)INT64_MAX + (uint64_t)neg) {
				*err = "integer value out of range";
				return -1;
			}
			f->type = LP_INT;
			f->v.i = !neg ? (int64_t)v :
			    v == 0 ? 0 : -(int64_t)(v - 1) - 1;
		} else {
			if (neg) {
				*err = "invalid unsigned value (negative)";
				return -1;
			}
			if (ovf) {
				*err = "unsigned value out of range";
				return -1;
			}
			f->type = LP_UINT;
			f->v.u = v;
		}
		*pos = q;
		return 0;
	}

	if (q < end && *q == '.') {
		fp = ++q;
		while (q < end && LP_IS_DIGIT(*q))
			q++;
		fp_end = q;
	}
	if (ip == ip_end && fp == fp_end) {
		*err = lp_bad_value(s, end, "invalid float value");
		return -1;
	}
	if (q < end && (*q == 'e' || *q == 'E')) {
		const char *e0;
		int eneg = 0;

		q++;
		if (q < end && (*q == '+' || *q == '-'))
			eneg = *q++ == '-';
		e0 = q;
		while (q < end && LP_IS_DIGIT(*q)) {
			if (ex < 100000)	/* saturate: strtod decides */
				ex = ex * 10 + (*q - '0');
			q++;
		}
		if (q == e0) {
			*err = "invalid float value";
			return -1;
		}
		if (eneg)
			ex = -ex;
	}
	if (!lp_value_end(q, end)) {
		*err = lp_bad_value(s, end, "invalid float value");
		return -1;
	}

	/* Significant digits into m; leading zeros do not count. */
	e10 = ex - (long)(fp_end - fp);
	for (const char *c = ip; c < ip_end && sig <= 19; c++)
		if (m != 0 || *c != '0') {
			m = m * 10 + (uint64_t)(*c - '0');
			sig++;
		}
	for (const char *c = fp; c < fp_end && sig <= 19; c++)
		if (m != 0 || *c != '0') {
			m = m * 10 + (uint64_t)(*c - '0');
			sig++;
		}
#if FLT_EVAL_METHOD == 0
	if (m == 0)
		d = 0.0;
	else if (sig <= 19 && m <= (UINT64_C(1) << 53) &&
	    e10 >= -22 && e10 <= 22)
		d = e10 < 0 ? (double)m / lp_pow10[-e10] :
		    (double)m * lp_pow10[e10];
	else
#endif
	{
		if (lp_strtod(p, s, (size_t)(q - s), &d) == -1) {
			*err = "out of memory";
			return -1;
		}
		if (isinf(d)) {
			*err = "float value out of range";
			return -1;
		}
		neg = 0;	/* strtod applied the sign */
	}
	f->type = LP_FLOAT;
	f->v.f = neg ? -d : d;
	*pos = q;
	return 0;
}

static int
lp_parse_bool(const char *q, size_t n, int *b)
{
	switch (n) {
	case 1:
		if (*q == 't' || *q == 'T')
			return *b = 1, 0;
		if (*q == 'f' || *q == 'F')
			return *b = 0, 0;
		break;
	case 4:
		if (memcmp(q, "true", 4) == 0 || memcmp(q, "True", 4) == 0 ||
		    memcmp(q, "TRUE", 4) == 0)
			return *b = 1, 0;
		break;
	case 5:
		if (memcmp(q, "false", 5) == 0 || memcmp(q, "False", 5) == 0 ||
		    memcmp(q, "FALSE", 5) == 0)
			return *b = 0, 0;
		break;
	}
	return -1;
}

/* Field value: *pos is on its first byte (not a delimiter). */
static int
lp_parse_value(struct lp_parser *p, const char **pos, const char *end,
    struct lp_field *f, const char **err)
{
	const char *q = *pos;

	switch (*q) {
	case '"':
		f->type = LP_STRING;
		if (lp_scan_string(p, pos, end, &f->v.s, err) == -1)
			return -1;
		if (!lp_value_end(*pos, end)) {
			*err = "missing separator after string value";
			return -1;
		}
		return 0;
	case 't': case 'T': case 'f': case 'F': {
		const char *t = q;

		while (t < end && !lp_value_end(t, end))
			t++;
		f->type = LP_BOOL;
		if (lp_parse_bool(q, (size_t)(t - q), &f->v.b) == -1) {
			*err = "invalid boolean value";
			return -1;
		}
		*pos = t;
		return 0;
	}
	case '-': case '.':
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return lp_parse_number(p, pos, end, f, err);
	default:
		*err = lp_bad_value(q, end, "invalid field value");
		return -1;
	}
}

static int
lp_parse_time(const char **pos, const char *end, enum lp_precision prec,
    int64_t *out, const char **err)
{
	const char *q = *pos, *d0;
	uint64_t v = 0;
	int neg = 0, ovf = 0;
	int64_t t;

	if (*q == '-') {
		neg = 1;
		q++;
	}
	d0 = q;
	while (q < end && LP_IS_DIGIT(*q)) {
		unsigned dg = (unsigned)(*q - '0');

		if (v > (UINT64_MAX - dg) / 10)
			ovf = 1;
		else
			v = v * 10 + dg;
		q++;
	}
	if (q == d0 || (q < end && *q != ' ' && *q != '\t')) {
		*pos = q;
		*err = "invalid timestamp";
		return -1;
	}
	if (q < end) {
		*pos = q;
		*err = "unexpected text after timestamp";
		return -1;
	}
	if (ovf || v > (uint64_t)INT64_MAX + (uint64_t)neg) {
		*err = "timestamp out of range";
		return -1;
	}
	t = !neg ? (int64_t)v : v == 0 ? 0 : -(int64_t)(v - 1) - 1;
	if (__builtin_mul_overflow(t, lp_prec_mult[prec], out)) {
		*err = "timestamp out of range";
		return -1;
	}
	*pos = q;
	return 0;
}

/* Byte order of the keys, like Go's bytes.Compare (InfluxDB's tag order). */
static int
lp_str_cmp(const struct lp_str *a, const struct lp_str *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int c = n ? memcmp(a->p, b->p, n) : 0;

	if (c != 0)
		return c;
	return (a->len > b->len) - (a->len < b->len);
}

static int
lp_str_eq(const struct lp_str *a, const struct lp_str *b)
{
	return a->len == b->len && (a->len == 0 ||
	    memcmp(a->p, b->p, a->len) == 0);
}

/*
 * In-place heapsort by the lp_str at the start of each element (struct
 * lp_tag begins with its key): O(n log n) for long lines, no allocation.
 */
static void
lp_heapsort(void *base, size_t n, size_t size)
{
	char *b = base, tmp[sizeof(struct lp_tag)];
	size_t start = n / 2, end = n;

#define ELEM(i)		(b + (i) * size)
#define LESS(i, j)	(lp_str_cmp((const struct lp_str *)ELEM(i), \
			    (const struct lp_str *)ELEM(j)) < 0)
#define SWAP(i, j)	do { memcpy(tmp, ELEM(i), size); \
			    memcpy(ELEM(i), ELEM(j), size); \
			    memcpy(ELEM(j), tmp, size); } while (0)
	while (end > 1) {
		size_t root, child;

		if (start > 0)
			start--;
		else {
			end--;
			SWAP(0, end);
		}
		for (root = start; (child = 2 * root + 1) < end; root = child) {
			if (child + 1 < end && LESS(child, child + 1))
				child++;
			if (!LESS(root, child))
				break;
			SWAP(root, child);
		}
	}
#undef ELEM
#undef LESS
#undef SWAP
}

/* Sort tags by key; returns the first duplicated key or NULL. */
static const struct lp_tag *
lp_sort_tags(struct lp_tag *t, size_t n)
{
	if (n <= LP_SMALL_SORT) {
		for (size_t i = 1; i < n; i++) {
			struct lp_tag x = t[i];
			size_t j = i;

			while (j > 0 && lp_str_cmp(&t[j - 1].key, &x.key) > 0) {
				t[j] = t[j - 1];
				j--;
			}
			t[j] = x;
		}
	} else
		lp_heapsort(t, n, sizeof(*t));
	for (size_t i = 1; i < n; i++)
		if (lp_str_eq(&t[i - 1].key, &t[i].key))
			return &t[i];
	return NULL;
}

/*
 * The first duplicated field key, or NULL (then *oom says whether the key
 * array could not be grown). Long lines are checked in O(n log n) on a
 * sorted copy of the keys: the fields keep their line order.
 */
static const struct lp_str *
lp_dup_field(struct lp_parser *p, size_t n, int *oom)
{
	const struct lp_field *f = p->fields;

	*oom = 0;
	if (n <= LP_SMALL_SORT) {
		for (size_t i = 1; i < n; i++)
			for (size_t j = 0; j < i; j++)
				if (lp_str_eq(&f[i].key, &f[j].key))
					return &f[i].key;
		return NULL;
	}
	if (p->keys_cap < n && lp_grow((void **)&p->keys, &p->keys_cap, n,
	    sizeof(*p->keys)) == -1) {
		*oom = 1;
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		p->keys[i] = f[i].key;
	lp_heapsort(p->keys, n, sizeof(*p->keys));
	for (size_t i = 1; i < n; i++)
		if (lp_str_eq(&p->keys[i - 1], &p->keys[i]))
			return &p->keys[i];
	return NULL;
}

/* Error offset of a key: its place in the line if it was not unescaped. */
static size_t
lp_key_off(const char *line, size_t len, const struct lp_str *k)
{
	if (k->p >= line && k->p < line + len)
		return (size_t)(k->p - line);
	return 0;
}

int
lp_parse_line(struct lp_parser *p, const char *line, size_t len,
    enum lp_precision precision, struct lp_point *out, const char **err)
{
	const char *q = line, *end = line + len;
	size_t nt = 0, nf = 0;

	p->scratch_used = 0;
	p->line_len = len;
	p->err_off = 0;
	if ((unsigned)precision > LP_PREC_H) {
		*err = "invalid precision";
		return -1;
	}
	while (end > q && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r'))
		end--;
	while (q < end && (*q == ' ' || *q == '\t'))
		q++;
	if (q == end || *q == '#')
		return 0;

	if (lp_scan_name(p, &q, end, 0, &out->measurement, err) == -1)
		goto fail;
	if (out->measurement.len == 0) {
		*err = "missing measurement";
		goto fail;
	}

	while (q < end && *q == ',') {
		struct lp_tag *t;

		q++;
		if (nt == p->max_tags) {
			*err = "too many tags";
			goto fail;
		}
		if (nt == p->tags_cap && lp_grow((void **)&p->tags,
		    &p->tags_cap, nt + 1, sizeof(*p->tags)) == -1) {
			*err = "out of memory";
			goto fail;
		}
		t = &p->tags[nt];
		if (lp_scan_name(p, &q, end, 1, &t->key, err) == -1)
			goto fail;
		if (t->key.len == 0) {
			*err = "empty tag key";
			goto fail;
		}
		if (q == end || *q != '=') {
			*err = "missing tag value";
			goto fail;
		}
		q++;
		if (lp_scan_name(p, &q, end, 1, &t->value, err) == -1)
			goto fail;
		if (q < end && *q == '=') {
			*err = "unescaped '=' in tag value";
			goto fail;
		}
		if (t->value.len == 0) {
			*err = "missing tag value";
			goto fail;
		}
		nt++;
	}

	/* Here q is at the end or on a space. */
	while (q < end && *q == ' ')
		q++;
	if (q == end) {
		*err = "missing field set";
		goto fail;
	}

	for (;;) {
		struct lp_field *f;

		if (nf == p->max_fields) {
			*err = "too many fields";
			goto fail;
		}
		if (nf == p->fields_cap && lp_grow((void **)&p->fields,
		    &p->fields_cap, nf + 1, sizeof(*p->fields)) == -1) {
			*err = "out of memory";
			goto fail;
		}
		f = &p->fields[nf];
		if (lp_scan_name(p, &q, end, 1, &f->key, err) == -1)
			goto fail;
		if (f->key.len == 0) {
			*err = "empty field key";
			goto fail;
		}
		if (q == end || *q != '=' || q + 1 == end ||
		    q[1] == ',' || q[1] == ' ') {
			*err = "missing field value";
			goto fail;
		}
		q++;
		if (lp_parse_value(p, &q, end, f, err) == -1)
			goto fail;
		nf++;
		if (q == end || *q == ' ')
			break;
		q++;	/* ',' */
	}

	out->has_time = 0;
	out->time_ns = 0;
	if (q < end) {
		while (*q == ' ')	/* the line does not end with spaces */
			q++;
		if (lp_parse_time(&q, end, precision, &out->time_ns, err) == -1)
			goto fail;
		out->has_time = 1;
	}

	{
		const struct lp_tag *dt;
		const struct lp_str *df;
		int oom;

		if ((dt = lp_sort_tags(p->tags, nt)) != NULL) {
			p->err_off = lp_key_off(line, len, &dt->key);
			*err = "duplicate tag key";
			return -1;
		}
		if ((df = lp_dup_field(p, nf, &oom)) != NULL || oom) {
			p->err_off = oom ? 0 : lp_key_off(line, len, df);
			*err = oom ? "out of memory" : "duplicate field key";
			return -1;
		}
	}
	out->tags = p->tags;
	out->n_tags = nt;
	out->fields = p->fields;
	out->n_fields = nf;
	return 1;

fail:
	p->err_off = (size_t)(q - line);
	return -1;
}

int
lp_next_line(const char *buf, size_t buflen, size_t *pos, const char **line,
    size_t *len)
{
	const char *s, *nl;
	size_t rest, n;

	if (*pos >= buflen)
		return 0;
	s = buf + *pos;
	rest = buflen - *pos;
	if ((nl = memchr(s, '\n', rest)) != NULL) {
		n = (size_t)(nl - s);
		*pos += n + 1;
	} else {
		n = rest;
		*pos = buflen;
	}
	if (n > 0 && s[n - 1] == '\r')
		n--;
	*line = s;
	*len = n;
	return 1;
}

int
lp_precision_parse(const char *text, enum lp_precision *out)
{
	static const struct {
		const char *name;
		enum lp_precision prec;
	} names[] = {
		{ "ns", LP_PREC_NS }, { "n", LP_PREC_NS },
		{ "us", LP_PREC_US }, { "u", LP_PREC_US },
		{ "ms", LP_PREC_MS }, { "s", LP_PREC_S },
		{ "m", LP_PREC_M }, { "h", LP_PREC_H },
	};

	if (text == NULL)
		return -1;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(text, names[i].name) == 0) {
			*out = names[i].prec;
			return 0;
		}
	return -1;
}
