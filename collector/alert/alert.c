/*
 * alert.c — the alert subsystem: feeds the engine from the observers
 * (samples, device polls, interfaces, sensors), runs its timers, tells each
 * change to observe_alert (notify/ delivers), offers alert_condition /
 * alert_ack / alert_get (services.h), and keeps alerts and maintenance
 * windows in SQLite through the store's job queue (never on the loop).
 */
#include "collector/collector.h"
#include "collector/alert/alert.h"
#include "collector/ingest/ingest.h"
#include "collector/inventory/inventory.h"
#include "collector/snmp/snmp.h"
#include "collector/store/store.h"

#include <event2/event.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"

#define FLUSH_MAX 2000		/* alerts written per tick (and per stop round) */

struct alert_sys {
	struct collector *c;
	struct alert_engine *e;
	struct event *tick;
	int loaded, stopped;
	struct save_job *retry;		/* rows the store could not take yet */
	double last_prune;
	json_t *api_rules;		/* rules made through the API: [rule objects] */
	double t0_wall, t0_mono;	/* steady_now() */
	uint32_t *early;		/* series with samples before the load was done */
	size_t n_early, cap_early;
};

/* The engine's clock: wall time at start plus the monotonic time since, so
 * that a stepped system clock neither fires no-data nor cuts a `for` short
 * (shown times may drift from the wall clock by the size of the step). */
static double
steady_now(const struct alert_sys *as)
{
	return as->t0_wall + (util_monotonic() - as->t0_mono);
}

static struct alert_sys *
sys_of(struct collector *c)
{
	return c->services.alert_get != NULL ? c->services.alert_arg : NULL;
}

struct alert_engine *
alert_engine_of(struct collector *c)
{
	struct alert_sys *a = sys_of(c);
	return a && a->loaded ? a->e : NULL;
}

/* ---- persistence ----------------------------------------------------------- */

struct save_job {
	struct alert_row *rows;
	char **texts;
	size_t n;
	double prune_before;		/* > 0: also drop resolved alerts older */
	struct save_job *next;
};

static void
save_job_free(struct save_job *j)
{
	for (size_t i = 0; i < j->n; i++)
		free(j->texts[i]);
	free(j->texts);
	free(j->rows);
	free(j);
}

static void
save_run(struct store *st, void *arg)
{
	struct save_job *j = arg;
	alerts_db_save(store_db(st), j->rows, j->n);
	if (j->prune_before > 0)
		alerts_db_prune(store_db(st), j->prune_before);
	save_job_free(j);
}

/* The engine's object plus what only the engine needs back after a restart. */
static char *
stored_json(struct alert_engine *e, const struct alert *a)
{
	json_t *j = alert_to_json(NULL, a);
	json_object_set_new(j, "key", json_string(a->key));
	json_object_set_new(j, "device_rule", json_boolean(a->device_rule));
	(void)e;
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return s;
}

static void
flush(struct alert_sys *as, double prune_before)
{
	/* a bounded slice a tick: a rule storm is written over several seconds
	 * rather than holding the loop while 100,000 objects are serialised */
	struct alert *d = alert_engine_take_dirty(as->e, FLUSH_MAX);
	size_t n = 0;
	for (struct alert *a = d; a; a = a->next_dirty)
		n++;
	if (n > 0 || prune_before > 0) {
		struct save_job *j = calloc(1, sizeof(*j));
		if (j == NULL || (n && ((j->rows = calloc(n, sizeof(*j->rows))) == NULL ||
		    (j->texts = calloc(n, sizeof(char *))) == NULL))) {
			if (j)
				save_job_free(j);
			log_warnx("alerts: out of memory saving %zu alerts", n);
			return;
		}
		for (struct alert *a = d; a; a = a->next_dirty) {
			char *t = stored_json(as->e, a);
			if (t == NULL)
				continue;
			j->texts[j->n] = t;
			j->rows[j->n] = (struct alert_row){ a->id, alert_state_name(a->state),
			    a->started, a->updated, a->state == AS_RESOLVED ? a->ended : 0, t };
			/* held alerts are stored as firing: a restart decides them anew */
			j->n++;
		}
		j->prune_before = prune_before;
		j->next = NULL;
		struct save_job **tail = &as->retry;
		while (*tail)
			tail = &(*tail)->next;
		*tail = j;
	}
	/* in order; what the queue cannot take waits for the next tick */
	while (as->retry != NULL && as->c->store != NULL) {
		struct save_job *j = as->retry;
		as->retry = j->next;
		if (store_call(as->c->store, save_run, NULL, j) < 0) {
			j->next = as->retry;
			as->retry = j;
			break;
		}
	}
}

/* ---- changes out ------------------------------------------------------------- */

static void
on_change(void *arg, struct alert *a, const char *event, int notify)
{
	struct alert_sys *as = arg;
	if (as->c->observers.n_alert == 0)
		return;
	json_t *j = alert_to_json(as->e, a);
	json_t *root = NULL;
	if (a->root_cause) {
		struct alert *r = alert_engine_get(as->e, a->root_cause);
		/* without its children: 2,000 suppressed changes would each list 2,000 */
		root = r ? alert_to_json(NULL, r) : NULL;
	}
	struct alert_change ch = { event, j, root, a->affected, notify, NULL };
	observe_alert(as->c, &ch);
	json_decref(j);
	json_decref(root);
}

static void
on_repoll(void *arg, int64_t device_id)
{
	struct alert_sys *as = arg;
	const struct services *sv = &as->c->services;
	if (sv->poll_now != NULL)
		sv->poll_now(sv->poll_arg, device_id);
}

static size_t
on_path(void *arg, int64_t device_id, int64_t *out, size_t max)
{
	struct alert_sys *as = arg;
	const struct services *sv = &as->c->services;
	return sv->topology_path ? sv->topology_path(sv->topology_arg, device_id, out, max) : 0;
}

/* ---- observers in ------------------------------------------------------------ */

static void
on_sample(void *arg, const struct series *s, double ts, double value)
{
	struct alert_sys *as = arg;
	if (as->stopped)
		return;
	if (!as->loaded) {	/* evaluated once the stored alerts are in (load_done) */
		if (as->n_early == as->cap_early && as->cap_early < (1u << 22)) {
			size_t cap = as->cap_early ? as->cap_early * 2 : 1024;
			uint32_t *v = realloc(as->early, cap * sizeof(*v));
			if (v != NULL)
				as->early = v, as->cap_early = cap;
		}
		if (as->n_early < as->cap_early)
			as->early[as->n_early++] = s->id;
		return;
	}
	double now = steady_now(as);
	if (alert_engine_sample(as->e, s->id, ts, value, now) == 0)
		return;
	const char *host = series_host_name(as->c->series, s->host_id);
	const struct device *d = host ? device_by_name(as->c->devices, host) : NULL;
	struct alert_series info = { s->id, s->key, s->keylen, host,
		d ? d->kind : (host ? "server" : NULL), d ? d->id : 0 };
	alert_engine_learn(as->e, &info, 0);
	alert_engine_sample(as->e, s->id, ts, value, now);
}

static void
on_device(void *arg, const struct device *d, const char *old_status, const char *new_status)
{
	struct alert_sys *as = arg;
	(void)old_status;
	if (!as->loaded || as->stopped || !d->monitored)
		return;
	double now = steady_now(as);
	alert_engine_device(as->e, d->id, d->name, d->kind, new_status, now);
	if (d->live == NULL || strcmp(new_status, "up") != 0)
		return;
	for (size_t i = 0; i < d->live->n_sensors; i++) {
		const struct sp_sensor *s = &d->live->sensors[i];
		alert_engine_sensor(as->e, d->id, d->name, d->kind, s->name, s->type, s->state,
		    s->value, now);
	}
}

static void
on_interface(void *arg, const struct device *d, const struct sp_iface *old,
    const struct sp_iface *now)
{
	struct alert_sys *as = arg;
	(void)old;
	if (!as->loaded || as->stopped)
		return;
	double t = steady_now(as);
	alert_engine_iface(as->e, d->id, d->name, d->kind, now->name, now->alias,
	    now->admin_status, now->oper_status, t);
	/* utilisation: the busier direction against the port's speed */
	if (now->speed_bps > 0 && isfinite(now->in_bps) && isfinite(now->out_bps)) {
		double bps = now->in_bps > now->out_bps ? now->in_bps : now->out_bps;
		alert_engine_value(as->e, "interface", "utilisation_percent", "ifName", now->name,
		    d->id, d->name, d->kind, 100.0 * bps / (double)now->speed_bps, t);
	}
}

/* ---- services ----------------------------------------------------------------- */

static int
svc_condition(void *arg, const struct alert_condition *cond)
{
	struct alert_sys *as = arg;
	if (cond->alert_id != NULL)
		*cond->alert_id = 0;
	if (!as->loaded || as->stopped)
		return -1;
	const struct device *d = cond->device_id ? device_get(as->c->devices, cond->device_id) :
	    NULL;
	if (alert_engine_condition(as->e, cond, d ? d->name : NULL, steady_now(as)) < 0) {
		log_warnx("alerts: condition from %s refused (needs a rule name of at most 128 "
		    "bytes and severity critical, warning or info)", cond->rule ? cond->rule :
		    "(no rule)");
		return -1;
	}
	flush(as, 0);
	return 0;
}

static int
svc_ack(void *arg, int64_t id, const char *who, const char *comment, const char *via)
{
	struct alert_sys *as = arg;
	if (!as->loaded || as->stopped)
		return -1;
	int rc = alert_engine_ack(as->e, id, who, comment, via, steady_now(as));
	flush(as, 0);
	return rc == 0 ? 0 : -1;
}

static json_t *
svc_get(void *arg, int64_t id)
{
	struct alert_sys *as = arg;
	struct alert *a = as->loaded ? alert_engine_get(as->e, id) : NULL;
	return a ? alert_to_json(as->e, a) : NULL;
}

/* ---- timers ------------------------------------------------------------------- */

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct alert_sys *as = arg;
	(void)fd;
	(void)what;
	if (!as->loaded || as->stopped)
		return;
	double now = steady_now(as);
	alert_engine_tick(as->e, now);
	double prune = 0;
	if (now - as->last_prune > 3600) {
		as->last_prune = now;
		prune = now - (double)as->c->cfg.alert_history;
		alert_engine_forget_before(as->e, prune);
	}
	flush(as, prune);
}

static void apply_rules(struct alert_sys *as, const struct collector_config *cfg);

/* ---- start: rules, then what SQLite remembers --------------------------------- */

struct load_job {
	struct alert_sys *as;
	double since;
	int64_t max_id;			/* the highest alert id ever stored */
	json_t *alerts;			/* [json text, ...] */
	json_t *maint;			/* [[id, json text], ...] */
	json_t *rules;			/* [json text, ...] */
};

static void
load_alert_row(const char *json, void *arg)
{
	json_array_append_new(arg, json_string(json));
}

static void
load_maint_row(int64_t id, const char *json, void *arg)
{
	json_array_append_new(arg, json_pack("[I, s]", (json_int_t)id, json));
}

static void
load_run(struct store *st, void *arg)
{
	struct load_job *j = arg;
	alerts_db_load(store_db(st), j->since, load_alert_row, j->alerts);
	j->max_id = alerts_db_max_id(store_db(st));
	maint_db_load(store_db(st), load_maint_row, j->maint);
	rules_db_load(store_db(st), load_alert_row, j->rules);
}

static void
load_done(void *arg)
{
	struct load_job *j = arg;
	struct alert_sys *as = j->as;
	size_t i, open = 0;
	json_t *v;
	json_array_foreach(j->alerts, i, v) {
		json_t *o = json_loads(json_string_value(v), 0, NULL);
		struct alert *a = o ? alert_from_json(o) : NULL;
		json_decref(o);
		if (a != NULL) {
			open += a->state != AS_RESOLVED;
			alert_engine_restore(as->e, a);
		}
	}
	alert_engine_reserve_ids(as->e, j->max_id);
	size_t n = json_array_size(j->maint);
	struct maint_window **w = calloc(n ? n : 1, sizeof(*w));
	size_t k = 0;
	json_array_foreach(j->maint, i, v) {
		char err[256];
		json_t *o = json_loads(json_string_value(json_array_get(v, 1)), 0, NULL);
		struct maint_window *mw = o && w ? maint_from_json(o, err, sizeof(err)) : NULL;
		if (mw != NULL) {
			mw->id = json_integer_value(json_array_get(v, 0));
			json_t *by = json_object_get(o, "created_by");
			mw->created_by = json_is_string(by) ? strdup(json_string_value(by)) : NULL;
			w[k++] = mw;
		}
		json_decref(o);
	}
	alert_engine_set_maintenance(as->e, w, k);
	json_array_foreach(j->rules, i, v) {
		json_t *o = json_loads(json_string_value(v), 0, NULL);
		if (json_is_object(o))
			json_array_append(as->api_rules, o);
		json_decref(o);
	}
	if (json_array_size(as->api_rules) > 0)
		apply_rules(as, &as->c->cfg);
	/* Series already known: their rules now, so that nodata counts from the
	 * last sample stored even if nothing comes after a restart. */
	uint32_t cursor = 0;
	struct series *s;
	while ((s = series_next(as->c->series, &cursor)) != NULL) {
		if (s->kind != 0 || s->last_ts <= 0)
			continue;
		const char *host = series_host_name(as->c->series, s->host_id);
		const struct device *d = host ? device_by_name(as->c->devices, host) : NULL;
		struct alert_series info = { s->id, s->key, s->keylen, host,
			d ? d->kind : (host ? "server" : NULL), d ? d->id : 0 };
		/* the silence counts from the restart: downtime is not the agent's */
		alert_engine_learn(as->e, &info, steady_now(as));
	}
	/* series that had samples while the stored alerts loaded: their last value */
	for (size_t e = 0; e < as->n_early; e++) {
		struct series *es = series_by_id(as->c->series, as->early[e]);
		if (es != NULL && isfinite(es->last))
			alert_engine_sample(as->e, es->id, es->last_ts, es->last, steady_now(as));
	}
	free(as->early);
	as->early = NULL;
	as->n_early = 0;
	as->loaded = 1;
	log_info("alerts: %zu open, %zu in history, %zu maintenance windows", open,
	    json_array_size(j->alerts) - open, k);
	json_decref(j->alerts);
	json_decref(j->maint);
	json_decref(j->rules);
	free(j);
}

/* The configuration's rules (defaults, alerts.rules, includes) and the
 * API's, as one set: 0, or -1 with every problem in errs (what parsed is
 * still in out). */
static int
build_rules(const struct collector_config *cfg, const json_t *api, struct alert_rules *out,
    struct cfg_errors *errs)
{
	int rc = alert_rules_load(cfg, out, errs);
	if (api != NULL && json_array_size(api) > 0 && alert_rules_add_json(api, out, errs) < 0)
		rc = -1;
	return rc;
}

static void
apply_rules(struct alert_sys *as, const struct collector_config *cfg)
{
	struct alert_rules rules;
	struct cfg_errors errs = { 0 };
	if (build_rules(cfg, as->api_rules, &rules, &errs) < 0)
		for (size_t i = 0; i < errs.n; i++)	/* e.g. a file changed since -t */
			log_warnx("alerts: %s", errs.msgs[i]);
	cfg_errors_clear(&errs);
	size_t n = rules.n;
	alert_engine_set_rules(as->e, &rules, steady_now(as));
	log_info("alerts: %zu rules", n);
}

static struct alert_engine_config
engine_config(const struct collector_config *cfg)
{
	return (struct alert_engine_config){ (int)cfg->alert_flap_changes,
		(double)cfg->alert_flap_window, (double)cfg->alert_hold,
		(double)cfg->alert_escalate_after };
}

static int
alert_start(struct collector *c)
{
	if (!c->cfg.alerts_evaluate) {
		log_info("alerts: not evaluated (alerts.evaluate is off)");
		return 0;
	}
	struct alert_sys *as = calloc(1, sizeof(*as));
	if (as == NULL)
		return -1;
	as->c = c;
	as->t0_wall = util_now();
	as->t0_mono = util_monotonic();
	struct alert_engine_config ec = engine_config(&c->cfg);
	struct alert_engine_ops ops = { on_change, on_path, on_repoll, as };
	if ((as->e = alert_engine_new(&ec, &ops)) == NULL) {
		free(as);
		return -1;
	}
	as->api_rules = json_array();
	apply_rules(as, &c->cfg);	/* the API's rules join once read (load_done) */
	struct observer o = { .name = "alerts", .sample = on_sample, .device = on_device,
		.interface = on_interface, .arg = as };
	if (observe_add(c, &o) < 0) {
		log_warnx("alerts: no room for another observer");
		alert_engine_free(as->e);
		free(as);
		return -1;
	}
	c->services.alert_condition = svc_condition;
	c->services.alert_ack = svc_ack;
	c->services.alert_get = svc_get;
	c->services.alert_arg = as;
	struct load_job *j = calloc(1, sizeof(*j));
	if (j != NULL) {
		j->as = as;
		j->since = util_now() - (double)c->cfg.alert_history;
		j->alerts = json_array();
		j->maint = json_array();
		j->rules = json_array();
	}
	if (j == NULL || store_call(c->store, load_run, load_done, j) < 0) {
		log_warnx("alerts: cannot read the stored alerts; starting without them");
		if (j) {
			json_decref(j->alerts);
			json_decref(j->maint);
			json_decref(j->rules);
			free(j);
		}
		as->loaded = 1;
	}
	struct timeval one = { 1, 0 };
	as->tick = event_new(c->base, -1, EV_PERSIST, on_tick, as);
	if (as->tick == NULL || event_add(as->tick, &one) < 0)
		return -1;
	return 0;
}

static void
alert_reload(struct collector *c)
{
	struct alert_sys *as = sys_of(c);
	struct collector_config fresh;
	struct cfg_errors errs = { 0 };
	if (as == NULL)
		return;
	/* collector.c kept the old values; the rules come from the file again */
	if (collector_config_load(&fresh, c->config_path, &errs) < 0) {
		cfg_errors_clear(&errs);
		cfg_free(collector_schema(), &fresh);
		return;		/* collector.c said why */
	}
	apply_rules(as, &fresh);
	cfg_errors_clear(&errs);
	/* keep the new rule settings: later API changes rebuild from them (the
	 * old ones go with fresh) */
	struct cfg_node *node = c->cfg.alert_rules;
	c->cfg.alert_rules = fresh.alert_rules;
	fresh.alert_rules = node;
	struct cfg_strlist inc = c->cfg.alert_include;
	c->cfg.alert_include = fresh.alert_include;
	fresh.alert_include = inc;
	c->cfg.alerts_defaults = fresh.alerts_defaults;
	cfg_free(collector_schema(), &fresh);
	flush(as, 0);
}

static void
alert_stop(struct collector *c)
{
	struct alert_sys *as = sys_of(c);
	if (as == NULL)
		return;
	/* everything left, slice by slice; the store thread runs its queue
	 * before it stops */
	for (int i = 0; as->loaded && i < 1000; i++) {
		flush(as, 0);
		if (!alert_engine_has_dirty(as->e))
			break;
	}
	as->stopped = 1;
	if (as->tick)
		event_free(as->tick);
	as->tick = NULL;
}

static void
alert_release(struct collector *c)
{
	struct alert_sys *as = sys_of(c);
	if (as == NULL)
		return;
	c->services.alert_condition = NULL;
	c->services.alert_ack = NULL;
	c->services.alert_get = NULL;
	c->services.alert_arg = NULL;
	while (as->retry) {
		struct save_job *j = as->retry;
		as->retry = j->next;
		save_job_free(j);
	}
	alert_engine_free(as->e);
	json_decref(as->api_rules);
	free(as->early);
	free(as);
}

const struct subsystem alert_subsystem = {
	.name = "alerts",
	.start = alert_start,
	.reload = alert_reload,
	.stop = alert_stop,
	.release = alert_release,
};

/* ---- maintenance from the API ------------------------------------------------- */

int
alert_maintenance_add(struct collector *c, struct maint_window *w)
{
	struct alert_sys *as = sys_of(c);
	if (as == NULL)
		return -1;
	size_t n;
	const struct maint_window *const *old = alert_engine_maintenance(as->e, &n);
	struct maint_window **v = calloc(n + 1, sizeof(*v));
	if (v == NULL)
		return -1;
	memcpy(v, old, n * sizeof(*v));
	v[n] = w;
	/* the engine frees the old array, not the windows it still holds */
	struct maint_window **prev = (struct maint_window **)old;
	alert_engine_set_maintenance_keep(as->e, v, n + 1);
	free(prev);
	return 0;
}

int
alert_maintenance_delete(struct collector *c, int64_t id)
{
	struct alert_sys *as = sys_of(c);
	if (as == NULL)
		return -1;
	size_t n, k = 0;
	const struct maint_window *const *old = alert_engine_maintenance(as->e, &n);
	struct maint_window **v = calloc(n ? n : 1, sizeof(*v)), *gone = NULL;
	if (v == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (old[i]->id == id)
			gone = (struct maint_window *)old[i];
		else
			v[k++] = (struct maint_window *)old[i];
	struct maint_window **prev = (struct maint_window **)old;
	alert_engine_set_maintenance_keep(as->e, v, k);
	free(prev);
	maint_free(gone);
	return gone ? 0 : -1;
}

/* ---- rules made through the API --------------------------------------------- */

const json_t *
alert_api_rules(struct collector *c)
{
	struct alert_sys *as = sys_of(c);
	return as ? as->api_rules : NULL;
}

int
alert_api_rules_check(struct collector *c, const json_t *candidate, struct cfg_errors *errs)
{
	struct alert_rules rules;
	int rc = build_rules(&c->cfg, candidate, &rules, errs);
	alert_rules_free(&rules);
	return rc;
}

void
alert_api_rules_set(struct collector *c, json_t *rules)
{
	struct alert_sys *as = sys_of(c);
	if (as == NULL) {
		json_decref(rules);
		return;
	}
	json_decref(as->api_rules);
	as->api_rules = rules;
	apply_rules(as, &c->cfg);
	flush(as, 0);
}
