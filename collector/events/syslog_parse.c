/*
 * syslog_parse.c — one syslog message into a struct cm_event: RFC 5424,
 * RFC 3164 as devices really send it (Cisco's sequence number and "*" time,
 * Huawei/H3C's year, no host name), or a bare line. Pure: the caller owns
 * ev and every string put in it (made clean by ev_text_clean()).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/events/events.h"

struct cur {
	const char *p, *end;
};

static int
at_end(const struct cur *c)
{
	return c->p >= c->end;
}

/* A copy of [s, s+n) made clean, or NULL when n is 0 or "-" (5424 nil). */
static char *
field(const char *s, size_t n, size_t max)
{
	if (n == 0 || (n == 1 && s[0] == '-'))
		return NULL;
	return ev_text_clean(s, n, max);
}

/* The next space-delimited token; c moves past it and one space. */
static size_t
token(struct cur *c, const char **start)
{
	*start = c->p;
	while (c->p < c->end && *c->p != ' ')
		c->p++;
	size_t n = (size_t)(c->p - *start);
	if (c->p < c->end)
		c->p++;
	return n;
}

static void
skip_spaces(struct cur *c)
{
	while (c->p < c->end && *c->p == ' ')
		c->p++;
}

/* "<PRI>": 0..191. Returns the value or -1 (c unmoved). */
static int
parse_pri(struct cur *c)
{
	const char *p = c->p;
	int v = 0, digits = 0;
	if (p >= c->end || *p != '<')
		return -1;
	for (p++; p < c->end && isdigit((unsigned char)*p) && digits < 4; p++, digits++)
		v = v * 10 + (*p - '0');
	if (digits == 0 || p >= c->end || *p != '>' || v > 191)
		return -1;
	c->p = p + 1;
	return v;
}

static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
	"Aug", "Sep", "Oct", "Nov", "Dec" };

static int
digits_at(const char *p, const char *end, int n, int *out)
{
	int v = 0;
	if (end - p < n)
		return -1;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return 0;
}

/* "Mmm dd [yyyy ]hh:mm:ss[.frac][ yyyy][:]" (3164 and vendors); 0 moves c. */
static int
parse_3164_time(struct cur *c, double now, double *out)
{
	const char *p = c->p, *end = c->end;
	struct tm tm;
	int mon = -1, v;
	memset(&tm, 0, sizeof(tm));
	if (p < end && (*p == '*' || *p == '.'))	/* Cisco: clock not in sync */
		p++;
	if (end - p < 15)
		return -1;
	for (int i = 0; i < 12; i++)
		if (strncmp(p, months[i], 3) == 0)
			mon = i;
	if (mon < 0 || p[3] != ' ')
		return -1;
	p += 4;
	if (*p == ' ')
		p++;
	if (!isdigit((unsigned char)*p))
		return -1;
	tm.tm_mday = *p++ - '0';
	if (p < end && isdigit((unsigned char)*p))
		tm.tm_mday = tm.tm_mday * 10 + (*p++ - '0');
	if (p >= end || *p++ != ' ')
		return -1;
	int year = 0;
	if (digits_at(p, end, 4, &v) == 0 && p + 4 < end && p[4] == ' ') {
		year = v;
		p += 5;
	}
	if (digits_at(p, end, 2, &tm.tm_hour) < 0 || p + 8 > end || p[2] != ':' ||
	    digits_at(p + 3, end, 2, &tm.tm_min) < 0 || p[5] != ':' ||
	    digits_at(p + 6, end, 2, &tm.tm_sec) < 0)
		return -1;
	p += 8;
	double frac = 0, scale = 0.1;
	if (p < end && *p == '.')
		for (p++; p < end && isdigit((unsigned char)*p); p++, scale /= 10)
			frac += (*p - '0') * scale;
	/* H3C: "Dec  7 10:00:00 2026"; Cisco: a zone name we leave in place */
	if (year == 0 && end - p >= 5 && p[0] == ' ' && digits_at(p + 1, end, 4, &v) == 0 &&
	    (p + 5 == end || p[5] == ' ' || p[5] == ':')) {
		year = v;
		p += 5;
	}
	if (p < end && *p == ':')
		p++;
	if (p < end && *p != ' ')
		return -1;
	time_t t = (time_t)now;
	struct tm nowtm;
	gmtime_r(&t, &nowtm);
	tm.tm_mon = mon;
	tm.tm_year = (year ? year : nowtm.tm_year + 1900) - 1900;
	double ts = (double)timegm(&tm) + frac;
	if (year == 0 && ts > now + 86400) {	/* December's line read in January */
		tm.tm_year--;
		ts = (double)timegm(&tm) + frac;
	}
	*out = ts;
	c->p = p;
	skip_spaces(c);
	return 0;
}

/* RFC 3339 as 5424 has it; 0 or -1. */
static int
parse_5424_time(const char *s, size_t n, double *out)
{
	struct tm tm;
	int v;
	memset(&tm, 0, sizeof(tm));
	const char *p = s, *end = s + n;
	if (digits_at(p, end, 4, &v) < 0 || n < 20 || p[4] != '-')
		return -1;
	tm.tm_year = v - 1900;
	if (digits_at(p + 5, end, 2, &v) < 0 || p[7] != '-')
		return -1;
	tm.tm_mon = v - 1;
	if (digits_at(p + 8, end, 2, &tm.tm_mday) < 0 || (p[10] != 'T' && p[10] != 't') ||
	    digits_at(p + 11, end, 2, &tm.tm_hour) < 0 || p[13] != ':' ||
	    digits_at(p + 14, end, 2, &tm.tm_min) < 0 || p[16] != ':' ||
	    digits_at(p + 17, end, 2, &tm.tm_sec) < 0)
		return -1;
	p += 19;
	double frac = 0, scale = 0.1;
	if (p < end && *p == '.')
		for (p++; p < end && isdigit((unsigned char)*p); p++, scale /= 10)
			frac += (*p - '0') * scale;
	long off = 0;
	if (p < end && (*p == 'Z' || *p == 'z')) {
		p++;
	} else if (p < end && (*p == '+' || *p == '-')) {
		int h, m;
		if (digits_at(p + 1, end, 2, &h) < 0 || end - p < 6 || p[3] != ':' ||
		    digits_at(p + 4, end, 2, &m) < 0)
			return -1;
		off = (h * 3600L + m * 60L) * (*p == '-' ? -1 : 1);
		p += 6;
	} else {
		return -1;
	}
	if (p != end || tm.tm_mon < 0 || tm.tm_mon > 11)
		return -1;
	*out = (double)timegm(&tm) - (double)off + frac;
	return 0;
}

/* 5424: "1 TS HOST APP PROCID MSGID SD [MSG]" after the PRI. */
static int
parse_5424(struct cur *c, size_t max, struct cm_event *ev)
{
	const char *s;
	size_t n;
	c->p += 2;	/* "1 " */
	n = token(c, &s);
	if (parse_5424_time(s, n, &ev->sent_ts) < 0)
		ev->sent_ts = 0;
	n = token(c, &s);
	ev->host = field(s, n, 255);
	n = token(c, &s);
	ev->program = field(s, n, 48);
	(void)token(c, &s);	/* PROCID */
	(void)token(c, &s);	/* MSGID */
	/* STRUCTURED-DATA: "-" or [..][..], with \] escapes inside values */
	if (!at_end(c) && *c->p == '[') {
		int in_q = 0;
		while (!at_end(c)) {
			char ch = *c->p++;
			if (in_q && ch == '\\' && !at_end(c)) {
				c->p++;
				continue;
			}
			if (ch == '"')
				in_q = !in_q;
			else if (ch == ']' && !in_q && (at_end(c) || *c->p != '['))
				break;
		}
		if (!at_end(c) && *c->p == ' ')
			c->p++;
	} else {
		(void)token(c, &s);
	}
	/* a UTF-8 BOM says the rest is UTF-8: drop it */
	if (c->end - c->p >= 3 && memcmp(c->p, "\xEF\xBB\xBF", 3) == 0)
		c->p += 3;
	ev->message = ev_text_clean(c->p, (size_t)(c->end - c->p), max);
	return 0;
}

/* Is [s, s+n) a program tag ("sshd", "sshd[12]", "kernel")? */
static int
tag_like(const char *s, size_t n)
{
	if (n == 0 || n > 48)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '[')
			return i > 0;
		if (!isalnum(ch) && ch != '-' && ch != '_' && ch != '.' && ch != '/')
			return 0;
	}
	return 1;
}

int
syslog_find_tag(const char *msg, char *tag, size_t cap, int *severity)
{
	for (const char *p = strchr(msg, '%'); p != NULL; p = strchr(p + 1, '%')) {
		const char *q = p + 1;
		int huawei = 0;
		if (*q == '%') {	/* Huawei/H3C: %%01FAC/4/MNEM(l) */
			q++;
			while (isdigit((unsigned char)*q))
				q++;
			huawei = 1;
		}
		const char *fac = q;
		while (isupper((unsigned char)*q) || isdigit((unsigned char)*q) || *q == '_')
			q++;
		char sep = huawei ? '/' : '-';
		if (q == fac || *q != sep || !isdigit((unsigned char)q[1]) || q[2] != sep)
			continue;
		int sev = q[1] - '0';
		const char *mn = q + 3, *e = mn;
		while (isupper((unsigned char)*e) || isdigit((unsigned char)*e) || *e == '_')
			e++;
		if (e == mn || sev > 7)
			continue;
		if (*e != ':' && *e != '(' && *e != ' ' && *e != '\0' && *e != '[')
			continue;
		snprintf(tag, cap, "%.*s-%d-%.*s", (int)(q - fac), fac, sev, (int)(e - mn), mn);
		*severity = sev;
		return 0;
	}
	return -1;
}

/* 3164 and the vendors' variants, after the PRI. */
static void
parse_3164(struct cur *c, double now, size_t max, struct cm_event *ev)
{
	const char *save = c->p;
	/* Cisco "123: " sequence numbers before the time */
	const char *d = c->p;
	while (d < c->end && isdigit((unsigned char)*d))
		d++;
	if (d > c->p && d + 1 < c->end && d[0] == ':' && d[1] == ' ') {
		c->p = d + 2;
		skip_spaces(c);
	}
	if (parse_3164_time(c, now, &ev->sent_ts) < 0) {
		c->p = save;	/* no header: the whole line is the message */
		ev->message = ev_text_clean(c->p, (size_t)(c->end - c->p), max);
		return;
	}
	/* HOST, unless what follows already is "TAG:" or a %tag */
	const char *s = c->p;
	size_t n;
	struct cur peek = *c;
	n = token(&peek, &s);
	if (n > 0 && s[0] != '%' && s[n - 1] != ':' && !(n > 1 && s[n - 1] == ']' &&
	    tag_like(s, n))) {
		ev->host = field(s, n, 255);
		*c = peek;
	}
	/* TAG: "prog:" or "prog[pid]:" */
	peek = *c;
	n = token(&peek, &s);
	if (n > 1 && s[n - 1] == ':' && tag_like(s, n - 1)) {
		size_t plen = 0;
		while (plen < n - 1 && s[plen] != '[')
			plen++;
		ev->program = field(s, plen, 48);
		*c = peek;
	}
	ev->message = ev_text_clean(c->p, (size_t)(c->end - c->p), max);
}

int
syslog_parse(const char *buf, size_t len, double now, size_t max_message,
    struct cm_event *ev)
{
	struct cur c = { buf, buf + len };
	/* leading NUL, CR, LF and spaces: framing noise */
	while (!at_end(&c) && (*c.p == '\0' || *c.p == '\r' || *c.p == '\n' || *c.p == ' '))
		c.p++;
	int pri = parse_pri(&c);
	ev->facility = pri >= 0 ? pri / 8 : 1;
	ev->severity = pri >= 0 ? pri % 8 : 5;
	if (pri >= 0 && c.end - c.p >= 2 && c.p[0] == '1' && c.p[1] == ' ')
		parse_5424(&c, max_message, ev);
	else
		parse_3164(&c, now, max_message, ev);
	if (ev->message == NULL)
		return -1;
	if (ev->message[0] == '\0' && ev->program == NULL)
		return -1;
	char tag[96];
	int sev;
	if (syslog_find_tag(ev->message, tag, sizeof(tag), &sev) == 0)
		ev->tag = strdup(tag);
	return 0;
}
