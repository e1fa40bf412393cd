/* api/status.c — /api/v1/health (no auth) and /metrics (Prometheus text). */
#include "config.h"
#include "collector/collector.h"
#include "collector/http/http.h"
#include "collector/auth/auth.h"
#include "collector/ingest/ingest.h"
#include "collector/store/store.h"
#include "collector/api/api.h"
#include "collector/events/events.h"
#include "collector/notify/notify.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/resource.h>

#include "collector/snmp/snmp.h"
#include "common/util.h"

static void
api_health(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)who;
	(void)params;
	/* 503 "starting" while the catalogue loads (load.c), so a balancer waits */
	if (c->starting)
		evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "1");
	http_reply_json(req, c->starting ? 503 : 200, json_pack("{s:s, s:s, s:f, s:I, s:I}",
	    "status", c->starting ? "starting" : "ok",
	    "version", PACKAGE_VERSION, "uptime", util_now() - c->started,
	    "series", (json_int_t)series_count(c->series),
	    "queue", (json_int_t)store_queue_depth(c->store)));
}

/* InfluxDB's health check: clients (Telegraf, influxdb-client-*, node-influx)
 * call GET or HEAD /ping before writing and want 204 with a version header. */
static void
api_ping(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)c;
	(void)who;
	(void)params;
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "X-Influxdb-Version", "campusmon-" PACKAGE_VERSION);
	evhttp_add_header(h, "X-Influxdb-Build", "campusmon");
	http_reply_json(req, 204, NULL);
}

/* Telegraf's influxdb output and InfluxDB 1.x clients send "CREATE DATABASE x"
 * to /query before writing. There is nothing to create here: say it worked, so
 * they write without an error at start. Other InfluxQL is refused in words. */
static void
api_influx_query(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)c;
	(void)who;
	(void)params;
	char *q = http_query_param(req, "q");
	const char *p = q ? q : "";
	while (*p == ' ' || *p == '\t')
		p++;
	int create = strncasecmp(p, "CREATE DATABASE", 15) == 0;
	free(q);
	if (!create) {
		http_reply_error(req, 400, "campusmon runs no InfluxQL but CREATE DATABASE "
		    "(accepted, nothing to do); query with GET /api/v1/query");
		return;
	}
	http_reply_json(req, 200, json_pack("{s:[{s:i}]}", "results", "statement_id", 0));
}

static void
metric(struct evbuffer *out, const char *name, const char *type, const char *help,
    double value)
{
	evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n%s %.17g\n", name, help, name,
	    type, name, value);
}

#define LOAD(f) ((double)__atomic_load_n(&m->f, __ATOMIC_RELAXED))

static void
api_metrics(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)who;
	(void)params;
	const struct collector_metrics *m = &c->metrics;
	struct evbuffer *out = evbuffer_new();
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	metric(out, "campusmon_samples_accepted_total", "counter",
	    "Samples acknowledged to writers (durable).", LOAD(samples_accepted));
	metric(out, "campusmon_samples_rejected_total", "counter",
	    "Samples refused after parsing (journal failure).", LOAD(samples_rejected));
	metric(out, "campusmon_samples_out_of_order_total", "counter",
	    "Samples older than their series' last update, not storable in RRD.",
	    LOAD(samples_out_of_order));
	metric(out, "campusmon_samples_resent_total", "counter",
	    "Samples at exactly their series' last time (a resend), ignored.",
	    LOAD(samples_resent));
	metric(out, "campusmon_samples_replayed_total", "counter",
	    "Samples replayed from the journal at start.", LOAD(samples_replayed));
	metric(out, "campusmon_lines_rejected_total", "counter",
	    "Lines of line protocol refused (syntax, limits, clock).", LOAD(lines_rejected));
	metric(out, "campusmon_write_requests_total", "counter", "Write requests.",
	    LOAD(requests_write));
	metric(out, "campusmon_write_requests_busy_total", "counter",
	    "Write requests answered 503 because the queue was full.",
	    LOAD(requests_refused_busy));
	metric(out, "campusmon_series_created_total", "counter", "Series created.",
	    LOAD(series_created));
	metric(out, "campusmon_series", "gauge", "Series in the catalogue (open series).",
	    (double)series_count(c->series));
	metric(out, "campusmon_write_queue_depth", "gauge",
	    "Samples durable in the journal and waiting for RRD.",
	    (double)store_queue_depth(c->store));
	size_t lane_state, lane_read, lane_rrd;
	store_lane_depths(c->store, &lane_state, &lane_read, &lane_rrd);
	evbuffer_add_printf(out, "# HELP campusmon_store_jobs_waiting Blocking jobs waiting, by "
	    "the store thread that runs them (each answers 503 past %d).\n"
	    "# TYPE campusmon_store_jobs_waiting gauge\n"
	    "campusmon_store_jobs_waiting{lane=\"state\"} %zu\n"
	    "campusmon_store_jobs_waiting{lane=\"read\"} %zu\n"
	    "campusmon_store_jobs_waiting{lane=\"rrd\"} %zu\n", STORE_JOBS_MAX, lane_state,
	    lane_read, lane_rrd);
	metric(out, "campusmon_rrd_values_written_total", "counter",
	    "Values written to RRD files.", LOAD(rrd_updates));
	metric(out, "campusmon_rrd_updates_total", "counter",
	    "RRD update calls (a file's waiting rows, all its series at once).",
	    LOAD(rrd_update_calls));
	metric(out, "campusmon_rrd_update_errors_total", "counter", "Failed RRD updates.",
	    LOAD(rrd_update_errors));
	metric(out, "campusmon_rrd_files_damaged_total", "counter",
	    "Unreadable RRD files moved aside (NAME.rrd.damaged-TIME) and made anew.",
	    LOAD(rrd_files_damaged));
	metric(out, "campusmon_rrd_update_seconds_total", "counter",
	    "Time spent in RRD updates.", LOAD(rrd_update_usec_total) / 1e6);
	metric(out, "campusmon_journal_fsyncs_total", "counter", "Journal group commits.",
	    LOAD(journal_fsyncs));
	metric(out, "campusmon_journal_bytes_total", "counter", "Bytes written to the journal.",
	    LOAD(journal_bytes));
	metric(out, "campusmon_snmp_polls_total", "counter", "SNMP polls completed.",
	    (double)m->snmp_polls);
	metric(out, "campusmon_snmp_polls_failed_total", "counter",
	    "SNMP polls that found the device down or unreachable.", (double)m->snmp_polls_failed);
	metric(out, "campusmon_snmp_requests_total", "counter", "SNMP requests sent.",
	    (double)m->snmp_requests);
	metric(out, "campusmon_snmp_timeouts_total", "counter", "SNMP requests timed out.",
	    (double)m->snmp_timeouts);
	metric(out, "campusmon_snmp_values_total", "counter", "Values received by SNMP polls.",
	    (double)m->snmp_values);
	metric(out, "campusmon_snmp_poll_seconds_total", "counter",
	    "Wall time of SNMP polls, summed.", m->snmp_poll_seconds);
	metric(out, "campusmon_snmp_devices", "gauge", "Devices scheduled for polling.",
	    c->poller ? (double)sp_poller_count(c->poller) : 0);
	metric(out, "campusmon_http_connections", "gauge", "HTTP connections open.",
	    (double)http_conns_open(c->conns));
	metric(out, "campusmon_http_max_connections", "gauge",
	    "HTTP connections allowed at once (http.max_connections).",
	    (double)http_conns_cap(c->conns));
	limits_metrics(c, out, util_now());
	events_metrics(c, out);
	metric(out, "campusmon_cpu_seconds_total", "counter", "CPU time of the collector.",
	    (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
	metric(out, "campusmon_max_rss_bytes", "gauge", "Peak resident memory.",
	    (double)ru.ru_maxrss * 1024);
	metric(out, "campusmon_counters_tracked", "gauge",
	    "Counter series whose last reading is kept to make rates (ingest.counters).",
	    c->counters ? (double)counters_tracked(c->counters) : 0);
	evbuffer_add_printf(out, "# HELP campusmon_build_info The collector's version.\n"
	    "# TYPE campusmon_build_info gauge\ncampusmon_build_info{version=\"");
	prom_label_value(out, PACKAGE_VERSION);
	evbuffer_add_printf(out, "\"} 1\n");
	prom_process_metrics(out, c->started);
	if (c->devices != NULL && c->series != NULL)
		prom_inventory_metrics(c, out);
	notify_metrics(c, out);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
	    "text/plain; version=0.0.4; charset=utf-8");
	evhttp_send_reply(req, 200, "OK", out);
	evbuffer_free(out);
}

const struct route api_status_routes[] = {
	{ EVHTTP_REQ_GET, "/api/v1/health", 0, api_health },
	{ EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/ping", 0, api_ping },	/* InfluxDB clients */
	{ EVHTTP_REQ_POST, "/query", PERM_WRITE, api_influx_query },	/* Telegraf's CREATE DATABASE */
	{ EVHTTP_REQ_GET, "/metrics", PERM_METRICS, api_metrics },
	ROUTES_END
};
