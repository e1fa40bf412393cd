/*
 * api.h — the JSON API's handlers, one file per resource; the router in
 * http/server.c maps paths to them.
 */
#ifndef CAMPUSMON_API_H
#define CAMPUSMON_API_H

struct collector;
struct evhttp_request;
struct auth_identity;
struct json_t;

/* ---- status.c, series.c, admin.c, devices.c, discovery.c, static.c ----- */
void api_health(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_metrics(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_series_list(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_query(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_graph(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_tokens_create(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_tokens_list(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_tokens_revoke(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_backup(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_devices_list(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_devices_create(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_device_get(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_device_patch(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_device_delete(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_device_interfaces(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_device_sensors(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
/* Parse the request body as a JSON object, or reply 400/413 and return NULL. */
struct json_t *api_json_body(struct evhttp_request *req);
void api_discovery_start(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_discovery_get(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_static(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);

/* ---- users.c: login, users, audit ------------------------------------------ */
void api_login(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_logout(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_me(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_users_list(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_users_create(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_users_update(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_users_delete(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_users_unlock(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void api_audit_list(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);

#endif
