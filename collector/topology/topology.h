/*
 * topology.h — topology/: neighbours (LLDP, CDP, FDB, ARP) decoded from the
 * SNMP engine's raw tables, the campus graph (nodes, links merged from both
 * ends, upstream paths from topology.root), its API and services.
 *
 *   neighbours.c  pure decoders: sp_table rows → struct topo_nbr (fuzzed)
 *   graph.c       pure graph: nodes, links, BFS paths (benchmarked)
 *   topology.c    the subsystem: observers, link memory, forgetting, services
 *   api.c         GET /api/v1/topology, /devices/{id}/neighbors, /devices/{id}/path
 */
#ifndef CAMPUSMON_TOPOLOGY_H
#define CAMPUSMON_TOPOLOGY_H

#include <stddef.h>
#include <stdint.h>

#include "common/cfg.h"

struct collector;
struct sp_table;

/* ---- neighbours.c: decoders (no I/O; every string is heap-owned) -------- */

enum topo_source { TOPO_LLDP, TOPO_CDP, TOPO_FDB, TOPO_ARP, TOPO_MANUAL };
const char *topo_source_name(enum topo_source s);

/* System capabilities as the first octet of LLDP's BITS (IEEE 802.1AB:
 * other, repeater, bridge, wlanAP, router, telephone, docsis, station from
 * the most significant bit); CDP's are mapped onto them. */
#define TOPO_CAP_BRIDGE 0x20
#define TOPO_CAP_WLAN 0x10
#define TOPO_CAP_ROUTER 0x08
#define TOPO_CAP_PHONE 0x04
#define TOPO_CAP_STATION 0x01

/* One neighbour entry as a device reports it. */
struct topo_nbr {
	enum topo_source source;
	unsigned long local_port;	/* ifIndex (LLDP local port number, CDP ifIndex,
					 * FDB bridge port mapped to ifIndex); 0 unknown */
	char *chassis;			/* LLDP chassis id as text ("aa:bb:.." for MACs), or NULL */
	char *name;			/* sysName / CDP device id, or NULL */
	char *port;			/* remote port id as text, or NULL */
	char *port_desc;		/* remote port description, or NULL */
	char *address;			/* management / IP address, or NULL */
	char *mac;			/* FDB/ARP: "aa:bb:cc:dd:ee:ff", or NULL */
	char *descr;			/* sysDescr / CDP platform, or NULL */
	unsigned caps;			/* TOPO_CAP_* */
};

struct topo_nbrs {
	struct topo_nbr *v;
	size_t n, cap;
	size_t dropped;			/* rows refused (garbage, over the limit) */
};

#define TOPO_MAX_NBRS 20000		/* entries kept per device and table kind */

void topo_nbrs_free(struct topo_nbrs *l);
/* Free one entry's strings (the entry itself is the caller's). */
void topo_nbr_clear(struct topo_nbr *e);
/* Each decoder appends to out and returns the rows it took; tables may be
 * NULL (absent). Rows with unusable values are skipped and counted in
 * out->dropped; nothing a device sends can make them fail otherwise. */
size_t topo_decode_lldp(const struct sp_table *rem, const struct sp_table *man,
    struct topo_nbrs *out);
size_t topo_decode_cdp(const struct sp_table *cache, struct topo_nbrs *out);
/* fdb: BRIDGE-MIB (index = MAC) or Q-BRIDGE-MIB (index = FID, MAC); ports
 * map bridge port → ifIndex (dot1dBasePortTable; NULL: taken as equal). */
size_t topo_decode_fdb(const struct sp_table *fdb, const struct sp_table *ports,
    struct topo_nbrs *out);
/* arp: ipNetToMediaTable (physical 0: index ifIndex.a.b.c.d) or
 * ipNetToPhysicalTable (physical 1: index ifIndex.type.len.addr…). */
size_t topo_decode_arp(const struct sp_table *arp, int physical, struct topo_nbrs *out);
/* LLDP lldpLocChassisId (table lldp_loc) as text, heap-owned, or NULL. */
char *topo_decode_local_chassis(const struct sp_table *loc);
/* lldpLocPortTable: the port id text of local port number num, or NULL
 * (table memory, valid during the call that owns the table). */
char *topo_decode_loc_port(const struct sp_table *loc_port, unsigned long num);

/* An LLDP id (chassis or port) of the given subtype as text: MACs as
 * "aa:bb:cc:dd:ee:ff", network addresses as dotted/colon text, names as
 * UTF-8 (or hex when they are not). Writes at most outlen-1 bytes + NUL. */
void topo_id_text(int subtype, int is_chassis, const unsigned char *b, size_t len,
    char *out, size_t outlen);

/* ---- graph.c: the graph, pure ------------------------------------------- */

struct topo_node {
	char *id;			/* "d<device id>" or "u:<chassis or MAC>" */
	int64_t device_id;		/* 0: unmanaged */
	char *name, *kind, *status, *address, *mac;
	char *building, *room;
	enum topo_source source;	/* how an unmanaged node was seen */
	char *seen_by;			/* unmanaged: the device name that saw it */
	/* paths (topo_graph_paths) */
	int parent;			/* node index, -1 root or unreached */
	int depth;			/* -1 unreached */
	/* adjacency (topo_graph_paths) */
	int *adj;
	size_t n_adj, cap_adj;
};

struct topo_link {
	int a, b;			/* node indexes, a < b in id order once merged */
	char *a_port, *b_port;		/* NULL: not known from that side */
	enum topo_source source;
	int up;				/* 1 up, 0 down */
	double speed_bps;		/* NAN unknown */
	double utilisation;		/* 0..1, NAN unknown */
	int both;			/* seen from both ends */
};

struct topo_graph {
	struct topo_node *nodes;
	size_t n_nodes, cap_nodes;
	struct topo_link *links;
	size_t n_links, cap_links;
	struct topo_strmap *ids;	/* node id → index */
	struct topo_strmap *keys;	/* link key → index */
	struct topo_strmap *ends;	/* "node\tport\tother node" → link index */
	int root;			/* node index, -1 none */
	int root_guessed;
};

void topo_graph_init(struct topo_graph *g);
void topo_graph_free(struct topo_graph *g);
/* The node with this id, made (zeroed but for id) when missing; its index,
 * or -1 out of memory. */
int topo_graph_node(struct topo_graph *g, const char *id);
int topo_graph_find(const struct topo_graph *g, const char *id);
/* Add a link between nodes a and b (ports may be NULL). Seen again from
 * the other end (b, b_port → a, a_port) it is merged into one: the ports
 * fill in, `both` is set. A second link between the same two nodes on
 * other ports is a link of its own. Returns its index, or -1. */
int topo_graph_link(struct topo_graph *g, int a, const char *a_port, int b,
    const char *b_port, enum topo_source src);
/* Breadth-first from g->root over every link (down ones too: a path is
 * where a device is, not whether it answers), fewest hops, ties to the
 * smaller node id; loops are fine. root < 0: guessed (the managed node with
 * the most managed neighbours, then the smallest device id). */
void topo_graph_paths(struct topo_graph *g);
/* Device ids from the root to node i, both included, into out[max] (only
 * managed nodes on the way); the count, 0 when i is not reached. */
size_t topo_graph_path(const struct topo_graph *g, int i, int64_t *out, size_t max);

/* A tiny string → int map (open addressing). */
struct topo_strmap;
struct topo_strmap *topo_strmap_new(void);
void topo_strmap_free(struct topo_strmap *m);
int topo_strmap_get(const struct topo_strmap *m, const char *key);	/* -1 absent */
int topo_strmap_put(struct topo_strmap *m, const char *key, int value);	/* 0 / -1 */

/* ---- topology.c: the subsystem ------------------------------------------- */
extern const struct subsystem topology_subsystem;
struct topo_state;
/* The current graph (rebuilt first when something changed); NULL before start. */
const struct topo_graph *topology_graph(struct collector *c);
/* Neighbours a device reported at its last walk, as the API's JSON array
 * (new ref); NULL when the device is unknown to topology/. */
struct json_t *topology_neighbors_json(struct collector *c, int64_t device_id);

/* ---- api.c: api_topology_routes, declared in collector/api/api.h ---------- */

/* ---- topology_keys.c ------------------------------------------------------ */
extern const struct cfg_key topology_keys[];

#endif
