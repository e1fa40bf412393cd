/*
 * api.h — the JSON API, one file per resource. Each exports its routes[]
 * (paths, methods, the permission each needs); http/router.c joins them.
 * Handlers are static in their files.
 */
#ifndef CAMPUSMON_API_H
#define CAMPUSMON_API_H

#include "common/cfg.h"

#include "collector/http/http.h"

struct collector;
struct evhttp_request;
struct json_t;

extern const struct route api_status_routes[];		/* health, /metrics */
extern const struct route api_series_routes[];		/* series, query, graph */
extern const struct route api_admin_routes[];		/* tokens, backup */
extern const struct route api_discovery_routes[];
extern const struct route api_devices_routes[];
extern const struct route api_topology_routes[];	/* topology/api.c */
extern const struct route api_users_routes[];		/* login, me, users, audit */
extern const struct route api_static_routes[];		/* the web UI: last, it catches all */

/* ---- body.c ---------------------------------------------------------------
 * The request body as a JSON object, or reply 400/413 and return NULL; the
 * secret variant wipes the raw bytes (a password) once parsed. */
struct json_t *api_json_body(struct evhttp_request *req);
struct json_t *api_json_body_secret(struct evhttp_request *req);

/* ---- defer.c: blocking work for a request ----------------------------------
 * work(st, job) runs on a store thread (store.h: api_defer on the state
 * writer, api_defer_read on the reader pool after prepare on the RRD writer,
 * api_defer_rrd on the RRD writer, api_defer_backup on the backup lane after
 * first on the RRD writer); then reply(req, job) on the loop,
 * req NULL when the client has gone (side effects such as the audit trail
 * still happen there); then cleanup(job), or free(job) when cleanup is NULL.
 * When the work cannot be queued the client gets 503 (Retry-After), job is
 * released at once and -1 returned: the caller then only undoes its own
 * bookkeeping. */
struct store;
typedef void (*api_work_fn)(struct store *st, void *job);
typedef void (*api_reply_fn)(struct evhttp_request *req, void *job);
int api_defer(struct collector *c, struct evhttp_request *req, void *job, api_work_fn work,
    api_reply_fn reply, void (*cleanup)(void *job));
int api_defer_read(struct collector *c, struct evhttp_request *req, void *job,
    api_work_fn prepare, api_work_fn work, api_reply_fn reply, void (*cleanup)(void *job));
int api_defer_rrd(struct collector *c, struct evhttp_request *req, void *job, api_work_fn work,
    api_reply_fn reply, void (*cleanup)(void *job));
int api_defer_backup(struct collector *c, struct evhttp_request *req, void *job,
    api_work_fn first, api_work_fn rest, api_reply_fn reply, void (*cleanup)(void *job));

/* ---- devices.c: request parameters other API files share ------------------- */
struct device;
/* The device a path segment names (an id, else a name); NULL after a 404. */
struct device *api_device_param(struct collector *c, struct evhttp_request *req,
    const char *param);
/* ?NAME= as a count from 0 to 1,000,000 (0 when absent), for limit and
 * offset of paged lists; -1 after a 400 naming it. */
int api_count_param(struct evhttp_request *req, const char *name, size_t *out);

/* ---- api_keys.c: api.* in the configuration schema --------------------- */
extern const struct cfg_key api_keys[];

/* ---- prom.c: Prometheus text exposition helpers for /metrics ------------- */
struct evbuffer;
/* Append s as a label value: \\, \" and \n escaped, invalid UTF-8 as U+FFFD. */
void prom_label_value(struct evbuffer *out, const char *s);
/* The standard process_* metrics of this process (Linux /proc). */
void prom_process_metrics(struct evbuffer *out, double start_time);
/* campusmon_device_up{device,kind,site} and campusmon_agent_last_seen_seconds{host}. */
void prom_inventory_metrics(struct collector *c, struct evbuffer *out);

#endif
