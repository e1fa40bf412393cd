/*
 * outbox.c — the persistent outbox: a notification is written to SQLite
 * (outboxdb.c, on the outbox's own thread) before its first attempt; then it
 * is sent through curlev.c with at most notify.max_concurrent at once.
 * 5xx, 429, timeouts and network or TLS errors are retried (2 s, doubling
 * to notify.retry_max); 4xx, a robot's refusal and an SMTP 5xx make a dead
 * letter at once, and so does failing for notify.give_up. People's
 * channels take notify.group_after messages a minute; beyond that the
 * waiting alerts go together, up to GROUP_MAX in one message.
 *
 * Outbox writes queue in memory and go to the outbox's thread (worker.c)
 * one batch (one transaction) at a time, so an alert storm costs a few
 * commits, not one per alert.
 */
#include "config.h"

#include <curl/curl.h>
#include <event2/event.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "collector/notify/notify_internal.h"
#include "collector/notify/curlev.h"
#include "common/log.h"
#include "common/util.h"

#define GROUP_MAX 500
#define FIRST_RETRY 2.0
#define NOCH ((size_t)-1)	/* a send's or item's channel was removed by a reload */

enum { OP_INSERT, OP_UPDATE };
struct dbop {
	int kind;
	struct nitem *item;		/* OP_INSERT: filled with the row id */
	int64_t id;			/* OP_UPDATE */
	const char *state;
	int attempts;
	double next_try;
	char *error;
	int64_t new_id;
	struct dbop *next;
};

#define REMOVED "removed from notify.channels"
static void dead_letter(struct notify *n, int64_t id, int attempts, const char *channel,
    const char *last);

struct dbjob {
	struct notify *n;
	struct dbop *ops;
	double now;
};

/* One attempt: one item, or a group of them for a people's channel. */
struct nsend {
	struct notify *n;
	size_t ch;			/* NOCH: removed while this was sent */
	enum nch_type type;
	struct nitem **items;
	size_t n_items;
	CURL *easy;
	struct nreq req;
	size_t upload_at;
	struct nsend *prev, *next;	/* n->sends */
};

static int
human(const struct nchannel *ch)
{
	return ch->type != NCH_WEBHOOK;
}

/* ---- the channel queues ------------------------------------------------------ */

static void
queue_append(struct nqueue *q, struct nitem *it)
{
	it->prev = q->tail;
	it->next = NULL;
	if (q->tail)
		q->tail->next = it;
	else
		q->head = it;
	q->tail = it;
	q->len++;
}

static void
queue_remove(struct nqueue *q, struct nitem *it)
{
	if (it->prev)
		it->prev->next = it->next;
	else
		q->head = it->next;
	if (it->next)
		it->next->prev = it->prev;
	else
		q->tail = it->prev;
	q->len--;
}

static void
item_free(struct nitem *it)
{
	free(it->event);
	free(it->channel);
	free(it->dedupe);
	free(it->payload);
	free(it);
}

void
outbox_free_items(struct notify *n)
{
	for (size_t i = 0; n->q != NULL && i < n->chs.n; i++)
		while (n->q[i].head != NULL) {
			struct nitem *it = n->q[i].head;
			queue_remove(&n->q[i], it);
			item_free(it);
		}
	while (n->ops != NULL) {
		struct dbop *op = n->ops;
		n->ops = op->next;
		if (op->kind == OP_INSERT)
			item_free(op->item);
		free(op->error);
		free(op);
	}
}

/* ---- writes to the outbox ---------------------------------------------------- */

static void
op_push(struct notify *n, struct dbop *op)
{
	op->next = NULL;
	if (n->ops_tail)
		n->ops_tail->next = op;
	else
		n->ops = op;
	n->ops_tail = op;
	n->n_ops++;
}

static void
write_run(struct sqlite3 *db, void *arg)
{
	struct dbjob *job = arg;
	outboxdb_begin(db);
	for (struct dbop *op = job->ops; op != NULL; op = op->next) {
		if (op->kind == OP_INSERT) {
			struct nitem *it = op->item;
			op->new_id = outboxdb_insert(db, it->dedupe, it->alert_id, it->event,
			    it->channel, it->payload, it->created);
		} else if (outboxdb_update(db, op->id, op->state, op->attempts, op->next_try,
		    op->error, job->now) < 0) {
			log_warnx("outbox: cannot record the outcome of notification %lld",
			    (long long)op->id);
		}
	}
	if (outboxdb_commit(db) < 0)
		for (struct dbop *op = job->ops; op != NULL; op = op->next)
			op->new_id = -1;
}

static void
write_done(void *arg)
{
	struct dbjob *job = arg;
	struct notify *n = job->n;
	n->writing = 0;
	n->jobs_out--;
	while (job->ops != NULL) {
		struct dbop *op = job->ops;
		job->ops = op->next;
		if (op->kind == OP_INSERT && !n->stopping) {
			struct nitem *it = op->item;
			struct nchannel *ch = nchannels_find(&n->chs, it->channel);
			if (op->new_id > 0 && ch == NULL) {
				/* recorded while a reload removed its channel */
				it->id = op->new_id;
				n->recorded++;
				log_warnx("notify: %s for alert %lld to %s is a dead letter: %s",
				    it->event, (long long)it->alert_id, it->channel, REMOVED);
				dead_letter(n, it->id, it->attempts, it->channel, NULL);
				item_free(it);
			} else if (op->new_id > 0) {
				it->id = op->new_id;
				it->ch = (size_t)(ch - n->chs.v);
				n->recorded++;
				ch->pending++;
				queue_append(&n->q[it->ch], it);
			} else if (op->new_id == 0) {
				log_debug("notify", "%s for alert %lld to %s was queued before",
				    it->event, (long long)it->alert_id, it->channel);
				item_free(it);
			} else {
				/* not recorded: not sent either; try again with the next batch */
				op_push(n, op);
				continue;
			}
		} else if (op->kind == OP_INSERT) {
			item_free(op->item);
		}
		free(op->error);
		free(op);
	}
	free(job);
	if (n->stopping)
		return;
	outbox_pump(n);
	outbox_flush(n);
}

void
outbox_flush(struct notify *n)
{
	if (n->writing || n->ops == NULL || n->worker == NULL || n->stopping)
		return;
	struct dbjob *job = calloc(1, sizeof(*job));
	if (job == NULL)
		return;
	job->n = n;
	job->ops = n->ops;
	job->now = util_now();
	if (nworker_call(n->worker, write_run, write_done, job) < 0) {
		free(job);	/* the queue is full: the tick tries again */
		return;
	}
	n->jobs_out++;
	n->ops = n->ops_tail = NULL;
	n->n_ops = 0;
	n->writing = 1;
}

/* At stop: what waits is written (and freed) on the worker's thread before
 * it ends; nothing comes back to the loop. */
static void
write_last(struct sqlite3 *db, void *arg)
{
	struct dbjob *job = arg;
	write_run(db, job);
	while (job->ops != NULL) {
		struct dbop *op = job->ops;
		job->ops = op->next;
		if (op->kind == OP_INSERT)
			item_free(op->item);
		free(op->error);
		free(op);
	}
	free(job);
}

void
outbox_flush_last(struct notify *n)
{
	struct dbjob *job = n->ops != NULL && n->worker != NULL ? calloc(1, sizeof(*job)) : NULL;
	if (job == NULL)
		return;
	job->n = n;
	job->ops = n->ops;
	job->now = util_now();
	if (nworker_call(n->worker, write_last, NULL, job) < 0) {
		free(job);
		return;
	}
	n->ops = n->ops_tail = NULL;
	n->n_ops = 0;
}

static void
record(struct notify *n, int64_t id, const char *state, int attempts, double next_try,
    const char *error)
{
	struct dbop *op = calloc(1, sizeof(*op));
	if (op == NULL)
		return;	/* stays pending in the outbox: sent again after a restart */
	op->kind = OP_UPDATE;
	op->id = id;
	op->state = state;
	op->attempts = attempts;
	op->next_try = next_try;
	op->error = error ? strdup(error) : NULL;
	op_push(n, op);
}

static void
record_outcome(struct notify *n, struct nitem *it, const char *state, const char *error)
{
	record(n, it->id, state, it->attempts, it->next_try, error);
}

/* Row id was for channel, which is no longer configured: a dead letter
 * that says so (and, if it was being sent, how that attempt ended). */
static void
dead_letter(struct notify *n, int64_t id, int attempts, const char *channel, const char *last)
{
	char why[300];
	snprintf(why, sizeof(why), "channel '%s': %s%s%s", channel, REMOVED,
	    last ? "; its last attempt: " : "", last ? last : "");
	record(n, id, "dead", attempts, 0, why);
	n->dead++;
}

int
outbox_enqueue(struct notify *n, size_t ch, int64_t alert_id, const char *event,
    const char *dedupe, json_t *payload)
{
	struct nitem *it = calloc(1, sizeof(*it));
	struct dbop *op = calloc(1, sizeof(*op));
	if (it == NULL || op == NULL) {
		free(it);
		free(op);
		return -1;
	}
	it->alert_id = alert_id;
	it->ch = ch;
	it->event = strdup(event);
	it->channel = strdup(n->chs.v[ch].name);
	it->dedupe = dedupe ? strdup(dedupe) : NULL;
	it->payload = json_dumps(payload, JSON_COMPACT);
	it->created = it->next_try = util_now();
	if (it->event == NULL || it->channel == NULL || it->payload == NULL ||
	    (dedupe && it->dedupe == NULL)) {
		item_free(it);
		free(op);
		return -1;
	}
	op->kind = OP_INSERT;
	op->item = it;
	op_push(n, op);
	outbox_flush(n);
	return 0;
}

/* ---- loading at start --------------------------------------------------------- */

struct loadjob {
	struct notify *n;
	struct outbox_row *rows;
	size_t n_rows, cap;
	json_t *summary;
	int rc;
	char *requeue;			/* outbox_requeue: the channel whose dead letters go again */
	double now;
};

static void
load_row(const struct outbox_row *r, void *arg)
{
	struct loadjob *job = arg;
	if (job->n_rows == job->cap) {
		size_t cap = job->cap ? job->cap * 2 : 64;
		struct outbox_row *v = realloc(job->rows, cap * sizeof(*v));
		if (v == NULL)
			return;
		job->rows = v;
		job->cap = cap;
	}
	struct outbox_row *c = &job->rows[job->n_rows++];
	*c = *r;
	c->event = strdup(r->event);
	c->channel = strdup(r->channel);
	c->payload = strdup(r->payload);
}

static void
load_run(struct sqlite3 *db, void *arg)
{
	struct loadjob *job = arg;
	job->rc = outboxdb_load_pending(db, load_row, job);
	job->summary = outboxdb_summary(db, 0);
}

static void
load_done(void *arg)
{
	struct loadjob *job = arg;
	struct notify *n = job->n;
	double now = util_now();
	if (job->requeue == NULL)
		n->loading = 0;
	n->jobs_out--;
	const char *name;
	json_t *v;
	json_object_foreach(job->summary, name, v) {
		struct nchannel *ch = nchannels_find(&n->chs, name);
		if (ch == NULL)
			continue;
		ch->sent = (uint64_t)json_integer_value(json_object_get(v, "sent"));
		ch->dead = (uint64_t)json_integer_value(json_object_get(v, "dead"));
		if (json_is_number(json_object_get(v, "last_delivery")))
			ch->last_ok = json_number_value(json_object_get(v, "last_delivery"));
	}
	size_t taken = 0, unconfigured = 0;
	for (size_t i = 0; i < job->n_rows; i++) {
		struct outbox_row *r = &job->rows[i];
		struct nchannel *ch = n->stopping ? NULL : nchannels_find(&n->chs, r->channel);
		struct nitem *it = ch ? calloc(1, sizeof(*it)) : NULL;
		if (it != NULL) {
			it->id = r->id;
			it->alert_id = r->alert_id;
			it->event = (char *)r->event;
			it->channel = (char *)r->channel;
			it->payload = (char *)r->payload;
			it->ch = (size_t)(ch - n->chs.v);
			it->attempts = r->attempts;
			it->created = r->created;
			/* due again at once: pending entries go within 10 s of a start */
			it->next_try = r->next_try < now + 5 ? r->next_try : now + 5;
			ch->pending++;
			if (job->requeue != NULL && ch->dead > 0)
				ch->dead--;
			queue_append(&n->q[it->ch], it);
			taken++;
			continue;
		}
		if (!n->stopping && ch == NULL) {
			/* its channel left the configuration while the collector was
			 * down (or by a reload meanwhile): as a reload does */
			dead_letter(n, r->id, r->attempts, r->channel, NULL);
			unconfigured++;
		}
		free((char *)r->event);
		free((char *)r->channel);
		free((char *)r->payload);
	}
	if (job->rc < 0)
		log_warnx("outbox: cannot read the pending notifications");
	else if (taken > 0)
		log_info("outbox: %zu %s notifications to send", taken, job->requeue ?
		    "dead letters of channel" : "pending");
	if (unconfigured > 0)
		log_warnx("outbox: %zu pending notifications are for channels no longer in "
		    "notify.channels: dead letters now (GET /api/v1/channels lists them)",
		    unconfigured);
	free(job->requeue);
	free(job->rows);
	json_decref(job->summary);
	free(job);
	if (n->stopping)
		return;
	outbox_flush(n);
	outbox_pump(n);
}

int
outbox_load(struct notify *n)
{
	struct loadjob *job = calloc(1, sizeof(*job));
	if (job == NULL)
		return -1;
	job->n = n;
	if (nworker_call(n->worker, load_run, load_done, job) < 0) {
		free(job);
		return -1;
	}
	n->jobs_out++;
	n->loading = 1;
	return 0;
}

static void
requeue_run(struct sqlite3 *db, void *arg)
{
	struct loadjob *job = arg;
	job->rc = outboxdb_requeue_dead(db, job->requeue, job->now, load_row, job);
}

int
outbox_requeue(struct notify *n, const char *channel)
{
	struct loadjob *job = calloc(1, sizeof(*job));
	if (job == NULL || (job->requeue = strdup(channel)) == NULL) {
		free(job);
		return -1;
	}
	job->n = n;
	job->now = util_now();
	if (n->worker == NULL || nworker_call(n->worker, requeue_run, load_done, job) < 0) {
		free(job->requeue);
		free(job);
		return -1;
	}
	n->jobs_out++;
	return 0;
}

/* ---- sending ------------------------------------------------------------------- */

static size_t
on_upload(char *buf, size_t size, size_t nitems, void *arg)
{
	struct nsend *s = arg;
	size_t room = size * nitems, left = s->req.body_len - s->upload_at;
	size_t k = left < room ? left : room;
	memcpy(buf, s->req.body + s->upload_at, k);
	s->upload_at += k;
	return k;
}

static void
send_free(struct nsend *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else if (s->n->sends == s)
		s->n->sends = s->next;
	if (s->next)
		s->next->prev = s->prev;
	if (s->easy)
		curl_easy_cleanup(s->easy);
	nreq_clear(&s->req);
	free(s->items);
	free(s);
}

/* The request for this attempt; -1 with why in err. */
static int
build(struct nsend *s, char *err, size_t errlen)
{
	const struct nchannel *ch = &s->n->chs.v[s->ch];
	if (ch->type == NCH_WEBHOOK)
		return webhook_build(ch, s->items[0]->payload, &s->req, err, errlen);
	struct ntext t;
	json_t *p;
	if (s->n_items == 1) {
		p = json_loads(s->items[0]->payload, 0, NULL);
		ntext_make(p, ch->zh, &t);
	} else {
		p = json_array();
		for (size_t i = 0; i < s->n_items; i++)
			json_array_append_new(p, json_loads(s->items[i]->payload, 0, NULL));
		ntext_group(p, ch->zh, &t);
	}
	json_decref(p);
	double now = util_now();
	switch (ch->type) {
	case NCH_WECOM:
		return wecom_build(ch, &t, &s->req, err, errlen);
	case NCH_DINGTALK:
		return dingtalk_build(ch, &t, (long long)(now * 1000), &s->req, err, errlen);
	case NCH_FEISHU:
		return feishu_build(ch, &t, (long long)now, &s->req, err, errlen);
	case NCH_EMAIL:
		return email_build(ch, &t, now, &s->req, err, errlen);
	case NCH_SMS:
		return sms_build(ch, &t, &s->req, err, errlen);
	default:
		snprintf(err, errlen, "unknown channel type");
		return -1;
	}
}

static void
set_options(struct nsend *s)
{
	const struct nchannel *ch = &s->n->chs.v[s->ch];
	const struct collector_config *cfg = &s->n->c->cfg;
	CURL *e = s->easy;
	curl_easy_setopt(e, CURLOPT_URL, s->req.url);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)cfg->notify_timeout * 1000L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https,smtp,smtps");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "campusmon/" PACKAGE_VERSION);
	if (ch->ca_file != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, ch->ca_file);
	if (ch->type == NCH_EMAIL) {
		curl_easy_setopt(e, CURLOPT_MAIL_FROM, s->req.mail_from);
		curl_easy_setopt(e, CURLOPT_MAIL_RCPT, s->req.rcpt);
		curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(e, CURLOPT_READFUNCTION, on_upload);
		curl_easy_setopt(e, CURLOPT_READDATA, s);
		curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)s->req.body_len);
		curl_easy_setopt(e, CURLOPT_USE_SSL, ch->tls_required ? (long)CURLUSESSL_ALL :
		    (long)CURLUSESSL_TRY);
		if (ch->user != NULL) {
			curl_easy_setopt(e, CURLOPT_USERNAME, ch->user);
			curl_easy_setopt(e, CURLOPT_PASSWORD, ch->secret ? ch->secret : "");
		}
		return;
	}
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, s->req.headers);
	if (s->req.body != NULL) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, s->req.body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)s->req.body_len);
	}
}

/* A robot answers 200 with {"errcode": 0} (WeCom, DingTalk) or {"code": 0}
 * (Feishu; older bots "StatusCode"). 1 taken, 0 retry (rate limits), -1 refused. */
static int
robot_verdict(const char *answer, char *err, size_t errlen)
{
	json_t *j = json_loads(answer, 0, NULL);
	const json_t *code = json_object_get(j, "errcode");
	if (code == NULL)
		code = json_object_get(j, "code");
	if (code == NULL)
		code = json_object_get(j, "StatusCode");
	long long v = json_integer_value(code);
	const char *msg = json_string_value(json_object_get(j, "errmsg"));
	if (msg == NULL)
		msg = json_string_value(json_object_get(j, "msg"));
	int rc = 1;
	if (j == NULL || !json_is_integer(code)) {
		rc = 1;	/* an answer without a code: the HTTP status said yes */
	} else if (v != 0) {
		snprintf(err, errlen, "the robot refused: code %lld %s", v, msg ? msg : "");
		/* WeCom 45009, DingTalk 130101, Feishu 9499/11232: too many, try later */
		rc = (v == 45009 || v == 130101 || v == 9499 || v == 11232) ? 0 : -1;
	}
	json_decref(j);
	return rc;
}

/* The attempt of a channel a reload removed: it counts if it got through;
 * otherwise (even if worth retrying) a dead letter. */
static void
finish_removed(struct nsend *s, int verdict, const char *error)
{
	struct notify *n = s->n;
	for (size_t i = 0; i < s->n_items; i++) {
		struct nitem *it = s->items[i];
		it->attempts++;
		if (verdict > 0) {
			n->delivered++;
			record_outcome(n, it, "sent", NULL);
		} else {
			log_warnx("notify: %s for alert %lld to %s is a dead letter: %s", it->event,
			    (long long)it->alert_id, it->channel, REMOVED);
			dead_letter(n, it->id, it->attempts, it->channel, error ? error : "failed");
		}
		item_free(it);
	}
}

static void
finish(struct nsend *s, int verdict, const char *error)
{
	struct notify *n = s->n;
	n->in_flight--;
	if (s->ch == NOCH) {
		finish_removed(s, verdict, error);
		s->n_items = 0;
		send_free(s);
		outbox_flush(n);
		return;
	}
	struct nchannel *ch = &n->chs.v[s->ch];
	struct nqueue *q = &n->q[s->ch];
	double now = util_now();
	q->in_flight--;
	ch->last_try = now;
	if (verdict <= 0) {
		ch->failures++;
		snprintf(ch->last_error, sizeof(ch->last_error), "%s", error ? error : "failed");
	}
	for (size_t i = 0; i < s->n_items; i++) {
		struct nitem *it = s->items[i];
		it->in_flight = 0;
		it->attempts++;
		const char *state = NULL;
		if (verdict > 0) {
			state = "sent";
			ch->sent++;
			ch->last_ok = now;
			n->delivered++;
		} else if (verdict < 0 || now - it->created >= (double)n->c->cfg.notify_give_up) {
			state = "dead";
			ch->dead++;
			n->dead++;
			log_warnx("notify: %s for alert %lld to %s is a dead letter: %s", it->event,
			    (long long)it->alert_id, ch->name, error ? error : "failed");
		} else {
			double wait = FIRST_RETRY * pow(2.0, it->attempts - 1);
			if (wait > (double)n->c->cfg.notify_retry_max)
				wait = (double)n->c->cfg.notify_retry_max;
			it->next_try = now + wait;
			n->retried++;
			record_outcome(n, it, "pending", error);
			continue;
		}
		record_outcome(n, it, state, error);
		ch->pending--;
		queue_remove(q, it);
		item_free(it);
	}
	s->n_items = 0;
	send_free(s);
	outbox_flush(n);
}

static void
on_done(void *arg, const struct curlev_result *res)
{
	struct nsend *s = arg;
	struct notify *n = s->n;
	char err[300] = "";
	int verdict;
	if (res->rc == CURLE_ABORTED_BY_CALLBACK && n->stopping) {
		for (size_t i = 0; i < s->n_items; i++) {
			s->items[i]->in_flight = 0;
			if (s->ch == NOCH)	/* in no queue: ours to free */
				item_free(s->items[i]);
		}
		send_free(s);	/* still pending in the outbox */
		return;
	}
	if (s->type == NCH_EMAIL) {
		if (res->rc == CURLE_OK) {
			verdict = 1;
		} else {
			snprintf(err, sizeof(err), "%s (SMTP %ld)", res->error, res->code);
			/* 5xx: the server refuses for good; a refused login or a server
			 * without the STARTTLS we insist on will not change by itself */
			verdict = (res->code >= 500 || res->rc == CURLE_LOGIN_DENIED ||
			    res->rc == CURLE_USE_SSL_FAILED) ? -1 : 0;
		}
	} else if (res->rc != CURLE_OK) {
		snprintf(err, sizeof(err), "%s", res->error);
		verdict = 0;
	} else if (res->code >= 200 && res->code < 300) {
		verdict = s->req.robot ? robot_verdict(res->answer, err, sizeof(err)) : 1;
	} else {
		snprintf(err, sizeof(err), "HTTP %ld", res->code);
		verdict = res->code >= 500 || res->code == 429 || res->code == 408 ? 0 : -1;
	}
	finish(s, verdict, err[0] ? err : NULL);
	outbox_pump(n);
}

static void
start_send(struct notify *n, size_t chi, struct nitem **items, size_t cnt)
{
	struct nsend *s = calloc(1, sizeof(*s));
	char err[256] = "";
	if (s == NULL) {
		free(items);
		return;
	}
	s->n = n;
	s->ch = chi;
	s->type = n->chs.v[chi].type;
	s->items = items;
	s->n_items = cnt;
	s->next = n->sends;
	if (n->sends != NULL)
		n->sends->prev = s;
	n->sends = s;
	for (size_t i = 0; i < cnt; i++)
		items[i]->in_flight = 1;
	n->in_flight++;
	n->q[chi].in_flight++;
	if (cnt > 1)
		n->grouped += cnt;
	if (build(s, err, sizeof(err)) < 0 || (s->easy = curl_easy_init()) == NULL) {
		finish(s, -1, err[0] ? err : "cannot make the request");
		return;
	}
	set_options(s);
	if (curlev_add(n->cv, s->easy, on_done, s) < 0)
		finish(s, 0, "cannot start the transfer");
}

/* Due items of one channel, oldest first, at most max; heap array. */
static struct nitem **
take_due(struct nqueue *q, double now, size_t max, size_t *cnt)
{
	*cnt = 0;
	struct nitem **v = NULL;
	for (struct nitem *it = q->head; it != NULL && *cnt < max; it = it->next) {
		if (it->in_flight || it->next_try > now)
			continue;
		if (v == NULL && (v = malloc(max * sizeof(*v))) == NULL)
			return NULL;
		v[(*cnt)++] = it;
	}
	return v;
}

void
outbox_pump(struct notify *n)
{
	double now = util_now();
	size_t max = (size_t)n->c->cfg.notify_max_concurrent;
	if (n->stopping || n->cv == NULL)
		return;
	for (size_t i = 0; i < n->chs.n && n->in_flight < max; i++) {
		struct nchannel *ch = &n->chs.v[i];
		struct nqueue *q = &n->q[i];
		if (q->len == q->in_flight)
			continue;
		if (!human(ch)) {
			while (n->in_flight < max) {
				size_t cnt;
				struct nitem **one = take_due(q, now, 1, &cnt);
				if (cnt == 0) {
					free(one);
					break;
				}
				start_send(n, i, one, 1);
			}
			continue;
		}
		/* people's channels: one message at a time, within the rate */
		int rate = ch->rate_per_minute >= 0 ? ch->rate_per_minute :
		    (int)n->c->cfg.notify_rate;
		if (rate > 0) {
			if (q->refilled == 0) {
				q->tokens = rate;
				q->refilled = now;
			}
			q->tokens += (now - q->refilled) * rate / 60.0;
			if (q->tokens > rate)
				q->tokens = rate;
			q->refilled = now;
		}
		if (q->in_flight > 0 || (rate > 0 && q->tokens < 1))
			continue;
		/* with a token for each waiting alert, one alert a message; short of
		 * them, the waiting ones together */
		size_t cnt;
		struct nitem **due = take_due(q, now, GROUP_MAX, &cnt);
		if (cnt > 1 && (rate == 0 || q->tokens >= (double)cnt))
			cnt = 1;
		if (cnt == 0) {
			free(due);
			continue;
		}
		if (rate > 0)
			q->tokens -= 1;
		start_send(n, i, due, cnt);
	}
}

/* ---- a reload: the same outbox, other channels ---------------------------------- */

/* The removed channel i's waiting notifications become dead letters; those
 * being sent are left to their send (now NOCH), which records how it ends. */
static void
drop_queue(struct notify *n, size_t i)
{
	struct nqueue *q = &n->q[i];
	size_t dropped = 0, sending = 0;
	while (q->head != NULL) {
		struct nitem *it = q->head;
		queue_remove(q, it);
		it->ch = NOCH;
		if (it->in_flight) {
			sending++;
			continue;
		}
		dead_letter(n, it->id, it->attempts, it->channel, NULL);
		item_free(it);
		dropped++;
	}
	if (dropped + sending > 0)
		log_warnx("notify: channel '%s' was removed: %zu waiting notifications are dead "
		    "letters now, %zu being sent will record how they end", n->chs.v[i].name,
		    dropped, sending);
}

int
outbox_rechannel(struct notify *n, struct nchannels *fresh)
{
	size_t *to = calloc(n->chs.n + 1, sizeof(*to));
	struct nqueue *q = n->q != NULL ? calloc(fresh->n + 1, sizeof(*q)) : NULL;
	if (to == NULL || (n->q != NULL && q == NULL)) {
		free(to);
		free(q);
		return -1;
	}
	for (size_t i = 0; i < n->chs.n; i++) {
		const struct nchannel *was = &n->chs.v[i];
		struct nchannel *now = nchannels_find(fresh, was->name);
		to[i] = now != NULL ? (size_t)(now - fresh->v) : NOCH;
		if (now == NULL) {
			if (n->q != NULL)
				drop_queue(n, i);
			continue;
		}
		/* the same name: its figures and its queue (rate tokens too) go on */
		now->last_ok = was->last_ok;
		now->last_try = was->last_try;
		now->sent = was->sent;
		now->failures = was->failures;
		now->dead = was->dead;
		now->pending = was->pending;
		memcpy(now->last_error, was->last_error, sizeof(now->last_error));
		if (n->q == NULL)
			continue;
		q[to[i]] = n->q[i];
		for (struct nitem *it = q[to[i]].head; it != NULL; it = it->next)
			it->ch = to[i];
	}
	for (struct nsend *s = n->sends; s != NULL; s = s->next)
		if (s->ch != NOCH)
			s->ch = to[s->ch];
	free(to);
	if (n->q != NULL) {
		free(n->q);
		n->q = q;
	}
	nchannels_free(&n->chs);
	n->chs = *fresh;
	memset(fresh, 0, sizeof(*fresh));
	return 0;
}
