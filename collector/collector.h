/*
 * collector.h — the types every subsystem shares: struct collector (one per
 * process, passed down, never global), its configuration and figures, the
 * loop queue, and the lifecycle. Each subsystem's own interface lives in its
 * folder's header (http/, auth/, ingest/, store/, inventory/, snmp/, api/).
 *
 * Threads (docs/architecture.md): the loop owns HTTP and the catalogue, the
 * journal thread durability, the store thread RRD files and SQLite.
 */
#ifndef CAMPUSMON_COLLECTOR_H
#define CAMPUSMON_COLLECTOR_H

#include <stddef.h>
#include <stdint.h>

#include "collector/collector_config.h"
#include "collector/services.h"

/* Each subsystem's own types, defined in its folder's header. */
struct collector; struct event_base; struct evhttp; struct lp_parser;
struct series_catalog; struct journal; struct store; struct statedb; struct loader;
struct auth; struct users; struct sessions;
struct device_table; struct discovery; struct sp_poller; struct sp_profile_set;
struct webfiles; struct counters; struct resolver;

/* ---- loopq.c: run closures on the loop thread, posted from any thread -- */
struct loopq;
struct loopq *loopq_new(struct event_base *base);
/* The queue's link, kept inside what is posted (a job, a batch): posting
 * allocates nothing, so a completion that owns a waiting request is never
 * lost to an out-of-memory. It stays in use until fn has started. */
struct loopq_item {
	void (*fn)(void *arg);
	void *arg;
	struct loopq_item *next;
};
void loopq_post(struct loopq *q, struct loopq_item *it, void (*fn)(void *arg), void *arg);
void loopq_free(struct loopq *q);

/* ---- the collector's own figures, read by /metrics ------------------------- */
struct collector_metrics {
	uint64_t samples_accepted;
	uint64_t samples_rejected;
	uint64_t samples_out_of_order;
	uint64_t samples_resent;	/* at exactly their series' last time: ignored */
	uint64_t samples_replayed;
	uint64_t lines_rejected;
	uint64_t requests_write;
	uint64_t requests_refused_busy;
	uint64_t requests_refused_space;	/* 507: below storage.min_free */
	uint64_t intervals_raised;	/* to limits.min_interval(_agent) */
	uint64_t series_created;
	uint64_t rrd_updates;		/* values, written by the store thread */
	uint64_t rrd_update_calls;	/* rrd_update calls, one per file and flush */
	uint64_t rrd_update_errors;
	uint64_t rrd_files_damaged;	/* moved aside and made anew (store/damage.c) */
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

/* ---- subsystems: the collector's life in phases -----------------------------
 * collector.c runs each phase over its table of subsystems: open_privileged
 * in table order while still root (bind ports, open raw sockets, read files
 * the service user may not reach), then the privilege drop; start in table
 * order; reload on SIGHUP, after c->cfg took the new values that apply
 * live; stop in reverse order (stop taking work: the loop may still run
 * callbacks of others), then release in reverse order (free what it owns).
 * Any phase may be NULL. A failing open_privileged or start has logged why;
 * the collector then exits. A start that must wait for the running loop
 * (storage loads the catalogue in slices) answers SUBSYSTEM_LATER and the
 * rest of the table starts when it is ready; until the last one has
 * started, c->starting is 1 and only health answers. A new subsystem
 * exports one of these from its folder and adds one line to the table. */
#define SUBSYSTEM_LATER 1
struct subsystem {
	const char *name;
	int (*open_privileged)(struct collector *c);
	int (*start)(struct collector *c);
	void (*reload)(struct collector *c);
	void (*stop)(struct collector *c);
	void (*release)(struct collector *c);
};

/* ---- observers: how subsystems learn about the world ------------------------
 * A subsystem that decides (alerts, topology, correlation) registers an
 * observer at start instead of reading JSON or being called by name. Each
 * callback runs on the loop thread, synchronously, in registration order:
 * keep it cheap and copy what it keeps (the arguments live for the call
 * only). Unset callbacks cost nothing. */
struct series; struct device; struct sp_iface; struct alert_change; struct cm_event;
struct sp_result;
struct observer {
	const char *name;
	/* A numeric sample taken by the ingest sink (agents, SNMP, traps), once
	 * it is durable: the catalogue's last value already is this one. */
	void (*sample)(void *arg, const struct series *s, double ts, double value);
	/* After every poll of a device: its status before and after (equal when
	 * nothing changed; "unknown" before its first poll). */
	void (*device)(void *arg, const struct device *d, const char *old_status,
	    const char *new_status);
	/* After every good poll, for each interface: old is its row from the
	 * poll before (NULL: first seen), now its row from this one. */
	void (*interface)(void *arg, const struct device *d, const struct sp_iface *old,
	    const struct sp_iface *now);
	/* snmp/: a good poll's raw profile tables (r->tables; the slow ones,
	 * neighbours, only when r->slow_walked), after its interfaces. */
	void (*tables)(void *arg, const struct device *d, const struct sp_result *r);
	/* alert/: an alert changed (notify/ delivers it). */
	void (*alert)(void *arg, const struct alert_change *ch);
	/* events/: a trap or syslog line was taken (alert/ rules, correlation). */
	void (*event)(void *arg, const struct cm_event *ev);
	void *arg;
};

#define OBSERVERS_MAX 16
struct observers {
	struct observer list[OBSERVERS_MAX];
	size_t n;
	size_t n_sample, n_device, n_interface, n_alert, n_event;	/* how many set each */
	size_t n_tables;
};

/* Register o (copied); -1 when the table is full. */
int observe_add(struct collector *c, const struct observer *o);
void observe_sample(struct collector *c, const struct series *s, double ts, double value);
void observe_device(struct collector *c, const struct device *d, const char *old_status,
    const char *new_status);
void observe_interface(struct collector *c, const struct device *d,
    const struct sp_iface *old, const struct sp_iface *now);
void observe_tables(struct collector *c, const struct device *d, const struct sp_result *r);
void observe_alert(struct collector *c, const struct alert_change *ch);
void observe_event(struct collector *c, const struct cm_event *ev);

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
	/* assets.c: read before the privilege drop, folders kept open for SIGHUP */
	struct webfiles *web;
	int web_fd, profiles_fd;
	char *profiles_dir;
	struct sp_profile_set *profiles;	/* handed to the poller at start */
	void *tls_ctx;			/* SSL_CTX when serving HTTPS */
	struct lp_parser *lp;		/* reused by every write request */
	uint32_t ingest_gen;		/* ingest.c: last batch generation given out */
	double disk_checked;		/* limits.c: when disk_free was read */
	long long disk_free;		/* bytes free for the data folder, -1 unknown */
	size_t text_longest;		/* longest string value taken since start */
	struct device_table *devices;
	struct discovery *discovery;
	struct sp_poller *poller;
	struct counters *counters;	/* ingest/counters.c: ingest.counters state */
	struct resolver *resolver;	/* inventory/resolve.c: device host names */
	struct loopq *loopq;
	double started;
	unsigned short bound_port;
	struct users *users;		/* users.c: limiters, housekeeping */
	struct loader *loader;		/* ingest/load.c, while the catalogue loads */
	int starting;			/* 1 until every subsystem started: only health answers */
	size_t start_next;		/* collector.c: the subsystem to start after a LATER */
	struct sessions *sessions;	/* session.c */
	struct observers observers;
	struct services services;	/* services.h: filled by providers at start */
	struct http_conns *conns;	/* http/conns.c */
	struct notify *notify;		/* notify/: channels, outbox */
};

int collector_main(int argc, char **argv);

/* assets.c: SNMP profiles and web UI read as root; SIGHUP re-reads them. */
extern const struct subsystem assets_subsystem;

/* ---- privdrop.c -------------------------------------------------------- */
/* Drop to user if running as root; fatal on failure (startup only). */
void privdrop(const char *user, const char *data_dir);
/* After it: fatal, naming the folder in the way, unless this user can
 * read, write and enter dir. */
void privdrop_check_reach(const char *dir);

#endif
