/*
 * reports.c — the reports subsystem: reads the asset register at start
 * (store thread), keeps it in memory for the reports, and records the day's
 * coverage figures every hour (the last of a day stays) for the trend.
 */
#include <event2/event.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/collector.h"
#include "collector/store/store.h"
#include "collector/reports/reports.h"
#include "common/log.h"
#include "common/util.h"

#define SNAPSHOT_EVERY 3600	/* seconds */

void
reports_set_assets(struct collector *c, struct asset_list *l)
{
	asset_list_clear(&c->reports->assets);
	c->reports->assets = *l;
	memset(l, 0, sizeof(*l));
}

/* ---- the daily snapshot ---------------------------------------------------------- */

struct snap {
	char day[16];
	double ts;
	long long inv, mon;
	double percent;
	char *by_kind;
};

static void
snap_run(struct store *st, void *arg)
{
	struct snap *s = arg;
	if (coverage_history_put(store_db(st), s->day, s->ts, s->inv, s->mon, s->percent,
	    s->by_kind) < 0)
		log_warnx("reports: cannot record the coverage of %s", s->day);
}

static void
snap_done(void *arg)
{
	struct snap *s = arg;
	free(s->by_kind);
	free(s);
}

void
reports_snapshot(struct collector *c)
{
	struct snap *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return;
	s->ts = util_now();
	time_t t = (time_t)s->ts;
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(s->day, sizeof(s->day), "%Y-%m-%d", &tm);
	json_t *r = coverage_build(c, s->ts, NULL);
	json_t *o = json_object_get(r, "overall");
	s->inv = json_integer_value(json_object_get(o, "inventoried"));
	s->mon = json_integer_value(json_object_get(o, "monitored"));
	json_t *p = json_object_get(o, "percent");
	s->percent = json_is_number(p) ? json_number_value(p) : NAN;
	s->by_kind = json_dumps(json_object_get(r, "by_kind"), JSON_COMPACT);
	json_decref(r);
	snprintf(c->reports->last_day, sizeof(c->reports->last_day), "%s", s->day);
	if (store_call(c->store, snap_run, snap_done, s) < 0)
		snap_done(s);
}

static void
discard(void *arg, json_t *report)
{
	(void)arg;
	json_decref(report);
}

/* Every hour: today's coverage figures, and the servers' 30-day headroom
 * read again so that a compliance report rarely waits for it. */
static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct collector *c = arg;
	(void)fd;
	(void)what;
	reports_snapshot(c);
	if (compliance_start(c, reports_level_name(c->cfg.school_level), 1, discard, NULL) < 0)
		log_warnx("reports: the store is busy; server headroom is read on the next report");
}

/* ---- lifecycle ----------------------------------------------------------------- */

struct load_job {
	struct collector *c;
	struct asset_list l;
	int rc;
};

static void
load_run(struct store *st, void *arg)
{
	struct load_job *j = arg;
	j->rc = assetdb_load(store_db(st), &j->l);
}

static void
load_done(void *arg)
{
	struct load_job *j = arg;
	struct collector *c = j->c;
	if (j->rc < 0)
		log_warnx("reports: cannot read the asset register");
	if (c->reports != NULL) {
		reports_set_assets(c, &j->l);
		c->reports->loaded = 1;
		reports_snapshot(c);	/* today has a figure from the start */
		/* and the servers' headroom is read once in the background */
		if (compliance_start(c, reports_level_name(c->cfg.school_level), 1, discard,
		    NULL) < 0)
			log_warnx("reports: the store is busy; server headroom is read on the next "
			    "report");
	}
	asset_list_clear(&j->l);
	free(j);
}

static int
reports_start(struct collector *c)
{
	if ((c->reports = calloc(1, sizeof(*c->reports))) == NULL)
		return -1;
	struct load_job *j = calloc(1, sizeof(*j));
	if (j == NULL)
		return -1;
	j->c = c;
	if (store_call(c->store, load_run, load_done, j) < 0) {
		free(j);
		log_warnx("reports: cannot queue the asset register's load");
		return -1;
	}
	struct timeval tv = { SNAPSHOT_EVERY, 0 };
	c->reports->daily = event_new(c->base, -1, EV_PERSIST, on_timer, c);
	if (c->reports->daily == NULL || event_add(c->reports->daily, &tv) < 0)
		return -1;
	return 0;
}

static void
reports_stop(struct collector *c)
{
	if (c->reports != NULL && c->reports->daily != NULL) {
		event_free(c->reports->daily);
		c->reports->daily = NULL;
	}
}

static void
reports_release(struct collector *c)
{
	if (c->reports == NULL)
		return;
	asset_list_clear(&c->reports->assets);
	compliance_cache_free(c->reports);
	free(c->reports);
	c->reports = NULL;
}

const struct subsystem reports_subsystem = {
	.name = "reports",
	.start = reports_start,
	.stop = reports_stop,
	.release = reports_release,
};
