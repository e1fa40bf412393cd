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

#define STORE_RUN 64		/* rows of a file that trigger a write */
#define STORE_TRIM_AFTER 100000	/* queued samples that make a drain trim the heap */
#define STORE_TRIM_BYTES (1u << 20)	/* row bytes freed that make a flush trim the heap */
#define STORE_FILE_DS_MAX 256	/* more fields than that: a file of their own */

/* Make room for ids up to id in the series and file tables. */
static int
grow_tables(struct store *st, uint32_t id)
{
	if (id < st->cap_tab)
		return 0;
	size_t cap = st->cap_tab ? st->cap_tab : 1024;
	while (cap <= id)
		cap *= 2;
	struct store_series *t = realloc(st->tab, cap * sizeof(*t));
	if (t == NULL)
		return -1;
	memset(t + st->cap_tab, 0, (cap - st->cap_tab) * sizeof(*t));
	st->tab = t;
	uint32_t *f = realloc(st->file_at, cap * sizeof(*f));
	if (f == NULL)
		return -1;
	memset(f + st->cap_tab, 0, (cap - st->cap_tab) * sizeof(*f));
	st->file_at = f;
	st->cap_tab = cap;
	return 0;
}

struct store_file *
store_file_at(struct store *st, uint32_t id)
{
	if (id >= st->cap_tab || st->file_at[id] == 0)
		return NULL;
	return &st->filev[st->file_at[id] - 1];
}

/* File id's in-memory state, made on first use. */
static struct store_file *
file_slot(struct store *st, uint32_t file, uint32_t step)
{
	if (grow_tables(st, file) < 0)
		return NULL;
	if (st->file_at[file] != 0)
		return &st->filev[st->file_at[file] - 1];
	if (st->n_filev == st->cap_filev) {
		size_t cap = st->cap_filev ? st->cap_filev * 2 : 1024;
		struct store_file *g = realloc(st->filev, cap * sizeof(*g));
		if (g == NULL)
			return NULL;
		st->filev = g;
		st->cap_filev = cap;
	}
	struct store_file *f = &st->filev[st->n_filev++];
	file_init(f, step);
	st->file_at[file] = (uint32_t)st->n_filev;
	return f;
}

/* Join series id to file as its next data source, named ds. */
static int
place_series(struct store *st, uint32_t id, uint32_t file, const char *ds, uint32_t step,
    int kind)
{
	struct store_file *f = file_slot(st, file, step);
	if (f == NULL || grow_tables(st, id) < 0 || st->tab[id].file != 0)
		return -1;
	if (file_has_ds(f, st->tab, ds))
		return -1;	/* a damaged catalogue: never two alike */
	st->tab[id].file = file;
	st->tab[id].kind = (uint8_t)kind;
	if (file_add_ds(f, st->tab, id, ds) < 0) {
		st->tab[id].file = 0;
		return -1;
	}
	return 0;
}

void
store_load_row(struct store *st, const struct series_row *row)
{
	if (row->file == 0 || row->ds == NULL)
		return;		/* a text series: no RRD file */
	if (place_series(st, row->id, row->file, row->ds, row->step, row->kind) == 0)
		store_file_at(st, row->file)->exists = 2;	/* checked when first written */
}

/*
 * A new series: find its group's file (or start one named by this series'
 * id), name its data source after the field and record both.
 */
static void
define_series(struct store *st, const struct series_def *d)
{
	if (d->kind != SERIES_NUMBER) {
		statedb_insert_series(st->db, d, 0, NULL);
		return;
	}
	size_t keylen = strlen(d->key);
	size_t glen = series_key_group_len(d->key, keylen);
	uint32_t file = statedb_group_file(st->db, d->key, glen);
	struct store_file *f = file != 0 ? file_slot(st, file, d->step) : NULL;
	/*
	 * The first of its group, one field too many, or a field for a file
	 * that rrdcached already holds (it has no command to add a data
	 * source, and the file is its own): a file of its own.
	 */
	if (f == NULL || f->n_ds >= STORE_FILE_DS_MAX || (st->rrdcached && f->exists != 0)) {
		if (file == 0)
			statedb_insert_group(st->db, d->key, glen, d->id);
		file = d->id;
		if ((f = file_slot(st, file, d->step)) == NULL)
			return;
	}
	char ds[20];
	const char *field = glen < keylen ? d->key + glen + 1 : "";
	file_ds_name(f, st->tab, field, strlen(field), ds);
	if (place_series(st, d->id, file, ds, d->step, d->kind) == 0)
		statedb_insert_series(st->db, d, file, ds);
}

static int
file_on_disk(struct store *st, uint32_t id)
{
	char *path = rrdfile_path(st->data_dir, id);
	int present = path != NULL && access(path, F_OK) == 0;
	free(path);
	return present;
}

/* May the file's rows be written now (made first if it is new)? */
static int
file_ready(struct store *st, uint32_t id, struct store_file *f, int force)
{
	if (f->exists == 2) {
		/* Known from before a restart: look once; its DS are checked on write. */
		f->exists = file_on_disk(st, id) ? 1 : 0;
		f->n_ds_disk = 0;
	}
	if (f->exists == 1 || force || f->n_rows >= 2)
		return 1;
	/*
	 * A new file waits for its second row: the rates of counters come with
	 * the second poll or push, and a data source added once the file exists
	 * costs a copy of the file (rrdtool tune). A one-off sample need not.
	 */
	return util_now() - f->rows[0] > 3.0 * f->step;
}

int
store_file_waits(struct store *st, uint32_t id)
{
	struct store_file *f = store_file_at(st, id);
	return f != NULL && f->n_rows > 0 && !file_ready(st, id, f, 0);
}

int
store_flush_file(struct store *st, uint32_t id, int force)
{
	struct store_file *f = store_file_at(st, id);
	if (f == NULL || f->n_rows == 0)
		return 0;
	if (!file_ready(st, id, f, force))
		return 1;
	if (f->exists == 0) {
		int present = file_on_disk(st, id);
		/* Start one step early so the first sample fills a whole PDP. */
		if (!present && store_file_create(st, id, f, f->rows[0] - f->step) < 0) {
			__atomic_add_fetch(&st->metrics->rrd_update_errors, 1, __ATOMIC_RELAXED);
			st->freed += file_drop_rows(f);
			return -1;
		}
		f->exists = 1;
		f->n_ds_disk = present ? 0 : f->n_ds;
	}
	if (f->n_ds_disk < f->n_ds && store_file_sync_ds(st, id, f) < 0 &&
	    store_replace_damaged(st, id, f) < 0) {
		__atomic_add_fetch(&st->metrics->rrd_update_errors, 1, __ATOMIC_RELAXED);
		st->freed += file_drop_rows(f);
		return -1;
	}
	int rc = store_file_write_rows(st, id, f);
	if (rc != 0 && store_replace_damaged(st, id, f) == 0)
		rc = store_file_write_rows(st, id, f);	/* into the new file */
	st->freed += file_drop_rows(f);
	return rc;
}

/*
 * Write every waiting file that may be written; those still waiting for a
 * second row keep their place, and the journal keeps what they hold.
 */
static void
flush_all(struct store *st, int force)
{
	size_t kept = 0;
	uint64_t oldest_kept = UINT64_MAX;
	for (size_t i = 0; i < st->n_dirty; i++) {
		uint32_t id = st->dirty[i];
		if (store_flush_file(st, id, force) == 1) {
			st->dirty[kept++] = id;
			uint64_t seq = store_file_at(st, id)->first_seq;
			if (seq < oldest_kept)
				oldest_kept = seq;
		}
	}
	st->n_dirty = kept;
	if (st->freed > STORE_TRIM_BYTES || (st->freed > 0 && kept == 0)) {
		/* Row buffers were freed since: give the pages back. */
		if (kept == 0) {
			free(st->dirty);
			st->dirty = NULL;
			st->cap_dirty = 0;
		}
		malloc_trim(0);
		st->freed = 0;
	}
	st->last_flush_all = util_monotonic();
	/* Under the lock: once store_set_journal(NULL) returns, the journal
	 * may be freed (lock order: store, then journal). */
	pthread_mutex_lock(&st->lock);
	if (st->journal != NULL)
		journal_checkpoint(st->journal, !kept ? st->seq_seen :
		    oldest_kept > 0 ? oldest_kept - 1 : 0);
	pthread_mutex_unlock(&st->lock);
}

void
store_set_journal(struct store *st, struct journal *j)
{
	pthread_mutex_lock(&st->lock);
	st->journal = j;
	pthread_mutex_unlock(&st->lock);
}

static void
add_pending(struct store *st, const struct sample *smp, uint64_t seq)
{
	if (smp->series_id >= st->cap_tab || st->tab[smp->series_id].file == 0)
		return;
	const struct store_series *s = &st->tab[smp->series_id];
	struct store_file *f = store_file_at(st, s->file);
	if (f->n_rows == 0) {
		if (st->n_dirty == st->cap_dirty) {
			size_t cap = st->cap_dirty ? st->cap_dirty * 2 : 1024;
			uint32_t *g = realloc(st->dirty, cap * sizeof(*g));
			if (g == NULL)
				return;
			st->dirty = g;
			st->cap_dirty = cap;
		}
		st->dirty[st->n_dirty++] = s->file;
	}
	if (file_put(f, s->ds, smp->ts, smp->value, seq) < 0)
		return;
	if (f->n_rows >= STORE_RUN)
		store_flush_file(st, s->file, 1);
}

static void
apply_batch(struct store *st, struct batch *b)
{
	if (b->n_defs > 0 || b->n_texts > 0) {
		statedb_begin(st->db);
		for (size_t i = 0; i < b->n_defs; i++)
			if (b->defs[i].id >= st->cap_tab || st->tab[b->defs[i].id].file == 0)
				define_series(st, &b->defs[i]);
		for (size_t i = 0; i < b->n_texts; i++)
			statedb_update_text(st->db, b->texts[i].series_id, b->texts[i].ts,
			    b->texts[i].text);
		statedb_commit(st->db);
	}
	for (size_t i = 0; i < b->n_samples; i++)
		add_pending(st, &b->samples[i], b->seq);
	if (b->seq > st->seq_seen)
		st->seq_seen = b->seq;
}

/* On the loop: a job's completion, then its record. */
static void
job_done(void *arg)
{
	struct store_job *job = arg;
	job->done(job->arg);
	free(job);
}

void
store_job_finish(struct store *st, struct store_job *job)
{
	if (job->done != NULL)
		loopq_post(st->loopq, &job->item, job_done, job);
	else
		free(job);
}

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
		st->n_jobs = 0;
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
			if (jobs->then != NULL) {
				/* a read's (or backup's) first half: the rest on the
				 * reader pool (or its lane), or here when that is full or
				 * gone (slower, never lost) */
				struct lane *to = jobs->then_lane ? jobs->then_lane : st->readers;
				jobs->fn = jobs->then;
				jobs->then = NULL;
				if (to != NULL && lane_push(to, jobs) == 0) {
					jobs = next;
					continue;
				}
				jobs->fn(st, jobs->arg);
			}
			store_job_finish(st, jobs);
			jobs = next;
		}
		if (stopping || util_monotonic() - st->last_flush_all >= (double)st->flush_delay)
			flush_all(st, stopping);

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
	return st;
fail:
	free(st->data_dir);
	free(st);
	return NULL;
}

int
store_run(struct store *st)
{
	if (pthread_create(&st->thread, NULL, store_thread, st) != 0)
		return -1;
	st->running = 1;
	st->state = lane_start(st, "state writer", 1, STORE_JOBS_MAX);
	st->readers = lane_start(st, "reader pool", 2, STORE_JOBS_MAX);
	st->backups = lane_start(st, "backup", 1, STORE_JOBS_MAX);
	return st->state != NULL && st->readers != NULL && st->backups != NULL ? 0 : -1;
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

static struct store_job *
job_new(void (*fn)(struct store *, void *), void (*then)(struct store *, void *),
    void (*done)(void *), void *arg)
{
	struct store_job *job = malloc(sizeof(*job));
	if (job != NULL) {
		job->fn = fn;
		job->then = then;
		job->done = done;
		job->arg = arg;
		job->then_lane = NULL;
		job->next = NULL;
	}
	return job;
}

/* Onto the RRD writer's own queue. */
static int
rrd_push(struct store *st, struct store_job *job)
{
	pthread_mutex_lock(&st->lock);
	if (st->n_jobs >= STORE_JOBS_MAX) {
		pthread_mutex_unlock(&st->lock);
		free(job);
		return -1;
	}
	st->n_jobs++;
	if (st->jobs_tail)
		st->jobs_tail->next = job;
	else
		st->jobs = job;
	st->jobs_tail = job;
	pthread_cond_signal(&st->cond);
	pthread_mutex_unlock(&st->lock);
	return 0;
}

static int
lane_call(struct lane *l, struct store_job *job)
{
	if (job == NULL)
		return -1;
	if (lane_push(l, job) < 0) {
		free(job);
		return -1;
	}
	return 0;
}

int
store_call(struct store *st, void (*fn)(struct store *st, void *arg), void (*done)(void *arg),
    void *arg)
{
	return lane_call(st->state, job_new(fn, NULL, done, arg));
}

int
store_call_rrd(struct store *st, void (*fn)(struct store *st, void *arg),
    void (*done)(void *arg), void *arg)
{
	struct store_job *job = job_new(fn, NULL, done, arg);
	return job != NULL ? rrd_push(st, job) : -1;
}

int
store_call_read(struct store *st, void (*prepare)(struct store *st, void *arg),
    void (*work)(struct store *st, void *arg), void (*done)(void *arg), void *arg)
{
	if (prepare == NULL)
		return lane_call(st->readers, job_new(work, NULL, done, arg));
	struct store_job *job = job_new(prepare, work, done, arg);
	return job != NULL ? rrd_push(st, job) : -1;
}

int
store_call_backup(struct store *st, void (*first)(struct store *st, void *arg),
    void (*rest)(struct store *st, void *arg), void (*done)(void *arg), void *arg)
{
	struct store_job *job = job_new(first, rest, done, arg);
	if (job == NULL)
		return -1;
	job->then_lane = st->backups;
	return rrd_push(st, job);
}

void
store_lane_depths(struct store *st, size_t *state, size_t *read, size_t *rrd)
{
	*state = st->state ? lane_depth(st->state) : 0;
	*read = st->readers ? lane_depth(st->readers) : 0;
	pthread_mutex_lock(&st->lock);
	*rrd = st->n_jobs;
	pthread_mutex_unlock(&st->lock);
}

void
store_graph_lock(struct store *st, int hold)
{
	lane_serial(st->readers, hold);
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
	lane_stop(st->state);		/* what they hold runs first */
	if (st->running)
		pthread_join(st->thread, NULL);
	lane_stop(st->readers);		/* after the writer: it relays reads here */
	lane_stop(st->backups);		/* and backups here (a copy there sees stopping, ends) */
	for (size_t i = 0; i < st->n_filev; i++)
		file_drop_rows(&st->filev[i]);
	free(st->filev);
	free(st->file_at);
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
	struct statedb *own = lane_thread_db();
	return own != NULL ? own : st->db;
}
