/*
 * defer.c — the one way an API handler has blocking work done: the work runs
 * on the store thread, then the reply on the loop, only if the client is
 * still connected; the job is released either way. When the job cannot be
 * queued (out of memory, or the store's job queue is full) the client gets
 * 503 with Retry-After at once.
 */
#include <stdlib.h>

#include <event2/http.h>

#include "collector/collector.h"
#include "collector/http/http.h"
#include "collector/store/store.h"
#include "collector/api/api.h"

struct deferred {
	struct http_pending *pending;
	void *job;
	api_work_fn work;
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
done(void *arg)
{
	struct deferred *d = arg;
	struct evhttp_request *req = http_pending_take(d->pending);
	d->reply(req, d->job);
	release(d);
}

int
api_defer(struct collector *c, struct evhttp_request *req, void *job, api_work_fn work,
    api_reply_fn reply, void (*cleanup)(void *job))
{
	struct deferred *d = calloc(1, sizeof(*d));
	if (d != NULL) {
		d->job = job;
		d->work = work;
		d->reply = reply;
		d->cleanup = cleanup;
		d->pending = http_pending_new(req);
	}
	if (d == NULL || d->pending == NULL || store_call(c->store, run, done, d) < 0) {
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
