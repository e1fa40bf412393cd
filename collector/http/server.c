/*
 * http.c — the collector's HTTP(S) server: every limit in one place, the
 * route table with the access each route needs, JSON replies and security
 * headers. Handlers live in ingest.c and api_*.c.
 */
#include "collector/collector.h"
#include "collector/http/http.h"
#include "collector/auth/auth.h"
#include "collector/ingest/ingest.h"
#include "collector/api/api.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/http_struct.h>	/* the version of a request libevent refused */
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/log.h"
#include "common/util.h"

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
	{ EVHTTP_REQ_POST, "/api/v1/write", ACCESS_WRITE, ingest_write },
	{ EVHTTP_REQ_POST, "/api/v2/write", ACCESS_WRITE, ingest_write },
	{ EVHTTP_REQ_POST, "/write", ACCESS_WRITE, ingest_write },
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
	{ EVHTTP_REQ_POST, "/api/v1/users/*/unlock", ACCESS_ADMIN, api_users_unlock },
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
#define PARAM_MAX 768		/* a 255-byte name with every byte %-escaped */

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

/*
 * libevent answers some requests itself (400 malformed request, 413 header
 * or body too large, 417, 501) with an HTML page, no security headers,
 * through evhttp_send_error(), and 2.1 has no hook for it. libevent calls
 * that function through its PLT, so this definition, exported by the
 * program, replaces libevent's: the same answers, in JSON, with the same
 * headers as every other reply. tests/integration/test_http_errors.py checks
 * the replacement is in effect. The connection closes after it, as before.
 */
void
evhttp_send_error(struct evhttp_request *req, int error, const char *reason)
{
	const char *msg;
	(void)reason;
	switch (error) {
	case 400:
		msg = "malformed HTTP request";
		break;
	case 413:
		msg = "request too large: see http.max_header_size and ingest.max_body";
		break;
	case 417:
		msg = "unsupported Expect header";
		break;
	case 501:
		msg = "method not implemented";
		break;
	default:
		msg = "request refused";
		break;
	}
	if (req->major != 1 || (req->minor != 0 && req->minor != 1)) {
		req->major = 1;	/* the request line did not say (or said nonsense) */
		req->minor = 1;
	}
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	evhttp_clear_headers(out);
	evhttp_add_header(out, "Connection", "close");
	http_reply_error(req, error, "%s", msg);
}

/*
 * More than one Content-Length, or one with Transfer-Encoding: a proxy in
 * front may read the body's length differently from libevent (which takes
 * the first Content-Length, or chunked), and what one takes for body the
 * other takes for the next request.
 */
static int
ambiguous_length(struct evhttp_request *req)
{
	const struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	const struct evkeyval *h;
	int lengths = 0, chunked = 0;
	for (h = in->tqh_first; h != NULL; h = h->next.tqe_next) {
		if (evutil_ascii_strcasecmp(h->key, "Content-Length") == 0)
			lengths++;
		else if (evutil_ascii_strcasecmp(h->key, "Transfer-Encoding") == 0)
			chunked++;
	}
	return lengths > 1 || (lengths > 0 && chunked > 0);
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
	int tracked;		/* httpconn.c's close callback tells us */
};

void
http_pending_lost(struct http_pending *p)
{
	p->req = NULL;		/* libevent frees the request with the connection */
}

static void
pending_closed(struct evhttp_connection *evcon, void *arg)
{
	(void)evcon;
	http_pending_lost(arg);
}

struct http_pending *
http_pending_new(struct evhttp_request *req)
{
	struct http_pending *p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->req = req;
	if (http_conns_set_pending(req, p) == 0)
		p->tracked = 1;
	else
		evhttp_connection_set_closecb(evhttp_request_get_connection(req),
		    pending_closed, p);
	return p;
}

struct evhttp_request *
http_pending_take(struct http_pending *p)
{
	struct evhttp_request *req = p->req;
	if (req != NULL && p->tracked)
		http_conns_set_pending(req, NULL);
	else if (req != NULL)
		evhttp_connection_set_closecb(evhttp_request_get_connection(req), NULL, NULL);
	free(p);
	return req;
}

/* ---- routing ---------------------------------------------------------------- */

static int
hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/*
 * Percent-decode a captured path segment in place ("%E6%A0%B8 1" and
 * "%20" become the name a client meant; '+' stays '+', as in any path).
 * -1 for a bad escape, %00, or bytes that are not UTF-8.
 */
static int
segment_decode(char *seg)
{
	char *out = seg;
	for (const char *p = seg; *p != '\0'; p++) {
		if (*p != '%') {
			*out++ = *p;
			continue;
		}
		int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);
		if (lo < 0 || (hi == 0 && lo == 0))
			return -1;
		*out++ = (char)(hi << 4 | lo);
		p += 2;
	}
	*out = '\0';
	return util_utf8_valid(seg, (size_t)(out - seg)) ? 0 : -1;
}

/* Match path against pattern; captured "*" segments go to params. */
static int
route_match(const char *pattern, const char *path, char params[][PARAM_MAX], int *n_params)
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
			if (seg == 0 || seg >= PARAM_MAX || *n_params >= MAX_PARAMS)
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
	char params[MAX_PARAMS][PARAM_MAX];
	const char *param_ptrs[MAX_PARAMS + 1] = { NULL };
	int n_params, path_found = 0;

	http_conns_request_arrived(c->conns, req);
	if (ambiguous_length(req)) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
		http_reply_error(req, 400, "send one Content-Length header, or Transfer-Encoding "
		    "alone");
		return;
	}
	if (path == NULL || path[0] != '/') {
		http_reply_error(req, 400, "malformed request path");
		return;
	}
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const struct route *r = &routes[i];
		if (!route_match(r->pattern, path, params, &n_params))
			continue;
		if (!(r->method & method)) {
			/* the static catch-all knows no path: 404, not 405 */
			path_found |= strcmp(r->pattern, "/**") != 0;
			continue;
		}
		for (int k = 0; k < n_params; k++) {
			if (segment_decode(params[k]) < 0) {
				http_reply_error(req, 400, "bad percent-encoding in the path (a %%XX "
				    "escape, %%00, or bytes that are not UTF-8)");
				return;
			}
			param_ptrs[k] = params[k];
		}
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

/* OpenSSL's words for the first error queued, the root cause ("no start
 * line" rather than "PEM lib"); the queue is emptied. Returns its code. */
static unsigned long
tls_error(char *buf, size_t len)
{
	unsigned long e, first = ERR_get_error();
	while ((e = ERR_get_error()) != 0)
		;
	const char *reason = first ? ERR_reason_error_string(first) : NULL;
	if (first == 0)
		snprintf(buf, len, "unknown OpenSSL error");
	else if (reason != NULL)
		snprintf(buf, len, "%s", reason);
	else
		ERR_error_string_n(first, buf, len);
	return first;
}

/*
 * A server context with cfg's certificate chain and key, or NULL with the
 * reason in err: a file that cannot be read (and why), what OpenSSL found
 * wrong in it, or a key that does not belong to the certificate.
 */
static SSL_CTX *
tls_load(const struct collector_config *cfg, char *err, size_t errlen)
{
	char why[256];
	const char *files[2] = { cfg->tls_cert, cfg->tls_key };
	for (int i = 0; i < 2; i++) {
		FILE *f = fopen(files[i], "r");
		if (f == NULL) {
			snprintf(err, errlen, "http.%s %s: %s", i ? "tls_key" : "tls_cert",
			    files[i], strerror(errno));
			return NULL;
		}
		fclose(f);
	}
	ERR_clear_error();
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	if (ctx == NULL) {
		tls_error(why, sizeof(why));
		snprintf(err, errlen, "cannot make a TLS context: %s", why);
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (SSL_CTX_use_certificate_chain_file(ctx, cfg->tls_cert) != 1) {
		tls_error(why, sizeof(why));
		snprintf(err, errlen, "http.tls_cert %s is not a usable PEM certificate: %s",
		    cfg->tls_cert, why);
	} else if (SSL_CTX_use_PrivateKey_file(ctx, cfg->tls_key, SSL_FILETYPE_PEM) != 1) {
		unsigned long e = tls_error(why, sizeof(why));
		if (ERR_GET_LIB(e) == ERR_LIB_X509 && ERR_GET_REASON(e) == X509_R_KEY_VALUES_MISMATCH)
			snprintf(err, errlen, "http.tls_key %s does not belong to the certificate "
			    "%s: %s", cfg->tls_key, cfg->tls_cert, why);
		else
			snprintf(err, errlen, "http.tls_key %s is not a usable PEM private key: %s",
			    cfg->tls_key, why);
	} else if (SSL_CTX_check_private_key(ctx) != 1) {
		tls_error(why, sizeof(why));
		snprintf(err, errlen, "http.tls_key %s does not belong to the certificate %s: %s",
		    cfg->tls_key, cfg->tls_cert, why);
	} else {
		return ctx;
	}
	SSL_CTX_free(ctx);
	return NULL;
}

int
http_tls_check(const struct collector_config *cfg, char *err, size_t errlen)
{
	if (cfg->tls_cert == NULL || cfg->tls_key == NULL)
		return 0;
	SSL_CTX *ctx = tls_load(cfg, err, errlen);
	if (ctx == NULL)
		return -1;
	SSL_CTX_free(ctx);
	return 0;
}

static int
tls_setup(struct collector *c)
{
	char err[512];
	SSL_CTX *ctx = tls_load(&c->cfg, err, sizeof(err));
	if (ctx == NULL) {
		log_warnx("http: cannot load the TLS certificate: %s", err);
		return -1;
	}
	c->tls_ctx = ctx;	/* conns.c's bevcb makes TLS bufferevents */
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
	/* Every method reaches http_dispatch, which answers 404 or 405 in JSON
	 * (libevent's own 501 is an HTML page). */
	evhttp_set_allowed_methods(c->http, 0xffff);
	evhttp_set_gencb(c->http, http_dispatch, c);
	if (tls && tls_setup(c) < 0)
		return -1;
	if ((c->conns = http_conns_new(c, c->http)) == NULL)
		return -1;
	struct evhttp_bound_socket *bound = evhttp_bind_socket_with_handle(c->http, addr, port);
	if (bound == NULL) {
		log_warn("http: cannot listen on %s", c->cfg.listen);
		return -1;
	}
	http_conns_listen(c->conns, evhttp_bound_socket_get_listener(bound));
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
	if (c->conns != NULL)
		http_conns_listen(c->conns, NULL);	/* evhttp_free frees it */
	if (c->http != NULL)
		evhttp_free(c->http);
	c->http = NULL;
	http_conns_free(c->conns);
	c->conns = NULL;
	if (c->tls_ctx != NULL)
		SSL_CTX_free(c->tls_ctx);
	c->tls_ctx = NULL;
}

/* Limits that apply at once on SIGHUP (addresses and TLS need a restart). */
static void
http_reload(struct collector *c)
{
	evhttp_set_max_body_size(c->http, (ev_ssize_t)c->cfg.max_body);
}

/* Binds in open_privileged (a port below 1024 needs root); stops first, so
 * no request meets a subsystem that has stopped. */
const struct subsystem http_subsystem = {
	.name = "http",
	.open_privileged = http_start,
	.reload = http_reload,
	.stop = http_stop,
};
