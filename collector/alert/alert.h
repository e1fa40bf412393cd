/*
 * alert.h — the alert engine: rules (rules.c), evaluation and states
 * (engine.c), root cause from topology, flap detection, maintenance windows
 * (maint.c), and the subsystem that feeds it from the observers and keeps it
 * in SQLite (alert.c, store/alertdb.c). DESIGN §5 and §9.
 *
 * The engine (engine.c) knows nothing of the collector: it takes typed
 * inputs with the time passed in and reports every change through ops, so
 * unit tests drive it with a synthetic clock and path provider. Loop thread
 * only.
 */
#ifndef CAMPUSMON_ALERT_H
#define CAMPUSMON_ALERT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <uthash.h>

#include "common/cfg.h"
#include "collector/http/http.h"

struct cfg_node;
struct cfg_errors;
struct collector;
struct collector_config;
struct json_t;

/* ---- rules.c ------------------------------------------------------------ */
enum rule_type {
	RULE_THRESHOLD,		/* samples: warn / crit / recover / for / nodata */
	RULE_STATUS,		/* devices: match {status: [down, unreachable]} */
	RULE_OPER,		/* interfaces: match {oper_status: [down]}, grouped per device */
	RULE_SENSOR,		/* sensor states: match {sensor_state: [on_battery, leak]} */
};
enum { SEV_INFO, SEV_WARNING, SEV_CRITICAL };

struct rule_tag {
	char *key, *value;
};

struct alert_rule {
	char *name;
	enum rule_type type;
	char **measurements, **fields;	/* any of; fields may be globs; none: any */
	size_t n_measurements, n_fields;
	char *kind, *device;		/* NULL: any */
	struct rule_tag *tags;
	size_t n_tags;
	char **states;			/* status / oper_status / sensor states */
	size_t n_states;
	char **sensor_types;		/* RULE_SENSOR: only sensors of these types */
	size_t n_sensor_types;
	int has_warn, has_crit, has_recover;
	double warn, crit, recover;
	int falling;			/* fires at value <= warn/crit */
	double for_s;			/* the condition must hold this long */
	double nodata_s;		/* 0: no no-data alert */
	int polls;			/* RULE_STATUS: consecutive polls (default 1) */
	int uplink;			/* RULE_OPER: only ports that look like uplinks */
	double predict_s;		/* threshold rules: warn when the trend reaches crit within */
	double anomaly_s;		/* > 0: warn off this seasonal baseline (the season, s) */
	int severity;			/* status, sensor and no-data alerts */
	char *message;			/* template: {device} {subject} {value} {rule} {severity} */
	char *origin;			/* "defaults", or FILE:LINE where a person wrote it */
};

struct alert_rules {
	struct alert_rule *v;
	size_t n;
};

/* Parse a YAML sequence of rules; every problem goes to errs naming the
 * rule and where it was written. 0, or -1 when any rule is wrong. */
int alert_rules_parse(const struct cfg_node *list, const char *origin, struct alert_rules *out,
    struct cfg_errors *errs);
/* The shipped defaults (unless alerts.defaults is off), alerts.rules and
 * every alerts.include file, checked as one set (names unique). */
int alert_rules_load(const struct collector_config *cfg, struct alert_rules *out,
    struct cfg_errors *errs);
void alert_rules_free(struct alert_rules *r);
/* Append rules given as a JSON array of rule objects (the API's), checked as
 * YAML rules are (origin "api"); names must not clash with those in out. */
struct json_t;
int alert_rules_add_json(const struct json_t *list, struct alert_rules *out,
    struct cfg_errors *errs);
/* The shipped campus defaults as YAML text (docs, tests). */
extern const char alert_default_rules[];
/* Does a series key ("measurement,tag=v,... field") match the rule's
 * measurement, field and tags? (device and kind are checked apart) */
int alert_rule_matches_key(const struct alert_rule *r, const char *key, size_t keylen);
struct json_t *alert_rule_json(const struct alert_rule *r);

/* -t: threshold rules that match no series recorded in the state database
 * under data_dir, printed as warnings on out. Returns how many. */
int alert_rules_unmatched(const struct alert_rules *rules, const char *data_dir, FILE *out);

/* ---- maint.c: maintenance windows --------------------------------------- */
struct maint_window {
	int64_t id;
	char **devices;			/* device names; NULL with match */
	size_t n_devices;
	char *match_rule, *match_device, *match_kind;	/* "match": {rule, device, kind} */
	double from, to;
	int weekly;			/* recurrence: "weekly" repeats [from, to) every 7 days */
	char *comment, *created_by;
};
struct maint_window *maint_from_json(struct json_t *j, char *err, size_t errlen);
struct json_t *maint_to_json(const struct maint_window *w);
void maint_free(struct maint_window *w);
int maint_covers(const struct maint_window *w, double now, const char *rule,
    const char *device, const char *kind);

/* ---- engine.c ------------------------------------------------------------ */
enum alert_state { AS_FIRING, AS_ACKNOWLEDGED, AS_RESOLVED, AS_SUPPRESSED, AS_HELD };

struct alert {
	int64_t id;
	char *key;			/* rule \x1f device \x1f subject: "the same problem" */
	char *rule, *device, *subject, *message, *kind;
	int64_t device_id;
	int severity;
	enum alert_state state;
	double value, started, updated, ended;
	char *value_text;		/* status and state rules: "down", "on_battery" */
	int64_t root_cause;		/* 0: none */
	int down_after_root;		/* suppressed: down polls since its root closed */
	int affected;
	char *ack_by, *ack_comment;
	struct json_t *timeline;	/* [{"ts", "what"}] */
	struct json_t *ports;		/* grouped interface alerts: names down */
	char *note;			/* e.g. "no topology yet" */
	int flapping, maintenance, escalated, device_rule;
	double hold_until, last_change;
	int dirty;			/* changed since written to SQLite */
	unsigned batch_gen;		/* engine.c: root-cause round that last noted it */
	struct alert *next_dirty;
	UT_hash_handle hh;		/* by id: every alert kept in memory */
	UT_hash_handle hk;		/* by key: open alerts */
	UT_hash_handle hd;		/* by device id: open device-status alerts */
};

struct alert_engine_ops {
	/* An alert changed: event is "firing", "resolved", "acknowledged" or
	 * "escalated"; notify 0 for maintenance and suppressed children. The
	 * alert stays owned by the engine. */
	void (*changed)(void *arg, struct alert *a, const char *event, int notify);
	/* topology: device ids from the root to device_id; 0 unknown; NULL: no topology */
	size_t (*path)(void *arg, int64_t device_id, int64_t *out, size_t max);
	/* poll this device now (NULL: cannot); the upstream path of a device
	 * found down is re-polled while it is held */
	void (*repoll)(void *arg, int64_t device_id);
	void *arg;
};

struct alert_engine_config {
	int flap_changes;		/* alerts.flap_changes */
	double flap_window;		/* alerts.flap_window */
	double hold;			/* alerts.hold: a device found down waits this long */
	double escalate_after;		/* 0: never */
};

struct alert_engine;
struct alert_engine *alert_engine_new(const struct alert_engine_config *cfg,
    const struct alert_engine_ops *ops);
void alert_engine_free(struct alert_engine *e);
/* Replace the rules (takes them); open alerts of rules gone are resolved. */
void alert_engine_set_rules(struct alert_engine *e, struct alert_rules *rules, double now);
const struct alert_rules *alert_engine_rules(const struct alert_engine *e);
/* Replace the maintenance windows (takes the array and its windows). */
void alert_engine_set_maintenance(struct alert_engine *e, struct maint_window **w, size_t n);
const struct maint_window *const *alert_engine_maintenance(struct alert_engine *e, size_t *n);
/* Swap in another array holding the same windows (the old array is the
 * caller's to free, the windows stay). */
void alert_engine_set_maintenance_keep(struct alert_engine *e, struct maint_window **w, size_t n);

/* What the engine needs to know of a series the first time it sees it. */
struct alert_series {
	uint32_t id;
	const char *key;		/* canonical key: measurement,tags field */
	size_t keylen;
	const char *host;		/* the device's name */
	const char *kind;		/* its device kind, NULL unknown */
	int64_t device_id;		/* 0 unknown */
};
/* A sample; 0 evaluated, 1 the series is new to the engine (call
 * alert_engine_learn, then again). NaN and Inf are ignored. */
int alert_engine_sample(struct alert_engine *e, uint32_t series_id, double ts, double value,
    double now);
void alert_engine_learn(struct alert_engine *e, const struct alert_series *s, double last_ts);
/* A value computed from a poll (interface utilisation): evaluated against
 * threshold rules as if it were the series "measurement,tag=tag_value field". */
void alert_engine_value(struct alert_engine *e, const char *measurement, const char *field,
    const char *tag, const char *tag_value, int64_t device_id, const char *device,
    const char *kind, double value, double now);
/* A device's status after a poll. */
void alert_engine_device(struct alert_engine *e, int64_t id, const char *name, const char *kind,
    const char *status, double now);
/* An interface after a poll (oper rules; grouped per device and rule). */
void alert_engine_iface(struct alert_engine *e, int64_t id, const char *name, const char *kind,
    const char *ifname, const char *alias, const char *admin, const char *oper, double now);
/* A sensor state after a poll. */
void alert_engine_sensor(struct alert_engine *e, int64_t id, const char *name, const char *kind,
    const char *sensor, const char *type, const char *state, double value, double now);
/* A condition from outside the rules (services.h). */
struct alert_condition;
int alert_engine_condition(struct alert_engine *e, const struct alert_condition *c,
    const char *device_name, double now);
/* Timers: for, nodata, the hold before root cause, flapping's end, escalation. */
void alert_engine_tick(struct alert_engine *e, double now);
/* 0, -1 no such alert, -2 not open. */
int alert_engine_ack(struct alert_engine *e, int64_t id, const char *who, const char *comment,
    const char *via, double now);
/* Restore an alert read from SQLite (takes it). */
void alert_engine_restore(struct alert_engine *e, struct alert *a);
/* New alerts get ids above max_id (the highest ever stored, pruned or not). */
void alert_engine_reserve_ids(struct alert_engine *e, int64_t max_id);
struct alert *alert_engine_get(struct alert_engine *e, int64_t id);
/* Every alert in memory, newest first through next: pass NULL first. */
struct alert *alert_engine_next(struct alert_engine *e, struct alert *prev);
/* Up to max alerts changed since they were last taken, linked through
 * next_dirty (the rest stay for the next call). */
struct alert *alert_engine_take_dirty(struct alert_engine *e, size_t max);
int alert_engine_has_dirty(const struct alert_engine *e);
/* Forget resolved alerts that ended before t (their rows stay in SQLite). */
void alert_engine_forget_before(struct alert_engine *e, double t);
size_t alert_engine_count_open(struct alert_engine *e);

const char *alert_state_name(enum alert_state s);
const char *alert_severity_name(int sev);
int alert_severity_parse(const char *s);
/* DESIGN §9 alert object (new reference); children: suppressed ids under it. */
struct json_t *alert_to_json(struct alert_engine *e, const struct alert *a);
struct alert *alert_from_json(struct json_t *j);
void alert_free(struct alert *a);

/* ---- alert.c: the subsystem --------------------------------------------- */
extern const struct subsystem alert_subsystem;
struct alert_engine *alert_engine_of(struct collector *c);
/* Maintenance changes from the API: saved through the store, then applied. */
int alert_maintenance_add(struct collector *c, struct maint_window *w);
int alert_maintenance_delete(struct collector *c, int64_t id);
/* Rules made through the API (kept in SQLite by the caller): the rule
 * objects in force, and checking or applying a new set. check: 0, or -1
 * with why in errs. */
const struct json_t *alert_api_rules(struct collector *c);
int alert_api_rules_check(struct collector *c, const struct json_t *candidate,
    struct cfg_errors *errs);
void alert_api_rules_set(struct collector *c, struct json_t *rules);	/* takes it */

/* ---- api_alerts.c ------------------------------------------------------- */
extern const struct route api_alerts_routes[];

/* ---- alert_keys.c -------------------------------------------------------- */
extern const struct cfg_key alert_keys[];

#endif
