/*
 * csv.c — asset registers as spreadsheets write them, and CSV out that a
 * spreadsheet opens without running anything.
 *
 * In: Excel in China saves "CSV" as GBK (code page 936), "CSV UTF-8" with a
 * BOM, and "Unicode text" as UTF-16 with a BOM; all are turned into UTF-8
 * with iconv. Rows follow RFC 4180 (quoted fields may hold commas, quotes
 * and line breaks). Out: a field starting with = + - @ tab or CR would be a
 * formula (CSV injection, e.g. =cmd|' /C calc'!A0), so it gets a leading '.
 */
#include <errno.h>
#include <event2/buffer.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistr.h>
#include <uthash.h>

#include "collector/reports/reports.h"

const char *const asset_col_names[AC_N] = { "asset_tag", "serial", "name", "model", "kind",
	"building", "room", "rack", "owner", "address", "mac" };

/* The row (1-based, counting line breaks) that byte offset at falls in. */
static long
row_of(const char *data, size_t at)
{
	long row = 1;
	for (size_t i = 0; i < at; i++)
		row += data[i] == '\n';
	return row;
}

/* Convert with iconv; NULL and *bad (offset of the first bad byte) on error. */
static char *
convert(const char *from, const char *data, size_t len, size_t *bad)
{
	iconv_t cd = iconv_open("UTF-8", from);
	if (cd == (iconv_t)-1)
		return NULL;
	size_t cap = len * 2 + 16, left_out = cap - 1;
	char *out = malloc(cap), *o = out;
	char *in = (char *)data;
	size_t left_in = len;
	while (out != NULL && left_in > 0) {
		if (iconv(cd, &in, &left_in, &o, &left_out) != (size_t)-1)
			continue;
		if (errno == E2BIG) {
			size_t used = (size_t)(o - out);
			char *n = realloc(out, cap * 2);
			if (n == NULL)
				break;
			out = n;
			o = out + used;
			left_out += cap;
			cap *= 2;
			continue;
		}
		*bad = (size_t)(in - data);
		free(out);
		out = NULL;
	}
	iconv_close(cd);
	if (out != NULL && left_in > 0) {	/* out of memory */
		free(out);
		return NULL;
	}
	if (out != NULL)
		*o = '\0';
	return out;
}

char *
csv_to_utf8(const char *data, size_t len, const char **encoding, char *err, size_t errlen)
{
	const unsigned char *u = (const unsigned char *)data;
	char *text = NULL;
	size_t bad = 0;
	if (len >= 2 && ((u[0] == 0xff && u[1] == 0xfe) || (u[0] == 0xfe && u[1] == 0xff))) {
		*encoding = "UTF-16";
		text = convert("UTF-16", data, len, &bad);	/* the BOM picks the order */
		if (text == NULL) {
			snprintf(err, errlen, "the file starts as UTF-16 but is not valid UTF-16");
			return NULL;
		}
	} else if (memchr(data, '\0', len) != NULL) {
		/* A NUL would silently end every field after it. */
		snprintf(err, errlen, "row %ld: a NUL byte in the file",
		    row_of(data, (size_t)((const char *)memchr(data, '\0', len) - data)));
		return NULL;
	} else if (len >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf) {
		*encoding = "UTF-8";
		const uint8_t *at = u8_check(u + 3, len - 3);
		if (at != NULL) {
			snprintf(err, errlen, "row %ld: not valid UTF-8 although the file starts "
			    "with a UTF-8 byte-order mark", row_of(data, (size_t)(at - u)));
			return NULL;
		}
		text = strndup(data + 3, len - 3);
	} else if (u8_check(u, len) == NULL) {
		*encoding = "UTF-8";
		text = strndup(data, len);
	} else {
		*encoding = "GBK";
		text = convert("GB18030", data, len, &bad);
		if (text == NULL) {
			snprintf(err, errlen, "row %ld: the file is neither UTF-8 nor GBK (GB18030); "
			    "save it from Excel as \"CSV UTF-8\" or \"CSV\"", row_of(data, bad));
			return NULL;
		}
	}
	if (text == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	size_t tl = strlen(text);
	if (tl >= 3 && (unsigned char)text[0] == 0xef && (unsigned char)text[1] == 0xbb &&
	    (unsigned char)text[2] == 0xbf)
		memmove(text, text + 3, tl - 2);	/* UTF-16's BOM, now in UTF-8 */
	return text;
}

/* ---- parsing -------------------------------------------------------------------- */

struct reader {
	const char *p;
	long row;			/* of the record being read */
	long line;			/* line the reader is on */
};

/* Read one record into fields (heap strings); returns the count, 0 at the
 * end, -1 with err. Fields longer than ASSET_FIELD_MAX are an error. */
#define CSV_MAX_FIELDS 64
static int
read_record(struct reader *r, char *fields[CSV_MAX_FIELDS], char *err, size_t errlen)
{
	const char *p = r->p;
	int n = 0;
	if (*p == '\0')
		return 0;
	r->row = r->line;
	for (;;) {
		char buf[ASSET_FIELD_MAX + 1];
		size_t len = 0;
		int too_long = 0;
		while (*p == ' ')
			p++;
		if (*p == '"') {
			p++;
			for (;;) {
				if (*p == '\0') {
					snprintf(err, errlen, "row %ld: a quoted field is not closed",
					    r->row);
					goto fail;
				}
				if (*p == '"' && p[1] == '"') {
					p++;
				} else if (*p == '"') {
					p++;
					break;
				}
				if (*p == '\n')
					r->line++;
				if (len < ASSET_FIELD_MAX)
					buf[len++] = *p;
				else
					too_long = 1;
				p++;
			}
			while (*p == ' ')
				p++;
			if (*p != ',' && *p != '\n' && *p != '\r' && *p != '\0') {
				snprintf(err, errlen, "row %ld: text after a closing quote", r->row);
				goto fail;
			}
		} else {
			while (*p != ',' && *p != '\n' && *p != '\r' && *p != '\0') {
				if (len < ASSET_FIELD_MAX)
					buf[len++] = *p;
				else
					too_long = 1;
				p++;
			}
			while (len > 0 && buf[len - 1] == ' ')
				len--;
		}
		if (too_long) {
			snprintf(err, errlen, "row %ld, field %d: longer than %d bytes", r->row, n + 1,
			    ASSET_FIELD_MAX);
			goto fail;
		}
		if (n == CSV_MAX_FIELDS) {
			snprintf(err, errlen, "row %ld: more than %d columns", r->row, CSV_MAX_FIELDS);
			goto fail;
		}
		if ((fields[n] = strndup(buf, len)) == NULL) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		n++;
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p == '\r')
			p++;
		if (*p == '\n') {
			p++;
			r->line++;
		}
		break;
	}
	r->p = p;
	return n;
fail:
	for (int i = 0; i < n; i++)
		free(fields[i]);
	return -1;
}

static void
free_fields(char **f, int n)
{
	for (int i = 0; i < n; i++)
		free(f[i]);
}

struct seen_tag {
	const char *tag;		/* points into the list */
	long row;
	UT_hash_handle hh;
};

static int
is_blank(char **f, int n)
{
	for (int i = 0; i < n; i++)
		if (f[i][0] != '\0')
			return 0;
	return 1;
}

int
assets_csv_parse(const char *text, struct asset_list *out, long long max_rows, char *err,
    size_t errlen)
{
	struct reader r = { text, 1, 1 };
	char *f[CSV_MAX_FIELDS];
	int col[AC_N], n, rc = -1;
	struct seen_tag *tags = NULL, *t, *tmp;
	long long rows = 0;

	/* The header: every column named, in any order. */
	do
		n = read_record(&r, f, err, errlen);
	while (n > 0 && is_blank(f, n) && (free_fields(f, n), 1));
	if (n <= 0) {
		if (n == 0)
			snprintf(err, errlen, "row 1: no header row (columns %s, %s, ...)",
			    asset_col_names[0], asset_col_names[1]);
		return -1;
	}
	char missing[256] = "";
	for (int c = 0; c < AC_N; c++) {
		col[c] = -1;
		for (int i = 0; i < n; i++)
			if (strcasecmp(f[i], asset_col_names[c]) == 0)
				col[c] = i;
		if (col[c] < 0) {
			size_t l = strlen(missing);
			snprintf(missing + l, sizeof(missing) - l, "%s%s", l ? ", " : "",
			    asset_col_names[c]);
		}
	}
	long header_row = r.row;
	free_fields(f, n);
	if (missing[0] != '\0') {
		snprintf(err, errlen, "row %ld: the header lacks the column%s %s", header_row,
		    strchr(missing, ',') ? "s" : "", missing);
		return -1;
	}
	while ((n = read_record(&r, f, err, errlen)) > 0) {
		if (is_blank(f, n)) {
			free_fields(f, n);
			continue;
		}
		if (++rows > max_rows) {
			snprintf(err, errlen, "row %ld: more than %lld assets (reports.assets_max_rows)",
			    r.row, max_rows);
			free_fields(f, n);
			goto done;
		}
		const char *v[AC_N];
		for (int c = 0; c < AC_N; c++)
			v[c] = col[c] < n ? f[col[c]] : "";
		char mac[18];
		if (v[AC_TAG][0] == '\0')
			snprintf(err, errlen, "row %ld: asset_tag is empty", r.row);
		else if (v[AC_MAC][0] != '\0' && mac_normalise(v[AC_MAC], mac) < 0)
			snprintf(err, errlen, "row %ld: mac '%.40s' is not a MAC address", r.row,
			    v[AC_MAC]);
		else
			err[0] = '\0';
		if (err[0] == '\0') {
			HASH_FIND_STR(tags, v[AC_TAG], t);
			if (t != NULL)
				snprintf(err, errlen, "row %ld: asset_tag '%.80s' repeats row %ld", r.row,
				    v[AC_TAG], t->row);
		}
		if (err[0] == '\0' && v[AC_MAC][0] != '\0')
			v[AC_MAC] = mac;
		if (err[0] == '\0' && asset_list_add(out, v) < 0)
			snprintf(err, errlen, "out of memory");
		if (err[0] == '\0' && (t = calloc(1, sizeof(*t))) != NULL) {
			t->tag = out->v[out->n - 1].f[AC_TAG];
			t->row = r.row;
			HASH_ADD_KEYPTR(hh, tags, t->tag, strlen(t->tag), t);
		}
		free_fields(f, n);
		if (err[0] != '\0')
			goto done;
	}
	if (n == 0)
		rc = 0;
done:
	HASH_ITER(hh, tags, t, tmp) {
		HASH_DEL(tags, t);
		free(t);
	}
	return rc;
}

/* ---- writing ---------------------------------------------------------------------- */

void
csv_field(struct evbuffer *out, const char *s, int last)
{
	if (s == NULL)
		s = "";
	int formula = strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0';
	int quote = formula || strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		evbuffer_add(out, "\"", 1);
	if (formula)
		evbuffer_add(out, "'", 1);
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			evbuffer_add(out, "\"\"", 2);
		else
			evbuffer_add(out, p, 1);
	}
	if (quote)
		evbuffer_add(out, "\"", 1);
	evbuffer_add(out, last ? "\r\n" : ",", last ? 2 : 1);
}
