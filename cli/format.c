/*
 * format.c — pure helpers for the CLI's text: values, ages and times for
 * tables, time arguments, and finding a figure in Prometheus text. No I/O,
 * so the unit tests call them directly.
 */
#include "cli/cli.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/util.h"

void
cli_format_value(double v, char *buf, size_t len)
{
	if (isnan(v)) {
		snprintf(buf, len, "-");
	} else if (isinf(v)) {
		snprintf(buf, len, "%s", v > 0 ? "inf" : "-inf");
	} else if (fabs(v) < 1e15 && (v == floor(v) || fabs(v) >= 1e6)) {
		snprintf(buf, len, "%.0f", v == 0 ? 0.0 : v);	/* no "-0" */
	} else {
		snprintf(buf, len, "%.6g", v);
	}
}

void
cli_format_age(double seconds, char *buf, size_t len)
{
	if (isnan(seconds)) {
		snprintf(buf, len, "-");
		return;
	}
	long long s = seconds < 0 ? 0 : seconds > 1e12 ? (long long)1e12 : (long long)seconds;
	if (s < 60)
		snprintf(buf, len, "%llds", s);
	else if (s < 3600)
		snprintf(buf, len, "%lldm%llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%lldh%lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%lldd%lldh", s / 86400, s % 86400 / 3600);
}

void
cli_format_time(double ts, char *buf, size_t len)
{
	struct tm tm;
	time_t t = (time_t)floor(ts);
	if (isnan(ts) || localtime_r(&t, &tm) == NULL) {
		snprintf(buf, len, "-");
		return;
	}
	char date[32];
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	long off = tm.tm_gmtoff;
	char sign = off < 0 ? '-' : '+';
	off = off < 0 ? -off : off;
	snprintf(buf, len, "%s%c%02ld:%02ld", date, sign, off / 3600, off % 3600 / 60);
}

/* Read exactly n digits at *p into *out; advances *p. */
static int
digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int
days_in_month(int year, int month)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return month == 2 && leap ? 29 : days[month - 1];
}

/* ISO 8601 date or date-time to Unix seconds; -1 if text is not one. */
static int
parse_iso(const char *text, long long *out)
{
	const char *p = text;
	int y, mo, d, h = 0, mi = 0, s = 0, zone = 0, zh = 0, zm = 0, zsign = 1;
	if (digits(&p, 4, &y) < 0 || *p++ != '-' || digits(&p, 2, &mo) < 0 ||
	    *p++ != '-' || digits(&p, 2, &d) < 0)
		return -1;
	if (*p == 'T' || *p == ' ') {
		p++;
		if (digits(&p, 2, &h) < 0 || *p++ != ':' || digits(&p, 2, &mi) < 0)
			return -1;
		if (*p == ':' && (p++, digits(&p, 2, &s) < 0))
			return -1;
		if (*p == 'Z') {
			zone = 1;
			p++;
		} else if (*p == '+' || *p == '-') {
			zone = 1;
			zsign = *p++ == '-' ? -1 : 1;
			if (digits(&p, 2, &zh) < 0)
				return -1;
			if (*p == ':')
				p++;
			if (*p != '\0' && digits(&p, 2, &zm) < 0)
				return -1;
		}
	}
	if (*p != '\0' || y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
	    d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 59 || zh > 14 || zm > 59)
		return -1;
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
	    .tm_hour = h, .tm_min = mi, .tm_sec = s, .tm_isdst = -1 };
	time_t t;
	if (zone) {
		t = timegm(&tm);
		t -= zsign * (zh * 3600 + zm * 60);
	} else {
		t = mktime(&tm);
	}
	if (t == (time_t)-1 || t < 0)
		return -1;
	*out = (long long)t;
	return 0;
}

int
cli_parse_time(const char *text, char *out, size_t outlen)
{
	double unused;
	long long secs;
	if (text == NULL || text[0] == '\0' || strlen(text) > 64)
		return -1;
	if (strcmp(text, "now") == 0 || (text[0] == '-' && text[1] != '-' &&
	    cfg_parse_duration(text + 1, &secs) == 0 && secs >= 0) ||
	    (isdigit((unsigned char)text[0]) && strchr(text, '-') == NULL &&
	    util_parse_time(text, 0, &unused) == 0)) {
		/* the collector resolves these against its own clock */
		return snprintf(out, outlen, "%s", text) < (int)outlen ? 0 : -1;
	}
	if (parse_iso(text, &secs) < 0)
		return -1;
	return snprintf(out, outlen, "%lld", secs) < (int)outlen ? 0 : -1;
}

int
cli_prom_find(const char *text, size_t len, const char *name, double *value)
{
	size_t nlen = strlen(name);
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		size_t llen = (size_t)(eol - p);
		if (llen > nlen && p[0] != '#' && memcmp(p, name, nlen) == 0 &&
		    (p[nlen] == ' ' || p[nlen] == '\t')) {
			const char *v = p + nlen;
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			char num[64];
			size_t vlen = 0;
			while (v + vlen < eol && v[vlen] != ' ' && v[vlen] != '\t' &&
			    v[vlen] != '\r')
				vlen++;
			if (vlen == 0 || vlen >= sizeof(num))
				return -1;
			memcpy(num, v, vlen);
			num[vlen] = '\0';
			char *e;
			double d = strtod(num, &e);
			if (*e != '\0')
				return -1;
			*value = d;
			return 0;
		}
		p = eol + 1;
	}
	return -1;
}

int
cli_abs_path(const char *cwd, const char *dir, char *out, size_t outlen)
{
	char *joined;
	if (dir == NULL || dir[0] == '\0' || outlen < 2)
		return -1;
	if (asprintf(&joined, "%s/%s", dir[0] == '/' ? "" : cwd, dir) < 0)
		return -1;
	size_t o = 0;
	int rc = 0;
	char *save = NULL;
	for (char *seg = strtok_r(joined, "/", &save); seg; seg = strtok_r(NULL, "/", &save)) {
		if (strcmp(seg, ".") == 0)
			continue;
		if (strcmp(seg, "..") == 0) {
			while (o > 0 && out[--o] != '/')
				;
			continue;
		}
		size_t n = strlen(seg);
		if (o + 1 + n + 1 > outlen) {
			rc = -1;
			break;
		}
		out[o++] = '/';
		memcpy(out + o, seg, n);
		o += n;
	}
	free(joined);
	if (rc < 0)
		return -1;
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return 0;
}

void
cli_format_si(double v, const char *unit, char *buf, size_t len)
{
	static const char prefixes[] = " kMGTPE";
	const char *sep = unit[0] != '\0' ? " " : "";	/* "1.5 Mbit/s" but "1.5k" */
	if (isnan(v) || v < 0) {
		snprintf(buf, len, "-");
		return;
	}
	if (isinf(v)) {
		snprintf(buf, len, "inf%s%s", sep, unit);
		return;
	}
	if (v == 0) {
		snprintf(buf, len, "0%s%s", sep, unit);
		return;
	}
	if (v < 1) {
		/* small rates (errors per second): two significant digits */
		char num[32];
		snprintf(num, sizeof(num), "%.2g", v);
		if (strchr(num, 'e') != NULL)	/* below 0.0001: "0.0001" is honest enough */
			snprintf(num, sizeof(num), "<0.0001");
		snprintf(buf, len, "%s%s%s", num, sep, unit);
		return;
	}
	size_t p = 0;
	while (v >= 999.5 && p + 1 < sizeof(prefixes) - 1) {
		v /= 1000;
		p++;
	}
	char num[48];
	snprintf(num, sizeof(num), "%.*f", v < 9.995 ? 2 : v < 99.95 ? 1 : 0, v);
	if (strchr(num, '.') != NULL) {	/* "2.50" -> "2.5", "1.00" -> "1" */
		size_t n = strlen(num);
		while (num[n - 1] == '0')
			num[--n] = '\0';
		if (num[n - 1] == '.')
			num[--n] = '\0';
	}
	if (p == 0)
		snprintf(buf, len, "%s%s%s", num, sep, unit);
	else
		snprintf(buf, len, "%s%s%c%s", num, sep, prefixes[p], unit);
}

void
cli_format_speed(double bps, char *buf, size_t len)
{
	if (isnan(bps) || bps <= 0)
		snprintf(buf, len, "-");	/* 0: the device does not know */
	else
		cli_format_si(bps, "bit/s", buf, len);
}

int
cli_first_line(const char *buf, size_t len, char *out, size_t outlen)
{
	size_t n = 0;
	while (n < len && buf[n] != '\n')
		n++;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	if (n == 0 || n >= outlen)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			return -1;
	memcpy(out, buf, n);
	out[n] = '\0';
	return 0;
}
