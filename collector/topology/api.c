/*
 * api.c — the topology's API (DESIGN §9): the whole graph, a device's
 * neighbours, and a device's upstream path. Read-only, from memory.
 */
#include "collector/collector.h"
#include "collector/http/http.h"
#include "collector/auth/auth.h"
#include "collector/api/api.h"
#include "collector/inventory/inventory.h"
#include "collector/topology/topology.h"

#include <event2/http.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *
num_or_null(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

static json_t *
node_json(const struct topo_graph *g, const struct topo_node *n)
{
	json_t *o = json_pack("{s:s,s:s?,s:s?,s:s?,s:s?,s:b,s:s?,s:s?,s:o,s:i}", "id", n->id,
	    "name", n->name, "kind", n->kind, "status", n->status, "address", n->address,
	    "managed", n->device_id != 0 || strncmp(n->id, "h:", 2) == 0,
	    "building", n->building, "room", n->room,
	    "parent", n->parent >= 0 ? json_string(g->nodes[n->parent].id) : json_null(),
	    "depth", n->depth);
	if (o == NULL)
		return NULL;
	if (n->device_id != 0)
		json_object_set_new(o, "device_id", json_integer(n->device_id));
	if (n->mac)
		json_object_set_new(o, "mac", json_string(n->mac));
	if (n->device_id == 0) {
		json_object_set_new(o, "source", json_string(topo_source_name(n->source)));
		if (n->seen_by)
			json_object_set_new(o, "seen_by", json_string(n->seen_by));
	}
	if (strncmp(n->id, "h:", 2) == 0)
		json_object_set_new(o, "agent", json_true());
	return o;
}

/* The graph as DESIGN §9 shapes it (new reference). */
json_t *
topology_graph_json(const struct topo_graph *g)
{
	json_t *nodes = json_array(), *links = json_array();
	for (size_t i = 0; i < g->n_nodes; i++)
		json_array_append_new(nodes, node_json(g, &g->nodes[i]));
	for (size_t i = 0; i < g->n_links; i++) {
		const struct topo_link *l = &g->links[i];
		json_array_append_new(links, json_pack("{s:s,s:s?,s:s,s:s?,s:o,s:s,s:o,s:s,s:b}",
		    "a", g->nodes[l->a].id, "a_port", l->a_port, "b", g->nodes[l->b].id,
		    "b_port", l->b_port, "speed_bps", num_or_null(l->speed_bps),
		    "status", l->up ? "up" : "down", "utilisation", num_or_null(l->utilisation),
		    "source", topo_source_name(l->source), "both_ends", l->both));
	}
	json_t *root = json_null();
	if (g->root >= 0) {
		const struct topo_node *r = &g->nodes[g->root];
		root = json_pack("{s:s,s:s?,s:b}", "id", r->id, "name", r->name, "guessed",
		    g->root_guessed);
		if (r->device_id)
			json_object_set_new(root, "device_id", json_integer(r->device_id));
	}
	return json_pack("{s:o,s:o,s:o}", "nodes", nodes, "links", links, "root", root);
}

static void
api_topology(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)who;
	(void)params;
	const struct topo_graph *g = topology_graph_live(c);
	if (g == NULL) {
		http_reply_error(req, 503, "no topology yet");
		return;
	}
	json_t *body = topology_graph_json(g);
	if (body == NULL) {
		http_reply_error(req, 500, "out of memory");
		return;
	}
	http_reply_json(req, 200, body);
}

static void
api_neighbors(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)who;
	struct device *d = api_device_param(c, req, params[0]);
	if (d == NULL)
		return;
	json_t *a = topology_neighbors_json(c, d->id);
	if (a == NULL) {
		http_reply_error(req, 503, "no topology yet");
		return;
	}
	http_reply_json(req, 200, a);
}

static void
api_path(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)who;
	struct device *d = api_device_param(c, req, params[0]);
	if (d == NULL)
		return;
	if (c->services.topology_path == NULL) {
		http_reply_error(req, 503, "no topology yet");
		return;
	}
	int64_t ids[256];
	size_t n = c->services.topology_path(c->services.topology_arg, d->id, ids, 256);
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_integer(ids[i]));
	http_reply_json(req, 200, a);
}

const struct route api_topology_routes[] = {
	{ EVHTTP_REQ_GET, "/api/v1/topology", PERM_READ, api_topology },
	{ EVHTTP_REQ_GET, "/api/v1/devices/*/neighbors", PERM_READ, api_neighbors },
	{ EVHTTP_REQ_GET, "/api/v1/devices/*/path", PERM_READ, api_path },
	ROUTES_END
};
