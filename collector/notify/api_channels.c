/*
 * api_channels.c — GET /api/v1/channels (each channel with its last
 * delivery, failures, pending entries and newest dead letters) and
 * POST /api/v1/channels/{name}/test.
 */
#include <event2/http.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "collector/notify/notify_internal.h"
#include "collector/api/api.h"
#include "collector/auth/auth.h"

struct list_job {
	struct collector *c;
	struct notify *n;
	struct http_pending *pending;
	json_t *summary;
};

static void
list_run(struct sqlite3 *db, void *arg)
{
	struct list_job *job = arg;
	job->summary = outboxdb_summary(db, 20);
}

/* A channel the outbox still names that is no longer configured (removed by
 * a reload or before a restart), while it has dead letters or pending rows:
 * its figures are the outbox's. */
static json_t *
removed_channel(const char *name, json_t *s)
{
	json_t *dead = json_object_get(s, "dead_letters");
	const char *err = json_string_value(json_object_get(json_array_get(dead, 0), "error"));
	json_t *last = json_object_get(s, "last_delivery");
	return json_pack("{s:s, s:n, s:n, s:b, s:O, s:i, s:O, s:O, s:O, s:n, s:s?, s:O}", "name",
	    name, "type", "language", "removed", 1, "sent", json_object_get(s, "sent"),
	    "failures", 0, "dead", json_object_get(s, "dead"), "pending",
	    json_object_get(s, "pending"), "last_delivery", last ? last : json_null(),
	    "last_attempt", "last_error", err, "dead_letters", dead);
}

static void
list_reply(struct evhttp_request *req, struct list_job *job)
{
	json_t *out = notify_channels_json(job->c);
	size_t i;
	json_t *ch;
	json_array_foreach(out, i, ch) {
		json_t *s = json_object_get(job->summary,
		    json_string_value(json_object_get(ch, "name")));
		json_t *dead = json_object_get(s, "dead_letters");
		json_object_set_new(ch, "dead_letters", dead ? json_incref(dead) : json_array());
		json_object_set_new(ch, "removed", json_false());
	}
	const char *name;
	json_t *s;
	json_object_foreach(job->summary, name, s) {
		if (job->n != NULL && nchannels_find(&job->n->chs, name) != NULL)
			continue;
		if (json_integer_value(json_object_get(s, "dead")) > 0 ||
		    json_integer_value(json_object_get(s, "pending")) > 0)
			json_array_append_new(out, removed_channel(name, s));
	}
	http_reply_json(req, 200, out);
}

static void
list_done(void *arg)
{
	struct list_job *job = arg;
	struct evhttp_request *req = http_pending_take(job->pending);
	job->n->jobs_out--;
	if (req != NULL && !job->n->stopping)
		list_reply(req, job);
	else if (req != NULL)
		http_reply_error(req, 503, "notifications are stopping");
	json_decref(job->summary);
	free(job);
}

/* The figures are the loop's; the dead letters are read on the outbox's
 * thread (worker.c), the reply sent when they come back. */
static void
api_channels_list(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)who;
	(void)params;
	struct notify *n = c->notify;
	if (n == NULL || n->worker == NULL) {
		struct list_job none = { .c = c };
		list_reply(req, &none);
		return;
	}
	struct list_job *job = calloc(1, sizeof(*job));
	if (job != NULL) {
		job->c = c;
		job->n = n;
		job->pending = http_pending_new(req);
	}
	if (job == NULL || job->pending == NULL ||
	    nworker_call(n->worker, list_run, list_done, job) < 0) {
		if (job != NULL && job->pending != NULL)
			http_pending_take(job->pending);
		free(job);
		evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "1");
		http_reply_error(req, 503, "the collector is busy; try again in a moment");
		return;
	}
	n->jobs_out++;
}

static void
api_channel_test(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	char actor[160], addr[64];
	audit_actor(who, actor, sizeof(actor));
	http_client_addr(req, addr, sizeof(addr), NULL, 0);
	int rc = notify_test(c, params[0], actor);
	if (rc == -1) {
		http_reply_error(req, 404, "no channel named '%s' in notify.channels", params[0]);
		return;
	}
	if (rc < 0) {
		http_reply_error(req, 503, "notifications are not running");
		return;
	}
	audit_record(c, actor, addr, "channel.test", params[0], 1, NULL);
	http_reply_json(req, 202, json_pack("{s:b, s:s}", "queued", 1, "channel", params[0]));
}

/* Dead letters go again: for after a receiver or a channel was fixed. */
static void
api_channel_retry(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	char actor[160], addr[64];
	struct notify *n = c->notify;
	if (n == NULL) {
		http_reply_error(req, 503, "notifications are not running");
		return;
	}
	if (nchannels_find(&n->chs, params[0]) == NULL) {
		http_reply_error(req, 404, "no channel named '%s' in notify.channels", params[0]);
		return;
	}
	if (outbox_requeue(n, params[0]) < 0) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "1");
		http_reply_error(req, 503, "the collector is busy; try again in a moment");
		return;
	}
	audit_actor(who, actor, sizeof(actor));
	http_client_addr(req, addr, sizeof(addr), NULL, 0);
	audit_record(c, actor, addr, "channel.retry", params[0], 1, "dead letters sent again");
	http_reply_json(req, 202, json_pack("{s:b, s:s}", "queued", 1, "channel", params[0]));
}

const struct route notify_routes[] = {
	{ EVHTTP_REQ_GET, "/api/v1/channels", PERM_READ, api_channels_list },
	{ EVHTTP_REQ_POST, "/api/v1/channels/*/test", PERM_OPERATE, api_channel_test },
	{ EVHTTP_REQ_POST, "/api/v1/channels/*/retry", PERM_OPERATE, api_channel_retry },
	/* one-tap acknowledgement: the signed link is the credential */
	{ EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/ack/*", 0, ackpage_get },
	{ EVHTTP_REQ_POST, "/ack/*", 0, ackpage_post },
	ROUTES_END
};
