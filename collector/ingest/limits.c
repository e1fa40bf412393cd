/*
 * limits.c — the collector's global write limits in one place: series in
 * the catalogue, free space kept on the data folder's filesystem, the
 * size of a string value, the smallest RRD step per kind of writer; and
 * every ingest limit with its current use for /metrics. Loop thread.
 *
 * The per-line checks (series, strings) are made by ingest.c where it
 * checks a line; this file says what the limits are and how full they are.
 */
#include "collector/collector.h"
#include "collector/ingest/ingest.h"
#include "collector/auth/auth.h"
#include "collector/store/store.h"

#include <event2/buffer.h>
#include <math.h>
#include <string.h>
#include <sys/statvfs.h>

#define DISK_RECHECK 1.0	/* seconds a statvfs answer is reused */

long long
limits_disk_free(struct collector *c, double now)
{
	if (now - c->disk_checked >= DISK_RECHECK || now < c->disk_checked) {
		struct statvfs sv;
		c->disk_checked = now;
		/* f_bavail: what the (unprivileged) service user may still use. */
		c->disk_free = statvfs(c->cfg.data_dir, &sv) == 0 ?
		    (long long)sv.f_bavail * (long long)sv.f_frsize : -1;
	}
	return c->disk_free;
}

uint32_t
limits_step(struct collector *c, const struct auth_identity *who, uint32_t step)
{
	long long min = strcmp(who->role, "agent") == 0 ? c->cfg.min_interval_agent :
	    c->cfg.min_interval;
	if ((long long)step >= min)
		return step;
	c->metrics.intervals_raised++;
	return (uint32_t)min;
}

struct limit_fig {
	const char *key;		/* the config key that sets it */
	double limit;
	double use;			/* NaN: nothing to measure against */
};

void
limits_metrics(struct collector *c, struct evbuffer *out, double now)
{
	const struct collector_config *cfg = &c->cfg;
	const struct limit_fig figs[] = {
		{ "limits.max_series", (double)cfg->max_series,
		    (double)series_count(c->series) },
		{ "ingest.max_series_per_host", (double)cfg->max_series_per_host,
		    (double)series_host_max(c->series) },
		{ "limits.max_string_bytes", (double)cfg->max_string_bytes,
		    (double)c->text_longest },
		{ "storage.min_free", (double)cfg->min_free,
		    (double)limits_disk_free(c, now) },
		{ "storage.queue_max", (double)cfg->queue_max,
		    (double)store_queue_depth(c->store) },
		{ "ingest.max_body", (double)cfg->max_body, NAN },
		{ "ingest.max_line_length", (double)cfg->max_line, NAN },
		{ "ingest.max_lines", (double)cfg->max_lines, NAN },
		{ "ingest.max_future", (double)cfg->max_future, NAN },
		{ "ingest.max_future_unbound", (double)cfg->max_future_unbound, NAN },
		{ "limits.min_interval", (double)cfg->min_interval, NAN },
		{ "limits.min_interval_agent", (double)cfg->min_interval_agent, NAN },
	};
	size_t n = sizeof(figs) / sizeof(figs[0]);
	evbuffer_add_printf(out, "# HELP campusmon_limit A configured limit, by its config "
	    "key (bytes, seconds or counts).\n# TYPE campusmon_limit gauge\n");
	for (size_t i = 0; i < n; i++)
		evbuffer_add_printf(out, "campusmon_limit{limit=\"%s\"} %.17g\n", figs[i].key,
		    figs[i].limit);
	evbuffer_add_printf(out, "# HELP campusmon_limit_use Where a limit stands now: series, "
	    "the largest host's series, the longest string value taken since start, bytes free "
	    "for storage.min_free (-1: unknown), samples queued.\n"
	    "# TYPE campusmon_limit_use gauge\n");
	for (size_t i = 0; i < n; i++)
		if (!isnan(figs[i].use))
			evbuffer_add_printf(out, "campusmon_limit_use{limit=\"%s\"} %.17g\n",
			    figs[i].key, figs[i].use);
	evbuffer_add_printf(out, "# HELP campusmon_text_values_bytes Last values of string "
	    "series held in memory.\n# TYPE campusmon_text_values_bytes gauge\n"
	    "campusmon_text_values_bytes %zu\n", series_text_bytes(c->series));
	evbuffer_add_printf(out, "# HELP campusmon_write_requests_no_space_total Write requests "
	    "answered 507 (free space below storage.min_free).\n"
	    "# TYPE campusmon_write_requests_no_space_total counter\n"
	    "campusmon_write_requests_no_space_total %llu\n",
	    (unsigned long long)c->metrics.requests_refused_space);
	evbuffer_add_printf(out, "# HELP campusmon_write_intervals_raised_total Write requests "
	    "whose interval was raised to limits.min_interval(_agent).\n"
	    "# TYPE campusmon_write_intervals_raised_total counter\n"
	    "campusmon_write_intervals_raised_total %llu\n",
	    (unsigned long long)c->metrics.intervals_raised);
}
