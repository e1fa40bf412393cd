/* nagios_parse.c — Nagios check output and perfdata parsing (no I/O). */
#include "plugins/nagios.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NUM_MAX 64

/* Parse a whole decimal number (no "nan", "inf" or hex); returns 0 or -1. */
static int
parse_number(const char *s, size_t len, double *out, size_t *used)
{
	char buf[NUM_MAX];
	char *end;
	size_t n = 0;

	while (n < len && n < sizeof(buf) - 1 &&
	    (isdigit((unsigned char)s[n]) || s[n] == '.' || s[n] == '-' || s[n] == '+' ||
	    ((s[n] == 'e' || s[n] == 'E') && n > 0 && n + 1 < len &&
	    (isdigit((unsigned char)s[n + 1]) || s[n + 1] == '-' || s[n + 1] == '+'))))
		n++;
	if (n == 0 || n >= sizeof(buf) - 1)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	int digits = 0;
	for (size_t i = 0; i < n; i++)
		digits += isdigit((unsigned char)buf[i]) != 0;
	if (digits == 0)
		return -1;
	*out = strtod(buf, &end);
	if (end == buf || !isfinite(*out))
		return -1;
	if (used != NULL)
		*used = (size_t)(end - buf);
	else if ((size_t)(end - buf) != n)
		return -1;
	return 0;
}

static int
parse_whole_number(const char *s, size_t len, double *out)
{
	size_t used;
	if (parse_number(s, len, out, &used) < 0 || used != len)
		return -1;
	return 0;
}

int
nagios_parse_range(const char *s, size_t len, struct nagios_range *r)
{
	memset(r, 0, sizeof(*r));
	if (len > 0 && s[0] == '@') {
		r->inside = 1;
		s++;
		len--;
	}
	if (len == 0)
		return -1;
	const char *colon = memchr(s, ':', len);
	if (colon == NULL) {
		r->has_low = 1;
		r->low = 0;
		r->has_high = 1;
		return parse_whole_number(s, len, &r->high);
	}
	size_t llen = (size_t)(colon - s), hlen = len - llen - 1;
	if (llen == 1 && s[0] == '~') {
		r->has_low = 0;
	} else if (llen == 0) {
		r->has_low = 1;
		r->low = 0;
	} else {
		r->has_low = 1;
		if (parse_whole_number(s, llen, &r->low) < 0)
			return -1;
	}
	if (hlen > 0) {
		r->has_high = 1;
		if (parse_whole_number(colon + 1, hlen, &r->high) < 0)
			return -1;
	}
	if (!r->has_low && !r->has_high)
		return -1;
	if (r->has_low && r->has_high && r->low > r->high)
		return -1;
	return 0;
}

/* Copy a label, unquoting 'it''s' → it's. Returns bytes consumed or -1. */
static long
parse_label(const char *s, size_t len, char *out, size_t outlen)
{
	size_t o = 0, i = 0;

	if (len > 0 && s[0] == '\'') {
		i = 1;
		for (;;) {
			char c;
			if (i >= len)
				return -1;	/* unterminated quote */
			if (s[i] == '\'') {
				if (i + 1 < len && s[i + 1] == '\'') {
					c = '\'';
					i += 2;
				} else {
					i++;
					break;
				}
			} else {
				c = s[i++];
			}
			if (o + 1 >= outlen)
				return -1;
			out[o++] = c;
		}
		if (i >= len || s[i] != '=')
			return -1;
	} else {
		for (i = 0; i < len && s[i] != '='; i++) {
			if (o + 1 >= outlen || s[i] == '\'')
				return -1;
			out[o++] = s[i];
		}
		if (i >= len)
			return -1;
	}
	if (o == 0)
		return -1;
	out[o] = '\0';
	return (long)i;		/* index of '=' */
}

int
nagios_parse_perf_item(const char *s, size_t len, struct nagios_perf *p)
{
	memset(p, 0, sizeof(*p));
	long eq = parse_label(s, len, p->label, sizeof(p->label));
	if (eq < 0)
		return -1;
	const char *v = s + eq + 1;
	size_t vlen = len - (size_t)eq - 1;

	/* Split value;warn;crit;min;max. */
	const char *part[5] = { 0 };
	size_t plen[5] = { 0 };
	size_t np = 0, start = 0;
	for (size_t i = 0; i <= vlen; i++) {
		if (i == vlen || v[i] == ';') {
			if (np == 5)
				return -1;
			part[np] = v + start;
			plen[np] = i - start;
			np++;
			start = i + 1;
		}
	}
	if (plen[0] == 1 && part[0][0] == 'U')
		return 1;
	size_t used;
	if (parse_number(part[0], plen[0], &p->value, &used) < 0)
		return -1;
	size_t ulen = plen[0] - used;
	if (ulen >= NAGIOS_UOM_MAX)
		return -1;
	for (size_t i = 0; i < ulen; i++) {
		char c = part[0][used + i];
		if (!isalpha((unsigned char)c) && c != '%' && c != '/')
			return -1;
		p->uom[i] = c;
	}
	p->uom[ulen] = '\0';
	if (np > 1 && plen[1] > 0) {
		if (nagios_parse_range(part[1], plen[1], &p->warn) < 0)
			return -1;
		p->has_warn = 1;
	}
	if (np > 2 && plen[2] > 0) {
		if (nagios_parse_range(part[2], plen[2], &p->crit) < 0)
			return -1;
		p->has_crit = 1;
	}
	if (np > 3 && plen[3] > 0) {
		if (parse_whole_number(part[3], plen[3], &p->min) < 0)
			return -1;
		p->has_min = 1;
	}
	if (np > 4 && plen[4] > 0) {
		if (parse_whole_number(part[4], plen[4], &p->max) < 0)
			return -1;
		p->has_max = 1;
	}
	return 0;
}

int
nagios_parse_perfdata(const char *s, size_t len, nagios_perf_fn fn, void *arg)
{
	int bad = 0;
	size_t i = 0;

	while (i < len) {
		while (i < len && isspace((unsigned char)s[i]))
			i++;
		if (i >= len)
			break;
		size_t start = i;
		int quoted = 0;
		while (i < len && (quoted || !isspace((unsigned char)s[i]))) {
			if (s[i] == '\'')
				quoted = !quoted;	/* '' toggles twice: stays quoted */
			i++;
		}
		struct nagios_perf p;
		int rc = nagios_parse_perf_item(s + start, i - start, &p);
		if (rc == 0 && fn != NULL)
			fn(&p, arg);
		else if (rc < 0)
			bad++;
	}
	return bad;
}

/* Append s[0..len) trimmed to a bounded NUL-terminated buffer. */
static void
append_text(char *dst, size_t dstlen, const char *s, size_t len, const char *sep)
{
	if (dst == NULL || dstlen == 0)
		return;
	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	if (len == 0)
		return;
	size_t cur = strnlen(dst, dstlen - 1);
	if (cur > 0 && sep != NULL) {
		size_t slen = strlen(sep);
		if (cur + slen >= dstlen)
			return;
		memcpy(dst + cur, sep, slen);
		cur += slen;
	}
	size_t room = dstlen - 1 - cur;
	if (len > room)
		len = room;
	memcpy(dst + cur, s, len);
	dst[cur + len] = '\0';
}

int
nagios_parse_output(const char *buf, size_t len, char *summary, size_t summary_len,
    char *longtext, size_t longtext_len, nagios_perf_fn fn, void *arg)
{
	int bad = 0, lineno = 0, in_perf = 0;
	size_t pos = 0;

	if (summary != NULL && summary_len > 0)
		summary[0] = '\0';
	if (longtext != NULL && longtext_len > 0)
		longtext[0] = '\0';
	while (pos < len) {
		const char *line = buf + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t llen = nl ? (size_t)(nl - line) : len - pos;
		pos += llen + (nl != NULL);
		lineno++;
		if (in_perf) {
			bad += nagios_parse_perfdata(line, llen, fn, arg);
			continue;
		}
		const char *bar = memchr(line, '|', llen);
		size_t tlen = bar ? (size_t)(bar - line) : llen;
		if (lineno == 1)
			append_text(summary, summary_len, line, tlen, NULL);
		else
			append_text(longtext, longtext_len, line, tlen, "\n");
		if (bar != NULL) {
			bad += nagios_parse_perfdata(bar + 1, llen - tlen - 1, fn, arg);
			if (lineno > 1)
				in_perf = 1;	/* the rest of the output is perfdata */
		}
	}
	return bad;
}

int
nagios_state_from_exit(int code)
{
	return code >= 0 && code <= 3 ? code : 3;
}
