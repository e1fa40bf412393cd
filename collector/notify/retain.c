/*
 * retain.c — the outbox's retention: a delivered notification is deleted
 * notify.keep_sent after its delivery, a dead letter notify.keep_dead after
 * it was given up; a pending one stays whatever its age. A round runs on
 * the outbox's own thread (worker.c, outboxdb_prune), never on the loop:
 * once at start, after each reload (new horizons apply at once) and then
 * every RETAIN_EVERY seconds.
 *
 * Figures: a channel's sent count and last delivery are running totals —
 * the rows' figures go to outbox_pruned with the delete — so "sent" never
 * drops; "dead" counts the dead letters the outbox still holds (those
 * Send again can act on), so it drops with them here. A removed channel
 * leaves the list with its last dead letter.
 */
#include <stdlib.h>

#include "collector/notify/notify_internal.h"
#include "common/log.h"
#include "common/util.h"

#define RETAIN_EVERY 300.0

struct retjob {
	struct notify *n;
	double now, keep_sent, keep_dead;
	struct outbox_pruned *v;
	size_t n_v;
};

static void
retain_run(struct sqlite3 *db, void *arg)
{
	struct retjob *job = arg;
	outboxdb_prune(db, job->now, job->keep_sent, job->keep_dead, &job->v, &job->n_v);
}

static void
retain_done(void *arg)
{
	struct retjob *job = arg;
	struct notify *n = job->n;
	long long sent = 0, dead = 0;
	n->jobs_out--;
	n->retaining = 0;
	for (size_t i = 0; i < job->n_v; i++) {
		const struct outbox_pruned *p = &job->v[i];
		sent += p->sent;
		dead += p->dead;
		/* the worker runs jobs in order: these were dead letters already
		 * when the figures were loaded (or counted when they died) */
		struct nchannel *ch = n->stopping ? NULL : nchannels_find(&n->chs, p->channel);
		if (ch != NULL)
			ch->dead -= ch->dead > (uint64_t)p->dead ? (uint64_t)p->dead : ch->dead;
	}
	if (sent + dead > 0)
		log_info("notify: retention deleted %lld sent and %lld dead notifications", sent,
		    dead);
	outboxdb_pruned_free(job->v, job->n_v);
	free(job);
}

void
outbox_retain(struct notify *n)
{
	double now = util_now();
	if (n->retaining || n->worker == NULL || n->stopping)
		return;
	/* (a clock set back: a round now, then the period from there) */
	if (!n->retain_due && now - n->retained < RETAIN_EVERY && now >= n->retained)
		return;
	struct retjob *job = calloc(1, sizeof(*job));
	if (job == NULL)
		return;
	job->n = n;
	job->now = now;
	job->keep_sent = (double)n->c->cfg.notify_keep_sent;
	job->keep_dead = (double)n->c->cfg.notify_keep_dead;
	if (nworker_call(n->worker, retain_run, retain_done, job) < 0) {
		free(job);	/* the queue is full: the next tick tries again */
		return;
	}
	n->jobs_out++;
	n->retaining = 1;
	n->retain_due = 0;
	n->retained = now;
}
