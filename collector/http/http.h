/*
 * http.h — the HTTP server (listen, TLS, limits, routing, replies) and the
 * JSON helpers every API file uses. Loop thread only.
 */
#ifndef CAMPUSMON_HTTP_H
#define CAMPUSMON_HTTP_H

#include "common/cfg.h"

#include <stddef.h>
#include <stdio.h>

struct collector;
struct evbuffer;
struct evhttp_request;
struct json_t;
struct auth_identity;

/* ---- jsonutil.c ---------------------------------------------------------- */
/* A JSON string from arbitrary bytes: invalid UTF-8 and NUL become U+FFFD. */
struct json_t *json_string_safe(const char *s, size_t len);

/* ---- jsonfrag.c: serialised JSON shared by replies without copying -------- */
/* Loop thread only. A fragment stays alive while any reply still sends it. */
struct jfrag;
struct jfrag *jfrag_new(struct json_t *j);	/* takes the reference to j */
struct jfrag *jfrag_from_buffer(struct evbuffer *buf);	/* copies its bytes */
void jfrag_unref(struct jfrag *f);
void jfrag_add_to(struct evbuffer *out, struct jfrag *f);

/* ---- server.c: server, limits, routing, replies ------------------------- */
typedef void (*route_fn)(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);

/* ---- router.c: which handler answers, and who may ask -------------------- */
struct route {
	unsigned method;		/* EVHTTP_REQ_* mask */
	const char *pattern;		/* segments; "*" matches one, "**" the rest */
	unsigned need;			/* PERM_* bits (auth.h) all required; 0: public */
	route_fn fn;
};
/* Ends an API file's routes[]. */
#define ROUTES_END { 0, NULL, 0, NULL }
#define HTTP_MAX_PARAMS 4
#define HTTP_PARAM_MAX 768		/* a 255-byte name with every byte %-escaped */
/* evhttp's callback for every request. */
void http_route(struct evhttp_request *req, void *arg);
/* Iterate every route in match order: pass NULL first; NULL at the end. */
const struct route *route_next(const struct route *r);
/* Does path match pattern? Captured "*" segments (raw) go to params. */
int http_route_match(const char *pattern, const char *path, char params[][HTTP_PARAM_MAX],
    int *n_params);
/* One line per route: methods, pattern, permissions needed (--list-routes). */
void http_routes_print(FILE *out);

/* ---- server.c ------------------------------------------------------------ */
extern const struct subsystem http_subsystem;
int http_start(struct collector *c);
/* -t: can the configured certificate and key be loaded? 0, or -1 with why. */
struct collector_config;
int http_tls_check(const struct collector_config *cfg, char *err, size_t errlen);
void http_stop(struct collector *c);
void http_reply_json(struct evhttp_request *req, int code, struct json_t *body);
/* Append body as compact JSON with <, > and & escaped. */
void http_json_append(struct evbuffer *out, const struct json_t *body);
/* Send out (JSON) with the security headers; the caller still owns out. */
void http_reply_buffer(struct evhttp_request *req, int code, struct evbuffer *out);
/* The same for another type (CSV, HTML): "text/csv; charset=utf-8". */
void http_reply_typed(struct evhttp_request *req, int code, struct evbuffer *out,
    const char *content_type);
void http_reply_error(struct evhttp_request *req, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A query-string parameter (decoded copy, caller frees), or NULL. */
char *http_query_param(struct evhttp_request *req, const char *name);
/* Guard a request that waits for another thread: NULL once the client left. */
struct http_pending *http_pending_new(struct evhttp_request *req);
struct evhttp_request *http_pending_take(struct http_pending *p);

/* The peer's address, and a rate-limit key (IPv6: its /64); key may be NULL. */
void http_client_addr(struct evhttp_request *req, char *addr, size_t cap, char *key,
    size_t keycap);

/* ---- conns.c: connection cap, accept errors, request deadline ------------- */
struct http_conns;
struct evconnlistener;
struct evhttp;
/* Track the connections of http (sets its bevcb; serves TLS when c->tls_ctx). */
struct http_conns *http_conns_new(struct collector *c, struct evhttp *http);
/* Pause lev at the cap and on accept errors; NULL before evhttp_free. */
void http_conns_listen(struct http_conns *hc, struct evconnlistener *lev);
/* The connection's close callback will call http_pending_lost(p) (p NULL:
 * no longer); -1 if the connection is not tracked. */
int http_conns_set_pending(struct evhttp_request *req, struct http_pending *p);
/* server.c: the client of p went away. */
void http_pending_lost(struct http_pending *p);
/* A request has arrived whole: stop its deadline until the reply is sent. */
void http_conns_request_arrived(struct http_conns *hc, struct evhttp_request *req);
size_t http_conns_open(const struct http_conns *hc);
size_t http_conns_cap(const struct http_conns *hc);
/* After evhttp_free. */
void http_conns_free(struct http_conns *hc);

/* ---- webfiles.c: the web UI's files in memory ----------------------------- */
struct webfiles;
struct webfile {
	char *name;			/* path below web/, e.g. "app.js" */
	char *data;
	size_t len;
};
/* Read every plain file below the open folder dirfd (which stays open).
 * NULL with the reason in err. */
struct webfiles *webfiles_load(int dirfd, char *err, size_t errlen);
const struct webfile *webfiles_find(const struct webfiles *w, const char *rel);
size_t webfiles_count(const struct webfiles *w);
void webfiles_free(struct webfiles *w);
/* Is seg (n bytes, one path segment) a name the UI may use? */
int webfiles_safe_name(const char *seg, size_t n);

/* ---- http_keys.c: http.* in the configuration schema ------------------- */
extern const struct cfg_key http_keys[];

#endif
