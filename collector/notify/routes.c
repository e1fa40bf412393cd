/*
 * routes.c — notify.routes: which alerts go to which channels, when to
 * escalate and when to stay quiet. A route matches when every field it
 * names matches (a field lists alternatives); no routes: everything goes
 * everywhere (notify.c).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/notify/notify.h"

static const char *const match_keys[] = { "severity", "kind", "device", "rule", NULL };
static const char *const route_keys[] = { "match", "channels", "escalate_after", "escalate_to",
	"quiet_hours", NULL };

static void
check_channels(char **names, const struct nchannels *chs, int at, const char *what,
    struct cfg_errors *errs)
{
	for (size_t i = 0; names != NULL && names[i] != NULL; i++)
		if (nchannels_find(chs, names[i]) == NULL)
			cfg_errors_add(errs, "notify.routes (line %d): %s names '%s', which is not "
			    "in notify.channels", at, what, names[i]);
}

/* "22:00-07:00" into minutes of the day. */
static int
parse_quiet(const char *s, int *from, int *to)
{
	int h1, m1, h2, m2, end = 0;
	if (sscanf(s, "%d:%d-%d:%d%n", &h1, &m1, &h2, &m2, &end) != 4 || s[end] != '\0' ||
	    h1 < 0 || h1 > 23 || h2 < 0 || h2 > 23 || m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59)
		return -1;
	*from = h1 * 60 + m1;
	*to = h2 * 60 + m2;
	return 0;
}

static void
parse_one(const struct cfg_node *map, const struct nchannels *chs, struct nroute *r,
    struct cfg_errors *errs)
{
	ncfg_check_keys(map, route_keys, "notify.routes", errs);
	const struct cfg_node *m = cfg_node_get(map, "match");
	if (m != NULL && m->kind != CFG_N_MAP)
		cfg_errors_add(errs, "notify.routes (line %d): match is a mapping", m->line);
	for (size_t i = 0; m != NULL && m->kind == CFG_N_MAP && i < m->n_items; i++)
		if (!ncfg_known(match_keys, m->items[i]->key))
			cfg_errors_add(errs, "notify.routes (line %d): match takes severity, kind, "
			    "device and rule, not '%s'", m->items[i]->line, m->items[i]->key);
	if (m != NULL && m->kind == CFG_N_MAP) {
		r->severity = ncfg_strings(cfg_node_get(m, "severity"), NULL);
		r->kind = ncfg_strings(cfg_node_get(m, "kind"), NULL);
		r->device = ncfg_strings(cfg_node_get(m, "device"), NULL);
		r->rule = ncfg_strings(cfg_node_get(m, "rule"), NULL);
	}
	r->channels = ncfg_strings(cfg_node_get(map, "channels"), NULL);
	r->escalate_to = ncfg_strings(cfg_node_get(map, "escalate_to"), NULL);
	if (r->channels == NULL || r->channels[0] == NULL)
		cfg_errors_add(errs, "notify.routes (line %d): a route needs channels", map->line);
	check_channels(r->channels, chs, map->line, "channels", errs);
	check_channels(r->escalate_to, chs, map->line, "escalate_to", errs);
	const struct cfg_node *ea = cfg_node_get(map, "escalate_after");
	if (ea != NULL && (ea->kind != CFG_N_SCALAR ||
	    cfg_parse_duration(ea->value, &r->escalate_after) < 0 || r->escalate_after < 1))
		cfg_errors_add(errs, "notify.routes (line %d): escalate_after is a duration of at "
		    "least 1s, e.g. 30m", ea->line);
	if ((r->escalate_after > 0) != (r->escalate_to != NULL && r->escalate_to[0] != NULL))
		cfg_errors_add(errs, "notify.routes (line %d): escalate_after and escalate_to go "
		    "together", map->line);
	const struct cfg_node *q = cfg_node_get(map, "quiet_hours");
	if (q != NULL && (q->kind != CFG_N_SCALAR ||
	    parse_quiet(q->value, &r->quiet_from, &r->quiet_to) < 0))
		cfg_errors_add(errs, "notify.routes (line %d): quiet_hours is \"HH:MM-HH:MM\" "
		    "(local time)", q->line);
}

struct parsing {
	const struct nchannels *chs;
	struct nroutes *out;
};

static void
parse_next(const struct cfg_node *map, void *arg, struct cfg_errors *errs)
{
	struct parsing *p = arg;
	parse_one(map, p->chs, &p->out->v[p->out->n++], errs);
}

int
nroutes_parse(const struct cfg_node *node, const struct nchannels *chs, struct nroutes *out,
    struct cfg_errors *errs)
{
	struct parsing p = { chs, out };
	memset(out, 0, sizeof(*out));
	if (node != NULL && (out->v = calloc(node->n_items + 1, sizeof(*out->v))) == NULL)
		return -1;
	return ncfg_list(node, "notify.routes", "route", parse_next, &p, errs);
}

void
nroutes_free(struct nroutes *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		struct nroute *r = &rs->v[i];
		ncfg_strings_free(r->severity);
		ncfg_strings_free(r->kind);
		ncfg_strings_free(r->device);
		ncfg_strings_free(r->rule);
		ncfg_strings_free(r->channels);
		ncfg_strings_free(r->escalate_to);
	}
	free(rs->v);
	memset(rs, 0, sizeof(*rs));
}

static int
one_of(char **want, const json_t *alert, const char *field)
{
	if (want == NULL)
		return 1;
	const char *have = json_string_value(json_object_get(alert, field));
	for (size_t i = 0; have != NULL && want[i] != NULL; i++)
		if (strcmp(want[i], have) == 0)
			return 1;
	return 0;
}

int
nroute_matches(const struct nroute *r, const json_t *alert, int minute)
{
	if (r->quiet_from != r->quiet_to) {
		int quiet = r->quiet_from < r->quiet_to ?
		    minute >= r->quiet_from && minute < r->quiet_to :
		    minute >= r->quiet_from || minute < r->quiet_to;
		if (quiet)
			return 0;
	}
	return one_of(r->severity, alert, "severity") && one_of(r->kind, alert, "kind") &&
	    one_of(r->device, alert, "device") && one_of(r->rule, alert, "rule");
}
