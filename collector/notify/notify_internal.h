/*
 * notify_internal.h — the notifier's state, shared by notify.c (the
 * subsystem, routes, escalation), outbox.c (recording and sending) and the
 * HTTP files. Loop thread only.
 */
#ifndef CAMPUSMON_NOTIFY_INTERNAL_H
#define CAMPUSMON_NOTIFY_INTERNAL_H

#include <stdint.h>

#include "collector/notify/notify.h"

struct event;
struct curlev;

/* One notification for one channel, from recording to delivery. */
struct nitem {
	int64_t id;			/* outbox row; 0 until recorded */
	int64_t alert_id;
	char *event, *dedupe, *payload;	/* payload: the webhook body (JSON text) */
	size_t ch;			/* index into n->chs */
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

struct notify {
	struct collector *c;
	struct nchannels chs;
	struct nroutes routes;
	struct nqueue *q;		/* one per channel */
	struct curlev *cv;
	struct event *tick;
	unsigned char key[ACK_KEY_BYTES];
	char *base_url;			/* http.public_url without its last '/' */
	/* outbox writes waiting for the store thread, written one batch at a time */
	struct dbop *ops, *ops_tail;
	size_t n_ops;
	int writing, loading, stopping;
	size_t in_flight;
	struct nesc *escs;		/* escalation timers */
	uint64_t recorded, delivered, retried, dead, grouped;
};

/* outbox.c */
/* Record (then send) one notification; payload is the webhook body. */
int outbox_enqueue(struct notify *n, size_t ch, int64_t alert_id, const char *event,
    const char *dedupe, json_t *payload);
/* Start sending what is due, within the bounds. */
void outbox_pump(struct notify *n);
/* Read the pending rows and the figures at start. */
int outbox_load(struct notify *n);
/* Write what waits (store thread), if nothing is being written. */
void outbox_flush(struct notify *n);
void outbox_free_items(struct notify *n);

#endif
