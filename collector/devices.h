/*
 * devices.h — the device inventory (SNMP-polled devices and their asset
 * fields). One column table (devices.c) drives the SQL, the JSON output
 * (secrets never leave) and the JSON input of POST/PATCH.
 */
#ifndef CAMPUSMON_DEVICES_H
#define CAMPUSMON_DEVICES_H

#include <stddef.h>
#include <stdint.h>
#include <uthash.h>

struct json_t;
struct statedb;
struct collector;
struct snmp_result;
struct evbuffer;
struct jfrag;

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
	struct json_t *interfaces;	/* array, DESIGN §3 shape */
	struct json_t *sensors;
	struct json_t *profiles;
	struct jfrag *json_cache;	/* device_to_json() text until it changes */
	struct jfrag *ifaces_cache;	/* the interface list until the next poll */
	char *resolved;			/* address of a host-name address (resolve.c) */
	uint64_t version;		/* bumped by device_touch() */
	UT_hash_handle hh;
};

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

/* Store-thread side (SQLite). */
int devices_db_load(struct statedb *db, void (*cb)(struct device *d, void *arg), void *arg);
int devices_db_save(struct statedb *db, struct device *d);	/* insert or update; sets id */
int devices_db_delete(struct statedb *db, int64_t id);

/* api/devices.c: store d (id 0: a new device) on the store thread, then put
 * it in the table and (re)schedule it; req, if not NULL, gets the answer. */
struct evhttp_request;
void device_save(struct collector *c, struct evhttp_request *req, const char *who,
    struct device *d, int creating);
/* A new device with the inventory's defaults (port 161, v2c, 60 s, monitored). */
struct device *device_new_default(void);

/* snmpbridge.c: poll results into the inventory and the series store. */
int snmpbridge_start(struct collector *c);
void snmpbridge_stop(struct collector *c);
void snmpbridge_watch(struct collector *c, struct device *d);	/* (re)schedule */
void snmpbridge_forget(struct collector *c, int64_t id);

/* ---- resolve.c: host-name addresses through evdns (loop thread) ---------- */
struct resolver;
struct resolver *resolver_new(struct collector *c);	/* before the privilege drop */
void resolver_free(struct resolver *r);
/* The address to poll d at: an IP literal as is, a name's last good answer, or
 * NULL while the first lookup runs (its answer calls snmpbridge_watch). */
const char *resolver_address(struct resolver *r, struct device *d);
void resolver_forget(struct resolver *r, int64_t id);
int resolver_is_literal(const char *addr);

#endif
