/*
 * convert.c — pure conversions of SNMP values: OIDs as text, OCTET STRINGs
 * to valid UTF-8 (GB18030/GBK through iconv, binary as hex), numeric
 * strings, counter rates with wrap and reboot handling, scaling.
 * No I/O and no state beyond the arguments: unit-tested and fuzzed.
 */
#include "collector/snmp/snmp.h"
#include "common/util.h"

#include <errno.h>
#include <iconv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
sp_oid_parse(const char *text, struct sp_oid *o, int wild_ok)
{
	const char *p = text;

	o->len = 0;
	o->wild = -1;
	if (p == NULL)
		return -1;
	while (*p == ' ')
		p++;
	if (*p == '.')
		p++;
	if (*p == '\0')
		return -1;
	for (;;) {
		if (o->len >= SP_MAX_OID)
			return -1;
		if (*p == '*') {
			if (!wild_ok || o->wild >= 0)
				return -1;
			o->wild = (int8_t)o->len;
			o->arcs[o->len++] = 0;
			p++;
		} else {
			unsigned long long v = 0;
			const char *start = p;

			while (*p >= '0' && *p <= '9') {
				v = v * 10 + (unsigned)(*p - '0');
				if (v > UINT32_MAX)
					return -1;
				p++;
			}
			if (p == start)
				return -1;
			o->arcs[o->len++] = (uint32_t)v;
		}
		if (*p == '.') {
			p++;
			continue;
		}
		while (*p == ' ')
			p++;
		return *p == '\0' && o->len >= 2 ? 0 : -1;
	}
}

char *
sp_oid_format(const uint32_t *arcs, size_t n, char *buf, size_t len)
{
	size_t off = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++) {
		int w = snprintf(buf + off, len - off, i ? ".%u" : "%u", arcs[i]);
		if (w < 0)
			break;
		off += (size_t)w;
	}
	if (off >= len)
		buf[len - 1] = '\0';
	return buf;
}

int
sp_oid_cmp(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	size_t n = na < nb ? na : nb;

	for (size_t i = 0; i < n; i++) {
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	}
	return na == nb ? 0 : (na < nb ? -1 : 1);
}

int
sp_oid_is_prefix(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	return na <= nb && memcmp(a, b, na * sizeof(*a)) == 0;
}

void *
sp_iconv_open(void)
{
	iconv_t cd = iconv_open("UTF-8", "GB18030");

	return cd == (iconv_t)-1 ? NULL : (void *)cd;
}

void
sp_iconv_close(void *cd)
{
	if (cd != NULL)
		iconv_close((iconv_t)cd);
}

static int
to_hex(const unsigned char *in, size_t len, char *out, size_t outlen)
{
	static const char hx[] = "0123456789abcdef";
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		if (o + (i ? 3 : 2) + 1 > outlen)
			break;
		if (i)
			out[o++] = ':';
		out[o++] = hx[in[i] >> 4];
		out[o++] = hx[in[i] & 15];
	}
	out[o] = '\0';
	return (int)o;
}

/* Copy UTF-8 text, truncating on a character boundary. */
static int
copy_utf8(const char *in, size_t len, char *out, size_t outlen)
{
	if (len >= outlen) {
		len = outlen - 1;
		while (len > 0 && ((unsigned char)in[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(out, in, len);
	out[len] = '\0';
	return (int)len;
}

int
sp_octets_to_text(const unsigned char *in, size_t len, void *cd, char *out,
    size_t outlen, char *how)
{
	char dummy;

	if (how == NULL)
		how = &dummy;
	if (outlen == 0)
		return -1;
	/* Devices often pad with NULs: they end the text. */
	while (len > 0 && in[len - 1] == '\0')
		len--;
	int ascii = 1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = in[i];
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
			*how = 'h';
			return to_hex(in, len, out, outlen);
		}
		if (c == 0x7F) {
			*how = 'h';
			return to_hex(in, len, out, outlen);
		}
		if (c >= 0x80)
			ascii = 0;
	}
	if (ascii || util_utf8_valid((const char *)in, len)) {
		*how = 'u';
		return copy_utf8((const char *)in, len, out, outlen);
	}
	if (cd != NULL && len < 4096) {
		char tmp[4096 * 2];
		char *ip = (char *)(uintptr_t)in, *op = tmp;
		size_t il = len, ol = sizeof(tmp);

		iconv((iconv_t)cd, NULL, NULL, NULL, NULL);
		if (iconv((iconv_t)cd, &ip, &il, &op, &ol) != (size_t)-1 && il == 0 &&
		    util_utf8_valid(tmp, (size_t)(op - tmp))) {
			*how = 'g';
			return copy_utf8(tmp, (size_t)(op - tmp), out, outlen);
		}
	}
	*how = 'h';
	return to_hex(in, len, out, outlen);
}

int
sp_parse_number(const char *s, size_t len, double *out)
{
	char buf[64];
	char *end;

	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\0'))
		len--;
	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	/* Plain decimal numbers only: no hex, inf or nan from strtod. */
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];
		if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' ||
		    c == 'e' || c == 'E'))
			return -1;
	}
	errno = 0;
	double v = strtod(buf, &end);
	if (end != buf + len || errno != 0 || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

int
sp_counter_rate(struct sp_counter *prev, uint64_t cur, double t, int bits,
    int reset, double max_rate, double *rate)
{
	struct sp_counter old = *prev;

	prev->raw = cur;
	prev->t = t;
	prev->valid = 1;
	if (!old.valid || reset)
		return -1;
	double dt = t - old.t;
	if (!(dt > 0.0))
		return -1;
	uint64_t delta;
	if (cur >= old.raw) {
		delta = cur - old.raw;
	} else {
		/* Went back: a wrap of the counter, or a discontinuity. */
		if (bits == 32) {
			if (old.raw > UINT32_MAX || cur > UINT32_MAX)
				return -1;
			delta = (uint64_t)UINT32_MAX - old.raw + cur + 1;
		} else {
			delta = UINT64_MAX - old.raw + cur + 1;
			/* A 64-bit counter does not wrap in one interval unless it
			 * was near the top: anything else is a reset. */
			if (delta > (UINT64_C(1) << 62))
				return -1;
		}
	}
	double r = (double)delta / dt;
	if (max_rate > 0 && r > max_rate)
		return -1;
	*rate = r;
	return 0;
}

int
sp_uptime_rebooted(uint32_t prev, uint32_t cur, double dt)
{
	if (cur >= prev)
		return 0;
	/* sysUpTime is TimeTicks (32 bits of 1/100 s) and wraps after ~497
	 * days: if the expected value wrapped and cur is close to it, it is a
	 * wrap, not a restart. */
	double expect = (double)prev + dt * 100.0;
	if (expect >= 4294967296.0) {
		double wrapped = expect - 4294967296.0;
		double slack = dt * 100.0 * 0.1 + 1000.0;
		if (fabs((double)cur - wrapped) <= slack)
			return 0;
	}
	return 1;
}

double
sp_scale_value(double raw, double scale, int precision)
{
	double v = raw * scale;

	if (precision > 0 && precision < 20)
		v /= pow(10.0, precision);
	else if (precision < 0 && precision > -20)
		v *= pow(10.0, -precision);
	return v;
}

double
sp_entity_scale(int code)
{
	/* 1 yocto (1e-24) … 9 units (1) … 17 yotta (1e24), in steps of 1e3. */
	if (code < 1 || code > 17)
		return 1.0;
	return pow(10.0, 3.0 * (code - 9));
}

const char *
sp_ifstatus_name(long v)
{
	static const char *const names[] = {
		"unknown", "up", "down", "testing", "unknown", "dormant",
		"notPresent", "lowerLayerDown",
	};

	if (v < 1 || v > 7)
		return "unknown";
	return names[v];
}
