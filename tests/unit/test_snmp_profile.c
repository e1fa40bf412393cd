/* test_snmp_profile.c — profiles as data: parsing (and every error
 * reported), matching by sysObjectID/sysDescr/probe, kind guessing, the
 * poll plan, and evaluation of a store into interfaces, sensors, metrics. */
#include "collector/snmp/snmp.h"
#include "common/cfg.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static struct sp_profile *
parse(const char *text, struct cfg_errors *errs)
{
	return sp_profile_parse(text, strlen(text), "test.yaml", errs);
}

Test(snmp_profile, shipped_profiles_all_load)
{
	struct sp_profile_set set = { 0 };
	struct cfg_errors errs = { 0 };

	int rc = sp_profiles_load_dir(CAMPUSMON_SRCDIR "/collector/profiles", &set, &errs);
	for (size_t i = 0; i < errs.n; i++)
		cr_log_error("%s", errs.msgs[i]);
	cr_assert_eq(rc, 0);
	cr_assert_geq(set.n, 20);
	static const char *need[] = { "system", "if-mib", "host-resources", "ucd-snmp",
		"entity-mib", "entity-sensor-mib", "ups-mib", "apc-ups", "apc-pdu",
		"akcp-sensorprobe", "apc-netbotz", "rittal-cmc", "huawei", "h3c", "ruijie",
		"cisco", "hillstone", "fortigate", "synology", NULL };
	for (size_t i = 0; need[i]; i++)
		cr_assert_not_null(sp_profiles_find(&set, need[i]), "%s", need[i]);
	for (size_t i = 1; i < set.n; i++)
		cr_assert_leq(set.v[i - 1]->priority, set.v[i]->priority, "sorted by priority");
	sp_profiles_free(&set);
	cfg_errors_clear(&errs);
}

Test(snmp_profile, invalid_profiles_report_errors)
{
	static const struct { const char *yaml; const char *msg; } bad[] = {
		{ "name: x\nfoo: 1\n", "unknown key 'foo'" },
		{ "description: no name\n", "needs a name" },
		{ "name: x\nkind: toaster\n", "unknown kind" },
		{ "name: x\nmatch: {sysobjectid: 1.3.x}\n", "not a numeric OID" },
		{ "name: x\nmatch: {}\n", "match needs" },
		{ "name: x\nmatch: {sysdescr: \"(\"}\n", "bad regular expression" },
		{ "name: x\nsensors:\n  - {type: temperature}\n", "needs a value OID" },
		{ "name: x\nsensors:\n  - {value: 1.3.6.1}\n", "needs a type" },
		{ "name: x\nsensors:\n  - {type: t, value: 1.3.6.1, scale: big}\n", "not a number" },
		{ "name: x\nsensors:\n  - {type: t, value: 1.3.6.1, state: {oid: 1.3.6}}\n", "needs a map" },
		{ "name: x\nsensors:\n  - {type: t, value: 1.3.6.1, where: {oid: 1.3.6}}\n", "where needs in" },
		{ "name: x\nsensors:\n  - {type: t, value: 1.3.6.1, colour: red}\n", "unknown key 'colour'" },
		{ "name: x\nmetrics:\n  - {value: 1.3.6.1}\n", "measurement and field" },
		{ "name: x\nfields: {colour: 1.3.6.1.0}\n", "unknown field" },
		{ "name: x\ninterfaces: {alias: 1.3.6.1}\n", "needs descr or name" },
		{ "name: x\npriority: 5000\n", "integer in" },
		{ "name: [a\n", "line" },
		{ "- a\n- b\n", "a profile is a mapping" },
		{ "name: x\nmatch: {probe: 1.3.*.1}\n", "cannot hold" },
		{ "name: x\nsensors: {a: 1}\n", "must be a list" },
		{ "name: x\ntables: {a: 1}\n", "tables must be a list" },
		{ "name: x\ntables:\n  - {name: t}\n", "needs columns" },
		{ "name: x\ntables:\n  - {name: t, columns: {a: 1.3.6.1.0}}\n", "must be a column" },
		{ "name: x\ntables:\n  - {name: t, columns: {a: 1.3.*.1}}\n", "must be a column" },
		{ "name: x\ntables:\n  - {name: t, slow: maybe, columns: {a: 1.3.6}}\n", "slow" },
		{ "name: x\ntables:\n  - {columns: {a: 1.3.6}}\n", "needs a name" },
		{ "name: x\ntables:\n  - {name: t, every: 5m, columns: {a: 1.3.6}}\n", "unknown key 'every'" },
		/* glibc regcomp takes gigabytes for nested intervals (fuzzer OOM) */
		{ "name: x\nmatch: {sysdescr: \"((((a{1,100}){1,100}){1,100}){1,100})\"}\n",
		  "multiply past" },
		{ "name: x\nmatch: {sysdescr: \"a{99999999999999999999}\"}\n", "multiply past" },
		{ "name: x\nmatch: {sysdescr: \"((a{,100}){,100}){,100}\"}\n", "multiply past" },
		{ "name: x\nmatch: {sysdescr: \"(a*)\\\\1\"}\n", "back-references" },
		/* x+ is copied as xx*: 72 nested '+' found by the long fuzz run */
		{ "name: x\nmatch: {sysdescr: \"P++++++++++++++++++++++++++++++++++++SU\"}\n",
		  "multiply past" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cfg_errors errs = { 0 };
		struct sp_profile *p = parse(bad[i].yaml, &errs);
		cr_assert_null(p, "case %zu accepted", i);
		cr_assert_geq(errs.n, 1, "case %zu", i);
		int found = 0;
		for (size_t k = 0; k < errs.n; k++)
			found |= strstr(errs.msgs[k], bad[i].msg) != NULL;
		cr_assert(found, "case %zu: '%s' not in '%s'", i, bad[i].msg, errs.msgs[0]);
		cfg_errors_clear(&errs);
	}
}

Test(snmp_profile, every_error_at_once)
{
	struct cfg_errors errs = { 0 };
	struct sp_profile *p = parse("name: x\nkind: toaster\nfoo: 1\nsensors:\n"
	    "  - {value: bad}\n", &errs);

	cr_assert_null(p);
	cr_assert_geq(errs.n, 3, "all problems reported, not only the first");
	cfg_errors_clear(&errs);
}

/* Patterns each within bounds still add up: a profile's total is capped, so
 * a long list of costly patterns is refused instead of compiled. */
Test(snmp_profile, pattern_budget_per_profile)
{
	char yaml[4096];
	size_t off = (size_t)snprintf(yaml, sizeof(yaml), "name: x\nmatch:\n  sysdescr: [");
	for (int i = 0; i < 100; i++)
		off += (size_t)snprintf(yaml + off, sizeof(yaml) - off, "%s\"a{999}\"",
		    i ? ", " : "");
	snprintf(yaml + off, sizeof(yaml) - off, "]\n");
	struct cfg_errors errs = { 0 };
	struct sp_profile *p = parse(yaml, &errs);
	cr_assert_null(p, "100 patterns of 1000 repeats each compiled");
	cr_assert_geq(errs.n, 1);
	cr_expect(strstr(errs.msgs[0], "too large") != NULL, "%s", errs.msgs[0]);
	cfg_errors_clear(&errs);

	char big[600];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(yaml, sizeof(yaml), "name: x\nmatch: {sysdescr: %s}\n", big);
	cr_assert_null(parse(yaml, &errs));
	cr_expect(strstr(errs.msgs[0], "longer than") != NULL, "%s", errs.msgs[0]);
	cfg_errors_clear(&errs);
}

/* A file with thousands of errors keeps the first 50 and counts the rest. */
Test(snmp_profile, errors_capped)
{
	char yaml[8192];
	size_t off = (size_t)snprintf(yaml, sizeof(yaml), "name: x\nsensors:\n");
	for (int i = 0; i < 300; i++)
		off += (size_t)snprintf(yaml + off, sizeof(yaml) - off, "  - {v: 1}\n");
	struct cfg_errors errs = { 0 };
	cr_assert_null(parse(yaml, &errs));
	cr_expect_eq(errs.n, 51, "%zu messages kept", errs.n);
	cr_expect(strstr(errs.msgs[errs.n - 1], "more errors not shown") != NULL, "%s",
	    errs.msgs[errs.n - 1]);
	cfg_errors_clear(&errs);
}

static const char *match_yaml =
	"name: m\nkind: switch\npriority: 50\n"
	"match:\n  sysobjectid: [1.3.6.1.4.1.2011, 1.3.6.1.4.1.9]\n"
	"  sysdescr: \"^Huawei AR\"\n  probe: 1.3.6.1.4.1.2011.5.25.31\n"
	"kind_rules:\n  - {sysdescr: \"^Huawei AR\", kind: router}\n"
	"  - {sysobjectid: 1.3.6.1.4.1.2011.2.240, kind: wlc}\n";

Test(snmp_profile, static_matching_and_kind)
{
	struct cfg_errors errs = { 0 };
	struct sp_profile *p = parse(match_yaml, &errs);
	cr_assert_not_null(p);
	static const struct {
		const char *oid, *descr;
		int want;
		const char *kind;
	} t[] = {
		{ "1.3.6.1.4.1.2011.2.23.291", "S5720", 1, "switch" },
		{ "1.3.6.1.4.1.2011.2.240.6", "AC6605", 1, "wlc" },
		{ "1.3.6.1.4.1.9.1.1208", "Cisco IOS", 1, "switch" },
		{ "1.3.6.1.4.1.8072.3.2.10", "Huawei AR169F", 1, "router" },
		{ "1.3.6.1.4.1.201", "Something", 2, NULL },	/* probe decides */
		{ "1.3.6.1.4.1.20", "x", 2, NULL },		/* 2011 prefix is arc-wise */
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct sp_oid o;
		cr_assert_eq(sp_oid_parse(t[i].oid, &o, 0), 0);
		cr_assert_eq(sp_profile_match_static(p, o.arcs, o.len, t[i].descr), t[i].want,
		    "case %zu", i);
		if (t[i].kind) {
			const struct sp_profile *m[] = { p };
			cr_assert_str_eq(sp_profiles_kind(m, 1, o.arcs, o.len, t[i].descr),
			    t[i].kind, "case %zu", i);
		}
	}
	struct sp_profile *any = parse("name: any\n", &errs);
	cr_assert_eq(sp_profile_match_static(any, NULL, 0, NULL), 1, "no match section: always");
	cr_assert_str_eq(sp_profiles_kind(NULL, 0, NULL, 0, NULL), "other");
	struct sp_profile *nomatch = parse("name: n\nmatch: {sysobjectid: 1.3.6.1.4.1.9}\n", &errs);
	struct sp_oid o;
	sp_oid_parse("1.3.6.1.4.1.8072", &o, 0);
	cr_assert_eq(sp_profile_match_static(nomatch, o.arcs, o.len, "x"), 0);
	sp_profile_free(p);
	sp_profile_free(any);
	sp_profile_free(nomatch);
	cfg_errors_clear(&errs);
}

/* ---- evaluation over a synthetic store ------------------------------- */

struct fixture {
	struct sp_arena arena;
	struct sp_store st;
};

static void
put(struct fixture *f, const char *oid, enum sp_vtype type, long long num, const char *str,
    double t)
{
	struct sp_oid o;
	struct sp_value v = { .type = type };

	cr_assert_eq(sp_oid_parse(oid, &o, 0), 0, "%s", oid);
	if (type == SP_V_STRING || type == SP_V_OID) {
		v.s = (const unsigned char *)str;
		v.len = strlen(str);
	} else if (type == SP_V_INT) {
		v.i = num;
	} else {
		v.u = (uint64_t)num;
	}
	cr_assert_eq(sp_store_add(&f->st, o.arcs, o.len, &v, t), 0);
}

static const char *sensor_yaml =
	"name: s\n"
	"sensors:\n"
	"  - type: temperature\n    unit: \"°C\"\n    value: 1.3.6.1.9.1.3\n"
	"    label: 1.3.6.1.9.1.2\n    scale: 0.1\n    skip: [-1]\n"
	"    where: {oid: 1.3.6.1.9.1.5, in: [1]}\n"
	"    state: {oid: 1.3.6.1.9.1.4, map: {2: normal, 4: critical, _default: unknown}}\n"
	"  - type: leak\n    value: 1.3.6.1.8.*.1.5\n    label: 1.3.6.1.8.*.1.3\n"
	"    where: {oid: 1.3.6.1.8.*.1.2, in: [23]}\n"
	"    state: {oid: 1.3.6.1.8.*.1.4, map: {4: normal, 7: leak}}\n"
	"  - value: 1.3.6.1.7.1.4\n    label: 1.3.6.1.7.1.7\n"
	"    type_from: {oid: 1.3.6.1.7.1.1, map: {8: [temperature, \"°C\"], 10: [fan, rpm]}}\n"
	"    scale_from: {oid: 1.3.6.1.7.1.2, entity: yes}\n"
	"    precision: 1.3.6.1.7.1.3\n"
	"  - type: other\n    name: Output source\n    value: 1.3.6.1.6.4.1.0\n"
	"    state: {map: {3: normal, 5: on_battery}}\n"
	"metrics:\n"
	"  - {measurement: storage, field: used_bytes, value: 1.3.6.1.5.6, multiply: 1.3.6.1.5.4, label: 1.3.6.1.5.3}\n"
	"  - {measurement: storage, field: used_percent, value: 1.3.6.1.5.6, percent_of: 1.3.6.1.5.5, label: 1.3.6.1.5.3}\n"
	"  - {measurement: io, field: read_ps, value: 1.3.6.1.4.12, rate: yes}\n";

static const struct sp_sensor *
find_sensor(const struct sp_result *r, const char *name)
{
	for (size_t i = 0; i < r->n_sensors; i++)
		if (strcmp(r->sensors[i].name, name) == 0)
			return &r->sensors[i];
	return NULL;
}

static const struct sp_metric *
find_metric(const struct sp_result *r, const char *m, const char *field, const char *tag)
{
	for (size_t i = 0; i < r->n_metrics; i++) {
		const struct sp_metric *x = &r->metrics[i];
		if (strcmp(x->measurement, m) || strcmp(x->field, field))
			continue;
		if (tag == NULL || (x->n_tags > 0 && strcmp(x->tags[x->n_tags - 1].value, tag) == 0))
			return x;
	}
	return NULL;
}

Test(snmp_eval, sensors_states_scaling_wildcards)
{
	struct cfg_errors errs = { 0 };
	struct sp_profile *p = parse(sensor_yaml, &errs);
	for (size_t i = 0; i < errs.n; i++)
		cr_log_error("%s", errs.msgs[i]);
	cr_assert_not_null(p);
	struct fixture f = { 0 };
	sp_store_init(&f.st, &f.arena, 1000);
	/* vendor temperature table: row 1 ok, row 2 offline, row 3 -1 */
	put(&f, "1.3.6.1.9.1.2.1", SP_V_STRING, 0, "Inlet", 1);
	put(&f, "1.3.6.1.9.1.2.2", SP_V_STRING, 0, "Offline", 1);
	put(&f, "1.3.6.1.9.1.2.3", SP_V_STRING, 0, "Broken", 1);
	put(&f, "1.3.6.1.9.1.3.1", SP_V_INT, 215, NULL, 1);
	put(&f, "1.3.6.1.9.1.3.2", SP_V_INT, 300, NULL, 1);
	put(&f, "1.3.6.1.9.1.3.3", SP_V_INT, -1, NULL, 1);
	put(&f, "1.3.6.1.9.1.4.1", SP_V_INT, 4, NULL, 1);
	put(&f, "1.3.6.1.9.1.5.1", SP_V_INT, 1, NULL, 1);
	put(&f, "1.3.6.1.9.1.5.2", SP_V_INT, 2, NULL, 1);
	put(&f, "1.3.6.1.9.1.5.3", SP_V_INT, 1, NULL, 1);
	/* Rittal-like units 3 and 4 under a wildcard */
	put(&f, "1.3.6.1.8.3.1.2.1", SP_V_INT, 23, NULL, 1);
	put(&f, "1.3.6.1.8.3.1.3.1", SP_V_STRING, 0, "Leakage Sensor", 1);
	put(&f, "1.3.6.1.8.3.1.4.1", SP_V_INT, 7, NULL, 1);
	put(&f, "1.3.6.1.8.3.1.5.1", SP_V_INT, 1, NULL, 1);
	put(&f, "1.3.6.1.8.4.1.2.1", SP_V_INT, 10, NULL, 1);
	put(&f, "1.3.6.1.8.4.1.3.1", SP_V_STRING, 0, "Not a leak", 1);
	put(&f, "1.3.6.1.8.4.1.4.1", SP_V_INT, 4, NULL, 1);
	put(&f, "1.3.6.1.8.4.1.5.1", SP_V_INT, 20, NULL, 1);
	/* ENTITY-SENSOR-like: milli-degrees with precision 0; rpm */
	put(&f, "1.3.6.1.7.1.1.5", SP_V_INT, 8, NULL, 1);
	put(&f, "1.3.6.1.7.1.1.6", SP_V_INT, 10, NULL, 1);
	put(&f, "1.3.6.1.7.1.1.7", SP_V_INT, 99, NULL, 1);	/* unmapped type */
	put(&f, "1.3.6.1.7.1.2.5", SP_V_INT, 8, NULL, 1);
	put(&f, "1.3.6.1.7.1.2.6", SP_V_INT, 9, NULL, 1);
	put(&f, "1.3.6.1.7.1.3.5", SP_V_INT, 0, NULL, 1);
	put(&f, "1.3.6.1.7.1.3.6", SP_V_INT, 0, NULL, 1);
	put(&f, "1.3.6.1.7.1.4.5", SP_V_INT, 27375, NULL, 1);
	put(&f, "1.3.6.1.7.1.4.6", SP_V_INT, 4136, NULL, 1);
	put(&f, "1.3.6.1.7.1.4.7", SP_V_INT, 1, NULL, 1);
	put(&f, "1.3.6.1.7.1.7.5", SP_V_STRING, 0, "Temp Sensor", 1);
	put(&f, "1.3.6.1.7.1.7.6", SP_V_STRING, 0, "Fan 1", 1);
	put(&f, "1.3.6.1.6.4.1.0", SP_V_INT, 5, NULL, 1);
	/* storage */
	put(&f, "1.3.6.1.5.3.1", SP_V_STRING, 0, "/", 1);
	put(&f, "1.3.6.1.5.4.1", SP_V_INT, 4096, NULL, 1);
	put(&f, "1.3.6.1.5.5.1", SP_V_INT, 1000, NULL, 1);
	put(&f, "1.3.6.1.5.6.1", SP_V_INT, 250, NULL, 1);
	sp_store_finish(&f.st);

	struct sp_history h = { .last_uptime = -1 };
	struct sp_eval_ctx ctx = { .arena = &f.arena, .hist = &h, .now = 1 };
	struct sp_result r = { 0 };
	const struct sp_profile *m[] = { p };
	sp_evaluate(&r, &f.st, m, 1, &ctx);

	cr_assert_eq(r.n_sensors, 5, "got %zu sensors", r.n_sensors);
	const struct sp_sensor *s = find_sensor(&r, "Inlet");
	cr_assert_not_null(s);
	cr_assert_str_eq(s->type, "temperature");
	cr_assert_str_eq(s->unit, "°C");
	cr_assert_float_eq(s->value, 21.5, 1e-9);
	cr_assert_str_eq(s->state, "critical");
	cr_assert_null(find_sensor(&r, "Offline"), "where filters");
	cr_assert_null(find_sensor(&r, "Broken"), "skip filters");
	s = find_sensor(&r, "Leakage Sensor");
	cr_assert_not_null(s);
	cr_assert_str_eq(s->type, "leak");
	cr_assert_str_eq(s->state, "leak");
	cr_assert_str_eq(s->index, "3.1", "wildcard arc is part of the index");
	cr_assert_null(find_sensor(&r, "Not a leak"));
	s = find_sensor(&r, "Temp Sensor");
	cr_assert_not_null(s);
	cr_assert_float_eq(s->value, 27.375, 1e-9);
	cr_assert_str_eq(s->state, "unknown", "no state source");
	s = find_sensor(&r, "Fan 1");
	cr_assert_not_null(s);
	cr_assert_str_eq(s->type, "fan");
	cr_assert_str_eq(s->unit, "rpm");
	s = find_sensor(&r, "Output source");
	cr_assert_not_null(s);
	cr_assert_str_eq(s->state, "on_battery");
	cr_assert_str_eq(s->index, "");

	const struct sp_metric *x = find_metric(&r, "storage", "used_bytes", "/");
	cr_assert_not_null(x);
	cr_assert_float_eq(x->value, 250.0 * 4096, 1e-6);
	x = find_metric(&r, "storage", "used_percent", "/");
	cr_assert_not_null(x);
	cr_assert_float_eq(x->value, 25.0, 1e-9);
	x = find_metric(&r, "sensor", "value", "Inlet");
	cr_assert_not_null(x, "sensors are metrics too");
	cr_assert_str_eq(x->tags[0].key, "type");
	cr_assert_str_eq(x->tags[0].value, "temperature");

	sp_history_free(&h);
	free(f.st.v);
	sp_arena_free(&f.arena);
	sp_profile_free(p);
	cfg_errors_clear(&errs);
}

static const char *if_yaml =
	"name: i\ninterfaces:\n  descr: 1.3.6.1.2.1.2.2.1.2\n  speed: 1.3.6.1.2.1.2.2.1.5\n"
	"  oper_status: 1.3.6.1.2.1.2.2.1.8\n  admin_status: 1.3.6.1.2.1.2.2.1.7\n"
	"  in_octets: 1.3.6.1.2.1.2.2.1.10\n  out_octets: 1.3.6.1.2.1.2.2.1.16\n"
	"  in_errors: 1.3.6.1.2.1.2.2.1.14\n  name: 1.3.6.1.2.1.31.1.1.1.1\n"
	"  hc_in_octets: 1.3.6.1.2.1.31.1.1.1.6\n  high_speed: 1.3.6.1.2.1.31.1.1.1.15\n"
	"  alias: 1.3.6.1.2.1.31.1.1.1.18\n";

static void
if_poll(struct sp_profile *p, struct sp_history *h, double t, uint64_t hc_in, uint32_t in32,
    uint32_t out32, int rebooted, struct sp_result *r, struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	sp_store_init(&f->st, &f->arena, 1000);
	put(f, "1.3.6.1.2.1.2.2.1.2.1", SP_V_STRING, 0, "GigabitEthernet0/0/1", t);
	put(f, "1.3.6.1.2.1.2.2.1.2.2", SP_V_STRING, 0, "Vlanif1", t);
	put(f, "1.3.6.1.2.1.2.2.1.5.1", SP_V_UINT, 4294967295LL, NULL, t);
	put(f, "1.3.6.1.2.1.2.2.1.5.2", SP_V_UINT, 100000000, NULL, t);
	put(f, "1.3.6.1.2.1.2.2.1.7.1", SP_V_INT, 1, NULL, t);
	put(f, "1.3.6.1.2.1.2.2.1.8.1", SP_V_INT, 1, NULL, t);
	put(f, "1.3.6.1.2.1.2.2.1.8.2", SP_V_INT, 2, NULL, t);
	put(f, "1.3.6.1.2.1.2.2.1.10.1", SP_V_COUNTER32, 1, NULL, t);
	put(f, "1.3.6.1.2.1.2.2.1.10.2", SP_V_COUNTER32, in32, NULL, t);
	put(f, "1.3.6.1.2.1.2.2.1.16.2", SP_V_COUNTER32, out32, NULL, t);
	put(f, "1.3.6.1.2.1.2.2.1.14.1", SP_V_COUNTER32, (long long)(t * 2), NULL, t);
	put(f, "1.3.6.1.2.1.31.1.1.1.1.1", SP_V_STRING, 0, "GE0/0/1", t);
	put(f, "1.3.6.1.2.1.31.1.1.1.6.1", SP_V_COUNTER64, (long long)hc_in, NULL, t);
	put(f, "1.3.6.1.2.1.31.1.1.1.15.1", SP_V_UINT, 10000, NULL, t);
	put(f, "1.3.6.1.2.1.31.1.1.1.18.1", SP_V_STRING, 0, "uplink \xe6\xa0\xb8\xe5\xbf\x83", t);
	sp_store_finish(&f->st);
	struct sp_eval_ctx ctx = { .arena = &f->arena, .hist = h, .now = t, .rebooted = rebooted };
	const struct sp_profile *m[] = { p };
	memset(r, 0, sizeof(*r));
	sp_evaluate(r, &f->st, m, 1, &ctx);
}

static void
fixture_free(struct fixture *f)
{
	free(f->st.v);
	sp_arena_free(&f->arena);
}

Test(snmp_eval, interfaces_rates_wraps_reboot)
{
	struct cfg_errors errs = { 0 };
	struct sp_profile *p = parse(if_yaml, &errs);
	cr_assert_not_null(p);
	struct sp_history h = { .last_uptime = -1 };
	struct sp_result r;
	struct fixture f;

	if_poll(p, &h, 100, UINT64_MAX - 999, 4294967000U, 10, 0, &r, &f);
	cr_assert_eq(r.n_ifaces, 2);
	const struct sp_iface *i1 = &r.ifaces[0], *i2 = &r.ifaces[1];
	cr_assert_str_eq(i1->name, "GE0/0/1");
	cr_assert_str_eq(i1->descr, "GigabitEthernet0/0/1");
	cr_assert_str_eq(i1->alias, "uplink \xe6\xa0\xb8\xe5\xbf\x83");
	cr_assert_eq(i1->speed_bps, 10000000000ULL, "ifHighSpeed beats saturated ifSpeed");
	cr_assert_str_eq(i1->oper_status, "up");
	cr_assert(isnan(i1->in_bps), "no rate on the first poll");
	cr_assert_str_eq(i2->name, "Vlanif1", "no ifName: ifDescr");
	cr_assert_str_eq(i2->oper_status, "down");
	cr_assert_str_eq(i2->admin_status, "unknown");
	cr_assert_eq(i2->speed_bps, 100000000ULL);
	fixture_free(&f);

	/* 10 s later: 64-bit wrap on if 1 (2000 bytes), 32-bit wrap on if 2 */
	if_poll(p, &h, 110, 1000, 704, 1010, 0, &r, &f);
	i1 = &r.ifaces[0];
	i2 = &r.ifaces[1];
	cr_assert_float_eq(i1->in_bps, 2000.0 * 8 / 10, 1e-6);
	cr_assert_float_eq(i1->in_errors_ps, 2.0, 1e-9);
	cr_assert_float_eq(i2->in_bps, 1000.0 * 8 / 10, 1e-6);
	cr_assert_float_eq(i2->out_bps, 1000.0 * 8 / 10, 1e-6);
	cr_assert(isnan(i2->in_errors_ps), "no counter, no rate");
	const struct sp_metric *m = find_metric(&r, "interface", "in_bps", "GE0/0/1");
	cr_assert_not_null(m);
	cr_assert_str_eq(m->tags[0].key, "ifName");
	fixture_free(&f);

	/* the device rebooted: counters restart, no rate this time */
	if_poll(p, &h, 120, 50, 20, 20, 1, &r, &f);
	cr_assert(isnan(r.ifaces[0].in_bps));
	cr_assert(isnan(r.ifaces[1].in_bps));
	fixture_free(&f);
	if_poll(p, &h, 130, 1050, 1020, 20, 0, &r, &f);
	cr_assert_float_eq(r.ifaces[0].in_bps, 800.0, 1e-6);
	cr_assert_float_eq(r.ifaces[1].in_bps, 800.0, 1e-6);
	fixture_free(&f);

	sp_history_free(&h);
	sp_profile_free(p);
	cfg_errors_clear(&errs);
}

Test(snmp_plan, scalars_and_walks)
{
	struct cfg_errors errs = { 0 };
	struct sp_profile *a = parse(sensor_yaml, &errs), *b = parse(if_yaml, &errs);
	cr_assert_not_null(a);
	cr_assert_not_null(b);
	const struct sp_profile *m[] = { a, b };
	struct sp_plan plan;

	sp_plan_build(&plan, m, 2);
	cr_assert_eq(plan.n_gets, 1, "one scalar");
	char buf[128];
	cr_assert_str_eq(sp_oid_format(plan.gets[0].arcs, plan.gets[0].len, buf, sizeof(buf)),
	    "1.3.6.1.6.4.1.0");
	for (size_t i = 1; i < plan.n_walks; i++)
		cr_assert_lt(sp_oid_cmp(plan.walks[i - 1].arcs, plan.walks[i - 1].len,
		    plan.walks[i].arcs, plan.walks[i].len), 0, "sorted, unique");
	int has_wild_prefix = 0;
	for (size_t i = 0; i < plan.n_walks; i++) {
		sp_oid_format(plan.walks[i].arcs, plan.walks[i].len, buf, sizeof(buf));
		has_wild_prefix |= strcmp(buf, "1.3.6.1.8") == 0;
		cr_assert(strncmp(buf, "1.3.6.1.8.", 10) != 0, "no walk inside another: %s", buf);
	}
	cr_assert(has_wild_prefix, "a '*' walks the part before it");
	sp_plan_free(&plan);
	sp_profile_free(a);
	sp_profile_free(b);
	cfg_errors_clear(&errs);
}

Test(snmp_profile, map_lookup)
{
	struct cfg_errors errs = { 0 };
	struct sp_profile *p = parse("name: x\nsensors:\n  - type: t\n    value: 1.3.6.1\n"
	    "    state: {map: {1: normal, \"on\": normal, 2: critical, _default: unknown}}\n", &errs);
	cr_assert_not_null(p);
	const struct sp_map *m = &p->sensors[0].state.map;
	struct sp_value v = { .type = SP_V_INT, .i = 2 };
	const char *da = NULL;
	cr_assert_str_eq(sp_map_find(m, &v, &da, NULL)->a, "critical");
	v.i = 9;
	cr_assert_null(sp_map_find(m, &v, &da, NULL));
	cr_assert_str_eq(da, "unknown");
	struct sp_value s = { .type = SP_V_STRING, .s = (const unsigned char *)"ON", .len = 2 };
	cr_assert_str_eq(sp_map_find(m, &s, &da, NULL)->a, "normal", "strings match case-blind");
	struct sp_value n = { .type = SP_V_STRING, .s = (const unsigned char *)"2", .len = 1 };
	cr_assert_str_eq(sp_map_find(m, &n, &da, NULL)->a, "critical", "numeric text");
	sp_profile_free(p);
	cfg_errors_clear(&errs);
}

/* ---- raw tables (tables:) ----------------------------------------------- */

static const char *tables_yaml =
	"name: t\n"
	"tables:\n"
	"  - name: rem\n"
	"    slow: true\n"
	"    columns: {name: 1.0.8802.1.1.2.1.4.1.1.9, port: 1.0.8802.1.1.2.1.4.1.1.7}\n"
	"  - name: fast\n"
	"    columns: {x: 1.3.6.1.4.1.99.1}\n";

Test(snmp_tables, slow_tables_are_a_plan_of_their_own_and_rows_union_the_columns)
{
	struct cfg_errors errs = { 0 };
	struct sp_profile *p = parse(tables_yaml, &errs);
	cr_assert_not_null(p, "%s", errs.n ? errs.msgs[0] : "");
	const struct sp_profile *m[] = { p };
	struct sp_plan plan;
	sp_plan_build(&plan, m, 1);
	cr_expect_eq(plan.n_walks, 1);		/* the fast column */
	cr_expect_eq(plan.n_slow_walks, 2);	/* the two LLDP columns */

	struct fixture f = { 0 };
	sp_store_init(&f.st, &f.arena, 1000);
	put(&f, "1.0.8802.1.1.2.1.4.1.1.9.0.7.1", SP_V_STRING, 0, "sw-a", 1);
	put(&f, "1.0.8802.1.1.2.1.4.1.1.7.0.7.1", SP_V_STRING, 0, "eth0", 1);
	put(&f, "1.0.8802.1.1.2.1.4.1.1.7.0.9.1", SP_V_STRING, 0, "eth9", 1);	/* no name */
	put(&f, "1.3.6.1.4.1.99.1.5", SP_V_INT, 42, NULL, 1);
	sp_store_finish(&f.st);
	struct sp_result r = { 0 };
	struct sp_eval_ctx ctx = { .arena = &f.arena, .with_slow = 0 };
	sp_evaluate_tables(&r, &f.st, m, 1, &ctx);
	cr_assert_eq(r.n_tables, 1, "slow tables only when walked");
	cr_expect_str_eq(r.tables[0].name, "fast");
	cr_expect_eq(r.slow_walked, 0);
	ctx.with_slow = 1;
	sp_evaluate_tables(&r, &f.st, m, 1, &ctx);
	cr_assert_eq(r.n_tables, 2);
	const struct sp_table *t = &r.tables[0];
	cr_expect_str_eq(t->name, "rem");
	cr_assert_eq(t->n_rows, 2);
	cr_expect_eq(t->rows[0].index_len, 3);
	cr_expect_eq(t->rows[0].index[1], 7);
	cr_expect_eq(t->rows[0].cells[0].type, SP_V_STRING);	/* name */
	cr_expect_eq(t->rows[1].index[1], 9);
	cr_expect_eq(t->rows[1].cells[0].type, SP_V_NONE);	/* missing: none */
	cr_expect_eq(t->rows[1].cells[1].len, 4);
	sp_arena_free(&f.arena);
	free(f.st.v);
	sp_plan_free(&plan);
	sp_profile_free(p);
}
