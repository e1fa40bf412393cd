/*
 * http.c — the collector's HTTP(S) server: every limit in one place, the
 * route table with the access each route needs, JSON replies and security
 * headers. Handlers live in ingest.c and api_*.c.
 */
#include "collector/collector.h"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/log.h"

enum access {
	ACCESS_PUBLIC,		/* no credentials */
	ACCESS_WRITE,		/* agent or admin token */
	ACCESS_READ,		/* admin, operator, viewer (user or API token) */
	ACCESS_OPERATE,		/* admin, operator: acknowledge, maintenance */
	ACCESS_AUDIT,		/* admin, auditor: the audit trail */
	ACCESS_ANY,		/* any user or API token but agent: /me, logout, reports */
	ACCESS_ADMIN,
	ACCESS_METRICS,		/* token unless metrics.public */
};

struct route {
	unsigned method;	/* EVHTTP_REQ_* mask */
	const char *pattern;	/* segments; "*" matches one, "**" the rest */
	enum access access;
	route_fn fn;
};

static const struct route routes[] = {
	{ EVHTTP_REQ_GET, "/api/v1/health", ACCESS_PUBLIC, api_health },
	{ EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/ping", ACCESS_PUBLIC, api_ping },
	{ EVHTTP_REQ_POST, "/api/v1/write", ACCESS_WRITE, ingest_write },
	{ EVHTTP_REQ_POST, "/api/v2/write", ACCESS_WRITE, ingest_write },
	{ EVHTTP_REQ_POST, "/write", ACCESS_WRITE, ingest_write },
	{ EVHTTP_REQ_POST, "/query", ACCESS_WRITE, api_influx_query },
	{ EVHTTP_REQ_GET, "/metrics", ACCESS_METRICS, api_metrics },
	{ EVHTTP_REQ_GET, "/api/v1/series", ACCESS_READ, api_series_list },
	{ EVHTTP_REQ_GET, "/api/v1/query", ACCESS_READ, api_query },
	{ EVHTTP_REQ_GET, "/api/v1/graph", ACCESS_READ, api_graph },
	{ EVHTTP_REQ_GET, "/api/v1/tokens", ACCESS_ADMIN, api_tokens_list },
	{ EVHTTP_REQ_POST, "/api/v1/tokens", ACCESS_ADMIN, api_tokens_create },
	{ EVHTTP_REQ_DELETE, "/api/v1/tokens/*", ACCESS_ADMIN, api_tokens_revoke },
	{ EVHTTP_REQ_POST, "/api/v1/backup", ACCESS_ADMIN, api_backup },
	{ EVHTTP_REQ_POST, "/api/v1/discovery", ACCESS_ADMIN, api_discovery_start },
	{ EVHTTP_REQ_GET, "/api/v1/discovery/*", ACCESS_READ, api_discovery_get },
	{ EVHTTP_REQ_GET, "/api/v1/devices", ACCESS_READ, api_devices_list },
	{ EVHTTP_REQ_POST, "/api/v1/devices", ACCESS_ADMIN, api_devices_create },
	{ EVHTTP_REQ_GET, "/api/v1/devices/*", ACCESS_READ, api_device_get },
	{ EVHTTP_REQ_PATCH, "/api/v1/devices/*", ACCESS_ADMIN, api_device_patch },
	{ EVHTTP_REQ_DELETE, "/api/v1/devices/*", ACCESS_ADMIN, api_device_delete },
	{ EVHTTP_REQ_GET, "/api/v1/devices/*/interfaces", ACCESS_READ, api_device_interfaces },
	{ EVHTTP_REQ_GET, "/api/v1/devices/*/sensors", ACCESS_READ, api_device_sensors },
	{ EVHTTP_REQ_POST, "/api/v1/login", ACCESS_PUBLIC, api_login },
	{ EVHTTP_REQ_POST, "/api/v1/logout", ACCESS_ANY, api_logout },
	{ EVHTTP_REQ_GET, "/api/v1/me", ACCESS_ANY, api_me },
	{ EVHTTP_REQ_GET, "/api/v1/users", ACCESS_ADMIN, api_users_list },
	{ EVHTTP_REQ_POST, "/api/v1/users", ACCESS_ADMIN, api_users_create },
	{ EVHTTP_REQ_PATCH, "/api/v1/users/*", ACCESS_ADMIN, api_users_update },
	{ EVHTTP_REQ_DELETE, "/api/v1/users/*", ACCESS_ADMIN, api_users_delete },
	{ EVHTTP_REQ_GET, "/api/v1/audit", ACCESS_AUDIT, api_audit_list },
	{ EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/**", ACCESS_PUBLIC, api_static },
};

/* May this identity use a route of this access level? (same for users and tokens) */
static int
access_allows(enum access access, const struct auth_identity *who)
{
	const char *r = who->role;
	switch (access) {
	case ACCESS_PUBLIC:
		return 1;
	case ACCESS_WRITE:
		return who->can_write;
	case ACCESS_ADMIN:
		return who->is_admin;
	case ACCESS_READ:
		return !strcmp(r, "admin") || !strcmp(r, "operator") || !strcmp(r, "viewer");
	case ACCESS_OPERATE:
		return !strcmp(r, "admin") || !strcmp(r, "operator");
	case ACCESS_AUDIT:
		return !strcmp(r, "admin") || !strcmp(r, "auditor");
	case ACCESS_ANY:
	case ACCESS_METRICS:
		return strcmp(r, "agent") != 0;
	}
	return 0;
}

#define MAX_PARAMS 4

static void
security_headers(struct evhttp_request *req)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "X-Frame-Options", "DENY");
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	evhttp_add_header(h, "Content-Security-Policy",
	    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
	    "object-src 'none'; frame-ancestors 'none'; base-uri 'none'");
	evhttp_add_header(h, "Cache-Control", "no-store");
}

void
http_json_append(struct evbuffer *out, const json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (text == NULL)
		return;
	/* '<', '>' and '&' occur only inside strings: escape them, so no
	 * browser that sniffs or mislabels a reply finds markup in it. */
	for (const char *p = text;;) {
		size_t n = strcspn(p, "<>&");
		evbuffer_add(out, p, n);
		if (p[n] == '\0')
			break;
		evbuffer_add_printf(out, "\\u%04x", (unsigned char)p[n]);
		p += n + 1;
	}
	free(text);
}

void
http_reply_buffer(struct evhttp_request *req, int code, struct evbuffer *out)
{
	security_headers(req);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
	    "application/json; charset=utf-8");
	evhttp_send_reply(req, code, NULL, out);
}

void
http_reply_json(struct evhttp_request *req, int code, json_t *body)
{
	struct evbuffer *out = evbuffer_new();
	if (body != NULL) {
		http_json_append(out, body);
		evbuffer_add(out, "\n", 1);
	}
	http_reply_buffer(req, code, out);
	evbuffer_free(out);
	json_decref(body);
}

void
http_reply_error(struct evhttp_request *req, int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	http_reply_json(req, code, json_pack("{s:o}", "error",
	    json_string_safe(msg, strlen(msg))));
}

char *
http_query_param(struct evhttp_request *req, const char *name)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *query = uri ? evhttp_uri_get_query(uri) : NULL;
	struct evkeyvalq params;
	char *value = NULL;
	if (query == NULL || evhttp_parse_query_str(query, &params) != 0)
		return NULL;
	const char *v = evhttp_find_header(&params, name);
	if (v != NULL)
		value = strdup(v);
	evhttp_clear_headers(&params);
	return value;
}

/* ---- requests that wait for another thread -------------------------------- */

struct http_pending {
	struct evhttp_request *req;
};

static void
pending_closed(struct evhttp_connection *evcon, void *arg)
{
	struct http_pending *p = arg;
	(void)evcon;
	p->req = NULL;		/* libevent frees the request with the connection */
}

struct http_pending *
http_pending_new(struct evhttp_request *req)
{
	struct http_pending *p = malloc(sizeof(*p));
	if (p == NULL)
		return NULL;
	p->req = req;
	evhttp_connection_set_closecb(evhttp_request_get_connection(req), pending_closed, p);
	return p;
}

struct evhttp_request *
http_pending_take(struct http_pending *p)
{
	struct evhttp_request *req = p->req;
	if (req != NULL)
		evhttp_connection_set_closecb(evhttp_request_get_connection(req), NULL, NULL);
	free(p);
	return req;
}

/* ---- routing ---------------------------------------------------------------- */

/* Match path against pattern; captured "*" segments go to params. */
static int
route_match(const char *pattern, const char *path, char params[][128], int *n_params)
{
	*n_params = 0;
	while (*pattern != '\0') {
		if (*path != '/' || *pattern != '/')
			return 0;
		pattern++;
		path++;
		if (strcmp(pattern, "**") == 0)
			return 1;
		size_t seg = strcspn(path, "/");
		if (pattern[0] == '*' && (pattern[1] == '/' || pattern[1] == '\0')) {
			if (seg == 0 || seg >= 128 || *n_params >= MAX_PARAMS)
				return 0;
			memcpy(params[*n_params], path, seg);
			params[(*n_params)++][seg] = '\0';
			pattern++;
		} else {
			size_t plen = strcspn(pattern, "/");
			if (plen != seg || strncmp(pattern, path, seg) != 0)
				return 0;
			pattern += plen;
		}
		path += seg;
	}
	return *path == '\0';
}

static void
http_dispatch(struct evhttp_request *req, void *arg)
{
	struct collector *c = arg;
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	unsigned method = (unsigned)evhttp_request_get_command(req);
	char params[MAX_PARAMS][128];
	const char *param_ptrs[MAX_PARAMS + 1] = { NULL };
	int n_params, path_found = 0;

	if (path == NULL || path[0] != '/') {
		http_reply_error(req, 400, "malformed request path");
		return;
	}
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const struct route *r = &routes[i];
		if (!route_match(r->pattern, path, params, &n_params))
			continue;
		path_found = 1;
		if (!(r->method & method))
			continue;
		for (int k = 0; k < n_params; k++)
			param_ptrs[k] = params[k];
		const struct auth_identity *who = NULL;
		if (r->access != ACCESS_PUBLIC &&
		    !(r->access == ACCESS_METRICS && c->cfg.metrics_public)) {
			int code;
			who = session_identify(c, req, &code);
			if (who == NULL && code == 403) {
				http_reply_error(req, 403, "missing or wrong X-CSRF-Token header: "
				    "send the csrf value from the login (or GET /api/v1/me)");
				return;
			}
			if (who == NULL) {
				evhttp_add_header(evhttp_request_get_output_headers(req),
				    "WWW-Authenticate", "Bearer realm=\"campusmon\"");
				http_reply_error(req, 401, "log in, or send 'Authorization: Bearer "
				    "<token>'");
				return;
			}
			if (!access_allows(r->access, who)) {
				http_reply_error(req, 403, "%s '%s' (role %s) may not do this",
				    who->user_id ? "user" : "token", who->name, who->role);
				return;
			}
		}
		if (c->tls_ctx != NULL)
			evhttp_add_header(evhttp_request_get_output_headers(req),
			    "Strict-Transport-Security", "max-age=31536000");
		r->fn(c, req, who, param_ptrs);
		return;
	}
	if (path_found)
		http_reply_error(req, 405, "method not allowed on %s", path);
	else
		http_reply_error(req, 404, "no such endpoint: %s", path);
}

/* ---- TLS -------------------------------------------------------------------- */

static struct bufferevent *
tls_bevcb(struct event_base *base, void *arg)
{
	SSL *ssl = SSL_new(arg);
	return bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
	    BEV_OPT_CLOSE_ON_FREE);
}

static int
tls_setup(struct collector *c)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	if (ctx == NULL)
		return -1;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (SSL_CTX_use_certificate_chain_file(ctx, c->cfg.tls_cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, c->cfg.tls_key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		log_warnx("http: cannot load TLS certificate %s / key %s: %s", c->cfg.tls_cert,
		    c->cfg.tls_key, ERR_reason_error_string(ERR_get_error()));
		SSL_CTX_free(ctx);
		return -1;
	}
	evhttp_set_bevcb(c->http, tls_bevcb, ctx);
	c->tls_ctx = ctx;
	return 0;
}

/* ---- start/stop --------------------------------------------------------------- */

static int
split_listen(const char *listen, char *addr, size_t cap, unsigned short *port)
{
	const char *colon = strrchr(listen, ':');
	if (colon == NULL)
		return -1;
	const char *a = listen;
	size_t alen = (size_t)(colon - listen);
	if (a[0] == '[' && alen >= 2 && a[alen - 1] == ']') {
		a++;
		alen -= 2;
	}
	char *end;
	long p = strtol(colon + 1, &end, 10);
	if (alen == 0 || alen >= cap || *end != '\0' || p < 0 || p > 65535)
		return -1;
	memcpy(addr, a, alen);
	addr[alen] = '\0';
	*port = (unsigned short)p;
	return 0;
}

static int
is_loopback(const char *addr)
{
	struct in_addr v4;
	struct in6_addr v6;
	if (inet_pton(AF_INET, addr, &v4) == 1)
		return (ntohl(v4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, addr, &v6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&v6);
	return strcmp(addr, "localhost") == 0;
}

int
http_start(struct collector *c)
{
	char addr[256];
	unsigned short port;
	if (split_listen(c->cfg.listen, addr, sizeof(addr), &port) < 0) {
		log_warnx("http: bad listen address '%s'", c->cfg.listen);
		return -1;
	}
	int tls = c->cfg.tls_cert != NULL;
	if (!tls && !is_loopback(addr)) {
		if (!c->cfg.allow_plain_remote) {
			log_warnx("http: refusing plain HTTP on %s: configure http.tls_cert and "
			    "http.tls_key, or set http.allow_plain_remote: yes", c->cfg.listen);
			return -1;
		}
		log_warnx("http: serving plain HTTP on %s: tokens and passwords cross the "
		    "network unencrypted", c->cfg.listen);
	}
	c->http = evhttp_new(c->base);
	if (c->http == NULL)
		return -1;
	evhttp_set_timeout(c->http, (int)c->cfg.http_timeout);
	evhttp_set_max_headers_size(c->http, (ev_ssize_t)c->cfg.http_max_header);
	/* Compressed bodies are checked again while inflating. */
	evhttp_set_max_body_size(c->http, (ev_ssize_t)c->cfg.max_body);
	evhttp_set_allowed_methods(c->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_DELETE | EVHTTP_REQ_PATCH | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT);
	evhttp_set_gencb(c->http, http_dispatch, c);
	if (tls && tls_setup(c) < 0)
		return -1;
	struct evhttp_bound_socket *bound = evhttp_bind_socket_with_handle(c->http, addr, port);
	if (bound == NULL) {
		log_warn("http: cannot listen on %s", c->cfg.listen);
		return -1;
	}
	/* Accepted sockets inherit it: without it a reply larger than one segment
	 * waits for the client's delayed ACK (about 40 ms) before its last part. */
	int one = 1;
	if (setsockopt(evhttp_bound_socket_get_fd(bound), IPPROTO_TCP, TCP_NODELAY, &one,
	    sizeof(one)) < 0)
		log_warn("http: cannot set TCP_NODELAY");
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	if (getsockname(evhttp_bound_socket_get_fd(bound), (struct sockaddr *)&ss, &sl) == 0)
		c->bound_port = ntohs(ss.ss_family == AF_INET6 ?
		    ((struct sockaddr_in6 *)&ss)->sin6_port : ((struct sockaddr_in *)&ss)->sin_port);
	int v6 = strchr(addr, ':') != NULL;
	log_info("listening on %s://%s%s%s:%u", tls ? "https" : "http", v6 ? "[" : "", addr,
	    v6 ? "]" : "", c->bound_port);
	return 0;
}

void
http_stop(struct collector *c)
{
	if (c->http != NULL)
		evhttp_free(c->http);
	c->http = NULL;
	if (c->tls_ctx != NULL)
		SSL_CTX_free(c->tls_ctx);
	c->tls_ctx = NULL;
}
