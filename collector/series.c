/*
 * series.c — the series catalogue: every series the collector knows, by
 * canonical key (hash) and by id (dense array), with its last value, and a
 * per-host count that enforces the series-per-host limit. Loop thread only.
 *
 * Canonical key: measurement[,tag=value...] field, tags sorted by key, with
 * `\`, `,`, `=` and space escaped by a backslash, so that distinct
 * (measurement, tags, field) triples never produce the same key.
 */
#include "collector/collector.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct host_entry {
	char *name;
	uint32_t id;
	size_t n_series;
	double last_write;		/* Unix s of its last write request; 0: none */
	UT_hash_handle hh;
};

struct series_catalog {
	struct series *by_key;		/* uthash head */
	struct series **by_id;		/* index = id */
	size_t cap_id;
	uint32_t next_id;
	size_t count;
	struct host_entry *hosts;	/* uthash head, by name */
	struct host_entry **host_by_id;
	size_t n_hosts;
};

struct series_catalog *
series_catalog_new(void)
{
	struct series_catalog *cat = calloc(1, sizeof(*cat));
	if (cat != NULL)
		cat->next_id = 1;
	return cat;
}

void
series_catalog_free(struct series_catalog *cat)
{
	if (cat == NULL)
		return;
	struct series *s, *tmp;
	HASH_ITER(hh, cat->by_key, s, tmp) {
		HASH_DEL(cat->by_key, s);
		free(s->text);
		free(s);
	}
	struct host_entry *h, *htmp;
	HASH_ITER(hh, cat->hosts, h, htmp) {
		HASH_DEL(cat->hosts, h);
		free(h->name);
		free(h);
	}
	free(cat->host_by_id);
	free(cat->by_id);
	free(cat);
}

struct series *
series_find(struct series_catalog *cat, const char *key, size_t keylen)
{
	struct series *s;
	HASH_FIND(hh, cat->by_key, key, keylen, s);
	return s;
}

static struct host_entry *
host_get(struct series_catalog *cat, const char *host)
{
	struct host_entry *h;
	HASH_FIND_STR(cat->hosts, host, h);
	if (h != NULL)
		return h;
	h = calloc(1, sizeof(*h));
	if (h == NULL || (h->name = strdup(host)) == NULL) {
		free(h);
		return NULL;
	}
	struct host_entry **grown = realloc(cat->host_by_id,
	    (cat->n_hosts + 1) * sizeof(*grown));
	if (grown == NULL) {
		free(h->name);
		free(h);
		return NULL;
	}
	cat->host_by_id = grown;
	h->id = (uint32_t)cat->n_hosts;
	cat->host_by_id[cat->n_hosts++] = h;
	HASH_ADD_KEYPTR(hh, cat->hosts, h->name, strlen(h->name), h);
	return h;
}

struct series *
series_add(struct series_catalog *cat, uint32_t id, const char *key, size_t keylen,
    const char *host, uint32_t step, enum series_kind kind)
{
	if (id == 0)
		id = cat->next_id;
	if (id >= cat->cap_id) {
		size_t cap = cat->cap_id ? cat->cap_id : 1024;
		while (cap <= id)
			cap *= 2;
		struct series **grown = realloc(cat->by_id, cap * sizeof(*grown));
		if (grown == NULL)
			return NULL;
		memset(grown + cat->cap_id, 0, (cap - cat->cap_id) * sizeof(*grown));
		cat->by_id = grown;
		cat->cap_id = cap;
	}
	if (cat->by_id[id] != NULL)
		return NULL;
	struct host_entry *h = host_get(cat, host ? host : "");
	if (h == NULL || keylen > UINT32_MAX)
		return NULL;
	struct series *s = calloc(1, sizeof(*s) + keylen + 1);
	if (s == NULL)
		return NULL;
	memcpy(s->key, key, keylen);
	s->key[keylen] = '\0';
	s->keylen = (uint32_t)keylen;
	s->id = id;
	s->step = step;
	s->kind = (uint8_t)kind;
	s->host_id = h->id;
	s->last = NAN;
	HASH_ADD_KEYPTR(hh, cat->by_key, s->key, keylen, s);
	cat->by_id[id] = s;
	h->n_series++;
	cat->count++;
	if (id >= cat->next_id)
		cat->next_id = id + 1;
	return s;
}

struct series *
series_by_id(struct series_catalog *cat, uint32_t id)
{
	return id < cat->cap_id ? cat->by_id[id] : NULL;
}

size_t
series_count(const struct series_catalog *cat)
{
	return cat->count;
}

size_t
series_host_count(struct series_catalog *cat, const char *host)
{
	struct host_entry *h;
	HASH_FIND_STR(cat->hosts, host, h);
	return h ? h->n_series : 0;
}

const char *
series_host_name(const struct series_catalog *cat, uint32_t host_id)
{
	return host_id < cat->n_hosts ? cat->host_by_id[host_id]->name : "";
}

void
series_host_written(struct series_catalog *cat, uint32_t host_id, double now)
{
	if (host_id < cat->n_hosts)
		cat->host_by_id[host_id]->last_write = now;
}

const char *
series_host_next_written(const struct series_catalog *cat, uint32_t *cursor,
    double *last_write)
{
	while (*cursor < cat->n_hosts) {
		const struct host_entry *h = cat->host_by_id[(*cursor)++];
		if (h->last_write > 0) {
			*last_write = h->last_write;
			return h->name;
		}
	}
	return NULL;
}

struct series *
series_next(struct series_catalog *cat, uint32_t *cursor)
{
	while (*cursor + 1 < cat->cap_id) {
		(*cursor)++;
		if (cat->by_id[*cursor] != NULL)
			return cat->by_id[*cursor];
	}
	return NULL;
}

/* Append text escaping the key's separators; returns the new length. */
static size_t
key_append(char *buf, size_t cap, size_t at, const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char ch = p[i];
		if (ch == '\\' || ch == ',' || ch == '=' || ch == ' ') {
			if (at < cap)
				buf[at] = '\\';
			at++;
		}
		if (at < cap)
			buf[at] = ch;
		at++;
	}
	return at;
}

size_t
series_key_build(char *buf, size_t cap, const struct lp_str *meas,
    const struct lp_tag *tags, size_t n_tags, const struct lp_str *field)
{
	size_t at = key_append(buf, cap, 0, meas->p, meas->len);
	for (size_t i = 0; i < n_tags; i++) {
		if (at < cap)
			buf[at] = ',';
		at = key_append(buf, cap, at + 1, tags[i].key.p, tags[i].key.len);
		if (at < cap)
			buf[at] = '=';
		at = key_append(buf, cap, at + 1, tags[i].value.p, tags[i].value.len);
	}
	if (at < cap)
		buf[at] = ' ';
	at = key_append(buf, cap, at + 1, field->p, field->len);
	return at;
}

size_t
series_key_group_len(const char *key, size_t keylen)
{
	for (size_t i = 0; i < keylen; i++) {
		if (key[i] == '\\')
			i++;		/* the escaped character cannot separate */
		else if (key[i] == ' ')
			return i;
	}
	return keylen;
}

/* Read one escaped token up to an unescaped stop char; returns a heap copy. */
static char *
key_token(const char **p, const char *stops)
{
	size_t n = 0, cap = strlen(*p) + 1;
	char *out = malloc(cap);
	if (out == NULL)
		return NULL;
	while (**p != '\0' && strchr(stops, **p) == NULL) {
		if (**p == '\\' && (*p)[1] != '\0')
			(*p)++;
		out[n++] = *(*p)++;
	}
	out[n] = '\0';
	return out;
}

int
series_key_split(const char *key, char **measurement, char **field, json_t **tags)
{
	const char *p = key;
	*measurement = key_token(&p, ", ");
	*tags = json_object();
	*field = NULL;
	while (*p == ',') {
		p++;
		char *k = key_token(&p, "=");
		if (*p == '=')
			p++;
		char *v = key_token(&p, ", ");
		if (k != NULL && v != NULL)
			json_object_set_new(*tags, k, json_string_safe(v, strlen(v)));
		free(k);
		free(v);
	}
	if (*p == ' ') {
		p++;
		*field = key_token(&p, "");
	}
	if (*measurement == NULL || *field == NULL) {
		free(*measurement);
		free(*field);
		json_decref(*tags);
		return -1;
	}
	return 0;
}
