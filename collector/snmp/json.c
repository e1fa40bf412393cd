/*
 * json.c — a poll result as JSON: the shapes of DESIGN.md §3 (interface and
 * sensor objects) plus the device facts, metrics and timing. Used by
 * campusmon-snmppoll and available to the collector's API.
 */
#include "collector/snmp/snmp.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>

static json_t *
str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *
num_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

json_t *
sp_ifaces_json(const struct sp_iface *ifaces, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct sp_iface *f = &ifaces[i];
		json_t *x = json_object();
		json_object_set_new(x, "index", json_integer((json_int_t)f->index));
		json_object_set_new(x, "name", json_string(f->name));
		json_object_set_new(x, "descr", json_string(f->descr));
		json_object_set_new(x, "alias", json_string(f->alias));
		json_object_set_new(x, "speed_bps", json_integer((json_int_t)f->speed_bps));
		json_object_set_new(x, "admin_status", json_string(f->admin_status));
		json_object_set_new(x, "oper_status", json_string(f->oper_status));
		json_object_set_new(x, "in_bps", num_or_null(f->in_bps));
		json_object_set_new(x, "out_bps", num_or_null(f->out_bps));
		json_object_set_new(x, "in_errors_ps", num_or_null(f->in_errors_ps));
		json_object_set_new(x, "out_errors_ps", num_or_null(f->out_errors_ps));
		json_object_set_new(x, "in_discards_ps", num_or_null(f->in_discards_ps));
		json_object_set_new(x, "out_discards_ps", num_or_null(f->out_discards_ps));
		json_array_append_new(a, x);
	}
	return a;
}

json_t *
sp_sensors_json(const struct sp_sensor *sensors, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct sp_sensor *s = &sensors[i];
		json_t *x = json_object();
		json_object_set_new(x, "name", json_string(s->name));
		json_object_set_new(x, "type", json_string(s->type));
		json_object_set_new(x, "value", num_or_null(s->value));
		json_object_set_new(x, "unit", json_string(s->unit));
		json_object_set_new(x, "state", json_string(s->state));
		json_object_set_new(x, "index", json_string(s->index));
		json_object_set_new(x, "profile", json_string(s->profile));
		json_array_append_new(a, x);
	}
	return a;
}

char *
sp_result_to_json(const struct sp_result *r, int pretty)
{
	json_t *o = json_object(), *a;

	json_object_set_new(o, "device_id", json_integer(r->device_id));
	json_object_set_new(o, "target", str_or_null(r->target));
	json_object_set_new(o, "status", json_string(sp_status_name(r->status)));
	json_object_set_new(o, "error", str_or_null(r->error));
	json_object_set_new(o, "started", json_real(r->started));
	json_object_set_new(o, "duration", json_real(r->duration));
	json_object_set_new(o, "kind", str_or_null(r->kind));
	json_t *sys = json_object();
	json_object_set_new(sys, "descr", str_or_null(r->sys_descr));
	json_object_set_new(sys, "object_id", str_or_null(r->sys_object_id));
	json_object_set_new(sys, "name", str_or_null(r->sys_name));
	json_object_set_new(sys, "location", str_or_null(r->sys_location));
	json_object_set_new(sys, "contact", str_or_null(r->sys_contact));
	json_object_set_new(sys, "uptime_ticks", r->uptime_ticks >= 0 ?
	    json_integer(r->uptime_ticks) : json_null());
	json_object_set_new(sys, "rebooted", json_boolean(r->rebooted));
	json_object_set_new(o, "system", sys);
	json_t *inv = json_object();
	json_object_set_new(inv, "serial", str_or_null(r->serial));
	json_object_set_new(inv, "model", str_or_null(r->model));
	json_object_set_new(inv, "vendor", str_or_null(r->vendor));
	json_object_set_new(inv, "firmware", str_or_null(r->firmware));
	json_object_set_new(o, "inventory", inv);
	a = json_array();
	for (size_t i = 0; i < r->n_profiles; i++)
		json_array_append_new(a, json_string(r->profiles[i]));
	json_object_set_new(o, "profiles", a);

	json_object_set_new(o, "interfaces", sp_ifaces_json(r->ifaces, r->n_ifaces));
	json_object_set_new(o, "sensors", sp_sensors_json(r->sensors, r->n_sensors));

	a = json_array();
	for (size_t i = 0; i < r->n_metrics; i++) {
		const struct sp_metric *m = &r->metrics[i];
		json_t *x = json_object(), *tags = json_object();
		json_object_set_new(x, "measurement", json_string(m->measurement));
		for (size_t t = 0; t < m->n_tags; t++)
			json_object_set_new(tags, m->tags[t].key, json_string(m->tags[t].value));
		json_object_set_new(x, "tags", tags);
		json_object_set_new(x, "field", json_string(m->field));
		json_object_set_new(x, "value", json_real(m->value));
		json_array_append_new(a, x);
	}
	json_object_set_new(o, "metrics", a);

	json_t *st = json_object();
	json_object_set_new(st, "requests", json_integer(r->stats.requests));
	json_object_set_new(st, "timeouts", json_integer(r->stats.timeouts));
	json_object_set_new(st, "too_big", json_integer(r->stats.too_big));
	json_object_set_new(st, "values", json_integer(r->stats.values));
	json_object_set_new(st, "bulk_size", json_integer(r->stats.bulk_size));
	json_object_set_new(o, "stats", st);

	char *out = json_dumps(o, (pretty ? JSON_INDENT(2) : JSON_COMPACT) |
	    JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	json_decref(o);
	return out;
}
