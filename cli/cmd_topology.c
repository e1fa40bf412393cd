/*
 * cmd_topology.c — campusmon topology: GET /api/v1/topology printed as the
 * tree of upstream paths, from the root down, one node a line:
 *
 *   core-1 [up] router 10.0.0.1 (Network Centre / Core room)
 *   ├── dist-1 [up] switch 10.0.1.1  Gi0/1 → Gi0/49, 10 Gbit/s, 37%
 *   │   └── ap-1-1-2 (unmanaged) [unknown] ap  Gi0/3 → -, fdb
 *
 * Each node's parent comes from its "parent" field; a parent that is missing,
 * the node itself or part of a loop makes the node a root of its own, so the
 * output always ends. Every string from the collector is escaped for the
 * terminal.
 */
#include "cli/cli.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LEVELS 256			/* deeper nodes are summarised, not printed */
#define ID_LEN 128

struct tnode {
	const json_t *j;
	char id[ID_LEN];
	int parent;			/* index, or -1 for a root */
	int first, last, next;		/* children (sorted by name), next sibling */
	int done;			/* printed */
	int via;			/* no known path: hung under a linked node */
	int lone;			/* no parent, no children, not the root */
};

struct tree {
	struct tnode *n;
	size_t count;
	const json_t *links;
	char (*link_a)[ID_LEN], (*link_b)[ID_LEN];
	int *link_ai, *link_bi;		/* node indexes of the ends, -1 unknown */
	int max_depth;			/* levels below the start to print; -1: all */
	FILE *out;
	char prefix[MAX_LEVELS * 4 * 3 + 1];	/* "│   " is 6 bytes; room to spare */
};

static const char *
str_of(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s != NULL && s[0] != '\0' ? s : NULL;
}

/* Print s escaped for a terminal (NULL prints nothing). */
static void
put_text(FILE *out, const char *s)
{
	char *e = s ? cli_escape(s) : NULL;
	if (e != NULL)
		fputs(e, out);
	free(e);
}

static int
find_id(const struct tree *t, const char *id)
{
	for (size_t i = 0; i < t->count; i++)
		if (strcmp(t->n[i].id, id) == 0)
			return (int)i;
	return -1;
}

static const char *
name_of(const struct tnode *n)
{
	const char *s = str_of(n->j, "name");
	return s ? s : n->id;
}

static int
by_name(const void *a, const void *b, void *arg)
{
	const struct tnode *n = arg;
	return strcmp(name_of(&n[*(const int *)a]), name_of(&n[*(const int *)b]));
}

/* The link between node p and node c, with the ports as seen from p and c. */
static const json_t *
link_between(const struct tree *t, int p, int c, const char **p_port, const char **c_port)
{
	for (size_t i = 0; i < json_array_size(t->links); i++) {
		const json_t *l = json_array_get(t->links, i);
		int ab = strcmp(t->link_a[i], t->n[p].id) == 0 && strcmp(t->link_b[i], t->n[c].id) == 0;
		int ba = strcmp(t->link_b[i], t->n[p].id) == 0 && strcmp(t->link_a[i], t->n[c].id) == 0;
		if (!ab && !ba)
			continue;
		*p_port = str_of(l, ab ? "a_port" : "b_port");
		*c_port = str_of(l, ab ? "b_port" : "a_port");
		return l;
	}
	return NULL;
}

static void
print_line(struct tree *t, int i)
{
	const json_t *j = t->n[i].j;
	FILE *out = t->out;
	put_text(out, name_of(&t->n[i]));
	if (json_is_false(json_object_get(j, "managed")))
		fputs(" (unmanaged)", out);
	if (t->n[i].via)
		fputs(" (no path)", out);
	fputs(" [", out);
	put_text(out, str_of(j, "status") ? str_of(j, "status") : "unknown");
	fputc(']', out);
	for (const char *const *k = (const char *const[]){ "kind", "address", NULL }; *k; k++)
		if (str_of(j, *k)) {
			fputc(' ', out);
			put_text(out, str_of(j, *k));
		}
	int p = t->n[i].parent;
	const char *pp = NULL, *cp = NULL;
	const json_t *l = p >= 0 ? link_between(t, p, i, &pp, &cp) : NULL;
	if (l != NULL) {
		fputs("  ", out);
		put_text(out, pp ? pp : "-");
		fputs(" \u2192 ", out);
		put_text(out, cp ? cp : "-");
		const char *st = str_of(l, "status");
		if (st && strcmp(st, "up") != 0) {
			fputs(", link ", out);
			put_text(out, st);
		}
		const json_t *sp = json_object_get(l, "speed_bps"), *u = json_object_get(l, "utilisation");
		if (json_is_number(sp) && json_number_value(sp) > 0) {
			char buf[32];
			cli_format_speed(json_number_value(sp), buf, sizeof(buf));
			fprintf(out, ", %s", buf);
		}
		if (json_is_number(u))
			fprintf(out, ", %.0f%%", json_number_value(u) * 100);
		const char *src = str_of(l, "source");
		if (src && strcmp(src, "lldp") != 0) {
			fputs(", ", out);
			put_text(out, src);
		}
	}
	const char *b = str_of(j, "building"), *r = str_of(j, "room");
	const char *pb = p >= 0 ? str_of(t->n[p].j, "building") : NULL, *pr = p >= 0 ? str_of(t->n[p].j, "room") : NULL;
	int same = p >= 0 && (b == pb || (b && pb && strcmp(b, pb) == 0)) &&
	    (r == pr || (r && pr && strcmp(r, pr) == 0));
	if ((b || r) && !same) {	/* where it is, unless where its upstream is */
		fputs(" (", out);
		put_text(out, b ? b : "");
		fputs(b && r ? " / " : "", out);
		put_text(out, r ? r : "");
		fputc(')', out);
	}
	fputc('\n', out);
}

/* Count what lies below node i (for a depth-limited print). */
static size_t
below(const struct tree *t, int i, int guard)
{
	size_t n = 0;
	if (guard > MAX_LEVELS)
		return 0;
	for (int c = t->n[i].first; c >= 0; c = t->n[c].next)
		n += 1 + below(t, c, guard + 1);
	return n;
}

static void
print_sub(struct tree *t, int i, int level)
{
	t->n[i].done = 1;
	print_line(t, i);
	if (t->n[i].first < 0)
		return;
	if ((t->max_depth >= 0 && level >= t->max_depth) || level >= MAX_LEVELS) {
		fprintf(t->out, "%s\u2514\u2500\u2500 \u2026 %zu more below\n", t->prefix, below(t, i, 0));
		return;
	}
	size_t plen = strlen(t->prefix);
	for (int c = t->n[i].first; c >= 0; c = t->n[c].next) {
		int last = t->n[c].next < 0;
		fprintf(t->out, "%s%s", t->prefix, last ? "\u2514\u2500\u2500 " : "\u251c\u2500\u2500 ");
		strcpy(t->prefix + plen, last ? "    " : "\u2502   ");
		print_sub(t, c, level + 1);
		t->prefix[plen] = '\0';
	}
}

/*
 * Spread from the nodes in queue[0..n) along links: every lone node next to
 * one of them hangs under it (via) and spreads in turn. queue has room for
 * every node.
 */
static void
spread(struct tree *t, int *queue, size_t n)
{
	size_t nl = json_array_size(t->links);
	for (size_t q = 0; q < n; q++)
		for (size_t l = 0; l < nl; l++) {
			int x = queue[q], other = t->link_ai[l] == x ? t->link_bi[l] :
			    t->link_bi[l] == x ? t->link_ai[l] : -1;
			if (other < 0 || !t->n[other].lone || t->n[other].via || other == queue[0])
				continue;
			t->n[other].parent = x;
			t->n[other].via = 1;
			queue[n++] = other;
		}
}

/*
 * Nodes with no known path from the root (depth -1 in the API) are shown,
 * as the map does, under a node they are linked with: first next to the
 * root's tree, then each remaining group under its managed (else first)
 * member.
 */
static void
hang_by_links(struct tree *t, int root, int *queue)
{
	size_t n = 0;
	for (size_t i = 0; i < t->count; i++)
		t->n[i].lone = t->n[i].parent < 0 && (int)i != root;
	for (size_t i = 0; i < t->count; i++)
		if (t->n[i].parent >= 0)
			t->n[t->n[i].parent].lone = 0;
	if (root >= 0)
		queue[n++] = root;
	for (size_t i = 0; i < t->count; i++)
		if (!t->n[i].lone && (int)i != root)
			queue[n++] = (int)i;
	spread(t, queue, n);
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < t->count; i++) {
			int managed = json_is_true(json_object_get(t->n[i].j, "managed"));
			if (!t->n[i].lone || t->n[i].via || (pass == 0 && !managed))
				continue;
			t->n[i].lone = 0;
			queue[0] = (int)i;
			spread(t, queue, 1);
		}
}

int
cli_topology_print(FILE *out, const json_t *topo, const char *from, int max_depth)
{
	const json_t *nodes = json_object_get(topo, "nodes");
	struct tree t = { .links = json_object_get(topo, "links"), .max_depth = max_depth, .out = out };
	size_t nl = json_array_size(t.links);
	t.n = calloc(json_array_size(nodes) + 1, sizeof(*t.n));
	int *order = calloc(json_array_size(nodes) + 1, sizeof(*order));
	t.link_a = calloc(nl + 1, sizeof(*t.link_a));
	t.link_b = calloc(nl + 1, sizeof(*t.link_b));
	t.link_ai = calloc(nl + 1, sizeof(*t.link_ai));
	t.link_bi = calloc(nl + 1, sizeof(*t.link_bi));
	int *queue = calloc(json_array_size(nodes) + 1, sizeof(*queue));
	int rc = -1;
	if (t.n == NULL || order == NULL || t.link_a == NULL || t.link_b == NULL ||
	    t.link_ai == NULL || t.link_bi == NULL || queue == NULL)
		goto out;
	for (size_t i = 0; i < json_array_size(nodes); i++) {
		const json_t *j = json_array_get(nodes, i);
		if (!json_is_object(j) || json_object_get(j, "id") == NULL)
			continue;
		struct tnode *n = &t.n[t.count];
		cli_id_text(json_object_get(j, "id"), n->id, sizeof(n->id));
		if (find_id(&t, n->id) >= 0)
			continue;		/* a node listed twice is printed once */
		n->j = j;
		n->first = n->last = n->next = -1;
		order[t.count] = (int)t.count;
		t.count++;
	}
	for (size_t i = 0; i < nl; i++) {
		const json_t *l = json_array_get(t.links, i);
		cli_id_text(json_object_get(l, "a"), t.link_a[i], ID_LEN);
		cli_id_text(json_object_get(l, "b"), t.link_b[i], ID_LEN);
		t.link_ai[i] = find_id(&t, t.link_a[i]);
		t.link_bi[i] = find_id(&t, t.link_b[i]);
	}
	for (size_t i = 0; i < t.count; i++) {
		const json_t *p = json_object_get(t.n[i].j, "parent");
		char pid[ID_LEN];
		t.n[i].parent = -1;
		if (p != NULL && !json_is_null(p)) {
			cli_id_text(p, pid, sizeof(pid));
			int k = find_id(&t, pid);
			t.n[i].parent = k == (int)i ? -1 : k;
		}
	}
	/* a loop through parents: cut it where the walk comes back */
	for (size_t i = 0; i < t.count; i++)
		for (;;) {
			/* more than count steps up without reaching a root: k is on a loop */
			int k = (int)i;
			for (size_t steps = 0; k >= 0 && steps <= t.count; steps++)
				k = t.n[k].parent;
			if (k < 0)
				break;
			t.n[k].parent = -1;
		}
	/* "root": {"id", "name", "guessed"}, or a bare id */
	int root = -1;
	const json_t *r = json_object_get(topo, "root");
	if (json_is_object(r))
		r = json_object_get(r, "id");
	if (r != NULL && !json_is_null(r)) {
		char rid[ID_LEN];
		cli_id_text(r, rid, sizeof(rid));
		root = find_id(&t, rid);
		if (root >= 0 && t.n[root].parent >= 0)
			root = -1;
	}
	hang_by_links(&t, root, queue);
	qsort_r(order, t.count, sizeof(*order), by_name, t.n);
	for (size_t o = 0; o < t.count; o++) {
		int i = order[o], p = t.n[i].parent;
		if (p < 0)
			continue;
		if (t.n[p].last < 0)
			t.n[p].first = i;
		else
			t.n[t.n[p].last].next = i;
		t.n[p].last = i;
	}
	rc = 0;
	if (from != NULL) {
		int start = find_id(&t, from);
		for (size_t i = 0; start < 0 && i < t.count; i++)
			if (strcmp(name_of(&t.n[i]), from) == 0)
				start = (int)i;
		if (start < 0)
			rc = 1;
		else
			print_sub(&t, start, 0);
		goto out;
	}
	/* the root first, then the trees with no known path, then what is linked to nothing */
	if (root >= 0)
		print_sub(&t, root, 0);
	for (int pass = 0; pass < 2; pass++) {
		int said = 0;
		for (size_t o = 0; o < t.count; o++) {
			int i = order[o];
			if (t.n[i].done || t.n[i].parent >= 0 || (pass == 0) != (t.n[i].first >= 0))
				continue;
			if (!said && (root >= 0 || pass == 1))
				fprintf(out, "\n%s:\n", pass == 0 ? "No path from the root (placed by their links)" :
				    "Linked to nothing above");
			said = 1;
			print_sub(&t, i, 0);
		}
	}
out:
	free(t.n); free(order); free(t.link_a); free(t.link_b); free(t.link_ai); free(t.link_bi);
	free(queue);
	return rc;
}

int
cmd_topology(struct cli *c, const struct cli_args *args)
{
	int max_depth = -1;
	const char *depth = cli_args_get(args, "depth"), *from = cli_args_get(args, "from");
	if (depth != NULL) {
		char *end;
		long d = strtol(depth, &end, 10);
		if (*depth == '\0' || *end != '\0' || d < 0 || d > MAX_LEVELS) {
			cli_error(c, "--depth: a number of levels from 0 to %d", MAX_LEVELS);
			return CLI_EXIT_USAGE;
		}
		max_depth = (int)d;
	}
	struct cli_reply r;
	int rc = cli_call_accept(c, "GET", "/api/v1/topology", NULL, 0, NULL, &r, 503);
	if (rc != CLI_EXIT_OK)
		return rc;
	json_t *topo = cli_reply_json(c, &r);
	long status = r.status;
	cli_reply_free(&r);
	if (topo == NULL)
		return CLI_EXIT_API;
	if (status == 503) {
		/* 503 {"error": "no topology yet"} before the first neighbour walk; other 503s are errors */
		const char *msg = json_string_value(json_object_get(topo, "error"));
		int none = msg != NULL && strstr(msg, "topology") != NULL;
		if (none && !c->json)
			fprintf(c->out, "No topology yet: the collector reads neighbour tables (LLDP, "
			    "CDP, FDB, ARP) every topology.interval; the tree appears after the first "
			    "walk.\n");
		else if (none)
			cli_print_json(c, topo);
		else
			cli_error(c, "%s (HTTP 503)", msg ? msg : "the collector is busy");
		json_decref(topo);
		return none ? CLI_EXIT_OK : CLI_EXIT_API;
	}
	const json_t *nodes = json_object_get(topo, "nodes");
	if (!json_is_object(topo) || !json_is_array(nodes)) {
		cli_error(c, "the collector's topology is not {\"nodes\": [...], \"links\": [...]}");
		json_decref(topo);
		return CLI_EXIT_API;
	}
	if (c->json) {
		cli_print_json(c, topo);
		json_decref(topo);
		return CLI_EXIT_OK;
	}
	if (json_array_size(nodes) == 0) {
		fprintf(c->out, "No topology yet: the collector reads neighbour tables (LLDP, CDP, "
		    "FDB, ARP) every topology.interval; the tree appears after the first walk.\n");
		json_decref(topo);
		return CLI_EXIT_OK;
	}
	size_t unmanaged = 0;
	for (size_t i = 0; i < json_array_size(nodes); i++)
		unmanaged += json_is_false(json_object_get(json_array_get(nodes, i), "managed"));
	rc = cli_topology_print(c->out, topo, from, max_depth);
	if (rc == 1)
		cli_error(c, "--from: no node has the id or name '%s'", from);
	else if (rc < 0)
		cli_error(c, "out of memory");
	else {
		fprintf(c->out, "\n%zu nodes (%zu unmanaged), %zu links", json_array_size(nodes),
		    unmanaged, json_array_size(json_object_get(topo, "links")));
		if (json_is_true(json_object_get(json_object_get(topo, "root"), "guessed")))
			fputs("; the root was guessed (set topology.root)", c->out);
		fputc('\n', c->out);
	}
	json_decref(topo);
	return rc == 0 ? CLI_EXIT_OK : rc == 1 ? CLI_EXIT_USAGE : CLI_EXIT_API;
}
