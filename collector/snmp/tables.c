/*
 * tables.c — a profile's raw tables (`tables:`): the walked columns handed
 * on row by row, uninterpreted, for subsystems that decode them themselves
 * (topology/ reads LLDP, CDP, FDB and ARP tables this way). Rows are the
 * union of the indexes seen in any column, in OID order.
 */
#include "collector/snmp/snmp.h"

#include <stdlib.h>
#include <string.h>

struct idx {
	const uint32_t *arcs;
	size_t n;
};

static int
idx_cmp(const void *a, const void *b)
{
	const struct idx *x = a, *y = b;

	return sp_oid_cmp(x->arcs, x->n, y->arcs, y->n);
}

/* The rows of one table definition into t (arena memory); -1 out of memory. */
static int
table_rows(const struct sp_table_def *def, const struct sp_store *st,
    struct sp_arena *a, struct sp_table *t)
{
	size_t total = 0;

	for (size_t k = 0; k < def->n_cols; k++) {
		const struct sp_oid *c = &def->cols[k].oid;
		for (size_t i = sp_store_lower(st, c->arcs, c->len); i < st->n &&
		    sp_oid_is_prefix(c->arcs, c->len, st->v[i].arcs, st->v[i].n); i++)
			total += st->v[i].n > c->len;
	}
	struct idx *ix = total ? malloc(total * sizeof(*ix)) : NULL;
	if (total && ix == NULL)
		return -1;
	size_t n = 0;
	for (size_t k = 0; k < def->n_cols; k++) {
		const struct sp_oid *c = &def->cols[k].oid;
		for (size_t i = sp_store_lower(st, c->arcs, c->len); i < st->n &&
		    sp_oid_is_prefix(c->arcs, c->len, st->v[i].arcs, st->v[i].n); i++)
			if (st->v[i].n > c->len)
				ix[n++] = (struct idx){ st->v[i].arcs + c->len, st->v[i].n - c->len };
	}
	if (n > 1)
		qsort(ix, n, sizeof(*ix), idx_cmp);
	size_t u = 0;
	for (size_t i = 0; i < n; i++)
		if (u == 0 || idx_cmp(&ix[u - 1], &ix[i]) != 0)
			ix[u++] = ix[i];
	struct sp_table_row *rows = sp_arena_alloc(a, (u ? u : 1) * sizeof(*rows));
	struct sp_value *cells = sp_arena_alloc(a, (u ? u : 1) * def->n_cols * sizeof(*cells));
	if (rows == NULL || cells == NULL) {
		free(ix);
		return -1;
	}
	uint32_t full[SP_MAX_OID];
	for (size_t r = 0; r < u; r++) {
		rows[r].index = ix[r].arcs;	/* store memory: lives as long as the poll */
		rows[r].index_len = ix[r].n;
		rows[r].cells = &cells[r * def->n_cols];
		for (size_t k = 0; k < def->n_cols; k++) {
			const struct sp_oid *c = &def->cols[k].oid;
			struct sp_value *cell = &cells[r * def->n_cols + k];
			memset(cell, 0, sizeof(*cell));
			if (c->len + ix[r].n > SP_MAX_OID)
				continue;
			memcpy(full, c->arcs, c->len * sizeof(uint32_t));
			memcpy(full + c->len, ix[r].arcs, ix[r].n * sizeof(uint32_t));
			const struct sp_vb *vb = sp_store_get(st, full, c->len + ix[r].n);
			if (vb != NULL)
				*cell = vb->v;
		}
	}
	free(ix);
	t->name = def->name;
	t->cols = (const char *const *)def->col_names;
	t->n_cols = def->n_cols;
	t->rows = rows;
	t->n_rows = u;
	return 0;
}

void
sp_evaluate_tables(struct sp_result *r, const struct sp_store *st,
    const struct sp_profile *const *matched, size_t n, struct sp_eval_ctx *ctx)
{
	size_t want = 0;

	r->slow_walked = ctx->with_slow;
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < matched[k]->n_tables; i++)
			want += !matched[k]->tables[i].slow || ctx->with_slow;
	if (want == 0)
		return;
	struct sp_table *t = sp_arena_alloc(ctx->arena, want * sizeof(*t));
	if (t == NULL)
		return;
	size_t o = 0;
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < matched[k]->n_tables; i++) {
			const struct sp_table_def *def = &matched[k]->tables[i];
			if (def->slow && !ctx->with_slow)
				continue;
			if (table_rows(def, st, ctx->arena, &t[o]) == 0)
				t[o++].profile = matched[k]->name;
		}
	r->tables = t;
	r->n_tables = o;
}

void
sp_table_def_free(struct sp_table_def *t)
{
	free(t->name);
	for (size_t i = 0; i < t->n_cols; i++)
		free(t->col_names[i]);
	free(t->col_names);
	free(t->cols);
}
