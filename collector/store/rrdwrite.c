/*
 * rrdwrite.c — the RRD writer's side of its files: what a store_file (its
 * series, waiting rows, the configured retention) becomes as librrd calls
 * through rrd.c — the create arguments, data sources added later, and rows
 * formatted for one update per file. RRD writer thread only.
 */
#include "collector/store/store_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"

static unsigned
heartbeat(uint32_t step)
{
	return step * 3 < 120 ? 120 : step * 3;
}

/* The RRA arguments for a file with this step. */
static int
rrdfile_rra_args(const struct store *st, uint32_t step, char args[][64], int max)
{
	int n = 0;
	for (size_t i = 0; i < st->retention->n && n < max; i++) {
		long long res, span;
		if (retention_parse(st->retention->v[i], &res, &span) < 0)
			continue;
		long long pdp = res <= step ? 1 : (res + step / 2) / step;
		long long rows = span / (pdp * step);
		if (rows < 2)
			rows = 2;
		if (pdp == 1) {
			snprintf(args[n++], 64, "RRA:AVERAGE:0.5:1:%lld", rows);
			continue;
		}
		for (size_t c = 0; c < st->consolidation->n && n < max; c++)
			snprintf(args[n++], 64, "RRA:%s:0.5:%lld:%lld",
			    st->consolidation->v[c], pdp, rows);
	}
	return n;
}

int
store_file_create(struct store *st, uint32_t id, const struct store_file *f, double start)
{
	char *path = rrdfile_path(st->data_dir, id);
	if (path == NULL)
		return -1;
	enum { RRA_MAX = 32 };
	char rra[RRA_MAX][64];
	int n_rra = rrdfile_rra_args(st, f->step, rra, RRA_MAX);
	size_t argc = (size_t)f->n_ds + (size_t)n_rra;
	const char **argv = calloc(argc, sizeof(*argv));
	char (*ds)[64] = calloc(f->n_ds ? f->n_ds : 1, sizeof(*ds));
	int rc = -1;
	if (argv == NULL || ds == NULL)
		goto out;
	uint16_t n_ds = 0;
	for (uint32_t sid = f->first; sid != 0 && n_ds < f->n_ds; sid = st->tab[sid].next) {
		snprintf(ds[n_ds], 64, "DS:%s:GAUGE:%u:U:U", st->tab[sid].name, heartbeat(f->step));
		argv[n_ds] = ds[n_ds];
		n_ds++;
	}
	if (n_ds != f->n_ds)
		goto out;
	for (int i = 0; i < n_rra; i++)
		argv[f->n_ds + i] = rra[i];
	rc = rrdfile_create(path, st->rrdcached, f->step, start, argv, argc);
out:
	free(argv);
	free(ds);
	free(path);
	return rc;
}

/* Add to the file the data sources of series that came after it was made
 * (rare: librrd copies the file). */
int
store_file_sync_ds(struct store *st, uint32_t id, struct store_file *f)
{
	char *path = rrdfile_path(st->data_dir, id);
	const char **names = calloc(f->n_ds ? f->n_ds : 1, sizeof(*names));
	unsigned char *missing = calloc(f->n_ds ? f->n_ds : 1, 1);
	int rc = -1;
	if (path == NULL || names == NULL || missing == NULL)
		goto out;
	size_t n = 0;
	for (uint32_t sid = f->first; sid != 0 && n < f->n_ds; sid = st->tab[sid].next)
		names[n++] = st->tab[sid].name;
	if (rrdfile_missing_ds(path, st->rrdcached, names, n, missing) < 0)
		goto out;
	rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char def[64];
		if (!missing[i])
			continue;
		snprintf(def, sizeof(def), "DS:%s:GAUGE:%u:U:U", names[i], heartbeat(f->step));
		rc = rrdfile_add_ds(path, def);
	}
	if (rc == 0)
		f->n_ds_disk = f->n_ds;
out:
	free(missing);
	free(names);
	free(path);
	return rc;
}

/* Every waiting row of the file in one update; counted in the metrics. */
int
store_file_write_rows(struct store *st, uint32_t id, const struct store_file *f)
{
	char *path = rrdfile_path(st->data_dir, id);
	if (path == NULL)
		return -1;
	size_t width = 1 + (size_t)f->n_ds;
	size_t line = 24 + (size_t)f->n_ds * 26;	/* "ts" + ":value" each */
	size_t tcap = (size_t)f->n_ds * 20 + 1;		/* the template: "name:…" */
	char *text = malloc((size_t)f->n_rows * line + tcap);
	const char **argv = malloc((size_t)f->n_rows * sizeof(*argv));
	int rc = -1;
	if (text == NULL || argv == NULL)
		goto out;
	char *template = text + (size_t)f->n_rows * line;
	if (file_template(f, st->tab, template, tcap) == 0)
		goto out;
	uint64_t values = 0;
	for (uint32_t r = 0; r < f->n_rows; r++) {
		char *out = text + (size_t)r * line;
		const double *row = f->rows + r * width;
		rrdfile_format_row(out, line, row[0], row + 1, f->n_ds);
		argv[r] = out;
		for (size_t i = 1; i < width; i++)
			values += !isnan(row[i]);
	}
	double t0 = util_monotonic();
	rc = rrdfile_update(path, st->rrdcached, template, (int)f->n_rows, argv);
	uint64_t usec = (uint64_t)((util_monotonic() - t0) * 1e6);
	__atomic_add_fetch(&st->metrics->rrd_update_usec_total, usec, __ATOMIC_RELAXED);
	__atomic_add_fetch(&st->metrics->rrd_updates, values, __ATOMIC_RELAXED);
	__atomic_add_fetch(&st->metrics->rrd_update_calls, 1, __ATOMIC_RELAXED);
	if (rc != 0)
		__atomic_add_fetch(&st->metrics->rrd_update_errors, 1, __ATOMIC_RELAXED);
out:
	free(text);
	free(argv);
	free(path);
	return rc;
}

