/*
 * files.c — an RRD file as the store thread holds it in memory: the names
 * of its data sources and the rows waiting to be written. Several series
 * share a file (an interface's octets, errors and status; a CPU's user,
 * system and idle), because librrd's fixed cost of opening, mapping and
 * unmapping a file on each update is far larger than that of one more
 * value (bench/snmp/README.md).
 */
#include "collector/store/store_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DS_NAME_MAX 19		/* librrd's limit */

struct store_file *
file_new(uint32_t step)
{
	struct store_file *f = calloc(1, sizeof(*f));
	if (f != NULL)
		f->step = step ? step : 10;
	return f;
}

void
file_free(struct store_file *f)
{
	if (f == NULL)
		return;
	free(f->names);
	free(f->rows);
	free(f);
}

static int
has_name(const struct store_file *f, const char *name)
{
	size_t len = strlen(name);
	for (const char *p = f->names; p != NULL && *p != '\0';) {
		const char *end = strchr(p, ':');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n == len && memcmp(p, name, len) == 0)
			return 1;
		p = end ? end + 1 : p + n;
	}
	return 0;
}

void
file_ds_name(const struct store_file *f, const char *field, size_t len, char out[20])
{
	/* The field itself where librrd allows it ([A-Za-z0-9_], 19 at most). */
	size_t n = 0;
	int ok = len > 0;
	for (size_t i = 0; i < len && ok; i++) {
		char ch = field[i];
		if (ch == '\\' && i + 1 < len)
			ch = field[++i];
		if (n == DS_NAME_MAX || !((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '_'))
			ok = 0;
		else
			out[n++] = ch;
	}
	out[n] = '\0';
	if (ok && !has_name(f, out))
		return;
	/* Otherwise its position, which no other data source of the file has. */
	for (unsigned i = f->n_ds;; i++) {
		snprintf(out, 20, "ds%u", i);
		if (!has_name(f, out))
			return;
	}
}

int
file_ds_at(const struct store_file *f, uint16_t i, char out[20])
{
	const char *p = f->names;
	for (uint16_t k = 0; p != NULL && k < i; k++) {
		p = strchr(p, ':');
		if (p != NULL)
			p++;
	}
	if (p == NULL || *p == '\0')
		return -1;
	size_t n = strcspn(p, ":");
	if (n > DS_NAME_MAX)
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

int
file_add_ds(struct store_file *f, const char *name)
{
	if (f->n_ds == UINT16_MAX)
		return -1;
	size_t old = f->names ? strlen(f->names) : 0;
	char *names = realloc(f->names, old + 1 + strlen(name) + 1);
	if (names == NULL)
		return -1;
	if (old > 0)
		names[old++] = ':';
	strcpy(names + old, name);
	f->names = names;
	if (f->n_rows > 0) {
		/* Rows are waiting: widen each by one value, unknown so far. */
		size_t from = 1 + (size_t)f->n_ds, to = from + 1;
		double *rows = malloc((size_t)f->cap_rows * to * sizeof(*rows));
		if (rows == NULL)
			return -1;
		for (uint32_t r = 0; r < f->n_rows; r++) {
			memcpy(rows + r * to, f->rows + r * from, from * sizeof(*rows));
			rows[r * to + from] = NAN;
		}
		free(f->rows);
		f->rows = rows;
	}
	f->n_ds++;
	return 0;
}

/* The row for ts: the last one usually; a new one inserted in time order. */
static double *
row_for(struct store_file *f, double ts)
{
	size_t width = 1 + (size_t)f->n_ds;
	uint32_t at = f->n_rows;
	while (at > 0 && f->rows[(at - 1) * width] >= ts) {
		if (f->rows[(at - 1) * width] == ts)
			return f->rows + (at - 1) * width;
		at--;
	}
	if (f->n_rows == f->cap_rows) {
		uint32_t cap = f->cap_rows ? f->cap_rows * 2 : 4;
		double *rows = realloc(f->rows, (size_t)cap * width * sizeof(*rows));
		if (rows == NULL)
			return NULL;
		f->rows = rows;
		f->cap_rows = cap;
	}
	double *row = f->rows + (size_t)at * width;
	memmove(row + width, row, (size_t)(f->n_rows - at) * width * sizeof(*row));
	f->n_rows++;
	row[0] = ts;
	for (size_t i = 1; i < width; i++)
		row[i] = NAN;
	return row;
}

int
file_put(struct store_file *f, uint16_t ds, double ts, double value, uint64_t seq)
{
	if (ds >= f->n_ds)
		return -1;
	if (f->n_rows == 0)
		f->first_seq = seq;
	double *row = row_for(f, ts);
	if (row == NULL)
		return -1;
	row[1 + ds] = value;
	return 0;
}

size_t
file_drop_rows(struct store_file *f)
{
	/* Memory per file matters (100,000 files and more): keep no idle buffer. */
	size_t bytes = (size_t)f->cap_rows * (1 + (size_t)f->n_ds) * sizeof(*f->rows);
	free(f->rows);
	f->rows = NULL;
	f->n_rows = f->cap_rows = 0;
	return bytes;
}
