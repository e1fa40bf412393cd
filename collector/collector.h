/*
 * collector.h — the collector's internal interfaces, grouped by the file
 * that owns them. Third-party types are forward-declared so that libevent,
 * SQLite and librrd headers reach only the files that use them.
 *
 * Threads: the event loop owns HTTP, parsing, the series catalogue and the
 * in-memory last values. The journal thread makes accepted samples durable
 * (append + fdatasync). The store thread owns every RRD file and the SQLite
 * state database. Work crosses between them only through the queues below.
 */
#ifndef CAMPUSMON_COLLECTOR_H
#define CAMPUSMON_COLLECTOR_H

#include <stddef.h>
#include <stdint.h>

#include <uthash.h>

#include "common/cfg.h"
#include "common/lineproto.h"

struct event_base;
struct event;
struct evhttp;
struct evhttp_request;
struct evbuffer;
struct json_t;
struct device_table;
struct snmp_poller;

/* ---- config.c ----------------------------------------------------------- */
struct collector_config {
	char *listen;
	int allow_plain_remote;
	char *public_url;
	char *tls_cert;
	char *tls_key;
	long long http_timeout;
	long long http_max_header;
	long long max_body;
	long long max_line;
	long long max_lines;
	long long max_series_per_host;
	long long max_future;
	char *data_dir;
	char *rrdcached;
	long long default_interval;
	long long queue_max;
	long long flush_delay;
	struct cfg_strlist retention;
	struct cfg_strlist consolidation;
	char *user;
	int metrics_public;
	char *web_dir;
	char *profiles_dir;
	int log_verbosity;
};

extern const struct cfg_key collector_schema[];
/* Load defaults, then FILE if not NULL; returns 0 or -1 with errs filled. */
int collector_config_load(struct collector_config *cfg, const char *file,
    struct cfg_errors *errs);
/* RRD retention from config: "raw:1d", "5m:30d", ... checked at load. */
const char *collector_check_retention(const void *field);

/* ---- loopq.c: run closures on the loop thread, posted from any thread -- */
struct loopq;
struct loopq *loopq_new(struct event_base *base);
void loopq_post(struct loopq *q, void (*fn)(void *arg), void *arg);
void loopq_free(struct loopq *q);

/* ---- jsonutil.c --------------------------------------------------------- */
/* A JSON string from arbitrary bytes: invalid UTF-8 and NUL become U+FFFD. */
struct json_t *json_string_safe(const char *s, size_t len);

/* ---- metrics.c: the collector's own figures, read by /metrics ----------- */
struct collector_metrics {
	uint64_t samples_accepted;
	uint64_t samples_rejected;
	uint64_t samples_out_of_order;
	uint64_t samples_replayed;
	uint64_t lines_rejected;
	uint64_t requests_write;
	uint64_t requests_refused_busy;
	uint64_t series_created;
	uint64_t rrd_updates;		/* written by the store thread */
	uint64_t rrd_update_errors;
	uint64_t rrd_update_usec_total;
	uint64_t journal_fsyncs;
	uint64_t journal_bytes;
};

/* ---- series.c: the in-memory catalogue (loop thread only) --------------- */
enum series_kind { SERIES_NUMBER, SERIES_TEXT };

struct series {
	uint32_t id;
	uint32_t step;
	uint32_t host_id;		/* index into the host table */
	uint8_t kind;
	uint8_t created_on_disk;
	double last;			/* last numeric value (NaN: none) */
	double last_ts;			/* Unix seconds of the last sample, 0: none */
	char *text;			/* last value of a text series */
	char *key;			/* canonical key: measurement,tags field */
	size_t keylen;
	UT_hash_handle hh;		/* by key, in series.c */
};

struct series_catalog;

struct series_catalog *series_catalog_new(void);
void series_catalog_free(struct series_catalog *cat);
/* Look up by canonical key; NULL if unknown. */
struct series *series_find(struct series_catalog *cat, const char *key, size_t keylen);
/* Add a series (id 0 = allocate the next); the catalogue owns it. */
struct series *series_add(struct series_catalog *cat, uint32_t id, const char *key,
    size_t keylen, const char *host, uint32_t step, enum series_kind kind);
struct series *series_by_id(struct series_catalog *cat, uint32_t id);
size_t series_count(const struct series_catalog *cat);
size_t series_host_count(struct series_catalog *cat, const char *host);
const char *series_host_name(const struct series_catalog *cat, uint32_t host_id);
/* Iterate all series in id order; returns NULL at the end. */
struct series *series_next(struct series_catalog *cat, uint32_t *cursor);
/* Split a canonical key into measurement, field and a JSON tags object. */
int series_key_split(const char *key, char **measurement, char **field,
    struct json_t **tags);
/* Build a canonical key from parsed parts into buf; returns its length. */
size_t series_key_build(char *buf, size_t cap, const struct lp_str *meas,
    const struct lp_tag *tags, size_t n_tags, const struct lp_str *field);

/* ---- journal.c: write-ahead journal (own thread) ------------------------- */
struct journal;

/* A record set appended as one unit; completion is reported on the loop. */
struct sample {
	uint32_t series_id;
	double ts;
	double value;
};

struct series_def {
	uint32_t id;
	uint32_t step;
	uint8_t kind;
	double first_ts;
	char *key;
	char *host;
};

struct batch {
	struct sample *samples;
	size_t n_samples, cap_samples;
	struct series_def *defs;
	size_t n_defs, cap_defs;
	struct text_update *texts;
	size_t n_texts, cap_texts;
	uint64_t seq;			/* assigned by the journal */
	void (*on_durable)(struct batch *b, int ok, void *arg);
	void *arg;
	struct batch *next;
};

struct text_update {
	uint32_t series_id;
	double ts;
	char *text;
};

struct batch *batch_new(void);
void batch_free(struct batch *b);
int batch_add_sample(struct batch *b, uint32_t id, double ts, double value);
int batch_add_def(struct batch *b, const struct series *s, const char *host, double first_ts);
int batch_add_text(struct batch *b, uint32_t id, double ts, const char *text);

/* Open the journal in dir; new segments start after sequence first_seq. */
struct journal *journal_open(const char *dir, struct loopq *q, uint64_t first_seq,
    struct collector_metrics *metrics);
/* Hand a batch over; on_durable runs later on the loop thread. */
void journal_append(struct journal *j, struct batch *b);
/* Replay every segment in order: cb gets each batch (caller frees it). */
int journal_replay(const char *dir, void (*cb)(struct batch *b, void *arg), void *arg,
    uint64_t *last_seq);
/* Drop segments whose batches all have seq <= applied. */
void journal_checkpoint(struct journal *j, uint64_t applied);
void journal_close(struct journal *j);

/* ---- store/rrd.c + store/store.c: the store thread ----------------------- */
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

struct store *store_start(const struct store_config *cfg, struct statedb *db,
    struct loopq *q, struct collector_metrics *metrics, struct journal *j);
/* The journal is opened after replay; until then checkpoints are skipped. */
void store_set_journal(struct store *st, struct journal *j);
/* Queue a durable batch for RRD; the store frees it. Returns -1 if full. */
int store_submit(struct store *st, struct batch *b);
/* Would n more samples fit in the queue right now? */
int store_has_room(struct store *st, size_t n);
size_t store_queue_depth(struct store *st);
/* Run fn(st, arg) on the store thread, then done(arg) on the loop. */
void store_call(struct store *st, void (*fn)(struct store *st, void *arg),
    void (*done)(void *arg), void *arg);
/* Flush everything and stop the thread. */
void store_stop(struct store *st);
/* Store-thread side helpers for jobs. */
struct statedb *store_db(struct store *st);
char *store_series_path(struct store *st, uint32_t id);
int store_flush_series(struct store *st, uint32_t id);
int store_fetch(struct store *st, uint32_t id, const char *cf, double from, double to,
    unsigned long step, struct json_t **points, unsigned long *out_step, char **err);
int store_graph(struct store *st, uint32_t id, const char *title, double from, double to,
    const char *format, unsigned char **img, size_t *len, char **err);
int store_backup(struct store *st, const char *dir, char **err);
/* Read the last update of a series' RRD file (startup, before the loop). */
int store_last_update(const char *data_dir, uint32_t id, double *ts, double *value);
/* Relative path of a series' RRD file under the data folder. */
void store_rrd_relpath(uint32_t id, char *buf, size_t cap);

/* ---- store/statedb.c: SQLite state ---------------------------------------- */
struct statedb *statedb_open(const char *path, char **err);
void statedb_close(struct statedb *db);
int statedb_schema_version(struct statedb *db);
/* The connection itself, for other store-thread files (devices, users). */
struct sqlite3 *statedb_sqlite(struct statedb *db);
int statedb_begin(struct statedb *db);
int statedb_commit(struct statedb *db);
int statedb_insert_series(struct statedb *db, const struct series_def *def);
int statedb_update_text(struct statedb *db, uint32_t id, double ts, const char *text);
/* Load every series: cb(id, key, host, step, kind, text, arg). */
int statedb_load_series(struct statedb *db,
    void (*cb)(uint32_t, const char *, const char *, uint32_t, int, const char *, void *),
    void *arg);
int statedb_backup(struct statedb *db, const char *dest, char **err);

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

/* ---- auth.c: tokens (loop thread) ----------------------------------------- */
struct auth;
struct auth_identity {
	const char *name;
	const char *role;
	const char *host;		/* non-NULL: may only write this host */
	int64_t token_id;		/* 0 for the bootstrap token */
	int can_write;
	int is_admin;
};

struct auth *auth_new(const char *bootstrap_token);
void auth_free(struct auth *a);
void auth_add_row(struct auth *a, const struct token_row *row);
void auth_revoke(struct auth *a, int64_t id);
/* Resolve the request's credentials (Bearer, Token, Basic password, ?p=). */
const struct auth_identity *auth_request(struct auth *a, struct evhttp_request *req);
/* A new random secret and its hash: out must hold 48 chars, hash 65. */
void auth_new_secret(char *out, size_t outlen, char hash[65]);
void auth_hash(const char *secret, char hash[65]);
struct json_t *auth_tokens_json(struct auth *a);

/* ---- collector.c: lifecycle -------------------------------------------- */
struct collector {
	struct collector_config cfg;
	const char *config_path;
	struct event_base *base;
	struct evhttp *http;
	struct collector_metrics metrics;
	struct series_catalog *series;
	struct journal *journal;
	struct store *store;
	struct statedb *db;
	struct auth *auth;
	char *web_dir;
	void *tls_ctx;			/* SSL_CTX when serving HTTPS */
	struct lp_parser *lp;		/* reused by every write request */
	struct device_table *devices;
	struct snmp_poller *poller;
	struct loopq *loopq;
	double started;
	unsigned short bound_port;
};

int collector_main(int argc, char **argv);

/* ---- http.c: server, limits, routing, replies --------------------------- */
typedef void (*route_fn)(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);

int http_start(struct collector *c);
void http_stop(struct collector *c);
void http_reply_json(struct evhttp_request *req, int code, struct json_t *body);
void http_reply_error(struct evhttp_request *req, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A query-string parameter (decoded copy, caller frees), or NULL. */
char *http_query_param(struct evhttp_request *req, const char *name);
/* Guard a request that waits for another thread: NULL once the client left. */
struct http_pending *http_pending_new(struct evhttp_request *req);
struct evhttp_request *http_pending_take(struct http_pending *p);

/* ---- ingest.c ---------------------------------------------------------- */
void ingest_write(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
/* Find or create the series for key (its definition goes into b). */
struct series *ingest_resolve(struct collector *c, struct batch *b, const char *key,
    size_t klen, const char *host, uint32_t step, enum series_kind kind, double ts);
/* Add a numeric sample: 0 added, -1 older than the series' last (counted), -2 no memory. */
int ingest_put(struct collector *c, struct batch *b, const char *key, size_t klen,
    const char *host, uint32_t step, double ts, double value);
/* Apply a replayed journal batch to the catalogue at startup. */
void ingest_replay_batch(struct batch *b, void *arg);
/* gunzip src into a heap buffer no larger than max; -1 too large, -2 corrupt. */
int ingest_gunzip(const unsigned char *src, size_t len, size_t max,
    unsigned char **out, size_t *outlen);

/* ---- api_*.c ------------------------------------------------------------ */
void api_health(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_metrics(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_series_list(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_query(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_graph(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_tokens_create(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_tokens_list(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_tokens_revoke(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_backup(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_devices_list(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_devices_create(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_device_get(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_device_patch(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_device_delete(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_device_interfaces(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_device_sensors(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
/* Parse the request body as a JSON object, or reply 400/413 and return NULL. */
struct json_t *api_json_body(struct evhttp_request *req);
void api_static(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);

/* ---- privdrop.c -------------------------------------------------------- */
/* Drop to user if running as root; fatal on failure (startup only). */
void privdrop(const char *user, const char *data_dir);

#endif
