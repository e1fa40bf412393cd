/*
 * coverage.c — how much of the campus's hardware is monitored (the guide's
 * GJ010401: at least 80 %).
 *
 * Inventoried is the union, de-duplicated by serial, MAC, address and name,
 * of: the devices, the hosts agents report for, the asset register, the
 * hosts discovery saw but nobody adopted, and the unmanaged LLDP/CDP
 * neighbours topology found. ARP- or FDB-only entries never reach us
 * (topology leaves them out) and the collector's own addresses are dropped
 * from what was only seen. Monitored is an item with a good poll or an agent
 * sample within reports.monitored_intervals of its interval.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <ifaddrs.h>
#include <jansson.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <uthash.h>

#include "collector/collector.h"
#include "collector/http/http.h"
#include "collector/ingest/ingest.h"
#include "collector/inventory/inventory.h"
#include "collector/reports/reports.h"

struct item {
	const char *name, *address, *kind, *mac;	/* borrowed for the build */
	const struct device *d;
	int monitored;
	const char *why;
	unsigned sources;
};
enum { SRC_DEVICE = 1, SRC_AGENT = 2, SRC_ASSET = 4, SRC_SEEN = 8, SRC_NEIGHBOUR = 16 };
static const char *const source_names[] = { "device", "agent", "asset", "seen", "neighbour" };

struct ikey {
	char *key;
	size_t item;
	UT_hash_handle hh;
};

struct build {
	struct item *v;
	size_t n, cap;
	struct ikey *keys;
	char **owned;			/* strings made here, freed at the end */
	size_t n_owned, cap_owned;
	char why_stale[64];
};

static const char *
keep(struct build *b, char *s)
{
	if (s == NULL)
		return "";
	if (b->n_owned == b->cap_owned) {
		size_t cap = b->cap_owned ? b->cap_owned * 2 : 64;
		char **v = realloc(b->owned, cap * sizeof(*v));
		if (v == NULL) {
			free(s);
			return "";
		}
		b->owned = v;
		b->cap_owned = cap;
	}
	return b->owned[b->n_owned++] = s;
}

static ssize_t
item_add(struct build *b, const struct item *it)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		struct item *v = realloc(b->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		b->v = v;
		b->cap = cap;
	}
	b->v[b->n] = *it;
	return (ssize_t)b->n++;
}

static void
key_make(char kind, const char *v, char *buf, size_t cap)
{
	size_t i = 0;
	buf[i++] = kind;
	buf[i++] = ':';
	for (; *v && i < cap - 1; v++)
		buf[i++] = (char)tolower((unsigned char)*v);
	buf[i] = '\0';
}

static void
key_add(struct build *b, char kind, const char *v, size_t item)
{
	if (v == NULL || v[0] == '\0')
		return;
	char buf[ASSET_FIELD_MAX + 8];
	struct ikey *k;
	key_make(kind, v, buf, sizeof(buf));
	HASH_FIND_STR(b->keys, buf, k);
	if (k != NULL || (k = calloc(1, sizeof(*k))) == NULL)
		return;
	if ((k->key = strdup(buf)) == NULL) {
		free(k);
		return;
	}
	k->item = item;
	HASH_ADD_KEYPTR(hh, b->keys, k->key, strlen(k->key), k);
}

static ssize_t
key_find(struct build *b, char kind, const char *v)
{
	if (v == NULL || v[0] == '\0')
		return -1;
	char buf[ASSET_FIELD_MAX + 8];
	struct ikey *k;
	key_make(kind, v, buf, sizeof(buf));
	HASH_FIND_STR(b->keys, buf, k);
	return k ? (ssize_t)k->item : -1;
}

/* The item already known under one of these keys, most trusted first. */
static ssize_t
find_any(struct build *b, const char *serial, const char *mac, const char *address,
    const char *name)
{
	ssize_t i;
	if ((i = key_find(b, 's', serial)) >= 0 || (i = key_find(b, 'm', mac)) >= 0 ||
	    (i = key_find(b, 'a', address)) >= 0 || (i = key_find(b, 'n', name)) >= 0)
		return i;
	return -1;
}

static void
keys_for(struct build *b, size_t i, const char *serial, const char *mac, const char *address,
    const char *name)
{
	key_add(b, 's', serial, i);
	key_add(b, 'm', mac, i);
	key_add(b, 'a', address, i);
	key_add(b, 'n', name, i);
}

/* An asset's kind column in the device kinds' words (Chinese registers too). */
static const char *
asset_kind(const char *k)
{
	static const struct {
		const char *word, *kind;
	} words[] = {
		{ "switch", "switch" }, { "交换机", "switch" }, { "router", "router" },
		{ "路由器", "router" }, { "firewall", "firewall" }, { "防火墙", "firewall" },
		{ "server", "server" }, { "服务器", "server" }, { "storage", "storage" },
		{ "存储", "storage" }, { "nas", "storage" }, { "ups", "ups" }, { "不间断电源", "ups" },
		{ "pdu", "pdu" }, { "配电", "pdu" }, { "sensor", "sensor" }, { "传感器", "sensor" },
		{ "温湿度", "sensor" }, { "动环", "sensor" }, { "wlc", "wlc" }, { "无线控制器", "wlc" },
		{ "ap", "ap" }, { "无线", "ap" }, { "camera", "camera" }, { "摄像", "camera" },
		{ "printer", "printer" }, { "打印", "printer" },
	};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(k, words[i].word) == 0 || (words[i].word[0] & 0x80 &&
		    strstr(k, words[i].word) != NULL))
			return words[i].kind;
	return "other";
}

/* This host's addresses as text, NULL-terminated (heap; free with
 * own_free), read once per report. */
static char **
own_addresses(void)
{
	struct ifaddrs *ifs, *i;
	size_t n = 0;
	if (getifaddrs(&ifs) < 0)
		return calloc(1, sizeof(char *));
	for (i = ifs; i != NULL; i = i->ifa_next)
		n++;
	char **v = calloc(n + 1, sizeof(*v));
	size_t k = 0;
	for (i = ifs; v != NULL && i != NULL; i = i->ifa_next) {
		char buf[INET6_ADDRSTRLEN];
		if (i->ifa_addr == NULL)
			continue;
		if (i->ifa_addr->sa_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr, buf,
			    sizeof(buf));
		else if (i->ifa_addr->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr,
			    buf, sizeof(buf));
		else
			continue;
		if ((v[k] = strdup(buf)) != NULL)
			k++;
	}
	freeifaddrs(ifs);
	return v;
}

static void
own_free(char **v)
{
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

static int
is_own(char *const *own, const char *addr)
{
	for (size_t i = 0; own != NULL && addr != NULL && own[i] != NULL; i++)
		if (strcmp(own[i], addr) == 0)
			return 1;
	return 0;
}

int
coverage_is_own_address(const char *addr)
{
	char **own = own_addresses();
	int r = is_own(own, addr);
	own_free(own);
	return r;
}

/* ---- each source --------------------------------------------------------------- */

static int
answered_ping(json_t *seen, const char *address)
{
	size_t i;
	json_t *s;
	json_array_foreach(seen, i, s) {
		const char *a = json_string_value(json_object_get(s, "address"));
		if (a != NULL && address != NULL && strcmp(a, address) == 0)
			return 1;
	}
	return 0;
}

static void
add_devices(struct collector *c, struct build *b, double now, json_t *seen)
{
	long long n = c->cfg.reports_monitored_intervals;
	for (struct device *d = device_next(c->devices, NULL); d != NULL;
	    d = device_next(c->devices, d)) {
		double interval = d->interval > 0 ? (double)d->interval : (double)c->cfg.snmp.interval;
		struct item it = { .name = d->name, .address = d->address, .d = d,
			.kind = d->kind ? d->kind : "other", .sources = SRC_DEVICE };
		it.monitored = d->monitored && d->last_seen > 0 && now - d->last_seen <=
		    (double)n * interval;
		if (it.monitored)
			it.why = NULL;
		else if (!d->monitored)
			it.why = "monitoring turned off";
		else if (d->status && (strcmp(d->status, "down") == 0 ||
		    strcmp(d->status, "unreachable") == 0))
			/* a host that answers ping but never SNMP: the community or
			 * v3 keys are wrong far more often than SNMP is off */
			it.why = d->last_seen == 0 && answered_ping(seen, d->address) ?
			    "credentials failing" : "not answering";
		else
			it.why = b->why_stale;
		ssize_t i = item_add(b, &it);
		if (i >= 0) {
			keys_for(b, (size_t)i, d->serial, NULL, d->address, d->name);
			key_add(b, 'a', d->resolved, (size_t)i);
			key_add(b, 'n', d->sys_name, (size_t)i);
		}
	}
}

/* Hosts agents report for: the newest sample of any of their series. */
static void
add_agents(struct collector *c, struct build *b, double now)
{
	if (c->series == NULL)
		return;
	struct host_last {
		double ts, step;
	} *h = NULL;
	size_t nh = 0;
	uint32_t cur = 0;
	for (struct series *s = series_next(c->series, &cur); s != NULL;
	    s = series_next(c->series, &cur)) {
		if (s->host_id >= nh) {
			size_t n2 = s->host_id + 64;
			struct host_last *v = realloc(h, n2 * sizeof(*v));
			if (v == NULL)
				break;
			memset(v + nh, 0, (n2 - nh) * sizeof(*v));
			h = v;
			nh = n2;
		}
		if (s->last_ts > h[s->host_id].ts) {
			h[s->host_id].ts = s->last_ts;
			h[s->host_id].step = s->step;
		}
	}
	long long n = c->cfg.reports_monitored_intervals;
	for (uint32_t id = 0; id < nh; id++) {
		const char *host = h[id].ts > 0 ? series_host_name(c->series, id) : NULL;
		if (host == NULL || host[0] == '\0')
			continue;
		int fresh = now - h[id].ts <= (double)n * (h[id].step > 0 ? h[id].step : 10);
		ssize_t i = key_find(b, 'n', host);
		if (i >= 0) {
			struct item *it = &b->v[i];
			if (!(it->sources & SRC_DEVICE))
				continue;
			/* an SNMP device's own series say nothing new; an agent on a
			 * device that SNMP cannot reach does */
			if (fresh && !it->monitored && it->d != NULL && it->d->monitored) {
				it->monitored = 1;
				it->why = NULL;
				it->sources |= SRC_AGENT;
			}
			continue;
		}
		struct item it = { .name = host, .address = "", .kind = "server",
			.sources = SRC_AGENT, .monitored = fresh, .why = fresh ? NULL : b->why_stale };
		ssize_t k = item_add(b, &it);
		if (k >= 0)
			key_add(b, 'n', host, (size_t)k);
	}
	free(h);
}

static void
add_assets(struct collector *c, struct build *b)
{
	const struct asset_list *l = &c->reports->assets;
	struct asset_match *m = l->n ? calloc(l->n, sizeof(*m)) : NULL;
	if (l->n && m == NULL)
		return;
	assets_match(c, l, m);
	for (size_t a = 0; a < l->n; a++) {
		char *const *f = l->v[a].f;
		ssize_t i = m[a].device ? key_find(b, 'n', m[a].device->name) :
		    find_any(b, f[AC_SERIAL], f[AC_MAC], f[AC_ADDRESS], f[AC_NAME]);
		if (i >= 0) {
			struct item *it = &b->v[i];
			it->sources |= SRC_ASSET;
			if ((it->kind == NULL || strcmp(it->kind, "other") == 0) && f[AC_KIND][0])
				it->kind = asset_kind(f[AC_KIND]);
			if (it->mac == NULL && f[AC_MAC][0])
				it->mac = f[AC_MAC];
			keys_for(b, (size_t)i, f[AC_SERIAL], f[AC_MAC], NULL, NULL);
			continue;
		}
		struct item it = { .name = f[AC_NAME][0] ? f[AC_NAME] : f[AC_TAG],
			.address = f[AC_ADDRESS], .mac = f[AC_MAC], .kind = asset_kind(f[AC_KIND]),
			.sources = SRC_ASSET, .why = "never added" };
		ssize_t k = item_add(b, &it);
		if (k >= 0)
			keys_for(b, (size_t)k, f[AC_SERIAL], f[AC_MAC], f[AC_ADDRESS], f[AC_NAME]);
	}
	free(m);
}

/* Seen hosts and unmanaged neighbours: [{name?, address, mac?, kind?}]. */
static void
add_seen(struct build *b, json_t *list, unsigned source, char *const *own)
{
	size_t n;
	json_t *s;
	json_array_foreach(list, n, s) {
		const char *name = json_string_value(json_object_get(s, "name"));
		const char *addr = json_string_value(json_object_get(s, "address"));
		const char *mac = json_string_value(json_object_get(s, "mac"));
		const char *kind = json_string_value(json_object_get(s, "kind"));
		char macn[18];
		if (mac != NULL && mac_normalise(mac, macn) == 0)
			mac = keep(b, strdup(macn));
		if (is_own(own, addr))
			continue;	/* the collector itself is not campus hardware */
		if ((addr == NULL || !addr[0]) && (name == NULL || !name[0]) && mac == NULL)
			continue;
		ssize_t i = find_any(b, NULL, mac, addr, name);
		if (i >= 0) {
			struct item *it = &b->v[i];
			it->sources |= source;
			/* a sweep knows only the address: a neighbour's name and kind say more */
			if (name != NULL && name[0] && (it->name == NULL || it->name[0] == '\0' ||
			    (it->address != NULL && strcmp(it->name, it->address) == 0)))
				it->name = name;
			if (kind != NULL && kind[0] && strcmp(it->kind, "other") == 0)
				it->kind = kind;
			if (it->mac == NULL && mac != NULL)
				it->mac = mac;
			keys_for(b, (size_t)i, NULL, mac, addr, name);
			continue;
		}
		struct item it = { .name = name && name[0] ? name : addr ? addr : mac,
			.address = addr ? addr : "", .mac = mac, .kind = kind && kind[0] ? kind : "other",
			.sources = source, .why = "never added" };
		ssize_t k = item_add(b, &it);
		if (k >= 0)
			keys_for(b, (size_t)k, NULL, mac, addr, name);
	}
}

/* ---- the report ---------------------------------------------------------------- */

static json_t *
percent_json(long long mon, long long inv)
{
	if (inv == 0)
		return json_null();
	return json_real(round(1000.0 * (double)mon / (double)inv) / 10.0);
}

static json_t *
sources_json(unsigned s)
{
	json_t *a = json_array();
	for (size_t i = 0; i < sizeof(source_names) / sizeof(source_names[0]); i++)
		if (s & (1u << i))
			json_array_append_new(a, json_string(source_names[i]));
	return a;
}

static json_t *
str_or_null(const char *s)
{
	return s && s[0] ? json_string_safe(s, strlen(s)) : json_null();
}

struct kind_count {
	const char *kind;
	long long inv, mon;
	UT_hash_handle hh;
};

static int
kind_cmp(struct kind_count *a, struct kind_count *b)
{
	return strcmp(a->kind, b->kind);
}

json_t *
coverage_build(struct collector *c, double now, json_t **items_out)
{
	struct build b = { 0 };
	snprintf(b.why_stale, sizeof(b.why_stale), "no data for %lld intervals",
	    c->cfg.reports_monitored_intervals);
	const struct services *sv = &c->services;
	json_t *seen = sv->discovery_seen ? sv->discovery_seen(sv->discovery_arg) : NULL;
	json_t *unmanaged = sv->topology_unmanaged ? sv->topology_unmanaged(sv->topology_arg) : NULL;

	add_devices(c, &b, now, seen);
	add_agents(c, &b, now);
	if (c->reports != NULL)
		add_assets(c, &b);
	char **own = own_addresses();
	add_seen(&b, seen, SRC_SEEN, own);
	add_seen(&b, unmanaged, SRC_NEIGHBOUR, own);
	own_free(own);

	struct kind_count *kinds = NULL, *k, *tmp;
	long long inv = 0, mon = 0;
	json_t *unmon = json_array(), *items = items_out ? json_array() : NULL;
	for (size_t i = 0; i < b.n; i++) {
		struct item *it = &b.v[i];
		HASH_FIND_STR(kinds, it->kind, k);
		if (k == NULL && (k = calloc(1, sizeof(*k))) != NULL) {
			k->kind = it->kind;
			HASH_ADD_KEYPTR(hh, kinds, k->kind, strlen(k->kind), k);
		}
		inv++;
		mon += it->monitored;
		if (k != NULL) {
			k->inv++;
			k->mon += it->monitored;
		}
		if (!it->monitored || items != NULL) {
			json_t *o = json_pack("{s:o, s:o, s:s, s:o, s:o}", "name", str_or_null(it->name),
			    "address", str_or_null(it->address), "kind", it->kind, "why",
			    it->why ? json_string(it->why) : json_null(), "sources",
			    sources_json(it->sources));
			if (it->d != NULL)
				json_object_set_new(o, "device_id", json_integer(it->d->id));
			if (it->mac != NULL && it->mac[0])
				json_object_set_new(o, "mac", json_string(it->mac));
			if (items != NULL) {
				json_object_set_new(o, "monitored", json_boolean(it->monitored));
				json_array_append(items, o);
			}
			if (!it->monitored)
				json_array_append(unmon, o);
			json_decref(o);
		}
	}
	HASH_SORT(kinds, kind_cmp);
	json_t *by_kind = json_array();
	HASH_ITER(hh, kinds, k, tmp) {
		json_array_append_new(by_kind, json_pack("{s:s, s:I, s:I, s:o}", "kind", k->kind,
		    "inventoried", (json_int_t)k->inv, "monitored", (json_int_t)k->mon, "percent",
		    percent_json(k->mon, k->inv)));
		HASH_DEL(kinds, k);
		free(k);
	}
	json_t *p = percent_json(mon, inv);
	json_t *notes = json_array();
	if (sv->topology_unmanaged == NULL)
		json_array_append_new(notes, json_string("no topology yet: unmanaged neighbours "
		    "are not counted"));
	if (sv->discovery_seen == NULL)
		json_array_append_new(notes, json_string("no discovery list yet: hosts seen by "
		    "sweeps are not counted"));
	json_t *r = json_pack("{s:{s:I, s:I, s:o, s:i, s:b}, s:o, s:o, s:f, s:s, s:I, s:o}",
	    "overall", "inventoried", (json_int_t)inv, "monitored", (json_int_t)mon, "percent", p,
	    "target", 80, "pass", json_is_real(p) && json_real_value(p) >= 80.0,
	    "by_kind", by_kind, "unmonitored", unmon, "generated", now,
	    "school", c->cfg.school_name ? c->cfg.school_name : "", "monitored_intervals",
	    (json_int_t)c->cfg.reports_monitored_intervals, "notes", notes);

	json_decref(seen);
	json_decref(unmanaged);
	struct ikey *ik, *itmp;
	HASH_ITER(hh, b.keys, ik, itmp) {
		HASH_DEL(b.keys, ik);
		free(ik->key);
		free(ik);
	}
	if (items_out != NULL)
		*items_out = items;
	/* strings in the JSON are copies: the borrowed ones may go now */
	for (size_t i = 0; i < b.n_owned; i++)
		free(b.owned[i]);
	free(b.owned);
	free(b.v);
	return r;
}
