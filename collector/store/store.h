/*
 * store.h — the store's threads: the RRD writer (files direct or through
 * rrdcached), the state writer and the reader pool (lane.c), and the SQLite
 * state database with one *db.c file per table family. Every function here
 * but store_start, store_submit, store_call* and store_stop runs on one of
 * the store's threads.
 */
#ifndef CAMPUSMON_STORE_H
#define CAMPUSMON_STORE_H

#include "common/cfg.h"

#include <stddef.h>
#include <stdint.h>

struct cfg_strlist;
struct collector_metrics;
struct loopq;
struct journal;
struct batch;
struct series_def;
struct json_t;
struct sqlite3;

/* ---- store.c + rrd.c: the store thread ------------------------------------ */
struct store;
struct statedb;

struct store_config {
	const char *data_dir;
	const char *rrdcached;
	long long flush_delay;
	long long queue_max;
	const struct cfg_strlist *retention;
	const struct cfg_strlist *consolidation;
};

/*
 * The store, without its thread: give it the catalogue with store_load_row,
 * then start the thread with store_run (nothing may be submitted before).
 */
struct store *store_start(const struct store_config *cfg, struct statedb *db,
    struct loopq *q, struct collector_metrics *metrics, struct journal *j);
struct series_row;
void store_load_row(struct store *st, const struct series_row *row);
int store_run(struct store *st);
/* The journal is opened after replay; until then checkpoints are skipped. */
void store_set_journal(struct store *st, struct journal *j);
/* Queue a durable batch for RRD; the store frees it. Returns -1 if full. */
int store_submit(struct store *st, struct batch *b);
/* Would n more samples fit in the queue right now? */
int store_has_room(struct store *st, size_t n);
size_t store_queue_depth(struct store *st);
/*
 * Blocking work, split by kind, each kind with its own bounded queue:
 * - store_call: the state writer (one thread; SQLite: users, audit, tokens,
 *   devices, alerts, outbox ...);
 * - store_call_rrd: the RRD writer itself, for work on its files (backup);
 * - store_call_read: the reader pool (two threads): prepare(st, arg) first
 *   on the RRD writer (NULL: none; store_read_plan), then work(st, arg) on a
 *   reader (librrd fetch and graph, password hashing).
 * done(arg) then runs on the loop. -1, nothing queued, when out of memory
 * or STORE_JOBS_MAX jobs already wait there (the caller answers 503 or
 * logs); 0 queued. Each lane thread has its own SQLite connection, which
 * store_db gives the job.
 */
#define STORE_JOBS_MAX 4096	/* per lane: a flood gets 503, not memory without end */
int store_call(struct store *st, void (*fn)(struct store *st, void *arg),
    void (*done)(void *arg), void *arg);
int store_call_rrd(struct store *st, void (*fn)(struct store *st, void *arg),
    void (*done)(void *arg), void *arg);
int store_call_read(struct store *st, void (*prepare)(struct store *st, void *arg),
    void (*work)(struct store *st, void *arg), void (*done)(void *arg), void *arg);
/* first(st, arg) on the RRD writer, then rest(st, arg) on the backup lane
 * (one thread of its own: a long copy there holds up neither RRD writes nor
 * reads), then done(arg) on the loop. */
int store_call_backup(struct store *st, void (*first)(struct store *st, void *arg),
    void (*rest)(struct store *st, void *arg), void (*done)(void *arg), void *arg);
/* Jobs waiting in each lane, for /metrics. */
void store_lane_depths(struct store *st, size_t *state, size_t *read, size_t *rrd);
/* Run what waits, flush everything and stop the threads. */
void store_stop(struct store *st);
/* The SQLite connection of the calling store thread (any lane). */
struct statedb *store_db(struct store *st);

/*
 * A read of one series, in two halves. store_read_plan (RRD writer, in a
 * prepare) finds its file and writes what waits for it, or answers from
 * memory; rrdfile_fetch / rrdfile_graph (reader pool) then only call librrd.
 * Graphs are drawn one at a time (librrd's graph code is not reentrant):
 * readers hold store_graph_lock(st, 1) around rrdfile_graph.
 */
struct store_read_plan {
	uint32_t id;
	char *path;			/* the RRD file; NULL: nothing stored */
	char ds[20];
	int rrdcached;
	double kept;			/* the longest retention, seconds */
	char *answer;			/* points text answered from memory, or NULL */
	unsigned long answer_step;
};
int store_read_plan(struct store *st, uint32_t id, double from, double to,
    struct store_read_plan *plan);
void store_read_plan_clear(struct store_read_plan *plan);
/*
 * Values of the planned series in (from, to] as JSON text "[[ts,v],…]"
 * (*points heap, *len bytes), at step (0: the finest kept) made coarser when
 * needed so that at most max_points come back; *out_step: the step of the
 * answer. Times before the longest retention or a day past now are left out.
 */
int rrdfile_fetch(const struct store_read_plan *plan, const char *cf, double from, double to,
    unsigned long step, size_t max_points, char **points, size_t *len,
    unsigned long *out_step, char **err);
int rrdfile_graph(const struct store_read_plan *plan, const char *title, double from,
    double to, const char *format, unsigned char **img, size_t *len, char **err);
void store_graph_lock(struct store *st, int hold);
/*
 * A backup, in two halves (store_call_backup). store_backup, on the RRD
 * writer: copy the state database and RRD files into dir (made if missing,
 * 0700). store_backup_others, on the backup lane: copy events.db, outbox.db
 * and notify.key (those present). Files in dir are 0600. 0 done; -1 failed,
 * -2 refused (dir is inside the data directory, by real path); *err (heap,
 * may be NULL) says why.
 */
int store_backup(struct store *st, const char *dir, char **err);
int store_backup_others(struct store *st, const char *dir, char **err);
/* The refusal test of store_backup alone: 0 ok, -1 cannot tell, -2 refused. */
int store_backup_check(const char *data_dir, const char *dir, char **err);
/*
 * Read the last update of series from their RRD files (startup, before the
 * loop); the reader keeps the last file it read, as series of one file come
 * one after the other.
 */
struct store_last_reader;
struct store_last_reader *store_last_reader_new(const char *data_dir);
int store_last_update(struct store_last_reader *r, uint32_t file, const char *ds, double *ts,
    double *value);
void store_last_reader_free(struct store_last_reader *r);
/* Relative path of an RRD file (named by the id of its first series). */
void store_rrd_relpath(uint32_t id, char *buf, size_t cap);

/* ---- store/statedb.c: SQLite state ---------------------------------------- */
struct statedb *statedb_open(const char *path, char **err);
void statedb_close(struct statedb *db);
int statedb_schema_version(struct statedb *db);
/* The connection itself, for other store-thread files (devices, users). */
struct sqlite3 *statedb_sqlite(struct statedb *db);
int statedb_begin(struct statedb *db);
int statedb_commit(struct statedb *db);
/* file, ds: the series' RRD file and data source (0, NULL for text series). */
int statedb_insert_series(struct statedb *db, const struct series_def *def, uint32_t file,
    const char *ds);
int statedb_update_text(struct statedb *db, uint32_t id, double ts, const char *text);
/* The RRD file of a group (a key without its field), 0 if it has none yet. */
uint32_t statedb_group_file(struct statedb *db, const char *group, size_t len);
int statedb_insert_group(struct statedb *db, const char *group, size_t len, uint32_t file);

struct series_row {
	uint32_t id;
	const char *key, *host;
	size_t keylen;
	uint32_t step;
	int kind;
	const char *text;		/* last value of a text series */
	uint32_t file;			/* RRD file id, 0 for text series */
	const char *ds;			/* data source in that file */
};
/*
 * Every series in id order, one row at a time: the row's strings stay valid
 * until the next call. Loop thread at startup, before the store thread runs.
 */
struct statedb_cursor;
struct statedb_cursor *statedb_series_cursor(struct statedb *db);
/* 1: a row; 0: the end; -1: the database failed (logged). */
int statedb_series_next(struct statedb_cursor *cur, struct series_row *row);
void statedb_cursor_free(struct statedb_cursor *cur);
uint32_t statedb_series_max_id(struct statedb *db);	/* 0: none */
/* Load every series, in id order. */
int statedb_load_series(struct statedb *db, void (*cb)(const struct series_row *row, void *arg),
    void *arg);
/* A consistent copy into dest (db_copy). */
int statedb_backup(struct statedb *db, const char *dest, char **err);

/* ---- store/dbcopy.c: one SQLite database into a private file ------------- */
/*
 * Copy the main database of src (any connection the caller owns; a read
 * transaction of its own is taken if none is open) into dest, mode 0600,
 * through dest.tmp renamed once complete. stop(arg), asked between steps
 * (NULL: never), ends the copy early as a failure. 0 done; -1 with *err
 * (heap, replaced) saying why.
 */
int db_copy(struct sqlite3 *src, const char *dest, int (*stop)(void *arg), void *arg,
    char **err);
/* The same from the database file at src, through a read-only connection. */
int db_copy_file(const char *src, const char *dest, int (*stop)(void *arg), void *arg,
    char **err);

struct token_row {
	int64_t id;
	char *name;
	char *kind;			/* "agent" or "api" */
	char *role;			/* admin, operator, viewer, auditor, agent */
	char *host;			/* agent tokens may be bound to a host */
	char hash[65];			/* hex SHA-256 of the secret */
	double created;
	int revoked;
};
int statedb_insert_token(struct statedb *db, struct token_row *t);
int statedb_revoke_token(struct statedb *db, int64_t id);
int statedb_load_tokens(struct statedb *db, void (*cb)(const struct token_row *, void *),
    void *arg);

/* ---- store/seendb.c: hosts seen by sweeps, not adopted (store thread) ---- */
int seen_db_upsert(struct statedb *db, const char *addr, double first, double last,
    const char *answered);
int seen_db_delete(struct statedb *db, const char *addr);
int seen_db_load(struct statedb *db, void (*cb)(const char *addr, double first, double last,
    const char *answered, void *arg), void *arg);

/* ---- store/userdb.c: users and audit tables (store thread only) -------- */
struct user_row {
	int64_t id;
	char *name;
	char *role;
	char *hash;			/* crypto_pwhash_str() output */
	int disabled;
	double created, updated, last_login;
};
/* Heap fields are freed (the hash wiped) by user_row_clear. */
void user_row_clear(struct user_row *u);
/* By name, or by id when name is NULL: 1 found (u filled), 0 none, -1 error. */
int userdb_get(struct statedb *db, const char *name, int64_t id, struct user_row *u);
/* Sets u->id; -2 if the name is taken. */
int userdb_insert(struct statedb *db, struct user_row *u);
/* NULL role/hash and disabled < 0 leave a field as it is; -2 no such user. */
int userdb_update(struct statedb *db, int64_t id, const char *role, const char *hash,
    int disabled, double now);
int userdb_delete(struct statedb *db, int64_t id);
int userdb_touch_login(struct statedb *db, int64_t id, double now);
int userdb_count_admins(struct statedb *db);
struct json_t *userdb_list(struct statedb *db);	/* never holds hashes */
struct audit_row {
	double ts;
	const char *actor, *addr, *action, *target, *detail;
	int ok;
};
struct audit_filter {
	double from, to;
	long limit;
	char *actor, *action;		/* NULL: any */
};
int auditdb_insert(struct statedb *db, const struct audit_row *r);
struct json_t *auditdb_query(struct statedb *db, const struct audit_filter *f);
long long auditdb_prune(struct statedb *db, double before);

/* ---- stmt.c: a statement without rows in one call ------------------------
 * Arguments bound from fmt, one letter each: 'i' int64_t, 'd' double, 't'
 * text (NULL binds NULL). Returns the rows changed (>= 0), -2 on a
 * constraint violation, -1 on another error. Store thread only. */
int db_exec(struct statedb *db, const char *sql, const char *fmt, ...);

/* ---- devicedb.c: the devices table (store thread only) ------------------- */
struct device;
/* Every stored device, in id order; cb owns each device it gets. */
int devices_db_load(struct statedb *db, void (*cb)(struct device *d, void *arg), void *arg);
/* Insert (id 0: sets d->id) or update; -2 if the name is taken. */
int devices_db_save(struct statedb *db, struct device *d);
int devices_db_delete(struct statedb *db, int64_t id);

/* ---- alertdb.c: alerts and maintenance windows (store thread only) ------- */
struct alert_row {
	int64_t id;
	const char *state;		/* firing acknowledged resolved suppressed */
	double started, updated, ended;	/* ended 0: open */
	const char *json;		/* the engine's object (collector/alert/) */
};
/* Insert or replace rows in one transaction. */
int alerts_db_save(struct statedb *db, const struct alert_row *rows, size_t n);
/* Open alerts and those that ended at or after since, in id order. */
int alerts_db_load(struct statedb *db, double since, void (*cb)(const char *json, void *arg),
    void *arg);
/* Delete resolved alerts that ended before `before`, but never the newest. */
int alerts_db_prune(struct statedb *db, double before);
/* The highest alert id ever stored (0: none): ids are never given twice. */
int64_t alerts_db_max_id(struct statedb *db);
int64_t maint_db_save(struct statedb *db, const char *json);	/* the new id, -1 */
int maint_db_update(struct statedb *db, int64_t id, const char *json);
int maint_db_delete(struct statedb *db, int64_t id);		/* rows removed */
int maint_db_load(struct statedb *db, void (*cb)(int64_t id, const char *json, void *arg),
    void *arg);
/* Rules made through the API: 0, -2 the name is taken, -1 failed. */
int rules_db_save(struct statedb *db, const char *name, const char *json);
int rules_db_delete(struct statedb *db, const char *name);	/* rows removed */
int rules_db_load(struct statedb *db, void (*cb)(const char *json, void *arg), void *arg);

/* ---- lastvals.c: last values kept across a clean restart ---------------- */
struct series_catalog;
struct lastval {
	uint32_t id;
	uint32_t zero;
	double ts, value;
};
/* DATA/last-values in id order (heap, *n entries); NULL if none or damaged. */
struct lastval *lastvals_read(const char *data_dir, size_t *n);
/* Write it from the catalogue: only once every RRD file is flushed. */
int lastvals_write(const char *data_dir, struct series_catalog *cat);
void lastvals_remove(const char *data_dir);

/* ---- storage_keys.c: storage.* in the configuration schema ------------- */
extern const struct cfg_key storage_keys[];

#endif
