/*
 * devtable.c — the device inventory in memory; the column table (columns.c)
 * maps each stored field to its SQL column, its JSON key and whether the
 * API may write it or must never return it.
 */
#include <uthash.h>

#include "collector/collector.h"
#include "collector/http/http.h"
#include "collector/store/store.h"
#include "collector/inventory/inventory.h"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

static const char *const kinds[] = { "switch", "router", "firewall", "wlc", "ap", "server",
	"storage", "ups", "pdu", "sensor", "camera", "printer", "phone", "other", NULL };


struct device_table {
	struct device *by_id;
	uint64_t generation;		/* bumped by insert and remove */
	struct jfrag *list;		/* device_list_cached() */
	uint64_t list_generation;
	uint64_t list_versions;		/* sum of the devices' versions then */
};

struct device_table *
device_table_new(void)
{
	return calloc(1, sizeof(struct device_table));
}

void
device_free(struct device *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < DEVICE_N_COLUMNS; i++)
		if (device_columns[i].type == DCOL_TEXT)
			free(DEVICE_FIELD(d, &device_columns[i], char *));
	device_live_free(d->live);
	free(d->resolved);
	device_touch(d);
	free(d);
}

void
device_touch(struct device *d)
{
	jfrag_unref(d->json_cache);
	jfrag_unref(d->ifaces_cache);
	jfrag_unref(d->sensors_cache);
	d->json_cache = d->ifaces_cache = d->sensors_cache = NULL;
	d->version++;
}

void
device_table_free(struct device_table *t)
{
	if (t == NULL)
		return;
	struct device *d, *tmp;
	HASH_ITER(hh, t->by_id, d, tmp) {
		HASH_DEL(t->by_id, d);
		device_free(d);
	}
	jfrag_unref(t->list);
	free(t);
}

struct device *
device_get(struct device_table *t, int64_t id)
{
	struct device *d;
	HASH_FIND(hh, t->by_id, &id, sizeof(id), d);
	return d;
}

struct device *
device_by_name(struct device_table *t, const char *name)
{
	struct device *d, *tmp;
	HASH_ITER(hh, t->by_id, d, tmp)
		if (d->name != NULL && strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

struct device *
device_next(struct device_table *t, struct device *prev)
{
	return prev == NULL ? t->by_id : prev->hh.next;
}

size_t
device_count(struct device_table *t)
{
	return HASH_COUNT(t->by_id);
}

void
device_insert(struct device_table *t, struct device *d)
{
	HASH_ADD(hh, t->by_id, id, sizeof(d->id), d);
	t->generation++;
}

void
device_remove(struct device_table *t, struct device *d)
{
	HASH_DEL(t->by_id, d);
	t->generation++;
}

static int
by_address(const void *a, const void *b)
{
	const struct device *x = *(const struct device *const *)a;
	const struct device *y = *(const struct device *const *)b;
	int r = disco_addr_cmp(x->address, y->address);
	if (r == 0)
		r = strcmp(x->name ? x->name : "", y->name ? y->name : "");
	return r != 0 ? r : (x->id > y->id) - (x->id < y->id);
}

void
device_list_page(struct device_table *t, struct evbuffer *out,
    int (*pred)(const struct device *d, void *arg), void *arg, size_t offset, size_t limit,
    size_t *total)
{
	size_t n = HASH_COUNT(t->by_id), m = 0;
	struct device **v = calloc(n ? n : 1, sizeof(*v));
	for (struct device *d = t->by_id; v != NULL && d != NULL; d = d->hh.next)
		if (pred == NULL || pred(d, arg))
			v[m++] = d;
	if (m > 1)
		qsort(v, m, sizeof(*v), by_address);
	if (total != NULL)
		*total = m;
	const char *sep = "[";
	for (size_t i = offset; i < m && (limit == 0 || i < offset + limit); i++) {
		struct device *d = v[i];
		if (d->json_cache == NULL)
			d->json_cache = jfrag_new(device_to_json(d));
		if (d->json_cache == NULL)
			continue;
		evbuffer_add(out, sep, 1);
		jfrag_add_to(out, d->json_cache);
		sep = ",";
	}
	evbuffer_add(out, sep[0] == '[' ? "[]" : "]", sep[0] == '[' ? 2 : 1);
	free(v);
}

void
device_list_append(struct device_table *t, struct evbuffer *out,
    int (*pred)(const struct device *d, void *arg), void *arg)
{
	device_list_page(t, out, pred, arg, 0, 0, NULL);
}

struct jfrag *
device_list_cached(struct device_table *t)
{
	uint64_t versions = 0;	/* grows whenever any device is touched */
	for (struct device *d = t->by_id; d != NULL; d = d->hh.next)
		versions += d->version;
	if (t->list != NULL && t->list_generation == t->generation &&
	    t->list_versions == versions)
		return t->list;
	struct evbuffer *buf = evbuffer_new();
	if (buf == NULL)
		return NULL;
	device_list_append(t, buf, NULL, NULL);
	jfrag_unref(t->list);
	t->list = jfrag_from_buffer(buf);
	t->list_generation = t->generation;
	t->list_versions = versions;
	evbuffer_free(buf);
	return t->list;
}

struct device *
device_new_default(void)
{
	struct device *d = calloc(1, sizeof(*d));
	if (d == NULL)
		return NULL;
	d->port = 161;
	d->interval = 60;
	d->monitored = 1;
	d->created = util_now();
	d->kind = strdup("other");
	d->status = strdup("unknown");
	d->snmp_version = strdup("2c");
	if (d->kind == NULL || d->status == NULL || d->snmp_version == NULL) {
		device_free(d);
		return NULL;
	}
	return d;
}

struct device *
device_dup(const struct device *src)
{
	struct device *d = calloc(1, sizeof(*d));
	if (d == NULL)
		return NULL;
	d->id = src->id;
	for (size_t i = 0; i < DEVICE_N_COLUMNS; i++) {
		const struct dcol *c = &device_columns[i];
		if (c->type == DCOL_TEXT) {
			const char *s = DEVICE_FIELD(src, c, char *);
			DEVICE_FIELD(d, c, char *) = s ? strdup(s) : NULL;
		} else if (c->type == DCOL_REAL) {
			DEVICE_FIELD(d, c, double) = DEVICE_FIELD(src, c, double);
		} else {
			DEVICE_FIELD(d, c, long long) = DEVICE_FIELD(src, c, long long);
		}
	}
	return d;
}

json_t *
device_to_json(const struct device *d)
{
	json_t *o = json_object(), *snmp = json_object();
	json_object_set_new(o, "id", json_integer(d->id));
	for (size_t i = 0; i < DEVICE_N_COLUMNS; i++) {
		const struct dcol *c = &device_columns[i];
		if (c->json == NULL || (c->flags & DF_SECRET))
			continue;
		json_t *v;
		if (c->type == DCOL_TEXT) {
			const char *s = DEVICE_FIELD(d, c, char *);
			v = s ? json_string_safe(s, strlen(s)) : json_null();
		} else if (c->type == DCOL_REAL) {
			double x = DEVICE_FIELD(d, c, double);
			v = x > 0 ? json_real(x) : json_null();
		} else if (c->type == DCOL_BOOL) {
			v = json_boolean(DEVICE_FIELD(d, c, long long));
		} else {
			v = json_integer(DEVICE_FIELD(d, c, long long));
		}
		json_object_set_new((c->flags & DF_SNMP) ? snmp : o, c->json, v);
	}
	/* Say which secrets are set without showing them. */
	json_object_set_new(snmp, "community_set", json_boolean(d->community != NULL));
	json_object_set_new(snmp, "auth_pass_set", json_boolean(d->auth_pass != NULL));
	json_object_set_new(snmp, "priv_pass_set", json_boolean(d->priv_pass != NULL));
	json_object_set_new(o, "snmp", snmp);
	json_object_set_new(o, "poll_duration", d->poll_duration > 0 ?
	    json_real(d->poll_duration) : json_null());
	json_object_set_new(o, "profiles", device_profiles_json(d));
	json_object_set_new(o, "resolved_address", d->resolved ?
	    json_string(d->resolved) : json_null());
	return o;
}

static int
in_list(const char *s, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

/* Validate one scalar against its column; returns an error text or NULL. */
static const char *
check_value(const struct dcol *c, json_t *v, char *buf, size_t len)
{
	static const char *const versions[] = { "1", "2c", "3", NULL };
	static const char *const auths[] = { "MD5", "SHA", "SHA-224", "SHA-256", "SHA-384",
		"SHA-512", NULL };
	static const char *const privs[] = { "DES", "AES", "AES-192", "AES-256", "AES-192C",
		"AES-256C", NULL };
	if (c->type == DCOL_TEXT) {
		const char *s = json_string_value(v);
		if (s == NULL || strlen(s) > c->maxlen || !util_utf8_valid(s, strlen(s))) {
			snprintf(buf, len, "%s must be text of at most %zu characters", c->json,
			    c->maxlen);
			return buf;
		}
		if (strcmp(c->column, "kind") == 0 && !in_list(s, kinds))
			return "kind must be one of switch, router, firewall, wlc, ap, server, "
			    "storage, ups, pdu, sensor, camera, printer, other";
		if (strcmp(c->column, "snmp_version") == 0 && !in_list(s, versions))
			return "snmp.version must be \"1\", \"2c\" or \"3\"";
		if (strcmp(c->column, "auth_proto") == 0 && !in_list(s, auths))
			return "snmp.auth_proto must be MD5, SHA, SHA-224, SHA-256, SHA-384 or SHA-512";
		if (strcmp(c->column, "priv_proto") == 0 && !in_list(s, privs))
			return "snmp.priv_proto must be DES, AES, AES-192, AES-256, AES-192C or "
			    "AES-256C";
		if (strcmp(c->column, "name") == 0 && s[0] == '\0')
			return "name must not be empty";
		return NULL;
	}
	if (c->type == DCOL_BOOL)
		return json_is_boolean(v) ? NULL : "monitored must be true or false";
	if (!json_is_integer(v))
		return strcmp(c->column, "port") == 0 ? "port must be a number" :
		    "interval must be a number of seconds";
	json_int_t n = json_integer_value(v);
	if (strcmp(c->column, "port") == 0 && (n < 1 || n > 65535))
		return "port must be 1 to 65535";
	if (strcmp(c->column, "interval") == 0 && (n < 5 || n > 86400))
		return "interval must be 5 to 86400 seconds";
	return NULL;
}

/* An IP literal, or a host name (RFC 1123: dot-separated labels of letters,
 * digits and hyphens), which resolve.c looks up with evdns off the loop. */
static int
valid_address(const char *a)
{
	size_t len = strlen(a), label = 0;
	if (resolver_is_literal(a))
		return 1;
	if (len == 0 || len > 253 || a[0] == '.' || a[0] == '-')
		return 0;
	/* digits and dots only is an IPv4 address or nothing ("300.1.1.1") */
	if (strspn(a, "0123456789.") == len)
		return 0;
	for (const char *p = a; *p; p++) {
		if (*p == '.') {
			if (label == 0 || p[-1] == '-')
				return 0;
			label = 0;
		} else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || (*p == '-' && label > 0)) {
			if (++label > 63)
				return 0;
		} else {
			return 0;
		}
	}
	return a[len - 1] != '-';
}

int
device_apply_json(struct device *d, json_t *body, int creating, char *errbuf, size_t errlen)
{
	json_t *snmp = json_object_get(body, "snmp");
	if (snmp != NULL && !json_is_object(snmp)) {
		snprintf(errbuf, errlen, "snmp must be an object");
		return -1;
	}
	/* Check everything first, so a bad body changes nothing. */
	const char *key;
	json_t *v;
	json_object_foreach(body, key, v) {
		if (strcmp(key, "snmp") == 0)
			continue;
		size_t i;
		for (i = 0; i < DEVICE_N_COLUMNS; i++)
			if (device_columns[i].json && !(device_columns[i].flags & DF_SNMP) &&
			    strcmp(device_columns[i].json, key) == 0)
				break;
		if (i == DEVICE_N_COLUMNS || !(device_columns[i].flags & DF_WRITE)) {
			snprintf(errbuf, errlen, "unknown or read-only field '%.64s'", key);
			return -1;
		}
		const char *why = json_is_null(v) && device_columns[i].type == DCOL_TEXT &&
		    strcmp(key, "name") && strcmp(key, "address") && strcmp(key, "kind") ? NULL :
		    check_value(&device_columns[i], v, errbuf, errlen);
		if (why != NULL) {
			if (why != errbuf)
				snprintf(errbuf, errlen, "%s", why);
			return -1;
		}
	}
	json_object_foreach(snmp, key, v) {
		size_t i;
		for (i = 0; i < DEVICE_N_COLUMNS; i++)
			if ((device_columns[i].flags & DF_SNMP) && strcmp(device_columns[i].json, key) == 0)
				break;
		if (i == DEVICE_N_COLUMNS) {
			snprintf(errbuf, errlen, "unknown field 'snmp.%.64s'", key);
			return -1;
		}
		const char *why = json_is_null(v) ? NULL : check_value(&device_columns[i], v, errbuf, errlen);
		if (why != NULL) {
			if (why != errbuf)
				snprintf(errbuf, errlen, "%s", why);
			return -1;
		}
	}
	const char *addr = json_string_value(json_object_get(body, "address"));
	if (creating && addr == NULL) {
		snprintf(errbuf, errlen, "address is required (an IPv4 or IPv6 address)");
		return -1;
	}
	if (addr != NULL && !valid_address(addr)) {
		snprintf(errbuf, errlen, "address must be an IPv4 or IPv6 address or a host "
		    "name (letters, digits, '-' and '.')");
		return -1;
	}
	/* Now apply. */
	for (size_t i = 0; i < DEVICE_N_COLUMNS; i++) {
		const struct dcol *c = &device_columns[i];
		if (!(c->flags & DF_WRITE))
			continue;
		json_t *src = (c->flags & DF_SNMP) ? snmp : body;
		json_t *val = src ? json_object_get(src, c->json) : NULL;
		if (val == NULL)
			continue;
		if (c->type == DCOL_TEXT) {
			free(DEVICE_FIELD(d, c, char *));
			const char *s = json_string_value(val);
			DEVICE_FIELD(d, c, char *) = s && s[0] ? strdup(s) : NULL;
		} else if (c->type == DCOL_BOOL) {
			DEVICE_FIELD(d, c, long long) = json_is_true(val);
		} else {
			DEVICE_FIELD(d, c, long long) = json_integer_value(val);
		}
	}
	if (json_object_get(body, "kind") != NULL)
		d->kind_set = 1;
	return device_check(d, errbuf, errlen);
}

/* Rules on the device as a whole, whichever request changed it. */
int
device_check(const struct device *d, char *errbuf, size_t errlen)
{
	if (d->snmp_version && strcmp(d->snmp_version, "3") == 0 && d->v3_user == NULL) {
		snprintf(errbuf, errlen, "SNMPv3 needs snmp.user");
		return -1;
	}
	return 0;
}
