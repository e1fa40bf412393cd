/*
 * load.c — the series catalogue loaded at start on the running loop.
 *
 * The rows come from the state database in slices of about 20 ms; between
 * slices the loop serves HTTP, where /api/v1/health says "starting" and
 * every other route 503 (http/router.c). Each row goes to the catalogue (loop
 * side) and to the store's tables (its thread starts afterwards). Last
 * values are merged from DATA/last-values (lastvals.c) in one pass, both
 * being in id order; without that file each series' RRD file is read.
 */
#include "collector/collector.h"
#include "collector/ingest/ingest.h"
#include "collector/store/store.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"

#define LOAD_SLICE 0.02		/* seconds of loading between two turns of the loop */

struct loader {
	struct collector *c;
	struct statedb_cursor *cur;
	struct lastval *snap;		/* from a clean stop, or NULL */
	size_t n_snap, at_snap;
	struct store_last_reader *rrd;	/* else: the RRD files */
	struct event *ev;
	void (*done)(struct collector *c);
	double t0;
	size_t rows;
};

static void
load_row(struct loader *ld, const struct series_row *row)
{
	struct series *s = series_add(ld->c->series, row->id, row->key, row->keylen, row->host,
	    row->step, (enum series_kind)row->kind);
	if (s == NULL)
		return;
	store_load_row(ld->c->store, row);
	ld->rows++;
	if (row->kind == SERIES_TEXT) {
		if (row->text != NULL)
			series_set_text(ld->c->series, s, strdup(row->text));
		return;
	}
	if (ld->snap != NULL) {
		while (ld->at_snap < ld->n_snap && ld->snap[ld->at_snap].id < row->id)
			ld->at_snap++;
		if (ld->at_snap < ld->n_snap && ld->snap[ld->at_snap].id == row->id) {
			s->last_ts = ld->snap[ld->at_snap].ts;
			s->last = ld->snap[ld->at_snap].value;
		}
	} else if (ld->rrd != NULL) {
		store_last_update(ld->rrd, row->file, row->ds, &s->last_ts, &s->last);
	}
	s->accepted_ts = s->last_ts;	/* nothing is in flight at start */
}

static void
load_finish(struct loader *ld)
{
	struct collector *c = ld->c;
	log_info("catalogue: %zu series loaded in %.2fs (last values from %s)",
	    series_count(c->series), util_monotonic() - ld->t0,
	    ld->snap ? "the clean stop's snapshot" : "the RRD files");
	/* new samples will come: a crash from now on must not find old values */
	if (ld->snap != NULL)
		lastvals_remove(c->cfg.data_dir);
	void (*done)(struct collector *) = ld->done;
	load_abort(c);
	done(c);
}

static void
load_slice(evutil_socket_t fd, short what, void *arg)
{
	struct loader *ld = arg;
	(void)fd;
	(void)what;
	double until = util_monotonic() + LOAD_SLICE;
	struct series_row row;
	for (unsigned i = 1;; i++) {
		int rc = statedb_series_next(ld->cur, &row);
		if (rc < 0)	/* startup: a partial catalogue would lose series */
			fatalx("cannot load the series catalogue (see the message above)");
		if (rc == 0) {
			load_finish(ld);
			return;
		}
		load_row(ld, &row);
		if ((i & 1023) == 0 && util_monotonic() > until)
			break;
	}
	static const struct timeval now = { 0, 0 };
	evtimer_add(ld->ev, &now);	/* the loop serves what waits, then the next slice */
}

int
load_begin(struct collector *c, void (*done)(struct collector *c))
{
	struct loader *ld = calloc(1, sizeof(*ld));
	if (ld == NULL)
		return -1;
	ld->c = c;
	ld->done = done;
	ld->t0 = util_monotonic();
	ld->cur = statedb_series_cursor(c->db);
	ld->ev = evtimer_new(c->base, load_slice, ld);
	if (ld->cur == NULL || ld->ev == NULL) {
		statedb_cursor_free(ld->cur);
		if (ld->ev != NULL)
			event_free(ld->ev);
		free(ld);
		return -1;
	}
	series_catalog_reserve(c->series, statedb_series_max_id(c->db));	/* no regrowing */
	ld->snap = lastvals_read(c->cfg.data_dir, &ld->n_snap);
	if (ld->snap == NULL)
		ld->rrd = store_last_reader_new(c->cfg.data_dir);
	c->loader = ld;
	c->starting = 1;
	static const struct timeval now = { 0, 0 };
	evtimer_add(ld->ev, &now);
	return 0;
}

void
load_abort(struct collector *c)
{
	struct loader *ld = c->loader;
	if (ld == NULL)
		return;
	event_free(ld->ev);
	statedb_cursor_free(ld->cur);
	store_last_reader_free(ld->rrd);
	free(ld->snap);
	free(ld);
	c->loader = NULL;
}
