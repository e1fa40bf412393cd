/*
 * api/devices.c — the device inventory: list, add, show, edit, remove, and
 * each device's live interfaces and sensors from its last poll. Database
 * writes run on the store thread; SNMP secrets are accepted, never returned.
 */
#include "collector/collector.h"
#include "collector/http/http.h"
#include "collector/auth/auth.h"
#include "collector/store/store.h"
#include "collector/api/api.h"
#include "collector/inventory/inventory.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/log.h"
#include "common/util.h"

struct device *
api_device_param(struct collector *c, struct evhttp_request *req, const char *param)
{
	char *end;
	long long id = strtoll(param, &end, 10);
	struct device *d = *end == '\0' && id > 0 ? device_get(c->devices, id) :
	    device_by_name(c->devices, param);
	if (d == NULL)
		http_reply_error(req, 404, "no such device: %s", param);
	return d;
}

struct device_filter {
	const char *kind, *status, *q;
};

static int
matches(const struct device *d, void *arg)
{
	const struct device_filter *f = arg;
	const char *kind = f->kind, *status = f->status, *q = f->q;
	if (kind && (d->kind == NULL || strcmp(d->kind, kind) != 0))
		return 0;
	if (status && (d->status == NULL || strcmp(d->status, status) != 0))
		return 0;
	if (q && !(strcasestr(d->name, q) || strcasestr(d->address, q) ||
	    (d->site && strcasestr(d->site, q)) || (d->building && strcasestr(d->building, q)) ||
	    (d->room && strcasestr(d->room, q))))
		return 0;
	return 1;
}

int
api_count_param(struct evhttp_request *req, const char *name, size_t *out)
{
	char *v = http_query_param(req, name);
	*out = 0;
	if (v == NULL)
		return 0;
	char *end;
	unsigned long long n = strtoull(v, &end, 10);
	int ok = v[0] >= '0' && v[0] <= '9' && *end == '\0' && n <= 1000000;
	free(v);
	if (!ok) {
		http_reply_error(req, 400, "%s must be a whole number from 0 to 1000000", name);
		return -1;
	}
	*out = (size_t)n;
	return 0;
}

static void
api_devices_list(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)who;
	(void)params;
	size_t limit, offset;
	if (api_count_param(req, "limit", &limit) < 0 ||
	    api_count_param(req, "offset", &offset) < 0)
		return;
	char *kind = http_query_param(req, "kind");
	char *status = http_query_param(req, "status");
	char *q = http_query_param(req, "q");
	struct evbuffer *out = evbuffer_new();
	int paged = limit > 0 || offset > 0;
	struct jfrag *all = kind || status || q || paged ? NULL : device_list_cached(c->devices);
	size_t total = device_count(c->devices);
	if (all != NULL) {
		jfrag_add_to(out, all);
	} else {
		struct device_filter f = { kind, status, q };
		device_list_page(c->devices, out, kind || status || q ? matches : NULL, &f, offset,
		    limit, &total);
	}
	evbuffer_add(out, "\n", 1);
	free(kind);
	free(status);
	free(q);
	char tot[32];
	snprintf(tot, sizeof(tot), "%zu", total);
	evhttp_add_header(evhttp_request_get_output_headers(req), "X-Total-Count", tot);
	http_reply_buffer(req, 200, out);
	evbuffer_free(out);
}

static void
api_device_get(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)who;
	struct device *d = api_device_param(c, req, params[0]);
	if (d != NULL)
		http_reply_json(req, 200, device_to_json(d));
}

/* Send a cached list (an empty one if it could not be made). */
static void
reply_fragment(struct evhttp_request *req, struct jfrag *f)
{
	struct evbuffer *out = evbuffer_new();
	if (f != NULL)
		jfrag_add_to(out, f);
	else
		evbuffer_add(out, "[]", 2);
	evbuffer_add(out, "\n", 1);
	http_reply_buffer(req, 200, out);
	evbuffer_free(out);
}

static void
api_device_interfaces(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)who;
	struct device *d = api_device_param(c, req, params[0]);
	if (d == NULL)
		return;
	if (d->ifaces_cache == NULL)
		d->ifaces_cache = jfrag_new(device_ifaces_json(d));
	reply_fragment(req, d->ifaces_cache);
}

static void
api_device_sensors(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)who;
	struct device *d = api_device_param(c, req, params[0]);
	if (d == NULL)
		return;
	if (d->sensors_cache == NULL)
		d->sensors_cache = jfrag_new(device_sensors_json(d));
	reply_fragment(req, d->sensors_cache);
}

/* ---- writes ---------------------------------------------------------------- */

/* A change's outcome, for the request that asked (if it is still there). */
struct reply_to {
	struct http_pending *pending;
	int creating;
};

static void
change_done(void *arg, const struct device *d, int rc)
{
	struct reply_to *r = arg;
	struct evhttp_request *req = r->pending ? http_pending_take(r->pending) : NULL;
	if (req == NULL)
		;
	else if (rc == 0 && d != NULL)
		http_reply_json(req, r->creating ? 201 : 200, device_to_json(d));
	else if (rc == 0)
		http_reply_json(req, 204, NULL);
	else if (d == NULL)
		http_reply_error(req, 404, "no such device");
	else if (rc == -2)
		http_reply_error(req, 409, "a device named '%s' exists already", d->name);
	else
		http_reply_error(req, 500, "could not store device %s", d->name);
	free(r);
}

/* Hand the change to the inventory; the reply follows in change_done. */
static void
change_start(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, struct device *copy, int64_t delete_id, int creating)
{
	struct reply_to *r = calloc(1, sizeof(*r));
	if (r == NULL || (r->pending = http_pending_new(req)) == NULL) {
		free(r);
		device_free(copy);
		http_reply_error(req, 503, "out of memory");
		return;
	}
	r->creating = creating;
	char actor[160], addr[64];
	audit_actor(who, actor, sizeof(actor));
	http_client_addr(req, addr, sizeof(addr), NULL, 0);
	int rc = copy ? inventory_save(c, copy, creating, actor, addr, change_done, r) :
	    inventory_delete(c, delete_id, actor, addr, change_done, r);
	if (rc < 0) {			/* done() will not run: answer here */
		if (http_pending_take(r->pending) != NULL) {
			evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "1");
			http_reply_error(req, 503, "the collector is busy; try again in a moment");
		}
		free(r);
	}
}

static void
api_devices_create(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)params;
	json_t *body = api_json_body(req);
	if (body == NULL)
		return;
	struct device *d = device_new_default();
	char err[256];
	if (d == NULL) {
		json_decref(body);
		http_reply_error(req, 503, "out of memory");
		return;
	}
	int rc = device_apply_json(d, body, 1, err, sizeof(err));
	json_decref(body);
	if (rc < 0) {
		device_free(d);
		http_reply_error(req, 400, "%s", err);
		return;
	}
	if (d->name == NULL)
		d->name = strdup(d->address);
	if (device_by_name(c->devices, d->name) != NULL) {
		http_reply_error(req, 409, "a device named '%s' exists already", d->name);
		device_free(d);
		return;
	}
	change_start(c, req, who, d, 0, 1);
}

static void
api_device_patch(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	struct device *d = api_device_param(c, req, params[0]);
	if (d == NULL)
		return;
	json_t *body = api_json_body(req);
	if (body == NULL)
		return;
	struct device *copy = device_dup(d);
	char err[256];
	int rc = copy ? device_apply_json(copy, body, 0, err, sizeof(err)) : -1;
	json_decref(body);
	if (rc < 0) {
		device_free(copy);
		http_reply_error(req, 400, "%s", copy ? err : "out of memory");
		return;
	}
	struct device *other = device_by_name(c->devices, copy->name);
	if (other != NULL && other != d) {
		http_reply_error(req, 409, "a device named '%s' exists already", copy->name);
		device_free(copy);
		return;
	}
	change_start(c, req, who, copy, 0, 0);
}

static void
api_device_delete(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	struct device *d = api_device_param(c, req, params[0]);
	if (d != NULL)
		change_start(c, req, who, NULL, d->id, 0);
}

const struct route api_devices_routes[] = {
	{ EVHTTP_REQ_GET, "/api/v1/devices", PERM_READ, api_devices_list },
	{ EVHTTP_REQ_POST, "/api/v1/devices", PERM_ADMIN, api_devices_create },
	{ EVHTTP_REQ_GET, "/api/v1/devices/*", PERM_READ, api_device_get },
	{ EVHTTP_REQ_PATCH, "/api/v1/devices/*", PERM_ADMIN, api_device_patch },
	{ EVHTTP_REQ_DELETE, "/api/v1/devices/*", PERM_ADMIN, api_device_delete },
	{ EVHTTP_REQ_GET, "/api/v1/devices/*/interfaces", PERM_READ, api_device_interfaces },
	{ EVHTTP_REQ_GET, "/api/v1/devices/*/sensors", PERM_READ, api_device_sensors },
	ROUTES_END
};
