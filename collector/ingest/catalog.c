/*
 * catalog.c — the series catalogue: every series the collector knows, by
 * canonical key (hash) and by id (dense array), with its last value, and a
 * per-host count that enforces the series-per-host limit. Loop thread only.
 *
 * The key index is open addressing (linear probing, at most half full) of
 * 64-bit slots holding a key's hash and its series id: 8 bytes a series
 * where a uthash handle took 56, one cache miss to find a key, and no
 * chains to walk while 700,000 series load at start. The hash is SipHash
 * with a key drawn at start (libsodium's crypto_shorthash), so writers
 * cannot choose keys that collide. A series is removed only when the batch
 * that defined it never became durable (ingest_settle).
 *
 * Canonical key: measurement[,tag=value...] field, tags sorted by key, with
 * `\`, `,`, `=` and space escaped by a backslash, so that distinct
 * (measurement, tags, field) triples never produce the same key.
 */
#include "collector/collector.h"
#include "collector/http/http.h"
#include "collector/ingest/ingest.h"

#include <jansson.h>
#include <math.h>
#include <sodium.h>
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
	uint64_t *slots;		/* by key: hash << 32 | id; 0 empty */
	size_t mask;			/* slots - 1 (a power of two) */
	size_t used;
	unsigned char seed[crypto_shorthash_KEYBYTES];
	struct host_entry *last_host;	/* the host of the last series added */
	struct series **by_id;		/* index = id */
	size_t cap_id;
	uint32_t next_id;
	size_t count;
	struct host_entry *hosts;	/* uthash head, by name */
	struct host_entry **host_by_id;
	size_t n_hosts;
	size_t text_bytes;		/* last values of text series, summed */
};

struct series_catalog *
series_catalog_new(void)
{
	struct series_catalog *cat = calloc(1, sizeof(*cat));
	if (cat == NULL || sodium_init() < 0) {
		free(cat);
		return NULL;
	}
	cat->next_id = 1;
	crypto_shorthash_keygen(cat->seed);
	return cat;
}

void
series_catalog_free(struct series_catalog *cat)
{
	if (cat == NULL)
		return;
	for (size_t i = 0; i < cat->cap_id; i++) {
		if (cat->by_id[i] != NULL) {
			free(cat->by_id[i]->text);
			free(cat->by_id[i]);
		}
	}
	free(cat->slots);
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

/* The 32 bits of a key's hash kept in its slot (never 0: 0 marks an empty slot). */
static uint32_t
key_hash(const struct series_catalog *cat, const char *key, size_t keylen)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint32_t v;
	crypto_shorthash(h, (const unsigned char *)key, keylen, cat->seed);
	memcpy(&v, h, sizeof(v));
	return v != 0 ? v : 1;
}

struct series *
series_find(struct series_catalog *cat, const char *key, size_t keylen)
{
	if (cat->slots == NULL)
		return NULL;
	uint32_t h = key_hash(cat, key, keylen);
	for (size_t i = h & cat->mask;; i = (i + 1) & cat->mask) {
		uint64_t slot = cat->slots[i];
		if (slot == 0)
			return NULL;
		if ((uint32_t)(slot >> 32) != h)
			continue;
		struct series *s = cat->by_id[(uint32_t)slot];
		if (s->keylen == keylen && memcmp(s->key, key, keylen) == 0)
			return s;
	}
}

/* Put a slot in the table (room is there: at most half full). */
static void
slot_put(uint64_t *slots, size_t mask, uint64_t slot)
{
	size_t i = (size_t)(slot >> 32) & mask;
	while (slots[i] != 0)
		i = (i + 1) & mask;
	slots[i] = slot;
}

/* Room for n keys in all, keeping the table at most half full. */
static int
slots_reserve(struct series_catalog *cat, size_t n)
{
	size_t cap = cat->slots ? cat->mask + 1 : 0;
	if (n * 2 <= cap)
		return 0;
	size_t ncap = cap ? cap * 2 : 1024;
	while (ncap < n * 2)
		ncap *= 2;
	uint64_t *g = calloc(ncap, sizeof(*g));
	if (g == NULL)
		return -1;
	for (size_t i = 0; i < cap; i++)
		if (cat->slots[i] != 0)
			slot_put(g, ncap - 1, cat->slots[i]);
	free(cat->slots);
	cat->slots = g;
	cat->mask = ncap - 1;
	return 0;
}

static struct host_entry *
host_get(struct series_catalog *cat, const char *host)
{
	struct host_entry *h = cat->last_host;
	if (h != NULL && strcmp(h->name, host) == 0)
		return h;	/* series of one host mostly come together */
	HASH_FIND_STR(cat->hosts, host, h);
	if (h != NULL)
		cat->last_host = h;
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
	cat->last_host = h;
	return h;
}

/* Room in by_id for ids up to id. */
static int
ids_reserve(struct series_catalog *cat, uint32_t id)
{
	if (id < cat->cap_id)
		return 0;
	size_t cap = cat->cap_id ? cat->cap_id : 1024;
	while (cap <= id)
		cap *= 2;
	struct series **grown = realloc(cat->by_id, cap * sizeof(*grown));
	if (grown == NULL)
		return -1;
	memset(grown + cat->cap_id, 0, (cap - cat->cap_id) * sizeof(*grown));
	cat->by_id = grown;
	cat->cap_id = cap;
	return 0;
}

int
series_catalog_reserve(struct series_catalog *cat, uint32_t max_id)
{
	return ids_reserve(cat, max_id) < 0 || slots_reserve(cat, max_id) < 0 ? -1 : 0;
}

struct series *
series_add(struct series_catalog *cat, uint32_t id, const char *key, size_t keylen,
    const char *host, uint32_t step, enum series_kind kind)
{
	if (id == 0)
		id = cat->next_id;
	if (ids_reserve(cat, id) < 0)
		return NULL;
	if (cat->by_id[id] != NULL)
		return NULL;
	struct host_entry *h = host_get(cat, host ? host : "");
	if (h == NULL || keylen > UINT32_MAX || slots_reserve(cat, cat->used + 1) < 0)
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
	slot_put(cat->slots, cat->mask, (uint64_t)key_hash(cat, key, keylen) << 32 | id);
	cat->used++;
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

/*
 * Take id's slot out of the key index. Linear probing cannot leave a hole
 * (a later key of the same run would no longer be found): the slots after
 * it move back when their home position allows (backward-shift deletion).
 */
static void
slot_remove(struct series_catalog *cat, uint32_t hash, uint32_t id)
{
	size_t mask = cat->mask, i = hash & mask;
	while (cat->slots[i] != 0 && (uint32_t)cat->slots[i] != id)
		i = (i + 1) & mask;
	if (cat->slots[i] == 0)
		return;
	for (size_t j = (i + 1) & mask; cat->slots[j] != 0; j = (j + 1) & mask) {
		size_t home = (size_t)(cat->slots[j] >> 32) & mask;
		/* j's entry may fill the hole at i unless its home lies in (i, j] */
		int stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (!stays) {
			cat->slots[i] = cat->slots[j];
			i = j;
		}
	}
	cat->slots[i] = 0;
	cat->used--;
}

void
series_remove(struct series_catalog *cat, struct series *s)
{
	if (cat->slots != NULL)
		slot_remove(cat, key_hash(cat, s->key, s->keylen), s->id);
	if (s->id < cat->cap_id)
		cat->by_id[s->id] = NULL;
	if (s->host_id < cat->n_hosts)
		cat->host_by_id[s->host_id]->n_series--;
	cat->count--;
	series_set_text(cat, s, NULL);
	free(s);
}

void
series_set_text(struct series_catalog *cat, struct series *s, char *text)
{
	if (s->text != NULL)
		cat->text_bytes -= strlen(s->text);
	free(s->text);
	s->text = text;
	if (text != NULL)
		cat->text_bytes += strlen(text);
}

size_t
series_text_bytes(const struct series_catalog *cat)
{
	return cat->text_bytes;
}

size_t
series_host_max(const struct series_catalog *cat)
{
	size_t max = 0;
	for (size_t i = 0; i < cat->n_hosts; i++)
		if (cat->host_by_id[i]->n_series > max)
			max = cat->host_by_id[i]->n_series;
	return max;
}

void
series_prefetch(struct series_catalog *cat, uint32_t id)
{
	if (id < cat->cap_id && cat->by_id[id] != NULL)
		__builtin_prefetch(cat->by_id[id], 1);
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
