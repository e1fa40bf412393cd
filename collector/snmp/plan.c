/*
 * plan.c — poll plans and evaluation. From the matched profiles, build the
 * list of scalars to GET and subtrees to walk; once the poll has filled the
 * store, turn it into a struct snmp_result: interfaces with rates, sensors
 * with units and states, flat metrics, inventory and kind.
 *
 * Everything the result points to is allocated in ctx->arena. Counter
 * history (previous raw values) lives in the device's struct sp_history.
 */
#include "collector/snmp/snmp.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- plan ------------------------------------------------------------- */

struct oidvec {
	struct sp_oid *v;
	size_t n, cap;
};

static void
vec_add(struct oidvec *vec, const struct sp_oid *o)
{
	if (vec->n == vec->cap) {
		size_t cap = vec->cap ? vec->cap * 2 : 32;
		struct sp_oid *nv = realloc(vec->v, cap * sizeof(*nv));
		if (nv == NULL)
			return;
		vec->v = nv;
		vec->cap = cap;
	}
	vec->v[vec->n++] = *o;
}

static void
add_ref(struct oidvec *gets, struct oidvec *walks, const struct sp_ref *r)
{
	struct sp_oid o;

	if (!r->set)
		return;
	o = r->oid;
	if (r->scalar) {
		vec_add(gets, &o);
		return;
	}
	if (o.wild >= 0)
		o.len = (uint8_t)o.wild;	/* walk the part before '*' */
	o.wild = -1;
	if (o.len >= 2)
		vec_add(walks, &o);
}

static int
oid_sort(const void *a, const void *b)
{
	const struct sp_oid *x = a, *y = b;

	return sp_oid_cmp(x->arcs, x->len, y->arcs, y->len);
}

int
sp_plan_build(struct sp_plan *plan, const struct sp_profile *const *matched, size_t n)
{
	struct oidvec gets = { 0 }, walks = { 0 };

	memset(plan, 0, sizeof(*plan));
	for (size_t k = 0; k < n; k++) {
		const struct sp_profile *p = matched[k];
		for (size_t i = 0; i < p->n_fields; i++) {
			add_ref(&gets, &walks, &p->fields[i].ref);
			for (size_t w = 0; w < p->fields[i].n_where; w++)
				add_ref(&gets, &walks, &p->fields[i].where[w].ref);
		}
		for (int i = 0; p->has_ifcols && i < SP_IF_NCOLS; i++)
			add_ref(&gets, &walks, &p->ifcols[i]);
		for (size_t i = 0; i < p->n_sensors; i++) {
			const struct sp_sensor_def *s = &p->sensors[i];
			add_ref(&gets, &walks, &s->value);
			add_ref(&gets, &walks, &s->label);
			add_ref(&gets, &walks, &s->precision);
			add_ref(&gets, &walks, &s->type_from.ref);
			add_ref(&gets, &walks, &s->scale_from.ref);
			add_ref(&gets, &walks, &s->state.ref);
			for (size_t w = 0; w < s->n_where; w++)
				add_ref(&gets, &walks, &s->where[w].ref);
		}
		for (size_t i = 0; i < p->n_metrics; i++) {
			const struct sp_metric_def *m = &p->metrics[i];
			add_ref(&gets, &walks, &m->value);
			add_ref(&gets, &walks, &m->label);
			add_ref(&gets, &walks, &m->multiply);
			add_ref(&gets, &walks, &m->percent_of);
			for (size_t w = 0; w < m->n_where; w++)
				add_ref(&gets, &walks, &m->where[w].ref);
		}
	}
	/* Walks: sorted, without duplicates or subtrees of another walk. */
	if (walks.n > 1)	/* qsort's base may not be NULL, even for none */
		qsort(walks.v, walks.n, sizeof(*walks.v), oid_sort);
	size_t o = 0;
	for (size_t i = 0; i < walks.n; i++) {
		if (o > 0 && sp_oid_is_prefix(walks.v[o - 1].arcs, walks.v[o - 1].len,
		    walks.v[i].arcs, walks.v[i].len))
			continue;
		walks.v[o++] = walks.v[i];
	}
	walks.n = o;
	/* Scalars: unique, and not inside a walked subtree. */
	if (gets.n > 1)
		qsort(gets.v, gets.n, sizeof(*gets.v), oid_sort);
	o = 0;
	for (size_t i = 0; i < gets.n; i++) {
		if (o > 0 && sp_oid_cmp(gets.v[o - 1].arcs, gets.v[o - 1].len,
		    gets.v[i].arcs, gets.v[i].len) == 0)
			continue;
		int inside = 0;
		for (size_t w = 0; w < walks.n && !inside; w++)
			inside = sp_oid_is_prefix(walks.v[w].arcs, walks.v[w].len,
			    gets.v[i].arcs, gets.v[i].len);
		if (!inside)
			gets.v[o++] = gets.v[i];
	}
	gets.n = o;
	plan->gets = gets.v;
	plan->n_gets = gets.n;
	plan->walks = walks.v;
	plan->n_walks = walks.n;
	return 0;
}

void
sp_plan_free(struct sp_plan *plan)
{
	free(plan->gets);
	free(plan->walks);
	memset(plan, 0, sizeof(*plan));
}

/* ---- counter history -------------------------------------------------- */

struct sp_counter *
sp_history_counter(struct sp_history *h, uint64_t key)
{
	if (key == 0)
		key = 1;
	if (h->n * 2 >= h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 256;
		if (cap > (1u << 22)) {
			/* Bounded: start over rather than grow without end. */
			memset(h->slots, 0, h->cap * sizeof(*h->slots));
			h->n = 0;
		} else {
			struct sp_counter_slot *ns = calloc(cap, sizeof(*ns));
			if (ns == NULL)
				return NULL;
			for (size_t i = 0; i < h->cap; i++) {
				if (h->slots[i].key == 0)
					continue;
				size_t j = h->slots[i].key & (cap - 1);
				while (ns[j].key != 0)
					j = (j + 1) & (cap - 1);
				ns[j] = h->slots[i];
			}
			free(h->slots);
			h->slots = ns;
			h->cap = cap;
		}
	}
	size_t j = key & (h->cap - 1);
	while (h->slots[j].key != 0 && h->slots[j].key != key)
		j = (j + 1) & (h->cap - 1);
	if (h->slots[j].key == 0) {
		h->slots[j].key = key;
		memset(&h->slots[j].c, 0, sizeof(h->slots[j].c));
		h->n++;
	}
	return &h->slots[j].c;
}

void
sp_history_free(struct sp_history *h)
{
	free(h->slots);
	h->slots = NULL;
	h->n = h->cap = 0;
}

static uint64_t
fnv(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= UINT64_C(1099511628211);
	}
	return h;
}

static uint64_t
counter_key(const char *what, const struct sp_oid *col, const uint32_t *idx, size_t nidx)
{
	uint64_t h = UINT64_C(1469598103934665603);

	h = fnv(h, what, strlen(what));
	h = fnv(h, col->arcs, col->len * sizeof(uint32_t));
	h = fnv(h, "|", 1);
	return fnv(h, idx, nidx * sizeof(uint32_t));
}

/* ---- row access ------------------------------------------------------- */

struct row {
	const struct sp_vb *vb;
	uint32_t idx[SP_MAX_OID];
	uint8_t nidx;
};

/* Iterate the rows of a ref: call with *pos = (size_t)-1 first. */
static int
ref_next(const struct sp_store *st, const struct sp_ref *r, size_t *pos, struct row *row)
{
	const struct sp_oid *o = &r->oid;

	if (r->scalar) {
		if (*pos != (size_t)-1)
			return 0;
		*pos = 0;
		row->vb = sp_store_get(st, o->arcs, o->len);
		row->nidx = 0;
		return row->vb != NULL;
	}
	size_t plen = o->wild >= 0 ? (size_t)o->wild : o->len;
	size_t i = *pos == (size_t)-1 ? sp_store_lower(st, o->arcs, plen) : *pos + 1;
	for (; i < st->n; i++) {
		const struct sp_vb *vb = &st->v[i];
		if (!sp_oid_is_prefix(o->arcs, plen, vb->arcs, vb->n))
			break;
		if (vb->n <= o->len)
			continue;
		if (o->wild >= 0) {
			if (memcmp(o->arcs + o->wild + 1, vb->arcs + o->wild + 1,
			    (o->len - o->wild - 1) * sizeof(uint32_t)) != 0)
				continue;
			row->idx[0] = vb->arcs[o->wild];
			memcpy(row->idx + 1, vb->arcs + o->len, (vb->n - o->len) * sizeof(uint32_t));
			row->nidx = (uint8_t)(1 + vb->n - o->len);
		} else {
			memcpy(row->idx, vb->arcs + o->len, (vb->n - o->len) * sizeof(uint32_t));
			row->nidx = (uint8_t)(vb->n - o->len);
		}
		row->vb = vb;
		*pos = i;
		return 1;
	}
	*pos = st->n;
	return 0;
}

/* The value of ref at a row index of another column (same table shape). */
static const struct sp_vb *
ref_at(const struct sp_store *st, const struct sp_ref *r, const struct row *row)
{
	uint32_t arcs[SP_MAX_OID];
	size_t n;

	if (!r->set)
		return NULL;
	if (r->scalar)
		return sp_store_get(st, r->oid.arcs, r->oid.len);
	n = r->oid.len;
	memcpy(arcs, r->oid.arcs, n * sizeof(uint32_t));
	size_t skip = 0;
	if (r->oid.wild >= 0) {
		if (row->nidx < 1)
			return NULL;
		arcs[r->oid.wild] = row->idx[0];
		skip = 1;
	}
	if (n + row->nidx - skip > SP_MAX_OID)
		return NULL;
	memcpy(arcs + n, row->idx + skip, (row->nidx - skip) * sizeof(uint32_t));
	return sp_store_get(st, arcs, n + row->nidx - skip);
}

static size_t
ref_count(const struct sp_store *st, const struct sp_ref *r)
{
	size_t pos = (size_t)-1, n = 0;
	struct row row;

	if (!r->set)
		return 0;
	while (ref_next(st, r, &pos, &row))
		n++;
	return n;
}

const char *
sp_value_text(struct sp_arena *a, void *iconv, const struct sp_value *v)
{
	char buf[1024];

	switch (v->type) {
	case SP_V_STRING: {
		char how;
		if (sp_octets_to_text(v->s, v->len, iconv, buf, sizeof(buf), &how) < 0)
			return "";
		return sp_arena_strdup(a, buf);
	}
	case SP_V_OID:
		return sp_arena_strdup(a, (const char *)v->s);
	case SP_V_IPADDR:
		if (v->len == 4)
			return sp_arena_printf(a, "%u.%u.%u.%u", v->s[0], v->s[1], v->s[2], v->s[3]);
		return "";
	case SP_V_INT:
		return sp_arena_printf(a, "%lld", (long long)v->i);
	case SP_V_UINT:
	case SP_V_COUNTER32:
	case SP_V_COUNTER64:
	case SP_V_TICKS:
		return sp_arena_printf(a, "%llu", (unsigned long long)v->u);
	default:
		return "";
	}
}

static const char *
index_text(struct sp_arena *a, const struct row *row)
{
	char buf[SP_MAX_OID * 11 + 1];

	if (row->nidx == 0)
		return "";
	return sp_arena_strdup(a, sp_oid_format(row->idx, row->nidx, buf, sizeof(buf)));
}

static int
value_eq(const struct sp_value *v, const char *want)
{
	double a, b;

	if (sp_value_number(v, &a) == 0 && sp_parse_number(want, strlen(want), &b) == 0)
		return a == b;
	if (v->type == SP_V_STRING || v->type == SP_V_OID)
		return strlen(want) == v->len && memcmp(v->s, want, v->len) == 0;
	return 0;
}

static int
where_ok(const struct sp_store *st, const struct sp_where *w, size_t n,
    const struct row *row, struct sp_eval_ctx *ctx)
{
	for (size_t i = 0; i < n; i++) {
		const struct sp_vb *vb = ref_at(st, &w[i].ref, row);
		int hit = 0;

		if (vb != NULL) {
			if (w[i].op == SP_W_IN || w[i].op == SP_W_NOT_IN) {
				for (size_t j = 0; j < w[i].n_vals && !hit; j++)
					hit = value_eq(&vb->v, w[i].vals[j]);
			} else if (w[i].has_re) {
				const char *t = sp_value_text(ctx->arena, ctx->iconv, &vb->v);
				hit = regexec(&w[i].re, t, 0, NULL, 0) == 0;
			}
		}
		if (w[i].op == SP_W_IN || w[i].op == SP_W_MATCH) {
			if (!hit)
				return 0;
		} else if (hit) {
			return 0;
		}
	}
	return 1;
}

/* Expand {label} {index} {indexN} {type} in a name template. */
static const char *
expand(struct sp_arena *a, const char *tmpl, const char *label, const struct row *row,
    const char *type)
{
	char buf[512];
	size_t o = 0;

	for (const char *p = tmpl; *p && o < sizeof(buf) - 1;) {
		const char *rep = NULL;
		char tmp[16];
		size_t skip = 0;

		if (strncmp(p, "{label}", 7) == 0) {
			rep = label ? label : "";
			skip = 7;
		} else if (strncmp(p, "{index}", 7) == 0) {
			rep = index_text(a, row);
			skip = 7;
		} else if (strncmp(p, "{type}", 6) == 0) {
			rep = type ? type : "";
			skip = 6;
		} else if (strncmp(p, "{index", 6) == 0 && p[6] >= '1' && p[6] <= '9' &&
		    p[7] == '}') {
			int k = p[6] - '1';
			snprintf(tmp, sizeof(tmp), "%u", k < row->nidx ? row->idx[k] : 0);
			rep = tmp;
			skip = 8;
		}
		if (rep != NULL) {
			size_t l = strlen(rep);
			if (l > sizeof(buf) - 1 - o)
				l = sizeof(buf) - 1 - o;
			memcpy(buf + o, rep, l);
			o += l;
			p += skip;
		} else {
			buf[o++] = *p++;
		}
	}
	buf[o] = '\0';
	/* Trim spaces left by empty parts. */
	char *s = buf;
	while (*s == ' ')
		s++;
	size_t l = strlen(s);
	while (l > 0 && s[l - 1] == ' ')
		s[--l] = '\0';
	return sp_arena_strdup(a, s);
}

static const char *
row_label(const struct sp_store *st, const struct sp_ref *label, const struct row *row,
    struct sp_eval_ctx *ctx)
{
	const struct sp_vb *vb = ref_at(st, label, row);

	if (vb == NULL)
		return NULL;
	const char *t = sp_value_text(ctx->arena, ctx->iconv, &vb->v);
	return t[0] ? t : NULL;
}

/* ---- evaluation ------------------------------------------------------- */

struct mvec {
	struct snmp_metric *v;
	size_t n, cap;
};

static void
metric_add(struct mvec *mv, struct sp_arena *a, const char *measurement,
    const char *field, double value, const char *k1, const char *v1,
    const char *k2, const char *v2)
{
	if (!isfinite(value) || mv->n >= mv->cap)
		return;
	struct snmp_metric *m = &mv->v[mv->n];
	size_t nt = (k1 != NULL) + (k2 != NULL);
	struct snmp_tag *tags = nt ? sp_arena_alloc(a, nt * sizeof(*tags)) : NULL;
	size_t t = 0;

	if (nt && tags == NULL)
		return;
	if (k1 != NULL)
		tags[t++] = (struct snmp_tag){ k1, v1 ? v1 : "" };
	if (k2 != NULL)
		tags[t++] = (struct snmp_tag){ k2, v2 ? v2 : "" };
	m->measurement = measurement;
	m->field = field;
	m->value = value;
	m->tags = tags;
	m->n_tags = nt;
	mv->n++;
}

static int
num_at(const struct sp_store *st, const struct sp_ref *r, const struct row *row, double *out)
{
	const struct sp_vb *vb = ref_at(st, r, row);

	return vb != NULL ? sp_value_number(&vb->v, out) : -1;
}

static double
counter_rate(struct sp_eval_ctx *ctx, const char *what, const struct sp_ref *col,
    const struct sp_vb *vb, const struct row *row, double max_rate)
{
	double rate;
	uint64_t raw;
	int bits;

	switch (vb->v.type) {
	case SP_V_COUNTER64:
		bits = 64;
		raw = vb->v.u;
		break;
	case SP_V_COUNTER32:
	case SP_V_UINT:
	case SP_V_TICKS:
		bits = 32;
		raw = vb->v.u;
		break;
	case SP_V_INT:
		if (vb->v.i < 0)
			return NAN;
		bits = 32;
		raw = (uint64_t)vb->v.i;
		break;
	default:
		return NAN;
	}
	struct sp_counter *c = sp_history_counter(ctx->hist,
	    counter_key(what, &col->oid, row->idx, row->nidx));
	if (c == NULL)
		return NAN;
	if (sp_counter_rate(c, raw, vb->t > 0 ? vb->t : ctx->now, bits, ctx->rebooted,
	    max_rate, &rate) < 0)
		return NAN;
	return rate;
}

static void
eval_interfaces(struct snmp_result *r, const struct sp_store *st,
    const struct sp_profile *p, struct sp_eval_ctx *ctx, struct mvec *mv)
{
	const struct sp_ref *cols = p->ifcols;
	const struct sp_ref *key = cols[SP_IF_DESCR].set ? &cols[SP_IF_DESCR] : &cols[SP_IF_NAME];
	size_t n = ref_count(st, key), pos = (size_t)-1, k = 0;
	struct row row;

	if (n == 0 || r->ifaces != NULL)
		return;
	struct snmp_iface *v = sp_arena_alloc(ctx->arena, n * sizeof(*v));
	if (v == NULL)
		return;
	while (k < n && ref_next(st, key, &pos, &row)) {
		struct snmp_iface *f = &v[k];
		double d, hs;
		const struct sp_vb *vb;

		if (row.nidx != 1)
			continue;
		memset(f, 0, sizeof(*f));
		f->index = row.idx[0];
		f->descr = row_label(st, &cols[SP_IF_DESCR], &row, ctx);
		f->name = row_label(st, &cols[SP_IF_NAME], &row, ctx);
		f->alias = row_label(st, &cols[SP_IF_ALIAS], &row, ctx);
		if (f->name == NULL)
			f->name = f->descr ? f->descr : sp_arena_printf(ctx->arena, "if%lu", f->index);
		if (f->descr == NULL)
			f->descr = f->name;
		if (f->alias == NULL)
			f->alias = "";
		if (num_at(st, &cols[SP_IF_SPEED], &row, &d) == 0 && d > 0)
			f->speed_bps = (unsigned long long)d;
		if (num_at(st, &cols[SP_IF_HIGH_SPEED], &row, &hs) == 0 && hs > 0 &&
		    (f->speed_bps >= 4294967295ULL || hs * 1e6 > (double)f->speed_bps))
			f->speed_bps = (unsigned long long)(hs * 1e6);
		f->admin_status = num_at(st, &cols[SP_IF_ADMIN], &row, &d) == 0 ?
		    sp_ifstatus_name((long)d) : "unknown";
		f->oper_status = num_at(st, &cols[SP_IF_OPER], &row, &d) == 0 ?
		    sp_ifstatus_name((long)d) : "unknown";
		double max_bytes = f->speed_bps ? (double)f->speed_bps / 8.0 * 2.0 : 0;
		static const struct {
			int hc, lc;
			size_t off;
			double mul;
		} rates[] = {
			{ SP_IF_HC_IN_OCTETS, SP_IF_IN_OCTETS, offsetof(struct snmp_iface, in_bps), 8 },
			{ SP_IF_HC_OUT_OCTETS, SP_IF_OUT_OCTETS, offsetof(struct snmp_iface, out_bps), 8 },
			{ -1, SP_IF_IN_ERRORS, offsetof(struct snmp_iface, in_errors_ps), 1 },
			{ -1, SP_IF_OUT_ERRORS, offsetof(struct snmp_iface, out_errors_ps), 1 },
			{ -1, SP_IF_IN_DISCARDS, offsetof(struct snmp_iface, in_discards_ps), 1 },
			{ -1, SP_IF_OUT_DISCARDS, offsetof(struct snmp_iface, out_discards_ps), 1 },
		};
		for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
			double *out = (double *)((char *)f + rates[i].off);
			const struct sp_ref *col = NULL;
			*out = NAN;
			vb = NULL;
			if (rates[i].hc >= 0 && (vb = ref_at(st, &cols[rates[i].hc], &row)) != NULL &&
			    vb->v.type == SP_V_COUNTER64)
				col = &cols[rates[i].hc];
			else if ((vb = ref_at(st, &cols[rates[i].lc], &row)) != NULL)
				col = &cols[rates[i].lc];
			if (col == NULL)
				continue;
			double rate = counter_rate(ctx, "if", col, vb, &row,
			    rates[i].mul == 8 ? max_bytes : 0);
			if (isfinite(rate))
				*out = rate * rates[i].mul;
		}
		k++;
		metric_add(mv, ctx->arena, "interface", "in_bps", f->in_bps, "ifName", f->name, NULL, NULL);
		metric_add(mv, ctx->arena, "interface", "out_bps", f->out_bps, "ifName", f->name, NULL, NULL);
		metric_add(mv, ctx->arena, "interface", "in_errors_ps", f->in_errors_ps, "ifName", f->name, NULL, NULL);
		metric_add(mv, ctx->arena, "interface", "out_errors_ps", f->out_errors_ps, "ifName", f->name, NULL, NULL);
		metric_add(mv, ctx->arena, "interface", "in_discards_ps", f->in_discards_ps, "ifName", f->name, NULL, NULL);
		metric_add(mv, ctx->arena, "interface", "out_discards_ps", f->out_discards_ps, "ifName", f->name, NULL, NULL);
		if (num_at(st, &cols[SP_IF_OPER], &row, &d) == 0)
			metric_add(mv, ctx->arena, "interface", "oper_status", d, "ifName", f->name, NULL, NULL);
	}
	r->ifaces = v;
	r->n_ifaces = k;
}

static int
eval_sensor_row(const struct sp_store *st, const struct sp_profile *p,
    const struct sp_sensor_def *s, const struct row *row, struct sp_eval_ctx *ctx,
    struct snmp_sensor *out)
{
	double raw, mult = s->scale;
	const char *type = s->type, *unit = s->unit, *da = NULL, *db = NULL;
	const struct sp_map_entry *e;

	if (s->value_map.n > 0 || s->value_map.dflt) {
		e = sp_map_find(&s->value_map, &row->vb->v, &da, NULL);
		const char *t = e ? e->a : da;
		if (t == NULL || sp_parse_number(t, strlen(t), &raw) < 0)
			return -1;
	} else if (sp_value_number(&row->vb->v, &raw) < 0) {
		if (!s->state.set)
			return -1;
		raw = NAN;
	}
	for (size_t i = 0; i < s->n_skip; i++)
		if (raw == s->skip[i])
			return -1;
	if (!where_ok(st, s->where, s->n_where, row, ctx))
		return -1;
	if (s->type_from.set) {
		const struct sp_vb *vb = s->type_from.ref.set ?
		    ref_at(st, &s->type_from.ref, row) : row->vb;
		if (vb == NULL)
			return -1;
		e = sp_map_find(&s->type_from.map, &vb->v, &da, &db);
		if (e != NULL) {
			type = e->a;
			if (e->b)
				unit = e->b;
		} else if (da != NULL) {
			type = da;
			if (db)
				unit = db;
		} else if (type == NULL) {
			return -1;
		}
	}
	if (type == NULL || strcmp(type, "-") == 0)
		return -1;
	if (s->scale_from.set) {
		const struct sp_vb *vb = s->scale_from.ref.set ?
		    ref_at(st, &s->scale_from.ref, row) : row->vb;
		double code;
		if (vb != NULL && s->scale_from.entity && sp_value_number(&vb->v, &code) == 0) {
			mult *= sp_entity_scale((int)code);
		} else if (vb != NULL) {
			e = sp_map_find(&s->scale_from.map, &vb->v, &da, NULL);
			double m2;
			if (e != NULL && isfinite(e->mult))
				mult *= e->mult;
			else if (e == NULL && da && sp_parse_number(da, strlen(da), &m2) == 0)
				mult *= m2;
		}
	}
	int prec = s->precision_fixed;
	if (s->precision.set) {
		double pv;
		if (num_at(st, &s->precision, row, &pv) == 0 && pv >= -9 && pv <= 9)
			prec = (int)pv;
	}
	out->value = isfinite(raw) ? sp_scale_value(raw, mult, prec) : NAN;
	out->state = "unknown";
	if (s->state.set) {
		const struct sp_vb *vb = s->state.ref.set ? ref_at(st, &s->state.ref, row) : row->vb;
		if (vb != NULL) {
			e = sp_map_find(&s->state.map, &vb->v, &da, NULL);
			if (e != NULL)
				out->state = e->a;
			else if (da != NULL)
				out->state = da;
		}
		if (strcmp(out->state, "-") == 0)
			return -1;
	}
	out->type = type;
	out->unit = unit ? unit : "";
	out->index = index_text(ctx->arena, row);
	out->profile = p->name;
	const char *label = s->label.set ? row_label(st, &s->label, row, ctx) : NULL;
	const char *tmpl = s->name;
	if (tmpl == NULL)
		tmpl = label ? "{label}" : (row->nidx ? "{type} {index}" : "{type}");
	out->name = expand(ctx->arena, tmpl, label, row, type);
	if (out->name[0] == '\0')
		out->name = expand(ctx->arena, "{type} {index}", NULL, row, type);
	return 0;
}

static void
eval_sensors(struct snmp_result *r, const struct sp_store *st,
    const struct sp_profile *const *matched, size_t n, struct sp_eval_ctx *ctx,
    struct mvec *mv)
{
	size_t cap = 0, k = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < matched[i]->n_sensors; j++)
			cap += ref_count(st, &matched[i]->sensors[j].value);
	if (cap == 0)
		return;
	struct snmp_sensor *v = sp_arena_alloc(ctx->arena, cap * sizeof(*v));
	if (v == NULL)
		return;
	/* Highest priority first, so vendor names win over generic ones. */
	for (size_t i = n; i-- > 0;) {
		const struct sp_profile *p = matched[i];
		for (size_t j = 0; j < p->n_sensors; j++) {
			size_t pos = (size_t)-1;
			struct row row;
			while (k < cap && ref_next(st, &p->sensors[j].value, &pos, &row)) {
				if (eval_sensor_row(st, p, &p->sensors[j], &row, ctx, &v[k]) < 0)
					continue;
				/* Same type and name twice: tell them apart by index. */
				for (size_t q = 0; q < k; q++) {
					if (strcmp(v[q].type, v[k].type) == 0 &&
					    strcmp(v[q].name, v[k].name) == 0) {
						v[k].name = sp_arena_printf(ctx->arena, "%s (%s)",
						    v[k].name, v[k].index[0] ? v[k].index : p->name);
						break;
					}
				}
				k++;
			}
		}
	}
	for (size_t i = 0; i < k; i++)
		metric_add(mv, ctx->arena, "sensor", "value", v[i].value, "type", v[i].type,
		    "name", v[i].name);
	r->sensors = v;
	r->n_sensors = k;
}

static void
eval_metrics(const struct sp_store *st, const struct sp_profile *p,
    struct sp_eval_ctx *ctx, struct mvec *mv)
{
	for (size_t j = 0; j < p->n_metrics; j++) {
		const struct sp_metric_def *m = &p->metrics[j];
		size_t pos = (size_t)-1;
		struct row row;

		while (ref_next(st, &m->value, &pos, &row)) {
			double v, o;
			if (!where_ok(st, m->where, m->n_where, &row, ctx))
				continue;
			if (m->rate) {
				char what[128];
				snprintf(what, sizeof(what), "m:%s:%s", p->name, m->field);
				v = counter_rate(ctx, what, &m->value, row.vb, &row, 0);
			} else if (sp_value_number(&row.vb->v, &v) < 0) {
				continue;
			}
			if (m->multiply.set) {
				if (num_at(st, &m->multiply, &row, &o) < 0)
					continue;
				v *= o;
			}
			if (m->percent_of.set) {
				if (num_at(st, &m->percent_of, &row, &o) < 0 || o == 0)
					continue;
				double mo = 1;
				if (m->multiply.set)	/* both sides in the same units */
					num_at(st, &m->multiply, &row, &mo);
				v = v * 100.0 / (o * mo);
			}
			v *= m->scale;
			const char *label = m->label.set ? row_label(st, &m->label, &row, ctx) : NULL;
			const char *tagv = NULL;
			if (m->name != NULL)
				tagv = expand(ctx->arena, m->name, label, &row, NULL);
			else if (label != NULL)
				tagv = label;
			else if (row.nidx > 0)
				tagv = index_text(ctx->arena, &row);
			metric_add(mv, ctx->arena, m->measurement, m->field, v,
			    tagv ? (m->tag ? m->tag : "name") : NULL, tagv, NULL, NULL);
		}
	}
}

static void
eval_fields(struct snmp_result *r, const struct sp_store *st, const struct sp_profile *p,
    struct sp_eval_ctx *ctx)
{
	for (size_t i = 0; i < p->n_fields; i++) {
		const struct sp_field_def *f = &p->fields[i];
		const char **dst = NULL;
		const char *val = NULL;

		if (strcmp(f->field, "serial") == 0) dst = &r->serial;
		else if (strcmp(f->field, "model") == 0) dst = &r->model;
		else if (strcmp(f->field, "vendor") == 0) dst = &r->vendor;
		else if (strcmp(f->field, "firmware") == 0) dst = &r->firmware;
		else if (strcmp(f->field, "descr") == 0) dst = &r->sys_descr;
		else if (strcmp(f->field, "object_id") == 0) dst = &r->sys_object_id;
		else if (strcmp(f->field, "contact") == 0) dst = &r->sys_contact;
		else if (strcmp(f->field, "name") == 0) dst = &r->sys_name;
		else if (strcmp(f->field, "location") == 0) dst = &r->sys_location;
		if (dst == NULL || *dst != NULL)
			continue;
		if (f->literal != NULL) {
			val = f->literal;
		} else if (f->ref.set) {
			size_t pos = (size_t)-1;
			struct row row;
			while (ref_next(st, &f->ref, &pos, &row)) {
				if (!where_ok(st, f->where, f->n_where, &row, ctx))
					continue;
				const char *t = sp_value_text(ctx->arena, ctx->iconv, &row.vb->v);
				if (t[0] != '\0') {
					val = t;
					break;
				}
			}
		}
		if (val != NULL)
			*dst = val;
	}
}

void
sp_evaluate(struct snmp_result *r, const struct sp_store *st,
    const struct sp_profile *const *matched, size_t n, struct sp_eval_ctx *ctx)
{
	struct mvec mv = { 0 };
	size_t cap = 16;

	/* Bound the metrics: every row of every referenced column at most. */
	for (size_t i = 0; i < n; i++) {
		const struct sp_profile *p = matched[i];
		if (p->has_ifcols)
			cap += 7 * ref_count(st, p->ifcols[SP_IF_DESCR].set ?
			    &p->ifcols[SP_IF_DESCR] : &p->ifcols[SP_IF_NAME]);
		for (size_t j = 0; j < p->n_sensors; j++)
			cap += ref_count(st, &p->sensors[j].value);
		for (size_t j = 0; j < p->n_metrics; j++)
			cap += ref_count(st, &p->metrics[j].value);
	}
	mv.v = sp_arena_alloc(ctx->arena, cap * sizeof(*mv.v));
	mv.cap = mv.v ? cap : 0;

	for (size_t i = n; i-- > 0;)
		eval_fields(r, st, matched[i], ctx);
	for (size_t i = n; i-- > 0;)
		if (matched[i]->has_ifcols)
			eval_interfaces(r, st, matched[i], ctx, &mv);
	eval_sensors(r, st, matched, n, ctx, &mv);
	for (size_t i = n; i-- > 0;)
		eval_metrics(st, matched[i], ctx, &mv);
	r->metrics = mv.v;
	r->n_metrics = mv.n;
}
