/*
 * build.c — the graph from what topology.c remembers: nodes for every
 * device, neighbours resolved to devices (LLDP chassis id, management
 * address, name) or to unmanaged nodes, links from the link memory (aged-out
 * entries flagged), servers and LLDP-less devices placed behind the edge
 * port that learned their MAC (agent inventory / ARP + FDB), link states
 * from the ports' last poll, and the paths from the root (graph.c).
 */
#include "collector/collector.h"
#include "collector/ingest/ingest.h"
#include "collector/inventory/inventory.h"
#include "collector/snmp/snmp.h"
#include "collector/topology/topology.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

#define EDGE_MAX_MACS 64	/* a port learning more is an uplink, not a host's port */

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

struct index {
	struct topo_strmap *chassis, *name, *addr;
};

static void
lower_name(const char *in, char *out, size_t len)
{
	size_t i = 0;
	/* CDP device ids: "sw1.example.edu(FOC123)" → "sw1" */
	for (; in[i] && in[i] != '.' && in[i] != '(' && i + 1 < len; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[i] = '\0';
}

static void
index_put_name(struct index *ix, const char *name, int node)
{
	char buf[256];
	if (name == NULL || name[0] == '\0')
		return;
	lower_name(name, buf, sizeof(buf));
	int was = topo_strmap_get(ix->name, buf);
	topo_strmap_put(ix->name, buf, was >= 0 && was != node ? -2 : node);
}

/* The node a neighbour entry points at: a managed device found by
 * management address, chassis id or name, else an unmanaged node. */
static int
resolve(struct topo_state *t, struct index *ix, const struct topo_nbr *e, const char *seen_by)
{
	struct topo_graph *g = &t->g;
	int i = -1;
	char buf[256];
	/* The management address first: it is how the collector itself knows
	 * the device, while a chassis id may be claimed twice before both
	 * claimants have been walked. */
	if (e->address && (i = topo_strmap_get(ix->addr, e->address)) >= 0)
		return i;
	if (e->chassis && (i = topo_strmap_get(ix->chassis, e->chassis)) >= 0)
		return i;
	if (e->name) {
		lower_name(e->name, buf, sizeof(buf));
		if ((i = topo_strmap_get(ix->name, buf)) >= 0)
			return i;
	}
	char id[600];
	snprintf(id, sizeof(id), "u:%s", e->chassis ? e->chassis : e->mac ? e->mac : e->name);
	i = topo_graph_node(g, id);
	if (i < 0)
		return -1;
	struct topo_node *n = &g->nodes[i];
	if (n->name == NULL) {
		n->name = dup_or_null(e->name ? e->name : e->chassis ? e->chassis : e->mac);
		n->address = dup_or_null(e->address);
		n->mac = dup_or_null(e->mac ? e->mac : e->chassis && strlen(e->chassis) == 17 ?
		    e->chassis : NULL);
		n->kind = strdup(e->caps & TOPO_CAP_WLAN ? "ap" : e->caps & TOPO_CAP_PHONE ? "phone" :
		    e->caps & TOPO_CAP_ROUTER ? "router" : e->caps & TOPO_CAP_BRIDGE ? "switch" :
		    e->caps & TOPO_CAP_STATION ? "server" : "other");
		n->status = strdup("unknown");
		n->source = e->source;
		n->seen_by = dup_or_null(seen_by);
	}
	return i;
}

/* The remote port as the remote device names it. */
static const char *
remote_port(struct topo_state *t, const struct topo_node *rn, const struct topo_nbr *e)
{
	if (rn->device_id == 0 || e->port == NULL)
		return e->port;
	struct device *rd = device_get(t->c->devices, rn->device_id);
	struct topo_dev *rtd;
	HASH_FIND(hh, t->devs, &rn->device_id, sizeof(rn->device_id), rtd);
	const struct device_live *l = rd ? rd->live : NULL;
	for (size_t k = 0; l && k < l->n_ifaces; k++)
		if ((l->ifaces[k].name && strcmp(l->ifaces[k].name, e->port) == 0))
			return l->ifaces[k].name;
	for (size_t i = 0; rtd && rd && i < rtd->n_loc_ports; i++)
		if (rtd->loc_ports[i].id && strcmp(rtd->loc_ports[i].id, e->port) == 0) {
			const char *n = topo_lldp_port_name(rd, rtd, rtd->loc_ports[i].num);
			if (n)
				return n;
		}
	for (size_t k = 0; l && k < l->n_ifaces; k++)
		if (l->ifaces[k].descr && strcmp(l->ifaces[k].descr, e->port) == 0)
			return l->ifaces[k].name && l->ifaces[k].name[0] ? l->ifaces[k].name :
			    l->ifaces[k].descr;
	return e->port;
}

static const struct sp_iface *
iface_named(const struct device *d, const char *port)
{
	const struct device_live *l = d ? d->live : NULL;
	for (size_t k = 0; port && l && k < l->n_ifaces; k++)
		if ((l->ifaces[k].name && strcmp(l->ifaces[k].name, port) == 0) ||
		    (l->ifaces[k].descr && strcmp(l->ifaces[k].descr, port) == 0))
			return &l->ifaces[k];
	return NULL;
}

/* Status, speed and utilisation of a link from its ports' live rows. */
void
topo_link_state(struct topo_state *t, struct topo_link *l)
{
	const struct topo_node *na = &t->g.nodes[l->a], *nb = &t->g.nodes[l->b];
	const struct sp_iface *fa = na->device_id ?
	    iface_named(device_get(t->c->devices, na->device_id), l->a_port) : NULL;
	const struct sp_iface *fb = nb->device_id ?
	    iface_named(device_get(t->c->devices, nb->device_id), l->b_port) : NULL;
	l->up = !l->aged;
	l->speed_bps = NAN;
	l->utilisation = NAN;
	if ((fa && fa->oper_status && strcmp(fa->oper_status, "up") != 0) ||
	    (fb && fb->oper_status && strcmp(fb->oper_status, "up") != 0))
		l->up = 0;
	const struct sp_iface *f = fa ? fa : fb;
	if (f != NULL && f->speed_bps > 0) {
		l->speed_bps = (double)f->speed_bps;
		double in = f->in_bps, out = f->out_bps;
		if (!isnan(in) || !isnan(out))
			l->utilisation = fmax(isnan(in) ? 0 : in, isnan(out) ? 0 : out) / l->speed_bps;
	}
}

/* Where each MAC was learned: the switch port with the fewest MACs that
 * learned it (an edge port); ports with more than EDGE_MAX_MACS are uplinks. */
struct spot {
	int node;
	const char *port;
	size_t count;
};

static struct spot *
mac_spots(struct topo_state *t, struct topo_strmap *macs, size_t *n_out)
{
	size_t n = 0, cap = 0;
	struct spot *v = NULL;
	struct topo_dev *td, *tmp;
	HASH_ITER(hh, t->devs, td, tmp) {
		struct device *d = device_get(t->c->devices, td->id);
		if (d == NULL || td->fdb.n == 0)
			continue;
		char id[32], key[24];
		snprintf(id, sizeof(id), "d%lld", (long long)td->id);
		int node = topo_graph_find(&t->g, id);
		struct topo_strmap *per_port = topo_strmap_new();
		if (node < 0 || per_port == NULL) {
			topo_strmap_free(per_port);
			continue;
		}
		for (size_t i = 0; i < td->fdb.n; i++) {
			snprintf(key, sizeof(key), "%lu", td->fdb.v[i].local_port);
			int was = topo_strmap_get(per_port, key);
			topo_strmap_put(per_port, key, was < 0 ? 1 : was + 1);
		}
		for (size_t i = 0; i < td->fdb.n; i++) {
			snprintf(key, sizeof(key), "%lu", td->fdb.v[i].local_port);
			size_t count = (size_t)topo_strmap_get(per_port, key);
			if (count > EDGE_MAX_MACS) {
				topo_warn(t, W_FDB_FLOOD, "%s: %zu MACs learned on ifIndex %s: an "
				    "uplink, not used to place servers", d->name, count, key);
				continue;
			}
			int at = topo_strmap_get(macs, td->fdb.v[i].mac);
			if (at >= 0) {
				if (count < v[at].count)
					v[at] = (struct spot){ node, topo_ifindex_name(d, td->fdb.v[i].local_port),
					    count };
				continue;
			}
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 256;
				struct spot *nv = realloc(v, nc * sizeof(*nv));
				if (nv == NULL)
					break;
				v = nv;
				cap = nc;
			}
			v[n] = (struct spot){ node, topo_ifindex_name(d, td->fdb.v[i].local_port), count };
			if (topo_strmap_put(macs, td->fdb.v[i].mac, (int)n) == 0)
				n++;
		}
		topo_strmap_free(per_port);
	}
	*n_out = n;
	return v;
}

/* Devices no LLDP/CDP entry placed (UPSes, room sensors, servers polled over
 * SNMP): their address → MAC from any device's ARP table, then the edge port
 * that learned that MAC. */
static void
place_by_arp(struct topo_state *t, struct topo_strmap *macs, const struct spot *spots)
{
	struct topo_graph *g = &t->g;
	struct topo_strmap *addr = topo_strmap_new();
	const char **mac_of = NULL;
	size_t n = 0;
	struct topo_dev *td, *tmp;
	HASH_ITER(hh, t->devs, td, tmp)
		n += td->arp.n;
	if (addr == NULL || n == 0 || (mac_of = calloc(n, sizeof(*mac_of))) == NULL)
		goto out;
	n = 0;
	HASH_ITER(hh, t->devs, td, tmp)
		for (size_t i = 0; i < td->arp.n; i++)
			if (topo_strmap_get(addr, td->arp.v[i].address) < 0 &&
			    topo_strmap_put(addr, td->arp.v[i].address, (int)n) == 0)
				mac_of[n++] = td->arp.v[i].mac;
	int *linked = calloc(g->n_nodes ? g->n_nodes : 1, sizeof(*linked));
	for (size_t i = 0; linked && i < g->n_links; i++)
		linked[g->links[i].a] = linked[g->links[i].b] = 1;
	for (size_t i = 0; linked && i < g->n_nodes; i++) {
		const struct topo_node *nd = &g->nodes[i];
		if (nd->device_id == 0 || linked[i] || nd->address == NULL)
			continue;
		int k = topo_strmap_get(addr, nd->address);
		int at = k >= 0 ? topo_strmap_get(macs, mac_of[k]) : -1;
		if (at >= 0 && spots[at].node != (int)i)
			topo_graph_link(g, spots[at].node, spots[at].port, (int)i, NULL, TOPO_ARP);
	}
	free(linked);
out:
	free(mac_of);
	topo_strmap_free(addr);
}

/* Agent hosts: their MACs (inventory "macs", lower-cased), placed behind the
 * edge port that learned one of them (FDB). */
static void
place_agents(struct topo_state *t, struct index *ix, struct topo_strmap *macs,
    const struct spot *spots, size_t n_spots)
{
	struct series_catalog *cat = t->c->series;
	uint32_t cur = 0;
	struct series *s;
	while (cat != NULL && n_spots > 0 && (s = series_next(cat, &cur)) != NULL) {
		if (s->text == NULL || strncmp(s->key, "inventory,", 10) != 0)
			continue;
		const char *sp = strrchr(s->key, ' ');
		const char *host = series_host_name(cat, s->host_id);
		if (sp == NULL || strcmp(sp + 1, "macs") != 0 || host == NULL)
			continue;
		const struct spot *best = NULL;
		char list[2048];
		snprintf(list, sizeof(list), "%s", s->text);
		for (char *save = NULL, *mac = strtok_r(list, " ", &save); mac;
		    mac = strtok_r(NULL, " ", &save)) {
			for (char *p = mac; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			int at = topo_strmap_get(macs, mac);
			if (at >= 0 && (best == NULL || spots[at].count < best->count))
				best = &spots[at];
		}
		if (best == NULL)
			continue;
		char id[300], lower[256];
		lower_name(host, lower, sizeof(lower));
		int hn = topo_strmap_get(ix->name, lower);	/* also a managed device? */
		if (hn < 0) {
			snprintf(id, sizeof(id), "h:%s", host);
			if ((hn = topo_graph_node(&t->g, id)) < 0)
				continue;
			struct topo_node *n = &t->g.nodes[hn];
			if (n->name == NULL) {
				n->name = strdup(host);
				n->kind = strdup("server");
				n->status = strdup(s->last_ts > util_now() - 600 ? "up" : "unknown");
				n->source = TOPO_FDB;
			}
		}
		topo_graph_link(&t->g, best->node, best->port, hn, NULL, TOPO_FDB);
	}
}

static void
rebuild(struct topo_state *t)
{
	struct collector *c = t->c;
	struct topo_graph *g = &t->g;
	struct index ix = { topo_strmap_new(), topo_strmap_new(), topo_strmap_new() };

	topo_graph_free(g);
	topo_graph_init(g);
	t->dirty = 0;
	if (ix.chassis == NULL || ix.name == NULL || ix.addr == NULL)
		goto out;
	int root = -1;
	for (struct device *d = device_next(c->devices, NULL); d; d = device_next(c->devices, d)) {
		char id[32];
		snprintf(id, sizeof(id), "d%lld", (long long)d->id);
		int i = topo_graph_node(g, id);
		if (i < 0)
			goto out;
		struct topo_node *n = &g->nodes[i];
		n->device_id = d->id;
		n->name = dup_or_null(d->name);
		n->kind = dup_or_null(d->kind ? d->kind : "other");
		n->status = dup_or_null(d->status ? d->status : "unknown");
		n->address = dup_or_null(d->address);
		n->building = dup_or_null(d->building);
		n->room = dup_or_null(d->room);
		index_put_name(&ix, d->name, i);
		index_put_name(&ix, d->sys_name, i);
		topo_strmap_put(ix.addr, d->address, i);
		if (c->cfg.topology_root && (strcmp(c->cfg.topology_root, d->name) == 0 ||
		    strcmp(c->cfg.topology_root, d->address) == 0))
			root = i;
		struct topo_dev *td;
		HASH_FIND(hh, t->devs, &d->id, sizeof(d->id), td);
		if (td && td->chassis) {
			int was = topo_strmap_get(ix.chassis, td->chassis);
			if (was >= 0 && was != i) {
				topo_warn(t, W_DUP_CHASSIS, "%s and %s claim the same chassis id %s: "
				    "matched by name and address instead", g->nodes[was].name, d->name,
				    td->chassis);
				topo_strmap_put(ix.chassis, td->chassis, -2);
			} else if (was != -2) {
				topo_strmap_put(ix.chassis, td->chassis, i);
			}
		}
		/* a device's ARP entries also name addresses → MACs of others */
	}
	if (c->cfg.topology_root && root < 0)
		topo_warn(t, W_ROOT, "topology.root '%s' is no device: guessing the root",
		    c->cfg.topology_root);
	/* Links from what devices reported (present or remembered as absent). */
	struct topo_mem *m, *tmp;
	HASH_ITER(hh, t->mem, m, tmp) {
		char id[32];
		snprintf(id, sizeof(id), "d%lld", (long long)m->reporter);
		int a = topo_graph_find(g, id);
		if (a < 0)
			continue;	/* the reporter was removed */
		int b = resolve(t, &ix, &m->nbr, g->nodes[a].name);
		if (b < 0 || b == a)
			continue;
		int li = topo_graph_link(g, a, m->local_port, b, remote_port(t, &g->nodes[b], &m->nbr),
		    m->nbr.source);
		if (li >= 0 && !m->present)
			g->links[li].aged = 1;
	}
	/* Placement by MAC: where each MAC was learned, once for both kinds. */
	struct topo_strmap *macs = topo_strmap_new();
	size_t n_spots = 0;
	struct spot *spots = macs ? mac_spots(t, macs, &n_spots) : NULL;
	if (n_spots > 0) {
		place_by_arp(t, macs, spots);
		place_agents(t, &ix, macs, spots, n_spots);
	}
	free(spots);
	topo_strmap_free(macs);
	for (size_t i = 0; i < g->n_links; i++)
		topo_link_state(t, &g->links[i]);
	g->root = root;
	topo_graph_paths(g);
out:
	topo_strmap_free(ix.chassis);
	topo_strmap_free(ix.name);
	topo_strmap_free(ix.addr);
}

const struct topo_graph *
topology_graph(struct collector *c)
{
	struct topo_state *t = c->services.topology_arg;
	if (t == NULL)
		return NULL;
	if (t->dirty)
		rebuild(t);
	return &t->g;
}

const struct topo_graph *
topology_graph_live(struct collector *c)
{
	struct topo_state *t = c->services.topology_arg;
	if (t == NULL)
		return NULL;
	if (t->dirty) {
		rebuild(t);	/* link states included */
		t->states_stale = 0;
		return &t->g;
	}
	if (t->states_stale)
		for (size_t i = 0; i < t->g.n_links; i++)
			topo_link_state(t, &t->g.links[i]);
	t->states_stale = 0;
	return &t->g;
}
