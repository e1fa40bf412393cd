/*
 * api.h — the JSON API, one file per resource. Each exports its routes[]
 * (paths, methods, the permission each needs); http/router.c joins them.
 * Handlers are static in their files.
 */
#ifndef CAMPUSMON_API_H
#define CAMPUSMON_API_H

#include "collector/http/http.h"

struct evhttp_request;
struct json_t;

extern const struct route api_status_routes[];		/* health, /metrics */
extern const struct route api_series_routes[];		/* series, query, graph */
extern const struct route api_admin_routes[];		/* tokens, backup */
extern const struct route api_discovery_routes[];
extern const struct route api_devices_routes[];
extern const struct route api_users_routes[];		/* login, me, users, audit */
extern const struct route api_static_routes[];		/* the web UI: last, it catches all */

/* Parse the request body as a JSON object, or reply 400/413 and return NULL. */
struct json_t *api_json_body(struct evhttp_request *req);

#endif
