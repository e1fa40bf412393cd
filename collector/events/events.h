/*
 * events.h — traps and syslog: receive (on the loop), parse (pure functions,
 * fuzzed), store and search (SQLite FTS5, written by the store's state
 * writer, searched by its reader pool), log rules
 * that raise alerts, and the events API (DESIGN §9 Events).
 *
 * Flow: a datagram or TCP frame is parsed on the loop into a struct
 * cm_event, tied to a device, rate-limited per source, and queued
 * (bounded: a full queue drops, counted as reason=queue) for the state
 * writer, which writes batches in one transaction each and hands each batch
 * back to the loop, which runs the log rules and observe_event() for every
 * stored event.
 */
#ifndef CAMPUSMON_EVENTS_H
#define CAMPUSMON_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "common/cfg.h"
#include "collector/http/http.h"

struct collector;
struct evbuffer;
struct json_t;
struct route;
struct subsystem;
struct sockaddr;
struct sockaddr_storage;

/* poll: an interface's ifOperStatus change seen by a poll that no link trap
 * announced (one that did is marked confirmed on the trap's event instead) */
enum cm_event_kind { CM_EV_TRAP = 0, CM_EV_SYSLOG = 1, CM_EV_POLL = 2 };
#define CM_EV_KINDS 3

struct cm_varbind {
	char *oid;		/* numeric, dotted */
	char *name;		/* from the names table ("ifIndex.3"), or NULL */
	char *value;		/* printable UTF-8 */
};

/* One trap or syslog line. Every string is valid UTF-8 without NUL (made so
 * by ev_text_clean()), heap-owned by the event; NULL when absent. */
struct cm_event {
	int64_t id;		/* 0 until stored */
	double ts;		/* receive time */
	double sent_ts;		/* the sender's own time, 0 when none */
	enum cm_event_kind kind;
	int64_t device_id;	/* 0: no device has this address */
	char *device;		/* the device's name */
	char source_address[64];
	int severity;		/* syslog 0 emerg .. 7 debug; -1 none */
	int facility;		/* syslog 0 kern .. 23 local7; -1 none */
	char *host;		/* the header's host name */
	char *program;		/* APP-NAME / TAG, or "snmptrap" */
	char *message;		/* after the header, with any %FAC-SEV-MNEMONIC */
	char *tag;		/* "LINK-3-UPDOWN" (Cisco/Huawei/H3C), or NULL */
	char *trap_oid, *trap_name;
	struct cm_varbind *vb;
	size_t n_vb;
	char *subject;		/* what within the device (an interface), or NULL */
	long if_index;		/* the interface a link trap or poll is about; 0 none */
	double confirmed_ts;	/* a poll saw what this trap said, then; 0 not yet */
	uint64_t fts_hits;	/* bit k: its batch's FTS expression k matches it */
};

struct cm_event *cm_event_new(enum cm_event_kind kind, double now);
void cm_event_free(struct cm_event *ev);
/* Add a varbind (strings copied and cleaned); -1 on no memory. */
int cm_event_add_vb(struct cm_event *ev, const char *oid, const char *name,
    const char *value, size_t value_len);
const char *cm_event_kind_name(enum cm_event_kind k);
int cm_event_kind_parse(const char *s);		/* -1 when unknown */
const char *ev_severity_name(int sev);		/* "err"; NULL out of range */
int ev_severity_parse(const char *s);		/* name or digit; -1 */
const char *ev_facility_name(int fac);		/* "local7"; NULL out of range */

/* ---- text.c: bytes from the wire to storable text --------------------------
 * Valid UTF-8 is copied; else, when the whole input is valid GBK (GB18030),
 * it is converted; else every invalid byte is written as \xHH. NUL becomes
 * \x00, other C0 controls but tab as \xHH too. At most max bytes of input
 * are used. Returns a heap string (never NULL unless out of memory). */
char *ev_text_clean(const char *in, size_t len, size_t max);

/* ---- syslog_parse.c: one syslog message, RFC 5424 or RFC 3164 -------------
 * Fills ev (kind syslog) from buf[len]: PRI, header, program, message, the
 * %FAC-SEV-MNEMONIC tag. A message without a header is kept whole with
 * severity notice and facility user (RFC 3164 §4.3.3). now is the receive
 * time, and the year of 3164 timestamps. Returns 0, or -1 when nothing
 * printable is left (empty). Pure: no I/O, no globals. */
int syslog_parse(const char *buf, size_t len, double now, size_t max_message,
    struct cm_event *ev);
/* Find a Cisco/Huawei/H3C "%FAC-SEV-MNEMONIC" (Huawei: "%%01FAC/4/MNEM(l)")
 * in msg: the tag "FAC-SEV-MNEMONIC" into tag[cap] and its severity, or -1
 * when there is none. */
int syslog_find_tag(const char *msg, char *tag, size_t cap, int *severity);

/* ---- framing.c: syslog over TCP (RFC 6587) ---------------------------------
 * Cut the next frame from data[len]: octet counting ("LEN SP MSG") when
 * the stream starts with a digit, else up to LF. *frame, *frame_len: the
 * frame without its terminator. Returns bytes consumed (>0) when a frame
 * is there (*frame_len 0: only blank noise was consumed); 0 when more data
 * is needed; -1 when the stream is broken (a
 * count above max, a count without a space). An LF-framed line longer than
 * max is cut at max (the rest is the next frame). */
long syslog_frame_next(const char *data, size_t len, size_t max, const char **frame,
    size_t *frame_len);

/* ---- ber.c: the SNMPv3 header of a raw message, read before net-snmp -------
 * Bounded BER walk: msgAuthoritativeEngineID and msgUserName of a v3
 * message; 0, or -1 when it is not a well-formed v3 message. */
int ber_v3_peek(const unsigned char *buf, size_t len, unsigned char *engine_id,
    size_t *engine_id_len, char *user, size_t user_cap);

/* ---- trapnames.c: numeric OID → name, compiled in plus data files ---------- */
/* The longest known prefix of oid names it: "ifIndex" + ".3" when oid is
 * ifIndex.3. Writes into out[cap]; 0, or -1 when no prefix is known. */
int trapnames_lookup(const char *oid, char *out, size_t cap);
/* Add "OID NAME" lines ('#' comments) from path: the count, -1 unreadable. */
int trapnames_load_file(const char *path);

/* ---- listen.c: receiver addresses ------------------------------------------ */
int ev_listen_parse(const char *spec, int *tcp, struct sockaddr_storage *ss, int *sslen);
const char *ev_check_listen(const void *field);	/* config check of a listen list */
/* A bound socket (non-blocking; TCP listening) for spec, or -1 with err. */
int ev_listen_open(const char *spec, int tcp_ok, int rcvbuf, char *err, size_t errlen);
void ev_addr_text(const struct sockaddr *sa, char *out, size_t cap);	/* syslog.c */

/* ---- traps.c: net-snmp server sessions on the loop ------------------------- */
/* One traps.v3_users entry checked: NULL or why not. */
const char *ev_v3_user_check(const struct cfg_node *m);
const char *ev_check_v3_users(const void *field);
/* A raw v1/v2c message to an event without a session (fuzz, tests). */
struct cm_event *traps_decode_raw(const unsigned char *buf, size_t len, double now);
struct ev_traps;
struct ev_traps *traps_open(struct collector *c, char *err, size_t errlen);
int traps_start(struct ev_traps *t, struct collector *c);
void traps_free(struct ev_traps *t);
/* From a decoded trap PDU (netsnmp_pdu *): the event, or NULL. Pure but for
 * the names table. */
struct cm_event *traps_pdu_to_event(const void *pdu, double now);

/* ---- syslog.c: UDP and TCP listeners --------------------------------------- */
struct ev_syslog;
struct ev_syslog *syslog_open(struct collector *c, char *err, size_t errlen);
int syslog_start(struct ev_syslog *s, struct collector *c);
void syslog_free(struct ev_syslog *s);

/* ---- eventdb.c: the events database, on the store's state writer ---------- */
struct ev_db;
struct ev_query {
	char *q;		/* FTS5 text or NULL */
	double from, to;	/* 0: open */
	int64_t device_id;	/* 0: any */
	int kind;		/* -1: any */
	int severity;		/* -1: any; else at most this (as syslog: lower is worse) */
	int64_t before;		/* 0: newest */
	long limit;
};
/* Open DIR/events.db (schema made); its writes go to c->store's state
 * writer, its searches to the reader pool. */
struct ev_db *evdb_open(const char *path, size_t queue_max, struct collector *c, char *err,
    size_t errlen);
/* Queue ev (taken, freed by the db); -1 when the queue is full (then freed). */
int evdb_put(struct ev_db *db, struct cm_event *ev);
/* Run q on the reader pool; done(arg, rows, err) on the loop: rows a JSON
 * array (new ref) or NULL with err ("bad query: ..."; is_syntax 1 for a bad
 * q). -1, nothing queued, when out of memory or the pool's queue is full. */
typedef void (*evdb_query_fn)(void *arg, struct json_t *rows, const char *err, int bad_query);
int evdb_query(struct ev_db *db, const struct ev_query *q, evdb_query_fn done, void *arg);
/* Mark event id as confirmed by a poll at ts (the linkDown/poll pair). */
int evdb_confirm(struct ev_db *db, int64_t id, double ts);
/* Store on each event the alert a log rule raised, kept or resolved with it
 * (GET /api/v1/events "alert_id"); the n pairs are copied and written in
 * one transaction. 0, or -1 when out of memory. */
struct evdb_link {
	int64_t event_id, alert_id;
};
int evdb_link_alert(struct ev_db *db, const struct evdb_link *links, size_t n);
/* The log rules' FTS expressions (copied; at most EV_FTS_MAX): each batch
 * is matched against them in the index once written, and goes back to
 * events_stored with the list it was matched against. */
#define EV_FTS_MAX 64
struct ev_fts {
	char **v;
	size_t n;
};
void evdb_set_fts(struct ev_db *db, const struct ev_fts *fts);
/* Retention: delete older than max_age seconds and oldest beyond max_bytes. */
void evdb_set_retention(struct ev_db *db, long long max_age, long long max_bytes);
size_t evdb_queue_depth(struct ev_db *db);
void evdb_close(struct ev_db *db);	/* flushes what is queued */

/* ---- cjk.c: the index's tokenizer ------------------------------------------
 * Register "cjk" (unicode61; CJK runs as characters plus colocated pairs)
 * on db's FTS5; 0, or -1 when FTS5 is missing. */
struct sqlite3;
int ev_cjk_register(struct sqlite3 *db);

/* ---- evstore.c: the events table and its partitioned FTS5 index ------------
 * A store is used by one thread at a time: the writer's by the state
 * writer's jobs (or a test), a reader's by its reader thread. */
struct ev_store;
struct ev_store *evstore_open(const char *path, char *err, size_t errlen);
/* A connection for searches only, to a database evstore_open made. */
struct ev_store *evstore_open_reader(const char *path, char *err, size_t errlen);
void evstore_close(struct ev_store *s);
/* Move the WAL into the file and empty it (at a clean stop). */
void evstore_checkpoint(struct ev_store *s);
/* Store a batch in one durable transaction: sets each event's id (0: not
 * stored) and returns how many were stored (0 when the batch failed). */
size_t evstore_write(struct ev_store *s, struct cm_event **evs, size_t n);
/* Newest first, at most q->limit: a JSON array, or NULL with err (and
 * *bad_query set when q's FTS5 text is the fault). */
struct json_t *evstore_query(struct ev_store *s, const struct ev_query *q, char *err,
    size_t errlen, int *bad_query);
/* The same in one read transaction, the partitions read afresh: for a
 * reader, while the writer adds and drops partitions. */
struct json_t *evstore_search(struct ev_store *s, const struct ev_query *q, char *err,
    size_t errlen, int *bad_query);
int evstore_confirm(struct ev_store *s, int64_t id, double ts);
void evstore_link_alerts(struct ev_store *s, const struct evdb_link *links, size_t n);
/* After evstore_write: set each event's fts_hits from the index, bit k for
 * fts->v[k] (FTS5 over message, program and device, as a search's q). */
void evstore_fts_hits(struct ev_store *s, struct cm_event **evs, size_t n,
    const struct ev_fts *fts);
/* Is expr a valid FTS5 expression for a search's q or a rule's fts? 0, or
 * -1 with SQLite's reason in err. */
int ev_fts_check(const char *expr, char *err, size_t errlen);
/* Delete older than max_age seconds and the oldest beyond max_bytes (0: no
 * bound); returns how many events went. */
long long evstore_retention(struct ev_store *s, long long max_age, long long max_bytes,
    double now);
/* Events per index partition (tests make it small); how many there are. */
void evstore_set_part_rows(struct ev_store *s, long long rows);
/* A WAL larger than this (256 MB) is truncated at retention when unread. */
void evstore_set_wal_trim(struct ev_store *s, long long bytes);
int evstore_parts(const struct ev_store *s);

/* ---- events.c: the subsystem ------------------------------------------------ */
extern const struct subsystem events_subsystem;
extern const struct cfg_key events_keys[];
extern const struct route api_events_routes[];
enum ev_drop { EV_DROP_KERNEL, EV_DROP_RATE, EV_DROP_QUEUE, EV_DROP_PARSE, EV_DROP_N };
struct ev_counts {
	uint64_t received[CM_EV_KINDS];
	uint64_t stored[CM_EV_KINDS];
	uint64_t dropped[CM_EV_KINDS][EV_DROP_N];
};
/* Count and take a parsed event from a receiver (loop thread): device, rate,
 * queue. ev is taken. */
void events_take(struct collector *c, struct cm_event *ev);
/* Tie ev to the device with address addr, if one has it. */
void events_tie(struct collector *c, struct cm_event *ev, const char *addr);
struct ev_db *events_db(struct collector *c);
void events_no_engine(struct collector *c);	/* log once: rules without alert/ */
void events_drop(struct collector *c, enum cm_event_kind k, enum ev_drop why, uint64_t n);
/* A refused datagram: log at most once a minute per reason. */
void events_log_refused(struct collector *c, const char *what, const char *from);
/* campusmon_events_* for /metrics. */
void events_metrics(struct collector *c, struct evbuffer *out);
/* eventdb.c → events.c, on the loop: a batch was stored, its fts_hits
 * against fts. */
void events_stored(struct collector *c, struct cm_event **evs, size_t n,
    const struct ev_fts *fts);

/* ---- rules.c: log rules (events.rules and the shipped defaults) ------------ */
struct ev_rules;
struct ev_rules *ev_rules_new(const struct cfg_node *rules, int defaults, char *err,
    size_t errlen);
/* The distinct fts expressions of the rules into out->v, which holds
 * EV_FTS_MAX (the strings are the rules': valid while r is). */
void ev_rules_fts(const struct ev_rules *r, struct ev_fts *out);
/* Before a batch is fed: which bit of its fts_hits is each rule's. */
void ev_rules_batch(struct ev_rules *r, const struct ev_fts *fts);
/* Feed one stored event; raises through services.alert_condition. */
void ev_rules_feed(struct ev_rules *r, struct collector *c, const struct cm_event *ev);
/* After a batch is fed: store the alert ids it gave to its events. */
void ev_rules_flush_links(struct ev_rules *r, struct collector *c);
void ev_rules_free(struct ev_rules *r);
/* Every few seconds: resolve quiet conditions (a rule's hold), forget keys. */
void ev_rules_tick(struct ev_rules *r, struct collector *c, double now);
/* Check events.rules for -t; NULL or an error text. */
const char *ev_rules_check(const void *field);

#endif
