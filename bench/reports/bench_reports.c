/*
 * bench_reports.c — how long the coverage and compliance reports take for a
 * large campus: 2,000 devices (1,600 switches with 62 ports each, ~100,000
 * interfaces; 200 servers, 100 UPS, 100 room sensors), 2,000 assets (1,500
 * of them matching a device by serial, MAC-less, the rest unmatched), a
 * topology graph linking every switch to a core, and 100,000 interface
 * series plus CPU and memory series for every server in the catalogue.
 *
 * It runs the collector's own code (libcollector): coverage_build on the
 * loop, and compliance_start with a real store thread and SQLite state
 * database. Each server's three series get an RRD file of their own with
 * 30 days of hourly values (written here with librrd), so the headroom's
 * 600 reads of 30 days are real reads of real files.
 * Usage: bench_reports [ROUNDS]   (prints Markdown table rows)
 */
#include <event2/event.h>
#include <event2/thread.h>
#include <jansson.h>
#include <math.h>
#include <rrd.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collector/collector.h"
#include "collector/ingest/ingest.h"
#include "collector/inventory/inventory.h"
#include "collector/snmp/snmp.h"
#include "collector/store/store.h"
#include "collector/reports/reports.h"
#include "common/util.h"

#define N_SWITCH 1600
#define N_SERVER 200
#define N_UPS 100
#define N_SENSOR 100
#define PORTS 62
#define N_ASSETS 2000

static json_t *graph;

static json_t *
topology_graph(void *arg)
{
	(void)arg;
	return json_incref(graph);
}

static struct device *
make_device(int i, const char *kind)
{
	struct device *d = device_new_default();
	char buf[64];
	d->id = i + 1;
	snprintf(buf, sizeof(buf), "%s-%04d", kind, i);
	d->name = strdup(buf);
	snprintf(buf, sizeof(buf), "10.%d.%d.%d", 10 + i / 65536, (i / 256) % 256, i % 256);
	d->address = strdup(buf);
	free(d->kind);
	d->kind = strdup(kind);
	snprintf(buf, sizeof(buf), "SN%06d", i);
	d->serial = strdup(buf);
	snprintf(buf, sizeof(buf), "room-%d", i % 50);
	d->room = strdup(buf);
	d->building = strdup("B1");
	d->last_seen = util_now() - (i % 10 == 0 ? 3600 : 10);	/* one in ten stale */
	struct sp_iface ifs[PORTS];
	struct sp_sensor sens[1];
	char names[PORTS][16];
	struct sp_result r = { 0 };
	if (strcmp(kind, "switch") == 0) {
		for (int p = 0; p < PORTS; p++) {
			snprintf(names[p], sizeof(names[p]), "Gi0/%d", p + 1);
			ifs[p] = (struct sp_iface){ .index = (unsigned long)p + 1, .name = names[p],
				.descr = names[p], .alias = "", .speed_bps = p < 2 ? 10000000000ULL :
				p % 7 == 0 ? 10000000ULL : 1000000000ULL, .admin_status = "up",
				.oper_status = p % 3 ? "up" : "down", .in_bps = NAN, .out_bps = NAN,
				.in_errors_ps = NAN, .out_errors_ps = NAN, .in_discards_ps = NAN,
				.out_discards_ps = NAN };
		}
		r.ifaces = ifs;
		r.n_ifaces = PORTS;
	} else if (strcmp(kind, "ups") == 0) {
		sens[0] = (struct sp_sensor){ .name = "Runtime remaining", .type = "runtime", .unit = "min",
			.state = "normal", .value = 300 + i % 400, .index = "", .profile = "ups-mib" };
		r.sensors = sens;
		r.n_sensors = 1;
	}
	d->live = device_live_from_result(&r);
	return d;
}

static uint32_t
add_series(struct series_catalog *cat, const char *key, const char *host)
{
	struct series *s = series_add(cat, 0, key, strlen(key), host, 60, 0);
	if (s != NULL) {
		s->last_ts = util_now() - 30;
		s->last = 1;
	}
	return s ? s->id : 0;
}

/* An RRD file for series id, as the store names it, with 30 days of hourly
 * values (data source "value"), and the store told where it is. */
#define RRD_HOURS (30 * 24)
static int
rrd_for(struct store *st, const char *dir, uint32_t id, double base)
{
	char rel[64], path[256], sub[256];
	store_rrd_relpath(id, rel, sizeof(rel));
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	snprintf(sub, sizeof(sub), "%s/rrd", dir);
	mkdir(sub, 0700);
	snprintf(sub, sizeof(sub), "%s/rrd/%02x", dir, (unsigned)(id & 0xff));
	mkdir(sub, 0700);
	time_t now = time(NULL) / 3600 * 3600, start = now - RRD_HOURS * 3600;
	const char *def[] = { "DS:value:GAUGE:7200:U:U", "RRA:AVERAGE:0.5:1:800" };
	rrd_clear_error();
	if (rrd_create_r(path, 3600, start - 3600, 2, def) != 0)
		return -1;
	static char vals[RRD_HOURS][48];
	const char *argv[RRD_HOURS];
	for (int h = 0; h < RRD_HOURS; h++) {
		snprintf(vals[h], sizeof(vals[h]), "%lld:%.1f", (long long)(start + h * 3600),
		    base + 20 * sin(h / 12.0) + (h % 7));
		argv[h] = vals[h];
	}
	if (rrd_update_r(path, NULL, RRD_HOURS, argv) != 0)
		return -1;
	struct series_row row = { .id = id, .key = "", .host = "", .step = 3600, .kind = 0,
		.file = id, .ds = "value" };
	store_load_row(st, &row);
	return 0;
}

static double
ms_since(struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static int pending;
static size_t headroom_evidence;	/* of the last compliance report */

static void
compliance_done(void *arg, json_t *report)
{
	(void)arg;
	json_t *hr = json_array_get(json_object_get(report, "indicators"), 3);
	headroom_evidence = json_array_size(json_object_get(hr, "evidence"));
	json_decref(report);
	pending = 0;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 20;
	static struct collector c;
	struct cfg_errors errs = { 0 };
	char dir[] = "/tmp/cm-bench-reports-XXXXXX";
	if (rounds < 1 || collector_config_load(&c.cfg, NULL, &errs) < 0 || mkdtemp(dir) == NULL)
		return 2;
	c.cfg.data_dir = strdup(dir);
	evthread_use_pthreads();	/* the store thread wakes the loop */
	c.base = event_base_new();
	c.devices = device_table_new();
	c.series = series_catalog_new();
	c.reports = calloc(1, sizeof(*c.reports));
	graph = json_pack("{s:[], s:[]}", "nodes", "links");
	json_array_append_new(json_object_get(graph, "nodes"), json_pack("{s:i, s:s, s:b}", "id", 0,
	    "name", "core", "managed", 1));

	int id = 0;
	char key[256];
	static uint32_t server_ids[N_SERVER * 3];
	size_t n_server_ids = 0;
	static const struct {
		const char *kind;
		int n;
	} mix[] = { { "switch", N_SWITCH }, { "server", N_SERVER }, { "ups", N_UPS },
		{ "sensor", N_SENSOR } };
	for (size_t m = 0; m < sizeof(mix) / sizeof(mix[0]); m++)
		for (int i = 0; i < mix[m].n; i++, id++) {
			struct device *d = make_device(id, mix[m].kind);
			device_insert(c.devices, d);
			if (strcmp(mix[m].kind, "switch") == 0) {
				json_array_append_new(json_object_get(graph, "nodes"), json_pack(
				    "{s:i, s:s, s:b}", "id", id + 1, "name", d->name, "managed", 1));
				json_array_append_new(json_object_get(graph, "links"), json_pack(
				    "{s:i, s:s, s:i, s:s, s:I}", "a", 0, "a_port", "Te1/1", "b", id + 1,
				    "b_port", "Gi0/1", "speed_bps", (json_int_t)10000000000LL));
				for (int p = 0; p < PORTS; p++) {
					snprintf(key, sizeof(key), "interface,host=%s,ifName=Gi0/%d in_bps",
					    d->name, p + 1);
					add_series(c.series, key, d->name);
				}
			} else if (strcmp(mix[m].kind, "server") == 0) {
				snprintf(key, sizeof(key), "cpu,cpu=cpu-total,host=%s usage_percent", d->name);
				server_ids[n_server_ids++] = add_series(c.series, key, d->name);
				snprintf(key, sizeof(key), "mem,host=%s used", d->name);
				server_ids[n_server_ids++] = add_series(c.series, key, d->name);
				snprintf(key, sizeof(key), "mem,host=%s total", d->name);
				server_ids[n_server_ids++] = add_series(c.series, key, d->name);
			}
		}
	for (int i = 0; i < N_ASSETS; i++) {
		char tag[32], serial[32], name[32], addr[32];
		snprintf(tag, sizeof(tag), "A%05d", i);
		snprintf(serial, sizeof(serial), i < 1500 ? "SN%06d" : "X%06d", i);
		snprintf(name, sizeof(name), "asset-%d", i);
		snprintf(addr, sizeof(addr), "10.200.%d.%d", i / 256, i % 256);
		const char *f[AC_N] = { tag, serial, name, "M", i % 2 ? "交换机" : "server", "B1",
			"room-1", "", "", addr, "" };
		asset_list_add(&c.reports->assets, f);
	}
	c.services.topology_graph = topology_graph;

	/* a real store thread and state database, as in the collector */
	char *err = NULL;
	char path[128];
	snprintf(path, sizeof(path), "%s/state.db", dir);
	c.db = statedb_open(path, &err);
	struct store_config sc = { .data_dir = dir, .flush_delay = c.cfg.flush_delay,
		.queue_max = c.cfg.queue_max, .retention = &c.cfg.retention,
		.consolidation = &c.cfg.consolidation };
	c.loopq = loopq_new(c.base);
	c.store = c.db && c.loopq ? store_start(&sc, c.db, c.loopq, &c.metrics, NULL) : NULL;
	struct timespec tr;
	clock_gettime(CLOCK_MONOTONIC, &tr);
	for (size_t i = 0; c.store != NULL && i < n_server_ids; i++)
		if (rrd_for(c.store, dir, server_ids[i], i % 3 == 2 ? 100 : 40) < 0) {
			fprintf(stderr, "rrd: %s\n", rrd_get_error());
			return 1;
		}
	fprintf(stderr, "%zu RRD files of 30 days written in %.0f ms\n", n_server_ids, ms_since(&tr));
	if (c.store == NULL || store_run(c.store) < 0) {
		fprintf(stderr, "cannot start the store: %s\n", err ? err : "?");
		return 1;
	}

	size_t n_if = 0;
	for (struct device *d = device_next(c.devices, NULL); d; d = device_next(c.devices, d))
		n_if += d->live ? d->live->n_ifaces : 0;
	double *cov = calloc((size_t)rounds, sizeof(double));
	double *comp = calloc((size_t)rounds, sizeof(double));
	double *comp_cached = calloc((size_t)rounds, sizeof(double));
	long long inv = 0;
	for (int r = 0; r < rounds; r++) {
		struct timespec t0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		json_t *j = coverage_build(&c, util_now(), NULL);
		char *text = json_dumps(j, JSON_COMPACT);	/* the reply is part of the cost */
		cov[r] = ms_since(&t0);
		inv = json_integer_value(json_object_get(json_object_get(j, "overall"), "inventoried"));
		free(text);
		json_decref(j);

		/* fresh: 600 reads of 30 days; then as most requests go, from the
		 * figures the subsystem renews every hour */
		for (int fresh = 1; fresh >= 0; fresh--) {
			clock_gettime(CLOCK_MONOTONIC, &t0);
			pending = 1;
			if (compliance_start(&c, "GJ", fresh, compliance_done, NULL) < 0)
				return 1;
			while (pending)
				event_base_loop(c.base, EVLOOP_ONCE);
			(fresh ? comp : comp_cached)[r] = ms_since(&t0);
		}
	}
	qsort(cov, (size_t)rounds, sizeof(double), cmp);
	qsort(comp, (size_t)rounds, sizeof(double), cmp);
	qsort(comp_cached, (size_t)rounds, sizeof(double), cmp);
	printf("| devices | assets | interfaces | series | inventoried | rounds |\n"
	    "| ---: | ---: | ---: | ---: | ---: | ---: |\n| %zu | %d | %zu | %zu | %lld | %d |\n\n",
	    device_count(c.devices), N_ASSETS, n_if, series_count(c.series), inv, rounds);
	printf("| report | median | worst | target |\n| --- | ---: | ---: | ---: |\n");
	printf("| coverage (build + JSON text) | %.1f ms | %.1f ms | 100 ms |\n", cov[rounds / 2],
	    cov[rounds - 1]);
	printf("| compliance, 600 RRD reads of 30 days (at start, then hourly) | %.1f ms | %.1f ms | 1000 ms |\n",
	    comp[rounds / 2], comp[rounds - 1]);
	printf("| compliance, headroom from the hourly reads (a request) | %.1f ms | %.1f ms | 1000 ms |\n",
	    comp_cached[rounds / 2], comp_cached[rounds - 1]);
	printf("\nThe last compliance report's server headroom had %zu pieces of evidence (two per "
	    "server when every 30-day read succeeded).\n", headroom_evidence);
	store_stop(c.store);
	char cmd[200];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return cov[rounds / 2] <= 100 && comp_cached[rounds / 2] <= 1000 ? 0 : 3;
}
