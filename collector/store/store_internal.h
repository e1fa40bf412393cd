/*
 * store_internal.h — state of the store thread, shared by store.c (queue,
 * thread, flush policy) and rrd.c (files). Nothing outside collector/store
 * includes this.
 */
#ifndef CAMPUSMON_STORE_INTERNAL_H
#define CAMPUSMON_STORE_INTERNAL_H

#include <pthread.h>

#include "collector/collector.h"
#include "collector/ingest/ingest.h"
#include "collector/store/store.h"

/*
 * What the store thread knows of one series (by id, in one array: no small
 * allocation per series or per file, which would pin heap pages between
 * the short-lived row buffers). file 0: none (a text series, or unknown).
 */
struct store_series {
	uint32_t file;			/* id of its RRD file */
	uint32_t next;			/* the file's next series (DS order), 0: last */
	uint16_t ds;			/* its data source's index in that file */
	uint8_t kind;
	char name[20];			/* its data source's name */
};

/*
 * One RRD file: the numeric series of one measurement and tag set, a data
 * source (DS) each, in series-id order. Samples wait here as rows (a
 * timestamp and a value per DS, NaN where none came) and are written in
 * runs, many rows per rrd_update, as rrdcached does.
 */
struct store_file {
	uint32_t step;
	uint32_t first, last;		/* its series, linked by store_series.next */
	uint16_t n_ds;			/* data sources known */
	uint16_t n_ds_disk;		/* of them, in the file (exists == 1) */
	uint8_t exists;			/* 0 no, 1 yes, 2 not looked at since start */
	uint32_t n_rows, cap_rows;
	uint64_t first_seq;		/* journal sequence of the oldest waiting row */
	double *rows;			/* n_rows x (1 + n_ds) */
};

struct store_job {
	void (*fn)(struct store *st, void *arg);
	void (*then)(struct store *st, void *arg);	/* relay: next, on the reader pool */
	struct lane *then_lane;		/* or on this lane (NULL: the reader pool) */
	void (*done)(void *arg);
	void *arg;
	struct store_job *next;
	struct loopq_item item;		/* done() goes back to the loop in this */
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
	struct lane *state, *readers;	/* lane.c: started by store_run */
	struct lane *backups;		/* a backup's second half (store_call_backup) */
	struct collector_metrics *metrics;

	pthread_t thread;
	int running;			/* store_run() started the thread */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct batch *batches, *batches_tail;
	struct store_job *jobs, *jobs_tail;
	size_t n_jobs;			/* waiting in jobs, under lock (STORE_JOBS_MAX) */
	size_t queued;			/* samples waiting, under lock */
	int stopping;

	/* store thread only */
	struct store_series *tab;	/* by series id */
	uint32_t *file_at;		/* by file id (its first series' id): filev index + 1 */
	size_t cap_tab;			/* of both */
	struct store_file *filev;	/* the files, dense */
	size_t n_filev, cap_filev;
	uint64_t seq_seen;
	double last_flush_all;
	uint32_t *dirty;		/* files with waiting rows */
	size_t n_dirty, cap_dirty;
	size_t freed;			/* row bytes freed since the heap was trimmed */
};

/* store.c: done(arg) on the loop through the loop queue, then the job is
 * freed (at once when it has no done). Any store thread. */
void store_job_finish(struct store *st, struct store_job *job);

/* lane.c: a bounded queue of jobs and its threads, each with its own
 * SQLite connection (lane_thread_db: the calling thread's, or NULL). */
struct lane;
struct lane *lane_start(struct store *st, const char *name, unsigned threads, size_t max_jobs);
int lane_push(struct lane *l, struct store_job *job);	/* -1: full or stopping */
size_t lane_depth(struct lane *l);
void lane_serial(struct lane *l, int hold);
void lane_stop(struct lane *l);
struct statedb *lane_thread_db(void);

/* files.c: rows and data sources of a file, in memory (tab: the series) */
void file_init(struct store_file *f, uint32_t step);
/* The DS name for a field (escaped, as in a key): unique in f, at most 19 characters. */
void file_ds_name(const struct store_file *f, const struct store_series *tab,
    const char *field, size_t len, char out[20]);
/* Append series id (its file already set) as the next data source. */
int file_add_ds(struct store_file *f, struct store_series *tab, uint32_t id, const char *name);
/* Has f a data source of this name? */
int file_has_ds(const struct store_file *f, const struct store_series *tab, const char *name);
/* "name1:name2:…", an rrd_update template; its length (0: cap too small). */
size_t file_template(const struct store_file *f, const struct store_series *tab, char *out,
    size_t cap);
/* Put one value into the row of its timestamp (made if new, kept in time order). */
int file_put(struct store_file *f, uint16_t ds, double ts, double value, uint64_t seq);
/* Free the rows (written or given up); returns the bytes freed. */
size_t file_drop_rows(struct store_file *f);

/* rrd.c: the files on disk */
char *rrdfile_path(const char *data_dir, uint32_t file);
int retention_parse(const char *text, long long *res, long long *span);
/* "seconds.mmm:v1:v2…" for rrd_update (U for NaN); exact, fast for whole numbers. */
void rrdfile_format_row(char *out, size_t cap, double ts, const double *v, size_t n);
int rrdfile_create(const char *path, int rrdcached, uint32_t step, double start,
    const char *const *defs, size_t n_defs);
int rrdfile_missing_ds(const char *path, int rrdcached, const char *const *names, size_t n,
    unsigned char *missing);
int rrdfile_add_ds(const char *path, const char *def);
int rrdfile_update(const char *path, int rrdcached, const char *template, int n,
    const char **rows);

/* rrdwrite.c: a store_file as librrd calls (RRD writer) */
int store_file_create(struct store *st, uint32_t id, const struct store_file *f, double start);
/* Add the data sources the file lacks (rrdtool tune); sets n_ds_disk. */
int store_file_sync_ds(struct store *st, uint32_t id, struct store_file *f);
int store_file_write_rows(struct store *st, uint32_t id, const struct store_file *f);

/* points.c: a query's points as JSON text, "[[ts,v],…]" */
struct points {
	char *p;
	size_t len, cap, n;
	int failed;			/* out of memory: points_end gives NULL */
};
void points_begin(struct points *pt);
/* One point; a NaN or infinite v is written as null. */
void points_add(struct points *pt, long long ts, double v);
/* The text (heap, caller frees; NUL-terminated) and its length; NULL if no memory. */
char *points_end(struct points *pt, size_t *len);
/* n values stride apart, as one: AVERAGE (mean of the known), MAX or MIN; NaN if none. */
double points_consolidate(const double *v, size_t n, size_t stride, const char *cf);

/* damage.c */
/*
 * If file id is on disk but not readable as an RRD file, move it aside (kept,
 * counted, logged once) and make a new one with f's data sources: 0 then, the
 * rows may be written. -1: not damaged (another error), or not replaced.
 */
int store_replace_damaged(struct store *st, uint32_t id, struct store_file *f);

/* store.c */
/* The file with this id, NULL if none (valid until the next file is added). */
struct store_file *store_file_at(struct store *st, uint32_t id);
/* Is this a new file still waiting for its second row (not on disk yet)? */
int store_file_waits(struct store *st, uint32_t file);
/* Write a file's rows now; a new file may wait for its second row unless forced. */
int store_flush_file(struct store *st, uint32_t file, int force);

#endif
