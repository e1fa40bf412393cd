/*
 * live.c — a device's live tables from its last poll: interfaces, sensors
 * and the profiles that matched, as C arrays that rules and topology read
 * directly. JSON is made only for HTTP (device_ifaces_json and friends), and
 * the API caches it until the next poll.
 *
 * A table and all its strings are one allocation set: the arrays plus one
 * block of strings, so a poll of a 48-port switch costs three mallocs rather
 * than a few hundred.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "collector/http/http.h"
#include "collector/inventory/inventory.h"
#include "collector/snmp/snmp.h"

/* Copy strings into one block: first measure, then copy. */
struct strpool {
	char *base;
	size_t used, cap;
};

static size_t
len0(const char *s)
{
	return s ? strlen(s) + 1 : 1;
}

static const char *
pool_put(struct strpool *p, const char *s)
{
	char *at = p->base + p->used;
	size_t n = len0(s);
	if (s)
		memcpy(at, s, n);
	else
		at[0] = '\0';
	p->used += n;
	return at;
}

void
device_live_free(struct device_live *l)
{
	if (l == NULL)
		return;
	free(l->ifaces);
	free(l->sensors);
	free(l->profiles);
	free(l->strings);
	free(l);
}

struct device_live *
device_live_from_result(const struct sp_result *r)
{
	size_t bytes = 0;
	for (size_t i = 0; i < r->n_ifaces; i++) {
		const struct sp_iface *f = &r->ifaces[i];
		bytes += len0(f->name) + len0(f->descr) + len0(f->alias) +
		    len0(f->admin_status) + len0(f->oper_status);
	}
	for (size_t i = 0; i < r->n_sensors; i++) {
		const struct sp_sensor *s = &r->sensors[i];
		bytes += len0(s->name) + len0(s->type) + len0(s->unit) + len0(s->state) +
		    len0(s->index) + len0(s->profile);
	}
	for (size_t i = 0; i < r->n_profiles; i++)
		bytes += len0(r->profiles[i]);

	struct device_live *l = calloc(1, sizeof(*l));
	if (l == NULL)
		return NULL;
	struct strpool p = { malloc(bytes ? bytes : 1), 0, bytes };
	l->strings = p.base;
	l->ifaces = calloc(r->n_ifaces ? r->n_ifaces : 1, sizeof(*l->ifaces));
	l->sensors = calloc(r->n_sensors ? r->n_sensors : 1, sizeof(*l->sensors));
	l->profiles = calloc(r->n_profiles ? r->n_profiles : 1, sizeof(*l->profiles));
	if (p.base == NULL || l->ifaces == NULL || l->sensors == NULL || l->profiles == NULL) {
		device_live_free(l);
		return NULL;
	}
	for (size_t i = 0; i < r->n_ifaces; i++) {
		const struct sp_iface *f = &r->ifaces[i];
		struct sp_iface *x = &l->ifaces[i];
		x->index = f->index;
		x->name = pool_put(&p, f->name);
		x->descr = pool_put(&p, f->descr);
		x->alias = pool_put(&p, f->alias);
		x->admin_status = pool_put(&p, f->admin_status);
		x->oper_status = pool_put(&p, f->oper_status);
		x->speed_bps = f->speed_bps;
		x->in_bps = f->in_bps;
		x->out_bps = f->out_bps;
		x->in_errors_ps = f->in_errors_ps;
		x->out_errors_ps = f->out_errors_ps;
		x->in_discards_ps = f->in_discards_ps;
		x->out_discards_ps = f->out_discards_ps;
	}
	l->n_ifaces = r->n_ifaces;
	for (size_t i = 0; i < r->n_sensors; i++) {
		const struct sp_sensor *s = &r->sensors[i];
		struct sp_sensor *x = &l->sensors[i];
		x->name = pool_put(&p, s->name);
		x->type = pool_put(&p, s->type);
		x->unit = pool_put(&p, s->unit);
		x->state = pool_put(&p, s->state);
		x->index = pool_put(&p, s->index);
		x->profile = pool_put(&p, s->profile);
		x->value = s->value;
	}
	l->n_sensors = r->n_sensors;
	for (size_t i = 0; i < r->n_profiles; i++)
		l->profiles[i] = pool_put(&p, r->profiles[i]);
	l->n_profiles = r->n_profiles;
	return l;
}

const struct sp_iface *
device_iface_by_index(const struct device_live *l, unsigned long index)
{
	if (l == NULL)
		return NULL;
	/* Tables come in ifIndex order from the walk: try the same slot first. */
	for (size_t i = 0; i < l->n_ifaces; i++)
		if (l->ifaces[i].index == index)
			return &l->ifaces[i];
	return NULL;
}

/* ---- JSON, for HTTP only (the engine's shapes, DESIGN §3) ---------------- */

json_t *
device_ifaces_json(const struct device *d)
{
	return d->live ? sp_ifaces_json(d->live->ifaces, d->live->n_ifaces) : json_array();
}

json_t *
device_sensors_json(const struct device *d)
{
	return d->live ? sp_sensors_json(d->live->sensors, d->live->n_sensors) : json_array();
}

json_t *
device_profiles_json(const struct device *d)
{
	json_t *a = json_array();
	const struct device_live *l = d->live;
	for (size_t i = 0; l && i < l->n_profiles; i++)
		json_array_append_new(a, json_string_safe(l->profiles[i], strlen(l->profiles[i])));
	return a;
}
