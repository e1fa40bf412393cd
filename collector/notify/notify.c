/*
 * notify.c — the notify subsystem: channels and routes from the
 * configuration, the alert observer (alert changes → outbox entries per
 * channel), escalation timers, test messages and the figures the API shows.
 *
 * Escalation is owned here: a firing alert matched by a route with
 * escalate_after starts a timer; when it expires and the alert engine
 * (services.alert_get) still says "firing", an "escalated" notification
 * goes to escalate_to. An "escalated" change from the alert engine itself
 * is delivered too (to its channels_hint, else the routes' escalate_to);
 * the outbox's (alert, event, channel) key keeps the two from doubling.
 */
#include <curl/curl.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/notify/notify_internal.h"
#include "collector/notify/curlev.h"
#include "common/log.h"
#include "common/util.h"

struct nesc {
	struct notify *n;
	int64_t alert_id;
	char **to;		/* the route's escalate_to when it started (routes may be reloaded) */
	json_t *alert, *root_cause;
	int affected;
	struct event *timer;
	struct nesc *next;
};

/* prev: the running channels (a reload), or NULL. */
static int
parse_config(const struct collector_config *cfg, const struct nchannels *prev,
    struct nchannels *chs, struct nroutes *rs, struct cfg_errors *errs)
{
	int a = nchannels_parse(cfg->notify_channels, prev, chs, errs);
	int b = nroutes_parse(cfg->notify_routes, chs, rs, errs);
	return a < 0 || b < 0 ? -1 : 0;
}

int
notify_config_check(const struct collector_config *cfg, const struct collector *running,
    struct cfg_errors *errs)
{
	struct nchannels chs;
	struct nroutes rs;
	const struct notify *n = running != NULL ? running->notify : NULL;
	int rc = parse_config(cfg, n != NULL ? &n->chs : NULL, &chs, &rs, errs);
	nroutes_free(&rs);
	nchannels_free(&chs);
	return rc;
}

void
notify_config_take(struct collector_config *cfg, struct collector_config *fresh)
{
	struct cfg_node *node = cfg->notify_channels;
	cfg->notify_channels = fresh->notify_channels;
	fresh->notify_channels = node;
	node = cfg->notify_routes;
	cfg->notify_routes = fresh->notify_routes;
	fresh->notify_routes = node;
	cfg->notify_max_concurrent = fresh->notify_max_concurrent;
	cfg->notify_timeout = fresh->notify_timeout;
	cfg->notify_retry_max = fresh->notify_retry_max;
	cfg->notify_give_up = fresh->notify_give_up;
	cfg->notify_ack_ttl = fresh->notify_ack_ttl;
	cfg->notify_rate = fresh->notify_rate;
	cfg->notify_keep_sent = fresh->notify_keep_sent;
	cfg->notify_keep_dead = fresh->notify_keep_dead;
}

/* ---- from an alert change to outbox entries -------------------------------------- */

static int
minute_now(void)
{
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	return tm.tm_hour * 60 + tm.tm_min;
}

static char *
ack_url(struct notify *n, int64_t id, const char *channel)
{
	char *tok = acklink_token(n->key, id, util_now() + (double)n->c->cfg.notify_ack_ttl,
	    channel), *url = NULL;
	if (tok != NULL && asprintf(&url, "%s/ack/%s", n->base_url, tok) < 0)
		url = NULL;
	free(tok);
	return url;
}

/* Queue event about alert to channel ch (a copy of the payload per channel:
 * each carries its own link, naming the channel for the audit trail). */
static void
enqueue(struct notify *n, size_t ch, const char *event, const json_t *alert,
    const json_t *root_cause, int affected)
{
	int64_t id = json_integer_value(json_object_get(alert, "id"));
	const char *name = n->chs.v[ch].name;
	char *url = ack_url(n, id, name);
	json_t *payload = json_pack("{s:s, s:O, s:O, s:i, s:s?}", "event", event, "alert", alert,
	    "root_cause", root_cause ? root_cause : json_null(), "affected", affected, "ack_url",
	    url);
	free(url);
	char dedupe[256];
	snprintf(dedupe, sizeof(dedupe), "%lld:%s:%s", (long long)id, event, name);
	if (payload == NULL || outbox_enqueue(n, ch, id, event, strcmp(event, "test") ? dedupe :
	    NULL, payload) < 0)
		log_warnx("notify: cannot queue %s for alert %lld to %s (out of memory)", event,
		    (long long)id, name);
	json_decref(payload);
}

/* Send to the named channels (NULL-terminated, or a comma list). */
static void
enqueue_names(struct notify *n, char **names, const char *commas, const char *event,
    const json_t *alert, const json_t *root_cause, int affected, unsigned char *done)
{
	for (size_t i = 0; names != NULL && names[i] != NULL; i++) {
		struct nchannel *ch = nchannels_find(&n->chs, names[i]);
		size_t k = ch ? (size_t)(ch - n->chs.v) : 0;
		if (ch != NULL && !done[k]) {
			done[k] = 1;
			enqueue(n, k, event, alert, root_cause, affected);
		}
	}
	for (const char *p = commas; p != NULL && *p;) {
		size_t len = strcspn(p, ", ");
		for (size_t k = 0; len > 0 && k < n->chs.n; k++)
			if (!done[k] && strlen(n->chs.v[k].name) == len &&
			    strncmp(n->chs.v[k].name, p, len) == 0) {
				done[k] = 1;
				enqueue(n, k, event, alert, root_cause, affected);
			}
		p += len;
		p += strspn(p, ", ");
	}
}

static void esc_fire(evutil_socket_t fd, short what, void *arg);

static void
esc_free(struct nesc *e)
{
	if (e->timer)
		event_free(e->timer);
	ncfg_strings_free(e->to);
	json_decref(e->alert);
	json_decref(e->root_cause);
	free(e);
}

static void
esc_cancel(struct notify *n, int64_t id)
{
	for (struct nesc **pp = &n->escs; *pp != NULL;) {
		struct nesc *e = *pp;
		if (e->alert_id == id) {
			*pp = e->next;
			esc_free(e);
		} else {
			pp = &e->next;
		}
	}
}

static void
esc_start(struct notify *n, size_t route, const json_t *alert, const json_t *root_cause,
    int affected)
{
	struct nesc *e = calloc(1, sizeof(*e));
	if (e == NULL)
		return;
	e->n = n;
	e->to = ncfg_strings_dup(n->routes.v[route].escalate_to);
	e->alert_id = json_integer_value(json_object_get(alert, "id"));
	e->alert = json_deep_copy(alert);
	e->root_cause = root_cause ? json_deep_copy(root_cause) : NULL;
	e->affected = affected;
	e->timer = evtimer_new(n->c->base, esc_fire, e);
	struct timeval tv = { (time_t)n->routes.v[route].escalate_after, 0 };
	if (e->to == NULL || e->timer == NULL || evtimer_add(e->timer, &tv) < 0) {
		esc_free(e);
		return;
	}
	e->next = n->escs;
	n->escs = e;
}

static void
esc_fire(evutil_socket_t fd, short what, void *arg)
{
	struct nesc *e = arg;
	struct notify *n = e->n;
	const struct services *sv = &n->c->services;
	(void)fd;
	(void)what;
	json_t *now = sv->alert_get ? sv->alert_get(sv->alert_arg, e->alert_id) : NULL;
	const char *state = json_string_value(json_object_get(now ? now : e->alert, "state"));
	if (state == NULL || strcmp(state, "firing") == 0) {
		unsigned char *done = calloc(n->chs.n + 1, 1);
		if (done != NULL)
			enqueue_names(n, e->to, NULL, "escalated",
			    now ? now : e->alert, e->root_cause, e->affected, done);
		free(done);
	}
	json_decref(now);
	int64_t id = e->alert_id;
	/* this one is done; others for the same alert (other routes) stay */
	for (struct nesc **pp = &n->escs; *pp != NULL; pp = &(*pp)->next)
		if (*pp == e) {
			*pp = e->next;
			break;
		}
	esc_free(e);
	(void)id;
}

static void
on_alert(void *arg, const struct alert_change *chg)
{
	struct notify *n = arg;
	if (n->stopping || chg->alert == NULL || n->chs.n == 0)
		return;
	int64_t id = json_integer_value(json_object_get(chg->alert, "id"));
	const char *ev = chg->event;
	if (strcmp(ev, "acknowledged") == 0 || strcmp(ev, "resolved") == 0)
		esc_cancel(n, id);
	if (!chg->notify)
		return;
	unsigned char *done = calloc(n->chs.n, 1);
	if (done == NULL)
		return;
	int minute = minute_now();
	if (strcmp(ev, "escalated") == 0) {
		if (chg->channels_hint != NULL)
			enqueue_names(n, NULL, chg->channels_hint, ev, chg->alert, chg->root_cause,
			    chg->affected, done);
		for (size_t k = 0; chg->channels_hint == NULL && n->routes.n == 0 && k < n->chs.n; k++)
			enqueue(n, k, ev, chg->alert, chg->root_cause, chg->affected);
		for (size_t r = 0; chg->channels_hint == NULL && r < n->routes.n; r++)
			if (nroute_matches(&n->routes.v[r], chg->alert, minute))
				enqueue_names(n, n->routes.v[r].escalate_to, NULL, ev, chg->alert,
				    chg->root_cause, chg->affected, done);
	} else if (n->routes.n == 0) {
		for (size_t k = 0; k < n->chs.n; k++)
			enqueue(n, k, ev, chg->alert, chg->root_cause, chg->affected);
	} else {
		for (size_t r = 0; r < n->routes.n; r++) {
			if (!nroute_matches(&n->routes.v[r], chg->alert, minute))
				continue;
			enqueue_names(n, n->routes.v[r].channels, NULL, ev, chg->alert,
			    chg->root_cause, chg->affected, done);
			if (strcmp(ev, "firing") == 0 && n->routes.v[r].escalate_after > 0)
				esc_start(n, r, chg->alert, chg->root_cause, chg->affected);
		}
	}
	free(done);
}

/* ---- test messages, figures ------------------------------------------------------ */

int
notify_test(struct collector *c, const char *name, const char *who)
{
	struct notify *n = c->notify;
	if (n == NULL)
		return -2;
	struct nchannel *ch = nchannels_find(&n->chs, name);
	if (ch == NULL)
		return -1;
	json_t *alert = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:n, s:f, s:s}", "id", 0,
	    "rule", "test", "severity", "info", "state", "firing", "device", "campusmon",
	    "subject", "", "value", "started", util_now(), "message", who);
	enqueue(n, (size_t)(ch - n->chs.v), "test", alert, NULL, 0);
	json_decref(alert);
	return 0;
}

json_t *
notify_channels_json(struct collector *c)
{
	struct notify *n = c->notify;
	json_t *out = json_array();
	for (size_t i = 0; n != NULL && i < n->chs.n; i++) {
		const struct nchannel *ch = &n->chs.v[i];
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:o, s:o, "
		    "s:o}", "name", ch->name, "type", nch_type_name(ch->type), "language",
		    ch->zh ? "zh" : "en", "sent", (json_int_t)ch->sent, "failures",
		    (json_int_t)ch->failures, "dead", (json_int_t)ch->dead, "pending",
		    (json_int_t)ch->pending, "last_delivery", ch->last_ok > 0 ?
		    json_real(ch->last_ok) : json_null(), "last_attempt", ch->last_try > 0 ?
		    json_real(ch->last_try) : json_null(), "last_error", ch->last_error[0] ?
		    json_string_safe(ch->last_error, strlen(ch->last_error)) : json_null()));
	}
	return out;
}

void
notify_metrics(struct collector *c, struct evbuffer *out)
{
	const struct notify *n = c->notify;
	if (n == NULL)
		return;
	const struct { const char *name, *help; uint64_t v; } m[] = {
		{ "recorded", "Notifications written to the outbox.", n->recorded },
		{ "delivered", "Notifications a receiver took.", n->delivered },
		{ "retried", "Failed attempts to be tried again.", n->retried },
		{ "dead", "Notifications given up (dead letters).", n->dead },
		{ "grouped", "Notifications sent within a grouped message.", n->grouped },
	};
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		evbuffer_add_printf(out, "# HELP campusmon_notify_%s_total %s\n# TYPE "
		    "campusmon_notify_%s_total counter\ncampusmon_notify_%s_total %llu\n",
		    m[i].name, m[i].help, m[i].name, m[i].name, (unsigned long long)m[i].v);
	evbuffer_add_printf(out, "# HELP campusmon_notify_in_flight Notifications being sent.\n"
	    "# TYPE campusmon_notify_in_flight gauge\ncampusmon_notify_in_flight %zu\n",
	    n->in_flight);
}

const unsigned char *
notify_ack_key(struct collector *c)
{
	return c->notify != NULL ? c->notify->key : NULL;
}

/* ---- the subsystem --------------------------------------------------------------- */

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct notify *n = arg;
	(void)fd;
	(void)what;
	outbox_flush(n);
	outbox_pump(n);
	outbox_retain(n);
}

static char *
base_url(const struct collector *c)
{
	char *url = NULL;
	if (c->cfg.public_url != NULL) {
		url = strdup(c->cfg.public_url);
		size_t len = url ? strlen(url) : 0;
		while (len > 0 && url[len - 1] == '/')
			url[--len] = '\0';
		return url;
	}
	const char *listen = c->cfg.listen ? c->cfg.listen : "127.0.0.1";
	const char *colon = strrchr(listen, ':');
	int hostlen = colon ? (int)(colon - listen) : (int)strlen(listen);
	if (asprintf(&url, "%s://%.*s:%u", c->tls_ctx ? "https" : "http",
	    hostlen ? hostlen : 9, hostlen ? listen : "127.0.0.1", c->bound_port) < 0)
		url = NULL;
	return url;
}

/* As root: secret files may be readable by root alone. */
static int
notify_open_privileged(struct collector *c)
{
	struct cfg_errors errs = { 0 };
	struct notify *n = calloc(1, sizeof(*n));
	if (n == NULL)
		return -1;
	n->c = c;
	if (parse_config(&c->cfg, NULL, &n->chs, &n->routes, &errs) < 0) {
		for (size_t i = 0; i < errs.n; i++)
			log_warnx("%s", errs.msgs[i]);
		cfg_errors_clear(&errs);
		nroutes_free(&n->routes);
		nchannels_free(&n->chs);
		free(n);
		return -1;
	}
	c->notify = n;
	return 0;
}

static int
notify_start(struct collector *c)
{
	struct notify *n = c->notify;
	c->notify = NULL;	/* until it runs */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    acklink_key_load(c->cfg.data_dir, n->key) < 0 ||
	    (n->q = calloc(n->chs.n + 1, sizeof(*n->q))) == NULL ||
	    (n->cv = curlev_new(c->base)) == NULL || (n->base_url = base_url(c)) == NULL ||
	    (n->worker = nworker_start(c->cfg.data_dir, c->loopq)) == NULL ||
	    (n->tick = event_new(c->base, -1, EV_PERSIST, on_tick, n)) == NULL) {
		log_warnx("notify: cannot start");
		return -1;
	}
	c->notify = n;
	struct timeval second = { 1, 0 };
	event_add(n->tick, &second);
	struct observer o = { .name = "notify", .alert = on_alert, .arg = n };
	if (observe_add(c, &o) < 0 || outbox_load(n) < 0) {
		log_warnx("notify: cannot start (observers full or the store is busy)");
		return -1;
	}
	n->retain_due = 1;	/* a first round after the load (the worker keeps order) */
	outbox_retain(n);
	if (c->cfg.public_url == NULL && n->chs.n > 0)
		log_warnx("notify: http.public_url is not set; acknowledgement links point to %s, "
		    "which phones may not reach", n->base_url);
	log_info("notify: %zu channels, %zu routes", n->chs.n, n->routes.n);
	return 0;
}

/* What a reload changes, in the log: channel names only (never a URL, it
 * may hold a robot's key, nor a secret). */
static void
log_changes(const struct nchannels *was, const struct nchannels *now)
{
	for (size_t i = 0; i < now->n; i++) {
		const struct nchannel *ch = &now->v[i], *old = nchannels_find(was, ch->name);
		if (old == NULL)
			log_info("notify: channel '%s' added", ch->name);
		else if (!nchannel_same(old, ch))
			log_info("notify: channel '%s' changed; what waits for it goes with the new "
			    "settings", ch->name);
		if (ch->secret_kept)
			log_warnx("notify: channel '%s': the service user cannot read secret_file %s; "
			    "keeping the secret read before (restart, or let that user read it, to "
			    "use a new one)", ch->name, ch->secret_file);
	}
}

/* SIGHUP: channels and routes anew. collector.c has checked the file
 * (notify_config_check) and handed its notify keys over (notify_config_take);
 * they are parsed again here, as the secret files may have changed since.
 * Queued notifications follow their channel by name; those of a removed
 * channel become dead letters (outbox_rechannel). */
static void
notify_reload(struct collector *c)
{
	struct notify *n = c->notify;
	struct nchannels chs;
	struct nroutes rs;
	struct cfg_errors errs = { 0 };
	if (n == NULL || n->stopping)
		return;
	n->retain_due = 1;	/* notify.keep_sent and keep_dead as reloaded, at the next tick */
	if (parse_config(&c->cfg, &n->chs, &chs, &rs, &errs) < 0) {
		for (size_t i = 0; i < errs.n; i++)
			log_warnx("reload: %s", errs.msgs[i]);
		log_warnx("reload: notify: keeping the running channels and routes");
		cfg_errors_clear(&errs);
		nroutes_free(&rs);
		nchannels_free(&chs);
		return;
	}
	log_changes(&n->chs, &chs);
	if (outbox_rechannel(n, &chs) < 0) {
		log_warnx("reload: notify: out of memory; keeping the running channels and routes");
		nroutes_free(&rs);
		nchannels_free(&chs);
		return;
	}
	nroutes_free(&n->routes);
	n->routes = rs;
	log_info("notify: %zu channels, %zu routes (reloaded)", n->chs.n, n->routes.n);
}

static void
notify_stop(struct collector *c)
{
	struct notify *n = c->notify;
	if (n == NULL)
		return;
	n->stopping = 1;
	if (n->tick)
		event_free(n->tick);
	n->tick = NULL;
	while (n->escs != NULL) {
		struct nesc *e = n->escs;
		n->escs = e->next;
		esc_free(e);
	}
	curlev_free(n->cv);	/* what was in flight stays pending in the outbox */
	n->cv = NULL;
	outbox_flush_last(n);	/* outcomes known so far: recorded before the end */
	nworker_stop(n->worker);
	n->worker = NULL;
}

static void
notify_release(struct collector *c)
{
	struct notify *n = c->notify;
	if (n == NULL)
		return;
	c->notify = NULL;
	/* a worker job's completion still queued for the loop would come back
	 * to n: leave it (and only it) */
	if (n->jobs_out > 0)
		return;
	outbox_free_items(n);
	free(n->q);
	free(n->base_url);
	nroutes_free(&n->routes);
	nchannels_free(&n->chs);
	explicit_bzero(n->key, sizeof(n->key));
	free(n);
	curl_global_cleanup();
}

const struct subsystem notify_subsystem = {
	.name = "notify",
	.open_privileged = notify_open_privileged,
	.start = notify_start,
	.reload = notify_reload,
	.stop = notify_stop,
	.release = notify_release,
};
