/*
 * seeded.c — seeded recursive discovery: from one or more seed addresses,
 * ask each device (trying the credentials in order, remembering the one
 * that answered) for its LLDP management addresses (lldpRemManAddrTable)
 * and CDP cache addresses (cdpCacheAddress), and follow them, breadth
 * first. Every address is checked against the job's "allowed" ranges
 * before anything is sent to it; each address is visited once per job, so
 * loops in the neighbour graph end. Concurrency and the rate of new probes
 * are those of sweeps (discovery.concurrency, discovery.rate).
 */
#include "collector/collector.h"
#include "collector/http/http.h"
#include "collector/inventory/inventory.h"
#include "collector/snmp/snmp.h"

#include <arpa/inet.h>
#include <event2/event.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"

#define MAX_ALLOWED 64
#define MAX_SEEDS 64
#define MAX_NODES 65536		/* addresses one job may visit */

/* Raw subtrees asked of each device besides the system group and the
 * profile match: neighbour addresses. (A probe with extra walks also GETs
 * the kind's scalars, so the device is added with its kind.) */
static const char *const seed_walks[] = {
	"1.0.8802.1.1.2.1.4.2.1.3",	/* lldpRemManAddrIfSubtype: the index holds the address */
	"1.3.6.1.4.1.9.9.23.1.2.1.1.3",	/* cdpCacheAddressType */
	"1.3.6.1.4.1.9.9.23.1.2.1.1.4",	/* cdpCacheAddress */
};
#define LLDP_MANADDR_COL { 1, 0, 8802, 1, 1, 2, 1, 4, 2, 1, 3 }
#define CDP_TYPE_COL { 1, 3, 6, 1, 4, 1, 9, 9, 23, 1, 2, 1, 1, 3 }
#define CDP_ADDR_COL { 1, 3, 6, 1, 4, 1, 9, 9, 23, 1, 2, 1, 1, 4 }

struct snode {
	char addr[INET6_ADDRSTRLEN];
	char via[INET6_ADDRSTRLEN];	/* who named it ("" for a seed) */
	int blocked;			/* outside allowed: reported, never probed */
	int second;			/* the retry of an address that did not answer */
};

struct seed_probe {
	struct seed_job *job;
	size_t node;
	size_t cred;			/* the credential being tried */
};

struct seed_job {
	struct collector *c;
	int64_t id;
	char *who;
	struct disco_cidr allowed[MAX_ALLOWED];
	size_t n_allowed;
	json_t *allowed_json, *seeds_json;
	struct disco_cred *creds;
	size_t n_creds;
	unsigned port;
	int recursive;
	struct snode *nodes;		/* every address met, in visit order */
	size_t n_nodes, cap_nodes, next;
	size_t in_flight, probed;
	size_t saving;			/* added devices not yet stored */
	size_t n_added, n_known, n_skipped;
	json_t *found;			/* [{address, name, kind, credential, added, via}] */
	json_t *skipped;		/* [{address, reason, via}] */
	double t_start, t_end;
	struct event *tick;
	struct seed_job *next_job;
};

static int
allowed(const struct seed_job *job, const char *addr)
{
	for (size_t i = 0; i < job->n_allowed; i++)
		if (disco_cidr_contains(&job->allowed[i], addr))
			return 1;
	return 0;
}

static void
skip(struct seed_job *job, const char *addr, const char *via, const char *why)
{
	json_array_append_new(job->skipped, json_pack("{s:s, s:s, s:s?}", "address", addr,
	    "reason", why, "via", via && via[0] ? via : NULL));
	job->n_skipped++;
	log_info("discovery %lld: %s skipped: %s", (long long)job->id, addr, why);
}

static int
visited(const struct seed_job *job, const char *addr)
{
	for (size_t i = 0; i < job->n_nodes; i++)
		if (strcmp(job->nodes[i].addr, addr) == 0)
			return 1;
	return 0;
}

static struct snode *
node_add(struct seed_job *job)
{
	if (job->n_nodes == job->cap_nodes) {
		size_t cap = job->cap_nodes ? job->cap_nodes * 2 : 64;
		struct snode *g = realloc(job->nodes, cap * sizeof(*g));
		if (g == NULL)
			return NULL;
		job->nodes = g;
		job->cap_nodes = cap;
	}
	struct snode *n = &job->nodes[job->n_nodes++];
	memset(n, 0, sizeof(*n));
	return n;
}

/* A new address from a seed or a neighbour table: queued when allowed,
 * reported as skipped when not; met before: nothing (loops end here). */
static void
meet(struct seed_job *job, const char *addr, const char *via)
{
	if (visited(job, addr))
		return;
	if (job->n_nodes >= MAX_NODES) {
		skip(job, addr, via, "the job's limit of addresses is reached");
		return;
	}
	struct snode *n = node_add(job);
	if (n == NULL)
		return;
	snprintf(n->addr, sizeof(n->addr), "%s", addr);
	snprintf(n->via, sizeof(n->via), "%s", via ? via : "");
	if (!allowed(job, addr)) {
		/* remembered as visited so that it is reported once, but never probed */
		skip(job, addr, via, "outside the allowed ranges");
		n->blocked = 1;
	}
}

/* Neighbour addresses in a result: LLDP management addresses (in the
 * index of lldpRemManAddrTable) and CDP cache addresses. */
static void
follow(struct seed_job *job, const struct sp_result *r, const char *from)
{
	static const uint32_t lldp[] = LLDP_MANADDR_COL, cdp_t[] = CDP_TYPE_COL,
	    cdp_a[] = CDP_ADDR_COL;
	char addr[INET6_ADDRSTRLEN];
	size_t nl = sizeof(lldp) / sizeof(lldp[0]), nc = sizeof(cdp_t) / sizeof(cdp_t[0]);

	for (size_t i = sp_result_lower(r, lldp, nl); i < r->n_varbinds &&
	    sp_oid_is_prefix(lldp, nl, r->varbinds[i].arcs, r->varbinds[i].n); i++) {
		const struct sp_vb *vb = &r->varbinds[i];
		if (disco_lldp_manaddr(vb->arcs + nl, vb->n - nl, addr, sizeof(addr)) == 0)
			meet(job, addr, from);
	}
	for (size_t i = sp_result_lower(r, cdp_a, nc); i < r->n_varbinds &&
	    sp_oid_is_prefix(cdp_a, nc, r->varbinds[i].arcs, r->varbinds[i].n); i++) {
		const struct sp_vb *vb = &r->varbinds[i];
		if (vb->v.type != SP_V_STRING && vb->v.type != SP_V_IPADDR)
			continue;
		/* the type column of the same row; absent: IPv4 when 4 bytes */
		uint32_t arcs[SP_MAX_OID];
		memcpy(arcs, vb->arcs, vb->n * sizeof(uint32_t));
		memcpy(arcs, cdp_t, nc * sizeof(uint32_t));
		size_t k = sp_result_lower(r, arcs, vb->n);
		long type = vb->v.len == 4 ? 1 : 20;
		if (k < r->n_varbinds && sp_oid_cmp(r->varbinds[k].arcs, r->varbinds[k].n, arcs,
		    vb->n) == 0 && r->varbinds[k].v.type == SP_V_INT)
			type = (long)r->varbinds[k].v.i;
		if (disco_cdp_addr(type, vb->v.s, vb->v.len, addr, sizeof(addr)) == 0)
			meet(job, addr, from);
	}
}

static struct device *
device_by_address(struct collector *c, const char *addr)
{
	for (struct device *d = device_next(c->devices, NULL); d; d = device_next(c->devices, d))
		if (d->address != NULL && strcmp(d->address, addr) == 0)
			return d;
	return NULL;
}

static int
name_taken(struct seed_job *job, const char *name)
{
	size_t i;
	json_t *o;
	if (device_by_name(job->c->devices, name) != NULL)
		return 1;
	json_array_foreach(job->found, i, o)
		if (strcmp(json_string_value(json_object_get(o, "name")), name) == 0)
			return 1;
	return 0;
}

static void seed_probe_send(struct seed_probe *p);

/* Done once nothing is probed or queued and every added device is stored:
 * a client that sees "done" then finds the devices in the inventory. */
static void
finish_if_done(struct seed_job *job)
{
	if (job->in_flight == 0 && job->next >= job->n_nodes && job->saving == 0 &&
	    job->t_end == 0) {
		job->t_end = util_now();
		log_info("discovery %lld: seeded walk done in %.1fs: %zu found (%zu added), "
		    "%zu skipped", (long long)job->id, job->t_end - job->t_start,
		    json_array_size(job->found), job->n_added, job->n_skipped);
	}
}

static void
probe_done(struct seed_probe *p)
{
	struct seed_job *job = p->job;
	job->in_flight--;
	job->probed++;
	free(p);
	finish_if_done(job);
}

/* Jobs live until the collector stops, after the store's last completion. */
static void
device_saved(void *arg, const struct device *d, int rc)
{
	struct seed_job *job = arg;
	(void)d;
	(void)rc;
	job->saving--;
	finish_if_done(job);
}

static void
on_seed_result(const struct sp_result *r, void *arg)
{
	struct seed_probe *p = arg;
	struct seed_job *job = p->job;
	struct snode *n = &job->nodes[p->node];
	char addr[INET6_ADDRSTRLEN];
	snprintf(addr, sizeof(addr), "%s", n->addr);

	if (r->status != SP_STATUS_UP) {
		if (++p->cred < job->n_creds) {
			seed_probe_send(p);
			return;
		}
		/* One more round at the end of the queue: a busy device or a lost
		 * datagram should not cost a device its place in the inventory. */
		struct snode *again = n->second ? NULL : node_add(job);
		if (again != NULL) {
			n = &job->nodes[p->node];	/* node_add may have moved it */
			*again = *n;
			again->second = 1;
		} else {
			skip(job, addr, n->via, job->n_creds > 1 ?
			    "no SNMP answer with any credential" : "no SNMP answer");
		}
		probe_done(p);
		return;
	}
	struct collector *c = job->c;
	const struct disco_cred *cred = &job->creds[p->cred];
	char label[128];
	disco_cred_label(cred, p->cred, label, sizeof(label));
	const char *kind = r->kind ? r->kind : "other";
	const char *name = addr;
	if (r->sys_name && r->sys_name[0] && strlen(r->sys_name) < 256 &&
	    util_utf8_valid(r->sys_name, strlen(r->sys_name)) && !name_taken(job, r->sys_name))
		name = r->sys_name;
	struct device *known = device_by_address(c, addr);
	if (known == NULL) {
		struct device *d = device_new_default();
		if (d != NULL) {
			free(d->kind);
			free(d->status);
			d->name = strdup(name);
			d->address = strdup(addr);
			d->kind = strdup(kind);
			d->status = strdup("unknown");
			d->port = job->port;
			disco_cred_to_device(cred, d);
			if (inventory_save(c, d, 1, job->who, NULL, device_saved, job) == 0) {
				job->n_added++;
				job->saving++;
			}
		}
		seen_forget(c, addr);
	} else {
		job->n_known++;
		name = known->name;
	}
	json_array_append_new(job->found, json_pack("{s:s, s:o, s:s, s:s, s:b, s:s?}",
	    "address", addr, "name", json_string_safe(name, strlen(name)), "kind", kind,
	    "credential", label, "added", known == NULL, "via", n->via[0] ? n->via : NULL));
	if (job->recursive)
		follow(job, r, addr);
	probe_done(p);
}

static void
seed_probe_send(struct seed_probe *p)
{
	struct seed_job *job = p->job;
	struct sp_target t = {
		.device_id = -(long long)(job->id * 1000000 + (int64_t)p->node + 1),
		.address = job->nodes[p->node].addr, .port = job->port,
		.timeout_ms = (int)job->c->cfg.snmp.timeout_ms,
		.retries = (int)job->c->cfg.snmp.retries,
		.walks = seed_walks, .n_walks = sizeof(seed_walks) / sizeof(seed_walks[0]),
	};
	disco_cred_target(&job->creds[p->cred], &t);
	if (job->c->poller == NULL || sp_poller_probe(job->c->poller, &t, 0, on_seed_result, p) < 0) {
		skip(job, t.address, job->nodes[p->node].via, "cannot send (SNMP engine)");
		probe_done(p);
	}
}

static void
seed_tick(evutil_socket_t fd, short what, void *arg)
{
	struct seed_job *job = arg;
	struct collector *c = job->c;
	(void)fd;
	(void)what;
	size_t per_tick = disco_per_tick(c);
	for (size_t k = 0; k < per_tick && job->next < job->n_nodes &&
	    job->in_flight < (size_t)c->cfg.discovery_concurrency; job->next++) {
		if (job->nodes[job->next].blocked)
			continue;
		struct seed_probe *p = calloc(1, sizeof(*p));
		if (p == NULL)
			break;
		p->job = job;
		p->node = job->next;
		job->in_flight++;
		k++;
		seed_probe_send(p);
	}
	if (job->in_flight == 0 && job->next >= job->n_nodes) {
		finish_if_done(job);
		return;
	}
	struct timeval tv = { 0, DISCO_TICK_MS * 1000 };
	evtimer_add(job->tick, &tv);
}

static void
seed_job_free(struct seed_job *job)
{
	if (job->tick)
		event_free(job->tick);
	json_decref(job->allowed_json);
	json_decref(job->seeds_json);
	json_decref(job->found);
	json_decref(job->skipped);
	disco_creds_free(job->creds, job->n_creds);
	free(job->nodes);
	free(job->who);
	free(job);
}

struct seed_job *
seeded_start(struct collector *c, json_t *seeds, json_t *allowed_list, json_t *creds,
    int recursive, unsigned port, const char *who, char *err, size_t errlen)
{
	struct seed_job *job = calloc(1, sizeof(*job));
	if (job == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	job->c = c;
	job->found = json_array();
	job->skipped = json_array();
	size_t i;
	json_t *v;
	if (!json_is_array(allowed_list) || json_array_size(allowed_list) == 0 ||
	    json_array_size(allowed_list) > MAX_ALLOWED) {
		snprintf(err, errlen, "allowed: a list of 1 to %d CIDR ranges (nothing is sent "
		    "outside them)", MAX_ALLOWED);
		goto fail;
	}
	json_array_foreach(allowed_list, i, v) {
		if (disco_cidr_parse(json_string_value(v), &job->allowed[job->n_allowed++], err,
		    errlen) < 0)
			goto fail;
	}
	if (!json_is_array(seeds) || json_array_size(seeds) == 0 ||
	    json_array_size(seeds) > MAX_SEEDS) {
		snprintf(err, errlen, "seeds: a list of 1 to %d addresses", MAX_SEEDS);
		goto fail;
	}
	json_array_foreach(seeds, i, v) {
		const char *s = json_string_value(v);
		unsigned char b[16];
		if (s == NULL || !resolver_is_literal(s) || (inet_pton(AF_INET, s, b) != 1 &&
		    inet_pton(AF_INET6, s, b) != 1)) {
			snprintf(err, errlen, "seeds[%zu]: an IPv4 or IPv6 address", i);
			goto fail;
		}
		if (!allowed(job, s)) {
			snprintf(err, errlen, "seed %s is outside the allowed ranges", s);
			goto fail;
		}
	}
	json_t *cfgcreds = NULL;
	if (creds == NULL) {
		cfgcreds = disco_creds_config(c->cfg.discovery_credentials);
		if (cfgcreds == NULL) {		/* the sweep's communities, as v2c */
			cfgcreds = json_array();
			for (i = 0; i < c->cfg.discovery_communities.n; i++)
				json_array_append_new(cfgcreds, json_pack("{s:s, s:s}", "version",
				    "2c", "community", c->cfg.discovery_communities.v[i]));
		}
		creds = cfgcreds;
	}
	int rc = disco_creds_parse(creds, &job->creds, &job->n_creds, err, errlen);
	json_decref(cfgcreds);
	if (rc < 0)
		goto fail;
	job->id = discovery_new_id(c);
	job->who = strdup(who);
	job->port = port ? port : 161;
	job->recursive = recursive;
	job->allowed_json = json_incref(allowed_list);
	job->seeds_json = json_incref(seeds);
	job->t_start = util_now();
	job->tick = evtimer_new(c->base, seed_tick, job);
	json_array_foreach(seeds, i, v)
		meet(job, json_string_value(v), NULL);
	seeded_link(c, job);
	log_info("discovery %lld: %s starts a seeded walk from %zu address(es), %zu credential(s)",
	    (long long)job->id, who, json_array_size(seeds), job->n_creds);
	seed_tick(-1, 0, job);
	return job;
fail:
	seed_job_free(job);
	return NULL;
}

int64_t
seeded_id(const struct seed_job *job)
{
	return job->id;
}

struct seed_job *
seeded_next(const struct seed_job *job)
{
	return job->next_job;
}

void
seeded_set_next(struct seed_job *job, struct seed_job *next)
{
	job->next_job = next;
}

json_t *
seeded_json(const struct seed_job *job)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:O, s:O, s:b, s:I, s:I, s:I, s:I, s:I, s:I, "
	    "s:I, s:f, s:o, s:O, s:O}",
	    "id", (json_int_t)job->id, "type", "seeded",
	    "state", job->t_end > 0 ? "done" : "running",
	    "seeds", job->seeds_json, "allowed", job->allowed_json, "recursive", job->recursive,
	    "found_count", (json_int_t)json_array_size(job->found),
	    "tried", (json_int_t)job->probed, "in_flight", (json_int_t)job->in_flight,
	    "queued", (json_int_t)(job->n_nodes - job->next),
	    "added", (json_int_t)job->n_added, "known", (json_int_t)job->n_known,
	    "skipped_count", (json_int_t)job->n_skipped, "started", job->t_start,
	    "finished", job->t_end > 0 ? json_real(job->t_end) : json_null(),
	    "found", job->found, "skipped", job->skipped);
	return o;
}

void
seeded_free(struct seed_job *job)
{
	while (job != NULL) {
		struct seed_job *next = job->next_job;
		seed_job_free(job);
		job = next;
	}
}
