/*
 * table.c — aligned text tables, and the escaping that keeps text from
 * devices and users (host names, tags, token names, error messages) from
 * driving the terminal: control bytes, C1 controls, bidirectional
 * overrides and bytes that are not UTF-8 print as '?'.
 */
#include "cli/cli.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Decode one UTF-8 sequence at s (n bytes left). Returns its length and
 * the code point, or 0 when the bytes are not valid UTF-8 (overlongs and
 * surrogates included). */
static size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t c, min;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if ((s[0] & 0xe0) == 0xc0) {
		len = 2, c = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3, c = s[0] & 0x0f, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Code points that change what the terminal does rather than print. */
static int
is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

void
cli_escape_inplace(char *str)
{
	unsigned char *s = (unsigned char *)str, *o = s;
	size_t n = strlen(str);
	while (n > 0) {
		uint32_t cp;
		size_t len = utf8_decode(s, n, &cp);
		if (len == 0 || is_control(cp)) {
			*o++ = '?';
			len = len ? len : 1;
		} else {
			memmove(o, s, len);
			o += len;
		}
		s += len;
		n -= len;
	}
	*o = '\0';
}

char *
cli_escape(const char *s)
{
	char *copy = strdup(s ? s : "");
	if (copy != NULL)
		cli_escape_inplace(copy);
	return copy;
}

static int
is_wide(uint32_t c)
{
	return c >= 0x1100 && (c <= 0x115f || c == 0x2329 || c == 0x232a ||
	    (c >= 0x2e80 && c <= 0xa4cf && c != 0x303f) || (c >= 0xac00 && c <= 0xd7a3) ||
	    (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe10 && c <= 0xfe19) ||
	    (c >= 0xfe30 && c <= 0xfe6f) || (c >= 0xff00 && c <= 0xff60) ||
	    (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1f64f) ||
	    (c >= 0x1f900 && c <= 0x1f9ff) || (c >= 0x20000 && c <= 0x3fffd));
}

static int
is_zero_width(uint32_t c)
{
	return (c >= 0x0300 && c <= 0x036f) || (c >= 0x200b && c <= 0x200f) ||
	    (c >= 0x20d0 && c <= 0x20ff) || (c >= 0xfe00 && c <= 0xfe0f);
}

size_t
cli_text_width(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str), w = 0;
	while (n > 0) {
		uint32_t cp;
		size_t len = utf8_decode(s, n, &cp);
		if (len == 0)
			len = 1, cp = '?';
		w += is_wide(cp) ? 2 : is_zero_width(cp) ? 0 : 1;
		s += len;
		n -= len;
	}
	return w;
}

/* ---- tables ------------------------------------------------------------------ */

struct cli_table {
	size_t ncols;
	char **cells;		/* (rows + 1) * ncols, row 0 the header */
	size_t rows, cap;	/* rows counts the header, if any */
	int header;
	unsigned char *right;	/* per column */
};

struct cli_table *
cli_table_new(size_t ncols, const char *const *headers)
{
	struct cli_table *t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->ncols = ncols;
	t->right = calloc(ncols, 1);
	t->header = headers != NULL;
	if (t->right == NULL || (headers != NULL && cli_table_add(t, headers) < 0)) {
		cli_table_free(t);
		return NULL;
	}
	return t;
}

void
cli_table_align_right(struct cli_table *t, size_t col)
{
	if (col < t->ncols)
		t->right[col] = 1;
}

int
cli_table_add(struct cli_table *t, const char *const *cells)
{
	if (t->rows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **g = realloc(t->cells, cap * t->ncols * sizeof(*g));
		if (g == NULL)
			return -1;
		t->cells = g;
		t->cap = cap;
	}
	char **row = t->cells + t->rows * t->ncols;
	for (size_t i = 0; i < t->ncols; i++) {
		row[i] = cli_escape(cells[i] ? cells[i] : "-");
		if (row[i] == NULL) {
			while (i-- > 0)
				free(row[i]);
			return -1;
		}
	}
	t->rows++;
	return 0;
}

size_t
cli_table_rows(const struct cli_table *t)
{
	return t->rows - (t->header && t->rows > 0);
}

void
cli_table_print(const struct cli_table *t, FILE *out)
{
	size_t *w = calloc(t->ncols, sizeof(*w));
	if (w == NULL)
		return;
	for (size_t r = 0; r < t->rows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			size_t cw = cli_text_width(t->cells[r * t->ncols + c]);
			if (cw > w[c])
				w[c] = cw;
		}
	for (size_t r = 0; r < t->rows; r++) {
		size_t pending = 0;	/* blanks owed before the next text */
		for (size_t c = 0; c < t->ncols; c++) {
			const char *cell = t->cells[r * t->ncols + c];
			size_t pad = w[c] - cli_text_width(cell);
			if (c > 0)
				pending += 2;
			if (t->right[c])
				pending += pad;
			if (*cell != '\0') {
				fprintf(out, "%*s%s", (int)pending, "", cell);
				pending = 0;
			}
			if (!t->right[c])
				pending += pad;
		}
		fputc('\n', out);
	}
	free(w);
}

void
cli_table_free(struct cli_table *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->rows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->right);
	free(t);
}
