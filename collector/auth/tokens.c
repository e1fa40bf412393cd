/*
 * auth.c — API and agent tokens. Secrets are never stored: only their
 * SHA-256, kept in memory (loaded from the state database at start) so a
 * request is checked without touching disk. Accepts the forms InfluxDB
 * clients send: "Bearer T", "Token T", Basic auth with T as the password,
 * and ?p=T, so Telegraf's outputs work unchanged.
 */
#include <uthash.h>

#include "collector/collector.h"
#include "collector/http/http.h"
#include "collector/auth/auth.h"
#include "collector/store/store.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/log.h"

struct auth_token {
	char hash[65];
	struct auth_identity id;
	char *name, *role, *host, *kind;
	double created;
	int revoked;
	UT_hash_handle hh;
};

struct auth {
	struct auth_token *by_hash;
	int has_bootstrap;
	char bootstrap_hash[65];
	struct auth_identity bootstrap;
};

void
auth_hash(const char *secret, char hash[65])
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(digest, (const unsigned char *)secret, strlen(secret));
	sodium_bin2hex(hash, 65, digest, sizeof(digest));
}

void
auth_new_secret(char *out, size_t outlen, char hash[65])
{
	unsigned char raw[24];
	char hex[49];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
	snprintf(out, outlen, "cm_%s", hex);
	auth_hash(out, hash);
}

struct auth *
auth_new(const char *bootstrap_token)
{
	if (sodium_init() < 0)
		return NULL;
	struct auth *a = calloc(1, sizeof(*a));
	if (a == NULL)
		return NULL;
	if (bootstrap_token != NULL && bootstrap_token[0] != '\0') {
		a->has_bootstrap = 1;
		auth_hash(bootstrap_token, a->bootstrap_hash);
		a->bootstrap = (struct auth_identity){ .name = "bootstrap", .role = "admin",
			.perms = perms_of_role("admin") };
	}
	return a;
}

static void
token_free(struct auth_token *t)
{
	free(t->name);
	free(t->role);
	free(t->host);
	free(t->kind);
	free(t);
}

void
auth_free(struct auth *a)
{
	if (a == NULL)
		return;
	struct auth_token *t, *tmp;
	HASH_ITER(hh, a->by_hash, t, tmp) {
		HASH_DEL(a->by_hash, t);
		token_free(t);
	}
	free(a);
}

void
auth_add_row(struct auth *a, const struct token_row *row)
{
	struct auth_token *t = calloc(1, sizeof(*t));
	if (t == NULL)
		return;
	memcpy(t->hash, row->hash, sizeof(t->hash));
	t->name = strdup(row->name);
	t->role = strdup(row->role);
	t->kind = strdup(row->kind);
	t->host = row->host && row->host[0] ? strdup(row->host) : NULL;
	t->created = row->created;
	t->revoked = row->revoked;
	t->id = (struct auth_identity){ .name = t->name, .role = t->role, .host = t->host,
		.token_id = row->id, .perms = perms_of_role(row->role) };
	HASH_ADD_STR(a->by_hash, hash, t);
}

void
auth_revoke(struct auth *a, int64_t id)
{
	struct auth_token *t, *tmp;
	HASH_ITER(hh, a->by_hash, t, tmp)
		if (t->id.token_id == id)
			t->revoked = 1;
}

static const struct auth_identity *
auth_lookup(struct auth *a, const char *secret)
{
	char hash[65];
	if (secret == NULL || secret[0] == '\0' || strlen(secret) > 512)
		return NULL;
	auth_hash(secret, hash);
	if (a->has_bootstrap && sodium_memcmp(hash, a->bootstrap_hash, 64) == 0)
		return &a->bootstrap;
	struct auth_token *t;
	HASH_FIND_STR(a->by_hash, hash, t);
	return t != NULL && !t->revoked ? &t->id : NULL;
}

const struct auth_identity *
auth_request(struct auth *a, struct evhttp_request *req)
{
	const char *h = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Authorization");
	if (h != NULL) {
		if (strncasecmp(h, "Bearer ", 7) == 0)
			return auth_lookup(a, h + 7);
		if (strncasecmp(h, "Token ", 6) == 0)
			return auth_lookup(a, h + 6);
		if (strncasecmp(h, "Basic ", 6) == 0) {
			unsigned char dec[600];
			size_t len;
			const char *b64 = h + 6;
			if (strlen(b64) > 780 || sodium_base642bin(dec, sizeof(dec) - 1, b64,
			    strlen(b64), NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
				return NULL;
			dec[len] = '\0';
			char *colon = strchr((char *)dec, ':');
			const struct auth_identity *who = colon ? auth_lookup(a, colon + 1) : NULL;
			sodium_memzero(dec, sizeof(dec));
			return who;
		}
		return NULL;
	}
	/* InfluxDB 1.x clients may send the password as ?p= */
	char *p = http_query_param(req, "p");
	const struct auth_identity *who = auth_lookup(a, p);
	if (p != NULL) {
		sodium_memzero(p, strlen(p));
		free(p);
	}
	return who;
}

json_t *
auth_tokens_json(struct auth *a)
{
	json_t *arr = json_array();
	struct auth_token *t, *tmp;
	HASH_ITER(hh, a->by_hash, t, tmp) {
		json_t *o = json_pack("{s:I, s:o, s:s, s:s, s:o, s:f, s:b}",
		    "id", (json_int_t)t->id.token_id, "name", json_string_safe(t->name,
		    strlen(t->name)), "kind", t->kind, "role", t->role,
		    "host", t->host ? json_string_safe(t->host, strlen(t->host)) : json_null(),
		    "created", t->created, "revoked", t->revoked);
		if (o != NULL)
			json_array_append_new(arr, o);
	}
	return arr;
}
