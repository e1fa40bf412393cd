/*
 * worker.c — the outbox's own writer thread and SQLite file
 * (DATA_DIR/outbox.db). The store thread writes RRD files in runs that take
 * a while under heavy ingest; a notification recorded behind them would wait
 * as long, so the outbox keeps a connection and a thread of its own: jobs
 * run here in order, their completions on the loop through the loop queue.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>

#include "collector/notify/notify_internal.h"
#include "common/log.h"

struct njob {
	void (*fn)(struct sqlite3 *db, void *arg);
	void (*done)(void *arg);
	void *arg;
	struct loopq_item item;
	struct njob *next;
};

struct nworker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct njob *head, *tail;
	size_t n;
	int stopping;
	struct loopq *loopq;
	struct sqlite3 *db;
};

#define NWORKER_JOBS_MAX 4096

static void
job_done(void *arg)
{
	struct njob *j = arg;
	j->done(j->arg);
	free(j);
}

static void *
worker_main(void *arg)
{
	struct nworker *w = arg;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (w->head == NULL && !w->stopping)
			pthread_cond_wait(&w->cond, &w->lock);
		struct njob *jobs = w->head;
		w->head = w->tail = NULL;
		w->n = 0;
		int stopping = w->stopping;
		pthread_mutex_unlock(&w->lock);
		while (jobs != NULL) {
			struct njob *next = jobs->next;
			jobs->fn(w->db, jobs->arg);
			if (jobs->done != NULL)
				loopq_post(w->loopq, &jobs->item, job_done, jobs);
			else
				free(jobs);
			jobs = next;
		}
		pthread_mutex_lock(&w->lock);
		if (stopping && w->head == NULL)
			break;
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct nworker *
nworker_start(const char *data_dir, struct loopq *q)
{
	struct nworker *w = calloc(1, sizeof(*w));
	char path[4096];
	snprintf(path, sizeof(path), "%s/outbox.db", data_dir);
	if (w == NULL)
		return NULL;
	w->loopq = q;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	if (outboxdb_open(path, &w->db) < 0 ||
	    pthread_create(&w->thread, NULL, worker_main, w) != 0) {
		sqlite3_close(w->db);
		pthread_mutex_destroy(&w->lock);
		pthread_cond_destroy(&w->cond);
		free(w);
		return NULL;
	}
	return w;
}

int
nworker_call(struct nworker *w, void (*fn)(struct sqlite3 *db, void *arg),
    void (*done)(void *arg), void *arg)
{
	struct njob *j = calloc(1, sizeof(*j));
	if (j == NULL)
		return -1;
	j->fn = fn;
	j->done = done;
	j->arg = arg;
	pthread_mutex_lock(&w->lock);
	if (w->stopping || w->n >= NWORKER_JOBS_MAX) {
		pthread_mutex_unlock(&w->lock);
		free(j);
		return -1;
	}
	if (w->tail)
		w->tail->next = j;
	else
		w->head = j;
	w->tail = j;
	w->n++;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	return 0;
}

void
nworker_stop(struct nworker *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = 1;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	if (sqlite3_close(w->db) != SQLITE_OK)
		log_warnx("outbox: closing its database: %s", sqlite3_errmsg(w->db));
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w);
}
