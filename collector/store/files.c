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

void
file_init(struct store_file *f, uint32_t step)
{
	memset(f, 0, sizeof(*f));
	f->step = step ? step : 10;
}

int
file_has_ds(const struct store_file *f, const struct store_series *tab, const char *name)
{
	for (uint32_t id = f->first; id != 0; id = tab[id].next)
		if (strcmp(tab[id].name, name) == 0)
			return 1;
	return 0;
}

void
file_ds_name(const struct store_file *f, const struct store_series *tab, const char *field,
    size_t len, char out[20])
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
	if (ok && !file_has_ds(f, tab, out))
		return;
	/* Otherwise its position, which no other data source of the file has. */
	for (unsigned i = f->n_ds;; i++) {
		snprintf(out, 20, "ds%u", i);
		if (!file_has_ds(f, tab, out))
			return;
	}
}

size_t
file_template(const struct store_file *f, const struct store_series *tab, char *out,
    size_t cap)
{
	size_t at = 0;
	for (uint32_t id = f->first; id != 0; id = tab[id].next) {
		size_t n = strlen(tab[id].name);
		if (at + n + 2 > cap)
			return 0;
		if (at > 0)
			out[at++] = ':';
		memcpy(out + at, tab[id].name, n);
		at += n;
	}
	if (cap > 0)
		out[at] = '\0';
	return at;
}

int
file_add_ds(struct store_file *f, struct store_series *tab, uint32_t id, const char *name)
{
	if (f->n_ds == UINT16_MAX || strlen(name) > DS_NAME_MAX)
		return -1;
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
	struct store_series *s = &tab[id];
	strcpy(s->name, name);
	s->ds = f->n_ds++;
	s->next = 0;
	if (f->last != 0)
		tab[f->last].next = id;
	else
		f->first = id;
	f->last = id;
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
