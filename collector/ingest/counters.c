/*
 * counters.c — cumulative fields into rates at ingest (ingest.counters).
 *
 * Telegraf and other InfluxDB writers send counters as they read them
 * (net bytes_recv, diskio reads, ...). An RRD of a raw counter graphs a
 * ramp, so the fields named in ingest.counters are turned into per-second
 * rates stored as FIELD_ps, the name campusmon's agent sends them under.
 * The raw counter itself is not stored.
 *
 * A rate needs two readings: the first one of each series only primes it.
 * A counter that went back is a 32-bit wrap when both readings fit in 32 bits
 * and the wrapped delta is plausible (< 2^31), else a reset (reboot, driver
 * reload): no rate for that reading, as the agent does (agent/rate.c).
 *
 * Loop thread only. State is one small entry per counter series.
 */
#include "collector/collector.h"
#include "collector/ingest/ingest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define COUNTERS_MAX_STATES 4000000	/* tracked counter series, all hosts */

struct counter_rule {
	char *measurement;
	size_t measurement_len;
	char *field;
	size_t field_len;
	int prefix;			/* field ended in '*': a prefix */
};

struct counter_state {
	UT_hash_handle hh;		/* by key: the rate series' key */
	uint64_t raw;
	double ts;
	char key[];
};

struct counters {
	struct counter_rule *rules;
	size_t n_rules;
	struct counter_state *states;
	size_t n_states;
};

/* Split "measurement.field" at the first dot; NULL if malformed. */
static const char *
rule_error(const char *entry)
{
	const char *dot = strchr(entry, '.');
	if (dot == NULL || dot == entry || dot[1] == '\0')
		return "entries are MEASUREMENT.FIELD (FIELD may end in *)";
	const char *star = strchr(dot + 1, '*');
	if (star != NULL && star[1] != '\0')
		return "'*' may only end the field name";
	return NULL;
}

const char *
collector_check_counters(const void *field)
{
	const struct cfg_strlist *l = field;
	for (size_t i = 0; i < l->n; i++) {
		const char *why = rule_error(l->v[i]);
		if (why != NULL)
			return why;
	}
	return NULL;
}

static void
rules_free(struct counter_rule *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i].measurement);
		free(r[i].field);
	}
	free(r);
}

int
counters_set_rules(struct counters *cs, const struct cfg_strlist *rules,
    const struct cfg_strlist *extra)
{
	size_t n = rules->n + (extra ? extra->n : 0);
	struct counter_rule *r = calloc(n ? n : 1, sizeof(*r));
	if (r == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *e = i < rules->n ? rules->v[i] : extra->v[i - rules->n];
		const char *dot = strchr(e, '.');
		if (rule_error(e) != NULL) {
			rules_free(r, i);
			return -1;
		}
		r[i].measurement = strndup(e, (size_t)(dot - e));
		r[i].field = strdup(dot + 1);
		if (r[i].measurement == NULL || r[i].field == NULL) {
			rules_free(r, i + 1);
			return -1;
		}
		r[i].measurement_len = strlen(r[i].measurement);
		r[i].field_len = strlen(r[i].field);
		if (r[i].field[r[i].field_len - 1] == '*') {
			r[i].prefix = 1;
			r[i].field[--r[i].field_len] = '\0';
		}
	}
	rules_free(cs->rules, cs->n_rules);
	cs->rules = r;
	cs->n_rules = n;
	return 0;
}

struct counters *
counters_new(const struct cfg_strlist *rules, const struct cfg_strlist *extra)
{
	struct counters *cs = calloc(1, sizeof(*cs));
	if (cs == NULL || counters_set_rules(cs, rules, extra) < 0) {
		free(cs);
		return NULL;
	}
	return cs;
}

void
counters_free(struct counters *cs)
{
	struct counter_state *s, *tmp;
	if (cs == NULL)
		return;
	HASH_ITER(hh, cs->states, s, tmp) {
		HASH_DEL(cs->states, s);
		free(s);
	}
	rules_free(cs->rules, cs->n_rules);
	free(cs);
}

size_t
counters_tracked(const struct counters *cs)
{
	return cs->n_states;
}

int
counters_measurement(const struct counters *cs, const struct lp_str *m)
{
	for (size_t i = 0; i < cs->n_rules; i++)
		if (cs->rules[i].measurement_len == m->len &&
		    memcmp(cs->rules[i].measurement, m->p, m->len) == 0)
			return 1;
	return 0;
}

int
counters_match(const struct counters *cs, const struct lp_str *m, const struct lp_str *f)
{
	/* Already a rate (campusmon's agent, or a writer that did the work). */
	if (f->len >= 3 && memcmp(f->p + f->len - 3, "_ps", 3) == 0)
		return 0;
	for (size_t i = 0; i < cs->n_rules; i++) {
		const struct counter_rule *r = &cs->rules[i];
		if (r->measurement_len != m->len || memcmp(r->measurement, m->p, m->len) != 0)
			continue;
		if (r->prefix ? f->len >= r->field_len && memcmp(r->field, f->p, r->field_len) == 0
		    : f->len == r->field_len && memcmp(r->field, f->p, f->len) == 0)
			return 1;
	}
	return 0;
}

/* The field as a counter reading: a non-negative whole number below 2^64. */
static int
reading(const struct lp_field *f, uint64_t *out)
{
	switch (f->type) {
	case LP_UINT:
		*out = f->v.u;
		return 0;
	case LP_INT:
		if (f->v.i < 0)
			return -1;
		*out = (uint64_t)f->v.i;
		return 0;
	case LP_FLOAT:
		if (!(f->v.f >= 0 && f->v.f < 18446744073709551616.0) || f->v.f != floor(f->v.f))
			return -1;
		*out = (uint64_t)f->v.f;
		return 0;
	default:
		return -1;
	}
}

int
counters_rate(struct counters *cs, const char *key, size_t klen, double ts,
    const struct lp_field *f, double *rate)
{
	uint64_t cur;
	if (reading(f, &cur) < 0)
		return -1;
	struct counter_state *s;
	HASH_FIND(hh, cs->states, key, klen, s);
	if (s == NULL) {
		if (cs->n_states >= COUNTERS_MAX_STATES)
			return -2;
		s = malloc(sizeof(*s) + klen + 1);
		if (s == NULL)
			return -2;
		memcpy(s->key, key, klen);
		s->key[klen] = '\0';
		s->raw = cur;
		s->ts = ts;
		HASH_ADD(hh, cs->states, key, klen, s);
		cs->n_states++;
		return 0;	/* primed */
	}
	if (ts <= s->ts)
		return 0;	/* a repeat or an older reading: no rate, state kept */
	uint64_t prev = s->raw, delta;
	double dt = ts - s->ts;
	s->raw = cur;
	s->ts = ts;
	if (cur >= prev) {
		delta = cur - prev;
	} else {
		if (prev > UINT32_MAX || cur > UINT32_MAX)
			return 0;	/* reset */
		delta = cur + (UINT64_C(1) << 32) - prev;
		if (delta >= (UINT64_C(1) << 31))
			return 0;	/* a reset, not a wrap */
	}
	*rate = (double)delta / dt;
	return 1;
}
