/*
 * pollresults.c — connects the SNMP poller to the rest of the collector:
 * schedules every monitored device, and turns each poll result into device
 * status and inventory, live interface and sensor tables (typed: see
 * live.c), samples in the same journal → RRD path as the agents' data, and
 * the device and interface observers.
 */
#include "collector/collector.h"
#include "collector/ingest/ingest.h"
#include "collector/store/store.h"
#include "collector/inventory/inventory.h"
#include "collector/snmp/snmp.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"

#define SAVE_EVERY 300.0	/* seconds between last_seen writes when nothing changed */

static struct sp_target
target_of(const struct device *d)
{
	struct sp_target t = {
		.device_id = d->id, .name = d->name, .address = d->address,
		.port = (unsigned)d->port,
		.version = d->snmp_version && strcmp(d->snmp_version, "1") == 0 ? SP_VER_1 :
		    d->snmp_version && strcmp(d->snmp_version, "3") == 0 ? SP_VER_3 : SP_VER_2C,
		.community = d->community ? d->community : "public",
		.user = d->v3_user, .auth_proto = d->auth_proto, .auth_pass = d->auth_pass,
		.priv_proto = d->priv_proto, .priv_pass = d->priv_pass,
		.interval = (int)d->interval, .timeout_ms = 0, .retries = -1,
	};
	return t;
}

void
snmpbridge_watch(struct collector *c, struct device *d)
{
	if (c->poller == NULL)
		return;
	sp_poller_remove(c->poller, d->id);
	if (!d->monitored)
		return;
	const char *addr = resolver_address(c->resolver, d);
	if (addr == NULL)
		return;		/* a host name being looked up: its answer calls us again */
	struct sp_target t = target_of(d);
	t.address = addr;
	if (sp_poller_add(c->poller, &t) < 0)
		log_warnx("snmp: cannot schedule device %s", d->name);
}

void
snmpbridge_forget(struct collector *c, int64_t id)
{
	if (c->poller != NULL)
		sp_poller_remove(c->poller, id);
	resolver_forget(c->resolver, id);
}

/* ---- results ------------------------------------------------------------- */

/* Set *field to value if different; returns 1 when it changed. */
static int
update_text(char **field, const char *value)
{
	if (value == NULL || (*field != NULL && strcmp(*field, value) == 0))
		return 0;
	char *copy = strdup(value);
	if (copy == NULL)
		return 0;
	free(*field);
	*field = copy;
	return 1;
}

static int
cmp_tag(const void *a, const void *b)
{
	const struct lp_tag *x = a, *y = b;
	size_t n = x->key.len < y->key.len ? x->key.len : y->key.len;
	int c = memcmp(x->key.p, y->key.p, n);
	return c ? c : (x->key.len > y->key.len) - (x->key.len < y->key.len);
}

static void
metrics_durable(struct batch *b, int ok, void *arg)
{
	struct collector *c = arg;
	ingest_settle(c, b, ok);
	if (ok) {
		c->metrics.samples_accepted += b->n_samples;
		store_submit(c->store, b);
	} else {
		log_warnx("snmp: journal write failed; %zu polled values lost", b->n_samples);
		batch_free(b);
	}
}

/* Every metric of the poll becomes a sample of series host=<device name>. */
static void
record_metrics(struct collector *c, const struct device *d, const struct sp_result *r)
{
	if (r->n_metrics == 0)
		return;
	struct batch *b = batch_new();
	char key[4096];
	struct lp_tag tags[17];
	if (b == NULL)
		return;
	for (size_t i = 0; i < r->n_metrics; i++) {
		const struct sp_metric *m = &r->metrics[i];
		if (isnan(m->value) || m->n_tags > 16)
			continue;
		size_t n = 0;
		for (size_t k = 0; k < m->n_tags; k++) {
			if (strcmp(m->tags[k].key, "host") == 0)
				continue;
			tags[n].key = (struct lp_str){ m->tags[k].key, strlen(m->tags[k].key) };
			tags[n].value = (struct lp_str){ m->tags[k].value, strlen(m->tags[k].value) };
			n++;
		}
		tags[n].key = (struct lp_str){ "host", 4 };
		tags[n].value = (struct lp_str){ d->name, strlen(d->name) };
		n++;
		qsort(tags, n, sizeof(tags[0]), cmp_tag);
		struct lp_str meas = { m->measurement, strlen(m->measurement) };
		struct lp_str field = { m->field, strlen(m->field) };
		size_t klen = series_key_build(key, sizeof(key), &meas, tags, n, &field);
		if (klen >= sizeof(key))
			continue;
		ingest_put(c, b, key, klen, d->name, (uint32_t)d->interval, r->started, m->value);
	}
	if (b->n_samples == 0 && b->n_defs == 0) {
		batch_free(b);
		return;
	}
	b->on_durable = metrics_durable;
	b->arg = c;
	journal_append(c->journal, b);
}

struct save_job {
	struct device *copy;
};

static void
save_run(struct store *st, void *arg)
{
	struct save_job *job = arg;
	devices_db_save(store_db(st), job->copy);
}

static void
save_done(void *arg)
{
	struct save_job *job = arg;
	device_free(job->copy);
	free(job);
}

static void
save_device(struct collector *c, struct device *d)
{
	struct save_job *job = malloc(sizeof(*job));
	if (job == NULL || (job->copy = device_dup(d)) == NULL) {
		free(job);
		return;
	}
	if (store_call(c->store, save_run, save_done, job) < 0) {
		save_done(job);		/* kept in memory; saved after the next poll */
		return;
	}
	d->last_saved = util_now();
}

/* Each interface of the new table, with its row from the poll before. */
static void
tell_interfaces(struct collector *c, const struct device *d, const struct device_live *old)
{
	if (c->observers.n_interface == 0)
		return;
	for (size_t i = 0; i < d->live->n_ifaces; i++) {
		const struct sp_iface *now = &d->live->ifaces[i];
		/* Rows keep their order between polls: look in the same slot first. */
		const struct sp_iface *before = old && i < old->n_ifaces &&
		    old->ifaces[i].index == now->index ? &old->ifaces[i] :
		    device_iface_by_index(old, now->index);
		observe_interface(c, d, before, now);
	}
}

int
inventory_apply_poll(struct collector *c, struct device *d, const struct sp_result *r)
{
	device_touch(d);
	char old_status[16];
	snprintf(old_status, sizeof(old_status), "%s", d->status ? d->status : "unknown");
	int changed = update_text(&d->status, sp_status_name(r->status));
	if (changed)
		log_info("device %s (%s) is %s%s%s", d->name, d->address, d->status,
		    r->error ? ": " : "", r->error ? r->error : "");
	d->poll_duration = r->duration;
	if (r->status == SP_STATUS_UP) {
		d->last_seen = r->started + r->duration;
		changed |= update_text(&d->sys_descr, r->sys_descr);
		changed |= update_text(&d->sys_object_id, r->sys_object_id);
		changed |= update_text(&d->sys_name, r->sys_name);
		changed |= update_text(&d->sys_location, r->sys_location);
		changed |= update_text(&d->sys_contact, r->sys_contact);
		changed |= update_text(&d->vendor, r->vendor);
		changed |= update_text(&d->firmware, r->firmware);
		if (d->serial == NULL)
			changed |= update_text(&d->serial, r->serial);
		if (d->model == NULL)
			changed |= update_text(&d->model, r->model);
		/* A device added without a name is called by its sysName once known. */
		if (strcmp(d->name, d->address) == 0 && r->sys_name != NULL && r->sys_name[0] &&
		    util_utf8_valid(r->sys_name, strlen(r->sys_name)) && strlen(r->sys_name) < 256 &&
		    device_by_name(c->devices, r->sys_name) == NULL)
			changed |= update_text(&d->name, r->sys_name);
		if (!d->kind_set && r->kind != NULL)
			changed |= update_text(&d->kind, r->kind);
		struct device_live *live = device_live_from_result(r);
		if (live != NULL) {
			struct device_live *old = d->live;
			d->live = live;
			tell_interfaces(c, d, old);
			device_live_free(old);
		}
		if (r->n_tables > 0 || r->slow_walked)
			observe_tables(c, d, r);
	}
	observe_device(c, d, old_status, d->status);
	return changed;
}

static void
on_result(const struct sp_result *r, void *arg)
{
	struct collector *c = arg;
	struct device *d = device_get(c->devices, r->device_id);
	if (d == NULL)
		return;
	c->metrics.snmp_polls++;
	c->metrics.snmp_polls_failed += r->status != SP_STATUS_UP;
	c->metrics.snmp_requests += r->stats.requests;
	c->metrics.snmp_timeouts += r->stats.timeouts;
	c->metrics.snmp_values += r->stats.values;
	c->metrics.snmp_poll_seconds += r->duration;
	int changed = inventory_apply_poll(c, d, r);
	if (r->status == SP_STATUS_UP)
		record_metrics(c, d, r);
	if (changed || util_now() - d->last_saved > SAVE_EVERY)
		save_device(c, d);
}

static int
snmpbridge_start(struct collector *c)
{
	struct sp_poller_config cfg;
	sp_poller_config_defaults(&cfg);
	cfg.timeout_ms = (int)c->cfg.snmp_timeout_ms;
	cfg.retries = (int)c->cfg.snmp_retries;
	cfg.interval = (int)c->cfg.snmp_interval;
	cfg.jitter_pct = (int)c->cfg.snmp_jitter_pct;
	cfg.max_inflight = (int)c->cfg.snmp_max_inflight;
	cfg.bulk_max = (int)c->cfg.snmp_bulk_max;
	cfg.max_concurrent_polls = (int)c->cfg.snmp_max_concurrent;
	cfg.slow_interval = (int)c->cfg.topology_interval;	/* neighbour tables */
	/* The profiles were read before the privilege drop (assets.c). */
	c->poller = sp_poller_new_with(c->base, &cfg, c->profiles, on_result, c);
	if (c->poller == NULL)
		return -1;
	for (struct device *d = device_next(c->devices, NULL); d; d = device_next(c->devices, d))
		snmpbridge_watch(c, d);
	log_info("snmp: %zu devices scheduled", sp_poller_count(c->poller));
	return 0;
}

static void
snmpbridge_stop(struct collector *c)
{
	sp_poller_free(c->poller);
	c->poller = NULL;
}

/* Polls every monitored device from the inventory once storage is up. */
const struct subsystem snmp_subsystem = {
	.name = "snmp",
	.start = snmpbridge_start,
	.stop = snmpbridge_stop,
};
