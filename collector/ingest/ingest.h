/*
 * ingest.h — how samples enter: the write endpoints, the sink every source
 * uses (agents, SNMP), the in-memory series catalogue and the write-ahead
 * journal that makes accepted samples durable before the 204.
 */
#ifndef CAMPUSMON_INGEST_H
#define CAMPUSMON_INGEST_H

#include "common/cfg.h"

#include <stddef.h>
#include <stdint.h>

#include <uthash.h>

#include "common/lineproto.h"
#include "collector/collector.h"
#include "collector/http/http.h"

struct collector;
struct collector_metrics;
struct loopq;
struct evhttp_request;
struct auth_identity;
struct json_t;

/* ---- catalog.c: the in-memory series catalogue (loop thread only) ------ */
enum series_kind { SERIES_NUMBER, SERIES_TEXT };

/* One per series, so kept small: the key lives inside it. */
struct series {
	uint32_t id;
	uint32_t step;
	uint32_t host_id;		/* index into the host table */
	uint32_t keylen;
	uint8_t kind;
	uint8_t fresh;			/* only batches still in flight define it */
	uint32_t def_gen;		/* ingest.c: gen of the last batch defining it */
	double last;			/* last durable numeric value (NaN: none) */
	double last_ts;			/* Unix seconds of the last durable sample, 0: none */
	double accepted_ts;		/* newest sample handed to the journal (>= last_ts
					 * while a batch is in flight; ordering checks) */
	char *text;			/* last durable value of a text series */
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
/* A hint: series id will be used soon (loops over a batch). */
void series_prefetch(struct series_catalog *cat, uint32_t id);
/* Forget a series whose definition never became durable (frees it). */
void series_remove(struct series_catalog *cat, struct series *s);
/* Replace a text series' last value (takes text, may be NULL), counting bytes. */
void series_set_text(struct series_catalog *cat, struct series *s, char *text);
size_t series_text_bytes(const struct series_catalog *cat);
/* Series of the host that has the most. */
size_t series_host_max(const struct series_catalog *cat);
size_t series_count(const struct series_catalog *cat);
/* Make room for series ids up to max_id at once (a start: no regrowing). */
int series_catalog_reserve(struct series_catalog *cat, uint32_t max_id);
size_t series_host_count(struct series_catalog *cat, const char *host);
const char *series_host_name(const struct series_catalog *cat, uint32_t host_id);
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

/* ---- load.c: the catalogue, loaded at start while the loop runs ----------- */
/*
 * Load the series catalogue and the store's view of it in slices of the
 * running loop, so that /api/v1/health answers (503, "starting") meanwhile;
 * the store thread is not running yet. Last values come from DATA/last-values
 * when a clean stop left it, else from each RRD file. done(c) runs on the
 * loop once every series is in. -1 if it cannot start.
 */
int load_begin(struct collector *c, void (*done)(struct collector *c));
/* Stop a load still in progress (a shutdown during it). */
void load_abort(struct collector *c);

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
	uint32_t gen;			/* ingest.c: tells batches in flight apart */
	void (*on_durable)(struct batch *b, int ok, void *arg);
	void *arg;
	struct loopq_item durable_item;	/* journal.c: posts on_durable to the loop */
	int durable_ok;
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
int batch_add_text(struct batch *b, uint32_t id, double ts, const char *text, size_t len);

/* Open the journal in dir; new segments start after sequence first_seq. */
struct journal *journal_open(const char *dir, struct loopq *q, uint64_t first_seq,
    struct collector_metrics *metrics);
/* Hand a batch over; on_durable runs later on the loop thread. */
void journal_append(struct journal *j, struct batch *b);
/*
 * Replay every segment in order: cb gets each batch and owns it. Damaged
 * records are skipped (logged with segment and offsets), replay goes on with
 * the next valid one; a gap in sequences between segments is logged as a
 * missing segment. *last_seq: the highest sequence seen (0: none).
 */
int journal_replay(const char *dir, void (*cb)(struct batch *b, void *arg), void *arg,
    uint64_t *last_seq);

/* The record codec, for tests and the fuzzer. */
enum journal_rec {
	JOURNAL_REC_OK,			/* *out: the batch (caller frees), *used: its bytes */
	JOURNAL_REC_SHORT,		/* a record's start whose end is past len */
	JOURNAL_REC_BAD			/* not a record: magic, length, CRC or payload */
};
/* One record (header and payload) for b, with b->seq; heap, NULL if no memory. */
unsigned char *journal_encode(const struct batch *b, size_t *len);
enum journal_rec journal_decode(const unsigned char *p, size_t len, struct batch **out,
    size_t *used);
struct journal_scan {
	uint64_t records;		/* valid records handed on */
	uint64_t last_seq;		/* the highest sequence among them */
	uint64_t damaged_bytes;		/* skipped, in damaged_runs places */
	unsigned damaged_runs;
	int torn_tail;			/* ended in an incomplete record */
};
/* Hand every valid record of a segment's bytes to cb (which owns it); name is
 * for the log. */
void journal_scan(const char *name, const unsigned char *buf, size_t len,
    void (*cb)(struct batch *b, void *arg), void *arg, struct journal_scan *rep);
/* Remove every segment: after a clean stop wrote everything to RRD files. */
void journal_discard(const char *dir);
/* Drop segments whose batches all have seq <= applied. */
void journal_checkpoint(struct journal *j, uint64_t applied);
/* Stop the thread (the last completions are posted to the loop) and close
 * the segment. j stays valid, so the store's last flush may still check-
 * point it (which no longer deletes anything); journal_free frees it. */
void journal_close(struct journal *j);
void journal_free(struct journal *j);

/* ---- ingest.c ---------------------------------------------------------- */
extern const struct subsystem ingest_subsystem;
/* The write endpoints (line protocol), joined by http/router.c. */
extern const struct route ingest_routes[];
/* Find or create the series for key (its definition goes into b). */
struct series *ingest_resolve(struct collector *c, struct batch *b, const char *key,
    size_t klen, const char *host, uint32_t step, enum series_kind kind, double ts);
/* Add a numeric sample: 0 added, -1 older than the series' last (counted), -2 no memory. */
int ingest_put(struct collector *c, struct batch *b, const char *key, size_t klen,
    const char *host, uint32_t step, double ts, double value);
/* The same for a series already resolved. */
int ingest_put_series(struct collector *c, struct batch *b, struct series *s, double ts,
    double value);
/*
 * A batch's journal write is over: the catalogue follows what is durable.
 * ok: last values move on (and the sample observers are told); samples that
 * an earlier batch overtook meanwhile are taken out of b. Not ok: what b was
 * accepted with is undone, series it alone defined are forgotten. Returns
 * the samples taken out of b.
 */
size_t ingest_settle(struct collector *c, struct batch *b, int ok);
/* Apply a replayed journal batch to the catalogue at startup. */
void ingest_replay_batch(struct batch *b, void *arg);
/*
 * gunzip src (every member of it, as `cat a.gz b.gz` makes) into a heap
 * buffer no larger than max; -1 too large, -2 corrupt or truncated, -3 bytes
 * after a member that do not start another one. *out is NULL on error.
 */
int ingest_gunzip(const unsigned char *src, size_t len, size_t max,
    unsigned char **out, size_t *outlen);

/* ---- limits.c: global write limits and their figures (loop thread) ---- */
struct evbuffer;
/* Bytes free for the data folder (-1 unknown), read at most once a second. */
long long limits_disk_free(struct collector *c, double now);
/* The RRD step a writer may have: at least limits.min_interval(_agent). */
uint32_t limits_step(struct collector *c, const struct auth_identity *who, uint32_t step);
/* Every ingest limit and its current use, in Prometheus text. */
void limits_metrics(struct collector *c, struct evbuffer *out, double now);

/* ---- ingest_keys.c: ingest.* and limits.* in the configuration schema --- */
extern const struct cfg_key ingest_keys[];

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
/* Validator of ingest.counters for the config schema. */
const char *collector_check_counters(const void *field);

/* A write request (agent, Telegraf) brought samples of this host at now. */
void series_host_written(struct series_catalog *cat, uint32_t host_id, double now);
/* Hosts written since start, in host-id order: the next one's name (and
 * *last_write), or NULL at the end. Start with *cursor = 0. */
const char *series_host_next_written(const struct series_catalog *cat, uint32_t *cursor,
    double *last_write);

#endif
