/*
 * profile.c — device profiles as data: parse the YAML files of
 * collector/profiles/ (format in docs/profiles.md), match them against a
 * device's sysObjectID/sysDescr, and guess the device's kind.
 *
 * Parsing takes a buffer (sp_profile_parse) so tests and the fuzzer feed it
 * directly; sp_profiles_load_dir does the file I/O and reports every error.
 */
#include "collector/snmp/snmp.h"
#include "common/cfg.h"
#include "common/log.h"
#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define SP_PROFILE_MAX_BYTES (1024 * 1024)
#define SP_PROFILE_MAX_FILES 1000
#define SP_PROFILE_MAX_ERRORS 50	/* per file; the rest are counted, not kept */
#define SP_RE_MAX_LEN 512
/* glibc's regcomp copies the tree once per repetition of an interval, and
 * once for '+' (x+ becomes xx*), so nested repetitions multiply:
 * "((a{1,100}){1,100}){1,100}" or "a+++...+" take gigabytes. The product of
 * every interval's upper count (2 for '+') is a cheap upper bound. */
#define SP_RE_MAX_REPEAT 1000
/* Each compiled pattern costs about 20 bytes per unit of length x repeat
 * product; this caps one profile's patterns together at a few megabytes. */
#define SP_RE_BUDGET 200000

const char *const sp_if_col_names[SP_IF_NCOLS] = {
	"descr", "name", "alias", "type", "speed", "high_speed", "admin_status",
	"oper_status", "in_octets", "out_octets", "hc_in_octets", "hc_out_octets",
	"in_errors", "out_errors", "in_discards", "out_discards",
};

static const char *const sp_kinds[] = {
	"switch", "router", "firewall", "wlc", "ap", "server", "storage", "ups",
	"pdu", "sensor", "camera", "printer", "other", NULL,
};

struct pctx {
	const char *file;
	struct cfg_errors *errs;
	int nerr;
	double re_spent;	/* sum of length x repeat product, see SP_RE_BUDGET */
};

static void perr(struct pctx *c, const struct cfg_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
perr(struct pctx *c, const struct cfg_node *n, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (c->nerr++ >= SP_PROFILE_MAX_ERRORS)
		return;		/* sp_profile_parse reports how many were left out */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cfg_errors_add(c->errs, "%s:%d: %s", c->file, n ? n->line : 0, msg);
}

static const char *
scalar(struct pctx *c, const struct cfg_node *n, const char *what)
{
	if (n == NULL)
		return NULL;
	if (n->kind != CFG_N_SCALAR) {
		perr(c, n, "%s must be a single value", what);
		return NULL;
	}
	return n->value;
}

static char *
xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Reject keys a section does not know, so typos are reported. */
static void
check_keys(struct pctx *c, const struct cfg_node *map, const char *section,
    const char *const *known)
{
	if (map == NULL || map->kind != CFG_N_MAP)
		return;
	for (size_t i = 0; i < map->n_items; i++) {
		const char *k = map->items[i]->key;
		size_t j;
		for (j = 0; known[j] != NULL; j++)
			if (strcmp(known[j], k) == 0)
				break;
		if (known[j] == NULL)
			perr(c, map->items[i], "unknown key '%s' in %s", k, section);
	}
}

static int
parse_ref(struct pctx *c, const struct cfg_node *n, const char *what,
    struct sp_ref *r)
{
	const char *t = scalar(c, n, what);

	memset(r, 0, sizeof(*r));
	if (t == NULL)
		return -1;
	if (sp_oid_parse(t, &r->oid, 1) < 0) {
		perr(c, n, "%s: '%s' is not a numeric OID", what, t);
		return -1;
	}
	r->set = 1;
	r->scalar = r->oid.wild < 0 && r->oid.arcs[r->oid.len - 1] == 0;
	if (r->scalar && r->oid.wild >= 0) {
		perr(c, n, "%s: a scalar cannot hold '*'", what);
		return -1;
	}
	return 0;
}

static int
parse_double(struct pctx *c, const struct cfg_node *n, const char *what, double *out)
{
	const char *t = scalar(c, n, what);

	if (t == NULL)
		return -1;
	if (sp_parse_number(t, strlen(t), out) < 0) {
		perr(c, n, "%s: '%s' is not a number", what, t);
		return -1;
	}
	return 0;
}

static int
parse_int(struct pctx *c, const struct cfg_node *n, const char *what, long min,
    long max, int *out)
{
	double d;

	if (parse_double(c, n, what, &d) < 0)
		return -1;
	if (d != floor(d) || d < min || d > max) {
		perr(c, n, "%s must be an integer in [%ld, %ld]", what, min, max);
		return -1;
	}
	*out = (int)d;
	return 0;
}

static int
parse_bool(struct pctx *c, const struct cfg_node *n, const char *what, int *out)
{
	const char *t = scalar(c, n, what);

	if (t == NULL)
		return -1;
	if (cfg_parse_bool(t, out) < 0) {
		perr(c, n, "%s: '%s' is not yes/no", what, t);
		return -1;
	}
	return 0;
}

/* A scalar or a sequence of scalars; calls fn for each. */
static void
each_scalar(struct pctx *c, const struct cfg_node *n, const char *what,
    void (*fn)(struct pctx *, const struct cfg_node *, const char *, void *), void *arg)
{
	if (n == NULL)
		return;
	if (n->kind == CFG_N_SCALAR) {
		fn(c, n, n->value, arg);
		return;
	}
	if (n->kind != CFG_N_SEQ) {
		perr(c, n, "%s must be a value or a list", what);
		return;
	}
	for (size_t i = 0; i < n->n_items; i++) {
		if (n->items[i]->kind != CFG_N_SCALAR)
			perr(c, n->items[i], "%s: list items must be values", what);
		else
			fn(c, n->items[i], n->items[i]->value, arg);
	}
}

/* Why a pattern is refused before regcomp sees it, or NULL if it may be
 * compiled: too long, intervals whose counts multiply past the bound, or a
 * back-reference (exponential matching on a device-supplied sysDescr). */
static const char *
re_refused(struct pctx *c, const char *text)
{
	double product = 1;

	if (strlen(text) > SP_RE_MAX_LEN)
		return "longer than 512 bytes";
	for (const char *p = text; *p != '\0'; p++) {
		if (*p == '\\') {
			if (p[1] >= '1' && p[1] <= '9')
				return "back-references are not supported";
			if (p[1] != '\0')
				p++;
			continue;
		}
		if (*p == '+') {
			product *= 2;
			if (product > SP_RE_MAX_REPEAT)
				return "repetition counts multiply past 1000";
			continue;
		}
		if (*p != '{')
			continue;
		char *end;
		unsigned long lo = strtoul(p + 1, &end, 10), hi = lo;
		if (end == p + 1 && *end != ',')
			continue;	/* a literal brace */
		if (*end == ',')	/* {m,n}, {m,} and glibc's {,n} */
			hi = end[1] == '}' ? lo + 1 : strtoul(end + 1, &end, 10);
		product *= (double)(hi > lo ? hi : lo) + 1;
		if (product > SP_RE_MAX_REPEAT)
			return "repetition counts multiply past 1000";
	}
	c->re_spent += product * (double)(strlen(text) + 1);
	if (c->re_spent > SP_RE_BUDGET)
		return "the profile's patterns together are too large";
	return NULL;
}

static int
compile_re(struct pctx *c, const struct cfg_node *n, const char *text, regex_t *re)
{
	const char *why = re_refused(c, text);

	if (why != NULL) {
		perr(c, n, "regular expression refused: %s", why);
		return -1;
	}
	int rc = regcomp(re, text, REG_EXTENDED | REG_ICASE | REG_NOSUB);

	if (rc != 0) {
		char buf[128];
		regerror(rc, re, buf, sizeof(buf));
		perr(c, n, "bad regular expression '%s': %s", text, buf);
		return -1;
	}
	return 0;
}

/* ---- maps ------------------------------------------------------------- */

static void
map_free(struct sp_map *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->e[i].key);
		free(m->e[i].a);
		free(m->e[i].b);
	}
	free(m->e);
	free(m->dflt);
	free(m->dflt_b);
	memset(m, 0, sizeof(*m));
}

/* map: {KEY: word} or {KEY: [word, word]}; "_default" catches the rest. */
static int
parse_map(struct pctx *c, const struct cfg_node *n, const char *what, int pairs,
    struct sp_map *m)
{
	memset(m, 0, sizeof(*m));
	if (n == NULL)
		return 0;
	if (n->kind != CFG_N_MAP) {
		perr(c, n, "%s must be a mapping", what);
		return -1;
	}
	m->e = calloc(n->n_items ? n->n_items : 1, sizeof(*m->e));
	if (m->e == NULL)
		return -1;
	for (size_t i = 0; i < n->n_items; i++) {
		const struct cfg_node *it = n->items[i];
		const char *a = NULL, *b = NULL;

		if (it->kind == CFG_N_SCALAR) {
			a = it->value;
		} else if (it->kind == CFG_N_SEQ && pairs && it->n_items >= 1 &&
		    it->n_items <= 2 && it->items[0]->kind == CFG_N_SCALAR &&
		    (it->n_items == 1 || it->items[1]->kind == CFG_N_SCALAR)) {
			a = it->items[0]->value;
			b = it->n_items == 2 ? it->items[1]->value : NULL;
		} else {
			perr(c, it, "%s: entry '%s' must be %s", what, it->key,
			    pairs ? "a word or [type, unit]" : "a word");
			continue;
		}
		if (strcmp(it->key, "_default") == 0) {
			free(m->dflt);
			free(m->dflt_b);
			m->dflt = xstrdup(a);
			m->dflt_b = xstrdup(b);
			continue;
		}
		struct sp_map_entry *e = &m->e[m->n++];
		e->key = xstrdup(it->key);
		e->key_is_num = sp_parse_number(it->key, strlen(it->key), &e->num) == 0;
		e->a = xstrdup(a);
		e->b = xstrdup(b);
		if (sp_parse_number(a, strlen(a), &e->mult) < 0)
			e->mult = NAN;
	}
	return 0;
}

const struct sp_map_entry *
sp_map_find(const struct sp_map *m, const struct sp_value *v, const char **dflt_a,
    const char **dflt_b)
{
	double num;
	int isnum = sp_value_number(v, &num) == 0;

	for (size_t i = 0; i < m->n; i++) {
		const struct sp_map_entry *e = &m->e[i];
		if (e->key_is_num && isnum) {
			if (e->num == num)
				return e;
		} else if (v->type == SP_V_STRING && v->len == strlen(e->key) &&
		    strncasecmp((const char *)v->s, e->key, v->len) == 0) {
			return e;
		}
	}
	if (dflt_a)
		*dflt_a = m->dflt;
	if (dflt_b)
		*dflt_b = m->dflt_b;
	return NULL;
}

static int
parse_lookup(struct pctx *c, const struct cfg_node *n, const char *what, int pairs,
    struct sp_lookup *l)
{
	static const char *const known[] = { "oid", "map", "entity", NULL };

	memset(l, 0, sizeof(*l));
	if (n == NULL)
		return 0;
	if (n->kind != CFG_N_MAP) {
		perr(c, n, "%s must be a mapping with oid and map", what);
		return -1;
	}
	check_keys(c, n, what, known);
	const struct cfg_node *o = cfg_node_get(n, "oid");
	if (o != NULL)
		parse_ref(c, o, what, &l->ref);
	const struct cfg_node *e = cfg_node_get(n, "entity");
	if (e != NULL)
		parse_bool(c, e, what, &l->entity);
	parse_map(c, cfg_node_get(n, "map"), what, pairs, &l->map);
	if (l->map.n == 0 && l->map.dflt == NULL && !l->entity)
		perr(c, n, "%s needs a map", what);
	l->set = 1;
	return 0;
}

static void
lookup_free(struct sp_lookup *l)
{
	map_free(&l->map);
}

/* ---- where ------------------------------------------------------------ */

static void
where_free(struct sp_where *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < w[i].n_vals; j++)
			free(w[i].vals[j]);
		free(w[i].vals);
		if (w[i].has_re)
			regfree(&w[i].re);
	}
	free(w);
}

static void
add_val(struct pctx *c, const struct cfg_node *n, const char *v, void *arg)
{
	struct sp_where *w = arg;
	char **nv = realloc(w->vals, (w->n_vals + 1) * sizeof(*nv));

	(void)c;
	(void)n;
	if (nv == NULL)
		return;
	w->vals = nv;
	w->vals[w->n_vals++] = strdup(v);
}

static int
parse_where(struct pctx *c, const struct cfg_node *n, struct sp_where **out, size_t *nout)
{
	static const char *const known[] = { "oid", "in", "not_in", "match",
		"not_match", NULL };
	const struct cfg_node *const *items;
	size_t count;
	const struct cfg_node *single[1];

	*out = NULL;
	*nout = 0;
	if (n == NULL)
		return 0;
	if (n->kind == CFG_N_MAP) {
		single[0] = n;
		items = single;
		count = 1;
	} else if (n->kind == CFG_N_SEQ) {
		items = (const struct cfg_node *const *)n->items;
		count = n->n_items;
	} else {
		perr(c, n, "where must be a condition or a list of them");
		return -1;
	}
	struct sp_where *w = calloc(count ? count : 1, sizeof(*w));
	if (w == NULL)
		return -1;
	for (size_t i = 0; i < count; i++) {
		const struct cfg_node *it = items[i];
		if (it->kind != CFG_N_MAP) {
			perr(c, it, "a where condition is a mapping");
			continue;
		}
		check_keys(c, it, "where", known);
		parse_ref(c, cfg_node_get(it, "oid"), "where.oid", &w[i].ref);
		if (!w[i].ref.set)
			perr(c, it, "where needs an oid");
		const struct cfg_node *v;
		if ((v = cfg_node_get(it, "in")) != NULL) {
			w[i].op = SP_W_IN;
			each_scalar(c, v, "where.in", add_val, &w[i]);
		} else if ((v = cfg_node_get(it, "not_in")) != NULL) {
			w[i].op = SP_W_NOT_IN;
			each_scalar(c, v, "where.not_in", add_val, &w[i]);
		} else if ((v = cfg_node_get(it, "match")) != NULL ||
		    (v = cfg_node_get(it, "not_match")) != NULL) {
			w[i].op = strcmp(v->key, "match") == 0 ? SP_W_MATCH : SP_W_NOT_MATCH;
			const char *re = scalar(c, v, "where.match");
			if (re != NULL && compile_re(c, v, re, &w[i].re) == 0)
				w[i].has_re = 1;
		} else {
			perr(c, it, "where needs in, not_in, match or not_match");
		}
	}
	*out = w;
	*nout = count;
	return 0;
}

/* ---- sections --------------------------------------------------------- */

static int
valid_kind(const char *k)
{
	for (size_t i = 0; sp_kinds[i]; i++)
		if (strcmp(sp_kinds[i], k) == 0)
			return 1;
	return 0;
}

static void
parse_sensor(struct pctx *c, const struct cfg_node *n, struct sp_sensor_def *s)
{
	static const char *const known[] = { "type", "unit", "value", "label", "name",
		"scale", "precision", "type_from", "scale_from", "state", "skip",
		"where", "value_map", NULL };
	const struct cfg_node *v;

	s->scale = 1.0;
	s->line = n->line;
	if (n->kind != CFG_N_MAP) {
		perr(c, n, "a sensor is a mapping");
		return;
	}
	check_keys(c, n, "sensor", known);
	s->type = xstrdup(scalar(c, cfg_node_get(n, "type"), "sensor.type"));
	s->unit = xstrdup(scalar(c, cfg_node_get(n, "unit"), "sensor.unit"));
	s->name = xstrdup(scalar(c, cfg_node_get(n, "name"), "sensor.name"));
	if ((v = cfg_node_get(n, "value")) == NULL)
		perr(c, n, "sensor needs a value OID");
	else
		parse_ref(c, v, "sensor.value", &s->value);
	if ((v = cfg_node_get(n, "label")) != NULL)
		parse_ref(c, v, "sensor.label", &s->label);
	if ((v = cfg_node_get(n, "scale")) != NULL)
		parse_double(c, v, "sensor.scale", &s->scale);
	if ((v = cfg_node_get(n, "precision")) != NULL) {
		const char *t = scalar(c, v, "sensor.precision");
		if (t != NULL && strchr(t, '.') != NULL)
			parse_ref(c, v, "sensor.precision", &s->precision);
		else
			parse_int(c, v, "sensor.precision", -9, 9, &s->precision_fixed);
	}
	parse_lookup(c, cfg_node_get(n, "type_from"), "sensor.type_from", 1, &s->type_from);
	parse_lookup(c, cfg_node_get(n, "scale_from"), "sensor.scale_from", 0, &s->scale_from);
	parse_lookup(c, cfg_node_get(n, "state"), "sensor.state", 0, &s->state);
	parse_map(c, cfg_node_get(n, "value_map"), "sensor.value_map", 0, &s->value_map);
	if ((v = cfg_node_get(n, "skip")) != NULL) {
		if (v->kind == CFG_N_SCALAR) {
			s->skip = calloc(1, sizeof(double));
			if (s->skip && parse_double(c, v, "sensor.skip", &s->skip[0]) == 0)
				s->n_skip = 1;
		} else if (v->kind == CFG_N_SEQ) {
			s->skip = calloc(v->n_items ? v->n_items : 1, sizeof(double));
			for (size_t i = 0; s->skip && i < v->n_items; i++)
				if (parse_double(c, v->items[i], "sensor.skip", &s->skip[s->n_skip]) == 0)
					s->n_skip++;
		} else {
			perr(c, v, "sensor.skip must be a number or a list");
		}
	}
	parse_where(c, cfg_node_get(n, "where"), &s->where, &s->n_where);
	if (s->type == NULL && !s->type_from.set)
		perr(c, n, "sensor needs a type or type_from");
}

static void
sensor_free(struct sp_sensor_def *s)
{
	free(s->type);
	free(s->unit);
	free(s->name);
	lookup_free(&s->type_from);
	lookup_free(&s->scale_from);
	lookup_free(&s->state);
	map_free(&s->value_map);
	free(s->skip);
	where_free(s->where, s->n_where);
}

static void
parse_metric(struct pctx *c, const struct cfg_node *n, struct sp_metric_def *m)
{
	static const char *const known[] = { "measurement", "field", "value", "label",
		"tag", "name", "scale", "rate", "multiply", "percent_of", "where", NULL };
	const struct cfg_node *v;

	m->scale = 1.0;
	m->line = n->line;
	if (n->kind != CFG_N_MAP) {
		perr(c, n, "a metric is a mapping");
		return;
	}
	check_keys(c, n, "metric", known);
	m->measurement = xstrdup(scalar(c, cfg_node_get(n, "measurement"), "metric.measurement"));
	m->field = xstrdup(scalar(c, cfg_node_get(n, "field"), "metric.field"));
	m->tag = xstrdup(scalar(c, cfg_node_get(n, "tag"), "metric.tag"));
	m->name = xstrdup(scalar(c, cfg_node_get(n, "name"), "metric.name"));
	if (m->measurement == NULL || m->field == NULL)
		perr(c, n, "metric needs measurement and field");
	if ((v = cfg_node_get(n, "value")) == NULL)
		perr(c, n, "metric needs a value OID");
	else
		parse_ref(c, v, "metric.value", &m->value);
	if ((v = cfg_node_get(n, "label")) != NULL)
		parse_ref(c, v, "metric.label", &m->label);
	if ((v = cfg_node_get(n, "scale")) != NULL)
		parse_double(c, v, "metric.scale", &m->scale);
	if ((v = cfg_node_get(n, "rate")) != NULL)
		parse_bool(c, v, "metric.rate", &m->rate);
	if ((v = cfg_node_get(n, "multiply")) != NULL)
		parse_ref(c, v, "metric.multiply", &m->multiply);
	if ((v = cfg_node_get(n, "percent_of")) != NULL)
		parse_ref(c, v, "metric.percent_of", &m->percent_of);
	parse_where(c, cfg_node_get(n, "where"), &m->where, &m->n_where);
}

static void
metric_free(struct sp_metric_def *m)
{
	free(m->measurement);
	free(m->field);
	free(m->tag);
	free(m->name);
	where_free(m->where, m->n_where);
}

static void
parse_field(struct pctx *c, const struct cfg_node *n, struct sp_field_def *f)
{
	static const char *const known[] = { "oid", "value", "where", NULL };
	static const char *const fields[] = { "serial", "model", "vendor", "firmware",
		"descr", "object_id", "uptime", "contact", "name", "location", NULL };
	size_t i;

	f->field = xstrdup(n->key);
	for (i = 0; fields[i]; i++)
		if (strcmp(fields[i], n->key) == 0)
			break;
	if (fields[i] == NULL)
		perr(c, n, "unknown field '%s'", n->key);
	if (n->kind == CFG_N_SCALAR) {
		parse_ref(c, n, "field", &f->ref);
		return;
	}
	if (n->kind != CFG_N_MAP) {
		perr(c, n, "field '%s' must be an OID or a mapping", n->key);
		return;
	}
	check_keys(c, n, "field", known);
	const struct cfg_node *v;
	if ((v = cfg_node_get(n, "oid")) != NULL)
		parse_ref(c, v, "field.oid", &f->ref);
	else if ((v = cfg_node_get(n, "value")) != NULL)
		f->literal = xstrdup(scalar(c, v, "field.value"));
	else
		perr(c, n, "field '%s' needs oid or value", n->key);
	parse_where(c, cfg_node_get(n, "where"), &f->where, &f->n_where);
}

static void
add_match_oid(struct pctx *c, const struct cfg_node *n, const char *v, void *arg)
{
	struct sp_profile *p = arg;
	struct sp_oid o;

	if (sp_oid_parse(v, &o, 0) < 0) {
		perr(c, n, "match.sysobjectid: '%s' is not a numeric OID", v);
		return;
	}
	struct sp_oid *nv = realloc(p->match_oid, (p->n_match_oid + 1) * sizeof(*nv));
	if (nv == NULL)
		return;
	p->match_oid = nv;
	p->match_oid[p->n_match_oid++] = o;
}

static void
add_match_descr(struct pctx *c, const struct cfg_node *n, const char *v, void *arg)
{
	struct sp_profile *p = arg;
	regex_t *nv = realloc(p->match_descr, (p->n_match_descr + 1) * sizeof(*nv));

	if (nv == NULL)
		return;
	p->match_descr = nv;
	if (compile_re(c, n, v, &p->match_descr[p->n_match_descr]) == 0)
		p->n_match_descr++;
}

static void
add_probe(struct pctx *c, const struct cfg_node *n, const char *v, void *arg)
{
	struct sp_profile *p = arg;
	struct sp_ref r;

	(void)v;
	if (parse_ref(c, n, "match.probe", &r) < 0)
		return;
	if (r.oid.wild >= 0) {
		perr(c, n, "match.probe cannot hold '*'");
		return;
	}
	struct sp_ref *nv = realloc(p->probe, (p->n_probe + 1) * sizeof(*nv));
	if (nv == NULL)
		return;
	p->probe = nv;
	p->probe[p->n_probe++] = r;
}

/* tables: - {name, slow, columns: {NAME: column OID, ...}} */
static void
parse_table(struct pctx *c, const struct cfg_node *n, struct sp_table_def *t)
{
	static const char *const keys[] = { "name", "slow", "columns", NULL };
	const struct cfg_node *v;

	if (n->kind != CFG_N_MAP) {
		perr(c, n, "a table is a mapping");
		return;
	}
	check_keys(c, n, "tables", keys);
	t->name = xstrdup(scalar(c, cfg_node_get(n, "name"), "tables.name"));
	if (t->name == NULL || t->name[0] == '\0')
		perr(c, n, "a table needs a name");
	if ((v = cfg_node_get(n, "slow")) != NULL)
		parse_bool(c, v, "tables.slow", &t->slow);
	v = cfg_node_get(n, "columns");
	if (v == NULL || v->kind != CFG_N_MAP || v->n_items == 0) {
		perr(c, n, "a table needs columns (a mapping of name to column OID)");
		return;
	}
	t->col_names = calloc(v->n_items, sizeof(*t->col_names));
	t->cols = calloc(v->n_items, sizeof(*t->cols));
	if (t->col_names == NULL || t->cols == NULL)
		return;
	for (size_t i = 0; i < v->n_items; i++) {
		const struct cfg_node *x = v->items[i];
		if (parse_ref(c, x, "tables.columns", &t->cols[t->n_cols]) < 0)
			continue;
		if (t->cols[t->n_cols].scalar || t->cols[t->n_cols].oid.wild >= 0) {
			perr(c, x, "tables.columns: %s must be a column OID", x->key);
			continue;
		}
		t->col_names[t->n_cols++] = xstrdup(x->key);
	}
}

struct sp_profile *
sp_profile_parse(const char *buf, size_t len, const char *file, struct cfg_errors *errs)
{
	static const char *const known[] = { "name", "description", "kind", "priority",
		"match", "kind_rules", "fields", "interfaces", "sensors", "metrics", "tables",
		NULL };
	static const char *const match_keys[] = { "sysobjectid", "sysdescr", "probe", NULL };
	struct pctx c = { file ? file : "profile", errs, 0, 0 };
	char err[256];
	const struct cfg_node *v;

	struct cfg_node *root = cfg_node_parse(buf, len, err, sizeof(err));
	if (root == NULL) {
		cfg_errors_add(errs, "%s: %s", c.file, err);
		return NULL;
	}
	struct sp_profile *p = calloc(1, sizeof(*p));
	if (p == NULL) {
		cfg_node_free(root);
		return NULL;
	}
	p->file = strdup(c.file);
	if (root->kind != CFG_N_MAP) {
		perr(&c, root, "a profile is a mapping");
		goto done;
	}
	check_keys(&c, root, "profile", known);
	p->name = xstrdup(scalar(&c, cfg_node_get(root, "name"), "name"));
	if (p->name == NULL || p->name[0] == '\0')
		perr(&c, root, "profile needs a name");
	p->description = xstrdup(scalar(&c, cfg_node_get(root, "description"), "description"));
	if ((v = cfg_node_get(root, "kind")) != NULL) {
		p->kind = xstrdup(scalar(&c, v, "kind"));
		if (p->kind && !valid_kind(p->kind))
			perr(&c, v, "unknown kind '%s'", p->kind);
	}
	if ((v = cfg_node_get(root, "priority")) != NULL)
		parse_int(&c, v, "priority", 0, 1000, &p->priority);

	if ((v = cfg_node_get(root, "match")) != NULL) {
		if (v->kind != CFG_N_MAP) {
			perr(&c, v, "match must be a mapping");
		} else {
			check_keys(&c, v, "match", match_keys);
			each_scalar(&c, cfg_node_get(v, "sysobjectid"), "match.sysobjectid",
			    add_match_oid, p);
			each_scalar(&c, cfg_node_get(v, "sysdescr"), "match.sysdescr",
			    add_match_descr, p);
			each_scalar(&c, cfg_node_get(v, "probe"), "match.probe", add_probe, p);
			if (p->n_match_oid + p->n_match_descr + p->n_probe == 0)
				perr(&c, v, "match needs sysobjectid, sysdescr or probe");
		}
	}
	if ((v = cfg_node_get(root, "kind_rules")) != NULL) {
		if (v->kind != CFG_N_SEQ) {
			perr(&c, v, "kind_rules must be a list");
		} else {
			p->kind_rules = calloc(v->n_items ? v->n_items : 1, sizeof(*p->kind_rules));
			for (size_t i = 0; p->kind_rules && i < v->n_items; i++) {
				static const char *const kr[] = { "kind", "sysdescr", "sysobjectid", NULL };
				const struct cfg_node *it = v->items[i], *x;
				struct sp_kind_rule *r = &p->kind_rules[p->n_kind_rules];
				if (it->kind != CFG_N_MAP) {
					perr(&c, it, "a kind rule is a mapping");
					continue;
				}
				check_keys(&c, it, "kind_rules", kr);
				r->kind = xstrdup(scalar(&c, cfg_node_get(it, "kind"), "kind_rules.kind"));
				if (r->kind == NULL || !valid_kind(r->kind))
					perr(&c, it, "kind rule needs a known kind");
				if ((x = cfg_node_get(it, "sysdescr")) != NULL && scalar(&c, x, "sysdescr") &&
				    compile_re(&c, x, x->value, &r->re) == 0)
					r->has_re = 1;
				if ((x = cfg_node_get(it, "sysobjectid")) != NULL && scalar(&c, x, "sysobjectid")) {
					if (sp_oid_parse(x->value, &r->prefix, 0) == 0)
						r->has_prefix = 1;
					else
						perr(&c, x, "bad OID '%s'", x->value);
				}
				p->n_kind_rules++;
			}
		}
	}
	if ((v = cfg_node_get(root, "fields")) != NULL) {
		if (v->kind != CFG_N_MAP) {
			perr(&c, v, "fields must be a mapping");
		} else {
			/* A list gives alternatives, tried in order. */
			size_t cap = 0;
			for (size_t i = 0; i < v->n_items; i++)
				cap += v->items[i]->kind == CFG_N_SEQ ? v->items[i]->n_items : 1;
			p->fields = calloc(cap ? cap : 1, sizeof(*p->fields));
			for (size_t i = 0; p->fields && i < v->n_items; i++) {
				const struct cfg_node *it = v->items[i];
				if (it->kind != CFG_N_SEQ) {
					parse_field(&c, it, &p->fields[p->n_fields++]);
					continue;
				}
				for (size_t k = 0; k < it->n_items; k++) {
					struct cfg_node alt = *it->items[k];
					alt.key = it->key;
					parse_field(&c, &alt, &p->fields[p->n_fields++]);
				}
			}
		}
	}
	if ((v = cfg_node_get(root, "interfaces")) != NULL) {
		if (v->kind != CFG_N_MAP) {
			perr(&c, v, "interfaces must be a mapping");
		} else {
			check_keys(&c, v, "interfaces", (const char *const[]){
			    "descr", "name", "alias", "type", "speed", "high_speed",
			    "admin_status", "oper_status", "in_octets", "out_octets",
			    "hc_in_octets", "hc_out_octets", "in_errors", "out_errors",
			    "in_discards", "out_discards", NULL });
			for (int i = 0; i < SP_IF_NCOLS; i++) {
				const struct cfg_node *x = cfg_node_get(v, sp_if_col_names[i]);
				if (x != NULL)
					parse_ref(&c, x, sp_if_col_names[i], &p->ifcols[i]);
			}
			if (!p->ifcols[SP_IF_DESCR].set && !p->ifcols[SP_IF_NAME].set)
				perr(&c, v, "interfaces needs descr or name");
			p->has_ifcols = 1;
		}
	}
	if ((v = cfg_node_get(root, "sensors")) != NULL) {
		if (v->kind != CFG_N_SEQ) {
			perr(&c, v, "sensors must be a list");
		} else {
			p->sensors = calloc(v->n_items ? v->n_items : 1, sizeof(*p->sensors));
			for (size_t i = 0; p->sensors && i < v->n_items; i++)
				parse_sensor(&c, v->items[i], &p->sensors[p->n_sensors++]);
		}
	}
	if ((v = cfg_node_get(root, "metrics")) != NULL) {
		if (v->kind != CFG_N_SEQ) {
			perr(&c, v, "metrics must be a list");
		} else {
			p->metrics = calloc(v->n_items ? v->n_items : 1, sizeof(*p->metrics));
			for (size_t i = 0; p->metrics && i < v->n_items; i++)
				parse_metric(&c, v->items[i], &p->metrics[p->n_metrics++]);
		}
	}
	if ((v = cfg_node_get(root, "tables")) != NULL) {
		if (v->kind != CFG_N_SEQ) {
			perr(&c, v, "tables must be a list");
		} else {
			p->tables = calloc(v->n_items ? v->n_items : 1, sizeof(*p->tables));
			for (size_t i = 0; p->tables && i < v->n_items; i++)
				parse_table(&c, v->items[i], &p->tables[p->n_tables++]);
		}
	}
done:
	cfg_node_free(root);
	if (c.nerr > SP_PROFILE_MAX_ERRORS)
		cfg_errors_add(errs, "%s: %d more errors not shown", c.file,
		    c.nerr - SP_PROFILE_MAX_ERRORS);
	if (c.nerr > 0) {
		sp_profile_free(p);
		return NULL;
	}
	return p;
}

void
sp_profile_free(struct sp_profile *p)
{
	if (p == NULL)
		return;
	free(p->name);
	free(p->description);
	free(p->file);
	free(p->kind);
	free(p->match_oid);
	for (size_t i = 0; i < p->n_match_descr; i++)
		regfree(&p->match_descr[i]);
	free(p->match_descr);
	free(p->probe);
	for (size_t i = 0; i < p->n_kind_rules; i++) {
		free(p->kind_rules[i].kind);
		if (p->kind_rules[i].has_re)
			regfree(&p->kind_rules[i].re);
	}
	free(p->kind_rules);
	for (size_t i = 0; i < p->n_fields; i++) {
		free(p->fields[i].field);
		free(p->fields[i].literal);
		where_free(p->fields[i].where, p->fields[i].n_where);
	}
	free(p->fields);
	for (size_t i = 0; i < p->n_sensors; i++)
		sensor_free(&p->sensors[i]);
	free(p->sensors);
	for (size_t i = 0; i < p->n_metrics; i++)
		metric_free(&p->metrics[i]);
	free(p->metrics);
	for (size_t i = 0; i < p->n_tables; i++)
		sp_table_def_free(&p->tables[i]);
	free(p->tables);
	free(p);
}

/* ---- sets ------------------------------------------------------------- */

static int
prof_cmp(const void *a, const void *b)
{
	const struct sp_profile *x = *(const struct sp_profile *const *)a;
	const struct sp_profile *y = *(const struct sp_profile *const *)b;

	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return strcmp(x->name, y->name);
}

int
sp_profiles_add(struct sp_profile_set *set, struct sp_profile *p)
{
	struct sp_profile **nv = realloc(set->v, (set->n + 1) * sizeof(*nv));

	if (nv == NULL)
		return -1;
	set->v = nv;
	set->v[set->n++] = p;
	qsort(set->v, set->n, sizeof(*set->v), prof_cmp);
	return 0;
}

const struct sp_profile *
sp_profiles_find(const struct sp_profile_set *set, const char *name)
{
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->v[i]->name, name) == 0)
			return set->v[i];
	return NULL;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
sp_profiles_load_dir(const char *dir, struct sp_profile_set *set, struct cfg_errors *errs)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		cfg_errors_add(errs, "%s: %s", dir, strerror(errno));
		return -1;
	}
	int rc = sp_profiles_load_dirfd(fd, dir, set, errs);
	close(fd);
	return rc;
}

int
sp_profiles_load_dirfd(int dirfd, const char *dir, struct sp_profile_set *set,
    struct cfg_errors *errs)
{
	int dupfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	DIR *d = dupfd >= 0 ? fdopendir(dupfd) : NULL;
	char **names = NULL;
	size_t n = 0;
	int rc = 0;
	struct dirent *de;

	if (d == NULL) {
		cfg_errors_add(errs, "%s: %s", dir, strerror(errno));
		if (dupfd >= 0)
			close(dupfd);
		return -1;
	}
	rewinddir(d);	/* the offset is shared with dirfd: start from the top */
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		if (de->d_name[0] == '.' || l < 6 || strcmp(de->d_name + l - 5, ".yaml") != 0)
			continue;
		if (n >= SP_PROFILE_MAX_FILES) {
			cfg_errors_add(errs, "%s: more than %d profiles", dir, SP_PROFILE_MAX_FILES);
			rc = -1;
			break;
		}
		char **nv = realloc(names, (n + 1) * sizeof(*nv));
		if (nv == NULL)
			break;
		names = nv;
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX];
		size_t len;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		char *buf = util_read_fileat(dirfd, names[i], SP_PROFILE_MAX_BYTES, &len);
		if (buf == NULL) {
			cfg_errors_add(errs, "%s: %s", path, strerror(errno));
			rc = -1;
		} else {
			struct sp_profile *p = sp_profile_parse(buf, len, path, errs);
			free(buf);
			if (p == NULL) {
				rc = -1;
			} else if (sp_profiles_find(set, p->name) != NULL) {
				cfg_errors_add(errs, "%s: profile name '%s' is used twice", path, p->name);
				sp_profile_free(p);
				rc = -1;
			} else {
				sp_profiles_add(set, p);
			}
		}
		free(names[i]);
	}
	free(names);
	if (set->n == 0 && rc == 0) {
		cfg_errors_add(errs, "%s: no *.yaml profiles", dir);
		rc = -1;
	}
	return rc;
}

void
sp_profiles_free(struct sp_profile_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		sp_profile_free(set->v[i]);
	free(set->v);
	set->v = NULL;
	set->n = 0;
}

/* ---- matching --------------------------------------------------------- */

int
sp_profile_match_static(const struct sp_profile *p, const uint32_t *sysoid,
    size_t sysoid_len, const char *sysdescr)
{
	if (p->n_match_oid + p->n_match_descr + p->n_probe == 0)
		return 1;
	for (size_t i = 0; i < p->n_match_oid; i++)
		if (sysoid_len > 0 && sp_oid_is_prefix(p->match_oid[i].arcs,
		    p->match_oid[i].len, sysoid, sysoid_len))
			return 1;
	for (size_t i = 0; sysdescr != NULL && i < p->n_match_descr; i++)
		if (regexec(&p->match_descr[i], sysdescr, 0, NULL, 0) == 0)
			return 1;
	return p->n_probe > 0 ? 2 : 0;
}

const char *
sp_profiles_kind(const struct sp_profile *const *matched, size_t n,
    const uint32_t *sysoid, size_t sysoid_len, const char *sysdescr)
{
	/* matched is in ascending priority: look from the top. */
	for (size_t k = n; k-- > 0;) {
		const struct sp_profile *p = matched[k];
		for (size_t i = 0; i < p->n_kind_rules; i++) {
			const struct sp_kind_rule *r = &p->kind_rules[i];
			int ok = 1;
			if (r->has_re)
				ok = sysdescr != NULL && regexec(&r->re, sysdescr, 0, NULL, 0) == 0;
			if (ok && r->has_prefix)
				ok = sp_oid_is_prefix(r->prefix.arcs, r->prefix.len, sysoid, sysoid_len);
			if (ok)
				return r->kind;
		}
		if (p->kind != NULL)
			return p->kind;
	}
	return "other";
}
