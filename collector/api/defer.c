/*
 * defer.c — the one way an API handler has blocking work done: the work runs
 * on one of the store's threads (the state writer, the reader pool, the RRD
 * writer or, for a backup's second half, the backup lane: store.h), then the
 * reply on the loop, only if the client is still connected; the job is
 * released either way. When the job cannot be queued (out of memory, or the
 * store's job queue is full) the client gets 503 with Retry-After at once.
 */
#include <stdlib.h>

#include <event2/http.h>

#include "collector/collector.h"
#include "collector/http/http.h"
#include "collector/store/store.h"
#include "collector/api/api.h"

enum lane { LANE_STATE, LANE_READ, LANE_RRD, LANE_BACKUP };

static void done(void *arg);

struct deferred {
	struct http_pending *pending;
	void *job;
	api_work_fn prepare, work;
	api_reply_fn reply;
	void (*cleanup)(void *job);
};

static void
release(struct deferred *d)
{
	if (d->cleanup != NULL)
		d->cleanup(d->job);
	else
		free(d->job);
	free(d);
}

static void
run(struct store *st, void *arg)
{
	struct deferred *d = arg;
	d->work(st, d->job);
}

static void
run_prepare(struct store *st, void *arg)
{
	struct deferred *d = arg;
	d->prepare(st, d->job);
}

static int
queue(struct collector *c, enum lane lane, struct deferred *d)
{
	switch (lane) {
	case LANE_READ:
		return store_call_read(c->store, d->prepare ? run_prepare : NULL, run, done, d);
	case LANE_RRD:
		return store_call_rrd(c->store, run, done, d);
	case LANE_BACKUP:
		return store_call_backup(c->store, run_prepare, run, done, d);
	default:
		return store_call(c->store, run, done, d);
	}
}

static void
done(void *arg)
{
	struct deferred *d = arg;
	struct evhttp_request *req = http_pending_take(d->pending);
	d->reply(req, d->job);
	release(d);
}

static int
defer_on(struct collector *c, enum lane lane, struct evhttp_request *req, void *job,
    api_work_fn prepare, api_work_fn work, api_reply_fn reply, void (*cleanup)(void *job))
{
	struct deferred *d = calloc(1, sizeof(*d));
	if (d != NULL) {
		d->job = job;
		d->prepare = prepare;
		d->work = work;
		d->reply = reply;
		d->cleanup = cleanup;
		d->pending = http_pending_new(req);
	}
	if (d == NULL || d->pending == NULL || queue(c, lane, d) < 0) {
		if (d != NULL && d->pending != NULL)
			http_pending_take(d->pending);
		evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "1");
		http_reply_error(req, 503, "the collector is busy; try again in a moment");
		if (d != NULL) {
			release(d);
		} else if (cleanup != NULL) {
			cleanup(job);
		} else {
			free(job);
		}
		return -1;
	}
	return 0;
}

int
api_defer(struct collector *c, struct evhttp_request *req, void *job, api_work_fn work,
    api_reply_fn reply, void (*cleanup)(void *job))
{
	return defer_on(c, LANE_STATE, req, job, NULL, work, reply, cleanup);
}

int
api_defer_read(struct collector *c, struct evhttp_request *req, void *job,
    api_work_fn prepare, api_work_fn work, api_reply_fn reply, void (*cleanup)(void *job))
{
	return defer_on(c, LANE_READ, req, job, prepare, work, reply, cleanup);
}

int
api_defer_rrd(struct collector *c, struct evhttp_request *req, void *job, api_work_fn work,
    api_reply_fn reply, void (*cleanup)(void *job))
{
	return defer_on(c, LANE_RRD, req, job, NULL, work, reply, cleanup);
}

int
api_defer_backup(struct collector *c, struct evhttp_request *req, void *job,
    api_work_fn first, api_work_fn rest, api_reply_fn reply, void (*cleanup)(void *job))
{
	return defer_on(c, LANE_BACKUP, req, job, first, rest, reply, cleanup);
}
