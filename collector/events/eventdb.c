/*
 * eventdb.c — the events database (DATA/events.db; its tables are
 * evstore.c's), written by the store's state writer and searched by its
 * reader pool.
 *
 * The loop queues events in a bounded ring (full means dropped, counted as
 * reason=queue). One write job at a time goes to the state writer: it takes
 * whatever the ring holds (up to BATCH_MAX) and writes it in one transaction
 * (WAL, synchronous=FULL: a batch is durable when it is handed back), then
 * asks the index which of the log rules' FTS expressions each event
 * matches (one query per expression per batch). Its completion hands the
 * stored batch to the loop (events_stored: log rules, observe_event) and
 * sends the next job if more has come meanwhile. So
 * batches grow with the load by themselves, and the state writer's other
 * work (users, alerts, audit) waits behind at most one batch. Confirmations,
 * alert links and retention (every few seconds) are state-writer jobs too;
 * searches run on the reader pool, each reader with its own connection
 * (WAL: they never wait for the writer).
 *
 * The writer's connection (d->store) is used by our state-writer jobs only,
 * one at a time; evdb_close waits until none is left before it writes the
 * rest itself and closes it.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <jansson.h>

#include "collector/collector.h"
#include "collector/events/events.h"
#include "collector/store/store.h"
#include "common/log.h"
#include "common/util.h"

#define BATCH_MAX 32768
#define RETENTION_EVERY 5.0	/* seconds */

struct ev_db {
	struct collector *c;
	struct store *st;
	struct ev_store *store;	/* the writer's connection: our state-writer jobs only */
	char *path;
	pthread_mutex_t mu;	/* the ring (filled on the loop, drained by a write job) and running */
	pthread_cond_t idle;
	struct cm_event **ring;
	size_t cap, head, n;
	unsigned running;	/* our jobs queued or running on the state writer */
	/* loop only: */
	int writing;		/* a write job is out; the next waits for its completion */
	int retaining;		/* a retention job is out */
	int closed;
	int refs;		/* 1 + completions still to run on the loop */
	struct event *tick;	/* retention, and a write the full state writer refused */
	long long max_age, max_bytes;
	double retention_sent;
	struct ev_fts fts;	/* the log rules' expressions, for the next batch */
};

static void
fts_clear(struct ev_fts *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->v[i]);
	free(f->v);
	f->v = NULL;
	f->n = 0;
}

/* A copy of src in dst (empty when out of memory: no rule matches by FTS). */
static void
fts_copy(struct ev_fts *dst, const struct ev_fts *src)
{
	dst->n = 0;
	dst->v = src->n ? calloc(src->n, sizeof(*dst->v)) : NULL;
	if (dst->v == NULL)
		return;
	for (size_t i = 0; i < src->n && i < EV_FTS_MAX; i++) {
		if ((dst->v[i] = strdup(src->v[i])) == NULL) {
			fts_clear(dst);
			return;
		}
		dst->n++;
	}
}

static void
unref(struct ev_db *d)
{
	if (--d->refs > 0)
		return;
	for (size_t i = 0; i < d->n; i++)
		cm_event_free(d->ring[(d->head + i) % d->cap]);
	free(d->ring);
	free(d->path);
	fts_clear(&d->fts);
	pthread_mutex_destroy(&d->mu);
	pthread_cond_destroy(&d->idle);
	free(d);
}

/* Send fn (state writer) then done (loop); the job must call finished(). */
static int
send_job(struct ev_db *d, void (*fn)(struct store *st, void *arg), void (*done)(void *arg),
    void *arg)
{
	pthread_mutex_lock(&d->mu);
	d->running++;
	pthread_mutex_unlock(&d->mu);
	if (store_call(d->st, fn, done, arg) < 0) {
		pthread_mutex_lock(&d->mu);
		d->running--;
		pthread_mutex_unlock(&d->mu);
		return -1;
	}
	d->refs++;
	return 0;
}

/* On the state writer, the job's last touch of the db's connection. */
static void
finished(struct ev_db *d)
{
	pthread_mutex_lock(&d->mu);
	if (--d->running == 0)
		pthread_cond_broadcast(&d->idle);
	pthread_mutex_unlock(&d->mu);
}

/* ---- writing ------------------------------------------------------------- */

struct ev_batch {
	struct ev_db *d;
	struct cm_event **evs;
	size_t n;
	struct ev_fts fts;	/* what its events were matched against */
};

/* Up to BATCH_MAX events out of the ring, in a new array (NULL: none). */
static struct cm_event **
take(struct ev_db *d, size_t *n_out)
{
	pthread_mutex_lock(&d->mu);
	size_t n = d->n < BATCH_MAX ? d->n : BATCH_MAX;
	struct cm_event **evs = n ? malloc(n * sizeof(*evs)) : NULL;
	if (evs == NULL)
		n = 0;
	for (size_t i = 0; i < n; i++) {
		evs[i] = d->ring[d->head];
		d->head = (d->head + 1) % d->cap;
	}
	d->n -= n;
	pthread_mutex_unlock(&d->mu);
	*n_out = n;
	return evs;
}

/* Write b's events; keep those stored, count the rest as queue drops. */
static void
write_events(struct ev_db *d, struct ev_batch *b)
{
	size_t ok = evstore_write(d->store, b->evs, b->n);
	size_t kept = 0;
	for (size_t i = 0; i < b->n; i++) {
		if (ok > 0 && b->evs[i]->id > 0) {
			b->evs[kept++] = b->evs[i];
		} else {
			events_drop(d->c, b->evs[i]->kind, EV_DROP_QUEUE, 1);
			cm_event_free(b->evs[i]);
		}
	}
	b->n = kept;
}

static void
write_run(struct store *st, void *arg)
{
	struct ev_batch *b = arg;
	(void)st;
	b->evs = take(b->d, &b->n);
	if (b->n > 0)
		write_events(b->d, b);
	if (b->n > 0 && b->fts.n > 0)
		evstore_fts_hits(b->d->store, b->evs, b->n, &b->fts);
	finished(b->d);
}

static void send_write(struct ev_db *d);

static void
write_done(void *arg)
{
	struct ev_batch *b = arg;
	struct ev_db *d = b->d;
	events_stored(d->c, b->evs, b->n, &b->fts);
	fts_clear(&b->fts);
	free(b->evs);
	free(b);
	d->writing = 0;
	if (!d->closed && evdb_queue_depth(d) > 0)
		send_write(d);
	unref(d);
}

/* The next write job, unless one is out; a full state writer is tried again
 * by the next event or the tick. */
static void
send_write(struct ev_db *d)
{
	if (d->writing || d->closed)
		return;
	struct ev_batch *b = calloc(1, sizeof(*b));
	if (b == NULL)
		return;
	b->d = d;
	fts_copy(&b->fts, &d->fts);
	if (send_job(d, write_run, write_done, b) < 0) {
		fts_clear(&b->fts);
		free(b);
		return;
	}
	d->writing = 1;
}

/* ---- confirmations, alert links, retention ---------------------------- */

struct ev_change {
	struct ev_db *d;
	int64_t confirm_id;		/* a confirmation when set, else links */
	double confirm_ts;
	struct evdb_link *links;
	size_t n_links;
	long long max_age, max_bytes;	/* retention, when neither */
};

static void
change_run(struct store *st, void *arg)
{
	struct ev_change *j = arg;
	(void)st;
	if (j->confirm_id > 0) {
		evstore_confirm(j->d->store, j->confirm_id, j->confirm_ts);
	} else if (j->links != NULL) {
		evstore_link_alerts(j->d->store, j->links, j->n_links);
	} else {
		long long deleted = evstore_retention(j->d->store, j->max_age, j->max_bytes,
		    util_now());
		if (deleted > 0)
			log_info("events: retention deleted %lld old events", deleted);
	}
	finished(j->d);
}

static void
change_done(void *arg)
{
	struct ev_change *j = arg;
	struct ev_db *d = j->d;
	if (j->confirm_id == 0 && j->links == NULL)
		d->retaining = 0;
	free(j->links);
	free(j);
	unref(d);
}

static int
send_change(struct ev_db *d, struct ev_change *j)
{
	j->d = d;
	if (d->closed || send_job(d, change_run, change_done, j) < 0) {
		free(j->links);
		free(j);
		return -1;
	}
	return 0;
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct ev_db *d = arg;
	(void)fd;
	(void)what;
	if (evdb_queue_depth(d) > 0)
		send_write(d);
	double now = util_monotonic();
	if (d->retaining || now - d->retention_sent < RETENTION_EVERY)
		return;
	struct ev_change *j = calloc(1, sizeof(*j));
	if (j == NULL)
		return;
	j->max_age = d->max_age;
	j->max_bytes = d->max_bytes;
	if (send_change(d, j) == 0) {
		d->retaining = 1;
		d->retention_sent = now;
	}
}

int
evdb_confirm(struct ev_db *d, int64_t id, double ts)
{
	struct ev_change *j = calloc(1, sizeof(*j));
	if (j == NULL)
		return -1;
	j->confirm_id = id;
	j->confirm_ts = ts;
	return send_change(d, j);
}

int
evdb_link_alert(struct ev_db *d, const struct evdb_link *links, size_t n)
{
	if (n == 0)
		return 0;
	struct ev_change *j = calloc(1, sizeof(*j));
	if (j == NULL || (j->links = malloc(n * sizeof(*links))) == NULL) {
		free(j);
		return -1;
	}
	memcpy(j->links, links, n * sizeof(*links));
	j->n_links = n;
	return send_change(d, j);
}

/* ---- searches, on the reader pool ------------------------------------- */

/* Each reader thread's connection, closed when the thread ends. */
struct ev_reader {
	char *path;
	struct ev_store *s;
};
static pthread_key_t reader_key;
static pthread_once_t reader_once = PTHREAD_ONCE_INIT;

static void
reader_free(void *arg)
{
	struct ev_reader *r = arg;
	evstore_close(r->s);
	free(r->path);
	free(r);
}

static void
reader_key_make(void)
{
	pthread_key_create(&reader_key, reader_free);
}

static struct ev_store *
reader_store(const char *path, char *err, size_t errlen)
{
	pthread_once(&reader_once, reader_key_make);
	struct ev_reader *r = pthread_getspecific(reader_key);
	if (r != NULL && strcmp(r->path, path) == 0)
		return r->s;
	if (r != NULL) {
		pthread_setspecific(reader_key, NULL);
		reader_free(r);
	}
	if ((r = calloc(1, sizeof(*r))) == NULL || (r->path = strdup(path)) == NULL) {
		free(r);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->s = evstore_open_reader(path, err, errlen);
	if (r->s == NULL) {
		reader_free(r);
		return NULL;
	}
	pthread_setspecific(reader_key, r);
	return r->s;
}

struct ev_search {
	char *path;
	struct ev_query q;
	evdb_query_fn done;
	void *arg;
	json_t *rows;
	char err[256];
	int bad_query;
};

static void
search_run(struct store *st, void *arg)
{
	struct ev_search *j = arg;
	(void)st;
	struct ev_store *s = reader_store(j->path, j->err, sizeof(j->err));
	if (s != NULL)
		j->rows = evstore_search(s, &j->q, j->err, sizeof(j->err), &j->bad_query);
}

static void
search_done(void *arg)
{
	struct ev_search *j = arg;
	j->done(j->arg, j->rows, j->rows ? NULL : j->err, j->bad_query);
	free(j->q.q);
	free(j->path);
	free(j);
}

int
evdb_query(struct ev_db *d, const struct ev_query *q, evdb_query_fn done, void *arg)
{
	struct ev_search *j = calloc(1, sizeof(*j));
	if (j == NULL)
		return -1;
	j->q = *q;
	j->q.q = q->q ? strdup(q->q) : NULL;
	j->path = strdup(d->path);
	j->done = done;
	j->arg = arg;
	if (j->path == NULL || (q->q && j->q.q == NULL) ||
	    store_call_read(d->st, NULL, search_run, search_done, j) < 0) {
		free(j->q.q);
		free(j->path);
		free(j);
		return -1;
	}
	return 0;
}

/* ---- the db ---------------------------------------------------------------- */

struct ev_db *
evdb_open(const char *path, size_t queue_max, struct collector *c, char *err, size_t errlen)
{
	struct ev_db *d = calloc(1, sizeof(*d));
	if (d == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->c = c;
	d->st = c->store;
	d->refs = 1;
	d->cap = queue_max;
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->idle, NULL);
	d->ring = calloc(queue_max ? queue_max : 1, sizeof(*d->ring));
	d->path = strdup(path);
	d->tick = event_new(c->base, -1, EV_PERSIST, on_tick, d);
	struct timeval every = { 1, 0 };
	if (d->st == NULL || d->ring == NULL || d->path == NULL || d->tick == NULL ||
	    event_add(d->tick, &every) < 0) {
		snprintf(err, errlen, d->st == NULL ? "the store is not running" : "out of memory");
		evdb_close(d);
		return NULL;
	}
	d->store = evstore_open(path, err, errlen);
	if (d->store == NULL) {
		evdb_close(d);
		return NULL;
	}
	return d;
}

int
evdb_put(struct ev_db *d, struct cm_event *ev)
{
	pthread_mutex_lock(&d->mu);
	if (d->n == d->cap || d->closed) {
		pthread_mutex_unlock(&d->mu);
		cm_event_free(ev);
		return -1;
	}
	d->ring[(d->head + d->n) % d->cap] = ev;
	d->n++;
	pthread_mutex_unlock(&d->mu);
	send_write(d);
	return 0;
}

void
evdb_set_fts(struct ev_db *d, const struct ev_fts *fts)
{
	fts_clear(&d->fts);
	fts_copy(&d->fts, fts);
}

void
evdb_set_retention(struct ev_db *d, long long max_age, long long max_bytes)
{
	d->max_age = max_age;
	d->max_bytes = max_bytes;
}

size_t
evdb_queue_depth(struct ev_db *d)
{
	pthread_mutex_lock(&d->mu);
	size_t n = d->n;
	pthread_mutex_unlock(&d->mu);
	return n;
}

/* Wait for our state-writer jobs, write what is left here, close the
 * connection; the completions still due on the loop keep d until then. */
void
evdb_close(struct ev_db *d)
{
	if (d == NULL)
		return;
	d->closed = 1;
	if (d->tick != NULL)
		event_free(d->tick);
	d->tick = NULL;
	pthread_mutex_lock(&d->mu);
	while (d->running > 0)
		pthread_cond_wait(&d->idle, &d->mu);
	pthread_mutex_unlock(&d->mu);
	while (d->store != NULL && evdb_queue_depth(d) > 0) {
		struct ev_batch b = { .d = d };
		b.evs = take(d, &b.n);
		if (b.evs == NULL)
			break;
		write_events(d, &b);
		for (size_t i = 0; i < b.n; i++)	/* stored; the rules have stopped */
			cm_event_free(b.evs[i]);
		free(b.evs);
	}
	/* leave the file whole: readers may close after us, and a copy or a
	 * reader that ignores the WAL must find every event in the file */
	if (d->store != NULL)
		evstore_checkpoint(d->store);
	evstore_close(d->store);
	d->store = NULL;
	unref(d);
}
