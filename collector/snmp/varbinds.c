/*
 * varbinds.c — the values of one poll: a bump arena (freed at once when the
 * result has been delivered) and a sorted array of varbinds with exact and
 * subtree lookups. Bounded by max entries; what does not fit is counted.
 */
#include "collector/snmp/snmp.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sp_chunk {
	struct sp_chunk *next;
	size_t used, size;
	max_align_t data[];
};

#define SP_CHUNK_SIZE 65536

void *
sp_arena_alloc(struct sp_arena *a, size_t n)
{
	struct sp_chunk *c = a->head;

	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (c == NULL || c->size - c->used < n) {
		size_t size = n > SP_CHUNK_SIZE ? n : SP_CHUNK_SIZE;
		c = malloc(sizeof(*c) + size);
		if (c == NULL)
			return NULL;
		c->size = size;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	void *p = (char *)c->data + c->used;
	c->used += n;
	return p;
}

char *
sp_arena_strdup(struct sp_arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = sp_arena_alloc(a, n);

	if (d != NULL)
		memcpy(d, s, n);
	return d;
}

char *
sp_arena_printf(struct sp_arena *a, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return sp_arena_strdup(a, buf);
}

void
sp_arena_free(struct sp_arena *a)
{
	struct sp_chunk *c = a->head, *next;

	for (; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
}

void
sp_store_init(struct sp_store *s, struct sp_arena *a, size_t max)
{
	memset(s, 0, sizeof(*s));
	s->arena = a;
	s->max = max;
	s->sorted = 1;
}

int
sp_store_add(struct sp_store *s, const uint32_t *arcs, size_t n,
    const struct sp_value *v, double t)
{
	if (n == 0 || n > SP_MAX_OID)
		return -1;
	if (s->n >= s->max) {
		s->truncated++;
		return -1;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		struct sp_vb *nv = realloc(s->v, cap * sizeof(*nv));
		if (nv == NULL)
			return -1;
		s->v = nv;
		s->cap = cap;
	}
	struct sp_vb *vb = &s->v[s->n];
	vb->arcs = sp_arena_alloc(s->arena, n * sizeof(uint32_t));
	if (vb->arcs == NULL)
		return -1;
	memcpy(vb->arcs, arcs, n * sizeof(uint32_t));
	vb->n = (uint8_t)n;
	vb->v = *v;
	vb->t = t;
	if (v->s != NULL && v->len > 0) {
		unsigned char *b = sp_arena_alloc(s->arena, v->len + 1);
		if (b == NULL)
			return -1;
		memcpy(b, v->s, v->len);
		b[v->len] = '\0';
		vb->v.s = b;
	} else {
		vb->v.s = (const unsigned char *)"";
	}
	if (s->n > 0 && s->sorted &&
	    sp_oid_cmp(s->v[s->n - 1].arcs, s->v[s->n - 1].n, arcs, n) >= 0)
		s->sorted = 0;
	s->n++;
	return 0;
}

static int
vb_cmp(const void *a, const void *b)
{
	const struct sp_vb *x = a, *y = b;
	int c = sp_oid_cmp(x->arcs, x->n, y->arcs, y->n);

	if (c != 0)
		return c;
	/* Stable for duplicates: later additions sort after. */
	return x < y ? -1 : (x > y);
}

void
sp_store_finish(struct sp_store *s)
{
	if (s->sorted)
		return;
	qsort(s->v, s->n, sizeof(*s->v), vb_cmp);
	size_t o = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (o > 0 && sp_oid_cmp(s->v[o - 1].arcs, s->v[o - 1].n,
		    s->v[i].arcs, s->v[i].n) == 0)
			s->v[o - 1] = s->v[i];
		else
			s->v[o++] = s->v[i];
	}
	s->n = o;
	s->sorted = 1;
}

size_t
sp_store_lower(const struct sp_store *s, const uint32_t *arcs, size_t n)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (sp_oid_cmp(s->v[mid].arcs, s->v[mid].n, arcs, n) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct sp_vb *
sp_store_get(const struct sp_store *s, const uint32_t *arcs, size_t n)
{
	size_t i = sp_store_lower(s, arcs, n);

	if (i < s->n && sp_oid_cmp(s->v[i].arcs, s->v[i].n, arcs, n) == 0)
		return &s->v[i];
	return NULL;
}

int
sp_value_number(const struct sp_value *v, double *out)
{
	switch (v->type) {
	case SP_V_INT:
		*out = (double)v->i;
		return 0;
	case SP_V_UINT:
	case SP_V_COUNTER32:
	case SP_V_COUNTER64:
	case SP_V_TICKS:
		*out = (double)v->u;
		return 0;
	case SP_V_STRING:
		return sp_parse_number((const char *)v->s, v->len, out);
	default:
		return -1;
	}
}
