/*
 * readplan.c — the RRD writer's half of a read (fetch or graph): where the
 * series lives (file path and data source), with what still waits in memory
 * for that file written first, so the reader pool's librrd call (rrd.c)
 * sees every value taken so far. A brand-new file with a single waiting row
 * is answered from memory instead (see store_read_plan). RRD writer thread.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/store/store_internal.h"

/* Where a series is stored: its file and data source name; -1 if nowhere. */
static int
series_place(struct store *st, uint32_t id, uint32_t *file, char ds[20])
{
	if (id >= st->cap_tab || st->tab[id].file == 0)
		return -1;
	*file = st->tab[id].file;
	if (store_file_at(st, *file) == NULL)
		return -1;
	memcpy(ds, st->tab[id].name, sizeof(st->tab[id].name));
	return 0;
}

static void
waiting_points(const struct store_file *f, uint16_t ds, double from, double to,
    struct points *pt)
{
	size_t width = 1 + (size_t)f->n_ds;
	for (uint32_t r = 0; r < f->n_rows; r++) {
		const double *row = f->rows + r * width;
		if (row[0] <= from || row[0] > to || isnan(row[1 + ds]))
			continue;
		points_add(pt, (long long)row[0], row[1 + ds]);
	}
}

/* The longest span the configured RRAs keep, in seconds. */
static double
retention_span(const struct store *st)
{
	long long longest = 0;
	for (size_t i = 0; i < st->retention->n; i++) {
		long long res, span;
		if (retention_parse(st->retention->v[i], &res, &span) == 0 && span > longest)
			longest = span;
	}
	return (double)longest;
}

int
store_read_plan(struct store *st, uint32_t id, double from, double to,
    struct store_read_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	plan->id = id;
	plan->rrdcached = st->rrdcached;
	plan->kept = retention_span(st);
	uint32_t file = 0;
	if (series_place(st, id, &file, plan->ds) < 0)
		return 0;	/* known to the loop, not yet here, or text: nothing stored */
	if (store_file_waits(st, file)) {
		/*
		 * A new file with one row (a device's first poll, opened in the
		 * web UI at once): answered from memory, so that it is made later
		 * with every field the second poll brings.
		 */
		const struct store_file *f = store_file_at(st, file);
		struct points pt;
		size_t len;
		points_begin(&pt);
		waiting_points(f, st->tab[id].ds, from, to, &pt);
		plan->answer = points_end(&pt, &len);
		plan->answer_step = f->step;
		return plan->answer != NULL ? 0 : -1;
	}
	store_flush_file(st, file, 1);
	plan->path = rrdfile_path(st->data_dir, file);
	return plan->path != NULL ? 0 : -1;
}

void
store_read_plan_clear(struct store_read_plan *plan)
{
	free(plan->path);
	free(plan->answer);
	plan->path = plan->answer = NULL;
}
