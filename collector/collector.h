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
struct discovery;
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
	struct cfg_strlist counters;	/* ingest.counters: MEASUREMENT.FIELD[*] */
	struct cfg_strlist extra_counters;	/* ingest.extra_counters: added to those */
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
	long long snmp_timeout_ms;
	long long snmp_retries;
	long long snmp_interval;
	long long snmp_jitter_pct;
	long long snmp_max_inflight;
	long long snmp_bulk_max;
	long long snmp_max_concurrent;
	long long snmp_dns_refresh;
	struct cfg_strlist snmp_dns_servers;	/* empty: /etc/resolv.conf */
	struct cfg_strlist discovery_communities;
	long long discovery_concurrency;
	long long discovery_rate;
	int log_verbosity;
	/* web users (users.c, session.c) and the audit trail (audit.c) */
	long long session_idle;
	long long session_lifetime;
	long long max_sessions;
	long long login_failures_user;
	long long login_failures_addr;
	long long login_lockout;
	long long audit_retention;
};

extern const struct cfg_key collector_schema[];
/* Load defaults, then FILE if not NULL; returns 0 or -1 with errs filled. */
int collector_config_load(struct collector_config *cfg, const char *file,
    struct cfg_errors *errs);
/* RRD retention from config: "raw:1d", "5m:30d", ... checked at load. */
const char *collector_check_retention(const void *field);

/* ---- counters.c: cumulative fields into FIELD_ps rates (loop thread) ---- */
struct counters;
/* Rules from ingest.counters plus ingest.extra_counters (may be NULL); NULL if
 * an entry is malformed or no memory. */
struct counters *counters_new(const struct cfg_strlist *rules,
    const struct cfg_strlist *extra);
/* Replace the rules (SIGHUP); readings already tracked are kept. 0 or -1. */
int counters_set_rules(struct counters *cs, const struct cfg_strlist *rules,
    const struct cfg_strlist *extra);
void counters_free(struct counters *cs);
/* Has this measurement any counter rule? (one check per point, before fields) */
int counters_measurement(const struct counters *cs, const struct lp_str *measurement);
/* Is this field of this measurement a counter? Fields ending in _ps never are. */
int counters_match(const struct counters *cs, const struct lp_str *measurement,
    const struct lp_str *field);
/* Feed one reading of the counter whose rate series has key. 1: *rate set;
 * 0: no rate this time (first reading, reset, repeat); -1: f is not a counter
 * reading (negative, fractional, not a number); -2: no memory or table full. */
int counters_rate(struct counters *cs, const char *key, size_t klen, double ts,
    const struct lp_field *f, double *rate);
size_t counters_tracked(const struct counters *cs);
/* Validator of snmp.dns_servers (resolve.c). */
const char *collector_check_dns_servers(const void *field);
/* Validator of ingest.counters for the config schema. */
const char *collector_check_counters(const void *field);

/* ---- loopq.c: run closures on the loop thread, posted from any thread -- */
struct loopq;
struct loopq *loopq_new(struct event_base *base);
void loopq_post(struct loopq *q, void (*fn)(void *arg), void *arg);
void loopq_free(struct loopq *q);

/* ---- jsonutil.c --------------------------------------------------------- */
/* A JSON string from arbitrary bytes: invalid UTF-8 and NUL become U+FFFD. */
struct json_t *json_string_safe(const char *s, size_t len);

/* ---- jsonfrag.c: serialised JSON shared by replies without copying -------- */
/* Loop thread only. A fragment stays alive while any reply still sends it. */
struct jfrag;
struct jfrag *jfrag_new(struct json_t *j);	/* takes the reference to j */
struct jfrag *jfrag_from_buffer(struct evbuffer *buf);	/* copies its bytes */
void jfrag_unref(struct jfrag *f);
void jfrag_add_to(struct evbuffer *out, struct jfrag *f);

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
	uint64_t rrd_updates;		/* values, written by the store thread */
	uint64_t rrd_update_calls;	/* rrd_update calls, one per file and flush */
	uint64_t rrd_update_errors;
	uint64_t rrd_update_usec_total;
	uint64_t journal_fsyncs;
	uint64_t journal_bytes;
	uint64_t snmp_polls;		/* loop thread: snmpbridge.c */
	uint64_t snmp_polls_failed;
	uint64_t snmp_requests;
	uint64_t snmp_timeouts;
	uint64_t snmp_values;
	double snmp_poll_seconds;
};

/* ---- series.c: the in-memory catalogue (loop thread only) --------------- */
enum series_kind { SERIES_NUMBER, SERIES_TEXT };

/* One per series, so kept small: the key lives inside it. */
struct series {
	uint32_t id;
	uint32_t step;
	uint32_t host_id;		/* index into the host table */
	uint32_t keylen;
	uint8_t kind;
	double last;			/* last numeric value (NaN: none) */
	double last_ts;			/* Unix seconds of the last sample, 0: none */
	char *text;			/* last value of a text series */
	UT_hash_handle hh;		/* by key, in series.c */
	char key[];			/* canonical key: measurement,tags field */
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
/* A write request (agent, Telegraf) brought samples of this host at now. */
void series_host_written(struct series_catalog *cat, uint32_t host_id, double now);
/* Hosts written since start, in host-id order: the next one's name (and
 * *last_write), or NULL at the end. Start with *cursor = 0. */
const char *series_host_next_written(const struct series_catalog *cat, uint32_t *cursor,
    double *last_write);
/* Iterate all series in id order; returns NULL at the end. */
struct series *series_next(struct series_catalog *cat, uint32_t *cursor);
/*
 * Length of a key's group, the measurement and tags without the field (the
 * series of one group share an RRD file); the key's length if it has no field.
 */
size_t series_key_group_len(const char *key, size_t keylen);
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
int store_fetch(struct store *st, uint32_t id, const char *cf, double from, double to,
    unsigned long step, struct json_t **points, unsigned long *out_step, char **err);
int store_graph(struct store *st, uint32_t id, const char *title, double from, double to,
    const char *format, unsigned char **img, size_t *len, char **err);
int store_backup(struct store *st, const char *dir, char **err);
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
	uint32_t step;
	int kind;
	const char *text;		/* last value of a text series */
	uint32_t file;			/* RRD file id, 0 for text series */
	const char *ds;			/* data source in that file */
};
/* Load every series, in id order. */
int statedb_load_series(struct statedb *db, void (*cb)(const struct series_row *row, void *arg),
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
	int64_t user_id;		/* web session: the user's id; tokens: 0 */
	const char *csrf;		/* web session: its CSRF token; tokens: NULL */
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
	struct counters *counters;	/* ingest.counters state */
	struct device_table *devices;
	struct discovery *discovery;
	struct snmp_poller *poller;
	struct resolver *resolver;	/* resolve.c: device host names */
	struct loopq *loopq;
	double started;
	unsigned short bound_port;
	struct users *users;		/* users.c: limiters, housekeeping */
	struct sessions *sessions;	/* session.c */
};

int collector_main(int argc, char **argv);

/* ---- http.c: server, limits, routing, replies --------------------------- */
typedef void (*route_fn)(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);

int http_start(struct collector *c);
void http_stop(struct collector *c);
void http_reply_json(struct evhttp_request *req, int code, struct json_t *body);
/* Append body as compact JSON with <, > and & escaped. */
void http_json_append(struct evbuffer *out, const struct json_t *body);
/* Send out (JSON) with the security headers; the caller still owns out. */
void http_reply_buffer(struct evhttp_request *req, int code, struct evbuffer *out);
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
/* The same for a series already resolved. */
int ingest_put_series(struct collector *c, struct batch *b, struct series *s, double ts,
    double value);
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
void api_ping(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_influx_query(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);

/* ---- api/prom.c: Prometheus text exposition helpers for /metrics --------- */
/* Append s as a label value: \\, \" and \n escaped, invalid UTF-8 as U+FFFD. */
void prom_label_value(struct evbuffer *out, const char *s);
/* The standard process_* metrics of this process (Linux /proc). */
void prom_process_metrics(struct evbuffer *out, double start_time);
/* campusmon_device_up{device,kind,site} and campusmon_agent_last_seen_seconds{host}. */
void prom_inventory_metrics(struct collector *c, struct evbuffer *out);
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
void api_discovery_start(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_discovery_get(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_static(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);

/* ---- ratelimit.c: failure counters by key (loop thread) --------------- */
struct ratelimit;
struct ratelimit *ratelimit_new(unsigned max_failures, double window, size_t max_entries);
void ratelimit_free(struct ratelimit *rl);
/* Seconds the key must still wait (0: it may try now). */
double ratelimit_blocked(struct ratelimit *rl, const char *key, double now);
/* Count a failure; -1 if the table is full (the key stays unknown). */
int ratelimit_fail(struct ratelimit *rl, const char *key, double now);
void ratelimit_undo(struct ratelimit *rl, const char *key);	/* one failure less */
void ratelimit_forget(struct ratelimit *rl, const char *key);
/* 1 the first time a blocked key asks (to record the block once), else 0. */
int ratelimit_first_report(struct ratelimit *rl, const char *key);
size_t ratelimit_sweep(struct ratelimit *rl, double now);
size_t ratelimit_count(const struct ratelimit *rl);

/* ---- session.c: web sessions and request identity (loop thread) -------- */
#define SESSION_COOKIE "cm_session"
struct sessions;
struct sessions *sessions_new(double idle, double lifetime, size_t max);
void sessions_free(struct sessions *s);
/* A new session; its cookie value goes to cookie (>= 44 bytes). The identity
 * is owned by the table: valid until the session ends, never across a wait. */
const struct auth_identity *session_create(struct sessions *s, int64_t user_id,
    const char *user, const char *role, char *cookie, size_t cookie_cap);
size_t sessions_sweep(struct sessions *s, double now);
size_t sessions_drop_user(struct sessions *s, int64_t user_id);
void sessions_set_role(struct sessions *s, int64_t user_id, const char *role);
size_t sessions_count(const struct sessions *s);
/* End the request's session; 1 if there was one. */
int session_logout(struct sessions *s, struct evhttp_request *req);
/* Copy cookie NAME's value from a Cookie header; its length, or -1. */
int session_cookie_value(const char *header, const char *name, char *out, size_t cap);
void session_set_cookie(struct evhttp_request *req, const char *value, double max_age,
    int tls);
/* Who sent the request: a session cookie (with X-CSRF-Token on requests that
 * change state) unless an Authorization header is present, else a token.
 * NULL with *code 401 (no valid credentials) or 403 (CSRF token missing). */
const struct auth_identity *session_identify(struct collector *c,
    struct evhttp_request *req, int *code);
/* The peer's address, and a rate-limit key (IPv6: its /64); key may be NULL. */
void http_client_addr(struct evhttp_request *req, char *addr, size_t cap, char *key,
    size_t keycap);

/* ---- users.c: web users (hashing on the store thread only) ------------- */
#define USERS_NAME_MAX 64
#define USERS_PASSWORD_MIN 8
#define USERS_PASSWORD_MAX 1024
#define USERS_HASH_MAX 128		/* crypto_pwhash_STRBYTES */
struct users {
	struct ratelimit *by_addr, *by_user;	/* loop thread */
	struct event *timer;			/* housekeeping */
	int hashing;				/* password jobs in flight (loop) */
	double last_prune;
	char dummy_hash[USERS_HASH_MAX];	/* store thread only */
};
/* NULL if valid, else what is wrong, in words for the user. */
const char *users_check_name(const char *name);
const char *users_check_role(const char *role);
const char *users_check_password(const char *pw);
int users_hash_password(const char *pw, char out[USERS_HASH_MAX]);
/* 1 if pw matches hash; hash NULL (unknown user) costs the same and fails. */
int users_verify_password(struct users *u, const char *hash, const char *pw);
/* Limiters, sessions, timers, and user admin from CAMPUSMON_ADMIN_PASSWORD. */
int users_start(struct collector *c);
void users_stop(struct collector *c);

/* ---- audit.c: the audit trail (loop side) ------------------------------- */
/* Record an entry (copied; written by the store thread) and log it. Never
 * pass a secret. fmt may be NULL (no detail). */
void audit_record(struct collector *c, const char *actor, const char *addr,
    const char *action, const char *target, int ok, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
/* "alice" for a web user, "token:NAME" for a token. */
void audit_actor(const struct auth_identity *who, char *buf, size_t cap);
/* Remove entries older than audit.retention (runs on the store thread). */
void audit_prune(struct collector *c);

/* ---- store/userdb.c: users and audit tables (store thread only) -------- */
struct sqlite3;
struct sqlite3 *statedb_sqlite(struct statedb *db);
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

/* ---- api/users.c ---------------------------------------------------------- */
void api_login(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_logout(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_me(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_users_list(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_users_create(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_users_update(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_users_delete(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_audit_list(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);

/* ---- privdrop.c -------------------------------------------------------- */
/* Drop to user if running as root; fatal on failure (startup only). */
void privdrop(const char *user, const char *data_dir);

#endif
