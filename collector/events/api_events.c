/*
 * api_events.c — GET /api/v1/events (DESIGN §9): the events database
 * searched on the store's reader pool, newest first. q is FTS5 syntax over message,
 * program and device (a bad q is 400); device is a name or an id; severity
 * keeps that level and worse; before=ID pages back; limit 1..10000.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <jansson.h>

#include "collector/collector.h"
#include "collector/auth/auth.h"
#include "collector/http/http.h"
#include "collector/inventory/inventory.h"
#include "collector/events/events.h"
#include "common/util.h"

struct pending_query {
	struct http_pending *pending;
};

static void
query_done(void *arg, json_t *rows, const char *err, int bad_query)
{
	struct pending_query *p = arg;
	struct evhttp_request *req = http_pending_take(p->pending);
	free(p);
	if (req == NULL) {
		json_decref(rows);
		return;
	}
	if (rows == NULL) {
		if (bad_query)
			http_reply_error(req, 400, "q: bad search expression (SQLite FTS5 syntax; "
			    "quote words with punctuation, e.g. \"LINK-3-UPDOWN\"): %s", err);
		else
			http_reply_error(req, 500, "events: %s", err ? err : "query failed");
		return;
	}
	http_reply_json(req, 200, rows);
}

/* A time: epoch seconds, or anything util_parse_time takes ("-1h", RFC 3339). */
static int
time_param(struct evhttp_request *req, const char *name, double *out)
{
	char *v = http_query_param(req, name);
	int rc = 0;
	if (v != NULL && v[0] != '\0' && util_parse_time(v, util_now(), out) < 0)
		rc = -1;
	free(v);
	return rc;
}

static int
int_param(struct evhttp_request *req, const char *name, long long lo, long long hi,
    long long *out)
{
	char *v = http_query_param(req, name), *end;
	int rc = 0;
	if (v != NULL && v[0] != '\0') {
		errno = 0;
		long long n = strtoll(v, &end, 10);
		if (errno != 0 || *end != '\0' || n < lo || n > hi)
			rc = -1;
		else
			*out = n;
	}
	free(v);
	return rc;
}

static void
api_events_list(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)who;
	(void)params;
	struct ev_db *db = events_db(c);
	struct ev_query q = { .kind = -1, .severity = -1, .limit = 100 };
	long long limit = 100, before = 0;
	if (db == NULL) {
		http_reply_error(req, 503, "the events database is not open");
		return;
	}
	if (time_param(req, "from", &q.from) < 0 || time_param(req, "to", &q.to) < 0) {
		http_reply_error(req, 400, "from and to must be times (epoch seconds, RFC 3339 "
		    "or -1h)");
		return;
	}
	if (int_param(req, "limit", 1, 10000, &limit) < 0) {
		http_reply_error(req, 400, "limit must be 1 to 10000");
		return;
	}
	if (int_param(req, "before", 1, INT64_MAX, &before) < 0) {
		http_reply_error(req, 400, "before must be an event id");
		return;
	}
	q.limit = (long)limit;
	q.before = before;
	char *v = http_query_param(req, "kind");
	if (v != NULL && v[0] != '\0' && (q.kind = cm_event_kind_parse(v)) < 0) {
		free(v);
		http_reply_error(req, 400, "kind must be trap, syslog or poll");
		return;
	}
	free(v);
	v = http_query_param(req, "severity");
	if (v != NULL && v[0] != '\0' && (q.severity = ev_severity_parse(v)) < 0) {
		free(v);
		http_reply_error(req, 400, "severity must be emerg, alert, crit, err, warning, "
		    "notice, info or debug");
		return;
	}
	free(v);
	v = http_query_param(req, "device");
	if (v != NULL && v[0] != '\0') {
		struct device *d = device_by_name(c->devices, v);
		char *end;
		long long id = strtoll(v, &end, 10);
		if (d == NULL && *end == '\0' && id > 0)
			d = device_get(c->devices, id);
		if (d == NULL) {
			free(v);
			http_reply_error(req, 404, "no such device");
			return;
		}
		q.device_id = d->id;
	}
	free(v);
	q.q = http_query_param(req, "q");
	if (q.q != NULL && strlen(q.q) > 1024) {
		free(q.q);
		http_reply_error(req, 400, "q is longer than 1024 bytes");
		return;
	}
	struct pending_query *p = calloc(1, sizeof(*p));
	if (p != NULL)
		p->pending = http_pending_new(req);
	if (p == NULL || p->pending == NULL || evdb_query(db, &q, query_done, p) < 0) {
		if (p != NULL && p->pending != NULL)
			http_pending_take(p->pending);
		free(p);
		http_reply_error(req, 503, "the collector is busy; try again in a moment");
	}
	free(q.q);
}

const struct route api_events_routes[] = {
	{ EVHTTP_REQ_GET, "/api/v1/events", PERM_READ, api_events_list },
	ROUTES_END
};
