/*
 * graph.c — the campus graph, pure (no collector types): nodes by id, links
 * merged when seen from both ends, and upstream paths by breadth-first
 * search from the root. bench/topology measures it at 2,000 devices and
 * 10,000 links.
 */
#include "collector/topology/topology.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- string map ------------------------------------------------------------ */

struct topo_strmap {
	char **keys;
	int *vals;
	size_t cap, n;
};

static uint64_t
hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

struct topo_strmap *
topo_strmap_new(void)
{
	return calloc(1, sizeof(struct topo_strmap));
}

void
topo_strmap_free(struct topo_strmap *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	free(m);
}

int
topo_strmap_get(const struct topo_strmap *m, const char *key)
{
	if (m == NULL || m->cap == 0)
		return -1;
	for (size_t i = hash(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == NULL)
			return -1;
		if (strcmp(m->keys[i], key) == 0)
			return m->vals[i];
	}
}

static int
grow(struct topo_strmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	char **keys = calloc(cap, sizeof(*keys));
	int *vals = calloc(cap, sizeof(*vals));
	if (keys == NULL || vals == NULL) {
		free(keys);
		free(vals);
		return -1;
	}
	for (size_t i = 0; i < m->cap; i++) {
		if (m->keys[i] == NULL)
			continue;
		size_t j = hash(m->keys[i]) & (cap - 1);
		while (keys[j] != NULL)
			j = (j + 1) & (cap - 1);
		keys[j] = m->keys[i];
		vals[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->cap = cap;
	return 0;
}

int
topo_strmap_put(struct topo_strmap *m, const char *key, int value)
{
	if ((m->n + 1) * 2 > m->cap && grow(m) < 0)
		return -1;
	size_t i = hash(key) & (m->cap - 1);
	for (; m->keys[i] != NULL; i = (i + 1) & (m->cap - 1))
		if (strcmp(m->keys[i], key) == 0) {
			m->vals[i] = value;
			return 0;
		}
	if ((m->keys[i] = strdup(key)) == NULL)
		return -1;
	m->vals[i] = value;
	m->n++;
	return 0;
}

/* ---- nodes and links ------------------------------------------------------- */

void
topo_graph_init(struct topo_graph *g)
{
	memset(g, 0, sizeof(*g));
	g->ids = topo_strmap_new();
	g->keys = topo_strmap_new();
	g->ends = topo_strmap_new();
	g->root = -1;
}

void
topo_graph_free(struct topo_graph *g)
{
	for (size_t i = 0; i < g->n_nodes; i++) {
		struct topo_node *n = &g->nodes[i];
		free(n->id);
		free(n->name);
		free(n->kind);
		free(n->status);
		free(n->address);
		free(n->mac);
		free(n->building);
		free(n->room);
		free(n->seen_by);
		free(n->adj);
	}
	for (size_t i = 0; i < g->n_links; i++) {
		free(g->links[i].a_port);
		free(g->links[i].b_port);
	}
	free(g->nodes);
	free(g->links);
	topo_strmap_free(g->ids);
	topo_strmap_free(g->keys);
	topo_strmap_free(g->ends);
	memset(g, 0, sizeof(*g));
	g->root = -1;
}

int
topo_graph_find(const struct topo_graph *g, const char *id)
{
	return topo_strmap_get(g->ids, id);
}

int
topo_graph_node(struct topo_graph *g, const char *id)
{
	int i = topo_strmap_get(g->ids, id);
	if (i >= 0)
		return i;
	if (g->ids == NULL || g->n_nodes >= INT32_MAX)
		return -1;
	if (g->n_nodes == g->cap_nodes) {
		size_t cap = g->cap_nodes ? g->cap_nodes * 2 : 64;
		struct topo_node *nv = realloc(g->nodes, cap * sizeof(*nv));
		if (nv == NULL)
			return -1;
		g->nodes = nv;
		g->cap_nodes = cap;
	}
	struct topo_node *n = &g->nodes[g->n_nodes];
	memset(n, 0, sizeof(*n));
	n->parent = -1;
	n->depth = -1;
	if ((n->id = strdup(id)) == NULL || topo_strmap_put(g->ids, id, (int)g->n_nodes) < 0) {
		free(n->id);
		return -1;
	}
	return (int)g->n_nodes++;
}

/* A link's key from one end: "node\tport\tnode\tport" with the ends in id order. */
static void
link_key(const struct topo_graph *g, int a, const char *ap, int b, const char *bp,
    char *out, size_t len)
{
	if (strcmp(g->nodes[a].id, g->nodes[b].id) > 0) {
		int t = a;
		a = b;
		b = t;
		const char *tp = ap;
		ap = bp;
		bp = tp;
	}
	snprintf(out, len, "%s\t%s\t%s\t%s", g->nodes[a].id, ap ? ap : "", g->nodes[b].id,
	    bp ? bp : "");
}

/* One end's key: "node\tport\tother node" (port known). */
static void
end_key(const struct topo_graph *g, int a, const char *ap, int b, char *out, size_t len)
{
	snprintf(out, len, "%s\t%s\t%s", g->nodes[a].id, ap, g->nodes[b].id);
}

/* The link i's end at node a has port p, and the other end's is q (NULL: not
 * known): may they be the same cable? */
static int
fits(const struct topo_link *l, int a, const char *q)
{
	const char *theirs = l->a == a ? l->b_port : l->a_port;
	return q == NULL || theirs == NULL || strcmp(theirs, q) == 0;
}

static int
find_link(const struct topo_graph *g, int a, const char *a_port, int b, const char *b_port)
{
	char key[1200];
	int i;

	if (a_port && b_port) {
		link_key(g, a, a_port, b, b_port, key, sizeof(key));
		if ((i = topo_strmap_get(g->keys, key)) >= 0)
			return i;
	}
	if (a_port) {
		end_key(g, a, a_port, b, key, sizeof(key));
		if ((i = topo_strmap_get(g->ends, key)) >= 0 && fits(&g->links[i], a, b_port))
			return i;
	}
	if (b_port) {
		end_key(g, b, b_port, a, key, sizeof(key));
		if ((i = topo_strmap_get(g->ends, key)) >= 0 && fits(&g->links[i], b, a_port))
			return i;
	}
	if (!a_port && !b_port) {
		link_key(g, a, NULL, b, NULL, key, sizeof(key));
		return topo_strmap_get(g->keys, key);
	}
	return -1;
}

static void
index_link(struct topo_graph *g, int i)
{
	const struct topo_link *l = &g->links[i];
	char key[1200];
	link_key(g, l->a, l->a_port, l->b, l->b_port, key, sizeof(key));
	topo_strmap_put(g->keys, key, i);
	if (l->a_port) {
		end_key(g, l->a, l->a_port, l->b, key, sizeof(key));
		topo_strmap_put(g->ends, key, i);
	}
	if (l->b_port) {
		end_key(g, l->b, l->b_port, l->a, key, sizeof(key));
		topo_strmap_put(g->ends, key, i);
	}
}

int
topo_graph_link(struct topo_graph *g, int a, const char *a_port, int b,
    const char *b_port, enum topo_source src)
{
	if (a < 0 || b < 0 || a == b || g->keys == NULL || g->ends == NULL)
		return -1;
	int i = find_link(g, a, a_port, b, b_port);
	if (i >= 0) {
		/* the same cable, from the other end or with a port missing */
		struct topo_link *l = &g->links[i];
		int same = l->a == a;
		char **mine = same ? &l->a_port : &l->b_port, **theirs = same ? &l->b_port : &l->a_port;
		if (*mine == NULL && a_port)
			*mine = strdup(a_port);
		if (*theirs == NULL && b_port)
			*theirs = strdup(b_port);
		l->both = 1;
		if (src < l->source)
			l->source = src;	/* lldp beats cdp beats fdb */
		index_link(g, i);
		return i;
	}
	if (g->n_links >= INT32_MAX)
		return -1;
	if (g->n_links == g->cap_links) {
		size_t cap = g->cap_links ? g->cap_links * 2 : 64;
		struct topo_link *nv = realloc(g->links, cap * sizeof(*nv));
		if (nv == NULL)
			return -1;
		g->links = nv;
		g->cap_links = cap;
	}
	struct topo_link *l = &g->links[g->n_links];
	memset(l, 0, sizeof(*l));
	l->a = a;
	l->b = b;
	l->a_port = a_port ? strdup(a_port) : NULL;
	l->b_port = b_port ? strdup(b_port) : NULL;
	l->source = src;
	l->up = 1;
	l->speed_bps = NAN;
	l->utilisation = NAN;
	index_link(g, (int)g->n_links);
	return (int)g->n_links++;
}

/* ---- paths ------------------------------------------------------------------ */

static void
adj_add(struct topo_node *n, int to)
{
	if (n->n_adj == n->cap_adj) {
		size_t cap = n->cap_adj ? n->cap_adj * 2 : 4;
		int *nv = realloc(n->adj, cap * sizeof(*nv));
		if (nv == NULL)
			return;
		n->adj = nv;
		n->cap_adj = cap;
	}
	n->adj[n->n_adj++] = to;
}

static const struct topo_graph *sort_g;

static int
adj_cmp(const void *x, const void *y)
{
	int a = *(const int *)x, b = *(const int *)y;
	return strcmp(sort_g->nodes[a].id, sort_g->nodes[b].id);
}

void
topo_graph_paths(struct topo_graph *g)
{
	for (size_t i = 0; i < g->n_nodes; i++) {
		g->nodes[i].n_adj = 0;
		g->nodes[i].parent = -1;
		g->nodes[i].depth = -1;
	}
	for (size_t i = 0; i < g->n_links; i++) {
		adj_add(&g->nodes[g->links[i].a], g->links[i].b);
		adj_add(&g->nodes[g->links[i].b], g->links[i].a);
	}
	if (g->root < 0 || (size_t)g->root >= g->n_nodes) {
		/* Guess: the managed node with the most managed neighbours. */
		size_t best = 0;
		g->root = -1;
		for (size_t i = 0; i < g->n_nodes; i++) {
			const struct topo_node *n = &g->nodes[i];
			if (n->device_id == 0)
				continue;
			size_t m = 0;
			for (size_t k = 0; k < n->n_adj; k++)
				m += g->nodes[n->adj[k]].device_id != 0;
			if (g->root < 0 || m > best ||
			    (m == best && n->device_id < g->nodes[g->root].device_id)) {
				g->root = (int)i;
				best = m;
			}
		}
		g->root_guessed = g->root >= 0;
	}
	if (g->root < 0)
		return;
	/* Neighbours in id order make ties deterministic. */
	sort_g = g;
	for (size_t i = 0; i < g->n_nodes; i++)
		if (g->nodes[i].n_adj > 1)
			qsort(g->nodes[i].adj, g->nodes[i].n_adj, sizeof(int), adj_cmp);
	int *queue = malloc((g->n_nodes ? g->n_nodes : 1) * sizeof(*queue));
	if (queue == NULL)
		return;
	size_t head = 0, tail = 0;
	queue[tail++] = g->root;
	g->nodes[g->root].depth = 0;
	while (head < tail) {
		int u = queue[head++];
		const struct topo_node *n = &g->nodes[u];
		for (size_t k = 0; k < n->n_adj; k++) {
			struct topo_node *v = &g->nodes[n->adj[k]];
			if (v->depth >= 0)
				continue;	/* seen: loops end here */
			v->depth = n->depth + 1;
			v->parent = u;
			queue[tail++] = n->adj[k];
		}
	}
	free(queue);
}

size_t
topo_graph_path(const struct topo_graph *g, int i, int64_t *out, size_t max)
{
	if (i < 0 || (size_t)i >= g->n_nodes || g->nodes[i].depth < 0)
		return 0;
	size_t n = 0;
	for (int v = i; v >= 0 && n < max; v = g->nodes[v].parent)	/* depth bounds it */
		if (g->nodes[v].device_id != 0)
			out[n++] = g->nodes[v].device_id;
	for (size_t k = 0; k < n / 2; k++) {
		int64_t t = out[k];
		out[k] = out[n - 1 - k];
		out[n - 1 - k] = t;
	}
	return n;
}
