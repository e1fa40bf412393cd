/*
 * register.c — the asset register in memory, and which device each asset is.
 *
 * Matching trusts the keys in this order: serial (what the device reports
 * through ENTITY-MIB or a vendor MIB, or an admin typed), MAC, address, then
 * name (the device's name or its sysName), all case-insensitive. Devices
 * carry no MAC of their own today, so a MAC only ties an asset to an
 * unmanaged neighbour (coverage.c); the step is kept so the order holds once
 * they do.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "collector/collector.h"
#include "collector/inventory/inventory.h"
#include "collector/reports/reports.h"

void
asset_list_clear(struct asset_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		for (int c = 0; c < AC_N; c++)
			free(l->v[i].f[c]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int
asset_list_add(struct asset_list *l, const char *const f[AC_N])
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct asset *v = realloc(l->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	struct asset *a = &l->v[l->n];
	for (int c = 0; c < AC_N; c++) {
		if ((a->f[c] = strdup(f[c] ? f[c] : "")) == NULL) {
			while (c-- > 0)
				free(a->f[c]);
			return -1;
		}
	}
	l->n++;
	return 0;
}

int
mac_normalise(const char *in, char out[18])
{
	int digits = 0;
	char hex[12];
	for (const char *p = in; *p; p++) {
		if (isxdigit((unsigned char)*p)) {
			if (digits == 12)
				return -1;
			hex[digits++] = (char)tolower((unsigned char)*p);
		} else if (*p != ':' && *p != '-' && *p != '.' && *p != ' ') {
			return -1;
		}
	}
	if (digits != 12)
		return -1;
	for (int i = 0; i < 6; i++) {
		out[i * 3] = hex[i * 2];
		out[i * 3 + 1] = hex[i * 2 + 1];
		out[i * 3 + 2] = i < 5 ? ':' : '\0';
	}
	return 0;
}

/* One key of one device, for a lookup table built per match run. */
struct dkey {
	char *key;			/* "s:serial", "a:address", "n:name" (lower case) */
	const struct device *d;
	UT_hash_handle hh;
};

static void
add_key(struct dkey **t, char kind, const char *v, const struct device *d)
{
	if (v == NULL || v[0] == '\0')
		return;
	size_t len = strlen(v);
	struct dkey *k = calloc(1, sizeof(*k)), *old;
	if (k == NULL || (k->key = malloc(len + 3)) == NULL) {
		free(k);
		return;
	}
	k->key[0] = kind;
	k->key[1] = ':';
	for (size_t i = 0; i <= len; i++)
		k->key[i + 2] = (char)tolower((unsigned char)v[i]);
	HASH_FIND_STR(*t, k->key, old);
	if (old != NULL) {		/* the first device keeps the key */
		free(k->key);
		free(k);
		return;
	}
	k->d = d;
	HASH_ADD_KEYPTR(hh, *t, k->key, len + 2, k);
}

static const struct device *
find_key(struct dkey *t, char kind, const char *v)
{
	char buf[ASSET_FIELD_MAX + 3];
	size_t len = strlen(v);
	if (len == 0 || len > ASSET_FIELD_MAX)
		return NULL;
	buf[0] = kind;
	buf[1] = ':';
	for (size_t i = 0; i <= len; i++)
		buf[i + 2] = (char)tolower((unsigned char)v[i]);
	struct dkey *k;
	HASH_FIND_STR(t, buf, k);
	return k ? k->d : NULL;
}

void
assets_match(struct collector *c, const struct asset_list *l, struct asset_match *m)
{
	struct dkey *t = NULL, *k, *tmp;
	for (struct device *d = device_next(c->devices, NULL); d != NULL;
	    d = device_next(c->devices, d)) {
		add_key(&t, 's', d->serial, d);
		add_key(&t, 'a', d->address, d);
		add_key(&t, 'a', d->resolved, d);
		add_key(&t, 'n', d->name, d);
		add_key(&t, 'n', d->sys_name, d);
	}
	static const struct {
		char kind;
		enum asset_col col;
		const char *by;
	} order[] = { { 's', AC_SERIAL, "serial" }, { 'm', AC_MAC, "mac" },
		{ 'a', AC_ADDRESS, "address" }, { 'n', AC_NAME, "name" } };
	for (size_t i = 0; i < l->n; i++) {
		m[i].device = NULL;
		m[i].by = NULL;
		for (size_t o = 0; o < sizeof(order) / sizeof(order[0]) && !m[i].device; o++) {
			m[i].device = find_key(t, order[o].kind, l->v[i].f[order[o].col]);
			m[i].by = m[i].device ? order[o].by : NULL;
		}
	}
	HASH_ITER(hh, t, k, tmp) {
		HASH_DEL(t, k);
		free(k->key);
		free(k);
	}
}
