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

static struct device *
device_param(struct collector *c, struct evhttp_request *req, const char *param)
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

void
api_devices_list(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)who;
	(void)params;
	char *kind = http_query_param(req, "kind");
	char *status = http_query_param(req, "status");
	char *q = http_query_param(req, "q");
	struct evbuffer *out = evbuffer_new();
	struct jfrag *all = kind || status || q ? NULL : device_list_cached(c->devices);
	if (all != NULL) {
		jfrag_add_to(out, all);
	} else {
		struct device_filter f = { kind, status, q };
		device_list_append(c->devices, out, matches, &f);
	}
	evbuffer_add(out, "\n", 1);
	free(kind);
	free(status);
	free(q);
	http_reply_buffer(req, 200, out);
	evbuffer_free(out);
}

void
api_device_get(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)who;
	struct device *d = device_param(c, req, params[0]);
	if (d != NULL)
		http_reply_json(req, 200, device_to_json(d));
}

void
api_device_interfaces(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)who;
	struct device *d = device_param(c, req, params[0]);
	if (d == NULL)
		return;
	if (d->ifaces_cache == NULL)
		d->ifaces_cache = jfrag_new(d->interfaces ? json_incref(d->interfaces) : json_array());
	struct evbuffer *out = evbuffer_new();
	if (d->ifaces_cache != NULL)
		jfrag_add_to(out, d->ifaces_cache);
	evbuffer_add(out, "\n", 1);
	http_reply_buffer(req, 200, out);
	evbuffer_free(out);
}

void
api_device_sensors(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)who;
	struct device *d = device_param(c, req, params[0]);
	if (d != NULL)
		http_reply_json(req, 200, d->sensors ? json_copy(d->sensors) : json_array());
}

/* ---- writes ---------------------------------------------------------------- */

struct device_job {
	struct collector *c;
	struct http_pending *pending;
	struct device *copy;		/* what is written */
	int64_t id;
	int creating;
	int rc;
	char who[160];
	char addr[64];
};

static void
save_run(struct store *st, void *arg)
{
	struct device_job *job = arg;
	job->rc = devices_db_save(store_db(st), job->copy);
}

static void
save_done(void *arg)
{
	struct device_job *job = arg;
	struct collector *c = job->c;
	struct evhttp_request *req = job->pending ? http_pending_take(job->pending) : NULL;
	if (job->rc == 0) {
		struct device *d = device_get(c->devices, job->copy->id);
		if (d != NULL) {		/* keep the live tables of an edited device */
			job->copy->interfaces = d->interfaces;
			job->copy->sensors = d->sensors;
			job->copy->profiles = d->profiles;
			d->interfaces = d->sensors = d->profiles = NULL;
			device_remove(c->devices, d);
			device_free(d);
		}
		device_insert(c->devices, job->copy);
		snmpbridge_watch(c, job->copy);
		audit_record(c, job->who, job->addr, job->creating ? "device.add" : "device.edit",
		    job->copy->name, 1, "id %lld, %s", (long long)job->copy->id,
		    job->copy->address);
		if (req != NULL)
			http_reply_json(req, job->creating ? 201 : 200, device_to_json(job->copy));
	} else {
		audit_record(c, job->who, job->addr, job->creating ? "device.add" : "device.edit",
		    job->copy->name, 0, "%s", job->rc == -2 ? "name taken" : "not stored");
		if (req != NULL)
			http_reply_error(req, job->rc == -2 ? 409 : 500, job->rc == -2 ?
			    "a device named '%s' exists already" : "could not store device %s",
			    job->copy->name);
		device_free(job->copy);
	}
	free(job);
}

void
device_save(struct collector *c, struct evhttp_request *req, const char *who,
    struct device *copy, int creating)
{
	struct device_job *job = calloc(1, sizeof(*job));
	if (job == NULL) {
		device_free(copy);
		if (req != NULL)
			http_reply_error(req, 503, "out of memory");
		return;
	}
	job->c = c;
	job->copy = copy;
	job->creating = creating;
	snprintf(job->who, sizeof(job->who), "%s", who);
	if (req != NULL)
		http_client_addr(req, job->addr, sizeof(job->addr), NULL, 0);
	job->pending = req ? http_pending_new(req) : NULL;
	store_call(c->store, save_run, save_done, job);
}

void
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
	if (strcmp(d->snmp_version, "3") == 0 && d->v3_user == NULL) {
		device_free(d);
		http_reply_error(req, 400, "SNMPv3 needs snmp.user");
		return;
	}
	if (device_by_name(c->devices, d->name) != NULL) {
		http_reply_error(req, 409, "a device named '%s' exists already", d->name);
		device_free(d);
		return;
	}
	char actor[160];
	audit_actor(who, actor, sizeof(actor));
	device_save(c, req, actor, d, 1);
}

void
api_device_patch(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	struct device *d = device_param(c, req, params[0]);
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
	char actor[160];
	audit_actor(who, actor, sizeof(actor));
	device_save(c, req, actor, copy, 0);
}

static void
delete_run(struct store *st, void *arg)
{
	struct device_job *job = arg;
	job->rc = devices_db_delete(store_db(st), job->id);
}

static void
delete_done(void *arg)
{
	struct device_job *job = arg;
	struct evhttp_request *req = http_pending_take(job->pending);
	struct device *d = device_get(job->c->devices, job->id);
	if (job->rc == 0 && d != NULL) {
		snmpbridge_forget(job->c, job->id);
		audit_record(job->c, job->who, job->addr, "device.remove", d->name, 1, "id %lld",
		    (long long)job->id);
		device_remove(job->c->devices, d);
		device_free(d);
	}
	if (req != NULL && job->rc == 0)
		http_reply_json(req, 204, NULL);
	else if (req != NULL)
		http_reply_error(req, 404, "no such device");
	free(job);
}

void
api_device_delete(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	struct device *d = device_param(c, req, params[0]);
	if (d == NULL)
		return;
	struct device_job *job = calloc(1, sizeof(*job));
	if (job == NULL) {
		http_reply_error(req, 503, "out of memory");
		return;
	}
	job->c = c;
	job->id = d->id;
	audit_actor(who, job->who, sizeof(job->who));
	http_client_addr(req, job->addr, sizeof(job->addr), NULL, 0);
	job->pending = http_pending_new(req);
	store_call(c->store, delete_run, delete_done, job);
}
