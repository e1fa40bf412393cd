/*
 * lane.c — a lane of blocking work beside the RRD writer: a bounded queue
 * of jobs and the threads that run them, each with its own SQLite
 * connection to the state database (WAL: readers never wait for the writer,
 * writers wait for each other through SQLite's busy timeout). The store has
 * two: the state writer (one thread: users, audit, devices, alerts, outbox)
 * and the reader pool (RRD fetch and graph, password hashing). A job's
 * completion goes back to the loop through the loop queue, as the RRD
 * writer's do; a full lane refuses the job at once, and the caller answers
 * 503. Jobs may post to another lane from their thread.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "collector/store/store_internal.h"

#define LANE_THREADS_MAX 4

struct lane {
	struct store *st;
	char name[16];
	size_t max_jobs;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct store_job *jobs, *jobs_tail;
	size_t n_jobs;
	int stopping;
	unsigned n_threads;
	pthread_t threads[LANE_THREADS_MAX];
	pthread_mutex_t serial;		/* store_lane_serial: work librrd cannot run twice at once */
};

/* The calling thread's own connection (lane threads), else NULL: the RRD
 * writer and the loop use the store's. */
static __thread struct statedb *lane_db;

struct statedb *
lane_thread_db(void)
{
	return lane_db;
}

static void *
lane_thread(void *arg)
{
	struct lane *l = arg;
	char *path = NULL, *err = NULL;
	if (asprintf(&path, "%s/state.db", l->st->data_dir) >= 0)
		lane_db = statedb_open(path, &err);
	if (lane_db == NULL)	/* jobs then fail their SQL and say so */
		log_warnx("store: %s: cannot open the state database: %s", l->name,
		    err ? err : "out of memory");
	free(path);
	free(err);
	pthread_mutex_lock(&l->lock);
	for (;;) {
		while (l->jobs == NULL && !l->stopping)
			pthread_cond_wait(&l->cond, &l->lock);
		struct store_job *job = l->jobs;
		if (job == NULL)
			break;		/* stopping, and nothing left */
		l->jobs = job->next;
		if (l->jobs == NULL)
			l->jobs_tail = NULL;
		l->n_jobs--;
		pthread_mutex_unlock(&l->lock);
		job->fn(l->st, job->arg);
		store_job_finish(l->st, job);
		pthread_mutex_lock(&l->lock);
	}
	pthread_mutex_unlock(&l->lock);
	statedb_close(lane_db);
	lane_db = NULL;
	return NULL;
}

struct lane *
lane_start(struct store *st, const char *name, unsigned threads, size_t max_jobs)
{
	struct lane *l = calloc(1, sizeof(*l));
	if (l == NULL)
		return NULL;
	l->st = st;
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->max_jobs = max_jobs;
	pthread_mutex_init(&l->lock, NULL);
	pthread_mutex_init(&l->serial, NULL);
	pthread_cond_init(&l->cond, NULL);
	if (threads > LANE_THREADS_MAX)
		threads = LANE_THREADS_MAX;
	for (unsigned i = 0; i < threads; i++) {
		if (pthread_create(&l->threads[i], NULL, lane_thread, l) != 0)
			break;
		l->n_threads++;
	}
	if (l->n_threads == 0) {
		lane_stop(l);
		return NULL;
	}
	return l;
}

int
lane_push(struct lane *l, struct store_job *job)
{
	job->next = NULL;
	pthread_mutex_lock(&l->lock);
	if (l->n_jobs >= l->max_jobs || l->stopping) {
		pthread_mutex_unlock(&l->lock);
		return -1;
	}
	l->n_jobs++;
	if (l->jobs_tail)
		l->jobs_tail->next = job;
	else
		l->jobs = job;
	l->jobs_tail = job;
	pthread_cond_signal(&l->cond);
	pthread_mutex_unlock(&l->lock);
	return 0;
}

size_t
lane_depth(struct lane *l)
{
	pthread_mutex_lock(&l->lock);
	size_t n = l->n_jobs;
	pthread_mutex_unlock(&l->lock);
	return n;
}

void
lane_serial(struct lane *l, int hold)
{
	if (hold)
		pthread_mutex_lock(&l->serial);
	else
		pthread_mutex_unlock(&l->serial);
}

/* Run what is queued, then join the threads. */
void
lane_stop(struct lane *l)
{
	if (l == NULL)
		return;
	pthread_mutex_lock(&l->lock);
	l->stopping = 1;
	pthread_cond_broadcast(&l->cond);
	pthread_mutex_unlock(&l->lock);
	for (unsigned i = 0; i < l->n_threads; i++)
		pthread_join(l->threads[i], NULL);
	pthread_mutex_destroy(&l->lock);
	pthread_mutex_destroy(&l->serial);
	pthread_cond_destroy(&l->cond);
	free(l);
}
