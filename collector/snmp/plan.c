/*
 * plan.c — poll plans: from the matched profiles, the sorted list of
 * scalars to GET and subtrees to walk (evaluate.c reads what came back).
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

/* Walks: sorted, without duplicates or subtrees of another walk. */
static void
walks_finish(struct oidvec *walks)
{
	if (walks->n > 1)	/* qsort's base may not be NULL, even for none */
		qsort(walks->v, walks->n, sizeof(*walks->v), oid_sort);
	size_t o = 0;
	for (size_t i = 0; i < walks->n; i++) {
		if (o > 0 && sp_oid_is_prefix(walks->v[o - 1].arcs, walks->v[o - 1].len,
		    walks->v[i].arcs, walks->v[i].len))
			continue;
		walks->v[o++] = walks->v[i];
	}
	walks->n = o;
}

int
sp_plan_build(struct sp_plan *plan, const struct sp_profile *const *matched, size_t n)
{
	struct oidvec gets = { 0 }, walks = { 0 }, slow = { 0 };

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
		for (size_t i = 0; i < p->n_tables; i++)
			for (size_t col = 0; col < p->tables[i].n_cols; col++)
				add_ref(&gets, p->tables[i].slow ? &slow : &walks,
				    &p->tables[i].cols[col]);
	}
	walks_finish(&walks);
	walks_finish(&slow);
	size_t o;
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
	plan->slow_walks = slow.v;
	plan->n_slow_walks = slow.n;
	return 0;
}

void
sp_plan_free(struct sp_plan *plan)
{
	free(plan->gets);
	free(plan->walks);
	free(plan->slow_walks);
	memset(plan, 0, sizeof(*plan));
}
