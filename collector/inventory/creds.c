/*
 * creds.c — the SNMP credentials discovery tries in order: a request's
 * "credentials" list or the config's discovery.credentials, in one shape:
 * [{"version": "2c", "community": …} | {"version": "3", "user": …,
 * "auth_proto", "auth_pass", "priv_proto", "priv_pass"}]. Secrets are wiped
 * when freed and never logged.
 */
#include "collector/collector.h"
#include "collector/inventory/inventory.h"
#include "collector/snmp/snmp.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CREDS 16

static const char *const auth_protos[] = { "MD5", "SHA", "SHA-224", "SHA-256", "SHA-384",
	"SHA-512", NULL };
static const char *const priv_protos[] = { "DES", "AES", "AES-192", "AES-256", NULL };

static int
in_list(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (strcmp(*l, s) == 0)
			return 1;
	return 0;
}

static char *
field(json_t *o, const char *k, size_t max, int *bad)
{
	json_t *v = json_object_get(o, k);
	if (v == NULL)
		return NULL;
	if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > max ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		*bad = 1;
		return NULL;
	}
	return strdup(json_string_value(v));
}

void
disco_creds_free(struct disco_cred *v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++) {
		char *secrets[] = { v[i].community, v[i].auth_pass, v[i].priv_pass };
		for (size_t k = 0; k < 3; k++)
			if (secrets[k] != NULL) {
				explicit_bzero(secrets[k], strlen(secrets[k]));
				free(secrets[k]);
			}
		free(v[i].user);
		free(v[i].auth_proto);
		free(v[i].priv_proto);
	}
	free(v);
}

int
disco_creds_parse(json_t *list, struct disco_cred **out, size_t *n_out, char *err,
    size_t errlen)
{
	*out = NULL;
	*n_out = 0;
	if (!json_is_array(list) || json_array_size(list) == 0 ||
	    json_array_size(list) > MAX_CREDS) {
		snprintf(err, errlen, "credentials: a list of 1 to %d objects", MAX_CREDS);
		return -1;
	}
	struct disco_cred *v = calloc(json_array_size(list), sizeof(*v));
	if (v == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	size_t i, n = 0;
	json_t *o;
	json_array_foreach(list, i, o) {
		struct disco_cred *c = &v[n++];
		int bad = 0;
		json_t *ver = json_object_get(o, "version");
		const char *vs = json_is_string(ver) ? json_string_value(ver) : NULL;
		if (!json_is_object(o) || vs == NULL) {
			snprintf(err, errlen, "credentials[%zu]: an object with \"version\" "
			    "(\"1\", \"2c\" or \"3\")", i);
			goto fail;
		}
		if (strcmp(vs, "2c") == 0 || strcmp(vs, "1") == 0) {
			c->version = vs[0] == '1' ? 1 : 2;
			c->community = field(o, "community", 255, &bad);
			if (c->community == NULL || bad) {
				snprintf(err, errlen, "credentials[%zu]: v%s needs a community "
				    "(1 to 255 characters)", i, vs);
				goto fail;
			}
		} else if (strcmp(vs, "3") == 0) {
			c->version = 3;
			c->user = field(o, "user", 64, &bad);
			c->auth_proto = field(o, "auth_proto", 16, &bad);
			c->auth_pass = field(o, "auth_pass", 255, &bad);
			c->priv_proto = field(o, "priv_proto", 16, &bad);
			c->priv_pass = field(o, "priv_pass", 255, &bad);
			if (bad || c->user == NULL ||
			    (c->auth_proto != NULL && !in_list(auth_protos, c->auth_proto)) ||
			    (c->priv_proto != NULL && !in_list(priv_protos, c->priv_proto)) ||
			    (c->auth_proto == NULL) != (c->auth_pass == NULL) ||
			    (c->priv_proto == NULL) != (c->priv_pass == NULL) ||
			    (c->priv_proto != NULL && c->auth_proto == NULL) ||
			    (c->auth_pass != NULL && strlen(c->auth_pass) < 8) ||
			    (c->priv_pass != NULL && strlen(c->priv_pass) < 8)) {
				snprintf(err, errlen, "credentials[%zu]: v3 needs a user; auth_proto "
				    "(MD5 SHA SHA-224 SHA-256 SHA-384 SHA-512) with auth_pass, and "
				    "priv_proto (DES AES AES-192 AES-256) with priv_pass, passwords "
				    "of 8+ characters", i);
				goto fail;
			}
		} else {
			snprintf(err, errlen, "credentials[%zu]: version must be \"1\", \"2c\" or \"3\"",
			    i);
			goto fail;
		}
	}
	*out = v;
	*n_out = n;
	return 0;
fail:
	disco_creds_free(v, n);
	return -1;
}

/* YAML → the JSON shape above (scalars as strings). */
static json_t *
node_json(const struct cfg_node *n)
{
	if (n->kind == CFG_N_SCALAR)
		return json_string(n->value ? n->value : "");
	json_t *o = n->kind == CFG_N_MAP ? json_object() : json_array();
	for (size_t i = 0; o != NULL && i < n->n_items; i++) {
		json_t *v = node_json(n->items[i]);
		if (n->kind == CFG_N_MAP)
			json_object_set_new(o, n->items[i]->key ? n->items[i]->key : "", v);
		else
			json_array_append_new(o, v);
	}
	return o;
}

json_t *
disco_creds_config(const struct cfg_node *node)
{
	return node != NULL ? node_json(node) : NULL;
}

/* Validator of discovery.credentials. */
const char *
disco_creds_check(const void *fieldp)
{
	static char err[256];
	const struct cfg_node *node = *(const struct cfg_node *const *)fieldp;
	if (node == NULL)
		return NULL;
	json_t *j = node_json(node);
	struct disco_cred *v;
	size_t n;
	int rc = disco_creds_parse(j, &v, &n, err, sizeof(err));
	json_decref(j);
	if (rc < 0)
		return err;
	disco_creds_free(v, n);
	return NULL;
}

/* The target's credential fields point into c (valid while c lives). */
void
disco_cred_target(const struct disco_cred *c, struct sp_target *t)
{
	t->version = c->version == 3 ? SP_VER_3 : c->version == 1 ? SP_VER_1 : SP_VER_2C;
	t->community = c->community;
	t->user = c->user;
	t->auth_proto = c->auth_proto;
	t->auth_pass = c->auth_pass;
	t->priv_proto = c->priv_proto;
	t->priv_pass = c->priv_pass;
}

/* Copy the credential that worked onto a new device. */
void
disco_cred_to_device(const struct disco_cred *c, struct device *d)
{
	free(d->snmp_version);
	d->snmp_version = strdup(c->version == 3 ? "3" : c->version == 1 ? "1" : "2c");
#define DUP(f) do { free(d->f); d->f = c->f ? strdup(c->f) : NULL; } while (0)
	DUP(community);
	free(d->v3_user);
	d->v3_user = c->user ? strdup(c->user) : NULL;
	DUP(auth_proto);
	DUP(auth_pass);
	DUP(priv_proto);
	DUP(priv_pass);
#undef DUP
}

/* A label for progress reports, never a secret: "v2c #2", "v3 user ops". */
void
disco_cred_label(const struct disco_cred *c, size_t index, char *out, size_t outlen)
{
	if (c->version == 3)
		snprintf(out, outlen, "#%zu v3 user %s", index + 1, c->user);
	else
		snprintf(out, outlen, "#%zu v%s community", index + 1, c->version == 1 ? "1" : "2c");
}
