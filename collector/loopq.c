/*
 * loopq.c — closures posted from worker threads, run on the event loop.
 * Needs evthread_use_pthreads() before the event base is created.
 */
#include "collector/collector.h"

#include <event2/event.h>
#include <pthread.h>
#include <stdlib.h>

struct loopq {
	struct event *ev;
	pthread_mutex_t lock;
	struct loopq_item *head, *tail;
};

static void
loopq_run(evutil_socket_t fd, short what, void *arg)
{
	struct loopq *q = arg;
	(void)fd;
	(void)what;
	pthread_mutex_lock(&q->lock);
	struct loopq_item *it = q->head;
	q->head = q->tail = NULL;
	pthread_mutex_unlock(&q->lock);
	while (it != NULL) {
		struct loopq_item *next = it->next;
		it->fn(it->arg);	/* may free the struct that holds it */
		it = next;
	}
}

struct loopq *
loopq_new(struct event_base *base)
{
	struct loopq *q = calloc(1, sizeof(*q));
	if (q == NULL)
		return NULL;
	pthread_mutex_init(&q->lock, NULL);
	q->ev = event_new(base, -1, 0, loopq_run, q);
	if (q->ev == NULL) {
		free(q);
		return NULL;
	}
	return q;
}

void
loopq_post(struct loopq *q, struct loopq_item *it, void (*fn)(void *arg), void *arg)
{
	it->fn = fn;
	it->arg = arg;
	it->next = NULL;
	pthread_mutex_lock(&q->lock);
	if (q->tail)
		q->tail->next = it;
	else
		q->head = it;
	q->tail = it;
	pthread_mutex_unlock(&q->lock);
	event_active(q->ev, 0, 0);
}

void
loopq_free(struct loopq *q)
{
	if (q == NULL)
		return;
	loopq_run(-1, 0, q);
	event_free(q->ev);
	pthread_mutex_destroy(&q->lock);
	free(q);
}
