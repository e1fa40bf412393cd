/*
 * topology.c — the topology subsystem. It keeps, per device, the neighbour
 * tables of its last slow walk (observer `tables`), remembers every link a
 * device ever reported until topology.forget after it was last seen (an
 * aged-out entry is a down link, not a vanished one), and has build.c
 * rebuild the graph lazily when its shape may have changed: a walk that
 * brought other neighbours, MACs or addresses, a device status, a periodic
 * tick. Link status, speed and utilisation are read again from the ports'
 * last poll after the `interface` observer saw one (a link is down within
 * one poll of its port). It serves topology_path and topology_unmanaged
 * (services.h) and the API (api.c). Loop thread only.
 */
#include "collector/collector.h"
#include "collector/auth/auth.h"
#include "collector/inventory/inventory.h"
#include "collector/snmp/snmp.h"
#include "collector/topology/topology.h"

#include <event2/event.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"

#define LOG_EVERY 300.0		/* seconds between repeats of one kind of warning */


void
topo_warn(struct topo_state *t, int kind, const char *fmt, ...)
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
const char *
topo_lldp_port_name(const struct device *d, const struct topo_dev *td, unsigned long num)
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

const char *
topo_ifindex_name(const struct device *d, unsigned long index)
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

static int
differ(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0);
}

/* Remember the reporter's LLDP/CDP entries: present ones refreshed, the
 * rest of this reporter's kept as absent (down). 1 when anything the graph
 * shows changed (an entry came, went or points elsewhere), else 0: an
 * unchanged walk costs no rebuild. */
static int
remember(struct topo_state *t, const struct device *d, const struct topo_dev *td, double now)
{
	struct topo_mem *m, *tmp;
	size_t was_present = 0, still = 0;
	int changed = 0;
	HASH_ITER(hh, t->mem, m, tmp)
		if (m->reporter == d->id) {
			was_present += m->present;
			m->was_present = m->present;
			m->present = 0;
		}
	for (size_t i = 0; i < td->links.n; i++) {
		const struct topo_nbr *e = &td->links.v[i];
		const char *lp = e->source == TOPO_LLDP ? topo_lldp_port_name(d, td, e->local_port) :
		    topo_ifindex_name(d, e->local_port);
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
			changed = 1;
		} else {
			if (m->present)
				continue;	/* a second row for the same neighbour */
			still += m->was_present;
			changed |= !m->was_present || differ(m->nbr.name, e->name) || differ(m->nbr.port, e->port) ||
			    differ(m->nbr.address, e->address) || m->nbr.caps != e->caps;
			topo_nbr_clear(&m->nbr);
		}
		nbr_copy(&m->nbr, e);
		m->present = 1;
		m->last_seen = now;
	}
	return changed || still != was_present;
}

/* FNV-1a over a device's FDB and ARP entries (servers and UPSes move with them). */
static uint64_t
macs_hash(const struct topo_dev *td)
{
	uint64_t h = 1469598103934665603ULL;
	const struct topo_nbrs *lists[] = { &td->fdb, &td->arp };
	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; i < lists[k]->n; i++) {
			const struct topo_nbr *e = &lists[k]->v[i];
			for (const char *p = e->mac; p && *p; p++)
				h = (h ^ (unsigned char)*p) * 1099511628211ULL;
			for (const char *p = e->address; p && *p; p++)
				h = (h ^ (unsigned char)*p) * 1099511628211ULL;
			h = (h ^ e->local_port) * 1099511628211ULL;
		}
	return h;
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
	/* A device that runs LLDP always tells its own chassis id: none after
	 * one means LLDP-MIB did not answer this time (an AgentX subagent that
	 * timed out), not that every neighbour left. Keep the walk before. */
	char *chassis = topo_decode_local_chassis(table(r, "lldp_loc"));
	if (td->chassis != NULL && chassis == NULL) {
		topo_warn(t, W_LLDP_SILENT, "%s: LLDP-MIB did not answer this time: its "
		    "neighbours are kept from the walk before", d->name);
		return;
	}
	dev_clear(td);
	td->walked = util_now();
	td->chassis = chassis;
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
		topo_warn(t, W_GARBAGE, "%s: %zu neighbour rows unusable or over the limit "
		    "of %d, skipped", d->name, dropped, TOPO_MAX_NBRS);
	log_debug("topology", "%s: %zu LLDP/CDP neighbours, %zu FDB, %zu ARP entries",
	    d->name, td->links.n, td->fdb.n, td->arp.n);
	uint64_t h = macs_hash(td);
	if (remember(t, d, td, td->walked) || h != td->macs_hash)
		t->dirty = 1;
	td->macs_hash = h;
}

static void
on_interface(void *arg, const struct device *d, const struct sp_iface *old,
    const struct sp_iface *now)
{
	struct topo_state *t = arg;
	(void)d;
	(void)old;
	(void)now;
	t->states_stale = 1;	/* status, speed, rates: read again at the next answer */
}

static void
on_device(void *arg, const struct device *d, const char *old, const char *now)
{
	struct topo_state *t = arg;
	(void)d;
	if (strcmp(old, now) != 0)
		t->dirty = 1;
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
	t->dirty = 1;		/* now and then, whatever changed: agents' MACs, names */
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

/* services.topology_graph: what GET /api/v1/topology shows (reports/ tells
 * uplinks from access ports with it). */
static json_t *
svc_graph(void *arg)
{
	struct topo_state *t = arg;
	const struct topo_graph *g = topology_graph_live(t->c);
	return g ? topology_graph_json(g) : NULL;
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
		const char *lp = e->source == TOPO_LLDP ? topo_lldp_port_name(d, td, e->local_port) :
		    topo_ifindex_name(d, e->local_port);
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
	struct timeval every = { c->cfg.snmp.slow_interval < 60 ? c->cfg.snmp.slow_interval : 60, 0 };
	t->forget_ev = event_new(c->base, -1, EV_PERSIST, forget_tick, t);
	if (t->forget_ev == NULL || event_add(t->forget_ev, &every) < 0) {
		free(t);
		return -1;
	}
	c->services.topology_path = svc_path;
	c->services.topology_unmanaged = svc_unmanaged;
	c->services.topology_graph = svc_graph;
	c->services.topology_arg = t;
	log_info("topology: neighbour tables every %llds, root %s", c->cfg.snmp.slow_interval,
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
	c->services.topology_graph = NULL;
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
