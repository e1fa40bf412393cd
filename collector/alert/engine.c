/*
 * engine.c — alert evaluation and states, with the time passed in.
 *
 * A "subject" is one thing a rule watches (a series, a device, a sensor,
 * a device's ports); it keeps the level it is at, a pending level for
 * `for`, the last data time for `nodata`, the recent state changes for flap
 * detection and its open alert. Series reach their subjects through an
 * array indexed by series id (filled on first sight), so a sample costs an
 * index and a comparison or two. Alerts live in memory (by id; open ones by
 * key and device-status ones by device id); the subsystem writes the dirty
 * ones to SQLite.
 */
#include "collector/alert/alert.h"
#include "collector/alert/anomaly.h"
#include "collector/services.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLAP_MAX 64
#define TIMELINE_MAX 100
#define PATH_MAX_HOPS 64

struct subj {
	char *key;
	const struct alert_rule *r;	/* NULL: a condition from outside */
	char *rule_name, *device, *subject, *kind;
	int64_t device_id;
	int cond_sev;			/* conditions */
	int level;			/* 0 ok, 1 warning, 2 critical */
	int pend_level;
	double pend_since;
	int count;			/* status rules: consecutive polls */
	double last_ts, last_value;	/* arrival time of the last data */
	double t_prev, v_prev, slope;	/* predict: the trend */
	struct hw_model *hw;		/* anomaly: the seasonal baseline, made at the 2nd sample */
	double hw_t, hw_v0, hw_step;	/* its last time, first value, step */
	double *changes;		/* flap ring, FLAP_MAX */
	unsigned n_changes;
	struct alert *a, *nd;		/* open alert; open no-data alert */
	UT_hash_handle hh;
};

/* A series' subjects: the common single one inline (one memory access less
 * per sample), more in an array. */
struct scache {
	uint32_t gen;
	uint32_t n;
	union {
		struct subj *one;	/* n == 1 */
		struct subj **m;	/* n > 1 */
	} u;
};

/* Threshold rules by measurement: a new series is checked against its
 * measurement's rules and the rules for any measurement only. */
struct midx {
	char *measurement;
	size_t n;
	uint32_t *rules;
	UT_hash_handle hh;
};

struct alert_engine {
	struct alert_engine_config cfg;
	struct midx *by_measurement;
	uint32_t *any_rules;		/* threshold rules without a measurement */
	size_t n_any;
	struct alert_engine_ops ops;
	struct alert_rules rules;
	uint32_t gen;
	struct subj *subjs;
	struct scache *cache;
	size_t n_cache;
	struct alert *by_id, *by_key, *by_dev;
	struct alert *dirty;
	int64_t next_id;
	double last_held;		/* when the newest device alert was held */
	unsigned batch_gen;		/* decide_held's rounds */
	struct maint_window **maint;
	size_t n_maint;
};

/* ---- names and JSON ------------------------------------------------------ */

static const char *const state_names[] = { "firing", "acknowledged", "resolved",
	"suppressed", "firing" /* held: shown as firing, not yet notified */ };
static const char *const sev_names[] = { "info", "warning", "critical" };

const char *
alert_state_name(enum alert_state s)
{
	return state_names[s];
}

const char *
alert_severity_name(int sev)
{
	return sev >= 0 && sev <= 2 ? sev_names[sev] : "warning";
}

int
alert_severity_parse(const char *s)
{
	for (int i = 0; i < 3; i++)
		if (s != NULL && strcmp(s, sev_names[i]) == 0)
			return i;
	return -1;
}

static int
is_open(const struct alert *a)
{
	return a->state != AS_RESOLVED;
}

json_t *
alert_to_json(struct alert_engine *e, const struct alert *a)
{
	json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s?, s:I, s:s?, s:s?, s:f, s:f}",
	    "id", (json_int_t)a->id, "rule", a->rule, "severity", alert_severity_name(a->severity),
	    "state", alert_state_name(a->state), "device", a->device,
	    "device_id", (json_int_t)a->device_id, "subject", a->subject, "message", a->message,
	    "started", a->started, "updated", a->updated);
	json_object_set_new(j, "value", a->value_text ? json_string(a->value_text) :
	    isfinite(a->value) ? json_real(a->value) : json_null());
	json_object_set_new(j, "ended", a->state == AS_RESOLVED ? json_real(a->ended) :
	    json_null());
	json_object_set_new(j, "root_cause", a->root_cause ? json_integer(a->root_cause) :
	    json_null());
	json_object_set_new(j, "affected", json_integer(a->affected));
	json_object_set_new(j, "acknowledged_by", a->ack_by ? json_string(a->ack_by) :
	    json_null());
	json_object_set_new(j, "ack_comment", a->ack_comment ? json_string(a->ack_comment) :
	    json_null());
	json_object_set_new(j, "timeline", a->timeline ? json_deep_copy(a->timeline) :
	    json_array());
	json_object_set_new(j, "flapping", json_boolean(a->flapping));
	json_object_set_new(j, "maintenance", json_boolean(a->maintenance));
	json_object_set_new(j, "escalated", json_boolean(a->escalated));
	if (a->kind)
		json_object_set_new(j, "kind", json_string(a->kind));
	if (a->note)
		json_object_set_new(j, "note", json_string(a->note));
	if (a->ports)
		json_object_set_new(j, "ports", json_deep_copy(a->ports));
	if (e != NULL && a->affected > 0) {
		json_t *kids = json_array();
		for (struct alert *x = e->by_key; x; x = x->hk.next)
			if (x->root_cause == a->id && x->state == AS_SUPPRESSED)
				json_array_append_new(kids, json_pack("{s:I, s:s?}", "id",
				    (json_int_t)x->id, "device", x->device));
		json_object_set_new(j, "children", kids);
	}
	return j;
}

static char *
jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? strdup(s) : NULL;
}

struct alert *
alert_from_json(json_t *j)
{
	struct alert *a = calloc(1, sizeof(*a));
	if (a == NULL)
		return NULL;
	a->id = json_integer_value(json_object_get(j, "id"));
	a->key = jstr(j, "key");
	a->rule = jstr(j, "rule");
	a->device = jstr(j, "device");
	a->subject = jstr(j, "subject");
	a->message = jstr(j, "message");
	a->kind = jstr(j, "kind");
	a->note = jstr(j, "note");
	a->ack_by = jstr(j, "acknowledged_by");
	a->ack_comment = jstr(j, "ack_comment");
	a->device_id = json_integer_value(json_object_get(j, "device_id"));
	a->severity = alert_severity_parse(json_string_value(json_object_get(j, "severity")));
	if (a->severity < 0)
		a->severity = SEV_WARNING;
	const char *st = json_string_value(json_object_get(j, "state"));
	a->state = AS_FIRING;
	for (int i = 0; st && i < 4; i++)
		if (strcmp(st, state_names[i]) == 0)
			a->state = (enum alert_state)i;
	json_t *v = json_object_get(j, "value");
	a->value = json_is_number(v) ? json_number_value(v) : NAN;
	if (json_is_string(v))
		a->value_text = strdup(json_string_value(v));
	a->started = json_number_value(json_object_get(j, "started"));
	a->updated = json_number_value(json_object_get(j, "updated"));
	a->ended = json_number_value(json_object_get(j, "ended"));
	a->root_cause = json_integer_value(json_object_get(j, "root_cause"));
	a->affected = (int)json_integer_value(json_object_get(j, "affected"));
	a->flapping = json_is_true(json_object_get(j, "flapping"));
	a->maintenance = json_is_true(json_object_get(j, "maintenance"));
	a->escalated = json_is_true(json_object_get(j, "escalated"));
	a->device_rule = json_is_true(json_object_get(j, "device_rule"));
	json_t *t = json_object_get(j, "timeline");
	a->timeline = json_is_array(t) ? json_incref(t) : json_array();
	json_t *p = json_object_get(j, "ports");
	a->ports = json_is_array(p) ? json_incref(p) : NULL;
	if (a->key == NULL || a->rule == NULL || a->id <= 0) {
		alert_free(a);
		return NULL;
	}
	return a;
}

void
alert_free(struct alert *a)
{
	if (a == NULL)
		return;
	free(a->key);
	free(a->rule);
	free(a->device);
	free(a->subject);
	free(a->message);
	free(a->kind);
	free(a->value_text);
	free(a->ack_by);
	free(a->ack_comment);
	free(a->note);
	json_decref(a->timeline);
	json_decref(a->ports);
	free(a);
}

/* ---- bookkeeping --------------------------------------------------------- */

static void
mark(struct alert_engine *e, struct alert *a, double now)
{
	a->updated = now;
	if (!a->dirty) {
		a->dirty = 1;
		a->next_dirty = e->dirty;
		e->dirty = a;
	}
}

int
alert_engine_has_dirty(const struct alert_engine *e)
{
	return e->dirty != NULL;
}

struct alert *
alert_engine_take_dirty(struct alert_engine *e, size_t max)
{
	struct alert *d = e->dirty, *last = NULL;
	size_t n = 0;
	for (struct alert *a = d; a && n < max; a = a->next_dirty, n++) {
		a->dirty = 0;
		last = a;
	}
	if (last == NULL)
		return NULL;
	e->dirty = last->next_dirty;	/* the rest waits for the next call */
	last->next_dirty = NULL;
	return d;
}

static void
timeline(struct alert *a, double now, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
timeline(struct alert *a, double now, const char *fmt, ...)
{
	char what[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (a->timeline == NULL)
		a->timeline = json_array();
	/* keep the start; drop the oldest after it */
	if (json_array_size(a->timeline) >= TIMELINE_MAX)
		json_array_remove(a->timeline, 1);
	json_array_append_new(a->timeline, json_pack("{s:f, s:s}", "ts", now, "what", what));
}

static void
emit(struct alert_engine *e, struct alert *a, const char *event, int notify)
{
	if (e->ops.changed)
		e->ops.changed(e->ops.arg, a, event, notify && !a->maintenance);
}

static int
word_in(const char *list, const char *w)
{
	/* list: names separated by \n */
	if (list == NULL)
		return 1;
	if (w == NULL)
		return 0;
	size_t n = strlen(w);
	for (const char *p = list; *p;) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && memcmp(p, w, n) == 0)
			return 1;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return 0;
}

static int
in_list(char **v, size_t n, const char *w)
{
	for (size_t i = 0; w != NULL && i < n; i++)
		if (strcasecmp(v[i], w) == 0)
			return 1;
	return 0;
}

static int
in_maintenance(struct alert_engine *e, const char *rule, const char *device, const char *kind,
    double now)
{
	for (size_t i = 0; i < e->n_maint; i++)
		if (maint_covers(e->maint[i], now, rule, device, kind))
			return 1;
	return 0;
}

/* {device} {subject} {value} {rule} {severity} {nodata} {eta} {state} */
static char *
render(const struct subj *s, const char *tmpl, int sev, double value, const char *text,
    double eta)
{
	char out[1024];
	size_t o = 0;
	if (tmpl == NULL)
		tmpl = s->r && s->r->type == RULE_STATUS ? "{device} is {value}" :
		    text ? "{rule}: {device} {subject} is {value}" :
		    "{rule}: {device} {subject} = {value}{eta}";
	for (const char *p = tmpl; *p && o + 1 < sizeof(out);) {
		char sub[256] = "";
		const char *close = *p == '{' ? strchr(p, '}') : NULL;
		if (close == NULL || close - p > 20) {
			out[o++] = *p++;
			continue;
		}
		size_t n = (size_t)(close - p - 1);
		const char *k = p + 1;
#define IS(w) (n == strlen(w) && memcmp(k, w, n) == 0)
		if (IS("device"))
			snprintf(sub, sizeof(sub), "%s", s->device ? s->device : "");
		else if (IS("subject"))
			snprintf(sub, sizeof(sub), "%s", s->subject ? s->subject : "");
		else if (IS("rule"))
			snprintf(sub, sizeof(sub), "%s", s->rule_name);
		else if (IS("severity"))
			snprintf(sub, sizeof(sub), "%s", alert_severity_name(sev));
		else if (IS("value") || IS("state"))
			text ? snprintf(sub, sizeof(sub), "%s", text) :
			    snprintf(sub, sizeof(sub), "%.4g", value);
		else if (IS("nagios"))	/* a Nagios state number as its word */
			snprintf(sub, sizeof(sub), "%s", value == 0 ? "OK" : value == 1 ? "WARNING" :
			    value == 2 ? "CRITICAL" : "UNKNOWN");
		else if (IS("nodata"))
			snprintf(sub, sizeof(sub), "%.0f s", s->r ? s->r->nodata_s : 0);
		else if (IS("eta"))
			eta > 0 ? snprintf(sub, sizeof(sub), ", full in about %.1f h", eta / 3600) : 0;
		else {
			out[o++] = *p++;
			continue;
		}
#undef IS
		size_t l = strlen(sub);
		if (o + l >= sizeof(out))
			break;
		memcpy(out + o, sub, l);
		o += l;
		p = close + 1;
	}
	out[o] = '\0';
	return strdup(out);
}

/* Flap ring: record a state change; how many fall in the window. */
static int
flap_push(struct alert_engine *e, struct subj *s, double now)
{
	if (s->changes == NULL && (s->changes = calloc(FLAP_MAX, sizeof(double))) == NULL)
		return 0;
	s->changes[s->n_changes++ % FLAP_MAX] = now;
	int n = 0;
	for (unsigned i = 0; i < FLAP_MAX && i < s->n_changes; i++)
		n += s->changes[i] > now - e->cfg.flap_window;
	return n;
}

static double
flap_last(const struct subj *s)
{
	return s->changes && s->n_changes ? s->changes[(s->n_changes - 1) % FLAP_MAX] : 0;
}

/* ---- root cause ------------------------------------------------------------ */

/* The top-most other device on a's path with an open device alert: its
 * alert (never a suppressed one), or NULL; sets a->note when the
 * topology cannot tell. */
static struct alert *
upstream_root(struct alert_engine *e, struct alert *a)
{
	int64_t path[PATH_MAX_HOPS];
	size_t n = e->ops.path ? e->ops.path(e->ops.arg, a->device_id, path, PATH_MAX_HOPS) : 0;
	if (n == 0) {
		if (a->note == NULL)
			a->note = strdup("no topology yet: the root cause is not known");
		return NULL;
	}
	free(a->note);
	a->note = NULL;
	for (size_t i = 0; i < n && path[i] != a->device_id; i++) {
		struct alert *x;
		HASH_FIND(hd, e->by_dev, &path[i], sizeof(int64_t), x);
		if (x == NULL || x == a)
			continue;
		if (x->state == AS_SUPPRESSED && x->root_cause) {
			struct alert *r;
			HASH_FIND(hh, e->by_id, &x->root_cause, sizeof(int64_t), r);
			if (r != NULL && is_open(r))
				return r;
		}
		return x;
	}
	return NULL;
}

/* quiet: the root's timeline gets one line for the whole batch (decide_held),
 * not one per child — 2,000 lines would be copied into every change. */
static void
suppress_under(struct alert_engine *e, struct alert *child, struct alert *root, double now,
    int quiet)
{
	child->state = AS_SUPPRESSED;
	child->root_cause = root->id;
	root->affected++;
	timeline(child, now, "suppressed: %s is down upstream (alert %lld)", root->device,
	    (long long)root->id);
	if (!quiet)
		timeline(root, now, "%s is down behind it (%d affected)", child->device,
		    root->affected);
	mark(e, child, now);
	mark(e, root, now);
}

/* Held device alerts whose hold is over (or all with force): decide roots
 * and children, then tell roots (with their affected count) and children. */
static void
decide_held(struct alert_engine *e, double now, int force)
{
	/* The hold slides: devices behind a failed core go down over a poll
	 * interval, so all held alerts are decided together once none has
	 * joined for alerts.hold (at most 4 holds after the first). */
	size_t n = 0;
	double first = now;
	for (struct alert *a = e->by_dev; a; a = a->hd.next)
		if (a->state == AS_HELD) {
			n++;
			if (a->started < first)
				first = a->started;
		}
	if (n == 0 || (!force && now < e->last_held + e->cfg.hold &&
	    now < first + 4 * e->cfg.hold))
		return;
	struct alert **batch = malloc(n * sizeof(*batch));
	if (batch == NULL)
		return;		/* the next tick tries again */
	n = 0;
	for (struct alert *a = e->by_dev; a; a = a->hd.next)
		if (a->state == AS_HELD)
			batch[n++] = a;
	/* Roots first: a held alert with nothing down upstream. */
	for (size_t i = 0; i < n; i++) {
		struct alert *r = upstream_root(e, batch[i]);
		batch[i]->root_cause = r ? -1 : 0;	/* -1: decided below */
	}
	for (size_t i = 0; i < n; i++)
		if (batch[i]->root_cause == 0) {
			batch[i]->state = AS_FIRING;
			timeline(batch[i], now, "%s", batch[i]->note ? batch[i]->note :
			    "root cause: nothing upstream is down");
		}
	for (size_t i = 0; i < n; i++)
		if (batch[i]->root_cause == -1) {
			batch[i]->root_cause = 0;
			struct alert *r = upstream_root(e, batch[i]);
			if (r != NULL)
				suppress_under(e, batch[i], r, now, 1);
			else
				batch[i]->state = AS_FIRING;
		}
	/* A new root may sit above alerts that fired on their own before it. */
	for (size_t i = 0; i < n; i++) {
		struct alert *root = batch[i];
		if (root->state != AS_FIRING || e->ops.path == NULL)
			continue;
		for (struct alert *x = e->by_dev; x; x = x->hd.next) {
			if (x == root || x->root_cause || x->state == AS_HELD ||
			    x->state == AS_SUPPRESSED)
				continue;
			int64_t path[PATH_MAX_HOPS];
			size_t m = e->ops.path(e->ops.arg, x->device_id, path, PATH_MAX_HOPS);
			for (size_t k = 0; k + 1 < m; k++)
				if (path[k] == root->device_id) {
					suppress_under(e, x, root, now, 0);
					emit(e, x, "firing", 0);
					break;
				}
		}
	}
	/* roots that took children in this batch: one line for them all */
	e->batch_gen++;
	for (size_t i = 0; i < n; i++)
		if (batch[i]->state == AS_SUPPRESSED) {
			struct alert *r;
			HASH_FIND(hh, e->by_id, &batch[i]->root_cause, sizeof(int64_t), r);
			if (r != NULL && r->batch_gen != e->batch_gen) {
				r->batch_gen = e->batch_gen;
				timeline(r, now, "%d devices down behind it", r->affected);
			}
		}
	for (size_t i = 0; i < n; i++)
		if (batch[i]->state == AS_FIRING) {
			mark(e, batch[i], now);
			emit(e, batch[i], "firing", 1);
		}
	for (size_t i = 0; i < n; i++)
		if (batch[i]->state == AS_SUPPRESSED)
			emit(e, batch[i], "firing", 0);
	free(batch);
}

/* ---- raising and resolving ----------------------------------------------- */

/* Is the path above a device found down really up? Ask for fresh polls
 * of it now: their answers arrive within the hold. */
static void
repoll_upstream(struct alert_engine *e, const struct alert *a)
{
	int64_t path[PATH_MAX_HOPS];
	if (e->ops.repoll == NULL || e->ops.path == NULL || e->cfg.hold <= 0)
		return;
	size_t n = e->ops.path(e->ops.arg, a->device_id, path, PATH_MAX_HOPS);
	for (size_t i = 0; i < n && path[i] != a->device_id; i++) {
		struct alert *x;
		HASH_FIND(hd, e->by_dev, &path[i], sizeof(int64_t), x);
		if (x == NULL)		/* known down already: no need to ask */
			e->ops.repoll(e->ops.arg, path[i]);
	}
}

static int
sev_of(const struct subj *s, int level)
{
	if (s->r == NULL)
		return s->cond_sev;
	if (s->r->type != RULE_THRESHOLD)
		return s->r->severity;
	return level >= 2 ? SEV_CRITICAL : SEV_WARNING;
}

static struct alert *
new_alert(struct alert_engine *e, struct subj *s, const char *key, const char *subject,
    int sev, double value, const char *text, double eta, double now)
{
	struct alert *a = calloc(1, sizeof(*a));
	if (a == NULL)
		return NULL;
	a->id = ++e->next_id;
	a->key = strdup(key);
	a->rule = strdup(s->rule_name);
	a->device = s->device ? strdup(s->device) : NULL;
	a->device_id = s->device_id;
	a->kind = s->kind ? strdup(s->kind) : NULL;
	a->subject = strdup(subject ? subject : "");
	a->severity = sev;
	a->value = value;
	a->value_text = text ? strdup(text) : NULL;
	a->message = render(s, s->r ? s->r->message : NULL, sev, value, text, eta);
	a->started = now;
	a->last_change = now;
	a->state = AS_FIRING;
	a->device_rule = s->r != NULL && s->r->type == RULE_STATUS;
	a->maintenance = in_maintenance(e, a->rule, a->device, a->kind, now);
	timeline(a, now, "%s: %s%s", alert_severity_name(sev), a->message,
	    a->maintenance ? " (maintenance: not notified)" : "");
	HASH_ADD(hh, e->by_id, id, sizeof(int64_t), a);
	HASH_ADD_KEYPTR(hk, e->by_key, a->key, strlen(a->key), a);
	if (a->device_rule && a->device_id)
		HASH_ADD(hd, e->by_dev, device_id, sizeof(int64_t), a);
	mark(e, a, now);
	return a;
}

static void
raise_level(struct alert_engine *e, struct subj *s, int level, double value, const char *text,
    double eta, double now)
{
	int sev = sev_of(s, level);
	struct alert *a = s->a;
	s->level = level;
	s->pend_level = 0;
	s->pend_since = 0;
	if (a != NULL) {
		if (a->flapping && a->last_change > 0 && a->state != AS_RESOLVED) {
			flap_push(e, s, now);
			a->last_change = now;
			timeline(a, now, "problem again (flapping)");
			mark(e, a, now);
			return;
		}
		if (sev > a->severity) {
			a->severity = sev;
			a->value = value;
			timeline(a, now, "now %s (%.4g)", alert_severity_name(sev), value);
			mark(e, a, now);
			if (a->state == AS_FIRING)
				emit(e, a, "firing", 1);
		}
		return;
	}
	int changes = flap_push(e, s, now);
	a = new_alert(e, s, s->key, s->subject, sev, value, text, eta, now);
	if (a == NULL)
		return;
	s->a = a;
	if (e->cfg.flap_changes > 0 && changes >= e->cfg.flap_changes && !a->device_rule) {
		/* this firing is the one notice: it stays open while the subject flaps */
		a->flapping = 1;
		timeline(a, now, "flapping: %d state changes within %.0f s; stays open until "
		    "quiet for that long", changes, e->cfg.flap_window);
	}
	if (a->device_rule && a->device_id) {
		/* held: the root cause is decided when the hold is over, so that
		 * the root's one notification carries every device behind it */
		a->state = AS_HELD;
		a->hold_until = now + e->cfg.hold;
		e->last_held = now;
		repoll_upstream(e, a);
		if (e->cfg.hold <= 0)
			decide_held(e, now, 0);
		return;
	}
	emit(e, a, "firing", 1);
}

static void
close_alert(struct alert_engine *e, struct alert *a, double now, const char *why)
{
	enum alert_state was = a->state;
	a->state = AS_RESOLVED;
	a->ended = now;
	timeline(a, now, "%s", why);
	HASH_DELETE(hk, e->by_key, a);
	if (a->device_rule && a->device_id) {
		struct alert *x;
		HASH_FIND(hd, e->by_dev, &a->device_id, sizeof(int64_t), x);
		if (x == a)
			HASH_DELETE(hd, e->by_dev, a);
	}
	mark(e, a, now);
	emit(e, a, "resolved", was != AS_SUPPRESSED && was != AS_HELD);
	/* Children still down become alerts of their own at their second poll
	 * after this (orphan_check): most come back with the root. */
}

/* A suppressed child whose root is resolved but which is still down: an
 * alert of its own, at its second down poll after the root closed. The
 * first may have been in flight while the link came back (sent before,
 * timed out after); the second was sent after it. */
static void
orphan_check(struct alert_engine *e, struct alert *a, double now)
{
	struct alert *root;
	HASH_FIND(hh, e->by_id, &a->root_cause, sizeof(int64_t), root);
	if (root != NULL && is_open(root)) {
		a->down_after_root = 0;
		return;
	}
	if (++a->down_after_root < 2)
		return;
	a->root_cause = 0;
	a->state = AS_FIRING;
	timeline(a, now, "%s is back but this is still down: an alert of its own",
	    root && root->device ? root->device : "the root cause");
	mark(e, a, now);
	emit(e, a, "firing", 1);
}

static void
resolve(struct alert_engine *e, struct subj *s, double now)
{
	s->level = 0;
	s->pend_level = 0;
	s->pend_since = 0;
	struct alert *a = s->a;
	if (a == NULL)
		return;
	int changes = flap_push(e, s, now);
	a->last_change = now;
	if (a->flapping) {
		timeline(a, now, "ok again (flapping)");
		mark(e, a, now);
		return;
	}
	if (e->cfg.flap_changes > 0 && changes >= e->cfg.flap_changes &&
	    a->state != AS_SUPPRESSED && a->state != AS_HELD) {
		a->flapping = 1;
		timeline(a, now, "flapping: %d state changes within %.0f s; stays open until "
		    "quiet for that long", changes, e->cfg.flap_window);
		mark(e, a, now);
		emit(e, a, "firing", 1);
		return;
	}
	close_alert(e, a, now, "resolved");
	s->a = NULL;
}

/* ---- subjects -------------------------------------------------------------- */

static struct subj *
subj_get(struct alert_engine *e, const struct alert_rule *r, const char *rule_name,
    const char *device, int64_t device_id, const char *kind, const char *subject)
{
	char key[1024];
	snprintf(key, sizeof(key), "%s\x1f%s\x1f%s", rule_name, device ? device : "",
	    subject ? subject : "");
	struct subj *s;
	HASH_FIND_STR(e->subjs, key, s);
	if (s != NULL) {
		s->device_id = device_id ? device_id : s->device_id;
		return s;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->key = strdup(key);
	s->r = r;
	s->rule_name = strdup(rule_name);
	s->device = device ? strdup(device) : NULL;
	s->subject = strdup(subject ? subject : "");
	s->kind = kind ? strdup(kind) : NULL;
	s->device_id = device_id;
	s->cond_sev = SEV_WARNING;
	HASH_ADD_KEYPTR(hh, e->subjs, s->key, strlen(s->key), s);
	/* An alert open before a restart carries on: no second firing. */
	struct alert *a;
	HASH_FIND(hk, e->by_key, s->key, strlen(s->key), a);
	if (a != NULL) {
		s->a = a;
		s->level = a->severity == SEV_CRITICAL && r && r->type == RULE_THRESHOLD ? 2 : 1;
		s->count = r ? r->polls : 1;
	}
	char ndkey[1100];
	snprintf(ndkey, sizeof(ndkey), "%s\x1fnodata", key);
	HASH_FIND(hk, e->by_key, ndkey, strlen(ndkey), a);
	s->nd = a;
	return s;
}

static void
subj_free(struct subj *s)
{
	free(s->key);
	free(s->rule_name);
	free(s->device);
	free(s->subject);
	free(s->kind);
	free(s->changes);
	hw_model_free(s->hw);
	free(s);
}

/* ---- thresholds ------------------------------------------------------------ */

static int
level_of(const struct alert_rule *r, double v)
{
	if (r->falling) {
		if (r->has_crit && v <= r->crit)
			return 2;
		return r->has_warn && v <= r->warn ? 1 : 0;
	}
	if (r->has_crit && v >= r->crit)
		return 2;
	return r->has_warn && v >= r->warn ? 1 : 0;
}

/*
 * anomaly: feed the subject's seasonal baseline (anomaly.h) and tell whether
 * this value is anomalous. The season in steps comes from the rule's season
 * and the series' step, taken from its first two samples; steps missed in
 * between are fed as gaps, late samples are left out.
 */
static int
anomaly_feed(struct subj *s, const struct alert_rule *r, double ts, double v)
{
	struct hw_verdict vd;
	if (s->hw == NULL) {
		if (s->hw_t == 0 || ts <= s->hw_t) {
			s->hw_t = ts;
			s->hw_v0 = v;
			return 0;
		}
		struct hw_params p;
		hw_params_default(&p);
		double steps = r->anomaly_s / (ts - s->hw_t);
		if (steps < 2 || steps > 100000)
			return 0;	/* a season of one step, or of months of seconds */
		p.season = (unsigned)lround(steps);
		if ((s->hw = hw_model_new(&p)) == NULL)
			return 0;
		s->hw_step = ts - s->hw_t;
		hw_model_update(s->hw, s->hw_v0, &vd);
	} else if (ts <= s->hw_t) {
		return 0;
	} else {
		double missed = floor((ts - s->hw_t) / s->hw_step + 0.5) - 1;
		for (double k = 0; k < missed && k < r->anomaly_s / s->hw_step; k++)
			hw_model_update(s->hw, NAN, &vd);
	}
	s->hw_t = ts;
	hw_model_update(s->hw, v, &vd);
	return vd.anomaly;
}

static void
eval_value(struct alert_engine *e, struct subj *s, double ts, double v, double now)
{
	const struct alert_rule *r = s->r;
	s->last_ts = now;
	s->last_value = v;
	if (s->nd != NULL) {
		close_alert(e, s->nd, now, "data again");
		s->nd = NULL;
	}
	int anomalous = r->anomaly_s > 0 && anomaly_feed(s, r, ts, v);
	if (!r->has_warn && !r->has_crit && r->anomaly_s == 0)
		return;
	double eta = 0;
	if (r->predict_s > 0) {
		if (s->t_prev > 0 && ts > s->t_prev) {
			double inst = (v - s->v_prev) / (ts - s->t_prev);
			s->slope = s->slope == 0 ? inst : 0.8 * s->slope + 0.2 * inst;
		}
		s->t_prev = ts;
		s->v_prev = v;
	}
	int thr = level_of(r, v), want;
	if (!r->has_warn && !r->has_crit) {
		want = anomalous;	/* a baseline alone: a warning while it says so */
	} else if (s->level > 0) {
		int ok = r->falling ? v >= r->recover : v <= r->recover;
		want = ok ? 0 : (thr > s->level ? thr : s->level);
	} else {
		want = thr;
	}
	if (anomalous && want == 0)
		want = 1;		/* off its seasonal baseline */
	/* time to full: a rising trend that reaches crit within predict is a
	 * warning, kept while the trend says so */
	if (want == 0 && r->predict_s > 0 && r->has_crit && !r->falling && s->slope > 0) {
		eta = (r->crit - v) / s->slope;
		if (eta > 0 && eta < r->predict_s)
			want = 1;
	}
	if (want == s->level) {
		s->pend_level = 0;
		s->pend_since = 0;
		if (s->a && s->a->state != AS_RESOLVED)
			s->a->value = v;
		return;
	}
	if (want < s->level) {
		if (want == 0)
			resolve(e, s, now);
		return;
	}
	if (r->for_s > 0) {
		if (s->pend_since == 0 || s->pend_level > want)
			s->pend_since = now;
		s->pend_level = want;
		if (now - s->pend_since < r->for_s)
			return;
	}
	raise_level(e, s, want, v, NULL, eta, now);
}

/* "cpu,cpu=cpu-total,host=h usage_percent" → "cpu,cpu=cpu-total usage_percent" */
static void
subject_of_key(const char *key, size_t keylen, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < keylen && o + 1 < cap;) {
		if (key[i] == ',' && keylen - i > 6 && memcmp(key + i, ",host=", 6) == 0) {
			i += 6;
			while (i < keylen && key[i] != ',' && key[i] != ' ')
				i += key[i] == '\\' && i + 1 < keylen ? 2 : 1;
			continue;
		}
		out[o++] = key[i++];
	}
	out[o] = '\0';
}

void
alert_engine_learn(struct alert_engine *e, const struct alert_series *ser, double last_ts)
{
	if (ser->id >= e->n_cache) {
		size_t n = e->n_cache ? e->n_cache : 1024;
		while (n <= ser->id)
			n *= 2;
		struct scache *c = realloc(e->cache, n * sizeof(*c));
		if (c == NULL)
			return;
		memset(c + e->n_cache, 0, (n - e->n_cache) * sizeof(*c));
		e->cache = c;
		e->n_cache = n;
	}
	struct scache *c = &e->cache[ser->id];
	if (c->n > 1)
		free(c->u.m);
	c->u.m = NULL;
	c->n = 0;
	c->gen = e->gen;
	struct subj **list = NULL;
	char subject[512];
	subject_of_key(ser->key, ser->keylen, subject, sizeof(subject));
	size_t mlen = 0;
	while (mlen < ser->keylen && ser->key[mlen] != ',' && ser->key[mlen] != ' ')
		mlen += ser->key[mlen] == '\\' && mlen + 1 < ser->keylen ? 2 : 1;
	struct midx *mi;
	HASH_FIND(hh, e->by_measurement, ser->key, mlen, mi);
	size_t n_cand = e->n_any + (mi ? mi->n : 0);
	for (size_t k = 0; k < n_cand; k++) {
		const struct alert_rule *r = &e->rules.v[k < e->n_any ? e->any_rules[k] :
		    mi->rules[k - e->n_any]];
		if (!alert_rule_matches_key(r, ser->key, ser->keylen) ||
		    !word_in(r->kind, ser->kind) || !word_in(r->device, ser->host))
			continue;
		struct subj *s = subj_get(e, r, r->name, ser->host, ser->device_id, ser->kind,
		    subject);
		struct subj **m = s ? realloc(list, (c->n + 1) * sizeof(*m)) : NULL;
		if (m == NULL)
			break;
		list = m;
		list[c->n++] = s;
		if (s->last_ts == 0 && last_ts > 0)
			s->last_ts = last_ts;
	}
	if (c->n == 1) {
		c->u.one = list[0];
		free(list);
	} else {
		c->u.m = list;
	}
}

int
alert_engine_sample(struct alert_engine *e, uint32_t id, double ts, double value, double now)
{
	if (id >= e->n_cache || e->cache[id].gen != e->gen)
		return 1;
	if (!isfinite(value))
		return 0;
	const struct scache *c = &e->cache[id];
	if (c->n == 1)
		eval_value(e, c->u.one, ts, value, now);
	else
		for (uint32_t i = 0; i < c->n; i++)
			eval_value(e, c->u.m[i], ts, value, now);
	return 0;
}

/* ---- polls: device status, interfaces, sensors ------------------------------ */

void
alert_engine_device(struct alert_engine *e, int64_t id, const char *name, const char *kind,
    const char *status, double now)
{
	for (size_t i = 0; i < e->rules.n; i++) {
		const struct alert_rule *r = &e->rules.v[i];
		if (r->type != RULE_STATUS || !word_in(r->kind, kind) || !word_in(r->device, name))
			continue;
		struct subj *s = subj_get(e, r, r->name, name, id, kind, "");
		if (s == NULL)
			continue;
		if (in_list(r->states, r->n_states, status)) {
			if (++s->count >= r->polls && s->level == 0)
				raise_level(e, s, 1, NAN, status, 0, now);
			else if (s->a && s->a->state == AS_SUPPRESSED)
				orphan_check(e, s->a, now);
		} else {
			s->count = 0;
			if (s->level > 0 || s->a)
				resolve(e, s, now);
		}
	}
}

static int
looks_uplink(const char *ifname, const char *alias)
{
	static const char *const words[] = { "uplink", "upstream", "trunk", "core", NULL };
	for (int k = 0; words[k]; k++)
		if ((alias && strcasestr(alias, words[k])) || (ifname && strcasestr(ifname, words[k])))
			return 1;
	return 0;
}

void
alert_engine_iface(struct alert_engine *e, int64_t id, const char *name, const char *kind,
    const char *ifname, const char *alias, const char *admin, const char *oper, double now)
{
	if (ifname == NULL)
		return;
	for (size_t i = 0; i < e->rules.n; i++) {
		const struct alert_rule *r = &e->rules.v[i];
		if (r->type != RULE_OPER || !word_in(r->kind, kind) || !word_in(r->device, name))
			continue;
		int down = in_list(r->states, r->n_states, oper) &&
		    (admin == NULL || strcmp(admin, "up") == 0) &&
		    (!r->uplink || looks_uplink(ifname, alias));
		struct subj *s = subj_get(e, r, r->name, name, id, kind, "ports");
		if (s == NULL)
			continue;
		struct alert *a = s->a;
		size_t at = (size_t)-1, k;
		json_t *v;
		if (a && a->ports)
			json_array_foreach(a->ports, k, v)
				if (strcmp(json_string_value(v), ifname) == 0)
					at = k;
		if (down && at == (size_t)-1) {
			if (a == NULL) {
				free(s->subject);
				s->subject = strdup(ifname);
				raise_level(e, s, 1, 1, NULL, 0, now);
				if ((a = s->a) == NULL)
					continue;
				a->ports = json_array();
			} else {
				timeline(a, now, "%s down too", ifname);
				free(a->subject);
				char subj[64];
				snprintf(subj, sizeof(subj), "%zu ports", json_array_size(a->ports) + 1);
				a->subject = strdup(subj);
			}
			json_array_append_new(a->ports, json_string(ifname));
			a->value = (double)json_array_size(a->ports);
			mark(e, a, now);
		} else if (!down && at != (size_t)-1) {
			json_array_remove(a->ports, at);
			a->value = (double)json_array_size(a->ports);
			if (json_array_size(a->ports) == 0) {
				resolve(e, s, now);
			} else {
				timeline(a, now, "%s up again", ifname);
				mark(e, a, now);
			}
		}
	}
}

void
alert_engine_sensor(struct alert_engine *e, int64_t id, const char *name, const char *kind,
    const char *sensor, const char *type, const char *state, double value, double now)
{
	for (size_t i = 0; i < e->rules.n; i++) {
		const struct alert_rule *r = &e->rules.v[i];
		if (r->type != RULE_SENSOR || !word_in(r->kind, kind) || !word_in(r->device, name) ||
		    (r->n_sensor_types && !in_list(r->sensor_types, r->n_sensor_types, type)))
			continue;
		int bad = in_list(r->states, r->n_states, state);
		struct subj *s = bad ? subj_get(e, r, r->name, name, id, kind, sensor) : NULL;
		if (s == NULL) {
			char key[1024];
			snprintf(key, sizeof(key), "%s\x1f%s\x1f%s", r->name, name, sensor);
			HASH_FIND_STR(e->subjs, key, s);
		}
		if (s == NULL)
			continue;
		if (bad && s->level == 0)
			raise_level(e, s, 1, value, state, 0, now);
		else if (!bad && s->level > 0)
			resolve(e, s, now);
	}
}

int
alert_engine_condition(struct alert_engine *e, const struct alert_condition *c,
    const char *device_name, double now)
{
	if (c != NULL && c->alert_id != NULL)
		*c->alert_id = 0;
	if (c == NULL || c->rule == NULL || c->rule[0] == '\0' || strlen(c->rule) > 128)
		return -1;
	int sev = alert_severity_parse(c->severity ? c->severity : "warning");
	if (sev < 0)
		return -1;
	struct subj *s = subj_get(e, NULL, c->rule, device_name, c->device_id, NULL, c->subject);
	if (s == NULL)
		return -1;
	s->cond_sev = sev;
	int64_t resolved = 0;
	if (c->active && s->level == 0) {
		raise_level(e, s, 1, c->value, NULL, 0, now);
		if (s->a && c->message) {
			free(s->a->message);
			s->a->message = strdup(c->message);
		}
	} else if (!c->active && s->level > 0) {
		resolved = s->a ? s->a->id : 0;
		resolve(e, s, now);
	}
	/* active: the alert opened above or kept open; not: the one resolved */
	if (c->alert_id != NULL)
		*c->alert_id = c->active ? (s->a ? s->a->id : 0) : resolved;
	return 0;
}

/* ---- timers ----------------------------------------------------------------- */

void
alert_engine_tick(struct alert_engine *e, double now)
{
	decide_held(e, now, 0);
	for (struct subj *s = e->subjs; s; s = s->hh.next) {
		const struct alert_rule *r = s->r;
		/* for: the condition held long enough without a new sample */
		if (r && s->pend_level > 0 && now - s->pend_since >= r->for_s)
			raise_level(e, s, s->pend_level, s->last_value, NULL, 0, now);
		/* nodata */
		if (r && r->nodata_s > 0 && s->last_ts > 0 && s->nd == NULL &&
		    now - s->last_ts >= r->nodata_s) {
			char key[1100];
			snprintf(key, sizeof(key), "%s\x1fnodata", s->key);
			char subject[600];
			snprintf(subject, sizeof(subject), "%s (no data)", s->subject);
			char *saved = s->subject;
			s->subject = subject;
			s->nd = new_alert(e, s, key, subject, r->severity, NAN, "no data", 0, now);
			s->subject = saved;
			if (s->nd)
				emit(e, s->nd, "firing", 1);
		}
		/* flapping ends after a quiet window, closed if the subject is fine */
		if (s->a && s->a->flapping && now - flap_last(s) >= e->cfg.flap_window) {
			if (s->level == 0) {
				s->a->flapping = 0;
				close_alert(e, s->a, now, "resolved: quiet again after flapping");
				s->a = NULL;
			} else {
				s->a->flapping = 0;
				timeline(s->a, now, "no longer flapping; still a problem");
				mark(e, s->a, now);
			}
		}
	}
	if (e->cfg.escalate_after > 0)
		for (struct alert *a = e->by_key; a; a = a->hk.next)
			if (a->state == AS_FIRING && !a->escalated && !a->maintenance &&
			    now - a->started >= e->cfg.escalate_after) {
				a->escalated = 1;
				timeline(a, now, "escalated: not acknowledged for %.0f s",
				    e->cfg.escalate_after);
				mark(e, a, now);
				emit(e, a, "escalated", 1);
			}
}

int
alert_engine_ack(struct alert_engine *e, int64_t id, const char *who, const char *comment,
    const char *via, double now)
{
	struct alert *a;
	HASH_FIND(hh, e->by_id, &id, sizeof(int64_t), a);
	if (a == NULL)
		return -1;
	if (!is_open(a))
		return -2;
	if (a->state == AS_HELD)
		decide_held(e, now, 1);
	a->state = AS_ACKNOWLEDGED;
	free(a->ack_by);
	free(a->ack_comment);
	a->ack_by = strdup(who ? who : "?");
	a->ack_comment = comment && comment[0] ? strdup(comment) : NULL;
	timeline(a, now, "acknowledged by %s%s%s%s%s", a->ack_by, via ? " via " : "",
	    via ? via : "", a->ack_comment ? ": " : "", a->ack_comment ? a->ack_comment : "");
	mark(e, a, now);
	emit(e, a, "acknowledged", 1);
	return 0;
}

/* ---- life ------------------------------------------------------------------- */

struct alert_engine *
alert_engine_new(const struct alert_engine_config *cfg, const struct alert_engine_ops *ops)
{
	struct alert_engine *e = calloc(1, sizeof(*e));
	if (e == NULL)
		return NULL;
	e->cfg = *cfg;
	if (e->cfg.flap_changes > FLAP_MAX)
		e->cfg.flap_changes = FLAP_MAX;
	e->ops = *ops;
	e->gen = 1;
	return e;
}

static void
index_free(struct alert_engine *e)
{
	struct midx *m, *tmp;
	HASH_ITER(hh, e->by_measurement, m, tmp) {
		HASH_DELETE(hh, e->by_measurement, m);
		free(m->measurement);
		free(m->rules);
		free(m);
	}
	free(e->any_rules);
	e->any_rules = NULL;
	e->n_any = 0;
}

static void
index_rules(struct alert_engine *e)
{
	index_free(e);
	e->any_rules = calloc(e->rules.n ? e->rules.n : 1, sizeof(uint32_t));
	for (uint32_t i = 0; i < e->rules.n; i++) {
		const struct alert_rule *r = &e->rules.v[i];
		if (r->type != RULE_THRESHOLD)
			continue;
		if (r->n_measurements == 0) {
			if (e->any_rules)
				e->any_rules[e->n_any++] = i;
			continue;
		}
		for (size_t k = 0; k < r->n_measurements; k++) {
			const char *m = r->measurements[k];
			struct midx *mi;
			HASH_FIND(hh, e->by_measurement, m, strlen(m), mi);
			if (mi == NULL) {
				if ((mi = calloc(1, sizeof(*mi))) == NULL ||
				    (mi->measurement = strdup(m)) == NULL) {
					free(mi);
					continue;
				}
				HASH_ADD_KEYPTR(hh, e->by_measurement, mi->measurement, strlen(m), mi);
			}
			uint32_t *v = realloc(mi->rules, (mi->n + 1) * sizeof(*v));
			if (v == NULL)
				continue;
			mi->rules = v;
			mi->rules[mi->n++] = i;
		}
	}
}

void
alert_engine_set_rules(struct alert_engine *e, struct alert_rules *rules, double now)
{
	struct alert_rules old = e->rules;
	e->rules = *rules;
	memset(rules, 0, sizeof(*rules));
	e->gen++;		/* every series looks its rules up again */
	index_rules(e);
	struct subj *s, *tmp;
	HASH_ITER(hh, e->subjs, s, tmp) {
		if (s->r == NULL)
			continue;	/* conditions are not rules of ours */
		const struct alert_rule *nr = NULL;
		for (size_t i = 0; i < e->rules.n; i++)
			if (strcmp(e->rules.v[i].name, s->rule_name) == 0)
				nr = &e->rules.v[i];
		s->r = nr;
		if (nr != NULL)
			continue;
		if (s->a != NULL)
			close_alert(e, s->a, now, "resolved: its rule was removed");
		if (s->nd != NULL)
			close_alert(e, s->nd, now, "resolved: its rule was removed");
		HASH_DELETE(hh, e->subjs, s);
		subj_free(s);
	}
	alert_rules_free(&old);
}

void
alert_engine_set_maintenance(struct alert_engine *e, struct maint_window **w, size_t n)
{
	for (size_t i = 0; i < e->n_maint; i++)
		maint_free(e->maint[i]);
	free(e->maint);
	e->maint = w;
	e->n_maint = n;
}

const struct maint_window *const *
alert_engine_maintenance(struct alert_engine *e, size_t *n)
{
	*n = e->n_maint;
	return (const struct maint_window *const *)e->maint;
}

void
alert_engine_reserve_ids(struct alert_engine *e, int64_t max_id)
{
	if (max_id > e->next_id)
		e->next_id = max_id;
}

void
alert_engine_restore(struct alert_engine *e, struct alert *a)
{
	struct alert *old;
	HASH_FIND(hh, e->by_id, &a->id, sizeof(int64_t), old);
	if (old != NULL) {
		alert_free(a);
		return;
	}
	if (a->id > e->next_id)
		e->next_id = a->id;
	if (a->state == AS_HELD)
		a->state = AS_FIRING;
	HASH_ADD(hh, e->by_id, id, sizeof(int64_t), a);
	if (is_open(a)) {
		struct alert *k;
		HASH_FIND(hk, e->by_key, a->key, strlen(a->key), k);
		if (k == NULL)
			HASH_ADD_KEYPTR(hk, e->by_key, a->key, strlen(a->key), a);
		if (a->device_rule && a->device_id) {
			HASH_FIND(hd, e->by_dev, &a->device_id, sizeof(int64_t), k);
			if (k == NULL)
				HASH_ADD(hd, e->by_dev, device_id, sizeof(int64_t), a);
		}
	}
}

struct alert *
alert_engine_get(struct alert_engine *e, int64_t id)
{
	struct alert *a;
	HASH_FIND(hh, e->by_id, &id, sizeof(int64_t), a);
	return a;
}

struct alert *
alert_engine_next(struct alert_engine *e, struct alert *prev)
{
	return prev ? prev->hh.next : e->by_id;
}

size_t
alert_engine_count_open(struct alert_engine *e)
{
	return HASH_CNT(hk, e->by_key);
}

void
alert_engine_forget_before(struct alert_engine *e, double t)
{
	struct alert *a, *tmp;
	HASH_ITER(hh, e->by_id, a, tmp)
		if (a->state == AS_RESOLVED && a->ended < t && !a->dirty) {
			HASH_DELETE(hh, e->by_id, a);
			alert_free(a);
		}
}

void
alert_engine_free(struct alert_engine *e)
{
	if (e == NULL)
		return;
	struct subj *s, *st;
	HASH_ITER(hh, e->subjs, s, st) {
		HASH_DELETE(hh, e->subjs, s);
		subj_free(s);
	}
	HASH_CLEAR(hk, e->by_key);
	HASH_CLEAR(hd, e->by_dev);
	struct alert *a, *at;
	HASH_ITER(hh, e->by_id, a, at) {
		HASH_DELETE(hh, e->by_id, a);
		alert_free(a);
	}
	for (size_t i = 0; i < e->n_cache; i++)
		if (e->cache[i].n > 1)
			free(e->cache[i].u.m);
	free(e->cache);
	alert_engine_set_maintenance(e, NULL, 0);
	index_free(e);
	alert_rules_free(&e->rules);
	free(e);
}

/* Swap the window array without freeing the windows (they moved over). */
void
alert_engine_set_maintenance_keep(struct alert_engine *e, struct maint_window **w, size_t n)
{
	e->maint = w;
	e->n_maint = n;
}

void
alert_engine_value(struct alert_engine *e, const char *measurement, const char *field,
    const char *tag, const char *tag_value, int64_t device_id, const char *device,
    const char *kind, double value, double now)
{
	char key[768];
	int len = snprintf(key, sizeof(key), "%s,%s=%s %s", measurement, tag, tag_value, field);
	if (len < 0 || (size_t)len >= sizeof(key) || !isfinite(value))
		return;
	for (size_t i = 0; i < e->rules.n; i++) {
		const struct alert_rule *r = &e->rules.v[i];
		if (!alert_rule_matches_key(r, key, (size_t)len) || !word_in(r->kind, kind) ||
		    !word_in(r->device, device))
			continue;
		struct subj *s = subj_get(e, r, r->name, device, device_id, kind, key);
		if (s != NULL)
			eval_value(e, s, now, value, now);
	}
}

const struct alert_rules *
alert_engine_rules(const struct alert_engine *e)
{
	return &e->rules;
}
