/*
 * test_observers.c — the observer seam: what a subscriber (the alert engine,
 * topology) is told by the ingest sink and by poll results, and when.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "collector/collector.h"
#include "collector/ingest/ingest.h"
#include "collector/inventory/inventory.h"
#include "collector/snmp/snmp.h"

/* What one subscriber saw. */
struct seen {
	int samples;
	double last_ts, last_value;
	char last_key[256];
	int devices;
	char old_status[16], new_status[16];
	int ifaces, ifaces_new;
	char if_old_oper[16], if_now_oper[16];
};

static void
on_sample(void *arg, const struct series *s, double ts, double value)
{
	struct seen *w = arg;
	w->samples++;
	w->last_ts = ts;
	w->last_value = value;
	snprintf(w->last_key, sizeof(w->last_key), "%.*s", (int)s->keylen, s->key);
}

static void
on_device(void *arg, const struct device *d, const char *old_status, const char *new_status)
{
	struct seen *w = arg;
	(void)d;
	w->devices++;
	snprintf(w->old_status, sizeof(w->old_status), "%s", old_status);
	snprintf(w->new_status, sizeof(w->new_status), "%s", new_status);
}

static void
on_interface(void *arg, const struct device *d, const struct sp_iface *old,
    const struct sp_iface *now)
{
	struct seen *w = arg;
	(void)d;
	w->ifaces++;
	w->ifaces_new += old == NULL;
	if (now->index == 2) {
		snprintf(w->if_old_oper, sizeof(w->if_old_oper), "%s", old ? old->oper_status : "-");
		snprintf(w->if_now_oper, sizeof(w->if_now_oper), "%s", now->oper_status);
	}
}

Test(observers, sink_tells_every_durable_sample_once)
{
	struct collector c;
	struct seen a = { 0 }, b = { 0 };
	memset(&c, 0, sizeof(c));
	c.cfg.max_series = 100;
	c.series = series_catalog_new();
	struct observer oa = { .name = "a", .sample = on_sample, .arg = &a };
	struct observer ob = { .name = "b", .sample = on_sample, .arg = &b };
	cr_assert_eq(observe_add(&c, &oa), 0);
	cr_assert_eq(observe_add(&c, &ob), 0);
	struct batch *bt = batch_new();
	const char *key = "cpu,host=h1 usage_idle";
	cr_assert_eq(ingest_put(&c, bt, key, strlen(key), "h1", 10, 100, 42.5), 0);
	cr_assert_eq(ingest_put(&c, bt, key, strlen(key), "h1", 10, 110, 40.0), 0);
	/* older than the last: refused by the sink, so nobody is told */
	cr_assert_eq(ingest_put(&c, bt, key, strlen(key), "h1", 10, 105, 1.0), -1);
	cr_assert_eq(a.samples, 0, "nothing is told before the batch is durable");
	ingest_settle(&c, bt, 1);	/* the journal wrote it */
	cr_assert_eq(a.samples, 2);
	cr_assert_eq(b.samples, 2);
	cr_assert_float_eq(a.last_ts, 110, 1e-9);
	cr_assert_float_eq(a.last_value, 40.0, 1e-9);
	cr_assert_str_eq(a.last_key, key);
	batch_free(bt);
	series_catalog_free(c.series);
}

Test(observers, table_is_bounded)
{
	struct collector c;
	memset(&c, 0, sizeof(c));
	struct observer o = { .name = "x" };
	for (int i = 0; i < OBSERVERS_MAX; i++)
		cr_assert_eq(observe_add(&c, &o), 0);
	cr_assert_eq(observe_add(&c, &o), -1);
}

/* A poll result with two interfaces; port 2's oper status as given. */
static struct sp_result
result(enum sp_status status, const char *port2_oper, struct sp_iface ifs[2])
{
	ifs[0] = (struct sp_iface){ .index = 1, .name = "Gi0/1", .descr = "", .alias = "",
		.speed_bps = 1000000000ULL, .admin_status = "up", .oper_status = "up",
		.in_bps = NAN, .out_bps = NAN, .in_errors_ps = NAN, .out_errors_ps = NAN,
		.in_discards_ps = NAN, .out_discards_ps = NAN };
	ifs[1] = ifs[0];
	ifs[1].index = 2;
	ifs[1].name = "Gi0/2 <uplink>";
	ifs[1].oper_status = port2_oper;
	struct sp_result r = { .device_id = 1, .status = status, .started = 1000,
		.duration = 0.1, .sys_name = "sw1", .uptime_ticks = -1,
		.ifaces = status == SP_STATUS_UP ? ifs : NULL,
		.n_ifaces = status == SP_STATUS_UP ? 2 : 0 };
	return r;
}

Test(observers, polls_tell_device_status_and_interfaces_typed)
{
	struct collector c;
	struct seen w = { 0 };
	struct sp_iface ifs[2];
	memset(&c, 0, sizeof(c));
	c.devices = device_table_new();
	struct observer o = { .name = "t", .device = on_device, .interface = on_interface,
		.arg = &w };
	observe_add(&c, &o);
	struct device *d = device_new_default();
	char err[128];
	json_error_t je;
	json_t *body = json_loads("{\"address\": \"192.0.2.7\", \"name\": \"sw1\"}", 0, &je);
	cr_assert_eq(device_apply_json(d, body, 1, err, sizeof(err)), 0, "%s", err);
	json_decref(body);
	d->id = 1;
	device_insert(c.devices, d);

	struct sp_result r = result(SP_STATUS_UP, "up", ifs);
	inventory_apply_poll(&c, d, &r);
	cr_assert_eq(w.devices, 1);
	cr_assert_str_eq(w.old_status, "unknown");
	cr_assert_str_eq(w.new_status, "up");
	cr_assert_eq(w.ifaces, 2);
	cr_assert_eq(w.ifaces_new, 2, "first poll: no rows before");
	/* the live table is typed and owns its strings */
	cr_assert_eq(d->live->n_ifaces, 2);
	cr_assert_str_eq(d->live->ifaces[1].name, "Gi0/2 <uplink>");

	r = result(SP_STATUS_UP, "down", ifs);
	inventory_apply_poll(&c, d, &r);
	cr_assert_eq(w.ifaces, 4);
	cr_assert_eq(w.ifaces_new, 2, "second poll: every row has its old one");
	cr_assert_str_eq(w.if_old_oper, "up");
	cr_assert_str_eq(w.if_now_oper, "down");

	r = result(SP_STATUS_DOWN, "down", ifs);
	inventory_apply_poll(&c, d, &r);
	cr_assert_eq(w.devices, 3);
	cr_assert_str_eq(w.old_status, "up");
	cr_assert_str_eq(w.new_status, "down");
	cr_assert_eq(w.ifaces, 4, "a failed poll tells no interfaces");
	cr_assert_eq(d->live->n_ifaces, 2, "the last good tables stay");

	/* JSON only at the edge, in the DESIGN §3 shape, markup kept as text */
	json_t *j = device_ifaces_json(d);
	cr_assert_eq(json_array_size(j), 2);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 1), "oper_status")),
	    "down");
	cr_assert(json_is_null(json_object_get(json_array_get(j, 0), "in_bps")));
	json_decref(j);
	device_table_free(c.devices);
}

Test(observers, a_failed_journal_write_tells_nobody)
{
	struct collector c;
	struct seen a = { 0 };
	memset(&c, 0, sizeof(c));
	c.cfg.max_series = 100;
	c.series = series_catalog_new();
	struct observer oa = { .name = "a", .sample = on_sample, .arg = &a };
	observe_add(&c, &oa);
	struct batch *bt = batch_new();
	const char *key = "mem,host=h1 used";
	cr_assert_eq(ingest_put(&c, bt, key, strlen(key), "h1", 10, 100, 1.0), 0);
	ingest_settle(&c, bt, 0);	/* 503: the client will send it again */
	cr_assert_eq(a.samples, 0);
	batch_free(bt);
	series_catalog_free(c.series);
}
