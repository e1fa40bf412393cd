/*
 * rules.c — log rules: a stored event that matches a rule (regex on the
 * message, or an FTS5 expression matched by the index as a search's q is,
 * optionally per kind, device, program or trap name) counts towards its
 * (rule, device, subject) key; count matches
 * within window raise an alert condition through services.alert_condition;
 * a clear match, or hold without matches, resolves it. The shipped rules
 * (events.default_rules) come first, then events.rules. The events that
 * raised an alert (the count within the window), kept it open or resolved
 * it get its id stored (evdb_link_alert), once per stored batch.
 */
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <uthash.h>

#include "collector/collector.h"
#include "collector/events/events.h"
#include "collector/inventory/inventory.h"
#include "collector/snmp/snmp.h"
#include "common/log.h"
#include "common/util.h"

struct ev_rule {
	char *name;
	int kind;			/* -1 any */
	char *device;			/* device name, or NULL */
	char *program;
	regex_t re, clear, trap;
	int has_re, has_clear, has_trap;
	char *fts;			/* FTS5, matched in the index (eventdb.c) */
	int fts_bit;			/* its bit in this batch's fts_hits; -1 none */
	long long count, window, hold;
	char *severity;
	int uplinks_only;		/* the interface's alias or name says uplink */
};

/* A key's recent matches (a ring of count times and event ids) and whether
 * it is raised. */
struct ev_hit {
	char key[320];
	size_t rule;
	int64_t device_id;
	char subject[128];
	double *times;
	int64_t *ids;
	int64_t alert_id;		/* the alert the ring's events were linked to */
	size_t n, next;
	double last;
	int active;
	UT_hash_handle hh;
};

struct ev_rules {
	struct ev_rule *v;
	size_t n;
	struct ev_hit *hits;
	size_t n_hits;
	struct evdb_link *links;	/* for evdb_link_alert, at the batch's end */
	size_t n_links, cap_links;
};

/* The shipped campus rules (DESIGN §9 events, issue 14). */
static const char defaults_yaml[] =
    "- name: syslog:link-updown-uplink\n"
    "  kind: syslog\n"
    "  regex: '%LINK-3-UPDOWN: Interface [^,]+, changed state to down'\n"
    "  clear: '%LINK-3-UPDOWN: Interface [^,]+, changed state to up'\n"
    "  uplinks_only: true\n"
    "  severity: critical\n"
    "- name: syslog:auth-failures\n"
    "  regex: 'authentication fail|login fail|LOGIN_FAILED|Failed password|"
    "authenticationFailure'\n"
    "  count: 5\n"
    "  window: 5m\n"
    "  hold: 15m\n"
    "  severity: warning\n"
    "- name: syslog:malloc-fail\n"
    "  regex: '%SYS-2-MALLOCFAIL'\n"
    "  hold: 1h\n"
    "  severity: critical\n"
    "- name: trap:power-fan\n"
    "  kind: trap\n"
    "  trap: 'Fan|Power|Supply'\n"
    "  clear: 'Resume|Insert|normal'\n"
    "  hold: 1h\n"
    "  severity: critical\n"
    "- name: trap:ups-on-battery\n"
    "  kind: trap\n"
    "  trap: 'upsTrapOnBattery|upsAlarmOnBattery'\n"
    "  hold: 30m\n"
    "  severity: critical\n";

static const char *
str(const struct cfg_node *m, const char *k)
{
	const struct cfg_node *n = cfg_node_get(m, k);
	return n && n->kind == CFG_N_SCALAR ? n->value : NULL;
}

static int
compile(regex_t *re, const char *text, char *err, size_t errlen, const char *name)
{
	int rc = regcomp(re, text, REG_EXTENDED | REG_ICASE | REG_NOSUB);
	if (rc != 0) {
		char why[128];
		regerror(rc, re, why, sizeof(why));
		snprintf(err, errlen, "rule %s: bad regex '%s': %s", name, text, why);
		return -1;
	}
	return 0;
}

static int
parse_rule(const struct cfg_node *m, struct ev_rule *r, char *err, size_t errlen)
{
	static const char *const known[] = { "name", "kind", "device", "program", "regex",
		"clear", "trap", "fts", "count", "window", "hold", "severity", "uplinks_only",
		NULL };
	memset(r, 0, sizeof(*r));
	r->kind = -1;
	if (m->kind != CFG_N_MAP) {
		snprintf(err, errlen, "line %d: a rule is a mapping", m->line);
		return -1;
	}
	for (size_t i = 0; i < m->n_items; i++) {
		size_t j = 0;
		while (known[j] && strcmp(known[j], m->items[i]->key) != 0)
			j++;
		if (known[j] == NULL) {
			snprintf(err, errlen, "line %d: unknown rule key '%s'", m->items[i]->line,
			    m->items[i]->key);
			return -1;
		}
	}
	const char *name = str(m, "name");
	if (name == NULL || name[0] == '\0') {
		snprintf(err, errlen, "line %d: a rule needs a name", m->line);
		return -1;
	}
	r->name = strdup(name);
	const char *s;
	if ((s = str(m, "kind")) != NULL && (r->kind = cm_event_kind_parse(s)) < 0) {
		snprintf(err, errlen, "rule %s: kind must be trap or syslog", name);
		return -1;
	}
	if ((s = str(m, "device")) != NULL)
		r->device = strdup(s);
	if ((s = str(m, "program")) != NULL)
		r->program = strdup(s);
	if ((s = str(m, "regex")) != NULL) {
		if (compile(&r->re, s, err, errlen, name) < 0)
			return -1;
		r->has_re = 1;
	}
	if ((s = str(m, "clear")) != NULL) {
		if (compile(&r->clear, s, err, errlen, name) < 0)
			return -1;
		r->has_clear = 1;
	}
	if ((s = str(m, "trap")) != NULL) {
		if (compile(&r->trap, s, err, errlen, name) < 0)
			return -1;
		r->has_trap = 1;
	}
	r->fts_bit = -1;
	if ((s = str(m, "fts")) != NULL) {
		char why[256];
		if (s[0] == '\0' || ev_fts_check(s, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "rule %s: fts '%s' is not an FTS5 expression (%s); "
			    "quote words with punctuation, as in a search: '\"I/O error\"'", name, s,
			    s[0] ? why : "empty");
			return -1;
		}
		r->fts = strdup(s);
	}
	if (!r->has_re && !r->has_trap && r->fts == NULL) {
		snprintf(err, errlen, "rule %s: needs regex, fts or trap", name);
		return -1;
	}
	r->count = 1;
	r->window = 300;
	r->hold = 0;
	if ((s = str(m, "count")) != NULL && (cfg_parse_size(s, &r->count) < 0 ||
	    r->count < 1 || r->count > 10000)) {
		snprintf(err, errlen, "rule %s: count must be 1 to 10000", name);
		return -1;
	}
	if ((s = str(m, "window")) != NULL && (cfg_parse_duration(s, &r->window) < 0 ||
	    r->window < 1)) {
		snprintf(err, errlen, "rule %s: window must be a duration", name);
		return -1;
	}
	if ((s = str(m, "hold")) != NULL && cfg_parse_duration(s, &r->hold) < 0) {
		snprintf(err, errlen, "rule %s: hold must be a duration", name);
		return -1;
	}
	s = str(m, "severity");
	if (s == NULL)
		s = "warning";
	if (strcmp(s, "critical") != 0 && strcmp(s, "warning") != 0 && strcmp(s, "info") != 0) {
		snprintf(err, errlen, "rule %s: severity must be critical, warning or info", name);
		return -1;
	}
	r->severity = strdup(s);
	if ((s = str(m, "uplinks_only")) != NULL && cfg_parse_bool(s, &r->uplinks_only) < 0) {
		snprintf(err, errlen, "rule %s: uplinks_only must be true or false", name);
		return -1;
	}
	return 0;
}

static void
rule_clear(struct ev_rule *r)
{
	free(r->name);
	free(r->device);
	free(r->program);
	free(r->severity);
	if (r->has_re)
		regfree(&r->re);
	if (r->has_clear)
		regfree(&r->clear);
	if (r->has_trap)
		regfree(&r->trap);
	free(r->fts);
}

static int
add_list(struct ev_rules *rs, const struct cfg_node *list, char *err, size_t errlen)
{
	if (list == NULL)
		return 0;
	if (list->kind != CFG_N_SEQ) {
		snprintf(err, errlen, "events.rules must be a list");
		return -1;
	}
	struct ev_rule *g = realloc(rs->v, (rs->n + list->n_items + 1) * sizeof(*g));
	if (g == NULL)
		return -1;
	rs->v = g;
	for (size_t i = 0; i < list->n_items; i++) {
		if (parse_rule(list->items[i], &rs->v[rs->n], err, errlen) < 0) {
			rule_clear(&rs->v[rs->n]);
			return -1;
		}
		rs->n++;
	}
	return 0;
}

struct ev_rules *
ev_rules_new(const struct cfg_node *rules, int defaults, char *err, size_t errlen)
{
	struct ev_rules *rs = calloc(1, sizeof(*rs));
	if (rs == NULL)
		return NULL;
	if (defaults) {
		char why[128];
		struct cfg_node *d = cfg_node_parse(defaults_yaml, sizeof(defaults_yaml) - 1, why,
		    sizeof(why));
		int rc = d ? add_list(rs, d, err, errlen) : -1;
		cfg_node_free(d);
		if (rc < 0) {
			ev_rules_free(rs);
			return NULL;
		}
	}
	if (add_list(rs, rules, err, errlen) < 0) {
		ev_rules_free(rs);
		return NULL;
	}
	size_t n_fts = 0;
	for (size_t i = 0; i < rs->n; i++)
		n_fts += rs->v[i].fts != NULL;
	if (n_fts > EV_FTS_MAX) {
		snprintf(err, errlen, "at most %d rules may use fts (%zu do)", EV_FTS_MAX, n_fts);
		ev_rules_free(rs);
		return NULL;
	}
	return rs;
}

const char *
ev_rules_check(const void *field)
{
	static char err[256];
	struct cfg_node *const *n = field;
	struct ev_rules *rs = ev_rules_new(*n, 0, err, sizeof(err));
	if (rs == NULL)
		return err;
	ev_rules_free(rs);
	return NULL;
}

static void
hit_free(struct ev_hit *h)
{
	free(h->times);
	free(h->ids);
	free(h);
}

void
ev_rules_free(struct ev_rules *rs)
{
	if (rs == NULL)
		return;
	for (size_t i = 0; i < rs->n; i++)
		rule_clear(&rs->v[i]);
	free(rs->v);
	struct ev_hit *h, *tmp;
	HASH_ITER(hh, rs->hits, h, tmp) {
		HASH_DEL(rs->hits, h);
		hit_free(h);
	}
	free(rs->links);
	free(rs);
}

/* ---- matching ------------------------------------------------------------ */

/* "Interface GigabitEthernet0/1, changed state" → the interface */
static void
subject_of(const struct cm_event *ev, char *out, size_t cap)
{
	out[0] = '\0';
	if (ev->subject) {
		snprintf(out, cap, "%s", ev->subject);
		return;
	}
	const char *p = ev->message ? strstr(ev->message, "Interface ") : NULL;
	if (p == NULL)
		return;
	p += 10;
	size_t n = strcspn(p, ", ");
	snprintf(out, cap, "%.*s", (int)n, p);
}

static int
is_uplink(struct collector *c, int64_t device_id, const char *ifname)
{
	struct device *d = c->devices ? device_get(c->devices, device_id) : NULL;
	if (d == NULL || d->live == NULL || ifname[0] == '\0')
		return 0;
	for (size_t i = 0; i < d->live->n_ifaces; i++) {
		const struct sp_iface *f = &d->live->ifaces[i];
		if ((f->name && strcmp(f->name, ifname) == 0) ||
		    (f->descr && strcmp(f->descr, ifname) == 0)) {
			const char *a = f->alias ? f->alias : "";
			return strcasestr(a, "uplink") != NULL || strcasestr(a, "trunk") != NULL ||
			    strcasestr(a, "core") != NULL || strstr(a, "上联") != NULL;
		}
	}
	return 0;
}

static int
matches(const struct ev_rule *r, const struct cm_event *ev, int *clears)
{
	const char *msg = ev->message ? ev->message : "";
	*clears = 0;
	if (r->kind >= 0 && (int)ev->kind != r->kind)
		return 0;
	if (r->device && (ev->device == NULL || strcmp(r->device, ev->device) != 0))
		return 0;
	if (r->program && (ev->program == NULL || strcmp(r->program, ev->program) != 0))
		return 0;
	if (r->has_clear && regexec(&r->clear, r->has_trap && ev->trap_name ? ev->trap_name :
	    msg, 0, NULL, 0) == 0) {
		*clears = 1;
		return 1;
	}
	if (r->has_trap && (ev->trap_name == NULL ||
	    regexec(&r->trap, ev->trap_name, 0, NULL, 0) != 0))
		return 0;
	if (r->has_re && regexec(&r->re, msg, 0, NULL, 0) != 0)
		return 0;
	if (r->fts != NULL && (r->fts_bit < 0 || !(ev->fts_hits >> r->fts_bit & 1)))
		return 0;
	return 1;
}

static void
add_link(struct ev_rules *rs, int64_t event_id, int64_t alert_id)
{
	if (event_id <= 0)
		return;
	if (rs->n_links == rs->cap_links) {
		size_t cap = rs->cap_links ? 2 * rs->cap_links : 64;
		struct evdb_link *g = realloc(rs->links, cap * sizeof(*g));
		if (g == NULL)
			return;		/* the link is lost, the alert is not */
		rs->links = g;
		rs->cap_links = cap;
	}
	rs->links[rs->n_links].event_id = event_id;
	rs->links[rs->n_links++].alert_id = alert_id;
}

/* Raise (active) or resolve h's condition; ev is the event that did it, or
 * NULL (a quiet hold). A newly raised alert gets every event in the ring
 * (the count that raised it); later ones only the event itself. */
static void
raise_cond(struct ev_rules *rs, struct collector *c, const struct ev_rule *r, struct ev_hit *h,
    int active, const char *message, const struct cm_event *ev)
{
	if (c->services.alert_condition == NULL) {
		events_no_engine(c);
		return;
	}
	int64_t alert_id = 0;
	struct alert_condition cond = {
		.rule = r->name, .device_id = h->device_id,
		.subject = h->subject[0] ? h->subject : NULL,
		.severity = r->severity, .active = active, .value = (double)h->n,
		.message = message, .alert_id = &alert_id,
	};
	if (c->services.alert_condition(c->services.alert_arg, &cond) != 0)
		return;
	h->active = active;
	if (ev == NULL || alert_id <= 0)
		return;
	if (active && alert_id != h->alert_id) {
		h->alert_id = alert_id;
		for (size_t i = 0; i < h->n; i++)
			add_link(rs, h->ids[i], alert_id);
	} else {
		add_link(rs, ev->id, alert_id);
	}
}

void
ev_rules_flush_links(struct ev_rules *rs, struct collector *c)
{
	struct ev_db *db = events_db(c);
	if (rs->n_links > 0 && db != NULL && evdb_link_alert(db, rs->links, rs->n_links) < 0)
		log_warnx("events: out of memory: %zu events not linked to their alerts",
		    rs->n_links);
	rs->n_links = 0;
}

void
ev_rules_fts(const struct ev_rules *rs, struct ev_fts *out)
{
	out->n = 0;
	for (size_t i = 0; i < rs->n && out->n < EV_FTS_MAX; i++) {
		const char *f = rs->v[i].fts;
		size_t k = 0;
		while (f != NULL && k < out->n && strcmp(out->v[k], f) != 0)
			k++;
		if (f != NULL && k == out->n)
			out->v[out->n++] = rs->v[i].fts;
	}
}

/* A rule whose expression the batch was not matched against (added by a
 * reload while the batch was written) does not match by FTS in it. */
void
ev_rules_batch(struct ev_rules *rs, const struct ev_fts *fts)
{
	for (size_t i = 0; i < rs->n; i++) {
		struct ev_rule *r = &rs->v[i];
		r->fts_bit = -1;
		for (size_t k = 0; r->fts != NULL && fts != NULL && k < fts->n; k++)
			if (strcmp(fts->v[k], r->fts) == 0) {
				r->fts_bit = (int)k;
				break;
			}
	}
}

void
ev_rules_feed(struct ev_rules *rs, struct collector *c, const struct cm_event *ev)
{
	for (size_t i = 0; i < rs->n; i++) {
		const struct ev_rule *r = &rs->v[i];
		int clears;
		if (!matches(r, ev, &clears))
			continue;
		char subject[128], key[320];
		subject_of(ev, subject, sizeof(subject));
		if (r->uplinks_only && !is_uplink(c, ev->device_id, subject))
			continue;
		snprintf(key, sizeof(key), "%zu/%lld/%s", i, (long long)ev->device_id, subject);
		struct ev_hit *h;
		HASH_FIND_STR(rs->hits, key, h);
		if (clears) {
			if (h != NULL && h->active)
				raise_cond(rs, c, r, h, 0, ev->message, ev);
			if (h != NULL)
				h->n = 0;
			continue;
		}
		if (h == NULL) {
			if (rs->n_hits >= 65536)
				continue;	/* bounded; old keys expire in ev_rules_tick */
			h = calloc(1, sizeof(*h));
			if (h == NULL || (h->times = calloc((size_t)r->count, sizeof(double))) ==
			    NULL || (h->ids = calloc((size_t)r->count, sizeof(int64_t))) == NULL) {
				if (h != NULL)
					free(h->times);
				free(h);
				continue;
			}
			snprintf(h->key, sizeof(h->key), "%s", key);
			snprintf(h->subject, sizeof(h->subject), "%s", subject);
			h->rule = i;
			h->device_id = ev->device_id;
			HASH_ADD_STR(rs->hits, key, h);
			rs->n_hits++;
		}
		/* the ring holds the last count match times: the oldest is next */
		h->times[h->next] = ev->ts;
		h->ids[h->next] = ev->id;
		h->next = (h->next + 1) % (size_t)r->count;
		if (h->n < (size_t)r->count)
			h->n++;
		h->last = ev->ts;
		double oldest = h->times[h->next % (size_t)r->count];
		if (h->n == (size_t)r->count && ev->ts - oldest <= (double)r->window)
			raise_cond(rs, c, r, h, 1, ev->message, ev);
	}
}

/* Resolve what has been quiet for its rule's hold; forget quiet keys. */
void
ev_rules_tick(struct ev_rules *rs, struct collector *c, double now)
{
	struct ev_hit *h, *tmp;
	HASH_ITER(hh, rs->hits, h, tmp) {
		const struct ev_rule *r = &rs->v[h->rule];
		if (h->active && r->hold > 0 && now - h->last >= (double)r->hold)
			raise_cond(rs, c, r, h, 0, "quiet since", NULL);
		if (!h->active && now - h->last >= (double)r->window) {
			HASH_DEL(rs->hits, h);
			hit_free(h);
			rs->n_hits--;
		}
	}
}
