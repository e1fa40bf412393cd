/*
 * eventdb.c — the one thread that owns the events database (DATA/events.db;
 * its tables are evstore.c's) and the queue that feeds it.
 *
 * The loop queues events (a bounded ring: full means dropped, counted as
 * reason=queue) and queries; the thread writes whatever is queued in one
 * transaction (WAL, synchronous=FULL: a batch is durable when it is handed
 * back), runs queries between batches, and applies retention (age, then
 * size) at most every few seconds. Stored batches go back to the loop
 * (events_stored) for the log rules and observe_event.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "collector/collector.h"
#include "collector/events/events.h"
#include "common/log.h"
#include "common/util.h"

#define BATCH_MAX 32768

struct ev_job {
	int64_t confirm_id;		/* a confirmation, not a query, when set */
	double confirm_ts;
	struct evdb_link *links;	/* alert links, not a query, when set */
	size_t n_links;
	struct ev_query q;
	evdb_query_fn done;
	void *arg;
	json_t *rows;
	char err[256];
	int bad_query;
	struct loopq_item li;
	struct ev_job *next;
};

struct ev_batch {
	struct collector *c;
	struct cm_event **evs;
	size_t n;
	struct loopq_item li;
};

struct ev_db {
	struct ev_store *store;
	pthread_t th;
	int running;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct cm_event **ring;
	size_t cap, head, n;
	struct ev_job *jobs, *jobs_tail;
	int stop;
	struct collector *c;
	long long max_age, max_bytes;
	double retention_checked;
};

static void
batch_done(void *arg)
{
	struct ev_batch *b = arg;
	events_stored(b->c, b->evs, b->n);
	free(b->evs);
	free(b);
}

static void
write_batch(struct ev_db *d, struct cm_event **evs, size_t n)
{
	size_t ok = evstore_write(d->store, evs, n);
	/* keep what was stored; count the rest as queue drops */
	size_t kept = 0;
	for (size_t i = 0; i < n; i++) {
		if (ok > 0 && evs[i]->id > 0) {
			evs[kept++] = evs[i];
		} else {
			events_drop(d->c, evs[i]->kind, EV_DROP_QUEUE, 1);
			cm_event_free(evs[i]);
		}
	}
	struct ev_batch *b = calloc(1, sizeof(*b));
	if (b == NULL) {
		for (size_t i = 0; i < kept; i++)
			cm_event_free(evs[i]);
		free(evs);
		return;
	}
	b->c = d->c;
	b->evs = evs;
	b->n = kept;
	loopq_post(d->c->loopq, &b->li, batch_done, b);
}

/* ---- queries ---------------------------------------------------------- */

static void
run_query(struct ev_db *d, struct ev_job *j)
{
	j->rows = evstore_query(d->store, &j->q, j->err, sizeof(j->err), &j->bad_query);
}

static void
job_done(void *arg)
{
	struct ev_job *j = arg;
	j->done(j->arg, j->rows, j->rows ? NULL : j->err, j->bad_query);
	free(j->q.q);
	free(j);
}

/* ---- the thread -------------------------------------------------------- */

static void *
thread_main(void *arg)
{
	struct ev_db *d = arg;
	for (;;) {
		pthread_mutex_lock(&d->mu);
		while (d->n == 0 && d->jobs == NULL && !d->stop) {
			struct timespec t;
			clock_gettime(CLOCK_REALTIME, &t);
			t.tv_sec += 5;
			if (pthread_cond_timedwait(&d->cv, &d->mu, &t) == ETIMEDOUT)
				break;
		}
		struct ev_job *jobs = d->jobs;
		d->jobs = d->jobs_tail = NULL;
		size_t n = d->n < BATCH_MAX ? d->n : BATCH_MAX;
		struct cm_event **evs = n ? malloc(n * sizeof(*evs)) : NULL;
		if (evs == NULL)
			n = 0;
		for (size_t i = 0; i < n; i++) {
			evs[i] = d->ring[d->head];
			d->head = (d->head + 1) % d->cap;
		}
		d->n -= n;
		int stop = d->stop && d->n == 0 && jobs == NULL && n == 0;
		pthread_mutex_unlock(&d->mu);
		if (stop)
			break;
		/* queries first: a person is waiting */
		while (jobs != NULL) {
			struct ev_job *j = jobs;
			jobs = j->next;
			if (j->confirm_id > 0) {
				evstore_confirm(d->store, j->confirm_id, j->confirm_ts);
				free(j);
				continue;
			}
			if (j->links != NULL) {
				evstore_link_alerts(d->store, j->links, j->n_links);
				free(j->links);
				free(j);
				continue;
			}
			run_query(d, j);
			loopq_post(d->c->loopq, &j->li, job_done, j);
		}
		if (n > 0)
			write_batch(d, evs, n);
		double now = util_monotonic();
		if (now - d->retention_checked >= 5) {
			d->retention_checked = now;
			pthread_mutex_lock(&d->mu);
			long long max_age = d->max_age, max_bytes = d->max_bytes;
			pthread_mutex_unlock(&d->mu);
			long long deleted = evstore_retention(d->store, max_age, max_bytes,
			    util_now());
			if (deleted > 0)
				log_info("events: retention deleted %lld old events", deleted);
		}
	}
	return NULL;
}

struct ev_db *
evdb_open(const char *path, size_t queue_max, struct collector *c, char *err, size_t errlen)
{
	struct ev_db *d = calloc(1, sizeof(*d));
	if (d == NULL)
		return NULL;
	d->c = c;
	d->cap = queue_max;
	d->ring = calloc(queue_max, sizeof(*d->ring));
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->cv, NULL);
	if (d->ring == NULL) {
		snprintf(err, errlen, "out of memory");
		evdb_close(d);
		return NULL;
	}
	d->store = evstore_open(path, err, errlen);
	if (d->store == NULL) {
		evdb_close(d);
		return NULL;
	}
	if (pthread_create(&d->th, NULL, thread_main, d) != 0) {
		snprintf(err, errlen, "cannot start the events thread");
		evdb_close(d);
		return NULL;
	}
	d->running = 1;
	return d;
}

int
evdb_put(struct ev_db *d, struct cm_event *ev)
{
	pthread_mutex_lock(&d->mu);
	if (d->n == d->cap || d->stop) {
		pthread_mutex_unlock(&d->mu);
		cm_event_free(ev);
		return -1;
	}
	d->ring[(d->head + d->n) % d->cap] = ev;
	d->n++;
	/* wake the thread for the first of a batch only */
	if (d->n == 1)
		pthread_cond_signal(&d->cv);
	pthread_mutex_unlock(&d->mu);
	return 0;
}

static void
push_job(struct ev_db *d, struct ev_job *j)
{
	pthread_mutex_lock(&d->mu);
	if (d->jobs_tail)
		d->jobs_tail->next = j;
	else
		d->jobs = j;
	d->jobs_tail = j;
	pthread_cond_signal(&d->cv);
	pthread_mutex_unlock(&d->mu);
}

int
evdb_confirm(struct ev_db *d, int64_t id, double ts)
{
	struct ev_job *j = calloc(1, sizeof(*j));
	if (j == NULL)
		return -1;
	j->confirm_id = id;
	j->confirm_ts = ts;
	push_job(d, j);
	return 0;
}

int
evdb_link_alert(struct ev_db *d, const struct evdb_link *links, size_t n)
{
	if (n == 0)
		return 0;
	struct ev_job *j = calloc(1, sizeof(*j));
	if (j == NULL || (j->links = malloc(n * sizeof(*links))) == NULL) {
		free(j);
		return -1;
	}
	memcpy(j->links, links, n * sizeof(*links));
	j->n_links = n;
	push_job(d, j);
	return 0;
}

int
evdb_query(struct ev_db *d, const struct ev_query *q, evdb_query_fn done, void *arg)
{
	struct ev_job *j = calloc(1, sizeof(*j));
	if (j == NULL)
		return -1;
	j->q = *q;
	j->q.q = q->q ? strdup(q->q) : NULL;
	j->done = done;
	j->arg = arg;
	push_job(d, j);
	return 0;
}

void
evdb_set_retention(struct ev_db *d, long long max_age, long long max_bytes)
{
	pthread_mutex_lock(&d->mu);
	d->max_age = max_age;
	d->max_bytes = max_bytes;
	pthread_mutex_unlock(&d->mu);
}

size_t
evdb_queue_depth(struct ev_db *d)
{
	pthread_mutex_lock(&d->mu);
	size_t n = d->n;
	pthread_mutex_unlock(&d->mu);
	return n;
}

void
evdb_close(struct ev_db *d)
{
	if (d == NULL)
		return;
	if (d->running) {
		pthread_mutex_lock(&d->mu);
		d->stop = 1;
		pthread_cond_signal(&d->cv);
		pthread_mutex_unlock(&d->mu);
		pthread_join(d->th, NULL);
	}
	evstore_close(d->store);
	for (size_t i = 0; i < d->n; i++)
		cm_event_free(d->ring[(d->head + i) % d->cap]);
	free(d->ring);
	pthread_mutex_destroy(&d->mu);
	pthread_cond_destroy(&d->cv);
	free(d);
}
