/*
 * test_alert_engine.c — the rule engine with a synthetic clock and path
 * provider: hysteresis, for, nodata, flapping, maintenance, root cause,
 * rule checks.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "collector/alert/alert.h"
#include "collector/services.h"
#include "common/cfg.h"

struct seen {
	char events[64][16];
	int notify[64];
	int64_t ids[64];
	int n;
	int64_t repolled[64];
	int n_repolled;
};

static void
fake_repoll(void *arg, int64_t dev)
{
	struct seen *s = arg;
	if (s->n_repolled < 64)
		s->repolled[s->n_repolled++] = dev;
}

static void
on_changed(void *arg, struct alert *a, const char *event, int notify)
{
	struct seen *s = arg;
	if (s->n < 64) {
		snprintf(s->events[s->n], 16, "%s", event);
		s->notify[s->n] = notify;
		s->ids[s->n] = a->id;
		s->n++;
	}
}

/* A synthetic campus: 1 core, 2 distribution behind it, 3..6 behind 2. */
static size_t
fake_path(void *arg, int64_t dev, int64_t *out, size_t max)
{
	(void)arg;
	(void)max;
	if (dev == 1) {
		out[0] = 1;
		return 1;
	}
	if (dev == 2) {
		out[0] = 1, out[1] = 2;
		return 2;
	}
	if (dev >= 3 && dev <= 6) {
		out[0] = 1, out[1] = 2, out[2] = dev;
		return 3;
	}
	return 0;
}

static struct alert_engine *
engine_with(const char *yaml, struct seen *seen, int with_path, double hold)
{
	struct cfg_errors errs = { 0 };
	char err[256];
	struct cfg_node *n = cfg_node_parse(yaml, strlen(yaml), err, sizeof(err));
	cr_assert_not_null(n, "%s", err);
	struct alert_rules rules = { 0 };
	int rc = alert_rules_parse(n, "test", &rules, &errs);
	cr_assert_eq(rc, 0, "%s", errs.n ? errs.msgs[0] : "?");
	cfg_node_free(n);
	struct alert_engine_config cfg = { 5, 600, hold, 0 };
	struct alert_engine_ops ops = { .changed = on_changed, .path = with_path ? fake_path : NULL,
		.repoll = with_path ? fake_repoll : NULL, .arg = seen };
	struct alert_engine *e = alert_engine_new(&cfg, &ops);
	alert_engine_set_rules(e, &rules, 0);
	return e;
}

static void
learn(struct alert_engine *e, uint32_t id, const char *key, const char *host)
{
	struct alert_series s = { id, key, strlen(key), host, "server", 0 };
	alert_engine_learn(e, &s, 0);
}

static const char *const CPU =
	"- {name: cpu, match: {measurement: cpu, field: usage_percent}, warn: 80, crit: 90, "
	"recover: 70}\n";

Test(alert_engine, hysteresis_one_firing_one_resolved)
{
	struct seen s = { 0 };
	struct alert_engine *e = engine_with(CPU, &s, 0, 0);
	cr_assert_eq(alert_engine_sample(e, 1, 1, 50, 1), 1, "unknown series asks to learn");
	learn(e, 1, "cpu,cpu=cpu-total,host=h1 usage_percent", "h1");
	double vals[] = { 50, 85, 75, 82, 72, 79, 71, 60 };
	for (int i = 0; i < 8; i++)
		alert_engine_sample(e, 1, 10 + i, vals[i], 10 + i);
	cr_assert_eq(s.n, 2, "between warn and recover nothing changes: %d changes", s.n);
	cr_assert_str_eq(s.events[0], "firing");
	cr_assert_str_eq(s.events[1], "resolved");
	struct alert *a = alert_engine_get(e, s.ids[0]);
	cr_assert_str_eq(a->subject, "cpu,cpu=cpu-total usage_percent");
	cr_assert_str_eq(a->device, "h1");
	alert_engine_free(e);
}

Test(alert_engine, severity_rises_to_critical)
{
	struct seen s = { 0 };
	struct alert_engine *e = engine_with(CPU, &s, 0, 0);
	learn(e, 1, "cpu,host=h1 usage_percent", "h1");
	alert_engine_sample(e, 1, 1, 85, 1);
	alert_engine_sample(e, 1, 2, 95, 2);
	alert_engine_sample(e, 1, 3, 85, 3);	/* no way down to warning: it stays */
	cr_assert_eq(s.n, 2);
	cr_assert_eq(alert_engine_get(e, s.ids[1])->severity, SEV_CRITICAL);
	alert_engine_free(e);
}

Test(alert_engine, nan_and_inf_ignored)
{
	struct seen s = { 0 };
	struct alert_engine *e = engine_with(CPU, &s, 0, 0);
	learn(e, 1, "cpu,host=h1 usage_percent", "h1");
	alert_engine_sample(e, 1, 1, NAN, 1);
	alert_engine_sample(e, 1, 2, INFINITY, 2);
	alert_engine_sample(e, 1, 3, -INFINITY, 3);
	cr_assert_eq(s.n, 0);
	alert_engine_free(e);
}

Test(alert_engine, for_waits_then_fires_from_the_timer)
{
	struct seen s = { 0 };
	struct alert_engine *e = engine_with(
	    "- {name: c, match: {measurement: cpu}, warn: 80, recover: 70, for: 60s}\n", &s, 0, 0);
	learn(e, 1, "cpu,host=h1 usage_percent", "h1");
	alert_engine_sample(e, 1, 100, 85, 100);
	alert_engine_tick(e, 130);
	cr_assert_eq(s.n, 0, "not yet");
	alert_engine_sample(e, 1, 140, 50, 140);	/* it went away: the wait starts over */
	alert_engine_sample(e, 1, 150, 85, 150);
	alert_engine_tick(e, 200);
	cr_assert_eq(s.n, 0);
	alert_engine_tick(e, 210);
	cr_assert_eq(s.n, 1);
	cr_assert_str_eq(s.events[0], "firing");
	alert_engine_free(e);
}

Test(alert_engine, nodata_fires_and_clears)
{
	struct seen s = { 0 };
	struct alert_engine *e = engine_with(
	    "- {name: silent, match: {measurement: cpu}, nodata: 3m}\n", &s, 0, 0);
	learn(e, 1, "cpu,host=h1 usage_percent", "h1");
	alert_engine_sample(e, 1, 100, 5, 100);
	alert_engine_tick(e, 200);
	cr_assert_eq(s.n, 0);
	alert_engine_tick(e, 281);
	cr_assert_eq(s.n, 1);
	alert_engine_tick(e, 300);
	cr_assert_eq(s.n, 1, "one no-data alert, not one per tick");
	alert_engine_sample(e, 1, 301, 5, 301);
	cr_assert_eq(s.n, 2);
	cr_assert_str_eq(s.events[1], "resolved");
	alert_engine_free(e);
}

Test(alert_engine, flapping_is_one_notice)
{
	struct seen s = { 0 };
	struct alert_engine *e = engine_with(CPU, &s, 0, 0);
	learn(e, 1, "cpu,host=h1 usage_percent", "h1");
	for (int i = 0; i < 20; i++)
		alert_engine_sample(e, 1, 10 + i, i % 2 ? 50 : 85, 10 + i);
	/* firing, resolved, firing, resolved, then one firing that says flapping */
	cr_assert_eq(s.n, 5, "%d changes", s.n);
	struct alert *a = alert_engine_get(e, s.ids[4]);
	cr_assert(a->flapping);
	cr_assert_eq(a->state, AS_FIRING);
	/* quiet for the window while fine: resolved */
	alert_engine_tick(e, 29 + 601);
	cr_assert_eq(a->state, AS_RESOLVED);
	cr_assert_str_eq(s.events[s.n - 1], "resolved");
	alert_engine_free(e);
}

Test(alert_engine, maintenance_records_without_notifying)
{
	struct seen s = { 0 };
	struct alert_engine *e = engine_with(CPU, &s, 0, 0);
	char err[128];
	json_t *j = json_pack("{s:[s], s:i, s:i}", "devices", "h1", "from", 0, "to", 1000);
	struct maint_window *w = maint_from_json(j, err, sizeof(err));
	json_decref(j);
	cr_assert_not_null(w, "%s", err);
	struct maint_window **v = calloc(1, sizeof(*v));
	v[0] = w;
	alert_engine_set_maintenance(e, v, 1);
	learn(e, 1, "cpu,host=h1 usage_percent", "h1");
	learn(e, 2, "cpu,host=h2 usage_percent", "h2");
	alert_engine_sample(e, 1, 10, 95, 10);
	alert_engine_sample(e, 2, 10, 95, 10);
	cr_assert_eq(s.n, 2);
	cr_assert_eq(s.notify[0], 0, "in maintenance: recorded, not notified");
	cr_assert_eq(s.notify[1], 1);
	cr_assert(alert_engine_get(e, s.ids[0])->maintenance);
	alert_engine_free(e);
}

Test(alert_engine, weekly_window_repeats)
{
	char err[128];
	json_t *j = json_pack("{s:{s:s}, s:i, s:i, s:s}", "match", "rule", "cpu", "from", 1000,
	    "to", 4600, "recurrence", "weekly");
	struct maint_window *w = maint_from_json(j, err, sizeof(err));
	json_decref(j);
	cr_assert_not_null(w, "%s", err);
	cr_assert(maint_covers(w, 2000, "cpu", "x", NULL));
	cr_assert(!maint_covers(w, 2000, "disk", "x", NULL));
	cr_assert(!maint_covers(w, 5000, "cpu", "x", NULL));
	cr_assert(maint_covers(w, 2000 + 7 * 86400, "cpu", "x", NULL));
	maint_free(w);
}

static const char *const DOWN =
	"- {name: device-down, match: {status: [down, unreachable]}, polls: 2}\n";

Test(alert_engine, root_cause_one_notice_with_affected)
{
	struct seen s = { 0 };
	struct alert_engine *e = engine_with(DOWN, &s, 1, 10);
	/* 2 and everything behind it go down; two failed polls each */
	for (int poll = 0; poll < 2; poll++)
		for (int64_t d = 2; d <= 6; d++) {
			char name[32];
			snprintf(name, sizeof(name), "d%lld", (long long)d);
			alert_engine_device(e, d, name, "switch", "down", 100 + poll);
		}
	cr_assert_eq(s.n, 0, "held while the path is looked at");
	/* the path above d2 (the core, up so far) was asked for fresh polls;
	 * devices already found down were not */
	cr_assert_gt(s.n_repolled, 0);
	for (int i = 0; i < s.n_repolled; i++)
		cr_assert_eq(s.repolled[i], 1, "repolled %lld", (long long)s.repolled[i]);
	alert_engine_tick(e, 115);
	int roots = 0, kids = 0;
	struct alert *root = NULL;
	for (int i = 0; i < s.n; i++) {
		struct alert *a = alert_engine_get(e, s.ids[i]);
		if (s.notify[i]) {
			roots++;
			root = a;
		} else {
			kids++;
			cr_assert_eq(a->state, AS_SUPPRESSED);
		}
	}
	cr_assert_eq(roots, 1);
	cr_assert_eq(kids, 4);
	cr_assert_str_eq(root->device, "d2");
	cr_assert_eq(root->affected, 4);
	for (int i = 0; i < s.n; i++)
		if (!s.notify[i])
			cr_assert_eq(alert_engine_get(e, s.ids[i])->root_cause, root->id);
	/* root back, d5 still down: d5 becomes its own alert */
	int before = s.n;
	alert_engine_device(e, 2, "d2", "switch", "up", 200);
	cr_assert_eq(s.n, before + 1, "the root resolved; children wait for their next poll");
	/* the first poll after the root closed may have been in flight across
	 * the recovery: only the second down poll makes d5 an alert */
	for (int round = 0; round < 2; round++) {
		for (int64_t d = 3; d <= 6; d++) {
			char name[32];
			snprintf(name, sizeof(name), "d%lld", (long long)d);
			alert_engine_device(e, d, name, "switch", d == 5 ? "down" : "up",
			    201 + round);
		}
		for (int i = before; round == 0 && i < s.n; i++)
			cr_assert(strcmp(s.events[i], "firing") != 0, "d5 fired at the first poll");
	}
	int own = 0;
	for (int i = before; i < s.n; i++) {
		struct alert *a = alert_engine_get(e, s.ids[i]);
		if (strcmp(s.events[i], "firing") == 0 && s.notify[i]) {
			own++;
			cr_assert_str_eq(a->device, "d5");
			cr_assert_eq(a->root_cause, 0);
		}
	}
	cr_assert_eq(own, 1);
	alert_engine_free(e);
}

Test(alert_engine, no_topology_says_so)
{
	struct seen s = { 0 };
	struct alert_engine *e = engine_with(DOWN, &s, 0, 0);
	alert_engine_device(e, 9, "d9", "switch", "down", 1);
	cr_assert_eq(s.n, 0, "one failed poll is not enough");
	alert_engine_device(e, 9, "d9", "switch", "down", 2);
	cr_assert_eq(s.n, 1);
	struct alert *a = alert_engine_get(e, s.ids[0]);
	cr_assert_not_null(a->note);
	cr_assert(strstr(a->note, "no topology yet") != NULL);
	alert_engine_free(e);
}

Test(alert_engine, ports_down_are_grouped)
{
	struct seen s = { 0 };
	struct alert_engine *e = engine_with(
	    "- {name: port-down, match: {oper_status: [down]}}\n", &s, 0, 0);
	alert_engine_iface(e, 1, "sw", "switch", "Gi0/1", "", "up", "down", 1);
	alert_engine_iface(e, 1, "sw", "switch", "Gi0/2", "", "up", "down", 1);
	alert_engine_iface(e, 1, "sw", "switch", "Gi0/3", "", "up", "down", 1);
	alert_engine_iface(e, 1, "sw", "switch", "Gi0/4", "", "down", "down", 1);
	cr_assert_eq(s.n, 1);
	struct alert *a = alert_engine_get(e, s.ids[0]);
	cr_assert_eq(json_array_size(a->ports), 3);
	cr_assert_str_eq(a->subject, "3 ports");
	alert_engine_free(e);
}

Test(alert_engine, ack_and_restore_do_not_refire)
{
	struct seen s = { 0 };
	struct alert_engine *e = engine_with(CPU, &s, 0, 0);
	learn(e, 1, "cpu,host=h1 usage_percent", "h1");
	alert_engine_sample(e, 1, 1, 95, 1);
	cr_assert_eq(alert_engine_ack(e, s.ids[0], "alice", "on it", "web", 2), 0);
	cr_assert_eq(alert_engine_ack(e, 999, "alice", NULL, NULL, 2), -1);
	struct alert *a = alert_engine_get(e, s.ids[0]);
	json_t *j = alert_to_json(e, a);
	json_object_set_new(j, "key", json_string(a->key));
	cr_assert_str_eq(json_string_value(json_object_get(j, "acknowledged_by")), "alice");
	struct alert *copy = alert_from_json(j);
	json_decref(j);
	alert_engine_free(e);

	struct seen s2 = { 0 };
	e = engine_with(CPU, &s2, 0, 0);
	alert_engine_restore(e, copy);
	learn(e, 1, "cpu,host=h1 usage_percent", "h1");
	alert_engine_sample(e, 1, 3, 95, 3);
	cr_assert_eq(s2.n, 0, "a restart does not fire again");
	cr_assert_eq(alert_engine_get(e, copy->id)->state, AS_ACKNOWLEDGED);
	alert_engine_sample(e, 1, 4, 10, 4);
	cr_assert_str_eq(s2.events[0], "resolved");
	alert_engine_free(e);
}

static int
parse_errors(const char *yaml, const char *want)
{
	struct cfg_errors errs = { 0 };
	char err[256];
	struct cfg_node *n = cfg_node_parse(yaml, strlen(yaml), err, sizeof(err));
	struct alert_rules rules = { 0 };
	int rc = alert_rules_parse(n, "f.yaml", &rules, &errs);
	int found = 0;
	for (size_t i = 0; i < errs.n; i++)
		found |= strstr(errs.msgs[i], want) != NULL;
	cfg_errors_clear(&errs);
	alert_rules_free(&rules);
	cfg_node_free(n);
	return rc < 0 && found;
}

Test(alert_rules, wrong_order_names_the_rule)
{
	cr_assert(parse_errors("- {name: hot, match: {measurement: t}, warn: 30, crit: 35, "
	    "recover: 40}\n", "rule hot: recover (40)"));
	cr_assert(parse_errors("- {name: hot, direction: above, match: {measurement: t}, "
	    "warn: 35, crit: 30}\n", "rule hot: crit (30) is below warn (35)"));
	cr_assert(parse_errors("- {name: x, match: {measurement: t}}\n", "rule x: give warn"));
	cr_assert(parse_errors("- {name: x, match: {measurement: t}, warn: abc}\n",
	    "bad value for warn"));
	cr_assert(parse_errors("- {name: x, match: {measurement: t}, warn: 1, for: forever}\n",
	    "bad value for for"));
	cr_assert(parse_errors("- {name: x, match: {measurement: t}, warn: 1}\n"
	    "- {name: x, match: {measurement: t}, warn: 2}\n", "the name is taken"));
	cr_assert(parse_errors("- {name: x, match: {colour: red}, warn: 1}\n",
	    "unknown match key"));
	cr_assert(parse_errors("- {name: x, match: {status: [down]}, warn: 1}\n",
	    "takes no warn"));
}

Test(alert_rules, falling_rule_and_defaults_parse)
{
	struct seen s = { 0 };
	struct alert_engine *e = engine_with("- {name: runtime, match: {measurement: sensor, "
	    "tags: {type: runtime}}, warn: 15, crit: 5, recover: 20}\n", &s, 0, 0);
	learn(e, 1, "sensor,host=ups,name=x,type=runtime value", "ups");
	alert_engine_sample(e, 1, 1, 30, 1);
	alert_engine_sample(e, 1, 2, 10, 2);
	alert_engine_sample(e, 1, 3, 4, 3);
	alert_engine_sample(e, 1, 4, 18, 4);
	alert_engine_sample(e, 1, 5, 25, 5);
	cr_assert_eq(s.n, 3, "%d", s.n);	/* warning, critical, resolved */
	alert_engine_free(e);

	struct cfg_errors errs = { 0 };
	char err[256];
	struct cfg_node *n = cfg_node_parse(alert_default_rules, strlen(alert_default_rules), err,
	    sizeof(err));
	struct alert_rules rules = { 0 };
	cr_assert_eq(alert_rules_parse(n, "defaults", &rules, &errs), 0, "%s",
	    errs.n ? errs.msgs[0] : "");
	cr_assert_geq(rules.n, 15);
	alert_rules_free(&rules);
	cfg_node_free(n);
}

Test(alert_rules, key_matching)
{
	struct cfg_errors errs = { 0 };
	char err[256];
	const char *y = "- {name: a, match: {measurement: [disk, storage], field: 'used_*', "
	    "tags: {path: '/'}}, warn: 1}\n";
	struct cfg_node *n = cfg_node_parse(y, strlen(y), err, sizeof(err));
	struct alert_rules rules = { 0 };
	cr_assert_eq(alert_rules_parse(n, "t", &rules, &errs), 0);
	const struct alert_rule *r = &rules.v[0];
#define M(k) alert_rule_matches_key(r, k, strlen(k))
	cr_assert(M("disk,device=sda1,host=h,path=/ used_percent"));
	cr_assert(!M("disk,device=sda1,host=h,path=/boot used_percent"));
	cr_assert(!M("disk,host=h used_percent"));
	cr_assert(!M("diskio,host=h,path=/ used_percent"));
	cr_assert(!M("disk,host=h,path=/ free"));
	cr_assert(!M("garbage"));
#undef M
	alert_rules_free(&rules);
	cfg_node_free(n);
}

Test(alert_engine, predict_warns_before_full)
{
	struct seen s = { 0 };
	struct alert_engine *e = engine_with("- {name: disk, match: {measurement: disk}, "
	    "warn: 85, crit: 95, recover: 80, predict: 24h}\n", &s, 0, 0);
	learn(e, 1, "disk,host=h,path=/ used_percent", "h");
	/* +1 % an hour from 50 %: full (95) in 45 h, not within 24 h */
	for (int i = 0; i < 5; i++)
		alert_engine_sample(e, 1, 1e6 + i * 3600.0, 50 + i, 1e6 + i * 3600.0);
	cr_assert_eq(s.n, 0);
	/* +5 % an hour from 60 %: 95 within 24 h */
	struct seen s2 = { 0 };
	alert_engine_free(e);
	e = engine_with("- {name: disk, match: {measurement: disk}, warn: 85, crit: 95, "
	    "recover: 80, predict: 24h}\n", &s2, 0, 0);
	learn(e, 1, "disk,host=h,path=/ used_percent", "h");
	for (int i = 0; i < 5; i++)
		alert_engine_sample(e, 1, 1e6 + i * 3600.0, 40 + 5 * i, 1e6 + i * 3600.0);
	cr_assert_eq(s2.n, 1);
	struct alert *a = alert_engine_get(e, s2.ids[0]);
	cr_assert_eq(a->severity, SEV_WARNING);
	cr_assert(strstr(a->message, "full in about") != NULL, "%s", a->message);
	alert_engine_free(e);
}

Test(alert_engine, escalates_once_unless_acknowledged)
{
	struct seen s = { 0 };
	struct cfg_errors errs = { 0 };
	char err[128];
	struct cfg_node *n = cfg_node_parse(CPU, strlen(CPU), err, sizeof(err));
	struct alert_rules rules = { 0 };
	alert_rules_parse(n, "t", &rules, &errs);
	cfg_node_free(n);
	struct alert_engine_config cfg = { 5, 600, 0, 60 };
	struct alert_engine_ops ops = { .changed = on_changed, .arg = &s };
	struct alert_engine *e = alert_engine_new(&cfg, &ops);
	alert_engine_set_rules(e, &rules, 0);
	learn(e, 1, "cpu,host=h1 usage_percent", "h1");
	learn(e, 2, "cpu,host=h2 usage_percent", "h2");
	alert_engine_sample(e, 1, 1, 95, 1);
	alert_engine_sample(e, 2, 1, 95, 1);
	alert_engine_ack(e, s.ids[1], "bob", NULL, "cli", 2);
	alert_engine_tick(e, 30);
	alert_engine_tick(e, 62);
	alert_engine_tick(e, 120);
	int esc = 0;
	for (int i = 0; i < s.n; i++)
		if (strcmp(s.events[i], "escalated") == 0) {
			esc++;
			cr_assert_eq(s.ids[i], s.ids[0], "only the unacknowledged one");
		}
	cr_assert_eq(esc, 1);
	alert_engine_free(e);
}

Test(alert_engine, conditions_from_outside)
{
	struct seen s = { 0 };
	struct alert_engine *e = engine_with(CPU, &s, 0, 0);
	int64_t id = -1;
	struct alert_condition c = { "syslog:link-updown", 3, "Gi0/1", "warning", 1, NAN,
		"link down", &id };
	cr_assert_eq(alert_engine_condition(e, &c, "sw1", 1), 0);
	cr_assert_eq(id, s.ids[0], "the opened alert's id comes back");
	id = -1;
	cr_assert_eq(alert_engine_condition(e, &c, "sw1", 2), 0);	/* still: no second */
	cr_assert_eq(id, s.ids[0], "the alert kept open");
	c.active = 0;
	cr_assert_eq(alert_engine_condition(e, &c, "sw1", 3), 0);
	cr_assert_eq(id, s.ids[0], "the alert resolved");
	cr_assert_eq(s.n, 2);
	cr_assert_str_eq(alert_engine_get(e, s.ids[0])->message, "link down");
	cr_assert_eq(alert_engine_condition(e, &c, "sw1", 3.5), 0);
	cr_assert_eq(id, 0, "nothing open to resolve");
	c.severity = "loud";
	id = -1;
	cr_assert_eq(alert_engine_condition(e, &c, "sw1", 4), -1);
	cr_assert_eq(id, 0, "refused");
	alert_engine_free(e);
}

Test(alert_rules, shipped_nagios_rule_speaks_words)
{
	struct seen s = { 0 };
	struct alert_engine *e = engine_with(alert_default_rules, &s, 0, 0);
	learn(e, 1, "nagios_state,host=db1,name=check_pgsql state", "db1");
	alert_engine_sample(e, 1, 1, 0, 1);
	cr_assert_eq(s.n, 0);
	alert_engine_sample(e, 1, 2, 2, 2);
	cr_assert_eq(s.n, 1);
	struct alert *a = alert_engine_get(e, s.ids[0]);
	cr_assert_str_eq(a->rule, "nagios-check");
	cr_assert_eq(a->severity, SEV_CRITICAL);
	cr_assert(strstr(a->message, "is CRITICAL") != NULL, "%s", a->message);
	alert_engine_sample(e, 1, 3, 0, 3);
	cr_assert_str_eq(s.events[1], "resolved");
	alert_engine_free(e);
}

/* anomaly: a seasonal baseline per series (alert/anomaly.c): quiet while the
 * series keeps its daily shape, a warning when it leaves it, resolved when
 * it is back; a season of one step is refused as no baseline. */
static const char *const TRAFFIC =
	"- {name: traffic-baseline, match: {measurement: interface, field: in_bps}, anomaly: 4h}\n";

static double
daily(int t)
{
	/* 5-minute steps, a 4-hour "day" of 48 steps, with a little jitter */
	return 1000 + 400 * sin(2 * M_PI * t / 48) + (t * 7919 % 11) * 3;
}

Test(alert_engine, anomaly_baseline_warns_off_its_season_and_resolves)
{
	struct seen s = { 0 };
	struct alert_engine *e = engine_with(TRAFFIC, &s, 0, 0);
	learn(e, 1, "interface,host=sw1,ifName=ge1 in_bps", "sw1");
	int t = 0;
	for (; t < 48 * 6; t++)
		alert_engine_sample(e, 1, 300.0 * t, daily(t), 300.0 * t);
	cr_assert_eq(s.n, 0, "a clean seasonal series raised %d changes", s.n);
	for (int k = 0; k < 12; k++, t++)		/* traffic collapses for an hour */
		alert_engine_sample(e, 1, 300.0 * t, daily(t) - 700, 300.0 * t);
	cr_assert_geq(s.n, 1);
	cr_assert_str_eq(s.events[0], "firing");
	struct alert *a = alert_engine_get(e, s.ids[0]);
	cr_assert_eq(a->severity, SEV_WARNING, "a baseline alert is a warning");
	for (int k = 0; k < 48 * 2; k++, t++)
		alert_engine_sample(e, 1, 300.0 * t, daily(t), 300.0 * t);
	cr_assert_str_eq(s.events[s.n - 1], "resolved");
	alert_engine_free(e);
}

Test(alert_engine, anomaly_rule_checks)
{
	const char *bad[] = {
		"- {name: a, match: {measurement: m, field: f}, anomaly: 10s}\n",	/* < 1m */
		"- {name: a, match: {status: [down]}, anomaly: 1d}\n",		/* status rule */
		"- {name: a, match: {measurement: m, field: f}, anomaly: often}\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cfg_errors errs = { 0 };
		char err[256];
		struct cfg_node *n = cfg_node_parse(bad[i], strlen(bad[i]), err, sizeof(err));
		cr_assert_not_null(n);
		struct alert_rules rules = { 0 };
		cr_assert_eq(alert_rules_parse(n, "test", &rules, &errs), -1, "case %zu accepted", i);
		cr_assert(errs.n > 0 && strstr(errs.msgs[0], "rule a") != NULL);
		alert_rules_free(&rules);
		cfg_errors_clear(&errs);
		cfg_node_free(n);
	}
}

/* A tag value "!GLOB" excludes: the shipped disk-full rule leaves out the
 * memory rows HOST-RESOURCES lists among its storage (net-snmp's "Cached
 * memory" is always 100 % used), and keeps file systems and agent disks. */
Test(alert_engine, disk_full_leaves_memory_rows_out)
{
	struct cfg_errors errs = { 0 };
	char err[256];
	struct cfg_node *n = cfg_node_parse(alert_default_rules, strlen(alert_default_rules), err,
	    sizeof(err));
	cr_assert_not_null(n, "%s", err);
	struct alert_rules rules = { 0 };
	cr_assert_eq(alert_rules_parse(n, "defaults", &rules, &errs), 0);
	const struct alert_rule *disk = NULL;
	for (size_t i = 0; i < rules.n; i++)
		if (strcmp(rules.v[i].name, "disk-full") == 0)
			disk = &rules.v[i];
	cr_assert_not_null(disk);
	const char *yes[] = { "storage,host=vm,name=/ used_percent",
		"storage,host=vm,name=/boot used_percent", "disk,host=h1,path=/var used_percent" };
	const char *no[] = { "storage,host=vm,name=Cached\\ memory used_percent",
		"storage,host=vm,name=Physical\\ memory used_percent",
		"storage,host=vm,name=Memory\\ buffers used_percent" };
	for (size_t i = 0; i < 3; i++) {
		cr_expect(alert_rule_matches_key(disk, yes[i], strlen(yes[i])), "%s", yes[i]);
		cr_expect(!alert_rule_matches_key(disk, no[i], strlen(no[i])), "%s", no[i]);
	}
	alert_rules_free(&rules);
	cfg_node_free(n);
}
