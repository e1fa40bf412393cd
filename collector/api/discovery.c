/*
 * api/discovery.c — POST /api/v1/discovery starts a sweep ("ranges") or a
 * seeded discovery ("seeds", "allowed"); GET /api/v1/discovery/{id} shows
 * its progress. /api/v1/discovery/seen lists the hosts sweeps saw that are
 * not devices, adopts them into the inventory, or deletes them.
 */
#include "collector/collector.h"
#include "collector/http/http.h"
#include "collector/auth/auth.h"
#include "collector/api/api.h"
#include "collector/inventory/inventory.h"

#include <event2/http.h>
#include <event2/buffer.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void api_discovery_seeded(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, json_t *body);

static void
api_discovery_start(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)params;
	json_t *body = api_json_body_secret(req);
	if (body == NULL)
		return;
	if (json_object_get(body, "seeds") != NULL) {
		api_discovery_seeded(c, req, who, body);
		json_decref(body);
		return;
	}
	json_t *ranges = json_object_get(body, "ranges");
	json_t *list = NULL;
	if (json_is_string(ranges)) {		/* "10.0.0.0/24,10.0.1.0/28" */
		list = json_array();
		char *copy = strdup(json_string_value(ranges)), *save = NULL;
		for (char *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save))
			json_array_append_new(list, json_string(tok));
		free(copy);
		ranges = list;
	}
	json_t *communities = json_object_get(body, "communities");
	json_t *port = json_object_get(body, "port");
	char err[256] = "";
	struct disco_job *job = NULL;
	if (!json_is_array(ranges))
		snprintf(err, sizeof(err), "ranges must be a list of CIDRs or a comma-separated string");
	else if (communities != NULL && !json_is_array(communities))
		snprintf(err, sizeof(err), "communities must be a list of strings");
	else if (port != NULL && (!json_is_integer(port) || json_integer_value(port) < 1 ||
	    json_integer_value(port) > 65535))
		snprintf(err, sizeof(err), "port must be 1 to 65535");
	else {
		char actor[160], addr[64];
		audit_actor(who, actor, sizeof(actor));
		http_client_addr(req, addr, sizeof(addr), NULL, 0);
		job = discovery_start(c, ranges, communities,
		    port ? (unsigned)json_integer_value(port) : 161, actor, err, sizeof(err));
		char *text = json_dumps(ranges, JSON_COMPACT);
		audit_record(c, actor, addr, "discovery.start", text ? text : "", job != NULL,
		    "%s", job ? "started" : err);
		free(text);
	}
	if (job != NULL)
		http_reply_json(req, 202, discovery_job_json(job));
	else
		http_reply_error(req, 400, "%s", err);
	json_decref(list);
	json_decref(body);
}

static void
api_discovery_get(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)who;
	char *end;
	long long id = strtoll(params[0], &end, 10);
	struct disco_job *job = *end == '\0' ? discovery_find(c, id) : NULL;
	struct seed_job *sj = *end == '\0' && job == NULL ? seeded_find(c, id) : NULL;
	if (job != NULL)
		http_reply_json(req, 200, discovery_job_json(job));
	else if (sj != NULL)
		http_reply_json(req, 200, seeded_json(sj));
	else
		http_reply_error(req, 404, "no such discovery job");
}

/* {"seeds": [ADDR], "allowed": [CIDR], "recursive": true, "credentials": [...], "port"} */
static void
api_discovery_seeded(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, json_t *body)
{
	json_t *seeds = json_object_get(body, "seeds");
	json_t *allowed = json_object_get(body, "allowed");
	json_t *creds = json_object_get(body, "credentials");
	json_t *rec = json_object_get(body, "recursive");
	json_t *port = json_object_get(body, "port");
	char err[256] = "";
	struct seed_job *job = NULL;
	if (rec != NULL && !json_is_boolean(rec))
		snprintf(err, sizeof(err), "recursive must be true or false");
	else if (port != NULL && (!json_is_integer(port) || json_integer_value(port) < 1 ||
	    json_integer_value(port) > 65535))
		snprintf(err, sizeof(err), "port must be 1 to 65535");
	else {
		char actor[160], addr[64];
		audit_actor(who, actor, sizeof(actor));
		http_client_addr(req, addr, sizeof(addr), NULL, 0);
		job = seeded_start(c, seeds, allowed, creds, rec == NULL || json_is_true(rec),
		    port ? (unsigned)json_integer_value(port) : 161, actor, err, sizeof(err));
		/* the audit names seeds and ranges, never the credentials */
		json_t *what = json_pack("{s:O?, s:O?}", "seeds", seeds, "allowed", allowed);
		char *text = what ? json_dumps(what, JSON_COMPACT) : NULL;
		audit_record(c, actor, addr, "discovery.seeded", text ? text : "", job != NULL,
		    "%s", job ? "started" : err);
		free(text);
		json_decref(what);
	}
	if (job != NULL)
		http_reply_json(req, 202, seeded_json(job));
	else
		http_reply_error(req, 400, "%s", err);
}

/* ---- the seen list ---------------------------------------------------------- */

/* GET /api/v1/discovery/seen?limit=&offset= → [{address, first_seen, last_seen,
 * answered}] sorted by address as numbers; X-Total-Count has the count of all. */
static void
api_seen_list(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)who;
	(void)params;
	size_t limit, offset, total = 0;
	if (api_count_param(req, "limit", &limit) < 0 ||
	    api_count_param(req, "offset", &offset) < 0)
		return;
	json_t *rows = seen_json(c, offset, limit, &total);
	char tot[32];
	snprintf(tot, sizeof(tot), "%zu", total);
	evhttp_add_header(evhttp_request_get_output_headers(req), "X-Total-Count", tot);
	http_reply_json(req, 200, rows);
}

/* The addresses a request names: {"addresses": [...]} or {"all": true} in the
 * body, or ?address= (one). A new list, or NULL with the reply sent. */
static json_t *
seen_targets(struct collector *c, struct evhttp_request *req, json_t *body)
{
	char *one = http_query_param(req, "address");
	json_t *list = NULL;
	if (one != NULL) {
		list = json_pack("[s]", one);
		free(one);
		return list;
	}
	if (body == NULL) {
		http_reply_error(req, 400, "name the hosts: ?address=ADDR, or a body "
		    "{\"addresses\": [...]} or {\"all\": true}");
		return NULL;
	}
	json_t *addrs = json_object_get(body, "addresses");
	if (json_is_true(json_object_get(body, "all"))) {
		json_t *rows = seen_json(c, 0, 0, NULL), *r;
		size_t i;
		list = json_array();
		json_array_foreach(rows, i, r)
			json_array_append(list, json_object_get(r, "address"));
		json_decref(rows);
		return list;
	}
	size_t i;
	json_t *v;
	if (!json_is_array(addrs) || json_array_size(addrs) == 0 ||
	    json_array_size(addrs) > 65536)
		goto bad;
	json_array_foreach(addrs, i, v)
		if (!json_is_string(v) || json_string_length(v) > 64)
			goto bad;
	return json_incref(addrs);
bad:
	http_reply_error(req, 400, "addresses must be a list of 1 to 65536 address strings");
	return NULL;
}

static json_t *
optional_body(struct evhttp_request *req, int *failed)
{
	*failed = 0;
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	if (in == NULL || evbuffer_get_length(in) == 0)
		return NULL;
	json_t *b = api_json_body_secret(req);
	*failed = b == NULL;
	return b;
}

/* POST /api/v1/discovery/seen/adopt {"addresses": [...] | "all": true,
 * "credential": {...}}: each seen host becomes a monitored device (SNMP with
 * the credential given, else the first of discovery.credentials or
 * discovery.communities), named by its address, and leaves the seen list. */
static void
api_seen_adopt(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)params;
	int failed;
	json_t *body = optional_body(req, &failed);
	if (failed)
		return;
	json_t *list = seen_targets(c, req, body);
	if (list == NULL) {
		json_decref(body);
		return;
	}
	char err[256] = "";
	struct disco_cred *cred = NULL;
	size_t n_cred = 0;
	json_t *given = body ? json_object_get(body, "credential") : NULL;
	json_t *credlist = given ? json_pack("[O]", given) :
	    disco_creds_config(c->cfg.discovery_credentials);
	if (credlist == NULL && c->cfg.discovery_communities.n > 0)
		credlist = json_pack("[{s:s, s:s}]", "version", "2c", "community",
		    c->cfg.discovery_communities.v[0]);
	if (credlist != NULL && disco_creds_parse(credlist, &cred, &n_cred, err, sizeof(err)) < 0) {
		json_decref(credlist);
		json_decref(list);
		json_decref(body);
		http_reply_error(req, 400, "%s", err);
		return;
	}
	json_decref(credlist);
	char actor[160], addr[64];
	audit_actor(who, actor, sizeof(actor));
	http_client_addr(req, addr, sizeof(addr), NULL, 0);
	json_t *adopted = json_array(), *missing = json_array(), *v;
	size_t i;
	json_array_foreach(list, i, v) {
		const char *a = json_string_value(v);
		struct device *d = NULL;
		if (!seen_has(c, a) || device_by_name(c->devices, a) != NULL ||
		    (d = device_new_default()) == NULL) {
			json_array_append(missing, v);
			continue;
		}
		d->name = strdup(a);
		d->address = strdup(a);
		if (n_cred > 0)
			disco_cred_to_device(&cred[0], d);
		if (inventory_save(c, d, 1, actor, addr, NULL, NULL) < 0) {	/* d freed */
			json_array_append(missing, v);
			continue;
		}
		seen_forget(c, a);
		json_array_append(adopted, v);
	}
	disco_creds_free(cred, n_cred);
	char *text = json_dumps(adopted, JSON_COMPACT);
	audit_record(c, actor, addr, "discovery.adopt", text ? text : "", 1, "%zu adopted",
	    json_array_size(adopted));
	free(text);
	http_reply_json(req, 200, json_pack("{s:o, s:o}", "adopted", adopted, "not_seen", missing));
	json_decref(list);
	json_decref(body);
}

/* DELETE /api/v1/discovery/seen?address=ADDR, or with a body
 * {"addresses": [...]} or {"all": true}: forget those hosts. */
static void
api_seen_delete(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)params;
	int failed;
	json_t *body = optional_body(req, &failed);
	if (failed)
		return;
	json_t *list = seen_targets(c, req, body);
	json_decref(body);
	if (list == NULL)
		return;
	size_t i, n = 0;
	json_t *v;
	json_array_foreach(list, i, v)
		n += (size_t)seen_forget(c, json_string_value(v));
	char actor[160], addr[64];
	audit_actor(who, actor, sizeof(actor));
	http_client_addr(req, addr, sizeof(addr), NULL, 0);
	audit_record(c, actor, addr, "discovery.seen.delete", "", 1, "%zu deleted", n);
	json_decref(list);
	http_reply_json(req, 200, json_pack("{s:I}", "deleted", (json_int_t)n));
}

const struct route api_discovery_routes[] = {
	{ EVHTTP_REQ_POST, "/api/v1/discovery", PERM_ADMIN, api_discovery_start },
	{ EVHTTP_REQ_GET, "/api/v1/discovery/seen", PERM_READ, api_seen_list },
	{ EVHTTP_REQ_DELETE, "/api/v1/discovery/seen", PERM_ADMIN, api_seen_delete },
	{ EVHTTP_REQ_POST, "/api/v1/discovery/seen/adopt", PERM_ADMIN, api_seen_adopt },
	{ EVHTTP_REQ_GET, "/api/v1/discovery/*", PERM_READ, api_discovery_get },
	ROUTES_END
};
