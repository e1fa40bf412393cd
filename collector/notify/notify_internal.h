/*
 * notify_internal.h — the notifier's state, shared by notify.c (the
 * subsystem, routes, escalation), outbox.c (recording and sending) and the
 * HTTP files. Loop thread only.
 */
#ifndef CAMPUSMON_NOTIFY_INTERNAL_H
#define CAMPUSMON_NOTIFY_INTERNAL_H

#include <jansson.h>
#include <stdint.h>

#include "collector/notify/notify.h"

struct event;
struct curlev;

/* One notification for one channel, from recording to delivery. */
struct nitem {
	int64_t id;			/* outbox row; 0 until recorded */
	int64_t alert_id;
	char *event, *dedupe, *payload;	/* payload: the webhook body (JSON text) */
	char *channel;			/* its name: the index changes with a reload */
	size_t ch;			/* index into n->chs while in its queue */
	int attempts;
	int in_flight;
	double next_try, created;
	struct nitem *prev, *next;	/* the channel's queue */
};

/* A channel's queue and its rate (people's channels are grouped when busy). */
struct nqueue {
	struct nitem *head, *tail;
	size_t len, in_flight;
	double tokens, refilled;
};

struct dbop;
struct nesc;
struct nsend;

struct notify {
	struct collector *c;
	struct nchannels chs;
	struct nroutes routes;
	struct nqueue *q;		/* one per channel */
	struct curlev *cv;
	struct nworker *worker;
	struct event *tick;
	unsigned char key[ACK_KEY_BYTES];
	char *base_url;			/* http.public_url without its last '/' */
	/* outbox writes waiting for the store thread, written one batch at a time */
	struct dbop *ops, *ops_tail;
	size_t n_ops;
	int writing, loading, stopping;
	size_t jobs_out;		/* worker jobs whose done has not run yet */
	size_t in_flight;
	struct nsend *sends;		/* the attempts under way */
	struct nesc *escs;		/* escalation timers */
	uint64_t recorded, delivered, retried, dead, grouped;
	/* retention (retain.c): a round out, one asked for, the last one's start */
	int retaining, retain_due;
	double retained;
};

/* ---- outboxdb.c: the outbox's SQLite file (the worker's thread only) ------- */
struct sqlite3;
struct outbox_row {
	int64_t id, alert_id;
	const char *event, *channel, *payload;
	int attempts;
	double next_try, created;
};
/* Open (making it and its table if needed) the outbox database. */
int outboxdb_open(const char *path, struct sqlite3 **out);
int outboxdb_begin(struct sqlite3 *db);
int outboxdb_commit(struct sqlite3 *db);
/* The new row's id; 0 when its dedupe key (NULL: none) was queued before; -1 error. */
int64_t outboxdb_insert(struct sqlite3 *db, const char *dedupe, int64_t alert_id,
    const char *event, const char *channel, const char *payload, double now);
int outboxdb_update(struct sqlite3 *db, int64_t id, const char *state, int attempts,
    double next_try, const char *error, double now);
/* Make channel's dead letters pending again (attempts and age from now) and
 * pass each to cb. 0 or -1. */
int outboxdb_requeue_dead(struct sqlite3 *db, const char *channel, double now,
    void (*cb)(const struct outbox_row *r, void *arg), void *arg);
/* Every pending row in id order; the row's strings live for the call. */
int outboxdb_load_pending(struct sqlite3 *db,
    void (*cb)(const struct outbox_row *r, void *arg), void *arg);
/* {channel: {sent, dead, pending, last_delivery, dead_letters: [newest first]}};
 * sent and last_delivery include the deliveries retention deleted. */
json_t *outboxdb_summary(struct sqlite3 *db, int dead_per_channel);
/* What one retention round deleted of one channel. */
struct outbox_pruned {
	char *channel;
	int64_t sent, dead;
};
/* Retention at time now: delete the rows sent (their "updated": the
 * delivery) more than keep_sent seconds before now and the dead letters
 * given up more than keep_dead before; pending rows whatever their age.
 * The deliveries go to the channel's kept figures (outbox_pruned) in the
 * same transaction. *out: one entry per channel that lost rows (free it
 * with outboxdb_pruned_free). 0, or -1 with nothing deleted. */
int outboxdb_prune(struct sqlite3 *db, double now, double keep_sent, double keep_dead,
    struct outbox_pruned **out, size_t *n_out);
void outboxdb_pruned_free(struct outbox_pruned *v, size_t n);

/* ---- worker.c: the thread that owns that file ------------------------------ */
struct nworker;
struct loopq;
struct nworker *nworker_start(const char *data_dir, struct loopq *q);
/* fn(db, arg) on the worker's thread, then done(arg) on the loop (done may be
 * NULL). -1, nothing queued, when out of memory, full or stopping. */
int nworker_call(struct nworker *w, void (*fn)(struct sqlite3 *db, void *arg),
    void (*done)(void *arg), void *arg);
/* Run what is queued, then end the thread and close the file. */
void nworker_stop(struct nworker *w);

/* outbox.c */
/* Record (then send) one notification; payload is the webhook body. */
int outbox_enqueue(struct notify *n, size_t ch, int64_t alert_id, const char *event,
    const char *dedupe, json_t *payload);
/* Start sending what is due, within the bounds. */
void outbox_pump(struct notify *n);
/* Send channel's dead letters again (after its receiver was fixed). 0 queued. */
int outbox_requeue(struct notify *n, const char *channel);
/* A reload: fresh (parsed) becomes n->chs, the old channels are freed.
 * Queues, figures and attempts under way follow their channel by name;
 * what waits for a channel fresh lacks becomes a dead letter (the attempts
 * under way for it record how they end). 0, or -1 out of memory (nothing
 * changed). */
int outbox_rechannel(struct notify *n, struct nchannels *fresh);
/* Read the pending rows and the figures at start. */
int outbox_load(struct notify *n);
/* Write what waits (store thread), if nothing is being written. */
void outbox_flush(struct notify *n);
/* At stop: queue what waits to be written before the worker ends. */
void outbox_flush_last(struct notify *n);
void outbox_free_items(struct notify *n);

/* retain.c */
/* From the tick: a retention round on the outbox's thread when one is due
 * (n->retain_due set: at once; else every few minutes). */
void outbox_retain(struct notify *n);

#endif
