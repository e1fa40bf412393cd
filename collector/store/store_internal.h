/*
 * store_internal.h — state of the store thread, shared by store.c (queue,
 * thread, flush policy) and rrd.c (files). Nothing outside collector/store
 * includes this.
 */
#ifndef CAMPUSMON_STORE_INTERNAL_H
#define CAMPUSMON_STORE_INTERNAL_H

#include <pthread.h>

#include "collector/collector.h"

struct pending_value {
	double ts;
	double value;
};

/* What the store thread knows of one series (32 bytes; step 0: unknown id). */
struct store_series {
	uint32_t step;
	uint8_t exists;			/* 0 no, 1 RRD file created, 2 not checked */
	uint8_t kind;
	uint32_t n_pending, cap_pending;
	double first_ts;
	struct pending_value *pending;	/* only while values wait */
};

struct store_job {
	void (*fn)(struct store *st, void *arg);
	void (*done)(void *arg);
	void *arg;
	struct store_job *next;
};

struct store {
	char *data_dir;
	const struct cfg_strlist *retention;
	const struct cfg_strlist *consolidation;
	long long flush_delay;
	size_t queue_max;
	int rrdcached;			/* write through rrdcached (librrd's rrdc_*) */
	struct statedb *db;
	struct journal *journal;
	struct loopq *loopq;
	struct collector_metrics *metrics;

	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct batch *batches, *batches_tail;
	struct store_job *jobs, *jobs_tail;
	size_t queued;			/* samples waiting, under lock */
	int stopping;

	/* store thread only */
	struct store_series *tab;	/* by series id */
	size_t cap_tab;
	uint64_t seq_seen;
	double last_flush_all;
	uint32_t *dirty;		/* ids with pending values */
	size_t n_dirty, cap_dirty;
};

char *rrd_path_for(const char *data_dir, uint32_t id);
int rrd_parse_retention(const char *text, long long *res, long long *span);
int rrd_create_series(struct store *st, uint32_t id, uint32_t step, double start);
/* "seconds.mmm:value" for rrd_update; exact, fast for whole numbers. */
void rrd_format_update(char *out, size_t cap, double ts, double value);
int rrd_write_values(struct store *st, uint32_t id, const struct pending_value *v, size_t n);

#endif
