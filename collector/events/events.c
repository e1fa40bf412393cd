/*
 * events.c — the events subsystem: binds the trap and syslog receivers as
 * root (open_privileged), opens the events database and starts the receivers, ties
 * each event to its device, limits each source's rate, counts everything
 * for /metrics, and after a batch is stored runs the log rules and
 * observe_event. State lives in c->events (struct ev_state).
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "collector/collector.h"
#include "collector/events/events.h"
#include "collector/inventory/inventory.h"
#include "collector/snmp/snmp.h"
#include "common/log.h"
#include "common/util.h"

/* A source's token bucket (events.rate_limit lines per second). */
struct ev_source {
	char addr[64];
	double tokens, last;
	int64_t device_id;		/* the device with this address, looked up at */
	double device_checked;		/* (a cache: the table is walked every 10 s) */
	UT_hash_handle hh;
};
#define SOURCES_MAX 16384

/* A recent link trap, for the poll that will confirm it (correlation). */
struct ev_link {
	int64_t device_id, id;
	long if_index;
	int down;
	double ts;
	int confirmed;
};
#define LINKS_MAX 512
#define LINK_WINDOW 300.0	/* a poll this long after the trap is the same event */
#define POLL_NOW_GAP 5.0	/* at most one trap-driven poll per device this often */

struct ev_state {
	struct ev_link links[LINKS_MAX];	/* a ring, newest at links_next - 1 */
	size_t links_next;
	struct { int64_t device_id; double at; } polled[64];	/* poll-now throttle */
	struct ev_counts counts;	/* atomics: the state writer counts queue drops */
	struct ev_traps *traps;
	struct ev_syslog *syslog;
	struct ev_db *db;
	struct ev_rules *rules;
	struct ev_source *sources;
	size_t n_sources;
	double refused_logged[4];
	int stopping;
	int warned_no_engine;
	struct event *tick;		/* rules' hold timers */
};

static struct ev_state *
state(struct collector *c)
{
	return c->events;
}

void
events_drop(struct collector *c, enum cm_event_kind k, enum ev_drop why, uint64_t n)
{
	struct ev_state *s = state(c);
	if (s != NULL)
		__atomic_fetch_add(&s->counts.dropped[k][why], n, __ATOMIC_RELAXED);
}

void
events_log_refused(struct collector *c, const char *what, const char *from)
{
	struct ev_state *s = state(c);
	double now = util_monotonic();
	size_t slot = (size_t)(what[0] + what[1]) % 4;
	if (s == NULL || now - s->refused_logged[slot] < 60)
		return;
	s->refused_logged[slot] = now;
	log_warnx("events: %s from %s (refused; said once a minute)", what, from);
}

/* The device with this address (or host name as the device's address). */
static struct device *
device_for(struct collector *c, const char *addr)
{
	if (c->devices == NULL || addr[0] == '\0')
		return NULL;
	for (struct device *d = device_next(c->devices, NULL); d != NULL;
	    d = device_next(c->devices, d)) {
		if ((d->address && strcmp(d->address, addr) == 0) ||
		    (d->resolved && strcmp(d->resolved, addr) == 0))
			return d;
	}
	return NULL;
}

void
events_tie(struct collector *c, struct cm_event *ev, const char *addr)
{
	struct device *d = device_for(c, addr);
	if (d != NULL) {
		ev->device_id = d->id;
		free(ev->device);
		ev->device = d->name ? strdup(d->name) : NULL;
	}
}

/* The source's bucket (made on first sight); NULL without memory. */
static struct ev_source *
source(struct ev_state *s, const struct collector *c, const char *addr, double now)
{
	double rate = (double)c->cfg.events_rate_limit;
	struct ev_source *src;
	HASH_FIND_STR(s->sources, addr, src);
	if (src == NULL) {
		if (s->n_sources >= SOURCES_MAX) {	/* a spoofed flood: start over */
			struct ev_source *tmp;
			HASH_ITER(hh, s->sources, src, tmp) {
				HASH_DEL(s->sources, src);
				free(src);
			}
			s->n_sources = 0;
		}
		src = calloc(1, sizeof(*src));
		if (src == NULL)
			return NULL;
		snprintf(src->addr, sizeof(src->addr), "%s", addr);
		src->tokens = rate;
		src->last = now;
		src->device_checked = -1e9;
		HASH_ADD_STR(s->sources, addr, src);
		s->n_sources++;
	}
	return src;
}

static int
rate_ok(struct ev_source *src, const struct collector *c, double now)
{
	double rate = (double)c->cfg.events_rate_limit;
	if (rate <= 0)
		return 1;
	src->tokens += (now - src->last) * rate;
	if (src->tokens > rate)	/* a burst of one second's worth */
		src->tokens = rate;
	src->last = now;
	if (src->tokens < 1)
		return 0;
	src->tokens -= 1;
	return 1;
}

void
events_take(struct collector *c, struct cm_event *ev)
{
	struct ev_state *s = state(c);
	if (s == NULL || s->db == NULL || s->stopping) {
		cm_event_free(ev);
		return;
	}
	__atomic_fetch_add(&s->counts.received[ev->kind], 1, __ATOMIC_RELAXED);
	struct ev_source *src = source(s, c, ev->source_address, ev->ts);
	if (src != NULL && ev->kind != CM_EV_POLL && !rate_ok(src, c, ev->ts)) {
		events_drop(c, ev->kind, EV_DROP_RATE, 1);
		cm_event_free(ev);
		return;
	}
	if (ev->device_id == 0 && src != NULL) {
		if (ev->ts - src->device_checked >= 10) {
			struct device *d = device_for(c, ev->source_address);
			src->device_id = d ? d->id : 0;
			src->device_checked = ev->ts;
		}
		struct device *d = src->device_id && c->devices ?
		    device_get(c->devices, src->device_id) : NULL;
		if (d != NULL) {
			ev->device_id = d->id;
			ev->device = d->name ? strdup(d->name) : NULL;
		}
	}
	enum cm_event_kind k = ev->kind;
	if (evdb_put(s->db, ev) < 0)
		events_drop(c, k, EV_DROP_QUEUE, 1);
}

/* linkDown/linkUp from a known device: remember it for the poll that
 * confirms it, and poll that device now rather than at its next turn. */
static void
link_trap(struct collector *c, struct ev_state *s, const struct cm_event *ev)
{
	if (ev->kind != CM_EV_TRAP || ev->device_id == 0 || ev->trap_name == NULL ||
	    (strcmp(ev->trap_name, "linkDown") != 0 && strcmp(ev->trap_name, "linkUp") != 0))
		return;
	if (ev->if_index > 0) {
		struct ev_link *l = &s->links[s->links_next++ % LINKS_MAX];
		l->device_id = ev->device_id;
		l->id = ev->id;
		l->if_index = ev->if_index;
		l->down = strcmp(ev->trap_name, "linkDown") == 0;
		l->ts = ev->ts;
		l->confirmed = 0;
	}
	size_t slot = (size_t)ev->device_id % 64;
	if (c->services.poll_now == NULL || (s->polled[slot].device_id == ev->device_id &&
	    ev->ts - s->polled[slot].at < POLL_NOW_GAP))
		return;
	s->polled[slot].device_id = ev->device_id;
	s->polled[slot].at = ev->ts;
	if (c->services.poll_now(c->services.poll_arg, ev->device_id) == 0)
		log_debug("events", "%s: %s trap, polling it now", ev->device ? ev->device : "?",
		    ev->trap_name);
}

/* A poll saw an interface go up or down: the trap's event when one said so
 * (marked confirmed), else an event of its own. */
static void
on_interface(void *arg, const struct device *d, const struct sp_iface *old,
    const struct sp_iface *now)
{
	struct collector *c = arg;
	struct ev_state *s = state(c);
	if (s == NULL || s->stopping || s->db == NULL || old == NULL || old->oper_status == NULL ||
	    now->oper_status == NULL || strcmp(old->oper_status, now->oper_status) == 0)
		return;
	int down = strcmp(now->oper_status, "down") == 0;
	if (!down && strcmp(now->oper_status, "up") != 0)
		return;
	double t = util_now();
	for (size_t i = 0; i < LINKS_MAX; i++) {
		struct ev_link *l = &s->links[i];
		if (l->id > 0 && !l->confirmed && l->device_id == d->id &&
		    l->if_index == (long)now->index && l->down == down && t - l->ts <= LINK_WINDOW) {
			l->confirmed = 1;
			evdb_confirm(s->db, l->id, t);
			return;
		}
	}
	struct cm_event *ev = cm_event_new(CM_EV_POLL, t);
	char msg[512];
	const char *name = now->name ? now->name : now->descr ? now->descr : "?";
	if (ev == NULL)
		return;
	snprintf(ev->source_address, sizeof(ev->source_address), "%s",
	    d->address ? d->address : "");
	snprintf(msg, sizeof(msg), "Interface %s: ifOperStatus %s -> %s (seen by a poll)", name,
	    old->oper_status, now->oper_status);
	ev->message = ev_text_clean(msg, strlen(msg), sizeof(msg));
	ev->program = strdup("poll");
	ev->subject = ev_text_clean(name, strlen(name), 128);
	ev->if_index = (long)now->index;
	ev->severity = down ? 4 : 5;
	ev->device_id = d->id;
	ev->device = d->name ? strdup(d->name) : NULL;
	events_take(c, ev);
}

void
events_stored(struct collector *c, struct cm_event **evs, size_t n, const struct ev_fts *fts)
{
	struct ev_state *s = state(c);
	if (s != NULL && s->rules != NULL)
		ev_rules_batch(s->rules, fts);
	for (size_t i = 0; i < n; i++) {
		struct cm_event *ev = evs[i];
		if (s != NULL && !s->stopping) {
			__atomic_fetch_add(&s->counts.stored[ev->kind], 1, __ATOMIC_RELAXED);
			link_trap(c, s, ev);
			if (s->rules != NULL)
				ev_rules_feed(s->rules, c, ev);
			observe_event(c, ev);
		}
		cm_event_free(ev);
	}
	if (s != NULL && s->rules != NULL)
		ev_rules_flush_links(s->rules, c);
}

void
events_metrics(struct collector *c, struct evbuffer *out)
{
	struct ev_state *s = state(c);
	static const char *const reasons[] = { "kernel", "rate", "queue", "parse" };
	struct ev_counts z;
	memset(&z, 0, sizeof(z));
	const struct ev_counts *n = s ? &s->counts : &z;
	evbuffer_add_printf(out, "# HELP campusmon_events_received_total Traps and syslog "
	    "messages received (parsed).\n# TYPE campusmon_events_received_total counter\n");
	for (int k = 0; k < CM_EV_KINDS; k++)
		evbuffer_add_printf(out, "campusmon_events_received_total{kind=\"%s\"} %llu\n",
		    cm_event_kind_name((enum cm_event_kind)k), (unsigned long long)
		    __atomic_load_n(&n->received[k], __ATOMIC_RELAXED));
	evbuffer_add_printf(out, "# HELP campusmon_events_stored_total Events written to the "
	    "events database.\n# TYPE campusmon_events_stored_total counter\n");
	for (int k = 0; k < CM_EV_KINDS; k++)
		evbuffer_add_printf(out, "campusmon_events_stored_total{kind=\"%s\"} %llu\n",
		    cm_event_kind_name((enum cm_event_kind)k), (unsigned long long)
		    __atomic_load_n(&n->stored[k], __ATOMIC_RELAXED));
	evbuffer_add_printf(out, "# HELP campusmon_events_dropped_total Events lost: kernel "
	    "(socket buffer overflow), rate (events.rate_limit), queue (the state writer behind), "
	    "parse (malformed, refused community or user).\n"
	    "# TYPE campusmon_events_dropped_total counter\n");
	for (int k = 0; k < CM_EV_KINDS; k++)
		for (int r = 0; r < EV_DROP_N; r++)
			evbuffer_add_printf(out, "campusmon_events_dropped_total{kind=\"%s\","
			    "reason=\"%s\"} %llu\n", cm_event_kind_name((enum cm_event_kind)k),
			    reasons[r], (unsigned long long)
			    __atomic_load_n(&n->dropped[k][r], __ATOMIC_RELAXED));
	evbuffer_add_printf(out, "# HELP campusmon_events_queue_depth Events waiting for the "
	    "state writer.\n# TYPE campusmon_events_queue_depth gauge\n"
	    "campusmon_events_queue_depth %zu\n", s && s->db ? evdb_queue_depth(s->db) : 0);
}

struct ev_db *
events_db(struct collector *c)
{
	struct ev_state *s = state(c);
	return s ? s->db : NULL;
}

void
events_no_engine(struct collector *c)
{
	struct ev_state *s = state(c);
	if (s != NULL && !s->warned_no_engine) {
		s->warned_no_engine = 1;
		log_warnx("events: a log rule matched but there is no alert engine; "
		    "no alert raised (said once)");
	}
}

/* ---- phases ------------------------------------------------------------ */

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct collector *c = arg;
	struct ev_state *s = state(c);
	(void)fd;
	(void)what;
	if (s != NULL && s->rules != NULL && !s->stopping)
		ev_rules_tick(s->rules, c, util_now());
}

static int
events_open_privileged(struct collector *c)
{
	char err[256];
	struct ev_state *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -1;
	c->events = s;
	for (size_t i = 0; i < c->cfg.traps_names_files.n; i++) {
		int n = trapnames_load_file(c->cfg.traps_names_files.v[i]);
		if (n < 0)
			log_warn("traps: cannot read %s", c->cfg.traps_names_files.v[i]);
		else
			log_info("traps: %d names from %s", n, c->cfg.traps_names_files.v[i]);
	}
	err[0] = '\0';
	s->traps = traps_open(c, err, sizeof(err));
	if (s->traps == NULL && err[0] != '\0')
		return -1;
	err[0] = '\0';
	s->syslog = syslog_open(c, err, sizeof(err));
	if (s->syslog == NULL && err[0] != '\0')
		return -1;
	return 0;
}

/* The rules' FTS expressions, for the index to match each batch against. */
static void
rules_to_db(struct ev_state *s)
{
	char *v[EV_FTS_MAX];
	struct ev_fts fts = { v, 0 };
	ev_rules_fts(s->rules, &fts);
	evdb_set_fts(s->db, &fts);
}

static int
events_start(struct collector *c)
{
	struct ev_state *s = state(c);
	char err[512], *path;
	err[0] = '\0';
	s->rules = ev_rules_new(c->cfg.events_rules, c->cfg.events_default_rules, err,
	    sizeof(err));
	if (s->rules == NULL) {
		log_warnx("events.rules: %s", err);
		return -1;
	}
	if (asprintf(&path, "%s/events.db", c->cfg.data_dir) < 0)
		return -1;
	s->db = evdb_open(path, (size_t)c->cfg.events_queue_max, c, err, sizeof(err));
	free(path);
	if (s->db == NULL) {
		log_warnx("events: cannot open the events database: %s", err);
		return -1;
	}
	evdb_set_retention(s->db, c->cfg.events_retention, c->cfg.events_max_size);
	rules_to_db(s);
	struct observer o = { .name = "events", .interface = on_interface, .arg = c };
	if (observe_add(c, &o) < 0)
		log_warnx("events: no room for the interface observer; polls and link traps "
		    "stay separate events");
	struct timeval every = { 10, 0 };
	s->tick = event_new(c->base, -1, EV_PERSIST, on_tick, c);
	if (s->tick == NULL || event_add(s->tick, &every) < 0)
		return -1;
	if (s->traps != NULL && traps_start(s->traps, c) < 0)
		return -1;
	if (s->syslog != NULL && syslog_start(s->syslog, c) < 0)
		return -1;
	return 0;
}

static void
events_reload(struct collector *c)
{
	struct ev_state *s = state(c);
	if (s == NULL || s->db == NULL)
		return;
	evdb_set_retention(s->db, c->cfg.events_retention, c->cfg.events_max_size);
	/* new rules start counting afresh; on an error the running ones stay */
	char err[512];
	struct ev_rules *r = ev_rules_new(c->cfg.events_rules, c->cfg.events_default_rules, err,
	    sizeof(err));
	if (r == NULL) {
		log_warnx("reload: events.rules: %s; keeping the running rules", err);
		return;
	}
	ev_rules_free(s->rules);
	s->rules = r;
	rules_to_db(s);
}

static void
events_stop(struct collector *c)
{
	struct ev_state *s = state(c);
	if (s == NULL)
		return;
	if (s->tick != NULL)
		event_free(s->tick);
	s->tick = NULL;
	syslog_free(s->syslog);
	s->syslog = NULL;
	traps_free(s->traps);
	s->traps = NULL;
	evdb_close(s->db);	/* writes what is queued; its batches are freed on the loop */
	s->db = NULL;
	s->stopping = 1;
}

static void
events_release(struct collector *c)
{
	struct ev_state *s = state(c);
	if (s == NULL)
		return;
	ev_rules_free(s->rules);
	struct ev_source *src, *tmp;
	HASH_ITER(hh, s->sources, src, tmp) {
		HASH_DEL(s->sources, src);
		free(src);
	}
	free(s);
	c->events = NULL;
}

const struct subsystem events_subsystem = {
	.name = "events",
	.open_privileged = events_open_privileged,
	.start = events_start,
	.reload = events_reload,
	.stop = events_stop,
	.release = events_release,
};
