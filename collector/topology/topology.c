/*
 * topology.c — the topology subsystem. It keeps, per device, the neighbour
 * tables of its last slow walk (observer `tables`), remembers every link a
 * device ever reported until topology.forget after it was last seen (an
 * aged-out entry is a down link, not a vanished one), and rebuilds the
 * graph (graph.c) lazily when something changed: a walk, an interface whose
 * status changed (observer `interface`: a link is down within one poll of
 * its port), a device added or removed. It serves topology_path and
 * topology_unmanaged (services.h) and the API (api.c). Loop thread only.
 */
#include "collector/collector.h"
#include "collector/auth/auth.h"
#include "collector/ingest/ingest.h"
#include "collector/inventory/inventory.h"
#include "collector/snmp/snmp.h"
#include "collector/topology/topology.h"

#include <ctype.h>
#include <event2/event.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <uthash.h>

#include "common/log.h"
#include "common/util.h"

#define EDGE_MAX_MACS 64	/* a port learning more is an uplink, not a host's port */
#define LOG_EVERY 300.0		/* seconds between repeats of one kind of warning */

/* What one device reported at its last walk. */
struct topo_dev {
	int64_t id;
	struct topo_nbrs links;		/* LLDP and CDP */
	struct topo_nbrs fdb, arp;
	char *chassis;			/* its own LLDP chassis id */
	struct { unsigned long num; char *id; } *loc_ports;
	size_t n_loc_ports;
	double walked;
	UT_hash_handle hh;
};

/* A neighbour entry remembered: key "d<reporter>\t<local port>\t<chassis or name>\t<source>". */
struct topo_mem {
	char *key;
	int64_t reporter;
	char *local_port;		/* interface name on the reporter */
	struct topo_nbr nbr;		/* remote identity (owned strings) */
	double first_seen, last_seen;
	int present;			/* in the reporter's latest walk */
	UT_hash_handle hh;
};

struct topo_state {
	struct collector *c;
	struct topo_dev *devs;
	struct topo_mem *mem;
	struct topo_graph g;
	int dirty;
	struct event *forget_ev;
	double warned[4];		/* LOG_EVERY per warning kind */
	unsigned long suppressed[4];
};

enum { W_DUP_CHASSIS, W_GARBAGE, W_ROOT, W_FDB_FLOOD };

static void
warn_limited(struct topo_state *t, int kind, const char *fmt, ...)
{
	double now = util_monotonic();
	if (t->warned[kind] != 0 && now - t->warned[kind] < LOG_EVERY) {
		t->suppressed[kind]++;
		return;
	}
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (t->suppressed[kind])
		log_warnx("topology: %s (%lu more like it since)", msg, t->suppressed[kind]);
	else
		log_warnx("topology: %s", msg);
	t->warned[kind] = now;
	t->suppressed[kind] = 0;
}

static struct topo_state *
state(struct collector *c)
{
	return c->services.topology_arg;
}

static char *
xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* ---- what devices report ----------------------------------------------------- */

static void
dev_clear(struct topo_dev *d)
{
	topo_nbrs_free(&d->links);
	topo_nbrs_free(&d->fdb);
	topo_nbrs_free(&d->arp);
	free(d->chassis);
	d->chassis = NULL;
	for (size_t i = 0; i < d->n_loc_ports; i++)
		free(d->loc_ports[i].id);
	free(d->loc_ports);
	d->loc_ports = NULL;
	d->n_loc_ports = 0;
}

static const struct sp_table *
table(const struct sp_result *r, const char *name)
{
	for (size_t i = 0; i < r->n_tables; i++)
		if (strcmp(r->tables[i].name, name) == 0)
			return &r->tables[i];
	return NULL;
}

/* The reporter's interface name for LLDP local port num: lldpLocPortTable's
 * port id (an ifName, or a description) matched to the interface table,
 * else the interface whose ifIndex is num (lldpd, most switches). */
static const char *
lldp_port_name(const struct device *d, const struct topo_dev *td, unsigned long num)
{
	const struct device_live *l = d->live;
	for (size_t i = 0; i < td->n_loc_ports; i++) {
		if (td->loc_ports[i].num != num || td->loc_ports[i].id == NULL)
			continue;
		for (size_t k = 0; l && k < l->n_ifaces; k++)
			if ((l->ifaces[k].name && strcmp(l->ifaces[k].name, td->loc_ports[i].id) == 0) ||
			    (l->ifaces[k].descr && strcmp(l->ifaces[k].descr, td->loc_ports[i].id) == 0))
				return l->ifaces[k].name && l->ifaces[k].name[0] ? l->ifaces[k].name :
				    l->ifaces[k].descr;
	}
	const struct sp_iface *f = device_iface_by_index(l, num);
	if (f != NULL)
		return f->name && f->name[0] ? f->name : f->descr;
	for (size_t i = 0; i < td->n_loc_ports; i++)
		if (td->loc_ports[i].num == num && td->loc_ports[i].id)
			return td->loc_ports[i].id;
	return NULL;
}

static const char *
ifindex_name(const struct device *d, unsigned long index)
{
	const struct sp_iface *f = device_iface_by_index(d->live, index);
	return f ? (f->name && f->name[0] ? f->name : f->descr) : NULL;
}

static void
nbr_copy(struct topo_nbr *dst, const struct topo_nbr *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->source = src->source;
	dst->local_port = src->local_port;
	dst->chassis = xstrdup(src->chassis);
	dst->name = xstrdup(src->name);
	dst->port = xstrdup(src->port);
	dst->port_desc = xstrdup(src->port_desc);
	dst->address = xstrdup(src->address);
	dst->mac = xstrdup(src->mac);
	dst->descr = xstrdup(src->descr);
	dst->caps = src->caps;
}

static void
mem_free(struct topo_mem *m)
{
	free(m->key);
	free(m->local_port);
	topo_nbr_clear(&m->nbr);
	free(m);
}

/* Remember the reporter's LLDP/CDP entries: present ones refreshed, the
 * rest of this reporter's kept as absent (down). */
static void
remember(struct topo_state *t, const struct device *d, const struct topo_dev *td, double now)
{
	struct topo_mem *m, *tmp;
	HASH_ITER(hh, t->mem, m, tmp)
		if (m->reporter == d->id)
			m->present = 0;
	for (size_t i = 0; i < td->links.n; i++) {
		const struct topo_nbr *e = &td->links.v[i];
		const char *lp = e->source == TOPO_LLDP ? lldp_port_name(d, td, e->local_port) :
		    ifindex_name(d, e->local_port);
		char lpbuf[32], key[1024];
		if (lp == NULL) {
			snprintf(lpbuf, sizeof(lpbuf), "port %lu", e->local_port);
			lp = lpbuf;
		}
		snprintf(key, sizeof(key), "d%lld\t%s\t%s\t%s", (long long)d->id, lp,
		    e->chassis ? e->chassis : e->name, topo_source_name(e->source));
		HASH_FIND_STR(t->mem, key, m);
		if (m == NULL) {
			if ((m = calloc(1, sizeof(*m))) == NULL || (m->key = strdup(key)) == NULL) {
				free(m);
				continue;
			}
			m->reporter = d->id;
			m->local_port = strdup(lp);
			m->first_seen = now;
			HASH_ADD_KEYPTR(hh, t->mem, m->key, strlen(m->key), m);
		} else {
			topo_nbr_clear(&m->nbr);
		}
		nbr_copy(&m->nbr, e);
		m->present = 1;
		m->last_seen = now;
	}
}

static void
on_tables(void *arg, const struct device *d, const struct sp_result *r)
{
	struct topo_state *t = arg;
	if (!r->slow_walked)
		return;
	struct topo_dev *td;
	HASH_FIND(hh, t->devs, &d->id, sizeof(d->id), td);
	if (td == NULL) {
		if ((td = calloc(1, sizeof(*td))) == NULL)
			return;
		td->id = d->id;
		HASH_ADD(hh, t->devs, id, sizeof(td->id), td);
	}
	dev_clear(td);
	td->walked = util_now();
	td->chassis = topo_decode_local_chassis(table(r, "lldp_loc"));
	const struct sp_table *lp = table(r, "lldp_loc_port");
	if (lp != NULL && lp->n_rows > 0 && (td->loc_ports = calloc(lp->n_rows,
	    sizeof(*td->loc_ports))) != NULL)
		for (size_t i = 0; i < lp->n_rows; i++)
			if (lp->rows[i].index_len == 1) {
				td->loc_ports[td->n_loc_ports].num = lp->rows[i].index[0];
				td->loc_ports[td->n_loc_ports++].id =
				    topo_decode_loc_port(lp, lp->rows[i].index[0]);
			}
	topo_decode_lldp(table(r, "lldp_rem"), table(r, "lldp_rem_man"), &td->links);
	topo_decode_cdp(table(r, "cdp_cache"), &td->links);
	topo_decode_fdb(table(r, "fdb"), table(r, "bridge_port"), &td->fdb);
	topo_decode_fdb(table(r, "qfdb"), table(r, "bridge_port"), &td->fdb);
	topo_decode_arp(table(r, "arp"), 0, &td->arp);
	topo_decode_arp(table(r, "arp_phys"), 1, &td->arp);
	size_t dropped = td->links.dropped + td->fdb.dropped + td->arp.dropped;
	if (dropped > 0)
		warn_limited(t, W_GARBAGE, "%s: %zu neighbour rows unusable or over the limit "
		    "of %d, skipped", d->name, dropped, TOPO_MAX_NBRS);
	log_debug("topology", "%s: %zu LLDP/CDP neighbours, %zu FDB, %zu ARP entries",
	    d->name, td->links.n, td->fdb.n, td->arp.n);
	remember(t, d, td, td->walked);
	t->dirty = 1;
}

static void
on_interface(void *arg, const struct device *d, const struct sp_iface *old,
    const struct sp_iface *now)
{
	struct topo_state *t = arg;
	(void)d;
	if (old == NULL || old->oper_status == NULL || now->oper_status == NULL ||
	    strcmp(old->oper_status, now->oper_status) != 0)
		t->dirty = 1;		/* link status follows its ports */
}

static void
on_device(void *arg, const struct device *d, const char *old, const char *now)
{
	struct topo_state *t = arg;
	(void)d;
	if (strcmp(old, now) != 0)
		t->dirty = 1;
}

/* ---- building the graph --------------------------------------------------------- */

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

/* The node a neighbour entry points at: a managed device found by chassis
 * id, management address or name, else an unmanaged node. */
static int
resolve(struct topo_state *t, struct index *ix, const struct topo_nbr *e, const char *seen_by)
{
	struct topo_graph *g = &t->g;
	int i = -1;
	char buf[256];
	if (e->chassis && (i = topo_strmap_get(ix->chassis, e->chassis)) >= 0)
		return i;
	if (e->address && (i = topo_strmap_get(ix->addr, e->address)) >= 0)
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
		n->name = xstrdup(e->name ? e->name : e->chassis ? e->chassis : e->mac);
		n->address = xstrdup(e->address);
		n->mac = xstrdup(e->mac ? e->mac : e->chassis && strlen(e->chassis) == 17 ?
		    e->chassis : NULL);
		n->kind = strdup(e->caps & TOPO_CAP_WLAN ? "ap" : e->caps & TOPO_CAP_PHONE ? "phone" :
		    e->caps & TOPO_CAP_ROUTER ? "router" : e->caps & TOPO_CAP_BRIDGE ? "switch" :
		    e->caps & TOPO_CAP_STATION ? "server" : "other");
		n->status = strdup("unknown");
		n->source = e->source;
		n->seen_by = xstrdup(seen_by);
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
			const char *n = lldp_port_name(rd, rtd, rtd->loc_ports[i].num);
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
static void
link_state(struct topo_state *t, struct topo_link *l)
{
	const struct topo_node *na = &t->g.nodes[l->a], *nb = &t->g.nodes[l->b];
	const struct sp_iface *fa = na->device_id ?
	    iface_named(device_get(t->c->devices, na->device_id), l->a_port) : NULL;
	const struct sp_iface *fb = nb->device_id ?
	    iface_named(device_get(t->c->devices, nb->device_id), l->b_port) : NULL;
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
				warn_limited(t, W_FDB_FLOOD, "%s: %zu MACs learned on ifIndex %s: an "
				    "uplink, not used to place servers", d->name, count, key);
				continue;
			}
			int at = topo_strmap_get(macs, td->fdb.v[i].mac);
			if (at >= 0) {
				if (count < v[at].count)
					v[at] = (struct spot){ node, ifindex_name(d, td->fdb.v[i].local_port),
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
			v[n] = (struct spot){ node, ifindex_name(d, td->fdb.v[i].local_port), count };
			if (topo_strmap_put(macs, td->fdb.v[i].mac, (int)n) == 0)
				n++;
		}
		topo_strmap_free(per_port);
	}
	*n_out = n;
	return v;
}

/* Agent hosts: their MACs (inventory "macs", lower-cased), placed behind the
 * edge port that learned one of them (FDB). */
static void
place_agents(struct topo_state *t, struct index *ix)
{
	struct series_catalog *cat = t->c->series;
	struct topo_strmap *macs = topo_strmap_new();
	size_t n_spots = 0;
	struct spot *spots = cat && macs ? mac_spots(t, macs, &n_spots) : NULL;
	uint32_t cur = 0;
	struct series *s;
	while (n_spots > 0 && (s = series_next(cat, &cur)) != NULL) {
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
	free(spots);
	topo_strmap_free(macs);
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
		n->name = xstrdup(d->name);
		n->kind = xstrdup(d->kind ? d->kind : "other");
		n->status = xstrdup(d->status ? d->status : "unknown");
		n->address = xstrdup(d->address);
		n->building = xstrdup(d->building);
		n->room = xstrdup(d->room);
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
				warn_limited(t, W_DUP_CHASSIS, "%s and %s claim the same chassis id %s: "
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
		warn_limited(t, W_ROOT, "topology.root '%s' is no device: guessing the root",
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
			g->links[li].up = 0;
	}
	place_agents(t, &ix);
	for (size_t i = 0; i < g->n_links; i++)
		link_state(t, &g->links[i]);
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
	struct topo_state *t = state(c);
	if (t == NULL)
		return NULL;
	if (t->dirty)
		rebuild(t);
	return &t->g;
}

/* ---- forgetting ----------------------------------------------------------------- */

static void
forget_tick(evutil_socket_t fd, short what, void *arg)
{
	struct topo_state *t = arg;
	double now = util_now();
	struct topo_mem *m, *tmp;
	(void)fd;
	(void)what;
	HASH_ITER(hh, t->mem, m, tmp) {
		int gone = device_get(t->c->devices, m->reporter) == NULL;
		if (!gone && (m->present || now - m->last_seen < (double)t->c->cfg.topology_forget))
			continue;
		if (!gone) {
			struct device *d = device_get(t->c->devices, m->reporter);
			audit_record(t->c, "topology", NULL, "topology.forget", d->name, 1,
			    "link %s → %s %s (%s) not seen for %.0f s: dropped", m->local_port,
			    m->nbr.name ? m->nbr.name : m->nbr.chassis, m->nbr.port ? m->nbr.port : "",
			    topo_source_name(m->nbr.source), now - m->last_seen);
			log_info("topology: %s %s → %s gone since %.0f s: dropped", d->name,
			    m->local_port, m->nbr.name ? m->nbr.name : m->nbr.chassis,
			    now - m->last_seen);
		}
		HASH_DEL(t->mem, m);
		mem_free(m);
		t->dirty = 1;
	}
	struct topo_dev *td, *tt;
	HASH_ITER(hh, t->devs, td, tt)
		if (device_get(t->c->devices, td->id) == NULL) {
			HASH_DEL(t->devs, td);
			dev_clear(td);
			free(td);
			t->dirty = 1;
		}
}

/* ---- services ----------------------------------------------------------------- */

static size_t
svc_path(void *arg, int64_t device_id, int64_t *out, size_t max)
{
	struct topo_state *t = arg;
	const struct topo_graph *g = topology_graph(t->c);
	char id[32];
	snprintf(id, sizeof(id), "d%lld", (long long)device_id);
	return topo_graph_path(g, topo_graph_find(g, id), out, max);
}

static json_t *
svc_unmanaged(void *arg)
{
	struct topo_state *t = arg;
	const struct topo_graph *g = topology_graph(t->c);
	json_t *a = json_array();
	for (size_t i = 0; a && i < g->n_nodes; i++) {
		const struct topo_node *n = &g->nodes[i];
		if (n->device_id != 0 || strncmp(n->id, "u:", 2) != 0 ||
		    (n->source != TOPO_LLDP && n->source != TOPO_CDP))
			continue;
		json_array_append_new(a, json_pack("{s:s?,s:s?,s:s?,s:s?,s:s,s:s?}", "name", n->name,
		    "address", n->address, "mac", n->mac, "kind", n->kind, "source",
		    topo_source_name(n->source), "seen_by", n->seen_by));
	}
	return a;
}

/* A device's neighbours as its last walk reported them (every row, also
 * several on one port), each with the managed device it resolved to. */
json_t *
topology_neighbors_json(struct collector *c, int64_t device_id)
{
	struct topo_state *t = state(c);
	struct device *d = device_get(c->devices, device_id);
	if (t == NULL || d == NULL)
		return NULL;
	const struct topo_graph *g = topology_graph(c);
	json_t *a = json_array();
	struct topo_dev *td;
	HASH_FIND(hh, t->devs, &device_id, sizeof(device_id), td);
	char id[32];
	snprintf(id, sizeof(id), "d%lld", (long long)device_id);
	int me = topo_graph_find(g, id);
	for (size_t k = 0; td && a && k < td->links.n; k++) {
		const struct topo_nbr *e = &td->links.v[k];
		const char *lp = e->source == TOPO_LLDP ? lldp_port_name(d, td, e->local_port) :
		    ifindex_name(d, e->local_port);
		json_t *dev = json_null();
		for (size_t i = 0; lp && me >= 0 && i < g->n_links; i++) {
			const struct topo_link *l = &g->links[i];
			int other = l->a == me ? l->b : l->b == me ? l->a : -1;
			const char *mine = l->a == me ? l->a_port : l->b_port;
			if (other < 0 || mine == NULL || strcmp(mine, lp) != 0)
				continue;
			if (g->nodes[other].device_id != 0)
				dev = json_integer(g->nodes[other].device_id);
			break;
		}
		json_array_append_new(a, json_pack("{s:s?,s:s?,s:s?,s:s?,s:s,s:o,s:s?,s:s?}",
		    "local_port", lp, "remote_name", e->name ? e->name : e->chassis,
		    "remote_port", e->port, "remote_address", e->address, "source",
		    topo_source_name(e->source), "device", dev, "remote_chassis", e->chassis,
		    "remote_description", e->descr));
	}
	return a;
}

/* ---- lifecycle ---------------------------------------------------------------- */

static int
topology_start(struct collector *c)
{
	struct topo_state *t = calloc(1, sizeof(*t));
	if (t == NULL)
		return -1;
	t->c = c;
	topo_graph_init(&t->g);
	t->dirty = 1;
	struct observer o = { .name = "topology", .tables = on_tables,
	    .interface = on_interface, .device = on_device, .arg = t };
	if (observe_add(c, &o) < 0) {
		log_warnx("topology: no room for its observer");
		free(t);
		return -1;
	}
	static const struct timeval every = { 60, 0 };
	t->forget_ev = event_new(c->base, -1, EV_PERSIST, forget_tick, t);
	if (t->forget_ev == NULL || event_add(t->forget_ev, &every) < 0) {
		free(t);
		return -1;
	}
	c->services.topology_path = svc_path;
	c->services.topology_unmanaged = svc_unmanaged;
	c->services.topology_arg = t;
	log_info("topology: neighbour tables every %llds, root %s", c->cfg.topology_interval,
	    c->cfg.topology_root ? c->cfg.topology_root : "guessed");
	return 0;
}

static void
topology_reload(struct collector *c)
{
	struct topo_state *t = state(c);
	if (t)
		t->dirty = 1;	/* topology.root may have changed */
}

/* Services go at stop; the observer stays registered (others may still
 * poll until they stop), so the state lives until release. */
static void
topology_stop(struct collector *c)
{
	struct topo_state *t = state(c);
	c->services.topology_path = NULL;
	c->services.topology_unmanaged = NULL;
	c->services.topology_arg = NULL;
	if (t != NULL) {
		event_free(t->forget_ev);
		t->forget_ev = NULL;
	}
}

static void
topology_release(struct collector *c)
{
	for (size_t i = 0; i < c->observers.n; i++) {
		struct observer *o = &c->observers.list[i];
		if (o->tables != on_tables || o->arg == NULL)
			continue;
		struct topo_state *t = o->arg;
		struct topo_mem *m, *tmp;
		HASH_ITER(hh, t->mem, m, tmp) {
			HASH_DEL(t->mem, m);
			mem_free(m);
		}
		struct topo_dev *td, *tt;
		HASH_ITER(hh, t->devs, td, tt) {
			HASH_DEL(t->devs, td);
			dev_clear(td);
			free(td);
		}
		topo_graph_free(&t->g);
		free(t);
		o->arg = NULL;
		o->tables = NULL;
		o->interface = NULL;
		o->device = NULL;
	}
}

const struct subsystem topology_subsystem = {
	.name = "topology",
	.start = topology_start,
	.reload = topology_reload,
	.stop = topology_stop,
	.release = topology_release,
};
