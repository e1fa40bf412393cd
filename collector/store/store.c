/*
 * store.c — the store thread: takes durable batches from the loop, records
 * new series in SQLite, coalesces samples per series and writes them to
 * RRD in runs (many values per update, as rrdcached does), runs jobs
 * (queries, graphs, token writes, backups) for the loop, and tells the
 * journal which sequence is fully on disk.
 */
#include "collector/store/store_internal.h"

#include <errno.h>
#include <malloc.h>
#include <rrd.h>
#include <rrd_client.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/util.h"

#define STORE_RUN 64		/* values per series that trigger a write */
#define STORE_TRIM_AFTER 100000	/* queued samples that make a drain trim the heap */
#define STORE_TRIM_SERIES 1000	/* series flushed at once that make it trim too */

static struct store_series *
series_slot(struct store *st, uint32_t id)
{
	if (id >= st->cap_tab) {
		size_t cap = st->cap_tab ? st->cap_tab : 1024;
		while (cap <= id)
			cap *= 2;
		struct store_series *g = realloc(st->tab, cap * sizeof(*g));
		if (g == NULL)
			return NULL;
		memset(g + st->cap_tab, 0, (cap - st->cap_tab) * sizeof(*g));
		st->tab = g;
		st->cap_tab = cap;
	}
	return &st->tab[id];
}

static void
load_series_cb(uint32_t id, const char *key, const char *host, uint32_t step, int kind,
    const char *text, void *arg)
{
	struct store *st = arg;
	(void)key;
	(void)host;
	(void)text;
	struct store_series *s = series_slot(st, id);
	if (s != NULL) {
		s->step = step;
		s->kind = (uint8_t)kind;
		s->exists = 2;	/* unknown: checked when first written */
	}
}

/* Write a series' pending values, creating its file first if needed. */
static int
flush_one(struct store *st, uint32_t id)
{
	struct store_series *s = id < st->cap_tab ? &st->tab[id] : NULL;
	if (s == NULL || s->n_pending == 0)
		return 0;
	if (s->exists != 1) {
		char *path = rrd_path_for(st->data_dir, id);
		int present = path != NULL && access(path, F_OK) == 0;
		free(path);
		uint32_t step = s->step ? s->step : 10;
		/* Start one step early so the first sample fills a whole PDP. */
		if (!present && rrd_create_series(st, id, step, s->pending[0].ts - step) < 0) {
			s->n_pending = 0;
			return -1;
		}
		s->exists = 1;
	}
	int rc = rrd_write_values(st, id, s->pending, s->n_pending);
	/* Memory per series matters (20,000 series and more): keep none idle. */
	free(s->pending);
	s->pending = NULL;
	s->n_pending = s->cap_pending = 0;
	return rc;
}

int
store_flush_series(struct store *st, uint32_t id)
{
	return flush_one(st, id);
}

static void
flush_all(struct store *st)
{
	size_t flushed = st->n_dirty;
	for (size_t i = 0; i < st->n_dirty; i++)
		flush_one(st, st->dirty[i]);
	st->n_dirty = 0;
	if (flushed > STORE_TRIM_SERIES) {
		/* Thousands of run buffers were just freed: give the pages back. */
		free(st->dirty);
		st->dirty = NULL;
		st->cap_dirty = 0;
		malloc_trim(0);
	}
	st->last_flush_all = util_monotonic();
	pthread_mutex_lock(&st->lock);
	struct journal *j = st->journal;
	pthread_mutex_unlock(&st->lock);
	if (j != NULL)
		journal_checkpoint(j, st->seq_seen);
}

void
store_set_journal(struct store *st, struct journal *j)
{
	pthread_mutex_lock(&st->lock);
	st->journal = j;
	pthread_mutex_unlock(&st->lock);
}

static void
add_pending(struct store *st, const struct sample *smp)
{
	struct store_series *s = series_slot(st, smp->series_id);
	if (s == NULL)
		return;
	if (s->n_pending == s->cap_pending) {
		uint32_t cap = s->cap_pending ? s->cap_pending * 2 : 8;
		struct pending_value *g = realloc(s->pending, cap * sizeof(*g));
		if (g == NULL)
			return;
		s->pending = g;
		s->cap_pending = cap;
	}
	if (s->n_pending == 0) {
		if (st->n_dirty == st->cap_dirty) {
			size_t cap = st->cap_dirty ? st->cap_dirty * 2 : 1024;
			uint32_t *g = realloc(st->dirty, cap * sizeof(*g));
			if (g == NULL)
				return;
			st->dirty = g;
			st->cap_dirty = cap;
		}
		st->dirty[st->n_dirty++] = smp->series_id;
	}
	s->pending[s->n_pending++] = (struct pending_value){ smp->ts, smp->value };
	if (s->n_pending >= STORE_RUN)
		flush_one(st, smp->series_id);
}

static void
apply_batch(struct store *st, struct batch *b)
{
	if (b->n_defs > 0 || b->n_texts > 0) {
		statedb_begin(st->db);
		for (size_t i = 0; i < b->n_defs; i++) {
			const struct series_def *d = &b->defs[i];
			statedb_insert_series(st->db, d);
			struct store_series *s = series_slot(st, d->id);
			if (s != NULL && s->step == 0) {
				s->step = d->step;
				s->kind = d->kind;
				s->first_ts = d->first_ts;
			}
		}
		for (size_t i = 0; i < b->n_texts; i++)
			statedb_update_text(st->db, b->texts[i].series_id, b->texts[i].ts,
			    b->texts[i].text);
		statedb_commit(st->db);
	}
	for (size_t i = 0; i < b->n_samples; i++)
		add_pending(st, &b->samples[i]);
	if (b->seq > st->seq_seen)
		st->seq_seen = b->seq;
}

struct job_done {
	void (*done)(void *arg);
	void *arg;
};

static void *
store_thread(void *arg)
{
	struct store *st = arg;
	size_t peak = 0;
	pthread_mutex_lock(&st->lock);
	for (;;) {
		if (st->batches == NULL && st->jobs == NULL && !st->stopping) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += 1;
			pthread_cond_timedwait(&st->cond, &st->lock, &until);
		}
		struct batch *batches = st->batches;
		struct store_job *jobs = st->jobs;
		st->batches = st->batches_tail = NULL;
		st->jobs = st->jobs_tail = NULL;
		int stopping = st->stopping;
		if (st->queued > peak)
			peak = st->queued;
		pthread_mutex_unlock(&st->lock);

		while (batches != NULL) {
			struct batch *next = batches->next;
			size_t n = batches->n_samples;
			apply_batch(st, batches);
			batch_free(batches);
			batches = next;
			/* Room for the writers as soon as each batch is taken in. */
			pthread_mutex_lock(&st->lock);
			st->queued -= n;
			pthread_mutex_unlock(&st->lock);
		}
		while (jobs != NULL) {
			struct store_job *next = jobs->next;
			jobs->fn(st, jobs->arg);
			if (jobs->done != NULL)
				loopq_post(st->loopq, jobs->done, jobs->arg);
			free(jobs);
			jobs = next;
		}
		if (stopping || util_monotonic() - st->last_flush_all >= (double)st->flush_delay)
			flush_all(st);

		pthread_mutex_lock(&st->lock);
		if (st->queued == 0 && peak > STORE_TRIM_AFTER) {
			/* A burst left the heap full of freed batches: give it back. */
			pthread_mutex_unlock(&st->lock);
			malloc_trim(0);
			peak = 0;
			pthread_mutex_lock(&st->lock);
		}
		if (stopping && st->batches == NULL && st->jobs == NULL)
			break;
	}
	pthread_mutex_unlock(&st->lock);
	return NULL;
}

struct store *
store_start(const struct store_config *cfg, struct statedb *db, struct loopq *q,
    struct collector_metrics *metrics, struct journal *j)
{
	struct store *st = calloc(1, sizeof(*st));
	if (st == NULL)
		return NULL;
	st->data_dir = strdup(cfg->data_dir);
	st->retention = cfg->retention;
	st->consolidation = cfg->consolidation;
	st->flush_delay = cfg->flush_delay;
	st->queue_max = (size_t)cfg->queue_max;
	st->db = db;
	st->loopq = q;
	st->metrics = metrics;
	st->journal = j;
	st->last_flush_all = util_monotonic();
	pthread_mutex_init(&st->lock, NULL);
	pthread_cond_init(&st->cond, NULL);
	if (cfg->rrdcached != NULL && cfg->rrdcached[0] != '\0') {
		/* rrdcached must run with -j: its journal then holds what we sent. */
		rrd_clear_error();
		if (rrdc_connect(cfg->rrdcached) != 0 || !rrdc_is_any_connected()) {
			log_warnx("store: cannot connect to rrdcached at %s: %s", cfg->rrdcached,
			    rrd_get_error());
			goto fail;
		}
		st->rrdcached = 1;
		log_info("store: writing RRD files through rrdcached at %s", cfg->rrdcached);
	}
	statedb_load_series(db, load_series_cb, st);
	if (pthread_create(&st->thread, NULL, store_thread, st) != 0)
		goto fail;
	return st;
fail:
	free(st->data_dir);
	free(st);
	return NULL;
}

int
store_has_room(struct store *st, size_t n)
{
	pthread_mutex_lock(&st->lock);
	/* An idle queue takes any batch, so one large request still gets in. */
	int ok = st->queued == 0 || st->queued + n <= st->queue_max;
	pthread_mutex_unlock(&st->lock);
	return ok;
}

size_t
store_queue_depth(struct store *st)
{
	pthread_mutex_lock(&st->lock);
	size_t n = st->queued;
	pthread_mutex_unlock(&st->lock);
	return n;
}

int
store_submit(struct store *st, struct batch *b)
{
	b->next = NULL;
	pthread_mutex_lock(&st->lock);
	st->queued += b->n_samples;
	if (st->batches_tail)
		st->batches_tail->next = b;
	else
		st->batches = b;
	st->batches_tail = b;
	pthread_cond_signal(&st->cond);
	pthread_mutex_unlock(&st->lock);
	return 0;
}

void
store_call(struct store *st, void (*fn)(struct store *, void *), void (*done)(void *),
    void *arg)
{
	struct store_job *job = malloc(sizeof(*job));
	if (job == NULL)
		abort();	/* the job owns a waiting request */
	job->fn = fn;
	job->done = done;
	job->arg = arg;
	job->next = NULL;
	pthread_mutex_lock(&st->lock);
	if (st->jobs_tail)
		st->jobs_tail->next = job;
	else
		st->jobs = job;
	st->jobs_tail = job;
	pthread_cond_signal(&st->cond);
	pthread_mutex_unlock(&st->lock);
}

void
store_stop(struct store *st)
{
	if (st == NULL)
		return;
	pthread_mutex_lock(&st->lock);
	st->stopping = 1;
	pthread_cond_signal(&st->cond);
	pthread_mutex_unlock(&st->lock);
	pthread_join(st->thread, NULL);
	for (size_t i = 0; i < st->cap_tab; i++)
		free(st->tab[i].pending);
	free(st->tab);
	free(st->dirty);
	if (st->rrdcached)
		rrdc_disconnect();
	pthread_mutex_destroy(&st->lock);
	pthread_cond_destroy(&st->cond);
	free(st->data_dir);
	free(st);
}

struct statedb *
store_db(struct store *st)
{
	return st->db;
}

char *
store_series_path(struct store *st, uint32_t id)
{
	return rrd_path_for(st->data_dir, id);
}
