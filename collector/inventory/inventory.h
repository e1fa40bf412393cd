/*
 * inventory.h — what the collector monitors: the device inventory (SNMP-polled
 * devices and their asset fields), discovery sweeps, and poll results coming
 * into it. One column table (columns.c) drives the SQL, the JSON output
 * (secrets never leave) and the JSON input of POST/PATCH.
 */
#ifndef CAMPUSMON_INVENTORY_H
#define CAMPUSMON_INVENTORY_H

#include "common/cfg.h"

#include <stddef.h>
#include <stdint.h>
#include <uthash.h>

struct json_t;
struct statedb;
struct collector;
struct sp_result;
struct evbuffer;
struct jfrag;

/*
 * Live tables from a device's last good poll (live.c). Strings point into
 * one block owned by the table; nothing here outlives the next poll, so
 * observers copy what they keep. Rates are NAN until two polls gave a delta.
 */
struct device_live {
	struct sp_iface *ifaces;	/* the SNMP engine's row types (snmp.h) */
	size_t n_ifaces;
	struct sp_sensor *sensors;
	size_t n_sensors;
	const char **profiles;		/* names of the profiles that matched */
	size_t n_profiles;
	char *strings;			/* every string above */
};

struct device {
	int64_t id;
	char *name, *address;
	long long port;
	char *kind;
	long long kind_set;		/* kind chosen by a person: polls keep it */
	char *site, *building, *room, *rack;
	char *serial, *model, *asset_tag, *vendor, *firmware;
	char *snmp_version, *community, *v3_user;
	char *auth_proto, *auth_pass, *priv_proto, *priv_pass;
	long long interval;
	long long monitored;
	char *status;
	double last_seen;
	char *sys_descr, *sys_object_id, *sys_name, *sys_location, *sys_contact;
	double created;

	/* live, memory only */
	double poll_duration;
	double last_saved;
	struct device_live *live;	/* tables of the last good poll, or NULL */
	struct jfrag *json_cache;	/* device_to_json() text until it changes */
	struct jfrag *ifaces_cache;	/* the interface list until the next poll */
	struct jfrag *sensors_cache;	/* the sensor list until the next poll */
	char *resolved;			/* address of a host-name address (resolve.c) */
	uint64_t version;		/* bumped by device_touch() */
	UT_hash_handle hh;
};

/*
 * The column table: each stored field of struct device, its SQL column, its
 * JSON key, and whether the API may write it or must never return it. It
 * drives the SQL (store/devicedb.c), the JSON output and the POST/PATCH input.
 */
enum dcol_type { DCOL_TEXT, DCOL_INT, DCOL_REAL, DCOL_BOOL };

#define DF_WRITE 1		/* accepted in POST/PATCH */
#define DF_SECRET 2		/* stored, never returned */
#define DF_SNMP 4		/* under "snmp" in JSON */

struct dcol {
	const char *column;
	const char *json;
	enum dcol_type type;
	size_t offset;
	unsigned flags;
	size_t maxlen;		/* text limit on input */
};

extern const struct dcol device_columns[];
extern const size_t device_n_columns;
#define DEVICE_N_COLUMNS device_n_columns
#define DEVICE_FIELD(d, c, T) (*(T *)((char *)(d) + (c)->offset))

struct device_table;

struct device_table *device_table_new(void);
void device_table_free(struct device_table *t);
struct device *device_get(struct device_table *t, int64_t id);
struct device *device_by_name(struct device_table *t, const char *name);
/* Iterate: pass NULL first. */
struct device *device_next(struct device_table *t, struct device *prev);
size_t device_count(struct device_table *t);
/* Takes ownership of d. */
void device_insert(struct device_table *t, struct device *d);
/* Append the JSON of every device matching pred (NULL: all) as an array. */
void device_list_append(struct device_table *t, struct evbuffer *out,
    int (*pred)(const struct device *d, void *arg), void *arg);
/* The same, devices sorted by address as numbers (then name), rows
 * [offset, offset + limit) of those matching (limit 0: all); *total gets the
 * number matching. device_list_append is this with offset 0, no limit. */
void device_list_page(struct device_table *t, struct evbuffer *out,
    int (*pred)(const struct device *d, void *arg), void *arg, size_t offset, size_t limit,
    size_t *total);
/* The whole list as one fragment, rebuilt only after something changed. */
struct jfrag *device_list_cached(struct device_table *t);
void device_remove(struct device_table *t, struct device *d);

void device_free(struct device *d);
/* Forget cached JSON after d or its live tables changed. */
void device_touch(struct device *d);
/* Deep copy of the stored columns (no live data). */
struct device *device_dup(const struct device *d);

/* JSON for the API: every public column, secrets omitted. */
struct json_t *device_to_json(const struct device *d);
/*
 * Apply a POST/PATCH body to d. On error returns -1 with *err (static text
 * or into errbuf). creating = 1 requires address.
 */
int device_apply_json(struct device *d, struct json_t *body, int creating,
    char *errbuf, size_t errlen);
/* Rules on the whole device (SNMPv3 needs a user...); device_apply_json ends
 * with it, so POST and PATCH both keep them. -1 with errbuf filled. */
int device_check(const struct device *d, char *errbuf, size_t errlen);

/* ---- live.c: the live tables --------------------------------------------- */
struct device_live *device_live_from_result(const struct sp_result *r);
void device_live_free(struct device_live *l);
const struct sp_iface *device_iface_by_index(const struct device_live *l,
    unsigned long index);
/* JSON for the API (DESIGN §3 shapes); empty arrays before the first poll. */
struct json_t *device_ifaces_json(const struct device *d);
struct json_t *device_sensors_json(const struct device *d);
struct json_t *device_profiles_json(const struct device *d);

/* ---- changes.c: add, edit, remove (store thread, then the loop) ----------
 * done(arg, d, rc) runs on the loop once it is over: rc 0 with the stored
 * device (valid during the call only), -2 the name is taken, -1 not stored;
 * d is NULL after a removal. The change is audited as who from addr. */
typedef void (*inventory_done_fn)(void *arg, const struct device *d, int rc);
/* Store copy (id 0: a new device; taken over), then put it in the table and
 * (re)schedule its polls. -1 if it could not even start (out of memory or
 * the store overloaded; copy is freed, done never runs). */
int inventory_save(struct collector *c, struct device *copy, int creating, const char *who,
    const char *addr, inventory_done_fn done, void *arg);
int inventory_delete(struct collector *c, int64_t id, const char *who, const char *addr,
    inventory_done_fn done, void *arg);
/* A new device with the inventory's defaults (port 161, v2c, 60 s, monitored). */
struct device *device_new_default(void);

/* pollresults.c: poll results into the inventory and the series store. */
/* Apply a poll result to d: status, system facts, live tables, then the
 * device and interface observers. Returns 1 if a stored column changed. */
int inventory_apply_poll(struct collector *c, struct device *d, const struct sp_result *r);
void snmpbridge_watch(struct collector *c, struct device *d);	/* (re)schedule */
void snmpbridge_forget(struct collector *c, int64_t id);

/* ---- sweep.c: sweeps of address ranges that add what answers SNMP and
 * record what only answers ICMP or TCP. */
struct disco_job;

/* A range to sweep: its network address and which offsets in it to probe. */
struct disco_range {
	int family;			/* AF_INET or AF_INET6 */
	unsigned char base[16];		/* network address (host bits cleared) */
	uint64_t count;			/* addresses probed (IPv4 /30 and wider: hosts only) */
	uint64_t first;			/* offset of the first probed address */
};
/* Parse "10.0.0.0/28", "2001:db8::/124" or a single address; sweeps are
 * bounded: IPv4 /16 to /32, IPv6 /112 to /128. -1 with err filled. */
int discovery_parse_range(const char *text, struct disco_range *r, char *err, size_t errlen);
/* The address at offset (from the network address) as text. */
void discovery_range_address(const struct disco_range *r, uint64_t offset, char *out,
    size_t outlen);

extern const struct subsystem discovery_subsystem;
extern const struct subsystem snmp_subsystem;	/* pollresults.c */
/* Before privileges drop: open ICMP sockets (raw needs root). */
int discovery_open_sockets(struct collector *c);
/* Once the loop exists: watch those sockets. */
void discovery_start_events(struct collector *c);
void discovery_free(struct collector *c);

/* Start a sweep; ranges is a JSON array of CIDR strings, communities NULL for
 * the configured ones. Returns NULL with err filled when the request is bad. */
struct disco_job *discovery_start(struct collector *c, struct json_t *ranges,
    struct json_t *communities, unsigned port, const char *who, char *err, size_t errlen);
struct disco_job *discovery_find(struct collector *c, int64_t id);
struct json_t *discovery_job_json(const struct disco_job *job);

/* ---- manaddr.c: pure helpers of seeded discovery (fuzzed) ---------------- */
/* A management address from an lldpRemManAddrTable index (the arcs after the
 * column: timeMark.localPort.remIndex.subtype.[len.]bytes) or a CDP cache
 * address (cdpCacheAddressType, value bytes) as text into out (at least
 * INET6_ADDRSTRLEN). 0, or -1: not an IP address, malformed, unusable. */
int disco_lldp_manaddr(const uint32_t *idx, size_t n, char *out, size_t outlen);
int disco_cdp_addr(long type, const unsigned char *b, size_t len, char *out, size_t outlen);
/* An "allowed" range: IPv4 /8–/32 or IPv6 /32–/128; a bare address is /32 or /128. */
struct disco_cidr {
	int family;
	unsigned char net[16];
	int prefix;
};
int disco_cidr_parse(const char *text, struct disco_cidr *c, char *err, size_t errlen);
/* Is addr (an IP literal) inside c? Anything else is not. */
int disco_cidr_contains(const struct disco_cidr *c, const char *addr);
/* Order of addresses as numbers: IPv4, then IPv6, then host names (strcmp). */
int disco_addr_cmp(const char *a, const char *b);

/* ---- creds.c: credentials discovery tries in order -------------------------- */
struct sp_target;
struct disco_cred {
	int version;			/* 1, 2 (v2c) or 3 */
	char *community;
	char *user, *auth_proto, *auth_pass, *priv_proto, *priv_pass;
};
/* A JSON list ([{"version": "2c", "community"} | {"version": "3", "user", …}])
 * into *out (caller frees with disco_creds_free). -1 with err naming the entry. */
int disco_creds_parse(struct json_t *list, struct disco_cred **out, size_t *n,
    char *err, size_t errlen);
void disco_creds_free(struct disco_cred *v, size_t n);
/* discovery.credentials as that JSON list (new ref), NULL when unset. */
struct json_t *disco_creds_config(const struct cfg_node *node);
const char *disco_creds_check(const void *field);	/* its validator */
void disco_cred_target(const struct disco_cred *c, struct sp_target *t);
void disco_cred_to_device(const struct disco_cred *c, struct device *d);
/* "#2 v2c community", "#1 v3 user ops": never the secret. */
void disco_cred_label(const struct disco_cred *c, size_t index, char *out, size_t outlen);

/* ---- seeded.c: seeded recursive discovery (LLDP and CDP neighbours) -------- */
struct seed_job;
/* Start from seeds (JSON list of addresses), never sending outside allowed
 * (JSON list of CIDRs; seeds outside are refused), trying creds (JSON list,
 * NULL: discovery.credentials, else discovery.communities as v2c). NULL with
 * err filled when the request is bad. */
struct seed_job *seeded_start(struct collector *c, struct json_t *seeds,
    struct json_t *allowed, struct json_t *creds, int recursive, unsigned port,
    const char *who, char *err, size_t errlen);
struct json_t *seeded_json(const struct seed_job *job);
int64_t seeded_id(const struct seed_job *job);
struct seed_job *seeded_next(const struct seed_job *job);
void seeded_set_next(struct seed_job *job, struct seed_job *next);
void seeded_free(struct seed_job *list);	/* the whole list */
/* sweep.c keeps the jobs of both kinds under one id sequence, and paces them
 * alike: every DISCO_TICK_MS a job starts up to disco_per_tick() probes
 * (discovery.rate spread over the ticks, at least one), discovery.concurrency
 * in flight at most. */
int64_t discovery_new_id(struct collector *c);
#define DISCO_TICK_MS 20
size_t disco_per_tick(const struct collector *c);
void seeded_link(struct collector *c, struct seed_job *job);
struct seed_job *seeded_find(struct collector *c, int64_t id);

/* ---- seen.c: hosts a sweep saw that nobody adopted (DESIGN §9 discovery_seen) --
 * Kept on the loop, written through to SQLite (store/seendb.c) by store jobs. */
struct seen_list;
/* Record (or refresh) addr as seen now, answering by what ("icmp", "tcp/22"). */
void seen_record(struct collector *c, const char *addr, const char *what);
/* Drop addr (adopted, or added by other means); 1 if it was there. */
int seen_forget(struct collector *c, const char *addr);
int seen_has(struct collector *c, const char *addr);
/* Rows sorted by address as numbers, from offset, at most limit (0: all);
 * *total gets the count of all rows. New ref. */
struct json_t *seen_json(struct collector *c, size_t offset, size_t limit, size_t *total);
size_t seen_count(struct collector *c);
extern const struct subsystem seen_subsystem;

/* ---- inventory_keys.c: snmp.* and discovery.* in the configuration ------ */
extern const struct cfg_key inventory_keys[];

/* ---- resolve.c: host-name addresses through evdns (loop thread) ---------- */
struct resolver;
extern const struct subsystem resolver_subsystem;
/* The address to poll d at: an IP literal as is, a name's last good answer, or
 * NULL while the first lookup runs (its answer calls snmpbridge_watch). */
const char *resolver_address(struct resolver *r, struct device *d);
void resolver_forget(struct resolver *r, int64_t id);
int resolver_is_literal(const char *addr);
/* Validator of snmp.dns_servers. */
const char *collector_check_dns_servers(const void *field);

#endif
