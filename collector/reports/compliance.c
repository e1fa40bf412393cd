/*
 * compliance.c — the guide's indicators that monitoring can see, measured
 * from live poll tables, the topology graph and 30 days of stored series.
 *
 * Each indicator is {id, code, name, threshold, value, unit, pass, evidence}.
 * pass is null (and value null) when the data to judge is missing: no
 * topology yet, no UPS, a headcount of 0; a report never guesses. The server
 * headroom reads RRD files, so the report is finished on the store thread
 * (the same queue as every RRD read) and handed back to the loop.
 */
#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "collector/collector.h"
#include "collector/http/http.h"
#include "collector/ingest/ingest.h"
#include "collector/inventory/inventory.h"
#include "collector/snmp/snmp.h"
#include "collector/store/store.h"
#include "collector/reports/reports.h"
#include "common/util.h"

#define HEADROOM_DAYS 30
#define HEADROOM_MAX_POINTS 9000	/* 30 days of the 5-minute archive */
#define HEADROOM_CACHE_MAX 7200	/* seconds a 30-day read is reused; reports.c renews it hourly */

int
compliance_level_ok(const char *level)
{
	return level != NULL && (strcmp(level, "JJ") == 0 || strcmp(level, "ZJ") == 0 ||
	    strcmp(level, "GJ") == 0);
}

static json_t *
indicator(const char *id, const char *level, const char *code_tail, const char *name,
    double threshold, const char *unit)
{
	char code[16];
	snprintf(code, sizeof(code), "%s%s", level, code_tail);
	return json_pack("{s:s, s:s, s:s, s:f, s:n, s:s, s:n, s:[]}", "id", id, "code", code,
	    "name", name, "threshold", threshold, "value", "unit", unit, "pass", "evidence");
}

static void
evidence(json_t *ind, const char *device, const char *what, json_t *value)
{
	json_array_append_new(json_object_get(ind, "evidence"), json_pack("{s:o, s:o, s:o}",
	    "device", device ? json_string_safe(device, strlen(device)) : json_null(), "what",
	    json_string_safe(what, strlen(what)), "value", value ? value : json_null()));
}

/* value and pass (at least threshold passes); unknown: both null + why. */
static void
judge(json_t *ind, double value, int have, const char *unknown_why)
{
	if (!have) {
		if (unknown_why != NULL)
			evidence(ind, NULL, unknown_why, NULL);
		return;
	}
	double t = json_real_value(json_object_get(ind, "threshold"));
	json_object_set_new(ind, "value", json_real(round(value * 100) / 100));
	json_object_set_new(ind, "pass", json_boolean(value >= t));
}

/* ---- port roles from the topology graph ----------------------------------------- */

struct roles {
	json_t *graph;			/* NULL: no topology yet */
	json_t *uplinks;		/* {"device\nport": true} */
	json_t *names;			/* node id (as text) → name, managed nodes only */
};

static const char *
node_key(json_t *id, char *buf, size_t cap)
{
	if (json_is_integer(id))
		snprintf(buf, cap, "%lld", (long long)json_integer_value(id));
	else
		snprintf(buf, cap, "%s", json_string_value(id) ? json_string_value(id) : "");
	return buf;
}

static void
roles_load(struct collector *c, struct roles *r)
{
	const struct services *sv = &c->services;
	memset(r, 0, sizeof(*r));
	if (sv->topology_graph == NULL || (r->graph = sv->topology_graph(sv->topology_arg)) == NULL)
		return;
	r->uplinks = json_object();
	r->names = json_object();
	size_t i;
	json_t *n, *l;
	char k[64];
	json_array_foreach(json_object_get(r->graph, "nodes"), i, n)
		if (json_is_true(json_object_get(n, "managed")) && json_is_string(json_object_get(n,
		    "name")))
			json_object_set(r->names, node_key(json_object_get(n, "id"), k, sizeof(k)),
			    json_object_get(n, "name"));
	json_array_foreach(json_object_get(r->graph, "links"), i, l) {
		static const char *const ends[2][2] = { { "a", "a_port" }, { "b", "b_port" } };
		for (int e = 0; e < 2; e++) {
			const char *dev = json_string_value(json_object_get(r->names, node_key(
			    json_object_get(l, ends[e][0]), k, sizeof(k))));
			const char *port = json_string_value(json_object_get(l, ends[e][1]));
			if (dev == NULL || port == NULL)
				continue;
			char key[600];
			snprintf(key, sizeof(key), "%s\n%s", dev, port);
			json_object_set_new(r->uplinks, key, json_true());
		}
	}
}

static void
roles_free(struct roles *r)
{
	json_decref(r->graph);
	json_decref(r->uplinks);
	json_decref(r->names);
}

/* Backbone: links between two managed devices. */
static void
backbone(struct roles *r, json_t *ind)
{
	if (r->graph == NULL) {
		judge(ind, 0, 0, "no topology yet: uplinks are not known");
		return;
	}
	double min = INFINITY;
	size_t i;
	json_t *l;
	char k[64], what[600];
	json_array_foreach(json_object_get(r->graph, "links"), i, l) {
		const char *a = json_string_value(json_object_get(r->names, node_key(
		    json_object_get(l, "a"), k, sizeof(k))));
		const char *b = json_string_value(json_object_get(r->names, node_key(
		    json_object_get(l, "b"), k, sizeof(k))));
		json_t *sp = json_object_get(l, "speed_bps");
		if (a == NULL || b == NULL || !json_is_number(sp))
			continue;
		double gbps = json_number_value(sp) / 1e9;
		min = fmin(min, gbps);
		const char *ap = json_string_value(json_object_get(l, "a_port"));
		const char *bp = json_string_value(json_object_get(l, "b_port"));
		snprintf(what, sizeof(what), "uplink %s %s to %s %s", a, ap ? ap : "?", b,
		    bp ? bp : "?");
		evidence(ind, a, what, json_real(gbps));
	}
	judge(ind, min, isfinite(min), "no link between two managed devices");
}

/* Interfaces that are not access ports whatever the topology says. */
static int
virtual_port(const struct sp_iface *f)
{
	static const char *const prefixes[] = { "vlan", "loopback", "lo", "null", "tunnel",
		"vlanif", "bridge", "br", "bond", "port-channel", "eth-trunk", "mgmt",
		"inloopback", "virtual", "docker", "veth" };
	const char *n = f->name ? f->name : "";
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncasecmp(n, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	return 0;
}

/* Access: up switch ports that are not uplinks; the slowest per switch. */
static void
access(struct collector *c, struct roles *r, json_t *ind)
{
	if (r->graph == NULL) {
		judge(ind, 0, 0, "no topology yet: access ports are not known");
		return;
	}
	double min = INFINITY;
	char what[300], key[600];
	for (struct device *d = device_next(c->devices, NULL); d != NULL;
	    d = device_next(c->devices, d)) {
		if (d->kind == NULL || strcmp(d->kind, "switch") != 0 || d->live == NULL)
			continue;
		const struct sp_iface *slow = NULL;
		size_t n = 0, below = 0;
		for (size_t i = 0; i < d->live->n_ifaces; i++) {
			const struct sp_iface *f = &d->live->ifaces[i];
			if (f->speed_bps == 0 || f->oper_status == NULL ||
			    strcmp(f->oper_status, "up") != 0 || virtual_port(f))
				continue;
			snprintf(key, sizeof(key), "%s\n%s", d->name, f->name ? f->name : "");
			if (json_object_get(r->uplinks, key) != NULL)
				continue;
			n++;
			below += f->speed_bps < 100000000ULL;
			if (slow == NULL || f->speed_bps < slow->speed_bps)
				slow = f;
		}
		if (slow == NULL)
			continue;
		double mbps = (double)slow->speed_bps / 1e6;
		min = fmin(min, mbps);
		snprintf(what, sizeof(what), "slowest of %zu access ports up: %s (%zu below 100 Mb/s)",
		    n, slow->name ? slow->name : "?", below);
		evidence(ind, d->name, what, json_real(mbps));
	}
	judge(ind, min, isfinite(min), "no switch with access ports up");
}

static const struct sp_iface *
iface_named(const struct device *d, const char *name)
{
	for (size_t i = 0; d->live != NULL && i < d->live->n_ifaces; i++)
		if (d->live->ifaces[i].name && strcmp(d->live->ifaces[i].name, name) == 0)
			return &d->live->ifaces[i];
	return NULL;
}

/* Egress per person: the school.egress links over school.headcount. */
static void
egress(struct collector *c, json_t *ind)
{
	double bps = 0;
	int found = 0;
	for (size_t i = 0; i < c->cfg.school_egress.n; i++) {
		const char *spec = c->cfg.school_egress.v[i];
		const char *colon = strchr(spec, ':');
		char dev[256];
		if (colon == NULL || (size_t)(colon - spec) >= sizeof(dev)) {
			evidence(ind, NULL, "school.egress entry is not DEVICE:PORT", json_string(spec));
			continue;
		}
		snprintf(dev, sizeof(dev), "%.*s", (int)(colon - spec), spec);
		struct device *d = device_by_name(c->devices, dev);
		const struct sp_iface *f = d ? iface_named(d, colon + 1) : NULL;
		char what[300];
		snprintf(what, sizeof(what), "egress link %s", colon + 1);
		if (f == NULL) {
			evidence(ind, dev, d ? "no such interface in the last poll" : "no such device",
			    json_string(colon + 1));
			continue;
		}
		found = 1;
		bps += (double)f->speed_bps;
		evidence(ind, dev, what, json_real((double)f->speed_bps / 1e6));
	}
	if (c->cfg.school_headcount <= 0) {
		judge(ind, 0, 0, "school.headcount is 0: egress per person is unknown");
		return;
	}
	judge(ind, bps / 1e3 / (double)c->cfg.school_headcount, found,
	    "no egress link known: set school.egress to DEVICE:PORT");
}

/* UPS runtime: the runtime-remaining sensor (UPS-MIB upsEstimatedMinutesRemaining,
 * APC upsAdvBatteryRunTimeRemaining), in hours. */
static void
ups_runtime(struct collector *c, json_t *ind)
{
	double min = INFINITY;
	for (struct device *d = device_next(c->devices, NULL); d != NULL;
	    d = device_next(c->devices, d)) {
		if (d->kind == NULL || strcmp(d->kind, "ups") != 0)
			continue;
		double hours = NAN;
		for (size_t i = 0; d->live != NULL && i < d->live->n_sensors; i++) {
			const struct sp_sensor *s = &d->live->sensors[i];
			if (s->type == NULL || strcmp(s->type, "runtime") != 0 || isnan(s->value) ||
			    s->name == NULL || strcasestr(s->name, "remaining") == NULL)
				continue;
			const char *u = s->unit ? s->unit : "";
			hours = strcmp(u, "s") == 0 ? s->value / 3600 : strcmp(u, "h") == 0 ? s->value :
			    s->value / 60;
			break;
		}
		if (isnan(hours)) {
			evidence(ind, d->name, d->live ? "no runtime reading" : "not polled yet", NULL);
			continue;
		}
		min = fmin(min, hours);
		evidence(ind, d->name, "estimated runtime on battery", json_real(round(hours * 100) /
		    100));
	}
	judge(ind, min, isfinite(min), "no UPS with a runtime reading");
}

/* Sensor presence: share of machine rooms with an environment sensor. */
static int
room_kind(const char *k)
{
	static const char *const kinds[] = { "switch", "router", "firewall", "server", "storage",
		"ups", "pdu", "wlc" };
	for (size_t i = 0; k && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(k, kinds[i]) == 0)
			return 1;
	return 0;
}

static int
has_env_sensor(const struct device *d)
{
	if (d->kind && strcmp(d->kind, "sensor") == 0)
		return 1;
	for (size_t i = 0; d->live != NULL && i < d->live->n_sensors; i++) {
		const char *t = d->live->sensors[i].type;
		if (t && (strcmp(t, "temperature") == 0 || strcmp(t, "humidity") == 0) &&
		    d->kind && (strcmp(d->kind, "ups") == 0 || strcmp(d->kind, "pdu") == 0))
			return 1;	/* a UPS or PDU probe watches the room */
	}
	return 0;
}

static void
room_key(const char *building, const char *room, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s / %s", building && building[0] ? building : "-", room);
}

static void
sensor_presence(struct collector *c, json_t *ind)
{
	json_t *rooms = json_object();		/* room → has sensor */
	char k[600];
	for (struct device *d = device_next(c->devices, NULL); d != NULL;
	    d = device_next(c->devices, d)) {
		if (d->room == NULL || d->room[0] == '\0')
			continue;
		room_key(d->building, d->room, k, sizeof(k));
		int s = has_env_sensor(d);
		if (s)
			json_object_set_new(rooms, k, json_true());
		else if (room_kind(d->kind) && json_object_get(rooms, k) == NULL)
			json_object_set_new(rooms, k, json_false());
	}
	const struct asset_list *l = c->reports ? &c->reports->assets : NULL;
	for (size_t i = 0; l != NULL && i < l->n; i++) {
		const struct asset *a = &l->v[i];
		if (a->f[AC_ROOM][0] == '\0')
			continue;
		room_key(a->f[AC_BUILDING], a->f[AC_ROOM], k, sizeof(k));
		if (json_object_get(rooms, k) == NULL)
			json_object_set_new(rooms, k, json_false());
	}
	size_t n = json_object_size(rooms), with = 0;
	const char *key;
	json_t *v;
	json_object_foreach(rooms, key, v) {
		with += json_is_true(v);
		evidence(ind, NULL, key, json_boolean(json_is_true(v)));
	}
	json_decref(rooms);
	judge(ind, n ? 100.0 * (double)with / (double)n : 0, n > 0,
	    "no room known: give devices or assets a room");
}

/* ---- server headroom: p95 of CPU and memory over 30 days (store thread) --------- */

enum hr_what { HR_CPU, HR_CPU_IDLE, HR_MEM_USED_TOTAL, HR_MEM_AVAIL_TOTAL, HR_MEM_PERCENT };
struct hr_req {
	char *host;
	enum hr_what what;
	uint32_t a, b;			/* series ids (b: total, for pairs) */
	struct store_read_plan plan_a, plan_b;	/* where they are read (headroom_plan) */
	double p95;			/* NAN: no data */
};

struct cjob {
	struct collector *c;
	json_t *report;
	json_t *headroom;		/* the indicator, inside report */
	struct hr_req *reqs;
	size_t n, cap;
	double now;
	compliance_done_fn done;
	void *arg;
};

static int
field_is(const char *key, const char *field)
{
	const char *sp = strrchr(key, ' ');
	return sp != NULL && strcmp(sp + 1, field) == 0;
}

static int
meas_is(const char *key, const char *m)
{
	size_t l = strlen(m);
	return strncmp(key, m, l) == 0 && key[l] == ',';
}

/* Which hosts are servers: devices of kind server or storage, and hosts
 * that only agents report for. */
static int
server_host(struct collector *c, const char *host)
{
	struct device *d = device_by_name(c->devices, host);
	if (d == NULL)
		return 1;
	return d->kind && (strcmp(d->kind, "server") == 0 || strcmp(d->kind, "storage") == 0);
}

static void
hr_add(struct cjob *j, const char *host, enum hr_what what, uint32_t a, uint32_t b)
{
	if (j->n == j->cap) {
		size_t cap = j->cap ? j->cap * 2 : 32;
		struct hr_req *v = realloc(j->reqs, cap * sizeof(*v));
		if (v == NULL)
			return;
		j->reqs = v;
		j->cap = cap;
	}
	if ((j->reqs[j->n].host = strdup(host)) == NULL)
		return;
	j->reqs[j->n].what = what;
	j->reqs[j->n].a = a;
	j->reqs[j->n].b = b;
	j->reqs[j->n].p95 = NAN;
	j->n++;
}

/* The partner series of key with another field (same measurement and tags). */
static uint32_t
partner(struct collector *c, const char *key, const char *field)
{
	char buf[4096];
	const char *sp = strrchr(key, ' ');
	if (sp == NULL)
		return 0;
	int len = snprintf(buf, sizeof(buf), "%.*s %s", (int)(sp - key), key, field);
	if (len < 0 || (size_t)len >= sizeof(buf))
		return 0;
	struct series *s = series_find(c->series, buf, (size_t)len);
	return s ? s->id : 0;
}

static void
headroom_plan(struct cjob *j)
{
	struct collector *c = j->c;
	uint32_t cur = 0;
	if (c->series == NULL)
		return;
	for (struct series *s = series_next(c->series, &cur); s != NULL;
	    s = series_next(c->series, &cur)) {
		const char *k = s->key;
		int cpu = meas_is(k, "cpu"), mem = meas_is(k, "mem"), memory = meas_is(k, "memory"),
		    storage = meas_is(k, "storage");
		if (!cpu && !mem && !memory && !storage)
			continue;
		const char *host = series_host_name(c->series, s->host_id);
		if (host == NULL || !server_host(c, host))
			continue;
		/* the agent reports cpu-total and each core: the total is enough */
		if (cpu && strstr(k, ",cpu=cpu") != NULL && strstr(k, ",cpu=cpu-total") == NULL)
			continue;
		if (cpu && (field_is(k, "load_percent") || field_is(k, "usage_percent")))
			hr_add(j, host, HR_CPU, s->id, 0);
		else if (cpu && field_is(k, "idle_percent") && strstr(k, ",cpu=") == NULL)
			hr_add(j, host, HR_CPU_IDLE, s->id, 0);
		else if (mem && field_is(k, "used"))
			hr_add(j, host, HR_MEM_USED_TOTAL, s->id, partner(c, k, "total"));
		else if (memory && field_is(k, "avail_bytes"))
			hr_add(j, host, HR_MEM_AVAIL_TOTAL, s->id, partner(c, k, "total_bytes"));
		else if (storage && field_is(k, "used_percent") && (strcasestr(k, "physical memory") ||
		    strcasestr(k, "=ram")))
			hr_add(j, host, HR_MEM_PERCENT, s->id, 0);
	}
}

/* Values of a planned series over the window (NAN for gaps); heap, *n. */
static double *
fetch_values(const struct store_read_plan *plan, double now, size_t *n)
{
	char *points = NULL, *err = NULL;
	size_t len = 0;
	unsigned long step = 0;
	*n = 0;
	if (plan->id == 0 || rrdfile_fetch(plan, "AVERAGE", now - HEADROOM_DAYS * 86400.0, now, 0,
	    HEADROOM_MAX_POINTS, &points, &len, &step, &err) < 0) {
		free(points);
		free(err);
		return NULL;
	}
	json_t *a = json_loadb(points, len, 0, NULL);
	free(points);
	free(err);
	double *v = a ? calloc(json_array_size(a) + 1, sizeof(*v)) : NULL;
	size_t i;
	json_t *p;
	json_array_foreach(a, i, p) {
		json_t *x = json_array_get(p, 1);
		if (v != NULL)
			v[i] = json_is_number(x) ? json_number_value(x) : NAN;
	}
	*n = v ? json_array_size(a) : 0;
	json_decref(a);
	return v;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* RRD writer: where each series is, with what waits for its file written. */
static void
headroom_where(struct store *st, void *arg)
{
	struct cjob *j = arg;
	double from = j->now - HEADROOM_DAYS * 86400.0;
	for (size_t r = 0; r < j->n; r++) {
		struct hr_req *q = &j->reqs[r];
		if (q->a != 0)
			store_read_plan(st, q->a, from, j->now, &q->plan_a);
		if (q->b != 0)
			store_read_plan(st, q->b, from, j->now, &q->plan_b);
	}
}

/* Reader pool: 30 days of every server's series through librrd. */
static void
headroom_run(struct store *st, void *arg)
{
	(void)st;
	struct cjob *j = arg;
	for (size_t r = 0; r < j->n; r++) {
		struct hr_req *q = &j->reqs[r];
		size_t na, nb = 0, k = 0;
		double *a = fetch_values(&q->plan_a, j->now, &na);
		double *b = q->b ? fetch_values(&q->plan_b, j->now, &nb) : NULL;
		for (size_t i = 0; a != NULL && i < na; i++) {
			double v = a[i];
			if (q->what == HR_CPU_IDLE)
				v = 100 - v;
			else if (q->what == HR_MEM_USED_TOTAL)
				v = i < nb && b[i] > 0 ? 100 * v / b[i] : NAN;
			else if (q->what == HR_MEM_AVAIL_TOTAL)
				v = i < nb && b[i] > 0 ? 100 * (b[i] - v) / b[i] : NAN;
			if (!isnan(v))
				a[k++] = v;
		}
		if (k > 0) {
			qsort(a, k, sizeof(*a), cmp_double);
			q->p95 = a[(size_t)ceil(0.95 * (double)k) - 1];
		}
		free(a);
		free(b);
	}
}

/* The figures of the last 30-day read, kept for the next reports: a
 * 95th percentile over 30 days moves slowly, and reading 30 days of every
 * server's series is the one costly part of the report. */
struct headroom_cache {
	struct hr_req *reqs;
	size_t n;
	double at;			/* when they were read */
};

static void
reqs_free(struct hr_req *reqs, size_t n)
{
	for (size_t r = 0; r < n; r++) {
		free(reqs[r].host);
		store_read_plan_clear(&reqs[r].plan_a);
		store_read_plan_clear(&reqs[r].plan_b);
	}
	free(reqs);
}

void
compliance_cache_free(struct reports *rp)
{
	struct headroom_cache *hc = rp ? rp->headroom : NULL;
	if (hc != NULL) {
		reqs_free(hc->reqs, hc->n);
		free(hc);
		rp->headroom = NULL;
	}
}

/* Judge the headroom from reqs read at `at`, hand the report over, free j. */
static void
headroom_finish(struct cjob *j, const struct hr_req *reqs, size_t n, double at)
{
	json_t *ind = j->headroom;
	json_t *hosts = json_object();	/* host → worst p95 */
	for (size_t r = 0; r < n; r++) {
		const struct hr_req *q = &reqs[r];
		if (isnan(q->p95))
			continue;
		const char *what = q->what == HR_CPU || q->what == HR_CPU_IDLE ?
		    "CPU use, 95th percentile over 30 days" : "memory use, 95th percentile over 30 days";
		evidence(ind, q->host, what, json_real(round(q->p95 * 10) / 10));
		json_t *w = json_object_get(hosts, q->host);
		if (w == NULL || json_real_value(w) < q->p95)
			json_object_set_new(hosts, q->host, json_real(q->p95));
	}
	double min = INFINITY;
	const char *h;
	json_t *w;
	json_object_foreach(hosts, h, w)
		min = fmin(min, 100 - json_real_value(w));
	json_decref(hosts);
	json_object_set_new(ind, "as_of", json_real(at));
	judge(ind, min, isfinite(min), "no server CPU or memory series stored");
	j->done(j->arg, j->report);
	j->report = NULL;
	reqs_free(j->reqs, j->n);
	free(j);
}

/* Back from the store thread: the reads become the cache, then the report. */
static void
headroom_done(void *arg)
{
	struct cjob *j = arg;
	struct reports *rp = j->c->reports;
	struct headroom_cache *hc = rp ? rp->headroom : NULL;
	if (rp != NULL && hc == NULL && (hc = calloc(1, sizeof(*hc))) != NULL)
		rp->headroom = hc;
	if (hc == NULL) {
		headroom_finish(j, j->reqs, j->n, j->now);
		return;
	}
	reqs_free(hc->reqs, hc->n);
	hc->reqs = j->reqs;
	hc->n = j->n;
	hc->at = j->now;
	j->reqs = NULL;
	j->n = 0;
	headroom_finish(j, hc->reqs, hc->n, hc->at);
}

int
compliance_start(struct collector *c, const char *level, int fresh, compliance_done_fn done,
    void *arg)
{
	double ups_hours = strcmp(level, "ZJ") == 0 ? 6 : 8;
	struct cjob *j = calloc(1, sizeof(*j));
	if (j == NULL)
		return -1;
	j->c = c;
	j->now = util_now();
	j->done = done;
	j->arg = arg;
	json_t *inds = json_array();
	json_t *bb = indicator("backbone_speed", level, "010101", "backbone link speed", 10, "Gb/s");
	json_t *ac = indicator("access_speed", level, "010101", "desktop access port speed", 100,
	    "Mb/s");
	json_t *eg = indicator("egress_per_person", level, "010101", "Internet egress per person",
	    512, "kb/s");
	json_t *hr = indicator("server_headroom", level, "010202", "server CPU and memory headroom",
	    30, "%");
	json_t *ups = indicator("ups_runtime", level, "010303", "UPS runtime for surveillance "
	    "power", ups_hours, "h");
	json_t *sp = indicator("sensor_presence", level, "010304", "machine rooms with environment "
	    "sensors", 50, "%");
	json_t *cov = indicator("coverage", level, "010401", "hardware covered by monitoring", 80,
	    "%");
	struct roles r;
	roles_load(c, &r);
	backbone(&r, bb);
	access(c, &r, ac);
	roles_free(&r);
	egress(c, eg);
	ups_runtime(c, ups);
	sensor_presence(c, sp);
	json_t *cr = coverage_build(c, j->now, NULL);
	json_t *o = json_object_get(cr, "overall");
	json_t *pct = json_object_get(o, "percent");
	char what[128];
	snprintf(what, sizeof(what), "%lld of %lld inventoried items monitored",
	    (long long)json_integer_value(json_object_get(o, "monitored")),
	    (long long)json_integer_value(json_object_get(o, "inventoried")));
	evidence(cov, NULL, what, json_incref(pct));
	judge(cov, json_number_value(pct), json_is_number(pct), "nothing inventoried");
	json_decref(cr);
	json_array_append_new(inds, bb);
	json_array_append_new(inds, ac);
	json_array_append_new(inds, eg);
	json_array_append_new(inds, hr);
	json_array_append_new(inds, ups);
	json_array_append_new(inds, sp);
	json_array_append_new(inds, cov);
	j->headroom = hr;
	j->report = json_pack("{s:s, s:o, s:f, s:s, s:I}", "level", level, "indicators", inds,
	    "generated", j->now, "school", c->cfg.school_name ? c->cfg.school_name : "",
	    "headcount", (json_int_t)c->cfg.school_headcount);
	struct headroom_cache *hc = c->reports ? c->reports->headroom : NULL;
	if (!fresh && hc != NULL && j->now - hc->at < HEADROOM_CACHE_MAX) {
		headroom_finish(j, hc->reqs, hc->n, hc->at);	/* done has run */
		return 0;
	}
	headroom_plan(j);
	if (store_call_read(c->store, headroom_where, headroom_run, headroom_done, j) < 0) {
		json_decref(j->report);
		reqs_free(j->reqs, j->n);
		free(j);
		return -1;
	}
	return 0;
}
